/*
 * The table of REST resources. Adding a resource: its file in api/, its declaration in
 * api.h, one row here, and its routes in openapi.yaml (the server tests compare them).
 */
#include "api/api.h"

#include <string.h>

const ApiResource *const api_resources[] = {
    &api_health,
    &api_metrics,
    &api_blobs,
    &api_exec,
};
const size_t api_n_resources = G_N_ELEMENTS(api_resources);

HttpRoute *api_routes(size_t *n_routes)
{
    size_t n = 0;
    for (size_t i = 0; i < api_n_resources; i++) {
        n += api_resources[i]->n_routes;
    }
    HttpRoute *routes = g_new(HttpRoute, n);
    *n_routes = 0;
    for (size_t i = 0; i < api_n_resources; i++) {
        const ApiResource *r = api_resources[i];
        memcpy(routes + *n_routes, r->routes, r->n_routes * sizeof(*routes));
        *n_routes += r->n_routes;
    }
    return routes;
}

bool api_init(Server *server, GError **errp)
{
    for (size_t i = 0; i < api_n_resources; i++) {
        const ApiResource *r = api_resources[i];
        if (r->init && !r->init(server, errp)) {
            g_prefix_error(errp, "%s: ", r->name);
            return false;
        }
    }
    return true;
}

void api_stop(Server *server)
{
    for (size_t i = api_n_resources; i-- > 0;) {
        if (api_resources[i]->stop) {
            api_resources[i]->stop(server);
        }
    }
}

void api_fini(Server *server)
{
    for (size_t i = api_n_resources; i-- > 0;) {
        if (api_resources[i]->fini) {
            api_resources[i]->fini(server);
        }
    }
}

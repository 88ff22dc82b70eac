/*
 * GET /v1/health: liveness for load balancers and the tests, without auth. It answers from
 * the listener thread and touches nothing else, so it stays cheap under load.
 */
#include "api/api.h"
#include "paddock-version.h"

static void health_get(HttpRequest *req)
{
    http_reply_json(req, 200, json_pack("{s:s,s:s}", "status", "ok", "version", PADDOCK_VERSION));
}

static const HttpRoute health_routes[] = {
    {"GET", "/v1/health", health_get, .auth = false},
};

const ApiResource api_health = {
    .name = "health",
    .routes = health_routes,
    .n_routes = G_N_ELEMENTS(health_routes),
};

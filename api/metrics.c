/*
 * GET /metrics: the server's metrics registry (server/metrics.h) in Prometheus' text
 * format. Behind the token like everything but health: scrapers send it as a bearer token.
 */
#include "api/api.h"
#include "server/server.h"

static void metrics_get(HttpRequest *req)
{
    http_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics_render(http_request_server(req)->metrics));
}

static const HttpRoute metrics_routes[] = {
    {"GET", "/metrics", metrics_get, .auth = true},
};

const ApiResource api_metrics = {
    .name = "metrics",
    .routes = metrics_routes,
    .n_routes = G_N_ELEMENTS(metrics_routes),
};

/*
 * The paddockd context: configuration and the long-lived parts every handler may reach
 * through http_request_server(). One per process, built by paddockd's main; there is no
 * global state, so tests and future embedders may hold several.
 */
#ifndef SERVER_SERVER_H
#define SERVER_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "server/http.h"
#include "server/metrics.h"
#include "storage/pool.h"

typedef struct ServerConfig {
    char *listen;              /* ADDR:PORT of the REST listener */
    char *pool_dir;            /* the pool */
    char *token_file;          /* the bearer token, 0600 */
    unsigned workers;          /* listener threads */
    uint64_t max_upload;       /* streamed bodies (blobs), bytes */
    uint64_t max_json;         /* JSON bodies, bytes */
    unsigned shutdown_timeout; /* seconds to let requests finish on SIGTERM */
} ServerConfig;

typedef struct ApiExec ApiExec;

struct Server {
    ServerConfig config;
    Pool *pool;
    Metrics *metrics;
    HttpServer *http;
    ApiExec *exec; /* /v1/exec's runner and metrics (api/exec.c) */
};

#endif

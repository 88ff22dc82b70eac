/*
 * The dispatcher's private structures, shared by http.c (listener, routing, body, defer)
 * and http-reply.c (replies and errors). Resource files use http.h only.
 */
#ifndef SERVER_HTTP_INTERNAL_H
#define SERVER_HTTP_INTERNAL_H

#include <pthread.h>

#include <microhttpd.h>

#include "server/http.h"
#include "server/metrics.h"
#include "server/workq.h"

#define HTTP_MAX_PARAMS 4

struct HttpServer {
    Server *server;
    struct MHD_Daemon *daemon;
    HttpRoute *routes;
    size_t n_routes;
    guint8 token_hash[32]; /* SHA-256 of the token: compared in constant time */
    uint64_t max_json, max_upload;
    char *address;
    WorkQueue *defer; /* deferred requests */

    pthread_mutex_t lock; /* guards in_flight and stopping */
    pthread_cond_t idle;  /* signalled when in_flight reaches 0 */
    unsigned in_flight;
    bool stopping; /* quiesced: new requests get 503 */

    MetricFamily *m_requests, *m_duration;
};

struct HttpRequest {
    HttpServer *http;
    struct MHD_Connection *conn;
    const HttpRoute *route; /* NULL when no route matched */
    char *method, *path;
    const char *param_names[HTTP_MAX_PARAMS]; /* into route->pattern, '}'-terminated */
    char *param_values[HTTP_MAX_PARAMS];
    size_t n_params;
    gint64 start_us;

    GByteArray *json_body; /* HTTP_BODY_JSON: the body so far */
    uint64_t body_size;
    json_t *json;
    bool rejected; /* a reply was set while reading the body: discard the rest */
    bool handled;  /* the handler (or the dispatcher in its place) has run */

    void *state;
    GDestroyNotify state_free;

    HttpWorkFn work; /* set by http_defer until the work is queued */
    void *work_data;
    GDestroyNotify work_free;

    struct MHD_Response *reply; /* set, not yet queued */
    unsigned reply_status;
    unsigned status; /* queued with MHD; 0 while none */
};

/* The response of a reply being set (replacing any earlier one); NULL if MHD failed. */
void http_set_reply(HttpRequest *req, unsigned status, struct MHD_Response *resp);

#endif

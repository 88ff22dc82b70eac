/*
 * The dispatcher: libmicrohttpd's access callback, driven once per request through these
 * phases, each of which may end the request with an error reply:
 *   headers in  → match the route (404, 405 + Allow), check the token (401), check the
 *                 declared body size (413), begin a stream
 *   body chunks → buffered (JSON) or handed to the stream, within the limit (413)
 *   body done   → JSON parsed (400), handler runs, or its work is deferred
 * and MHD's completion callback logs the request and counts it, whatever happened. The
 * listener threads never wait: deferred work runs on the blocking pool while its
 * connection is suspended.
 *
 * MHD sends a reply only before the body or after all of it: an error found in the middle
 * (a chunked body crossing the limit, a failed write) is sent once the rest has been read
 * and discarded. A declared Content-Length over the limit is refused before any byte.
 */
#include "server/http.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/http-internal.h"
#include "server/server.h"
#include "server/slog.h"
#include "vmcore/thread.h"

/* Idle time after which a connection is closed, and per-connection buffer memory. */
enum {
    HTTP_CONNECTION_TIMEOUT_S = 120,
    HTTP_CONNECTION_MEMORY = 256 * 1024,
};

Server *http_request_server(HttpRequest *req)
{
    return req->http->server;
}

const char *http_request_param(HttpRequest *req, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < req->n_params; i++) {
        if (!strncmp(req->param_names[i], name, len) && req->param_names[i][len] == '}') {
            return req->param_values[i];
        }
    }
    return NULL;
}

const char *http_request_header(HttpRequest *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

json_t *http_request_json(HttpRequest *req)
{
    return req->json;
}

void http_request_set_state(HttpRequest *req, void *state, GDestroyNotify destroy)
{
    req->state = state;
    req->state_free = destroy;
}

void *http_request_state(HttpRequest *req)
{
    return req->state;
}

/* ---- routing ---- */

/* The end of the path segment starting at p: the next '/' or the terminating NUL. */
static const char *segment_end(const char *p)
{
    return p + strcspn(p, "/");
}

/*
 * Matches path against pattern, segment by segment; on success records the {name}
 * parameters in req (values not yet copied: see route_take_params).
 */
static bool route_match(const char *pattern, const char *path, const char **names,
                        const char **values, size_t *value_lens, size_t *n)
{
    *n = 0;
    while (*pattern == '/' && *path == '/') {
        pattern++;
        path++;
        const char *pend = segment_end(pattern);
        const char *send = segment_end(path);
        if (*pattern == '{') {
            if (send == path || *n == HTTP_MAX_PARAMS) {
                return false;
            }
            names[*n] = pattern + 1;
            values[*n] = path;
            value_lens[(*n)++] = (size_t)(send - path);
        } else if (pend - pattern != send - path || memcmp(pattern, path, pend - pattern)) {
            return false;
        }
        pattern = pend;
        path = send;
    }
    return !*pattern && !*path;
}

/* The route for req's method and path; NULL with *path_known set when only the method
 * is wrong. */
static const HttpRoute *route_find(HttpRequest *req, bool *path_known)
{
    const char *vals[HTTP_MAX_PARAMS];
    size_t lens[HTTP_MAX_PARAMS];
    *path_known = false;
    for (size_t i = 0; i < req->http->n_routes; i++) {
        const HttpRoute *r = &req->http->routes[i];
        if (!route_match(r->pattern, req->path, req->param_names, vals, lens, &req->n_params)) {
            continue;
        }
        *path_known = true;
        if (!strcmp(r->method, req->method)) {
            for (size_t p = 0; p < req->n_params; p++) {
                req->param_values[p] = g_strndup(vals[p], lens[p]);
            }
            return r;
        }
    }
    req->n_params = 0;
    return NULL;
}

/* 405 with the methods the path does take. */
static void route_reply_not_allowed(HttpRequest *req)
{
    const char *names[HTTP_MAX_PARAMS], *vals[HTTP_MAX_PARAMS];
    size_t lens[HTTP_MAX_PARAMS], n;
    g_autoptr(GString) allow = g_string_new(NULL);
    for (size_t i = 0; i < req->http->n_routes; i++) {
        const HttpRoute *r = &req->http->routes[i];
        if (route_match(r->pattern, req->path, names, vals, lens, &n)) {
            g_string_append_printf(allow, "%s%s", allow->len ? ", " : "", r->method);
        }
    }
    http_reply_error(req, HTTP_ERROR_METHOD_NOT_ALLOWED, "%s does not take %s (allowed: %s)",
                     req->path, req->method, allow->str);
    http_reply_header(req, MHD_HTTP_HEADER_ALLOW, allow->str);
}

/* One segment of a pattern: a literal or a {name} parameter, of known characters. */
static bool route_segment_ok(const char *seg, const char *end, size_t *params)
{
    bool param = *seg == '{';
    if (end == seg || (param && (end - seg < 3 || end[-1] != '}' || ++*params > HTTP_MAX_PARAMS))) {
        return false;
    }
    for (const char *c = seg + param; c < end - param; c++) {
        if (!g_ascii_isalnum(*c) && !strchr(param ? "_" : "_-.:", *c)) {
            return false;
        }
    }
    return true;
}

static bool route_check_pattern(const HttpRoute *r, GError **errp)
{
    const char *p = r->pattern;
    size_t params = 0;
    if (*p != '/') {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INTERNAL, "route %s: does not start with /", p);
        return false;
    }
    while (*p == '/') {
        const char *end = segment_end(++p);
        if (!route_segment_ok(p, end, &params)) {
            g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INTERNAL, "route %s: bad segment at '%s'",
                        r->pattern, p);
            return false;
        }
        p = end;
    }
    return true;
}

static bool route_check(const HttpRoute *routes, size_t i, GError **errp)
{
    const HttpRoute *r = &routes[i];
    static const char *const methods[] = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"};
    bool method_ok = false;
    for (size_t m = 0; m < G_N_ELEMENTS(methods); m++) {
        method_ok |= !strcmp(r->method, methods[m]);
    }
    if (!method_ok || !r->handler || (r->body == HTTP_BODY_STREAM) != (r->stream != NULL)) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INTERNAL,
                    "route %s %s: bad method, no handler, or stream ops on a non-stream route",
                    r->method, r->pattern);
        return false;
    }
    for (size_t j = 0; j < i; j++) {
        if (!strcmp(routes[j].method, r->method) && !strcmp(routes[j].pattern, r->pattern)) {
            g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INTERNAL, "route %s %s: declared twice",
                        r->method, r->pattern);
            return false;
        }
    }
    return route_check_pattern(r, errp);
}

bool http_routes_check(const HttpRoute *routes, size_t n_routes, GError **errp)
{
    for (size_t i = 0; i < n_routes; i++) {
        if (!route_check(routes, i, errp)) {
            return false;
        }
    }
    return true;
}

/* ---- authentication ---- */

static void http_hash_token(const char *token, size_t len, guint8 out[32])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    gsize out_len = 32;
    g_checksum_update(sum, (const guchar *)token, (gssize)len);
    g_checksum_get_digest(sum, out, &out_len);
}

/* True when the request carries "Authorization: Bearer <token>". Comparing hashes in
 * constant time reveals neither the token's bytes nor its length. */
static bool http_authorized(HttpRequest *req)
{
    const char *h = http_request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || g_ascii_strncasecmp(h, "Bearer ", 7)) {
        return false;
    }
    const char *tok = h + 7;
    while (*tok == ' ') {
        tok++;
    }
    guint8 got[32];
    http_hash_token(tok, strlen(tok), got);
    unsigned diff = 0;
    for (size_t i = 0; i < sizeof(got); i++) {
        diff |= got[i] ^ req->http->token_hash[i];
    }
    return diff == 0;
}

/* ---- request phases ---- */

static HttpRequest *http_request_new(HttpServer *http, struct MHD_Connection *conn, const char *url,
                                     const char *method)
{
    HttpRequest *req = g_new0(HttpRequest, 1);
    req->http = http;
    req->conn = conn;
    req->method = g_strdup(method);
    req->path = g_strdup(url);
    req->start_us = g_get_monotonic_time();
    mutex_lock(&http->lock);
    http->in_flight++;
    mutex_unlock(&http->lock);
    return req;
}

/* The Content-Length the client announced, or 0 when none (chunked or no body). */
enum { HTTP_LINGER_BYTES = 16 << 20 };

static uint64_t http_declared_length(HttpRequest *req)
{
    const char *cl = http_request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    guint64 n = 0;
    if (cl && !g_ascii_string_to_unsigned(cl, 10, 0, G_MAXUINT64, &n, NULL)) {
        n = 0;
    }
    return n;
}

static uint64_t http_body_limit(HttpRequest *req)
{
    return req->route->body == HTTP_BODY_JSON ? req->http->max_json : req->http->max_upload;
}

static void http_reply_too_large(HttpRequest *req)
{
    http_reply_error(req, HTTP_ERROR_TOO_LARGE, "the body exceeds the limit of %" PRIu64 " bytes",
                     http_body_limit(req));
}

/* JSON routes take application/json (or no Content-Type at all). */
static bool http_json_type_ok(HttpRequest *req)
{
    const char *ct = http_request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || !g_ascii_strncasecmp(ct, "application/json", 16)) {
        return !ct || ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ';
    }
    return false;
}

static void http_begin_body(HttpRequest *req)
{
    if (req->route->body != HTTP_BODY_NONE && http_declared_length(req) > http_body_limit(req)) {
        http_reply_too_large(req);
    } else if (req->route->body == HTTP_BODY_JSON && !http_json_type_ok(req)) {
        http_reply_error(req, HTTP_ERROR_UNSUPPORTED_TYPE, "the body must be application/json");
    } else if (req->route->body == HTTP_BODY_JSON) {
        req->json_body = g_byte_array_new();
    } else if (req->route->body == HTTP_BODY_STREAM) {
        req->rejected = !req->route->stream->begin(req);
    }
}

/* The first call, headers only. */
static void http_begin(HttpRequest *req)
{
    bool path_known;
    bool stopping;
    mutex_lock(&req->http->lock);
    stopping = req->http->stopping;
    mutex_unlock(&req->http->lock);

    req->route = route_find(req, &path_known);
    if (stopping) {
        http_reply_error(req, HTTP_ERROR_UNAVAILABLE, "the server is stopping");
        http_reply_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
    } else if (!req->route && path_known) {
        route_reply_not_allowed(req);
    } else if (!req->route) {
        http_reply_error(req, HTTP_ERROR_NOT_FOUND, "no route %s %s", req->method, req->path);
    } else if (req->route->auth && !http_authorized(req)) {
        http_reply_error(req, HTTP_ERROR_UNAUTHORIZED,
                         "this route needs the header 'Authorization: Bearer <token>'");
    } else {
        http_begin_body(req);
    }
    req->rejected |= req->reply != NULL;
}

static void http_body_chunk(HttpRequest *req, const char *data, size_t len)
{
    req->body_size += len;
    if (req->rejected || !req->route) {
        return;
    }
    if (req->route->body == HTTP_BODY_NONE) {
        http_reply_error(req, HTTP_ERROR_BAD_REQUEST, "%s %s takes no body", req->method,
                         req->route->pattern);
        req->rejected = true;
    } else if (req->body_size > http_body_limit(req)) {
        http_reply_too_large(req);
        req->rejected = true;
    } else if (req->json_body) {
        g_byte_array_append(req->json_body, (const guint8 *)data, (guint)len);
    } else if (req->route->body == HTTP_BODY_STREAM) {
        req->rejected = !req->route->stream->chunk(req, data, len);
    }
}

/* The last call: the body is complete. */
static void http_finish(HttpRequest *req)
{
    if (req->handled || req->rejected) {
        return;
    }
    req->handled = true;
    if (req->json_body) {
        g_autoptr(GError) err = NULL;
        req->json = http_json_parse((const char *)req->json_body->data, req->json_body->len, &err);
        if (!req->json) {
            http_reply_gerror(req, err);
            return;
        }
    }
    req->route->handler(req);
}

/* ---- deferred work ---- */

void http_defer(HttpRequest *req, HttpWorkFn work, void *data, GDestroyNotify free_data)
{
    req->work = work;
    req->work_data = data;
    req->work_free = free_data;
}

static void http_defer_run(void *item, void *ctx)
{
    HttpRequest *req = item;
    req->work(req, req->work_data);
    if (req->work_free) {
        req->work_free(req->work_data);
    }
    req->work = NULL;
    MHD_resume_connection(req->conn);
}

/* Suspends the connection and queues its work; false (and 503) once the queue is closed. */
static bool http_defer_queue(HttpRequest *req)
{
    MHD_suspend_connection(req->conn);
    if (workq_push(req->http->defer, req)) {
        return true;
    }
    MHD_resume_connection(req->conn);
    if (req->work_free) {
        req->work_free(req->work_data);
    }
    req->work = NULL;
    http_reply_error(req, HTTP_ERROR_UNAVAILABLE, "the server is stopping");
    return false;
}

/*
 * Whether to read (and discard) the rest of the body before sending an early reply. MHD
 * closes the connection after a reply queued mid-body, and closing with the client's
 * bytes unread makes the kernel answer with a reset that can destroy the reply before
 * the client reads it. A client waiting for "100 Continue" has sent nothing yet, and a
 * body far past the limit is not worth reading: both get the reply at once.
 */
static bool http_linger(HttpRequest *req)
{
    const char *expect = http_request_header(req, MHD_HTTP_HEADER_EXPECT);
    if (req->body_size == 0 && expect && !g_ascii_strcasecmp(expect, "100-continue")) {
        return false;
    }
    uint64_t limit = req->route && req->route->body != HTTP_BODY_NONE ? http_body_limit(req) : 0;
    return MAX(http_declared_length(req), req->body_size) <= limit + HTTP_LINGER_BYTES;
}

/*
 * After a phase: queues the work if the handler deferred, else the reply if there is one.
 * A reply set while the body is still coming may be refused by MHD until the body is
 * read (the rest is discarded meanwhile); on the final call a refusal closes the
 * connection, as does a reply MHD could not create.
 */
static enum MHD_Result http_respond(HttpRequest *req, bool final)
{
    if (req->work && http_defer_queue(req)) {
        return MHD_YES;
    }
    if (req->handled && !req->reply && !req->reply_status) {
        http_reply_error(req, HTTP_ERROR_INTERNAL, "the handler of %s %s set no reply",
                         req->route->method, req->route->pattern);
    }
    if (!req->reply) {
        return req->reply_status && !req->status ? MHD_NO : MHD_YES;
    }
    if (!final && http_linger(req)) {
        return MHD_YES;
    }
    if (MHD_queue_response(req->conn, req->reply_status, req->reply) == MHD_YES) {
        req->status = req->reply_status;
        MHD_destroy_response(req->reply);
        req->reply = NULL;
        return MHD_YES;
    }
    return final ? MHD_NO : MHD_YES;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_size, void **con_cls)
{
    HttpRequest *req = *con_cls;
    if (!req) {
        *con_cls = req = http_request_new(cls, conn, url, method);
        http_begin(req);
        return http_respond(req, false);
    }
    if (*upload_size) {
        http_body_chunk(req, upload_data, *upload_size);
        *upload_size = 0;
        return http_respond(req, false);
    }
    http_finish(req);
    return http_respond(req, true);
}

/* ---- completion: log, count, free ---- */

static const char *http_termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "server stopping";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client closed the connection";
    case MHD_REQUEST_TERMINATED_READ_ERROR: return "read error";
    default: return "connection error";
    }
}

static void http_account(HttpRequest *req, enum MHD_RequestTerminationCode toe)
{
    double seconds = (double)(g_get_monotonic_time() - req->start_us) / 1e6;
    const char *route = req->route ? req->route->pattern : "unmatched";
    const char *aborted = http_termination_name(toe);
    char status[16];
    g_snprintf(status, sizeof(status), "%u", req->status);

    metrics_inc(req->http->m_requests, (const char *const[]){req->method, route, status}, 1);
    metrics_observe(req->http->m_duration, (const char *const[]){route}, seconds);
    slog(aborted ? SLOG_WARN : SLOG_INFO, "request", "{s:s,s:s,s:i,s:f,s:I,s:s*}", "method",
         req->method, "path", req->path, "status", (int)req->status, "duration_ms", seconds * 1e3,
         "body_bytes", (json_int_t)req->body_size, "aborted", aborted);
}

static void http_request_free(HttpRequest *req)
{
    if (req->state_free) {
        req->state_free(req->state);
    }
    if (req->reply) {
        MHD_destroy_response(req->reply);
    }
    for (size_t i = 0; i < req->n_params; i++) {
        g_free(req->param_values[i]);
    }
    if (req->json_body) {
        g_byte_array_unref(req->json_body);
    }
    json_decref(req->json);
    g_free(req->method);
    g_free(req->path);
    g_free(req);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    HttpServer *http = cls;
    HttpRequest *req = *con_cls;
    if (!req) {
        return;
    }
    *con_cls = NULL;
    http_account(req, toe);
    http_request_free(req);
    mutex_lock(&http->lock);
    if (--http->in_flight == 0) {
        cond_broadcast(&http->idle);
    }
    mutex_unlock(&http->lock);
}

/* ---- the listener ---- */

static double http_in_flight(void *data)
{
    HttpServer *http = data;
    mutex_lock(&http->lock);
    unsigned n = http->in_flight;
    mutex_unlock(&http->lock);
    return n;
}

static void http_register_metrics(HttpServer *http, Metrics *m)
{
    static const char *const request_labels[] = {"method", "route", "status", NULL};
    static const char *const route_label[] = {"route", NULL};
    http->m_requests = metrics_counter(m, "paddock_http_requests_total",
                                       "HTTP requests by method, route and status", request_labels);
    http->m_duration =
        metrics_histogram(m, "paddock_http_request_duration_seconds",
                          "HTTP request duration, from headers to last byte", route_label,
                          metrics_duration_bounds, metrics_n_duration_bounds);
    metrics_gauge_fn(m, "paddock_http_requests_in_flight", "HTTP requests being served",
                     http_in_flight, http);
}

/* Splits "HOST:PORT" or "[HOST6]:PORT" and resolves it to one socket address. */
static struct addrinfo *http_resolve(const char *listen, GError **errp)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(listen, ':');
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        colon = close && close[1] == ':' ? close + 1 : NULL;
        host = colon ? g_strndup(listen + 1, (size_t)(close - listen - 1)) : NULL;
    } else if (colon) {
        host = g_strndup(listen, (size_t)(colon - listen));
    }
    guint64 port;
    if (!host || !*host || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL)) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_BAD_REQUEST,
                    "listen address '%s': expected HOST:PORT or [HOST6]:PORT", listen);
        return NULL;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_BAD_REQUEST, "listen address '%s': %s", listen,
                    gai_strerror(rc));
        return NULL;
    }
    return res;
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    slog(SLOG_WARN, "libmicrohttpd", "{s:s}", "detail", g_strchomp(text));
}

/* host:port as bound (the port chosen by the kernel when 0 was asked). */
static char *http_bound_address(struct MHD_Daemon *d, const struct addrinfo *ai)
{
    char host[NI_MAXHOST];
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST)) {
        g_strlcpy(host, "?", sizeof(host));
    }
    unsigned port = info ? info->port : 0;
    return ai->ai_family == AF_INET6 ? g_strdup_printf("[%s]:%u", host, port)
                                     : g_strdup_printf("%s:%u", host, port);
}

static bool http_listen(HttpServer *http, const HttpConfig *cfg, GError **errp)
{
    struct addrinfo *ai = http_resolve(cfg->listen, errp);
    if (!ai) {
        return false;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, http_access, http, MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, http,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)MAX(cfg->workers, 1u), MHD_OPTION_NOTIFY_COMPLETED, http_completed, http,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY, MHD_OPTION_END);
    if (http->daemon) {
        http->address = http_bound_address(http->daemon, ai);
    } else {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INTERNAL,
                    "cannot listen on %s (address in use, or not an address of this host?)",
                    cfg->listen);
    }
    freeaddrinfo(ai);
    return http->daemon != NULL;
}

HttpServer *http_server_start(Server *server, const HttpConfig *cfg, const HttpRoute *routes,
                              size_t n_routes, GError **errp)
{
    if (!http_routes_check(routes, n_routes, errp)) {
        return NULL;
    }
    HttpServer *http = g_new0(HttpServer, 1);
    http->server = server;
    http->routes = g_memdup2(routes, n_routes * sizeof(*routes));
    http->n_routes = n_routes;
    http->max_json = cfg->max_json;
    http->max_upload = cfg->max_upload;
    http_hash_token(cfg->token, strlen(cfg->token), http->token_hash);
    mutex_init(&http->lock);
    cond_init(&http->idle);
    http->defer = workq_new("defer", MAX(cfg->defer_threads, 1u), http_defer_run, http, errp);
    if (!http->defer) {
        http_server_stop(http);
        return NULL;
    }
    http_register_metrics(http, server->metrics);
    if (!http_listen(http, cfg, errp)) {
        http_server_stop(http);
        return NULL;
    }
    return http;
}

const char *http_server_address(HttpServer *http)
{
    return http->address;
}

void http_server_quiesce(HttpServer *http)
{
    mutex_lock(&http->lock);
    http->stopping = true;
    mutex_unlock(&http->lock);
    if (http->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(http->daemon);
        if (fd != MHD_INVALID_SOCKET && close(fd)) {
            slog(SLOG_WARN, "cannot close the listening socket", "{s:s}", "error",
                 g_strerror(errno));
        }
    }
}

bool http_server_drain(HttpServer *http, unsigned timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    mutex_lock(&http->lock);
    int rc = 0;
    while (http->in_flight && rc == 0) {
        rc = pthread_cond_timedwait(&http->idle, &http->lock, &deadline);
    }
    if (rc && rc != ETIMEDOUT) {
        slog(SLOG_ERROR, "pthread_cond_timedwait failed", "{s:s}", "error", g_strerror(rc));
    }
    bool idle = http->in_flight == 0;
    mutex_unlock(&http->lock);
    return idle;
}

void http_server_stop(HttpServer *http)
{
    if (http->defer) {
        workq_free(http->defer);
    }
    if (http->daemon) {
        MHD_stop_daemon(http->daemon);
    }
    cond_destroy(&http->idle);
    mutex_destroy(&http->lock);
    g_free(http->routes);
    g_free(http->address);
    g_free(http);
}

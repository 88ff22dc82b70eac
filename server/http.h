/*
 * The REST dispatcher of paddockd: libmicrohttpd underneath, jansson for JSON. Resource
 * files in api/ describe their routes as data (HttpRoute rows); the dispatcher matches
 * method and path, checks the bearer token, reads and limits the body, and only then calls
 * the handler. Logging, metrics and the mapping of errors to JSON happen here, once, so a
 * handler only parses its typed request, does its work and sets one reply.
 *
 * A handler runs on one of the listener's worker threads (--workers) and must not block
 * for long: other connections share that thread. Work that waits (a guest run, fsync, a
 * queue) goes through http_defer(), which parks the connection and runs the work on the
 * dispatcher's blocking pool; the reply the work sets is sent when it returns.
 *
 * Usage, in a resource file:
 *     static void blob_get(HttpRequest *req)
 *     {
 *         const char *digest = http_request_param(req, "digest");
 *         ...
 *         http_reply_error(req, HTTP_ERROR_NOT_FOUND, "no blob %s", digest);
 *     }
 *     static const HttpRoute blob_routes[] = {
 *         {"GET", "/v1/blobs/{digest}", blob_get, .auth = true},
 *     };
 */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>

typedef struct Server Server;
typedef struct HttpRequest HttpRequest;
typedef struct HttpServer HttpServer;

/* ---- routes ---- */

typedef void (*HttpHandler)(HttpRequest *req);

typedef enum HttpBody {
    HTTP_BODY_NONE,   /* no body: one is refused (400) */
    HTTP_BODY_JSON,   /* buffered up to --max-json, parsed (strictly) before the handler */
    HTTP_BODY_STREAM, /* handed to HttpStreamOps chunk by chunk, up to --max-upload */
} HttpBody;

/*
 * A streamed body. begin runs after routing and auth, before any byte is read; chunk runs
 * for every piece. Either may set an error reply (http_reply_error) and return false: the
 * rest of the body is discarded and the handler does not run. Per-request state goes in
 * http_request_set_state(); its destroy function runs when the request ends, however it
 * ends (completed, client gone, server stopping), which is where partial work is undone.
 */
typedef struct HttpStreamOps {
    bool (*begin)(HttpRequest *req);
    bool (*chunk)(HttpRequest *req, const char *data, size_t len);
} HttpStreamOps;

/*
 * One row of the route table. pattern is a path of literal segments and {name}
 * parameters, each matching one non-empty segment ("/v1/blobs/{digest}"). handler runs
 * once the body (if any) is complete. auth: the bearer token is required.
 */
typedef struct HttpRoute {
    const char *method;
    const char *pattern;
    HttpHandler handler;
    bool auth;
    HttpBody body;
    const HttpStreamOps *stream; /* HTTP_BODY_STREAM only */
} HttpRoute;

/* ---- the request, as the handler sees it ---- */

Server *http_request_server(HttpRequest *req);
/* The value of the route's {name} parameter; NULL when the pattern has none by that name. */
const char *http_request_param(HttpRequest *req, const char *name);
/* A request header (case-insensitive); NULL when absent. */
const char *http_request_header(HttpRequest *req, const char *name);
/* HTTP_BODY_JSON routes: the parsed body, borrowed (valid until the request ends). */
json_t *http_request_json(HttpRequest *req);

/* Handler/stream state; destroy (may be NULL) runs when the request ends. */
void http_request_set_state(HttpRequest *req, void *state, GDestroyNotify destroy);
void *http_request_state(HttpRequest *req);

/* ---- replies: a handler (or its deferred work) sets exactly one ---- */

/* body is stolen; NULL sends no body. Content-Type: application/json. */
void http_reply_json(HttpRequest *req, unsigned status, json_t *body);
/* text is stolen (g_free). */
void http_reply_text(HttpRequest *req, unsigned status, const char *content_type, char *text);
/* Streams size bytes of fd from offset 0; fd is taken (closed by the dispatcher). */
void http_reply_fd(HttpRequest *req, unsigned status, const char *content_type, int fd,
                   uint64_t size);
void http_reply_empty(HttpRequest *req, unsigned status);
/* Adds a header to the reply set last; call after the http_reply_* it belongs to. */
void http_reply_header(HttpRequest *req, const char *name, const char *value);

/*
 * Errors. Every error reply of the server is {"error":{"code":"…","message":"…"}}, built
 * by http_reply_error() alone; the code string and the HTTP status come from the code.
 * Library errors (GError) reach the client through http_reply_gerror(), which maps their
 * domain and code through the table in http-reply.c (one row per library error domain:
 * add yours there) and anything unknown to "internal".
 */
#define HTTP_ERROR http_error_quark()
GQuark http_error_quark(void);

typedef enum HttpErrorCode {
    HTTP_ERROR_BAD_REQUEST,        /* 400 bad_request: a malformed request (syntax, value) */
    HTTP_ERROR_INVALID_JSON,       /* 400 invalid_json: a body that is not JSON */
    HTTP_ERROR_INVALID_FIELD,      /* 400 invalid_field: JSON of the wrong shape */
    HTTP_ERROR_UNAUTHORIZED,       /* 401 unauthorized (adds WWW-Authenticate) */
    HTTP_ERROR_NOT_FOUND,          /* 404 not_found */
    HTTP_ERROR_METHOD_NOT_ALLOWED, /* 405 method_not_allowed (the dispatcher adds Allow) */
    HTTP_ERROR_CONFLICT,           /* 409 conflict */
    HTTP_ERROR_TOO_LARGE,          /* 413 too_large */
    HTTP_ERROR_UNSUPPORTED_TYPE,   /* 415 unsupported_media_type */
    HTTP_ERROR_UNPROCESSABLE,      /* 422 unprocessable: well-formed but cannot be done */
    HTTP_ERROR_TOO_MANY,           /* 429 too_many_requests */
    HTTP_ERROR_INTERNAL,           /* 500 internal */
    HTTP_ERROR_UNAVAILABLE,        /* 503 unavailable (e.g. stopping) */
    HTTP_ERROR_N_CODES
} HttpErrorCode;

void http_reply_error(HttpRequest *req, HttpErrorCode code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Maps err's domain and code (HTTP_ERROR, a domain of the table, else internal); replies. */
void http_reply_gerror(HttpRequest *req, const GError *err);
/* The status and code string of code ("not_found", 404), for documentation and tests. */
unsigned http_error_status(HttpErrorCode code);
const char *http_error_name(HttpErrorCode code);

/* ---- JSON: typed requests from untrusted bodies ---- */

typedef enum HttpJsonType {
    HTTP_JSON_STRING,
    HTTP_JSON_INTEGER, /* an integer, checked against [min, max] */
    HTTP_JSON_BOOLEAN,
    HTTP_JSON_OBJECT,
    HTTP_JSON_ARRAY,
    HTTP_JSON_STRING_OR_OBJECT,
} HttpJsonType;

/* One allowed member of a JSON object. */
typedef struct HttpJsonField {
    const char *name;
    HttpJsonType type;
    bool required;
    json_int_t min, max; /* HTTP_JSON_INTEGER; both 0: any value >= 0 */
} HttpJsonField;

/*
 * Checks that obj is an object whose members are all among fields (an unknown member is an
 * error), each of its type, and that the required ones are present. where names obj in
 * messages ("body", "limits"): `limits.wall_ms: expected an integer`. Errors are
 * HTTP_ERROR_INVALID_FIELD.
 */
bool http_json_check(const json_t *obj, const char *where, const HttpJsonField *fields,
                     size_t n_fields, GError **errp);
/* Parses a complete JSON document (an object or array; no trailing data, no duplicate
 * keys). Errors are HTTP_ERROR_INVALID_JSON with jansson's position and reason. */
json_t *http_json_parse(const char *data, size_t len, GError **errp);

/* ---- blocking work ---- */

typedef void (*HttpWorkFn)(HttpRequest *req, void *data);

/*
 * From a handler: parks the connection and runs work(req, data) on the dispatcher's
 * blocking pool; work sets the reply (any http_reply_*). free_data (may be NULL) runs
 * after work. The handler must return right after calling this and set no reply itself.
 * Work should watch for the server stopping (it waits for deferred work to end).
 */
void http_defer(HttpRequest *req, HttpWorkFn work, void *data, GDestroyNotify free_data);

/* ---- the listener (paddockd's main uses these) ---- */

typedef struct HttpConfig {
    const char *listen;     /* ADDR:PORT or [ADDR6]:PORT; port 0 picks a free one */
    unsigned workers;       /* listener threads */
    unsigned defer_threads; /* threads of the blocking pool */
    uint64_t max_json;      /* HTTP_BODY_JSON limit, bytes */
    uint64_t max_upload;    /* HTTP_BODY_STREAM limit, bytes */
    const char *token;      /* the bearer token */
} HttpConfig;

/*
 * Checks the route table (well-formed patterns, no (method, pattern) twice, stream ops on
 * stream routes) and opens the listener; requests are served from the moment it returns.
 */
HttpServer *http_server_start(Server *server, const HttpConfig *cfg, const HttpRoute *routes,
                              size_t n_routes, GError **errp);
/* The address actually bound ("127.0.0.1:43121"), for the log and clients. */
const char *http_server_address(HttpServer *http);
/* Stops accepting connections; requests in flight go on. */
void http_server_quiesce(HttpServer *http);
/* Waits until no request is in flight or timeout_ms passes; true if none is left. */
bool http_server_drain(HttpServer *http, unsigned timeout_ms);
/* Closes remaining connections (their state destroyed), waits for deferred work, frees. */
void http_server_stop(HttpServer *http);
/* Checks a route table without serving it (paddockd --print-routes). */
bool http_routes_check(const HttpRoute *routes, size_t n_routes, GError **errp);

#endif

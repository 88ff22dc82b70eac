/*
 * Replies and errors. Every error body of the server is built by http_error_body() and sent
 * by http_reply_error(); GErrors from the layers below are mapped to an HttpErrorCode by
 * the domain table here, so a handler never chooses a status for a library failure.
 */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "server/http-internal.h"
#include "server/slog.h"
#include "server/sandbox.h"
#include "storage/pool.h"

G_DEFINE_QUARK(http - error - quark, http_error)

static const struct {
    unsigned status;
    const char *name;
} http_errors[HTTP_ERROR_N_CODES] = {
    [HTTP_ERROR_BAD_REQUEST] = {400, "bad_request"},
    [HTTP_ERROR_INVALID_JSON] = {400, "invalid_json"},
    [HTTP_ERROR_INVALID_FIELD] = {400, "invalid_field"},
    [HTTP_ERROR_UNAUTHORIZED] = {401, "unauthorized"},
    [HTTP_ERROR_NOT_FOUND] = {404, "not_found"},
    [HTTP_ERROR_METHOD_NOT_ALLOWED] = {405, "method_not_allowed"},
    [HTTP_ERROR_CONFLICT] = {409, "conflict"},
    [HTTP_ERROR_TOO_LARGE] = {413, "too_large"},
    [HTTP_ERROR_UNSUPPORTED_TYPE] = {415, "unsupported_media_type"},
    [HTTP_ERROR_UNPROCESSABLE] = {422, "unprocessable"},
    [HTTP_ERROR_TOO_MANY] = {429, "too_many_requests"},
    [HTTP_ERROR_INTERNAL] = {500, "internal"},
    [HTTP_ERROR_UNAVAILABLE] = {503, "unavailable"},
};

/* How the errors of the layers below reach HTTP: one row per GError domain. */
static const HttpErrorCode pool_error_map[POOL_ERROR_N_CODES] = {
    [POOL_ERROR_BAD_DIGEST] = HTTP_ERROR_BAD_REQUEST,
    [POOL_ERROR_NOT_FOUND] = HTTP_ERROR_NOT_FOUND,
    [POOL_ERROR_IO] = HTTP_ERROR_INTERNAL,
    [POOL_ERROR_BUSY] = HTTP_ERROR_UNAVAILABLE,
    [POOL_ERROR_VERSION] = HTTP_ERROR_INTERNAL,
};

static const HttpErrorCode sandbox_error_map[SANDBOX_ERROR_N_CODES] = {
    [SANDBOX_ERROR_SETUP] = HTTP_ERROR_INTERNAL,
    [SANDBOX_ERROR_BUSY] = HTTP_ERROR_TOO_MANY,
    [SANDBOX_ERROR_STOPPING] = HTTP_ERROR_UNAVAILABLE,
    [SANDBOX_ERROR_SYSROOT] = HTTP_ERROR_UNPROCESSABLE,
};

static const struct {
    GQuark (*domain)(void);
    const HttpErrorCode *map;
    size_t n;
} http_error_domains[] = {
    {pool_error_quark, pool_error_map, G_N_ELEMENTS(pool_error_map)},
    {sandbox_error_quark, sandbox_error_map, G_N_ELEMENTS(sandbox_error_map)},
};

static HttpErrorCode http_error_code_of(const GError *err)
{
    if (err->domain == HTTP_ERROR && err->code >= 0 && err->code < HTTP_ERROR_N_CODES) {
        return (HttpErrorCode)err->code;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(http_error_domains); i++) {
        if (err->domain == http_error_domains[i].domain() && err->code >= 0 &&
            (size_t)err->code < http_error_domains[i].n) {
            return http_error_domains[i].map[err->code];
        }
    }
    return HTTP_ERROR_INTERNAL;
}

unsigned http_error_status(HttpErrorCode code)
{
    return http_errors[code].status;
}

const char *http_error_name(HttpErrorCode code)
{
    return http_errors[code].name;
}

void http_set_reply(HttpRequest *req, unsigned status, struct MHD_Response *resp)
{
    if (req->reply) {
        MHD_destroy_response(req->reply);
    }
    if (!resp) {
        slog(SLOG_ERROR, "cannot create a response", "{s:s,s:i}", "path", req->path, "status",
             (int)status);
    }
    req->reply = resp;
    req->reply_status = status;
}

void http_reply_json(HttpRequest *req, unsigned status, json_t *body)
{
    if (!body) {
        http_reply_empty(req, status);
        return;
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text) {
        http_set_reply(req, 500, NULL);
        return;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free);
    if (!resp) {
        free(text);
    }
    http_set_reply(req, status, resp);
    http_reply_header(req, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
}

void http_reply_text(HttpRequest *req, unsigned status, const char *content_type, char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, g_free);
    if (!resp) {
        g_free(text);
    }
    http_set_reply(req, status, resp);
    http_reply_header(req, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
}

void http_reply_fd(HttpRequest *req, unsigned status, const char *content_type, int fd,
                   uint64_t size)
{
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
    if (!resp) {
        close(fd);
    }
    http_set_reply(req, status, resp);
    http_reply_header(req, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
}

void http_reply_empty(HttpRequest *req, unsigned status)
{
    http_set_reply(req, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
}

void http_reply_header(HttpRequest *req, const char *name, const char *value)
{
    if (req->reply && MHD_add_response_header(req->reply, name, value) != MHD_YES) {
        slog(SLOG_ERROR, "cannot add a response header", "{s:s}", "header", name);
    }
}

static json_t *http_error_body(HttpErrorCode code, const char *message)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code", http_errors[code].name, "message", message);
}

static void http_reply_error_text(HttpRequest *req, HttpErrorCode code, const char *message)
{
    http_reply_json(req, http_errors[code].status, http_error_body(code, message));
    if (code == HTTP_ERROR_UNAUTHORIZED) {
        http_reply_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"paddock\"");
    }
}

void http_reply_error(HttpRequest *req, HttpErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    http_reply_error_text(req, code, message);
}

void http_reply_gerror(HttpRequest *req, const GError *err)
{
    HttpErrorCode code = http_error_code_of(err);
    if (code == HTTP_ERROR_INTERNAL) {
        slog(SLOG_ERROR, "internal error", "{s:s,s:s,s:s}", "method", req->method, "path",
             req->path, "error", err->message);
    }
    http_reply_error_text(req, code, err->message);
}

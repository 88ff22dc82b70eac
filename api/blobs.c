/*
 * /v1/blobs: content-addressed files in the pool (storage/pool.h).
 *   PUT    /v1/blobs           body streamed to the pool while hashed → 201 (new) or 200
 *                              (already present) {"digest":"sha256:…","size":N}
 *   GET    /v1/blobs/{digest}  the bytes; ETag is the digest
 *   HEAD   /v1/blobs/{digest}  the same headers, no body (how clients test for presence)
 *   DELETE /v1/blobs/{digest}  204
 * Everything that touches the index (and may wait on its lock or on fsync) runs as
 * deferred work, off the listener threads.
 */
#include "api/api.h"
#include "server/server.h"

static bool blob_upload_begin(HttpRequest *req)
{
    g_autoptr(GError) err = NULL;
    PoolUpload *up = pool_upload_begin(http_request_server(req)->pool, &err);
    if (!up) {
        http_reply_gerror(req, err);
        return false;
    }
    http_request_set_state(req, up, (GDestroyNotify)pool_upload_free);
    return true;
}

static bool blob_upload_chunk(HttpRequest *req, const char *data, size_t len)
{
    g_autoptr(GError) err = NULL;
    if (!pool_upload_write(http_request_state(req), data, len, &err)) {
        http_reply_gerror(req, err);
        return false;
    }
    return true;
}

static json_t *blob_json(const PoolBlob *blob)
{
    return json_pack("{s:s,s:I}", "digest", blob->digest, "size", (json_int_t)blob->size);
}

static void blob_commit(HttpRequest *req, void *data)
{
    g_autoptr(GError) err = NULL;
    PoolBlob blob;
    bool created;
    if (!pool_upload_commit(http_request_state(req), &blob, &created, &err)) {
        http_reply_gerror(req, err);
        return;
    }
    g_autofree char *location = g_strdup_printf("/v1/blobs/%s", blob.digest);
    http_reply_json(req, created ? 201 : 200, blob_json(&blob));
    http_reply_header(req, "Location", location);
}

static void blob_put(HttpRequest *req)
{
    http_defer(req, blob_commit, NULL, NULL);
}

/* The {digest} parameter, or NULL after a 400 reply. */
static const char *blob_digest(HttpRequest *req)
{
    const char *digest = http_request_param(req, "digest");
    if (!pool_digest_valid(digest)) {
        http_reply_error(req, HTTP_ERROR_BAD_REQUEST,
                         "'%s' is not a digest (expected sha256: and 64 lowercase hex digits)",
                         digest);
        return NULL;
    }
    return digest;
}

static void blob_read(HttpRequest *req, void *data)
{
    g_autoptr(GError) err = NULL;
    PoolBlob blob;
    int fd = pool_blob_open(http_request_server(req)->pool, data, &blob, &err);
    if (fd < 0) {
        http_reply_gerror(req, err);
        return;
    }
    g_autofree char *etag = g_strdup_printf("\"%s\"", blob.digest);
    http_reply_fd(req, 200, "application/octet-stream", fd, blob.size);
    http_reply_header(req, "ETag", etag);
}

static void blob_get(HttpRequest *req)
{
    const char *digest = blob_digest(req);
    if (digest) {
        http_defer(req, blob_read, (void *)digest, NULL);
    }
}

static void blob_remove(HttpRequest *req, void *data)
{
    g_autoptr(GError) err = NULL;
    Server *s = http_request_server(req);
    if (!pool_blob_delete(s->pool, data, &err)) {
        http_reply_gerror(req, err);
        return;
    }
    api_exec_blob_deleted(s, data);
    http_reply_empty(req, 204);
}

static void blob_delete(HttpRequest *req)
{
    const char *digest = blob_digest(req);
    if (digest) {
        http_defer(req, blob_remove, (void *)digest, NULL);
    }
}

static double blob_count(void *data)
{
    uint64_t count, bytes;
    pool_stats(data, &count, &bytes);
    return (double)count;
}

static double blob_bytes(void *data)
{
    uint64_t count, bytes;
    pool_stats(data, &count, &bytes);
    return (double)bytes;
}

static bool blobs_init(Server *server, GError **errp)
{
    metrics_gauge_fn(server->metrics, "paddock_blobs", "Blobs in the pool", blob_count,
                     server->pool);
    metrics_gauge_fn(server->metrics, "paddock_blob_bytes", "Bytes of the blobs in the pool",
                     blob_bytes, server->pool);
    return true;
}

static const HttpStreamOps blob_upload = {
    .begin = blob_upload_begin,
    .chunk = blob_upload_chunk,
};

static const HttpRoute blob_routes[] = {
    {"PUT", "/v1/blobs", blob_put, .auth = true, .body = HTTP_BODY_STREAM, .stream = &blob_upload},
    {"GET", "/v1/blobs/{digest}", blob_get, .auth = true},
    {"HEAD", "/v1/blobs/{digest}", blob_get, .auth = true},
    {"DELETE", "/v1/blobs/{digest}", blob_delete, .auth = true},
};

const ApiResource api_blobs = {
    .name = "blobs",
    .init = blobs_init,
    .routes = blob_routes,
    .n_routes = G_N_ELEMENTS(blob_routes),
};

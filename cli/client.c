/*
 * The REST client; see client.h. One curl easy handle per client, reused (and so its
 * connection kept alive) across requests; not for use from several threads at once.
 */
#include "cli/client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/curl-lib.h"

G_DEFINE_QUARK(paddock - client - error - quark, client_error)

#define CLIENT_DEFAULT_SERVER "http://127.0.0.1:8470"

struct PaddockClient {
    const CurlLib *lib;
    CURL *curl;
    char *server; /* without a trailing '/' */
    char *auth;   /* "Authorization: Bearer …" */
};

typedef struct ClientConf {
    char *server;
    char *token_file;
} ClientConf;

/* ---- configuration ---- */

/* ~/.config/paddock/client.conf, when it exists. */
static bool client_read_conf(ClientConf *conf, GError **errp)
{
    g_autofree char *path =
        g_build_filename(g_get_user_config_dir(), "paddock", "client.conf", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            return true;
        }
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_CONFIG, "%s: %s", path, err->message);
        return false;
    }
    conf->server = g_key_file_get_string(kf, "client", "server", NULL);
    conf->token_file = g_key_file_get_string(kf, "client", "token-file", NULL);
    return true;
}

static char *client_read_token(const char *path, GError **errp)
{
    g_autoptr(GError) err = NULL;
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_CONFIG,
                    "cannot read the token: %s (give --token-file or set PADDOCK_TOKEN)",
                    err->message);
        return NULL;
    }
    return g_strstrip(text);
}

/* The token, by the precedence in client.h (g_free). */
static char *client_token(const char *flag, const ClientConf *conf, GError **errp)
{
    const char *env = g_getenv("PADDOCK_TOKEN");
    if (flag) {
        return client_read_token(flag, errp);
    }
    if (env && *env) {
        return g_strdup(env);
    }
    if (conf->token_file) {
        return client_read_token(conf->token_file, errp);
    }
    g_autofree char *def = g_build_filename(g_get_user_config_dir(), "paddock", "token", NULL);
    return client_read_token(def, errp);
}

static char *client_server_url(const char *flag, const ClientConf *conf)
{
    const char *env = g_getenv("PADDOCK_SERVER");
    const char *url = flag           ? flag
                      : env && *env  ? env
                      : conf->server ? conf->server
                                     : CLIENT_DEFAULT_SERVER;
    char *copy = g_strdup(url);
    size_t n = strlen(copy);
    while (n && copy[n - 1] == '/') {
        copy[--n] = '\0';
    }
    return copy;
}

/* An easy handle, with libcurl set up for it; NULL with an error. */
static CURL *client_curl_new(const CurlLib *lib, GError **errp)
{
    CURLcode rc = lib->global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = rc == CURLE_OK ? lib->easy_init() : NULL;
    if (!curl && rc == CURLE_OK) {
        lib->global_cleanup();
    }
    if (!curl) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_TRANSPORT, "cannot set up libcurl: %s",
                    lib->easy_strerror(rc == CURLE_OK ? CURLE_FAILED_INIT : rc));
    }
    return curl;
}

PaddockClient *client_new(const char *server, const char *token_file, GError **errp)
{
    ClientConf conf = {0};
    g_autofree char *token = NULL;
    g_autoptr(GError) err = NULL;
    PaddockClient *c = NULL;
    const CurlLib *lib = NULL;
    CURL *curl = NULL;
    if (client_read_conf(&conf, errp) && (token = client_token(token_file, &conf, errp))) {
        lib = curl_lib(&err);
        if (!lib) {
            g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_TRANSPORT, "%s", err->message);
        }
    }
    if (lib && (curl = client_curl_new(lib, errp))) {
        c = g_new0(PaddockClient, 1);
        c->lib = lib;
        c->curl = curl;
        c->server = client_server_url(server, &conf);
        c->auth = g_strdup_printf("Authorization: Bearer %s", token);
    }
    g_free(conf.server);
    g_free(conf.token_file);
    return c;
}

void client_free(PaddockClient *c)
{
    if (!c) {
        return;
    }
    c->lib->easy_cleanup(c->curl);
    c->lib->global_cleanup();
    g_free(c->server);
    g_free(c->auth);
    g_free(c);
}

/* ---- requests ---- */

/* Replies larger than this are refused: no API answer comes near it. */
enum { CLIENT_MAX_REPLY = 256 * 1024 * 1024 };

static size_t client_take_reply(char *data, size_t size, size_t n, void *user)
{
    GByteArray *reply = user;
    if (reply->len + size * n > CLIENT_MAX_REPLY) {
        return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
    }
    g_byte_array_append(reply, (const guint8 *)data, (guint)(size * n));
    return size * n;
}

/* The error a non-2xx reply carries, in the server's words when it sent them (a HEAD
 * reply has no body). */
static void client_http_error(long status, const GByteArray *reply, GError **errp)
{
    json_t *doc = json_loadb((const char *)reply->data, reply->len, 0, NULL);
    const char *code = NULL, *message = NULL;
    if (!json_unpack(doc, "{s:{s:s,s:s}}", "error", "code", &code, "message", &message)) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_HTTP, "%s (HTTP %ld, %s)", message, status,
                    code);
    } else {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_HTTP, "the server answered HTTP %ld%s", status,
                    status == 401 ? ": it refused the token (see --token-file, PADDOCK_TOKEN)"
                                  : "");
    }
    json_decref(doc);
}

/* The common options of a request: URL, method, token, where the reply goes. */
static CURLcode client_setup(PaddockClient *c, const char *method, const char *path,
                             struct curl_slist *headers, GByteArray *reply)
{
    g_autofree char *url = g_strconcat(c->server, path, NULL);
    c->lib->easy_reset(c->curl);
    CURLcode rc = c->lib->easy_setopt(c->curl, CURLOPT_URL, url);
    rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, client_take_reply);
    rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_WRITEDATA, reply);
    rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    if (!strcmp(method, "HEAD")) {
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET")) {
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    }
    return rc;
}

/* Runs the request set up on c->curl; *status is the HTTP status. */
static bool client_perform(PaddockClient *c, const char *method, const char *path, CURLcode rc,
                           long *status, GError **errp)
{
    rc = rc ? rc : c->lib->easy_perform(c->curl);
    rc = rc ? rc : c->lib->easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    if (rc) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_TRANSPORT, "%s %s%s: %s", method, c->server,
                    path, c->lib->easy_strerror(rc));
        return false;
    }
    return true;
}

static struct curl_slist *client_headers(PaddockClient *c, const char *extra)
{
    struct curl_slist *h = c->lib->slist_append(NULL, c->auth);
    struct curl_slist *more = h && extra ? c->lib->slist_append(h, extra) : h;
    if (!more) {
        c->lib->slist_free_all(h);
    }
    return more;
}

static bool client_no_memory(GError **errp)
{
    g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_TRANSPORT, "curl_slist_append failed");
    return false;
}

/* Parses a 2xx reply's JSON into *reply (NULL when the reply is empty). */
static bool client_parse_reply(const GByteArray *data, json_t **reply, GError **errp)
{
    json_error_t jerr;
    *reply = NULL;
    if (data->len == 0) {
        return true;
    }
    *reply = json_loadb((const char *)data->data, data->len, 0, &jerr);
    if (!*reply) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_PROTOCOL, "the server's reply: %s", jerr.text);
    }
    return *reply != NULL;
}

bool client_request_json(PaddockClient *c, const char *method, const char *path, json_t *body,
                         json_t **reply, GError **errp)
{
    g_autofree char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct curl_slist *headers = client_headers(c, body ? "Content-Type: application/json" : NULL);
    if (!headers) {
        return client_no_memory(errp);
    }
    g_autoptr(GByteArray) data = g_byte_array_new();
    CURLcode rc = client_setup(c, method, path, headers, data);
    if (text) {
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_POSTFIELDS, text);
        rc = rc ? rc
                : c->lib->easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
    }
    long status = 0;
    bool ok = client_perform(c, method, path, rc, &status, errp);
    c->lib->slist_free_all(headers);
    if (ok && (status < 200 || status > 299)) {
        client_http_error(status, data, errp);
        return false;
    }
    json_t *doc = NULL;
    ok = ok && client_parse_reply(data, &doc, errp);
    if (reply) {
        *reply = doc;
    } else {
        json_decref(doc);
    }
    return ok;
}

/* ---- blobs ---- */

char *client_file_digest(const char *path, GError **errp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    guchar buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        g_checksum_update(sum, buf, (gssize)n);
    }
    bool failed = ferror(f);
    if (fclose(f) || failed) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: read error", path);
        return NULL;
    }
    return g_strconcat("sha256:", g_checksum_get_string(sum), NULL);
}

bool client_blob_exists(PaddockClient *c, const char *digest, bool *exists, GError **errp)
{
    g_autofree char *path = g_strconcat("/v1/blobs/", digest, NULL);
    struct curl_slist *headers = client_headers(c, NULL);
    if (!headers) {
        return client_no_memory(errp);
    }
    g_autoptr(GByteArray) data = g_byte_array_new();
    long status = 0;
    bool ok = client_perform(c, "HEAD", path, client_setup(c, "HEAD", path, headers, data), &status,
                             errp);
    c->lib->slist_free_all(headers);
    if (ok && status != 200 && status != 404) {
        client_http_error(status, data, errp);
        return false;
    }
    *exists = status == 200;
    return ok;
}

/* PUT /v1/blobs with the file's bytes; the reply's digest must be expected. */
static bool client_blob_upload(PaddockClient *c, const char *file, const char *expected,
                               GError **errp)
{
    FILE *f = fopen(file, "rb");
    struct curl_slist *headers = client_headers(c, "Content-Type: application/octet-stream");
    struct stat sb;
    bool ok = f && headers && !fstat(fileno(f), &sb);
    if (!ok) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_TRANSPORT, "%s: %s", file,
                    headers ? g_strerror(errno) : "curl_slist_append failed");
    }
    g_autoptr(GByteArray) data = g_byte_array_new();
    json_t *reply = NULL;
    long status = 0;
    if (ok) {
        CURLcode rc = client_setup(c, "PUT", "/v1/blobs", headers, data);
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_UPLOAD, 1L);
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_READDATA, f);
        rc = rc ? rc : c->lib->easy_setopt(c->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sb.st_size);
        ok = client_perform(c, "PUT", "/v1/blobs", rc, &status, errp);
    }
    if (ok && status != 200 && status != 201) {
        client_http_error(status, data, errp);
        ok = false;
    }
    const char *digest = NULL;
    ok = ok && client_parse_reply(data, &reply, errp);
    if (ok && (json_unpack(reply, "{s:s}", "digest", &digest) || strcmp(digest, expected))) {
        g_set_error(errp, CLIENT_ERROR, CLIENT_ERROR_PROTOCOL,
                    "%s: the server stored %s, not %s (did the file change meanwhile?)", file,
                    digest ? digest : "something else", expected);
        ok = false;
    }
    json_decref(reply);
    c->lib->slist_free_all(headers);
    if (f) {
        (void)fclose(f); /* read-only: nothing to lose */
    }
    return ok;
}

char *client_blob_push(PaddockClient *c, const char *path, bool *uploaded, GError **errp)
{
    g_autofree char *digest = client_file_digest(path, errp);
    bool exists = false;
    if (!digest || !client_blob_exists(c, digest, &exists, errp)) {
        return NULL;
    }
    if (!exists && !client_blob_upload(c, path, digest, errp)) {
        return NULL;
    }
    if (uploaded) {
        *uploaded = !exists;
    }
    return g_steal_pointer(&digest);
}

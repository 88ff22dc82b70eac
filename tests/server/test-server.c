/*
 * paddockd end to end: a real server on a loopback port, driven with libcurl. Most cases
 * share one server (--max-upload 1M, so the limit is cheap to cross); the ones about
 * start, stop and the pool's state on disk run their own. Every bad request is followed
 * by a health check: nothing a client sends may stop the server answering.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "tests/server/server-harness.h"

static TestServer srv;

enum { MAX_UPLOAD = 1024 * 1024 };

/* PUT data; asserts the status and the digest, returns the digest (g_free). */
static char *put_blob(TestServer *ts, const void *data, size_t len, long status)
{
    g_autoptr(TestReply) r = ts_request(ts, "PUT", "/v1/blobs", "", data, len);
    g_autofree char *want = ts_digest(data, len);
    const char *digest = NULL;
    json_int_t size = -1;
    g_assert_cmpint(r->status, ==, status);
    g_assert_cmpint(json_unpack(r->json, "{s:s,s:I}", "digest", &digest, "size", &size), ==, 0);
    g_assert_cmpstr(digest, ==, want);
    g_assert_cmpint(size, ==, (json_int_t)len);
    return g_steal_pointer(&want);
}

static char *blob_path(const char *digest)
{
    return g_strconcat("/v1/blobs/", digest, NULL);
}

static void test_health(void)
{
    g_autoptr(TestReply) r = ts_request(&srv, "GET", "/v1/health", NULL, NULL, 0);
    const char *status = NULL;
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpint(json_unpack(r->json, "{s:s}", "status", &status), ==, 0);
    g_assert_cmpstr(status, ==, "ok");
}

static void test_auth(void)
{
    const char *path =
        "/v1/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000";
    g_autoptr(TestReply) none = ts_request(&srv, "GET", path, NULL, NULL, 0);
    ts_assert_error(none, 401, "unauthorized");
    g_assert_true(
        g_str_has_prefix(g_hash_table_lookup(none->headers, "www-authenticate"), "Bearer"));
    g_autoptr(TestReply) wrong = ts_request(&srv, "GET", path, "not-the-token", NULL, 0);
    ts_assert_error(wrong, 401, "unauthorized");
    g_autofree char *prefix = g_strndup(srv.token, strlen(srv.token) - 1);
    g_autoptr(TestReply) shorter = ts_request(&srv, "GET", path, prefix, NULL, 0);
    ts_assert_error(shorter, 401, "unauthorized");
    const char *const basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    g_autoptr(TestReply) other = ts_request_full(&srv, "GET", path, NULL, NULL, 0, basic);
    ts_assert_error(other, 401, "unauthorized");
    g_autoptr(TestReply) metrics = ts_request(&srv, "GET", "/metrics", NULL, NULL, 0);
    ts_assert_error(metrics, 401, "unauthorized");
    g_autoptr(TestReply) put = ts_request(&srv, "PUT", "/v1/blobs", NULL, "abc", 3);
    ts_assert_error(put, 401, "unauthorized");
    g_autoptr(TestReply) right = ts_request(&srv, "GET", path, "", NULL, 0);
    ts_assert_error(right, 404, "not_found");
    ts_assert_healthy(&srv);
}

static void test_blob_roundtrip(void)
{
    const size_t len = 300 * 1000 + 7;
    g_autofree guint8 *data = ts_random_bytes(1, len);
    g_autofree char *digest = put_blob(&srv, data, len, 201);
    g_autofree char *path = blob_path(digest);
    g_autofree char *etag = g_strdup_printf("\"%s\"", digest);
    g_autofree char *size = g_strdup_printf("%zu", len);

    g_autoptr(TestReply) get = ts_request(&srv, "GET", path, "", NULL, 0);
    g_assert_cmpint(get->status, ==, 200);
    g_assert_cmpmem(get->body->data, get->body->len, data, len);
    g_assert_cmpstr(g_hash_table_lookup(get->headers, "etag"), ==, etag);
    g_assert_cmpstr(g_hash_table_lookup(get->headers, "content-length"), ==, size);

    g_autoptr(TestReply) head = ts_request(&srv, "HEAD", path, "", NULL, 0);
    g_assert_cmpint(head->status, ==, 200);
    g_assert_cmpuint(head->body->len, ==, 0);
    g_assert_cmpstr(g_hash_table_lookup(head->headers, "content-length"), ==, size);

    g_autoptr(TestReply) del = ts_request(&srv, "DELETE", path, "", NULL, 0);
    g_assert_cmpint(del->status, ==, 204);
    g_autoptr(TestReply) gone = ts_request(&srv, "GET", path, "", NULL, 0);
    ts_assert_error(gone, 404, "not_found");
    g_autoptr(TestReply) head_gone = ts_request(&srv, "HEAD", path, "", NULL, 0);
    g_assert_cmpint(head_gone->status, ==, 404);
    g_autoptr(TestReply) del_gone = ts_request(&srv, "DELETE", path, "", NULL, 0);
    ts_assert_error(del_gone, 404, "not_found");
}

static void test_blob_empty(void)
{
    g_autofree char *digest = put_blob(&srv, "", 0, 201);
    g_autofree char *path = blob_path(digest);
    g_autoptr(TestReply) get = ts_request(&srv, "GET", path, "", NULL, 0);
    g_assert_cmpint(get->status, ==, 200);
    g_assert_cmpuint(get->body->len, ==, 0);
}

/* A metric's value in a /metrics text, or -1 when the sample is not there. */
static double metric_value(const char *text, const char *sample)
{
    g_autofree char *needle = g_strconcat("\n", sample, " ", NULL);
    const char *at = strstr(text, needle);
    return at ? g_ascii_strtod(at + strlen(needle), NULL) : -1;
}

static char *get_metrics(TestServer *ts)
{
    g_autoptr(TestReply) r = ts_request(ts, "GET", "/metrics", "", NULL, 0);
    g_assert_cmpint(r->status, ==, 200);
    g_assert_true(g_str_has_prefix(g_hash_table_lookup(r->headers, "content-type"), "text/plain"));
    return g_strndup((const char *)r->body->data, r->body->len);
}

/* Requests are counted when their reply has been sent, which the client may see first:
 * polls until sample reaches at least want (failing after 5 s); returns the metrics. */
static char *wait_metric(TestServer *ts, const char *sample, double want)
{
    char *m = NULL;
    for (int i = 0; i < 500; i++) {
        g_free(m);
        m = get_metrics(ts);
        if (metric_value(m, sample) >= want) {
            break;
        }
        g_usleep(10000);
    }
    g_assert_cmpfloat(metric_value(m, sample), >=, want);
    return m;
}

static void test_blob_dedupe(void)
{
    g_autofree guint8 *data = ts_random_bytes(2, 5000);
    g_autofree char *m0 = get_metrics(&srv);
    g_autofree char *first = put_blob(&srv, data, 5000, 201);
    g_autofree char *second = put_blob(&srv, data, 5000, 200);
    g_autofree char *m1 = get_metrics(&srv);
    g_assert_cmpfloat(metric_value(m1, "paddock_blobs"), ==, metric_value(m0, "paddock_blobs") + 1);
    g_assert_cmpfloat(metric_value(m1, "paddock_blob_bytes"), ==,
                      metric_value(m0, "paddock_blob_bytes") + 5000);
}

static void test_blob_bad_digest(void)
{
    static const char *const bad[] = {
        "sha256:abc",
        "sha256:ABCDEF0000000000000000000000000000000000000000000000000000000000",
        "md5:00000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "sha256:000000000000000000000000000000000000000000000000000000000000000g",
        "sha256:00000000000000000000000000000000000000000000000000000000000000000",
        "sha256:..",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *path = blob_path(bad[i]);
        g_autoptr(TestReply) get = ts_request(&srv, "GET", path, "", NULL, 0);
        ts_assert_error(get, 400, "bad_request");
        g_autoptr(TestReply) del = ts_request(&srv, "DELETE", path, "", NULL, 0);
        ts_assert_error(del, 400, "bad_request");
    }
    ts_assert_healthy(&srv);
}

static void test_unknown_route(void)
{
    static const char *const paths[] = {
        "/",          "/v1",        "/v1/blobs/",
        "/v2/health", "/v1/nope",   "/v1/blobs/a/b",
        "/v1//blobs", "/metrics/x", "/v1/blobs/sha256:..%2F..%2Findex.sqlite"};
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
        g_autoptr(TestReply) r = ts_request(&srv, "GET", paths[i], "", NULL, 0);
        ts_assert_error(r, 404, "not_found");
    }
    ts_assert_healthy(&srv);
}

static void test_wrong_method(void)
{
    g_autoptr(TestReply) post = ts_request(&srv, "POST", "/v1/health", NULL, "{}", 2);
    ts_assert_error(post, 405, "method_not_allowed");
    g_assert_cmpstr(g_hash_table_lookup(post->headers, "allow"), ==, "GET");
    const char *path =
        "/v1/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000";
    g_autoptr(TestReply) patch = ts_request(&srv, "PATCH", path, "", "x", 1);
    ts_assert_error(patch, 405, "method_not_allowed");
    g_assert_cmpstr(g_hash_table_lookup(patch->headers, "allow"), ==, "GET, HEAD, DELETE");
    g_autoptr(TestReply) get = ts_request(&srv, "GET", "/v1/blobs", "", NULL, 0);
    ts_assert_error(get, 405, "method_not_allowed");
    g_assert_cmpstr(g_hash_table_lookup(get->headers, "allow"), ==, "PUT");
    ts_assert_healthy(&srv);
}

static void test_too_large(void)
{
    g_autofree guint8 *data = ts_random_bytes(3, MAX_UPLOAD + 1);
    g_autoptr(TestReply) over = ts_request(&srv, "PUT", "/v1/blobs", "", data, MAX_UPLOAD + 1);
    ts_assert_error(over, 413, "too_large");
    ts_assert_healthy(&srv);
    /* Chunked: the limit is only found while reading. */
    const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
    g_autoptr(TestReply) chunk =
        ts_request_full(&srv, "PUT", "/v1/blobs", "", data, MAX_UPLOAD + 1, chunked);
    ts_assert_error(chunk, 413, "too_large");
    ts_assert_healthy(&srv);
    g_free(put_blob(&srv, data, MAX_UPLOAD, 201));
    g_autofree char *tmp = g_build_filename(srv.pool, "tmp", NULL);
    GDir *dir = g_dir_open(tmp, 0, NULL);
    g_assert_nonnull(dir);
    g_assert_null(g_dir_read_name(dir));
    g_dir_close(dir);
}

static void test_body_not_taken(void)
{
    g_autoptr(TestReply) r = ts_request(&srv, "GET", "/v1/health", NULL, "hello", 5);
    ts_assert_error(r, 400, "bad_request");
    ts_assert_healthy(&srv);
}

static void test_metrics(void)
{
    g_autoptr(TestReply) h = ts_request(&srv, "GET", "/v1/health", NULL, NULL, 0);
    g_autoptr(TestReply) nope = ts_request(&srv, "GET", "/nope", NULL, NULL, 0);
    const char *unmatched =
        "paddock_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    g_autofree char *m = wait_metric(&srv, unmatched, 1);
    g_assert_cmpfloat(
        metric_value(
            m, "paddock_http_requests_total{method=\"GET\",route=\"/v1/health\",status=\"200\"}"),
        >=, 1);
    g_assert_cmpfloat(metric_value(m, "paddock_http_requests_in_flight"), >=, 1);
    g_assert_nonnull(strstr(m, "# TYPE paddock_http_request_duration_seconds histogram\n"));
    g_assert_nonnull(strstr(
        m, "paddock_http_request_duration_seconds_bucket{route=\"/v1/health\",le=\"+Inf\"}"));
}

/* ---- concurrency ---- */

enum { N_CONCURRENT = 50 };

typedef struct Upload {
    guint8 *data;
    size_t len;
    char *digest;
    long status;
} Upload;

static gpointer upload_thread(gpointer p)
{
    Upload *u = p;
    g_autoptr(TestReply) r = ts_request(&srv, "PUT", "/v1/blobs", "", u->data, u->len);
    const char *digest = NULL;
    u->status = r->status;
    if (r->json && !json_unpack(r->json, "{s:s}", "digest", &digest)) {
        u->digest = g_strdup(digest);
    }
    return NULL;
}

static void test_concurrent_uploads(void)
{
    Upload up[N_CONCURRENT];
    GThread *threads[N_CONCURRENT];
    for (int i = 0; i < N_CONCURRENT; i++) {
        up[i] = (Upload){.len = 20000 + (size_t)i * 997};
        up[i].data = ts_random_bytes(1000 + i, up[i].len);
        threads[i] = g_thread_new("upload", upload_thread, &up[i]);
    }
    for (int i = 0; i < N_CONCURRENT; i++) {
        g_thread_join(threads[i]);
    }
    for (int i = 0; i < N_CONCURRENT; i++) {
        g_autofree char *want = ts_digest(up[i].data, up[i].len);
        g_assert_cmpint(up[i].status, ==, 201);
        g_assert_cmpstr(up[i].digest, ==, want);
        g_autofree char *path = blob_path(want);
        g_autoptr(TestReply) get = ts_request(&srv, "GET", path, "", NULL, 0);
        g_assert_cmpint(get->status, ==, 200);
        g_assert_cmpmem(get->body->data, get->body->len, up[i].data, up[i].len);
        g_free(up[i].data);
        g_free(up[i].digest);
    }
}

/* ---- start, stop, restart ---- */

static void assert_clean_exit(int status)
{
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void test_restart_keeps_blobs(void)
{
    TestServer ts;
    ts_init(&ts);
    ts_start(&ts, NULL);
    g_autofree guint8 *data = ts_random_bytes(4, 70000);
    g_autofree char *digest = put_blob(&ts, data, 70000, 201);
    assert_clean_exit(ts_stop(&ts));
    g_autofree char *log = ts_log(&ts);
    g_assert_nonnull(strstr(log, "\"msg\":\"stopped\""));

    ts_start(&ts, NULL);
    g_autofree char *path = blob_path(digest);
    g_autoptr(TestReply) get = ts_request(&ts, "GET", path, "", NULL, 0);
    g_assert_cmpint(get->status, ==, 200);
    g_assert_cmpmem(get->body->data, get->body->len, data, 70000);
    g_free(put_blob(&ts, data, 70000, 200));
    assert_clean_exit(ts_stop(&ts));
    ts_cleanup(&ts);
}

/* Without a token file, the first start writes one (0600) and says where, once. */
static void test_first_start_token(void)
{
    TestServer ts;
    ts_init(&ts);
    g_autofree char *token_file =
        g_build_filename(ts.dir, "home", ".config", "paddock", "token", NULL);
    g_autofree char *conf =
        g_strdup_printf("[paddockd]\nlisten = 127.0.0.1:0\npool = %s\n", ts.pool);
    g_assert_true(g_file_set_contents(ts.config, conf, -1, NULL));
    ts_start(&ts, NULL);
    struct stat sb;
    g_assert_cmpint(stat(token_file, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
    g_autofree char *token = NULL;
    g_assert_true(g_file_get_contents(token_file, &token, NULL, NULL));
    g_strstrip(token);
    g_assert_cmpuint(strlen(token), ==, 64);
    g_autoptr(TestReply) ok = ts_request(&ts, "GET", "/metrics", token, NULL, 0);
    g_assert_cmpint(ok->status, ==, 200);
    assert_clean_exit(ts_stop(&ts));
    ts_start(&ts, NULL);
    assert_clean_exit(ts_stop(&ts));
    g_autofree char *log = ts_log(&ts);
    g_autofree char *said = g_strdup_printf("\"token_file\":\"%s\"", token_file);
    const char *first = strstr(log, said);
    g_assert_nonnull(first);
    g_assert_null(strstr(first + 1, said));
    ts_cleanup(&ts);
}

/* paddockd args → exits 1 at start-up, saying msg. */
static void assert_start_fails(TestServer *ts, const char *const *args, const char *msg)
{
    int status = ts_run(ts, args, NULL);
    g_autofree char *log = ts_log(ts);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 0);
    if (!strstr(log, msg)) {
        g_error("expected '%s' in the log:\n%s", msg, log);
    }
}

static void test_bad_config(void)
{
    TestServer ts;
    ts_init(&ts);
    g_assert_true(g_file_set_contents(ts.config, "[paddockd]\nlisten = 127.0.0.1:0\ncolour = red\n",
                                      -1, NULL));
    const char *const unknown[] = {"--config", ts.config, NULL};
    assert_start_fails(&ts, unknown, "unknown key 'colour'");
    const char *const missing[] = {"--config", "/nonexistent/paddockd.conf", NULL};
    assert_start_fails(&ts, missing, "/nonexistent/paddockd.conf");
    const char *const listen[] = {"--listen",     "127.0.0.1",   "--pool", ts.pool,
                                  "--token-file", ts.token_file, NULL};
    assert_start_fails(&ts, listen, "expected HOST:PORT");
    const char *const size[] = {"--max-upload", "lots", "--pool", ts.pool, NULL};
    assert_start_fails(&ts, size, "max-upload: bad value 'lots'");
    g_assert_cmpint(chmod(ts.token_file, 0644), ==, 0);
    const char *const token[] = {"--listen",     "127.0.0.1:0", "--pool", ts.pool,
                                 "--token-file", ts.token_file, NULL};
    assert_start_fails(&ts, token, "readable by others");
    g_assert_cmpint(chmod(ts.token_file, 0600), ==, 0);
    ts_cleanup(&ts);
}

/* A second paddockd on the same pool is refused. */
static void test_pool_busy(void)
{
    const char *const args[] = {"--listen",     "127.0.0.1:0",  "--pool", srv.pool,
                                "--token-file", srv.token_file, NULL};
    assert_start_fails(&srv, args, "in use by another process");
    ts_assert_healthy(&srv);
}

/* ---- the pool on disk ---- */

static char *blob_file(TestServer *ts, const char *digest)
{
    return g_strdup_printf("%s/blobs/sha256/%.2s/%s", ts->pool, digest + 7, digest + 7);
}

/* What a crash can leave: a half-written upload, a renamed file whose row never
 * committed, a row whose file is gone. The next start removes all three. */
static void test_pool_reconcile(void)
{
    TestServer ts;
    ts_init(&ts);
    ts_start(&ts, NULL);
    g_autofree char *kept = put_blob(&ts, "kept", 4, 201);
    g_autofree char *lost = put_blob(&ts, "lost", 4, 201);
    assert_clean_exit(ts_stop(&ts));

    g_autofree char *stale = g_build_filename(ts.pool, "tmp", "upload-crashed", NULL);
    g_assert_true(g_file_set_contents(stale, "half", -1, NULL));
    g_autofree char *orphan_digest = ts_digest("orphan", 6);
    g_autofree char *orphan = blob_file(&ts, orphan_digest);
    g_autofree char *orphan_dir = g_path_get_dirname(orphan);
    g_assert_cmpint(g_mkdir_with_parents(orphan_dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(orphan, "orphan", -1, NULL));
    g_autofree char *lost_file = blob_file(&ts, lost);
    g_assert_cmpint(unlink(lost_file), ==, 0);

    ts_start(&ts, NULL);
    g_autofree char *log = ts_log(&ts);
    g_assert_nonnull(strstr(log, "\"temp_removed\":1,\"rows_dropped\":1,\"orphans_removed\":1"));
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(orphan, G_FILE_TEST_EXISTS));
    g_autofree char *kept_path = blob_path(kept);
    g_autofree char *lost_path = blob_path(lost);
    g_autofree char *orphan_path = blob_path(orphan_digest);
    g_autoptr(TestReply) k = ts_request(&ts, "GET", kept_path, "", NULL, 0);
    g_assert_cmpint(k->status, ==, 200);
    g_autoptr(TestReply) l = ts_request(&ts, "GET", lost_path, "", NULL, 0);
    ts_assert_error(l, 404, "not_found");
    g_autoptr(TestReply) o = ts_request(&ts, "HEAD", orphan_path, "", NULL, 0);
    g_assert_cmpint(o->status, ==, 404);
    g_free(put_blob(&ts, "lost", 4, 201));
    ts_cleanup(&ts);
}

/* A TCP connection to ts's listener. */
static int connect_to(TestServer *ts)
{
    const char *port = strrchr(ts->url, ':') + 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* SIGTERM during an upload that never finishes: the server waits out its shutdown
 * timeout, closes the connection, removes the partial upload and exits 0. */
static void test_stop_with_request_in_flight(void)
{
    TestServer ts;
    ts_init(&ts);
    const char *const args[] = {"--shutdown-timeout", "1", NULL};
    ts_start(&ts, args);
    int fd = connect_to(&ts);
    g_autofree char *head = g_strdup_printf("PUT /v1/blobs HTTP/1.1\r\nHost: x\r\n"
                                            "Authorization: Bearer %s\r\n"
                                            "Content-Length: 1000000\r\n\r\npartial",
                                            ts.token);
    g_assert_cmpint(write(fd, head, strlen(head)), ==, (ssize_t)strlen(head));
    g_autofree char *tmp = g_build_filename(ts.pool, "tmp", NULL);
    for (int i = 0; i < 500; i++) {
        GDir *dir = g_dir_open(tmp, 0, NULL);
        bool started = dir && g_dir_read_name(dir);
        g_dir_close(dir);
        if (started) {
            break;
        }
        g_usleep(10000);
    }
    gint64 t0 = g_get_monotonic_time();
    assert_clean_exit(ts_stop(&ts));
    gint64 took_ms = (g_get_monotonic_time() - t0) / 1000;
    g_assert_cmpint(took_ms, >=, 900);
    g_assert_cmpint(took_ms, <, 10000);
    GDir *dir = g_dir_open(tmp, 0, NULL);
    g_assert_nonnull(dir);
    g_assert_null(g_dir_read_name(dir));
    g_dir_close(dir);
    g_autofree char *log = ts_log(&ts);
    g_assert_nonnull(strstr(log, "requests still running at the shutdown timeout"));
    g_assert_cmpint(close(fd), ==, 0);
    ts_cleanup(&ts);
}

/* ---- the client ---- */

static int run_paddock(const char *const *argv, char **out)
{
    g_autoptr(GError) err = NULL;
    int status = -1;
    g_autofree char *server_env = g_strdup_printf("PADDOCK_SERVER=%s", srv.url);
    g_autofree char *token_env = g_strdup_printf("PADDOCK_TOKEN=%s", srv.token);
    g_autofree char *home_env = g_strdup_printf("HOME=%s/home", srv.dir);
    g_autofree char *cfg_env = g_strdup_printf("XDG_CONFIG_HOME=%s/home/.config", srv.dir);
    char *envp[] = {server_env, token_env, home_env, cfg_env, NULL};
    g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
                               &status, &err));
    return status;
}

/* `paddock blob push` uploads once; pushing the same file again only asks (HEAD). */
static void test_cli_blob_push(void)
{
    g_autofree char *file = g_build_filename(srv.dir, "cli-blob", NULL);
    g_autofree guint8 *data = ts_random_bytes(5, 12345);
    g_assert_true(g_file_set_contents(file, (const char *)data, 12345, NULL));
    g_autofree char *want = ts_digest(data, 12345);
    const char *argv[] = {g_getenv("PADDOCK"), "blob", "push", file, NULL};
    const char *put_sample =
        "paddock_http_requests_total{method=\"PUT\",route=\"/v1/blobs\",status=\"201\"}";
    const char *found =
        "paddock_http_requests_total{method=\"HEAD\",route=\"/v1/blobs/{digest}\",status=\"200\"}";
    g_autofree char *m0 = get_metrics(&srv);
    double put0 = metric_value(m0, put_sample), found0 = MAX(metric_value(m0, found), 0);

    for (int round = 0; round < 2; round++) {
        g_autofree char *out = NULL;
        int status = run_paddock(argv, &out);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_cmpstr(g_strstrip(out), ==, want);
    }
    /* The second round's HEAD found the blob, and no second PUT was sent. */
    g_autofree char *m = wait_metric(&srv, found, found0 + 1);
    g_assert_cmpfloat(metric_value(m, put_sample), ==, put0 + 1);
    g_autofree char *path = blob_path(want);
    g_autoptr(TestReply) get = ts_request(&srv, "GET", path, "", NULL, 0);
    g_assert_cmpmem(get->body->data, get->body->len, data, 12345);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(curl_global_init(CURL_GLOBAL_DEFAULT), ==, CURLE_OK);
    ts_init(&srv);
    const char *const args[] = {"--max-upload", "1M", NULL};
    ts_start(&srv, args);

    g_test_add_func("/server/health", test_health);
    g_test_add_func("/server/auth", test_auth);
    g_test_add_func("/server/blob/roundtrip", test_blob_roundtrip);
    g_test_add_func("/server/blob/empty", test_blob_empty);
    g_test_add_func("/server/blob/dedupe", test_blob_dedupe);
    g_test_add_func("/server/blob/bad-digest", test_blob_bad_digest);
    g_test_add_func("/server/blob/too-large", test_too_large);
    g_test_add_func("/server/blob/concurrent", test_concurrent_uploads);
    g_test_add_func("/server/routes/unknown", test_unknown_route);
    g_test_add_func("/server/routes/wrong-method", test_wrong_method);
    g_test_add_func("/server/routes/body-not-taken", test_body_not_taken);
    g_test_add_func("/server/metrics", test_metrics);
    g_test_add_func("/server/cli/blob-push", test_cli_blob_push);
    g_test_add_func("/server/daemon/restart-keeps-blobs", test_restart_keeps_blobs);
    g_test_add_func("/server/daemon/first-start-token", test_first_start_token);
    g_test_add_func("/server/daemon/bad-config", test_bad_config);
    g_test_add_func("/server/daemon/stop-in-flight", test_stop_with_request_in_flight);
    g_test_add_func("/server/pool/busy", test_pool_busy);
    g_test_add_func("/server/pool/reconcile", test_pool_reconcile);

    int rc = g_test_run();
    int status = ts_stop(&srv);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_autofree char *log = ts_log(&srv);
        g_printerr("the shared paddockd did not exit cleanly (status %d):\n%s", status, log);
        rc = 1;
    }
    ts_cleanup(&srv);
    curl_global_cleanup();
    return rc;
}

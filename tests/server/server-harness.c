/* A paddockd child and a libcurl client for the server tests; see server-harness.h. */
#define _GNU_SOURCE /* pipe2 */
#include "tests/server/server-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

enum { TS_START_TIMEOUT_MS = 20000, TS_STOP_TIMEOUT_MS = 20000 };

static const char *ts_paddockd(void)
{
    const char *p = g_getenv("PADDOCKD");
    g_assert_nonnull(p);
    return p;
}

void ts_init(TestServer *ts)
{
    GError *err = NULL;
    memset(ts, 0, sizeof(*ts));
    ts->dir = g_dir_make_tmp("paddockd-test-XXXXXX", &err);
    g_assert_no_error(err);
    ts->pool = g_build_filename(ts->dir, "pool", NULL);
    ts->token_file = g_build_filename(ts->dir, "token", NULL);
    ts->config = g_build_filename(ts->dir, "paddockd.conf", NULL);
    ts->log = g_build_filename(ts->dir, "paddockd.log", NULL);
    g_autofree guint8 *raw = ts_random_bytes(g_test_rand_int(), 16);
    ts->token = g_strdup_printf("test-%08x%08x%08x", *(guint32 *)raw, *(guint32 *)(raw + 4),
                                *(guint32 *)(raw + 8));
    g_assert_true(g_file_set_contents_full(ts->token_file, ts->token, -1, G_FILE_SET_CONTENTS_NONE,
                                           0600, &err));
    g_autofree char *conf =
        g_strdup_printf("[paddockd]\nlisten = 127.0.0.1:0\npool = %s\ntoken-file = %s\n"
                        "workers = 2\nshutdown-timeout = 5\n",
                        ts->pool, ts->token_file);
    g_assert_true(g_file_set_contents(ts->config, conf, -1, &err));
}

/* Forks paddockd with argv; stdout to out_fd (or the log), stderr to the log; HOME and
 * the XDG directories point into ts->dir so the user's files are never touched. */
static pid_t ts_spawn(TestServer *ts, char **argv, int out_fd)
{
    int log_fd = open(ts->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    g_assert_cmpint(log_fd, >=, 0);
    g_autofree char *home = g_build_filename(ts->dir, "home", NULL);
    g_autofree char *cfg = g_build_filename(home, ".config", NULL);
    g_autofree char *data = g_build_filename(home, ".local", "share", NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent ||
            dup2(out_fd >= 0 ? out_fd : log_fd, 1) < 0 || dup2(log_fd, 2) < 0 ||
            setenv("HOME", home, 1) || setenv("XDG_CONFIG_HOME", cfg, 1) ||
            setenv("XDG_DATA_HOME", data, 1)) {
            _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    g_assert_cmpint(close(log_fd), ==, 0);
    return pid;
}

static char **ts_argv(TestServer *ts, const char *const *extra, bool with_config)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, g_strdup(ts_paddockd()));
    if (with_config) {
        g_ptr_array_add(a, g_strdup("--config"));
        g_ptr_array_add(a, g_strdup(ts->config));
    }
    for (const char *const *e = extra; e && *e; e++) {
        g_ptr_array_add(a, g_strdup(*e));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

char *ts_log(TestServer *ts)
{
    char *text = NULL;
    if (!g_file_get_contents(ts->log, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

/* The address of the last "listening" line of the log, or NULL. */
static char *ts_find_address(TestServer *ts)
{
    g_autofree char *text = ts_log(ts);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    char *addr = NULL;
    for (char **l = lines; *l; l++) {
        json_t *line = json_loads(*l, 0, NULL);
        const char *msg = NULL, *a = NULL;
        if (!json_unpack(line, "{s:s,s:s}", "msg", &msg, "addr", &a) && !strcmp(msg, "listening")) {
            g_free(addr);
            addr = g_strdup(a);
        }
        json_decref(line);
    }
    return addr;
}

void ts_start(TestServer *ts, const char *const *extra_args)
{
    g_assert_cmpint(ts->pid, ==, 0);
    g_autofree char *before = ts_find_address(ts);
    g_auto(GStrv) argv = ts_argv(ts, extra_args, true);
    ts->pid = ts_spawn(ts, argv, -1);
    for (int waited = 0; waited < TS_START_TIMEOUT_MS; waited += 10) {
        g_autofree char *addr = ts_find_address(ts);
        if (addr && g_strcmp0(addr, before)) {
            g_free(ts->url);
            ts->url = g_strdup_printf("http://%s", addr);
            return;
        }
        int status;
        if (waitpid(ts->pid, &status, WNOHANG) == ts->pid) {
            ts->pid = 0;
            g_autofree char *log = ts_log(ts);
            g_error("paddockd exited at start-up (status %d):\n%s", status, log);
        }
        g_usleep(10000);
    }
    g_autofree char *log = ts_log(ts);
    g_error("paddockd did not start listening:\n%s", log);
}

/* Waits for pid up to timeout_ms; returns the wait status, or -1 on timeout. */
static int ts_wait(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        g_assert_cmpint(r, >=, 0);
        if (r == pid) {
            return status;
        }
        g_usleep(10000);
    }
    return -1;
}

int ts_run(TestServer *ts, const char *const *args, char **out)
{
    int fds[2];
    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    g_auto(GStrv) argv = ts_argv(ts, args, false);
    pid_t pid = ts_spawn(ts, argv, fds[1]);
    g_assert_cmpint(close(fds[1]), ==, 0);
    GString *text = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
        g_string_append_len(text, buf, MAX(n, 0));
    }
    g_assert_cmpint(close(fds[0]), ==, 0);
    int status = ts_wait(pid, TS_STOP_TIMEOUT_MS);
    g_assert_cmpint(status, !=, -1);
    if (out) {
        *out = g_string_free(text, FALSE);
    } else {
        g_string_free(text, TRUE);
    }
    return status;
}

int ts_stop(TestServer *ts)
{
    g_assert_cmpint(ts->pid, >, 0);
    g_assert_cmpint(kill(ts->pid, SIGTERM), ==, 0);
    int status = ts_wait(ts->pid, TS_STOP_TIMEOUT_MS);
    if (status == -1) {
        g_assert_cmpint(kill(ts->pid, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(ts->pid, &status, 0), ==, ts->pid);
        g_test_fail_printf("paddockd did not stop within %d ms of SIGTERM", TS_STOP_TIMEOUT_MS);
    }
    ts->pid = 0;
    return status;
}

void ts_remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
            ts_remove_tree(child);
        } else {
            g_assert_cmpint(unlink(child), ==, 0);
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    g_assert_cmpint(rmdir(path), ==, 0);
}

void ts_cleanup(TestServer *ts)
{
    if (ts->pid) {
        ts_stop(ts);
    }
    ts_remove_tree(ts->dir);
    g_free(ts->dir);
    g_free(ts->pool);
    g_free(ts->token_file);
    g_free(ts->token);
    g_free(ts->config);
    g_free(ts->log);
    g_free(ts->url);
    memset(ts, 0, sizeof(*ts));
}

/* ---- HTTP ---- */

void test_reply_free(TestReply *r)
{
    if (!r) {
        return;
    }
    g_byte_array_unref(r->body);
    g_hash_table_unref(r->headers);
    json_decref(r->json);
    g_free(r);
}

static size_t ts_take_body(char *data, size_t size, size_t n, void *user)
{
    g_byte_array_append(((TestReply *)user)->body, (const guint8 *)data, (guint)(size * n));
    return size * n;
}

static size_t ts_take_header(char *data, size_t size, size_t n, void *user)
{
    TestReply *r = user;
    g_autofree char *line = g_strndup(data, size * n);
    char *colon = strchr(line, ':');
    if (colon) {
        *colon = '\0';
        g_hash_table_replace(r->headers, g_ascii_strdown(line, -1),
                             g_strdup(g_strstrip(colon + 1)));
    }
    return size * n;
}

/* Sets the options of one request on curl; the header list is returned for freeing. */
static struct curl_slist *ts_setup(CURL *curl, TestServer *ts, const char *method, const char *path,
                                   const char *token, const void *body, size_t len,
                                   const char *const *headers, TestReply *r)
{
    g_autofree char *url = g_strconcat(ts->url, path, NULL);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    g_autofree char *auth =
        token ? g_strdup_printf("Authorization: Bearer %s", *token ? token : ts->token) : NULL;
    if (auth) {
        h = curl_slist_append(h, auth);
    }
    for (const char *const *e = headers; e && *e; e++) {
        h = curl_slist_append(h, *e);
    }
    g_assert_nonnull(h);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_URL, url), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ts_take_body), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_WRITEDATA, r), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ts_take_header), ==, CURLE_OK);
    g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_HEADERDATA, r), ==, CURLE_OK);
    if (!strcmp(method, "HEAD")) {
        g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_NOBODY, 1L), ==, CURLE_OK);
    } else {
        g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method), ==, CURLE_OK);
    }
    if (body) {
        g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body), ==, CURLE_OK);
        g_assert_cmpint(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len), ==,
                        CURLE_OK);
    }
    return h;
}

TestReply *ts_request_full(TestServer *ts, const char *method, const char *path, const char *token,
                           const void *body, size_t len, const char *const *headers)
{
    TestReply *r = g_new0(TestReply, 1);
    r->body = g_byte_array_new();
    r->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    CURL *curl = curl_easy_init();
    g_assert_nonnull(curl);
    struct curl_slist *h = ts_setup(curl, ts, method, path, token, body, len, headers, r);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        g_error("%s %s%s: %s", method, ts->url, path, curl_easy_strerror(rc));
    }
    g_assert_cmpint(curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status), ==, CURLE_OK);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    const char *ct = g_hash_table_lookup(r->headers, "content-type");
    if (ct && g_str_has_prefix(ct, "application/json") && r->body->len) {
        json_error_t jerr;
        r->json = json_loadb((const char *)r->body->data, r->body->len, 0, &jerr);
        if (!r->json) {
            g_error("%s %s: reply is not JSON: %s", method, path, jerr.text);
        }
    }
    return r;
}

TestReply *ts_request(TestServer *ts, const char *method, const char *path, const char *token,
                      const void *body, size_t len)
{
    return ts_request_full(ts, method, path, token, body, len, NULL);
}

void ts_assert_error(const TestReply *r, long status, const char *code)
{
    const char *got_code = NULL, *message = NULL;
    g_assert_cmpint(r->status, ==, status);
    g_assert_nonnull(r->json);
    g_assert_cmpint(
        json_unpack(r->json, "{s:{s:s,s:s}}", "error", "code", &got_code, "message", &message), ==,
        0);
    g_assert_cmpstr(got_code, ==, code);
    g_assert_cmpuint(strlen(message), >, 0);
}

void ts_assert_healthy(TestServer *ts)
{
    g_autoptr(TestReply) r = ts_request(ts, "GET", "/v1/health", NULL, NULL, 0);
    g_assert_cmpint(r->status, ==, 200);
}

char *ts_digest(const void *data, size_t len)
{
    g_autofree char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
    return g_strconcat("sha256:", hex, NULL);
}

guint8 *ts_random_bytes(guint32 seed, size_t len)
{
    GRand *rand = g_rand_new_with_seed(seed);
    guint8 *data = g_malloc(len + 4);
    for (size_t i = 0; i < len; i += 4) {
        guint32 v = g_rand_int(rand);
        memcpy(data + i, &v, 4);
    }
    g_rand_free(rand);
    return data;
}

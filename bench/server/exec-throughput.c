/*
 * bench-server-exec: runs per second and p50/p99 latency of `busybox true` through
 * POST /v1/exec:batch at 1, 8 and 64 concurrent runs.
 *
 * A real paddockd is started as the server tests start it (tests/server/server-harness.h:
 * 127.0.0.1 port 0, a temporary pool and token), busybox for riscv64 is uploaded from
 * ${PADDOCK_CACHE:-~/.cache/paddock}/busybox/riscv64/busybox, and then, for each
 * concurrency C, C client threads (one keep-alive libcurl handle each) post single-item
 * batches back to back for --seconds: C runs are in flight at every moment, and each
 * request's time is one run's latency as a client sees it (queueing in paddockd included).
 * A run counts when the reply is 200 with status "exited" and exit_code 0; anything else
 * is an error, left out of runs and latencies. runs/s = runs / (last reply - start).
 * At the end paddockd is stopped with SIGTERM and must exit 0.
 *
 *     bench-server-exec [--seconds S] [--paddockd PATH]    ($PADDOCKD; default
 *                                                            ../server/paddockd from here)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib.h>
#include <jansson.h>

#include "tests/server/server-harness.h"

static const int levels[] = {1, 8, 64};

typedef struct Client {
    TestServer *ts;
    const char *body;
    gint64 start, deadline; /* g_get_monotonic_time() */
    GArray *lat_us;         /* gint64 per successful run */
    unsigned errors;
    gint64 last_end;
    char *first_error; /* for the report */
} Client;

static size_t take_body(char *data, size_t size, size_t n, void *user)
{
    g_byte_array_append(user, (const guint8 *)data, (guint)(size * n));
    return size * n;
}

/* Whether body is [{"status":"exited","exit_code":0,...}]; else *why (g_free). */
static bool run_ok(long status, GByteArray *body, char **why)
{
    json_t *j = json_loadb((const char *)body->data, body->len, 0, NULL);
    const char *st = NULL;
    json_int_t code = -1;
    bool ok = status == 200 && json_is_array(j) && json_array_size(j) == 1 &&
              !json_unpack(json_array_get(j, 0), "{s:s,s:I}", "status", &st, "exit_code", &code) &&
              !strcmp(st, "exited") && code == 0;
    json_decref(j);
    if (!ok && !*why) {
        *why = g_strdup_printf("HTTP %ld: %.*s", status, (int)MIN(body->len, 300u),
                               (const char *)body->data);
    }
    return ok;
}

static void *client_main(void *data)
{
    Client *c = data;
    CURL *curl = curl_easy_init();
    g_autofree char *url = g_strconcat(c->ts->url, "/v1/exec:batch", NULL);
    g_autofree char *auth = g_strdup_printf("Authorization: Bearer %s", c->ts->token);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    GByteArray *body = g_byte_array_new();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(c->body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    while (g_get_monotonic_time() < c->deadline) {
        g_byte_array_set_size(body, 0);
        gint64 t0 = g_get_monotonic_time();
        CURLcode rc = curl_easy_perform(curl);
        gint64 t1 = g_get_monotonic_time();
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK) {
            c->errors++;
            if (!c->first_error) {
                c->first_error = g_strdup(curl_easy_strerror(rc));
            }
        } else if (run_ok(status, body, &c->first_error)) {
            gint64 us = t1 - t0;
            g_array_append_val(c->lat_us, us);
        } else {
            c->errors++;
        }
        c->last_end = t1;
    }
    g_byte_array_unref(body);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) of sorted v, in ms. */
static double quantile_ms(const GArray *v, double q)
{
    if (!v->len) {
        return 0;
    }
    size_t rank = (size_t)(q * v->len + 0.999999);
    rank = CLAMP(rank, 1u, v->len);
    return g_array_index(v, gint64, rank - 1) / 1000.0;
}

/* Returns the number of errors. */
static unsigned run_level(TestServer *ts, const char *body, int conc, double seconds)
{
    Client *cs = g_new0(Client, conc);
    GThread **th = g_new0(GThread *, conc);
    gint64 start = g_get_monotonic_time();
    for (int i = 0; i < conc; i++) {
        cs[i] = (Client){.ts = ts,
                         .body = body,
                         .start = start,
                         .deadline = start + (gint64)(seconds * G_USEC_PER_SEC),
                         .lat_us = g_array_new(FALSE, FALSE, sizeof(gint64))};
        th[i] = g_thread_new("client", client_main, &cs[i]);
    }
    GArray *all = g_array_new(FALSE, FALSE, sizeof(gint64));
    unsigned errors = 0;
    gint64 end = start;
    const char *why = NULL;
    for (int i = 0; i < conc; i++) {
        g_thread_join(th[i]);
        g_array_append_vals(all, cs[i].lat_us->data, cs[i].lat_us->len);
        errors += cs[i].errors;
        end = MAX(end, cs[i].last_end);
        why = why ? why : cs[i].first_error;
    }
    g_array_sort(all, cmp_i64);
    double elapsed = (double)(end - start) / G_USEC_PER_SEC;
    printf("%11d  %6u  %8.1f  %8.1f  %8.1f  %6u\n", conc, all->len,
           elapsed > 0 ? all->len / elapsed : 0.0, quantile_ms(all, 0.50), quantile_ms(all, 0.99),
           errors);
    fflush(stdout);
    if (why) {
        fprintf(stderr, "bench-server-exec: first error at concurrency %d: %s\n", conc, why);
    }
    for (int i = 0; i < conc; i++) {
        g_array_unref(cs[i].lat_us);
        g_free(cs[i].first_error);
    }
    g_array_unref(all);
    g_free(th);
    g_free(cs);
    return errors;
}

/* ../server/paddockd from this executable's directory. */
static char *default_paddockd(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup(".");
    return g_build_filename(dir, "..", "server", "paddockd", NULL);
}

int main(int argc, char **argv)
{
    double seconds = 10;
    g_autofree char *paddockd = NULL;
    GOptionEntry entries[] = {
        {"seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Duration of each level (10)", "S"},
        {"paddockd", 0, 0, G_OPTION_ARG_FILENAME, &paddockd, "paddockd to start", "PATH"},
        {NULL}};
    g_autoptr(GOptionContext) ctx = g_option_context_new("- /v1/exec:batch throughput");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || seconds <= 0) {
        fprintf(stderr, "bench-server-exec: %s\n", err ? err->message : "--seconds must be > 0");
        return 2;
    }
    if (!paddockd) {
        paddockd = g_strdup(g_getenv("PADDOCKD"));
    }
    if (!paddockd) {
        paddockd = default_paddockd();
    }
    g_setenv("PADDOCKD", paddockd, TRUE); /* where the harness looks */
    const char *cache = g_getenv("PADDOCK_CACHE");
    g_autofree char *home_cache = g_build_filename(g_get_home_dir(), ".cache", "paddock", NULL);
    g_autofree char *bb_path =
        g_build_filename(cache ? cache : home_cache, "busybox", "riscv64", "busybox", NULL);
    g_autofree char *bb = NULL;
    gsize bb_len;
    if (!g_file_get_contents(bb_path, &bb, &bb_len, &err)) {
        fprintf(stderr, "bench-server-exec: %s (cmake --build BUILD --target guest-artifacts)\n",
                err->message);
        return 1;
    }

    /* The harness draws its token from g_test_rand_int(), which needs g_test_init(); that
     * prints its random seed on stdout, so it goes to stderr to keep the table clean. */
    char *targv[] = {argv[0], NULL};
    char **targvp = targv;
    int targc = 1;
    fflush(stdout);
    int saved = dup(1);
    dup2(2, 1);
    g_test_init(&targc, &targvp, NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    TestServer ts;
    ts_init(&ts);
    ts_start(&ts, NULL);
    g_autoptr(TestReply) up = ts_request(&ts, "PUT", "/v1/blobs", "", bb, bb_len);
    const char *digest = json_string_value(json_object_get(up->json, "digest"));
    if (up->status / 100 != 2 || !digest) {
        fprintf(stderr, "bench-server-exec: upload failed: HTTP %ld\n", up->status);
        ts_cleanup(&ts);
        return 1;
    }
    json_t *req =
        json_pack("[{s:s,s:s,s:[s]}]", "program", digest, "argv0", "busybox", "args", "true");
    g_autofree char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);

    printf("/v1/exec:batch, busybox true (riscv64); C client threads, one single-item batch "
           "each in flight; %.0f s per level; %u CPUs\n\n",
           seconds, g_get_num_processors());
    printf("concurrency    runs    runs/s    p50 ms    p99 ms  errors\n");
    unsigned errors = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++) {
        errors += run_level(&ts, body, levels[i], seconds);
    }

    int status = ts_stop(&ts);
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!clean) {
        g_autofree char *log = ts_log(&ts);
        fprintf(stderr, "bench-server-exec: paddockd did not exit 0 on SIGTERM (status %d):\n%s",
                status, log);
    }
    ts_cleanup(&ts);
    curl_global_cleanup();
    return clean && !errors ? 0 : 1;
}

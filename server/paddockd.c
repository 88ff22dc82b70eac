/*
 * paddockd, the farm server: configuration, the token, the pool, the REST listener, and an
 * orderly stop. SIGTERM and SIGINT are taken by the main thread alone (sigwait), so no
 * handler runs on a listener thread; the stop then goes: stop accepting, let requests in
 * flight finish within --shutdown-timeout, close what is left, close the pool.
 *
 *     paddockd [--config FILE] [--listen ADDR:PORT] [--pool DIR] [--token-file FILE] ...
 *     paddockd --print-routes     (the route table, which the tests compare with openapi.yaml)
 */
#include <signal.h>
#include <stdio.h>

#include <glib.h>

#include "api/api.h"
#include "paddock-version.h"
#include "server/config.h"
#include "server/server.h"
#include "server/slog.h"

/* Blocking work (index changes, runs) may use this many threads per listener thread. */
enum { PADDOCKD_DEFER_PER_WORKER = 4, PADDOCKD_DEFER_MIN = 16 };

typedef struct PaddockdArgs {
    ServerOptions opts;
    gboolean version;
    gboolean print_routes;
} PaddockdArgs;

static bool paddockd_parse(PaddockdArgs *a, int *argc, char ***argv, GError **errp)
{
    a->opts.workers = -1;
    a->opts.shutdown_timeout = -1;
    const GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &a->opts.config,
         "Config file (default: ~/.config/paddock/paddockd.conf if present)", "FILE"},
        {"listen", 'l', 0, G_OPTION_ARG_STRING, &a->opts.listen,
         "REST listener address (default: " SERVER_DEFAULT_LISTEN ")", "ADDR:PORT"},
        {"pool", 'p', 0, G_OPTION_ARG_FILENAME, &a->opts.pool,
         "Pool directory (default: ~/.local/share/paddock)", "DIR"},
        {"token-file", 't', 0, G_OPTION_ARG_FILENAME, &a->opts.token_file,
         "Bearer token file, generated if missing (default: ~/.config/paddock/token)", "FILE"},
        {"workers", 'w', 0, G_OPTION_ARG_INT, &a->opts.workers,
         "Listener threads (default: one per CPU, at least 2)", "N"},
        {"max-upload", 0, 0, G_OPTION_ARG_STRING, &a->opts.max_upload,
         "Largest blob upload (default: 1G)", "SIZE"},
        {"max-json", 0, 0, G_OPTION_ARG_STRING, &a->opts.max_json,
         "Largest JSON request body (default: 8M)", "SIZE"},
        {"shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &a->opts.shutdown_timeout,
         "Seconds to let requests finish on SIGTERM (default: 10)", "S"},
        {"print-routes", 0, 0, G_OPTION_ARG_NONE, &a->print_routes,
         "Print the route table (METHOD PATH auth|public) and exit", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &a->version, "Print the version and exit", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the Paddock emulation farm server");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, errp)) {
        return false;
    }
    if (*argc > 1) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument '%s'",
                    (*argv)[1]);
        return false;
    }
    return true;
}

static void paddockd_args_clear(PaddockdArgs *a)
{
    g_free(a->opts.config);
    g_free(a->opts.listen);
    g_free(a->opts.pool);
    g_free(a->opts.token_file);
    g_free(a->opts.max_upload);
    g_free(a->opts.max_json);
}

static int paddockd_print_routes(void)
{
    size_t n;
    g_autofree HttpRoute *routes = api_routes(&n);
    g_autoptr(GError) err = NULL;
    if (!http_routes_check(routes, n, &err)) {
        fprintf(stderr, "paddockd: %s\n", err->message);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        printf("%s %s %s\n", routes[i].method, routes[i].pattern,
               routes[i].auth ? "auth" : "public");
    }
    return 0;
}

/* The pool, with what its start-up check repaired logged. */
static bool paddockd_open_pool(Server *s, GError **errp)
{
    PoolCheck check;
    s->pool = pool_open(s->config.pool_dir, &check, errp);
    if (!s->pool) {
        return false;
    }
    uint64_t count, bytes;
    pool_stats(s->pool, &count, &bytes);
    slog(check.rows_dropped || check.orphans_removed ? SLOG_WARN : SLOG_INFO, "pool open",
         "{s:s,s:I,s:I,s:i,s:i,s:i}", "pool", s->config.pool_dir, "blobs", (json_int_t)count,
         "bytes", (json_int_t)bytes, "temp_removed", (int)check.temp_removed, "rows_dropped",
         (int)check.rows_dropped, "orphans_removed", (int)check.orphans_removed);
    return true;
}

static bool paddockd_listen(Server *s, const char *token, GError **errp)
{
    size_t n;
    g_autofree HttpRoute *routes = api_routes(&n);
    const HttpConfig hc = {
        .listen = s->config.listen,
        .workers = s->config.workers,
        .defer_threads = MAX(PADDOCKD_DEFER_MIN, PADDOCKD_DEFER_PER_WORKER * s->config.workers),
        .max_json = s->config.max_json,
        .max_upload = s->config.max_upload,
        .token = token,
    };
    s->http = http_server_start(s, &hc, routes, n, errp);
    if (!s->http) {
        return false;
    }
    const char *addr = http_server_address(s->http);
    g_autofree char *url = g_strdup_printf("http://%s", addr);
    slog(SLOG_INFO, "listening", "{s:s,s:s,s:i,s:s}", "addr", addr, "url", url, "workers",
         (int)s->config.workers, "version", PADDOCK_VERSION);
    return true;
}

static bool paddockd_start(Server *s, GError **errp)
{
    bool generated;
    g_autofree char *token = server_token_load(s->config.token_file, &generated, errp);
    if (!token) {
        return false;
    }
    if (generated) {
        slog(SLOG_INFO, "generated an API token", "{s:s}", "token_file", s->config.token_file);
    }
    s->metrics = metrics_new();
    return paddockd_open_pool(s, errp) && api_init(s, errp) && paddockd_listen(s, token, errp);
}

static void paddockd_stop(Server *s)
{
    if (s->http) {
        http_server_quiesce(s->http);
        api_stop(s);
        if (!http_server_drain(s->http, s->config.shutdown_timeout * 1000u)) {
            slog(SLOG_WARN, "requests still running at the shutdown timeout; closing them", "{s:i}",
                 "timeout_s", (int)s->config.shutdown_timeout);
        }
        http_server_stop(s->http);
    }
    api_fini(s);
    pool_close(s->pool);
    metrics_free(s->metrics);
}

/* Blocks SIGTERM and SIGINT in every thread (threads inherit the mask) and waits for one. */
static bool paddockd_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    int err = pthread_sigmask(SIG_BLOCK, set, NULL);
    if (err) {
        slog(SLOG_ERROR, "pthread_sigmask failed", "{s:s}", "error", g_strerror(err));
    }
    return err == 0;
}

static int paddockd_serve(PaddockdArgs *a)
{
    sigset_t set;
    Server s = {0};
    g_autoptr(GError) err = NULL;
    if (!paddockd_block_signals(&set)) {
        return 1;
    }
    bool ok = server_config_load(&s.config, &a->opts, &err) && paddockd_start(&s, &err);
    if (ok) {
        int sig = 0;
        int rc = sigwait(&set, &sig);
        slog(SLOG_INFO, "stopping", "{s:s}", "signal", rc ? g_strerror(rc) : g_strsignal(sig));
    } else {
        slog(SLOG_ERROR, "cannot start", "{s:s}", "error", err->message);
    }
    paddockd_stop(&s);
    server_config_clear(&s.config);
    if (ok) {
        slog(SLOG_INFO, "stopped", NULL);
    }
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    PaddockdArgs a = {0};
    g_autoptr(GError) err = NULL;
    int status;
    if (!paddockd_parse(&a, &argc, &argv, &err)) {
        fprintf(stderr, "paddockd: %s (try --help)\n", err->message);
        status = 2;
    } else if (a.version) {
        printf("paddockd %s\n", PADDOCK_VERSION);
        status = 0;
    } else if (a.print_routes) {
        status = paddockd_print_routes();
    } else {
        status = paddockd_serve(&a);
    }
    paddockd_args_clear(&a);
    return status;
}

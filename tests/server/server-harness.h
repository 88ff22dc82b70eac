/*
 * A real paddockd for the server tests: started as a child process on a free loopback
 * port (--listen 127.0.0.1:0; the port is read back from its "listening" log line) with
 * a temporary directory holding its pool, token, config file and log, and driven over
 * HTTP with libcurl. ctest passes the binaries' paths in $PADDOCKD and $PADDOCK.
 *
 *     TestServer ts;
 *     ts_init(&ts);
 *     ts_start(&ts, NULL);
 *     g_autoptr(TestReply) r = ts_request(&ts, "GET", "/v1/health", NULL, NULL, 0);
 *     ts_stop(&ts);          (SIGTERM; returns the wait status)
 *     ts_cleanup(&ts);
 * Any child still running when the test process exits is killed by its PR_SET_PDEATHSIG.
 */
#ifndef TESTS_SERVER_HARNESS_H
#define TESTS_SERVER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <glib.h>
#include <jansson.h>

typedef struct TestServer {
    char *dir;        /* temporary root: pool/, token, paddockd.conf, paddockd.log, home */
    char *pool;       /* dir/pool */
    char *token_file; /* dir/token, written by ts_init (mode 0600) */
    char *token;
    char *config; /* dir/paddockd.conf: listen, pool and token-file */
    char *log;    /* dir/paddockd.log: paddockd's stderr, appended across restarts */
    char *url;    /* http://127.0.0.1:PORT once started */
    pid_t pid;    /* 0 when not running */
} TestServer;

typedef struct TestReply {
    long status;
    GByteArray *body;
    GHashTable *headers; /* lowercased name → value */
    json_t *json;        /* the body parsed, when it is JSON */
} TestReply;

void test_reply_free(TestReply *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestReply, test_reply_free)

/* A fresh temporary directory with a token and a config file. */
void ts_init(TestServer *ts);
/* Starts paddockd with --config and extra_args (NULL-terminated, may be NULL); waits until
 * it listens. Fails the test (and shows the log) if it does not. */
void ts_start(TestServer *ts, const char *const *extra_args);
/* Runs paddockd with args and waits for it to exit; returns the wait status. Its stderr
 * goes to the log. For start-up failures and --print-routes. */
int ts_run(TestServer *ts, const char *const *args, char **out);
/* SIGTERM, then waits (up to 20 s); returns the wait status. */
int ts_stop(TestServer *ts);
/* Stops it if running and removes the directory. */
void ts_cleanup(TestServer *ts);
/* The log so far (g_free). */
char *ts_log(TestServer *ts);

/* method path with the given token ("" for the server's own, NULL for none) and body. */
TestReply *ts_request(TestServer *ts, const char *method, const char *path, const char *token,
                      const void *body, size_t len);
/* The same with extra headers (NULL-terminated "Name: value" strings). */
TestReply *ts_request_full(TestServer *ts, const char *method, const char *path, const char *token,
                           const void *body, size_t len, const char *const *headers);

/* Asserts r is an error reply: the status, JSON {"error":{"code":code,"message":…}}. */
void ts_assert_error(const TestReply *r, long status, const char *code);
/* Asserts that GET /v1/health still answers 200. */
void ts_assert_healthy(TestServer *ts);

/* rm -r path. */
void ts_remove_tree(const char *path);
/* "sha256:<hex>" of data (g_free). */
char *ts_digest(const void *data, size_t len);
/* Deterministic pseudo-random bytes (g_free). */
guint8 *ts_random_bytes(guint32 seed, size_t len);

#endif

/*
 * The dispatcher (server/http.c) in this process, over a route table of the test's own,
 * so that what no paddockd route exercises yet is covered: JSON bodies (limit, media
 * type, parse and shape errors), several path parameters, a handler that forgets to
 * reply, deferred work under concurrency, and a stop that waits for deferred work.
 */
#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "server/server.h"
#include "tests/server/server-harness.h"

enum { MAX_JSON = 1024 };

static TestServer ts;

static const HttpJsonField item_fields[] = {
    {"name", HTTP_JSON_STRING, .required = true},
    {"count", HTTP_JSON_INTEGER, .min = 0, .max = 10},
};

static void json_post(HttpRequest *req)
{
    g_autoptr(GError) err = NULL;
    json_t *body = http_request_json(req);
    if (!http_json_check(body, NULL, item_fields, G_N_ELEMENTS(item_fields), &err)) {
        http_reply_gerror(req, err);
        return;
    }
    http_reply_json(req, 200, json_deep_copy(body));
}

static void items_get(HttpRequest *req)
{
    http_reply_json(req, 200,
                    json_pack("{s:s,s:s}", "a", http_request_param(req, "a"), "b",
                              http_request_param(req, "b")));
}

static void forgetful(HttpRequest *req)
{
}

static void slow_work(HttpRequest *req, void *data)
{
    g_usleep(50000);
    http_reply_json(req, 202, json_pack("{s:s}", "done", (const char *)data));
}

static void slow_post(HttpRequest *req)
{
    const char *name = json_string_value(json_object_get(http_request_json(req), "name"));
    http_defer(req, slow_work, g_strdup(name ? name : "?"), g_free);
}

static const HttpRoute routes[] = {
    {"POST", "/t/json", json_post, .auth = true, .body = HTTP_BODY_JSON},
    {"GET", "/t/items/{a}/{b}", items_get, .auth = false},
    {"GET", "/t/forgetful", forgetful, .auth = false},
    {"POST", "/t/slow", slow_post, .auth = true, .body = HTTP_BODY_JSON},
};

static TestReply *post_json(const char *path, const char *text)
{
    const char *const json[] = {"Content-Type: application/json", NULL};
    return ts_request_full(&ts, "POST", path, "", text, strlen(text), json);
}

static void assert_answers(void)
{
    g_autoptr(TestReply) r = ts_request(&ts, "GET", "/t/items/x/y", NULL, NULL, 0);
    g_assert_cmpint(r->status, ==, 200);
}

static void test_json_valid(void)
{
    g_autoptr(TestReply) r = post_json("/t/json", "{\"name\":\"n\",\"count\":3}");
    const char *name = NULL;
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpint(json_unpack(r->json, "{s:s}", "name", &name), ==, 0);
    g_assert_cmpstr(name, ==, "n");
    const char *const charset[] = {"Content-Type: application/json; charset=utf-8", NULL};
    g_autoptr(TestReply) c =
        ts_request_full(&ts, "POST", "/t/json", "", "{\"name\":\"n\"}", 12, charset);
    g_assert_cmpint(c->status, ==, 200);
}

static void test_json_bad(void)
{
    static const struct {
        const char *body, *code, *says;
    } cases[] = {
        {"{\"name\":", "invalid_json", "line 1"},
        {"{\"name\":\"n\"", "invalid_json", "line 1"},
        {"", "invalid_json", "empty"},
        {"not json", "invalid_json", "invalid"},
        {"{\"name\":\"n\"} trailing", "invalid_json", "end of file expected"},
        {"{\"name\":\"n\",\"colour\":1}", "invalid_field", "colour: unknown field"},
        {"{\"name\":7}", "invalid_field", "name: expected a string"},
        {"{\"name\":\"n\",\"count\":\"3\"}", "invalid_field", "count: expected an integer"},
        {"{\"name\":\"n\",\"count\":11}", "invalid_field", "count: 11 is outside [0, 10]"},
        {"{}", "invalid_field", "name: required"},
        {"[]", "invalid_field", "expected an object"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(TestReply) r = post_json("/t/json", cases[i].body);
        const char *message = NULL;
        ts_assert_error(r, 400, cases[i].code);
        g_assert_cmpint(json_unpack(r->json, "{s:{s:s}}", "error", "message", &message), ==, 0);
        if (!strstr(message, cases[i].says)) {
            g_error("%s: message '%s' lacks '%s'", cases[i].body, message, cases[i].says);
        }
        assert_answers();
    }
}

static void test_json_limits(void)
{
    g_autofree char *big = g_strdup_printf("{\"name\":\"%0*d\"}", MAX_JSON, 0);
    g_autoptr(TestReply) r = post_json("/t/json", big);
    ts_assert_error(r, 413, "too_large");
    const char *const chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked",
                                   NULL};
    g_autoptr(TestReply) c = ts_request_full(&ts, "POST", "/t/json", "", big, strlen(big), chunked);
    ts_assert_error(c, 413, "too_large");
    const char *const text[] = {"Content-Type: text/plain", NULL};
    g_autoptr(TestReply) t = ts_request_full(&ts, "POST", "/t/json", "", "{}", 2, text);
    ts_assert_error(t, 415, "unsupported_media_type");
    g_autoptr(TestReply) noauth = ts_request(&ts, "POST", "/t/json", NULL, "{}", 2);
    ts_assert_error(noauth, 401, "unauthorized");
    assert_answers();
}

static void test_params(void)
{
    g_autoptr(TestReply) r = ts_request(&ts, "GET", "/t/items/first/sec%20ond", NULL, NULL, 0);
    const char *a = NULL, *b = NULL;
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpint(json_unpack(r->json, "{s:s,s:s}", "a", &a, "b", &b), ==, 0);
    g_assert_cmpstr(a, ==, "first");
    g_assert_cmpstr(b, ==, "sec ond");
    g_autoptr(TestReply) short_path = ts_request(&ts, "GET", "/t/items/first", NULL, NULL, 0);
    ts_assert_error(short_path, 404, "not_found");
}

static void test_no_reply(void)
{
    g_autoptr(TestReply) r = ts_request(&ts, "GET", "/t/forgetful", NULL, NULL, 0);
    ts_assert_error(r, 500, "internal");
    assert_answers();
}

enum { N_SLOW = 40 };

static gpointer slow_thread(gpointer p)
{
    g_autofree char *name = g_strdup_printf("r%d", GPOINTER_TO_INT(p));
    g_autofree char *body = g_strdup_printf("{\"name\":\"%s\"}", name);
    g_autoptr(TestReply) r = post_json("/t/slow", body);
    const char *done = NULL;
    g_assert_cmpint(r->status, ==, 202);
    g_assert_cmpint(json_unpack(r->json, "{s:s}", "done", &done), ==, 0);
    g_assert_cmpstr(done, ==, name);
    return NULL;
}

/* Deferred work runs beside the listener: 40 requests of 50 ms each on 8 threads take
 * far less than 40 × 50 ms, and the listener answers meanwhile. */
static void test_defer(void)
{
    GThread *threads[N_SLOW];
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < N_SLOW; i++) {
        threads[i] = g_thread_new("slow", slow_thread, GINT_TO_POINTER(i));
    }
    assert_answers();
    for (int i = 0; i < N_SLOW; i++) {
        g_thread_join(threads[i]);
    }
    g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, N_SLOW * 50 / 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(curl_global_init(CURL_GLOBAL_DEFAULT), ==, CURLE_OK);
    Server server = {.metrics = metrics_new()};
    const HttpConfig cfg = {
        .listen = "127.0.0.1:0",
        .workers = 2,
        .defer_threads = 8,
        .max_json = MAX_JSON,
        .max_upload = MAX_JSON,
        .token = "dispatcher-test-token",
    };
    g_autoptr(GError) err = NULL;
    server.http = http_server_start(&server, &cfg, routes, G_N_ELEMENTS(routes), &err);
    g_assert_no_error(err);
    ts.url = g_strdup_printf("http://%s", http_server_address(server.http));
    ts.token = g_strdup(cfg.token);

    g_test_add_func("/dispatcher/json/valid", test_json_valid);
    g_test_add_func("/dispatcher/json/bad", test_json_bad);
    g_test_add_func("/dispatcher/json/limits", test_json_limits);
    g_test_add_func("/dispatcher/params", test_params);
    g_test_add_func("/dispatcher/no-reply", test_no_reply);
    g_test_add_func("/dispatcher/defer", test_defer);
    int rc = g_test_run();

    /* A stop while deferred work runs waits for it, and the client gets its reply. */
    GThread *late = g_thread_new("late", slow_thread, GINT_TO_POINTER(99));
    g_usleep(20000);
    http_server_quiesce(server.http);
    g_assert_true(http_server_drain(server.http, 5000));
    http_server_stop(server.http);
    g_thread_join(late);
    metrics_free(server.metrics);
    g_free(ts.url);
    g_free(ts.token);
    curl_global_cleanup();
    return rc;
}

/*
 * The server's pieces that need no listener: strict JSON parsing and shape checks (what
 * every JSON resource turns its body into a typed request with), the route table check,
 * the error table, the size parser of the configuration, and the metrics text format.
 */
#include <string.h>

#include <glib.h>

#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"

static const HttpJsonField limits_fields[] = {
    {"wall_ms", HTTP_JSON_INTEGER, .min = 1, .max = 3600000},
    {"memory_mib", HTTP_JSON_INTEGER, .required = false},
};

static const HttpJsonField body_fields[] = {
    {"program", HTTP_JSON_STRING, .required = true},
    {"args", HTTP_JSON_ARRAY, .required = false},
    {"env", HTTP_JSON_OBJECT, .required = false},
    {"stdin", HTTP_JSON_STRING_OR_OBJECT, .required = false},
    {"base64", HTTP_JSON_BOOLEAN, .required = false},
    {"limits", HTTP_JSON_OBJECT, .required = false},
};

/* Parses and checks text as a body (and its limits); returns the error message or NULL. */
static char *check(const char *text)
{
    GError *err = NULL;
    json_t *doc = http_json_parse(text, strlen(text), &err);
    bool ok = doc && http_json_check(doc, NULL, body_fields, G_N_ELEMENTS(body_fields), &err);
    json_t *limits = ok ? json_object_get(doc, "limits") : NULL;
    ok = ok && (!limits || http_json_check(limits, "limits", limits_fields,
                                           G_N_ELEMENTS(limits_fields), &err));
    json_decref(doc);
    if (ok) {
        return NULL;
    }
    g_assert_true(err->domain == HTTP_ERROR);
    char *msg = g_strdup_printf("%s: %s", http_error_name(err->code), err->message);
    g_error_free(err);
    return msg;
}

static void assert_rejected(const char *text, const char *want)
{
    g_autofree char *msg = check(text);
    if (!msg || !strstr(msg, want)) {
        g_error("%s: expected an error containing '%s', got '%s'", text, want,
                msg ? msg : "(accepted)");
    }
}

static void test_valid(void)
{
    g_assert_null(check("{\"program\":\"sha256:x\"}"));
    g_assert_null(check("{\"program\":\"p\",\"args\":[],\"env\":{},\"stdin\":{\"base64\":\"\"},"
                        "\"base64\":true,\"limits\":{\"wall_ms\":1,\"memory_mib\":0}}"));
    g_assert_null(check(" {\"program\":\"p\"}\n"));
}

static void test_malformed(void)
{
    assert_rejected("", "invalid_json: the body is empty");
    assert_rejected("{\"program\":", "invalid_json");
    assert_rejected("{\"program\":\"p\"", "invalid_json");
    assert_rejected("{\"program\":\"p\"} {}", "invalid_json");
    assert_rejected("{\"program\":\"p\",\"program\":\"q\"}", "invalid_json");
    assert_rejected("\"just a string\"", "invalid_json");
    assert_rejected("{\"program\":\"\\u0000\"}", "invalid_json");
    assert_rejected("{'program':'p'}", "invalid_json");
    assert_rejected("\xff\xfe{}", "invalid_json");
}

static void test_shape(void)
{
    assert_rejected("[]", "invalid_field: the body: expected an object");
    assert_rejected("{}", "invalid_field: program: required");
    assert_rejected("{\"program\":1}", "invalid_field: program: expected a string");
    assert_rejected("{\"program\":\"p\",\"colour\":1}", "invalid_field: colour: unknown field");
    assert_rejected("{\"program\":\"p\",\"args\":{}}", "args: expected an array");
    assert_rejected("{\"program\":\"p\",\"stdin\":[]}", "stdin: expected a string or an object");
    assert_rejected("{\"program\":\"p\",\"base64\":\"yes\"}", "base64: expected a boolean");
    assert_rejected("{\"program\":\"p\",\"limits\":{\"wall_ms\":0}}",
                    "limits.wall_ms: 0 is outside [1, 3600000]");
    assert_rejected("{\"program\":\"p\",\"limits\":{\"wall_ms\":1.5}}",
                    "limits.wall_ms: expected an integer");
    assert_rejected("{\"program\":\"p\",\"limits\":{\"memory_mib\":-1}}",
                    "limits.memory_mib: -1 is outside");
    assert_rejected("{\"program\":\"p\",\"limits\":{\"cpu\":1}}", "limits.cpu: unknown field");
}

/* A deeply nested document is refused by the parser, not by the stack. */
static void test_deep(void)
{
    GString *s = g_string_new("{\"program\":\"p\",\"env\":");
    for (int i = 0; i < 100000; i++) {
        g_string_append(s, "[");
    }
    g_autofree char *text = g_string_free(s, FALSE);
    assert_rejected(text, "invalid_json");
}

static void noop(HttpRequest *req)
{
}

static void test_route_check(void)
{
    static const HttpStreamOps ops;
    const HttpRoute good[] = {
        {"GET", "/v1/blobs/{digest}", noop, .auth = false},
        {"POST", "/v1/exec:batch", noop, .body = HTTP_BODY_JSON},
        {"PUT", "/v1/blobs", noop, .body = HTTP_BODY_STREAM, .stream = &ops},
    };
    g_assert_true(http_routes_check(good, G_N_ELEMENTS(good), NULL));
    const HttpRoute bad[][1] = {
        {{"GET", "v1/health", noop, .auth = false}},
        {{"GET", "/v1//health", noop, .auth = false}},
        {{"GET", "/v1/health/", noop, .auth = false}},
        {{"GET", "/v1/{digest", noop, .auth = false}},
        {{"GET", "/v1/{}", noop, .auth = false}},
        {{"GET", "/v1/a b", noop, .auth = false}},
        {{"GET", "/{a}/{b}/{c}/{d}/{e}", noop, .auth = false}},
        {{"FETCH", "/v1/health", noop, .auth = false}},
        {{"GET", "/v1/health", NULL, .auth = false}},
        {{"PUT", "/v1/blobs", noop, .body = HTTP_BODY_STREAM}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_assert_false(http_routes_check(bad[i], 1, &err));
        g_assert_nonnull(err);
    }
    const HttpRoute twice[] = {{"GET", "/v1/x", noop, .auth = false},
                               {"GET", "/v1/x", noop, .auth = false}};
    g_assert_false(http_routes_check(twice, 2, NULL));
}

static void test_error_table(void)
{
    for (int c = 0; c < HTTP_ERROR_N_CODES; c++) {
        unsigned status = http_error_status(c);
        g_assert_true(status >= 400 && status <= 599);
        g_assert_nonnull(http_error_name(c));
    }
    g_assert_cmpuint(http_error_status(HTTP_ERROR_TOO_LARGE), ==, 413);
    g_assert_cmpstr(http_error_name(HTTP_ERROR_NOT_FOUND), ==, "not_found");
}

static void test_parse_size(void)
{
    static const struct {
        const char *text;
        uint64_t value;
    } good[] = {
        {"0", 0},        {"1048576", 1048576}, {"64K", 65536},       {"64KiB", 65536},
        {"1M", 1 << 20}, {"1g", 1 << 30},      {"2GiB", 2ull << 30}, {"1T", 1ull << 40},
        {"10B", 10},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        uint64_t v = 1;
        g_assert_true(server_parse_size(good[i].text, &v));
        g_assert_cmpuint(v, ==, good[i].value);
    }
    static const char *const bad[] = {
        "", "-1", "K", "1X", "1KB2", "1.5M", "99999999999999999999", "20000000T", " 1"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t v;
        g_assert_false(server_parse_size(bad[i], &v));
    }
}

static double seven(void *data)
{
    return 7;
}

static void test_metrics_render(void)
{
    Metrics *m = metrics_new();
    static const char *const labels[] = {"status", "arch", NULL};
    MetricFamily *runs = metrics_counter(m, "t_runs_total", "Runs", labels);
    MetricFamily *depth = metrics_gauge(m, "t_depth", "Depth", NULL);
    static const double bounds[] = {0.5, 1};
    MetricFamily *dur = metrics_histogram(m, "t_seconds", "Durations", NULL, bounds, 2);
    metrics_gauge_fn(m, "t_fn", "From a function", seven, NULL);
    metrics_inc(runs, (const char *const[]){"exited", "riscv64"}, 1);
    metrics_inc(runs, (const char *const[]){"exited", "riscv64"}, 2);
    metrics_inc(runs, (const char *const[]){"we\"ird\n", "a\\b"}, 1);
    metrics_set(depth, NULL, 4);
    metrics_inc(depth, NULL, -1);
    metrics_observe(dur, NULL, 0.25);
    metrics_observe(dur, NULL, 0.75);
    metrics_observe(dur, NULL, 30);
    g_autofree char *text = metrics_render(m);
    metrics_free(m);
    static const char *const want[] = {
        "# HELP t_runs_total Runs\n# TYPE t_runs_total counter\n",
        "t_runs_total{status=\"exited\",arch=\"riscv64\"} 3\n",
        "t_runs_total{status=\"we\\\"ird\\n\",arch=\"a\\\\b\"} 1\n",
        "# TYPE t_depth gauge\nt_depth 3\n",
        "t_seconds_bucket{le=\"0.5\"} 1\nt_seconds_bucket{le=\"1\"} 2\n"
        "t_seconds_bucket{le=\"+Inf\"} 3\nt_seconds_sum 31\nt_seconds_count 3\n",
        "# TYPE t_fn gauge\nt_fn 7\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        if (!strstr(text, want[i])) {
            g_error("metrics lack:\n%s\nin:\n%s", want[i], text);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/server/json/valid", test_valid);
    g_test_add_func("/server/json/malformed", test_malformed);
    g_test_add_func("/server/json/shape", test_shape);
    g_test_add_func("/server/json/deep", test_deep);
    g_test_add_func("/server/routes/check", test_route_check);
    g_test_add_func("/server/errors/table", test_error_table);
    g_test_add_func("/server/config/parse-size", test_parse_size);
    g_test_add_func("/server/metrics/render", test_metrics_render);
    return g_test_run();
}

/*
 * /v1/exec: run an uploaded guest program in the sandbox (server/sandbox.h) and answer with
 * its result.
 *   POST /v1/exec        one run (the request below) → 200 with its result
 *   POST /v1/exec:batch  an array of requests, run concurrently → 200 with the array of
 *                        their results, in order
 *
 *   {"program": digest, "arch"?: "riscv64", "argv0"?: "name", "args"?: [...],
 *    "env"?: {"NAME": "value"}, "stdin"?: "text" | {"base64": "…"},
 *    "sysroot"?: digest of a tar, "files"?: {"/guest/path": digest},
 *    "limits"?: {"wall_ms", "memory_mib", "output_bytes", "instructions"}}
 *
 * A request is checked completely on the listener thread (types, unknown fields, paths,
 * digests' form, limits); the pool lookups (404 for an unknown digest), the sysroot's
 * unpacking and the runs are deferred work. A run that cannot start (not an executable of
 * a known architecture, a sysroot without namespaces) is a result with status "error",
 * not an HTTP error, so that one bad run does not fail a batch.
 *
 * Every run counts guest instructions ("guest_instructions"); "limits.instructions" ends
 * the run once the whole process tree has executed that many, as status "timeout" with
 * "limit": "instructions" (the wall clock's timeout says "wall_ms").
 */
#include <string.h>

#include "api/api.h"
#include "server/sandbox.h"
#include "server/server.h"
#include "server/slog.h"
#include "user/run.h"

enum { EXEC_BATCH_MAX = 256 };
#define EXEC_DEFAULT_ARGV0 "program"

/* What /v1/exec keeps per server (Server.exec). */
struct ApiExec {
    SandboxRunner *runner;
    MetricFamily *runs;     /* paddock_exec_runs_total{status,arch} */
    MetricFamily *duration; /* paddock_exec_run_duration_seconds{status} */
};

/* One request: the spec to run, and the digests its paths come from (deferred). */
typedef struct ExecRequest {
    SandboxSpec *spec;
    char *program;    /* digest */
    char *sysroot;    /* digest, or NULL */
    SandboxRunner *sysroot_holder; /* set while the request holds its unpacked sysroot */
    GPtrArray *files; /* digests, parallel to spec->files */
    char *where;      /* "" or "[3]." for messages */
} ExecRequest;

typedef struct ExecJob {
    GPtrArray *requests; /* ExecRequest */
    bool batch;
} ExecJob;

static void exec_request_free(ExecRequest *r)
{
    if (r->sysroot_holder) {
        sandbox_sysroot_release(r->sysroot_holder, r->sysroot);
    }
    sandbox_spec_free(r->spec);
    g_free(r->program);
    g_free(r->sysroot);
    g_ptr_array_free(r->files, TRUE);
    g_free(r->where);
    g_free(r);
}

static void exec_job_free(ExecJob *job)
{
    g_ptr_array_free(job->requests, TRUE);
    g_free(job);
}

static bool exec_bad(GError **errp, const ExecRequest *r, const char *field, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* An invalid_field error naming r's field. */
static bool exec_bad(GError **errp, const ExecRequest *r, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD, "%s%s: %s", r->where, field, what);
    return false;
}

/* ---- parsing ---- */

static bool exec_parse_digest(ExecRequest *r, const char *field, const json_t *v, char **out,
                              GError **errp)
{
    const char *d = json_string_value(v);
    if (!pool_digest_valid(d)) {
        return exec_bad(errp, r, field, "'%s' is not a digest (sha256: and 64 hex digits)", d);
    }
    *out = g_strdup(d);
    return true;
}

static bool exec_parse_args(ExecRequest *r, const json_t *args, GError **errp)
{
    size_t i;
    json_t *v;
    json_array_foreach(args, i, v)
    {
        if (!json_is_string(v)) {
            g_autofree char *field = g_strdup_printf("args[%zu]", i);
            return exec_bad(errp, r, field, "expected a string");
        }
        g_ptr_array_add(r->spec->args, g_strdup(json_string_value(v)));
    }
    return true;
}

/* Names the emulator reads itself (PADDOCK_LOG …) are not the guest's to set. */
static bool exec_parse_env(ExecRequest *r, const json_t *env, GError **errp)
{
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)env, name, v)
    {
        g_autofree char *field = g_strdup_printf("env.%s", name);
        if (!*name || strchr(name, '=')) {
            return exec_bad(errp, r, field, "not a variable name");
        }
        if (g_str_has_prefix(name, "PADDOCK_")) {
            return exec_bad(errp, r, field, "PADDOCK_* variables configure the emulator");
        }
        if (!json_is_string(v)) {
            return exec_bad(errp, r, field, "expected a string");
        }
        g_ptr_array_add(r->spec->env, g_strdup_printf("%s=%s", name, json_string_value(v)));
    }
    return true;
}

/* Standard base64 with its padding, nothing else (g_base64_decode skips what it does not
 * know, which would hide a client's mistake). */
static bool exec_base64_valid(const char *s, size_t len)
{
    size_t pad = len >= 1 && s[len - 1] == '=' ? (len >= 2 && s[len - 2] == '=' ? 2 : 1) : 0;
    if (len % 4) {
        return false;
    }
    for (size_t i = 0; i < len - pad; i++) {
        if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/') {
            return false;
        }
    }
    return true;
}

static bool exec_parse_stdin(ExecRequest *r, const json_t *v, GError **errp)
{
    if (json_is_string(v)) {
        r->spec->stdin_data = g_bytes_new(json_string_value(v), json_string_length(v));
        return true;
    }
    static const HttpJsonField fields[] = {{"base64", HTTP_JSON_STRING, .required = true}};
    g_autofree char *where = g_strdup_printf("%sstdin", r->where);
    if (!http_json_check(v, where, fields, G_N_ELEMENTS(fields), errp)) {
        return false;
    }
    const json_t *b = json_object_get(v, "base64");
    if (!exec_base64_valid(json_string_value(b), json_string_length(b))) {
        return exec_bad(errp, r, "stdin.base64", "not base64");
    }
    gsize n = 0;
    guchar *data = json_string_length(b) ? g_base64_decode(json_string_value(b), &n) : NULL;
    r->spec->stdin_data = g_bytes_new_take(data, n);
    return true;
}

static bool exec_parse_files(ExecRequest *r, const json_t *files, GError **errp)
{
    const char *path;
    json_t *v;
    json_object_foreach((json_t *)files, path, v)
    {
        g_autofree char *field = g_strdup_printf("files[%s]", path);
        char *digest = NULL;
        if (!sandbox_guest_path_valid(path)) {
            return exec_bad(errp, r, field, "not an absolute path without '.' or '..'");
        }
        if (!strcmp(path, SANDBOX_PROGRAM_PATH)) {
            return exec_bad(errp, r, field, "the program's own path");
        }
        if (!json_is_string(v)) {
            return exec_bad(errp, r, field, "expected a digest");
        }
        if (!exec_parse_digest(r, field, v, &digest, errp)) {
            return false;
        }
        SandboxFile f = {g_strdup(path), NULL};
        g_array_append_val(r->spec->files, f);
        g_ptr_array_add(r->files, digest);
    }
    return true;
}

static bool exec_parse_limits(ExecRequest *r, const json_t *limits, GError **errp)
{
    static const HttpJsonField fields[] = {
        {"wall_ms", HTTP_JSON_INTEGER, .min = 1, .max = SANDBOX_WALL_MS_MAX},
        {"memory_mib", HTTP_JSON_INTEGER, .min = SANDBOX_MEMORY_MIB_MIN,
         .max = SANDBOX_MEMORY_MIB_MAX},
        {"output_bytes", HTTP_JSON_INTEGER, .min = 0, .max = SANDBOX_OUTPUT_BYTES_MAX},
        {"instructions", HTTP_JSON_INTEGER, .min = 1, .max = INT64_MAX},
    };
    g_autofree char *where = g_strdup_printf("%slimits", r->where);
    if (!http_json_check(limits, where, fields, G_N_ELEMENTS(fields), errp)) {
        return false;
    }
    SandboxLimits *l = &r->spec->limits;
    const json_t *v;
    if ((v = json_object_get(limits, "wall_ms"))) {
        l->wall_ms = (uint64_t)json_integer_value(v);
    }
    if ((v = json_object_get(limits, "memory_mib"))) {
        l->memory_mib = (uint64_t)json_integer_value(v);
    }
    if ((v = json_object_get(limits, "output_bytes"))) {
        l->output_bytes = (uint64_t)json_integer_value(v);
    }
    if ((v = json_object_get(limits, "instructions"))) {
        l->instructions = (uint64_t)json_integer_value(v);
    }
    return true;
}

static bool exec_parse_arch(ExecRequest *r, const json_t *v, GError **errp)
{
    const char *arch = json_string_value(v);
    if (!user_arch_by_name(arch)) {
        return exec_bad(errp, r, "arch", "unknown architecture '%s' (known: %s)", arch,
                        user_arch_names());
    }
    r->spec->arch = g_strdup(arch);
    return true;
}

static const HttpJsonField exec_fields[] = {
    {"program", HTTP_JSON_STRING, .required = true},
    {"arch", HTTP_JSON_STRING, .required = false},
    {"argv0", HTTP_JSON_STRING, .required = false},
    {"args", HTTP_JSON_ARRAY, .required = false},
    {"env", HTTP_JSON_OBJECT, .required = false},
    {"stdin", HTTP_JSON_STRING_OR_OBJECT, .required = false},
    {"sysroot", HTTP_JSON_STRING, .required = false},
    {"files", HTTP_JSON_OBJECT, .required = false},
    {"limits", HTTP_JSON_OBJECT, .required = false},
};

/* The members that need more than their type checked, in order. */
static bool exec_parse_members(ExecRequest *r, const json_t *body, GError **errp)
{
    const json_t *v;
    const char *argv0 = json_string_value(json_object_get(body, "argv0"));
    r->spec->argv0 = g_strdup(argv0 ? argv0 : EXEC_DEFAULT_ARGV0);
    return exec_parse_digest(r, "program", json_object_get(body, "program"), &r->program, errp) &&
           (!(v = json_object_get(body, "arch")) || exec_parse_arch(r, v, errp)) &&
           (!(v = json_object_get(body, "args")) || exec_parse_args(r, v, errp)) &&
           (!(v = json_object_get(body, "env")) || exec_parse_env(r, v, errp)) &&
           (!(v = json_object_get(body, "stdin")) || exec_parse_stdin(r, v, errp)) &&
           (!(v = json_object_get(body, "sysroot")) ||
            exec_parse_digest(r, "sysroot", v, &r->sysroot, errp)) &&
           (!(v = json_object_get(body, "files")) || exec_parse_files(r, v, errp)) &&
           (!(v = json_object_get(body, "limits")) || exec_parse_limits(r, v, errp));
}

/* The request body (or a batch's element index, when index >= 0) as a typed request. */
static ExecRequest *exec_parse(const json_t *body, ssize_t index, GError **errp)
{
    ExecRequest *r = g_new0(ExecRequest, 1);
    r->spec = sandbox_spec_new();
    r->files = g_ptr_array_new_with_free_func(g_free);
    r->where = index >= 0 ? g_strdup_printf("[%zd].", index) : g_strdup("");
    g_autofree char *where = index >= 0 ? g_strdup_printf("[%zd]", index) : NULL;
    if (!http_json_check(body, where, exec_fields, G_N_ELEMENTS(exec_fields), errp) ||
        !exec_parse_members(r, body, errp)) {
        exec_request_free(r);
        return NULL;
    }
    return r;
}

/* ---- the deferred work ---- */

/* The pool paths of r's digests (404 for a missing one), and its sysroot unpacked. */
static bool exec_resolve(Server *s, ExecRequest *r, GError **errp)
{
    SandboxSpec *spec = r->spec;
    g_autofree char *tar = NULL;
    if (!(spec->program = pool_blob_path(s->pool, r->program, errp))) {
        g_prefix_error(errp, "%sprogram: ", r->where);
        return false;
    }
    for (guint i = 0; i < r->files->len; i++) {
        SandboxFile *f = &g_array_index(spec->files, SandboxFile, i);
        if (!(f->host_path = pool_blob_path(s->pool, g_ptr_array_index(r->files, i), errp))) {
            g_prefix_error(errp, "%sfiles[%s]: ", r->where, f->guest_path);
            return false;
        }
    }
    if (r->sysroot &&
        (!(tar = pool_blob_path(s->pool, r->sysroot, errp)) ||
         !(spec->sysroot = sandbox_sysroot(s->exec->runner, r->sysroot, tar, errp)))) {
        g_prefix_error(errp, "%ssysroot: ", r->where);
        return false;
    }
    r->sysroot_holder = spec->sysroot ? s->exec->runner : NULL;
    return true;
}

void api_exec_blob_deleted(Server *s, const char *digest)
{
    if (s->exec && s->exec->runner) {
        sandbox_sysroot_forget(s->exec->runner, digest);
    }
}

/* stdout or stderr: a string when it is UTF-8, else base64 (*is_base64). */
static json_t *exec_output_json(const GByteArray *b, bool *is_base64)
{
    const char *text = b->len ? (const char *)b->data : "";
    *is_base64 = !g_utf8_validate_len(text, b->len, NULL);
    if (!*is_base64) {
        return json_stringn(text, b->len);
    }
    g_autofree char *enc = g_base64_encode(b->data, b->len);
    return json_string(enc);
}

static json_t *exec_int_or_null(bool present, json_int_t v)
{
    return present ? json_integer(v) : json_null();
}

/* Which limit ended a run that timed out, else null. */
static json_t *exec_limit_json(const SandboxResult *res)
{
    if (res->status != SANDBOX_STATUS_TIMEOUT) {
        return json_null();
    }
    return json_string(res->instruction_limit ? "instructions" : "wall_ms");
}

static json_t *exec_result_json(const SandboxResult *res)
{
    bool out_b64, err_b64;
    json_t *out = exec_output_json(res->out, &out_b64);
    json_t *err = exec_output_json(res->err, &err_b64);
    json_t *j = json_pack(
        "{s:s,s:o,s:o,s:o,s:b,s:o,s:b,s:{s:b,s:b},s:I,s:I,s:o,s:o,s:o,s:o}", "status",
        sandbox_status_name(res->status), "exit_code",
        exec_int_or_null(res->status == SANDBOX_STATUS_EXITED, res->exit_code), "signal",
        exec_int_or_null(res->status == SANDBOX_STATUS_SIGNALED, res->signal), "stdout", out,
        "stdout_base64", out_b64, "stderr", err, "stderr_base64", err_b64, "truncated", "stdout",
        res->out_truncated, "stderr", res->err_truncated, "wall_ms", (json_int_t)res->wall_ms,
        "cpu_ms", (json_int_t)res->cpu_ms, "guest_instructions",
        exec_int_or_null(res->guest_instructions >= 0, res->guest_instructions), "limit",
        exec_limit_json(res), "max_rss_kib",
        exec_int_or_null(res->max_rss_kib >= 0, res->max_rss_kib), "arch",
        res->arch ? json_string(res->arch) : json_null());
    if (res->message) {
        json_object_set_new(j, "message", json_string(res->message));
    }
    return j;
}

static void exec_count(ApiExec *ex, const SandboxResult *res)
{
    const char *status = sandbox_status_name(res->status);
    metrics_inc(ex->runs, (const char *const[]){status, res->arch ? res->arch : "unknown"}, 1);
    metrics_observe(ex->duration, (const char *const[]){status}, (double)res->wall_ms / 1000.0);
}

static void exec_reply(HttpRequest *req, ApiExec *ex, const ExecJob *job, SandboxResult **results)
{
    json_t *all = json_array();
    for (guint i = 0; i < job->requests->len; i++) {
        exec_count(ex, results[i]);
        json_array_append_new(all, exec_result_json(results[i]));
        sandbox_result_free(results[i]);
    }
    if (job->batch) {
        http_reply_json(req, 200, all);
        return;
    }
    http_reply_json(req, 200, json_incref(json_array_get(all, 0)));
    json_decref(all);
}

static void exec_work(HttpRequest *req, void *data)
{
    ExecJob *job = data;
    Server *s = http_request_server(req);
    g_autoptr(GError) err = NULL;
    size_t n = job->requests->len;
    g_autofree SandboxSpec **specs = g_new(SandboxSpec *, n);
    g_autofree SandboxResult **results = g_new0(SandboxResult *, n);
    for (size_t i = 0; i < n; i++) {
        ExecRequest *r = g_ptr_array_index(job->requests, i);
        if (!exec_resolve(s, r, &err)) {
            http_reply_gerror(req, err);
            return;
        }
        specs[i] = r->spec;
    }
    if (!sandbox_run(s->exec->runner, specs, results, n, &err)) {
        http_reply_gerror(req, err);
        return;
    }
    exec_reply(req, s->exec, job, results);
}

/* ---- routes ---- */

static void exec_defer(HttpRequest *req, GPtrArray *requests, bool batch)
{
    ExecJob *job = g_new(ExecJob, 1);
    *job = (ExecJob){requests, batch};
    http_defer(req, exec_work, job, (GDestroyNotify)exec_job_free);
}

static GPtrArray *exec_requests_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)exec_request_free);
}

static void exec_post(HttpRequest *req)
{
    g_autoptr(GError) err = NULL;
    ExecRequest *r = exec_parse(http_request_json(req), -1, &err);
    if (!r) {
        http_reply_gerror(req, err);
        return;
    }
    GPtrArray *requests = exec_requests_new();
    g_ptr_array_add(requests, r);
    exec_defer(req, requests, false);
}

static void exec_post_batch(HttpRequest *req)
{
    const json_t *body = http_request_json(req);
    size_t n = json_array_size(body);
    if (!json_is_array(body) || n == 0 || n > EXEC_BATCH_MAX) {
        http_reply_error(req, HTTP_ERROR_INVALID_FIELD,
                         "the body: expected an array of 1 to %d runs", EXEC_BATCH_MAX);
        return;
    }
    g_autoptr(GPtrArray) requests = exec_requests_new();
    g_autoptr(GError) err = NULL;
    for (size_t i = 0; i < n; i++) {
        ExecRequest *r = exec_parse(json_array_get(body, i), (ssize_t)i, &err);
        if (!r) {
            http_reply_gerror(req, err);
            return;
        }
        g_ptr_array_add(requests, r);
    }
    exec_defer(req, g_steal_pointer(&requests), true);
}

/* ---- start and stop ---- */

static double exec_queued(void *data)
{
    return sandbox_runner_queued(data);
}

static double exec_running(void *data)
{
    return sandbox_runner_running(data);
}

static void exec_metrics(Server *server, ApiExec *ex)
{
    static const char *const by_status_arch[] = {"status", "arch", NULL};
    static const char *const by_status[] = {"status", NULL};
    ex->runs = metrics_counter(server->metrics, "paddock_exec_runs_total",
                               "Guest program runs by status and architecture", by_status_arch);
    ex->duration = metrics_histogram(server->metrics, "paddock_exec_run_duration_seconds",
                                     "Wall-clock time of guest program runs", by_status,
                                     metrics_duration_bounds, metrics_n_duration_bounds);
    metrics_gauge_fn(server->metrics, "paddock_exec_queue_depth",
                     "Guest program runs waiting for a slot", exec_queued, ex->runner);
    metrics_gauge_fn(server->metrics, "paddock_exec_runs_in_flight",
                     "Guest program runs in progress", exec_running, ex->runner);
}

static bool exec_init(Server *server, GError **errp)
{
    g_autofree char *run_dir = g_build_filename(pool_dir(server->pool), "run", NULL);
    g_autofree char *sysroot_dir = g_build_filename(pool_dir(server->pool), "sysroots", NULL);
    const SandboxConfig cfg = {.run_dir = run_dir, .sysroot_dir = sysroot_dir};
    ApiExec *ex = g_new0(ApiExec, 1);
    if (!(ex->runner = sandbox_runner_new(&cfg, errp))) {
        g_free(ex);
        return false;
    }
    server->exec = ex;
    exec_metrics(server, ex);
    slog(SLOG_INFO, "exec sandbox", "{s:s,s:b}", "protections",
         sandbox_runner_protections(ex->runner), "namespaces",
         sandbox_runner_namespaces(ex->runner));
    return true;
}

/* Runs in flight end as cancelled, so that the requests waiting on them can be answered. */
static void exec_stop(Server *server)
{
    if (server->exec) {
        sandbox_runner_cancel(server->exec->runner);
    }
}

static void exec_fini(Server *server)
{
    if (server->exec) {
        sandbox_runner_free(server->exec->runner);
        g_clear_pointer(&server->exec, g_free);
    }
}

static const HttpRoute exec_routes[] = {
    {"POST", "/v1/exec", exec_post, .auth = true, .body = HTTP_BODY_JSON},
    {"POST", "/v1/exec:batch", exec_post_batch, .auth = true, .body = HTTP_BODY_JSON},
};

const ApiResource api_exec = {
    .name = "exec",
    .init = exec_init,
    .stop = exec_stop,
    .fini = exec_fini,
    .routes = exec_routes,
    .n_routes = G_N_ELEMENTS(exec_routes),
};

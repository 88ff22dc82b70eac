/*
 * /v1/exec end to end: a real paddockd (tests/server/server-harness.h) running Debian's
 * busybox-static for riscv64 and the guest test programs from $PADDOCK_CACHE in its
 * sandbox, under each limit, hostile programs included; and every kind of bad request,
 * each followed by a health check. One server serves most cases; the stop case has its own.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "tests/server/server-harness.h"

static TestServer srv;
static char *busybox; /* its digest on srv */
static char *bb_path; /* ${PADDOCK_CACHE}/busybox/riscv64/busybox */

static char *cache_path(const char *rel)
{
    const char *cache = g_getenv("PADDOCK_CACHE");
    g_autofree char *home_cache = g_build_filename(g_get_home_dir(), ".cache/paddock", NULL);
    return g_build_filename(cache ? cache : home_cache, rel, NULL);
}

static bool need(const char *path)
{
    if (access(path, R_OK) != 0) {
        g_test_fail_printf("missing %s (cmake --build BUILD --target guest-artifacts)", path);
        return false;
    }
    return true;
}

/* Uploads the file at path; returns its digest (g_free). */
static char *put_file(TestServer *ts, const char *path)
{
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_autoptr(TestReply) r = ts_request(ts, "PUT", "/v1/blobs", "", data, len);
    g_assert_cmpint(r->status / 100, ==, 2);
    return g_strdup(json_string_value(json_object_get(r->json, "digest")));
}

static TestReply *post(TestServer *ts, const char *path, const char *body, size_t len)
{
    static const char *const json_type[] = {"Content-Type: application/json", NULL};
    return ts_request_full(ts, "POST", path, "", body, len, json_type);
}

/* POST /v1/exec with req (stolen); asserts a 200 result and returns the reply. */
static TestReply *exec_ok(json_t *req)
{
    g_autofree char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    TestReply *r = post(&srv, "/v1/exec", body, strlen(body));
    if (r->status != 200) {
        g_error("POST /v1/exec %s: %ld %.*s", body, r->status, (int)r->body->len,
                (char *)r->body->data);
    }
    g_autofree char *dump = json_dumps(r->json, JSON_COMPACT);
    g_test_message("%.2000s", dump);
    return r;
}

/* A busybox request: argv0 "busybox", the NULL-terminated args, and limits if not NULL. */
static json_t *bb(const char *const *args, json_t *limits)
{
    json_t *a = json_array();
    for (const char *const *p = args; *p; p++) {
        json_array_append_new(a, json_string(*p));
    }
    json_t *req = json_pack("{s:s,s:s,s:o}", "program", busybox, "argv0", "busybox", "args", a);
    if (limits) {
        json_object_set_new(req, "limits", limits);
    }
    return req;
}

static const char *res_str(const TestReply *r, const char *key)
{
    return json_string_value(json_object_get(r->json, key));
}

static json_int_t res_int(const TestReply *r, const char *key)
{
    return json_integer_value(json_object_get(r->json, key));
}

/* ---- runs ---- */

static void test_echo(void)
{
    g_autoptr(TestReply) r = exec_ok(bb((const char *const[]){"echo", "hi", NULL}, NULL));
    g_assert_cmpstr(res_str(r, "status"), ==, "exited");
    g_assert_cmpint(res_int(r, "exit_code"), ==, 0);
    g_assert_true(json_is_null(json_object_get(r->json, "signal")));
    g_assert_cmpstr(res_str(r, "stdout"), ==, "hi\n");
    g_assert_cmpstr(res_str(r, "stderr"), ==, "");
    g_assert_true(json_is_false(json_object_get(r->json, "stdout_base64")));
    g_assert_cmpint(res_int(r, "guest_instructions"), >, 0);
    g_assert_true(json_is_null(json_object_get(r->json, "limit")));
    g_assert_cmpstr(res_str(r, "arch"), ==, "riscv64");
    g_assert_cmpint(res_int(r, "max_rss_kib"), >, 0);
    g_assert_cmpint(res_int(r, "wall_ms"), >=, res_int(r, "cpu_ms") / 4);
}

static void test_exit_code(void)
{
    g_autoptr(TestReply) f = exec_ok(bb((const char *const[]){"false", NULL}, NULL));
    g_assert_cmpstr(res_str(f, "status"), ==, "exited");
    g_assert_cmpint(res_int(f, "exit_code"), ==, 1);
    g_autoptr(TestReply) r = exec_ok(
        bb((const char *const[]){"sh", "-c", "echo out; echo err >&2; exit 42", NULL}, NULL));
    g_assert_cmpint(res_int(r, "exit_code"), ==, 42);
    g_assert_cmpstr(res_str(r, "stdout"), ==, "out\n");
    g_assert_cmpstr(res_str(r, "stderr"), ==, "err\n");
}

static void test_signaled(void)
{
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"sh", "-c", "kill -TERM $$", NULL}, NULL));
    g_assert_cmpstr(res_str(r, "status"), ==, "signaled");
    g_assert_cmpint(res_int(r, "signal"), ==, SIGTERM);
    g_assert_true(json_is_null(json_object_get(r->json, "exit_code")));
}

static void test_stdin_env(void)
{
    json_t *req =
        bb((const char *const[]){"sh", "-c", "cat; echo \"[$GREETING] $PATH\"", NULL}, NULL);
    json_object_set_new(req, "stdin", json_string("from stdin\n"));
    json_object_set_new(req, "env", json_pack("{s:s}", "GREETING", "hello"));
    g_autoptr(TestReply) r = exec_ok(req);
    g_assert_cmpstr(res_str(r, "stdout"), ==, "from stdin\n[hello] /usr/local/bin:/usr/bin:/bin\n");
    /* The guest's environment is the guest's alone: the host's dynamic loader never sees
     * it, in paddock-sandbox, in the emulator, or in the emulator a guest execve starts. */
    json_t *req3 =
        bb((const char *const[]){"sh", "-c",
                                 "echo $LD_PRELOAD; ln -s /program /tmp/true && /tmp/true", NULL},
           NULL);
    json_object_set_new(req3, "env", json_pack("{s:s}", "LD_PRELOAD", "/nonexistent.so"));
    g_autoptr(TestReply) r3 = exec_ok(req3);
    g_assert_cmpstr(res_str(r3, "stdout"), ==, "/nonexistent.so\n");
    g_assert_cmpstr(res_str(r3, "stderr"), ==, "");
    json_t *req2 = bb((const char *const[]){"od", "-An", "-tx1", NULL}, NULL);
    json_object_set_new(req2, "stdin", json_pack("{s:s}", "base64", "AP8K"));
    g_autoptr(TestReply) r2 = exec_ok(req2);
    g_assert_cmpstr(res_str(r2, "stdout"), ==, " 00 ff 0a\n");
}

/* Bytes that are not UTF-8 come back as base64, flagged. */
static void test_binary_output(void)
{
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"printf", "\\377\\376x", NULL}, NULL));
    g_assert_true(json_is_true(json_object_get(r->json, "stdout_base64")));
    g_assert_cmpstr(res_str(r, "stdout"), ==, "//54");
}

static void test_timeout(void)
{
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"sh", "-c", "while :; do :; done", NULL},
                   json_pack("{s:i}", "wall_ms", 500)));
    g_assert_cmpstr(res_str(r, "status"), ==, "timeout");
    g_assert_cmpstr(res_str(r, "limit"), ==, "wall_ms");
    g_assert_cmpint(res_int(r, "wall_ms"), >=, 500);
    g_assert_cmpint(res_int(r, "wall_ms"), <, 5000);
    g_assert_cmpint(res_int(r, "guest_instructions"), >, 0);
    ts_assert_healthy(&srv);
}

/*
 * An endless loop under an instruction limit ends soon after it, as a timeout that says
 * so; one process, one thread: at least the limit, less than one TB (512) beyond it.
 */
static void test_instruction_limit(void)
{
    enum { LIMIT = 10000000 };
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"sh", "-c", "while :; do :; done", NULL},
                   json_pack("{s:i,s:i}", "instructions", LIMIT, "wall_ms", 60000)));
    g_assert_cmpstr(res_str(r, "status"), ==, "timeout");
    g_assert_cmpstr(res_str(r, "limit"), ==, "instructions");
    g_assert_cmpint(res_int(r, "guest_instructions"), >=, LIMIT);
    g_assert_cmpint(res_int(r, "guest_instructions"), <, LIMIT + 512);
    g_assert_cmpint(res_int(r, "wall_ms"), <, 10000);
    g_assert_true(json_is_null(json_object_get(r->json, "exit_code")));
    /* A limit the program stays under changes nothing. */
    g_autoptr(TestReply) ok = exec_ok(bb((const char *const[]){"echo", "under", NULL},
                                         json_pack("{s:i}", "instructions", LIMIT)));
    g_assert_cmpstr(res_str(ok, "status"), ==, "exited");
    g_assert_cmpstr(res_str(ok, "stdout"), ==, "under\n");
    g_assert_cmpint(res_int(ok, "guest_instructions"), <, LIMIT);
    ts_assert_healthy(&srv);
}

static json_int_t instructions_of(const char *const *args)
{
    g_autoptr(TestReply) r = exec_ok(bb(args, NULL));
    g_assert_cmpstr(res_str(r, "status"), ==, "exited");
    return res_int(r, "guest_instructions");
}

/*
 * busybox true takes a plausible number of instructions, the same every time; a shell
 * that executes it twice counts both of its children (forked, then re-executed
 * emulators) on top of its own work.
 */
static void test_guest_instructions(void)
{
    const char *const true_args[] = {"true", NULL};
    json_int_t once = instructions_of(true_args);
    g_assert_cmpint(once, >, 1000);
    g_assert_cmpint(once, <, 10000000);
    g_assert_cmpint(instructions_of(true_args), ==, once);
    json_int_t sh1 = instructions_of((const char *const[]){"sh", "-c", "/program true", NULL});
    json_int_t sh2 =
        instructions_of((const char *const[]){"sh", "-c", "/program true; /program true", NULL});
    g_assert_cmpint(sh1, >, once);
    g_assert_cmpint(sh2 - sh1, >, once);
    g_assert_cmpint(sh2 - sh1, <, 10 * once);
}

static void test_memory_hog(void)
{
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"awk", "BEGIN { s = \"x\"; while (1) s = s s }", NULL},
                   json_pack("{s:i,s:i}", "memory_mib", 64, "wall_ms", 20000)));
    g_assert_cmpstr(res_str(r, "status"), ==, "memory_limit");
    ts_assert_healthy(&srv);
}

static void test_output_flood(void)
{
    g_autoptr(TestReply) r =
        exec_ok(bb((const char *const[]){"yes", NULL}, json_pack("{s:i}", "output_bytes", 100000)));
    json_t *trunc = json_object_get(r->json, "truncated");
    g_assert_cmpstr(res_str(r, "status"), ==, "output_limit");
    g_assert_true(json_is_true(json_object_get(trunc, "stdout")));
    g_assert_true(json_is_false(json_object_get(trunc, "stderr")));
    g_assert_cmpuint(strlen(res_str(r, "stdout")), ==, 100000);
    g_assert_true(g_str_has_prefix(res_str(r, "stdout"), "y\ny\ny\n"));
    ts_assert_healthy(&srv);
}

/* Processes whose environment holds mark (the runs of this test set it). */
static unsigned count_marked(const char *mark)
{
    unsigned n = 0;
    g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_strdup_printf("/proc/%s/environ", name);
        g_autofree char *env = NULL;
        gsize len;
        if (g_ascii_isdigit(name[0]) && g_file_get_contents(path, &env, &len, NULL) &&
            memmem(env, len, mark, strlen(mark))) {
            n++;
        }
    }
    return n;
}

/* A fork bomb ends at a limit, leaves no process behind, and the server goes on. */
static void test_fork_bomb(void)
{
    g_autofree char *path = cache_path("guest/riscv64/forkbomb-static");
    if (!need(path)) {
        return;
    }
    g_autofree char *digest = put_file(&srv, path);
    g_autofree char *mark = g_strdup_printf("FORKBOMB_MARK=%d", (int)getpid());
    json_t *req =
        json_pack("{s:s,s:[s],s:{s:s},s:{s:i}}", "program", digest, "args", "go", "env",
                  "FORKBOMB_MARK", mark + strlen("FORKBOMB_MARK="), "limits", "wall_ms", 3000);
    g_autoptr(TestReply) r = exec_ok(req);
    const char *status = res_str(r, "status");
    g_assert_true(!strcmp(status, "timeout") || !strcmp(status, "memory_limit"));
    g_assert_cmpint(res_int(r, "wall_ms"), <, 8000);
    g_assert_cmpuint(count_marked(mark), ==, 0);
    ts_assert_healthy(&srv);
    g_autoptr(TestReply) after = exec_ok(bb((const char *const[]){"echo", "after", NULL}, NULL));
    g_assert_cmpstr(res_str(after, "stdout"), ==, "after\n");
}

/* The guest's /etc/passwd, however reached, is not the host's; nothing else of the host's
 * (its libraries, the emulator) can be reached either. */
static void test_confined(void)
{
    g_autofree char *host = NULL;
    g_assert_true(g_file_get_contents("/etc/passwd", &host, NULL, NULL));
    g_autoptr(TestReply) r = exec_ok(
        bb((const char *const[]){"sh", "-c",
                                 "cat /etc/passwd ../../etc/passwd ../../../../../../../etc/passwd "
                                 "/proc/1/root/etc/passwd /proc/self/root/etc/passwd; "
                                 "ls / ..; for f in /usr/lib/x86_64-linux-gnu/libc.so.6 "
                                 "../../usr/lib/x86_64-linux-gnu/libc.so.6 /.paddock/paddock "
                                 "/lib64/ld-linux-x86-64.so.2; do "
                                 "test -e $f && echo \"reached $f\"; done; echo end",
                                 NULL},
           NULL));
    const char *out = res_str(r, "stdout");
    g_assert_true(g_str_has_suffix(out, "end\n"));
    g_assert_null(strstr(out, host));
    g_assert_null(strstr(out, "root:x:0:0"));
    g_assert_null(strstr(res_str(r, "stderr"), "root:x:0:0"));
    /* The host's libraries and the emulator: the namespace sandbox binds them beside the
     * guest's root, the fallback leaves them where they are; either way out of reach. */
    g_assert_null(strstr(out, "reached"));
}

/* The program is the pool's blob bound read-only (a copy in the fallback): whatever the
 * guest does to /program, the blob stays as it was. */
static void test_program_intact(void)
{
    g_autoptr(TestReply) r = exec_ok(
        bb((const char *const[]){"sh", "-c",
                                 "echo x >> /program; chmod 777 /program; echo y >> /program; "
                                 "rm -f /program; touch /program; echo end",
                                 NULL},
           NULL));
    g_assert_cmpstr(res_str(r, "stdout"), ==, "end\n");
    g_autofree char *path = g_strconcat("/v1/blobs/", busybox, NULL);
    g_autoptr(TestReply) blob = ts_request(&srv, "GET", path, "", NULL, 0);
    g_assert_cmpint(blob->status, ==, 200);
    g_autofree char *want = NULL;
    gsize want_len;
    g_assert_true(g_file_get_contents(bb_path, &want, &want_len, NULL));
    g_assert_cmpmem(blob->body->data, blob->body->len, want, want_len);
    g_autoptr(TestReply) again = exec_ok(bb((const char *const[]){"echo", "again", NULL}, NULL));
    g_assert_cmpstr(res_str(again, "stdout"), ==, "again\n");
}

/* Files placed by path, and a dynamic program with the cross sysroot's tar. */
static void test_files_and_sysroot(void)
{
    g_autofree char *hello = cache_path("guest/riscv64/hello-dynamic");
    if (!need(hello) || !need("/usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1")) {
        return;
    }
    g_autofree char *tar = g_build_filename(srv.dir, "sysroot.tar", NULL);
    g_autofree char *cmd = g_strdup_printf("tar -C /usr/riscv64-linux-gnu -cf '%s' lib", tar);
    g_assert_cmpint(system(cmd), ==, 0);
    g_autofree char *sysroot = put_file(&srv, tar);
    g_autofree char *prog = put_file(&srv, hello);
    for (int round = 0; round < 2; round++) { /* unpacked the first time, reused the second */
        json_t *req =
            json_pack("{s:s,s:s,s:[s],s:s,s:{s:s}}", "program", prog, "argv0", "hello", "args", "x",
                      "sysroot", sysroot, "files", "/opt/bin/busybox", busybox);
        g_autoptr(TestReply) r = exec_ok(req);
        g_assert_cmpstr(res_str(r, "stdout"), ==,
                        "hello from riscv64\nargc=2\nargv[0]=hello\nargv[1]=x\n");
    }
    g_autoptr(TestReply) r = exec_ok(json_pack(
        "{s:s,s:s,s:[s,s,s],s:{s:s}}", "program", busybox, "argv0", "busybox", "args", "sh", "-c",
        "/opt/bin/busybox echo placed", "files", "/opt/bin/busybox", busybox));
    g_assert_cmpstr(res_str(r, "stdout"), ==, "placed\n");

    /* Deleting the tar's blob removes what was unpacked from it. */
    g_autofree char *unpacked =
        g_build_filename(srv.pool, "sysroots", strchr(sysroot, ':') + 1, NULL);
    g_assert_true(g_file_test(unpacked, G_FILE_TEST_IS_DIR));
    g_autofree char *path = g_strconcat("/v1/blobs/", sysroot, NULL);
    g_autoptr(TestReply) del = ts_request(&srv, "DELETE", path, "", NULL, 0);
    g_assert_cmpint(del->status, ==, 204);
    g_assert_false(g_file_test(unpacked, G_FILE_TEST_EXISTS));
}

static void test_not_executable(void)
{
    g_autoptr(TestReply) blob = ts_request(&srv, "PUT", "/v1/blobs", "", "#!/bin/sh\n", 10);
    const char *digest = json_string_value(json_object_get(blob->json, "digest"));
    g_autoptr(TestReply) r = exec_ok(json_pack("{s:s}", "program", digest));
    g_assert_cmpstr(res_str(r, "status"), ==, "error");
    g_assert_nonnull(strstr(res_str(r, "message"), "not an ELF"));
}

static void test_batch(void)
{
    json_t *runs = json_array();
    for (int i = 0; i < 5; i++) {
        g_autofree char *n = g_strdup_printf("exit %d", i);
        json_array_append_new(runs, bb((const char *const[]){"sh", "-c", n, NULL}, NULL));
    }
    g_autofree char *body = json_dumps(runs, JSON_COMPACT);
    json_decref(runs);
    g_autoptr(TestReply) r = post(&srv, "/v1/exec:batch", body, strlen(body));
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpuint(json_array_size(r->json), ==, 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *res = json_array_get(r->json, i);
        g_assert_cmpint(json_integer_value(json_object_get(res, "exit_code")), ==, (json_int_t)i);
    }
}

enum { N_CONCURRENT = 50 };

static gpointer concurrent_one(gpointer data)
{
    int i = GPOINTER_TO_INT(data);
    g_autofree char *n = g_strdup_printf("%d", i);
    json_t *req = bb((const char *const[]){"echo", n, NULL}, NULL);
    g_autofree char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    g_autoptr(TestReply) r = post(&srv, "/v1/exec", body, strlen(body));
    g_autofree char *want = g_strdup_printf("%d\n", i);
    bool ok = r->status == 200 && !g_strcmp0(res_str(r, "stdout"), want);
    return GINT_TO_POINTER(ok);
}

/* 50 requests at once (beyond the server's concurrent runs, so they queue), and a batch of
 * 50: every one answered with its own output. */
static void test_concurrent(void)
{
    GThread *threads[N_CONCURRENT];
    for (int i = 0; i < N_CONCURRENT; i++) {
        threads[i] = g_thread_new("exec", concurrent_one, GINT_TO_POINTER(i));
    }
    for (int i = 0; i < N_CONCURRENT; i++) {
        g_assert_true(GPOINTER_TO_INT(g_thread_join(threads[i])));
    }
    json_t *runs = json_array();
    for (int i = 0; i < N_CONCURRENT; i++) {
        g_autofree char *n = g_strdup_printf("%d", i);
        json_array_append_new(runs, bb((const char *const[]){"echo", n, NULL}, NULL));
    }
    g_autofree char *body = json_dumps(runs, JSON_COMPACT);
    json_decref(runs);
    g_autoptr(TestReply) r = post(&srv, "/v1/exec:batch", body, strlen(body));
    g_assert_cmpint(r->status, ==, 200);
    for (int i = 0; i < N_CONCURRENT; i++) {
        g_autofree char *want = g_strdup_printf("%d\n", i);
        json_t *res = json_array_get(r->json, (size_t)i);
        g_assert_cmpstr(json_string_value(json_object_get(res, "stdout")), ==, want);
    }
}

static void test_metrics(void)
{
    g_autoptr(TestReply) r = ts_request(&srv, "GET", "/metrics", "", NULL, 0);
    g_autofree char *m = g_strndup((const char *)r->body->data, r->body->len);
    g_assert_nonnull(strstr(m, "paddock_exec_runs_total{status=\"exited\",arch=\"riscv64\"}"));
    g_assert_nonnull(strstr(m, "# TYPE paddock_exec_run_duration_seconds histogram"));
    g_assert_nonnull(strstr(m, "\npaddock_exec_queue_depth "));
    g_assert_nonnull(strstr(m, "\npaddock_exec_runs_in_flight "));
}

/* ---- bad requests ---- */

/* body to path answers status with code, and the server goes on. */
static void bad(const char *path, const char *body, long status, const char *code,
                const char *message_part)
{
    g_autoptr(TestReply) r = post(&srv, path, body, strlen(body));
    ts_assert_error(r, status, code);
    const char *message =
        json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));
    if (message_part && !strstr(message, message_part)) {
        g_error("%s %s: message '%s' lacks '%s'", path, body, message, message_part);
    }
    ts_assert_healthy(&srv);
}

/* s, kept in owned to be freed with it. */
static const char *own(GPtrArray *owned, char *s)
{
    g_ptr_array_add(owned, s);
    return s;
}

static void test_bad_requests(void)
{
    g_autoptr(GPtrArray) o = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *p = g_strdup_printf("\"program\":\"%s\"", busybox);
    g_autofree char *absent = g_strdup_printf("sha256:%064d", 0);
    struct {
        const char *body;
        long status;
        const char *code, *part;
    } cases[] = {
        {"{", 400, "invalid_json", NULL},
        {"{\"program\": \"sha", 400, "invalid_json", NULL},
        {"[1, 2", 400, "invalid_json", NULL},
        {"{}", 400, "invalid_field", "program: required"},
        {"[]", 400, "invalid_field", NULL},
        {"{\"program\": 7}", 400, "invalid_field", "program: expected a string"},
        {"{\"program\": \"sha256:zz\"}", 400, "invalid_field", "program"},
        {own(o, g_strdup_printf("{%s, \"bogus\": 1}", p)), 400, "invalid_field",
         "bogus: unknown field"},
        {own(o, g_strdup_printf("{%s, \"args\": \"x\"}", p)), 400, "invalid_field",
         "args: expected"},
        {own(o, g_strdup_printf("{%s, \"args\": [1]}", p)), 400, "invalid_field", "args[0]"},
        {own(o, g_strdup_printf("{%s, \"env\": {\"A\": 1}}", p)), 400, "invalid_field", "env.A"},
        {own(o, g_strdup_printf("{%s, \"env\": {\"PADDOCK_LOG\": \"x\"}}", p)), 400,
         "invalid_field", "env.PADDOCK_LOG"},
        {own(o, g_strdup_printf("{%s, \"stdin\": 5}", p)), 400, "invalid_field", "stdin"},
        {own(o, g_strdup_printf("{%s, \"stdin\": {\"base64\": \"@@@\"}}", p)), 400, "invalid_field",
         "stdin.base64"},
        {own(o, g_strdup_printf("{%s, \"stdin\": {\"hex\": \"00\"}}", p)), 400, "invalid_field",
         "stdin.hex"},
        {own(o, g_strdup_printf("{%s, \"files\": {\"/a/../b\": \"%s\"}}", p, busybox)), 400,
         "invalid_field", "files[/a/../b]"},
        {own(o, g_strdup_printf("{%s, \"files\": {\"rel\": \"%s\"}}", p, busybox)), 400,
         "invalid_field", "files[rel]"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"wall_ms\": \"10\"}}", p)), 400,
         "invalid_field", "limits.wall_ms: expected an integer"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"wall_ms\": 0}}", p)), 400, "invalid_field",
         "limits.wall_ms"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"memory_mib\": 1000000}}", p)), 400,
         "invalid_field", "limits.memory_mib"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"instructions\": 0}}", p)), 400,
         "invalid_field", "limits.instructions"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"instructions\": -5}}", p)), 400,
         "invalid_field", "limits.instructions"},
        {own(o, g_strdup_printf("{%s, \"limits\": {\"instructions\": 1.5}}", p)), 400,
         "invalid_field", "limits.instructions"},
        {own(o, g_strdup_printf("{%s, \"arch\": \"vax\"}", p)), 400, "invalid_field", "arch"},
        {own(o, g_strdup_printf("{\"program\": \"%s\"}", absent)), 404, "not_found", "program"},
        {own(o, g_strdup_printf("{%s, \"files\": {\"/x\": \"%s\"}}", p, absent)), 404, "not_found",
         "files[/x]"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        bad("/v1/exec", cases[i].body, cases[i].status, cases[i].code, cases[i].part);
    }
    g_autofree char *batch_item = g_strdup_printf("[{%s}, {%s, \"args\": [true]}]", p, p);
    bad("/v1/exec:batch", batch_item, 400, "invalid_field", "[1].args[0]");
    bad("/v1/exec:batch", "{}", 400, "invalid_field", "array");
    bad("/v1/exec:batch", "[]", 400, "invalid_field", "array");
}

static void test_oversized(void)
{
    enum { BIG = 9 << 20 }; /* beyond paddockd's default --max-json (8M) */
    g_autofree char *body = g_malloc(BIG);
    memset(body, ' ', BIG);
    memcpy(body, "{\"program\": \"", 13);
    g_autoptr(TestReply) r = post(&srv, "/v1/exec", body, BIG);
    ts_assert_error(r, 413, "too_large");
    ts_assert_healthy(&srv);
}

/* ---- stop ---- */

typedef struct LongRun {
    TestServer *ts;
    char *program;
} LongRun;

static gpointer long_run(gpointer data)
{
    LongRun *lr = data;
    json_t *req =
        json_pack("{s:s,s:s,s:[s,s,s],s:{s:i}}", "program", lr->program, "argv0", "busybox", "args",
                  "sh", "-c", "while :; do :; done", "limits", "wall_ms", 60000);
    g_autofree char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return post(lr->ts, "/v1/exec", body, strlen(body));
}

/* SIGTERM while a run goes on: it ends as cancelled, answered, and paddockd exits 0. */
static void test_stop_cancels(void)
{
    TestServer ts;
    ts_init(&ts);
    ts_start(&ts, NULL);
    g_autofree char *program = put_file(&ts, bb_path);
    LongRun lr = {&ts, program};
    GThread *t = g_thread_new("long-run", long_run, &lr);
    g_usleep(1000 * 1000);
    int status = ts_stop(&ts);
    g_autoptr(TestReply) r = g_thread_join(t);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpint(r->status, ==, 200);
    g_assert_cmpstr(res_str(r, "status"), ==, "cancelled");
    ts_cleanup(&ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(curl_global_init(CURL_GLOBAL_DEFAULT), ==, CURLE_OK);
    bb_path = cache_path("busybox/riscv64/busybox");
    if (access(bb_path, R_OK) != 0) {
        g_printerr("missing %s (cmake --build BUILD --target guest-artifacts)\n", bb_path);
        return 1;
    }
    ts_init(&srv);
    ts_start(&srv, NULL);
    busybox = put_file(&srv, bb_path);

    g_test_add_func("/exec/echo", test_echo);
    g_test_add_func("/exec/exit-code", test_exit_code);
    g_test_add_func("/exec/signaled", test_signaled);
    g_test_add_func("/exec/stdin-env", test_stdin_env);
    g_test_add_func("/exec/binary-output", test_binary_output);
    g_test_add_func("/exec/timeout", test_timeout);
    g_test_add_func("/exec/instruction-limit", test_instruction_limit);
    g_test_add_func("/exec/guest-instructions", test_guest_instructions);
    g_test_add_func("/exec/memory-hog", test_memory_hog);
    g_test_add_func("/exec/output-flood", test_output_flood);
    g_test_add_func("/exec/fork-bomb", test_fork_bomb);
    g_test_add_func("/exec/confined", test_confined);
    g_test_add_func("/exec/program-intact", test_program_intact);
    g_test_add_func("/exec/files-and-sysroot", test_files_and_sysroot);
    g_test_add_func("/exec/not-executable", test_not_executable);
    g_test_add_func("/exec/batch", test_batch);
    g_test_add_func("/exec/concurrent", test_concurrent);
    g_test_add_func("/exec/metrics", test_metrics);
    g_test_add_func("/exec/bad-requests", test_bad_requests);
    g_test_add_func("/exec/oversized", test_oversized);
    g_test_add_func("/exec/stop-cancels", test_stop_cancels);
    int status = g_test_run();
    ts_cleanup(&srv);
    g_free(busybox);
    g_free(bb_path);
    return status;
}

/*
 * The sandbox runner (server/sandbox.h) without HTTP: busybox and the guest test programs
 * run under each limit, with the namespace sandbox and with the fallback, so that both
 * paths stay working on a host that has namespaces. ctest passes the binaries in
 * $PADDOCK (the emulator) and $PADDOCK_SANDBOX (the helper); guest artifacts come from
 * $PADDOCK_CACHE.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "server/sandbox.h"

typedef struct Fixture {
    char *dir;
    SandboxRunner *runner;
} Fixture;

static char *busybox;
static char *sysroot_dir; /* the riscv64 cross sysroot, for the dynamic hello */

static char *cache_path(const char *rel)
{
    const char *cache = g_getenv("PADDOCK_CACHE");
    g_autofree char *home_cache = g_build_filename(g_get_home_dir(), ".cache/paddock", NULL);
    return g_build_filename(cache ? cache : home_cache, rel, NULL);
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    bool fallback = GPOINTER_TO_INT(data);
    f->dir = g_dir_make_tmp("paddock-sandbox-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    /* The fallback run as root puts the guest under another uid, which must reach it. */
    g_assert_cmpint(g_chmod(f->dir, 0755), ==, 0);
    g_autofree char *run = g_build_filename(f->dir, "run", NULL);
    SandboxConfig cfg = {
        .run_dir = run,
        .helper = g_getenv("PADDOCK_SANDBOX"),
        .emulator = g_getenv("PADDOCK"),
        .max_running = 4,
        .max_queued = 64,
        .no_namespaces = fallback,
    };
    g_autoptr(GError) err = NULL;
    f->runner = sandbox_runner_new(&cfg, &err);
    g_assert_no_error(err);
    g_test_message("protections: %s", sandbox_runner_protections(f->runner));
    g_assert_true(sandbox_runner_namespaces(f->runner) == !fallback);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    sandbox_runner_free(f->runner);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
}

/* busybox with argv0 "busybox" and args; limits small enough for the tests. */
static SandboxSpec *bb_spec(const char *const *args)
{
    SandboxSpec *spec = sandbox_spec_new();
    spec->program = g_strdup(busybox);
    spec->argv0 = g_strdup("busybox");
    for (const char *const *a = args; *a; a++) {
        g_ptr_array_add(spec->args, g_strdup(*a));
    }
    spec->limits.wall_ms = 20000;
    spec->limits.memory_mib = 64;
    spec->limits.output_bytes = 1 << 16;
    return spec;
}

static SandboxResult *run1(Fixture *f, SandboxSpec *spec)
{
    SandboxResult *res = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(sandbox_run(f->runner, &spec, &res, 1, &err));
    g_assert_no_error(err);
    g_test_message("status %s exit %d signal %d wall %" G_GUINT64_FORMAT
                   " ms cpu %" G_GUINT64_FORMAT " ms rss %" G_GINT64_FORMAT " KiB%s%s",
                   sandbox_status_name(res->status), res->exit_code, res->signal, res->wall_ms,
                   res->cpu_ms, res->max_rss_kib, res->message ? ": " : "",
                   res->message ? res->message : "");
    if (res->err->len) {
        g_test_message("stderr: %.*s", (int)MIN(res->err->len, 2000), (char *)res->err->data);
    }
    return res;
}

static char *text(const GByteArray *b)
{
    return g_strndup((const char *)b->data, b->len);
}

static bool need(const char *path)
{
    if (access(path, R_OK) != 0) {
        g_test_fail_printf("missing %s (cmake --build BUILD --target guest-artifacts)", path);
        return false;
    }
    return true;
}

static void test_echo(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){"echo", "hi", NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_cmpint(res->exit_code, ==, 0);
    g_assert_cmpstr(out, ==, "hi\n");
    g_assert_cmpstr(res->arch, ==, "riscv64");
    g_assert_cmpint(res->max_rss_kib, >, 0);
}

static void test_exit_code_stdin_env(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){
        "sh", "-c", "read x; echo \"got $x $FOO $PATH\"; echo oops >&2; exit 3", NULL});
    g_ptr_array_add(spec->env, g_strdup("FOO=bar"));
    spec->stdin_data = g_bytes_new_static("line\n", 5);
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out), *err = text(res->err);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_cmpint(res->exit_code, ==, 3);
    g_assert_cmpstr(out, ==, "got line bar " SANDBOX_DEFAULT_PATH "\n");
    g_assert_cmpstr(err, ==, "oops\n");
}

static void test_signaled(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){"sh", "-c", "kill -9 $$", NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "signaled");
    g_assert_cmpint(res->signal, ==, SIGKILL);
}

static void test_timeout(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec =
        bb_spec((const char *const[]){"sh", "-c", "while :; do :; done", NULL});
    spec->limits.wall_ms = 500;
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "timeout");
    g_assert_cmpuint(res->wall_ms, >=, 500);
    g_assert_cmpuint(res->wall_ms, <, 5000);
    g_assert_cmpuint(res->cpu_ms, >, 100);
}

static void test_memory(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec =
        bb_spec((const char *const[]){"awk", "BEGIN{s=\"x\"; while(1) s = s s}", NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "memory_limit");
}

static void test_output_flood(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){"yes", NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "output_limit");
    g_assert_true(res->out_truncated);
    g_assert_cmpuint(res->out->len, ==, spec->limits.output_bytes);
    g_assert_cmpuint(res->wall_ms, <, 5000);
}

/* A host library the emulator itself loads, where Debian puts it. */
#define HOST_LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

/*
 * The guest's /etc/passwd, ../../etc/passwd and /proc/1/root are not the host's, and
 * neither the host's libraries, the emulator (its host path, or where the namespace
 * sandbox binds it) nor anything else of the host is reachable, with namespaces and
 * without (the emulator's --root confines both).
 */
static void test_confined(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autofree char *script = g_strdup_printf(
        "cat /etc/passwd; cat ../../etc/passwd; cat ../../../../../../etc/passwd; "
        "ls /proc/1/root/etc; ls /root /home; "
        "for f in %s ../../..%s /.paddock/paddock %s /lib64/ld-linux-x86-64.so.2; do "
        "test -e $f && echo \"reached $f\"; done; id -u; echo end",
        HOST_LIBC, HOST_LIBC, g_getenv("PADDOCK"));
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){"sh", "-c", script, NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out), *host = NULL;
    g_assert_true(g_file_get_contents("/etc/passwd", &host, NULL, NULL));
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_null(strstr(out, "root:x:0:0"));
    g_assert_null(strstr(out, host));
    g_assert_null(strstr(out, "reached"));
    g_assert_true(g_str_has_suffix(out, "\nend\n"));
    if (sandbox_runner_namespaces(f->runner)) {
        g_assert_true(g_str_has_suffix(out, "1000\nend\n"));
    }
}

/* The files placed are there, executable; the guest can write its /tmp and its cwd. */
static void test_files(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    g_autofree char *data_path = g_build_filename(f->dir, "data.txt", NULL);
    g_assert_true(g_file_set_contents(data_path, "payload\n", -1, NULL));
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){
        "sh", "-c",
        "cat /in/deep/data.txt; /bin/busybox echo via-bin; echo w > /tmp/w && cat /tmp/w; "
        "echo r > r && cat r",
        NULL});
    SandboxFile files[] = {{g_strdup("/in/deep/data.txt"), g_strdup(data_path)},
                           {g_strdup("/bin/busybox"), g_strdup(busybox)}};
    g_array_append_vals(spec->files, files, G_N_ELEMENTS(files));
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_cmpstr(out, ==, "payload\nvia-bin\nw\nr\n");
}

/* The device nodes a shell wants are in the guest's root (made by mknod in the fallback,
 * which only root may do). */
static void test_dev(Fixture *f, gconstpointer data)
{
    if (!need(busybox)) {
        return;
    }
    if (!sandbox_runner_namespaces(f->runner) && geteuid() != 0) {
        g_test_skip("the fallback makes device nodes only as root");
        return;
    }
    g_autoptr(SandboxSpec) spec = bb_spec((const char *const[]){
        "sh", "-c", "echo gone >/dev/null && head -c 5 /dev/zero | wc -c && ls /dev", NULL});
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_cmpstr(out, ==, "5\nfull\nnull\nrandom\nurandom\nzero\n");
}

/* A dynamic program with the cross sysroot as its read-only lower layer. */
static void test_sysroot(Fixture *f, gconstpointer data)
{
    g_autofree char *hello = cache_path("guest/riscv64/hello-dynamic");
    if (!need(hello) || !need(sysroot_dir)) {
        return;
    }
    g_autoptr(SandboxSpec) spec = sandbox_spec_new();
    spec->program = g_strdup(hello);
    spec->argv0 = g_strdup("hello");
    g_ptr_array_add(spec->args, g_strdup("a"));
    spec->sysroot = g_strdup(sysroot_dir);
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_autofree char *out = text(res->out);
    if (!sandbox_runner_namespaces(f->runner)) {
        g_assert_cmpstr(sandbox_status_name(res->status), ==, "error");
        return;
    }
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "exited");
    g_assert_cmpstr(out, ==, "hello from riscv64\nargc=2\nargv[0]=hello\nargv[1]=a\n");
}

static void test_not_elf(Fixture *f, gconstpointer data)
{
    g_autoptr(SandboxSpec) spec = sandbox_spec_new();
    g_autofree char *path = g_build_filename(f->dir, "script", NULL);
    g_assert_true(g_file_set_contents(path, "#!/bin/sh\necho no\n", -1, NULL));
    spec->program = g_strdup(path);
    spec->argv0 = g_strdup("script");
    g_autoptr(SandboxResult) res = run1(f, spec);
    g_assert_cmpstr(sandbox_status_name(res->status), ==, "error");
    g_assert_nonnull(strstr(res->message, "not an ELF"));
}

/* 50 runs at once through a runner of 4 slots: every one answered, in order. */
static void test_concurrent(Fixture *f, gconstpointer data)
{
    enum { N = 50 };
    if (!need(busybox)) {
        return;
    }
    SandboxSpec *specs[N];
    SandboxResult *results[N];
    for (int i = 0; i < N; i++) {
        g_autofree char *n = g_strdup_printf("%d", i);
        specs[i] = bb_spec((const char *const[]){"echo", n, NULL});
    }
    g_autoptr(GError) err = NULL;
    g_assert_true(sandbox_run(f->runner, specs, results, N, &err));
    for (int i = 0; i < N; i++) {
        g_autofree char *out = text(results[i]->out);
        g_autofree char *want = g_strdup_printf("%d\n", i);
        g_assert_cmpstr(sandbox_status_name(results[i]->status), ==, "exited");
        g_assert_cmpstr(out, ==, want);
        sandbox_result_free(results[i]);
        sandbox_spec_free(specs[i]);
    }
}

/* More than the queue holds is refused whole, and nothing runs. */
static void test_busy(Fixture *f, gconstpointer data)
{
    enum { N = 65 };
    SandboxSpec *specs[N] = {0};
    SandboxResult *results[N] = {0};
    g_autoptr(GError) err = NULL;
    g_assert_false(sandbox_run(f->runner, specs, results, N, &err));
    g_assert_error(err, SANDBOX_ERROR, SANDBOX_ERROR_BUSY);
    g_assert_null(results[0]);
}

/* An unpacked sysroot outlives its blob only while runs hold it. */
static void test_sysroot_lifecycle(void)
{
    g_autofree char *dir = g_dir_make_tmp("paddock-sysroots-XXXXXX", NULL);
    g_autofree char *cmd = g_strdup_printf(
        "mkdir '%s/tree' && echo hi > '%s/tree/f' && tar -C '%s/tree' -cf '%s/t.tar' .", dir, dir,
        dir, dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_autofree char *run = g_build_filename(dir, "run", NULL);
    g_autofree char *roots = g_build_filename(dir, "sysroots", NULL);
    g_autofree char *tar = g_build_filename(dir, "t.tar", NULL);
    SandboxConfig cfg = {.run_dir = run, .sysroot_dir = roots, .no_namespaces = true,
                         .helper = g_getenv("PADDOCK_SANDBOX"), .emulator = g_getenv("PADDOCK")};
    g_autoptr(GError) err = NULL;
    SandboxRunner *r = sandbox_runner_new(&cfg, &err);
    g_assert_no_error(err);
    const char *digest = "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    g_autofree char *unpacked = g_build_filename(roots, strchr(digest, ':') + 1, NULL);

    g_free(sandbox_sysroot(r, digest, tar, &err));
    g_assert_no_error(err);
    sandbox_sysroot_forget(r, digest); /* held: stays until released */
    g_assert_true(g_file_test(unpacked, G_FILE_TEST_IS_DIR));
    sandbox_sysroot_release(r, digest);
    g_assert_false(g_file_test(unpacked, G_FILE_TEST_EXISTS));

    g_free(sandbox_sysroot(r, digest, tar, &err));
    sandbox_sysroot_forget(r, digest);
    g_free(sandbox_sysroot(r, digest, tar, &err)); /* uploaded again meanwhile: kept */
    g_assert_no_error(err);
    sandbox_sysroot_release(r, digest);
    sandbox_sysroot_release(r, digest);
    g_assert_true(g_file_test(unpacked, G_FILE_TEST_IS_DIR));
    sandbox_sysroot_forget(r, digest); /* held by none: goes at once */
    g_assert_false(g_file_test(unpacked, G_FILE_TEST_EXISTS));

    sandbox_runner_free(r);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(rm), ==, 0);
}

static void test_guest_paths(void)
{
    g_assert_true(sandbox_guest_path_valid("/a"));
    g_assert_true(sandbox_guest_path_valid("/usr/lib/x.so"));
    g_assert_true(sandbox_guest_path_valid("/a=b/..c"));
    const char *bad[] = {"",     "/",     "a",       "a/b",   "/a/",  "//a",  "/a//b",
                         "/./a", "/a/..", "/a/../b", "/a\nb", "/a/.", "/\x7f"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(sandbox_guest_path_valid(bad[i]));
    }
}

static void add(const char *name, void (*fn)(Fixture *, gconstpointer))
{
    for (int fallback = 0; fallback < 2; fallback++) {
        g_autofree char *path =
            g_strdup_printf("/exec-sandbox/%s/%s", fallback ? "fallback" : "namespaces", name);
        g_test_add(path, Fixture, GINT_TO_POINTER(fallback), fixture_setup, fn, fixture_teardown);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    busybox = cache_path("busybox/riscv64/busybox");
    sysroot_dir = g_strdup("/usr/riscv64-linux-gnu");
    g_test_add_func("/exec-sandbox/guest-paths", test_guest_paths);
    g_test_add_func("/exec-sandbox/sysroot-lifecycle", test_sysroot_lifecycle);
    add("echo", test_echo);
    add("exit-code-stdin-env", test_exit_code_stdin_env);
    add("signaled", test_signaled);
    add("timeout", test_timeout);
    add("memory", test_memory);
    add("output-flood", test_output_flood);
    add("files", test_files);
    add("dev", test_dev);
    add("sysroot", test_sysroot);
    add("not-elf", test_not_elf);
    add("concurrent", test_concurrent);
    add("busy", test_busy);
    add("confined", test_confined);
    int status = g_test_run();
    g_free(busybox);
    g_free(sysroot_dir);
    return status;
}

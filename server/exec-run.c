/*
 * One sandboxed run from paddockd's side (exec-run.h): the guest's architecture from its
 * ELF header, the command lines of paddock-sandbox and of the emulator under it, the
 * guest's environment, the fallback's scratch directory, and the result made of what the
 * watch saw (exec-watch.c) and what the helper reported (exec-init.h).
 *
 * How the limits are enforced (memory_mib = M):
 *   wall_ms       paddockd's clock: SIGTERM to the run's init, SIGKILL a second later
 *   output_bytes  paddockd counts stdout and stderr as they arrive; beyond, the same end
 *   instructions  the emulators' own budget over the run's shared instruction counter,
 *                 which paddock-sandbox makes for every run (--insn-limit, exec-init.h)
 *   memory_mib    the helper's watch: resident memory of every process of the run plus
 *                 the bytes in its scratch tmpfs, against M + EXEC_EMULATOR_RSS_MIB; the
 *                 scratch tmpfs itself holds at most M; RLIMIT_DATA of M +
 *                 EXEC_EMULATOR_DATA_MIB per process is the backstop (RLIMIT_AS cannot be
 *                 used: the emulator reserves 256 GiB of address space for the guest)
 *   (always)      RLIMIT_NPROC EXEC_MAX_TASKS (processes and threads, counted per run in
 *                 the run's own user namespace), RLIMIT_NOFILE, RLIMIT_FSIZE M,
 *                 RLIMIT_CORE 0, RLIMIT_CPU of the wall clock plus two seconds
 */
#define _GNU_SOURCE
#include "server/exec-run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/exec-init.h"
#include "server/exec-watch.h"
#include "user/run.h"
#include "vmcore/elf.h"

/*
 * What the emulator takes besides the guest. Resident: about 8 MiB measured for busybox
 * (libraries, the used part of the code buffer, the TB tables); 32 allows for a large
 * guest's translations. Writable virtual memory, which RLIMIT_DATA counts: 345 MiB measured
 * (a 256 MiB code buffer reserved NORESERVE, a 64 MiB TB table, the heap), plus an 8 MiB
 * stack per guest thread.
 */
enum {
    EXEC_EMULATOR_RSS_MIB = 32,
    EXEC_EMULATOR_DATA_MIB = 1024,
    EXEC_MAX_TASKS = 64,
    EXEC_MAX_FILES = 1024,
    EXEC_CPU_SLACK_S = 2,
};
/*
 * A sanitizer build of the emulator (built with paddockd, so paddockd knows) reserves
 * terabytes of shadow memory, writable and NORESERVE, which RLIMIT_DATA counts, and its
 * resident baseline is larger: there the backstop is left out and the allowance grows.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EXEC_DATA_BACKSTOP     false
#define EXEC_SANITIZER_RSS_MIB 256
#else
#define EXEC_DATA_BACKSTOP     true
#define EXEC_SANITIZER_RSS_MIB 0
#endif

/* The guest's ids in its user namespace (the helper maps them). */
#define EXEC_GUEST_IDS "1000:1000"

static void run_fail(SandboxResult *res, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void run_fail(SandboxResult *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    res->status = SANDBOX_STATUS_ERROR;
    g_free(res->message);
    res->message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* The program's architecture: its ELF header's, which a requested arch must match. */
static const char *run_arch(const SandboxSpec *spec, SandboxResult *res)
{
    int fd = open(spec->program, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        run_fail(res, "program: cannot open: %s", g_strerror(errno));
        return NULL;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(ElfImage) img = elf_parse_fd(fd, &err);
    close(fd);
    if (!img) {
        run_fail(res, "program: %s", err->message);
        return NULL;
    }
    const UserArch *arch = user_arch_by_machine(img->machine);
    if (!arch) {
        run_fail(res, "program: %s executable; paddock runs %s programs",
                 elf_machine_name(img->machine), user_arch_names());
        return NULL;
    }
    if (spec->arch && strcmp(spec->arch, arch->name) != 0) {
        run_fail(res, "program: %s executable, not %s", arch->name, spec->arch);
        return NULL;
    }
    return arch->name;
}

static void run_add(GPtrArray *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void run_add(GPtrArray *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(a, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static void run_add_rlimits(GPtrArray *a, const ExecEnv *env, const SandboxLimits *l)
{
    if (EXEC_DATA_BACKSTOP) {
        run_add(a, "--rlimit=data=%" G_GUINT64_FORMAT,
                (l->memory_mib + EXEC_EMULATOR_DATA_MIB) << 20);
    }
    run_add(a, "--rlimit=fsize=%" G_GUINT64_FORMAT, l->memory_mib << 20);
    run_add(a, "--rlimit=nofile=%d", EXEC_MAX_FILES);
    run_add(a, "--rlimit=cpu=%" G_GUINT64_FORMAT, l->wall_ms / 1000 + EXEC_CPU_SLACK_S);
    run_add(a, "--rlimit=core=0");
    /* Without namespaces and root, RLIMIT_NPROC would count paddockd's own threads. */
    if (env->namespaces || env->privileged) {
        run_add(a, "--rlimit=nproc=%d", EXEC_MAX_TASKS);
    }
}

/* The guest's environment as paddock-sandbox's --env options: the request's, and a PATH
 * when it has none. paddock-sandbox itself runs with an empty environment (run_no_env). */
static void run_add_guest_env(GPtrArray *a, const SandboxSpec *spec)
{
    bool path = false;
    for (guint i = 0; spec->env && i < spec->env->len; i++) {
        const char *kv = g_ptr_array_index(spec->env, i);
        path = path || g_str_has_prefix(kv, "PATH=");
        run_add(a, "--env=%s", kv);
    }
    if (!path) {
        run_add(a, "--env=PATH=" SANDBOX_DEFAULT_PATH);
    }
}

static char *const run_no_env[] = {NULL};

/* paddock-sandbox's options for spec; root is the guest's root as the emulator sees it. */
static void run_add_helper(GPtrArray *a, const ExecEnv *env, const SandboxSpec *spec,
                           const char *root)
{
    uint64_t mib = spec->limits.memory_mib;
    g_ptr_array_add(a, g_strdup(env->helper));
    if (env->namespaces) {
        run_add(a, "--mount-on=%s", env->run_dir);
        run_add(a, "--scratch-bytes=%" G_GUINT64_FORMAT, mib << 20);
        if (spec->sysroot) {
            run_add(a, "--sysroot=%s", spec->sysroot);
        }
    } else {
        run_add(a, "--root=%s", root);
    }
    run_add(a, "--memory-bytes=%" G_GUINT64_FORMAT,
            (mib + EXEC_EMULATOR_RSS_MIB + EXEC_SANITIZER_RSS_MIB) << 20);
    if (spec->limits.instructions) {
        run_add(a, "--insn-limit=%" G_GUINT64_FORMAT, spec->limits.instructions);
    }
    if (env->privileged && env->namespaces) {
        run_add(a, "--guest-ids=" EXEC_GUEST_IDS);
    } else if (env->privileged) {
        run_add(a, "--guest-ids=%u:%u", (unsigned)env->guest_uid, (unsigned)env->guest_gid);
    } else if (env->namespaces) {
        run_add(a, "--nested-userns");
    }
    run_add(a, "--bind-place"), run_add(a, "%s", SANDBOX_PROGRAM_PATH);
    run_add(a, "%s", spec->program);
    for (guint i = 0; spec->files && i < spec->files->len; i++) {
        const SandboxFile *f = &g_array_index(spec->files, SandboxFile, i);
        run_add(a, "--place"), run_add(a, "%s", f->guest_path), run_add(a, "%s", f->host_path);
    }
    run_add_rlimits(a, env, &spec->limits);
    run_add_guest_env(a, spec);
}

/* The helper's argv (NULL-terminated): its options, then the emulator's command line,
 * which confines the guest to root (`paddock run --root`, user/fs-root.h). */
static GPtrArray *run_argv(const ExecEnv *env, const SandboxSpec *spec, const char *arch,
                           const char *root)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    run_add_helper(a, env, spec, root);
    run_add(a, "--");
    run_add(a, "%s", env->emulator);
    run_add(a, "run"), run_add(a, "--arch=%s", arch), run_add(a, "--root=%s", root);
    run_add(a, "--argv0=%s", spec->argv0);
    run_add(a, "--insn-count-fd=%d", EXEC_INSN_COUNT_FD);
    run_add(a, "--guest-env-fd=%d", EXEC_GUEST_ENV_FD);
    run_add(a, "--"), run_add(a, "%s", SANDBOX_PROGRAM_PATH); /* a guest path in the root */
    for (guint i = 0; spec->args && i < spec->args->len; i++) {
        run_add(a, "%s", (const char *)g_ptr_array_index(spec->args, i));
    }
    g_ptr_array_add(a, NULL);
    return a;
}

/* ---- the fallback's scratch directory ---- */

/* Removes the entries of directory fd but its subdirectories; *sub is the first of those
 * (g_free), or NULL when only it remains empty. */
static bool run_clear_dir(int fd, char **sub)
{
    int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0) {
            close(dfd);
        }
        return false;
    }
    bool ok = true;
    struct dirent *e;
    *sub = NULL;
    while (ok && (e = readdir(d))) {
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            *sub = *sub ? *sub : g_strdup(e->d_name);
        } else {
            ok = unlinkat(fd, e->d_name, 0) == 0;
        }
    }
    closedir(d);
    return ok;
}

/* Iterative, with ".." to climb: a guest may nest directories deeper than any stack. Each
 * directory is made ours (0700) first, since the guest may have taken the permissions. */
bool exec_remove_tree(const char *path)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    int cur = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    bool ok = cur >= 0;
    while (ok) {
        char *sub = NULL;
        ok = fchmod(cur, 0700) == 0 && run_clear_dir(cur, &sub);
        int next = -1;
        if (ok && sub) {
            ok = fchmodat(cur, sub, 0700, 0) == 0 &&
                 (next = openat(cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0;
            g_ptr_array_add(names, sub);
        } else if (ok && names->len > 0) {
            next = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            g_autofree char *name = g_ptr_array_steal_index(names, names->len - 1);
            ok = next >= 0 && unlinkat(next, name, AT_REMOVEDIR) == 0;
        } else if (ok) {
            close(cur);
            return rmdir(path) == 0;
        }
        close(cur);
        cur = next;
    }
    if (cur >= 0) {
        close(cur);
    }
    return false;
}

static char *run_scratch_new(const ExecEnv *env, SandboxResult *res)
{
    char *dir = g_build_filename(env->run_dir, EXEC_SCRATCH_PREFIX "XXXXXX", NULL);
    if (!g_mkdtemp_full(dir, 0700)) {
        run_fail(res, "create a scratch directory in %s: %s", env->run_dir, g_strerror(errno));
        g_free(dir);
        return NULL;
    }
    return dir;
}

static void run_scratch_remove(const char *dir)
{
    if (!exec_remove_tree(dir)) {
        g_warning("sandbox: removing the scratch directory %s: %s", dir, g_strerror(errno));
    }
}

bool exec_clear_dir(const char *dir, const char *prefix, GError **errp)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, errp);
    if (!d) {
        return false;
    }
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_str_has_prefix(name, prefix) && !exec_remove_tree(path)) {
            g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "remove %s: %s", path,
                        g_strerror(errno));
            return false;
        }
    }
    return true;
}

/* ---- the report and the result ---- */

typedef struct ExecReport {
    const char *result; /* NULL: no report */
    const char *message;
    int wstatus;
    bool has_wstatus;
    int64_t cpu_us, maxrss_kib, instructions; /* -1: absent */
} ExecReport;

static int64_t run_report_int(const char *text)
{
    gint64 v;
    return g_ascii_string_to_signed(text, 10, 0, G_MAXINT64, &v, NULL) ? v : -1;
}

/* Splits the report's "key value" lines in place (text must outlive r). */
static void run_parse_report(char *text, ExecReport *r)
{
    *r = (ExecReport){.cpu_us = -1, .maxrss_kib = -1, .instructions = -1};
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *value = strchr(line, ' ');
        if (!value) {
            continue;
        }
        *value++ = '\0';
        if (!strcmp(line, "result")) {
            r->result = value;
        } else if (!strcmp(line, "message")) {
            r->message = value;
        } else if (!strcmp(line, "wstatus")) {
            gint64 v;
            r->has_wstatus = g_ascii_string_to_signed(value, 10, G_MININT, G_MAXINT, &v, NULL);
            r->wstatus = (int)v;
        } else if (!strcmp(line, "cpu_us")) {
            r->cpu_us = run_report_int(value);
        } else if (!strcmp(line, "maxrss_kib")) {
            r->maxrss_kib = run_report_int(value);
        } else if (!strcmp(line, "instructions")) {
            r->instructions = run_report_int(value);
        }
    }
}

static uint64_t run_tv_ms(struct timeval a, struct timeval b)
{
    return ((uint64_t)a.tv_sec + (uint64_t)b.tv_sec) * 1000 +
           ((uint64_t)a.tv_usec + (uint64_t)b.tv_usec) / 1000;
}

/* The status from how the run ended; paddockd's own reason to stop it comes first. */
static void run_status(const ExecOutcome *o, const ExecReport *r, SandboxResult *res)
{
    if (o->stop == SANDBOX_STATUS_ERROR) {
        run_fail(res, "paddockd could not watch the run");
    } else if (o->stop != SANDBOX_N_STATUS) {
        res->status = o->stop;
    } else if (!r->result) {
        run_fail(res, "the sandbox's init ended without a report (%s %d)",
                 o->exit.si_code == CLD_EXITED ? "exit status" : "signal", o->exit.si_status);
    } else if (!strcmp(r->result, "error")) {
        run_fail(res, "%s", r->message ? r->message : "the sandbox failed without a message");
    } else if (!strcmp(r->result, "memory_limit")) {
        res->status = SANDBOX_STATUS_MEMORY_LIMIT;
    } else if (!strcmp(r->result, "instruction_limit")) {
        res->status = SANDBOX_STATUS_TIMEOUT;
        res->instruction_limit = true;
    } else if (r->has_wstatus && WIFEXITED(r->wstatus)) {
        res->status = SANDBOX_STATUS_EXITED;
        res->exit_code = WEXITSTATUS(r->wstatus);
    } else if (r->has_wstatus && WIFSIGNALED(r->wstatus)) {
        res->status = SANDBOX_STATUS_SIGNALED;
        res->signal = WTERMSIG(r->wstatus);
    } else {
        run_fail(res, "the sandbox's init reported '%s'", r->result);
    }
}

static void run_result(ExecOutcome *o, SandboxResult *res)
{
    ExecReport r;
    run_parse_report(o->report->str, &r);
    run_status(o, &r, res);
    res->wall_ms = o->wall_ms;
    res->cpu_ms =
        r.cpu_us >= 0 ? (uint64_t)r.cpu_us / 1000 : run_tv_ms(o->ru.ru_utime, o->ru.ru_stime);
    res->max_rss_kib = r.maxrss_kib;
    res->guest_instructions = r.instructions;
}

/* Starts and watches the helper as argv; the result from what happened. */
static void run_helper(const ExecEnv *env, const SandboxSpec *spec, GPtrArray *argv,
                       SandboxResult *res)
{
    ExecProc p;
    ExecOutcome o = {.report = g_string_new(NULL)};
    g_autoptr(GError) err = NULL;
    if (!exec_start(env, (char *const *)argv->pdata, run_no_env, &p, &err)) {
        run_fail(res, "%s", err->message);
    } else {
        exec_watch(env, &p, spec, res, &o);
        run_result(&o, res);
    }
    g_string_free(o.report, TRUE);
}

void exec_run(const ExecEnv *env, const SandboxSpec *spec, SandboxResult *res)
{
    res->out = g_byte_array_new();
    res->err = g_byte_array_new();
    res->max_rss_kib = -1;
    res->guest_instructions = -1;
    if (!(res->arch = run_arch(spec, res))) {
        return;
    }
    if (spec->sysroot && !env->namespaces) {
        run_fail(res, "a sysroot needs the namespace sandbox, which this host does not allow");
        return;
    }
    g_autofree char *scratch = env->namespaces ? NULL : run_scratch_new(env, res);
    if (!env->namespaces && !scratch) {
        return;
    }
    const char *root = scratch ? scratch : EXEC_GUEST_DIR;
    g_autoptr(GPtrArray) argv = run_argv(env, spec, res->arch, root);
    run_helper(env, spec, argv, res);
    if (scratch) {
        run_scratch_remove(scratch);
    }
}

/* ---- the probe ---- */

bool exec_probe(const ExecEnv *env, GError **errp)
{
    g_autoptr(SandboxSpec) spec = sandbox_spec_new();
    spec->limits = (SandboxLimits){.wall_ms = 10000, .memory_mib = 1, .output_bytes = 4096};
    g_autofree char *lower = g_path_get_dirname(env->emulator);
    g_autofree char *scratch = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(env->helper));
    if (env->namespaces) {
        run_add(argv, "--mount-on=%s", env->run_dir);
        run_add(argv, "--scratch-bytes=%d", 1 << 20);
        run_add(argv, "--sysroot=%s", lower); /* any directory: checks that overlays work */
        run_add(argv, env->privileged ? "--guest-ids=" EXEC_GUEST_IDS : "--nested-userns");
    } else {
        scratch = g_build_filename(env->run_dir, EXEC_SCRATCH_PREFIX "XXXXXX", NULL);
        if (!g_mkdtemp_full(scratch, 0700)) {
            g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "create %s: %s", scratch,
                        g_strerror(errno));
            return false;
        }
        run_add(argv, "--root=%s", scratch);
    }
    run_add(argv, "--probe"), run_add(argv, "--"), run_add(argv, "%s", env->emulator);
    g_ptr_array_add(argv, NULL);
    g_autoptr(SandboxResult) res = g_new0(SandboxResult, 1);
    res->out = g_byte_array_new(), res->err = g_byte_array_new();
    ExecProc p;
    ExecOutcome o = {.report = g_string_new(NULL)};
    bool ok = exec_start(env, (char *const *)argv->pdata, run_no_env, &p, errp);
    if (ok) {
        exec_watch(env, &p, spec, res, &o);
        ExecReport r;
        run_parse_report(o.report->str, &r);
        ok = r.result && !strcmp(r.result, "ready");
        if (!ok) {
            g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "%s",
                        r.message ? r.message : "the sandbox's init did not report");
        }
    }
    g_string_free(o.report, TRUE);
    if (scratch) {
        run_scratch_remove(scratch);
    }
    return ok;
}

/*
 * The runner (sandbox.h): paddockd's server-wide limit on concurrent runs, and the
 * choice, made once at start by a probe, between the namespace sandbox and the fallback.
 *
 * Runs are items of a work queue (server/workq.h) of max_running threads; its queue is the
 * run queue, bounded by max_queued at admission so that nobody waits behind an unbounded
 * backlog. The threads block SIGPIPE (a write to a guest's stdin that finds it gone must
 * not end paddockd) and keep living, which the runs' PR_SET_PDEATHSIG relies on: it fires
 * when the thread that cloned the run ends. One eventfd tells every running run that the
 * runner is stopping; queued runs see the flag and end as cancelled without starting.
 */
#define _GNU_SOURCE
#include "server/sandbox.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "server/exec-run.h"
#include "server/workq.h"
#include "vmcore/thread.h"

G_DEFINE_QUARK(paddock - sandbox - error - quark, sandbox_error)

enum { SANDBOX_QUEUE_DEFAULT = 1024, SANDBOX_NOBODY = 65534 };

static const char *const sandbox_status_names[SANDBOX_N_STATUS] = {
    [SANDBOX_STATUS_EXITED] = "exited",
    [SANDBOX_STATUS_SIGNALED] = "signaled",
    [SANDBOX_STATUS_TIMEOUT] = "timeout",
    [SANDBOX_STATUS_MEMORY_LIMIT] = "memory_limit",
    [SANDBOX_STATUS_OUTPUT_LIMIT] = "output_limit",
    [SANDBOX_STATUS_CANCELLED] = "cancelled",
    [SANDBOX_STATUS_ERROR] = "error",
};

const char *sandbox_status_name(SandboxStatus status)
{
    return status < SANDBOX_N_STATUS ? sandbox_status_names[status] : "error";
}

SandboxSpec *sandbox_spec_new(void)
{
    SandboxSpec *spec = g_new0(SandboxSpec, 1);
    spec->args = g_ptr_array_new_with_free_func(g_free);
    spec->env = g_ptr_array_new_with_free_func(g_free);
    spec->files = g_array_new(FALSE, TRUE, sizeof(SandboxFile));
    spec->limits = (SandboxLimits){SANDBOX_WALL_MS_DEFAULT, SANDBOX_MEMORY_MIB_DEFAULT,
                                   SANDBOX_OUTPUT_BYTES_DEFAULT, 0};
    return spec;
}

void sandbox_spec_free(SandboxSpec *spec)
{
    if (!spec) {
        return;
    }
    for (guint i = 0; i < spec->files->len; i++) {
        SandboxFile *f = &g_array_index(spec->files, SandboxFile, i);
        g_free(f->guest_path);
        g_free(f->host_path);
    }
    g_array_free(spec->files, TRUE);
    g_ptr_array_free(spec->args, TRUE);
    g_ptr_array_free(spec->env, TRUE);
    if (spec->stdin_data) {
        g_bytes_unref(spec->stdin_data);
    }
    g_free(spec->program);
    g_free(spec->arch);
    g_free(spec->argv0);
    g_free(spec->sysroot);
    g_free(spec);
}

void sandbox_result_free(SandboxResult *res)
{
    if (!res) {
        return;
    }
    if (res->out) {
        g_byte_array_free(res->out, TRUE);
    }
    if (res->err) {
        g_byte_array_free(res->err, TRUE);
    }
    g_free(res->message);
    g_free(res);
}

bool sandbox_guest_path_valid(const char *path)
{
    size_t len = strlen(path);
    if (path[0] != '/' || len < 2 || len >= PATH_MAX || path[len - 1] == '/') {
        return false;
    }
    for (const char *p = path; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            return false;
        }
    }
    g_auto(GStrv) parts = g_strsplit(path + 1, "/", -1);
    for (char **c = parts; *c; c++) {
        if (!**c || !strcmp(*c, ".") || !strcmp(*c, "..") || strlen(*c) > NAME_MAX) {
            return false;
        }
    }
    return true;
}

/* ---- the runner ---- */

struct SandboxRunner {
    ExecEnv env;
    char *sysroot_dir;
    pthread_mutex_t sysroot_lock; /* one unpacking at a time, and no run sees half of one */
    GHashTable *sysroot_users;    /* digest -> SysrootUse, for the sysroots runs hold */
    WorkQueue *queue;
    unsigned max_queued;
    pthread_mutex_t lock; /* admission: queued and stopping */
    unsigned queued;
    bool stopping;
    gint running;
    char *protections;
};

/* A sysroot runs hold: removed when the last lets go if its blob was deleted meanwhile. */
typedef struct SysrootUse {
    unsigned users;
    bool doomed;
} SysrootUse;

/* A caller's runs: it waits until left is 0. */
typedef struct SandboxBatch {
    pthread_mutex_t lock;
    pthread_cond_t done;
    size_t left;
} SandboxBatch;

typedef struct SandboxTask {
    const SandboxSpec *spec;
    SandboxResult *res;
    SandboxBatch *batch;
} SandboxTask;

static void sandbox_block_sigpipe(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    int r = pthread_sigmask(SIG_BLOCK, &set, NULL);
    g_assert(r == 0); /* only fails for an invalid how */
}

static void sandbox_cancelled(SandboxResult *res)
{
    res->status = SANDBOX_STATUS_CANCELLED;
    res->out = g_byte_array_new();
    res->err = g_byte_array_new();
    res->max_rss_kib = -1;
    res->guest_instructions = -1;
}

static void sandbox_worker(void *item, void *ctx)
{
    SandboxTask *t = item;
    SandboxRunner *r = ctx;
    sandbox_block_sigpipe();
    mutex_lock(&r->lock);
    r->queued--;
    bool stopping = r->stopping;
    mutex_unlock(&r->lock);
    if (stopping) {
        sandbox_cancelled(t->res);
    } else {
        g_atomic_int_inc(&r->running);
        exec_run(&r->env, t->spec, t->res);
        g_atomic_int_add(&r->running, -1);
    }
    mutex_lock(&t->batch->lock);
    if (--t->batch->left == 0) {
        cond_broadcast(&t->batch->done);
    }
    mutex_unlock(&t->batch->lock);
    g_free(t);
}

static bool sandbox_admit(SandboxRunner *r, size_t n, GError **errp)
{
    mutex_lock(&r->lock);
    bool ok = false;
    if (r->stopping) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_STOPPING, "the server is stopping");
    } else if (n > r->max_queued - r->queued) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_BUSY,
                    "%u runs are queued already; the queue holds %u", r->queued, r->max_queued);
    } else {
        r->queued += (unsigned)n;
        ok = true;
    }
    mutex_unlock(&r->lock);
    return ok;
}

bool sandbox_run(SandboxRunner *r, SandboxSpec *const *specs, SandboxResult **results, size_t n,
                 GError **errp)
{
    if (!sandbox_admit(r, n, errp)) {
        return false;
    }
    SandboxBatch batch = {.left = n};
    mutex_init(&batch.lock);
    cond_init(&batch.done);
    for (size_t i = 0; i < n; i++) {
        results[i] = g_new0(SandboxResult, 1);
        SandboxTask *t = g_new(SandboxTask, 1);
        *t = (SandboxTask){specs[i], results[i], &batch};
        /* The queue closes only in sandbox_runner_free, after every caller has returned. */
        bool queued = workq_push(r->queue, t);
        g_assert(queued);
    }
    mutex_lock(&batch.lock);
    while (batch.left > 0) {
        cond_wait(&batch.done, &batch.lock);
    }
    mutex_unlock(&batch.lock);
    mutex_destroy(&batch.lock);
    cond_destroy(&batch.done);
    return true;
}

void sandbox_runner_cancel(SandboxRunner *r)
{
    mutex_lock(&r->lock);
    bool was = r->stopping;
    r->stopping = true;
    mutex_unlock(&r->lock);
    if (!was && eventfd_write(r->env.cancel_fd, 1) != 0) {
        g_warning("sandbox: signalling the runs to stop: %s", g_strerror(errno));
    }
}

unsigned sandbox_runner_queued(SandboxRunner *r)
{
    mutex_lock(&r->lock);
    unsigned n = r->queued;
    mutex_unlock(&r->lock);
    return n;
}

unsigned sandbox_runner_running(SandboxRunner *r)
{
    return (unsigned)g_atomic_int_get(&r->running);
}

const char *sandbox_runner_protections(const SandboxRunner *r)
{
    return r->protections;
}

bool sandbox_runner_namespaces(const SandboxRunner *r)
{
    return r->env.namespaces;
}

/* ---- start ---- */

/* given, else the first of candidates (relative to this executable's directory) that
 * exists; the real path, since the emulator is bound into the runs' roots at that path. */
static char *sandbox_find(const char *given, const char *const *candidates, GError **errp)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup(".");
    for (const char *const *c = candidates; !given && *c; c++) {
        g_autofree char *path = g_build_filename(dir, *c, NULL);
        if (access(path, X_OK) == 0) {
            return realpath(path, NULL);
        }
    }
    char *real = given ? realpath(given, NULL) : NULL;
    if (!real || access(real, X_OK) != 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "%s not found%s%s",
                    given ? given : candidates[0], given ? "" : " beside ", given ? "" : dir);
        free(real);
        return NULL;
    }
    return real;
}

static bool sandbox_env_init(ExecEnv *env, const SandboxConfig *cfg, GError **errp)
{
    static const char *const helpers[] = {"paddock-sandbox", "../server/paddock-sandbox", NULL};
    /* The static build first (cli/CMakeLists.txt): it starts faster. */
    static const char *const emulators[] = {"paddock-static", "../cli/paddock-static", "paddock",
                                            "../cli/paddock", NULL};
    env->cancel_fd = -1;
    char *helper = sandbox_find(cfg->helper, helpers, errp);
    char *emulator = helper ? sandbox_find(cfg->emulator, emulators, errp) : NULL;
    env->helper = helper ? g_strdup(helper) : NULL;
    env->emulator = emulator ? g_strdup(emulator) : NULL;
    free(helper);
    free(emulator);
    if (!env->emulator) {
        return false;
    }
    env->run_dir = g_canonicalize_filename(cfg->run_dir, NULL);
    /* 0711: a guest of the fallback run as another uid must reach its directory in it */
    if (g_mkdir_with_parents(env->run_dir, 0711) != 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "create %s: %s", env->run_dir,
                    g_strerror(errno));
        return false;
    }
    env->privileged = geteuid() == 0;
    env->guest_uid = cfg->guest_uid ? cfg->guest_uid : SANDBOX_NOBODY;
    env->guest_gid = cfg->guest_gid ? cfg->guest_gid : SANDBOX_NOBODY;
    if ((env->cancel_fd = eventfd(0, EFD_CLOEXEC)) < 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "eventfd: %s", g_strerror(errno));
        return false;
    }
    return exec_clear_dir(env->run_dir, EXEC_SCRATCH_PREFIX, errp);
}

static bool sandbox_sysroot_init(SandboxRunner *r, const SandboxConfig *cfg, GError **errp)
{
    if (!cfg->sysroot_dir) {
        return true;
    }
    r->sysroot_dir = g_canonicalize_filename(cfg->sysroot_dir, NULL);
    if (g_mkdir_with_parents(r->sysroot_dir, 0700) != 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "create %s: %s", r->sysroot_dir,
                    g_strerror(errno));
        return false;
    }
    return exec_clear_dir(r->sysroot_dir, EXEC_UNPACK_PREFIX, errp);
}

char *sandbox_sysroot(SandboxRunner *r, const char *digest, const char *tar, GError **errp)
{
    if (!r->sysroot_dir) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SYSROOT, "no sysroot directory");
        return NULL;
    }
    mutex_lock(&r->sysroot_lock);
    char *dir = exec_sysroot_unpack(&r->env, r->sysroot_dir, digest, tar, errp);
    if (dir) {
        SysrootUse *use = g_hash_table_lookup(r->sysroot_users, digest);
        if (!use) {
            use = g_new0(SysrootUse, 1);
            g_hash_table_insert(r->sysroot_users, g_strdup(digest), use);
        }
        use->users++;
        use->doomed = false; /* the same content again: the tree on disk is still right */
    }
    mutex_unlock(&r->sysroot_lock);
    return dir;
}

void sandbox_sysroot_release(SandboxRunner *r, const char *digest)
{
    mutex_lock(&r->sysroot_lock);
    SysrootUse *use = g_hash_table_lookup(r->sysroot_users, digest);
    g_assert(use && use->users > 0);
    if (--use->users == 0) {
        if (use->doomed) {
            exec_sysroot_remove(r->sysroot_dir, digest);
        }
        g_hash_table_remove(r->sysroot_users, digest);
    }
    mutex_unlock(&r->sysroot_lock);
}

void sandbox_sysroot_forget(SandboxRunner *r, const char *digest)
{
    if (!r->sysroot_dir) {
        return;
    }
    mutex_lock(&r->sysroot_lock);
    SysrootUse *use = g_hash_table_lookup(r->sysroot_users, digest);
    if (use) {
        use->doomed = true;
    } else {
        exec_sysroot_remove(r->sysroot_dir, digest);
    }
    mutex_unlock(&r->sysroot_lock);
}

/* Namespaces unless refused (by the config or by the probe); the fallback must work. */
static bool sandbox_choose(SandboxRunner *r, const SandboxConfig *cfg, GError **errp)
{
    g_autoptr(GError) ns_err = NULL;
    r->env.namespaces = !cfg->no_namespaces;
    if (r->env.namespaces && exec_probe(&r->env, &ns_err)) {
        r->protections = g_strdup_printf(
            "user, pid, mount, network, IPC, UTS and cgroup namespaces; a private root "
            "(tmpfs, sysroot overlay, no host files but the emulator's); guest as %s; "
            "rlimits; memory watch",
            r->env.privileged ? "uid 1000 mapped to an unprivileged host uid"
                              : "uid 1000 of a nested user namespace");
        return true;
    }
    r->env.namespaces = false;
    if (!exec_probe(&r->env, errp)) {
        g_prefix_error(errp, "the fallback sandbox does not work: ");
        return false;
    }
    r->protections = g_strdup_printf(
        "NO namespaces (%s): a session of its own, rlimits, memory watch, %s; the guest can "
        "read the host's files and use its network",
        ns_err ? ns_err->message : "disabled by the configuration",
        r->env.privileged ? "guest as an unprivileged host uid" : "guest as paddockd's user");
    return true;
}

SandboxRunner *sandbox_runner_new(const SandboxConfig *cfg, GError **errp)
{
    SandboxRunner *r = g_new0(SandboxRunner, 1);
    mutex_init(&r->lock);
    mutex_init(&r->sysroot_lock);
    r->sysroot_users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    r->max_queued = cfg->max_queued ? cfg->max_queued : SANDBOX_QUEUE_DEFAULT;
    unsigned running = cfg->max_running ? cfg->max_running : 2 * g_get_num_processors();
    if (!sandbox_env_init(&r->env, cfg, errp) || !sandbox_sysroot_init(r, cfg, errp) ||
        !sandbox_choose(r, cfg, errp) ||
        !(r->queue = workq_new("exec", running, sandbox_worker, r, errp))) {
        sandbox_runner_free(r);
        return NULL;
    }
    return r;
}

void sandbox_runner_free(SandboxRunner *r)
{
    if (!r) {
        return;
    }
    if (r->queue) {
        sandbox_runner_cancel(r);
        workq_free(r->queue);
    }
    if (r->env.cancel_fd >= 0) {
        close(r->env.cancel_fd);
    }
    g_free(r->env.helper);
    g_free(r->env.emulator);
    g_free(r->env.run_dir);
    g_free(r->protections);
    g_free(r->sysroot_dir);
    g_hash_table_destroy(r->sysroot_users);
    mutex_destroy(&r->sysroot_lock);
    mutex_destroy(&r->lock);
    g_free(r);
}

/*
 * paddock-sandbox's main (exec-init.h says why it is an executable of its own): options,
 * the root (exec-root.c), the emulator's process, the watch over the run's memory, the
 * reaping of every process of the run, and the report on fd 3.
 *
 *   --mount-on DIR        build the root in the current (new) namespaces, mounted on DIR
 *   --root DIR            no namespaces: DIR is the guest's root (the fallback)
 *   --sysroot DIR         the read-only lower layer of the guest's root (namespaces)
 *   --scratch-bytes N     size of the guest's writable tmpfs (namespaces)
 *   --memory-bytes N      kill the run when its resident memory plus its scratch files
 *                         exceed N (sampled every INIT_TICK_MS)
 *   --insn-limit N        end the run after N guest instructions (counted always: the
 *                         counter is the emulator's fd EXEC_INSN_COUNT_FD)
 *   --env NAME=VALUE      a variable of the guest's environment, which the emulator reads
 *                         from EXEC_GUEST_ENV_FD (never this process's environment)
 *   --place GUEST HOST    copy the host file HOST to GUEST in the guest's root
 *   --bind-place GUEST HOST  the same, but bound read-only instead when the namespace
 *                         sandbox may and HOST is readable and executable by all (a
 *                         pool blob): no copy to make for each run
 *   --guest-ids UID:GID   the emulator's ids (and the owner of the guest's root)
 *   --nested-userns       run the emulator as uid 1000 of a nested user namespace
 *   --rlimit NAME=N       the emulator's rlimit (soft = hard): data nproc fsize nofile cpu
 *                         core
 *   --probe               build the root and check, as the guest's user, that the emulator
 *                         could run there; report "ready", exit
 *
 * The instruction limit: the emulator processes end themselves when they have spent it
 * (as killed by SIGXCPU); the watch notices the counter's exhausted mark at its next
 * tick and ends the processes that have not yet (blocked in a wait or a read).
 *
 * The memory watch: every tick, the resident pages of every process of the run (its pid
 * namespace, or its session in the fallback) and the bytes in its scratch tmpfs are added
 * up; above the limit the run is killed and reported as memory_limit. RLIMIT_DATA is only
 * the backstop for an allocation burst faster than a tick (paddockd sets it well above).
 */
#define _GNU_SOURCE
#include "server/exec-init.h"
#include "vmcore/env-block.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel/tcg/icount.h"

/* The watch's period, and how many periods processes have to end themselves once the
 * instruction limit is spent (settling their counts) before the watch ends them. */
enum { INIT_TICK_MS = 10, INIT_INSN_GRACE_TICKS = 5 };

static const struct {
    const char *name;
    int resource;
} init_rlimit_names[] = {
    {"data", RLIMIT_DATA},     {"nproc", RLIMIT_NPROC}, {"fsize", RLIMIT_FSIZE},
    {"nofile", RLIMIT_NOFILE}, {"cpu", RLIMIT_CPU},     {"core", RLIMIT_CORE},
};

bool exec_init_fail(ExecInitError *err, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof(err->message)) {
        snprintf(err->message + n, sizeof(err->message) - (size_t)n, ": %s", strerror(saved));
    }
    errno = saved;
    return false;
}

/* ---- options ---- */

static bool init_parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    *out = v;
    return errno == 0 && end != text && *end == '\0' && text[0] != '-';
}

static bool init_parse_rlimit(ExecInitPlan *plan, const char *arg)
{
    const char *eq = strchr(arg, '=');
    uint64_t v;
    if (!eq || !init_parse_u64(eq + 1, &v) ||
        plan->n_rlimits == sizeof(plan->rlimits) / sizeof(plan->rlimits[0])) {
        return false;
    }
    for (size_t i = 0; i < sizeof(init_rlimit_names) / sizeof(init_rlimit_names[0]); i++) {
        if (strlen(init_rlimit_names[i].name) == (size_t)(eq - arg) &&
            !strncmp(arg, init_rlimit_names[i].name, (size_t)(eq - arg))) {
            plan->rlimits[plan->n_rlimits++] = (ExecRlimit){init_rlimit_names[i].resource, v};
            return true;
        }
    }
    return false;
}

/* --place GUEST HOST: HOST is the argument after GUEST's (either may hold any byte). */
static bool init_parse_place(ExecInitPlan *plan, char *arg, int argc, char **argv, bool bind)
{
    if (arg[0] != '/' || optind >= argc || argv[optind][0] != '/') {
        return false;
    }
    plan->places[plan->n_places++] = (ExecPlace){arg, argv[optind++], bind};
    return true;
}

static bool init_parse_ids(ExecInitPlan *plan, const char *arg)
{
    char *end;
    plan->guest_uid = strtol(arg, &end, 10);
    if (end == arg || *end != ':') {
        return false;
    }
    const char *g = end + 1;
    plan->guest_gid = strtol(g, &end, 10);
    return end != g && *end == '\0' && plan->guest_uid >= 0 && plan->guest_gid >= 0;
}

enum {
    OPT_MOUNT_ON = 256,
    OPT_ROOT,
    OPT_SYSROOT,
    OPT_SCRATCH,
    OPT_MEMORY,
    OPT_ENV,
    OPT_PLACE,
    OPT_BIND_PLACE,
    OPT_IDS,
    OPT_NESTED,
    OPT_RLIMIT,
    OPT_PROBE,
    OPT_INSN_LIMIT,
};

static const struct option init_options[] = {
    {"mount-on", required_argument, NULL, OPT_MOUNT_ON},
    {"root", required_argument, NULL, OPT_ROOT},
    {"sysroot", required_argument, NULL, OPT_SYSROOT},
    {"scratch-bytes", required_argument, NULL, OPT_SCRATCH},
    {"memory-bytes", required_argument, NULL, OPT_MEMORY},
    {"env", required_argument, NULL, OPT_ENV},
    {"place", required_argument, NULL, OPT_PLACE},
    {"bind-place", required_argument, NULL, OPT_BIND_PLACE},
    {"guest-ids", required_argument, NULL, OPT_IDS},
    {"nested-userns", no_argument, NULL, OPT_NESTED},
    {"rlimit", required_argument, NULL, OPT_RLIMIT},
    {"probe", no_argument, NULL, OPT_PROBE},
    {"insn-limit", required_argument, NULL, OPT_INSN_LIMIT},
    {NULL, 0, NULL, 0},
};

static bool init_parse_one(ExecInitPlan *plan, int opt, char *arg, int argc, char **argv)
{
    switch (opt) {
    case OPT_MOUNT_ON: plan->namespaces = true, plan->mount_on = arg; return true;
    case OPT_ROOT: plan->root = arg; return true;
    case OPT_SYSROOT: plan->sysroot = arg; return true;
    case OPT_SCRATCH: return init_parse_u64(arg, &plan->scratch_bytes);
    case OPT_MEMORY: return init_parse_u64(arg, &plan->memory_bytes);
    case OPT_ENV: plan->guest_env[plan->n_guest_env++] = arg; return true;
    case OPT_PLACE: return init_parse_place(plan, arg, argc, argv, false);
    case OPT_BIND_PLACE: return init_parse_place(plan, arg, argc, argv, true);
    case OPT_IDS: return init_parse_ids(plan, arg);
    case OPT_NESTED: plan->nested_userns = true; return true;
    case OPT_RLIMIT: return init_parse_rlimit(plan, arg);
    case OPT_PROBE: plan->probe = true; return true;
    case OPT_INSN_LIMIT: return init_parse_u64(arg, &plan->insn_limit);
    default: return false;
    }
}

static bool init_parse(ExecInitPlan *plan, int argc, char **argv, ExecInitError *err)
{
    plan->guest_uid = plan->guest_gid = -1;
    plan->places = calloc((size_t)argc, sizeof(*plan->places));
    plan->guest_env = calloc((size_t)argc, sizeof(*plan->guest_env));
    if (!plan->places || !plan->guest_env) {
        return exec_init_fail(err, "allocate the options");
    }
    int opt;
    while ((opt = getopt_long(argc, argv, "+", init_options, NULL)) != -1) {
        if (!init_parse_one(plan, opt, optarg, argc, argv)) {
            errno = EINVAL;
            return exec_init_fail(err, "bad option %s %s", argv[optind - 1], optarg ? optarg : "");
        }
    }
    plan->emu_argv = argv + optind;
    errno = EINVAL;
    if (plan->namespaces == (plan->root != NULL)) {
        return exec_init_fail(err, "exactly one of --mount-on and --root is needed");
    }
    if (!plan->emu_argv[0] || plan->emu_argv[0][0] != '/') {
        return exec_init_fail(err, "the emulator must be given as an absolute path");
    }
    if (plan->sysroot && !plan->namespaces) {
        return exec_init_fail(err, "--sysroot needs namespaces");
    }
    return true;
}

/* ---- the emulator's process ---- */

static bool init_write_file(const char *path, const char *text, ExecInitError *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return exec_init_fail(err, "open %s", path);
    }
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) || exec_init_fail(err, "write %s", path);
}

/* Uid and gid 1000 of a new user namespace, mapped to ours: the guest owns what we own and
 * has no capability left once it executes the emulator. */
static bool init_nested_userns(ExecInitError *err)
{
    if (unshare(CLONE_NEWUSER) != 0) {
        return exec_init_fail(err, "unshare the nested user namespace");
    }
    return init_write_file("/proc/self/setgroups", "deny", err) &&
           init_write_file("/proc/self/uid_map", "1000 0 1", err) &&
           init_write_file("/proc/self/gid_map", "1000 0 1", err);
}

static bool init_drop_privileges(const ExecInitPlan *plan, ExecInitError *err)
{
    if (plan->nested_userns) {
        return init_nested_userns(err);
    }
    if (plan->guest_uid < 0) {
        return true;
    }
    uid_t uid = (uid_t)plan->guest_uid;
    gid_t gid = (gid_t)plan->guest_gid;
    if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0) {
        return exec_init_fail(err, "set the guest's group %u", (unsigned)gid);
    }
    return setresuid(uid, uid, uid) == 0 ||
           exec_init_fail(err, "set the guest's user %u", (unsigned)uid);
}

static bool init_set_rlimits(const ExecInitPlan *plan, ExecInitError *err)
{
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        struct rlimit rl = {plan->rlimits[i].value, plan->rlimits[i].value};
        if (setrlimit(plan->rlimits[i].resource, &rl) != 0) {
            return exec_init_fail(err, "setrlimit %d", plan->rlimits[i].resource);
        }
    }
    return true;
}

/* Every signal back to its default action and unblocked: the guest starts as from a
 * clean execve, whatever paddockd ignored or blocked. */
static bool init_reset_signals(ExecInitError *err)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigaction(sig, &dfl, NULL) != 0 && errno != EINVAL) {
            return exec_init_fail(err, "reset signal %d", sig);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL) == 0 || exec_init_fail(err, "unblock signals");
}

/* --probe: what the guest's user must be able to do, checked as that user. */
static bool init_probe_access(const ExecInitPlan *plan, ExecInitError *err)
{
    const char *root = plan->namespaces ? EXEC_GUEST_DIR : plan->root;
    if (access(plan->emu_argv[0], X_OK) != 0) {
        return exec_init_fail(err, "the guest's user cannot execute %s", plan->emu_argv[0]);
    }
    return access(root, W_OK | X_OK) == 0 ||
           exec_init_fail(err, "the guest's user cannot write to its root %s", root);
}

/* fd as the emulator's fd target, left open on exec (status_fd moved out of its way
 * first, above both); fd itself is closed. */
static bool init_pass_fd(int fd, int target, int *status_fd, const char *what, ExecInitError *err)
{
    if (*status_fd == target &&
        (*status_fd = fcntl(*status_fd, F_DUPFD_CLOEXEC, EXEC_GUEST_ENV_FD + 1)) < 0) {
        return exec_init_fail(err, "move the status pipe");
    }
    if (fd == target) {
        return fcntl(fd, F_SETFD, 0) == 0 || exec_init_fail(err, "pass %s", what);
    }
    if (dup2(fd, target) != target) {
        return exec_init_fail(err, "pass %s", what);
    }
    return close(fd) == 0 || exec_init_fail(err, "close %s's first fd", what);
}

/* The run's instruction counter (none with --probe) and the guest's environment, at the
 * fds the emulator's command line names. */
static bool init_pass_fds(const ExecInitPlan *plan, int count_fd, int *status_fd,
                          ExecInitError *err)
{
    if (count_fd >= 0 &&
        !init_pass_fd(count_fd, EXEC_INSN_COUNT_FD, status_fd, "the counter", err)) {
        return false;
    }
    int env_fd = env_block_memfd(plan->guest_env, plan->n_guest_env);
    if (env_fd < 0) {
        return exec_init_fail(err, "write the guest's environment");
    }
    return init_pass_fd(env_fd, EXEC_GUEST_ENV_FD, status_fd, "the guest's environment", err);
}

/* In the forked child: becomes the emulator (with --probe: checks that it could), or
 * writes why not to status_fd. */
static _Noreturn void init_exec_emulator(const ExecInitPlan *plan, int count_fd, int status_fd)
{
    ExecInitError err;
    if (init_pass_fds(plan, count_fd, &status_fd, &err) && init_drop_privileges(plan, &err) &&
        init_set_rlimits(plan, &err) && init_reset_signals(&err) &&
        (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 || exec_init_fail(&err, "no_new_privs"))) {
        if (plan->namespaces) {
            plan->emu_argv[0] = (char *)EXEC_EMULATOR_PATH; /* our argv: ours to change */
        }
        if (plan->probe && init_probe_access(plan, &err)) {
            _exit(0);
        } else if (!plan->probe) {
            char *const no_env[] = {NULL};
            execve(plan->emu_argv[0], plan->emu_argv, no_env);
            exec_init_fail(&err, "execute %s", plan->emu_argv[0]);
        }
    }
    ssize_t n = write(status_fd, err.message, strlen(err.message));
    _exit(n >= 0 ? 127 : 126);
}

/* ---- the watch ---- */

typedef struct InitRun {
    pid_t emu;
    int pidfd, sigfd;
    int count_fd;    /* the instruction counter (a memfd), or -1 (--probe) */
    InsnPool *insns; /* mapped */
    int emu_status;
    bool emu_done, memory_exceeded, killed;
    uint64_t cpu_us;
    long maxrss_kib;
} InitRun;

static uint64_t init_tv_us(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* Reaps the children that have ended (flags 0: all of them, waiting), adding up their
 * usage; notes the emulator's status. */
static void init_reap(InitRun *run, int flags)
{
    int status;
    struct rusage ru;
    pid_t pid;
    while ((pid = wait4(-1, &status, flags | __WALL, &ru)) > 0) {
        run->cpu_us += init_tv_us(ru.ru_utime) + init_tv_us(ru.ru_stime);
        run->maxrss_kib = ru.ru_maxrss > run->maxrss_kib ? ru.ru_maxrss : run->maxrss_kib;
        if (pid == run->emu) {
            run->emu_status = status;
            run->emu_done = true;
        }
    }
}

/* Resident bytes of process pid when it belongs to the run (any process of the pid
 * namespace; in the fallback, of our session), else 0. */
static uint64_t init_process_resident(const char *pid, bool namespaces)
{
    char path[32 + NAME_MAX], buf[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0; /* gone since the directory was read */
    }
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    char *paren = n > 0 ? (buf[n] = '\0', strrchr(buf, ')')) : NULL;
    int session;
    long rss;
    if (!paren || sscanf(paren + 1,
                         " %*c %*d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                         "%*d %*d %*u %*u %ld",
                         &session, &rss) != 2) {
        return 0;
    }
    if (!namespaces && session != getsid(0)) {
        return 0;
    }
    return rss > 0 ? (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static uint64_t init_resident(const ExecInitPlan *plan)
{
    DIR *d = opendir("/proc");
    if (!d) {
        return 0;
    }
    char self[16];
    snprintf(self, sizeof(self), "%d", (int)getpid());
    uint64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, self) != 0) {
            total += init_process_resident(e->d_name, plan->namespaces);
        }
    }
    closedir(d);
    return total;
}

/* Fallback: SIGKILL to each child; true when there was one. Their children become ours
 * (we are a subreaper), so repeating this ends every process of the run that stayed out
 * of reach of its process group. */
static bool init_kill_children(void)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0) {
        close(fd);
    }
    bool any = false;
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p) {
            break;
        }
        any = kill((pid_t)pid, SIGKILL) == 0 || any;
    }
    return any;
}

static void init_kill_all(const ExecInitPlan *plan, InitRun *run)
{
    if (plan->namespaces) {
        kill(-1, SIGKILL); /* pid 1 of a pid namespace: everyone else in it; ESRCH if none */
        init_reap(run, 0);
        return;
    }
    while (init_kill_children()) {
        init_reap(run, 0);
    }
    init_reap(run, WNOHANG);
}

static bool init_insn_limit_spent(const InitRun *run)
{
    return run->insns && icount_pool_exhausted(run->insns);
}

static void init_watch(const ExecInitPlan *plan, InitRun *run)
{
    struct pollfd pfd[2] = {{run->pidfd, POLLIN, 0}, {run->sigfd, POLLIN, 0}};
    unsigned spent_ticks = 0;
    while (!run->emu_done) {
        if (poll(pfd, 2, INIT_TICK_MS) < 0 && errno != EINTR) {
            run->killed = true; /* cannot watch: end the run rather than let it go unwatched */
            break;
        }
        if (pfd[1].revents & POLLIN) {
            run->killed = true;
            break;
        }
        init_reap(run, WNOHANG);
        if (!run->emu_done && plan->memory_bytes &&
            init_resident(plan) + exec_root_scratch_used(plan) > plan->memory_bytes) {
            run->memory_exceeded = true;
            break;
        }
        if (init_insn_limit_spent(run) && ++spent_ticks > INIT_INSN_GRACE_TICKS) {
            break;
        }
    }
    init_kill_all(plan, run);
}

/* ---- the report ---- */

/* The message on one line, whatever the paths in it hold. */
static void init_report_error(char *message)
{
    for (char *p = message; *p; p++) {
        *p = *p == '\n' ? ' ' : *p;
    }
    if (dprintf(EXEC_REPORT_FD, "result error\nmessage %s\n", message) < 0) {
        exit(EXEC_INIT_EXIT_FAILED); /* paddockd reports the exit status instead */
    }
}

static int init_report_run(const InitRun *run)
{
    const char *result = run->killed                    ? "killed"
                         : run->memory_exceeded         ? "memory_limit"
                         : init_insn_limit_spent(run)   ? "instruction_limit"
                         : WIFSIGNALED(run->emu_status) ? "signaled"
                                                        : "exited";
    int n = dprintf(EXEC_REPORT_FD, "result %s\nwstatus %d\ncpu_us %" PRIu64 "\nmaxrss_kib %ld\n",
                    result, run->emu_status, run->cpu_us, run->maxrss_kib);
    if (n > 0 && run->insns) {
        n = dprintf(EXEC_REPORT_FD, "instructions %" PRIu64 "\n", icount_pool_total(run->insns));
    }
    return n > 0 ? 0 : EXEC_INIT_EXIT_FAILED;
}

/* Forks the emulator; returns false with err set when it could not be executed. */
static bool init_start(const ExecInitPlan *plan, InitRun *run, ExecInitError *err)
{
    int status[2];
    if (pipe2(status, O_CLOEXEC) != 0) {
        return exec_init_fail(err, "pipe");
    }
    run->emu = fork();
    if (run->emu == 0) {
        close(status[0]);
        init_exec_emulator(plan, run->count_fd, status[1]);
    }
    close(status[1]);
    if (run->emu < 0) {
        close(status[0]);
        return exec_init_fail(err, "fork the emulator");
    }
    ssize_t n = read(status[0], err->message, sizeof(err->message) - 1);
    close(status[0]);
    if (n > 0) {
        err->message[n] = '\0';
        init_reap(run, 0);
        return false;
    }
    /* stdio is the emulator's now: the guest's pipes end when its last process does */
    for (int fd = 0; fd < 3; fd++) {
        close(fd);
    }
    run->pidfd = pidfd_open(run->emu, 0);
    return run->pidfd >= 0 || exec_init_fail(err, "pidfd_open");
}

/* The run's instruction counter: a memfd holding a zeroed InsnPool with the limit. */
static bool init_counter(const ExecInitPlan *plan, InitRun *run, ExecInitError *err)
{
    run->count_fd = memfd_create("paddock-insn-count", MFD_CLOEXEC);
    if (run->count_fd < 0 || ftruncate(run->count_fd, ICOUNT_POOL_SIZE) != 0) {
        return exec_init_fail(err, "create the instruction counter");
    }
    void *m = mmap(NULL, ICOUNT_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, run->count_fd, 0);
    if (m == MAP_FAILED) {
        return exec_init_fail(err, "map the instruction counter");
    }
    run->insns = m;
    atomic_store(&run->insns->limit, plan->insn_limit);
    return true;
}

/* SIGTERM from paddockd arrives on a signalfd; the fallback adopts orphans of the run. The
 * report's fd is closed on exec, so that no guest can write a report of its own. */
static bool init_prepare(const ExecInitPlan *plan, InitRun *run, ExecInitError *err)
{
    if (!plan->probe && !init_counter(plan, run, err)) {
        return false;
    }
    if (fcntl(EXEC_REPORT_FD, F_SETFD, FD_CLOEXEC) != 0) {
        return exec_init_fail(err, "close the report's fd on exec");
    }
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &term, NULL) != 0 ||
        (run->sigfd = signalfd(-1, &term, SFD_CLOEXEC)) < 0) {
        return exec_init_fail(err, "signalfd");
    }
    umask(022);
    return plan->namespaces || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ||
           exec_init_fail(err, "become a subreaper");
}

/* --unpack-tar TAR DIR: exit status 0, or 1 with the reason on stderr. */
static int init_unpack(int argc, char **argv)
{
    ExecInitError err;
    if (argc != 4) {
        fprintf(stderr, "usage: paddock-sandbox --unpack-tar TAR DIR\n");
        return 2;
    }
    umask(022);
    if (!exec_tar_unpack(argv[2], argv[3], &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--unpack-tar")) {
        return init_unpack(argc, argv);
    }
    ExecInitPlan plan = {0};
    InitRun run = {.pidfd = -1, .sigfd = -1, .count_fd = -1};
    ExecInitError err;
    if (!init_parse(&plan, argc, argv, &err) || !init_prepare(&plan, &run, &err) ||
        !exec_root_build(&plan, &err)) {
        init_report_error(err.message);
        return 0;
    }
    if (!init_start(&plan, &run, &err)) {
        init_report_error(err.message);
        return 0;
    }
    if (plan.probe) {
        init_reap(&run, 0);
        return dprintf(EXEC_REPORT_FD, "result ready\n") > 0 ? 0 : EXEC_INIT_EXIT_FAILED;
    }
    init_watch(&plan, &run);
    return init_report_run(&run);
}

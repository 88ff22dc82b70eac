/*
 * Starting paddock-sandbox and watching it, from one of the runner's threads.
 *
 * The start: clone into the run's namespaces (CLONE_PIDFD, no exit signal, so that no
 * waitpid(-1) elsewhere in paddockd can reap it and a pidfd is all we wait on; CLONE_VM,
 * see exec_clone). The child of a multithreaded process may only make async-signal-safe
 * calls before it executes, so
 * everything it needs is prepared here and it only moves fds, writes its id maps (or
 * waits for ours, when paddockd is root and maps the guest to another host uid), and
 * executes the helper. Its fds: 0-2 the guest's stdio pipes, 3 the report pipe; all else
 * closed, the server's fds and other runs' pipes included.
 *
 * The watch: one poll loop feeds stdin, keeps stdout and stderr up to the output limit,
 * and reads the report. The wall clock, the output limit and the runner's cancel end a
 * run with SIGTERM to its init, which kills and reaps the run and still reports; SIGKILL
 * follows after EXEC_TERM_GRACE_MS. The helper is always reaped here, with its rusage.
 */
#define _GNU_SOURCE
#include "server/exec-watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "server/exec-init.h"

enum {
    EXEC_TERM_GRACE_MS = 1000, /* from SIGTERM to SIGKILL */
    EXEC_DRAIN_MS = 500,       /* after the init's end, for output still in flight */
    EXEC_IO_CHUNK = 64 * 1024,
    EXEC_CHILD_STACK = 64 * 1024, /* the clone child's, until it executes the helper */
};

/* ---- the clone child: async-signal-safe calls only ---- */

typedef struct ExecChild {
    int fds[4];          /* become 0-3: the guest's stdin, stdout, stderr, and the report */
    int sync_fd;         /* privileged: one byte arrives once paddockd wrote the id maps */
    int exec_fd;         /* close-on-exec: its closing tells paddockd the child is done */
    const char *uid_map; /* unprivileged namespaces: the child writes its own maps */
    const char *gid_map;
    const char *helper;
    char *const *argv;
    char *const *envp;
} ExecChild;

static void exec_child_say(const char *s)
{
    ssize_t n = write(EXEC_REPORT_FD, s, strlen(s));
    (void)n; /* nothing more to do if the report pipe is gone too */
}

static _Noreturn void exec_child_fail(const char *what)
{
    const char *why = strerrordesc_np(errno);
    exec_child_say("result error\nmessage starting the sandbox: ");
    exec_child_say(what);
    exec_child_say(": ");
    exec_child_say(why ? why : "unknown error");
    exec_child_say("\n");
    _exit(EXEC_INIT_EXIT_FAILED);
}

static bool exec_child_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text);
}

/* fds[] to 0-3, sync_fd to 4 and exec_fd to 5 (still close-on-exec), through copies
 * above them, since they may overlap. */
static void exec_child_fds(const ExecChild *c)
{
    enum { N = 6 };
    int tmp[N];
    for (int i = 0; i < N; i++) {
        int fd = i < 4 ? c->fds[i] : i == 4 ? c->sync_fd : c->exec_fd;
        tmp[i] = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 16) : -1;
        if (fd >= 0 && tmp[i] < 0) {
            _exit(EXEC_INIT_EXIT_FAILED);
        }
    }
    for (int i = 0; i < N; i++) {
        if (tmp[i] >= 0 && dup3(tmp[i], i, i == 5 ? O_CLOEXEC : 0) < 0) {
            _exit(EXEC_INIT_EXIT_FAILED);
        }
    }
    if (close_range(N, ~0u, 0) != 0) {
        exec_child_fail("close the server's fds");
    }
}

/*
 * Every signal paddockd catches back to SIG_DFL (ignored ones stay ignored, as across an
 * execve): until the execve we share paddockd's memory, where its handlers would run.
 * All signals are blocked since before the clone, so none can arrive before this.
 * sigaction refuses glibc's internal signals (EINVAL); those go to paddockd's threads by
 * tid only, never to us.
 */
static void exec_child_default_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction old;
        if (sigaction(sig, NULL, &old) != 0 || old.sa_handler == SIG_DFL ||
            old.sa_handler == SIG_IGN) {
            continue;
        }
        if (sigaction(sig, &dfl, NULL) != 0) {
            exec_child_fail("reset the server's signal handlers");
        }
    }
}

static _Noreturn void exec_child(const ExecChild *c)
{
    exec_child_fds(c);
    exec_child_default_signals();
    if (c->sync_fd >= 0) {
        char b;
        if (read(4, &b, 1) != 1) {
            _exit(EXEC_INIT_EXIT_FAILED); /* paddockd gave up on us */
        }
        close(4);
    } else if (c->uid_map && (!exec_child_write("/proc/self/setgroups", "deny") ||
                              !exec_child_write("/proc/self/uid_map", c->uid_map) ||
                              !exec_child_write("/proc/self/gid_map", c->gid_map))) {
        exec_child_fail("write the user namespace's id maps");
    }
    if (setsid() < 0) {
        exec_child_fail("setsid");
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        exec_child_fail("set the parent-death signal");
    }
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) {
        exec_child_fail("unblock signals");
    }
    execve(c->helper, c->argv, c->envp);
    exec_child_fail(c->helper);
}

/* ---- the start ---- */

/* A pipe whose end ours (0 or 1: paddockd's) is non-blocking; the child's end is not, as a
 * guest expects of its stdio. */
static bool exec_pipe(int fds[2], int ours, GError **errp)
{
    if (pipe2(fds, O_CLOEXEC) != 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "pipe: %s", g_strerror(errno));
        return false;
    }
    int fl = fcntl(fds[ours], F_GETFL);
    if (fl < 0 || fcntl(fds[ours], F_SETFL, fl | O_NONBLOCK) != 0) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "O_NONBLOCK on a pipe: %s",
                    g_strerror(errno));
        return false;
    }
    return true;
}

static void exec_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* sig to the run's init; that it has ended already (ESRCH) is no failure. */
static void exec_signal(int pidfd, int sig)
{
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) != 0 && errno != ESRCH) {
        g_warning("sandbox: signal %d to a run's init: %s", sig, g_strerror(errno));
    }
}

/* Writes the maps of the child's user namespace: uid and gid 0 are ours (the helper keeps
 * root's access to the pool), 1000 is the guest's unprivileged host id. */
static bool exec_write_maps(const ExecEnv *env, pid_t pid, GError **errp)
{
    g_autofree char *uid_path = g_strdup_printf("/proc/%d/uid_map", (int)pid);
    g_autofree char *gid_path = g_strdup_printf("/proc/%d/gid_map", (int)pid);
    g_autofree char *uid_map = g_strdup_printf("0 0 1\n1000 %u 1\n", (unsigned)env->guest_uid);
    g_autofree char *gid_map = g_strdup_printf("0 0 1\n1000 %u 1\n", (unsigned)env->guest_gid);
    GError *err = NULL;
    if (!g_file_set_contents_full(uid_path, uid_map, -1, G_FILE_SET_CONTENTS_NONE, 0, &err) ||
        !g_file_set_contents_full(gid_path, gid_map, -1, G_FILE_SET_CONTENTS_NONE, 0, &err)) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "id maps of the sandbox: %s",
                    err->message);
        g_error_free(err);
        return false;
    }
    return true;
}

static uint64_t exec_clone_flags(const ExecEnv *env)
{
    return env->namespaces ? CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET |
                                 CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
                           : 0;
}

static int exec_child_main(void *c)
{
    exec_child(c);
}

/*
 * Clones the child; returns its pid (pidfd in *pidfd) or -1 with errno. The child shares
 * our memory until it executes, on a stack of its own, as posix_spawn's does: copying
 * paddockd's page tables for a process that keeps none of them cost more than the rest of
 * the start. It only reads c, which stays in place until exec_wait_child says it is done,
 * and until then writes nothing of ours but errno, and that only on its way to _exit.
 * As in posix_spawn, it starts with every signal blocked, so that none runs one of
 * paddockd's handlers before the child has reset them (exec_child_default_signals).
 */
static pid_t exec_clone(const ExecEnv *env, const ExecChild *c, void *stack, int *pidfd)
{
    sigset_t all, old;
    sigfillset(&all);
    int err = pthread_sigmask(SIG_SETMASK, &all, &old);
    if (err != 0) {
        errno = err;
        return -1;
    }
    int flags = (int)exec_clone_flags(env) | CLONE_VM | CLONE_PIDFD;
    pid_t pid = clone(exec_child_main, (char *)stack + EXEC_CHILD_STACK, flags, (void *)c, pidfd);
    int clone_err = errno;
    err = pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        g_warning("sandbox: restoring the signal mask after a clone: %s", g_strerror(err));
    }
    errno = clone_err;
    return pid;
}

/*
 * Under AddressSanitizer the child poisoned its frames in the shadow memory it shares with
 * us; the addresses get reused once unmapped, so their shadow is cleared first.
 */
static void exec_free_child_stack(void *stack)
{
    if (!stack) {
        return;
    }
#ifdef __SANITIZE_ADDRESS__
    ASAN_UNPOISON_MEMORY_REGION(stack, EXEC_CHILD_STACK);
#endif
    if (munmap(stack, EXEC_CHILD_STACK) != 0) {
        g_warning("sandbox: unmapping a clone stack: %s", g_strerror(errno));
    }
}

/* Until the child has executed or ended: the read end of its exec_fd sees end of file. */
static void exec_wait_child(int exec_r)
{
    char b;
    while (read(exec_r, &b, 1) < 0 && errno == EINTR) {
    }
}

/* The unprivileged maps: our one uid and gid are root of the new namespace. */
static void exec_own_maps(const ExecEnv *env, char uid_map[32], char gid_map[32])
{
    g_snprintf(uid_map, 32, "0 %u 1", (unsigned)getuid());
    g_snprintf(gid_map, 32, "0 %u 1", (unsigned)getgid());
}

/* After the clone: maps (privileged), then the go-ahead; SIGKILL and reap on failure. */
static bool exec_after_clone(const ExecEnv *env, ExecProc *p, int sync_w, GError **errp)
{
    bool ok = !env->privileged || !env->namespaces || exec_write_maps(env, p->pid, errp);
    if (ok && sync_w >= 0 && write(sync_w, "g", 1) != 1) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "start the sandbox: %s",
                    g_strerror(errno));
        ok = false;
    }
    if (!ok) {
        exec_signal(p->pidfd, SIGKILL);
        siginfo_t info;
        while (waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &info, WEXITED | __WALL) != 0 &&
               errno == EINTR) {
        }
        exec_close(&p->pidfd);
    }
    return ok;
}

bool exec_start(const ExecEnv *env, char *const *argv, char *const *envp, ExecProc *p,
                GError **errp)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, rep[2] = {-1, -1};
    int sync[2] = {-1, -1}, done[2] = {-1, -1};
    bool need_sync = env->namespaces && env->privileged;
    char uid_map[32], gid_map[32];
    exec_own_maps(env, uid_map, gid_map);
    ExecChild c = {
        .sync_fd = -1,
        .uid_map = env->namespaces && !env->privileged ? uid_map : NULL,
        .gid_map = gid_map,
        .helper = env->helper,
        .argv = argv,
        .envp = envp,
    };
    void *stack = mmap(NULL, EXEC_CHILD_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    bool ok = stack != MAP_FAILED;
    if (!ok) {
        stack = NULL;
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "a stack for the clone: %s",
                    g_strerror(errno));
    }
    ok = ok && exec_pipe(in, 1, errp) && exec_pipe(out, 0, errp) && exec_pipe(err, 0, errp) &&
         exec_pipe(rep, 0, errp) && (!need_sync || exec_pipe(sync, 1, errp)) &&
         exec_pipe(done, 1, errp);
    p->pidfd = -1;
    p->pid = -1;
    if (ok) {
        c.fds[0] = in[0], c.fds[1] = out[1], c.fds[2] = err[1], c.fds[3] = rep[1];
        c.sync_fd = sync[0], c.exec_fd = done[1];
        p->pid = exec_clone(env, &c, stack, &p->pidfd);
        if (p->pid < 0) {
            g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "clone the sandbox: %s",
                        g_strerror(errno));
            ok = false;
        }
    }
    /* Ours only: the child has its own table of fds (but reads c until it is done). */
    exec_close(&in[0]), exec_close(&out[1]), exec_close(&err[1]), exec_close(&rep[1]);
    exec_close(&sync[0]), exec_close(&done[1]);
    ok = ok && exec_after_clone(env, p, sync[1], errp);
    if (p->pid > 0) {
        exec_wait_child(done[0]);
    }
    exec_free_child_stack(stack);
    exec_close(&sync[1]), exec_close(&done[0]);
    p->in_w = in[1], p->out_r = out[0], p->err_r = err[0], p->rep_r = rep[0];
    if (!ok) {
        exec_close(&p->in_w), exec_close(&p->out_r), exec_close(&p->err_r);
        exec_close(&p->rep_r);
    }
    return ok;
}

/* ---- the watch ---- */

typedef struct ExecWatch {
    const ExecEnv *env;
    ExecProc *p;
    SandboxResult *res;
    ExecOutcome *o;
    const uint8_t *in; /* stdin still to write: in[in_off..in_len) */
    size_t in_len, in_off;
    uint64_t limit, kept; /* output_bytes, and bytes kept of stdout and stderr */
    gint64 start, deadline, kill_at, drain_until; /* monotonic µs */
    bool exited;
    uint8_t *buf; /* EXEC_IO_CHUNK */
} ExecWatch;

/* Ends the run for why (the first reason stays): SIGTERM to its init, SIGKILL later. */
static void watch_stop(ExecWatch *w, SandboxStatus why)
{
    if (w->o->stop != SANDBOX_N_STATUS) {
        return;
    }
    w->o->stop = why;
    if (!w->exited) {
        exec_signal(w->p->pidfd, SIGTERM);
        w->kill_at = g_get_monotonic_time() + EXEC_TERM_GRACE_MS * 1000;
    }
}

static void watch_kill(ExecWatch *w)
{
    exec_signal(w->p->pidfd, SIGKILL);
    /* the fallback's session: the helper's pid is its process group */
    if (!w->env->namespaces && kill(-w->p->pid, SIGKILL) != 0 && errno != ESRCH) {
        g_warning("sandbox: SIGKILL to a run's process group: %s", g_strerror(errno));
    }
}

/* Reaps the helper if it has ended (options WNOHANG) or waits for it (0). */
static void watch_reap(ExecWatch *w, int options)
{
    siginfo_t info = {0};
    struct rusage ru = {0};
    long r;
    do {
        r = syscall(SYS_waitid, P_PIDFD, w->p->pidfd, &info, WEXITED | __WALL | options, &ru);
    } while (r < 0 && errno == EINTR);
    if (r == 0 && info.si_pid == 0) {
        return; /* still running */
    }
    if (r < 0) {
        g_warning("sandbox: waitid on the run's init: %s", g_strerror(errno));
    }
    gint64 now = g_get_monotonic_time();
    w->exited = true;
    w->o->exit = info;
    w->o->ru = ru;
    w->o->wall_ms = (uint64_t)(now - w->start) / 1000;
    w->drain_until = now + EXEC_DRAIN_MS * 1000;
    exec_close(&w->p->pidfd);
}

static void watch_keep(ExecWatch *w, GByteArray *into, bool *truncated, size_t n)
{
    size_t take = (size_t)MIN((uint64_t)n, w->limit - w->kept);
    g_byte_array_append(into, w->buf, (guint)take);
    w->kept += take;
    if (take < n) {
        *truncated = true;
        watch_stop(w, SANDBOX_STATUS_OUTPUT_LIMIT);
    }
}

/* One read from *fd into into (NULL: the report); closes *fd at its end. */
static void watch_read(ExecWatch *w, int *fd, GByteArray *into, bool *truncated)
{
    ssize_t n = read(*fd, w->buf, EXEC_IO_CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        exec_close(fd);
    } else if (into) {
        watch_keep(w, into, truncated, (size_t)n);
    } else if (w->o->report->len < EXEC_IO_CHUNK) {
        g_string_append_len(w->o->report, (const char *)w->buf, n);
    }
}

/* A write of stdin that found the guest gone leaves a SIGPIPE pending on this thread
 * (the runner's threads block it); it is taken here so it never reaches paddockd. */
static void watch_take_sigpipe(void)
{
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
    }
}

static void watch_write(ExecWatch *w)
{
    size_t left = w->in_len - w->in_off;
    ssize_t n = write(w->p->in_w, w->in + w->in_off, MIN(left, (size_t)EXEC_IO_CHUNK));
    if (n > 0) {
        w->in_off += (size_t)n;
        if (w->in_off == w->in_len) {
            exec_close(&w->p->in_w);
        }
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n < 0 && errno == EPIPE) {
        watch_take_sigpipe();
    }
    exec_close(&w->p->in_w); /* the guest does not read its stdin (any more) */
}

/* Milliseconds until the next thing to do by the clock, -1 for none. */
static int watch_timeout(const ExecWatch *w)
{
    gint64 at = w->exited                        ? w->drain_until
                : w->o->stop == SANDBOX_N_STATUS ? w->deadline
                                                 : w->kill_at;
    gint64 left = at - g_get_monotonic_time();
    return left <= 0 ? 0 : (int)MIN((left + 999) / 1000, G_MAXINT);
}

static void watch_clock(ExecWatch *w)
{
    gint64 now = g_get_monotonic_time();
    if (!w->exited && w->o->stop == SANDBOX_N_STATUS && now >= w->deadline) {
        watch_stop(w, SANDBOX_STATUS_TIMEOUT);
    } else if (!w->exited && w->o->stop != SANDBOX_N_STATUS && now >= w->kill_at) {
        watch_kill(w);
        w->kill_at = G_MAXINT64; /* once; the reap follows */
    }
}

static bool watch_done(const ExecWatch *w)
{
    bool drained = w->p->out_r < 0 && w->p->err_r < 0 && w->p->rep_r < 0;
    return w->exited && (drained || g_get_monotonic_time() >= w->drain_until);
}

/* One poll: what is ready is served; false when poll itself failed. */
static bool watch_poll(ExecWatch *w)
{
    struct pollfd pfd[6];
    int *fds[6];
    nfds_t n = 0;
    int *const all[] = {&w->p->pidfd, &w->p->out_r, &w->p->err_r, &w->p->rep_r, &w->p->in_w};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        if (*all[i] >= 0) {
            fds[n] = all[i];
            pfd[n++] = (struct pollfd){*all[i], all[i] == &w->p->in_w ? POLLOUT : POLLIN, 0};
        }
    }
    int cancel = w->env->cancel_fd;
    if (w->o->stop == SANDBOX_N_STATUS) {
        fds[n] = &cancel;
        pfd[n++] = (struct pollfd){cancel, POLLIN, 0};
    }
    if (poll(pfd, n, watch_timeout(w)) < 0) {
        return errno == EINTR;
    }
    for (nfds_t i = 0; i < n; i++) {
        int *fd = fds[i];
        if (!pfd[i].revents || *fd < 0) {
            continue;
        }
        if (fd == &w->p->pidfd) {
            watch_reap(w, WNOHANG);
        } else if (fd == &w->p->out_r) {
            watch_read(w, fd, w->res->out, &w->res->out_truncated);
        } else if (fd == &w->p->err_r) {
            watch_read(w, fd, w->res->err, &w->res->err_truncated);
        } else if (fd == &w->p->rep_r) {
            watch_read(w, fd, NULL, NULL);
        } else if (fd == &w->p->in_w) {
            watch_write(w);
        } else {
            watch_stop(w, SANDBOX_STATUS_CANCELLED);
        }
    }
    return true;
}

void exec_watch(const ExecEnv *env, ExecProc *p, const SandboxSpec *spec, SandboxResult *res,
                ExecOutcome *o)
{
    gsize in_len = 0;
    ExecWatch w = {
        .env = env,
        .p = p,
        .res = res,
        .o = o,
        .in = spec->stdin_data ? g_bytes_get_data(spec->stdin_data, &in_len) : NULL,
        .limit = spec->limits.output_bytes,
        .start = g_get_monotonic_time(),
        .buf = g_malloc(EXEC_IO_CHUNK),
    };
    w.in_len = in_len;
    w.deadline = w.start + (gint64)spec->limits.wall_ms * 1000;
    o->stop = SANDBOX_N_STATUS;
    if (w.in_len == 0) {
        exec_close(&p->in_w);
    }
    while (!watch_done(&w)) {
        if (!watch_poll(&w)) {
            g_warning("sandbox: poll: %s; killing the run", g_strerror(errno));
            watch_stop(&w, SANDBOX_STATUS_ERROR);
            break;
        }
        watch_clock(&w);
    }
    if (!w.exited) {
        watch_kill(&w);
        watch_reap(&w, 0);
    }
    exec_close(&p->in_w), exec_close(&p->out_r), exec_close(&p->err_r), exec_close(&p->rep_r);
    g_free(w.buf);
}

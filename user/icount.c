/*
 * Guest instruction counting for a tree of user-mode processes (accel/tcg/icount.h): one
 * InsnPool shared by every process and thread of the tree, which sums what they execute
 * and, with a limit, ends the tree when it is spent.
 *
 * The pool is a file (a memfd) mapped MAP_SHARED, so a forked child shares it as it is,
 * and its fd stays open across a guest's execve: the re-executed emulator is given
 * `--insn-count-fd N` (and `--insn-report` when this process reports). `paddock run
 * --insn-limit` without an fd makes the memfd; paddock-sandbox makes it for every
 * /v1/exec run and reads the total at the end.
 *
 * The fd is the emulator's, not the guest's (user/fd-reserved.h). Without --root a guest
 * can still reopen it through the host's /proc/self/fd, and a host program it executes
 * inherits it and is not counted: there, the instruction limit of a guest that means harm
 * is a best effort. /v1/exec runs have a root, and a wall-clock limit besides. Waits that may last give the thread's
 * unspent budget back (icount_long_wait), so that the children or threads waited for can
 * spend it.
 *
 * Every vCPU settles (adds what it used to the total) when it refills and when it ends:
 * thread exit, exit_group, a fatal signal and execve settle the whole process, so the
 * total is exact once the tree has ended, but for processes the host kernel kills
 * outright (SIGKILL, or a signal whose guest action is the default termination), whose
 * last chunk is lost, and for the TBs other threads start between an exit_group and
 * the host's end of them. Only a thread's own unspent budget ever goes back to the pool,
 * never one another thread may still be running on, so no budget is spent twice.
 * When the limit is spent, the process that finds it so ends as if killed by SIGXCPU;
 * the others do at their next refill or syscall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/tcg/icount.h"
#include "user/fd-reserved.h"
#include "user/run.h"
#include "user/signal-internal.h"

static bool icount_fail(GError **errp, const char *what)
{
    int err = errno;
    g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "instruction counter: %s: %s", what,
                g_strerror(err));
    return false;
}

/* The fd's file, at least ICOUNT_POOL_SIZE bytes, mapped shared. */
static InsnPool *icount_map(int fd, GError **errp)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        icount_fail(errp, "fstat");
        return NULL;
    }
    if (st.st_size < ICOUNT_POOL_SIZE && ftruncate(fd, ICOUNT_POOL_SIZE) != 0) {
        icount_fail(errp, "grow the file to 32 bytes");
        return NULL;
    }
    void *m = mmap(NULL, ICOUNT_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        icount_fail(errp, "mmap");
        return NULL;
    }
    return m;
}

bool user_icount_init(UserProcess *p, const UserIcountConfig *cfg, GError **errp)
{
    if (!cfg || (cfg->fd < 0 && !cfg->limit && !cfg->report)) {
        return true;
    }
    int fd = cfg->fd;
    if (fd < 0 && (fd = memfd_create("paddock-insn-count", 0)) < 0) {
        return icount_fail(errp, "memfd_create");
    }
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "instruction counter: fd %d: %s", fd,
                    g_strerror(errno));
        return false;
    }
    InsnPool *pool = icount_map(fd, errp);
    if (!pool) {
        return false;
    }
    if (cfg->limit) {
        atomic_store(&pool->limit, cfg->limit);
    }
    p->icount.pool = pool;
    p->icount.fd = user_fd_move_high(fd, false);
    p->icount.report = cfg->report;
    return true;
}

void user_icount_thread_init(UserThread *t)
{
    if (t->proc->icount.pool) {
        cpu_icount_attach(t->cpu, t->proc->icount.pool);
    }
}

void user_icount_after_fork(UserThread *t)
{
    cpu_icount_forget(t->cpu);
    t->proc->icount.report = false;
}

/*
 * Settles every thread of p; self (which may have left the thread list) is the caller's
 * and gives its unspent budget back. The others' unspent budgets stay granted: those
 * threads may still be running on them until the host ends them (exit_group) or the
 * execve succeeds, and budget back in the pool could be spent again by another process.
 * What they spend after this is not in the total (less than their last chunk each).
 */
static void icount_settle_all(UserProcess *p, UserThread *self)
{
    cpu_icount_settle(self->cpu, true, true);
    mutex_lock(&p->thread_lock);
    for (UserThread *t = p->threads; t; t = t->next) {
        if (t != self) {
            cpu_icount_settle(t->cpu, false, false);
        }
    }
    mutex_unlock(&p->thread_lock);
}

void user_icount_end(UserThread *t)
{
    UserProcess *p = t->proc;
    if (!p->icount.pool) {
        return;
    }
    icount_settle_all(p, t);
    if (p->icount.report) {
        fprintf(stderr, "paddock: %" PRIu64 " guest instructions\n",
                icount_pool_total(p->icount.pool));
    }
}

void user_icount_thread_exit(UserThread *t)
{
    if (t->proc->icount.pool) {
        cpu_icount_settle(t->cpu, true, true);
    }
}

/* The other threads keep their budgets: they run on if the execve fails. */
void user_icount_exec(UserThread *t)
{
    if (t && t->proc->icount.pool) {
        icount_settle_all(t->proc, t);
    }
}

void user_icount_exec_args(UserProcess *p, GPtrArray *args)
{
    if (!p->icount.pool) {
        return;
    }
    if (!p->icount.exec_arg) {
        p->icount.exec_arg = g_strdup_printf("--insn-count-fd=%d", p->icount.fd);
    }
    g_ptr_array_add(args, p->icount.exec_arg);
    if (p->icount.report) {
        g_ptr_array_add(args, "--insn-report");
    }
}

_Noreturn void user_icount_expired(UserThread *t)
{
    UserProcess *p = t->proc;
    atomic_store(&p->icount.pool->exhausted, 1);
    atomic_store(&p->exit_group, 1);
    user_threads_exit_robust(p);
    user_icount_end(t);
    fflush(NULL);
    host_die_by_signal(SIGXCPU);
}

/*
 * Whether syscall nr with args is a wait that may last (for children, a futex, a timer,
 * fds): before it, the thread's unspent budget goes back to the pool, where the threads
 * and processes it waits for may need it. Not read and write: too frequent for the cost
 * of a refill after each.
 */
static bool icount_long_wait(unsigned nr, const uint64_t *args)
{
    enum { FUTEX_OP_MASK = 0x7f, FUTEX_OP_WAIT = 0, FUTEX_OP_WAIT_BITSET = 9 };
    switch (nr) {
    case 22:  /* epoll_pwait */
    case 72:  /* pselect6 */
    case 73:  /* ppoll */
    case 95:  /* waitid */
    case 101: /* nanosleep */
    case 115: /* clock_nanosleep */
    case 260: /* wait4 */ return true;
    case 98: /* futex */
        return (args[1] & FUTEX_OP_MASK) == FUTEX_OP_WAIT ||
               (args[1] & FUTEX_OP_MASK) == FUTEX_OP_WAIT_BITSET;
    default: return false;
    }
}

void user_icount_syscall(UserThread *t, unsigned nr, const uint64_t *args)
{
    UserProcess *p = t->proc;
    if (!p->icount.pool) {
        return;
    }
    if (icount_pool_exhausted(p->icount.pool)) {
        user_icount_expired(t);
    }
    if (icount_long_wait(nr, args)) {
        cpu_icount_settle(t->cpu, true, true);
    }
}

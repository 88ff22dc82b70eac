/*
 * clone and clone3, and what a parent learns of its children (wait4, waitid).
 *
 * Both clone calls normalise to UserCloneArgs, then go one of two ways:
 *  - CLONE_THREAD with the sharing that goes with it (VM, FS, FILES, SIGHAND, SYSVSEM:
 *    what pthread_create asks for) is a new host thread (user/thread.c);
 *  - anything that shares nothing is a new process: a host fork(), after which the child
 *    continues the guest where its parent called clone, with result 0. CLONE_VM |
 *    CLONE_VFORK (vfork, posix_spawn) is a fork too, as in QEMU: the child cannot share
 *    the emulator's memory with its parent. It runs on the stack it was given, and what it
 *    writes to memory before its execve or _exit is not seen by the parent, which is not
 *    suspended meanwhile.
 * Other sharing combinations (CLONE_VM without a thread, CLONE_FILES without CLONE_VM,
 * namespaces, pidfds) fail with EINVAL.
 *
 * Guest child pids are host pids and the generic ABI's wait status, struct rusage and
 * the siginfo fields waitid fills are laid out as on x86-64, so waits pass through; the
 * results are copied out only after the host call, into memory checked before it, so a
 * reaped child's status is never lost to a fault.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user/user-internal.h"
#include "vmcore/log.h"

/* The sharing pthread_create asks for, which makes a thread. */
#define CLONE_THREAD_FLAGS \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
/* Flags a thread or a fork may add. */
#define CLONE_TID_FLAGS \
    (CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)
/* Flags that change nothing here: obsolete (CLONE_DETACHED) or about host scheduling. */
#define CLONE_IGNORED_FLAGS (CLONE_DETACHED | CLONE_IO)
#define CLONE_VFORK_FLAGS   (CLONE_VM | CLONE_VFORK)

/* struct clone_args (linux/sched.h), the same on every ABI: the fields clone3 reads. */
typedef struct GuestCloneArgs {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
} GuestCloneArgs;

enum { CLONE_ARGS_SIZE_VER0 = 64 };

/*
 * What fork would have said when the child's copy of the code buffer could not be made:
 * out of memory, or out of some other resource (descriptors, memfd space), for which
 * fork's word is EAGAIN. A guest's libc knows no other errno from fork.
 */
static int fork_errno(int err)
{
    return err == ENOMEM ? ENOMEM : EAGAIN;
}

static int64_t clone_fork(UserThread *t, const UserCloneArgs *ca)
{
    UserProcess *p = t->proc;
    if (ca->exit_signal != SIGCHLD && log_enabled(LOG_GUEST_ERROR)) {
        fprintf(log_stream(), "paddock: clone: exit signal %d of a child becomes SIGCHLD\n",
                ca->exit_signal);
    }
    if (!user_fork_prepare(p)) {
        return host_to_guest_errno(fork_errno(errno));
    }
    pid_t pid = fork();
    int err = errno;
    if (pid == 0) {
        user_fork_child(t);
        user_signal_after_fork(t);
        user_clone_child_setup(t, ca);
        return 0;
    }
    user_fork_parent(p);
    if (pid < 0) {
        return host_to_guest_errno(err);
    }
    if (ca->flags & CLONE_PARENT_SETTID) {
        user_put_tid(t, ca->parent_tid, pid);
    }
    return pid;
}

/*
 * A thread or a fork, by the flags. The exit signal of a fork is always SIGCHLD (the
 * host's fork() sends that), which is what every libc asks for.
 */
static int64_t do_clone(UserThread *t, const UserCloneArgs *ca)
{
    uint64_t flags = ca->flags;
    if ((flags & CLONE_THREAD_FLAGS) == CLONE_THREAD_FLAGS) {
        if (flags & ~(CLONE_THREAD_FLAGS | CLONE_TID_FLAGS | CLONE_IGNORED_FLAGS)) {
            return host_to_guest_errno(EINVAL);
        }
        return user_thread_create(t, ca);
    }
    if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) {
        return host_to_guest_errno(EINVAL);
    }
    if (flags & ~(CLONE_VFORK_FLAGS | CLONE_TID_FLAGS | CLONE_IGNORED_FLAGS)) {
        return host_to_guest_errno(EINVAL);
    }
    return clone_fork(t, ca);
}

/* The generic ABI's order (riscv64 and aarch64 are CLONE_BACKWARDS): flags, newsp,
 * parent_tid, tls, child_tid. The low byte of flags is the exit signal. */
int64_t sys_clone(UserThread *t, const uint64_t *a)
{
    UserCloneArgs ca = {
        .flags = a[0] & ~(uint64_t)CSIGNAL,
        .exit_signal = (int)(a[0] & CSIGNAL),
        .sp = a[1],
        .parent_tid = a[2],
        .tls = a[3],
        .child_tid = a[4],
    };
    return do_clone(t, &ca);
}

/* Reads the guest's struct clone_args: 0, or -errno as Linux's copy_clone_args_from_user. */
static int64_t clone3_read(UserThread *t, uint64_t addr, uint64_t size, GuestCloneArgs *g)
{
    if (size < CLONE_ARGS_SIZE_VER0) {
        return host_to_guest_errno(EINVAL);
    }
    if (size > GUEST_PAGE_SIZE) {
        return host_to_guest_errno(E2BIG);
    }
    const uint8_t *p = lock_user(t, addr, size, PAGE_READ);
    if (!p) {
        return host_to_guest_errno(EFAULT);
    }
    memset(g, 0, sizeof(*g));
    memcpy(g, p, MIN(size, sizeof(*g)));
    for (uint64_t i = sizeof(*g); i < size; i++) {
        if (p[i]) {
            return host_to_guest_errno(E2BIG);
        }
    }
    return 0;
}

/* clone3's own checks, then the fields as clone's; set_tid and cgroups are not offered. */
int64_t sys_clone3(UserThread *t, const uint64_t *a)
{
    GuestCloneArgs g;
    int64_t err = clone3_read(t, a[0], a[1], &g);
    if (err) {
        return err;
    }
    if ((g.flags & (CSIGNAL | CLONE_DETACHED)) || (g.exit_signal & ~(uint64_t)CSIGNAL) ||
        !g.stack != !g.stack_size || g.set_tid || g.set_tid_size || g.cgroup) {
        return host_to_guest_errno(EINVAL);
    }
    UserCloneArgs ca = {
        .flags = g.flags,
        .exit_signal = (int)g.exit_signal,
        .sp = g.stack ? g.stack + g.stack_size : 0,
        .tls = g.tls,
        .parent_tid = g.parent_tid,
        .child_tid = g.child_tid,
    };
    return do_clone(t, &ca);
}

_Static_assert(sizeof(struct rusage) == 144, "host struct rusage differs");

/* Copies a result of len bytes to the guest at addr (0: none wanted); false on a fault. */
static bool put_result(UserThread *t, uint64_t addr, const void *src, size_t len)
{
    if (!addr) {
        return true;
    }
    void *dst = lock_user(t, addr, len, PAGE_WRITE);
    if (dst) {
        memcpy(dst, src, len);
    }
    return dst != NULL;
}

/* Whether the guest may write len bytes at addr (or passed 0). */
static bool writable(UserThread *t, uint64_t addr, size_t len)
{
    return !addr || lock_user(t, addr, len, PAGE_WRITE);
}

int64_t sys_wait4(UserThread *t, const uint64_t *a)
{
    if (!writable(t, a[1], sizeof(int)) || !writable(t, a[3], sizeof(struct rusage))) {
        return host_to_guest_errno(EFAULT);
    }
    int status = 0;
    struct rusage ru;
    int64_t pid = user_safe_syscall(t, SYS_wait4, (pid_t)a[0], (long)&status, (int)a[2],
                                    a[3] ? (long)&ru : 0, 0, 0);
    if (pid <= 0) {
        return sys_neg_errno(pid);
    }
    if (!put_result(t, a[1], &status, sizeof(status)) || !put_result(t, a[3], &ru, sizeof(ru))) {
        return host_to_guest_errno(EFAULT);
    }
    return pid;
}

/* The siginfo_t fields waitid writes; their offsets are the generic ABI's. */
_Static_assert(offsetof(siginfo_t, si_code) == 8 && offsetof(siginfo_t, si_pid) == 16 &&
                   offsetof(siginfo_t, si_uid) == 20 && offsetof(siginfo_t, si_status) == 24,
               "host siginfo_t differs");
enum { WAITID_HEAD = 12, WAITID_CHLD = 16, WAITID_CHLD_END = 28 };

/* Only the fields Linux's waitid writes (even when it fails): signo, errno, code, pid,
 * uid, status; all zero when no child was waited for. */
static bool put_waitid_info(UserThread *t, uint64_t addr, const siginfo_t *info)
{
    const uint8_t *src = (const uint8_t *)info;
    return !addr ||
           (put_result(t, addr, src, WAITID_HEAD) &&
            put_result(t, addr + WAITID_CHLD, src + WAITID_CHLD, WAITID_CHLD_END - WAITID_CHLD));
}

int64_t sys_waitid(UserThread *t, const uint64_t *a)
{
    if (!writable(t, a[2], WAITID_CHLD_END) || !writable(t, a[4], sizeof(struct rusage))) {
        return host_to_guest_errno(EFAULT);
    }
    siginfo_t info;
    struct rusage ru;
    memset(&info, 0, sizeof(info));
    int64_t ret = sys_neg_errno(user_safe_syscall(t, SYS_waitid, (int)a[0], (int)a[1], (long)&info,
                                                  (int)a[3], a[4] ? (long)&ru : 0, 0));
    bool found = ret == 0 && info.si_signo;
    if ((found && !put_result(t, a[4], &ru, sizeof(ru))) || !put_waitid_info(t, a[2], &info)) {
        return host_to_guest_errno(EFAULT);
    }
    return ret;
}

/*
 * Signal syscalls: dispositions, masks, the alternate stack, waiting for and sending
 * signals, rt_sigreturn, and the timers that raise signals (itimers, POSIX timers).
 *
 * Guest pids and tids are host ones, and siginfo, stack_t, struct sigevent, itimerval
 * and itimerspec are laid out alike on the generic ABI and x86-64, so sending a signal
 * (to the guest itself or anyone else) and arming a timer are the host's calls: the host
 * kernel queues the signal, picks the thread (its masks mirror the guest's) and fills
 * si_pid and si_uid; the host handler hands it to that guest thread (signal-host.c).
 * What stays in user mode is the guest's view: dispositions, masks and the altstack
 * (user/signal.c), and which interrupted syscalls restart (user_signal_syscall_result).
 *
 * The waits that take a signal mask or wait for a signal run through user_safe_syscall,
 * so a signal that arrives just before the host call starts is not lost.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "user/signal-internal.h"

/* Generic syscall numbers that never restart after a handler ran (signal(7)). */
enum {
    NR_io_getevents = 4,
    NR_epoll_pwait = 22,
    NR_pselect6 = 72,
    NR_ppoll = 73,
    NR_futex = 98,
    NR_nanosleep = 101,
    NR_clock_nanosleep = 115,
    NR_rt_sigsuspend = 133,
    NR_rt_sigtimedwait = 137,
    NR_msgrcv = 188,
    NR_msgsnd = 189,
    NR_semtimedop = 192,
    NR_semop = 193,
    NR_io_pgetevents = 292,
    NR_epoll_pwait2 = 441,
};

/* sizeof(struct itimerval), sizeof(struct itimerspec), sizeof(struct sigevent). */
enum { ITIMERVAL_SIZE = 32, ITIMERSPEC_SIZE = 32, SIGEVENT_SIZE = 64 };

static bool copy_in(UserThread *t, uint64_t addr, void *dst, size_t len)
{
    const void *src = lock_user(t, addr, len, PAGE_READ);
    if (src) {
        memcpy(dst, src, len);
    }
    return src != NULL;
}

static bool copy_out(UserThread *t, uint64_t addr, const void *src, size_t len)
{
    void *dst = lock_user(t, addr, len, PAGE_WRITE);
    if (dst) {
        memcpy(dst, src, len);
    }
    return dst != NULL;
}

/* An optional guest buffer handed to the host: NULL for address 0. */
static bool lock_optional(UserThread *t, uint64_t addr, uint64_t len, unsigned prot, void **out)
{
    *out = addr ? lock_user(t, addr, len, prot) : NULL;
    return !addr || *out;
}

static bool valid_signal(int sig)
{
    return sig >= 1 && sig <= GUEST_NSIG;
}

/* Whether an interruption by a handler with SA_RESTART restarts syscall nr (Linux's
 * -ERESTARTSYS) or returns -EINTR (-ERESTARTNOHAND and the calls with timeouts). */
static bool restarts_under_sa_restart(unsigned nr, const uint64_t *args)
{
    switch (nr) {
    case NR_io_getevents:
    case NR_epoll_pwait:
    case NR_pselect6:
    case NR_ppoll:
    case NR_nanosleep:
    case NR_clock_nanosleep:
    case NR_rt_sigsuspend:
    case NR_rt_sigtimedwait:
    case NR_msgrcv:
    case NR_msgsnd:
    case NR_semtimedop:
    case NR_semop:
    case NR_io_pgetevents:
    case NR_epoll_pwait2: return false;
    case NR_futex: {
        int op = (int)args[1] & FUTEX_CMD_MASK;
        return !((op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET) && args[3]);
    }
    default: return true;
    }
}

int64_t user_signal_syscall_result(UserThread *t, unsigned nr, const uint64_t *args, int64_t ret)
{
    UserSignalState *s = &t->sig;
    bool arrived = atomic_load(&s->wake) || (atomic_load(&s->pending) & ~s->blocked);
    if (ret != -EINTR || !arrived) {
        return ret;
    }
    s->in_syscall = true;
    s->syscall_ret = restarts_under_sa_restart(nr, args) ? -USER_ERESTARTSYS : -USER_ERESTARTNOHAND;
    s->syscall_arg0 = args[0];
    return s->syscall_ret;
}

/* The kernel's struct sigaction without sa_restorer; the old one is written after the
 * change, as Linux does. */
int64_t sys_rt_sigaction(UserThread *t, const uint64_t *a)
{
    int sig = (int)a[0];
    GuestSigAction act, old;
    if (a[3] != sizeof(uint64_t) || !valid_signal(sig) ||
        (a[1] && (sig == SIGKILL || sig == SIGSTOP))) {
        return host_to_guest_errno(EINVAL);
    }
    if (a[1] && !copy_in(t, a[1], &act, sizeof(act))) {
        return host_to_guest_errno(EFAULT);
    }
    user_signal_set_action(t, sig, a[1] ? &act : NULL, &old);
    if (a[2] && !copy_out(t, a[2], &old, sizeof(old))) {
        return host_to_guest_errno(EFAULT);
    }
    return 0;
}

int64_t sys_rt_sigprocmask(UserThread *t, const uint64_t *a)
{
    uint64_t old = t->sig.blocked, set;
    if (a[3] != sizeof(set)) {
        return host_to_guest_errno(EINVAL);
    }
    if (a[1]) {
        if (!copy_in(t, a[1], &set, sizeof(set))) {
            return host_to_guest_errno(EFAULT);
        }
        switch ((int)a[0]) {
        case SIG_BLOCK: set |= old; break;
        case SIG_UNBLOCK: set = old & ~set; break;
        case SIG_SETMASK: break;
        default: return host_to_guest_errno(EINVAL);
        }
        user_signal_set_blocked(t, set);
    }
    if (a[2] && !copy_out(t, a[2], &old, sizeof(old))) {
        return host_to_guest_errno(EFAULT);
    }
    return 0;
}

/* Blocked signals waiting in the host kernel (for the thread or the process) or in user
 * mode. Linux copies sigsetsize bytes, at most 8. */
int64_t sys_rt_sigpending(UserThread *t, const uint64_t *a)
{
    uint64_t host = 0;
    if (a[1] > sizeof(host)) {
        return host_to_guest_errno(EINVAL);
    }
    if (syscall(SYS_rt_sigpending, &host, sizeof(host)) != 0) {
        return sys_result(-1);
    }
    uint64_t set = (host | atomic_load(&t->sig.pending)) & t->sig.blocked;
    void *dst = sys_lock(t, a[0], a[1], PAGE_WRITE);
    if (!dst) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(dst, &set, a[1]);
    return 0;
}

/* Always -EINTR, once a signal has come; the frame of its handler holds the old mask. */
int64_t sys_rt_sigsuspend(UserThread *t, const uint64_t *a)
{
    uint64_t mask, host_mask;
    if (a[1] != sizeof(mask)) {
        return host_to_guest_errno(EINVAL);
    }
    if (!copy_in(t, a[0], &mask, sizeof(mask))) {
        return host_to_guest_errno(EFAULT);
    }
    if (!user_sigmask_begin(t, mask, &host_mask)) {
        return host_to_guest_errno(EINTR);
    }
    return sys_neg_errno(
        user_safe_syscall(t, SYS_rt_sigsuspend, (long)&host_mask, sizeof(host_mask), 0, 0, 0, 0));
}

/* A signal of the set that user mode holds first, else the host's wait for one. */
int64_t sys_rt_sigtimedwait(UserThread *t, const uint64_t *a)
{
    uint64_t set;
    void *uinfo, *ts;
    if (a[3] != sizeof(set)) {
        return host_to_guest_errno(EINVAL);
    }
    if (!copy_in(t, a[0], &set, sizeof(set)) ||
        !lock_optional(t, a[1], sizeof(siginfo_t), PAGE_WRITE, &uinfo) ||
        !lock_optional(t, a[2], sizeof(struct timespec), PAGE_READ, &ts)) {
        return host_to_guest_errno(EFAULT);
    }
    set &= ~GUEST_SIG_UNBLOCKABLE;
    siginfo_t info;
    int64_t sig = user_signal_take(t, set, &info);
    if (!sig) {
        sig = user_safe_syscall(t, SYS_rt_sigtimedwait, (long)&set, (long)&info, (long)ts,
                                sizeof(set), 0, 0);
    }
    if (sig > 0 && uinfo) {
        memcpy(uinfo, &info, sizeof(info));
    }
    return sys_neg_errno(sig);
}

int64_t sys_rt_sigqueueinfo(UserThread *t, const uint64_t *a)
{
    siginfo_t info;
    if (!copy_in(t, a[2], &info, sizeof(info))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_rt_sigqueueinfo, (pid_t)a[0], (int)a[1], &info));
}

int64_t sys_rt_tgsigqueueinfo(UserThread *t, const uint64_t *a)
{
    siginfo_t info;
    if (!copy_in(t, a[3], &info, sizeof(info))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_rt_tgsigqueueinfo, (pid_t)a[0], (pid_t)a[1], (int)a[2], &info));
}

int64_t sys_rt_sigreturn(UserThread *t, const uint64_t *a)
{
    return t->proc->arch->sigreturn(t);
}

/* No syscall is ever left to restart this way (restart codes never reach the guest). */
int64_t sys_restart_syscall(UserThread *t, const uint64_t *a)
{
    return host_to_guest_errno(EINTR);
}

int64_t sys_sigaltstack(UserThread *t, const uint64_t *a)
{
    GuestStack ss, old;
    if (a[0] && !copy_in(t, a[0], &ss, sizeof(ss))) {
        return host_to_guest_errno(EFAULT);
    }
    uint64_t sp = t->proc->arch->stack_pointer(t->cpu);
    int64_t r = user_sigaltstack(t, a[0] ? &ss : NULL, a[1] ? &old : NULL, sp);
    if (r == 0 && a[1] && !copy_out(t, a[1], &old, sizeof(old))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_neg_errno(r);
}

int64_t sys_kill(UserThread *t, const uint64_t *a)
{
    return sys_result(kill((pid_t)a[0], (int)a[1]));
}

int64_t sys_tkill(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_tkill, (pid_t)a[0], (int)a[1]));
}

int64_t sys_tgkill(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], (int)a[2]));
}

/*
 * The host's signalfd reads what the host kernel queues, which is every signal the guest
 * blocks (as signalfd users do) but SIGSEGV and SIGBUS; the flags (O_NONBLOCK,
 * O_CLOEXEC) have the generic values on both ABIs.
 */
int64_t sys_signalfd4(UserThread *t, const uint64_t *a)
{
    uint64_t mask;
    if (a[2] != sizeof(mask)) {
        return host_to_guest_errno(EINVAL);
    }
    if (!copy_in(t, a[1], &mask, sizeof(mask))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_signalfd4, (int)a[0], &mask, sizeof(mask), (int)a[3]));
}

int64_t sys_getitimer(UserThread *t, const uint64_t *a)
{
    void *cur = lock_user(t, a[1], ITIMERVAL_SIZE, PAGE_WRITE);
    return cur ? sys_result(syscall(SYS_getitimer, (int)a[0], cur)) : host_to_guest_errno(EFAULT);
}

int64_t sys_setitimer(UserThread *t, const uint64_t *a)
{
    void *new_value, *old_value;
    if (!lock_optional(t, a[1], ITIMERVAL_SIZE, PAGE_READ, &new_value) ||
        !lock_optional(t, a[2], ITIMERVAL_SIZE, PAGE_WRITE, &old_value)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_setitimer, (int)a[0], new_value, old_value));
}

/* Timer ids are the host kernel's (an int); SIGEV_THREAD_ID names a host tid. */
int64_t sys_timer_create(UserThread *t, const uint64_t *a)
{
    void *sevp;
    int32_t *id = lock_user(t, a[2], sizeof(*id), PAGE_WRITE);
    if (!id || !lock_optional(t, a[1], SIGEVENT_SIZE, PAGE_READ, &sevp)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_timer_create, (clockid_t)a[0], sevp, id));
}

int64_t sys_timer_settime(UserThread *t, const uint64_t *a)
{
    void *new_value = lock_user(t, a[2], ITIMERSPEC_SIZE, PAGE_READ), *old_value;
    if (!new_value || !lock_optional(t, a[3], ITIMERSPEC_SIZE, PAGE_WRITE, &old_value)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_timer_settime, (int)a[0], (int)a[1], new_value, old_value));
}

int64_t sys_timer_gettime(UserThread *t, const uint64_t *a)
{
    void *cur = lock_user(t, a[1], ITIMERSPEC_SIZE, PAGE_WRITE);
    return cur ? sys_result(syscall(SYS_timer_gettime, (int)a[0], cur))
               : host_to_guest_errno(EFAULT);
}

int64_t sys_timer_getoverrun(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_timer_getoverrun, (int)a[0]));
}

int64_t sys_timer_delete(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_timer_delete, (int)a[0]));
}

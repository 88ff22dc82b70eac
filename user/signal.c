/*
 * Guest signals, the architecture-neutral half: dispositions, the per-thread store of
 * signals taken in from the host, synchronous signals from the CPU, and delivery, which
 * is either a default action or a frame for a guest handler (UserArch.setup_frame).
 *
 * Most signals never reach this file: the host kernel queues, discards, stops and kills
 * for the guest, because its dispositions and masks mirror the guest's (see
 * signal-internal.h). What does reach it is a signal with a guest handler (or a core-
 * dumping SIG_DFL, so that the emulator does not dump its own core), moved by the host
 * handler into UserSignalState.info[] of the thread the kernel picked. The CPU loop then
 * calls user_signal_deliver before running guest code, and Linux's order applies: a
 * synchronous signal first, then the lowest-numbered unblocked one, one frame each.
 *
 * Locking: p->sig.lock covers action[] and the host dispositions; a thread's masks and
 * store are its own (the host handler only writes an empty slot, then sets its bit).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user/run.h"
#include "user/signal-internal.h"
#include "vmcore/log.h"
#include "vmcore/thread.h"

GuestSigDefault guest_sig_default(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH: return GUEST_SIG_IGNORE;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU: return GUEST_SIG_STOP;
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGSYS:
    case SIGXCPU:
    case SIGXFSZ: return GUEST_SIG_CORE;
    default: return GUEST_SIG_TERM;
    }
}

static const char *sig_name(int sig)
{
    const char *name = sigabbrev_np(sig);
    return name ? name : "RT";
}

/* The page handlers return to: the architecture's rt_sigreturn call, read and execute. */
static bool map_trampoline(UserProcess *p, GError **errp)
{
    GuestSpace *gs = &p->space;
    int64_t a = guest_mmap(gs, 0, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a < 0) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "signal trampoline: %s",
                    g_strerror((int)-a));
        return false;
    }
    memcpy(g2h(gs, (uint64_t)a), p->arch->sigreturn_code, p->arch->sigreturn_code_size);
    int64_t r = guest_mprotect(gs, (uint64_t)a, GUEST_PAGE_SIZE, PROT_READ | PROT_EXEC);
    if (r < 0) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "signal trampoline: %s",
                    g_strerror((int)-r));
        return false;
    }
    p->sig.trampoline = (uint64_t)a;
    return true;
}

bool user_signals_init(UserProcess *p, GError **errp)
{
    mutex_init(&p->sig.lock);
    for (int sig = 1; sig <= GUEST_NSIG; sig++) {
        GuestSigAction *a = &p->sig.action[sig - 1];
        a->handler = host_signal_ignored(sig) ? GUEST_SIG_IGN : GUEST_SIG_DFL;
        if (!host_signal_mirror(sig, a)) {
            g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "rt_sigaction(%d): %s", sig,
                        g_strerror(errno));
            return false;
        }
    }
    GError *err = NULL;
    if (!user_host_signals_init(&err)) {
        g_set_error(errp, USER_ERROR, USER_ERROR_SETUP, "%s", err->message);
        g_error_free(err);
        return false;
    }
    return map_trampoline(p, errp);
}

void user_signal_thread_init(UserThread *t, const UserThread *parent, bool clear_altstack)
{
    UserSignalState *s = &t->sig;
    memset(s, 0, sizeof(*s));
    s->altstack.flags = SS_DISABLE;
    if (!parent) {
        host_sigprocmask(SIG_BLOCK, 0, &s->blocked);
        s->blocked &= ~GUEST_SIG_UNBLOCKABLE;
        return;
    }
    s->blocked = parent->sig.blocked;
    if (!clear_altstack) {
        s->altstack = parent->sig.altstack;
    }
}

/* The host kernel clears a forked child's pending signals; so does user mode. */
void user_signal_after_fork(UserThread *t)
{
    UserSignalState *s = &t->sig;
    atomic_store(&s->pending, 0);
    atomic_store(&s->wake, 0);
    s->forced = 0;
    user_signal_apply_mask(t);
}

void user_signal_thread_exit(UserThread *t)
{
    siginfo_t info;
    int sig;
    while ((sig = user_signal_take(t, UINT64_MAX, &info))) {
        if (info.si_code != SI_TKILL && syscall(SYS_rt_sigqueueinfo, getpid(), sig, &info) != 0 &&
            log_enabled(LOG_GUEST_ERROR)) {
            fprintf(log_stream(), "paddock: SIG%s lost by exiting thread %d: %s\n", sig_name(sig),
                    t->tid, g_strerror(errno));
        }
    }
}

void user_signal_apply_mask(UserThread *t)
{
    uint64_t m = host_mask_of(t->sig.blocked);
    int64_t r = user_safe_syscall_base(&t->sig.wake, SYS_rt_sigprocmask, SIG_SETMASK, (long)&m, 0,
                                       sizeof(m), 0, 0);
    /* -EINTR: a signal came in first and left every host signal blocked until delivery. */
    if (r < 0 && r != -EINTR) {
        g_error("user: rt_sigprocmask: %s", g_strerror((int)-r));
    }
}

void user_signal_set_blocked(UserThread *t, uint64_t mask)
{
    t->sig.blocked = mask & ~GUEST_SIG_UNBLOCKABLE;
    user_signal_apply_mask(t);
}

/* Async-signal-safe: runs in the host handler of the thread the host kernel picked. */
void user_signal_queue(UserThread *t, int sig, const siginfo_t *si)
{
    UserSignalState *s = &t->sig;
    uint64_t bit = sig_bit(sig);
    if (!(atomic_load(&s->pending) & bit)) {
        s->info[sig - 1] = *si;
        atomic_fetch_or(&s->pending, bit);
    } else if (sig >= GUEST_SIGRTMIN) {
        /*
         * A second real-time instance while the first waits in the store: back into the
         * host's queue, where it stays blocked until the first is delivered. The call can
         * fail only when that queue is full, where Linux would drop it too.
         */
        (void)!syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, si);
    }
    atomic_store(&s->wake, 1);
    cpu_exit(t->cpu);
}

int user_signal_take(UserThread *t, uint64_t set, siginfo_t *info)
{
    UserSignalState *s = &t->sig;
    uint64_t avail = atomic_load(&s->pending) & set;
    if (!avail) {
        return 0;
    }
    int sig = __builtin_ctzll(avail) + 1;
    *info = s->info[sig - 1];
    atomic_fetch_and(&s->pending, ~sig_bit(sig));
    return sig;
}

/* Under p->sig.lock: sets the action and its host mirror. */
static void set_action_locked(UserProcess *p, int sig, const GuestSigAction *act)
{
    p->sig.action[sig - 1] = *act;
    if (!host_signal_mirror(sig, act)) {
        g_error("user: rt_sigaction(%d) on the host: %s", sig, g_strerror(errno));
    }
}

static bool action_ignores(const GuestSigAction *a, int sig)
{
    return a->handler == GUEST_SIG_IGN ||
           (a->handler == GUEST_SIG_DFL && guest_sig_default(sig) == GUEST_SIG_IGNORE);
}

void user_signal_set_action(UserThread *t, int sig, const GuestSigAction *act, GuestSigAction *old)
{
    UserProcess *p = t->proc;
    mutex_lock(&p->sig.lock);
    if (old) {
        *old = p->sig.action[sig - 1];
    }
    if (act) {
        GuestSigAction a = {act->handler, act->flags & GUEST_SA_FLAGS,
                            act->mask & ~GUEST_SIG_UNBLOCKABLE};
        set_action_locked(p, sig, &a);
    }
    mutex_unlock(&p->sig.lock);
    if (act && action_ignores(act, sig)) {
        mutex_lock(&p->thread_lock);
        for (UserThread *o = p->threads; o; o = o->next) {
            atomic_fetch_and(&o->sig.pending, ~sig_bit(sig));
        }
        mutex_unlock(&p->thread_lock);
        atomic_fetch_and(&t->sig.pending, ~sig_bit(sig));
    }
}

void user_force_signal(UserThread *t, int signo, int si_code, uint64_t addr)
{
    siginfo_t *info = &t->sig.forced_info;
    memset(info, 0, sizeof(*info));
    info->si_signo = signo;
    info->si_code = si_code;
    info->si_addr = (void *)(uintptr_t)addr;
    t->sig.forced = signo;
}

void user_force_memory_fault(UserThread *t, uint64_t addr)
{
    GuestSpace *gs = &t->proc->space;
    if (t->sig.bus_fault) {
        t->sig.bus_fault = false;
        user_force_signal(t, SIGBUS, BUS_ADRERR, addr);
        return;
    }
    bool mapped = addr < gs->size && (page_get_flags(gs, addr) & PAGE_VALID);
    user_force_signal(t, SIGSEGV, mapped ? SEGV_ACCERR : SEGV_MAPERR, addr);
}

/* Linux's force_sig_info: a synchronous signal that is blocked or ignored would be
 * lost; it is unblocked and its action reset to SIG_DFL instead, so it kills. */
static void force_unblock(UserThread *t, int sig)
{
    UserProcess *p = t->proc;
    mutex_lock(&p->sig.lock);
    const GuestSigAction *a = &p->sig.action[sig - 1];
    if ((t->sig.blocked & sig_bit(sig)) || a->handler == GUEST_SIG_IGN) {
        set_action_locked(p, sig, &(GuestSigAction){GUEST_SIG_DFL, a->flags, a->mask});
        t->sig.blocked &= ~sig_bit(sig);
    }
    mutex_unlock(&p->sig.lock);
}

/* The action sig gets now; SA_RESETHAND puts SIG_DFL back for the next one. */
static GuestSigAction take_action(UserProcess *p, int sig)
{
    mutex_lock(&p->sig.lock);
    GuestSigAction act = p->sig.action[sig - 1];
    if (act.handler > GUEST_SIG_IGN && (act.flags & SA_RESETHAND)) {
        set_action_locked(p, sig, &(GuestSigAction){GUEST_SIG_DFL, act.flags, act.mask});
    }
    mutex_unlock(&p->sig.lock);
    return act;
}

/* PADDOCK_LOG=signal: one line per signal user mode acts on (what it does: a handler's
 * address, or a default action). */
static void log_signal(UserThread *t, int sig, const siginfo_t *info, const char *what,
                       uint64_t handler)
{
    if (log_enabled(LOG_SIGNAL)) {
        bool fault =
            sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
        fprintf(log_stream(), "%d --- SIG%s {si_code=%d", t->tid, sig_name(sig), info->si_code);
        if (fault && info->si_code > 0) {
            fprintf(log_stream(), ", si_addr=%p", info->si_addr);
        }
        fprintf(log_stream(), "} %s", what);
        if (handler) {
            fprintf(log_stream(), " 0x%" PRIx64, handler);
        }
        fputc('\n', log_stream());
    }
}

/* Ends the guest process by sig: the emulator dies by it, so its parent sees the same
 * wait status a native process would give. */
_Noreturn static void signal_die(UserThread *t, int sig, const siginfo_t *info)
{
    log_signal(t, sig, info, "kills the process", 0);
    atomic_store(&t->proc->exit_group, 1);
    user_threads_exit_robust(t->proc);
    user_icount_end(t);
    fflush(NULL);
    host_die_by_signal(sig);
}

/* SIG_DFL: ignore, stop the process (as the host's SIGSTOP), or end it. */
static void default_action(UserThread *t, int sig, const siginfo_t *info)
{
    switch (guest_sig_default(sig)) {
    case GUEST_SIG_IGNORE: return;
    case GUEST_SIG_STOP:
        log_signal(t, sig, info, "stops the process", 0);
        if (kill(getpid(), SIGSTOP) != 0) {
            g_warning("user: kill(SIGSTOP): %s", g_strerror(errno));
        }
        return;
    case GUEST_SIG_TERM:
    case GUEST_SIG_CORE: signal_die(t, sig, info);
    }
}

/* The next signal for a guest handler, default actions taken on the way; 0 when none. */
static int next_signal(UserThread *t, siginfo_t *info, GuestSigAction *act)
{
    UserSignalState *s = &t->sig;
    for (;;) {
        int sig = s->forced;
        if (sig) {
            *info = s->forced_info;
            s->forced = 0;
            force_unblock(t, sig);
        } else if (!(sig = user_signal_take(t, ~s->blocked, info))) {
            return 0;
        }
        *act = take_action(t->proc, sig);
        if (act->handler > GUEST_SIG_IGN) {
            return sig;
        }
        if (act->handler == GUEST_SIG_DFL) {
            default_action(t, sig, info);
        }
    }
}

/* Linux's rules for a syscall a signal interrupted: with a handler, ERESTARTSYS restarts
 * under SA_RESTART and ERESTARTNOHAND never does; without one, every restart code does. */
static void finish_syscall(UserThread *t, const GuestSigAction *act)
{
    UserSignalState *s = &t->sig;
    if (!s->in_syscall) {
        return;
    }
    s->in_syscall = false;
    int64_t r = s->syscall_ret;
    bool restart =
        !act || r == -USER_ERESTARTNOINTR || (r == -USER_ERESTARTSYS && (act->flags & SA_RESTART));
    t->proc->arch->syscall_return(t, restart, s->syscall_arg0, -EINTR);
}

/* Linux's force_sigsegv: a frame that cannot be written is a SIGSEGV, fatal when the
 * frame was for SIGSEGV itself. */
static void frame_failed(UserThread *t, int sig, const siginfo_t *info)
{
    if (sig == SIGSEGV) {
        signal_die(t, sig, info);
    }
    user_force_signal(t, SIGSEGV, SI_KERNEL, 0);
}

static void run_handler(UserThread *t, int sig, const siginfo_t *info, const GuestSigAction *act)
{
    UserSignalState *s = &t->sig;
    finish_syscall(t, act);
    uint64_t saved = s->restore_mask ? s->saved_mask : s->blocked;
    if (!t->proc->arch->setup_frame(t, sig, info, act, saved)) {
        frame_failed(t, sig, info);
        return;
    }
    log_signal(t, sig, info, "to handler", act->handler);
    s->restore_mask = false;
    uint64_t add = act->mask | ((act->flags & SA_NODEFER) ? 0 : sig_bit(sig));
    s->blocked = (s->blocked | add) & ~GUEST_SIG_UNBLOCKABLE;
}

void user_signal_deliver(UserThread *t)
{
    UserSignalState *s = &t->sig;
    atomic_store(&s->wake, 0);
    siginfo_t info;
    GuestSigAction act;
    int sig;
    while ((sig = next_signal(t, &info, &act))) {
        run_handler(t, sig, &info, &act);
    }
    finish_syscall(t, NULL);
    if (s->restore_mask) {
        s->restore_mask = false;
        s->blocked = s->saved_mask;
    }
    user_signal_apply_mask(t);
}

bool user_sigmask_begin(UserThread *t, uint64_t mask, uint64_t *host_mask)
{
    UserSignalState *s = &t->sig;
    s->saved_mask = s->blocked;
    s->restore_mask = true;
    s->blocked = mask & ~GUEST_SIG_UNBLOCKABLE;
    *host_mask = host_mask_of(s->blocked);
    return !(atomic_load(&s->pending) & ~s->blocked);
}

void user_sigmask_end(UserThread *t, int64_t ret)
{
    UserSignalState *s = &t->sig;
    if (ret != -EINTR && s->restore_mask) {
        s->restore_mask = false;
        s->blocked = s->saved_mask;
    }
}

int64_t user_safe_syscall(UserThread *t, long nr, long a1, long a2, long a3, long a4, long a5,
                          long a6)
{
    return user_safe_syscall_base(&t->sig.wake, nr, a1, a2, a3, a4, a5, a6);
}

/* Linux's on_sig_stack: an SS_AUTODISARM stack never counts as in use. */
static bool on_altstack(const UserSignalState *s, uint64_t sp)
{
    const GuestStack *a = &s->altstack;
    return !(a->flags & GUEST_SS_AUTODISARM) && sp > a->sp && sp - a->sp <= a->size;
}

static int altstack_state(const UserSignalState *s, uint64_t sp)
{
    if (!s->altstack.size) {
        return SS_DISABLE;
    }
    return on_altstack(s, sp) ? SS_ONSTACK : 0;
}

int64_t user_sigaltstack(UserThread *t, const GuestStack *ss, GuestStack *old, uint64_t sp)
{
    UserSignalState *s = &t->sig;
    if (old) {
        *old = (GuestStack){.sp = s->altstack.sp, .size = s->altstack.size};
        old->flags = altstack_state(s, sp) | (int32_t)(s->altstack.flags & GUEST_SS_AUTODISARM);
    }
    if (!ss) {
        return 0;
    }
    if (on_altstack(s, sp)) {
        return -EPERM;
    }
    uint32_t mode = (uint32_t)ss->flags & ~GUEST_SS_AUTODISARM;
    if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0) {
        return -EINVAL;
    }
    if (mode == SS_DISABLE) {
        s->altstack = (GuestStack){.flags = ss->flags};
        return 0;
    }
    if (ss->size < GUEST_MINSIGSTKSZ) {
        return -ENOMEM;
    }
    s->altstack = (GuestStack){.sp = ss->sp, .flags = ss->flags, .size = ss->size};
    return 0;
}

uint64_t user_signal_frame_addr(UserThread *t, const GuestSigAction *act, uint64_t sp,
                                uint64_t size)
{
    const UserSignalState *s = &t->sig;
    if (on_altstack(s, sp) && !on_altstack(s, sp - size)) {
        return UINT64_MAX;
    }
    if ((act->flags & SA_ONSTACK) && altstack_state(s, sp) == 0) {
        sp = s->altstack.sp + s->altstack.size;
    }
    sp = (sp - size) & ~(uint64_t)15;
    if (s->altstack.size && sp < s->altstack.sp) {
        return UINT64_MAX;
    }
    return sp;
}

void user_signal_save_altstack(UserThread *t, GuestStack *out)
{
    UserSignalState *s = &t->sig;
    *out = s->altstack;
    if (s->altstack.flags & GUEST_SS_AUTODISARM) {
        s->altstack = (GuestStack){.flags = SS_DISABLE};
    }
}

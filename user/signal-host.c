/*
 * The host side of signals in a user-mode process: the emulator's handlers, and the raw
 * signal syscalls that mirror the guest's dispositions and masks (signal-internal.h).
 *
 * A host SIGSEGV or SIGBUS is one of four things:
 *  1. A guest write to a page whose host copy was write-protected because code on it was
 *     translated (PAGE_WRITE_ORG, see guest-space.c): lift the protection, invalidate the
 *     page's translations, and return so that the write runs again.
 *  2. A guest access to an unmapped or protected guest page (or the guard page after the
 *     space) while the thread runs guest code: hand it to the architecture's mem_fault,
 *     which restores the guest state from the faulting host PC (when that lies in a TB;
 *     otherwise the state is as of the last TB boundary, as with the interpreter backend)
 *     and leaves to cpu_exec with the guest's exception; the CPU loop turns it into a
 *     guest SIGSEGV (SIGBUS when the host's was: a file mapping past its end). Never
 *     returns.
 *  3. Sent, not caused (kill, tgkill, sigqueue: si_code <= 0): a signal for the guest.
 *  4. Anything else is an emulator bug: take the default action (a core dump).
 * Every other signal a guest may catch arrives at host_async_handler: the thread the
 * kernel picked keeps it (user_signal_queue), its vCPU leaves guest code at the next TB
 * start, a safe syscall about to start returns -EINTR instead, and the thread's host
 * mask stays full until the CPU loop has delivered it. A thread that is not a guest
 * thread (being created or gone) blocks everything and hands the signal back to the
 * process, for the kernel to pick another thread.
 *
 * The handlers run on a per-thread alternate stack, so that a guest that exhausts its
 * stack still gets here. They find their thread through a thread-local pointer, set by
 * user_thread_attach; the process state hangs off the thread, nothing is global. Case 1
 * takes gs->lock and the TB cache lock: safe because a thread never writes guest memory
 * while holding either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "user/signal-internal.h"
#include "vmcore/thread.h"

#define ALT_STACK_SIZE (256u << 10)
/* x86-64 page-fault error code: the access was a write. */
#define PF_ERR_WRITE 2

/* The x86-64 kernel's struct sigaction, for the raw rt_sigaction. */
typedef struct HostKSigAction {
    uintptr_t handler;
    uint64_t flags;
    void (*restorer)(void);
    uint64_t mask;
} HostKSigAction;

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* Every host signal but the two translated code must always be able to take. */
#define HOST_MASK_ALL (~(sig_bit(SIGSEGV) | sig_bit(SIGBUS)))

static __thread UserThread *current_thread;
static __thread void *current_alt_stack;

UserThread *user_current_thread(void)
{
    return current_thread;
}

void host_sigprocmask(int how, uint64_t set, uint64_t *old)
{
    if (syscall(SYS_rt_sigprocmask, how, &set, old, sizeof(set)) != 0) {
        g_error("user: rt_sigprocmask: %s", g_strerror(errno));
    }
}

bool user_thread_attach(UserThread *t, GError **errp)
{
    void *mem = g_malloc(ALT_STACK_SIZE);
    stack_t ss = {.ss_sp = mem, .ss_size = ALT_STACK_SIZE};
    if (sigaltstack(&ss, NULL) != 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "sigaltstack for a guest thread: %s", g_strerror(errno));
        g_free(mem);
        return false;
    }
    current_thread = t;
    current_alt_stack = mem;
    user_signal_apply_mask(t);
    return true;
}

void user_thread_detach(UserThread *t)
{
    g_assert(current_thread == t);
    host_sigprocmask(SIG_SETMASK, HOST_MASK_ALL, NULL);
    user_signal_thread_exit(t);
    stack_t ss = {.ss_flags = SS_DISABLE};
    if (sigaltstack(&ss, NULL) != 0) {
        g_warning("sigaltstack(SS_DISABLE): %s", g_strerror(errno));
        return; /* keep the stack: the kernel may still use it */
    }
    g_free(current_alt_stack);
    current_alt_stack = NULL;
    current_thread = NULL;
}

/* The mask the interrupted code gets back when the handler returns. */
static void context_set_mask(ucontext_t *uc, uint64_t mask)
{
    memcpy(&uc->uc_sigmask, &mask, sizeof(mask));
}

/* A safe syscall interrupted before its `syscall` instruction starts over at the check
 * of the wake flag, which is now set (safe-syscall.c). */
static void rewind_safe_syscall(ucontext_t *uc)
{
    greg_t *pc = &uc->uc_mcontext.gregs[REG_RIP];
    if ((uintptr_t)*pc >= (uintptr_t)user_safe_syscall_start &&
        (uintptr_t)*pc < (uintptr_t)user_safe_syscall_end) {
        *pc = (greg_t)(uintptr_t)user_safe_syscall_start;
    }
}

/*
 * A signal for the guest. The thread keeps it, or, not being a guest thread, blocks
 * everything for good and gives it back to the process. A failed requeue means the
 * kernel's queue is full, where Linux would drop a signal too: there is nothing a
 * handler could do about it.
 */
static void take_for_guest(UserThread *t, int sig, siginfo_t *si, ucontext_t *uc)
{
    if (!t) {
        context_set_mask(uc, UINT64_MAX);
        (void)!syscall(SYS_rt_sigqueueinfo, getpid(), sig, si);
        return;
    }
    user_signal_queue(t, sig, si);
    rewind_safe_syscall(uc);
    context_set_mask(uc, HOST_MASK_ALL);
}

/* Case 1: whether the write fault at addr was to protected code and may now be retried. */
static bool unprotect_for_write(GuestSpace *gs, uint64_t addr)
{
    GuestDirty d = {0};
    mutex_lock(&gs->lock);
    unsigned f = page_get_flags(gs, addr);
    bool retry = (f & (PAGE_VALID | PAGE_WRITE)) == (PAGE_VALID | PAGE_WRITE);
    if (retry) {
        /* Without PAGE_WRITE_ORG another thread has lifted the protection already. */
        guest_page_unprotect_locked(gs, addr, &d);
    }
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return retry;
}

/* Case 2: a guest memory fault. */
_Noreturn static void raise_guest_fault(UserThread *t, int sig, uint64_t addr, bool is_write,
                                        uintptr_t host_pc)
{
    CPUCommon *cpu = t->cpu;
    bool in_tb = tb_find_by_host_pc(cpu->tbs, host_pc) != NULL;
    t->sig.bus_fault = sig == SIGBUS;
    /* cpu_exec's sigsetjmp does not save the mask: unblock what this handler blocked. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    cpu->cls->mem_fault(cpu->env, addr, (uint32_t)is_write << 8, in_tb ? host_pc : 0);
    g_error("user: mem_fault of %s returned", cpu->cls->name);
}

/* Cases 1 and 2; returns only when the fault is not the guest's (or was case 1). */
static bool guest_memory_fault(UserThread *t, int sig, siginfo_t *si, const ucontext_t *uc)
{
    GuestSpace *gs = &t->proc->space;
    uintptr_t fault = (uintptr_t)si->si_addr, base = (uintptr_t)gs->base;
    if (fault < base || fault - base >= gs->size + GUEST_PAGE_SIZE) {
        return false;
    }
    uint64_t addr = fault - base;
    bool is_write = sig == SIGSEGV && (uc->uc_mcontext.gregs[REG_ERR] & PF_ERR_WRITE);
    if (is_write && addr < gs->size && unprotect_for_write(gs, addr)) {
        return true;
    }
    if (atomic_load(&t->cpu->exec_thread.running)) {
        raise_guest_fault(t, sig, addr, is_write, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
    }
    return false;
}

static void host_fault_handler(int sig, siginfo_t *si, void *ctx)
{
    int saved_errno = errno;
    ucontext_t *uc = ctx;
    UserThread *t = current_thread;
    if (si->si_code <= 0) {
        take_for_guest(t, sig, si, uc); /* case 3 */
    } else if (!t || !guest_memory_fault(t, sig, si, uc)) {
        /* Case 4: returning re-runs the faulting instruction under the default action. */
        signal(sig, SIG_DFL);
    }
    errno = saved_errno;
}

/* SIGILL, SIGFPE or SIGSYS that the emulator's own instruction at si_addr caused: a bug. */
static bool host_caused(int sig, const siginfo_t *si, const ucontext_t *uc)
{
    bool fault_sig = sig == SIGILL || sig == SIGFPE || sig == SIGSYS;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t addr = (uintptr_t)(sig == SIGSYS ? si->si_call_addr : si->si_addr);
    return fault_sig && si->si_code > 0 && addr == pc;
}

static void host_async_handler(int sig, siginfo_t *si, void *ctx)
{
    int saved_errno = errno;
    ucontext_t *uc = ctx;
    if (host_caused(sig, si, uc)) {
        signal(sig, SIG_DFL);
    } else {
        take_for_guest(current_thread, sig, si, uc);
    }
    errno = saved_errno;
}

static bool raw_sigaction(int sig, uintptr_t handler, uint64_t flags, uint64_t mask)
{
    HostKSigAction k = {handler, flags | SA_RESTORER, user_host_sigreturn, mask};
    return syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(mask)) == 0;
}

bool host_signal_mirror(int sig, const GuestSigAction *act)
{
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS) {
        return true;
    }
    uint64_t flags = sig == SIGCHLD ? act->flags & (SA_NOCLDSTOP | SA_NOCLDWAIT) : 0;
    if (act->handler == GUEST_SIG_IGN) {
        return raw_sigaction(sig, (uintptr_t)SIG_IGN, flags, 0);
    }
    if (act->handler == GUEST_SIG_DFL && guest_sig_default(sig) != GUEST_SIG_CORE) {
        return raw_sigaction(sig, (uintptr_t)SIG_DFL, flags, 0);
    }
    return raw_sigaction(sig, (uintptr_t)host_async_handler, flags | SA_SIGINFO | SA_ONSTACK,
                         UINT64_MAX);
}

bool host_signal_ignored(int sig)
{
    HostKSigAction k;
    if (sig == SIGKILL || sig == SIGSTOP ||
        syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof(k.mask)) != 0) {
        return false;
    }
    return k.handler == (uintptr_t)SIG_IGN;
}

/*
 * The emulator's own core would be of no use to the guest's developer and may be large:
 * a core-dumping signal ends the process with RLIMIT_CORE at 0, so the wait status says
 * "killed by sig" without "core dumped".
 */
_Noreturn void host_die_by_signal(int sig)
{
    struct rlimit no_core = {0, 0};
    if (guest_sig_default(sig) == GUEST_SIG_CORE && setrlimit(RLIMIT_CORE, &no_core) != 0) {
        g_warning("user: setrlimit(RLIMIT_CORE): %s", g_strerror(errno));
    }
    host_sigprocmask(SIG_SETMASK, UINT64_MAX, NULL);
    if (!raw_sigaction(sig, (uintptr_t)SIG_DFL, 0, 0) ||
        syscall(SYS_tgkill, getpid(), gettid(), sig) != 0) {
        g_warning("user: killing the process by signal %d: %s", sig, g_strerror(errno));
    }
    host_sigprocmask(SIG_SETMASK, ~sig_bit(sig), NULL);
    _exit(128 + sig);
}

bool user_host_signals_init(GError **errp)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "sigaction for SIGSEGV/SIGBUS: %s", g_strerror(errno));
        return false;
    }
    return true;
}

/*
 * Host SIGSEGV/SIGBUS in a user-mode process. A host fault is one of three things:
 *
 *  1. A guest write to a page whose host copy was write-protected because code on it was
 *     translated (PAGE_WRITE_ORG, see guest-space.c): lift the protection, invalidate the
 *     page's translations, and return so that the write runs again.
 *  2. A guest access to an unmapped or protected guest page (or the guard page after the
 *     space) while the thread runs guest code: hand it to the architecture's mem_fault,
 *     which restores the guest state from the faulting host PC (when that lies in a TB;
 *     otherwise the state is as of the last TB boundary, as with the interpreter backend)
 *     and leaves to cpu_exec with the guest's exception. Never returns.
 *  3. Anything else is an emulator bug: take the default action (a core dump).
 *
 * The handler runs on a per-thread alternate stack, so that a guest that exhausts its
 * stack still gets here. It finds its thread through a thread-local pointer, set by
 * user_thread_attach; the process state hangs off the thread, nothing is global. Case 1
 * takes gs->lock and the TB cache lock: safe because a thread never writes guest memory
 * while holding either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "user/user-internal.h"
#include "vmcore/thread.h"

#define ALT_STACK_SIZE (256u << 10)
/* x86-64 page-fault error code: the access was a write. */
#define PF_ERR_WRITE 2

static __thread UserThread *current_thread;
static __thread void *current_alt_stack;

UserThread *user_current_thread(void)
{
    return current_thread;
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
    return true;
}

void user_thread_detach(UserThread *t)
{
    g_assert(current_thread == t);
    stack_t ss = {.ss_flags = SS_DISABLE};
    if (sigaltstack(&ss, NULL) != 0) {
        g_warning("sigaltstack(SS_DISABLE): %s", g_strerror(errno));
        return; /* keep the stack: the kernel may still use it */
    }
    g_free(current_alt_stack);
    current_alt_stack = NULL;
    current_thread = NULL;
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
_Noreturn static void raise_guest_fault(UserThread *t, uint64_t addr, bool is_write,
                                        uintptr_t host_pc)
{
    CPUCommon *cpu = t->cpu;
    bool in_tb = tb_find_by_host_pc(cpu->tbs, host_pc) != NULL;
    /* cpu_exec's sigsetjmp does not save the mask: unblock what this handler blocked. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    cpu->cls->mem_fault(cpu->env, addr, (uint32_t)is_write << 8, in_tb ? host_pc : 0);
    g_error("user: mem_fault of %s returned", cpu->cls->name);
}

static void host_fault_handler(int sig, siginfo_t *si, void *ctx)
{
    int saved_errno = errno;
    const ucontext_t *uc = ctx;
    UserThread *t = current_thread;
    uintptr_t fault = (uintptr_t)si->si_addr;
    if (t && si->si_code > 0) {
        GuestSpace *gs = &t->proc->space;
        uintptr_t base = (uintptr_t)gs->base;
        bool is_write = sig == SIGSEGV && (uc->uc_mcontext.gregs[REG_ERR] & PF_ERR_WRITE);
        if (fault >= base && fault - base < gs->size + GUEST_PAGE_SIZE) {
            uint64_t addr = fault - base;
            if (is_write && addr < gs->size && unprotect_for_write(gs, addr)) {
                errno = saved_errno;
                return;
            }
            if (atomic_load(&t->cpu->exec_thread.running)) {
                raise_guest_fault(t, addr, is_write, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);
            }
        }
    }
    /* Case 3: returning re-runs the faulting instruction under the default action. */
    signal(sig, SIG_DFL);
    if (si->si_code <= 0) {
        raise(sig);
    }
    errno = saved_errno;
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

/*
 * What the guest signal files share and nobody else needs: signal.c (dispositions,
 * queueing, delivery, default actions), signal-host.c (the host's handlers and raw
 * signal calls), syscall-signal.c (the syscalls), safe-syscall.c and <arch>/signal.c
 * (the frame).
 *
 * The host's view mirrors the guest's, so that the host kernel does most of the work:
 *  - a thread's host mask is its guest mask, less SIGSEGV and SIGBUS (which translated
 *    code must always be able to take): the kernel queues a blocked signal (real-time
 *    ones in order, with their siginfo) and hands a process-directed one to a thread
 *    that does not block it, as Linux does for the guest;
 *  - a guest SIG_IGN, or a SIG_DFL whose action is to ignore, stop or terminate, is the
 *    host's SIG_IGN or SIG_DFL, so the kernel discards, stops or kills on its own (a
 *    guest killed by SIGTERM ends the emulator by SIGTERM); a guest handler, and SIG_DFL
 *    of the core-dumping signals, are the emulator's handler (signal-host.c), which moves
 *    the signal into the thread's UserSignalState and makes its vCPU leave guest code.
 * The invariant that keeps a one-slot-per-signal store lossless: while wake is set, the
 * thread's host mask blocks every signal but SIGSEGV and SIGBUS (the handler leaves it
 * so), and only user_signal_deliver clears wake, before restoring the mirror mask.
 */
#ifndef USER_SIGNAL_INTERNAL_H
#define USER_SIGNAL_INTERNAL_H

#include <stdatomic.h>

#include "user/user-internal.h"

/* Linux's restart codes: syscall results between a syscall and signal delivery only. */
enum {
    USER_ERESTARTSYS = 512,
    USER_ERESTARTNOINTR = 513,
    USER_ERESTARTNOHAND = 514,
};

/* The generic ABI's MINSIGSTKSZ, and SS_AUTODISARM (not in every libc's headers). */
enum { GUEST_MINSIGSTKSZ = 2048 };
#define GUEST_SS_AUTODISARM (1u << 31)

/* The generic SA_* flags rt_sigaction keeps (Linux's UAPI_SA_FLAGS without a restorer). */
#define GUEST_SA_EXPOSE_TAGBITS 0x800ull
#define GUEST_SA_FLAGS                                                                            \
    ((uint64_t)(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | \
                SA_RESETHAND) |                                                                   \
     GUEST_SA_EXPOSE_TAGBITS)

static inline uint64_t sig_bit(int sig)
{
    return 1ull << (sig - 1);
}

#define GUEST_SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
/* The guest's SIG_DFL and SIG_IGN handler values; any other is a handler's address. */
enum { GUEST_SIG_DFL = 0, GUEST_SIG_IGN = 1 };
/* The first real-time signal as the kernel numbers it (glibc's SIGRTMIN is 34). */
enum { GUEST_SIGRTMIN = 32 };

/* The host mask that stands for guest mask m. */
static inline uint64_t host_mask_of(uint64_t m)
{
    return m & ~(GUEST_SIG_UNBLOCKABLE | sig_bit(SIGSEGV) | sig_bit(SIGBUS));
}

/* What a signal does under SIG_DFL (Linux's sig_kernel_* sets). */
typedef enum GuestSigDefault {
    GUEST_SIG_TERM,
    GUEST_SIG_CORE,
    GUEST_SIG_IGNORE,
    GUEST_SIG_STOP,
} GuestSigDefault;

GuestSigDefault guest_sig_default(int sig);

/* signal.c */

/*
 * The host handler's half (async-signal-safe): keeps sig and its siginfo for t, sets
 * wake and makes t's vCPU leave guest code.
 */
void user_signal_queue(UserThread *t, int sig, const siginfo_t *si);
/* Sets t's guest mask (less SIGKILL and SIGSTOP) and the host mask that mirrors it. */
void user_signal_set_blocked(UserThread *t, uint64_t mask);
/* Gives the calling thread the host mask for t's guest mask, unless wake is set. */
void user_signal_apply_mask(UserThread *t);
/*
 * rt_sigaction's core, after the checks: the old action into *old (unless NULL), then act
 * (unless NULL) in, mirrored on the host; an action that ignores sig discards it where
 * user mode holds it, as the host kernel does where it does.
 */
void user_signal_set_action(UserThread *t, int sig, const GuestSigAction *act, GuestSigAction *old);
/* Takes the first of t's user-mode signals in set: its number (info filled) or 0. */
int user_signal_take(UserThread *t, uint64_t set, siginfo_t *info);
/* A thread leaving: what its store holds goes back to the host for another thread,
 * but for signals sent to it alone (tkill, tgkill). Host signals are blocked. */
void user_signal_thread_exit(UserThread *t);

/* The alternate stack (Linux's sigaltstack rules). sp is the guest's stack pointer. */
int64_t user_sigaltstack(UserThread *t, const GuestStack *ss, GuestStack *old, uint64_t sp);
/* Where a frame of size bytes for act goes (16-byte aligned), or UINT64_MAX when it
 * would overflow the alternate stack: the frame then cannot be written. */
uint64_t user_signal_frame_addr(UserThread *t, const GuestSigAction *act, uint64_t sp,
                                uint64_t size);
/* uc_stack of a new frame; an SS_AUTODISARM altstack is disarmed once saved. */
void user_signal_save_altstack(UserThread *t, GuestStack *out);

/* signal-host.c */

/* The host disposition for a guest one, with the raw rt_sigaction. */
bool host_signal_mirror(int sig, const GuestSigAction *act);
/* Whether the host ignores sig (so an execve'd guest starts with it ignored). */
bool host_signal_ignored(int sig);
/* rt_sigprocmask on the kernel's 64-bit set (glibc hides signals 32 and 33). */
void host_sigprocmask(int how, uint64_t set, uint64_t *old);
/* Ends the process by sig, as the host kernel would: never returns. */
_Noreturn void host_die_by_signal(int sig);

/* safe-syscall.c */
int64_t user_safe_syscall_base(const atomic_int *wake, long nr, long a1, long a2, long a3, long a4,
                               long a5, long a6);
extern const char user_safe_syscall_start[], user_safe_syscall_end[];
void user_host_sigreturn(void);

#endif

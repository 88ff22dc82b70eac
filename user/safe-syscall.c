/*
 * The two pieces of host (x86-64) assembly guest signals need.
 *
 * user_safe_syscall_base closes the race every blocking syscall of an emulator has: a
 * host signal for the guest that arrives after the last "anything pending?" check but
 * before the host kernel has started the call would otherwise be noticed only when the
 * call returns, which may be never (pause, sigsuspend, a read nobody writes to). The flag
 * *wake is tested by the instruction right before `syscall`; the host signal handler sets
 * the flag and, when it interrupted the thread anywhere in [user_safe_syscall_start,
 * user_safe_syscall_end), moves its pc back to the start, so the test runs again, sees
 * the flag and returns -EINTR without making the call. A signal that arrives once the
 * kernel has the call interrupts it as usual (-EINTR; our handlers have no SA_RESTART).
 * The wake pointer lives in rbx (callee-saved): a kernel-side restart after the signal
 * puts pc back on `syscall` with rcx and r11 already clobbered.
 *
 *     int64_t user_safe_syscall_base(const atomic_int *wake, long nr, long a1, ..., a6);
 *
 * user_host_sigreturn is the sa_restorer of the host handlers installed with the raw
 * rt_sigaction (glibc's sigaction refuses signals 32 and 33, which the guest may use).
 * Its bytes are the ones debuggers recognise as a signal trampoline.
 */
#include <errno.h>

#include "user/signal-internal.h"

#if !defined(__x86_64__)
#error "user-mode signals need the x86-64 host's safe syscall"
#endif

_Static_assert(EINTR == 4, "the -EINTR below");

__asm__(".text\n"
        ".globl user_safe_syscall_base\n"
        ".globl user_safe_syscall_start\n"
        ".globl user_safe_syscall_end\n"
        ".type user_safe_syscall_base, @function\n"
        "user_safe_syscall_base:\n"
        ".cfi_startproc\n"
        "    push %rbx\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_rel_offset %rbx, 0\n"
        "    mov %rdi, %rbx\n"    /* wake */
        "    mov %rsi, %rax\n"    /* the syscall number */
        "    mov %rdx, %rdi\n"    /* a1 */
        "    mov %rcx, %rsi\n"    /* a2 */
        "    mov %r8, %rdx\n"     /* a3 */
        "    mov %r9, %r10\n"     /* a4 */
        "    mov 16(%rsp), %r8\n" /* a5 */
        "    mov 24(%rsp), %r9\n" /* a6 */
        "user_safe_syscall_start:\n"
        "    cmpl $0, (%rbx)\n"
        "    jne 1f\n"
        "    syscall\n"
        "user_safe_syscall_end:\n"
        "    pop %rbx\n"
        ".cfi_remember_state\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore %rbx\n"
        "    ret\n"
        ".cfi_restore_state\n"
        "1:  mov $-4, %rax\n" /* -EINTR */
        "    pop %rbx\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore %rbx\n"
        "    ret\n"
        ".cfi_endproc\n"
        ".size user_safe_syscall_base, .-user_safe_syscall_base\n");

__asm__(".text\n"
        ".globl user_host_sigreturn\n"
        ".type user_host_sigreturn, @function\n"
        "user_host_sigreturn:\n"
        "    movq $15, %rax\n" /* __NR_rt_sigreturn */
        "    syscall\n"
        "    ud2\n"
        ".size user_host_sigreturn, .-user_host_sigreturn\n");

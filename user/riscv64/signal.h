/*
 * riscv64 guest signals (user/riscv64/signal.c): the UserArch hooks of the signal frame,
 * for the architecture's UserArch in cpu-loop.c.
 */
#ifndef USER_RISCV64_SIGNAL_H
#define USER_RISCV64_SIGNAL_H

#include "user/user.h"

/* The trampoline page's code: rt_sigreturn (UserArch.sigreturn_code). */
extern const uint32_t riscv64_sigreturn_code[2];

uint64_t riscv64_stack_pointer(const CPUCommon *cpu);
bool riscv64_setup_frame(UserThread *t, int sig, const siginfo_t *info, const GuestSigAction *act,
                         uint64_t saved_mask);
int64_t riscv64_sigreturn(UserThread *t);
void riscv64_syscall_return(UserThread *t, bool restart, uint64_t arg0, int64_t ret);

#endif

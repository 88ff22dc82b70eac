/*
 * Guest signals raised by the CPU loop. For now a synchronous guest signal ends the
 * process the way an unhandled one would on Linux, with a line saying what happened;
 * with guest signal delivery this becomes "queue it for the thread and return".
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "user/user.h"

void user_force_signal(UserThread *t, int signo, int si_code, uint64_t addr)
{
    CPUCommon *cpu = t->cpu;
    uint64_t pc, flags;
    cpu->cls->get_tb_state(cpu, &pc, &flags);
    const char *name = sigabbrev_np(signo);
    fflush(stdout);
    fprintf(stderr, "paddock: guest SIG%s at pc 0x%" PRIx64, name ? name : "?", pc);
    if (signo == SIGSEGV || signo == SIGBUS) {
        fprintf(stderr, " (address 0x%" PRIx64 ", si_code %d)", addr, si_code);
    }
    fputc('\n', stderr);
    user_exit_group(t, 128 + signo);
}

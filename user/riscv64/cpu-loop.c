/*
 * riscv64 Linux user mode: what differs from other architectures is only how a process
 * starts (pc and sp; everything else zero, as Linux's start_thread leaves it) and how a
 * cloned thread or child does (a copy of its parent, with a0, sp and tp set), the
 * hardware capabilities it reports, and how its CPU exceptions map to syscalls and
 * signals (Linux's riscv traps.c).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <string.h>

#include "target/riscv/cpu.h"
#include "user/riscv64/signal.h"
#include "user/run.h"
#include "user/user-internal.h"

#define RISCV_ECALL_BYTES 4
#define RISCV_REG_SP      2
#define RISCV_REG_TP      4
#define RISCV_REG_A0      10
#define RISCV_REG_A7      17
#define RISCV_NR_SIGRET   139

/* Linux's COMPAT_HWCAP_ISA_* bits: one per single-letter extension, 'A' is bit 0. */
static uint64_t riscv64_hwcap(void)
{
    static const char exts[] = "IMAFDC";
    uint64_t hwcap = 0;
    for (const char *e = exts; *e; e++) {
        hwcap |= 1ull << (*e - 'A');
    }
    return hwcap;
}

static void riscv64_cpu_start(CPUCommon *cpu, uint64_t pc, uint64_t sp)
{
    CPURISCVState *env = cpu->env;
    memset(env, 0, sizeof(*env));
    env->pc = pc;
    env->gpr[RISCV_REG_SP] = sp;
    env->load_res = UINT64_MAX;
    env->frm = RISCV_RM_RNE;
}

/* Linux's copy_thread: a0 = 0, the new sp, tp = tls; no reservation carries over. */
static void riscv64_cpu_clone(CPUCommon *cpu, uint64_t sp, bool set_tls, uint64_t tls)
{
    CPURISCVState *env = cpu->env;
    env->gpr[RISCV_REG_A0] = 0;
    if (sp) {
        env->gpr[RISCV_REG_SP] = sp;
    }
    if (set_tls) {
        env->gpr[RISCV_REG_TP] = tls;
    }
    env->load_res = UINT64_MAX;
}

/* rt_sigreturn's result is the restored a0, never a syscall interrupted by a signal. */
static void riscv64_syscall(UserThread *t, CPURISCVState *env)
{
    uint64_t args[6];
    memcpy(args, &env->gpr[RISCV_REG_A0], sizeof(args));
    unsigned nr = (unsigned)env->gpr[RISCV_REG_A7];
    env->pc += RISCV_ECALL_BYTES;
    int64_t ret = user_syscall(t, nr, args);
    if (nr != RISCV_NR_SIGRET) {
        ret = user_signal_syscall_result(t, nr, args, ret);
    }
    env->gpr[RISCV_REG_A0] = (uint64_t)ret;
}

static void riscv64_exception(UserThread *t, CPURISCVState *env, int excp)
{
    switch (excp) {
    case RISCV_EXCP_U_ECALL: riscv64_syscall(t, env); break;
    case RISCV_EXCP_ILLEGAL_INST: user_force_signal(t, SIGILL, ILL_ILLOPC, env->pc); break;
    case RISCV_EXCP_BREAKPOINT: user_force_signal(t, SIGTRAP, TRAP_BRKPT, env->pc); break;
    case RISCV_EXCP_INST_ADDR_MIS:
    case RISCV_EXCP_LOAD_ADDR_MIS:
    case RISCV_EXCP_STORE_AMO_ADDR_MIS:
        user_force_signal(t, SIGBUS, BUS_ADRALN, env->badaddr);
        break;
    case RISCV_EXCP_INST_ACCESS_FAULT:
    case RISCV_EXCP_LOAD_ACCESS_FAULT:
    case RISCV_EXCP_STORE_AMO_ACCESS_FAULT:
    case RISCV_EXCP_INST_PAGE_FAULT:
    case RISCV_EXCP_LOAD_PAGE_FAULT:
    case RISCV_EXCP_STORE_PAGE_FAULT: user_force_memory_fault(t, env->badaddr); break;
    case EXCP_INTERRUPT: break; /* cpu_exit(): a signal, or another thread's request */
    case EXCP_ICOUNT: user_icount_expired(t);
    default:
        g_error("riscv64: unexpected exception %d at pc 0x%" G_GINT64_MODIFIER "x", excp, env->pc);
    }
}

static void riscv64_cpu_loop(UserThread *t)
{
    CPURISCVState *env = t->cpu->env;
    for (;;) {
        riscv64_exception(t, env, cpu_exec(t->cpu));
        if (user_signal_work(t)) {
            user_signal_deliver(t);
        }
    }
}

const UserArch user_arch_riscv64 = {
    .name = "riscv64",
    .elf_machine = EM_RISCV,
    .cpu_class = &riscv_cpu_class,
    .cpu_size = sizeof(RISCVCPU),
    .hwcap = riscv64_hwcap,
    .cpu_start = riscv64_cpu_start,
    .cpu_loop = riscv64_cpu_loop,
    .cpu_clone = riscv64_cpu_clone,
    .sigreturn_code = riscv64_sigreturn_code,
    .sigreturn_code_size = sizeof(riscv64_sigreturn_code),
    .stack_pointer = riscv64_stack_pointer,
    .setup_frame = riscv64_setup_frame,
    .sigreturn = riscv64_sigreturn,
    .syscall_return = riscv64_syscall_return,
};

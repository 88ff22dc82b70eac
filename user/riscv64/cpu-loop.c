/*
 * riscv64 Linux user mode: what differs from other architectures is only how a process
 * starts (pc and sp; everything else zero, as Linux's start_thread leaves it), the
 * hardware capabilities it reports, and how its CPU exceptions map to syscalls and
 * signals (Linux's riscv traps.c).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <string.h>

#include "target/riscv/cpu.h"
#include "user/run.h"
#include "user/user-internal.h"

#define RISCV_ECALL_BYTES 4
#define RISCV_REG_SP      2
#define RISCV_REG_A0      10
#define RISCV_REG_A7      17

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

static void riscv64_syscall(UserThread *t, CPURISCVState *env)
{
    uint64_t args[6];
    memcpy(args, &env->gpr[RISCV_REG_A0], sizeof(args));
    env->pc += RISCV_ECALL_BYTES;
    env->gpr[RISCV_REG_A0] = (uint64_t)user_syscall(t, (unsigned)env->gpr[RISCV_REG_A7], args);
}

/* SEGV_ACCERR when the page is mapped but the access not allowed, else SEGV_MAPERR. */
static int segv_code(UserThread *t, uint64_t addr)
{
    GuestSpace *gs = &t->proc->space;
    bool mapped = addr < gs->size && (page_get_flags(gs, addr) & PAGE_VALID);
    return mapped ? SEGV_ACCERR : SEGV_MAPERR;
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
    case RISCV_EXCP_STORE_PAGE_FAULT:
        user_force_signal(t, SIGSEGV, segv_code(t, env->badaddr), env->badaddr);
        break;
    case EXCP_INTERRUPT: break; /* another thread stopped us: pending work comes here */
    default:
        g_error("riscv64: unexpected exception %d at pc 0x%" G_GINT64_MODIFIER "x", excp, env->pc);
    }
}

static void riscv64_cpu_loop(UserThread *t)
{
    CPURISCVState *env = t->cpu->env;
    for (;;) {
        riscv64_exception(t, env, cpu_exec(t->cpu));
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
};

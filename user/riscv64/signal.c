/*
 * The riscv64 signal frame, laid out as Linux's arch/riscv/kernel/signal.c builds it,
 * because C libraries, unwinders and debuggers read it blind (glibc's getcontext-style
 * users, libgcc's MD_FALLBACK_FRAME_STATE_FOR, gdb):
 *
 *     sp + 0     siginfo (128 bytes)
 *     sp + 128   ucontext: uc_flags, uc_link, uc_stack (24 bytes), uc_sigmask (8 bytes
 *                and 120 of padding), 8 bytes to align uc_mcontext to 16
 *     sp + 304   uc_mcontext: pc, x1..x31
 *     sp + 560   union __riscv_fp_state, D variant: f0..f31, fcsr (at sp + 816), then
 *                zero up to the Q variant's 528 bytes; the last three words (sp + 1076)
 *                must be zero on rt_sigreturn (Linux 6.5+ reads them as a reserved word
 *                and an END extension header)
 *     sp + 1088  the interrupted stack (frame 16-byte aligned below it, or on the
 *                alternate stack)
 *
 * The handler gets a0 = signal, a1 = &siginfo, a2 = &ucontext whether or not it asked
 * for SA_SIGINFO (as Linux gives them), and ra = the process's trampoline page, which
 * holds what Linux's vDSO __vdso_rt_sigreturn holds: li a7, 139; ecall.
 * rt_sigreturn takes everything back from the frame at sp, whatever the handler wrote
 * there: a hostile frame changes only guest registers; one that cannot be read, or with
 * nonzero reserved words, is a SIGSEGV.
 */
#define _GNU_SOURCE
#include "user/riscv64/signal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "target/riscv/cpu.h"
#include "user/signal-internal.h"

enum {
    RV_REG_RA = 1,
    RV_REG_SP = 2,
    RV_REG_A0 = 10,
    RV_REG_A1 = 11,
    RV_REG_A2 = 12,
    RV_ECALL_BYTES = 4,
    RV_FRM_SHIFT = 5,
    RV_FFLAGS_MASK = 0x1f,
    RV_FRM_MASK = 0x7,
};

/* union __riscv_fp_state: the D variant, in the size of the Q variant. */
typedef struct RV64FpState {
    uint64_t f[32];
    uint32_t fcsr;
    uint32_t pad[64];
    uint32_t reserved[3];
} RV64FpState;

typedef struct RV64SigContext {
    uint64_t regs[32]; /* struct user_regs_struct: pc, then x1..x31 */
    RV64FpState fp;
} RV64SigContext;

typedef struct RV64UContext {
    uint64_t flags;
    uint64_t link;
    GuestStack stack;
    uint64_t sigmask;
    uint8_t sigmask_pad[120]; /* room for a larger sigset_t */
    uint8_t align_pad[8];     /* struct sigcontext is 16-byte aligned */
    RV64SigContext mcontext;
} RV64UContext;

typedef struct RV64SigFrame {
    siginfo_t info;
    RV64UContext uc;
} RV64SigFrame;

_Static_assert(sizeof(siginfo_t) == 128 && sizeof(GuestStack) == 24, "siginfo or stack_t");
_Static_assert(offsetof(RV64SigFrame, uc) == 128, "ucontext offset");
_Static_assert(offsetof(RV64SigFrame, uc.stack) == 144, "uc_stack offset");
_Static_assert(offsetof(RV64SigFrame, uc.sigmask) == 168, "uc_sigmask offset");
_Static_assert(offsetof(RV64SigFrame, uc.mcontext) == 304, "uc_mcontext offset");
_Static_assert(offsetof(RV64SigFrame, uc.mcontext.fp) == 560, "fp state offset");
_Static_assert(offsetof(RV64SigFrame, uc.mcontext.fp.fcsr) == 816, "fcsr offset");
_Static_assert(offsetof(RV64SigFrame, uc.mcontext.fp.reserved) == 1076, "reserved offset");
_Static_assert(sizeof(RV64SigFrame) == 1088, "rt_sigframe size");

/* li a7, 139 (__NR_rt_sigreturn); ecall */
const uint32_t riscv64_sigreturn_code[2] = {0x08b00893, 0x00000073};

uint64_t riscv64_stack_pointer(const CPUCommon *cpu)
{
    return ((const CPURISCVState *)cpu->env)->gpr[RV_REG_SP];
}

static void save_context(const CPURISCVState *env, RV64SigContext *sc)
{
    sc->regs[0] = env->pc;
    memcpy(&sc->regs[1], &env->gpr[1], 31 * sizeof(uint64_t));
    memcpy(sc->fp.f, env->fpr, sizeof(sc->fp.f));
    sc->fp.fcsr = (env->fflags & RV_FFLAGS_MASK) | (env->frm & RV_FRM_MASK) << RV_FRM_SHIFT;
}

/* Whether the frame's extension words are the zeros a frame without extensions has. */
static bool restore_context(CPURISCVState *env, const RV64SigContext *sc)
{
    env->pc = sc->regs[0];
    memcpy(&env->gpr[1], &sc->regs[1], 31 * sizeof(uint64_t));
    memcpy(env->fpr, sc->fp.f, sizeof(env->fpr));
    env->fflags = sc->fp.fcsr & RV_FFLAGS_MASK;
    env->frm = sc->fp.fcsr >> RV_FRM_SHIFT & RV_FRM_MASK;
    env->load_res = UINT64_MAX;
    return !(sc->fp.reserved[0] | sc->fp.reserved[1] | sc->fp.reserved[2]);
}

bool riscv64_setup_frame(UserThread *t, int sig, const siginfo_t *info, const GuestSigAction *act,
                         uint64_t saved_mask)
{
    CPURISCVState *env = t->cpu->env;
    uint64_t addr = user_signal_frame_addr(t, act, env->gpr[RV_REG_SP], sizeof(RV64SigFrame));
    void *host = addr == UINT64_MAX ? NULL : lock_user(t, addr, sizeof(RV64SigFrame), PAGE_WRITE);
    if (!host) {
        return false;
    }
    RV64SigFrame f;
    memset(&f, 0, sizeof(f));
    f.info = *info;
    user_signal_save_altstack(t, &f.uc.stack);
    f.uc.sigmask = saved_mask;
    save_context(env, &f.uc.mcontext);
    memcpy(host, &f, sizeof(f));
    env->gpr[RV_REG_RA] = t->proc->sig.trampoline;
    env->gpr[RV_REG_SP] = addr;
    env->gpr[RV_REG_A0] = (uint64_t)sig;
    env->gpr[RV_REG_A1] = addr + offsetof(RV64SigFrame, info);
    env->gpr[RV_REG_A2] = addr + offsetof(RV64SigFrame, uc);
    env->pc = act->handler;
    env->load_res = UINT64_MAX;
    return true;
}

/* The result is the restored a0, which the CPU loop writes back as the syscall's. */
int64_t riscv64_sigreturn(UserThread *t)
{
    CPURISCVState *env = t->cpu->env;
    const void *host = lock_user(t, env->gpr[RV_REG_SP], sizeof(RV64SigFrame), PAGE_READ);
    if (!host) {
        user_force_signal(t, SIGSEGV, SI_KERNEL, 0);
        return 0;
    }
    RV64SigFrame f;
    memcpy(&f, host, sizeof(f));
    user_signal_set_blocked(t, f.uc.sigmask);
    if (!restore_context(env, &f.uc.mcontext)) {
        user_force_signal(t, SIGSEGV, SI_KERNEL, 0);
        return 0;
    }
    /* As Linux's restore_altstack, a refused uc_stack is not an error. */
    user_sigaltstack(t, &f.uc.stack, NULL, env->gpr[RV_REG_SP]);
    return (int64_t)env->gpr[RV_REG_A0];
}

void riscv64_syscall_return(UserThread *t, bool restart, uint64_t arg0, int64_t ret)
{
    CPURISCVState *env = t->cpu->env;
    if (restart) {
        env->pc -= RV_ECALL_BYTES;
        env->gpr[RV_REG_A0] = arg0;
    } else {
        env->gpr[RV_REG_A0] = (uint64_t)ret;
    }
}

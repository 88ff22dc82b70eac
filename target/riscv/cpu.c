/*
 * The RV64 vCPU as the execution loop sees it (CPUClass): the globals of a translation
 * context, the TB key, the pc restored after a fault, and the exceptions of refused
 * guest accesses.
 *
 * Globals are registered in one fixed order right after env (x1..x31, f0..f31, pc,
 * load_res, load_val), so every context has the same handles and riscv_gpr() and friends
 * compute them by formula; riscv_init_tcg() checks the formula against the registration.
 */
#include "target/riscv/cpu.h"

#include <stddef.h>

#include "target/riscv/internals.h"
#include "target/riscv/translate.h"

CPU_DEFINE_LAYOUT(RISCVCPU, common, env);

enum {
    GLOBAL_X1 = 1, /* env is handle 0 */
    GLOBAL_F0 = GLOBAL_X1 + 31,
    GLOBAL_PC = GLOBAL_F0 + 32,
    GLOBAL_LOAD_RES,
    GLOBAL_LOAD_VAL,
};

TCGv riscv_gpr(unsigned reg)
{
    return (TCGv){.idx = GLOBAL_X1 + reg - 1};
}

TCGv riscv_fpr(unsigned reg)
{
    return (TCGv){.idx = GLOBAL_F0 + reg};
}

TCGv riscv_pc(void)
{
    return (TCGv){.idx = GLOBAL_PC};
}

TCGv riscv_load_res(void)
{
    return (TCGv){.idx = GLOBAL_LOAD_RES};
}

TCGv riscv_load_val(void)
{
    return (TCGv){.idx = GLOBAL_LOAD_VAL};
}

static void add_global(TCGContext *s, TCGv expected, size_t offset, const char *name)
{
    TCGv t = tcg_global_mem_new(s, TCG_TYPE_I64, (int32_t)offset, name);
    g_assert(t.idx == expected.idx);
}

static void riscv_init_tcg(TCGContext *s)
{
    static const char *const gpr_names[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                              "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                              "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                              "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    static const char *const fpr_names[32] = {
        "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
        "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
        "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
    for (unsigned i = 1; i < 32; i++) {
        add_global(s, riscv_gpr(i), offsetof(CPURISCVState, gpr[i]), gpr_names[i]);
    }
    for (unsigned i = 0; i < 32; i++) {
        add_global(s, riscv_fpr(i), offsetof(CPURISCVState, fpr[i]), fpr_names[i]);
    }
    add_global(s, riscv_pc(), offsetof(CPURISCVState, pc), "pc");
    add_global(s, riscv_load_res(), offsetof(CPURISCVState, load_res), "load_res");
    add_global(s, riscv_load_val(), offsetof(CPURISCVState, load_val), "load_val");
}

/* No mode bits yet: user mode only, and the extensions are fixed. */
static void riscv_get_tb_state(CPUCommon *cpu, uint64_t *pc, uint64_t *flags)
{
    *pc = ((CPURISCVState *)cpu->env)->pc;
    *flags = 0;
}

static void riscv_restore_state(CPUCommon *cpu, const uint64_t *insn_data)
{
    ((CPURISCVState *)cpu->env)->pc = insn_data[0];
}

/*
 * A guest access refused by the memory model. Linux reports access and page faults
 * alike as SIGSEGV; page faults are what a real hart would take for an unmapped page.
 */
static void riscv_mem_fault(void *opaque, uint64_t addr, uint32_t access, uintptr_t retaddr)
{
    CPURISCVState *env = opaque;
    MemOp mo = (MemOp)(access & 0xff);
    bool store = access >> 8 & 1;
    bool misaligned = (mo & MO_ALIGN) && (addr & (memop_size(mo) - 1));
    int excp;
    if (misaligned) {
        excp = store ? RISCV_EXCP_STORE_AMO_ADDR_MIS : RISCV_EXCP_LOAD_ADDR_MIS;
    } else {
        excp = store ? RISCV_EXCP_STORE_PAGE_FAULT : RISCV_EXCP_LOAD_PAGE_FAULT;
    }
    env->badaddr = addr;
    cpu_raise_exception(env_cpu(env), excp, retaddr);
}

const CPUClass riscv_cpu_class = {
    .name = "riscv64",
    .insn_start_words = 1,
    .init_tcg = riscv_init_tcg,
    .get_tb_state = riscv_get_tb_state,
    .translate = riscv_translate,
    .restore_state = riscv_restore_state,
    .mem_fault = riscv_mem_fault,
};

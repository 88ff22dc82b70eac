/* The toy architecture of toy-cpu.h: a frontend of a few instructions and its helpers. */
#include "toy-cpu.h"

#include <string.h>

CPU_DEFINE_LAYOUT(ToyCPU, common, env);

#define INSN_BYTES 8

typedef struct ToyDisas {
    DisasContextBase base;
    TCGv r[TOY_NREGS];
    TCGv pc;
} ToyDisas;

static void helper_count(void *env, uint64_t val)
{
    ((ToyEnv *)env)->counter += val;
}

static void helper_raise(void *env, uint32_t excp)
{
    cpu_raise_exception(env_cpu(env), (int)excp, 0);
}

static void toy_fault(void *env, uint64_t addr, uint32_t access, uintptr_t retaddr)
{
    ((ToyEnv *)env)->fault_addr = addr;
    cpu_raise_exception(env_cpu(env), TOY_EXCP_SEGV, retaddr);
}

static const TCGHelperInfo count_info = {
    .name = "count",
    .func = (void *)helper_count,
    .flags = TCG_CALL_NO_RWG,
    .args = {TCG_CALL_PTR, TCG_CALL_I64},
    .nargs = 2,
};

static const TCGHelperInfo raise_info = {
    .name = "raise",
    .func = (void *)helper_raise,
    .args = {TCG_CALL_PTR, TCG_CALL_I32},
    .nargs = 2,
};

/* Globals are registered in the same order in every context, right after env. */
static TCGv toy_global(unsigned i)
{
    return (TCGv){.idx = 1 + i};
}

static void toy_init_tcg(TCGContext *s)
{
    static const char *const names[TOY_NREGS + 1] = {"r0", "r1", "r2", "r3", "r4",
                                                     "r5", "r6", "r7", "pc"};
    for (unsigned i = 0; i <= TOY_NREGS; i++) {
        int32_t off =
            i < TOY_NREGS ? (int32_t)offsetof(ToyEnv, r[i]) : (int32_t)offsetof(ToyEnv, pc);
        TCGv t = tcg_global_mem_new(s, TCG_TYPE_I64, off, names[i]);
        g_assert(t.idx == toy_global(i).idx);
    }
}

static void toy_get_tb_state(CPUCommon *cpu, uint64_t *pc, uint64_t *flags)
{
    *pc = ((ToyEnv *)cpu->env)->pc;
    *flags = 0;
}

static void toy_restore_state(CPUCommon *cpu, const uint64_t *data)
{
    ((ToyEnv *)cpu->env)->pc = data[0];
}

static void toy_init_disas(DisasContextBase *db, void *cpu)
{
    ToyDisas *d = (ToyDisas *)db;
    for (unsigned i = 0; i < TOY_NREGS; i++) {
        d->r[i] = toy_global(i);
    }
    d->pc = toy_global(TOY_NREGS);
}

static void toy_tb_start(DisasContextBase *db, void *cpu)
{
}

static void toy_insn_start(DisasContextBase *db, void *cpu)
{
    tcg_gen_insn_start(db->s, &db->pc_next);
}

static void gen_goto(ToyDisas *d, unsigned slot, uint64_t dest)
{
    TCGContext *s = d->base.s;
    tcg_gen_goto_tb(s, slot);
    tcg_gen_movi(s, d->pc, (int64_t)dest);
    tcg_gen_exit_tb_slot(s, slot);
}

static void gen_raise(ToyDisas *d, uint64_t pc, int excp)
{
    TCGContext *s = d->base.s;
    tcg_gen_movi(s, d->pc, (int64_t)pc);
    TCGv args[2] = {tcg_env(s), tcg_constant_i32(s, excp)};
    tcg_gen_call(s, &raise_info, NULL, args);
    d->base.is_jmp = DISAS_NORETURN;
}

static void gen_bne(ToyDisas *d, unsigned rd, unsigned rs, uint64_t pc, int32_t imm)
{
    TCGContext *s = d->base.s;
    TCGLabel *not_taken = tcg_new_label(s);
    tcg_gen_brcond(s, TCG_COND_EQ, d->r[rd], d->r[rs], not_taken);
    gen_goto(d, 0, pc + (uint64_t)(int64_t)imm);
    tcg_gen_set_label(s, not_taken);
    gen_goto(d, 1, pc + INSN_BYTES);
    d->base.is_jmp = DISAS_NORETURN;
}

static void gen_mem(ToyDisas *d, bool store, unsigned rd, unsigned rs, int32_t imm)
{
    TCGContext *s = d->base.s;
    TCGv addr = tcg_temp_new_i64(s);
    tcg_gen_addi(s, addr, d->r[rs], imm);
    if (store) {
        tcg_gen_guest_st(s, d->r[rd], addr, 0, MO_UQ);
    } else {
        tcg_gen_guest_ld(s, d->r[rd], addr, 0, MO_UQ);
    }
}

static void toy_translate_insn(DisasContextBase *db, void *opaque)
{
    ToyDisas *d = (ToyDisas *)db;
    CPUCommon *cpu = opaque;
    const TCGGuestMemory *mem = &cpu->tbs->be->mem;
    TCGContext *s = db->s;
    uint64_t pc = db->pc_next;
    if (pc > mem->guest_limit - INSN_BYTES || pc % INSN_BYTES) {
        gen_raise(d, pc, TOY_EXCP_SEGV);
        return;
    }
    const uint8_t *insn = (const uint8_t *)mem->guest_base + pc;
    unsigned op = insn[0], rd = insn[1] % TOY_NREGS, rs = insn[2] % TOY_NREGS,
             rt = insn[3] % TOY_NREGS;
    int32_t imm;
    memcpy(&imm, insn + 4, sizeof(imm));
    db->pc_next = pc + INSN_BYTES;
    switch (op) {
    case TOY_ADDI: tcg_gen_addi(s, d->r[rd], d->r[rs], imm); break;
    case TOY_ADD: tcg_gen_add(s, d->r[rd], d->r[rs], d->r[rt]); break;
    case TOY_LD: gen_mem(d, false, rd, rs, imm); break;
    case TOY_ST: gen_mem(d, true, rd, rs, imm); break;
    case TOY_BNE: gen_bne(d, rd, rs, pc, imm); break;
    case TOY_JMP:
        gen_goto(d, 0, pc + (uint64_t)(int64_t)imm);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_JR:
        tcg_gen_mov(s, d->pc, d->r[rs]);
        tcg_gen_lookup_and_goto_ptr(s, d->pc);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_HALT: gen_raise(d, pc, TOY_EXCP_HALT); break;
    case TOY_COUNT: {
        TCGv args[2] = {tcg_env(s), d->r[rs]};
        tcg_gen_call(s, &count_info, NULL, args);
        break;
    }
    default: gen_raise(d, pc, TOY_EXCP_ILLEGAL); break;
    }
}

static void toy_tb_stop(DisasContextBase *db, void *cpu)
{
    if (db->is_jmp == DISAS_TOO_MANY) {
        gen_goto((ToyDisas *)db, 0, db->pc_next);
    }
}

static const TranslatorOps toy_translator = {
    .init_disas_context = toy_init_disas,
    .tb_start = toy_tb_start,
    .insn_start = toy_insn_start,
    .translate_insn = toy_translate_insn,
    .tb_stop = toy_tb_stop,
};

static uint32_t toy_translate(CPUCommon *cpu, TCGContext *s, uint64_t pc, uint64_t flags,
                              unsigned max_insns)
{
    ToyDisas d = {
        .base = {.s = s, .tb = s->tb, .pc_first = pc, .flags = flags, .max_insns = max_insns}};
    return translator_loop(&toy_translator, &d.base, cpu);
}

const CPUClass toy_cpu_class = {
    .name = "toy",
    .insn_start_words = 1,
    .init_tcg = toy_init_tcg,
    .get_tb_state = toy_get_tb_state,
    .translate = toy_translate,
    .restore_state = toy_restore_state,
};

void toy_put(uint8_t *base, uint64_t addr, unsigned op, unsigned rd, unsigned rs, unsigned rt,
             int32_t imm)
{
    uint8_t *p = base + addr;
    p[0] = (uint8_t)op;
    p[1] = (uint8_t)rd;
    p[2] = (uint8_t)rs;
    p[3] = (uint8_t)rt;
    memcpy(p + 4, &imm, sizeof(imm));
}

TCGGuestMemory toy_memory(uint8_t *base, uint64_t size)
{
    return (TCGGuestMemory){
        .model = TCG_MEM_USER,
        .guest_base = (uintptr_t)base,
        .guest_limit = size,
        .fault_helper = toy_fault,
    };
}

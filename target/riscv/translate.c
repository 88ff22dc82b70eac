/*
 * The RV64GC frontend: fetches guest instructions in 16-bit parcels, hands each to the
 * decoders generated from insn32.decode and insn16.decode, and ends TBs. The trans_
 * functions, grouped by extension in trans_*.c.inc, are included here beside the
 * decoders that call them, and emit IR only.
 *
 * Guest registers are globals, so an ALU instruction is one or two IR ops on them and
 * they stay in host registers across a TB. Direct jumps chain TBs (goto_tb slot 0 for
 * the taken target, 1 for the fall-through); indirect ones look the target up. Every
 * exception leaves with the instruction's pc stored and the globals written back, so
 * the guest state is exact for the execution loop, whichever backend runs the code.
 */
#include "target/riscv/translate.h"

#include <inttypes.h>
#include <stddef.h>

#include "target/riscv/internals.h"
#include "vmcore/log.h"

TCGv get_gpr(DisasContext *ctx, unsigned reg)
{
    return reg ? riscv_gpr(reg) : tcg_constant_i64(ctx->base.s, 0);
}

TCGv dest_gpr(DisasContext *ctx, unsigned reg)
{
    return reg ? riscv_gpr(reg) : tcg_temp_new_i64(ctx->base.s);
}

void gen_set_gpr(DisasContext *ctx, unsigned reg, TCGv v)
{
    if (reg) {
        tcg_gen_mov(ctx->base.s, riscv_gpr(reg), v);
    }
}

/* Makes the guest pc exact for a helper that may raise an exception. */
static void gen_update_pc(DisasContext *ctx)
{
    tcg_gen_movi(ctx->base.s, riscv_pc(), (int64_t)ctx->base.pc_next);
}

void gen_exception(DisasContext *ctx, int excp)
{
    TCGContext *s = ctx->base.s;
    gen_update_pc(ctx);
    TCGv args[2] = {tcg_env(s), tcg_constant_i32(s, excp)};
    tcg_gen_call(s, &riscv_helper_raise_exception, NULL, args);
    ctx->base.is_jmp = DISAS_NORETURN;
}

void gen_illegal(DisasContext *ctx)
{
    gen_exception(ctx, RISCV_EXCP_ILLEGAL_INST);
}

/*
 * Ends the TB with a jump to dest, chainable through goto_tb slot n. The pc is stored only
 * on the way out: a chained jump skips it (see tcg_gen_goto_tb).
 */
static void gen_goto_tb(DisasContext *ctx, unsigned n, uint64_t dest)
{
    TCGContext *s = ctx->base.s;
    tcg_gen_goto_tb(s, n);
    tcg_gen_movi(s, riscv_pc(), (int64_t)dest);
    tcg_gen_exit_tb_slot(s, n);
    ctx->base.is_jmp = DISAS_NORETURN;
}

/* Ends the TB with a jump to the address already in the pc. */
static void gen_goto_pc(DisasContext *ctx)
{
    tcg_gen_lookup_and_goto_ptr(ctx->base.s, riscv_pc());
    ctx->base.is_jmp = DISAS_NORETURN;
}

#include "decode-insn16.c.inc"
#include "decode-insn32.c.inc"
/* F/D addition (FP frontend): the decoder generated from insn32-fp.decode. */
#include "decode-insn32-fp.c.inc"

/* Reserved encodings that the .decode files list explicitly. */
static bool trans_illegal(DisasContext *ctx, arg_empty *a)
{
    gen_illegal(ctx);
    return true;
}

#include "trans_rvi.c.inc"
#include "trans_rvm.c.inc"
#include "trans_rva.c.inc"
#include "trans_rvb.c.inc"
#include "trans_zicsr.c.inc"
/* F/D addition (FP frontend). */
#include "trans_rvf.c.inc"
#include "trans_rvd.c.inc"

/* PADDOCK_LOG=in_asm: each guest instruction as it is translated. */
static void log_insn(const DisasContext *ctx, uint64_t pc, unsigned len)
{
    char text[160];
    uint32_t insn = ctx->opcode;
    bool known = len == 2
                     ? disas_insn16(insn, text, sizeof(text))
                     : disas_insn32(insn, text, sizeof(text)) || disas_fp(insn, text, sizeof(text));
    fprintf(log_stream(), "IN: 0x%08" PRIx64 ":  %0*x  %s\n", pc, len * 2, insn,
            known ? text : "(illegal)");
}

static bool decode_insn(DisasContext *ctx, unsigned len)
{
    if (len == 2) {
        return decode_insn16(ctx, ctx->opcode);
    }
    if (decode_insn32(ctx, ctx->opcode)) {
        return true;
    }
    /* F/D addition (FP frontend): the F and D encodings. */
    return decode_fp(ctx, ctx->opcode);
}

static bool fetch_parcel(DisasContext *ctx, uint64_t pc, uint32_t *parcel)
{
    CPUCommon *cpu = &ctx->cpu->common;
    uint8_t b[2];
    if (!cpu->mem->fetch_code(cpu, pc, b, sizeof(b))) {
        return false;
    }
    *parcel = b[0] | (uint32_t)b[1] << 8;
    return true;
}

/*
 * The parcel at badaddr cannot be fetched. Only the first instruction of a TB raises
 * the fault, so that everything before it runs first: a later one ends the TB before
 * itself, and the next TB starts with it.
 */
static void gen_fetch_fault(DisasContext *ctx, uint64_t badaddr)
{
    TCGContext *s = ctx->base.s;
    if (ctx->base.num_insns > 1) {
        ctx->base.is_jmp = DISAS_TOO_MANY;
        return;
    }
    tcg_gen_st(s, tcg_constant_i64(s, (int64_t)badaddr), tcg_env(s),
               offsetof(CPURISCVState, badaddr), MO_64);
    gen_exception(ctx, RISCV_EXCP_INST_PAGE_FAULT);
    /* The TB depends on the refused page: it covers the parcel, for invalidation. */
    ctx->base.pc_next = badaddr + 2;
}

static void riscv_tr_translate_insn(DisasContextBase *db, void *cpu)
{
    DisasContext *ctx = (DisasContext *)db;
    uint64_t pc = db->pc_next;
    uint32_t lo, hi = 0;
    if (!fetch_parcel(ctx, pc, &lo)) {
        gen_fetch_fault(ctx, pc);
        return;
    }
    unsigned len = (lo & 3) == 3 ? 4 : 2;
    if (len == 4 && !fetch_parcel(ctx, pc + 2, &hi)) {
        gen_fetch_fault(ctx, pc + 2);
        return;
    }
    ctx->opcode = lo | hi << 16;
    ctx->pc_succ_insn = pc + len;
    if (log_enabled(LOG_IN_ASM)) {
        log_insn(ctx, pc, len);
    }
    if (!decode_insn(ctx, len)) {
        gen_illegal(ctx);
    }
    db->pc_next = ctx->pc_succ_insn;
}

static void riscv_tr_init_disas_context(DisasContextBase *db, void *cpu)
{
    DisasContext *ctx = (DisasContext *)db;
    ctx->cpu = cpu;
    ctx->mem_idx = 0;
}

static void riscv_tr_tb_start(DisasContextBase *db, void *cpu)
{
}

static void riscv_tr_insn_start(DisasContextBase *db, void *cpu)
{
    tcg_gen_insn_start(db->s, &db->pc_next);
}

static void riscv_tr_tb_stop(DisasContextBase *db, void *cpu)
{
    if (db->is_jmp == DISAS_TOO_MANY) {
        gen_goto_tb((DisasContext *)db, 0, db->pc_next);
    }
}

static const TranslatorOps riscv_tr_ops = {
    .init_disas_context = riscv_tr_init_disas_context,
    .tb_start = riscv_tr_tb_start,
    .insn_start = riscv_tr_insn_start,
    .translate_insn = riscv_tr_translate_insn,
    .tb_stop = riscv_tr_tb_stop,
};

uint32_t riscv_translate(CPUCommon *cpu, TCGContext *s, uint64_t pc, uint64_t flags,
                         unsigned max_insns)
{
    DisasContext ctx = {
        .base = {.s = s, .tb = s->tb, .pc_first = pc, .flags = flags, .max_insns = max_insns}};
    return translator_loop(&riscv_tr_ops, &ctx.base, cpu);
}

/*
 * The tcg_gen_* API: how a frontend builds the IR of one TB. Each call appends ops to the
 * context; the op's type is the type of its first operand, and every other operand must
 * have the same type (checked at translation time) unless the op converts widths.
 * The "i" forms take an immediate for their last source operand.
 * Semantics and undefined cases of each op: docs/ir.md.
 */
#ifndef TCG_TCG_OP_H
#define TCG_TCG_OP_H

#include "tcg/tcg.h"

/* Contexts, temps, constants, labels. */
TCGContext *tcg_context_new(const TCGGuestMemory *mem, unsigned insn_start_words);
void tcg_context_free(TCGContext *s);
void tcg_func_start(TCGContext *s, void *tb);
TCGv tcg_global_mem_new(TCGContext *s, TCGType type, int32_t env_offset, const char *name);
TCGv tcg_temp_new(TCGContext *s, TCGType type);
TCGv tcg_constant(TCGContext *s, TCGType type, int64_t val);
/*
 * A constant whose value is known only later in the TB (the translator's instruction
 * count): a temp of its own, never shared as tcg_constant's are, given its value by
 * tcg_constant_set before the TB's IR is optimized.
 */
TCGv tcg_constant_deferred(TCGContext *s, TCGType type);
void tcg_constant_set(TCGContext *s, TCGv t, int64_t val);
TCGv tcg_env(TCGContext *s);
TCGType tcg_type_of(TCGContext *s, TCGv t);
TCGLabel *tcg_new_label(TCGContext *s);

static inline TCGv tcg_temp_new_i32(TCGContext *s)
{
    return tcg_temp_new(s, TCG_TYPE_I32);
}

static inline TCGv tcg_temp_new_i64(TCGContext *s)
{
    return tcg_temp_new(s, TCG_TYPE_I64);
}

static inline TCGv tcg_constant_i32(TCGContext *s, int32_t val)
{
    return tcg_constant(s, TCG_TYPE_I32, val);
}

static inline TCGv tcg_constant_i64(TCGContext *s, int64_t val)
{
    return tcg_constant(s, TCG_TYPE_I64, val);
}

/* Moves and arithmetic. */
void tcg_gen_mov(TCGContext *s, TCGv ret, TCGv arg);
void tcg_gen_movi(TCGContext *s, TCGv ret, int64_t val);
void tcg_gen_add(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_addi(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_sub(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_subi(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_neg(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_mul(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_muli(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_mulu2(TCGContext *s, TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_muls2(TCGContext *s, TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_div(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_divu(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_rem(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_remu(TCGContext *s, TCGv ret, TCGv a, TCGv b);

/* Logic, shifts and rotations. */
void tcg_gen_and(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_andi(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_or(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_ori(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_xor(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_xori(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_not(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_andc(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_orc(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_shl(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_shli(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_shr(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_shri(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_sar(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_sari(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_rotl(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_rotli(TCGContext *s, TCGv ret, TCGv a, int64_t b);
void tcg_gen_rotr(TCGContext *s, TCGv ret, TCGv a, TCGv b);
void tcg_gen_rotri(TCGContext *s, TCGv ret, TCGv a, int64_t b);

/* Extensions, width changes, byte swaps, bit counts, bit fields. */
void tcg_gen_ext8s(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_ext8u(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_ext16s(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_ext16u(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_ext32s(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_ext32u(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_exts_i32_i64(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_extu_i32_i64(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_extrl_i64_i32(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_extrh_i64_i32(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_bswap16(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_bswap32(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_bswap64(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_clz(TCGContext *s, TCGv ret, TCGv a, TCGv if_zero);
void tcg_gen_clzi(TCGContext *s, TCGv ret, TCGv a, int64_t if_zero);
void tcg_gen_ctz(TCGContext *s, TCGv ret, TCGv a, TCGv if_zero);
void tcg_gen_ctzi(TCGContext *s, TCGv ret, TCGv a, int64_t if_zero);
void tcg_gen_ctpop(TCGContext *s, TCGv ret, TCGv a);
void tcg_gen_extract(TCGContext *s, TCGv ret, TCGv a, unsigned pos, unsigned len);
void tcg_gen_sextract(TCGContext *s, TCGv ret, TCGv a, unsigned pos, unsigned len);
void tcg_gen_deposit(TCGContext *s, TCGv ret, TCGv base, TCGv field, unsigned pos,
                     unsigned len);

/* Conditions. */
void tcg_gen_setcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, TCGv b);
void tcg_gen_setcondi(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, int64_t b);
void tcg_gen_negsetcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, TCGv b);
void tcg_gen_movcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv c1, TCGv c2, TCGv v1,
                     TCGv v2);

/* Control flow inside the TB. */
void tcg_gen_set_label(TCGContext *s, TCGLabel *l);
void tcg_gen_br(TCGContext *s, TCGLabel *l);
void tcg_gen_brcond(TCGContext *s, TCGCond cond, TCGv a, TCGv b, TCGLabel *l);
void tcg_gen_brcondi(TCGContext *s, TCGCond cond, TCGv a, int64_t b, TCGLabel *l);

/* Host memory, normally the CPU state: base pointer plus a constant offset. */
void tcg_gen_ld(TCGContext *s, TCGv ret, TCGv base, int32_t offset, MemOp size_sign);
void tcg_gen_st(TCGContext *s, TCGv val, TCGv base, int32_t offset, MemOp size);

/* Guest memory through the context's memory model. The address is an i64 temp. */
void tcg_gen_guest_ld(TCGContext *s, TCGv ret, TCGv addr, unsigned mmu_idx, MemOp mo);
void tcg_gen_guest_st(TCGContext *s, TCGv val, TCGv addr, unsigned mmu_idx, MemOp mo);

/*
 * A helper call. ret is the result temp, or NULL for a void helper; args holds
 * info->nargs temps of the kinds info->args describes.
 */
void tcg_gen_call(TCGContext *s, const TCGHelperInfo *info, const TCGv *ret, const TCGv *args);

/* Guest instruction boundaries and TB exits. */
void tcg_gen_insn_start(TCGContext *s, const uint64_t *words);
/*
 * A chainable jump: once chained, it goes straight to the next TB; until then it falls
 * through to the ops after it, which leave with exit_tb_slot(slot). Those ops are where
 * the guest pc is updated: the execution loop sets the pc of a TB it leaves by an exit
 * request from that TB's first instruction, so chained code never needs to store it.
 */
void tcg_gen_goto_tb(TCGContext *s, unsigned slot);
void tcg_gen_exit_tb(TCGContext *s, uintptr_t val);
void tcg_gen_exit_tb_slot(TCGContext *s, unsigned slot);
/*
 * Continues at the TB for guest pc (already stored where the lookup helper reads it), or
 * leaves to the execution loop when there is none yet. With a jump cache the probe is
 * inline, and it assumes the next TB has this TB's flags: a frontend ends a TB that
 * changes the state its flags derive from with exit_tb instead.
 */
void tcg_gen_lookup_and_goto_ptr(TCGContext *s, TCGv pc);
void tcg_gen_mb(TCGContext *s, unsigned barrier);

#endif

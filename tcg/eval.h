/*
 * The value semantics of the IR's computational ops (docs/ir.md), machine-neutral: pure
 * functions of 64-bit inputs. The interpreter runs its ops through them and the optimizer
 * folds constants through them, so the two cannot disagree about what an op computes.
 *
 * Inputs of an i32 op may carry junk in their high 32 bits (an i32 constant is kept
 * sign-extended); every function looks at the low 32 bits only and returns an i32 result
 * zero-extended. The cases docs/ir.md leaves undefined get fixed values here, so that a
 * guest that reaches them by mistake still runs deterministically in the interpreter and
 * never traps the host:
 *   shl shr sar   the count is taken modulo N
 *   divs divu     x / 0 = all ones; INT_MIN / -1 = INT_MIN
 *   rems remu     x % 0 = x;        INT_MIN % -1 = 0
 * (the RISC-V rules). They are not the IR's meaning: the optimizer never folds them.
 */
#ifndef TCG_EVAL_H
#define TCG_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "tcg/ir.h"

/* v as a value of the type: an i32 zero-extended, as every function here returns it. */
static inline uint64_t tcg_eval_trunc(uint64_t v, bool is64)
{
    return is64 ? v : (uint32_t)v;
}

/* Two-input ops: add ... rotr, divs ... remu, clz/ctz (b is the result for a = 0). */
uint64_t tcg_eval_binop(TCGOpcode opc, uint64_t a, uint64_t b, bool is64);
/* One-input ops, including the width conversions; is64 is the result's type. */
uint64_t tcg_eval_unop(TCGOpcode opc, uint64_t a, bool is64);
bool tcg_eval_cond(TCGCond cond, uint64_t a, uint64_t b, bool is64);

/* setcond/negsetcond, given whether the condition holds. */
static inline uint64_t tcg_eval_setcond(TCGOpcode opc, bool holds, bool is64)
{
    return tcg_eval_trunc(opc == TCG_OP_NEGSETCOND ? -(uint64_t)holds : holds, is64);
}

/* mulu2/muls2: the double-width product in two halves. */
void tcg_eval_mul2(TCGOpcode opc, uint64_t a, uint64_t b, bool is64, uint64_t *lo, uint64_t *hi);
/* extract/sextract (sign) and deposit; 1 <= len and pos + len <= N. */
uint64_t tcg_eval_extract(uint64_t a, unsigned pos, unsigned len, bool sign, bool is64);
uint64_t tcg_eval_deposit(uint64_t base, uint64_t field, unsigned pos, unsigned len, bool is64);

#endif

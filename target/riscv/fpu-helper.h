/*
 * The RISC-V F and D helpers called from translated code (trans_rvf.c.inc,
 * trans_rvd.c.inc) and from the unit test. Every value travels as the 64-bit f register:
 * single operands may be improperly NaN-boxed (they then read as the default NaN) and
 * single results come back NaN-boxed. rm is the instruction's rm field: 0-4, or 7 for
 * frm; the frontend turns 5 and 6 away, and an invalid frm under 7 raises an illegal
 * instruction (the frontend writes the guest PC before such a call). Exception flags
 * are OR-ed into env->fflags.
 */
#ifndef TARGET_RISCV_FPU_HELPER_H
#define TARGET_RISCV_FPU_HELPER_H

#include <stdint.h>

#include "target/riscv/cpu.h"

/* Bit patterns of the two formats, for the helpers and for the frontend's inline IR. */
#define F32_SIGN        0x80000000u
#define F32_DEFAULT_NAN 0x7fc00000u
#define F32_QUIET       0x00400000u
#define F32_INF         0x7f800000u
#define F32_MIN_NORMAL  0x00800000u
#define F64_SIGN        0x8000000000000000ull
#define F64_DEFAULT_NAN 0x7ff8000000000000ull
#define F64_QUIET       0x0008000000000000ull
#define F64_INF         0x7ff0000000000000ull
#define F64_MIN_NORMAL  0x0010000000000000ull
#define NANBOX_MASK     0xffffffff00000000ull /* the upper half of a valid single */

uint64_t helper_fadd_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsub_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fmul_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fdiv_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsqrt_s(CPURISCVState *env, uint64_t a, uint32_t rm);
/* a * b + c with one rounding; the frontend negates operands for fmsub/fnmsub/fnmadd. */
uint64_t helper_fmadd_s(CPURISCVState *env, uint64_t a, uint64_t b, uint64_t c, uint32_t rm);
uint64_t helper_fmin_s(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fmax_s(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_feq_s(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_flt_s(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fle_s(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fclass_s(uint64_t a);

uint64_t helper_fadd_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsub_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fmul_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fdiv_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm);
uint64_t helper_fsqrt_d(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fmadd_d(CPURISCVState *env, uint64_t a, uint64_t b, uint64_t c, uint32_t rm);
uint64_t helper_fmin_d(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fmax_d(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_feq_d(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_flt_d(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fle_d(CPURISCVState *env, uint64_t a, uint64_t b);
uint64_t helper_fclass_d(uint64_t a);

/* Floating point to integer: W results sign-extended to 64 bits. */
uint64_t helper_fcvt_w_s(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_wu_s(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_l_s(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_lu_s(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_w_d(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_wu_d(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_l_d(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_lu_d(CPURISCVState *env, uint64_t a, uint32_t rm);

/* Integer (the low 32 bits for w/wu) to floating point. */
uint64_t helper_fcvt_s_w(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_s_wu(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_s_l(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_s_lu(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_d_w(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_d_wu(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_d_l(CPURISCVState *env, uint64_t x, uint32_t rm);
uint64_t helper_fcvt_d_lu(CPURISCVState *env, uint64_t x, uint32_t rm);

uint64_t helper_fcvt_s_d(CPURISCVState *env, uint64_t a, uint32_t rm);
uint64_t helper_fcvt_d_s(CPURISCVState *env, uint64_t a, uint32_t rm);

#endif

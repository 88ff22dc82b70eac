/*
 * What the RISC-V FP helpers share: bit views of the guest's values, the rounding-mode
 * check, and the contract with the host's MXCSR.
 *
 * The helpers compute on the host's SSE unit, so the guest's rounding mode must be in
 * MXCSR.RC and the guest's flags come from MXCSR's sticky bits. MXCSR is per host
 * thread, and the helpers own it only while they run:
 *   - outside a helper, a vCPU thread runs with the C default control bits (all
 *     exceptions masked, DAZ and FTZ off, round to nearest even); a helper that needs
 *     another rounding mode loads it and puts round-to-nearest back before returning.
 *     Host code that changes the control bits on a vCPU thread (nothing in Paddock does)
 *     must restore them before guest code runs again;
 *   - the sticky flags are not cleared after every operation: on entry a helper only
 *     reloads MXCSR when RC differs or when a sticky flag is set that the guest's fflags
 *     lacks (host code in between, or the guest cleared fflags). Any flag still set is
 *     then already in fflags, so OR-ing MXCSR's flags into fflags after the operation
 *     is exact, at the price of two stmxcsr, which wait for the operation to finish.
 * The common case touches MXCSR not at all (QEMU's "hardfloat" idea): in round-to-
 * nearest, which MXCSR already holds, once the guest's NX is set (after its first
 * inexact operation, until it clears fflags) an operation can only add a flag when its
 * result is a NaN (NV), an infinity (OF, DZ) or at most the smallest normal in magnitude
 * (UF; zeros too); other results are returned as they are, the rest computes again on
 * the flagged path.
 * RMM has no SSE equivalent and takes an exact slower path (fpu-rmm.c).
 */
#ifndef TARGET_RISCV_FPU_HOST_H
#define TARGET_RISCV_FPU_HOST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "target/riscv/fpu-helper.h"

static inline float f32_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof(f));
    return f;
}

static inline uint32_t f32_bits(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof(bits));
    return bits;
}

static inline double f64_of(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

static inline uint64_t f64_bits(double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    return bits;
}

/* A single in a 64-bit register is valid only NaN-boxed; otherwise it is the default NaN. */
static inline uint32_t unbox_s(uint64_t reg)
{
    return (reg & NANBOX_MASK) == NANBOX_MASK ? (uint32_t)reg : F32_DEFAULT_NAN;
}

static inline uint64_t box_s(uint32_t bits)
{
    return NANBOX_MASK | bits;
}

static inline bool is_nan_s(uint32_t bits)
{
    return (bits & ~F32_SIGN) > F32_INF;
}

static inline bool is_snan_s(uint32_t bits)
{
    return is_nan_s(bits) && !(bits & F32_QUIET);
}

static inline bool is_nan_d(uint64_t bits)
{
    return (bits & ~F64_SIGN) > F64_INF;
}

static inline bool is_snan_d(uint64_t bits)
{
    return is_nan_d(bits) && !(bits & F64_QUIET);
}

/*
 * The rounding mode an instruction uses: its static rm, or frm for DYN. An invalid
 * frm under DYN is an illegal instruction; the frontend has written the guest PC.
 */
_Noreturn void fp_illegal_rm(CPURISCVState *env);

static inline unsigned fp_resolve_rm(CPURISCVState *env, uint32_t rm)
{
    if (rm == RISCV_RM_DYN) {
        rm = env->frm;
        if (G_UNLIKELY(rm > RISCV_RM_RMM)) {
            fp_illegal_rm(env);
        }
    }
    return rm;
}

enum {
    MXCSR_DEFAULT = 0x1f80, /* the C default: all exceptions masked, RNE, no DAZ/FTZ */
    MXCSR_FLAGS = 0x3f,     /* IE DE ZE OE UE PE */
};

/* MXCSR.RC for RNE, RTZ, RDN, RUP (x86 numbers them nearest, down, up, zero). */
static inline uint32_t mxcsr_rc(unsigned rm)
{
    static const uint16_t rc[4] = {
        [RISCV_RM_RNE] = 0 << 13,
        [RISCV_RM_RDN] = 1 << 13,
        [RISCV_RM_RUP] = 2 << 13,
        [RISCV_RM_RTZ] = 3 << 13,
    };
    return rc[rm];
}

/* IE->NV, ZE->DZ, OE->OF, UE->UF, PE->NX; DE (denormal operand) has no RISC-V flag. */
static inline uint32_t fflags_of_mxcsr(uint32_t m)
{
    return (m >> 5 & RISCV_FFLAG_NX) | (m >> 3 & RISCV_FFLAG_UF) | (m >> 1 & RISCV_FFLAG_OF) |
           (m << 1 & RISCV_FFLAG_DZ) | (m << 4 & RISCV_FFLAG_NV);
}

/* Whether an operation in mode may skip MXCSR (see the top of the file). */
static inline bool fp_fast_path(const CPURISCVState *env, unsigned mode)
{
    return mode == RISCV_RM_RNE && (env->fflags & RISCV_FFLAG_NX);
}

/* Whether a result on the fast path raised no flag but NX: finite, above the smallest normal. */
static inline bool fp_flagless_d(uint64_t r)
{
    uint64_t mag = r & ~F64_SIGN;
    return mag - (F64_MIN_NORMAL + 1) < F64_INF - (F64_MIN_NORMAL + 1);
}

static inline bool fp_flagless_s(uint32_t r)
{
    uint32_t mag = r & ~F32_SIGN;
    return mag - (F32_MIN_NORMAL + 1) < F32_INF - (F32_MIN_NORMAL + 1);
}

/*
 * MXCSR accesses as volatile asm, not _mm_getcsr/_mm_setcsr: GCC moves those builtins
 * across the arithmetic, but keeps volatile asm statements (the fences below) in order.
 */
static inline uint32_t mxcsr_get(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static inline void mxcsr_set(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* Makes MXCSR compute in rm (not RMM) with no flag set that fflags lacks. */
static inline void mxcsr_enter(const CPURISCVState *env, unsigned rm)
{
    uint32_t cur = mxcsr_get();
    uint32_t want = MXCSR_DEFAULT | mxcsr_rc(rm);
    if ((cur & ~MXCSR_FLAGS) != want || (fflags_of_mxcsr(cur) & ~env->fflags)) {
        mxcsr_set(want);
    }
}

/* Accrues the operation's flags and puts round-to-nearest back. */
static inline void mxcsr_leave(CPURISCVState *env, unsigned rm)
{
    uint32_t cur = mxcsr_get();
    env->fflags |= fflags_of_mxcsr(cur);
    if (rm != RISCV_RM_RNE) {
        mxcsr_set(MXCSR_DEFAULT | (cur & MXCSR_FLAGS));
    }
}

/*
 * Compiler fences: the compiler does not know that arithmetic depends on MXCSR, so
 * operands pass through these after mxcsr_enter and results before mxcsr_leave, which
 * pins the operation between the two.
 */
static inline double fence_d(double x)
{
    __asm__ volatile("" : "+x"(x));
    return x;
}

static inline float fence_s(float x)
{
    __asm__ volatile("" : "+x"(x));
    return x;
}

static inline int64_t fence_i(int64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* An IEEE binary format, for the exact paths that assemble results bit by bit. */
typedef struct FpFormat {
    unsigned bits; /* 32 or 64 */
    unsigned prec; /* significand bits, the hidden one included */
    int emin, emax;
} FpFormat;

extern const FpFormat fp_format_s, fp_format_d;

/* The arithmetic operations, for the host path and the exact RMM path alike. */
typedef enum FpOp {
    FP_ADD,
    FP_SUB,
    FP_MUL,
    FP_DIV,
    FP_SQRT,
    FP_FMA,
} FpOp;

/*
 * RMM (round to nearest, ties to max magnitude), exactly: op on non-NaN operands
 * (a single's operands widened exactly to double), rounded to f, flags accrued.
 */
uint64_t fp_rmm_arith(CPURISCVState *env, const FpFormat *f, FpOp op, double a, double b, double c);
/* The integer sign * mag rounded to f with RMM. */
uint64_t fp_rmm_from_int(CPURISCVState *env, const FpFormat *f, bool neg, uint64_t mag);
/* A finite double rounded to single with RMM. */
uint32_t fp_rmm_d_to_s(CPURISCVState *env, double d);

#endif

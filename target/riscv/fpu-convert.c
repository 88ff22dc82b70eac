/*
 * RISC-V F and D conversions (fcvt.*). x86's conversions to integer return one
 * "integer indefinite" value for NaN and every overflow, where RISC-V saturates and
 * sends NaN to the largest value, so those are done here without MXCSR: round to an
 * integral double in the instruction's mode (libm's trunc/floor/ceil/round/roundeven
 * are exact and mode-independent), range-check it, and raise NV (out of range or NaN)
 * or NX (not integral) by comparison. fcvt.wu/lu of a value in (-1, 0) that rounds to
 * zero is NX, not NV. Conversions from integer and fcvt.s.d use the host's with the
 * rounding mode in MXCSR, skipping MXCSR when the value is exactly representable or
 * the fast path of fpu-host.h allows.
 */
#define _GNU_SOURCE /* roundeven */
#include <math.h>

#include "target/riscv/fpu-helper.h"
#include "target/riscv/fpu-host.h"

typedef enum IntKind { INT_W, INT_WU, INT_L, INT_LU } IntKind;

/* Integral doubles in [lo, hi) convert; NaN gives nan_val, out-of-range values clamp. */
static const struct IntRange {
    double lo, hi;
    uint64_t min_val, max_val, nan_val;
} int_range[] = {
    [INT_W] = {-0x1p31, 0x1p31, (uint64_t)INT32_MIN, INT32_MAX, INT32_MAX},
    [INT_WU] = {0, 0x1p32, 0, UINT64_MAX, UINT64_MAX}, /* 2^32 - 1 sign-extended */
    [INT_L] = {-0x1p63, 0x1p63, (uint64_t)INT64_MIN, INT64_MAX, INT64_MAX},
    [INT_LU] = {0, 0x1p64, 0, UINT64_MAX, UINT64_MAX},
};

static double round_integral(double x, unsigned rm)
{
    switch (rm) {
    case RISCV_RM_RNE: return roundeven(x);
    case RISCV_RM_RTZ: return trunc(x);
    case RISCV_RM_RDN: return floor(x);
    case RISCV_RM_RUP: return ceil(x);
    default: return round(x); /* RMM: ties away from zero */
    }
}

/* fcvt.w/fcvt.l with RTZ are C's casts to int and long: one host truncation when in range. */
static bool truncate_fast(CPURISCVState *env, double x, IntKind kind, uint64_t *out)
{
    int64_t i;
    if (kind == INT_W && x > -0x1.00000002p31 && x < 0x1p31) {
        i = (int32_t)x;
    } else if (kind == INT_L && x >= -0x1p63 && x < 0x1p63) {
        i = (int64_t)x;
    } else {
        return false; /* NaN, out of range or unsigned */
    }
    env->fflags |= (double)i != x ? RISCV_FFLAG_NX : 0;
    *out = (uint64_t)i;
    return true;
}

static uint64_t to_int(CPURISCVState *env, double x, bool nan, unsigned rm, IntKind kind)
{
    const struct IntRange *range = &int_range[kind];
    uint64_t v;
    if (rm == RISCV_RM_RTZ && truncate_fast(env, x, kind, &v)) {
        return v;
    }
    if (nan) {
        env->fflags |= RISCV_FFLAG_NV;
        return range->nan_val;
    }
    double r = round_integral(x, rm);
    if (r < range->lo || r >= range->hi) {
        env->fflags |= RISCV_FFLAG_NV;
        return r < 0 ? range->min_val : range->max_val;
    }
    if (r != x) {
        env->fflags |= RISCV_FFLAG_NX;
    }
    v = r < 0 ? (uint64_t)(int64_t)r : (uint64_t)r;
    return kind == INT_W || kind == INT_WU ? (uint64_t)(int64_t)(int32_t)v : v;
}

static uint64_t to_int_d(CPURISCVState *env, uint64_t a, uint32_t rm, IntKind kind)
{
    return to_int(env, f64_of(a), is_nan_d(a), fp_resolve_rm(env, rm), kind);
}

static uint64_t to_int_s(CPURISCVState *env, uint64_t a, uint32_t rm, IntKind kind)
{
    uint32_t bits = unbox_s(a);
    return to_int(env, f32_of(bits), is_nan_s(bits), fp_resolve_rm(env, rm), kind);
}

uint64_t helper_fcvt_w_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_s(env, a, rm, INT_W);
}

uint64_t helper_fcvt_wu_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_s(env, a, rm, INT_WU);
}

uint64_t helper_fcvt_l_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_s(env, a, rm, INT_L);
}

uint64_t helper_fcvt_lu_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_s(env, a, rm, INT_LU);
}

uint64_t helper_fcvt_w_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_d(env, a, rm, INT_W);
}

uint64_t helper_fcvt_wu_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_d(env, a, rm, INT_WU);
}

uint64_t helper_fcvt_l_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_d(env, a, rm, INT_L);
}

uint64_t helper_fcvt_lu_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return to_int_d(env, a, rm, INT_LU);
}

/* The integer operand of an fcvt.{s,d}.* as a magnitude and a sign. */
static uint64_t int_magnitude(uint64_t x, IntKind kind, bool *neg)
{
    switch (kind) {
    case INT_W: x = (uint64_t)(int64_t)(int32_t)x; break;
    case INT_WU: x = (uint32_t)x; break;
    case INT_L: break;
    case INT_LU: *neg = false; return x;
    }
    *neg = (int64_t)x < 0;
    return *neg ? -x : x;
}

/* Whether the integer converts to a format with prec significand bits exactly. */
static bool exact_in(uint64_t mag, unsigned prec)
{
    return mag <= 1ull << prec;
}

/* The host's conversions, rounding in MXCSR's mode (double: only l and lu can round). */
static double host_int_to_d(uint64_t x, IntKind kind)
{
    int64_t v = fence_i((int64_t)x);
    return fence_d(kind == INT_LU ? (double)(uint64_t)v : (double)v);
}

static float host_int_to_s(uint64_t x, IntKind kind)
{
    int64_t v = kind == INT_W ? (int32_t)x : kind == INT_WU ? (int64_t)(uint32_t)x : (int64_t)x;
    v = fence_i(v);
    return fence_s(kind == INT_LU ? (float)(uint64_t)v : (float)v);
}

/* No conversion from an integer overflows or underflows: inexact is the only flag. */
static uint64_t from_int_d(CPURISCVState *env, uint64_t x, uint32_t rm, IntKind kind)
{
    unsigned mode = fp_resolve_rm(env, rm);
    bool neg;
    uint64_t mag = int_magnitude(x, kind, &neg);
    if (exact_in(mag, 53)) {
        double d = (double)mag;
        return f64_bits(neg ? -d : d);
    }
    if (fp_fast_path(env, mode)) {
        return f64_bits(host_int_to_d(x, kind));
    }
    if (mode == RISCV_RM_RMM) {
        return fp_rmm_from_int(env, &fp_format_d, neg, mag);
    }
    mxcsr_enter(env, mode);
    double d = host_int_to_d(x, kind);
    mxcsr_leave(env, mode);
    return f64_bits(d);
}

static uint64_t from_int_s(CPURISCVState *env, uint64_t x, uint32_t rm, IntKind kind)
{
    unsigned mode = fp_resolve_rm(env, rm);
    bool neg;
    uint64_t mag = int_magnitude(x, kind, &neg);
    if (exact_in(mag, 24)) {
        float f = (float)mag;
        return box_s(f32_bits(neg ? -f : f));
    }
    if (fp_fast_path(env, mode)) {
        return box_s(f32_bits(host_int_to_s(x, kind)));
    }
    if (mode == RISCV_RM_RMM) {
        return box_s((uint32_t)fp_rmm_from_int(env, &fp_format_s, neg, mag));
    }
    mxcsr_enter(env, mode);
    float f = host_int_to_s(x, kind);
    mxcsr_leave(env, mode);
    return box_s(f32_bits(f));
}

uint64_t helper_fcvt_s_w(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_s(env, x, rm, INT_W);
}

uint64_t helper_fcvt_s_wu(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_s(env, x, rm, INT_WU);
}

uint64_t helper_fcvt_s_l(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_s(env, x, rm, INT_L);
}

uint64_t helper_fcvt_s_lu(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_s(env, x, rm, INT_LU);
}

uint64_t helper_fcvt_d_w(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_d(env, x, rm, INT_W);
}

uint64_t helper_fcvt_d_wu(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_d(env, x, rm, INT_WU);
}

uint64_t helper_fcvt_d_l(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_d(env, x, rm, INT_L);
}

uint64_t helper_fcvt_d_lu(CPURISCVState *env, uint64_t x, uint32_t rm)
{
    return from_int_d(env, x, rm, INT_LU);
}

uint64_t helper_fcvt_s_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    unsigned mode = fp_resolve_rm(env, rm);
    if (is_nan_d(a)) {
        env->fflags |= is_snan_d(a) ? RISCV_FFLAG_NV : 0;
        return box_s(F32_DEFAULT_NAN);
    }
    if (fp_fast_path(env, mode)) {
        uint32_t f = f32_bits(fence_s((float)fence_d(f64_of(a))));
        if (fp_flagless_s(f)) {
            return box_s(f);
        }
    }
    if (mode == RISCV_RM_RMM) {
        return box_s(fp_rmm_d_to_s(env, f64_of(a)));
    }
    mxcsr_enter(env, mode);
    float f = fence_s((float)fence_d(f64_of(a)));
    mxcsr_leave(env, mode);
    return box_s(f32_bits(f));
}

/* Exact: only a NaN needs care (sNaN raises NV, the result is the default NaN). */
uint64_t helper_fcvt_d_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    uint32_t bits = unbox_s(a);
    fp_resolve_rm(env, rm);
    if (is_nan_s(bits)) {
        env->fflags |= is_snan_s(bits) ? RISCV_FFLAG_NV : 0;
        return F64_DEFAULT_NAN;
    }
    return f64_bits((double)f32_of(bits));
}

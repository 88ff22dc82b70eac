/*
 * RISC-V F and D arithmetic on the host's SSE unit (see fpu-host.h for the MXCSR
 * contract). SSE and RISC-V agree on rounding, on tininess (both detect it after
 * rounding) and on the flags of every operation except where this file steps in:
 *   - a NaN result is always the default NaN, never a propagated payload (SSE's own
 *     default NaN is negative);
 *   - 0 * inf + qNaN is invalid for RISC-V, not for x86's FMA;
 *   - fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber), comparisons and fclass are
 *     done on the bits, where the host instructions answer differently;
 *   - RMM has no SSE mode and goes to the exact path in fpu-rmm.c.
 * Fused multiply-add uses the host FMA instruction when cpuid reports it (and
 * PADDOCK_X86_DISABLE does not list "fma"), else glibc's fma(), which is correctly
 * rounded and raises the right flags in every rounding mode.
 */
#include <math.h>

#include "target/riscv/fpu-helper.h"
#include "target/riscv/fpu-host.h"

_Noreturn void fp_illegal_rm(CPURISCVState *env)
{
    cpu_raise_exception(env_cpu(env), RISCV_EXCP_ILLEGAL_INST, 0);
}

/* PADDOCK_X86_DISABLE=fma: use the software FMA (tests of the fallback, debugging). */
static bool fma_disabled(void)
{
    const char *env = g_getenv("PADDOCK_X86_DISABLE");
    if (!env) {
        return false;
    }
    g_auto(GStrv) parts = g_strsplit(env, ",", -1);
    for (char **p = parts; *p; p++) {
        if (!strcmp(g_strstrip(*p), "fma")) {
            return true;
        }
    }
    return false;
}

static bool host_has_fma(void)
{
    static gsize state; /* 0: not yet known, 1: no FMA, 2: FMA */
    if (g_once_init_enter(&state)) {
        g_once_init_leave(&state, __builtin_cpu_supports("fma") && !fma_disabled() ? 2 : 1);
    }
    return state == 2;
}

__attribute__((target("fma"))) static double fma_insn_d(double a, double b, double c)
{
    return __builtin_fma(a, b, c);
}

__attribute__((target("fma"))) static float fma_insn_s(float a, float b, float c)
{
    return __builtin_fmaf(a, b, c);
}

/* op in MXCSR's rounding mode; the fences keep it between mxcsr_enter and mxcsr_leave. */
static inline double host_op_d(FpOp op, double a, double b, double c)
{
    a = fence_d(a);
    b = fence_d(b);
    switch (op) {
    case FP_ADD: return fence_d(a + b);
    case FP_SUB: return fence_d(a - b);
    case FP_MUL: return fence_d(a * b);
    case FP_DIV: return fence_d(a / b);
    case FP_SQRT: return fence_d(sqrt(a));
    case FP_FMA:
        c = fence_d(c);
        return fence_d(host_has_fma() ? fma_insn_d(a, b, c) : fma(a, b, c));
    }
    g_assert_not_reached();
}

static inline float host_op_s(FpOp op, float a, float b, float c)
{
    a = fence_s(a);
    b = fence_s(b);
    switch (op) {
    case FP_ADD: return fence_s(a + b);
    case FP_SUB: return fence_s(a - b);
    case FP_MUL: return fence_s(a * b);
    case FP_DIV: return fence_s(a / b);
    case FP_SQRT: return fence_s(sqrtf(a));
    case FP_FMA:
        c = fence_s(c);
        return fence_s(host_has_fma() ? fma_insn_s(a, b, c) : fmaf(a, b, c));
    }
    g_assert_not_reached();
}

static bool zero_times_inf_d(uint64_t a, uint64_t b)
{
    bool a_zero = !(a << 1), b_zero = !(b << 1);
    bool a_inf = (a << 1) == F64_INF << 1, b_inf = (b << 1) == F64_INF << 1;
    return (a_zero && b_inf) || (a_inf && b_zero);
}

static bool zero_times_inf_s(uint32_t a, uint32_t b)
{
    bool a_zero = !(a << 1), b_zero = !(b << 1);
    bool a_inf = (a << 1) == F32_INF << 1, b_inf = (b << 1) == F32_INF << 1;
    return (a_zero && b_inf) || (a_inf && b_zero);
}

/*
 * The result of an operation that gave a NaN: the default NaN, invalid when an operand
 * is a sNaN, when no operand is a NaN (inf - inf, 0 * inf, 0 / 0, sqrt(-x) ...), or for
 * FMA when the product is 0 * inf, even with a quiet NaN addend.
 */
static uint64_t nan_result_d(CPURISCVState *env, FpOp op, uint64_t a, uint64_t b, uint64_t c)
{
    bool snan = is_snan_d(a) || is_snan_d(b) || is_snan_d(c);
    bool nan_in = is_nan_d(a) || is_nan_d(b) || is_nan_d(c);
    if (snan || !nan_in || (op == FP_FMA && zero_times_inf_d(a, b))) {
        env->fflags |= RISCV_FFLAG_NV;
    }
    return F64_DEFAULT_NAN;
}

static uint64_t nan_result_s(CPURISCVState *env, FpOp op, uint32_t a, uint32_t b, uint32_t c)
{
    bool snan = is_snan_s(a) || is_snan_s(b) || is_snan_s(c);
    bool nan_in = is_nan_s(a) || is_nan_s(b) || is_nan_s(c);
    if (snan || !nan_in || (op == FP_FMA && zero_times_inf_s(a, b))) {
        env->fflags |= RISCV_FFLAG_NV;
    }
    return box_s(F32_DEFAULT_NAN);
}

/* The operation in the instruction's mode with its flags: MXCSR or the RMM path. */
static uint64_t arith_flagged_d(CPURISCVState *env, FpOp op, uint64_t a, uint64_t b, uint64_t c,
                                unsigned mode)
{
    if (mode == RISCV_RM_RMM) {
        if (is_nan_d(a) || is_nan_d(b) || is_nan_d(c)) {
            return nan_result_d(env, op, a, b, c);
        }
        return fp_rmm_arith(env, &fp_format_d, op, f64_of(a), f64_of(b), f64_of(c));
    }
    mxcsr_enter(env, mode);
    uint64_t r = f64_bits(host_op_d(op, f64_of(a), f64_of(b), f64_of(c)));
    mxcsr_leave(env, mode);
    return G_UNLIKELY(is_nan_d(r)) ? nan_result_d(env, op, a, b, c) : r;
}

static uint64_t arith_flagged_s(CPURISCVState *env, FpOp op, uint32_t a, uint32_t b, uint32_t c,
                                unsigned mode)
{
    if (mode == RISCV_RM_RMM) {
        if (is_nan_s(a) || is_nan_s(b) || is_nan_s(c)) {
            return nan_result_s(env, op, a, b, c);
        }
        return box_s(
            (uint32_t)fp_rmm_arith(env, &fp_format_s, op, f32_of(a), f32_of(b), f32_of(c)));
    }
    mxcsr_enter(env, mode);
    uint32_t r = f32_bits(host_op_s(op, f32_of(a), f32_of(b), f32_of(c)));
    mxcsr_leave(env, mode);
    return G_UNLIKELY(is_nan_s(r)) ? nan_result_s(env, op, a, b, c) : box_s(r);
}

/* Unused operands of unary and binary operations are passed as +0. */
static inline uint64_t arith_d(CPURISCVState *env, FpOp op, uint64_t a, uint64_t b, uint64_t c,
                               uint32_t rm)
{
    unsigned mode = fp_resolve_rm(env, rm);
    if (G_LIKELY(fp_fast_path(env, mode))) {
        uint64_t r = f64_bits(host_op_d(op, f64_of(a), f64_of(b), f64_of(c)));
        if (G_LIKELY(fp_flagless_d(r))) {
            return r;
        }
    }
    return arith_flagged_d(env, op, a, b, c, mode);
}

static inline uint64_t arith_s(CPURISCVState *env, FpOp op, uint64_t ra, uint64_t rb, uint64_t rc,
                               uint32_t rm)
{
    uint32_t a = unbox_s(ra), b = unbox_s(rb), c = unbox_s(rc);
    unsigned mode = fp_resolve_rm(env, rm);
    if (G_LIKELY(fp_fast_path(env, mode))) {
        uint32_t r = f32_bits(host_op_s(op, f32_of(a), f32_of(b), f32_of(c)));
        if (G_LIKELY(fp_flagless_s(r))) {
            return box_s(r);
        }
    }
    return arith_flagged_s(env, op, a, b, c, mode);
}

uint64_t helper_fadd_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_s(env, FP_ADD, a, b, box_s(0), rm);
}

uint64_t helper_fsub_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_s(env, FP_SUB, a, b, box_s(0), rm);
}

uint64_t helper_fmul_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_s(env, FP_MUL, a, b, box_s(0), rm);
}

uint64_t helper_fdiv_s(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_s(env, FP_DIV, a, b, box_s(0), rm);
}

uint64_t helper_fsqrt_s(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return arith_s(env, FP_SQRT, a, box_s(0), box_s(0), rm);
}

uint64_t helper_fmadd_s(CPURISCVState *env, uint64_t a, uint64_t b, uint64_t c, uint32_t rm)
{
    return arith_s(env, FP_FMA, a, b, c, rm);
}

uint64_t helper_fadd_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_d(env, FP_ADD, a, b, 0, rm);
}

uint64_t helper_fsub_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_d(env, FP_SUB, a, b, 0, rm);
}

uint64_t helper_fmul_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_d(env, FP_MUL, a, b, 0, rm);
}

uint64_t helper_fdiv_d(CPURISCVState *env, uint64_t a, uint64_t b, uint32_t rm)
{
    return arith_d(env, FP_DIV, a, b, 0, rm);
}

uint64_t helper_fsqrt_d(CPURISCVState *env, uint64_t a, uint32_t rm)
{
    return arith_d(env, FP_SQRT, a, 0, 0, rm);
}

uint64_t helper_fmadd_d(CPURISCVState *env, uint64_t a, uint64_t b, uint64_t c, uint32_t rm)
{
    return arith_d(env, FP_FMA, a, b, c, rm);
}

/*
 * minimumNumber/maximumNumber (F extension 2.2): a NaN operand yields the other one, two
 * NaNs the default NaN, a sNaN raises NV, and -0 is less than +0.
 */
static uint64_t minmax_d(CPURISCVState *env, uint64_t a, uint64_t b, bool max)
{
    if (is_nan_d(a) || is_nan_d(b)) {
        if (is_snan_d(a) || is_snan_d(b)) {
            env->fflags |= RISCV_FFLAG_NV;
        }
        if (is_nan_d(a) && is_nan_d(b)) {
            return F64_DEFAULT_NAN;
        }
        return is_nan_d(a) ? b : a;
    }
    double x = f64_of(a), y = f64_of(b);
    if (x == y) {
        return max ? a & b : a | b; /* equal bits, or -0 and +0 */
    }
    return (x < y) != max ? a : b;
}

static uint64_t minmax_s(CPURISCVState *env, uint64_t ra, uint64_t rb, bool max)
{
    uint32_t a = unbox_s(ra), b = unbox_s(rb);
    if (is_nan_s(a) || is_nan_s(b)) {
        if (is_snan_s(a) || is_snan_s(b)) {
            env->fflags |= RISCV_FFLAG_NV;
        }
        if (is_nan_s(a) && is_nan_s(b)) {
            return box_s(F32_DEFAULT_NAN);
        }
        return box_s(is_nan_s(a) ? b : a);
    }
    float x = f32_of(a), y = f32_of(b);
    if (x == y) {
        return box_s(max ? a & b : a | b);
    }
    return box_s((x < y) != max ? a : b);
}

uint64_t helper_fmin_s(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return minmax_s(env, a, b, false);
}

uint64_t helper_fmax_s(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return minmax_s(env, a, b, true);
}

uint64_t helper_fmin_d(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return minmax_d(env, a, b, false);
}

uint64_t helper_fmax_d(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return minmax_d(env, a, b, true);
}

typedef enum FpCmp {
    FP_EQ, /* quiet: only a sNaN raises NV */
    FP_LT, /* signalling: any NaN raises NV */
    FP_LE,
} FpCmp;

static uint64_t compare_d(CPURISCVState *env, uint64_t a, uint64_t b, FpCmp cmp)
{
    if (is_nan_d(a) || is_nan_d(b)) {
        if (cmp != FP_EQ || is_snan_d(a) || is_snan_d(b)) {
            env->fflags |= RISCV_FFLAG_NV;
        }
        return 0;
    }
    double x = f64_of(a), y = f64_of(b);
    switch (cmp) {
    case FP_EQ: return x == y;
    case FP_LT: return x < y;
    case FP_LE: return x <= y;
    }
    g_assert_not_reached();
}

static uint64_t compare_s(CPURISCVState *env, uint64_t ra, uint64_t rb, FpCmp cmp)
{
    uint32_t a = unbox_s(ra), b = unbox_s(rb);
    if (is_nan_s(a) || is_nan_s(b)) {
        if (cmp != FP_EQ || is_snan_s(a) || is_snan_s(b)) {
            env->fflags |= RISCV_FFLAG_NV;
        }
        return 0;
    }
    float x = f32_of(a), y = f32_of(b);
    switch (cmp) {
    case FP_EQ: return x == y;
    case FP_LT: return x < y;
    case FP_LE: return x <= y;
    }
    g_assert_not_reached();
}

uint64_t helper_feq_s(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_s(env, a, b, FP_EQ);
}

uint64_t helper_flt_s(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_s(env, a, b, FP_LT);
}

uint64_t helper_fle_s(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_s(env, a, b, FP_LE);
}

uint64_t helper_feq_d(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_d(env, a, b, FP_EQ);
}

uint64_t helper_flt_d(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_d(env, a, b, FP_LT);
}

uint64_t helper_fle_d(CPURISCVState *env, uint64_t a, uint64_t b)
{
    return compare_d(env, a, b, FP_LE);
}

/* fclass bits 0-9: -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, sNaN, qNaN. */
static uint64_t classify(bool neg, bool exp_zero, bool exp_ones, bool frac_zero, bool quiet)
{
    unsigned cls;
    if (exp_ones) {
        if (!frac_zero) {
            return quiet ? 1u << 9 : 1u << 8;
        }
        cls = 0; /* infinity */
    } else if (exp_zero) {
        cls = frac_zero ? 3 : 2; /* zero, subnormal */
    } else {
        cls = 1; /* normal */
    }
    return neg ? 1u << cls : 1u << (7 - cls);
}

uint64_t helper_fclass_s(uint64_t ra)
{
    uint32_t a = unbox_s(ra);
    uint32_t exp = a & F32_INF, frac = a & ~(F32_SIGN | F32_INF);
    return classify(a & F32_SIGN, !exp, exp == F32_INF, !frac, a & F32_QUIET);
}

uint64_t helper_fclass_d(uint64_t a)
{
    uint64_t exp = a & F64_INF, frac = a & ~(F64_SIGN | F64_INF);
    return classify(a & F64_SIGN, !exp, exp == F64_INF, !frac, a & F64_QUIET);
}

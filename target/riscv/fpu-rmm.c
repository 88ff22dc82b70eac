/*
 * RMM (round to nearest, ties to max magnitude) for the RISC-V FP helpers. SSE has no
 * such rounding mode, and a correctly rounded RNE result cannot tell a tie from a
 * near-tie, so this path computes exactly instead:
 *   - the operation runs on the x87 unit (64-bit significand) rounding toward zero, and
 *     the inexact flag is OR-ed into the last bit ("round to odd"). A round-to-odd
 *     result with at least two more bits than the target rounds to the target exactly
 *     as the infinitely precise result would, so one more rounding is not a double
 *     rounding. No double or single operation overflows or underflows in this format.
 *   - fp_rmm_pack then rounds the 64-bit significand to the target with ties away,
 *     detecting tininess after rounding as RISC-V does.
 * Integers and doubles converted to narrower formats go to fp_rmm_pack directly.
 */
#include <fenv.h>
#include <math.h>

#include "target/riscv/fpu-host.h"

const FpFormat fp_format_s = {32, 24, -126, 127};
const FpFormat fp_format_d = {64, 53, -1022, 1023};

/* m shifted right by drop bits, rounded half away from zero; *inexact if bits were lost. */
static uint64_t round_away(uint64_t m, unsigned drop, bool *inexact)
{
    if (drop > 64) {
        *inexact = m != 0;
        return 0;
    }
    if (drop == 64) {
        *inexact = m != 0;
        return m >> 63;
    }
    uint64_t half = 1ull << (drop - 1);
    uint64_t rem = m & ((half << 1) - 1);
    *inexact = rem != 0;
    return (m >> drop) + (rem >= half);
}

/*
 * The value m * 2^(e - 63), m with its leading one at bit 63, rounded to f with RMM.
 * Tiny means below the smallest normal after rounding to f's precision with an
 * unbounded exponent; underflow is tiny and inexact.
 */
static uint64_t fp_rmm_pack(CPURISCVState *env, const FpFormat *f, bool neg, int e, uint64_t m)
{
    uint64_t sign = (uint64_t)neg << (f->bits - 1);
    uint64_t frac_mask = (1ull << (f->prec - 1)) - 1;
    unsigned drop = 64 - f->prec;
    bool inexact;
    if (e < f->emin) {
        bool tiny = e < f->emin - 1 || !(round_away(m, drop, &inexact) >> f->prec);
        uint64_t frac = round_away(m, drop + (unsigned)(f->emin - e), &inexact);
        env->fflags |= inexact ? (RISCV_FFLAG_NX | (tiny ? RISCV_FFLAG_UF : 0)) : 0;
        return sign | frac; /* a carry into the smallest normal encodes itself */
    }
    uint64_t sig = round_away(m, drop, &inexact);
    if (sig >> f->prec) {
        sig >>= 1;
        e++;
    }
    env->fflags |= inexact ? RISCV_FFLAG_NX : 0;
    if (e > f->emax) {
        env->fflags |= RISCV_FFLAG_OF | RISCV_FFLAG_NX;
        return sign | ((uint64_t)(2 * f->emax + 1) << (f->prec - 1));
    }
    return sign | (uint64_t)(e + f->emax) << (f->prec - 1) | (sig & frac_mask);
}

static uint64_t default_nan(const FpFormat *f)
{
    return f->bits == 32 ? F32_DEFAULT_NAN : F64_DEFAULT_NAN;
}

static uint64_t infinity(const FpFormat *f, bool neg)
{
    return f->bits == 32 ? (neg ? F32_SIGN : 0) | F32_INF : (neg ? F64_SIGN : 0) | F64_INF;
}

static long double ext_op(FpOp op, long double a, long double b, long double c)
{
    switch (op) {
    case FP_ADD: return a + b;
    case FP_SUB: return a - b;
    case FP_MUL: return a * b;
    case FP_DIV: return a / b;
    case FP_SQRT: return sqrtl(a);
    case FP_FMA: return fmal(a, b, c);
    }
    g_assert_not_reached();
}

/* op in the x87 format, rounded toward zero; *exc gets the FE_* flags it raised. */
static long double ext_op_rtz(FpOp op, long double a, long double b, long double c, int *exc)
{
    fenv_t saved;
    feholdexcept(&saved);
    fesetround(FE_TOWARDZERO);
    __asm__ volatile("" : "+m"(a), "+m"(b), "+m"(c) : : "memory");
    long double r = ext_op(op, a, b, c);
    __asm__ volatile("" : "+m"(r) : : "memory");
    *exc = fetestexcept(FE_ALL_EXCEPT);
    fesetenv(&saved);
    return r;
}

uint64_t fp_rmm_arith(CPURISCVState *env, const FpFormat *f, FpOp op, double a, double b, double c)
{
    int exc;
    long double r = ext_op_rtz(op, a, b, c, &exc);
    if (isnan(r)) {
        env->fflags |= RISCV_FFLAG_NV; /* no operand is a NaN: an invalid operation */
        return default_nan(f);
    }
    if (isinf(r)) {
        env->fflags |= (exc & FE_DIVBYZERO) ? RISCV_FFLAG_DZ : 0;
        return infinity(f, signbit(r));
    }
    if (r == 0) {
        return (uint64_t)(signbit(r) != 0) << (f->bits - 1);
    }
    uint64_t m;
    uint16_t sign_exp;
    memcpy(&m, &r, sizeof(m));
    memcpy(&sign_exp, (const char *)&r + sizeof(m), sizeof(sign_exp));
    m |= (exc & FE_INEXACT) != 0; /* round to odd */
    return fp_rmm_pack(env, f, sign_exp >> 15, (sign_exp & 0x7fff) - 16383, m);
}

uint64_t fp_rmm_from_int(CPURISCVState *env, const FpFormat *f, bool neg, uint64_t mag)
{
    if (mag == 0) {
        return 0;
    }
    int lead = 63 - __builtin_clzll(mag);
    return fp_rmm_pack(env, f, neg, lead, mag << (63 - lead));
}

uint32_t fp_rmm_d_to_s(CPURISCVState *env, double d)
{
    uint64_t bits = f64_bits(d);
    uint64_t frac = bits & ((1ull << 52) - 1);
    int exp = (int)(bits >> 52 & 0x7ff);
    bool neg = bits >> 63;
    if (exp == 0x7ff) {
        return (neg ? F32_SIGN : 0) | F32_INF;
    }
    if (exp == 0) {
        if (frac == 0) {
            return neg ? F32_SIGN : 0;
        }
        int lead = 63 - __builtin_clzll(frac);
        return (uint32_t)fp_rmm_pack(env, &fp_format_s, neg, lead - 1074, frac << (63 - lead));
    }
    return (uint32_t)fp_rmm_pack(env, &fp_format_s, neg, exp - 1023, (frac | 1ull << 52) << 11);
}

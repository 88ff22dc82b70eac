// Floating point as a program sees it: the five exception flags (fetestexcept) after
// operations that raise each, results under every rounding mode (fesetround) in hex, fused
// multiply-add against multiply then add, float-to-integer conversions that saturate,
// fmin/fmax on signed zeros and NaNs, NaN payloads, printf/strtod round trips and tricky
// strtod inputs, and 128-bit long double (software). Every operand is read from a volatile
// and every operation sits in a noinline function, so the guest FPU does the work, not the
// compiler. Prints one line per case and a summary; exits 1 if a self-check fails. The
// expected output is Debian's qemu-riscv64 on the same binary (tests/guest/expected/fp.out).
#define _GNU_SOURCE
#include <errno.h>
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// guest-cflags: -frounding-math -ffp-contract=off -lm

#define NOINLINE __attribute__((noinline))

static int checks, failures;

static void check(const char *what, int ok)
{
    checks++;
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

static uint64_t bits_d(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

static uint32_t bits_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

static double from_bits_d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static float from_bits_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

// "NV DZ OF UF NX" for the flags set, "-" for none. Four rotating buffers: one printf may
// take four of these.
static const char *flag_names(int f)
{
    static char bufs[4][32];
    static unsigned next;
    char *buf = bufs[next++ % 4];
    static const struct {
        int bit;
        const char *name;
    } names[] = {{FE_INVALID, "NV"},
                 {FE_DIVBYZERO, "DZ"},
                 {FE_OVERFLOW, "OF"},
                 {FE_UNDERFLOW, "UF"},
                 {FE_INEXACT, "NX"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (f & names[i].bit) {
            if (buf[0])
                strcat(buf, " ");
            strcat(buf, names[i].name);
        }
    }
    return buf[0] ? buf : "-";
}

// One result: label, %a, raw bits, and the flags (flags < 0: no flags column).
static void show_d(const char *label, double r, int flags)
{
    printf("%-28s %-24a 0x%016" PRIx64 "%s%s\n", label, r, bits_d(r), flags < 0 ? "" : " ",
           flags < 0 ? "" : flag_names(flags));
}

static void show_f(const char *label, float r, int flags)
{
    printf("%-28s %-24a 0x%08" PRIx32 "%s%s\n", label, (double)r, bits_f(r), flags < 0 ? "" : " ",
           flags < 0 ? "" : flag_names(flags));
}

// Operands. Globals so that nothing is known at compile time.
static volatile double d_zero = 0.0, d_mzero = -0.0, d_one = 1.0, d_two = 2.0, d_three = 3.0;
static volatile double d_m1 = -1.0, d_four = 4.0, d_max = DBL_MAX, d_min = DBL_MIN;
static volatile double d_inf = INFINITY, d_tenth = 0.1, d_1p5 = 1.5, d_2p25 = 2.25;
static volatile float f_zero = 0.0f, f_one = 1.0f, f_two = 2.0f, f_three = 3.0f;
static volatile float f_max = FLT_MAX, f_min = FLT_MIN, f_m1 = -1.0f;
// A quiet NaN with a payload, a signalling NaN, and their float counterparts.
static volatile uint64_t d_qnan_bits = 0x7ff8000000000123u, d_snan_bits = 0x7ff0000000000042u;
static volatile uint32_t f_qnan_bits = 0x7fc00123u, f_snan_bits = 0x7f800042u;

typedef double (*DOp2)(double, double);
typedef float (*FOp2)(float, float);

static NOINLINE double d_add(double a, double b)
{
    return a + b;
}
static NOINLINE double d_sub(double a, double b)
{
    return a - b;
}
static NOINLINE double d_mul(double a, double b)
{
    return a * b;
}
static NOINLINE double d_div(double a, double b)
{
    return a / b;
}
static NOINLINE double d_sqrt(double a, double b)
{
    (void)b;
    return sqrt(a);
}
static NOINLINE float f_add(float a, float b)
{
    return a + b;
}
static NOINLINE float f_mul(float a, float b)
{
    return a * b;
}
static NOINLINE float f_div(float a, float b)
{
    return a / b;
}
static NOINLINE float f_sqrt(float a, float b)
{
    (void)b;
    return sqrtf(a);
}

static void flag_d(const char *label, DOp2 op, double a, double b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r = op(a, b);
    int f = fetestexcept(FE_ALL_EXCEPT);
    show_d(label, r, f);
}

static void flag_f(const char *label, FOp2 op, float a, float b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile float r = op(a, b);
    int f = fetestexcept(FE_ALL_EXCEPT);
    show_f(label, r, f);
}

static NOINLINE float narrow(double d)
{
    return (float)d;
}
static NOINLINE double widen(float f)
{
    return (double)f;
}
static NOINLINE int cmp_lt(double a, double b)
{
    return a < b;
}
static NOINLINE int cmp_le(double a, double b)
{
    return a <= b;
}
static NOINLINE int cmp_eq(double a, double b)
{
    return a == b;
}
static NOINLINE int cmp_isless(double a, double b)
{
    return isless(a, b);
}
static NOINLINE int cmp_unordered(double a, double b)
{
    return isunordered(a, b);
}
static NOINLINE int cmp_eq_f(float a, float b)
{
    return a == b;
}
static NOINLINE int cmp_lt_f(float a, float b)
{
    return a < b;
}

static void cmp_case(const char *label, int (*cmp)(double, double), double a, double b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile int r = cmp(a, b);
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf("%-28s %d %s\n", label, r, flag_names(f));
}

static void cmp_case_f(const char *label, int (*cmp)(float, float), float a, float b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile int r = cmp(a, b);
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf("%-28s %d %s\n", label, r, flag_names(f));
}

static void section_flags(void)
{
    double qnan = from_bits_d(d_qnan_bits), snan = from_bits_d(d_snan_bits);
    float fqnan = from_bits_f(f_qnan_bits), fsnan = from_bits_f(f_snan_bits);

    printf("== flags (double)\n");
    flag_d("1.5 + 2.25", d_add, d_1p5, d_2p25);
    flag_d("1 / 3", d_div, d_one, d_three);
    flag_d("1 / 0", d_div, d_one, d_zero);
    flag_d("-1 / 0", d_div, d_m1, d_zero);
    flag_d("1 / -0", d_div, d_one, d_mzero);
    flag_d("0 / 0", d_div, d_zero, d_zero);
    flag_d("inf - inf", d_sub, d_inf, d_inf);
    flag_d("inf * 0", d_mul, d_inf, d_zero);
    flag_d("inf / inf", d_div, d_inf, d_inf);
    flag_d("inf / 0", d_div, d_inf, d_zero);
    flag_d("max * 2", d_mul, d_max, d_two);
    flag_d("-max * 2", d_mul, -d_max, d_two);
    flag_d("max + max", d_add, d_max, d_max);
    flag_d("min / 3", d_div, d_min, d_three);
    flag_d("min / 2 (exact)", d_div, d_min, d_two);
    flag_d("min * min", d_mul, d_min, d_min);
    flag_d("min - min", d_sub, d_min, d_min);
    flag_d("qnan(0x123) + 1", d_add, qnan, d_one);
    flag_d("snan + 1", d_add, snan, d_one);
    flag_d("1 * snan", d_mul, d_one, snan);
    flag_d("-qnan * 1", d_mul, -qnan, d_one);
    flag_d("sqrt(-1)", d_sqrt, d_m1, 0);
    flag_d("sqrt(-0)", d_sqrt, d_mzero, 0);
    flag_d("sqrt(2)", d_sqrt, d_two, 0);
    flag_d("sqrt(4)", d_sqrt, d_four, 0);
    flag_d("sqrt(inf)", d_sqrt, d_inf, 0);
    flag_d("sqrt(snan)", d_sqrt, snan, 0);

    printf("== flags (float)\n");
    flag_f("1f / 3f", f_div, f_one, f_three);
    flag_f("1f / 0f", f_div, f_one, f_zero);
    flag_f("0f / 0f", f_div, f_zero, f_zero);
    flag_f("fmax * 2f", f_mul, f_max, f_two);
    flag_f("fmin / 3f", f_div, f_min, f_three);
    flag_f("fmin * fmin", f_mul, f_min, f_min);
    flag_f("qnanf(0x123) + 1f", f_add, fqnan, f_one);
    flag_f("snanf + 1f", f_add, fsnan, f_one);
    flag_f("sqrtf(-1)", f_sqrt, f_m1, 0);
    flag_f("sqrtf(2)", f_sqrt, f_two, 0);

    printf("== flags (conversions between float and double)\n");
    volatile double big = 1e40, tiny = 1e-50, tenth = d_tenth;
    feclearexcept(FE_ALL_EXCEPT);
    volatile float r = narrow(big);
    show_f("(float)1e40", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    r = narrow(tiny);
    show_f("(float)1e-50", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    r = narrow(tenth);
    show_f("(float)0.1", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    r = narrow(qnan);
    show_f("(float)qnan(0x123)", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    r = narrow(snan);
    show_f("(float)snan", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    volatile double w = widen(f_min / 4);
    show_d("(double)(fmin/4)", w, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
    w = widen(fsnan);
    show_d("(double)snanf", w, fetestexcept(FE_ALL_EXCEPT));

    printf("== flags (comparisons)\n");
    cmp_case("1 < 2", cmp_lt, d_one, d_two);
    cmp_case("qnan < 1", cmp_lt, qnan, d_one);
    cmp_case("qnan <= 1", cmp_le, qnan, d_one);
    cmp_case("qnan == 1", cmp_eq, qnan, d_one);
    cmp_case("qnan == qnan", cmp_eq, qnan, qnan);
    cmp_case("snan == 1", cmp_eq, snan, d_one);
    cmp_case("-0 == 0", cmp_eq, d_mzero, d_zero);
    cmp_case("-0 < 0", cmp_lt, d_mzero, d_zero);
    cmp_case("isless(qnan, 1)", cmp_isless, qnan, d_one);
    cmp_case("isless(1, 2)", cmp_isless, d_one, d_two);
    cmp_case("isunordered(qnan, 1)", cmp_unordered, qnan, d_one);
    cmp_case("isunordered(1, 2)", cmp_unordered, d_one, d_two);
    cmp_case_f("qnanf == 1f", cmp_eq_f, fqnan, f_one);
    cmp_case_f("qnanf < 1f", cmp_lt_f, fqnan, f_one);
    cmp_case_f("snanf == 1f", cmp_eq_f, fsnan, f_one);

    feclearexcept(FE_ALL_EXCEPT);
    feraiseexcept(FE_OVERFLOW | FE_INEXACT);
    printf("%-28s %s\n", "feraiseexcept(OF|NX)", flag_names(fetestexcept(FE_ALL_EXCEPT)));
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_OVERFLOW);
    printf("%-28s %s\n", "fesetexceptflag(OF)", flag_names(fetestexcept(FE_ALL_EXCEPT)));
    feclearexcept(FE_ALL_EXCEPT);
    check("0/0 raises invalid",
          (volatile double)d_div(d_zero, d_zero) != 0 && fetestexcept(FE_INVALID) == FE_INVALID);
    feclearexcept(FE_ALL_EXCEPT);
}

static const struct {
    int mode;
    const char *name;
} modes[] = {{FE_TONEAREST, "nearest"},
             {FE_UPWARD, "upward"},
             {FE_DOWNWARD, "downward"},
             {FE_TOWARDZERO, "towardzero"}};

static NOINLINE double i64_to_d(int64_t v)
{
    return (double)v;
}
static NOINLINE double u64_to_d(uint64_t v)
{
    return (double)v;
}
static NOINLINE float i32_to_f(int32_t v)
{
    return (float)v;
}
static NOINLINE float u64_to_f(uint64_t v)
{
    return (float)v;
}
static NOINLINE float i64_to_f(int64_t v)
{
    return (float)v;
}
static NOINLINE double d_fma(double a, double b, double c)
{
    return fma(a, b, c);
}
static NOINLINE float f_fma(float a, float b, float c)
{
    return fmaf(a, b, c);
}

static void rounding_one(const char *mname)
{
    char label[64];
    volatile int64_t i64max = INT64_MAX, i64_odd = (INT64_C(1) << 53) + 1;
    volatile uint64_t u64max = UINT64_MAX;
    volatile int32_t i32_odd = (1 << 24) + 1, i32_m_odd = -((1 << 24) + 3);
    volatile double half = 2.5, mhalf = -2.5, three_half = 3.5, m_half = -0.5;
    volatile double eps_half = 0x1p-53, eps_quarter = 0x1p-54;

    printf("-- %s\n", mname);
    struct {
        const char *name;
        double v;
    } dcases[] = {
        {"1/3", d_div(d_one, d_three)},
        {"-1/3", d_div(d_m1, d_three)},
        {"2/3", d_div(d_two, d_three)},
        {"sqrt(2)", d_sqrt(d_two, 0)},
        {"1 + 2^-53", d_add(d_one, eps_half)},
        {"1 + 3*2^-53", d_add(d_one, 3 * eps_half)},
        {"1 - 2^-54", d_sub(d_one, eps_quarter)},
        {"-1 - 2^-53", d_sub(d_m1, eps_half)},
        {"max * 2", d_mul(d_max, d_two)},
        {"-max * 2", d_mul(-d_max, d_two)},
        {"min * 2^-60", d_mul(d_min, 0x1p-60)},
        {"-min * 2^-60", d_mul(-d_min, 0x1p-60)},
        {"(double)INT64_MAX", i64_to_d(i64max)},
        {"(double)(2^53+1)", i64_to_d(i64_odd)},
        {"(double)-(2^53+1)", i64_to_d(-i64_odd)},
        {"(double)UINT64_MAX", u64_to_d(u64max)},
        {"fma(1/3, 3, -1)", d_fma(d_div(d_one, d_three), d_three, d_m1)},
        {"fma(1, 0, -0)", d_fma(d_one, d_zero, d_mzero)},
        {"1 - 1", d_sub(d_one, d_one)},
        {"rint(2.5)", rint(half)},
        {"rint(-2.5)", rint(mhalf)},
        {"rint(3.5)", rint(three_half)},
        {"nearbyint(-0.5)", nearbyint(m_half)},
    };
    for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++)
        show_d(dcases[i].name, dcases[i].v, -1);

    struct {
        const char *name;
        float v;
    } fcases[] = {
        {"1f/3f", f_div(f_one, f_three)},
        {"-1f/3f", f_div(f_m1, f_three)},
        {"sqrtf(2)", f_sqrt(f_two, 0)},
        {"(float)(1/3)", narrow(d_div(d_one, d_three))},
        {"(float)(2^24+1)", i32_to_f(i32_odd)},
        {"(float)-(2^24+3)", i32_to_f(i32_m_odd)},
        {"(float)UINT64_MAX", u64_to_f(u64max)},
        {"(float)INT64_MAX", i64_to_f(i64max)},
        {"fmaf(1/3, 3, -1)", f_fma(f_div(f_one, f_three), f_three, -f_one)},
        {"fmax * 2f", f_mul(f_max, f_two)},
    };
    for (size_t i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++)
        show_f(fcases[i].name, fcases[i].v, -1);

    volatile double l1 = 2.5, l2 = -3.5, l3 = 2.7, l4 = -2.7;
    printf("%-28s %ld %ld %lld %lld\n", "lrint 2.5 -3.5 2.7 -2.7", lrint(l1), lrint(l2), llrint(l3),
           llrint(l4));
    printf("%-28s %ld %ld\n", "(long) 2.7 -2.7", (long)l3, (long)l4);

    // strtod and printf follow the current rounding mode in glibc.
    double s = strtod("0.1", NULL);
    snprintf(label, sizeof(label), "strtod(\"0.1\")");
    show_d(label, s, -1);
    s = strtod("1e-320", NULL);
    show_d("strtod(\"1e-320\")", s, -1);
    float sf = strtof("0.1", NULL);
    show_f("strtof(\"0.1\")", sf, -1);
    volatile double p1 = 0.25, p2 = 2.5, p3 = -0.125, p4 = 1.0 / 3.0;
    printf("%-28s %.1f %.0f %.2f %.3e\n", "printf .1f .0f .2f .3e", p1, p2, p3, p4);
}

static void section_rounding(void)
{
    printf("== rounding modes\n");
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        int rc = fesetround(modes[i].mode);
        check("fesetround", rc == 0 && fegetround() == modes[i].mode);
        rounding_one(modes[i].name);
    }
    fesetround(FE_TONEAREST);
    check("fesetround(bogus) fails", fesetround(0x7f) != 0 && fegetround() == FE_TONEAREST);
}

static void section_fma(void)
{
    volatile double a = 1 + 0x1p-30, b = 1 - 0x1p-30;
    volatile float fa = 1 + 0x1p-13f, fb = 1 - 0x1p-13f;
    double qnan = from_bits_d(d_qnan_bits);

    printf("== fma\n");
    volatile double fused = d_fma(a, b, d_m1), split = d_add(d_mul(a, b), d_m1);
    show_d("fma(1+e, 1-e, -1)", fused, -1);
    show_d("(1+e)*(1-e) + -1", split, -1);
    check("fma is fused", fused == -0x1p-60 && split == 0);
    volatile float ffused = f_fma(fa, fb, f_m1);
    volatile float fsplit = f_add(f_mul(fa, fb), f_m1);
    show_f("fmaf(1+e, 1-e, -1)", ffused, -1);
    show_f("(1+e)*(1-e) + -1 (float)", fsplit, -1);
    check("fmaf is fused", ffused == -0x1p-26f && fsplit == 0);

    struct {
        const char *name;
        double a, b, c;
    } cases[] = {
        {"fma(max, 2, -max)", d_max, d_two, -d_max},
        {"fma(inf, 0, 1)", d_inf, d_zero, d_one},
        {"fma(inf, 0, qnan)", d_inf, d_zero, qnan},
        {"fma(qnan, 1, 1)", qnan, d_one, d_one},
        {"fma(1, 1, snan)", d_one, d_one, from_bits_d(d_snan_bits)},
        {"fma(inf, 1, -inf)", d_inf, d_one, -d_inf},
        {"fma(min, min, 0)", d_min, d_min, d_zero},
        {"fma(-1, 0, 0)", d_m1, d_zero, d_zero},
        {"fma(-1, 0, -0)", d_m1, d_zero, d_mzero},
        {"fma(1, 0, -0)", d_one, d_zero, d_mzero},
        {"fma(0.1, 10, -1)", d_tenth, 10.0, d_m1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        feclearexcept(FE_ALL_EXCEPT);
        volatile double r = d_fma(cases[i].a, cases[i].b, cases[i].c);
        show_d(cases[i].name, r, fetestexcept(FE_ALL_EXCEPT));
    }
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r = d_add(d_mul(d_max, d_two), -d_max);
    show_d("max * 2 + -max", r, fetestexcept(FE_ALL_EXCEPT));
    feclearexcept(FE_ALL_EXCEPT);
}

static NOINLINE int32_t d_to_i32(double d)
{
    return (int32_t)d;
}
static NOINLINE uint32_t d_to_u32(double d)
{
    return (uint32_t)d;
}
static NOINLINE int64_t d_to_i64(double d)
{
    return (int64_t)d;
}
static NOINLINE uint64_t d_to_u64(double d)
{
    return (uint64_t)d;
}
static NOINLINE int32_t f_to_i32(float f)
{
    return (int32_t)f;
}
static NOINLINE uint32_t f_to_u32(float f)
{
    return (uint32_t)f;
}
static NOINLINE int64_t f_to_i64(float f)
{
    return (int64_t)f;
}
static NOINLINE uint64_t f_to_u64(float f)
{
    return (uint64_t)f;
}

static void section_convert(void)
{
    static const double inputs[] = {
        1.5,           -1.5,          -0.5,         0.99999,      2147483647.5, 2147483648.0,
        -2147483648.9, -2147483649.0, 4294967295.9, 4294967296.0, -1.0,         9.2e18,
        9.3e18,        1.8e19,        1.9e19,       -9.3e18,      1e300,        -1e300,
    };
    volatile double in;

    printf("== conversions to integers (truncating, saturating)\n");
    printf("%-24s %-8s %-8s %-16s %s\n", "value", "i32", "u32", "i64", "u64");
    size_t n = sizeof(inputs) / sizeof(inputs[0]);
    for (size_t i = 0; i < n + 4; i++) {
        if (i < n)
            in = inputs[i];
        else if (i == n)
            in = d_inf;
        else if (i == n + 1)
            in = -d_inf;
        else if (i == n + 2)
            in = from_bits_d(d_qnan_bits);
        else
            in = -from_bits_d(d_qnan_bits);
        int f[4];
        feclearexcept(FE_ALL_EXCEPT);
        volatile int32_t a = d_to_i32(in);
        f[0] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile uint32_t b = d_to_u32(in);
        f[1] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile int64_t c = d_to_i64(in);
        f[2] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile uint64_t d = d_to_u64(in);
        f[3] = fetestexcept(FE_ALL_EXCEPT);
        printf("%-24a %08" PRIx32 " %08" PRIx32 " %016" PRIx64 " %016" PRIx64
               "  [%s] [%s] [%s] [%s]\n",
               in, (uint32_t)a, b, (uint64_t)c, d, flag_names(f[0]), flag_names(f[1]),
               flag_names(f[2]), flag_names(f[3]));
    }

    static const float finputs[] = {1.5f,  -0.5f,   2147483648.0f, -2147483904.0f, 4294967296.0f,
                                    -1.0f, 1.8e19f, 1e20f,         -1e20f};
    volatile float fin;
    printf("%-24s %-8s %-8s %-16s %s\n", "float value", "i32", "u32", "i64", "u64");
    size_t fn = sizeof(finputs) / sizeof(finputs[0]);
    for (size_t i = 0; i < fn + 2; i++) {
        if (i < fn)
            fin = finputs[i];
        else if (i == fn)
            fin = from_bits_f(f_qnan_bits);
        else
            fin = -(float)d_inf;
        int f[4];
        feclearexcept(FE_ALL_EXCEPT);
        volatile int32_t a = f_to_i32(fin);
        f[0] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile uint32_t b = f_to_u32(fin);
        f[1] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile int64_t c = f_to_i64(fin);
        f[2] = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile uint64_t d = f_to_u64(fin);
        f[3] = fetestexcept(FE_ALL_EXCEPT);
        printf("%-24a %08" PRIx32 " %08" PRIx32 " %016" PRIx64 " %016" PRIx64
               "  [%s] [%s] [%s] [%s]\n",
               (double)fin, (uint32_t)a, b, (uint64_t)c, d, flag_names(f[0]), flag_names(f[1]),
               flag_names(f[2]), flag_names(f[3]));
    }

    printf("== libm rounding functions\n");
    static const double rin[] = {0.5,  1.5,          2.5,    -0.5,  -2.5, 2.7,
                                 -2.7, 0x1p52 + 0.5, 0x1p53, 1e300, -0.0};
    for (size_t i = 0; i < sizeof(rin) / sizeof(rin[0]); i++) {
        in = rin[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double r1 = round(in), r2 = floor(in), r3 = ceil(in), r4 = trunc(in);
        volatile double r5 = roundeven(in);
        int f = fetestexcept(FE_ALL_EXCEPT);
        printf("%-22.17g round %-8g floor %-8g ceil %-8g trunc %-8g roundeven %-8g [%s]\n", in, r1,
               r2, r3, r4, r5, flag_names(f));
    }
    static const double lin[] = {2.5, -2.5, 1e19, -1e19};
    for (size_t i = 0; i < sizeof(lin) / sizeof(lin[0]) + 1; i++) {
        in = i < sizeof(lin) / sizeof(lin[0]) ? lin[i] : from_bits_d(d_qnan_bits);
        feclearexcept(FE_ALL_EXCEPT);
        volatile long a = lround(in);
        int fa = fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile long b = lrint(in);
        int fb = fetestexcept(FE_ALL_EXCEPT);
        printf("%-10g lround %016lx [%s]  lrint %016lx [%s]\n", in, (unsigned long)a,
               flag_names(fa), (unsigned long)b, flag_names(fb));
    }
    feclearexcept(FE_ALL_EXCEPT);
}

static void minmax_line(const char *label, double a, double b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile double lo = fmin(a, b);
    int flo = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double hi = fmax(a, b);
    int fhi = fetestexcept(FE_ALL_EXCEPT);
    printf("%-20s fmin %-10a %016" PRIx64 " [%s]  fmax %-10a %016" PRIx64 " [%s]\n", label, lo,
           bits_d(lo), flag_names(flo), hi, bits_d(hi), flag_names(fhi));
}

static void minmax_line_f(const char *label, float a, float b)
{
    feclearexcept(FE_ALL_EXCEPT);
    volatile float lo = fminf(a, b);
    int flo = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile float hi = fmaxf(a, b);
    int fhi = fetestexcept(FE_ALL_EXCEPT);
    printf("%-20s fminf %-10a %08" PRIx32 " [%s]  fmaxf %-10a %08" PRIx32 " [%s]\n", label,
           (double)lo, bits_f(lo), flag_names(flo), (double)hi, bits_f(hi), flag_names(fhi));
}

static void section_minmax(void)
{
    double qnan = from_bits_d(d_qnan_bits), snan = from_bits_d(d_snan_bits);
    float fqnan = from_bits_f(f_qnan_bits), fsnan = from_bits_f(f_snan_bits);

    printf("== fmin/fmax\n");
    minmax_line("-0, +0", d_mzero, d_zero);
    minmax_line("+0, -0", d_zero, d_mzero);
    minmax_line("qnan, 1", qnan, d_one);
    minmax_line("1, qnan", d_one, qnan);
    minmax_line("qnan, qnan", qnan, qnan);
    minmax_line("-inf, qnan", -d_inf, qnan);
    minmax_line("1, 2", d_one, d_two);
    minmax_line("min/4, -min/4", d_min / 4, -d_min / 4);
    minmax_line_f("-0f, +0f", -f_zero, f_zero);
    minmax_line_f("qnanf, 1f", fqnan, f_one);
    minmax_line_f("qnanf, qnanf", fqnan, fqnan);
    // C says fmin of a signalling NaN may return NaN or the number; print only the flags
    // and whether it is a NaN, which the guest ISA and its libm decide together.
    feclearexcept(FE_ALL_EXCEPT);
    volatile double s1 = fmin(snan, d_one);
    int fs1 = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile float s2 = fmaxf(f_one, fsnan);
    int fs2 = fetestexcept(FE_ALL_EXCEPT);
    printf("%-20s isnan %d [%s]  fmaxf(1, snanf) isnan %d [%s]\n", "fmin(snan, 1)", isnan(s1),
           flag_names(fs1), isnan(s2), flag_names(fs2));

    printf("== sign operations on NaN (no arithmetic: the payload stays)\n");
    volatile double neg = -qnan, abs_ = fabs(-qnan), cs = copysign(qnan, d_m1);
    printf("%-20s %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", "-x fabs copysign", bits_d(neg),
           bits_d(abs_), bits_d(cs));
    volatile float fneg = -fqnan, fabs_ = fabsf(-fqnan);
    printf("%-20s %08" PRIx32 " %08" PRIx32 "\n", "-x fabsf (float)", bits_f(fneg), bits_f(fabs_));
    printf("%-20s %d %d %d %d %d\n", "fpclassify", fpclassify(qnan), fpclassify(d_min / 4),
           fpclassify(d_mzero), fpclassify(-d_inf), fpclassify(d_one));
    printf("%-20s %d %d %d\n", "signbit", signbit(d_mzero) != 0, signbit(-qnan) != 0,
           signbit(d_one) != 0);
    feclearexcept(FE_ALL_EXCEPT);
}

static void section_printf(void)
{
    static const double vals[] = {
        0.1,        1.0 / 3.0,
        DBL_MAX,    DBL_MIN,
        0x1p-1074,  -0.0,
        1e23,       123456789012345678.0,
        2.5e-8,     9007199254740993.0,
        5e-324 * 3, 1.7976931348623157e308 / 3,
        100.0,
    };
    char buf[64];

    printf("== printf/strtod round trips (double)\n");
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        volatile double v = vals[i];
        snprintf(buf, sizeof(buf), "%.17g", v);
        double back = strtod(buf, NULL);
        int same = bits_d(back) == bits_d(v);
        check("double %.17g round trip", same);
        printf("%-24s %-24a %-14e %-12g %s\n", buf, v, v, v, same ? "same" : "DIFFERENT");
    }
    static const float fvals[] = {0.1f,      1.0f / 3.0f, FLT_MAX,    FLT_MIN,
                                  0x1p-149f, 16777217.0f, 3.14159265f};
    printf("== printf/strtof round trips (float)\n");
    for (size_t i = 0; i < sizeof(fvals) / sizeof(fvals[0]); i++) {
        volatile float v = fvals[i];
        snprintf(buf, sizeof(buf), "%.9g", (double)v);
        float back = strtof(buf, NULL);
        int same = bits_f(back) == bits_f(v);
        check("float %.9g round trip", same);
        printf("%-24s %-24a %s\n", buf, (double)v, same ? "same" : "DIFFERENT");
    }
    printf("== printf formats\n");
    volatile double x = 1234.5678, half = 0.5, one_half = 1.5, two_half = 2.5;
    printf("%.0f %.0f %.0f %.0f\n", half, one_half, two_half, -two_half);
    printf("%.20f\n", d_tenth);
    printf("%e|%E|%.0e|%#.0e|%g|%G|%#g\n", x, x, x, x, x, 1e-10 * x, x);
    printf("%10.3f|%-10.3f|%+.2f|% .2f|%010.2f\n", x, x, x, x, -x);
    printf("%a|%A|%.3a|%.0a\n", x, x, x, x);
    printf("%f %f %f %F %e\n", d_inf, -d_inf, from_bits_d(d_qnan_bits), d_inf, -0.0 * d_one);
    printf("%.40g\n", 0x1p-1074);
    printf("%.20e %.20e\n", d_min, 0x1p-1074);
}

static void section_strtod(void)
{
    static const char *inputs[] = {
        "0x1p-1074",
        "0x1.fffffffffffffp1023",
        "0x1.fffffffffffff8p1023",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e400",
        "-1e400",
        "1e-400",
        "9007199254740993",
        "9007199254740995",
        "0.1e1",
        "  +.5e-3xyz",
        "-0",
        "-0x0p0",
        "inf",
        "-Infinity",
        "nan",
        "nan(0x123)",
        "-nan",
        "1e",
        "0x",
        ".e5",
        "12345678901234567890123456789012345678901234567890e-30",
        "0.000000000000000000000000000000000000001e39",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
    };
    printf("== strtod\n");
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char *end;
        errno = 0;
        double d = strtod(inputs[i], &end);
        int e = errno;
        printf("%-58s %-24a %016" PRIx64 " end+%td%s\n", inputs[i], d, bits_d(d), end - inputs[i],
               e == ERANGE ? " ERANGE" : (e ? " errno?" : ""));
    }
    static const char *finputs[] = {"1.17549435e-38", "1.4e-45",  "7e-46",       "3.4028235e38",
                                    "3.4028236e38",   "16777217", "0x1.000001p0"};
    printf("== strtof\n");
    for (size_t i = 0; i < sizeof(finputs) / sizeof(finputs[0]); i++) {
        char *end;
        errno = 0;
        float f = strtof(finputs[i], &end);
        int e = errno;
        printf("%-58s %-24a %08" PRIx32 " end+%td%s\n", finputs[i], (double)f, bits_f(f),
               end - finputs[i], e == ERANGE ? " ERANGE" : (e ? " errno?" : ""));
    }
}

static NOINLINE long double ld_div(long double a, long double b)
{
    return a / b;
}

static void section_long_double(void)
{
    volatile long double one = 1.0L, three = 3.0L, two = 2.0L;
    printf("== long double (%zu bytes, %d mantissa bits)\n", sizeof(long double), LDBL_MANT_DIG);
    long double third = ld_div(one, three);
    printf("1/3   %.36Lg %La\n", third, third);
    long double r2 = sqrtl(two);
    printf("sqrt2 %.36Lg %La\n", r2, r2);
    long double big = (long double)DBL_MAX * 4;
    printf("4max  %.6Lg %La\n", big, big);
    printf("strtold %La\n", strtold("0.1", NULL));
    check("long double 1/3*3 == 1", fabsl(third * three - one) <= LDBL_EPSILON);
}

#if defined(__riscv)
// Static rounding modes in the instruction (the rm field), and the fcsr register itself.
static void section_riscv_static_rm(void)
{
    volatile double a = 2.5, b = -2.5, c = 1.0, e = 0x1p-53 * 3;
    long r[5][2];
    double s[5];

    printf("== riscv static rounding modes (fcvt.l.d, fadd.d)\n");
    __asm__ volatile("fcvt.l.d %0, %1, rne" : "=r"(r[0][0]) : "f"(a));
    __asm__ volatile("fcvt.l.d %0, %1, rne" : "=r"(r[0][1]) : "f"(b));
    __asm__ volatile("fcvt.l.d %0, %1, rtz" : "=r"(r[1][0]) : "f"(a));
    __asm__ volatile("fcvt.l.d %0, %1, rtz" : "=r"(r[1][1]) : "f"(b));
    __asm__ volatile("fcvt.l.d %0, %1, rdn" : "=r"(r[2][0]) : "f"(a));
    __asm__ volatile("fcvt.l.d %0, %1, rdn" : "=r"(r[2][1]) : "f"(b));
    __asm__ volatile("fcvt.l.d %0, %1, rup" : "=r"(r[3][0]) : "f"(a));
    __asm__ volatile("fcvt.l.d %0, %1, rup" : "=r"(r[3][1]) : "f"(b));
    __asm__ volatile("fcvt.l.d %0, %1, rmm" : "=r"(r[4][0]) : "f"(a));
    __asm__ volatile("fcvt.l.d %0, %1, rmm" : "=r"(r[4][1]) : "f"(b));
    __asm__ volatile("fadd.d %0, %1, %2, rne" : "=f"(s[0]) : "f"(c), "f"(e));
    __asm__ volatile("fadd.d %0, %1, %2, rtz" : "=f"(s[1]) : "f"(c), "f"(e));
    __asm__ volatile("fadd.d %0, %1, %2, rdn" : "=f"(s[2]) : "f"(c), "f"(e));
    __asm__ volatile("fadd.d %0, %1, %2, rup" : "=f"(s[3]) : "f"(c), "f"(e));
    __asm__ volatile("fadd.d %0, %1, %2, rmm" : "=f"(s[4]) : "f"(c), "f"(e));
    static const char *names[] = {"rne", "rtz", "rdn", "rup", "rmm"};
    for (int i = 0; i < 5; i++)
        printf("%s  2.5 -> %ld  -2.5 -> %ld  1 + 3*2^-53 -> %a\n", names[i], r[i][0], r[i][1],
               s[i]);

    unsigned long fcsr, old;
    fesetround(FE_DOWNWARD);
    feclearexcept(FE_ALL_EXCEPT);
    feraiseexcept(FE_INEXACT | FE_DIVBYZERO);
    __asm__ volatile("frcsr %0" : "=r"(fcsr));
    printf("fcsr after rdn + DZ|NX: 0x%02lx\n", fcsr);
    __asm__ volatile("fscsr %0, %1" : "=r"(old) : "r"(0xffUL));
    __asm__ volatile("frcsr %0" : "=r"(fcsr));
    printf("fscsr 0xff: old 0x%02lx now 0x%02lx frm %d\n", old, fcsr, fegetround());
    __asm__ volatile("fscsr %0" : : "r"(0UL));
    __asm__ volatile("csrr %0, frm" : "=r"(fcsr));
    printf("frm after fscsr 0: %lu\n", fcsr);
}
#endif

int main(void)
{
    // Line by line: when the emulator dies half way, the output shows where.
    setvbuf(stdout, NULL, _IOLBF, 0);
    section_flags();
    section_rounding();
    section_fma();
    section_convert();
    section_minmax();
    section_printf();
    section_strtod();
    section_long_double();
#if defined(__riscv)
    section_riscv_static_rm();
#endif
    printf("fp: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

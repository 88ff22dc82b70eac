/*
 * Unit tests for the RISC-V F/D helpers (target/riscv/fpu-*.c), called directly on a
 * CPURISCVState:
 *   - the case tables of test-riscv-fpu-cases.c (results and fflags of qemu-riscv64),
 *     each case with its static rounding mode, again with rm = DYN and frm set, and
 *     again with NX already set, which is when round-to-nearest takes the fast path;
 *   - the MXCSR contract of fpu-host.h: round-to-nearest and no DAZ/FTZ after every
 *     helper, stale host flags not taken for the guest's, a rounding mode or DAZ/FTZ
 *     left by other host code not leaking into results;
 *   - an invalid frm under DYN raising an illegal instruction, at no cost to static rm.
 * ctest runs the program twice, the second time with PADDOCK_X86_DISABLE=fma so that
 * fused multiply-add takes the software path.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdalign.h>
#include <xmmintrin.h>

#include "test-riscv-fpu.h"

typedef uint64_t FpRm1(CPURISCVState *, uint64_t, uint32_t);
typedef uint64_t FpRm2(CPURISCVState *, uint64_t, uint64_t, uint32_t);
typedef uint64_t FpRm3(CPURISCVState *, uint64_t, uint64_t, uint64_t, uint32_t);
typedef uint64_t FpPlain2(CPURISCVState *, uint64_t, uint64_t);
typedef uint64_t FpClass(uint64_t);

static uint64_t call_case(const FpCase *c, CPURISCVState *env, uint32_t rm)
{
    const uint64_t *in = c->in;
    switch (c->kind) {
    case FP_CALL_RM1: return ((FpRm1 *)c->fn)(env, in[0], rm);
    case FP_CALL_RM2: return ((FpRm2 *)c->fn)(env, in[0], in[1], rm);
    case FP_CALL_RM3: return ((FpRm3 *)c->fn)(env, in[0], in[1], in[2], rm);
    case FP_CALL_PLAIN2: return ((FpPlain2 *)c->fn)(env, in[0], in[1]);
    case FP_CALL_CLASS: return ((FpClass *)c->fn)(in[0]);
    }
    g_assert_not_reached();
}

/*
 * Runs c with rm as the instruction's field, frm as the dynamic mode and fflags already
 * holding flags; false on a miss.
 */
static bool check_case(const FpCase *c, uint32_t rm, uint32_t frm, uint32_t flags)
{
    CPURISCVState env = {.frm = frm, .fflags = flags};
    uint64_t r = call_case(c, &env, rm);
    if (r == c->result && env.fflags == (c->flags | flags)) {
        return true;
    }
    g_test_message("%s(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
                   ") rm %u frm %u fflags %#x: got %#" PRIx64 " flags %#x, want %#" PRIx64
                   " flags %#x",
                   c->name, c->in[0], c->in[1], c->in[2], rm, frm, flags, r, env.fflags, c->result,
                   c->flags | flags);
    return false;
}

static void test_case_group(gconstpointer data)
{
    const FpCaseGroup *g = data;
    unsigned misses = 0;
    for (size_t i = 0; i < g->count; i++) {
        const FpCase *c = &g->cases[i];
        /* The static rm, with another mode in frm; then DYN, reading it from frm. */
        misses += !check_case(c, c->rm, c->rm ^ 1, 0);
        misses += !check_case(c, RISCV_RM_DYN, c->rm, 0);
        misses += !check_case(c, RISCV_RM_DYN, c->rm, RISCV_FFLAG_NX);
    }
    g_assert_cmpuint(misses, ==, 0);
}

enum {
    MXCSR_DEFAULT = 0x1f80,
    MXCSR_FLAGS = 0x3f,
    MXCSR_PE = 1 << 5,
    MXCSR_DAZ = 1 << 6,
    MXCSR_RC_UP = 2 << 13,
    MXCSR_FTZ = 1 << 15,
};

#define D_ONE   0x3ff0000000000000ull
#define D_TWO   0x4000000000000000ull
#define D_THREE 0x4008000000000000ull
#define D_THIRD 0x3fd5555555555555ull /* 1/3 rounded to nearest (up: ...56) */
#define D_SUB   0x0000000000000001ull /* the smallest subnormal */
#define D_MIN   0x0010000000000000ull /* the smallest normal */
#define D_HALF  0x3fe0000000000000ull
#define S_ONE   (NANBOX_MASK | 0x3f800000)

/* Every helper that rounds gives MXCSR back in its C default, whatever rm it used. */
static void test_mxcsr_restored(void)
{
    for (uint32_t rm = RISCV_RM_RNE; rm <= RISCV_RM_RMM; rm++) {
        CPURISCVState env = {0};
        helper_fdiv_d(&env, D_ONE, D_THREE, rm);
        helper_fmadd_s(&env, S_ONE, S_ONE, S_ONE, rm);
        helper_fcvt_s_l(&env, INT64_MAX, rm);
        helper_fcvt_s_d(&env, D_THIRD, rm);
        helper_fcvt_w_d(&env, D_THIRD, rm);
        g_assert_cmphex(_mm_getcsr() & ~MXCSR_FLAGS, ==, MXCSR_DEFAULT);
    }
}

/*
 * Flags set in MXCSR by host code, or left from an earlier operation after the guest
 * cleared fflags, are not the guest's.
 */
static void test_mxcsr_stale_flags(void)
{
    CPURISCVState env = {0};
    _mm_setcsr(MXCSR_DEFAULT | MXCSR_FLAGS);
    g_assert_cmphex(helper_fadd_d(&env, D_ONE, D_ONE, RISCV_RM_RNE), ==, D_TWO);
    g_assert_cmphex(env.fflags, ==, 0);

    g_assert_cmphex(helper_fdiv_d(&env, D_ONE, D_THREE, RISCV_RM_RNE), ==, D_THIRD);
    g_assert_cmphex(env.fflags, ==, RISCV_FFLAG_NX);
    env.fflags = 0; /* csrw fflags: MXCSR still holds PE */
    g_assert_cmphex(helper_fmul_d(&env, D_TWO, D_THREE, RISCV_RM_RNE), ==, 0x4018000000000000);
    g_assert_cmphex(env.fflags, ==, 0);

    /* Flags the guest already has accrue with new ones. */
    env.fflags = RISCV_FFLAG_NX;
    helper_fdiv_d(&env, D_ONE, 0, RISCV_RM_RNE);
    g_assert_cmphex(env.fflags, ==, RISCV_FFLAG_NX | RISCV_FFLAG_DZ);
    _mm_setcsr(MXCSR_DEFAULT);
}

/*
 * Another rounding mode, DAZ or FTZ left in MXCSR by host code changes no result on the
 * flagged path (the fast path relies on the C default, see fpu-host.h).
 */
static void test_mxcsr_host_modes(void)
{
    CPURISCVState env = {0};
    _mm_setcsr(MXCSR_DEFAULT | MXCSR_RC_UP);
    g_assert_cmphex(helper_fdiv_d(&env, D_ONE, D_THREE, RISCV_RM_RNE), ==, D_THIRD);
    _mm_setcsr(MXCSR_DEFAULT | MXCSR_DAZ | MXCSR_FTZ);
    g_assert_cmphex(helper_fadd_d(&env, D_SUB, D_SUB, RISCV_RM_RNE), ==, 2 * D_SUB);
    _mm_setcsr(MXCSR_DEFAULT | MXCSR_DAZ | MXCSR_FTZ);
    env.fflags = 0;
    g_assert_cmphex(helper_fmul_d(&env, D_MIN, D_HALF, RISCV_RM_RNE), ==, D_MIN >> 1);
    g_assert_cmphex(env.fflags, ==, 0); /* exact: no underflow */
    g_assert_cmphex(_mm_getcsr() & ~MXCSR_FLAGS, ==, MXCSR_DEFAULT);
}

/* Whether call(env with frm, rm) raised an illegal instruction. */
static bool raises_illegal(uint32_t frm, uint32_t rm, void (*call)(CPURISCVState *, uint32_t))
{
    RISCVCPU *cpu = g_aligned_alloc0(1, sizeof(RISCVCPU), alignof(RISCVCPU));
    cpu->env.frm = frm;
    bool raised = false;
    if (sigsetjmp(cpu->common.jmp_env, 0) == 0) {
        call(&cpu->env, rm);
    } else {
        g_assert_cmpint(cpu->common.exception_index, ==, RISCV_EXCP_ILLEGAL_INST);
        raised = true;
    }
    g_aligned_free(cpu);
    return raised;
}

static void call_fadd_s(CPURISCVState *env, uint32_t rm)
{
    helper_fadd_s(env, S_ONE, S_ONE, rm);
}

static void call_fmadd_d(CPURISCVState *env, uint32_t rm)
{
    helper_fmadd_d(env, D_ONE, D_ONE, D_ONE, rm);
}

static void call_fcvt_w_d(CPURISCVState *env, uint32_t rm)
{
    helper_fcvt_w_d(env, D_ONE, rm);
}

static void call_fcvt_d_l(CPURISCVState *env, uint32_t rm)
{
    helper_fcvt_d_l(env, 1, rm);
}

static void call_fcvt_d_s(CPURISCVState *env, uint32_t rm)
{
    helper_fcvt_d_s(env, S_ONE, rm);
}

/* frm 5, 6 and 7 are invalid: an instruction with rm = DYN is illegal, even if exact. */
static void test_illegal_frm(void)
{
    void (*const calls[])(CPURISCVState *, uint32_t) = {
        call_fadd_s, call_fmadd_d, call_fcvt_w_d, call_fcvt_d_l, call_fcvt_d_s,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        for (uint32_t frm = 5; frm <= 7; frm++) {
            g_assert_true(raises_illegal(frm, RISCV_RM_DYN, calls[i]));
            g_assert_false(raises_illegal(frm, RISCV_RM_RTZ, calls[i]));
        }
        g_assert_false(raises_illegal(RISCV_RM_RMM, RISCV_RM_DYN, calls[i]));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < fp_case_group_count; i++) {
        g_autofree char *path = g_strdup_printf("/riscv/fpu/cases/%s", fp_case_groups[i].name);
        g_test_add_data_func(path, &fp_case_groups[i], test_case_group);
    }
    g_test_add_func("/riscv/fpu/mxcsr/restored", test_mxcsr_restored);
    g_test_add_func("/riscv/fpu/mxcsr/stale-flags", test_mxcsr_stale_flags);
    g_test_add_func("/riscv/fpu/mxcsr/host-modes", test_mxcsr_host_modes);
    g_test_add_func("/riscv/fpu/illegal-frm", test_illegal_frm);
    return g_test_run();
}

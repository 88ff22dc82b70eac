/*
 * Differential test of the x86-64 JIT against the interpreter: seeded random TBs that mix
 * every kind of op with locals, globals and constants, forward branches, counted loops,
 * helper calls with all global-access flags, host and guest memory, run on both backends
 * from the same state; the whole machine state must agree afterwards. Random programs
 * reach the allocator's corners (pressure, fixed registers, values live across calls and
 * labels) that op-by-op tests do not.
 *
 * The generator keeps every program defined: variable shift counts are masked, divisors
 * are made odd and positive, every local is written before it is read, and guest
 * addresses are masked into the guest range.
 */
#include <string.h>

#include "tests/unit/test-tcg-x86.h"

enum { NB_L64 = 8, NB_L32 = 4, NB_PROGRAMS = 1000, NB_STEPS = 100 };

typedef struct Gen {
    Harness *h;
    TCGContext *s;
    GRand *rand;
    TCGv l64[NB_L64], l32[NB_L32];
    unsigned depth;
} Gen;

static uint64_t h_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return (a ^ (b << 1)) + c * 3 - (d >> 2) + (e ^ 0x5a5a) * 7 + (f | 1) * 9;
}

static uint32_t h_env(TestEnv *env, uint32_t a, uint64_t b)
{
    env->regs[15] = env->regs[15] * 3 + a + b;
    env->regs32[7] ^= a;
    return (uint32_t)env->regs[14] + a;
}

static uint64_t h_read(TestEnv *env, uint64_t a)
{
    return env->regs[13] * 5 + a + env->regs32[6];
}

static uint64_t h_pure(uint64_t a, uint64_t b)
{
    return a * 0x9e3779b97f4a7c15ull + b;
}

static const TCGHelperInfo helpers[] = {
    {"mix",
     (void *)h_mix,
     TCG_CALL_NO_RWG,
     TCG_CALL_I64,
     {TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
     6},
    {"env", (void *)h_env, 0, TCG_CALL_I32, {TCG_CALL_PTR, TCG_CALL_I32, TCG_CALL_I64}, 3},
    {"read",
     (void *)h_read,
     TCG_CALL_NO_WRITE_GLOBALS,
     TCG_CALL_I64,
     {TCG_CALL_PTR, TCG_CALL_I64},
     2},
    {"pure", (void *)h_pure, TCG_CALL_PURE, TCG_CALL_I64, {TCG_CALL_I64, TCG_CALL_I64}, 2},
};

static unsigned rnd(Gen *g, unsigned n)
{
    return (unsigned)g_rand_int_range(g->rand, 0, (gint32)n);
}

static int64_t rnd_value(Gen *g)
{
    static const int64_t edges[] = {0,
                                    1,
                                    -1,
                                    2,
                                    0x7f,
                                    0x80,
                                    0xff,
                                    0x7fffffff,
                                    INT32_MIN,
                                    0xffffffffll,
                                    INT64_MIN,
                                    INT64_MAX,
                                    0x123456789abcdefll};
    if (rnd(g, 2)) {
        return edges[rnd(g, G_N_ELEMENTS(edges))];
    }
    return (int64_t)((uint64_t)g_rand_int(g->rand) << 32 | g_rand_int(g->rand));
}

/* A writable temp of the type: a local or a global. */
static TCGv dst(Gen *g, TCGType type)
{
    if (type == TCG_TYPE_I64) {
        return rnd(g, 2) ? g->l64[rnd(g, NB_L64)] : g->h->r[rnd(g, 12)];
    }
    return rnd(g, 2) ? g->l32[rnd(g, NB_L32)] : g->h->w[rnd(g, 6)];
}

/* A source: a writable temp, or sometimes a constant. */
static TCGv src(Gen *g, TCGType type)
{
    if (rnd(g, 5) == 0) {
        return tcg_constant(g->s, type, rnd_value(g));
    }
    return dst(g, type);
}

static TCGType rnd_type(Gen *g)
{
    return rnd(g, 3) ? TCG_TYPE_I64 : TCG_TYPE_I32;
}

static unsigned bits(TCGType type)
{
    return type == TCG_TYPE_I32 ? 32 : 64;
}

/* A temp holding a value in [0, bits): for variable shift counts. */
static TCGv count(Gen *g, TCGType type)
{
    TCGv c = tcg_temp_new(g->s, type);
    tcg_gen_andi(g->s, c, src(g, type), bits(type) - 1);
    return c;
}

static void gen_binary(Gen *g, TCGType type)
{
    typedef void (*Fn)(TCGContext *, TCGv, TCGv, TCGv);
    static const Fn fns[] = {tcg_gen_add, tcg_gen_sub,  tcg_gen_mul, tcg_gen_and,  tcg_gen_or,
                             tcg_gen_xor, tcg_gen_andc, tcg_gen_orc, tcg_gen_rotl, tcg_gen_rotr};
    static const Fn shifts[] = {tcg_gen_shl, tcg_gen_shr, tcg_gen_sar};
    if (rnd(g, 4) == 0) {
        shifts[rnd(g, 3)](g->s, dst(g, type), src(g, type), count(g, type));
    } else {
        fns[rnd(g, G_N_ELEMENTS(fns))](g->s, dst(g, type), src(g, type), src(g, type));
    }
}

static void gen_unary(Gen *g, TCGType type)
{
    typedef void (*Fn)(TCGContext *, TCGv, TCGv);
    static const Fn fns[] = {tcg_gen_neg,    tcg_gen_not,    tcg_gen_ext8s,   tcg_gen_ext8u,
                             tcg_gen_ext16s, tcg_gen_ext16u, tcg_gen_bswap16, tcg_gen_bswap32,
                             tcg_gen_ctpop,  tcg_gen_mov};
    static const Fn fns64[] = {tcg_gen_ext32s, tcg_gen_ext32u, tcg_gen_bswap64};
    if (type == TCG_TYPE_I64 && rnd(g, 4) == 0) {
        fns64[rnd(g, G_N_ELEMENTS(fns64))](g->s, dst(g, type), src(g, type));
    } else {
        fns[rnd(g, G_N_ELEMENTS(fns))](g->s, dst(g, type), src(g, type));
    }
}

static void gen_bits(Gen *g, TCGType type)
{
    unsigned n = bits(type), len = 1 + rnd(g, n), pos = rnd(g, n - len + 1);
    switch (rnd(g, 6)) {
    case 0: tcg_gen_extract(g->s, dst(g, type), src(g, type), pos, len); break;
    case 1: tcg_gen_sextract(g->s, dst(g, type), src(g, type), pos, len); break;
    case 2: tcg_gen_deposit(g->s, dst(g, type), src(g, type), src(g, type), pos, len); break;
    case 3: tcg_gen_clz(g->s, dst(g, type), src(g, type), src(g, type)); break;
    case 4: tcg_gen_ctz(g->s, dst(g, type), src(g, type), src(g, type)); break;
    default: tcg_gen_rotli(g->s, dst(g, type), src(g, type), rnd(g, n)); break;
    }
}

static void gen_arith2(Gen *g, TCGType type)
{
    TCGv lo = dst(g, type), hi = dst(g, type);
    TCGv d = tcg_temp_new(g->s, type);
    switch (rnd(g, 4)) {
    case 0:
    case 1:
        if (lo.idx != hi.idx) {
            (rnd(g, 2) ? tcg_gen_mulu2 : tcg_gen_muls2)(g->s, lo, hi, src(g, type), src(g, type));
        }
        break;
    case 2:
        /* An odd positive divisor: never 0, never -1. */
        tcg_gen_andi(g->s, d, src(g, type), 0xffff);
        tcg_gen_ori(g->s, d, d, 1);
        (rnd(g, 2) ? tcg_gen_div : tcg_gen_rem)(g->s, lo, src(g, type), d);
        break;
    default:
        tcg_gen_ori(g->s, d, src(g, type), 1);
        (rnd(g, 2) ? tcg_gen_divu : tcg_gen_remu)(g->s, lo, src(g, type), d);
        break;
    }
}

static TCGCond rnd_cond(Gen *g)
{
    return (TCGCond)(TCG_COND_EQ + rnd(g, TCG_COND_COUNT - TCG_COND_EQ));
}

static void gen_cond(Gen *g, TCGType type)
{
    switch (rnd(g, 3)) {
    case 0: tcg_gen_setcond(g->s, rnd_cond(g), dst(g, type), src(g, type), src(g, type)); break;
    case 1: tcg_gen_negsetcond(g->s, rnd_cond(g), dst(g, type), src(g, type), src(g, type)); break;
    default:
        tcg_gen_movcond(g->s, rnd_cond(g), dst(g, type), src(g, type), src(g, type), src(g, type),
                        src(g, type));
        break;
    }
}

static void gen_convert(Gen *g)
{
    switch (rnd(g, 4)) {
    case 0: tcg_gen_exts_i32_i64(g->s, dst(g, TCG_TYPE_I64), src(g, TCG_TYPE_I32)); break;
    case 1: tcg_gen_extu_i32_i64(g->s, dst(g, TCG_TYPE_I64), src(g, TCG_TYPE_I32)); break;
    case 2: tcg_gen_extrl_i64_i32(g->s, dst(g, TCG_TYPE_I32), src(g, TCG_TYPE_I64)); break;
    default: tcg_gen_extrh_i64_i32(g->s, dst(g, TCG_TYPE_I32), src(g, TCG_TYPE_I64)); break;
    }
}

static void gen_memory(Gen *g, TCGType type)
{
    static const MemOp sizes[4] = {MO_8, MO_16, MO_32, MO_64};
    MemOp mo = sizes[rnd(g, type == TCG_TYPE_I64 ? 4 : 3)];
    if (rnd(g, 2) == 0) {
        unsigned off = offsetof(TestEnv, data) + rnd(g, 64) * 8;
        if (rnd(g, 2)) {
            tcg_gen_ld(g->s, dst(g, type), tcg_env(g->s), (int32_t)off,
                       mo | (rnd(g, 2) ? MO_SIGN : 0));
        } else {
            tcg_gen_st(g->s, dst(g, type), tcg_env(g->s), (int32_t)off, mo);
        }
        return;
    }
    mo |= (rnd(g, 2) ? MO_BE : 0) | (rnd(g, 3) == 0 ? MO_ALIGN : 0);
    uint64_t mask =
        (HARNESS_GUEST_SIZE - 8) & ~(uint64_t)((mo & MO_ALIGN) ? memop_size(mo) - 1 : 0);
    TCGv addr = tcg_temp_new_i64(g->s);
    tcg_gen_andi(g->s, addr, src(g, TCG_TYPE_I64), (int64_t)mask);
    if (rnd(g, 2)) {
        tcg_gen_guest_ld(g->s, dst(g, type), addr, 0, mo | (rnd(g, 2) ? MO_SIGN : 0));
    } else {
        tcg_gen_guest_st(g->s, src(g, type), addr, 0, mo);
    }
}

static void gen_call(Gen *g)
{
    const TCGHelperInfo *info = &helpers[rnd(g, G_N_ELEMENTS(helpers))];
    TCGv args[TCG_MAX_HELPER_ARGS];
    for (unsigned i = 0; i < info->nargs; i++) {
        args[i] = info->args[i] == TCG_CALL_PTR   ? tcg_env(g->s)
                  : info->args[i] == TCG_CALL_I32 ? src(g, TCG_TYPE_I32)
                                                  : src(g, TCG_TYPE_I64);
    }
    TCGv ret = dst(g, info->ret == TCG_CALL_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64);
    tcg_gen_call(g->s, info, &ret, args);
}

static void gen_steps(Gen *g, unsigned n);

/* if (cond) skip a few ops; or a loop of a few ops run 1..4 times. */
static void gen_control(Gen *g)
{
    TCGLabel *l = tcg_new_label(g->s);
    TCGType type = rnd_type(g);
    g->depth++;
    if (rnd(g, 3)) {
        tcg_gen_brcond(g->s, rnd_cond(g), src(g, type), src(g, type), l);
        gen_steps(g, 1 + rnd(g, 5));
        tcg_gen_set_label(g->s, l);
    } else {
        TCGv counter = tcg_temp_new_i64(g->s); /* written only here */
        tcg_gen_movi(g->s, counter, 1 + rnd(g, 4));
        tcg_gen_set_label(g->s, l);
        gen_steps(g, 1 + rnd(g, 6));
        tcg_gen_subi(g->s, counter, counter, 1);
        tcg_gen_brcondi(g->s, TCG_COND_NE, counter, 0, l);
    }
    g->depth--;
}

static void gen_steps(Gen *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        TCGType type = rnd_type(g);
        switch (rnd(g, 16)) {
        case 0:
        case 1:
        case 2:
        case 3: gen_binary(g, type); break;
        case 4:
        case 5: gen_unary(g, type); break;
        case 6:
        case 7: gen_bits(g, type); break;
        case 8: gen_arith2(g, type); break;
        case 9:
        case 10: gen_cond(g, type); break;
        case 11: gen_convert(g); break;
        case 12:
        case 13: gen_memory(g, type); break;
        case 14: gen_call(g); break;
        default:
            if (g->depth < 2) {
                gen_control(g);
            }
            break;
        }
    }
}

static void gen_program(Harness *h, guint32 seed)
{
    Gen g = {.h = h, .s = h->s, .rand = g_rand_new_with_seed(seed)};
    uint64_t pc = 0x1000;
    tcg_gen_insn_start(g.s, &pc);
    for (int i = 0; i < NB_L64; i++) {
        g.l64[i] = tcg_temp_new_i64(g.s);
        tcg_gen_mov(g.s, g.l64[i], h->r[i]);
    }
    for (int i = 0; i < NB_L32; i++) {
        g.l32[i] = tcg_temp_new_i32(g.s);
        tcg_gen_movi(g.s, g.l32[i], rnd_value(&g));
    }
    for (unsigned i = 0; i < NB_STEPS / 10; i++) {
        pc += 4;
        tcg_gen_insn_start(g.s, &pc);
        gen_steps(&g, 10);
    }
    /* Make the locals' final values visible. */
    for (int i = 0; i < NB_L64; i++) {
        tcg_gen_st(g.s, g.l64[i], tcg_env(g.s), offsetof(TestEnv, data) + (64 + i) * 8, MO_64);
    }
    for (int i = 0; i < NB_L32; i++) {
        tcg_gen_st(g.s, g.l32[i], tcg_env(g.s), offsetof(TestEnv, data) + (72 + i) * 8, MO_32);
    }
    tcg_gen_exit_tb(g.s, 0);
    g_rand_free(g.rand);
}

static void init_state(Harness *h, guint32 seed)
{
    GRand *rand = g_rand_new_with_seed(seed ^ 0xabcdef);
    memset(h->env, 0, offsetof(TestEnv, fault));
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        h->env->regs[i] = (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
    }
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        h->env->regs32[i] = g_rand_int(rand);
    }
    for (int i = 0; i < 64; i++) {
        h->env->data[i] = (uint64_t)g_rand_int(rand) << 16;
    }
    for (unsigned i = 0; i < HARNESS_GUEST_SIZE; i++) {
        h->guest[i] = (uint8_t)(i * 7 + seed);
    }
    g_rand_free(rand);
}

static void run_program(Harness *h, guint32 seed)
{
    harness_reset(h);
    init_state(h, seed);
    HarnessTB *tb = harness_begin(h);
    gen_program(h, seed);
    g_assert_true(harness_finish(h, tb));
    g_assert_cmpuint(harness_exec(h, tb), ==, 0);
}

static const HarnessBackend *find_backend(const char *name)
{
    for (unsigned i = 0; i < harness_nb_backends; i++) {
        if (!strcmp(harness_backends[i].name, name)) {
            return &harness_backends[i];
        }
    }
    g_assert_not_reached();
}

static void report_diff(guint32 seed, const TestEnv *a, const TestEnv *b)
{
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        if (a->regs[i] != b->regs[i]) {
            g_test_message("seed %u: r%d interp 0x%" G_GINT64_MODIFIER "x jit 0x%" G_GINT64_MODIFIER
                           "x",
                           seed, i, a->regs[i], b->regs[i]);
        }
    }
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        if (a->regs32[i] != b->regs32[i]) {
            g_test_message("seed %u: w%d interp 0x%x jit 0x%x", seed, i, a->regs32[i],
                           b->regs32[i]);
        }
    }
    for (int i = 0; i < 80; i++) {
        if (a->data[i] != b->data[i]) {
            g_test_message("seed %u: data[%d] interp 0x%" G_GINT64_MODIFIER
                           "x jit 0x%" G_GINT64_MODIFIER "x",
                           seed, i, a->data[i], b->data[i]);
        }
    }
}

void test_x86_differential(void)
{
    Harness *oracle = harness_new(find_backend("interp"));
    Harness *jit = harness_new(&test_x86_jit);
    unsigned failures = 0;
    for (guint32 seed = 1; seed <= NB_PROGRAMS && failures < 5; seed++) {
        run_program(oracle, seed);
        run_program(jit, seed);
        bool same = !memcmp(oracle->env, jit->env, offsetof(TestEnv, fault)) &&
                    !memcmp(oracle->guest, jit->guest, HARNESS_GUEST_SIZE);
        if (!same) {
            report_diff(seed, oracle->env, jit->env);
            g_test_fail_printf("seed %u: the JIT disagrees with the interpreter", seed);
            failures++;
        }
    }
    harness_free(jit);
    harness_free(oracle);
}

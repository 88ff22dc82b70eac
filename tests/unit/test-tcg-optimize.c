/*
 * Unit tests for tcg/optimize.c: every folding rule on constants (i32 wraparound and
 * sign extension, i64), undefined cases left alone, algebraic identities, copy propagation
 * and where it must stop, branch folding, dead and unreachable code; the semantic check
 * on random programs is in test-tcg-optimize-ref.c. The reference evaluator there is
 * itself checked here against the hand-computed fold tables.
 *
 * IR is compared as tcg_dump_ops() text, or op by op where values matter more than text.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/ir.h"
#include "tcg/optimize.h"
#include "tcg/tcg-op.h"
#include "tests/unit/test-tcg-optimize.h"

static void fixture_setup(Fixture *f, gconstpointer data)
{
    static const char *const wnames[NW] = {"w0", "w1", "w2", "w3"};
    static const char *const rnames[NR] = {"r0", "r1", "r2", "r3"};
    TCGGuestMemory mem = {.model = TCG_MEM_USER};

    f->s = tcg_context_new(&mem, 1);
    for (int i = 0; i < NW; i++) {
        int32_t off = (int32_t)(offsetof(TestEnv, w) + i * sizeof(uint32_t));
        f->w[i] = tcg_global_mem_new(f->s, I32, off, wnames[i]);
    }
    for (int i = 0; i < NR; i++) {
        int32_t off = (int32_t)(offsetof(TestEnv, r) + i * sizeof(uint64_t));
        f->r[i] = tcg_global_mem_new(f->s, I64, off, rnames[i]);
    }
    tcg_func_start(f->s, NULL);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    tcg_context_free(f->s);
}

TCGv glob(Fixture *f, TCGType type, int i)
{
    return type == I32 ? f->w[i] : f->r[i];
}

int32_t scratch_off(int i)
{
    return (int32_t)(offsetof(TestEnv, scratch) + i * sizeof(uint64_t));
}

char *ir_text(TCGContext *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    g_assert_nonnull(out);
    tcg_dump_ops(s, out);
    fclose(out);
    return buf;
}

static void expect_optimized(Fixture *f, const char *want)
{
    tcg_optimize(f->s);
    char *got = ir_text(f->s);
    g_assert_cmpstr(got, ==, want);
    free(got);
}

unsigned count_ops(TCGContext *s)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        n += s->ops[i].opc != TCG_OP_NOP;
    }
    return n;
}

/* The i-th op that is not a nop. */
static const TCGOp *live_op(TCGContext *s, unsigned i)
{
    for (uint32_t j = 0; j < s->nb_ops; j++) {
        if (s->ops[j].opc != TCG_OP_NOP && i-- == 0) {
            return &s->ops[j];
        }
    }
    g_assert_not_reached();
}

/* The op is "mov dst, $want", with want in its type's sign-extended form. */
static void assert_mov_const(TCGContext *s, const TCGOp *op, TCGv dst, int64_t want)
{
    g_assert_cmpint(op->opc, ==, TCG_OP_MOV);
    g_assert_cmpuint(op->args[0], ==, dst.idx);
    const TCGTemp *src = tcg_temp(s, op->args[1]);
    g_assert_cmpint(src->kind, ==, TEMP_CONST);
    g_assert_cmpint(src->type, ==, op->type);
    g_assert_cmpint(src->val, ==, op->type == I32 ? (int32_t)want : want);
}

/* The evaluator's result in w0 or r0 must be the table's expected value. */
static void check_evaluator(Fixture *f, TCGType type, int64_t want)
{
    TestEnv env = {0};
    run_tb(f->s, &env);
    if (type == I32) {
        g_assert_cmphex(env.w[0], ==, (uint32_t)want);
    } else {
        g_assert_cmphex(env.r[0], ==, (uint64_t)want);
    }
}

/* Folding with constant inputs: "op r0, $a, $b" becomes "mov r0, $want". */

typedef struct Fold2Case {
    const char *name;
    TCGType type;
    Gen2 gen;
    int64_t a, b, want;
} Fold2Case;

static const Fold2Case fold2_cases[] = {
    {"add-i32-wrap", I32, tcg_gen_add, INT32_MAX, 1, INT32_MIN},
    {"add-i32-carry-out", I32, tcg_gen_add, -1, 2, 1},
    {"add-i64-wrap", I64, tcg_gen_add, INT64_MAX, 1, INT64_MIN},
    {"sub-i32", I32, tcg_gen_sub, 0, 1, -1},
    {"sub-i32-wrap", I32, tcg_gen_sub, INT32_MIN, 1, INT32_MAX},
    {"sub-i64-wrap", I64, tcg_gen_sub, INT64_MIN, 1, INT64_MAX},
    {"mul-i32-wrap", I32, tcg_gen_mul, 0x10000, 0x10000, 0},
    {"mul-i32-sign", I32, tcg_gen_mul, 0xffff, 0xffff, (int32_t)0xfffe0001},
    {"mul-i64", I64, tcg_gen_mul, 0x100000001, 0x100000001, 0x200000001},
    {"and-i32", I32, tcg_gen_and, 0xf0f0, 0xff00, 0xf000},
    {"or-i64", I64, tcg_gen_or, 0xf0f0, 0x0f0f00000000, 0x0f0f0000f0f0},
    {"xor-i32-sign", I32, tcg_gen_xor, 0x7fffffff, -1, INT32_MIN},
    {"andc-i32", I32, tcg_gen_andc, -1, 0xff, (int32_t)0xffffff00},
    {"orc-i32", I32, tcg_gen_orc, 0, 0xff, (int32_t)0xffffff00},
    {"orc-i64", I64, tcg_gen_orc, 0, 0xffffffff, (int64_t)0xffffffff00000000},
    {"shl-i32-into-sign", I32, tcg_gen_shl, 1, 31, INT32_MIN},
    {"shl-i32-out", I32, tcg_gen_shl, 0x80000001, 1, 2},
    {"shl-i64", I64, tcg_gen_shl, 1, 63, INT64_MIN},
    {"shr-i32-zext", I32, tcg_gen_shr, INT32_MIN, 31, 1},
    {"shr-i32-neg", I32, tcg_gen_shr, -1, 4, 0x0fffffff},
    {"shr-i64", I64, tcg_gen_shr, -1, 63, 1},
    {"sar-i32", I32, tcg_gen_sar, INT32_MIN, 31, -1},
    {"sar-i32-positive", I32, tcg_gen_sar, 0x7fffffff, 30, 1},
    {"sar-i64", I64, tcg_gen_sar, INT64_MIN, 62, -2},
    {"rotl-i32", I32, tcg_gen_rotl, (int32_t)0x80000001, 1, 3},
    {"rotl-i32-count-mod-32", I32, tcg_gen_rotl, 1, 33, 2},
    {"rotl-i32-negative-count", I32, tcg_gen_rotl, 1, -1, INT32_MIN},
    {"rotr-i32", I32, tcg_gen_rotr, 1, 1, INT32_MIN},
    {"rotl-i64", I64, tcg_gen_rotl, (int64_t)0x8000000000000001, 4, 0x18},
    {"rotr-i64", I64, tcg_gen_rotr, 1, 1, INT64_MIN},
    {"rotr-i64-count-mod-64", I64, tcg_gen_rotr, 0x10, 68, 1},
    {"divs-i32", I32, tcg_gen_div, -7, 2, -3},
    {"divs-i32-min-by-2", I32, tcg_gen_div, INT32_MIN, 2, -0x40000000},
    {"divs-i64", I64, tcg_gen_div, INT64_MIN, 2, INT64_MIN / 2},
    {"rems-i32", I32, tcg_gen_rem, -7, 2, -1},
    {"rems-i64", I64, tcg_gen_rem, 7, -2, 1},
    {"divu-i32", I32, tcg_gen_divu, -2, 2, INT32_MAX},
    {"divu-i64", I64, tcg_gen_divu, -2, 2, INT64_MAX},
    {"remu-i32", I32, tcg_gen_remu, -1, 10, 5},
    {"remu-i64", I64, tcg_gen_remu, -1, 10, 5},
    {"clz-i32", I32, tcg_gen_clz, 1, 99, 31},
    {"clz-i32-negative", I32, tcg_gen_clz, -1, 99, 0},
    {"clz-i64", I64, tcg_gen_clz, 1, 99, 63},
    {"clz-i32-zero", I32, tcg_gen_clz, 0, 99, 99},
    {"ctz-i32", I32, tcg_gen_ctz, INT32_MIN, 99, 31},
    {"ctz-i64", I64, tcg_gen_ctz, INT64_MIN, 99, 63},
    {"ctz-i64-zero", I64, tcg_gen_ctz, 0, 64, 64},
};

static void test_fold2(Fixture *f, gconstpointer data)
{
    const Fold2Case *c = data;
    TCGContext *s = f->s;
    TCGv dst = glob(f, c->type, 0);
    c->gen(s, dst, tcg_constant(s, c->type, c->a), tcg_constant(s, c->type, c->b));
    check_evaluator(f, c->type, c->want);
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 1);
    assert_mov_const(s, live_op(s, 0), dst, c->want);
}

typedef struct Fold1Case {
    const char *name;
    TCGType type, in_type;
    Gen1 gen;
    int64_t a, want;
} Fold1Case;

static const Fold1Case fold1_cases[] = {
    {"neg-i32-min", I32, I32, tcg_gen_neg, INT32_MIN, INT32_MIN},
    {"neg-i64", I64, I64, tcg_gen_neg, 1, -1},
    {"not-i32", I32, I32, tcg_gen_not, 0, -1},
    {"not-i64", I64, I64, tcg_gen_not, 0xffffffff, (int64_t)0xffffffff00000000},
    {"ext8s-i32", I32, I32, tcg_gen_ext8s, 0x80, -128},
    {"ext8u-i32", I32, I32, tcg_gen_ext8u, -1, 0xff},
    {"ext16s-i64", I64, I64, tcg_gen_ext16s, 0x18000, -32768},
    {"ext16u-i64", I64, I64, tcg_gen_ext16u, -1, 0xffff},
    {"ext32s-i64", I64, I64, tcg_gen_ext32s, 0x180000000, INT32_MIN},
    {"ext32u-i64", I64, I64, tcg_gen_ext32u, -1, 0xffffffff},
    {"exts-i32-i64", I64, I32, tcg_gen_exts_i32_i64, -1, -1},
    {"extu-i32-i64", I64, I32, tcg_gen_extu_i32_i64, -1, 0xffffffff},
    {"extrl-i64-i32", I32, I64, tcg_gen_extrl_i64_i32, 0x123456789abcdef0, (int32_t)0x9abcdef0},
    {"extrh-i64-i32", I32, I64, tcg_gen_extrh_i64_i32, 0x123456789abcdef0, 0x12345678},
    {"extrh-i64-i32-sign", I32, I64, tcg_gen_extrh_i64_i32, -1, -1},
    {"bswap16-i32", I32, I32, tcg_gen_bswap16, 0x12345678, 0x7856},
    {"bswap16-i32-zext", I32, I32, tcg_gen_bswap16, 0x80, 0x8000},
    {"bswap16-i64", I64, I64, tcg_gen_bswap16, -1, 0xffff},
    {"bswap32-i32", I32, I32, tcg_gen_bswap32, 0x12345678, 0x78563412},
    {"bswap32-i32-sign", I32, I32, tcg_gen_bswap32, 0xff, (int32_t)0xff000000},
    {"bswap32-i64-zext", I64, I64, tcg_gen_bswap32, 0x1122334455667788, 0x88776655},
    {"bswap64", I64, I64, tcg_gen_bswap64, 0x0102030405060708, 0x0807060504030201},
    {"ctpop-i32", I32, I32, tcg_gen_ctpop, -1, 32},
    {"ctpop-i32-sign", I32, I32, tcg_gen_ctpop, (int32_t)0xff00ff00, 16},
    {"ctpop-i64", I64, I64, tcg_gen_ctpop, -1, 64},
};

static void test_fold1(Fixture *f, gconstpointer data)
{
    const Fold1Case *c = data;
    TCGContext *s = f->s;
    TCGv dst = glob(f, c->type, 0);
    c->gen(s, dst, tcg_constant(s, c->in_type, c->a));
    check_evaluator(f, c->type, c->want);
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 1);
    assert_mov_const(s, live_op(s, 0), dst, c->want);
}

typedef struct CondCase {
    const char *name;
    TCGType type;
    bool neg;
    TCGCond cond;
    int64_t a, b, want;
} CondCase;

static const CondCase cond_cases[] = {
    {"lt-i32", I32, false, TCG_COND_LT, -1, 0, 1},
    {"ltu-i32", I32, false, TCG_COND_LTU, -1, 0, 0},
    {"lt-i32-min", I32, false, TCG_COND_LT, INT32_MIN, 1, 1},
    {"gtu-i32-min", I32, false, TCG_COND_GTU, INT32_MIN, 1, 1},
    {"lt-i64", I64, false, TCG_COND_LT, INT64_MIN, 0, 1},
    {"ltu-i64", I64, false, TCG_COND_LTU, -1, 0, 0},
    {"lt-i64-not-i32", I64, false, TCG_COND_LT, 0x80000000, 0, 0},
    {"eq", I32, false, TCG_COND_EQ, 5, 5, 1},
    {"ne", I64, false, TCG_COND_NE, 5, 5, 0},
    {"le", I32, false, TCG_COND_LE, -5, -5, 1},
    {"ge", I64, false, TCG_COND_GE, -6, -5, 0},
    {"gt", I32, false, TCG_COND_GT, 0, -1, 1},
    {"leu", I64, false, TCG_COND_LEU, 1, -1, 1},
    {"geu", I32, false, TCG_COND_GEU, 1, -1, 0},
    {"tsteq", I32, false, TCG_COND_TSTEQ, 0xf0, 0x0f, 1},
    {"tstne", I64, false, TCG_COND_TSTNE, 0xf0, 0x0f, 0},
    {"tstne-i64-high", I64, false, TCG_COND_TSTNE, 1ll << 40, 1ll << 40, 1},
    {"never", I32, false, TCG_COND_NEVER, 0, 0, 0},
    {"always", I64, false, TCG_COND_ALWAYS, 1, 2, 1},
    {"negsetcond-eq-i32", I32, true, TCG_COND_EQ, 3, 3, -1},
    {"negsetcond-eq-i64", I64, true, TCG_COND_EQ, 3, 3, -1},
    {"negsetcond-ne", I32, true, TCG_COND_NE, 3, 3, 0},
};

static void test_fold_cond(Fixture *f, gconstpointer data)
{
    const CondCase *c = data;
    TCGContext *s = f->s;
    TCGv dst = glob(f, c->type, 0);
    TCGv a = tcg_constant(s, c->type, c->a), b = tcg_constant(s, c->type, c->b);
    if (c->neg) {
        tcg_gen_negsetcond(s, c->cond, dst, a, b);
    } else {
        tcg_gen_setcond(s, c->cond, dst, a, b);
    }
    check_evaluator(f, c->type, c->want);
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 1);
    assert_mov_const(s, live_op(s, 0), dst, c->want);
}

typedef struct FieldCase {
    const char *name;
    TCGType type;
    TCGOpcode opc;
    int64_t a, b;
    unsigned pos, len;
    int64_t want;
} FieldCase;

static const FieldCase field_cases[] = {
    {"extract-i32", I32, TCG_OP_EXTRACT, 0xf0, 0, 4, 4, 0xf},
    {"extract-i32-top-bit", I32, TCG_OP_EXTRACT, INT32_MIN, 0, 31, 1, 1},
    {"extract-i32-high-half", I32, TCG_OP_EXTRACT, -1, 0, 16, 16, 0xffff},
    {"extract-i64", I64, TCG_OP_EXTRACT, INT64_MIN, 0, 32, 32, 0x80000000},
    {"sextract-i32", I32, TCG_OP_SEXTRACT, 0xf0, 0, 4, 4, -1},
    {"sextract-i32-31-bits", I32, TCG_OP_SEXTRACT, 0x40000000, 0, 0, 31, -0x40000000},
    {"sextract-i32-positive", I32, TCG_OP_SEXTRACT, 0x70, 0, 4, 4, 7},
    {"sextract-i64", I64, TCG_OP_SEXTRACT, INT64_MIN, 0, 60, 4, -8},
    {"deposit-i32", I32, TCG_OP_DEPOSIT, -1, 0, 8, 8, (int32_t)0xffff00ff},
    {"deposit-i32-field-masked", I32, TCG_OP_DEPOSIT, 0, 0x1ff, 0, 8, 0xff},
    {"deposit-i32-top", I32, TCG_OP_DEPOSIT, 0, 1, 31, 1, INT32_MIN},
    {"deposit-i64", I64, TCG_OP_DEPOSIT, 0, -1, 32, 32, (int64_t)0xffffffff00000000},
};

static void test_fold_field(Fixture *f, gconstpointer data)
{
    const FieldCase *c = data;
    TCGContext *s = f->s;
    TCGv dst = glob(f, c->type, 0);
    TCGv a = tcg_constant(s, c->type, c->a), b = tcg_constant(s, c->type, c->b);
    if (c->opc == TCG_OP_DEPOSIT) {
        tcg_gen_deposit(s, dst, a, b, c->pos, c->len);
    } else if (c->opc == TCG_OP_EXTRACT) {
        tcg_gen_extract(s, dst, a, c->pos, c->len);
    } else {
        tcg_gen_sextract(s, dst, a, c->pos, c->len);
    }
    check_evaluator(f, c->type, c->want);
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 1);
    assert_mov_const(s, live_op(s, 0), dst, c->want);
}

typedef struct Mul2Case {
    const char *name;
    TCGType type;
    bool is_signed;
    int64_t a, b, lo, hi;
} Mul2Case;

static const Mul2Case mul2_cases[] = {
    {"mulu2-i32", I32, false, -1, -1, 1, -2},
    {"muls2-i32", I32, true, -1, -1, 1, 0},
    {"muls2-i32-min", I32, true, INT32_MIN, 2, 0, -1},
    {"mulu2-i64", I64, false, -1, -1, 1, -2},
    {"mulu2-i64-carry", I64, false, 1ll << 32, 1ll << 32, 0, 1},
    {"muls2-i64-min", I64, true, INT64_MIN, 2, 0, -1},
    {"muls2-i64-negative", I64, true, -3, 5, -15, -1},
};

/* Both halves known: two movs, the second one inserted by the optimizer. */
static void test_fold_mul2(Fixture *f, gconstpointer data)
{
    const Mul2Case *c = data;
    TCGContext *s = f->s;
    TCGv lo = glob(f, c->type, 0), hi = glob(f, c->type, 1);
    TCGv a = tcg_constant(s, c->type, c->a), b = tcg_constant(s, c->type, c->b);
    (c->is_signed ? tcg_gen_muls2 : tcg_gen_mulu2)(s, lo, hi, a, b);
    tcg_gen_mov(s, glob(f, c->type, 2), hi); /* reads the inserted mov's result */
    TestEnv env = {0};
    run_tb(s, &env);
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 3);
    assert_mov_const(s, live_op(s, 0), lo, c->lo);
    assert_mov_const(s, live_op(s, 1), hi, c->hi);
    assert_mov_const(s, live_op(s, 2), glob(f, c->type, 2), c->hi);
    if (c->type == I32) {
        g_assert_cmphex(env.w[0], ==, (uint32_t)c->lo);
        g_assert_cmphex(env.w[1], ==, (uint32_t)c->hi);
    } else {
        g_assert_cmphex(env.r[0], ==, (uint64_t)c->lo);
        g_assert_cmphex(env.r[1], ==, (uint64_t)c->hi);
    }
}

/* The op inserted for the high half grows a full op array, in its middle. */
static void test_fold_mul2_grows_ops(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv c = tcg_constant_i64(s, -1);
    tcg_gen_mov(s, f->r[0], f->r[1]);
    while (s->nb_ops < s->ops_cap - 2) {
        tcg_gen_insn_start(s, (const uint64_t[]){s->nb_ops});
    }
    tcg_gen_mulu2(s, f->r[0], f->r[1], c, c);
    tcg_gen_mov(s, f->r[2], f->r[1]);
    g_assert_cmpuint(s->nb_ops, ==, s->ops_cap);
    uint32_t n = s->nb_ops;
    tcg_optimize(s);
    g_assert_cmpuint(s->nb_ops, ==, n + 1);
    g_assert_cmpint(s->ops[0].opc, ==, TCG_OP_NOP); /* r0's first value is dead */
    assert_mov_const(s, &s->ops[n - 2], f->r[0], 1);
    assert_mov_const(s, &s->ops[n - 1], f->r[1], -2);
    assert_mov_const(s, &s->ops[n], f->r[2], -2);
}

/* Undefined cases keep their op: the backend decides what happens. */

typedef struct UndefCase {
    const char *name;
    TCGType type;
    Gen2 gen;
    int64_t a, b;
} UndefCase;

static const UndefCase undef_cases[] = {
    {"divs-i32-by-zero", I32, tcg_gen_div, 5, 0},
    {"divs-i32-min-by-minus-1", I32, tcg_gen_div, INT32_MIN, -1},
    {"rems-i32-min-by-minus-1", I32, tcg_gen_rem, INT32_MIN, -1},
    {"divs-i64-min-by-minus-1", I64, tcg_gen_div, INT64_MIN, -1},
    {"rems-i64-min-by-minus-1", I64, tcg_gen_rem, INT64_MIN, -1},
    {"rems-i64-by-zero", I64, tcg_gen_rem, 5, 0},
    {"divu-i32-by-zero", I32, tcg_gen_divu, 5, 0},
    {"remu-i64-by-zero", I64, tcg_gen_remu, 5, 0},
    {"shl-i32-by-32", I32, tcg_gen_shl, 1, 32},
    {"shr-i32-by-minus-1", I32, tcg_gen_shr, 1, -1},
    {"sar-i32-by-min", I32, tcg_gen_sar, -1, INT32_MIN},
    {"shl-i64-by-64", I64, tcg_gen_shl, 1, 64},
    {"shr-i64-by-minus-1", I64, tcg_gen_shr, 1, -1},
    {"sar-i64-by-2-pow-32", I64, tcg_gen_sar, -1, 1ll << 32},
};

static void test_no_fold_undefined(Fixture *f, gconstpointer data)
{
    const UndefCase *c = data;
    TCGContext *s = f->s;
    c->gen(s, glob(f, c->type, 0), tcg_constant(s, c->type, c->a), tcg_constant(s, c->type, c->b));
    TCGOp before = s->ops[0];
    tcg_optimize(s);
    g_assert_cmpuint(count_ops(s), ==, 1);
    g_assert_cmpmem(live_op(s, 0), sizeof(TCGOp), &before, sizeof(TCGOp));
}

/* Algebraic identities on x = w1/r1 and y = w2/r2, into w0/r0. */

typedef struct Operand {
    char kind; /* 'x', 'y' or 'c' for a constant */
    int64_t val;
} Operand;

#define X      \
    {          \
        'x', 0 \
    }
#define Y      \
    {          \
        'y', 0 \
    }
#define C(v)     \
    {            \
        'c', (v) \
    }

typedef struct IdentityCase {
    const char *name;
    TCGType type;
    Gen2 gen;
    Operand a, b;
    const char *want;
} IdentityCase;

#define MOV_X " mov_i32 w0, w1\n"
#define MOV_0 " mov_i32 w0, $0x0\n"
#define MOV_M " mov_i32 w0, $0xffffffffffffffff\n"

static const IdentityCase identity_cases[] = {
    {"add-x-0", I32, tcg_gen_add, X, C(0), MOV_X},
    {"add-0-x", I32, tcg_gen_add, C(0), X, MOV_X},
    {"add-i64-x-0", I64, tcg_gen_add, X, C(0), " mov_i64 r0, r1\n"},
    {"sub-x-0", I32, tcg_gen_sub, X, C(0), MOV_X},
    {"sub-x-x", I32, tcg_gen_sub, X, X, MOV_0},
    {"sub-0-x", I32, tcg_gen_sub, C(0), X, " neg_i32 w0, w1\n"},
    {"mul-x-1", I32, tcg_gen_mul, X, C(1), MOV_X},
    {"mul-1-x", I32, tcg_gen_mul, C(1), X, MOV_X},
    {"mul-x-0", I32, tcg_gen_mul, X, C(0), MOV_0},
    {"mul-0-x", I32, tcg_gen_mul, C(0), X, MOV_0},
    {"divs-x-1", I32, tcg_gen_div, X, C(1), MOV_X},
    {"divu-x-1", I32, tcg_gen_divu, X, C(1), MOV_X},
    {"rems-x-1", I32, tcg_gen_rem, X, C(1), MOV_0},
    {"remu-x-1", I32, tcg_gen_remu, X, C(1), MOV_0},
    {"and-x-0", I32, tcg_gen_and, X, C(0), MOV_0},
    {"and-0-x", I32, tcg_gen_and, C(0), X, MOV_0},
    {"and-x-m1", I32, tcg_gen_and, X, C(-1), MOV_X},
    {"and-m1-x", I32, tcg_gen_and, C(-1), X, MOV_X},
    {"and-x-x", I32, tcg_gen_and, X, X, MOV_X},
    {"and-i32-x-ffffffff", I32, tcg_gen_and, X, C(0xffffffff), MOV_X},
    {"and-i64-x-ffffffff-kept", I64, tcg_gen_and, X, C(0xffffffff),
     " and_i64 r0, r1, $0xffffffff\n"},
    {"or-x-0", I32, tcg_gen_or, X, C(0), MOV_X},
    {"or-0-x", I32, tcg_gen_or, C(0), X, MOV_X},
    {"or-x-m1", I32, tcg_gen_or, X, C(-1), MOV_M},
    {"or-x-x", I32, tcg_gen_or, X, X, MOV_X},
    {"xor-x-0", I32, tcg_gen_xor, X, C(0), MOV_X},
    {"xor-x-x", I32, tcg_gen_xor, X, X, MOV_0},
    {"xor-x-m1", I32, tcg_gen_xor, X, C(-1), " not_i32 w0, w1\n"},
    {"xor-m1-x", I32, tcg_gen_xor, C(-1), X, " not_i32 w0, w1\n"},
    {"andc-x-0", I32, tcg_gen_andc, X, C(0), MOV_X},
    {"andc-x-x", I32, tcg_gen_andc, X, X, MOV_0},
    {"andc-0-x", I32, tcg_gen_andc, C(0), X, MOV_0},
    {"andc-x-m1", I32, tcg_gen_andc, X, C(-1), MOV_0},
    {"orc-x-m1", I32, tcg_gen_orc, X, C(-1), MOV_X},
    {"orc-x-x", I32, tcg_gen_orc, X, X, MOV_M},
    {"orc-x-0", I32, tcg_gen_orc, X, C(0), MOV_M},
    {"orc-m1-x", I32, tcg_gen_orc, C(-1), X, MOV_M},
    {"shl-x-0", I32, tcg_gen_shl, X, C(0), MOV_X},
    {"shr-x-0", I32, tcg_gen_shr, X, C(0), MOV_X},
    {"sar-i64-x-0", I64, tcg_gen_sar, X, C(0), " mov_i64 r0, r1\n"},
    {"rotl-x-0", I32, tcg_gen_rotl, X, C(0), MOV_X},
    {"rotl-x-32", I32, tcg_gen_rotl, X, C(32), MOV_X},
    {"rotr-i64-x-64", I64, tcg_gen_rotr, X, C(64), " mov_i64 r0, r1\n"},
    {"rotl-0-y", I32, tcg_gen_rotl, C(0), Y, MOV_0},
    {"rotr-m1-y", I32, tcg_gen_rotr, C(-1), Y, MOV_M},
    {"clz-0-y", I32, tcg_gen_clz, C(0), Y, " mov_i32 w0, w2\n"},
    {"ctz-i64-0-y", I64, tcg_gen_ctz, C(0), Y, " mov_i64 r0, r2\n"},
    {"sub-x-y-kept", I32, tcg_gen_sub, X, Y, " sub_i32 w0, w1, w2\n"},
    {"shl-x-y-kept", I32, tcg_gen_shl, X, Y, " shl_i32 w0, w1, w2\n"},
    {"shl-0-y-kept", I32, tcg_gen_shl, C(0), Y, " shl_i32 w0, $0x0, w2\n"},
    {"clz-x-0-kept", I32, tcg_gen_clz, X, C(0), " clz_i32 w0, w1, $0x0\n"},
};

static TCGv operand(Fixture *f, TCGType type, Operand o)
{
    switch (o.kind) {
    case 'x': return glob(f, type, 1);
    case 'y': return glob(f, type, 2);
    default: return tcg_constant(f->s, type, o.val);
    }
}

static void test_identity(Fixture *f, gconstpointer data)
{
    const IdentityCase *c = data;
    c->gen(f->s, glob(f, c->type, 0), operand(f, c->type, c->a), operand(f, c->type, c->b));
    expect_optimized(f, c->want);
}

static void test_bit_fields_full_width(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    tcg_gen_extract(s, f->w[0], f->w[1], 0, 32);
    tcg_gen_sextract(s, f->r[0], f->r[1], 0, 64);
    tcg_gen_deposit(s, f->w[2], f->w[1], f->w[3], 0, 32);
    tcg_gen_extract(s, f->w[3], f->w[1], 0, 31); /* not full width */
    expect_optimized(f, " mov_i32 w0, w1\n"
                        " mov_i64 r0, r1\n"
                        " mov_i32 w2, w3\n"
                        " extract_i32 w3, w1, 0x0, 0x1f\n");
}

static void test_movcond(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv one = tcg_constant_i32(s, 1), two = tcg_constant_i32(s, 2);
    tcg_gen_movcond(s, TCG_COND_EQ, f->w[0], f->w[1], f->w[2], f->w[3], f->w[3]);
    tcg_gen_movcond(s, TCG_COND_LT, f->w[0], one, two, f->w[1], f->w[2]);
    tcg_gen_movcond(s, TCG_COND_GTU, f->w[0], one, two, f->w[1], f->w[2]);
    tcg_gen_movcond(s, TCG_COND_GE, f->w[0], f->w[3], f->w[3], f->w[1], f->w[2]);
    tcg_gen_movcond(s, TCG_COND_TSTEQ, f->w[0], f->w[3], f->w[3], f->w[1], f->w[2]);
    /* Each write of w0 but the last is dead. */
    expect_optimized(f, " movcond_i32 w0, w3, w3, w1, w2, tsteq\n");
}

static void test_movcond_each(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv one = tcg_constant_i32(s, 1), two = tcg_constant_i32(s, 2);
    tcg_gen_movcond(s, TCG_COND_EQ, f->w[0], f->w[1], f->w[2], f->w[3], f->w[3]);
    tcg_gen_movcond(s, TCG_COND_LT, f->w[1], one, two, f->w[2], f->w[3]);
    tcg_gen_movcond(s, TCG_COND_GTU, f->w[2], one, two, f->w[0], f->w[3]);
    tcg_gen_movcond(s, TCG_COND_GE, f->r[0], f->r[3], f->r[3], f->r[1], f->r[2]);
    /* Copies propagate: w2 = w0 = w3 as of the first op. */
    expect_optimized(f, " mov_i32 w0, w3\n"
                        " mov_i32 w1, w2\n"
                        " mov_i32 w2, w3\n"
                        " mov_i64 r0, r1\n");
}

static void test_setcond_same_operands(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    tcg_gen_setcond(s, TCG_COND_EQ, f->w[0], f->w[1], f->w[1]);
    tcg_gen_setcond(s, TCG_COND_LTU, f->w[2], f->w[1], f->w[1]);
    tcg_gen_negsetcond(s, TCG_COND_GE, f->r[0], f->r[1], f->r[1]);
    tcg_gen_setcond(s, TCG_COND_TSTNE, f->w[3], f->w[1], f->w[1]);
    tcg_gen_setcond(s, TCG_COND_LT, f->r[1], f->r[2], f->r[2]);
    tcg_gen_setcond(s, TCG_COND_GT, f->r[2], f->r[3], f->r[3]);
    expect_optimized(f, " mov_i32 w0, $0x1\n"
                        " mov_i32 w2, $0x0\n"
                        " mov_i64 r0, $0xffffffffffffffff\n"
                        " setcond_i32 w3, w1, w1, tstne\n"
                        " mov_i64 r1, $0x0\n"
                        " mov_i64 r2, $0x0\n");
}

/* Copy propagation. */

static void test_copy_chain(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s), t2 = tcg_temp_new_i32(s);
    tcg_gen_mov(s, t0, f->w[1]);
    tcg_gen_mov(s, t1, t0);
    tcg_gen_mov(s, t2, t1);
    tcg_gen_add(s, f->w[0], t2, f->w[2]);
    expect_optimized(f, " add_i32 w0, w1, w2\n");
}

static void test_copy_constant(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s);
    tcg_gen_movi(s, t0, 5);
    tcg_gen_addi(s, t1, t0, 3);
    tcg_gen_shli(s, f->w[0], t1, 29); /* 8 << 29 wraps to 0 in i32 */
    tcg_gen_sub(s, f->w[1], t1, t0);
    expect_optimized(f, " mov_i32 w0, $0x0\n"
                        " mov_i32 w1, $0x3\n");
}

/* The source of a mov, not its copy, is read afterwards: the copies' movs die. */
static void test_copy_prefers_oldest(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s), t2 = tcg_temp_new_i32(s);
    tcg_gen_add(s, t0, f->w[1], f->w[2]);
    tcg_gen_mov(s, t1, t0);
    tcg_gen_mov(s, t2, t1);
    tcg_gen_mul(s, f->w[0], t2, t1);
    expect_optimized(f, " add_i32 tmp0, w1, w2\n"
                        " mul_i32 w0, tmp0, tmp0\n");
}

static void test_copy_prefers_global(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s);
    tcg_gen_add(s, t0, f->w[1], f->w[2]);
    tcg_gen_mov(s, f->w[0], t0);
    tcg_gen_xor(s, f->w[3], t0, f->w[0]);
    tcg_gen_mov(s, f->w[1], t0);
    expect_optimized(f, " add_i32 tmp0, w1, w2\n"
                        " mov_i32 w0, tmp0\n"
                        " mov_i32 w3, $0x0\n"
                        " mov_i32 w1, w0\n");
}

static void test_copy_broken_by_write(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s);
    tcg_gen_mov(s, t0, f->w[1]);
    tcg_gen_addi(s, f->w[1], f->w[1], 1);
    tcg_gen_mov(s, f->w[0], t0);
    expect_optimized(f, " mov_i32 tmp0, w1\n"
                        " add_i32 w1, w1, $0x1\n"
                        " mov_i32 w0, tmp0\n");
}

static void test_redundant_mov(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i64(s);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_mov(s, f->w[1], f->w[0]);
    tcg_gen_mov(s, t0, f->r[1]);
    tcg_gen_mov(s, f->r[1], t0);
    expect_optimized(f, " mov_i32 w0, w1\n");
}

/* A width conversion reads the i64 copy; its i32 result is no copy of anything. */
static void test_copy_through_conversion(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t64 = tcg_temp_new_i64(s), t32 = tcg_temp_new_i32(s);
    tcg_gen_mov(s, t64, f->r[1]);
    tcg_gen_extrl_i64_i32(s, t32, t64);
    tcg_gen_add(s, f->w[0], t32, t32);
    tcg_gen_extu_i32_i64(s, f->r[0], t32);
    expect_optimized(f, " extrl_i64_i32_i32 tmp1, r1\n"
                        " add_i32 w0, tmp1, tmp1\n"
                        " extu_i32_i64_i64 r0, tmp1\n");
}

static void test_copies_stop_at_label(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_brcondi(s, TCG_COND_NE, f->w[2], 0, l);
    tcg_gen_movi(s, f->w[0], 5);
    tcg_gen_set_label(s, l);
    tcg_gen_addi(s, f->w[1], f->w[0], 1);
    expect_optimized(f, " brcond_i32 w2, $0x0, ne, $L0\n"
                        " mov_i32 w0, $0x5\n"
                        "set_label $L0\n"
                        " add_i32 w1, w0, $0x1\n");
}

/* The fall-through of a brcond is reached from the brcond only. */
static void test_copies_survive_brcond(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_movi(s, f->w[0], 5);
    tcg_gen_brcondi(s, TCG_COND_NE, f->w[2], 0, l);
    tcg_gen_addi(s, f->w[1], f->w[0], 1);
    tcg_gen_set_label(s, l);
    expect_optimized(f, " mov_i32 w0, $0x5\n"
                        " brcond_i32 w2, $0x0, ne, $L0\n"
                        " mov_i32 w1, $0x6\n"
                        "set_label $L0\n");
}

/* A label whose only branch folded away joins the blocks around it. */
static void test_copies_survive_unreferenced_label(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_movi(s, f->w[0], 5);
    tcg_gen_brcond(s, TCG_COND_GT, tcg_constant_i32(s, 1), tcg_constant_i32(s, 2), l);
    tcg_gen_set_label(s, l);
    tcg_gen_addi(s, f->w[1], f->w[0], 1);
    expect_optimized(f, " mov_i32 w0, $0x5\n"
                        " mov_i32 w1, $0x6\n");
}

static void test_call_writing_globals_stops_copies(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s);
    TCGv args[] = {tcg_env(s), f->r[1]};
    tcg_gen_movi(s, f->w[0], 5);
    tcg_gen_mov(s, t0, f->w[2]);
    tcg_gen_call(s, &info_poke, NULL, args);
    tcg_gen_addi(s, f->w[1], f->w[0], 1);
    tcg_gen_mov(s, f->w[3], t0);
    expect_optimized(f, " mov_i32 w0, $0x5\n"
                        " mov_i32 tmp0, w2\n"
                        " call_i64 env, r1 <- poke\n"
                        " add_i32 w1, w0, $0x1\n"
                        " mov_i32 w3, tmp0\n");
}

static void test_call_not_writing_globals_keeps_copies(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv env = tcg_env(s);
    tcg_gen_movi(s, f->w[0], 5);
    tcg_gen_mov(s, f->r[0], f->r[1]);
    tcg_gen_call(s, &info_peek, &f->r[3], &env);
    tcg_gen_addi(s, f->w[1], f->w[0], 1);
    tcg_gen_mov(s, f->r[2], f->r[0]);
    expect_optimized(f, " mov_i32 w0, $0x5\n"
                        " mov_i64 r0, r1\n"
                        " call_i64 r3, env <- peek\n"
                        " mov_i32 w1, $0x6\n"
                        " mov_i64 r2, r1\n");
}

void emit_discard(TCGContext *s, TCGv t)
{
    tcg_emit_op(s, TCG_OP_DISCARD, tcg_type_of(s, t))->args[0] = t.idx;
}

static void test_discard_ends_copy(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s);
    tcg_gen_add(s, t0, f->w[1], f->w[2]);
    tcg_gen_mov(s, t1, t0);
    emit_discard(s, t0);
    tcg_gen_add(s, f->w[0], t1, t1);
    expect_optimized(f, " add_i32 tmp0, w1, w2\n"
                        " mov_i32 tmp1, tmp0\n"
                        " discard_i32 tmp0\n"
                        " add_i32 w0, tmp1, tmp1\n");
}

/* Branches and unreachable code. */

static void test_brcond_taken(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_brcond(s, TCG_COND_LT, tcg_constant_i32(s, 1), tcg_constant_i32(s, 2), l);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_set_label(s, l);
    tcg_gen_mov(s, f->w[2], f->w[3]);
    expect_optimized(f, " br_i64 $L0\n"
                        "set_label $L0\n"
                        " mov_i32 w2, w3\n");
}

static void test_brcond_not_taken(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_brcond(s, TCG_COND_LT, tcg_constant_i64(s, 2), tcg_constant_i64(s, 1), l);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_set_label(s, l);
    tcg_gen_mov(s, f->w[2], f->w[3]);
    expect_optimized(f, " mov_i32 w0, w1\n"
                        " mov_i32 w2, w3\n");
}

/* Unreachable code goes on past a label that no remaining branch targets. */
static void test_brcond_same_operands(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l0 = tcg_new_label(s), *l1 = tcg_new_label(s);
    tcg_gen_brcond(s, TCG_COND_LTU, f->w[1], f->w[1], l0);
    tcg_gen_mov(s, f->w[0], f->w[2]);
    tcg_gen_brcond(s, TCG_COND_EQ, f->w[1], f->w[1], l1);
    tcg_gen_mov(s, f->w[3], f->w[2]);
    tcg_gen_set_label(s, l0);
    tcg_gen_mov(s, f->w[2], f->w[1]);
    tcg_gen_set_label(s, l1);
    expect_optimized(f, " mov_i32 w0, w2\n"
                        " br_i64 $L1\n"
                        "set_label $L1\n");
}

static void test_branch_to_next_label(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l0 = tcg_new_label(s), *l1 = tcg_new_label(s), *l2 = tcg_new_label(s);
    tcg_gen_brcondi(s, TCG_COND_NE, f->w[1], 0, l0);
    tcg_gen_set_label(s, l0);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_br(s, l2);
    tcg_gen_set_label(s, l1); /* unreferenced: gone, so l2 is next */
    tcg_gen_set_label(s, l2);
    tcg_gen_mov(s, f->w[2], f->w[1]);
    expect_optimized(f, " mov_i32 w0, w1\n"
                        " mov_i32 w2, w1\n");
}

static void test_unreachable_after_exit(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    tcg_gen_insn_start(s, (const uint64_t[]){0x1000});
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_exit_tb(s, 0);
    tcg_gen_insn_start(s, (const uint64_t[]){0x1004});
    tcg_gen_mov(s, f->w[2], f->w[3]);
    tcg_gen_exit_tb(s, 0);
    expect_optimized(f, " ---- 0x1000\n"
                        " mov_i32 w0, w1\n"
                        " exit_tb_i64 0x0\n"
                        " ---- 0x1004\n");
}

/* l0 is referenced only from unreachable code: both go. */
static void test_label_of_unreachable_branch(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l0 = tcg_new_label(s), *l1 = tcg_new_label(s);
    tcg_gen_br(s, l1);
    tcg_gen_brcondi(s, TCG_COND_EQ, f->w[1], 0, l0);
    tcg_gen_set_label(s, l0);
    tcg_gen_mov(s, f->w[0], f->w[2]);
    tcg_gen_set_label(s, l1);
    tcg_gen_mov(s, f->w[3], f->w[2]);
    expect_optimized(f, " br_i64 $L1\n"
                        "set_label $L1\n"
                        " mov_i32 w3, w2\n");
}

/* l0 lost its only branch, a backward one, after the walk passed it. */
static void test_label_of_unreachable_back_branch(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGLabel *l0 = tcg_new_label(s), *l1 = tcg_new_label(s);
    tcg_gen_set_label(s, l0);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_br(s, l1);
    tcg_gen_br(s, l0);
    tcg_gen_set_label(s, l1);
    expect_optimized(f, " mov_i32 w0, w1\n"
                        " br_i64 $L1\n"
                        "set_label $L1\n");
}

/* Dead code. */

static void test_dead_locals(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s), t2 = tcg_temp_new_i64(s);
    tcg_gen_add(s, t0, f->w[1], f->w[2]);
    tcg_gen_mul(s, t1, t0, t0);
    tcg_gen_ld(s, t2, tcg_env(s), scratch_off(0), MO_64);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    expect_optimized(f, " mov_i32 w0, w1\n");
}

static void test_dead_global_write(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_add(s, f->w[0], f->w[2], f->w[3]);
    expect_optimized(f, " add_i32 w0, w2, w3\n");
}

/* The guest access may fault, and a fault shows the globals. */
static void test_global_write_before_fault(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i64(s);
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_guest_ld(s, t0, f->r[2], 0, MO_UQ);
    tcg_gen_mov(s, f->w[0], f->w[2]);
    expect_optimized(f, " mov_i32 w0, w1\n"
                        " guest_ld_i64 tmp0, r2, u64le, mmu0\n"
                        " mov_i32 w0, w2\n");
}

static void test_global_write_before_calls(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv args[] = {tcg_env(s), f->r[1]};
    tcg_gen_mov(s, f->w[0], f->w[1]);
    tcg_gen_mov(s, f->w[3], f->w[1]);
    tcg_gen_call(s, &info_log, NULL, args); /* reads no global: w0's first value is dead */
    tcg_gen_mov(s, f->w[0], f->w[2]);
    tcg_gen_call(s, &info_poke, NULL, args); /* reads globals: w3's value is used */
    tcg_gen_mov(s, f->w[3], f->w[2]);
    expect_optimized(f, " mov_i32 w3, w1\n"
                        " call_i64 env, r1 <- log\n"
                        " mov_i32 w0, w2\n"
                        " call_i64 env, r1 <- poke\n"
                        " mov_i32 w3, w2\n");
}

static void test_calls_and_side_effects(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i64(s), t1 = tcg_temp_new_i64(s);
    TCGv env = tcg_env(s), mix_args[] = {f->r[1], f->r[2]};
    tcg_gen_call(s, &info_mix, &t0, mix_args);      /* pure, result dead */
    tcg_gen_call(s, &info_mix, &f->r[0], mix_args); /* pure, result live */
    tcg_gen_call(s, &info_peek, &t1, &env);         /* result dead, but not side-effect free */
    tcg_gen_st(s, f->w[1], env, scratch_off(1), MO_32);
    expect_optimized(f, " call_i64 r0, r1, r2 <- mix\n"
                        " call_i64 tmp1, env <- peek\n"
                        " st32_i32 w1, env, 0x38\n");
}

static void test_mul2_high_half_dead(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv lo = tcg_temp_new_i64(s), hi = tcg_temp_new_i64(s);
    tcg_gen_mulu2(s, lo, hi, f->r[1], f->r[2]);
    tcg_gen_mov(s, f->r[0], lo);
    tcg_gen_muls2(s, lo, hi, f->r[1], f->r[2]);
    tcg_gen_mov(s, f->r[3], hi);
    expect_optimized(f, " mul_i64 tmp0, r1, r2\n"
                        " mov_i64 r0, tmp0\n"
                        " muls2_i64 tmp0, tmp1, r1, r2\n"
                        " mov_i64 r3, tmp1\n");
}

/* t0 is read after the label, reached again through the backward branch. */
static void test_local_live_around_back_edge(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s);
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_movi(s, t0, 0);
    tcg_gen_set_label(s, l);
    tcg_gen_add(s, f->w[0], f->w[0], t0);
    tcg_gen_addi(s, t0, f->w[1], 1);
    tcg_gen_brcondi(s, TCG_COND_NE, f->w[2], 0, l);
    expect_optimized(f, " mov_i32 tmp0, $0x0\n"
                        "set_label $L0\n"
                        " add_i32 w0, w0, tmp0\n"
                        " add_i32 tmp0, w1, $0x1\n"
                        " brcond_i32 w2, $0x0, ne, $L0\n");
}

static void test_local_live_into_label(Fixture *f, gconstpointer data)
{
    TCGContext *s = f->s;
    TCGv t0 = tcg_temp_new_i32(s), t1 = tcg_temp_new_i32(s);
    TCGLabel *l = tcg_new_label(s);
    tcg_gen_movi(s, t0, 1);
    tcg_gen_add(s, t1, f->w[1], f->w[2]); /* never read */
    tcg_gen_brcondi(s, TCG_COND_EQ, f->w[1], 0, l);
    tcg_gen_movi(s, t0, 2);
    tcg_gen_set_label(s, l);
    tcg_gen_mov(s, f->w[0], t0);
    expect_optimized(f, " mov_i32 tmp0, $0x1\n"
                        " brcond_i32 w1, $0x0, eq, $L0\n"
                        " mov_i32 tmp0, $0x2\n"
                        "set_label $L0\n"
                        " mov_i32 w0, tmp0\n");
}

#define ADD_TABLE(prefix, table, func)                                               \
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {                               \
        char *path = g_strdup_printf("/optimize/" prefix "/%s", table[i].name);      \
        g_test_add(path, Fixture, &table[i], fixture_setup, func, fixture_teardown); \
        g_free(path);                                                                \
    }

#define ADD_TEST(path, func) \
    g_test_add("/optimize/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    ADD_TABLE("fold", fold2_cases, test_fold2);
    ADD_TABLE("fold", fold1_cases, test_fold1);
    ADD_TABLE("fold/cond", cond_cases, test_fold_cond);
    ADD_TABLE("fold/field", field_cases, test_fold_field);
    ADD_TABLE("fold/mul2", mul2_cases, test_fold_mul2);
    ADD_TEST("fold/mul2/grows-op-array", test_fold_mul2_grows_ops);
    ADD_TABLE("undefined", undef_cases, test_no_fold_undefined);
    ADD_TABLE("identity", identity_cases, test_identity);
    ADD_TEST("identity/bit-fields-full-width", test_bit_fields_full_width);
    ADD_TEST("identity/movcond", test_movcond);
    ADD_TEST("identity/movcond-each", test_movcond_each);
    ADD_TEST("identity/setcond-same-operands", test_setcond_same_operands);

    ADD_TEST("copy/chain", test_copy_chain);
    ADD_TEST("copy/constant", test_copy_constant);
    ADD_TEST("copy/prefers-oldest", test_copy_prefers_oldest);
    ADD_TEST("copy/prefers-global", test_copy_prefers_global);
    ADD_TEST("copy/broken-by-write", test_copy_broken_by_write);
    ADD_TEST("copy/redundant-mov", test_redundant_mov);
    ADD_TEST("copy/through-conversion", test_copy_through_conversion);
    ADD_TEST("copy/stop-at-label", test_copies_stop_at_label);
    ADD_TEST("copy/survive-brcond", test_copies_survive_brcond);
    ADD_TEST("copy/survive-unreferenced-label", test_copies_survive_unreferenced_label);
    ADD_TEST("copy/call-writing-globals", test_call_writing_globals_stops_copies);
    ADD_TEST("copy/call-not-writing-globals", test_call_not_writing_globals_keeps_copies);
    ADD_TEST("copy/discard", test_discard_ends_copy);

    ADD_TEST("branch/taken", test_brcond_taken);
    ADD_TEST("branch/not-taken", test_brcond_not_taken);
    ADD_TEST("branch/same-operands", test_brcond_same_operands);
    ADD_TEST("branch/to-next-label", test_branch_to_next_label);
    ADD_TEST("unreachable/after-exit", test_unreachable_after_exit);
    ADD_TEST("unreachable/label-of-dead-branch", test_label_of_unreachable_branch);
    ADD_TEST("unreachable/label-of-dead-back-branch", test_label_of_unreachable_back_branch);

    ADD_TEST("dead/locals", test_dead_locals);
    ADD_TEST("dead/global-write", test_dead_global_write);
    ADD_TEST("dead/global-write-before-fault", test_global_write_before_fault);
    ADD_TEST("dead/global-write-before-calls", test_global_write_before_calls);
    ADD_TEST("dead/calls-and-side-effects", test_calls_and_side_effects);
    ADD_TEST("dead/mul2-high-half", test_mul2_high_half_dead);
    ADD_TEST("dead/local-around-back-edge", test_local_live_around_back_edge);
    ADD_TEST("dead/local-into-label", test_local_live_into_label);

    ADD_TEST("semantic/random-programs", test_random_programs);
    return g_test_run();
}

/*
 * Every computational IR op against a C reference, on edge values (0, 1, -1, INT_MIN,
 * INT_MAX, all-ones patterns, powers of two) plus random values from a fixed seed, for i32
 * and i64, on every harness backend.
 *
 * Cases run in batches: one TB computes a whole chunk of cases, each reading its inputs
 * from env (or as constants) and storing its outputs to env, so a JIT sees long TBs with
 * many live values. Each op runs with its operands in six forms: locals, globals, the
 * output aliasing the first input, and constants for the first input, for the others, or
 * for all (the backends' immediate forms). The references are written independently of the
 * interpreter (bit loops, __int128) so that they check it rather than mirror it.
 */
#include "tests/unit/test-tcg-ops.h"

#include <inttypes.h>

enum {
    MAX_IN = 4,
    MAX_OUT = 2,
    CASE_WORDS = MAX_IN + MAX_OUT,
    CHUNK = HARNESS_DATA_WORDS / CASE_WORDS,
    MAX_REPORTS = 8,
    NB_RANDOM = 8,
};

typedef enum Form {
    FORM_LOCAL,
    FORM_GLOBAL,
    FORM_ALIAS,
    FORM_CONST_A,
    FORM_CONST_B,
    FORM_CONST_ALL,
    FORM_COUNT
} Form;

static const char *const form_names[FORM_COUNT] = {
    "locals", "globals", "output=input0", "const input0", "const inputs1+", "all const",
};

typedef enum ParamKind { PARAM_NONE, PARAM_COND, PARAM_FIELD } ParamKind;

typedef struct Case {
    uint64_t in[MAX_IN];
    uint64_t want[MAX_OUT];
    unsigned param[2]; /* the condition, or (pos, len) */
} Case;

typedef struct OpSpec OpSpec;
typedef void (*GenFn)(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in);
typedef void (*MakeCasesFn)(const OpSpec *spec, GArray *cases);

struct OpSpec {
    char name[32];
    TCGType type;    /* of the outputs */
    TCGType in_type; /* of the inputs */
    unsigned nb_in, nb_out;
    ParamKind params;
    bool no_alias; /* the op writes its output before reading all inputs */
    GenFn gen;
    MakeCasesFn make_cases;
    const void *row;
};

/* ---- values ---- */

static void add_value(GArray *vals, uint64_t v, unsigned bits)
{
    v = mask_bits(v, bits);
    g_array_append_val(vals, v);
}

/* The edge values and the seeded random values, truncated to the type. */
static GArray *edge_values(TCGType type)
{
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     3,
                                     0x7f,
                                     0x80,
                                     0xff,
                                     0x100,
                                     0x7fff,
                                     0x8000,
                                     0xffff,
                                     0x10000,
                                     0x7fffffff,
                                     0x80000000,
                                     0x80000001,
                                     0xfffffffe,
                                     0xffffffff,
                                     0x100000000,
                                     0x7fffffffffffffff,
                                     0x8000000000000000,
                                     0x8000000000000001,
                                     0xfffffffffffffffe,
                                     0xffffffffffffffff,
                                     0x0123456789abcdef,
                                     0xfedcba9876543210,
                                     0x00000000ffff0000,
                                     0xffffffff00000000,
                                     0xaaaaaaaa55555555};
    unsigned bits = type_bits(type);
    GArray *vals = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (unsigned i = 0; i < G_N_ELEMENTS(edges); i++) {
        add_value(vals, edges[i], bits);
    }
    GRand *rand = g_rand_new_with_seed(0x5eed);
    for (unsigned i = 0; i < NB_RANDOM; i++) {
        uint64_t hi = g_rand_int(rand);
        add_value(vals, hi << 32 | g_rand_int(rand), bits);
    }
    g_rand_free(rand);
    return vals;
}

static uint64_t value_at(const GArray *vals, unsigned i)
{
    return g_array_index(vals, uint64_t, i);
}

/* ---- the batch runner ---- */

static bool input_is_const(Form form, unsigned k)
{
    return form == FORM_CONST_ALL || (form == FORM_CONST_A && k == 0) ||
           (form == FORM_CONST_B && k > 0);
}

static bool form_applies(const OpSpec *spec, Form form)
{
    switch (form) {
    case FORM_ALIAS: return spec->in_type == spec->type && !spec->no_alias;
    case FORM_CONST_B:
    case FORM_CONST_ALL: return spec->nb_in > 1;
    default: return true;
    }
}

/* The temps a chunk's cases compute with: globals, or locals made once per TB. */
typedef struct ChunkTemps {
    TCGv in[MAX_IN];
    TCGv out[MAX_OUT];
} ChunkTemps;

static TCGv global_for(Harness *h, TCGType type, unsigned idx)
{
    return type == TCG_TYPE_I32 ? h->w[idx] : h->r[idx];
}

static void chunk_temps_init(Harness *h, const OpSpec *spec, Form form, ChunkTemps *t)
{
    for (unsigned k = 0; k < MAX_IN; k++) {
        t->in[k] = form == FORM_GLOBAL ? global_for(h, spec->in_type, k)
                                       : tcg_temp_new(h->s, spec->in_type);
    }
    for (unsigned j = 0; j < MAX_OUT; j++) {
        t->out[j] = form == FORM_GLOBAL ? global_for(h, spec->type, MAX_IN + j)
                                        : tcg_temp_new(h->s, spec->type);
    }
}

/* Emits case i: inputs from env or constants, the op, outputs to env. */
static void gen_case(Harness *h, const OpSpec *spec, Form form, const ChunkTemps *t, const Case *c,
                     unsigned i)
{
    TCGContext *s = h->s;
    TCGv in[MAX_IN], out[MAX_OUT];
    for (unsigned k = 0; k < spec->nb_in; k++) {
        h->env->data[i * CASE_WORDS + k] = c->in[k];
        if (input_is_const(form, k)) {
            in[k] = tcg_constant(s, spec->in_type, (int64_t)c->in[k]);
        } else {
            in[k] = t->in[k];
            tcg_gen_ld(s, in[k], tcg_env(s), data_offset(i * CASE_WORDS + k),
                       type_size(spec->in_type));
        }
    }
    for (unsigned j = 0; j < spec->nb_out; j++) {
        out[j] = form == FORM_ALIAS && j == 0 ? in[0] : t->out[j];
    }
    spec->gen(s, spec, c, out, in);
    for (unsigned j = 0; j < spec->nb_out; j++) {
        tcg_gen_st(s, out[j], tcg_env(s), data_offset(i * CASE_WORDS + MAX_IN + j),
                   type_size(spec->type));
    }
}

static void report(const OpSpec *spec, Form form, const Case *c, unsigned j, uint64_t want,
                   uint64_t got)
{
    GString *msg = g_string_new(NULL);
    g_string_append_printf(msg, "%s with %s: inputs", spec->name, form_names[form]);
    for (unsigned k = 0; k < spec->nb_in; k++) {
        g_string_append_printf(msg, " 0x%" PRIx64, c->in[k]);
    }
    if (spec->params == PARAM_COND) {
        g_string_append_printf(msg, ", cond %s", tcg_cond_name((TCGCond)c->param[0]));
    } else if (spec->params == PARAM_FIELD) {
        g_string_append_printf(msg, ", pos %u len %u", c->param[0], c->param[1]);
    }
    g_string_append_printf(msg, ": output %u expected 0x%" PRIx64 " got 0x%" PRIx64, j, want, got);
    g_test_message("%s", msg->str);
    g_string_free(msg, TRUE);
}

static void check_chunk(Harness *h, const OpSpec *spec, Form form, const Case *cases, unsigned n)
{
    unsigned failures = 0;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < spec->nb_out; j++) {
            uint64_t got = h->env->data[i * CASE_WORDS + MAX_IN + j];
            uint64_t want = mask_bits(cases[i].want[j], type_bits(spec->type));
            if (got != want && failures++ < MAX_REPORTS) {
                report(spec, form, &cases[i], j, want, got);
            }
        }
    }
    if (failures) {
        g_test_fail_printf("%s with %s: %u wrong outputs (first ones above)", spec->name,
                           form_names[form], failures);
    }
}

static void run_chunk(Harness *h, const OpSpec *spec, Form form, const Case *cases, unsigned n)
{
    harness_reset(h);
    memset(h->env->data, 0, sizeof(h->env->data));
    HarnessTB *tb = harness_begin(h);
    ChunkTemps temps;
    chunk_temps_init(h, spec, form, &temps);
    for (unsigned i = 0; i < n; i++) {
        gen_case(h, spec, form, &temps, &cases[i], i);
    }
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        check_chunk(h, spec, form, cases, n);
    }
}

static void test_op(Harness *h, const void *data)
{
    const OpSpec *spec = data;
    GArray *cases = g_array_new(FALSE, FALSE, sizeof(Case));
    spec->make_cases(spec, cases);
    for (Form form = 0; form < FORM_COUNT; form++) {
        if (!form_applies(spec, form)) {
            continue;
        }
        for (unsigned first = 0; first < cases->len && !g_test_failed(); first += CHUNK) {
            run_chunk(h, spec, form, &g_array_index(cases, Case, first),
                      MIN((unsigned)CHUNK, cases->len - first));
        }
    }
    g_array_free(cases, TRUE);
}

/* Registers a copy of tmpl as /tcg/ops/<backend>/<name>; specs owns it. */
static void add_spec(GPtrArray *specs, const OpSpec *tmpl, const char *name, TCGType type,
                     TCGType in_type)
{
    OpSpec *spec = g_memdup2(tmpl, sizeof(*spec));
    g_strlcpy(spec->name, name, sizeof(spec->name));
    spec->type = type;
    spec->in_type = in_type;
    g_ptr_array_add(specs, spec);
    harness_add_tests("ops", spec->name, test_op, spec);
}

/* name_i32 (unless i64_only) and name_i64. */
static void add_spec_types(GPtrArray *specs, const OpSpec *tmpl, const char *name, bool i64_only)
{
    for (TCGType type = i64_only ? TCG_TYPE_I64 : TCG_TYPE_I32; type <= TCG_TYPE_I64; type++) {
        char *full = g_strdup_printf("%s_i%u", name, type_bits(type));
        add_spec(specs, tmpl, full, type, type);
        g_free(full);
    }
}

/* ---- two-input ops ---- */

typedef enum Domain { DOM_EDGES, DOM_SHIFT, DOM_ROTATE, DOM_DIV_SIGNED, DOM_DIV_UNSIGNED } Domain;

typedef struct BinaryRow {
    const char *name;
    void (*gen)(TCGContext *s, TCGv ret, TCGv a, TCGv b);
    uint64_t (*ref)(uint64_t a, uint64_t b, unsigned bits);
    Domain domain;
} BinaryRow;

static uint64_t ref_add(uint64_t a, uint64_t b, unsigned bits)
{
    return a + b;
}

static uint64_t ref_sub(uint64_t a, uint64_t b, unsigned bits)
{
    return a - b;
}

static uint64_t ref_mul(uint64_t a, uint64_t b, unsigned bits)
{
    return a * b;
}

static uint64_t ref_and(uint64_t a, uint64_t b, unsigned bits)
{
    return a & b;
}

static uint64_t ref_or(uint64_t a, uint64_t b, unsigned bits)
{
    return a | b;
}

static uint64_t ref_xor(uint64_t a, uint64_t b, unsigned bits)
{
    return a ^ b;
}

static uint64_t ref_andc(uint64_t a, uint64_t b, unsigned bits)
{
    return a & ~b;
}

static uint64_t ref_orc(uint64_t a, uint64_t b, unsigned bits)
{
    return a | ~b;
}

static uint64_t ref_shl(uint64_t a, uint64_t b, unsigned bits)
{
    return a << b;
}

static uint64_t ref_shr(uint64_t a, uint64_t b, unsigned bits)
{
    return a >> b;
}

static uint64_t ref_sar(uint64_t a, uint64_t b, unsigned bits)
{
    uint64_t r = a >> b;
    return (a >> (bits - 1)) & 1 ? r | ~(mask_bits(UINT64_MAX, bits) >> b) : r;
}

static uint64_t ref_rotl(uint64_t a, uint64_t b, unsigned bits)
{
    unsigned c = (unsigned)(b % bits);
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++) {
        r |= ((a >> i) & 1) << ((i + c) % bits);
    }
    return r;
}

static uint64_t ref_rotr(uint64_t a, uint64_t b, unsigned bits)
{
    return ref_rotl(a, bits - b % bits, bits);
}

static uint64_t ref_divs(uint64_t a, uint64_t b, unsigned bits)
{
    return (uint64_t)((int64_t)sext_bits(a, bits) / (int64_t)sext_bits(b, bits));
}

static uint64_t ref_divu(uint64_t a, uint64_t b, unsigned bits)
{
    return a / b;
}

static uint64_t ref_rems(uint64_t a, uint64_t b, unsigned bits)
{
    return (uint64_t)((int64_t)sext_bits(a, bits) % (int64_t)sext_bits(b, bits));
}

static uint64_t ref_remu(uint64_t a, uint64_t b, unsigned bits)
{
    return a % b;
}

static uint64_t ref_clz(uint64_t a, uint64_t if_zero, unsigned bits)
{
    if (a == 0) {
        return if_zero;
    }
    uint64_t n = 0;
    for (unsigned i = bits - 1; !((a >> i) & 1); i--) {
        n++;
    }
    return n;
}

static uint64_t ref_ctz(uint64_t a, uint64_t if_zero, unsigned bits)
{
    if (a == 0) {
        return if_zero;
    }
    uint64_t n = 0;
    for (unsigned i = 0; !((a >> i) & 1); i++) {
        n++;
    }
    return n;
}

static const BinaryRow binary_rows[] = {
    {"add", tcg_gen_add, ref_add, DOM_EDGES},
    {"sub", tcg_gen_sub, ref_sub, DOM_EDGES},
    {"mul", tcg_gen_mul, ref_mul, DOM_EDGES},
    {"and", tcg_gen_and, ref_and, DOM_EDGES},
    {"or", tcg_gen_or, ref_or, DOM_EDGES},
    {"xor", tcg_gen_xor, ref_xor, DOM_EDGES},
    {"andc", tcg_gen_andc, ref_andc, DOM_EDGES},
    {"orc", tcg_gen_orc, ref_orc, DOM_EDGES},
    {"shl", tcg_gen_shl, ref_shl, DOM_SHIFT},
    {"shr", tcg_gen_shr, ref_shr, DOM_SHIFT},
    {"sar", tcg_gen_sar, ref_sar, DOM_SHIFT},
    {"rotl", tcg_gen_rotl, ref_rotl, DOM_ROTATE},
    {"rotr", tcg_gen_rotr, ref_rotr, DOM_ROTATE},
    {"divs", tcg_gen_div, ref_divs, DOM_DIV_SIGNED},
    {"divu", tcg_gen_divu, ref_divu, DOM_DIV_UNSIGNED},
    {"rems", tcg_gen_rem, ref_rems, DOM_DIV_SIGNED},
    {"remu", tcg_gen_remu, ref_remu, DOM_DIV_UNSIGNED},
    {"clz", tcg_gen_clz, ref_clz, DOM_EDGES},
    {"ctz", tcg_gen_ctz, ref_ctz, DOM_EDGES},
};

/* Excludes what docs/ir.md leaves undefined: b = 0, and INT_MIN / -1 for signed ops. */
static bool binary_defined(Domain domain, uint64_t a, uint64_t b, unsigned bits)
{
    if (domain != DOM_DIV_SIGNED && domain != DOM_DIV_UNSIGNED) {
        return true;
    }
    bool int_min_by_minus_1 = a == UINT64_C(1) << (bits - 1) && b == mask_bits(UINT64_MAX, bits);
    return b != 0 && !(domain == DOM_DIV_SIGNED && int_min_by_minus_1);
}

/* Second operands: every shift count 0..N-1 for shifts; counts and edges for rotations. */
static GArray *second_operands(Domain domain, TCGType type, GArray *edges)
{
    if (domain != DOM_SHIFT && domain != DOM_ROTATE) {
        return g_array_ref(edges);
    }
    GArray *vals = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (uint64_t count = 0; count < type_bits(type); count++) {
        g_array_append_val(vals, count);
    }
    if (domain == DOM_ROTATE) {
        g_array_append_vals(vals, edges->data, edges->len);
    }
    return vals;
}

static void make_binary_cases(const OpSpec *spec, GArray *cases)
{
    const BinaryRow *row = spec->row;
    unsigned bits = type_bits(spec->type);
    GArray *edges = edge_values(spec->type);
    GArray *seconds = second_operands(row->domain, spec->type, edges);
    for (unsigned i = 0; i < edges->len; i++) {
        for (unsigned j = 0; j < seconds->len; j++) {
            uint64_t a = value_at(edges, i), b = value_at(seconds, j);
            if (binary_defined(row->domain, a, b, bits)) {
                Case c = {.in = {a, b}, .want = {row->ref(a, b, bits)}};
                g_array_append_val(cases, c);
            }
        }
    }
    g_array_unref(seconds);
    g_array_unref(edges);
}

static void gen_binary(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in)
{
    ((const BinaryRow *)spec->row)->gen(s, out[0], in[0], in[1]);
}

static void register_binary(GPtrArray *specs)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(binary_rows); i++) {
        OpSpec tmpl = {.nb_in = 2,
                       .nb_out = 1,
                       .gen = gen_binary,
                       .make_cases = make_binary_cases,
                       .row = &binary_rows[i]};
        add_spec_types(specs, &tmpl, binary_rows[i].name, false);
    }
}

/* ---- one-input ops and width conversions ---- */

typedef enum UnaryShape { BOTH_TYPES, I64_ONLY, WIDEN, NARROW } UnaryShape;

typedef struct UnaryRow {
    const char *name;
    void (*gen)(TCGContext *s, TCGv ret, TCGv a);
    uint64_t (*ref)(uint64_t a, unsigned bits); /* a: the input, bits: the output's */
    UnaryShape shape;
} UnaryRow;

static uint64_t ref_mov(uint64_t a, unsigned bits)
{
    return a;
}

static uint64_t ref_neg(uint64_t a, unsigned bits)
{
    return 0 - a;
}

static uint64_t ref_not(uint64_t a, unsigned bits)
{
    return ~a;
}

static uint64_t ref_ext8s(uint64_t a, unsigned bits)
{
    return sext_bits(a, 8);
}

static uint64_t ref_ext8u(uint64_t a, unsigned bits)
{
    return mask_bits(a, 8);
}

static uint64_t ref_ext16s(uint64_t a, unsigned bits)
{
    return sext_bits(a, 16);
}

static uint64_t ref_ext16u(uint64_t a, unsigned bits)
{
    return mask_bits(a, 16);
}

static uint64_t ref_ext32s(uint64_t a, unsigned bits)
{
    return sext_bits(a, 32);
}

static uint64_t ref_ext32u(uint64_t a, unsigned bits)
{
    return mask_bits(a, 32);
}

static uint64_t ref_high32(uint64_t a, unsigned bits)
{
    return a >> 32;
}

static uint64_t reverse_bytes(uint64_t a, unsigned nbytes)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < nbytes; i++) {
        r |= ((a >> (8 * i)) & 0xff) << (8 * (nbytes - 1 - i));
    }
    return r;
}

static uint64_t ref_bswap16(uint64_t a, unsigned bits)
{
    return reverse_bytes(a, 2);
}

static uint64_t ref_bswap32(uint64_t a, unsigned bits)
{
    return reverse_bytes(a, 4);
}

static uint64_t ref_bswap64(uint64_t a, unsigned bits)
{
    return reverse_bytes(a, 8);
}

static uint64_t ref_ctpop(uint64_t a, unsigned bits)
{
    uint64_t n = 0;
    for (; a; a >>= 1) {
        n += a & 1;
    }
    return n;
}

static const UnaryRow unary_rows[] = {
    {"mov", tcg_gen_mov, ref_mov, BOTH_TYPES},
    {"neg", tcg_gen_neg, ref_neg, BOTH_TYPES},
    {"not", tcg_gen_not, ref_not, BOTH_TYPES},
    {"ext8s", tcg_gen_ext8s, ref_ext8s, BOTH_TYPES},
    {"ext8u", tcg_gen_ext8u, ref_ext8u, BOTH_TYPES},
    {"ext16s", tcg_gen_ext16s, ref_ext16s, BOTH_TYPES},
    {"ext16u", tcg_gen_ext16u, ref_ext16u, BOTH_TYPES},
    {"ext32s", tcg_gen_ext32s, ref_ext32s, I64_ONLY},
    {"ext32u", tcg_gen_ext32u, ref_ext32u, I64_ONLY},
    {"bswap16", tcg_gen_bswap16, ref_bswap16, BOTH_TYPES},
    {"bswap32", tcg_gen_bswap32, ref_bswap32, BOTH_TYPES},
    {"bswap64", tcg_gen_bswap64, ref_bswap64, I64_ONLY},
    {"ctpop", tcg_gen_ctpop, ref_ctpop, BOTH_TYPES},
    {"exts_i32_i64", tcg_gen_exts_i32_i64, ref_ext32s, WIDEN},
    {"extu_i32_i64", tcg_gen_extu_i32_i64, ref_ext32u, WIDEN},
    {"extrl_i64_i32", tcg_gen_extrl_i64_i32, ref_ext32u, NARROW},
    {"extrh_i64_i32", tcg_gen_extrh_i64_i32, ref_high32, NARROW},
};

static void make_unary_cases(const OpSpec *spec, GArray *cases)
{
    const UnaryRow *row = spec->row;
    GArray *vals = edge_values(spec->in_type);
    for (unsigned i = 0; i < vals->len; i++) {
        Case c = {.in = {value_at(vals, i)}};
        c.want[0] = row->ref(c.in[0], type_bits(spec->type));
        g_array_append_val(cases, c);
    }
    g_array_unref(vals);
}

static void gen_unary(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in)
{
    ((const UnaryRow *)spec->row)->gen(s, out[0], in[0]);
}

static void register_unary(GPtrArray *specs)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(unary_rows); i++) {
        const UnaryRow *row = &unary_rows[i];
        OpSpec tmpl = {
            .nb_in = 1, .nb_out = 1, .gen = gen_unary, .make_cases = make_unary_cases, .row = row};
        switch (row->shape) {
        case BOTH_TYPES:
        case I64_ONLY: add_spec_types(specs, &tmpl, row->name, row->shape == I64_ONLY); break;
        case WIDEN: add_spec(specs, &tmpl, row->name, TCG_TYPE_I64, TCG_TYPE_I32); break;
        case NARROW: add_spec(specs, &tmpl, row->name, TCG_TYPE_I32, TCG_TYPE_I64); break;
        }
    }
}

/* ---- conditions: setcond, negsetcond, movcond, brcond ---- */

typedef enum CondKind { SETCOND, NEGSETCOND, MOVCOND, BRCOND } CondKind;

static bool ref_cond(TCGCond cond, uint64_t a, uint64_t b, unsigned bits)
{
    int64_t sa = (int64_t)sext_bits(a, bits), sb = (int64_t)sext_bits(b, bits);
    switch (cond) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_TSTEQ: return !(a & b);
    case TCG_COND_TSTNE: return (a & b) != 0;
    default: g_assert_not_reached();
    }
}

static Case cond_case(CondKind kind, TCGCond cond, uint64_t a, uint64_t b, unsigned bits)
{
    Case c = {.in = {a, b}, .param = {cond}};
    bool holds = ref_cond(cond, a, b, bits);
    switch (kind) {
    case SETCOND:
    case BRCOND: c.want[0] = holds; break;
    case NEGSETCOND: c.want[0] = holds ? UINT64_MAX : 0; break;
    case MOVCOND:
        c.in[2] = mask_bits(a ^ UINT64_C(0x5a5a5a5a5a5a5a5a), bits);
        c.in[3] = mask_bits(~b, bits);
        c.want[0] = holds ? c.in[2] : c.in[3];
        break;
    }
    return c;
}

static void make_cond_cases(const OpSpec *spec, GArray *cases)
{
    CondKind kind = (CondKind)GPOINTER_TO_INT(spec->row);
    GArray *vals = edge_values(spec->type);
    for (TCGCond cond = 0; cond < TCG_COND_COUNT; cond++) {
        for (unsigned i = 0; i < vals->len; i++) {
            for (unsigned j = 0; j < vals->len; j++) {
                Case c = cond_case(kind, cond, value_at(vals, i), value_at(vals, j),
                                   type_bits(spec->type));
                g_array_append_val(cases, c);
            }
        }
    }
    g_array_unref(vals);
}

static void gen_cond(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in)
{
    TCGCond cond = (TCGCond)c->param[0];
    switch ((CondKind)GPOINTER_TO_INT(spec->row)) {
    case SETCOND: tcg_gen_setcond(s, cond, out[0], in[0], in[1]); break;
    case NEGSETCOND: tcg_gen_negsetcond(s, cond, out[0], in[0], in[1]); break;
    case MOVCOND: tcg_gen_movcond(s, cond, out[0], in[0], in[1], in[2], in[3]); break;
    case BRCOND: {
        TCGLabel *taken = tcg_new_label(s);
        tcg_gen_movi(s, out[0], 1);
        tcg_gen_brcond(s, cond, in[0], in[1], taken);
        tcg_gen_movi(s, out[0], 0);
        tcg_gen_set_label(s, taken);
        break;
    }
    }
}

static void register_cond(GPtrArray *specs)
{
    static const char *const names[] = {"setcond", "negsetcond", "movcond", "brcond"};
    for (CondKind kind = SETCOND; kind <= BRCOND; kind++) {
        OpSpec tmpl = {.nb_in = kind == MOVCOND ? 4 : 2,
                       .nb_out = 1,
                       .params = PARAM_COND,
                       .no_alias = kind == BRCOND,
                       .gen = gen_cond,
                       .make_cases = make_cond_cases,
                       .row = GINT_TO_POINTER(kind)};
        add_spec_types(specs, &tmpl, names[kind], false);
    }
}

/* ---- double-width multiplication ---- */

static void make_mul2_cases(const OpSpec *spec, GArray *cases)
{
    bool sign = GPOINTER_TO_INT(spec->row);
    unsigned bits = type_bits(spec->type);
    GArray *vals = edge_values(spec->type);
    for (unsigned i = 0; i < vals->len; i++) {
        for (unsigned j = 0; j < vals->len; j++) {
            uint64_t a = value_at(vals, i), b = value_at(vals, j);
            unsigned __int128 p = sign ? (unsigned __int128)((__int128)(int64_t)sext_bits(a, bits) *
                                                             (int64_t)sext_bits(b, bits))
                                       : (unsigned __int128)a * b;
            Case c = {.in = {a, b}, .want = {(uint64_t)p, (uint64_t)(p >> bits)}};
            g_array_append_val(cases, c);
        }
    }
    g_array_unref(vals);
}

static void gen_mul2(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in)
{
    if (GPOINTER_TO_INT(spec->row)) {
        tcg_gen_muls2(s, out[0], out[1], in[0], in[1]);
    } else {
        tcg_gen_mulu2(s, out[0], out[1], in[0], in[1]);
    }
}

static void register_mul2(GPtrArray *specs)
{
    for (int sign = 0; sign <= 1; sign++) {
        OpSpec tmpl = {.nb_in = 2,
                       .nb_out = 2,
                       .gen = gen_mul2,
                       .make_cases = make_mul2_cases,
                       .row = GINT_TO_POINTER(sign)};
        add_spec_types(specs, &tmpl, sign ? "muls2" : "mulu2", false);
    }
}

/* ---- bit fields: every (pos, len) that fits ---- */

typedef enum FieldKind { EXTRACT, SEXTRACT, DEPOSIT } FieldKind;

static uint64_t ref_field(FieldKind kind, const uint64_t *in, unsigned pos, unsigned len)
{
    uint64_t mask = mask_bits(UINT64_MAX, len);
    switch (kind) {
    case EXTRACT: return (in[0] >> pos) & mask;
    case SEXTRACT: return sext_bits(in[0] >> pos, len);
    default: return (in[0] & ~(mask << pos)) | (in[1] & mask) << pos;
    }
}

static void make_field_cases(const OpSpec *spec, GArray *cases)
{
    static const uint64_t inputs[][2] = {
        {UINT64_C(0x0123456789abcdef), UINT64_C(0xfedcba9876543210)},
        {UINT64_MAX, 0},
        {0, UINT64_MAX},
        {UINT64_C(0xaaaaaaaa55555555), UINT64_C(0x8000000000000001)},
    };
    FieldKind kind = (FieldKind)GPOINTER_TO_INT(spec->row);
    unsigned bits = type_bits(spec->type);
    for (unsigned pos = 0; pos < bits; pos++) {
        for (unsigned len = 1; pos + len <= bits; len++) {
            for (unsigned v = 0; v < G_N_ELEMENTS(inputs); v++) {
                Case c = {.in = {mask_bits(inputs[v][0], bits), mask_bits(inputs[v][1], bits)},
                          .param = {pos, len}};
                c.want[0] = ref_field(kind, c.in, pos, len);
                g_array_append_val(cases, c);
            }
        }
    }
}

static void gen_field(TCGContext *s, const OpSpec *spec, const Case *c, TCGv *out, const TCGv *in)
{
    unsigned pos = c->param[0], len = c->param[1];
    switch ((FieldKind)GPOINTER_TO_INT(spec->row)) {
    case EXTRACT: tcg_gen_extract(s, out[0], in[0], pos, len); break;
    case SEXTRACT: tcg_gen_sextract(s, out[0], in[0], pos, len); break;
    case DEPOSIT: tcg_gen_deposit(s, out[0], in[0], in[1], pos, len); break;
    }
}

static void register_field(GPtrArray *specs)
{
    static const char *const names[] = {"extract", "sextract", "deposit"};
    for (FieldKind kind = EXTRACT; kind <= DEPOSIT; kind++) {
        OpSpec tmpl = {.nb_in = kind == DEPOSIT ? 2 : 1,
                       .nb_out = 1,
                       .params = PARAM_FIELD,
                       .gen = gen_field,
                       .make_cases = make_field_cases,
                       .row = GINT_TO_POINTER(kind)};
        add_spec_types(specs, &tmpl, names[kind], false);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    GPtrArray *specs = g_ptr_array_new_with_free_func(g_free);
    register_binary(specs);
    register_unary(specs);
    register_cond(specs);
    register_mul2(specs);
    register_field(specs);
    tcg_ops_mem_register();
    int ret = g_test_run();
    g_ptr_array_free(specs, TRUE);
    return ret;
}

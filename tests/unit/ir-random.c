/*
 * The random program generator (see ir-random.h). Each op kind has one gen_* function;
 * gen_op() picks a kind by weight. Blocks (forward branches and loops) nest on a stack:
 * closing one places its label, or for a loop emits the counter update and the back edge.
 */
#include "tests/unit/ir-random.h"

#include <glib.h>
#include <string.h>

#include "tcg/ir.h"
#include "tcg/tcg-op.h"

#define I32 TCG_TYPE_I32
#define I64 TCG_TYPE_I64

typedef void (*Gen1)(TCGContext *, TCGv, TCGv);
typedef void (*Gen2)(TCGContext *, TCGv, TCGv, TCGv);

/* An open block: a forward label not yet placed, or a loop whose back edge is pending. */
typedef struct IRBlock {
    TCGLabel *label;
    bool loop;
    bool count_up; /* loops: ctr goes 0..trip, else trip..0 */
    unsigned trip;
    TCGv ctr;
} IRBlock;

struct IRRandom {
    const IRRandomConfig *cfg;
    TCGContext *s;
    GRand *rand;
    /* Per program: */
    TCGv loc[2][IR_RANDOM_MAX_LOCALS]; /* by TCGType */
    bool defined[2][IR_RANDOM_MAX_LOCALS];
    IRBlock open[IR_RANDOM_MAX_DEPTH];
    unsigned depth;
    unsigned in_guard; /* > 0 while emitting an op that a guard may skip */
    bool has_tmp[2], has_addr;
    TCGv tmp[2];                      /* guard results, by TCGType */
    TCGv addr;                        /* guest addresses */
    TCGv ctr[2][IR_RANDOM_MAX_DEPTH]; /* loop counters, by type and depth */
    bool has_ctr[2][IR_RANDOM_MAX_DEPTH];
};

static int rnd(IRRandom *g, int n)
{
    return g_rand_int_range(g->rand, 0, n);
}

int ir_random_int(IRRandom *g, int n)
{
    return rnd(g, n);
}

uint32_t ir_random_u32(IRRandom *g)
{
    return g_rand_int(g->rand);
}

#define HIGH_HALF INT64_C(-0x100000000) /* 0xffffffff00000000 */

int64_t ir_random_value(IRRandom *g)
{
    static const int64_t interesting[] = {
        0,         1,         2,          3,          4,         7,         8,          15,
        16,        31,        32,         33,         63,        64,        65,         -1,
        -2,        -32,       -64,        0x7f,       0x80,      0xff,      0x100,      0x7fff,
        0x8000,    0xffff,    0x1234,     0x5678,     INT32_MAX, INT32_MIN, 0xffffffff, 0x100000000,
        INT64_MAX, INT64_MIN, 0x80000000, 0x80000001, HIGH_HALF,
    };
    if (rnd(g, 4) == 0) {
        return (int64_t)(((uint64_t)g_rand_int(g->rand) << 32) | g_rand_int(g->rand));
    }
    return interesting[rnd(g, G_N_ELEMENTS(interesting))];
}

static TCGType rnd_type(IRRandom *g)
{
    return rnd(g, 2) ? I64 : I32;
}

static unsigned type_bits(TCGType type)
{
    return type == I32 ? 32 : 64;
}

static TCGv glob(IRRandom *g, TCGType type)
{
    return g->cfg->globals[type][rnd(g, g->cfg->nb_globals[type])];
}

/* A global, a local that holds a value on every path, or a constant. */
static TCGv gen_src(IRRandom *g, TCGType type)
{
    int r = rnd(g, 10);
    if (r < 3) {
        int i = rnd(g, g->cfg->nb_locals);
        if (g->defined[type][i]) {
            return g->loc[type][i];
        }
    }
    if (r < 7) {
        return glob(g, type);
    }
    return tcg_constant(g->s, type, ir_random_value(g));
}

/* A global or a local; the local holds a value from here on if every path writes it. */
static TCGv gen_dst(IRRandom *g, TCGType type)
{
    if (rnd(g, 2)) {
        return glob(g, type);
    }
    int i = rnd(g, g->cfg->nb_locals);
    if (g->depth == 0 && g->in_guard == 0) {
        g->defined[type][i] = true;
    }
    return g->loc[type][i];
}

static bool const_value(IRRandom *g, TCGv t, int64_t *val)
{
    const TCGTemp *tt = tcg_temp(g->s, t.idx);
    *val = tt->val;
    return tt->kind == TEMP_CONST;
}

/* A scratch local of the type for guard results, fresh for each program. */
static TCGv guard_tmp(IRRandom *g, TCGType type)
{
    if (!g->has_tmp[type]) {
        g->tmp[type] = tcg_temp_new(g->s, type);
        g->has_tmp[type] = true;
    }
    return g->tmp[type];
}

/* The shift count b masked to N - 1. */
static TCGv guard_shift(IRRandom *g, TCGType type, TCGv b)
{
    int64_t c;
    if (const_value(g, b, &c)) {
        return tcg_constant(g->s, type, c & (type_bits(type) - 1));
    }
    TCGv t = guard_tmp(g, type);
    tcg_gen_andi(g->s, t, b, type_bits(type) - 1);
    return t;
}

static bool is_signed_div(Gen2 op)
{
    return op == tcg_gen_div || op == tcg_gen_rem;
}

/* A divisor that is nonzero and, for the signed ops, not -1: b | 1, and b & ~2 too. */
static TCGv guard_divisor(IRRandom *g, TCGType type, TCGv b, bool is_signed)
{
    int64_t c;
    if (const_value(g, b, &c)) {
        return tcg_constant(g->s, type, (is_signed ? c & ~2 : c) | 1);
    }
    TCGv t = guard_tmp(g, type);
    if (is_signed) {
        tcg_gen_andi(g->s, t, b, ~2);
        tcg_gen_ori(g->s, t, t, 1);
    } else {
        tcg_gen_ori(g->s, t, b, 1);
    }
    return t;
}

/* d = a op b behind brconds that skip it when b = 0, or (signed) a = INT_MIN and b = -1. */
static void gen_guarded_div(IRRandom *g, TCGType type, Gen2 op, TCGv a, TCGv b)
{
    TCGContext *s = g->s;
    TCGLabel *skip = tcg_new_label(s);
    tcg_gen_brcondi(s, TCG_COND_EQ, b, 0, skip);
    if (is_signed_div(op)) {
        TCGLabel *ok = tcg_new_label(s);
        tcg_gen_brcondi(s, TCG_COND_NE, b, -1, ok);
        tcg_gen_brcondi(s, TCG_COND_EQ, a, type == I32 ? INT32_MIN : INT64_MIN, skip);
        tcg_gen_set_label(s, ok);
    }
    g->in_guard++;
    op(s, gen_dst(g, type), a, b);
    g->in_guard--;
    tcg_gen_set_label(s, skip);
}

static void gen_binary(IRRandom *g, TCGType type)
{
    static const Gen2 ops[] = {
        tcg_gen_add,  tcg_gen_sub,  tcg_gen_mul, tcg_gen_div, tcg_gen_divu,
        tcg_gen_rem,  tcg_gen_remu, tcg_gen_and, tcg_gen_or,  tcg_gen_xor,
        tcg_gen_andc, tcg_gen_orc,  tcg_gen_shl, tcg_gen_shr, tcg_gen_sar,
        tcg_gen_rotl, tcg_gen_rotr, tcg_gen_clz, tcg_gen_ctz,
    };
    TCGv a = gen_src(g, type), b = gen_src(g, type);
    Gen2 op = ops[rnd(g, G_N_ELEMENTS(ops))];
    if (g->cfg->guard_undefined) {
        bool is_div = is_signed_div(op) || op == tcg_gen_divu || op == tcg_gen_remu;
        if (op == tcg_gen_shl || op == tcg_gen_shr || op == tcg_gen_sar) {
            b = guard_shift(g, type, b);
        } else if (is_div && rnd(g, 2)) {
            gen_guarded_div(g, type, op, a, b);
            return;
        } else if (is_div) {
            b = guard_divisor(g, type, b, is_signed_div(op));
        }
    }
    op(g->s, gen_dst(g, type), a, b);
}

static void gen_unary(IRRandom *g, TCGType type)
{
    static const Gen1 ops[] = {
        tcg_gen_mov,    tcg_gen_neg,    tcg_gen_not,     tcg_gen_ext8s,   tcg_gen_ext8u,
        tcg_gen_ext16s, tcg_gen_ext16u, tcg_gen_bswap16, tcg_gen_bswap32, tcg_gen_ctpop,
        tcg_gen_ext32s, tcg_gen_ext32u, tcg_gen_bswap64,
    };
    unsigned n = type == I64 ? G_N_ELEMENTS(ops) : G_N_ELEMENTS(ops) - 3; /* last 3: i64 */
    TCGv a = gen_src(g, type);
    Gen1 op = ops[rnd(g, n)];
    op(g->s, gen_dst(g, type), a);
}

static void gen_conversion(IRRandom *g)
{
    static const Gen1 widen[] = {tcg_gen_exts_i32_i64, tcg_gen_extu_i32_i64};
    static const Gen1 narrow[] = {tcg_gen_extrl_i64_i32, tcg_gen_extrh_i64_i32};
    if (rnd(g, 2)) {
        TCGv a = gen_src(g, I32);
        Gen1 op = widen[rnd(g, 2)];
        op(g->s, gen_dst(g, I64), a);
    } else {
        TCGv a = gen_src(g, I64);
        Gen1 op = narrow[rnd(g, 2)];
        op(g->s, gen_dst(g, I32), a);
    }
}

static void gen_condition(IRRandom *g, TCGType type)
{
    TCGContext *s = g->s;
    TCGCond cond = (TCGCond)rnd(g, TCG_COND_COUNT);
    TCGv a = gen_src(g, type), b = gen_src(g, type);
    switch (rnd(g, 3)) {
    case 0: tcg_gen_setcond(s, cond, gen_dst(g, type), a, b); break;
    case 1: tcg_gen_negsetcond(s, cond, gen_dst(g, type), a, b); break;
    default: {
        TCGv v1 = gen_src(g, type), v2 = gen_src(g, type);
        tcg_gen_movcond(s, cond, gen_dst(g, type), a, b, v1, v2);
    }
    }
}

static void gen_field(IRRandom *g, TCGType type)
{
    TCGContext *s = g->s;
    int bits = (int)type_bits(type);
    unsigned len, pos;
    if (rnd(g, 4) == 0) { /* byte, halfword and word fields, which backends special-case */
        len = MIN(8u << rnd(g, 3), (unsigned)bits);
        pos = rnd(g, 2) ? 0 : bits - len;
    } else {
        len = 1 + rnd(g, bits);
        pos = rnd(g, bits - len + 1);
    }
    TCGv a = gen_src(g, type), b = gen_src(g, type);
    switch (rnd(g, 3)) {
    case 0: tcg_gen_extract(s, gen_dst(g, type), a, pos, len); break;
    case 1: tcg_gen_sextract(s, gen_dst(g, type), a, pos, len); break;
    default: tcg_gen_deposit(s, gen_dst(g, type), a, b, pos, len); break;
    }
}

static void gen_mul2(IRRandom *g, TCGType type)
{
    TCGv a = gen_src(g, type), b = gen_src(g, type);
    TCGv lo = gen_dst(g, type), hi = gen_dst(g, type);
    while (hi.idx == lo.idx) {
        hi = gen_dst(g, type);
    }
    (rnd(g, 2) ? tcg_gen_mulu2 : tcg_gen_muls2)(g->s, lo, hi, a, b);
}

static void gen_host_mem(IRRandom *g, TCGType type)
{
    const IRRandomConfig *cfg = g->cfg;
    TCGContext *s = g->s;
    MemOp size = (MemOp)rnd(g, type == I32 ? 3 : 4);
    int slots = (int)((cfg->host_size - 8) / cfg->host_align + 1);
    int32_t off = cfg->host_offset + (int32_t)cfg->host_align * rnd(g, slots);
    if (rnd(g, 2)) {
        tcg_gen_st(s, gen_src(g, type), tcg_env(s), off, size);
    } else {
        MemOp sign = size < MO_64 && rnd(g, 2) ? MO_SIGN : 0;
        tcg_gen_ld(s, gen_dst(g, type), tcg_env(s), off, size | sign);
    }
}

static void gen_call(IRRandom *g)
{
    const TCGHelperInfo *info = g->cfg->helpers[rnd(g, g->cfg->nb_helpers)];
    TCGv args[TCG_MAX_HELPER_ARGS], ret;
    for (unsigned i = 0; i < info->nargs; i++) {
        switch (info->args[i]) {
        case TCG_CALL_PTR: args[i] = tcg_env(g->s); break;
        case TCG_CALL_I32: args[i] = gen_src(g, I32); break;
        default: args[i] = gen_src(g, I64); break;
        }
    }
    if (info->ret == TCG_CALL_VOID) {
        tcg_gen_call(g->s, info, NULL, args);
        return;
    }
    ret = gen_dst(g, info->ret == TCG_CALL_I32 ? I32 : I64);
    tcg_gen_call(g->s, info, &ret, args);
}

/* Closes the innermost block: places a forward label, or ends a loop's body. */
static void close_block(IRRandom *g)
{
    TCGContext *s = g->s;
    IRBlock *b = &g->open[--g->depth];
    if (!b->loop) {
        tcg_gen_set_label(s, b->label);
    } else if (b->count_up) {
        tcg_gen_addi(s, b->ctr, b->ctr, 1);
        tcg_gen_brcondi(s, TCG_COND_LTU, b->ctr, b->trip, b->label);
    } else {
        tcg_gen_subi(s, b->ctr, b->ctr, 1);
        tcg_gen_brcondi(s, TCG_COND_NE, b->ctr, 0, b->label);
    }
}

static unsigned nb_forward(IRRandom *g)
{
    unsigned n = 0;
    for (unsigned i = 0; i < g->depth; i++) {
        n += !g->open[i].loop;
    }
    return n;
}

/* The k-th open forward label, from the outermost. */
static TCGLabel *forward_label(IRRandom *g, unsigned k)
{
    for (unsigned i = 0; i < g->depth; i++) {
        if (!g->open[i].loop && k-- == 0) {
            return g->open[i].label;
        }
    }
    g_assert_not_reached();
}

/*
 * A brcond opens a forward block; closing the innermost block places its label (or a
 * loop's back edge); br jumps to an open forward label; discard kills a local.
 */
static void gen_control(IRRandom *g)
{
    TCGContext *s = g->s;
    int r = rnd(g, 4);
    if (r == 0 && g->depth < g->cfg->max_depth) {
        TCGType type = rnd_type(g);
        TCGv a = gen_src(g, type), b = gen_src(g, type);
        IRBlock *blk = &g->open[g->depth++];
        *blk = (IRBlock){.label = tcg_new_label(s)};
        tcg_gen_brcond(s, (TCGCond)rnd(g, TCG_COND_COUNT), a, b, blk->label);
    } else if (r == 1 && g->depth > 0) {
        close_block(g);
    } else if (r == 2 && nb_forward(g) > 0) {
        tcg_gen_br(s, forward_label(g, rnd(g, nb_forward(g))));
    } else if (r == 3 && g->depth == 0) {
        TCGType type = rnd_type(g);
        int i = rnd(g, g->cfg->nb_locals);
        tcg_emit_op(s, TCG_OP_DISCARD, type)->args[0] = g->loc[type][i].idx;
        g->defined[type][i] = false;
    }
}

/* A counted loop: ctr = trip (or 0), label; the body follows until close_block(). */
static void gen_loop(IRRandom *g)
{
    if (g->depth >= g->cfg->max_depth) {
        return;
    }
    TCGType type = rnd_type(g);
    unsigned d = g->depth;
    if (!g->has_ctr[type][d]) {
        g->ctr[type][d] = tcg_temp_new(g->s, type);
        g->has_ctr[type][d] = true;
    }
    IRBlock *b = &g->open[g->depth++];
    *b = (IRBlock){.label = tcg_new_label(g->s),
                   .loop = true,
                   .count_up = rnd(g, 2),
                   .trip = 1 + rnd(g, (int)g->cfg->max_trip),
                   .ctr = g->ctr[type][d]};
    tcg_gen_movi(g->s, b->ctr, b->count_up ? 0 : b->trip);
    tcg_gen_set_label(g->s, b->label);
}

static TCGv addr_tmp(IRRandom *g)
{
    if (!g->has_addr) {
        g->addr = tcg_temp_new(g->s, I64);
        g->has_addr = true;
    }
    return g->addr;
}

/*
 * An address where the whole access lies in [guest_lo, guest_hi), aligned to align: a
 * constant, a masked value plus a base, or the end of the range minus a masked value.
 */
static TCGv gen_guest_addr(IRRandom *g, unsigned size, unsigned align)
{
    const IRRandomConfig *cfg = g->cfg;
    TCGContext *s = g->s;
    uint64_t range = cfg->guest_hi - cfg->guest_lo;
    uint64_t window = MIN(range / 2, UINT64_C(16) << (4 * rnd(g, 3))); /* 16, 256, 4096 */
    uint64_t mask = (window - 1) & ~(uint64_t)(align - 1);
    int shape = rnd(g, 4);
    if (shape == 0) {
        uint64_t off = g_rand_int_range(g->rand, 0, (gint32)MIN(range - size + 1, INT32_MAX));
        return tcg_constant(s, I64, (int64_t)(cfg->guest_lo + (off & ~(uint64_t)(align - 1))));
    }
    /* Computed in the generator's own temp, or in any global or local. */
    TCGv src = gen_src(g, I64);
    TCGv t = rnd(g, 2) ? addr_tmp(g) : gen_dst(g, I64);
    tcg_gen_andi(s, t, src, (int64_t)mask);
    if (shape == 1) {
        uint64_t end = cfg->guest_hi - size;
        tcg_gen_sub(s, t, tcg_constant(s, I64, (int64_t)end), t);
    } else {
        uint64_t span = range - window - 8 + 1;
        int32_t r = g_rand_int_range(g->rand, 0, (gint32)MIN(span, INT32_MAX));
        tcg_gen_addi(s, t, t, (int64_t)(cfg->guest_lo + ((uint64_t)r & ~UINT64_C(7))));
    }
    return t;
}

/* An address that faults for *mo: at or beyond guest_limit, or misaligned (MO_ALIGN set). */
static TCGv gen_fault_addr(IRRandom *g, MemOp *mo)
{
    const IRRandomConfig *cfg = g->cfg;
    TCGContext *s = g->s;
    unsigned size = memop_size(*mo);
    TCGv t = addr_tmp(g);
    int r = rnd(g, 3);
    if (r == 0 && size > 1) {
        *mo |= MO_ALIGN;
        TCGv a = gen_guest_addr(g, size, size);
        tcg_gen_ori(s, t, a, 1 + rnd(g, (int)size - 1));
        return t;
    }
    if (r == 1) {
        tcg_gen_andi(s, t, gen_src(g, I64), 0xfff);
        tcg_gen_addi(s, t, t, (int64_t)cfg->guest_limit);
        return t;
    }
    static const uint64_t far[] = {
        0, 1, 7, UINT64_MAX, UINT64_MAX - 3, UINT64_C(1) << 63, UINT64_C(1) << 32};
    uint64_t v = far[rnd(g, G_N_ELEMENTS(far))];
    uint64_t addr = v < 8 ? cfg->guest_limit + v : v;
    return tcg_constant(s, I64, (int64_t)addr);
}

static void gen_guest_mem(IRRandom *g, TCGType type)
{
    bool store = rnd(g, 2);
    MemOp mo = (MemOp)rnd(g, type == I32 ? 3 : 4);
    if (!store && rnd(g, 2) && (mo & MO_SIZE) != MO_64) {
        mo |= MO_SIGN;
    }
    if (rnd(g, 2)) {
        mo |= MO_BE;
    }
    if (rnd(g, 4) == 0) {
        mo |= MO_ALIGN;
    }
    TCGv addr;
    if (rnd(g, 1000) < (int)g->cfg->fault_permille) {
        addr = gen_fault_addr(g, &mo);
    } else {
        unsigned size = memop_size(mo);
        addr = gen_guest_addr(g, size, mo & MO_ALIGN ? size : 1);
    }
    if (store) {
        tcg_gen_guest_st(g->s, gen_src(g, type), addr, 0, mo);
    } else {
        tcg_gen_guest_ld(g->s, gen_dst(g, type), addr, 0, mo);
    }
}

static void gen_exit(IRRandom *g)
{
    if (g->depth > 0) {
        tcg_gen_exit_tb(g->s, g->cfg->random_exits ? (uintptr_t)ir_random_value(g) : 0);
    }
}

static IRRandomKind pick_kind(IRRandom *g)
{
    unsigned total = 0;
    for (int k = 0; k < IR_RANDOM_KIND_COUNT; k++) {
        total += g->cfg->weights[k];
    }
    int r = rnd(g, (int)total);
    for (int k = 0;; k++) {
        r -= (int)g->cfg->weights[k];
        if (r < 0) {
            return (IRRandomKind)k;
        }
    }
}

static void gen_op(IRRandom *g)
{
    TCGType type = rnd_type(g);
    switch (pick_kind(g)) {
    case IR_RANDOM_CONTROL: gen_control(g); break;
    case IR_RANDOM_CALL: gen_call(g); break;
    case IR_RANDOM_UNARY: gen_unary(g, type); break;
    case IR_RANDOM_CONVERSION: gen_conversion(g); break;
    case IR_RANDOM_CONDITION: gen_condition(g, type); break;
    case IR_RANDOM_FIELD: gen_field(g, type); break;
    case IR_RANDOM_MUL2: gen_mul2(g, type); break;
    case IR_RANDOM_HOST_MEM: gen_host_mem(g, type); break;
    case IR_RANDOM_INSN_START:
        tcg_gen_insn_start(g->s, (const uint64_t[]){(uint64_t)rnd(g, 1 << 20), 0, 0});
        break;
    case IR_RANDOM_BINARY: gen_binary(g, type); break;
    case IR_RANDOM_LOOP: gen_loop(g); break;
    case IR_RANDOM_GUEST_MEM: gen_guest_mem(g, type); break;
    case IR_RANDOM_EXIT: gen_exit(g); break;
    case IR_RANDOM_BARRIER: tcg_gen_mb(g->s, 1 + rnd(g, TCG_BAR_SC)); break;
    default: g_assert_not_reached();
    }
}

void ir_random_program(IRRandom *g)
{
    const IRRandomConfig *cfg = g->cfg;
    TCGContext *s = g->s;
    g->depth = 0;
    g->in_guard = 0;
    g->has_tmp[I32] = g->has_tmp[I64] = g->has_addr = false;
    memset(g->has_ctr, 0, sizeof(g->has_ctr));
    for (int type = 0; type < 2; type++) {
        for (unsigned i = 0; i < cfg->nb_locals; i++) {
            g->loc[type][i] = tcg_temp_new(s, (TCGType)type);
            g->defined[type][i] = false;
        }
    }
    for (int type = 0; type < 2; type++) {
        for (unsigned i = 0; i < cfg->nb_locals; i++) {
            tcg_gen_mov(s, g->loc[type][i], gen_src(g, (TCGType)type));
            g->defined[type][i] = true;
        }
    }
    for (int n = (int)cfg->min_ops + rnd(g, (int)(cfg->max_ops - cfg->min_ops)); n > 0; n--) {
        gen_op(g);
    }
    while (g->depth > 0) {
        close_block(g);
    }
    tcg_gen_exit_tb(s, cfg->random_exits ? (uintptr_t)ir_random_value(g) : 0);
}

IRRandom *ir_random_new(const IRRandomConfig *cfg, uint32_t seed)
{
    g_assert(cfg->nb_globals[I32] > 0 && cfg->nb_globals[I64] > 0);
    g_assert(cfg->nb_locals >= 1 && cfg->nb_locals <= IR_RANDOM_MAX_LOCALS);
    g_assert(cfg->max_ops > cfg->min_ops);
    g_assert(cfg->max_depth >= 1 && cfg->max_depth <= IR_RANDOM_MAX_DEPTH);
    g_assert(!cfg->weights[IR_RANDOM_CALL] || cfg->nb_helpers > 0);
    g_assert(!cfg->weights[IR_RANDOM_LOOP] || cfg->max_trip > 0);
    g_assert(!cfg->weights[IR_RANDOM_HOST_MEM] || (cfg->host_size >= 8 && cfg->host_align > 0 &&
                                                   (cfg->host_align & (cfg->host_align - 1)) == 0));
    if (cfg->weights[IR_RANDOM_GUEST_MEM]) {
        uint64_t range = cfg->guest_hi - cfg->guest_lo;
        g_assert(range >= 64 && (range & (range - 1)) == 0 && cfg->guest_lo % 8 == 0);
        g_assert(cfg->guest_limit >= cfg->guest_hi);
    }
    IRRandom *g = g_new0(IRRandom, 1);
    g->cfg = cfg;
    g->s = cfg->s;
    g->rand = g_rand_new_with_seed(seed);
    return g;
}

void ir_random_free(IRRandom *g)
{
    g_rand_free(g->rand);
    g_free(g);
}

void ir_random_reseed(IRRandom *g, uint32_t seed)
{
    g_rand_set_seed(g->rand, seed);
}

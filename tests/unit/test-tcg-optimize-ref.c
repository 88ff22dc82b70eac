/*
 * The semantic check of tcg/optimize.c: a reference evaluator that runs a TB's ops
 * directly, and seeded random programs from the shared generator (ir-random.h:
 * straight-line ops on globals, locals and constants, nested forward branches, helper
 * calls, host loads and stores). Each program must leave the same CPU state before and
 * after optimization.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/ir.h"
#include "tcg/optimize.h"
#include "tcg/tcg-op.h"
#include "tests/unit/ir-random.h"
#include "tests/unit/test-tcg-optimize.h"

/* Helpers called by test programs; the evaluator calls them too. */

static uint64_t helper_mix(uint64_t a, uint64_t b)
{
    return a * 31 + (b ^ (b >> 7));
}

static void helper_poke(TestEnv *env, uint64_t v)
{
    env->r[0] ^= v;
    env->w[1] += (uint32_t)v;
}

static uint64_t helper_peek(TestEnv *env)
{
    return env->r[2] * 3 + env->w[3];
}

static void helper_log(TestEnv *env, uint64_t v)
{
    env->scratch[3] += v;
}

static void helper_clobber(TestEnv *env)
{
    env->w[2] = 0x1234;
}

/* Pure: may be removed and moved across anything. */
const TCGHelperInfo info_mix = {.name = "mix",
                                .func = helper_mix,
                                .flags = TCG_CALL_PURE,
                                .ret = TCG_CALL_I64,
                                .args = {TCG_CALL_I64, TCG_CALL_I64},
                                .nargs = 2};
/* Reads and writes globals. */
const TCGHelperInfo info_poke = {.name = "poke",
                                 .func = helper_poke,
                                 .flags = 0,
                                 .ret = TCG_CALL_VOID,
                                 .args = {TCG_CALL_PTR, TCG_CALL_I64},
                                 .nargs = 2};
/* Reads globals, writes none. */
const TCGHelperInfo info_peek = {.name = "peek",
                                 .func = helper_peek,
                                 .flags = TCG_CALL_NO_WRITE_GLOBALS,
                                 .ret = TCG_CALL_I64,
                                 .args = {TCG_CALL_PTR},
                                 .nargs = 1};
/* Touches no global, but has a side effect. */
const TCGHelperInfo info_log = {.name = "log",
                                .func = helper_log,
                                .flags = TCG_CALL_NO_RWG,
                                .ret = TCG_CALL_VOID,
                                .args = {TCG_CALL_PTR, TCG_CALL_I64},
                                .nargs = 2};
/* Writes a global without reading any. */
const TCGHelperInfo info_clobber = {.name = "clobber",
                                    .func = helper_clobber,
                                    .flags = TCG_CALL_NO_READ_GLOBALS,
                                    .ret = TCG_CALL_VOID,
                                    .args = {TCG_CALL_PTR},
                                    .nargs = 1};

/*
 * The reference evaluator. It runs a TB's ops directly, globals in TestEnv memory so that
 * helpers see them; i32 and i64 are written separately with native C types, bit counts
 * and swaps as loops, so that it shares no code or formulation with the optimizer.
 * Undefined cases give a fixed value: the optimizer leaves those ops alone, so both runs
 * compute the same one.
 */

#define POISON    0x5a5a5a5a5a5a5a5aull
#define UNDEFINED 0xdeadbeefull

typedef struct Machine {
    TCGContext *s;
    TestEnv *env;
    uint64_t *locals; /* by temp index */
} Machine;

static uint64_t rd(Machine *m, TCGArg idx)
{
    const TCGTemp *t = tcg_temp(m->s, idx);
    uint64_t v;
    switch ((TCGTempKind)t->kind) {
    case TEMP_CONST: v = (uint64_t)t->val; break;
    case TEMP_FIXED: v = (uintptr_t)m->env; break;
    case TEMP_GLOBAL:
        if (t->type == I32) {
            uint32_t v32;
            memcpy(&v32, (char *)m->env + t->mem_offset, 4);
            v = v32;
        } else {
            memcpy(&v, (char *)m->env + t->mem_offset, 8);
        }
        break;
    case TEMP_LOCAL: v = m->locals[idx]; break;
    default: g_assert_not_reached();
    }
    return t->type == I32 ? (uint32_t)v : v;
}

static void wr(Machine *m, TCGArg idx, uint64_t v)
{
    const TCGTemp *t = tcg_temp(m->s, idx);
    if (t->kind == TEMP_GLOBAL) {
        if (t->type == I32) {
            uint32_t v32 = (uint32_t)v;
            memcpy((char *)m->env + t->mem_offset, &v32, 4);
        } else {
            memcpy((char *)m->env + t->mem_offset, &v, 8);
        }
        return;
    }
    g_assert_cmpint(t->kind, ==, TEMP_LOCAL);
    m->locals[idx] = t->type == I32 ? (uint32_t)v : v;
}

static uint32_t ev_bswap(uint64_t v, unsigned bytes)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bytes; i++) {
        r = (r << 8) | ((v >> (8 * i)) & 0xff);
    }
    return (uint32_t)r;
}

static uint64_t ev_bswap64(uint64_t v)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 8; i++) {
        r = (r << 8) | ((v >> (8 * i)) & 0xff);
    }
    return r;
}

static unsigned ev_clz(uint64_t v, unsigned bits)
{
    unsigned n = 0;
    while (n < bits && !((v >> (bits - 1 - n)) & 1)) {
        n++;
    }
    return n;
}

static unsigned ev_ctz(uint64_t v, unsigned bits)
{
    unsigned n = 0;
    while (n < bits && !((v >> n) & 1)) {
        n++;
    }
    return n;
}

static unsigned ev_ctpop(uint64_t v)
{
    unsigned n = 0;
    for (; v; v >>= 1) {
        n += v & 1;
    }
    return n;
}

static uint32_t ev_op32(TCGOpcode opc, uint32_t a, uint32_t b)
{
    int32_t sa = (int32_t)a, sb = (int32_t)b;
    switch (opc) {
    case TCG_OP_MOV: return a;
    case TCG_OP_ADD: return a + b;
    case TCG_OP_SUB: return a - b;
    case TCG_OP_NEG: return 0u - a;
    case TCG_OP_MUL: return a * b;
    case TCG_OP_DIVS:
        return b == 0 || (sa == INT32_MIN && sb == -1) ? UNDEFINED : (uint64_t)(sa / sb);
    case TCG_OP_REMS:
        return b == 0 || (sa == INT32_MIN && sb == -1) ? UNDEFINED : (uint64_t)(sa % sb);
    case TCG_OP_DIVU: return b == 0 ? UNDEFINED : a / b;
    case TCG_OP_REMU: return b == 0 ? UNDEFINED : a % b;
    case TCG_OP_AND: return a & b;
    case TCG_OP_OR: return a | b;
    case TCG_OP_XOR: return a ^ b;
    case TCG_OP_NOT: return ~a;
    case TCG_OP_ANDC: return a & ~b;
    case TCG_OP_ORC: return a | ~b;
    case TCG_OP_SHL: return b >= 32 ? UNDEFINED : a << b;
    case TCG_OP_SHR: return b >= 32 ? UNDEFINED : a >> b;
    case TCG_OP_SAR: return b >= 32 ? UNDEFINED : (uint32_t)(sa >> b);
    case TCG_OP_ROTL: return (b & 31) ? (a << (b & 31)) | (a >> (32 - (b & 31))) : a;
    case TCG_OP_ROTR: return (b & 31) ? (a >> (b & 31)) | (a << (32 - (b & 31))) : a;
    case TCG_OP_EXT8S: return (uint32_t)(int32_t)(int8_t)a;
    case TCG_OP_EXT8U: return a & 0xff;
    case TCG_OP_EXT16S: return (uint32_t)(int32_t)(int16_t)a;
    case TCG_OP_EXT16U: return a & 0xffff;
    case TCG_OP_BSWAP16: return ev_bswap(a, 2);
    case TCG_OP_BSWAP32: return ev_bswap(a, 4);
    case TCG_OP_CLZ: return a ? ev_clz(a, 32) : b;
    case TCG_OP_CTZ: return a ? ev_ctz(a, 32) : b;
    case TCG_OP_CTPOP: return ev_ctpop(a);
    default: g_assert_not_reached();
    }
}

static uint64_t ev_op64(TCGOpcode opc, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    switch (opc) {
    case TCG_OP_MOV: return a;
    case TCG_OP_ADD: return a + b;
    case TCG_OP_SUB: return a - b;
    case TCG_OP_NEG: return 0ull - a;
    case TCG_OP_MUL: return a * b;
    case TCG_OP_DIVS:
        return b == 0 || (sa == INT64_MIN && sb == -1) ? UNDEFINED : (uint64_t)(sa / sb);
    case TCG_OP_REMS:
        return b == 0 || (sa == INT64_MIN && sb == -1) ? UNDEFINED : (uint64_t)(sa % sb);
    case TCG_OP_DIVU: return b == 0 ? UNDEFINED : a / b;
    case TCG_OP_REMU: return b == 0 ? UNDEFINED : a % b;
    case TCG_OP_AND: return a & b;
    case TCG_OP_OR: return a | b;
    case TCG_OP_XOR: return a ^ b;
    case TCG_OP_NOT: return ~a;
    case TCG_OP_ANDC: return a & ~b;
    case TCG_OP_ORC: return a | ~b;
    case TCG_OP_SHL: return b >= 64 ? UNDEFINED : a << b;
    case TCG_OP_SHR: return b >= 64 ? UNDEFINED : a >> b;
    case TCG_OP_SAR: return b >= 64 ? UNDEFINED : (uint64_t)(sa >> b);
    case TCG_OP_ROTL: return (b & 63) ? (a << (b & 63)) | (a >> (64 - (b & 63))) : a;
    case TCG_OP_ROTR: return (b & 63) ? (a >> (b & 63)) | (a << (64 - (b & 63))) : a;
    case TCG_OP_EXT8S: return (uint64_t)(int64_t)(int8_t)a;
    case TCG_OP_EXT8U: return a & 0xff;
    case TCG_OP_EXT16S: return (uint64_t)(int64_t)(int16_t)a;
    case TCG_OP_EXT16U: return a & 0xffff;
    case TCG_OP_EXT32S: return (uint64_t)(int64_t)(int32_t)a;
    case TCG_OP_EXT32U: return a & 0xffffffffu;
    case TCG_OP_BSWAP16: return ev_bswap(a, 2);
    case TCG_OP_BSWAP32: return ev_bswap(a, 4);
    case TCG_OP_BSWAP64: return ev_bswap64(a);
    case TCG_OP_CLZ: return a ? ev_clz(a, 64) : b;
    case TCG_OP_CTZ: return a ? ev_ctz(a, 64) : b;
    case TCG_OP_CTPOP: return ev_ctpop(a);
    default: g_assert_not_reached();
    }
}

static bool ev_cond(TCGCond c, uint64_t a, uint64_t b, bool is64)
{
    int64_t sa = is64 ? (int64_t)a : (int32_t)a, sb = is64 ? (int64_t)b : (int32_t)b;
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return !(sa < sb);
    case TCG_COND_LE: return !(sb < sa);
    case TCG_COND_GT: return sb < sa;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return !(a < b);
    case TCG_COND_LEU: return !(b < a);
    case TCG_COND_GTU: return b < a;
    case TCG_COND_TSTEQ: return !(a & b);
    case TCG_COND_TSTNE: return !!(a & b);
    default: g_assert_not_reached();
    }
}

/* The 2N-bit product from N/2-bit limbs, then the signed correction. */
static void ev_mul2(const TCGOp *op, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    bool is_signed = op->opc == TCG_OP_MULS2;
    if (op->type == I32) {
        uint64_t p = is_signed ? (uint64_t)((int64_t)(int32_t)a * (int32_t)b) : a * b;
        *lo = (uint32_t)p;
        *hi = p >> 32;
        return;
    }
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *lo = (mid << 32) | (uint32_t)ll;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    if (is_signed) {
        *hi -= ((int64_t)a < 0 ? b : 0) + ((int64_t)b < 0 ? a : 0);
    }
}

/* Bit fields, one bit at a time. */
static uint64_t ev_field(const TCGOp *op, uint64_t a, uint64_t b, unsigned pos, unsigned len)
{
    uint64_t r = op->opc == TCG_OP_DEPOSIT ? a : 0;
    for (unsigned i = 0; i < len; i++) {
        uint64_t bit = op->opc == TCG_OP_DEPOSIT ? (b >> i) & 1 : (a >> (pos + i)) & 1;
        unsigned at = op->opc == TCG_OP_DEPOSIT ? pos + i : i;
        r = (r & ~(1ull << at)) | (bit << at);
    }
    if (op->opc == TCG_OP_SEXTRACT && ((r >> (len - 1)) & 1)) {
        for (unsigned i = len; i < 64; i++) {
            r |= 1ull << i;
        }
    }
    return r;
}

static void ev_host_mem(Machine *m, const TCGOp *op)
{
    static const unsigned sizes[] = {
        [TCG_OP_LD8U] = 1,  [TCG_OP_LD8S] = 1,  [TCG_OP_LD16U] = 2, [TCG_OP_LD16S] = 2,
        [TCG_OP_LD32U] = 4, [TCG_OP_LD32S] = 4, [TCG_OP_LD64] = 8,  [TCG_OP_ST8] = 1,
        [TCG_OP_ST16] = 2,  [TCG_OP_ST32] = 4,  [TCG_OP_ST64] = 8,
    };
    unsigned size = sizes[op->opc];
    char *addr = (char *)(uintptr_t)rd(m, op->args[1]) + (int64_t)op->args[2];
    uint64_t v = 0;
    if (op->nb_oargs == 0) {
        v = rd(m, op->args[0]);
        memcpy(addr, &v, size); /* little-endian host */
        return;
    }
    memcpy(&v, addr, size);
    bool sign = op->opc == TCG_OP_LD8S || op->opc == TCG_OP_LD16S || op->opc == TCG_OP_LD32S;
    if (sign && size < 8 && ((v >> (8 * size - 1)) & 1)) {
        v |= ~0ull << (8 * size);
    }
    wr(m, op->args[0], v);
}

static void ev_call(Machine *m, const TCGOp *op)
{
    const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nb_oargs + op->nb_iargs];
    uint64_t a[TCG_MAX_HELPER_ARGS] = {0};
    for (unsigned i = 0; i < op->nb_iargs; i++) {
        a[i] = rd(m, op->args[op->nb_oargs + i]);
    }
    TestEnv *env = (TestEnv *)(uintptr_t)a[0];
    uint64_t ret = 0;
    if (info == &info_mix) {
        ret = helper_mix(a[0], a[1]);
    } else if (info == &info_poke) {
        helper_poke(env, a[1]);
    } else if (info == &info_peek) {
        ret = helper_peek(env);
    } else if (info == &info_log) {
        helper_log(env, a[1]);
    } else if (info == &info_clobber) {
        helper_clobber(env);
    } else {
        g_assert_not_reached();
    }
    if (op->nb_oargs) {
        wr(m, op->args[0], ret);
    }
}

/* Ops that compute a value from their inputs. */
static void ev_value_op(Machine *m, const TCGOp *op)
{
    bool is64 = op->type == I64;
    uint64_t a = op->nb_iargs > 0 ? rd(m, op->args[op->nb_oargs]) : 0;
    uint64_t b = op->nb_iargs > 1 ? rd(m, op->args[op->nb_oargs + 1]) : 0;
    uint64_t lo, hi;
    switch (op->opc) {
    case TCG_OP_SETCOND: wr(m, op->args[0], ev_cond(op->args[3], a, b, is64)); return;
    case TCG_OP_NEGSETCOND: wr(m, op->args[0], -(uint64_t)ev_cond(op->args[3], a, b, is64)); return;
    case TCG_OP_MOVCOND:
        wr(m, op->args[0], rd(m, op->args[ev_cond(op->args[5], a, b, is64) ? 3 : 4]));
        return;
    case TCG_OP_MULU2:
    case TCG_OP_MULS2:
        ev_mul2(op, a, b, &lo, &hi);
        wr(m, op->args[0], lo);
        wr(m, op->args[1], hi);
        return;
    case TCG_OP_EXTS_I32_I64: wr(m, op->args[0], (uint64_t)(int64_t)(int32_t)a); return;
    case TCG_OP_EXTU_I32_I64: wr(m, op->args[0], (uint32_t)a); return;
    case TCG_OP_EXTRL_I64_I32: wr(m, op->args[0], (uint32_t)a); return;
    case TCG_OP_EXTRH_I64_I32: wr(m, op->args[0], a >> 32); return;
    case TCG_OP_EXTRACT:
    case TCG_OP_SEXTRACT: wr(m, op->args[0], ev_field(op, a, 0, op->args[2], op->args[3])); return;
    case TCG_OP_DEPOSIT: wr(m, op->args[0], ev_field(op, a, b, op->args[3], op->args[4])); return;
    default:
        wr(m, op->args[0],
           is64 ? ev_op64(op->opc, a, b) : ev_op32(op->opc, (uint32_t)a, (uint32_t)b));
        return;
    }
}

/* Runs the TB on env. Programs here branch forward only, so this ends. */
void run_tb(TCGContext *s, TestEnv *env)
{
    Machine m = {s, env, g_new(uint64_t, s->nb_temps)};
    uint32_t *label_at = g_new(uint32_t, MAX(s->nb_labels, 1));
    for (uint32_t i = 0; i < s->nb_temps; i++) {
        m.locals[i] = POISON;
    }
    for (uint32_t i = 0; i < s->nb_labels; i++) {
        label_at[i] = UINT32_MAX;
    }
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        if (s->ops[i].opc == TCG_OP_SET_LABEL) {
            label_at[s->ops[i].args[0]] = i;
        }
    }
    for (uint32_t pc = 0; pc < s->nb_ops; pc++) {
        const TCGOp *op = &s->ops[pc];
        switch (op->opc) {
        case TCG_OP_NOP:
        case TCG_OP_SET_LABEL:
        case TCG_OP_INSN_START:
        case TCG_OP_MB: break;
        case TCG_OP_DISCARD: m.locals[op->args[0]] = POISON; break;
        case TCG_OP_EXIT_TB: pc = s->nb_ops; break;
        case TCG_OP_BR:
            g_assert_cmpuint(label_at[op->args[0]], >, pc);
            pc = label_at[op->args[0]];
            break;
        case TCG_OP_BRCOND:
            if (ev_cond(op->args[2], rd(&m, op->args[0]), rd(&m, op->args[1]), op->type == I64)) {
                g_assert_cmpuint(label_at[op->args[3]], >, pc);
                pc = label_at[op->args[3]];
            }
            break;
        case TCG_OP_CALL: ev_call(&m, op); break;
        case TCG_OP_LD8U:
        case TCG_OP_LD8S:
        case TCG_OP_LD16U:
        case TCG_OP_LD16S:
        case TCG_OP_LD32U:
        case TCG_OP_LD32S:
        case TCG_OP_LD64:
        case TCG_OP_ST8:
        case TCG_OP_ST16:
        case TCG_OP_ST32:
        case TCG_OP_ST64: ev_host_mem(&m, op); break;
        default: ev_value_op(&m, op); break;
        }
    }
    g_free(label_at);
    g_free(m.locals);
}

/* Random programs (ir-random.h): the optimized TB must do what the original does. */

enum { NPROGRAMS = 5000 };

static const TCGHelperInfo *const random_helpers[] = {
    &info_mix, &info_poke, &info_peek, &info_log, &info_clobber,
};

/* Forward branches only (run_tb's rule), and the undefined cases left in: the optimizer
 * must not fold them, and the evaluator gives them one value before and after. */
static IRRandomConfig random_config(Fixture *f)
{
    return (IRRandomConfig){
        .s = f->s,
        .globals = {[I32] = f->w, [I64] = f->r},
        .nb_globals = {[I32] = NW, [I64] = NR},
        .nb_locals = 3,
        .min_ops = 10,
        .max_ops = 50,
        .weights =
            {
                [IR_RANDOM_CONTROL] = 2,
                [IR_RANDOM_CALL] = 1,
                [IR_RANDOM_UNARY] = 1,
                [IR_RANDOM_CONVERSION] = 1,
                [IR_RANDOM_CONDITION] = 1,
                [IR_RANDOM_FIELD] = 1,
                [IR_RANDOM_MUL2] = 1,
                [IR_RANDOM_HOST_MEM] = 1,
                [IR_RANDOM_INSN_START] = 1,
                [IR_RANDOM_BINARY] = 6,
            },
        .max_depth = 3,
        .helpers = random_helpers,
        .nb_helpers = G_N_ELEMENTS(random_helpers),
        .host_offset = scratch_off(0),
        .host_size = NSCRATCH * sizeof(uint64_t),
        .host_align = sizeof(uint64_t),
    };
}

static void random_env(IRRandom *g, TestEnv *env)
{
    uint32_t *words = (uint32_t *)env;
    for (size_t i = 0; i < sizeof(*env) / sizeof(uint32_t); i++) {
        words[i] = ir_random_int(g, 4) ? ir_random_u32(g) : (uint32_t)ir_random_value(g);
    }
}

void test_random_programs(Fixture *f, gconstpointer data)
{
    IRRandomConfig cfg = random_config(f);
    IRRandom *g = ir_random_new(&cfg, 0x0b7e5eed);
    TCGContext *s = f->s;
    unsigned before = 0, after = 0;
    for (int n = 0; n < NPROGRAMS; n++) {
        TestEnv init, want, got;
        tcg_func_start(s, NULL);
        ir_random_program(g);
        random_env(g, &init);
        want = got = init;
        char *text = ir_text(s);
        run_tb(s, &want);
        before += count_ops(s);
        tcg_optimize(s);
        after += count_ops(s);
        run_tb(s, &got);
        if (memcmp(&want, &got, sizeof(want)) != 0) {
            char *opt = ir_text(s);
            g_printerr("program %d:\n%s\noptimized:\n%s", n, text, opt);
            free(opt);
        }
        g_assert_cmpmem(&want, sizeof(want), &got, sizeof(got));
        free(text);
    }
    g_test_message("%d programs: %u ops before optimization, %u after", NPROGRAMS, before, after);
    g_assert_cmpuint(after * 4, <, before * 3); /* it does optimize */
    ir_random_free(g);
}

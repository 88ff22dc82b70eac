/*
 * The IR optimizer: constant folding, copy propagation and dead-code elimination over the
 * ops of one TB, run between the frontend and liveness (docs/ir.md, "Pipeline").
 *
 * Why: the builders turn every immediate into a constant temp, and frontends write plain
 * code (load a guest register into a temp, operate, move it back) so that they stay
 * simple. Cleaning that up once, here, gives both backends smaller IR.
 *
 * Design:
 * - One forward walk. Each op's inputs are first replaced by the best temp known to hold
 *   the same value (a constant, else env, else a global, else the oldest local), then the
 *   op goes to its fold_<op>(), which may turn it into a mov, a br or a nop.
 * - Temps known to hold the same value form a class, a circular list. Only mov creates
 *   classes, so a class has one type and propagation never mixes widths. Writing a temp
 *   takes it out of its class.
 * - Classes hold within an extended basic block: all are forgotten at a label that some
 *   branch reaches (control may come from elsewhere) and the globals' ones after a helper
 *   call that may write globals. The fall-through of a brcond keeps them: only the brcond
 *   leads there.
 * - Constant folding goes through tcg/eval.h, the definition of the IR's values that the
 *   interpreter runs: a generic step folds a value op whose inputs are all constants, and
 *   each op's fold_<op>() adds its algebraic identities.
 * - An op's undefined cases (docs/ir.md) are never folded: the op stays as it was.
 * - Code after br, exit_tb or goto_ptr up to the next referenced label is unreachable and
 *   goes in the walk. A backward pass then removes ops whose results are dead and labels
 *   that no branch uses. At a branch it counts every local read anywhere in the TB as
 *   live: coarse, but correct for backward branches without an iterative analysis.
 * - fold_op() names every opcode: an op added to the IR without a rule here fails the
 *   build (-Wswitch) and, failing that, an assert.
 *
 * Like the backends, this assumes that ld/st never address a global's home in env.
 */
#include <string.h>

#include "tcg/eval.h"
#include "tcg/ir.h"
#include "tcg/optimize.h"
#include "tcg/tcg-op.h"

typedef struct TempInfo {
    uint32_t next_copy, prev_copy; /* the temp's class; itself when alone */
    uint32_t age;                  /* when it joined its class: the oldest represents it */
    uint32_t gen;                  /* stale unless equal to OptContext.gen */
} TempInfo;

typedef struct OptContext {
    TCGContext *s;
    TempInfo *info; /* by temp index; grows with the constants that folding creates */
    uint32_t info_len;
    uint32_t gen;         /* bumped to forget every class at once */
    uint32_t clock;       /* source of TempInfo.age */
    uint32_t *label_refs; /* by label id: branches that still target it */
    bool unreachable;     /* the walk is past a br/exit with no label since */
} OptContext;

static bool op_is64(const TCGOp *op)
{
    return op->type == TCG_TYPE_I64;
}

static unsigned op_bits(const TCGOp *op)
{
    return op_is64(op) ? 64 : 32;
}

/* Copy classes. */

static TempInfo *ti(OptContext *ctx, TCGArg idx)
{
    g_assert(idx < ctx->info_len);
    TempInfo *t = &ctx->info[idx];
    if (t->gen != ctx->gen) {
        *t = (TempInfo){.next_copy = idx, .prev_copy = idx, .gen = ctx->gen};
    }
    return t;
}

static void info_reserve(OptContext *ctx)
{
    uint32_t n = ctx->s->nb_temps;
    if (n > ctx->info_len) {
        ctx->info = g_renew(TempInfo, ctx->info, n);
        memset(ctx->info + ctx->info_len, 0, (n - ctx->info_len) * sizeof(TempInfo));
        ctx->info_len = n;
    }
}

static TCGTempKind temp_kind(OptContext *ctx, TCGArg idx)
{
    return (TCGTempKind)tcg_temp(ctx->s, idx)->kind;
}

static bool is_copy_of(OptContext *ctx, TCGArg a, TCGArg b)
{
    for (TCGArg i = ti(ctx, a)->next_copy; i != a; i = ti(ctx, i)->next_copy) {
        if (i == b) {
            return true;
        }
    }
    return a == b;
}

static void forget_copies(OptContext *ctx, TCGArg idx)
{
    TempInfo *t = ti(ctx, idx);
    ti(ctx, t->prev_copy)->next_copy = t->next_copy;
    ti(ctx, t->next_copy)->prev_copy = t->prev_copy;
    t->next_copy = t->prev_copy = idx;
}

static void add_copy(OptContext *ctx, TCGArg dst, TCGArg src)
{
    TempInfo *d = ti(ctx, dst), *sr = ti(ctx, src);
    d->age = ++ctx->clock;
    d->prev_copy = src;
    d->next_copy = sr->next_copy;
    ti(ctx, sr->next_copy)->prev_copy = dst;
    sr->next_copy = dst;
}

static void forget_all_copies(OptContext *ctx)
{
    ctx->gen++;
}

static void forget_global_copies(OptContext *ctx)
{
    for (uint32_t k = 0; k < ctx->s->nb_used_globals; k++) {
        forget_copies(ctx, ctx->s->used_globals[k]);
    }
}

/*
 * A constant costs nothing to read, and env and the globals stay live to the end of the
 * TB anyway: reading one of them instead of a local lets the local die early.
 */
static int copy_rank(TCGTempKind kind)
{
    switch (kind) {
    case TEMP_CONST: return 3;
    case TEMP_FIXED: return 2;
    case TEMP_GLOBAL: return 1;
    case TEMP_LOCAL: return 0;
    }
    g_assert_not_reached();
}

/*
 * Among equals the oldest member wins: it is the source the others were copied from, so
 * reading it instead leaves those movs dead.
 */
static TCGArg best_copy(OptContext *ctx, TCGArg idx)
{
    TCGArg best = idx;
    for (TCGArg i = ti(ctx, idx)->next_copy; i != idx; i = ti(ctx, i)->next_copy) {
        int ri = copy_rank(temp_kind(ctx, i)), rb = copy_rank(temp_kind(ctx, best));
        if (ri > rb || (ri == rb && ti(ctx, i)->age < ti(ctx, best)->age)) {
            best = i;
        }
    }
    return best;
}

static void propagate_copies(OptContext *ctx, TCGOp *op)
{
    for (unsigned i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        op->args[i] = best_copy(ctx, op->args[i]);
    }
}

static void forget_outputs(OptContext *ctx, const TCGOp *op)
{
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        forget_copies(ctx, op->args[i]);
    }
}

/* Constants. */

static bool arg_is_const(OptContext *ctx, TCGArg idx)
{
    return temp_kind(ctx, idx) == TEMP_CONST;
}

static uint64_t arg_val(OptContext *ctx, TCGArg idx)
{
    return (uint64_t)tcg_temp(ctx->s, idx)->val;
}

static bool args_const(OptContext *ctx, TCGArg a, TCGArg b)
{
    return arg_is_const(ctx, a) && arg_is_const(ctx, b);
}

/* Whether idx is the constant v in the op's type. */
static bool arg_is(OptContext *ctx, const TCGOp *op, TCGArg idx, int64_t v)
{
    bool is64 = op_is64(op);
    return arg_is_const(ctx, idx) &&
           tcg_eval_trunc(arg_val(ctx, idx), is64) == tcg_eval_trunc((uint64_t)v, is64);
}

/* tcg_constant() may grow s->temps: callers hold temp indices, never TCGTemp pointers. */
static TCGArg opt_constant(OptContext *ctx, TCGType type, uint64_t val)
{
    TCGArg idx = tcg_constant(ctx->s, type, (int64_t)val).idx;
    info_reserve(ctx);
    return idx;
}

/* Rewriting ops. */

static const TCGHelperInfo *call_info(const TCGOp *op)
{
    return (const TCGHelperInfo *)(uintptr_t)op->args[op->nb_oargs + op->nb_iargs];
}

static void op_become(TCGOp *op, TCGOpcode opc)
{
    op->opc = opc;
    op->nb_oargs = tcg_op_defs[opc].nb_oargs;
    op->nb_iargs = tcg_op_defs[opc].nb_iargs;
}

static uint32_t *branch_label_ref(OptContext *ctx, const TCGOp *op)
{
    switch (op->opc) {
    case TCG_OP_BR: return &ctx->label_refs[op->args[0]];
    case TCG_OP_BRCOND: return &ctx->label_refs[op->args[3]];
    default: return NULL;
    }
}

static void remove_op(OptContext *ctx, TCGOp *op)
{
    uint32_t *refs = branch_label_ref(ctx, op);
    if (refs) {
        (*refs)--;
    }
    *op = (TCGOp){.opc = TCG_OP_NOP, .type = op->type};
}

/* Inserts an op of the same type after op; the array may move, so op is stale after. */
static TCGOp *insert_op_after(OptContext *ctx, TCGOp *op, TCGOpcode opc)
{
    TCGContext *s = ctx->s;
    size_t i = (size_t)(op - s->ops);
    TCGOp new_op = *tcg_emit_op(s, opc, (TCGType)op->type);
    memmove(&s->ops[i + 2], &s->ops[i + 1], (s->nb_ops - i - 2) * sizeof(TCGOp));
    s->ops[i + 1] = new_op;
    return &s->ops[i + 1];
}

static bool fold_mov(OptContext *ctx, TCGOp *op)
{
    TCGArg dst = op->args[0], src = op->args[1];
    if (is_copy_of(ctx, dst, src)) {
        remove_op(ctx, op);
        return true;
    }
    forget_copies(ctx, dst);
    add_copy(ctx, dst, src);
    return true;
}

static bool fold_to_copy(OptContext *ctx, TCGOp *op, TCGArg src)
{
    g_assert(tcg_temp(ctx->s, src)->type == op->type);
    op_become(op, TCG_OP_MOV);
    op->args[1] = src;
    return fold_mov(ctx, op);
}

static bool fold_to_const(OptContext *ctx, TCGOp *op, uint64_t val)
{
    return fold_to_copy(ctx, op, opt_constant(ctx, (TCGType)op->type, val));
}

/* Conditions. */

/* 1 or 0 when cond(a, b) is known at translation time, -1 when it is not. */
static int cond_value(OptContext *ctx, const TCGOp *op, TCGArg a, TCGArg b, TCGCond cond)
{
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER || args_const(ctx, a, b)) {
        return tcg_eval_cond(cond, arg_val(ctx, a), arg_val(ctx, b), op_is64(op));
    }
    if (a != b) {
        return -1;
    }
    switch (cond) {
    case TCG_COND_EQ:
    case TCG_COND_GE:
    case TCG_COND_LE:
    case TCG_COND_GEU:
    case TCG_COND_LEU: return 1;
    case TCG_COND_NE:
    case TCG_COND_LT:
    case TCG_COND_GT:
    case TCG_COND_LTU:
    case TCG_COND_GTU: return 0;
    default: return -1; /* x & x is x: the tests depend on its value */
    }
}

/* Control flow. */

/* Whether only labels (one of them the target) and nops lie between op and its target. */
static bool branch_to_next(OptContext *ctx, const TCGOp *op, TCGArg label)
{
    const TCGOp *end = ctx->s->ops + ctx->s->nb_ops;
    for (const TCGOp *next = op + 1; next < end; next++) {
        if (next->opc == TCG_OP_SET_LABEL && next->args[0] == label) {
            return true;
        }
        if (next->opc != TCG_OP_SET_LABEL && next->opc != TCG_OP_NOP) {
            return false;
        }
    }
    return false;
}

static bool fold_set_label(OptContext *ctx, TCGOp *op)
{
    if (ctx->label_refs[op->args[0]] == 0) {
        remove_op(ctx, op); /* only the fall-through reaches it: the block goes on */
        return true;
    }
    ctx->unreachable = false;
    forget_all_copies(ctx);
    return true;
}

static bool fold_br(OptContext *ctx, TCGOp *op)
{
    if (branch_to_next(ctx, op, op->args[0])) {
        remove_op(ctx, op);
    } else {
        ctx->unreachable = true;
    }
    return true;
}

static bool fold_brcond(OptContext *ctx, TCGOp *op)
{
    TCGArg label = op->args[3];
    int taken = cond_value(ctx, op, op->args[0], op->args[1], (TCGCond)op->args[2]);
    if (taken == 1) {
        op_become(op, TCG_OP_BR);
        op->type = TCG_TYPE_I64; /* as tcg_gen_br() makes it */
        op->args[0] = label;
        return fold_br(ctx, op);
    }
    if (taken == 0 || branch_to_next(ctx, op, label)) {
        remove_op(ctx, op);
    }
    return true;
}

static bool fold_exit(OptContext *ctx, TCGOp *op)
{
    ctx->unreachable = true;
    return false;
}

static bool fold_call(OptContext *ctx, TCGOp *op)
{
    if (!(call_info(op)->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        forget_global_copies(ctx);
    }
    return false;
}

/* Loads, stores, guest accesses, barriers, bookkeeping; value ops with no rule beyond the
 * generic step. */
static bool fold_no_rule(OptContext *ctx, TCGOp *op)
{
    return false;
}

static bool fold_setcond(OptContext *ctx, TCGOp *op)
{
    int r = cond_value(ctx, op, op->args[1], op->args[2], (TCGCond)op->args[3]);
    if (r < 0) {
        return false;
    }
    return fold_to_const(ctx, op, tcg_eval_setcond((TCGOpcode)op->opc, r, op_is64(op)));
}

static bool fold_movcond(OptContext *ctx, TCGOp *op)
{
    TCGArg v1 = op->args[3], v2 = op->args[4];
    if (v1 == v2) {
        return fold_to_copy(ctx, op, v1);
    }
    int r = cond_value(ctx, op, op->args[1], op->args[2], (TCGCond)op->args[5]);
    if (r < 0) {
        return false;
    }
    return fold_to_copy(ctx, op, r ? v1 : v2);
}

/*
 * Value ops. The generic step first: inputs that are all constants give the op's value
 * from tcg/eval.h, except in the cases docs/ir.md leaves undefined. Then the op's rule.
 */

typedef bool (*FoldRule)(OptContext *ctx, TCGOp *op);

/* Constant inputs of a two-input op that docs/ir.md leaves undefined: the backend's. */
static bool binop_undefined(const TCGOp *op, uint64_t a, uint64_t b)
{
    bool is64 = op_is64(op);
    uint64_t int_min = (uint64_t)1 << (op_bits(op) - 1);
    a = tcg_eval_trunc(a, is64);
    b = tcg_eval_trunc(b, is64);
    switch (op->opc) {
    case TCG_OP_DIVS:
    case TCG_OP_REMS: return b == 0 || (a == int_min && b == tcg_eval_trunc(UINT64_MAX, is64));
    case TCG_OP_DIVU:
    case TCG_OP_REMU: return b == 0;
    case TCG_OP_SHL:
    case TCG_OP_SHR:
    case TCG_OP_SAR: return b >= op_bits(op); /* a negative count too */
    default: return false;
    }
}

/* The generic step for the ops of tcg_eval_unop() and tcg_eval_binop(), then rule. */
static bool fold_value(OptContext *ctx, TCGOp *op, FoldRule rule)
{
    TCGOpcode opc = (TCGOpcode)op->opc;
    bool is64 = op_is64(op);
    if (op->nb_iargs == 1 && arg_is_const(ctx, op->args[1])) {
        return fold_to_const(ctx, op, tcg_eval_unop(opc, arg_val(ctx, op->args[1]), is64));
    }
    if (op->nb_iargs == 2 && args_const(ctx, op->args[1], op->args[2])) {
        uint64_t a = arg_val(ctx, op->args[1]), b = arg_val(ctx, op->args[2]);
        if (!binop_undefined(op, a, b)) {
            return fold_to_const(ctx, op, tcg_eval_binop(opc, a, b, is64));
        }
    }
    return rule(ctx, op);
}

/* e is the op's identity (x op e = e op x = x): the result is the other operand. */
static bool fold_identity(OptContext *ctx, TCGOp *op, int64_t e)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (arg_is(ctx, op, b, e)) {
        return fold_to_copy(ctx, op, a);
    }
    if (arg_is(ctx, op, a, e)) {
        return fold_to_copy(ctx, op, b);
    }
    return false;
}

/* z absorbs (x op z = z op x = z): the result is z. */
static bool fold_absorbing(OptContext *ctx, TCGOp *op, int64_t z)
{
    if (arg_is(ctx, op, op->args[1], z) || arg_is(ctx, op, op->args[2], z)) {
        return fold_to_const(ctx, op, (uint64_t)z);
    }
    return false;
}

static bool fold_add(OptContext *ctx, TCGOp *op)
{
    return fold_identity(ctx, op, 0);
}

static bool fold_sub(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (a == b) {
        return fold_to_const(ctx, op, 0);
    }
    if (arg_is(ctx, op, b, 0)) {
        return fold_to_copy(ctx, op, a);
    }
    if (arg_is(ctx, op, a, 0)) {
        op_become(op, TCG_OP_NEG);
        op->args[1] = b;
    }
    return false;
}

static bool fold_mul(OptContext *ctx, TCGOp *op)
{
    return fold_absorbing(ctx, op, 0) || fold_identity(ctx, op, 1);
}

/* Both halves known: the op becomes two movs, the second one inserted after it. */
static bool fold_mul2(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[2], b = op->args[3];
    uint64_t lo = 0, hi = 0;
    if (args_const(ctx, a, b)) {
        tcg_eval_mul2((TCGOpcode)op->opc, arg_val(ctx, a), arg_val(ctx, b), op_is64(op), &lo, &hi);
    } else if (!arg_is(ctx, op, a, 0) && !arg_is(ctx, op, b, 0)) {
        return false;
    }
    TCGContext *s = ctx->s;
    size_t i = (size_t)(op - s->ops);
    TCGArg hi_dst = op->args[1];
    TCGArg lo_src = opt_constant(ctx, (TCGType)op->type, lo);
    TCGArg hi_src = opt_constant(ctx, (TCGType)op->type, hi);
    TCGOp *mov_hi = insert_op_after(ctx, op, TCG_OP_MOV);
    mov_hi->args[0] = hi_dst;
    mov_hi->args[1] = hi_src;
    return fold_to_copy(ctx, &s->ops[i], lo_src);
}

static bool fold_div(OptContext *ctx, TCGOp *op)
{
    bool is_rem = op->opc == TCG_OP_REMS || op->opc == TCG_OP_REMU;
    if (arg_is(ctx, op, op->args[2], 1)) {
        return is_rem ? fold_to_const(ctx, op, 0) : fold_to_copy(ctx, op, op->args[1]);
    }
    return false;
}

/* and, or: 0 (and) or -1 (or) absorbs, its complement is the identity, x op x = x. */
static bool fold_and_or(OptContext *ctx, TCGOp *op)
{
    int64_t z = op->opc == TCG_OP_AND ? 0 : -1;
    if (fold_absorbing(ctx, op, z)) {
        return true;
    }
    if (op->args[1] == op->args[2]) {
        return fold_to_copy(ctx, op, op->args[1]);
    }
    return fold_identity(ctx, op, ~z);
}

static bool fold_xor(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (a == b) {
        return fold_to_const(ctx, op, 0);
    }
    if (fold_identity(ctx, op, 0)) {
        return true;
    }
    if (arg_is(ctx, op, a, -1) || arg_is(ctx, op, b, -1)) {
        op_become(op, TCG_OP_NOT);
        op->args[1] = arg_is(ctx, op, a, -1) ? b : a;
    }
    return false;
}

static bool fold_andc(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (a == b || arg_is(ctx, op, a, 0) || arg_is(ctx, op, b, -1)) {
        return fold_to_const(ctx, op, 0);
    }
    if (arg_is(ctx, op, b, 0)) {
        return fold_to_copy(ctx, op, a);
    }
    return false;
}

static bool fold_orc(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (a == b || arg_is(ctx, op, a, -1) || arg_is(ctx, op, b, 0)) {
        return fold_to_const(ctx, op, ~(uint64_t)0);
    }
    if (arg_is(ctx, op, b, -1)) {
        return fold_to_copy(ctx, op, a);
    }
    return false;
}

/* shl, shr, sar by 0. (A constant count outside [0, N) is undefined: binop_undefined
 * keeps it out of the generic step.) */
static bool fold_shift(OptContext *ctx, TCGOp *op)
{
    if (arg_is(ctx, op, op->args[2], 0)) {
        return fold_to_copy(ctx, op, op->args[1]);
    }
    return false;
}

static bool fold_rotate(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1], b = op->args[2];
    if (arg_is(ctx, op, a, 0) || arg_is(ctx, op, a, -1)) {
        return fold_to_copy(ctx, op, a);
    }
    if (arg_is_const(ctx, b) && (arg_val(ctx, b) & (op_bits(op) - 1)) == 0) {
        return fold_to_copy(ctx, op, a);
    }
    return false;
}

/* clz, ctz: a known a != 0 decides the result whatever the if-zero input is. */
static bool fold_count_zeros(OptContext *ctx, TCGOp *op)
{
    TCGArg a = op->args[1];
    if (!arg_is_const(ctx, a)) {
        return false;
    }
    if (arg_is(ctx, op, a, 0)) {
        return fold_to_copy(ctx, op, op->args[2]);
    }
    return fold_to_const(ctx, op,
                         tcg_eval_binop((TCGOpcode)op->opc, arg_val(ctx, a), 0, op_is64(op)));
}

/* Bit fields: a whole-width field is the input itself. */

static bool fold_extract(OptContext *ctx, TCGOp *op)
{
    unsigned pos = (unsigned)op->args[2], len = (unsigned)op->args[3];
    if (pos == 0 && len == op_bits(op)) {
        return fold_to_copy(ctx, op, op->args[1]);
    }
    if (!arg_is_const(ctx, op->args[1])) {
        return false;
    }
    bool sign = op->opc == TCG_OP_SEXTRACT;
    return fold_to_const(ctx, op,
                         tcg_eval_extract(arg_val(ctx, op->args[1]), pos, len, sign, op_is64(op)));
}

static bool fold_deposit(OptContext *ctx, TCGOp *op)
{
    TCGArg base = op->args[1], field = op->args[2];
    unsigned pos = (unsigned)op->args[3], len = (unsigned)op->args[4];
    if (pos == 0 && len == op_bits(op)) {
        return fold_to_copy(ctx, op, field);
    }
    if (!args_const(ctx, base, field)) {
        return false;
    }
    return fold_to_const(
        ctx, op, tcg_eval_deposit(arg_val(ctx, base), arg_val(ctx, field), pos, len, op_is64(op)));
}

/*
 * Applies the op's rule. True when the rule accounted for the op's outputs (it made the
 * op a mov, a branch or a nop); false leaves them holding unknown values.
 */
static bool fold_op(OptContext *ctx, TCGOp *op)
{
    switch ((TCGOpcode)op->opc) {
    case TCG_OP_MOV: return fold_mov(ctx, op);
    case TCG_OP_SET_LABEL: return fold_set_label(ctx, op);
    case TCG_OP_BR: return fold_br(ctx, op);
    case TCG_OP_BRCOND: return fold_brcond(ctx, op);
    case TCG_OP_SETCOND:
    case TCG_OP_NEGSETCOND: return fold_setcond(ctx, op);
    case TCG_OP_MOVCOND: return fold_movcond(ctx, op);
    case TCG_OP_ADD: return fold_value(ctx, op, fold_add);
    case TCG_OP_SUB: return fold_value(ctx, op, fold_sub);
    case TCG_OP_MUL: return fold_value(ctx, op, fold_mul);
    case TCG_OP_MULU2:
    case TCG_OP_MULS2: return fold_mul2(ctx, op);
    case TCG_OP_DIVS:
    case TCG_OP_DIVU:
    case TCG_OP_REMS:
    case TCG_OP_REMU: return fold_value(ctx, op, fold_div);
    case TCG_OP_AND:
    case TCG_OP_OR: return fold_value(ctx, op, fold_and_or);
    case TCG_OP_XOR: return fold_value(ctx, op, fold_xor);
    case TCG_OP_ANDC: return fold_value(ctx, op, fold_andc);
    case TCG_OP_ORC: return fold_value(ctx, op, fold_orc);
    case TCG_OP_SHL:
    case TCG_OP_SHR:
    case TCG_OP_SAR: return fold_value(ctx, op, fold_shift);
    case TCG_OP_ROTL:
    case TCG_OP_ROTR: return fold_value(ctx, op, fold_rotate);
    case TCG_OP_CLZ:
    case TCG_OP_CTZ: return fold_value(ctx, op, fold_count_zeros);
    case TCG_OP_NEG:
    case TCG_OP_NOT:
    case TCG_OP_EXT8S:
    case TCG_OP_EXT8U:
    case TCG_OP_EXT16S:
    case TCG_OP_EXT16U:
    case TCG_OP_EXT32S:
    case TCG_OP_EXT32U:
    case TCG_OP_EXTS_I32_I64:
    case TCG_OP_EXTU_I32_I64:
    case TCG_OP_EXTRL_I64_I32:
    case TCG_OP_EXTRH_I64_I32:
    case TCG_OP_BSWAP16:
    case TCG_OP_BSWAP32:
    case TCG_OP_BSWAP64:
    case TCG_OP_CTPOP: return fold_value(ctx, op, fold_no_rule);
    case TCG_OP_EXTRACT:
    case TCG_OP_SEXTRACT: return fold_extract(ctx, op);
    case TCG_OP_DEPOSIT: return fold_deposit(ctx, op);
    case TCG_OP_CALL: return fold_call(ctx, op);
    case TCG_OP_EXIT_TB:
    case TCG_OP_GOTO_PTR: return fold_exit(ctx, op);
    case TCG_OP_NOP:
    case TCG_OP_DISCARD:
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
    case TCG_OP_ST64:
    case TCG_OP_GUEST_LD:
    case TCG_OP_GUEST_ST:
    case TCG_OP_INSN_START:
    case TCG_OP_GOTO_TB:
    case TCG_OP_MB: return fold_no_rule(ctx, op);
    case TCG_OP_COUNT: break;
    }
    g_assert_not_reached();
}

static void optimize_forward(OptContext *ctx)
{
    TCGContext *s = ctx->s;
    /* s->nb_ops, not a copy: fold_mul2 may insert an op. */
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        /* Insn starts stay: the TB's instruction map needs one per guest instruction. */
        if (ctx->unreachable && op->opc != TCG_OP_SET_LABEL && op->opc != TCG_OP_INSN_START) {
            remove_op(ctx, op);
            continue;
        }
        propagate_copies(ctx, op);
        if (!fold_op(ctx, op)) {
            forget_outputs(ctx, op);
        }
    }
}

/* Dead code, walking backward with live[] over temps. */

typedef struct DeadCode {
    TCGContext *s;
    bool *live;
    bool *read_local; /* the local is read somewhere in the TB */
} DeadCode;

static void mark_globals_live(DeadCode *dc)
{
    for (uint32_t k = 0; k < dc->s->nb_used_globals; k++) {
        dc->live[dc->s->used_globals[k]] = true;
    }
}

/* Where a branch goes, what is live is unknown here: everything that may be. */
static void mark_live_at_branch(DeadCode *dc)
{
    mark_globals_live(dc);
    for (uint32_t i = dc->s->nb_globals; i < dc->s->nb_temps; i++) {
        dc->live[i] |= dc->read_local[i];
    }
}

static void mark_inputs_live(DeadCode *dc, const TCGOp *op)
{
    for (unsigned i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        dc->live[op->args[i]] = true;
    }
}

static bool op_is_pure(const TCGOp *op)
{
    if (op->opc == TCG_OP_CALL) {
        return call_info(op)->flags & TCG_CALL_NO_SIDE_EFFECTS;
    }
    return !(tcg_op_defs[op->opc].flags &
             (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT));
}

/* Globals must be in memory for the op: a helper may read them, a fault exposes them. */
static bool op_reads_globals(const TCGOp *op)
{
    if (op->opc == TCG_OP_CALL) {
        return !(call_info(op)->flags & TCG_CALL_NO_READ_GLOBALS);
    }
    return tcg_op_defs[op->opc].flags & TCG_OPF_CAN_FAULT;
}

static bool outputs_dead(DeadCode *dc, const TCGOp *op)
{
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        if (dc->live[op->args[i]]) {
            return false;
        }
    }
    return true;
}

/* The op's results are not used: drop it, or keep only the half of a mul2 that is. */
static bool remove_dead_op(OptContext *ctx, DeadCode *dc, TCGOp *op)
{
    if (!op_is_pure(op)) {
        return false;
    }
    if (outputs_dead(dc, op)) {
        remove_op(ctx, op);
        return true;
    }
    if ((op->opc == TCG_OP_MULU2 || op->opc == TCG_OP_MULS2) && !dc->live[op->args[1]]) {
        op_become(op, TCG_OP_MUL); /* the low half does not depend on signedness */
        op->args[1] = op->args[2];
        op->args[2] = op->args[3];
    }
    return false;
}

static void dead_code_op(OptContext *ctx, DeadCode *dc, TCGOp *op)
{
    unsigned flags = tcg_op_defs[op->opc].flags;
    if (op->opc == TCG_OP_SET_LABEL) {
        if (ctx->label_refs[op->args[0]] == 0) {
            remove_op(ctx, op);
        }
        return;
    }
    if (flags & TCG_OPF_BB_EXIT) {
        memset(dc->live, 0, dc->s->nb_temps * sizeof(bool));
        mark_globals_live(dc);
    } else if (flags & TCG_OPF_BB_END) {
        if (!(flags & TCG_OPF_COND_BRANCH)) {
            memset(dc->live, 0, dc->s->nb_temps * sizeof(bool));
        }
        mark_live_at_branch(dc);
    } else if (remove_dead_op(ctx, dc, op)) {
        return;
    }
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        dc->live[op->args[i]] = false;
    }
    if (op_reads_globals(op)) {
        mark_globals_live(dc);
    }
    mark_inputs_live(dc, op);
}

static void remove_dead_code(OptContext *ctx)
{
    TCGContext *s = ctx->s;
    DeadCode dc = {s, g_new0(bool, s->nb_temps), g_new0(bool, s->nb_temps)};
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        for (unsigned j = op->nb_oargs; j < op->nb_oargs + op->nb_iargs; j++) {
            dc.read_local[op->args[j]] |= s->temps[op->args[j]].kind == TEMP_LOCAL;
        }
    }
    mark_globals_live(&dc); /* at the end of the TB */
    for (uint32_t i = s->nb_ops; i-- > 0;) {
        if (s->ops[i].opc != TCG_OP_NOP) {
            dead_code_op(ctx, &dc, &s->ops[i]);
        }
    }
    g_free(dc.live);
    g_free(dc.read_local);
}

static void count_label_refs(OptContext *ctx)
{
    TCGContext *s = ctx->s;
    ctx->label_refs = g_new0(uint32_t, MAX(s->nb_labels, 1));
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        uint32_t *refs = branch_label_ref(ctx, &s->ops[i]);
        if (refs) {
            (*refs)++;
        }
    }
}

void tcg_optimize(TCGContext *s)
{
    OptContext ctx = {.s = s, .gen = 1};
    tcg_scan_globals(s);
    info_reserve(&ctx);
    count_label_refs(&ctx);
    optimize_forward(&ctx);
    remove_dead_code(&ctx);
    g_free(ctx.info);
    g_free(ctx.label_refs);
}

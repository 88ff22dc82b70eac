/*
 * Register allocation for one TB, op by op (see regalloc.h). The allocator owns the
 * register state of every temp between tcg_regalloc_start() and the end of the TB; each
 * op goes through the same steps: place the inputs where the constraints say, clear the
 * registers the op destroys, forget inputs that die, release everything at a basic-block
 * end, pick output registers, emit, then write back or forget outputs as liveness says.
 */
#include "tcg/regalloc.h"

#include <string.h>

typedef struct OpState {
    const TCGOp *op;
    const TCGConstraintSet *ct;
    TCGRegSet i_regs;   /* registers holding this op's inputs */
    TCGRegSet clobbers; /* the op's clobbers and fixed output registers */
    TCGArg args[TCG_MAX_OP_ARGS];
    bool const_args[TCG_MAX_OP_ARGS];
} OpState;

static bool in_set(TCGRegSet set, int r)
{
    return (set >> r) & 1;
}

/* The lowest register of a non-empty set; loops take it off with set &= set - 1, so that
 * they visit only the registers in the set, not all TCG_REGALLOC_MAX_REGS. */
static int first_reg(TCGRegSet set)
{
    return __builtin_ctz(set);
}

static bool single_reg(TCGRegSet set)
{
    return set != 0 && (set & (set - 1)) == 0;
}

static TCGTemp *reg_temp(TCGRegAlloc *ra, int r)
{
    return ra->reg_to_temp[r] < 0 ? NULL : &ra->s->temps[ra->reg_to_temp[r]];
}

static bool const_valued(const TCGTemp *t)
{
    return t->kind == TEMP_CONST || t->val_type == TEMP_VAL_CONST;
}

static bool arg_dead(const TCGOp *op, unsigned i)
{
    return op->life & TCG_LIFE_DEAD(i);
}

/* Whether temp idx is an input of op whose value dies there. */
static bool dead_input(const TCGOp *op, TCGArg idx)
{
    for (unsigned i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        if (op->args[i] == idx && arg_dead(op, i)) {
            return true;
        }
    }
    return false;
}

static bool is_output(const TCGOp *op, TCGArg idx)
{
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        if (op->args[i] == idx) {
            return true;
        }
    }
    return false;
}

static void temp_unbind(TCGRegAlloc *ra, TCGTemp *t)
{
    if (t->val_type == TEMP_VAL_REG) {
        ra->reg_to_temp[t->reg] = -1;
        t->reg = -1;
    }
}

static void temp_bind(TCGRegAlloc *ra, TCGTemp *t, int r, bool coherent)
{
    temp_unbind(ra, t);
    ra->reg_to_temp[r] = (int32_t)(t - ra->s->temps);
    t->reg = (int8_t)r;
    t->val_type = TEMP_VAL_REG;
    t->mem_coherent = coherent;
}

/* The memory home of a global or local; a local gets its spill slot on first need. */
static void temp_home(TCGRegAlloc *ra, TCGTemp *t, int *base, int32_t *offset)
{
    if (t->kind == TEMP_GLOBAL) {
        *base = ra->env_reg;
        *offset = t->mem_offset;
        return;
    }
    if (!t->mem_allocated) {
        if (ra->frame_next + 8 > ra->frame_end) {
            ra->frame_full = true; /* the code is discarded; any slot will do meanwhile */
            t->mem_offset = ra->frame_end - 8;
        } else {
            t->mem_offset = ra->frame_next;
            ra->frame_next += 8;
            t->mem_allocated = true;
        }
    }
    *base = ra->t->frame_reg;
    *offset = t->mem_offset;
}

/* Makes t's memory home current; t keeps its register or constant. */
static void temp_sync(TCGRegAlloc *ra, TCGTemp *t)
{
    int base;
    int32_t offset;
    if ((t->kind != TEMP_GLOBAL && t->kind != TEMP_LOCAL) || t->mem_coherent ||
        (t->val_type != TEMP_VAL_REG && t->val_type != TEMP_VAL_CONST)) {
        return;
    }
    temp_home(ra, t, &base, &offset);
    if (t->val_type == TEMP_VAL_REG) {
        ra->t->st(ra->ctx, (TCGType)t->type, t->reg, base, offset);
    } else if (!ra->t->sti(ra->ctx, (TCGType)t->type, t->val, base, offset)) {
        ra->t->movi(ra->ctx, (TCGType)t->type, ra->t->scratch, t->val);
        ra->t->st(ra->ctx, (TCGType)t->type, ra->t->scratch, base, offset);
    }
    t->mem_coherent = true;
}

/* Drops t from its register or constant state, keeping its value in memory. */
static void temp_release(TCGRegAlloc *ra, TCGTemp *t)
{
    if (t->kind == TEMP_FIXED) {
        return;
    }
    if (t->kind == TEMP_CONST) {
        temp_unbind(ra, t);
        t->val_type = TEMP_VAL_CONST;
        return;
    }
    if (t->val_type == TEMP_VAL_REG || t->val_type == TEMP_VAL_CONST) {
        temp_sync(ra, t);
        temp_unbind(ra, t);
        t->val_type = TEMP_VAL_MEM;
    }
}

/*
 * t's current value is not read again. A global's home then holds whatever later code
 * may read (liveness wrote it back where needed); a local's slot likewise.
 */
static void temp_dead(TCGRegAlloc *ra, TCGTemp *t)
{
    switch ((TCGTempKind)t->kind) {
    case TEMP_FIXED: return;
    case TEMP_CONST:
        temp_unbind(ra, t);
        t->val_type = TEMP_VAL_CONST;
        return;
    case TEMP_GLOBAL:
        temp_unbind(ra, t);
        t->val_type = TEMP_VAL_MEM;
        return;
    case TEMP_LOCAL:
        temp_unbind(ra, t);
        t->val_type = t->mem_allocated ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
        return;
    }
}

static int find_free(TCGRegAlloc *ra, TCGRegSet want)
{
    want &= ra->allocatable;
    for (unsigned i = 0; i < ra->t->nb_order; i++) {
        int r = ra->t->order[i];
        if (in_set(want, r) && ra->reg_to_temp[r] < 0) {
            return r;
        }
    }
    return -1;
}

/*
 * Frees register r for the current op. A temp that still needs its value moves to a
 * free register outside forbid, or else goes to memory; either way the value stays in r
 * until the op's own code overwrites it.
 */
static void reg_evict(TCGRegAlloc *ra, int r, TCGRegSet forbid)
{
    TCGTemp *t = reg_temp(ra, r);
    if (!t) {
        return;
    }
    if (t->kind != TEMP_CONST) {
        int r2 = find_free(ra, ~(forbid | (1u << r)));
        if (r2 >= 0) {
            ra->t->mov(ra->ctx, (TCGType)t->type, r2, r);
            temp_bind(ra, t, r2, t->mem_coherent);
            return;
        }
    }
    temp_release(ra, t);
}

/* A register in want and not in forbid, emptied if need be. */
static int reg_alloc(TCGRegAlloc *ra, TCGRegSet want, TCGRegSet forbid)
{
    want &= ra->allocatable & ~forbid;
    int r = find_free(ra, want);
    if (r >= 0) {
        return r;
    }
    /* Evict the cheapest: a constant, then a value memory already holds, then any. */
    int best = -1, best_cost = 3;
    for (unsigned i = 0; i < ra->t->nb_order; i++) {
        int c = ra->t->order[i];
        if (!in_set(want, c)) {
            continue;
        }
        const TCGTemp *t = reg_temp(ra, c);
        int cost = t->kind == TEMP_CONST ? 0 : t->mem_coherent ? 1 : 2;
        if (cost < best_cost) {
            best = c;
            best_cost = cost;
        }
    }
    g_assert(best >= 0);
    reg_evict(ra, best, forbid | want);
    return best;
}

/* Emits code that puts t's value into register r (t itself stays where it is). */
static void temp_load(TCGRegAlloc *ra, TCGTemp *t, int r)
{
    int base;
    int32_t offset;
    switch ((TCGTempVal)t->val_type) {
    case TEMP_VAL_REG: ra->t->mov(ra->ctx, (TCGType)t->type, r, t->reg); return;
    case TEMP_VAL_CONST: ra->t->movi(ra->ctx, (TCGType)t->type, r, t->val); return;
    case TEMP_VAL_DEAD:
        /* A local read after a label: its value, if any, was left in its slot. */
        t->val_type = TEMP_VAL_MEM;
        /* fall through */
    case TEMP_VAL_MEM:
        temp_home(ra, t, &base, &offset);
        ra->t->ld(ra->ctx, (TCGType)t->type, r, base, offset);
        return;
    }
}

static void alloc_input(TCGRegAlloc *ra, OpState *st, unsigned i)
{
    const TCGArgConstraint *c = &st->ct->args[i];
    TCGTemp *t = tcg_temp(ra->s, st->op->args[i]);
    bool fixed = single_reg(c->regs);

    if (const_valued(t) && c->consts && ra->t->const_ok((TCGType)t->type, t->val, c->consts)) {
        st->args[i] = (TCGArg)t->val;
        st->const_args[i] = true;
        return;
    }
    int r;
    if (t->val_type == TEMP_VAL_REG && in_set(c->regs, t->reg) &&
        (fixed || !in_set(st->clobbers, t->reg))) {
        r = t->reg; /* possibly shared with an earlier input holding the same temp */
    } else {
        r = reg_alloc(ra, c->regs, st->i_regs | (fixed ? 0 : st->clobbers));
        bool keep = !in_set(st->clobbers, r);
        if (t->val_type == TEMP_VAL_REG) {
            ra->t->mov(ra->ctx, (TCGType)t->type, r, t->reg);
            /* A temp in a register the op destroys moves rather than being copied. */
            if (keep && t->kind != TEMP_FIXED && in_set(st->clobbers, t->reg)) {
                temp_bind(ra, t, r, t->mem_coherent);
            }
        } else {
            bool from_mem = t->val_type != TEMP_VAL_CONST;
            temp_load(ra, t, r);
            if (keep && (from_mem || t->kind == TEMP_CONST)) {
                temp_bind(ra, t, r, true);
            }
        }
    }
    st->i_regs |= 1u << r;
    st->args[i] = (TCGArg)r;
}

/* Inputs with a fixed register first, so that others do not take it. */
static void alloc_inputs(TCGRegAlloc *ra, OpState *st)
{
    unsigned first = st->op->nb_oargs, end = first + st->op->nb_iargs;
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned i = first; i < end; i++) {
            if (single_reg(st->ct->args[i].regs) == (pass == 0)) {
                alloc_input(ra, st, i);
            }
        }
    }
}

static void evict_clobbers(TCGRegAlloc *ra, OpState *st)
{
    for (TCGRegSet set = st->clobbers; set; set &= set - 1) {
        int r = first_reg(set);
        TCGTemp *t = reg_temp(ra, r);
        if (!t) {
            continue;
        }
        TCGArg idx = (TCGArg)(t - ra->s->temps);
        if (dead_input(st->op, idx) || is_output(st->op, idx)) {
            temp_dead(ra, t);
        } else {
            reg_evict(ra, r, st->i_regs | st->clobbers);
        }
    }
}

static void free_dead_inputs(TCGRegAlloc *ra, const TCGOp *op)
{
    for (unsigned i = op->nb_oargs; i < op->nb_oargs + op->nb_iargs; i++) {
        if (arg_dead(op, i)) {
            temp_dead(ra, tcg_temp(ra->s, op->args[i]));
        }
    }
}

/* Basic-block end or TB exit: every value goes to (or stays in) its home. */
static void release_all(TCGRegAlloc *ra)
{
    for (uint32_t k = 0, n = tcg_scan_count(ra->s); k < n; k++) {
        temp_release(ra, tcg_temp(ra->s, tcg_scan_index(ra->s, k)));
    }
}

/* A free register that held one of the op's inputs (dead, or a scratch copy), or -1. */
static int reuse_input_reg(TCGRegAlloc *ra, const OpState *st, TCGRegSet want)
{
    for (unsigned i = st->op->nb_oargs; i < st->op->nb_oargs + st->op->nb_iargs; i++) {
        int r = (int)st->args[i];
        if (!st->const_args[i] && in_set(want & ra->allocatable, r) && ra->reg_to_temp[r] < 0) {
            return r;
        }
    }
    return -1;
}

static void alloc_outputs(TCGRegAlloc *ra, OpState *st)
{
    TCGRegSet o_regs = 0;
    for (unsigned j = 0; j < st->op->nb_oargs; j++) {
        const TCGArgConstraint *c = &st->ct->args[j];
        int r = -1;
        if (single_reg(c->regs)) {
            r = __builtin_ctz(c->regs);
        } else if (!c->newreg) {
            r = reuse_input_reg(ra, st, c->regs & ~(o_regs | st->clobbers));
        }
        if (r < 0) {
            r = reg_alloc(ra, c->regs, o_regs | st->i_regs | st->clobbers);
        }
        temp_bind(ra, tcg_temp(ra->s, st->op->args[j]), r, false);
        o_regs |= 1u << r;
        st->args[j] = (TCGArg)r;
    }
}

static void finish_outputs(TCGRegAlloc *ra, const TCGOp *op)
{
    for (unsigned j = 0; j < op->nb_oargs; j++) {
        TCGTemp *t = tcg_temp(ra->s, op->args[j]);
        if (op->life & TCG_LIFE_SYNC(j)) {
            temp_sync(ra, t);
        }
        if (op->life & TCG_LIFE_DEAD(j)) {
            temp_dead(ra, t);
        }
    }
}

static bool ends_bb(const TCGOp *op)
{
    unsigned flags = tcg_op_defs[op->opc].flags;
    return ((flags & TCG_OPF_BB_END) && !(flags & TCG_OPF_COND_BRANCH)) ||
           op->opc == TCG_OP_GOTO_TB;
}

static void alloc_op(TCGRegAlloc *ra, const TCGOp *op)
{
    /* Not zeroed whole: this runs for every op, and args are all written before use. */
    OpState st;
    st.op = op;
    st.ct = ra->t->constraints(ra->ctx, op);
    st.i_regs = 0;
    memset(st.const_args, 0, sizeof(st.const_args));
    unsigned nb_args = op->nb_oargs + op->nb_iargs;
    g_assert(nb_args <= TCG_CT_MAX_ARGS);

    st.clobbers = st.ct->clobbers;
    for (unsigned j = 0; j < op->nb_oargs; j++) {
        if (single_reg(st.ct->args[j].regs)) {
            st.clobbers |= st.ct->args[j].regs;
        }
    }
    alloc_inputs(ra, &st);
    evict_clobbers(ra, &st);
    free_dead_inputs(ra, op);
    if (ends_bb(op)) {
        release_all(ra);
    }
    alloc_outputs(ra, &st);
    for (unsigned k = 0; k < tcg_op_defs[op->opc].nb_cargs; k++) {
        st.args[nb_args + k] = op->args[nb_args + k];
    }
    ra->t->emit(ra->ctx, op, st.args, st.const_args);
    finish_outputs(ra, op);
}

static void alloc_mov(TCGRegAlloc *ra, const TCGOp *op)
{
    TCGTemp *out = tcg_temp(ra->s, op->args[0]);
    TCGTemp *in = tcg_temp(ra->s, op->args[1]);
    bool in_dead = arg_dead(op, 1);

    if (out == in) {
        return;
    }
    if (const_valued(in)) {
        int64_t val = in->val;
        temp_unbind(ra, out);
        out->val_type = TEMP_VAL_CONST;
        out->val = val;
        out->mem_coherent = false;
    } else if (in->val_type == TEMP_VAL_REG && in_dead && in->kind != TEMP_FIXED) {
        int r = in->reg;
        temp_dead(ra, in);
        temp_bind(ra, out, r, false); /* the register changes hands: no code */
    } else {
        TCGRegSet forbid = in->val_type == TEMP_VAL_REG ? 1u << in->reg : 0;
        int r = out->val_type == TEMP_VAL_REG && !in_set(forbid, out->reg)
                    ? out->reg
                    : reg_alloc(ra, ra->allocatable, forbid);
        temp_load(ra, in, r);
        temp_bind(ra, out, r, false);
    }
    if (in_dead) {
        temp_dead(ra, in);
    }
    finish_outputs(ra, op);
}

/* Moves register-held arguments into the argument registers, resolving cycles. */
static void call_reg_args(TCGRegAlloc *ra, const TCGOp *op)
{
    const TCGRegAllocTarget *tg = ra->t;
    int8_t src[TCG_REGALLOC_MAX_REGS];
    TCGRegSet pending = 0;

    for (unsigned k = 0; k < op->nb_iargs; k++) {
        const TCGTemp *t = tcg_temp(ra->s, op->args[op->nb_oargs + k]);
        int dst = tg->call_args[k];
        if (t->val_type == TEMP_VAL_REG && t->reg != dst) {
            src[dst] = t->reg;
            pending |= 1u << dst;
        }
    }
    while (pending) {
        int dst = -1;
        for (TCGRegSet ds = pending; ds && dst < 0; ds &= ds - 1) {
            int d = first_reg(ds);
            bool busy = false;
            for (TCGRegSet s2 = pending; s2; s2 &= s2 - 1) {
                busy |= src[first_reg(s2)] == d;
            }
            dst = busy ? -1 : d;
        }
        if (dst < 0) {
            /* Every destination is still some move's source: park one in the scratch. */
            int d = first_reg(pending);
            tg->mov(ra->ctx, TCG_TYPE_I64, tg->scratch, d);
            for (TCGRegSet s2 = pending; s2; s2 &= s2 - 1) {
                if (src[first_reg(s2)] == d) {
                    src[first_reg(s2)] = tg->scratch;
                }
            }
            continue;
        }
        tg->mov(ra->ctx, TCG_TYPE_I64, dst, src[dst]);
        pending &= ~(1u << dst);
    }
}

static void alloc_call(TCGRegAlloc *ra, const TCGOp *op)
{
    const TCGRegAllocTarget *tg = ra->t;
    const TCGHelperInfo *info =
        (const TCGHelperInfo *)(uintptr_t)op->args[op->nb_oargs + op->nb_iargs];

    for (uint32_t k = 0; k < ra->s->nb_used_globals; k++) {
        TCGTemp *t = tcg_temp(ra->s, ra->s->used_globals[k]);
        if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS)) {
            temp_release(ra, t); /* reloaded after the call */
        } else if (!(info->flags & TCG_CALL_NO_READ_GLOBALS)) {
            temp_sync(ra, t);
        }
    }
    /* Call-clobbered registers keep only arguments that die here. */
    for (TCGRegSet set = tg->call_clobbers; set; set &= set - 1) {
        int r = first_reg(set);
        TCGTemp *t = reg_temp(ra, r);
        if (t && !dead_input(op, (TCGArg)(t - ra->s->temps))) {
            reg_evict(ra, r, tg->call_clobbers);
        }
    }
    call_reg_args(ra, op);
    for (unsigned k = 0; k < op->nb_iargs; k++) {
        TCGTemp *t = tcg_temp(ra->s, op->args[op->nb_oargs + k]);
        if (t->val_type != TEMP_VAL_REG) {
            temp_load(ra, t, tg->call_args[k]);
        }
    }
    tg->call(ra->ctx, info);
    free_dead_inputs(ra, op);
    for (TCGRegSet set = tg->call_clobbers; set; set &= set - 1) {
        g_assert(ra->reg_to_temp[first_reg(set)] < 0);
    }
    if (op->nb_oargs) {
        temp_bind(ra, tcg_temp(ra->s, op->args[0]), tg->call_ret, false);
        finish_outputs(ra, op);
    }
}

void tcg_regalloc_start(TCGRegAlloc *ra, TCGContext *s, const TCGRegAllocTarget *t, void *ctx,
                        TCGRegSet allocatable, int env_reg, int32_t frame_start, int32_t frame_size)
{
    *ra = (TCGRegAlloc){.s = s,
                        .t = t,
                        .ctx = ctx,
                        .allocatable = allocatable,
                        .env_reg = env_reg,
                        .frame_next = frame_start,
                        .frame_end = frame_start + frame_size};
    for (unsigned r = 0; r < TCG_REGALLOC_MAX_REGS; r++) {
        ra->reg_to_temp[r] = -1;
    }
    for (uint32_t i = 0; i < s->nb_temps; i++) {
        TCGTemp *tp = &s->temps[i];
        tp->mem_coherent = true;
        tp->mem_allocated = false;
        switch ((TCGTempKind)tp->kind) {
        case TEMP_FIXED:
            tp->val_type = TEMP_VAL_REG;
            tp->reg = (int8_t)env_reg;
            break;
        case TEMP_GLOBAL:
            tp->val_type = TEMP_VAL_MEM;
            tp->reg = -1;
            break;
        case TEMP_LOCAL:
            tp->val_type = TEMP_VAL_DEAD;
            tp->reg = -1;
            break;
        case TEMP_CONST:
            tp->val_type = TEMP_VAL_CONST;
            tp->reg = -1;
            break;
        }
    }
}

void tcg_regalloc_op(TCGRegAlloc *ra, const TCGOp *op)
{
    switch ((TCGOpcode)op->opc) {
    case TCG_OP_NOP:
    case TCG_OP_INSN_START: return;
    case TCG_OP_DISCARD: temp_dead(ra, tcg_temp(ra->s, op->args[0])); return;
    case TCG_OP_MOV: alloc_mov(ra, op); return;
    case TCG_OP_CALL: alloc_call(ra, op); return;
    default: alloc_op(ra, op); return;
    }
}

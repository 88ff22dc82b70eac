/*
 * Backward liveness pass (see liveness.h). Each temp's state, kept in TCGTemp.state
 * while the pass runs, is a pair of bits describing the program point just after the
 * op being visited: TS_DEAD (no later read from a register) and TS_MEM (needed in its
 * memory home before its next write).
 */
#include "tcg/liveness.h"

#include <string.h>

enum { TS_DEAD = 1, TS_MEM = 2 };

typedef struct Liveness {
    TCGContext *s;
    unsigned words;       /* 64-bit words per label bitmap (over non-global temps) */
    uint64_t *label_live; /* per label: locals live where the label is set */
    bool changed;
} Liveness;

static uint64_t *label_set(Liveness *lv, TCGArg label)
{
    return &lv->label_live[label * lv->words];
}

static bool set_has(const uint64_t *set, unsigned i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

/* Leaving the TB: globals go to memory, nothing else survives. */
static void la_func_end(TCGContext *s)
{
    for (uint32_t k = 0, n = tcg_scan_count(s); k < n; k++) {
        TCGTemp *t = tcg_temp(s, tcg_scan_index(s, k));
        t->state = t->kind == TEMP_GLOBAL ? TS_DEAD | TS_MEM : TS_DEAD;
    }
}

/* A basic-block end whose successor is a label where the locals in live are needed. */
static void la_bb_end(Liveness *lv, const uint64_t *live)
{
    TCGContext *s = lv->s;
    for (uint32_t k = 0, n = tcg_scan_count(s); k < n; k++) {
        uint32_t i = tcg_scan_index(s, k);
        TCGTemp *t = tcg_temp(s, i);
        switch ((TCGTempKind)t->kind) {
        case TEMP_GLOBAL: t->state = TS_DEAD | TS_MEM; break;
        case TEMP_LOCAL:
            t->state = set_has(live, i - s->nb_globals) ? TS_DEAD | TS_MEM : TS_DEAD;
            break;
        case TEMP_CONST:
        case TEMP_FIXED: t->state = TS_DEAD; break;
        }
    }
}

/* A conditional branch: the fall-through keeps its state, the target needs memory. */
static void la_bb_sync(Liveness *lv, const uint64_t *live)
{
    TCGContext *s = lv->s;
    for (uint32_t k = 0, n = tcg_scan_count(s); k < n; k++) {
        uint32_t i = tcg_scan_index(s, k);
        TCGTemp *t = tcg_temp(s, i);
        if (t->kind == TEMP_GLOBAL || (t->kind == TEMP_LOCAL && set_has(live, i - s->nb_globals))) {
            t->state |= TS_MEM;
        }
    }
}

static void la_globals(TCGContext *s, uintptr_t set, uintptr_t or)
{
    for (uint32_t k = 0; k < s->nb_used_globals; k++) {
        TCGTemp *t = tcg_temp(s, s->used_globals[k]);
        t->state = set ? set : t->state | or ;
    }
}

/* The locals needed where label is set become that label's live set. */
static void la_set_label(Liveness *lv, TCGArg label)
{
    TCGContext *s = lv->s;
    uint64_t *set = label_set(lv, label);
    for (uint32_t i = s->nb_globals; i < s->nb_temps; i++) {
        const TCGTemp *t = &s->temps[i];
        unsigned bit = i - s->nb_globals;
        if (t->kind == TEMP_LOCAL && t->state != TS_DEAD && !set_has(set, bit)) {
            set[bit / 64] |= (uint64_t)1 << (bit % 64);
            lv->changed = true;
        }
    }
    la_bb_end(lv, set);
}

static bool op_removable(TCGContext *s, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->nb_oargs == 0) {
        return false;
    }
    if (op->opc == TCG_OP_CALL) {
        const TCGHelperInfo *info =
            (const TCGHelperInfo *)(uintptr_t)op->args[op->nb_oargs + op->nb_iargs];
        if (!(info->flags & TCG_CALL_NO_SIDE_EFFECTS)) {
            return false;
        }
    } else if (def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT)) {
        return false;
    }
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        if (tcg_temp(s, op->args[i])->state != TS_DEAD) {
            return false;
        }
    }
    return true;
}

/* What the op itself does to the state of temps it does not name. */
static void la_op_effects(Liveness *lv, const TCGOp *op)
{
    TCGContext *s = lv->s;
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    const TCGArg *cargs = &op->args[op->nb_oargs + op->nb_iargs];

    switch ((TCGOpcode)op->opc) {
    case TCG_OP_SET_LABEL: la_set_label(lv, cargs[0]); return;
    case TCG_OP_BR: la_bb_end(lv, label_set(lv, cargs[0])); return;
    case TCG_OP_BRCOND: la_bb_sync(lv, label_set(lv, cargs[1])); return;
    case TCG_OP_GOTO_TB:
    case TCG_OP_EXIT_TB:
    case TCG_OP_GOTO_PTR: la_func_end(s); return;
    case TCG_OP_CALL: {
        unsigned flags = ((const TCGHelperInfo *)(uintptr_t)cargs[0])->flags;
        if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
            la_globals(s, TS_DEAD | TS_MEM, 0); /* stored before, reloaded after */
        } else if (!(flags & TCG_CALL_NO_READ_GLOBALS)) {
            la_globals(s, 0, TS_MEM);
        }
        return;
    }
    default:
        if (def->flags & TCG_OPF_CAN_FAULT) {
            la_globals(s, 0, TS_MEM);
        }
        return;
    }
}

static void la_op(Liveness *lv, TCGOp *op, bool remove)
{
    TCGContext *s = lv->s;
    TCGLifeData life = 0;

    if (op->opc == TCG_OP_NOP || op->opc == TCG_OP_INSN_START) {
        return;
    }
    if (op->opc == TCG_OP_DISCARD) {
        tcg_temp(s, op->args[0])->state = TS_DEAD;
        return;
    }
    if (remove && op_removable(s, op)) {
        op->opc = TCG_OP_NOP;
        op->nb_oargs = op->nb_iargs = 0;
        return;
    }
    for (unsigned i = 0; i < op->nb_oargs; i++) {
        TCGTemp *t = tcg_temp(s, op->args[i]);
        life |= (t->state & TS_DEAD) ? TCG_LIFE_DEAD(i) : 0;
        life |= (t->state & TS_MEM) ? TCG_LIFE_SYNC(i) : 0;
        t->state = TS_DEAD;
    }
    la_op_effects(lv, op);
    unsigned end = op->nb_oargs + op->nb_iargs;
    for (unsigned i = op->nb_oargs; i < end; i++) {
        TCGTemp *t = tcg_temp(s, op->args[i]);
        if (t->kind != TEMP_FIXED && (t->state & TS_DEAD)) {
            life |= TCG_LIFE_DEAD(i);
        }
    }
    for (unsigned i = op->nb_oargs; i < end; i++) {
        tcg_temp(s, op->args[i])->state &= ~(uintptr_t)TS_DEAD;
    }
    op->life = life;
}

static void la_pass(Liveness *lv, bool remove)
{
    TCGContext *s = lv->s;
    lv->changed = false;
    la_func_end(s);
    for (uint32_t i = s->nb_ops; i-- > 0;) {
        la_op(lv, &s->ops[i], remove);
    }
}

/* Whether some branch jumps back to a label set before it. */
static bool has_backward_branch(TCGContext *s)
{
    g_autofree uint8_t *seen = g_malloc0(s->nb_labels + 1);
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        const TCGArg *cargs = &op->args[op->nb_oargs + op->nb_iargs];
        switch ((TCGOpcode)op->opc) {
        case TCG_OP_SET_LABEL: seen[cargs[0]] = 1; break;
        case TCG_OP_BR:
            if (seen[cargs[0]]) {
                return true;
            }
            break;
        case TCG_OP_BRCOND:
            if (seen[cargs[1]]) {
                return true;
            }
            break;
        default: break;
        }
    }
    return false;
}

void tcg_liveness(TCGContext *s)
{
    tcg_scan_globals(s);
    Liveness lv = {.s = s, .words = (s->nb_temps - s->nb_globals + 63) / 64 + 1};
    lv.label_live = g_new0(uint64_t, (size_t)lv.words * (s->nb_labels + 1));
    if (has_backward_branch(s)) {
        /* Label live sets only grow, so this ends; dead ops go in the final pass only. */
        do {
            la_pass(&lv, false);
        } while (lv.changed);
    }
    la_pass(&lv, true);
    g_free(lv.label_live);
}

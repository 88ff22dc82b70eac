/*
 * TCGContext: the temp table (globals that persist, TB-local temps and constants that
 * are reset for every TB), the op array, and the label pool.
 */
#include "tcg/ir.h"
#include "tcg/tcg-op.h"

#include <string.h>

/* The constant table's first size: more than a typical TB's constants, a power of two. */
#define TCG_CONST_SLOTS_MIN 256

static const char *const cond_names[TCG_COND_COUNT] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always", [TCG_COND_EQ] = "eq",
    [TCG_COND_NE] = "ne",       [TCG_COND_LT] = "lt",         [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le",       [TCG_COND_GT] = "gt",         [TCG_COND_LTU] = "ltu",
    [TCG_COND_GEU] = "geu",     [TCG_COND_LEU] = "leu",       [TCG_COND_GTU] = "gtu",
    [TCG_COND_TSTEQ] = "tsteq", [TCG_COND_TSTNE] = "tstne",
};

const char *tcg_cond_name(TCGCond c)
{
    return c < TCG_COND_COUNT ? cond_names[c] : "?";
}

TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LEU;
    default: return c; /* symmetric: eq, ne, tst*, never, always */
    }
}

static TCGTemp *temp_alloc(TCGContext *s, TCGTempKind kind, TCGType type)
{
    if (s->nb_temps == s->temps_cap) {
        s->temps_cap = s->temps_cap ? s->temps_cap * 2 : 256;
        s->temps = g_renew(TCGTemp, s->temps, s->temps_cap);
    }
    TCGTemp *t = &s->temps[s->nb_temps++];
    *t = (TCGTemp){.kind = kind, .type = type, .reg = -1};
    return t;
}

static TCGv temp_handle(TCGContext *s, TCGTemp *t)
{
    return (TCGv){.idx = (uint32_t)(t - s->temps)};
}

TCGContext *tcg_context_new(const TCGGuestMemory *mem, unsigned insn_start_words)
{
    g_assert(insn_start_words >= 1 && insn_start_words <= TCG_MAX_INSN_START_WORDS);
    TCGContext *s = g_new0(TCGContext, 1);
    s->mem = *mem;
    s->insn_start_words = insn_start_words;
    s->labels = g_ptr_array_new();
    s->const_mask = TCG_CONST_SLOTS_MIN - 1;
    s->const_slots = g_new0(TCGConstSlot, TCG_CONST_SLOTS_MIN);
    s->const_gen = 1;
    TCGTemp *env = temp_alloc(s, TEMP_FIXED, TCG_TYPE_PTR);
    env->name = "env";
    s->env = temp_handle(s, env);
    s->nb_globals = s->nb_temps;
    return s;
}

static void label_free(gpointer p)
{
    TCGLabel *l = p;
    if (l->relocs) {
        g_array_free(l->relocs, TRUE);
    }
    g_free(l);
}

void tcg_context_free(TCGContext *s)
{
    if (!s) {
        return;
    }
    g_ptr_array_set_free_func(s->labels, label_free);
    g_ptr_array_free(s->labels, TRUE);
    g_free(s->const_slots);
    g_free(s->temps);
    g_free(s->ops);
    g_free(s->used_globals);
    g_free(s);
}

/* Starts the IR of a new TB: globals stay, everything else of the last TB goes. */
void tcg_func_start(TCGContext *s, void *tb)
{
    s->nb_temps = s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns = 0;
    s->tb = tb;
    s->nb_consts = 0;
    if (++s->const_gen == 0) { /* wrapped: entries of long ago could look current */
        memset(s->const_slots, 0, (s->const_mask + 1) * sizeof(TCGConstSlot));
        s->const_gen = 1;
    }
}

TCGv tcg_global_mem_new(TCGContext *s, TCGType type, int32_t env_offset, const char *name)
{
    g_assert(s->nb_temps == s->nb_globals); /* globals come before any TB's temps */
    TCGTemp *t = temp_alloc(s, TEMP_GLOBAL, type);
    t->mem_offset = env_offset;
    t->name = name;
    s->nb_globals = s->nb_temps;
    return temp_handle(s, t);
}

TCGv tcg_temp_new(TCGContext *s, TCGType type)
{
    TCGTemp *t = temp_alloc(s, TEMP_LOCAL, type);
    t->temp_allocated = true;
    return temp_handle(s, t);
}

static TCGConstSlot *const_slot(TCGContext *s, TCGType type, int64_t val)
{
    uint64_t h = ((uint64_t)val ^ type) * 0x9e3779b97f4a7c15ull;
    for (uint32_t i = (uint32_t)(h >> 32);; i++) {
        TCGConstSlot *e = &s->const_slots[i & s->const_mask];
        if (e->gen != s->const_gen || (e->val == val && e->type == type)) {
            return e;
        }
    }
}

/* Doubles the table, keeping this TB's entries, once it is half full. */
static void const_slots_grow(TCGContext *s)
{
    TCGConstSlot *old = s->const_slots;
    uint32_t n = s->const_mask + 1;
    s->const_slots = g_new0(TCGConstSlot, 2 * n);
    s->const_mask = 2 * n - 1;
    for (uint32_t i = 0; i < n; i++) {
        if (old[i].gen == s->const_gen) {
            *const_slot(s, (TCGType)old[i].type, old[i].val) = old[i];
        }
    }
    g_free(old);
}

TCGv tcg_constant(TCGContext *s, TCGType type, int64_t val)
{
    if (type == TCG_TYPE_I32) {
        val = (int32_t)val;
    }
    TCGConstSlot *e = const_slot(s, type, val);
    if (e->gen == s->const_gen) {
        return (TCGv){.idx = e->idx};
    }
    TCGTemp *t = temp_alloc(s, TEMP_CONST, type);
    t->val = val;
    t->val_type = TEMP_VAL_CONST;
    *e = (TCGConstSlot){.val = val, .gen = s->const_gen, .idx = s->nb_temps - 1, .type = type};
    if (++s->nb_consts > (s->const_mask + 1) / 2) {
        const_slots_grow(s);
    }
    return temp_handle(s, t);
}

TCGv tcg_constant_deferred(TCGContext *s, TCGType type)
{
    TCGTemp *t = temp_alloc(s, TEMP_CONST, type);
    t->val_type = TEMP_VAL_CONST;
    return temp_handle(s, t);
}

void tcg_constant_set(TCGContext *s, TCGv t, int64_t val)
{
    g_assert(t.idx < s->nb_temps && s->temps[t.idx].kind == TEMP_CONST);
    TCGTemp *tmp = &s->temps[t.idx];
    tmp->val = tmp->type == TCG_TYPE_I32 ? (int32_t)val : val;
}

TCGv tcg_env(TCGContext *s)
{
    return s->env;
}

TCGType tcg_type_of(TCGContext *s, TCGv t)
{
    g_assert(t.idx < s->nb_temps);
    return (TCGType)s->temps[t.idx].type;
}

TCGLabel *tcg_new_label(TCGContext *s)
{
    if (s->nb_labels == s->labels->len) {
        g_ptr_array_add(s->labels, g_new0(TCGLabel, 1));
    }
    TCGLabel *l = g_ptr_array_index(s->labels, s->nb_labels);
    GArray *relocs = l->relocs;
    *l = (TCGLabel){.id = s->nb_labels++, .relocs = relocs};
    if (relocs) {
        g_array_set_size(relocs, 0);
    }
    return l;
}

TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type)
{
    if (s->nb_ops == s->ops_cap) {
        s->ops_cap = s->ops_cap ? s->ops_cap * 2 : 512;
        s->ops = g_renew(TCGOp, s->ops, s->ops_cap);
    }
    TCGOp *op = &s->ops[s->nb_ops++];
    const TCGOpDef *def = &tcg_op_defs[opc];
    *op = (TCGOp){.opc = opc, .type = type, .nb_oargs = def->nb_oargs, .nb_iargs = def->nb_iargs};
    return op;
}

void tcg_scan_globals(TCGContext *s)
{
    for (uint32_t k = 0; k < s->nb_used_globals; k++) {
        s->temps[s->used_globals[k]].used_global = false;
    }
    s->nb_used_globals = 0;
    if (s->used_globals_cap < s->nb_globals) {
        s->used_globals_cap = s->nb_globals;
        s->used_globals = g_renew(uint32_t, s->used_globals, s->used_globals_cap);
    }
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        for (unsigned j = 0; j < op->nb_oargs + op->nb_iargs; j++) {
            TCGArg a = op->args[j];
            TCGTemp *t = &s->temps[a];
            if (a < s->nb_globals && t->kind == TEMP_GLOBAL && !t->used_global) {
                t->used_global = true;
                s->used_globals[s->nb_used_globals++] = (uint32_t)a;
            }
        }
    }
}

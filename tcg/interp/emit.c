/*
 * IR -> interpreter bytecode (format in bytecode.h). One pass over the ops: each temp has
 * a fixed operand word (a frame slot per local, env + offset per global, the value for a
 * constant), so there is no register allocation; branches are patched once the TB is
 * laid out.
 *
 * Nothing is committed: the caller commits out->size bytes. Writes past the end of the
 * buffer are dropped and reported as buffer_full.
 */
#include "tcg/interp/bytecode.h"

typedef struct PendingConst {
    uint32_t word_pos;
    uint64_t val;
} PendingConst;

typedef struct Fixup {
    uint32_t word_pos;
    uint32_t insn_pos;
    uint32_t label;
} Fixup;

typedef struct Emitter {
    TCGContext *s;
    TCGTBCode *out;
    uint8_t *buf; /* rw, 8-byte aligned */
    size_t cap;
    size_t pos;
    uint32_t insn; /* header position of the instruction being written */
    PendingConst pool[TCG_MAX_OP_ARGS];
    unsigned nb_pool;
    unsigned nb_insns_seen;
    const TCGGuestMemory *mem;
    uint32_t *opnd;      /* per temp: its operand word */
    uint32_t *label_pos; /* per label; UINT32_MAX until placed */
    GArray *fixups;
} Emitter;

static void put_at(Emitter *e, size_t pos, const void *p, size_t n)
{
    if (pos + n <= e->cap) {
        memcpy(e->buf + pos, p, n);
    }
}

static void put(Emitter *e, const void *p, size_t n)
{
    put_at(e, e->pos, p, n);
    e->pos += n;
}

static void put_word(Emitter *e, uint32_t w)
{
    put(e, &w, sizeof(w));
}

static void put_u64(Emitter *e, uint64_t v)
{
    put(e, &v, sizeof(v));
}

static void pad_to_8(Emitter *e)
{
    while (e->pos & 7) {
        put_word(e, 0);
    }
}

static void put_temp(Emitter *e, TCGArg idx)
{
    uint32_t w = e->opnd[idx];
    if ((w & OPND_KIND_MASK) == OPND_POOL) {
        g_assert(e->nb_pool < G_N_ELEMENTS(e->pool));
        e->pool[e->nb_pool++] = (PendingConst){(uint32_t)e->pos, (uint64_t)e->s->temps[idx].val};
    }
    put_word(e, w);
}

static void put_fixup(Emitter *e, uint32_t label)
{
    g_assert(label < e->s->nb_labels);
    Fixup f = {(uint32_t)e->pos, e->insn, label};
    g_array_append_val(e->fixups, f);
    put_word(e, 0);
}

static void insn_begin(Emitter *e)
{
    e->insn = (uint32_t)e->pos;
    e->nb_pool = 0;
    put_word(e, 0);
}

/* Appends the pending constants and writes the header, now that the length is known. */
static void insn_end(Emitter *e, TCGOpcode opc, TCGType type)
{
    if (e->nb_pool) {
        pad_to_8(e);
    }
    for (unsigned i = 0; i < e->nb_pool; i++) {
        uint32_t w = interp_opnd(OPND_POOL, (int32_t)(e->pos - e->insn));
        put_at(e, e->pool[i].word_pos, &w, sizeof(w));
        put_u64(e, e->pool[i].val);
    }
    uint32_t hdr = interp_header(opc, type, (uint32_t)(e->pos - e->insn));
    put_at(e, e->insn, &hdr, sizeof(hdr));
}

static uint32_t const_opnd(int64_t val)
{
    if (val >= OPND_MIN && val <= OPND_MAX) {
        return interp_opnd(OPND_IMM, (int32_t)val);
    }
    return interp_opnd(OPND_POOL, 0);
}

/* Gives every temp its operand word; false when the locals do not fit the frame. */
static bool assign_operands(Emitter *e)
{
    TCGContext *s = e->s;
    int32_t nb_slots = 0;
    for (uint32_t i = 0; i < s->nb_temps; i++) {
        const TCGTemp *t = &s->temps[i];
        switch ((TCGTempKind)t->kind) {
        case TEMP_LOCAL:
            if (nb_slots == INTERP_MAX_SLOTS) {
                return false;
            }
            e->opnd[i] = interp_opnd(OPND_SLOT, nb_slots++);
            break;
        case TEMP_GLOBAL:
            g_assert(t->mem_offset >= OPND_MIN && t->mem_offset <= OPND_MAX);
            e->opnd[i] = interp_opnd(t->type == TCG_TYPE_I32 ? OPND_G32 : OPND_G64, t->mem_offset);
            break;
        case TEMP_FIXED: e->opnd[i] = interp_opnd(OPND_ENV, 0); break;
        case TEMP_CONST: e->opnd[i] = const_opnd(t->val); break;
        }
    }
    return true;
}

/* Outputs, inputs, then each constant arg as one word. */
static void emit_generic(Emitter *e, const TCGOp *op)
{
    unsigned nb_temps = op->nb_oargs + op->nb_iargs;
    insn_begin(e);
    for (unsigned i = 0; i < nb_temps; i++) {
        put_temp(e, op->args[i]);
    }
    for (unsigned i = 0; i < tcg_op_defs[op->opc].nb_cargs; i++) {
        put_word(e, (uint32_t)op->args[nb_temps + i]);
    }
    insn_end(e, (TCGOpcode)op->opc, (TCGType)op->type);
}

/* BR label / BRCOND a, b, cond, label: the label becomes a relative offset. */
static void emit_branch(Emitter *e, const TCGOp *op)
{
    insn_begin(e);
    unsigned label_arg = 0;
    if (op->opc == TCG_OP_BRCOND) {
        put_temp(e, op->args[0]);
        put_temp(e, op->args[1]);
        put_word(e, (uint32_t)op->args[2]);
        label_arg = 3;
    }
    put_fixup(e, (uint32_t)op->args[label_arg]);
    insn_end(e, (TCGOpcode)op->opc, (TCGType)op->type);
}

/* value/address, memop, mmu_idx; the memory model is the backend's (be->mem). */
static bool emit_guest_access(Emitter *e, const TCGOp *op)
{
    emit_generic(e, op);
    return true;
}

static void emit_call(Emitter *e, const TCGOp *op)
{
    unsigned nb_temps = op->nb_oargs + op->nb_iargs;
    const TCGHelperInfo *info = (const TCGHelperInfo *)(uintptr_t)op->args[nb_temps];
    uint32_t i32_mask = 0;
    for (unsigned i = 0; i < info->nargs; i++) {
        i32_mask |= (info->args[i] == TCG_CALL_I32) << i;
    }
    InterpRet ret = info->ret == TCG_CALL_VOID  ? INTERP_RET_NONE
                    : info->ret == TCG_CALL_I32 ? INTERP_RET_I32
                                                : INTERP_RET_I64;
    insn_begin(e);
    put_word(e, info->nargs | i32_mask << INTERP_I32MASK_SHIFT | ret << INTERP_RET_SHIFT);
    put_u64(e, (uint64_t)(uintptr_t)info->func);
    for (unsigned i = 0; i < nb_temps; i++) {
        put_temp(e, op->args[i]);
    }
    insn_end(e, TCG_OP_CALL, TCG_TYPE_I64);
}

/* The slot starts at 0 (fall through); the reset target is the next instruction. */
static void emit_goto_tb(Emitter *e, const TCGOp *op)
{
    unsigned n = (unsigned)op->args[0];
    g_assert(n < 2);
    insn_begin(e);
    pad_to_8(e);
    e->out->jmp_insn_offset[n] = (uint32_t)e->pos;
    put_u64(e, 0);
    e->out->jmp_reset_offset[n] = (uint32_t)e->pos;
    insn_end(e, TCG_OP_GOTO_TB, TCG_TYPE_I64);
}

static void emit_exit_tb(Emitter *e, const TCGOp *op)
{
    uint8_t insn[INTERP_EXIT_TB_LEN];
    put(e, insn, interp_put_exit_tb(insn, op->args[0]));
}

/* Each INSN_START ends the previous guest instruction. */
static void mark_insn_start(Emitter *e)
{
    if (e->nb_insns_seen++ && e->out->insn_end) {
        uint32_t end = (uint32_t)e->pos;
        g_array_append_val(e->out->insn_end, end);
    }
}

static bool emit_op(Emitter *e, const TCGOp *op)
{
    switch ((TCGOpcode)op->opc) {
    case TCG_OP_NOP:
    case TCG_OP_DISCARD: break;
    case TCG_OP_INSN_START: mark_insn_start(e); break;
    case TCG_OP_SET_LABEL:
        g_assert(op->args[0] < e->s->nb_labels);
        e->label_pos[op->args[0]] = (uint32_t)e->pos;
        break;
    case TCG_OP_BR:
    case TCG_OP_BRCOND: emit_branch(e, op); break;
    case TCG_OP_GUEST_LD:
    case TCG_OP_GUEST_ST: return emit_guest_access(e, op);
    case TCG_OP_CALL: emit_call(e, op); break;
    case TCG_OP_GOTO_TB: emit_goto_tb(e, op); break;
    case TCG_OP_EXIT_TB: emit_exit_tb(e, op); break;
    default: emit_generic(e, op); break;
    }
    return true;
}

/* Ends the last guest instruction. */
static void emit_tail(Emitter *e)
{
    if (e->nb_insns_seen && e->out->insn_end) {
        uint32_t end = (uint32_t)e->pos;
        g_array_append_val(e->out->insn_end, end);
    }
}

static void resolve_fixups(Emitter *e)
{
    for (guint i = 0; i < e->fixups->len; i++) {
        const Fixup *f = &g_array_index(e->fixups, Fixup, i);
        uint32_t target = e->label_pos[f->label];
        g_assert(target != UINT32_MAX); /* every label used is placed */
        int32_t rel = (int32_t)(target - f->insn_pos);
        put_at(e, f->word_pos, &rel, sizeof(rel));
    }
}

static void emitter_init(Emitter *e, TCGBackend *be, TCGContext *s, TCGTBCode *out)
{
    *e = (Emitter){
        .s = s,
        .out = out,
        .buf = tcg_code_buffer_ptr(be->cb),
        .cap = tcg_code_buffer_avail(be->cb),
        .mem = &be->mem,
        .opnd = g_new(uint32_t, s->nb_temps),
        .label_pos = g_new(uint32_t, s->nb_labels),
        .fixups = g_array_new(FALSE, FALSE, sizeof(Fixup)),
    };
    g_assert(((uintptr_t)e->buf & 7) == 0);
    for (uint32_t i = 0; i < s->nb_labels; i++) {
        e->label_pos[i] = UINT32_MAX;
    }
    *out = (TCGTBCode){
        .jmp_insn_offset = {TCG_NO_JUMP, TCG_NO_JUMP},
        .jmp_reset_offset = {TCG_NO_JUMP, TCG_NO_JUMP},
        .insn_end = out->insn_end,
    };
    if (out->insn_end) {
        g_array_set_size(out->insn_end, 0);
    }
}

static void emitter_free(Emitter *e)
{
    g_free(e->opnd);
    g_free(e->label_pos);
    g_array_free(e->fixups, TRUE);
}

/*
 * Fails with *buffer_full when the buffer is too small, and without it when the TB has
 * more locals than the frame (INTERP_MAX_SLOTS) or uses guest memory in a model other
 * than user mode.
 */
bool interp_gen_code(TCGBackend *be, TCGContext *s, TCGTBCode *out, bool *buffer_full)
{
    Emitter e;
    emitter_init(&e, be, s, out);
    *buffer_full = false;
    bool ok = assign_operands(&e);
    for (uint32_t i = 0; ok && i < s->nb_ops; i++) {
        ok = emit_op(&e, &s->ops[i]);
    }
    if (ok) {
        emit_tail(&e);
        *buffer_full = e.pos > e.cap;
        ok = !*buffer_full;
    }
    if (ok) {
        resolve_fixups(&e);
        out->size = (uint32_t)e.pos;
    }
    emitter_free(&e);
    return ok;
}

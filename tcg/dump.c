/* The readable form of a TB's IR, as PADDOCK_LOG=ir prints it. */
#include <inttypes.h>

#include "tcg/ir.h"

static void dump_temp(TCGContext *s, FILE *out, TCGArg idx)
{
    const TCGTemp *t = tcg_temp(s, idx);
    switch ((TCGTempKind)t->kind) {
    case TEMP_GLOBAL:
    case TEMP_FIXED: fprintf(out, "%s", t->name); break;
    case TEMP_CONST: fprintf(out, "$0x%" PRIx64, (uint64_t)t->val); break;
    case TEMP_LOCAL: fprintf(out, "tmp%u", (unsigned)(idx - s->nb_globals)); break;
    }
}

static const char *memop_name(MemOp mo, char *buf, size_t len)
{
    static const char *const sizes[4] = {"8", "16", "32", "64"};
    g_snprintf(buf, len, "%s%s%s%s", mo & MO_SIGN ? "s" : "u", sizes[mo & MO_SIZE],
               mo & MO_BE ? "be" : "le", mo & MO_ALIGN ? "+al" : "");
    return buf;
}

static void dump_cargs(TCGContext *s, FILE *out, const TCGOp *op, const TCGArg *c)
{
    char buf[32];
    switch ((TCGOpcode)op->opc) {
    case TCG_OP_BRCOND: fprintf(out, ", %s, $L%" PRIu64, tcg_cond_name((TCGCond)c[0]), c[1]); break;
    case TCG_OP_SETCOND:
    case TCG_OP_NEGSETCOND:
    case TCG_OP_MOVCOND: fprintf(out, ", %s", tcg_cond_name((TCGCond)c[0])); break;
    case TCG_OP_SET_LABEL:
    case TCG_OP_BR: fprintf(out, "$L%" PRIu64, c[0]); break;
    case TCG_OP_GUEST_LD:
    case TCG_OP_GUEST_ST:
        fprintf(out, ", %s, mmu%" PRIu64, memop_name((MemOp)c[0], buf, sizeof(buf)), c[1]);
        break;
    case TCG_OP_CALL: fprintf(out, " <- %s", ((const TCGHelperInfo *)(uintptr_t)c[0])->name); break;
    case TCG_OP_INSN_START:
        for (unsigned i = 0; i < s->insn_start_words; i++) {
            fprintf(out, "%s0x%" PRIx64, i ? ", " : "", c[i]);
        }
        break;
    default:
        for (unsigned i = 0; i < tcg_op_defs[op->opc].nb_cargs; i++) {
            fprintf(out, "%s0x%" PRIx64, op->nb_oargs + op->nb_iargs + i ? ", " : "", c[i]);
        }
        break;
    }
}

static void dump_op(TCGContext *s, FILE *out, const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    unsigned nargs = op->nb_oargs + op->nb_iargs;

    if (op->opc == TCG_OP_INSN_START) {
        fprintf(out, " ---- ");
    } else if (op->opc == TCG_OP_SET_LABEL) {
        fprintf(out, "set_label ");
    } else {
        fprintf(out, " %s_i%d ", def->name, op->type == TCG_TYPE_I32 ? 32 : 64);
    }
    for (unsigned i = 0; i < nargs; i++) {
        if (i) {
            fputs(", ", out);
        }
        dump_temp(s, out, op->args[i]);
    }
    dump_cargs(s, out, op, op->args + nargs);
    if (op->life & 0xffff) {
        fputs("  dead:", out);
        for (unsigned i = 0; i < nargs; i++) {
            if (op->life & TCG_LIFE_DEAD(i)) {
                fprintf(out, " %u", i);
            }
        }
    }
    fputc('\n', out);
}

void tcg_dump_ops(TCGContext *s, FILE *out)
{
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        if (s->ops[i].opc != TCG_OP_NOP) {
            dump_op(s, out, &s->ops[i]);
        }
    }
}

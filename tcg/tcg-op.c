/*
 * The tcg_gen_* builders. Each checks its operands' types once, here, so that every later
 * pass may trust the IR; immediates become constant temps, which the optimizer and the
 * backends fold into instructions.
 */
#include "tcg/ir.h"
#include "tcg/tb.h"
#include "tcg/tcg-op.h"

static TCGType type_of(TCGContext *s, TCGv t)
{
    return tcg_type_of(s, t);
}

static void check_same(TCGContext *s, TCGType type, TCGv t)
{
    if (type_of(s, t) != type) {
        g_error("tcg: operand t%u is i%d where the op is i%d", t.idx,
                type_of(s, t) == TCG_TYPE_I32 ? 32 : 64, type == TCG_TYPE_I32 ? 32 : 64);
    }
}

static void check_writable(TCGContext *s, TCGv t)
{
    TCGTempKind kind = (TCGTempKind)s->temps[t.idx].kind;
    if (kind == TEMP_CONST || kind == TEMP_FIXED) {
        g_error("tcg: t%u is not writable", t.idx);
    }
}

static void gen_op1(TCGContext *s, TCGOpcode opc, TCGv ret, TCGv a)
{
    TCGType type = type_of(s, ret);
    check_writable(s, ret);
    check_same(s, type, a);
    g_assert(type == TCG_TYPE_I64 || !(tcg_op_defs[opc].flags & TCG_OPF_I64_ONLY));
    TCGOp *op = tcg_emit_op(s, opc, type);
    op->args[0] = ret.idx;
    op->args[1] = a.idx;
}

static void gen_op2(TCGContext *s, TCGOpcode opc, TCGv ret, TCGv a, TCGv b)
{
    TCGType type = type_of(s, ret);
    check_writable(s, ret);
    check_same(s, type, a);
    check_same(s, type, b);
    TCGOp *op = tcg_emit_op(s, opc, type);
    op->args[0] = ret.idx;
    op->args[1] = a.idx;
    op->args[2] = b.idx;
}

static void gen_op2i(TCGContext *s, TCGOpcode opc, TCGv ret, TCGv a, int64_t b)
{
    gen_op2(s, opc, ret, a, tcg_constant(s, type_of(s, a), b));
}

static unsigned type_bits(TCGType type)
{
    return type == TCG_TYPE_I32 ? 32 : 64;
}

void tcg_gen_mov(TCGContext *s, TCGv ret, TCGv arg)
{
    if (ret.idx != arg.idx) {
        gen_op1(s, TCG_OP_MOV, ret, arg);
    }
}

void tcg_gen_movi(TCGContext *s, TCGv ret, int64_t val)
{
    gen_op1(s, TCG_OP_MOV, ret, tcg_constant(s, type_of(s, ret), val));
}

void tcg_gen_add(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_ADD, ret, a, b);
}

void tcg_gen_addi(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_ADD, ret, a, b);
}

void tcg_gen_sub(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_SUB, ret, a, b);
}

void tcg_gen_subi(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_SUB, ret, a, b);
}

void tcg_gen_neg(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_NEG, ret, a);
}

void tcg_gen_mul(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_MUL, ret, a, b);
}

void tcg_gen_muli(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_MUL, ret, a, b);
}

static void gen_mul2(TCGContext *s, TCGOpcode opc, TCGv lo, TCGv hi, TCGv a, TCGv b)
{
    TCGType type = type_of(s, lo);
    check_writable(s, lo);
    check_writable(s, hi);
    g_assert(lo.idx != hi.idx);
    check_same(s, type, hi);
    check_same(s, type, a);
    check_same(s, type, b);
    TCGOp *op = tcg_emit_op(s, opc, type);
    op->args[0] = lo.idx;
    op->args[1] = hi.idx;
    op->args[2] = a.idx;
    op->args[3] = b.idx;
}

void tcg_gen_mulu2(TCGContext *s, TCGv lo, TCGv hi, TCGv a, TCGv b)
{
    gen_mul2(s, TCG_OP_MULU2, lo, hi, a, b);
}

void tcg_gen_muls2(TCGContext *s, TCGv lo, TCGv hi, TCGv a, TCGv b)
{
    gen_mul2(s, TCG_OP_MULS2, lo, hi, a, b);
}

void tcg_gen_div(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_DIVS, ret, a, b);
}

void tcg_gen_divu(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_DIVU, ret, a, b);
}

void tcg_gen_rem(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_REMS, ret, a, b);
}

void tcg_gen_remu(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_REMU, ret, a, b);
}

void tcg_gen_and(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_AND, ret, a, b);
}

void tcg_gen_andi(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_AND, ret, a, b);
}

void tcg_gen_or(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_OR, ret, a, b);
}

void tcg_gen_ori(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_OR, ret, a, b);
}

void tcg_gen_xor(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_XOR, ret, a, b);
}

void tcg_gen_xori(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    gen_op2i(s, TCG_OP_XOR, ret, a, b);
}

void tcg_gen_not(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_NOT, ret, a);
}

void tcg_gen_andc(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_ANDC, ret, a, b);
}

void tcg_gen_orc(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_ORC, ret, a, b);
}

void tcg_gen_shl(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_SHL, ret, a, b);
}

void tcg_gen_shli(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    g_assert(b >= 0 && b < type_bits(type_of(s, a)));
    gen_op2i(s, TCG_OP_SHL, ret, a, b);
}

void tcg_gen_shr(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_SHR, ret, a, b);
}

void tcg_gen_shri(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    g_assert(b >= 0 && b < type_bits(type_of(s, a)));
    gen_op2i(s, TCG_OP_SHR, ret, a, b);
}

void tcg_gen_sar(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_SAR, ret, a, b);
}

void tcg_gen_sari(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    g_assert(b >= 0 && b < type_bits(type_of(s, a)));
    gen_op2i(s, TCG_OP_SAR, ret, a, b);
}

void tcg_gen_rotl(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_ROTL, ret, a, b);
}

void tcg_gen_rotli(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    g_assert(b >= 0 && b < type_bits(type_of(s, a)));
    gen_op2i(s, TCG_OP_ROTL, ret, a, b);
}

void tcg_gen_rotr(TCGContext *s, TCGv ret, TCGv a, TCGv b)
{
    gen_op2(s, TCG_OP_ROTR, ret, a, b);
}

void tcg_gen_rotri(TCGContext *s, TCGv ret, TCGv a, int64_t b)
{
    g_assert(b >= 0 && b < type_bits(type_of(s, a)));
    gen_op2i(s, TCG_OP_ROTR, ret, a, b);
}

void tcg_gen_ext8s(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT8S, ret, a);
}

void tcg_gen_ext8u(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT8U, ret, a);
}

void tcg_gen_ext16s(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT16S, ret, a);
}

void tcg_gen_ext16u(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT16U, ret, a);
}

void tcg_gen_ext32s(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT32S, ret, a);
}

void tcg_gen_ext32u(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_EXT32U, ret, a);
}

static void gen_convert(TCGContext *s, TCGOpcode opc, TCGv ret, TCGType ret_type, TCGv a)
{
    check_writable(s, ret);
    check_same(s, ret_type, ret);
    check_same(s, ret_type == TCG_TYPE_I32 ? TCG_TYPE_I64 : TCG_TYPE_I32, a);
    TCGOp *op = tcg_emit_op(s, opc, ret_type);
    op->args[0] = ret.idx;
    op->args[1] = a.idx;
}

void tcg_gen_exts_i32_i64(TCGContext *s, TCGv ret, TCGv a)
{
    gen_convert(s, TCG_OP_EXTS_I32_I64, ret, TCG_TYPE_I64, a);
}

void tcg_gen_extu_i32_i64(TCGContext *s, TCGv ret, TCGv a)
{
    gen_convert(s, TCG_OP_EXTU_I32_I64, ret, TCG_TYPE_I64, a);
}

void tcg_gen_extrl_i64_i32(TCGContext *s, TCGv ret, TCGv a)
{
    gen_convert(s, TCG_OP_EXTRL_I64_I32, ret, TCG_TYPE_I32, a);
}

void tcg_gen_extrh_i64_i32(TCGContext *s, TCGv ret, TCGv a)
{
    gen_convert(s, TCG_OP_EXTRH_I64_I32, ret, TCG_TYPE_I32, a);
}

void tcg_gen_bswap16(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_BSWAP16, ret, a);
}

void tcg_gen_bswap32(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_BSWAP32, ret, a);
}

void tcg_gen_bswap64(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_BSWAP64, ret, a);
}

void tcg_gen_clz(TCGContext *s, TCGv ret, TCGv a, TCGv if_zero)
{
    gen_op2(s, TCG_OP_CLZ, ret, a, if_zero);
}

void tcg_gen_clzi(TCGContext *s, TCGv ret, TCGv a, int64_t if_zero)
{
    gen_op2i(s, TCG_OP_CLZ, ret, a, if_zero);
}

void tcg_gen_ctz(TCGContext *s, TCGv ret, TCGv a, TCGv if_zero)
{
    gen_op2(s, TCG_OP_CTZ, ret, a, if_zero);
}

void tcg_gen_ctzi(TCGContext *s, TCGv ret, TCGv a, int64_t if_zero)
{
    gen_op2i(s, TCG_OP_CTZ, ret, a, if_zero);
}

void tcg_gen_ctpop(TCGContext *s, TCGv ret, TCGv a)
{
    gen_op1(s, TCG_OP_CTPOP, ret, a);
}

static void check_field(TCGContext *s, TCGv t, unsigned pos, unsigned len)
{
    unsigned bits = type_bits(type_of(s, t));
    if (len == 0 || pos >= bits || len > bits - pos) {
        g_error("tcg: bit field (pos %u, len %u) does not fit i%u", pos, len, bits);
    }
}

static void gen_extract(TCGContext *s, TCGOpcode opc, TCGv ret, TCGv a, unsigned pos, unsigned len)
{
    check_field(s, a, pos, len);
    gen_op1(s, opc, ret, a);
    TCGOp *op = &s->ops[s->nb_ops - 1];
    op->args[2] = pos;
    op->args[3] = len;
}

void tcg_gen_extract(TCGContext *s, TCGv ret, TCGv a, unsigned pos, unsigned len)
{
    gen_extract(s, TCG_OP_EXTRACT, ret, a, pos, len);
}

void tcg_gen_sextract(TCGContext *s, TCGv ret, TCGv a, unsigned pos, unsigned len)
{
    gen_extract(s, TCG_OP_SEXTRACT, ret, a, pos, len);
}

void tcg_gen_deposit(TCGContext *s, TCGv ret, TCGv base, TCGv field, unsigned pos, unsigned len)
{
    check_field(s, base, pos, len);
    gen_op2(s, TCG_OP_DEPOSIT, ret, base, field);
    TCGOp *op = &s->ops[s->nb_ops - 1];
    op->args[3] = pos;
    op->args[4] = len;
}

static void gen_setcond(TCGContext *s, TCGOpcode opc, TCGCond cond, TCGv ret, TCGv a, TCGv b)
{
    g_assert(cond < TCG_COND_COUNT);
    gen_op2(s, opc, ret, a, b);
    s->ops[s->nb_ops - 1].args[3] = cond;
}

void tcg_gen_setcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, TCGv b)
{
    gen_setcond(s, TCG_OP_SETCOND, cond, ret, a, b);
}

void tcg_gen_setcondi(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, int64_t b)
{
    gen_setcond(s, TCG_OP_SETCOND, cond, ret, a, tcg_constant(s, type_of(s, a), b));
}

void tcg_gen_negsetcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv a, TCGv b)
{
    gen_setcond(s, TCG_OP_NEGSETCOND, cond, ret, a, b);
}

void tcg_gen_movcond(TCGContext *s, TCGCond cond, TCGv ret, TCGv c1, TCGv c2, TCGv v1, TCGv v2)
{
    TCGType type = type_of(s, ret);
    g_assert(cond < TCG_COND_COUNT);
    check_writable(s, ret);
    check_same(s, type, c1);
    check_same(s, type, c2);
    check_same(s, type, v1);
    check_same(s, type, v2);
    TCGOp *op = tcg_emit_op(s, TCG_OP_MOVCOND, type);
    op->args[0] = ret.idx;
    op->args[1] = c1.idx;
    op->args[2] = c2.idx;
    op->args[3] = v1.idx;
    op->args[4] = v2.idx;
    op->args[5] = cond;
}

void tcg_gen_set_label(TCGContext *s, TCGLabel *l)
{
    g_assert(!l->present);
    l->present = true;
    tcg_emit_op(s, TCG_OP_SET_LABEL, TCG_TYPE_I64)->args[0] = l->id;
}

void tcg_gen_br(TCGContext *s, TCGLabel *l)
{
    tcg_emit_op(s, TCG_OP_BR, TCG_TYPE_I64)->args[0] = l->id;
}

void tcg_gen_brcond(TCGContext *s, TCGCond cond, TCGv a, TCGv b, TCGLabel *l)
{
    TCGType type = type_of(s, a);
    g_assert(cond < TCG_COND_COUNT);
    check_same(s, type, b);
    TCGOp *op = tcg_emit_op(s, TCG_OP_BRCOND, type);
    op->args[0] = a.idx;
    op->args[1] = b.idx;
    op->args[2] = cond;
    op->args[3] = l->id;
}

void tcg_gen_brcondi(TCGContext *s, TCGCond cond, TCGv a, int64_t b, TCGLabel *l)
{
    tcg_gen_brcond(s, cond, a, tcg_constant(s, type_of(s, a), b), l);
}

static TCGOpcode ld_opcode(MemOp mo)
{
    static const TCGOpcode unsigned_ops[4] = {TCG_OP_LD8U, TCG_OP_LD16U, TCG_OP_LD32U, TCG_OP_LD64};
    static const TCGOpcode signed_ops[4] = {TCG_OP_LD8S, TCG_OP_LD16S, TCG_OP_LD32S, TCG_OP_LD64};
    return (mo & MO_SIGN ? signed_ops : unsigned_ops)[mo & MO_SIZE];
}

void tcg_gen_ld(TCGContext *s, TCGv ret, TCGv base, int32_t offset, MemOp size_sign)
{
    TCGType type = type_of(s, ret);
    check_writable(s, ret);
    check_same(s, TCG_TYPE_PTR, base);
    g_assert(type == TCG_TYPE_I64 || (size_sign & MO_SIZE) < MO_64);
    TCGOp *op = tcg_emit_op(s, ld_opcode(size_sign), type);
    op->args[0] = ret.idx;
    op->args[1] = base.idx;
    op->args[2] = (TCGArg)(int64_t)offset;
}

void tcg_gen_st(TCGContext *s, TCGv val, TCGv base, int32_t offset, MemOp size)
{
    static const TCGOpcode ops[4] = {TCG_OP_ST8, TCG_OP_ST16, TCG_OP_ST32, TCG_OP_ST64};
    TCGType type = type_of(s, val);
    check_same(s, TCG_TYPE_PTR, base);
    g_assert(type == TCG_TYPE_I64 || (size & MO_SIZE) < MO_64);
    TCGOp *op = tcg_emit_op(s, ops[size & MO_SIZE], type);
    op->args[0] = val.idx;
    op->args[1] = base.idx;
    op->args[2] = (TCGArg)(int64_t)offset;
}

static void check_memop(TCGType type, MemOp mo)
{
    g_assert(!(mo & ~(MO_SIZE | MO_SIGN | MO_BE | MO_ALIGN)));
    g_assert(type == TCG_TYPE_I64 || (mo & MO_SIZE) < MO_64);
}

void tcg_gen_guest_ld(TCGContext *s, TCGv ret, TCGv addr, unsigned mmu_idx, MemOp mo)
{
    TCGType type = type_of(s, ret);
    check_writable(s, ret);
    check_same(s, TCG_TYPE_I64, addr);
    check_memop(type, mo);
    TCGOp *op = tcg_emit_op(s, TCG_OP_GUEST_LD, type);
    op->args[0] = ret.idx;
    op->args[1] = addr.idx;
    op->args[2] = mo;
    op->args[3] = mmu_idx;
}

void tcg_gen_guest_st(TCGContext *s, TCGv val, TCGv addr, unsigned mmu_idx, MemOp mo)
{
    TCGType type = type_of(s, val);
    check_same(s, TCG_TYPE_I64, addr);
    check_memop(type, mo & ~MO_SIGN);
    TCGOp *op = tcg_emit_op(s, TCG_OP_GUEST_ST, type);
    op->args[0] = val.idx;
    op->args[1] = addr.idx;
    op->args[2] = mo & ~MO_SIGN;
    op->args[3] = mmu_idx;
}

static TCGType call_kind_type(TCGCallArgKind kind)
{
    return kind == TCG_CALL_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64;
}

void tcg_gen_call(TCGContext *s, const TCGHelperInfo *info, const TCGv *ret, const TCGv *args)
{
    g_assert(info->nargs <= TCG_MAX_HELPER_ARGS);
    g_assert((ret != NULL) == (info->ret != TCG_CALL_VOID));
    TCGOp *op = tcg_emit_op(s, TCG_OP_CALL, TCG_TYPE_I64);
    unsigned n = 0;
    if (ret) {
        check_writable(s, *ret);
        check_same(s, call_kind_type(info->ret), *ret);
        op->args[n++] = ret->idx;
    }
    op->nb_oargs = n;
    for (unsigned i = 0; i < info->nargs; i++) {
        check_same(s, call_kind_type(info->args[i]), args[i]);
        op->args[n++] = args[i].idx;
    }
    op->nb_iargs = info->nargs;
    op->args[n] = (TCGArg)(uintptr_t)info;
}

void tcg_gen_insn_start(TCGContext *s, const uint64_t *words)
{
    TCGOp *op = tcg_emit_op(s, TCG_OP_INSN_START, TCG_TYPE_I64);
    for (unsigned i = 0; i < s->insn_start_words; i++) {
        op->args[i] = words[i];
    }
    s->nb_insns++;
}

void tcg_gen_goto_tb(TCGContext *s, unsigned slot)
{
    g_assert(slot < 2);
    tcg_emit_op(s, TCG_OP_GOTO_TB, TCG_TYPE_I64)->args[0] = slot;
}

void tcg_gen_exit_tb(TCGContext *s, uintptr_t val)
{
    tcg_emit_op(s, TCG_OP_EXIT_TB, TCG_TYPE_I64)->args[0] = val;
}

void tcg_gen_exit_tb_slot(TCGContext *s, unsigned slot)
{
    g_assert(slot <= TB_EXIT_MASK && s->tb && ((uintptr_t)s->tb & TB_EXIT_MASK) == 0);
    tcg_gen_exit_tb(s, (uintptr_t)s->tb | slot);
}

static void gen_goto_ptr(TCGContext *s, TCGv ptr)
{
    tcg_emit_op(s, TCG_OP_GOTO_PTR, TCG_TYPE_PTR)->args[0] = ptr.idx;
}

/*
 * The vCPU's jump cache, probed inline: the entry for pc's hash, if it is a valid TB for pc
 * with this TB's flags (see tcg_gen_lookup_and_goto_ptr), else a jump to miss.
 */
static void gen_jmp_cache_probe(TCGContext *s, TCGv pc, TCGLabel *miss)
{
    const TranslationBlock *self = s->tb;
    TCGv tb = tcg_temp_new(s, TCG_TYPE_PTR);
    TCGv t = tcg_temp_new(s, TCG_TYPE_I64);
    tcg_gen_shri(s, tb, pc, TB_JMP_CACHE_BITS);
    tcg_gen_xor(s, tb, tb, pc);
    /* The byte offset of slot tb_jmp_cache_hash(pc): (tb >> 1) * 8, masked. */
    _Static_assert(sizeof(TranslationBlock *) == 8, "jump cache slots are 8 bytes");
    tcg_gen_shli(s, tb, tb, 2);
    tcg_gen_andi(s, tb, tb, (TB_JMP_CACHE_SIZE - 1) * sizeof(TranslationBlock *));
    tcg_gen_add(s, tb, tb, tcg_env(s));
    tcg_gen_ld(s, tb, tb, s->jmp_cache_offset, MO_UQ);
    tcg_gen_brcondi(s, TCG_COND_EQ, tb, 0, miss);
    tcg_gen_ld(s, t, tb, offsetof(TranslationBlock, pc), MO_UQ);
    tcg_gen_brcond(s, TCG_COND_NE, t, pc, miss);
    tcg_gen_ld(s, t, tb, offsetof(TranslationBlock, flags), MO_UQ);
    tcg_gen_brcondi(s, TCG_COND_NE, t, (int64_t)self->flags, miss);
    tcg_gen_ld(s, t, tb, offsetof(TranslationBlock, invalid), MO_UB);
    tcg_gen_brcondi(s, TCG_COND_NE, t, 0, miss);
    tcg_gen_ld(s, t, tb, offsetof(TranslationBlock, tc), MO_UQ);
    gen_goto_ptr(s, t);
}

void tcg_gen_lookup_and_goto_ptr(TCGContext *s, TCGv pc)
{
    g_assert(s->lookup_tb);
    if (s->jmp_cache_offset) {
        TCGLabel *miss = tcg_new_label(s);
        gen_jmp_cache_probe(s, pc, miss);
        tcg_gen_set_label(s, miss);
    }
    TCGv ptr = tcg_temp_new(s, TCG_TYPE_PTR);
    TCGv env = s->env;
    tcg_gen_call(s, s->lookup_tb, &ptr, &env);
    gen_goto_ptr(s, ptr);
}

void tcg_gen_mb(TCGContext *s, unsigned barrier)
{
    tcg_emit_op(s, TCG_OP_MB, TCG_TYPE_I64)->args[0] = barrier;
}

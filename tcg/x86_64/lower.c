/*
 * The x86-64 op table: for every IR op, the registers and immediates its operands
 * accept and the function that emits its code (STYLE habit 4). Guest memory, exits and
 * calls live in backend.c; everything else is here.
 *
 * Every emit function receives registers chosen by the allocator (tcg/regalloc.h): an
 * output may be the register of a dying input, so each lowering is written to be
 * correct when d equals any input register (or asks for newreg). i32 ops use the 32-bit
 * forms, whose results the IR does not need beyond bit 31.
 */
#include "tcg/x86_64/x86.h"

#define R(x)   (1u << X86_##x)
#define R_ALL  (0xffffu & ~R(RSP) & ~R(R11))
#define R_NOAD (R_ALL & ~R(RAX) & ~R(RDX))

static const TCGConstraintSet ct_r_r = {.args = {{R_ALL}, {R_ALL}}};
static const TCGConstraintSet ct_r_r_r = {.args = {{R_ALL}, {R_ALL}, {R_ALL}}};
static const TCGConstraintSet ct_r_r_re = {.args = {{R_ALL}, {R_ALL}, {R_ALL, CT_S32}}};
static const TCGConstraintSet ct_r_r_rez = {
    .args = {{R_ALL}, {R_ALL}, {R_ALL, CT_S32 | CT_ZEXT32}}};
static const TCGConstraintSet ct_r_r_ri = {.args = {{R_ALL}, {R_ALL}, {R_ALL, CT_ANY}}};
/* Variable shift counts without BMI2, and rotates: the count in cl. */
static const TCGConstraintSet ct_shift_cl = {
    .args = {{R_ALL & ~R(RCX)}, {R_ALL}, {R(RCX), CT_ANY}}};
static const TCGConstraintSet ct_mul2 = {.args = {{R(RAX)}, {R(RDX)}, {R(RAX)}, {R_NOAD}},
                                         .clobbers = R(RAX) | R(RDX)};
static const TCGConstraintSet ct_div = {.args = {{R(RAX)}, {R(RAX)}, {R_NOAD}},
                                        .clobbers = R(RAX) | R(RDX)};
static const TCGConstraintSet ct_rem = {.args = {{R(RDX)}, {R(RAX)}, {R_NOAD}},
                                        .clobbers = R(RAX) | R(RDX)};
static const TCGConstraintSet ct_brcond = {.args = {{R_ALL}, {R_ALL, CT_S32}}};
static const TCGConstraintSet ct_setcond = {.args = {{R_ALL}, {R_ALL}, {R_ALL, CT_S32}}};
static const TCGConstraintSet ct_movcond = {
    .args = {{R_ALL}, {R_ALL}, {R_ALL, CT_S32}, {R_ALL}, {R_ALL}}};
static const TCGConstraintSet ct_st = {.args = {{R_ALL, CT_S32}, {R_ALL}}};
static const TCGConstraintSet ct_none;
static const TCGConstraintSet ct_r = {.args = {{R_ALL}}};

bool x86_const_ok(TCGType type, int64_t val, unsigned consts)
{
    if (consts & CT_ANY) {
        return true;
    }
    if ((consts & CT_S32) && (type == TCG_TYPE_I32 || fits_s32(val))) {
        return true;
    }
    return (consts & CT_ZEXT32) && type == TCG_TYPE_I64 && val == 0xffffffff;
}

static unsigned type_bits(TCGType type)
{
    return type == TCG_TYPE_I32 ? 32 : 64;
}

static TCGType op_type(const TCGOp *op)
{
    return (TCGType)op->type;
}

static bool has(const X86Gen *g, unsigned feature)
{
    return (g->b->features & feature) != 0;
}

/* d = x, for two-address forms. */
static void mov_to(X86Gen *g, TCGType type, int d, int x)
{
    x86_mov_rr(&g->e, type, d, x);
}

static void emit_add(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (c[2]) {
        int64_t imm = (int64_t)a[2];
        if (d != x && imm != 0) {
            x86_lea(&g->e, type, d, x, -1, (int32_t)imm);
        } else if (d != x) {
            mov_to(g, type, d, x);
        } else if (imm != 0) {
            x86_arith_ri(&g->e, ARITH_ADD, type, d, imm);
        }
    } else if (d == x || d == y) {
        x86_arith_rr(&g->e, ARITH_ADD, type, d, d == x ? y : x);
    } else {
        x86_lea(&g->e, type, d, x, y, 0);
    }
}

static void emit_sub(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (c[2]) {
        int64_t neg = type == TCG_TYPE_I32 ? (int32_t) - (uint32_t)a[2] : -(int64_t)a[2];
        if (d != x && fits_s32(neg)) {
            x86_lea(&g->e, type, d, x, -1, (int32_t)neg);
        } else {
            mov_to(g, type, d, x);
            x86_arith_ri(&g->e, ARITH_SUB, type, d, (int64_t)a[2]);
        }
    } else if (d == y && d != x) {
        x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(type), EXT3_NEG, d); /* -y + x */
        x86_arith_rr(&g->e, ARITH_ADD, type, d, x);
    } else {
        mov_to(g, type, d, x);
        x86_arith_rr(&g->e, ARITH_SUB, type, d, y);
    }
}

/* and, or, xor: commutative group-1 ops; ext names the op. */
static void emit_logic(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c, int ext)
{
    TCGType type = op_type(op);
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (!c[2]) {
        if (d == y) {
            x86_arith_rr(&g->e, ext, type, d, x);
        } else {
            mov_to(g, type, d, x);
            x86_arith_rr(&g->e, ext, type, d, y);
        }
        return;
    }
    int64_t imm = (int64_t)a[2];
    if (ext == ARITH_AND && (imm == 0xff || imm == 0xffff)) {
        x86_modrm(&g->e, imm == 0xff ? OPC_MOVZBL : OPC_MOVZWL, d, x);
    } else if (ext == ARITH_AND && type == TCG_TYPE_I64 && imm == 0xffffffff) {
        x86_modrm(&g->e, OPC_MOVL_GvEv, d, x);
    } else {
        mov_to(g, type, d, x);
        x86_arith_ri(&g->e, ext, type, d, imm);
    }
}

static void emit_logic_op(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    emit_logic(g, op, a, c, x86_op_descs[op->opc].ext);
}

/* andc, orc: x op ~y. */
static void emit_logic_not(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int ext = x86_op_descs[op->opc].ext;
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (c[2]) {
        TCGArg na[3] = {a[0], a[1], ~a[2]};
        bool nc[3] = {false, false, true};
        int64_t inv = ~(int64_t)a[2];
        if (x86_const_ok(type, inv, CT_S32)) {
            emit_logic(g, op, na, nc, ext);
            return;
        }
        x86_movi_keepflags(&g->e, type, X86_SCRATCH_REG, inv);
    } else if (ext == ARITH_AND && has(g, X86_FEAT_BMI1)) {
        x86_vex_modrm(&g->e, OPC_ANDN + x86_rexw(type), d, y, x);
        return;
    } else {
        x86_mov_rr(&g->e, type, X86_SCRATCH_REG, y);
        x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(type), EXT3_NOT, X86_SCRATCH_REG);
    }
    mov_to(g, type, d, x);
    x86_arith_rr(&g->e, ext, type, d, X86_SCRATCH_REG);
}

/* neg, not. */
static void emit_unary(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    mov_to(g, type, (int)a[0], (int)a[1]);
    x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(type), x86_op_descs[op->opc].ext, (int)a[0]);
}

static void emit_mul(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (c[2]) {
        int64_t imm = type == TCG_TYPE_I32 ? (int32_t)a[2] : (int64_t)a[2];
        if (fits_s8(imm)) {
            x86_modrm(&g->e, OPC_IMUL_GvEvIb + x86_rexw(type), d, x);
            x86_byte(&g->e, (uint8_t)imm);
        } else {
            x86_modrm(&g->e, OPC_IMUL_GvEvIz + x86_rexw(type), d, x);
            x86_u32(&g->e, (uint32_t)imm);
        }
    } else if (d == y) {
        x86_modrm(&g->e, OPC_IMUL_GvEv + x86_rexw(type), d, x);
    } else {
        mov_to(g, type, d, x);
        x86_modrm(&g->e, OPC_IMUL_GvEv + x86_rexw(type), d, y);
    }
}

/* mulu2, muls2: rdx:rax = rax * y. */
static void emit_mul2(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(op_type(op)), x86_op_descs[op->opc].ext, (int)a[3]);
}

/* divs, divu, rems, remu: rax = rdx:rax / y, rdx = remainder. */
static void emit_div(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int ext = x86_op_descs[op->opc].ext;
    if (ext == EXT3_IDIV) {
        x86_opc(&g->e, OPC_CDQ + x86_rexw(type), 0, 0, 0);
    } else {
        x86_arith_rr(&g->e, ARITH_XOR, TCG_TYPE_I32, X86_RDX, X86_RDX);
    }
    x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(type), ext, (int)a[2]);
}

static void emit_shift(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    static const int bmi2_opc[8] = {
        [SHIFT_SHL] = OPC_SHLX, [SHIFT_SHR] = OPC_SHRX, [SHIFT_SAR] = OPC_SARX};
    TCGType type = op_type(op);
    int ext = x86_op_descs[op->opc].ext;
    int d = (int)a[0], x = (int)a[1], y = (int)a[2];
    if (c[2]) {
        unsigned n = (unsigned)a[2] & (type_bits(type) - 1);
        if (ext == SHIFT_ROL || ext == SHIFT_ROR) {
            if (d != x && has(g, X86_FEAT_BMI2)) {
                unsigned right =
                    ext == SHIFT_ROR ? n : (type_bits(type) - n) & (type_bits(type) - 1);
                x86_vex_modrm(&g->e, OPC_RORX + x86_rexw(type), d, 0, x);
                x86_byte(&g->e, (uint8_t)right);
                return;
            }
        }
        mov_to(g, type, d, x);
        if (n != 0) {
            x86_shift_ri(&g->e, ext, type, d, n);
        }
    } else if (bmi2_opc[ext] && has(g, X86_FEAT_BMI2)) {
        x86_vex_modrm(&g->e, bmi2_opc[ext] + x86_rexw(type), d, y, x);
    } else {
        mov_to(g, type, d, x);
        x86_modrm(&g->e, OPC_SHIFT_cl + x86_rexw(type), ext, d);
    }
}

/* ext8s/u, ext16s/u, ext32s/u and the i32 <-> i64 conversions. */
static void emit_ext(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    int opc = x86_op_descs[op->opc].ext;
    int d = (int)a[0], x = (int)a[1];
    if (opc == OPC_MOVL_GvEv && d == x && op->opc == TCG_OP_EXTRL_I64_I32) {
        return; /* the low half is already there */
    }
    /* Sign extensions widen to the op's type; zero extensions are 32-bit forms. */
    if (opc == OPC_MOVSBL || opc == OPC_MOVSWL) {
        opc += x86_rexw(op_type(op));
    }
    x86_modrm(&g->e, opc, d, x);
}

static void emit_extrh(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    int d = (int)a[0], x = (int)a[1];
    if (d != x && has(g, X86_FEAT_BMI2)) {
        x86_vex_modrm(&g->e, OPC_RORX + P_VEXW, d, 0, x);
        x86_byte(&g->e, 32);
    } else {
        mov_to(g, TCG_TYPE_I64, d, x);
        x86_shift_ri(&g->e, SHIFT_SHR, TCG_TYPE_I64, d, 32);
    }
}

static void emit_bswap(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    int d = (int)a[0], x = (int)a[1];
    switch ((TCGOpcode)op->opc) {
    case TCG_OP_BSWAP16:
        x86_modrm(&g->e, OPC_MOVZWL, d, x);
        x86_modrm(&g->e, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, d);
        x86_byte(&g->e, 8);
        return;
    case TCG_OP_BSWAP32:
        mov_to(g, TCG_TYPE_I32, d, x);
        x86_opc(&g->e, OPC_BSWAP + (d & 7), 0, d, 0);
        return;
    default:
        mov_to(g, TCG_TYPE_I64, d, x);
        x86_opc(&g->e, OPC_BSWAP + P_REXW + (d & 7), 0, d, 0);
        return;
    }
}

/*
 * clz, ctz with lzcnt/tzcnt, which give N for 0 and set CF then: d = count, replaced by
 * the if-zero operand z unless z is the constant N.
 */
static void emit_count_cf(X86Gen *g, TCGType type, int opc, const TCGArg *a, const bool *c)
{
    int w = x86_rexw(type);
    int d = (int)a[0], x = (int)a[1], z = (int)a[2];
    if (c[2]) {
        int64_t n = (int64_t)type_bits(type);
        x86_modrm(&g->e, opc + w, d, x);
        if ((int64_t)a[2] != n) {
            x86_movi_keepflags(&g->e, type, X86_SCRATCH_REG, (int64_t)a[2]);
            x86_modrm(&g->e, OPC_CMOVCC + JCC_JB + w, d, X86_SCRATCH_REG);
        }
    } else if (d == z) {
        x86_modrm(&g->e, opc + w, X86_SCRATCH_REG, x);
        x86_modrm(&g->e, OPC_CMOVCC + JCC_JAE + w, d, X86_SCRATCH_REG);
    } else {
        x86_modrm(&g->e, opc + w, d, x);
        x86_modrm(&g->e, OPC_CMOVCC + JCC_JB + w, d, z);
    }
}

/* The if-zero value, xor'ed with k, into the scratch register (before the count). */
static void scratch_if_zero(X86Gen *g, TCGType type, const TCGArg *a, const bool *c, int64_t k)
{
    if (c[2]) {
        x86_movi(&g->e, type, X86_SCRATCH_REG, (int64_t)a[2] ^ k);
        return;
    }
    x86_mov_rr(&g->e, type, X86_SCRATCH_REG, (int)a[2]);
    if (k) {
        x86_arith_ri(&g->e, ARITH_XOR, type, X86_SCRATCH_REG, k);
    }
}

static void emit_clz(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int w = x86_rexw(type);
    if (has(g, X86_FEAT_LZCNT)) {
        emit_count_cf(g, type, OPC_LZCNT, a, c);
        return;
    }
    /* clz = (N - 1) ^ bsr; bsr sets ZF for 0, where the result becomes z. */
    int64_t top = (int64_t)type_bits(type) - 1;
    scratch_if_zero(g, type, a, c, top);
    x86_modrm(&g->e, OPC_BSR + w, (int)a[0], (int)a[1]);
    x86_modrm(&g->e, OPC_CMOVCC + JCC_JE + w, (int)a[0], X86_SCRATCH_REG);
    x86_arith_ri(&g->e, ARITH_XOR, type, (int)a[0], top);
}

static void emit_ctz(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int w = x86_rexw(type);
    if (has(g, X86_FEAT_BMI1)) {
        emit_count_cf(g, type, OPC_TZCNT, a, c);
        return;
    }
    scratch_if_zero(g, type, a, c, 0);
    x86_modrm(&g->e, OPC_BSF + w, (int)a[0], (int)a[1]);
    x86_modrm(&g->e, OPC_CMOVCC + JCC_JE + w, (int)a[0], X86_SCRATCH_REG);
}

static void emit_ctpop(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    x86_modrm(&g->e, OPC_POPCNT + x86_rexw(op_type(op)), (int)a[0], (int)a[1]);
}

static void emit_extract(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int d = (int)a[0], x = (int)a[1];
    unsigned pos = (unsigned)a[2], len = (unsigned)a[3], n = type_bits(type);
    if (pos == 0 && len == n) {
        mov_to(g, type, d, x);
    } else if (pos == 0 && (len == 8 || len == 16 || len == 32)) {
        x86_modrm(&g->e, len == 8 ? OPC_MOVZBL : len == 16 ? OPC_MOVZWL : OPC_MOVL_GvEv, d, x);
    } else if (pos + len == n) {
        mov_to(g, type, d, x);
        x86_shift_ri(&g->e, SHIFT_SHR, type, d, pos);
    } else if (len < 32 && (pos == 0 || !has(g, X86_FEAT_BMI1))) {
        mov_to(g, type, d, x);
        if (pos) {
            x86_shift_ri(&g->e, SHIFT_SHR, type, d, pos);
        }
        x86_arith_ri(&g->e, ARITH_AND, type, d, ((int64_t)1 << len) - 1);
    } else if (has(g, X86_FEAT_BMI1)) {
        x86_movi_keepflags(&g->e, TCG_TYPE_I32, X86_SCRATCH_REG, pos | len << 8);
        x86_vex_modrm(&g->e, OPC_BEXTR + x86_rexw(type), d, X86_SCRATCH_REG, x);
    } else {
        mov_to(g, type, d, x);
        x86_shift_ri(&g->e, SHIFT_SHL, type, d, n - pos - len);
        x86_shift_ri(&g->e, SHIFT_SHR, type, d, n - len);
    }
}

static void emit_sextract(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int w = x86_rexw(type);
    int d = (int)a[0], x = (int)a[1];
    unsigned pos = (unsigned)a[2], len = (unsigned)a[3], n = type_bits(type);
    if (pos == 0 && len == 8) {
        x86_modrm(&g->e, OPC_MOVSBL + w, d, x);
    } else if (pos == 0 && len == 16) {
        x86_modrm(&g->e, OPC_MOVSWL + w, d, x);
    } else if (pos == 0 && len == 32 && type == TCG_TYPE_I64) {
        x86_modrm(&g->e, OPC_MOVSLQ, d, x);
    } else {
        mov_to(g, type, d, x);
        if (pos + len != n) {
            x86_shift_ri(&g->e, SHIFT_SHL, type, d, n - pos - len);
        }
        if (len != n) {
            x86_shift_ri(&g->e, SHIFT_SAR, type, d, n - len);
        }
    }
}

/*
 * deposit: rotate the field to bit 0, shift it out while shrd brings the new bits in at
 * the top, rotate back: d = rol(shrd(ror(base, pos), f, len), pos + len).
 */
static void emit_deposit(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int w = x86_rexw(type);
    int d = (int)a[0], base = (int)a[1], f = (int)a[2];
    unsigned pos = (unsigned)a[3], len = (unsigned)a[4], n = type_bits(type);
    if (len == n) {
        mov_to(g, type, d, f);
        return;
    }
    if (d == f) {
        x86_mov_rr(&g->e, TCG_TYPE_I64, X86_SCRATCH_REG, f);
        f = X86_SCRATCH_REG;
    }
    mov_to(g, type, d, base);
    if (pos == 0 && len == 8) {
        x86_modrm(&g->e, OPC_MOVB_EvGv | P_REXB_RM, f, d);
    } else if (pos == 0 && len == 16) {
        x86_modrm(&g->e, OPC_MOVL_EvGv | P_DATA16, f, d);
    } else {
        if (pos) {
            x86_shift_ri(&g->e, SHIFT_ROR, type, d, pos);
        }
        x86_modrm(&g->e, OPC_SHRD_Ib + w, f, d);
        x86_byte(&g->e, (uint8_t)len);
        if (pos + len != n) {
            x86_shift_ri(&g->e, SHIFT_ROL, type, d, pos + len);
        }
    }
}

/* Sets the flags for cond(x, y) and returns the jcc condition code that tests it. */
static int emit_cmp(X86Gen *g, TCGType type, TCGCond cond, int x, TCGArg y, bool y_const)
{
    int w = x86_rexw(type);
    if (cond == TCG_COND_TSTEQ || cond == TCG_COND_TSTNE) {
        if (!y_const) {
            x86_modrm(&g->e, OPC_TESTL + w, (int)y, x);
        } else if (y <= 0xff) {
            x86_modrm(&g->e, OPC_GRP3_Eb, EXT3_TESTi, x);
            x86_byte(&g->e, (uint8_t)y);
        } else {
            x86_modrm(&g->e, OPC_GRP3_Ev + (fits_u32((int64_t)y) ? 0 : w), EXT3_TESTi, x);
            x86_u32(&g->e, (uint32_t)y);
        }
    } else if (!y_const) {
        x86_arith_rr(&g->e, ARITH_CMP, type, x, (int)y);
    } else if ((type == TCG_TYPE_I32 ? (int32_t)y : (int64_t)y) == 0) {
        x86_modrm(&g->e, OPC_TESTL + w, x, x);
    } else {
        x86_arith_ri(&g->e, ARITH_CMP, type, x, (int64_t)y);
    }
    return x86_jcc_cond(cond);
}

static void emit_setcond(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    TCGCond cond = (TCGCond)a[3];
    int d = (int)a[0], x = (int)a[1];
    bool neg = op->opc == TCG_OP_NEGSETCOND;
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        x86_movi(&g->e, type, d, cond == TCG_COND_NEVER ? 0 : neg ? -1 : 1);
        return;
    }
    /* Zeroing d before the compare saves the movzx, when d is not an input. */
    bool zero_first = d != x && (c[2] || d != (int)a[2]);
    if (zero_first) {
        x86_arith_rr(&g->e, ARITH_XOR, TCG_TYPE_I32, d, d);
    }
    int cc = emit_cmp(g, type, cond, x, a[2], c[2]);
    x86_modrm(&g->e, OPC_SETCC + cc, 0, d);
    if (!zero_first) {
        x86_modrm(&g->e, OPC_MOVZBL, d, d);
    }
    if (neg) {
        x86_modrm(&g->e, OPC_GRP3_Ev + x86_rexw(type), EXT3_NEG, d);
    }
}

static void emit_movcond(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int w = x86_rexw(type);
    TCGCond cond = (TCGCond)a[5];
    int d = (int)a[0], v1 = (int)a[3], v2 = (int)a[4];
    if (cond == TCG_COND_ALWAYS || cond == TCG_COND_NEVER) {
        mov_to(g, type, d, cond == TCG_COND_ALWAYS ? v1 : v2);
        return;
    }
    int cc = emit_cmp(g, type, cond, (int)a[1], a[2], c[2]);
    if (d == v1 && d != v2) {
        x86_modrm(&g->e, OPC_CMOVCC + (cc ^ 1) + w, d, v2);
    } else {
        mov_to(g, type, d, v2); /* mov leaves the flags alone */
        if (v1 != v2) {
            x86_modrm(&g->e, OPC_CMOVCC + cc + w, d, v1);
        }
    }
}

/* A jump to label id: direct when it is placed, else recorded for set_label to patch. */
static void emit_jump_label(X86Gen *g, int cc, TCGArg id)
{
    TCGLabel *l = tcg_label(g->s, id);
    if (l->has_value) {
        x86_jump_to(&g->e, cc, g->e.rx_start + l->value);
        return;
    }
    uint32_t field = x86_jmp_rel32_placeholder(&g->e, cc);
    if (!l->relocs) {
        l->relocs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    }
    g_array_append_val(l->relocs, field);
}

static void emit_set_label(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGLabel *l = tcg_label(g->s, a[0]);
    l->has_value = true;
    l->value = x86_offset(&g->e);
    for (guint i = 0; l->relocs && i < l->relocs->len; i++) {
        uint32_t field = g_array_index(l->relocs, uint32_t, i);
        x86_patch_rel32(&g->e, g->e.start + field, x86_rx(&g->e, g->e.ptr));
    }
    if (l->relocs) {
        g_array_set_size(l->relocs, 0);
    }
}

static void emit_br(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    emit_jump_label(g, -1, a[0]);
}

static void emit_brcond(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGCond cond = (TCGCond)a[2];
    if (cond == TCG_COND_NEVER) {
        return;
    }
    int cc = -1;
    if (cond != TCG_COND_ALWAYS) {
        cc = emit_cmp(g, op_type(op), cond, (int)a[0], a[1], c[1]);
    }
    emit_jump_label(g, cc, a[3]);
}

static void emit_ld(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = op_type(op);
    int opc = x86_op_descs[op->opc].ext;
    if (opc == OPC_MOVSBL || opc == OPC_MOVSWL) {
        opc += x86_rexw(type);
    } else if (opc == OPC_MOVSLQ && type == TCG_TYPE_I32) {
        opc = OPC_MOVL_GvEv;
    }
    x86_modrm_offset(&g->e, opc, (int)a[0], (int)a[1], (int32_t)a[2]);
}

static void emit_st(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    static const int reg_opc[4] = {OPC_MOVB_EvGv, OPC_MOVL_EvGv | P_DATA16, OPC_MOVL_EvGv,
                                   OPC_MOVL_EvGv | P_REXW};
    static const int imm_opc[4] = {OPC_MOVB_EvIz, OPC_MOVL_EvIz | P_DATA16, OPC_MOVL_EvIz,
                                   OPC_MOVL_EvIz | P_REXW};
    unsigned size = (unsigned)x86_op_descs[op->opc].ext;
    int base = (int)a[1];
    int32_t offset = (int32_t)a[2];
    if (!c[0]) {
        x86_modrm_offset(&g->e, reg_opc[size], (int)a[0], base, offset);
        return;
    }
    x86_modrm_offset(&g->e, imm_opc[size], 0, base, offset);
    if (size == MO_8) {
        x86_byte(&g->e, (uint8_t)a[0]);
    } else if (size == MO_16) {
        x86_u16(&g->e, (uint16_t)a[0]);
    } else {
        x86_u32(&g->e, (uint32_t)a[0]);
    }
}

static void emit_goto_tb(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    unsigned n = (unsigned)a[0];
    /* The rel32 must be 4-byte aligned so that set_jump can store it atomically. */
    unsigned pad = (unsigned)(-(x86_rx(&g->e, g->e.ptr) + 1) & 3);
    x86_nops(&g->e, pad);
    g->out->jmp_insn_offset[n] = x86_offset(&g->e);
    x86_jmp_rel32_placeholder(&g->e, -1);
    g->out->jmp_reset_offset[n] = x86_offset(&g->e);
}

static void emit_goto_ptr(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    x86_modrm(&g->e, OPC_GRP5, EXT5_JMPN_Ev, (int)a[0]);
}

/*
 * x86 is TSO: only a store followed by a load can be reordered. A locked or to the stack is
 * a full barrier for the write-back memory guests use, and cheaper than mfence.
 */
static void emit_mb(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    if (a[0] & TCG_BAR_ST_LD) {
        x86_modrm_offset(&g->e, OPC_ARITH_EvIb | P_LOCK, ARITH_OR, X86_RSP, 0);
        x86_byte(&g->e, 0);
    }
}

const X86OpDesc x86_op_descs[TCG_OP_COUNT] = {
    [TCG_OP_SET_LABEL] = {&ct_none, NULL, emit_set_label, 0},
    [TCG_OP_BR] = {&ct_none, NULL, emit_br, 0},
    [TCG_OP_BRCOND] = {&ct_brcond, NULL, emit_brcond, 0},
    [TCG_OP_SETCOND] = {&ct_setcond, NULL, emit_setcond, 0},
    [TCG_OP_NEGSETCOND] = {&ct_setcond, NULL, emit_setcond, 0},
    [TCG_OP_MOVCOND] = {&ct_movcond, NULL, emit_movcond, 0},

    [TCG_OP_ADD] = {&ct_r_r_re, NULL, emit_add, 0},
    [TCG_OP_SUB] = {&ct_r_r_re, NULL, emit_sub, 0},
    [TCG_OP_NEG] = {&ct_r_r, NULL, emit_unary, EXT3_NEG},
    [TCG_OP_MUL] = {&ct_r_r_re, NULL, emit_mul, 0},
    [TCG_OP_MULU2] = {&ct_mul2, NULL, emit_mul2, EXT3_MUL},
    [TCG_OP_MULS2] = {&ct_mul2, NULL, emit_mul2, EXT3_IMUL},
    [TCG_OP_DIVS] = {&ct_div, NULL, emit_div, EXT3_IDIV},
    [TCG_OP_DIVU] = {&ct_div, NULL, emit_div, EXT3_DIV},
    [TCG_OP_REMS] = {&ct_rem, NULL, emit_div, EXT3_IDIV},
    [TCG_OP_REMU] = {&ct_rem, NULL, emit_div, EXT3_DIV},
    [TCG_OP_AND] = {&ct_r_r_rez, NULL, emit_logic_op, ARITH_AND},
    [TCG_OP_OR] = {&ct_r_r_re, NULL, emit_logic_op, ARITH_OR},
    [TCG_OP_XOR] = {&ct_r_r_re, NULL, emit_logic_op, ARITH_XOR},
    [TCG_OP_NOT] = {&ct_r_r, NULL, emit_unary, EXT3_NOT},
    [TCG_OP_ANDC] = {&ct_r_r_ri, NULL, emit_logic_not, ARITH_AND},
    [TCG_OP_ORC] = {&ct_r_r_ri, NULL, emit_logic_not, ARITH_OR},
    [TCG_OP_SHL] = {&ct_r_r_ri, &ct_shift_cl, emit_shift, SHIFT_SHL},
    [TCG_OP_SHR] = {&ct_r_r_ri, &ct_shift_cl, emit_shift, SHIFT_SHR},
    [TCG_OP_SAR] = {&ct_r_r_ri, &ct_shift_cl, emit_shift, SHIFT_SAR},
    [TCG_OP_ROTL] = {&ct_shift_cl, NULL, emit_shift, SHIFT_ROL},
    [TCG_OP_ROTR] = {&ct_shift_cl, NULL, emit_shift, SHIFT_ROR},

    [TCG_OP_EXT8S] = {&ct_r_r, NULL, emit_ext, OPC_MOVSBL},
    [TCG_OP_EXT8U] = {&ct_r_r, NULL, emit_ext, OPC_MOVZBL},
    [TCG_OP_EXT16S] = {&ct_r_r, NULL, emit_ext, OPC_MOVSWL},
    [TCG_OP_EXT16U] = {&ct_r_r, NULL, emit_ext, OPC_MOVZWL},
    [TCG_OP_EXT32S] = {&ct_r_r, NULL, emit_ext, OPC_MOVSLQ},
    [TCG_OP_EXT32U] = {&ct_r_r, NULL, emit_ext, OPC_MOVL_GvEv},
    [TCG_OP_EXTS_I32_I64] = {&ct_r_r, NULL, emit_ext, OPC_MOVSLQ},
    [TCG_OP_EXTU_I32_I64] = {&ct_r_r, NULL, emit_ext, OPC_MOVL_GvEv},
    [TCG_OP_EXTRL_I64_I32] = {&ct_r_r, NULL, emit_ext, OPC_MOVL_GvEv},
    [TCG_OP_EXTRH_I64_I32] = {&ct_r_r, NULL, emit_extrh, 0},
    [TCG_OP_BSWAP16] = {&ct_r_r, NULL, emit_bswap, 0},
    [TCG_OP_BSWAP32] = {&ct_r_r, NULL, emit_bswap, 0},
    [TCG_OP_BSWAP64] = {&ct_r_r, NULL, emit_bswap, 0},
    [TCG_OP_CLZ] = {&ct_r_r_ri, NULL, emit_clz, 0},
    [TCG_OP_CTZ] = {&ct_r_r_ri, NULL, emit_ctz, 0},
    [TCG_OP_CTPOP] = {&ct_r_r, NULL, emit_ctpop, 0},
    [TCG_OP_EXTRACT] = {&ct_r_r, NULL, emit_extract, 0},
    [TCG_OP_SEXTRACT] = {&ct_r_r, NULL, emit_sextract, 0},
    [TCG_OP_DEPOSIT] = {&ct_r_r_r, NULL, emit_deposit, 0},

    [TCG_OP_LD8U] = {&ct_r_r, NULL, emit_ld, OPC_MOVZBL},
    [TCG_OP_LD8S] = {&ct_r_r, NULL, emit_ld, OPC_MOVSBL},
    [TCG_OP_LD16U] = {&ct_r_r, NULL, emit_ld, OPC_MOVZWL},
    [TCG_OP_LD16S] = {&ct_r_r, NULL, emit_ld, OPC_MOVSWL},
    [TCG_OP_LD32U] = {&ct_r_r, NULL, emit_ld, OPC_MOVL_GvEv},
    [TCG_OP_LD32S] = {&ct_r_r, NULL, emit_ld, OPC_MOVSLQ},
    [TCG_OP_LD64] = {&ct_r_r, NULL, emit_ld, OPC_MOVL_GvEv | P_REXW},
    [TCG_OP_ST8] = {&ct_st, NULL, emit_st, MO_8},
    [TCG_OP_ST16] = {&ct_st, NULL, emit_st, MO_16},
    [TCG_OP_ST32] = {&ct_st, NULL, emit_st, MO_32},
    [TCG_OP_ST64] = {&ct_st, NULL, emit_st, MO_64},

    [TCG_OP_GUEST_LD] = {&ct_r_r, NULL, x86_emit_guest_ld, 0},
    [TCG_OP_GUEST_ST] = {&ct_st, NULL, x86_emit_guest_st, 0},

    [TCG_OP_GOTO_TB] = {&ct_none, NULL, emit_goto_tb, 0},
    [TCG_OP_EXIT_TB] = {&ct_none, NULL, x86_emit_exit, 0},
    [TCG_OP_GOTO_PTR] = {&ct_r, NULL, emit_goto_ptr, 0},
    [TCG_OP_MB] = {&ct_none, NULL, emit_mb, 0},
};

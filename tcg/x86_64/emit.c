/*
 * x86-64 instruction encoding: prefixes, REX, VEX, ModRM/SIB with the shortest
 * displacement, and the common moves, loads, stores and jumps. See emit.h.
 */
#include "tcg/x86_64/emit.h"

#include <glib.h>
#include <string.h>

void x86_u16(X86Emit *e, uint16_t v)
{
    memcpy(e->ptr, &v, 2);
    e->ptr += 2;
}

void x86_u32(X86Emit *e, uint32_t v)
{
    memcpy(e->ptr, &v, 4);
    e->ptr += 4;
}

void x86_u64(X86Emit *e, uint64_t v)
{
    memcpy(e->ptr, &v, 8);
    e->ptr += 8;
}

int x86_jcc_cond(TCGCond cond)
{
    static const int8_t map[TCG_COND_COUNT] = {
        [TCG_COND_EQ] = JCC_JE,  [TCG_COND_NE] = JCC_JNE,   [TCG_COND_LT] = JCC_JL,
        [TCG_COND_GE] = JCC_JGE, [TCG_COND_LE] = JCC_JLE,   [TCG_COND_GT] = JCC_JG,
        [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,  [TCG_COND_LEU] = JCC_JBE,
        [TCG_COND_GTU] = JCC_JA, [TCG_COND_TSTEQ] = JCC_JE, [TCG_COND_TSTNE] = JCC_JNE,
    };
    g_assert(cond >= TCG_COND_EQ && cond < TCG_COND_COUNT);
    return map[cond];
}

void x86_opc(X86Emit *e, int opc, int r, int rm, int x)
{
    int rex = 0;
    rex |= (opc & P_REXW) ? 0x8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* spl, bpl, sil and dil exist only with a REX prefix (without one they are ah..bh). */
    if (((opc & P_REXB_R) && r >= 4) || ((opc & P_REXB_RM) && rm >= 4)) {
        rex |= 0x40;
    }
    if (opc & P_LOCK) {
        x86_byte(e, 0xf0);
    }
    if (opc & P_DATA16) {
        x86_byte(e, 0x66);
    }
    if (opc & P_SIMDF3) {
        x86_byte(e, 0xf3);
    } else if (opc & P_SIMDF2) {
        x86_byte(e, 0xf2);
    }
    if (rex) {
        x86_byte(e, (uint8_t)(0x40 | rex));
    }
    if (opc & (P_EXT | P_EXT38 | P_EXT3A)) {
        x86_byte(e, 0x0f);
        if (opc & P_EXT38) {
            x86_byte(e, 0x38);
        } else if (opc & P_EXT3A) {
            x86_byte(e, 0x3a);
        }
    }
    x86_byte(e, (uint8_t)opc);
}

void x86_modrm(X86Emit *e, int opc, int r, int rm)
{
    x86_opc(e, opc, r, rm, 0);
    x86_byte(e, (uint8_t)(0xc0 | ((r & 7) << 3) | (rm & 7)));
}

void x86_vex_modrm(X86Emit *e, int opc, int r, int v, int rm)
{
    int mmmmm = (opc & P_EXT3A) ? 3 : (opc & P_EXT38) ? 2 : 1;
    int pp = (opc & P_DATA16) ? 1 : (opc & P_SIMDF3) ? 2 : (opc & P_SIMDF2) ? 3 : 0;
    x86_byte(e, 0xc4);
    /* R, X and B are stored inverted. */
    x86_byte(e, (uint8_t)((((r & 8) ^ 8) << 4) | 0x40 | (((rm & 8) ^ 8) << 2) | mmmmm));
    x86_byte(e, (uint8_t)(((opc & P_VEXW) ? 0x80 : 0) | ((~v & 15) << 3) | pp));
    x86_byte(e, (uint8_t)opc);
    x86_byte(e, (uint8_t)(0xc0 | ((r & 7) << 3) | (rm & 7)));
}

void x86_modrm_sib(X86Emit *e, int opc, int r, int base, int index, int shift, int32_t offset)
{
    int mod;
    g_assert(index != X86_RSP);
    /* The r/m field names a base register here, never a byte register. */
    x86_opc(e, opc & ~P_REXB_RM, r, base, index < 0 ? 0 : index);
    /* rbp and r13 as a base have no disp-less form. */
    if (offset == 0 && (base & 7) != X86_RBP) {
        mod = 0x00;
    } else if (fits_s8(offset)) {
        mod = 0x40;
    } else {
        mod = 0x80;
    }
    if (index < 0 && (base & 7) != X86_RSP) {
        x86_byte(e, (uint8_t)(mod | ((r & 7) << 3) | (base & 7)));
    } else {
        x86_byte(e, (uint8_t)(mod | ((r & 7) << 3) | 4));
        x86_byte(e, (uint8_t)((shift << 6) | ((index < 0 ? 4 : index & 7) << 3) | (base & 7)));
    }
    if (mod == 0x40) {
        x86_byte(e, (uint8_t)offset);
    } else if (mod == 0x80) {
        x86_u32(e, (uint32_t)offset);
    }
}

void x86_modrm_offset(X86Emit *e, int opc, int r, int base, int32_t offset)
{
    x86_modrm_sib(e, opc, r, base, -1, 0, offset);
}

void x86_modrm_rip(X86Emit *e, int opc, int r, uintptr_t target)
{
    x86_opc(e, opc, r, 0, 0);
    x86_byte(e, (uint8_t)(((r & 7) << 3) | 5));
    int64_t disp = (int64_t)(target - (x86_rx(e, e->ptr) + 4));
    g_assert(fits_s32(disp));
    x86_u32(e, (uint32_t)disp);
}

void x86_arith_rr(X86Emit *e, int ext, TCGType type, int r, int r2)
{
    x86_modrm(e, OPC_ARITH_GvEv + (ext << 3) + x86_rexw(type), r, r2);
}

void x86_arith_ri(X86Emit *e, int ext, TCGType type, int r, int64_t imm)
{
    if (type == TCG_TYPE_I32) {
        imm = (int32_t)imm;
    }
    g_assert(fits_s32(imm));
    if (fits_s8(imm)) {
        x86_modrm(e, OPC_ARITH_EvIb + x86_rexw(type), ext, r);
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_modrm(e, OPC_ARITH_EvIz + x86_rexw(type), ext, r);
        x86_u32(e, (uint32_t)imm);
    }
}

void x86_shift_ri(X86Emit *e, int ext, TCGType type, int r, unsigned count)
{
    count &= type == TCG_TYPE_I32 ? 31 : 63;
    if (count == 1) {
        x86_modrm(e, OPC_SHIFT_1 + x86_rexw(type), ext, r);
    } else {
        x86_modrm(e, OPC_SHIFT_Ib + x86_rexw(type), ext, r);
        x86_byte(e, (uint8_t)count);
    }
}

void x86_mov_rr(X86Emit *e, TCGType type, int dst, int src)
{
    if (dst != src) {
        x86_modrm(e, OPC_MOVL_GvEv + x86_rexw(type), dst, src);
    }
}

void x86_movi_keepflags(X86Emit *e, TCGType type, int reg, int64_t val)
{
    if (type == TCG_TYPE_I32 || fits_u32(val)) {
        x86_opc(e, OPC_MOVL_Iv + (reg & 7), 0, reg, 0);
        x86_u32(e, (uint32_t)val);
    } else if (fits_s32(val)) {
        x86_modrm(e, OPC_MOVL_EvIz + P_REXW, 0, reg);
        x86_u32(e, (uint32_t)val);
    } else {
        x86_opc(e, OPC_MOVL_Iv + P_REXW + (reg & 7), 0, reg, 0);
        x86_u64(e, (uint64_t)val);
    }
}

void x86_movi(X86Emit *e, TCGType type, int reg, int64_t val)
{
    if (val == 0 || (type == TCG_TYPE_I32 && (int32_t)val == 0)) {
        x86_arith_rr(e, ARITH_XOR, TCG_TYPE_I32, reg, reg);
    } else {
        x86_movi_keepflags(e, type, reg, val);
    }
}

void x86_ld(X86Emit *e, TCGType type, int reg, int base, int32_t offset)
{
    x86_modrm_offset(e, OPC_MOVL_GvEv + x86_rexw(type), reg, base, offset);
}

void x86_st(X86Emit *e, TCGType type, int reg, int base, int32_t offset)
{
    x86_modrm_offset(e, OPC_MOVL_EvGv + x86_rexw(type), reg, base, offset);
}

bool x86_sti(X86Emit *e, TCGType type, int64_t val, int base, int32_t offset)
{
    if (type == TCG_TYPE_I64 && !fits_s32(val)) {
        return false;
    }
    x86_modrm_offset(e, OPC_MOVL_EvIz + x86_rexw(type), 0, base, offset);
    x86_u32(e, (uint32_t)val);
    return true;
}

void x86_lea(X86Emit *e, TCGType type, int dst, int base, int index, int32_t offset)
{
    x86_modrm_sib(e, OPC_LEA + x86_rexw(type), dst, base, index, 0, offset);
}

void x86_jump_to(X86Emit *e, int cc, uintptr_t target)
{
    int64_t disp = (int64_t)(target - (x86_rx(e, e->ptr) + 2));
    if (fits_s8(disp)) {
        x86_byte(e, cc < 0 ? OPC_JMP_short : (uint8_t)(OPC_JCC_short + cc));
        x86_byte(e, (uint8_t)disp);
        return;
    }
    uint32_t field = x86_jmp_rel32_placeholder(e, cc);
    x86_patch_rel32(e, e->start + field, target);
}

void x86_call(X86Emit *e, uintptr_t target)
{
    int64_t disp = (int64_t)(target - (x86_rx(e, e->ptr) + 5));
    if (fits_s32(disp)) {
        x86_byte(e, OPC_CALL_Jz);
        x86_u32(e, (uint32_t)disp);
    } else {
        x86_movi_keepflags(e, TCG_TYPE_I64, X86_SCRATCH_REG, (int64_t)target);
        x86_modrm(e, OPC_GRP5, EXT5_CALLN_Ev, X86_SCRATCH_REG);
    }
}

uint32_t x86_jmp_rel32_placeholder(X86Emit *e, int cc)
{
    if (cc < 0) {
        x86_byte(e, OPC_JMP_long);
    } else {
        x86_opc(e, OPC_JCC_long + cc, 0, 0, 0);
    }
    uint32_t field = x86_offset(e);
    x86_u32(e, 0);
    return field;
}

void x86_patch_rel32(X86Emit *e, uint8_t *field, uintptr_t target)
{
    int64_t disp = (int64_t)(target - (x86_rx(e, field) + 4));
    g_assert(fits_s32(disp));
    int32_t d32 = (int32_t)disp;
    memcpy(field, &d32, 4);
}

void x86_nops(X86Emit *e, unsigned n)
{
    /* The recommended multi-byte nops (Intel SDM, NOP). */
    static const uint8_t nops[8][8] = {
        {0x90},
        {0x66, 0x90},
        {0x0f, 0x1f, 0x00},
        {0x0f, 0x1f, 0x40, 0x00},
        {0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };
    while (n > 0) {
        unsigned k = n > 8 ? 8 : n;
        memcpy(e->ptr, nops[k - 1], k);
        e->ptr += k;
        n -= k;
    }
}

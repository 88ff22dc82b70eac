/*
 * The x86-64 instruction encoder of the JIT backend: named opcodes (OPC_*) whose high
 * bits carry the prefixes, escape bytes and REX.W they need, and functions that append
 * one instruction to an X86Emit cursor. Nothing here knows about temps or the IR; the
 * op lowering (lower.c) and the fixed code (backend.c) are written with these.
 *
 * Bounds: an X86Emit writes without checking; its owner checks ptr against limit between
 * ops, where limit leaves a margin larger than any single op's code (X86_OP_MARGIN).
 */
#ifndef TCG_X86_64_EMIT_H
#define TCG_X86_64_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "tcg/tcg.h"

enum {
    X86_RAX,
    X86_RCX,
    X86_RDX,
    X86_RBX,
    X86_RSP,
    X86_RBP,
    X86_RSI,
    X86_RDI,
    X86_R8,
    X86_R9,
    X86_R10,
    X86_R11,
    X86_R12,
    X86_R13,
    X86_R14,
    X86_R15,
    X86_NB_REGS
};

/* Register roles of the generated code (see backend.c). */
#define X86_ENV_REG     X86_RBP
#define X86_LIMIT_REG   X86_R14 /* guest_limit, user mode */
#define X86_BASE_REG    X86_R15 /* guest_base, user mode, when not 0 */
#define X86_SCRATCH_REG X86_R11 /* never allocated: free for any op's private use */

/* CPU features the lowering may use, found with cpuid at init. */
enum {
    X86_FEAT_MOVBE = 1 << 0,
    X86_FEAT_BMI1 = 1 << 1, /* andn, bextr, tzcnt */
    X86_FEAT_BMI2 = 1 << 2, /* shlx/shrx/sarx, rorx, bzhi */
    X86_FEAT_LZCNT = 1 << 3,
    X86_FEAT_POPCNT = 1 << 4,
};

/* Prefix and escape flags above the opcode byte. */
#define P_EXT     0x100   /* 0x0f escape */
#define P_EXT38   0x200   /* 0x0f 0x38 escape */
#define P_EXT3A   0x400   /* 0x0f 0x3a escape */
#define P_DATA16  0x800   /* 0x66 operand-size prefix */
#define P_REXW    0x1000  /* 64-bit operand size */
#define P_REXB_R  0x2000  /* the reg field names a byte register */
#define P_REXB_RM 0x4000  /* the r/m field names a byte register */
#define P_SIMDF3  0x8000  /* 0xf3 prefix */
#define P_SIMDF2  0x10000 /* 0xf2 prefix */
#define P_VEXW    P_REXW  /* VEX.W for the VEX-encoded forms */
#define P_VEX     0x20000 /* VEX-encoded (BMI) instruction */
#define P_LOCK    0x40000 /* 0xf0 prefix */

#define OPC_ARITH_EvIz  0x81
#define OPC_ARITH_EvIb  0x83
#define OPC_ARITH_GvEv  0x03 /* add r, r/m; the group's /ext is added as ext << 3 */
#define OPC_BSF         (0xbc | P_EXT)
#define OPC_BSR         (0xbd | P_EXT)
#define OPC_BSWAP       (0xc8 | P_EXT)
#define OPC_CALL_Jz     0xe8
#define OPC_CDQ         0x99 /* cqo with P_REXW */
#define OPC_CMOVCC      (0x40 | P_EXT)
#define OPC_GRP3_Eb     (0xf6 | P_REXB_RM)
#define OPC_GRP3_Ev     0xf7
#define OPC_GRP5        0xff
#define OPC_IMUL_GvEv   (0xaf | P_EXT)
#define OPC_IMUL_GvEvIb 0x6b
#define OPC_IMUL_GvEvIz 0x69
#define OPC_JCC_long    (0x80 | P_EXT)
#define OPC_JCC_short   0x70
#define OPC_JMP_long    0xe9
#define OPC_JMP_short   0xeb
#define OPC_LEA         0x8d
#define OPC_LZCNT       (0xbd | P_EXT | P_SIMDF3)
#define OPC_MOVB_EvGv   (0x88 | P_REXB_R)
#define OPC_MOVB_EvIz   0xc6
#define OPC_MOVBE_GyMy  (0xf0 | P_EXT38)
#define OPC_MOVBE_MyGy  (0xf1 | P_EXT38)
#define OPC_MOVL_EvGv   0x89
#define OPC_MOVL_EvIz   0xc7
#define OPC_MOVL_GvEv   0x8b
#define OPC_MOVL_Iv     0xb8
#define OPC_MOVSBL      (0xbe | P_EXT | P_REXB_RM)
#define OPC_MOVSLQ      (0x63 | P_REXW)
#define OPC_MOVSWL      (0xbf | P_EXT)
#define OPC_MOVZBL      (0xb6 | P_EXT | P_REXB_RM)
#define OPC_MOVZWL      (0xb7 | P_EXT)
#define OPC_POP_r32     0x58
#define OPC_POPCNT      (0xb8 | P_EXT | P_SIMDF3)
#define OPC_PUSH_r32    0x50
#define OPC_RET         0xc3
#define OPC_SETCC       (0x90 | P_EXT | P_REXB_RM)
#define OPC_SHIFT_1     0xd1
#define OPC_SHIFT_Ib    0xc1
#define OPC_SHIFT_cl    0xd3
#define OPC_SHRD_Ib     (0xac | P_EXT)
#define OPC_TESTB       (0x84 | P_REXB_R)
#define OPC_TESTL       0x85
#define OPC_TZCNT       (0xbc | P_EXT | P_SIMDF3)
#define OPC_UD2         (0x0b | P_EXT)
#define OPC_XCHG        0x87
/* VEX-encoded BMI instructions: the VEX.pp prefix is given as P_DATA16/P_SIMDF3/P_SIMDF2. */
#define OPC_ANDN  (0xf2 | P_EXT38 | P_VEX)
#define OPC_BEXTR (0xf7 | P_EXT38 | P_VEX)
#define OPC_SHLX  (0xf7 | P_EXT38 | P_VEX | P_DATA16)
#define OPC_SHRX  (0xf7 | P_EXT38 | P_VEX | P_SIMDF2)
#define OPC_SARX  (0xf7 | P_EXT38 | P_VEX | P_SIMDF3)
#define OPC_RORX  (0xf0 | P_EXT3A | P_VEX | P_SIMDF2)

/* Group 1 (OPC_ARITH_*) extensions. */
enum { ARITH_ADD = 0, ARITH_OR = 1, ARITH_AND = 4, ARITH_SUB = 5, ARITH_XOR = 6, ARITH_CMP = 7 };
/* Group 2 (OPC_SHIFT_*) extensions. */
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7 };
/* Group 3 (OPC_GRP3_*) extensions. */
enum {
    EXT3_TESTi = 0,
    EXT3_NOT = 2,
    EXT3_NEG = 3,
    EXT3_MUL = 4,
    EXT3_IMUL = 5,
    EXT3_DIV = 6,
    EXT3_IDIV = 7
};
/* Group 5 (OPC_GRP5) extensions. */
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

/* Condition codes, the low nibble of jcc/setcc/cmovcc. */
enum {
    JCC_JB = 0x2,
    JCC_JAE = 0x3,
    JCC_JE = 0x4,
    JCC_JNE = 0x5,
    JCC_JBE = 0x6,
    JCC_JA = 0x7,
    JCC_JL = 0xc,
    JCC_JGE = 0xd,
    JCC_JLE = 0xe,
    JCC_JG = 0xf,
};

typedef struct X86Emit {
    uint8_t *start; /* writable address of the first byte of this TB (or fixed code) */
    uint8_t *ptr;
    uintptr_t rx_start; /* executable address of start */
} X86Emit;

static inline uintptr_t x86_rx(const X86Emit *e, const uint8_t *p)
{
    return e->rx_start + (uintptr_t)(p - e->start);
}

static inline uint32_t x86_offset(const X86Emit *e)
{
    return (uint32_t)(e->ptr - e->start);
}

static inline void x86_byte(X86Emit *e, uint8_t b)
{
    *e->ptr++ = b;
}

void x86_u16(X86Emit *e, uint16_t v);
void x86_u32(X86Emit *e, uint32_t v);
void x86_u64(X86Emit *e, uint64_t v);

static inline bool fits_s8(int64_t v)
{
    return v == (int8_t)v;
}

static inline bool fits_s32(int64_t v)
{
    return v == (int32_t)v;
}

static inline bool fits_u32(int64_t v)
{
    return v == (int64_t)(uint32_t)v;
}

/* P_REXW for an i64 operation, 0 for i32. */
static inline int x86_rexw(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

/* The jcc condition code for an IR condition (TSTEQ/TSTNE after a test instruction). */
int x86_jcc_cond(TCGCond cond);

/* Prefixes, REX and opcode bytes; r, rm and x are the registers whose high bits REX carries. */
void x86_opc(X86Emit *e, int opc, int r, int rm, int x);
/* reg, reg form: r in ModRM.reg, rm in ModRM.rm. */
void x86_modrm(X86Emit *e, int opc, int r, int rm);
/* A VEX-encoded instruction: r = dest, v = VEX.vvvv, rm = ModRM.rm (register). */
void x86_vex_modrm(X86Emit *e, int opc, int r, int v, int rm);
/* Memory form [base + index << shift + offset]; index -1 for none. */
void x86_modrm_sib(X86Emit *e, int opc, int r, int base, int index, int shift, int32_t offset);
/* Memory form [base + offset]. */
void x86_modrm_offset(X86Emit *e, int opc, int r, int base, int32_t offset);
/* RIP-relative memory form addressing the executable address target. */
void x86_modrm_rip(X86Emit *e, int opc, int r, uintptr_t target);

/* Group 1 op: r (op)= r2 and r (op)= imm, picking the shortest immediate form. */
void x86_arith_rr(X86Emit *e, int ext, TCGType type, int r, int r2);
void x86_arith_ri(X86Emit *e, int ext, TCGType type, int r, int64_t imm);
void x86_shift_ri(X86Emit *e, int ext, TCGType type, int r, unsigned count);

void x86_mov_rr(X86Emit *e, TCGType type, int dst, int src);
/* dst = val; may use xor (clobbers the flags) for 0. */
void x86_movi(X86Emit *e, TCGType type, int reg, int64_t val);
/* dst = val without touching the flags. */
void x86_movi_keepflags(X86Emit *e, TCGType type, int reg, int64_t val);
void x86_ld(X86Emit *e, TCGType type, int reg, int base, int32_t offset);
void x86_st(X86Emit *e, TCGType type, int reg, int base, int32_t offset);
/* Stores val to memory when an immediate form exists (i64: sign-extended imm32). */
bool x86_sti(X86Emit *e, TCGType type, int64_t val, int base, int32_t offset);
void x86_lea(X86Emit *e, TCGType type, int dst, int base, int index, int32_t offset);

/* Jumps and calls to executable addresses known now. */
/* jmp (cc < 0) or jcc cc to target: rel8 when in range, else rel32. */
void x86_jump_to(X86Emit *e, int cc, uintptr_t target);
/* call target: rel32 when in range, else through the scratch register. */
void x86_call(X86Emit *e, uintptr_t target);
/* A rel32 jmp (cc < 0) or jcc whose displacement is to be patched later; returns the
 * displacement's offset. */
uint32_t x86_jmp_rel32_placeholder(X86Emit *e, int cc);
/* Sets the rel32 at writable address field so that its jump lands on executable target. */
void x86_patch_rel32(X86Emit *e, uint8_t *field, uintptr_t target);

void x86_nops(X86Emit *e, unsigned n);

#endif

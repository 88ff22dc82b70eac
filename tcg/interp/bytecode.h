/*
 * The interpreter's bytecode: what tcg/interp/emit.c writes into the code buffer and
 * tcg/interp/exec.c runs. One instruction per IR op that does something (labels, insn_start,
 * discard and nop leave none), with the op's operands resolved to where their values live,
 * so that running it needs neither the TCGContext nor any other state than env.
 *
 * An instruction is a run of 32-bit host-order words, 4-byte aligned:
 *   word 0      header: opcode (the TCGOpcode) | i64 flag << 8 | length in bytes << 16
 *   words 1..   the op's outputs, then its inputs, as operand words (below), then its
 *               constant args, one word each, in the order of tcg/ir.h
 *   then        64-bit constants that operand words of kind POOL point at
 * Exceptions to "one word per constant arg":
 *   BR, BRCOND   the label is a signed byte offset from the instruction's header
 *   CALL         a flags word (nargs | I32 argument mask << 8 | InterpRet << 16), the
 *                helper's address (8 bytes), then the output (if any) and the inputs
 *   EXIT_TB      the 64-bit value (8 bytes, unaligned)
 *   GOTO_TB      padding to 8 bytes, then the 8-byte jump slot: 0 falls through to the next
 *                instruction, anything else is the rx address to continue at
 * GUEST_LD/GUEST_ST follow the general rule (value, address, memop, mmu_idx); the memory
 * model they go through is the backend's (TCGBackend.mem).
 *
 * An operand word is kind (low 3 bits) | payload << 3 (payload signed 29 bits):
 *   SLOT  a local's 64-bit slot in the per-exec frame; payload = slot index
 *   G32   an i32 global, 4 bytes at env + payload
 *   G64   an i64 global, 8 bytes at env + payload
 *   IMM   a constant that fits in 29 signed bits; payload = value
 *   POOL  a larger constant, 8 bytes at header + payload
 *   ENV   the env pointer
 * i32 values are kept zero-extended in slots; readers of an i32 look at the low 32 bits
 * only (an i32 constant is sign-extended in IMM and POOL).
 */
#ifndef TCG_INTERP_BYTECODE_H
#define TCG_INTERP_BYTECODE_H

#include <stdint.h>
#include <string.h>

#include "tcg/backend.h"

/* Locals per TB; a TB with more fails gen_code (the caller retranslates it shorter). */
#define INTERP_MAX_SLOTS 1024

#define INTERP_OPC_MASK      0xffu
#define INTERP_HDR_I64       (1u << 8)
#define INTERP_LEN_SHIFT     16
#define INTERP_EXIT_TB_LEN   12
#define INTERP_CALL_OPNDS    4 /* word index of CALL's first operand */
#define INTERP_NARGS_MASK    0xffu
#define INTERP_I32MASK_SHIFT 8
#define INTERP_RET_SHIFT     16

typedef enum InterpOperandKind {
    OPND_SLOT,
    OPND_G32,
    OPND_G64,
    OPND_IMM,
    OPND_POOL,
    OPND_ENV,
} InterpOperandKind;

#define OPND_KIND_BITS 3
#define OPND_KIND_MASK 7u
#define OPND_MIN       (-(1 << 28))
#define OPND_MAX       ((1 << 28) - 1)

/* How CALL stores the helper's result. */
typedef enum InterpRet {
    INTERP_RET_NONE,
    INTERP_RET_I32,
    INTERP_RET_I64,
} InterpRet;

static inline uint32_t interp_opnd(InterpOperandKind kind, int32_t payload)
{
    return (uint32_t)kind | (uint32_t)payload << OPND_KIND_BITS;
}

static inline int32_t interp_opnd_payload(uint32_t w)
{
    return (int32_t)w >> OPND_KIND_BITS;
}

static inline uint32_t interp_header(TCGOpcode opc, TCGType type, uint32_t len)
{
    return opc | (type == TCG_TYPE_I64 ? INTERP_HDR_I64 : 0) | len << INTERP_LEN_SHIFT;
}

/* Host-order access to size (1, 2, 4 or 8) bytes at p, which may be unaligned; a load
 * zero-extends. */
static inline uint64_t interp_load(const void *p, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, p, size); /* the host is little-endian */
    return v;
}

static inline void interp_store(void *p, uint64_t v, unsigned size)
{
    memcpy(p, &v, size);
}

/* Writes EXIT_TB(val) at p; returns its length. Also the backend's return_zero. */
static inline uint32_t interp_put_exit_tb(uint8_t *p, uint64_t val)
{
    interp_store(p, interp_header(TCG_OP_EXIT_TB, TCG_TYPE_I64, INTERP_EXIT_TB_LEN), 4);
    interp_store(p + 4, val, 8);
    return INTERP_EXIT_TB_LEN;
}

/* The 8-byte jump slot of the GOTO_TB whose header is at p (rw or rx: same alignment). */
static inline uintptr_t interp_goto_tb_slot(uintptr_t p)
{
    return (p + 4 + 7) & ~(uintptr_t)7;
}

bool interp_gen_code(TCGBackend *be, TCGContext *s, TCGTBCode *out, bool *buffer_full);
uintptr_t interp_exec(TCGBackend *be, void *env, const void *code);

#endif

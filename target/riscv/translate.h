/*
 * What the RISC-V frontend's pieces share: the disassembly context of one TB and the
 * accessors through which every trans_ function reaches guest registers, so that x0 and
 * NaN-boxing are handled in one place. The trans_*.c.inc files are included into
 * translate.c, next to the generated decoders they serve.
 */
#ifndef TARGET_RISCV_TRANSLATE_H
#define TARGET_RISCV_TRANSLATE_H

#include "accel/tcg/translator.h"
#include "target/riscv/cpu.h"

typedef struct DisasContext {
    DisasContextBase base;
    RISCVCPU *cpu;
    uint64_t pc_succ_insn; /* the address after the instruction being translated */
    uint32_t opcode;       /* its encoding (16-bit ones zero-extended) */
    unsigned mem_idx;
} DisasContext;

/* Global handles, the same in every context (registered in cpu.c in this order). */
TCGv riscv_gpr(unsigned reg); /* reg 1..31 */
TCGv riscv_fpr(unsigned reg); /* 0..31, the 64-bit register (NaN-boxed singles) */
TCGv riscv_pc(void);
TCGv riscv_load_res(void);
TCGv riscv_load_val(void);

/* x0 reads as a zero constant. */
TCGv get_gpr(DisasContext *ctx, unsigned reg);
/* Where to compute a result for reg: x0 gets a scratch temp whose value is dropped. */
TCGv dest_gpr(DisasContext *ctx, unsigned reg);
/* Writes v to reg; writes to x0 are discarded. */
void gen_set_gpr(DisasContext *ctx, unsigned reg, TCGv v);

/* Ends the TB with an exception at the current instruction (pc written first). */
void gen_exception(DisasContext *ctx, int excp);
/* The current instruction is illegal: SIGILL in user mode. */
void gen_illegal(DisasContext *ctx);

#endif

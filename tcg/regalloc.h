/*
 * The register allocator: a QEMU-style local allocator that walks a TB's ops once, in
 * order, deciding for each op where its inputs are read and its outputs written, and
 * asking the backend to emit the moves, loads, stores and the op itself. It is machine
 * neutral: a backend describes its registers (TCGRegAllocTarget) and, per op, the
 * registers and immediates each operand accepts (TCGConstraintSet).
 *
 * Temp states (TCGTemp.val_type): REG (in a host register; mem_coherent says whether
 * its memory home holds the same value), MEM (only in its home), CONST (a known
 * constant, materialised only when an instruction cannot take it as an immediate) and
 * DEAD. Homes: a global's field at env + mem_offset; a local's fixed spill slot in the
 * frame, assigned the first time it is needed. Globals stay in registers across ops and
 * are written back exactly where liveness (tcg/liveness.h) set a SYNC bit; at basic-block
 * ends and TB exits every register is released, and helper calls release or keep globals
 * as their flags allow. A value in a call-clobbered (or op-clobbered) register that is
 * still needed moves to a free register, or is spilled when none is free.
 *
 * Operand rules the backend's emit functions rely on: an output may share its register
 * with an input that dies at this op (preferably the first input, for two-address
 * forms) unless its constraint says newreg; two inputs holding the same temp may share a
 * register; an input constrained to a register in the clobber set is the op's to destroy.
 *
 * Usage: after tcg_liveness() (whose scan of the globals, tcg_scan_globals, it relies on),
 * tcg_regalloc_start() once per TB, then tcg_regalloc_op() for each op except insn_start;
 * check frame_full afterwards.
 */
#ifndef TCG_REGALLOC_H
#define TCG_REGALLOC_H

#include "tcg/ir.h"

typedef uint32_t TCGRegSet;

#define TCG_REGALLOC_MAX_REGS 32
#define TCG_CT_MAX_ARGS       6

typedef struct TCGArgConstraint {
    TCGRegSet regs;  /* where the operand may be; one register = a fixed register */
    uint16_t consts; /* inputs: target-defined immediate kinds accepted instead of a reg */
    bool newreg;     /* outputs: never shares a register with an input */
} TCGArgConstraint;

typedef struct TCGConstraintSet {
    TCGArgConstraint args[TCG_CT_MAX_ARGS]; /* outputs, then inputs */
    TCGRegSet clobbers;                     /* destroyed by the op besides its outputs */
} TCGConstraintSet;

typedef struct TCGRegAllocTarget {
    const int8_t *order; /* allocation preference over all registers */
    unsigned nb_order;
    TCGRegSet call_clobbers;
    int8_t call_args[TCG_MAX_HELPER_ARGS];
    int8_t call_ret;
    int8_t frame_reg; /* spill slots are at frame_reg + offset */
    int8_t scratch;   /* never allocated; breaks cycles among call-argument moves */

    void (*mov)(void *ctx, TCGType type, int dst, int src);
    void (*movi)(void *ctx, TCGType type, int reg, int64_t val);
    void (*ld)(void *ctx, TCGType type, int reg, int base, int32_t offset);
    void (*st)(void *ctx, TCGType type, int reg, int base, int32_t offset);
    /* Stores a constant without a register; false when the target has no such form. */
    bool (*sti)(void *ctx, TCGType type, int64_t val, int base, int32_t offset);
    bool (*const_ok)(TCGType type, int64_t val, unsigned consts);
    const TCGConstraintSet *(*constraints)(void *ctx, const TCGOp *op);
    /* Emits op with args[] = output regs, input regs or constants, then the const args. */
    void (*emit)(void *ctx, const TCGOp *op, const TCGArg *args, const bool *const_args);
    /* Emits the call itself; arguments are already in call_args[]. */
    void (*call)(void *ctx, const TCGHelperInfo *info);
} TCGRegAllocTarget;

typedef struct TCGRegAlloc {
    TCGContext *s;
    const TCGRegAllocTarget *t;
    void *ctx;
    TCGRegSet allocatable;
    int env_reg;
    int32_t frame_next, frame_end;
    bool frame_full; /* a local needed a slot beyond the frame: discard this TB's code */
    int32_t reg_to_temp[TCG_REGALLOC_MAX_REGS];
} TCGRegAlloc;

/*
 * Resets the temps of s for a new TB. allocatable excludes reserved registers (the
 * env register, the frame register, the scratch); spill slots are 8 bytes each in
 * [frame_start, frame_start + frame_size) from frame_reg. env_reg holds the env temp.
 */
void tcg_regalloc_start(TCGRegAlloc *ra, TCGContext *s, const TCGRegAllocTarget *t, void *ctx,
                        TCGRegSet allocatable, int env_reg, int32_t frame_start,
                        int32_t frame_size);
void tcg_regalloc_op(TCGRegAlloc *ra, const TCGOp *op);

#endif

/*
 * Internals of the x86-64 JIT shared by its files: backend.c (fixed code, gen_code,
 * chaining, guest memory, calls) and lower.c (the op table and the lowering of ALU ops
 * and branches).
 *
 * Register conventions of generated code:
 *   rbp  env (the TEMP_FIXED env temp), for the whole TB
 *   r14  guest_limit, r15 guest_base (user mode; r15 is allocatable when guest_base is 0)
 *   r11  scratch, never allocated: any op's lowering may use it
 *   rsp  the frame: spill slots at [rsp, rsp + X86_FRAME_SLOTS * 8), 16-byte aligned at
 *        every call
 *   rax rcx rdx rbx rsi rdi r8-r10 r12 r13: allocatable
 */
#ifndef TCG_X86_64_X86_H
#define TCG_X86_64_X86_H

#include "tcg/backend.h"
#include "tcg/regalloc.h"
#include "tcg/x86_64/emit.h"

#define X86_FRAME_SLOTS 128
/* Bytes of code a single op may emit at most (moves, spills and its own code). */
#define X86_OP_MARGIN 1024

/* Immediate kinds of TCGArgConstraint.consts. */
enum {
    CT_S32 = 1 << 0,    /* fits the instruction's sign-extended imm32 (any i32 value) */
    CT_ANY = 1 << 1,    /* any value: the lowering copes */
    CT_ZEXT32 = 1 << 2, /* 0xffffffff in an i64 op (and: zero-extension) */
};

/* An out-of-line call to fault_helper for a guest access that failed its checks. */
typedef struct X86SlowPath {
    uint32_t fields[2]; /* rel32 displacements that jump here */
    unsigned nb_fields;
    int addr_reg;
    uint32_t access;   /* memop | is_store << 8 */
    uintptr_t retaddr; /* executable address inside the access's guest instruction */
} X86SlowPath;

/* A backend instance: fixed after init, shared by every gen_code call. */
typedef struct X86Backend {
    TCGBackend *be;
    unsigned features;  /* X86_FEAT_* */
    uintptr_t prologue; /* executable addresses of the fixed code */
    uintptr_t epilogue;
    TCGRegSet allocatable;
} X86Backend;

/* The state of one gen_code call. */
typedef struct X86Gen {
    const X86Backend *b;
    TCGContext *s;
    TCGTBCode *out;
    X86Emit e;
    TCGRegAlloc ra;
    GArray *slow_paths; /* X86SlowPath */
} X86Gen;

typedef void (*X86EmitFn)(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c);

/* One row per op: its operand constraints and its lowering. */
typedef struct X86OpDesc {
    const TCGConstraintSet *ct;
    const TCGConstraintSet *ct_nobmi2; /* used instead of ct without BMI2, when set */
    X86EmitFn emit;
    int ext; /* the opcode extension or instruction the lowering needs */
} X86OpDesc;

extern const X86OpDesc x86_op_descs[TCG_OP_COUNT];

/* Defined in backend.c, used by the op table. */
void x86_emit_guest_ld(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c);
void x86_emit_guest_st(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c);
void x86_emit_exit(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c);

bool x86_const_ok(TCGType type, int64_t val, unsigned consts);

#endif

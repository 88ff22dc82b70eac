/*
 * Seeded random IR programs, for the tests that check one pass or backend against
 * another: the optimizer's semantic test (test-tcg-optimize-ref.c: each program before and
 * after tcg_optimize()) and the differential fuzzer (test-tcg-fuzz.c: interpreter against
 * JIT). The generator knows nothing of either test's CPU state: the caller describes its
 * machine in an IRRandomConfig (globals by type, helpers, an env scratch window, a guest
 * address range) and chooses the mix of ops with per-kind weights.
 *
 * A program is a sequence of ops on the caller's globals, the generator's locals and
 * constants (edge values and random ones), with nested forward branches, bounded loops,
 * helper calls, host loads and stores in env, and guest accesses. A local is only read
 * where it holds a value on every path. The same config and seed give the same program
 * in any context set up with the same globals, so two contexts can each build their own
 * copy. Usage:
 *
 *     IRRandom *g = ir_random_new(&cfg, seed);
 *     tcg_func_start(cfg.s, tb);
 *     ir_random_program(g);          (ends with exit_tb)
 *     ir_random_free(g);
 */
#ifndef PADDOCK_TESTS_UNIT_IR_RANDOM_H
#define PADDOCK_TESTS_UNIT_IR_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#include "tcg/tcg.h"

#define IR_RANDOM_MAX_LOCALS 8 /* per type */
#define IR_RANDOM_MAX_DEPTH  4 /* open forward branches and loops */

/* The kinds of op the generator picks from, with IRRandomConfig.weights. */
typedef enum IRRandomKind {
    IR_RANDOM_CONTROL,    /* open a forward brcond, place its label, br forward, discard */
    IR_RANDOM_CALL,       /* a helper from the config */
    IR_RANDOM_UNARY,      /* mov neg not ext* bswap* ctpop */
    IR_RANDOM_CONVERSION, /* i32 <-> i64 */
    IR_RANDOM_CONDITION,  /* setcond negsetcond movcond, every condition */
    IR_RANDOM_FIELD,      /* extract sextract deposit */
    IR_RANDOM_MUL2,       /* mulu2 muls2 */
    IR_RANDOM_HOST_MEM,   /* ld/st in the env scratch window */
    IR_RANDOM_INSN_START,
    IR_RANDOM_BINARY, /* arithmetic, logic, shifts, rotations, division, clz ctz */
    IR_RANDOM_LOOP,   /* open a counted loop (closed like a forward branch) */
    IR_RANDOM_GUEST_MEM,
    IR_RANDOM_EXIT,    /* exit_tb inside a branch or loop */
    IR_RANDOM_BARRIER, /* mb */
    IR_RANDOM_KIND_COUNT
} IRRandomKind;

typedef struct IRRandomConfig {
    TCGContext *s;
    /* The caller's globals by TCGType, e.g. globals[TCG_TYPE_I64] = {r0, ..., pc}; at
     * least one of each type. */
    const TCGv *globals[2];
    unsigned nb_globals[2];
    unsigned nb_locals; /* per type, 1..IR_RANDOM_MAX_LOCALS */
    /* Length: min_ops plus [0, max_ops - min_ops) op choices, each one to a few IR ops. */
    unsigned min_ops, max_ops;
    /* Relative frequency of each kind; 0 leaves a kind out (a forward-only evaluator
     * leaves out IR_RANDOM_LOOP). */
    unsigned weights[IR_RANDOM_KIND_COUNT];
    unsigned max_depth; /* 1..IR_RANDOM_MAX_DEPTH */
    unsigned max_trip;  /* loops run 1..max_trip times */
    /*
     * Keep out of docs/ir.md's undefined cases: divisors made nonzero and INT_MIN / -1
     * avoided (by or-ing the divisor or by a guarding brcond), shift counts masked to
     * N - 1. Off, programs hit those cases, for passes that must leave them alone.
     */
    bool guard_undefined;
    bool random_exits; /* exit_tb values random (else 0) */
    /* Helpers for calls: PTR arguments get env, the others values of their type. Each
     * must do what its flags allow and no more. */
    const TCGHelperInfo *const *helpers;
    unsigned nb_helpers;
    /* Host ld/st at env + [host_offset, host_offset + host_size - 8], in steps of
     * host_align (a power of two). */
    int32_t host_offset;
    uint32_t host_size, host_align;
    /*
     * Guest accesses (IR_RANDOM_GUEST_MEM): whole accesses inside [guest_lo, guest_hi)
     * (lo a multiple of 8, hi - lo a power of two, at least 64), except fault_permille of
     * them, which fault: at or beyond guest_limit, or misaligned with MO_ALIGN. Accesses
     * that straddle guest_limit are never made (they would fault on the host's guard page).
     */
    uint64_t guest_lo, guest_hi, guest_limit;
    unsigned fault_permille;
} IRRandomConfig;

typedef struct IRRandom IRRandom;

/* cfg must outlive the generator. */
IRRandom *ir_random_new(const IRRandomConfig *cfg, uint32_t seed);
void ir_random_free(IRRandom *g);
void ir_random_reseed(IRRandom *g, uint32_t seed);

/* Appends one program to cfg->s's current TB (after tcg_func_start()). */
void ir_random_program(IRRandom *g);

/* The generator's random stream, for the caller's initial state: [0, n), 32 bits, and a
 * 64-bit value that is an edge case (0, -1, INT_MIN, ...) three times in four. */
int ir_random_int(IRRandom *g, int n);
uint32_t ir_random_u32(IRRandom *g);
int64_t ir_random_value(IRRandom *g);

#endif /* PADDOCK_TESTS_UNIT_IR_RANDOM_H */

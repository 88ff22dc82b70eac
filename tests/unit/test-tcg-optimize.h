/*
 * Shared by the optimizer's tests: test-tcg-optimize.c (rules, one by one) and
 * test-tcg-optimize-ref.c (a reference evaluator, run on random programs from
 * ir-random.h).
 */
#ifndef PADDOCK_TESTS_UNIT_TEST_TCG_OPTIMIZE_H
#define PADDOCK_TESTS_UNIT_TEST_TCG_OPTIMIZE_H

#include <glib.h>

#include "tcg/ir.h"

#define I32 TCG_TYPE_I32
#define I64 TCG_TYPE_I64

enum { NW = 4, NR = 4, NSCRATCH = 4 };

/* The CPU state of the tests: globals w0-w3 (i32) and r0-r3 (i64), and scratch memory. */
typedef struct TestEnv {
    uint32_t w[NW];
    uint64_t r[NR];
    uint64_t scratch[NSCRATCH];
} TestEnv;

typedef struct Fixture {
    TCGContext *s;
    TCGv w[NW], r[NR];
} Fixture;

typedef void (*Gen1)(TCGContext *, TCGv, TCGv);
typedef void (*Gen2)(TCGContext *, TCGv, TCGv, TCGv);

/* Global i of the type: w<i> or r<i>. */
TCGv glob(Fixture *f, TCGType type, int i);
/* Offset in env of scratch[i]. */
int32_t scratch_off(int i);
/* tcg_dump_ops() of the current TB, to free(). */
char *ir_text(TCGContext *s);
/* Ops that are not nops. */
unsigned count_ops(TCGContext *s);
void emit_discard(TCGContext *s, TCGv t);

/* Helpers for test programs, each with its own flags (see test-tcg-optimize-ref.c). */
extern const TCGHelperInfo info_mix, info_poke, info_peek, info_log, info_clobber;

/* Runs the current TB on env with the reference evaluator. */
void run_tb(TCGContext *s, TestEnv *env);

/* Random programs run before and after optimization must leave the same state. */
void test_random_programs(Fixture *f, gconstpointer data);

#endif /* PADDOCK_TESTS_UNIT_TEST_TCG_OPTIMIZE_H */

/* Shared by the x86-64 JIT's test files (test-tcg-x86*.c). */
#ifndef PADDOCK_TESTS_UNIT_TEST_TCG_X86_H
#define PADDOCK_TESTS_UNIT_TEST_TCG_X86_H

#include "tests/unit/tcg-harness.h"

extern const HarnessBackend test_x86_jit;

/* Random programs on the interpreter and the JIT must leave the same state. */
void test_x86_differential(void);

#endif

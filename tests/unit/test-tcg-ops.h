/*
 * The per-op tests of the IR (docs/ir.md) on every backend of the harness, in two halves:
 * test-tcg-ops.c checks the computational ops against C references on edge values in
 * batches; test-tcg-ops-mem.c checks memory, helper calls and control flow with small
 * hand-built TBs.
 */
#ifndef PADDOCK_TESTS_UNIT_TEST_TCG_OPS_H
#define PADDOCK_TESTS_UNIT_TEST_TCG_OPS_H

#include "tests/unit/tcg-harness.h"

static inline unsigned type_bits(TCGType type)
{
    return type == TCG_TYPE_I32 ? 32 : 64;
}

/* The size of a whole value of the type, for ld/st. */
static inline MemOp type_size(TCGType type)
{
    return type == TCG_TYPE_I32 ? MO_32 : MO_64;
}

static inline uint64_t mask_bits(uint64_t v, unsigned bits)
{
    return bits >= 64 ? v : v & ((UINT64_C(1) << bits) - 1);
}

/* v's low n bits, sign-extended to 64. */
static inline uint64_t sext_bits(uint64_t v, unsigned n)
{
    v = mask_bits(v, n);
    return (v >> (n - 1)) & 1 ? v | ~mask_bits(UINT64_MAX, n) : v;
}

/* The env offset of TestEnv.data[word]. */
static inline int32_t data_offset(unsigned word)
{
    return (int32_t)(offsetof(TestEnv, data) + word * sizeof(uint64_t));
}

/* Registers the memory, call and control tests (test-tcg-ops-mem.c). */
void tcg_ops_mem_register(void);

#endif

/*
 * The case tables of test-riscv-fpu.c: one helper call each, with the result and the
 * fflags the guest gets. The expected values come from Debian's qemu-riscv64 (7.2,
 * softfloat), see test-riscv-fpu-cases.c.
 */
#ifndef TESTS_UNIT_TEST_RISCV_FPU_H
#define TESTS_UNIT_TEST_RISCV_FPU_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "target/riscv/fpu-helper.h"

/* The helper's signature: (env, a, rm), (env, a, b, rm), (env, a, b, c, rm), (env, a, b), (a). */
typedef enum FpCallKind {
    FP_CALL_RM1,
    FP_CALL_RM2,
    FP_CALL_RM3,
    FP_CALL_PLAIN2,
    FP_CALL_CLASS,
} FpCallKind;

typedef struct FpCase {
    const char *name;
    FpCallKind kind;
    void (*fn)(void); /* the helper, called through the type its kind names */
    uint32_t rm;      /* ignored by PLAIN2 and CLASS */
    uint64_t in[3];
    uint64_t result;
    uint32_t flags;
} FpCase;

typedef struct FpCaseGroup {
    const char *name;
    const FpCase *cases;
    size_t count;
} FpCaseGroup;

extern const FpCaseGroup fp_case_groups[];
extern const size_t fp_case_group_count;

#endif

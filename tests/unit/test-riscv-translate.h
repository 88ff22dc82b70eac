/*
 * The test machine of the RV64 frontend's tests (test-riscv-translate*.c): one RISCVCPU
 * on a TB cache over one backend, with GUEST_SIZE bytes of guest memory that it fetches
 * code from (up to exec_end) and that the atomics probe. Tests place code, set
 * registers, run until an exception (normally the ecall that ends the code) and read
 * the state back:
 *
 *     uint64_t at = put_code(m, (uint32_t[]){0x002081b3, ECALL}, 2);  (add x3, x1, x2)
 *     m->env->gpr[1] = 1;
 *     g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
 */
#ifndef TESTS_UNIT_TEST_RISCV_TRANSLATE_H
#define TESTS_UNIT_TEST_RISCV_TRANSLATE_H

#include <glib.h>

#include "target/riscv/cpu.h"

#define GUEST_SIZE (4u << 20)
#define CODE       0x10000u /* test code is placed from here on */
#define DATA       0x80000u /* scratch data */
#define DATA_SIZE  0x1000u
#define JUMP       0x200000u   /* where the jump offset tests jump from */
#define ECALL      0x00000073u /* ecall */
#define SENTINEL   UINT64_C(0x5e5e5e5e5e5e5e5e)

typedef struct Machine {
    uint8_t *mem;      /* GUEST_SIZE bytes, then a guard area */
    uint64_t exec_end; /* fetch_code refuses code at or beyond it */
    uint64_t next_code;
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TBCache *tbs;
    RISCVCPU *cpu;
    CPURISCVState *env;
} Machine;

Machine *machine_new(const TCGBackendOps *ops);
void machine_free(Machine *m);
/* Writes instructions from addr on: a word whose low bits are not 11 is a 16-bit one. */
uint64_t put_code_at(Machine *m, uint64_t addr, const uint32_t *insns, size_t n);
/* Places the instructions at fresh addresses; returns the first. */
uint64_t put_code(Machine *m, const uint32_t *insns, size_t n);
/* Runs from pc; returns the exception that stopped the CPU. */
int run(Machine *m, uint64_t pc);

/* Register fields to rewrite an instruction with. */
typedef struct RegChoice {
    unsigned rd, rs1, rs2;
} RegChoice;

uint32_t with_regs(uint32_t insn, const RegChoice *r, bool has_rs2);
/* Compares x0..x3 with want; on a mismatch fails the test, saying what ran on what. */
bool check_regs(const Machine *m, const uint64_t *want, const char *what, uint64_t a, uint64_t b);

static inline uint64_t sext32(uint64_t x)
{
    return (uint64_t)(int64_t)(int32_t)x;
}

/* Registers a test as /riscv/translate/<backend>/<name>. */
void riscv_test_add(const TCGBackendOps *ops, const char *name, GTestDataFunc fn);
/* Registers the tests of test-riscv-translate-alu.c. */
void riscv_alu_tests_add(const TCGBackendOps *ops);
/* Registers the instruction counting tests (test-riscv-icount.c). */
void riscv_icount_tests_add(const TCGBackendOps *ops);

#endif

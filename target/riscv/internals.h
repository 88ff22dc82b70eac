/*
 * What the RISC-V frontend's C files share beyond translate.h: the translate entry point
 * the CPU class calls, and the helpers translated code calls (op_helper.c).
 *
 * Helpers that raise a guest exception do so with the guest state already exact: the
 * translator stores the instruction's pc before the call and does not let the call skip
 * the write-back of globals, so the helper leaves through cpu_raise_exception(cpu, excp,
 * 0). That works on every backend, the interpreter included, where a helper's return
 * address is not in the TB's host code.
 */
#ifndef TARGET_RISCV_INTERNALS_H
#define TARGET_RISCV_INTERNALS_H

#include "target/riscv/cpu.h"

/*
 * The rate of the time CSR (rdtime): 10 MHz, as on QEMU's virt board, whose device tree
 * tells Linux the same timebase-frequency.
 */
#define RISCV_TIMEBASE_HZ 10000000u

/* Builds the IR of the TB at pc (CPUClass.translate). */
uint32_t riscv_translate(CPUCommon *cpu, TCGContext *s, uint64_t pc, uint64_t flags,
                         unsigned max_insns);

/* The read-modify-write operations of the AMO helpers, their last argument. */
typedef enum RISCVAmoOp {
    RISCV_AMO_SWAP,
    RISCV_AMO_ADD,
    RISCV_AMO_XOR,
    RISCV_AMO_AND,
    RISCV_AMO_OR,
    RISCV_AMO_MIN,
    RISCV_AMO_MAX,
    RISCV_AMO_MINU,
    RISCV_AMO_MAXU,
} RISCVAmoOp;

/* (env, excp): leaves the TB with exception excp; the pc is already stored. */
extern const TCGHelperInfo riscv_helper_raise_exception;
/* (env, addr, value, RISCVAmoOp) -> the old memory value, .w ones sign-extended. */
extern const TCGHelperInfo riscv_helper_amo_w;
extern const TCGHelperInfo riscv_helper_amo_d;
/* (env, addr, expected, value) -> 0 if memory held expected and now holds value, else 1. */
extern const TCGHelperInfo riscv_helper_sc_w;
extern const TCGHelperInfo riscv_helper_sc_d;
/* () -> the cycle CSR (also instret): the host's cycle counter. */
extern const TCGHelperInfo riscv_helper_rdcycle;
/* () -> the time CSR: CLOCK_MONOTONIC in RISCV_TIMEBASE_HZ ticks. */
extern const TCGHelperInfo riscv_helper_rdtime;

#endif

/*
 * The RISC-V vCPU state (RV64GC, user level for now): what translated code reads and
 * writes through env, and the exceptions a frontend or helper raises. Field offsets are
 * part of the contract with generated code; everything is reached through env.
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include <stdint.h>

#include "accel/tcg/cpu.h"

/* Exception causes, numbered as the privileged spec's mcause values. */
enum {
    RISCV_EXCP_INST_ADDR_MIS = 0,
    RISCV_EXCP_INST_ACCESS_FAULT = 1,
    RISCV_EXCP_ILLEGAL_INST = 2,
    RISCV_EXCP_BREAKPOINT = 3,
    RISCV_EXCP_LOAD_ADDR_MIS = 4,
    RISCV_EXCP_LOAD_ACCESS_FAULT = 5,
    RISCV_EXCP_STORE_AMO_ADDR_MIS = 6,
    RISCV_EXCP_STORE_AMO_ACCESS_FAULT = 7,
    RISCV_EXCP_U_ECALL = 8,
    RISCV_EXCP_INST_PAGE_FAULT = 12,
    RISCV_EXCP_LOAD_PAGE_FAULT = 13,
    RISCV_EXCP_STORE_PAGE_FAULT = 15,
};

/* fflags bits and rounding modes (frm), as the F extension numbers them. */
enum {
    RISCV_FFLAG_NX = 1 << 0,
    RISCV_FFLAG_UF = 1 << 1,
    RISCV_FFLAG_OF = 1 << 2,
    RISCV_FFLAG_DZ = 1 << 3,
    RISCV_FFLAG_NV = 1 << 4,
};

enum {
    RISCV_RM_RNE = 0,
    RISCV_RM_RTZ = 1,
    RISCV_RM_RDN = 2,
    RISCV_RM_RUP = 3,
    RISCV_RM_RMM = 4,
    RISCV_RM_DYN = 7,
};

typedef struct CPURISCVState {
    uint64_t gpr[32]; /* gpr[0] reads as zero and is never written */
    uint64_t fpr[32]; /* single-precision values NaN-boxed in the upper 32 bits */
    uint64_t pc;
    uint32_t fflags; /* accrued exception flags */
    uint32_t frm;    /* dynamic rounding mode */
    /* LR/SC: the reserved address (-1 for none) and the value LR loaded from it. */
    uint64_t load_res;
    uint64_t load_val;
    /* The faulting address of the last memory exception (stval). */
    uint64_t badaddr;
} CPURISCVState;

typedef struct RISCVCPU {
    CPUCommon common;
    CPURISCVState env;
} RISCVCPU;

extern const CPUClass riscv_cpu_class;

static inline RISCVCPU *riscv_cpu(CPURISCVState *env)
{
    return (RISCVCPU *)env_cpu(env);
}

#endif

/*
 * A toy guest architecture for testing the translator's TB machinery end to end (cache,
 * chaining, invalidation, flushes, threads) without a real frontend. Instructions are 8
 * bytes: opcode, rd, rs, rt, imm32 (little-endian), in guest memory that the user-mode
 * memory model maps at guest_base.
 */
#ifndef TESTS_UNIT_TOY_CPU_H
#define TESTS_UNIT_TOY_CPU_H

#include "accel/tcg/cpu.h"

enum {
    TOY_ADDI = 1, /* rd = rs + imm */
    TOY_ADD,      /* rd = rs + rt */
    TOY_LD,       /* rd = mem64[rs + imm] */
    TOY_ST,       /* mem64[rs + imm] = rd */
    TOY_BNE,      /* if rd != rs: pc += imm (bytes, from this instruction) */
    TOY_JMP,      /* pc += imm */
    TOY_JR,       /* pc = rs */
    TOY_HALT,     /* stop: cpu_exec returns TOY_EXCP_HALT */
    TOY_COUNT,    /* a helper call: counter += rs */
};

enum {
    TOY_EXCP_HALT = 0,
    TOY_EXCP_ILLEGAL = 1,
    TOY_EXCP_SEGV = 2,
};

#define TOY_NREGS 8

typedef struct ToyEnv {
    uint64_t r[TOY_NREGS];
    uint64_t pc;
    uint64_t counter;
    uint64_t fault_addr;
} ToyEnv;

typedef struct ToyCPU {
    CPUCommon common;
    ToyEnv env;
} ToyCPU;

extern const CPUClass toy_cpu_class;

/* Encodes one instruction at guest address addr in memory based at base. */
void toy_put(uint8_t *base, uint64_t addr, unsigned op, unsigned rd, unsigned rs, unsigned rt,
             int32_t imm);

/* The memory model for a guest of size bytes at base; faults raise TOY_EXCP_SEGV. */
TCGGuestMemory toy_memory(uint8_t *base, uint64_t size);

#endif

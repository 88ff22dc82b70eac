/*
 * The C side of RV64 instructions too rare or too special for inline IR: exceptions,
 * the A extension's read-modify-write operations, and the counter CSRs.
 *
 * AMOs and SC run as host atomics on the guest memory itself (CPUMemoryOps.probe gives
 * its host address), so guest threads on host threads see each other's atomics as real
 * hardware would. Sequentially consistent host atomics satisfy every aq/rl combination.
 * SC compares against the value LR loaded, so it succeeds after an intervening write of
 * the same value (ABA), as QEMU's does; no correct LR/SC loop can tell.
 */
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "target/riscv/internals.h"

static void helper_raise_exception(void *env, uint32_t excp)
{
    cpu_raise_exception(env_cpu(env), (int)excp, 0);
}

/* The host address of an aligned, writable guest word, or the guest's exception. */
static void *amo_host_addr(CPURISCVState *env, uint64_t addr, unsigned size)
{
    CPUCommon *cpu = env_cpu(env);
    int excp = RISCV_EXCP_STORE_AMO_ADDR_MIS;
    void *p = NULL;
    if ((addr & (size - 1)) == 0) {
        excp = RISCV_EXCP_STORE_PAGE_FAULT;
        p = cpu->mem->probe(cpu, addr, size, CPU_ACCESS_STORE);
    }
    if (!p) {
        env->badaddr = addr;
        cpu_raise_exception(cpu, excp, 0);
    }
    return p;
}

/* The new memory value of a min/max/logic AMO on 64-bit values. */
static uint64_t amo_apply(RISCVAmoOp op, uint64_t old, uint64_t val)
{
    switch (op) {
    case RISCV_AMO_XOR: return old ^ val;
    case RISCV_AMO_AND: return old & val;
    case RISCV_AMO_OR: return old | val;
    case RISCV_AMO_MIN: return (int64_t)old < (int64_t)val ? old : val;
    case RISCV_AMO_MAX: return (int64_t)old > (int64_t)val ? old : val;
    case RISCV_AMO_MINU: return old < val ? old : val;
    case RISCV_AMO_MAXU: return old > val ? old : val;
    case RISCV_AMO_SWAP: return val;
    case RISCV_AMO_ADD: return old + val;
    }
    g_assert_not_reached();
}

/* A 32-bit operand widened so that amo_apply's 64-bit comparisons order it right. */
static uint64_t amo_widen(RISCVAmoOp op, uint32_t v)
{
    bool is_unsigned = op == RISCV_AMO_MINU || op == RISCV_AMO_MAXU;
    return is_unsigned ? (uint64_t)v : (uint64_t)(int64_t)(int32_t)v;
}

static uint64_t helper_amo_w(void *env, uint64_t addr, uint64_t val, uint32_t op)
{
    uint32_t *p = amo_host_addr(env, addr, 4);
    uint32_t v = (uint32_t)val, old;
    switch ((RISCVAmoOp)op) {
    case RISCV_AMO_SWAP: old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); break;
    case RISCV_AMO_ADD: old = __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); break;
    default:
        old = __atomic_load_n(p, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(
            p, &old, (uint32_t)amo_apply(op, amo_widen(op, old), amo_widen(op, v)), false,
            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        }
        break;
    }
    return (uint64_t)(int64_t)(int32_t)old;
}

static uint64_t helper_amo_d(void *env, uint64_t addr, uint64_t val, uint32_t op)
{
    uint64_t *p = amo_host_addr(env, addr, 8);
    switch ((RISCVAmoOp)op) {
    case RISCV_AMO_SWAP: return __atomic_exchange_n(p, val, __ATOMIC_SEQ_CST);
    case RISCV_AMO_ADD: return __atomic_fetch_add(p, val, __ATOMIC_SEQ_CST);
    default: {
        uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(p, &old, amo_apply(op, old, val), false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        }
        return old;
    }
    }
}

static uint64_t helper_sc_w(void *env, uint64_t addr, uint64_t expected, uint64_t val)
{
    uint32_t *p = amo_host_addr(env, addr, 4);
    uint32_t e = (uint32_t)expected;
    return !__atomic_compare_exchange_n(p, &e, (uint32_t)val, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST);
}

static uint64_t helper_sc_d(void *env, uint64_t addr, uint64_t expected, uint64_t val)
{
    uint64_t *p = amo_host_addr(env, addr, 8);
    return !__atomic_compare_exchange_n(p, &expected, val, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST);
}

/* instret shares it: counting retired instructions would cost every TB a counter. */
static uint64_t helper_rdcycle(void)
{
#if defined(__x86_64__)
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static uint64_t helper_rdtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * RISCV_TIMEBASE_HZ +
           (uint64_t)ts.tv_nsec / (1000000000u / RISCV_TIMEBASE_HZ);
}

/* Does not return, so it needs the globals in memory and writes none back. */
const TCGHelperInfo riscv_helper_raise_exception = {
    .name = "raise_exception",
    .func = (void *)helper_raise_exception,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .args = {TCG_CALL_PTR, TCG_CALL_I32},
    .nargs = 2,
};

/*
 * The atomics return their result instead of writing a register, but may raise an
 * exception, which exposes every global: they only skip reloading globals afterwards.
 */
const TCGHelperInfo riscv_helper_amo_w = {
    .name = "amo_w",
    .func = (void *)helper_amo_w,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I32},
    .nargs = 4,
};

const TCGHelperInfo riscv_helper_amo_d = {
    .name = "amo_d",
    .func = (void *)helper_amo_d,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I32},
    .nargs = 4,
};

const TCGHelperInfo riscv_helper_sc_w = {
    .name = "sc_w",
    .func = (void *)helper_sc_w,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
    .nargs = 4,
};

const TCGHelperInfo riscv_helper_sc_d = {
    .name = "sc_d",
    .func = (void *)helper_sc_d,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
    .nargs = 4,
};

/* Counter reads touch no guest state, and are not pure: each read is a new value. */
const TCGHelperInfo riscv_helper_rdcycle = {
    .name = "rdcycle",
    .func = (void *)helper_rdcycle,
    .flags = TCG_CALL_NO_RWG,
    .ret = TCG_CALL_I64,
};

const TCGHelperInfo riscv_helper_rdtime = {
    .name = "rdtime",
    .func = (void *)helper_rdtime,
    .flags = TCG_CALL_NO_RWG,
    .ret = TCG_CALL_I64,
};

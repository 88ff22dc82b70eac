/*
 * Guest instruction counting, QEMU-icount style, with one budget shared by a whole tree of
 * emulator processes.
 *
 * A vCPU that counts (cpu_icount_attach) runs only TBs translated with TB_FLAG_ICOUNT: each
 * starts by taking its instruction count from the vCPU's budget (CPUCommon.icount_budget)
 * and, when the budget would go negative, leaves to the execution loop before any of its
 * instructions has run (through its exit-request exit, which shares the test; the budget
 * is left untouched). The loop then refills the budget from an InsnPool, in chunks of at
 * most ICOUNT_CHUNK_MAX, fewer as the pool runs low, so that budgets other vCPUs hold idle
 * stay small near the end. Waits that may last (for children, futexes, timers) hand the
 * thread's budget back first (user/icount.c).
 *
 * The InsnPool lives in shared memory (a memfd mapped MAP_SHARED by every process of the
 * tree, the layout below being the contract with whoever created it: `paddock run
 * --insn-count-fd`, paddock-sandbox). Its total is exact once every vCPU has settled:
 * a vCPU adds what it used since it last settled (granted to it minus what is left of its
 * budget) at each refill and when it ends.
 *
 * Precision: counting is per TB at its start, so a TB left early by an exception is given
 * back what it did not run when the exception knows where it was raised
 * (cpu_raise_exception with a host return address: faults of guest accesses, helpers with
 * a return address); an exception raised without one (the guest state being exact
 * already, e.g. a misaligned AMO) leaves the rest of its TB counted, fewer than
 * TB_MAX_INSNS instructions. A TB that ends before an instruction it could not fetch
 * counts that instruction too.
 *
 * Limits: a refill takes what the pool has left; when that does not cover the TB about
 * to run, a vCPU that still holds some budget is let into it (an overdraft of less than
 * one TB), and the next refill fails. So a single thread that exhausts the pool stops
 * with limit <= total < limit + TB_MAX_INSNS; other threads' and processes' unspent
 * budgets (bounded by the shrinking chunks) may end it a little earlier.
 */
#ifndef ACCEL_TCG_ICOUNT_H
#define ACCEL_TCG_ICOUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The most a refill hands a vCPU, and the least while the pool has that much left. */
#define ICOUNT_CHUNK_MAX 1000000u
#define ICOUNT_CHUNK_MIN 4096u

/*
 * The shared counter: 64-bit fields in host byte order, at fixed offsets (a file of at
 * least ICOUNT_POOL_SIZE bytes; a zeroed one counts without a limit).
 */
typedef struct InsnPool {
    _Atomic uint64_t total;     /* offset 0: instructions the tree has executed (settled) */
    _Atomic uint64_t limit;     /* offset 8: instructions allowed; 0 for no limit */
    _Atomic uint64_t granted;   /* offset 16: handed out as budgets (limited pools only) */
    _Atomic uint64_t exhausted; /* offset 24: nonzero once a refill found nothing left */
} InsnPool;

#define ICOUNT_POOL_SIZE 32
_Static_assert(sizeof(InsnPool) == ICOUNT_POOL_SIZE, "InsnPool is a 32-byte file layout");

struct CPUCommon;

/* Makes cpu count against pool from its next TB on (before it first runs). */
void cpu_icount_attach(struct CPUCommon *cpu, InsnPool *pool);

/*
 * The execution loop's refill when the TB about to run needs `need` instructions and the
 * budget has fewer: settles, takes from the pool. False when the pool is exhausted (it is
 * then marked so); the vCPU must not run guest code again.
 */
bool cpu_icount_refill(struct CPUCommon *cpu, uint32_t need);

/*
 * Adds what cpu used since it last settled to the pool's total. self: cpu is the calling
 * thread's own (else its budget is read as it runs, and the TB it is in is counted whole).
 * release (self only): the rest of cpu's budget goes back to the pool (the vCPU ends);
 * its budget is then empty, so it refills before running again. Another thread's vCPU
 * may still be spending its budget, which must therefore stay granted.
 */
void cpu_icount_settle(struct CPUCommon *cpu, bool self, bool release);

/* A forked child's copy of cpu: it holds nothing of the parent's budget. */
void cpu_icount_forget(struct CPUCommon *cpu);

static inline uint64_t icount_pool_total(InsnPool *pool)
{
    return atomic_load(&pool->total);
}

static inline bool icount_pool_exhausted(InsnPool *pool)
{
    return atomic_load_explicit(&pool->exhausted, memory_order_relaxed) != 0;
}

#endif

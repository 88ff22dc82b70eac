/*
 * The instruction budget of a counting vCPU and the shared pool it draws from (icount.h).
 * Only the vCPU's own thread writes its budget (generated code and refills); another
 * thread settling it reads the budget as it runs, and the vCPU's icount_lock keeps that
 * settlement and the vCPU's own from overlapping.
 */
#include "accel/tcg/icount.h"

#include <glib.h>

#include "accel/tcg/cpu.h"

static void icount_lock(CPUCommon *cpu)
{
    while (atomic_flag_test_and_set_explicit(&cpu->icount_lock, memory_order_acquire)) {
    }
}

static void icount_unlock(CPUCommon *cpu)
{
    atomic_flag_clear_explicit(&cpu->icount_lock, memory_order_release);
}

void cpu_icount_attach(CPUCommon *cpu, InsnPool *pool)
{
    cpu->icount_pool = pool;
    cpu->icount_budget = 0;
    cpu->icount_chunk = 0;
    atomic_flag_clear(&cpu->icount_lock);
}

void cpu_icount_forget(CPUCommon *cpu)
{
    cpu->icount_budget = 0;
    cpu->icount_chunk = 0;
    atomic_flag_clear(&cpu->icount_lock);
}

/*
 * A chunk for one vCPU: ICOUNT_CHUNK_MAX while the pool is large, an eighth of what is
 * left as it runs low (but ICOUNT_CHUNK_MIN, which is more than a TB), then the rest.
 * 0 when nothing is left. A pool without a limit hands out chunks without keeping count.
 */
static uint64_t pool_take(InsnPool *pool)
{
    uint64_t limit = atomic_load_explicit(&pool->limit, memory_order_relaxed);
    if (!limit) {
        return ICOUNT_CHUNK_MAX;
    }
    uint64_t granted = atomic_load(&pool->granted);
    for (;;) {
        if (granted >= limit) {
            return 0;
        }
        uint64_t left = limit - granted;
        uint64_t n = MIN(MAX(left / 8, ICOUNT_CHUNK_MIN), ICOUNT_CHUNK_MAX);
        n = MIN(n, left);
        if (atomic_compare_exchange_weak(&pool->granted, &granted, granted + n)) {
            return n;
        }
    }
}

static void pool_give_back(InsnPool *pool, int64_t n)
{
    if (n > 0 && atomic_load_explicit(&pool->limit, memory_order_relaxed)) {
        atomic_fetch_sub(&pool->granted, (uint64_t)n);
    }
}

/* Under the vCPU's lock. Negative differences (a refund after another thread settled the
 * vCPU) go into the total as they are: it is a sum modulo 2^64. */
static void settle_locked(CPUCommon *cpu, bool self, bool release)
{
    int64_t budget =
        self ? cpu->icount_budget : __atomic_load_n(&cpu->icount_budget, __ATOMIC_RELAXED);
    atomic_fetch_add(&cpu->icount_pool->total, (uint64_t)(cpu->icount_chunk - budget));
    cpu->icount_chunk = budget;
    if (release) {
        pool_give_back(cpu->icount_pool, budget);
        cpu->icount_chunk = 0;
        cpu->icount_budget = 0;
    }
}

void cpu_icount_settle(CPUCommon *cpu, bool self, bool release)
{
    if (!cpu->icount_pool) {
        return;
    }
    g_assert(self || !release);
    icount_lock(cpu);
    settle_locked(cpu, self, release);
    icount_unlock(cpu);
}

bool cpu_icount_refill(CPUCommon *cpu, uint32_t need)
{
    InsnPool *pool = cpu->icount_pool;
    bool ok = true;
    icount_lock(cpu);
    settle_locked(cpu, true, false);
    if (icount_pool_exhausted(pool)) {
        ok = false;
    } else {
        uint64_t n = pool_take(pool);
        cpu->icount_budget += (int64_t)n;
        cpu->icount_chunk += (int64_t)n;
        if (cpu->icount_budget >= (int64_t)need) {
            /* enough */
        } else if (cpu->icount_budget > 0) {
            /* The pool is dry (a chunk is never smaller than a TB while there is one):
             * this TB still runs, the next refill fails. */
            int64_t over = (int64_t)need - cpu->icount_budget;
            if (atomic_load_explicit(&pool->limit, memory_order_relaxed)) {
                atomic_fetch_add(&pool->granted, (uint64_t)over);
            }
            cpu->icount_budget += over;
            cpu->icount_chunk += over;
        } else {
            atomic_store(&pool->exhausted, 1);
            ok = false;
        }
    }
    icount_unlock(cpu);
    return ok;
}

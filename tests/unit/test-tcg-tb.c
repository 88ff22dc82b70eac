/*
 * The TB machinery end to end, on the toy architecture and on every backend: chaining,
 * indirect jumps, faults restoring the exact guest PC, invalidation of chained TBs,
 * code-buffer flushes in the middle of chained execution, and four threads translating
 * and running the same code while a fifth invalidates it.
 */
#include <glib.h>
#include <string.h>

#include "tcg-harness.h"
#include "toy-cpu.h"

#define GUEST_SIZE (1u << 20)

typedef struct Machine {
    const TCGBackendOps *ops;
    uint8_t *mem; /* guest memory, followed by a guard page's worth of zeroes */
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TBCache *tbs;
} Machine;

static void machine_init(Machine *m, const TCGBackendOps *ops, size_t code_size)
{
    g_autoptr(GError) err = NULL;
    m->ops = ops;
    m->mem = g_malloc0(GUEST_SIZE + 4096);
    TCGGuestMemory gm = toy_memory(m->mem, GUEST_SIZE);
    m->cb = tcg_code_buffer_new(code_size, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    m->be = tcg_backend_new(ops, m->cb, &gm, &err);
    g_assert_no_error(err);
    m->tbs = tb_cache_new(m->be, toy_cpu_class.insn_start_words);
}

static void machine_destroy(Machine *m)
{
    tb_cache_free(m->tbs);
    tcg_backend_free(m->be);
    tcg_code_buffer_free(m->cb);
    g_free(m->mem);
}

static ToyCPU *cpu_new(Machine *m)
{
    ToyCPU *cpu = g_new0(ToyCPU, 1);
    cpu_common_init(&cpu->common, &toy_cpu_class, m->tbs);
    return cpu;
}

static void cpu_free(ToyCPU *cpu)
{
    cpu_common_destroy(&cpu->common);
    g_free(cpu);
}

/* sum = n + (n-1) + ... + 1 into r1, counting down r2; r0 stays 0. */
static uint64_t put_sum_loop(uint8_t *mem, uint64_t at, int32_t step)
{
    toy_put(mem, at + 0, TOY_ADD, 1, 1, 2, 0);
    toy_put(mem, at + 8, TOY_ADDI, 2, 2, 0, -step);
    toy_put(mem, at + 16, TOY_BNE, 2, 0, 0, -16);
    toy_put(mem, at + 24, TOY_HALT, 0, 0, 0, 0);
    return at + 24;
}

static void test_chained_loop(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 1 << 20);
    uint64_t halt = put_sum_loop(m.mem, 0x1000, 1);
    ToyCPU *cpu = cpu_new(&m);
    cpu->env.pc = 0x1000;
    cpu->env.r[2] = 100000;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
    g_assert_cmpuint(cpu->env.r[1], ==, 100000ull * 100001 / 2);
    g_assert_cmpuint(cpu->env.pc, ==, halt);
    /* The loop body chained to itself: a handful of TBs for 100000 iterations. */
    g_assert_cmpuint(atomic_load(&m.tbs->nb_tbs), <=, 3);
    TranslationBlock *loop = tb_lookup(m.tbs, 0x1000, 0);
    g_assert_nonnull(loop);
    g_assert_true(loop->jmp_dest[0] == loop);
    cpu_free(cpu);
    machine_destroy(&m);
}

static void test_indirect_and_helpers(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 1 << 20);
    /* r3 = 0x2000; jr r3; at 0x2000: count r4 twice, halt. */
    toy_put(m.mem, 0x1000, TOY_ADDI, 3, 0, 0, 0x2000);
    toy_put(m.mem, 0x1008, TOY_JR, 0, 3, 0, 0);
    toy_put(m.mem, 0x2000, TOY_COUNT, 0, 4, 0, 0);
    toy_put(m.mem, 0x2008, TOY_COUNT, 0, 4, 0, 0);
    toy_put(m.mem, 0x2010, TOY_HALT, 0, 0, 0, 0);
    ToyCPU *cpu = cpu_new(&m);
    for (int round = 0; round < 3; round++) { /* later rounds take the goto_ptr lookup */
        cpu->env.pc = 0x1000;
        cpu->env.r[4] = 21;
        g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
        g_assert_cmpuint(cpu->env.pc, ==, 0x2010);
    }
    g_assert_cmpuint(cpu->env.counter, ==, 3 * 42);
    cpu_free(cpu);
    machine_destroy(&m);
}

static void test_fault_restores_pc(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 1 << 20);
    /* r5 = 7; r6 = r5 + limit; ld r7, [r6 + 8]: faults in the middle of the TB. */
    toy_put(m.mem, 0x1000, TOY_ADDI, 5, 0, 0, 7);
    toy_put(m.mem, 0x1008, TOY_ADDI, 6, 5, 0, (int32_t)GUEST_SIZE);
    toy_put(m.mem, 0x1010, TOY_LD, 7, 6, 0, 8);
    toy_put(m.mem, 0x1018, TOY_HALT, 0, 0, 0, 0);
    ToyCPU *cpu = cpu_new(&m);
    cpu->env.pc = 0x1000;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_SEGV);
    g_assert_cmpuint(cpu->env.pc, ==, 0x1010);
    g_assert_cmpuint(cpu->env.r[5], ==, 7);
    g_assert_cmpuint(cpu->env.r[6], ==, 7 + GUEST_SIZE);
    g_assert_cmpuint(cpu->env.fault_addr, ==, 15 + GUEST_SIZE);
    /* An in-range access works and the store is visible to the load. */
    toy_put(m.mem, 0x1008, TOY_ADDI, 6, 5, 0, 0x8000);
    tb_invalidate_range(m.tbs, 0x1008, 0x1010);
    toy_put(m.mem, 0x1018, TOY_ST, 5, 6, 0, 16);
    toy_put(m.mem, 0x1020, TOY_LD, 1, 6, 0, 16);
    toy_put(m.mem, 0x1028, TOY_HALT, 0, 0, 0, 0);
    tb_invalidate_range(m.tbs, 0x1018, 0x1030);
    cpu->env.pc = 0x1000;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
    g_assert_cmpuint(cpu->env.r[1], ==, 7);
    cpu_free(cpu);
    machine_destroy(&m);
}

static void test_invalidate_chained(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 1 << 20);
    /* Two TBs chained both ways: a jump into the loop, and the loop to itself. */
    toy_put(m.mem, 0x0ff8, TOY_JMP, 0, 0, 0, 8);
    put_sum_loop(m.mem, 0x1000, 1);
    ToyCPU *cpu = cpu_new(&m);
    cpu->env.pc = 0x0ff8;
    cpu->env.r[2] = 1000;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
    g_assert_cmpuint(cpu->env.r[1], ==, 1000 * 1001 / 2);
    TranslationBlock *entry = tb_lookup(m.tbs, 0x0ff8, 0);
    g_assert_nonnull(entry->jmp_dest[0]);

    /* The guest rewrites the loop to count down by 2. */
    put_sum_loop(m.mem, 0x1000, 2);
    g_assert_cmpuint(tb_invalidate_range(m.tbs, 0x1008, 0x1010), >=, 1);
    g_assert_null(entry->jmp_dest[0]);
    g_assert_null(tb_lookup(m.tbs, 0x1000, 0));
    cpu->env.pc = 0x0ff8;
    cpu->env.r[1] = 0;
    cpu->env.r[2] = 1000;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
    g_assert_cmpuint(cpu->env.r[1], ==, 250500); /* 1000 + 998 + ... + 2 */
    cpu_free(cpu);
    machine_destroy(&m);
}

/*
 * NBLOCKS blocks of (addi r1 += 1; jmp next), the last jumping back to the first while
 * r2 counts rounds: far more code than a small buffer holds, so it flushes while chained.
 */
#define NBLOCKS 600

static void put_block_ring(uint8_t *mem, uint64_t at)
{
    for (unsigned i = 0; i < NBLOCKS; i++) {
        uint64_t b = at + i * 16;
        toy_put(mem, b, TOY_ADDI, 1, 1, 0, 1);
        toy_put(mem, b + 8, TOY_JMP, 0, 0, 0, 8);
    }
    uint64_t end = at + NBLOCKS * 16;
    toy_put(mem, end, TOY_ADDI, 2, 2, 0, -1);
    toy_put(mem, end + 8, TOY_BNE, 2, 0, 0, (int32_t)(at - end - 8));
    toy_put(mem, end + 16, TOY_HALT, 0, 0, 0, 0);
}

static void test_flush_while_chained(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 64 * 1024);
    put_block_ring(m.mem, 0x10000);
    ToyCPU *cpu = cpu_new(&m);
    cpu->env.pc = 0x10000;
    cpu->env.r[2] = 20;
    g_assert_cmpint(cpu_exec(&cpu->common), ==, TOY_EXCP_HALT);
    g_assert_cmpuint(cpu->env.r[1], ==, 20 * NBLOCKS);
    g_assert_cmpuint(atomic_load(&m.tbs->flush_count), >, 0);
    cpu_free(cpu);
    machine_destroy(&m);
}

typedef struct ThreadRun {
    Machine *m;
    unsigned rounds;
    uint64_t result;
    int excp;
} ThreadRun;

static gpointer run_ring(gpointer opaque)
{
    ThreadRun *r = opaque;
    ToyCPU *cpu = cpu_new(r->m);
    cpu->env.pc = 0x10000;
    cpu->env.r[2] = r->rounds;
    r->excp = cpu_exec(&cpu->common);
    r->result = cpu->env.r[1];
    cpu_free(cpu);
    return NULL;
}

static void test_threads(gconstpointer data)
{
    Machine m;
    machine_init(&m, data, 128 * 1024);
    put_block_ring(m.mem, 0x10000);
    ThreadRun runs[4];
    GThread *threads[4];
    for (unsigned i = 0; i < 4; i++) {
        runs[i] = (ThreadRun){.m = &m, .rounds = 10 + i};
        threads[i] = g_thread_new("vcpu", run_ring, &runs[i]);
    }
    /* Unchanged code invalidated under the running threads: they retranslate it. */
    for (unsigned i = 0; i < 200; i++) {
        uint64_t at = 0x10000 + (i * 7 % NBLOCKS) * 16;
        tb_invalidate_range(m.tbs, at, at + 16);
        g_usleep(100);
    }
    for (unsigned i = 0; i < 4; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(runs[i].excp, ==, TOY_EXCP_HALT);
        g_assert_cmpuint(runs[i].result, ==, (uint64_t)runs[i].rounds * NBLOCKS);
    }
    g_test_message("%u flushes", atomic_load(&m.tbs->flush_count));
    g_assert_cmpuint(atomic_load(&m.tbs->flush_count), >, 0);
    machine_destroy(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (unsigned b = 0; b < harness_nb_backends; b++) {
        const TCGBackendOps *ops = harness_backends[b].ops;
        const struct {
            const char *name;
            GTestDataFunc fn;
        } tests[] = {
            {"chained-loop", test_chained_loop},
            {"indirect-and-helpers", test_indirect_and_helpers},
            {"fault-restores-pc", test_fault_restores_pc},
            {"invalidate-chained", test_invalidate_chained},
            {"flush-while-chained", test_flush_while_chained},
            {"threads", test_threads},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf("/tcg/tb/%s/%s", ops->name, tests[i].name);
            g_test_add_data_func(path, ops, tests[i].fn);
        }
    }
    return g_test_run();
}

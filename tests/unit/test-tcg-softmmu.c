/*
 * The softmmu memory model of tcg/softmmu.h on the interpreter, its reference: TLB hits
 * reach host memory directly; misses, flagged entries, page-crossing and misaligned
 * MO_ALIGN accesses go to the owner's slow paths with the right oi.
 */
#include <glib.h>
#include <string.h>

#include "tcg/backend.h"
#include "tcg/tb.h"
#include "tcg/tcg-op.h"

#define PAGE_BITS 12
#define NB_MMU    2

typedef struct SoftEnv {
    uint64_t r[4];
    uint64_t slow_addr;
    uint32_t slow_oi;
    uint64_t slow_val;
    unsigned slow_calls;
    TLBTable tlb[NB_MMU];
} SoftEnv;

static uint64_t load_slow(void *env, uint64_t addr, uint32_t oi, uintptr_t retaddr)
{
    SoftEnv *e = env;
    e->slow_addr = addr;
    e->slow_oi = oi;
    e->slow_calls++;
    return 0x5157;
}

static void store_slow(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t retaddr)
{
    SoftEnv *e = env;
    e->slow_addr = addr;
    e->slow_oi = oi;
    e->slow_val = val;
    e->slow_calls++;
}

typedef struct Fixture {
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TCGContext *s;
    TCGv r[4];
    SoftEnv *env;
    uint8_t *ram; /* two host pages, mapped at guest 0x10000 (mmu 0) */
} Fixture;

static void fixture_init(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    TCGGuestMemory gm = {
        .model = TCG_MEM_SOFTMMU,
        .softmmu = {.tlb_offset = offsetof(SoftEnv, tlb),
                    .nb_mmu_idx = NB_MMU,
                    .page_bits = PAGE_BITS,
                    .load_slow = load_slow,
                    .store_slow = store_slow},
    };
    f->cb = tcg_code_buffer_new(1 << 20, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    f->be = tcg_backend_new(&tcg_interp_backend, f->cb, &gm, &err);
    g_assert_no_error(err);
    f->s = tcg_context_new(&gm, 1);
    static const char *const names[4] = {"r0", "r1", "r2", "r3"};
    for (int i = 0; i < 4; i++) {
        f->r[i] = tcg_global_mem_new(f->s, TCG_TYPE_I64, i * 8, names[i]);
    }
    f->env = g_new0(SoftEnv, 1);
    f->ram = g_malloc0(2 << PAGE_BITS);
    for (unsigned m = 0; m < NB_MMU; m++) {
        for (unsigned i = 0; i < TLB_ENTRIES; i++) {
            TLBEntry *e = &f->env->tlb[m].e[i];
            e->addr_read = e->addr_write = e->addr_code = TLB_INVALID;
        }
    }
    for (unsigned p = 0; p < 2; p++) {
        uint64_t va = 0x10000 + ((uint64_t)p << PAGE_BITS);
        TLBEntry *e = &f->env->tlb[0].e[(va >> PAGE_BITS) & (TLB_ENTRIES - 1)];
        e->addr_read = e->addr_write = va;
        e->addend = (uintptr_t)f->ram + ((uintptr_t)p << PAGE_BITS) - va;
    }
}

static void fixture_free(Fixture *f)
{
    tcg_context_free(f->s);
    tcg_backend_free(f->be);
    tcg_code_buffer_free(f->cb);
    g_free(f->env);
    g_free(f->ram);
}

/* r0 = load(r1) with memop mo and mmu index mmu; or store r0 to r1. */
static void run_access(Fixture *f, bool store, MemOp mo, unsigned mmu)
{
    tcg_func_start(f->s, NULL);
    uint64_t pc = 0;
    tcg_gen_insn_start(f->s, &pc);
    if (store) {
        tcg_gen_guest_st(f->s, f->r[0], f->r[1], mmu, mo);
    } else {
        tcg_gen_guest_ld(f->s, f->r[0], f->r[1], mmu, mo);
    }
    tcg_gen_exit_tb(f->s, 0);
    TCGTBCode out = {.insn_end = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    bool full = false;
    uint8_t *code = tcg_code_buffer_ptr(f->cb);
    g_assert_true(f->be->ops->gen_code(f->be, f->s, &out, &full));
    tcg_code_buffer_commit(f->cb, out.size);
    g_array_free(out.insn_end, TRUE);
    f->be->ops->exec(f->be, f->env, (const void *)tcg_code_buffer_rx(f->cb, code));
}

static void test_hits(void)
{
    Fixture f;
    fixture_init(&f);
    uint64_t v = 0x1122334455667788ull;
    memcpy(f.ram + 0x10, &v, 8);
    f.env->r[1] = 0x10010;
    run_access(&f, false, MO_UQ, 0);
    g_assert_cmphex(f.env->r[0], ==, v);
    run_access(&f, false, MO_UL | MO_BE | MO_SIGN, 0);
    g_assert_cmphex(f.env->r[0], ==, 0xffffffff88776655ull);
    f.env->r[0] = 0xaabb;
    f.env->r[1] = 0x11ff0; /* the second page */
    run_access(&f, true, MO_UW | MO_BE, 0);
    g_assert_cmphex(f.ram[(1 << PAGE_BITS) + 0xff0], ==, 0xaa);
    g_assert_cmpuint(f.env->slow_calls, ==, 0);
    fixture_free(&f);
}

static void test_slow_paths(void)
{
    Fixture f;
    fixture_init(&f);
    f.env->r[1] = 0x20000; /* no translation */
    run_access(&f, false, MO_SW, 1);
    g_assert_cmpuint(f.env->slow_calls, ==, 1);
    g_assert_cmphex(f.env->slow_addr, ==, 0x20000);
    g_assert_cmphex(f.env->slow_oi, ==, softmmu_oi(MO_SW, 1));
    g_assert_cmphex(f.env->r[0], ==, 0x5157);

    f.env->r[1] = 0x10ffc; /* crosses into the next page */
    run_access(&f, false, MO_UQ, 0);
    g_assert_cmpuint(f.env->slow_calls, ==, 2);

    f.env->r[1] = 0x10002; /* misaligned with MO_ALIGN */
    run_access(&f, false, MO_UL | MO_ALIGN, 0);
    g_assert_cmpuint(f.env->slow_calls, ==, 3);
    run_access(&f, false, MO_UL, 0); /* the same access unaligned is a hit */
    g_assert_cmpuint(f.env->slow_calls, ==, 3);

    TLBEntry *e = &f.env->tlb[0].e[(0x10000 >> PAGE_BITS) & (TLB_ENTRIES - 1)];
    e->addr_write |= TLB_MMIO;
    f.env->r[0] = 0x77;
    f.env->r[1] = 0x10008;
    run_access(&f, true, MO_UB, 0);
    g_assert_cmpuint(f.env->slow_calls, ==, 4);
    g_assert_cmphex(f.env->slow_val, ==, 0x77);
    g_assert_cmphex(f.ram[8], ==, 0);
    run_access(&f, false, MO_UB, 0); /* reads of that page still hit */
    g_assert_cmpuint(f.env->slow_calls, ==, 4);
    fixture_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcg/softmmu/interp/hits", test_hits);
    g_test_add_func("/tcg/softmmu/interp/slow-paths", test_slow_paths);
    return g_test_run();
}

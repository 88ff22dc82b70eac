/* The backend test bench (see tcg-harness.h). */
#include "tests/unit/tcg-harness.h"

#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcg/optimize.h"

/* Every backend the tests run on. The JIT joins with one line. */
const HarnessBackend harness_backends[] = {
    {"interp", &tcg_interp_backend, NULL},
    {"x86-64", &tcg_x86_64_backend, NULL},
};
const unsigned harness_nb_backends = G_N_ELEMENTS(harness_backends);

static void harness_fault(void *env, uint64_t addr, uint32_t access, uintptr_t retaddr)
{
    TestEnv *e = env;
    e->fault = (HarnessFault){e->fault.count + 1, addr, access, retaddr};
    if (!e->fault_jmp) {
        g_error("unexpected guest fault at 0x%" PRIx64 " (access 0x%x)", addr, access);
    }
    siglongjmp(*e->fault_jmp, 1);
}

static uint8_t *guest_map(size_t *map_size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    *map_size = HARNESS_GUEST_SIZE + page;
    uint8_t *p = mmap(NULL, *map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(p != MAP_FAILED);
    g_assert(mprotect(p + HARNESS_GUEST_SIZE, page, PROT_NONE) == 0);
    return p;
}

static void add_globals(Harness *h)
{
    static const char *const r_names[HARNESS_NB_REGS] = {
        "r0", "r1", "r2",  "r3",  "r4",  "r5",  "r6",  "r7",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    static const char *const w_names[HARNESS_NB_REGS32] = {"w0", "w1", "w2", "w3",
                                                           "w4", "w5", "w6", "w7"};
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        h->r[i] = tcg_global_mem_new(h->s, TCG_TYPE_I64,
                                     offsetof(TestEnv, regs) + i * sizeof(uint64_t), r_names[i]);
    }
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        h->w[i] = tcg_global_mem_new(h->s, TCG_TYPE_I32,
                                     offsetof(TestEnv, regs32) + i * sizeof(uint32_t), w_names[i]);
    }
    h->pc = tcg_global_mem_new(h->s, TCG_TYPE_I64, offsetof(TestEnv, pc), "pc");
}

static void tb_free(gpointer p)
{
    HarnessTB *tb = p;
    g_array_free(tb->info.insn_end, TRUE);
    g_free(tb);
}

Harness *harness_new(const HarnessBackend *backend)
{
    Harness *h = g_new0(Harness, 1);
    GError *err = NULL;
    h->backend = backend;
    h->env = g_new0(TestEnv, 1);
    h->guest = guest_map(&h->guest_map_size);
    TCGGuestMemory mem = {
        .model = TCG_MEM_USER,
        .guest_base = (uintptr_t)h->guest,
        .guest_limit = HARNESS_GUEST_SIZE,
        .fault_helper = harness_fault,
    };
    h->cb = tcg_code_buffer_new(HARNESS_CODE_SIZE, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    h->be = tcg_backend_new(backend->ops, h->cb, &mem, &err);
    g_assert_no_error(err);
    h->s = tcg_context_new(&mem, 1);
    add_globals(h);
    h->tbs = g_ptr_array_new_with_free_func(tb_free);
    return h;
}

void harness_free(Harness *h)
{
    g_ptr_array_free(h->tbs, TRUE);
    tcg_context_free(h->s);
    tcg_backend_free(h->be);
    tcg_code_buffer_free(h->cb);
    munmap(h->guest, h->guest_map_size);
    g_free(h->env);
    g_free(h);
}

void harness_set_optimize(Harness *h, bool on)
{
    h->optimize = on;
}

HarnessTB *harness_begin(Harness *h)
{
    HarnessTB *tb = g_new0(HarnessTB, 1);
    tb->info.insn_end = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_ptr_array_add(h->tbs, tb);
    tcg_func_start(h->s, tb);
    return tb;
}

bool harness_finish(Harness *h, HarnessTB *tb)
{
    if (h->optimize) {
        tcg_optimize(h->s);
    }
    if (h->backend->prepare) {
        h->backend->prepare(h->s);
    }
    uint8_t *code = tcg_code_buffer_ptr(h->cb);
    bool full = false;
    if (!h->be->ops->gen_code(h->be, h->s, &tb->info, &full)) {
        g_test_fail_printf("%s: gen_code failed (%s) on a TB of %u ops", h->backend->name,
                           full ? "buffer full" : "TB too big", h->s->nb_ops);
        return false;
    }
    tb->code = (const void *)tcg_code_buffer_rx(h->cb, code);
    tcg_code_buffer_commit(h->cb, tb->info.size);
    return true;
}

uintptr_t harness_exec(Harness *h, const HarnessTB *tb)
{
    return h->be->ops->exec(h->be, h->env, tb->code);
}

bool harness_exec_catch(Harness *h, const HarnessTB *tb, uintptr_t *ret)
{
    sigjmp_buf jmp;
    h->env->fault_jmp = &jmp;
    if (sigsetjmp(jmp, 0)) {
        h->env->fault_jmp = NULL;
        return false;
    }
    *ret = harness_exec(h, tb);
    h->env->fault_jmp = NULL;
    return true;
}

void harness_reset(Harness *h)
{
    g_ptr_array_set_size(h->tbs, 0);
    tcg_code_buffer_flush(h->cb);
}

int harness_insn_index(const HarnessTB *tb, uintptr_t host_pc)
{
    uintptr_t start = (uintptr_t)tb->code;
    if (host_pc < start || host_pc >= start + tb->info.size) {
        return -1;
    }
    for (guint i = 0; i < tb->info.insn_end->len; i++) {
        if (host_pc - start < g_array_index(tb->info.insn_end, uint32_t, i)) {
            return (int)i;
        }
    }
    return -1;
}

typedef struct HarnessTestCase {
    const HarnessBackend *backend;
    HarnessTestFn fn;
    const void *data;
} HarnessTestCase;

static void run_test_case(gconstpointer p)
{
    const HarnessTestCase *tc = p;
    Harness *h = harness_new(tc->backend);
    tc->fn(h, tc->data);
    harness_free(h);
}

void harness_add_tests(const char *suite, const char *name, HarnessTestFn fn, const void *data)
{
    for (unsigned i = 0; i < harness_nb_backends; i++) {
        HarnessTestCase *tc = g_new(HarnessTestCase, 1);
        *tc = (HarnessTestCase){&harness_backends[i], fn, data};
        char *path = g_strdup_printf("/tcg/%s/%s/%s", suite, harness_backends[i].name, name);
        g_test_add_data_func_full(path, tc, run_test_case, g_free);
        g_free(path);
    }
}

/*
 * The execution loop of a TCG vCPU: find or translate the TB for the current guest
 * state, chain it to the TB that just exited into it, run it, repeat. Exceptions leave
 * translated code by siglongjmp from a helper back to cpu_exec. A counting vCPU
 * (accel/tcg/icount.h) runs TBs of its own kind and refills its budget here.
 */
#include "accel/tcg/cpu.h"

#include <inttypes.h>
#include <string.h>

#include "accel/tcg/icount.h"
#include "tcg/tcg-op.h"
#include "vmcore/log.h"

static uint32_t cpu_translate(TCGContext *s, void *opaque, uint64_t pc, uint64_t flags,
                              unsigned max_insns)
{
    CPUCommon *cpu = opaque;
    return cpu->cls->translate(cpu, s, pc, flags, max_insns);
}

static TranslationBlock *jmp_cache_lookup(CPUCommon *cpu, uint64_t pc, uint64_t flags)
{
    TranslationBlock *tb = cpu->jmp_cache[tb_jmp_cache_hash(pc)];
    if (tb && tb->pc == pc && tb->flags == flags && !atomic_load(&tb->invalid)) {
        return tb;
    }
    tb = tb_lookup(cpu->tbs, pc, flags);
    if (tb) {
        cpu->jmp_cache[tb_jmp_cache_hash(pc)] = tb;
    }
    return tb;
}

/* The architecture's TB key, with the loop's own flags. */
static void get_tb_state(CPUCommon *cpu, uint64_t *pc, uint64_t *flags)
{
    cpu->cls->get_tb_state(cpu, pc, flags);
    if (cpu->icount_pool) {
        *flags |= TB_FLAG_ICOUNT;
    }
}

static TranslationBlock *tb_find(CPUCommon *cpu)
{
    uint64_t pc, flags;
    get_tb_state(cpu, &pc, &flags);
    TranslationBlock *tb = jmp_cache_lookup(cpu, pc, flags);
    if (!tb) {
        tb = tb_translate(cpu->tbs, &cpu->exec_thread, cpu->tcg, pc, flags, cpu_translate, cpu);
        cpu->jmp_cache[tb_jmp_cache_hash(pc)] = tb;
    }
    return tb;
}

static uintptr_t lookup_tb_ptr(void *env)
{
    CPUCommon *cpu = env_cpu(env);
    uint64_t pc, flags;
    get_tb_state(cpu, &pc, &flags);
    TranslationBlock *tb = jmp_cache_lookup(cpu, pc, flags);
    return tb ? tb->tc : (uintptr_t)cpu->tbs->be->return_zero;
}

const TCGHelperInfo cpu_lookup_tb_helper = {
    .name = "lookup_tb_ptr",
    .func = (void *)lookup_tb_ptr,
    .flags = TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_SIDE_EFFECTS,
    .ret = TCG_CALL_PTR,
    .args = {TCG_CALL_PTR},
    .nargs = 1,
};

void cpu_common_init(CPUCommon *cpu, const CPUClass *cls, TBCache *tbs)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->cls = cls;
    cpu->env = cpu + 1;
    cpu->tbs = tbs;
    cpu->tcg = tcg_context_new(&tbs->be->mem, cls->insn_start_words);
    cpu->tcg->lookup_tb = &cpu_lookup_tb_helper;
    cpu->tcg->jmp_cache_offset = CPU_JMP_CACHE_OFFSET;
    cls->init_tcg(cpu->tcg);
    cpu->exec_thread.exit_request = &cpu->exit_request;
    cpu->exception_index = EXCP_NONE;
    tb_exec_thread_register(tbs, &cpu->exec_thread);
}

void cpu_common_destroy(CPUCommon *cpu)
{
    tb_exec_thread_unregister(cpu->tbs, &cpu->exec_thread);
    tcg_context_free(cpu->tcg);
}

void cpu_exit(CPUCommon *cpu)
{
    atomic_store(&cpu->interrupt_request, 1);
    atomic_store(&cpu->exit_request, 1);
}

/* A counting TB took its whole count at its start: give back what comes after the
 * instruction at data, which did not run. */
static void icount_unwind(CPUCommon *cpu, const TranslationBlock *tb, const uint64_t *data)
{
    if (tb->flags & TB_FLAG_ICOUNT) {
        size_t done = (size_t)(data - tb->insn_data) / cpu->tbs->insn_start_words + 1;
        cpu->icount_budget += (int64_t)(tb->icount - done);
    }
}

_Noreturn void cpu_raise_exception(CPUCommon *cpu, int excp, uintptr_t host_retaddr)
{
    if (host_retaddr) {
        TranslationBlock *tb = tb_find_by_host_pc(cpu->tbs, host_retaddr);
        const uint64_t *data = tb ? tb_insn_data(cpu->tbs, tb, host_retaddr) : NULL;
        if (!data) {
            g_error("cpu: exception %d raised from host pc %#" PRIxPTR " outside any TB", excp,
                    host_retaddr);
        }
        cpu->cls->restore_state(cpu, data);
        icount_unwind(cpu, tb, data);
    }
    cpu->exception_index = excp;
    siglongjmp(cpu->jmp_env, 1);
}

/* A flush may have reused the memory of every TB this vCPU remembers. */
static void sync_with_flushes(CPUCommon *cpu)
{
    unsigned n = atomic_load(&cpu->tbs->flush_count);
    if (n != cpu->seen_flush_count) {
        memset(cpu->jmp_cache, 0, sizeof(cpu->jmp_cache));
        cpu->seen_flush_count = n;
    }
}

/*
 * exit_request is raised either by cpu_exit() (interrupt_request says so: return) or by
 * a flush in another thread, which waits for this one to step out: do, and come back.
 */
static bool cpu_handle_exit_request(CPUCommon *cpu)
{
    atomic_store(&cpu->exit_request, 0);
    if (atomic_exchange(&cpu->interrupt_request, 0)) {
        return true;
    }
    tb_exec_end(cpu->tbs, &cpu->exec_thread);
    tb_exec_begin(cpu->tbs, &cpu->exec_thread);
    sync_with_flushes(cpu);
    return false;
}

/* Runs TBs until another thread asks the vCPU out (EXCP_INTERRUPT) or its instruction
 * budget cannot be refilled (EXCP_ICOUNT); exceptions leave by siglongjmp. */
static int cpu_exec_loop(CPUCommon *cpu)
{
    TCGBackend *be = cpu->tbs->be;
    TranslationBlock *last_tb = NULL;
    unsigned slot = 0;
    for (;;) {
        if (atomic_load(&cpu->exit_request)) {
            if (cpu_handle_exit_request(cpu)) {
                return EXCP_INTERRUPT;
            }
            last_tb = NULL;
        }
        unsigned flushes = atomic_load(&cpu->tbs->flush_count);
        TranslationBlock *tb = tb_find(cpu);
        if (last_tb && flushes == atomic_load(&cpu->tbs->flush_count)) {
            tb_link(cpu->tbs, last_tb, slot, tb);
        }
        sync_with_flushes(cpu);
        if (log_enabled(LOG_EXEC)) {
            fprintf(log_stream(), "exec: tb %p pc 0x%" PRIx64 "\n", (void *)tb, tb->pc);
        }
        uintptr_t ret = be->ops->exec(be, cpu->env, (const void *)tb->tc);
        last_tb = (TranslationBlock *)(ret & ~(uintptr_t)TB_EXIT_MASK);
        slot = ret & TB_EXIT_MASK;
        if (slot == TB_EXIT_REQUESTED && cpu->icount_pool &&
            cpu->icount_budget < (int64_t)last_tb->icount &&
            !cpu_icount_refill(cpu, last_tb->icount)) {
            cpu->cls->restore_state(cpu, last_tb->insn_data);
            return EXCP_ICOUNT;
        }
        if (slot > TB_EXIT_IDX1) {
            /* Left before its first instruction, perhaps entered by a chained jump, which
             * does not store the pc (see tcg_gen_goto_tb). */
            cpu->cls->restore_state(cpu, last_tb->insn_data);
            last_tb = NULL;
        }
    }
}

int cpu_exec(CPUCommon *cpu)
{
    cpu->exception_index = EXCP_NONE;
    tb_exec_begin(cpu->tbs, &cpu->exec_thread);
    if (sigsetjmp(cpu->jmp_env, 0) == 0) {
        sync_with_flushes(cpu);
        cpu->exception_index = cpu_exec_loop(cpu);
    }
    tb_exec_end(cpu->tbs, &cpu->exec_thread);
    return cpu->exception_index;
}

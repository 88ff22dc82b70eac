/*
 * What every TCG vCPU has regardless of its guest architecture, and what an architecture
 * tells the execution loop about itself.
 *
 * Layout contract: an architecture's CPU struct is { CPUCommon common; ArchEnv env; }
 * with env right after common (CPU_DEFINE_LAYOUT checks it), so generated code and
 * helpers that only hold env reach the common part at a fixed negative offset, and one
 * translation serves every vCPU of the architecture.
 */
#ifndef ACCEL_TCG_CPU_H
#define ACCEL_TCG_CPU_H

#include <setjmp.h>
#include <stdalign.h>
#include <stddef.h>

#include "accel/tcg/translator.h"
#include "tcg/tb.h"

typedef struct CPUCommon CPUCommon;

typedef struct CPUClass {
    const char *name;
    unsigned insn_start_words;
    /* Registers the architecture's globals in a new translation context. */
    void (*init_tcg)(TCGContext *s);
    /* The PC and mode flags the next TB must match (bits outside TB_FLAG_GENERIC_MASK,
     * which the execution loop adds: TB_FLAG_ICOUNT). */
    void (*get_tb_state)(CPUCommon *cpu, uint64_t *pc, uint64_t *flags);
    /* Builds the IR of the TB at (pc, flags), normally through translator_loop() with the
     * frontend's own disassembly context; returns the guest bytes covered. */
    uint32_t (*translate)(CPUCommon *cpu, TCGContext *s, uint64_t pc, uint64_t flags,
                          unsigned max_insns);
    /* Sets the guest PC (and whatever else) from an instruction's insn_start words. */
    void (*restore_state)(CPUCommon *cpu, const uint64_t *insn_data);
    /*
     * The TCGGuestMemory fault_helper: a guest access from translated code at addr was
     * refused (access is memop | is_store << 8; misaligned when the memop asked for
     * alignment). Raises the architecture's exception for it; does not return.
     */
    void (*mem_fault)(void *env, uint64_t addr, uint32_t access, uintptr_t host_retaddr);
} CPUClass;

/* Access kinds for CPUMemoryOps.probe. */
typedef enum CPUAccessType {
    CPU_ACCESS_LOAD,
    CPU_ACCESS_STORE,
    CPU_ACCESS_FETCH,
} CPUAccessType;

/*
 * How a vCPU reaches guest memory outside translated code, provided by the environment
 * it runs in (user mode, or a system-mode machine): the translator fetching code, and
 * helpers doing atomic or otherwise special accesses.
 */
typedef struct CPUMemoryOps {
    /* Copies len bytes of guest code at pc into buf; false when pc is not executable. */
    bool (*fetch_code)(CPUCommon *cpu, uint64_t pc, void *buf, size_t len);
    /* The host address of [addr, addr + len) if the guest may access it so, else NULL. */
    void *(*probe)(CPUCommon *cpu, uint64_t addr, size_t len, CPUAccessType type);
} CPUMemoryOps;

/* Exception numbers common to every architecture; architectures number theirs from 0. */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = -2, /* exit_request was set by another thread */
    EXCP_ICOUNT = -3,    /* the instruction budget is spent and its pool is exhausted */
};

struct CPUCommon {
    alignas(64) const CPUClass *cls;
    void *env;
    TBCache *tbs;
    TCGContext *tcg;
    const CPUMemoryOps *mem;
    void *mem_opaque; /* the environment's, e.g. the user-mode thread */
    TBExecThread exec_thread;
    atomic_int exit_request;      /* tested by generated code at every TB start */
    atomic_int interrupt_request; /* cpu_exit() was called: cpu_exec returns */
    unsigned seen_flush_count;
    int exception_index;
    sigjmp_buf jmp_env;
    TranslationBlock *jmp_cache[TB_JMP_CACHE_SIZE];
    /*
     * Instruction counting (accel/tcg/icount.h), when icount_pool is set. The budget is
     * what TBs with TB_FLAG_ICOUNT take their instruction count from; chunk is what the
     * pool has granted since the last settlement (used = chunk - budget); the lock orders
     * the vCPU's own refills against another thread settling it. These sit in the tail
     * padding of the struct, so that adding them moved nothing generated code reaches.
     */
    int64_t icount_budget;
    int64_t icount_chunk;
    struct InsnPool *icount_pool;
    atomic_flag icount_lock;
};

#define CPU_DEFINE_LAYOUT(type, common_field, env_field)               \
    _Static_assert(offsetof(type, common_field) == 0 &&                \
                       offsetof(type, env_field) == sizeof(CPUCommon), \
                   #type " must be { CPUCommon; env; }")

static inline CPUCommon *env_cpu(void *env)
{
    return (CPUCommon *)((char *)env - sizeof(CPUCommon));
}

/* Offset of exit_request from env, for the check at the start of every TB. */
#define CPU_EXIT_REQUEST_OFFSET \
    ((int32_t)offsetof(CPUCommon, exit_request) - (int32_t)sizeof(CPUCommon))
/* Offset of icount_budget from env, for the budget check of counting TBs. */
#define CPU_ICOUNT_BUDGET_OFFSET \
    ((int32_t)offsetof(CPUCommon, icount_budget) - (int32_t)sizeof(CPUCommon))
#define CPU_JMP_CACHE_OFFSET \
    ((int32_t)offsetof(CPUCommon, jmp_cache) - (int32_t)sizeof(CPUCommon))

/* Binds a vCPU (common is the first member of the architecture's CPU) to a TB cache. */
void cpu_common_init(CPUCommon *cpu, const CPUClass *cls, TBCache *tbs);
void cpu_common_destroy(CPUCommon *cpu);

/*
 * Runs guest code until an exception: returns its number (the architecture's, or
 * EXCP_INTERRUPT when another thread called cpu_exit()).
 */
int cpu_exec(CPUCommon *cpu);

/* Makes the vCPU leave translated code at its next TB start. Any thread may call it. */
void cpu_exit(CPUCommon *cpu);

/*
 * Leaves translated code from a helper with an exception. host_retaddr is the helper's
 * return address into the TB (0 when the guest state is already exact).
 */
_Noreturn void cpu_raise_exception(CPUCommon *cpu, int excp, uintptr_t host_retaddr);

/* Helper for GOTO_PTR: the host code of the next TB, or the backend's return_zero. */
extern const TCGHelperInfo cpu_lookup_tb_helper;

#endif

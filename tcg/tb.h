/*
 * Translation blocks and the cache that holds them.
 *
 * A TB is the translation of a straight run of guest code, keyed by (guest PC, CPU mode
 * flags). Its struct, its instruction map and its host code all live in the code buffer,
 * so a full flush frees everything at once and nothing is freed one TB at a time: a TB
 * that is invalidated stays readable until the next flush. That is what keeps the read
 * path lock-free: lookups and the host-PC search read published pointers with acquire
 * loads, while every structural change (insert, chain, invalidate, flush) happens under
 * the cache's lock. A flush runs only when every thread that executes code from the
 * cache is outside it (the exclusive section below).
 */
#ifndef TCG_TB_H
#define TCG_TB_H

#include <glib.h>
#include <stdatomic.h>

#include "vmcore/thread.h"

#include "tcg/backend.h"

#define TB_PAGE_BITS 12
#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1u << TB_JMP_CACHE_BITS)

/*
 * TB flags the execution loop adds to an architecture's mode flags, from the top bit down:
 * TBs that differ in them never mix (lookups compare every flag bit).
 * TB_FLAG_ICOUNT: the TB starts with the instruction budget check (accel/tcg/icount.h).
 */
#define TB_FLAG_ICOUNT       (1ull << 63)
#define TB_FLAG_GENERIC_MASK TB_FLAG_ICOUNT

/* A vCPU's jump cache slot for pc; tcg_gen_lookup_and_goto_ptr computes the same inline. */
static inline unsigned tb_jmp_cache_hash(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> TB_JMP_CACHE_BITS)) >> 1) & (TB_JMP_CACHE_SIZE - 1);
}

typedef struct TranslationBlock TranslationBlock;

struct TranslationBlock {
    uint64_t pc;
    uint64_t flags;
    uint32_t guest_size; /* bytes of guest code covered, from pc */
    uint32_t icount;     /* guest instructions */
    uintptr_t tc;        /* host code, executable address */
    uint32_t tc_size;
    uint32_t jmp_insn_offset[2];
    uint32_t jmp_reset_offset[2];
    atomic_bool invalid;
    /* Outgoing chains: slot n jumps to jmp_dest[n] (NULL while unchained). */
    TranslationBlock *jmp_dest[2];
    /* Incoming chains: TBs whose slot jumps here, as (tb | slot) linked through their
     * jmp_list_next[slot]. Under the cache lock. */
    uintptr_t jmp_list_head;
    uintptr_t jmp_list_next[2];
    TranslationBlock *_Atomic hash_next;
    TranslationBlock *page_next[2]; /* TBs on the same guest page, per covered page */
    uint32_t *insn_end;             /* icount code offsets */
    uint64_t *insn_data;            /* icount x insn_start_words */
};

/* One thread that runs code from a cache: what a flush needs to stop it. */
typedef struct TBExecThread {
    atomic_int *exit_request; /* generated code leaves at the next TB start when set */
    atomic_int running;       /* inside tb_exec_begin/end */
    struct TBExecThread *next;
} TBExecThread;

typedef struct TBCache {
    pthread_mutex_t lock;
    TCGCodeBuffer *cb;
    TCGBackend *be;
    unsigned insn_start_words;
    TranslationBlock *_Atomic *buckets;
    unsigned nbuckets;
    GHashTable *pages; /* guest page number -> first TB (chained by page_next) */
    /* Every TB in code-buffer order, for mapping a host PC back to its TB. */
    TranslationBlock **by_addr;
    atomic_size_t nb_tbs;
    size_t by_addr_cap;
    atomic_uint flush_count;
    /* Exclusive section for flushes. */
    pthread_mutex_t excl_lock;
    pthread_cond_t excl_cond;
    atomic_bool excl_pending;
    TBExecThread *threads;
} TBCache;

TBCache *tb_cache_new(TCGBackend *be, unsigned insn_start_words);
void tb_cache_free(TBCache *c);

/* Lock-free: the valid TB for (pc, flags), or NULL. */
TranslationBlock *tb_lookup(TBCache *c, uint64_t pc, uint64_t flags);

/*
 * Builds the IR of the TB at (pc, flags) into s; returns how many bytes of guest code it
 * covers. At most max_insns guest instructions; the TB may span at most two guest pages.
 */
typedef uint32_t (*TBTranslateFn)(TCGContext *s, void *opaque, uint64_t pc, uint64_t flags,
                                  unsigned max_insns);

/*
 * The TB for (pc, flags), translated now unless another thread got there first. A full
 * code buffer is flushed (self must be between tb_exec_begin and tb_exec_end; every TB
 * pointer the caller holds is dead afterwards). Never returns NULL.
 */
TranslationBlock *tb_translate(TBCache *c, TBExecThread *self, TCGContext *s, uint64_t pc,
                               uint64_t flags, TBTranslateFn fn, void *opaque);

/* Chains src's slot n to dst (no-op if either is invalid or already chained). */
void tb_link(TBCache *c, TranslationBlock *src, unsigned n, TranslationBlock *dst);

/* Invalidates every TB with guest code overlapping [start, end). Returns how many. */
unsigned tb_invalidate_range(TBCache *c, uint64_t start, uint64_t end);

/* The TB whose host code contains host_pc, or NULL. Lock-free, async-signal-safe. */
TranslationBlock *tb_find_by_host_pc(TBCache *c, uintptr_t host_pc);

/* The insn_start words of the guest instruction whose code contains host_pc, or NULL. */
const uint64_t *tb_insn_data(const TBCache *c, const TranslationBlock *tb, uintptr_t host_pc);

/* Threads that execute code from the cache, and the exclusive section around flushes. */
void tb_exec_thread_register(TBCache *c, TBExecThread *t);
void tb_exec_thread_unregister(TBCache *c, TBExecThread *t);
void tb_exec_begin(TBCache *c, TBExecThread *t);
void tb_exec_end(TBCache *c, TBExecThread *t);
/* Drops every TB. The caller must not be between tb_exec_begin and tb_exec_end. */
void tb_flush(TBCache *c);

/*
 * Around a host fork() of a process running code from c: prepare takes the cache's locks
 * and, for a split code buffer, the child's copy of it (false, errno set and no lock held
 * if that fails: do not fork); parent drops the copy and releases the locks; child
 * releases them too, after making self the only thread and mapping the copy. A false
 * return (child) means the child must not run translated code: it has to exit.
 */
bool tb_cache_fork_prepare(TBCache *c);
void tb_cache_fork_parent(TBCache *c);
bool tb_cache_fork_child(TBCache *c, TBExecThread *self, GError **errp);

/* Cache-internal, shared by tb-cache.c and tb-maint.c. */
void tb_hash_insert(TBCache *c, TranslationBlock *tb);
void tb_hash_remove(TBCache *c, TranslationBlock *tb);
void tb_hash_clear(TBCache *c);

#endif

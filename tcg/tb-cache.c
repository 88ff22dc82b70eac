/*
 * The TB cache's lock-free read side (hash lookup, host-PC search) and its exclusive
 * section. Writers hold c->lock; readers see a TB only after every field of it has been
 * written, because publication is a release store and reads are acquire loads.
 */
#include "tcg/tb.h"

#include <errno.h>
#include <sys/mman.h>

#define TB_HASH_BITS 15

static unsigned tb_hash(const TBCache *c, uint64_t pc, uint64_t flags)
{
    uint64_t h = (pc ^ (flags * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    return (unsigned)(h >> 32) & (c->nbuckets - 1);
}

/*
 * The buckets, zeroed and present from the start: the hash scatters even a small
 * program's TBs over every page of the table, and faulting them in one by one (a read,
 * then a copy on write) cost a short run more than the whole table's zeroing.
 */
static TranslationBlock *_Atomic *tb_buckets_new(size_t n)
{
    void *p = mmap(NULL, n * sizeof(TranslationBlock *), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        g_error("tcg: mapping the TB hash table: %s", g_strerror(errno));
    }
    return p;
}

TBCache *tb_cache_new(TCGBackend *be, unsigned insn_start_words)
{
    TBCache *c = g_new0(TBCache, 1);
    mutex_init(&c->lock);
    mutex_init(&c->excl_lock);
    cond_init(&c->excl_cond);
    c->be = be;
    c->cb = be->cb;
    c->insn_start_words = insn_start_words;
    c->nbuckets = 1u << TB_HASH_BITS;
    c->buckets = tb_buckets_new(c->nbuckets);
    c->pages = g_hash_table_new(g_direct_hash, g_direct_equal); /* keyed by page number */
    /* Every TB takes more than its struct in the buffer, which bounds their number. */
    c->by_addr_cap = c->cb->size / sizeof(TranslationBlock) + 1;
    c->by_addr = g_new(TranslationBlock *, c->by_addr_cap);
    return c;
}

void tb_cache_free(TBCache *c)
{
    if (!c) {
        return;
    }
    g_hash_table_destroy(c->pages);
    g_free(c->by_addr);
    munmap((void *)c->buckets, c->nbuckets * sizeof(TranslationBlock *));
    cond_destroy(&c->excl_cond);
    mutex_destroy(&c->excl_lock);
    mutex_destroy(&c->lock);
    g_free(c);
}

TranslationBlock *tb_lookup(TBCache *c, uint64_t pc, uint64_t flags)
{
    TranslationBlock *tb =
        atomic_load_explicit(&c->buckets[tb_hash(c, pc, flags)], memory_order_acquire);
    for (; tb; tb = atomic_load_explicit(&tb->hash_next, memory_order_acquire)) {
        if (tb->pc == pc && tb->flags == flags &&
            !atomic_load_explicit(&tb->invalid, memory_order_acquire)) {
            return tb;
        }
    }
    return NULL;
}

void tb_hash_insert(TBCache *c, TranslationBlock *tb)
{
    TranslationBlock *_Atomic *head = &c->buckets[tb_hash(c, tb->pc, tb->flags)];
    atomic_store_explicit(&tb->hash_next, atomic_load(head), memory_order_relaxed);
    atomic_store_explicit(head, tb, memory_order_release);
}

/* Unlinks tb; a reader standing on tb still finds its way on through tb->hash_next. */
void tb_hash_remove(TBCache *c, TranslationBlock *tb)
{
    TranslationBlock *_Atomic *link = &c->buckets[tb_hash(c, tb->pc, tb->flags)];
    for (TranslationBlock *p = atomic_load(link); p; p = atomic_load(link)) {
        if (p == tb) {
            atomic_store_explicit(link, atomic_load(&tb->hash_next), memory_order_release);
            return;
        }
        link = &p->hash_next;
    }
}

void tb_hash_clear(TBCache *c)
{
    for (unsigned i = 0; i < c->nbuckets; i++) {
        atomic_store_explicit(&c->buckets[i], NULL, memory_order_relaxed);
    }
}

TranslationBlock *tb_find_by_host_pc(TBCache *c, uintptr_t host_pc)
{
    size_t lo = 0, hi = atomic_load_explicit(&c->nb_tbs, memory_order_acquire);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        TranslationBlock *tb = c->by_addr[mid];
        if (host_pc < tb->tc) {
            hi = mid;
        } else if (host_pc >= tb->tc + tb->tc_size) {
            lo = mid + 1;
        } else {
            return tb;
        }
    }
    return NULL;
}

/*
 * A return address or faulting PC lies inside the code of the instruction it belongs to,
 * so the instruction is the first whose code ends beyond host_pc.
 */
const uint64_t *tb_insn_data(const TBCache *c, const TranslationBlock *tb, uintptr_t host_pc)
{
    if (host_pc < tb->tc || host_pc >= tb->tc + tb->tc_size) {
        return NULL;
    }
    uint32_t off = (uint32_t)(host_pc - tb->tc);
    for (uint32_t i = 0; i < tb->icount; i++) {
        if (off < tb->insn_end[i]) {
            return &tb->insn_data[(size_t)i * c->insn_start_words];
        }
    }
    return NULL;
}

void tb_exec_thread_register(TBCache *c, TBExecThread *t)
{
    mutex_lock(&c->excl_lock);
    atomic_store(&t->running, 0);
    t->next = c->threads;
    c->threads = t;
    mutex_unlock(&c->excl_lock);
}

void tb_exec_thread_unregister(TBCache *c, TBExecThread *t)
{
    mutex_lock(&c->excl_lock);
    for (TBExecThread **p = &c->threads; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    cond_broadcast(&c->excl_cond);
    mutex_unlock(&c->excl_lock);
}

/*
 * running and excl_pending are both sequentially consistent, so a thread entering and a
 * flusher starting cannot both miss each other: either the thread sees the flush pending
 * and waits, or the flusher sees the thread running and waits for it to leave.
 */
void tb_exec_begin(TBCache *c, TBExecThread *t)
{
    atomic_store(&t->running, 1);
    if (!atomic_load(&c->excl_pending)) {
        return;
    }
    atomic_store(&t->running, 0);
    mutex_lock(&c->excl_lock);
    cond_broadcast(&c->excl_cond);
    while (atomic_load(&c->excl_pending)) {
        cond_wait(&c->excl_cond, &c->excl_lock);
    }
    atomic_store(&t->running, 1);
    mutex_unlock(&c->excl_lock);
}

void tb_exec_end(TBCache *c, TBExecThread *t)
{
    atomic_store(&t->running, 0);
    if (atomic_load(&c->excl_pending)) {
        mutex_lock(&c->excl_lock);
        cond_broadcast(&c->excl_cond);
        mutex_unlock(&c->excl_lock);
    }
}

static bool any_running(TBCache *c)
{
    for (TBExecThread *t = c->threads; t; t = t->next) {
        if (atomic_load(&t->running)) {
            atomic_store(t->exit_request, 1);
            return true;
        }
    }
    return false;
}

static void start_exclusive(TBCache *c)
{
    mutex_lock(&c->excl_lock);
    while (atomic_load(&c->excl_pending)) {
        cond_wait(&c->excl_cond, &c->excl_lock);
    }
    atomic_store(&c->excl_pending, true);
    while (any_running(c)) {
        cond_wait(&c->excl_cond, &c->excl_lock);
    }
    mutex_unlock(&c->excl_lock);
}

static void end_exclusive(TBCache *c)
{
    mutex_lock(&c->excl_lock);
    atomic_store(&c->excl_pending, false);
    cond_broadcast(&c->excl_cond);
    mutex_unlock(&c->excl_lock);
}

void tb_flush(TBCache *c)
{
    start_exclusive(c);
    mutex_lock(&c->lock);
    tb_hash_clear(c);
    g_hash_table_remove_all(c->pages);
    atomic_store(&c->nb_tbs, 0);
    tcg_code_buffer_flush(c->cb);
    atomic_fetch_add(&c->flush_count, 1);
    mutex_unlock(&c->lock);
    end_exclusive(c);
}

/* The copy of a split code buffer is taken under c->lock, which every writer of it holds. */
bool tb_cache_fork_prepare(TBCache *c)
{
    mutex_lock(&c->lock);
    if (!tcg_code_buffer_fork_prepare(c->cb)) {
        int err = errno;
        mutex_unlock(&c->lock);
        errno = err;
        return false;
    }
    mutex_lock(&c->excl_lock);
    return true;
}

static void tb_cache_fork_unlock(TBCache *c)
{
    mutex_unlock(&c->excl_lock);
    mutex_unlock(&c->lock);
}

void tb_cache_fork_parent(TBCache *c)
{
    tcg_code_buffer_fork_parent(c->cb);
    tb_cache_fork_unlock(c);
}

/* The other threads are gone: a flush they had pending is nobody's, and nobody waits. */
bool tb_cache_fork_child(TBCache *c, TBExecThread *self, GError **errp)
{
    self->next = NULL;
    c->threads = self;
    atomic_store(&c->excl_pending, false);
    cond_init(&c->excl_cond);
    bool ok = tcg_code_buffer_fork_child(c->cb, errp);
    tb_cache_fork_unlock(c);
    return ok;
}

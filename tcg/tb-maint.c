/*
 * TB maintenance, all under the cache lock: translating into the code buffer, chaining
 * TBs to each other, invalidating the TBs of a guest range, and the per-page lists that
 * make invalidation exact. A TB is laid out in the code buffer as its struct, its
 * instruction map, then its host code.
 */
#include <string.h>

#include "tcg/optimize.h"
#include "tcg/tcg-op.h"
#include "tcg/tb.h"
#include "vmcore/log.h"

#define TB_MAX_INSNS 512

/* A TB covers one page, or two when its last instruction crosses a page boundary. */
static uint64_t tb_page(const TranslationBlock *tb, unsigned k)
{
    uint64_t last = tb->pc + (tb->guest_size ? tb->guest_size - 1 : 0);
    return (k ? last : tb->pc) >> TB_PAGE_BITS;
}

static unsigned tb_npages(const TranslationBlock *tb)
{
    return tb_page(tb, 0) == tb_page(tb, 1) ? 1 : 2;
}

/* The page_next slot that chains tb on page's list. */
static TranslationBlock **page_link(TranslationBlock *tb, uint64_t page)
{
    return &tb->page_next[tb_page(tb, 0) == page ? 0 : 1];
}

static void page_list_add(TBCache *c, TranslationBlock *tb)
{
    for (unsigned k = 0; k < tb_npages(tb); k++) {
        gpointer key = (gpointer)(uintptr_t)tb_page(tb, k);
        tb->page_next[k] = g_hash_table_lookup(c->pages, key);
        g_hash_table_insert(c->pages, key, tb);
    }
}

static void page_list_remove(TBCache *c, TranslationBlock *tb)
{
    for (unsigned k = 0; k < tb_npages(tb); k++) {
        uint64_t page = tb_page(tb, k);
        gpointer key = (gpointer)(uintptr_t)page;
        TranslationBlock *p = g_hash_table_lookup(c->pages, key);
        if (p == tb) {
            if (tb->page_next[k]) {
                g_hash_table_insert(c->pages, key, tb->page_next[k]);
            } else {
                g_hash_table_remove(c->pages, key);
            }
            continue;
        }
        while (p && *page_link(p, page) != tb) {
            p = *page_link(p, page);
        }
        if (p) {
            *page_link(p, page) = tb->page_next[k];
        }
    }
}

/* Rewrites the list of TBs jumping into dst without the entry (src | n). */
static void jmp_list_remove(TranslationBlock *dst, TranslationBlock *src, unsigned n)
{
    uintptr_t want = (uintptr_t)src | n;
    uintptr_t *link = &dst->jmp_list_head;
    while (*link) {
        TranslationBlock *t = (TranslationBlock *)(*link & ~(uintptr_t)TB_EXIT_MASK);
        unsigned slot = *link & TB_EXIT_MASK;
        if (*link == want) {
            *link = t->jmp_list_next[slot];
            return;
        }
        link = &t->jmp_list_next[slot];
    }
}

void tb_link(TBCache *c, TranslationBlock *src, unsigned n, TranslationBlock *dst)
{
    mutex_lock(&c->lock);
    if (!atomic_load(&src->invalid) && !atomic_load(&dst->invalid) && !src->jmp_dest[n] &&
        src->jmp_insn_offset[n] != TCG_NO_JUMP) {
        src->jmp_dest[n] = dst;
        src->jmp_list_next[n] = dst->jmp_list_head;
        dst->jmp_list_head = (uintptr_t)src | n;
        c->be->ops->set_jump(c->be, src->tc + src->jmp_insn_offset[n], dst->tc);
    }
    mutex_unlock(&c->lock);
}

static void tb_unchain_incoming(TBCache *c, TranslationBlock *tb)
{
    uintptr_t e = tb->jmp_list_head;
    while (e) {
        TranslationBlock *src = (TranslationBlock *)(e & ~(uintptr_t)TB_EXIT_MASK);
        unsigned n = e & TB_EXIT_MASK;
        c->be->ops->set_jump(c->be, src->tc + src->jmp_insn_offset[n],
                             src->tc + src->jmp_reset_offset[n]);
        src->jmp_dest[n] = NULL;
        e = src->jmp_list_next[n];
    }
    tb->jmp_list_head = 0;
}

static void tb_invalidate(TBCache *c, TranslationBlock *tb)
{
    atomic_store_explicit(&tb->invalid, true, memory_order_release);
    tb_hash_remove(c, tb);
    page_list_remove(c, tb);
    for (unsigned n = 0; n < 2; n++) {
        if (tb->jmp_dest[n]) {
            jmp_list_remove(tb->jmp_dest[n], tb, n);
            tb->jmp_dest[n] = NULL;
        }
    }
    tb_unchain_incoming(c, tb);
}

static bool tb_overlaps(const TranslationBlock *tb, uint64_t start, uint64_t end)
{
    return tb->pc < end && start < tb->pc + MAX(tb->guest_size, 1);
}

unsigned tb_invalidate_range(TBCache *c, uint64_t start, uint64_t end)
{
    g_autoptr(GPtrArray) victims = g_ptr_array_new();
    mutex_lock(&c->lock);
    for (uint64_t page = start >> TB_PAGE_BITS; start < end && page <= (end - 1) >> TB_PAGE_BITS;
         page++) {
        TranslationBlock *tb = g_hash_table_lookup(c->pages, (gpointer)(uintptr_t)page);
        for (; tb; tb = *page_link(tb, page)) {
            if (tb_overlaps(tb, start, end)) {
                g_ptr_array_add(victims, tb);
            }
        }
    }
    for (guint i = 0; i < victims->len; i++) {
        TranslationBlock *tb = g_ptr_array_index(victims, i);
        if (!atomic_load(&tb->invalid)) {
            tb_invalidate(c, tb);
        }
    }
    mutex_unlock(&c->lock);
    return victims->len;
}

/* The struct and instruction map of a TB with icount instructions, rounded for code. */
/* Where insn_data starts after the struct and insn_end: 8-byte aligned for its words. */
static size_t tb_insn_data_offset(unsigned icount)
{
    return (sizeof(TranslationBlock) + icount * sizeof(uint32_t) + 7) & ~(size_t)7;
}

static size_t tb_meta_size(const TBCache *c, unsigned icount)
{
    size_t n = tb_insn_data_offset(icount) +
               (size_t)icount * c->insn_start_words * sizeof(uint64_t);
    return (n + 15) & ~(size_t)15;
}

static void tb_fill_insn_data(TBCache *c, TCGContext *s, TranslationBlock *tb)
{
    uint64_t *data = tb->insn_data;
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        if (s->ops[i].opc == TCG_OP_INSN_START) {
            memcpy(data, s->ops[i].args, c->insn_start_words * sizeof(uint64_t));
            data += c->insn_start_words;
        }
    }
}

static void tb_publish(TBCache *c, TranslationBlock *tb)
{
    size_t n = atomic_load(&c->nb_tbs);
    g_assert(n < c->by_addr_cap);
    c->by_addr[n] = tb;
    atomic_store_explicit(&c->nb_tbs, n + 1, memory_order_release);
    tb_hash_insert(c, tb);
    page_list_add(c, tb);
    if (log_enabled(LOG_PERFMAP)) {
        char name[40];
        g_snprintf(name, sizeof(name), "TB@0x%" G_GINT64_MODIFIER "x", tb->pc);
        log_perfmap(tb->tc, tb->tc_size, name);
    }
}

static void log_ir(TCGContext *s, uint64_t pc, const char *what)
{
    if (log_enabled(LOG_IR)) {
        FILE *out = log_stream();
        flockfile(out);
        fprintf(out, "%s: TB at 0x%" G_GINT64_MODIFIER "x\n", what, pc);
        tcg_dump_ops(s, out);
        fputc('\n', out);
        funlockfile(out);
    }
}

typedef enum GenResult { GEN_OK, GEN_BUFFER_FULL, GEN_TOO_BIG } GenResult;

/* Places the TB built in s at the buffer's current position. */
static GenResult tb_emit(TBCache *c, TCGContext *s, TranslationBlock *tb)
{
    TCGCodeBuffer *cb = c->cb;
    size_t saved = cb->used;
    size_t meta = tb_meta_size(c, s->nb_insns);
    if (tcg_code_buffer_avail(cb) < meta + 256) {
        return GEN_BUFFER_FULL;
    }
    tcg_code_buffer_commit(cb, meta);
    TCGTBCode out = {.insn_end = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    bool full = false;
    bool ok = c->be->ops->gen_code(c->be, s, &out, &full);
    if (ok && out.insn_end->len != s->nb_insns) {
        g_error("tcg: backend %s mapped %u of %u guest instructions", c->be->ops->name,
                out.insn_end->len, s->nb_insns);
    }
    if (!ok) {
        g_array_free(out.insn_end, TRUE);
        cb->used = saved;
        return full ? GEN_BUFFER_FULL : GEN_TOO_BIG;
    }
    uint8_t *code = tcg_code_buffer_ptr(cb);
    tcg_code_buffer_commit(cb, out.size);
    tb->tc = tcg_code_buffer_rx(cb, code);
    tb->tc_size = out.size;
    tb->icount = s->nb_insns;
    memcpy(tb->jmp_insn_offset, out.jmp_insn_offset, sizeof(tb->jmp_insn_offset));
    memcpy(tb->jmp_reset_offset, out.jmp_reset_offset, sizeof(tb->jmp_reset_offset));
    tb->insn_end = (uint32_t *)(tb + 1);
    tb->insn_data = (uint64_t *)((uint8_t *)tb + tb_insn_data_offset(tb->icount));
    memcpy(tb->insn_end, out.insn_end->data, tb->icount * sizeof(uint32_t));
    g_array_free(out.insn_end, TRUE);
    tb_fill_insn_data(c, s, tb);
    return GEN_OK;
}

/* Translates under the lock; NULL with *full set when the buffer must be flushed first. */
static TranslationBlock *tb_translate_locked(TBCache *c, TCGContext *s, uint64_t pc, uint64_t flags,
                                             TBTranslateFn fn, void *opaque, bool *full)
{
    TranslationBlock *tb = tb_lookup(c, pc, flags);
    for (unsigned max_insns = TB_MAX_INSNS; !tb; max_insns = MAX(max_insns / 2, 1)) {
        if (tcg_code_buffer_avail(c->cb) < sizeof(TranslationBlock) + 256) {
            *full = true;
            return NULL;
        }
        TranslationBlock *cand = (TranslationBlock *)tcg_code_buffer_ptr(c->cb);
        memset(cand, 0, sizeof(*cand));
        cand->pc = pc;
        cand->flags = flags;
        tcg_func_start(s, cand);
        cand->guest_size = fn(s, opaque, pc, flags, max_insns);
        g_assert(tb_npages(cand) <= 2);
        log_ir(s, pc, "IR");
        tcg_optimize(s);
        log_ir(s, pc, "IR after optimization");
        GenResult r = tb_emit(c, s, cand);
        if (r == GEN_BUFFER_FULL) {
            *full = true;
            return NULL;
        }
        if (r == GEN_OK) {
            tb_publish(c, cand);
            tb = cand;
        } else if (max_insns == 1) {
            g_error("tcg: a single guest instruction at 0x%" G_GINT64_MODIFIER "x does not fit "
                    "the backend's frame",
                    pc);
        }
    }
    return tb;
}

TranslationBlock *tb_translate(TBCache *c, TBExecThread *self, TCGContext *s, uint64_t pc,
                               uint64_t flags, TBTranslateFn fn, void *opaque)
{
    for (bool flushed = false;; flushed = true) {
        bool full = false;
        mutex_lock(&c->lock);
        bool empty = atomic_load(&c->nb_tbs) == 0;
        TranslationBlock *tb = tb_translate_locked(c, s, pc, flags, fn, opaque, &full);
        mutex_unlock(&c->lock);
        if (tb) {
            return tb;
        }
        if (flushed && empty) {
            g_error("tcg: the code buffer (%zu bytes) cannot hold the TB at 0x%" G_GINT64_MODIFIER
                    "x even when empty",
                    c->cb->size, pc);
        }
        if (self) {
            tb_exec_end(c, self);
        }
        tb_flush(c);
        if (self) {
            tb_exec_begin(c, self);
        }
    }
}

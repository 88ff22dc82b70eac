/*
 * The region translated code lives in. Where the host allows a mapping that is both
 * writable and executable, rw and rx are the same pages; where it does not (W^X
 * enforced), the same memory is mapped twice through a memfd, once writable and once
 * executable, and code is written through rw and run through rx. Allocation is a bump
 * pointer; a flush drops every TB at once and keeps the fixed code below reset_point.
 */
#ifndef TCG_CODE_BUFFER_H
#define TCG_CODE_BUFFER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TCGCodeBufferMode {
    TCG_CB_AUTO,  /* one RWX mapping, or two views if the host refuses RWX */
    TCG_CB_SPLIT, /* always two views */
} TCGCodeBufferMode;

typedef struct TCGCodeBuffer {
    uint8_t *rw;
    uint8_t *rx;
    size_t size;
    size_t used;
    size_t reset_point;
    bool split;
    int fork_fd; /* the copy a fork's child takes (split only), between prepare and after */
} TCGCodeBuffer;

TCGCodeBuffer *tcg_code_buffer_new(size_t size, TCGCodeBufferMode mode, GError **errp);
void tcg_code_buffer_free(TCGCodeBuffer *cb);

static inline uint8_t *tcg_code_buffer_ptr(TCGCodeBuffer *cb)
{
    return cb->rw + cb->used;
}

static inline size_t tcg_code_buffer_avail(const TCGCodeBuffer *cb)
{
    return cb->size - cb->used;
}

/* The executable address of a byte written at rw pointer p. */
static inline uintptr_t tcg_code_buffer_rx(const TCGCodeBuffer *cb, const uint8_t *p)
{
    return (uintptr_t)(cb->rx + (p - cb->rw));
}

/* The writable pointer for an executable address inside the buffer. */
static inline uint8_t *tcg_code_buffer_rw(const TCGCodeBuffer *cb, uintptr_t rx)
{
    return cb->rw + (rx - (uintptr_t)cb->rx);
}

/* Takes n bytes written at tcg_code_buffer_ptr() (rounded up to keep code aligned). */
void tcg_code_buffer_commit(TCGCodeBuffer *cb, size_t n);
/* Marks everything written so far as fixed code that flushes keep. */
void tcg_code_buffer_set_reset_point(TCGCodeBuffer *cb);
void tcg_code_buffer_flush(TCGCodeBuffer *cb);
/*
 * Around a host fork(), for a split buffer whose memfd the child would otherwise share
 * with its parent (both would write their TBs in it). prepare copies the used part into
 * a new memfd, with every writer of the buffer held off by the caller, so the copy is
 * whole; false (errno set) means no copy and no fork. In the child, fork_child maps the
 * copy over both views at the same addresses, so every pointer into the buffer stays
 * valid; in the parent, fork_parent drops it. Nothing to do, and no cost, for RWX.
 */
bool tcg_code_buffer_fork_prepare(TCGCodeBuffer *cb);
void tcg_code_buffer_fork_parent(TCGCodeBuffer *cb);
bool tcg_code_buffer_fork_child(TCGCodeBuffer *cb, GError **errp);

#endif

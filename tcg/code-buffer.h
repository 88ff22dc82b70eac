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
 * In the child of a fork: a split buffer's memfd is still shared with the parent, where
 * both would write their TBs; this gives the child a private copy of the memory at the
 * same addresses, so every pointer into the buffer stays valid. Nothing to do for RWX.
 */
bool tcg_code_buffer_unshare(TCGCodeBuffer *cb, GError **errp);

#endif

/* Code buffer mappings: one RWX region, or a memfd mapped writable and executable. */
#define _GNU_SOURCE
#include "tcg/code-buffer.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_ALIGN 16

static bool map_split(TCGCodeBuffer *cb, GError **errp)
{
    int fd = memfd_create("paddock-code", MFD_CLOEXEC);
    if (fd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: memfd_create: %s", g_strerror(errno));
        return false;
    }
    bool ok = false;
    if (ftruncate(fd, (off_t)cb->size) < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: ftruncate to %zu bytes: %s", cb->size, g_strerror(errno));
        goto out;
    }
    void *rw = mmap(NULL, cb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: mapping %zu bytes writable: %s", cb->size, g_strerror(errno));
        goto out;
    }
    void *rx = mmap(NULL, cb->size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rx == MAP_FAILED) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: mapping %zu bytes executable: %s", cb->size, g_strerror(errno));
        munmap(rw, cb->size);
        goto out;
    }
    cb->rw = rw;
    cb->rx = rx;
    cb->split = true;
    ok = true;
out:
    close(fd);
    return ok;
}

TCGCodeBuffer *tcg_code_buffer_new(size_t size, TCGCodeBufferMode mode, GError **errp)
{
    TCGCodeBuffer *cb = g_new0(TCGCodeBuffer, 1);
    cb->size = size;
    if (mode == TCG_CB_AUTO) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            cb->rw = cb->rx = p;
            return cb;
        }
        if (errno != EACCES && errno != EPERM) {
            g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "code buffer: mapping %zu bytes: %s", size, g_strerror(errno));
            g_free(cb);
            return NULL;
        }
    }
    if (!map_split(cb, errp)) {
        g_free(cb);
        return NULL;
    }
    return cb;
}

void tcg_code_buffer_free(TCGCodeBuffer *cb)
{
    if (!cb) {
        return;
    }
    munmap(cb->rw, cb->size);
    if (cb->split) {
        munmap(cb->rx, cb->size);
    }
    g_free(cb);
}

void tcg_code_buffer_commit(TCGCodeBuffer *cb, size_t n)
{
    g_assert(n <= tcg_code_buffer_avail(cb));
    size_t used = (cb->used + n + CODE_ALIGN - 1) & ~(size_t)(CODE_ALIGN - 1);
    cb->used = MIN(used, cb->size);
}

void tcg_code_buffer_set_reset_point(TCGCodeBuffer *cb)
{
    cb->reset_point = cb->used;
}

void tcg_code_buffer_flush(TCGCodeBuffer *cb)
{
    cb->used = cb->reset_point;
}

/* Code buffer mappings: one RWX region, or a memfd mapped writable and executable. */
#define _GNU_SOURCE
#include "tcg/code-buffer.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_ALIGN 16

static int code_memfd(size_t size, GError **errp)
{
    int fd = memfd_create("paddock-code", MFD_CLOEXEC);
    if (fd < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: memfd_create: %s", g_strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: ftruncate to %zu bytes: %s", size, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Maps fd's view with prot, at addr exactly when addr is not NULL. */
static void *code_view(int fd, size_t size, int prot, void *addr, GError **errp)
{
    void *p = mmap(addr, size, prot, MAP_SHARED | (addr ? MAP_FIXED : 0), fd, 0);
    if (p == MAP_FAILED) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "code buffer: mapping %zu bytes %s: %s", size,
                    prot & PROT_EXEC ? "executable" : "writable", g_strerror(errno));
        return NULL;
    }
    return p;
}

static bool map_split(TCGCodeBuffer *cb, GError **errp)
{
    int fd = code_memfd(cb->size, errp);
    if (fd < 0) {
        return false;
    }
    void *rw = code_view(fd, cb->size, PROT_READ | PROT_WRITE, NULL, errp);
    void *rx = rw ? code_view(fd, cb->size, PROT_READ | PROT_EXEC, NULL, errp) : NULL;
    close(fd);
    if (!rx) {
        if (rw) {
            munmap(rw, cb->size);
        }
        return false;
    }
    cb->rw = rw;
    cb->rx = rx;
    cb->split = true;
    return true;
}

/* Closes fd without changing errno, for the error paths that report an earlier errno. */
static void close_keep_errno(int fd)
{
    int err = errno;
    close(fd);
    errno = err;
}

bool tcg_code_buffer_fork_prepare(TCGCodeBuffer *cb)
{
    if (!cb->split) {
        return true;
    }
    int fd = memfd_create("paddock-code", MFD_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    if (ftruncate(fd, (off_t)cb->size) < 0) {
        close_keep_errno(fd);
        return false;
    }
    void *copy = mmap(NULL, cb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (copy == MAP_FAILED) {
        close_keep_errno(fd);
        return false;
    }
    memcpy(copy, cb->rw, cb->used);
    if (munmap(copy, cb->size) != 0) {
        g_warning("code buffer: unmapping the copy for a fork: %s", g_strerror(errno));
    }
    cb->fork_fd = fd;
    return true;
}

static void drop_fork_copy(TCGCodeBuffer *cb)
{
    if (cb->fork_fd >= 0) {
        close(cb->fork_fd);
        cb->fork_fd = -1;
    }
}

void tcg_code_buffer_fork_parent(TCGCodeBuffer *cb)
{
    drop_fork_copy(cb);
}

bool tcg_code_buffer_fork_child(TCGCodeBuffer *cb, GError **errp)
{
    if (cb->fork_fd < 0) {
        return true;
    }
    bool ok = code_view(cb->fork_fd, cb->size, PROT_READ | PROT_WRITE, cb->rw, errp) &&
              code_view(cb->fork_fd, cb->size, PROT_READ | PROT_EXEC, cb->rx, errp);
    drop_fork_copy(cb);
    return ok;
}

TCGCodeBuffer *tcg_code_buffer_new(size_t size, TCGCodeBufferMode mode, GError **errp)
{
    TCGCodeBuffer *cb = g_new0(TCGCodeBuffer, 1);
    cb->size = size;
    cb->fork_fd = -1;
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
    drop_fork_copy(cb);
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

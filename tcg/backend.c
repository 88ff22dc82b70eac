/*
 * The generic half of a backend's life (tcg/backend.h): the room for its fixed code, which
 * flushes of the code buffer keep, and allocation and teardown, priv included, around the
 * backend's own init, so that a backend's init neither checks the buffer nor frees anything
 * when it fails.
 */
#include "tcg/backend.h"

TCGBackend *tcg_backend_new(const TCGBackendOps *ops, TCGCodeBuffer *cb, const TCGGuestMemory *mem,
                            GError **errp)
{
    if (tcg_code_buffer_avail(cb) < ops->fixed_code_size) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "%s backend: no room for its fixed code in a %zu-byte code buffer", ops->name,
                    cb->size);
        return NULL;
    }
    TCGBackend *be = g_new0(TCGBackend, 1);
    be->ops = ops;
    be->cb = cb;
    be->mem = *mem;
    if (!ops->init(be, errp)) {
        tcg_backend_free(be);
        return NULL;
    }
    tcg_code_buffer_set_reset_point(cb);
    return be;
}

void tcg_backend_free(TCGBackend *be)
{
    if (!be) {
        return;
    }
    g_free(be->priv);
    g_free(be);
}

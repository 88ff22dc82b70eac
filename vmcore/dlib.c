/* Libraries opened on first use; see dlib.h. */
#include "vmcore/dlib.h"

#include <dlfcn.h>
#include <string.h>

/* Fills the table; the message of what failed (g_free), or NULL. */
static char *dlib_open(const Dlib *lib)
{
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        return g_strdup_printf("cannot load %s: %s", lib->soname, dlerror());
    }
    for (size_t i = 0; i < lib->n_symbols; i++) {
        void *sym = dlsym(h, lib->symbols[i].name);
        if (!sym) {
            return g_strdup_printf("%s has no %s", lib->soname, lib->symbols[i].name);
        }
        /* POSIX guarantees a pointer from dlsym converts to a function pointer. */
        memcpy((char *)lib->table + lib->symbols[i].offset, &sym, sizeof(sym));
    }
    return NULL;
}

bool dlib_load(Dlib *lib, GError **errp)
{
    if (g_once_init_enter(&lib->once)) {
        lib->error = dlib_open(lib);
        g_once_init_leave(&lib->once, 1);
    }
    if (lib->error) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s", lib->error);
        return false;
    }
    return true;
}

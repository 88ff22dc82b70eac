/* Loading libcurl on demand; see curl-lib.h. */
#include "cli/curl-lib.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* The soname of the ABI curl.h describes (libcurl 7.x and 8.x alike). */
#define CURL_SONAME "libcurl.so.4"

static const struct {
    const char *name;
    size_t offset;
} curl_symbols[] = {
    {"curl_global_init", offsetof(CurlLib, global_init)},
    {"curl_global_cleanup", offsetof(CurlLib, global_cleanup)},
    {"curl_easy_init", offsetof(CurlLib, easy_init)},
    {"curl_easy_setopt", offsetof(CurlLib, easy_setopt)},
    {"curl_easy_perform", offsetof(CurlLib, easy_perform)},
    {"curl_easy_getinfo", offsetof(CurlLib, easy_getinfo)},
    {"curl_easy_reset", offsetof(CurlLib, easy_reset)},
    {"curl_easy_cleanup", offsetof(CurlLib, easy_cleanup)},
    {"curl_easy_strerror", offsetof(CurlLib, easy_strerror)},
    {"curl_slist_append", offsetof(CurlLib, slist_append)},
    {"curl_slist_free_all", offsetof(CurlLib, slist_free_all)},
};

static CurlLib curl_lib_table;
static char *curl_lib_error;

/* Fills the table; the message of what failed (g_free), or NULL. */
static char *curl_lib_load(void)
{
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        return g_strdup_printf("cannot load %s: %s", CURL_SONAME, dlerror());
    }
    for (size_t i = 0; i < G_N_ELEMENTS(curl_symbols); i++) {
        void *sym = dlsym(h, curl_symbols[i].name);
        if (!sym) {
            return g_strdup_printf("%s has no %s", CURL_SONAME, curl_symbols[i].name);
        }
        /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
        memcpy((char *)&curl_lib_table + curl_symbols[i].offset, &sym, sizeof(sym));
    }
    return NULL;
}

const CurlLib *curl_lib(GError **errp)
{
    static gsize loaded;
    if (g_once_init_enter(&loaded)) {
        curl_lib_error = curl_lib_load();
        g_once_init_leave(&loaded, 1);
    }
    if (curl_lib_error) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s", curl_lib_error);
        return NULL;
    }
    return &curl_lib_table;
}

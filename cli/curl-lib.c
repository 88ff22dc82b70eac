/* Loading libcurl on demand; see curl-lib.h. */
#include "cli/curl-lib.h"

#include "vmcore/dlib.h"

#define CURL_SYM(field, name) {name, offsetof(CurlLib, field)}

static const DlibSymbol curl_symbols[] = {
    CURL_SYM(global_init, "curl_global_init"),
    CURL_SYM(global_cleanup, "curl_global_cleanup"),
    CURL_SYM(easy_init, "curl_easy_init"),
    CURL_SYM(easy_setopt, "curl_easy_setopt"),
    CURL_SYM(easy_perform, "curl_easy_perform"),
    CURL_SYM(easy_getinfo, "curl_easy_getinfo"),
    CURL_SYM(easy_reset, "curl_easy_reset"),
    CURL_SYM(easy_cleanup, "curl_easy_cleanup"),
    CURL_SYM(easy_strerror, "curl_easy_strerror"),
    CURL_SYM(slist_append, "curl_slist_append"),
    CURL_SYM(slist_free_all, "curl_slist_free_all"),
};

static CurlLib curl_table;

/* The soname of the ABI curl.h describes (libcurl 7.x and 8.x alike). */
static Dlib curl_dlib = {
    .soname = "libcurl.so.4",
    .symbols = curl_symbols,
    .n_symbols = G_N_ELEMENTS(curl_symbols),
    .table = &curl_table,
};

const CurlLib *curl_lib(GError **errp)
{
    return dlib_load(&curl_dlib, errp) ? &curl_table : NULL;
}

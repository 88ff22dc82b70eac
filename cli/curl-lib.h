/*
 * libcurl, opened (vmcore/dlib.h) when a client command first needs it. Linked normally, its
 * thirty-odd dependencies would be loaded and relocated by every `paddock run` too, which
 * is started for each guest execve and each server run and never talks HTTP.
 */
#ifndef CLI_CURL_LIB_H
#define CLI_CURL_LIB_H

#include <glib.h>

#include <curl/curl.h>

typedef struct CurlLib {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
} CurlLib;

/* The library's entry points, loaded once (thread-safe); NULL with an error if it cannot be. */
const CurlLib *curl_lib(GError **errp);

#endif

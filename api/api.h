/*
 * The REST resources of paddockd, one file each (api/<resource>.c). A resource is data: its
 * routes (server/http.h) and an init function that registers its metrics and error
 * domains before the listener opens. api/api.c lists every resource; adding one is a row
 * there, its file, and its declaration here. api/openapi.yaml documents every route, and
 * the server tests check that the document and the table agree.
 */
#ifndef API_API_H
#define API_API_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "server/http.h"

typedef struct ApiResource {
    const char *name;
    /* May be NULL. Runs once at start-up, with the Server's pool and metrics ready. */
    bool (*init)(Server *server, GError **errp);
    /* May be NULL. Runs when the server stops, once the listener takes no new connections:
     * ends the resource's work in flight, so that the requests waiting on it are answered
     * before the drain's timeout. */
    void (*stop)(Server *server);
    /* May be NULL. Frees what init made, once the listener is gone (also after a failed
     * start: it must cope with a partial init). */
    void (*fini)(Server *server);
    const HttpRoute *routes;
    size_t n_routes;
} ApiResource;

extern const ApiResource api_health;
extern const ApiResource api_metrics;
extern const ApiResource api_blobs;
extern const ApiResource api_exec;

/* A blob was deleted: /v1/exec drops what it derived from it (an unpacked sysroot). */
void api_exec_blob_deleted(Server *s, const char *digest);

/* Every resource, in the order they are initialised. */
extern const ApiResource *const api_resources[];
extern const size_t api_n_resources;

/* The routes of every resource in one table (g_free the array, not the rows). */
HttpRoute *api_routes(size_t *n_routes);
/* Runs every resource's init. */
bool api_init(Server *server, GError **errp);
/* Runs every resource's stop, then (api_fini) every fini, in reverse order. */
void api_stop(Server *server);
void api_fini(Server *server);

#endif

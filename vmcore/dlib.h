/*
 * Shared libraries opened on first use rather than linked. Something only a few commands
 * or a debug log need (libcurl for the client, capstone for out_asm) would otherwise be
 * loaded and relocated by every `paddock run` — started for each guest execve and each
 * server run — and capstone alone carries 77,000 relocations.
 */
#ifndef VMCORE_DLIB_H
#define VMCORE_DLIB_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* One entry point: its name, and where its address goes in the caller's table. */
typedef struct DlibSymbol {
    const char *name;
    size_t offset;
} DlibSymbol;

/* A library and the table of entry points it fills, loaded once (thread-safe). */
typedef struct Dlib {
    const char *soname;
    const DlibSymbol *symbols;
    size_t n_symbols;
    void *table;
    gsize once;
    char *error;
} Dlib;

/* Loads lib the first time; true when its table is filled, else false with the reason. */
bool dlib_load(Dlib *lib, GError **errp);

#endif

/*
 * The pool: paddockd's directory of content-addressed blobs, with an SQLite index.
 *
 *     POOL/index.sqlite            digest, size, created, last_used (WAL, schema versioned)
 *     POOL/blobs/sha256/ab/<hex>   one file per blob, named by its SHA-256, mode 0555
 *     POOL/tmp/                    uploads in progress
 *     POOL/lock                    flock()ed by the one process that owns the pool
 *
 * The index is the truth of what exists. An upload is written to tmp/ while it is hashed,
 * synced, renamed into blobs/, and only then is its row committed: a crash at any point
 * leaves either no row (the file, if any, is an orphan) or a row over a complete file.
 * Deleting removes the row first, then the file. pool_open() reconciles: it empties tmp/,
 * drops rows whose file is missing or has the wrong size, and removes orphan files.
 * All functions are thread-safe; changes are serialised by one lock per pool.
 */
#ifndef STORAGE_POOL_H
#define STORAGE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define POOL_ERROR pool_error_quark()
GQuark pool_error_quark(void);

typedef enum PoolError {
    POOL_ERROR_BAD_DIGEST, /* not "sha256:" and 64 lowercase hex digits */
    POOL_ERROR_NOT_FOUND,  /* no such blob */
    POOL_ERROR_IO,         /* a file or index operation failed */
    POOL_ERROR_BUSY,       /* another process owns the pool */
    POOL_ERROR_VERSION,    /* the index was written by a newer paddock */
    POOL_ERROR_N_CODES
} PoolError;

/* "sha256:" + 64 hex digits + NUL. */
#define POOL_DIGEST_LEN (7 + 64)

typedef struct Pool Pool;
typedef struct PoolUpload PoolUpload;

typedef struct PoolBlob {
    char digest[POOL_DIGEST_LEN + 1];
    uint64_t size;
    int64_t created;   /* Unix seconds */
    int64_t last_used; /* Unix seconds: last upload or read */
} PoolBlob;

/* What pool_open() found and repaired (for the caller to log). */
typedef struct PoolCheck {
    unsigned temp_removed;    /* uploads interrupted by a stop or crash */
    unsigned rows_dropped;    /* index rows whose file was missing or of the wrong size */
    unsigned orphans_removed; /* blob files with no index row */
} PoolCheck;

/* Opens (creating if needed) the pool at dir, takes its lock and reconciles it; check
 * (may be NULL) receives what was repaired. */
Pool *pool_open(const char *dir, PoolCheck *check, GError **errp);
/* Closes the index (checkpointing the WAL) and releases the lock. */
void pool_close(Pool *pool);
const char *pool_dir(Pool *pool);

/* True when digest is well-formed ("sha256:" and 64 lowercase hex digits). */
bool pool_digest_valid(const char *digest);

/* An upload: bytes go to a temporary file and into the hash as they come. */
PoolUpload *pool_upload_begin(Pool *pool, GError **errp);
bool pool_upload_write(PoolUpload *up, const void *data, size_t len, GError **errp);
/*
 * Syncs, renames into place and commits the index row. *created is false when the blob
 * was already present (the upload is then dropped and last_used refreshed).
 */
bool pool_upload_commit(PoolUpload *up, PoolBlob *out, bool *created, GError **errp);
/* Frees an upload; one not committed is discarded (its temporary file removed). */
void pool_upload_free(PoolUpload *up);

/* Looks a blob up in the index. */
bool pool_blob_stat(Pool *pool, const char *digest, PoolBlob *out, GError **errp);
/* Opens a blob for reading (O_RDONLY|O_CLOEXEC) and refreshes last_used; returns the fd. */
int pool_blob_open(Pool *pool, const char *digest, PoolBlob *out, GError **errp);
/* The blob's file (g_free); valid only while the blob is not deleted. Checks the index. */
char *pool_blob_path(Pool *pool, const char *digest, GError **errp);
bool pool_blob_delete(Pool *pool, const char *digest, GError **errp);

/* Blobs in the index and their total size, kept in memory (no index query). */
void pool_stats(Pool *pool, uint64_t *count, uint64_t *bytes);

#endif

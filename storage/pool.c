/*
 * The pool's blobs and index; the layout and the crash-safety argument are in pool.h.
 * One SQLite connection per pool, used under the pool's mutex, which also makes each
 * (file rename or unlink, index change) pair atomic with respect to the other threads.
 */
#include "storage/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "vmcore/thread.h"

G_DEFINE_QUARK(paddock - pool - error - quark, pool_error)

/* Blobs never change; the sandbox binds a program's blob into its run (server/exec-root.c),
 * where the guest's user must be able to read and execute it. The pool's directories,
 * 0700, keep everyone else out. */
#define POOL_BLOB_MODE 0555

enum {
    POOL_SCHEMA_VERSION = 1,
    POOL_BUSY_TIMEOUT_MS = 5000,
};

struct Pool {
    char *dir, *blobs, *tmp;
    int lock_fd;
    sqlite3 *db;
    pthread_mutex_t lock; /* guards db, the blob files, count and bytes */
    uint64_t count, bytes;
};

struct PoolUpload {
    Pool *pool;
    char *path; /* in tmp/ */
    int fd;
    GChecksum *sum;
    uint64_t size;
};

/* ---- errors ---- */

static bool pool_errno(GError **errp, int err, const char *what, const char *path)
{
    g_set_error(errp, POOL_ERROR, POOL_ERROR_IO, "%s %s: %s", what, path, g_strerror(err));
    return false;
}

static bool pool_db_error(Pool *pool, GError **errp, const char *what)
{
    g_set_error(errp, POOL_ERROR, POOL_ERROR_IO, "pool index: %s: %s", what,
                sqlite3_errmsg(pool->db));
    return false;
}

static bool pool_not_found(GError **errp, const char *digest)
{
    g_set_error(errp, POOL_ERROR, POOL_ERROR_NOT_FOUND, "no blob %s", digest);
    return false;
}

bool pool_digest_valid(const char *digest)
{
    if (strncmp(digest, "sha256:", 7) || strlen(digest) != POOL_DIGEST_LEN) {
        return false;
    }
    for (const char *c = digest + 7; *c; c++) {
        if (!g_ascii_isdigit(*c) && !(*c >= 'a' && *c <= 'f')) {
            return false;
        }
    }
    return true;
}

static bool pool_check_digest(const char *digest, GError **errp)
{
    if (!pool_digest_valid(digest)) {
        g_set_error(errp, POOL_ERROR, POOL_ERROR_BAD_DIGEST,
                    "'%s' is not a digest (expected sha256: and 64 lowercase hex digits)", digest);
        return false;
    }
    return true;
}

/* blobs/sha256/ab/<hex> for "sha256:ab…" */
static char *pool_path_of(Pool *pool, const char *digest)
{
    const char *hex = digest + 7;
    return g_strdup_printf("%s/%.2s/%s", pool->blobs, hex, hex);
}

/* ---- the index ---- */

static bool pool_exec(Pool *pool, const char *sql, GError **errp)
{
    char *msg = NULL;
    if (sqlite3_exec(pool->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        g_set_error(errp, POOL_ERROR, POOL_ERROR_IO, "pool index: %s: %s", sql,
                    msg ? msg : sqlite3_errmsg(pool->db));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static sqlite3_stmt *pool_prepare(Pool *pool, const char *sql, GError **errp)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(pool->db, sql, -1, &st, NULL) != SQLITE_OK) {
        pool_db_error(pool, errp, sql);
        return NULL;
    }
    return st;
}

/* Runs a statement returning no rows, of ?1 = digest and, if it has them, ?2 = a, ?3 = b. */
static bool pool_run(Pool *pool, const char *sql, const char *digest, int64_t a, int64_t b,
                     GError **errp)
{
    sqlite3_stmt *st = pool_prepare(pool, sql, errp);
    if (!st) {
        return false;
    }
    bool ok = sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC) == SQLITE_OK &&
              (sqlite3_bind_parameter_count(st) < 2 || sqlite3_bind_int64(st, 2, a) == SQLITE_OK) &&
              (sqlite3_bind_parameter_count(st) < 3 || sqlite3_bind_int64(st, 3, b) == SQLITE_OK) &&
              sqlite3_step(st) == SQLITE_DONE;
    if (!ok) {
        pool_db_error(pool, errp, sql);
    }
    sqlite3_finalize(st);
    return ok;
}

/* The row of digest; false with POOL_ERROR_NOT_FOUND when there is none. */
static bool pool_lookup(Pool *pool, const char *digest, PoolBlob *out, GError **errp)
{
    sqlite3_stmt *st =
        pool_prepare(pool, "SELECT size, created, last_used FROM blobs WHERE digest = ?1", errp);
    if (!st) {
        return false;
    }
    int rc = sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
    rc = rc == SQLITE_OK ? sqlite3_step(st) : rc;
    if (rc == SQLITE_ROW) {
        g_strlcpy(out->digest, digest, sizeof(out->digest));
        out->size = (uint64_t)sqlite3_column_int64(st, 0);
        out->created = sqlite3_column_int64(st, 1);
        out->last_used = sqlite3_column_int64(st, 2);
    } else if (rc == SQLITE_DONE) {
        pool_not_found(errp, digest);
    } else {
        pool_db_error(pool, errp, "looking a blob up");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

/* BEGIN IMMEDIATE, sql, COMMIT (ROLLBACK on failure). */
static bool pool_change(Pool *pool, const char *sql, const char *digest, int64_t a, int64_t b,
                        GError **errp)
{
    if (!pool_exec(pool, "BEGIN IMMEDIATE", errp)) {
        return false;
    }
    if (!pool_run(pool, sql, digest, a, b, errp) || !pool_exec(pool, "COMMIT", errp)) {
        pool_exec(pool, "ROLLBACK", NULL);
        return false;
    }
    return true;
}

static bool pool_schema(Pool *pool, GError **errp)
{
    sqlite3_stmt *st = pool_prepare(pool, "PRAGMA user_version", errp);
    if (!st) {
        return false;
    }
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (version == 0) {
        return pool_exec(pool,
                         "BEGIN IMMEDIATE;"
                         "CREATE TABLE blobs (digest TEXT PRIMARY KEY NOT NULL,"
                         " size INTEGER NOT NULL, created INTEGER NOT NULL,"
                         " last_used INTEGER NOT NULL) WITHOUT ROWID;"
                         "PRAGMA user_version = 1;"
                         "COMMIT",
                         errp);
    }
    if (version != POOL_SCHEMA_VERSION) {
        g_set_error(errp, POOL_ERROR, version < 0 ? POOL_ERROR_IO : POOL_ERROR_VERSION,
                    "pool index %s/index.sqlite has schema version %d; this paddock knows %d",
                    pool->dir, version, POOL_SCHEMA_VERSION);
        return false;
    }
    return true;
}

static bool pool_open_index(Pool *pool, GError **errp)
{
    g_autofree char *path = g_build_filename(pool->dir, "index.sqlite", NULL);
    int rc = sqlite3_open_v2(
        path, &pool->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        g_set_error(errp, POOL_ERROR, POOL_ERROR_IO, "cannot open the pool index %s: %s", path,
                    pool->db ? sqlite3_errmsg(pool->db) : sqlite3_errstr(rc));
        return false;
    }
    if (sqlite3_busy_timeout(pool->db, POOL_BUSY_TIMEOUT_MS) != SQLITE_OK) {
        return pool_db_error(pool, errp, "setting the busy timeout");
    }
    return pool_exec(pool, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", errp) &&
           pool_schema(pool, errp);
}

/* ---- opening: directories, lock, reconciliation ---- */

static bool pool_mkdir(const char *path, GError **errp)
{
    if (g_mkdir_with_parents(path, 0700)) {
        return pool_errno(errp, errno, "cannot create", path);
    }
    return true;
}

static bool pool_take_lock(Pool *pool, GError **errp)
{
    g_autofree char *path = g_build_filename(pool->dir, "lock", NULL);
    pool->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (pool->lock_fd < 0) {
        return pool_errno(errp, errno, "cannot open", path);
    }
    if (flock(pool->lock_fd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK) {
            g_set_error(errp, POOL_ERROR, POOL_ERROR_BUSY,
                        "the pool %s is in use by another process", pool->dir);
            return false;
        }
        return pool_errno(errp, errno, "cannot lock", path);
    }
    return true;
}

/* Removes every file in tmp/: uploads that a stop or crash interrupted. */
static bool pool_clear_tmp(Pool *pool, PoolCheck *check, GError **errp)
{
    GDir *dir = g_dir_open(pool->tmp, 0, errp);
    if (!dir) {
        return false;
    }
    const char *name;
    bool ok = true;
    while (ok && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(pool->tmp, name, NULL);
        ok = !g_unlink(path) || pool_errno(errp, errno, "cannot remove", path);
        check->temp_removed++;
    }
    g_dir_close(dir);
    return ok;
}

/* Drops the index rows whose file is missing or of the wrong size; fills the totals. */
static bool pool_check_rows(Pool *pool, GHashTable *known, PoolCheck *check, GError **errp)
{
    sqlite3_stmt *st = pool_prepare(pool, "SELECT digest, size FROM blobs", errp);
    if (!st) {
        return false;
    }
    g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *digest = (const char *)sqlite3_column_text(st, 0);
        uint64_t size = (uint64_t)sqlite3_column_int64(st, 1);
        g_autofree char *path = pool_path_of(pool, digest);
        struct stat sb;
        if (!pool_digest_valid(digest) || stat(path, &sb) || (uint64_t)sb.st_size != size) {
            g_ptr_array_add(stale, g_strdup(digest));
            continue;
        }
        g_hash_table_add(known, g_strdup(digest));
        pool->count++;
        pool->bytes += size;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        return pool_db_error(pool, errp, "reading the index");
    }
    for (size_t i = 0; i < stale->len; i++) {
        if (!pool_change(pool, "DELETE FROM blobs WHERE digest = ?1", stale->pdata[i], 0, 0,
                         errp)) {
            return false;
        }
        check->rows_dropped++;
    }
    return true;
}

/* Removes the blob files in one blobs/sha256/ab/ directory that have no index row. */
static bool pool_check_files_in(Pool *pool, const char *sub, GHashTable *known, PoolCheck *check,
                                GError **errp)
{
    g_autofree char *dirpath = g_build_filename(pool->blobs, sub, NULL);
    GDir *dir = g_dir_open(dirpath, 0, errp);
    if (!dir) {
        return false;
    }
    const char *name;
    bool ok = true;
    while (ok && (name = g_dir_read_name(dir))) {
        g_autofree char *digest = g_strconcat("sha256:", name, NULL);
        if (!pool_digest_valid(digest) || strncmp(name, sub, 2) ||
            g_hash_table_contains(known, digest)) {
            continue;
        }
        g_autofree char *path = g_build_filename(dirpath, name, NULL);
        ok = !g_unlink(path) || pool_errno(errp, errno, "cannot remove", path);
        check->orphans_removed++;
    }
    g_dir_close(dir);
    return ok;
}

static bool pool_check_files(Pool *pool, GHashTable *known, PoolCheck *check, GError **errp)
{
    GDir *dir = g_dir_open(pool->blobs, 0, errp);
    if (!dir) {
        return false;
    }
    const char *name;
    bool ok = true;
    while (ok && (name = g_dir_read_name(dir))) {
        if (strlen(name) == 2 && g_ascii_isxdigit(name[0]) && g_ascii_isxdigit(name[1])) {
            ok = pool_check_files_in(pool, name, known, check, errp);
        }
    }
    g_dir_close(dir);
    return ok;
}

static bool pool_reconcile(Pool *pool, PoolCheck *check, GError **errp)
{
    g_autoptr(GHashTable) known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return pool_clear_tmp(pool, check, errp) && pool_check_rows(pool, known, check, errp) &&
           pool_check_files(pool, known, check, errp);
}

Pool *pool_open(const char *dir, PoolCheck *check, GError **errp)
{
    PoolCheck local;
    check = check ? check : &local;
    *check = (PoolCheck){0};
    Pool *pool = g_new0(Pool, 1);
    pool->dir = g_strdup(dir);
    pool->blobs = g_build_filename(dir, "blobs", "sha256", NULL);
    pool->tmp = g_build_filename(dir, "tmp", NULL);
    pool->lock_fd = -1;
    mutex_init(&pool->lock);
    if (!pool_mkdir(pool->blobs, errp) || !pool_mkdir(pool->tmp, errp) ||
        !pool_take_lock(pool, errp) || !pool_open_index(pool, errp) ||
        !pool_reconcile(pool, check, errp)) {
        pool_close(pool);
        return NULL;
    }
    return pool;
}

void pool_close(Pool *pool)
{
    if (!pool) {
        return;
    }
    /* sqlite3_close checkpoints the WAL; it fails only with statements left open (a bug). */
    if (pool->db && sqlite3_close(pool->db) != SQLITE_OK) {
        g_critical("pool %s: closing the index: %s", pool->dir, sqlite3_errmsg(pool->db));
    }
    if (pool->lock_fd >= 0) {
        (void)close(pool->lock_fd); /* releases the flock; nothing was written to flush */
    }
    mutex_destroy(&pool->lock);
    g_free(pool->dir);
    g_free(pool->blobs);
    g_free(pool->tmp);
    g_free(pool);
}

const char *pool_dir(Pool *pool)
{
    return pool->dir;
}

void pool_stats(Pool *pool, uint64_t *count, uint64_t *bytes)
{
    mutex_lock(&pool->lock);
    *count = pool->count;
    *bytes = pool->bytes;
    mutex_unlock(&pool->lock);
}

/* ---- uploads ---- */

PoolUpload *pool_upload_begin(Pool *pool, GError **errp)
{
    g_autofree char *path = g_build_filename(pool->tmp, "upload-XXXXXX", NULL);
    int fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        pool_errno(errp, errno, "cannot create", path);
        return NULL;
    }
    PoolUpload *up = g_new0(PoolUpload, 1);
    up->pool = pool;
    up->path = g_steal_pointer(&path);
    up->fd = fd;
    up->sum = g_checksum_new(G_CHECKSUM_SHA256);
    return up;
}

bool pool_upload_write(PoolUpload *up, const void *data, size_t len, GError **errp)
{
    const char *p = data;
    g_checksum_update(up->sum, data, (gssize)len);
    up->size += len;
    while (len) {
        ssize_t n = write(up->fd, p, len);
        if (n < 0 && errno != EINTR) {
            return pool_errno(errp, errno, "cannot write", up->path);
        }
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        }
    }
    return true;
}

/* Makes a rename into dir durable. */
static bool pool_sync_dir(const char *dir, GError **errp)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return pool_errno(errp, errno, "cannot open", dir);
    }
    bool ok = !fsync(fd) || pool_errno(errp, errno, "cannot sync", dir);
    if (close(fd) && ok) {
        ok = pool_errno(errp, errno, "cannot close", dir);
    }
    return ok;
}

/* Syncs and closes the temporary file; fills out's digest and size. */
static bool pool_upload_seal(PoolUpload *up, PoolBlob *out, GError **errp)
{
    bool ok = !fchmod(up->fd, POOL_BLOB_MODE) || pool_errno(errp, errno, "cannot chmod", up->path);
    ok = ok && (!fsync(up->fd) || pool_errno(errp, errno, "cannot sync", up->path));
    if (close(up->fd) && ok) {
        ok = pool_errno(errp, errno, "cannot close", up->path);
    }
    up->fd = -1;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    *out = (PoolBlob){.size = up->size, .created = now, .last_used = now};
    g_snprintf(out->digest, sizeof(out->digest), "sha256:%s", g_checksum_get_string(up->sum));
    return ok;
}

/* With the pool locked: true when digest's row and file are both in place. */
static bool pool_present(Pool *pool, const char *digest, const char *path, PoolBlob *row)
{
    struct stat sb;
    return pool_lookup(pool, digest, row, NULL) && !stat(path, &sb) &&
           (uint64_t)sb.st_size == row->size;
}

/* With the pool locked: moves the upload into place and commits its row. */
static bool pool_upload_install(PoolUpload *up, PoolBlob *blob, const char *path, GError **errp)
{
    Pool *pool = up->pool;
    g_autofree char *dir = g_path_get_dirname(path);
    if (!pool_mkdir(dir, errp)) {
        return false;
    }
    if (rename(up->path, path)) {
        return pool_errno(errp, errno, "cannot rename into", path);
    }
    g_clear_pointer(&up->path, g_free);
    if (!pool_sync_dir(dir, errp) ||
        !pool_change(pool,
                     "INSERT OR REPLACE INTO blobs (digest, size, created, last_used)"
                     " VALUES (?1, ?2, ?3, ?3)",
                     blob->digest, (int64_t)blob->size, blob->created, errp)) {
        (void)g_unlink(path); /* no row: an orphan either way, and pool_open would drop it */
        return false;
    }
    pool->count++;
    pool->bytes += blob->size;
    return true;
}

bool pool_upload_commit(PoolUpload *up, PoolBlob *out, bool *created, GError **errp)
{
    Pool *pool = up->pool;
    if (!pool_upload_seal(up, out, errp)) {
        return false;
    }
    g_autofree char *path = pool_path_of(pool, out->digest);
    PoolBlob row;
    bool ok;
    mutex_lock(&pool->lock);
    *created = !pool_present(pool, out->digest, path, &row);
    if (*created) {
        ok = pool_upload_install(up, out, path, errp);
    } else {
        ok = pool_change(pool, "UPDATE blobs SET last_used = ?2 WHERE digest = ?1", out->digest,
                         out->last_used, 0, errp);
        out->created = row.created;
    }
    mutex_unlock(&pool->lock);
    return ok;
}

void pool_upload_free(PoolUpload *up)
{
    if (!up) {
        return;
    }
    if (up->fd >= 0) {
        (void)close(up->fd); /* discarded: its data does not matter */
    }
    if (up->path) {
        (void)g_unlink(up->path); /* a leftover is removed by the next pool_open */
    }
    g_checksum_free(up->sum);
    g_free(up->path);
    g_free(up);
}

/* ---- blobs ---- */

bool pool_blob_stat(Pool *pool, const char *digest, PoolBlob *out, GError **errp)
{
    if (!pool_check_digest(digest, errp)) {
        return false;
    }
    mutex_lock(&pool->lock);
    bool ok = pool_lookup(pool, digest, out, errp);
    mutex_unlock(&pool->lock);
    return ok;
}

int pool_blob_open(Pool *pool, const char *digest, PoolBlob *out, GError **errp)
{
    if (!pool_check_digest(digest, errp)) {
        return -1;
    }
    g_autofree char *path = pool_path_of(pool, digest);
    int fd = -1;
    mutex_lock(&pool->lock);
    if (pool_lookup(pool, digest, out, errp)) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            pool_errno(errp, errno, "cannot open", path);
        }
    }
    out->last_used = g_get_real_time() / G_USEC_PER_SEC;
    if (fd >= 0 && !pool_change(pool, "UPDATE blobs SET last_used = ?2 WHERE digest = ?1", digest,
                                out->last_used, 0, errp)) {
        (void)close(fd); /* read-only */
        fd = -1;
    }
    mutex_unlock(&pool->lock);
    return fd;
}

char *pool_blob_path(Pool *pool, const char *digest, GError **errp)
{
    PoolBlob blob;
    if (!pool_blob_stat(pool, digest, &blob, errp)) {
        return NULL;
    }
    return pool_path_of(pool, digest);
}

bool pool_blob_delete(Pool *pool, const char *digest, GError **errp)
{
    if (!pool_check_digest(digest, errp)) {
        return false;
    }
    g_autofree char *path = pool_path_of(pool, digest);
    PoolBlob blob;
    mutex_lock(&pool->lock);
    bool ok = pool_lookup(pool, digest, &blob, errp) &&
              pool_change(pool, "DELETE FROM blobs WHERE digest = ?1", digest, 0, 0, errp);
    if (ok) {
        pool->count--;
        pool->bytes -= blob.size;
        /* The row is gone, so the blob is: a file left behind is an orphan that the next
         * pool_open removes. */
        (void)g_unlink(path);
    }
    mutex_unlock(&pool->lock);
    return ok;
}

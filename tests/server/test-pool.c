/*
 * The pool (storage/pool.h) without a server: uploads, dedupe, lookups, deletion, the
 * totals, the one-owner lock, and an index from a newer paddock refused. Crash leftovers
 * are covered end to end in test-server (/server/pool/reconcile).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "storage/pool.h"
#include "tests/server/server-harness.h"

static char *make_dir(void)
{
    GError *err = NULL;
    char *dir = g_dir_make_tmp("pool-test-XXXXXX", &err);
    g_assert_no_error(err);
    return dir;
}

static void put(Pool *pool, const char *data, PoolBlob *blob, bool want_created)
{
    g_autoptr(GError) err = NULL;
    PoolUpload *up = pool_upload_begin(pool, &err);
    g_assert_no_error(err);
    size_t len = strlen(data), half = len / 2;
    g_assert_true(pool_upload_write(up, data, half, &err));
    g_assert_true(pool_upload_write(up, data + half, len - half, &err));
    bool created;
    g_assert_true(pool_upload_commit(up, blob, &created, &err));
    g_assert_no_error(err);
    g_assert_cmpint(created, ==, want_created);
    pool_upload_free(up);
    g_autofree char *want = ts_digest(data, len);
    g_assert_cmpstr(blob->digest, ==, want);
    g_assert_cmpuint(blob->size, ==, len);
}

static void test_blobs(void)
{
    g_autofree char *dir = make_dir();
    g_autoptr(GError) err = NULL;
    Pool *pool = pool_open(dir, NULL, &err);
    g_assert_no_error(err);
    PoolBlob a, again, b, st;
    put(pool, "hello, pool", &a, true);
    put(pool, "hello, pool", &again, false);
    g_assert_cmpint(again.created, ==, a.created);
    put(pool, "another", &b, true);

    uint64_t count, bytes;
    pool_stats(pool, &count, &bytes);
    g_assert_cmpuint(count, ==, 2);
    g_assert_cmpuint(bytes, ==, strlen("hello, pool") + strlen("another"));

    g_assert_true(pool_blob_stat(pool, a.digest, &st, &err));
    g_assert_cmpuint(st.size, ==, a.size);
    g_autofree char *path = pool_blob_path(pool, a.digest, &err);
    g_assert_nonnull(path);
    g_assert_true(g_str_has_prefix(path, pool_dir(pool)));
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "hello, pool");
    int fd = pool_blob_open(pool, b.digest, &st, &err);
    g_assert_cmpint(fd, >=, 0);
    char buf[16] = {0};
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, 7);
    g_assert_cmpint(close(fd), ==, 0);
    g_assert_cmpstr(buf, ==, "another");

    g_assert_true(pool_blob_delete(pool, a.digest, &err));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_false(pool_blob_delete(pool, a.digest, &err));
    g_assert_error(err, POOL_ERROR, POOL_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_null(pool_blob_path(pool, a.digest, &err));
    g_assert_error(err, POOL_ERROR, POOL_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(pool_blob_stat(pool, "sha256:nope", &st, &err));
    g_assert_error(err, POOL_ERROR, POOL_ERROR_BAD_DIGEST);
    pool_stats(pool, &count, &bytes);
    g_assert_cmpuint(count, ==, 1);
    pool_close(pool);
    ts_remove_tree(dir);
}

/* An upload freed before commit leaves nothing behind. */
static void test_abandoned_upload(void)
{
    g_autofree char *dir = make_dir();
    g_autoptr(GError) err = NULL;
    Pool *pool = pool_open(dir, NULL, &err);
    PoolUpload *up = pool_upload_begin(pool, &err);
    g_assert_true(pool_upload_write(up, "partial", 7, &err));
    pool_upload_free(up);
    g_autofree char *tmp = g_build_filename(dir, "tmp", NULL);
    GDir *d = g_dir_open(tmp, 0, NULL);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    pool_close(pool);
    ts_remove_tree(dir);
}

static void test_one_owner(void)
{
    g_autofree char *dir = make_dir();
    g_autoptr(GError) err = NULL;
    Pool *pool = pool_open(dir, NULL, &err);
    g_assert_nonnull(pool);
    g_assert_null(pool_open(dir, NULL, &err));
    g_assert_error(err, POOL_ERROR, POOL_ERROR_BUSY);
    pool_close(pool);
    g_clear_error(&err);
    pool = pool_open(dir, NULL, &err);
    g_assert_no_error(err);
    pool_close(pool);
    ts_remove_tree(dir);
}

static void test_newer_schema(void)
{
    g_autofree char *dir = make_dir();
    g_autofree char *index = g_build_filename(dir, "index.sqlite", NULL);
    sqlite3 *db = NULL;
    g_assert_cmpint(sqlite3_open(index, &db), ==, SQLITE_OK);
    g_assert_cmpint(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
    g_autoptr(GError) err = NULL;
    g_assert_null(pool_open(dir, NULL, &err));
    g_assert_error(err, POOL_ERROR, POOL_ERROR_VERSION);
    ts_remove_tree(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pool/blobs", test_blobs);
    g_test_add_func("/pool/abandoned-upload", test_abandoned_upload);
    g_test_add_func("/pool/one-owner", test_one_owner);
    g_test_add_func("/pool/newer-schema", test_newer_schema);
    return g_test_run();
}

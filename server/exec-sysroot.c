/*
 * Sysroots for runs (sandbox_sysroot in sandbox.h): a tar blob unpacked once, by
 * paddock-sandbox --unpack-tar in a process of its own (the tar is untrusted), into a
 * temporary directory of sysroot_dir that is renamed to the digest's hex when complete,
 * so a sysroot directory is always whole. Runs mount it read-only as their overlay's
 * lower layer; nothing writes to it after the rename.
 */
#include <errno.h>
#include <stdio.h>

#include <glib.h>

#include "server/exec-run.h"

/* Runs the unpacker; false with its message (SANDBOX_ERROR_SYSROOT). */
static bool sysroot_run_unpacker(const ExecEnv *env, const char *tar, const char *into,
                                 GError **errp)
{
    const char *argv[] = {env->helper, "--unpack-tar", tar, into, NULL};
    const char *envp[] = {NULL};
    g_autofree char *err_text = NULL;
    int status;
    if (!g_spawn_sync(NULL, (char **)argv, (char **)envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                      NULL, &err_text, &status, errp)) {
        g_prefix_error(errp, "starting the unpacker: ");
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_strchomp(err_text);
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SYSROOT, "cannot unpack the tar: %s",
                    *err_text ? err_text : "the unpacker failed");
        return false;
    }
    return true;
}

/* The directory of digest's sysroot (g_free): its hex under sysroot_dir. */
static char *sysroot_path(const char *sysroot_dir, const char *digest)
{
    const char *hex = strchr(digest, ':') ? strchr(digest, ':') + 1 : digest;
    return g_build_filename(sysroot_dir, hex, NULL);
}

void exec_sysroot_remove(const char *sysroot_dir, const char *digest)
{
    g_autofree char *dir = sysroot_path(sysroot_dir, digest);
    if (g_file_test(dir, G_FILE_TEST_IS_DIR) && !exec_remove_tree(dir)) {
        g_warning("sandbox: removing the sysroot %s: %s", dir, g_strerror(errno));
    }
}

char *exec_sysroot_unpack(const ExecEnv *env, const char *sysroot_dir, const char *digest,
                          const char *tar, GError **errp)
{
    g_autofree char *final = sysroot_path(sysroot_dir, digest);
    if (g_file_test(final, G_FILE_TEST_IS_DIR)) {
        return g_steal_pointer(&final);
    }
    g_autofree char *tmp = g_build_filename(sysroot_dir, EXEC_UNPACK_PREFIX "XXXXXX", NULL);
    if (!g_mkdtemp_full(tmp, 0755)) {
        g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "create %s: %s", tmp,
                    g_strerror(errno));
        return NULL;
    }
    if (!sysroot_run_unpacker(env, tar, tmp, errp) || rename(tmp, final) != 0) {
        if (errp && !*errp) {
            g_set_error(errp, SANDBOX_ERROR, SANDBOX_ERROR_SETUP, "rename %s to %s: %s", tmp, final,
                        g_strerror(errno));
        }
        if (!exec_remove_tree(tmp)) {
            g_warning("sandbox: removing %s: %s", tmp, g_strerror(errno));
        }
        return NULL;
    }
    return g_steal_pointer(&final);
}

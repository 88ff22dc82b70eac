/*
 * The file system namespace: the *at calls, links, permissions, the working directory.
 * Every guest path goes through sys_path (user_path: the -L sysroot, later the confined
 * view); a symlink's target is stored as the guest wrote it, since it is resolved only
 * when it is followed. Directory descriptors are host descriptors, so dirfd-relative
 * lookups need nothing more.
 *
 * Several calls go to the host as raw syscalls rather than libc wrappers, where the
 * wrapper would change what the guest asked for (faccessat's emulation of flags,
 * utimensat's NULL path, mknodat's dev_t encoding, fchmodat's missing flags argument).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int64_t sys_readlinkat(UserThread *t, const uint64_t *a)
{
    if ((int)a[3] <= 0) {
        return host_to_guest_errno(EINVAL);
    }
    /* No link is longer than PATH_MAX: a larger buffer need not be accessible past it. */
    size_t size = MIN((size_t)(int)a[3], PATH_MAX);
    const char *guest;
    int64_t err = sys_string(t, a[1], PATH_MAX, &guest);
    if (err) {
        return err;
    }
    char *buf = lock_user(t, a[2], size, PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    if (procfs_is_exe(guest)) {
        size_t len = MIN(strlen(t->proc->exe_path), size);
        memcpy(buf, t->proc->exe_path, len);
        return (int64_t)len;
    }
    g_autofree char *path = sys_host_path(t->proc, guest);
    return sys_result(readlinkat((int)a[0], path, buf, size));
}

int64_t sys_faccessat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path_exe(t, a[1], &path);
    return err ? err : sys_result(syscall(SYS_faccessat, (int)a[0], path, (int)a[2]));
}

int64_t sys_faccessat2(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path_exe(t, a[1], &path);
    if (err) {
        return err;
    }
    return sys_result(syscall(SYS_faccessat2, (int)a[0], path, (int)a[2], (int)a[3]));
}

int64_t sys_mkdirat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[1], &path);
    return err ? err : sys_result(mkdirat((int)a[0], path, (mode_t)a[2]));
}

int64_t sys_mknodat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[1], &path);
    if (err) {
        return err;
    }
    return sys_result(syscall(SYS_mknodat, (int)a[0], path, (mode_t)a[2], (unsigned)a[3]));
}

int64_t sys_unlinkat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[1], &path);
    return err ? err : sys_result(unlinkat((int)a[0], path, (int)a[2]));
}

/* Both paths of a two-path call (rename, link): 0 or -errno. */
static int64_t two_paths(UserThread *t, uint64_t from, uint64_t to, char **from_path,
                         char **to_path)
{
    int64_t err = sys_path(t, from, from_path);
    return err ? err : sys_path(t, to, to_path);
}

int64_t sys_renameat(UserThread *t, const uint64_t *a)
{
    g_autofree char *from = NULL, *to = NULL;
    int64_t err = two_paths(t, a[1], a[3], &from, &to);
    return err ? err : sys_result(renameat((int)a[0], from, (int)a[2], to));
}

int64_t sys_renameat2(UserThread *t, const uint64_t *a)
{
    g_autofree char *from = NULL, *to = NULL;
    int64_t err = two_paths(t, a[1], a[3], &from, &to);
    if (err) {
        return err;
    }
    return sys_result(syscall(SYS_renameat2, (int)a[0], from, (int)a[2], to, (unsigned)a[4]));
}

int64_t sys_linkat(UserThread *t, const uint64_t *a)
{
    g_autofree char *from = NULL, *to = NULL;
    int64_t err = two_paths(t, a[1], a[3], &from, &to);
    return err ? err : sys_result(linkat((int)a[0], from, (int)a[2], to, (int)a[4]));
}

int64_t sys_symlinkat(UserThread *t, const uint64_t *a)
{
    const char *target;
    g_autofree char *path = NULL;
    int64_t err = sys_string(t, a[0], PATH_MAX, &target);
    if (!err) {
        err = sys_path(t, a[2], &path);
    }
    return err ? err : sys_result(symlinkat(target, (int)a[1], path));
}

int64_t sys_fchmod(UserThread *t, const uint64_t *a)
{
    return sys_result(fchmod((int)a[0], (mode_t)a[1]));
}

int64_t sys_fchmodat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[1], &path);
    return err ? err : sys_result(syscall(SYS_fchmodat, (int)a[0], path, (mode_t)a[2]));
}

int64_t sys_fchown(UserThread *t, const uint64_t *a)
{
    return sys_result(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
}

int64_t sys_fchownat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[1], &path);
    if (err) {
        return err;
    }
    return sys_result(fchownat((int)a[0], path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
}

int64_t sys_truncate(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[0], &path);
    return err ? err : sys_result(truncate(path, (off_t)a[1]));
}

int64_t sys_chdir(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    int64_t err = sys_path(t, a[0], &path);
    return err ? err : sys_result(chdir(path));
}

int64_t sys_fchdir(UserThread *t, const uint64_t *a)
{
    return sys_result(fchdir((int)a[0]));
}

/* The raw call returns the length with its NUL, or ERANGE when size is too small. */
int64_t sys_getcwd(UserThread *t, const uint64_t *a)
{
    size_t size = MIN(a[1], PATH_MAX);
    char *buf = sys_lock(t, a[0], size, PAGE_WRITE);
    return buf ? sys_result(syscall(SYS_getcwd, buf, size)) : host_to_guest_errno(EFAULT);
}

int64_t sys_umask(UserThread *t, const uint64_t *a)
{
    return umask((mode_t)a[0]);
}

/* A NULL path (address 0) means dirfd itself; NULL times mean now. */
int64_t sys_utimensat(UserThread *t, const uint64_t *a)
{
    g_autofree char *path = NULL;
    const struct timespec *times = NULL;
    if (a[1]) {
        int64_t err = sys_path(t, a[1], &path);
        if (err) {
            return err;
        }
    }
    if (a[2] && !(times = lock_user(t, a[2], 2 * sizeof(*times), PAGE_READ))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_utimensat, (int)a[0], path, times, (int)a[3]));
}

/*
 * The file system namespace: the *at calls, links, permissions, the working directory.
 * Every guest path goes through sys_at (syscall.h): with -L, the sysroot's host path and
 * the guest's own dirfd, which is a host descriptor; with a root (fs-root.h), a parent
 * directory's fd and a last component, or the file's own O_PATH fd, resolved inside it,
 * as the call names, follows or does not follow its last component. A symlink's target is
 * stored as the guest wrote it, since it is resolved only when it is followed.
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

#include "user/fd-reserved.h"

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
    g_autofree char *target = NULL;
    if (procfs_readlink(t, guest, &target, &err)) {
        size_t len = target ? MIN(strlen(target), size) : 0;
        memcpy(buf, target ? target : "", len);
        return target ? (int64_t)len : err;
    }
    g_auto(SysAt) at = {0};
    if ((err = sys_at_str(t->proc, (int)a[0], guest, SYS_AT_NOFOLLOW, &at))) {
        return err;
    }
    ssize_t n = readlinkat(at.dirfd, at.name, buf, size);
    /* On a file's own fd the host says ENOENT where readlink of its path says EINVAL. */
    return n < 0 && errno == ENOENT && at.empty ? host_to_guest_errno(EINVAL) : sys_result(n);
}

/* faccessat (flags_arg false: no flags argument) and faccessat2. */
static int64_t access_at(UserThread *t, const uint64_t *a, bool flags_arg)
{
    int flags = flags_arg ? (int)a[3] : 0;
    SysAtKind kind = flags & AT_SYMLINK_NOFOLLOW ? SYS_AT_NOFOLLOW : SYS_AT_FOLLOW;
    g_auto(SysAt) at = {0};
    int64_t err = sys_at_exe(t, (int)a[0], a[1], kind, &at);
    if (err) {
        return err;
    }
    if (!flags_arg && !at.empty) {
        return sys_result(syscall(SYS_faccessat, at.dirfd, at.name, (int)a[2]));
    }
    return sys_result(syscall(SYS_faccessat2, at.dirfd, at.name, (int)a[2], flags | at.empty));
}

int64_t sys_faccessat(UserThread *t, const uint64_t *a)
{
    return access_at(t, a, false);
}

int64_t sys_faccessat2(UserThread *t, const uint64_t *a)
{
    return access_at(t, a, true);
}

int64_t sys_mkdirat(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], SYS_AT_PARENT, &at);
    return err ? err : sys_result(mkdirat(at.dirfd, at.name, (mode_t)a[2]));
}

int64_t sys_mknodat(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], SYS_AT_PARENT, &at);
    if (err) {
        return err;
    }
    return sys_result(syscall(SYS_mknodat, at.dirfd, at.name, (mode_t)a[2], (unsigned)a[3]));
}

int64_t sys_unlinkat(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], SYS_AT_PARENT, &at);
    if (err) {
        return err;
    }
    /* The root stands as "." in it, which rmdir refuses differently from "/" (EINVAL). */
    if (at.is_root && (int)a[2] == AT_REMOVEDIR) {
        return host_to_guest_errno(EBUSY);
    }
    return sys_result(unlinkat(at.dirfd, at.name, (int)a[2]));
}

/* Both paths of rename: 0 or -errno. */
static int64_t two_parents(UserThread *t, const uint64_t *a, SysAt *from, SysAt *to)
{
    int64_t err = sys_at(t, (int)a[0], a[1], SYS_AT_PARENT, from);
    return err ? err : sys_at(t, (int)a[2], a[3], SYS_AT_PARENT, to);
}

int64_t sys_renameat(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) from = {0};
    g_auto(SysAt) to = {0};
    int64_t err = two_parents(t, a, &from, &to);
    return err ? err : sys_result(renameat(from.dirfd, from.name, to.dirfd, to.name));
}

int64_t sys_renameat2(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) from = {0};
    g_auto(SysAt) to = {0};
    int64_t err = two_parents(t, a, &from, &to);
    if (err) {
        return err;
    }
    return sys_result(
        syscall(SYS_renameat2, from.dirfd, from.name, to.dirfd, to.name, (unsigned)a[4]));
}

/*
 * With a root, the existing file is its own O_PATH fd, linked through /proc/self/fd/N and
 * AT_SYMLINK_FOLLOW: that follows the fd's magic link to the file it holds (the symlink
 * itself without the guest's AT_SYMLINK_FOLLOW), which linkat with AT_EMPTY_PATH would do
 * only for a caller with CAP_DAC_READ_SEARCH.
 */
int64_t sys_linkat(UserThread *t, const uint64_t *a)
{
    int flags = (int)a[4];
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
        return host_to_guest_errno(EINVAL);
    }
    SysAtKind kind = flags & AT_SYMLINK_FOLLOW ? SYS_AT_FOLLOW : SYS_AT_NOFOLLOW;
    g_auto(SysAt) from = {0};
    g_auto(SysAt) to = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], kind, &from);
    if (err || (err = sys_at(t, (int)a[2], a[3], SYS_AT_PARENT, &to))) {
        return err;
    }
    if (from.owned) {
        sys_at_proc(&from);
        flags |= AT_SYMLINK_FOLLOW;
    }
    return sys_result(linkat(from.dirfd, from.name, to.dirfd, to.name, flags));
}

int64_t sys_symlinkat(UserThread *t, const uint64_t *a)
{
    const char *target;
    g_auto(SysAt) at = {0};
    int64_t err = sys_string(t, a[0], PATH_MAX, &target);
    if (err || (err = sys_at(t, (int)a[1], a[2], SYS_AT_PARENT, &at))) {
        return err;
    }
    return sys_result(symlinkat(target, at.dirfd, at.name));
}

int64_t sys_fchmod(UserThread *t, const uint64_t *a)
{
    return sys_result(fchmod((int)a[0], (mode_t)a[1]));
}

int64_t sys_fchmodat(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], SYS_AT_FOLLOW, &at);
    if (err) {
        return err;
    }
    sys_at_proc(&at);
    return sys_result(syscall(SYS_fchmodat, at.dirfd, at.name, (mode_t)a[2]));
}

int64_t sys_fchown(UserThread *t, const uint64_t *a)
{
    return sys_result(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
}

int64_t sys_fchownat(UserThread *t, const uint64_t *a)
{
    int flags = (int)a[4];
    SysAtKind kind = flags & AT_SYMLINK_NOFOLLOW ? SYS_AT_NOFOLLOW : SYS_AT_FOLLOW;
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, (int)a[0], a[1], kind, &at);
    if (err) {
        return err;
    }
    return sys_result(fchownat(at.dirfd, at.name, (uid_t)a[2], (gid_t)a[3], flags | at.empty));
}

int64_t sys_truncate(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, AT_FDCWD, a[0], SYS_AT_FOLLOW, &at);
    if (err) {
        return err;
    }
    sys_at_proc(&at);
    return sys_result(truncate(at.name, (off_t)a[1]));
}

int64_t sys_chdir(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, AT_FDCWD, a[0], SYS_AT_FOLLOW, &at);
    if (err) {
        return err;
    }
    return sys_result(at.empty ? fchdir(at.dirfd) : chdir(at.name));
}

int64_t sys_fchdir(UserThread *t, const uint64_t *a)
{
    return sys_result(fchdir((int)a[0]));
}

/* With a root: its guest path, which the host cwd always has (chdir cannot leave it). */
static int64_t getcwd_root(UserThread *t, uint64_t addr, uint64_t size)
{
    g_autofree char *cwd = NULL;
    int err = user_root_cwd(t->proc->root, &cwd);
    if (err) {
        return err;
    }
    size_t len = strlen(cwd) + 1;
    if (len > size) {
        return host_to_guest_errno(ERANGE);
    }
    char *buf = lock_user(t, addr, len, PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(buf, cwd, len);
    return (int64_t)len;
}

/* The raw call returns the length with its NUL, or ERANGE when size is too small. */
int64_t sys_getcwd(UserThread *t, const uint64_t *a)
{
    if (t->proc->root) {
        return getcwd_root(t, a[0], a[1]);
    }
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
    int flags = (int)a[3];
    SysAtKind kind = flags & AT_SYMLINK_NOFOLLOW ? SYS_AT_NOFOLLOW : SYS_AT_FOLLOW;
    g_auto(SysAt) at = {.dirfd = (int)a[0]};
    if (a[1]) {
        int64_t err = sys_at(t, (int)a[0], a[1], kind, &at);
        if (err) {
            return err;
        }
    } else if (user_fd_reserved_dirfd(t->proc, (int)a[0], NULL)) {
        return host_to_guest_errno(EBADF);
    }
    const struct timespec *times = NULL;
    if (a[2] && !(times = lock_user(t, a[2], 2 * sizeof(*times), PAGE_READ))) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_utimensat, at.dirfd, at.name, times, flags | at.empty));
}

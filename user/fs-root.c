/*
 * The confined view of the file system (fs-root.h says what it promises).
 *
 * Every lookup is one openat2 from the root's fd with RESOLVE_IN_ROOT, which makes the
 * kernel treat that fd as "/" for "..", absolute paths and absolute symlink targets alike,
 * and RESOLVE_NO_MAGICLINKS, which refuses /proc's links to files (a procfs mounted in DIR
 * would otherwise hand out any file its processes hold, the host's root among them).
 *
 * Relative paths become guest-absolute first: the kernel names the directory a dirfd or the
 * cwd stands for (/proc/self/fd/N, getcwd), and DIR's host path is cut off its front. A
 * directory the kernel names outside DIR (only a descriptor the invoker handed over can be
 * one) is refused with EXDEV, as RESOLVE_BENEATH refuses an escape; one it cannot name any
 * more (deleted) is ENOENT, as a lookup in it would be.
 *
 * The root's fd is one of user mode's own (user/fd-reserved.h), since a guest that could
 * put another directory at that number would move its root there.
 *
 * Where the rest of user mode takes the root into account: sys_at (syscall.h) for every
 * call that names a path, user_open_exec for the program and its interpreter, execve
 * (syscall-exec.c: the new emulator gets --root, and host programs, which would run
 * natively outside it, are ENOEXEC), /proc/self's links in guest paths (syscall-procfs.c)
 * and AF_UNIX names (syscall-socket.c). What differs from a chroot: a relative path whose
 * directory's guest path and itself exceed PATH_MAX together is ENAMETOOLONG, relative
 * lookups in a deleted cwd (even ".") are ENOENT, /proc is DIR's own but for the files
 * syscall-procfs.c emulates, and a socket bound inside the root reports the name the host
 * was given (/proc/self/fd/N/NAME) to getsockname.
 */
#define _GNU_SOURCE
#include "user/fs-root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user/fd-reserved.h"
#include "user/run.h"

/* openat2 fails with EAGAIN when a concurrent rename could have let ".." escape. */
#define ROOT_OPEN_TRIES 8

/* The kernel's O_LARGEFILE on x86-64 (glibc defines the macro as 0 on 64-bit hosts). */
enum { ROOT_O_LARGEFILE = 0100000 };

/* open(2) ignores flags it does not know and drops all but these with O_PATH; openat2
 * refuses both with EINVAL, so the guest's flags are trimmed as open trims them. */
#define ROOT_OPEN_FLAGS                                                                      \
    (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC |    \
     O_DSYNC | FASYNC | O_DIRECT | ROOT_O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | \
     O_CLOEXEC | O_PATH | O_TMPFILE)
#define ROOT_PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* What the kernel names fd (g_free): 0 or -errno, -EBADF for no such fd. */
static int root_fd_target(int fd, char **out)
{
    if (fd < 0) {
        return -EBADF;
    }
    char link[32];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    char *buf = g_malloc(PATH_MAX);
    ssize_t n = readlink(link, buf, PATH_MAX);
    if (n < 0 || n == PATH_MAX) {
        int err = n < 0 ? (errno == ENOENT ? EBADF : errno) : ENAMETOOLONG;
        g_free(buf);
        return -err;
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

/* The host names an unlinked file "PATH (deleted)"; the suffix alone may be a real name. */
static bool root_fd_deleted(int fd, const char *target)
{
    struct stat st;
    return g_str_has_suffix(target, " (deleted)") && fstat(fd, &st) == 0 && st.st_nlink == 0;
}

static bool root_fail(GError **errp, const char *dir, const char *what, int err)
{
    g_set_error(errp, USER_ERROR, USER_ERROR_ROOT, "--root %s: %s%s", dir, what, g_strerror(err));
    return false;
}

/* The guest's cwd: the host's when that is inside the root already, else the root. */
static bool root_enter(UserRoot *r, const char *dir, GError **errp)
{
    char *cwd = NULL;
    if (user_root_cwd(r, &cwd) == 0) {
        g_free(cwd);
        return true;
    }
    return fchdir(r->fd) == 0 || root_fail(errp, dir, "cannot enter it: ", errno);
}

bool user_root_init(UserProcess *p, const char *dir, GError **errp)
{
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return root_fail(errp, dir, "", errno);
    }
    int high = user_fd_move_high(fd, true);
    UserRoot *r = g_new0(UserRoot, 1);
    r->fd = high;
    p->root = r;
    int err = -root_fd_target(high, &r->host);
    if (err) {
        return root_fail(errp, dir, "cannot name it: ", err);
    }
    r->host_len = strcmp(r->host, "/") ? strlen(r->host) : 0;
    r->host[r->host_len] = '\0';
    return root_enter(r, dir, errp);
}

void user_root_free(UserRoot *r)
{
    if (r) {
        close(r->fd);
        g_free(r->host);
        g_free(r);
    }
}

const char user_root_itself[] = ".";

const char *user_root_host_dir(const UserRoot *r)
{
    return r->host_len ? r->host : "/";
}

char *user_root_to_guest(const UserRoot *r, const char *host)
{
    if (host[0] != '/' || strncmp(host, r->host, r->host_len) != 0) {
        return NULL;
    }
    const char *rest = host + r->host_len;
    if (rest[0] == '\0') {
        return g_strdup("/");
    }
    return rest[0] == '/' ? g_strdup(rest) : NULL;
}

int user_root_fd_path(const UserRoot *r, int fd, char **out)
{
    g_autofree char *target = NULL;
    int err = root_fd_target(fd, &target);
    if (err) {
        return err;
    }
    if (target[0] != '/') {
        return -ENOTDIR;
    }
    if (root_fd_deleted(fd, target)) {
        return -ENOENT;
    }
    *out = user_root_to_guest(r, target);
    return *out ? 0 : -EXDEV;
}

int user_root_cwd(const UserRoot *r, char **out)
{
    g_autofree char *buf = g_malloc(PATH_MAX);
    /* The raw call: it fails for a deleted cwd, where glibc's would make up a name. */
    if (syscall(SYS_getcwd, buf, PATH_MAX) < 0) {
        return -errno;
    }
    *out = user_root_to_guest(r, buf);
    return *out ? 0 : -ENOENT;
}

int user_root_abs(const UserRoot *r, int dirfd, const char *path, char **out)
{
    if (!path[0]) {
        return -ENOENT;
    }
    if (path[0] == '/') {
        *out = g_strdup(path);
        return 0;
    }
    g_autofree char *dir = NULL;
    int err = dirfd == AT_FDCWD ? user_root_cwd(r, &dir) : user_root_fd_path(r, dirfd, &dir);
    if (err) {
        return err;
    }
    char *abs = g_strconcat(dir, strcmp(dir, "/") ? "/" : "", path, NULL);
    if (strlen(abs) >= PATH_MAX) {
        g_free(abs);
        return -ENAMETOOLONG;
    }
    *out = abs;
    return 0;
}

int user_root_open(const UserRoot *r, const char *abs, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(unsigned)(flags & ROOT_OPEN_FLAGS),
        .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode & 07777 : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    if (flags & O_PATH) {
        how.flags &= ROOT_PATH_FLAGS;
    }
    for (int tries = 1;; tries++) {
        long fd = syscall(SYS_openat2, r->fd, abs, &how, sizeof(how));
        if (fd >= 0) {
            return (int)fd;
        }
        if (errno != EAGAIN || tries == ROOT_OPEN_TRIES) {
            return -errno;
        }
    }
}

int user_root_parent(const UserRoot *r, const char *abs, const char **last)
{
    size_t end = strlen(abs);
    while (end > 0 && abs[end - 1] == '/') {
        end--;
    }
    if (end == 0) {
        *last = user_root_itself;
        return user_root_open(r, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }
    size_t start = end;
    while (start > 0 && abs[start - 1] != '/') {
        start--;
    }
    *last = abs + start;
    g_autofree char *dir = g_strndup(abs, start);
    return user_root_open(r, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

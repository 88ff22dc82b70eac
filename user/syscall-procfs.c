/*
 * The few /proc/self files that must describe the guest rather than the emulator:
 * exe (the guest program), auxv (the vector the guest was given) and cmdline (the guest's
 * argv). Everything else under /proc is the host's and passes through.
 *
 * With a root (--root), "/proc" is the root's own (nothing, unless a procfs is mounted
 * there), and the links a guest reads to learn where it is are answered here, in guest
 * paths: cwd, root ("/"), fd/N (a pipe or socket as the host names it; a file outside the
 * root, which only the invoker can have handed over, as /dev/fd/N); opening fd/N opens what
 * the guest's fd N holds, as the host's magic link does.
 *
 * auxv and cmdline are served as sealed memfds holding a copy of the UserProcess's bytes,
 * so the guest reads them with any I/O call it likes and cannot change them. exe is the
 * program file itself, opened read-only: Linux refuses to open a running program for
 * writing (ETXTBSY), and the host cannot know the file is one.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/fd-reserved.h"

/* The name after "/proc/self/" or "/proc/<our pid>/" in path, or NULL. */
static const char *procfs_self_entry(const char *path)
{
    if (g_str_has_prefix(path, "/proc/self/")) {
        return path + strlen("/proc/self/");
    }
    if (!g_str_has_prefix(path, "/proc/") || !g_ascii_isdigit(path[strlen("/proc/")])) {
        return NULL;
    }
    char *end;
    long pid = strtol(path + strlen("/proc/"), &end, 10);
    return pid == getpid() && *end == '/' ? end + 1 : NULL;
}

bool procfs_is_exe(const char *path)
{
    const char *entry = procfs_self_entry(path);
    return entry && !strcmp(entry, "exe");
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int64_t procfs_memfd(const char *name, const GByteArray *bytes, int host_flags)
{
    if ((host_flags & O_ACCMODE) != O_RDONLY) {
        return host_to_guest_errno(EACCES);
    }
    unsigned mfd = MFD_ALLOW_SEALING | (host_flags & O_CLOEXEC ? MFD_CLOEXEC : 0);
    int fd = memfd_create(name, mfd);
    if (fd < 0) {
        return sys_result(-1);
    }
    int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    if ((bytes && write_all(fd, bytes->data, bytes->len) < 0) ||
        fcntl(fd, F_ADD_SEALS, seals) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        int64_t ret = sys_result(-1);
        close(fd);
        return ret;
    }
    return fd;
}

/* The guest fd N of "fd/N", or -1. */
static int procfs_fd_entry(const char *entry)
{
    if (!g_str_has_prefix(entry, "fd/") || !g_ascii_isdigit(entry[3])) {
        return -1;
    }
    char *end;
    long fd = strtol(entry + 3, &end, 10);
    return *end || fd > INT_MAX ? -1 : (int)fd;
}

/* The program file, read-only: with a root, looked up in it by its guest path. */
static int64_t procfs_open_exe(UserProcess *p, int host_flags)
{
    if ((host_flags & O_ACCMODE) != O_RDONLY) {
        return host_to_guest_errno(ETXTBSY);
    }
    if (p->root) {
        return sys_neg_errno(user_root_open(p->root, p->exe_path, host_flags, 0));
    }
    return sys_result(open(p->exe_path, host_flags));
}

/* With a root, whose /proc is not the host's: a new open file of what the guest's fd N
 * holds, as the host's magic link /proc/self/fd/N gives it. */
static int64_t procfs_open_fd(UserProcess *p, int fd, int host_flags)
{
    if (user_fd_reserved(p, fd)) {
        return host_to_guest_errno(ENOENT);
    }
    char link[32];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    return sys_result(open(link, host_flags, 0));
}

bool procfs_open(UserThread *t, const char *path, int host_flags, int64_t *ret)
{
    const char *entry = procfs_self_entry(path);
    UserProcess *p = t->proc;
    if (!entry) {
        return false;
    }
    int fd = p->root ? procfs_fd_entry(entry) : -1;
    if (!strcmp(entry, "auxv")) {
        *ret = procfs_memfd("paddock-auxv", p->auxv, host_flags);
    } else if (!strcmp(entry, "cmdline")) {
        *ret = procfs_memfd("paddock-cmdline", p->cmdline, host_flags);
    } else if (!strcmp(entry, "exe")) {
        *ret = procfs_open_exe(p, host_flags);
    } else if (fd >= 0) {
        *ret = procfs_open_fd(p, fd, host_flags);
    } else {
        return false;
    }
    return true;
}

/* With a root, the guest path of the guest's fd N; what has no path (a pipe) as the host
 * names it, and what lies outside the root (handed over by the invoker) by its fd. */
static int64_t procfs_fd_link(UserProcess *p, int fd, char **target)
{
    if (user_fd_reserved(p, fd)) {
        return host_to_guest_errno(ENOENT);
    }
    int err = user_root_fd_path(p->root, fd, target);
    if (err == -ENOTDIR || err == -EXDEV) {
        char link[32];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        GError *gerr = NULL;
        *target = g_file_read_link(link, &gerr);
        if (*target && (*target)[0] == '/') {
            g_free(*target);
            *target = g_strdup_printf("/dev/fd/%d", fd);
        }
        g_clear_error(&gerr);
        return *target ? 0 : host_to_guest_errno(EBADF);
    }
    return err;
}

bool procfs_readlink(UserThread *t, const char *path, char **target, int64_t *ret)
{
    const char *entry = procfs_self_entry(path);
    UserProcess *p = t->proc;
    *target = NULL;
    if (!entry || (!p->root && strcmp(entry, "exe") != 0)) {
        return false;
    }
    int fd = procfs_fd_entry(entry);
    if (!strcmp(entry, "exe")) {
        *target = g_strdup(p->exe_path);
    } else if (!strcmp(entry, "cwd")) {
        *ret = user_root_cwd(p->root, target);
    } else if (!strcmp(entry, "root")) {
        *target = g_strdup("/");
    } else if (fd >= 0) {
        *ret = procfs_fd_link(p, fd, target);
    } else {
        return false;
    }
    return true;
}

/*
 * The few /proc/self files that must describe the guest rather than the emulator:
 * exe (the guest program), auxv (the vector the guest was given) and cmdline (the guest's
 * argv). Everything else under /proc is the host's and passes through.
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
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

bool procfs_open(UserThread *t, const char *path, int host_flags, int64_t *ret)
{
    const char *entry = procfs_self_entry(path);
    UserProcess *p = t->proc;
    if (!entry) {
        return false;
    }
    if (!strcmp(entry, "auxv")) {
        *ret = procfs_memfd("paddock-auxv", p->auxv, host_flags);
    } else if (!strcmp(entry, "cmdline")) {
        *ret = procfs_memfd("paddock-cmdline", p->cmdline, host_flags);
    } else if (!strcmp(entry, "exe")) {
        *ret = (host_flags & O_ACCMODE) != O_RDONLY ? host_to_guest_errno(ETXTBSY)
                                                    : sys_result(open(p->exe_path, host_flags));
    } else {
        return false;
    }
    return true;
}

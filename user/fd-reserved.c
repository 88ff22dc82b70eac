/* User mode's own descriptors; see fd-reserved.h. */
#define _GNU_SOURCE
#include "user/fd-reserved.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "user/fs-root.h"

#define FD_RESERVED_TOP 1024

enum { NR_MMAP = 222, NR_CLOSE_RANGE = 436, NR_TABLE = 437 };

/*
 * The syscalls that take an fd, by generic number, and which of their arguments are fds
 * (bit i: argument i). Directory fds of the *at calls are left out: whether one is used
 * depends on the path (an absolute path ignores it), so the path calls check it on the
 * path they read, in sys_at_str, openat and the NULL paths of utimensat and statx
 * (user_fd_reserved_dirfd).
 */
static const uint8_t fd_args_by_nr[NR_TABLE] = {
    [7] = 1,       /* fsetxattr */
    [10] = 1,      /* fgetxattr */
    [13] = 1,      /* flistxattr */
    [16] = 1,      /* fremovexattr */
    [21] = 5,      /* epoll_ctl */
    [23] = 1,      /* dup */
    [24] = 3,      /* dup3 */
    [25] = 1,      /* fcntl */
    [29] = 1,      /* ioctl */
    [32] = 1,      /* flock */
    [44] = 1,      /* fstatfs */
    [46] = 1,      /* ftruncate */
    [47] = 1,      /* fallocate */
    [50] = 1,      /* fchdir */
    [52] = 1,      /* fchmod */
    [55] = 1,      /* fchown */
    [57] = 1,      /* close */
    [61] = 1,      /* getdents64 */
    [62] = 1,      /* lseek */
    [63] = 1,      /* read */
    [64] = 1,      /* write */
    [65] = 1,      /* readv */
    [66] = 1,      /* writev */
    [67] = 1,      /* pread64 */
    [68] = 1,      /* pwrite64 */
    [69] = 1,      /* preadv */
    [70] = 1,      /* pwritev */
    [71] = 3,      /* sendfile */
    [74] = 1,      /* signalfd4 */
    [75] = 1,      /* vmsplice */
    [76] = 5,      /* splice */
    [77] = 3,      /* tee */
    [80] = 1,      /* fstat */
    [82] = 1,      /* fsync */
    [83] = 1,      /* fdatasync */
    [84] = 1,      /* sync_file_range */
    [86] = 1,      /* timerfd_settime */
    [87] = 1,      /* timerfd_gettime */
    [200] = 1,     /* bind */
    [201] = 1,     /* listen */
    [202] = 1,     /* accept */
    [203] = 1,     /* connect */
    [204] = 1,     /* getsockname */
    [205] = 1,     /* getpeername */
    [206] = 1,     /* sendto */
    [207] = 1,     /* recvfrom */
    [210] = 1,     /* shutdown */
    [213] = 1,     /* readahead */
    [NR_MMAP] = 16, /* mmap, unless MAP_ANONYMOUS */
    [223] = 1,     /* fadvise64 */
    [242] = 1,     /* accept4 */
    [267] = 1,     /* syncfs */
    [285] = 5,     /* copy_file_range */
};

int user_fd_move_high(int fd, bool cloexec)
{
    struct rlimit rl;
    int top = FD_RESERVED_TOP;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)top) {
        top = (int)rl.rlim_cur;
    }
    for (int want = top - 1; want > fd; want--) {
        if (fcntl(want, F_GETFD) < 0 && errno == EBADF) {
            int moved = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, want);
            if (moved < 0) {
                return fd;
            }
            close(fd);
            return moved;
        }
    }
    return fd;
}

bool user_fd_reserved(const UserProcess *p, int fd)
{
    return fd >= 0 && ((p->root && fd == p->root->fd) || (p->icount.pool && fd == p->icount.fd));
}

bool user_fd_reserved_dirfd(const UserProcess *p, int dirfd, const char *path)
{
    return (!path || path[0] != '/') && user_fd_reserved(p, dirfd);
}

static bool fd_reserved_in(const UserProcess *p, uint64_t first, uint64_t last)
{
    return (p->root && first <= (uint64_t)p->root->fd && (uint64_t)p->root->fd <= last) ||
           (p->icount.pool && first <= (uint64_t)p->icount.fd && (uint64_t)p->icount.fd <= last);
}

bool user_fd_syscall_refused(const UserProcess *p, unsigned nr, const uint64_t *args)
{
    if (!p->root && !p->icount.pool) {
        return false;
    }
    if (nr == NR_CLOSE_RANGE) {
        return fd_reserved_in(p, args[0], args[1]);
    }
    unsigned fd_args = nr < NR_TABLE ? fd_args_by_nr[nr] : 0;
    if (nr == NR_MMAP && (args[3] & MAP_ANONYMOUS)) {
        return false;
    }
    for (unsigned a = 0; fd_args >> a; a++) {
        if ((fd_args >> a & 1) && user_fd_reserved(p, (int)args[a])) {
            return true;
        }
    }
    return false;
}

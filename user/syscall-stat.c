/*
 * stat, statx and statfs. The generic struct stat (asm-generic/stat.h, used by riscv64
 * and aarch64) is not x86-64's: x86-64 puts a 64-bit st_nlink before st_mode and widens
 * st_blksize, so fstat and newfstatat copy field by field into GuestStat below. struct
 * statx is one layout on every architecture and struct statfs is the same on x86-64 and
 * the generic ABI (both checked against the cross toolchains' headers): the host fills
 * those in guest memory directly.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user/fd-reserved.h"

/* asm-generic/stat.h's struct stat, 128 bytes. */
typedef struct GuestStat {
    uint64_t dev;
    uint64_t ino;
    uint32_t mode;
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint64_t rdev;
    uint64_t pad1;
    int64_t size;
    int32_t blksize;
    int32_t pad2;
    int64_t blocks;
    int64_t atime, atime_nsec;
    int64_t mtime, mtime_nsec;
    int64_t ctime, ctime_nsec;
    uint32_t unused4, unused5;
} GuestStat;

_Static_assert(sizeof(GuestStat) == 128 && offsetof(GuestStat, mode) == 16 &&
                   offsetof(GuestStat, size) == 48 && offsetof(GuestStat, blksize) == 56 &&
                   offsetof(GuestStat, blocks) == 64 && offsetof(GuestStat, atime) == 72 &&
                   offsetof(GuestStat, ctime_nsec) == 112,
               "GuestStat must be asm-generic/stat.h's struct stat");
_Static_assert(sizeof(struct statx) == 256, "struct statx is one layout everywhere");
/* The generic struct statfs: eleven longs (f_fsid two ints), then f_spare[4]. */
_Static_assert(sizeof(struct statfs) == 120 && offsetof(struct statfs, f_fsid) == 56 &&
                   offsetof(struct statfs, f_namelen) == 64 &&
                   offsetof(struct statfs, f_flags) == 80,
               "host struct statfs differs from the generic one");

/* Writes st to the guest at addr as the generic layout: 0, -EFAULT or -EOVERFLOW. */
static int64_t stat_to_guest(UserThread *t, uint64_t addr, const struct stat *st)
{
    if (st->st_nlink > UINT32_MAX) {
        return host_to_guest_errno(EOVERFLOW);
    }
    GuestStat g = {
        .dev = st->st_dev,
        .ino = st->st_ino,
        .mode = st->st_mode,
        .nlink = (uint32_t)st->st_nlink,
        .uid = st->st_uid,
        .gid = st->st_gid,
        .rdev = st->st_rdev,
        .size = st->st_size,
        .blksize = (int32_t)st->st_blksize,
        .blocks = st->st_blocks,
        .atime = st->st_atim.tv_sec,
        .atime_nsec = st->st_atim.tv_nsec,
        .mtime = st->st_mtim.tv_sec,
        .mtime_nsec = st->st_mtim.tv_nsec,
        .ctime = st->st_ctim.tv_sec,
        .ctime_nsec = st->st_ctim.tv_nsec,
    };
    void *buf = lock_user(t, addr, sizeof(g), PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(buf, &g, sizeof(g));
    return 0;
}

int64_t sys_fstat(UserThread *t, const uint64_t *a)
{
    struct stat st;
    if (fstat((int)a[0], &st) < 0) {
        return sys_result(-1);
    }
    return stat_to_guest(t, a[1], &st);
}

int64_t sys_newfstatat(UserThread *t, const uint64_t *a)
{
    int flags = (int)a[3];
    SysAtKind kind = flags & AT_SYMLINK_NOFOLLOW ? SYS_AT_NOFOLLOW : SYS_AT_FOLLOW;
    g_auto(SysAt) at = {0};
    struct stat st;
    int64_t err = sys_at_exe(t, (int)a[0], a[1], kind, &at);
    if (err) {
        return err;
    }
    if (fstatat(at.dirfd, at.name, &st, flags | at.empty) < 0) {
        return sys_result(-1);
    }
    return stat_to_guest(t, a[2], &st);
}

/* Linux takes a NULL path (address 0) with AT_EMPTY_PATH; the host decides. */
int64_t sys_statx(UserThread *t, const uint64_t *a)
{
    int flags = (int)a[2];
    SysAtKind kind = flags & AT_SYMLINK_NOFOLLOW ? SYS_AT_NOFOLLOW : SYS_AT_FOLLOW;
    g_auto(SysAt) at = {.dirfd = (int)a[0]};
    if (a[1]) {
        int64_t err = sys_at_exe(t, (int)a[0], a[1], kind, &at);
        if (err) {
            return err;
        }
    } else if (user_fd_reserved_dirfd(t->proc, (int)a[0], NULL)) {
        return host_to_guest_errno(EBADF);
    }
    void *buf = lock_user(t, a[4], sizeof(struct statx), PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_statx, at.dirfd, at.name, flags | at.empty, (unsigned)a[3], buf));
}

/* With a root, the file's own O_PATH fd, which fstatfs takes. */
int64_t sys_statfs(UserThread *t, const uint64_t *a)
{
    g_auto(SysAt) at = {0};
    int64_t err = sys_at(t, AT_FDCWD, a[0], SYS_AT_FOLLOW, &at);
    if (err) {
        return err;
    }
    void *buf = lock_user(t, a[1], sizeof(struct statfs), PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    if (at.empty) {
        return sys_result(syscall(SYS_fstatfs, at.dirfd, buf));
    }
    return sys_result(syscall(SYS_statfs, at.name, buf));
}

int64_t sys_fstatfs(UserThread *t, const uint64_t *a)
{
    void *buf = lock_user(t, a[1], sizeof(struct statfs), PAGE_WRITE);
    return buf ? sys_result(syscall(SYS_fstatfs, (int)a[0], buf)) : host_to_guest_errno(EFAULT);
}

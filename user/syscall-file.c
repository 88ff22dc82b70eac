/*
 * File descriptors and I/O. A guest descriptor is the host descriptor of the same number,
 * but for user mode's own (user/fd-reserved.h), which no call here ever sees. Paths open
 * below the root when there is one (user/fs-root.h). Buffers are guest memory locked for
 * the call and handed to the host in place; counts are clamped as Linux clamps them
 * (SYS_RW_MAX per call, IOV_MAX vectors), so a hostile count can only ever fail with
 * EFAULT or EINVAL.
 *
 * Layouts checked against the riscv64 and aarch64 cross toolchains' headers: struct iovec
 * and struct flock are the same as x86-64's, and so are the fcntl commands; the open flags
 * are the same for riscv64, while aarch64 moves four of them (sys_open_flags_to_host).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "user/fd-reserved.h"

/* The generic struct flock: l_type and l_whence shorts, then l_start, l_len, l_pid. */
_Static_assert(sizeof(struct flock) == 32 && offsetof(struct flock, l_whence) == 2 &&
                   offsetof(struct flock, l_start) == 8 && offsetof(struct flock, l_len) == 16 &&
                   offsetof(struct flock, l_pid) == 24,
               "host struct flock differs from the generic one");
_Static_assert(sizeof(struct iovec) == 16, "host struct iovec differs from the generic one");

/* The kernel's O_LARGEFILE on x86-64 (glibc defines the macro as 0 on 64-bit hosts). */
enum { HOST_O_LARGEFILE = 0100000 };

/* aarch64's asm/fcntl.h against the generic numbering, which x86-64 shares. */
static const struct {
    int guest, host;
} aarch64_open_flags[] = {
    {040000, O_DIRECTORY},
    {0100000, O_NOFOLLOW},
    {0200000, O_DIRECT},
    {0400000, HOST_O_LARGEFILE},
};

/* The four flags are a permutation of the same bits: clear them all, then set each. */
static int open_flags_permute(int flags, bool to_host)
{
    int out = flags;
    for (size_t i = 0; i < G_N_ELEMENTS(aarch64_open_flags); i++) {
        out &= ~(to_host ? aarch64_open_flags[i].guest : aarch64_open_flags[i].host);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(aarch64_open_flags); i++) {
        int from = to_host ? aarch64_open_flags[i].guest : aarch64_open_flags[i].host;
        int to = to_host ? aarch64_open_flags[i].host : aarch64_open_flags[i].guest;
        out |= flags & from ? to : 0;
    }
    return out;
}

int sys_open_flags_to_host(const UserThread *t, int guest_flags)
{
    bool a64 = t->proc->arch->elf_machine == EM_AARCH64;
    return a64 ? open_flags_permute(guest_flags, true) : guest_flags;
}

int sys_open_flags_to_guest(const UserThread *t, int host_flags)
{
    bool a64 = t->proc->arch->elf_machine == EM_AARCH64;
    return a64 ? open_flags_permute(host_flags, false) : host_flags;
}

int64_t sys_openat(UserThread *t, const uint64_t *a)
{
    const char *guest;
    int64_t ret = sys_string(t, a[1], PATH_MAX, &guest);
    if (ret) {
        return ret;
    }
    if (user_fd_reserved_dirfd(t->proc, (int)a[0], guest)) {
        return host_to_guest_errno(EBADF);
    }
    int flags = sys_open_flags_to_host(t, (int)a[2]);
    if (procfs_open(t, guest, flags, &ret)) {
        return ret;
    }
    const UserRoot *root = t->proc->root;
    if (root) {
        g_autofree char *abs = NULL;
        ret = user_root_abs(root, (int)a[0], guest, &abs);
        return ret ? ret : sys_neg_errno(user_root_open(root, abs, flags, (mode_t)a[3]));
    }
    g_autofree char *path = sys_host_path(t->proc, guest);
    return sys_result(openat((int)a[0], path, flags, (mode_t)a[3]));
}

int64_t sys_close(UserThread *t, const uint64_t *a)
{
    return sys_result(close((int)a[0]));
}

/*
 * Calls that may block go through user_safe_syscall: a guest signal arriving just before
 * the host call starts then interrupts it (EINTR, restarted or not per SA_RESTART)
 * instead of waiting for it to return.
 */
static int64_t blocking_io(UserThread *t, long nr, long a1, const void *a2, uint64_t a3, int64_t a4)
{
    return sys_neg_errno(user_safe_syscall(t, nr, a1, (long)a2, (long)a3, (long)a4, 0, 0));
}

int64_t sys_read(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    void *buf = sys_lock(t, a[1], len, PAGE_WRITE);
    return buf ? blocking_io(t, SYS_read, (int)a[0], buf, len, 0) : host_to_guest_errno(EFAULT);
}

int64_t sys_write(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    const void *buf = sys_lock(t, a[1], len, PAGE_READ);
    return buf ? blocking_io(t, SYS_write, (int)a[0], buf, len, 0) : host_to_guest_errno(EFAULT);
}

int64_t sys_pread64(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    void *buf = sys_lock(t, a[1], len, PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    return blocking_io(t, SYS_pread64, (int)a[0], buf, len, (int64_t)a[3]);
}

int64_t sys_pwrite64(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[2], SYS_RW_MAX);
    const void *buf = sys_lock(t, a[1], len, PAGE_READ);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    return blocking_io(t, SYS_pwrite64, (int)a[0], buf, len, (int64_t)a[3]);
}

/*
 * The guest's iovec array as host iovecs (*out, to g_free), buffers locked for prot and
 * the total clamped to SYS_RW_MAX. A buffer the guest cannot access after some bytes were
 * already accepted ends the vector there: Linux would make the same short transfer.
 * Returns the host vector's length or -errno.
 */
static int64_t iov_lock(UserThread *t, uint64_t addr, uint64_t count, unsigned prot,
                        struct iovec **out)
{
    if (count > IOV_MAX) {
        return host_to_guest_errno(EINVAL);
    }
    const uint8_t *g = sys_lock(t, addr, count * 16, PAGE_READ);
    if (!g) {
        return host_to_guest_errno(EFAULT);
    }
    struct iovec *iov = g_new(struct iovec, count);
    uint64_t total = 0, n = 0;
    for (; n < count; n++) {
        uint64_t base, len;
        memcpy(&base, g + n * 16, 8);
        memcpy(&len, g + n * 16 + 8, 8);
        if ((int64_t)len < 0) {
            g_free(iov);
            return host_to_guest_errno(EINVAL);
        }
        len = MIN(len, SYS_RW_MAX - total);
        iov[n].iov_base = sys_lock(t, base, len, prot);
        iov[n].iov_len = len;
        if (!iov[n].iov_base) {
            break;
        }
        total += len;
    }
    if (n < count && total == 0) {
        g_free(iov);
        return host_to_guest_errno(EFAULT);
    }
    *out = iov;
    return (int64_t)n;
}

/* readv, writev, preadv, pwritev: a[3] is the offset when positioned. */
static int64_t vector_io(UserThread *t, const uint64_t *a, bool writing, bool positioned)
{
    g_autofree struct iovec *iov = NULL;
    int64_t n = iov_lock(t, a[1], a[2], writing ? PAGE_READ : PAGE_WRITE, &iov);
    if (n < 0) {
        return n;
    }
    long nr =
        positioned ? (writing ? SYS_pwritev : SYS_preadv) : (writing ? SYS_writev : SYS_readv);
    return blocking_io(t, nr, (int)a[0], iov, (uint64_t)n, positioned ? (int64_t)a[3] : 0);
}

int64_t sys_readv(UserThread *t, const uint64_t *a)
{
    return vector_io(t, a, false, false);
}

int64_t sys_writev(UserThread *t, const uint64_t *a)
{
    return vector_io(t, a, true, false);
}

/* On 64-bit the offset is a[3] whole; a[4] (its high half on 32-bit) is unused. */
int64_t sys_preadv(UserThread *t, const uint64_t *a)
{
    return vector_io(t, a, false, true);
}

int64_t sys_pwritev(UserThread *t, const uint64_t *a)
{
    return vector_io(t, a, true, true);
}

int64_t sys_lseek(UserThread *t, const uint64_t *a)
{
    return sys_result(lseek((int)a[0], (off_t)a[1], (int)a[2]));
}

int64_t sys_dup(UserThread *t, const uint64_t *a)
{
    return sys_result(dup((int)a[0]));
}

int64_t sys_dup3(UserThread *t, const uint64_t *a)
{
    return sys_result(dup3((int)a[0], (int)a[1], sys_open_flags_to_host(t, (int)a[2])));
}

static int64_t fcntl_lock(UserThread *t, int fd, int cmd, uint64_t addr)
{
    bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
    void *fl = lock_user(t, addr, sizeof(struct flock), PAGE_READ | (get ? PAGE_WRITE : 0));
    return fl ? sys_result(syscall(SYS_fcntl, fd, cmd, fl)) : host_to_guest_errno(EFAULT);
}

/*
 * The commands that need no signals. F_SETOWN, F_SETSIG, F_NOTIFY and leases make the
 * host deliver signals: they wait for guest signal delivery (the signal task).
 */
int64_t sys_fcntl(UserThread *t, const uint64_t *a)
{
    int fd = (int)a[0], cmd = (int)a[1];
    switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: return fcntl_lock(t, fd, cmd, a[2]);
    case F_GETFL: {
        int64_t ret = sys_result(syscall(SYS_fcntl, fd, cmd));
        return ret < 0 ? ret : sys_open_flags_to_guest(t, (int)ret);
    }
    case F_SETFL:
        return sys_result(syscall(SYS_fcntl, fd, cmd, sys_open_flags_to_host(t, (int)a[2])));
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_GETFD:
    case F_SETFD:
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
    case F_ADD_SEALS:
    case F_GET_SEALS: return sys_result(syscall(SYS_fcntl, fd, cmd, (unsigned long)a[2]));
    default: return host_to_guest_errno(EINVAL);
    }
}

int64_t sys_pipe2(UserThread *t, const uint64_t *a)
{
    int *guest = lock_user(t, a[0], 2 * sizeof(int), PAGE_WRITE);
    int fds[2];
    if (!guest) {
        return host_to_guest_errno(EFAULT);
    }
    if (pipe2(fds, sys_open_flags_to_host(t, (int)a[1])) < 0) {
        return sys_result(-1);
    }
    memcpy(guest, fds, sizeof(fds));
    return 0;
}

/* struct linux_dirent64 is the same on every architecture: the host fills guest memory. */
int64_t sys_getdents64(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN((uint32_t)a[2], SYS_RW_MAX);
    void *buf = sys_lock(t, a[1], len, PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_getdents64, (int)a[0], buf, (unsigned)len));
}

/* An optional in/out loff_t: NULL for address 0, else the locked guest word. */
static bool lock_offset(UserThread *t, uint64_t addr, off_t **out)
{
    *out = addr ? lock_user(t, addr, sizeof(off_t), PAGE_READ | PAGE_WRITE) : NULL;
    return !addr || *out;
}

int64_t sys_sendfile(UserThread *t, const uint64_t *a)
{
    off_t *off;
    if (!lock_offset(t, a[2], &off)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(sendfile((int)a[0], (int)a[1], off, MIN(a[3], SYS_RW_MAX)));
}

int64_t sys_copy_file_range(UserThread *t, const uint64_t *a)
{
    off_t *off_in, *off_out;
    if (!lock_offset(t, a[1], &off_in) || !lock_offset(t, a[3], &off_out)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_copy_file_range, (int)a[0], off_in, (int)a[2], off_out,
                              (size_t)a[4], (unsigned)a[5]));
}

int64_t sys_ftruncate(UserThread *t, const uint64_t *a)
{
    return sys_result(ftruncate((int)a[0], (off_t)a[1]));
}

int64_t sys_fsync(UserThread *t, const uint64_t *a)
{
    return sys_result(fsync((int)a[0]));
}

int64_t sys_fdatasync(UserThread *t, const uint64_t *a)
{
    return sys_result(fdatasync((int)a[0]));
}

/*
 * Unit tests for the syscall layer (user/syscall*.c): a UserProcess with a real GuestSpace,
 * and user_syscall called directly, as a CPU loop calls it. Answers are checked against
 * the host's own (stat field by field against fstat, uname against uname), and every kind
 * of bad guest pointer must give EFAULT, never a host fault (CI runs this under ASan).
 *
 * The syscall numbers and the generic struct stat offsets are written out here from the
 * kernel's asm-generic headers, independently of the table and of syscall-stat.c, so that
 * a wrong row or a wrong layout shows up.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/user-fixture.h"
#include "vmcore/log.h"

/* asm-generic/unistd.h */
enum {
    NR_io_setup = 0, /* not implemented: the example of a missing handler */
    NR_getcwd = 17,
    NR_fcntl = 25,
    NR_ioctl = 29,
    NR_openat = 56,
    NR_close = 57,
    NR_pipe2 = 59,
    NR_getdents64 = 61,
    NR_read = 63,
    NR_write = 64,
    NR_readv = 65,
    NR_writev = 66,
    NR_readlinkat = 78,
    NR_newfstatat = 79,
    NR_fstat = 80,
    NR_exit_group = 94,
    NR_clock_gettime = 113,
    NR_kill = 129,
    NR_uname = 160,
    NR_prctl = 167,
    NR_getpid = 172,
    NR_gettid = 178,
    NR_brk = 214,
    NR_munmap = 215,
    NR_mremap = 216,
    NR_mmap = 222,
    NR_madvise = 233,
};

/* Generic open flags; aarch64's O_DIRECTORY. */
enum { G_O_DIRECTORY = 0200000, A64_O_DIRECTORY = 040000 };

#define SCRATCH_SIZE  (16 * GUEST_PAGE_SIZE)
#define UNMAPPED_ADDR 0x2000ull /* below the lowest address anything is mapped at */
#define BRK_START     0x1000000ull

/* The scratch area: SCRATCH_SIZE read-write bytes, an unmapped page after. */
typedef struct Fixture {
    UserFixture u;
} Fixture;

static const UserArch test_aarch64 = {.name = "aarch64", .elf_machine = EM_AARCH64};
static const char test_cmdline[] = "prog\0first arg\0";
static const uint8_t test_auxv[16] = {6, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

static void fixture_setup(Fixture *f, gconstpointer data)
{
    user_fixture_setup(&f->u, &user_fixture_riscv64, SCRATCH_SIZE, true);
    f->u.proc.cmdline = g_byte_array_append(g_byte_array_new(), (const guint8 *)test_cmdline,
                                            sizeof(test_cmdline) - 1);
    f->u.proc.auxv = g_byte_array_append(g_byte_array_new(), test_auxv, sizeof(test_auxv));
    f->u.proc.space.brk_start = f->u.proc.space.brk = BRK_START;
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    g_byte_array_unref(f->u.proc.cmdline);
    g_byte_array_unref(f->u.proc.auxv);
    user_fixture_teardown(&f->u);
}

#define SYS(f, nr, ...) USER_SYS(&(f)->u, (nr), __VA_ARGS__)

/* A pipe made by the guest's pipe2: its two descriptors. */
static void guest_pipe(Fixture *f, int fds[2])
{
    g_assert_cmpint(SYS(f, NR_pipe2, f->u.scratch + 0x800, 0), ==, 0);
    memcpy(fds, f->u.host + 0x800, 2 * sizeof(int));
}

static void guest_close_pair(Fixture *f, const int fds[2])
{
    g_assert_cmpint(SYS(f, NR_close, (uint64_t)fds[0]), ==, 0);
    g_assert_cmpint(SYS(f, NR_close, (uint64_t)fds[1]), ==, 0);
}

static void test_pipe(Fixture *f, gconstpointer data)
{
    int p[2];
    guest_pipe(f, p);
    uint64_t msg = user_fixture_put_str(&f->u, 64, "hello");
    g_assert_cmpint(SYS(f, NR_write, p[1], msg, 5), ==, 5);
    g_assert_cmpint(SYS(f, NR_read, p[0], f->u.scratch + 256, 64), ==, 5);
    g_assert_cmpmem(f->u.host + 256, 5, "hello", 5);

    /* writev of "ab" + "cde", readv into 1 + 4 bytes. */
    uint64_t iov[4] = {user_fixture_put_str(&f->u, 512, "ab"), 2,
                       user_fixture_put_str(&f->u, 520, "cde"), 3};
    memcpy(f->u.host + 1024, iov, sizeof(iov));
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch + 1024, 2), ==, 5);
    uint64_t riov[4] = {f->u.scratch + 1100, 1, f->u.scratch + 1200, 4};
    memcpy(f->u.host + 1024, riov, sizeof(riov));
    g_assert_cmpint(SYS(f, NR_readv, p[0], f->u.scratch + 1024, 2), ==, 5);
    g_assert_cmpmem(f->u.host + 1100, 1, "a", 1);
    g_assert_cmpmem(f->u.host + 1200, 4, "bcde", 4);
    guest_close_pair(f, p);
    g_assert_cmpint(SYS(f, NR_close, p[0]), ==, -EBADF);
}

/* The guest's generic struct stat at buf, field by field against the host's. */
static void check_stat(const uint8_t *buf, const struct stat *st)
{
    g_assert_cmpuint(get_u64(buf, 0), ==, st->st_dev);
    g_assert_cmpuint(get_u64(buf, 8), ==, st->st_ino);
    g_assert_cmpuint(get_u32(buf, 16), ==, st->st_mode);
    g_assert_cmpuint(get_u32(buf, 20), ==, st->st_nlink);
    g_assert_cmpuint(get_u32(buf, 24), ==, st->st_uid);
    g_assert_cmpuint(get_u32(buf, 28), ==, st->st_gid);
    g_assert_cmpuint(get_u64(buf, 32), ==, st->st_rdev);
    g_assert_cmpuint(get_u64(buf, 40), ==, 0);
    g_assert_cmpint((int64_t)get_u64(buf, 48), ==, st->st_size);
    g_assert_cmpint((int32_t)get_u32(buf, 56), ==, st->st_blksize);
    g_assert_cmpuint(get_u32(buf, 60), ==, 0);
    g_assert_cmpint((int64_t)get_u64(buf, 64), ==, st->st_blocks);
    g_assert_cmpint((int64_t)get_u64(buf, 72), ==, st->st_atim.tv_sec);
    g_assert_cmpint((int64_t)get_u64(buf, 80), ==, st->st_atim.tv_nsec);
    g_assert_cmpint((int64_t)get_u64(buf, 88), ==, st->st_mtim.tv_sec);
    g_assert_cmpint((int64_t)get_u64(buf, 96), ==, st->st_mtim.tv_nsec);
    g_assert_cmpint((int64_t)get_u64(buf, 104), ==, st->st_ctim.tv_sec);
    g_assert_cmpint((int64_t)get_u64(buf, 112), ==, st->st_ctim.tv_nsec);
    g_assert_cmpuint(get_u64(buf, 120), ==, 0);
}

static void test_stat(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL;
    int hfd = g_file_open_tmp("paddock-stat-XXXXXX", &path, &err);
    g_assert_cmpint(hfd, >=, 0);
    g_assert_cmpint(write(hfd, "0123456789", 10), ==, 10);
    g_assert_cmpint(close(hfd), ==, 0);
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);

    uint64_t gpath = user_fixture_put_str(&f->u, 0, path);
    int64_t fd = SYS(f, NR_openat, (uint64_t)AT_FDCWD, gpath, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    memset(f->u.host + 0x1000, 0xaa, 128);
    g_assert_cmpint(SYS(f, NR_fstat, fd, f->u.scratch + 0x1000), ==, 0);
    check_stat(f->u.host + 0x1000, &st);
    memset(f->u.host + 0x2000, 0xaa, 128);
    g_assert_cmpint(SYS(f, NR_newfstatat, (uint64_t)AT_FDCWD, gpath, f->u.scratch + 0x2000, 0), ==,
                    0);
    check_stat(f->u.host + 0x2000, &st);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
    g_assert_cmpint(unlink(path), ==, 0);
    g_assert_cmpint(SYS(f, NR_newfstatat, (uint64_t)AT_FDCWD, gpath, f->u.scratch + 0x2000, 0), ==,
                    -ENOENT);
}

/* The names in a getdents64 buffer of len bytes (struct linux_dirent64). */
static GPtrArray *dirent_names(const uint8_t *buf, int64_t len)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (int64_t off = 0; off < len;) {
        uint16_t reclen;
        memcpy(&reclen, buf + off + 16, sizeof(reclen));
        g_assert_cmpuint(reclen, >=, 20);
        g_ptr_array_add(names, g_strdup((const char *)buf + off + 19));
        off += reclen;
    }
    return names;
}

static bool has_name(GPtrArray *names, const char *name)
{
    return g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL);
}

static void test_getdents(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("paddock-dents-XXXXXX", &err);
    g_assert_nonnull(dir);
    g_autofree char *a = g_build_filename(dir, "alpha", NULL);
    g_autofree char *b = g_build_filename(dir, "beta", NULL);
    g_assert_true(g_file_set_contents(a, "", 0, &err));
    g_assert_true(g_file_set_contents(b, "", 0, &err));

    int64_t fd = SYS(f, NR_openat, (uint64_t)AT_FDCWD, user_fixture_put_str(&f->u, 0, dir),
                     O_RDONLY | G_O_DIRECTORY);
    g_assert_cmpint(fd, >=, 0);
    int64_t n = SYS(f, NR_getdents64, fd, f->u.scratch + 0x1000, 4096);
    g_assert_cmpint(n, >, 0);
    g_autoptr(GPtrArray) names = dirent_names(f->u.host + 0x1000, n);
    g_assert_cmpuint(names->len, ==, 4);
    g_assert_true(has_name(names, ".") && has_name(names, "..") && has_name(names, "alpha") &&
                  has_name(names, "beta"));
    g_assert_cmpint(SYS(f, NR_getdents64, fd, f->u.scratch + 0x1000, 4096), ==, 0);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
    g_assert_cmpint(unlink(a) | unlink(b) | rmdir(dir), ==, 0);
}

static void test_uname(Fixture *f, gconstpointer data)
{
    struct utsname host;
    g_assert_cmpint(uname(&host), ==, 0);
    g_assert_cmpint(SYS(f, NR_uname, f->u.scratch), ==, 0);
    g_assert_cmpstr((const char *)f->u.host, ==, host.sysname);
    g_assert_cmpstr((const char *)f->u.host + 65, ==, host.nodename);
    g_assert_cmpstr((const char *)f->u.host + 2 * 65, ==, host.release);
    g_assert_cmpstr((const char *)f->u.host + 4 * 65, ==, "riscv64");
    g_assert_cmpint(SYS(f, NR_uname, UNMAPPED_ADDR), ==, -EFAULT);
}

/* Buffers the guest cannot access, whole or in part, or of absurd lengths. */
static void test_efault_buffers(Fixture *f, gconstpointer data)
{
    int p[2];
    guest_pipe(f, p);
    uint64_t end = f->u.scratch + SCRATCH_SIZE;
    g_assert_cmpint(SYS(f, NR_write, p[1], UNMAPPED_ADDR, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], UNMAPPED_ADDR, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_write, p[1], end - 4, 16), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], end - 4, 16), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], f->u.scratch, 1ull << 40), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], f->u.scratch, UINT64_MAX), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], 1ull << 50, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_read, p[0], UINT64_MAX - 2, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_write, p[1], UNMAPPED_ADDR, 0), ==, 0);
    g_assert_cmpint(SYS(f, NR_fstat, p[0], end - 64), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_clock_gettime, CLOCK_MONOTONIC, UNMAPPED_ADDR), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_pipe2, end - 4, 0), ==, -EFAULT);

    /* A read-only page is no buffer to read into. */
    int64_t ro = SYS(f, NR_mmap, 0, GUEST_PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
                     (uint64_t)-1, 0);
    g_assert_cmpint(ro, >, 0);
    g_assert_cmpint(SYS(f, NR_write, p[1], user_fixture_put_str(&f->u, 0, "x"), 1), ==, 1);
    g_assert_cmpint(SYS(f, NR_read, p[0], ro, 1), ==, -EFAULT);
    guest_close_pair(f, p);
}

static void test_efault_iovec(Fixture *f, gconstpointer data)
{
    int p[2];
    guest_pipe(f, p);
    uint64_t iov[4] = {UNMAPPED_ADDR, 4, f->u.scratch, 4};
    memcpy(f->u.host + 0x100, iov, sizeof(iov));
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch + 0x100, 2), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_writev, p[1], UNMAPPED_ADDR, 2), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch + SCRATCH_SIZE - 16, 2), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch, IOV_MAX + 1), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch, UINT64_MAX), ==, -EINVAL);
    /* A bad buffer after good bytes ends the transfer short, as in Linux. */
    uint64_t iov2[4] = {user_fixture_put_str(&f->u, 0, "abcd"), 4, UNMAPPED_ADDR, 4};
    memcpy(f->u.host + 0x100, iov2, sizeof(iov2));
    g_assert_cmpint(SYS(f, NR_writev, p[1], f->u.scratch + 0x100, 2), ==, 4);
    guest_close_pair(f, p);
}

static void test_efault_paths(Fixture *f, gconstpointer data)
{
    uint64_t at = (uint64_t)AT_FDCWD;
    g_assert_cmpint(SYS(f, NR_openat, at, UNMAPPED_ADDR, O_RDONLY), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_openat, at, 0, O_RDONLY), ==, -EFAULT);
    /* Unterminated up to the unmapped page. */
    memset(f->u.host + SCRATCH_SIZE - 8, 'a', 8);
    g_assert_cmpint(SYS(f, NR_openat, at, f->u.scratch + SCRATCH_SIZE - 8, O_RDONLY), ==, -EFAULT);
    /* Longer than PATH_MAX. */
    memset(f->u.host, 'a', PATH_MAX + 10);
    f->u.host[PATH_MAX + 10] = 0;
    g_assert_cmpint(SYS(f, NR_openat, at, f->u.scratch, O_RDONLY), ==, -ENAMETOOLONG);
    g_assert_cmpint(SYS(f, NR_newfstatat, at, f->u.scratch, f->u.scratch, 0), ==, -ENAMETOOLONG);
    g_assert_cmpint(SYS(f, NR_readlinkat, at, UNMAPPED_ADDR, f->u.scratch, 64), ==, -EFAULT);
}

static void test_enosys(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(SYS(f, 1000), ==, -ENOSYS);
    g_assert_cmpint(SYS(f, 511), ==, -ENOSYS);
    g_assert_cmpint(SYS(f, UINT32_MAX), ==, -ENOSYS);
    g_assert_cmpint(SYS(f, NR_io_setup), ==, -ENOSYS);
}

static void test_procfs(Fixture *f, gconstpointer data)
{
    uint64_t at = (uint64_t)AT_FDCWD;
    const char *exe = f->u.proc.exe_path;
    g_autofree char *by_pid = g_strdup_printf("/proc/%d/exe", getpid());
    for (int i = 0; i < 2; i++) {
        uint64_t name = user_fixture_put_str(&f->u, 0, i ? by_pid : "/proc/self/exe");
        g_assert_cmpint(SYS(f, NR_readlinkat, at, name, f->u.scratch + 0x100, 256), ==,
                        strlen(exe));
        g_assert_cmpmem(f->u.host + 0x100, strlen(exe), exe, strlen(exe));
    }
    g_assert_cmpint(SYS(f, NR_readlinkat, at, user_fixture_put_str(&f->u, 0, "/proc/self/exe"),
                        f->u.scratch, 3),
                    ==, 3);
    struct stat st;
    g_assert_cmpint(stat(exe, &st), ==, 0);
    g_assert_cmpint(SYS(f, NR_newfstatat, at, user_fixture_put_str(&f->u, 0, "/proc/self/exe"),
                        f->u.scratch, 0),
                    ==, 0);
    g_assert_cmpuint(get_u64(f->u.host, 8), ==, st.st_ino);
    g_assert_cmpint(
        SYS(f, NR_openat, at, user_fixture_put_str(&f->u, 0, "/proc/self/exe"), O_WRONLY), ==,
        -ETXTBSY);
}

/* The bytes /proc/self/<name> gives the guest. */
static void check_proc_file(Fixture *f, const char *name, const void *want, size_t len)
{
    g_autofree char *path = g_strdup_printf("/proc/self/%s", name);
    uint64_t at = (uint64_t)AT_FDCWD;
    int64_t fd = SYS(f, NR_openat, at, user_fixture_put_str(&f->u, 0, path), O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(SYS(f, NR_read, fd, f->u.scratch + 0x100, 4096), ==, len);
    g_assert_cmpmem(f->u.host + 0x100, len, want, len);
    g_assert_cmpint(SYS(f, NR_write, fd, f->u.scratch, 1), <, 0);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
    g_assert_cmpint(SYS(f, NR_openat, at, user_fixture_put_str(&f->u, 0, path), O_RDWR), ==,
                    -EACCES);
}

static void test_procfs_files(Fixture *f, gconstpointer data)
{
    check_proc_file(f, "cmdline", test_cmdline, sizeof(test_cmdline) - 1);
    check_proc_file(f, "auxv", test_auxv, sizeof(test_auxv));
}

static int64_t timespec_ns(const struct timespec *ts)
{
    return ts->tv_sec * 1000000000ll + ts->tv_nsec;
}

static void test_clock(Fixture *f, gconstpointer data)
{
    struct timespec before, after, guest;
    g_assert_cmpint(clock_gettime(CLOCK_MONOTONIC, &before), ==, 0);
    g_assert_cmpint(SYS(f, NR_clock_gettime, CLOCK_MONOTONIC, f->u.scratch + 8), ==, 0);
    g_assert_cmpint(clock_gettime(CLOCK_MONOTONIC, &after), ==, 0);
    memcpy(&guest, f->u.host + 8, sizeof(guest));
    g_assert_cmpint(timespec_ns(&before), <=, timespec_ns(&guest));
    g_assert_cmpint(timespec_ns(&guest), <=, timespec_ns(&after));
    g_assert_cmpint(SYS(f, NR_clock_gettime, CLOCK_REALTIME, f->u.scratch), ==, 0);
    g_assert_cmpint((int64_t)get_u64(f->u.host, 0), >, 1577836800); /* 2020 */
    g_assert_cmpint(SYS(f, NR_clock_gettime, (uint64_t)-42, f->u.scratch), ==, -EINVAL);
}

static void test_brk(Fixture *f, gconstpointer data)
{
    uint64_t top = BRK_START + 3 * GUEST_PAGE_SIZE + 100;
    g_assert_cmpuint(SYS(f, NR_brk, 0), ==, BRK_START);
    g_assert_cmpuint(SYS(f, NR_brk, top), ==, top);
    int p[2];
    guest_pipe(f, p);
    g_assert_cmpint(SYS(f, NR_write, p[1], user_fixture_put_str(&f->u, 0, "heap"), 4), ==, 4);
    g_assert_cmpint(SYS(f, NR_read, p[0], top - 4, 4), ==, 4);
    g_assert_cmpmem(g2h(&f->u.proc.space, top - 4), 4, "heap", 4);
    g_assert_cmpuint(SYS(f, NR_brk, BRK_START), ==, BRK_START);
    g_assert_cmpint(SYS(f, NR_read, p[0], top - 4, 4), ==, -EFAULT);
    g_assert_cmpuint(SYS(f, NR_brk, top), ==, top);
    g_assert_cmpmem(g2h(&f->u.proc.space, top - 4), 4, "\0\0\0\0", 4);
    guest_close_pair(f, p);
}

static void test_mmap(Fixture *f, gconstpointer data)
{
    int64_t m = SYS(f, NR_mmap, 0, 2 * GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
    g_assert_cmpint(m, >, 0);
    g_assert_cmpuint(m & (GUEST_PAGE_SIZE - 1), ==, 0);
    int p[2];
    guest_pipe(f, p);
    g_assert_cmpint(SYS(f, NR_write, p[1], user_fixture_put_str(&f->u, 0, "map"), 3), ==, 3);
    g_assert_cmpint(SYS(f, NR_read, p[0], m + GUEST_PAGE_SIZE - 1, 3), ==, 3);
    g_assert_cmpint(SYS(f, NR_write, p[1], m + GUEST_PAGE_SIZE - 1, 3), ==, 3);

    /* MADV_DONTNEED: anonymous private memory reads back as zeros. */
    g_assert_cmpint(SYS(f, NR_madvise, m, 2 * GUEST_PAGE_SIZE, MADV_DONTNEED), ==, 0);
    g_assert_cmpmem(g2h(&f->u.proc.space, m + GUEST_PAGE_SIZE - 1), 3, "\0\0\0", 3);
    g_assert_cmpint(SYS(f, NR_madvise, m + 1, 1, MADV_DONTNEED), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_madvise, UNMAPPED_ADDR, 1, MADV_DONTNEED), ==, -ENOMEM);

    /* mremap's flags are an unsigned long: a high bit is not dropped but refused. */
    g_assert_cmpint(SYS(f, NR_mremap, m, GUEST_PAGE_SIZE, GUEST_PAGE_SIZE, 1ull << 32, 0), ==,
                    -EINVAL);
    g_assert_cmpint(SYS(f, NR_mremap, m, 2 * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE, 0, 0), ==, m);

    g_assert_cmpint(SYS(f, NR_munmap, m, 2 * GUEST_PAGE_SIZE), ==, 0);
    g_assert_cmpint(SYS(f, NR_write, p[1], m, 1), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_mmap, 0, GUEST_PAGE_SIZE, PROT_READ, MAP_PRIVATE, 999, 0), ==,
                    -EBADF);
    guest_close_pair(f, p);
}

static void test_fcntl_ioctl(Fixture *f, gconstpointer data)
{
    int p[2];
    guest_pipe(f, p);
    g_assert_cmpint(SYS(f, NR_write, p[1], user_fixture_put_str(&f->u, 0, "abc"), 3), ==, 3);
    g_assert_cmpint(SYS(f, NR_ioctl, p[0], FIONREAD, f->u.scratch + 0x100), ==, 0);
    g_assert_cmpint(get_u32(f->u.host, 0x100), ==, 3);
    g_assert_cmpint(SYS(f, NR_ioctl, p[0], TCGETS, f->u.scratch + 0x100), ==, -ENOTTY);
    g_assert_cmpint(SYS(f, NR_ioctl, p[0], 0x1234, f->u.scratch), ==, -ENOTTY);
    g_assert_cmpint(SYS(f, NR_ioctl, 999, 0x1234, f->u.scratch), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_ioctl, p[0], FIONREAD, UNMAPPED_ADDR), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_fcntl, p[0], F_GETFD), ==, 0);
    g_assert_cmpint(SYS(f, NR_ioctl, p[0], FIOCLEX), ==, 0);
    g_assert_cmpint(SYS(f, NR_fcntl, p[0], F_GETFD), ==, FD_CLOEXEC);
    g_assert_cmpint(SYS(f, NR_fcntl, p[0], F_SETFL, O_NONBLOCK), ==, 0);
    g_assert_cmpint(SYS(f, NR_fcntl, p[0], F_GETFL) & O_NONBLOCK, ==, O_NONBLOCK);
    g_assert_cmpint(SYS(f, NR_fcntl, p[0], F_SETSIG, 10), ==, -EINVAL);
    guest_close_pair(f, p);
}

/* aarch64 numbers O_DIRECTORY (and three more) apart from the generic ABI. */
static void test_aarch64_open_flags(Fixture *f, gconstpointer data)
{
    f->u.proc.arch = &test_aarch64;
    uint64_t at = (uint64_t)AT_FDCWD;
    g_assert_cmpint(
        SYS(f, NR_openat, at, user_fixture_put_str(&f->u, 0, "/bin/true"), A64_O_DIRECTORY), ==,
        -ENOTDIR);
    int64_t fd = SYS(f, NR_openat, at, user_fixture_put_str(&f->u, 0, "/"), A64_O_DIRECTORY);
    g_assert_cmpint(fd, >=, 0);
    int64_t fl = SYS(f, NR_fcntl, fd, F_GETFL);
    g_assert_cmpint(fl & A64_O_DIRECTORY, ==, A64_O_DIRECTORY);
    g_assert_cmpint(fl & G_O_DIRECTORY, ==, 0);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
    g_assert_cmpint(SYS(f, NR_uname, f->u.scratch), ==, 0);
    g_assert_cmpstr((const char *)f->u.host + 4 * 65, ==, "aarch64");
}

static void test_proc_ids(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(SYS(f, NR_getpid), ==, getpid());
    g_assert_cmpint(SYS(f, NR_gettid), ==, f->u.thread.tid);
    g_assert_cmpint(SYS(f, NR_kill, (uint64_t)getpid(), 0), ==, 0);
    g_assert_cmpint(SYS(f, NR_kill, (uint64_t)getpid(), SIGCHLD), ==, 0);
    g_assert_cmpint(SYS(f, NR_kill, (uint64_t)getpid(), 65), ==, -EINVAL);
    g_assert_cmpint(
        SYS(f, NR_prctl, PR_SET_NAME, user_fixture_put_str(&f->u, 0, "guest-name-too-long")), ==,
        0);
    g_assert_cmpint(SYS(f, NR_prctl, PR_GET_NAME, f->u.scratch + 0x100), ==, 0);
    g_assert_cmpstr((const char *)f->u.host + 0x100, ==, "guest-name-too-");
    g_assert_cmpint(SYS(f, NR_prctl, PR_GET_DUMPABLE), ==, -EINVAL);
    g_autofree char *cwd = g_get_current_dir();
    g_assert_cmpint(SYS(f, NR_getcwd, f->u.scratch, 4096), ==, strlen(cwd) + 1);
    g_assert_cmpstr((const char *)f->u.host, ==, cwd);
    g_assert_cmpint(SYS(f, NR_getcwd, f->u.scratch, 1), ==, -ERANGE);
}

/* PADDOCK_LOG=syscall,guest_errors: strace-like lines, one report per missing number. */
static void test_trace(Fixture *f, gconstpointer data)
{
    if (g_test_subprocess()) {
        log_mask = LOG_SYSCALL | LOG_GUEST_ERROR;
        int p[2];
        guest_pipe(f, p);
        SYS(f, NR_write, p[1], user_fixture_put_str(&f->u, 0, "hi\n"), 3);
        SYS(f, NR_close, (uint64_t)-1);
        SYS(f, NR_openat, (uint64_t)AT_FDCWD, user_fixture_put_str(&f->u, 0, "/nonexistent"),
            O_RDONLY);
        SYS(f, NR_io_setup, 1, 2);
        SYS(f, NR_io_setup, 1, 2);
        SYS(f, 1000);
        SYS(f, NR_brk, 0);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*pipe2(0x*, 0) = 0\n*write(*, \"hi\\n\", 3) = 3\n*");
    g_test_trap_assert_stderr("*close(-1) = -1 EBADF (Bad file descriptor)\n*");
    g_test_trap_assert_stderr("*openat(AT_FDCWD, \"/nonexistent\", 0, 0) = -1 ENOENT *");
    g_test_trap_assert_stderr("*unimplemented syscall 0 (io_setup)\n*io_setup(...) = -1 ENOSYS *");
    g_test_trap_assert_stderr_unmatched("*syscall 0 (io_setup)*syscall 0 (io_setup)*");
    g_test_trap_assert_stderr("*syscall_1000(...) = -1 ENOSYS*");
    g_test_trap_assert_stderr("*brk(0) = 0x1000000\n*");
}

static void test_exit_group(Fixture *f, gconstpointer data)
{
    if (g_test_subprocess()) {
        printf("buffered");
        SYS(f, NR_exit_group, GPOINTER_TO_INT(data));
        g_assert_not_reached();
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (GPOINTER_TO_INT(data)) {
        g_test_trap_assert_failed();
    } else {
        g_test_trap_assert_passed();
    }
    g_test_trap_assert_stdout("buffered");
}

/* Rows in number order, each number once, and a sample of numbers against their names. */
static void test_table(void)
{
    for (unsigned i = 1; i < syscall_row_count; i++) {
        g_assert_cmpuint(syscall_rows[i - 1].nr, <, syscall_rows[i].nr);
    }
    static const struct {
        unsigned nr;
        const char *name;
    } known[] = {{17, "getcwd"},     {56, "openat"},     {63, "read"},    {79, "newfstatat"},
                 {80, "fstat"},      {94, "exit_group"}, {214, "brk"},    {222, "mmap"},
                 {261, "prlimit64"}, {291, "statx"},     {435, "clone3"}, {439, "faccessat2"}};
    for (size_t k = 0; k < G_N_ELEMENTS(known); k++) {
        bool found = false;
        for (unsigned i = 0; i < syscall_row_count; i++) {
            if (syscall_rows[i].nr == known[k].nr) {
                g_assert_cmpstr(syscall_rows[i].name, ==, known[k].name);
                found = true;
            }
        }
        g_assert_true(found);
    }
}

static void add(const char *path, gconstpointer data, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/user/syscall/table", test_table);
    add("/user/syscall/pipe", NULL, test_pipe);
    add("/user/syscall/stat", NULL, test_stat);
    add("/user/syscall/getdents", NULL, test_getdents);
    add("/user/syscall/uname", NULL, test_uname);
    add("/user/syscall/efault/buffers", NULL, test_efault_buffers);
    add("/user/syscall/efault/iovec", NULL, test_efault_iovec);
    add("/user/syscall/efault/paths", NULL, test_efault_paths);
    add("/user/syscall/enosys", NULL, test_enosys);
    add("/user/syscall/procfs/exe", NULL, test_procfs);
    add("/user/syscall/procfs/files", NULL, test_procfs_files);
    add("/user/syscall/clock", NULL, test_clock);
    add("/user/syscall/brk", NULL, test_brk);
    add("/user/syscall/mmap", NULL, test_mmap);
    add("/user/syscall/fcntl-ioctl", NULL, test_fcntl_ioctl);
    add("/user/syscall/aarch64-open-flags", NULL, test_aarch64_open_flags);
    add("/user/syscall/proc-ids", NULL, test_proc_ids);
    add("/user/syscall/trace", NULL, test_trace);
    add("/user/syscall/exit-group/0", GINT_TO_POINTER(0), test_exit_group);
    add("/user/syscall/exit-group/3", GINT_TO_POINTER(3), test_exit_group);
    return g_test_run();
}

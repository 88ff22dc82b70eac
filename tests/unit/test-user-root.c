/*
 * Unit tests for the confined view (user/fs-root.c, `paddock run --root`): its setup and
 * errors, the guest paths it makes of host ones, and syscalls through it on a scratch
 * root: escapes by "..", by absolute symlinks and by a symlink to a host directory, the
 * errors Linux gives for "/", "." and ".." as last components, the reserved fd (as an fd
 * and as a directory), the emulated /proc/self links and unix socket names that no longer
 * fit. The guest's view of
 * the same, end to end, is tests/guest/root-escape.c.
 */
#define _GNU_SOURCE
#include "user/fs-root.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/unit/user-fixture.h"
#include "user/fd-reserved.h"
#include "user/run.h"

/* asm-generic/unistd.h */
enum {
    NR_getcwd = 17,
    NR_dup3 = 24,
    NR_mkdirat = 34,
    NR_unlinkat = 35,
    NR_symlinkat = 36,
    NR_fchownat = 54,
    NR_openat = 56,
    NR_close = 57,
    NR_read = 63,
    NR_readlinkat = 78,
    NR_newfstatat = 79,
    NR_utimensat = 88,
    NR_socket = 198,
    NR_bind = 200,
    NR_statx = 291,
};

#define FAKE "fake passwd\n"

typedef struct Fixture {
    UserFixture u;
    char *dir;   /* the root, a new temporary directory */
    int old_cwd; /* the test's cwd, which user_root_init moves */
} Fixture;

static void put_file(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    user_fixture_setup(&f->u, &user_fixture_riscv64, 16 * GUEST_PAGE_SIZE, true);
    f->dir = g_dir_make_tmp("paddock-root-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    g_autofree char *etc = g_build_filename(f->dir, "etc", NULL);
    g_autofree char *link = g_build_filename(f->dir, "abs-link", NULL);
    g_assert_cmpint(mkdir(etc, 0755), ==, 0);
    put_file(etc, "passwd", FAKE);
    g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);
    f->old_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    g_assert_cmpint(f->old_cwd, >=, 0);
    g_autoptr(GError) err = NULL;
    g_assert_true(user_root_init(&f->u.proc, f->dir, &err));
    g_assert_no_error(err);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    user_root_free(f->u.proc.root);
    f->u.proc.root = NULL;
    g_assert_cmpint(fchdir(f->old_cwd), ==, 0);
    close(f->old_cwd);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
    user_fixture_teardown(&f->u);
}

#define SYS(f, nr, ...) USER_SYS(&(f)->u, (nr), __VA_ARGS__)
#define AT              ((uint64_t)AT_FDCWD)

static uint64_t str(Fixture *f, const char *s)
{
    return user_fixture_put_str(&f->u, 0, s);
}

/* What the guest reads from path: at most 63 bytes, "" when it cannot open it. */
static char *guest_read(Fixture *f, const char *path)
{
    int64_t fd = SYS(f, NR_openat, AT, str(f, path), O_RDONLY);
    if (fd < 0) {
        return g_strdup("");
    }
    int64_t n = SYS(f, NR_read, fd, f->u.scratch + 0x800, 63);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
    return g_strndup((const char *)f->u.host + 0x800, n > 0 ? (size_t)n : 0);
}

/* The target of the guest's readlink of path, or "" on failure. */
static char *guest_readlink(Fixture *f, const char *path)
{
    int64_t n = SYS(f, NR_readlinkat, AT, str(f, path), f->u.scratch + 0x800, 256);
    return g_strndup((const char *)f->u.host + 0x800, n > 0 ? (size_t)n : 0);
}

static void test_init_errors(void)
{
    UserProcess p = {0};
    g_autoptr(GError) err = NULL;
    g_assert_false(user_root_init(&p, "/nonexistent/paddock-root", &err));
    g_assert_error(err, USER_ERROR, USER_ERROR_ROOT);
    g_assert_cmpstr(err->message, ==,
                    "--root /nonexistent/paddock-root: No such file or directory");
    g_clear_error(&err);
    user_root_free(p.root);
    p.root = NULL;
    g_assert_false(user_root_init(&p, "/etc/passwd", &err));
    g_assert_error(err, USER_ERROR, USER_ERROR_ROOT);
    g_assert_cmpstr(err->message, ==, "--root /etc/passwd: Not a directory");
    user_root_free(p.root);
}

static void test_to_guest(void)
{
    UserRoot dir = {.fd = -1, .host = "/a/b", .host_len = 4};
    UserRoot slash = {.fd = -1, .host = "", .host_len = 0};
    const struct {
        const UserRoot *root;
        const char *host, *guest;
    } cases[] = {
        {&dir, "/a/b", "/"},      {&dir, "/a/b/c/d", "/c/d"},   {&dir, "/a/bc", NULL},
        {&dir, "/a", NULL},       {&dir, "pipe:[7]", NULL},     {&slash, "/", "/"},
        {&slash, "/x/y", "/x/y"}, {&slash, "socket:[1]", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *guest = user_root_to_guest(cases[i].root, cases[i].host);
        g_assert_cmpstr(guest, ==, cases[i].guest);
    }
    g_assert_cmpstr(user_root_host_dir(&slash), ==, "/");
    g_assert_cmpstr(user_root_host_dir(&dir), ==, "/a/b");
}

static void test_paths(Fixture *f, gconstpointer data)
{
    const char *fake_paths[] = {"/etc/passwd", "/../../etc/passwd", "../../../etc/passwd",
                                "/abs-link", "abs-link"};
    for (size_t i = 0; i < G_N_ELEMENTS(fake_paths); i++) {
        g_autofree char *got = guest_read(f, fake_paths[i]);
        g_assert_cmpstr(got, ==, FAKE);
    }
    memcpy(f->u.host + 0x400, "usr-link", 9);
    g_assert_cmpint(SYS(f, NR_symlinkat, str(f, "/usr"), AT, f->u.scratch + 0x400), ==, 0);
    g_assert_cmpint(SYS(f, NR_openat, AT, str(f, "/usr-link/lib"), O_RDONLY), ==, -ENOENT);
    g_assert_cmpint(SYS(f, NR_openat, AT, str(f, ""), O_RDONLY), ==, -ENOENT);
    g_assert_cmpint(SYS(f, NR_getcwd, f->u.scratch + 0x800, 64), ==, 2);
    g_assert_cmpstr((const char *)f->u.host + 0x800, ==, "/");
    g_assert_cmpint(SYS(f, NR_getcwd, f->u.scratch + 0x800, 1), ==, -ERANGE);
}

/* Last components the *at calls refuse by their kind, as Linux does. */
static void test_last_components(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(SYS(f, NR_mkdirat, AT, str(f, "/"), 0755), ==, -EEXIST);
    g_assert_cmpint(SYS(f, NR_mkdirat, AT, str(f, "/etc/.."), 0755), ==, -EEXIST);
    g_assert_cmpint(SYS(f, NR_mkdirat, AT, str(f, "/new//"), 0755), ==, 0);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "/"), AT_REMOVEDIR), ==, -EBUSY);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "/.."), AT_REMOVEDIR), ==, -ENOTEMPTY);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "/new/."), AT_REMOVEDIR), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "/"), 0), ==, -EISDIR);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "/etc/passwd/"), 0), ==, -ENOTDIR);
    g_assert_cmpint(SYS(f, NR_unlinkat, AT, str(f, "new/"), AT_REMOVEDIR), ==, 0);
    g_assert_cmpint(SYS(f, NR_readlinkat, AT, str(f, "/etc/passwd"), f->u.scratch + 0x800, 64), ==,
                    -EINVAL);
    g_assert_cmpint(SYS(f, NR_readlinkat, AT, str(f, "/nonexistent"), f->u.scratch + 0x800, 64), ==,
                    -ENOENT);
}

static void test_reserved_fd(Fixture *f, gconstpointer data)
{
    int fd = f->u.proc.root->fd;
    g_assert_cmpint(fd, >=, 64);
    g_assert_true(user_fd_reserved(&f->u.proc, fd));
    g_assert_false(user_fd_reserved(&f->u.proc, 0));
    g_assert_cmpint(SYS(f, NR_close, fd), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_dup3, 0, fd, 0), ==, -EBADF);
    g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
    g_autofree char *self = g_strdup_printf("/proc/self/fd/%d", fd);
    g_autofree char *target = guest_readlink(f, self);
    g_assert_cmpstr(target, ==, "");
}

/* The reserved fd as a directory: refused for a NULL, empty or relative path, ignored by
 * an absolute one. */
static void test_reserved_dirfd(Fixture *f, gconstpointer data)
{
    uint64_t fd = (uint64_t)f->u.proc.root->fd;
    uint64_t buf = f->u.scratch + 0x800;
    g_assert_cmpint(SYS(f, NR_fchownat, fd, str(f, ""), 0, 0, AT_EMPTY_PATH), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_statx, fd, str(f, ""), AT_EMPTY_PATH, 0, buf), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_statx, fd, 0, AT_EMPTY_PATH, 0, buf), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_newfstatat, fd, str(f, ""), buf, AT_EMPTY_PATH), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_utimensat, fd, 0, 0, 0), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_utimensat, fd, str(f, ""), 0, AT_EMPTY_PATH), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_openat, fd, str(f, "etc/passwd"), O_RDONLY), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_openat, fd, str(f, ""), O_RDONLY), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_mkdirat, fd, str(f, "new"), 0755), ==, -EBADF);
    g_assert_cmpint(SYS(f, NR_readlinkat, fd, str(f, "abs-link"), buf, 64), ==, -EBADF);
    int64_t file = SYS(f, NR_openat, fd, str(f, "/etc/passwd"), O_RDONLY);
    g_assert_cmpint(file, >=, 0);
    g_assert_cmpint(SYS(f, NR_close, file), ==, 0);
    g_assert_cmpint(SYS(f, NR_statx, fd, str(f, "/etc"), 0, 0, buf), ==, 0);
}

static void test_proc_links(Fixture *f, gconstpointer data)
{
    g_autofree char *root = guest_readlink(f, "/proc/self/root");
    g_autofree char *cwd = guest_readlink(f, "/proc/self/cwd");
    g_assert_cmpstr(root, ==, "/");
    g_assert_cmpstr(cwd, ==, "/");
    int64_t fd = SYS(f, NR_openat, AT, str(f, "/abs-link"), O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_autofree char *self = g_strdup_printf("/proc/self/fd/%d", (int)fd);
    g_autofree char *target = guest_readlink(f, self);
    g_assert_cmpstr(target, ==, "/etc/passwd");
    g_autofree char *again = guest_read(f, self);
    g_assert_cmpstr(again, ==, FAKE);
    g_assert_cmpint(SYS(f, NR_close, fd), ==, 0);
}

/* A unix socket name inside the root becomes /proc/self/fd/N/NAME for the host: one that
 * fitted sun_path as the guest wrote it may not fit any more. */
static void test_socket_names(Fixture *f, gconstpointer data)
{
    int64_t s = SYS(f, NR_socket, AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(s, >=, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memset(a.sun_path, 'n', sizeof(a.sun_path) - 1);
    a.sun_path[0] = '/';
    memcpy(f->u.host + 0x400, &a, sizeof(a));
    g_assert_cmpint(SYS(f, NR_bind, s, f->u.scratch + 0x400, sizeof(a)), ==, -ENAMETOOLONG);
    g_assert_cmpint(SYS(f, NR_bind, s, f->u.scratch + 0x400, sizeof(a) + 1), ==, -EINVAL);
    snprintf(a.sun_path, sizeof(a.sun_path), "/../sock");
    memcpy(f->u.host + 0x400, &a, sizeof(a));
    g_assert_cmpint(SYS(f, NR_bind, s, f->u.scratch + 0x400, sizeof(a)), ==, 0);
    g_autofree char *sock = g_build_filename(f->dir, "sock", NULL);
    struct stat st;
    g_assert_cmpint(stat(sock, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(SYS(f, NR_close, s), ==, 0);
}

static void add(const char *path, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/user/root/init-errors", test_init_errors);
    g_test_add_func("/user/root/to-guest", test_to_guest);
    add("/user/root/paths", test_paths);
    add("/user/root/last-components", test_last_components);
    add("/user/root/reserved-fd", test_reserved_fd);
    add("/user/root/reserved-dirfd", test_reserved_dirfd);
    add("/user/root/proc-links", test_proc_links);
    add("/user/root/socket-names", test_socket_names);
    return g_test_run();
}

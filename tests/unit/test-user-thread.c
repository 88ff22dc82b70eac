/*
 * Unit tests for threads and processes in user mode (user/futex.c, user/thread.c,
 * user/syscall-clone.c, user/syscall-exec.c) on a real GuestSpace, with user_syscall
 * called as a CPU loop calls it: futex operations against the host's (errors, a wait
 * woken by another host thread, PI), the robust list walk and clear_child_tid at thread
 * exit, the argument checks of clone and clone3 (none of which may create anything),
 * wait4 and waitid on real children (a fault must not lose a child), and every way
 * execve refuses before the program is replaced, plus a host program and a script run
 * in a subprocess, and what exit_group leaves of other threads' instruction budgets.
 * Successful guest execs and clones are the guest tests' (threads, fork-exec, busybox).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accel/tcg/cpu.h"
#include "accel/tcg/icount.h"
#include "tests/unit/test-util.h"
#include "tests/unit/user-fixture.h"
#include "user/user-internal.h"

/* asm-generic/unistd.h, written out independently of the table. */
enum {
    NR_waitid = 95,
    NR_set_tid_address = 96,
    NR_futex = 98,
    NR_set_robust_list = 99,
    NR_get_robust_list = 100,
    NR_clone = 220,
    NR_execve = 221,
    NR_wait4 = 260,
    NR_execveat = 281,
    NR_clone3 = 435,
};

#define SCRATCH_SIZE  (16 * GUEST_PAGE_SIZE)
#define UNMAPPED_ADDR 0x2000ull

typedef struct Fixture {
    UserFixture u; /* the scratch area: SCRATCH_SIZE read-write bytes, then one read-only page */
    char *dir;     /* a private temporary directory */
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    memset(f, 0, sizeof(*f));
    user_fixture_setup(&f->u, &user_fixture_riscv64, SCRATCH_SIZE, false);
    user_thread_enlist(&f->u.thread);
    f->dir = g_dir_make_tmp("paddock-test-thread.XXXXXX", &err);
    g_assert_no_error(err);
}

static void remove_dir(Fixture *f)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    remove_dir(f);
    g_free(f->dir);
    user_fixture_teardown(&f->u);
}

#define SYS(f, nr, ...) USER_SYS(&(f)->u, (nr), __VA_ARGS__)

static uint32_t *word_at(Fixture *f, uint64_t off)
{
    return (uint32_t *)(f->u.host + off);
}

static void test_futex_errors(Fixture *f, gconstpointer data)
{
    uint64_t w = f->u.scratch, ro = f->u.scratch + SCRATCH_SIZE;
    uint64_t ts = f->u.scratch + 64;
    *word_at(f, 0) = 5;
    g_assert_cmpint(SYS(f, NR_futex, w + 1, FUTEX_WAIT, 5), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_futex, UNMAPPED_ADDR, FUTEX_WAKE, 1), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_FD, 1), ==, -ENOSYS);
    g_assert_cmpint(SYS(f, NR_futex, w, 14, 1), ==, -ENOSYS);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAIT_PRIVATE, 4), ==, -EAGAIN);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAIT, 5, UNMAPPED_ADDR), ==, -EFAULT);
    struct timespec t = {0, 1000000};
    memcpy(f->u.host + 64, &t, sizeof(t));
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAIT_PRIVATE, 5, ts), ==, -ETIMEDOUT);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAKE_PRIVATE, 1), ==, 0);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAIT_BITSET, 5, 0, 0, 0), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_REQUEUE, 1, 1, w + 2), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_CMP_REQUEUE, 1, 1, w + 4, 4), ==, -EAGAIN);
    /* WAKE_OP writes uaddr2, so a read-only page is a fault; on a writable one it adds. */
    uint32_t add_one = (FUTEX_OP_ADD << 28) | (1 << 12);
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAKE_OP, 1, 1, ro, add_one), ==, -EFAULT);
    *word_at(f, 8) = 41;
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_WAKE_OP, 1, 1, w + 8, add_one), ==, 0);
    g_assert_cmpuint(*word_at(f, 8), ==, 42);
}

/* PI futexes hold tids: the guest's are the host's, so the host kernel takes them. */
static void test_futex_pi(Fixture *f, gconstpointer data)
{
    uint64_t w = f->u.scratch;
    *word_at(f, 0) = 0;
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_TRYLOCK_PI_PRIVATE), ==, 0);
    g_assert_cmpuint(*word_at(f, 0) & FUTEX_TID_MASK, ==, (uint32_t)gettid());
    g_assert_cmpint(SYS(f, NR_futex, w, FUTEX_UNLOCK_PI_PRIVATE), ==, 0);
    g_assert_cmpuint(*word_at(f, 0), ==, 0);
    g_assert_cmpint(SYS(f, NR_futex, f->u.scratch + SCRATCH_SIZE, FUTEX_TRYLOCK_PI), ==, -EFAULT);
}

typedef struct Waiter {
    Fixture *f;
    uint64_t addr;
    int op;
    uint32_t val;
    int64_t ret;
} Waiter;

static void *waiter_main(void *arg)
{
    Waiter *w = arg;
    w->ret = SYS(w->f, NR_futex, w->addr, (uint64_t)w->op, w->val);
    return NULL;
}

/* Wakes addr until one waiter was woken; the waiter may not be asleep yet at first. */
static void wake_until_woken(Fixture *f, uint64_t addr, int op)
{
    int64_t woken;
    while ((woken = SYS(f, NR_futex, addr, (uint64_t)op, 1)) == 0) {
        g_usleep(1000);
    }
    g_assert_cmpint(woken, ==, 1);
}

static void test_futex_wait_wake(Fixture *f, gconstpointer data)
{
    Waiter w = {f, f->u.scratch + 16, FUTEX_WAIT_PRIVATE, 0, -1};
    *word_at(f, 16) = 0;
    pthread_t th;
    g_assert_cmpint(pthread_create(&th, NULL, waiter_main, &w), ==, 0);
    wake_until_woken(f, w.addr, FUTEX_WAKE_PRIVATE);
    g_assert_cmpint(pthread_join(th, NULL), ==, 0);
    g_assert_cmpint(w.ret, ==, 0);
}

/* set_tid_address, then the thread's exit: the word is zeroed and its waiter woken. */
static void test_clear_child_tid(Fixture *f, gconstpointer data)
{
    uint64_t addr = f->u.scratch + 32;
    *word_at(f, 32) = 77;
    g_assert_cmpint(SYS(f, NR_set_tid_address, addr), ==, f->u.thread.tid);
    Waiter w = {f, addr, FUTEX_WAIT, 77, -1};
    pthread_t th;
    g_assert_cmpint(pthread_create(&th, NULL, waiter_main, &w), ==, 0);
    g_usleep(10000);
    user_futex_clear_child_tid(&f->u.thread);
    g_assert_cmpint(pthread_join(th, NULL), ==, 0);
    g_assert_true(w.ret == 0 || w.ret == -EAGAIN);
    g_assert_cmpuint(*word_at(f, 32), ==, 0);
    g_assert_cmpuint(f->u.thread.clear_child_tid, ==, 0);
}

/* Offsets in the scratch area of a robust list: the head, and entries whose futex word
 * is FUTEX_OFF bytes after them. */
enum { HEAD = 0x100, ENTRY_A = 0x200, ENTRY_B = 0x300, ENTRY_C = 0x400, FUTEX_OFF = 16 };

static void robust_head(Fixture *f, uint64_t first, uint64_t pending)
{
    put_u64(f->u.host, HEAD, first);
    put_u64(f->u.host, HEAD + 8, FUTEX_OFF);
    put_u64(f->u.host, HEAD + 16, pending);
    g_assert_cmpint(SYS(f, NR_set_robust_list, f->u.scratch + HEAD, 24), ==, 0);
}

static void test_robust_list(Fixture *f, gconstpointer data)
{
    uint32_t tid = (uint32_t)f->u.thread.tid;
    /* head -> A -> B (PI) -> head; C is the pending entry, not on the list. */
    robust_head(f, f->u.scratch + ENTRY_A, f->u.scratch + ENTRY_C);
    put_u64(f->u.host, ENTRY_A, (f->u.scratch + ENTRY_B) | 1);
    put_u64(f->u.host, ENTRY_B, f->u.scratch + HEAD);
    *word_at(f, ENTRY_A + FUTEX_OFF) = tid | FUTEX_WAITERS;
    *word_at(f, ENTRY_B + FUTEX_OFF) = tid;
    *word_at(f, ENTRY_C + FUTEX_OFF) = tid;
    *word_at(f, ENTRY_C + FUTEX_OFF + 4) = 12345; /* not ours: untouched */
    user_futex_exit_robust(&f->u.thread);
    g_assert_cmphex(*word_at(f, ENTRY_A + FUTEX_OFF), ==, FUTEX_WAITERS | FUTEX_OWNER_DIED);
    g_assert_cmphex(*word_at(f, ENTRY_B + FUTEX_OFF), ==, FUTEX_OWNER_DIED);
    g_assert_cmphex(*word_at(f, ENTRY_C + FUTEX_OFF), ==, FUTEX_OWNER_DIED);
    g_assert_cmpuint(f->u.thread.robust_list, ==, 0);

    /* A futex held by another thread stays as it is; a cycle that misses the head ends
     * at the walk's bound; a link into unmapped memory ends the walk. */
    robust_head(f, f->u.scratch + ENTRY_A, 0);
    put_u64(f->u.host, ENTRY_A, f->u.scratch + ENTRY_A);
    *word_at(f, ENTRY_A + FUTEX_OFF) = 12345;
    user_futex_exit_robust(&f->u.thread);
    g_assert_cmpuint(*word_at(f, ENTRY_A + FUTEX_OFF), ==, 12345);
    robust_head(f, UNMAPPED_ADDR, 0);
    user_futex_exit_robust(&f->u.thread);
}

static void test_robust_list_calls(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(SYS(f, NR_set_robust_list, f->u.scratch, 16), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_set_robust_list, f->u.scratch + HEAD, 24), ==, 0);
    uint64_t out = f->u.scratch + 0x800;
    g_assert_cmpint(SYS(f, NR_get_robust_list, 0, out, out + 8), ==, 0);
    g_assert_cmphex(get_u64(f->u.host, 0x800), ==, f->u.scratch + HEAD);
    g_assert_cmpuint(get_u64(f->u.host, 0x808), ==, 24);
    g_assert_cmpint(SYS(f, NR_get_robust_list, (uint64_t)f->u.thread.tid, out, out + 8), ==, 0);
    g_assert_cmpint(SYS(f, NR_get_robust_list, 0x3fffffff, out, out + 8), ==, -ESRCH);
    g_assert_cmpint(SYS(f, NR_get_robust_list, 0, UNMAPPED_ADDR, out + 8), ==, -EFAULT);
}

/* Every one of these must fail before anything is created. */
static void test_clone_invalid(Fixture *f, gconstpointer data)
{
    const uint64_t thread =
        CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
    const uint64_t bad[] = {
        CLONE_VM | SIGCHLD,      CLONE_THREAD | CLONE_SIGHAND,      CLONE_FILES | SIGCHLD,
        thread | CLONE_NEWNS,    CLONE_VFORK | CLONE_PARENT,        CLONE_PIDFD | SIGCHLD,
        thread & ~CLONE_SYSVSEM, CLONE_VM | CLONE_FS | CLONE_VFORK,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(SYS(f, NR_clone, bad[i]), ==, -EINVAL);
    }
}

/* struct clone_args at the start of the scratch area: flags, then field n at 8 * n. */
static void test_clone3_invalid(Fixture *f, gconstpointer data)
{
    uint64_t args = f->u.scratch;
    memset(f->u.host, 0, 256);
    g_assert_cmpint(SYS(f, NR_clone3, args, 56), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_clone3, args, GUEST_PAGE_SIZE + 8), ==, -E2BIG);
    g_assert_cmpint(SYS(f, NR_clone3, UNMAPPED_ADDR, 64), ==, -EFAULT);
    f->u.host[100] = 1; /* past the known struct: must be zero */
    g_assert_cmpint(SYS(f, NR_clone3, args, 104), ==, -E2BIG);
    f->u.host[100] = 0;
    const struct {
        unsigned field;
        uint64_t value;
    } bad[] = {
        {0, SIGCHLD},  /* the exit signal goes in its own field */
        {0, CLONE_VM}, /* CLONE_VM without a thread or vfork */
        {4, 256},      /* exit_signal */
        {5, 0x10000},  /* stack without stack_size */
        {8, 0x10000},  /* set_tid */
        {9, 1},        /* set_tid_size */
        {10, 3},       /* cgroup */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        memset(f->u.host, 0, 256);
        put_u64(f->u.host, 8 * bad[i].field, bad[i].value);
        g_assert_cmpint(SYS(f, NR_clone3, args, 88), ==, -EINVAL);
    }
}

/* A child that exits with code once fd can be read (-1: at once). */
static pid_t child_exiting(int code, int fd)
{
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char c;
        if (fd >= 0 && read(fd, &c, 1) < 0) {
            _exit(100);
        }
        _exit(code);
    }
    return pid;
}

static void test_wait4(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(SYS(f, NR_wait4, (uint64_t)-1, 0, 0, 0), ==, -ECHILD);
    pid_t pid = child_exiting(5, -1);
    /* A bad pointer is refused before the child is reaped, so it can be waited for again. */
    g_assert_cmpint(SYS(f, NR_wait4, pid, UNMAPPED_ADDR, 0, 0), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_wait4, pid, f->u.scratch + SCRATCH_SIZE, 0, 0), ==, -EFAULT);
    memset(f->u.host, 0xff, 256);
    g_assert_cmpint(SYS(f, NR_wait4, pid, f->u.scratch, 0, f->u.scratch + 8), ==, pid);
    int status;
    memcpy(&status, f->u.host, sizeof(status));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 5);
    g_assert_cmpuint(get_u64(f->u.host, 8 + 8), <, 1000000); /* ru_utime.tv_usec */
}

enum { INFO = 0x100 };

static void test_waitid(Fixture *f, gconstpointer data)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    pid_t pid = child_exiting(7, p[0]);
    memset(f->u.host + INFO, 0xff, 128);
    uint64_t info = f->u.scratch + INFO;
    /* Nothing to report yet: the fields waitid writes are zero, the rest untouched. */
    g_assert_cmpint(SYS(f, NR_waitid, P_PID, pid, info, WEXITED | WNOHANG, 0), ==, 0);
    g_assert_cmpuint(*word_at(f, INFO), ==, 0);
    g_assert_cmpuint(*word_at(f, INFO + 16), ==, 0);
    g_assert_cmphex(*word_at(f, INFO + 12), ==, 0xffffffff);
    g_assert_cmphex(*word_at(f, INFO + 28), ==, 0xffffffff);
    g_assert_cmpint(write(p[1], "x", 1), ==, 1);
    g_assert_cmpint(SYS(f, NR_waitid, P_PID, pid, info, WEXITED, f->u.scratch), ==, 0);
    g_assert_cmpint(*word_at(f, INFO), ==, SIGCHLD);
    g_assert_cmpint(*word_at(f, INFO + 8), ==, CLD_EXITED);
    g_assert_cmpint(*word_at(f, INFO + 16), ==, pid);
    g_assert_cmpint(*word_at(f, INFO + 24), ==, 7);
    g_assert_cmpint(SYS(f, NR_waitid, P_ALL, 0, info, WEXITED, 0), ==, -ECHILD);
    close(p[0]);
    close(p[1]);
}

/* A file in the fixture's directory with text and mode; returns its path. */
static char *make_file(Fixture *f, const char *name, const char *text, mode_t mode)
{
    char *path = g_build_filename(f->dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_cmpint(chmod(path, mode), ==, 0);
    return path;
}

/* execve(path, {"x", NULL}, {NULL}) with path copied into guest memory. */
static int64_t exec_path(Fixture *f, const char *path)
{
    put_u64(f->u.host, 0x800, f->u.scratch + 0x900);
    put_u64(f->u.host, 0x808, 0);
    user_fixture_put_str(&f->u, 0x900, "x");
    return SYS(f, NR_execve, user_fixture_put_str(&f->u, 0, path), f->u.scratch + 0x800,
               f->u.scratch + 0x808);
}

static void test_execve_errors(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(exec_path(f, "/nonexistent/program"), ==, -ENOENT);
    g_assert_cmpint(exec_path(f, "/"), ==, -EACCES);
    g_autofree char *noexec = make_file(f, "noexec", "#!/bin/sh\n", 0644);
    g_assert_cmpint(exec_path(f, noexec), ==, -EACCES);
    g_autofree char *garbage = make_file(f, "garbage", "neither ELF nor script\n", 0755);
    g_assert_cmpint(exec_path(f, garbage), ==, -ENOEXEC);
    g_autofree char *empty = make_file(f, "empty", "#!  \t\n", 0755);
    g_assert_cmpint(exec_path(f, empty), ==, -ENOEXEC);
    g_autofree char *no_interp = make_file(f, "no-interp", "#!/nonexistent/sh\n", 0755);
    g_assert_cmpint(exec_path(f, no_interp), ==, -ENOENT);
    g_autofree char *self = g_build_filename(f->dir, "self", NULL);
    g_autofree char *self_text = g_strdup_printf("#!%s\n", self);
    g_free(make_file(f, "self", self_text, 0755));
    g_assert_cmpint(exec_path(f, self), ==, -ELOOP);
    /* Bad guest pointers: the path, the argv array, a string in it. */
    g_assert_cmpint(SYS(f, NR_execve, UNMAPPED_ADDR, 0, 0), ==, -EFAULT);
    uint64_t path = user_fixture_put_str(&f->u, 0, garbage);
    g_assert_cmpint(SYS(f, NR_execve, path, UNMAPPED_ADDR, 0), ==, -EFAULT);
    put_u64(f->u.host, 0x800, UNMAPPED_ADDR);
    g_assert_cmpint(SYS(f, NR_execve, path, f->u.scratch + 0x800, 0), ==, -EFAULT);
}

/* A guest program whose interpreter is missing fails in the caller, as on Linux; with
 * it present, the emulator itself must be known to run it (the fixture has no host_exe). */
static void test_execve_guest(Fixture *f, gconstpointer data)
{
    g_autofree char *hello = test_require_artifact("guest/riscv64/hello-dynamic");
    if (!hello) {
        return;
    }
    g_assert_cmpint(exec_path(f, hello), ==, -ENOENT);
    f->u.proc.sysroot = g_strdup("/usr/riscv64-linux-gnu");
    g_assert_cmpint(exec_path(f, hello), ==, -ENOEXEC);
}

static void test_execveat_errors(Fixture *f, gconstpointer data)
{
    uint64_t empty = user_fixture_put_str(&f->u, 0x600, "");
    g_assert_cmpint(SYS(f, NR_execveat, AT_FDCWD, empty, 0, 0, 0x10000), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_execveat, AT_FDCWD, empty, 0, 0, 0), ==, -ENOENT);
    g_assert_cmpint(SYS(f, NR_execveat, 1000, empty, 0, 0, AT_EMPTY_PATH), ==, -EBADF);
    g_autofree char *garbage = make_file(f, "garbage", "junk\n", 0755);
    g_autofree char *link = g_build_filename(f->dir, "link", NULL);
    g_assert_cmpint(symlink(garbage, link), ==, 0);
    uint64_t link_addr = user_fixture_put_str(&f->u, 0x700, link);
    g_assert_cmpint(SYS(f, NR_execveat, AT_FDCWD, link_addr, 0, 0, AT_SYMLINK_NOFOLLOW), ==,
                    -ELOOP);
    g_assert_cmpint(SYS(f, NR_execveat, AT_FDCWD, link_addr, 0, 0, 0), ==, -ENOEXEC);
    int dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
    g_assert_cmpint(dirfd, >=, 0);
    g_assert_cmpint(
        SYS(f, NR_execveat, dirfd, user_fixture_put_str(&f->u, 0x700, "garbage"), 0, 0, 0), ==,
        -ENOEXEC);
    close(dirfd);
}

/*
 * A host program runs directly, and so does a script whose interpreter is one; argv and
 * envp are the guest's. The subprocess runs the test again from its own fixture, so the
 * parent names the script through the environment.
 */
static void test_execve_host(Fixture *f, gconstpointer data)
{
    if (g_test_subprocess()) {
        put_u64(f->u.host, 0x800, user_fixture_put_str(&f->u, 0x900, "argv0"));
        put_u64(f->u.host, 0x808, user_fixture_put_str(&f->u, 0x910, "one"));
        put_u64(f->u.host, 0x810, 0);
        put_u64(f->u.host, 0x818, user_fixture_put_str(&f->u, 0x920, "PADDOCK_TEST=env-ok"));
        put_u64(f->u.host, 0x820, 0);
        uint64_t path =
            user_fixture_put_str(&f->u, 0, data ? g_getenv("PADDOCK_TEST_SCRIPT") : "/bin/echo");
        remove_dir(f);
        SYS(f, NR_execve, path, f->u.scratch + 0x800, f->u.scratch + 0x818);
        g_assert_not_reached();
    }
    g_autofree char *script =
        make_file(f, "script", "#!/bin/sh -e\necho \"script $0 $1 $PADDOCK_TEST\"\n", 0755);
    g_assert_true(g_setenv("PADDOCK_TEST_SCRIPT", script, true));
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    if (data) {
        g_autofree char *want = g_strdup_printf("script %s one env-ok\n", script);
        g_test_trap_assert_stdout(want);
    } else {
        g_test_trap_assert_stdout("one\n");
    }
}

/*
 * exit_group with another thread holding budget: what each used is in the total, the
 * caller's unspent budget goes back to the pool and the other's stays granted (it may
 * still be running on it), so what it spends afterwards is never spent twice.
 */
static void test_icount_exit_group(Fixture *f, gconstpointer data)
{
    InsnPool pool = {.limit = 10 * (uint64_t)ICOUNT_CHUNK_MAX};
    g_autofree CPUCommon *self_cpu = g_new0(CPUCommon, 1);
    g_autofree CPUCommon *other_cpu = g_new0(CPUCommon, 1);
    UserThread other = {.proc = &f->u.proc, .cpu = other_cpu};
    f->u.proc.icount.pool = &pool;
    f->u.thread.cpu = self_cpu;
    cpu_icount_attach(self_cpu, &pool);
    cpu_icount_attach(other_cpu, &pool);
    g_assert_true(cpu_icount_refill(self_cpu, 1) && cpu_icount_refill(other_cpu, 1));
    g_assert_cmpuint(atomic_load(&pool.granted), ==, 2 * (uint64_t)ICOUNT_CHUNK_MAX);
    self_cpu->icount_budget -= 3;
    other_cpu->icount_budget -= 5;
    user_thread_enlist(&other);

    user_icount_end(&f->u.thread);
    g_assert_cmpuint(icount_pool_total(&pool), ==, 8);
    g_assert_cmpuint(atomic_load(&pool.granted), ==, 3 + (uint64_t)ICOUNT_CHUNK_MAX);
    /* The other thread runs on until the host ends it, or settles itself. */
    other_cpu->icount_budget -= 2;
    cpu_icount_settle(other_cpu, true, true);
    g_assert_cmpuint(icount_pool_total(&pool), ==, 10);
    g_assert_cmpuint(atomic_load(&pool.granted), ==, 10);

    f->u.proc.threads = other.next;
    f->u.proc.nthreads--;
    f->u.proc.icount.pool = NULL;
    f->u.thread.cpu = NULL;
}

static void add(const char *path, gconstpointer data, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add("/user/thread/futex/errors", NULL, test_futex_errors);
    add("/user/thread/futex/pi", NULL, test_futex_pi);
    add("/user/thread/futex/wait-wake", NULL, test_futex_wait_wake);
    add("/user/thread/clear-child-tid", NULL, test_clear_child_tid);
    add("/user/thread/robust-list/walk", NULL, test_robust_list);
    add("/user/thread/robust-list/calls", NULL, test_robust_list_calls);
    add("/user/thread/clone/invalid", NULL, test_clone_invalid);
    add("/user/thread/clone3/invalid", NULL, test_clone3_invalid);
    add("/user/thread/wait4", NULL, test_wait4);
    add("/user/thread/waitid", NULL, test_waitid);
    add("/user/thread/execve/errors", NULL, test_execve_errors);
    add("/user/thread/execve/guest", NULL, test_execve_guest);
    add("/user/thread/execveat/errors", NULL, test_execveat_errors);
    add("/user/thread/execve/host", NULL, test_execve_host);
    add("/user/thread/execve/host-script", GINT_TO_POINTER(1), test_execve_host);
    add("/user/thread/icount/exit-group", NULL, test_icount_exit_group);
    return g_test_run();
}

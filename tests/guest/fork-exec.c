// Processes under emulation: fork and wait (exit statuses, a child killed by SIGKILL,
// waitid, wait4 with rusage), pipes between parent and child, vfork, fork while another
// thread runs, execve of the hello program with arguments (also from a process with a
// second thread, which the exec ends), a `#!` script naming it as interpreter,
// posix_spawn, and the errors execve returns without leaving the program. The programs
// run are tests/guest/hello.c built the same way as this one (argv[1], or hello-static /
// hello-dynamic next to this program); their output is read through a pipe and printed
// with the hello program's and the script's paths replaced by HELLO and SCRIPT, so every
// line is deterministic. Exits 0 even when an exec fails (Debian's qemu-riscv64 cannot
// exec a guest program without binfmt_misc); the expected output says what must happen.
// guest-cflags: -pthread
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char hello[PATH_MAX];
static char tmpdir[] = "/tmp/paddock-fork-exec.XXXXXX";
static char script[PATH_MAX];

static void describe(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exit %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", what, WTERMSIG(status));
    else
        printf("%s: status %#x\n", what, status);
    fflush(stdout);
}

static int wait_for(pid_t pid)
{
    int status = -1;
    if (waitpid(pid, &status, 0) != pid)
        printf("waitpid: %s\n", strerror(errno));
    return status;
}

static void test_exit_codes(void)
{
    for (int code = 0; code <= 3; code += 3) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(code);
        char what[32];
        snprintf(what, sizeof(what), "fork child _exit(%d)", code);
        describe(what, wait_for(pid));
    }
}

/* The child tells it is ready, then blocks in read() until SIGKILL ends it. */
static void test_killed(void)
{
    int ready[2], never[2];
    pipe(ready);
    pipe(never);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        write(ready[1], "r", 1);
        read(never[0], &c, 1);
        _exit(1);
    }
    char c;
    read(ready[0], &c, 1);
    kill(pid, SIGKILL);
    describe("child blocked in read, SIGKILL", wait_for(pid));
    close(ready[0]), close(ready[1]), close(never[0]), close(never[1]);
}

/* ping goes down one pipe, comes back upper-cased through another; the child also checks
 * its own ids. */
static void test_pipes(void)
{
    int down[2], up[2];
    pipe(down);
    pipe(up);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        char buf[16] = {0};
        close(down[1]);
        close(up[0]);
        ssize_t n = read(down[0], buf, sizeof(buf) - 1);
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)(buf[i] - 'a' + 'A');
        write(up[1], buf, n);
        int ids_ok = getppid() == parent && syscall(SYS_gettid) == getpid();
        _exit(ids_ok ? 0 : 1);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "ping", 4);
    close(down[1]);
    char buf[16] = {0};
    ssize_t n = read(up[0], buf, sizeof(buf) - 1);
    close(up[0]);
    printf("pipe round trip: %.*s\n", (int)(n > 0 ? n : 0), buf);
    describe("pipe child (ppid and tid right)", wait_for(pid));
}

static void test_waitid_wait4(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(4);
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    int r = waitid(P_PID, pid, &info, WEXITED);
    printf("waitid: ret %d, signo %s, code %s, status %d, pid %s\n", r,
           info.si_signo == SIGCHLD ? "SIGCHLD" : "?",
           info.si_code == CLD_EXITED ? "CLD_EXITED" : "?", info.si_status,
           info.si_pid == pid ? "matches" : "differs");
    pid = fork();
    if (pid == 0)
        _exit(6);
    int status;
    struct rusage ru;
    memset(&ru, 0xff, sizeof(ru));
    pid_t got = wait4(pid, &status, 0, &ru);
    printf("wait4: pid %s, rusage %s\n", got == pid ? "matches" : "differs",
           ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 ? "filled" : "garbage");
    describe("wait4 child", status);
    printf("wait4 with no children left: %s\n",
           wait4(-1, &status, 0, NULL) < 0 ? strerror(errno) : "?");
}

static void test_vfork(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(9);
    describe("vfork child _exit(9)", wait_for(pid));
}

static volatile int spin_stop;

static void *spin(void *arg)
{
    unsigned long x = 1;
    while (!__atomic_load_n(&spin_stop, __ATOMIC_RELAXED))
        x = x * 6364136223846793005ul + 1;
    return (void *)x;
}

/* The forked child has only the forking thread, and must not inherit a held lock. */
static void test_fork_with_thread(void)
{
    pthread_t th;
    pthread_create(&th, NULL, spin, NULL);
    for (int i = 0; i < 3; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            unsigned long sum = 0;
            for (unsigned long k = 1; k <= 100000; k++)
                sum += k * k % 7;
            _exit(sum % 251 == 0 ? 99 : (int)(sum % 251));
        }
        int status = wait_for(pid);
        printf("fork %d while a thread runs: exit %d\n", i,
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    __atomic_store_n(&spin_stop, 1, __ATOMIC_RELAXED);
    pthread_join(th, NULL);
}

/* Prints out with every occurrence of the paths replaced by their names. */
static void print_output(const char *out)
{
    const char *subst[][2] = {{script, "SCRIPT"}, {hello, "HELLO"}};
    while (*out) {
        size_t i;
        for (i = 0; i < sizeof(subst) / sizeof(subst[0]); i++) {
            size_t len = strlen(subst[i][0]);
            if (len && !strncmp(out, subst[i][0], len)) {
                fputs(subst[i][1], stdout);
                out += len;
                break;
            }
        }
        if (i == sizeof(subst) / sizeof(subst[0]))
            putchar(*out++);
    }
}

/* Reads everything from fd, prints it indented, and closes fd. */
static void print_from(int fd)
{
    static char buf[8192];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd);
    print_output(buf);
}

typedef enum { PLAIN, WITH_THREAD, VFORK } ExecMode;

/* Runs path with argv in a child whose stdout is a pipe; prints its output and status. */
static void run_captured(const char *what, const char *path, char *const argv[], ExecMode mode)
{
    int out[2];
    pipe(out);
    fflush(stdout);
    pid_t pid = mode == VFORK ? vfork() : fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        pthread_t th;
        if (mode == WITH_THREAD)
            pthread_create(&th, NULL, spin, NULL);
        execve(path, argv, environ);
        dprintf(1, "execve: %s\n", strerror(errno));
        _exit(127);
    }
    close(out[1]);
    printf("%s:\n", what);
    print_from(out[0]);
    describe(what, wait_for(pid));
}

static void test_exec(void)
{
    char *argv[] = {"hello-argv0", "5", "two words", NULL};
    run_captured("execve hello", hello, argv, PLAIN);
    run_captured("execve hello with a second thread", hello, argv, WITH_THREAD);
    run_captured("vfork + execve hello", hello, argv, VFORK);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write(fd, text, strlen(text));
    close(fd);
    chmod(path, mode);
}

static void test_script(void)
{
    char text[PATH_MAX + 32];
    snprintf(script, sizeof(script), "%s/script", tmpdir);
    snprintf(text, sizeof(text), "#!%s  opt arg \t\nignored\n", hello);
    write_file(script, text, 0755);
    char *argv[] = {"script-argv0", "a1", NULL};
    run_captured("execve #! script", script, argv, PLAIN);
}

static void test_posix_spawn(void)
{
    int out[2];
    pipe(out);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *argv[] = {"spawned", "7", NULL};
    pid_t pid;
    int r = posix_spawn(&pid, hello, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    printf("posix_spawn: %s\n", r ? strerror(r) : "ok");
    print_from(out[0]);
    if (!r)
        describe("posix_spawn child", wait_for(pid));
}

static void exec_error(const char *what, const char *path)
{
    char *argv[] = {"x", NULL};
    execve(path, argv, environ);
    printf("execve %s: %s\n", what, strerror(errno));
}

static void test_exec_errors(void)
{
    char path[PATH_MAX];
    exec_error("missing file", "/nonexistent/program");
    exec_error("directory", "/");
    snprintf(path, sizeof(path), "%s/not-executable", tmpdir);
    write_file(path, "#!/bin/sh\n", 0644);
    exec_error("file without x permission", path);
    snprintf(path, sizeof(path), "%s/garbage", tmpdir);
    write_file(path, "neither ELF nor script\n", 0755);
    exec_error("unknown format", path);
    snprintf(path, sizeof(path), "%s/empty-interp", tmpdir);
    write_file(path, "#!   \n", 0755);
    exec_error("script without interpreter", path);
    unlink(path);
    snprintf(path, sizeof(path), "%s/garbage", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/not-executable", tmpdir);
    unlink(path);
}

/* hello-<kind> next to this program, fork-exec-<kind>. */
static void find_hello(int argc, char **argv)
{
    if (argc > 1) {
        snprintf(hello, sizeof(hello), "%s", argv[1]);
        return;
    }
    const char *dash = strrchr(argv[0], '-');
    const char *slash = strrchr(argv[0], '/');
    int dir = slash ? (int)(slash - argv[0] + 1) : 0;
    snprintf(hello, sizeof(hello), "%.*shello%s", dir, argv[0],
             dash && dash > slash ? dash : "-static");
}

int main(int argc, char **argv)
{
    find_hello(argc, argv);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_exit_codes();
    test_killed();
    test_pipes();
    test_waitid_wait4();
    test_vfork();
    test_fork_with_thread();
    test_exec();
    test_script();
    test_posix_spawn();
    test_exec_errors();
    unlink(script);
    rmdir(tmpdir);
    return 0;
}

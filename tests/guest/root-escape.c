// The confined view (`paddock run --root DIR`) from inside: every way out of DIR a guest
// path might take ("..", absolute and relative symlinks, symlink loops, directory fds, the
// cwd, the namespace calls by absolute and relative paths, execve, unix sockets, fds the
// emulator keeps) must stay inside it. Run in a root made by tests/guest/make-root.sh:
//   /etc/passwd        a fake one (FAKE_PASSWD): the host's must never be read
//   /bin/root-escape   this program, which a check executes again as `root-escape child`
//   /abs-link          -> /etc/passwd, an absolute symlink: DIR/etc/passwd
//   /canary-link       -> the host path of a file outside DIR: must not exist for the guest
//   /sub/dir/          an empty directory
// DIR must be writable (the checks make /scratch in it). Prints one line per check and a summary;
// exits 1 if one fails. Anywhere else (no fake /etc/passwd) it checks nothing and exits 0.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define FAKE_PASSWD "paddock-root:x:4242:4242:the root fixture:/:/bin/sh\n"
#define SELF        "/bin/root-escape"

// The first bytes of the file open at fd, NUL-terminated, or "" (fd closed).
static const char *slurp_fd(int fd)
{
    static char buf[512];
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    buf[n > 0 ? n : 0] = '\0';
    if (fd >= 0)
        close(fd);
    return buf;
}

// Whether the file at path (relative to dirfd) is the fake passwd.
static int is_fake_at(int dirfd, const char *path)
{
    return !strcmp(slurp_fd(openat(dirfd, path, O_RDONLY)), FAKE_PASSWD);
}

static void check_fake(const char *path)
{
    char line[160];
    snprintf(line, sizeof(line), "open %s: the fixture's passwd", path);
    check(line, is_fake_at(AT_FDCWD, path));
}

static void check_open_err(const char *path, int want)
{
    char line[160];
    snprintf(line, sizeof(line), "open %s", path);
    int fd = open(path, O_RDONLY);
    int e = errno;
    if (fd >= 0)
        close(fd);
    errno = e;
    check_err(line, fd, want);
}

static ino_t ino_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int cwd_is(const char *want)
{
    char buf[PATH_MAX];
    return getcwd(buf, sizeof(buf)) && !strcmp(buf, want);
}

static int link_is(const char *path, const char *want)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0 && !strcmp(buf, want);
}

static void paths(void)
{
    printf("== paths\n");
    check_fake("/etc/passwd");
    check_fake("/../../etc/passwd");
    check_fake("/../../../../../../../../../../etc/passwd");
    check_fake("//..//..//./etc/passwd");
    check_fake("/sub/../../../etc/passwd");
    check_fake("/abs-link");
    check_fake("/sub/dir/../../abs-link");
    check_open_err("/canary-link", ENOENT);
    check_open_err("/usr/lib/x86_64-linux-gnu/libc.so.6", ENOENT);
    check_open_err("/.paddock/paddock", ENOENT);
    check_open_err("/proc/self/root/etc/passwd", ENOENT);
    check_open_err("/proc/1/root/etc/passwd", ENOENT);
    check("chdir /sub/dir", chdir("/sub/dir") == 0);
    check_fake("../../../../../../etc/passwd");
    check_fake("../../abs-link");
    check("../../../../.. is the root", ino_of("../../../../..") == ino_of("/"));
    check("chdir back to /", chdir("/") == 0);
}

// Symlinks the guest makes: their targets resolve in the root too.
static void symlinks(void)
{
    printf("== symlinks\n");
    check("mkdir /../scratch", mkdir("/../scratch", 0755) == 0);
    check("symlink to /../../../etc/passwd", symlink("/../../../etc/passwd", "/scratch/up") == 0);
    check_fake("/scratch/up");
    check("symlink to ../../../../etc/passwd",
          symlink("../../../../etc/passwd", "/scratch/rel") == 0);
    check_fake("/scratch/rel");
    check("symlink to /usr/lib", symlink("/usr/lib", "/scratch/usr") == 0);
    check_open_err("/scratch/usr/x86_64-linux-gnu/libc.so.6", ENOENT);
    check("symlink loop-a -> loop-b", symlink("loop-b", "/scratch/loop-a") == 0);
    check("symlink loop-b -> /scratch/loop-a", symlink("/scratch/loop-a", "/scratch/loop-b") == 0);
    check_open_err("/scratch/loop-a", ELOOP);
    check("symlink self -> /scratch/self", symlink("/scratch/self", "/scratch/self") == 0);
    struct stat st;
    check_err("stat /scratch/self", stat("/scratch/self", &st), ELOOP);
    check("readlink /abs-link is /etc/passwd", link_is("/abs-link", "/etc/passwd"));
    check_err("readlink /abs-link/ (a file behind)", readlink("/abs-link/", (char[8]){0}, 8),
              ENOTDIR);
    check_err("readlink /etc/passwd", readlink("/etc/passwd", (char[8]){0}, 8), EINVAL);
}

static void dirfds(void)
{
    printf("== directory fds and the cwd\n");
    int root = open("/", O_RDONLY | O_DIRECTORY);
    int sub = open("/sub/dir", O_RDONLY | O_DIRECTORY);
    struct stat a, b;
    int up = openat(root, "..", O_RDONLY | O_DIRECTORY);
    check("openat(root, \"..\") is the root",
          up >= 0 && fstat(up, &a) == 0 && fstat(root, &b) == 0 && a.st_ino == b.st_ino);
    close(up);
    check("openat(root, \"../../etc/passwd\")", is_fake_at(root, "../../etc/passwd"));
    check("openat(root, \"abs-link\")", is_fake_at(root, "abs-link"));
    check("openat(sub, \"../../../../etc/passwd\")", is_fake_at(sub, "../../../../etc/passwd"));
    check("fstatat(sub, \"../../../..\") is the root",
          fstatat(sub, "../../../..", &a, 0) == 0 && a.st_ino == ino_of("/"));
    int p[2];
    check("pipe", pipe(p) == 0);
    check_err("openat(pipe, \"x\")", openat(p[0], "x", O_RDONLY), ENOTDIR);
    close(p[0]);
    close(p[1]);
    check("fchdir(root), chdir(\"..\")", fchdir(root) == 0 && chdir("..") == 0);
    check("getcwd is /", cwd_is("/"));
    check("chdir ../../.. stays at /", chdir("../../..") == 0 && cwd_is("/"));
    check(". is the root", ino_of(".") == ino_of("/"));
    check("fchdir(sub): getcwd is /sub/dir", fchdir(sub) == 0 && cwd_is("/sub/dir"));
    check("/proc/self/cwd is /sub/dir", link_is("/proc/self/cwd", "/sub/dir"));
    check_err("getcwd into 4 bytes", getcwd((char[4]){0}, 4) ? 0 : -1, ERANGE);
    check("/proc/self/root is /", link_is("/proc/self/root", "/"));
    check("/proc/self/exe is " SELF, link_is("/proc/self/exe", SELF));
    int fd = open("/abs-link", O_RDONLY);
    char self_fd[32];
    snprintf(self_fd, sizeof(self_fd), "/proc/self/fd/%d", fd);
    check("/proc/self/fd/N of /abs-link is /etc/passwd", link_is(self_fd, "/etc/passwd"));
    check("open /proc/self/fd/N reopens it", is_fake_at(AT_FDCWD, self_fd));
    close(fd);
    check("chdir /", chdir("/") == 0);
    close(root);
    close(sub);
}

// The emulator's fd of the root, found the one way left: among the fds the guest has not
// open below its limit (and 1024), the one dup2 cannot take.
static int find_reserved_fd(void)
{
    struct rlimit rl;
    int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024 ? (int)rl.rlim_cur : 1024;
    for (int fd = 3; fd < top; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        if (dup2(0, fd) == fd)
            close(fd);
        else if (errno == EBADF)
            return fd;
    }
    return -1;
}

// Whether an fd the guest can stat is "/" (the emulator's fd of the root would be).
static int root_statable(void)
{
    struct stat root, st;
    for (int fd = 3; fd < 1024 && stat("/", &root) == 0; fd++) {
        if (fstat(fd, &st) == 0 && st.st_ino == root.st_ino && st.st_dev == root.st_dev)
            return 1;
    }
    return 0;
}

// The emulator's fd of the root (a directory that is "/", which the guest has not opened)
// sits high: the guest can neither see, close, replace, copy nor enter it, nor use it as
// the directory of an empty or relative path (an absolute path ignores it, as on Linux).
static void reserved_fds(void)
{
    printf("== the emulator's fd of the root\n");
    int found = find_reserved_fd();
    struct stat st;
    check("it is there, above 63", found >= 64);
    check("no fd the guest can stat is it", !root_statable());
    check_err("close it", close(found), EBADF);
    check_err("dup2 over it", dup2(0, found), EBADF);
    check_err("copy it (F_DUPFD)", fcntl(found, F_DUPFD, 0), EBADF);
    check_err("fchdir to it", fchdir(found), EBADF);
    check_err("../etc/passwd relative to it", openat(found, "../etc/passwd", O_RDONLY), EBADF);
    check_err("fstatat it, AT_EMPTY_PATH", fstatat(found, "", &st, AT_EMPTY_PATH), EBADF);
    check_err("fchownat it, AT_EMPTY_PATH", fchownat(found, "", 0, 0, AT_EMPTY_PATH), EBADF);
    check_err("utimensat it, NULL path", syscall(SYS_utimensat, found, NULL, NULL, 0), EBADF);
    check("/etc/passwd absolute from it", is_fake_at(found, "/etc/passwd"));
}

static void create_remove(void)
{
    printf("== create and remove\n");
    check_err("mkdir /", mkdir("/", 0755), EEXIST);
    check_err("mkdir /scratch again", mkdir("/scratch", 0755), EEXIST);
    check_err("mkdir /scratch/..", mkdir("/scratch/..", 0755), EEXIST);
    check("mkdir /scratch/new/ (trailing slash)", mkdir("/scratch/new/", 0755) == 0);
    check("rmdir scratch/new/ (relative)", rmdir("scratch/new/") == 0);
    check_err("rmdir /", rmdir("/"), EBUSY);
    check_err("rmdir /..", rmdir("/.."), ENOTEMPTY);
    check_err("unlink /", unlink("/"), EISDIR);
    check_err("unlink /scratch/", unlink("/scratch/"), EISDIR);
    int fd = open("/../../scratch/a", O_WRONLY | O_CREAT | O_EXCL, 0644);
    check("create /../../scratch/a", fd >= 0 && write(fd, "abcdef", 6) == 6);
    close(fd);
    check("rename /scratch/a to ../../../scratch/b",
          rename("/scratch/a", "../../../scratch/b") == 0);
    check("b is there, a is gone", ino_of("/scratch/b") && !ino_of("/scratch/a"));
    check("link /scratch/b to /../scratch/c", link("/scratch/b", "/../scratch/c") == 0);
    struct stat st;
    check("b has 2 links", stat("/scratch/b", &st) == 0 && st.st_nlink == 2);
    check("linkat /abs-link, following",
          linkat(AT_FDCWD, "/abs-link", AT_FDCWD, "/scratch/hard", AT_SYMLINK_FOLLOW) == 0);
    check("it is /etc/passwd", ino_of("/scratch/hard") == ino_of("/etc/passwd"));
    check("linkat /abs-link, the link itself",
          linkat(AT_FDCWD, "/abs-link", AT_FDCWD, "/scratch/hard-link", 0) == 0);
    check("it is a symlink to /etc/passwd", lstat("/scratch/hard-link", &st) == 0 &&
                                                S_ISLNK(st.st_mode) &&
                                                link_is("/scratch/hard-link", "/etc/passwd"));
    check_err("linkat /canary-link, following",
              linkat(AT_FDCWD, "/canary-link", AT_FDCWD, "/scratch/canary", AT_SYMLINK_FOLLOW),
              ENOENT);
    check("unlink /scratch/c", unlink("/scratch/c") == 0);
    check("unlink scratch/b (relative)", unlink("scratch/b") == 0);
    check_err("unlink /scratch/b again", unlink("/scratch/b"), ENOENT);
}

static void attributes(void)
{
    printf("== attributes\n");
    struct stat st;
    check("stat /abs-link follows it",
          stat("/abs-link", &st) == 0 && st.st_size == (off_t)strlen(FAKE_PASSWD));
    check("lstat /abs-link is the link", lstat("/abs-link", &st) == 0 && S_ISLNK(st.st_mode));
    check_err("stat /canary-link", stat("/canary-link", &st), ENOENT);
    check("lstat /canary-link is the link", lstat("/canary-link", &st) == 0 && S_ISLNK(st.st_mode));
    check("access /abs-link R_OK", access("/abs-link", R_OK) == 0);
    check_err("access /canary-link", access("/canary-link", F_OK), ENOENT);
    check("faccessat /canary-link NOFOLLOW",
          faccessat(AT_FDCWD, "/canary-link", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
    check("chmod /abs-link 0600", chmod("/abs-link", 0600) == 0);
    check("/etc/passwd is 0600", stat("/etc/passwd", &st) == 0 && (st.st_mode & 0777) == 0600);
    check("chmod ../etc/passwd back to 0644 (relative)",
          chdir("/sub") == 0 && chmod("../etc/passwd", 0644) == 0 && chdir("/") == 0);
    check_err("chmod /canary-link", chmod("/canary-link", 0600), ENOENT);
    check("chown /abs-link to ourselves", chown("/abs-link", getuid(), getgid()) == 0);
    check_err("chown /canary-link", chown("/canary-link", getuid(), getgid()), ENOENT);
    struct timespec ts[2] = {{1000000, 0}, {2000000, 0}};
    check("utimensat /abs-link", utimensat(AT_FDCWD, "/abs-link", ts, 0) == 0);
    check("/etc/passwd mtime set", stat("/etc/passwd", &st) == 0 && st.st_mtime == 2000000);
    ts[1].tv_sec = 3000000;
    check("utimensat /scratch/hard-link NOFOLLOW",
          utimensat(AT_FDCWD, "/scratch/hard-link", ts, AT_SYMLINK_NOFOLLOW) == 0);
    check("the link's mtime set", lstat("/scratch/hard-link", &st) == 0 && st.st_mtime == 3000000);
    check_err("utimensat /canary-link", utimensat(AT_FDCWD, "/canary-link", ts, 0), ENOENT);
    int fd = open("/scratch/t", O_WRONLY | O_CREAT, 0644);
    check("create /scratch/t", fd >= 0 && write(fd, "123456", 6) == 6);
    close(fd);
    check("symlink /scratch/tl -> /scratch/t", symlink("/scratch/t", "/scratch/tl") == 0);
    check("truncate /scratch/tl 3",
          truncate("/scratch/tl", 3) == 0 && stat("/scratch/t", &st) == 0 && st.st_size == 3);
    check("truncate scratch/t 1 (relative)",
          truncate("scratch/t", 1) == 0 && stat("/scratch/t", &st) == 0 && st.st_size == 1);
    check_err("truncate /canary-link", truncate("/canary-link", 0), ENOENT);
    struct statfs sf;
    check("statfs /abs-link", statfs("/abs-link", &sf) == 0);
    check_err("statfs /canary-link", statfs("/canary-link", &sf), ENOENT);
}

// Runs SELF as `root-escape child WANT_CWD` by path from the cwd; its status.
static int run_child(const char *path, const char *want_cwd)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execl(path, "root-escape", "child", want_cwd, (char *)NULL);
        printf("execl %s: %s\n", path, strerror(errno));
        _exit(3);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status)
                                                                           : -1;
}

static int child(const char *want_cwd)
{
    check("  child: the cwd is kept", cwd_is(want_cwd));
    check("  child: /proc/self/exe is " SELF, link_is("/proc/self/exe", SELF));
    check_fake("/../etc/passwd");
    return failures ? 1 : 0;
}

static void exec(void)
{
    printf("== execve\n");
    check("execve " SELF " by absolute path", run_child(SELF, "/") == 0);
    check("chdir /sub/dir", chdir("/sub/dir") == 0);
    check("execve ../../bin/root-escape (relative)",
          run_child("../../bin/root-escape", "/sub/dir") == 0);
    check("chdir /", chdir("/") == 0);
    check_err("execve /canary-link", execl("/canary-link", "x", (char *)NULL), ENOENT);
}

static struct sockaddr_un unix_addr(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    return a;
}

static int unix_connect(int type, const char *path)
{
    struct sockaddr_un a = unix_addr(path);
    int s = socket(AF_UNIX, type, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
        return s;
    int e = errno;
    if (s >= 0)
        close(s);
    errno = e;
    return -1;
}

static int unix_listen(int type, const char *path)
{
    struct sockaddr_un a = unix_addr(path);
    int s = socket(AF_UNIX, type, 0);
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        (type != SOCK_STREAM || listen(s, 4) == 0))
        return s;
    if (s >= 0)
        close(s);
    return -1;
}

// A connection to the listening socket s through path: one byte each way.
static int unix_talk(int s, const char *path)
{
    int c = unix_connect(SOCK_STREAM, path);
    int a = c >= 0 ? accept(s, NULL, NULL) : -1;
    char x = 0;
    int ok = a >= 0 && write(c, "p", 1) == 1 && read(a, &x, 1) == 1 && x == 'p';
    if (c >= 0)
        close(c);
    if (a >= 0)
        close(a);
    return ok;
}

static void sockets(void)
{
    printf("== unix sockets\n");
    int s = unix_listen(SOCK_STREAM, "/../scratch/sock");
    struct stat st;
    check("bind /../scratch/sock, listen", s >= 0);
    check("it is a socket in /scratch", stat("/scratch/sock", &st) == 0 && S_ISSOCK(st.st_mode));
    check("connect /scratch/sock", unix_talk(s, "/scratch/sock"));
    check("symlink /scratch/sock-link -> /scratch/sock",
          symlink("/scratch/sock", "/scratch/sock-link") == 0);
    check("connect /scratch/sock-link", unix_talk(s, "/scratch/sock-link"));
    check("chdir /scratch", chdir("/scratch") == 0);
    int s2 = unix_listen(SOCK_STREAM, "sock2");
    check("bind sock2 (relative)", s2 >= 0);
    check("connect ../scratch/sock2", unix_talk(s2, "../scratch/sock2"));
    check("chdir /", chdir("/") == 0);
    check_err("connect /canary-link", unix_connect(SOCK_STREAM, "/canary-link"), ENOENT);
    int d = unix_listen(SOCK_DGRAM, "/scratch/dgram");
    int c = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un to = unix_addr("/../scratch/dgram");
    char x = 0;
    check("datagram sendto /../scratch/dgram",
          d >= 0 && c >= 0 && sendto(c, "d", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1 &&
              recv(d, &x, 1, 0) == 1 && x == 'd');
    close(s);
    close(s2);
    close(d);
    close(c);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && !strcmp(argv[1], "child"))
        return child(argv[2]);
    // Outside its root (scripts/guest-artifacts --check runs every program as it is), the
    // checks would write to the host's /scratch: only say so.
    if (!is_fake_at(AT_FDCWD, "/etc/passwd")) {
        printf("root-escape: not in a root made by make-root.sh: nothing checked\n");
        return 0;
    }
    paths();
    symlinks();
    dirfds();
    reserved_fds();
    create_remove();
    attributes();
    exec();
    sockets();
    printf("root-escape: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}

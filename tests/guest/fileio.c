// File I/O through the guest's system calls, in a private directory (argv[1], else a new
// mkdtemp directory under /tmp, removed at the end): create/write/read/seek, pread/pwrite,
// readv/writev, holes and ftruncate, stat sizes and modes under a umask, rename (and
// RENAME_NOREPLACE), hard links, unlink, mkdir/rmdir, readdir, symlink/readlink/lstat,
// O_NOFOLLOW, dup/dup2/dup3, fcntl (FD_CLOEXEC, O_APPEND, O_NONBLOCK, F_DUPFD, record
// locks), pipes and poll, utimensat/futimens, chmod, the *at calls relative to a directory
// fd, mkfifo, statx, sendfile, stdio streams, and the errno of the usual mistakes. Prints
// one line per check (never the directory's name) and a summary; exits 1 if one fails.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

// The whole (small) file as a string in buf.
static int read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

static void test_basic(void)
{
    char buf[256];
    struct stat st;

    printf("== create, write, read, seek\n");
    int fd = open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0666);
    check("open O_CREAT|O_EXCL", fd >= 0);
    errno = 0;
    check_err("open O_CREAT|O_EXCL again", open("a.txt", O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST);
    check("write 13 bytes", write(fd, "hello, world\n", 13) == 13);
    check("lseek SEEK_CUR reports 13", lseek(fd, 0, SEEK_CUR) == 13);
    check("lseek SEEK_SET 7", lseek(fd, 7, SEEK_SET) == 7);
    check("read 5 after seek", read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
    check("read at end returns the rest", read(fd, buf, 100) == 1 && buf[0] == '\n');
    check("read at EOF returns 0", read(fd, buf, 100) == 0);
    check("lseek SEEK_END -6", lseek(fd, -6, SEEK_END) == 7);
    check("overwrite in the middle", write(fd, "WORLD", 5) == 5);
    check("pread does not move the offset", pread(fd, buf, 5, 0) == 5 &&
                                                memcmp(buf, "hello", 5) == 0 &&
                                                lseek(fd, 0, SEEK_CUR) == 12);
    check("pwrite at 0", pwrite(fd, "J", 1, 0) == 1);
    check("fstat size 13", fstat(fd, &st) == 0 && st.st_size == 13 && S_ISREG(st.st_mode));
    check("mode is 0666 & ~umask 022", (st.st_mode & 07777) == 0644);
    errno = 0;
    check_err("lseek to a negative offset", lseek(fd, -100, SEEK_SET), EINVAL);

    struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    lseek(fd, 0, SEEK_END);
    check("writev 2+0+3 bytes", writev(fd, iov, 3) == 5);
    char r1[4] = {0}, r2[16] = {0};
    struct iovec riov[2] = {{r1, 3}, {r2, sizeof(r2) - 1}};
    lseek(fd, 0, SEEK_SET);
    check("readv splits the data", readv(fd, riov, 2) == 18 && strcmp(r1, "Jel") == 0 &&
                                       strcmp(r2, "lo, WORLD\nabcde") == 0);

    // A hole: writing past the end, the gap reads as zeros.
    check("pwrite at 1 MiB makes a hole", pwrite(fd, "Z", 1, 1 << 20) == 1);
    check("size is 1 MiB + 1", fstat(fd, &st) == 0 && st.st_size == (1 << 20) + 1);
    check("hole reads as zeros", pread(fd, buf, 16, 4096) == 16 && buf[0] == 0 && buf[15] == 0);
    check("ftruncate to 5", ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
    check("ftruncate to 10 pads with zeros", ftruncate(fd, 10) == 0 &&
                                                 pread(fd, buf, 20, 0) == 10 &&
                                                 memcmp(buf, "Jello\0\0\0\0\0", 10) == 0);
    check("truncate by name to 3",
          truncate("a.txt", 3) == 0 && stat("a.txt", &st) == 0 && st.st_size == 3);
    check("fsync, fdatasync", fsync(fd) == 0 && fdatasync(fd) == 0);
    check("close", close(fd) == 0);
    errno = 0;
    check_err("close again", close(fd), EBADF);
    errno = 0;
    check_err("read from a closed fd", read(fd, buf, 1), EBADF);

    fd = open("a.txt", O_WRONLY | O_APPEND);
    check("O_APPEND writes at the end", write(fd, "XY", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 5);
    pwrite(fd, "!", 1, 0); // Linux: pwrite on O_APPEND appends too.
    close(fd);
    check("file is Jel + XY + !",
          read_file("a.txt", buf, sizeof(buf)) == 6 && strcmp(buf, "JelXY!") == 0);
    fd = open("a.txt", O_WRONLY | O_TRUNC);
    check("O_TRUNC empties", fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
    close(fd);
    errno = 0;
    check_err("open missing file", open("missing", O_RDONLY), ENOENT);
    errno = 0;
    check_err("open a directory for writing", open(".", O_WRONLY), EISDIR);
    errno = 0;
    check_err("open through a file as directory", open("a.txt/x", O_RDONLY), ENOTDIR);
    char longname[300];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    errno = 0;
    check_err("open a 299-byte name", open(longname, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
}

static void test_big(void)
{
    enum { SIZE = 1 << 20 };
    unsigned char *w = malloc(SIZE), *r = malloc(SIZE);
    printf("== 1 MiB in odd-sized chunks\n");
    for (size_t i = 0; i < SIZE; i++)
        w[i] = (unsigned char)(i * 131 + (i >> 9));
    int fd = open("big.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    size_t done = 0, chunk = 1;
    int ok = fd >= 0;
    while (ok && done < SIZE) {
        size_t n = chunk < SIZE - done ? chunk : SIZE - done;
        ok = write(fd, w + done, n) == (ssize_t)n;
        done += n;
        chunk = chunk * 3 + 1;
        if (chunk > 100000)
            chunk = 7;
    }
    check("written", ok);
    lseek(fd, 0, SEEK_SET);
    done = 0;
    while (ok && done < SIZE) {
        ssize_t n = read(fd, r + done, 4099);
        ok = n > 0;
        done += (size_t)n;
    }
    check("read back identical", ok && memcmp(w, r, SIZE) == 0);
    struct stat st;
    check("stat size 1 MiB, mode 0600",
          fstat(fd, &st) == 0 && st.st_size == SIZE && (st.st_mode & 07777) == 0600);
    int out = open("copy.bin", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    off_t off = 1000;
    ssize_t sent = sendfile(out, fd, &off, SIZE);
    check("sendfile copies from offset 1000", sent == SIZE - 1000 && off == SIZE);
    close(out);
    out = open("copy.bin", O_RDONLY);
    check("copy matches",
          out >= 0 && read(out, r, SIZE) == SIZE - 1000 && memcmp(r, w + 1000, SIZE - 1000) == 0);
    close(out);
    close(fd);
    unlink("copy.bin");
    unlink("big.bin");
    free(w);
    free(r);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_dirs(void)
{
    struct stat st;
    char buf[256];

    printf("== directories, links, renames\n");
    check("mkdir d", mkdir("d", 0750) == 0);
    errno = 0;
    check_err("mkdir d again", mkdir("d", 0750), EEXIST);
    check("stat d is a directory 0750",
          stat("d", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
    check("mkdir d/sub", mkdir("d/sub", 0755) == 0);
    check("files in d", write_file("d/one", "1") == 0 && write_file("d/two", "22") == 0 &&
                            write_file("d/three", "333") == 0);
    DIR *dir = opendir("d");
    char *names[16];
    int n = 0, types_ok = 1;
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL && n < 16) {
        if (e->d_type != DT_UNKNOWN) {
            int want = strcmp(e->d_name, "sub") == 0 || e->d_name[0] == '.' ? DT_DIR : DT_REG;
            types_ok &= e->d_type == want;
        }
        names[n++] = strdup(e->d_name);
    }
    if (dir)
        closedir(dir);
    qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, names[i]);
        free(names[i]);
    }
    printf("readdir d: %s\n", buf);
    check("readdir lists . .. one sub three two", strcmp(buf, ". .. one sub three two") == 0);
    check("readdir d_type", types_ok);
    errno = 0;
    check_err("rmdir a non-empty directory", rmdir("d"), ENOTEMPTY);
    errno = 0;
    check_err("unlink a directory", unlink("d/sub"), EISDIR);
    errno = 0;
    check_err("rmdir a file", rmdir("d/one"), ENOTDIR);

    check("rename d/one -> d/uno", rename("d/one", "d/uno") == 0);
    check("old name gone", stat("d/one", &st) != 0 && errno == ENOENT);
    check("rename over an existing file",
          rename("d/uno", "d/two") == 0 && read_file("d/two", buf, sizeof(buf)) == 1);
    check("rename a file into a subdirectory", rename("d/three", "d/sub/three") == 0);
    check("renameat2 RENAME_NOREPLACE onto a new name",
          renameat2(AT_FDCWD, "d/two", AT_FDCWD, "d/deux", RENAME_NOREPLACE) == 0);
    errno = 0;
    check_err("renameat2 RENAME_NOREPLACE onto an existing name",
              renameat2(AT_FDCWD, "d/deux", AT_FDCWD, "d/sub/three", RENAME_NOREPLACE), EEXIST);
    errno = 0;
    check_err("rename a directory onto a file", rename("d/sub", "d/deux"), ENOTDIR);

    check("link d/deux d/hard", link("d/deux", "d/hard") == 0);
    check("st_nlink is 2", stat("d/deux", &st) == 0 && st.st_nlink == 2);
    struct stat st2;
    check("same inode",
          stat("d/hard", &st2) == 0 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    check("unlink one name", unlink("d/deux") == 0 && stat("d/hard", &st) == 0 && st.st_nlink == 1);

    check("symlink d/sl -> sub/three", symlink("sub/three", "d/sl") == 0);
    ssize_t len = readlink("d/sl", buf, sizeof(buf));
    check("readlink gives the target, unterminated", len == 9 && memcmp(buf, "sub/three", 9) == 0);
    check("lstat sees a link of size 9",
          lstat("d/sl", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 9);
    check("stat follows it", stat("d/sl", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3);
    check("open through the link reads the target",
          read_file("d/sl", buf, sizeof(buf)) == 3 && strcmp(buf, "333") == 0);
    errno = 0;
    check_err("open O_NOFOLLOW on a link", open("d/sl", O_RDONLY | O_NOFOLLOW), ELOOP);
    check("dangling symlink", symlink("nowhere", "d/dangle") == 0);
    errno = 0;
    check_err("stat a dangling link", stat("d/dangle", &st), ENOENT);
    check("symlink loop", symlink("loop2", "d/loop1") == 0 && symlink("loop1", "d/loop2") == 0);
    errno = 0;
    check_err("open a symlink loop", open("d/loop1", O_RDONLY), ELOOP);
    errno = 0;
    check_err("readlink on a regular file", readlink("d/hard", buf, sizeof(buf)), EINVAL);

    check("mkfifo",
          mkfifo("d/fifo", 0600) == 0 && lstat("d/fifo", &st) == 0 && S_ISFIFO(st.st_mode));
    check("chmod 0604",
          chmod("d/hard", 0604) == 0 && stat("d/hard", &st) == 0 && (st.st_mode & 07777) == 0604);
    check("access R_OK on the file", access("d/hard", R_OK) == 0);
    errno = 0;
    check_err("access on a missing file", access("d/none", F_OK), ENOENT);

    // Relative to a directory fd.
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    check("open d O_DIRECTORY", dfd >= 0);
    int fd = openat(dfd, "at-file", O_WRONLY | O_CREAT, 0640);
    check("openat creates d/at-file", fd >= 0 && write(fd, "at", 2) == 2);
    close(fd);
    check("fstatat", fstatat(dfd, "at-file", &st, 0) == 0 && st.st_size == 2);
    check("fstatat AT_SYMLINK_NOFOLLOW",
          fstatat(dfd, "sl", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
    check("mkdirat, unlinkat AT_REMOVEDIR",
          mkdirat(dfd, "x", 0700) == 0 && unlinkat(dfd, "x", AT_REMOVEDIR) == 0);
    check("renameat", renameat(dfd, "at-file", dfd, "sub/at-file") == 0);
    check("linkat, symlinkat, readlinkat", linkat(dfd, "sub/at-file", dfd, "at-link", 0) == 0 &&
                                               symlinkat("at-link", dfd, "at-sym") == 0 &&
                                               readlinkat(dfd, "at-sym", buf, sizeof(buf)) == 7);
    check("faccessat", faccessat(dfd, "at-sym", R_OK, 0) == 0);
    check("fchmodat", fchmodat(dfd, "at-link", 0600, 0) == 0 &&
                          fstatat(dfd, "at-link", &st, 0) == 0 && (st.st_mode & 0777) == 0600);
    int ffd = open("d/hard", O_RDONLY);
    errno = 0;
    check_err("openat with a file fd as directory", openat(ffd, "x", O_RDONLY), ENOTDIR);
    close(ffd);

    struct statx sx;
    int rc = statx(dfd, "sub/three", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
    check("statx size 3, regular",
          rc == 0 && sx.stx_size == 3 && S_ISREG(sx.stx_mode) && (sx.stx_mask & STATX_SIZE));
    close(dfd);

    // Times.
    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 500}};
    check("utimensat", utimensat(AT_FDCWD, "d/hard", ts, 0) == 0);
    check("atime and mtime set, with nanoseconds",
          stat("d/hard", &st) == 0 && st.st_atim.tv_sec == 1000000000 &&
              st.st_atim.tv_nsec == 123456789 && st.st_mtim.tv_sec == 1234567890 &&
              st.st_mtim.tv_nsec == 500);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {42, 0}};
    check("utimensat UTIME_OMIT keeps atime",
          utimensat(AT_FDCWD, "d/hard", omit, 0) == 0 && stat("d/hard", &st) == 0 &&
              st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 42);
    fd = open("d/hard", O_RDONLY);
    struct timespec ft[2] = {{7, 0}, {8, 0}};
    check("futimens", futimens(fd, ft) == 0 && fstat(fd, &st) == 0 && st.st_atim.tv_sec == 7 &&
                          st.st_mtim.tv_sec == 8);
    close(fd);
    struct timespec sl_ts[2] = {{5, 0}, {6, 0}};
    check("utimensat AT_SYMLINK_NOFOLLOW on a link",
          utimensat(AT_FDCWD, "d/sl", sl_ts, AT_SYMLINK_NOFOLLOW) == 0 && lstat("d/sl", &st) == 0 &&
              st.st_mtim.tv_sec == 6 && stat("d/sl", &st2) == 0 && st2.st_mtim.tv_sec != 6);
}

static void test_fds(void)
{
    char buf[64];

    printf("== descriptors, fcntl, pipes\n");
    write_file("f.txt", "0123456789");
    int fd = open("f.txt", O_RDONLY);
    int d = dup(fd);
    check("dup shares the offset",
          d > fd && lseek(fd, 4, SEEK_SET) == 4 && lseek(d, 0, SEEK_CUR) == 4);
    check("dup2 onto 50", dup2(fd, 50) == 50 && read(50, buf, 2) == 2 && memcmp(buf, "45", 2) == 0);
    check("dup2 onto itself", dup2(50, 50) == 50);
    check("fd flags of a dup2 copy are 0", fcntl(50, F_GETFD) == 0);
    check("dup3 O_CLOEXEC", dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
    errno = 0;
    check_err("dup3 onto itself", dup3(51, 51, 0), EINVAL);
    check("F_SETFD/F_GETFD",
          fcntl(50, F_SETFD, FD_CLOEXEC) == 0 && fcntl(50, F_GETFD) == FD_CLOEXEC);
    check("F_DUPFD picks the lowest fd >= 60",
          fcntl(fd, F_DUPFD, 60) == 60 && fcntl(fd, F_DUPFD, 60) == 61);
    check("F_DUPFD_CLOEXEC",
          fcntl(fd, F_DUPFD_CLOEXEC, 70) == 70 && fcntl(70, F_GETFD) == FD_CLOEXEC);
    check("F_GETFL O_RDONLY", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    errno = 0;
    check_err("fcntl on a bad fd", fcntl(999, F_GETFD), EBADF);
    errno = 0;
    check_err("dup2 from a bad fd", dup2(999, 52), EBADF);
    for (int i = 50; i <= 70; i++)
        close(i);
    close(d);
    close(fd);

    fd = open("f.txt", O_WRONLY);
    check("F_SETFL O_APPEND",
          fcntl(fd, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    check("write appends", write(fd, "ab", 2) == 2 && lseek(fd, 0, SEEK_CUR) == 12);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4};
    close(fd);
    fd = open("f.txt", O_RDWR);
    check("F_SETLK write lock", fcntl(fd, F_SETLK, &fl) == 0);
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    check("F_GETLK: own locks do not conflict",
          fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type == F_UNLCK);
    fl.l_type = F_UNLCK;
    check("F_SETLK unlock", fcntl(fd, F_SETLK, &fl) == 0);
    close(fd);

    int p[2];
    check("pipe", pipe(p) == 0);
    check("write to the pipe", write(p[1], "through a pipe", 14) == 14);
    check("read from the pipe",
          read(p[0], buf, sizeof(buf)) == 14 && memcmp(buf, "through a pipe", 14) == 0);
    errno = 0;
    check_err("lseek on a pipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
    struct stat st;
    check("fstat: a FIFO", fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    check("poll: write end ready, read end empty",
          poll(pf, 2, 0) == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT);
    write(p[1], "x", 1);
    check("poll: read end ready", poll(pf, 1, 1000) == 1 && pf[0].revents == POLLIN);
    read(p[0], buf, 1);
    close(p[1]);
    check("poll after the writer closed: POLLHUP",
          poll(pf, 1, 1000) == 1 && (pf[0].revents & POLLHUP));
    check("read at EOF of a pipe returns 0", read(p[0], buf, 1) == 0);
    close(p[0]);

    check("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0 &&
                                            (fcntl(p[0], F_GETFL) & O_NONBLOCK) &&
                                            fcntl(p[1], F_GETFD) == FD_CLOEXEC);
    errno = 0;
    check_err("read from an empty non-blocking pipe", read(p[0], buf, 1), EAGAIN);
    close(p[0]);
    errno = 0;
    check_err("fcntl F_GETFL on a closed fd", fcntl(p[0], F_GETFL), EBADF);
    close(p[1]);
}

static void test_stdio(void)
{
    char line[64];

    printf("== stdio\n");
    FILE *f = fopen("s.txt", "w+");
    check("fopen w+", f != NULL);
    if (!f)
        return;
    fprintf(f, "line %d\n", 1);
    fputs("line 2\n", f);
    fprintf(f, "%s %05.1f\n", "pi", 3.14159);
    check("ftell after three lines", ftell(f) == 23);
    rewind(f);
    check("fgets 1", fgets(line, sizeof(line), f) && strcmp(line, "line 1\n") == 0);
    int c = fgetc(f);
    check("fgetc, ungetc", c == 'l' && ungetc(c, f) == 'l' && fgets(line, sizeof(line), f) &&
                               strcmp(line, "line 2\n") == 0);
    check("fgets 3", fgets(line, sizeof(line), f) && strcmp(line, "pi 003.1\n") == 0);
    check("EOF", fgets(line, sizeof(line), f) == NULL && feof(f));
    check("fseek SEEK_END -4", fseek(f, -4, SEEK_END) == 0 && fgetc(f) == '3');
    fclose(f);
    f = fopen("s.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen("s.txt", "r");
    int lines = 0;
    while (fgets(line, sizeof(line), f))
        lines++;
    fclose(f);
    check("append mode adds a fourth line", lines == 4);
    errno = 0;
    check("fopen of a missing file: NULL, ENOENT", fopen("nope/x", "r") == NULL && errno == ENOENT);
}

// Removes what the tests leave in the directory (each test cleans up after itself partly).
static void cleanup(void)
{
    static const char *files[] = {"a.txt",     "f.txt",    "s.txt",       "d/uno",        "d/hard",
                                  "d/sl",      "d/dangle", "d/loop1",     "d/loop2",      "d/fifo",
                                  "d/at-link", "d/at-sym", "d/sub/three", "d/sub/at-file"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    rmdir("d/sub");
    check("directory tree removed", rmdir("d") == 0);
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/paddock-fileio-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || chdir(dir) != 0) {
        perror("fileio: temp directory");
        return 2;
    }
    char cwd[4096];
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    check("getcwd ends with the directory's name",
          getcwd(cwd, sizeof(cwd)) && strlen(cwd) >= strlen(base) &&
              strcmp(cwd + strlen(cwd) - strlen(base), base) == 0);
    mode_t old = umask(022);
    check("umask returns the previous mask", umask(022) == 022);
    (void)old;

    test_basic();
    test_big();
    test_dirs();
    test_fds();
    test_stdio();
    cleanup();
    if (argc <= 1) {
        chdir("/");
        check("temp directory removed", rmdir(dir) == 0);
    }
    printf("fileio: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

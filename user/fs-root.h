/*
 * The confined view of the file system (`paddock run --root DIR`, user/fs-root.c): DIR is
 * the guest's "/", and every guest path is resolved below it by the host kernel
 * (openat2 with RESOLVE_IN_ROOT), so that "..", symlinks (absolute ones are taken
 * relative to DIR, as chroot has them), directory fds and the working directory cannot
 * lead outside it. Guest paths are first made absolute: a relative path is joined to the
 * guest path of its directory (the cwd or a dirfd, whose host path the kernel gives and
 * which loses DIR's host path in front), because the kernel would let ".." climb above DIR
 * from a directory fd.
 *
 * Guest-absolute paths are what the guest sees: "/" is DIR. Functions return -errno on
 * failure, as the syscall layer wants it.
 */
#ifndef USER_FS_ROOT_H
#define USER_FS_ROOT_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "user/user.h"

struct UserRoot {
    int fd;     /* DIR, O_PATH; reserved: the guest cannot close or replace it */
    char *host; /* DIR's real host path without the trailing slash: "" for "/" */
    size_t host_len;
};

/*
 * Opens dir as p's root at a high, reserved fd (user/fd-reserved.h) and makes the host cwd
 * the guest's: it stays where it is when already inside dir (so that a guest execve
 * keeps its cwd), else it becomes dir, the guest's "/". Errors are USER_ERROR_ROOT.
 */
bool user_root_init(UserProcess *p, const char *dir, GError **errp);
void user_root_free(UserRoot *r);

/* DIR as a host path for a command line ("/" when the root is the host's). */
const char *user_root_host_dir(const UserRoot *r);
/* The guest path of host path host (g_free), or NULL when it is outside the root. */
char *user_root_to_guest(const UserRoot *r, const char *host);
/* The guest path of what fd names (g_free): 0, -EBADF, -EXDEV (outside the root) or, for
 * what has no path (a pipe, a socket), -ENOTDIR. */
int user_root_fd_path(const UserRoot *r, int fd, char **out);
/* The guest path of the cwd (g_free): 0 or -errno (-ENOENT: deleted or outside). */
int user_root_cwd(const UserRoot *r, char **out);
/* path made guest-absolute (g_free): as it is when absolute, else joined to the guest path
 * of dirfd (AT_FDCWD: the cwd). An empty path is -ENOENT. */
int user_root_abs(const UserRoot *r, int dirfd, const char *path, char **out);

/* Opens the guest-absolute path abs below the root with open(2) flags and mode: the fd,
 * close-on-exec only as flags ask, or -errno. */
int user_root_open(const UserRoot *r, const char *abs, int flags, mode_t mode);
/*
 * The parent directory of the guest-absolute path abs, opened O_PATH (fd or -errno), and
 * in *last its last component with any trailing slashes (a pointer into abs), for the
 * *at calls that never follow a last component: mkdir, mknod, symlink, link's new name,
 * unlink, rmdir, rename. "." and ".." stay as they are: those calls refuse them without
 * looking them up. For the root itself, *last is user_root_itself ("."), with the root.
 */
int user_root_parent(const UserRoot *r, const char *abs, const char **last);
extern const char user_root_itself[];

#endif

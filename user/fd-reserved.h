/*
 * User mode's own descriptors among the guest's: the --root directory (user/fs-root.h)
 * and the instruction counter (user/icount.c). Each sits at the top of the guest's fd
 * range, away from the low numbers the guest's own fds take, and is the emulator's
 * alone: every syscall that names one as an fd (closes it, duplicates it, duplicates
 * another fd over it, reads, maps…, or uses it as the directory of a relative or empty
 * path) fails with EBADF, as for an fd that is not open, and the emulated /proc/self/fd
 * neither shows nor reopens it.
 */
#ifndef USER_FD_RESERVED_H
#define USER_FD_RESERVED_H

#include <stdbool.h>
#include <stdint.h>

#include "user/user.h"

/*
 * Moves fd to the highest free number below the fd limit (and below 1024, which keeps
 * every fd table of the process tree small), close-on-exec as asked. Returns the new fd,
 * the old one closed; fd itself when nothing higher is free or the move fails.
 */
int user_fd_move_high(int fd, bool cloexec);

/* Whether fd is one of p's own. */
bool user_fd_reserved(const UserProcess *p, int fd);

/*
 * Whether a path call must fail with EBADF because dirfd is one of p's own fds and the
 * path uses it: NULL (dirfd itself, for utimensat and statx), empty or relative. An
 * absolute path ignores dirfd, as on Linux.
 */
bool user_fd_reserved_dirfd(const UserProcess *p, int dirfd, const char *path);

/* Whether generic syscall nr with args names one of p's own fds (the caller answers -EBADF). */
bool user_fd_syscall_refused(const UserProcess *p, unsigned nr, const uint64_t *args);

#endif

/*
 * Waiting on descriptors: ppoll and pselect6 (the generic ABI has no poll or select).
 * struct pollfd, struct timespec and the fd_set bitmaps (arrays of longs) are the same on
 * x86-64 and the generic ABI, so the host reads and updates them in guest memory.
 *
 * Both calls take a signal mask to install for the wait. Until guest signals exist (the
 * signal task) there is nothing to install: the mask is accepted and ignored, and the host
 * waits with the thread's mask unchanged.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct pollfd) == 8 && sizeof(struct timespec) == 16,
               "host poll structures differ from the generic ones");

/* How many descriptors the process may have: no wait can name one beyond it. */
static uint64_t nofile_limit(void)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 0;
}

/* An optional in/out struct timespec: NULL for address 0. */
static bool lock_timeout(UserThread *t, uint64_t addr, struct timespec **out)
{
    *out = addr ? lock_user(t, addr, sizeof(**out), PAGE_READ | PAGE_WRITE) : NULL;
    return !addr || *out;
}

/* nfds is an unsigned int in Linux, so the size to lock cannot overflow. */
int64_t sys_ppoll(UserThread *t, const uint64_t *a)
{
    uint64_t nfds = (uint32_t)a[1];
    struct timespec *ts;
    if (nfds > nofile_limit()) {
        return host_to_guest_errno(EINVAL);
    }
    struct pollfd *fds = sys_lock(t, a[0], nfds * sizeof(*fds), PAGE_READ | PAGE_WRITE);
    if (!fds || !lock_timeout(t, a[2], &ts)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_ppoll, fds, (nfds_t)nfds, ts, NULL, (size_t)8));
}

/* An optional fd_set of nfds bits, rounded up to whole longs as Linux reads it. */
static bool lock_fdset(UserThread *t, uint64_t addr, int nfds, void **out)
{
    uint64_t bytes = ((uint64_t)nfds + 63) / 64 * 8;
    *out = addr ? sys_lock(t, addr, bytes, PAGE_READ | PAGE_WRITE) : NULL;
    return !addr || *out;
}

/* Linux clamps nfds to the descriptor table's size; RLIMIT_NOFILE bounds that table. */
int64_t sys_pselect6(UserThread *t, const uint64_t *a)
{
    int nfds = (int)a[0];
    void *in, *out, *ex;
    struct timespec *ts;
    if (nfds < 0) {
        return host_to_guest_errno(EINVAL);
    }
    nfds = (int)MIN((uint64_t)nfds, nofile_limit());
    if (!lock_fdset(t, a[1], nfds, &in) || !lock_fdset(t, a[2], nfds, &out) ||
        !lock_fdset(t, a[3], nfds, &ex) || !lock_timeout(t, a[4], &ts)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_pselect6, nfds, in, out, ex, ts, NULL));
}

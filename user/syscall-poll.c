/*
 * Waiting on descriptors: ppoll and pselect6 (the generic ABI has no poll or select).
 * struct pollfd, struct timespec and the fd_set bitmaps (arrays of longs) are the same on
 * x86-64 and the generic ABI, so the host reads and updates them in guest memory.
 *
 * Both calls take a signal mask to install for the wait, atomically: the guest's mask
 * becomes the given one (user_sigmask_begin), the host waits under its mirror, and a signal
 * that arrives before the host call starts makes it return -EINTR without waiting
 * (user_safe_syscall), as one that arrives during it does. The handler's frame then holds
 * the old mask; without a signal the old mask is back when the call returns. epoll_pwait
 * is not here: epoll is not implemented (-ENOSYS) yet.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
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

/* The temporary mask of a wait, if the guest gave one: set, and the host's mirror. */
typedef struct WaitMask {
    bool set;
    uint64_t host;
} WaitMask;

/*
 * Installs the guest mask at addr (size bytes, which must be 8), if addr is not 0: 0, or
 * -errno (-EINTR when a signal the mask lets through is already waiting, in which case
 * signal delivery restores the old mask).
 */
static int64_t wait_mask_begin(UserThread *t, uint64_t addr, uint64_t size, WaitMask *m)
{
    uint64_t guest;
    m->set = addr != 0;
    if (!m->set) {
        return 0;
    }
    if (size != sizeof(guest)) {
        return -EINVAL;
    }
    const void *p = lock_user(t, addr, sizeof(guest), PAGE_READ);
    if (!p) {
        return -EFAULT;
    }
    memcpy(&guest, p, sizeof(guest));
    return user_sigmask_begin(t, guest, &m->host) ? 0 : -EINTR;
}

/* The guest's result of the host wait's raw result ret; puts the old mask back unless a
 * signal interrupted the wait. */
static int64_t wait_mask_end(UserThread *t, const WaitMask *m, int64_t ret)
{
    if (m->set) {
        user_sigmask_end(t, ret);
    }
    return sys_neg_errno(ret);
}

/* nfds is an unsigned int in Linux, so the size to lock cannot overflow. */
int64_t sys_ppoll(UserThread *t, const uint64_t *a)
{
    uint64_t nfds = (uint32_t)a[1];
    struct timespec *ts;
    WaitMask m;
    if (nfds > nofile_limit()) {
        return host_to_guest_errno(EINVAL);
    }
    struct pollfd *fds = sys_lock(t, a[0], nfds * sizeof(*fds), PAGE_READ | PAGE_WRITE);
    if (!fds || !lock_timeout(t, a[2], &ts)) {
        return host_to_guest_errno(EFAULT);
    }
    int64_t err = wait_mask_begin(t, a[3], a[4], &m);
    if (err) {
        return sys_neg_errno(err);
    }
    int64_t r = user_safe_syscall(t, SYS_ppoll, (long)fds, (long)nfds, (long)ts,
                                  (long)(m.set ? &m.host : NULL), sizeof(m.host), 0);
    return wait_mask_end(t, &m, r);
}

/* An optional fd_set of nfds bits, rounded up to whole longs as Linux reads it. */
static bool lock_fdset(UserThread *t, uint64_t addr, int nfds, void **out)
{
    uint64_t bytes = ((uint64_t)nfds + 63) / 64 * 8;
    *out = addr ? sys_lock(t, addr, bytes, PAGE_READ | PAGE_WRITE) : NULL;
    return !addr || *out;
}

/* pselect6's sixth argument: { const sigset_t *ss; size_t ss_len; }, optional. */
static int64_t pselect_mask_begin(UserThread *t, uint64_t addr, WaitMask *m)
{
    uint64_t arg[2] = {0, 0};
    const void *p = addr ? lock_user(t, addr, sizeof(arg), PAGE_READ) : NULL;
    if (addr && !p) {
        return -EFAULT;
    }
    if (p) {
        memcpy(arg, p, sizeof(arg));
    }
    return wait_mask_begin(t, arg[0], arg[1], m);
}

/* Linux clamps nfds to the descriptor table's size; RLIMIT_NOFILE bounds that table. */
int64_t sys_pselect6(UserThread *t, const uint64_t *a)
{
    int nfds = (int)a[0];
    void *in, *out, *ex;
    struct timespec *ts;
    WaitMask m;
    if (nfds < 0) {
        return host_to_guest_errno(EINVAL);
    }
    nfds = (int)MIN((uint64_t)nfds, nofile_limit());
    if (!lock_fdset(t, a[1], nfds, &in) || !lock_fdset(t, a[2], nfds, &out) ||
        !lock_fdset(t, a[3], nfds, &ex) || !lock_timeout(t, a[4], &ts)) {
        return host_to_guest_errno(EFAULT);
    }
    int64_t err = pselect_mask_begin(t, a[5], &m);
    if (err) {
        return sys_neg_errno(err);
    }
    struct {
        const uint64_t *ss;
        size_t len;
    } host_arg = {&m.host, sizeof(m.host)};
    int64_t r = user_safe_syscall(t, SYS_pselect6, nfds, (long)in, (long)out, (long)ex, (long)ts,
                                  (long)(m.set ? &host_arg : NULL));
    return wait_mask_end(t, &m, r);
}

/*
 * Clocks, sleeps and accounting. The host's clocks are the guest's (clock ids agree), and
 * struct timespec, timeval, timezone, itimerspec, tms, rusage and sysinfo have the same
 * layout on x86-64 and the generic ABI (checked against the cross toolchains' headers),
 * so the host writes them in guest memory. CPU-time clocks and rusage measure the
 * emulator running the guest, which is the guest's cost as the host sees it.
 *
 * Sleeps are not interrupted by guest signals until those exist (the signal task).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct timespec) == 16 && sizeof(struct timeval) == 16 &&
                   sizeof(struct timezone) == 8 && sizeof(struct itimerspec) == 32 &&
                   sizeof(struct tms) == 32,
               "host time structures differ from the generic ones");
_Static_assert(sizeof(struct rusage) == 144 && offsetof(struct rusage, ru_maxrss) == 32,
               "host struct rusage differs from the generic one");
_Static_assert(sizeof(struct sysinfo) == 112 && offsetof(struct sysinfo, procs) == 80 &&
                   offsetof(struct sysinfo, totalhigh) == 88 &&
                   offsetof(struct sysinfo, mem_unit) == 104,
               "host struct sysinfo differs from the generic one");

/* A guest structure of size bytes, optional (NULL for address 0) or not: false = EFAULT. */
static bool lock_opt(UserThread *t, uint64_t addr, size_t size, unsigned prot, void **out)
{
    *out = addr ? lock_user(t, addr, size, prot) : NULL;
    return !addr || *out;
}

int64_t sys_clock_gettime(UserThread *t, const uint64_t *a)
{
    struct timespec *ts = lock_user(t, a[1], sizeof(*ts), PAGE_WRITE);
    if (!ts) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(clock_gettime((clockid_t)a[0], ts));
}

int64_t sys_clock_getres(UserThread *t, const uint64_t *a)
{
    void *res;
    if (!lock_opt(t, a[1], sizeof(struct timespec), PAGE_WRITE, &res)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_clock_getres, (clockid_t)a[0], res));
}

/* Sleeps go through user_safe_syscall, so a guest signal cannot slip in just before. */
int64_t sys_clock_nanosleep(UserThread *t, const uint64_t *a)
{
    const struct timespec *req = lock_user(t, a[2], sizeof(*req), PAGE_READ);
    void *rem;
    if (!req || !lock_opt(t, a[3], sizeof(*req), PAGE_WRITE, &rem)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_neg_errno(user_safe_syscall(t, SYS_clock_nanosleep, (long)a[0], (long)a[1],
                                           (long)req, (long)rem, 0, 0));
}

int64_t sys_nanosleep(UserThread *t, const uint64_t *a)
{
    const struct timespec *req = lock_user(t, a[0], sizeof(*req), PAGE_READ);
    void *rem;
    if (!req || !lock_opt(t, a[1], sizeof(*req), PAGE_WRITE, &rem)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_neg_errno(user_safe_syscall(t, SYS_nanosleep, (long)req, (long)rem, 0, 0, 0, 0));
}

/* Raw, because glibc's wrapper zeroes the timezone instead of asking the kernel. */
int64_t sys_gettimeofday(UserThread *t, const uint64_t *a)
{
    void *tv, *tz;
    if (!lock_opt(t, a[0], sizeof(struct timeval), PAGE_WRITE, &tv) ||
        !lock_opt(t, a[1], sizeof(struct timezone), PAGE_WRITE, &tz)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_gettimeofday, tv, tz));
}

int64_t sys_times(UserThread *t, const uint64_t *a)
{
    void *buf;
    if (!lock_opt(t, a[0], sizeof(struct tms), PAGE_WRITE, &buf)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_times, buf));
}

int64_t sys_getrusage(UserThread *t, const uint64_t *a)
{
    struct rusage *ru = lock_user(t, a[1], sizeof(*ru), PAGE_WRITE);
    return ru ? sys_result(getrusage((int)a[0], ru)) : host_to_guest_errno(EFAULT);
}

int64_t sys_sysinfo(UserThread *t, const uint64_t *a)
{
    struct sysinfo *info = lock_user(t, a[0], sizeof(*info), PAGE_WRITE);
    return info ? sys_result(sysinfo(info)) : host_to_guest_errno(EFAULT);
}

/* TFD_CLOEXEC and TFD_NONBLOCK are O_CLOEXEC and O_NONBLOCK, the same on every ABI. */
int64_t sys_timerfd_create(UserThread *t, const uint64_t *a)
{
    return sys_result(timerfd_create((int)a[0], (int)a[1]));
}

int64_t sys_timerfd_settime(UserThread *t, const uint64_t *a)
{
    const struct itimerspec *new = lock_user(t, a[2], sizeof(*new), PAGE_READ);
    void *old;
    if (!new || !lock_opt(t, a[3], sizeof(*new), PAGE_WRITE, &old)) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(timerfd_settime((int)a[0], (int)a[1], new, old));
}

int64_t sys_timerfd_gettime(UserThread *t, const uint64_t *a)
{
    struct itimerspec *cur = lock_user(t, a[1], sizeof(*cur), PAGE_WRITE);
    return cur ? sys_result(timerfd_gettime((int)a[0], cur)) : host_to_guest_errno(EFAULT);
}

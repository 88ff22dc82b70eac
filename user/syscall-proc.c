/*
 * The process as the guest sees it: ids, credentials, sessions, uname, limits, CPU
 * affinity, randomness, prctl and exit (signals are syscall-signal.c's). The guest process
 * is the host process, so most of this is the host's answer; what differs is that uname
 * reports the guest architecture, and that limits which would bound the emulator's own
 * memory rather than the guest's are not applied.
 *
 * Credentials change through raw syscalls: they act on the calling thread as Linux's do,
 * where glibc's wrappers would broadcast to every host thread behind the guest's back (the
 * guest's libc does its own broadcast).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The most of the host's CPU mask sched_getaffinity copies: 65536 CPUs. */
enum { AFFINITY_MAX_BYTES = 8192 };

_Static_assert(sizeof(struct utsname) == 6 * 65, "host struct utsname differs");
_Static_assert(sizeof(struct rlimit) == 16, "host struct rlimit differs");

int64_t sys_getpid(UserThread *t, const uint64_t *a)
{
    return getpid();
}

int64_t sys_getppid(UserThread *t, const uint64_t *a)
{
    return getppid();
}

int64_t sys_gettid(UserThread *t, const uint64_t *a)
{
    return t->tid;
}

int64_t sys_getuid(UserThread *t, const uint64_t *a)
{
    return getuid();
}

int64_t sys_geteuid(UserThread *t, const uint64_t *a)
{
    return geteuid();
}

int64_t sys_getgid(UserThread *t, const uint64_t *a)
{
    return getgid();
}

int64_t sys_getegid(UserThread *t, const uint64_t *a)
{
    return getegid();
}

/* Writes three ids to the guest words at a[0..2]; all three or EFAULT. */
static int64_t put_ids(UserThread *t, const uint64_t *a, const uint32_t ids[3])
{
    void *p[3];
    for (int i = 0; i < 3; i++) {
        if (!(p[i] = lock_user(t, a[i], sizeof(ids[i]), PAGE_WRITE))) {
            return host_to_guest_errno(EFAULT);
        }
    }
    for (int i = 0; i < 3; i++) {
        memcpy(p[i], &ids[i], sizeof(ids[i]));
    }
    return 0;
}

int64_t sys_getresuid(UserThread *t, const uint64_t *a)
{
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) < 0) {
        return sys_result(-1);
    }
    return put_ids(t, a, (const uint32_t[3]){r, e, s});
}

int64_t sys_getresgid(UserThread *t, const uint64_t *a)
{
    gid_t r, e, s;
    if (getresgid(&r, &e, &s) < 0) {
        return sys_result(-1);
    }
    return put_ids(t, a, (const uint32_t[3]){r, e, s});
}

int64_t sys_setuid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setuid, (uid_t)a[0]));
}

int64_t sys_setgid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setgid, (gid_t)a[0]));
}

int64_t sys_setreuid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setreuid, (uid_t)a[0], (uid_t)a[1]));
}

int64_t sys_setregid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setregid, (gid_t)a[0], (gid_t)a[1]));
}

int64_t sys_setresuid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setresuid, (uid_t)a[0], (uid_t)a[1], (uid_t)a[2]));
}

int64_t sys_setresgid(UserThread *t, const uint64_t *a)
{
    return sys_result(syscall(SYS_setresgid, (gid_t)a[0], (gid_t)a[1], (gid_t)a[2]));
}

/* setfsuid and setfsgid never fail: they return the previous id. */
int64_t sys_setfsuid(UserThread *t, const uint64_t *a)
{
    return syscall(SYS_setfsuid, (uid_t)a[0]);
}

int64_t sys_setfsgid(UserThread *t, const uint64_t *a)
{
    return syscall(SYS_setfsgid, (gid_t)a[0]);
}

/* No process has more than NGROUPS_MAX groups, so a larger size changes nothing. */
int64_t sys_getgroups(UserThread *t, const uint64_t *a)
{
    int size = (int)a[0];
    if (size < 0) {
        return host_to_guest_errno(EINVAL);
    }
    size = MIN(size, NGROUPS_MAX);
    gid_t *list = sys_lock(t, a[1], (uint64_t)size * sizeof(gid_t), PAGE_WRITE);
    return list ? sys_result(getgroups(size, list)) : host_to_guest_errno(EFAULT);
}

int64_t sys_setgroups(UserThread *t, const uint64_t *a)
{
    int size = (int)a[0];
    if (size < 0 || size > NGROUPS_MAX) {
        return host_to_guest_errno(EINVAL);
    }
    const gid_t *list = sys_lock(t, a[1], (uint64_t)size * sizeof(gid_t), PAGE_READ);
    if (!list) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_setgroups, size, list));
}

int64_t sys_setsid(UserThread *t, const uint64_t *a)
{
    return sys_result(setsid());
}

int64_t sys_getsid(UserThread *t, const uint64_t *a)
{
    return sys_result(getsid((pid_t)a[0]));
}

int64_t sys_setpgid(UserThread *t, const uint64_t *a)
{
    return sys_result(setpgid((pid_t)a[0], (pid_t)a[1]));
}

int64_t sys_getpgid(UserThread *t, const uint64_t *a)
{
    return sys_result(getpgid((pid_t)a[0]));
}

/* The host's names and release, with the guest's machine. */
int64_t sys_uname(UserThread *t, const uint64_t *a)
{
    struct utsname u;
    if (uname(&u) < 0) {
        return sys_result(-1);
    }
    g_strlcpy(u.machine, t->proc->arch->name, sizeof(u.machine));
    void *buf = lock_user(t, a[0], sizeof(u), PAGE_WRITE);
    if (!buf) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(buf, &u, sizeof(u));
    return 0;
}

/*
 * RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK would bound the emulator's memory (the guest
 * space reservation, the host stacks), not the guest's: a new value for this process is
 * accepted and not applied, as QEMU does.
 */
static int64_t do_prlimit(UserThread *t, int pid, int resource, uint64_t new_addr,
                          uint64_t old_addr)
{
    const void *new_limit = NULL;
    void *old_limit = NULL;
    if ((new_addr && !(new_limit = lock_user(t, new_addr, 16, PAGE_READ))) ||
        (old_addr && !(old_limit = lock_user(t, old_addr, 16, PAGE_WRITE)))) {
        return host_to_guest_errno(EFAULT);
    }
    bool self = pid == 0 || pid == getpid();
    if (self && (resource == RLIMIT_AS || resource == RLIMIT_DATA || resource == RLIMIT_STACK)) {
        new_limit = NULL;
    }
    return sys_result(syscall(SYS_prlimit64, pid, resource, new_limit, old_limit));
}

int64_t sys_prlimit64(UserThread *t, const uint64_t *a)
{
    return do_prlimit(t, (int)a[0], (int)a[1], a[2], a[3]);
}

int64_t sys_getrlimit(UserThread *t, const uint64_t *a)
{
    if (!a[1]) {
        return host_to_guest_errno(EFAULT);
    }
    return do_prlimit(t, 0, (int)a[0], 0, a[1]);
}

int64_t sys_setrlimit(UserThread *t, const uint64_t *a)
{
    if (!a[1]) {
        return host_to_guest_errno(EFAULT);
    }
    return do_prlimit(t, 0, (int)a[0], a[1], 0);
}

/* Returns the bytes copied, as the raw call does; the length must be whole longs. */
int64_t sys_sched_getaffinity(UserThread *t, const uint64_t *a)
{
    if (a[1] % sizeof(long)) {
        return host_to_guest_errno(EINVAL);
    }
    uint64_t len = MIN(a[1], AFFINITY_MAX_BYTES);
    void *mask = sys_lock(t, a[2], len, PAGE_WRITE);
    if (!mask) {
        return host_to_guest_errno(EFAULT);
    }
    return sys_result(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)len, mask));
}

int64_t sys_sched_yield(UserThread *t, const uint64_t *a)
{
    return sys_result(sched_yield());
}

int64_t sys_set_tid_address(UserThread *t, const uint64_t *a)
{
    t->clear_child_tid = a[0];
    return t->tid;
}

int64_t sys_getrandom(UserThread *t, const uint64_t *a)
{
    uint64_t len = MIN(a[1], SYS_RW_MAX);
    void *buf = sys_lock(t, a[0], len, PAGE_WRITE);
    return buf ? sys_result(getrandom(buf, len, (unsigned)a[2])) : host_to_guest_errno(EFAULT);
}

/* The thread's name is the host thread's, so ps and top show the guest's names. */
int64_t sys_prctl(UserThread *t, const uint64_t *a)
{
    char name[16] = {0};
    switch ((int)a[0]) {
    case PR_SET_NAME: {
        const char *s = lock_user_string(t, a[1]);
        if (!s) {
            return host_to_guest_errno(EFAULT);
        }
        g_strlcpy(name, s, sizeof(name));
        return sys_result(prctl(PR_SET_NAME, name));
    }
    case PR_GET_NAME: {
        void *buf = lock_user(t, a[1], sizeof(name), PAGE_WRITE);
        if (!buf) {
            return host_to_guest_errno(EFAULT);
        }
        if (prctl(PR_GET_NAME, name) < 0) {
            return sys_result(-1);
        }
        memcpy(buf, name, sizeof(name));
        return 0;
    }
    default: return host_to_guest_errno(EINVAL);
    }
}

/* Only PER_LINUX is offered, and changing it is accepted as a no-op. */
int64_t sys_personality(UserThread *t, const uint64_t *a)
{
    return 0;
}

int64_t sys_exit(UserThread *t, const uint64_t *a)
{
    user_exit_thread(t, (int)a[0]);
}

int64_t sys_exit_group(UserThread *t, const uint64_t *a)
{
    user_exit_group(t, (int)a[0]);
}

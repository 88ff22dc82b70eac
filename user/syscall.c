/*
 * The syscall dispatcher: one table of rows (syscall-table.c) indexed by number, the
 * PADDOCK_LOG=syscall trace around every call, and the one path for numbers without a
 * handler (-ENOSYS, reported once per number under LOG_GUEST_ERROR). Also the helpers
 * every handler family uses to reach guest memory and to turn host errors into guest ones.
 *
 * The index is built once from the const rows and never changes after; the once-per-number
 * report bitmap lives in the UserProcess, set with atomics so threads need no lock.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "user/fd-reserved.h"
#include "vmcore/log.h"
#include "vmcore/thread.h"

/* Numbers the index covers; the report bitmap has one bit for each. */
#define SYSCALL_NR_LIMIT (sizeof(((UserProcess *)0)->syscall_warned) * CHAR_BIT)

static const SyscallDef *syscall_index[SYSCALL_NR_LIMIT];
static pthread_once_t syscall_index_once = PTHREAD_ONCE_INIT;

static void syscall_index_build(void)
{
    for (unsigned i = 0; i < syscall_row_count; i++) {
        const SyscallDef *d = &syscall_rows[i];
        g_assert(d->nr < SYSCALL_NR_LIMIT - 1 && !syscall_index[d->nr]);
        g_assert(!d->fn || d->args);
        syscall_index[d->nr] = d;
    }
}

static const SyscallDef *syscall_lookup(unsigned nr)
{
    mutex_check(pthread_once(&syscall_index_once, syscall_index_build), "pthread_once");
    return nr < SYSCALL_NR_LIMIT ? syscall_index[nr] : NULL;
}

/* Whether this is the process's first call of nr without a handler. The last bit stands
 * for every number beyond the others, so a guest cannot flood the log with new ones. */
static bool syscall_first_miss(UserProcess *p, unsigned nr)
{
    unsigned bit = nr < SYSCALL_NR_LIMIT - 1 ? nr : (unsigned)SYSCALL_NR_LIMIT - 1;
    uint64_t mask = 1ull << (bit % 64);
    return !(atomic_fetch_or(&p->syscall_warned[bit / 64], mask) & mask);
}

static int64_t syscall_missing(UserThread *t, unsigned nr, const SyscallDef *d)
{
    if (log_enabled(LOG_GUEST_ERROR) && syscall_first_miss(t->proc, nr)) {
        fprintf(log_stream(), "paddock: unimplemented syscall %u (%s)\n", nr,
                d ? d->name : "unknown to the generic table");
    }
    return host_to_guest_errno(ENOSYS);
}

static int64_t syscall_call(UserThread *t, unsigned nr, const SyscallDef *d, const uint64_t *args)
{
    return d && d->fn ? d->fn(t, args) : syscall_missing(t, nr, d);
}

static int64_t syscall_traced(UserThread *t, unsigned nr, const SyscallDef *d, const uint64_t *args)
{
    g_autoptr(GString) line = g_string_new(NULL);
    g_string_printf(line, "%d ", t->tid);
    syscall_trace_call(t, nr, d, args, line);
    if (d && d->ret == '?') {
        /* The call does not come back: say so before making it. */
        g_string_append(line, " = ?\n");
        fputs(line->str, log_stream());
    }
    int64_t ret = syscall_call(t, nr, d, args);
    syscall_trace_result(d, ret, line);
    fputs(line->str, log_stream());
    return ret;
}

int64_t user_syscall(UserThread *t, unsigned nr, const uint64_t *args)
{
    const SyscallDef *d = syscall_lookup(nr);
    user_icount_syscall(t, nr, args);
    if (user_fd_syscall_refused(t->proc, nr, args)) {
        return host_to_guest_errno(EBADF);
    }
    if (log_enabled(LOG_SYSCALL)) {
        return syscall_traced(t, nr, d, args);
    }
    return syscall_call(t, nr, d, args);
}

int64_t sys_result(int64_t host_ret)
{
    return host_ret < 0 ? host_to_guest_errno(errno) : host_ret;
}

int64_t sys_neg_errno(int64_t ret)
{
    return ret < 0 ? host_to_guest_errno((int)-ret) : ret;
}

void *sys_lock(UserThread *t, uint64_t addr, uint64_t len, unsigned prot)
{
    static char nothing;
    return len ? lock_user(t, addr, len, prot) : &nothing;
}

int64_t sys_string(UserThread *t, uint64_t addr, size_t max, const char **out)
{
    const char *s = lock_user_string(t, addr);
    if (!s) {
        return host_to_guest_errno(EFAULT);
    }
    if (strnlen(s, max) >= max) {
        return host_to_guest_errno(ENAMETOOLONG);
    }
    *out = s;
    return 0;
}

char *sys_host_path(UserProcess *p, const char *guest)
{
    return guest[0] == '/' ? user_path(p, guest) : g_strdup(guest);
}

/* With a root: the parent's fd and the last component, or the file's own O_PATH fd. */
static int64_t sys_at_root(UserProcess *p, int dirfd, const char *guest, SysAtKind kind, SysAt *at)
{
    int err = user_root_abs(p->root, dirfd, guest, &at->buf);
    if (err) {
        return err;
    }
    int fd;
    if (kind == SYS_AT_PARENT) {
        fd = user_root_parent(p->root, at->buf, &at->name);
        at->is_root = at->name == user_root_itself;
    } else {
        int nofollow = kind == SYS_AT_NOFOLLOW ? O_NOFOLLOW : 0;
        fd = user_root_open(p->root, at->buf, O_PATH | O_CLOEXEC | nofollow, 0);
        at->name = "";
        at->empty = AT_EMPTY_PATH;
    }
    if (fd < 0) {
        return fd;
    }
    at->dirfd = at->fd = fd;
    at->owned = true;
    return 0;
}

int64_t sys_at_str(UserProcess *p, int dirfd, const char *guest, SysAtKind kind, SysAt *at)
{
    *at = (SysAt){.dirfd = dirfd, .name = guest};
    if (user_fd_reserved_dirfd(p, dirfd, guest)) {
        return host_to_guest_errno(EBADF);
    }
    if (!p->root) {
        at->name = at->buf = sys_host_path(p, guest);
        return 0;
    }
    return guest[0] ? sys_at_root(p, dirfd, guest, kind, at) : 0;
}

int64_t sys_at(UserThread *t, int dirfd, uint64_t addr, SysAtKind kind, SysAt *at)
{
    const char *guest;
    int64_t err = sys_string(t, addr, PATH_MAX, &guest);
    if (err) {
        *at = (SysAt){0};
        return err;
    }
    return sys_at_str(t->proc, dirfd, guest, kind, at);
}

int64_t sys_at_exe(UserThread *t, int dirfd, uint64_t addr, SysAtKind kind, SysAt *at)
{
    const char *guest;
    int64_t err = sys_string(t, addr, PATH_MAX, &guest);
    if (err) {
        *at = (SysAt){0};
        return err;
    }
    if (procfs_is_exe(guest)) {
        guest = t->proc->exe_path;
        if (!t->proc->root) {
            *at = (SysAt){.dirfd = dirfd, .name = guest}; /* a host path: as it is */
            return 0;
        }
    }
    return sys_at_str(t->proc, dirfd, guest, kind, at);
}

void sys_at_proc(SysAt *at)
{
    if (at->owned && at->empty) {
        snprintf(at->proc, sizeof(at->proc), "/proc/self/fd/%d", at->fd);
        at->dirfd = AT_FDCWD;
        at->name = at->proc;
        at->empty = 0;
    }
}

void sys_at_done(SysAt *at)
{
    if (at->owned) {
        close(at->fd);
    }
    g_free(at->buf);
    *at = (SysAt){0};
}

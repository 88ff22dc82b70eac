/*
 * Inside the syscall layer: the handlers the table (syscall-table.c) points at, one family
 * per file, and the helpers every family uses to reach guest memory and report errors.
 *
 * A handler takes the six argument registers and returns the guest's result: a value, or
 * -errno. Guest pointers are reached only through lock_user/lock_user_string (sys_lock,
 * sys_string here), never dereferenced; guest paths reach the host only through sys_at
 * (or, to open, user_root_open with a root); host errors become guest errors only through
 * host_to_guest_errno (sys_result, sys_neg_errno). The host is x86-64 Linux: structures
 * whose generic and x86-64 layouts agree are handed to the host in place in guest memory.
 */
#ifndef USER_SYSCALL_H
#define USER_SYSCALL_H

#include <stdint.h>

#include "user/fs-root.h"
#include "user/user.h"

/* Linux's cap on one read or write (MAX_RW_COUNT): INT_MAX rounded down to a page. */
#define SYS_RW_MAX 0x7ffff000ull

/* The rows of the generic table, in number order. */
extern const SyscallDef syscall_rows[];
extern const unsigned syscall_row_count;

/* PADDOCK_LOG=syscall (syscall-trace.c): "name(args)" before the call, " = result\n" after.
 * d is NULL for a number the table does not know. */
void syscall_trace_call(UserThread *t, unsigned nr, const SyscallDef *d, const uint64_t *args,
                        GString *line);
void syscall_trace_result(const SyscallDef *d, int64_t ret, GString *line);

/* The guest's result for a host call that returns -1 and sets errno on failure. */
int64_t sys_result(int64_t host_ret);
/* The guest's result for a call that returns -errno (user mode's own, e.g. guest_mmap). */
int64_t sys_neg_errno(int64_t ret);
/* lock_user, accepting any address for a zero length as Linux does (never touched). */
void *sys_lock(UserThread *t, uint64_t addr, uint64_t len, unsigned prot);
/* The guest string at addr, at most max bytes with its NUL: 0, -EFAULT or -ENAMETOOLONG. */
int64_t sys_string(UserThread *t, uint64_t addr, size_t max, const char **out);
/* The host path (to g_free) for a guest path already read: user_path when absolute. Never
 * with a root (p->root): sys_at is how every call reaches a guest path. */
char *sys_host_path(UserProcess *p, const char *guest);

/* How a call treats the last component of its path (sys_at). */
typedef enum SysAtKind {
    SYS_AT_PARENT,   /* names it in its parent, never following it: create, remove, rename */
    SYS_AT_NOFOLLOW, /* acts on the file it names: a final symlink itself */
    SYS_AT_FOLLOW,   /* acts on the file it names, through a final symlink */
} SysAtKind;

/*
 * A guest path made ready for a host *at call:
 *     call(at.dirfd, at.name, ..., guest_flags | at.empty)
 * Without a root: the guest's dirfd and the host path (sys_host_path), whatever the kind.
 * With one: for SYS_AT_PARENT, the parent directory's O_PATH fd and the last component
 * (user_root_parent); for the others, the file's own O_PATH fd, name "" and empty =
 * AT_EMPTY_PATH, or after sys_at_proc (for calls without AT_EMPTY_PATH) AT_FDCWD and
 * "/proc/self/fd/N". An empty guest path is the guest's dirfd and "" in both views: the
 * host call then fails with ENOENT, or acts on the guest's own fd with AT_EMPTY_PATH.
 * User mode's own fds (user/fd-reserved.h) are no dirfd: -EBADF unless the path is absolute.
 * Release with sys_at_done (g_auto(SysAt) does).
 */
typedef struct SysAt {
    int dirfd;
    const char *name;
    int empty;
    bool is_root; /* with a root and SYS_AT_PARENT: the path is the root itself ("." in it) */
    int fd;       /* ours, when owned */
    bool owned;
    char *buf;     /* holds name */
    char proc[32]; /* holds name after sys_at_proc */
} SysAt;

/* The guest path at addr (sys_string) through sys_at_str: 0 or -errno. */
int64_t sys_at(UserThread *t, int dirfd, uint64_t addr, SysAtKind kind, SysAt *at);
/* sys_at with /proc/self/exe standing for the guest program (stat, access). */
int64_t sys_at_exe(UserThread *t, int dirfd, uint64_t addr, SysAtKind kind, SysAt *at);
/* sys_at for a guest path already read. */
int64_t sys_at_str(UserProcess *p, int dirfd, const char *guest, SysAtKind kind, SysAt *at);
/* With a root and a file's own fd: at becomes AT_FDCWD and "/proc/self/fd/N". */
void sys_at_proc(SysAt *at);
void sys_at_done(SysAt *at);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SysAt, sys_at_done)

/* Open flags: the generic numbering is x86-64's; aarch64 moves four of them. */
int sys_open_flags_to_host(const UserThread *t, int guest_flags);
int sys_open_flags_to_guest(const UserThread *t, int host_flags);

/* /proc/self as the guest should see it (syscall-procfs.c). */
bool procfs_is_exe(const char *path);
/* Serves path if it is one of the emulated /proc/self files: true, with the result. */
bool procfs_open(UserThread *t, const char *path, int host_flags, int64_t *ret);
/* Answers readlink of path if it is one of the emulated /proc/self links: true, with the
 * target (g_free) in *target or -errno in *ret. */
bool procfs_readlink(UserThread *t, const char *path, char **target, int64_t *ret);

/* syscall-file.c: descriptors and I/O. */
int64_t sys_openat(UserThread *t, const uint64_t *a);
int64_t sys_close(UserThread *t, const uint64_t *a);
int64_t sys_read(UserThread *t, const uint64_t *a);
int64_t sys_write(UserThread *t, const uint64_t *a);
int64_t sys_readv(UserThread *t, const uint64_t *a);
int64_t sys_writev(UserThread *t, const uint64_t *a);
int64_t sys_pread64(UserThread *t, const uint64_t *a);
int64_t sys_pwrite64(UserThread *t, const uint64_t *a);
int64_t sys_preadv(UserThread *t, const uint64_t *a);
int64_t sys_pwritev(UserThread *t, const uint64_t *a);
int64_t sys_lseek(UserThread *t, const uint64_t *a);
int64_t sys_dup(UserThread *t, const uint64_t *a);
int64_t sys_dup3(UserThread *t, const uint64_t *a);
int64_t sys_fcntl(UserThread *t, const uint64_t *a);
int64_t sys_pipe2(UserThread *t, const uint64_t *a);
int64_t sys_getdents64(UserThread *t, const uint64_t *a);
int64_t sys_sendfile(UserThread *t, const uint64_t *a);
int64_t sys_copy_file_range(UserThread *t, const uint64_t *a);
int64_t sys_ftruncate(UserThread *t, const uint64_t *a);
int64_t sys_fsync(UserThread *t, const uint64_t *a);
int64_t sys_fdatasync(UserThread *t, const uint64_t *a);

/* syscall-fs.c: the file system namespace. */
int64_t sys_readlinkat(UserThread *t, const uint64_t *a);
int64_t sys_faccessat(UserThread *t, const uint64_t *a);
int64_t sys_faccessat2(UserThread *t, const uint64_t *a);
int64_t sys_mkdirat(UserThread *t, const uint64_t *a);
int64_t sys_mknodat(UserThread *t, const uint64_t *a);
int64_t sys_unlinkat(UserThread *t, const uint64_t *a);
int64_t sys_renameat(UserThread *t, const uint64_t *a);
int64_t sys_renameat2(UserThread *t, const uint64_t *a);
int64_t sys_linkat(UserThread *t, const uint64_t *a);
int64_t sys_symlinkat(UserThread *t, const uint64_t *a);
int64_t sys_fchmod(UserThread *t, const uint64_t *a);
int64_t sys_fchmodat(UserThread *t, const uint64_t *a);
int64_t sys_fchown(UserThread *t, const uint64_t *a);
int64_t sys_fchownat(UserThread *t, const uint64_t *a);
int64_t sys_truncate(UserThread *t, const uint64_t *a);
int64_t sys_chdir(UserThread *t, const uint64_t *a);
int64_t sys_fchdir(UserThread *t, const uint64_t *a);
int64_t sys_getcwd(UserThread *t, const uint64_t *a);
int64_t sys_umask(UserThread *t, const uint64_t *a);
int64_t sys_utimensat(UserThread *t, const uint64_t *a);

/* syscall-stat.c: stat, statx, statfs. */
int64_t sys_newfstatat(UserThread *t, const uint64_t *a);
int64_t sys_fstat(UserThread *t, const uint64_t *a);
int64_t sys_statx(UserThread *t, const uint64_t *a);
int64_t sys_statfs(UserThread *t, const uint64_t *a);
int64_t sys_fstatfs(UserThread *t, const uint64_t *a);

/* syscall-ioctl.c: terminal ioctls. */
int64_t sys_ioctl(UserThread *t, const uint64_t *a);

/* syscall-poll.c: ppoll and pselect6. */
int64_t sys_ppoll(UserThread *t, const uint64_t *a);
int64_t sys_pselect6(UserThread *t, const uint64_t *a);

/* syscall-mem.c: the guest address space. */
int64_t sys_brk(UserThread *t, const uint64_t *a);
int64_t sys_mmap(UserThread *t, const uint64_t *a);
int64_t sys_munmap(UserThread *t, const uint64_t *a);
int64_t sys_mprotect(UserThread *t, const uint64_t *a);
int64_t sys_mremap(UserThread *t, const uint64_t *a);
int64_t sys_madvise(UserThread *t, const uint64_t *a);
int64_t sys_msync(UserThread *t, const uint64_t *a);
int64_t sys_mlock_accept(UserThread *t, const uint64_t *a);

/* syscall-time.c: clocks, sleeps, accounting. */
int64_t sys_clock_gettime(UserThread *t, const uint64_t *a);
int64_t sys_clock_getres(UserThread *t, const uint64_t *a);
int64_t sys_clock_nanosleep(UserThread *t, const uint64_t *a);
int64_t sys_nanosleep(UserThread *t, const uint64_t *a);
int64_t sys_gettimeofday(UserThread *t, const uint64_t *a);
int64_t sys_times(UserThread *t, const uint64_t *a);
int64_t sys_getrusage(UserThread *t, const uint64_t *a);
int64_t sys_sysinfo(UserThread *t, const uint64_t *a);
int64_t sys_timerfd_create(UserThread *t, const uint64_t *a);
int64_t sys_timerfd_settime(UserThread *t, const uint64_t *a);
int64_t sys_timerfd_gettime(UserThread *t, const uint64_t *a);

/* syscall-proc.c: identity, limits, scheduling, exit. */
int64_t sys_getpid(UserThread *t, const uint64_t *a);
int64_t sys_getppid(UserThread *t, const uint64_t *a);
int64_t sys_gettid(UserThread *t, const uint64_t *a);
int64_t sys_getuid(UserThread *t, const uint64_t *a);
int64_t sys_geteuid(UserThread *t, const uint64_t *a);
int64_t sys_getgid(UserThread *t, const uint64_t *a);
int64_t sys_getegid(UserThread *t, const uint64_t *a);
int64_t sys_getresuid(UserThread *t, const uint64_t *a);
int64_t sys_getresgid(UserThread *t, const uint64_t *a);
int64_t sys_setuid(UserThread *t, const uint64_t *a);
int64_t sys_setgid(UserThread *t, const uint64_t *a);
int64_t sys_setreuid(UserThread *t, const uint64_t *a);
int64_t sys_setregid(UserThread *t, const uint64_t *a);
int64_t sys_setresuid(UserThread *t, const uint64_t *a);
int64_t sys_setresgid(UserThread *t, const uint64_t *a);
int64_t sys_setfsuid(UserThread *t, const uint64_t *a);
int64_t sys_setfsgid(UserThread *t, const uint64_t *a);
int64_t sys_getgroups(UserThread *t, const uint64_t *a);
int64_t sys_setgroups(UserThread *t, const uint64_t *a);
int64_t sys_setsid(UserThread *t, const uint64_t *a);
int64_t sys_getsid(UserThread *t, const uint64_t *a);
int64_t sys_setpgid(UserThread *t, const uint64_t *a);
int64_t sys_getpgid(UserThread *t, const uint64_t *a);
int64_t sys_uname(UserThread *t, const uint64_t *a);
int64_t sys_prlimit64(UserThread *t, const uint64_t *a);
int64_t sys_getrlimit(UserThread *t, const uint64_t *a);
int64_t sys_setrlimit(UserThread *t, const uint64_t *a);
int64_t sys_sched_getaffinity(UserThread *t, const uint64_t *a);
int64_t sys_sched_yield(UserThread *t, const uint64_t *a);
int64_t sys_set_tid_address(UserThread *t, const uint64_t *a);
int64_t sys_getrandom(UserThread *t, const uint64_t *a);
int64_t sys_prctl(UserThread *t, const uint64_t *a);
int64_t sys_personality(UserThread *t, const uint64_t *a);
int64_t sys_exit(UserThread *t, const uint64_t *a);
int64_t sys_exit_group(UserThread *t, const uint64_t *a);

/* syscall-signal.c: dispositions, masks, waiting for and sending signals, timers. */
int64_t sys_rt_sigaction(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigprocmask(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigpending(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigsuspend(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigtimedwait(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigqueueinfo(UserThread *t, const uint64_t *a);
int64_t sys_rt_tgsigqueueinfo(UserThread *t, const uint64_t *a);
int64_t sys_rt_sigreturn(UserThread *t, const uint64_t *a);
int64_t sys_restart_syscall(UserThread *t, const uint64_t *a);
int64_t sys_sigaltstack(UserThread *t, const uint64_t *a);
int64_t sys_kill(UserThread *t, const uint64_t *a);
int64_t sys_tkill(UserThread *t, const uint64_t *a);
int64_t sys_tgkill(UserThread *t, const uint64_t *a);
int64_t sys_signalfd4(UserThread *t, const uint64_t *a);
int64_t sys_getitimer(UserThread *t, const uint64_t *a);
int64_t sys_setitimer(UserThread *t, const uint64_t *a);
int64_t sys_timer_create(UserThread *t, const uint64_t *a);
int64_t sys_timer_settime(UserThread *t, const uint64_t *a);
int64_t sys_timer_gettime(UserThread *t, const uint64_t *a);
int64_t sys_timer_getoverrun(UserThread *t, const uint64_t *a);
int64_t sys_timer_delete(UserThread *t, const uint64_t *a);

/* syscall-clone.c: new threads and processes, and waiting for children. */
int64_t sys_clone(UserThread *t, const uint64_t *a);
int64_t sys_clone3(UserThread *t, const uint64_t *a);
int64_t sys_wait4(UserThread *t, const uint64_t *a);
int64_t sys_waitid(UserThread *t, const uint64_t *a);

/* syscall-socket.c: sockets (AF_UNIX pathnames resolved in the root). */
int64_t sys_socket(UserThread *t, const uint64_t *a);
int64_t sys_socketpair(UserThread *t, const uint64_t *a);
int64_t sys_bind(UserThread *t, const uint64_t *a);
int64_t sys_listen(UserThread *t, const uint64_t *a);
int64_t sys_accept(UserThread *t, const uint64_t *a);
int64_t sys_accept4(UserThread *t, const uint64_t *a);
int64_t sys_connect(UserThread *t, const uint64_t *a);
int64_t sys_getsockname(UserThread *t, const uint64_t *a);
int64_t sys_getpeername(UserThread *t, const uint64_t *a);
int64_t sys_sendto(UserThread *t, const uint64_t *a);
int64_t sys_recvfrom(UserThread *t, const uint64_t *a);
int64_t sys_shutdown(UserThread *t, const uint64_t *a);

/* syscall-exec.c: running another program. */
int64_t sys_execve(UserThread *t, const uint64_t *a);
int64_t sys_execveat(UserThread *t, const uint64_t *a);

/* futex.c: futexes and robust futex lists. */
int64_t sys_futex(UserThread *t, const uint64_t *a);
int64_t sys_set_robust_list(UserThread *t, const uint64_t *a);
int64_t sys_get_robust_list(UserThread *t, const uint64_t *a);

#endif

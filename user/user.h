/*
 * Linux user-mode emulation: one guest process per host process, its guest threads on
 * host threads. Everything here is ISA-neutral; a guest architecture plugs in through
 * UserArch (riscv64 now, aarch64 later share the generic Linux syscall table).
 *
 * Guest memory is one reserved host range (GuestSpace): guest address a lives at host
 * address base + a, every guest page has flags telling what the guest may do with it,
 * and the translator's user memory model confines every guest access to the range.
 */
#ifndef USER_USER_H
#define USER_USER_H

#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "accel/tcg/cpu.h"

#define GUEST_PAGE_BITS 12
#define GUEST_PAGE_SIZE (1ull << GUEST_PAGE_BITS)

/* Guest page flags (GuestSpace.page_flags). */
enum {
    PAGE_READ = 1 << 0,
    PAGE_WRITE = 1 << 1,
    PAGE_EXEC = 1 << 2,
    PAGE_VALID = 1 << 3,
    /* The guest may write, but the host page is write-protected because TBs were
     * translated from it: a write invalidates them and lifts the protection. */
    PAGE_WRITE_ORG = 1 << 4,
};

typedef struct GuestSpace {
    uint8_t *base;       /* host address of guest address 0 */
    uint64_t size;       /* guest addresses are [0, size); a guard page follows */
    uint8_t *page_flags; /* one byte per guest page */
    pthread_mutex_t lock; /* serialises mmap, munmap, mprotect, brk and flag changes */
    uint64_t brk_start, brk; /* the heap: [brk_start, brk) */
    uint64_t mmap_top;       /* new mappings without a hint are placed below this */
    TBCache *tbs; /* translations of guest code, invalidated when that code changes */
} GuestSpace;

struct UserThread;
struct GuestSigAction;
/* The confined view of the file system (user/fs-root.h). */
typedef struct UserRoot UserRoot;

/* What a guest architecture tells user mode. */
typedef struct UserArch {
    const char *name; /* as uname -m reports it, and for --arch */
    uint16_t elf_machine;
    const CPUClass *cpu_class;
    size_t cpu_size; /* bytes of the architecture's CPU struct ({CPUCommon; env}) */
    uint64_t (*hwcap)(void);
    /* Registers at process start: pc and stack pointer; others zero. */
    void (*cpu_start)(CPUCommon *cpu, uint64_t pc, uint64_t sp);
    /* Runs the thread's guest code: cpu_exec, syscalls, faults to signals. Returns
     * only when the thread exits. */
    void (*cpu_loop)(struct UserThread *t);
    /*
     * The registers of a new thread or forked child, whose env is a copy of its creator's
     * at the clone syscall: the syscall returns 0 to it, sp is its stack when nonzero, and
     * its thread pointer is tls when set_tls (CLONE_SETTLS).
     */
    void (*cpu_clone)(CPUCommon *cpu, uint64_t sp, bool set_tls, uint64_t tls);
    /* Guest signals (user/<arch>/signal.c): the code the trampoline page holds, which
     * calls rt_sigreturn; the guest stack pointer; the handler's frame for sig (false
     * when it cannot be written); rt_sigreturn; and the end of a syscall a signal
     * interrupted: run it again (pc back at the syscall instruction, first argument
     * register = arg0) or return ret. */
    const void *sigreturn_code;
    size_t sigreturn_code_size;
    uint64_t (*stack_pointer)(const CPUCommon *cpu);
    bool (*setup_frame)(struct UserThread *t, int sig, const siginfo_t *info,
                        const struct GuestSigAction *act, uint64_t saved_mask);
    int64_t (*sigreturn)(struct UserThread *t);
    void (*syscall_return)(struct UserThread *t, bool restart, uint64_t arg0, int64_t ret);
} UserArch;

/*
 * Guest signals (user/signal.c). Numbers are the generic ABI's, 1..64, the same as the
 * host's; a mask has bit sig - 1 for sig. siginfo_t is the host's: its layout is the
 * generic ABI's. Dispositions are per process, masks and the alternate stack per thread.
 */
#define GUEST_NSIG 64

/* The kernel's struct sigaction without sa_restorer (riscv64 has none). */
typedef struct GuestSigAction {
    uint64_t handler; /* a guest address, or SIG_DFL (0) / SIG_IGN (1) */
    uint64_t flags;   /* SA_*: the generic values are the host's */
    uint64_t mask;
} GuestSigAction;

/* stack_t, as sigaltstack and uc_stack lay it out. */
typedef struct GuestStack {
    uint64_t sp;
    int32_t flags;
    uint32_t pad;
    uint64_t size;
} GuestStack;

typedef struct UserSignalProcess {
    pthread_mutex_t lock; /* serialises changes of action[] and of the host's dispositions */
    GuestSigAction action[GUEST_NSIG];
    uint64_t trampoline; /* the guest page holding sigreturn_code: where handlers return */
} UserSignalProcess;

/*
 * A thread's signals. Signals wait in the host kernel (process- or thread-directed, real-
 * time ones queued) under a host mask that mirrors the guest's, so the kernel picks the
 * thread; the host handler moves one into info[] and sets wake, and host signals stay
 * blocked until the CPU loop has delivered it (user_signal_deliver).
 */
typedef struct UserSignalState {
    uint64_t blocked;         /* the guest's mask */
    _Atomic uint64_t pending; /* signals waiting in info[] */
    siginfo_t info[GUEST_NSIG];
    atomic_int wake; /* set by the host handler: something arrived, deliver before guest code */
    int forced;      /* a synchronous signal from the CPU, 0 for none */
    siginfo_t forced_info;
    bool bus_fault; /* the guest fault being raised was a host SIGBUS (file mapping past EOF) */
    /* rt_sigsuspend, ppoll, pselect6: the mask to restore after their temporary one. */
    bool restore_mask;
    uint64_t saved_mask;
    /* A syscall -EINTR ended with a signal pending: -ERESTART* until delivery decides. */
    bool in_syscall;
    int64_t syscall_ret;
    uint64_t syscall_arg0;
    GuestStack altstack; /* flags hold SS_DISABLE or SS_AUTODISARM as set */
} UserSignalState;

/*
 * Guest instruction counting (user/icount.c), set up from UserIcountConfig: the process
 * tree's shared counter (NULL: not counting), its fd, which the guest cannot use
 * (user/fd-reserved.h), and whether this process prints the tree's total when it
 * ends (the one `paddock run --insn-report` started, through its execs, not its forks).
 */
typedef struct UserIcountConfig {
    int fd;         /* --insn-count-fd: an open shared file holding an InsnPool, or -1 */
    uint64_t limit; /* --insn-limit: set in the pool; 0 leaves the pool's own */
    bool report;    /* --insn-report */
} UserIcountConfig;

typedef struct UserIcount {
    struct InsnPool *pool;
    int fd;
    bool report;
    char *exec_arg; /* "--insn-count-fd=N" for a re-executed emulator */
} UserIcount;

typedef struct UserProcess {
    const UserArch *arch;
    GuestSpace space;
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TBCache *tbs;
    char *sysroot;  /* -L: absolute guest paths are tried under it first, or NULL */
    UserRoot *root; /* --root: every guest path is resolved below it, or NULL (never with -L) */
    /* The guest program for /proc/self/exe: as the host names it, or with a root, as the
     * guest does (guest-absolute: host paths never name the guest's files then). */
    char *exe_path;
    char *execfn;   /* the path the program was started with (AT_EXECFN) */
    GByteArray *auxv; /* the auxiliary vector given to the guest, for /proc/self/auxv */
    GByteArray *cmdline; /* the guest's argv, each NUL-terminated, for /proc/self/cmdline */
    /* Syscall numbers already reported as unimplemented (syscall.c); the last bit stands
     * for every number too large for the others. */
    _Atomic uint64_t syscall_warned[8];
    atomic_int exit_group; /* set once exit_group has been called */
    /* Threads (user/thread.c): every live guest thread, under thread_lock. */
    pthread_mutex_t thread_lock;
    struct UserThread *threads; /* linked by UserThread.next */
    int nthreads;
    /* This emulator as the host names it, run again by a guest execve of a guest program
     * (user/syscall-exec.c); NULL when it could not be found at start. */
    char *host_exe;
    UserSignalProcess sig; /* guest signal dispositions (user/signal.c) */
    UserIcount icount;     /* instruction counting (user/icount.c) */
} UserProcess;

typedef struct UserThread {
    UserProcess *proc;
    CPUCommon *cpu;
    int tid;                  /* the host thread's id: guest thread ids are host ones */
    uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID */
    /* Threads (user/thread.c, user/futex.c). */
    struct UserThread *next; /* in proc->threads */
    uint64_t robust_list;    /* set_robust_list: walked when the thread exits */
    UserSignalState sig;     /* guest signal mask, pending signals, altstack (user/signal.c) */
} UserThread;

/* Guest memory. */
bool guest_space_init(GuestSpace *gs, uint64_t size, GError **errp);
void guest_space_destroy(GuestSpace *gs);

static inline void *g2h(const GuestSpace *gs, uint64_t addr)
{
    return gs->base + addr;
}

static inline uint64_t h2g(const GuestSpace *gs, const void *p)
{
    return (uint64_t)((const uint8_t *)p - gs->base);
}

/*
 * Whether every page of [addr, addr + len) is valid with at least the prot flags. Asking
 * for PAGE_WRITE lifts the write protection of pages holding translated code (their TBs
 * are invalidated), so that the host kernel and host code can write them.
 */
bool guest_access_ok(GuestSpace *gs, uint64_t addr, uint64_t len, unsigned prot);
/* A host pointer to a guest buffer the guest may access with prot, or NULL (EFAULT). */
void *lock_user(UserThread *t, uint64_t addr, uint64_t len, unsigned prot);
/* A host pointer to a readable NUL-terminated guest string, or NULL (EFAULT). */
const char *lock_user_string(UserThread *t, uint64_t addr);

/*
 * The mmap family on guest addresses; results are guest addresses or -errno. prot and
 * flags are Linux's generic values (the same numbers as the x86-64 host's); fd is a host
 * file descriptor. Nothing is ever mapped outside the guest space.
 */
int64_t guest_mmap(GuestSpace *gs, uint64_t addr, uint64_t len, int prot, int flags, int fd,
                   int64_t offset);
int64_t guest_munmap(GuestSpace *gs, uint64_t addr, uint64_t len);
int64_t guest_mprotect(GuestSpace *gs, uint64_t addr, uint64_t len, int prot);
int64_t guest_mremap(GuestSpace *gs, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                     int flags, uint64_t new_addr);
int64_t guest_brk(GuestSpace *gs, uint64_t new_brk);

/*
 * The host path for a guest path: with a sysroot, an absolute path that exists under it
 * is taken from there; otherwise the path as given. Returns a string to free. Never used
 * with a root (p->root), whose files are reached through user/fs-root.h only.
 */
char *user_path(UserProcess *p, const char *guest_path);

/* Syscalls: the generic Linux table (asm-generic/unistd.h) shared by riscv64 and aarch64. */
typedef int64_t (*SyscallFn)(UserThread *t, const uint64_t *args);

/*
 * One row of the syscall table (user/syscall-table.c). fn NULL: a number Linux assigns that
 * user mode does not implement (-ENOSYS). args and ret drive PADDOCK_LOG=syscall tracing:
 * one letter per argument (d int, l long, u unsigned, x hex, o octal, f dirfd, s string,
 * b buffer whose length is the next argument) and the result's (0 decimal, x hex, o octal,
 * ? never returns).
 */
typedef struct SyscallDef {
    unsigned nr;
    const char *name;
    SyscallFn fn;
    const char *args;
    char ret;
} SyscallDef;

/* Runs syscall nr with its six argument registers; returns the guest's result (-errno). */
int64_t user_syscall(UserThread *t, unsigned nr, const uint64_t *args);

/*
 * Process and thread lifetime (user/process.c, user/thread.c). exit_group flushes the
 * emulator's stdio and ends the host process, and with it every guest thread, blocked in
 * a host syscall or not; exiting one thread releases what it holds (robust futexes,
 * clear_child_tid) and ends its host thread, or the process when it was the last.
 */
_Noreturn void user_exit_group(UserThread *t, int status);
_Noreturn void user_exit_thread(UserThread *t, int status);

/* The guest thread running on the calling host thread, or NULL. */
UserThread *user_current_thread(void);
/*
 * Binds t to the calling host thread (for the host signal handlers, which also get their
 * alternate signal stack here) and gives the host thread the mask that mirrors t's guest
 * mask; every guest thread calls it before running guest code, and user_thread_detach
 * before its host thread ends (which blocks host signals and hands back to the process
 * those t had taken in but not delivered).
 */
bool user_thread_attach(UserThread *t, GError **errp);
void user_thread_detach(UserThread *t);

/*
 * Guest signals (user/signal.c, user/signal-host.c).
 *
 * user_signals_init installs the host handlers and the trampoline page, and takes the
 * guest's initial dispositions from the host's (an execve keeps ignored signals).
 * user_signal_thread_init gives a new thread, before it runs, its creator's mask and
 * altstack (Linux clears the altstack of a CLONE_VM child: clear_altstack), or with no
 * parent the host thread's mask (the first thread: an execve keeps the mask). A forked
 * child forgets the signals its parent had taken in (user_signal_after_fork).
 */
bool user_signals_init(UserProcess *p, GError **errp);
void user_signal_thread_init(UserThread *t, const UserThread *parent, bool clear_altstack);
void user_signal_after_fork(UserThread *t);

/*
 * A synchronous guest signal raised by the CPU loop (illegal instruction, breakpoint):
 * signo, si_code and si_addr. As Linux's force_sig_fault, a blocked or ignored signal
 * is unblocked and reset to SIG_DFL first, so that it ends the process.
 */
void user_force_signal(UserThread *t, int signo, int si_code, uint64_t addr);
/* A refused guest access at addr: SIGSEGV (SEGV_MAPERR or SEGV_ACCERR by the page's
 * flags), or SIGBUS BUS_ADRERR when the host raised SIGBUS (a file mapping past EOF). */
void user_force_memory_fault(UserThread *t, uint64_t addr);

/* Whether the CPU loop must call user_signal_deliver before running guest code again. */
static inline bool user_signal_work(UserThread *t)
{
    const UserSignalState *s = &t->sig;
    return atomic_load_explicit(&s->wake, memory_order_relaxed) || s->forced || s->in_syscall ||
           s->restore_mask || (atomic_load(&s->pending) & ~s->blocked);
}

/* Delivers what is pending: default actions, or frames for guest handlers. */
void user_signal_deliver(UserThread *t);

/*
 * The CPU loop's filter on every syscall result (but rt_sigreturn's): -EINTR with a
 * signal pending becomes a restart code, which user_signal_deliver turns into a restart
 * of the call (UserArch.syscall_return) or -EINTR, as Linux's SA_RESTART rules have it.
 */
int64_t user_signal_syscall_result(UserThread *t, unsigned nr, const uint64_t *args, int64_t ret);

/*
 * A host syscall that may block, made so that a guest signal cannot slip in between the
 * last check and the wait: if one arrives before the host kernel has started the call,
 * it returns -EINTR without making it. Returns the raw result (-errno on failure).
 */
int64_t user_safe_syscall(UserThread *t, long nr, long a1, long a2, long a3, long a4, long a5,
                          long a6);

/*
 * A wait with a temporary guest mask (rt_sigsuspend, ppoll, pselect6, epoll_pwait): begin
 * installs mask, keeping the old one to restore, and gives the host mask to wait with;
 * false when a signal the mask lets through already waits in user mode (the call then
 * returns -EINTR at once). end restores the old mask unless the call returned -EINTR, in
 * which case the handler's frame holds it and sigreturn restores it.
 */
bool user_sigmask_begin(UserThread *t, uint64_t mask, uint64_t *host_mask);
void user_sigmask_end(UserThread *t, int64_t ret);

/*
 * Instruction counting (user/icount.c); each does nothing when p->icount.pool is NULL.
 * thread_init attaches a new thread's vCPU to the pool; after_fork makes a forked child
 * start with no budget and not report; thread_exit settles an ending thread, end the
 * whole process as it ends (exit_group, a fatal signal; prints the report), exec before
 * a host execve (exec_args adds the counter's options to a re-executed emulator's).
 * expired ends the process as if killed by SIGXCPU when the pool is exhausted (the CPU
 * loop's EXCP_ICOUNT). syscall comes before every syscall of a counting process: it ends
 * the process as expired does when another process exhausted the pool, and gives the
 * thread's budget back before a wait (for children, a futex, ...: whoever it waits for may
 * need it).
 */
void user_icount_thread_init(UserThread *t);
void user_icount_after_fork(UserThread *t);
void user_icount_thread_exit(UserThread *t);
void user_icount_end(UserThread *t);
void user_icount_exec(UserThread *t);
void user_icount_exec_args(UserProcess *p, GPtrArray *args);
_Noreturn void user_icount_expired(UserThread *t);
void user_icount_syscall(UserThread *t, unsigned nr, const uint64_t *args);

/* A host errno as the guest sees it (-errno); the generic ABI numbers match x86-64's. */
static inline int64_t host_to_guest_errno(int err)
{
    return -(int64_t)err;
}

#endif

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
} UserArch;

typedef struct UserProcess {
    const UserArch *arch;
    GuestSpace space;
    TCGCodeBuffer *cb;
    TCGBackend *be;
    TBCache *tbs;
    char *sysroot;  /* -L: absolute guest paths are tried under it first, or NULL */
    char *exe_path; /* the guest program as the host names it, for /proc/self/exe */
    char *execfn;   /* the path the program was started with (AT_EXECFN) */
    GByteArray *auxv; /* the auxiliary vector given to the guest, for /proc/self/auxv */
    GByteArray *cmdline; /* the guest's argv, each NUL-terminated, for /proc/self/cmdline */
    /* Syscall numbers already reported as unimplemented (syscall.c); the last bit stands
     * for every number too large for the others. */
    _Atomic uint64_t syscall_warned[8];
    atomic_int exit_group; /* set once exit_group has been called */
    atomic_int nthreads;   /* live guest threads */
} UserProcess;

typedef struct UserThread {
    UserProcess *proc;
    CPUCommon *cpu;
    int tid;
    uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID */
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
 * is taken from there; otherwise the path as given. Returns a string to free.
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
 * Process and thread lifetime (user/process.c). Exit flushes the emulator's stdio and
 * ends the host process; exiting the last thread ends the process too.
 */
_Noreturn void user_exit_group(UserThread *t, int status);
_Noreturn void user_exit_thread(UserThread *t, int status);

/* The guest thread running on the calling host thread, or NULL. */
UserThread *user_current_thread(void);
/*
 * Binds t to the calling host thread (for the host fault handler, which also gets its
 * alternate signal stack here); every guest thread calls it before running guest code,
 * and user_thread_detach before its host thread ends.
 */
bool user_thread_attach(UserThread *t, GError **errp);
void user_thread_detach(UserThread *t);

/*
 * A synchronous guest signal raised by the CPU loop (illegal instruction, fault,
 * breakpoint): signo, si_code and the faulting address as siginfo reports them. For now
 * it reports the signal and ends the process with status 128 + signo; with guest signal
 * delivery it will queue the signal and return.
 */
void user_force_signal(UserThread *t, int signo, int si_code, uint64_t addr);

/* A host errno as the guest sees it (-errno); the generic ABI numbers match x86-64's. */
static inline int64_t host_to_guest_errno(int err)
{
    return -(int64_t)err;
}

#endif

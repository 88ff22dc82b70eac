/*
 * What the files of the user-mode core share and nobody else needs: page flag access,
 * the write protection of pages holding translated code, the ELF loader's results and the
 * initial stack. The public contract (user.h) stays what syscall handlers use.
 *
 * Locking: gs->lock is taken inside the TB cache's lock (the translator fetches code
 * while holding the cache lock), so code holding gs->lock never calls into the TB cache;
 * it collects the range to invalidate and calls guest_invalidate after unlocking.
 */
#ifndef USER_USER_INTERNAL_H
#define USER_USER_INTERNAL_H

#include "user/user.h"

/* Lowest guest address a mapping may take (Linux's default vm.mmap_min_addr). */
#define GUEST_MMAP_MIN 0x10000ull
/* The initial stack: its size, and the gap left between it and the mmap area. */
#define GUEST_STACK_SIZE (8ull << 20)
#define GUEST_STACK_GAP  (128ull << 20)

static inline uint64_t guest_page_down(uint64_t a)
{
    return a & ~(GUEST_PAGE_SIZE - 1);
}

static inline uint64_t guest_page_up(uint64_t a)
{
    return (a + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);
}

/* Page flags are read without the lock (relaxed atomics) and written under it. */
static inline unsigned page_get_flags(const GuestSpace *gs, uint64_t addr)
{
    return __atomic_load_n(&gs->page_flags[addr >> GUEST_PAGE_BITS], __ATOMIC_RELAXED);
}

static inline void page_set_flags_one(GuestSpace *gs, uint64_t addr, unsigned flags)
{
    __atomic_store_n(&gs->page_flags[addr >> GUEST_PAGE_BITS], (uint8_t)flags, __ATOMIC_RELAXED);
}

/* Sets the flags of every page of [start, end) (page-aligned); under gs->lock. */
void page_set_flags(GuestSpace *gs, uint64_t start, uint64_t end, unsigned flags);
/* Whether no page of [start, end) is mapped; under gs->lock. */
bool page_range_free(const GuestSpace *gs, uint64_t start, uint64_t end);
/* Whether [addr, addr + len) lies inside the guest space. */
bool guest_range_valid(const GuestSpace *gs, uint64_t addr, uint64_t len);

/* The host protection of a guest page: readable whenever the guest may fetch from it. */
int guest_host_prot(unsigned flags);

/*
 * A range of guest code whose translations must go once gs->lock is released: grown by
 * guest_dirty_add, applied by guest_invalidate.
 */
typedef struct GuestDirty {
    uint64_t start, end;
} GuestDirty;

static inline void guest_dirty_add(GuestDirty *d, uint64_t start, uint64_t end)
{
    if (d->start == d->end) {
        d->start = start;
        d->end = end;
    } else {
        d->start = MIN(d->start, start);
        d->end = MAX(d->end, end);
    }
}

void guest_invalidate(GuestSpace *gs, const GuestDirty *d);

/*
 * Lifts the write protection of the page at addr that holds translated code (PAGE_WRITE_ORG):
 * the host page becomes writable again and the page joins d. Under gs->lock.
 */
void guest_page_unprotect_locked(GuestSpace *gs, uint64_t addr, GuestDirty *d);

/* How a vCPU in this process reaches guest memory outside translated code. */
extern const CPUMemoryOps user_memory_ops;

/* One loaded ELF image, every address biased. */
typedef struct UserImage {
    uint64_t bias;
    uint64_t entry;
    uint64_t phdr; /* where the program headers are in guest memory (AT_PHDR) */
    uint64_t phnum;
    uint64_t end; /* end of the highest segment */
} UserImage;

typedef struct UserLoadInfo {
    UserImage prog;
    UserImage interp;
    bool has_interp;
    bool exec_stack; /* PT_GNU_STACK asks for an executable stack */
} UserLoadInfo;

/*
 * Opens the program file path names, read-only and close-on-exec: with a root, path is a
 * guest path (relative ones from the guest's cwd) looked up below it; otherwise the host
 * path as given. The fd or -errno.
 */
int user_open_exec(UserProcess *p, const char *path);

/*
 * Maps the program at p->exe_path (and its interpreter, through user_path or the root)
 * into p->space and sets the heap after it. Errors are USER_ERROR_*.
 */
bool user_load_program(UserProcess *p, UserLoadInfo *info, GError **errp);

/* Sets up instruction counting for p as cfg says (nothing when cfg is NULL or asks for
 * nothing): the shared counter mapped, its fd moved out of the guest's way. */
bool user_icount_init(UserProcess *p, const UserIcountConfig *cfg, GError **errp);

/*
 * Maps the initial stack at the top of the guest space and fills it as Linux does: argc,
 * argv, envp and auxv, strings above; keeps a copy of auxv in p->auxv. Returns the stack
 * pointer in *sp.
 */
bool user_setup_stack(UserProcess *p, const UserLoadInfo *info, char **argv, char **envp,
                      uint64_t *sp, GError **errp);

/* Installs the host SIGSEGV/SIGBUS handler, once per process. */
bool user_host_signals_init(GError **errp);

/* A clone or clone3 call, both normalised to this (user/syscall-clone.c). */
typedef struct UserCloneArgs {
    uint64_t flags;      /* CLONE_*, without the exit signal */
    int exit_signal;     /* sent to the parent when a forked child ends */
    uint64_t sp;         /* the child's stack pointer, or 0 to keep the parent's */
    uint64_t tls;        /* the child's thread pointer, with CLONE_SETTLS */
    uint64_t parent_tid; /* guest address for CLONE_PARENT_SETTID */
    uint64_t child_tid;  /* guest address for CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID */
} UserCloneArgs;

/*
 * Threads (user/thread.c). A thread's UserThread and vCPU are made by its creator; the
 * thread itself joins proc->threads (user_thread_enlist) once it knows its host tid.
 */
UserThread *user_thread_new(UserProcess *p);
void user_thread_free(UserThread *t);
void user_thread_enlist(UserThread *t);
/* A guest thread on a new host thread, as clone with CLONE_THREAD makes it: its tid, or
 * -errno. Returns once the child's tid is written where ca asks for it. */
int64_t user_thread_create(UserThread *parent, const UserCloneArgs *ca);
/* What a new thread or forked child does to itself before running guest code: registers
 * (UserArch.cpu_clone), CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID. */
void user_clone_child_setup(UserThread *t, const UserCloneArgs *ca);
/* Writes tid to the guest int at addr (CLONE_*_SETTID); a bad address is ignored, as
 * Linux does. */
void user_put_tid(UserThread *t, uint64_t addr, int tid);

/*
 * A host fork() of a process whose other threads may hold the emulator's locks: prepare
 * takes them all (TB cache, guest space, exclusive section, thread list, log stream),
 * parent releases them, child releases them and forgets the threads that did not come
 * along, so that no flush waits for them and the forking thread is the only one.
 * prepare fails (errno set, no lock held) when it cannot copy a split code buffer for
 * the child: then do not fork.
 */
bool user_fork_prepare(UserProcess *p);
void user_fork_parent(UserProcess *p);
void user_fork_child(UserThread *t);
/* Every live thread's user_futex_exit_robust, for exit_group. */
void user_threads_exit_robust(UserProcess *p);

/*
 * Futexes a thread leaves behind (user/futex.c). exit_robust walks its set_robust_list
 * list and marks each futex it holds FUTEX_OWNER_DIED, waking a waiter, as Linux does
 * when a thread dies; clear_child_tid zeroes *clear_child_tid and wakes its waiter
 * (pthread_join).
 */
void user_futex_exit_robust(UserThread *t);
void user_futex_clear_child_tid(UserThread *t);

#endif

/*
 * Futexes, and the robust futex list a thread leaves behind when it dies.
 *
 * Guest memory is host memory (guest address a is host address base + a), and guest
 * threads are host threads, so the host kernel's futexes serve the guest directly: a
 * futex call becomes the same call on the host address, whether the waiter and the waker
 * are threads of this process or processes sharing the memory. What is left here is what
 * the host kernel would otherwise see as host pointers: every guest address is checked
 * (EINVAL when misaligned, EFAULT when the guest may not access it) before its host
 * address is handed over, and the timeout is copied out of guest memory (struct timespec
 * is the same on every 64-bit ABI). Futex words of PI futexes hold thread ids, which are
 * host tids already. Operations that wait go through user_safe_syscall, so that a guest
 * signal arriving just before the wait interrupts it rather than waiting with it.
 *
 * The robust list cannot be handed to the host kernel: its links are guest pointers. It is
 * kept per thread (set_robust_list) and walked here when the thread exits or the process
 * ends, marking each futex the thread still holds FUTEX_OWNER_DIED and waking a waiter,
 * as Linux's exit_robust_list does; the walk is bounded and every link is checked.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "user/user-internal.h"
#include "vmcore/thread.h"

/* struct robust_list_head: list.next, futex_offset, list_op_pending; 64-bit each. The
 * walk is bounded by Linux's ROBUST_LIST_LIMIT (linux/futex.h). */
enum { ROBUST_HEAD_SIZE = 24, ROBUST_HEAD_OFFSET = 8, ROBUST_HEAD_PENDING = 16 };

_Static_assert(sizeof(struct timespec) == 16, "host struct timespec differs");

/* What a futex operation does with its arguments. */
typedef struct FutexOp {
    bool known;
    bool waits;          /* may block; argument 3 is its timeout, else a count or unused */
    uint8_t uaddr_prot;  /* how the kernel reaches uaddr */
    uint8_t uaddr2_prot; /* and uaddr2; 0 when unused */
} FutexOp;

static const FutexOp futex_ops[] = {
    [FUTEX_WAIT] = {true, true, PAGE_READ, 0},
    [FUTEX_WAKE] = {true, false, PAGE_READ, 0},
    [FUTEX_REQUEUE] = {true, false, PAGE_READ, PAGE_READ},
    [FUTEX_CMP_REQUEUE] = {true, false, PAGE_READ, PAGE_READ},
    [FUTEX_WAKE_OP] = {true, false, PAGE_READ, PAGE_WRITE},
    [FUTEX_LOCK_PI] = {true, true, PAGE_WRITE, 0},
    [FUTEX_UNLOCK_PI] = {true, false, PAGE_WRITE, 0},
    [FUTEX_TRYLOCK_PI] = {true, false, PAGE_WRITE, 0},
    [FUTEX_WAIT_BITSET] = {true, true, PAGE_READ, 0},
    [FUTEX_WAKE_BITSET] = {true, false, PAGE_READ, 0},
    [FUTEX_WAIT_REQUEUE_PI] = {true, true, PAGE_READ, PAGE_WRITE},
    [FUTEX_CMP_REQUEUE_PI] = {true, false, PAGE_READ, PAGE_WRITE},
    [FUTEX_LOCK_PI2] = {true, true, PAGE_WRITE, 0},
};

/* The host address of the futex word at addr: 0, or -EINVAL / -EFAULT. */
static int64_t futex_word(UserThread *t, uint64_t addr, unsigned prot, uint32_t **out)
{
    if (addr & (sizeof(uint32_t) - 1)) {
        return host_to_guest_errno(EINVAL);
    }
    *out = lock_user(t, addr, sizeof(uint32_t), prot);
    return *out ? 0 : host_to_guest_errno(EFAULT);
}

static long host_futex(uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2,
                       uint32_t *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

/* Argument 3 for the host: a copy of the guest's timeout, or the count as it is. */
static int64_t futex_arg3(UserThread *t, const FutexOp *fo, uint64_t arg, struct timespec *ts,
                          const void **out)
{
    *out = (const void *)(uintptr_t)arg;
    if (!fo->waits || !arg) {
        return 0;
    }
    const void *p = lock_user(t, arg, sizeof(*ts), PAGE_READ);
    if (!p) {
        return host_to_guest_errno(EFAULT);
    }
    memcpy(ts, p, sizeof(*ts));
    *out = ts;
    return 0;
}

int64_t sys_futex(UserThread *t, const uint64_t *a)
{
    int op = (int)a[1];
    unsigned cmd = (unsigned)op & FUTEX_CMD_MASK;
    if (cmd >= G_N_ELEMENTS(futex_ops) || !futex_ops[cmd].known) {
        return host_to_guest_errno(ENOSYS);
    }
    const FutexOp *fo = &futex_ops[cmd];
    uint32_t *uaddr = NULL, *uaddr2 = NULL;
    int64_t err = futex_word(t, a[0], fo->uaddr_prot, &uaddr);
    if (!err && fo->uaddr2_prot) {
        err = futex_word(t, a[4], fo->uaddr2_prot, &uaddr2);
    }
    struct timespec ts;
    const void *arg3 = NULL;
    if (!err) {
        err = futex_arg3(t, fo, a[3], &ts, &arg3);
    }
    if (err) {
        return err;
    }
    if (fo->waits) {
        return sys_neg_errno(user_safe_syscall(t, SYS_futex, (long)uaddr, op, (uint32_t)a[2],
                                               (long)arg3, (long)uaddr2, (uint32_t)a[5]));
    }
    return sys_result(host_futex(uaddr, op, (uint32_t)a[2], arg3, uaddr2, (uint32_t)a[5]));
}

int64_t sys_set_robust_list(UserThread *t, const uint64_t *a)
{
    if (a[1] != ROBUST_HEAD_SIZE) {
        return host_to_guest_errno(EINVAL);
    }
    t->robust_list = a[0];
    return 0;
}

/* The robust list head of thread tid of this process (0: the caller): 0, or -ESRCH. */
static int64_t robust_head_of(UserThread *t, int tid, uint64_t *head)
{
    if (tid == 0 || tid == t->tid) {
        *head = t->robust_list;
        return 0;
    }
    UserProcess *p = t->proc;
    int64_t ret = host_to_guest_errno(ESRCH);
    mutex_lock(&p->thread_lock);
    for (UserThread *o = p->threads; o; o = o->next) {
        if (o->tid == tid) {
            *head = o->robust_list;
            ret = 0;
            break;
        }
    }
    mutex_unlock(&p->thread_lock);
    return ret;
}

/* Only this process's threads: another process's list is in its own guest memory. */
int64_t sys_get_robust_list(UserThread *t, const uint64_t *a)
{
    uint64_t head;
    int64_t err = robust_head_of(t, (int)a[0], &head);
    if (err) {
        return err;
    }
    void *head_p = lock_user(t, a[1], sizeof(uint64_t), PAGE_WRITE);
    void *len_p = lock_user(t, a[2], sizeof(uint64_t), PAGE_WRITE);
    if (!head_p || !len_p) {
        return host_to_guest_errno(EFAULT);
    }
    uint64_t len = ROBUST_HEAD_SIZE;
    memcpy(head_p, &head, sizeof(head));
    memcpy(len_p, &len, sizeof(len));
    return 0;
}

static void futex_wake_one(uint32_t *word)
{
    /* Nothing to do if it fails: the word is valid, so there was no one to wake. */
    (void)host_futex(word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* A guest pointer stored at addr, its low bit (a PI futex) split off; false on a fault. */
static bool robust_fetch(UserThread *t, uint64_t addr, uint64_t *entry, bool *pi)
{
    const void *p = lock_user(t, addr, sizeof(uint64_t), PAGE_READ);
    if (!p) {
        return false;
    }
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    *entry = v & ~1ull;
    *pi = v & 1;
    return true;
}

/*
 * Linux's handle_futex_death: if the futex at addr is held by t, mark it OWNER_DIED
 * (keeping FUTEX_WAITERS) and wake a waiter of a non-PI futex (PI waiters are the host
 * kernel's, which handles them when the host thread exits). pending: this is the entry
 * t was locking or unlocking when it died. False when the word cannot be reached.
 */
static bool futex_owner_died(UserThread *t, uint64_t addr, bool pi, bool pending)
{
    uint32_t *word;
    if (futex_word(t, addr, PAGE_WRITE, &word)) {
        return false;
    }
    uint32_t uval = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    do {
        if (pending && !pi && !uval) {
            futex_wake_one(word);
            return true;
        }
        if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid) {
            return true;
        }
    } while (!__atomic_compare_exchange_n(word, &uval, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED,
                                          false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    if (!pi && (uval & FUTEX_WAITERS)) {
        futex_wake_one(word);
    }
    return true;
}

/* Walks the list from head, as Linux's exit_robust_list, at most ROBUST_LIST_LIMIT entries. */
static void robust_list_walk(UserThread *t, uint64_t head)
{
    uint64_t entry, pending;
    bool pi, pending_pi;
    const int64_t *off_p = lock_user(t, head + ROBUST_HEAD_OFFSET, sizeof(int64_t), PAGE_READ);
    if (!off_p || !robust_fetch(t, head, &entry, &pi) ||
        !robust_fetch(t, head + ROBUST_HEAD_PENDING, &pending, &pending_pi)) {
        return;
    }
    int64_t offset;
    memcpy(&offset, off_p, sizeof(offset));
    for (unsigned n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
        uint64_t next;
        bool next_pi;
        bool linked = robust_fetch(t, entry, &next, &next_pi);
        if (entry != pending && !futex_owner_died(t, entry + (uint64_t)offset, pi, false)) {
            return;
        }
        if (!linked) {
            return;
        }
        entry = next;
        pi = next_pi;
    }
    if (pending) {
        futex_owner_died(t, pending + (uint64_t)offset, pending_pi, true);
    }
}

void user_futex_exit_robust(UserThread *t)
{
    uint64_t head = t->robust_list;
    t->robust_list = 0;
    if (head) {
        robust_list_walk(t, head);
    }
}

/* Linux's mm_release: the guest's pthread_join waits on this word with FUTEX_WAIT. */
void user_futex_clear_child_tid(UserThread *t)
{
    uint32_t *word;
    uint64_t addr = t->clear_child_tid;
    t->clear_child_tid = 0;
    if (addr && !futex_word(t, addr, PAGE_WRITE, &word)) {
        __atomic_store_n(word, 0, __ATOMIC_SEQ_CST);
        futex_wake_one(word);
    }
}

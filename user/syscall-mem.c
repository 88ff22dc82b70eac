/*
 * The guest address space: brk and the mmap family go to guest_mmap & co (mmap.c), whose
 * results are guest addresses or -errno. The generic and x86-64 ABIs share the PROT_, MAP_,
 * MREMAP_, MADV_ and MS_ numbers, and on 64-bit mmap's offset is in bytes.
 *
 * Advice that only tunes performance is accepted and dropped, and so are the mlock
 * family's requests (guest memory is the emulator's to page). MADV_DONTNEED changes what
 * the guest reads, so it goes to the host on the guest range: private anonymous pages read
 * back as zeros, file pages as the file; translations of code there are dropped with them.
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <limits.h>
#include <sys/mman.h>

int64_t sys_brk(UserThread *t, const uint64_t *a)
{
    return sys_neg_errno(guest_brk(&t->proc->space, a[0]));
}

int64_t sys_mmap(UserThread *t, const uint64_t *a)
{
    return sys_neg_errno(
        guest_mmap(&t->proc->space, a[0], a[1], (int)a[2], (int)a[3], (int)a[4], (int64_t)a[5]));
}

int64_t sys_munmap(UserThread *t, const uint64_t *a)
{
    return sys_neg_errno(guest_munmap(&t->proc->space, a[0], a[1]));
}

int64_t sys_mprotect(UserThread *t, const uint64_t *a)
{
    return sys_neg_errno(guest_mprotect(&t->proc->space, a[0], a[1], (int)a[2]));
}

int64_t sys_mremap(UserThread *t, const uint64_t *a)
{
    if (a[3] > INT_MAX) { /* flags is an unsigned long: no bit above those known is valid */
        return host_to_guest_errno(EINVAL);
    }
    return sys_neg_errno(guest_mremap(&t->proc->space, a[0], a[1], a[2], (int)a[3], a[4]));
}

/*
 * The page-rounded length of [addr, addr + len), which must start on a page and lie in
 * mapped guest memory: the length, -EINVAL or -ENOMEM as Linux reports them.
 */
static int64_t mapped_range(GuestSpace *gs, uint64_t addr, uint64_t len)
{
    uint64_t alen = (len + GUEST_PAGE_SIZE - 1) & ~(GUEST_PAGE_SIZE - 1);
    if ((addr & (GUEST_PAGE_SIZE - 1)) || alen < len) {
        return host_to_guest_errno(EINVAL);
    }
    if (!guest_access_ok(gs, addr, alen, 0)) {
        return host_to_guest_errno(ENOMEM);
    }
    return (int64_t)alen;
}

int64_t sys_madvise(UserThread *t, const uint64_t *a)
{
    GuestSpace *gs = &t->proc->space;
    int64_t len = mapped_range(gs, a[0], a[1]);
    if (len <= 0 || (int)a[2] != MADV_DONTNEED) {
        return len < 0 ? len : 0;
    }
    if (madvise(g2h(gs, a[0]), (size_t)len, MADV_DONTNEED) < 0) {
        return sys_result(-1);
    }
    if (gs->tbs) {
        tb_invalidate_range(gs->tbs, a[0], a[0] + (uint64_t)len);
    }
    return 0;
}

int64_t sys_msync(UserThread *t, const uint64_t *a)
{
    GuestSpace *gs = &t->proc->space;
    int64_t len = mapped_range(gs, a[0], a[1]);
    if (len <= 0) {
        return len;
    }
    return sys_result(msync(g2h(gs, a[0]), (size_t)len, (int)a[2]));
}

/* mlock, munlock, mlockall, munlockall, mlock2. */
int64_t sys_mlock_accept(UserThread *t, const uint64_t *a)
{
    return 0;
}

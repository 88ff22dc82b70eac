/*
 * mmap, munmap, mprotect, mremap and brk on guest addresses, with Linux's semantics,
 * inside the reservation of guest-space.c.
 *
 * Invariant: every host page of the reservation is always mapped, by a guest mapping or
 * by a PROT_NONE placeholder, so that host allocations never land inside it. Unmapping
 * therefore maps a placeholder back (never munmap); replacing a guest mapping maps over
 * it (MAP_FIXED) or moves a new mapping into place (mremap MREMAP_FIXED), and the host
 * calls that must leave a hole for a moment (mremap's source) fill it straight away with
 * MAP_FIXED_NOREPLACE, which refuses to clobber anything that got there first.
 *
 * All of it runs under gs->lock; translations of code on pages that change are
 * invalidated after the lock is dropped (lock order: see user-internal.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "user/user-internal.h"
#include "vmcore/thread.h"

/* mmap flags passed on to the host; the others are refused or have no meaning here. */
#define MMAP_HOST_FLAGS                                                                     \
    (MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE | MAP_LOCKED | MAP_NONBLOCK | MAP_STACK | \
     MAP_SYNC)
#define GUEST_PROT_MASK (PROT_READ | PROT_WRITE | PROT_EXEC)
#ifndef PROT_SEM
#define PROT_SEM 0x8 /* accepted and ignored, as on every Linux but alpha */
#endif

/* Maps the PROT_NONE placeholder over [start, start + len); 0 or an errno. */
static int reserve_range(GuestSpace *gs, uint64_t start, uint64_t len)
{
    void *p = mmap(g2h(gs, start), len, PROT_NONE,
                   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? errno : 0;
}

/* Fills a hole that a host mremap just left in the reservation. */
static void fill_hole(GuestSpace *gs, uint64_t start, uint64_t len)
{
    void *want = g2h(gs, start);
    void *p = mmap(want, len, PROT_NONE,
                   MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != want) {
        g_error("user: cannot fill guest range %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
                "x after mremap: %s",
                start, len, p == MAP_FAILED ? g_strerror(errno) : "host mapping in the way");
    }
}

/* Forgets the pages of [start, end), remembering those that may hold translations. */
static void clear_flags(GuestSpace *gs, uint64_t start, uint64_t end, GuestDirty *d)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        if (page_get_flags(gs, a) & PAGE_EXEC) {
            guest_dirty_add(d, a, a + GUEST_PAGE_SIZE);
        }
        page_set_flags_one(gs, a, 0);
    }
}

/*
 * The highest free range of len bytes below gs->mmap_top, or 0. Flags are scanned a word
 * (8 pages) at a time where they are all free or all mapped.
 */
static uint64_t find_free(const GuestSpace *gs, uint64_t len)
{
    const uint64_t valid8 = 0x0101010101010101ull * PAGE_VALID;
    uint64_t npages = len >> GUEST_PAGE_BITS, lo = GUEST_MMAP_MIN >> GUEST_PAGE_BITS;
    uint64_t p = gs->mmap_top >> GUEST_PAGE_BITS, run = 0;
    while (p > lo) {
        uint64_t w;
        if ((p & 7) == 0 && p - 8 >= lo) {
            memcpy(&w, &gs->page_flags[p - 8], 8);
            if (w == 0 || (w & valid8) == valid8) {
                p -= 8;
                run = w ? 0 : run + 8;
                if (run >= npages) {
                    return (p + run - npages) << GUEST_PAGE_BITS;
                }
                continue;
            }
        }
        p--;
        run = gs->page_flags[p] & PAGE_VALID ? 0 : run + 1;
        if (run >= npages) {
            return p << GUEST_PAGE_BITS;
        }
    }
    return 0;
}

/* Where a mapping of len bytes without MAP_FIXED goes: the hint if usable, else a search. */
static uint64_t place_mapping(const GuestSpace *gs, uint64_t hint, uint64_t len)
{
    hint = guest_page_up(hint);
    if (hint >= GUEST_MMAP_MIN && guest_range_valid(gs, hint, len) &&
        page_range_free(gs, hint, hint + len)) {
        return hint;
    }
    return find_free(gs, len);
}

/*
 * Puts a host mapping at guest [start, start + len). Over placeholders it maps in place;
 * over guest mappings it builds the new mapping elsewhere and moves it in, so that a
 * failure leaves the old mapping intact. Returns 0 or an errno.
 */
static int map_host(GuestSpace *gs, uint64_t start, uint64_t len, int prot, int flags, int fd,
                    int64_t offset, bool replacing)
{
    void *dst = g2h(gs, start);
    if (!replacing) {
        if (mmap(dst, len, prot, flags | MAP_FIXED, fd, offset) == MAP_FAILED) {
            int err = errno;
            reserve_range(gs, start, len);
            return err;
        }
        return 0;
    }
    void *tmp = mmap(NULL, len, prot, flags, fd, offset);
    if (tmp == MAP_FAILED) {
        return errno;
    }
    if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst) == MAP_FAILED) {
        int err = errno;
        munmap(tmp, len);
        return err;
    }
    return 0;
}

/* Checks mmap's arguments; 0 or a negative errno. */
static int mmap_check(uint64_t addr, uint64_t len, int flags, int64_t offset)
{
    int type = flags & MAP_TYPE;
    if (len == 0 || (offset & (int64_t)(GUEST_PAGE_SIZE - 1))) {
        return -EINVAL;
    }
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
        return -EINVAL;
    }
    if (!(flags & MAP_ANONYMOUS) && offset < 0) {
        return -EINVAL;
    }
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (GUEST_PAGE_SIZE - 1))) {
        return -EINVAL;
    }
    return 0;
}

/* The guest range a mapping takes, or a negative errno. Under the lock. */
static int64_t mmap_place(GuestSpace *gs, uint64_t addr, uint64_t len, int flags)
{
    if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
        uint64_t start = place_mapping(gs, addr, len);
        return start ? (int64_t)start : -ENOMEM;
    }
    if (!guest_range_valid(gs, addr, len)) {
        return -ENOMEM;
    }
    if (addr < GUEST_MMAP_MIN) {
        return -EPERM;
    }
    if ((flags & MAP_FIXED_NOREPLACE) && !page_range_free(gs, addr, addr + len)) {
        return -EEXIST;
    }
    return (int64_t)addr;
}

int64_t guest_mmap(GuestSpace *gs, uint64_t addr, uint64_t len, int prot, int flags, int fd,
                   int64_t offset)
{
    int err = mmap_check(addr, len, flags, offset);
    if (err) {
        return err;
    }
    uint64_t alen = guest_page_up(len);
    if (alen < len || alen > gs->size) {
        return -ENOMEM;
    }
    prot &= GUEST_PROT_MASK;
    unsigned pflags = PAGE_VALID | (unsigned)prot; /* PROT_* and PAGE_* bits agree */
    int hflags = (flags & (MAP_TYPE | MMAP_HOST_FLAGS));
    bool anon = flags & MAP_ANONYMOUS;
    GuestDirty d = {0};

    mutex_lock(&gs->lock);
    int64_t start = mmap_place(gs, addr, alen, flags);
    if (start >= 0) {
        bool replacing = !page_range_free(gs, (uint64_t)start, (uint64_t)start + alen);
        err = map_host(gs, (uint64_t)start, alen, guest_host_prot(pflags), hflags, anon ? -1 : fd,
                       anon ? 0 : offset, replacing);
        if (err) {
            start = -err;
        } else {
            clear_flags(gs, (uint64_t)start, (uint64_t)start + alen, &d);
            page_set_flags(gs, (uint64_t)start, (uint64_t)start + alen, pflags);
        }
    }
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return start;
}

/* Unmaps [start, start + len) (page-aligned, inside the space); 0 or a negative errno. */
static int unmap_locked(GuestSpace *gs, uint64_t start, uint64_t len, GuestDirty *d)
{
    if (page_range_free(gs, start, start + len)) {
        return 0;
    }
    int err = reserve_range(gs, start, len);
    if (err) {
        return -err;
    }
    clear_flags(gs, start, start + len, d);
    return 0;
}

int64_t guest_munmap(GuestSpace *gs, uint64_t addr, uint64_t len)
{
    uint64_t alen = guest_page_up(len);
    if ((addr & (GUEST_PAGE_SIZE - 1)) || len == 0 || alen < len ||
        !guest_range_valid(gs, addr, alen)) {
        return -EINVAL;
    }
    GuestDirty d = {0};
    mutex_lock(&gs->lock);
    int err = unmap_locked(gs, addr, alen, &d);
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return err;
}

static bool range_mapped(const GuestSpace *gs, uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        if (!(page_get_flags(gs, a) & PAGE_VALID)) {
            return false;
        }
    }
    return true;
}

int64_t guest_mprotect(GuestSpace *gs, uint64_t addr, uint64_t len, int prot)
{
    if ((addr & (GUEST_PAGE_SIZE - 1)) ||
        (prot & ~(GUEST_PROT_MASK | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))) {
        return -EINVAL;
    }
    if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) {
        return -EINVAL;
    }
    uint64_t alen = guest_page_up(len);
    if (len == 0) {
        return 0;
    }
    if (alen < len || !guest_range_valid(gs, addr, alen)) {
        return -ENOMEM;
    }
    unsigned nf = PAGE_VALID | (unsigned)(prot & GUEST_PROT_MASK);
    GuestDirty d = {0};
    int64_t ret = 0;
    mutex_lock(&gs->lock);
    if (!range_mapped(gs, addr, addr + alen)) {
        ret = -ENOMEM;
    } else if (mprotect(g2h(gs, addr), alen, guest_host_prot(nf)) != 0) {
        ret = -errno;
    } else {
        for (uint64_t a = addr; a < addr + alen; a += GUEST_PAGE_SIZE) {
            unsigned old = page_get_flags(gs, a);
            if ((old & PAGE_EXEC) && old != nf) {
                guest_dirty_add(&d, a, a + GUEST_PAGE_SIZE);
            }
            page_set_flags_one(gs, a, nf);
        }
    }
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return ret;
}

/* Lifts code write protection over a range about to move, so its host pages merge again. */
static void unprotect_range_locked(GuestSpace *gs, uint64_t start, uint64_t end, GuestDirty *d)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        guest_page_unprotect_locked(gs, a, d);
    }
}

/*
 * Moves the mapping at old (old_len bytes) to dst, resized to new_len; dst must not
 * overlap it. Whatever was at dst is replaced. Returns dst or a negative errno.
 */
static int64_t move_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                           uint64_t dst, GuestDirty *d)
{
    unprotect_range_locked(gs, old, old + old_len, d);
    if (mremap(g2h(gs, old), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(gs, dst)) ==
        MAP_FAILED) {
        return -errno;
    }
    fill_hole(gs, old, old_len);
    clear_flags(gs, dst, dst + new_len, d);
    for (uint64_t i = 0; i < new_len; i += GUEST_PAGE_SIZE) {
        uint64_t from = old + MIN(i, old_len - GUEST_PAGE_SIZE);
        page_set_flags_one(gs, dst + i, page_get_flags(gs, from));
    }
    clear_flags(gs, old, old + old_len, d);
    return (int64_t)dst;
}

/* Grows the mapping at old in place into the free pages after it, through a detour. */
static int64_t grow_in_place_locked(GuestSpace *gs, uint64_t old, uint64_t old_len,
                                    uint64_t new_len, GuestDirty *d)
{
    uint64_t tmp = find_free(gs, new_len);
    if (!tmp) {
        return -ENOMEM;
    }
    int64_t r = move_locked(gs, old, old_len, new_len, tmp, d);
    if (r < 0) {
        return r;
    }
    r = move_locked(gs, tmp, new_len, new_len, old, d);
    if (r < 0) {
        g_error("user: mremap back into place at %#" G_GINT64_MODIFIER "x failed: %s", old,
                g_strerror((int)-r));
    }
    return r;
}

static int64_t mremap_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                             int flags, uint64_t new_addr, GuestDirty *d)
{
    if (!range_mapped(gs, old, old + old_len)) {
        return -EFAULT;
    }
    if (flags & MREMAP_FIXED) {
        if ((new_addr & (GUEST_PAGE_SIZE - 1)) || !guest_range_valid(gs, new_addr, new_len) ||
            (new_addr < old + old_len && old < new_addr + new_len)) {
            return -EINVAL;
        }
        if (new_addr < GUEST_MMAP_MIN) {
            return -EPERM;
        }
        return move_locked(gs, old, old_len, new_len, new_addr, d);
    }
    if (new_len <= old_len) {
        int err = unmap_locked(gs, old + new_len, old_len - new_len, d);
        return err ? err : (int64_t)old;
    }
    if (guest_range_valid(gs, old, new_len) && page_range_free(gs, old + old_len, old + new_len)) {
        return grow_in_place_locked(gs, old, old_len, new_len, d);
    }
    if (!(flags & MREMAP_MAYMOVE)) {
        return -ENOMEM;
    }
    uint64_t dst = find_free(gs, new_len);
    return dst ? move_locked(gs, old, old_len, new_len, dst, d) : -ENOMEM;
}

int64_t guest_mremap(GuestSpace *gs, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                     int flags, uint64_t new_addr)
{
    if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) || (old_addr & (GUEST_PAGE_SIZE - 1))) {
        return -EINVAL; /* MREMAP_DONTUNMAP is not supported */
    }
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) {
        return -EINVAL;
    }
    uint64_t olen = guest_page_up(old_len), nlen = guest_page_up(new_len);
    if (olen < old_len || nlen < new_len || nlen == 0 || olen == 0) {
        return -EINVAL; /* old_len 0 (duplicating a shared mapping) is not supported */
    }
    if (!guest_range_valid(gs, old_addr, olen)) {
        return -EFAULT;
    }
    if (nlen > gs->size) {
        return -ENOMEM;
    }
    GuestDirty d = {0};
    mutex_lock(&gs->lock);
    int64_t r = mremap_locked(gs, old_addr, olen, nlen, flags, new_addr, &d);
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return r;
}

/* Zeroes [from, to) inside the heap's last page, which the guest may have dirtied. */
static void brk_zero_tail(GuestSpace *gs, uint64_t from, uint64_t to, GuestDirty *d)
{
    unsigned f = page_get_flags(gs, from);
    if ((f & (PAGE_VALID | PAGE_WRITE)) != (PAGE_VALID | PAGE_WRITE)) {
        return;
    }
    guest_page_unprotect_locked(gs, from, d);
    memset(g2h(gs, from), 0, to - from);
}

static uint64_t brk_locked(GuestSpace *gs, uint64_t new_brk, GuestDirty *d)
{
    uint64_t cur = gs->brk;
    if (new_brk < gs->brk_start || new_brk > gs->mmap_top) {
        return cur;
    }
    uint64_t old_top = guest_page_up(cur), new_top = guest_page_up(new_brk);
    if (new_top > old_top) {
        if (!page_range_free(gs, old_top, new_top) ||
            map_host(gs, old_top, new_top - old_top, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, false) != 0) {
            return cur;
        }
        page_set_flags(gs, old_top, new_top, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    } else if (new_top < old_top && unmap_locked(gs, new_top, old_top - new_top, d) != 0) {
        return cur;
    }
    if (new_brk > cur && cur < old_top) {
        brk_zero_tail(gs, cur, MIN(new_brk, old_top), d);
    }
    gs->brk = new_brk;
    return new_brk;
}

int64_t guest_brk(GuestSpace *gs, uint64_t new_brk)
{
    GuestDirty d = {0};
    mutex_lock(&gs->lock);
    uint64_t r = brk_locked(gs, new_brk, &d);
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
    return (int64_t)r;
}

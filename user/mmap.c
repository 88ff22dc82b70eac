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
 * mremap: the guest sees one range where the host may have several mappings (a MAP_FIXED
 * over the middle of a mapping, a mapping moved next to another), and the host moves or
 * grows only one mapping at a time. Moves therefore go host mapping by host mapping, each
 * through a place the host picks outside the reservation, and are undone if one fails.
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

/*
 * A range of the reservation cannot get its placeholder back: the host is out of memory, or
 * a host mapping took the hole. Guest memory could no longer be kept apart from the
 * emulator's, so the process stops. No guest argument leads here, only a failing host.
 */
static void reservation_broken(uint64_t start, uint64_t len, const char *why)
{
    g_error("user: cannot keep guest range %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
            "x reserved: %s",
            start, len, why);
}

/* Fills a hole that a host mremap just left in the reservation. */
static void fill_hole(GuestSpace *gs, uint64_t start, uint64_t len)
{
    void *want = g2h(gs, start);
    void *p = mmap(want, len, PROT_NONE,
                   MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != want) {
        reservation_broken(start, len,
                           p == MAP_FAILED ? g_strerror(errno) : "host mapping in the way");
    }
}

/* Maps the placeholder back over a range a failed host mremap may have unmapped. */
static void restore_reservation(GuestSpace *gs, uint64_t start, uint64_t len)
{
    int err = reserve_range(gs, start, len);
    if (err) {
        reservation_broken(start, len, g_strerror(err));
    }
}

/* Adds the pages of [start, end) that may hold translations to d. */
static void dirty_exec(const GuestSpace *gs, uint64_t start, uint64_t end, GuestDirty *d)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        if (page_get_flags(gs, a) & PAGE_EXEC) {
            guest_dirty_add(d, a, a + GUEST_PAGE_SIZE);
        }
    }
}

/* Forgets the pages of [start, end), remembering those that may hold translations. */
static void clear_flags(GuestSpace *gs, uint64_t start, uint64_t end, GuestDirty *d)
{
    dirty_exec(gs, start, end, d);
    page_set_flags(gs, start, end, 0);
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
    if (len == 0 || len > gs->mmap_top - GUEST_MMAP_MIN) {
        return 0;
    }
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

/* Unmaps what is left of a host mapping mremap took out of the reservation. */
static void unmap_spare(void *p, uint64_t len)
{
    if (len && munmap(p, len) != 0) {
        g_warning("user: munmap of %#" G_GINT64_MODIFIER "x bytes left over by mremap: %s", len,
                  g_strerror(errno));
    }
}

/*
 * Puts the first len bytes of the host mapping at tmp (tlen bytes, taken from guest src) back
 * at src after they could not reach their destination; false when that fails too and they
 * are gone (src then holds a placeholder).
 */
static bool put_back(GuestSpace *gs, uint8_t *tmp, uint64_t tlen, uint64_t len, uint64_t src)
{
    if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(gs, src)) != MAP_FAILED) {
        unmap_spare(tmp + len, tlen - len);
        return true;
    }
    restore_reservation(gs, src, len);
    unmap_spare(tmp, tlen);
    return false;
}

/*
 * Moves guest [src, src + len) to dst, grown by grow bytes the way the host grows a mapping
 * (zero pages, or more of the file). The pages go through a place the host picks outside the
 * reservation, because without MREMAP_FIXED the host moves exactly one of its mappings or
 * nothing (EFAULT when the range spans several), where MREMAP_FIXED may move several and
 * stop half way (Linux 6.17). Without MREMAP_FIXED the host moves only for a new size or
 * MREMAP_DONTUNMAP, so the first step takes at least a page more, dropped by the second.
 * keep_src (MREMAP_DONTUNMAP, grow 0) leaves the source mapped (private anonymous pages come
 * back empty); otherwise it gets its placeholder back. Returns 0, or an errno with nothing moved,
 * or with *lost set when the pages could not be put back either and are gone.
 */
static int host_move_piece(GuestSpace *gs, uint64_t src, uint64_t len, uint64_t grow, uint64_t dst,
                           bool keep_src, bool *lost)
{
    uint64_t tlen = keep_src ? len : len + MAX(grow, GUEST_PAGE_SIZE);
    int flags = MREMAP_MAYMOVE | (keep_src ? MREMAP_DONTUNMAP : 0);
    uint8_t *tmp = mremap(g2h(gs, src), len, tlen, flags, NULL);
    if (tmp == MAP_FAILED) {
        return errno;
    }
    if (!keep_src) {
        fill_hole(gs, src, len);
    }
    if (mremap(tmp, tlen, len + grow, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(gs, dst)) != MAP_FAILED) {
        return 0;
    }
    int err = errno;
    restore_reservation(gs, dst, len + grow); /* the host may have unmapped it before failing */
    *lost = !put_back(gs, tmp, tlen, len, src);
    return err;
}

/* How far a host move got: done bytes moved, then lost bytes gone; err is 0 when all moved. */
typedef struct MoveProgress {
    uint64_t done, lost;
    int err;
} MoveProgress;

/*
 * Moves guest [src, src + len) to dst one host mapping at a time: a part the host refuses
 * with EFAULT spans several, so it is halved until it fits in the first. The last part grows
 * by grow bytes. Stops at the first other error.
 */
static MoveProgress host_move(GuestSpace *gs, uint64_t src, uint64_t len, uint64_t grow,
                              uint64_t dst, bool keep_src)
{
    MoveProgress mp = {0};
    while (mp.done < len && !mp.err) {
        uint64_t rest = len - mp.done, part = rest;
        bool lost = false;
        while ((mp.err = host_move_piece(gs, src + mp.done, part, part == rest ? grow : 0,
                                         dst + mp.done, keep_src, &lost)) == EFAULT &&
               !lost && part > GUEST_PAGE_SIZE) {
            part = guest_page_up(part / 2);
        }
        if (mp.err) {
            mp.lost = lost ? part : 0;
        } else {
            mp.done += part;
        }
    }
    return mp;
}

/*
 * The page flags after n bytes moved from src to dst and grow bytes more mapped after them,
 * which take the flags of the last page. The source pages are forgotten or, with keep_src,
 * stay mapped; either way their contents may have changed, so their translations go (d[0]).
 */
static void flags_moved(GuestSpace *gs, uint64_t src, uint64_t dst, uint64_t n, uint64_t grow,
                        bool keep_src, GuestDirty *d)
{
    if (n == 0) {
        return;
    }
    for (uint64_t i = 0; i < n; i += GUEST_PAGE_SIZE) {
        page_set_flags_one(gs, dst + i, page_get_flags(gs, src + i));
    }
    page_set_flags(gs, dst + n, dst + n + grow, page_get_flags(gs, src + n - GUEST_PAGE_SIZE));
    if (keep_src) {
        dirty_exec(gs, src, src + n, &d[0]);
    } else {
        clear_flags(gs, src, src + n, &d[0]);
    }
}

/*
 * After a failed move (fwd) from old to dst: what moved goes back. Should the host fail
 * again, what stayed at dst counts as moved, its source unmapped (where MREMAP_DONTUNMAP
 * left it mapped), and what the host lost on the way is unmapped on both sides.
 */
static void move_undo(GuestSpace *gs, uint64_t old, uint64_t dst, const MoveProgress *fwd,
                      bool keep_src, GuestDirty *d)
{
    MoveProgress back = {0};
    if (fwd->done) {
        back = host_move(gs, dst, fwd->done, 0, old, false);
    }
    uint64_t stayed = back.done + back.lost; /* [stayed, fwd->done) remains at dst */
    if (keep_src && stayed < fwd->done) {
        restore_reservation(gs, old + stayed, fwd->done - stayed);
    }
    clear_flags(gs, old + back.done, old + stayed, &d[0]);
    flags_moved(gs, old + stayed, dst + stayed, fwd->done - stayed, 0, false, d);
    clear_flags(gs, old + fwd->done, old + fwd->done + fwd->lost, &d[0]);
}

/*
 * Moves the mapped range [old, old + old_len) to the free range at dst (not overlapping it),
 * grown to new_len >= old_len; keep_src for MREMAP_DONTUNMAP. When the host fails part way,
 * what moved is moved back, so that the guest finds its memory where it was. Returns dst or
 * -errno.
 */
static int64_t move_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                           uint64_t dst, bool keep_src, GuestDirty *d)
{
    unprotect_range_locked(gs, old, old + old_len, &d[0]);
    MoveProgress fwd = host_move(gs, old, old_len, new_len - old_len, dst, keep_src);
    if (fwd.err) {
        move_undo(gs, old, dst, &fwd, keep_src, d);
        return -fwd.err;
    }
    flags_moved(gs, old, dst, old_len, new_len - old_len, keep_src, d);
    return (int64_t)dst;
}

/*
 * Grows the mapping that ends at old + old_len into the free pages after it: their
 * placeholder goes, and the host grows its mapping that holds the last page in place.
 */
static int64_t grow_in_place_locked(GuestSpace *gs, uint64_t old, uint64_t old_len,
                                    uint64_t new_len, GuestDirty *d)
{
    uint64_t last = old + old_len - GUEST_PAGE_SIZE, grow = new_len - old_len;
    guest_page_unprotect_locked(gs, last, d);
    if (munmap(g2h(gs, old + old_len), grow) != 0) {
        return -errno;
    }
    if (mremap(g2h(gs, last), GUEST_PAGE_SIZE, GUEST_PAGE_SIZE + grow, 0) == MAP_FAILED) {
        int err = errno;
        fill_hole(gs, old + old_len, grow);
        return -err;
    }
    page_set_flags(gs, old + old_len, old + new_len, page_get_flags(gs, last));
    return (int64_t)old;
}

/*
 * mremap with old_len 0: a second mapping of the same shared object at dst (free). The host
 * refuses it for private mappings (EINVAL), as Linux does for the guest.
 */
static int64_t dup_locked(GuestSpace *gs, uint64_t old, uint64_t new_len, uint64_t dst,
                          GuestDirty *d)
{
    guest_page_unprotect_locked(gs, old, &d[0]);
    if (mremap(g2h(gs, old), 0, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(gs, dst)) ==
        MAP_FAILED) {
        int err = errno;
        restore_reservation(gs, dst, new_len);
        return -err;
    }
    page_set_flags(gs, dst, dst + new_len, page_get_flags(gs, old));
    return (int64_t)dst;
}

/* Whether the guest page at addr is mapped (Linux's vma_lookup). */
static bool page_mapped(const GuestSpace *gs, uint64_t addr)
{
    return addr < gs->size && (page_get_flags(gs, addr) & PAGE_VALID);
}

/* Whether all of [addr, addr + len) is mapped; len 0 asks about the page at addr. */
static bool old_range_mapped(const GuestSpace *gs, uint64_t addr, uint64_t len)
{
    if (len == 0) {
        return page_mapped(gs, addr);
    }
    return guest_range_valid(gs, addr, len) && range_mapped(gs, addr, addr + len);
}

/* mremap shrinking or keeping the size in place: the tail goes, mapped or not. */
static int64_t shrink_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                             GuestDirty *d)
{
    if (new_len == old_len) {
        return (int64_t)old;
    }
    if (!guest_range_valid(gs, old, old_len)) {
        return -EINVAL; /* as munmap of the tail would say */
    }
    int err = unmap_locked(gs, old + new_len, old_len - new_len, &d[0]);
    return err ? err : (int64_t)old;
}

/* mremap growing without a new address: in place if the pages after are free, else a move. */
static int64_t grow_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                           int flags, GuestDirty *d)
{
    if (old_len == 0) {
        if (!(flags & MREMAP_MAYMOVE)) {
            /* Never moves: EINVAL for a private mapping, else ENOMEM, as the host decides. */
            void *p = mremap(g2h(gs, old), 0, new_len, 0);
            return p == MAP_FAILED ? -errno : -ENOMEM;
        }
        uint64_t dst = find_free(gs, new_len);
        return dst ? dup_locked(gs, old, new_len, dst, d) : -ENOMEM;
    }
    if (!old_range_mapped(gs, old, old_len)) {
        return -EFAULT;
    }
    if (guest_range_valid(gs, old, new_len) && page_range_free(gs, old + old_len, old + new_len)) {
        return grow_in_place_locked(gs, old, old_len, new_len, &d[0]);
    }
    if (!(flags & MREMAP_MAYMOVE)) {
        return -ENOMEM;
    }
    uint64_t dst = find_free(gs, new_len);
    return dst ? move_locked(gs, old, old_len, new_len, dst, false, d) : -ENOMEM;
}

/* Checks the new range of MREMAP_FIXED or MREMAP_DONTUNMAP; 0 or a negative errno. */
static int mremap_to_check(const GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                           uint64_t new_addr)
{
    if ((new_addr & (GUEST_PAGE_SIZE - 1)) || !guest_range_valid(gs, new_addr, new_len)) {
        return -EINVAL;
    }
    if (old + old_len > new_addr && new_addr + new_len > old) {
        return -EINVAL; /* overlap, in Linux's words (old_len 0 at new_addr is no overlap) */
    }
    return 0;
}

/* The destination of MREMAP_FIXED (whatever was there unmapped) or MREMAP_DONTUNMAP. */
static int64_t mremap_dest(GuestSpace *gs, uint64_t new_len, int flags, uint64_t new_addr,
                           GuestDirty *d)
{
    if (!(flags & MREMAP_FIXED)) {
        uint64_t dst = place_mapping(gs, new_addr, new_len); /* new_addr is a hint */
        return dst ? (int64_t)dst : -ENOMEM;
    }
    if (new_addr < GUEST_MMAP_MIN) {
        return -EPERM;
    }
    int err = unmap_locked(gs, new_addr, new_len, &d[1]);
    return err ? err : (int64_t)new_addr;
}

/* mremap to a new address: MREMAP_FIXED, MREMAP_DONTUNMAP or both. */
static int64_t mremap_to_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                                int flags, uint64_t new_addr, GuestDirty *d)
{
    if (!old_range_mapped(gs, old, old_len)) {
        return -EFAULT;
    }
    int64_t dst = mremap_dest(gs, new_len, flags, new_addr, d);
    if (dst < 0) {
        return dst;
    }
    if (old_len == 0) {
        /* The new range may have covered the source (old_len 0 never overlaps). */
        return page_mapped(gs, old) ? dup_locked(gs, old, new_len, (uint64_t)dst, d) : -EFAULT;
    }
    if (old_len > new_len) {
        int err = unmap_locked(gs, old + new_len, old_len - new_len, &d[0]);
        if (err) {
            return err;
        }
        old_len = new_len;
    }
    return move_locked(gs, old, old_len, new_len, (uint64_t)dst, flags & MREMAP_DONTUNMAP, d);
}

/* Checks what Linux checks before looking at mappings; 0 or a negative errno. */
static int mremap_check(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags)
{
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        return -EINVAL;
    }
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) {
        return -EINVAL;
    }
    /* MREMAP_DONTUNMAP always moves and never resizes. */
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len)) {
        return -EINVAL;
    }
    if (old_addr & (GUEST_PAGE_SIZE - 1)) {
        return -EINVAL;
    }
    /* Lengths round up to pages, wrapping as Linux's do: new_len 0 is refused, old_len 0
     * asks for a duplicate of a shared mapping. */
    return guest_page_up(new_len) == 0 ? -EINVAL : 0;
}

static int64_t mremap_locked(GuestSpace *gs, uint64_t old, uint64_t old_len, uint64_t new_len,
                             int flags, uint64_t new_addr, GuestDirty *d)
{
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        int err = mremap_to_check(gs, old, old_len, new_len, new_addr);
        if (err) {
            return err;
        }
    }
    if (!page_mapped(gs, old)) {
        return -EFAULT;
    }
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        return mremap_to_locked(gs, old, old_len, new_len, flags, new_addr, d);
    }
    if (new_len <= old_len) {
        return shrink_locked(gs, old, old_len, new_len, d);
    }
    return grow_locked(gs, old, old_len, new_len, flags, d);
}

/*
 * Linux's mremap: shrink in place; grow in place into free pages; with MREMAP_MAYMOVE move to
 * a free range; MREMAP_FIXED to new_addr, replacing what is there; MREMAP_DONTUNMAP moves
 * and leaves the old range mapped, private anonymous pages empty (the host decides which
 * mappings allow it); old_len 0 duplicates a shared mapping. The old range must be mapped
 * (EFAULT otherwise), though it may span mappings Linux would have merged into one.
 */
int64_t guest_mremap(GuestSpace *gs, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
                     int flags, uint64_t new_addr)
{
    int err = mremap_check(old_addr, old_len, new_len, flags);
    if (err) {
        return err;
    }
    GuestDirty d[2] = {{0}}; /* translations to drop: around the old range, the new one */
    mutex_lock(&gs->lock);
    int64_t r = mremap_locked(gs, old_addr, guest_page_up(old_len), guest_page_up(new_len), flags,
                              new_addr, d);
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d[0]);
    guest_invalidate(gs, &d[1]);
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

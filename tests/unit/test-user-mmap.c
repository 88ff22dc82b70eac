/*
 * Unit tests for the user-mode address space (user/guest-space.c, user/mmap.c,
 * user/signal-host.c): placement, MAP_FIXED and its variants, file mappings, munmap
 * keeping the reservation, mprotect, mremap (in place, moving, over several host mappings,
 * MREMAP_FIXED and MREMAP_DONTUNMAP, duplicates, a host failing half way, random calls
 * against a model), brk, argument errors, lock_user_string at page ends, and the
 * self-modifying-code protection undone by a host write fault. No CPU runs here; the fault
 * path gets a process and thread of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "user/user-internal.h"

#define SPACE_SIZE (1ull << 32)
#define PG         GUEST_PAGE_SIZE
#define ANON       (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW         (PROT_READ | PROT_WRITE)

typedef struct Fixture {
    UserProcess p;
    UserThread t;
    GuestSpace *gs;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    f->gs = &f->p.space;
    f->t.proc = &f->p;
    g_assert_true(guest_space_init(f->gs, SPACE_SIZE, &err));
    g_assert_no_error(err);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    guest_space_destroy(f->gs);
}

/* Whether the host has something mapped at guest page addr (the reservation included). */
static bool host_mapped(GuestSpace *gs, uint64_t addr)
{
    void *want = g2h(gs, addr);
    void *p = mmap(want, PG, PROT_NONE, MAP_FIXED_NOREPLACE | ANON, -1, 0);
    if (p == want) {
        munmap(p, PG);
        return false;
    }
    return true;
}

static void test_placement(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    int64_t a = guest_mmap(gs, 0, 3 * PG, RW, ANON, -1, 0);
    int64_t b = guest_mmap(gs, 0, PG, RW, ANON, -1, 0);
    g_assert_cmpint(a, ==, (int64_t)(gs->mmap_top - 3 * PG));
    g_assert_cmpint(b, ==, a - (int64_t)PG);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)a), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    /* A free hint is taken, rounded up to a page; a busy one is not. */
    g_assert_cmpint(guest_mmap(gs, 0x100001, PG, RW, ANON, -1, 0), ==, 0x101000);
    int64_t c = guest_mmap(gs, 0x101000, PG, RW, ANON, -1, 0);
    g_assert_cmpint(c, !=, 0x101000);
    g_assert_cmpint(c, >, 0);
    /* Lengths are rounded up; unmapped holes are reused top-down. */
    g_assert_cmpint(guest_munmap(gs, (uint64_t)a + PG, PG), ==, 0);
    g_assert_cmpint(guest_mmap(gs, 0, 1, RW, ANON, -1, 0), ==, a + (int64_t)PG);
}

static void test_fixed(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t at = 0x200000;
    g_assert_cmpint(guest_mmap(gs, at, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)at);
    memset(g2h(gs, at), 0xaa, 2 * PG);
    g_assert_cmpint(guest_mmap(gs, at + PG, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0), ==,
                    -EEXIST);
    g_assert_cmpint(*(uint8_t *)g2h(gs, at + PG), ==, 0xaa);
    /* MAP_FIXED replaces: fresh zero page, new flags. */
    g_assert_cmpint(guest_mmap(gs, at + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ==,
                    (int64_t)(at + PG));
    g_assert_cmpint(*(uint8_t *)g2h(gs, at + PG), ==, 0);
    g_assert_cmpint(*(uint8_t *)g2h(gs, at), ==, 0xaa);
    g_assert_cmpuint(page_get_flags(gs, at + PG), ==, PAGE_VALID | PAGE_READ);
    /* Outside the space, below mmap_min_addr, misaligned. */
    g_assert_cmpint(guest_mmap(gs, SPACE_SIZE - PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==,
                    -ENOMEM);
    g_assert_cmpint(guest_mmap(gs, PG, PG, RW, ANON | MAP_FIXED, -1, 0), ==, -EPERM);
    g_assert_cmpint(guest_mmap(gs, at + 1, PG, RW, ANON | MAP_FIXED, -1, 0), ==, -EINVAL);
}

static void test_bad_args(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    g_assert_cmpint(guest_mmap(gs, 0, 0, RW, ANON, -1, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mmap(gs, 0, PG, RW, MAP_ANONYMOUS, -1, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mmap(gs, 0, PG, RW, ANON, -1, 123), ==, -EINVAL);
    g_assert_cmpint(guest_mmap(gs, 0, UINT64_MAX - 10, RW, ANON, -1, 0), ==, -ENOMEM);
    g_assert_cmpint(guest_mmap(gs, 0, PG, RW, MAP_PRIVATE, 12345, 0), ==, -EBADF);
    g_assert_cmpint(guest_munmap(gs, 1, PG), ==, -EINVAL);
    g_assert_cmpint(guest_munmap(gs, PG, 0), ==, -EINVAL);
    g_assert_cmpint(guest_munmap(gs, SPACE_SIZE, PG), ==, -EINVAL);
    g_assert_cmpint(guest_mprotect(gs, 0x300000, PG, PROT_READ), ==, -ENOMEM);
    g_assert_cmpint(guest_mprotect(gs, 0x300001, PG, PROT_READ), ==, -EINVAL);
    g_assert_cmpint(guest_mprotect(gs, 0x300000, PG, 0x100), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, 0x300000, PG, 2 * PG, MREMAP_MAYMOVE, 0), ==, -EFAULT);
    g_assert_cmpint(guest_mremap(gs, 0x300000, PG, 2 * PG, MREMAP_FIXED, 0x400000), ==, -EINVAL);
}

static void test_file(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    char path[] = "/tmp/paddock-test-mmap-XXXXXX";
    int fd = mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    g_autofree uint8_t *buf = g_malloc(3 * PG);
    for (size_t i = 0; i < 3 * PG; i++) {
        buf[i] = (uint8_t)(i / PG + 1);
    }
    g_assert_cmpint(write(fd, buf, 3 * PG), ==, (ssize_t)(3 * PG));
    int64_t a = guest_mmap(gs, 0, 2 * PG, PROT_READ, MAP_PRIVATE, fd, (int64_t)PG);
    g_assert_cmpint(a, >, 0);
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)a), ==, 2);
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)a + PG), ==, 3);
    /* Over an existing mapping, a failing file map leaves it alone. */
    int64_t b = guest_mmap(gs, (uint64_t)a, PG, RW, MAP_SHARED | MAP_FIXED, 999, 0);
    g_assert_cmpint(b, ==, -EBADF);
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)a), ==, 2);
    close(fd);
}

static void test_munmap_keeps_reservation(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    int64_t a = guest_mmap(gs, 0, 4 * PG, RW, ANON, -1, 0);
    g_assert_cmpint(guest_munmap(gs, (uint64_t)a + PG, 2 * PG), ==, 0);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)a + PG), ==, 0);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)a + 3 * PG), !=, 0);
    g_assert_true(host_mapped(gs, (uint64_t)a + PG));
    g_assert_false(guest_access_ok(gs, (uint64_t)a, 2 * PG, PAGE_READ));
    g_assert_true(guest_access_ok(gs, (uint64_t)a, PG, PAGE_READ | PAGE_WRITE));
    /* Unmapping nothing is fine. */
    g_assert_cmpint(guest_munmap(gs, 0x500000, PG), ==, 0);
}

static void test_mprotect(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    int64_t a = guest_mmap(gs, 0, 2 * PG, RW, ANON, -1, 0);
    g_assert_cmpint(guest_mprotect(gs, (uint64_t)a, PG, PROT_READ | PROT_EXEC), ==, 0);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)a), ==, PAGE_VALID | PAGE_READ | PAGE_EXEC);
    g_assert_false(guest_access_ok(gs, (uint64_t)a, 1, PAGE_WRITE));
    g_assert_true(guest_access_ok(gs, (uint64_t)a + PG, 1, PAGE_WRITE));
    /* Part of the range unmapped: ENOMEM, nothing changed. */
    g_assert_cmpint(guest_mprotect(gs, (uint64_t)a + PG, 2 * PG, PROT_NONE), ==, -ENOMEM);
    g_assert_true(guest_access_ok(gs, (uint64_t)a + PG, 1, PAGE_WRITE));
}

static void test_mremap(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x1000000;
    g_assert_cmpint(guest_mmap(gs, a, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    memset(g2h(gs, a), 0x5a, 2 * PG);
    /* Grow in place into free pages. */
    g_assert_cmpint(guest_mremap(gs, a, 2 * PG, 4 * PG, 0, 0), ==, (int64_t)a);
    g_assert_cmpint(*(uint8_t *)g2h(gs, a + PG), ==, 0x5a);
    g_assert_cmpint(*(uint8_t *)g2h(gs, a + 3 * PG), ==, 0);
    g_assert_true(guest_access_ok(gs, a, 4 * PG, PAGE_READ | PAGE_WRITE));
    /* Blocked: without MREMAP_MAYMOVE ENOMEM, with it a move. */
    g_assert_cmpint(guest_mmap(gs, a + 4 * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ==,
                    (int64_t)(a + 4 * PG));
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, 8 * PG, 0, 0), ==, -ENOMEM);
    int64_t b = guest_mremap(gs, a, 4 * PG, 8 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(b, >, 0);
    g_assert_cmpint(b, !=, (int64_t)a);
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)b), ==, 0x5a);
    g_assert_cmpuint(page_get_flags(gs, a), ==, 0);
    g_assert_true(host_mapped(gs, a));
    g_assert_true(guest_access_ok(gs, (uint64_t)b, 8 * PG, PAGE_WRITE));
    /* Shrink, then a fixed move. */
    g_assert_cmpint(guest_mremap(gs, (uint64_t)b, 8 * PG, PG, 0, 0), ==, b);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)b + PG), ==, 0);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)b, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, a), ==,
                    (int64_t)a);
    g_assert_cmpint(*(uint8_t *)g2h(gs, a), ==, 0x5a);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)b), ==, 0);
}

/* Fills n pages at guest a, page i with the byte seed + i. */
static void fill_pages(GuestSpace *gs, uint64_t a, unsigned n, unsigned seed)
{
    for (unsigned i = 0; i < n; i++) {
        memset(g2h(gs, a + i * PG), (int)(uint8_t)(seed + i), PG);
    }
}

/* Whether the n pages at guest a hold what fill_pages(seed) wrote (every byte). */
static bool pages_hold(GuestSpace *gs, uint64_t a, unsigned n, unsigned seed)
{
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *p = g2h(gs, a + i * PG);
        for (uint64_t j = 0; j < PG; j++) {
            if (p[j] != (uint8_t)(seed + i)) {
                return false;
            }
        }
    }
    return true;
}

static bool pages_zero(GuestSpace *gs, uint64_t a, unsigned n)
{
    const uint8_t *p = g2h(gs, a);
    for (uint64_t j = 0; j < n * PG; j++) {
        if (p[j]) {
            return false;
        }
    }
    return true;
}

/* Whether the n pages at a are unmapped for the guest and still reserved on the host. */
static bool pages_unmapped(GuestSpace *gs, uint64_t a, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (page_get_flags(gs, a + i * PG) != 0 || !host_mapped(gs, a + i * PG)) {
            return false;
        }
    }
    return true;
}

/*
 * Gives the n pages at guest a (mapped read-write) a host mapping of their own, filled with
 * fill_pages(seed): faulted in before it moves there, it has its own anon_vma and the host
 * never merges it with its neighbours. So does paddock's MAP_FIXED over part of a mapping
 * when the host mapping it builds elsewhere lands next to memory already in use.
 */
static void host_split(GuestSpace *gs, uint64_t a, unsigned n, unsigned seed)
{
    uint8_t *t = mmap(NULL, n * PG, RW, ANON, -1, 0);
    g_assert_true(t != MAP_FAILED);
    for (unsigned i = 0; i < n; i++) {
        memset(t + i * PG, (int)(uint8_t)(seed + i), PG);
    }
    g_assert_true(mremap(t, n * PG, n * PG, MREMAP_MAYMOVE | MREMAP_FIXED, g2h(gs, a)) ==
                  g2h(gs, a));
}

/*
 * A range the guest mapped as one but the host holds as several mappings (MAP_FIXED over the
 * middle): growing it in place and moving it work, as on Linux, which merges such mappings.
 */
static void test_mremap_split_mapping(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000, c = 0x3000000;
    g_assert_cmpint(guest_mmap(gs, a, 8 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    g_assert_cmpint(guest_mmap(gs, a + 3 * PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==,
                    (int64_t)(a + 3 * PG));
    fill_pages(gs, a, 8, 0x10);
    host_split(gs, a + 3 * PG, 2, 0x13);
    /* Moved (the bug: EFAULT, as the host refuses a range over several mappings). */
    g_assert_cmpint(guest_mmap(gs, a + 8 * PG, PG, RW, ANON | MAP_FIXED, -1, 0), >, 0);
    int64_t b = guest_mremap(gs, a, 8 * PG, 32 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(b, >, 0);
    g_assert_cmpint(b, !=, (int64_t)a);
    g_assert_true(pages_hold(gs, (uint64_t)b, 8, 0x10));
    g_assert_true(pages_zero(gs, (uint64_t)b + 8 * PG, 24));
    g_assert_true(guest_access_ok(gs, (uint64_t)b, 32 * PG, PAGE_READ | PAGE_WRITE));
    g_assert_true(pages_unmapped(gs, a, 8));
    /* Grown in place without MREMAP_MAYMOVE over three host mappings. */
    g_assert_cmpint(guest_mmap(gs, c, 6 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)c);
    fill_pages(gs, c, 6, 0x40);
    host_split(gs, c + 2 * PG, 1, 0x42);
    host_split(gs, c + 5 * PG, 1, 0x45);
    g_assert_cmpint(guest_mremap(gs, c, 6 * PG, 10 * PG, 0, 0), ==, (int64_t)c);
    g_assert_true(pages_hold(gs, c, 6, 0x40));
    g_assert_true(pages_zero(gs, c + 6 * PG, 4));
    /* Moved to a fixed place at the same size; protections go along page by page. */
    g_assert_cmpint(guest_mprotect(gs, c + 7 * PG, PG, PROT_READ), ==, 0);
    uint64_t to = 0x4000000;
    g_assert_cmpint(guest_mremap(gs, c, 10 * PG, 10 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to), ==,
                    (int64_t)to);
    g_assert_true(pages_hold(gs, to, 6, 0x40));
    g_assert_cmpuint(page_get_flags(gs, to + 7 * PG), ==, PAGE_VALID | PAGE_READ);
    g_assert_cmpuint(page_get_flags(gs, to + 8 * PG), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    g_assert_true(pages_unmapped(gs, c, 10));
}

/*
 * Growing in place where the free pages after the mapping are also the highest free range
 * (the bug: a detour through that range, then an overlapping move back, then an abort).
 */
static void test_mremap_grow_in_place(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = gs->mmap_top - 16 * PG;
    g_assert_cmpint(guest_mmap(gs, a, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 2, 0x20);
    g_assert_cmpint(guest_mremap(gs, a, 2 * PG, 12 * PG, 0, 0), ==, (int64_t)a);
    g_assert_true(pages_hold(gs, a, 2, 0x20));
    g_assert_true(pages_zero(gs, a + 2 * PG, 10));
    g_assert_true(guest_access_ok(gs, a, 12 * PG, PAGE_READ | PAGE_WRITE));
    g_assert_true(pages_unmapped(gs, a + 12 * PG, 4));
    /* As glibc's realloc does it: with MREMAP_MAYMOVE, still in place; also past mmap_top. */
    g_assert_cmpint(guest_mremap(gs, a, 12 * PG, 40 * PG, MREMAP_MAYMOVE, 0), ==, (int64_t)a);
    g_assert_true(pages_hold(gs, a, 2, 0x20));
    /* A read-only mapping grows read-only. */
    uint64_t r = 0x5000000;
    g_assert_cmpint(guest_mmap(gs, r, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ==, (int64_t)r);
    g_assert_cmpint(guest_mremap(gs, r, PG, 3 * PG, 0, 0), ==, (int64_t)r);
    g_assert_cmpuint(page_get_flags(gs, r + 2 * PG), ==, PAGE_VALID | PAGE_READ);
    g_assert_false(guest_access_ok(gs, r, 3 * PG, PAGE_WRITE));
}

static void test_mremap_shrink(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000;
    g_assert_cmpint(guest_mmap(gs, a, 8 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 8, 0x30);
    g_assert_cmpint(guest_mremap(gs, a, 8 * PG, 8 * PG, 0, 0), ==, (int64_t)a);
    g_assert_cmpint(guest_mremap(gs, a, 8 * PG, 5 * PG + 1, 0, 0), ==, (int64_t)a);
    g_assert_true(pages_hold(gs, a, 6, 0x30));
    g_assert_true(pages_unmapped(gs, a + 6 * PG, 2));
    /* Only the first page must be mapped to shrink: the tail goes, mapped or not. */
    g_assert_cmpint(guest_munmap(gs, a + 2 * PG, PG), ==, 0);
    g_assert_cmpint(guest_mremap(gs, a, 16 * PG, PG, MREMAP_MAYMOVE, 0), ==, (int64_t)a);
    g_assert_true(pages_hold(gs, a, 1, 0x30));
    g_assert_true(pages_unmapped(gs, a + PG, 15));
    /* A tail past the end of the space: EINVAL, as munmap of it would say. */
    g_assert_cmpint(guest_mremap(gs, a, SPACE_SIZE, PG, 0, 0), ==, -EINVAL);
    g_assert_true(pages_hold(gs, a, 1, 0x30));
}

static void test_mremap_fixed(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000, to = 0x3000000;
    g_assert_cmpint(guest_mmap(gs, a, 4 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 4, 0x50);
    g_assert_cmpint(guest_mmap(gs, to, 6 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ==,
                    (int64_t)to);
    /* Over an existing mapping, shrinking on the way: the old tail and the pages under the
     * new range go, the rest of the mapping there stays. */
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to + PG), ==,
                    (int64_t)(to + PG));
    g_assert_true(pages_hold(gs, to + PG, 2, 0x50));
    g_assert_cmpuint(page_get_flags(gs, to + PG), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    g_assert_cmpuint(page_get_flags(gs, to), ==, PAGE_VALID | PAGE_READ);
    g_assert_cmpuint(page_get_flags(gs, to + 3 * PG), ==, PAGE_VALID | PAGE_READ);
    g_assert_true(pages_unmapped(gs, a, 4));
    /* Growing on the way. */
    g_assert_cmpint(guest_mremap(gs, to + PG, 2 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a), ==,
                    (int64_t)a);
    g_assert_true(pages_hold(gs, a, 2, 0x50));
    g_assert_true(pages_zero(gs, a + 2 * PG, 3));
    g_assert_true(guest_access_ok(gs, a, 5 * PG, PAGE_WRITE));
    g_assert_true(pages_unmapped(gs, to + PG, 2));
    /* Overlapping ranges, either way round: EINVAL, nothing changes. */
    g_assert_cmpint(guest_mremap(gs, a, 5 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a + 4 * PG),
                    ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, 5 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a - PG), ==,
                    -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, 5 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a), ==,
                    -EINVAL);
    /* Misaligned, outside the space, below mmap_min_addr. */
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, to + 1), ==,
                    -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, SPACE_SIZE - PG),
                    ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, PG), ==, -EPERM);
    g_assert_true(pages_hold(gs, a, 2, 0x50));
    g_assert_cmpuint(page_get_flags(gs, a + 4 * PG), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
}

static void test_mremap_errors(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000;
    g_assert_cmpint(guest_mmap(gs, a, 4 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 4, 0x60);
    /* Arguments. */
    g_assert_cmpint(guest_mremap(gs, a + 1, PG, PG, 0, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, 8, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, -1, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, MREMAP_FIXED, 0x3000000), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, PG, MREMAP_DONTUNMAP, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), ==,
                    -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, 0, MREMAP_MAYMOVE, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, a, PG, UINT64_MAX - 10, MREMAP_MAYMOVE, 0), ==, -EINVAL);
    /* Not mapped: the first page, or a page of a range that grows or moves. */
    g_assert_cmpint(guest_mremap(gs, a + 4 * PG, PG, 2 * PG, MREMAP_MAYMOVE, 0), ==, -EFAULT);
    g_assert_cmpint(guest_mremap(gs, SPACE_SIZE + PG, PG, PG, 0, 0), ==, -EFAULT);
    g_assert_cmpint(guest_mremap(gs, a, 5 * PG, 8 * PG, MREMAP_MAYMOVE, 0), ==, -EFAULT);
    g_assert_cmpint(guest_mremap(gs, a, 5 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, 0x3000000),
                    ==, -EFAULT);
    g_assert_cmpint(guest_mremap(gs, a, UINT64_MAX - 2 * PG, UINT64_MAX - PG, MREMAP_MAYMOVE, 0),
                    ==, -EFAULT);
    /* No room: huge lengths, or blocked without MREMAP_MAYMOVE. */
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, 1ull << 62, MREMAP_MAYMOVE, 0), ==, -ENOMEM);
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, 1ull << 62, 0, 0), ==, -ENOMEM);
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, SPACE_SIZE, MREMAP_MAYMOVE, 0), ==, -ENOMEM);
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, SPACE_SIZE - PG, MREMAP_MAYMOVE, 0), ==, -ENOMEM);
    g_assert_cmpint(guest_mremap(gs, a, PG, 1ull << 62, MREMAP_MAYMOVE | MREMAP_FIXED, 0x3000000),
                    ==, -EINVAL);
    g_assert_cmpint(guest_mmap(gs, a + 4 * PG, PG, RW, ANON | MAP_FIXED, -1, 0), >, 0);
    g_assert_cmpint(guest_mremap(gs, a, 4 * PG, 6 * PG, 0, 0), ==, -ENOMEM);
    /* Nothing changed. */
    g_assert_true(pages_hold(gs, a, 4, 0x60));
    g_assert_true(guest_access_ok(gs, a, 5 * PG, PAGE_READ | PAGE_WRITE));
    g_assert_true(pages_unmapped(gs, a + 5 * PG, 1));
}

/* MREMAP_DONTUNMAP: the pages move, the old range stays mapped and reads as zero. */
static void test_mremap_dontunmap(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000, to = 0x3000000;
    g_assert_cmpint(guest_mmap(gs, a, 3 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 3, 0x70);
    int64_t b = guest_mremap(gs, a, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    if (b == -EINVAL) {
        g_test_skip("the host has no MREMAP_DONTUNMAP (Linux < 5.7)");
        return;
    }
    g_assert_cmpint(b, >, 0);
    g_assert_true(pages_hold(gs, (uint64_t)b, 3, 0x70));
    g_assert_true(pages_zero(gs, a, 3));
    g_assert_cmpuint(page_get_flags(gs, a), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    g_assert_true(guest_access_ok(gs, (uint64_t)b, 3 * PG, PAGE_WRITE));
    /* With MREMAP_FIXED, over a mapping. */
    g_assert_cmpint(guest_mmap(gs, to, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ==, (int64_t)to);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)b, 3 * PG, 3 * PG,
                                 MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, to),
                    ==, (int64_t)to);
    g_assert_true(pages_hold(gs, to, 3, 0x70));
    g_assert_true(pages_zero(gs, (uint64_t)b, 3));
    g_assert_cmpuint(page_get_flags(gs, to), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
}

/* Whether the host refuses to duplicate private mappings, as newer Linux does. */
static bool host_refuses_private_dup(void)
{
    void *p = mmap(NULL, PG, RW, ANON, -1, 0);
    g_assert_true(p != MAP_FAILED);
    void *q = mremap(p, 0, PG, MREMAP_MAYMOVE);
    bool refused = q == MAP_FAILED && errno == EINVAL;
    g_assert_true(q == MAP_FAILED || munmap(q, PG) == 0);
    g_assert_cmpint(munmap(p, PG), ==, 0);
    return refused;
}

/* old_len 0: a second mapping of a shared object; refused for private ones. */
static void test_mremap_duplicate(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    int64_t s = guest_mmap(gs, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    g_assert_cmpint(s, >, 0);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)s, 0, 2 * PG, 0, 0), ==, -ENOMEM);
    int64_t d = guest_mremap(gs, (uint64_t)s, 0, 2 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(d, >, 0);
    g_assert_cmpint(d, !=, s);
    *(uint8_t *)g2h(gs, (uint64_t)s + PG) = 0x99;
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)d + PG), ==, 0x99);
    g_assert_cmpuint(page_get_flags(gs, (uint64_t)d), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE);
    uint64_t to = 0x3000000;
    g_assert_cmpint(guest_mremap(gs, (uint64_t)s, 0, PG, MREMAP_MAYMOVE | MREMAP_FIXED, to), ==,
                    (int64_t)to);
    g_assert_cmpint(*(uint8_t *)g2h(gs, to), ==, 0);
    *(uint8_t *)g2h(gs, to) = 0x42;
    g_assert_cmpint(*(uint8_t *)g2h(gs, (uint64_t)s), ==, 0x42);
    /* A fixed range over the source unmaps it first. */
    g_assert_cmpint(guest_mremap(gs, to, 0, PG, MREMAP_MAYMOVE | MREMAP_FIXED, to), ==, -EFAULT);
    g_assert_true(pages_unmapped(gs, to, 1));
    /* Private: EINVAL with or without MREMAP_MAYMOVE, and nothing mapped. */
    if (!host_refuses_private_dup()) {
        return; /* an older host makes a fresh mapping, as an older Linux would */
    }
    int64_t p = guest_mmap(gs, 0, PG, RW, ANON, -1, 0);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)p, 0, PG, MREMAP_MAYMOVE, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)p, 0, PG, 0, 0), ==, -EINVAL);
    g_assert_cmpint(guest_mremap(gs, (uint64_t)p, 0, PG, MREMAP_MAYMOVE | MREMAP_FIXED, to), ==,
                    -EINVAL);
    g_assert_true(pages_unmapped(gs, to, 1));
}

/* File mappings keep showing the file when they move or grow. */
static void test_mremap_file(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    char path[] = "/tmp/paddock-test-mremap-XXXXXX";
    int fd = mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    g_autofree uint8_t *buf = g_malloc(4 * PG);
    for (unsigned i = 0; i < 4; i++) {
        memset(buf + i * PG, 0x80 + i, PG);
    }
    g_assert_cmpint(write(fd, buf, 4 * PG), ==, (ssize_t)(4 * PG));
    uint64_t a = 0x2000000;
    g_assert_cmpint(guest_mmap(gs, a, PG, RW, MAP_SHARED | MAP_FIXED, fd, (int64_t)PG), ==,
                    (int64_t)a);
    /* In place: the new page is the file's next one. */
    g_assert_cmpint(guest_mremap(gs, a, PG, 2 * PG, 0, 0), ==, (int64_t)a);
    g_assert_true(pages_hold(gs, a, 2, 0x81));
    /* Moved and grown: the data is the file's, and stores still reach it. */
    g_assert_cmpint(guest_mmap(gs, a + 2 * PG, PG, RW, ANON | MAP_FIXED, -1, 0), >, 0);
    int64_t b = guest_mremap(gs, a, 2 * PG, 3 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(b, >, 0);
    g_assert_cmpint(b, !=, (int64_t)a);
    g_assert_true(pages_hold(gs, (uint64_t)b, 3, 0x81));
    *(uint8_t *)g2h(gs, (uint64_t)b + PG) = 0x11;
    uint8_t back = 0;
    g_assert_cmpint(pread(fd, &back, 1, 2 * PG), ==, 1);
    g_assert_cmpint(back, ==, 0x11);
    close(fd);
}

/* Pages holding translated code move writable, their protection lifted first. */
static void test_mremap_code(Fixture *f, gconstpointer data)
{
    CPUCommon *cpu = g_aligned_alloc0(1, sizeof(CPUCommon), alignof(CPUCommon));
    cpu->mem = &user_memory_ops;
    cpu->mem_opaque = &f->t;
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000;
    uint32_t got;
    g_assert_cmpint(guest_mmap(gs, a, 2 * PG, RW | PROT_EXEC, ANON | MAP_FIXED, -1, 0), ==,
                    (int64_t)a);
    fill_pages(gs, a, 2, 0x90);
    g_assert_true(user_memory_ops.fetch_code(cpu, a, &got, 4));
    g_assert_true(user_memory_ops.fetch_code(cpu, a + PG, &got, 4));
    g_assert_cmpuint(page_get_flags(gs, a + PG) & PAGE_WRITE_ORG, ==, PAGE_WRITE_ORG);
    /* Grown in place from a protected last page. */
    g_assert_cmpint(guest_mremap(gs, a, 2 * PG, 3 * PG, 0, 0), ==, (int64_t)a);
    unsigned rwx = PAGE_VALID | PAGE_READ | PAGE_WRITE | PAGE_EXEC;
    g_assert_cmpuint(page_get_flags(gs, a + 2 * PG), ==, rwx);
    g_assert_true(user_memory_ops.fetch_code(cpu, a + PG, &got, 4));
    int64_t b = guest_mremap(gs, a, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, 0x3000000);
    g_assert_cmpint(b, ==, 0x3000000);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_cmpuint(page_get_flags(gs, (uint64_t)b + i * PG), ==, rwx);
    }
    g_assert_true(pages_hold(gs, (uint64_t)b, 2, 0x90));
    fill_pages(gs, (uint64_t)b, 3, 0xa0); /* would fault if still write-protected */
    g_aligned_free(cpu);
}

/* The host address space this process uses, in bytes (VmSize). */
static uint64_t host_vm_size(void)
{
    g_autofree char *status = NULL;
    g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
    const char *v = strstr(status, "VmSize:");
    g_assert_nonnull(v);
    return g_ascii_strtoull(v + strlen("VmSize:"), NULL, 10) * 1024;
}

/*
 * The host fails part way through a move (RLIMIT_AS lets each host mapping move, but not
 * the last one grow): what moved goes back, and the guest finds its memory where it was.
 */
static void test_mremap_host_failure(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    uint64_t a = 0x2000000;
    g_assert_cmpint(guest_mmap(gs, a, 9 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    fill_pages(gs, a, 8, 0xb0);
    host_split(gs, a + 3 * PG, 2, 0xb3);
    struct rlimit old, lim;
    g_assert_cmpint(getrlimit(RLIMIT_AS, &old), ==, 0);
    lim = old;
    lim.rlim_cur = host_vm_size() + 8 * PG;
    if (lim.rlim_cur > old.rlim_max) {
        g_test_skip("RLIMIT_AS hard limit too low");
        return;
    }
    g_assert_cmpint(setrlimit(RLIMIT_AS, &lim), ==, 0);
    int64_t r = guest_mremap(gs, a, 8 * PG, 64 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(setrlimit(RLIMIT_AS, &old), ==, 0);
    g_assert_cmpint(r, ==, -ENOMEM);
    g_assert_true(pages_hold(gs, a, 8, 0xb0));
    g_assert_true(guest_access_ok(gs, a, 9 * PG, PAGE_READ | PAGE_WRITE));
    g_assert_true(pages_unmapped(gs, gs->mmap_top - 64 * PG, 64));
    /* And it still moves once the host lets it. */
    r = guest_mremap(gs, a, 8 * PG, 64 * PG, MREMAP_MAYMOVE, 0);
    g_assert_cmpint(r, >, 0);
    g_assert_true(pages_hold(gs, (uint64_t)r, 8, 0xb0));
}

/*
 * Random mmap, munmap, mprotect and mremap calls in a small window, checked against a model
 * of each page (mapped or not, its byte): mremap's result must be what Linux's rules give
 * (only the place of a move without MREMAP_FIXED is free to choose), data must follow, and
 * every unmapped page must keep its placeholder.
 */
#define RND_PAGES 96

typedef struct RndModel {
    uint64_t base;
    int16_t page[RND_PAGES * 2]; /* byte of each page, -1 unmapped; twice the window */
} RndModel;

static int16_t *rnd_page(RndModel *m, uint64_t addr)
{
    g_assert_cmpuint(addr, >=, m->base);
    g_assert_cmpuint(addr, <, m->base + 2 * RND_PAGES * PG);
    return &m->page[(addr - m->base) / PG];
}

static void rnd_check(GuestSpace *gs, RndModel *m, bool host)
{
    for (unsigned i = 0; i < 2 * RND_PAGES; i++) {
        uint64_t a = m->base + i * PG;
        if (m->page[i] < 0) {
            g_assert_cmpuint(page_get_flags(gs, a), ==, 0);
            g_assert_true(!host || host_mapped(gs, a));
        } else {
            g_assert_cmpuint(page_get_flags(gs, a) & PAGE_VALID, ==, PAGE_VALID);
            const uint8_t *p = g2h(gs, a);
            g_assert_cmpint(p[0], ==, m->page[i]);
            g_assert_cmpint(p[PG - 1], ==, m->page[i]);
        }
    }
}

/* What the model says mremap must return, or 1 for "some free place". */
static int64_t rnd_expect(RndModel *m, uint64_t old, unsigned on, unsigned nn, int flags,
                          uint64_t to)
{
    if (*rnd_page(m, old) < 0) {
        return (flags & MREMAP_FIXED) && old < to + nn * PG && to < old + on * PG ? -EINVAL
                                                                                  : -EFAULT;
    }
    if (flags & MREMAP_FIXED) {
        if (old < to + nn * PG && to < old + on * PG) {
            return -EINVAL;
        }
    } else if (nn <= on) {
        return (int64_t)old;
    }
    for (unsigned i = 0; i < on; i++) {
        if (*rnd_page(m, old + i * PG) < 0) {
            return -EFAULT;
        }
    }
    if (flags & MREMAP_FIXED) {
        return (int64_t)to;
    }
    bool free_after = true;
    for (unsigned i = on; i < nn; i++) {
        free_after &= *rnd_page(m, old + i * PG) < 0;
    }
    return free_after ? (int64_t)old : (flags & MREMAP_MAYMOVE) ? 1 : -ENOMEM;
}

static void rnd_apply(RndModel *m, uint64_t old, unsigned on, unsigned nn, uint64_t got)
{
    int16_t keep[RND_PAGES];
    unsigned n = MIN(on, nn);
    for (unsigned i = 0; i < n; i++) {
        keep[i] = *rnd_page(m, old + i * PG);
    }
    for (unsigned i = 0; i < on; i++) {
        *rnd_page(m, old + i * PG) = -1;
    }
    for (unsigned i = 0; i < nn; i++) {
        *rnd_page(m, got + i * PG) = i < n ? keep[i] : 0;
    }
}

static void rnd_mremap(GuestSpace *gs, RndModel *m, GRand *r)
{
    static const int flag_sets[] = {0, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_FIXED};
    int flags = flag_sets[g_rand_int_range(r, 0, 3)];
    uint64_t old = m->base + g_rand_int_range(r, 0, RND_PAGES - 16) * PG;
    for (unsigned tries = 0; tries < 8 && *rnd_page(m, old) < 0; tries++) {
        old = m->base + g_rand_int_range(r, 0, RND_PAGES - 16) * PG; /* mostly a mapped one */
    }
    uint64_t to = m->base + g_rand_int_range(r, 0, RND_PAGES - 16) * PG;
    unsigned run = 0; /* mostly the mapped pages at old, sometimes more */
    while (run < 16 && *rnd_page(m, old + run * PG) >= 0) {
        run++;
    }
    unsigned on = run && g_rand_int_range(r, 0, 4) ? g_rand_int_range(r, 1, run + 1)
                                                   : g_rand_int_range(r, 1, 17);
    unsigned nn = g_rand_int_range(r, 1, 17);
    int64_t want = rnd_expect(m, old, on, nn, flags, to);
    int64_t got = guest_mremap(gs, old, on * PG, nn * PG, flags, to);
    if (want == 1) {
        g_assert_cmpint(got, >, 0);
        g_assert_true(page_range_free(gs, (uint64_t)got, (uint64_t)got + nn * PG) == false);
        g_assert_true((uint64_t)got + nn * PG <= old || (uint64_t)got >= old + on * PG);
        if ((uint64_t)got < m->base || (uint64_t)got + nn * PG > m->base + 2 * RND_PAGES * PG) {
            g_assert_cmpint(guest_munmap(gs, (uint64_t)got, nn * PG), ==, 0); /* out of view */
            for (unsigned i = 0; i < on; i++) {
                *rnd_page(m, old + i * PG) = -1;
            }
            return;
        }
    } else {
        g_assert_cmpint(got, ==, want);
    }
    if (got < 0) {
        return;
    }
    if (flags & MREMAP_FIXED) {
        for (unsigned i = 0; i < nn; i++) {
            *rnd_page(m, to + i * PG) = -1;
        }
    }
    rnd_apply(m, old, on, nn, (uint64_t)got);
}

/* Writes a new byte to each mapped page of n at a; with split, a mapped run of them gets a
 * host mapping of its own. */
static void rnd_write(GuestSpace *gs, RndModel *m, uint64_t a, unsigned n, bool split,
                      int16_t *next)
{
    for (unsigned i = 0; i < n; i++) {
        int16_t *pg = rnd_page(m, a + i * PG);
        if (*pg < 0) {
            continue;
        }
        if (split) {
            host_split(gs, a + i * PG, 1, (unsigned)*next);
        } else {
            memset(g2h(gs, a + i * PG), *next, PG);
        }
        *pg = *next;
        *next = *next % 255 + 1;
    }
}

/* mmap (often MAP_FIXED over part of a mapping, so that host mappings split), munmap,
 * mprotect there and back (which splits and merges them), or writes. */
static void rnd_other(GuestSpace *gs, RndModel *m, GRand *r, int16_t *next)
{
    uint64_t a = m->base + g_rand_int_range(r, 0, RND_PAGES - 8) * PG;
    unsigned n = g_rand_int_range(r, 1, 9);
    switch (g_rand_int_range(r, 0, 5)) {
    case 0:
        g_assert_cmpint(guest_mmap(gs, a, n * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
        for (unsigned i = 0; i < n; i++) {
            *rnd_page(m, a + i * PG) = 0;
        }
        break;
    case 1:
        g_assert_cmpint(guest_munmap(gs, a, n * PG), ==, 0);
        for (unsigned i = 0; i < n; i++) {
            *rnd_page(m, a + i * PG) = -1;
        }
        break;
    case 2:
        if (guest_mprotect(gs, a, n * PG, PROT_READ) == 0) {
            g_assert_cmpint(guest_mprotect(gs, a, n * PG, RW), ==, 0);
        }
        break;
    case 3: rnd_write(gs, m, a, n, false, next); break;
    default: rnd_write(gs, m, a, n, true, next);
    }
}

static void test_mremap_random(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    g_autoptr(GRand) r = g_rand_new_with_seed(0x5eed);
    RndModel m = {.base = 0x10000000};
    int16_t next = 1;
    for (unsigned i = 0; i < G_N_ELEMENTS(m.page); i++) {
        m.page[i] = -1;
    }
    for (unsigned step = 0; step < 3000; step++) {
        if (g_rand_boolean(r)) {
            rnd_mremap(gs, &m, r);
        } else {
            rnd_other(gs, &m, r, &next);
        }
        rnd_check(gs, &m, step % 100 == 0);
    }
    rnd_check(gs, &m, true);
}

static void test_brk(Fixture *f, gconstpointer data)
{
    GuestSpace *gs = f->gs;
    gs->brk_start = gs->brk = 0x800000;
    g_assert_cmpint(guest_brk(gs, 0), ==, 0x800000);
    g_assert_cmpint(guest_brk(gs, 0x800000 + 2 * PG + 100), ==, 0x800000 + 2 * PG + 100);
    g_assert_true(guest_access_ok(gs, 0x800000, 3 * PG, PAGE_READ | PAGE_WRITE));
    memset(g2h(gs, 0x800000), 0x77, 3 * PG);
    /* Shrink into a page, grow again: the part given back reads as zero. */
    g_assert_cmpint(guest_brk(gs, 0x800000 + 50), ==, 0x800000 + 50);
    g_assert_cmpuint(page_get_flags(gs, 0x800000 + PG), ==, 0);
    g_assert_cmpint(guest_brk(gs, 0x800000 + 2 * PG), ==, 0x800000 + 2 * PG);
    g_assert_cmpint(*(uint8_t *)g2h(gs, 0x800000 + 49), ==, 0x77);
    g_assert_cmpint(*(uint8_t *)g2h(gs, 0x800000 + 50), ==, 0);
    g_assert_cmpint(*(uint8_t *)g2h(gs, 0x800000 + PG + 1), ==, 0);
    /* Below the start or into a mapping: unchanged. */
    g_assert_cmpint(guest_brk(gs, 0x7ff000), ==, 0x800000 + 2 * PG);
    g_assert_cmpint(guest_mmap(gs, 0x800000 + 4 * PG, PG, RW, ANON | MAP_FIXED, -1, 0), >, 0);
    g_assert_cmpint(guest_brk(gs, 0x800000 + 8 * PG), ==, 0x800000 + 2 * PG);
}

static void test_strings(Fixture *f, gconstpointer data)
{
    UserThread *t = &f->t;
    GuestSpace *gs = f->gs;
    uint64_t a = 0x900000;
    g_assert_cmpint(guest_mmap(gs, a, 2 * PG, RW, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    memset(g2h(gs, a), 'x', 2 * PG);
    strcpy(g2h(gs, a + 2 * PG - 4), "abc");
    g_assert_cmpstr(lock_user_string(t, a + PG - 2), ==, g2h(gs, a + PG - 2));
    memset(g2h(gs, a + PG), 'x', PG);
    g_assert_null(lock_user_string(t, a + PG - 2)); /* runs into the unmapped page */
    g_assert_null(lock_user_string(t, 0x12345));
    g_assert_nonnull(lock_user(t, a, 2 * PG, PAGE_READ | PAGE_WRITE));
    g_assert_null(lock_user(t, a, 2 * PG + 1, PAGE_READ));
}

/* A translated page is write-protected; a host write to it lifts that and goes through. */
static void test_smc_fault(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    CPUCommon *cpu = g_aligned_alloc0(1, sizeof(CPUCommon), alignof(CPUCommon)); /* 32 KiB */
    cpu->mem = &user_memory_ops;
    cpu->mem_opaque = &f->t;
    GuestSpace *gs = f->gs;
    g_assert_true(user_host_signals_init(&err));
    g_assert_true(user_thread_attach(&f->t, &err));
    uint64_t a = 0xa00000;
    g_assert_cmpint(guest_mmap(gs, a, PG, RW | PROT_EXEC, ANON | MAP_FIXED, -1, 0), ==, (int64_t)a);
    uint32_t insn = 0x12345678, got = 0;
    memcpy(g2h(gs, a), &insn, 4);
    g_assert_true(user_memory_ops.fetch_code(cpu, a, &got, 4));
    g_assert_cmpuint(got, ==, insn);
    g_assert_cmpuint(page_get_flags(gs, a) & PAGE_WRITE_ORG, ==, PAGE_WRITE_ORG);
    volatile uint32_t *w = g2h(gs, a + 8);
    *w = 0xdeadbeef; /* faults once, retried by the handler */
    g_assert_cmpuint(*w, ==, 0xdeadbeef);
    g_assert_cmpuint(page_get_flags(gs, a), ==, PAGE_VALID | PAGE_READ | PAGE_WRITE | PAGE_EXEC);
    /* Fetching from a page without PAGE_EXEC fails. */
    g_assert_cmpint(guest_mprotect(gs, a, PG, RW), ==, 0);
    g_assert_false(user_memory_ops.fetch_code(cpu, a, &got, 4));
    user_thread_detach(&f->t);
    g_aligned_free(cpu);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(Fixture *, gconstpointer);
    } tests[] = {
        {"/user/mmap/placement", test_placement},
        {"/user/mmap/fixed", test_fixed},
        {"/user/mmap/bad-args", test_bad_args},
        {"/user/mmap/file", test_file},
        {"/user/mmap/munmap", test_munmap_keeps_reservation},
        {"/user/mmap/mprotect", test_mprotect},
        {"/user/mmap/mremap", test_mremap},
        {"/user/mmap/mremap-split-mapping", test_mremap_split_mapping},
        {"/user/mmap/mremap-grow-in-place", test_mremap_grow_in_place},
        {"/user/mmap/mremap-shrink", test_mremap_shrink},
        {"/user/mmap/mremap-fixed", test_mremap_fixed},
        {"/user/mmap/mremap-errors", test_mremap_errors},
        {"/user/mmap/mremap-dontunmap", test_mremap_dontunmap},
        {"/user/mmap/mremap-duplicate", test_mremap_duplicate},
        {"/user/mmap/mremap-file", test_mremap_file},
        {"/user/mmap/mremap-code", test_mremap_code},
        {"/user/mmap/mremap-host-failure", test_mremap_host_failure},
        {"/user/mmap/mremap-random", test_mremap_random},
        {"/user/mmap/brk", test_brk},
        {"/user/mmap/strings", test_strings},
        {"/user/mmap/smc-fault", test_smc_fault},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        g_test_add(tests[i].name, Fixture, NULL, fixture_setup, tests[i].fn, fixture_teardown);
    }
    return g_test_run();
}

/*
 * Unit tests for the user-mode address space (user/guest-space.c, user/mmap.c,
 * user/signal-host.c): placement, MAP_FIXED and its variants, file mappings, munmap
 * keeping the reservation, mprotect, mremap in place and moving, brk, argument errors,
 * lock_user_string at page ends, and the self-modifying-code protection undone by a host
 * write fault. No CPU runs here; the fault path gets a process and thread of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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
        {"/user/mmap/brk", test_brk},
        {"/user/mmap/strings", test_strings},
        {"/user/mmap/smc-fault", test_smc_fault},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        g_test_add(tests[i].name, Fixture, NULL, fixture_setup, tests[i].fn, fixture_teardown);
    }
    return g_test_run();
}

// Memory management as a program uses it: anonymous and file-backed mmap (shared and
// private, with offsets, past end of file), munmap holes refilled with MAP_FIXED, mprotect
// round trips, mremap growing/moving/shrinking, madvise(MADV_DONTNEED), the error cases
// (EINVAL, ENOMEM, EEXIST), brk through sbrk, malloc/realloc/free of many sizes and large
// blocks, calloc and aligned allocation. Nothing faults on purpose: no signal handler is
// needed. Prints one line per case and a summary; exits 1 if a check fails. Addresses are
// never printed (they differ between runs); the file lives in a mkstemp file under /tmp.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7 + (i >> 12));
}

// p[from..to) still holds what fill(p, ..., seed) wrote there.
static int verify_range(const unsigned char *p, size_t from, size_t to, unsigned seed)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != (unsigned char)(seed + i * 7 + (i >> 12)))
            return 0;
    return 1;
}

static int verify(const unsigned char *p, size_t n, unsigned seed)
{
    return verify_range(p, 0, n, seed);
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_anonymous(void)
{
    printf("== anonymous mmap\n");
    check("sysconf(_SC_PAGESIZE) == 4096", sysconf(_SC_PAGESIZE) == PAGE);
    unsigned char *p =
        mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check("mmap 16 pages rw", p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    check("page aligned", ((uintptr_t)p & (PAGE - 1)) == 0);
    check("fresh pages are zero", all_zero(p, 16 * PAGE));
    fill(p, 16 * PAGE, 1);
    check("pattern written and read back", verify(p, 16 * PAGE, 1));

    // A hole in the middle, refilled in place.
    check("munmap page 5", munmap(p + 5 * PAGE, PAGE) == 0);
    unsigned char *q = mmap(p + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check("MAP_FIXED into the hole", q == p + 5 * PAGE);
    check("refilled page is zero", all_zero(q, PAGE));
    check("neighbours kept their data",
          verify(p, 5 * PAGE, 1) && verify_range(p, 6 * PAGE, 16 * PAGE, 1));

    // MAP_FIXED over live pages replaces them.
    q = mmap(p + 8 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check("MAP_FIXED over mapped pages zeroes them", q == p + 8 * PAGE && all_zero(q, 2 * PAGE));

    // Linux 4.17 and later: EEXIST; before (and qemu-user 7.2): a hint, placed elsewhere.
    p[0] = 0x42;
    errno = 0;
    q = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    check("MAP_FIXED_NOREPLACE leaves a mapping alone",
          ((q == MAP_FAILED && errno == EEXIST) || (q != MAP_FAILED && q != p)) && p[0] == 0x42);
    if (q != MAP_FAILED && q != p)
        munmap(q, PAGE);

    // Protection round trips: read-only, no access, back to read-write; contents survive.
    fill(p, 4 * PAGE, 9);
    check("mprotect read-only", mprotect(p, 4 * PAGE, PROT_READ) == 0);
    check("read-only pages still readable", verify(p, 4 * PAGE, 9));
    check("mprotect none", mprotect(p + PAGE, PAGE, PROT_NONE) == 0);
    check("mprotect back to read-write", mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE) == 0);
    check("contents survived", verify(p, 4 * PAGE, 9));
    p[PAGE + 1] = 0x5a;
    check("writable again", p[PAGE + 1] == 0x5a);

    // madvise(MADV_DONTNEED) drops private anonymous pages: they read back as zero.
    fill(p + 10 * PAGE, 2 * PAGE, 3);
    check("madvise DONTNEED", madvise(p + 10 * PAGE, 2 * PAGE, MADV_DONTNEED) == 0);
    check("dropped pages read as zero", all_zero(p + 10 * PAGE, 2 * PAGE));

    check("munmap all 16 pages", munmap(p, 16 * PAGE) == 0);

    // mremap: grow in place or move, keeping the data; shrink.
    p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fill(p, 16 * PAGE, 4);
    unsigned char *r = mremap(p, 16 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    check("mremap grow 16 to 64 pages", r != MAP_FAILED);
    if (r == MAP_FAILED)
        return;
    check("data kept after grow", verify(r, 16 * PAGE, 4));
    check("grown part is zero", all_zero(r + 16 * PAGE, 48 * PAGE));
    fill(r + 16 * PAGE, 48 * PAGE, 5);
    check("grown part writable", verify(r + 16 * PAGE, 48 * PAGE, 5));
    unsigned char *s = mremap(r, 64 * PAGE, 8 * PAGE, 0);
    check("mremap shrink in place", s == r && verify(s, 8 * PAGE, 4));
    errno = 0;
    unsigned char *t = mremap(s, 8 * PAGE, 1024 * PAGE, 0);
    check("mremap grow without MAYMOVE: in place or ENOMEM",
          t == s || (t == MAP_FAILED && errno == ENOMEM));
    if (t == s)
        s = mremap(s, 1024 * PAGE, 8 * PAGE, 0);
    // MREMAP_FIXED to a chosen place.
    unsigned char *dst =
        mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    t = mremap(s, 8 * PAGE, 8 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    check("mremap MREMAP_FIXED moves the data", t == dst && verify(t, 8 * PAGE, 4));
    check("munmap", munmap(t, 8 * PAGE) == 0);
    check("munmap of an unmapped range succeeds", munmap(t, 8 * PAGE) == 0);

    // Two adjacent anonymous mappings with the same protection are one to Linux (the kernel
    // merges them): mremap may take both at once.
    p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + 2 * PAGE, 2 * PAGE);
    q = mmap(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    fill(p, 4 * PAGE, 6);
    r = mremap(p, 4 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
    check("mremap across two adjacent mappings",
          q == p + 2 * PAGE && r != MAP_FAILED && verify(r, 4 * PAGE, 6));
    munmap(r != MAP_FAILED ? r : p, r != MAP_FAILED ? 32 * PAGE : 4 * PAGE);

    // The same after MAP_FIXED replaced pages in the middle of one mapping.
    p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q = mmap(p + 3 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    fill(p, 8 * PAGE, 7);
    r = mremap(p, 8 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
    check("mremap over pages replaced by MAP_FIXED",
          q == p + 3 * PAGE && r != MAP_FAILED && verify(r, 8 * PAGE, 7));
    munmap(r != MAP_FAILED ? r : p, r != MAP_FAILED ? 32 * PAGE : 8 * PAGE);
}

static void test_errors(void)
{
    printf("== error cases\n");
    errno = 0;
    void *p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check_err("mmap length 0", (long)p, EINVAL);
    errno = 0;
    p = mmap((void *)0x10001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    check_err("mmap MAP_FIXED unaligned", (long)p, EINVAL);
    errno = 0;
    p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0);
    check_err("mmap file mapping of fd -1", (long)p, EBADF);
    errno = 0;
    p = mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0);
    check_err("mmap neither shared nor private", (long)p, EINVAL);
    errno = 0;
    p = mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    check_err("mmap 2^62 bytes", (long)p, ENOMEM);

    unsigned char *q =
        mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = 0;
    int rc = munmap(q + 1, PAGE);
    check_err("munmap unaligned", rc, EINVAL);
    errno = 0;
    rc = mprotect(q + 1, PAGE, PROT_READ);
    check_err("mprotect unaligned", rc, EINVAL);
    munmap(q, 2 * PAGE);
    errno = 0;
    rc = mprotect(q, PAGE, PROT_READ);
    check_err("mprotect unmapped", rc, ENOMEM);
    errno = 0;
    void *m = mremap(q, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
    check_err("mremap unmapped", (long)m, EFAULT);
    errno = 0;
    rc = madvise(q + 1, PAGE, MADV_DONTNEED);
    check_err("madvise unaligned", rc, EINVAL);
}

static void test_file(void)
{
    char path[] = "/tmp/paddock-mem-XXXXXX";
    printf("== file-backed mmap\n");
    int fd = mkstemp(path);
    check("mkstemp", fd >= 0);
    if (fd < 0)
        return;
    unlink(path);
    unsigned char *buf = malloc(3 * PAGE);
    fill(buf, 3 * PAGE, 20);
    check("write 3 pages", write(fd, buf, 3 * PAGE) == 3 * PAGE);

    unsigned char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check("mmap MAP_SHARED", m != MAP_FAILED);
    check("mapping shows the file", verify(m, 3 * PAGE, 20));
    memset(m + PAGE, 0xab, 16);
    check("msync", msync(m, 3 * PAGE, MS_SYNC) == 0);
    unsigned char back[16];
    check("pread sees the store through MAP_SHARED",
          pread(fd, back, 16, PAGE) == 16 && back[0] == 0xab && back[15] == 0xab);
    memset(back, 0xcd, sizeof(back));
    check("pwrite", pwrite(fd, back, 16, 2 * PAGE) == 16);
    check("MAP_SHARED sees the pwrite", m[2 * PAGE] == 0xcd && m[2 * PAGE + 15] == 0xcd);
    munmap(m, 3 * PAGE);

    unsigned char *pv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
    check("mmap MAP_PRIVATE at offset 1 page", pv != MAP_FAILED);
    check("offset respected", pv[0] == 0xab && pv[PAGE] == 0xcd);
    pv[1] = 0x11;
    check("private store is visible in the mapping", pv[1] == 0x11);
    check("private store does not reach the file",
          pread(fd, back, 2, PAGE) == 2 && back[1] == 0xab);
    munmap(pv, 2 * PAGE);

    errno = 0;
    void *bad = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100);
    check_err("mmap with unaligned offset", (long)bad, EINVAL);

    // A file that ends in the middle of a page: the rest of that page reads as zero.
    check("ftruncate to 1.5 pages", ftruncate(fd, PAGE + PAGE / 2) == 0);
    unsigned char *tail = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    check("mmap past end of file", tail != MAP_FAILED);
    check("data before EOF kept", verify(tail, 16, 20) && tail[PAGE] == 0xab);
    check("bytes after EOF in the last page are zero", all_zero(tail + PAGE + PAGE / 2, PAGE / 2));
    munmap(tail, 2 * PAGE);

    int ro = open("/proc/self/exe", O_RDONLY);
    if (ro < 0)
        ro = open("/bin/sh", O_RDONLY);
    errno = 0;
    bad = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    check_err("MAP_SHARED rw of a read-only fd", (long)bad, EACCES);
    close(ro);
    close(fd);
    free(buf);
}

static void test_brk(void)
{
    printf("== brk\n");
    char *b0 = sbrk(0);
    check("sbrk(0)", b0 != (void *)-1);
    char *b1 = sbrk(3 * PAGE);
    check("sbrk(+3 pages) returns the old break", b1 == b0);
    check("break moved", sbrk(0) == b0 + 3 * PAGE);
    memset(b1, 0x77, 3 * PAGE);
    check("new break memory usable", b1[0] == 0x77 && b1[3 * PAGE - 1] == 0x77);
    check("sbrk(-2 pages)", sbrk(-2 * PAGE) == b0 + 3 * PAGE);
    check("break moved back", sbrk(0) == b0 + PAGE);
    char *b2 = sbrk(PAGE);
    check("regrown page readable", b2 == b0 + PAGE && (b2[0] == 0 || b2[0] == 0x77));
    sbrk(-2 * PAGE);
}

// A small deterministic generator (xorshift), so the allocation pattern is the same each run.
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_malloc(void)
{
    enum { N = 2000 };
    static unsigned char *blocks[N];
    static size_t sizes[N];

    printf("== malloc\n");
    int ok = 1;
    for (int i = 0; i < N; i++) {
        uint32_t r = rng();
        sizes[i] = (r & 3) == 0 ? (r >> 8) % 200000 : (r >> 8) % 512;
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i] && sizes[i]) {
            ok = 0;
            break;
        }
        if (((uintptr_t)blocks[i] & 15) != 0)
            ok = 0;
        fill(blocks[i], sizes[i], (unsigned)i);
    }
    check("2000 mallocs of 0..200000 bytes, 16-aligned", ok);
    ok = 1;
    for (int i = 0; i < N; i += 2) {
        ok &= verify(blocks[i], sizes[i], (unsigned)i);
        free(blocks[i]);
        blocks[i] = NULL;
    }
    check("every other block intact, freed", ok);
    ok = 1;
    for (int i = 1; i < N; i += 2) {
        size_t n = sizes[i] * 2 + 100;
        unsigned char *p = realloc(blocks[i], n);
        if (!p) {
            ok = 0;
            break;
        }
        ok &= verify(p, sizes[i], (unsigned)i);
        fill(p, n, (unsigned)i + 1);
        blocks[i] = p;
        sizes[i] = n;
    }
    check("realloc grows keep the data", ok);
    ok = 1;
    for (int i = 1; i < N; i += 2) {
        ok &= verify(blocks[i], sizes[i], (unsigned)i + 1);
        free(blocks[i]);
    }
    check("all blocks intact and freed", ok);

    size_t big = (size_t)64 << 20;
    unsigned char *p = malloc(big);
    check("malloc 64 MiB", p != NULL);
    if (p) {
        for (size_t i = 0; i < big; i += PAGE)
            p[i] = (unsigned char)(i >> 12);
        ok = 1;
        for (size_t i = 0; i < big; i += PAGE)
            ok &= p[i] == (unsigned char)(i >> 12);
        check("every page of 64 MiB written and read", ok);
        unsigned char *p2 = realloc(p, big * 2);
        check("realloc to 128 MiB keeps data", p2 && p2[big - PAGE] == (unsigned char)(255));
        free(p2 ? p2 : p);
    }
    unsigned char *z = calloc(1 << 20, 8);
    check("calloc 8 MiB is zero", z && all_zero(z, (size_t)8 << 20));
    free(z);
    volatile size_t huge_size = (size_t)1 << 62, half_huge = (size_t)1 << 40;
    errno = 0;
    void *huge = malloc(huge_size);
    check("malloc 2^62 fails with ENOMEM", huge == NULL && errno == ENOMEM);
    errno = 0;
    huge = calloc(half_huge, half_huge);
    check("calloc overflow fails with ENOMEM", huge == NULL && errno == ENOMEM);

    void *a = NULL;
    check("posix_memalign 4096",
          posix_memalign(&a, 4096, 10000) == 0 && ((uintptr_t)a & 4095) == 0);
    free(a);
    a = aligned_alloc(65536, 65536);
    check("aligned_alloc 64 KiB", a && ((uintptr_t)a & 65535) == 0);
    free(a);
    a = memalign(256, 1000);
    check("memalign 256", a && ((uintptr_t)a & 255) == 0);
    check("malloc_usable_size >= requested", a && malloc_usable_size(a) >= 1000);
    free(a);
}

int main(void)
{
    // Line by line: when the emulator dies half way, the output shows where.
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_anonymous();
    test_errors();
    test_file();
    test_brk();
    test_malloc();
    printf("mem: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

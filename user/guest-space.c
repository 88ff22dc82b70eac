/*
 * The guest address space of a user-mode process: one PROT_NONE host reservation that
 * holds every guest mapping, followed by a guard page, and one flag byte per guest page.
 *
 * Why one reservation: guest address a is host address base + a, so translated code
 * reaches guest memory with one addition and a bounds check against size, and a guest
 * can never touch host memory. Host mappings are only ever replaced inside the
 * reservation (mmap MAP_FIXED), never unmapped, so the host's own allocations can never
 * land in it. The flags tell what the guest may do with a page; they are what syscalls
 * check (the host kernel does not know guest permissions) and what the translator checks
 * before it reads guest code.
 *
 * Self-modifying code: when guest code is translated from a page the guest may write,
 * the host page is made read-only and marked PAGE_WRITE_ORG. A guest write to it faults;
 * the host fault handler (signal-host.c), or a syscall about to write it
 * (guest_access_ok), lifts the protection and invalidates the page's translations.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/user-internal.h"
#include "vmcore/log.h"
#include "vmcore/thread.h"

/* Longest string lock_user_string accepts, NUL included. */
#define GUEST_STRING_MAX (1u << 20)

bool guest_space_init(GuestSpace *gs, uint64_t size, GError **errp)
{
    memset(gs, 0, sizeof(*gs));
    long host_page = sysconf(_SC_PAGESIZE);
    if (host_page != (long)GUEST_PAGE_SIZE) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "user mode needs 4 KiB host pages, the host has %ld-byte pages", host_page);
        return false;
    }
    if (size & (GUEST_PAGE_SIZE - 1) || size <= GUEST_STACK_GAP + GUEST_MMAP_MIN) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "guest address space size %#" G_GINT64_MODIFIER "x is not usable", size);
        return false;
    }
    void *base = mmap(NULL, size + GUEST_PAGE_SIZE, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot reserve %" G_GUINT64_FORMAT " GiB of host address space for the "
                    "guest: mmap: %s",
                    size >> 30, g_strerror(errno));
        return false;
    }
    void *flags = mmap(NULL, size >> GUEST_PAGE_BITS, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (flags == MAP_FAILED) {
        int err = errno;
        munmap(base, size + GUEST_PAGE_SIZE);
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot allocate the guest page flags: mmap: %s", g_strerror(err));
        return false;
    }
    gs->base = base;
    gs->size = size;
    gs->page_flags = flags;
    gs->mmap_top = size - GUEST_STACK_GAP;
    mutex_init(&gs->lock);
    return true;
}

void guest_space_destroy(GuestSpace *gs)
{
    if (!gs->base) {
        return;
    }
    if (munmap(gs->base, gs->size + GUEST_PAGE_SIZE) != 0 ||
        munmap(gs->page_flags, gs->size >> GUEST_PAGE_BITS) != 0) {
        g_warning("guest space: munmap: %s", g_strerror(errno));
    }
    mutex_destroy(&gs->lock);
    memset(gs, 0, sizeof(*gs));
}

bool guest_range_valid(const GuestSpace *gs, uint64_t addr, uint64_t len)
{
    return addr <= gs->size && len <= gs->size - addr;
}

void page_set_flags(GuestSpace *gs, uint64_t start, uint64_t end, unsigned flags)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        page_set_flags_one(gs, a, flags);
    }
}

bool page_range_free(const GuestSpace *gs, uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a < end; a += GUEST_PAGE_SIZE) {
        if (page_get_flags(gs, a) & PAGE_VALID) {
            return false;
        }
    }
    return true;
}

int guest_host_prot(unsigned flags)
{
    int prot = PROT_NONE;
    if (flags & (PAGE_READ | PAGE_EXEC)) {
        prot |= PROT_READ;
    }
    if ((flags & PAGE_WRITE) && !(flags & PAGE_WRITE_ORG)) {
        prot |= PROT_READ | PROT_WRITE;
    }
    return prot;
}

void guest_invalidate(GuestSpace *gs, const GuestDirty *d)
{
    if (d->start < d->end && gs->tbs) {
        tb_invalidate_range(gs->tbs, d->start, d->end);
    }
}

void guest_page_unprotect_locked(GuestSpace *gs, uint64_t addr, GuestDirty *d)
{
    uint64_t page = guest_page_down(addr);
    unsigned f = page_get_flags(gs, page);
    if (!(f & PAGE_WRITE_ORG)) {
        return;
    }
    f &= ~PAGE_WRITE_ORG;
    if (mprotect(g2h(gs, page), GUEST_PAGE_SIZE, guest_host_prot(f)) != 0) {
        /* Only a host out of memory map slots fails here; the guest write cannot go on. */
        g_error("user: mprotect to unprotect guest code page %#" G_GINT64_MODIFIER "x: %s", page,
                g_strerror(errno));
    }
    page_set_flags_one(gs, page, f);
    guest_dirty_add(d, page, page + GUEST_PAGE_SIZE);
}

static void guest_unprotect_range(GuestSpace *gs, uint64_t addr, uint64_t len)
{
    GuestDirty d = {0};
    mutex_lock(&gs->lock);
    for (uint64_t a = guest_page_down(addr); a < addr + len; a += GUEST_PAGE_SIZE) {
        guest_page_unprotect_locked(gs, a, &d);
    }
    mutex_unlock(&gs->lock);
    guest_invalidate(gs, &d);
}

bool guest_access_ok(GuestSpace *gs, uint64_t addr, uint64_t len, unsigned prot)
{
    if (!guest_range_valid(gs, addr, len)) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    unsigned need = (prot & (PAGE_READ | PAGE_WRITE | PAGE_EXEC)) | PAGE_VALID;
    bool protected_code = false;
    for (uint64_t a = guest_page_down(addr); a < addr + len; a += GUEST_PAGE_SIZE) {
        unsigned f = page_get_flags(gs, a);
        if ((f & need) != need) {
            return false;
        }
        protected_code |= (f & PAGE_WRITE_ORG) != 0;
    }
    if (protected_code && (prot & PAGE_WRITE)) {
        guest_unprotect_range(gs, addr, len);
    }
    return true;
}

void *lock_user(UserThread *t, uint64_t addr, uint64_t len, unsigned prot)
{
    GuestSpace *gs = &t->proc->space;
    return guest_access_ok(gs, addr, len, prot) ? g2h(gs, addr) : NULL;
}

const char *lock_user_string(UserThread *t, uint64_t addr)
{
    GuestSpace *gs = &t->proc->space;
    uint64_t a = addr;
    while (a < gs->size && a - addr < GUEST_STRING_MAX) {
        unsigned f = page_get_flags(gs, a);
        if ((f & (PAGE_VALID | PAGE_READ)) != (PAGE_VALID | PAGE_READ)) {
            return NULL;
        }
        uint64_t next = guest_page_down(a) + GUEST_PAGE_SIZE;
        if (memchr(g2h(gs, a), 0, next - a)) {
            return g2h(gs, addr);
        }
        a = next;
    }
    return NULL;
}

/* Write-protects a guest-writable page that code is being translated from. */
static void protect_code_page(GuestSpace *gs, uint64_t page, unsigned f)
{
    if (mprotect(g2h(gs, page), GUEST_PAGE_SIZE, guest_host_prot(f | PAGE_WRITE_ORG)) != 0) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            fprintf(log_stream(),
                    "user: mprotect of code page %#" G_GINT64_MODIFIER "x failed (%s): writes "
                    "to it will not retranslate\n",
                    page, g_strerror(errno));
        }
        return;
    }
    page_set_flags_one(gs, page, f | PAGE_WRITE_ORG);
}

static bool user_fetch_code(CPUCommon *cpu, uint64_t pc, void *buf, size_t len)
{
    UserThread *t = cpu->mem_opaque;
    GuestSpace *gs = &t->proc->space;
    if (!guest_range_valid(gs, pc, len) || len == 0) {
        return len == 0;
    }
    mutex_lock(&gs->lock);
    for (uint64_t a = guest_page_down(pc); a < pc + len; a += GUEST_PAGE_SIZE) {
        unsigned f = page_get_flags(gs, a);
        if ((f & (PAGE_VALID | PAGE_EXEC)) != (PAGE_VALID | PAGE_EXEC)) {
            mutex_unlock(&gs->lock);
            return false;
        }
        if ((f & PAGE_WRITE) && !(f & PAGE_WRITE_ORG)) {
            protect_code_page(gs, a, f);
        }
    }
    memcpy(buf, g2h(gs, pc), len);
    mutex_unlock(&gs->lock);
    return true;
}

static void *user_probe(CPUCommon *cpu, uint64_t addr, size_t len, CPUAccessType type)
{
    UserThread *t = cpu->mem_opaque;
    GuestSpace *gs = &t->proc->space;
    unsigned need = type == CPU_ACCESS_LOAD    ? PAGE_READ
                    : type == CPU_ACCESS_STORE ? PAGE_WRITE
                                               : PAGE_EXEC;
    return guest_access_ok(gs, addr, len, need) ? g2h(gs, addr) : NULL;
}

const CPUMemoryOps user_memory_ops = {
    .fetch_code = user_fetch_code,
    .probe = user_probe,
};

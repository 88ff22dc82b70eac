/*
 * The ELF loader of user mode: maps a static, static-PIE or dynamic executable and its
 * interpreter into the guest space the way Linux's binfmt_elf does, and places the heap.
 *
 * Placement: an ET_EXEC image goes where its addresses say; a position-independent
 * program at two thirds of the guest space (Linux's ELF_ET_DYN_BASE, which for a 2^38
 * space is riscv64 Sv39's 0x2aaaaaa000); its interpreter wherever mmap would put it (top
 * down below the stack gap). Each image first takes its whole span as a PROT_NONE
 * mapping, so that segments and the holes between them belong to it; segments are then
 * mapped from the file over it, bss as zero-filled anonymous memory. The heap starts at
 * the page after the program's highest segment.
 *
 * Errors are USER_ERROR_NOT_FOUND (program or interpreter missing) or USER_ERROR_EXEC
 * (anything about the file), and their messages start with the path in question. With a
 * root (--root), the program and its interpreter (PT_INTERP) are guest paths looked up
 * below it, and the messages name them as the guest does.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/fs-root.h"
#include "user/run.h"
#include "user/user-internal.h"
#include "vmcore/elf.h"

char *user_path(UserProcess *p, const char *guest_path)
{
    g_assert(!p->root);
    if (p->sysroot && guest_path[0] == '/') {
        char *s = g_build_filename(p->sysroot, guest_path, NULL);
        if (access(s, F_OK) == 0) {
            return s;
        }
        g_free(s);
    }
    return g_strdup(guest_path);
}

int user_open_exec(UserProcess *p, const char *path)
{
    if (!p->root) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    g_autofree char *abs = NULL;
    int err = user_root_abs(p->root, AT_FDCWD, path, &abs);
    return err ? err : user_root_open(p->root, abs, O_RDONLY | O_CLOEXEC, 0);
}

/* Opens and parses path (user_open_exec); *fdp stays open for mapping. */
static ElfImage *open_image(UserProcess *p, const char *path, int *fdp, GError **errp)
{
    int fd = user_open_exec(p, path);
    if (fd < 0) {
        int err = -fd;
        g_set_error(errp, USER_ERROR,
                    err == ENOENT || err == ENOTDIR ? USER_ERROR_NOT_FOUND : USER_ERROR_EXEC,
                    "%s: %s", path, g_strerror(err));
        return NULL;
    }
    GError *elf_err = NULL;
    ElfImage *img = elf_parse_fd(fd, &elf_err);
    if (!img) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: %s", path, elf_err->message);
        g_error_free(elf_err);
        close(fd);
        return NULL;
    }
    *fdp = fd;
    return img;
}

static bool check_segments(const ElfImage *img, const char *path, GError **errp)
{
    bool any = false;
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type != PT_LOAD) {
            continue;
        }
        any = true;
        if ((ph->vaddr - ph->offset) & (GUEST_PAGE_SIZE - 1)) {
            g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                        "%s: segment %zu: p_vaddr %#" G_GINT64_MODIFIER "x and p_offset "
                        "%#" G_GINT64_MODIFIER "x differ modulo the page size",
                        path, i, ph->vaddr, ph->offset);
            return false;
        }
        if (ph->vaddr + ph->memsz < ph->vaddr || ph->memsz < ph->filesz) {
            g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                        "%s: segment %zu: bad size (p_filesz %#" G_GINT64_MODIFIER
                        "x, p_memsz %#" G_GINT64_MODIFIER "x)",
                        path, i, ph->filesz, ph->memsz);
            return false;
        }
    }
    if (!any) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: no loadable segment", path);
    }
    return any;
}

/* Whether img can run on arch at all: machine, byte order, type, segments. */
static bool check_image(const UserArch *arch, const ElfImage *img, const char *path, GError **errp)
{
    if (img->machine != arch->elf_machine) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: %s executable (e_machine %u), not %s",
                    path, elf_machine_name(img->machine), img->machine, arch->name);
        return false;
    }
    if (img->data != ELFDATA2LSB) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: is big-endian; %s is little-endian",
                    path, arch->name);
        return false;
    }
    if (img->type != ET_EXEC && img->type != ET_DYN) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                    "%s: ELF type %s (%u) cannot be run: need EXEC or DYN", path,
                    elf_type_name(img->type), img->type);
        return false;
    }
    return check_segments(img, path, errp);
}

static int elf_prot(uint32_t pf)
{
    return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) | (pf & PF_X ? PROT_EXEC : 0);
}

static uint64_t max_align(const ElfImage *img)
{
    uint64_t a = GUEST_PAGE_SIZE;
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type == PT_LOAD && ph->align > a && !(ph->align & (ph->align - 1)) &&
            ph->align <= (1u << 30)) {
            a = ph->align;
        }
    }
    return a;
}

/*
 * Takes span bytes for a relocatable image, aligned to align, at hint if it is free,
 * else wherever mmap puts it. Returns the start, or 0.
 */
static uint64_t reserve_dyn(GuestSpace *gs, uint64_t hint, uint64_t span, uint64_t align)
{
    uint64_t want = span + align - GUEST_PAGE_SIZE;
    int64_t r = guest_mmap(gs, hint, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r < 0) {
        return 0;
    }
    uint64_t start = ((uint64_t)r + align - 1) & ~(align - 1);
    if (start > (uint64_t)r) {
        guest_munmap(gs, (uint64_t)r, start - (uint64_t)r);
    }
    if ((uint64_t)r + want > start + span) {
        guest_munmap(gs, start + span, (uint64_t)r + want - start - span);
    }
    return start;
}

/* Takes the image's span [lo, hi) of the guest space; returns the load bias. */
static bool reserve_image(GuestSpace *gs, const ElfImage *img, bool is_interp, const char *path,
                          uint64_t *bias, GError **errp)
{
    uint64_t lo, hi;
    elf_load_span(img, &lo, &hi);
    lo = guest_page_down(lo);
    hi = guest_page_up(hi);
    if (img->type == ET_EXEC) {
        if (hi <= gs->size && lo >= GUEST_MMAP_MIN &&
            guest_mmap(gs, lo, hi - lo, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) >= 0) {
            *bias = 0;
            return true;
        }
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                    "%s: segments at %#" G_GINT64_MODIFIER "x..%#" G_GINT64_MODIFIER
                    "x do not fit the guest address space (%#" G_GINT64_MODIFIER
                    "x..%#" G_GINT64_MODIFIER "x free)",
                    path, lo, hi, (uint64_t)GUEST_MMAP_MIN, gs->size);
        return false;
    }
    uint64_t align = max_align(img);
    uint64_t hint = is_interp ? 0 : (gs->size / 3 * 2) & ~(align - 1);
    uint64_t start = hi - lo <= gs->size ? reserve_dyn(gs, hint, hi - lo, align) : 0;
    if (!start) {
        g_set_error(errp, USER_ERROR, USER_ERROR_EXEC,
                    "%s: no room for its %" G_GUINT64_FORMAT " KiB in the guest address space",
                    path, (hi - lo) >> 10);
        return false;
    }
    *bias = start - lo;
    return true;
}

static bool map_failed(int64_t r, const char *path, size_t i, const char *what, GError **errp)
{
    if (r >= 0) {
        return false;
    }
    g_set_error(errp, USER_ERROR, USER_ERROR_EXEC, "%s: segment %zu: cannot map %s: %s", path, i,
                what, g_strerror((int)-r));
    return true;
}

/* Zeroes the bytes of [from, to) within one page, if the guest page is writable. */
static void zero_partial(GuestSpace *gs, uint64_t from, uint64_t to)
{
    if (from < to && (page_get_flags(gs, from) & PAGE_WRITE)) {
        memset(g2h(gs, from), 0, to - from);
    }
}

/* Maps one PT_LOAD: file pages, then the zeroed rest of the last one, then anonymous bss. */
static bool map_segment(GuestSpace *gs, const ElfPhdr *ph, size_t i, uint64_t bias, int fd,
                        const char *path, GError **errp)
{
    uint64_t vaddr = ph->vaddr + bias, start = guest_page_down(vaddr);
    uint64_t file_end = vaddr + ph->filesz, mem_end = vaddr + ph->memsz;
    uint64_t bss = guest_page_up(file_end);
    int prot = elf_prot(ph->flags);
    const int fixed = MAP_PRIVATE | MAP_FIXED;
    if (ph->filesz) {
        bool has_bss = ph->memsz > ph->filesz;
        int64_t r = guest_mmap(gs, start, bss - start, prot | (has_bss ? PROT_WRITE : 0), fixed, fd,
                               (int64_t)(ph->offset - (vaddr - start)));
        if (map_failed(r, path, i, "file contents", errp)) {
            return false;
        }
        if (has_bss) {
            zero_partial(gs, file_end, bss); /* to the page end, as Linux does */
            if (!(prot & PROT_WRITE) && map_failed(guest_mprotect(gs, start, bss - start, prot),
                                                   path, i, "protection", errp)) {
                return false;
            }
        }
    } else if (start < vaddr && (page_get_flags(gs, start) & prot) == (unsigned)prot) {
        /* The first page belongs to the previous segment too: keep it, zero our part. */
        zero_partial(gs, vaddr, MIN(guest_page_up(vaddr), mem_end));
        bss = guest_page_up(vaddr);
    } else {
        bss = start;
    }
    if (mem_end > bss) {
        int64_t r =
            guest_mmap(gs, bss, guest_page_up(mem_end) - bss, prot, fixed | MAP_ANONYMOUS, -1, 0);
        if (map_failed(r, path, i, "bss", errp)) {
            return false;
        }
    }
    return true;
}

/* Where the program headers are in memory (AT_PHDR), as Linux computes it. */
static uint64_t phdr_addr(const ElfImage *img)
{
    const ElfPhdr *pp = elf_find_phdr(img, PT_PHDR);
    if (pp) {
        return pp->vaddr;
    }
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type == PT_LOAD && ph->offset <= img->phoff &&
            img->phoff < ph->offset + ph->filesz) {
            return img->phoff - ph->offset + ph->vaddr;
        }
    }
    return 0;
}

static bool load_image(UserProcess *p, const ElfImage *img, int fd, bool is_interp,
                       const char *path, UserImage *out, GError **errp)
{
    GuestSpace *gs = &p->space;
    uint64_t bias;
    if (!reserve_image(gs, img, is_interp, path, &bias, errp)) {
        return false;
    }
    uint64_t end = 0;
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type != PT_LOAD) {
            continue;
        }
        if (!map_segment(gs, ph, i, bias, fd, path, errp)) {
            return false;
        }
        end = MAX(end, ph->vaddr + bias + ph->memsz);
    }
    uint64_t phdr = phdr_addr(img);
    *out = (UserImage){
        .bias = bias,
        .entry = img->entry + bias,
        .phdr = phdr ? phdr + bias : 0,
        .phnum = img->phnum,
        .end = end,
    };
    return true;
}

/* With a root, the interpreter is a guest path like any other (user_open_exec). */
static bool load_interp(UserProcess *p, const char *interp, UserLoadInfo *info, GError **errp)
{
    g_autofree char *host = p->root ? g_strdup(interp) : user_path(p, interp);
    int fd = -1;
    GError *err = NULL;
    g_autoptr(ElfImage) img = open_image(p, host, &fd, &err);
    if (!img && g_error_matches(err, USER_ERROR, USER_ERROR_NOT_FOUND) && p->root) {
        g_set_error(errp, USER_ERROR, USER_ERROR_NOT_FOUND,
                    "%s: interpreter %s not found (in the root %s)", p->execfn, interp,
                    user_root_host_dir(p->root));
        g_error_free(err);
        return false;
    }
    if (!img && g_error_matches(err, USER_ERROR, USER_ERROR_NOT_FOUND)) {
        g_autofree char *tried = p->sysroot ? g_build_filename(p->sysroot, interp, NULL) : NULL;
        g_set_error(errp, USER_ERROR, USER_ERROR_NOT_FOUND,
                    "%s: interpreter %s not found (tried %s%s%s)", p->execfn, interp,
                    tried ? tried : "", tried ? " and " : "", interp);
        g_error_free(err);
        return false;
    }
    if (!img) {
        g_propagate_prefixed_error(errp, err, "%s: interpreter: ", p->execfn);
        return false;
    }
    bool ok = check_image(p->arch, img, host, errp) &&
              load_image(p, img, fd, true, host, &info->interp, errp);
    close(fd);
    info->has_interp = ok;
    return ok;
}

/* With a root, the program's guest-absolute path as the kernel names the file opened. */
static void exe_guest_path(UserProcess *p, int fd)
{
    g_autofree char *guest = NULL;
    if (p->root && user_root_fd_path(p->root, fd, &guest) == 0) {
        g_free(p->exe_path);
        p->exe_path = g_steal_pointer(&guest);
    }
}

bool user_load_program(UserProcess *p, UserLoadInfo *info, GError **errp)
{
    memset(info, 0, sizeof(*info));
    int fd = -1;
    g_autoptr(ElfImage) img = open_image(p, p->exe_path, &fd, errp);
    if (!img) {
        return false;
    }
    exe_guest_path(p, fd);
    bool ok = check_image(p->arch, img, p->exe_path, errp) &&
              load_image(p, img, fd, false, p->exe_path, &info->prog, errp);
    close(fd);
    if (!ok) {
        return false;
    }
    uint32_t stack_flags;
    info->exec_stack = elf_gnu_stack_flags(img, &stack_flags) && (stack_flags & PF_X);
    p->space.brk_start = p->space.brk = guest_page_up(info->prog.end);
    if (img->interp) {
        return load_interp(p, img->interp, info, errp);
    }
    return true;
}

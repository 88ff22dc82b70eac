/*
 * ELF64 reader (see elf.h for the contract).
 *
 * Every value that comes from the file is checked before it is used as an offset, a size or
 * an allocation length, with overflow-checked arithmetic, and the file is read through one
 * bounds-checked function (source_read) whether it is a buffer or an fd. Bytes are decoded
 * one at a time in the order EI_DATA names, never by casting the file onto a struct, so the
 * result does not depend on host byte order or on the alignment of the buffer.
 */
#include "vmcore/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(paddock - elf - error - quark, elf_error)

/* Where the bytes come from: a memory image (fd < 0) or a regular file read with pread. */
typedef struct ElfSource {
    const uint8_t *buf;
    int fd;
    uint64_t size;
    bool big_endian; /* decided by EI_DATA once the identification is checked */
} ElfSource;

static uint64_t get_uint(const uint8_t *p, size_t n, bool big_endian)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[big_endian ? i : n - 1 - i];
    }
    return v;
}

static uint16_t get16(const uint8_t *p, bool be)
{
    return (uint16_t)get_uint(p, 2, be);
}

static uint32_t get32(const uint8_t *p, bool be)
{
    return (uint32_t)get_uint(p, 4, be);
}

static uint64_t get64(const uint8_t *p, bool be)
{
    return get_uint(p, 8, be);
}

static bool pread_full(int fd, uint64_t off, uint8_t *dst, size_t len, GError **errp)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = pread(fd, dst + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = errno;
            g_set_error(errp, ELF_ERROR, ELF_ERROR_IO,
                        "read of %zu bytes at offset 0x%" PRIx64 " failed: %s", len, off,
                        g_strerror(err));
            return false;
        }
        if (n == 0) {
            /* fstat said the bytes were there: the file shrank while we read it. */
            g_set_error(errp, ELF_ERROR, ELF_ERROR_TRUNCATED,
                        "file ended at offset 0x%" PRIx64 " while reading %zu bytes at offset "
                        "0x%" PRIx64 " (was it truncated while being read?)",
                        off + done, len, off);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

/* Callers check ranges with a specific message first; this check only keeps a missed case
 * from reading out of bounds. */
static bool source_read(const ElfSource *src, uint64_t off, void *dst, size_t len, GError **errp)
{
    if (off > src->size || len > src->size - off) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_TRUNCATED,
                    "%zu bytes at offset 0x%" PRIx64 " extend past end of file (size %" PRIu64 ")",
                    len, off, src->size);
        return false;
    }
    if (len == 0) {
        return true;
    }
    if (src->fd < 0) {
        memcpy(dst, src->buf + off, len);
        return true;
    }
    return pread_full(src->fd, off, dst, len, errp);
}

static bool check_magic(const uint8_t *id, size_t have, GError **errp)
{
    size_t n = MIN(have, (size_t)SELFMAG);

    if (memcmp(id, ELFMAG, n) == 0) {
        return true;
    }
    g_autoptr(GString) got = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(got, "%s%02x", i ? " " : "", id[i]);
    }
    g_set_error(errp, ELF_ERROR, ELF_ERROR_NOT_ELF,
                "not an ELF file: magic bytes are %s, expected 7f 45 4c 46 (\"\\x7fELF\")",
                got->str);
    return false;
}

/* The identification bytes, in the order that gives the most useful message: a 32-bit or
 * foreign file is named as such even when it is shorter than an ELF64 header. */
static bool check_ident(const uint8_t *id, size_t have, uint64_t file_size, GError **errp)
{
    if (!check_magic(id, have, errp)) {
        return false;
    }
    if (have < EI_NIDENT) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_TRUNCATED,
                    "file is %" PRIu64 " bytes, too short for the %d-byte ELF identification",
                    file_size, EI_NIDENT);
        return false;
    }
    if (id[EI_CLASS] == ELFCLASS32) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_CLASS,
                    "ELF32 file (EI_CLASS 1, ELFCLASS32): only ELF64 (ELFCLASS64) is supported");
        return false;
    }
    if (id[EI_CLASS] != ELFCLASS64) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_CLASS,
                    "invalid EI_CLASS 0x%02x: expected 2 (ELFCLASS64)", id[EI_CLASS]);
        return false;
    }
    if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_DATA,
                    "invalid EI_DATA 0x%02x: expected 1 (little-endian) or 2 (big-endian)",
                    id[EI_DATA]);
        return false;
    }
    if (id[EI_VERSION] != EV_CURRENT) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_VERSION, "EI_VERSION is %u: expected 1 (EV_CURRENT)",
                    id[EI_VERSION]);
        return false;
    }
    if (have < sizeof(Elf64_Ehdr)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_TRUNCATED,
                    "file is %" PRIu64 " bytes, too short for the %zu-byte ELF64 header", file_size,
                    sizeof(Elf64_Ehdr));
        return false;
    }
    return true;
}

#define EHDR_FIELD(e, field) ((e) + offsetof(Elf64_Ehdr, field))

/* Decodes the header into img; *phentsize and *phnum are the raw values, still unchecked. */
static bool decode_ehdr(ElfImage *img, const uint8_t *e, bool be, uint16_t *phentsize,
                        uint16_t *phnum, GError **errp)
{
    uint32_t version = get32(EHDR_FIELD(e, e_version), be);

    if (version != EV_CURRENT) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_VERSION,
                    "e_version is %" PRIu32 ": expected 1 (EV_CURRENT)", version);
        return false;
    }
    img->elf_class = e[EI_CLASS];
    img->data = e[EI_DATA];
    img->osabi = e[EI_OSABI];
    img->abiversion = e[EI_ABIVERSION];
    img->type = get16(EHDR_FIELD(e, e_type), be);
    img->machine = get16(EHDR_FIELD(e, e_machine), be);
    img->entry = get64(EHDR_FIELD(e, e_entry), be);
    img->phoff = get64(EHDR_FIELD(e, e_phoff), be);
    img->flags = get32(EHDR_FIELD(e, e_flags), be);
    *phentsize = get16(EHDR_FIELD(e, e_phentsize), be);
    *phnum = get16(EHDR_FIELD(e, e_phnum), be);
    return true;
}

/* Count, entry size and location of the program header table; sets img->phnum. */
static bool check_phdr_table(ElfImage *img, uint16_t phentsize, uint16_t phnum, GError **errp)
{
    uint64_t size = (uint64_t)phnum * sizeof(Elf64_Phdr);
    uint64_t end;

    if (phnum == PN_XNUM) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_PHDR,
                    "e_phnum is PN_XNUM (0xffff), which puts the real count in section header "
                    "0; more than %d program headers are not supported",
                    ELF_MAX_PHNUM);
        return false;
    }
    if (phnum > ELF_MAX_PHNUM) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_PHDR,
                    "e_phnum is %u: more than the limit of %d program headers", phnum,
                    ELF_MAX_PHNUM);
        return false;
    }
    if (phnum == 0) {
        img->phnum = 0;
        return true;
    }
    if (phentsize != sizeof(Elf64_Phdr)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_PHDR,
                    "e_phentsize is %u: expected %zu (sizeof(Elf64_Phdr))", phentsize,
                    sizeof(Elf64_Phdr));
        return false;
    }
    if (!g_uint64_checked_add(&end, img->phoff, size)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_PHDR,
                    "program header table at offset 0x%" PRIx64
                    " (%u x %u bytes) overflows a 64-bit file offset",
                    img->phoff, phnum, phentsize);
        return false;
    }
    if (end > img->file_size) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_PHDR,
                    "program header table at offset 0x%" PRIx64
                    " (%u x %u bytes) extends past end of file (size %" PRIu64 ")",
                    img->phoff, phnum, phentsize, img->file_size);
        return false;
    }
    img->phnum = phnum;
    return true;
}

#define PHDR_FIELD(p, field) ((p) + offsetof(Elf64_Phdr, field))

static void decode_phdr(ElfPhdr *ph, const uint8_t *p, bool be)
{
    ph->type = get32(PHDR_FIELD(p, p_type), be);
    ph->flags = get32(PHDR_FIELD(p, p_flags), be);
    ph->offset = get64(PHDR_FIELD(p, p_offset), be);
    ph->vaddr = get64(PHDR_FIELD(p, p_vaddr), be);
    ph->paddr = get64(PHDR_FIELD(p, p_paddr), be);
    ph->filesz = get64(PHDR_FIELD(p, p_filesz), be);
    ph->memsz = get64(PHDR_FIELD(p, p_memsz), be);
    ph->align = get64(PHDR_FIELD(p, p_align), be);
}

static bool read_phdrs(const ElfSource *src, ElfImage *img, GError **errp)
{
    size_t size = img->phnum * sizeof(Elf64_Phdr); /* bounded by ELF_MAX_PHNUM */

    if (img->phnum == 0) {
        return true;
    }
    g_autofree uint8_t *raw = g_malloc(size);
    if (!source_read(src, img->phoff, raw, size, errp)) {
        return false;
    }
    img->phdrs = g_new(ElfPhdr, img->phnum);
    for (size_t i = 0; i < img->phnum; i++) {
        decode_phdr(&img->phdrs[i], raw + i * sizeof(Elf64_Phdr), src->big_endian);
    }
    return true;
}

/* The loader maps these bytes and zero-fills up to memsz, so both ranges must make sense. */
static bool check_load(const ElfPhdr *ph, size_t i, uint64_t file_size, GError **errp)
{
    uint64_t end;

    if (ph->filesz > ph->memsz) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): p_filesz 0x%" PRIx64
                    " is larger than p_memsz 0x%" PRIx64,
                    i, ph->filesz, ph->memsz);
        return false;
    }
    if (!g_uint64_checked_add(&end, ph->offset, ph->filesz)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): p_offset 0x%" PRIx64 " + p_filesz 0x%" PRIx64
                    " overflows a 64-bit file offset",
                    i, ph->offset, ph->filesz);
        return false;
    }
    if (end > file_size) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): file bytes 0x%" PRIx64 "..0x%" PRIx64
                    " extend past end of file (size %" PRIu64 ")",
                    i, ph->offset, end, file_size);
        return false;
    }
    if (!g_uint64_checked_add(&end, ph->vaddr, ph->memsz)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): p_vaddr 0x%" PRIx64 " + p_memsz 0x%" PRIx64
                    " overflows the 64-bit address space",
                    i, ph->vaddr, ph->memsz);
        return false;
    }
    return true;
}

/* mmap can place file offset and address together only if they agree modulo the alignment. */
static bool check_load_align(const ElfPhdr *ph, size_t i, GError **errp)
{
    if (ph->align <= 1) {
        return true;
    }
    if ((ph->align & (ph->align - 1)) != 0) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): p_align 0x%" PRIx64 " is not a power of two", i,
                    ph->align);
        return false;
    }
    if (((ph->vaddr - ph->offset) & (ph->align - 1)) != 0) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_SEGMENT,
                    "program header %zu (PT_LOAD): p_vaddr 0x%" PRIx64 " and p_offset 0x%" PRIx64
                    " differ modulo p_align 0x%" PRIx64,
                    i, ph->vaddr, ph->offset, ph->align);
        return false;
    }
    return true;
}

static bool check_segments(const ElfImage *img, GError **errp)
{
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type != PT_LOAD) {
            continue;
        }
        if (!check_load(ph, i, img->file_size, errp) || !check_load_align(ph, i, errp)) {
            return false;
        }
    }
    return true;
}

/* The single PT_INTERP, or NULL; two are an error because a loader could pick either. */
static bool find_interp(const ElfImage *img, const ElfPhdr **found, GError **errp)
{
    size_t first = 0;

    *found = NULL;
    for (size_t i = 0; i < img->phnum; i++) {
        if (img->phdrs[i].type != PT_INTERP) {
            continue;
        }
        if (*found) {
            g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP,
                        "more than one PT_INTERP: program headers %zu and %zu", first, i);
            return false;
        }
        *found = &img->phdrs[i];
        first = i;
    }
    return true;
}

static bool check_interp_range(const ElfPhdr *ph, uint64_t file_size, GError **errp)
{
    uint64_t end;

    if (ph->filesz == 0) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP, "PT_INTERP is empty (p_filesz 0)");
        return false;
    }
    if (ph->filesz > ELF_MAX_INTERP) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP,
                    "PT_INTERP is %" PRIu64 " bytes: longer than the limit of %d", ph->filesz,
                    ELF_MAX_INTERP);
        return false;
    }
    if (!g_uint64_checked_add(&end, ph->offset, ph->filesz) || end > file_size) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP,
                    "PT_INTERP at offset 0x%" PRIx64 " (%" PRIu64
                    " bytes) extends past end of file (size %" PRIu64 ")",
                    ph->offset, ph->filesz, file_size);
        return false;
    }
    return true;
}

/* Like Linux, the path must end with its segment's last byte being NUL. */
static bool read_interp(const ElfSource *src, ElfImage *img, GError **errp)
{
    const ElfPhdr *ph;

    if (!find_interp(img, &ph, errp)) {
        return false;
    }
    if (!ph) {
        return true;
    }
    if (!check_interp_range(ph, img->file_size, errp)) {
        return false;
    }
    size_t len = (size_t)ph->filesz;
    g_autofree char *path = g_malloc(len);
    if (!source_read(src, ph->offset, path, len, errp)) {
        return false;
    }
    if (path[len - 1] != '\0') {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP,
                    "PT_INTERP (%zu bytes at offset 0x%" PRIx64 ") is not NUL-terminated", len,
                    ph->offset);
        return false;
    }
    if (path[0] == '\0') {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_INTERP,
                    "PT_INTERP at offset 0x%" PRIx64 " is an empty path", ph->offset);
        return false;
    }
    img->interp = g_strdup(path);
    return true;
}

static ElfImage *parse(ElfSource *src, GError **errp)
{
    uint8_t ehdr[sizeof(Elf64_Ehdr)];
    size_t have = (size_t)MIN(src->size, (uint64_t)sizeof(ehdr));
    uint16_t phentsize, phnum;

    if (!source_read(src, 0, ehdr, have, errp) || !check_ident(ehdr, have, src->size, errp)) {
        return NULL;
    }
    src->big_endian = ehdr[EI_DATA] == ELFDATA2MSB;

    g_autoptr(ElfImage) img = g_new0(ElfImage, 1);
    img->file_size = src->size;
    if (!decode_ehdr(img, ehdr, src->big_endian, &phentsize, &phnum, errp) ||
        !check_phdr_table(img, phentsize, phnum, errp) || !read_phdrs(src, img, errp) ||
        !check_segments(img, errp) || !read_interp(src, img, errp)) {
        return NULL;
    }
    return g_steal_pointer(&img);
}

ElfImage *elf_parse_buffer(const void *data, size_t size, GError **errp)
{
    g_return_val_if_fail(data != NULL || size == 0, NULL);

    ElfSource src = {.buf = data, .fd = -1, .size = size};
    return parse(&src, errp);
}

ElfImage *elf_parse_fd(int fd, GError **errp)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        int err = errno;
        g_set_error(errp, ELF_ERROR, ELF_ERROR_IO, "fstat failed: %s", g_strerror(err));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_IO, "cannot read an ELF image: %s",
                    g_strerror(EISDIR));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(errp, ELF_ERROR, ELF_ERROR_IO,
                    "cannot read an ELF image: not a regular file (mode 0%o)",
                    (unsigned)st.st_mode);
        return NULL;
    }
    ElfSource src = {.fd = fd, .size = (uint64_t)st.st_size};
    return parse(&src, errp);
}

ElfImage *elf_parse_file(const char *path, GError **errp)
{
    /* O_NONBLOCK so that a FIFO cannot hang the open; it changes nothing for a file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        int err = errno;
        g_set_error(errp, ELF_ERROR, ELF_ERROR_IO, "%s: cannot open: %s", path, g_strerror(err));
        return NULL;
    }
    g_autoptr(ElfImage) img = elf_parse_fd(fd, errp);
    if (!img) {
        g_prefix_error(errp, "%s: ", path);
    }
    if (close(fd) != 0 && img) {
        int err = errno;
        g_set_error(errp, ELF_ERROR, ELF_ERROR_IO, "%s: close failed: %s", path, g_strerror(err));
        return NULL;
    }
    return g_steal_pointer(&img);
}

void elf_image_free(ElfImage *img)
{
    if (!img) {
        return;
    }
    g_free(img->phdrs);
    g_free(img->interp);
    g_free(img);
}

const ElfPhdr *elf_find_phdr(const ElfImage *img, uint32_t type)
{
    for (size_t i = 0; i < img->phnum; i++) {
        if (img->phdrs[i].type == type) {
            return &img->phdrs[i];
        }
    }
    return NULL;
}

bool elf_has_dynamic(const ElfImage *img)
{
    return elf_find_phdr(img, PT_DYNAMIC) != NULL;
}

bool elf_gnu_stack_flags(const ElfImage *img, uint32_t *flags)
{
    const ElfPhdr *ph = elf_find_phdr(img, PT_GNU_STACK);

    if (!ph) {
        return false;
    }
    *flags = ph->flags;
    return true;
}

bool elf_load_span(const ElfImage *img, uint64_t *lo, uint64_t *hi)
{
    bool found = false;

    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type != PT_LOAD) {
            continue;
        }
        /* check_load guarantees vaddr + memsz does not wrap. */
        uint64_t end = ph->vaddr + ph->memsz;
        *lo = found ? MIN(*lo, ph->vaddr) : ph->vaddr;
        *hi = found ? MAX(*hi, end) : end;
        found = true;
    }
    return found;
}

const char *elf_machine_name(uint16_t machine)
{
    switch (machine) {
    case EM_RISCV: return "RISC-V";
    case EM_AARCH64: return "AArch64";
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_ARM: return "ARM";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "S/390";
    case EM_MIPS: return "MIPS";
    case EM_LOONGARCH: return "LoongArch";
    default: return "unknown";
    }
}

const char *elf_type_name(uint16_t type)
{
    switch (type) {
    case ET_NONE: return "NONE";
    case ET_REL: return "REL";
    case ET_EXEC: return "EXEC";
    case ET_DYN: return "DYN";
    case ET_CORE: return "CORE";
    default: return "unknown";
    }
}

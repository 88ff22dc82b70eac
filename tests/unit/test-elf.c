/*
 * Unit tests for vmcore/elf.c: real binaries (Debian busybox-static for riscv64 and arm64,
 * the host's dynamic /bin/true), a synthetic ELF64 image built here in both byte orders and
 * then corrupted one field at a time, the fd and path entry points, and a seeded
 * random-mutation loop that must never crash (CI runs it under ASan and UBSan).
 *
 * Buffers handed to the parser are allocated at their exact length so that an
 * out-of-bounds read shows up under ASan.
 */
#include "vmcore/elf.h"
#include "tests/unit/test-util.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The synthetic image: a RISC-V PIE with an interpreter, text and data, dynamic, stack. */
enum {
    IMG_PHOFF = sizeof(Elf64_Ehdr),
    IMG_PHNUM = 5,
    IMG_INTERP_OFF = IMG_PHOFF + IMG_PHNUM * sizeof(Elf64_Phdr),
    IMG_DATA_OFF = 0x200,
    IMG_SIZE = 0x300,
};
enum { PH_INTERP, PH_TEXT, PH_DATA, PH_DYNAMIC, PH_STACK };

#define IMG_INTERP "/lib/ld-linux-riscv64-lp64d.so.1"
#define IMG_ENTRY  0x10100
#define IMG_FLAGS  (EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE)

static const ElfPhdr image_phdrs[IMG_PHNUM] = {
    [PH_INTERP] = {PT_INTERP, PF_R, IMG_INTERP_OFF, 0x10000 + IMG_INTERP_OFF,
                   0x10000 + IMG_INTERP_OFF, sizeof(IMG_INTERP), sizeof(IMG_INTERP), 1},
    [PH_TEXT] = {PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x10000, IMG_DATA_OFF, IMG_DATA_OFF, 0x1000},
    [PH_DATA] = {PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0x21200, 0x21200, 0x100, 0x1000, 0x1000},
    [PH_DYNAMIC] = {PT_DYNAMIC, PF_R | PF_W, IMG_DATA_OFF, 0x21200, 0x21200, 0x80, 0x80, 8},
    [PH_STACK] = {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16},
};

typedef struct TestImage {
    uint8_t bytes[IMG_SIZE];
    bool be;
} TestImage;

static void put(uint8_t *p, size_t n, uint64_t v, bool be)
{
    for (size_t i = 0; i < n; i++) {
        p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
    }
}

/* Writes a header or program header field at its offset with its own width. */
#define EHDR_SET(t, field, v) \
    put((t)->bytes + offsetof(Elf64_Ehdr, field), sizeof(((Elf64_Ehdr *)0)->field), (v), (t)->be)
#define PHDR_SET(t, i, field, v)                                                         \
    put((t)->bytes + IMG_PHOFF + (i) * sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, field), \
        sizeof(((Elf64_Phdr *)0)->field), (v), (t)->be)

static void put_phdr(TestImage *t, size_t i, const ElfPhdr *ph)
{
    PHDR_SET(t, i, p_type, ph->type);
    PHDR_SET(t, i, p_flags, ph->flags);
    PHDR_SET(t, i, p_offset, ph->offset);
    PHDR_SET(t, i, p_vaddr, ph->vaddr);
    PHDR_SET(t, i, p_paddr, ph->paddr);
    PHDR_SET(t, i, p_filesz, ph->filesz);
    PHDR_SET(t, i, p_memsz, ph->memsz);
    PHDR_SET(t, i, p_align, ph->align);
}

static void build_image(TestImage *t, bool be)
{
    memset(t, 0, sizeof(*t));
    t->be = be;
    memcpy(t->bytes, ELFMAG, SELFMAG);
    t->bytes[EI_CLASS] = ELFCLASS64;
    t->bytes[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
    t->bytes[EI_VERSION] = EV_CURRENT;
    t->bytes[EI_OSABI] = ELFOSABI_SYSV;
    EHDR_SET(t, e_type, ET_DYN);
    EHDR_SET(t, e_machine, EM_RISCV);
    EHDR_SET(t, e_version, EV_CURRENT);
    EHDR_SET(t, e_entry, IMG_ENTRY);
    EHDR_SET(t, e_phoff, IMG_PHOFF);
    EHDR_SET(t, e_flags, IMG_FLAGS);
    EHDR_SET(t, e_ehsize, sizeof(Elf64_Ehdr));
    EHDR_SET(t, e_phentsize, sizeof(Elf64_Phdr));
    EHDR_SET(t, e_phnum, IMG_PHNUM);
    EHDR_SET(t, e_shentsize, sizeof(Elf64_Shdr));
    for (size_t i = 0; i < IMG_PHNUM; i++) {
        put_phdr(t, i, &image_phdrs[i]);
    }
    memcpy(t->bytes + IMG_INTERP_OFF, IMG_INTERP, sizeof(IMG_INTERP));
    for (size_t i = IMG_DATA_OFF; i < IMG_SIZE; i++) {
        t->bytes[i] = (uint8_t)(i * 7);
    }
}

static ElfImage *parse_ok(const void *buf, size_t len)
{
    g_autoptr(GError) err = NULL;
    g_autofree void *copy = g_memdup2(buf, len);
    ElfImage *img = elf_parse_buffer(copy, len, &err);

    g_assert_no_error(err);
    g_assert_nonnull(img);
    return img;
}

/* The parse fails with this code, and the message is there and names the problem. */
static void assert_parse_error(const void *buf, size_t len, ElfError code, const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_autofree void *copy = g_memdup2(buf, len);
    g_autoptr(ElfImage) img = elf_parse_buffer(copy, len, &err);

    g_assert_null(img);
    g_assert_error(err, ELF_ERROR, (gint)code);
    g_assert_cmpstr(err->message, !=, "");
    g_test_message("%s", err->message);
    if (needle && !strstr(err->message, needle)) {
        g_error("message \"%s\" does not mention \"%s\"", err->message, needle);
    }
}

static void assert_image_error(const TestImage *t, ElfError code, const char *needle)
{
    assert_parse_error(t->bytes, sizeof(t->bytes), code, needle);
}

static void check_synthetic(const ElfImage *img, uint8_t data)
{
    g_assert_cmpuint(img->elf_class, ==, ELFCLASS64);
    g_assert_cmpuint(img->data, ==, data);
    g_assert_cmpuint(img->osabi, ==, ELFOSABI_SYSV);
    g_assert_cmpuint(img->type, ==, ET_DYN);
    g_assert_cmpuint(img->machine, ==, EM_RISCV);
    g_assert_cmphex(img->entry, ==, IMG_ENTRY);
    g_assert_cmphex(img->flags, ==, IMG_FLAGS);
    g_assert_cmpuint(img->phoff, ==, IMG_PHOFF);
    g_assert_cmpuint(img->file_size, ==, IMG_SIZE);
    g_assert_cmpuint(img->phnum, ==, IMG_PHNUM);
    g_assert_cmpmem(img->phdrs, img->phnum * sizeof(ElfPhdr), image_phdrs, sizeof(image_phdrs));
    g_assert_cmpstr(img->interp, ==, IMG_INTERP);
}

static void test_synthetic_le(void)
{
    TestImage t;

    build_image(&t, false);
    g_autoptr(ElfImage) img = parse_ok(t.bytes, sizeof(t.bytes));
    check_synthetic(img, ELFDATA2LSB);
}

static void test_synthetic_be(void)
{
    TestImage t;

    build_image(&t, true);
    g_autoptr(ElfImage) img = parse_ok(t.bytes, sizeof(t.bytes));
    check_synthetic(img, ELFDATA2MSB);
}

static void test_queries(void)
{
    TestImage t;
    uint64_t lo = 0, hi = 0;
    uint32_t flags = 0;

    build_image(&t, false);
    g_autoptr(ElfImage) img = parse_ok(t.bytes, sizeof(t.bytes));
    g_assert_true(elf_has_dynamic(img));
    g_assert_true(elf_gnu_stack_flags(img, &flags));
    g_assert_cmphex(flags, ==, PF_R | PF_W);
    g_assert_true(elf_load_span(img, &lo, &hi));
    g_assert_cmphex(lo, ==, 0x10000);
    g_assert_cmphex(hi, ==, 0x21200 + 0x1000);
    g_assert_true(elf_find_phdr(img, PT_LOAD) == &img->phdrs[PH_TEXT]);
    g_assert_null(elf_find_phdr(img, PT_TLS));

    /* Without PT_DYNAMIC, PT_GNU_STACK and PT_LOAD the queries say so. */
    PHDR_SET(&t, PH_DYNAMIC, p_type, PT_NULL);
    PHDR_SET(&t, PH_STACK, p_type, PT_NOTE);
    PHDR_SET(&t, PH_TEXT, p_type, PT_NOTE);
    PHDR_SET(&t, PH_DATA, p_type, PT_NOTE);
    g_autoptr(ElfImage) bare = parse_ok(t.bytes, sizeof(t.bytes));
    g_assert_false(elf_has_dynamic(bare));
    flags = 0x1234;
    g_assert_false(elf_gnu_stack_flags(bare, &flags));
    g_assert_cmphex(flags, ==, 0x1234);
    g_assert_false(elf_load_span(bare, &lo, &hi));
}

/* A relocatable object has no program headers, and e_phentsize then does not matter. */
static void test_no_phdrs(void)
{
    TestImage t;

    build_image(&t, false);
    EHDR_SET(&t, e_type, ET_REL);
    EHDR_SET(&t, e_phnum, 0);
    EHDR_SET(&t, e_phentsize, 0);
    EHDR_SET(&t, e_phoff, UINT64_MAX);
    g_autoptr(ElfImage) img = parse_ok(t.bytes, sizeof(t.bytes));
    g_assert_cmpuint(img->type, ==, ET_REL);
    g_assert_cmpuint(img->phnum, ==, 0);
    g_assert_null(img->interp);
    g_assert_false(elf_has_dynamic(img));
    uint64_t lo, hi;
    g_assert_false(elf_load_span(img, &lo, &hi));
}

static void test_names(void)
{
    g_assert_cmpstr(elf_machine_name(EM_RISCV), ==, "RISC-V");
    g_assert_cmpstr(elf_machine_name(EM_AARCH64), ==, "AArch64");
    g_assert_cmpstr(elf_machine_name(EM_X86_64), ==, "x86-64");
    g_assert_cmpstr(elf_machine_name(0xfffe), ==, "unknown");
    g_assert_cmpstr(elf_type_name(ET_EXEC), ==, "EXEC");
    g_assert_cmpstr(elf_type_name(ET_DYN), ==, "DYN");
    g_assert_cmpstr(elf_type_name(ET_REL), ==, "REL");
    g_assert_cmpstr(elf_type_name(ET_CORE), ==, "CORE");
    g_assert_cmpstr(elf_type_name(0x1234), ==, "unknown");
}

/* --- The identification and header ------------------------------------------------------ */

static void test_bad_empty(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ElfImage) img = elf_parse_buffer(NULL, 0, &err);

    g_assert_null(img);
    g_assert_error(err, ELF_ERROR, ELF_ERROR_TRUNCATED);
    g_assert_cmpstr(err->message, !=, "");
    assert_parse_error("", 0, ELF_ERROR_TRUNCATED, "0 bytes");
}

static void test_bad_truncated(void)
{
    TestImage t;

    build_image(&t, false);
    assert_parse_error(t.bytes, 3, ELF_ERROR_TRUNCATED, "identification");
    assert_parse_error(t.bytes, EI_NIDENT - 1, ELF_ERROR_TRUNCATED, "identification");
    assert_parse_error(t.bytes, EI_NIDENT, ELF_ERROR_TRUNCATED, "ELF64 header");
    assert_parse_error(t.bytes, sizeof(Elf64_Ehdr) - 1, ELF_ERROR_TRUNCATED, "ELF64 header");
}

static void test_bad_magic(void)
{
    TestImage t;

    build_image(&t, false);
    t.bytes[EI_MAG1] = 'X';
    assert_image_error(&t, ELF_ERROR_NOT_ELF, "7f 58 4c 46");
    assert_parse_error("MZ", 2, ELF_ERROR_NOT_ELF, "4d 5a");
    assert_parse_error("#!/bin/sh\n", 10, ELF_ERROR_NOT_ELF, "magic");
}

static void test_bad_class(void)
{
    TestImage t;

    build_image(&t, false);
    t.bytes[EI_CLASS] = ELFCLASS32;
    assert_image_error(&t, ELF_ERROR_CLASS, "ELF32");
    /* Named as ELF32 even when shorter than an ELF64 header (an Elf32_Ehdr is 52 bytes). */
    assert_parse_error(t.bytes, sizeof(Elf32_Ehdr), ELF_ERROR_CLASS, "ELF32");
    t.bytes[EI_CLASS] = ELFCLASSNONE;
    assert_image_error(&t, ELF_ERROR_CLASS, "EI_CLASS 0x00");
    t.bytes[EI_CLASS] = 3;
    assert_image_error(&t, ELF_ERROR_CLASS, "EI_CLASS 0x03");
}

static void test_bad_data(void)
{
    TestImage t;

    build_image(&t, false);
    t.bytes[EI_DATA] = ELFDATANONE;
    assert_image_error(&t, ELF_ERROR_DATA, "EI_DATA 0x00");
    t.bytes[EI_DATA] = 0x80;
    assert_image_error(&t, ELF_ERROR_DATA, "EI_DATA 0x80");
}

static void test_bad_version(void)
{
    TestImage t;

    build_image(&t, false);
    t.bytes[EI_VERSION] = 2;
    assert_image_error(&t, ELF_ERROR_VERSION, "EI_VERSION");
    build_image(&t, true);
    EHDR_SET(&t, e_version, 0);
    assert_image_error(&t, ELF_ERROR_VERSION, "e_version");
}

/* --- The program header table ----------------------------------------------------------- */

static void test_bad_phentsize(void)
{
    TestImage t;

    build_image(&t, false);
    EHDR_SET(&t, e_phentsize, sizeof(Elf32_Phdr));
    assert_image_error(&t, ELF_ERROR_PHDR, "e_phentsize is 32");
    EHDR_SET(&t, e_phentsize, 0);
    assert_image_error(&t, ELF_ERROR_PHDR, "e_phentsize is 0");
}

static void test_bad_phnum(void)
{
    TestImage t;

    build_image(&t, false);
    EHDR_SET(&t, e_phnum, ELF_MAX_PHNUM + 1);
    assert_image_error(&t, ELF_ERROR_PHDR, "limit");
    EHDR_SET(&t, e_phnum, PN_XNUM);
    assert_image_error(&t, ELF_ERROR_PHDR, "PN_XNUM");
    /* Within the cap, but the table would run far past the end of this small file. */
    EHDR_SET(&t, e_phnum, ELF_MAX_PHNUM);
    assert_image_error(&t, ELF_ERROR_PHDR, "past end of file");
}

static void test_bad_phdr_past_eof(void)
{
    TestImage t;

    build_image(&t, false);
    EHDR_SET(&t, e_phoff, IMG_SIZE - sizeof(Elf64_Phdr));
    assert_image_error(&t, ELF_ERROR_PHDR, "(5 x 56 bytes) extends past end of file (size 768)");
    build_image(&t, false);
    assert_parse_error(t.bytes, IMG_INTERP_OFF - 1, ELF_ERROR_PHDR, "past end of file");
}

static void test_bad_phdr_overflow(void)
{
    TestImage t;

    build_image(&t, true);
    EHDR_SET(&t, e_phoff, UINT64_MAX - 100);
    assert_image_error(&t, ELF_ERROR_PHDR, "overflows");
}

/* --- PT_LOAD segments -------------------------------------------------------------------- */

static void test_bad_load_offset_overflow(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_DATA, p_offset, UINT64_MAX - 0x10);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "p_offset 0xffffffffffffffef + p_filesz 0x100");
}

static void test_bad_load_past_eof(void)
{
    TestImage t;

    build_image(&t, false);
    assert_parse_error(t.bytes, IMG_SIZE - 1, ELF_ERROR_SEGMENT, "program header 2 (PT_LOAD)");
    PHDR_SET(&t, PH_TEXT, p_filesz, IMG_SIZE + 1);
    PHDR_SET(&t, PH_TEXT, p_memsz, IMG_SIZE + 1);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "past end of file (size 768)");
}

static void test_bad_filesz_gt_memsz(void)
{
    TestImage t;

    build_image(&t, true);
    PHDR_SET(&t, PH_DATA, p_memsz, 0xff);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "p_filesz 0x100 is larger than p_memsz 0xff");
}

static void test_bad_vaddr_overflow(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_DATA, p_vaddr, UINT64_MAX - 0xdff);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "address space");
}

static void test_bad_align(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_DATA, p_align, 0x1800);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "not a power of two");
    PHDR_SET(&t, PH_DATA, p_align, 0x1000);
    PHDR_SET(&t, PH_DATA, p_vaddr, 0x21100);
    assert_image_error(&t, ELF_ERROR_SEGMENT, "differ modulo p_align 0x1000");
    /* Alignment 0 and 1 mean none: any placement is fine. */
    PHDR_SET(&t, PH_DATA, p_align, 1);
    g_autoptr(ElfImage) img = parse_ok(t.bytes, sizeof(t.bytes));
    g_assert_cmphex(img->phdrs[PH_DATA].vaddr, ==, 0x21100);
}

/* --- PT_INTERP ---------------------------------------------------------------------------- */

static void test_bad_interp_unterminated(void)
{
    TestImage t;

    build_image(&t, false);
    t.bytes[IMG_INTERP_OFF + sizeof(IMG_INTERP) - 1] = 'X';
    assert_image_error(&t, ELF_ERROR_INTERP, "not NUL-terminated");
}

static void test_bad_interp_empty(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_INTERP, p_filesz, 0);
    assert_image_error(&t, ELF_ERROR_INTERP, "empty");
    PHDR_SET(&t, PH_INTERP, p_filesz, 1);
    PHDR_SET(&t, PH_INTERP, p_offset, IMG_INTERP_OFF + sizeof(IMG_INTERP) - 1);
    assert_image_error(&t, ELF_ERROR_INTERP, "empty path");
}

static void test_bad_interp_past_eof(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_INTERP, p_offset, IMG_SIZE - 4);
    assert_image_error(&t, ELF_ERROR_INTERP, "past end of file");
    PHDR_SET(&t, PH_INTERP, p_offset, UINT64_MAX - 4);
    assert_image_error(&t, ELF_ERROR_INTERP, "past end of file");
}

static void test_bad_interp_too_long(void)
{
    TestImage t;

    build_image(&t, false);
    PHDR_SET(&t, PH_INTERP, p_filesz, ELF_MAX_INTERP + 1);
    assert_image_error(&t, ELF_ERROR_INTERP, "limit");
}

static void test_bad_interp_two(void)
{
    TestImage t;

    build_image(&t, true);
    PHDR_SET(&t, PH_DYNAMIC, p_type, PT_INTERP);
    assert_image_error(&t, ELF_ERROR_INTERP, "program headers 0 and 3");
}

/* --- Real binaries ------------------------------------------------------------------------ */

static ElfImage *parse_path(const char *path)
{
    g_autoptr(GError) err = NULL;
    ElfImage *img = elf_parse_file(path, &err);

    g_assert_no_error(err);
    g_assert_nonnull(img);
    return img;
}

static void check_static_busybox(const ElfImage *img, uint16_t machine)
{
    uint64_t lo, hi;

    g_assert_cmpuint(img->elf_class, ==, ELFCLASS64);
    g_assert_cmpuint(img->data, ==, ELFDATA2LSB);
    g_assert_cmpuint(img->machine, ==, machine);
    g_assert_true(img->type == ET_EXEC || img->type == ET_DYN);
    g_assert_cmphex(img->entry, !=, 0);
    g_assert_true(elf_load_span(img, &lo, &hi));
    g_assert_cmphex(img->entry, >=, lo);
    g_assert_cmphex(img->entry, <, hi);
    g_assert_null(img->interp);
    g_assert_null(elf_find_phdr(img, PT_INTERP));
}

static void test_busybox_riscv64(void)
{
    g_autofree char *path = test_require_artifact("busybox/riscv64/busybox");

    if (!path) {
        return;
    }
    g_autoptr(ElfImage) img = parse_path(path);
    check_static_busybox(img, EM_RISCV);
    /* Debian's riscv64 ABI is lp64d with compressed instructions. */
    g_assert_cmphex(img->flags & EF_RISCV_FLOAT_ABI, ==, EF_RISCV_FLOAT_ABI_DOUBLE);
    g_assert_cmphex(img->flags & EF_RISCV_RVC, ==, EF_RISCV_RVC);
}

static void test_busybox_arm64(void)
{
    g_autofree char *path = test_require_artifact("busybox/arm64/busybox");

    if (!path) {
        return;
    }
    g_autoptr(ElfImage) img = parse_path(path);
    check_static_busybox(img, EM_AARCH64);
}

static void test_host_dynamic(void)
{
    g_autoptr(ElfImage) img = parse_path("/bin/true");

    g_assert_cmpuint(img->elf_class, ==, ELFCLASS64);
    g_assert_true(img->type == ET_DYN || img->type == ET_EXEC);
    g_assert_true(elf_has_dynamic(img));
    g_assert_nonnull(img->interp);
    g_assert_true(g_path_is_absolute(img->interp));
#if defined(__x86_64__)
    g_assert_cmpuint(img->machine, ==, EM_X86_64);
    g_assert_cmpstr(img->interp, ==, "/lib64/ld-linux-x86-64.so.2");
#endif
}

/* --- fd and path entry points ------------------------------------------------------------- */

static void write_all(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(ftruncate(fd, 0), ==, 0);
    for (size_t done = 0; done < len;) {
        ssize_t n = pwrite(fd, (const uint8_t *)buf + done, len - done, (off_t)done);
        g_assert_cmpint(n, >, 0);
        done += (size_t)n;
    }
}

/* A temporary file holding buf; the caller closes the fd and unlinks *path. */
static int temp_file_with(const void *buf, size_t len, char **path)
{
    g_autoptr(GError) err = NULL;
    int fd = g_file_open_tmp("paddock-test-elf-XXXXXX", path, &err);

    g_assert_no_error(err);
    write_all(fd, buf, len);
    return fd;
}

static void remove_temp(int fd, char *path)
{
    g_assert_cmpint(close(fd), ==, 0);
    g_assert_cmpint(unlink(path), ==, 0);
    g_free(path);
}

static void test_fd_synthetic(void)
{
    g_autoptr(GError) err = NULL;
    TestImage t;
    char *path;

    build_image(&t, true);
    int fd = temp_file_with(t.bytes, sizeof(t.bytes), &path);
    g_assert_cmpint(lseek(fd, 17, SEEK_SET), ==, 17);
    g_autoptr(ElfImage) img = elf_parse_fd(fd, &err);
    g_assert_no_error(err);
    check_synthetic(img, ELFDATA2MSB);
    /* pread leaves the file offset where the caller had it. */
    g_assert_cmpint(lseek(fd, 0, SEEK_CUR), ==, 17);
    g_autoptr(ElfImage) by_path = elf_parse_file(path, &err);
    g_assert_no_error(err);
    check_synthetic(by_path, ELFDATA2MSB);
    remove_temp(fd, path);
}

static void assert_file_error(const char *path, ElfError code, const char *needle)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ElfImage) img = elf_parse_file(path, &err);

    g_assert_null(img);
    g_assert_error(err, ELF_ERROR, (gint)code);
    g_test_message("%s", err->message);
    g_assert_true(g_str_has_prefix(err->message, path));
    if (needle && !strstr(err->message, needle)) {
        g_error("message \"%s\" does not mention \"%s\"", err->message, needle);
    }
}

/* Cuts at each boundary the parser checks, computed from the binary's own headers. */
static void test_fd_truncated_real(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize size = 0;
    uint64_t load_end = 0;
    char *path;

    g_assert_true(g_file_get_contents("/bin/true", &data, &size, &err));
    g_autoptr(ElfImage) full = parse_ok(data, size);
    for (size_t i = 0; i < full->phnum; i++) {
        const ElfPhdr *ph = &full->phdrs[i];
        if (ph->type == PT_LOAD || ph->type == PT_INTERP) {
            load_end = MAX(load_end, ph->offset + ph->filesz);
        }
    }
    uint64_t phdr_end = full->phoff + full->phnum * sizeof(Elf64_Phdr);
    g_assert_cmpuint(phdr_end, <, load_end);

    int fd = temp_file_with(data, 0, &path);
    assert_file_error(path, ELF_ERROR_TRUNCATED, "identification");
    write_all(fd, data, sizeof(Elf64_Ehdr) - 1);
    assert_file_error(path, ELF_ERROR_TRUNCATED, "ELF64 header");
    write_all(fd, data, phdr_end - 1);
    assert_file_error(path, ELF_ERROR_PHDR, "past end of file");
    write_all(fd, data, load_end - 1);
    assert_file_error(path, ELF_ERROR_SEGMENT, "past end of file");
    write_all(fd, data, load_end);
    g_autoptr(ElfImage) img = elf_parse_file(path, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(img->interp, ==, full->interp);
    remove_temp(fd, path);
}

static void test_fd_nonexistent(void)
{
    assert_file_error("/nonexistent/paddock/elf", ELF_ERROR_IO, g_strerror(ENOENT));
}

static void test_fd_directory(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("paddock-test-elf-XXXXXX", &err);

    g_assert_no_error(err);
    assert_file_error(dir, ELF_ERROR_IO, g_strerror(EISDIR));
    g_assert_cmpint(rmdir(dir), ==, 0);
}

/* A FIFO must be refused, not waited on: the open is non-blocking. */
static void test_fd_not_regular(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("paddock-test-elf-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    int pipefd[2];

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    assert_file_error(fifo, ELF_ERROR_IO, "not a regular file");
    g_assert_cmpint(unlink(fifo), ==, 0);
    g_assert_cmpint(rmdir(dir), ==, 0);

    g_assert_cmpint(pipe(pipefd), ==, 0);
    g_autoptr(ElfImage) img = elf_parse_fd(pipefd[0], &err);
    g_assert_null(img);
    g_assert_error(err, ELF_ERROR, ELF_ERROR_IO);
    g_assert_cmpint(close(pipefd[0]), ==, 0);
    g_assert_cmpint(close(pipefd[1]), ==, 0);
}

static void test_fd_bad_fd(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ElfImage) img = elf_parse_fd(-1, &err);

    g_assert_null(img);
    g_assert_error(err, ELF_ERROR, ELF_ERROR_IO);
    g_assert_nonnull(strstr(err->message, g_strerror(EBADF)));
}

/* --- Random mutation ----------------------------------------------------------------------- */

#define FUZZ_ITERATIONS 20000
#define FUZZ_FD_EVERY   200

/* What a successful parse promises, whatever the input was. */
static void check_invariants(const ElfImage *img, size_t len)
{
    uint64_t lo, hi, end;
    uint32_t flags;

    g_assert_cmpuint(img->elf_class, ==, ELFCLASS64);
    g_assert_true(img->data == ELFDATA2LSB || img->data == ELFDATA2MSB);
    g_assert_cmpuint(img->phnum, <=, ELF_MAX_PHNUM);
    g_assert_cmpuint(img->file_size, ==, len);
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *ph = &img->phdrs[i];
        if (ph->type == PT_LOAD) {
            g_assert_cmpuint(ph->filesz, <=, ph->memsz);
            g_assert_true(g_uint64_checked_add(&end, ph->offset, ph->filesz));
            g_assert_cmpuint(end, <=, len);
            g_assert_true(g_uint64_checked_add(&end, ph->vaddr, ph->memsz));
        }
    }
    if (img->interp) {
        g_assert_cmpuint(strlen(img->interp), >, 0);
        g_assert_cmpuint(strlen(img->interp), <, ELF_MAX_INTERP);
    }
    if (elf_load_span(img, &lo, &hi)) {
        g_assert_cmpuint(lo, <=, hi);
    }
    (void)elf_has_dynamic(img);
    (void)elf_gnu_stack_flags(img, &flags);
}

/* Overwrites the aligned 8 bytes around pos with a value that sits on a boundary. */
static void put_interesting(uint8_t *buf, size_t len, size_t pos, GRand *rng)
{
    static const uint64_t interesting[] = {
        0,         1, 0x7f, 0x80, 0xff, 0x1000, 0xffff, 0x10000, INT64_MAX, (uint64_t)INT64_MAX + 1,
        UINT64_MAX};
    uint64_t v = interesting[g_rand_int_range(rng, 0, G_N_ELEMENTS(interesting))];
    size_t at = pos & ~(size_t)7;

    put(buf + at, MIN((size_t)8, len - at), v, g_rand_boolean(rng));
}

/* A few edits, mostly inside the first hot bytes where the parser looks. */
static void mutate(uint8_t *buf, size_t len, size_t hot, GRand *rng)
{
    size_t region = MIN(hot, len);
    int edits = g_rand_int_range(rng, 1, 9);

    for (int i = 0; i < edits && region > 0; i++) {
        size_t pos = g_rand_int_range(rng, 0, 8) ? g_rand_int_range(rng, 0, (gint32)region)
                                                 : g_rand_int_range(rng, 0, (gint32)len);
        switch (g_rand_int_range(rng, 0, 4)) {
        case 0: buf[pos] ^= (uint8_t)(1u << g_rand_int_range(rng, 0, 8)); break;
        case 1: buf[pos] = (uint8_t)g_rand_int(rng); break;
        default: put_interesting(buf, len, pos, rng); break;
        }
    }
}

/* The fd path must agree with the buffer path on every input. */
static void check_fd_agrees(int fd, const uint8_t *buf, size_t len, const ElfImage *img,
                            const GError *err)
{
    g_autoptr(GError) fd_err = NULL;

    write_all(fd, buf, len);
    g_autoptr(ElfImage) fd_img = elf_parse_fd(fd, &fd_err);
    g_assert_true((fd_img == NULL) == (img == NULL));
    if (img) {
        g_assert_cmpuint(fd_img->phnum, ==, img->phnum);
        g_assert_cmpmem(fd_img->phdrs, fd_img->phnum * sizeof(ElfPhdr), img->phdrs,
                        img->phnum * sizeof(ElfPhdr));
        g_assert_cmpstr(fd_img->interp, ==, img->interp);
    } else {
        g_assert_error(fd_err, ELF_ERROR, err->code);
        g_assert_cmpstr(fd_err->message, ==, err->message);
    }
}

static void fuzz(const uint8_t *base, size_t size, size_t hot, guint32 seed)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
    char *path;
    int fd = temp_file_with(base, 0, &path);
    unsigned ok = 0;

    for (int iter = 0; iter < FUZZ_ITERATIONS; iter++) {
        g_autoptr(GError) err = NULL;
        size_t len = size;
        if (g_rand_int_range(rng, 0, 4) == 0) {
            len = (size_t)g_rand_int_range(rng, 0, (gint32)size + 1);
        }
        g_autofree uint8_t *buf = g_memdup2(base, len);
        mutate(buf, len, hot, rng);
        g_autoptr(ElfImage) img = elf_parse_buffer(buf, len, &err);
        if (img) {
            g_assert_no_error(err);
            check_invariants(img, len);
            ok++;
        } else {
            g_assert_nonnull(err);
            g_assert_true(err->domain == ELF_ERROR);
            g_assert_cmpstr(err->message, !=, "");
        }
        if (iter % FUZZ_FD_EVERY == 0) {
            check_fd_agrees(fd, buf, len, img, err);
        }
    }
    g_test_message("%u of %d mutated images parsed", ok, FUZZ_ITERATIONS);
    remove_temp(fd, path);
}

static void test_fuzz_synthetic(void)
{
    TestImage le, be;

    build_image(&le, false);
    build_image(&be, true);
    fuzz(le.bytes, sizeof(le.bytes), IMG_DATA_OFF, 0x5eed0001);
    fuzz(be.bytes, sizeof(be.bytes), IMG_DATA_OFF, 0x5eed0002);
}

static void test_fuzz_host_binary(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize size = 0;

    g_assert_true(g_file_get_contents("/bin/true", &data, &size, &err));
    g_autoptr(ElfImage) img = parse_ok(data, size);
    /* Mostly the header, program headers and interpreter path; the rest is code. */
    size_t hot = img->phoff + img->phnum * sizeof(Elf64_Phdr);
    if (img->interp) {
        hot = MAX(hot, elf_find_phdr(img, PT_INTERP)->offset + strlen(img->interp) + 1);
    }
    fuzz((const uint8_t *)data, size, hot, 0x5eed0003);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/elf/synthetic/le", test_synthetic_le);
    g_test_add_func("/elf/synthetic/be", test_synthetic_be);
    g_test_add_func("/elf/synthetic/queries", test_queries);
    g_test_add_func("/elf/synthetic/no-phdrs", test_no_phdrs);
    g_test_add_func("/elf/names", test_names);

    g_test_add_func("/elf/bad/empty", test_bad_empty);
    g_test_add_func("/elf/bad/truncated", test_bad_truncated);
    g_test_add_func("/elf/bad/magic", test_bad_magic);
    g_test_add_func("/elf/bad/class", test_bad_class);
    g_test_add_func("/elf/bad/data", test_bad_data);
    g_test_add_func("/elf/bad/version", test_bad_version);
    g_test_add_func("/elf/bad/phentsize", test_bad_phentsize);
    g_test_add_func("/elf/bad/phnum", test_bad_phnum);
    g_test_add_func("/elf/bad/phdr-past-eof", test_bad_phdr_past_eof);
    g_test_add_func("/elf/bad/phdr-overflow", test_bad_phdr_overflow);
    g_test_add_func("/elf/bad/load-offset-overflow", test_bad_load_offset_overflow);
    g_test_add_func("/elf/bad/load-past-eof", test_bad_load_past_eof);
    g_test_add_func("/elf/bad/filesz-gt-memsz", test_bad_filesz_gt_memsz);
    g_test_add_func("/elf/bad/vaddr-overflow", test_bad_vaddr_overflow);
    g_test_add_func("/elf/bad/align", test_bad_align);
    g_test_add_func("/elf/bad/interp-unterminated", test_bad_interp_unterminated);
    g_test_add_func("/elf/bad/interp-empty", test_bad_interp_empty);
    g_test_add_func("/elf/bad/interp-past-eof", test_bad_interp_past_eof);
    g_test_add_func("/elf/bad/interp-too-long", test_bad_interp_too_long);
    g_test_add_func("/elf/bad/interp-two", test_bad_interp_two);

    g_test_add_func("/elf/real/host-dynamic", test_host_dynamic);

    g_test_add_func("/elf/fd/synthetic", test_fd_synthetic);
    g_test_add_func("/elf/fd/truncated-real", test_fd_truncated_real);
    g_test_add_func("/elf/fd/nonexistent", test_fd_nonexistent);
    g_test_add_func("/elf/fd/directory", test_fd_directory);
    g_test_add_func("/elf/fd/not-regular", test_fd_not_regular);
    g_test_add_func("/elf/fd/bad-fd", test_fd_bad_fd);

    g_test_add_func("/elf/fuzz/synthetic", test_fuzz_synthetic);
    g_test_add_func("/elf/fuzz/host-binary", test_fuzz_host_binary);

    /* Last: a missing artifact fails the run, and GTest stops at the first failure. */
    g_test_add_func("/elf/artifact/busybox-riscv64", test_busybox_riscv64);
    g_test_add_func("/elf/artifact/busybox-arm64", test_busybox_arm64);

    return g_test_run();
}

/*
 * ELF64 reader: the header, program headers and PT_INTERP of an executable, decoded into
 * host-endian structs and validated, for the user-mode loader and the firmware loader.
 *
 * Why a reader of our own: the input is untrusted (a binary uploaded to /v1/exec), so the
 * reader checks every offset and size before anything is mapped, and reads only a bounded
 * amount whatever the file claims (at most ELF_MAX_PHNUM program headers and an interpreter
 * path shorter than ELF_MAX_INTERP). Fields are decoded by the image's own EI_DATA byte, so
 * a big-endian image reads right on this little-endian host; whether a class, encoding,
 * machine or type is acceptable is the caller's decision, except that ELF32 is refused.
 *
 * Contract: on success the ElfImage owns copies of everything it holds and no longer refers
 * to the buffer or fd it came from. Only PT_LOAD and PT_INTERP segments are checked against
 * the file; other program headers are decoded as they are. On failure the functions return
 * NULL and set a GError in ELF_ERROR whose message names the offending field and values.
 * Nothing here prints.
 *
 *     g_autoptr(ElfImage) img = elf_parse_file(path, &err);
 */
#ifndef PADDOCK_VMCORE_ELF_H
#define PADDOCK_VMCORE_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Far above any real binary (Linux itself refuses tables over 64 KiB), low enough that a
 * hostile e_phnum cannot make us allocate much. */
#define ELF_MAX_PHNUM 4096
/* PT_INTERP must be NUL-terminated and at most this many bytes including the NUL. */
#define ELF_MAX_INTERP 4096

#define ELF_ERROR elf_error_quark()

typedef enum ElfError {
    ELF_ERROR_IO,        /* open/fstat/pread failed, or not a regular file */
    ELF_ERROR_TRUNCATED, /* file ends inside the ELF identification or header */
    ELF_ERROR_NOT_ELF,   /* bad magic */
    ELF_ERROR_CLASS,     /* ELF32 or an invalid EI_CLASS */
    ELF_ERROR_DATA,      /* invalid EI_DATA */
    ELF_ERROR_VERSION,   /* EI_VERSION or e_version is not EV_CURRENT */
    ELF_ERROR_PHDR,      /* program header table: entry size, count, location */
    ELF_ERROR_SEGMENT,   /* a PT_LOAD segment is inconsistent or outside the file */
    ELF_ERROR_INTERP,    /* PT_INTERP duplicated, empty, unterminated, too long, outside */
} ElfError;

/* One program header, host-endian; field names follow Elf64_Phdr without the p_ prefix. */
typedef struct ElfPhdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} ElfPhdr;

typedef struct ElfImage {
    uint8_t elf_class;  /* EI_CLASS: always ELFCLASS64 in a parsed image */
    uint8_t data;       /* EI_DATA: ELFDATA2LSB or ELFDATA2MSB */
    uint8_t osabi;      /* EI_OSABI */
    uint8_t abiversion; /* EI_ABIVERSION */
    uint16_t type;      /* e_type: ET_EXEC, ET_DYN, ET_REL, ET_CORE or other */
    uint16_t machine;   /* e_machine: EM_RISCV, EM_AARCH64, EM_X86_64 ... */
    uint64_t entry;     /* e_entry */
    uint32_t flags;     /* e_flags, e.g. EF_RISCV_RVC and EF_RISCV_FLOAT_ABI bits */
    uint64_t phoff;     /* e_phoff */
    size_t phnum;       /* entries in phdrs */
    ElfPhdr *phdrs;     /* phnum program headers, in file order */
    char *interp;       /* PT_INTERP path, or NULL when there is none */
    uint64_t file_size; /* size of the file or buffer that was parsed */
} ElfImage;

GQuark elf_error_quark(void);

/* Parse an image held in memory; data need not stay valid after the call. */
ElfImage *elf_parse_buffer(const void *data, size_t size, GError **errp);
/* Parse a regular file open for reading; reads with pread and leaves the offset alone. */
ElfImage *elf_parse_fd(int fd, GError **errp);
/* Open, parse and close path; error messages start with the path. */
ElfImage *elf_parse_file(const char *path, GError **errp);
void elf_image_free(ElfImage *img);

/* First program header of this type, or NULL. */
const ElfPhdr *elf_find_phdr(const ElfImage *img, uint32_t type);
bool elf_has_dynamic(const ElfImage *img);
/* PF_* flags of PT_GNU_STACK into *flags; false (and *flags untouched) when absent, in which
 * case the loader picks its default. */
bool elf_gnu_stack_flags(const ElfImage *img, uint32_t *flags);
/* Lowest p_vaddr and highest p_vaddr + p_memsz (exclusive) over PT_LOAD segments, unaligned;
 * false when there is no PT_LOAD. */
bool elf_load_span(const ElfImage *img, uint64_t *lo, uint64_t *hi);

/* Short printable names ("RISC-V", "AArch64", "x86-64"; "EXEC", "DYN" ...): never NULL, and
 * "unknown" for values without a name. */
const char *elf_machine_name(uint16_t machine);
const char *elf_type_name(uint16_t type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ElfImage, elf_image_free)

#endif /* PADDOCK_VMCORE_ELF_H */

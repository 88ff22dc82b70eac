/* `paddock elf FILE...`: what the loader will see in an executable, one block per file. */
#include <inttypes.h>
#include <stdio.h>

#include "cli/commands.h"
#include "vmcore/elf.h"

static const char *phdr_type_name(uint32_t type)
{
    switch (type) {
    case PT_LOAD: return "LOAD";
    case PT_DYNAMIC: return "DYNAMIC";
    case PT_INTERP: return "INTERP";
    case PT_NOTE: return "NOTE";
    case PT_PHDR: return "PHDR";
    case PT_TLS: return "TLS";
    case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
    case PT_GNU_STACK: return "GNU_STACK";
    case PT_GNU_RELRO: return "GNU_RELRO";
    case PT_GNU_PROPERTY: return "GNU_PROPERTY";
    case 0x70000003: return "RISCV_ATTRS"; /* PT_RISCV_ATTRIBUTES, absent from glibc 2.36 */
    default: return NULL;
    }
}

static void print_image(const char *path, const ElfImage *img)
{
    printf("%s: ELF64 %s-endian %s %s, entry 0x%" PRIx64 ", flags 0x%x\n", path,
           img->data == ELFDATA2MSB ? "big" : "little", elf_machine_name(img->machine),
           elf_type_name(img->type), img->entry, img->flags);
    if (img->interp) {
        printf("  interpreter %s\n", img->interp);
    }
    for (size_t i = 0; i < img->phnum; i++) {
        const ElfPhdr *p = &img->phdrs[i];
        const char *name = phdr_type_name(p->type);
        char other[16];
        if (!name) {
            g_snprintf(other, sizeof(other), "0x%08x", p->type);
            name = other;
        }
        printf("  %-12s %c%c%c off 0x%08" PRIx64 " vaddr 0x%010" PRIx64 " filesz 0x%08" PRIx64
               " memsz 0x%08" PRIx64 "\n",
               name, p->flags & PF_R ? 'r' : '-', p->flags & PF_W ? 'w' : '-',
               p->flags & PF_X ? 'x' : '-', p->offset, p->vaddr, p->filesz, p->memsz);
    }
}

int cli_cmd_elf(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: paddock elf FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(ElfImage) img = elf_parse_file(argv[i], &err);
        if (!img) {
            fprintf(stderr, "paddock: %s\n", err->message);
            status = 1;
            continue;
        }
        print_image(argv[i], img);
    }
    return status;
}

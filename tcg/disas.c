/* Host code disassembly with capstone, for the out_asm log (see disas.h). */
#include "tcg/disas.h"

#include <capstone.h>
#include <inttypes.h>
#include <stdbool.h>

static void dump_bytes(FILE *out, const uint8_t *code, size_t size, uintptr_t addr)
{
    for (size_t i = 0; i < size; i += 16) {
        fprintf(out, "  0x%" PRIxPTR ":", addr + i);
        for (size_t j = i; j < size && j < i + 16; j++) {
            fprintf(out, " %02x", code[j]);
        }
        fputc('\n', out);
    }
}

void tcg_disas_host(FILE *out, const char *title, const uint8_t *code, size_t size, uintptr_t addr,
                    const uint32_t *insn_end, unsigned nb_insn_end)
{
    csh handle;
    cs_insn *insns = NULL;
    size_t count = 0;

    flockfile(out);
    fprintf(out, "OUT: %s [size=%zu]\n", title, size);
    bool opened = cs_open(CS_ARCH_X86, CS_MODE_64, &handle) == CS_ERR_OK;
    if (opened) {
        count = cs_disasm(handle, code, size, addr, 0, &insns);
    }
    unsigned next = 0;
    size_t done = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t offset = (uint32_t)(insns[i].address - addr);
        while (next < nb_insn_end && insn_end[next] <= offset) {
            fprintf(out, "  -- end of guest insn %u%s\n", next,
                    next + 1 == nb_insn_end ? "; out-of-line code follows" : "");
            next++;
        }
        fprintf(out, "  0x%" PRIx64 ":  %-8s %s\n", insns[i].address, insns[i].mnemonic,
                insns[i].op_str);
        done = offset + insns[i].size;
    }
    if (done < size) {
        dump_bytes(out, code + done, size - done, addr + done); /* not decodable */
    }
    fputc('\n', out);
    funlockfile(out);
    if (count) {
        cs_free(insns, count);
    }
    if (opened) {
        cs_close(&handle);
    }
}

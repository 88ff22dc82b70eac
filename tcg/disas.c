/*
 * Host code disassembly with capstone, for the out_asm log (see disas.h). Capstone is
 * opened on first use (vmcore/dlib.h): only this log needs it.
 */
#include "tcg/disas.h"

#include <capstone.h>
#include <inttypes.h>
#include <stdbool.h>

#include "vmcore/dlib.h"

typedef struct Capstone {
    cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
    size_t (*disasm)(csh handle, const uint8_t *code, size_t size, uint64_t address,
                     size_t count, cs_insn **insn);
    void (*free)(cs_insn *insn, size_t count);
    cs_err (*close)(csh *handle);
} Capstone;

static const DlibSymbol capstone_symbols[] = {
    {"cs_open", offsetof(Capstone, open)},
    {"cs_disasm", offsetof(Capstone, disasm)},
    {"cs_free", offsetof(Capstone, free)},
    {"cs_close", offsetof(Capstone, close)},
};

static Capstone capstone;
static Dlib capstone_dlib = {
    .soname = "libcapstone.so." G_STRINGIFY(CS_API_MAJOR),
    .symbols = capstone_symbols,
    .n_symbols = G_N_ELEMENTS(capstone_symbols),
    .table = &capstone,
};

/* The handle for x86-64 code; false (and a note in the log) when there is none. */
static bool capstone_open(FILE *out, csh *handle)
{
    g_autoptr(GError) err = NULL;
    if (!dlib_load(&capstone_dlib, &err)) {
        fprintf(out, "  (no disassembler: %s)\n", err->message);
        return false;
    }
    return capstone.open(CS_ARCH_X86, CS_MODE_64, handle) == CS_ERR_OK;
}

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
    bool opened = capstone_open(out, &handle);
    if (opened) {
        count = capstone.disasm(handle, code, size, addr, 0, &insns);
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
        capstone.free(insns, count);
    }
    if (opened) {
        capstone.close(&handle);
    }
}

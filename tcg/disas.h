/*
 * Disassembly of generated host code for PADDOCK_LOG=out_asm (capstone). Only called
 * when that category is on, so the translator pays nothing for it otherwise.
 */
#ifndef TCG_DISAS_H
#define TCG_DISAS_H

#include <stdint.h>
#include <stdio.h>

/*
 * Writes the x86-64 code at code (size bytes, executing at addr) to out, one instruction
 * per line, with a marker after each offset listed in insn_end (where a guest
 * instruction's code ends) and before the out-of-line code that follows the last one.
 */
void tcg_disas_host(FILE *out, const char *title, const uint8_t *code, size_t size, uintptr_t addr,
                    const uint32_t *insn_end, unsigned nb_insn_end);

#endif

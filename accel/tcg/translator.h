/*
 * The contract between a guest frontend and the translator: a frontend describes how to
 * start, extend and end a TB, and one generic loop (translator_loop) drives every
 * frontend the same way, handling the instruction count limit, the page limit, the
 * exit-request check that lets other threads stop a vCPU between TBs and, for counting
 * vCPUs, the instruction budget check.
 */
#ifndef ACCEL_TCG_TRANSLATOR_H
#define ACCEL_TCG_TRANSLATOR_H

#include "tcg/tcg-op.h"
#include "tcg/tb.h"

typedef enum DisasJumpType {
    DISAS_NEXT,     /* go on with the next instruction */
    DISAS_TOO_MANY, /* the loop stopped the TB: the frontend ends it with a jump to pc_next */
    DISAS_NORETURN, /* the instruction already ended the TB (jump, exception) */
    DISAS_TARGET_0, /* frontend-specific reasons from here on */
} DisasJumpType;

typedef struct DisasContextBase {
    TCGContext *s;
    TranslationBlock *tb;
    uint64_t pc_first;
    uint64_t pc_next;
    uint64_t flags;
    int is_jmp; /* DisasJumpType or a frontend value */
    unsigned num_insns;
    unsigned max_insns;
} DisasContextBase;

typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db, void *cpu);
    void (*tb_start)(DisasContextBase *db, void *cpu);
    /* Emits the instruction's one insn_start op (the TB's instruction map and its count
     * for TB_FLAG_ICOUNT both count those). */
    void (*insn_start)(DisasContextBase *db, void *cpu);
    /* Translates the instruction at pc_next and advances pc_next past it. */
    void (*translate_insn)(DisasContextBase *db, void *cpu);
    void (*tb_stop)(DisasContextBase *db, void *cpu);
} TranslatorOps;

/*
 * Builds the IR of one TB into db->s, starting at db->pc_first; returns the number of
 * guest bytes covered. The TB ends when the frontend says so, after max_insns
 * instructions, or before an instruction that starts on the next page. With
 * TB_FLAG_ICOUNT in db->flags it starts with the instruction budget check
 * (accel/tcg/icount.h).
 */
uint32_t translator_loop(const TranslatorOps *ops, DisasContextBase *db, void *cpu);

#endif

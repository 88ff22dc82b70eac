/*
 * The IR's in-memory form, shared by the op builder (tcg-op.c), the optimizer, liveness,
 * the register allocator and the backends. Frontends do not include this file.
 *
 * A TB's IR is a flat array of TCGOp. Each op's args are, in order: its outputs (temp
 * indices), its inputs (temp indices), then its constant args (immediates: conditions,
 * label indices, bit positions, memops, helper pointers). The per-op shape is in
 * tcg_op_defs[]; only CALL has a variable number of inputs and outputs, stored in the op.
 */
#ifndef TCG_IR_H
#define TCG_IR_H

#include <glib.h>
#include <stdio.h>

#include "tcg/tcg.h"

typedef uint64_t TCGArg;

typedef enum TCGOpcode {
    TCG_OP_NOP,
    TCG_OP_DISCARD, /* the temp's value is dead from here */
    TCG_OP_MOV,
    TCG_OP_SET_LABEL,
    TCG_OP_BR,
    TCG_OP_BRCOND,
    TCG_OP_SETCOND,
    TCG_OP_NEGSETCOND, /* -setcond: 0 or all ones */
    TCG_OP_MOVCOND,

    TCG_OP_ADD,
    TCG_OP_SUB,
    TCG_OP_NEG,
    TCG_OP_MUL,
    TCG_OP_MULU2, /* outputs (lo, hi) of the unsigned double-width product */
    TCG_OP_MULS2, /* outputs (lo, hi) of the signed double-width product */
    TCG_OP_DIVS,
    TCG_OP_DIVU,
    TCG_OP_REMS,
    TCG_OP_REMU,
    TCG_OP_AND,
    TCG_OP_OR,
    TCG_OP_XOR,
    TCG_OP_NOT,
    TCG_OP_ANDC,
    TCG_OP_ORC,
    TCG_OP_SHL,
    TCG_OP_SHR,
    TCG_OP_SAR,
    TCG_OP_ROTL,
    TCG_OP_ROTR,

    TCG_OP_EXT8S,
    TCG_OP_EXT8U,
    TCG_OP_EXT16S,
    TCG_OP_EXT16U,
    TCG_OP_EXT32S, /* i64 only */
    TCG_OP_EXT32U, /* i64 only */
    TCG_OP_EXTS_I32_I64,
    TCG_OP_EXTU_I32_I64,
    TCG_OP_EXTRL_I64_I32, /* low half */
    TCG_OP_EXTRH_I64_I32, /* high half */
    TCG_OP_BSWAP16,       /* swaps the low 16 bits, zero-extends */
    TCG_OP_BSWAP32,       /* swaps the low 32 bits, zero-extends */
    TCG_OP_BSWAP64,
    TCG_OP_CLZ,   /* inputs (value, result when value is 0) */
    TCG_OP_CTZ,   /* inputs (value, result when value is 0) */
    TCG_OP_CTPOP,
    TCG_OP_EXTRACT,  /* const args (pos, len) */
    TCG_OP_SEXTRACT, /* const args (pos, len) */
    TCG_OP_DEPOSIT,  /* inputs (base, field), const args (pos, len) */

    TCG_OP_LD8U, /* host memory: input base pointer, const arg offset */
    TCG_OP_LD8S,
    TCG_OP_LD16U,
    TCG_OP_LD16S,
    TCG_OP_LD32U,
    TCG_OP_LD32S,
    TCG_OP_LD64,
    TCG_OP_ST8, /* inputs (value, base pointer), const arg offset */
    TCG_OP_ST16,
    TCG_OP_ST32,
    TCG_OP_ST64,

    TCG_OP_GUEST_LD, /* output value, input guest address (i64), const args (memop, mmu_idx) */
    TCG_OP_GUEST_ST, /* inputs (value, guest address), const args (memop, mmu_idx) */

    TCG_OP_CALL, /* outputs, inputs per the helper; const arg: TCGHelperInfo pointer */
    TCG_OP_INSN_START, /* const args: the guest PC and the frontend's extra words */
    TCG_OP_GOTO_TB,    /* const arg: slot 0 or 1 */
    TCG_OP_EXIT_TB,    /* const arg: value returned to the execution loop */
    TCG_OP_GOTO_PTR,   /* input: host code address to continue at */
    TCG_OP_MB,         /* const arg: TCGBar */

    TCG_OP_COUNT
} TCGOpcode;

/* Op properties, for passes that treat families of ops alike. */
enum {
    TCG_OPF_BB_END = 1 << 0,       /* ends a basic block: globals written back before */
    TCG_OPF_BB_EXIT = 1 << 1,      /* leaves the TB */
    TCG_OPF_COND_BRANCH = 1 << 2,
    TCG_OPF_SIDE_EFFECTS = 1 << 3, /* kept even when its outputs are unused */
    /* May leave through a guest exception: globals are written back before. A guest access
     * in softmmu mode also clobbers call registers on its slow path; the backend knows. */
    TCG_OPF_CAN_FAULT = 1 << 4,
    TCG_OPF_CALL_CLOBBER = 1 << 5, /* clobbers the host's call-clobbered registers */
    TCG_OPF_I64_ONLY = 1 << 6,
    TCG_OPF_NOT_PRESENT = 1 << 7,  /* bookkeeping: no host code of its own */
};

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint8_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[TCG_OP_COUNT];


#define TCG_MAX_OP_ARGS 12
#define TCG_MAX_INSN_START_WORDS 3

/* Liveness results per op: bit i set = arg i dies here; SYNC bit j = output j written back. */
typedef uint32_t TCGLifeData;
#define TCG_LIFE_DEAD(i) (1u << (i))
#define TCG_LIFE_SYNC(j) (1u << (16 + (j)))

typedef struct TCGOp {
    uint8_t opc;      /* TCGOpcode */
    uint8_t type;     /* TCGType of the operation */
    uint8_t nb_oargs; /* copied from the def, or from the helper for CALL */
    uint8_t nb_iargs;
    TCGLifeData life;
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

typedef enum TCGTempKind {
    TEMP_LOCAL,  /* lives for the TB; its value survives branches within it */
    TEMP_GLOBAL, /* a field of the CPU state at env + mem_offset */
    TEMP_FIXED,  /* a value pinned in a host register for the whole TB (env) */
    TEMP_CONST,  /* a constant; never written */
} TCGTempKind;

/* Where the register allocator currently has a temp's value. */
typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

typedef struct TCGTemp {
    uint8_t kind; /* TCGTempKind */
    uint8_t type; /* TCGType */
    uint8_t val_type; /* TCGTempVal, register allocator state */
    int8_t reg;       /* host register when val_type is REG, or the fixed register */
    bool mem_coherent;  /* the memory copy equals the register copy */
    bool mem_allocated; /* a locals' spill slot has been assigned */
    bool temp_allocated; /* in use by the frontend (locals) */
    bool used_global;    /* globals: in s->used_globals */
    int64_t val;        /* constant value */
    int32_t mem_offset; /* globals: offset in env; locals: spill slot offset in the frame */
    const char *name;   /* globals only */
    uintptr_t state;    /* scratch for the current pass */
} TCGTemp;

typedef struct TCGConstSlot {
    int64_t val;
    uint32_t gen; /* the TB's const_gen when in use */
    uint32_t idx; /* the temp */
    uint8_t type;
} TCGConstSlot;

struct TCGLabel {
    uint32_t id;
    bool present; /* its SET_LABEL has been emitted */
    bool has_value; /* backend: the host offset is known */
    uintptr_t value; /* backend: host offset of the label */
    GArray *relocs;  /* backend: offsets of branches to patch once the label is placed */
};


/*
 * Per-thread translation state: the globals registered for one CPU type, and the IR of
 * the TB being translated. Never shared between threads.
 */
struct TCGContext {
    TCGTemp *temps; /* globals first, then the current TB's locals and constants */
    uint32_t nb_temps, nb_globals, temps_cap;
    TCGOp *ops;
    uint32_t nb_ops, ops_cap;
    GPtrArray *labels; /* TCGLabel pool, reused from TB to TB */
    uint32_t nb_labels;
    /* The TB's constants by (type, value): open addressing, entries of older TBs told apart
     * by their generation, so that a new TB clears nothing. */
    struct TCGConstSlot *const_slots;
    uint32_t const_mask, nb_consts, const_gen;
    TCGv env;              /* the CPU state pointer, fixed in a host register */
    void *tb;              /* the TB being translated, for exit_tb values */
    const TCGHelperInfo *lookup_tb; /* (env) -> host code to continue at */
    /* env-relative offset of the vCPU's TranslationBlock *[TB_JMP_CACHE_SIZE], probed inline
     * before lookup_tb is called; 0 for none. When set, tb is a TranslationBlock. */
    int32_t jmp_cache_offset;
    unsigned insn_start_words;
    unsigned nb_insns;
    TCGGuestMemory mem;
    /* The globals the current TB's ops name (tcg_scan_globals), in the order first named. */
    uint32_t *used_globals;
    uint32_t nb_used_globals, used_globals_cap;
};

static inline TCGTemp *tcg_temp(TCGContext *s, TCGArg idx)
{
    return &s->temps[idx];
}

/*
 * Lists in s->used_globals the globals that the TB's ops name. A pass over "every temp"
 * needs only those and the TB's own temps: any other global stays in its memory home
 * for the whole TB, and a CPU has far more globals than a TB touches. The list holds
 * until ops are added or changed; helpers that touch globals do not name them and need
 * not be listed, since what they touch is in memory when they run.
 */
void tcg_scan_globals(TCGContext *s);

/* How many temps the scan holds: the used globals, then the TB's temps. */
static inline uint32_t tcg_scan_count(const TCGContext *s)
{
    return s->nb_used_globals + (s->nb_temps - s->nb_globals);
}

/* The index of the scan's k-th temp. */
static inline uint32_t tcg_scan_index(const TCGContext *s, uint32_t k)
{
    return k < s->nb_used_globals ? s->used_globals[k] : s->nb_globals + (k - s->nb_used_globals);
}

static inline TCGLabel *tcg_label(TCGContext *s, TCGArg id)
{
    return g_ptr_array_index(s->labels, id);
}

/* Appends an op with the def's shape and returns it; args are filled by the caller. */
TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type);

/* Writes the IR of the current TB, one op per line, as PADDOCK_LOG=ir shows it. */
void tcg_dump_ops(TCGContext *s, FILE *out);

#endif

/*
 * The translator's intermediate representation, as seen by a guest frontend.
 *
 * A frontend translates one translation block (TB) at a time into a list of IR ops on
 * typed temps, through the tcg_gen_* API (tcg/tcg-op.h). The IR is machine-neutral: the
 * optimizer, the register allocator and each backend (x86-64 JIT, portable interpreter)
 * take it from there. The semantics of every op, including its undefined cases, are in
 * docs/ir.md; this header and that page change together.
 *
 * All translation state hangs off a TCGContext, one per translating thread, so several
 * threads translate at once without sharing anything but the TB cache.
 */
#ifndef TCG_TCG_H
#define TCG_TCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcg/softmmu.h"

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
} TCGType;

/*
 * Comparison conditions. Bit 0 inverts a condition, so tcg_invert_cond() is an XOR;
 * the unsigned orders follow the signed ones.
 */
typedef enum TCGCond {
    TCG_COND_NEVER = 0,
    TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 2,
    TCG_COND_NE = 3,
    TCG_COND_LT = 4,
    TCG_COND_GE = 5,
    TCG_COND_LE = 6,
    TCG_COND_GT = 7,
    TCG_COND_LTU = 8,
    TCG_COND_GEU = 9,
    TCG_COND_LEU = 10,
    TCG_COND_GTU = 11,
    TCG_COND_TSTEQ = 12, /* (a & b) == 0 */
    TCG_COND_TSTNE = 13, /* (a & b) != 0 */
    TCG_COND_COUNT
} TCGCond;

static inline TCGCond tcg_invert_cond(TCGCond c)
{
    return (TCGCond)(c ^ 1);
}

/* The condition that holds for (b, a) exactly when c holds for (a, b). */
TCGCond tcg_swap_cond(TCGCond c);
const char *tcg_cond_name(TCGCond c);

/*
 * Guest memory access descriptor: size, sign extension, byte order and alignment.
 * Byte order is that of the guest; the backend swaps when it differs from the host.
 */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,

    MO_SIGN = 1 << 2, /* sign-extend the loaded value to the op's type */

    MO_LE = 0,
    MO_BE = 1 << 3,
    MO_BSWAP_FLAG = MO_BE, /* host is little-endian: a big-endian access swaps */

    /* Alignment: the access faults unless the address is a multiple of its size. */
    MO_UNALN = 0,
    MO_ALIGN = 1 << 4,

    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
} MemOp;

static inline unsigned memop_size(MemOp mo)
{
    return 1u << (mo & MO_SIZE);
}

/*
 * A temp handle: an index into the context's temp table. The temp carries its type
 * (TCG_TYPE_I32 or TCG_TYPE_I64); an op takes its type from its first operand and the
 * builder checks that the others agree, so a width mix-up fails at translation time.
 */
typedef struct TCGv {
    uint32_t idx;
} TCGv;

/* Host pointers (the CPU state, helper arguments) are 64-bit values. */
#define TCG_TYPE_PTR TCG_TYPE_I64

typedef struct TCGLabel TCGLabel;
typedef struct TCGContext TCGContext;

/* Memory barrier kinds for tcg_gen_mb(). */
typedef enum TCGBar {
    TCG_BAR_LD_LD = 1 << 0,
    TCG_BAR_ST_LD = 1 << 1,
    TCG_BAR_LD_ST = 1 << 2,
    TCG_BAR_ST_ST = 1 << 3,
    TCG_BAR_SC = 0xf, /* full barrier */
} TCGBar;

/* Helper-call flags: what the callee may do to the guest state held in globals. */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1 << 0,  /* globals need not be written back before */
    TCG_CALL_NO_WRITE_GLOBALS = 1 << 1, /* globals need not be reloaded after */
    TCG_CALL_NO_SIDE_EFFECTS = 1 << 2,  /* removable when its result is unused */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS,
};

/* Argument kinds of a helper's signature, as TCGHelperInfo.sig describes them. */
typedef enum TCGCallArgKind {
    TCG_CALL_VOID = 0,
    TCG_CALL_I32,
    TCG_CALL_I64,
    TCG_CALL_PTR,
} TCGCallArgKind;

#define TCG_MAX_HELPER_ARGS 6

/* A C function callable from translated code. Defined statically by its user. */
typedef struct TCGHelperInfo {
    const char *name;
    void *func;
    unsigned flags;
    TCGCallArgKind ret;
    TCGCallArgKind args[TCG_MAX_HELPER_ARGS];
    unsigned nargs;
} TCGHelperInfo;

/* Guest memory model for GUEST_LD/GUEST_ST, chosen by whoever owns the context. */
typedef enum TCGMemModel {
    /*
     * User mode: the guest address space is the host range [guest_base, guest_base +
     * guest_limit) followed by an unmapped guard page; an access at an address at or
     * beyond guest_limit calls fault_helper instead (docs/ir.md).
     */
    TCG_MEM_USER,
    /*
     * System mode: a software TLB in the CPU state translates guest virtual pages; a miss
     * or an MMIO page calls the slow-path helpers (see tcg/softmmu.h).
     */
    TCG_MEM_SOFTMMU,
} TCGMemModel;

typedef struct TCGGuestMemory {
    TCGMemModel model;
    uintptr_t guest_base;
    uint64_t guest_limit;
    /*
     * Called for an out-of-range or misaligned access (user mode): (env, guest address,
     * memop | is_store << 8, host return address into the TB). It does not return.
     */
    void (*fault_helper)(void *env, uint64_t addr, uint32_t access, uintptr_t retaddr);
    TCGSoftmmu softmmu; /* system mode */
} TCGGuestMemory;

/* Values handed back by exit_tb; the low two bits name the taken goto_tb slot. */
#define TB_EXIT_MASK 3u
#define TB_EXIT_IDX0 0u
#define TB_EXIT_IDX1 1u
#define TB_EXIT_REQUESTED 3u

#endif

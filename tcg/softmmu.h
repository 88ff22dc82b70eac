/*
 * The system-mode memory model (TCG_MEM_SOFTMMU): how GUEST_LD/GUEST_ST reach guest
 * memory through a software TLB, so that a backend can inline the common case.
 *
 * Each vCPU's state holds, at env + tlb_offset, one table of TLB_ENTRIES entries per MMU
 * index (privilege mode / translation regime). An access of size bytes at guest virtual
 * address addr with MMU index i:
 *
 *     e = &table[i].e[(addr >> page_bits) & (TLB_ENTRIES - 1)]
 *     tag = e->addr_read (loads) or e->addr_write (stores)
 *     hit when (addr & page_mask) | (addr & (size - 1) if aligned access is required)
 *              == tag, i.e. the tag is the page address with no flag bits set
 *     host address = addr + e->addend
 *
 * A miss, a flagged tag (TLB_INVALID, TLB_MMIO, TLB_NOTDIRTY), an access that crosses the
 * page, or a misaligned MO_ALIGN access takes the slow path: the owner's load_slow /
 * store_slow helper, which walks the page tables, refills the entry, dispatches MMIO, or
 * raises the guest's fault (never returning). Code fetches use addr_code the same way,
 * from C. Flag bits live below page_bits, so a flagged tag never equals a page address.
 */
#ifndef TCG_SOFTMMU_H
#define TCG_SOFTMMU_H

#include <stdint.h>

#define TLB_ENTRIES_BITS 8
#define TLB_ENTRIES      (1u << TLB_ENTRIES_BITS)

/* Tag flag bits (below any page size the boards use). */
enum {
    TLB_INVALID = 1 << 0,  /* no translation: always the slow path */
    TLB_MMIO = 1 << 1,     /* device memory: the slow path dispatches it */
    TLB_NOTDIRTY = 1 << 2, /* writes must invalidate translated code first */
};

typedef struct TLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
} TLBEntry;

typedef struct TLBTable {
    TLBEntry e[TLB_ENTRIES];
} TLBTable;

/* oi: the memop in the low 8 bits, the MMU index above. */
static inline uint32_t softmmu_oi(unsigned memop, unsigned mmu_idx)
{
    return memop | (mmu_idx << 8);
}

typedef struct TCGSoftmmu {
    int32_t tlb_offset; /* from env to TLBTable[0] */
    unsigned nb_mmu_idx;
    unsigned page_bits;
    /*
     * Slow paths; retaddr is the host return address into the TB, for precise faults.
     * load_slow returns the value as the memop describes it (byte order applied,
     * zero- or sign-extended); store_slow takes the value in its low bits.
     */
    uint64_t (*load_slow)(void *env, uint64_t addr, uint32_t oi, uintptr_t retaddr);
    void (*store_slow)(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t retaddr);
} TCGSoftmmu;

#endif

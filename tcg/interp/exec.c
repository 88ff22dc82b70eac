/*
 * The bytecode interpreter (format in bytecode.h). One handler per op family, reached
 * through a table indexed by the header's opcode; a handler returns the next instruction,
 * or NULL when the code exits with InterpState.ret. All state lives on exec's stack, so
 * exec is reentrant and any number of threads may run the same code at once.
 *
 * A guest access that faults calls the backend's fault_helper with retaddr = the rx address
 * of the faulting instruction's header + 1: a position strictly inside that instruction, so
 * that looking it up in the TB's insn_end map (tb_insn_data: the first end > retaddr -
 * start; QEMU's retaddr - 1 works too) finds the guest instruction that made the access.
 * Globals live in env at all times, so the guest state is exact at that point.
 */
#include "tcg/eval.h"
#include "tcg/interp/bytecode.h"

typedef struct InterpState {
    uint8_t *env;
    const TCGGuestMemory *mem;
    uintptr_t ret;
    uint64_t slots[INTERP_MAX_SLOTS];
} InterpState;

typedef const uint8_t *(*InterpHandler)(InterpState *st, const uint8_t *ip, uint32_t hdr);

typedef uint64_t (*Helper0)(void);
typedef uint64_t (*Helper1)(uint64_t);
typedef uint64_t (*Helper2)(uint64_t, uint64_t);
typedef uint64_t (*Helper3)(uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Helper4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Helper5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Helper6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static inline uint32_t word(const uint8_t *ip, unsigned k)
{
    return (uint32_t)interp_load(ip + 4 * k, 4);
}

static inline TCGOpcode opc_of(uint32_t hdr)
{
    return (TCGOpcode)(hdr & INTERP_OPC_MASK);
}

static inline bool is_i64(uint32_t hdr)
{
    return hdr & INTERP_HDR_I64;
}

static inline const uint8_t *next(const uint8_t *ip, uint32_t hdr)
{
    return ip + (hdr >> INTERP_LEN_SHIFT);
}

/* The value of operand word k. */
static inline uint64_t get(const InterpState *st, const uint8_t *ip, unsigned k)
{
    uint32_t w = word(ip, k);
    int32_t payload = interp_opnd_payload(w);
    switch ((InterpOperandKind)(w & OPND_KIND_MASK)) {
    case OPND_SLOT: return st->slots[payload];
    case OPND_G32: return interp_load(st->env + payload, 4);
    case OPND_G64: return interp_load(st->env + payload, 8);
    case OPND_IMM: return (uint64_t)(int64_t)payload;
    case OPND_POOL: return interp_load(ip + payload, 8);
    default: return (uintptr_t)st->env;
    }
}

/* Writes v to output operand word k; v is already zero-extended when it is an i32. */
static inline void set(InterpState *st, const uint8_t *ip, unsigned k, uint64_t v)
{
    uint32_t w = word(ip, k);
    int32_t payload = interp_opnd_payload(w);
    switch ((InterpOperandKind)(w & OPND_KIND_MASK)) {
    case OPND_SLOT: st->slots[payload] = v; break;
    case OPND_G32: interp_store(st->env + payload, v, 4); break;
    case OPND_G64: interp_store(st->env + payload, v, 8); break;
    default: g_assert_not_reached(); /* constants and env are never written */
    }
}

static const uint8_t *op_unary(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    set(st, ip, 1, tcg_eval_unop(opc_of(hdr), get(st, ip, 2), is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_binary(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    uint64_t r = tcg_eval_binop(opc_of(hdr), get(st, ip, 2), get(st, ip, 3), is_i64(hdr));
    set(st, ip, 1, r);
    return next(ip, hdr);
}

static const uint8_t *op_mul2(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    uint64_t lo, hi;
    tcg_eval_mul2(opc_of(hdr), get(st, ip, 3), get(st, ip, 4), is_i64(hdr), &lo, &hi);
    set(st, ip, 1, lo);
    set(st, ip, 2, hi);
    return next(ip, hdr);
}

static const uint8_t *op_setcond(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    bool c = tcg_eval_cond((TCGCond)word(ip, 4), get(st, ip, 2), get(st, ip, 3), is_i64(hdr));
    set(st, ip, 1, tcg_eval_setcond(opc_of(hdr), c, is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_movcond(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    bool c = tcg_eval_cond((TCGCond)word(ip, 6), get(st, ip, 2), get(st, ip, 3), is_i64(hdr));
    uint64_t v = get(st, ip, c ? 4 : 5);
    set(st, ip, 1, tcg_eval_trunc(v, is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_extract(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    bool sign = opc_of(hdr) == TCG_OP_SEXTRACT;
    set(st, ip, 1, tcg_eval_extract(get(st, ip, 2), word(ip, 3), word(ip, 4), sign, is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_deposit(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    set(st, ip, 1,
        tcg_eval_deposit(get(st, ip, 2), get(st, ip, 3), word(ip, 4), word(ip, 5), is_i64(hdr)));
    return next(ip, hdr);
}

/*
 * Host loads and stores: words (value, base, offset). docs/ir.md makes a naturally
 * aligned one single-copy atomic, as the JIT's one instruction is, because another
 * thread may set a field that translated code polls (a vCPU's exit_request).
 */
static uint64_t host_load(const void *p, unsigned size)
{
    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
        case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
        case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
        default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
        }
    }
    return interp_load(p, size);
}

static void host_store(void *p, uint64_t v, unsigned size)
{
    if (((uintptr_t)p & (size - 1)) == 0) {
        switch (size) {
        case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); return;
        case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); return;
        case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); return;
        default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); return;
        }
    }
    interp_store(p, v, size);
}

static uintptr_t host_addr(const InterpState *st, const uint8_t *ip)
{
    return (uintptr_t)get(st, ip, 2) + (uintptr_t)(intptr_t)(int32_t)word(ip, 3);
}

static const uint8_t *op_ld(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    const void *p = (const void *)host_addr(st, ip);
    uint64_t v;
    switch (opc_of(hdr)) {
    case TCG_OP_LD8U: v = host_load(p, 1); break;
    case TCG_OP_LD8S: v = (uint64_t)(int8_t)host_load(p, 1); break;
    case TCG_OP_LD16U: v = host_load(p, 2); break;
    case TCG_OP_LD16S: v = (uint64_t)(int16_t)host_load(p, 2); break;
    case TCG_OP_LD32U: v = host_load(p, 4); break;
    case TCG_OP_LD32S: v = (uint64_t)(int32_t)host_load(p, 4); break;
    default: v = host_load(p, 8); break;
    }
    set(st, ip, 1, tcg_eval_trunc(v, is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_st(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    void *p = (void *)host_addr(st, ip);
    uint64_t v = get(st, ip, 1);
    switch (opc_of(hdr)) {
    case TCG_OP_ST8: host_store(p, v, 1); break;
    case TCG_OP_ST16: host_store(p, v, 2); break;
    case TCG_OP_ST32: host_store(p, v, 4); break;
    default: host_store(p, v, 8); break;
    }
    return next(ip, hdr);
}

/*
 * The host address of a guest access, or a call to the fault helper, which never returns.
 * Stricter than docs/ir.md asks: an access that starts below guest_limit and ends beyond
 * it faults here too, rather than on the guard page, where the interpreter's host PC could
 * not be mapped back to a guest instruction.
 */
static void *guest_host_addr(InterpState *st, const uint8_t *ip, uint64_t addr, MemOp mo,
                             bool is_store)
{
    uint64_t size = memop_size(mo);
    uint64_t limit = st->mem->guest_limit;
    bool misaligned = (mo & MO_ALIGN) && (addr & (size - 1));
    if (addr >= limit || limit - addr < size || misaligned) {
        st->mem->fault_helper(st->env, addr, (uint32_t)mo | (uint32_t)is_store << 8,
                              (uintptr_t)ip + 1);
        g_assert_not_reached();
    }
    return (void *)(st->mem->guest_base + (uintptr_t)addr);
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v;
    }
}

static uint64_t guest_value_from_memory(uint64_t v, MemOp mo)
{
    unsigned size = memop_size(mo);
    if (mo & MO_BE) {
        v = bswap_size(v, size);
    }
    if ((mo & MO_SIGN) && size < 8) {
        unsigned shift = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << shift) >> shift);
    }
    return v;
}

/*
 * The softmmu fast path as tcg/softmmu.h defines it: the host address on a TLB hit, NULL
 * when the access must take the owner's slow path.
 */
static void *softmmu_host_addr(InterpState *st, uint64_t addr, MemOp mo, unsigned mmu_idx,
                               bool is_store)
{
    const TCGSoftmmu *sm = &st->mem->softmmu;
    uint64_t size = memop_size(mo);
    uint64_t page_mask = ~((1ull << sm->page_bits) - 1);
    const TLBTable *tables = (const TLBTable *)(st->env + sm->tlb_offset);
    const TLBEntry *e = &tables[mmu_idx].e[(addr >> sm->page_bits) & (TLB_ENTRIES - 1)];
    uint64_t tag = is_store ? e->addr_write : e->addr_read;
    uint64_t want = (addr & page_mask) | ((mo & MO_ALIGN) ? addr & (size - 1) : 0);
    bool crosses = ((addr ^ (addr + size - 1)) & page_mask) != 0;
    if (tag != want || crosses) {
        return NULL;
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

static const uint8_t *op_guest_ld(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    MemOp mo = (MemOp)word(ip, 3);
    unsigned mmu_idx = word(ip, 4);
    uint64_t addr = get(st, ip, 2), v;
    if (st->mem->model == TCG_MEM_SOFTMMU) {
        const void *p = softmmu_host_addr(st, addr, mo, mmu_idx, false);
        v = p ? guest_value_from_memory(interp_load(p, memop_size(mo)), mo)
              : st->mem->softmmu.load_slow(st->env, addr, softmmu_oi(mo, mmu_idx),
                                           (uintptr_t)ip + 1);
    } else {
        const void *p = guest_host_addr(st, ip, addr, mo, false);
        v = guest_value_from_memory(interp_load(p, memop_size(mo)), mo);
    }
    set(st, ip, 1, tcg_eval_trunc(v, is_i64(hdr)));
    return next(ip, hdr);
}

static const uint8_t *op_guest_st(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    MemOp mo = (MemOp)word(ip, 3);
    unsigned mmu_idx = word(ip, 4), size = memop_size(mo);
    uint64_t addr = get(st, ip, 2), v = get(st, ip, 1);
    void *p = st->mem->model == TCG_MEM_SOFTMMU ? softmmu_host_addr(st, addr, mo, mmu_idx, true)
                                                : guest_host_addr(st, ip, addr, mo, true);
    if (!p) {
        st->mem->softmmu.store_slow(st->env, addr, v, softmmu_oi(mo, mmu_idx), (uintptr_t)ip + 1);
    } else {
        interp_store(p, (mo & MO_BE) ? bswap_size(v, size) : v, size);
    }
    return next(ip, hdr);
}

static uint64_t call_helper(uintptr_t fn, const uint64_t *a, unsigned nargs)
{
    switch (nargs) {
    case 0: return ((Helper0)fn)();
    case 1: return ((Helper1)fn)(a[0]);
    case 2: return ((Helper2)fn)(a[0], a[1]);
    case 3: return ((Helper3)fn)(a[0], a[1], a[2]);
    case 4: return ((Helper4)fn)(a[0], a[1], a[2], a[3]);
    case 5: return ((Helper5)fn)(a[0], a[1], a[2], a[3], a[4]);
    default: return ((Helper6)fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
    }
}

/* Words: flags, helper address (8 bytes), the output if any, the inputs. */
static const uint8_t *op_call(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    uint32_t flags = word(ip, 1);
    unsigned nargs = flags & INTERP_NARGS_MASK;
    InterpRet ret = (InterpRet)(flags >> INTERP_RET_SHIFT);
    unsigned first = INTERP_CALL_OPNDS + (ret != INTERP_RET_NONE);
    uint64_t args[TCG_MAX_HELPER_ARGS];
    for (unsigned i = 0; i < nargs; i++) {
        args[i] = get(st, ip, first + i);
        if (flags >> INTERP_I32MASK_SHIFT & 1u << i) {
            args[i] = (uint32_t)args[i];
        }
    }
    uint64_t r = call_helper((uintptr_t)interp_load(ip + 8, 8), args, nargs);
    if (ret != INTERP_RET_NONE) {
        set(st, ip, INTERP_CALL_OPNDS, ret == INTERP_RET_I32 ? (uint32_t)r : r);
    }
    return next(ip, hdr);
}

static const uint8_t *op_br(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    return ip + (int32_t)word(ip, 1);
}

static const uint8_t *op_brcond(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    if (tcg_eval_cond((TCGCond)word(ip, 3), get(st, ip, 1), get(st, ip, 2), is_i64(hdr))) {
        return ip + (int32_t)word(ip, 4);
    }
    return next(ip, hdr);
}

static const uint8_t *op_goto_tb(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    const uint64_t *slot = (const uint64_t *)interp_goto_tb_slot((uintptr_t)ip);
    uint64_t target = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return target ? (const uint8_t *)(uintptr_t)target : next(ip, hdr);
}

static const uint8_t *op_exit_tb(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    st->ret = (uintptr_t)interp_load(ip + 4, 8);
    return NULL;
}

/* be->return_zero is an EXIT_TB 0, so it needs no special case here. */
static const uint8_t *op_goto_ptr(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    return (const uint8_t *)(uintptr_t)get(st, ip, 1);
}

static const uint8_t *op_mb(InterpState *st, const uint8_t *ip, uint32_t hdr)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return next(ip, hdr);
}

static const InterpHandler handlers[TCG_OP_COUNT] = {
    [TCG_OP_MOV] = op_unary,
    [TCG_OP_BR] = op_br,
    [TCG_OP_BRCOND] = op_brcond,
    [TCG_OP_SETCOND] = op_setcond,
    [TCG_OP_NEGSETCOND] = op_setcond,
    [TCG_OP_MOVCOND] = op_movcond,
    [TCG_OP_ADD] = op_binary,
    [TCG_OP_SUB] = op_binary,
    [TCG_OP_NEG] = op_unary,
    [TCG_OP_MUL] = op_binary,
    [TCG_OP_MULU2] = op_mul2,
    [TCG_OP_MULS2] = op_mul2,
    [TCG_OP_DIVS] = op_binary,
    [TCG_OP_DIVU] = op_binary,
    [TCG_OP_REMS] = op_binary,
    [TCG_OP_REMU] = op_binary,
    [TCG_OP_AND] = op_binary,
    [TCG_OP_OR] = op_binary,
    [TCG_OP_XOR] = op_binary,
    [TCG_OP_NOT] = op_unary,
    [TCG_OP_ANDC] = op_binary,
    [TCG_OP_ORC] = op_binary,
    [TCG_OP_SHL] = op_binary,
    [TCG_OP_SHR] = op_binary,
    [TCG_OP_SAR] = op_binary,
    [TCG_OP_ROTL] = op_binary,
    [TCG_OP_ROTR] = op_binary,
    [TCG_OP_EXT8S] = op_unary,
    [TCG_OP_EXT8U] = op_unary,
    [TCG_OP_EXT16S] = op_unary,
    [TCG_OP_EXT16U] = op_unary,
    [TCG_OP_EXT32S] = op_unary,
    [TCG_OP_EXT32U] = op_unary,
    [TCG_OP_EXTS_I32_I64] = op_unary,
    [TCG_OP_EXTU_I32_I64] = op_unary,
    [TCG_OP_EXTRL_I64_I32] = op_unary,
    [TCG_OP_EXTRH_I64_I32] = op_unary,
    [TCG_OP_BSWAP16] = op_unary,
    [TCG_OP_BSWAP32] = op_unary,
    [TCG_OP_BSWAP64] = op_unary,
    [TCG_OP_CLZ] = op_binary,
    [TCG_OP_CTZ] = op_binary,
    [TCG_OP_CTPOP] = op_unary,
    [TCG_OP_EXTRACT] = op_extract,
    [TCG_OP_SEXTRACT] = op_extract,
    [TCG_OP_DEPOSIT] = op_deposit,
    [TCG_OP_LD8U] = op_ld,
    [TCG_OP_LD8S] = op_ld,
    [TCG_OP_LD16U] = op_ld,
    [TCG_OP_LD16S] = op_ld,
    [TCG_OP_LD32U] = op_ld,
    [TCG_OP_LD32S] = op_ld,
    [TCG_OP_LD64] = op_ld,
    [TCG_OP_ST8] = op_st,
    [TCG_OP_ST16] = op_st,
    [TCG_OP_ST32] = op_st,
    [TCG_OP_ST64] = op_st,
    [TCG_OP_GUEST_LD] = op_guest_ld,
    [TCG_OP_GUEST_ST] = op_guest_st,
    [TCG_OP_CALL] = op_call,
    [TCG_OP_GOTO_TB] = op_goto_tb,
    [TCG_OP_EXIT_TB] = op_exit_tb,
    [TCG_OP_GOTO_PTR] = op_goto_ptr,
    [TCG_OP_MB] = op_mb,
};

uintptr_t interp_exec(TCGBackend *be, void *env, const void *code)
{
    InterpState st;
    st.env = env;
    st.mem = &be->mem;
    st.ret = 0;
    const uint8_t *ip = code;
    while (ip) {
        uint32_t hdr = (uint32_t)interp_load(ip, 4);
        ip = handlers[opc_of(hdr)](&st, ip, hdr);
    }
    return st.ret;
}

/*
 * Memory, helper calls and control flow on every harness backend: host ld/st of every
 * size through env and through a pointer, guest_ld/guest_st of every memop in user mode
 * including the last bytes of the guest range, the out-of-range and MO_ALIGN faults (the
 * harness's fault helper longjmps back here; the fault must name the right address, access
 * and guest instruction, with the globals written back), helper calls with 0..6 mixed
 * arguments, loops over labels, and the TB exits (goto_tb chaining, goto_ptr, exit_tb).
 */
#include "tests/unit/test-tcg-ops.h"

#include <inttypes.h>

enum {
    REGION = 0, /* data words the host ld/st tests read and write */
    REGION_WORDS = 8,
    RESULTS = 1024, /* data words where TBs store what they computed */
    ST_REGION_BYTES = 32,
};

static const uint64_t store_value = UINT64_C(0xf1e2d3c4b5a69788);

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 0x3b + seed) ^ (uint8_t)(i >> 8);
    }
}

/* What a load of memop mo at p gives in a value of the given width. */
static uint64_t load_ref(const uint8_t *p, MemOp mo, unsigned bits)
{
    unsigned size = memop_size(mo);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned shift = mo & MO_BE ? 8 * (size - 1 - i) : 8 * i;
        v |= (uint64_t)p[i] << shift;
    }
    if (mo & MO_SIGN) {
        v = sext_bits(v, 8 * size);
    }
    return mask_bits(v, bits);
}

static const char *memop_str(MemOp mo, char *buf, size_t len)
{
    g_snprintf(buf, len, "%s%u%s%s", mo & MO_SIGN ? "s" : "u", 8 * memop_size(mo),
               mo & MO_BE ? "be" : "le", mo & MO_ALIGN ? "+align" : "");
    return buf;
}

/* Reports every mismatch (a list check may find several) and marks the test failed. */
static void expect_u64(const char *what, uint64_t want, uint64_t got)
{
    if (want != got) {
        g_test_message("%s: expected 0x%" PRIx64 " got 0x%" PRIx64, what, want, got);
        g_test_fail();
    }
}

/* ---- host loads and stores ---- */

typedef struct HostAccess {
    MemOp mo;
    int32_t off;   /* from the region's start */
    bool via_ptr;  /* through a pointer temp into the region's middle, else env + offset */
    bool from_imm; /* stores: the value is a constant, else a local */
} HostAccess;

static GArray *host_accesses(TCGType type, bool stores)
{
    static const int32_t offsets[] = {0, 1, 5, 11, 21};
    GArray *list = g_array_new(FALSE, FALSE, sizeof(HostAccess));
    for (MemOp size = MO_8; size <= type_size(type); size++) {
        for (int variant = 0; variant < 4; variant++) {
            MemOp mo = size | (!stores && (variant & 1) ? MO_SIGN : 0);
            for (unsigned i = 0; i < G_N_ELEMENTS(offsets); i++) {
                HostAccess a = {mo, offsets[i], variant & 2, stores && (variant & 1)};
                g_array_append_val(list, a);
            }
        }
    }
    return list;
}

static void gen_host_access(Harness *h, const HostAccess *a, int32_t region_off, TCGv val,
                            bool store)
{
    TCGContext *s = h->s;
    TCGv base = tcg_env(s);
    int32_t off = region_off + a->off;
    if (a->via_ptr) {
        base = tcg_temp_new_i64(s);
        tcg_gen_addi(s, base, tcg_env(s), region_off + 16);
        off = a->off - 16;
    }
    if (store) {
        tcg_gen_st(s, val, base, off, a->mo);
    } else {
        tcg_gen_ld(s, val, base, off, a->mo);
    }
}

static void test_host_ld(Harness *h, const void *data)
{
    TCGType type = (TCGType)GPOINTER_TO_INT(data);
    uint8_t *region = (uint8_t *)&h->env->data[REGION];
    fill_pattern(region, REGION_WORDS * 8, 0x81);
    GArray *list = host_accesses(type, false);
    HarnessTB *tb = harness_begin(h);
    TCGv val = tcg_temp_new(h->s, type);
    for (guint i = 0; i < list->len; i++) {
        gen_host_access(h, &g_array_index(list, HostAccess, i), data_offset(REGION), val, false);
        tcg_gen_st(h->s, val, tcg_env(h->s), data_offset(RESULTS + i), type_size(type));
    }
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        for (guint i = 0; i < list->len; i++) {
            const HostAccess *a = &g_array_index(list, HostAccess, i);
            char what[64], mo[16];
            g_snprintf(what, sizeof(what), "ld %s i%u at +%d%s", memop_str(a->mo, mo, 16),
                       type_bits(type), a->off, a->via_ptr ? " via a pointer" : "");
            expect_u64(what, load_ref(region + a->off, a->mo, type_bits(type)),
                       h->env->data[RESULTS + i]);
        }
    }
    g_array_free(list, TRUE);
}

/* Each store has a region of its own, filled with 0xcc; only its bytes may change. */
static void check_host_store(const HostAccess *a, const uint8_t *region, TCGType type)
{
    unsigned size = memop_size(a->mo);
    for (int b = 0; b < ST_REGION_BYTES; b++) {
        bool inside = b >= a->off && b < a->off + (int)size;
        uint8_t want = inside ? (uint8_t)(store_value >> (8 * (b - a->off))) : 0xcc;
        if (region[b] != want) {
            g_test_fail_printf("st%u from i%u at +%d%s%s: byte %d is 0x%02x, expected 0x%02x",
                               8 * size, type_bits(type), a->off,
                               a->via_ptr ? " via a pointer" : "",
                               a->from_imm ? " of a constant" : "", b, region[b], want);
            return;
        }
    }
}

static void test_host_st(Harness *h, const void *data)
{
    TCGType type = (TCGType)GPOINTER_TO_INT(data);
    GArray *list = host_accesses(type, true);
    uint8_t *regions = (uint8_t *)&h->env->data[REGION];
    memset(regions, 0xcc, list->len * ST_REGION_BYTES);
    HarnessTB *tb = harness_begin(h);
    TCGv local = tcg_temp_new(h->s, type);
    tcg_gen_movi(h->s, local, (int64_t)store_value);
    for (guint i = 0; i < list->len; i++) {
        const HostAccess *a = &g_array_index(list, HostAccess, i);
        TCGv val = a->from_imm ? tcg_constant(h->s, type, (int64_t)store_value) : local;
        gen_host_access(h, a, data_offset(REGION) + (int32_t)(i * ST_REGION_BYTES), val, true);
    }
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        for (guint i = 0; i < list->len; i++) {
            check_host_store(&g_array_index(list, HostAccess, i), regions + i * ST_REGION_BYTES,
                             type);
        }
    }
    g_array_free(list, TRUE);
}

/* ---- guest loads and stores in user mode ---- */

typedef enum AddrSource { ADDR_LOCAL, ADDR_CONST, ADDR_GLOBAL, ADDR_SOURCES } AddrSource;

typedef struct GuestAccess {
    MemOp mo;
    uint64_t addr;
    AddrSource src;
} GuestAccess;

/* Every memop of the type's sizes at assorted addresses, the last valid one included. */
static GArray *guest_accesses(TCGType type, bool stores)
{
    static const uint64_t addrs[] = {0, 1, 2, 3, 4, 6, 8, 0x1235, 0x7ffe};
    GArray *list = g_array_new(FALSE, FALSE, sizeof(GuestAccess));
    unsigned n = 0;
    for (MemOp size = MO_8; size <= type_size(type); size++) {
        for (unsigned flags = 0; flags < 8; flags++) {
            MemOp mo = size | (flags & 1 ? MO_BE : 0) | (flags & 2 ? MO_ALIGN : 0) |
                       (flags & 4 ? MO_SIGN : 0);
            if ((mo & MO_SIGN) && (stores || size == MO_64)) {
                continue;
            }
            for (unsigned i = 0; i <= G_N_ELEMENTS(addrs); i++) {
                uint64_t addr =
                    i < G_N_ELEMENTS(addrs) ? addrs[i] : HARNESS_GUEST_SIZE - memop_size(mo);
                if (!(mo & MO_ALIGN) || addr % memop_size(mo) == 0) {
                    GuestAccess a = {mo, addr, (AddrSource)(n++ % ADDR_SOURCES)};
                    g_array_append_val(list, a);
                }
            }
        }
    }
    return list;
}

/* The address operand: a local loaded from env, a constant, or the global r3. */
static TCGv gen_guest_addr(Harness *h, const GuestAccess *a, unsigned slot)
{
    TCGContext *s = h->s;
    switch (a->src) {
    case ADDR_CONST: return tcg_constant_i64(s, (int64_t)a->addr);
    case ADDR_GLOBAL: tcg_gen_movi(s, h->r[3], (int64_t)a->addr); return h->r[3];
    default: {
        TCGv addr = tcg_temp_new_i64(s);
        h->env->data[slot] = a->addr;
        tcg_gen_ld(s, addr, tcg_env(s), data_offset(slot), MO_64);
        return addr;
    }
    }
}

static void check_guest_loads(Harness *h, const GArray *list, TCGType type)
{
    for (guint i = 0; i < list->len; i++) {
        const GuestAccess *a = &g_array_index(list, GuestAccess, i);
        char what[80], mo[24];
        g_snprintf(what, sizeof(what), "guest_ld %s i%u at 0x%" PRIx64,
                   memop_str(a->mo, mo, sizeof(mo)), type_bits(type), a->addr);
        expect_u64(what, load_ref(h->guest + a->addr, a->mo, type_bits(type)),
                   h->env->data[RESULTS + i]);
    }
}

static void test_guest_ld(Harness *h, const void *data)
{
    TCGType type = (TCGType)GPOINTER_TO_INT(data);
    fill_pattern(h->guest, HARNESS_GUEST_SIZE, 0x17);
    GArray *list = guest_accesses(type, false);
    HarnessTB *tb = harness_begin(h);
    TCGv val = tcg_temp_new(h->s, type);
    for (guint i = 0; i < list->len; i++) {
        const GuestAccess *a = &g_array_index(list, GuestAccess, i);
        tcg_gen_guest_ld(h->s, val, gen_guest_addr(h, a, i), 0, a->mo);
        tcg_gen_st(h->s, val, tcg_env(h->s), data_offset(RESULTS + i), type_size(type));
    }
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        check_guest_loads(h, list, type);
    }
    g_array_free(list, TRUE);
}

/* The bytes around the store: 16 on each side, clipped to the guest range. */
static void guest_window(const GuestAccess *a, uint64_t *lo, uint64_t *hi)
{
    *lo = a->addr >= 16 ? a->addr - 16 : 0;
    *hi = MIN(a->addr + memop_size(a->mo) + 16, (uint64_t)HARNESS_GUEST_SIZE);
}

static void check_guest_store(Harness *h, const GuestAccess *a, TCGType type, const uint8_t *before)
{
    uint64_t lo, hi;
    unsigned size = memop_size(a->mo);
    guest_window(a, &lo, &hi);
    for (uint64_t b = lo; b < hi; b++) {
        uint8_t want = before[b - lo];
        if (b >= a->addr && b < a->addr + size) {
            unsigned i = (unsigned)(b - a->addr);
            want = (uint8_t)(store_value >> (8 * (a->mo & MO_BE ? size - 1 - i : i)));
        }
        if (h->guest[b] != want) {
            char mo[24];
            g_test_fail_printf(
                "guest_st %s i%u at 0x%" PRIx64 ": byte 0x%" PRIx64 " is 0x%02x, expected 0x%02x",
                memop_str(a->mo, mo, sizeof(mo)), type_bits(type), a->addr, b, h->guest[b], want);
            return;
        }
    }
}

/* The value stored: a constant, a local or the global r2/w2, by variant. */
static TCGv store_operand(Harness *h, TCGType type, unsigned variant)
{
    TCGContext *s = h->s;
    TCGv t;
    switch (variant % 3) {
    case 0: return tcg_constant(s, type, (int64_t)store_value);
    case 1: t = tcg_temp_new(s, type); break;
    default: t = type == TCG_TYPE_I32 ? h->w[2] : h->r[2]; break;
    }
    tcg_gen_movi(s, t, (int64_t)store_value);
    return t;
}

static void run_guest_store(Harness *h, const GuestAccess *a, TCGType type)
{
    uint8_t before[64];
    uint64_t lo, hi;
    guest_window(a, &lo, &hi);
    fill_pattern(h->guest + lo, hi - lo, (uint8_t)a->addr);
    memcpy(before, h->guest + lo, hi - lo);
    harness_reset(h);
    HarnessTB *tb = harness_begin(h);
    TCGv val = store_operand(h, type, a->src + 1);
    tcg_gen_guest_st(h->s, val, gen_guest_addr(h, a, 0), 0, a->mo);
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        check_guest_store(h, a, type, before);
    }
}

static void test_guest_st(Harness *h, const void *data)
{
    TCGType type = (TCGType)GPOINTER_TO_INT(data);
    GArray *list = guest_accesses(type, true);
    for (guint i = 0; i < list->len && !g_test_failed(); i++) {
        run_guest_store(h, &g_array_index(list, GuestAccess, i), type);
    }
    g_array_free(list, TRUE);
}

/* ---- guest faults ---- */

typedef struct FaultCase {
    bool store;
    MemOp mo;
    uint64_t addr;
} FaultCase;

static const FaultCase range_faults[] = {
    {false, MO_UB, HARNESS_GUEST_SIZE},
    {false, MO_UW, HARNESS_GUEST_SIZE},
    {false, MO_UL | MO_BE, HARNESS_GUEST_SIZE},
    {false, MO_UQ, HARNESS_GUEST_SIZE},
    {true, MO_UB, HARNESS_GUEST_SIZE},
    {true, MO_UW | MO_BE, HARNESS_GUEST_SIZE},
    {true, MO_UL, HARNESS_GUEST_SIZE},
    {true, MO_UQ, HARNESS_GUEST_SIZE},
    {false, MO_SL, HARNESS_GUEST_SIZE + 1},
    {false, MO_UB, UINT64_MAX},
    {false, MO_UL, UINT64_MAX - 2},
    {true, MO_UQ, UINT64_C(1) << 63},
    {true, MO_UW, UINT64_C(1) << 32},
    {false, MO_UQ | MO_ALIGN, HARNESS_GUEST_SIZE + 8},
};

static const FaultCase align_faults[] = {
    {false, MO_UW | MO_ALIGN, 1},
    {false, MO_UL | MO_ALIGN, 2},
    {false, MO_UQ | MO_ALIGN, 4},
    {false, MO_SL | MO_ALIGN | MO_BE, 0x103},
    {true, MO_UW | MO_ALIGN, 0x7fff},
    {true, MO_UL | MO_ALIGN, 6},
    {true, MO_UQ | MO_ALIGN | MO_BE, 0x1001},
};

/* Three guest instructions: r1 = 5; the access; r10 = 7. */
static HarnessTB *gen_fault_tb(Harness *h, const FaultCase *fc, AddrSource src)
{
    TCGContext *s = h->s;
    uint64_t pc = 0x1000;
    HarnessTB *tb = harness_begin(h);
    tcg_gen_insn_start(s, &pc);
    tcg_gen_movi(s, h->r[1], 5);
    pc += 4;
    tcg_gen_insn_start(s, &pc);
    GuestAccess a = {fc->mo, fc->addr, src};
    TCGv addr = gen_guest_addr(h, &a, 0);
    if (fc->store) {
        tcg_gen_guest_st(h->s, store_operand(h, TCG_TYPE_I64, src), addr, 0, fc->mo);
    } else {
        tcg_gen_guest_ld(h->s, tcg_temp_new_i64(s), addr, 0, fc->mo);
    }
    pc += 4;
    tcg_gen_insn_start(s, &pc);
    tcg_gen_movi(s, h->r[10], 7);
    tcg_gen_exit_tb(s, 0);
    return harness_finish(h, tb) ? tb : NULL;
}

static void check_fault(Harness *h, const FaultCase *fc, const HarnessTB *tb, bool completed,
                        unsigned count_before)
{
    char what[96], mo[24];
    const HarnessFault *f = &h->env->fault;
    g_snprintf(what, sizeof(what), "guest_%s %s at 0x%" PRIx64, fc->store ? "st" : "ld",
               memop_str(fc->mo, mo, sizeof(mo)), fc->addr);
    if (completed || f->count != count_before + 1) {
        g_test_fail_printf("%s: did not call the fault helper", what);
        return;
    }
    expect_u64(what, fc->addr, f->addr);
    expect_u64(what, (uint64_t)(fc->mo | (unsigned)fc->store << 8), f->access);
    if (harness_insn_index(tb, f->retaddr) != 1) {
        g_test_fail_printf("%s: retaddr 0x%" PRIxPTR " maps to guest insn %d, not 1", what,
                           f->retaddr, harness_insn_index(tb, f->retaddr));
    }
    expect_u64("global written back before the faulting access", 5, h->env->regs[1]);
    expect_u64("code after the faulting access not run", 0, h->env->regs[10]);
}

static void run_fault_cases(Harness *h, const FaultCase *cases, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        harness_reset(h);
        h->env->regs[1] = h->env->regs[10] = 0;
        unsigned before = h->env->fault.count;
        HarnessTB *tb = gen_fault_tb(h, &cases[i], (AddrSource)(i % ADDR_SOURCES));
        uintptr_t ret;
        if (tb) {
            check_fault(h, &cases[i], tb, harness_exec_catch(h, tb, &ret), before);
        }
    }
}

static void test_guest_fault_range(Harness *h, const void *data)
{
    run_fault_cases(h, range_faults, G_N_ELEMENTS(range_faults));
}

static void test_guest_fault_align(Harness *h, const void *data)
{
    run_fault_cases(h, align_faults, G_N_ELEMENTS(align_faults));
}

/* ---- helper calls ---- */

static uint64_t mix(uint64_t acc, uint64_t v)
{
    return (acc ^ v) * UINT64_C(0x100000001b3) + (acc >> 29);
}

static uint64_t seed(unsigned nargs)
{
    return UINT64_C(0x9e3779b97f4a7c15) ^ nargs;
}

static uint64_t helper_c0(void)
{
    return seed(0);
}

static uint32_t helper_c1(uint32_t a)
{
    return (uint32_t)mix(seed(1), a);
}

static uint64_t helper_c2(uint64_t a, uint32_t b)
{
    return mix(mix(seed(2), a), b);
}

static uint32_t helper_c3(uint32_t a, uint64_t b, uint32_t c)
{
    return (uint32_t)mix(mix(mix(seed(3), a), b), c);
}

static uint64_t helper_c4(void *a, uint64_t b, uint32_t c, uint64_t d)
{
    return mix(mix(mix(mix(seed(4), (uintptr_t)a), b), c), d);
}

static uint64_t helper_c5(uint32_t a, uint32_t b, uint64_t c, uint32_t d, uint64_t e)
{
    return mix(mix(mix(mix(mix(seed(5), a), b), c), d), e);
}

static uint64_t helper_c6(uint64_t a, uint32_t b, uint64_t c, uint32_t d, void *e, uint32_t f)
{
    return mix(mix(mix(mix(mix(mix(seed(6), a), b), c), d), (uintptr_t)e), f);
}

static const TCGHelperInfo call_helpers[] = {
    {.name = "c0", .func = (void *)helper_c0, .flags = TCG_CALL_PURE, .ret = TCG_CALL_I64},
    {.name = "c1",
     .func = (void *)helper_c1,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I32,
     .args = {TCG_CALL_I32},
     .nargs = 1},
    {.name = "c2",
     .func = (void *)helper_c2,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I64,
     .args = {TCG_CALL_I64, TCG_CALL_I32},
     .nargs = 2},
    {.name = "c3",
     .func = (void *)helper_c3,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I32,
     .args = {TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32},
     .nargs = 3},
    {.name = "c4",
     .func = (void *)helper_c4,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I64,
     .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
     .nargs = 4},
    {.name = "c5",
     .func = (void *)helper_c5,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I64,
     .args = {TCG_CALL_I32, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
     .nargs = 5},
    {.name = "c6",
     .func = (void *)helper_c6,
     .flags = TCG_CALL_PURE,
     .ret = TCG_CALL_I64,
     .args = {TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_PTR, TCG_CALL_I32},
     .nargs = 6},
};

/* Argument i's value: i32 ones have bit 31 set or are all ones, to catch a wrong extension. */
static uint64_t call_arg(Harness *h, TCGCallArgKind kind, unsigned i)
{
    static const uint64_t v64[] = {UINT64_C(0xfedcba9876543210), UINT64_C(0x8000000000000001),
                                   UINT64_C(0x0123456789abcdef), UINT64_MAX,
                                   UINT64_C(0x100000000),        7};
    static const uint32_t v32[] = {0x80000001, 0xffffffff, 0x7fffffff, 0x89abcdef, 0, 1};
    switch (kind) {
    case TCG_CALL_I32: return v32[i];
    case TCG_CALL_PTR: return (uintptr_t)h->env;
    default: return v64[i];
    }
}

static uint64_t call_expected(Harness *h, const TCGHelperInfo *info)
{
    uint64_t acc = seed(info->nargs);
    for (unsigned i = 0; i < info->nargs; i++) {
        acc = mix(acc, call_arg(h, info->args[i], i));
    }
    return info->ret == TCG_CALL_I32 ? (uint32_t)acc : acc;
}

/* Argument i as a local loaded from env (variant 0), a constant (1) or a global (2); the
 * value depends only on (kind, i), so helpers can share the env slots. */
static TCGv call_operand(Harness *h, TCGCallArgKind kind, unsigned i, unsigned variant)
{
    TCGContext *s = h->s;
    TCGType type = kind == TCG_CALL_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64;
    uint64_t v = call_arg(h, kind, i);
    if (kind == TCG_CALL_PTR) {
        return tcg_env(s);
    }
    if (variant == 1) {
        return tcg_constant(s, type, (int64_t)v);
    }
    if (variant == 2) {
        if (type == TCG_TYPE_I32) {
            h->env->regs32[i] = (uint32_t)v;
            return h->w[i];
        }
        h->env->regs[4 + i] = v;
        return h->r[4 + i];
    }
    TCGv t = tcg_temp_new(s, type);
    unsigned slot = type == TCG_TYPE_I32 ? TCG_MAX_HELPER_ARGS + i : i;
    h->env->data[slot] = v;
    tcg_gen_ld(s, t, tcg_env(s), data_offset(slot), type_size(type));
    return t;
}

static void gen_call(Harness *h, const TCGHelperInfo *info, unsigned variant, unsigned slot)
{
    TCGContext *s = h->s;
    TCGv args[TCG_MAX_HELPER_ARGS];
    for (unsigned i = 0; i < info->nargs; i++) {
        args[i] = call_operand(h, info->args[i], i, variant);
    }
    TCGType type = info->ret == TCG_CALL_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64;
    TCGv ret = tcg_temp_new(s, type);
    if (variant == 2) {
        ret = type == TCG_TYPE_I32 ? h->w[HARNESS_NB_REGS32 - 1] : h->r[HARNESS_NB_REGS - 1];
    }
    tcg_gen_call(s, info, &ret, args);
    tcg_gen_st(s, ret, tcg_env(s), data_offset(slot), type_size(type));
}

static void test_call_args(Harness *h, const void *data)
{
    enum { VARIANTS = 3 };
    HarnessTB *tb = harness_begin(h);
    for (unsigned k = 0; k < G_N_ELEMENTS(call_helpers); k++) {
        for (unsigned variant = 0; variant < VARIANTS; variant++) {
            gen_call(h, &call_helpers[k], variant, RESULTS + k * VARIANTS + variant);
        }
    }
    tcg_gen_exit_tb(h->s, 0);
    if (!harness_finish(h, tb)) {
        return;
    }
    harness_exec(h, tb);
    for (unsigned k = 0; k < G_N_ELEMENTS(call_helpers); k++) {
        for (unsigned variant = 0; variant < VARIANTS; variant++) {
            char what[64];
            g_snprintf(what, sizeof(what), "helper %s, argument variant %u", call_helpers[k].name,
                       variant);
            expect_u64(what, call_expected(h, &call_helpers[k]),
                       h->env->data[RESULTS + k * VARIANTS + variant]);
        }
    }
}

static void helper_bump(void *env)
{
    ((TestEnv *)env)->regs[5] += 1;
}

/* A helper that reads and writes a global sees it written back and is seen afterwards. */
static void test_call_globals(Harness *h, const void *data)
{
    static const TCGHelperInfo bump = {"bump",        (void *)helper_bump, 0,
                                       TCG_CALL_VOID, {TCG_CALL_PTR},      1};
    TCGContext *s = h->s;
    TCGv env = tcg_env(s);
    HarnessTB *tb = harness_begin(h);
    tcg_gen_movi(s, h->r[5], 10);
    tcg_gen_call(s, &bump, NULL, &env);
    tcg_gen_addi(s, h->r[6], h->r[5], 1);
    tcg_gen_call(s, &bump, NULL, &env);
    tcg_gen_exit_tb(s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        expect_u64("r5 after two bumps from 10", 12, h->env->regs[5]);
        expect_u64("r6 = r5 + 1 between the bumps", 12, h->env->regs[6]);
    }
}

/* ---- control flow ---- */

/* sum += 3 * i for i < 1000; a countdown on NE; an if/else diamond inside a loop. */
static void gen_loops(Harness *h, TCGType type)
{
    TCGContext *s = h->s;
    TCGv i = tcg_temp_new(s, type), t = tcg_temp_new(s, type), acc = tcg_temp_new(s, type);
    TCGv sum = type == TCG_TYPE_I32 ? h->w[0] : h->r[0];
    TCGv count = type == TCG_TYPE_I32 ? h->w[1] : h->r[1];
    TCGLabel *l1 = tcg_new_label(s), *l2 = tcg_new_label(s), *l3 = tcg_new_label(s);
    TCGLabel *even = tcg_new_label(s), *join = tcg_new_label(s);
    tcg_gen_movi(s, i, 0);
    tcg_gen_movi(s, sum, 0);
    tcg_gen_set_label(s, l1);
    tcg_gen_muli(s, t, i, 3);
    tcg_gen_add(s, sum, sum, t);
    tcg_gen_addi(s, i, i, 1);
    tcg_gen_brcondi(s, TCG_COND_LTU, i, 1000, l1);
    tcg_gen_movi(s, i, 77);
    tcg_gen_movi(s, count, 0);
    tcg_gen_set_label(s, l2);
    tcg_gen_addi(s, count, count, 1);
    tcg_gen_subi(s, i, i, 1);
    tcg_gen_brcondi(s, TCG_COND_NE, i, 0, l2);
    tcg_gen_movi(s, acc, 0);
    tcg_gen_set_label(s, l3);
    tcg_gen_brcondi(s, TCG_COND_TSTEQ, i, 1, even);
    tcg_gen_add(s, acc, acc, i);
    tcg_gen_br(s, join);
    tcg_gen_set_label(s, even);
    tcg_gen_subi(s, acc, acc, 1);
    tcg_gen_set_label(s, join);
    tcg_gen_addi(s, i, i, 1);
    tcg_gen_brcondi(s, TCG_COND_LT, i, 50, l3);
    tcg_gen_st(s, acc, tcg_env(s), data_offset(RESULTS), type_size(type));
}

static void test_loops(Harness *h, const void *data)
{
    TCGType type = (TCGType)GPOINTER_TO_INT(data);
    bool is32 = type == TCG_TYPE_I32;
    HarnessTB *tb = harness_begin(h);
    gen_loops(h, type);
    tcg_gen_exit_tb(h->s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        expect_u64("sum of 3 * i for i < 1000", 1498500,
                   is32 ? h->env->regs32[0] : h->env->regs[0]);
        expect_u64("countdown from 77", 77, is32 ? h->env->regs32[1] : h->env->regs[1]);
        expect_u64("odd i added, even i subtract 1, i < 50", 600, h->env->data[RESULTS]);
    }
}

/* A: r0 = 1, then goto_tb 0. B: r0 += 10, exit with slot 1. */
static HarnessTB *gen_tb_a(Harness *h)
{
    HarnessTB *tb = harness_begin(h);
    tcg_gen_movi(h->s, h->r[0], 1);
    tcg_gen_goto_tb(h->s, 0);
    tcg_gen_exit_tb_slot(h->s, 0);
    return harness_finish(h, tb) ? tb : NULL;
}

static HarnessTB *gen_tb_b(Harness *h)
{
    HarnessTB *tb = harness_begin(h);
    tcg_gen_addi(h->s, h->r[0], h->r[0], 10);
    tcg_gen_exit_tb_slot(h->s, 1);
    return harness_finish(h, tb) ? tb : NULL;
}

/* C: goto_tb 1 when r1 != 0, else goto_tb 0. */
static HarnessTB *gen_tb_c(Harness *h)
{
    HarnessTB *tb = harness_begin(h);
    TCGLabel *slot0 = tcg_new_label(h->s);
    tcg_gen_brcondi(h->s, TCG_COND_EQ, h->r[1], 0, slot0);
    tcg_gen_goto_tb(h->s, 1);
    tcg_gen_exit_tb_slot(h->s, 1);
    tcg_gen_set_label(h->s, slot0);
    tcg_gen_goto_tb(h->s, 0);
    tcg_gen_exit_tb_slot(h->s, 0);
    return harness_finish(h, tb) ? tb : NULL;
}

static void chain(Harness *h, const HarnessTB *from, unsigned slot, uintptr_t target)
{
    h->be->ops->set_jump(h->be, (uintptr_t)from->code + from->info.jmp_insn_offset[slot], target);
}

static uintptr_t run_with(Harness *h, const HarnessTB *tb, uint64_t r1)
{
    h->env->regs[0] = 0;
    h->env->regs[1] = r1;
    return harness_exec(h, tb);
}

static void test_goto_tb(Harness *h, const void *data)
{
    HarnessTB *a = gen_tb_a(h), *b = gen_tb_b(h), *c = gen_tb_c(h);
    if (!a || !b || !c) {
        return;
    }
    g_assert_cmpuint(a->info.jmp_insn_offset[0], !=, TCG_NO_JUMP);
    g_assert_cmpuint(a->info.jmp_insn_offset[1], ==, TCG_NO_JUMP);
    expect_u64("A unchained", (uintptr_t)a | 0, run_with(h, a, 0));
    expect_u64("A unchained: r0", 1, h->env->regs[0]);
    chain(h, a, 0, (uintptr_t)b->code);
    expect_u64("A chained to B", (uintptr_t)b | 1, run_with(h, a, 0));
    expect_u64("A chained to B: r0", 11, h->env->regs[0]);
    chain(h, a, 0, (uintptr_t)a->code + a->info.jmp_reset_offset[0]);
    expect_u64("A reset", (uintptr_t)a | 0, run_with(h, a, 0));
    chain(h, c, 1, (uintptr_t)b->code);
    expect_u64("C slot 1 chained to B", (uintptr_t)b | 1, run_with(h, c, 1));
    expect_u64("C slot 0 unchained", (uintptr_t)c | 0, run_with(h, c, 0));
    chain(h, c, 0, (uintptr_t)a->code);
    expect_u64("C slot 0 chained to A", (uintptr_t)a | 0, run_with(h, c, 0));
}

static uint64_t helper_lookup(void *env)
{
    return ((TestEnv *)env)->regs[3];
}

/* D: r0 = 5, then continue at the code the lookup helper returns (r3). */
static void test_goto_ptr(Harness *h, const void *data)
{
    static const TCGHelperInfo lookup = {"lookup",     (void *)helper_lookup, 0,
                                         TCG_CALL_PTR, {TCG_CALL_PTR},        1};
    HarnessTB *b = gen_tb_b(h);
    h->s->lookup_tb = &lookup;
    HarnessTB *d = harness_begin(h);
    tcg_gen_movi(h->s, h->r[0], 5);
    tcg_gen_lookup_and_goto_ptr(h->s, h->r[3]);
    if (!b || !harness_finish(h, d)) {
        return;
    }
    h->env->regs[3] = (uintptr_t)b->code;
    expect_u64("goto_ptr to B", (uintptr_t)b | 1, harness_exec(h, d));
    expect_u64("goto_ptr to B: r0", 15, h->env->regs[0]);
    h->env->regs[3] = (uintptr_t)h->be->return_zero;
    expect_u64("goto_ptr to return_zero", 0, harness_exec(h, d));
    expect_u64("goto_ptr to return_zero: r0", 5, h->env->regs[0]);
}

static void test_exit_tb(Harness *h, const void *data)
{
    static const uintptr_t values[] = {0, 1, (uintptr_t)UINT64_C(0xfedcba9876543210), UINTPTR_MAX};
    for (unsigned i = 0; i < G_N_ELEMENTS(values); i++) {
        HarnessTB *tb = harness_begin(h);
        tcg_gen_exit_tb(h->s, values[i]);
        if (harness_finish(h, tb)) {
            expect_u64("exit_tb value", values[i], harness_exec(h, tb));
        }
    }
    HarnessTB *tb = harness_begin(h);
    tcg_gen_exit_tb_slot(h->s, TB_EXIT_REQUESTED);
    if (harness_finish(h, tb)) {
        expect_u64("exit_tb tb | requested", (uintptr_t)tb | TB_EXIT_REQUESTED,
                   harness_exec(h, tb));
    }
}

/* Three guest instructions with barriers: the code map has one end per instruction. */
static void test_insn_end(Harness *h, const void *data)
{
    TCGContext *s = h->s;
    HarnessTB *tb = harness_begin(h);
    for (uint64_t pc = 0x100; pc < 0x10c; pc += 4) {
        tcg_gen_insn_start(s, &pc);
        tcg_gen_addi(s, h->r[0], h->r[0], 1);
        tcg_gen_mb(s, pc == 0x100 ? TCG_BAR_SC : TCG_BAR_LD_LD);
    }
    tcg_gen_exit_tb(s, 0);
    if (!harness_finish(h, tb)) {
        return;
    }
    harness_exec(h, tb);
    expect_u64("r0 after three increments", 3, h->env->regs[0]);
    GArray *ends = tb->info.insn_end;
    g_assert_cmpuint(ends->len, ==, 3);
    uint32_t prev = 0;
    for (guint i = 0; i < ends->len; i++) {
        uint32_t end = g_array_index(ends, uint32_t, i);
        g_assert_cmpuint(end, >, prev);
        g_assert_cmpuint(end, <=, tb->info.size);
        prev = end;
    }
}

/* Writing an i32 global touches its 4 bytes only. */
static void test_global_widths(Harness *h, const void *data)
{
    TCGContext *s = h->s;
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        h->env->regs32[i] = 0xa5a5a5a5;
    }
    HarnessTB *tb = harness_begin(h);
    tcg_gen_movi(s, h->w[3], 0x12345678);
    tcg_gen_add(s, h->w[4], h->w[3], h->w[3]);
    tcg_gen_exit_tb(s, 0);
    if (harness_finish(h, tb)) {
        harness_exec(h, tb);
        expect_u64("w2", 0xa5a5a5a5, h->env->regs32[2]);
        expect_u64("w3", 0x12345678, h->env->regs32[3]);
        expect_u64("w4", 0x2468acf0, h->env->regs32[4]);
        expect_u64("w5", 0xa5a5a5a5, h->env->regs32[5]);
    }
}

static void add_typed(const char *name, HarnessTestFn fn)
{
    for (TCGType type = TCG_TYPE_I32; type <= TCG_TYPE_I64; type++) {
        char *full = g_strdup_printf("%s_i%u", name, type_bits(type));
        harness_add_tests("ops", full, fn, GINT_TO_POINTER(type));
        g_free(full);
    }
}

void tcg_ops_mem_register(void)
{
    add_typed("ld", test_host_ld);
    add_typed("st", test_host_st);
    add_typed("guest_ld", test_guest_ld);
    add_typed("guest_st", test_guest_st);
    harness_add_tests("ops", "guest_fault_range", test_guest_fault_range, NULL);
    harness_add_tests("ops", "guest_fault_align", test_guest_fault_align, NULL);
    harness_add_tests("ops", "call_args", test_call_args, NULL);
    harness_add_tests("ops", "call_globals", test_call_globals, NULL);
    add_typed("brcond_loops", test_loops);
    harness_add_tests("ops", "goto_tb", test_goto_tb, NULL);
    harness_add_tests("ops", "goto_ptr", test_goto_ptr, NULL);
    harness_add_tests("ops", "exit_tb", test_exit_tb, NULL);
    harness_add_tests("ops", "insn_end_mb", test_insn_end, NULL);
    harness_add_tests("ops", "global_widths", test_global_widths, NULL);
}

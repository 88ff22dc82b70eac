/*
 * The x86-64 JIT backend (tcg_x86_64_backend): fixed code, code generation for a TB,
 * chaining, guest memory access, exits and helper calls. Op lowering is in lower.c,
 * instruction encoding in emit.c, register allocation in tcg/regalloc.c.
 *
 * Fixed code, emitted once by init() below the buffer's reset point:
 *   prologue(env, code): push rbp rbx r12-r15; sub rsp, frame; rbp = env; r14/r15 =
 *                        guest_limit/guest_base (user mode); jmp code
 *   return_zero:         xor eax, eax, falling into
 *   epilogue:            add rsp, frame; pop; ret (rax = the exit value)
 * The frame is spill slots only; with the six pushes and the return address it keeps rsp
 * 16-byte aligned inside TBs, so helper calls need no adjustment.
 *
 * Chaining: goto_tb n is a jmp rel32 whose displacement is 4-byte aligned;
 * jmp_insn_offset[n] is the offset of the jmp instruction itself (opcode 0xe9), and
 * set_jump rewrites its displacement with one atomic 32-bit store. Unchained, it jumps to
 * the next instruction (jmp_reset_offset[n]), the exit_tb that follows it in the IR.
 *
 * Guest memory, user mode: cmp addr, r14; jae slow (and with MO_ALIGN: test; jnz slow);
 * then one mov/movzx/movsx/movbe at [r15 + addr]. The slow paths, after the TB's main
 * code, call fault_helper(env, addr, memop | is_store << 8, retaddr) with retaddr inside
 * the access's guest instruction; liveness has already written the globals back.
 *
 * gen_code runs tcg_liveness() itself and keeps its state on the stack (X86Gen): the
 * backend instance is read-only after init. It stops before the last X86_OP_MARGIN
 * bytes of the buffer (buffer full), and when locals need more than X86_FRAME_SLOTS spill
 * slots (not full: the caller retries with a smaller TB). Host features come from cpuid;
 * PADDOCK_X86_DISABLE=movbe,bmi1,bmi2,lzcnt turns some off to exercise the fallbacks.
 */
#include <cpuid.h>
#include <string.h>

#include "tcg/disas.h"
#include "tcg/liveness.h"
#include "tcg/x86_64/x86.h"
#include "vmcore/log.h"

/* Pushed by the prologue; with the return address, 7 words. */
static const int8_t saved_regs[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};
/* Spill slots plus the word that makes 7 pushed words + frame a multiple of 16. */
#define FRAME_SIZE (X86_FRAME_SLOTS * 8 + 8)
/* Room init asks for: the prologue and epilogue take well under it. */
#define FIXED_CODE_SIZE 256

#define RBIT(x) (1u << X86_##x)

/* Callee-saved registers first: values there survive helper calls. */
static const int8_t alloc_order[] = {X86_RBX, X86_R12, X86_R13, X86_R15, X86_R10, X86_R9,
                                     X86_R8,  X86_RSI, X86_RDI, X86_RCX, X86_RDX, X86_RAX};

static unsigned detect_features(void)
{
    unsigned a, b, c, d, f = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        f |= (c & bit_MOVBE) ? X86_FEAT_MOVBE : 0;
        f |= (c & bit_POPCNT) ? X86_FEAT_POPCNT : 0;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f |= (b & bit_BMI) ? X86_FEAT_BMI1 : 0;
        f |= (b & bit_BMI2) ? X86_FEAT_BMI2 : 0;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        f |= (c & bit_LZCNT) ? X86_FEAT_LZCNT : 0;
    }
    return f;
}

/* PADDOCK_X86_DISABLE=movbe,bmi1,bmi2,lzcnt: features not to use (tests, debugging). */
static unsigned disabled_features(void)
{
    static const struct {
        const char *name;
        unsigned feature;
    } names[] = {{"movbe", X86_FEAT_MOVBE},
                 {"bmi1", X86_FEAT_BMI1},
                 {"bmi2", X86_FEAT_BMI2},
                 {"lzcnt", X86_FEAT_LZCNT}};
    const char *env = g_getenv("PADDOCK_X86_DISABLE");
    unsigned mask = 0;
    if (!env) {
        return 0;
    }
    g_auto(GStrv) parts = g_strsplit(env, ",", -1);
    for (char **p = parts; *p; p++) {
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            mask |= !strcmp(g_strstrip(*p), names[i].name) ? names[i].feature : 0;
        }
    }
    return mask;
}

static void emit_prologue(X86Backend *b, X86Emit *e, const TCGGuestMemory *mem)
{
    b->prologue = x86_rx(e, e->ptr);
    for (size_t i = 0; i < G_N_ELEMENTS(saved_regs); i++) {
        x86_opc(e, OPC_PUSH_r32 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    x86_arith_ri(e, ARITH_SUB, TCG_TYPE_I64, X86_RSP, FRAME_SIZE);
    x86_mov_rr(e, TCG_TYPE_I64, X86_ENV_REG, X86_RDI);
    if (mem->model == TCG_MEM_USER) {
        x86_movi(e, TCG_TYPE_I64, X86_LIMIT_REG, (int64_t)mem->guest_limit);
        if (mem->guest_base) {
            x86_movi(e, TCG_TYPE_I64, X86_BASE_REG, (int64_t)mem->guest_base);
        }
    }
    x86_modrm(e, OPC_GRP5, EXT5_JMPN_Ev, X86_RSI);

    b->be->return_zero = (const void *)x86_rx(e, e->ptr);
    x86_arith_rr(e, ARITH_XOR, TCG_TYPE_I32, X86_RAX, X86_RAX);
    b->epilogue = x86_rx(e, e->ptr);
    x86_arith_ri(e, ARITH_ADD, TCG_TYPE_I64, X86_RSP, FRAME_SIZE);
    for (size_t i = G_N_ELEMENTS(saved_regs); i-- > 0;) {
        x86_opc(e, OPC_POP_r32 + (saved_regs[i] & 7), 0, saved_regs[i], 0);
    }
    x86_byte(e, OPC_RET);
}

static bool x86_init(TCGBackend *be, GError **errp)
{
    X86Backend *b = g_new0(X86Backend, 1);
    TCGCodeBuffer *cb = be->cb;

    be->priv = b;
    b->be = be;
    b->features = detect_features() & ~disabled_features();
    if (!(b->features & X86_FEAT_POPCNT)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOSYS,
                    "x86-64 JIT: the host CPU lacks POPCNT (x86-64-v2 is required)");
        return false;
    }
    X86Emit e = {.start = tcg_code_buffer_ptr(cb), .ptr = tcg_code_buffer_ptr(cb)};
    e.rx_start = tcg_code_buffer_rx(cb, e.start);
    emit_prologue(b, &e, &be->mem);
    size_t size = (size_t)(e.ptr - e.start);
    g_assert(size <= FIXED_CODE_SIZE);
    if (log_enabled(LOG_OUT_ASM)) {
        tcg_disas_host(log_stream(), "prologue/epilogue", e.start, size, e.rx_start, NULL, 0);
    }
    tcg_code_buffer_commit(cb, size);

    b->allocatable = RBIT(RAX) | RBIT(RCX) | RBIT(RDX) | RBIT(RBX) | RBIT(RSI) | RBIT(RDI) |
                     RBIT(R8) | RBIT(R9) | RBIT(R10) | RBIT(R12) | RBIT(R13);
    if (be->mem.model != TCG_MEM_USER || !be->mem.guest_base) {
        b->allocatable |= RBIT(R15);
    }
    return true;
}

static uintptr_t x86_exec(TCGBackend *be, void *env, const void *code)
{
    X86Backend *b = be->priv;
    uintptr_t (*prologue)(void *, const void *) = (uintptr_t(*)(void *, const void *))b->prologue;
    return prologue(env, code);
}

static void x86_set_jump(TCGBackend *be, uintptr_t jmp, uintptr_t target)
{
    int64_t disp = (int64_t)(target - (jmp + 5));
    g_assert(fits_s32(disp) && (jmp + 1) % 4 == 0);
    uint32_t *field = (uint32_t *)(void *)tcg_code_buffer_rw(be->cb, jmp + 1);
    __atomic_store_n(field, (uint32_t)(int32_t)disp, __ATOMIC_RELEASE);
}

void x86_emit_exit(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    if (a[0] == 0) {
        x86_jump_to(&g->e, -1, (uintptr_t)g->b->be->return_zero);
        return;
    }
    /* Exit values are mostly TB pointers, which live in the code buffer near the code. */
    int64_t disp = (int64_t)(a[0] - (x86_rx(&g->e, g->e.ptr) + 7));
    if (!fits_u32((int64_t)a[0]) && fits_s32(disp)) {
        x86_modrm_rip(&g->e, OPC_LEA + P_REXW, X86_RAX, (uintptr_t)a[0]);
    } else {
        x86_movi(&g->e, TCG_TYPE_I64, X86_RAX, (int64_t)a[0]);
    }
    x86_jump_to(&g->e, -1, g->b->epilogue);
}

/* Out-of-range or misaligned: jump to a slow path recorded for after the main code. */
static void guest_check(X86Gen *g, int addr, MemOp mo, bool is_store)
{
    X86SlowPath sp = {.addr_reg = addr, .access = mo | (unsigned)is_store << 8};
    unsigned size = memop_size(mo);
    x86_arith_rr(&g->e, ARITH_CMP, TCG_TYPE_I64, addr, X86_LIMIT_REG);
    sp.fields[sp.nb_fields++] = x86_jmp_rel32_placeholder(&g->e, JCC_JAE);
    if ((mo & MO_ALIGN) && size > 1) {
        x86_modrm(&g->e, OPC_GRP3_Eb, EXT3_TESTi, addr);
        x86_byte(&g->e, (uint8_t)(size - 1));
        sp.fields[sp.nb_fields++] = x86_jmp_rel32_placeholder(&g->e, JCC_JNE);
    }
    sp.retaddr = x86_rx(&g->e, g->e.ptr);
    g_array_append_val(g->slow_paths, sp);
}

/* An instruction whose memory operand is the guest address addr. */
static void guest_modrm(X86Gen *g, int opc, int r, int addr)
{
    if (g->b->be->mem.guest_base) {
        x86_modrm_sib(&g->e, opc, r, X86_BASE_REG, addr, 0, 0);
    } else {
        x86_modrm_offset(&g->e, opc, r, addr, 0);
    }
}

/* A big-endian load of 16/32/64 bits into d, zero-extended from its size. */
static void guest_ld_swapped(X86Gen *g, int d, int addr, unsigned size)
{
    static const int sizes[4] = {0, P_DATA16, 0, P_REXW};
    if (g->b->features & X86_FEAT_MOVBE) {
        guest_modrm(g, OPC_MOVBE_GyMy | sizes[size], d, addr);
        if (size == MO_16) {
            x86_modrm(&g->e, OPC_MOVZWL, d, d);
        }
    } else if (size == MO_16) {
        guest_modrm(g, OPC_MOVZWL, d, addr);
        x86_modrm(&g->e, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, d);
        x86_byte(&g->e, 8);
    } else {
        guest_modrm(g, OPC_MOVL_GvEv | sizes[size], d, addr);
        x86_opc(&g->e, OPC_BSWAP + sizes[size] + (d & 7), 0, d, 0);
    }
}

void x86_emit_guest_ld(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    TCGType type = (TCGType)op->type;
    int w = x86_rexw(type);
    int d = (int)a[0], addr = (int)a[1];
    MemOp mo = (MemOp)a[2];
    unsigned size = mo & MO_SIZE;
    bool sign = mo & MO_SIGN;

    guest_check(g, addr, mo, false);
    if (size != MO_8 && (mo & MO_BSWAP_FLAG)) {
        guest_ld_swapped(g, d, addr, size);
        if (sign && size == MO_16) {
            x86_modrm(&g->e, OPC_MOVSWL + w, d, d);
        } else if (sign && size == MO_32 && type == TCG_TYPE_I64) {
            x86_modrm(&g->e, OPC_MOVSLQ, d, d);
        }
        return;
    }
    static const int zext[4] = {OPC_MOVZBL, OPC_MOVZWL, OPC_MOVL_GvEv, OPC_MOVL_GvEv | P_REXW};
    static const int sext[4] = {OPC_MOVSBL, OPC_MOVSWL, OPC_MOVSLQ, OPC_MOVL_GvEv | P_REXW};
    int opc = zext[size];
    if (sign && (size < MO_32 || type == TCG_TYPE_I64)) {
        opc = sext[size] + (size < MO_32 ? w : 0);
    }
    guest_modrm(g, opc, d, addr);
}

static uint64_t swap_const(uint64_t v, unsigned size)
{
    switch (size) {
    case MO_16: return __builtin_bswap16((uint16_t)v);
    case MO_32: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

static void guest_st_const(X86Gen *g, uint64_t v, int addr, unsigned size, bool swap)
{
    static const int imm_opc[4] = {OPC_MOVB_EvIz, OPC_MOVL_EvIz | P_DATA16, OPC_MOVL_EvIz,
                                   OPC_MOVL_EvIz | P_REXW};
    if (swap) {
        v = swap_const(v, size);
    }
    if (size == MO_64 && !fits_s32((int64_t)v)) {
        x86_movi_keepflags(&g->e, TCG_TYPE_I64, X86_SCRATCH_REG, (int64_t)v);
        guest_modrm(g, OPC_MOVL_EvGv | P_REXW, X86_SCRATCH_REG, addr);
        return;
    }
    guest_modrm(g, imm_opc[size], 0, addr);
    if (size == MO_8) {
        x86_byte(&g->e, (uint8_t)v);
    } else if (size == MO_16) {
        x86_u16(&g->e, (uint16_t)v);
    } else {
        x86_u32(&g->e, (uint32_t)v);
    }
}

void x86_emit_guest_st(X86Gen *g, const TCGOp *op, const TCGArg *a, const bool *c)
{
    static const int sizes[4] = {0, P_DATA16, 0, P_REXW};
    static const int reg_opc[4] = {OPC_MOVB_EvGv, OPC_MOVL_EvGv | P_DATA16, OPC_MOVL_EvGv,
                                   OPC_MOVL_EvGv | P_REXW};
    int v = (int)a[0], addr = (int)a[1];
    MemOp mo = (MemOp)a[2];
    unsigned size = mo & MO_SIZE;
    bool swap = size != MO_8 && (mo & MO_BSWAP_FLAG);

    guest_check(g, addr, mo, true);
    if (c[0]) {
        guest_st_const(g, a[0], addr, size, swap);
        return;
    }
    if (swap && (g->b->features & X86_FEAT_MOVBE)) {
        guest_modrm(g, OPC_MOVBE_MyGy | sizes[size], v, addr);
        return;
    }
    if (swap) {
        x86_mov_rr(&g->e, TCG_TYPE_I64, X86_SCRATCH_REG, v);
        if (size == MO_16) {
            x86_modrm(&g->e, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, X86_SCRATCH_REG);
            x86_byte(&g->e, 8);
        } else {
            x86_opc(&g->e, OPC_BSWAP + sizes[size] + (X86_SCRATCH_REG & 7), 0, X86_SCRATCH_REG, 0);
        }
        v = X86_SCRATCH_REG;
    }
    guest_modrm(g, reg_opc[size], v, addr);
}

/* The fault_helper calls, after the TB's main code. False when the buffer is full. */
static bool emit_slow_paths(X86Gen *g, const uint8_t *limit)
{
    X86Emit *e = &g->e;
    for (guint i = 0; i < g->slow_paths->len; i++) {
        const X86SlowPath *sp = &g_array_index(g->slow_paths, X86SlowPath, i);
        if (e->ptr > limit) {
            return false;
        }
        for (unsigned k = 0; k < sp->nb_fields; k++) {
            x86_patch_rel32(e, e->start + sp->fields[k], x86_rx(e, e->ptr));
        }
        x86_mov_rr(e, TCG_TYPE_I64, X86_RSI, sp->addr_reg); /* before rdi: addr may be rdi */
        x86_mov_rr(e, TCG_TYPE_I64, X86_RDI, X86_ENV_REG);
        x86_movi_keepflags(e, TCG_TYPE_I32, X86_RDX, sp->access);
        x86_modrm_rip(e, OPC_LEA + P_REXW, X86_RCX, sp->retaddr);
        x86_call(e, (uintptr_t)g->b->be->mem.fault_helper);
        x86_opc(e, OPC_UD2, 0, 0, 0);
    }
    return true;
}

static void ra_mov(void *ctx, TCGType type, int dst, int src)
{
    x86_mov_rr(&((X86Gen *)ctx)->e, type, dst, src);
}

static void ra_movi(void *ctx, TCGType type, int reg, int64_t val)
{
    x86_movi(&((X86Gen *)ctx)->e, type, reg, val);
}

static void ra_ld(void *ctx, TCGType type, int reg, int base, int32_t offset)
{
    x86_ld(&((X86Gen *)ctx)->e, type, reg, base, offset);
}

static void ra_st(void *ctx, TCGType type, int reg, int base, int32_t offset)
{
    x86_st(&((X86Gen *)ctx)->e, type, reg, base, offset);
}

static bool ra_sti(void *ctx, TCGType type, int64_t val, int base, int32_t offset)
{
    return x86_sti(&((X86Gen *)ctx)->e, type, val, base, offset);
}

static const TCGConstraintSet *ra_constraints(void *ctx, const TCGOp *op)
{
    const X86Gen *g = ctx;
    const X86OpDesc *d = &x86_op_descs[op->opc];
    g_assert(d->emit);
    return d->ct_nobmi2 && !(g->b->features & X86_FEAT_BMI2) ? d->ct_nobmi2 : d->ct;
}

static void ra_emit(void *ctx, const TCGOp *op, const TCGArg *args, const bool *const_args)
{
    x86_op_descs[op->opc].emit(ctx, op, args, const_args);
}

static void ra_call(void *ctx, const TCGHelperInfo *info)
{
    x86_call(&((X86Gen *)ctx)->e, (uintptr_t)info->func);
}

static const TCGRegAllocTarget x86_ra_target = {
    .order = alloc_order,
    .nb_order = G_N_ELEMENTS(alloc_order),
    .call_clobbers = RBIT(RAX) | RBIT(RCX) | RBIT(RDX) | RBIT(RSI) | RBIT(RDI) | RBIT(R8) |
                     RBIT(R9) | RBIT(R10) | RBIT(R11),
    .call_args = {X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9},
    .call_ret = X86_RAX,
    .frame_reg = X86_RSP,
    .scratch = X86_SCRATCH_REG,
    .mov = ra_mov,
    .movi = ra_movi,
    .ld = ra_ld,
    .st = ra_st,
    .sti = ra_sti,
    .const_ok = x86_const_ok,
    .constraints = ra_constraints,
    .emit = ra_emit,
    .call = ra_call,
};

/* Labels may carry state from an attempt that ran out of buffer. */
static void reset_labels(TCGContext *s)
{
    for (uint32_t i = 0; i < s->nb_labels; i++) {
        TCGLabel *l = tcg_label(s, i);
        l->has_value = false;
        if (l->relocs) {
            g_array_set_size(l->relocs, 0);
        }
    }
}

/* Allocates and emits every op; false when the buffer or the frame runs out. */
static bool emit_ops(X86Gen *g, const uint8_t *limit, bool *buffer_full)
{
    TCGContext *s = g->s;
    bool first_insn = true;
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        if (g->e.ptr > limit) {
            *buffer_full = true;
            return false;
        }
        if (op->opc == TCG_OP_INSN_START) {
            if (!first_insn) {
                uint32_t end = x86_offset(&g->e);
                g_array_append_val(g->out->insn_end, end);
            }
            first_insn = false;
            continue;
        }
        tcg_regalloc_op(&g->ra, op);
        if (g->ra.frame_full) {
            return false;
        }
    }
    if (!first_insn) {
        uint32_t end = x86_offset(&g->e);
        g_array_append_val(g->out->insn_end, end);
    }
    return true;
}

/* Emits the TB of s at the buffer's position, leaving at most X86_OP_MARGIN free. */
static bool gen_tb(X86Gen *g, TCGCodeBuffer *cb, size_t avail, bool *buffer_full)
{
    TCGTBCode *out = g->out;
    g->e = (X86Emit){.start = tcg_code_buffer_ptr(cb), .ptr = tcg_code_buffer_ptr(cb)};
    g->e.rx_start = tcg_code_buffer_rx(cb, g->e.start);
    const uint8_t *limit = g->e.start + avail - X86_OP_MARGIN;
    g_array_set_size(out->insn_end, 0);
    for (int n = 0; n < 2; n++) {
        out->jmp_insn_offset[n] = out->jmp_reset_offset[n] = TCG_NO_JUMP;
    }
    reset_labels(g->s);
    tcg_regalloc_start(&g->ra, g->s, &x86_ra_target, g, g->b->allocatable, X86_ENV_REG, 0,
                       X86_FRAME_SLOTS * 8);
    if (!emit_ops(g, limit, buffer_full)) {
        return false;
    }
    if (!emit_slow_paths(g, limit)) {
        *buffer_full = true;
        return false;
    }
    g_assert(g->e.ptr <= g->e.start + avail);
    out->size = x86_offset(&g->e);
    if (log_enabled(LOG_OUT_ASM)) {
        tcg_disas_host(log_stream(), "TB", g->e.start, out->size, g->e.rx_start,
                       (const uint32_t *)(void *)out->insn_end->data, out->insn_end->len);
    }
    return true;
}

static bool x86_gen_code(TCGBackend *be, TCGContext *s, TCGTBCode *out, bool *buffer_full)
{
    *buffer_full = false;
    g_assert(s->mem.model == be->mem.model && s->mem.guest_base == be->mem.guest_base &&
             s->mem.guest_limit == be->mem.guest_limit);
    if (s->mem.model != TCG_MEM_USER) {
        return false; /* the softmmu fast path (tcg/softmmu.h) comes with the first system-mode
                         board */
    }
    size_t avail = tcg_code_buffer_avail(be->cb);
    if (avail < 2 * X86_OP_MARGIN) {
        *buffer_full = true;
        return false;
    }
    tcg_liveness(s);
    X86Gen g = {.b = be->priv,
                .s = s,
                .out = out,
                .slow_paths = g_array_new(FALSE, FALSE, sizeof(X86SlowPath))};
    bool ok = gen_tb(&g, be->cb, avail, buffer_full);
    g_array_free(g.slow_paths, TRUE);
    return ok;
}

const TCGBackendOps tcg_x86_64_backend = {
    .name = "x86-64",
    .fixed_code_size = FIXED_CODE_SIZE,
    .init = x86_init,
    .gen_code = x86_gen_code,
    .exec = x86_exec,
    .set_jump = x86_set_jump,
};

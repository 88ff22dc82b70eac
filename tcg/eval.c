/* The value semantics of the computational ops (eval.h says which cases are fixed how). */
#include "tcg/eval.h"

#include <glib.h>

static int64_t sext_from(uint64_t v, bool is64)
{
    return is64 ? (int64_t)v : (int32_t)v;
}

static uint64_t rotl(uint64_t a, unsigned c, unsigned bits)
{
    if (c == 0) {
        return a;
    }
    return tcg_eval_trunc(a << c | a >> (bits - c), bits == 64);
}

static uint64_t divide(TCGOpcode opc, uint64_t a, uint64_t b, bool is64)
{
    int64_t sa = sext_from(a, is64), sb = sext_from(b, is64);
    switch (opc) {
    case TCG_OP_DIVU: return b ? a / b : tcg_eval_trunc(UINT64_MAX, is64);
    case TCG_OP_REMU: return b ? a % b : a;
    case TCG_OP_DIVS:
        if (sb == 0) {
            return tcg_eval_trunc(UINT64_MAX, is64);
        }
        if (sb == -1) {
            return tcg_eval_trunc(-a, is64); /* INT_MIN / -1 = INT_MIN */
        }
        return tcg_eval_trunc((uint64_t)(sa / sb), is64);
    case TCG_OP_REMS:
        if (sb == 0) {
            return a;
        }
        if (sb == -1) {
            return 0;
        }
        return tcg_eval_trunc((uint64_t)(sa % sb), is64);
    default: g_assert_not_reached();
    }
}

static uint64_t count_zeros(TCGOpcode opc, uint64_t a, uint64_t if_zero, bool is64)
{
    if (a == 0) {
        return if_zero;
    }
    if (opc == TCG_OP_CTZ) {
        return (uint64_t)__builtin_ctzll(a);
    }
    return (uint64_t)(is64 ? __builtin_clzll(a) : __builtin_clz((uint32_t)a));
}

uint64_t tcg_eval_binop(TCGOpcode opc, uint64_t a, uint64_t b, bool is64)
{
    unsigned bits = is64 ? 64 : 32;
    unsigned count = (unsigned)b & (bits - 1);
    a = tcg_eval_trunc(a, is64);
    b = tcg_eval_trunc(b, is64);
    switch (opc) {
    case TCG_OP_ADD: return tcg_eval_trunc(a + b, is64);
    case TCG_OP_SUB: return tcg_eval_trunc(a - b, is64);
    case TCG_OP_MUL: return tcg_eval_trunc(a * b, is64);
    case TCG_OP_AND: return a & b;
    case TCG_OP_OR: return a | b;
    case TCG_OP_XOR: return a ^ b;
    case TCG_OP_ANDC: return a & ~b;
    case TCG_OP_ORC: return tcg_eval_trunc(a | ~b, is64);
    case TCG_OP_SHL: return tcg_eval_trunc(a << count, is64);
    case TCG_OP_SHR: return a >> count;
    case TCG_OP_SAR: return tcg_eval_trunc((uint64_t)(sext_from(a, is64) >> count), is64);
    case TCG_OP_ROTL: return rotl(a, count, bits);
    case TCG_OP_ROTR: return rotl(a, (bits - count) & (bits - 1), bits);
    case TCG_OP_CLZ:
    case TCG_OP_CTZ: return count_zeros(opc, a, b, is64);
    default: return divide(opc, a, b, is64);
    }
}

uint64_t tcg_eval_unop(TCGOpcode opc, uint64_t a, bool is64)
{
    uint64_t r;
    switch (opc) {
    case TCG_OP_MOV: r = a; break;
    case TCG_OP_NEG: r = -a; break;
    case TCG_OP_NOT: r = ~a; break;
    case TCG_OP_EXT8S: r = (uint64_t)(int8_t)a; break;
    case TCG_OP_EXT8U: r = (uint8_t)a; break;
    case TCG_OP_EXT16S: r = (uint64_t)(int16_t)a; break;
    case TCG_OP_EXT16U: r = (uint16_t)a; break;
    case TCG_OP_EXT32S:
    case TCG_OP_EXTS_I32_I64: r = (uint64_t)(int32_t)a; break;
    case TCG_OP_EXT32U:
    case TCG_OP_EXTU_I32_I64:
    case TCG_OP_EXTRL_I64_I32: r = (uint32_t)a; break;
    case TCG_OP_EXTRH_I64_I32: r = a >> 32; break;
    case TCG_OP_BSWAP16: r = __builtin_bswap16((uint16_t)a); break;
    case TCG_OP_BSWAP32: r = __builtin_bswap32((uint32_t)a); break;
    case TCG_OP_BSWAP64: r = __builtin_bswap64(a); break;
    case TCG_OP_CTPOP: r = (uint64_t)__builtin_popcountll(tcg_eval_trunc(a, is64)); break;
    default: g_assert_not_reached();
    }
    return tcg_eval_trunc(r, is64);
}

bool tcg_eval_cond(TCGCond cond, uint64_t a, uint64_t b, bool is64)
{
    int64_t sa = sext_from(a, is64), sb = sext_from(b, is64);
    a = tcg_eval_trunc(a, is64);
    b = tcg_eval_trunc(b, is64);
    switch (cond) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_TSTEQ: return (a & b) == 0;
    case TCG_COND_TSTNE: return (a & b) != 0;
    default: g_assert_not_reached();
    }
}

void tcg_eval_mul2(TCGOpcode opc, uint64_t a, uint64_t b, bool is64, uint64_t *lo, uint64_t *hi)
{
    bool sign = opc == TCG_OP_MULS2;
    if (is64) {
        unsigned __int128 p = sign ? (unsigned __int128)((__int128)(int64_t)a * (int64_t)b)
                                   : (unsigned __int128)a * b;
        *lo = (uint64_t)p;
        *hi = (uint64_t)(p >> 64);
        return;
    }
    uint64_t p =
        sign ? (uint64_t)((int64_t)(int32_t)a * (int32_t)b) : (uint64_t)(uint32_t)a * (uint32_t)b;
    *lo = (uint32_t)p;
    *hi = p >> 32;
}

static uint64_t low_mask(unsigned len)
{
    return len >= 64 ? UINT64_MAX : (UINT64_C(1) << len) - 1;
}

uint64_t tcg_eval_extract(uint64_t a, unsigned pos, unsigned len, bool sign, bool is64)
{
    a = tcg_eval_trunc(a, is64);
    if (!sign) {
        return (a >> pos) & low_mask(len);
    }
    int64_t field = (int64_t)(a << (64 - pos - len)) >> (64 - len);
    return tcg_eval_trunc((uint64_t)field, is64);
}

uint64_t tcg_eval_deposit(uint64_t base, uint64_t field, unsigned pos, unsigned len, bool is64)
{
    uint64_t mask = low_mask(len) << pos;
    return tcg_eval_trunc((base & ~mask) | ((field << pos) & mask), is64);
}

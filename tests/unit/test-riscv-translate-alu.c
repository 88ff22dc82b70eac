/*
 * The data side of the RV64 frontend's tests (see test-riscv-translate.c): every integer
 * ALU instruction on edge values, also with rd aliasing a source and with x0 as source
 * and destination, against C; branches both ways; loads and stores at every alignment;
 * each compressed instruction, with each of its immediate bits, against its 32-bit
 * expansion.
 */
#include <inttypes.h>
#include <string.h>

#include "test-riscv-translate.h"

static uint64_t rotl64(uint64_t x, unsigned n)
{
    n &= 63;
    return n ? x << n | x >> (64 - n) : x;
}

static uint32_t rotl32(uint32_t x, unsigned n)
{
    n &= 31;
    return n ? x << n | x >> (32 - n) : x;
}

/* The C answers: (rs1, rs2) for register forms, (rs1, imm) for immediate ones. */
typedef uint64_t RefFn(uint64_t a, uint64_t b);

static uint64_t ref_add(uint64_t a, uint64_t b)
{
    return a + b;
}
static uint64_t ref_sub(uint64_t a, uint64_t b)
{
    return a - b;
}
static uint64_t ref_sll(uint64_t a, uint64_t b)
{
    return a << (b & 63);
}
static uint64_t ref_slt(uint64_t a, uint64_t b)
{
    return (int64_t)a < (int64_t)b;
}
static uint64_t ref_sltu(uint64_t a, uint64_t b)
{
    return a < b;
}
static uint64_t ref_xor(uint64_t a, uint64_t b)
{
    return a ^ b;
}
static uint64_t ref_srl(uint64_t a, uint64_t b)
{
    return a >> (b & 63);
}
static uint64_t ref_sra(uint64_t a, uint64_t b)
{
    return (uint64_t)((int64_t)a >> (b & 63));
}
static uint64_t ref_or(uint64_t a, uint64_t b)
{
    return a | b;
}
static uint64_t ref_and(uint64_t a, uint64_t b)
{
    return a & b;
}
static uint64_t ref_addw(uint64_t a, uint64_t b)
{
    return sext32(a + b);
}
static uint64_t ref_subw(uint64_t a, uint64_t b)
{
    return sext32(a - b);
}
static uint64_t ref_sllw(uint64_t a, uint64_t b)
{
    return sext32((uint32_t)a << (b & 31));
}
static uint64_t ref_srlw(uint64_t a, uint64_t b)
{
    return sext32((uint32_t)a >> (b & 31));
}
static uint64_t ref_sraw(uint64_t a, uint64_t b)
{
    return sext32((uint32_t)((int32_t)a >> (b & 31)));
}
static uint64_t ref_mul(uint64_t a, uint64_t b)
{
    return a * b;
}

static uint64_t ref_mulh(uint64_t a, uint64_t b)
{
    return (uint64_t)((__int128)(int64_t)a * (int64_t)b >> 64);
}

static uint64_t ref_mulhsu(uint64_t a, uint64_t b)
{
    return (uint64_t)((__int128)(int64_t)a * (__int128)b >> 64);
}

static uint64_t ref_mulhu(uint64_t a, uint64_t b)
{
    return (uint64_t)((unsigned __int128)a * b >> 64);
}

static uint64_t ref_div(uint64_t a, uint64_t b)
{
    if (b == 0) {
        return UINT64_MAX;
    }
    if (a == (UINT64_C(1) << 63) && b == UINT64_MAX) {
        return a;
    }
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static uint64_t ref_divu(uint64_t a, uint64_t b)
{
    return b ? a / b : UINT64_MAX;
}

static uint64_t ref_rem(uint64_t a, uint64_t b)
{
    if (b == 0) {
        return a;
    }
    if (a == (UINT64_C(1) << 63) && b == UINT64_MAX) {
        return 0;
    }
    return (uint64_t)((int64_t)a % (int64_t)b);
}

static uint64_t ref_remu(uint64_t a, uint64_t b)
{
    return b ? a % b : a;
}
static uint64_t ref_mulw(uint64_t a, uint64_t b)
{
    return sext32(a * b);
}

static uint64_t ref_divw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0) {
        return UINT64_MAX;
    }
    if (x == INT32_MIN && y == -1) {
        return sext32((uint32_t)INT32_MIN);
    }
    return sext32((uint32_t)(x / y));
}

static uint64_t ref_divuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return y ? sext32(x / y) : UINT64_MAX;
}

static uint64_t ref_remw(uint64_t a, uint64_t b)
{
    int32_t x = (int32_t)a, y = (int32_t)b;
    if (y == 0) {
        return sext32(a);
    }
    if (x == INT32_MIN && y == -1) {
        return 0;
    }
    return sext32((uint32_t)(x % y));
}

static uint64_t ref_remuw(uint64_t a, uint64_t b)
{
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return sext32(y ? x % y : x);
}

static uint64_t ref_add_uw(uint64_t a, uint64_t b)
{
    return (uint32_t)a + b;
}
static uint64_t ref_sh1add(uint64_t a, uint64_t b)
{
    return (a << 1) + b;
}
static uint64_t ref_sh2add(uint64_t a, uint64_t b)
{
    return (a << 2) + b;
}
static uint64_t ref_sh3add(uint64_t a, uint64_t b)
{
    return (a << 3) + b;
}
static uint64_t ref_sh1add_uw(uint64_t a, uint64_t b)
{
    return ((uint64_t)(uint32_t)a << 1) + b;
}
static uint64_t ref_sh2add_uw(uint64_t a, uint64_t b)
{
    return ((uint64_t)(uint32_t)a << 2) + b;
}
static uint64_t ref_sh3add_uw(uint64_t a, uint64_t b)
{
    return ((uint64_t)(uint32_t)a << 3) + b;
}
static uint64_t ref_andn(uint64_t a, uint64_t b)
{
    return a & ~b;
}
static uint64_t ref_orn(uint64_t a, uint64_t b)
{
    return a | ~b;
}
static uint64_t ref_xnor(uint64_t a, uint64_t b)
{
    return ~(a ^ b);
}
static uint64_t ref_max(uint64_t a, uint64_t b)
{
    return (int64_t)a > (int64_t)b ? a : b;
}
static uint64_t ref_maxu(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}
static uint64_t ref_min(uint64_t a, uint64_t b)
{
    return (int64_t)a < (int64_t)b ? a : b;
}
static uint64_t ref_minu(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}
static uint64_t ref_rol(uint64_t a, uint64_t b)
{
    return rotl64(a, (unsigned)b);
}
static uint64_t ref_ror(uint64_t a, uint64_t b)
{
    return rotl64(a, 64 - (unsigned)(b & 63));
}
static uint64_t ref_rolw(uint64_t a, uint64_t b)
{
    return sext32(rotl32((uint32_t)a, (unsigned)b));
}

static uint64_t ref_rorw(uint64_t a, uint64_t b)
{
    return sext32(rotl32((uint32_t)a, 32 - (unsigned)(b & 31)));
}

static uint64_t ref_bclr(uint64_t a, uint64_t b)
{
    return a & ~(UINT64_C(1) << (b & 63));
}
static uint64_t ref_bext(uint64_t a, uint64_t b)
{
    return a >> (b & 63) & 1;
}
static uint64_t ref_binv(uint64_t a, uint64_t b)
{
    return a ^ UINT64_C(1) << (b & 63);
}
static uint64_t ref_bset(uint64_t a, uint64_t b)
{
    return a | UINT64_C(1) << (b & 63);
}

static uint64_t ref_addi(uint64_t a, uint64_t imm)
{
    return a + imm;
}
static uint64_t ref_slti(uint64_t a, uint64_t imm)
{
    return (int64_t)a < (int64_t)imm;
}
static uint64_t ref_sltiu(uint64_t a, uint64_t imm)
{
    return a < imm;
}
static uint64_t ref_xori(uint64_t a, uint64_t imm)
{
    return a ^ imm;
}
static uint64_t ref_ori(uint64_t a, uint64_t imm)
{
    return a | imm;
}
static uint64_t ref_andi(uint64_t a, uint64_t imm)
{
    return a & imm;
}
static uint64_t ref_slli(uint64_t a, uint64_t imm)
{
    return a << imm;
}
static uint64_t ref_srli(uint64_t a, uint64_t imm)
{
    return a >> imm;
}
static uint64_t ref_srai(uint64_t a, uint64_t imm)
{
    return (uint64_t)((int64_t)a >> imm);
}
static uint64_t ref_addiw(uint64_t a, uint64_t imm)
{
    return sext32(a + imm);
}
static uint64_t ref_slliw(uint64_t a, uint64_t imm)
{
    return sext32((uint32_t)a << imm);
}
static uint64_t ref_srliw(uint64_t a, uint64_t imm)
{
    return sext32((uint32_t)a >> imm);
}
static uint64_t ref_sraiw(uint64_t a, uint64_t imm)
{
    return sext32((uint32_t)((int32_t)a >> imm));
}
static uint64_t ref_slli_uw(uint64_t a, uint64_t imm)
{
    return (uint64_t)(uint32_t)a << imm;
}
static uint64_t ref_rori(uint64_t a, uint64_t imm)
{
    return ref_ror(a, imm);
}
static uint64_t ref_roriw(uint64_t a, uint64_t imm)
{
    return ref_rorw(a, imm);
}
static uint64_t ref_bclri(uint64_t a, uint64_t imm)
{
    return ref_bclr(a, imm);
}
static uint64_t ref_bexti(uint64_t a, uint64_t imm)
{
    return ref_bext(a, imm);
}
static uint64_t ref_binvi(uint64_t a, uint64_t imm)
{
    return ref_binv(a, imm);
}
static uint64_t ref_bseti(uint64_t a, uint64_t imm)
{
    return ref_bset(a, imm);
}
static uint64_t ref_clz(uint64_t a, uint64_t imm)
{
    return a ? (uint64_t)__builtin_clzll(a) : 64;
}
static uint64_t ref_ctz(uint64_t a, uint64_t imm)
{
    return a ? (uint64_t)__builtin_ctzll(a) : 64;
}
static uint64_t ref_cpop(uint64_t a, uint64_t imm)
{
    return (uint64_t)__builtin_popcountll(a);
}
static uint64_t ref_clzw(uint64_t a, uint64_t imm)
{
    return (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32;
}
static uint64_t ref_ctzw(uint64_t a, uint64_t imm)
{
    return (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32;
}
static uint64_t ref_cpopw(uint64_t a, uint64_t imm)
{
    return (uint64_t)__builtin_popcount((uint32_t)a);
}
static uint64_t ref_sext_b(uint64_t a, uint64_t imm)
{
    return (uint64_t)(int64_t)(int8_t)a;
}
static uint64_t ref_sext_h(uint64_t a, uint64_t imm)
{
    return (uint64_t)(int64_t)(int16_t)a;
}
static uint64_t ref_zext_h(uint64_t a, uint64_t imm)
{
    return (uint16_t)a;
}
static uint64_t ref_rev8(uint64_t a, uint64_t imm)
{
    return __builtin_bswap64(a);
}

static uint64_t ref_orc_b(uint64_t a, uint64_t imm)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += 8) {
        if (a >> i & 0xff) {
            r |= UINT64_C(0xff) << i;
        }
    }
    return r;
}

static const uint64_t edge_values[] = {
    0,
    1,
    2,
    31,
    32,
    63,
    69,
    UINT64_MAX,
    UINT64_MAX - 1,
    UINT64_C(0x7fffffffffffffff),
    UINT64_C(0x8000000000000000),
    UINT64_C(0x7fffffff),
    UINT64_C(0x80000000),
    UINT64_C(0xffffffff),
    UINT64_C(0x100000000),
    UINT64_C(0xffffffff80000000),
    UINT64_C(0x123456789abcdef0),
    UINT64_C(0xfedcba9876543210),
    UINT64_C(0x00ff00ff00000081),
    UINT64_C(0x8000000000000001),
};

typedef struct AluCase {
    uint32_t insn; /* with rd = x3, rs1 = x1 and, for register forms, rs2 = x2 */
    const char *text;
    RefFn *ref;
    int32_t imm;
} AluCase;

static const AluCase rr_cases[] = {
    {0x002081b3, "add x3, x1, x2", ref_add, 0},
    {0x402081b3, "sub x3, x1, x2", ref_sub, 0},
    {0x002091b3, "sll x3, x1, x2", ref_sll, 0},
    {0x0020a1b3, "slt x3, x1, x2", ref_slt, 0},
    {0x0020b1b3, "sltu x3, x1, x2", ref_sltu, 0},
    {0x0020c1b3, "xor x3, x1, x2", ref_xor, 0},
    {0x0020d1b3, "srl x3, x1, x2", ref_srl, 0},
    {0x4020d1b3, "sra x3, x1, x2", ref_sra, 0},
    {0x0020e1b3, "or x3, x1, x2", ref_or, 0},
    {0x0020f1b3, "and x3, x1, x2", ref_and, 0},
    {0x002081bb, "addw x3, x1, x2", ref_addw, 0},
    {0x402081bb, "subw x3, x1, x2", ref_subw, 0},
    {0x002091bb, "sllw x3, x1, x2", ref_sllw, 0},
    {0x0020d1bb, "srlw x3, x1, x2", ref_srlw, 0},
    {0x4020d1bb, "sraw x3, x1, x2", ref_sraw, 0},
    {0x022081b3, "mul x3, x1, x2", ref_mul, 0},
    {0x022091b3, "mulh x3, x1, x2", ref_mulh, 0},
    {0x0220a1b3, "mulhsu x3, x1, x2", ref_mulhsu, 0},
    {0x0220b1b3, "mulhu x3, x1, x2", ref_mulhu, 0},
    {0x0220c1b3, "div x3, x1, x2", ref_div, 0},
    {0x0220d1b3, "divu x3, x1, x2", ref_divu, 0},
    {0x0220e1b3, "rem x3, x1, x2", ref_rem, 0},
    {0x0220f1b3, "remu x3, x1, x2", ref_remu, 0},
    {0x022081bb, "mulw x3, x1, x2", ref_mulw, 0},
    {0x0220c1bb, "divw x3, x1, x2", ref_divw, 0},
    {0x0220d1bb, "divuw x3, x1, x2", ref_divuw, 0},
    {0x0220e1bb, "remw x3, x1, x2", ref_remw, 0},
    {0x0220f1bb, "remuw x3, x1, x2", ref_remuw, 0},
    {0x082081bb, "add.uw x3, x1, x2", ref_add_uw, 0},
    {0x2020a1b3, "sh1add x3, x1, x2", ref_sh1add, 0},
    {0x2020c1b3, "sh2add x3, x1, x2", ref_sh2add, 0},
    {0x2020e1b3, "sh3add x3, x1, x2", ref_sh3add, 0},
    {0x2020a1bb, "sh1add.uw x3, x1, x2", ref_sh1add_uw, 0},
    {0x2020c1bb, "sh2add.uw x3, x1, x2", ref_sh2add_uw, 0},
    {0x2020e1bb, "sh3add.uw x3, x1, x2", ref_sh3add_uw, 0},
    {0x4020f1b3, "andn x3, x1, x2", ref_andn, 0},
    {0x4020e1b3, "orn x3, x1, x2", ref_orn, 0},
    {0x4020c1b3, "xnor x3, x1, x2", ref_xnor, 0},
    {0x0a20e1b3, "max x3, x1, x2", ref_max, 0},
    {0x0a20f1b3, "maxu x3, x1, x2", ref_maxu, 0},
    {0x0a20c1b3, "min x3, x1, x2", ref_min, 0},
    {0x0a20d1b3, "minu x3, x1, x2", ref_minu, 0},
    {0x602091b3, "rol x3, x1, x2", ref_rol, 0},
    {0x6020d1b3, "ror x3, x1, x2", ref_ror, 0},
    {0x602091bb, "rolw x3, x1, x2", ref_rolw, 0},
    {0x6020d1bb, "rorw x3, x1, x2", ref_rorw, 0},
    {0x482091b3, "bclr x3, x1, x2", ref_bclr, 0},
    {0x4820d1b3, "bext x3, x1, x2", ref_bext, 0},
    {0x682091b3, "binv x3, x1, x2", ref_binv, 0},
    {0x282091b3, "bset x3, x1, x2", ref_bset, 0},
};

static const AluCase ri_cases[] = {
    {0x80008193, "addi x3, x1, -2048", ref_addi, -2048},
    {0xfff08193, "addi x3, x1, -1", ref_addi, -1},
    {0x00008193, "addi x3, x1, 0", ref_addi, 0},
    {0x00108193, "addi x3, x1, 1", ref_addi, 1},
    {0x7ff08193, "addi x3, x1, 2047", ref_addi, 2047},
    {0xfff0a193, "slti x3, x1, -1", ref_slti, -1},
    {0x0000a193, "slti x3, x1, 0", ref_slti, 0},
    {0x0050a193, "slti x3, x1, 5", ref_slti, 5},
    {0xfff0b193, "sltiu x3, x1, -1", ref_sltiu, -1},
    {0x0010b193, "sltiu x3, x1, 1", ref_sltiu, 1},
    {0x7ff0b193, "sltiu x3, x1, 2047", ref_sltiu, 2047},
    {0xfff0c193, "xori x3, x1, -1", ref_xori, -1},
    {0x5550c193, "xori x3, x1, 1365", ref_xori, 1365},
    {0x8000e193, "ori x3, x1, -2048", ref_ori, -2048},
    {0x5550e193, "ori x3, x1, 1365", ref_ori, 1365},
    {0x8000f193, "andi x3, x1, -2048", ref_andi, -2048},
    {0x0ff0f193, "andi x3, x1, 255", ref_andi, 255},
    {0xfff0f193, "andi x3, x1, -1", ref_andi, -1},
    {0x00009193, "slli x3, x1, 0", ref_slli, 0},
    {0x00109193, "slli x3, x1, 1", ref_slli, 1},
    {0x01f09193, "slli x3, x1, 31", ref_slli, 31},
    {0x02009193, "slli x3, x1, 32", ref_slli, 32},
    {0x03f09193, "slli x3, x1, 63", ref_slli, 63},
    {0x0000d193, "srli x3, x1, 0", ref_srli, 0},
    {0x0010d193, "srli x3, x1, 1", ref_srli, 1},
    {0x01f0d193, "srli x3, x1, 31", ref_srli, 31},
    {0x0200d193, "srli x3, x1, 32", ref_srli, 32},
    {0x03f0d193, "srli x3, x1, 63", ref_srli, 63},
    {0x4000d193, "srai x3, x1, 0", ref_srai, 0},
    {0x4010d193, "srai x3, x1, 1", ref_srai, 1},
    {0x41f0d193, "srai x3, x1, 31", ref_srai, 31},
    {0x4200d193, "srai x3, x1, 32", ref_srai, 32},
    {0x43f0d193, "srai x3, x1, 63", ref_srai, 63},
    {0x8000819b, "addiw x3, x1, -2048", ref_addiw, -2048},
    {0xfff0819b, "addiw x3, x1, -1", ref_addiw, -1},
    {0x0000819b, "addiw x3, x1, 0", ref_addiw, 0},
    {0x7ff0819b, "addiw x3, x1, 2047", ref_addiw, 2047},
    {0x0000919b, "slliw x3, x1, 0", ref_slliw, 0},
    {0x0010919b, "slliw x3, x1, 1", ref_slliw, 1},
    {0x0100919b, "slliw x3, x1, 16", ref_slliw, 16},
    {0x01f0919b, "slliw x3, x1, 31", ref_slliw, 31},
    {0x0000d19b, "srliw x3, x1, 0", ref_srliw, 0},
    {0x0010d19b, "srliw x3, x1, 1", ref_srliw, 1},
    {0x0100d19b, "srliw x3, x1, 16", ref_srliw, 16},
    {0x01f0d19b, "srliw x3, x1, 31", ref_srliw, 31},
    {0x4000d19b, "sraiw x3, x1, 0", ref_sraiw, 0},
    {0x4010d19b, "sraiw x3, x1, 1", ref_sraiw, 1},
    {0x4100d19b, "sraiw x3, x1, 16", ref_sraiw, 16},
    {0x41f0d19b, "sraiw x3, x1, 31", ref_sraiw, 31},
    {0x0800919b, "slli.uw x3, x1, 0", ref_slli_uw, 0},
    {0x0810919b, "slli.uw x3, x1, 1", ref_slli_uw, 1},
    {0x09f0919b, "slli.uw x3, x1, 31", ref_slli_uw, 31},
    {0x0a00919b, "slli.uw x3, x1, 32", ref_slli_uw, 32},
    {0x0a10919b, "slli.uw x3, x1, 33", ref_slli_uw, 33},
    {0x0bf0919b, "slli.uw x3, x1, 63", ref_slli_uw, 63},
    {0x6000d193, "rori x3, x1, 0", ref_rori, 0},
    {0x6010d193, "rori x3, x1, 1", ref_rori, 1},
    {0x6200d193, "rori x3, x1, 32", ref_rori, 32},
    {0x63f0d193, "rori x3, x1, 63", ref_rori, 63},
    {0x6000d19b, "roriw x3, x1, 0", ref_roriw, 0},
    {0x6010d19b, "roriw x3, x1, 1", ref_roriw, 1},
    {0x6100d19b, "roriw x3, x1, 16", ref_roriw, 16},
    {0x61f0d19b, "roriw x3, x1, 31", ref_roriw, 31},
    {0x48009193, "bclri x3, x1, 0", ref_bclri, 0},
    {0x49f09193, "bclri x3, x1, 31", ref_bclri, 31},
    {0x4bf09193, "bclri x3, x1, 63", ref_bclri, 63},
    {0x4800d193, "bexti x3, x1, 0", ref_bexti, 0},
    {0x49f0d193, "bexti x3, x1, 31", ref_bexti, 31},
    {0x4bf0d193, "bexti x3, x1, 63", ref_bexti, 63},
    {0x68009193, "binvi x3, x1, 0", ref_binvi, 0},
    {0x68509193, "binvi x3, x1, 5", ref_binvi, 5},
    {0x6bf09193, "binvi x3, x1, 63", ref_binvi, 63},
    {0x28009193, "bseti x3, x1, 0", ref_bseti, 0},
    {0x2a009193, "bseti x3, x1, 32", ref_bseti, 32},
    {0x2bf09193, "bseti x3, x1, 63", ref_bseti, 63},
    {0x60009193, "clz x3, x1", ref_clz, 0},
    {0x60109193, "ctz x3, x1", ref_ctz, 0},
    {0x60209193, "cpop x3, x1", ref_cpop, 0},
    {0x6000919b, "clzw x3, x1", ref_clzw, 0},
    {0x6010919b, "ctzw x3, x1", ref_ctzw, 0},
    {0x6020919b, "cpopw x3, x1", ref_cpopw, 0},
    {0x60409193, "sext.b x3, x1", ref_sext_b, 0},
    {0x60509193, "sext.h x3, x1", ref_sext_h, 0},
    {0x0800c1bb, "zext.h x3, x1", ref_zext_h, 0},
    {0x2870d193, "orc.b x3, x1", ref_orc_b, 0},
    {0x6b80d193, "rev8 x3, x1", ref_rev8, 0},
};

/* The register fields an instruction is rewritten with: aliasing and x0 both ways. */
static const RegChoice rr_choices[] = {
    {3, 1, 2}, {1, 1, 2}, {2, 1, 2}, {3, 1, 1}, {3, 0, 2}, {3, 1, 0}, {0, 1, 2},
};

static const RegChoice ri_choices[] = {
    {3, 1, 0},
    {1, 1, 0},
    {3, 0, 0},
    {0, 1, 0},
};

/* Runs one instruction (and an ecall) on every pair of edge values. */
static void check_alu_case(Machine *m, const AluCase *c, const RegChoice *r, bool has_rs2)
{
    uint32_t code[2] = {with_regs(c->insn, r, has_rs2), ECALL};
    uint64_t at = put_code(m, code, 2);
    g_autofree char *what = g_strdup_printf("%s as rd x%u, rs1 x%u, rs2 x%u", c->text, r->rd,
                                            r->rs1, has_rs2 ? r->rs2 : 0);
    for (size_t i = 0; i < G_N_ELEMENTS(edge_values); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(edge_values); j++) {
            uint64_t want[4] = {0, edge_values[i], edge_values[j], SENTINEL};
            uint64_t a = want[r->rs1];
            uint64_t b = has_rs2 ? want[r->rs2] : (uint64_t)(int64_t)c->imm;
            memcpy(m->env->gpr, want, sizeof(want));
            want[r->rd] = c->ref(a, b);
            want[0] = 0;
            g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
            g_assert_cmphex(m->env->pc, ==, at + 4);
            if (!check_regs(m, want, what, edge_values[i], edge_values[j])) {
                return;
            }
        }
    }
}

static void test_alu_rr(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(rr_cases); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(rr_choices); k++) {
            check_alu_case(m, &rr_cases[i], &rr_choices[k], true);
        }
    }
    machine_free(m);
}

static void test_alu_imm(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(ri_cases); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(ri_choices); k++) {
            check_alu_case(m, &ri_cases[i], &ri_choices[k], false);
        }
    }
    machine_free(m);
}

static void test_lui_auipc(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0x00000197, /* auipc x3, 0 */
        0xfffff217, /* auipc x4, 0xfffff */
        0x800002b7, /* lui x5, 0x80000 */
        0x7ffff337, /* lui x6, 0x7ffff */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->gpr[3], ==, at);
    g_assert_cmphex(m->env->gpr[4], ==, at + 4 - 0x1000);
    g_assert_cmphex(m->env->gpr[5], ==, UINT64_C(0xffffffff80000000));
    g_assert_cmphex(m->env->gpr[6], ==, UINT64_C(0x7ffff000));
    machine_free(m);
}

enum { COND_EQ, COND_NE, COND_LT, COND_GE, COND_LTU, COND_GEU };

static bool cond_holds(int cond, uint64_t a, uint64_t b)
{
    switch (cond) {
    case COND_EQ: return a == b;
    case COND_NE: return a != b;
    case COND_LT: return (int64_t)a < (int64_t)b;
    case COND_GE: return (int64_t)a >= (int64_t)b;
    case COND_LTU: return a < b;
    default: return a >= b;
    }
}

static const struct {
    uint32_t insn;
    const char *text;
    int cond;
} branch_cases[] = {
    {0x00208663, "beq x1, x2, 12", COND_EQ},   {0x00209663, "bne x1, x2, 12", COND_NE},
    {0x0020c663, "blt x1, x2, 12", COND_LT},   {0x0020d663, "bge x1, x2, 12", COND_GE},
    {0x0020e663, "bltu x1, x2, 12", COND_LTU}, {0x0020f663, "bgeu x1, x2, 12", COND_GEU},
};

static void test_branches(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(branch_cases); i++) {
        const uint32_t code[] = {
            branch_cases[i].insn, /* bxx x1, x2, 12 */
            0x00100193,           /* addi x3, x0, 1 */
            ECALL,
            0x00200193, /* addi x3, x0, 2 */
            ECALL,
        };
        uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
        for (size_t j = 0; j < G_N_ELEMENTS(edge_values); j++) {
            for (size_t k = 0; k < G_N_ELEMENTS(edge_values); k++) {
                uint64_t a = edge_values[j], b = edge_values[k];
                bool taken = cond_holds(branch_cases[i].cond, a, b);
                m->env->gpr[1] = a;
                m->env->gpr[2] = b;
                g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
                g_assert_cmphex(m->env->pc, ==, at + (taken ? 16 : 8));
                g_assert_cmpuint(m->env->gpr[3], ==, taken ? 2 : 1);
            }
        }
    }
    machine_free(m);
}

static void fill_data(Machine *m)
{
    for (unsigned i = 0; i < DATA_SIZE; i++) {
        m->mem[DATA + i] = (uint8_t)(i * 0x9d + 0x80);
    }
}

/* What a load of mo at addr gives, read from the test's memory in C. */
static uint64_t ref_load(const Machine *m, uint64_t addr, MemOp mo)
{
    uint64_t v = 0;
    unsigned size = memop_size(mo);
    for (unsigned k = 0; k < size; k++) {
        v |= (uint64_t)m->mem[addr + k] << 8 * k;
    }
    if ((mo & MO_SIGN) && size < 8) {
        unsigned shift = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << shift) >> shift);
    }
    return v;
}

static const struct {
    uint32_t insn;
    const char *text;
    MemOp mo;
    int offset;
} load_cases[] = {
    {0xffd08183, "lb x3, -3(x1)", MO_SB, -3},  {0x00008183, "lb x3, 0(x1)", MO_SB, 0},
    {0x00508183, "lb x3, 5(x1)", MO_SB, 5},    {0xffd09183, "lh x3, -3(x1)", MO_SW, -3},
    {0x00009183, "lh x3, 0(x1)", MO_SW, 0},    {0x00509183, "lh x3, 5(x1)", MO_SW, 5},
    {0xffd0a183, "lw x3, -3(x1)", MO_SL, -3},  {0x0000a183, "lw x3, 0(x1)", MO_SL, 0},
    {0x0050a183, "lw x3, 5(x1)", MO_SL, 5},    {0xffd0b183, "ld x3, -3(x1)", MO_UQ, -3},
    {0x0000b183, "ld x3, 0(x1)", MO_UQ, 0},    {0x0050b183, "ld x3, 5(x1)", MO_UQ, 5},
    {0xffd0c183, "lbu x3, -3(x1)", MO_UB, -3}, {0x0000c183, "lbu x3, 0(x1)", MO_UB, 0},
    {0x0050c183, "lbu x3, 5(x1)", MO_UB, 5},   {0xffd0d183, "lhu x3, -3(x1)", MO_UW, -3},
    {0x0000d183, "lhu x3, 0(x1)", MO_UW, 0},   {0x0050d183, "lhu x3, 5(x1)", MO_UW, 5},
    {0xffd0e183, "lwu x3, -3(x1)", MO_UL, -3}, {0x0000e183, "lwu x3, 0(x1)", MO_UL, 0},
    {0x0050e183, "lwu x3, 5(x1)", MO_UL, 5},
};

static const struct {
    uint32_t insn;
    const char *text;
    unsigned size;
    int offset;
} store_cases[] = {
    {0xfe208ea3, "sb x2, -3(x1)", 1, -3}, {0x00208023, "sb x2, 0(x1)", 1, 0},
    {0x002083a3, "sb x2, 7(x1)", 1, 7},   {0xfe209ea3, "sh x2, -3(x1)", 2, -3},
    {0x00209023, "sh x2, 0(x1)", 2, 0},   {0x002093a3, "sh x2, 7(x1)", 2, 7},
    {0xfe20aea3, "sw x2, -3(x1)", 4, -3}, {0x0020a023, "sw x2, 0(x1)", 4, 0},
    {0x0020a3a3, "sw x2, 7(x1)", 4, 7},   {0xfe20bea3, "sd x2, -3(x1)", 8, -3},
    {0x0020b023, "sd x2, 0(x1)", 8, 0},   {0x0020b3a3, "sd x2, 7(x1)", 8, 7},
};

/* Loads at every alignment, with their sign or zero extension. */
static void test_loads(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    fill_data(m);
    for (size_t i = 0; i < G_N_ELEMENTS(load_cases); i++) {
        uint32_t code[2] = {load_cases[i].insn, ECALL};
        uint64_t at = put_code(m, code, 2);
        for (uint64_t base = DATA + 16; base < DATA + 24; base++) {
            m->env->gpr[1] = base;
            g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
            g_assert_cmphex(m->env->gpr[3], ==,
                            ref_load(m, base + load_cases[i].offset, load_cases[i].mo));
        }
    }
    machine_free(m);
}

static void test_stores(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    const uint64_t value = UINT64_C(0x8877665544332211);
    for (size_t i = 0; i < G_N_ELEMENTS(store_cases); i++) {
        uint32_t code[2] = {store_cases[i].insn, ECALL};
        uint64_t at = put_code(m, code, 2);
        for (uint64_t base = DATA + 16; base < DATA + 24; base++) {
            uint8_t want[64] = {0};
            uint64_t addr = base + store_cases[i].offset;
            for (unsigned k = 0; k < store_cases[i].size; k++) {
                want[addr - DATA + k] = (uint8_t)(value >> 8 * k);
            }
            memset(m->mem + DATA, 0, sizeof(want));
            m->env->gpr[1] = base;
            m->env->gpr[2] = value;
            g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
            g_assert_cmpmem(m->mem + DATA, sizeof(want), want, sizeof(want));
        }
    }
    machine_free(m);
}

typedef struct CompressedCase {
    uint16_t insn;
    uint32_t expanded;
    const char *text;
    bool memory; /* uses x2 or x8..x15 as an address */
} CompressedCase;

static const CompressedCase compressed_cases[] = {
    {0x0020, 0x00810413, "c.addi4spn x8, x2, 8", 0},
    {0x1ffc, 0x3fc10793, "c.addi4spn x15, x2, 1020", 0},
    {0x4044, 0x00442483, "c.lw x9, 4(x8)", 1},
    {0x5ffc, 0x07c7a783, "c.lw x15, 124(x15)", 1},
    {0x6504, 0x00853483, "c.ld x9, 8(x10)", 1},
    {0x7c60, 0x0f843403, "c.ld x8, 248(x8)", 1},
    {0xc024, 0x04942023, "c.sw x9, 64(x8)", 1},
    {0xff7c, 0x0ef73c23, "c.sd x15, 248(x14)", 1},
    {0x0001, 0x00000013, "c.nop", 0},
    {0x1281, 0xfe028293, "c.addi x5, -32", 0},
    {0x0ffd, 0x01ff8f93, "c.addi x31, 31", 0},
    {0x32fd, 0xfff2829b, "c.addiw x5, -1", 0},
    {0x2301, 0x0003031b, "c.addiw x6, 0", 0},
    {0x5381, 0xfe000393, "c.li x7, -32", 0},
    {0x40fd, 0x01f00093, "c.li x1, 31", 0},
    {0x7101, 0xe0010113, "c.addi16sp x2, -512", 0},
    {0x617d, 0x1f010113, "c.addi16sp x2, 496", 0},
    {0x6285, 0x000012b7, "c.lui x5, 1", 0},
    {0x7281, 0xfffe02b7, "c.lui x5, 0xfffe0", 0},
    {0x6ffd, 0x0001ffb7, "c.lui x31, 31", 0},
    {0x8005, 0x00145413, "c.srli x8, 1", 0},
    {0x90fd, 0x03f4d493, "c.srli x9, 63", 0},
    {0x9501, 0x42055513, "c.srai x10, 32", 0},
    {0x95fd, 0x43f5d593, "c.srai x11, 63", 0},
    {0x9a01, 0xfe067613, "c.andi x12, -32", 0},
    {0x8abd, 0x00f6f693, "c.andi x13, 15", 0},
    {0x8c05, 0x40940433, "c.sub x8, x9", 0},
    {0x8d3d, 0x00f54533, "c.xor x10, x15", 0},
    {0x8dd1, 0x00c5e5b3, "c.or x11, x12", 0},
    {0x8ef9, 0x00e6f6b3, "c.and x13, x14", 0},
    {0x9f1d, 0x40f7073b, "c.subw x14, x15", 0},
    {0x9fa1, 0x008787bb, "c.addw x15, x8", 0},
    {0x0286, 0x00129293, "c.slli x5, 1", 0},
    {0x137e, 0x03f31313, "c.slli x6, 63", 0},
    {0x4282, 0x00012283, "c.lwsp x5, 0(x2)", 1},
    {0x537e, 0x0fc12303, "c.lwsp x6, 252(x2)", 1},
    {0x63a2, 0x00813383, "c.ldsp x7, 8(x2)", 1},
    {0x717e, 0x1f813103, "c.ldsp x2, 504(x2)", 1},
    {0x829a, 0x006002b3, "c.mv x5, x6", 0},
    {0x8f8a, 0x00200fb3, "c.mv x31, x2", 0},
    {0x929a, 0x006282b3, "c.add x5, x6", 0},
    {0x910a, 0x00210133, "c.add x2, x2", 0},
    {0xc016, 0x00512023, "c.swsp x5, 0(x2)", 1},
    {0xdffe, 0x0ff12e23, "c.swsp x31, 252(x2)", 1},
    {0xe41a, 0x00613423, "c.sdsp x6, 8(x2)", 1},
    {0xff8a, 0x1e213c23, "c.sdsp x2, 504(x2)", 1},
    {0x0040, 0x00410413, "c.addi4spn x8, x2, 4", 0},
    {0x0020, 0x00810413, "c.addi4spn x8, x2, 8", 0},
    {0x0800, 0x01010413, "c.addi4spn x8, x2, 16", 0},
    {0x1000, 0x02010413, "c.addi4spn x8, x2, 32", 0},
    {0x0080, 0x04010413, "c.addi4spn x8, x2, 64", 0},
    {0x0100, 0x08010413, "c.addi4spn x8, x2, 128", 0},
    {0x0200, 0x10010413, "c.addi4spn x8, x2, 256", 0},
    {0x0400, 0x20010413, "c.addi4spn x8, x2, 512", 0},
    {0x4044, 0x00442483, "c.lw x9, 4(x8)", 1},
    {0x4404, 0x00842483, "c.lw x9, 8(x8)", 1},
    {0x4804, 0x01042483, "c.lw x9, 16(x8)", 1},
    {0x5004, 0x02042483, "c.lw x9, 32(x8)", 1},
    {0x4024, 0x04042483, "c.lw x9, 64(x8)", 1},
    {0x6504, 0x00853483, "c.ld x9, 8(x10)", 1},
    {0x6904, 0x01053483, "c.ld x9, 16(x10)", 1},
    {0x7104, 0x02053483, "c.ld x9, 32(x10)", 1},
    {0x6124, 0x04053483, "c.ld x9, 64(x10)", 1},
    {0x6144, 0x08053483, "c.ld x9, 128(x10)", 1},
    {0xc244, 0x00962223, "c.sw x9, 4(x12)", 1},
    {0xc604, 0x00962423, "c.sw x9, 8(x12)", 1},
    {0xca04, 0x00962823, "c.sw x9, 16(x12)", 1},
    {0xd204, 0x02962023, "c.sw x9, 32(x12)", 1},
    {0xc224, 0x04962023, "c.sw x9, 64(x12)", 1},
    {0xe71c, 0x00f73423, "c.sd x15, 8(x14)", 1},
    {0xeb1c, 0x00f73823, "c.sd x15, 16(x14)", 1},
    {0xf31c, 0x02f73023, "c.sd x15, 32(x14)", 1},
    {0xe33c, 0x04f73023, "c.sd x15, 64(x14)", 1},
    {0xe35c, 0x08f73023, "c.sd x15, 128(x14)", 1},
    {0x0285, 0x00128293, "c.addi x5, 1", 0},
    {0x0289, 0x00228293, "c.addi x5, 2", 0},
    {0x0291, 0x00428293, "c.addi x5, 4", 0},
    {0x02a1, 0x00828293, "c.addi x5, 8", 0},
    {0x02c1, 0x01028293, "c.addi x5, 16", 0},
    {0x1281, 0xfe028293, "c.addi x5, -32", 0},
    {0x2285, 0x0012829b, "c.addiw x5, 1", 0},
    {0x2289, 0x0022829b, "c.addiw x5, 2", 0},
    {0x2291, 0x0042829b, "c.addiw x5, 4", 0},
    {0x22a1, 0x0082829b, "c.addiw x5, 8", 0},
    {0x22c1, 0x0102829b, "c.addiw x5, 16", 0},
    {0x3281, 0xfe02829b, "c.addiw x5, -32", 0},
    {0x4385, 0x00100393, "c.li x7, 1", 0},
    {0x4389, 0x00200393, "c.li x7, 2", 0},
    {0x4391, 0x00400393, "c.li x7, 4", 0},
    {0x43a1, 0x00800393, "c.li x7, 8", 0},
    {0x43c1, 0x01000393, "c.li x7, 16", 0},
    {0x5381, 0xfe000393, "c.li x7, -32", 0},
    {0x8a05, 0x00167613, "c.andi x12, 1", 0},
    {0x8a09, 0x00267613, "c.andi x12, 2", 0},
    {0x8a11, 0x00467613, "c.andi x12, 4", 0},
    {0x8a21, 0x00867613, "c.andi x12, 8", 0},
    {0x8a41, 0x01067613, "c.andi x12, 16", 0},
    {0x9a01, 0xfe067613, "c.andi x12, -32", 0},
    {0x6141, 0x01010113, "c.addi16sp x2, 16", 0},
    {0x6105, 0x02010113, "c.addi16sp x2, 32", 0},
    {0x6121, 0x04010113, "c.addi16sp x2, 64", 0},
    {0x6109, 0x08010113, "c.addi16sp x2, 128", 0},
    {0x6111, 0x10010113, "c.addi16sp x2, 256", 0},
    {0x7101, 0xe0010113, "c.addi16sp x2, -512", 0},
    {0x6285, 0x000012b7, "c.lui x5, 1", 0},
    {0x6289, 0x000022b7, "c.lui x5, 2", 0},
    {0x6291, 0x000042b7, "c.lui x5, 4", 0},
    {0x62a1, 0x000082b7, "c.lui x5, 8", 0},
    {0x62c1, 0x000102b7, "c.lui x5, 16", 0},
    {0x7281, 0xfffe02b7, "c.lui x5, 1048544", 0},
    {0x8005, 0x00145413, "c.srli x8, 1", 0},
    {0x8009, 0x00245413, "c.srli x8, 2", 0},
    {0x8011, 0x00445413, "c.srli x8, 4", 0},
    {0x8021, 0x00845413, "c.srli x8, 8", 0},
    {0x8041, 0x01045413, "c.srli x8, 16", 0},
    {0x9001, 0x02045413, "c.srli x8, 32", 0},
    {0x8505, 0x40155513, "c.srai x10, 1", 0},
    {0x8509, 0x40255513, "c.srai x10, 2", 0},
    {0x8511, 0x40455513, "c.srai x10, 4", 0},
    {0x8521, 0x40855513, "c.srai x10, 8", 0},
    {0x8541, 0x41055513, "c.srai x10, 16", 0},
    {0x9501, 0x42055513, "c.srai x10, 32", 0},
    {0x0286, 0x00129293, "c.slli x5, 1", 0},
    {0x028a, 0x00229293, "c.slli x5, 2", 0},
    {0x0292, 0x00429293, "c.slli x5, 4", 0},
    {0x02a2, 0x00829293, "c.slli x5, 8", 0},
    {0x02c2, 0x01029293, "c.slli x5, 16", 0},
    {0x1282, 0x02029293, "c.slli x5, 32", 0},
    {0x4312, 0x00412303, "c.lwsp x6, 4(x2)", 1},
    {0x4322, 0x00812303, "c.lwsp x6, 8(x2)", 1},
    {0x4342, 0x01012303, "c.lwsp x6, 16(x2)", 1},
    {0x5302, 0x02012303, "c.lwsp x6, 32(x2)", 1},
    {0x4306, 0x04012303, "c.lwsp x6, 64(x2)", 1},
    {0x430a, 0x08012303, "c.lwsp x6, 128(x2)", 1},
    {0x63a2, 0x00813383, "c.ldsp x7, 8(x2)", 1},
    {0x63c2, 0x01013383, "c.ldsp x7, 16(x2)", 1},
    {0x7382, 0x02013383, "c.ldsp x7, 32(x2)", 1},
    {0x6386, 0x04013383, "c.ldsp x7, 64(x2)", 1},
    {0x638a, 0x08013383, "c.ldsp x7, 128(x2)", 1},
    {0x6392, 0x10013383, "c.ldsp x7, 256(x2)", 1},
    {0xc216, 0x00512223, "c.swsp x5, 4(x2)", 1},
    {0xc416, 0x00512423, "c.swsp x5, 8(x2)", 1},
    {0xc816, 0x00512823, "c.swsp x5, 16(x2)", 1},
    {0xd016, 0x02512023, "c.swsp x5, 32(x2)", 1},
    {0xc096, 0x04512023, "c.swsp x5, 64(x2)", 1},
    {0xc116, 0x08512023, "c.swsp x5, 128(x2)", 1},
    {0xe41a, 0x00613423, "c.sdsp x6, 8(x2)", 1},
    {0xe81a, 0x00613823, "c.sdsp x6, 16(x2)", 1},
    {0xf01a, 0x02613023, "c.sdsp x6, 32(x2)", 1},
    {0xe09a, 0x04613023, "c.sdsp x6, 64(x2)", 1},
    {0xe11a, 0x08613023, "c.sdsp x6, 128(x2)", 1},
    {0xe21a, 0x10613023, "c.sdsp x6, 256(x2)", 1},
};

/* x2 and x8..x15 address the data; the others hold edge values. */
static void set_pointer_regs(Machine *m)
{
    for (unsigned i = 1; i < 32; i++) {
        m->env->gpr[i] = edge_values[i % G_N_ELEMENTS(edge_values)];
    }
    m->env->gpr[2] = DATA + 0x800;
    for (unsigned i = 8; i < 16; i++) {
        m->env->gpr[i] = DATA + 0x100 * (i - 8);
    }
}

static void set_edge_regs(Machine *m)
{
    for (unsigned i = 1; i < 32; i++) {
        m->env->gpr[i] = edge_values[(i * 7) % G_N_ELEMENTS(edge_values)];
    }
}

/* Runs code at `at` from the given start state; returns its registers and data. */
static void run_snapshot(Machine *m, uint64_t at, unsigned len, void (*set_regs)(Machine *),
                         uint64_t *regs, uint8_t *data)
{
    fill_data(m);
    set_regs(m);
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + len);
    memcpy(regs, m->env->gpr, sizeof(m->env->gpr));
    memcpy(data, m->mem + DATA, DATA_SIZE);
}

static void check_compressed_case(Machine *m, const CompressedCase *c, void (*set_regs)(Machine *))
{
    uint64_t regs_c[32], regs_e[32];
    g_autofree uint8_t *data_c = g_malloc(DATA_SIZE);
    g_autofree uint8_t *data_e = g_malloc(DATA_SIZE);
    uint32_t code_c[2] = {c->insn, ECALL};
    uint32_t code_e[2] = {c->expanded, ECALL};
    run_snapshot(m, put_code(m, code_c, 2), 2, set_regs, regs_c, data_c);
    run_snapshot(m, put_code(m, code_e, 2), 4, set_regs, regs_e, data_e);
    for (unsigned i = 0; i < 32; i++) {
        if (regs_c[i] != regs_e[i]) {
            g_test_fail_printf("%s: x%u = %#" PRIx64 ", its expansion gives %#" PRIx64, c->text, i,
                               regs_c[i], regs_e[i]);
        }
    }
    if (memcmp(data_c, data_e, DATA_SIZE) != 0) {
        g_test_fail_printf("%s: memory differs from its expansion's", c->text);
    }
}

/* Each compressed instruction does what its 32-bit expansion does. */
static void test_compressed(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(compressed_cases); i++) {
        check_compressed_case(m, &compressed_cases[i], set_pointer_regs);
        if (!compressed_cases[i].memory) {
            check_compressed_case(m, &compressed_cases[i], set_edge_regs);
        }
    }
    machine_free(m);
}

void riscv_alu_tests_add(const TCGBackendOps *ops)
{
    riscv_test_add(ops, "alu-rr", test_alu_rr);
    riscv_test_add(ops, "alu-imm", test_alu_imm);
    riscv_test_add(ops, "lui-auipc", test_lui_auipc);
    riscv_test_add(ops, "branches", test_branches);
    riscv_test_add(ops, "loads", test_loads);
    riscv_test_add(ops, "stores", test_stores);
    riscv_test_add(ops, "compressed", test_compressed);
}

// Integer edge cases a translator gets wrong: overflowing division, shifts by 63, wraparound,
// widening multiplies, sign/zero extension. Every operand goes through a volatile so the
// compiler emits the guest instruction instead of folding it. Prints one line per case,
// "name value ok|FAIL(want)", and exits 1 if any case is wrong. Division by zero is left out.
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static int failures;

static void check(const char *name, uint64_t got, uint64_t want)
{
    if (got == want) {
        printf("%-22s 0x%016" PRIx64 " ok\n", name, got);
    } else {
        printf("%-22s 0x%016" PRIx64 " FAIL(want 0x%016" PRIx64 ")\n", name, got, want);
        failures++;
    }
}

int main(void)
{
    volatile int64_t s64_min = INT64_MIN, s64_m1 = -1, s64_m7 = -7, s64_2 = 2;
    volatile int32_t s32_min = INT32_MIN, s32_m1 = -1;
    volatile uint64_t u64_max = UINT64_MAX, u64_1 = 1, u64_3 = 3;
    volatile uint32_t u32_max = UINT32_MAX, u32_0 = 0;
    volatile int sh63 = 63, sh31 = 31;
    volatile uint32_t u32_sign = 0x80000000u;
    volatile uint8_t u8_ff = 0xff;

    // Undefined in C, but defined by both guest ISAs (RISC-V div/rem, AArch64 sdiv/msub):
    // the quotient is the dividend and the remainder 0.
    check("s64 min / -1", (uint64_t)(s64_min / s64_m1), (uint64_t)INT64_MIN);
    check("s64 min % -1", (uint64_t)(s64_min % s64_m1), 0);
    check("s32 min / -1", (uint64_t)(int64_t)(s32_min / s32_m1), (uint64_t)(int64_t)INT32_MIN);
    check("s32 min % -1", (uint64_t)(int64_t)(s32_min % s32_m1), 0);
    check("-7 / 2", (uint64_t)(s64_m7 / s64_2), (uint64_t)-3);
    check("-7 % 2", (uint64_t)(s64_m7 % s64_2), (uint64_t)-1);
    check("u64 max / 3", u64_max / u64_3, 0x5555555555555555u);

    check("1 << 63", u64_1 << sh63, 0x8000000000000000u);
    check("s64 min >> 63", (uint64_t)(s64_min >> sh63), UINT64_MAX);
    check("u64 max >> 63", u64_max >> sh63, 1);
    check("s32 min >> 31", (uint64_t)(int64_t)(s32_min >> sh31), UINT64_MAX);
    check("u32 max >> 31", u32_max >> sh31, 1);

    check("u64 max + 1", u64_max + u64_1, 0);
    check("u32 0 - 1", u32_0 - 1u, 0xffffffffu);
    check("u32 max * max", (uint32_t)(u32_max * u32_max), 1);
    check("u64 max * max", u64_max * u64_max, 1);
    check("umulh max * max", (uint64_t)(((unsigned __int128)u64_max * u64_max) >> 64),
          0xfffffffffffffffeu);
    check("smulh min * min", (uint64_t)(((__int128)s64_min * s64_min) >> 64),
          0x4000000000000000u);
    check("smulh min * -1", (uint64_t)(((__int128)s64_min * s64_m1) >> 64), 0);

    check("sext32 0x80000000", (uint64_t)(int64_t)(int32_t)u32_sign, 0xffffffff80000000u);
    check("zext32 0x80000000", (uint64_t)u32_sign, 0x0000000080000000u);
    check("sext8 0xff", (uint64_t)(int64_t)(int8_t)u8_ff, UINT64_MAX);

    printf("int-edge: %s (%d failed)\n", failures ? "FAIL" : "all ok", failures);
    return failures ? 1 : 0;
}

/*
 * bench-tcg-ir: how fast the translator's backends run IR, against the same computation
 * compiled natively. Three kernels, each one TB holding a loop of about 10^9 IR ops in
 * all: an ALU mix, a guest-memory mix and a branchy one. Prints a table of times and
 * ratios; it is a measurement, not a test.
 *
 *     build/bench/bench-tcg-ir [--scale F] [--interp-scale F]
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tcg/backend.h"
#include "tcg/tb.h"
#include "tcg/tcg-op.h"
#include "vmcore/log.h"

#define MEM_WORDS (1u << 16)
#define NREGS     8

typedef struct BenchEnv {
    uint64_t r[NREGS];
} BenchEnv;

typedef struct Kernel {
    const char *name;
    unsigned ops_per_iter; /* IR ops per iteration, loop control included */
    void (*gen)(TCGContext *s, TCGv *r);
    uint64_t (*native)(uint64_t iters, uint64_t *mem);
} Kernel;

/* r0..r3 state, r4 the iteration counter. */
static void gen_alu(TCGContext *s, TCGv *r)
{
    TCGv t = tcg_temp_new_i64(s);
    tcg_gen_muli(s, r[0], r[0], 0x9e3779b97f4a7c15ll);
    tcg_gen_add(s, r[0], r[0], r[1]);
    tcg_gen_shri(s, t, r[0], 7);
    tcg_gen_xor(s, r[1], r[1], t);
    tcg_gen_rotli(s, r[2], r[2], 13);
    tcg_gen_add(s, r[2], r[2], r[0]);
    tcg_gen_andi(s, t, r[2], 0xffff);
    tcg_gen_sub(s, r[3], r[3], t);
    tcg_gen_shli(s, t, r[3], 3);
    tcg_gen_add(s, r[0], r[0], t);
    tcg_gen_shri(s, t, r[2], 11);
    tcg_gen_or(s, r[1], r[1], t);
    tcg_gen_not(s, t, r[1]);
    tcg_gen_add(s, r[3], r[3], t);
}

static uint64_t native_alu(uint64_t iters, uint64_t *mem)
{
    uint64_t a = 1, b = 2, c = 3, d = 4;
    for (uint64_t i = iters; i != 0; i--) {
        a = a * 0x9e3779b97f4a7c15ull + b;
        b ^= a >> 7;
        c = ((c << 13) | (c >> 51)) + a;
        d -= c & 0xffff;
        a += d << 3;
        b |= c >> 11;
        d += ~b;
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
    }
    return a ^ b ^ c ^ d;
}

/* r0 the running sum, r5 an index walking the buffer with a stride. */
static void gen_mem(TCGContext *s, TCGv *r)
{
    TCGv addr = tcg_temp_new_i64(s), v = tcg_temp_new_i64(s);
    tcg_gen_addi(s, r[5], r[5], 17 * 8);
    tcg_gen_andi(s, addr, r[5], (MEM_WORDS - 1) * 8);
    tcg_gen_guest_ld(s, v, addr, 0, MO_UQ);
    tcg_gen_add(s, v, v, r[4]);
    tcg_gen_guest_st(s, v, addr, 0, MO_UQ);
    tcg_gen_add(s, r[0], r[0], v);
}

static uint64_t native_mem(uint64_t iters, uint64_t *mem)
{
    uint64_t sum = 0, idx = 0;
    for (uint64_t i = iters; i != 0; i--) {
        idx += 17 * 8;
        uint64_t *p = (uint64_t *)((char *)mem + (idx & ((MEM_WORDS - 1) * 8)));
        uint64_t v = *p + i;
        *p = v;
        sum += v;
        __asm__ volatile("" : "+r"(sum), "+r"(idx));
    }
    return sum;
}

/* A Collatz walk in r0, restarting from r1++ when it reaches 1; r2 counts odd steps. */
static void gen_branchy(TCGContext *s, TCGv *r)
{
    TCGLabel *even = tcg_new_label(s), *next = tcg_new_label(s), *done = tcg_new_label(s);
    TCGv t = tcg_temp_new_i64(s);
    tcg_gen_brcondi(s, TCG_COND_TSTEQ, r[0], 1, even);
    tcg_gen_add(s, t, r[0], r[0]);
    tcg_gen_add(s, r[0], r[0], t);
    tcg_gen_addi(s, r[0], r[0], 1);
    tcg_gen_addi(s, r[2], r[2], 1);
    tcg_gen_br(s, next);
    tcg_gen_set_label(s, even);
    tcg_gen_shri(s, r[0], r[0], 1);
    tcg_gen_set_label(s, next);
    tcg_gen_brcondi(s, TCG_COND_NE, r[0], 1, done);
    tcg_gen_addi(s, r[1], r[1], 1);
    tcg_gen_mov(s, r[0], r[1]);
    tcg_gen_set_label(s, done);
}

static uint64_t native_branchy(uint64_t iters, uint64_t *mem)
{
    uint64_t x = 27, seed = 27, odd = 0;
    for (uint64_t i = iters; i != 0; i--) {
        if (x & 1) {
            x = 3 * x + 1;
            odd++;
        } else {
            x >>= 1;
        }
        if (x == 1) {
            x = ++seed;
        }
        __asm__ volatile("" : "+r"(x), "+r"(seed), "+r"(odd));
    }
    return x ^ seed ^ odd;
}

static const Kernel kernels[] = {
    {"alu", 16, gen_alu, native_alu},
    {"memory", 8, gen_mem, native_mem},
    {"branchy", 8, gen_branchy, native_branchy},
};

typedef struct LoopArgs {
    const Kernel *k;
    TCGv r[NREGS];
} LoopArgs;

/* One TB: for (r4 = r7; r4 != 0; r4--) body; exit. */
static uint32_t gen_loop(TCGContext *s, void *opaque, uint64_t pc, uint64_t flags,
                         unsigned max_insns)
{
    LoopArgs *a = opaque;
    uint64_t words[1] = {pc};
    tcg_gen_insn_start(s, words);
    TCGLabel *top = tcg_new_label(s);
    tcg_gen_mov(s, a->r[4], a->r[7]);
    tcg_gen_set_label(s, top);
    a->k->gen(s, a->r);
    tcg_gen_subi(s, a->r[4], a->r[4], 1);
    tcg_gen_brcondi(s, TCG_COND_NE, a->r[4], 0, top);
    tcg_gen_exit_tb(s, 0);
    return 4;
}

static double now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

static double run_backend(const TCGBackendOps *ops, const Kernel *k, uint64_t iters, uint64_t *mem)
{
    g_autoptr(GError) err = NULL;
    TCGGuestMemory gm = {
        .model = TCG_MEM_USER, .guest_base = (uintptr_t)mem, .guest_limit = MEM_WORDS * 8};
    TCGCodeBuffer *cb = tcg_code_buffer_new(1 << 20, TCG_CB_AUTO, &err);
    TCGBackend *be = cb ? tcg_backend_new(ops, cb, &gm, &err) : NULL;
    if (!be) {
        g_error("bench: %s backend: %s", ops->name, err->message);
    }
    TBCache *tbs = tb_cache_new(be, 1);
    TCGContext *s = tcg_context_new(&gm, 1);
    LoopArgs args = {.k = k};
    static const char *const names[NREGS] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};
    for (int i = 0; i < NREGS; i++) {
        args.r[i] = tcg_global_mem_new(s, TCG_TYPE_I64, (int32_t)(i * 8), names[i]);
    }
    TranslationBlock *tb = tb_translate(tbs, NULL, s, 0x1000, 0, gen_loop, &args);
    BenchEnv env = {.r = {1, 2, 3, 4, 0, 0, 0, iters}};
    if (k->gen == gen_branchy) {
        env.r[0] = env.r[1] = 27;
        env.r[2] = 0;
    }
    double t0 = now();
    be->ops->exec(be, &env, (const void *)tb->tc);
    double t = now() - t0;
    tcg_context_free(s);
    tb_cache_free(tbs);
    tcg_backend_free(be);
    tcg_code_buffer_free(cb);
    return t;
}

int main(int argc, char **argv)
{
    double scale = 1.0, interp_scale = 0.05;
    GOptionEntry entries[] = {
        {"scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "Fraction of 10^9 IR ops to run", "F"},
        {"interp-scale", 0, 0, G_OPTION_ARG_DOUBLE, &interp_scale,
         "Fraction of that the interpreter runs (its time is scaled up)", "F"},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- IR loop benchmark");
    g_autoptr(GError) err = NULL;
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "bench-tcg-ir: %s\n", err->message);
        return 2;
    }
    log_init_from_env();
    uint64_t *mem = g_new0(uint64_t, MEM_WORDS + 512);
    printf("%-8s %12s %10s %10s %12s %9s %10s\n", "kernel", "iterations", "native s", "jit s",
           "interp s*", "jit/nat", "interp/nat");
    for (size_t i = 0; i < G_N_ELEMENTS(kernels); i++) {
        const Kernel *k = &kernels[i];
        uint64_t iters = (uint64_t)(1e9 * scale / k->ops_per_iter);
        uint64_t iters_interp = (uint64_t)(iters * interp_scale) + 1;
        double t0 = now();
        volatile uint64_t sink = k->native(iters, mem);
        double native = now() - t0;
        (void)sink;
        double jit = run_backend(&tcg_x86_64_backend, k, iters, mem);
        double interp = run_backend(&tcg_interp_backend, k, iters_interp, mem) *
                        ((double)iters / (double)iters_interp);
        printf("%-8s %12" PRIu64 " %10.3f %10.3f %12.3f %9.2f %10.2f\n", k->name, iters, native,
               jit, interp, jit / native, interp / native);
    }
    printf("* interpreter timed on a fraction of the iterations and scaled up\n");
    g_free(mem);
    return 0;
}

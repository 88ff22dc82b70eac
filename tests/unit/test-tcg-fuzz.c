/*
 * The translator's differential fuzzer. Seeded random IR programs (ir-random.h: every
 * value op with its undefined cases guarded, forward branches, counted loops, helper
 * calls with 0..6 arguments and every flag, host ld/st in env scratch, guest accesses of
 * every memop, now and then one that faults) run on the interpreter, the oracle
 * (harness_backends[0]), and on every other backend of the harness, from the same initial
 * state. They must end alike: the exit value, the globals, the env scratch and the guest
 * memory; or the same guest fault (address, access word, guest instruction) with the same
 * state at the fault. Odd seeds go through the optimizer, even seeds do not; odd seeds
 * also run unoptimized on the interpreter, against which optimizer bugs show (the
 * optimizer is shared by all backends, so comparing them cannot catch those).
 *
 * CI runs seeds [FUZZ_BASE_SEED, + PADDOCK_FUZZ_COUNT) (default 100000);
 * PADDOCK_FUZZ_SEED=S replays seed S alone and prints its IR (with PADDOCK_FUZZ_COUNT
 * too, it runs [S, S + COUNT), for longer runs off CI). A mismatch, a host signal
 * or a hang prints the seed, the IR before and after optimization, the initial state and
 * the fields that differ. A bug it finds gets a directed test here, under
 * /tcg/fuzz/regress/. /tcg/fuzz/generator-coverage and /tcg/fuzz/comparison check the
 * fuzzer itself: that its programs reach every op, memop, condition and helper, and that
 * a difference anywhere in the end state is seen.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcg/optimize.h"
#include "tests/unit/ir-random.h"
#include "tests/unit/tcg-harness.h"

#define FUZZ_BASE_SEED     0x7c0de000u
#define FUZZ_DEFAULT_COUNT 100000u
#define FUZZ_SCRATCH_WORDS 16 /* env->data[0..16): host ld/st and helper side effects */
#define FUZZ_HANG_SECONDS  10
#define FUZZ_STATE_SALT    0x9e3779b9u           /* the initial state's stream: seed ^ salt */
#define FUZZ_NB_GLOBALS64  (HARNESS_NB_REGS + 1) /* r0..r15, pc */

/* ---- helpers called by the programs; each does what its flags allow and no more ---- */

static uint64_t helper_const0(void)
{
    return UINT64_C(0x0123456789abcdef);
}

static uint32_t helper_mix1(uint32_t a)
{
    return (a * 0x9e3779b9u) ^ (a >> 15);
}

static uint64_t helper_mix2(uint64_t a, uint32_t b)
{
    return (a ^ b) * UINT64_C(0xff51afd7ed558ccd) + (a >> 29);
}

static uint32_t helper_mix3(uint32_t a, uint64_t b, uint32_t c)
{
    return a - (uint32_t)(b >> 7) * 3 + (c ^ 0x80000001u);
}

static uint64_t helper_mix5(uint64_t a, uint32_t b, uint64_t c, uint32_t d, uint64_t e)
{
    return a * 5 + b * UINT64_C(0x100000001) - (c >> 3) + ((uint64_t)d << 32) + (e ^ (e >> 31));
}

static uint64_t helper_mix6(uint32_t a, uint64_t b, uint32_t c, uint64_t d, uint32_t e, uint64_t f)
{
    return (uint64_t)a + (b << 1) + ((uint64_t)c << 33) + (d ^ f) * 7 + e;
}

/* Reads and writes globals. */
static void helper_poke(TestEnv *env, uint64_t v, uint32_t w)
{
    env->regs[0] ^= v;
    env->regs32[1] += w;
    env->pc += env->regs[5];
}

/* Reads and writes globals and scratch, six arguments. */
static uint64_t helper_rw6(TestEnv *env, uint64_t a, uint32_t b, uint64_t c, uint32_t d, uint64_t e)
{
    uint64_t old = env->regs[9];
    env->regs[9] = a + env->regs[10];
    env->regs32[4] ^= b + d;
    env->data[5] += c ^ e;
    return old;
}

/* Reads globals, writes none, no side effect. */
static uint64_t helper_peek(TestEnv *env)
{
    return env->regs[2] * 3 + env->regs32[3] + env->pc;
}

/* Reads globals and scratch, writes scratch. */
static uint64_t helper_peek_log(TestEnv *env, uint64_t a, uint32_t b, uint64_t c)
{
    env->data[3] += a;
    return env->regs[7] + env->regs32[6] + b + (c ^ env->data[2]);
}

/* Writes globals without reading any. */
static void helper_clobber(TestEnv *env, uint32_t v)
{
    env->regs32[2] = v;
    env->regs[6] = 0x1234;
}

/* Touches no global; a side effect on scratch. */
static void helper_log(TestEnv *env, uint64_t v, uint32_t w, uint64_t x)
{
    env->data[1] += v;
    env->data[4] ^= w;
    env->data[7] = x;
}

static const TCGHelperInfo info_const0 = {
    .name = "const0", .func = (void *)helper_const0, .flags = TCG_CALL_PURE, .ret = TCG_CALL_I64};
static const TCGHelperInfo info_mix1 = {.name = "mix1",
                                        .func = (void *)helper_mix1,
                                        .flags = TCG_CALL_PURE,
                                        .ret = TCG_CALL_I32,
                                        .args = {TCG_CALL_I32},
                                        .nargs = 1};
static const TCGHelperInfo info_mix2 = {.name = "mix2",
                                        .func = (void *)helper_mix2,
                                        .flags = TCG_CALL_PURE,
                                        .ret = TCG_CALL_I64,
                                        .args = {TCG_CALL_I64, TCG_CALL_I32},
                                        .nargs = 2};
static const TCGHelperInfo info_mix3 = {.name = "mix3",
                                        .func = (void *)helper_mix3,
                                        .flags = TCG_CALL_NO_RWG,
                                        .ret = TCG_CALL_I32,
                                        .args = {TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32},
                                        .nargs = 3};
static const TCGHelperInfo info_mix5 = {
    .name = "mix5",
    .func = (void *)helper_mix5,
    .flags = TCG_CALL_PURE,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 5};
static const TCGHelperInfo info_mix6 = {
    .name = "mix6",
    .func = (void *)helper_mix6,
    .flags = TCG_CALL_NO_RWG,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 6};
static const TCGHelperInfo info_poke = {.name = "poke",
                                        .func = (void *)helper_poke,
                                        .flags = 0,
                                        .ret = TCG_CALL_VOID,
                                        .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I32},
                                        .nargs = 3};
static const TCGHelperInfo info_rw6 = {
    .name = "rw6",
    .func = (void *)helper_rw6,
    .flags = 0,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 6};
static const TCGHelperInfo info_peek = {.name = "peek",
                                        .func = (void *)helper_peek,
                                        .flags =
                                            TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_SIDE_EFFECTS,
                                        .ret = TCG_CALL_I64,
                                        .args = {TCG_CALL_PTR},
                                        .nargs = 1};
static const TCGHelperInfo info_peek_log = {
    .name = "peek_log",
    .func = (void *)helper_peek_log,
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 4};
static const TCGHelperInfo info_clobber = {.name = "clobber",
                                           .func = (void *)helper_clobber,
                                           .flags = TCG_CALL_NO_READ_GLOBALS,
                                           .ret = TCG_CALL_VOID,
                                           .args = {TCG_CALL_PTR, TCG_CALL_I32},
                                           .nargs = 2};
static const TCGHelperInfo info_log = {
    .name = "log",
    .func = (void *)helper_log,
    .flags = TCG_CALL_NO_RWG,
    .ret = TCG_CALL_VOID,
    .args = {TCG_CALL_PTR, TCG_CALL_I64, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 4};

static const TCGHelperInfo *const fuzz_helpers[] = {
    &info_const0, &info_mix1, &info_mix2, &info_mix3,     &info_mix5,    &info_mix6,
    &info_poke,   &info_rw6,  &info_peek, &info_peek_log, &info_clobber, &info_log,
};

/* ---- one backend's bench ---- */

typedef struct FuzzSide {
    Harness *h;
    const char *name;
    bool unoptimized; /* the oracle without the optimizer, for optimized seeds only */
    bool active;      /* runs the current program */
    TCGv globals64[FUZZ_NB_GLOBALS64];
    IRRandomConfig cfg;
    IRRandom *gen;
    HarnessTB *tb;
} FuzzSide;

/* How a program ended on one backend. */
typedef struct Outcome {
    int signo; /* a host signal (or SIGALRM for a hang) instead of an end */
    bool faulted;
    uintptr_t exit;
    HarnessFault fault;
    int fault_insn; /* guest instruction of fault.retaddr */
} Outcome;

static void side_config(FuzzSide *fs)
{
    Harness *h = fs->h;
    memcpy(fs->globals64, h->r, sizeof(h->r));
    fs->globals64[HARNESS_NB_REGS] = h->pc;
    fs->cfg = (IRRandomConfig){
        .s = h->s,
        .globals = {[TCG_TYPE_I32] = h->w, [TCG_TYPE_I64] = fs->globals64},
        .nb_globals = {[TCG_TYPE_I32] = HARNESS_NB_REGS32, [TCG_TYPE_I64] = FUZZ_NB_GLOBALS64},
        .nb_locals = 8,
        .min_ops = 20,
        .max_ops = 60,
        .weights =
            {
                [IR_RANDOM_CONTROL] = 4,
                [IR_RANDOM_CALL] = 2,
                [IR_RANDOM_UNARY] = 3,
                [IR_RANDOM_CONVERSION] = 2,
                [IR_RANDOM_CONDITION] = 3,
                [IR_RANDOM_FIELD] = 2,
                [IR_RANDOM_MUL2] = 1,
                [IR_RANDOM_HOST_MEM] = 2,
                [IR_RANDOM_INSN_START] = 1,
                [IR_RANDOM_BINARY] = 8,
                [IR_RANDOM_LOOP] = 1,
                [IR_RANDOM_GUEST_MEM] = 4,
                [IR_RANDOM_EXIT] = 1,
                [IR_RANDOM_BARRIER] = 1,
            },
        .max_depth = IR_RANDOM_MAX_DEPTH,
        .max_trip = 4,
        .guard_undefined = true,
        .random_exits = true,
        .helpers = fuzz_helpers,
        .nb_helpers = G_N_ELEMENTS(fuzz_helpers),
        .host_offset = offsetof(TestEnv, data),
        .host_size = FUZZ_SCRATCH_WORDS * sizeof(uint64_t),
        .host_align = 1,
        .guest_lo = 0,
        .guest_hi = HARNESS_GUEST_SIZE,
        .guest_limit = HARNESS_GUEST_SIZE,
        .fault_permille = 15,
    };
}

/* Starts the TB and emits seed's program: an insn_start first, so that every fault has a
 * guest instruction. */
static void side_generate(FuzzSide *fs, uint32_t seed)
{
    static const uint64_t first_pc[3] = {0x1000};
    if (tcg_code_buffer_avail(fs->h->cb) < (1u << 20)) {
        harness_reset(fs->h);
    }
    fs->tb = harness_begin(fs->h);
    tcg_gen_insn_start(fs->h->s, first_pc);
    ir_random_reseed(fs->gen, seed);
    ir_random_program(fs->gen);
}

/* ---- host signals: a crash or hang in translated code is reported like a mismatch ---- */

/* Signal handlers get no context: the one jump buffer of the running program. */
static sigjmp_buf *crash_jmp;

static void crash_handler(int signo)
{
    if (crash_jmp) {
        siglongjmp(*crash_jmp, signo);
    }
    signal(signo, SIG_DFL);
    raise(signo);
}

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGALRM};

typedef struct CrashHandlers {
    struct sigaction old[G_N_ELEMENTS(crash_signals)];
} CrashHandlers;

static void crash_handlers_install(CrashHandlers *ch)
{
    struct sigaction sa = {.sa_handler = crash_handler};
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < G_N_ELEMENTS(crash_signals); i++) {
        sigaction(crash_signals[i], &sa, &ch->old[i]);
    }
}

/* Gives the signals back to whoever had them (the sanitizers, say). */
static void crash_handlers_restore(const CrashHandlers *ch)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(crash_signals); i++) {
        sigaction(crash_signals[i], &ch->old[i], NULL);
    }
}

/* Runs the side's TB from init and guest; a signal there ends it with out->signo. */
static void side_run(FuzzSide *fs, const TestEnv *init, const uint8_t *guest, Outcome *out)
{
    Harness *h = fs->h;
    sigjmp_buf jmp;
    *out = (Outcome){0};
    memcpy(h->env, init, sizeof(*init));
    memcpy(h->guest, guest, HARNESS_GUEST_SIZE);
    sigjmp_buf *outer = crash_jmp;
    int signo = sigsetjmp(jmp, 1);
    if (signo) {
        crash_jmp = outer;
        h->env->fault_jmp = NULL;
        out->signo = signo;
        if (signo == SIGALRM) {
            alarm(FUZZ_HANG_SECONDS); /* a new period for the other sides */
        }
        return;
    }
    crash_jmp = &jmp;
    out->faulted = !harness_exec_catch(h, fs->tb, &out->exit);
    crash_jmp = outer;
    if (out->faulted) {
        out->exit = 0;
        out->fault = h->env->fault;
        out->fault_insn = harness_insn_index(fs->tb, out->fault.retaddr);
    }
}

/* ---- the fuzzer ---- */

/*
 * Sides: [0] the oracle, then every other backend, then the oracle again without the
 * optimizer, which runs the optimized seeds only: the optimizer is shared by all backends,
 * so only this last comparison can catch its bugs.
 */
typedef struct Fuzzer {
    FuzzSide *sides;
    unsigned nb_sides;
    TestEnv *init;        /* the initial CPU state of the current program */
    uint8_t *guest_image; /* the initial guest memory of every program */
    Outcome *outcomes;
    bool replay; /* one seed: print its IR even when it passes */
    /* Statistics. */
    unsigned programs, optimized, faults, ops;
} Fuzzer;

static Fuzzer *fuzzer_new(void)
{
    Fuzzer *fz = g_new0(Fuzzer, 1);
    fz->nb_sides = harness_nb_backends + 1;
    fz->sides = g_new0(FuzzSide, fz->nb_sides);
    fz->outcomes = g_new0(Outcome, fz->nb_sides);
    g_assert(harness_backends[0].ops == &tcg_interp_backend);
    for (unsigned i = 0; i < fz->nb_sides; i++) {
        FuzzSide *fs = &fz->sides[i];
        fs->unoptimized = i == harness_nb_backends;
        fs->h = harness_new(&harness_backends[fs->unoptimized ? 0 : i]);
        fs->name = fs->unoptimized ? "interp-unoptimized" : fs->h->backend->name;
        side_config(fs);
        fs->gen = ir_random_new(&fs->cfg, 0);
    }
    fz->init = g_new0(TestEnv, 1);
    fz->guest_image = g_malloc(HARNESS_GUEST_SIZE);
    GRand *r = g_rand_new_with_seed(FUZZ_BASE_SEED);
    for (unsigned i = 0; i < HARNESS_GUEST_SIZE; i += 4) {
        uint32_t w = g_rand_int(r);
        memcpy(fz->guest_image + i, &w, 4);
    }
    g_rand_free(r);
    return fz;
}

static void fuzzer_free(Fuzzer *fz)
{
    for (unsigned i = 0; i < fz->nb_sides; i++) {
        ir_random_free(fz->sides[i].gen);
        harness_free(fz->sides[i].h);
    }
    g_free(fz->sides);
    g_free(fz->outcomes);
    g_free(fz->init);
    g_free(fz->guest_image);
    g_free(fz);
}

/* Globals and scratch: edge values and random ones. */
static void random_state(IRRandom *g, TestEnv *env)
{
    memset(env, 0, sizeof(*env));
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        env->regs[i] = (uint64_t)ir_random_value(g);
    }
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        env->regs32[i] = (uint32_t)ir_random_value(g);
    }
    env->pc = (uint64_t)ir_random_value(g);
    for (int i = 0; i < FUZZ_SCRATCH_WORDS; i++) {
        env->data[i] = (uint64_t)ir_random_value(g);
    }
}

static bool same_ir(TCGContext *a, TCGContext *b)
{
    return a->nb_ops == b->nb_ops && a->nb_temps == b->nb_temps &&
           memcmp(a->ops, b->ops, a->nb_ops * sizeof(TCGOp)) == 0;
}

static void dump_state(const TestEnv *env)
{
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        g_printerr("  r%-2d = 0x%016" PRIx64 "%s", i, env->regs[i], i % 4 == 3 ? "\n" : "");
    }
    for (int i = 0; i < HARNESS_NB_REGS32; i++) {
        g_printerr("  w%d = 0x%08" PRIx32 "%s", i, env->regs32[i], i % 4 == 3 ? "\n" : "");
    }
    g_printerr("  pc  = 0x%016" PRIx64 "\n", env->pc);
    for (int i = 0; i < FUZZ_SCRATCH_WORDS; i++) {
        g_printerr("  data[%2d] = 0x%016" PRIx64 "%s", i, env->data[i], i % 3 == 2 ? "\n" : "");
    }
    g_printerr("\n");
}

static void describe_outcome(const char *name, const Outcome *o)
{
    if (o->signo) {
        g_printerr("  %s: host signal %d (%s)\n", name, o->signo,
                   o->signo == SIGALRM ? "hang" : strsignal(o->signo));
    } else if (o->faulted) {
        g_printerr("  %s: guest fault at 0x%" PRIx64 ", access 0x%x, guest insn %d\n", name,
                   o->fault.addr, o->fault.access, o->fault_insn);
    } else {
        g_printerr("  %s: exit 0x%" PRIxPTR "\n", name, o->exit);
    }
}

/* Same exit value, or same guest fault; a host signal never matches. */
static bool same_outcome(const Outcome *a, const Outcome *b)
{
    if (a->signo || b->signo || a->faulted != b->faulted || a->exit != b->exit) {
        return false;
    }
    return !a->faulted || (a->fault.addr == b->fault.addr && a->fault.access == b->fault.access &&
                           a->fault_insn == b->fault_insn);
}

/* Prints what differs between the oracle's end state and side i's; false if nothing. */
static bool report_diffs(Fuzzer *fz, unsigned i)
{
    const Outcome *a = &fz->outcomes[0], *b = &fz->outcomes[i];
    const TestEnv *ea = fz->sides[0].h->env, *eb = fz->sides[i].h->env;
    const char *na = fz->sides[0].name, *nb = fz->sides[i].name;
    bool differ = false;
    if (!same_outcome(a, b)) {
        describe_outcome(na, a);
        describe_outcome(nb, b);
        differ = true;
    }
    if (a->signo || b->signo) {
        return true; /* the state is whatever the crash left */
    }
    for (int r = 0; r < HARNESS_NB_REGS; r++) {
        if (ea->regs[r] != eb->regs[r]) {
            g_printerr("  r%d: %s 0x%" PRIx64 ", %s 0x%" PRIx64 "\n", r, na, ea->regs[r], nb,
                       eb->regs[r]);
            differ = true;
        }
    }
    for (int r = 0; r < HARNESS_NB_REGS32; r++) {
        if (ea->regs32[r] != eb->regs32[r]) {
            g_printerr("  w%d: %s 0x%" PRIx32 ", %s 0x%" PRIx32 "\n", r, na, ea->regs32[r], nb,
                       eb->regs32[r]);
            differ = true;
        }
    }
    if (ea->pc != eb->pc) {
        g_printerr("  pc: %s 0x%" PRIx64 ", %s 0x%" PRIx64 "\n", na, ea->pc, nb, eb->pc);
        differ = true;
    }
    for (int w = 0; w < HARNESS_DATA_WORDS; w++) {
        if (ea->data[w] != eb->data[w]) {
            g_printerr("  data[%d]: %s 0x%" PRIx64 ", %s 0x%" PRIx64 "\n", w, na, ea->data[w], nb,
                       eb->data[w]);
            differ = true;
        }
    }
    const uint8_t *ga = fz->sides[0].h->guest, *gb = fz->sides[i].h->guest;
    unsigned shown = 0;
    for (unsigned x = 0; x < HARNESS_GUEST_SIZE; x++) {
        if (ga[x] != gb[x] && shown++ < 32) {
            g_printerr("  guest[0x%x]: %s 0x%02x, %s 0x%02x (initially 0x%02x)\n", x, na, ga[x], nb,
                       gb[x], fz->guest_image[x]);
        }
    }
    if (shown > 32) {
        g_printerr("  ... %u guest bytes differ in all\n", shown);
    }
    return differ || shown > 0;
}

/* The oracle and side i ended alike: outcome, globals, env scratch, guest memory. */
static bool same_end(Fuzzer *fz, unsigned i)
{
    const TestEnv *ea = fz->sides[0].h->env, *eb = fz->sides[i].h->env;
    if (!same_outcome(&fz->outcomes[0], &fz->outcomes[i])) {
        return false;
    }
    return memcmp(ea->regs, eb->regs, sizeof(ea->regs)) == 0 &&
           memcmp(ea->regs32, eb->regs32, sizeof(ea->regs32)) == 0 && ea->pc == eb->pc &&
           memcmp(ea->data, eb->data, sizeof(ea->data)) == 0 &&
           memcmp(fz->sides[0].h->guest, fz->sides[i].h->guest, HARNESS_GUEST_SIZE) == 0;
}

/*
 * The initial state, and seed's program built again in the oracle's context, printed as
 * it was and then as optimized (if the optimizer is what crashed, the first part is out).
 */
static void print_program(Fuzzer *fz, uint32_t seed)
{
    FuzzSide *fs = &fz->sides[0];
    g_printerr("replay: PADDOCK_FUZZ_SEED=%u test-tcg-fuzz -p /tcg/fuzz/random\n", seed);
    g_printerr("initial state:\n");
    dump_state(fz->init);
    side_generate(fs, seed);
    g_printerr("IR:\n");
    tcg_dump_ops(fs->h->s, stderr);
    if (seed & 1) {
        tcg_optimize(fs->h->s);
        g_printerr("IR after tcg_optimize:\n");
        tcg_dump_ops(fs->h->s, stderr);
    }
    g_ptr_array_remove_index(fs->h->tbs, fs->h->tbs->len - 1); /* never generated */
    fs->tb = NULL;
}

/* Builds seed's program in every active side's context; the copies must be identical. */
static void fuzz_generate(Fuzzer *fz, uint32_t seed, bool optimize)
{
    for (unsigned i = 0; i < fz->nb_sides; i++) {
        FuzzSide *fs = &fz->sides[i];
        fs->active = optimize || !fs->unoptimized;
        if (!fs->active) {
            continue;
        }
        harness_set_optimize(fs->h, optimize && !fs->unoptimized);
        side_generate(fs, seed);
        if (i > 0 && !same_ir(fz->sides[0].h->s, fs->h->s)) {
            g_error("fuzz: seed %u built different IR in two contexts", seed);
        }
    }
}

/* Runs seed's program on every side; false (after printing why) on a mismatch. */
static bool fuzz_one(Fuzzer *fz, uint32_t seed)
{
    bool optimize = seed & 1;
    ir_random_reseed(fz->sides[0].gen, seed ^ FUZZ_STATE_SALT);
    random_state(fz->sides[0].gen, fz->init);
    fuzz_generate(fz, seed, optimize);
    fz->programs++;
    fz->optimized += optimize;
    fz->ops += fz->sides[0].h->s->nb_ops;
    for (unsigned i = 0; i < fz->nb_sides; i++) {
        FuzzSide *fs = &fz->sides[i];
        if (!fs->active) {
            continue;
        }
        if (!harness_finish(fs->h, fs->tb)) {
            g_printerr("fuzz: seed %u: %s could not generate code\n", seed, fs->name);
            print_program(fz, seed);
            return false;
        }
        side_run(fs, fz->init, fz->guest_image, &fz->outcomes[i]);
    }
    fz->faults += fz->outcomes[0].faulted;
    bool ok = true;
    for (unsigned i = 1; i < fz->nb_sides; i++) {
        if (!fz->sides[i].active || (same_end(fz, i) && !fz->replay)) {
            continue;
        }
        g_printerr("fuzz: seed %u (optimizer %s): %s against %s\n", seed, optimize ? "on" : "off",
                   fz->sides[i].name, fz->sides[0].name);
        if (report_diffs(fz, i)) {
            ok = false;
        } else {
            describe_outcome(fz->sides[0].name, &fz->outcomes[0]);
            g_printerr("  same end state\n");
        }
    }
    if (!ok || fz->replay) {
        print_program(fz, seed);
    }
    return ok;
}

static uint32_t env_u32(const char *name, uint32_t def, bool *set)
{
    const char *v = g_getenv(name);
    *set = v != NULL;
    if (!v) {
        return def;
    }
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    if (*v == '\0' || *end != '\0' || n > UINT32_MAX) {
        g_error("%s=%s is not a 32-bit number", name, v);
    }
    return (uint32_t)n;
}

static void test_fuzz_random(void)
{
    bool one_seed, count_set;
    uint32_t seed = env_u32("PADDOCK_FUZZ_SEED", FUZZ_BASE_SEED, &one_seed);
    uint32_t count = env_u32("PADDOCK_FUZZ_COUNT", FUZZ_DEFAULT_COUNT, &count_set);
    if (one_seed && !count_set) {
        count = 1;
    }
    Fuzzer *fz = fuzzer_new();
    fz->replay = count == 1;
    CrashHandlers ch;
    crash_handlers_install(&ch);
    gint64 start = g_get_monotonic_time();
    sigjmp_buf jmp;
    for (volatile uint32_t n = 0; n < count; n++) {
        /* A signal outside translated code: the generator, optimizer or a backend's
         * code generation crashed or hung on this seed. */
        int signo = sigsetjmp(jmp, 1);
        if (signo) {
            alarm(0);
            crash_jmp = NULL;
            g_printerr("fuzz: seed %u: host signal %d (%s) while translating\n", seed + n, signo,
                       signo == SIGALRM ? "hang" : strsignal(signo));
            print_program(fz, seed + n);
            g_test_fail_printf("fuzz: seed %u: translation failed (details above)", seed + n);
            break;
        }
        crash_jmp = &jmp;
        alarm(FUZZ_HANG_SECONDS);
        bool ok = fuzz_one(fz, seed + n);
        alarm(0);
        crash_jmp = NULL;
        if (!ok) {
            g_test_fail_printf("fuzz: seed %u: the backends disagree (details above)", seed + n);
            break;
        }
    }
    crash_handlers_restore(&ch);
    g_test_message("%u programs from seed %u (%u optimized), %u IR ops, %u faulted; %.1f s",
                   fz->programs, seed, fz->optimized, fz->ops, fz->faults,
                   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);
    fuzzer_free(fz);
}

/* ---- the fuzzer's own checks ---- */

/* What the generator emitted over many programs. */
typedef struct GenCoverage {
    bool op[TCG_OP_COUNT][2]; /* by op type */
    bool cond[TCG_OP_COUNT][TCG_COND_COUNT];
    bool guest_ld[32], guest_st[32]; /* by memop */
    bool helper[G_N_ELEMENTS(fuzz_helpers)];
    bool back_branch;
} GenCoverage;

static void scan_program(TCGContext *s, GenCoverage *cov)
{
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        const TCGArg *cargs = &op->args[op->nb_oargs + op->nb_iargs];
        cov->op[op->opc][op->type] = true;
        switch (op->opc) {
        case TCG_OP_BRCOND:
            cov->cond[op->opc][cargs[0]] = true;
            cov->back_branch |= tcg_label(s, cargs[1])->present;
            break;
        case TCG_OP_SETCOND:
        case TCG_OP_NEGSETCOND:
        case TCG_OP_MOVCOND: cov->cond[op->opc][cargs[0]] = true; break;
        case TCG_OP_GUEST_LD: cov->guest_ld[cargs[0]] = true; break;
        case TCG_OP_GUEST_ST: cov->guest_st[cargs[0]] = true; break;
        case TCG_OP_CALL:
            for (unsigned h = 0; h < G_N_ELEMENTS(fuzz_helpers); h++) {
                cov->helper[h] |= (uintptr_t)cargs[0] == (uintptr_t)fuzz_helpers[h];
            }
            break;
        default: break;
        }
    }
}

/* Whether the generator must have emitted opc with type: ops on values in both types
 * unless they have only one, control ops as i64 (their builders' type), TB chaining never. */
static bool op_expected(TCGOpcode opc, TCGType type)
{
    switch (opc) {
    case TCG_OP_NOP:
    case TCG_OP_GOTO_TB:
    case TCG_OP_GOTO_PTR: return false;
    case TCG_OP_SET_LABEL:
    case TCG_OP_BR:
    case TCG_OP_CALL:
    case TCG_OP_INSN_START:
    case TCG_OP_EXIT_TB:
    case TCG_OP_MB:
    case TCG_OP_EXTS_I32_I64:
    case TCG_OP_EXTU_I32_I64: return type == TCG_TYPE_I64;
    case TCG_OP_EXTRL_I64_I32:
    case TCG_OP_EXTRH_I64_I32: return type == TCG_TYPE_I32;
    default: return type == TCG_TYPE_I64 || !(tcg_op_defs[opc].flags & TCG_OPF_I64_ONLY);
    }
}

/*
 * Weights and guards must leave the fuzzer its reach: every op of docs/ir.md but the TB
 * chaining ones, in every type, every condition, every guest memop, every helper, loops.
 */
static void test_fuzz_generator_coverage(void)
{
    Fuzzer *fz = fuzzer_new();
    FuzzSide *fs = &fz->sides[0];
    GenCoverage cov = {0};
    for (uint32_t seed = FUZZ_BASE_SEED; seed < FUZZ_BASE_SEED + 3000; seed++) {
        side_generate(fs, seed);
        scan_program(fs->h->s, &cov);
        g_ptr_array_remove_index(fs->h->tbs, fs->h->tbs->len - 1);
    }
    for (int opc = 0; opc < TCG_OP_COUNT; opc++) {
        for (int type = 0; type < 2; type++) {
            if (op_expected((TCGOpcode)opc, (TCGType)type) && !cov.op[opc][type]) {
                g_test_fail_printf("no %s_i%d", tcg_op_defs[opc].name, type ? 64 : 32);
            }
        }
    }
    static const TCGOpcode cond_ops[] = {TCG_OP_BRCOND, TCG_OP_SETCOND, TCG_OP_NEGSETCOND,
                                         TCG_OP_MOVCOND};
    for (unsigned i = 0; i < G_N_ELEMENTS(cond_ops); i++) {
        for (int c = 0; c < TCG_COND_COUNT; c++) {
            if (!cov.cond[cond_ops[i]][c]) {
                g_test_fail_printf("no %s %s", tcg_op_defs[cond_ops[i]].name,
                                   tcg_cond_name((TCGCond)c));
            }
        }
    }
    for (unsigned mo = 0; mo < 32; mo++) {
        bool sign = mo & MO_SIGN, q = (mo & MO_SIZE) == MO_64;
        if (!cov.guest_ld[mo] && !(sign && q)) {
            g_test_fail_printf("no guest_ld with memop 0x%x", mo);
        }
        if (!cov.guest_st[mo] && !sign) {
            g_test_fail_printf("no guest_st with memop 0x%x", mo);
        }
    }
    for (unsigned h = 0; h < G_N_ELEMENTS(fuzz_helpers); h++) {
        if (!cov.helper[h]) {
            g_test_fail_printf("no call to %s", fuzz_helpers[h]->name);
        }
    }
    g_assert_true(cov.back_branch);
    fuzzer_free(fz);
}

/* The comparison sees a difference in each part of the end state. */
static void test_fuzz_comparison(void)
{
    Fuzzer *fz = fuzzer_new();
    g_assert_true(fuzz_one(fz, FUZZ_BASE_SEED));
    g_assert_true(same_end(fz, 1));
    TestEnv *env = fz->sides[1].h->env;
    uint64_t *words[] = {&env->regs[3], &env->pc, &env->data[0],
                         &env->data[HARNESS_DATA_WORDS - 1]};
    for (unsigned i = 0; i < G_N_ELEMENTS(words); i++) {
        *words[i] ^= 1;
        g_assert_false(same_end(fz, 1));
        *words[i] ^= 1;
    }
    env->regs32[7] ^= 0x80000000u;
    g_assert_false(same_end(fz, 1));
    env->regs32[7] ^= 0x80000000u;
    fz->sides[1].h->guest[HARNESS_GUEST_SIZE - 1] ^= 0x10;
    g_assert_false(same_end(fz, 1));
    fz->sides[1].h->guest[HARNESS_GUEST_SIZE - 1] ^= 0x10;
    fz->outcomes[1].exit ^= 4;
    g_assert_false(same_end(fz, 1));
    fz->outcomes[1].exit ^= 4;
    fz->outcomes[1].signo = SIGSEGV;
    g_assert_false(same_end(fz, 1));
    fz->outcomes[1].signo = 0;
    g_assert_true(same_end(fz, 1));
    fuzzer_free(fz);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcg/fuzz/generator-coverage", test_fuzz_generator_coverage);
    g_test_add_func("/tcg/fuzz/comparison", test_fuzz_comparison);
    g_test_add_func("/tcg/fuzz/random", test_fuzz_random);
    return g_test_run();
}

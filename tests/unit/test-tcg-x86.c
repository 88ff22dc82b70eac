/*
 * The x86-64 JIT's own checks, beyond the op-by-op suite (test-tcg-ops): register
 * pressure and spills, globals kept in registers and written back once, helper calls
 * with six arguments and values live across them, loops, chaining through set_jump, guest
 * faults, the split W^X code buffer, frame and buffer exhaustion, liveness results, and
 * the out_asm log. Random programs against the interpreter are test-tcg-fuzz's. Run with
 * PADDOCK_LOG=out_asm to see the generated code.
 */
#include <capstone.h>
#include <inttypes.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcg/liveness.h"
#include "tests/unit/tcg-harness.h"
#include "vmcore/log.h"

static const HarnessBackend test_x86_jit = {"x86-64", &tcg_x86_64_backend, NULL};
static const HarnessBackend *const jit = &test_x86_jit;

static uint64_t rotl64(uint64_t v, unsigned n)
{
    return (v << n) | (v >> (64 - n));
}

/* Instructions of tb that store to (store) or load from env + offset, 64-bit. */
static unsigned count_env_access(const HarnessTB *tb, size_t offset, bool store)
{
    csh cs;
    cs_insn *insns;
    g_assert(cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK);
    size_t n = cs_disasm(cs, tb->code, tb->info.size, (uintptr_t)tb->code, 0, &insns);
    g_autofree char *mem =
        offset ? g_strdup_printf("qword ptr [rbp + 0x%zx]", offset) : g_strdup("qword ptr [rbp]");
    unsigned count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ops = insns[i].op_str;
        size_t len = strlen(ops), mlen = strlen(mem);
        if (strcmp(insns[i].mnemonic, "mov") != 0) {
            continue;
        }
        if (store ? !strncmp(ops, mem, mlen) && ops[mlen] == ','
                  : len > mlen && !strcmp(ops + len - mlen, mem)) {
            count++;
        }
    }
    cs_free(insns, n);
    cs_close(&cs);
    return count;
}

/* More live values than registers: some are spilled and reloaded. */
static void test_pressure(void)
{
    enum { N = 40 };
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    TCGv t[N];
    for (int i = 0; i < HARNESS_NB_REGS; i++) {
        h->env->regs[i] = (uint64_t)i * 0x123456789ull + 1;
    }
    HarnessTB *tb = harness_begin(h);
    for (int i = 0; i < N; i++) {
        t[i] = tcg_temp_new_i64(s);
        tcg_gen_muli(s, t[i], h->r[i % HARNESS_NB_REGS], i + 3);
        tcg_gen_addi(s, t[i], t[i], i);
    }
    TCGv acc = tcg_temp_new_i64(s);
    tcg_gen_movi(s, acc, 0);
    for (int i = N - 1; i >= 0; i--) {
        tcg_gen_xor(s, acc, acc, t[i]);
        tcg_gen_rotli(s, acc, acc, 7);
    }
    tcg_gen_mov(s, h->r[0], acc);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));

    uint64_t want = 0;
    for (int i = N - 1; i >= 0; i--) {
        uint64_t v = ((uint64_t)(i % HARNESS_NB_REGS) * 0x123456789ull + 1) * (uint64_t)(i + 3);
        want = rotl64(want ^ (v + (uint64_t)i), 7);
    }
    g_assert_cmpuint(harness_exec(h, tb), ==, 0);
    g_assert_cmphex(h->env->regs[0], ==, want);
    harness_free(h);
}

/* A global used by many ops is loaded once and stored once, at the exit. */
static void test_globals_in_registers(void)
{
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    h->env->regs[0] = 100;
    h->env->regs[1] = 7;
    h->env->regs[2] = 0x55;
    HarnessTB *tb = harness_begin(h);
    for (int k = 0; k < 10; k++) {
        tcg_gen_add(s, h->r[0], h->r[0], h->r[1]);
        tcg_gen_xor(s, h->r[2], h->r[2], h->r[0]);
    }
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    harness_exec(h, tb);

    uint64_t r0 = 100, r2 = 0x55;
    for (int k = 0; k < 10; k++) {
        r0 += 7;
        r2 ^= r0;
    }
    g_assert_cmpuint(h->env->regs[0], ==, r0);
    g_assert_cmpuint(h->env->regs[2], ==, r2);
    for (int r = 0; r <= 2; r += 2) {
        size_t offset = offsetof(TestEnv, regs) + r * sizeof(uint64_t);
        g_assert_cmpuint(count_env_access(tb, offset, true), ==, 1);
        g_assert_cmpuint(count_env_access(tb, offset, false), ==, 1);
    }
    harness_free(h);
}

static uint64_t helper6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return a * 1 + b * 3 + c * 5 + d * 7 + e * 11 + f * 13 + ((a ^ f) << 17);
}

static const TCGHelperInfo info6 = {
    .name = "helper6",
    .func = (void *)helper6,
    .flags = TCG_CALL_NO_RWG,
    .ret = TCG_CALL_I64,
    .args = {TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64, TCG_CALL_I64},
    .nargs = 6,
};

/* Reads r10, writes r11 (so globals go to memory before and come back after). */
static uint32_t helper_env(TestEnv *env, uint32_t k, uint64_t add)
{
    /* The SysV ABI's 16-byte alignment at the call: the frame pointer is 16-aligned. */
    g_assert_cmpuint((uintptr_t)__builtin_frame_address(0) % 16, ==, 0);
    env->regs[11] = env->regs[10] * k + add;
    return (uint32_t)env->regs[10] ^ k;
}

static const TCGHelperInfo info_env = {
    .name = "helper_env",
    .func = (void *)helper_env,
    .flags = 0,
    .ret = TCG_CALL_I32,
    .args = {TCG_CALL_PTR, TCG_CALL_I32, TCG_CALL_I64},
    .nargs = 3,
};

static void gen_call6(TCGContext *s, TCGv ret, const TCGv *t, const int *perm)
{
    TCGv args[6];
    for (int i = 0; i < 6; i++) {
        args[i] = t[perm[i]];
    }
    tcg_gen_call(s, &info6, &ret, args);
}

/* Six-argument calls whose arguments are permutations of each other (cycles among the
 * argument registers), with values live across the calls, and a call that reads and
 * writes globals. */
static void test_calls(void)
{
    static const int perms[3][6] = {{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {1, 0, 3, 2, 5, 4}};
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    uint64_t in[6];
    for (int i = 0; i < 6; i++) {
        in[i] = h->env->regs[i] = 0x1111111111111111ull * (uint64_t)(i + 1) + (uint64_t)i;
    }
    h->env->regs[10] = 40;
    HarnessTB *tb = harness_begin(h);
    TCGv t[6], x[3];
    for (int i = 0; i < 6; i++) {
        t[i] = tcg_temp_new_i64(s);
        tcg_gen_addi(s, t[i], h->r[i], i);
    }
    for (int k = 0; k < 3; k++) {
        x[k] = tcg_temp_new_i64(s);
        gen_call6(s, x[k], t, perms[k]);
    }
    TCGv u = tcg_temp_new_i64(s);
    tcg_gen_mov(s, u, t[0]);
    for (int i = 1; i < 6; i++) {
        tcg_gen_xor(s, u, u, t[i]);
    }
    for (int k = 0; k < 3; k++) {
        tcg_gen_mov(s, h->r[6 + k], x[k]);
    }
    tcg_gen_mov(s, h->r[9], u);
    /* r10 changes in a register, the helper must see it; r11 changes in memory. */
    tcg_gen_addi(s, h->r[10], h->r[10], 2);
    TCGv w = tcg_temp_new_i32(s);
    TCGv env_args[3] = {tcg_env(s), tcg_constant_i32(s, 5), h->r[0]};
    tcg_gen_call(s, &info_env, &w, env_args);
    tcg_gen_add(s, h->r[12], h->r[11], h->r[10]);
    tcg_gen_mov(s, h->w[0], w);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    harness_exec(h, tb);

    uint64_t tv[6], u_want = 0;
    for (int i = 0; i < 6; i++) {
        tv[i] = in[i] + (uint64_t)i;
        u_want ^= tv[i];
    }
    for (int k = 0; k < 3; k++) {
        const int *p = perms[k];
        g_assert_cmphex(h->env->regs[6 + k], ==,
                        helper6(tv[p[0]], tv[p[1]], tv[p[2]], tv[p[3]], tv[p[4]], tv[p[5]]));
    }
    g_assert_cmphex(h->env->regs[9], ==, u_want);
    g_assert_cmpuint(h->env->regs[10], ==, 42);
    g_assert_cmpuint(h->env->regs[11], ==, 42 * 5 + in[0]);
    g_assert_cmpuint(h->env->regs[12], ==, 42 * 6 + in[0]);
    g_assert_cmpuint(h->env->regs32[0], ==, 42 ^ 5);
    harness_free(h);
}

/* sum 1..1000 in locals with a backward branch, odd numbers counted in a global, and a
 * local that lives across the loop untouched. */
static void test_loop(void)
{
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    h->env->regs[1] = 0;
    h->env->regs[3] = 9;
    HarnessTB *tb = harness_begin(h);
    TCGv i = tcg_temp_new_i64(s), acc = tcg_temp_new_i64(s), keep = tcg_temp_new_i64(s);
    TCGv odd = tcg_temp_new_i64(s);
    TCGLabel *loop = tcg_new_label(s), *even = tcg_new_label(s);
    tcg_gen_muli(s, keep, h->r[3], 3);
    tcg_gen_movi(s, i, 1);
    tcg_gen_movi(s, acc, 0);
    tcg_gen_set_label(s, loop);
    tcg_gen_add(s, acc, acc, i);
    tcg_gen_andi(s, odd, i, 1);
    tcg_gen_brcondi(s, TCG_COND_EQ, odd, 0, even);
    tcg_gen_addi(s, h->r[1], h->r[1], 1);
    tcg_gen_set_label(s, even);
    tcg_gen_addi(s, i, i, 1);
    tcg_gen_brcondi(s, TCG_COND_LEU, i, 1000, loop);
    tcg_gen_mov(s, h->r[0], acc);
    tcg_gen_add(s, h->r[2], keep, i);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    harness_exec(h, tb);
    g_assert_cmpuint(h->env->regs[0], ==, 500500);
    g_assert_cmpuint(h->env->regs[1], ==, 500);
    g_assert_cmpuint(h->env->regs[2], ==, 27 + 1001);
    harness_free(h);
}

/* TB a: r0 += 1, then goto_tb 0. TB b: r0 *= 2, exit 0x40. */
static void build_chain_tbs(Harness *h, HarnessTB **a, HarnessTB **b)
{
    TCGContext *s = h->s;
    uint64_t pc = 0x1000;
    *a = harness_begin(h);
    tcg_gen_insn_start(s, &pc);
    tcg_gen_addi(s, h->r[0], h->r[0], 1);
    tcg_gen_goto_tb(s, 0);
    tcg_gen_exit_tb_slot(s, 0);
    g_assert_true(harness_finish(h, *a));
    *b = harness_begin(h);
    tcg_gen_insn_start(s, &pc);
    tcg_gen_shli(s, h->r[0], h->r[0], 1);
    tcg_gen_exit_tb(s, 0x40);
    g_assert_true(harness_finish(h, *b));
}

static void check_chaining(Harness *h)
{
    HarnessTB *a, *b;
    build_chain_tbs(h, &a, &b);
    g_assert_cmpuint(a->info.jmp_insn_offset[1], ==, TCG_NO_JUMP);
    uintptr_t jmp = (uintptr_t)a->code + a->info.jmp_insn_offset[0];
    uintptr_t reset = (uintptr_t)a->code + a->info.jmp_reset_offset[0];
    g_assert_cmpuint((jmp + 1) % 4, ==, 0);

    h->env->regs[0] = 0;
    g_assert_cmphex(harness_exec(h, a), ==, (uintptr_t)a);
    g_assert_cmpuint(h->env->regs[0], ==, 1);
    h->be->ops->set_jump(h->be, jmp, (uintptr_t)b->code);
    g_assert_cmphex(harness_exec(h, a), ==, 0x40);
    g_assert_cmpuint(h->env->regs[0], ==, 4);
    h->be->ops->set_jump(h->be, jmp, reset);
    g_assert_cmphex(harness_exec(h, a), ==, (uintptr_t)a);
    g_assert_cmpuint(h->env->regs[0], ==, 5);
}

static void test_chaining(void)
{
    Harness *h = harness_new(jit);
    check_chaining(h);
    harness_free(h);
}

/* A JIT harness on a code buffer written through one mapping and run through another. */
static Harness *harness_new_split(void)
{
    GError *err = NULL;
    Harness *h = harness_new(jit);
    TCGGuestMemory mem = h->be->mem;
    tcg_backend_free(h->be);
    tcg_code_buffer_free(h->cb);
    h->cb = tcg_code_buffer_new(1u << 20, TCG_CB_SPLIT, &err);
    g_assert_no_error(err);
    g_assert_true(h->cb->split && h->cb->rx != h->cb->rw);
    h->be = tcg_backend_new(&tcg_x86_64_backend, h->cb, &mem, &err);
    g_assert_no_error(err);
    return h;
}

static void test_split_code_buffer(void)
{
    Harness *h = harness_new_split();
    check_chaining(h);
    harness_free(h);
}

/*
 * The child of a fork of a split buffer runs the code it inherited from its own copy,
 * taken in the parent at prepare: what the parent writes after prepare (as its other
 * threads could, before the fork) is not in it, and what the child writes stays out of
 * the parent's buffer.
 */
static void test_split_code_buffer_fork(void)
{
    Harness *h = harness_new_split();
    HarnessTB *tb = harness_begin(h);
    tcg_gen_exit_tb(h->s, 1234);
    g_assert_true(harness_finish(h, tb));
    uint8_t *rw = tcg_code_buffer_ptr(h->cb);
    rw[0] = 'P';
    tcg_code_buffer_commit(h->cb, 1);
    g_assert_true(tcg_code_buffer_fork_prepare(h->cb));
    g_assert_cmpint(h->cb->fork_fd, >=, 0);
    rw[0] = 'L';
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        GError *err = NULL;
        bool ok = tcg_code_buffer_fork_child(h->cb, &err) && h->cb->fork_fd < 0 &&
                  harness_exec(h, tb) == 1234 && rw[0] == 'P';
        rw[0] = 'C';
        _exit(ok && h->cb->rx[rw - h->cb->rw] == 'C' ? 0 : 1);
    }
    tcg_code_buffer_fork_parent(h->cb);
    g_assert_cmpint(h->cb->fork_fd, <, 0);
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpint(rw[0], ==, 'L');
    g_assert_cmpuint(harness_exec(h, tb), ==, 1234);
    harness_free(h);
}

/* With no descriptor left for the child's copy, prepare fails with the errno and holds none. */
static void test_split_code_buffer_fork_no_fd(void)
{
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        Harness *h = harness_new_split();
        /* The lowest free descriptor becomes the limit: no new descriptor fits. */
        int lowest = dup(0);
        struct rlimit lim;
        bool limited = lowest >= 0 && close(lowest) == 0 && getrlimit(RLIMIT_NOFILE, &lim) == 0;
        lim.rlim_cur = (rlim_t)lowest;
        limited = limited && setrlimit(RLIMIT_NOFILE, &lim) == 0;
        bool failed = limited && !tcg_code_buffer_fork_prepare(h->cb) && errno == EMFILE &&
                      h->cb->fork_fd < 0;
        _exit(failed ? 0 : 1);
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* An RWX buffer is shared copy-on-write by fork itself: prepare makes no copy. */
static void test_rwx_code_buffer_fork(void)
{
    GError *err = NULL;
    TCGCodeBuffer *cb = tcg_code_buffer_new(1u << 20, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    if (cb->split) {
        g_test_skip("the host refuses RWX mappings");
    } else {
        g_assert_true(tcg_code_buffer_fork_prepare(cb));
        g_assert_cmpint(cb->fork_fd, <, 0);
        tcg_code_buffer_fork_parent(cb);
    }
    tcg_code_buffer_free(cb);
}

/* A load beyond guest_limit calls fault_helper with the exact guest state. */
static void test_guest_fault(void)
{
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    uint64_t pc[3] = {0x100, 0x104, 0x108};
    h->env->regs[3] = HARNESS_GUEST_SIZE + 8;
    h->env->regs[4] = 0;
    HarnessTB *tb = harness_begin(h);
    tcg_gen_insn_start(s, &pc[0]);
    tcg_gen_movi(s, h->r[1], 5);
    tcg_gen_insn_start(s, &pc[1]);
    tcg_gen_addi(s, h->r[2], h->r[1], 1);
    tcg_gen_guest_ld(s, h->r[5], h->r[3], 0, MO_UQ);
    tcg_gen_insn_start(s, &pc[2]);
    tcg_gen_movi(s, h->r[4], 7);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    g_assert_cmpuint(tb->info.insn_end->len, ==, 3);

    uintptr_t ret;
    g_assert_false(harness_exec_catch(h, tb, &ret));
    const HarnessFault *f = &h->env->fault;
    g_assert_cmpuint(f->count, ==, 1);
    g_assert_cmphex(f->addr, ==, HARNESS_GUEST_SIZE + 8);
    g_assert_cmphex(f->access, ==, MO_UQ);
    g_assert_cmpint(harness_insn_index(tb, f->retaddr), ==, 1);
    g_assert_cmpuint(h->env->regs[1], ==, 5);
    g_assert_cmpuint(h->env->regs[2], ==, 6);
    g_assert_cmpuint(h->env->regs[4], ==, 0);

    /* A misaligned aligned store faults as a store; an in-range one goes through. */
    h->env->regs[3] = 0x102;
    tb = harness_begin(h);
    tcg_gen_insn_start(s, &pc[0]);
    tcg_gen_guest_st(s, h->r[1], h->r[3], 0, MO_UL | MO_ALIGN | MO_BE);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    g_assert_false(harness_exec_catch(h, tb, &ret));
    g_assert_cmphex(f->access, ==, MO_UL | MO_ALIGN | MO_BE | 1 << 8);
    g_assert_cmpint(harness_insn_index(tb, f->retaddr), ==, 0);
    h->env->regs[3] = 0x104;
    g_assert_true(harness_exec_catch(h, tb, &ret));
    g_assert_cmphex(h->guest[0x107], ==, 5);
    harness_free(h);
}

/* More locals live across a label than the frame has slots: gen_code gives up. */
static void test_frame_full(void)
{
    enum { N = 200 };
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    TCGv t[N];
    harness_begin(h);
    TCGLabel *l = tcg_new_label(s);
    for (int i = 0; i < N; i++) {
        t[i] = tcg_temp_new_i64(s);
        tcg_gen_addi(s, t[i], h->r[i % HARNESS_NB_REGS], i);
    }
    tcg_gen_brcondi(s, TCG_COND_EQ, h->r[0], 12345, l);
    tcg_gen_set_label(s, l);
    for (int i = 1; i < N; i++) {
        tcg_gen_add(s, t[0], t[0], t[i]);
    }
    tcg_gen_mov(s, h->r[0], t[0]);
    tcg_gen_exit_tb(s, 0);
    TCGTBCode out = {.insn_end = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    bool full = true;
    size_t used = h->cb->used;
    g_assert_false(h->be->ops->gen_code(h->be, s, &out, &full));
    g_assert_false(full);
    g_assert_cmpuint(h->cb->used, ==, used);
    g_array_free(out.insn_end, TRUE);
    harness_free(h);
}

/* A TB larger than the room left: gen_code says the buffer is full, and the backend
 * still works after a flush. */
static void test_buffer_full(void)
{
    GError *err = NULL;
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    TCGGuestMemory mem = h->be->mem;
    tcg_backend_free(h->be);
    tcg_code_buffer_free(h->cb);
    h->cb = tcg_code_buffer_new(8192, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    h->be = tcg_backend_new(&tcg_x86_64_backend, h->cb, &mem, &err);
    g_assert_no_error(err);

    harness_begin(h);
    for (int i = 0; i < 2000; i++) {
        tcg_gen_addi(s, h->r[i % HARNESS_NB_REGS], h->r[(i + 1) % HARNESS_NB_REGS], i * 1000);
    }
    tcg_gen_exit_tb(s, 0);
    TCGTBCode out = {.insn_end = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    bool full = false;
    g_assert_false(h->be->ops->gen_code(h->be, s, &out, &full));
    g_assert_true(full);
    g_array_free(out.insn_end, TRUE);

    harness_reset(h);
    HarnessTB *tb = harness_begin(h);
    tcg_gen_movi(s, h->r[0], 77);
    tcg_gen_exit_tb(s, 0);
    g_assert_true(harness_finish(h, tb));
    harness_exec(h, tb);
    g_assert_cmpuint(h->env->regs[0], ==, 77);
    harness_free(h);
}

/* Write-back points: a global's last write before a possible fault or the exit is synced
 * there, an earlier one is not; an unused pure result disappears. */
static void test_liveness(void)
{
    Harness *h = harness_new(jit);
    TCGContext *s = h->s;
    harness_begin(h);
    TCGv unused = tcg_temp_new_i64(s), v = tcg_temp_new_i64(s);
    tcg_gen_addi(s, h->r[0], h->r[1], 1);      /* 0: overwritten before needed */
    tcg_gen_addi(s, h->r[0], h->r[0], 2);      /* 1: needed at the guest load */
    tcg_gen_mul(s, unused, h->r[2], h->r[3]);  /* 2: dead */
    tcg_gen_guest_ld(s, v, h->r[4], 0, MO_UQ); /* 3 */
    tcg_gen_add(s, h->r[0], h->r[0], v);       /* 4: needed at the exit */
    tcg_gen_exit_tb(s, 0);
    tcg_liveness(s);
    g_assert_cmpuint(s->ops[0].life & TCG_LIFE_SYNC(0), ==, 0);
    g_assert_cmpuint(s->ops[1].life & TCG_LIFE_SYNC(0), !=, 0);
    g_assert_cmpuint(s->ops[2].opc, ==, TCG_OP_NOP);
    g_assert_cmpuint(s->ops[3].life, ==, TCG_LIFE_DEAD(1)); /* r4: not read again */
    g_assert_cmpuint(s->ops[4].life, ==,
                     TCG_LIFE_SYNC(0) | TCG_LIFE_DEAD(0) | TCG_LIFE_DEAD(1) | TCG_LIFE_DEAD(2));
    harness_free(h);
}

static void test_out_asm_log(void)
{
    if (g_test_subprocess()) {
        g_autofree char *bad = NULL;
        Harness *h = harness_new(jit);
        uint64_t pc[2] = {0x100, 0x104};
        g_assert_true(log_set_categories("out_asm", &bad));
        HarnessTB *tb = harness_begin(h);
        tcg_gen_insn_start(h->s, &pc[0]);
        tcg_gen_guest_ld(h->s, h->r[0], h->r[1], 0, MO_UL);
        tcg_gen_insn_start(h->s, &pc[1]);
        tcg_gen_addi(h->s, h->r[0], h->r[0], 1);
        tcg_gen_exit_tb(h->s, 0);
        g_assert_true(harness_finish(h, tb));
        log_set_categories("", &bad);
        harness_free(h);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*OUT: TB*end of guest insn 0*end of guest insn 1*call*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    log_init_from_env();
    g_test_add_func("/tcg/x86/pressure", test_pressure);
    g_test_add_func("/tcg/x86/globals-in-registers", test_globals_in_registers);
    g_test_add_func("/tcg/x86/calls", test_calls);
    g_test_add_func("/tcg/x86/loop", test_loop);
    g_test_add_func("/tcg/x86/chaining", test_chaining);
    g_test_add_func("/tcg/x86/split-code-buffer", test_split_code_buffer);
    g_test_add_func("/tcg/x86/split-code-buffer-fork", test_split_code_buffer_fork);
    g_test_add_func("/tcg/x86/split-code-buffer-fork-no-fd", test_split_code_buffer_fork_no_fd);
    g_test_add_func("/tcg/x86/rwx-code-buffer-fork", test_rwx_code_buffer_fork);
    g_test_add_func("/tcg/x86/guest-fault", test_guest_fault);
    g_test_add_func("/tcg/x86/frame-full", test_frame_full);
    g_test_add_func("/tcg/x86/buffer-full", test_buffer_full);
    g_test_add_func("/tcg/x86/liveness", test_liveness);
    g_test_add_func("/tcg/x86/out-asm-log", test_out_asm_log);
    return g_test_run();
}

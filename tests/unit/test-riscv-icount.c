/*
 * Guest instruction counting (accel/tcg/icount.h) on the RV64 test machine, every backend:
 * exact counts of a loop, a limit that stops the vCPU before the TB it cannot pay for (pc
 * exact, overdraft of less than one TB), a fault mid-TB that counts only what started, an
 * exit request that costs nothing, and the IR of a TB without counting, which must be what
 * the translator emitted before counting existed: not one op more.
 */
#include <string.h>

#include "accel/tcg/icount.h"
#include "tcg/ir.h"
#include "test-riscv-translate.h"

/* loop: addi x1, x1, -1; bnez x1, loop; ecall: 2 instructions per TB, then 1. */
static const uint32_t count_loop[] = {0xfff08093, 0xfe009ee3, 0x00000073};

static void attach(Machine *m, InsnPool *pool)
{
    memset(pool, 0, sizeof(*pool));
    cpu_icount_attach(&m->cpu->common, pool);
}

static uint64_t settled_total(Machine *m, InsnPool *pool)
{
    cpu_icount_settle(&m->cpu->common, true, false);
    return icount_pool_total(pool);
}

static void test_count_loop(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    InsnPool pool;
    attach(m, &pool);
    uint64_t at = put_code(m, count_loop, G_N_ELEMENTS(count_loop));
    m->env->gpr[1] = 1000;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmpuint(settled_total(m, &pool), ==, 2 * 1000 + 1);
    /* Again, from the TBs already translated: the budget carries over. */
    m->env->gpr[1] = 5;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmpuint(settled_total(m, &pool), ==, 2 * 1000 + 1 + 2 * 5 + 1);
    g_assert_cmpuint(atomic_load(&pool.exhausted), ==, 0);
    machine_free(m);
}

/*
 * A limit of 1001: 500 TBs of 2 leave a budget of 1; the pool is dry, so the next TB runs
 * on an overdraft of 1, and the one after it finds nothing: the vCPU stops at its start.
 */
static void test_limit(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    InsnPool pool;
    attach(m, &pool);
    atomic_store(&pool.limit, 1001);
    uint64_t at = put_code(m, count_loop, G_N_ELEMENTS(count_loop));
    m->env->gpr[1] = 1000;
    g_assert_cmpint(run(m, at), ==, EXCP_ICOUNT);
    g_assert_cmphex(m->env->pc, ==, at);
    g_assert_cmpuint(m->env->gpr[1], ==, 1000 - 501);
    g_assert_cmpuint(settled_total(m, &pool), ==, 1002);
    g_assert_cmpuint(atomic_load(&pool.exhausted), !=, 0);
    g_assert_cmpint(run(m, at), ==, EXCP_ICOUNT); /* and stays stopped */
    g_assert_cmpuint(m->env->gpr[1], ==, 1000 - 501);
    machine_free(m);
}

/* A load faults as the third instruction of a TB of five: three of them count. */
static void test_fault_mid_tb(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    InsnPool pool;
    attach(m, &pool);
    static const uint32_t code[] = {
        0x00100113, /* addi x2, x0, 1 */
        0x00110113, /* addi x2, x2, 1 */
        0x0080b183, /* ld x3, 8(x1) */
        0x00110113, /* addi x2, x2, 1 */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    m->env->gpr[1] = GUEST_SIZE;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_LOAD_PAGE_FAULT);
    g_assert_cmphex(m->env->pc, ==, at + 8);
    g_assert_cmpuint(settled_total(m, &pool), ==, 3);
    m->env->gpr[1] = 0;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmpuint(settled_total(m, &pool), ==, 3 + 5);
    machine_free(m);
}

/* An exit request stops a counting vCPU as any other, before its TB, which costs nothing. */
static void test_exit_request(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    InsnPool pool;
    attach(m, &pool);
    uint64_t at = put_code(m, count_loop, G_N_ELEMENTS(count_loop));
    m->env->gpr[1] = 3;
    cpu_exit(&m->cpu->common);
    g_assert_cmpint(run(m, at), ==, EXCP_INTERRUPT);
    g_assert_cmphex(m->env->pc, ==, at);
    g_assert_cmpuint(m->env->gpr[1], ==, 3);
    g_assert_cmpuint(settled_total(m, &pool), ==, 0);
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmpuint(settled_total(m, &pool), ==, 2 * 3 + 1);
    machine_free(m);
}

/* The opcodes of the TB at pc translated with flags, as a string of op numbers. */
static GString *tb_opcodes(Machine *m, uint64_t pc, uint64_t flags, unsigned *nb_budget_refs)
{
    CPUCommon *cpu = &m->cpu->common;
    TCGContext *s = cpu->tcg;
    TranslationBlock tb = {.pc = pc, .flags = flags};
    tcg_func_start(s, &tb);
    cpu->cls->translate(cpu, s, pc, flags, 512);
    GString *ops = g_string_new(NULL);
    *nb_budget_refs = 0;
    for (uint32_t i = 0; i < s->nb_ops; i++) {
        const TCGOp *op = &s->ops[i];
        bool host_mem = op->opc >= TCG_OP_LD8U && op->opc <= TCG_OP_ST64;
        if (host_mem && (int32_t)op->args[2] == CPU_ICOUNT_BUDGET_OFFSET) {
            (*nb_budget_refs)++;
        }
        g_string_append_printf(ops, "%u,", op->opc);
    }
    return ops;
}

/*
 * Without counting, the IR has no trace of the budget: a TB starts with the exit-request
 * test alone (ld32u, brcond), where a counting one tests both at once (ld32u, ld64, neg,
 * sub, or, brcond, st64), and everything after is the same op for op.
 */
static void test_ir_without_counting(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    uint64_t at = put_code(m, count_loop, G_N_ELEMENTS(count_loop));
    unsigned refs_off, refs_on;
    g_autoptr(GString) off = tb_opcodes(m, at, 0, &refs_off);
    g_autoptr(GString) on = tb_opcodes(m, at, TB_FLAG_ICOUNT, &refs_on);
    g_assert_cmpuint(refs_off, ==, 0);
    g_assert_cmpuint(refs_on, ==, 2);
    g_autofree char *head_off = g_strdup_printf("%u,%u,", TCG_OP_LD32U, TCG_OP_BRCOND);
    g_autofree char *head_on =
        g_strdup_printf("%u,%u,%u,%u,%u,%u,%u,", TCG_OP_LD32U, TCG_OP_LD64, TCG_OP_NEG, TCG_OP_SUB,
                        TCG_OP_OR, TCG_OP_BRCOND, TCG_OP_ST64);
    g_assert_true(g_str_has_prefix(off->str, head_off));
    g_assert_true(g_str_has_prefix(on->str, head_on));
    g_assert_cmpstr(on->str + strlen(head_on), ==, off->str + strlen(head_off));
    machine_free(m);
}

void riscv_icount_tests_add(const TCGBackendOps *ops)
{
    riscv_test_add(ops, "icount/loop", test_count_loop);
    riscv_test_add(ops, "icount/limit", test_limit);
    riscv_test_add(ops, "icount/fault-mid-tb", test_fault_mid_tb);
    riscv_test_add(ops, "icount/exit-request", test_exit_request);
    riscv_test_add(ops, "icount/ir-without-counting", test_ir_without_counting);
}

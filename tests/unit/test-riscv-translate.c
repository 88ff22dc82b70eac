/*
 * The RV64 frontend end to end, on every backend: guest code runs on a RISCVCPU until an
 * ecall or an exception stops cpu_exec, and the registers, memory and stop pc are
 * compared with answers computed in C. The instruction words were assembled with
 * riscv64-linux-gnu-as (-march=rv64gc_zba_zbb_zbs); the source is beside each.
 *
 * This file has the test machine and the control and system side: jumps and linking
 * (also by every offset bit), faults and illegal encodings at their exact pc, fetch
 * refused mid-TB, breakpoints, fences, x0, the CSRs and the atomics. The data side (ALU,
 * loads and stores, compressed forms) is in test-riscv-translate-alu.c.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "tcg-harness.h"
#include "test-riscv-translate.h"
#include "vmcore/log.h"

static bool test_fetch_code(CPUCommon *cpu, uint64_t pc, void *buf, size_t len)
{
    Machine *m = cpu->mem_opaque;
    if (pc >= m->exec_end || len > m->exec_end - pc) {
        return false;
    }
    memcpy(buf, m->mem + pc, len);
    return true;
}

static void *test_probe(CPUCommon *cpu, uint64_t addr, size_t len, CPUAccessType type)
{
    Machine *m = cpu->mem_opaque;
    if (addr >= GUEST_SIZE || len > GUEST_SIZE - addr) {
        return NULL;
    }
    return m->mem + addr;
}

static const CPUMemoryOps test_memory_ops = {
    .fetch_code = test_fetch_code,
    .probe = test_probe,
};

Machine *machine_new(const TCGBackendOps *ops)
{
    g_autoptr(GError) err = NULL;
    Machine *m = g_new0(Machine, 1);
    m->mem = g_malloc0(GUEST_SIZE + 4096);
    m->exec_end = GUEST_SIZE;
    m->next_code = CODE;
    TCGGuestMemory gm = {
        .model = TCG_MEM_USER,
        .guest_base = (uintptr_t)m->mem,
        .guest_limit = GUEST_SIZE,
        .fault_helper = riscv_cpu_class.mem_fault,
    };
    m->cb = tcg_code_buffer_new(16u << 20, TCG_CB_AUTO, &err);
    g_assert_no_error(err);
    m->be = tcg_backend_new(ops, m->cb, &gm, &err);
    g_assert_no_error(err);
    m->tbs = tb_cache_new(m->be, riscv_cpu_class.insn_start_words);
    m->cpu = g_aligned_alloc0(1, sizeof(RISCVCPU), alignof(RISCVCPU));
    cpu_common_init(&m->cpu->common, &riscv_cpu_class, m->tbs);
    m->cpu->common.mem = &test_memory_ops;
    m->cpu->common.mem_opaque = m;
    m->env = &m->cpu->env;
    m->env->load_res = UINT64_MAX;
    return m;
}

void machine_free(Machine *m)
{
    cpu_common_destroy(&m->cpu->common);
    g_aligned_free(m->cpu);
    tb_cache_free(m->tbs);
    tcg_backend_free(m->be);
    tcg_code_buffer_free(m->cb);
    g_free(m->mem);
    g_free(m);
}

uint64_t put_code_at(Machine *m, uint64_t addr, const uint32_t *insns, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned len = (insns[i] & 3) == 3 ? 4 : 2;
        for (unsigned k = 0; k < len; k++) {
            m->mem[addr + k] = (uint8_t)(insns[i] >> 8 * k);
        }
        addr += len;
    }
    return addr;
}

uint64_t put_code(Machine *m, const uint32_t *insns, size_t n)
{
    uint64_t at = m->next_code;
    m->next_code = (put_code_at(m, at, insns, n) + 7) & ~UINT64_C(7);
    return at;
}

int run(Machine *m, uint64_t pc)
{
    m->env->pc = pc;
    return cpu_exec(&m->cpu->common);
}

uint32_t with_regs(uint32_t insn, const RegChoice *r, bool has_rs2)
{
    insn &= ~(0x1fu << 7 | 0x1fu << 15);
    insn |= r->rd << 7 | r->rs1 << 15;
    if (has_rs2) {
        insn = (insn & ~(0x1fu << 20)) | r->rs2 << 20;
    }
    return insn;
}

bool check_regs(const Machine *m, const uint64_t *want, const char *what, uint64_t a, uint64_t b)
{
    for (unsigned i = 0; i < 4; i++) {
        if (m->env->gpr[i] != want[i]) {
            g_test_fail_printf("%s, x1 = %#" PRIx64 ", x2 = %#" PRIx64 ": x%u = %#" PRIx64
                               ", want %#" PRIx64,
                               what, a, b, i, m->env->gpr[i], want[i]);
            return false;
        }
    }
    return true;
}

static void test_jumps(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t jumps[] = {
        0x008000ef, /* jal x1, f */
        0x00000073, /* ecall */
        0x00008293, /* addi x5, x1, 0 */
        0x00c083e7, /* jalr x7, 12(x1) */
        0x02100313, /* addi x6, x0, 33 */
        0x00008067, /* jalr x0, 0(x1) */
    };
    uint64_t at = put_code(m, jumps, G_N_ELEMENTS(jumps));
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 4);
    g_assert_cmphex(m->env->gpr[1], ==, at + 4);
    g_assert_cmphex(m->env->gpr[5], ==, at + 4);
    g_assert_cmphex(m->env->gpr[7], ==, at + 16);
    g_assert_cmpuint(m->env->gpr[6], ==, 33);

    /* jalr clears bit 0 of the target, and computes it before writing rd = rs1. */
    static const uint32_t odd[] = {
        0x001301e7, /* jalr x3, 1(x6) */
        0x00000073, /* ecall */
        0x00000073, /* ecall */
        0xffc30367, /* jalr x6, -4(x6) */
    };
    at = put_code(m, odd, G_N_ELEMENTS(odd));
    m->env->gpr[6] = at + 12;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 8);
    g_assert_cmphex(m->env->gpr[3], ==, at + 4);
    g_assert_cmphex(m->env->gpr[6], ==, at + 16);
    machine_free(m);
}

static void test_compressed_jumps(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0xa019,     /* c.j f */
        0x00000073, /* ecall */
        0x9302,     /* c.jalr x6 */
        0x00000073, /* ecall */
        0x0001,     /* c.nop */
        0x8082,     /* c.jr x1 */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    m->env->gpr[6] = at + 12;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 8);
    g_assert_cmphex(m->env->gpr[1], ==, at + 8);

    /* c.jalr x1 jumps to the old x1. */
    static const uint32_t jalr_ra[] = {
        0x9082,     /* c.jalr x1 */
        0x00000073, /* ecall */
        0x00000073, /* ecall */
    };
    at = put_code(m, jalr_ra, G_N_ELEMENTS(jalr_ra));
    m->env->gpr[1] = at + 6;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 6);
    g_assert_cmphex(m->env->gpr[1], ==, at + 2);

    /* A loop on compressed branches, chained to itself. */
    static const uint32_t loop[] = {
        0x4401,     /* c.li x8, 0 */
        0x3e800493, /* addi x9, x0, 1000 */
        0x9426,     /* c.add x8, x9 */
        0x14fd,     /* c.addi x9, -1 */
        0xfcf5,     /* c.bnez x9, loop */
        0xc099,     /* c.beqz x9, end */
        0x00000073, /* ecall */
        0x0405,     /* c.addi x8, 1 */
        0x00000073, /* ecall */
    };
    at = put_code(m, loop, G_N_ELEMENTS(loop));
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 20);
    g_assert_cmpuint(m->env->gpr[8], ==, 1000 * 1001 / 2 + 1);
    g_assert_cmpuint(m->env->gpr[9], ==, 0);
    machine_free(m);
}

static const struct {
    uint32_t insn;
    const char *text;
    int32_t offset;
    uint64_t x8;
    bool link; /* writes the return address to x1 */
} jump_cases[] = {
    {0x00a0006f, "jal x0, .+10", 10, 0, false},
    {0x0040006f, "jal x0, .+4", 4, 0, false},
    {0x0080006f, "jal x0, .+8", 8, 0, false},
    {0x0100006f, "jal x0, .+16", 16, 0, false},
    {0x0200006f, "jal x0, .+32", 32, 0, false},
    {0x0400006f, "jal x0, .+64", 64, 0, false},
    {0x0800006f, "jal x0, .+128", 128, 0, false},
    {0x1000006f, "jal x0, .+256", 256, 0, false},
    {0x2000006f, "jal x0, .+512", 512, 0, false},
    {0x4000006f, "jal x0, .+1024", 1024, 0, false},
    {0x0010006f, "jal x0, .+2048", 2048, 0, false},
    {0x0000106f, "jal x0, .+4096", 4096, 0, false},
    {0x0000206f, "jal x0, .+8192", 8192, 0, false},
    {0x0000406f, "jal x0, .+16384", 16384, 0, false},
    {0x0000806f, "jal x0, .+32768", 32768, 0, false},
    {0x0001006f, "jal x0, .+65536", 65536, 0, false},
    {0x0002006f, "jal x0, .+131072", 131072, 0, false},
    {0x0004006f, "jal x0, .+262144", 262144, 0, false},
    {0x0008006f, "jal x0, .+524288", 524288, 0, false},
    {0x8000006f, "jal x0, .-1048576", -1048576, 0, false},
    {0x7ffff06f, "jal x0, .+1048574", 1048574, 0, false},
    {0x00a000ef, "jal x1, .+10", 10, 0, true},
    {0xfffff0ef, "jal x1, .-2", -2, 0, true},
    {0x000010ef, "jal x1, .+4096", 4096, 0, true},
    {0x800ff0ef, "jal x1, .-4096", -4096, 0, true},
    {0x00000563, "beq x0, x0, .+10", 10, 0, false},
    {0x00000263, "beq x0, x0, .+4", 4, 0, false},
    {0x00000463, "beq x0, x0, .+8", 8, 0, false},
    {0x00000863, "beq x0, x0, .+16", 16, 0, false},
    {0x02000063, "beq x0, x0, .+32", 32, 0, false},
    {0x04000063, "beq x0, x0, .+64", 64, 0, false},
    {0x08000063, "beq x0, x0, .+128", 128, 0, false},
    {0x10000063, "beq x0, x0, .+256", 256, 0, false},
    {0x20000063, "beq x0, x0, .+512", 512, 0, false},
    {0x40000063, "beq x0, x0, .+1024", 1024, 0, false},
    {0x000000e3, "beq x0, x0, .+2048", 2048, 0, false},
    {0x80000063, "beq x0, x0, .-4096", -4096, 0, false},
    {0x7e000fe3, "beq x0, x0, .+4094", 4094, 0, false},
    {0x00047563, "bgeu x8, x0, .+10", 10, 0, false},
    {0xfe047fe3, "bgeu x8, x0, .-2", -2, 0, false},
    {0x000470e3, "bgeu x8, x0, .+2048", 2048, 0, false},
    {0x800470e3, "bgeu x8, x0, .-2048", -2048, 0, false},
    {0xa009, "c.j .+2", 2, 0, false},
    {0xa011, "c.j .+4", 4, 0, false},
    {0xa021, "c.j .+8", 8, 0, false},
    {0xa801, "c.j .+16", 16, 0, false},
    {0xa005, "c.j .+32", 32, 0, false},
    {0xa081, "c.j .+64", 64, 0, false},
    {0xa041, "c.j .+128", 128, 0, false},
    {0xa201, "c.j .+256", 256, 0, false},
    {0xa401, "c.j .+512", 512, 0, false},
    {0xa101, "c.j .+1024", 1024, 0, false},
    {0xb001, "c.j .-2048", -2048, 0, false},
    {0xaffd, "c.j .+2046", 2046, 0, false},
    {0xc009, "c.beqz x8, .+2", 2, 0, false},
    {0xc011, "c.beqz x8, .+4", 4, 0, false},
    {0xc401, "c.beqz x8, .+8", 8, 0, false},
    {0xc801, "c.beqz x8, .+16", 16, 0, false},
    {0xc005, "c.beqz x8, .+32", 32, 0, false},
    {0xc021, "c.beqz x8, .+64", 64, 0, false},
    {0xc041, "c.beqz x8, .+128", 128, 0, false},
    {0xd001, "c.beqz x8, .-256", -256, 0, false},
    {0xcc7d, "c.beqz x8, .+254", 254, 0, false},
    {0xe009, "c.bnez x8, .+2", 2, 1, false},
    {0xe011, "c.bnez x8, .+4", 4, 1, false},
    {0xe401, "c.bnez x8, .+8", 8, 1, false},
    {0xe801, "c.bnez x8, .+16", 16, 1, false},
    {0xe005, "c.bnez x8, .+32", 32, 1, false},
    {0xe021, "c.bnez x8, .+64", 64, 1, false},
    {0xe041, "c.bnez x8, .+128", 128, 1, false},
    {0xf001, "c.bnez x8, .-256", -256, 1, false},
};

/* Writes code at addr and drops the TBs translated from what was there. */
static void replace_code(Machine *m, uint64_t addr, uint32_t insn)
{
    put_code_at(m, addr, &insn, 1);
    tb_invalidate_range(m->tbs, addr, addr + 4);
}

/*
 * Jumps and taken branches by every single-bit offset, the largest negative and the
 * largest positive: each lands on a c.ebreak at its target (the memory around is zero,
 * an illegal instruction).
 */
static void test_jump_offsets(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(jump_cases); i++) {
        uint64_t target = JUMP + (int64_t)jump_cases[i].offset;
        unsigned len = (jump_cases[i].insn & 3) == 3 ? 4 : 2;
        replace_code(m, JUMP, jump_cases[i].insn);
        replace_code(m, target, 0x9002 /* c.ebreak */);
        m->env->gpr[1] = 0;
        m->env->gpr[8] = jump_cases[i].x8;
        if (run(m, JUMP) != RISCV_EXCP_BREAKPOINT || m->env->pc != target) {
            g_test_fail_printf("%s: exception %d at %#" PRIx64, jump_cases[i].text,
                               m->cpu->common.exception_index, m->env->pc);
        }
        g_assert_cmphex(m->env->gpr[1], ==, jump_cases[i].link ? JUMP + len : 0);
        replace_code(m, target, 0);
    }
    machine_free(m);
}

/* A load or store beyond the guest's memory faults at its pc, with badaddr. */
static void test_memory_faults(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t load[] = {
        0x00b00213, /* addi x4, x0, 11 */
        0x0080b183, /* ld x3, 8(x1) */
        0x00000073, /* ecall */
    };
    static const uint32_t store[] = {
        0x00c00213, /* addi x4, x0, 12 */
        0xfe209f23, /* sh x2, -2(x1) */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, load, G_N_ELEMENTS(load));
    m->env->gpr[1] = GUEST_SIZE;
    m->env->gpr[3] = SENTINEL;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_LOAD_PAGE_FAULT);
    g_assert_cmphex(m->env->pc, ==, at + 4);
    g_assert_cmphex(m->env->badaddr, ==, GUEST_SIZE + 8);
    g_assert_cmpuint(m->env->gpr[4], ==, 11);
    g_assert_cmphex(m->env->gpr[3], ==, SENTINEL);

    at = put_code(m, store, G_N_ELEMENTS(store));
    m->env->gpr[1] = 1;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_STORE_PAGE_FAULT);
    g_assert_cmphex(m->env->pc, ==, at + 4);
    g_assert_cmphex(m->env->badaddr, ==, UINT64_MAX);
    g_assert_cmpuint(m->env->gpr[4], ==, 12);
    machine_free(m);
}

static const struct {
    uint32_t insn;
    const char *text;
} illegal_cases[] = {
    {0x0000, "all-zero parcel"},
    {0x0004, "c.addi4spn x9, x2, 0"},
    {0x8000, "quadrant 0, funct3 100"},
    {0x2005, "c.addiw x0, 1"},
    {0x6101, "c.addi16sp x2, 0"},
    {0x6281, "c.lui x5, 0"},
    {0x9c41, "quadrant 1, reserved funct2 10 of c.subw"},
    {0x4002, "c.lwsp x0, 0(x2)"},
    {0x6002, "c.ldsp x0, 0(x2)"},
    {0x8002, "c.jr x0"},
    {0x0210919b, "slliw x3, x1, 33 (shamt[5] set)"},
    {0x4210d19b, "sraiw x3, x1, 33 (shamt[5] set)"},
    {0x04209193, "slli x3, x1, 2 with funct6 000001"},
    {0x0800c1b3, "zext.h x3, x1 in its RV32 encoding (pack)"},
    {0x6980d193, "rev8 x3, x1 in its RV32 encoding"},
    {0x300021f3, "csrrs x3, mstatus, x0: not a user CSR"},
    {0xc80021f3, "csrrs x3, cycleh, x0: RV32 only"},
    {0xc0009073, "csrrw x0, cycle, x1: cycle is read-only"},
    {0xc010a1f3, "csrrs x3, time, x1: writes time"},
    {0xc020d1f3, "csrrwi x3, instret, 1"},
    {0xc00011f3, "csrrw x3, cycle, x0: csrrw always writes"},
    {0x1010a1af, "lr.w x3, (x1) with rs2 = x1"},
    {0x000000f3, "ecall with rd = x1"},
    {0xffffffff, "all-ones word"},
    {0x0000007f, "opcode 1111111 (a long encoding)"},
};

/* Illegal encodings stop at their own pc, in the middle of a TB and at its start. */
static void test_illegal(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    for (size_t i = 0; i < G_N_ELEMENTS(illegal_cases); i++) {
        const uint32_t code[] = {0x00700193 /* addi x3, x0, 7 */, illegal_cases[i].insn, ECALL};
        uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
        m->env->gpr[1] = 1;
        m->env->gpr[3] = 0;
        if (run(m, at) != RISCV_EXCP_ILLEGAL_INST || m->env->pc != at + 4) {
            g_test_fail_printf("%s: exception %d at %#" PRIx64, illegal_cases[i].text,
                               m->cpu->common.exception_index, m->env->pc);
        }
        g_assert_cmpuint(m->env->gpr[3], ==, 7);
        g_assert_cmpint(run(m, at + 4), ==, RISCV_EXCP_ILLEGAL_INST);
        g_assert_cmphex(m->env->pc, ==, at + 4);
    }
    machine_free(m);
}

static void test_ebreak(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t ebreak[] = {
        0x00900193, /* addi x3, x0, 9 */
        0x00100073, /* ebreak */
    };
    static const uint32_t cebreak[] = {
        0x41a5, /* c.li x3, 9 */
        0x9002, /* c.ebreak */
    };
    uint64_t at = put_code(m, ebreak, G_N_ELEMENTS(ebreak));
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_BREAKPOINT);
    g_assert_cmphex(m->env->pc, ==, at + 4);
    g_assert_cmpuint(m->env->gpr[3], ==, 9);
    at = put_code(m, cebreak, G_N_ELEMENTS(cebreak));
    m->env->gpr[3] = 0;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_BREAKPOINT);
    g_assert_cmphex(m->env->pc, ==, at + 2);
    g_assert_cmpuint(m->env->gpr[3], ==, 9);
    machine_free(m);
}

static void test_fences(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0x0330000f, /* fence rw, rw */
        0x8330000f, /* fence.tso */
        0x0220000f, /* fence r, r */
        0x0000100f, /* fence.i */
        0x00500193, /* addi x3, x0, 5 */
        0x0000100f, /* fence.i */
        0x00118213, /* addi x4, x3, 1 */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 28);
    g_assert_cmpuint(m->env->gpr[4], ==, 6);
    machine_free(m);
}

/* Writes to x0 of every kind are dropped; the loads, the AMO and the jump still happen. */
static void test_x0(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0x00500013, /* addi x0, x0, 5 */
        0x12345037, /* lui x0, 0x12345 */
        0x00108033, /* add x0, x1, x1 */
        0x00013003, /* ld x0, 0(x2) */
        0x1001302f, /* lr.d x0, (x2) */
        0x0011302f, /* amoadd.d x0, x1, (x2) */
        0x0040006f, /* jal x0, next */
        0x00302073, /* csrrs x0, fcsr, x0 */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    m->env->gpr[1] = 5;
    m->env->gpr[2] = DATA;
    m->mem[DATA] = 10;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, at + 32);
    g_assert_cmpuint(m->env->gpr[0], ==, 0);
    g_assert_cmpuint(m->mem[DATA], ==, 15);
    machine_free(m);
}

static void test_csr_fp(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0x003091f3, /* csrrw x3, fcsr, x1 */
        0x00102273, /* csrrs x4, fflags, x0 */
        0x002022f3, /* csrrs x5, frm, x0 */
        0x0011f373, /* csrrci x6, fflags, 3 */
        0x002113f3, /* csrrw x7, frm, x2 */
        0x00302473, /* csrrs x8, fcsr, x0 */
        0x002064f3, /* csrrsi x9, frm, 0 */
        0x001ad073, /* csrrwi x0, fflags, 0x15 */
        0x00313573, /* csrrc x10, fcsr, x2 */
        0x003025f3, /* csrrs x11, fcsr, x0 */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    const uint64_t want[12] = {0, UINT64_MAX, 0xa5, 0x43, 0x1f, 7, 0x1f, 7, 0xbc, 5, 0xb5, 0x10};
    m->env->gpr[1] = UINT64_MAX;
    m->env->gpr[2] = 0xa5;
    m->env->fflags = 0x3;
    m->env->frm = 0x2;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmphex(m->env->gpr[i], ==, want[i]);
    }
    g_assert_cmphex(m->env->fflags, ==, 0x10);
    g_assert_cmphex(m->env->frm, ==, 0);
    machine_free(m);
}

static uint64_t host_time_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000 + (uint64_t)ts.tv_nsec / 100;
}

/* time runs at 10 MHz on CLOCK_MONOTONIC; cycle and instret count up. */
static void test_csr_counters(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0xc00021f3, /* csrrs x3, cycle, x0 */
        0xc0102273, /* csrrs x4, time, x0 */
        0xc02022f3, /* csrrs x5, instret, x0 */
        0x00000013, /* addi x0, x0, 0 */
        0xc0102373, /* csrrs x6, time, x0 */
        0xc00023f3, /* csrrs x7, cycle, x0 */
        0xc0102073, /* csrrs x0, time, x0 */
        0xc0107473, /* csrrci x8, time, 0 */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    uint64_t before = host_time_ticks();
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    uint64_t after = host_time_ticks();
    const uint64_t *x = m->env->gpr;
    g_assert_cmpuint(x[4], >=, before);
    g_assert_cmpuint(x[4], <=, x[6]);
    g_assert_cmpuint(x[6], <=, x[8]);
    g_assert_cmpuint(x[8], <=, after);
    g_assert_cmpuint(x[3], >, 0);
    g_assert_cmpuint(x[3], <=, x[5]);
    g_assert_cmpuint(x[5], <=, x[7]);
    machine_free(m);
}

enum { AMO_SWAP, AMO_ADD, AMO_XOR, AMO_AND, AMO_OR, AMO_MIN, AMO_MAX, AMO_MINU, AMO_MAXU };

static const struct {
    uint32_t insn;
    const char *text;
    int op;
    unsigned size;
} amo_cases[] = {
    {0x0820a1af, "amoswap.w x3, x2, (x1)", AMO_SWAP, 4},
    {0x0e20a1af, "amoswap.w.aqrl x3, x2, (x1)", AMO_SWAP, 4},
    {0x0020a1af, "amoadd.w x3, x2, (x1)", AMO_ADD, 4},
    {0x0620a1af, "amoadd.w.aqrl x3, x2, (x1)", AMO_ADD, 4},
    {0x2020a1af, "amoxor.w x3, x2, (x1)", AMO_XOR, 4},
    {0x2620a1af, "amoxor.w.aqrl x3, x2, (x1)", AMO_XOR, 4},
    {0x6020a1af, "amoand.w x3, x2, (x1)", AMO_AND, 4},
    {0x6620a1af, "amoand.w.aqrl x3, x2, (x1)", AMO_AND, 4},
    {0x4020a1af, "amoor.w x3, x2, (x1)", AMO_OR, 4},
    {0x4620a1af, "amoor.w.aqrl x3, x2, (x1)", AMO_OR, 4},
    {0x8020a1af, "amomin.w x3, x2, (x1)", AMO_MIN, 4},
    {0x8620a1af, "amomin.w.aqrl x3, x2, (x1)", AMO_MIN, 4},
    {0xa020a1af, "amomax.w x3, x2, (x1)", AMO_MAX, 4},
    {0xa620a1af, "amomax.w.aqrl x3, x2, (x1)", AMO_MAX, 4},
    {0xc020a1af, "amominu.w x3, x2, (x1)", AMO_MINU, 4},
    {0xc620a1af, "amominu.w.aqrl x3, x2, (x1)", AMO_MINU, 4},
    {0xe020a1af, "amomaxu.w x3, x2, (x1)", AMO_MAXU, 4},
    {0xe620a1af, "amomaxu.w.aqrl x3, x2, (x1)", AMO_MAXU, 4},
    {0x0820b1af, "amoswap.d x3, x2, (x1)", AMO_SWAP, 8},
    {0x0e20b1af, "amoswap.d.aqrl x3, x2, (x1)", AMO_SWAP, 8},
    {0x0020b1af, "amoadd.d x3, x2, (x1)", AMO_ADD, 8},
    {0x0620b1af, "amoadd.d.aqrl x3, x2, (x1)", AMO_ADD, 8},
    {0x2020b1af, "amoxor.d x3, x2, (x1)", AMO_XOR, 8},
    {0x2620b1af, "amoxor.d.aqrl x3, x2, (x1)", AMO_XOR, 8},
    {0x6020b1af, "amoand.d x3, x2, (x1)", AMO_AND, 8},
    {0x6620b1af, "amoand.d.aqrl x3, x2, (x1)", AMO_AND, 8},
    {0x4020b1af, "amoor.d x3, x2, (x1)", AMO_OR, 8},
    {0x4620b1af, "amoor.d.aqrl x3, x2, (x1)", AMO_OR, 8},
    {0x8020b1af, "amomin.d x3, x2, (x1)", AMO_MIN, 8},
    {0x8620b1af, "amomin.d.aqrl x3, x2, (x1)", AMO_MIN, 8},
    {0xa020b1af, "amomax.d x3, x2, (x1)", AMO_MAX, 8},
    {0xa620b1af, "amomax.d.aqrl x3, x2, (x1)", AMO_MAX, 8},
    {0xc020b1af, "amominu.d x3, x2, (x1)", AMO_MINU, 8},
    {0xc620b1af, "amominu.d.aqrl x3, x2, (x1)", AMO_MINU, 8},
    {0xe020b1af, "amomaxu.d x3, x2, (x1)", AMO_MAXU, 8},
    {0xe620b1af, "amomaxu.d.aqrl x3, x2, (x1)", AMO_MAXU, 8},
};

/* The new memory value: 32-bit operations on the low words, signed ones on int32. */
static uint64_t ref_amo(int op, unsigned size, uint64_t old, uint64_t val)
{
    unsigned shift = 64 - 8 * size;
    int64_t so = (int64_t)(old << shift), sv = (int64_t)(val << shift);
    uint64_t uo = old << shift, uv = val << shift;
    uint64_t r;
    switch (op) {
    case AMO_SWAP: r = uv; break;
    case AMO_ADD: r = uo + uv; break;
    case AMO_XOR: r = uo ^ uv; break;
    case AMO_AND: r = uo & uv; break;
    case AMO_OR: r = uo | uv; break;
    case AMO_MIN: r = so < sv ? uo : uv; break;
    case AMO_MAX: r = so > sv ? uo : uv; break;
    case AMO_MINU: r = uo < uv ? uo : uv; break;
    default: r = uo > uv ? uo : uv; break;
    }
    return r >> shift;
}

static const RegChoice amo_choices[] = {{3, 1, 2}, {2, 1, 2}, {1, 1, 2}, {0, 1, 2}};

static void check_amo(Machine *m, size_t i, const RegChoice *r, uint64_t old, uint64_t val)
{
    const unsigned size = amo_cases[i].size;
    const uint64_t addr = DATA + 0x200;
    uint32_t code[2] = {with_regs(amo_cases[i].insn, r, true), ECALL};
    uint64_t at = put_code(m, code, 2);
    uint64_t want[4] = {0, addr, val, SENTINEL};
    memcpy(m->env->gpr, want, sizeof(want));
    memcpy(m->mem + addr, &old, 8);
    want[r->rd] = size == 4 ? sext32(old) : old;
    want[0] = 0;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    if (!check_regs(m, want, amo_cases[i].text, addr, val)) {
        return;
    }
    uint64_t mem, want_mem = ref_amo(amo_cases[i].op, size, old, val);
    if (size == 4) {
        want_mem |= old & ~UINT64_C(0xffffffff);
    }
    memcpy(&mem, m->mem + addr, 8);
    g_assert_cmphex(mem, ==, want_mem);
}

static void test_amo(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint64_t values[] = {0,
                                      1,
                                      UINT64_MAX,
                                      UINT64_C(0x7fffffff),
                                      UINT64_C(0x80000000),
                                      UINT64_C(0x8000000000000000),
                                      UINT64_C(0x7fffffffffffffff),
                                      UINT64_C(0x123456789abcdef0)};
    for (size_t i = 0; i < G_N_ELEMENTS(amo_cases); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(amo_choices); k++) {
            for (size_t a = 0; a < G_N_ELEMENTS(values); a++) {
                for (size_t b = 0; b < G_N_ELEMENTS(values); b++) {
                    check_amo(m, i, &amo_choices[k], values[a], values[b]);
                }
            }
        }
    }
    machine_free(m);
}

static void test_lr_sc(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    static const uint32_t code[] = {
        0x1000b1af, /* lr.d x3, (x1) */
        0x1820b22f, /* sc.d x4, x2, (x1) */
        0x1820b2af, /* sc.d x5, x2, (x1) */
        0x1403a32f, /* lr.w.aq x6, (x7) */
        0x1a23a42f, /* sc.w.rl x8, x2, (x7) */
        0x1000b4af, /* lr.d x9, (x1) */
        0x1823b52f, /* sc.d x10, x2, (x7) */
        0x1000b5af, /* lr.d x11, (x1) */
        0x0000b023, /* sd x0, 0(x1) */
        0x1820b62f, /* sc.d x12, x2, (x1) */
        0x00000073, /* ecall */
    };
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    const uint64_t d0 = UINT64_C(0x1122334455667788), w0 = UINT64_C(0x80000001);
    const uint64_t value = UINT64_C(0xfedcba9876543210);
    memcpy(m->mem + DATA, &d0, 8);
    memcpy(m->mem + DATA + 8, &w0, 8);
    m->env->gpr[1] = DATA;
    m->env->gpr[2] = value;
    m->env->gpr[7] = DATA + 8;
    g_assert_cmpint(run(m, at), ==, RISCV_EXCP_U_ECALL);
    const uint64_t *x = m->env->gpr;
    g_assert_cmphex(x[3], ==, d0);
    g_assert_cmpuint(x[4], ==, 0);
    g_assert_cmpuint(x[5], ==, 1);
    g_assert_cmphex(x[6], ==, sext32(w0));
    g_assert_cmpuint(x[8], ==, 0);
    g_assert_cmphex(x[9], ==, value);
    g_assert_cmpuint(x[10], ==, 1);
    g_assert_cmpuint(x[12], ==, 1);
    uint64_t mem[2];
    memcpy(mem, m->mem + DATA, sizeof(mem));
    g_assert_cmphex(mem[0], ==, 0);
    g_assert_cmphex(mem[1], ==, (value & 0xffffffff));
    g_assert_cmphex(m->env->load_res, ==, UINT64_MAX);
    machine_free(m);
}

/* Runs one atomic instruction that must fault, after an addi that must have run. */
static void check_atomic_fault(Machine *m, uint32_t insn, uint64_t addr, int excp)
{
    const uint32_t code[] = {0x00d00213 /* addi x4, x0, 13 */, insn, ECALL};
    uint64_t at = put_code(m, code, G_N_ELEMENTS(code));
    m->env->gpr[1] = addr;
    m->env->gpr[3] = SENTINEL;
    m->env->gpr[4] = 0;
    m->env->badaddr = 0;
    g_assert_cmpint(run(m, at), ==, excp);
    g_assert_cmphex(m->env->pc, ==, at + 4);
    g_assert_cmphex(m->env->badaddr, ==, addr);
    g_assert_cmpuint(m->env->gpr[4], ==, 13);
    g_assert_cmphex(m->env->gpr[3], ==, SENTINEL);
}

static void test_atomic_faults(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    const uint32_t amoadd_w = 0x0020a1af;  /* amoadd.w x3, x2, (x1) */
    const uint32_t amoswap_d = 0x0820b1af; /* amoswap.d x3, x2, (x1) */
    const uint32_t lr_d = 0x1000b1af;      /* lr.d x3, (x1) */
    const uint32_t sc_w = 0x1820a1af;      /* sc.w x3, x2, (x1) */
    check_atomic_fault(m, amoadd_w, DATA + 2, RISCV_EXCP_STORE_AMO_ADDR_MIS);
    check_atomic_fault(m, amoswap_d, DATA + 4, RISCV_EXCP_STORE_AMO_ADDR_MIS);
    check_atomic_fault(m, amoswap_d, GUEST_SIZE, RISCV_EXCP_STORE_PAGE_FAULT);
    check_atomic_fault(m, lr_d, DATA + 4, RISCV_EXCP_LOAD_ADDR_MIS);
    check_atomic_fault(m, lr_d, GUEST_SIZE + 8, RISCV_EXCP_LOAD_PAGE_FAULT);
    m->env->load_res = DATA + 1;
    check_atomic_fault(m, sc_w, DATA + 1, RISCV_EXCP_STORE_AMO_ADDR_MIS);
    machine_free(m);
}

/*
 * Code up to a page boundary that the next page cannot be fetched from: the instruction
 * that straddles it ends the TB before itself, then faults as the first of its own TB,
 * with badaddr on the refused page. Once the page is executable and invalidated (the
 * faulting TBs covered it), the same code runs through.
 */
static void test_fetch_faults(gconstpointer ops)
{
    Machine *m = machine_new(ops);
    const uint64_t page = 0x20000;
    const uint32_t code[] = {
        0x00900193, /* addi x3, x0, 9 */
        0x0001,     /* c.nop */
        0x00100213, /* addi x4, x0, 1: straddles the boundary */
        ECALL,
    };
    put_code_at(m, page - 8, code, G_N_ELEMENTS(code));
    m->exec_end = page;
    g_assert_cmpint(run(m, page - 8), ==, RISCV_EXCP_INST_PAGE_FAULT);
    g_assert_cmphex(m->env->pc, ==, page - 2);
    g_assert_cmphex(m->env->badaddr, ==, page);
    g_assert_cmpuint(m->env->gpr[3], ==, 9);
    g_assert_cmpuint(m->env->gpr[4], ==, 0);

    g_assert_cmpint(run(m, page + 2), ==, RISCV_EXCP_INST_PAGE_FAULT);
    g_assert_cmphex(m->env->pc, ==, page + 2);
    g_assert_cmphex(m->env->badaddr, ==, page + 2);

    m->exec_end = page + 0x1000;
    tb_invalidate_range(m->tbs, page, page + 0x1000);
    g_assert_cmpint(run(m, page - 8), ==, RISCV_EXCP_U_ECALL);
    g_assert_cmphex(m->env->pc, ==, page + 2);
    g_assert_cmpuint(m->env->gpr[4], ==, 1);
    machine_free(m);
}

void riscv_test_add(const TCGBackendOps *ops, const char *name, GTestDataFunc fn)
{
    g_autofree char *path = g_strdup_printf("/riscv/translate/%s/%s", ops->name, name);
    g_test_add_data_func(path, ops, fn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    log_init_from_env();
    const struct {
        const char *name;
        GTestDataFunc fn;
    } tests[] = {
        {"jumps", test_jumps},
        {"compressed-jumps", test_compressed_jumps},
        {"jump-offsets", test_jump_offsets},
        {"memory-faults", test_memory_faults},
        {"illegal", test_illegal},
        {"ebreak", test_ebreak},
        {"fences", test_fences},
        {"x0", test_x0},
        {"csr-fp", test_csr_fp},
        {"csr-counters", test_csr_counters},
        {"amo", test_amo},
        {"lr-sc", test_lr_sc},
        {"atomic-faults", test_atomic_faults},
        {"fetch-faults", test_fetch_faults},
    };
    for (unsigned b = 0; b < harness_nb_backends; b++) {
        const TCGBackendOps *ops = harness_backends[b].ops;
        riscv_alu_tests_add(ops);
        riscv_icount_tests_add(ops);
        for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
            riscv_test_add(ops, tests[i].name, tests[i].fn);
        }
    }
    return g_test_run();
}

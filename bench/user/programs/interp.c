/*
 * interp: the integer-heavy C workload of bench/user/run. A small register bytecode machine
 * (16 64-bit registers, word and byte memory, a call stack), dispatched by a switch, runs
 * four programs written in its own instruction set: a prime sieve, Collatz chain lengths,
 * recursive Fibonacci (calls and returns, a stack in memory) and a multiply/xor/shift mix
 * over a table. Lots of indirect jumps, loads, stores and 64-bit arithmetic; no floating
 * point. Prints the programs' results and the number of bytecode instructions run.
 *
 *     interp [SCALE]     (default 1: about 2.4e8 bytecodes; at most 16)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Three-register forms r[a] = r[b] op r[c]; I forms r[a] = r[b] op imm; SHR logical; DIVU and
 * REMU unsigned, a zero divisor giving 0; LDW/STW move r[a] from/to word[(r[b] + imm) & WMASK],
 * LDB/STB byte[(r[b] + imm) & BMASK]; branches compare r[a] with r[b] (signed) and go to imm. */
enum {
    LI,
    MOV,
    ADD,
    SUB,
    MUL,
    AND,
    XOR,
    SHL,
    SHR,
    ADDI,
    MULI,
    ANDI,
    SHLI,
    SHRI,
    DIVU,
    REMU,
    LDW,
    STW,
    LDB,
    STB,
    BEQ,
    BNE,
    BLT,
    BGE,
    JMP,
    CALL, /* push the return pc, go to imm */
    RET,
    HALT,
};

typedef struct Insn {
    uint8_t op, a, b, c;
    int64_t imm;
} Insn;

#define WORDS   (1u << 18)
#define WMASK   (WORDS - 1)
#define BYTES   (1u << 26)
#define BMASK   (BYTES - 1)
#define CALLMAX 1024

static Insn code[1024];
static int ncode;
static uint64_t word[WORDS];
static uint8_t byte[BYTES];
static uint64_t executed;

static int emit(int op, int a, int b, int c, int64_t imm)
{
    code[ncode] = (Insn){(uint8_t)op, (uint8_t)a, (uint8_t)b, (uint8_t)c, imm};
    return ncode++;
}

/* Branches to a later label: emit with target 0, then patch(at) once the label is here. */
static void patch(int at)
{
    code[at].imm = ncode;
}

static uint64_t r[16];

static void run(int start)
{
    uint32_t pc = (uint32_t)start, sp = 0;
    uint32_t stack[CALLMAX];
    uint64_t n = 0;
    for (;;) {
        const Insn *i = &code[pc++];
        n++;
        switch (i->op) {
        case LI: r[i->a] = (uint64_t)i->imm; break;
        case MOV: r[i->a] = r[i->b]; break;
        case ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case SUB: r[i->a] = r[i->b] - r[i->c]; break;
        case MUL: r[i->a] = r[i->b] * r[i->c]; break;
        case AND: r[i->a] = r[i->b] & r[i->c]; break;
        case XOR: r[i->a] = r[i->b] ^ r[i->c]; break;
        case SHL: r[i->a] = r[i->b] << (r[i->c] & 63); break;
        case SHR: r[i->a] = r[i->b] >> (r[i->c] & 63); break;
        case ADDI: r[i->a] = r[i->b] + (uint64_t)i->imm; break;
        case MULI: r[i->a] = r[i->b] * (uint64_t)i->imm; break;
        case ANDI: r[i->a] = r[i->b] & (uint64_t)i->imm; break;
        case SHLI: r[i->a] = r[i->b] << (i->imm & 63); break;
        case SHRI: r[i->a] = r[i->b] >> (i->imm & 63); break;
        case DIVU: r[i->a] = r[i->c] ? r[i->b] / r[i->c] : 0; break;
        case REMU: r[i->a] = r[i->c] ? r[i->b] % r[i->c] : 0; break;
        case LDW: r[i->a] = word[(r[i->b] + (uint64_t)i->imm) & WMASK]; break;
        case STW: word[(r[i->b] + (uint64_t)i->imm) & WMASK] = r[i->a]; break;
        case LDB: r[i->a] = byte[(r[i->b] + (uint64_t)i->imm) & BMASK]; break;
        case STB: byte[(r[i->b] + (uint64_t)i->imm) & BMASK] = (uint8_t)r[i->a]; break;
        case BEQ:
            if (r[i->a] == r[i->b])
                pc = (uint32_t)i->imm;
            break;
        case BNE:
            if (r[i->a] != r[i->b])
                pc = (uint32_t)i->imm;
            break;
        case BLT:
            if ((int64_t)r[i->a] < (int64_t)r[i->b])
                pc = (uint32_t)i->imm;
            break;
        case BGE:
            if ((int64_t)r[i->a] >= (int64_t)r[i->b])
                pc = (uint32_t)i->imm;
            break;
        case JMP: pc = (uint32_t)i->imm; break;
        case CALL:
            stack[sp++ & (CALLMAX - 1)] = pc;
            pc = (uint32_t)i->imm;
            break;
        case RET: pc = stack[--sp & (CALLMAX - 1)]; break;
        case HALT: executed += n; return;
        default: fprintf(stderr, "interp: bad opcode %u at %u\n", i->op, pc - 1); exit(1);
        }
    }
}

/* Sieve of Eratosthenes over byte[2, r4): r3 = the number of primes. */
static int gen_sieve(void)
{
    int start = emit(LI, 0, 0, 0, 0);
    emit(LI, 7, 0, 0, 1);
    emit(LI, 1, 0, 0, 2);
    int li = emit(MUL, 6, 1, 1, 0);
    int to_count = emit(BGE, 6, 4, 0, 0);
    emit(LDB, 5, 1, 0, 0);
    int to_ni = emit(BNE, 5, 0, 0, 0);
    emit(MOV, 2, 6, 0, 0);
    int lj = emit(BGE, 2, 4, 0, 0);
    emit(STB, 7, 2, 0, 0);
    emit(ADD, 2, 2, 1, 0);
    emit(JMP, 0, 0, 0, lj);
    patch(to_ni);
    patch(lj);
    emit(ADDI, 1, 1, 0, 1);
    emit(JMP, 0, 0, 0, li);
    patch(to_count);
    emit(LI, 3, 0, 0, 0);
    emit(LI, 1, 0, 0, 2);
    int lc = emit(BGE, 1, 4, 0, 0);
    emit(LDB, 5, 1, 0, 0);
    int to_skip = emit(BNE, 5, 0, 0, 0);
    emit(ADDI, 3, 3, 0, 1);
    patch(to_skip);
    emit(ADDI, 1, 1, 0, 1);
    emit(JMP, 0, 0, 0, lc);
    patch(lc);
    emit(HALT, 0, 0, 0, 0);
    return start;
}

/* Collatz chains of r1 = 1 .. r4-1: r5 = total steps, r6 = the longest, r9 = where. */
static int gen_collatz(void)
{
    int start = emit(LI, 0, 0, 0, 0);
    emit(LI, 7, 0, 0, 1);
    emit(LI, 1, 0, 0, 1);
    emit(LI, 5, 0, 0, 0);
    emit(LI, 6, 0, 0, 0);
    int lo = emit(BGE, 1, 4, 0, 0);
    emit(MOV, 2, 1, 0, 0);
    emit(LI, 3, 0, 0, 0);
    int li = emit(BEQ, 2, 7, 0, 0);
    emit(ANDI, 8, 2, 0, 1);
    int to_odd = emit(BNE, 8, 0, 0, 0);
    emit(SHRI, 2, 2, 0, 1);
    emit(ADDI, 3, 3, 0, 1);
    emit(JMP, 0, 0, 0, li);
    patch(to_odd);
    emit(MULI, 2, 2, 0, 3);
    emit(ADDI, 2, 2, 0, 1);
    emit(ADDI, 3, 3, 0, 1);
    emit(JMP, 0, 0, 0, li);
    patch(li);
    emit(ADD, 5, 5, 3, 0);
    int to_nomax = emit(BGE, 6, 3, 0, 0);
    emit(MOV, 6, 3, 0, 0);
    emit(MOV, 9, 1, 0, 0);
    patch(to_nomax);
    emit(ADDI, 1, 1, 0, 1);
    emit(JMP, 0, 0, 0, lo);
    patch(lo);
    emit(HALT, 0, 0, 0, 0);
    return start;
}

/* r2 = fib(r1), recursively; r14 is the stack pointer into word[]. */
static int gen_fib(void)
{
    int start = emit(LI, 13, 0, 0, 2);
    emit(LI, 14, 0, 0, WORDS);
    int call = emit(CALL, 0, 0, 0, 0);
    emit(HALT, 0, 0, 0, 0);
    int fib = ncode;
    code[call].imm = fib;
    int to_base = emit(BLT, 1, 13, 0, 0);
    emit(ADDI, 14, 14, 0, -2);
    emit(STW, 1, 14, 0, 0);
    emit(ADDI, 1, 1, 0, -1);
    emit(CALL, 0, 0, 0, fib);
    emit(STW, 2, 14, 0, 1);
    emit(LDW, 1, 14, 0, 0);
    emit(ADDI, 1, 1, 0, -2);
    emit(CALL, 0, 0, 0, fib);
    emit(LDW, 5, 14, 0, 1);
    emit(ADD, 2, 2, 5, 0);
    emit(ADDI, 14, 14, 0, 2);
    emit(RET, 0, 0, 0, 0);
    patch(to_base);
    emit(MOV, 2, 1, 0, 0);
    emit(RET, 0, 0, 0, 0);
    return start;
}

/* Fills word[0, r4) from an LCG seeded with r2, then r10 mixing passes; r5 = a running hash.
 * r4 must be a power of two. Also divides and takes remainders once per word and pass. */
static int gen_mix(void)
{
    int start = emit(LI, 1, 0, 0, 0);
    int fill = emit(BGE, 1, 4, 0, 0);
    emit(MULI, 2, 2, 0, 6364136223846793005);
    emit(ADDI, 2, 2, 0, 1442695040888963407);
    emit(STW, 2, 1, 0, 0);
    emit(ADDI, 1, 1, 0, 1);
    emit(JMP, 0, 0, 0, fill);
    patch(fill);
    emit(ADDI, 11, 4, 0, -1);
    emit(LI, 3, 0, 0, 0);
    emit(LI, 5, 0, 0, 0);
    int lp = emit(BGE, 3, 10, 0, 0);
    emit(LI, 1, 0, 0, 0);
    int lm = emit(BGE, 1, 4, 0, 0);
    emit(LDW, 6, 1, 0, 0);
    emit(MULI, 7, 1, 0, 7);
    emit(ADDI, 7, 7, 0, 3);
    emit(AND, 7, 7, 11, 0);
    emit(LDW, 8, 7, 0, 0);
    emit(XOR, 6, 6, 8, 0);
    emit(MULI, 6, 6, 0, (int64_t)0x9e3779b97f4a7c15ull);
    emit(SHRI, 9, 6, 0, 29);
    emit(XOR, 6, 6, 9, 0);
    emit(STW, 6, 1, 0, 0);
    emit(SHRI, 9, 6, 0, 40);
    emit(ADDI, 9, 9, 0, 1);
    emit(REMU, 12, 5, 9, 0);
    emit(XOR, 5, 5, 6, 0);
    emit(SHLI, 9, 5, 0, 5);
    emit(ADD, 5, 5, 9, 0);
    emit(ADD, 5, 5, 12, 0);
    emit(ADDI, 1, 1, 0, 1);
    emit(JMP, 0, 0, 0, lm);
    patch(lm);
    emit(ADDI, 3, 3, 0, 1);
    emit(JMP, 0, 0, 0, lp);
    patch(lp);
    emit(HALT, 0, 0, 0, 0);
    return start;
}

/* fib(n) takes about phi^n calls: the n whose cost is closest to fib(30)'s times scale. */
static int fib_n(double scale)
{
    int n = 30;
    while (scale >= 1.272 && n < 40) {
        scale /= 1.618034;
        n++;
    }
    while (scale < 1 / 1.272 && n > 10) {
        scale *= 1.618034;
        n--;
    }
    return n;
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? strtod(argv[1], NULL) : 1;
    if (!(scale > 0) || scale > 16) {
        fprintf(stderr, "interp: SCALE must be in (0, 16]\n");
        return 2;
    }
    int sieve = gen_sieve(), collatz = gen_collatz(), fib = gen_fib(), mix = gen_mix();

    r[4] = (uint64_t)(4000000 * scale);
    run(sieve);
    printf("sieve   <%" PRIu64 ": %" PRIu64 " primes\n", r[4], r[3]);
    uint64_t sum = r[3];

    memset(r, 0, sizeof r);
    r[4] = (uint64_t)(150000 * scale);
    run(collatz);
    printf("collatz <%" PRIu64 ": %" PRIu64 " steps, longest %" PRIu64 " at %" PRIu64 "\n", r[4],
           r[5], r[6], r[9]);
    sum = sum * 31 + r[5];

    memset(r, 0, sizeof r);
    r[1] = (uint64_t)fib_n(scale);
    run(fib);
    printf("fib     %d: %" PRIu64 "\n", fib_n(scale), r[2]);
    sum = sum * 31 + r[2];

    memset(r, 0, sizeof r);
    r[2] = 12345;
    r[4] = 1u << 16;
    r[10] = (uint64_t)(40 * scale + 0.5);
    if (r[10] == 0)
        r[10] = 1;
    run(mix);
    printf("mix     %" PRIu64 " x %" PRIu64 ": %016" PRIx64 "\n", r[4], r[10], r[5]);
    sum = sum * 31 + r[5];

    printf("bytecodes %" PRIu64 ", checksum %016" PRIx64 "\n", executed, sum);
    return 0;
}

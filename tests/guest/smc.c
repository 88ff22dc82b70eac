// Self-modifying code, the way JITs write it: instructions stored into memory, run,
// rewritten in place and run again, both in a page that is writable and executable at once
// (with data stores to the same page between runs) and with W^X flips through mprotect.
// Prints "rwx: 1 2 3", "data: 7 8" and "wx: 4 5", and exits 0.
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

// The code of `int f(void) { return value; }` at code.
static void emit_return(uint32_t *code, int value)
{
#if defined(__riscv)
    code[0] = (uint32_t)value << 20 | 10u << 7 | 0x13u; // addi a0, zero, value
    code[1] = 0x00008067u;                              // ret
#elif defined(__aarch64__)
    code[0] = 0x52800000u | (uint32_t)value << 5; // movz w0, #value
    code[1] = 0xd65f03c0u;                        // ret
#else
#error "emit_return: unknown architecture"
#endif
}

static void sync_icache(uint32_t *code)
{
#if defined(__riscv)
    (void)code;
    __asm__ volatile("fence.i" ::: "memory");
#else
    __builtin___clear_cache((char *)code, (char *)(code + 2));
#endif
}

static int run(uint32_t *code)
{
    sync_icache(code);
    return ((int (*)(void))(uintptr_t)code)();
}

int main(void)
{
    const size_t pg = 4096;
    uint32_t *rwx =
        mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t *wx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED || wx == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    printf("rwx:");
    for (int v = 1; v <= 3; v++) {
        emit_return(rwx + 8, v);
        printf(" %d", run(rwx + 8));
    }
    printf("\ndata:");
    emit_return(rwx + 8, 7);
    printf(" %d", run(rwx + 8));
    volatile uint32_t *data = rwx + 512; // same page, not code
    *data = 42;
    rwx[9] = rwx[9]; // a store that changes nothing
    printf(" %d\n", run(rwx + 8) + 1 + (int)(*data - 42));

    printf("wx:");
    for (int v = 4; v <= 5; v++) {
        if (mprotect(wx, pg, PROT_READ | PROT_WRITE) != 0) {
            perror("mprotect rw");
            return 2;
        }
        emit_return(wx, v);
        if (mprotect(wx, pg, PROT_READ | PROT_EXEC) != 0) {
            perror("mprotect rx");
            return 2;
        }
        printf(" %d", run(wx));
    }
    printf("\n");
    return 0;
}

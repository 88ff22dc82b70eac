// Threads against one instruction budget (tests/guest/icount-case.sh): argv[1] threads
// (default 4) each run a loop of 2 * 5,000,000 guest instructions, written in assembly so
// that their count is known, and the main thread joins them; prints "done" at the end.
// The whole run takes a little over 2 * 5,000,000 * threads instructions.
// guest-cflags: -pthread
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ITERS       5000000L
#define MAX_THREADS 16

static void *spin(void *arg)
{
    long n = ITERS;
#if defined(__riscv)
    __asm__ volatile("1: addi %0, %0, -1\n"
                     "   bnez %0, 1b\n"
                     : "+r"(n));
#elif defined(__aarch64__)
    __asm__ volatile("1: subs %0, %0, #1\n"
                     "   b.ne 1b\n"
                     : "+r"(n)
                     :
                     : "cc");
#else
#error "icount-threads.c: riscv64 and aarch64 only"
#endif
    return arg;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;
    pthread_t t[MAX_THREADS];
    if (n < 1 || n > MAX_THREADS) {
        return 2;
    }
    for (int i = 0; i < n; i++) {
        if (pthread_create(&t[i], NULL, spin, NULL) != 0) {
            return 1;
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
    }
    puts("done");
    return 0;
}

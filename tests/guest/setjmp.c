// setjmp/longjmp as interpreters and error handlers use them: jumps out of deep recursion
// and across several frames, longjmp(env, 0) arriving as 1, volatile integer and FP locals
// keeping their values, callee-saved registers (integer and FP) restored, nested and
// re-armed jmp_bufs, _setjmp/_longjmp, and sigsetjmp/siglongjmp with and without saving the
// signal mask (a mask change undone by the jump; no signal is ever delivered). Prints one
// line per check and a summary; exits 1 if one fails.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define NOINLINE __attribute__((noinline))

// The asm constraint for a value in an FP register.
#if defined(__aarch64__)
#define FPR "+w"
#else
#define FPR "+f"
#endif

static jmp_buf env;
static int frames_left;

static NOINLINE int deep(int n, int value)
{
    volatile char pad[64];
    pad[n % 64] = (char)n;
    if (n == 0) {
        frames_left = 0;
        if (value)
            longjmp(env, value);
        return 0;
    }
    frames_left = n;
    return deep(n - 1, value) + pad[n % 64];
}

static NOINLINE void level3(int v)
{
    longjmp(env, v);
}
static NOINLINE void level2(int v)
{
    level3(v + 1);
    printf("level2: not reached\n");
}
static NOINLINE void level1(int v)
{
    level2(v + 1);
    printf("level1: not reached\n");
}

static void test_basic(void)
{
    printf("== setjmp/longjmp\n");
    volatile int calls = 0;
    int r = setjmp(env);
    calls++;
    if (r == 0) {
        check("setjmp returns 0 first", calls == 1);
        level1(10);
    }
    check("longjmp across three frames returns 12", r == 12 && calls == 2);

    r = setjmp(env);
    if (r == 0)
        longjmp(env, 0);
    check("longjmp(env, 0) makes setjmp return 1", r == 1);

    r = setjmp(env);
    if (r == 0)
        deep(1000, 77);
    check("longjmp out of 1000 recursive frames", r == 77 && frames_left == 0);

    // Jump many times to the same setjmp.
    volatile int count = 0;
    r = setjmp(env);
    if (count < 100) {
        count++;
        longjmp(env, count);
    }
    check("100 jumps back to one setjmp", count == 100 && r == 100);
}

// Values a longjmp must preserve: volatile locals (in memory) and callee-saved registers,
// which the compiler is free to keep the caller's values in.
static NOINLINE double clobber(double x, long y)
{
    // Enough live values to need callee-saved registers, all changed before the jump.
    register long s1 = y * 3, s2 = y * 5, s3 = y * 7, s4 = y * 11;
    register double f1 = x * 3, f2 = x * 5, f3 = x * 7, f4 = x * 11;
    __asm__ volatile("" : "+r"(s1), "+r"(s2), "+r"(s3), "+r"(s4));
    __asm__ volatile("" : FPR(f1), FPR(f2), FPR(f3), FPR(f4));
    if (y > 0)
        longjmp(env, 5);
    return (double)(s1 + s2 + s3 + s4) + f1 + f2 + f3 + f4;
}

static void test_preserved(void)
{
    printf("== what survives a longjmp\n");
    volatile int vi = 1;
    volatile double vd = 1.5;
    volatile long vl = 10;
    // Kept live across the setjmp in callee-saved registers (or the stack).
    long keep1 = vl * 2, keep2 = vl * 3, keep3 = vl * 4;
    double fkeep1 = vd * 2, fkeep2 = vd * 3;
    __asm__ volatile("" : "+r"(keep1), "+r"(keep2), "+r"(keep3));
    __asm__ volatile("" : FPR(fkeep1), FPR(fkeep2));
    if (setjmp(env) == 0) {
        vi = 2;
        vd = 2.75;
        vl = 20;
        clobber(vd, vl);
        printf("after clobber: not reached\n");
    }
    check("volatile int keeps its new value", vi == 2);
    check("volatile double keeps its new value", vd == 2.75);
    check("volatile long keeps its new value", vl == 20);
    check("integer values live across setjmp unchanged", keep1 == 20 && keep2 == 30 && keep3 == 40);
    check("FP values live across setjmp unchanged", fkeep1 == 3.0 && fkeep2 == 4.5);
}

static jmp_buf outer, inner;

static NOINLINE void nested_inner(void)
{
    if (setjmp(inner) == 0)
        longjmp(inner, 1); // to ourselves
    longjmp(outer, 3);     // then out past our own frame
}

static void test_nested(void)
{
    printf("== nested buffers\n");
    volatile int stage = 0;
    int r = setjmp(outer);
    if (r == 0) {
        stage = 1;
        nested_inner();
    }
    check("inner jump then outer jump", r == 3 && stage == 1);

    // A jmp_buf copied by value still works (glibc's jmp_buf is a plain array of structs).
    jmp_buf copy;
    r = setjmp(env);
    if (r == 0) {
        memcpy(copy, env, sizeof(jmp_buf));
        longjmp(copy, 9);
    }
    check("a copied jmp_buf", r == 9);

    r = _setjmp(env);
    if (r == 0)
        _longjmp(env, 4);
    check("_setjmp/_longjmp", r == 4);
}

static sigjmp_buf senv;

static int usr1_blocked(void)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, SIGUSR1);
}

static void test_sigsetjmp(void)
{
    printf("== sigsetjmp/siglongjmp (masks only, no signals)\n");
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    check("SIGUSR1 not blocked at start", !usr1_blocked());

    int r = sigsetjmp(senv, 1);
    if (r == 0) {
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        check("blocked after sigprocmask", usr1_blocked());
        siglongjmp(senv, 6);
    }
    check("sigsetjmp(env, 1): siglongjmp returns 6", r == 6);
    check("sigsetjmp(env, 1): mask restored (unblocked)", !usr1_blocked());

    r = sigsetjmp(senv, 0);
    if (r == 0) {
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        siglongjmp(senv, 7);
    }
    check("sigsetjmp(env, 0): siglongjmp returns 7", r == 7);
    check("sigsetjmp(env, 0): mask kept (still blocked)", usr1_blocked());

    // Saved while blocked, jumped to after unblocking: blocked again.
    r = sigsetjmp(senv, 1);
    if (r == 0) {
        sigprocmask(SIG_UNBLOCK, &usr1, NULL);
        check("unblocked before the jump", !usr1_blocked());
        siglongjmp(senv, 8);
    }
    check("mask saved while blocked is restored", r == 8 && usr1_blocked());
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_basic();
    test_preserved();
    test_nested();
    test_sigsetjmp();
    printf("setjmp: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

// Guest signals, checked from inside the guest: handlers with siginfo (si_code, si_addr,
// si_pid, si_value), recovery from SIGSEGV by siglongjmp (unmapped page, read-only page),
// SIGILL and SIGTRAP skipped by editing the ucontext's pc, the riscv64 frame itself (the
// layout, the trampoline at ra, the FP registers and fcsr saved in it and restored from
// it), setitimer interrupting pause() and a busy loop, raise and kill, blocking and
// unblocking (a signal delivered once, real-time ones queued in order), sigpending,
// sigsuspend, sigwaitinfo/sigtimedwait, signalfd, the alternate stack, nested handlers,
// SA_NODEFER, SA_RESETHAND, and SA_RESTART against a read from a pipe.
// Prints deterministic lines (no addresses) and exits 1 if a check fails.
//
// With an argument it dies instead: "term" by SIGTERM (kill to itself), "abort" by SIGABRT,
// "segv" by an uncaught SIGSEGV, "segv-blocked" by a SIGSEGV it blocks, "segv-ignored"
// by one it ignores (a synchronous signal cannot be blocked or ignored away).
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/ucontext.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void check_true(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "WRONG");
    if (!ok)
        failures++;
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

// --- the instructions that trap, with labels for their addresses -------------------------

#if defined(__riscv)
__asm__(".text\n"
        ".globl trap_ill\n.globl trap_ill_insn\n"
        "trap_ill:\ntrap_ill_insn: .4byte 0\n"
        "    li a0, 42\n    ret\n"
        ".globl trap_brk\n.globl trap_brk_insn\n"
        "trap_brk:\n.option push\n.option norvc\ntrap_brk_insn: ebreak\n.option pop\n"
        "    li a0, 43\n    ret\n");
#define UC_PC(uc) ((uc)->uc_mcontext.__gregs[REG_PC])
#define UC_SP(uc) ((uc)->uc_mcontext.__gregs[REG_SP])
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl trap_ill\n.globl trap_ill_insn\n"
        "trap_ill:\ntrap_ill_insn: .inst 0x00000000\n"
        "    mov w0, #42\n    ret\n"
        ".globl trap_brk\n.globl trap_brk_insn\n"
        "trap_brk:\ntrap_brk_insn: brk #0\n"
        "    mov w0, #43\n    ret\n");
#define UC_PC(uc) ((uc)->uc_mcontext.pc)
#define UC_SP(uc) ((uc)->uc_mcontext.sp)
#endif
int trap_ill(void);
int trap_brk(void);
extern char trap_ill_insn[], trap_brk_insn[];

// --- synchronous signals -----------------------------------------------------------------

static sigjmp_buf jump;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(jump, 1);
}

static void test_segv(void)
{
    on(SIGSEGV, fault_handler, 0);
    char *p = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + 4096, 4096);
    volatile char *ro = p, *gone = p + 4096 + 24;
    got_sig = 0;
    if (!sigsetjmp(jump, 1))
        (void)*gone;
    check_eq("segv unmapped load: signal", got_sig, SIGSEGV);
    check_eq("segv unmapped load: si_code (SEGV_MAPERR)", got_code, SEGV_MAPERR);
    check_true("segv unmapped load: si_addr", got_addr == gone);
    got_sig = 0;
    if (!sigsetjmp(jump, 1))
        ro[8] = 1;
    check_eq("segv read-only store: signal", got_sig, SIGSEGV);
    check_eq("segv read-only store: si_code (SEGV_ACCERR)", got_code, SEGV_ACCERR);
    check_true("segv read-only store: si_addr", got_addr == ro + 8);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    check_eq("segv: unblocked again after siglongjmp", sigismember(&cur, SIGSEGV), 0);
    munmap(p, 4096);
    signal(SIGSEGV, SIG_DFL);
}

// SIGILL and SIGTRAP: the handler checks the frame, then skips the instruction.
static volatile long frame_gap, ra_ok, uc_pc_ok;

static int is_trampoline(const uint32_t *code)
{
#if defined(__riscv)
    return code[0] == 0x08b00893 && code[1] == 0x00000073; // li a7, 139; ecall
#else
    return code != NULL;
#endif
}

static void skip_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    frame_gap = (char *)uc - (char *)si;
    uc_pc_ok = (void *)UC_PC(uc) == si->si_addr;
    ra_ok = is_trampoline(__builtin_extract_return_addr(__builtin_return_address(0)));
    UC_PC(uc) += 4;
}

static void test_ill_trap(void)
{
    on(SIGILL, skip_handler, 0);
    on(SIGTRAP, skip_handler, 0);
    int r = trap_ill();
#if defined(__aarch64__)
    // Linux reports UDF as ILL_ILLOPC; qemu-aarch64 (the reference) as ILL_ILLOPN.
    if (got_code == ILL_ILLOPN)
        got_code = ILL_ILLOPC;
#endif
    check_eq("sigill: signal", got_sig, SIGILL);
    check_eq("sigill: si_code (ILL_ILLOPC)", got_code, ILL_ILLOPC);
    check_true("sigill: si_addr is the instruction", got_addr == trap_ill_insn);
    check_true("sigill: uc_mcontext pc is the instruction", uc_pc_ok);
#if defined(__riscv)
    check_eq("sigill: ucontext - siginfo", frame_gap, 128);
    check_true("sigill: ra is the rt_sigreturn trampoline", ra_ok);
#endif
    check_eq("sigill: resumed after the instruction", r, 42);
    r = trap_brk();
    check_eq("sigtrap: signal", got_sig, SIGTRAP);
    check_eq("sigtrap: si_code (TRAP_BRKPT)", got_code, TRAP_BRKPT);
    check_true("sigtrap: si_addr is the instruction", got_addr == trap_brk_insn);
    check_eq("sigtrap: resumed after the instruction", r, 43);
    signal(SIGILL, SIG_DFL);
    signal(SIGTRAP, SIG_DFL);
}

// --- FP state across a handler (riscv64: the frame's f registers and fcsr) ------------------

#if defined(__riscv)
static volatile int fp_frame_ok;

// Overwrites every f register and fcsr without saving them: only rt_sigreturn can put
// them back. Called from the handler, which never uses FP itself.
__asm__(".text\n.globl clobber_fp\nclobber_fp:\n"
        "    li t0, -1\n"
        "    fmv.d.x f0, t0\n fmv.d.x f1, t0\n fmv.d.x f2, t0\n fmv.d.x f3, t0\n"
        "    fmv.d.x f4, t0\n fmv.d.x f5, t0\n fmv.d.x f6, t0\n fmv.d.x f7, t0\n"
        "    fmv.d.x f8, t0\n fmv.d.x f9, t0\n fmv.d.x f10, t0\n fmv.d.x f11, t0\n"
        "    fmv.d.x f12, t0\n fmv.d.x f13, t0\n fmv.d.x f14, t0\n fmv.d.x f15, t0\n"
        "    fmv.d.x f16, t0\n fmv.d.x f17, t0\n fmv.d.x f18, t0\n fmv.d.x f19, t0\n"
        "    fmv.d.x f20, t0\n fmv.d.x f21, t0\n fmv.d.x f22, t0\n fmv.d.x f23, t0\n"
        "    fmv.d.x f24, t0\n fmv.d.x f25, t0\n fmv.d.x f26, t0\n fmv.d.x f27, t0\n"
        "    fmv.d.x f28, t0\n fmv.d.x f29, t0\n fmv.d.x f30, t0\n fmv.d.x f31, t0\n"
        "    li t0, 0x3f\n    fscsr t0\n"
        "    ret\n");
void clobber_fp(void);

static uint64_t fp_in[32], fp_out[32];

static void fp_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    int ok = uc->uc_mcontext.__fpregs.__d.__fcsr == ((2u << 5) | 1u);
    for (int i = 0; i < 32; i++)
        ok &= uc->uc_mcontext.__fpregs.__d.__f[i] == fp_in[i];
    fp_frame_ok = ok;
    clobber_fp();
}

static void test_fp(void)
{
    for (int i = 0; i < 32; i++)
        fp_in[i] = 0x4000000000000000ull + (uint64_t)i * 0x0001000000000001ull;
    on(SIGUSR1, fp_handler, 0);
    unsigned long fcsr;
    // Load f0..f31 and fcsr (frm RDN, fflags NX), kill(getpid(), SIGUSR1) by ecall (the
    // handler runs on its return), store f0..f31 and read fcsr.
    register long a0 __asm__("a0") = getpid();
    register long a1 __asm__("a1") = SIGUSR1;
    register long a7 __asm__("a7") = 129;
    __asm__ volatile(
#define L(n) "fld f" #n ", " #n "*8(%[in])\n"
#define S(n) "fsd f" #n ", " #n "*8(%[out])\n"
        L(0) L(1) L(2) L(3) L(4) L(5) L(6) L(7) L(8) L(9) L(10) L(11) L(12) L(13) L(14) L(15) L(16)
            L(17) L(18) L(19) L(20) L(21) L(22) L(23) L(24) L(25) L(26) L(27) L(28) L(29) L(30)
                L(31) "li t0, 0x41\n fscsr t0\n"
                      "ecall\n"
                      "frcsr %[fcsr]\n" S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10)
                          S(11) S(12) S(13) S(14) S(15) S(16) S(17) S(18) S(19) S(20) S(21) S(22)
                              S(23) S(24) S(25) S(26) S(27) S(28) S(29) S(30) S(31)
#undef L
#undef S
        : [fcsr] "=&r"(fcsr), "+r"(a0)
        : [in] "r"(fp_in), [out] "r"(fp_out), "r"(a1), "r"(a7)
        : "t0", "memory", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11",
          "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24",
          "f25", "f26", "f27", "f28", "f29", "f30", "f31");
    check_eq("fp: kill", a0, 0);
    check_true("fp: frame holds f0..f31 and fcsr", fp_frame_ok);
    check_true("fp: f0..f31 restored", !memcmp(fp_in, fp_out, sizeof(fp_in)));
    check_eq("fp: fcsr restored (frm RDN, NX)", (long)fcsr, 0x41);
    signal(SIGUSR1, SIG_DFL);
}
#else
static void test_fp(void)
{
    printf("fp: skipped on this architecture\n");
}
#endif

// --- asynchronous signals ------------------------------------------------------------------

static volatile int count_usr1, count_usr2, last_code, last_pid;

static void count_handler(int sig, siginfo_t *si, void *uc)
{
    if (sig == SIGUSR1)
        count_usr1++;
    else
        count_usr2++;
    last_code = si->si_code;
    last_pid = si->si_pid;
}

static void test_raise_kill(void)
{
    on(SIGUSR1, count_handler, 0);
    on(SIGUSR2, count_handler, 0);
    count_usr1 = count_usr2 = 0;
    raise(SIGUSR1);
    check_eq("raise: delivered before it returns", count_usr1, 1);
    check_eq("raise: si_code (SI_TKILL)", last_code, SI_TKILL);
    kill(getpid(), SIGUSR2);
    check_eq("kill self: delivered before it returns", count_usr2, 1);
    check_eq("kill self: si_code (SI_USER)", last_code, SI_USER);
    check_true("kill self: si_pid", last_pid == getpid());
}

static void test_block(void)
{
    count_usr1 = 0;
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    check_eq("blocked: pending", sigismember(&pend, SIGUSR1), 1);
    check_eq("blocked: delivered", count_usr1, 0);
    mask(SIG_UNBLOCK, SIGUSR1);
    check_eq("unblocked: delivered exactly once", count_usr1, 1);
    sigpending(&pend);
    check_eq("unblocked: pending", sigismember(&pend, SIGUSR1), 0);
}

static int rt_values[8], rt_count;

static void rt_handler(int sig, siginfo_t *si, void *uc)
{
    if (rt_count < 8)
        rt_values[rt_count] = si->si_value.sival_int;
    rt_count++;
}

// Real-time signals queue: three sent while blocked arrive three times, in order.
static void test_rt_queue(void)
{
    int sig = SIGRTMIN + 1;
    on(sig, rt_handler, 0);
    mask(SIG_BLOCK, sig);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), sig, (union sigval){.sival_int = i});
    check_eq("rt blocked: delivered", rt_count, 0);
    mask(SIG_UNBLOCK, sig);
    check_eq("rt unblocked: delivered", rt_count, 3);
    printf("rt values: %d %d %d\n", rt_values[0], rt_values[1], rt_values[2]);
    signal(sig, SIG_DFL);
}

static volatile sig_atomic_t alarmed;

static void alarm_handler(int sig, siginfo_t *si, void *uc)
{
    alarmed++;
}

// Every usec from now on: should a tick come before the call meant to be interrupted
// starts (a loaded machine), the next one interrupts it.
static void arm(long usec)
{
    struct itimerval it = {{0, usec}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void test_alarm(void)
{
    on(SIGALRM, alarm_handler, 0);
    alarmed = 0;
    arm(20000);
    int r = pause();
    check_eq("pause: returns -1", r, -1);
    check_eq("pause: errno EINTR", errno, EINTR);
    check_eq("pause: handler ran", alarmed > 0, 1);
    // A loop of translated code that makes no syscall is left between two blocks.
    alarmed = 0;
    unsigned long spins = 0;
    while (!alarmed)
        spins++;
    check_eq("busy loop: interrupted", alarmed > 0, 1);
    arm(0);
    alarmed = 0;
    alarm(1);
    while (!alarmed)
        spins++;
    check_eq("alarm(): interrupted", alarmed, 1);
}

static int pipe_fds[2];
static volatile int fed;

// Writes to the pipe on the second tick: the read has been interrupted at least once.
static void feed_handler(int sig, siginfo_t *si, void *uc)
{
    if (++fed == 2 && write(pipe_fds[1], "x", 1) != 1)
        _exit(3);
}

// A read from an empty pipe, interrupted by SIGALRM: restarted under SA_RESTART (until
// it reads what the handler wrote), EINTR without.
static void test_restart(void)
{
    char c = 0;
    if (pipe(pipe_fds) != 0) {
        perror("pipe");
        exit(2);
    }
    on(SIGALRM, feed_handler, SA_RESTART);
    arm(20000);
    ssize_t n = read(pipe_fds[0], &c, 1);
    arm(0);
    check_eq("SA_RESTART read: result", (long)n, 1);
    check_eq("SA_RESTART read: byte from the handler", c, 'x');
    check_eq("SA_RESTART read: interrupted before", fed >= 2, 1);
    on(SIGALRM, alarm_handler, 0);
    arm(20000);
    n = read(pipe_fds[0], &c, 1);
    arm(0);
    check_eq("no SA_RESTART read: result", (long)n, -1);
    check_eq("no SA_RESTART read: errno EINTR", errno, EINTR);
    signal(SIGALRM, SIG_DFL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

static void test_suspend_wait(void)
{
    count_usr1 = 0;
    mask(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    sigset_t empty, cur;
    sigemptyset(&empty);
    int r = sigsuspend(&empty);
    check_eq("sigsuspend: returns -1 EINTR", r == -1 && errno == EINTR, 1);
    check_eq("sigsuspend: handler ran", count_usr1, 1);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    check_eq("sigsuspend: old mask back", sigismember(&cur, SIGUSR1), 1);

    mask(SIG_BLOCK, SIGUSR2);
    sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 7});
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    siginfo_t si;
    r = sigwaitinfo(&set, &si);
    check_eq("sigwaitinfo: signal", r, SIGUSR2);
    check_eq("sigwaitinfo: si_code (SI_QUEUE)", si.si_code, SI_QUEUE);
    check_eq("sigwaitinfo: si_value", si.si_value.sival_int, 7);
    struct timespec ts = {0, 10 * 1000 * 1000};
    r = sigtimedwait(&set, &si, &ts);
    check_eq("sigtimedwait: nothing pending", r == -1 && errno == EAGAIN, 1);

    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    raise(SIGUSR2);
    struct signalfd_siginfo ssi;
    check_eq("signalfd: read", (long)read(fd, &ssi, sizeof(ssi)), (long)sizeof(ssi));
    check_eq("signalfd: signal", (long)ssi.ssi_signo, SIGUSR2);
    close(fd);
    check_eq("signalfd: handler did not run", count_usr2, 1);
    mask(SIG_UNBLOCK, SIGUSR1);
    mask(SIG_UNBLOCK, SIGUSR2);
}

// --- the alternate stack, nesting, flags ---------------------------------------------------

static char *alt_base;
static volatile int on_alt, alt_flags, alt_eperm;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
    char local;
    on_alt = &local > alt_base && &local < alt_base + SIGSTKSZ;
    stack_t cur, other = {.ss_sp = alt_base, .ss_size = SIGSTKSZ};
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
    alt_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void test_altstack(void)
{
    alt_base = malloc(SIGSTKSZ);
    stack_t ss = {.ss_sp = alt_base, .ss_size = SIGSTKSZ}, old;
    check_eq("sigaltstack: set", sigaltstack(&ss, &old), 0);
    check_eq("sigaltstack: none before", old.ss_flags, SS_DISABLE);
    stack_t tiny = {.ss_sp = alt_base, .ss_size = 100};
    check_eq("sigaltstack: too small", sigaltstack(&tiny, NULL) == -1 && errno == ENOMEM, 1);
    on(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    check_eq("SA_ONSTACK: handler on the alternate stack", on_alt, 1);
    check_eq("SA_ONSTACK: ss_flags in the handler (SS_ONSTACK)", alt_flags, SS_ONSTACK);
    check_eq("SA_ONSTACK: changing it in use is EPERM", alt_eperm, 1);
    on(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    check_eq("no SA_ONSTACK: handler on the normal stack", on_alt, 0);
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    signal(SIGUSR1, SIG_DFL);
    free(alt_base);
}

static char trace[128];
static volatile int depth, usr1_seen;

static void note(const char *s)
{
    strcat(trace, s);
}

static void nest_handler(int sig, siginfo_t *si, void *uc)
{
    depth++;
    if (sig == SIGUSR2) {
        note(" usr2");
    } else if (usr1_seen++ == 0) {
        note(" usr1{");
        raise(SIGUSR2); // runs nested, now
        raise(SIGUSR1); // blocked in its own handler: runs after this one returns
        note(" usr1}");
    } else {
        note(depth == 1 ? " usr1-again" : " usr1-again-nested(WRONG)");
    }
    depth--;
}

static volatile int nodefer_depth, nodefer_max;

static void nodefer_handler(int sig, siginfo_t *si, void *uc)
{
    nodefer_depth++;
    if (nodefer_depth > nodefer_max)
        nodefer_max = nodefer_depth;
    if (nodefer_depth < 3)
        raise(SIGUSR1);
    nodefer_depth--;
}

static void test_nesting(void)
{
    on(SIGUSR1, nest_handler, 0);
    on(SIGUSR2, nest_handler, 0);
    raise(SIGUSR1);
    printf("nested:%s\n", trace);
    on(SIGUSR1, nodefer_handler, SA_NODEFER);
    raise(SIGUSR1);
    check_eq("SA_NODEFER: depth reached", nodefer_max, 3);
    count_usr1 = 0;
    on(SIGUSR1, count_handler, SA_RESETHAND);
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    check_eq("SA_RESETHAND: ran once", count_usr1, 1);
    check_true("SA_RESETHAND: SIG_DFL after", now.sa_handler == SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

// --- the deaths ----------------------------------------------------------------------------

static int die(const char *how)
{
    printf("dying: %s\n", how);
    fflush(stdout);
    if (!strcmp(how, "term")) {
        kill(getpid(), SIGTERM);
    } else if (!strcmp(how, "abort")) {
        abort();
    } else {
        if (!strcmp(how, "segv-blocked"))
            mask(SIG_BLOCK, SIGSEGV);
        else if (!strcmp(how, "segv-ignored"))
            signal(SIGSEGV, SIG_IGN);
        volatile int *volatile nowhere = (int *)16;
        *nowhere = 1;
    }
    printf("still alive\n");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1)
        return die(argv[1]);
    test_segv();
    test_ill_trap();
    test_fp();
    test_raise_kill();
    test_block();
    test_rt_queue();
    test_alarm();
    test_restart();
    test_suspend_wait();
    test_altstack();
    test_nesting();
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}

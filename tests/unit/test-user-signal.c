/*
 * Unit tests for guest signals (user/signal.c, user/syscall-signal.c, user/riscv64/
 * signal.c) on a real GuestSpace and a riscv64 register file, with user_syscall called as
 * the CPU loop calls it: the riscv64 frame byte by byte at the kernel's offsets (written
 * out here from the kernel's headers, independently of the frame code) and its round trip
 * through rt_sigreturn; hostile frames (unreadable, reserved words set, wild values) that
 * must cost the guest a SIGSEGV and never the emulator; frames on the alternate stack and
 * its overflow; the argument rules of rt_sigaction, rt_sigprocmask and sigaltstack; and
 * which interrupted syscalls restart. Delivery to running guest code, default actions and
 * deaths are the guest tests' (tests/guest/signals.c, signal-threads.c).
 */
#define _GNU_SOURCE
#include "user/syscall.h"

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "target/riscv/cpu.h"
#include "tests/unit/user-fixture.h"
#include "user/run.h"
#include "user/signal-internal.h"

/* asm-generic/unistd.h */
enum {
    NR_read = 63,
    NR_nanosleep = 101,
    NR_ppoll = 73,
    NR_futex = 98,
    NR_sigaltstack = 132,
    NR_rt_sigaction = 134,
    NR_rt_sigprocmask = 135,
    NR_rt_sigreturn = 139,
};

/* The riscv64 rt_sigframe (arch/riscv/kernel/signal.c, asm/ucontext.h, asm/sigcontext.h). */
enum {
    FRAME_SIZE = 1088,
    OFF_UC_STACK_FLAGS = 152,
    OFF_UC_SIGMASK = 168,
    OFF_REGS = 304, /* pc, x1..x31 */
    OFF_FPREGS = 560,
    OFF_FCSR = 816,
    OFF_RESERVED = 1076,
};

#define SCRATCH_SIZE (32 * GUEST_PAGE_SIZE)
#define HANDLER      0x123456ull

typedef struct Fixture {
    UserFixture u; /* the scratch area: SCRATCH_SIZE read-write bytes, then one read-only page */
    RISCVCPU cpu;
    uint64_t host_mask; /* the test thread's, put back after */
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    host_sigprocmask(SIG_BLOCK, 0, &f->host_mask);
    user_fixture_setup(&f->u, &user_arch_riscv64, SCRATCH_SIZE, false);
    g_assert_cmpint(pthread_mutex_init(&f->u.proc.sig.lock, NULL), ==, 0);
    f->u.proc.sig.trampoline = 0x7000;
    f->cpu.common.env = &f->cpu.env;
    f->u.thread.cpu = &f->cpu.common;
    user_signal_thread_init(&f->u.thread, NULL, true);
    user_signal_set_blocked(&f->u.thread, 0);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    for (int sig = 1; sig <= GUEST_NSIG; sig++) {
        if (f->u.proc.sig.action[sig - 1].handler > GUEST_SIG_IGN) {
            user_signal_set_action(&f->u.thread, sig, &(GuestSigAction){GUEST_SIG_DFL, 0, 0}, NULL);
        }
    }
    host_sigprocmask(SIG_SETMASK, f->host_mask, NULL);
    pthread_mutex_destroy(&f->u.proc.sig.lock);
    user_fixture_teardown(&f->u);
}

#define SYS(f, nr, ...) USER_SYS(&(f)->u, (nr), __VA_ARGS__)

/* A register file where every value is distinct. */
static void fill_regs(CPURISCVState *env, uint64_t sp)
{
    for (int i = 1; i < 32; i++) {
        env->gpr[i] = 0x1111111100000000ull + (uint64_t)i;
        env->fpr[i] = 0x4000000000000000ull + (uint64_t)i * 3;
    }
    env->fpr[0] = 0x3ff0000000000000ull;
    env->gpr[2] = sp;
    env->pc = 0x10000;
    env->fflags = RISCV_FFLAG_NX | RISCV_FFLAG_DZ;
    env->frm = RISCV_RM_RUP;
}

static bool setup(Fixture *f, int sig, uint64_t flags, uint64_t saved_mask)
{
    siginfo_t info = {.si_signo = sig, .si_code = SI_USER};
    GuestSigAction act = {HANDLER, flags, 0};
    return user_arch_riscv64.setup_frame(&f->u.thread, sig, &info, &act, saved_mask);
}

static void test_frame_layout(Fixture *f, gconstpointer data)
{
    CPURISCVState *env = &f->cpu.env, before;
    uint64_t sp = f->u.scratch + SCRATCH_SIZE - 8; /* not 16-byte aligned */
    fill_regs(env, sp);
    before = *env;
    g_assert_true(setup(f, SIGUSR1, 0, 0x5));
    uint64_t frame = (sp - FRAME_SIZE) & ~15ull;
    const uint8_t *p = g2h(&f->u.proc.space, frame);
    g_assert_cmphex(env->gpr[2], ==, frame);
    g_assert_cmphex(env->pc, ==, HANDLER);
    g_assert_cmphex(env->gpr[1], ==, f->u.proc.sig.trampoline);
    g_assert_cmpuint(env->gpr[10], ==, SIGUSR1);
    g_assert_cmphex(env->gpr[11], ==, frame);
    g_assert_cmphex(env->gpr[12], ==, frame + 128);
    g_assert_cmpint((int)get_u32(p, 0), ==, SIGUSR1); /* si_signo */
    g_assert_cmpint((int32_t)get_u32(p, OFF_UC_STACK_FLAGS), ==, SS_DISABLE);
    g_assert_cmphex(get_u64(p, OFF_UC_SIGMASK), ==, 0x5);
    g_assert_cmphex(get_u64(p, OFF_REGS), ==, before.pc);
    for (int i = 1; i < 32; i++) {
        g_assert_cmphex(get_u64(p, OFF_REGS + 8 * i), ==, before.gpr[i]);
    }
    for (int i = 0; i < 32; i++) {
        g_assert_cmphex(get_u64(p, OFF_FPREGS + 8 * i), ==, before.fpr[i]);
    }
    g_assert_cmphex(get_u32(p, OFF_FCSR), ==,
                    (RISCV_FFLAG_NX | RISCV_FFLAG_DZ) | RISCV_RM_RUP << 5);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(get_u32(p, OFF_RESERVED + 4 * i), ==, 0);
    }
}

/* rt_sigreturn gives back every register, fcsr and the mask, whatever the handler did. */
static void test_frame_roundtrip(Fixture *f, gconstpointer data)
{
    CPURISCVState *env = &f->cpu.env, before;
    fill_regs(env, f->u.scratch + SCRATCH_SIZE);
    before = *env;
    g_assert_true(setup(f, SIGUSR1, 0, 0x5));
    uint64_t frame = env->gpr[2];
    memset(&env->gpr[1], 0xab, sizeof(env->gpr) - sizeof(env->gpr[0])); /* x0 stays 0 */
    memset(env->fpr, 0xcd, sizeof(env->fpr));
    env->fflags = 0x1f;
    env->frm = RISCV_RM_RTZ;
    env->gpr[2] = frame;
    f->u.thread.sig.blocked = ~0ull;
    int64_t ret = SYS(f, NR_rt_sigreturn);
    g_assert_cmphex((uint64_t)ret, ==, before.gpr[10]);
    env->gpr[10] = (uint64_t)ret; /* as the CPU loop writes the result */
    g_assert_cmpmem(env->gpr, sizeof(env->gpr), before.gpr, sizeof(before.gpr));
    g_assert_cmpmem(env->fpr, sizeof(env->fpr), before.fpr, sizeof(before.fpr));
    g_assert_cmphex(env->pc, ==, before.pc);
    g_assert_cmpuint(env->fflags, ==, before.fflags);
    g_assert_cmpuint(env->frm, ==, before.frm);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, 0x5);
    g_assert_cmpint(f->u.thread.sig.forced, ==, 0);
}

/* A frame the guest made up costs the guest a SIGSEGV (SI_KERNEL), never the emulator. */
static void test_frame_hostile(Fixture *f, gconstpointer data)
{
    CPURISCVState *env = &f->cpu.env;
    static const uint64_t bad_sp[] = {0, 0x2000, (1ull << 32) - 8, UINT64_MAX - 100};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_sp); i++) {
        env->gpr[2] = bad_sp[i];
        f->u.thread.sig.forced = 0;
        g_assert_cmpint(SYS(f, NR_rt_sigreturn), ==, 0);
        g_assert_cmpint(f->u.thread.sig.forced, ==, SIGSEGV);
        g_assert_cmpint(f->u.thread.sig.forced_info.si_code, ==, SI_KERNEL);
    }
    /* Wild values are taken as they are; a reserved word set is a bad frame. */
    uint8_t *p = f->u.host;
    memset(p, 0xff, FRAME_SIZE);
    memset(p + OFF_RESERVED, 0, 12);
    put_u64(p, OFF_UC_SIGMASK, ~0ull);
    env->gpr[2] = f->u.scratch;
    f->u.thread.sig.forced = 0;
    SYS(f, NR_rt_sigreturn);
    g_assert_cmpint(f->u.thread.sig.forced, ==, 0);
    g_assert_cmphex(env->pc, ==, UINT64_MAX);
    g_assert_cmpuint(env->frm, ==, 7);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, ~GUEST_SIG_UNBLOCKABLE);
    p[OFF_RESERVED + 5] = 1;
    env->gpr[2] = f->u.scratch;
    SYS(f, NR_rt_sigreturn);
    g_assert_cmpint(f->u.thread.sig.forced, ==, SIGSEGV);
    /* A frame that would go into the read-only page or below the space is not written. */
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE + GUEST_PAGE_SIZE;
    g_assert_false(setup(f, SIGUSR1, 0, 0));
    env->gpr[2] = 100;
    g_assert_false(setup(f, SIGUSR1, 0, 0));
}

static int64_t set_altstack(Fixture *f, uint64_t sp, int32_t flags, uint64_t size)
{
    put_u64(f->u.host, 0, sp);
    memcpy(f->u.host + 8, &flags, sizeof(flags));
    put_u64(f->u.host, 16, size);
    return SYS(f, NR_sigaltstack, f->u.scratch, 0);
}

static void test_frame_altstack(Fixture *f, gconstpointer data)
{
    CPURISCVState *env = &f->cpu.env;
    uint64_t alt = f->u.scratch + 8 * GUEST_PAGE_SIZE, size = 2 * GUEST_PAGE_SIZE;
    g_assert_cmpint(set_altstack(f, alt, 0, size), ==, 0);
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE;
    g_assert_true(setup(f, SIGUSR1, SA_ONSTACK, 0));
    uint64_t frame = env->gpr[2];
    g_assert_cmphex(frame, ==, (alt + size - FRAME_SIZE) & ~15ull);
    g_assert_cmpint((int32_t)get_u32(g2h(&f->u.proc.space, frame), OFF_UC_STACK_FLAGS), ==, 0);
    /* Already on it: the next frame goes below, and the stack cannot change meanwhile. */
    g_assert_true(setup(f, SIGUSR2, SA_ONSTACK, 0));
    g_assert_cmphex(env->gpr[2], ==, (frame - FRAME_SIZE) & ~15ull);
    g_assert_cmpint(set_altstack(f, alt, 0, size), ==, -EPERM);
    /* Until it overflows: then the frame is not written (the caller raises SIGSEGV). */
    env->gpr[2] = alt + FRAME_SIZE - 64;
    g_assert_false(setup(f, SIGUSR1, SA_ONSTACK, 0));
    /* SS_AUTODISARM: the frame records the stack, then it is off until sigreturn. */
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE;
    g_assert_cmpint(set_altstack(f, alt, (int32_t)GUEST_SS_AUTODISARM, size), ==, 0);
    g_assert_true(setup(f, SIGUSR1, SA_ONSTACK, 0));
    g_assert_cmphex(env->gpr[2], ==, (alt + size - FRAME_SIZE) & ~15ull);
    g_assert_cmpuint(f->u.thread.sig.altstack.size, ==, 0);
    SYS(f, NR_rt_sigreturn);
    g_assert_cmpuint(f->u.thread.sig.altstack.size, ==, size);
}

static void test_sigaltstack_rules(Fixture *f, gconstpointer data)
{
    CPURISCVState *env = &f->cpu.env;
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE;
    g_assert_cmpint(SYS(f, NR_sigaltstack, 0, f->u.scratch + 64), ==, 0);
    g_assert_cmpint((int32_t)get_u32(f->u.host, 64 + 8), ==, SS_DISABLE);
    g_assert_cmpint(set_altstack(f, f->u.scratch, 0, GUEST_MINSIGSTKSZ - 1), ==, -ENOMEM);
    g_assert_cmpint(set_altstack(f, f->u.scratch, 4, 8192), ==, -EINVAL);
    g_assert_cmpint(set_altstack(f, f->u.scratch, SS_ONSTACK, 8192), ==, 0);
    env->gpr[2] = f->u.scratch + 4096;
    g_assert_cmpint(SYS(f, NR_sigaltstack, 0, f->u.scratch + 64), ==, 0);
    g_assert_cmpint((int32_t)get_u32(f->u.host, 64 + 8), ==, SS_ONSTACK);
    g_assert_cmpint(SYS(f, NR_sigaltstack, 0, f->u.scratch + SCRATCH_SIZE), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_sigaltstack, 0x2000, 0), ==, -EFAULT);
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE;
    g_assert_cmpint(set_altstack(f, 0, SS_DISABLE, 0), ==, 0);
}

static void test_sigaction_rules(Fixture *f, gconstpointer data)
{
    uint64_t act = f->u.scratch, old = f->u.scratch + 64;
    put_u64(f->u.host, 0, HANDLER);
    put_u64(f->u.host, 8, SA_SIGINFO | SA_RESTART | 0x04000000 | 0x400);
    put_u64(f->u.host, 16, ~0ull);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, 0, act, 0, 8), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, 65, act, 0, 8), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGKILL, act, 0, 8), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGSTOP, act, 0, 8), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGKILL, 0, old, 8), ==, 0);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGUSR2, act, 0, 4), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGUSR2, 0x2000, 0, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGUSR2, act, 0, 8), ==, 0);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGUSR2, 0, old, 8), ==, 0);
    g_assert_cmphex(get_u64(f->u.host, 64), ==, HANDLER);
    g_assert_cmphex(get_u64(f->u.host, 72), ==, SA_SIGINFO | SA_RESTART); /* unknown bits go */
    g_assert_cmphex(get_u64(f->u.host, 80), ==, ~GUEST_SIG_UNBLOCKABLE);
    /* The old action is written after the new one is in, as Linux does. */
    put_u64(f->u.host, 0, GUEST_SIG_DFL);
    g_assert_cmpint(SYS(f, NR_rt_sigaction, SIGUSR2, act, f->u.scratch + SCRATCH_SIZE, 8), ==,
                    -EFAULT);
    g_assert_cmphex(f->u.proc.sig.action[SIGUSR2 - 1].handler, ==, GUEST_SIG_DFL);
}

static void test_sigprocmask_rules(Fixture *f, gconstpointer data)
{
    uint64_t set = f->u.scratch, old = f->u.scratch + 64;
    put_u64(f->u.host, 0, sig_bit(SIGUSR1) | sig_bit(SIGKILL) | sig_bit(SIGSTOP));
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_BLOCK, set, old, 8), ==, 0);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, sig_bit(SIGUSR1));
    g_assert_cmphex(get_u64(f->u.host, 64), ==, 0);
    uint64_t host;
    host_sigprocmask(SIG_BLOCK, 0, &host);
    g_assert_cmphex(host & sig_bit(SIGUSR1), ==, sig_bit(SIGUSR1));
    put_u64(f->u.host, 0, sig_bit(SIGSEGV) | sig_bit(SIGUSR2));
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_SETMASK, set, 0, 8), ==, 0);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, sig_bit(SIGSEGV) | sig_bit(SIGUSR2));
    host_sigprocmask(SIG_BLOCK, 0, &host);
    g_assert_cmphex(host & sig_bit(SIGSEGV), ==, 0); /* translated code needs it */
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_UNBLOCK, set, old, 8), ==, 0);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, 0);
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, 7, set, 0, 8), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, 7, 0, old, 8), ==, 0);
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_BLOCK, set, 0, 16), ==, -EINVAL);
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_BLOCK, 0x2000, 0, 8), ==, -EFAULT);
    g_assert_cmpint(SYS(f, NR_rt_sigprocmask, SIG_BLOCK, 0, f->u.scratch + SCRATCH_SIZE, 8), ==,
                    -EFAULT);
}

/* As the CPU loop sees a syscall end: its result after user_signal_syscall_result. */
static int64_t interrupted(Fixture *f, unsigned nr, uint64_t a0, uint64_t a1, uint64_t a3)
{
    const uint64_t args[6] = {a0, a1, 0, a3};
    atomic_store(&f->u.thread.sig.wake, 1);
    f->cpu.env.pc = 0x20004; /* past the ecall */
    int64_t r = user_signal_syscall_result(&f->u.thread, nr, args, -EINTR);
    f->cpu.env.gpr[10] = (uint64_t)r;
    return r;
}

static void test_restart_rules(Fixture *f, gconstpointer data)
{
    const uint64_t args[6] = {0};
    g_assert_cmpint(user_signal_syscall_result(&f->u.thread, NR_read, args, -EINTR), ==, -EINTR);
    g_assert_false(f->u.thread.sig.in_syscall);
    g_assert_cmpint(interrupted(f, NR_read, 3, 0, 0), ==, -USER_ERESTARTSYS);
    g_assert_cmpint(interrupted(f, NR_ppoll, 3, 0, 0), ==, -USER_ERESTARTNOHAND);
    g_assert_cmpint(interrupted(f, NR_futex, 3, FUTEX_WAIT, 0x1000), ==, -USER_ERESTARTNOHAND);
    g_assert_cmpint(interrupted(f, NR_futex, 3, FUTEX_WAIT, 0), ==, -USER_ERESTARTSYS);
    /* No handler to run: the syscall runs again, with its first argument back. */
    user_signal_deliver(&f->u.thread);
    g_assert_cmphex(f->cpu.env.pc, ==, 0x20000);
    g_assert_cmpuint(f->cpu.env.gpr[10], ==, 3);
    g_assert_false(f->u.thread.sig.in_syscall);
}

/*
 * A signal already taken for the guest (wake set) interrupts a blocking call before it
 * starts: without that, the read below would wait forever and alarm() would kill the test.
 */
static void test_wake_before_blocking(Fixture *f, gconstpointer data)
{
    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    alarm(10);
    atomic_store(&f->u.thread.sig.wake, 1);
    g_assert_cmpint(SYS(f, NR_read, fds[0], f->u.scratch, 1), ==, -EINTR);
    uint64_t ts[2] = {3600, 0}; /* an hour */
    memcpy(f->u.host, ts, sizeof(ts));
    g_assert_cmpint(SYS(f, NR_nanosleep, f->u.scratch, 0), ==, -EINTR);
    alarm(0);
    atomic_store(&f->u.thread.sig.wake, 0);
    close(fds[0]);
    close(fds[1]);
}

/* With a handler: SA_RESTART restarts read but not ppoll; the frame holds the outcome. */
static void restart_with_handler(Fixture *f, unsigned nr, uint64_t flags, uint64_t want_pc,
                                 int64_t want_a0)
{
    CPURISCVState *env = &f->cpu.env;
    user_signal_set_action(&f->u.thread, SIGUSR1, &(GuestSigAction){HANDLER, flags, 0}, NULL);
    env->gpr[2] = f->u.scratch + SCRATCH_SIZE;
    interrupted(f, nr, 3, 0, 0);
    siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_USER};
    user_signal_queue(&f->u.thread, SIGUSR1, &si);
    user_signal_deliver(&f->u.thread);
    const uint8_t *p = g2h(&f->u.proc.space, env->gpr[2]);
    g_assert_cmphex(env->pc, ==, HANDLER);
    g_assert_cmphex(get_u64(p, OFF_REGS), ==, want_pc);
    g_assert_cmphex(get_u64(p, OFF_REGS + 8 * 10), ==, (uint64_t)want_a0);
    g_assert_cmphex(f->u.thread.sig.blocked, ==, sig_bit(SIGUSR1));
    f->u.thread.sig.blocked = 0;
}

static void test_restart_handler(Fixture *f, gconstpointer data)
{
    restart_with_handler(f, NR_read, SA_RESTART, 0x20000, 3);
    restart_with_handler(f, NR_read, 0, 0x20004, -EINTR);
    restart_with_handler(f, NR_ppoll, SA_RESTART, 0x20004, -EINTR);
}

static void add(const char *path, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add("/user/signal/frame/layout", test_frame_layout);
    add("/user/signal/frame/roundtrip", test_frame_roundtrip);
    add("/user/signal/frame/hostile", test_frame_hostile);
    add("/user/signal/frame/altstack", test_frame_altstack);
    add("/user/signal/sigaltstack", test_sigaltstack_rules);
    add("/user/signal/sigaction", test_sigaction_rules);
    add("/user/signal/sigprocmask", test_sigprocmask_rules);
    add("/user/signal/restart/no-handler", test_restart_rules);
    add("/user/signal/restart/handler", test_restart_handler);
    add("/user/signal/wake-before-blocking", test_wake_before_blocking);
    return g_test_run();
}

// Signals between threads and processes, under load: pthread_kill (tgkill) to a thread
// spinning in pure computation, thousands of times, each delivered once and to that
// thread; kill() to the process while the main thread blocks the signal (only the thread
// that does not block it may take it); sigwaitinfo in a thread; SIGALRM taken by the one
// thread that does not block it; and a storm of real-time signals from a forked child
// (sigqueue with a sequence number), arriving while the parent computes and while it
// waits in a read restarted under SA_RESTART: none lost, none reordered.
// Prints deterministic lines and exits 1 if a check fails; gives up after 60 s (SIGALRM).
// guest-cflags: -pthread
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PINGS 300
#define STORM 3000

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

static void wait_for(volatile int *v, int want)
{
    while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want)
        sched_yield();
}

static pthread_t target;
static volatile int received, wrong_thread, stop, ready;
static int acks[2]; // the handler acknowledges each signal with a byte: no busy waiting

static void ping_handler(int sig, siginfo_t *si, void *uc)
{
    if (!pthread_equal(pthread_self(), target))
        wrong_thread++;
    __atomic_add_fetch(&received, 1, __ATOMIC_RELEASE);
    if (write(acks[1], "a", 1) != 1)
        _exit(3);
}

static void wait_ack(void)
{
    char c;
    if (read(acks[0], &c, 1) != 1) {
        perror("read ack");
        exit(2);
    }
}

// Spins without a syscall until told to stop: signals must get in between two blocks.
// It blocks nothing, whatever its creator blocks.
static void *spinner(void *arg)
{
    unsigned long n = 0;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
        n++;
    return (void *)n;
}

static void start_spinner(pthread_t *t)
{
    stop = ready = received = wrong_thread = 0;
    if (pthread_create(t, NULL, spinner, NULL) != 0) {
        perror("pthread_create");
        exit(2);
    }
    target = *t;
    wait_for(&ready, 1);
}

static void stop_spinner(pthread_t t)
{
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
}

static void test_pthread_kill(void)
{
    pthread_t t;
    on(SIGUSR1, ping_handler, 0);
    start_spinner(&t);
    for (int i = 1; i <= PINGS; i++) {
        pthread_kill(t, SIGUSR1);
        wait_ack();
    }
    stop_spinner(t);
    check_eq("pthread_kill to a spinning thread: delivered", received, PINGS);
    check_eq("pthread_kill: to another thread", wrong_thread, 0);
}

// The main thread blocks SIGUSR2: the process's signal goes to the spinner every time.
static void test_process_directed(void)
{
    pthread_t t;
    on(SIGUSR2, ping_handler, 0);
    mask(SIG_BLOCK, SIGUSR2);
    start_spinner(&t);
    for (int i = 1; i <= PINGS; i++) {
        kill(getpid(), SIGUSR2);
        wait_ack();
    }
    stop_spinner(t);
    check_eq("kill to the process, main blocking: delivered", received, PINGS);
    check_eq("kill to the process: all taken by the thread not blocking it", wrong_thread, 0);
    sigset_t pend;
    sigpending(&pend);
    check_eq("kill to the process: left pending", sigismember(&pend, SIGUSR2), 0);
    mask(SIG_UNBLOCK, SIGUSR2);
}

static volatile int waited_sig, waited_value;

static void *waiter(void *arg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    siginfo_t si;
    waited_sig = sigwaitinfo(&set, &si);
    waited_value = si.si_value.sival_int;
    return NULL;
}

static void test_sigwait_thread(void)
{
    mask(SIG_BLOCK, SIGUSR1); // inherited by the waiter
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    usleep(20000);
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 99});
    pthread_join(t, NULL);
    check_eq("sigwaitinfo in a thread: signal", waited_sig, SIGUSR1);
    check_eq("sigwaitinfo in a thread: value", waited_value, 99);
    mask(SIG_UNBLOCK, SIGUSR1);
}

static void test_alarm_to_thread(void)
{
    pthread_t t;
    on(SIGALRM, ping_handler, 0);
    mask(SIG_BLOCK, SIGALRM);
    start_spinner(&t);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    wait_ack();
    stop_spinner(t);
    check_eq("SIGALRM, main blocking: taken by the spinner", received - wrong_thread, 1);
    mask(SIG_UNBLOCK, SIGALRM);
}

static volatile int storm_count, storm_disorder;

static void storm_handler(int sig, siginfo_t *si, void *uc)
{
    if (si->si_value.sival_int != storm_count)
        storm_disorder++;
    storm_count++;
}

// The child sends STORM real-time signals, retrying while the parent's queue is full,
// then writes one byte. The parent computes for the first half and reads for the rest.
static void test_storm(void)
{
    int sig = SIGRTMIN + 2, fds[2];
    on(sig, storm_handler, SA_RESTART);
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        for (int i = 0; i < STORM; i++) {
            while (sigqueue(parent, sig, (union sigval){.sival_int = i}) != 0 && errno == EAGAIN)
                sched_yield();
        }
        _exit(write(fds[1], "!", 1) == 1 ? 0 : 1);
    }
    unsigned long spins = 0;
    while (__atomic_load_n(&storm_count, __ATOMIC_ACQUIRE) < STORM / 2)
        spins++;
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    int status;
    waitpid(child, &status, 0);
    wait_for(&storm_count, STORM);
    check_eq("storm: read restarted to the end", (long)n, 1);
    check_eq("storm: child", WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    check_eq("storm: real-time signals delivered", storm_count, STORM);
    check_eq("storm: out of order", storm_disorder, 0);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (pipe(acks) != 0) {
        perror("pipe");
        return 2;
    }
    alarm(60);
    test_pthread_kill();
    test_process_directed();
    test_sigwait_thread();
    alarm(0);
    test_alarm_to_thread();
    alarm(60);
    test_storm();
    printf("%s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}

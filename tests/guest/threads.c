// POSIX threads under emulation: guest threads are host threads sharing one TB cache, so
// this races them on purpose. Four threads increment a counter under a mutex, and int and
// long counters with C11-style atomics (__atomic: AMOs, and LR/SC in the compare-exchange
// loop); a producer and a consumer pass values through a condition variable; threads
// return values through pthread_join; __thread variables are distinct per thread; a
// barrier is crossed several times with exactly one serial thread each time; a detached
// thread's exit is seen through a semaphore; the main thread exits first and is joined by
// the last thread, whose return ends the process. Prints deterministic lines (no tids, no
// addresses) and exits 1 if a check fails.
// guest-cflags: -pthread
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define NTHREADS 4
#define ITERS    20000
#define ITEMS    1000
#define ROUNDS   5

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter;
static int atomic_int_counter;
static long atomic_long_counter;
static long cas_counter;

static void cas_add(long *p, long v)
{
    long old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(p, &old, old + v, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        ;
}

static void *count_worker(void *arg)
{
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&counter_lock);
        locked_counter++;
        pthread_mutex_unlock(&counter_lock);
        __atomic_fetch_add(&atomic_int_counter, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&atomic_long_counter, 2, __ATOMIC_SEQ_CST);
        cas_add(&cas_counter, 3);
    }
    return NULL;
}

static void test_counters(void)
{
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, count_worker, NULL);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    check_eq("mutex counter", locked_counter, (long)NTHREADS * ITERS);
    check_eq("atomic int counter", atomic_int_counter, (long)NTHREADS * ITERS);
    check_eq("atomic long counter", atomic_long_counter, 2L * NTHREADS * ITERS);
    check_eq("cas counter", cas_counter, 3L * NTHREADS * ITERS);
}

/* A one-slot mailbox: the producer waits for it to empty, the consumer for it to fill. */
static pthread_mutex_t box_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t box_cond = PTHREAD_COND_INITIALIZER;
static int box_full, box_value;

static void *producer(void *arg)
{
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&box_lock);
        while (box_full)
            pthread_cond_wait(&box_cond, &box_lock);
        box_value = i;
        box_full = 1;
        pthread_cond_signal(&box_cond);
        pthread_mutex_unlock(&box_lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0, in_order = 1;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&box_lock);
        while (!box_full)
            pthread_cond_wait(&box_cond, &box_lock);
        in_order &= box_value == i;
        sum += box_value;
        box_full = 0;
        pthread_cond_signal(&box_cond);
        pthread_mutex_unlock(&box_lock);
    }
    return (void *)(in_order ? sum : -1);
}

static void test_producer_consumer(void)
{
    pthread_t p, c;
    void *ret;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, &ret);
    check_eq("producer-consumer sum", (long)(intptr_t)ret, (long)ITEMS * (ITEMS + 1) / 2);
}

static __thread int tls_id = -1;
static __thread long tls_sum;
static pthread_barrier_t barrier;
static int serial_count;

/* Each thread keeps its own id and sum across barrier rounds; the barrier elects exactly
 * one serial thread per round. */
static void *tls_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    int initial = tls_id;
    tls_id = id;
    for (int r = 0; r < ROUNDS; r++) {
        tls_sum += id;
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_fetch_add(&serial_count, 1, __ATOMIC_SEQ_CST);
    }
    int ok = initial == -1 && tls_id == id && tls_sum == (long)id * ROUNDS;
    return (void *)(intptr_t)(ok ? id * 10 : -1);
}

static void test_tls_barrier_join(void)
{
    pthread_t th[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, tls_worker, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        char what[64];
        snprintf(what, sizeof(what), "thread %d exit value (tls intact)", i + 1);
        check_eq(what, (long)(intptr_t)ret, (i + 1) * 10L);
    }
    pthread_barrier_destroy(&barrier);
    check_eq("barrier serial threads", serial_count, ROUNDS);
    check_eq("main thread tls untouched", tls_id, -1);
}

static sem_t detached_done;

static void *detached_worker(void *arg)
{
    sem_post(&detached_done);
    return NULL;
}

static void test_detached(void)
{
    pthread_t th;
    pthread_attr_t attr;
    sem_init(&detached_done, 0, 0);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&th, &attr, detached_worker, NULL);
    pthread_attr_destroy(&attr);
    check_eq("detached thread ran", sem_wait(&detached_done), 0);
}

static pthread_t main_thread;

/* Joins the main thread, which leaves first (its tid word is cleared and woken as any
 * thread's), and ends the process by being the last thread to return. */
static void *outlive_main(void *arg)
{
    check_eq("join of the exited main thread", pthread_join(main_thread, NULL), 0);
    printf("%s\n", failures ? "FAILED" : "all passed");
    if (failures)
        exit(1);
    return NULL;
}

int main(void)
{
    test_counters();
    test_producer_consumer();
    test_tls_barrier_join();
    test_detached();
    pthread_t last;
    main_thread = pthread_self();
    pthread_create(&last, NULL, outlive_main, NULL);
    pthread_exit(NULL);
}

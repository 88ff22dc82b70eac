/*
 * Guest threads on host threads. Each guest thread is one host thread (a pthread) with a
 * vCPU of its own (CPU struct and TCGContext) on the process's shared TB cache, and its
 * guest thread id is its host tid, so that tgkill, PI futex owners and /proc/self/task
 * need no translation.
 *
 * clone(CLONE_THREAD) copies the creator's registers into a new vCPU, lets the
 * architecture set what differs (cpu_clone: result 0, stack, thread pointer) and returns
 * only once the new thread knows its tid and has written it where the guest asked
 * (PARENT_SETTID, CHILD_SETTID), as Linux does before either side runs on. The new host
 * thread starts with every host signal blocked; its guest mask is its creator's
 * (user_signal_thread_init), which it takes on the host once attached.
 *
 * proc->threads (under thread_lock) decides which exit is the last: a new thread joins
 * it before its creator's clone returns, so the process cannot end in between. exit_group
 * stops no thread itself: the host's exit_group ends every host thread, blocked in a
 * syscall or not (it only walks the list for the threads' robust futexes).
 *
 * fork copies only the calling thread, so user_fork_prepare first takes every lock
 * another thread may hold in the middle of an update, and the child forgets the other
 * threads, in the thread list and in the TB cache's exclusive section alike. A split code
 * buffer is copied for the child in prepare, while no thread can write it; that copy is
 * the one step that can fail, and then there is no fork.
 * Lock order: signal dispositions, TB cache, guest space, exclusive section, thread list,
 * log stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "user/user-internal.h"
#include "vmcore/log.h"
#include "vmcore/thread.h"

UserThread *user_thread_new(UserProcess *p)
{
    const UserArch *arch = p->arch;
    UserThread *t = g_new0(UserThread, 1);
    t->proc = p;
    CPUCommon *cpu = g_aligned_alloc0(1, arch->cpu_size, alignof(CPUCommon));
    cpu_common_init(cpu, arch->cpu_class, p->tbs);
    cpu->mem = &user_memory_ops;
    cpu->mem_opaque = t;
    t->cpu = cpu;
    user_icount_thread_init(t);
    return t;
}

void user_thread_free(UserThread *t)
{
    cpu_common_destroy(t->cpu);
    g_aligned_free(t->cpu);
    g_free(t);
}

void user_thread_enlist(UserThread *t)
{
    UserProcess *p = t->proc;
    t->tid = (int)gettid();
    mutex_lock(&p->thread_lock);
    t->next = p->threads;
    p->threads = t;
    p->nthreads++;
    mutex_unlock(&p->thread_lock);
}

/* Takes t off its process's list; whether it was the last thread. */
static bool thread_delist(UserThread *t)
{
    UserProcess *p = t->proc;
    mutex_lock(&p->thread_lock);
    for (UserThread **pp = &p->threads; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            p->nthreads--;
            break;
        }
    }
    bool last = p->nthreads == 0;
    mutex_unlock(&p->thread_lock);
    return last;
}

_Noreturn void user_exit_thread(UserThread *t, int status)
{
    user_futex_exit_robust(t);
    user_futex_clear_child_tid(t);
    if (thread_delist(t)) {
        user_exit_group(t, status);
    }
    user_icount_thread_exit(t);
    user_thread_detach(t);
    user_thread_free(t);
    pthread_exit(NULL);
}

void user_put_tid(UserThread *t, uint64_t addr, int tid)
{
    void *p = lock_user(t, addr, sizeof(int32_t), PAGE_WRITE);
    if (p) {
        int32_t v = tid;
        memcpy(p, &v, sizeof(v));
    }
}

void user_clone_child_setup(UserThread *t, const UserCloneArgs *ca)
{
    t->proc->arch->cpu_clone(t->cpu, ca->sp, ca->flags & CLONE_SETTLS, ca->tls);
    if (ca->flags & CLONE_CHILD_SETTID) {
        user_put_tid(t, ca->child_tid, t->tid);
    }
    t->clear_child_tid = ca->flags & CLONE_CHILD_CLEARTID ? ca->child_tid : 0;
    t->robust_list = 0;
}

/* Handed from a clone call to the host thread it starts; lives on the creator's stack. */
typedef struct ThreadStart {
    UserThread *t;
    UserCloneArgs ca;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int64_t result; /* the new thread's tid, or -errno */
} ThreadStart;

static void thread_start_done(ThreadStart *s, int64_t result)
{
    mutex_lock(&s->lock);
    s->result = result;
    s->done = true;
    cond_broadcast(&s->cond);
    mutex_unlock(&s->lock);
}

static void host_sigmask(const sigset_t *set, sigset_t *old)
{
    mutex_check(pthread_sigmask(SIG_SETMASK, set, old), "pthread_sigmask");
}

/* user_thread_attach gives the new host thread the mask of its guest thread. */
static void *thread_main(void *arg)
{
    ThreadStart *s = arg;
    UserThread *t = s->t;
    g_autoptr(GError) err = NULL;
    if (!user_thread_attach(t, &err)) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            fprintf(log_stream(), "paddock: clone: %s\n", err->message);
        }
        thread_start_done(s, host_to_guest_errno(EAGAIN));
        return NULL;
    }
    user_thread_enlist(t);
    user_clone_child_setup(t, &s->ca);
    if (s->ca.flags & CLONE_PARENT_SETTID) {
        user_put_tid(t, s->ca.parent_tid, t->tid);
    }
    thread_start_done(s, t->tid); /* s is gone from here on */
    t->proc->arch->cpu_loop(t);
    g_error("user: the %s CPU loop returned", t->proc->arch->name);
}

/* Starts s's host thread, detached, with every host signal blocked: 0 or an errno. */
static int thread_spawn(ThreadStart *s)
{
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err) {
        return err;
    }
    err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (!err) {
        sigset_t all, old;
        sigfillset(&all);
        host_sigmask(&all, &old);
        pthread_t thread;
        err = pthread_create(&thread, &attr, thread_main, s);
        host_sigmask(&old, NULL);
    }
    mutex_check(pthread_attr_destroy(&attr), "pthread_attr_destroy");
    return err;
}

int64_t user_thread_create(UserThread *parent, const UserCloneArgs *ca)
{
    UserProcess *p = parent->proc;
    UserThread *t = user_thread_new(p);
    memcpy(t->cpu->env, parent->cpu->env, p->arch->cpu_size - sizeof(CPUCommon));
    user_signal_thread_init(t, parent, true);
    ThreadStart s = {.t = t, .ca = *ca};
    mutex_init(&s.lock);
    cond_init(&s.cond);
    int64_t ret = host_to_guest_errno(EAGAIN);
    if (thread_spawn(&s) == 0) {
        mutex_lock(&s.lock);
        while (!s.done) {
            cond_wait(&s.cond, &s.lock);
        }
        ret = s.result;
        mutex_unlock(&s.lock);
    }
    cond_destroy(&s.cond);
    mutex_destroy(&s.lock);
    if (ret < 0) {
        user_thread_free(t);
    }
    return ret;
}

bool user_fork_prepare(UserProcess *p)
{
    mutex_lock(&p->sig.lock);
    if (!tb_cache_fork_prepare(p->tbs)) {
        int err = errno;
        mutex_unlock(&p->sig.lock);
        errno = err;
        return false;
    }
    mutex_lock(&p->space.lock);
    mutex_lock(&p->thread_lock);
    flockfile(log_stream());
    return true;
}

static void user_fork_unlock(UserProcess *p)
{
    funlockfile(log_stream());
    mutex_unlock(&p->thread_lock);
    mutex_unlock(&p->space.lock);
}

void user_fork_parent(UserProcess *p)
{
    user_fork_unlock(p);
    tb_cache_fork_parent(p->tbs);
    mutex_unlock(&p->sig.lock);
}

/*
 * The other threads' UserThreads stay allocated (as their host threads' stacks do): they
 * may be in any state, so nothing of theirs is touched.
 */
void user_fork_child(UserThread *t)
{
    UserProcess *p = t->proc;
    g_autoptr(GError) err = NULL;
    t->tid = (int)gettid();
    t->next = NULL;
    p->threads = t;
    p->nthreads = 1;
    user_icount_after_fork(t);
    user_fork_unlock(p);
    if (!tb_cache_fork_child(p->tbs, &t->cpu->exec_thread, &err)) {
        fprintf(stderr, "paddock: fork: %s\n", err->message);
        _exit(1);
    }
    mutex_unlock(&p->sig.lock);
}

/* Every thread's robust futexes, for exit_group (Linux walks each dying thread's list). */
void user_threads_exit_robust(UserProcess *p)
{
    mutex_lock(&p->thread_lock);
    for (UserThread *t = p->threads; t; t = t->next) {
        user_futex_exit_robust(t);
    }
    mutex_unlock(&p->thread_lock);
}

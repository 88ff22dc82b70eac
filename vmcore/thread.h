/*
 * Mutexes and condition variables on pthreads (rather than GLib's, which ThreadSanitizer
 * cannot see through). The wrappers stop the process on an error: pthread calls fail
 * only when the program misuses them, and carrying on would corrupt shared state.
 */
#ifndef VMCORE_THREAD_H
#define VMCORE_THREAD_H

#include <glib.h>
#include <pthread.h>

static inline void mutex_check(int err, const char *what)
{
    if (err) {
        g_error("%s: %s", what, g_strerror(err));
    }
}

static inline void mutex_init(pthread_mutex_t *m)
{
    mutex_check(pthread_mutex_init(m, NULL), "pthread_mutex_init");
}

static inline void mutex_destroy(pthread_mutex_t *m)
{
    mutex_check(pthread_mutex_destroy(m), "pthread_mutex_destroy");
}

static inline void mutex_lock(pthread_mutex_t *m)
{
    mutex_check(pthread_mutex_lock(m), "pthread_mutex_lock");
}

static inline void mutex_unlock(pthread_mutex_t *m)
{
    mutex_check(pthread_mutex_unlock(m), "pthread_mutex_unlock");
}

static inline void cond_init(pthread_cond_t *c)
{
    mutex_check(pthread_cond_init(c, NULL), "pthread_cond_init");
}

static inline void cond_destroy(pthread_cond_t *c)
{
    mutex_check(pthread_cond_destroy(c), "pthread_cond_destroy");
}

static inline void cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    mutex_check(pthread_cond_wait(c, m), "pthread_cond_wait");
}

static inline void cond_broadcast(pthread_cond_t *c)
{
    mutex_check(pthread_cond_broadcast(c), "pthread_cond_broadcast");
}

#endif

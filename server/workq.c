/* A fixed pool of pthreads over one locked queue; see workq.h. */
#include "server/workq.h"

#include <pthread.h>

#include "vmcore/thread.h"

struct WorkQueue {
    WorkFn fn;
    void *ctx;
    pthread_t *threads;
    unsigned n_threads;
    pthread_mutex_t lock; /* guards items and closed */
    pthread_cond_t ready; /* an item was queued, or the queue closed */
    GQueue items;
    bool closed;
};

static void *workq_thread(void *arg)
{
    WorkQueue *q = arg;
    mutex_lock(&q->lock);
    for (;;) {
        while (!q->closed && g_queue_is_empty(&q->items)) {
            cond_wait(&q->ready, &q->lock);
        }
        void *item = g_queue_pop_head(&q->items);
        if (!item) {
            break; /* closed and drained */
        }
        mutex_unlock(&q->lock);
        q->fn(item, q->ctx);
        mutex_lock(&q->lock);
    }
    mutex_unlock(&q->lock);
    return NULL;
}

WorkQueue *workq_new(const char *name, unsigned threads, WorkFn fn, void *ctx, GError **errp)
{
    WorkQueue *q = g_new0(WorkQueue, 1);
    q->fn = fn;
    q->ctx = ctx;
    q->threads = g_new0(pthread_t, threads);
    mutex_init(&q->lock);
    cond_init(&q->ready);
    g_queue_init(&q->items);
    for (; q->n_threads < threads; q->n_threads++) {
        int err = pthread_create(&q->threads[q->n_threads], NULL, workq_thread, q);
        if (err) {
            g_set_error(errp, G_THREAD_ERROR, G_THREAD_ERROR_AGAIN,
                        "cannot start thread %u of the %s queue: %s", q->n_threads, name,
                        g_strerror(err));
            workq_free(q);
            return NULL;
        }
    }
    return q;
}

bool workq_push(WorkQueue *q, void *item)
{
    mutex_lock(&q->lock);
    bool open = !q->closed;
    if (open) {
        g_queue_push_tail(&q->items, item);
        mutex_check(pthread_cond_signal(&q->ready), "pthread_cond_signal");
    }
    mutex_unlock(&q->lock);
    return open;
}

void workq_free(WorkQueue *q)
{
    mutex_lock(&q->lock);
    q->closed = true;
    cond_broadcast(&q->ready);
    mutex_unlock(&q->lock);
    for (unsigned i = 0; i < q->n_threads; i++) {
        mutex_check(pthread_join(q->threads[i], NULL), "pthread_join");
    }
    cond_destroy(&q->ready);
    mutex_destroy(&q->lock);
    g_free(q->threads);
    g_free(q);
}

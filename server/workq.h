/*
 * A fixed set of threads running queued items, on pthreads (not GThreadPool, whose GLib
 * locks ThreadSanitizer cannot see through, so every handoff would look like a race).
 * The dispatcher runs deferred requests on one; anything else that must wait off the
 * listener threads may have its own.
 *
 *     WorkQueue *q = workq_new("defer", 16, run_item, ctx, &err);
 *     workq_push(q, item);      (run_item(item, ctx) runs on one of the threads)
 *     workq_free(q);            (runs what is queued, then joins the threads)
 */
#ifndef SERVER_WORKQ_H
#define SERVER_WORKQ_H

#include <stdbool.h>

#include <glib.h>

typedef struct WorkQueue WorkQueue;
typedef void (*WorkFn)(void *item, void *ctx);

WorkQueue *workq_new(const char *name, unsigned threads, WorkFn fn, void *ctx, GError **errp);
/* Queues item; false once workq_free has begun (item not taken). */
bool workq_push(WorkQueue *q, void *item);
/* Refuses new items, lets the threads finish every queued one, joins them and frees q. */
void workq_free(WorkQueue *q);

#endif

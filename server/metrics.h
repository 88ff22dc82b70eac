/*
 * Prometheus metrics for paddockd, rendered as the text exposition format by GET /metrics.
 * A family (counter, gauge or histogram) is registered once at start-up, before the
 * listener opens, with the names of its labels; series appear as label values are first
 * used. Updates take one mutex per registry: they are rare next to the work they count.
 * Values that another module already knows (blobs stored, queue depth) are read at scrape
 * time through a gauge function instead of being mirrored.
 *
 * Usage:
 *     static const char *const labels[] = {"status", "arch", NULL};
 *     MetricFamily *runs = metrics_counter(m, "paddock_runs_total", "Runs by status", labels);
 *     metrics_inc(runs, (const char *const[]){"exited", "riscv64"}, 1);
 */
#ifndef SERVER_METRICS_H
#define SERVER_METRICS_H

#include <stddef.h>

typedef struct Metrics Metrics;
typedef struct MetricFamily MetricFamily;

/* Reads a value at scrape time (called with no metrics lock held). */
typedef double (*MetricFn)(void *data);

Metrics *metrics_new(void);
void metrics_free(Metrics *m);

/*
 * Registration. name follows Prometheus conventions (paddock_*_total for counters,
 * *_seconds, *_bytes); labels is a NULL-terminated list of label names, or NULL.
 */
MetricFamily *metrics_counter(Metrics *m, const char *name, const char *help,
                              const char *const *labels);
MetricFamily *metrics_gauge(Metrics *m, const char *name, const char *help,
                            const char *const *labels);
/* bounds: the n_bounds upper bounds of the buckets, ascending (+Inf is implied). */
MetricFamily *metrics_histogram(Metrics *m, const char *name, const char *help,
                                const char *const *labels, const double *bounds, size_t n_bounds);
/* An unlabelled gauge whose value is fn(data) at each scrape. */
void metrics_gauge_fn(Metrics *m, const char *name, const char *help, MetricFn fn, void *data);

/* Bucket bounds for durations in seconds: 1 ms to 60 s. */
extern const double metrics_duration_bounds[];
extern const size_t metrics_n_duration_bounds;

/*
 * Updates. values holds one value per label of the family, in order (NULL for an
 * unlabelled family). inc: counters and gauges; set: gauges; observe: histograms.
 */
void metrics_inc(MetricFamily *f, const char *const *values, double by);
void metrics_set(MetricFamily *f, const char *const *values, double value);
void metrics_observe(MetricFamily *f, const char *const *values, double value);

/* The whole registry in the text exposition format (g_free). */
char *metrics_render(Metrics *m);

#endif

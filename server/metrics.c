/*
 * The metrics registry; see metrics.h. A family holds its series in a hash keyed by the
 * label values (joined by an ASCII unit separator) plus an array in creation order, which
 * is the order they are rendered in. The family list is fixed once the listener opens,
 * so rendering walks it without a lock and takes the lock per family.
 */
#include "server/metrics.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "vmcore/thread.h"

const double metrics_duration_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1,      2.5,   5,    10,    30,   60};
const size_t metrics_n_duration_bounds = G_N_ELEMENTS(metrics_duration_bounds);

typedef enum MetricKind {
    METRIC_COUNTER,
    METRIC_GAUGE,
    METRIC_HISTOGRAM,
    METRIC_GAUGE_FN,
} MetricKind;

typedef struct MetricSeries {
    char **values;     /* one per label */
    double value;      /* counter, gauge */
    uint64_t *buckets; /* histogram: observations per bucket (not cumulative), +Inf last */
    double sum;
    uint64_t count;
} MetricSeries;

struct MetricFamily {
    Metrics *m;
    MetricKind kind;
    char *name, *help;
    char **labels;
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    GHashTable *index; /* key → MetricSeries (borrowed from series) */
    GPtrArray *series; /* owns MetricSeries, in creation order */
    MetricFn fn;
    void *fn_data;
};

struct Metrics {
    pthread_mutex_t lock;
    GPtrArray *families;
};

static void metric_series_free(gpointer p)
{
    MetricSeries *s = p;
    g_strfreev(s->values);
    g_free(s->buckets);
    g_free(s);
}

static void metric_family_free(gpointer p)
{
    MetricFamily *f = p;
    g_free(f->name);
    g_free(f->help);
    g_strfreev(f->labels);
    g_free(f->bounds);
    g_hash_table_unref(f->index);
    g_ptr_array_unref(f->series);
    g_free(f);
}

Metrics *metrics_new(void)
{
    Metrics *m = g_new0(Metrics, 1);
    mutex_init(&m->lock);
    m->families = g_ptr_array_new_with_free_func(metric_family_free);
    return m;
}

void metrics_free(Metrics *m)
{
    if (!m) {
        return;
    }
    g_ptr_array_unref(m->families);
    mutex_destroy(&m->lock);
    g_free(m);
}

static MetricFamily *metrics_add_family(Metrics *m, MetricKind kind, const char *name,
                                        const char *help, const char *const *labels)
{
    MetricFamily *f = g_new0(MetricFamily, 1);
    f->m = m;
    f->kind = kind;
    f->name = g_strdup(name);
    f->help = g_strdup(help);
    f->labels = labels ? g_strdupv((char **)labels) : g_new0(char *, 1);
    f->n_labels = g_strv_length(f->labels);
    f->index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    f->series = g_ptr_array_new_with_free_func(metric_series_free);
    mutex_lock(&m->lock);
    g_ptr_array_add(m->families, f);
    mutex_unlock(&m->lock);
    return f;
}

MetricFamily *metrics_counter(Metrics *m, const char *name, const char *help,
                              const char *const *labels)
{
    return metrics_add_family(m, METRIC_COUNTER, name, help, labels);
}

MetricFamily *metrics_gauge(Metrics *m, const char *name, const char *help,
                            const char *const *labels)
{
    return metrics_add_family(m, METRIC_GAUGE, name, help, labels);
}

MetricFamily *metrics_histogram(Metrics *m, const char *name, const char *help,
                                const char *const *labels, const double *bounds, size_t n_bounds)
{
    MetricFamily *f = metrics_add_family(m, METRIC_HISTOGRAM, name, help, labels);
    f->bounds = g_memdup2(bounds, n_bounds * sizeof(*bounds));
    f->n_bounds = n_bounds;
    return f;
}

void metrics_gauge_fn(Metrics *m, const char *name, const char *help, MetricFn fn, void *data)
{
    MetricFamily *f = metrics_add_family(m, METRIC_GAUGE_FN, name, help, NULL);
    f->fn = fn;
    f->fn_data = data;
}

/* The series for values, created on first use. Called with the lock held. */
static MetricSeries *metric_series(MetricFamily *f, const char *const *values)
{
    GString *key = g_string_new(NULL);
    for (size_t i = 0; i < f->n_labels; i++) {
        g_string_append(key, values[i]);
        g_string_append_c(key, '\x1f');
    }
    MetricSeries *s = g_hash_table_lookup(f->index, key->str);
    if (s) {
        g_string_free(key, TRUE);
        return s;
    }
    s = g_new0(MetricSeries, 1);
    s->values = g_new0(char *, f->n_labels + 1);
    for (size_t i = 0; i < f->n_labels; i++) {
        s->values[i] = g_strdup(values[i]);
    }
    if (f->kind == METRIC_HISTOGRAM) {
        s->buckets = g_new0(uint64_t, f->n_bounds + 1);
    }
    g_hash_table_insert(f->index, g_string_free(key, FALSE), s);
    g_ptr_array_add(f->series, s);
    return s;
}

void metrics_inc(MetricFamily *f, const char *const *values, double by)
{
    mutex_lock(&f->m->lock);
    metric_series(f, values)->value += by;
    mutex_unlock(&f->m->lock);
}

void metrics_set(MetricFamily *f, const char *const *values, double value)
{
    mutex_lock(&f->m->lock);
    metric_series(f, values)->value = value;
    mutex_unlock(&f->m->lock);
}

void metrics_observe(MetricFamily *f, const char *const *values, double value)
{
    size_t b = 0;
    while (b < f->n_bounds && value > f->bounds[b]) {
        b++;
    }
    mutex_lock(&f->m->lock);
    MetricSeries *s = metric_series(f, values);
    s->buckets[b]++;
    s->sum += value;
    s->count++;
    mutex_unlock(&f->m->lock);
}

/* ---- text exposition format ---- */

/* 15 significant digits: exact for counts below 10^15, and short for bucket bounds. */
static const char *metrics_number(char *buf, size_t size, double v)
{
    return g_ascii_formatd(buf, (gint)size, "%.15g", v);
}

static void metrics_put_number(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, metrics_number(buf, sizeof(buf), v));
}

/* {l1="v1",…[,le="x"]}, label values escaped as the format requires. */
static void metrics_put_labels(GString *out, const MetricFamily *f, const MetricSeries *s,
                               const char *le)
{
    if (!f->n_labels && !le) {
        return;
    }
    g_string_append_c(out, '{');
    for (size_t i = 0; i < f->n_labels; i++) {
        g_string_append_printf(out, "%s%s=\"", i ? "," : "", f->labels[i]);
        for (const char *c = s->values[i]; *c; c++) {
            if (*c == '\\' || *c == '"') {
                g_string_append_c(out, '\\');
            }
            if (*c == '\n') {
                g_string_append(out, "\\n");
            } else {
                g_string_append_c(out, *c);
            }
        }
        g_string_append_c(out, '"');
    }
    if (le) {
        g_string_append_printf(out, "%sle=\"%s\"", f->n_labels ? "," : "", le);
    }
    g_string_append_c(out, '}');
}

static void metrics_put_sample(GString *out, const MetricFamily *f, const char *suffix,
                               const MetricSeries *s, const char *le, double v)
{
    g_string_append_printf(out, "%s%s", f->name, suffix);
    metrics_put_labels(out, f, s, le);
    g_string_append_c(out, ' ');
    metrics_put_number(out, v);
    g_string_append_c(out, '\n');
}

static void metrics_put_histogram(GString *out, const MetricFamily *f, const MetricSeries *s)
{
    uint64_t cumulative = 0;
    char le[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t b = 0; b <= f->n_bounds; b++) {
        cumulative += s->buckets[b];
        const char *bound = b < f->n_bounds ? metrics_number(le, sizeof(le), f->bounds[b]) : "+Inf";
        metrics_put_sample(out, f, "_bucket", s, bound, (double)cumulative);
    }
    metrics_put_sample(out, f, "_sum", s, NULL, s->sum);
    metrics_put_sample(out, f, "_count", s, NULL, (double)s->count);
}

static void metrics_put_family(GString *out, MetricFamily *f)
{
    static const char *const types[] = {
        [METRIC_COUNTER] = "counter",
        [METRIC_GAUGE] = "gauge",
        [METRIC_HISTOGRAM] = "histogram",
        [METRIC_GAUGE_FN] = "gauge",
    };
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
                           types[f->kind]);
    if (f->kind == METRIC_GAUGE_FN) {
        MetricSeries none = {0};
        metrics_put_sample(out, f, "", &none, NULL, f->fn(f->fn_data));
        return;
    }
    mutex_lock(&f->m->lock);
    for (size_t i = 0; i < f->series->len; i++) {
        const MetricSeries *s = f->series->pdata[i];
        if (f->kind == METRIC_HISTOGRAM) {
            metrics_put_histogram(out, f, s);
        } else {
            metrics_put_sample(out, f, "", s, NULL, s->value);
        }
    }
    mutex_unlock(&f->m->lock);
}

char *metrics_render(Metrics *m)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < m->families->len; i++) {
        metrics_put_family(out, m->families->pdata[i]);
    }
    return g_string_free(out, FALSE);
}

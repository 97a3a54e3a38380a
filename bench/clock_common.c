/* Helpers shared by bench_clock's scenarios (bench_clock.c, clock_e2e.c). */
#include "clock_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void result_add(results_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->len < sizeof r->line) {
        r->line[r->len++] = ' ';
        int n = vsnprintf(r->line + r->len, sizeof r->line - r->len, fmt, ap);
        if (n > 0)
            r->len += (size_t)n;
    }
    va_end(ap);
}

void vec_push(vec_t *v, int64_t x)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        v->v = realloc(v->v, v->cap * sizeof(*v->v));
        if (!v->v) {
            fprintf(stderr, "bench_clock: out of memory\n");
            exit(1);
        }
    }
    v->v[v->len++] = x;
}

int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Per device: its median error is its bias (an unknown asymmetry of its query legs or a
 * latency floor shows there, and nothing can observe it); jitter is each error's distance from
 * its own device's bias, pooled over the devices. Reported bias: the device bias of largest
 * magnitude. */
stats_t stats_of(vec_t *v, size_t ndev)
{
    stats_t st = {0, 0, 0};
    size_t total = 0;
    for (size_t i = 0; i < ndev; i++)
        total += v[i].len;
    if (total == 0)
        return st;
    int64_t *dev = malloc(total * sizeof(int64_t));
    if (!dev)
        exit(1);
    size_t n = 0;
    for (size_t i = 0; i < ndev; i++) {
        if (v[i].len == 0)
            continue;
        qsort(v[i].v, v[i].len, sizeof(int64_t), cmp_i64);
        int64_t med = v[i].v[v[i].len / 2];
        if (fabs((double)med) > fabs(st.bias))
            st.bias = (double)med;
        for (size_t k = 0; k < v[i].len; k++) {
            dev[n++] = llabs(v[i].v[k] - med);
            st.max_abs = fmax(st.max_abs, fabs((double)v[i].v[k]));
        }
    }
    qsort(dev, n, sizeof(int64_t), cmp_i64);
    st.jitter_p99 = (double)dev[(size_t)(0.99 * (double)(n - 1))];
    free(dev);
    return st;
}

double pct(vec_t *v, double q)
{
    if (v->len == 0)
        return NAN;
    qsort(v->v, v->len, sizeof(int64_t), cmp_i64);
    return (double)v->v[(size_t)(q * (double)(v->len - 1))];
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Helpers shared by bench_clock's scenarios (bench_clock.c, clock_e2e.c). */
#ifndef RIGSYNC_BENCH_CLOCK_COMMON_H
#define RIGSYNC_BENCH_CLOCK_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_DEVICES 16
#define WARMUP_US 60000000LL /* the first minute is start-up for every method: not scored */

/* ---- Results: every scenario adds its keys; main prints them as one RESULT line ---- */

typedef struct results {
    char line[1024];
    size_t len;
    double cost_ns; /* the worst estimator cost over the scenarios run */
    bool failed;    /* a scenario could not run, or its replay disagreed with the live run */
} results_t;

void result_add(results_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct options {
    double hours;
    size_t ndev;
    uint64_t seed;
    bool host_sync;
    double e2e_minutes; /* virtual time of each end-to-end rig */
} options_t;

typedef struct vec {
    int64_t *v;
    size_t len, cap;
} vec_t;

void vec_push(vec_t *v, int64_t x);

int cmp_i64(const void *a, const void *b);

typedef struct stats {
    double bias, jitter_p99, max_abs;
} stats_t;

/* Per device: its median error is its bias (an unknown asymmetry of its query legs or a
 * latency floor shows there, and nothing can observe it); jitter is each error's distance from
 * its own device's bias, pooled over the devices. Reported bias: the device bias of largest
 * magnitude. */
stats_t stats_of(vec_t *v, size_t ndev);

/* The q quantile of v (sorts it); NAN when empty. */
double pct(vec_t *v, double q);

/* Monotonic wall clock, seconds. */
double now_s(void);

#endif

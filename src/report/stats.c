#include "report/stats.h"

#include <math.h>
#include <stdlib.h>

#define EXACT_BINS 1000                /* 0 .. 999 us, one bin each */
#define LOG_RATIO 1.02                 /* log bins 2 % wide: the middle is within 1 % */
#define LOG_BINS 1060                  /* 1 ms .. 2^40 us */
#define TOTAL_BINS (EXACT_BINS + LOG_BINS)

static size_t bin_of(int64_t v)
{
    if (v < EXACT_BINS)
        return (size_t)(v < 0 ? 0 : v);
    double b = floor(log((double)v / EXACT_BINS) / log(LOG_RATIO));
    if (!(b >= 0))
        b = 0;
    if (b >= LOG_BINS)
        b = LOG_BINS - 1;
    return EXACT_BINS + (size_t)b;
}

bool rig_hist_add(rig_hist_t *h, int64_t v)
{
    if (!h->bins) {
        h->bins = calloc(TOTAL_BINS, sizeof(*h->bins));
        if (!h->bins)
            return false;
    }
    if (v < 0)
        v = 0;
    h->bins[bin_of(v)]++;
    if (h->n == 0 || v > h->max)
        h->max = v;
    h->n++;
    return true;
}

int64_t rig_hist_rank(const rig_hist_t *h, uint64_t rank)
{
    if (!h->bins || h->n == 0)
        return 0;
    if (rank >= h->n)
        rank = h->n - 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < TOTAL_BINS; b++) {
        seen += h->bins[b];
        if (seen <= rank)
            continue;
        if (b < EXACT_BINS)
            return (int64_t)b;
        double lo = EXACT_BINS * pow(LOG_RATIO, (double)(b - EXACT_BINS));
        double mid = lo * sqrt(LOG_RATIO);
        /* Nothing in the bin exceeds the maximum: the top value's bin reports it at most. */
        return mid >= (double)h->max ? h->max : (int64_t)llround(mid);
    }
    return h->max;
}

void rig_hist_free(rig_hist_t *h)
{
    free(h->bins);
    h->bins = NULL;
    h->n = 0;
}

size_t rig_hist_bytes(void) { return TOTAL_BINS * sizeof(uint64_t); }

/* Drops every other inner vertex: bounded memory past RIG_ENVELOPE_MAX_POINTS. */
static void decimate(rig_envelope_t *e)
{
    size_t w = 1;
    for (size_t r = 1; r + 1 < e->len; r++) {
        if (r % 2 == 0) {
            e->x[w] = e->x[r];
            e->y[w] = e->y[r];
            w++;
        }
    }
    e->x[w] = e->x[e->len - 1];
    e->y[w] = e->y[e->len - 1];
    e->len = w + 1;
    e->decimations++;
}

bool rig_envelope_add(rig_envelope_t *e, double x, double y)
{
    if (e->len > 0 && !(x > e->x[e->len - 1]))
        return true;
    if (e->len == e->cap) {
        if (e->cap >= RIG_ENVELOPE_MAX_POINTS) {
            decimate(e);
        } else {
            size_t cap = e->cap ? e->cap * 2 : 16;
            double *nx = realloc(e->x, cap * sizeof(*nx));
            if (!nx)
                return false;
            e->x = nx;
            double *ny = realloc(e->y, cap * sizeof(*ny));
            if (!ny)
                return false;
            e->y = ny;
            e->cap = cap;
        }
    }
    /* Monotone chain: drop the last vertex while it is not strictly below the segment from
     * the one before it to the new point. */
    while (e->len >= 2) {
        size_t a = e->len - 2, b = e->len - 1;
        double cross = (e->x[b] - e->x[a]) * (y - e->y[a]) - (e->y[b] - e->y[a]) * (x - e->x[a]);
        if (cross > 0)
            break;
        e->len--;
    }
    e->x[e->len] = x;
    e->y[e->len] = y;
    e->len++;
    e->sum_x += x;
    e->n++;
    return true;
}

bool rig_envelope_line(const rig_envelope_t *e, double *slope, double *intercept)
{
    if (e->n < 2 || e->len < 2)
        return false;
    double mean_x = e->sum_x / (double)e->n;
    size_t j = 0;
    while (j + 2 < e->len && e->x[j + 1] < mean_x)
        j++;
    *slope = (e->y[j + 1] - e->y[j]) / (e->x[j + 1] - e->x[j]);
    *intercept = e->y[j] - *slope * e->x[j];
    return true;
}

void rig_envelope_free(rig_envelope_t *e)
{
    free(e->x);
    free(e->y);
    e->x = e->y = NULL;
    e->len = e->cap = 0;
}

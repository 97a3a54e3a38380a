/*
 * Streaming statistics for the run summary (pure): each keeps bounded memory however long the
 * run, with a stated error.
 *
 *  - rig_hist_t: a distribution of non-negative microsecond values for quantiles. Exact below
 *    1 ms (1 us bins); from 1 ms up, logarithmic bins 2 % wide whose middle is reported, so a
 *    quantile there is within 1 % of the exact one. Values past 2^40 us (12 days) share the
 *    top bin. The maximum is kept exactly. 16.5 KB once a value came, nothing before.
 *  - rig_envelope_t: the lower convex hull of (x, y) points with increasing x, built online
 *    (monotone chain), plus the running mean of x: the same line as rig_lower_hull_line over
 *    all the points (common/hull.h) while the hull has fewer than RIG_ENVELOPE_MAX_POINTS
 *    vertices. The hull of arrivals with random latency has a few dozen; past the bound every
 *    other inner vertex is dropped, which can only raise the fit's support points (by at most
 *    the height of a dropped vertex above its neighbours' chord).
 */
#ifndef RIGSYNC_REPORT_STATS_H
#define RIGSYNC_REPORT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rig_hist {
    uint64_t n;
    int64_t max;
    uint64_t *bins; /* NULL until the first value */
} rig_hist_t;

/** Adds a value (negative counts as 0). False when out of memory. */
bool rig_hist_add(rig_hist_t *h, int64_t v);
/** The value of 0-based rank `rank` in sorted order (rank < n); 0 when empty. */
int64_t rig_hist_rank(const rig_hist_t *h, uint64_t rank);
void rig_hist_free(rig_hist_t *h);
/** Bytes a histogram holds once used. */
size_t rig_hist_bytes(void);

#define RIG_ENVELOPE_MAX_POINTS 4096

typedef struct rig_envelope {
    double *x, *y; /* hull vertices, increasing x */
    size_t len, cap;
    double sum_x;
    uint64_t n;
    uint64_t decimations;
} rig_envelope_t;

/** Adds a point; x must exceed every earlier x (else ignored). False when out of memory. */
bool rig_envelope_add(rig_envelope_t *e, double x, double y);
/** The lower-envelope line (as rig_lower_hull_line); false with fewer than 2 points. */
bool rig_envelope_line(const rig_envelope_t *e, double *slope, double *intercept);
void rig_envelope_free(rig_envelope_t *e);

#endif

/* The run over time (report/timeline.h): buckets of host time that merge when the run
 * outgrows them, per-device clock samples and clock writes. */
#include "report/timeline.h"
#include "report/timeline_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

typedef struct clock_track {
    rig_timeline_clock_t *samples;
    size_t n;
    int64_t min_gap_us; /* thinned: samples closer than this to the previous are skipped */
    bool ref_known;
    unsigned ref_epoch;
    double ref_offset_us; /* global - device at the epoch's first sample */
    int64_t *writes;
    size_t nwrites;
    int64_t write_gap_us;
} clock_track_t;

struct rig_timeline {
    size_t ndev;
    int64_t base_us;   /* start of bucket 0 */
    int64_t bucket_us;
    bool started;
    size_t nbuckets, cap;
    rig_timeline_bucket_t *buckets;
    rig_timeline_cell_t *cells; /* [bucket * ndev + device], cap * ndev */
    uint64_t spread_hist[RIG_TIMELINE_SPREAD_BINS];
    /* per slot: the last frame index and host time seen (drops, the time of unmatched frames) */
    bool *seen;
    uint64_t *last_index;
    int64_t *last_host;
    clock_track_t *clock;
    /* the view's arrays */
    const rig_timeline_clock_t **clock_ptr;
    size_t *clock_n;
    const int64_t **write_ptr;
    size_t *write_n;
    int64_t *scratch; /* 3 * ndev */
    int64_t *offsets; /* ndev */
};

static void cell_init(rig_timeline_cell_t *c)
{
    memset(c, 0, sizeof(*c));
    c->offset_min_us = INT64_MAX;
    c->offset_max_us = INT64_MIN;
}

rig_timeline_t *rig_timeline_create(size_t device_count, int64_t bucket_us)
{
    if (device_count == 0 || bucket_us < 1000)
        return NULL;
    rig_timeline_t *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    size_t slots = device_count * RIG_STREAM_COUNT;
    t->ndev = device_count;
    t->bucket_us = bucket_us;
    t->seen = calloc(slots, sizeof(*t->seen));
    t->last_index = calloc(slots, sizeof(*t->last_index));
    t->last_host = calloc(slots, sizeof(*t->last_host));
    t->clock = calloc(device_count, sizeof(*t->clock));
    t->clock_ptr = calloc(device_count, sizeof(*t->clock_ptr));
    t->clock_n = calloc(device_count, sizeof(*t->clock_n));
    t->write_ptr = calloc(device_count, sizeof(*t->write_ptr));
    t->write_n = calloc(device_count, sizeof(*t->write_n));
    t->scratch = calloc(3 * device_count, sizeof(*t->scratch));
    t->offsets = calloc(device_count, sizeof(*t->offsets));
    if (!t->seen || !t->last_index || !t->last_host || !t->clock || !t->clock_ptr ||
        !t->clock_n || !t->write_ptr || !t->write_n || !t->scratch || !t->offsets) {
        rig_timeline_destroy(t);
        return NULL;
    }
    return t;
}

void rig_timeline_destroy(rig_timeline_t *t)
{
    if (!t)
        return;
    if (t->clock) {
        for (size_t d = 0; d < t->ndev; d++) {
            free(t->clock[d].samples);
            free(t->clock[d].writes);
        }
    }
    free(t->buckets);
    free(t->cells);
    free(t->seen);
    free(t->last_index);
    free(t->last_host);
    free(t->clock);
    free(t->clock_ptr);
    free(t->clock_n);
    free(t->write_ptr);
    free(t->write_n);
    free(t->scratch);
    free(t->offsets);
    free(t);
}

static void cell_merge(rig_timeline_cell_t *into, const rig_timeline_cell_t *c)
{
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        into->frames[s] += c->frames[s];
        into->drops[s] += c->drops[s];
    }
    into->interfered += c->interfered;
    into->unmatched += c->unmatched;
    into->stalls += c->stalls;
    into->offsets += c->offsets;
    into->offset_sum_us += c->offset_sum_us;
    into->offset_min_us = RIG_MIN(into->offset_min_us, c->offset_min_us);
    into->offset_max_us = RIG_MAX(into->offset_max_us, c->offset_max_us);
}

/* Halves the number of buckets: neighbours merge, the width doubles. */
static void merge_pairs(rig_timeline_t *t)
{
    size_t n = (t->nbuckets + 1) / 2;
    for (size_t i = 0; i < n; i++) {
        rig_timeline_bucket_t *into = &t->buckets[i];
        rig_timeline_cell_t *into_cells = t->cells + i * t->ndev;
        const rig_timeline_bucket_t *a = &t->buckets[2 * i];
        rig_timeline_bucket_t merged = *a;
        merged.start_us = t->base_us + (int64_t)i * 2 * t->bucket_us;
        if (2 * i + 1 < t->nbuckets) {
            const rig_timeline_bucket_t *b = &t->buckets[2 * i + 1];
            merged.captures += b->captures;
            for (int k = 0; k < RIG_TIMELINE_SPREAD_BINS; k++)
                merged.spread_hist[k] += b->spread_hist[k];
            merged.spread_max_us = RIG_MAX(merged.spread_max_us, b->spread_max_us);
            merged.spread_sum_us += b->spread_sum_us;
        }
        /* cells: a's first (it may be i itself), then b's */
        if (i != 2 * i)
            memcpy(into_cells, t->cells + 2 * i * t->ndev, t->ndev * sizeof(*into_cells));
        if (2 * i + 1 < t->nbuckets)
            for (size_t d = 0; d < t->ndev; d++)
                cell_merge(&into_cells[d], &t->cells[(2 * i + 1) * t->ndev + d]);
        *into = merged;
    }
    for (size_t i = n; i < t->nbuckets; i++)
        for (size_t d = 0; d < t->ndev; d++)
            cell_init(&t->cells[i * t->ndev + d]);
    t->nbuckets = n;
    t->bucket_us *= 2;
}

/* The bucket of host time `us` (created, and older buckets merged, as needed); NULL when out of
 * memory. Times before the first bucket count in it. */
static rig_timeline_bucket_t *bucket_at(rig_timeline_t *t, int64_t us, size_t *index)
{
    if (!t->started) {
        int64_t r = us % t->bucket_us;
        t->base_us = us - (r < 0 ? r + t->bucket_us : r);
        t->started = true;
    }
    int64_t rel = us < t->base_us ? 0 : us - t->base_us;
    size_t i = (size_t)(rel / t->bucket_us);
    while (i >= RIG_TIMELINE_MAX_BUCKETS) {
        merge_pairs(t);
        i = (size_t)(rel / t->bucket_us);
    }
    if (i >= t->cap) {
        size_t cap = t->cap ? t->cap : 16;
        while (cap <= i)
            cap *= 2;
        if (cap > RIG_TIMELINE_MAX_BUCKETS)
            cap = RIG_TIMELINE_MAX_BUCKETS;
        rig_timeline_bucket_t *b = realloc(t->buckets, cap * sizeof(*b));
        if (!b)
            return NULL;
        t->buckets = b;
        rig_timeline_cell_t *c = realloc(t->cells, cap * t->ndev * sizeof(*c));
        if (!c)
            return NULL;
        t->cells = c;
        t->cap = cap;
    }
    while (t->nbuckets <= i) {
        rig_timeline_bucket_t *b = &t->buckets[t->nbuckets];
        memset(b, 0, sizeof(*b));
        b->start_us = t->base_us + (int64_t)t->nbuckets * t->bucket_us;
        for (size_t d = 0; d < t->ndev; d++)
            cell_init(&t->cells[t->nbuckets * t->ndev + d]);
        t->nbuckets++;
    }
    *index = i;
    return &t->buckets[i];
}

static rig_timeline_cell_t *cell_at(rig_timeline_t *t, int64_t us, size_t device)
{
    size_t i;
    if (!bucket_at(t, us, &i))
        return NULL;
    return &t->cells[i * t->ndev + device];
}

bool rig_timeline_frame(rig_timeline_t *t, size_t device, rig_stream_t stream,
                        uint64_t frame_index, int64_t host_ts_us, bool interfered)
{
    if (device >= t->ndev || (unsigned)stream >= RIG_STREAM_COUNT || host_ts_us == RIG_TS_NONE)
        return true;
    rig_timeline_cell_t *c = cell_at(t, host_ts_us, device);
    if (!c)
        return false;
    size_t k = device * RIG_STREAM_COUNT + (size_t)stream;
    c->frames[stream]++;
    c->interfered += interfered;
    if (t->seen[k] && frame_index > t->last_index[k] + 1)
        c->drops[stream] += frame_index - t->last_index[k] - 1;
    t->seen[k] = true;
    t->last_index[k] = frame_index;
    t->last_host[k] = host_ts_us;
    return true;
}

bool rig_timeline_stall(rig_timeline_t *t, size_t device, int64_t host_ts_us)
{
    if (device >= t->ndev || host_ts_us == RIG_TS_NONE)
        return true;
    rig_timeline_cell_t *c = cell_at(t, host_ts_us, device);
    if (!c)
        return false;
    c->stalls++;
    return true;
}

bool rig_timeline_unmatched(rig_timeline_t *t, size_t device, rig_stream_t stream)
{
    if (device >= t->ndev || (unsigned)stream >= RIG_STREAM_COUNT)
        return true;
    size_t k = device * RIG_STREAM_COUNT + (size_t)stream;
    if (!t->seen[k])
        return true; /* no time to put it at */
    rig_timeline_cell_t *c = cell_at(t, t->last_host[k], device);
    if (!c)
        return false;
    c->unmatched++;
    return true;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t rig_timeline_capture_offsets(size_t device_count, const int64_t *global_ts_us,
                                    const int64_t *expected_us, int64_t *offset_us,
                                    int64_t *scratch)
{
    size_t n = 0;
    for (size_t d = 0; d < device_count; d++) {
        offset_us[d] = RIG_TS_NONE;
        size_t kd = d * RIG_STREAM_COUNT + RIG_STREAM_DEPTH;
        size_t kc = d * RIG_STREAM_COUNT + RIG_STREAM_COLOR;
        size_t k = global_ts_us[kd] != RIG_TS_NONE ? kd : kc;
        if (global_ts_us[k] == RIG_TS_NONE)
            continue;
        int64_t v = rig_sat_sub(global_ts_us[k], expected_us[k]);
        scratch[device_count + d] = v; /* keep the per-device value */
        scratch[n++] = v;
        offset_us[d] = 0; /* marks presence; set below */
    }
    if (n == 0)
        return 0;
    qsort(scratch, n, sizeof(*scratch), cmp_i64);
    /* the median; for an even count halfway between the two middle values, so that two devices
     * show their offset split evenly (+d/2 and -d/2), not one of them always at 0 */
    int64_t med = scratch[(n - 1) / 2];
    if (n % 2 == 0)
        med += (scratch[n / 2] - med) / 2;
    for (size_t d = 0; d < device_count; d++)
        if (offset_us[d] != RIG_TS_NONE)
            offset_us[d] = rig_sat_sub(scratch[device_count + d], med);
    return n;
}

static size_t spread_bin(int64_t us)
{
    if (us <= 0)
        return 0;
    size_t k = 1;
    while (k < RIG_TIMELINE_SPREAD_BINS - 1 && us >= ((int64_t)1 << k))
        k++;
    return k;
}

void rig_timeline_spread_bin(size_t k, int64_t *lo_us, int64_t *hi_us)
{
    if (k == 0) {
        *lo_us = 0;
        *hi_us = 1;
        return;
    }
    *lo_us = (int64_t)1 << (k - 1);
    *hi_us = k >= RIG_TIMELINE_SPREAD_BINS - 1 ? INT64_MAX : (int64_t)1 << k;
}

int64_t rig_timeline_spread_rank(const uint64_t *hist, uint64_t r, int64_t max_us)
{
    uint64_t seen = 0;
    for (size_t k = 0; k < RIG_TIMELINE_SPREAD_BINS; k++) {
        seen += hist[k];
        if (seen > r) {
            int64_t lo, hi;
            rig_timeline_spread_bin(k, &lo, &hi);
            int64_t v = k == 0 ? 0 : hi - 1;
            return v < max_us ? v : max_us;
        }
    }
    return max_us;
}

bool rig_timeline_capture(rig_timeline_t *t, const int64_t *global_ts_us,
                          const int64_t *expected_us)
{
    size_t n = rig_timeline_capture_offsets(t->ndev, global_ts_us, expected_us, t->offsets,
                                            t->scratch);
    if (n == 0)
        return true;
    /* the capture's time: its median value (scratch holds the sorted values) */
    int64_t when = t->scratch[(n - 1) / 2];
    int64_t lo = t->scratch[0], hi = t->scratch[n - 1];
    size_t bi;
    rig_timeline_bucket_t *b = bucket_at(t, when, &bi);
    if (!b)
        return false;
    for (size_t d = 0; d < t->ndev; d++) {
        int64_t o = t->offsets[d];
        if (o == RIG_TS_NONE)
            continue;
        rig_timeline_cell_t *c = &t->cells[bi * t->ndev + d];
        c->offsets++;
        c->offset_sum_us += (double)o;
        c->offset_min_us = RIG_MIN(c->offset_min_us, o);
        c->offset_max_us = RIG_MAX(c->offset_max_us, o);
    }
    if (n >= 2) {
        int64_t spread = rig_sat_sub(hi, lo);
        size_t k = spread_bin(spread);
        b->captures++;
        b->spread_hist[k]++;
        b->spread_max_us = RIG_MAX(b->spread_max_us, spread);
        b->spread_sum_us += (double)spread;
        t->spread_hist[k]++;
    }
    return true;
}

/* A full list keeps every second item; later items come at least the kept ones' mean spacing
 * apart, so the list covers the whole run evenly. */
static int64_t thin_samples(rig_timeline_clock_t *v, size_t *n)
{
    size_t w = 0;
    for (size_t r = 0; r < *n; r += 2)
        v[w++] = v[r];
    *n = w;
    return w > 1 ? (v[w - 1].host_ts_us - v[0].host_ts_us) / (int64_t)(w - 1) : 0;
}

static int64_t thin_times(int64_t *v, size_t *n)
{
    size_t w = 0;
    for (size_t r = 0; r < *n; r += 2)
        v[w++] = v[r];
    *n = w;
    return w > 1 ? (v[w - 1] - v[0]) / (int64_t)(w - 1) : 0;
}

bool rig_timeline_clock(rig_timeline_t *t, size_t device, int64_t host_ts_us,
                        int64_t device_ts_us, int64_t global_ts_us, double skew_ppm,
                        unsigned epochs)
{
    if (device >= t->ndev || host_ts_us == RIG_TS_NONE || device_ts_us == RIG_TS_NONE ||
        global_ts_us == RIG_TS_NONE)
        return true;
    clock_track_t *c = &t->clock[device];
    double off = (double)global_ts_us - (double)device_ts_us;
    if (!c->ref_known || epochs != c->ref_epoch) {
        c->ref_known = true;
        c->ref_epoch = epochs;
        c->ref_offset_us = off;
    }
    if (c->n && host_ts_us - c->samples[c->n - 1].host_ts_us < c->min_gap_us &&
        epochs == c->samples[c->n - 1].epoch)
        return true;
    if (!c->samples) {
        c->samples = calloc(RIG_TIMELINE_MAX_CLOCK, sizeof(*c->samples));
        if (!c->samples)
            return false;
    }
    if (c->n == RIG_TIMELINE_MAX_CLOCK)
        c->min_gap_us = thin_samples(c->samples, &c->n);
    c->samples[c->n++] = (rig_timeline_clock_t){.host_ts_us = host_ts_us,
                                                .offset_us = off - c->ref_offset_us,
                                                .skew_ppm = skew_ppm,
                                                .epoch = epochs};
    return true;
}

bool rig_timeline_clock_write(rig_timeline_t *t, size_t device, int64_t host_ts_us)
{
    if (device >= t->ndev || host_ts_us == RIG_TS_NONE)
        return true;
    clock_track_t *c = &t->clock[device];
    if (c->nwrites && host_ts_us - c->writes[c->nwrites - 1] < c->write_gap_us)
        return true;
    if (!c->writes) {
        c->writes = calloc(RIG_TIMELINE_MAX_CLOCK, sizeof(*c->writes));
        if (!c->writes)
            return false;
    }
    if (c->nwrites == RIG_TIMELINE_MAX_CLOCK)
        c->write_gap_us = thin_times(c->writes, &c->nwrites);
    c->writes[c->nwrites++] = host_ts_us;
    return true;
}

void rig_timeline_view(const rig_timeline_t *t, int64_t origin_us, rig_timeline_view_t *out)
{
    memset(out, 0, sizeof(*out));
    out->device_count = t->ndev;
    out->origin_us = origin_us;
    out->bucket_us = t->bucket_us;
    out->bucket_count = t->nbuckets;
    /* cells live in one block beside the buckets: point each bucket at its row */
    for (size_t i = 0; i < t->nbuckets; i++)
        t->buckets[i].cells = t->cells + i * t->ndev;
    out->buckets = t->buckets;
    memcpy(out->spread_hist, t->spread_hist, sizeof(out->spread_hist));
    for (size_t d = 0; d < t->ndev; d++) {
        t->clock_ptr[d] = t->clock[d].samples;
        t->clock_n[d] = t->clock[d].n;
        t->write_ptr[d] = t->clock[d].writes;
        t->write_n[d] = t->clock[d].nwrites;
    }
    out->clock = t->clock_ptr;
    out->clock_count = t->clock_n;
    out->writes = t->write_ptr;
    out->write_count = t->write_n;
}

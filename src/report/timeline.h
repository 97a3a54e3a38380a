/*
 * The run over time: what the summary says for the whole run, bucket by bucket of host time,
 * for plots (rigsync report) and live views (rigsync view). Pure module: samples in, numbers
 * out; no I/O, no threads, no clocks.
 *
 * The report feeds it (rig_report_enable_timeline): every frame, capture, unmatched frame and
 * event the report gets also lands here, so the plots and the summary come from the same
 * calls and agree. Clock samples (the estimator's view of each device clock) and clock
 * writes come from the caller (rig_report_add_clock, rig_report_add_clock_event).
 *
 * Memory is bounded whatever the run's length: at most RIG_TIMELINE_MAX_BUCKETS buckets; when
 * a run outgrows them, neighbours merge and the bucket width doubles (every number below
 * merges exactly: counts, sums, minima, maxima and fixed histograms).
 */
#ifndef RIGSYNC_REPORT_TIMELINE_H
#define RIGSYNC_REPORT_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

#define RIG_TIMELINE_MAX_BUCKETS 1024
/* Spread histogram bins: bin 0 holds 0 us, bin k (k >= 1) holds [2^(k-1), 2^k) us, the last
 * one everything above. */
#define RIG_TIMELINE_SPREAD_BINS 32
/* At most this many clock samples and clock writes per device (thinned by two when full). */
#define RIG_TIMELINE_MAX_CLOCK 2048

typedef struct rig_timeline rig_timeline_t;

/* One device (and stream) in one bucket. */
typedef struct rig_timeline_cell {
    uint64_t frames[RIG_STREAM_COUNT];
    uint64_t drops[RIG_STREAM_COUNT];      /* gaps in the frame index that end in this bucket */
    uint64_t interfered;                   /* depth frames disturbed by another ToF camera */
    uint64_t unmatched;                    /* frames in no frameset */
    uint64_t stalls;                       /* transport stalls (the summary's), at the arrival
                                              that ended them */
    /* Offset of the device from the rig on the global time line, per capture: its global
     * timestamp minus its configured delay, minus the median of that over the capture's
     * devices (rig_timeline_capture_offsets). */
    uint64_t offsets;                      /* captures it was in */
    double offset_sum_us;
    int64_t offset_min_us, offset_max_us;
} rig_timeline_cell_t;

typedef struct rig_timeline_bucket {
    int64_t start_us;   /* host time */
    uint64_t captures;  /* framesets with at least two devices */
    /* Cross-device spread of one capture: max - min over its devices of (global timestamp -
     * configured delay). */
    uint64_t spread_hist[RIG_TIMELINE_SPREAD_BINS];
    int64_t spread_max_us;
    double spread_sum_us;
    rig_timeline_cell_t *cells; /* [device] */
} rig_timeline_bucket_t;

/* The estimator's view of one device clock at one instant. */
typedef struct rig_timeline_clock {
    int64_t host_ts_us;
    double offset_us;   /* global - device timestamp of a frame then, minus the same at the
                           start of the epoch (so the drift of the clock shows; 0 at each
                           epoch's start) */
    double skew_ppm;    /* rig_device_clock_estimate */
    unsigned epoch;     /* rig_device_clock_estimate's epochs */
} rig_timeline_clock_t;

/* Everything, for drawing. Pointers stay valid until the next call that feeds the timeline. */
typedef struct rig_timeline_view {
    size_t device_count;
    int64_t origin_us;     /* host time the plots count from (the report's origin) */
    int64_t bucket_us;     /* width of every bucket */
    size_t bucket_count;
    const rig_timeline_bucket_t *buckets; /* in time order, contiguous */
    uint64_t spread_hist[RIG_TIMELINE_SPREAD_BINS]; /* over the whole run */
    const rig_timeline_clock_t *const *clock; /* [device] -> clock_count[device] samples */
    const size_t *clock_count;
    const int64_t *const *writes; /* [device] -> host times the host wrote the device clock */
    const size_t *write_count;
} rig_timeline_view_t;

/**
 * Offsets of one capture's devices from the rig: for each device with a timestamp in the
 * capture (its depth slot, else its color slot), global_ts - expected (the configured delay of
 * that slot), minus the median of those values over the capture's devices; RIG_TS_NONE for a
 * device not in the capture (for an even count the median is halfway between the two middle
 * values, rounded toward the lower). slot arrays: [device * RIG_STREAM_COUNT + stream]. Returns how
 * many devices were in the capture. Scratch: 2 * device_count values.
 */
size_t rig_timeline_capture_offsets(size_t device_count, const int64_t *global_ts_us,
                                    const int64_t *expected_us, int64_t *offset_us,
                                    int64_t *scratch);

/** Lower and upper bound of spread histogram bin k, in us (upper: INT64_MAX for the last). */
void rig_timeline_spread_bin(size_t k, int64_t *lo_us, int64_t *hi_us);

/** Rank r (0-based) of a spread histogram of n values, as its bin's upper bound (capped at
 * max_us): a percentile within a factor of two. */
int64_t rig_timeline_spread_rank(const uint64_t *hist, uint64_t r, int64_t max_us);

#endif

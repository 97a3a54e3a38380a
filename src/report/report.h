/*
 * Run summary: how well a rig was synchronized, from frames alone (no ground truth).
 * Pure module: frames in, numbers and a verdict out. No I/O, no threads, no clocks.
 *
 * Two questions, answered separately because they have different answers on real rigs:
 *  1. Are the captures locked? Measured on the host clock: each device's real capture period
 *     is fitted to the lower envelope of its arrival times (arrival = capture + latency, and
 *     the minimum latency is stable), so two locked devices have the same period and a
 *     free-running pair drifts apart at its relative crystal rate, reported in us/s.
 *  2. How far apart are the timestamps of one capture? The captures come from the frameset
 *     matcher; per pair of devices, |t_b - t_a - expected| on device timestamps (the seed's
 *     way) and on global timestamps (rigsync's one time line).
 * And what hurt the run: transport stalls, frames in no frameset, host lag (real time), events.
 *
 * Memory is bounded whatever the run's length (report/stats.h): per stream a few counters and
 * the lower hull of its arrivals (the drift fit is the same as over every frame); per pair of
 * devices two spread histograms, exact below 1 ms and within 1 % above (median and p99; the
 * maximum is exact); at most RIG_REPORT_MAX_EVENTS events.
 */
#ifndef RIGSYNC_REPORT_H
#define RIGSYNC_REPORT_H

#include "rigsync/rigsync.h"
#include "report/timeline.h"

typedef struct rig_report rig_report_t;

typedef struct rig_report_stream {
    uint64_t frames;
    uint64_t drops;      /* gaps in the frame index */
    uint64_t interfered; /* depth frames disturbed by another ToF camera */
    double fps;          /* frames received per second of host time; 0 when unknown (fewer
                            than 2 frames or less than 100 ms between first and last) */
    double wall_fps;     /* the same per second of wall clock at delivery (real-time runs fed
                            rig_report_add_wall), 0 when unknown */
    int64_t first_us, last_us; /* host arrival of the first and last frame */
    uint64_t unmatched;        /* frames the CLI reported in no frameset */
    uint64_t stalls;           /* arrival pauses of 10 ms or more beyond the frame index's */
    int64_t stall_longest_us;
} rig_report_stream_t;

typedef struct rig_report_device {
    rig_report_stream_t stream[RIG_STREAM_COUNT];
    bool period_known;
    double rate_rel;   /* real capture period / nominal period, on the host clock */
    double capture_hz; /* real depth capture rate on the host clock (lower-envelope fit) */
} rig_report_device_t;

/* Spread of one capture's timestamps between two devices: |t_b - t_a - expected|, where
 * expected is the difference of their configured delays. */
typedef struct rig_report_spread {
    uint64_t matched; /* frame pairs from the same capture, color and depth together */
    int64_t median_us, p99_us, max_us;
} rig_report_spread_t;

typedef struct rig_report_pair {
    size_t a, b;
    rig_report_spread_t device; /* on device timestamps (the seed's way of judging sync) */
    rig_report_spread_t global; /* on global timestamps (matched == 0 when there are none) */
    bool drift_known;
    double drift_us_per_s; /* capture drift of b relative to a, on the host clock */
} rig_report_pair_t;

typedef enum rig_verdict {
    RIG_VERDICT_SYNCHRONIZED = 0,
    RIG_VERDICT_NOT_SYNCHRONIZED = 1, /* a device is silent or drifts */
    RIG_VERDICT_NOT_CONFIGURED = 2,   /* no hardware sync in the config (free-run rig) */
    RIG_VERDICT_UNKNOWN = 3,          /* too few frames to judge */
} rig_verdict_t;

/** Drift above this many us per second of host time means the captures are not locked. */
#define RIG_REPORT_DRIFT_LIMIT_US_PER_S 10.0

/* Something that hurt (or may have hurt) the run, with its time and effect: device events of
 * the core, faults the simulator injected (reports may know them), stalls, host lag. */
typedef struct rig_report_event {
    int64_t host_ts_us;  /* when (host clock) */
    long device;         /* config device index, or -1 for the whole rig */
    char what[32];       /* short name: "gone", "back", "reboot", "trigger glitch", ... */
    char detail[256];    /* effect and what was done, one sentence */
} rig_report_event_t;

/* The summary keeps at most this many events; the rest are counted (events_dropped). */
#define RIG_REPORT_MAX_EVENTS 256

typedef struct rig_report_summary {
    double duration_s;
    size_t device_count;
    rig_report_device_t *devices;
    size_t pair_count;
    rig_report_pair_t *pairs;
    int64_t first_us;           /* host time of the first frame */
    int64_t origin_us;          /* event times count from it: rig_report_set_origin's, else
                                   first_us */
    uint64_t frames;            /* all frames fed */
    uint64_t unmatched;         /* frames in no frameset, and by reason */
    uint64_t unmatched_by_reason[RIG_UNMATCHED_REASON_COUNT];
    uint64_t stalls;            /* transport stalls, all streams */
    int64_t stall_longest_us;
    /* Host lag (only when the wall clock was fed: real-time runs; virtual time has none). */
    bool wall_known;
    double wall_span_s;      /* wall clock from the first delivery to the last */
    double wall_host_span_s; /* host time those frames cover */
    int64_t host_lag_max_us; /* worst delivery lag behind the fastest one */
    uint64_t lagging_frames; /* frames delivered more than 100 ms behind */
    rig_report_event_t *events; /* in time order */
    size_t event_count;
    uint64_t events_dropped;
    rig_verdict_t verdict;
    char verdict_text[2048]; /* "SYNCHRONIZED: ..." with numbers, or what is wrong and why */
} rig_report_summary_t;

/** A report for the devices of config (device i = config entry i). NULL when out of memory. */
rig_report_t *rig_report_create(const rig_config_t *config);
void rig_report_destroy(rig_report_t *report);

/**
 * Records one received frame (counts, drops, interference, capture rate). global_ts_us (may be
 * RIG_TS_NONE) only counts the capture periods between frames, so that a pulse that never came
 * (a trigger glitch, an upstream device away) or an extra one does not bend the capture-rate
 * fit; the rate itself is fitted on host arrivals.
 */
rig_error_t rig_report_add(rig_report_t *report, size_t device, rig_stream_t stream,
                           uint64_t frame_index, int64_t host_ts_us, int64_t global_ts_us,
                           bool interfered);

/**
 * Records one capture (a frameset): device and global timestamps per slot
 * (device * RIG_STREAM_COUNT + stream), RIG_TS_NONE where the slot is empty. The spreads of the
 * summary come from these.
 */
rig_error_t rig_report_add_capture(rig_report_t *report, const int64_t *device_ts_us,
                                   const int64_t *global_ts_us);

/** Records a frame that ended in no frameset, with the reason (the unmatched callback). */
rig_error_t rig_report_add_unmatched(rig_report_t *report, size_t device, rig_stream_t stream,
                                     rig_unmatched_reason_t reason);

/**
 * Real-time runs: the wall clock (same clock as host_ts_us, e.g. rig_monotonic_us) when the
 * frame reached the application. Gives the wall-clock fps and the host lag: how far behind
 * the fastest hand-over a frame came. Virtual-time runs do not call it (no lag to report).
 */
rig_error_t rig_report_add_wall(rig_report_t *report, size_t device, rig_stream_t stream,
                                int64_t host_ts_us, int64_t wall_us);

/** Host time event times count from in the summary (e.g. the start of streaming, as the
 * caller's own event lines); without it, the first frame's. */
void rig_report_set_origin(rig_report_t *report, int64_t host_us);

/** Records an event (copied). Beyond RIG_REPORT_MAX_EVENTS only counted. */
rig_error_t rig_report_add_event(rig_report_t *report, const rig_report_event_t *event);

/**
 * Keeps the run over time as well (report/timeline.h), in buckets of bucket_us of host time
 * (1 s for plots and the viewer): every frame, capture, unmatched frame and event fed from now
 * on lands in both. RIG_ERROR_INVALID_ARGUMENT for a width under 1 ms.
 */
rig_error_t rig_report_enable_timeline(rig_report_t *report, int64_t bucket_us);

/**
 * The estimator's view of a device clock now (for the timeline's clock plot): a frame's device
 * and global timestamps (global - device is the mapping's offset), with
 * rig_device_clock_estimate's skew and epochs. Ignored without a timeline.
 */
rig_error_t rig_report_add_clock(rig_report_t *report, size_t device, int64_t host_ts_us,
                                 int64_t device_ts_us, int64_t global_ts_us, double skew_ppm,
                                 unsigned epochs);

/** A clock event (rig_context_set_clock_event_callback): the timeline marks the writes. */
rig_error_t rig_report_add_clock_event(rig_report_t *report, const rig_clock_event_t *event);

/** The timeline so far (valid until the report is fed again); RIG_ERROR_STATE when
 * rig_report_enable_timeline was not called. */
rig_error_t rig_report_timeline(const rig_report_t *report, rig_timeline_view_t *out);

/** Computes the summary. Free it with rig_report_summary_free(). */
rig_error_t rig_report_summarize(const rig_report_t *report, rig_report_summary_t *out);
void rig_report_summary_free(rig_report_summary_t *summary);

#endif

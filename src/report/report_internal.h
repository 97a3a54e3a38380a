/*
 * Inside the report: its streaming state, shared by report.c (frames, captures and events in;
 * the numbers of the summary out) and verdict.c (the verdict and its warnings from them).
 */
#ifndef RIGSYNC_REPORT_INTERNAL_H
#define RIGSYNC_REPORT_INTERNAL_H

#include "report/report.h"
#include "report/stats.h"
#include "report/timeline_internal.h"

/* Span of arrivals a device needs before its capture rate is trusted. With a USB latency tail of
 * a few hundred us, the fastest arrivals at each end of the run sit ~10 us above the floor, so
 * the rate is known to about 10 us / span: 8 s keeps a locked pair well under the drift limit
 * (measured over 100 seeds in the simulator; see tests/test_cli.sh). */
#define ENVELOPE_MIN_SPAN_US 8000000
#define ENVELOPE_MIN_FRAMES 16
/* A device silent this many frame periods before the run's end stopped (2 periods is what a
 * SECONDARY takes to notice pulses are gone; the rest is margin for USB stalls). */
#define SILENT_AFTER_PERIODS 10.0

/* A pause in a stream's arrivals this much longer than its frame index explains is a stall. */
#define STALL_MIN_US 10000
/* The verdict warns of stalls when one lasted this long, or when they hit this share of frames. */
#define STALL_WARN_LONGEST_US 100000
#define STALL_WARN_SHARE 0.01
/* fps needs this much host time between the first and last frame (no division by tiny spans). */
#define FPS_MIN_SPAN_US 100000
/* Frames reaching the application this much later than real time allows are host lag. */
#define HOST_LAG_LIMIT_US 100000

/* A pair of devices the summary reports on, with the spreads of the captures both were in. */
typedef struct pair_acc {
    size_t a, b;
    rig_hist_t device, global;
} pair_acc_t;

/* One stream of one device, summarized as its frames come: bounded memory. */
typedef struct series {
    uint64_t frames, interfered;
    uint64_t unmatched[RIG_UNMATCHED_REASON_COUNT];
    bool timed;                /* a frame with a host time came */
    uint64_t idx_lo, idx_hi;   /* frame index range */
    int64_t first_us, last_us; /* earliest and latest host arrival */
    int64_t in_first_us, in_last_us; /* arrival of the first and last frame fed */
    /* lower envelope of (x, arrival - h0 - x * nominal), x = captures since the segment's
     * first (periods on the global time line, else the frame index) */
    uint64_t pulse, prev_index; /* x and frame index of the last regular capture */
    int64_t h0;
    int64_t g_last; /* global time of the last regular capture, or RIG_TS_NONE */
    int64_t g_cand; /* global time of an irregular capture that may start a new phase */
    bool period_known; /* period_est was measured (from the first interval on) */
    double period_est; /* capture period on the global time line */
    double deviation_us; /* mean |global interval - periods x period_est| of regular steps */
    rig_envelope_t env;
    /* Segments: a device that left the bus and came back (a new clock, a gap in arrivals) starts
     * a new envelope; the rate is fitted on the longest segment (bounded: two envelopes). */
    bool break_next;              /* the next frame starts a new segment */
    int64_t seg_first_us;         /* arrival of the current segment's first frame */
    rig_envelope_t best_env;      /* the longest finished segment's envelope */
    int64_t best_first_us, best_last_us;
    uint64_t best_frames;
    uint64_t seg_frames;
    /* stalls: pauses of the arrivals beyond what the index explains */
    uint64_t stalls;
    int64_t stall_longest_us;
    double stall_total_us;
    int64_t prev_host;
    /* wall clock at delivery (real-time runs) */
    uint64_t wall_frames;
    int64_t wall_first_us, wall_last_us;
} series_t;

struct rig_report {
    const rig_config_t *config;
    size_t ndev;
    series_t *series; /* [device * RIG_STREAM_COUNT + stream] */
    pair_acc_t *pairs;
    size_t npairs;
    int64_t *offset;  /* expected capture offset per slot */
    double *nominal;  /* nominal period per stream, us */
    rig_report_event_t events[RIG_REPORT_MAX_EVENTS]; /* in arrival order */
    size_t nevents;
    int64_t origin_us; /* RIG_TS_NONE: the first frame */
    uint64_t events_dropped;
    bool oom;
    rig_timeline_t *timeline; /* rig_report_enable_timeline, else NULL */
    /* host lag: wall - host per frame, its least value and its worst excess over that */
    bool wall_any;
    int64_t lag_base_us, lag_max_us; /* least and largest wall - host */
    uint64_t lagging_frames;
    int64_t wall_first_us, wall_last_us, wall_host_first_us, wall_host_last_us;
};

/* b - a in seconds, without integer overflow. */
static inline double span_s(int64_t a, int64_t b) { return ((double)b - (double)a) / 1e6; }

/** Writes sum->verdict and verdict_text from the numbers already in sum: the verdict, then its
 * warnings (interference, stalls and frames in no set, host lag, events). */
void rig_report_write_verdict(const rig_report_t *r, rig_report_summary_t *sum);

#endif

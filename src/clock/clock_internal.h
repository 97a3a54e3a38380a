/*
 * Inside the clock estimator: its state, shared by clock.c (samples in, maps out) and epoch.c
 * (which clock epoch a frame was captured on, and the bound of an epoch's map).
 */
#ifndef RIGSYNC_CLOCK_INTERNAL_H
#define RIGSYNC_CLOCK_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"

#define MAX_STREAMS 8
#define MAX_EPOCHS 16       /* epochs remembered (for late frames of old epochs) */
#define ONE_WAY_RING 256    /* frames per stream kept for the one-way envelope */
#define ONE_WAY_REFIT 16    /* refit the envelope every this many frames */
/* Frames only: a regular stream's capture lands within a few us of where its period puts it on
 * the device clock (its own crystal, or another device's pulses at a constant ratio), so a
 * larger step is the clock write itself. Below the regularity test's own tolerance (1e-3 of a
 * period), so that a frame taken as continuous never breaks the stream's regularity. */
#define CONTINUITY_TOLERANCE_US 20.0
#define FLOOR_BLOCK 256     /* the latency floor is the minimum over the last 1-2 blocks */
/* Frames a stream's floor must have seen before a frame arriving below it counts as evidence of
 * a clock jump. A floor learnt from a handful of frames is only an upper bound: if the first
 * frame of a stream was held up by a USB stall (5-50 ms), every normal frame after it would look
 * "too early", be refused, and never get to lower the floor, and the estimator would chase
 * imaginary jumps for good. */
#define FLOOR_TRUST_FRAMES 32
#define SIGMA0_US 2.0       /* noise of the best two-way samples (clock read granularity) */
/* Older two-way samples count less: the skew wanders with temperature (a few ppm per sqrt(hour)
 * as a random walk), and a line fitted with an exponential memory tau trails a skew moving r per
 * second by r * tau^2 at its newest end. 20 s keeps that to a few us while still averaging ~20
 * samples when they come only once a second (a minute, as before, trailed by tens of us). */
#define AGE_TAU_US 20e6
#define RTT_MAX_US 20000.0  /* a round trip this long says nothing useful */
#define SKEW_PRIOR_SPAN_US 5e4 /* the prior skew weighs like samples spread over +-50 ms */
#define EARLY_MARGIN_US 2000.0 /* a frame cannot arrive before capture + floor - this */
#define LATE_MARGIN_US 250000.0 /* nor after capture + floor + this (longest stall, plus) */
#define JUMP_FRAMES 3       /* consecutive impossible frames that prove an unannounced jump */
/* ... and they prove it only if they agree: a jumped clock shifts every frame's residual by the
 * same amount (up to latency jitter), while the frames a stall held back come out in a burst,
 * their residuals one capture period apart. Within this, and within half the device time the
 * suspects span (so that no burst agrees, whatever the frame rate). */
#define JUMP_AGREE_US 2000.0
/* Continuity with the stream's last mapped frame, over a gap of frames: the period is averaged
 * over ~16 frames of microsecond timestamps, so its error is a few ppm of the gap. */
#define CONTINUITY_GAP_PPM 10.0
#define STEP_MARGIN_US 1000.0
#define WRITE_BOUND_US 1000 /* a clock write lands within this of the host value it carries */
/* The fit moves slowly: refit at most this often, except while an epoch has few samples. */
#define REFIT_EVERY_US 1e6
#define REFIT_EVERY_LATER_US 2e6 /* once the first minute is past */
#define REFIT_LATER_FROM_US 60e6
#define REFIT_ALWAYS_BELOW 16
#define REFIT_ALWAYS_FIRST_US 20e6 /* while the skew is still being learned */

typedef struct tw_sample {
    double h;   /* midpoint, host us relative to h_ref */
    double d;   /* device us relative to its epoch's d_ref */
    double rtt; /* us */
    double age_w; /* exp((h - age_anchor) / AGE_TAU_US): the age weight up to one factor */
    unsigned epoch;
} tw_sample_t;

typedef enum offset_source {
    OFFSET_NONE = 0, /* nothing known yet */
    OFFSET_ONE_WAY,  /* from frame arrivals minus the latency floor (biased by the floor) */
    OFFSET_WRITTEN,  /* from the value the host wrote (within WRITE_BOUND_US) */
    OFFSET_TWO_WAY,  /* fitted to two-way samples */
} offset_source_t;

typedef struct epoch {
    unsigned id;
    double start_h;  /* host us (relative) the epoch began; -inf for the first */
    int64_t d_ref;   /* device reference: values are stored relative to it */
    bool d_ref_set;
    offset_source_t source;
    double c;        /* D - d_ref = c + s * H_rel */
    double c_sigma;  /* standard error of c (two-way) */
    double mean_h;   /* weighted mean host time of its two-way samples */
    double seed_floor; /* one-way: the latency floor assumed when the offset was seeded */
    double seed_h;     /* one-way: the host time (relative) the seeding frame was mapped to */
    bool written;      /* begun by a host clock write (note_step): near the clock before it */
} epoch_t;

typedef struct stream_state {
    bool seen;
    unsigned epoch;      /* epoch id of its last frame (frames of a stream are in order) */
    uint64_t last_index;
    int64_t last_ts;     /* unwrapped */
    double period;       /* device us per frame index, 0 = unknown */
    unsigned regular;    /* consecutive frames that matched the period */
    unsigned suspect;    /* consecutive frames that contradicted the model */
    double suspect_r;    /* the first suspect's residual, and its device timestamp */
    int64_t suspect_ts;
    /* the last frame this stream mapped (not a suspect): a frame on its period from there was
     * captured on the same clock, whenever it arrives */
    bool ok_set;
    unsigned ok_epoch;
    uint64_t ok_index;
    int64_t ok_ts;
    double floor;        /* latency floor: arrival - mapped capture, minimum */
    double block_min, prev_block_min;
    unsigned block_n;
    bool floor_known;
    unsigned floor_frames; /* frames the floor was learnt from (saturates) */
    /* one-way envelope over the ring (used when no two-way sample exists) */
    double ring_d[ONE_WAY_RING], ring_h[ONE_WAY_RING];
    size_t ring_len, ring_head;
    unsigned since_fit;
    bool ow_fit;
    double ow_slope, ow_icpt; /* H_rel = ow_icpt + ow_slope * (D - ow_dref) */
    int64_t ow_dref;
    /* what the backend knows of the floor (exposure, readout, transfer): used until two-way
     * samples calibrate it; its uncertainty bounds a frames-only mapping */
    double floor_hint;
    int64_t floor_hint_bound; /* INT64_MAX: no hint */
} stream_state_t;

struct rig_clock {
    rig_clock_params_t p;
    bool h_ref_set;
    int64_t h_ref;
    double s;         /* 1 + skew */
    bool s_known;
    double s_sigma;
    /* Beyond the statistical 3 s_sigma: how far the prior the fit leans on may pull the skew off
     * (the prior's own error, shrunk by the weight the samples carry against it). */
    double s_bias;
    bool s_fitted;    /* the skew has been fitted to two-way samples at least once */
    tw_sample_t *tw;  /* ring */
    size_t tw_len, tw_head;
    double rtt_min;
    epoch_t epochs[MAX_EPOCHS]; /* ring by id */
    /* The last epoch the ring forgot (id cur - MAX_EPOCHS), its map frozen: whether a frame on
     * the oldest epoch remembered may have been captured on the clock before it. */
    epoch_t forgotten;
    unsigned cur;               /* id of the current epoch */
    double last_tw_end;         /* h2 of the last two-way sample that fit (relative us) */
    double last_refit_h;        /* when the fit was last computed */
    double age_anchor;          /* reference of the samples' age weights (rebased as time goes) */
    unsigned cur_samples;       /* two-way samples in the current epoch */
    bool two_way_seen;          /* any two-way sample ever: else frames are all there is */
    int64_t last_device;        /* last unwrapped device value seen (for unwrapping) */
    bool last_device_set;
    stream_state_t streams[MAX_STREAMS];
};

static inline const epoch_t *cep(const rig_clock_t *c, unsigned id)
{
    return &c->epochs[id % MAX_EPOCHS];
}

/* How far the skew in use may be off (a bound, not a standard error). */
static inline double skew_error(const rig_clock_t *c)
{
    double range = fabs(c->s - 1.0) + c->p.max_skew_ppm * 1e-6;
    return c->s_fitted ? fmin(range, c->s_bias + 3 * c->s_sigma) : range;
}

/* Device value of epoch e predicted at relative host time h (epoch must have an offset). */
static inline double predict_d(const rig_clock_t *c, const epoch_t *e, double h)
{
    return (double)e->d_ref + e->c + c->s * h;
}

/* Host (relative) time of device value d in epoch e. */
static inline double map_h(const rig_clock_t *c, const epoch_t *e, int64_t d)
{
    return ((double)(d - e->d_ref) - e->c) / c->s;
}

/* Epochs a frame may belong to: the one chosen, and [lo, hi] around it when the evidence leaves
 * a neighbour possible (the bound then covers every candidate's map). */
typedef struct epoch_pick {
    unsigned id, lo, hi;
    /* The frame may predate every epoch remembered (held up across more than MAX_EPOCHS
     * clock writes): the epoch chosen is only the nearest known, its map unvouched. */
    bool stale;
} epoch_pick_t;

bool clock_continuity_step(const rig_clock_t *c, const stream_state_t *st, uint64_t index,
                           int64_t ts, double *step);
int64_t clock_epoch_bound_at(const rig_clock_t *c, const epoch_t *e, double h);
bool clock_epoch_map(const rig_clock_t *c, const epoch_t *e, int64_t ts, double *h,
                     int64_t *bound);
epoch_pick_t clock_frame_epoch(const rig_clock_t *c, const stream_state_t *st, uint64_t index,
                               int64_t ts);

#endif

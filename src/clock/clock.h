/*
 * Clock estimator: maps one device's clock onto the host clock. Pure: samples in, estimates
 * out; no I/O, no threads, no wall clock. One instance per device.
 *
 * Model: device time D and host time H are related by D = b_e + (1 + a) * H, where `a` is the
 * crystal's skew (tens to hundreds of ppm, slowly changing with temperature) and `b_e` is the
 * offset of the current clock *epoch*. An epoch ends whenever the device clock is written (host
 * timer sync), jumps (reboot), or is found inconsistent; the skew, a property of the crystal,
 * carries over from epoch to epoch.
 *
 * Evidence:
 *  - two-way samples (the device clock read between two host readings h1 <= h2): the device
 *    read happened inside [h1, h2], so each sample bounds the offset to +-(h2 - h1)/2 without
 *    any latency bias. Only samples whose round trip is close to the smallest recently seen are
 *    used (a long round trip means queueing on one leg, which skews its midpoint); they are
 *    fitted by least squares with one skew shared by all epochs in the window.
 *  - one-way samples (each frame's device timestamp and host arrival time): arrival = capture +
 *    latency, latency >= a floor, so the lower envelope of arrivals gives the offset plus that
 *    floor (Olson 2010). With two-way samples present, the floor is calibrated per stream and
 *    frames serve to start new epochs at once (reboots) and to check continuity; without them,
 *    the envelope alone maps frames and the floor stays an unobservable bias (see the bound).
 *  - step notices: the host says when it wrote the device clock, so frames captured before the
 *    write keep the old epoch even if they arrive after it (decided per stream by continuity of
 *    device timestamps against the frame index).
 * 32-bit device counters are unwrapped against the model's prediction.
 */
#ifndef RIGSYNC_CLOCK_H
#define RIGSYNC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rig_clock rig_clock_t;

typedef struct rig_clock_params {
    /* Width of the device counter in bits (64, or 32 for devices that wrap after ~71.6 min). */
    unsigned timestamp_bits;
    /* Two-way samples kept for the fit, and the oldest kept (older drift is stale). */
    unsigned window_samples;
    int64_t window_us;
    /* A two-way sample more than this off the model starts a new epoch (reboot, foreign sync). */
    int64_t jump_threshold_us;
    /* The largest |skew| a crystal may have (ppm): until samples measure the skew, the error
     * bounds allow for any skew within it over the time since the offset was located. */
    double max_skew_ppm;
} rig_clock_params_t;

/** Defaults: 64-bit counter, 512 samples over 300 s, 2 ms jump threshold, skews up to 1100 ppm
 *  (the config accepts crystals up to 1000 ppm; temperature may walk them a little beyond). */
void rig_clock_params_default(rig_clock_params_t *p);

rig_clock_t *rig_clock_create(const rig_clock_params_t *params);
void rig_clock_destroy(rig_clock_t *c);

/** A two-way sample: host clock before, device clock, host clock after (all us). */
void rig_clock_add_two_way(rig_clock_t *c, int64_t host_before_us, int64_t device_us,
                           int64_t host_after_us);

/** The host wrote the device clock at about host_us (timer sync): a new epoch begins there. */
void rig_clock_note_step(rig_clock_t *c, int64_t host_us);

/**
 * The device clock restarted at an unknown value at about host_us (the device rebooted or was
 * plugged in again): a new epoch begins there with no offset, located by the next two-way
 * sample or frame; the skew (the crystal's) and the streams' latency floors carry over, each
 * stream's continuity starts afresh (its frame counter restarted too).
 */
void rig_clock_note_reset(rig_clock_t *c, int64_t host_us);

/**
 * One frame: records it as a one-way sample and maps its device timestamp onto the host clock.
 * `stream` is a small integer (0..7) naming the frame's stream, `frame_index` its capture
 * counter (regular captures let the estimator check continuity across clock writes).
 * Returns false (and leaves *global_us alone) when no estimate exists yet, or when a timestamp
 * lies beyond +-2^53 us (garbage; samples and hints beyond it are ignored too).
 * *bound_us, when not NULL, receives a bound on |error| the estimator can vouch for; with
 * one-way samples only, it includes the unobservable latency floor.
 */
bool rig_clock_frame(rig_clock_t *c, unsigned stream, uint64_t frame_index, int64_t device_ts_us,
                     int64_t host_arrival_us, int64_t *global_us, int64_t *bound_us);

/**
 * What the backend knows of a stream's latency floor (mid-exposure to host arrival at the
 * least: half the exposure, readout, transfer), and how far off it may be. Used, until two-way
 * samples calibrate the floor, to take the floor out of one-way mappings; the uncertainty is
 * then their error bound. Without a hint the floor stays an unobservable bias (no bound).
 */
void rig_clock_set_floor_hint(rig_clock_t *c, unsigned stream, int64_t floor_us,
                              int64_t uncertainty_us);

/** Current skew estimate in ppm (device clock rate relative to the host's, minus one). */
double rig_clock_skew_ppm(const rig_clock_t *c);
/** Number of epochs seen (1 + clock writes and jumps). */
unsigned rig_clock_epochs(const rig_clock_t *c);

#endif

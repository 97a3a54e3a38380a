/*
 * rigsync simulated backend ("sim"): controls and ground truth.
 *
 * Ground truth (the true instants of every capture) exists only in the simulator. It is for
 * tests, benchmarks and reports; rigsync's sync algorithms never read it.
 * All functions fail with RIG_ERROR_UNSUPPORTED on a context whose backend is not "sim".
 */
#ifndef RIGSYNC_SIM_H
#define RIGSYNC_SIM_H

#include "rigsync/rigsync.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What really happened to one frame, on the host clock (the simulator's reference). */
typedef struct rig_sim_truth {
    int64_t capture_start_us; /**< host-clock instant the exposure started */
    int64_t true_ts_us;       /**< host-clock instant of mid-exposure (what device_ts marks) */
    int64_t arrival_us;       /**< host-clock instant the frame arrived (== host_ts_us) */
    uint64_t trigger_seq;     /**< sequence number of the pulse/tick that caused the capture */
} rig_sim_truth_t;

rig_error_t rig_sim_frame_truth(const rig_frame_t *frame, rig_sim_truth_t *out);

/** Current time of the simulation on the host clock. */
rig_error_t rig_sim_now_us(rig_context_t *ctx, int64_t *now_us);

/**
 * Virtual time only: runs the simulation for `us` microseconds on the calling thread,
 * delivering frames to the callback or the queue as they arrive.
 */
rig_error_t rig_sim_advance_us(rig_context_t *ctx, int64_t us);

/** Reads a device's clock right now (device index as in rig_device_index()). */
rig_error_t rig_sim_device_clock_us(rig_context_t *ctx, size_t device_index, int64_t *out);

/** The crystal of a device as simulated: drift in ppm versus the host clock. */
rig_error_t rig_sim_device_ppm(rig_context_t *ctx, size_t device_index, double *ppm);

/** Number of sync pulses that reached a device's sync-in since it was opened. */
rig_error_t rig_sim_device_pulses_in(rig_context_t *ctx, size_t device_index, uint64_t *count);

/**
 * Last host clock sync of a device: host time of the pass and the error it left
 * (device clock minus host clock right after the write, in us).
 */
rig_error_t rig_sim_device_last_clock_sync(rig_context_t *ctx, size_t device_index,
                                           int64_t *host_us, int64_t *error_us);

/**
 * A two-way time query issued now, as a host asks a real device over USB: the host reads its
 * clock (*host_before_us), the request travels to the device (its query leg plus a random
 * tail), the device reads its counter (*device_us, 32-bit on models that wrap), the answer
 * travels back, the host reads its clock again (*host_after_us). The round trip takes host
 * time: virtual time advances by it (frames due meanwhile are delivered), real time sleeps.
 * From the first on-demand clock command on, every capture is stamped at its own
 * mid-exposure, so that a write between trigger and stamp is honoured.
 */
rig_error_t rig_sim_device_query_time(rig_context_t *ctx, size_t device_index,
                                      int64_t *host_before_us, int64_t *device_us,
                                      int64_t *host_after_us);

/**
 * One host timer sync of one device, now: the host sends its clock, truncated to
 * resolution_us (1 = microseconds; 1000 for models whose clock is written in milliseconds);
 * the device sets it on arrival, the sync error later (sim.clock_sync_error_us); the reply
 * returns. Takes that round trip of host time, like rig_sim_device_query_time. *host_us (may
 * be NULL) receives the host time the command was sent at.
 */
rig_error_t rig_sim_device_write_clock(rig_context_t *ctx, size_t device_index,
                                       int64_t resolution_us, int64_t *host_us);

/**
 * Decodes the true capture time the simulator paints into a frame's first pixels
 * (64 bits, so that a picture alone proves when it was taken). RIG_ERROR_UNSUPPORTED when the
 * frame has no pixels.
 */
rig_error_t rig_sim_decode_stamp(const rig_frame_t *frame, int64_t *true_ts_us);

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_SIM_H */

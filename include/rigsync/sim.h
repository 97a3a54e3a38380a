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
    uint64_t trigger_seq;     /**< sequence number of the pulse/tick that caused the capture;
                                   with sim.anchor "monotonic", the k of a tick at k periods on
                                   CLOCK_MONOTONIC (pulses carry their source's k) */
    /** True mid-exposure instant on CLOCK_MONOTONIC (us): the axis every simulated host of one
     *  machine shares, unlike the host clock. Virtual time: on a virtual monotonic axis that
     *  starts at 1e12 us (11.6 days of uptime) when the rig is created. */
    int64_t true_mono_us;
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

/** A device's exposure time of a stream (us), as it captures from now on. */
rig_error_t rig_sim_device_exposure_us(rig_context_t *ctx, size_t device_index, rig_stream_t stream,
                                       int64_t *us);

/**
 * Changes a device's exposure time of a stream (a camera control written while it may stream):
 * captures from the next one on expose that long (their mid-exposure, which the device stamps,
 * moves by half the change). RIG_ERROR_INVALID_ARGUMENT outside 1 us .. 1 s.
 */
rig_error_t rig_sim_device_set_exposure_us(rig_context_t *ctx, size_t device_index,
                                           rig_stream_t stream, int64_t us);

/** The device's timestamp reset command: its clock reads 0 now and counts on from there. */
rig_error_t rig_sim_device_reset_clock(rig_context_t *ctx, size_t device_index);

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


/* ------------------------------------------------------------------------------------------ */
/* Faults of real rigs                                                                        */

/** What can go wrong on a real rig, injected on purpose. */
typedef enum rig_sim_fault_kind {
    /** The USB cable is pulled: frames stop (those in flight are lost and counted), the handle
     *  fails, the device leaves the device list. */
    RIG_SIM_FAULT_UNPLUG = 0,
    /** Plugged in again: the device powers on (clock reset to its power-on value) and keeps its
     *  sync config, as an Orbbec camera keeps it in flash (config_to_defaults: it does not). */
    RIG_SIM_FAULT_REPLUG = 1,
    /** The device reboots (firmware watchdog, a power dip): it leaves the bus and comes back
     *  after duration_us with its clock reset; config_to_defaults: its sync config too. */
    RIG_SIM_FAULT_REBOOT = 2,
    /** A configured device is absent at the start and appears at at_us (powered on then). */
    RIG_SIM_FAULT_LATE_DEVICE = 3,
    /** For duration_us the pulses into the device's sync-in are each lost with
     *  missing_probability, or followed by a spurious extra one with extra_probability
     *  (a loose contact, noise on the line: unlike a cut cable, most pulses still pass). */
    RIG_SIM_FAULT_TRIGGER_GLITCH = 4,
    /** A USB hub hiccup: every frame that would reach the host from the device(s) within
     *  duration_us is lost. serial NULL: every device behind the hub (the whole rig). */
    RIG_SIM_FAULT_DROP_BURST = 5,
    /** The next `count` frames captured carry nonsense device timestamps (firmware glitch). */
    RIG_SIM_FAULT_BOGUS_TIMESTAMPS = 6,
    /** Someone else (another host, a vendor tool) writes the device clock: it jumps by
     *  offset_us. */
    RIG_SIM_FAULT_CLOCK_WRITE = 7,
} rig_sim_fault_kind_t;

/** "unplug", "replug", "reboot", "late_device", "trigger_glitch", "drop_burst",
 * "bogus_timestamps", "clock_write" (the config's names); NULL for other values. */
const char *rig_sim_fault_name(rig_sim_fault_kind_t kind);

typedef struct rig_sim_fault {
    rig_sim_fault_kind_t kind;
    int64_t at_us;       /**< simulation time after the rig was created (>= now) */
    const char *serial;  /**< the device; NULL = every device (DROP_BURST, TRIGGER_GLITCH,
                              REBOOT: a power cycle of the whole rig) */
    int64_t duration_us; /**< REBOOT: time off the bus; TRIGGER_GLITCH, DROP_BURST: the span */
    double missing_probability, extra_probability; /**< TRIGGER_GLITCH, each in [0, 1] */
    uint32_t count;          /**< BOGUS_TIMESTAMPS: frames (per stream) */
    int64_t offset_us;       /**< CLOCK_WRITE: the jump */
    bool config_to_defaults; /**< REBOOT, REPLUG: the sync config is back to the defaults */
} rig_sim_fault_t;

/** Limits a fault must respect (also what the config accepts). */
#define RIG_SIM_FAULT_MAX_DURATION_US (3600LL * 1000000LL) /* one hour */
#define RIG_SIM_FAULT_MAX_COUNT 100000u
#define RIG_SIM_FAULT_MAX_OFFSET_US (86400LL * 1000000LL * 365LL) /* a year */

/**
 * Schedules a fault (copied). RIG_ERROR_INVALID_ARGUMENT for an unknown serial, a time in the
 * past, or a value out of the limits above; RIG_ERROR_STATE for LATE_DEVICE of a device
 * already open. A LATE_DEVICE fault makes the device absent at once, until at_us: schedule it
 * before opening devices.
 */
rig_error_t rig_sim_schedule_fault(rig_context_t *ctx, const rig_sim_fault_t *fault);


/**
 * Random faults: each kind strikes every device at this mean rate (a Poisson process per kind
 * over the whole rig: rate x devices), with the parameters a real rig shows: unplugged for
 * 1 to 5 s, rebooted off the bus for 1.5 s (config kept), glitches of 0.5 s (20 % of pulses
 * missing, 5 % extra), hub hiccups of 50 ms on every device, 3 bogus timestamps, a foreign
 * write of up to +-1 s. All 0 by default (no random fault).
 */
typedef struct rig_sim_fault_rates {
    double unplug_per_hour, reboot_per_hour, trigger_glitch_per_hour, drop_burst_per_hour,
        bogus_timestamps_per_hour, clock_write_per_hour;
} rig_sim_fault_rates_t;

/** Upper limit of every rate (one a second on every device). */
#define RIG_SIM_MAX_FAULTS_PER_HOUR 3600.0

/** Starts (or changes) the random faults from now on. RIG_ERROR_INVALID_ARGUMENT for a rate
 * below 0, above RIG_SIM_MAX_FAULTS_PER_HOUR or not a number. */
rig_error_t rig_sim_set_fault_rates(rig_context_t *ctx, const rig_sim_fault_rates_t *rates);

/** One fault as it happened (ground truth, for reports and tests). */
typedef struct rig_sim_fault_record {
    rig_sim_fault_kind_t kind;
    int64_t host_us;   /**< host clock when it struck */
    char serial[64];   /**< "" when it hit every device */
    char effect[200];  /**< what it did, one sentence (counts filled in as it goes on) */
} rig_sim_fault_record_t;

/** The simulator keeps this many records; later faults are only counted. */
#define RIG_SIM_MAX_FAULT_RECORDS 1024

/**
 * Faults that struck so far, in order: copies up to cap records into out (may be NULL when cap
 * is 0); *count receives the number of faults that struck (which may exceed what is kept).
 */
rig_error_t rig_sim_fault_records(rig_context_t *ctx, rig_sim_fault_record_t *out, size_t cap,
                                  size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_SIM_H */

/* Internal core: context, devices and frames as the backends see them. */
#ifndef RIGSYNC_CORE_H
#define RIGSYNC_CORE_H

#include <stdatomic.h>

#include "backends/backend.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

struct rig_frame {
    atomic_int refs;
    size_t device_index;
    char serial[64];
    rig_stream_t stream;
    uint64_t index;
    int64_t device_ts_us;
    int64_t host_ts_us;
    int64_t global_ts_us;
    int64_t global_bound_us;
    int64_t vendor_global_ts_us;
    uint32_t width, height;
    rig_format_t format;
    uint8_t *data; /* NULL when pixels are off */
    size_t data_size;
    bool interfered; /* depth disturbed by another ToF camera's laser */
    bool has_truth; /* simulator frames only */
    int64_t recorded_wall_us; /* replayed frames: when the recorded run received it, else NONE */
    /* When the frame reached this process on the global time line, for the matcher's deadlines,
     * when that is not host_ts_us (frames of other hosts: their host clock stamped host_ts_us
     * before the network carried them), else NONE */
    int64_t arrival_us;
    rig_sim_truth_t truth;
};

/** A frame with one reference and data_size bytes of (uninitialised) pixels, or NULL. */
rig_frame_t *rig_frame_alloc(size_t data_size);

/**
 * Records the detail of a failure on the context and returns code, so that a backend can write
 * `return rig_context_set_error(ctx, RIG_ERROR_NOT_FOUND, "...", ...);`.
 */
rig_error_t rig_context_set_error(rig_context_t *ctx, rig_error_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Hands one arrived frame to the user (callback or pull queue). Takes over the caller's
 * reference. Must be called without any backend lock held.
 */
void rig_context_deliver_frame(rig_context_t *ctx, rig_frame_t *frame);

/**
 * A two-way time sample of device dev_index: its clock read between two host readings. Feeds
 * the device's clock estimator. Same locking rule as frames.
 */
void rig_context_deliver_time_sample(rig_context_t *ctx, size_t dev_index, int64_t host_before_us,
                                     int64_t device_us, int64_t host_after_us);

/** The host wrote device dev_index's clock at about host_us (timer sync). Same locking rule. */
void rig_context_deliver_clock_write(rig_context_t *ctx, size_t dev_index, int64_t host_us);

/**
 * Something happened to device dev_index (see rig_device_event_kind_t): the backend reports
 * GONE / BACK (hot-plug) and what only it can see; the core adds what it did. Same locking rule
 * as frames. detail may be NULL.
 */
void rig_context_deliver_device_event(rig_context_t *ctx, size_t dev_index,
                                      rig_device_event_kind_t kind, int64_t host_us,
                                      const char *detail);

/**
 * Devices that appeared on the bus together (plugged in, back from a reboot, late), by serial.
 * The core re-opens the ones it knows (gone, or expected and never opened) and ignores others.
 * Same locking rule as frames.
 *
 * Recovery runs right here, on the thread that delivers the notice, with no backend lock held
 * (the rule above): the core calls the backend's open, get_sync/set_sync, default_profile,
 * latency_floor and start for the returning devices, then delivers BACK / ARRIVED,
 * REBOOTED / RECONFIGURED (only when the config read back differed from the one last set),
 * RESTARTED or RECOVERY_FAILED, in order with the frames. In virtual time that is the thread
 * that advances time; in real time the backend's own thread (the simulator's engine thread,
 * the orbbec backend's hot-plug worker), never a vendor SDK callback holding its own locks.
 * A GONE notice (rig_context_deliver_device_event) makes the core release the dead handle
 * (ops->close) before it tells the user.
 */
void rig_context_deliver_device_arrivals(rig_context_t *ctx, const char *const *serials,
                                         size_t count, int64_t host_us);

/**
 * What a started device's stream runs with, for recordings: its profile as started and the
 * backend's latency floor hint (*floor_known false when the backend has none). Lock not held.
 */
rig_error_t rig_device_stream_facts(rig_device_t *dev, rig_stream_t stream,
                                    rig_stream_profile_t *profile, bool *floor_known,
                                    int64_t *floor_us, int64_t *uncertainty_us);

/** The backend state of ctx when its backend is `ops`, else NULL (for backend-specific API). */
void *rig_context_backend_state(rig_context_t *ctx, const rig_backend_ops_t *ops);

#endif

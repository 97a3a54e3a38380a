/*
 * The backend interface: one struct of function pointers per backend ("sim", "orbbec",
 * "replay"). Several backends can be live at once, each inside its own context.
 *
 * Threads: the core serialises nothing on the backend's behalf. Every op may be called from any
 * user thread, so a backend with a thread of its own protects its state itself. Frames go to the
 * core through rig_context_deliver_frame(), never while the backend holds its own lock (the
 * user's callback may call back into the backend).
 *
 * Errors: an op returns a rig_error_t and, on failure, records the detail with
 * rig_context_set_error() on the context it was given.
 */
#ifndef RIGSYNC_BACKEND_H
#define RIGSYNC_BACKEND_H

#include "rigsync/rigsync.h"

typedef struct rig_backend_ops {
    const char *name;

    /* Required. Creates the backend's state for ctx. May block (e.g. to load a library). */
    rig_error_t (*create)(rig_context_t *ctx, const rig_context_options_t *opts, void **state);
    /* Required. Stops every thread and frees everything; open devices were closed before. */
    void (*destroy)(void *state);

    /* Required. Devices present, in a stable order. */
    rig_error_t (*device_count)(void *state, size_t *count);
    rig_error_t (*device_info)(void *state, size_t index, rig_device_info_t *out);

    /* Required. Opens by serial; dev_index is the context's number for the device (used in
     * frames). On NOT_FOUND the detail names the serials present. */
    rig_error_t (*open)(void *state, const char *serial, size_t dev_index, void **dev);
    /* Required. Stops streams and releases the device. */
    void (*close)(void *state, void *dev);

    /* Required. Reads/writes the sync config. set is only called with a mode the device's
     * bitmap has, when the value differs from get's and the device is not streaming. */
    rig_error_t (*get_sync)(void *state, void *dev, rig_sync_config_t *out);
    rig_error_t (*set_sync)(void *state, void *dev, const rig_sync_config_t *cfg);

    /* Required. Profiles are complete (the core fills defaults from default_profile). */
    rig_error_t (*default_profile)(void *state, void *dev, rig_stream_t stream,
                                   rig_stream_profile_t *out);
    rig_error_t (*start)(void *state, void *dev, const rig_stream_profile_t *profiles);
    rig_error_t (*stop)(void *state, void *dev);

    /* Optional (NULL = RIG_ERROR_UNSUPPORTED). */
    rig_error_t (*trigger)(void *state, void *dev);
    /* Optional, called before start. What the backend knows of a stream's least latency from mid-exposure
     * to host arrival (half the exposure, readout, transfer) and how far off that may be; for
     * devices whose clock cannot be read two-way. RIG_ERROR_UNSUPPORTED: nothing known. */
    rig_error_t (*latency_floor)(void *state, void *dev, rig_stream_t stream, int64_t *floor_us,
                                 int64_t *uncertainty_us);
    rig_error_t (*enable_clock_sync)(void *state, uint64_t repeat_interval_ms);

    /* Optional, for backends whose time is virtual: run the backend on the caller's thread
     * until `done(arg)` is true after a delivery or `timeout_us` of backend time passed.
     * Returns RIG_OK when done() became true, RIG_ERROR_TIMEOUT otherwise.
     * NULL means time is real: the core waits on its queue with the wall clock. */
    rig_error_t (*advance)(void *state, int64_t timeout_us, bool (*done)(void *arg), void *arg);
} rig_backend_ops_t;

extern const rig_backend_ops_t rig_sim_backend;
extern const rig_backend_ops_t rig_orbbec_backend;
extern const rig_backend_ops_t rig_replay_backend;
extern const rig_backend_ops_t rig_net_backend;

#endif

/*
 * librigsync-obemu: an emulator of the Orbbec SDK v2 C API (the subset in ob_api.h), built on
 * rigsync's simulated rig. Same exported names, signatures, struct layouts and error convention
 * as libOrbbecSDK.so, so that code written against the vendor's API (rigsync's orbbec backend,
 * the vendor's own samples) can be run and tested without a camera.
 *
 * Environment:
 *   RIGSYNC_OBEMU_CONFIG   rigsync config file describing the rig (default: the seed's rig)
 *   RIGSYNC_OBEMU_SEED     integer: overrides the simulator's random seed
 *   RIGSYNC_OBEMU_VIRTUAL  1: virtual time (deterministic, see below); 0 or unset: real time
 *   RIGSYNC_OBEMU_STOP_AFTER_S  virtual time only: the emulated rig stops after that many
 *                          simulated seconds (waits then return nothing), to bound a test run
 *   RIGSYNC_OBEMU_SPEED    virtual time only: at most that many virtual seconds pass per real
 *                          second (1: a camera's pace); 0 or unset: as fast as the CPU allows.
 *                          Only the real-time rate changes: frames and timestamps are the same
 *   RIGSYNC_OBEMU_PIXELS   1 or unset: render synthetic pixels (as the SDK, every frame has
 *                          data); 0: timestamps only (ob_frame_get_data returns NULL)
 *
 * Virtual time: the simulated clock never moves by itself. ob_pipeline_wait_for_frameset
 * advances it, in steps of OBEMU_STEP_US, until that pipeline has a frame or timeout_ms of
 * virtual time have passed. Time stays at its origin until ob_enable_device_clock_sync is
 * called, so that every program sees the same run. A program that never calls it gets time
 * OBEMU_GATE_GRACE_MS (real time) after the last of its devices started (a device start of the
 * same program within the grace period restarts it: devices started together start together;
 * a program may use fewer devices than the rig has). A wait
 * before time starts blocks up to timeout_ms of real time for it, and returns NULL if it does not
 * start. Threads reading different pipelines are kept in step, as the wall clock keeps them in
 * real time: while a pipeline read by another thread holds OBEMU_QUEUE_HIGH framesets, advancing
 * pauses (up to OBEMU_BACKPRESSURE_MS of real time) for that thread to read them. So no frame is
 * lost to a slow reader and every device's frames reach its reader at about the same virtual
 * time. (A thread reading several pipelines in turn is never paused for its own pipelines.)
 *
 * Locking: `rig_lock` serialises every call into the rig (and, in virtual time, each step of
 * advancing it); `qlock` guards the routing table, the pipelines' queues and the time gate. The
 * frame callback takes only `qlock`, never `rig_lock`, so advancing under `rig_lock` (which
 * calls the callback on the same thread) cannot deadlock. Order: rig_lock before qlock.
 *
 * The library never prints.
 */
#ifndef RIGSYNC_OBEMU_INTERNAL_H
#define RIGSYNC_OBEMU_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mode/mode.h"
#include "ob_api.h"
#include "vendor_fitter.h"
#include "rigsync/rigsync.h"

#define OBEMU_STEP_US 1000      /* virtual time advanced per step while waiting */
#define OBEMU_QUEUE_CAPACITY 64 /* framesets kept per pipeline; the oldest is dropped */
#define OBEMU_QUEUE_HIGH 4 /* virtual time: framesets another thread's pipeline may hold
                              before advancing pauses for that thread to read them */
#define OBEMU_GATE_GRACE_MS 500    /* virtual time without clock sync: starts this long after
                                      the last device started */
#define OBEMU_BACKPRESSURE_MS 2000 /* longest pause for a slow reader (real time): long
                                     enough for a reader starved of CPU on a loaded host */
#define OBEMU_TIMER_SYNC_SETTLE_US 50000 /* the SDK waits this long before reading a write back */
#define OBEMU_PACE_SLACK_US 100000 /* RIGSYNC_OBEMU_SPEED: a schedule behind by more than this
                                      (a stalled host, time held still) restarts from now, so
                                      that virtual time never bursts to catch up */
#define OBEMU_HOTPLUG_SETTLE_MS 50 /* virtual time: real time left to an application to react to
                                      a hot-plug callback before time moves on */

#if defined(__GNUC__) || defined(__clang__)
#define OBEMU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OBEMU_PRINTF(fmt, args)
#endif

/* Helpers shared between the emulator's files: never exported from the library. */
#if defined(__GNUC__) || defined(__clang__)
#define OBEMU_INTERNAL __attribute__((visibility("hidden")))
#else
#define OBEMU_INTERNAL
#endif

/* ------------------------------------------------------------------------------------------ */
/* Streams                                                                                    */

/* The emulator's streams: the rig's two (colour, depth: RIG_STREAM_*) and the infrared image of
 * a ToF depth camera, which comes from the same capture as its depth (same exposure, device
 * timestamp and index). The simulator renders colour and depth only; the emulator derives IR
 * from each depth frame (obemu_ir.c), so a pipeline that enables IR runs depth underneath. */
#define OBEMU_STREAM_IR RIG_STREAM_COUNT
#define OBEMU_STREAM_COUNT (RIG_STREAM_COUNT + 1)

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                    */

struct ob_context_t {
    atomic_int refs; /* the user's handle + every live list, device */
    atomic_int self_deleting; /* pipelines deleted from their own callback, not yet freed:
                                 ob_delete_context waits for them */
    rig_config_t *config;
    rig_context_t *rig;
    bool virtual_time;
    bool pixels, seed_set; /* how the rig was made (recordings say it) */
    uint64_t seed;
    struct obemu_playback *playback; /* a playback device's private context (obemu_playback.c) */
    struct obemu_record *clock_rec;  /* the recorder taking the clock events (qlock) */

    pthread_mutex_t rig_lock;
    pthread_mutex_t qlock;
    pthread_cond_t gate;    /* virtual time: broadcast when time starts (or may) */
    pthread_cond_t drained; /* virtual time: broadcast when a frameset is taken */

    int64_t t0_us;          /* simulated time at creation */
    int64_t stop_after_us;  /* RIGSYNC_OBEMU_STOP_AFTER_S, or INT64_MAX */
    double speed;           /* RIGSYNC_OBEMU_SPEED: virtual s per real s; 0: unbounded */

    /* guarded by rig_lock: virtual time's schedule under RIGSYNC_OBEMU_SPEED (virtual time
     * pace_virt_us is due at real time pace_wall; later virtual times in proportion) */
    bool pace_set;
    int64_t pace_virt_us;
    struct timespec pace_wall;

    /* guarded by rig_lock */
    bool clock_sync_enabled;
    uint64_t clock_sync_interval_ms;

    /* guarded by qlock */
    bool time_started;
    bool all_started;                /* a device started: the gate's grace period runs */
    struct timespec all_started_at;  /* since the last device start (monotonic) */
    size_t rig_devices;     /* devices on the rig */
    struct obemu_route *route; /* by rig device index: who streams what (see obemu_route_t) */
    size_t route_cap;

    /* Hot-plug (obemu_hotplug.c): the rig's device events queued as removed / added, handed to
     * the user's callbacks by a thread of the emulator's own (as the SDK's). Guarded by hp_lock
     * (taken alone, or after qlock / rig_lock). */
    bool hp_init;
    pthread_mutex_t hp_lock;
    pthread_cond_t hp_wake;
    pthread_t hp_thread;
    bool hp_started, hp_quit;
    struct obemu_hp_cb *hp_cbs;
    size_t hp_ncbs;
    ob_callback_id hp_next_id;
    struct obemu_hp_note *hp_notes;
    size_t hp_nnotes, hp_cap;
    struct obemu_hp_known *hp_known; /* every device seen on the bus: its details, whether
                                        it is on the bus as last reported (hp_lock) */
    size_t hp_nknown;
    ob_device *devices;           /* live device handles (qlock) */
    size_t hp_gone_live;          /* handles of devices that left, not yet released (hp_lock) */
    bool hp_dispatching;          /* callbacks running */
    struct timespec hp_settle_until; /* virtual time: frozen until then after a dispatch */
    bool hp_polled;                  /* the bus was looked at, last at hp_polled_us (rig_lock) */
    int64_t hp_polled_us;
    bool hp_no_dev;                  /* virtual time: no device open since hp_idle_since, */
    struct timespec hp_idle_since;   /* time follows real time (hp_followed: last advance); */
    struct timespec hp_followed;     /* the dispatch thread's own */
    pthread_cond_t hp_idle;       /* broadcast when a dispatch is over */
};

/* Routing of one device (ctx->qlock; changed with rig_lock held too). As the SDK, several
 * pipelines may stream from one device as long as they enable different sensors: a started
 * pipeline owns the streams its config enables, and the frames of a stream go to its owner only.
 * The rig starts both streams of the device once, for the first pipeline (`running`), and stops
 * them when the last owner stops. A pipeline that joins a running device takes the profile that
 * runs: one that asks for another profile is refused (a restart would break the frame indexes
 * and timing of the stream the first pipeline reads, which the SDK leaves untouched). */
typedef struct obemu_route {
    ob_pipeline *owner[OBEMU_STREAM_COUNT]; /* the started pipeline that enabled it, or NULL */
    bool running;                         /* rig_device_start done, not yet stopped */
    rig_stream_profile_t profile[RIG_STREAM_COUNT]; /* what it was started with */
    struct obemu_record *recorder; /* ob_create_record_device on it (obemu_record.c) */
} obemu_route_t;

/** The first pipeline owning a stream of that device, or NULL (qlock held). */
static inline ob_pipeline *obemu_route_any(const struct obemu_route *r)
{
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        if (r->owner[s])
            return r->owner[s];
    return NULL;
}

struct ob_device_list_t {
    ob_context *ctx;
    uint32_t count;
    rig_device_info_t *info;
};

struct ob_device_t {
    atomic_int refs; /* the user's handle + every pipeline on it */
    ob_context *ctx;
    rig_device_t *rig;
    size_t index;
    rig_device_info_t info;
    rig_device_time_facts_t time; /* how the family's SDK exposes its clock */
    atomic_bool global_ts;
    /* The SDK's global timestamp: its fitter, fed by its own internal clock reads (allowed on
     * every family) and refitted after every clock write. Guarded by fit_lock. */
    pthread_mutex_t fit_lock;
    vendor_fitter_t *fitter;
    int64_t last_write_seen_us; /* the simulator's last clock write of this device */
    /* Hot-plug: the device left the bus (its calls fail from then on); the context's list of
     * live devices. Guarded by ctx->qlock (gone is also read without it). */
    atomic_bool gone;
    ob_device *next;
    /* Properties (obemu_property.c), guarded by ctx->rig_lock: the values (NULL until first
     * used) and the rig's own exposure of each stream (what auto exposure returns to). */
    struct obemu_props *props;
    int64_t auto_exposure_us[RIG_STREAM_COUNT];
    /* The frame rate each stream was last started with (0: never), for the profile of its
     * frames (ob_frame_get_stream_profile). Atomic: set by the starting thread, read by any. */
    _Atomic uint32_t stream_fps[OBEMU_STREAM_COUNT];
    _Atomic int stream_format[OBEMU_STREAM_COUNT]; /* its ob_format (frames without pixels too) */
    /* Streams started with ob_sensor_start (obemu_sensor.c), shared by every sensor handle of
     * the device as the SDK's handles share its sensor; guarded by obemu_sensor.c's lock. */
    struct obemu_sensor_stream *sensor_stream[OBEMU_STREAM_COUNT];
    /* The registry of live devices frames look their device up in (obemu_device.c). */
    uint64_t open_no;
    ob_device *live_next;
};

struct ob_device_info_t {
    char name[64];
    char serial[64];
    char uid[64];
    int pid, vid;
    ob_device_type type;
};

/* What the emulator reports of a device model in the SDK's device-info fields (obemu_device.c):
 * the vendor's USB product id of that family (0 for rigsync's own SimCam, which has none), the
 * vendor id, the depth technology. */
typedef struct obemu_model_ids {
    int pid, vid;
    ob_device_type type;
} obemu_model_ids_t;
OBEMU_INTERNAL obemu_model_ids_t obemu_model_ids(const char *model);

typedef struct stream_request {
    bool enabled;
    uint32_t width, height, fps;
    ob_format format;
} stream_request_t;

struct ob_config_t {
    stream_request_t streams[OBEMU_STREAM_COUNT]; /* by emulator stream (colour, depth, IR) */
    ob_frame_aggregate_output_mode aggregate; /* OB_FRAME_AGGREGATE_OUTPUT_ANY_SITUATION */
    ob_align_mode align;                      /* ALIGN_DISABLE or ALIGN_D2C_HW_MODE */
    bool depth_scale_after_align;
};

/* The pipeline's frame aggregator (obemu_aggregate.c): as the SDK's, it gathers the frames of
 * the started streams into framesets (one capture's color and depth), matching them by device
 * timestamp while frame sync is on, and lets through only the framesets the config's
 * aggregate output mode asks for. Guarded by ctx->qlock. */
#define OBEMU_AGG_CAP 64
typedef struct obemu_agg {
    ob_frame_aggregate_output_mode mode;
    bool sync;                          /* frame sync (on by default, as in the SDK) */
    bool active[OBEMU_STREAM_COUNT];      /* streams of the started config */
    uint32_t half_gap_ms[OBEMU_STREAM_COUNT]; /* half a frame interval, rounded */
    size_t sync_limit[OBEMU_STREAM_COUNT];    /* queue length that forces output with sync on */
    ob_frame *q[OBEMU_STREAM_COUNT][OBEMU_AGG_CAP];
    size_t head[OBEMU_STREAM_COUNT], len[OBEMU_STREAM_COUNT];
    uint64_t unmatched; /* frames dropped because their frameset missed a required type */
} obemu_agg_t;

/* How many pipelines the calling thread deleted from inside their own frameset callback. */
int obemu_pipelines_self_deleted_here(void);
/* True on the thread of p's own frameset callback (running, or detached and returning). */
bool obemu_pipeline_on_own_callback(const ob_pipeline *p);

struct ob_pipeline_t {
    ob_device *dev;
    ob_context *own_ctx; /* ob_create_pipeline: the context it made for the default device */
    ob_config config;    /* the config it was last started with (ob_pipeline_get_config) */
    bool has_config;
    obemu_agg_t agg;     /* guarded by ctx->qlock */
    /* ob_pipeline_start_with_callback: a thread of the pipeline's own reads it and hands every
     * frameset to the callback (in virtual time, reading is what advances time). */
    ob_frameset_callback callback;
    void *callback_user;
    pthread_t cb_thread;
    atomic_bool cb_running;
    atomic_bool cb_quit;
    /* The callback stopped or deleted its own pipeline: the thread was detached and ends after
     * the callback returns; a delete from another thread waits for it, a delete from inside
     * the callback leaves the free to the thread (cb_free_on_exit). */
    atomic_bool cb_detached_alive;
    atomic_bool cb_free_on_exit;
    /* ob_pipeline_get_status, ob_pipeline_enable_health_monitor (obemu_health.c) */
    uint64_t sdk_status; /* OB_SDK_STATUS_* seen since the last read (qlock) */
    ob_pipeline_status_callback health_cb;
    void *health_user;
    uint32_t health_interval_ms;
    pthread_t health_thread;
    bool health_running;
    atomic_bool health_quit;
    pthread_cond_t ready; /* with ctx->qlock */
    /* guarded by ctx->qlock */
    bool started;
    bool read;        /* a thread reads it (cleared when it lets a backpressure pause expire) */
    pthread_t reader; /* the thread that last waited on it (or started it) */
    bool want[OBEMU_STREAM_COUNT];
    uint32_t d2c_width, d2c_height; /* hardware D2C on: the colour size depth is aligned to */
    ob_frame *queue[OBEMU_QUEUE_CAPACITY];
    size_t head, len;
    uint64_t drops;
};

struct ob_frame_t {
    atomic_int refs;
    bool is_set;
    rig_frame_t *rf;                      /* single frame */
    uint32_t fps;                         /* single frame: its stream's rate when it came */
    ob_format format;                     /* and its stream's format */
    uint64_t global_ts_us;                /* single frame: 0 unless enabled on its device */
    ob_frame *members[OBEMU_STREAM_COUNT]; /* frameset: [color, depth, IR], owned references */
    /* Frames the emulator makes itself (filters, ob_create_video_frame, obemu_frame_make): their
     * type and format, which a rig frame cannot say (points); a points frame's coordinate scale. */
    bool made;
    ob_frame_type made_type;
    ob_format made_format;
    float points_scale;
    bool plain; /* ob_create_frame: its profile is not a video profile (no width, height) */
    /* The device the frame came from (weak: obemu_device_lookup revives it only while a handle
     * of it is live), NULL for frames the user made. */
    ob_device *dev;
    uint64_t dev_no;
    ob_device *info_dev; /* the device whose info it carries (ob_frame_copy_info copies this, */
    uint64_t info_no;    /* not the device: the SDK's frame finds that through its profile) */
    /* What the user set (obemu_frame_create.c). The rig frame is shared and never written: its
     * index and timestamps are replaced by own_* once own_info is set (setters, copy_info). */
    bool own_info;
    uint64_t own_index, own_ts_us, own_sys_ts_us;
    uint64_t token;
    bool pixel_type_set, scale_set;
    ob_pixel_type pixel_type;
    uint8_t bit_size; /* 0: the format's bits per pixel */
    float value_scale;
    uint8_t *meta;    /* ob_frame_update_metadata's block (OBEMU_META_MAX bytes), or NULL */
    uint32_t meta_size;
    size_t data_cap;  /* the data buffer's size once ob_frame_update_data shrank the data */
    ob_stream_profile *profile; /* ob_frame_set_stream_profile / _from_stream_profile, or NULL */
    /* ob_create_*frame_from_buffer: the user's buffer (rf->data), returned by the callback once
     * the last reference goes. */
    ob_frame_destroy_callback *buf_cb;
    void *buf_ctx;
    bool ext_buf;
};

/* The SDK's metadata block of a frame: a 12-byte UVC payload header and 255 more bytes. */
#define OBEMU_META_MAX (12 + 255)

/* A stream profile (obemu_profile.c). Each handle the API returns owns its own copy (the SDK's
 * handles share one profile object; no sample can tell the difference but through the setters,
 * which here change only that handle). `video`: width, height, fps are meaningful. */
struct ob_stream_profile_t {
    ob_stream_type type;
    ob_format format;
    uint32_t width, height, fps;
    bool video;
    /* Calibration (obemu_profile.c): a profile the user made (ob_create_*_stream_profile) has
     * none until set; the rig's have the nominal ones (obemu_nominal_intrinsic,
     * obemu_nominal_extrinsic) unless set on the handle. */
    bool uncalibrated;
    bool has_intrinsic, has_distortion;
    ob_camera_intrinsic intrinsic;
    ob_camera_distortion distortion;
    uint32_t ext_set; /* bit t: ext_to[t] was set (ob_stream_profile_set_extrinsic_to*) */
    ob_extrinsic ext_to[OB_STREAM_TYPE_COUNT];
};

struct ob_stream_profile_list_t {
    size_t count;
    ob_stream_profile *items; /* by value; ob_stream_profile_list_get_profile copies one out */
};

/* A sensor of an open device, and a device's sensors (obemu_sensor.c): each holds a reference to
 * its device, as the SDK's hold its device object. */
struct ob_sensor_t {
    ob_device *dev;
    ob_sensor_type type;
};

struct ob_sensor_list_t {
    ob_device *dev;
    uint32_t count;
    ob_sensor_type types[OBEMU_STREAM_COUNT];
};

/* ------------------------------------------------------------------------------------------ */
/* Errors (obemu_errors.c)                                                                    */

OBEMU_INTERNAL void obemu_copy_str(char *dst, size_t len, const char *src);

OBEMU_PRINTF(5, 6)
OBEMU_INTERNAL void obemu_fail(ob_error **error, ob_exception_type type, const char *function,
                               const char *args, const char *fmt, ...);

#define FAIL_NULL(error, name) \
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, name " = NULL", "%s is NULL", name)

OBEMU_INTERNAL ob_exception_type obemu_exception_of(rig_error_t err);

/** The ob_status v2.9.3 pairs with an exception type (e.g. INVALID_VALUE 100, NOT_FOUND 114,
 * CAMERA_DISCONNECTED 112); obemu_fail sets it. */
OBEMU_INTERNAL ob_status obemu_status_of(ob_exception_type type);

/* Reports `function` as not supported, as the SDK does (obemu_stubs.c). */
OBEMU_INTERNAL void obemu_not_supported(ob_error **error, const char *function);

OBEMU_INTERNAL void obemu_fail_rig(ob_error **error, ob_context *c, rig_error_t err,
                                   const char *function, const char *args);

/* ------------------------------------------------------------------------------------------ */
/* Frames (obemu_frames.c)                                                                    */

OBEMU_INTERNAL void obemu_frame_release(const ob_frame *f);

OBEMU_INTERNAL ob_frame *obemu_make_frameset(rig_frame_t *rf, ob_device *dev);

OBEMU_INTERNAL const ob_frame *obemu_frame_single(const ob_frame *f);

/** A single frame (not a set) of rf, with its global timestamp if enabled on dev. */
OBEMU_INTERNAL ob_frame *obemu_make_frame(rig_frame_t *rf, ob_device *dev);
/** An empty frameset to fill with obemu_frameset_put (takes the member's reference). */
OBEMU_INTERNAL ob_frame *obemu_new_frameset(void);
OBEMU_INTERNAL void obemu_frameset_put(ob_frame *set, ob_frame *member);
/** The emulator stream of a single frame: RIG_STREAM_COLOR, RIG_STREAM_DEPTH, OBEMU_STREAM_IR. */
OBEMU_INTERNAL int obemu_frame_stream(const ob_frame *f);

/* Infrared (obemu_ir.c) */
/** The IR frame of a depth frame's capture, in `format` (OB_FORMAT_Y16 or OB_FORMAT_Y8): its
 *  timestamps, index and size; pixels (when the depth frame has them) an amplitude image falling
 *  off with the square of the distance. One reference; NULL without memory. */
OBEMU_INTERNAL ob_frame *obemu_ir_frame(const ob_frame *depth, ob_format format);
/** A pipeline start's IR request: IR comes out of the depth capture, so the depth stream the rig
 *  must run (req[RIG_STREAM_DEPTH], the others copied from cfg) is the config's depth request
 *  completed with the IR request's values, or the IR request alone when depth is not enabled;
 *  the two may not ask for different sizes or rates. *ir_format: the IR format to deliver (ANY:
 *  the model's first). False with *error set (status 107) when they conflict or the model lacks
 *  the format. */
OBEMU_INTERNAL bool obemu_ir_merge_request(const ob_device *d, const ob_config *cfg,
                                           stream_request_t req[RIG_STREAM_COUNT],
                                           ob_format *ir_format, ob_error **error,
                                           const char *function);
/** Whether a device has the IR sensor: every emulated device but a playback device (a file
 *  holds the colour and depth it recorded, no IR, and the SDK's playback lists what was
 *  recorded). */
OBEMU_INTERNAL bool obemu_has_ir(const ob_device *d);
/** The IR formats a device model offers, the default first; returns how many (at most 2). */
OBEMU_INTERNAL size_t obemu_ir_formats(const char *model, ob_format out[2]);
/** Hardware D2C (ALIGN_D2C_HW_MODE): the depth frame aligned to a colour image of width x height
 *  (the Align filter's geometry, obemu_filter_align.c); without pixels, a frame of that size
 *  without data. One reference; NULL without memory. */
OBEMU_INTERNAL ob_frame *obemu_align_depth_to(const ob_frame *depth, uint32_t width,
                                             uint32_t height);


/* Frames the user makes, setters (obemu_frame_create.c) */
/** A frame's index and timestamps: what the user set, else its rig frame's. */
OBEMU_INTERNAL uint64_t obemu_frame_index(const ob_frame *f);
OBEMU_INTERNAL int64_t obemu_frame_device_ts(const ob_frame *f);
OBEMU_INTERNAL int64_t obemu_frame_host_ts(const ob_frame *f);
/** The SDK's copyInfoFromOther beyond the rig frame's fields: device, token, metadata, pixel
 *  type and bit size, depth value scale (what was set). */
OBEMU_INTERNAL void obemu_frame_copy_extra(ob_frame *dst, const ob_frame *src);
/** Frees what the user attached to a frame (its last reference went); returns the user's buffer
 *  through its callback. Called before the rig frame is released. */
OBEMU_INTERNAL void obemu_frame_free_extra(ob_frame *f);

/* Made frames (obemu_frame_make.c) */
/** A new single frame of `type`, `format`, width x height with data_size bytes of zeroed data
 *  (one reference). With `like`, its timestamps, index, device and serial are copied from that
 *  frame (the SDK's copyInfoFromOther). NULL without memory. */
OBEMU_INTERNAL ob_frame *obemu_frame_make(const ob_frame *like, ob_frame_type type,
                                          ob_format format, uint32_t width, uint32_t height,
                                          size_t data_size);
/** The SDK's type and format of a single frame (made or from the rig). */
OBEMU_INTERNAL ob_frame_type obemu_frame_type(const ob_frame *single);
OBEMU_INTERNAL ob_format obemu_frame_format(const ob_frame *single);
/** A new reference to a frame (the user deletes it). */
OBEMU_INTERNAL ob_frame *obemu_frame_retain(const ob_frame *f);
/** The nominal intrinsics the emulator gives a simulated camera of width x height (the simulator
 *  has no calibration): 90 degrees horizontal field of view, square pixels, principal point at
 *  the centre, fx = fy = width / 2, cx = width / 2, cy = height / 2; no distortion. */
OBEMU_INTERNAL ob_camera_intrinsic obemu_nominal_intrinsic(uint32_t width, uint32_t height);
/** The emulator's fixed depth-to-colour geometry: no rotation, the colour camera
 *  OBEMU_D2C_BASELINE_MM along x from the depth camera (p_color = p_depth - (baseline, 0, 0)). */
#define OBEMU_D2C_BASELINE_MM 10.0f
/** The nominal extrinsic between two of the rig's stream types (obemu_calib.c): identity to
 *  itself, depth <-> colour by OBEMU_D2C_BASELINE_MM; false for a pair the rig has not. */
OBEMU_INTERNAL bool obemu_nominal_extrinsic(ob_stream_type from, ob_stream_type to,
                                            ob_extrinsic *out);
/** The inverse of an extrinsic (R^T, -R^T t). */
OBEMU_INTERNAL ob_extrinsic obemu_extrinsic_inverse(const ob_extrinsic *e);
/** No distortion (all coefficients 0, model OB_DISTORTION_NONE). */
OBEMU_INTERNAL ob_camera_distortion obemu_nominal_distortion(void);

/* ------------------------------------------------------------------------------------------ */
/* Frame aggregation (obemu_aggregate.c)                                                      */

/** Sets the aggregator up for a start: the active streams and their frame rates. */
OBEMU_INTERNAL void obemu_agg_setup(obemu_agg_t *a, ob_frame_aggregate_output_mode mode,
                                    const bool active[OBEMU_STREAM_COUNT],
                                    const uint32_t fps[OBEMU_STREAM_COUNT]);
/** Pushes one frame (its reference); framesets ready for output go to out[] (at most
 * OBEMU_STREAM_COUNT * OBEMU_AGG_CAP), frames to release to drop[]; returns the number output.
 * qlock held. */
OBEMU_INTERNAL size_t obemu_agg_push(obemu_agg_t *a, ob_frame *f, ob_frame **out,
                                     ob_frame **drop, size_t *ndrop);
/** Empties the aggregator, moving its frames to drop[] (qlock held); returns how many. */
OBEMU_INTERNAL size_t obemu_agg_clear(obemu_agg_t *a, ob_frame **drop);

/* ------------------------------------------------------------------------------------------ */
/* Configs (obemu_config.c)                                                                   */

/** An empty config with the SDK's defaults (aggregate output ANY_SITUATION, no alignment). */
OBEMU_INTERNAL void obemu_config_init(ob_config *cfg);

/* ------------------------------------------------------------------------------------------ */
/* Pipelines (obemu_pipeline.c)                                                               */

/** A frame of the rig for pipeline p (qlock held): aggregated, queued; frames to release after
 * unlocking go to drop[] (room for OBEMU_QUEUE_CAPACITY + RIG_STREAM_COUNT * OBEMU_AGG_CAP). */
OBEMU_INTERNAL size_t obemu_pipeline_on_frame_locked(ob_pipeline *p, rig_frame_t *rf,
                                                     ob_frame **drop);
/** Hardware D2C (obemu_pipeline_d2c.c): the frameset with its depth frame aligned to a colour
 *  image of width x height; takes the set's reference and returns one (the set itself when it
 *  has no depth frame or memory runs out). No lock held. */
OBEMU_INTERNAL ob_frame *obemu_pipeline_hw_d2c(ob_frame *set, uint32_t width, uint32_t height);
/** Reads and resets the pipeline's accumulated status (qlock not held). */
OBEMU_INTERNAL ob_pipeline_status obemu_pipeline_take_status(ob_pipeline *p);
/** Stops the health monitor's thread, if any. */
OBEMU_INTERNAL void obemu_health_stop(ob_pipeline *p);
#define OBEMU_DROP_MAX (OBEMU_QUEUE_CAPACITY + 2 * OBEMU_STREAM_COUNT * OBEMU_AGG_CAP + 3)

/* ------------------------------------------------------------------------------------------ */
/* Context (obemu_context.c)                                                                  */

OBEMU_INTERNAL void obemu_cond_init_monotonic(pthread_cond_t *cond);
OBEMU_INTERNAL void obemu_ctx_retain(ob_context *c);
OBEMU_INTERNAL void obemu_ctx_release(ob_context *c);

OBEMU_INTERNAL void obemu_start_time_locked(ob_context *c);
/** RIGSYNC_OBEMU_SPEED (rig_lock held): microseconds of real time to wait before virtual time may
 *  go from now_us to now_us + step_us; 0: go now (always 0 without a speed). */
OBEMU_INTERNAL int64_t obemu_pace_wait_us_locked(ob_context *c, int64_t now_us, int64_t step_us);

/* ------------------------------------------------------------------------------------------ */
/* Hot-plug (obemu_hotplug.c)                                                                 */

/** Set up at context creation (registers the rig's device-event callback); false: no memory. */
OBEMU_INTERNAL bool obemu_hotplug_init(ob_context *c);
/** Stops the callback thread (not from inside a callback) and frees the state. */
OBEMU_INTERNAL void obemu_hotplug_stop(ob_context *c);
OBEMU_INTERNAL void obemu_hotplug_free(ob_context *c);
/**
 * Virtual time, before a step: while hot-plug notices wait for or run their callbacks, and for
 * OBEMU_HOTPLUG_SETTLE_MS of real time after them, time does not move (at most
 * OBEMU_BACKPRESSURE_MS): the application reacts to a device that left or came at about the
 * instant it did, as it would in real time. No lock held.
 */
OBEMU_INTERNAL void obemu_hotplug_settle(ob_context *c);
/** A handle of a device that left was released. */
OBEMU_INTERNAL void obemu_hotplug_released(ob_context *c);
/** A device list of these devices (the user frees it). */
OBEMU_INTERNAL ob_device_list *obemu_list_of(ob_context *c, const rig_device_info_t *info,
                                             size_t n);

/* ------------------------------------------------------------------------------------------ */
/* Devices (obemu_device.c)                                                                   */

OBEMU_INTERNAL void obemu_device_release(ob_device *d);
/** The device d (opened as number open_no) with one more reference while a handle of it is live;
 *  NULL once it was released (the pointer is never dereferenced then). */
OBEMU_INTERNAL ob_device *obemu_device_lookup(ob_device *d, uint64_t open_no);

/* ------------------------------------------------------------------------------------------ */
/* Sensors and stream profiles (obemu_sensor.c, obemu_profile.c)                              */

/** The vendor's sensor / stream type of an emulator stream (RIG_STREAM_*, OBEMU_STREAM_IR); the
 *  emulator stream of a sensor type (false for a sensor the emulator has not: IMU, ...). */
OBEMU_INTERNAL ob_sensor_type obemu_sensor_type_of(int s);
OBEMU_INTERNAL ob_stream_type obemu_stream_type_of(int s);
OBEMU_INTERNAL bool obemu_stream_of_sensor(ob_sensor_type t, int *out);
/** ob_format of a rig format and back (false: a format the simulator does not produce). */
OBEMU_INTERNAL ob_format obemu_format_of(rig_format_t f);
OBEMU_INTERNAL bool obemu_rig_format_of(ob_format f, rig_format_t *out);
/** A new video profile handle (the user deletes it); NULL without memory. */
OBEMU_INTERNAL ob_stream_profile *obemu_profile_new(ob_stream_type type, ob_format format,
                                                   uint32_t width, uint32_t height, uint32_t fps);
/**
 * The profiles a device offers on one stream: first the default (the rig config's profile of
 * that stream, what a pipeline started without a config streams), then every size, rate and
 * format of the device's model. NULL without memory (error set with `function`).
 */
OBEMU_INTERNAL ob_stream_profile_list *obemu_profile_list_of(const ob_device *d, int s,
                                                             ob_error **error,
                                                             const char *function);

/* ------------------------------------------------------------------------------------------ */
/* Record and playback (obemu_record.c, obemu_playback.c)                                     */

/** The context over a rig config (taken over): the simulated rig, or with replay_path the
 *  replay of that recording. NULL with *error set on failure. */
OBEMU_INTERNAL ob_context *obemu_context_new(rig_config_t *config, bool virtual_time,
                                             double speed, bool pixels, bool seed_set,
                                             uint64_t seed,
                                             const char *replay_path, ob_error **error,
                                             const char *function);
/** Opens the device of that serial on c (one reference), as the device list does. */
OBEMU_INTERNAL ob_device *obemu_device_open(ob_context *c, const char *serial, ob_error **error,
                                            const char *function);
/** A frame of a device being recorded (qlock held). */
OBEMU_INTERNAL void obemu_record_frame_locked(struct obemu_record *r, rig_frame_t *rf);
/** The context's host time now, and virtual time's step (the sim's or the replay's; a paused
 *  or finished playback does not move). rig_lock held. */
OBEMU_INTERNAL rig_error_t obemu_now_us(ob_context *c, int64_t *now_us);
OBEMU_INTERNAL rig_error_t obemu_advance_us(ob_context *c, int64_t us);
/** Virtual time: true when a playback is paused or over (nothing comes by waiting). */
OBEMU_INTERNAL bool obemu_playback_idle(ob_context *c);
/** A device of c started its streams (first pipeline) or stopped them (last one). */
OBEMU_INTERNAL void obemu_playback_started(ob_context *c);
OBEMU_INTERNAL void obemu_playback_stopped(ob_context *c);
/** Frees a playback context's state (when the context is freed). */
OBEMU_INTERNAL void obemu_playback_free(ob_context *c);

/* ------------------------------------------------------------------------------------------ */
/* Properties (obemu_property.c)                                                              */

/** Frees a device's property values (when the device is freed). */
OBEMU_INTERNAL void obemu_props_free(ob_device *d);

/* ------------------------------------------------------------------------------------------ */
/* Device clock (obemu_sync.c)                                                                */

OBEMU_INTERNAL void obemu_service_global_timestamps(ob_context *c);

#endif /* RIGSYNC_OBEMU_INTERNAL_H */

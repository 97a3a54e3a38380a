/*
 * rigsync: synchronized capture from a rig of depth + color cameras.
 *
 * Conventions used throughout this header:
 *  - Every time value is an int64_t in microseconds and its name says which clock it is on:
 *      device_ts_us  the camera's own crystal clock (mid-exposure of the frame);
 *      host_ts_us    the host clock when the frame was fully received ("system timestamp");
 *      global_ts_us  the device timestamp mapped onto the host clock (one rig-wide time line).
 *    RIG_TS_NONE marks "no value": 0 is a valid timestamp and never means "missing".
 *  - Functions return rig_error_t (RIG_OK == 0, errors are negative). On failure a human
 *    readable detail is kept by the object the call was made on (rig_context_last_error()).
 *  - The library never prints and never exits; all output belongs to the caller.
 *  - Handles are opaque; each kind has its own type so a wrong handle is a compile error.
 */
#ifndef RIGSYNC_RIGSYNC_H
#define RIGSYNC_RIGSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RIGSYNC_VERSION_MAJOR 0
#define RIGSYNC_VERSION_MINOR 1
#define RIGSYNC_VERSION_PATCH 0

/** "No timestamp": distinct from 0, which is a valid time on every clock. */
#define RIG_TS_NONE INT64_MIN

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */

typedef enum rig_error {
    RIG_OK = 0,
    RIG_ERROR_INVALID_ARGUMENT = -1, /**< a NULL handle, out-of-range index or bad value */
    RIG_ERROR_NO_MEMORY = -2,
    RIG_ERROR_IO = -3,               /**< a file could not be read or written */
    RIG_ERROR_CONFIG = -4,           /**< the config file is not valid (detail: file:line:col) */
    RIG_ERROR_NOT_FOUND = -5,        /**< no device with that serial number, no such backend */
    RIG_ERROR_UNSUPPORTED = -6,      /**< the device model does not support the request */
    RIG_ERROR_TIMEOUT = -7,          /**< nothing arrived within the timeout */
    RIG_ERROR_STATE = -8,            /**< not allowed now (e.g. set config while streaming) */
    RIG_ERROR_BACKEND = -9,          /**< the backend (vendor SDK) reported a failure */
    RIG_ERROR_NOT_AVAILABLE = -10,   /**< the backend cannot run here (SDK not installed) */
    RIG_ERROR_INTERNAL = -11,
} rig_error_t;

/** Stable identifier of an error, e.g. "RIG_ERROR_TIMEOUT". Never NULL. */
const char *rig_error_name(rig_error_t err);
/** One-line English description of an error. Never NULL. */
const char *rig_strerror(rig_error_t err);

/* ------------------------------------------------------------------------------------------ */
/* Sync modes and configs (values and bit flags as in the vendor SDK)                         */

typedef enum rig_sync_mode {
    RIG_SYNC_MODE_FREE_RUN = 1 << 0,            /**< no sync; color and depth independent */
    RIG_SYNC_MODE_STANDALONE = 1 << 1,          /**< no external sync; color+depth locked */
    RIG_SYNC_MODE_PRIMARY = 1 << 2,             /**< own clock, emits a pulse each frame */
    RIG_SYNC_MODE_SECONDARY = 1 << 3,           /**< captures on each input pulse only */
    RIG_SYNC_MODE_SECONDARY_SYNCED = 1 << 4,    /**< free-runs, re-phases onto pulses */
    RIG_SYNC_MODE_SOFTWARE_TRIGGERING = 1 << 5, /**< captures on host trigger commands */
    RIG_SYNC_MODE_HARDWARE_TRIGGERING = 1 << 6, /**< captures N frames per input pulse */
} rig_sync_mode_t;

/** Bitmap of every mode above. */
#define RIG_SYNC_MODE_ALL 0x7F

/** Upper-case name as written in configs ("PRIMARY"), or NULL for a value that is no mode. */
const char *rig_sync_mode_name(rig_sync_mode_t mode);
/**
 * Parses a mode name, case-insensitively: "primary", "PRIMARY" and the vendor's
 * "OB_MULTI_DEVICE_SYNC_MODE_PRIMARY" are all accepted. Returns false for anything else.
 */
bool rig_sync_mode_parse(const char *name, rig_sync_mode_t *out);

/** A device's sync settings: the fields of the user's config, in microseconds. */
typedef struct rig_sync_config {
    rig_sync_mode_t mode;
    int32_t depth_delay_us;            /**< trigger to start of depth capture */
    int32_t color_delay_us;            /**< trigger to start of color capture */
    int32_t trigger_to_image_delay_us; /**< trigger to image, both streams */
    bool trigger_out_enable;           /**< emit / forward a pulse on sync-out */
    int32_t trigger_out_delay_us;      /**< delay of the sync-out pulse */
    int32_t frames_per_trigger;        /**< TRIGGERING modes only, >= 1 */
} rig_sync_config_t;

/** The defaults a device has when a config leaves a field out (STANDALONE, no delays). */
rig_sync_config_t rig_sync_config_default(void);

/* ------------------------------------------------------------------------------------------ */
/* Streams                                                                                    */

typedef enum rig_stream {
    RIG_STREAM_COLOR = 0,
    RIG_STREAM_DEPTH = 1,
} rig_stream_t;
#define RIG_STREAM_COUNT 2

/** "color" or "depth". */
const char *rig_stream_name(rig_stream_t stream);

typedef enum rig_format {
    RIG_FORMAT_NONE = 0, /**< pixels turned off: the frame has timestamps only */
    RIG_FORMAT_Y16 = 1,  /**< 16-bit little-endian depth in millimetres */
    RIG_FORMAT_RGB = 2,  /**< 8-bit R, G, B interleaved */
    RIG_FORMAT_MJPG = 3, /**< color as the camera compressed it: one JPEG image per frame, of a
                              variable byte size (rig_frame_data_size) */
} rig_format_t;

/** "Y16", "RGB", "MJPG" or "NONE". */
const char *rig_format_name(rig_format_t format);
/** Bytes per pixel of a format (0 for NONE and for MJPG, whose frames vary in size). */
uint32_t rig_format_bytes_per_pixel(rig_format_t format);
/** Parses "y16"/"Y16"/"rgb"/... case-insensitively. */
bool rig_format_parse(const char *name, rig_format_t *out);

typedef struct rig_stream_profile {
    uint32_t width;
    uint32_t height;
    uint32_t fps; /**< nominal frames per second on the device's own clock */
    rig_format_t format;
} rig_stream_profile_t;

/* ------------------------------------------------------------------------------------------ */
/* Config file                                                                                */

typedef struct rig_config rig_config_t;

/**
 * Where and why a config was rejected. Filled by rig_config_load()/rig_config_parse() on
 * failure. line/column are 1-based and 0 when unknown (e.g. the file could not be opened).
 */
typedef struct rig_config_diag {
    rig_error_t code;
    char file[256];
    int line;
    int column;
    char field[128];   /**< JSON path of the field, e.g. "devices[1].config.mode" */
    char message[768]; /**< what is wrong and how to fix it, one or two sentences */
} rig_config_diag_t;

/** Formats a diag as "file:line:column: field: message" into buf (always terminated). */
void rig_config_diag_format(const rig_config_diag_t *diag, char *buf, size_t len);

/**
 * Reads and validates a config file. Accepts the user's format ("serial_number" / "config")
 * and the vendor C++ format ("sn" / "syncConfig", camelCase fields, OB_MULTI_DEVICE_SYNC_MODE_*),
 * plus rigsync's optional sections ("streams", "clock_sync_interval_ms", "sim").
 * On failure *out is NULL and diag (may be NULL) says where and why.
 */
rig_error_t rig_config_load(const char *path, rig_config_t **out, rig_config_diag_t *diag);
/** The same from a string in memory; name is used as the file name in messages. */
rig_error_t rig_config_parse(const char *text, const char *name, rig_config_t **out,
                             rig_config_diag_t *diag);
void rig_config_destroy(rig_config_t *config);
/** The seed's own two-device rig (configs/multi_device_sync_config.json, built in). */
rig_error_t rig_config_default(rig_config_t **out, rig_config_diag_t *diag);

/** Path or name the config was read from. */
const char *rig_config_source(const rig_config_t *config);
size_t rig_config_device_count(const rig_config_t *config);
/** Serial number of the index-th configured device (config order), NULL if out of range. */
const char *rig_config_device_serial(const rig_config_t *config, size_t index);
/** Sync config of the index-th configured device. */
rig_error_t rig_config_device_sync(const rig_config_t *config, size_t index,
                                   rig_sync_config_t *out);
/** Parts of a device entry that messages point at. */
typedef enum rig_config_part {
    RIG_CONFIG_PART_DEVICE = 0, /**< the device's object */
    RIG_CONFIG_PART_SERIAL = 1, /**< its serial number value */
    RIG_CONFIG_PART_MODE = 2,   /**< its sync mode value */
} rig_config_part_t;

/**
 * Where a part of the index-th device entry is in the file, for messages: 1-based line and
 * column (0 if unknown) and the JSON path as the user spelled it (e.g. "devices[1].sn" or
 * "devices[1].syncConfig.syncMode") into path (may be NULL).
 */
void rig_config_device_location(const rig_config_t *config, size_t index, rig_config_part_t part,
                                int *line, int *column, char *path, size_t path_len);
/** Index of the device with that serial, or -1. */
int rig_config_find_serial(const rig_config_t *config, const char *serial);
/** Stream profile for every device (the "streams" section or its defaults). */
rig_stream_profile_t rig_config_stream_profile(const rig_config_t *config, rig_stream_t stream);
/** Host clock sync repeat interval (default 60000 ms; 0 = sync once). */
uint64_t rig_config_clock_sync_interval_ms(const rig_config_t *config);
/** True when the config has a "sim" section. */
bool rig_config_has_sim(const rig_config_t *config);

/**
 * Index of the config device whose sync-out feeds index's sync-in, or -1 when nothing does.
 * Follows the config's wiring: the default daisy chain (the pulse source first, then the other
 * devices in config order), the explicit cables of sim.wiring, or none.
 */
int rig_config_pulse_source(const rig_config_t *config, size_t index);

/**
 * Why would a configured device see no trigger pulses? Writes one sentence naming the likely
 * cause and the fix into buf (e.g. the primary's trigger_out_enable is false). Returns false
 * when the config itself explains nothing (then the cause is cabling or start order).
 */
bool rig_config_explain_no_pulses(const rig_config_t *config, size_t index, char *buf,
                                  size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Context, devices                                                                           */

typedef struct rig_context rig_context_t;
typedef struct rig_device rig_device_t;
typedef struct rig_frame rig_frame_t;

/** How the simulated backend's clock runs. Ignored by hardware backends. */
typedef enum rig_time_mode {
    RIG_TIME_REAL = 0,    /**< events paced to the wall clock; frames arrive on a thread */
    RIG_TIME_VIRTUAL = 1, /**< as fast as possible; time advances only inside wait/advance
                               calls, on the caller's thread: fully deterministic */
} rig_time_mode_t;

typedef struct rig_context_options {
    const char *backend;         /**< "sim" (default when NULL), "orbbec" (the vendor SDK) or
                                      "replay" (a recording, rigsync/replay.h) */
    const rig_config_t *config;  /**< the sim builds its rig from it; may be NULL */
    rig_time_mode_t time_mode;   /**< sim and replay */
    bool seed_set;               /**< override the sim's random seed with `seed` */
    uint64_t seed;
    bool pixels;                 /**< sim only: render synthetic pixels (default true) */
    size_t queue_capacity;       /**< frames kept for rig_context_wait_frame (default 256) */
    /** orbbec only: path of the vendor SDK library; NULL = $RIGSYNC_ORBBEC_LIB, else
     *  libOrbbecSDK.so from the library search path */
    const char *library;
    /** When rig_context_create fails, why (e.g. where the SDK was looked for), if not NULL */
    char *error_detail;
    size_t error_detail_len;
    /** Devices that return are only reported (RIG_DEVICE_EVENT_ARRIVED with their serial), not
     *  re-opened: the caller closes the old handle and opens the device anew (default false:
     *  the core recovers them, see rig_device_present) */
    bool manual_recovery;
    /** replay only: the recording to play (an .mcap file of rigsync record) */
    const char *replay_path;
    /** net only: the rig over several hosts (rigsync/hosts.h, rigsync/net.h) */
    const struct rig_hosts *hosts;
} rig_context_options_t;

/** Fills opts with defaults: backend "sim", real time, pixels on. */
void rig_context_options_init(rig_context_options_t *opts);

rig_error_t rig_context_create(const rig_context_options_t *opts, rig_context_t **out);
/**
 * Stops every stream, closes every device, frees the context. Frames may outlive it.
 * Called from inside one of this context's callbacks (frame, frameset, unmatched, clock event,
 * device event) it does nothing and returns RIG_ERROR_STATE: the callback's caller still uses
 * the context; destroy it after the callback returned (e.g. set a flag there). RIG_OK once
 * destroyed (and for NULL).
 */
rig_error_t rig_context_destroy(rig_context_t *ctx);
/** Name of the backend in use ("sim"). */
const char *rig_context_backend_name(const rig_context_t *ctx);
/**
 * Detail of the most recent failure of a call on this context or its devices: copies at most
 * len bytes into buf (always terminated) and returns buf. Empty when there was none.
 */
const char *rig_context_last_error(rig_context_t *ctx, char *buf, size_t len);

typedef struct rig_device_info {
    char serial[64];
    char model[64];
    uint32_t supported_modes; /**< bitmap of rig_sync_mode_t */
    uint32_t timestamp_bits;  /**< width of the device clock counter: 64, or 32 (wraps) */
} rig_device_info_t;

/** Number of devices the backend sees. */
rig_error_t rig_context_device_count(rig_context_t *ctx, size_t *count);
rig_error_t rig_context_device_info(rig_context_t *ctx, size_t index, rig_device_info_t *out);

/**
 * Opens the device with that serial number. Devices are numbered in the order they are opened
 * (0, 1, ...): that number is rig_frame_device_index(). RIG_ERROR_NOT_FOUND names the serials
 * that are present.
 */
rig_error_t rig_device_open(rig_context_t *ctx, const char *serial, rig_device_t **out);
/**
 * Like rig_device_open, but a device that is not present (yet) is expected: the handle is
 * returned at once with its number reserved, rig_device_present() false. Its sync config and
 * start are remembered (set_sync_config and start succeed without touching hardware); when it
 * appears (RIG_DEVICE_EVENT_ARRIVED) the core opens it, checks and writes its config and starts
 * its streams, and its frames join the framesets under that number.
 */
rig_error_t rig_device_open_expected(rig_context_t *ctx, const char *serial, rig_device_t **out);

/**
 * Whether the device is on the bus with a working handle. A device that leaves (unplugged,
 * rebooting) is kept: when it is back the core re-opens it under the same number, verifies and
 * re-applies the sync config last set, restarts the streams last started (secondaries before
 * the primary when several return at once) and starts a new clock epoch; each step is a device
 * event (rig_context_set_device_event_callback).
 */
bool rig_device_present(const rig_device_t *dev);

/** Stops the device's streams and releases it. */
void rig_device_close(rig_device_t *dev);
rig_error_t rig_device_get_info(const rig_device_t *dev, rig_device_info_t *out);
size_t rig_device_index(const rig_device_t *dev);

rig_error_t rig_device_get_sync_config(rig_device_t *dev, rig_sync_config_t *out);
/**
 * Checks a sync config against the device without writing it: RIG_ERROR_UNSUPPORTED (the detail
 * names the model and the modes it has) when the model lacks the mode.
 */
rig_error_t rig_device_check_sync_config(rig_device_t *dev, const rig_sync_config_t *cfg);

/**
 * Writes a sync config. Fails with RIG_ERROR_UNSUPPORTED (naming the model and its modes) when
 * the model lacks the mode, RIG_ERROR_STATE while streaming. Skips the write when the device
 * already holds an identical config (some models keep it in flash); *written (may be NULL)
 * tells whether it wrote.
 */
rig_error_t rig_device_set_sync_config(rig_device_t *dev, const rig_sync_config_t *cfg,
                                       bool *written);

/** Starts color and depth with these profiles (NULL = the device default for that stream). */
rig_error_t rig_device_start(rig_device_t *dev, const rig_stream_profile_t *color,
                             const rig_stream_profile_t *depth);
rig_error_t rig_device_stop(rig_device_t *dev);
/** Sends one software trigger (SOFTWARE_TRIGGERING mode). */
rig_error_t rig_device_trigger(rig_device_t *dev);

/**
 * Keeps every open device's clock synced to the host clock: one pass now, then one every
 * repeat_interval_ms (0 = only once). Devices opened later join on the next pass.
 */
rig_error_t rig_context_enable_clock_sync(rig_context_t *ctx, uint64_t repeat_interval_ms);

/**
 * The device's clock as rigsync's estimator sees it: skew in ppm (device rate relative to the
 * host's, minus one) and the number of clock epochs (1 + writes and jumps) so far.
 */
rig_error_t rig_device_clock_estimate(rig_device_t *dev, double *skew_ppm, unsigned *epochs);

/** What the clock estimators are told besides frames. */
typedef enum rig_clock_event_kind {
    RIG_CLOCK_EVENT_TWO_WAY = 0, /**< device clock read between two host readings */
    RIG_CLOCK_EVENT_WRITE = 1,   /**< the host wrote the device clock (timer sync) */
} rig_clock_event_kind_t;

typedef struct rig_clock_event {
    rig_clock_event_kind_t kind;
    size_t device_index;
    int64_t host_before_us; /**< TWO_WAY: query sent; WRITE: host time written */
    int64_t device_us;      /**< TWO_WAY: the device clock read */
    int64_t host_after_us;  /**< TWO_WAY: answer received */
} rig_clock_event_t;

/**
 * Observer of the clock events the backend reports, in order with the frames, for recording and
 * comparison tools. Called on the delivery thread; keep it short. NULL removes it.
 */
typedef void (*rig_clock_event_cb)(const rig_clock_event_t *event, void *user);
rig_error_t rig_context_set_clock_event_callback(rig_context_t *ctx, rig_clock_event_cb cb,
                                                 void *user);

/**
 * What happened to a device during a run, as the core saw it (hot-plug, reboot, clock faults)
 * and what it did about it. Delivered in order with the frames.
 */
typedef enum rig_device_event_kind {
    RIG_DEVICE_EVENT_GONE = 0,        /**< the device disappeared (unplugged, stopped answering) */
    RIG_DEVICE_EVENT_BACK = 1,        /**< it is present again and was re-opened (same serial) */
    RIG_DEVICE_EVENT_REBOOTED = 2,    /**< its clock was reset / its config was back to defaults */
    RIG_DEVICE_EVENT_RECONFIGURED = 3, /**< its sync config was verified and written again */
    RIG_DEVICE_EVENT_RESTARTED = 4,   /**< its streams were started again */
    RIG_DEVICE_EVENT_ARRIVED = 5,     /**< a configured device appeared after the start */
    RIG_DEVICE_EVENT_CLOCK_JUMP = 6,  /**< its clock jumped without a write of rigsync's */
    RIG_DEVICE_EVENT_BOGUS_TIMESTAMP = 7, /**< frames whose timestamps contradict the clock */
    RIG_DEVICE_EVENT_RECOVERY_FAILED = 8, /**< re-opening, re-configuring or restarting failed */
    /** messages of a host's node were lost on the network ("net" backend; device index NONE:
     *  the detail names the host and how many) */
    RIG_DEVICE_EVENT_LINK_LOSS = 9,
} rig_device_event_kind_t;
/** "gone", "back", "rebooted", "reconfigured", "restarted", "arrived", "clock jump",
 * "bogus timestamp", "recovery failed", "link loss". */
const char *rig_device_event_name(rig_device_event_kind_t kind);

/** device_index of an event about a device no handle of this context stands for (a device
 * that appeared and that nobody opened or expects). */
#define RIG_DEVICE_INDEX_NONE SIZE_MAX

typedef struct rig_device_event {
    rig_device_event_kind_t kind;
    size_t device_index;   /**< as rig_device_index(), or RIG_DEVICE_INDEX_NONE */
    char serial[64];
    int64_t host_ts_us;    /**< host clock when the core noticed it */
    char detail[256];      /**< one sentence: cause, effect, what was done */
} rig_device_event_t;

/** Observer of device events (NULL removes it). Called on the delivery thread; keep it short. */
typedef void (*rig_device_event_cb)(const rig_device_event_t *event, void *user);
rig_error_t rig_context_set_device_event_callback(rig_context_t *ctx, rig_device_event_cb cb,
                                                  void *user);

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                     */

/**
 * Called once per arrived frame. The frame is borrowed for the duration of the call; retain it
 * to keep it. Real time: called on the backend's thread. Virtual time: called on the thread
 * that advances time (rig_context_wait_frame / rig_sim_advance_us). A callback must not call
 * rig_context_wait_frame on the same context.
 */
typedef void (*rig_frame_cb)(rig_frame_t *frame, void *user);

/**
 * Installs (or with cb == NULL removes) the frame callback. While one is installed, frames are
 * delivered to it and not queued for rig_context_wait_frame.
 */
rig_error_t rig_context_set_frame_callback(rig_context_t *ctx, rig_frame_cb cb, void *user);

/**
 * Takes the oldest queued frame, waiting up to timeout_ms (of the backend's clock: virtual
 * milliseconds in virtual time). The caller owns the returned reference: rig_frame_release().
 * When the queue is full the oldest frame is dropped and counted (rig_context_queue_drops).
 */
rig_error_t rig_context_wait_frame(rig_context_t *ctx, uint32_t timeout_ms, rig_frame_t **out);
/** Frames dropped because the pull queue was full. */
uint64_t rig_context_queue_drops(rig_context_t *ctx);

void rig_frame_retain(rig_frame_t *frame);
void rig_frame_release(rig_frame_t *frame);

size_t rig_frame_device_index(const rig_frame_t *frame);
/** Serial number of the device that captured the frame. */
const char *rig_frame_serial(const rig_frame_t *frame);
rig_stream_t rig_frame_stream(const rig_frame_t *frame);
/** Per-device, per-stream capture counter; a gap means frames were lost on the way. */
uint64_t rig_frame_index(const rig_frame_t *frame);
/** Device clock, middle of exposure. */
int64_t rig_frame_device_ts_us(const rig_frame_t *frame);
/** Host clock when the frame was fully received. */
int64_t rig_frame_host_ts_us(const rig_frame_t *frame);
/**
 * Device timestamp mapped onto the host clock by rigsync's clock estimator (one time line for
 * the whole rig), or RIG_TS_NONE when no mapping exists yet (or the frame contradicts the
 * device's clock model, as in the frames right after a reboot).
 */
int64_t rig_frame_global_ts_us(const rig_frame_t *frame);
/**
 * Bound on |global_ts_us - true capture time| the estimator can vouch for, in us; INT64_MAX
 * when it cannot (one-way samples only leave the transport's latency floor unobservable).
 */
int64_t rig_frame_global_ts_bound_us(const rig_frame_t *frame);
/** The vendor SDK's own global timestamp (orbbec backend, when enabled), or RIG_TS_NONE. */
int64_t rig_frame_vendor_global_ts_us(const rig_frame_t *frame);
uint32_t rig_frame_width(const rig_frame_t *frame);
uint32_t rig_frame_height(const rig_frame_t *frame);
rig_format_t rig_frame_format(const rig_frame_t *frame);
/** Pixel bytes (row-major, stride = width * bytes per pixel) or NULL when pixels are off. */
const uint8_t *rig_frame_data(const rig_frame_t *frame);
size_t rig_frame_data_size(const rig_frame_t *frame);
/** True when another ToF camera's laser pulses overlapped this depth frame's (its depth is
 * disturbed); stagger depth_delay_us (rigsync plan) to avoid it. */
bool rig_frame_interfered(const rig_frame_t *frame);

/* ------------------------------------------------------------------------------------------ */
/* Framesets: one set per capture, one slot per (device, stream)                              */

/** What a frameset's slot holds. */
typedef enum rig_slot_status {
    RIG_SLOT_OK = 0,         /**< the frame of this capture */
    RIG_SLOT_INTERFERED = 1, /**< the frame, flagged as disturbed by another ToF camera */
    RIG_SLOT_DROPPED = 2,    /**< captured but lost on the way (the frame index skipped it) */
    RIG_SLOT_SILENT = 3,     /**< the device has delivered nothing for a while */
    RIG_SLOT_MISSING = 4,    /**< no frame for this capture (not captured, or too late) */
} rig_slot_status_t;
/** "ok", "interfered", "dropped", "silent", "missing". */
const char *rig_slot_status_name(rig_slot_status_t status);

/** Why a frame that arrived is in no set. */
typedef enum rig_unmatched_reason {
    RIG_UNMATCHED_LATE = 1,    /**< its capture's set had already been emitted without it */
    RIG_UNMATCHED_NO_TIME = 2, /**< it has no global timestamp to match on */
    /** it was in a set dropped from the full pull queue (rig_context_wait_frameset not called
     * often enough; rig_context_frameset_drops counts the sets) */
    RIG_UNMATCHED_OVERFLOW = 3,
    /** its device has no slot in the framesets (it was not started with rig_device_start) */
    RIG_UNMATCHED_NO_SLOT = 4,
} rig_unmatched_reason_t;
/** Number of reasons, for arrays indexed by reason (index 0 unused). */
#define RIG_UNMATCHED_REASON_COUNT 5
/** "late", "no time", "overflow", "no slot". */
const char *rig_unmatched_reason_name(rig_unmatched_reason_t reason);

typedef struct rig_frameset rig_frameset_t;

typedef struct rig_frameset_options {
    /** how long a set waits for a device that sends nothing (0: 100 ms or 3 periods). For a
     * device whose frames come late it waits longer: the largest arrival latency seen over its
     * last 128 to 256 frames plus half a period, at most 2 s (or deadline_us if larger). */
    int64_t deadline_us;
    size_t queue_capacity; /**< framesets kept for rig_context_wait_frameset (0: 64) */
} rig_frameset_options_t;

/**
 * Starts grouping frames into framesets, for the devices open and streaming now (at least one
 * must be). Frames are matched on global time, less each device's configured delays. From then
 * on frames go to the frame callback if one is set, and to the matcher; not to the frame queue.
 *
 * A device opened or started later (rig_device_start) joins the framesets when it starts: sets
 * emitted before have no slot for it when its index is beyond theirs
 * (rig_frameset_device_count) and MISSING otherwise; sets still waiting when it starts wait
 * for it too. Every frame that reaches the matcher ends exactly once in a set or in the
 * unmatched callback with its reason; rig_context_frame_accounting counts them.
 */
rig_error_t rig_context_enable_framesets(rig_context_t *ctx, const rig_frameset_options_t *opts);

/** Emits every set still waiting (end of a run), with its empty slots marked. */
rig_error_t rig_context_flush_framesets(rig_context_t *ctx);

/** Called once per emitted set (borrowed; retain to keep). Same thread rules as frames. */
typedef void (*rig_frameset_cb)(rig_frameset_t *set, void *user);
rig_error_t rig_context_set_frameset_callback(rig_context_t *ctx, rig_frameset_cb cb, void *user);
/**
 * Takes the oldest emitted set, waiting up to timeout_ms; release it with
 * rig_frameset_release(). When the queue is full the oldest set is dropped: it is counted
 * (rig_context_frameset_drops) and each of its frames goes to the unmatched callback with
 * RIG_UNMATCHED_OVERFLOW. In virtual time a timeout of 0 still lets 1 ms of virtual time pass,
 * so that a polling loop makes progress (the same holds for rig_context_wait_frame).
 */
rig_error_t rig_context_wait_frameset(rig_context_t *ctx, uint32_t timeout_ms,
                                      rig_frameset_t **out);

/** Called for every frame that arrived but is in no set, with the reason (frame borrowed). */
typedef void (*rig_unmatched_cb)(rig_frame_t *frame, rig_unmatched_reason_t reason, void *user);
rig_error_t rig_context_set_unmatched_callback(rig_context_t *ctx, rig_unmatched_cb cb,
                                               void *user);

/** Framesets dropped because the frameset pull queue was full. */
uint64_t rig_context_frameset_drops(rig_context_t *ctx);

/**
 * Where the frames of one (device, stream) went since framesets were enabled (or the device
 * joined). Always: delivered == in_sets + unmatched + overflow + pending + no_memory.
 */
typedef struct rig_frame_accounting {
    uint64_t delivered; /**< frames that reached the matcher */
    uint64_t in_sets;   /**< frames in sets emitted (to the callback or the pull queue) */
    /** frames reported unmatched, by reason (index = rig_unmatched_reason_t; the OVERFLOW
     * entry equals `overflow`) */
    uint64_t unmatched_by_reason[RIG_UNMATCHED_REASON_COUNT];
    uint64_t unmatched; /**< sum of unmatched_by_reason except OVERFLOW */
    uint64_t overflow;  /**< frames of sets dropped from the full pull queue */
    uint64_t pending;   /**< frames in sets still waiting in the matcher */
    uint64_t no_memory; /**< frames released because memory ran out building a set */
} rig_frame_accounting_t;

/** Fills *out for device_index's stream. RIG_ERROR_STATE when framesets are not enabled. */
rig_error_t rig_context_frame_accounting(rig_context_t *ctx, size_t device_index,
                                         rig_stream_t stream, rig_frame_accounting_t *out);

void rig_frameset_retain(rig_frameset_t *set);
void rig_frameset_release(rig_frameset_t *set);
/** Emission counter (0, 1, ...). */
uint64_t rig_frameset_seq(const rig_frameset_t *set);
/** Capture instant on the global time line (the reference frame's, less its delays). */
int64_t rig_frameset_time_us(const rig_frameset_t *set);
/** Devices the set has slots for (device indices 0 .. count-1). */
size_t rig_frameset_device_count(const rig_frameset_t *set);
/** The slot's frame (borrowed from the set), or NULL when the slot has none. */
rig_frame_t *rig_frameset_frame(const rig_frameset_t *set, size_t device_index,
                                rig_stream_t stream);
rig_slot_status_t rig_frameset_status(const rig_frameset_t *set, size_t device_index,
                                      rig_stream_t stream);
/** Largest difference of the set's global capture times (less delays) between devices, stream
 * by stream, in us. */
int64_t rig_frameset_spread_us(const rig_frameset_t *set);

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_RIGSYNC_H */

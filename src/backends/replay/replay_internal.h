/*
 * The replay backend: a recording of rigsync's (rigsync record, run --record) played back through
 * the backend interface. Shared by replay.c (the backend, its time and its thread),
 * replay_msgs.c (decoding the recorded messages and metadata) and replay_feed.c (reading the
 * file ahead and turning messages into deliveries).
 *
 * What is delivered again is what the backend delivered in the recorded run, in file order (the
 * recorder writes in delivery order): frames (pixels from the Image message, timestamps from
 * FrameInfo), clock events, and the device notices of the backend (GONE; arrivals, rebuilt from
 * the core's BACK / ARRIVED events). What the core made of them (global timestamps, framesets,
 * its own device events) is made again by the core.
 */
#ifndef RIGSYNC_REPLAY_INTERNAL_H
#define RIGSYNC_REPLAY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "mcap/mcap_reader.h"

/* ------------------------------------------------------------------------------------------ */
/* Decoding (replay_msgs.c): pure, bytes in, values out                                       */

typedef struct {
    char serial[64];
    rig_stream_t stream;
    uint64_t index;
    int64_t device_ts_us, host_ts_us, global_ts_us, global_bound_us;
    bool interfered, has_pixels;
    int64_t wall_us; /* RIG_TS_NONE when the recording has none */
} rp_frame_info_t;

typedef struct {
    uint32_t width, height;
    rig_format_t format;
    const uint8_t *data; /* into the message */
    size_t len;
} rp_image_t;

typedef struct {
    rig_clock_event_kind_t kind;
    char serial[64];
    int64_t host_before_us, device_us, host_after_us;
} rp_clock_t;

typedef struct {
    int kind; /* rig_device_event_kind_t, -1 unknown */
    char serial[64];
    int64_t host_ts_us;
    char detail[256];
} rp_devev_t;

bool rp_decode_frame_info(const uint8_t *p, size_t len, rp_frame_info_t *out);
bool rp_decode_image(const uint8_t *p, size_t len, rp_image_t *out);
/** sensor_msgs/msg/CompressedImage (format "jpeg"): MJPG color, width and height 0. */
bool rp_decode_compressed_image(const uint8_t *p, size_t len, rp_image_t *out);
bool rp_decode_clock(const uint8_t *p, size_t len, rp_clock_t *out);
bool rp_decode_device_event(const uint8_t *p, size_t len, rp_devev_t *out);

/* Host times a recording may hold: the host's monotonic clock in us, 0 to 2^53 (285 years).
 * Anything else is a corrupt file: the clock estimator and the report take differences of host
 * times, which a value near INT64_MIN or INT64_MAX would overflow. */
#define RP_HOST_TS_MAX_US ((int64_t)1 << 53)
static inline bool rp_host_ts_ok(int64_t t) { return t >= 0 && t <= RP_HOST_TS_MAX_US; }

/** A metadata value (last record with that name wins), or NULL. */
const char *rp_meta_value(const rig_mcap_reader_t *r, const char *name, const char *key);
/** Parses "WxH@F FMT" into a profile. */
bool rp_parse_profile(const char *text, rig_stream_profile_t *out);
/** Parses the recorded sync config "serial S mode M depth_delay_us ..." (rigsync.config). */
bool rp_parse_sync(const char *text, char *serial, size_t serial_len, rig_sync_config_t *out);

/* ------------------------------------------------------------------------------------------ */
/* The backend's state                                                                        */

typedef struct rp_device {
    rig_device_info_t info;
    bool present; /* on the (replayed) bus */
    bool open;
    bool started;
    size_t dev_index; /* the context's number, once opened */
    bool sync_known;
    rig_sync_config_t sync;   /* as recorded */
    bool answer_set;          /* after a replayed arrival: what get_sync says instead */
    rig_sync_config_t answer;
    bool profile_known[RIG_STREAM_COUNT];
    rig_stream_profile_t profile[RIG_STREAM_COUNT];
    bool floor_known[RIG_STREAM_COUNT];
    int64_t floor_us[RIG_STREAM_COUNT], floor_unc_us[RIG_STREAM_COUNT];
    /* frame numbering: the core adds its own base after a return */
    uint64_t next_index[RIG_STREAM_COUNT], base[RIG_STREAM_COUNT];
    /* the Image of the frame whose FrameInfo comes next */
    uint8_t *px[RIG_STREAM_COUNT];
    size_t px_len[RIG_STREAM_COUNT];
    uint32_t px_w[RIG_STREAM_COUNT], px_h[RIG_STREAM_COUNT];
    rig_format_t px_fmt[RIG_STREAM_COUNT];
} rp_device_t;

typedef enum { RP_FRAME, RP_CLOCK, RP_DEVEV } rp_kind_t;

/* One delivery read ahead from the file. */
typedef struct {
    rp_kind_t kind;
    int64_t t_us;
    size_t dev; /* replay device (SIZE_MAX: not one of the rig's) */
    rig_frame_t *frame;
    rp_clock_t clock;
    rp_devev_t ev;
} rp_item_t;

typedef struct rp_state {
    rig_context_t *ctx;
    char path[512];
    rig_time_mode_t time_mode;

    pthread_mutex_t lock; /* guards the devices and the flags below */
    pthread_cond_t cond;
    rp_device_t *dev;
    size_t ndev;
    int64_t t0_us; /* the recorded run's origin (its EVENT lines count from it) */
    bool finished;
    rig_error_t error;  /* the file turned out bad */
    char message[512];  /* the error, or the warning of a cut file */
    bool stopping;

    /* The reader and the read-ahead: used by one thread at a time (advance's caller, or the
     * pacing thread); guarded by feed_lock. */
    pthread_mutex_t feed_lock;
    rig_mcap_reader_t *reader;
    bool eof;
    rp_item_t *look;
    size_t look_head, look_len, look_cap;
    int64_t now_us; /* virtual time: host time of the replay */

    pthread_t thread; /* real time: paces delivery */
    bool thread_started;
} rp_state_t;

/* replay_feed.c */
/** Makes at least n items available in the read-ahead unless the file ends (or is bad: then
 * st->error / st->message are set). Returns how many are available. feed_lock held. */
size_t rp_fill(rp_state_t *st, size_t n);
/** The i-th item read ahead. feed_lock held. */
rp_item_t *rp_peek(rp_state_t *st, size_t i);
/** Delivers the next item (and, for arrivals, the device events of the same notice); returns
 * whether anything reached the core. feed_lock held, st->lock not held. */
bool rp_deliver_next(rp_state_t *st);
/** Frees what the read-ahead holds. */
void rp_feed_free(rp_state_t *st);
/** Device by serial, or SIZE_MAX. st->lock held or no other thread. */
size_t rp_find(const rp_state_t *st, const char *serial);

#endif

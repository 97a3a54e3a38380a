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
 *   RIGSYNC_OBEMU_PIXELS   1: render synthetic pixels; 0 or unset: timestamps only
 *
 * Virtual time: the simulated clock never moves by itself. ob_pipeline_wait_for_frameset
 * advances it, in steps of OBEMU_STEP_US, until that pipeline has a frame or timeout_ms of
 * virtual time have passed. Time stays at its origin until ob_enable_device_clock_sync is
 * called, so that every program sees the same run. A program that never calls it gets time
 * OBEMU_GATE_GRACE_MS (real time) after every device of the rig has a started pipeline. A wait
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
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mode/mode.h"
#include "ob_api.h"
#include "vendor_fitter.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define OBEMU_STEP_US 1000      /* virtual time advanced per step while waiting */
#define OBEMU_QUEUE_CAPACITY 64 /* framesets kept per pipeline; the oldest is dropped */
#define OBEMU_QUEUE_HIGH 4 /* virtual time: framesets another thread's pipeline may hold
                              before advancing pauses for that thread to read them */
#define OBEMU_GATE_GRACE_MS 500    /* virtual time without clock sync: starts this long after
                                      the last device started */
#define OBEMU_BACKPRESSURE_MS 2000 /* longest pause for a slow reader (real time): long
                                     enough for a reader starved of CPU on a loaded host */
#define OBEMU_TIMER_SYNC_SETTLE_US 50000 /* the SDK waits this long before reading a write back */

#if defined(__GNUC__) || defined(__clang__)
#define OBEMU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OBEMU_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                    */

struct ob_context_t {
    atomic_int refs; /* the user's handle + every live list, device */
    rig_config_t *config;
    rig_context_t *rig;
    bool virtual_time;

    pthread_mutex_t rig_lock;
    pthread_mutex_t qlock;
    pthread_cond_t gate;    /* virtual time: broadcast when time starts (or may) */
    pthread_cond_t drained; /* virtual time: broadcast when a frameset is taken */

    int64_t t0_us;          /* simulated time at creation */
    int64_t stop_after_us;  /* RIGSYNC_OBEMU_STOP_AFTER_S, or INT64_MAX */

    /* guarded by rig_lock */
    bool clock_sync_enabled;
    uint64_t clock_sync_interval_ms;

    /* guarded by qlock */
    bool time_started;
    bool all_started;                /* every device of the rig has a started pipeline */
    struct timespec all_started_at;  /* since when (monotonic) */
    size_t rig_devices;     /* devices on the rig */
    ob_pipeline **route;    /* by rig device index: that device's started pipeline, or NULL */
    size_t route_cap;
};

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
};

struct ob_device_info_t {
    char name[64];
    char serial[64];
};

typedef struct stream_request {
    bool enabled;
    uint32_t width, height, fps;
    ob_format format;
} stream_request_t;

struct ob_config_t {
    stream_request_t streams[RIG_STREAM_COUNT];
};

struct ob_pipeline_t {
    ob_device *dev;
    pthread_cond_t ready; /* with ctx->qlock */
    /* guarded by ctx->qlock */
    bool started;
    bool read;        /* a thread reads it (cleared when it lets a backpressure pause expire) */
    pthread_t reader; /* the thread that last waited on it (or started it) */
    bool want[RIG_STREAM_COUNT];
    ob_frame *queue[OBEMU_QUEUE_CAPACITY];
    size_t head, len;
    uint64_t drops;
};

struct ob_frame_t {
    atomic_int refs;
    bool is_set;
    rig_frame_t *rf;                      /* single frame */
    uint64_t global_ts_us;                /* single frame: 0 unless enabled on its device */
    ob_frame *members[RIG_STREAM_COUNT];  /* frameset: [color, depth], owned references */
};

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */

static void copy_str(char *dst, size_t len, const char *src)
{
    if (!len)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Stores a new heap error in *error (when error is not NULL). */
OBEMU_PRINTF(5, 6)
static void fail(ob_error **error, ob_exception_type type, const char *function, const char *args,
                 const char *fmt, ...)
{
    if (!error)
        return;
    ob_error *e = calloc(1, sizeof(*e));
    if (!e)
        return; /* nothing can be reported without memory */
    e->status = OB_STATUS_ERROR;
    e->exception_type = type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    copy_str(e->function, sizeof(e->function), function);
    copy_str(e->args, sizeof(e->args), args);
    *error = e;
}

#define FAIL_NULL(error, name) \
    fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, name " = NULL", "%s is NULL", name)

static ob_exception_type exception_of(rig_error_t err)
{
    switch (err) {
    case RIG_ERROR_INVALID_ARGUMENT:
    case RIG_ERROR_NOT_FOUND:
    case RIG_ERROR_CONFIG:
        return OB_EXCEPTION_TYPE_INVALID_VALUE;
    case RIG_ERROR_UNSUPPORTED:
        return OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION;
    case RIG_ERROR_STATE:
        return OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE;
    case RIG_ERROR_NO_MEMORY:
        return OB_EXCEPTION_TYPE_MEMORY;
    case RIG_ERROR_IO:
        return OB_EXCEPTION_TYPE_IO;
    default:
        return OB_EXCEPTION_TYPE_UNKNOWN;
    }
}

/* Reports a rig failure with the rig's own detail. Called with rig_lock held, so that the
 * context's last error is the one of this call. */
static void fail_rig(ob_error **error, ob_context *c, rig_error_t err, const char *function,
                     const char *args)
{
    char detail[1024];
    rig_context_last_error(c->rig, detail, sizeof(detail));
    if (detail[0])
        fail(error, exception_of(err), function, args, "%s", detail);
    else
        fail(error, exception_of(err), function, args, "%s", rig_strerror(err));
}

OBEMU_EXPORT ob_status ob_error_get_status(const ob_error *error)
{
    return error ? error->status : OB_STATUS_OK;
}

OBEMU_EXPORT const char *ob_error_get_message(const ob_error *error)
{
    return error ? error->message : "";
}

OBEMU_EXPORT const char *ob_error_get_function(const ob_error *error)
{
    return error ? error->function : "";
}

OBEMU_EXPORT const char *ob_error_get_args(const ob_error *error)
{
    return error ? error->args : "";
}

OBEMU_EXPORT ob_exception_type ob_error_get_exception_type(const ob_error *error)
{
    return error ? error->exception_type : OB_EXCEPTION_TYPE_UNKNOWN;
}

OBEMU_EXPORT void ob_delete_error(ob_error *error) { free(error); }

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                     */

static uint64_t ts_out(int64_t ts) { return ts < 0 ? 0 : (uint64_t)ts; }

static ob_frame *frame_retain(const ob_frame *f)
{
    ob_frame *m = (ob_frame *)f;
    atomic_fetch_add(&m->refs, 1);
    return m;
}

static void frame_release(const ob_frame *f)
{
    if (!f)
        return;
    ob_frame *m = (ob_frame *)f;
    if (atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    if (m->is_set) {
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            frame_release(m->members[s]);
    } else {
        rig_frame_release(m->rf);
    }
    free(m);
}

/* A frameset holding one frame (the pipeline does not aggregate: frame sync is off). */
static ob_frame *make_frameset(rig_frame_t *rf, ob_device *dev)
{
    ob_frame *f = calloc(1, sizeof(*f));
    ob_frame *set = calloc(1, sizeof(*set));
    if (!f || !set) {
        free(f);
        free(set);
        return NULL;
    }
    atomic_init(&f->refs, 1);
    rig_frame_retain(rf);
    f->rf = rf;
    if (atomic_load(&dev->global_ts)) {
        /* as the SDK: the fitter's mapping when the frame comes in, 0 before its first fit */
        int64_t g = 0;
        pthread_mutex_lock(&dev->fit_lock);
        bool ok = vendor_fitter_map(dev->fitter, rig_frame_device_ts_us(rf), &g);
        pthread_mutex_unlock(&dev->fit_lock);
        f->global_ts_us = ok ? ts_out(g) : 0;
    }
    atomic_init(&set->refs, 1);
    set->is_set = true;
    set->members[rig_frame_stream(rf) == RIG_STREAM_DEPTH ? RIG_STREAM_DEPTH : RIG_STREAM_COLOR] =
        f;
    return set;
}

/* The single frame a getter reads: the frame itself, or a frameset's only member. */
static const ob_frame *frame_single(const ob_frame *f)
{
    if (!f->is_set)
        return f;
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        if (f->members[s])
            return f->members[s];
    return NULL;
}

static ob_frame *frameset_member(const ob_frame *frameset, rig_stream_t stream, ob_error **error,
                                 const char *function)
{
    if (!frameset) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset = NULL",
             "frameset is NULL");
        return NULL;
    }
    if (!frameset->is_set) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset",
             "the frame is not a frameset");
        return NULL;
    }
    ob_frame *m = frameset->members[stream];
    return m ? frame_retain(m) : NULL;
}

OBEMU_EXPORT ob_frame *ob_frameset_get_depth_frame(const ob_frame *frameset, ob_error **error)
{
    return frameset_member(frameset, RIG_STREAM_DEPTH, error, __func__);
}

OBEMU_EXPORT ob_frame *ob_frameset_get_color_frame(const ob_frame *frameset, ob_error **error)
{
    return frameset_member(frameset, RIG_STREAM_COLOR, error, __func__);
}

enum frame_field { FIELD_DEVICE_TS, FIELD_SYSTEM_TS, FIELD_GLOBAL_TS, FIELD_INDEX };

static uint64_t frame_field(const ob_frame *frame, enum frame_field field, ob_error **error,
                            const char *function)
{
    if (!frame) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frame = NULL", "frame is NULL");
        return 0;
    }
    const ob_frame *f = frame_single(frame);
    if (!f)
        return 0;
    switch (field) {
    case FIELD_DEVICE_TS: return ts_out(rig_frame_device_ts_us(f->rf));
    case FIELD_SYSTEM_TS: return ts_out(rig_frame_host_ts_us(f->rf));
    case FIELD_GLOBAL_TS: return f->global_ts_us;
    case FIELD_INDEX: return rig_frame_index(f->rf);
    }
    return 0;
}

OBEMU_EXPORT uint64_t ob_frame_get_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_DEVICE_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_system_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_SYSTEM_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_global_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_GLOBAL_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_index(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_INDEX, error, __func__);
}

/* Pixel accessors: a frameset has none of its own (as in the SDK, it is not a video frame). */
static const rig_frame_t *video_frame(const ob_frame *frame, ob_error **error, const char *fn)
{
    if (!frame) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, fn, "frame = NULL", "frame is NULL");
        return NULL;
    }
    const ob_frame *f = frame_single(frame);
    return f ? f->rf : NULL;
}

OBEMU_EXPORT uint8_t *ob_frame_get_data(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    /* The SDK hands out a mutable pointer into the frame; so does the emulator. */
    return rf ? (uint8_t *)(uintptr_t)rig_frame_data(rf) : NULL;
}

OBEMU_EXPORT uint32_t ob_frame_get_data_size(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? (uint32_t)rig_frame_data_size(rf) : 0;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_width(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? rig_frame_width(rf) : 0;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_height(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? rig_frame_height(rf) : 0;
}

OBEMU_EXPORT ob_format ob_frame_get_format(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    if (!rf)
        return OB_FORMAT_UNKNOWN;
    switch (rig_frame_format(rf)) {
    case RIG_FORMAT_RGB: return OB_FORMAT_RGB;
    case RIG_FORMAT_Y16: return OB_FORMAT_Y16;
    default: return OB_FORMAT_UNKNOWN; /* pixels off: timestamps only */
    }
}

OBEMU_EXPORT void ob_delete_frame(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    frame_release(frame);
}

/* ------------------------------------------------------------------------------------------ */
/* Context                                                                                    */

static void cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

static struct timespec deadline_in_ms(uint32_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Called for every frame the rig delivers (real time: on the rig's thread; virtual time: on the
 * thread advancing the rig, which holds rig_lock). Takes only qlock. */
static void on_frame(rig_frame_t *rf, void *user)
{
    ob_context *c = user;
    size_t di = rig_frame_device_index(rf);
    rig_stream_t s = rig_frame_stream(rf);
    ob_frame *evicted = NULL;
    pthread_mutex_lock(&c->qlock);
    ob_pipeline *p = di < c->route_cap ? c->route[di] : NULL;
    if (p && p->started && (unsigned)s < RIG_STREAM_COUNT && p->want[s]) {
        ob_frame *set = make_frameset(rf, p->dev);
        if (set) {
            if (p->len == OBEMU_QUEUE_CAPACITY) {
                evicted = p->queue[p->head];
                p->head = (p->head + 1) % OBEMU_QUEUE_CAPACITY;
                p->len--;
                p->drops++;
            }
            p->queue[(p->head + p->len) % OBEMU_QUEUE_CAPACITY] = set;
            p->len++;
            pthread_cond_broadcast(&p->ready);
            /* a reader paused for others (backpressure) now has its own frames to read */
            pthread_cond_broadcast(&c->drained);
        }
    }
    pthread_mutex_unlock(&c->qlock);
    frame_release(evicted);
}

static void ctx_retain(ob_context *c) { atomic_fetch_add(&c->refs, 1); }

static void ctx_release(ob_context *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->rig) {
        rig_context_set_frame_callback(c->rig, NULL, NULL);
        rig_context_destroy(c->rig);
    }
    rig_config_destroy(c->config);
    free(c->route);
    pthread_cond_destroy(&c->gate);
    pthread_cond_destroy(&c->drained);
    pthread_mutex_destroy(&c->qlock);
    pthread_mutex_destroy(&c->rig_lock);
    free(c);
}

/* Reads a 0/1 switch from the environment. */
static bool env_flag(const char *name, bool *out, ob_error **error)
{
    const char *v = getenv(name);
    *out = false;
    if (!v || !v[0] || strcmp(v, "0") == 0)
        return true;
    if (strcmp(v, "1") == 0) {
        *out = true;
        return true;
    }
    fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_create_context", name,
         "%s=\"%s\" is not valid; set it to 1 (on) or 0 (off)", name, v);
    return false;
}

OBEMU_EXPORT ob_context *ob_create_context(ob_error **error)
{
    bool virtual_time, pixels;
    if (!env_flag("RIGSYNC_OBEMU_VIRTUAL", &virtual_time, error) ||
        !env_flag("RIGSYNC_OBEMU_PIXELS", &pixels, error))
        return NULL;
    bool seed_set = false;
    unsigned long long seed = 0;
    const char *seed_env = getenv("RIGSYNC_OBEMU_SEED");
    if (seed_env && seed_env[0]) {
        char *end = NULL;
        errno = 0;
        seed = strtoull(seed_env, &end, 10);
        if (errno || !end || *end || seed_env[0] == '-') {
            fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "RIGSYNC_OBEMU_SEED",
                 "RIGSYNC_OBEMU_SEED=\"%s\" is not a non-negative integer", seed_env);
            return NULL;
        }
        seed_set = true;
    }

    rig_config_t *config = NULL;
    rig_config_diag_t diag;
    memset(&diag, 0, sizeof(diag));
    const char *path = getenv("RIGSYNC_OBEMU_CONFIG");
    rig_error_t err = (path && path[0]) ? rig_config_load(path, &config, &diag)
                                        : rig_config_default(&config, &diag);
    if (err != RIG_OK) {
        char msg[1600];
        rig_config_diag_format(&diag, msg, sizeof(msg));
        fail(error, err == RIG_ERROR_IO ? OB_EXCEPTION_TYPE_IO : OB_EXCEPTION_TYPE_INVALID_VALUE,
             __func__, "RIGSYNC_OBEMU_CONFIG", "%s", msg);
        return NULL;
    }

    ob_context *c = calloc(1, sizeof(*c));
    if (!c) {
        rig_config_destroy(config);
        fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory creating the context");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->config = config;
    c->virtual_time = virtual_time;
    pthread_mutex_init(&c->rig_lock, NULL);
    pthread_mutex_init(&c->qlock, NULL);
    cond_init_monotonic(&c->gate);
    cond_init_monotonic(&c->drained);

    char detail[512] = "";
    rig_context_options_t opts;
    rig_context_options_init(&opts);
    opts.backend = "sim";
    opts.config = config;
    opts.time_mode = virtual_time ? RIG_TIME_VIRTUAL : RIG_TIME_REAL;
    opts.seed_set = seed_set;
    opts.seed = (uint64_t)seed;
    opts.pixels = pixels;
    opts.error_detail = detail;
    opts.error_detail_len = sizeof(detail);
    err = rig_context_create(&opts, &c->rig);
    size_t n = 0;
    c->stop_after_us = INT64_MAX;
    const char *stop = getenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    if (err == RIG_OK && stop && stop[0]) {
        char *end = NULL;
        double s = strtod(stop, &end);
        if (!end || *end || !(s > 0)) {
            fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "RIGSYNC_OBEMU_STOP_AFTER_S",
                 "RIGSYNC_OBEMU_STOP_AFTER_S=\"%s\" is not a positive number of seconds", stop);
            ctx_release(c);
            return NULL;
        }
        c->stop_after_us = (int64_t)(s * 1e6);
    }
    if (err == RIG_OK)
        err = rig_sim_now_us(c->rig, &c->t0_us);
    if (err == RIG_OK)
        err = rig_context_device_count(c->rig, &n);
    if (err == RIG_OK)
        err = rig_context_set_frame_callback(c->rig, on_frame, c);
    if (err == RIG_OK && n) {
        c->route = calloc(n, sizeof(*c->route));
        if (!c->route)
            err = RIG_ERROR_NO_MEMORY;
    }
    if (err != RIG_OK) {
        fail(error, exception_of(err), __func__, "", "cannot create the simulated rig: %s",
             detail[0] ? detail : rig_strerror(err));
        ctx_release(c);
        return NULL;
    }
    c->route_cap = n;
    c->rig_devices = n;
    return c;
}

OBEMU_EXPORT void ob_delete_context(ob_context *context, ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return;
    }
    ctx_release(context);
}

/* Opens virtual time's gate (qlock held). */
static void start_time_locked(ob_context *c)
{
    if (!c->time_started) {
        c->time_started = true;
        pthread_cond_broadcast(&c->gate);
    }
}

OBEMU_EXPORT void ob_enable_device_clock_sync(ob_context *context, uint64_t repeat_interval_msec,
                                              ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return;
    }
    pthread_mutex_lock(&context->rig_lock);
    rig_error_t err = rig_context_enable_clock_sync(context->rig, repeat_interval_msec);
    if (err != RIG_OK) {
        char args[64];
        snprintf(args, sizeof(args), "repeat_interval_msec = %llu",
                 (unsigned long long)repeat_interval_msec);
        fail_rig(error, context, err, __func__, args);
    } else {
        context->clock_sync_enabled = true;
        context->clock_sync_interval_ms = repeat_interval_msec;
    }
    pthread_mutex_unlock(&context->rig_lock);
    if (err == RIG_OK) {
        pthread_mutex_lock(&context->qlock);
        start_time_locked(context);
        pthread_mutex_unlock(&context->qlock);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Device list, devices                                                                       */

OBEMU_EXPORT ob_device_list *ob_query_device_list(ob_context *context, ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return NULL;
    }
    ob_device_list *list = calloc(1, sizeof(*list));
    size_t n = context->rig_devices;
    if (list && n) {
        list->info = calloc(n, sizeof(*list->info));
        if (!list->info) {
            free(list);
            list = NULL;
        }
    }
    if (!list) {
        fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory listing devices");
        return NULL;
    }
    pthread_mutex_lock(&context->rig_lock);
    for (size_t i = 0; i < n; i++) {
        rig_error_t err = rig_context_device_info(context->rig, i, &list->info[i]);
        if (err != RIG_OK) {
            fail_rig(error, context, err, __func__, "");
            pthread_mutex_unlock(&context->rig_lock);
            free(list->info);
            free(list);
            return NULL;
        }
    }
    pthread_mutex_unlock(&context->rig_lock);
    list->count = (uint32_t)n;
    list->ctx = context;
    ctx_retain(context);
    return list;
}

OBEMU_EXPORT void ob_delete_device_list(ob_device_list *list, ob_error **error)
{
    if (!list) {
        FAIL_NULL(error, "list");
        return;
    }
    ob_context *c = list->ctx;
    free(list->info);
    free(list);
    ctx_release(c);
}

OBEMU_EXPORT uint32_t ob_device_list_get_count(const ob_device_list *list, ob_error **error)
{
    if (!list) {
        FAIL_NULL(error, "list");
        return 0;
    }
    return list->count;
}

static const rig_device_info_t *list_entry(const ob_device_list *list, uint32_t index,
                                           ob_error **error, const char *function)
{
    if (!list) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "list = NULL", "list is NULL");
        return NULL;
    }
    if (index >= list->count) {
        char args[32];
        snprintf(args, sizeof(args), "index = %u", index);
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
             "device index %u is out of range: the list has %u devices", index, list->count);
        return NULL;
    }
    return &list->info[index];
}

OBEMU_EXPORT const char *ob_device_list_get_device_name(const ob_device_list *list,
                                                        uint32_t index, ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? info->model : NULL;
}

OBEMU_EXPORT const char *ob_device_list_get_device_serial_number(const ob_device_list *list,
                                                                 uint32_t index,
                                                                 ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? info->serial : NULL;
}

static ob_device *open_device(ob_context *c, const char *serial, ob_error **error,
                              const char *function)
{
    char args[96];
    snprintf(args, sizeof(args), "serial_number = %s", serial);
    ob_device *d = calloc(1, sizeof(*d));
    if (!d) {
        fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args, "out of memory opening device %s",
             serial);
        return NULL;
    }
    atomic_init(&d->refs, 1);
    atomic_init(&d->global_ts, false);
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_open(c->rig, serial, &d->rig);
    if (err == RIG_OK)
        err = rig_device_get_info(d->rig, &d->info);
    if (err != RIG_OK) {
        fail_rig(error, c, err, function, args);
        if (d->rig)
            rig_device_close(d->rig);
        pthread_mutex_unlock(&c->rig_lock);
        free(d);
        return NULL;
    }
    d->index = rig_device_index(d->rig);
    pthread_mutex_unlock(&c->rig_lock);
    if (!rig_model_device_time(d->info.model, &d->time))
        rig_model_device_time(RIG_MODEL_SIM_DEFAULT, &d->time);
    pthread_mutex_init(&d->fit_lock, NULL);
    d->fitter = vendor_fitter_create(d->info.timestamp_bits == 32 ? 32 : 64);
    d->last_write_seen_us = RIG_TS_NONE;
    if (!d->fitter) {
        pthread_mutex_lock(&c->rig_lock);
        rig_device_close(d->rig);
        pthread_mutex_unlock(&c->rig_lock);
        pthread_mutex_destroy(&d->fit_lock);
        free(d);
        fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args, "out of memory opening device %s",
             serial);
        return NULL;
    }

    pthread_mutex_lock(&c->qlock);
    bool ok = true;
    if (d->index >= c->route_cap) {
        size_t cap = d->index + 1;
        ob_pipeline **v = realloc(c->route, cap * sizeof(*v));
        ok = v != NULL;
        if (ok) {
            memset(v + c->route_cap, 0, (cap - c->route_cap) * sizeof(*v));
            c->route = v;
            c->route_cap = cap;
        }
    }
    pthread_mutex_unlock(&c->qlock);
    if (!ok) {
        pthread_mutex_lock(&c->rig_lock);
        rig_device_close(d->rig);
        pthread_mutex_unlock(&c->rig_lock);
        vendor_fitter_destroy(d->fitter);
        pthread_mutex_destroy(&d->fit_lock);
        free(d);
        fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args, "out of memory opening device %s",
             serial);
        return NULL;
    }
    d->ctx = c;
    ctx_retain(c);
    return d;
}

OBEMU_EXPORT ob_device *ob_device_list_get_device(const ob_device_list *list, uint32_t index,
                                                  ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? open_device(list->ctx, info->serial, error, __func__) : NULL;
}

OBEMU_EXPORT ob_device *ob_device_list_get_device_by_serial_number(const ob_device_list *list,
                                                                   const char *serial_number,
                                                                   ob_error **error)
{
    if (!list) {
        FAIL_NULL(error, "list");
        return NULL;
    }
    if (!serial_number) {
        FAIL_NULL(error, "serial_number");
        return NULL;
    }
    char present[512] = "";
    size_t used = 0;
    for (uint32_t i = 0; i < list->count; i++) {
        if (strcmp(list->info[i].serial, serial_number) == 0)
            return open_device(list->ctx, serial_number, error, __func__);
        int w = snprintf(present + used, sizeof(present) - used, "%s%s", used ? ", " : "",
                         list->info[i].serial);
        if (w > 0 && (size_t)w < sizeof(present) - used)
            used += (size_t)w;
    }
    char args[96];
    snprintf(args, sizeof(args), "serial_number = %.64s", serial_number);
    fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
         "no device with serial number %s in the device list (present: %s)", serial_number,
         used ? present : "none");
    return NULL;
}

static void device_release(ob_device *d)
{
    if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
        return;
    ob_context *c = d->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_device_close(d->rig);
    pthread_mutex_unlock(&c->rig_lock);
    vendor_fitter_destroy(d->fitter);
    pthread_mutex_destroy(&d->fit_lock);
    free(d);
    ctx_release(c);
}

OBEMU_EXPORT void ob_delete_device(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    device_release(device);
}

OBEMU_EXPORT ob_device_info *ob_device_get_device_info(const ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return NULL;
    }
    ob_device_info *info = calloc(1, sizeof(*info));
    if (!info) {
        fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    copy_str(info->name, sizeof(info->name), device->info.model);
    copy_str(info->serial, sizeof(info->serial), device->info.serial);
    return info;
}

OBEMU_EXPORT const char *ob_device_info_get_name(const ob_device_info *info, ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return NULL;
    }
    return info->name;
}

OBEMU_EXPORT const char *ob_device_info_get_serial_number(const ob_device_info *info,
                                                          ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return NULL;
    }
    return info->serial;
}

OBEMU_EXPORT void ob_delete_device_info(ob_device_info *info, ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return;
    }
    free(info);
}

OBEMU_EXPORT void ob_device_enable_global_timestamp(ob_device *device, bool enable,
                                                    ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    atomic_store(&device->global_ts, enable);
}

/* ------------------------------------------------------------------------------------------ */
/* Multi-device sync                                                                          */

OBEMU_EXPORT uint16_t ob_device_get_supported_multi_device_sync_mode_bitmap(
    const ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return 0;
    }
    return (uint16_t)device->info.supported_modes;
}

OBEMU_EXPORT void ob_device_set_multi_device_sync_config(ob_device *device,
                                                         const ob_multi_device_sync_config *config,
                                                         ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    ob_multi_device_sync_config in;
    memcpy(&in, config, sizeof(in)); /* the vendor's struct is packed */
    rig_sync_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.mode = (rig_sync_mode_t)in.syncMode;
    cfg.depth_delay_us = in.depthDelayUs;
    cfg.color_delay_us = in.colorDelayUs;
    cfg.trigger_to_image_delay_us = in.trigger2ImageDelayUs;
    cfg.trigger_out_enable = in.triggerOutEnable;
    cfg.trigger_out_delay_us = in.triggerOutDelayUs;
    cfg.frames_per_trigger = in.framesPerTrigger;
    char args[160];
    snprintf(args, sizeof(args),
             "syncMode = 0x%X, depthDelayUs = %d, colorDelayUs = %d, trigger2ImageDelayUs = %d, "
             "triggerOutEnable = %d, triggerOutDelayUs = %d, framesPerTrigger = %d",
             (unsigned)in.syncMode, in.depthDelayUs, in.colorDelayUs, in.trigger2ImageDelayUs,
             (int)in.triggerOutEnable, in.triggerOutDelayUs, in.framesPerTrigger);
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_set_sync_config(device->rig, &cfg, NULL);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, args);
    pthread_mutex_unlock(&c->rig_lock);
}

OBEMU_EXPORT ob_multi_device_sync_config
ob_device_get_multi_device_sync_config(const ob_device *device, ob_error **error)
{
    ob_multi_device_sync_config out;
    memset(&out, 0, sizeof(out));
    if (!device) {
        FAIL_NULL(error, "device");
        return out;
    }
    ob_context *c = device->ctx;
    rig_sync_config_t cfg;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_get_sync_config(device->rig, &cfg);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return out;
    out.syncMode = (OBMultiDeviceSyncMode)cfg.mode;
    out.depthDelayUs = cfg.depth_delay_us;
    out.colorDelayUs = cfg.color_delay_us;
    out.trigger2ImageDelayUs = cfg.trigger_to_image_delay_us;
    out.triggerOutEnable = cfg.trigger_out_enable;
    out.triggerOutDelayUs = cfg.trigger_out_delay_us;
    out.framesPerTrigger = cfg.frames_per_trigger;
    return out;
}

OBEMU_EXPORT void ob_device_trigger_capture(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_trigger(device->rig);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
}

/* Whether the emulated host clock runs: always in real time; in virtual time once the gate
 * opened (before, a clock command must not move time, so that every program sees one run). */
static bool time_runs(ob_context *c)
{
    if (!c->virtual_time)
        return true;
    pthread_mutex_lock(&c->qlock);
    bool started = c->time_started;
    pthread_mutex_unlock(&c->qlock);
    return started;
}

/* Lets host time pass inside a call, as the SDK's own sleeps do (rig_lock not held). */
static rig_error_t let_time_pass(ob_context *c, int64_t us)
{
    if (!c->virtual_time) {
        struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000L};
        nanosleep(&ts, NULL);
        return RIG_OK;
    }
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_sim_advance_us(c->rig, us);
    pthread_mutex_unlock(&c->rig_lock);
    return err;
}

/* One host timer sync of this device, as the SDK runs it: the host's time is written in the
 * family's write unit (milliseconds on some: the clock lands up to 1 ms behind), then after
 * 50 ms read back once. A clock command, like ob_enable_device_clock_sync, starts virtual time. */
OBEMU_EXPORT void ob_device_timer_sync_with_host(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->qlock);
    start_time_locked(c);
    pthread_mutex_unlock(&c->qlock);
    int64_t resolution_us = 1000000 / (int64_t)device->time.write_hz;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_sim_device_write_clock(c->rig, device->index, resolution_us, NULL);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return;
    if ((err = let_time_pass(c, OBEMU_TIMER_SYNC_SETTLE_US)) == RIG_OK) {
        int64_t h1, dev, h2;
        pthread_mutex_lock(&c->rig_lock);
        err = rig_sim_device_query_time(c->rig, device->index, &h1, &dev, &h2);
        pthread_mutex_unlock(&c->rig_lock);
    }
    if (err != RIG_OK) {
        pthread_mutex_lock(&c->rig_lock);
        fail_rig(error, c, err, __func__, "");
        pthread_mutex_unlock(&c->rig_lock);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Properties: the device clock (OB_STRUCT_DEVICE_TIME)                                       */

#define DEVICE_TIME_SIZE 16 /* { uint64_t time; uint64_t rtt; } */

OBEMU_EXPORT bool ob_device_is_property_supported(const ob_device *device,
                                                  ob_property_id property_id,
                                                  ob_permission_type permission,
                                                  ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return false;
    }
    if (property_id != OB_STRUCT_DEVICE_TIME || permission == OB_PERMISSION_DENY)
        return false; /* the emulator models no other property */
    return device->time.user_readable;
}

OBEMU_EXPORT void ob_device_get_structured_data(ob_device *device, ob_property_id property_id,
                                                uint8_t *data, uint32_t *data_size,
                                                ob_error **error)
{
    char args[48];
    snprintf(args, sizeof(args), "property_id = %d", property_id);
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    if (property_id != OB_STRUCT_DEVICE_TIME) {
        fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
             "property %d is not supported by the rigsync emulator (it models "
             "OB_STRUCT_DEVICE_TIME only)",
             property_id);
        return;
    }
    if (!device->time.user_readable) {
        fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
             "property %d (OB_STRUCT_DEVICE_TIME) is not readable on %s: the SDK keeps this "
             "family's device clock to itself",
             property_id, device->info.model);
        return;
    }
    if (!data || !data_size) {
        FAIL_NULL(error, !data ? "data" : "data_size");
        return;
    }
    if (*data_size < DEVICE_TIME_SIZE) {
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
             "the buffer holds %u bytes; OB_STRUCT_DEVICE_TIME needs %d", *data_size,
             DEVICE_TIME_SIZE);
        return;
    }
    ob_context *c = device->ctx;
    bool runs = time_runs(c);
    int64_t h1 = 0, dev = 0, h2 = 0;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err;
    if (runs) {
        err = rig_sim_device_query_time(c->rig, device->index, &h1, &dev, &h2);
    } else {
        /* time stands still before it starts: the read is instantaneous */
        err = rig_sim_device_clock_us(c->rig, device->index, &dev);
        if (err == RIG_OK)
            err = rig_sim_now_us(c->rig, &h1);
        h2 = h1;
    }
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, args);
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return;
    uint64_t ticks_per_s = device->time.read_hz;
    uint64_t v[2] = {(uint64_t)dev / (1000000u / ticks_per_s),
                     (uint64_t)(h2 - h1) / (1000000u / ticks_per_s)};
    memcpy(data, v, sizeof(v));
    *data_size = DEVICE_TIME_SIZE;
}

OBEMU_EXPORT bool rigsync_obemu_frame_true_ts_us(const ob_frame *frame, int64_t *true_ts_us)
{
    const ob_frame *f = frame ? frame_single(frame) : NULL;
    rig_sim_truth_t truth;
    if (!f || !true_ts_us || rig_sim_frame_truth(f->rf, &truth) != RIG_OK)
        return false;
    *true_ts_us = truth.true_ts_us;
    return true;
}

OBEMU_EXPORT uint64_t rigsync_obemu_host_time_us(const ob_context *context)
{
    if (!context)
        return 0;
    ob_context *c = (ob_context *)(uintptr_t)context;
    int64_t now = 0;
    pthread_mutex_lock(&c->rig_lock);
    rig_sim_now_us(c->rig, &now);
    pthread_mutex_unlock(&c->rig_lock);
    return now < 0 ? 0 : (uint64_t)now;
}

/* ------------------------------------------------------------------------------------------ */
/* Logger and host clock settings: the emulator never logs, so each setting is checked and has
 * nothing further to do; the SDK would stop writing ./Log/ or the console accordingly.       */

static bool severity_ok(ob_log_severity severity, ob_error **error, const char *function)
{
    if ((int)severity >= OB_LOG_SEVERITY_DEBUG && (int)severity <= OB_LOG_SEVERITY_OFF)
        return true;
    char args[32];
    snprintf(args, sizeof(args), "severity = %d", (int)severity);
    fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
         "log severity %d is not one of OB_LOG_SEVERITY_DEBUG..OB_LOG_SEVERITY_OFF",
         (int)severity);
    return false;
}

OBEMU_EXPORT void ob_set_logger_severity(ob_log_severity severity, ob_error **error)
{
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_file(ob_log_severity severity, const char *directory,
                                        ob_error **error)
{
    (void)directory; /* NULL or "" keeps the default directory, as in the SDK */
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_console(ob_log_severity severity, ob_error **error)
{
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_callback(ob_log_severity severity, ob_log_callback callback,
                                            void *user_data, ob_error **error)
{
    (void)callback;
    (void)user_data;
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT ob_clock_type ob_context_get_timestamp_clock_type(const ob_context *context,
                                                               ob_error **error)
{
    if (!context)
        FAIL_NULL(error, "context");
    return OB_CLOCK_TYPE_REALTIME;
}

/* ------------------------------------------------------------------------------------------ */
/* Pipelines                                                                                  */

OBEMU_EXPORT ob_config *ob_create_config(ob_error **error)
{
    ob_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    return cfg;
}

OBEMU_EXPORT void ob_delete_config(ob_config *config, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    free(config);
}

OBEMU_EXPORT void ob_config_enable_video_stream(ob_config *config, ob_stream_type stream_type,
                                                uint32_t width, uint32_t height, uint32_t fps,
                                                ob_format format, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    int s;
    if (stream_type == OB_STREAM_COLOR)
        s = RIG_STREAM_COLOR;
    else if (stream_type == OB_STREAM_DEPTH)
        s = RIG_STREAM_DEPTH;
    else {
        char args[32];
        snprintf(args, sizeof(args), "stream_type = %d", (int)stream_type);
        fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
             "stream type %d is not available: the emulated devices have OB_STREAM_COLOR (%d) "
             "and OB_STREAM_DEPTH (%d) only",
             (int)stream_type, (int)OB_STREAM_COLOR, (int)OB_STREAM_DEPTH);
        return;
    }
    config->streams[s] = (stream_request_t){true, width, height, fps, format};
}

OBEMU_EXPORT ob_pipeline *ob_create_pipeline_with_device(const ob_device *dev, ob_error **error)
{
    if (!dev) {
        FAIL_NULL(error, "dev");
        return NULL;
    }
    ob_pipeline *p = calloc(1, sizeof(*p));
    if (!p) {
        fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    cond_init_monotonic(&p->ready);
    ob_device *d = (ob_device *)dev;
    atomic_fetch_add(&d->refs, 1);
    p->dev = d;
    return p;
}

/* Builds the rig profile of one stream from the request; *use_default when all is "any". */
static bool profile_of(ob_context *c, rig_stream_t s, const stream_request_t *r,
                       rig_stream_profile_t *out, bool *use_default, ob_error **error)
{
    *use_default = false;
    if (!r->enabled || (r->width == OB_WIDTH_ANY && r->height == OB_HEIGHT_ANY &&
                        r->fps == OB_FPS_ANY && r->format == OB_FORMAT_ANY)) {
        *use_default = true;
        return true;
    }
    /* Partly "any": the wildcards take the values of the rig config's stream profile. */
    rig_stream_profile_t base = rig_config_stream_profile(c->config, s);
    out->width = r->width ? r->width : base.width;
    out->height = r->height ? r->height : base.height;
    out->fps = r->fps ? r->fps : base.fps;
    switch (r->format) {
    case OB_FORMAT_ANY: out->format = base.format; break;
    case OB_FORMAT_RGB: out->format = RIG_FORMAT_RGB; break;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: out->format = RIG_FORMAT_Y16; break;
    default: {
        char args[48];
        snprintf(args, sizeof(args), "%s format = %d", rig_stream_name(s), (int)r->format);
        fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_pipeline_start_with_config",
             args,
             "%s format %d is not available: the emulator offers OB_FORMAT_RGB (%d) for color "
             "and OB_FORMAT_Y16 (%d) for depth",
             rig_stream_name(s), (int)r->format, (int)OB_FORMAT_RGB, (int)OB_FORMAT_Y16);
        return false;
    }
    }
    return true;
}

OBEMU_EXPORT void ob_pipeline_start_with_config(ob_pipeline *pipeline, const ob_config *config,
                                                ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    ob_device *d = pipeline->dev;
    ob_context *c = d->ctx;
    rig_stream_profile_t prof[RIG_STREAM_COUNT];
    const rig_stream_profile_t *use[RIG_STREAM_COUNT];
    bool any_enabled = false;
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        any_enabled = any_enabled || config->streams[s].enabled;
    bool want[RIG_STREAM_COUNT];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        bool dflt;
        if (!profile_of(c, (rig_stream_t)s, &config->streams[s], &prof[s], &dflt, error))
            return;
        use[s] = dflt ? NULL : &prof[s];
        /* Nothing enabled: the device's default streams, as the vendor's pipeline does. */
        want[s] = any_enabled ? config->streams[s].enabled : true;
    }

    /* Routed before the start so that no early frame is lost. */
    pthread_mutex_lock(&c->qlock);
    bool already = pipeline->started;
    bool other = c->route[d->index] && c->route[d->index] != pipeline;
    if (already || other) {
        pthread_mutex_unlock(&c->qlock);
        fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
             already ? "the pipeline of device %s is already started; stop it first"
                     : "device %s is already streaming in another pipeline; stop that one first",
             d->info.serial);
        return;
    }
    memcpy(pipeline->want, want, sizeof(want));
    pipeline->started = true;
    /* Until a thread waits on it, its reader is taken to be the thread that started it: a
     * reader thread started right after is not outrun before its first wait. */
    pipeline->read = true;
    pipeline->reader = pthread_self();
    c->route[d->index] = pipeline;
    pthread_mutex_unlock(&c->qlock);

    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_start(d->rig, use[RIG_STREAM_COLOR], use[RIG_STREAM_DEPTH]);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);

    pthread_mutex_lock(&c->qlock);
    if (err != RIG_OK) {
        pipeline->started = false;
        if (c->route[d->index] == pipeline)
            c->route[d->index] = NULL;
    } else {
        size_t started = 0;
        for (size_t i = 0; i < c->route_cap; i++)
            started += c->route[i] != NULL;
        /* A program that never enables clock sync: time starts a grace period after the last
         * device started (see the top of the file). */
        if (started >= c->rig_devices && !c->all_started) {
            c->all_started = true;
            clock_gettime(CLOCK_MONOTONIC, &c->all_started_at);
            pthread_cond_broadcast(&c->gate);
        }
    }
    pthread_mutex_unlock(&c->qlock);
}

/* Takes the pipeline out of the routing and empties its queue (qlock held); returns the
 * frames to release after unlocking. */
static size_t unroute_locked(ob_pipeline *p, ob_frame **out)
{
    ob_context *c = p->dev->ctx;
    size_t n = 0;
    p->started = false;
    if (p->dev->index < c->route_cap && c->route[p->dev->index] == p)
        c->route[p->dev->index] = NULL;
    while (p->len) {
        out[n++] = p->queue[p->head];
        p->head = (p->head + 1) % OBEMU_QUEUE_CAPACITY;
        p->len--;
    }
    pthread_cond_broadcast(&p->ready);
    pthread_cond_broadcast(&c->drained);
    return n;
}

OBEMU_EXPORT void ob_pipeline_stop(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    ob_device *d = pipeline->dev;
    ob_context *c = d->ctx;
    pthread_mutex_lock(&c->qlock);
    bool started = pipeline->started;
    pthread_mutex_unlock(&c->qlock);
    if (!started)
        return;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_stop(d->rig);
    if (err != RIG_OK)
        fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
    ob_frame *drop[OBEMU_QUEUE_CAPACITY];
    pthread_mutex_lock(&c->qlock);
    size_t n = unroute_locked(pipeline, drop);
    pthread_mutex_unlock(&c->qlock);
    for (size_t i = 0; i < n; i++)
        frame_release(drop[i]);
}

OBEMU_EXPORT void ob_delete_pipeline(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    ob_pipeline_stop(pipeline, error);
    ob_context *c = pipeline->dev->ctx;
    ob_frame *drop[OBEMU_QUEUE_CAPACITY];
    pthread_mutex_lock(&c->qlock);
    size_t n = unroute_locked(pipeline, drop);
    pthread_mutex_unlock(&c->qlock);
    for (size_t i = 0; i < n; i++)
        frame_release(drop[i]);
    pthread_cond_destroy(&pipeline->ready);
    device_release(pipeline->dev);
    free(pipeline);
}

static ob_frame *pop_locked(ob_context *c, ob_pipeline *p)
{
    if (!p->len)
        return NULL;
    ob_frame *f = p->queue[p->head];
    p->head = (p->head + 1) % OBEMU_QUEUE_CAPACITY;
    p->len--;
    pthread_cond_broadcast(&c->drained);
    return f;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Virtual time: waits (qlock held) until time has started or the caller's deadline passed;
 * opens the gate itself once the grace period after the last device's start is over. */
static bool wait_for_time_locked(ob_context *c, ob_pipeline *p, const struct timespec *deadline)
{
    for (;;) {
        if (c->time_started || !p->started)
            break;
        struct timespec now, until = *deadline;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (c->all_started) {
            struct timespec grace = c->all_started_at;
            grace.tv_sec += OBEMU_GATE_GRACE_MS / 1000;
            grace.tv_nsec += (long)(OBEMU_GATE_GRACE_MS % 1000) * 1000000L;
            if (grace.tv_nsec >= 1000000000L) {
                grace.tv_sec++;
                grace.tv_nsec -= 1000000000L;
            }
            if (!ts_before(&now, &grace)) {
                start_time_locked(c);
                break;
            }
            if (ts_before(&grace, &until))
                until = grace;
        }
        if (!ts_before(&now, deadline))
            break;
        pthread_cond_timedwait(&c->gate, &c->qlock, &until);
    }
    return c->time_started && p->started;
}

/* Virtual time, before a step for p (qlock held): pauses while a pipeline read by another
 * thread holds OBEMU_QUEUE_HIGH framesets, so that its reader keeps up; a reader that lets a
 * pause expire is no longer waited for until it reads again. */
static void backpressure_locked(ob_context *c, const ob_pipeline *p)
{
    struct timespec limit = deadline_in_ms(OBEMU_BACKPRESSURE_MS);
    pthread_t self = pthread_self();
    for (;;) {
        ob_pipeline *full = NULL;
        for (size_t i = 0; i < c->route_cap && !full; i++) {
            ob_pipeline *q = c->route[i];
            if (q && q != p && q->started && q->read && !pthread_equal(q->reader, self) &&
                q->len >= OBEMU_QUEUE_HIGH)
                full = q;
        }
        /* Its own frames come first: readers paused for each other would otherwise wait in a
         * circle until the limit, each holding a queue the others wait for. */
        if (!full || !p->started || p->len)
            return;
        if (pthread_cond_timedwait(&c->drained, &c->qlock, &limit) == ETIMEDOUT)
            full->read = false;
    }
}

/* The SDK's global-timestamp machinery, run where the emulated host time moves: every device
 * with a started pipeline and global timestamps on gets the internal clock reads its fitter
 * asks for (every family: the SDK reads even clocks it keeps from applications), in the unit
 * the family's clock is read in, and a refit after each write of its clock (by
 * ob_device_timer_sync_with_host or the background ob_enable_device_clock_sync). */
static void service_global_timestamps(ob_context *c)
{
    ob_device *devs[64];
    size_t n = 0;
    pthread_mutex_lock(&c->qlock);
    for (size_t i = 0; i < c->route_cap && n < 64; i++) {
        ob_pipeline *p = c->route[i];
        if (p && p->started && atomic_load(&p->dev->global_ts)) {
            atomic_fetch_add(&p->dev->refs, 1);
            devs[n++] = p->dev;
        }
    }
    bool runs = !c->virtual_time || c->time_started;
    pthread_mutex_unlock(&c->qlock);
    for (size_t k = 0; k < n; k++) {
        ob_device *d = devs[k];
        int64_t now = 0, wrote = RIG_TS_NONE, err_us = 0;
        pthread_mutex_lock(&c->rig_lock);
        rig_sim_now_us(c->rig, &now);
        rig_sim_device_last_clock_sync(c->rig, d->index, &wrote, &err_us);
        pthread_mutex_unlock(&c->rig_lock);
        pthread_mutex_lock(&d->fit_lock);
        if (wrote != RIG_TS_NONE && wrote != d->last_write_seen_us) {
            d->last_write_seen_us = wrote;
            vendor_fitter_note_write(d->fitter, wrote);
        }
        bool due = runs && now >= vendor_fitter_next_poll_us(d->fitter);
        pthread_mutex_unlock(&d->fit_lock);
        if (due) {
            int64_t h1, dev, h2;
            pthread_mutex_lock(&c->rig_lock);
            rig_error_t e = rig_sim_device_query_time(c->rig, d->index, &h1, &dev, &h2);
            pthread_mutex_unlock(&c->rig_lock);
            int64_t unit = 1000000 / (int64_t)d->time.read_hz; /* ms families read in ms */
            if (e == RIG_OK) {
                pthread_mutex_lock(&d->fit_lock);
                vendor_fitter_add_two_way(d->fitter, h1, dev - dev % unit, h2);
                pthread_mutex_unlock(&d->fit_lock);
            }
        }
        device_release(d);
    }
}

OBEMU_EXPORT ob_frame *ob_pipeline_wait_for_frameset(ob_pipeline *pipeline, uint32_t timeout_ms,
                                                     ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return NULL;
    }
    ob_context *c = pipeline->dev->ctx;
    struct timespec deadline = deadline_in_ms(timeout_ms);
    pthread_mutex_lock(&c->qlock);
    if (!pipeline->started) {
        pthread_mutex_unlock(&c->qlock);
        fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
             "the pipeline of device %s is not started; call ob_pipeline_start_with_config "
             "first",
             pipeline->dev->info.serial);
        return NULL;
    }
    pipeline->read = true;
    pipeline->reader = pthread_self();
    pthread_mutex_unlock(&c->qlock);
    service_global_timestamps(c);
    pthread_mutex_lock(&c->qlock);
    ob_frame *f = pop_locked(c, pipeline);
    if (f || timeout_ms == 0) {
        pthread_mutex_unlock(&c->qlock);
        return f;
    }
    if (!c->virtual_time) {
        while (!pipeline->len && pipeline->started) {
            if (pthread_cond_timedwait(&pipeline->ready, &c->qlock, &deadline) == ETIMEDOUT)
                break;
        }
        f = pop_locked(c, pipeline);
        pthread_mutex_unlock(&c->qlock);
        return f;
    }
    /* Virtual time: wait (in real time) for time to start, then advance it. */
    bool go = wait_for_time_locked(c, pipeline, &deadline);
    pthread_mutex_unlock(&c->qlock);
    if (!go)
        return NULL;
    int64_t budget_us = (int64_t)timeout_ms * 1000;
    for (;;) {
        pthread_mutex_lock(&c->qlock);
        f = pop_locked(c, pipeline);
        if (!f && budget_us > 0) {
            backpressure_locked(c, pipeline);
            f = pop_locked(c, pipeline); /* another thread may have advanced meanwhile */
        }
        bool started = pipeline->started;
        pthread_mutex_unlock(&c->qlock);
        if (f || !started || budget_us <= 0)
            break;
        int64_t step = budget_us < OBEMU_STEP_US ? budget_us : OBEMU_STEP_US;
        service_global_timestamps(c);
        pthread_mutex_lock(&c->rig_lock);
        int64_t now_us = 0;
        rig_sim_now_us(c->rig, &now_us);
        if (now_us - c->t0_us >= c->stop_after_us) {
            /* The emulated run is over: behave like a camera that stopped sending. */
            pthread_mutex_unlock(&c->rig_lock);
            struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            break;
        }
        rig_error_t err = rig_sim_advance_us(c->rig, step);
        if (err != RIG_OK)
            fail_rig(error, c, err, __func__, "");
        pthread_mutex_unlock(&c->rig_lock);
        if (err != RIG_OK)
            break;
        budget_us -= step;
    }
    return f;
}

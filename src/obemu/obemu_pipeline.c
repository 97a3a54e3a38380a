/* librigsync-obemu: pipelines: stream configs, queues, backpressure, waiting (see
 * obemu_internal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "obemu_internal.h"
#include "rigsync/sim.h"

/* ------------------------------------------------------------------------------------------ */
/* Pipelines                                                                                  */

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

OBEMU_EXPORT ob_pipeline *ob_create_pipeline_with_device(const ob_device *dev, ob_error **error)
{
    if (!dev) {
        FAIL_NULL(error, "dev");
        return NULL;
    }
    ob_pipeline *p = calloc(1, sizeof(*p));
    if (!p) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    obemu_cond_init_monotonic(&p->ready);
    obemu_config_init(&p->config);
    atomic_init(&p->health_quit, false);
    p->agg.sync = true; /* the SDK's pipeline turns frame sync on when it is made */
    atomic_init(&p->cb_quit, false);
    atomic_init(&p->cb_running, false);
    atomic_init(&p->cb_detached_alive, false);
    atomic_init(&p->cb_free_on_exit, false);
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
    case OB_FORMAT_MJPG: out->format = RIG_FORMAT_MJPG; break;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: out->format = RIG_FORMAT_Y16; break;
    default: {
        char args[48];
        snprintf(args, sizeof(args), "%s format = %d", rig_stream_name(s), (int)r->format);
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
                   "ob_pipeline_start_with_config", args,
                   "%s format %d is not available: the emulator offers OB_FORMAT_RGB (%d) or "
                   "OB_FORMAT_MJPG (%d) for color and OB_FORMAT_Y16 (%d) for depth",
                   rig_stream_name(s), (int)r->format, (int)OB_FORMAT_RGB, (int)OB_FORMAT_MJPG,
                   (int)OB_FORMAT_Y16);
        return false;
    }
    }
    return true;
}

/* Starts the pipeline with config (NULL: the device's default streams, depth and color, as the
 * SDK's pipeline without a config file does). */
static void start_pipeline(ob_pipeline *pipeline, const ob_config *config, ob_error **error,
                           const char *function)
{
    ob_device *d = pipeline->dev;
    ob_context *c = d->ctx;
    ob_config dflt_cfg;
    if (!config) {
        obemu_config_init(&dflt_cfg);
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            dflt_cfg.streams[s] =
                (stream_request_t){true, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY, OB_FORMAT_ANY};
        config = &dflt_cfg;
    }
    rig_stream_profile_t prof[RIG_STREAM_COUNT], run[RIG_STREAM_COUNT];
    const rig_stream_profile_t *use[RIG_STREAM_COUNT];
    stream_request_t req[RIG_STREAM_COUNT]; /* what the rig's streams must give (IR merged) */
    bool want[OBEMU_STREAM_COUNT];
    uint32_t fps[OBEMU_STREAM_COUNT];
    ob_format format[OBEMU_STREAM_COUNT];
    ob_format ir_format;
    if (!obemu_ir_merge_request(d, config, req, &ir_format, error, function))
        return;
    want[OBEMU_STREAM_IR] = config->streams[OBEMU_STREAM_IR].enabled;
    bool any_enabled = want[OBEMU_STREAM_IR];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        bool dflt;
        if (!profile_of(c, (rig_stream_t)s, &req[s], &prof[s], &dflt, error))
            return;
        use[s] = dflt ? NULL : &prof[s];
        want[s] = config->streams[s].enabled;
        any_enabled = any_enabled || want[s];
        run[s] = dflt ? rig_config_stream_profile(c->config, (rig_stream_t)s) : prof[s];
        fps[s] = run[s].fps;
        format[s] = obemu_format_of(run[s].format);
    }
    fps[OBEMU_STREAM_IR] = fps[RIG_STREAM_DEPTH];
    format[OBEMU_STREAM_IR] = ir_format;
    if (!any_enabled) {
        /* as the SDK: a config must enable a stream */
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "config",
                   "the config enables no stream; enable one (ob_config_enable_stream) or pass "
                   "NULL for the default streams");
        return;
    }

    /* The whole start holds rig_lock (then qlock for the routing): two pipelines starting on
     * one device at once see each other's streams and the device's state. */
    pthread_mutex_lock(&c->rig_lock);
    pthread_mutex_lock(&c->qlock);
    obemu_route_t *r = &c->route[d->index];
    bool already = pipeline->started;
    int taken = -1;
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        if (want[s] && r->owner[s] && r->owner[s] != pipeline)
            taken = s;
    bool running = r->running;
    pthread_mutex_unlock(&c->qlock);
    if (already || taken >= 0) {
        pthread_mutex_unlock(&c->rig_lock);
        if (already)
            obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, function, "",
                       "the pipeline of device %s is already started; stop it first",
                       d->info.serial);
        else
            obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, function, "",
                       "the %s stream of device %s is already streaming in another pipeline; "
                       "stop that one first, or enable only streams no other pipeline uses",
                       taken == OBEMU_STREAM_IR ? "ir" : rig_stream_name((rig_stream_t)taken),
                       d->info.serial);
        return;
    }
    if (running) {
        /* Another pipeline streams from this device: join it on the profiles that run. */
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            if (!want[s] && !(s == RIG_STREAM_DEPTH && want[OBEMU_STREAM_IR]))
                continue;
            const rig_stream_profile_t *now = &r->profile[s]; /* set under rig_lock, held */
            const stream_request_t *q = &req[s];
            bool fits = !use[s] || ((q->width == OB_WIDTH_ANY || q->width == now->width) &&
                                    (q->height == OB_HEIGHT_ANY || q->height == now->height) &&
                                    (q->fps == OB_FPS_ANY || q->fps == now->fps) &&
                                    (q->format == OB_FORMAT_ANY || prof[s].format == now->format));
            if (!fits) {
                pthread_mutex_unlock(&c->rig_lock);
                obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "config",
                           "device %s already streams %s at %ux%u %u fps (started by another "
                           "pipeline); the rigsync emulator cannot change it without restarting "
                           "the other pipeline's stream: ask for that profile (or any), or stop "
                           "the other pipeline first",
                           d->info.serial, rig_stream_name((rig_stream_t)s), now->width,
                           now->height, now->fps);
                return;
            }
            fps[s] = now->fps;
            format[s] = obemu_format_of(now->format);
        }
        fps[OBEMU_STREAM_IR] = fps[RIG_STREAM_DEPTH];
    }
    /* Hardware D2C: on when the config enables colour and depth (as the SDK), to the colour
     * profile that runs. */
    uint32_t d2c_w = 0, d2c_h = 0;
    if (config->align == ALIGN_D2C_HW_MODE && want[RIG_STREAM_COLOR] && want[RIG_STREAM_DEPTH]) {
        const rig_stream_profile_t *cp = running ? &r->profile[RIG_STREAM_COLOR]
                                                 : &run[RIG_STREAM_COLOR];
        d2c_w = cp->width;
        d2c_h = cp->height;
    }

    /* Routed before the start so that no early frame is lost. */
    pthread_mutex_lock(&c->qlock);
    memcpy(pipeline->want, want, sizeof(want));
    pipeline->d2c_width = d2c_w;
    pipeline->d2c_height = d2c_h;
    pipeline->config = *config;
    pipeline->has_config = true;
    obemu_agg_setup(&pipeline->agg, config->aggregate, want, fps);
    pipeline->started = true;
    /* Until a thread waits on it, its reader is taken to be the thread that started it: a
     * reader thread started right after is not outrun before its first wait. */
    pipeline->read = true;
    pipeline->reader = pthread_self();
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        if (want[s])
            r->owner[s] = pipeline;
    pthread_mutex_unlock(&c->qlock);

    /* The rig starts both streams of the device once, for its first pipeline. */
    rig_error_t err = RIG_OK;
    if (!running) {
        err = rig_device_start(d->rig, use[RIG_STREAM_COLOR], use[RIG_STREAM_DEPTH]);
        if (err != RIG_OK)
            obemu_fail_rig(error, c, err, function, "");
    }
    if (err == RIG_OK)
        for (int s = 0; s < OBEMU_STREAM_COUNT; s++) {
            if (running && !want[s])
                continue; /* the other pipeline's stream */
            atomic_store(&d->stream_fps[s], want[s] ? fps[s] : 0);
            atomic_store(&d->stream_format[s], (int)format[s]);
        }
    pthread_mutex_lock(&c->qlock);
    if (err != RIG_OK) {
        pipeline->started = false;
        for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
            if (r->owner[s] == pipeline)
                r->owner[s] = NULL;
    } else {
        if (!running)
            memcpy(r->profile, run, sizeof(run));
        r->running = true;
        /* A program that never enables clock sync: time starts a grace period after the last
         * device start (devices, not pipelines; see the top of obemu_internal.h), whether the
         * program starts every device of the rig or fewer (a sample that opens one of two). */
        if (!running) {
            c->all_started = true;
            clock_gettime(CLOCK_MONOTONIC, &c->all_started_at);
            pthread_cond_broadcast(&c->gate);
        }
    }
    pthread_mutex_unlock(&c->qlock);
    pthread_mutex_unlock(&c->rig_lock);
    if (err == RIG_OK && !running)
        obemu_playback_started(c);
}

OBEMU_EXPORT void ob_pipeline_start_with_config(ob_pipeline *pipeline, const ob_config *config,
                                                ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    start_pipeline(pipeline, config, error, __func__);
}

OBEMU_EXPORT void ob_pipeline_start(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    start_pipeline(pipeline, NULL, error, __func__);
}

/* Takes the pipeline out of the routing and empties its queue (qlock held); returns the
 * frames to release after unlocking. */
static size_t unroute_locked(ob_pipeline *p, ob_frame **out)
{
    ob_context *c = p->dev->ctx;
    size_t n = 0;
    p->started = false;
    for (int s = 0; p->dev->index < c->route_cap && s < OBEMU_STREAM_COUNT; s++)
        if (c->route[p->dev->index].owner[s] == p)
            c->route[p->dev->index].owner[s] = NULL;
    while (p->len) {
        out[n++] = p->queue[p->head];
        p->head = (p->head + 1) % OBEMU_QUEUE_CAPACITY;
        p->len--;
    }
    n += obemu_agg_clear(&p->agg, out + n);
    pthread_cond_broadcast(&p->ready);
    pthread_cond_broadcast(&c->drained);
    return n;
}

/* Ends the callback thread (ob_pipeline_start_with_callback) once the pipeline has stopped;
 * from inside the callback, the thread ends by itself after it returns. */
static void stop_callback_thread(ob_pipeline *p)
{
    if (!atomic_exchange(&p->cb_running, false))
        return;
    atomic_store(&p->cb_quit, true);
    if (obemu_pipeline_on_own_callback(p)) {
        atomic_store(&p->cb_detached_alive, true);
        pthread_detach(pthread_self());
    } else
        pthread_join(p->cb_thread, NULL);
}

OBEMU_EXPORT void ob_pipeline_stop(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    ob_device *d = pipeline->dev;
    ob_context *c = d->ctx;
    ob_frame *drop[OBEMU_DROP_MAX];
    pthread_mutex_lock(&c->rig_lock);
    pthread_mutex_lock(&c->qlock);
    if (!pipeline->started) {
        pthread_mutex_unlock(&c->qlock);
        pthread_mutex_unlock(&c->rig_lock);
        return;
    }
    /* Only this pipeline's streams stop reaching it; the device stops with its last pipeline. */
    size_t n = unroute_locked(pipeline, drop);
    obemu_route_t *r = &c->route[d->index];
    bool last = r->running && !obemu_route_any(r);
    if (last)
        r->running = false;
    pthread_mutex_unlock(&c->qlock);
    if (last) {
        rig_error_t err = rig_device_stop(d->rig);
        if (err != RIG_OK)
            obemu_fail_rig(error, c, err, __func__, "");
    }
    pthread_mutex_unlock(&c->rig_lock);
    if (last)
        obemu_playback_stopped(c);
    for (size_t i = 0; i < n; i++)
        obemu_frame_release(drop[i]);
    stop_callback_thread(pipeline);
}

/* Pipelines this thread deleted from inside their callback (it frees them when it returns). */
static _Thread_local int self_deleted_here;

int obemu_pipelines_self_deleted_here(void)
{
    return self_deleted_here;
}

/* The pipeline whose frameset callback thread this is (set by the thread itself). */
static _Thread_local const ob_pipeline *cb_current;

bool obemu_pipeline_on_own_callback(const ob_pipeline *p)
{
    return p && cb_current == p;
}

static bool on_own_callback_thread(const ob_pipeline *p)
{
    return obemu_pipeline_on_own_callback(p);
}

/* Waits (real time) until a callback thread that stopped its own pipeline has returned. */
static void wait_detached_callback(ob_pipeline *p)
{
    while (atomic_load(&p->cb_detached_alive)) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void pipeline_free(ob_pipeline *pipeline)
{
    obemu_health_stop(pipeline);
    pthread_cond_destroy(&pipeline->ready);
    ob_context *c = pipeline->dev->ctx;
    bool self_deleted = atomic_load(&pipeline->cb_free_on_exit);
    obemu_device_release(pipeline->dev);
    if (self_deleted) /* c lives on: its user's ob_delete_context waits for this */
        atomic_fetch_sub(&c->self_deleting, 1);
    if (pipeline->own_ctx)
        ob_delete_context(pipeline->own_ctx, NULL);
    free(pipeline);
}

OBEMU_EXPORT void ob_delete_pipeline(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    bool self = on_own_callback_thread(pipeline);
    ob_pipeline_stop(pipeline, error);
    ob_context *c = pipeline->dev->ctx;
    ob_frame *drop[OBEMU_DROP_MAX];
    pthread_mutex_lock(&c->qlock);
    size_t n = unroute_locked(pipeline, drop);
    pthread_mutex_unlock(&c->qlock);
    for (size_t i = 0; i < n; i++)
        obemu_frame_release(drop[i]);
    stop_callback_thread(pipeline);
    if (self) {
        /* Deleted from inside its own callback: the callback's thread frees it once the
         * callback has returned (freeing it now would pull the thread's stack from under it). */
        atomic_store(&pipeline->cb_quit, true);
        atomic_fetch_add(&c->self_deleting, 1);
        self_deleted_here++;
        atomic_store(&pipeline->cb_free_on_exit, true);
        return;
    }
    wait_detached_callback(pipeline);
    pipeline_free(pipeline);
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
                obemu_start_time_locked(c);
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
        for (size_t i = 0; i < c->route_cap && !full; i++)
            for (int s = 0; s < OBEMU_STREAM_COUNT && !full; s++) {
                ob_pipeline *q = c->route[i].owner[s];
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

static ob_frame *wait_raw(ob_pipeline *pipeline, uint32_t timeout_ms, ob_error **error)
{
    ob_context *c = pipeline->dev->ctx;
    struct timespec deadline = deadline_in_ms(timeout_ms);
    pthread_mutex_lock(&c->qlock);
    if (!pipeline->started) {
        pthread_mutex_unlock(&c->qlock);
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, "ob_pipeline_wait_for_frameset", "",
                   "the pipeline of device %s is not started; call ob_pipeline_start "
                   "or ob_pipeline_start_with_config first",
                   pipeline->dev->info.serial);
        return NULL;
    }
    pipeline->read = true;
    pipeline->reader = pthread_self();
    pthread_mutex_unlock(&c->qlock);
    if (atomic_load(&pipeline->dev->gone)) {
        /* The device left the bus: nothing will come (a short pause: no busy loop). */
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
        obemu_fail(error, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED, "ob_pipeline_wait_for_frameset", "",
                   "device %s is disconnected", pipeline->dev->info.serial);
        return NULL;
    }
    obemu_service_global_timestamps(c);
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
        if (f || !started || budget_us <= 0 || atomic_load(&pipeline->dev->gone))
            break;
        int64_t step = budget_us < OBEMU_STEP_US ? budget_us : OBEMU_STEP_US;
        obemu_hotplug_settle(c);
        obemu_service_global_timestamps(c);
        pthread_mutex_lock(&c->rig_lock);
        int64_t now_us = 0;
        obemu_now_us(c, &now_us);
        if (now_us - c->t0_us >= c->stop_after_us || obemu_playback_idle(c)) {
            /* The emulated run is over: behave like a camera that stopped sending. */
            pthread_mutex_unlock(&c->rig_lock);
            struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            break;
        }
        int64_t pace_us = obemu_pace_wait_us_locked(c, now_us, step);
        if (pace_us > 0) {
            /* RIGSYNC_OBEMU_SPEED: not yet due; look again after a while (a frame may come
             * from another thread's step meanwhile) */
            pthread_mutex_unlock(&c->rig_lock);
            if (pace_us > 20000)
                pace_us = 20000;
            struct timespec ts = {0, (long)pace_us * 1000L};
            nanosleep(&ts, NULL);
            continue;
        }
        rig_error_t err = obemu_advance_us(c, step);
        if (err != RIG_OK)
            obemu_fail_rig(error, c, err, "ob_pipeline_wait_for_frameset", "");
        pthread_mutex_unlock(&c->rig_lock);
        if (err != RIG_OK)
            break;
        budget_us -= step;
    }
    return f;
}

/* The next frameset, with its depth aligned to colour when the pipeline runs hardware D2C. */
static ob_frame *wait_frameset(ob_pipeline *pipeline, uint32_t timeout_ms, ob_error **error)
{
    ob_frame *f = wait_raw(pipeline, timeout_ms, error);
    if (!f)
        return NULL;
    ob_context *c = pipeline->dev->ctx;
    pthread_mutex_lock(&c->qlock);
    uint32_t w = pipeline->d2c_width, h = pipeline->d2c_height;
    pthread_mutex_unlock(&c->qlock);
    return w ? obemu_pipeline_hw_d2c(f, w, h) : f;
}

OBEMU_EXPORT ob_frame *ob_pipeline_wait_for_frameset(ob_pipeline *pipeline, uint32_t timeout_ms,
                                                     ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return NULL;
    }
    if (pipeline->cb_running) {
        /* As the SDK: a pipeline started with a callback hands every frameset to it; a wait
         * times out with nothing. */
        struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return NULL;
    }
    ob_error *e = NULL;
    ob_frame *f = wait_frameset(pipeline, timeout_ms, &e);
    if (!f && !e) {
        ob_context *c = pipeline->dev->ctx;
        pthread_mutex_lock(&c->qlock);
        pipeline->sdk_status |= OB_SDK_STATUS_FRAME_WAIT_TIMEOUT;
        pthread_mutex_unlock(&c->qlock);
    }
    if (e) {
        if (error)
            *error = e;
        else
            ob_delete_error(e);
    }
    return f;
}

/* One frame into p's aggregator, its framesets queued (qlock held). */
static void deliver_locked(ob_pipeline *p, ob_frame *f, ob_frame **drop, size_t *ndrop_io)
{
    ob_frame *out[OBEMU_STREAM_COUNT * OBEMU_AGG_CAP + 1];
    size_t ndrop = *ndrop_io;
    uint64_t unmatched = p->agg.unmatched;
    size_t nout = obemu_agg_push(&p->agg, f, out, drop, &ndrop);
    if (p->agg.unmatched != unmatched)
        p->sdk_status |= OB_SDK_STATUS_FRAME_DROP_MATCH;
    ob_context *c = p->dev->ctx;
    for (size_t i = 0; i < nout; i++) {
        if (p->len == OBEMU_QUEUE_CAPACITY) {
            drop[ndrop++] = p->queue[p->head];
            p->head = (p->head + 1) % OBEMU_QUEUE_CAPACITY;
            p->len--;
            p->drops++;
            p->sdk_status |= OB_SDK_STATUS_FRAME_QUEUE_OVERFLOW;
        }
        p->queue[(p->head + p->len) % OBEMU_QUEUE_CAPACITY] = out[i];
        p->len++;
    }
    if (nout) {
        pthread_cond_broadcast(&p->ready);
        /* a reader paused for others (backpressure) now has its own frames to read */
        pthread_cond_broadcast(&c->drained);
    }
    *ndrop_io = ndrop;
}

/* A frame of the rig for p (qlock held): aggregated into framesets, which are queued. A depth
 * frame also gives the IR frame of its capture when p enables IR (obemu_ir.c). */
size_t obemu_pipeline_on_frame_locked(ob_pipeline *p, rig_frame_t *rf, ob_frame **drop)
{
    rig_stream_t s = rig_frame_stream(rf);
    if (!p->started || (unsigned)s >= RIG_STREAM_COUNT)
        return 0;
    bool ir = s == RIG_STREAM_DEPTH && p->want[OBEMU_STREAM_IR];
    if (!p->want[s] && !ir)
        return 0;
    ob_frame *f = obemu_make_frame(rf, p->dev);
    if (!f)
        return 0;
    size_t ndrop = 0;
    if (ir) {
        ob_device *d = p->dev;
        ob_frame *irf = obemu_ir_frame(f, (ob_format)atomic_load(&d->stream_format[OBEMU_STREAM_IR]));
        if (irf) {
            irf->fps = atomic_load(&d->stream_fps[OBEMU_STREAM_IR]);
            deliver_locked(p, irf, drop, &ndrop);
        }
    }
    if (p->want[s])
        deliver_locked(p, f, drop, &ndrop);
    else
        drop[ndrop++] = f; /* depth ran for the IR image only */
    return ndrop;
}

/* ------------------------------------------------------------------------------------------ */
/* The default device, callbacks, the pipeline's config and device, frame sync, health        */

/* As the SDK: the first device found, opened on a context of the pipeline's own. */
OBEMU_EXPORT ob_pipeline *ob_create_pipeline(ob_error **error)
{
    ob_error *e = NULL;
    ob_context *c = ob_create_context(&e);
    ob_device_list *list = c ? ob_query_device_list(c, &e) : NULL;
    uint32_t n = list ? ob_device_list_get_count(list, &e) : 0;
    ob_device *d = n ? ob_device_list_get_device(list, 0, &e) : NULL;
    if (list)
        ob_delete_device_list(list, NULL);
    ob_pipeline *p = d ? ob_create_pipeline_with_device(d, &e) : NULL;
    if (d)
        ob_delete_device(d, NULL); /* the pipeline holds its own reference */
    if (!p) {
        if (c)
            ob_delete_context(c, NULL);
        if (e) {
            obemu_fail(error, ob_error_get_exception_type(e), __func__, "", "%s",
                       ob_error_get_message(e));
            ob_delete_error(e);
        } else {
            obemu_fail(error, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED, __func__, "",
                       "no device found: the emulated rig has no device");
        }
        return NULL;
    }
    /* Only this device will stream on the private context: virtual time starts when it does
     * (see the top of obemu_internal.h), not when every device of the rig has started. */
    pthread_mutex_lock(&c->qlock);
    c->rig_devices = 1;
    pthread_mutex_unlock(&c->qlock);
    p->own_ctx = c;
    return p;
}

static void *callback_main(void *arg)
{
    ob_pipeline *p = arg;
    cb_current = p;
    while (!atomic_load(&p->cb_quit)) {
        ob_error *e = NULL;
        ob_frame *set = wait_frameset(p, 100, &e);
        if (e) {
            ob_delete_error(e);
            /* not started (yet or any more) or the device left: no busy loop */
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        if (set)
            p->callback(set, p->callback_user); /* the callback owns the frameset */
    }
    if (atomic_load(&p->cb_free_on_exit)) {
        pipeline_free(p); /* the callback deleted its own pipeline */
        self_deleted_here--;
    } else
        atomic_store(&p->cb_detached_alive, false);
    return NULL;
}

OBEMU_EXPORT void ob_pipeline_start_with_callback(ob_pipeline *pipeline, const ob_config *config,
                                                  ob_frameset_callback callback, void *user_data,
                                                  ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    if (!callback) {
        FAIL_NULL(error, "callback");
        return;
    }
    if (atomic_load(&pipeline->cb_running)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
                   "the pipeline of device %s is already started; stop it first",
                   pipeline->dev->info.serial);
        return;
    }
    if (on_own_callback_thread(pipeline)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
                   "the pipeline of device %s cannot be restarted from inside its own frameset "
                   "callback; restart it after the callback returned",
                   pipeline->dev->info.serial);
        return;
    }
    wait_detached_callback(pipeline); /* a callback that stopped it is still returning */
    ob_error *e = NULL;
    start_pipeline(pipeline, config, &e, __func__);
    if (e) {
        if (error)
            *error = e;
        else
            ob_delete_error(e);
        return;
    }
    pipeline->callback = callback;
    pipeline->callback_user = user_data;
    atomic_store(&pipeline->cb_quit, false);
    /* running before the thread exists: its callback may stop the pipeline at once */
    atomic_store(&pipeline->cb_running, true);
    if (pthread_create(&pipeline->cb_thread, NULL, callback_main, pipeline) != 0) {
        atomic_store(&pipeline->cb_running, false);
        ob_pipeline_stop(pipeline, NULL);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "",
                   "cannot start the frameset callback thread");
        return;
    }
}

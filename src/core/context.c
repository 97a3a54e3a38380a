/*
 * Context and devices: the public API on top of one backend, plus frame delivery (callback or
 * bounded pull queue).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "config/ranges.h"
#include "core/context_internal.h"
#include "mode/mode.h"

#define DEFAULT_QUEUE_CAPACITY 256

static const rig_backend_ops_t *const backends[] = {&rig_sim_backend, &rig_orbbec_backend,
                                                    &rig_replay_backend, &rig_net_backend};

void rig_context_options_init(rig_context_options_t *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof(*opts));
    opts->backend = "sim";
    opts->time_mode = RIG_TIME_REAL;
    opts->pixels = true;
    opts->queue_capacity = DEFAULT_QUEUE_CAPACITY;
}

rig_error_t rig_context_set_error(rig_context_t *ctx, rig_error_t code, const char *fmt, ...)
{
    if (!ctx)
        return code;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&ctx->lock);
    rig_vfmt(ctx->last_error, sizeof(ctx->last_error), fmt, ap);
    pthread_mutex_unlock(&ctx->lock);
    va_end(ap);
    return code;
}

const char *rig_context_last_error(rig_context_t *ctx, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!ctx)
        return buf;
    pthread_mutex_lock(&ctx->lock);
    rig_strlcpy(buf, ctx->last_error, len);
    pthread_mutex_unlock(&ctx->lock);
    return buf;
}

rig_error_t rig_context_create(const rig_context_options_t *opts_in, rig_context_t **out)
{
    if (!out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    rig_context_options_t opts;
    if (opts_in)
        opts = *opts_in;
    else
        rig_context_options_init(&opts);
    const char *name = opts.backend ? opts.backend : "sim";
    const rig_backend_ops_t *ops = NULL;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(backends); i++)
        if (strcmp(backends[i]->name, name) == 0)
            ops = backends[i];
    if (!ops)
        return RIG_ERROR_NOT_FOUND;
    if (opts.queue_capacity == 0)
        opts.queue_capacity = DEFAULT_QUEUE_CAPACITY;

    rig_context_t *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return RIG_ERROR_NO_MEMORY;
    ctx->queue = calloc(opts.queue_capacity, sizeof(*ctx->queue));
    if (!ctx->queue) {
        free(ctx);
        return RIG_ERROR_NO_MEMORY;
    }
    ctx->queue_cap = opts.queue_capacity;
    ctx->ops = ops;
    ctx->time_mode = opts.time_mode;
    ctx->manual_recovery = opts.manual_recovery;
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_mutex_init(&ctx->serials_lock, NULL);
    rig_cond_init_monotonic(&ctx->frame_ready);
    pthread_cond_init(&ctx->recovery_done, NULL);

    rig_error_t err = ops->create(ctx, &opts, &ctx->be);
    if (err != RIG_OK) {
        /* The context dies here, so its detail is handed over through the options. */
        if (opts.error_detail && opts.error_detail_len)
            rig_strlcpy(opts.error_detail, ctx->last_error, opts.error_detail_len);
        rig_context_destroy(ctx);
        return err;
    }
    *out = ctx;
    return RIG_OK;
}

/* Contexts whose callbacks this thread is inside of, innermost last (deeper nesting is only
 * counted: then every context is taken as "inside", the safe side). */
#define CALLBACK_NEST_MAX 8
static _Thread_local const rig_context_t *callback_ctx[CALLBACK_NEST_MAX];
static _Thread_local unsigned callback_depth;

void rig_ctx_callback_enter(rig_context_t *ctx)
{
    if (callback_depth < CALLBACK_NEST_MAX)
        callback_ctx[callback_depth] = ctx;
    callback_depth++;
}

void rig_ctx_callback_leave(rig_context_t *ctx)
{
    (void)ctx;
    if (callback_depth > 0)
        callback_depth--;
}

bool rig_ctx_in_callback(const rig_context_t *ctx)
{
    if (callback_depth > CALLBACK_NEST_MAX)
        return true;
    for (unsigned i = 0; i < callback_depth; i++)
        if (callback_ctx[i] == ctx)
            return true;
    return false;
}

rig_error_t rig_context_destroy(rig_context_t *ctx)
{
    if (!ctx)
        return RIG_OK;
    if (rig_ctx_in_callback(ctx))
        return rig_context_set_error(ctx, RIG_ERROR_STATE,
                                     "rig_context_destroy was called from inside one of the "
                                     "context's callbacks; destroy it after the callback returned");
    while (ctx->devices)
        rig_device_close(ctx->devices);
    if (ctx->be)
        ctx->ops->destroy(ctx->be);
    rig_ctx_framesets_free(ctx);
    for (size_t i = 0; i < ctx->queue_len; i++)
        rig_frame_release(ctx->queue[(ctx->queue_head + i) % ctx->queue_cap]);
    free(ctx->queue);
    free(ctx->by_index);
    free(ctx->infos);
    rig_serial_index_destroy(ctx->serial_index);
    pthread_cond_destroy(&ctx->frame_ready);
    pthread_mutex_destroy(&ctx->serials_lock);
    pthread_cond_destroy(&ctx->recovery_done);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
    return RIG_OK;
}

const char *rig_context_backend_name(const rig_context_t *ctx)
{
    return ctx ? ctx->ops->name : "";
}

void *rig_context_backend_state(rig_context_t *ctx, const rig_backend_ops_t *ops)
{
    return (ctx && ctx->ops == ops) ? ctx->be : NULL;
}

rig_error_t rig_context_device_count(rig_context_t *ctx, size_t *count)
{
    if (!ctx || !count)
        return RIG_ERROR_INVALID_ARGUMENT;
    return ctx->ops->device_count(ctx->be, count);
}

rig_error_t rig_context_device_info(rig_context_t *ctx, size_t index, rig_device_info_t *out)
{
    if (!ctx || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    return ctx->ops->device_info(ctx->be, index, out);
}

/* Takes the backend's device list again (serials_lock held); false when out of memory. */
static bool retake_infos(rig_context_t *ctx, size_t n)
{
    rig_serial_index_destroy(ctx->serial_index); /* the list may have moved in place */
    ctx->serial_index = NULL;
    rig_device_info_t *infos = realloc(ctx->infos, (n ? n : 1) * sizeof(*infos));
    if (!infos) {
        free(ctx->infos);
        ctx->infos = NULL;
        ctx->ninfos = 0;
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (ctx->ops->device_info(ctx->be, i, &infos[i]) != RIG_OK)
            memset(&infos[i], 0, sizeof(infos[i]));
    ctx->infos = infos;
    ctx->ninfos = n;
    ctx->serial_index = rig_serial_index_create();
    return true;
}

/* The backend's info on the device with that serial. Asking the backend for every device at
 * each open made opening n devices O(n^2); a snapshot of the list indexed by serial answers in
 * O(1) and is taken again when it no longer matches (a device came, went or was replaced). */
static bool backend_info(rig_context_t *ctx, const char *serial, rig_device_info_t *out)
{
    bool found = false;
    pthread_mutex_lock(&ctx->serials_lock);
    for (int attempt = 0; attempt < 2 && !found; attempt++) {
        size_t n = 0;
        if (ctx->ops->device_count(ctx->be, &n) != RIG_OK)
            break;
        if ((attempt > 0 || n != ctx->ninfos || !ctx->infos) && !retake_infos(ctx, n))
            break;
        int i = rig_serial_index_find(ctx->serial_index, ctx->infos, ctx->ninfos,
                                      sizeof(*ctx->infos), offsetof(rig_device_info_t, serial),
                                      serial);
        found = i >= 0 && ctx->ops->device_info(ctx->be, (size_t)i, out) == RIG_OK &&
                strcmp(out->serial, serial) == 0;
    }
    pthread_mutex_unlock(&ctx->serials_lock);
    return found;
}

rig_error_t rig_ctx_device_register(rig_context_t *ctx, const char *serial, void *be_dev,
                                    size_t index, rig_device_t **out)
{
    rig_device_t *dev = calloc(1, sizeof(*dev));
    if (!dev) {
        if (be_dev)
            ctx->ops->close(ctx->be, be_dev);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory opening %s",
                                     serial);
    }
    dev->index = index;
    dev->be_dev = be_dev;
    dev->present = be_dev != NULL;
    dev->ctx = ctx;
    rig_strlcpy(dev->info.serial, serial, sizeof(dev->info.serial));
    rig_device_info_t info;
    if (be_dev && backend_info(ctx, serial, &info))
        dev->info = info;
    rig_clock_params_t cp;
    rig_clock_params_default(&cp);
    if (dev->info.timestamp_bits == 32)
        cp.timestamp_bits = 32;
    dev->clock = rig_clock_create(&cp);
    pthread_mutex_lock(&ctx->lock);
    bool ok = dev->clock != NULL && ctx->next_device_index == index;
    if (ok && dev->index >= ctx->by_index_cap) {
        size_t cap = ctx->by_index_cap ? ctx->by_index_cap * 2 : 8;
        while (cap <= dev->index)
            cap *= 2;
        rig_device_t **v = realloc(ctx->by_index, cap * sizeof(*v));
        ok = v != NULL;
        if (ok) {
            memset(v + ctx->by_index_cap, 0, (cap - ctx->by_index_cap) * sizeof(*v));
            ctx->by_index = v;
            ctx->by_index_cap = cap;
        }
    }
    if (ok) {
        ctx->by_index[dev->index] = dev;
        ctx->next_device_index++;
        dev->next = ctx->devices;
        dev->prev = NULL;
        if (ctx->devices)
            ctx->devices->prev = dev;
        ctx->devices = dev;
        dev->epochs_expected = rig_clock_epochs(dev->clock);
    }
    pthread_mutex_unlock(&ctx->lock);
    if (!ok) {
        if (be_dev)
            ctx->ops->close(ctx->be, be_dev);
        rig_clock_destroy(dev->clock);
        free(dev);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory opening %s",
                                     serial);
    }
    *out = dev;
    return RIG_OK;
}

rig_error_t rig_device_open(rig_context_t *ctx, const char *serial, rig_device_t **out)
{
    if (!ctx || !serial || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    pthread_mutex_lock(&ctx->lock);
    size_t index = ctx->next_device_index;
    pthread_mutex_unlock(&ctx->lock);
    void *be_dev = NULL;
    rig_error_t err = ctx->ops->open(ctx->be, serial, index, &be_dev);
    if (err != RIG_OK)
        return err;
    /* The index is only consumed on success so that device numbers stay dense. Opening is
     * serialised by the caller's config order, which is what makes the number meaningful. */
    return rig_ctx_device_register(ctx, serial, be_dev, index, out);
}

void rig_device_close(rig_device_t *dev)
{
    if (!dev)
        return;
    rig_context_t *ctx = dev->ctx;
    pthread_mutex_lock(&ctx->lock);
    /* A recovery on the backend's thread holds device pointers: let it finish first. */
    while (ctx->recovering && !pthread_equal(ctx->recovery_thread, pthread_self()))
        pthread_cond_wait(&ctx->recovery_done, &ctx->lock);
    if (dev->prev)
        dev->prev->next = dev->next;
    else if (ctx->devices == dev)
        ctx->devices = dev->next;
    if (dev->next)
        dev->next->prev = dev->prev;
    void *be = dev->be_dev;
    dev->be_dev = NULL;
    dev->present = false;
    pthread_mutex_unlock(&ctx->lock);
    if (be)
        ctx->ops->close(ctx->be, be);
    /* Closed in the backend first, so that nothing more is delivered for it. */
    pthread_mutex_lock(&ctx->lock);
    ctx->by_index[dev->index] = NULL;
    rig_clock_destroy(dev->clock);
    pthread_mutex_unlock(&ctx->lock);
    free(dev);
}

rig_error_t rig_device_get_info(const rig_device_t *dev, rig_device_info_t *out)
{
    if (!dev || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = dev->info;
    return RIG_OK;
}

size_t rig_device_index(const rig_device_t *dev) { return dev ? dev->index : 0; }

rig_error_t rig_device_get_sync_config(rig_device_t *dev, rig_sync_config_t *out)
{
    if (!dev || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    void *be = rig_ctx_device_handle(dev);
    if (!be)
        return rig_ctx_absent_error(dev, "its sync config cannot be read");
    return dev->ctx->ops->get_sync(dev->ctx->be, be, out);
}

rig_error_t rig_device_check_sync_config(rig_device_t *dev, const rig_sync_config_t *cfg)
{
    if (!dev || !cfg)
        return RIG_ERROR_INVALID_ARGUMENT;
    const char *name = rig_sync_mode_name(cfg->mode);
    if (!name)
        return rig_context_set_error(dev->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "0x%X is not a sync mode; use one of %s", (unsigned)cfg->mode,
                                     rig_mode_all_names());
    /* Physical ranges (the config's table): a delay beyond a second or a burst of more than
     * 1000 frames per trigger is no camera's. */
    const struct {
        const char *field;
        int64_t value;
        rig_range_id_t range;
    } values[] = {
        {"depth_delay_us", cfg->depth_delay_us, RIG_RANGE_DELAY_US},
        {"color_delay_us", cfg->color_delay_us, RIG_RANGE_DELAY_US},
        {"trigger_to_image_delay_us", cfg->trigger_to_image_delay_us, RIG_RANGE_DELAY_US},
        {"trigger_out_delay_us", cfg->trigger_out_delay_us, RIG_RANGE_DELAY_US},
        {"frames_per_trigger", cfg->frames_per_trigger, RIG_RANGE_FRAMES_PER_TRIGGER},
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        const rig_range_t *range = rig_range_get(values[i].range);
        if (!rig_range_int_ok(range, values[i].value)) {
            char want[256];
            rig_range_describe(range, want, sizeof(want));
            return rig_context_set_error(dev->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                         "%s %lld is outside %s", values[i].field,
                                         (long long)values[i].value, want);
        }
    }
    if (!rig_device_present(dev))
        return RIG_OK; /* its model is known when it arrives: checked then */
    /* Checked here, for every backend, from the bitmap the device reports: real hardware
     * rejects such a write with a far less helpful message. */
    if (!(dev->info.supported_modes & (uint32_t)cfg->mode)) {
        char modes[256];
        rig_mode_bitmap_format(dev->info.supported_modes, modes, sizeof(modes));
        return rig_context_set_error(dev->ctx, RIG_ERROR_UNSUPPORTED,
                                     "device %s (%s) does not support mode %s; it supports %s",
                                     dev->info.serial, dev->info.model, name, modes);
    }
    return RIG_OK;
}

rig_error_t rig_device_set_sync_config(rig_device_t *dev, const rig_sync_config_t *cfg,
                                       bool *written)
{
    if (written)
        *written = false;
    if (!dev || !cfg)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_context_t *ctx = dev->ctx;
    if (dev->streaming)
        return rig_context_set_error(ctx, RIG_ERROR_STATE,
                                     "device %s is streaming; stop it before changing its sync "
                                     "config",
                                     dev->info.serial);
    rig_error_t err = rig_device_check_sync_config(dev, cfg);
    if (err != RIG_OK)
        return err;
    void *be = rig_ctx_device_handle(dev);
    if (be) {
        rig_sync_config_t current;
        err = ctx->ops->get_sync(ctx->be, be, &current);
        if (err != RIG_OK)
            return err;
        /* Some models keep the sync config in flash: rewriting an identical one only wears it. */
        if (!rig_sync_config_equal(&current, cfg)) {
            err = ctx->ops->set_sync(ctx->be, be, cfg);
            if (err == RIG_OK && written)
                *written = true;
        }
    }
    if (err == RIG_OK) {
        /* Remembered (also for a device not here yet): verified and re-applied on return. */
        pthread_mutex_lock(&ctx->lock);
        dev->want_sync = *cfg;
        dev->want_sync_set = true;
        pthread_mutex_unlock(&ctx->lock);
    }
    return err;
}

rig_error_t rig_device_start(rig_device_t *dev, const rig_stream_profile_t *color,
                             const rig_stream_profile_t *depth)
{
    if (!dev)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_context_t *ctx = dev->ctx;
    if (dev->streaming)
        return rig_context_set_error(ctx, RIG_ERROR_STATE, "device %s is already streaming",
                                     dev->info.serial);
    rig_stream_profile_t p[RIG_STREAM_COUNT];
    const rig_stream_profile_t *given[RIG_STREAM_COUNT] = {color, depth};
    void *be = rig_ctx_device_handle(dev);
    if (!be) {
        /* Not here (yet): started when it arrives, with these profiles or its defaults. */
        pthread_mutex_lock(&ctx->lock);
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            dev->profile_given[s] = given[s] != NULL;
            if (given[s])
                dev->profiles[s] = *given[s];
        }
        dev->want_streaming = true;
        pthread_mutex_unlock(&ctx->lock);
        dev->streaming = true;
        return RIG_OK;
    }
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        if (given[s]) {
            p[s] = *given[s];
            continue;
        }
        rig_error_t err = ctx->ops->default_profile(ctx->be, be, (rig_stream_t)s, &p[s]);
        if (err != RIG_OK)
            return err;
    }
    /* Before the first frame can arrive: what the backend knows of the latency floors. */
    for (int s = 0; ctx->ops->latency_floor && s < RIG_STREAM_COUNT; s++) {
        int64_t floor_us, uncertainty_us;
        if (ctx->ops->latency_floor(ctx->be, be, (rig_stream_t)s, &floor_us,
                                    &uncertainty_us) == RIG_OK) {
            pthread_mutex_lock(&ctx->lock);
            rig_clock_set_floor_hint(dev->clock, (unsigned)s, floor_us, uncertainty_us);
            pthread_mutex_unlock(&ctx->lock);
        }
    }
    /* Its slots join the framesets before its first frame can arrive. */
    rig_ctx_framesets_device_starting(ctx, dev, p);
    rig_error_t err = ctx->ops->start(ctx->be, be, p);
    if (err == RIG_OK) {
        dev->streaming = true;
        pthread_mutex_lock(&ctx->lock);
        memcpy(dev->profiles, p, sizeof(dev->profiles));
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            dev->profile_given[s] = given[s] != NULL;
        dev->want_streaming = true;
        pthread_mutex_unlock(&ctx->lock);
    } else {
        rig_ctx_framesets_start_failed(ctx, dev);
    }
    return err;
}

rig_error_t rig_device_stream_facts(rig_device_t *dev, rig_stream_t stream,
                                    rig_stream_profile_t *profile, bool *floor_known,
                                    int64_t *floor_us, int64_t *uncertainty_us)
{
    if (!dev || (int)stream < 0 || stream >= RIG_STREAM_COUNT || !profile || !floor_known ||
        !floor_us || !uncertainty_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_context_t *ctx = dev->ctx;
    pthread_mutex_lock(&ctx->lock);
    *profile = dev->profiles[stream];
    void *be = dev->be_dev;
    pthread_mutex_unlock(&ctx->lock);
    *floor_known = be && ctx->ops->latency_floor &&
                   ctx->ops->latency_floor(ctx->be, be, stream, floor_us, uncertainty_us) ==
                       RIG_OK;
    return RIG_OK;
}

rig_error_t rig_device_stop(rig_device_t *dev)
{
    if (!dev)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&dev->ctx->lock);
    dev->want_streaming = false;
    void *be = dev->be_dev;
    pthread_mutex_unlock(&dev->ctx->lock);
    rig_error_t err = be ? dev->ctx->ops->stop(dev->ctx->be, be) : RIG_OK;
    if (err == RIG_OK || err == RIG_ERROR_NOT_FOUND)
        dev->streaming = false;
    return err == RIG_ERROR_NOT_FOUND ? RIG_OK : err;
}

rig_error_t rig_device_trigger(rig_device_t *dev)
{
    if (!dev)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!dev->ctx->ops->trigger)
        return rig_context_set_error(dev->ctx, RIG_ERROR_UNSUPPORTED,
                                     "backend %s has no software trigger", dev->ctx->ops->name);
    void *be = rig_ctx_device_handle(dev);
    if (!be)
        return rig_ctx_absent_error(dev, "it cannot be triggered");
    return dev->ctx->ops->trigger(dev->ctx->be, be);
}

rig_error_t rig_context_enable_clock_sync(rig_context_t *ctx, uint64_t repeat_interval_ms)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    const rig_range_t *range = rig_range_get(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS);
    if (repeat_interval_ms > (uint64_t)INT64_MAX ||
        !rig_range_int_ok(range, (int64_t)repeat_interval_ms)) {
        char want[256];
        rig_range_describe(range, want, sizeof(want));
        return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "clock sync interval %llu ms is outside %s",
                                     (unsigned long long)repeat_interval_ms, want);
    }
    if (!ctx->ops->enable_clock_sync)
        return rig_context_set_error(ctx, RIG_ERROR_UNSUPPORTED,
                                     "backend %s cannot sync device clocks", ctx->ops->name);
    rig_error_t err = ctx->ops->enable_clock_sync(ctx->be, repeat_interval_ms);
    if (err == RIG_OK) {
        pthread_mutex_lock(&ctx->lock);
        ctx->clock_sync_on = true;
        ctx->clock_sync_interval_ms = repeat_interval_ms;
        pthread_mutex_unlock(&ctx->lock);
    }
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* Frame delivery                                                                             */

rig_error_t rig_context_set_frame_callback(rig_context_t *ctx, rig_frame_cb cb, void *user)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    ctx->cb = cb;
    ctx->cb_user = user;
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
}

rig_device_t *rig_ctx_device_at_locked(rig_context_t *ctx, size_t index)
{
    return index < ctx->by_index_cap ? ctx->by_index[index] : NULL;
}

static void deliver_clock_event(rig_context_t *ctx, const rig_clock_event_t *ev)
{
    pthread_mutex_lock(&ctx->lock);
    rig_device_t *dev = rig_ctx_device_at_locked(ctx, ev->device_index);
    rig_device_event_t jump;
    int jumps = 0;
    if (dev && ev->kind == RIG_CLOCK_EVENT_TWO_WAY) {
        rig_clock_add_two_way(dev->clock, ev->host_before_us, ev->device_us, ev->host_after_us);
        jumps = rig_ctx_clock_checked_locked(dev, false, ev->host_after_us, &jump);
    } else if (dev) {
        rig_clock_note_step(dev->clock, ev->host_before_us);
        rig_ctx_clock_checked_locked(dev, true, ev->host_before_us, &jump);
    }
    rig_clock_event_cb cb = ctx->clock_cb;
    void *user = ctx->clock_cb_user;
    pthread_mutex_unlock(&ctx->lock);
    if (cb) {
        rig_ctx_callback_enter(ctx);
        cb(ev, user);
        rig_ctx_callback_leave(ctx);
    }
    if (jumps)
        rig_ctx_emit_event(ctx, &jump);
}

void rig_context_deliver_time_sample(rig_context_t *ctx, size_t dev_index, int64_t host_before_us,
                                     int64_t device_us, int64_t host_after_us)
{
    rig_clock_event_t ev = {RIG_CLOCK_EVENT_TWO_WAY, dev_index, host_before_us, device_us,
                            host_after_us};
    deliver_clock_event(ctx, &ev);
}

void rig_context_deliver_clock_write(rig_context_t *ctx, size_t dev_index, int64_t host_us)
{
    rig_clock_event_t ev = {RIG_CLOCK_EVENT_WRITE, dev_index, host_us, 0, 0};
    deliver_clock_event(ctx, &ev);
}

rig_error_t rig_context_set_clock_event_callback(rig_context_t *ctx, rig_clock_event_cb cb,
                                                 void *user)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    ctx->clock_cb = cb;
    ctx->clock_cb_user = user;
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
}

rig_error_t rig_context_set_device_event_callback(rig_context_t *ctx, rig_device_event_cb cb,
                                                  void *user)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    ctx->device_event_cb = cb;
    ctx->device_event_cb_user = user;
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
}

rig_error_t rig_device_clock_estimate(rig_device_t *dev, double *skew_ppm, unsigned *epochs)
{
    if (!dev)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&dev->ctx->lock);
    if (skew_ppm)
        *skew_ppm = rig_clock_skew_ppm(dev->clock);
    if (epochs)
        *epochs = rig_clock_epochs(dev->clock);
    pthread_mutex_unlock(&dev->ctx->lock);
    return RIG_OK;
}

void rig_context_deliver_frame(rig_context_t *ctx, rig_frame_t *frame)
{
    pthread_mutex_lock(&ctx->lock);
    rig_device_t *dev = rig_ctx_device_at_locked(ctx, frame->device_index);
    int64_t global, bound;
    rig_device_event_t fault;
    int faults = 0;
    if (dev) {
        rig_ctx_frame_index_locked(dev, frame); /* numbering goes on across returns */
        bool mapped = rig_clock_frame(dev->clock, (unsigned)frame->stream, frame->index,
                                      frame->device_ts_us, frame->host_ts_us, &global, &bound);
        if (mapped) {
            frame->global_ts_us = global;
            frame->global_bound_us = bound;
        }
        faults = rig_ctx_frame_checked_locked(dev, frame, mapped, &fault);
    }
    if (faults) {
        /* Told before the frame, in order with the frames. */
        pthread_mutex_unlock(&ctx->lock);
        rig_ctx_emit_event(ctx, &fault);
        pthread_mutex_lock(&ctx->lock);
    }
    rig_frame_cb cb = ctx->cb;
    void *user = ctx->cb_user;
    if (ctx->matcher) {
        /* The matcher keeps its own reference; what it emits goes out after unlocking. */
        rig_ctx_match_frame_locked(ctx, frame);
        pthread_mutex_unlock(&ctx->lock);
        if (cb) {
            rig_ctx_callback_enter(ctx);
            cb(frame, user);
            rig_ctx_callback_leave(ctx);
        }
        rig_frame_release(frame);
        rig_ctx_flush_out(ctx);
        return;
    }
    if (cb) {
        /* Called unlocked: the callback may use the API (trigger, read errors, ...). */
        pthread_mutex_unlock(&ctx->lock);
        rig_ctx_callback_enter(ctx);
        cb(frame, user);
        rig_ctx_callback_leave(ctx);
        rig_frame_release(frame);
        return;
    }
    rig_frame_t *evicted = NULL;
    if (ctx->queue_len == ctx->queue_cap) {
        evicted = ctx->queue[ctx->queue_head];
        ctx->queue_head = (ctx->queue_head + 1) % ctx->queue_cap;
        ctx->queue_len--;
        ctx->queue_drops++;
    }
    ctx->queue[(ctx->queue_head + ctx->queue_len) % ctx->queue_cap] = frame;
    ctx->queue_len++;
    pthread_cond_signal(&ctx->frame_ready);
    pthread_mutex_unlock(&ctx->lock);
    rig_frame_release(evicted);
}

static rig_frame_t *queue_pop_locked(rig_context_t *ctx)
{
    if (ctx->queue_len == 0)
        return NULL;
    rig_frame_t *f = ctx->queue[ctx->queue_head];
    ctx->queue_head = (ctx->queue_head + 1) % ctx->queue_cap;
    ctx->queue_len--;
    return f;
}

static bool queue_nonempty(void *arg)
{
    rig_context_t *ctx = arg;
    pthread_mutex_lock(&ctx->lock);
    bool r = ctx->queue_len > 0;
    pthread_mutex_unlock(&ctx->lock);
    return r;
}

/* Waits until has(ctx) or the timeout, then takes one item with pop_locked (NULL if none).
 * Virtual time: the backend runs on this thread until then. Real time: the wall clock. */
void *rig_ctx_wait_for(rig_context_t *ctx, uint32_t timeout_ms, bool (*has)(void *),
                      void *(*pop_locked)(rig_context_t *), rig_error_t *err)
{
    *err = RIG_OK;
    if (ctx->ops->advance && ctx->time_mode == RIG_TIME_VIRTUAL) {
        if (!has(ctx)) {
            /* A 0 timeout still lets 1 ms pass: a polling loop must make progress. */
            int64_t us = timeout_ms ? (int64_t)timeout_ms * 1000 : 1000;
            rig_error_t e = ctx->ops->advance(ctx->be, us, has, ctx);
            if (e != RIG_OK && e != RIG_ERROR_TIMEOUT) {
                *err = e;
                return NULL;
            }
        }
        pthread_mutex_lock(&ctx->lock);
        void *item = pop_locked(ctx);
        pthread_mutex_unlock(&ctx->lock);
        return item;
    }
    struct timespec deadline;
    rig_deadline_after_ms(&deadline, timeout_ms);
    pthread_mutex_lock(&ctx->lock);
    void *item;
    while (!(item = pop_locked(ctx))) {
        if (pthread_cond_timedwait(&ctx->frame_ready, &ctx->lock, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&ctx->lock);
    return item;
}

static void *frame_pop_locked(rig_context_t *ctx) { return queue_pop_locked(ctx); }

rig_error_t rig_context_wait_frame(rig_context_t *ctx, uint32_t timeout_ms, rig_frame_t **out)
{
    if (!ctx || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err;
    *out = rig_ctx_wait_for(ctx, timeout_ms, queue_nonempty, frame_pop_locked, &err);
    return err != RIG_OK ? err : *out ? RIG_OK : RIG_ERROR_TIMEOUT;
}

uint64_t rig_context_queue_drops(rig_context_t *ctx)
{
    if (!ctx)
        return 0;
    pthread_mutex_lock(&ctx->lock);
    uint64_t d = ctx->queue_drops;
    pthread_mutex_unlock(&ctx->lock);
    return d;
}

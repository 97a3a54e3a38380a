/*
 * Devices that leave and return: the core notices a device gone (the backend's GONE notice) and
 * back (an arrival by serial), re-opens it under the same number, verifies and re-applies its
 * sync config, restarts its streams in the right order and starts a new clock epoch; devices
 * expected but absent at the start join the same way when they arrive. Also the clock faults the
 * core sees in the stream of frames and samples: a jump of the device clock that rigsync did not
 * cause, and frames whose timestamps contradict the device clock.
 *
 * Where it runs: on the thread that delivers the backend's notice, never under a backend lock
 * (see core.h). Everything the user sees is a device event, in order with the frames.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/context_internal.h"
#include "mode/mode.h"

/* At the start, after a return and after each clock write of rigsync's, how long the estimator
 * may take to locate the device's clock (frames start 0.2-0.3 s after a start; a few two-way
 * reads and frames follow): what it re-locates meanwhile is not reported as a jump. */
#define LOCATING_US 1000000

void rig_ctx_emit_event(rig_context_t *ctx, const rig_device_event_t *ev)
{
    pthread_mutex_lock(&ctx->lock);
    rig_device_event_cb cb = ctx->device_event_cb;
    void *user = ctx->device_event_cb_user;
    pthread_mutex_unlock(&ctx->lock);
    if (cb) {
        rig_ctx_callback_enter(ctx);
        cb(ev, user);
        rig_ctx_callback_leave(ctx);
    }
}

static void emit(rig_context_t *ctx, rig_device_t *dev, size_t index, const char *serial,
                 rig_device_event_kind_t kind, int64_t host_us, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void emit(rig_context_t *ctx, rig_device_t *dev, size_t index, const char *serial,
                 rig_device_event_kind_t kind, int64_t host_us, const char *fmt, ...)
{
    rig_device_event_t ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.device_index = dev ? dev->index : index;
    ev.host_ts_us = host_us;
    rig_strlcpy(ev.serial, dev ? dev->info.serial : serial ? serial : "", sizeof(ev.serial));
    va_list ap;
    va_start(ap, fmt);
    rig_vfmt(ev.detail, sizeof(ev.detail), fmt, ap);
    va_end(ap);
    rig_ctx_emit_event(ctx, &ev);
}

void *rig_ctx_device_handle(rig_device_t *dev)
{
    pthread_mutex_lock(&dev->ctx->lock);
    void *h = dev->be_dev;
    pthread_mutex_unlock(&dev->ctx->lock);
    return h;
}

bool rig_device_present(const rig_device_t *dev)
{
    if (!dev)
        return false;
    pthread_mutex_lock(&dev->ctx->lock);
    bool p = dev->present;
    pthread_mutex_unlock(&dev->ctx->lock);
    return p;
}

rig_error_t rig_ctx_absent_error(rig_device_t *dev, const char *what)
{
    return rig_context_set_error(dev->ctx, RIG_ERROR_NOT_FOUND,
                                 "device %s is not present (%s); it is re-opened when it is back",
                                 dev->info.serial, what);
}

rig_error_t rig_device_open_expected(rig_context_t *ctx, const char *serial, rig_device_t **out)
{
    if (!ctx || !serial || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = rig_device_open(ctx, serial, out);
    if (err != RIG_ERROR_NOT_FOUND)
        return err;
    pthread_mutex_lock(&ctx->lock);
    size_t index = ctx->next_device_index;
    pthread_mutex_unlock(&ctx->lock);
    err = rig_ctx_device_register(ctx, serial, NULL, index, out);
    if (err == RIG_OK)
        (*out)->expected = true;
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* Gone                                                                                       */

void rig_context_deliver_device_event(rig_context_t *ctx, size_t dev_index,
                                      rig_device_event_kind_t kind, int64_t host_us,
                                      const char *detail)
{
    pthread_mutex_lock(&ctx->lock);
    rig_device_t *dev = rig_ctx_device_at_locked(ctx, dev_index);
    void *dead = NULL;
    char serial[64] = "";
    if (dev) {
        rig_strlcpy(serial, dev->info.serial, sizeof(serial));
        if (kind == RIG_DEVICE_EVENT_GONE && dev->present) {
            dead = dev->be_dev;
            dev->be_dev = NULL;
            dev->present = false;
            /* Its frame counters restart when it returns: numbering goes on from here. */
            for (int s = 0; s < RIG_STREAM_COUNT; s++)
                dev->index_base[s] = dev->next_index[s];
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    if (dead)
        ctx->ops->close(ctx->be, dead); /* the handle is dead: release it */
    if (kind == RIG_DEVICE_EVENT_GONE && dev)
        emit(ctx, NULL, dev_index, serial, kind, host_us,
             "%s; its slots stay empty (SILENT) until it is back", detail ? detail : "gone");
    else
        emit(ctx, NULL, dev_index, serial, kind, host_us, "%s", detail ? detail : "");
}

/* ------------------------------------------------------------------------------------------ */
/* Back                                                                                       */

/* Re-opens dev and re-applies its config; true when its streams are to be started. */
static bool reopen(rig_context_t *ctx, rig_device_t *dev, int64_t host_us)
{
    const char *serial = dev->info.serial;
    bool first = dev->expected;
    void *be = NULL;
    rig_error_t err = ctx->ops->open(ctx->be, serial, dev->index, &be);
    if (err != RIG_OK) {
        char why[256];
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RECOVERY_FAILED, host_us,
             "it appeared but could not be opened: %s",
             rig_context_last_error(ctx, why, sizeof(why)));
        return false;
    }
    rig_device_info_t info = dev->info;
    size_t n = 0;
    if (ctx->ops->device_count(ctx->be, &n) == RIG_OK)
        for (size_t i = 0; i < n; i++) {
            rig_device_info_t di;
            if (ctx->ops->device_info(ctx->be, i, &di) == RIG_OK && strcmp(di.serial, serial) == 0)
                info = di;
        }
    pthread_mutex_lock(&ctx->lock);
    dev->info = info;
    dev->be_dev = be;
    dev->present = true;
    dev->expected = false;
    rig_clock_note_reset(dev->clock, host_us);
    dev->epochs_expected = rig_clock_epochs(dev->clock);
    dev->locating_until_us = host_us + LOCATING_US;
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        dev->unmapped[s] = 0;
    bool want_sync = dev->want_sync_set;
    rig_sync_config_t want = dev->want_sync;
    bool streams = dev->want_streaming;
    pthread_mutex_unlock(&ctx->lock);
    if (info.timestamp_bits == 32 && first) {
        /* Known only now: the clock was made for a 64-bit counter. */
        rig_clock_params_t cp;
        rig_clock_params_default(&cp);
        cp.timestamp_bits = 32;
        rig_clock_t *c = rig_clock_create(&cp);
        if (c) {
            pthread_mutex_lock(&ctx->lock);
            rig_clock_destroy(dev->clock);
            dev->clock = c;
            dev->epochs_expected = rig_clock_epochs(c);
            pthread_mutex_unlock(&ctx->lock);
        }
    }
    if (first)
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_ARRIVED, host_us,
             "a configured device appeared after the start (%s); opened as device#%zu", info.model,
             dev->index);
    else
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_BACK, host_us,
             "on the bus again; re-opened as device#%zu, its clock restarted: a new clock epoch",
             dev->index);
    if (!want_sync)
        return streams;
    if (!(info.supported_modes & (uint32_t)want.mode)) {
        char modes[256];
        rig_mode_bitmap_format(info.supported_modes, modes, sizeof(modes));
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RECOVERY_FAILED, host_us,
             "its model %s lacks mode %s (it has %s): left stopped", info.model,
             rig_sync_mode_name(want.mode), modes);
        return false;
    }
    rig_sync_config_t now;
    err = ctx->ops->get_sync(ctx->be, be, &now);
    if (err == RIG_OK && rig_sync_config_equal(&now, &want))
        return streams; /* kept (flash): nothing to write */
    if (err == RIG_OK && !first) {
        rig_sync_config_t def = rig_sync_config_default();
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_REBOOTED, host_us,
             "its sync config came back as %s%s, not the %s it was given",
             rig_sync_mode_name(now.mode), rig_sync_config_equal(&now, &def) ? " (the defaults)" : "",
             rig_sync_mode_name(want.mode));
    }
    if (err == RIG_OK)
        err = ctx->ops->set_sync(ctx->be, be, &want);
    if (err != RIG_OK) {
        char why[256];
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RECOVERY_FAILED, host_us,
             "its sync config could not be written: %s",
             rig_context_last_error(ctx, why, sizeof(why)));
        return false;
    }
    emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RECONFIGURED, host_us,
         "sync config written%s: %s, trigger out %s", first ? "" : " again",
         rig_sync_mode_name(want.mode), want.trigger_out_enable ? "on" : "off");
    return streams;
}

static void restart(rig_context_t *ctx, rig_device_t *dev, bool first, int64_t host_us)
{
    void *be = rig_ctx_device_handle(dev);
    rig_stream_profile_t p[RIG_STREAM_COUNT];
    pthread_mutex_lock(&ctx->lock);
    memcpy(p, dev->profiles, sizeof(p));
    bool given[RIG_STREAM_COUNT];
    memcpy(given, dev->profile_given, sizeof(given));
    pthread_mutex_unlock(&ctx->lock);
    rig_error_t err = RIG_OK;
    for (int s = 0; s < RIG_STREAM_COUNT && err == RIG_OK; s++)
        if (!given[s])
            err = ctx->ops->default_profile(ctx->be, be, (rig_stream_t)s, &p[s]);
    for (int s = 0; err == RIG_OK && ctx->ops->latency_floor && s < RIG_STREAM_COUNT; s++) {
        int64_t floor_us, unc_us;
        if (ctx->ops->latency_floor(ctx->be, be, (rig_stream_t)s, &floor_us, &unc_us) == RIG_OK) {
            pthread_mutex_lock(&ctx->lock);
            rig_clock_set_floor_hint(dev->clock, (unsigned)s, floor_us, unc_us);
            pthread_mutex_unlock(&ctx->lock);
        }
    }
    if (err == RIG_OK) {
        /* Its slots (back in) the framesets before its first frame can arrive. */
        rig_ctx_framesets_device_starting(ctx, dev, p);
        err = ctx->ops->start(ctx->be, be, p);
        if (err != RIG_OK)
            rig_ctx_framesets_start_failed(ctx, dev);
    }
    if (err != RIG_OK) {
        char why[256];
        emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RECOVERY_FAILED, host_us,
             "its streams could not be started: %s",
             rig_context_last_error(ctx, why, sizeof(why)));
        return;
    }
    pthread_mutex_lock(&ctx->lock);
    memcpy(dev->profiles, p, sizeof(p));
    pthread_mutex_unlock(&ctx->lock);
    emit(ctx, dev, 0, NULL, RIG_DEVICE_EVENT_RESTARTED, host_us,
         "streams %s: color %ux%u@%u, depth %ux%u@%u; its frames join the framesets%s",
         first ? "started" : "started again", p[RIG_STREAM_COLOR].width,
         p[RIG_STREAM_COLOR].height, p[RIG_STREAM_COLOR].fps, p[RIG_STREAM_DEPTH].width,
         p[RIG_STREAM_DEPTH].height, p[RIG_STREAM_DEPTH].fps, first ? "" : " again");
}

void rig_context_deliver_device_arrivals(rig_context_t *ctx, const char *const *serials,
                                         size_t count, int64_t host_us)
{
    if (!ctx || !serials || count == 0)
        return;
    rig_device_t **back = calloc(count, sizeof(*back));
    bool *first = calloc(count, sizeof(*first));
    rig_sync_config_t *syncs = calloc(count, sizeof(*syncs));
    size_t *order = calloc(count, sizeof(*order));
    if (!back || !first || !syncs || !order) {
        free(back);
        free(first);
        free(syncs);
        free(order);
        return;
    }
    size_t n = 0;
    pthread_mutex_lock(&ctx->lock);
    ctx->recovering++;
    ctx->recovery_thread = pthread_self();
    bool manual = ctx->manual_recovery;
    pthread_mutex_unlock(&ctx->lock);
    for (size_t k = 0; k < count; k++) {
        pthread_mutex_lock(&ctx->lock);
        rig_device_t *dev = ctx->devices;
        while (dev && (dev->present || strcmp(dev->info.serial, serials[k]) != 0))
            dev = dev->next;
        bool was_expected = dev && dev->expected;
        size_t index = dev ? dev->index : RIG_DEVICE_INDEX_NONE;
        pthread_mutex_unlock(&ctx->lock);
        if (!dev || manual) {
            /* Not one of ours (or the caller re-opens): said with its serial. */
            emit(ctx, NULL, index, serials[k], RIG_DEVICE_EVENT_ARRIVED, host_us,
                 "%s appeared on the bus%s", serials[k],
                 dev ? "; the caller re-opens it" : "; no handle of this context stands for it");
            continue;
        }
        if (!reopen(ctx, dev, host_us))
            continue;
        pthread_mutex_lock(&ctx->lock);
        syncs[n] = dev->want_sync_set ? dev->want_sync : rig_sync_config_default();
        pthread_mutex_unlock(&ctx->lock);
        first[n] = was_expected;
        back[n++] = dev;
    }
    /* Secondaries first, the pulse sources last: the first pulses find everyone armed. */
    rig_mode_start_order(syncs, n, order);
    for (size_t k = 0; k < n; k++)
        restart(ctx, back[order[k]], first[order[k]], host_us);
    /* Host clock sync on: a returning device's clock restarted at power-on; a pass now puts it
     * (and the others, on the same schedule) on host time instead of at the next pass. */
    pthread_mutex_lock(&ctx->lock);
    bool sync_on = ctx->clock_sync_on && ctx->ops->enable_clock_sync;
    uint64_t interval = ctx->clock_sync_interval_ms;
    pthread_mutex_unlock(&ctx->lock);
    if (n > 0 && sync_on)
        ctx->ops->enable_clock_sync(ctx->be, interval);
    pthread_mutex_lock(&ctx->lock);
    if (--ctx->recovering == 0)
        pthread_cond_broadcast(&ctx->recovery_done);
    pthread_mutex_unlock(&ctx->lock);
    free(back);
    free(first);
    free(syncs);
    free(order);
}

/* ------------------------------------------------------------------------------------------ */
/* Clock faults seen in frames and samples                                                    */

void rig_ctx_frame_index_locked(rig_device_t *dev, rig_frame_t *frame)
{
    unsigned s = (unsigned)frame->stream;
    if (s >= RIG_STREAM_COUNT)
        return;
    frame->index += dev->index_base[s];
    if (frame->index >= dev->next_index[s])
        dev->next_index[s] = frame->index + 1;
}

/* The first frame or sample of a device starts its locating window, as a return does. */
static void locating_from(rig_device_t *dev, int64_t host_us)
{
    if (!dev->clock_seen) {
        dev->clock_seen = true;
        dev->locating_until_us = host_us + LOCATING_US;
    }
}

/* A jump is certain once the estimator starts an epoch rigsync did not cause; the frames it
 * refused meanwhile (every stream's) were on the jumped clock, not bogus. Right after a return
 * the estimator is locating the device's new clock (an epoch seeded from one frame's arrival is
 * off by that frame's latency): what it re-locates then is no jump of the device's. */
static int jump_seen(rig_device_t *dev, int64_t host_us, rig_device_event_t *ev, uint64_t frames)
{
    locating_from(dev, host_us);
    unsigned epochs = rig_clock_epochs(dev->clock);
    if (epochs <= dev->epochs_expected)
        return 0;
    dev->epochs_expected = epochs;
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        frames += dev->unmapped[s];
        dev->unmapped[s] = 0;
    }
    if (host_us < dev->locating_until_us)
        return 0;
    memset(ev, 0, sizeof(*ev));
    ev->kind = RIG_DEVICE_EVENT_CLOCK_JUMP;
    ev->device_index = dev->index;
    ev->host_ts_us = host_us;
    rig_strlcpy(ev->serial, dev->info.serial, sizeof(ev->serial));
    if (frames)
        rig_fmt(ev->detail, sizeof(ev->detail),
                "its clock jumped without a write of rigsync's (a foreign write or a reset): a new "
                "clock epoch; %llu frame(s) before it was certain had no global timestamp",
                (unsigned long long)frames);
    else
        rig_fmt(ev->detail, sizeof(ev->detail),
                "its clock jumped without a write of rigsync's (a foreign write or a reset): a new "
                "clock epoch");
    return 1;
}

int rig_ctx_frame_checked_locked(rig_device_t *dev, const rig_frame_t *frame, bool mapped,
                                 rig_device_event_t *ev)
{
    unsigned s = (unsigned)frame->stream;
    if (s >= RIG_STREAM_COUNT)
        return 0;
    locating_from(dev, frame->host_ts_us);
    if (!mapped) {
        dev->unmapped[s]++;
        return 0;
    }
    uint64_t n = dev->unmapped[s];
    dev->unmapped[s] = 0;
    if (jump_seen(dev, frame->host_ts_us, ev, n))
        return 1;
    if (n == 0 || frame->host_ts_us < dev->locating_until_us)
        return 0; /* (refused while the new clock was being located: reported unmatched) */
    /* Refused frames, then the same clock again: their timestamps were nonsense. */
    memset(ev, 0, sizeof(*ev));
    ev->kind = RIG_DEVICE_EVENT_BOGUS_TIMESTAMP;
    ev->device_index = dev->index;
    ev->host_ts_us = frame->host_ts_us;
    rig_strlcpy(ev->serial, dev->info.serial, sizeof(ev->serial));
    rig_fmt(ev->detail, sizeof(ev->detail),
            "%llu %s frame(s) with timestamps that contradict the device clock: no global "
            "timestamp, reported unmatched; the time line of the others is unchanged",
            (unsigned long long)n, rig_stream_name((rig_stream_t)s));
    return 1;
}

int rig_ctx_clock_checked_locked(rig_device_t *dev, bool ours, int64_t host_us,
                                 rig_device_event_t *ev)
{
    locating_from(dev, host_us);
    if (ours) {
        /* rigsync's own write: the new clock is located by the reads and frames that follow */
        dev->epochs_expected = rig_clock_epochs(dev->clock);
        if (host_us + LOCATING_US > dev->locating_until_us)
            dev->locating_until_us = host_us + LOCATING_US;
        return 0;
    }
    return jump_seen(dev, host_us, ev, 0);
}

/*
 * Framesets: frames of every open device grouped into one set per capture by the matcher
 * (src/match), handed out by callback or a bounded pull queue.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/context_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Framesets                                                                                  */

static void out_push_locked(rig_context_t *ctx, const out_item_t *item)
{
    if (ctx->nout == ctx->cap_out) {
        size_t cap = ctx->cap_out ? ctx->cap_out * 2 : 16;
        out_item_t *v = realloc(ctx->out, cap * sizeof(*v));
        if (!v) {
            ctx->out_oom = true;
            rig_frameset_release(item->set);
            rig_frame_release(item->unmatched);
            return;
        }
        ctx->out = v;
        ctx->cap_out = cap;
    }
    ctx->out[ctx->nout++] = *item;
}

/* Matcher callbacks: run under the context lock, so they only build and queue. */
static void on_match_set(const rig_match_set_t *ms, void *user)
{
    rig_context_t *ctx = user;
    size_t n = ctx->match_ndev * RIG_STREAM_COUNT;
    rig_frameset_t *fs = calloc(1, sizeof(*fs));
    if (fs) {
        fs->frames = calloc(n, sizeof(*fs->frames));
        fs->status = calloc(n, sizeof(*fs->status));
    }
    if (!fs || !fs->frames || !fs->status) {
        for (size_t k = 0; k < ms->nslots; k++)
            rig_frame_release(ms->slots[k].payload);
        if (fs) {
            free(fs->frames);
            free(fs->status);
            free(fs);
        }
        ctx->out_oom = true;
        return;
    }
    atomic_init(&fs->refs, 1);
    fs->seq = ms->seq;
    fs->time_us = ms->key_us;
    fs->ndev = ctx->match_ndev;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t k = 0; k < ms->nslots && k < n; k++) {
        fs->frames[k] = ms->slots[k].payload; /* the matcher's reference moves here */
        fs->status[k] = ms->slots[k].status;
    }
    /* Spread on global capture time, stream by stream (a device's color and depth differ by
     * their exposures): the keys the matcher matched on. */
    fs->spread_us = 0;
    for (size_t s = 0; s < RIG_STREAM_COUNT; s++) {
        for (size_t k = s; k < ms->nslots && k < n; k += RIG_STREAM_COUNT) {
            if (!fs->frames[k])
                continue;
            int64_t key = ms->slots[k].key_us;
            lo = key < lo ? key : lo;
            hi = key > hi ? key : hi;
        }
        if (hi >= lo && hi - lo > fs->spread_us)
            fs->spread_us = hi - lo;
        lo = INT64_MAX;
        hi = INT64_MIN;
    }
    out_item_t item = {fs, NULL, 0};
    out_push_locked(ctx, &item);
}

static void on_match_unmatched(void *payload, rig_unmatched_reason_t reason, void *user)
{
    rig_context_t *ctx = user;
    out_item_t item = {NULL, payload, reason};
    out_push_locked(ctx, &item);
}

/* Hands what the matcher emitted to the user: callbacks, or the frameset queue. */
void rig_ctx_flush_out(rig_context_t *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    out_item_t *v = ctx->out;
    size_t n = ctx->nout;
    ctx->out = NULL;
    ctx->nout = ctx->cap_out = 0;
    rig_frameset_cb set_cb = ctx->set_cb;
    void *set_user = ctx->set_cb_user;
    rig_unmatched_cb um_cb = ctx->unmatched_cb;
    void *um_user = ctx->unmatched_cb_user;
    if (!set_cb) {
        for (size_t i = 0; i < n; i++) {
            if (!v[i].set)
                continue;
            if (ctx->set_len == ctx->set_cap) {
                rig_frameset_release(ctx->set_queue[ctx->set_head]);
                ctx->set_head = (ctx->set_head + 1) % ctx->set_cap;
                ctx->set_len--;
                ctx->set_drops++;
            }
            ctx->set_queue[(ctx->set_head + ctx->set_len++) % ctx->set_cap] = v[i].set;
            v[i].set = NULL;
        }
        pthread_cond_broadcast(&ctx->frame_ready);
    }
    pthread_mutex_unlock(&ctx->lock);
    for (size_t i = 0; i < n; i++) {
        if (v[i].set) {
            set_cb(v[i].set, set_user);
            rig_frameset_release(v[i].set);
        }
        if (v[i].unmatched) {
            if (um_cb)
                um_cb(v[i].unmatched, v[i].reason, um_user);
            rig_frame_release(v[i].unmatched);
        }
    }
    free(v);
}

rig_error_t rig_context_enable_framesets(rig_context_t *ctx, const rig_frameset_options_t *opts)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    if (ctx->matcher) {
        pthread_mutex_unlock(&ctx->lock);
        return rig_context_set_error(ctx, RIG_ERROR_STATE, "framesets are already enabled");
    }
    size_t ndev = ctx->next_device_index;
    size_t nslots = ndev * RIG_STREAM_COUNT;
    rig_match_slot_cfg_t *cfg = calloc(nslots ? nslots : 1, sizeof(*cfg));
    size_t cap = opts && opts->queue_capacity ? opts->queue_capacity : 64;
    ctx->set_queue = calloc(cap, sizeof(*ctx->set_queue));
    rig_error_t err = RIG_OK;
    double min_period = 1e9;
    size_t streaming = 0;
    if (!cfg || !ctx->set_queue) {
        err = RIG_ERROR_NO_MEMORY;
        goto out;
    }
    ctx->set_cap = cap;
    for (size_t d = 0; d < ndev; d++) {
        rig_device_t *dev = rig_ctx_device_at_locked(ctx, d);
        if (!dev || !dev->streaming)
            continue;
        streaming++;
        rig_sync_config_t sync;
        if (ctx->ops->get_sync(ctx->be, dev->be_dev, &sync) != RIG_OK)
            sync = rig_sync_config_default();
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            size_t k = d * RIG_STREAM_COUNT + (size_t)s;
            double period = 1e6 / (double)(dev->profiles[s].fps ? dev->profiles[s].fps : 30);
            cfg[k].enabled = true;
            cfg[k].period_us = period;
            /* The configured delays shift one device's captures against another's. */
            cfg[k].offset_us = sync.trigger_to_image_delay_us +
                               (s == RIG_STREAM_DEPTH ? sync.depth_delay_us : sync.color_delay_us);
            min_period = period < min_period ? period : min_period;
        }
    }
    if (streaming == 0) {
        pthread_mutex_unlock(&ctx->lock);
        free(cfg);
        return rig_context_set_error(ctx, RIG_ERROR_STATE,
                                     "no device is streaming; start the devices, then enable "
                                     "framesets");
    }
    rig_match_params_t params;
    rig_match_params_default(&params, min_period);
    if (opts && opts->deadline_us > 0)
        params.deadline_us = opts->deadline_us;
    ctx->matcher = rig_match_create(cfg, nslots, &params, on_match_set, on_match_unmatched, ctx);
    ctx->match_ndev = ndev;
    if (!ctx->matcher)
        err = RIG_ERROR_NO_MEMORY;
out:
    pthread_mutex_unlock(&ctx->lock);
    free(cfg);
    if (err != RIG_OK)
        return rig_context_set_error(ctx, err, "out of memory enabling framesets");
    return RIG_OK;
}

rig_error_t rig_context_flush_framesets(rig_context_t *ctx)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    rig_match_flush(ctx->matcher);
    pthread_mutex_unlock(&ctx->lock);
    rig_ctx_flush_out(ctx);
    return RIG_OK;
}

rig_error_t rig_context_set_frameset_callback(rig_context_t *ctx, rig_frameset_cb cb, void *user)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    ctx->set_cb = cb;
    ctx->set_cb_user = user;
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
}

rig_error_t rig_context_set_unmatched_callback(rig_context_t *ctx, rig_unmatched_cb cb,
                                               void *user)
{
    if (!ctx)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    ctx->unmatched_cb = cb;
    ctx->unmatched_cb_user = user;
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
}


static bool set_queue_nonempty(void *arg)
{
    rig_context_t *ctx = arg;
    pthread_mutex_lock(&ctx->lock);
    bool r = ctx->set_len > 0;
    pthread_mutex_unlock(&ctx->lock);
    return r;
}

static rig_frameset_t *set_pop_locked(rig_context_t *ctx)
{
    if (ctx->set_len == 0)
        return NULL;
    rig_frameset_t *s = ctx->set_queue[ctx->set_head];
    ctx->set_head = (ctx->set_head + 1) % ctx->set_cap;
    ctx->set_len--;
    return s;
}

static void *set_pop_any_locked(rig_context_t *ctx) { return set_pop_locked(ctx); }

rig_error_t rig_context_wait_frameset(rig_context_t *ctx, uint32_t timeout_ms,
                                      rig_frameset_t **out)
{
    if (!ctx || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (!ctx->matcher)
        return rig_context_set_error(ctx, RIG_ERROR_STATE,
                                     "framesets are not enabled; call "
                                     "rig_context_enable_framesets first");
    rig_error_t err;
    *out = rig_ctx_wait_for(ctx, timeout_ms, set_queue_nonempty, set_pop_any_locked, &err);
    return err != RIG_OK ? err : *out ? RIG_OK : RIG_ERROR_TIMEOUT;
}

void rig_frameset_retain(rig_frameset_t *set)
{
    if (set)
        atomic_fetch_add_explicit(&set->refs, 1, memory_order_relaxed);
}

void rig_frameset_release(rig_frameset_t *set)
{
    if (!set || atomic_fetch_sub_explicit(&set->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t k = 0; k < set->ndev * RIG_STREAM_COUNT; k++)
        rig_frame_release(set->frames[k]);
    free(set->frames);
    free(set->status);
    free(set);
}

uint64_t rig_frameset_seq(const rig_frameset_t *set) { return set ? set->seq : 0; }
int64_t rig_frameset_time_us(const rig_frameset_t *set) { return set ? set->time_us : RIG_TS_NONE; }
size_t rig_frameset_device_count(const rig_frameset_t *set) { return set ? set->ndev : 0; }
int64_t rig_frameset_spread_us(const rig_frameset_t *set) { return set ? set->spread_us : 0; }

rig_frame_t *rig_frameset_frame(const rig_frameset_t *set, size_t device_index,
                                rig_stream_t stream)
{
    if (!set || device_index >= set->ndev || (unsigned)stream >= RIG_STREAM_COUNT)
        return NULL;
    return set->frames[device_index * RIG_STREAM_COUNT + stream];
}

rig_slot_status_t rig_frameset_status(const rig_frameset_t *set, size_t device_index,
                                      rig_stream_t stream)
{
    if (!set || device_index >= set->ndev || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_SLOT_MISSING;
    return set->status[device_index * RIG_STREAM_COUNT + stream];
}

void rig_ctx_framesets_free(rig_context_t *ctx)
{
    /* Whatever the matcher still holds is released, not delivered. */
    ctx->set_cb = NULL;
    ctx->unmatched_cb = NULL;
    rig_match_flush(ctx->matcher);
    for (size_t i = 0; i < ctx->nout; i++) {
        rig_frameset_release(ctx->out[i].set);
        rig_frame_release(ctx->out[i].unmatched);
    }
    free(ctx->out);
    rig_match_destroy(ctx->matcher);
    for (size_t i = 0; i < ctx->set_len; i++)
        rig_frameset_release(ctx->set_queue[(ctx->set_head + i) % ctx->set_cap]);
    free(ctx->set_queue);
}

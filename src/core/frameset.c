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

/* The accounting entry of a frame's slot (NULL when out of range: never counted then). */
static slot_account_t *acct_of(rig_context_t *ctx, const rig_frame_t *f)
{
    size_t k = f->device_index * RIG_STREAM_COUNT + (size_t)f->stream;
    return (unsigned)f->stream < RIG_STREAM_COUNT && k < ctx->acct_n ? &ctx->acct[k] : NULL;
}

/* Makes room for accounting of n slots. Lock held. */
static bool acct_reserve_locked(rig_context_t *ctx, size_t n)
{
    if (n <= ctx->acct_n)
        return true;
    slot_account_t *v = realloc(ctx->acct, n * sizeof(*v));
    if (!v)
        return false;
    memset(v + ctx->acct_n, 0, (n - ctx->acct_n) * sizeof(*v));
    ctx->acct = v;
    ctx->acct_n = n;
    return true;
}

/* Frames of a set counted in_sets move to another bucket (overflow, out of memory). */
static void acct_set_moved(rig_context_t *ctx, const rig_frameset_t *fs, int reason)
{
    for (size_t k = 0; k < fs->ndev * RIG_STREAM_COUNT; k++) {
        slot_account_t *a = fs->frames[k] ? acct_of(ctx, fs->frames[k]) : NULL;
        if (!a)
            continue;
        a->in_sets--;
        if (reason > 0)
            a->unmatched[reason]++;
        else
            a->no_memory++;
    }
}

void rig_ctx_match_frame_locked(rig_context_t *ctx, rig_frame_t *frame)
{
    acct_reserve_locked(ctx, (frame->device_index + 1) * RIG_STREAM_COUNT);
    slot_account_t *a = acct_of(ctx, frame);
    if (a)
        a->delivered++;
    rig_frame_retain(frame);
    rig_match_add(ctx->matcher, frame->device_index * RIG_STREAM_COUNT + frame->stream,
                  frame->global_ts_us, frame->index,
                  frame->arrival_us != RIG_TS_NONE ? frame->arrival_us : frame->host_ts_us,
                  frame->interfered, frame);
}

static void out_push_locked(rig_context_t *ctx, const out_item_t *item)
{
    if (ctx->nout == ctx->cap_out) {
        size_t cap = ctx->cap_out ? ctx->cap_out * 2 : 16;
        out_item_t *v = realloc(ctx->out, cap * sizeof(*v));
        if (!v) {
            ctx->out_oom = true;
            if (item->set)
                acct_set_moved(ctx, item->set, 0);
            slot_account_t *a = item->unmatched ? acct_of(ctx, item->unmatched) : NULL;
            if (a) {
                a->unmatched[item->reason]--;
                a->no_memory++;
            }
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
        for (size_t k = 0; k < ms->nslots; k++) {
            rig_frame_t *f = ms->slots[k].payload;
            slot_account_t *a = f ? acct_of(ctx, f) : NULL;
            if (a)
                a->no_memory++;
            rig_frame_release(f);
        }
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
        slot_account_t *a = fs->frames[k] ? acct_of(ctx, fs->frames[k]) : NULL;
        if (a)
            a->in_sets++;
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
    slot_account_t *a = acct_of(ctx, payload);
    if (a && (unsigned)reason < RIG_UNMATCHED_REASON_COUNT)
        a->unmatched[reason]++;
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
    rig_frameset_t **dropped = NULL; /* sets pushed out of the full pull queue */
    size_t ndropped = 0;
    if (!set_cb) {
        for (size_t i = 0; i < n; i++) {
            if (!v[i].set)
                continue;
            if (ctx->set_len == ctx->set_cap) {
                rig_frameset_t *old = ctx->set_queue[ctx->set_head];
                ctx->set_head = (ctx->set_head + 1) % ctx->set_cap;
                ctx->set_len--;
                ctx->set_drops++;
                if (!dropped)
                    dropped = calloc(n, sizeof(*dropped)); /* at most one per set emitted */
                if (dropped) {
                    acct_set_moved(ctx, old, RIG_UNMATCHED_OVERFLOW);
                    dropped[ndropped++] = old;
                } else {
                    acct_set_moved(ctx, old, 0);
                    rig_frameset_release(old);
                }
            }
            ctx->set_queue[(ctx->set_head + ctx->set_len++) % ctx->set_cap] = v[i].set;
            v[i].set = NULL;
        }
        pthread_cond_broadcast(&ctx->frame_ready);
    }
    pthread_mutex_unlock(&ctx->lock);
    rig_ctx_callback_enter(ctx);
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
    for (size_t i = 0; i < ndropped; i++) {
        for (size_t k = 0; um_cb && k < dropped[i]->ndev * RIG_STREAM_COUNT; k++)
            if (dropped[i]->frames[k])
                um_cb(dropped[i]->frames[k], RIG_UNMATCHED_OVERFLOW, um_user);
        rig_frameset_release(dropped[i]);
    }
    rig_ctx_callback_leave(ctx);
    free(dropped);
    free(v);
}

/* The matcher's view of one device's stream: its period and expected capture offset. */
static void slot_cfgs(rig_context_t *ctx, rig_device_t *dev, const rig_stream_profile_t *p,
                      rig_match_slot_cfg_t cfg[RIG_STREAM_COUNT])
{
    rig_sync_config_t sync;
    /* The config the core set (also for a device not present: no handle to ask). */
    if (dev->want_sync_set)
        sync = dev->want_sync;
    else if (!dev->be_dev || ctx->ops->get_sync(ctx->be, dev->be_dev, &sync) != RIG_OK)
        sync = rig_sync_config_default();
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        cfg[s].enabled = true;
        cfg[s].period_us = 1e6 / (double)(p[s].fps ? p[s].fps : 30);
        /* The configured delays shift one device's captures against another's. */
        cfg[s].offset_us = (int64_t)sync.trigger_to_image_delay_us +
                           (s == RIG_STREAM_DEPTH ? sync.depth_delay_us : sync.color_delay_us);
    }
}

void rig_ctx_framesets_device_starting(rig_context_t *ctx, rig_device_t *dev,
                                       const rig_stream_profile_t *p)
{
    pthread_mutex_lock(&ctx->lock);
    bool on = ctx->matcher != NULL;
    pthread_mutex_unlock(&ctx->lock);
    if (!on)
        return;
    rig_match_slot_cfg_t cfg[RIG_STREAM_COUNT];
    slot_cfgs(ctx, dev, p, cfg);
    pthread_mutex_lock(&ctx->lock);
    size_t base = dev->index * RIG_STREAM_COUNT;
    if (ctx->matcher && acct_reserve_locked(ctx, base + RIG_STREAM_COUNT)) {
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            rig_match_set_slot(ctx->matcher, base + (size_t)s, &cfg[s]);
        size_t ndev = rig_match_slot_count(ctx->matcher) / RIG_STREAM_COUNT;
        if (ndev > ctx->match_ndev)
            ctx->match_ndev = ndev;
    }
    pthread_mutex_unlock(&ctx->lock);
    rig_ctx_flush_out(ctx);
}

void rig_ctx_framesets_start_failed(rig_context_t *ctx, rig_device_t *dev)
{
    pthread_mutex_lock(&ctx->lock);
    size_t base = dev->index * RIG_STREAM_COUNT;
    rig_match_slot_cfg_t off = {false, 0, 0};
    if (ctx->matcher && base < rig_match_slot_count(ctx->matcher))
        for (size_t s = 0; s < RIG_STREAM_COUNT; s++)
            rig_match_set_slot(ctx->matcher, base + s, &off);
    pthread_mutex_unlock(&ctx->lock);
    rig_ctx_flush_out(ctx);
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
        slot_cfgs(ctx, dev, dev->profiles, &cfg[d * RIG_STREAM_COUNT]);
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            double period = cfg[d * RIG_STREAM_COUNT + (size_t)s].period_us;
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
    if (!acct_reserve_locked(ctx, nslots)) {
        err = RIG_ERROR_NO_MEMORY;
        goto out;
    }
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

uint64_t rig_context_frameset_drops(rig_context_t *ctx)
{
    if (!ctx)
        return 0;
    pthread_mutex_lock(&ctx->lock);
    uint64_t d = ctx->set_drops;
    pthread_mutex_unlock(&ctx->lock);
    return d;
}

rig_error_t rig_context_frame_accounting(rig_context_t *ctx, size_t device_index,
                                         rig_stream_t stream, rig_frame_accounting_t *out)
{
    if (!ctx || !out || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->matcher) {
        pthread_mutex_unlock(&ctx->lock);
        return rig_context_set_error(ctx, RIG_ERROR_STATE,
                                     "framesets are not enabled; call "
                                     "rig_context_enable_framesets first");
    }
    size_t k = device_index * RIG_STREAM_COUNT + (size_t)stream;
    if (k < ctx->acct_n) {
        const slot_account_t *a = &ctx->acct[k];
        out->delivered = a->delivered;
        out->in_sets = a->in_sets;
        out->no_memory = a->no_memory;
        for (int r = 1; r < RIG_UNMATCHED_REASON_COUNT; r++) {
            out->unmatched_by_reason[r] = a->unmatched[r];
            if (r != RIG_UNMATCHED_OVERFLOW)
                out->unmatched += a->unmatched[r];
        }
        out->overflow = a->unmatched[RIG_UNMATCHED_OVERFLOW];
    }
    /* Counted on its own, from what the matcher holds: the identity is a real check. */
    out->pending = rig_match_pending_frames(ctx->matcher, k);
    pthread_mutex_unlock(&ctx->lock);
    return RIG_OK;
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
    free(ctx->acct);
}

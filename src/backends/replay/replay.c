/* The replay backend (see replay_internal.h and include/rigsync/replay.h): its ops, its time
 * (virtual: advance; real: a pacing thread) and its public entry points. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/replay/replay_internal.h"
#include "common/util.h"
#include "mode/mode.h"
#include "rigsync/replay.h"

/* What the file says before its first frames: rig, config and stream metadata. The recorder
 * writes them first, except "rigsync.run" (after the streams started), which a real-time
 * recording may have behind its first frames: read ahead for it, within reason. */
#define PRESCAN_MESSAGES 100000

static rig_error_t open_reader(const char *path, rig_mcap_reader_t **out, char *msg, size_t len)
{
    rig_mcap_reader_t *r = NULL;
    rig_error_t e = rig_mcap_reader_open(path, 0, &r);
    if (e != RIG_OK) {
        if (r) {
            const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
            rig_fmt(msg, len, "%s: offset %" PRIu64 ": %s (%s)", path, p->offset, p->what,
                    rig_mcap_fault_name(p->fault));
        } else {
            rig_fmt(msg, len, "%s: %s", path, rig_strerror(e));
        }
        rig_mcap_reader_close(r);
        return e == RIG_ERROR_NO_MEMORY ? e : RIG_ERROR_IO;
    }
    /* A complete file's summary must be sound; a cut file has none (replayed with a warning). */
    rig_mcap_summary_t sum;
    if (rig_mcap_reader_read_summary(r, &sum) != RIG_OK) {
        const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
        if (p->fault == RIG_MCAP_FAULT_CRC || p->fault == RIG_MCAP_FAULT_MALFORMED ||
            p->fault == RIG_MCAP_FAULT_COMPRESSION || p->fault == RIG_MCAP_FAULT_TOO_LARGE) {
            rig_fmt(msg, len, "%s: offset %" PRIu64 ": %s (%s)", path, p->offset, p->what,
                    rig_mcap_fault_name(p->fault));
            rig_mcap_reader_close(r);
            return RIG_ERROR_IO;
        }
    }
    *out = r;
    return RIG_OK;
}

/* Reads messages until the metadata `names` (NULL-terminated) were all seen, or at most
 * `limit` messages. False with msg when the file is bad (a cut file is not). */
static bool read_until(rig_mcap_reader_t *r, const char *path, const char *const *names,
                       size_t limit, char *msg, size_t len)
{
    for (size_t i = 0;; i++) {
        bool all = true;
        for (size_t k = 0; names[k]; k++) {
            bool seen = false;
            for (size_t j = 0; j < rig_mcap_reader_metadata_count(r); j++)
                seen |= strcmp(rig_mcap_reader_metadata(r, j)->name, names[k]) == 0;
            all &= seen;
        }
        if (all || i >= limit)
            return true;
        rig_mcap_message_t m;
        bool end = false;
        if (rig_mcap_reader_next_message(r, &m, &end) != RIG_OK) {
            const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
            if (p->fault == RIG_MCAP_FAULT_TRUNCATED)
                return true;
            rig_fmt(msg, len, "%s: offset %" PRIu64 ": %s (%s)", path, p->offset, p->what,
                    rig_mcap_fault_name(p->fault));
            return false;
        }
        if (end)
            return true;
    }
}

static rig_error_t not_rigsync(const char *path, rig_mcap_reader_t *r, char *msg, size_t len)
{
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    rig_fmt(msg, len,
            "%s: offset %" PRIu64 ": not a rigsync recording: the MCAP file (profile \"%s\", "
            "written by \"%s\") has no rigsync.config metadata; replay a file written by rigsync "
            "record or run --record",
            path, ds.complete_bytes, rig_mcap_reader_profile(r), rig_mcap_reader_library(r));
    return RIG_ERROR_IO;
}

rig_error_t rig_replay_load_config(const char *path, rig_config_t **out, char *msg, size_t len)
{
    char local[8];
    if (!msg) {
        msg = local;
        len = sizeof local;
    }
    if (len)
        msg[0] = '\0';
    if (!out || !path) {
        rig_fmt(msg, len, "rig_replay_load_config needs a path and an output pointer");
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    *out = NULL;
    rig_mcap_reader_t *r = NULL;
    rig_error_t e = open_reader(path, &r, msg, len);
    if (e != RIG_OK)
        return e;
    static const char *const names[] = {"rigsync.config", NULL};
    if (!read_until(r, path, names, SIZE_MAX, msg, len)) {
        rig_mcap_reader_close(r);
        return RIG_ERROR_IO;
    }
    const char *json = rp_meta_value(r, "rigsync.config", "json");
    if (!json) {
        e = rp_meta_value(r, "rigsync.config", "source") ? RIG_ERROR_IO : not_rigsync(path, r, msg, len);
        if (!msg[0])
            rig_fmt(msg, len,
                    "%s: the recording has no config text (rigsync.config \"json\"): it was made "
                    "by an older rigsync; record it again",
                    path);
        rig_mcap_reader_close(r);
        return e;
    }
    char name[600];
    rig_fmt(name, sizeof name, "%s (recorded config)", path);
    rig_config_diag_t diag;
    e = rig_config_parse(json, name, out, &diag);
    if (e != RIG_OK)
        rig_config_diag_format(&diag, msg, len);
    rig_mcap_reader_close(r);
    return e;
}

/* ------------------------------------------------------------------------------------------ */
/* The rig from the metadata                                                                  */

static rig_error_t load_rig(rp_state_t *st, char *msg, size_t len)
{
    rig_mcap_reader_t *r = NULL;
    rig_error_t e = open_reader(st->path, &r, msg, len);
    if (e != RIG_OK)
        return e;
    static const char *const names[] = {"rigsync.config", "rigsync.rig", "rigsync.run", NULL};
    if (!read_until(r, st->path, names, PRESCAN_MESSAGES, msg, len)) {
        rig_mcap_reader_close(r);
        return RIG_ERROR_IO;
    }
    const char *count = rp_meta_value(r, "rigsync.rig", "device_count");
    if (!rp_meta_value(r, "rigsync.config", "source") || !count) {
        e = not_rigsync(st->path, r, msg, len);
        rig_mcap_reader_close(r);
        return e;
    }
    size_t n = (size_t)strtoull(count, NULL, 10);
    st->dev = n <= 100000 ? calloc(n ? n : 1, sizeof(*st->dev)) : NULL; /* before any calloc */
    if (!st->dev) {
        rig_mcap_reader_close(r);
        rig_fmt(msg, len, "%s: out of memory for %zu devices", st->path, n);
        return RIG_ERROR_NO_MEMORY;
    }
    st->ndev = n;
    const char *t0 = rp_meta_value(r, "rigsync.run", "t0_us");
    st->t0_us = t0 ? strtoll(t0, NULL, 10) : RIG_TS_NONE;
    if (t0 && !rp_host_ts_ok(st->t0_us)) {
        rig_mcap_reader_close(r);
        rig_fmt(msg, len, "%s: its rigsync.run metadata has t0_us \"%s\", not a host time (0 to "
                "2^53 us)", st->path, t0);
        return RIG_ERROR_IO;
    }
    for (size_t i = 0; i < n; i++) {
        rp_device_t *d = &st->dev[i];
        char key[64], model[64] = "replay";
        unsigned bits = 64, modes = RIG_SYNC_MODE_ALL;
        rig_fmt(key, sizeof key, "devices[%zu]", i);
        const char *v = rp_meta_value(r, "rigsync.rig", key);
        if (!v || sscanf(v, "serial %63s", d->info.serial) != 1) {
            rig_mcap_reader_close(r);
            rig_fmt(msg, len, "%s: its rigsync.rig metadata has no valid \"%s\"", st->path, key);
            return RIG_ERROR_IO;
        }
        d->present = strstr(v, "(not present at the start)") == NULL;
        /* the model may have spaces: up to " timestamp_bits " */
        const char *p = strstr(v, " model ");
        const char *q = p ? strstr(p + 7, " timestamp_bits ") : NULL;
        if (p && q && q - (p + 7) < (long)sizeof model) {
            memcpy(model, p + 7, (size_t)(q - (p + 7)));
            model[q - (p + 7)] = '\0';
        }
        p = strstr(v, " timestamp_bits ");
        if (p)
            sscanf(p, " timestamp_bits %u", &bits);
        p = strstr(v, " modes ");
        if (p)
            sscanf(p, " modes %x", &modes);
        rig_strlcpy(d->info.model, model, sizeof d->info.model);
        d->info.timestamp_bits = bits;
        d->info.supported_modes = modes;
        char serial[64];
        d->sync_known = rp_parse_sync(rp_meta_value(r, "rigsync.config", key), serial,
                                      sizeof serial, &d->sync) &&
                        strcmp(serial, d->info.serial) == 0;
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const char *sn = rig_stream_name((rig_stream_t)s);
            rig_fmt(key, sizeof key, "devices[%zu].%s", i, sn);
            v = rp_meta_value(r, "rigsync.run", key);
            d->profile_known[s] = rp_parse_profile(v, &d->profile[s]);
            long long fl, un;
            p = v ? strstr(v, " floor ") : NULL;
            if (p && sscanf(p, " floor %lld %lld", &fl, &un) == 2) {
                d->floor_known[s] = true;
                d->floor_us[s] = fl;
                d->floor_unc_us[s] = un;
            }
            if (!d->profile_known[s]) { /* the config's streams, else a model's defaults */
                rig_fmt(key, sizeof key, "streams.%s", sn);
                d->profile_known[s] =
                    rp_parse_profile(rp_meta_value(r, "rigsync.config", key), &d->profile[s]);
            }
        }
    }
    rig_mcap_reader_close(r);
    return RIG_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Ops                                                                                        */

static void *pace_main(void *arg);

static rig_error_t rp_create(rig_context_t *ctx, const rig_context_options_t *opts, void **state)
{
    if (!opts->replay_path || !opts->replay_path[0])
        return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "the replay backend needs the recording to play: set "
                                     "rig_context_options_t.replay_path");
    rp_state_t *st = calloc(1, sizeof(*st));
    if (!st)
        return RIG_ERROR_NO_MEMORY;
    st->ctx = ctx;
    st->time_mode = opts->time_mode;
    rig_strlcpy(st->path, opts->replay_path, sizeof st->path);
    pthread_mutex_init(&st->lock, NULL);
    rig_cond_init_monotonic(&st->cond); /* the pacing thread's waits: monotonic deadlines */
    pthread_mutex_init(&st->feed_lock, NULL);
    char msg[768];
    rig_error_t e = load_rig(st, msg, sizeof msg);
    if (e == RIG_OK)
        e = open_reader(st->path, &st->reader, msg, sizeof msg);
    if (e == RIG_OK && st->time_mode == RIG_TIME_REAL) {
        if (pthread_create(&st->thread, NULL, pace_main, st) != 0) {
            rig_fmt(msg, sizeof msg, "cannot start the replay's thread");
            e = RIG_ERROR_NO_MEMORY;
        } else {
            st->thread_started = true;
        }
    }
    if (e != RIG_OK) {
        rig_mcap_reader_close(st->reader);
        free(st->dev);
        pthread_mutex_destroy(&st->lock);
        pthread_cond_destroy(&st->cond);
        pthread_mutex_destroy(&st->feed_lock);
        free(st);
        return rig_context_set_error(ctx, e, "%s", msg);
    }
    st->now_us = st->t0_us; /* unknown (RIG_TS_NONE): the first message's time */
    *state = st;
    return RIG_OK;
}

static void rp_destroy(void *state)
{
    rp_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->stopping = true;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
    if (st->thread_started)
        pthread_join(st->thread, NULL);
    rp_feed_free(st);
    rig_mcap_reader_close(st->reader);
    free(st->dev);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->cond);
    pthread_mutex_destroy(&st->feed_lock);
    free(st);
}

static rig_error_t rp_device_count(void *state, size_t *count)
{
    rp_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    size_t n = 0;
    for (size_t i = 0; i < st->ndev; i++)
        n += st->dev[i].present;
    pthread_mutex_unlock(&st->lock);
    *count = n;
    return RIG_OK;
}

static rig_error_t rp_device_info(void *state, size_t index, rig_device_info_t *out)
{
    rp_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->ndev; i++) {
        if (!st->dev[i].present)
            continue;
        if (index-- == 0) {
            *out = st->dev[i].info;
            pthread_mutex_unlock(&st->lock);
            return RIG_OK;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return RIG_ERROR_INVALID_ARGUMENT;
}

static rig_error_t rp_open(void *state, const char *serial, size_t dev_index, void **dev)
{
    rp_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    size_t i = rp_find(st, serial);
    if (i == SIZE_MAX || !st->dev[i].present) {
        pthread_mutex_unlock(&st->lock);
        return rig_context_set_error(st->ctx, RIG_ERROR_NOT_FOUND,
                                     "device %s is not in the recording %s%s", serial, st->path,
                                     i == SIZE_MAX ? "" : " at this point");
    }
    st->dev[i].open = true;
    st->dev[i].started = false;
    st->dev[i].dev_index = dev_index;
    *dev = &st->dev[i];
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static void rp_close(void *state, void *dev)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->open = false;
    d->started = false;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
}

static rig_error_t rp_get_sync(void *state, void *dev, rig_sync_config_t *out)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    *out = d->answer_set ? d->answer : d->sync_known ? d->sync : rig_sync_config_default();
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t rp_set_sync(void *state, void *dev, const rig_sync_config_t *cfg)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    bool ok = !d->sync_known || rig_sync_config_equal(cfg, &d->sync);
    if (ok) {
        d->sync = *cfg;
        d->sync_known = true;
        d->answer_set = false; /* it holds the config written */
    }
    rig_sync_mode_t rec = d->sync.mode;
    pthread_mutex_unlock(&st->lock);
    if (!ok)
        return rig_context_set_error(
            st->ctx, RIG_ERROR_UNSUPPORTED,
            "device %s of the recording %s ran %s with other settings; a replay plays the "
            "recorded sync config only (run without --config, or record the new config)",
            d->info.serial, st->path, rig_sync_mode_name(rec));
    return RIG_OK;
}

static rig_error_t rp_default_profile(void *state, void *dev, rig_stream_t stream,
                                      rig_stream_profile_t *out)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    bool known = d->profile_known[stream];
    if (known)
        *out = d->profile[stream];
    pthread_mutex_unlock(&st->lock);
    if (!known)
        return rig_context_set_error(st->ctx, RIG_ERROR_UNSUPPORTED,
                                     "the recording %s does not say how device %s's %s stream "
                                     "ran",
                                     st->path, d->info.serial, rig_stream_name(stream));
    return RIG_OK;
}

static rig_error_t rp_start(void *state, void *dev, const rig_stream_profile_t *profiles)
{
    (void)profiles; /* frames come as recorded */
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->started = true;
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t rp_stop(void *state, void *dev)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->started = false;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t rp_trigger(void *state, void *dev)
{
    (void)state;
    (void)dev; /* the recorded frames of the triggers come from the file */
    return RIG_OK;
}

static rig_error_t rp_latency_floor(void *state, void *dev, rig_stream_t stream, int64_t *floor_us,
                                    int64_t *uncertainty_us)
{
    rp_state_t *st = state;
    rp_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    bool known = d->floor_known[stream];
    *floor_us = d->floor_us[stream];
    *uncertainty_us = d->floor_unc_us[stream];
    pthread_mutex_unlock(&st->lock);
    return known ? RIG_OK : RIG_ERROR_UNSUPPORTED;
}

static rig_error_t rp_enable_clock_sync(void *state, uint64_t interval_ms)
{
    (void)state;
    (void)interval_ms; /* the recorded clock events come from the file */
    return RIG_OK;
}

static rig_error_t file_error(rp_state_t *st)
{
    pthread_mutex_lock(&st->lock);
    rig_error_t e = st->error;
    char msg[sizeof st->message];
    rig_strlcpy(msg, st->message, sizeof msg);
    pthread_mutex_unlock(&st->lock);
    return e == RIG_OK ? RIG_OK : rig_context_set_error(st->ctx, e, "%s", msg);
}

/* Virtual time starts at the recorded origin, else at the first message. feed_lock held. */
static void start_clock(rp_state_t *st)
{
    if (st->now_us != RIG_TS_NONE)
        return;
    rp_item_t *it = rp_fill(st, 1) ? rp_peek(st, 0) : NULL;
    st->now_us = it ? it->t_us : 0;
}

static rig_error_t rp_advance(void *state, int64_t timeout_us, bool (*done)(void *), void *arg)
{
    rp_state_t *st = state;
    if (st->time_mode != RIG_TIME_VIRTUAL)
        return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                     "the replay runs in real time; only a virtual-time replay "
                                     "can be advanced");
    pthread_mutex_lock(&st->feed_lock);
    start_clock(st);
    int64_t deadline = rig_sat_add(st->now_us, timeout_us);
    rig_error_t result = RIG_ERROR_TIMEOUT;
    for (;;) {
        if (rp_fill(st, 1) == 0) {
            pthread_mutex_lock(&st->lock);
            st->finished = true;
            pthread_mutex_unlock(&st->lock);
            st->now_us = deadline;
            break;
        }
        rp_item_t *it = rp_peek(st, 0);
        if (it->t_us > deadline) {
            st->now_us = deadline;
            break;
        }
        if (it->t_us > st->now_us)
            st->now_us = it->t_us;
        if (rp_deliver_next(st) && done && done(arg)) {
            result = RIG_OK;
            break;
        }
    }
    pthread_mutex_unlock(&st->feed_lock);
    rig_error_t e = file_error(st);
    return e != RIG_OK ? e : result;
}

/* Real time: waits until every opened device was started (the recorded run started them all
 * before its first frames), then delivers each item at its recorded host time on the wall. */
static void *pace_main(void *arg)
{
    rp_state_t *st = arg;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        size_t open = 0, started = 0;
        for (size_t i = 0; i < st->ndev; i++) {
            open += st->dev[i].open;
            started += st->dev[i].open && st->dev[i].started;
        }
        if (st->stopping || (started > 0 && started == open))
            break;
        pthread_cond_wait(&st->cond, &st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    int64_t wall0 = rig_monotonic_us();
    int64_t rec0 = RIG_TS_NONE;
    pthread_mutex_lock(&st->feed_lock);
    for (;;) {
        pthread_mutex_lock(&st->lock);
        bool stop = st->stopping;
        pthread_mutex_unlock(&st->lock);
        if (stop || rp_fill(st, 1) == 0)
            break;
        int64_t t = rp_peek(st, 0)->t_us;
        if (rec0 == RIG_TS_NONE)
            rec0 = st->t0_us != RIG_TS_NONE && st->t0_us <= t ? st->t0_us : t;
        int64_t due = wall0 + (t - rec0);
        st->now_us = rec0 + (rig_monotonic_us() - wall0);
        if (due > rig_monotonic_us()) {
            pthread_mutex_unlock(&st->feed_lock);
            struct timespec ts;
            int64_t wait_us = RIG_MIN(due - rig_monotonic_us(), 100000);
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += (long)wait_us * 1000L;
            ts.tv_sec += (time_t)(ts.tv_nsec / 1000000000L);
            ts.tv_nsec %= 1000000000L;
            pthread_mutex_lock(&st->lock);
            if (!st->stopping)
                pthread_cond_timedwait(&st->cond, &st->lock, &ts);
            pthread_mutex_unlock(&st->lock);
            pthread_mutex_lock(&st->feed_lock);
            continue;
        }
        rp_deliver_next(st);
    }
    pthread_mutex_unlock(&st->feed_lock);
    pthread_mutex_lock(&st->lock);
    st->finished = true;
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

const rig_backend_ops_t rig_replay_backend = {
    .name = "replay",
    .create = rp_create,
    .destroy = rp_destroy,
    .device_count = rp_device_count,
    .device_info = rp_device_info,
    .open = rp_open,
    .close = rp_close,
    .get_sync = rp_get_sync,
    .set_sync = rp_set_sync,
    .default_profile = rp_default_profile,
    .start = rp_start,
    .stop = rp_stop,
    .trigger = rp_trigger,
    .latency_floor = rp_latency_floor,
    .enable_clock_sync = rp_enable_clock_sync,
    .advance = rp_advance,
};

/* ------------------------------------------------------------------------------------------ */
/* Public entry points                                                                        */

static rp_state_t *replay_of(rig_context_t *ctx)
{
    return ctx ? rig_context_backend_state(ctx, &rig_replay_backend) : NULL;
}

rig_error_t rig_replay_now_us(rig_context_t *ctx, int64_t *now_us)
{
    rp_state_t *st = replay_of(ctx);
    if (!st || !now_us)
        return st ? RIG_ERROR_INVALID_ARGUMENT : RIG_ERROR_UNSUPPORTED;
    pthread_mutex_lock(&st->feed_lock);
    start_clock(st);
    *now_us = st->now_us;
    pthread_mutex_unlock(&st->feed_lock);
    return RIG_OK;
}

rig_error_t rig_replay_origin_us(rig_context_t *ctx, int64_t *origin_us)
{
    rp_state_t *st = replay_of(ctx);
    if (!st || !origin_us)
        return st ? RIG_ERROR_INVALID_ARGUMENT : RIG_ERROR_UNSUPPORTED;
    if (st->t0_us != RIG_TS_NONE) {
        *origin_us = st->t0_us;
        return RIG_OK;
    }
    pthread_mutex_lock(&st->feed_lock);
    rp_fill(st, 1);
    rp_item_t *it = rp_peek(st, 0);
    *origin_us = it ? it->t_us : 0;
    pthread_mutex_unlock(&st->feed_lock);
    return RIG_OK;
}

rig_error_t rig_replay_advance_us(rig_context_t *ctx, int64_t us)
{
    rp_state_t *st = replay_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (us < 0)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t e = rp_advance(st, us, NULL, NULL);
    return e == RIG_ERROR_TIMEOUT ? RIG_OK : e;
}

rig_error_t rig_replay_status(rig_context_t *ctx, bool *finished, char *msg, size_t len)
{
    rp_state_t *st = replay_of(ctx);
    if (!st || !finished)
        return st ? RIG_ERROR_INVALID_ARGUMENT : RIG_ERROR_UNSUPPORTED;
    pthread_mutex_lock(&st->lock);
    *finished = st->finished || st->error != RIG_OK;
    if (msg && len)
        rig_strlcpy(msg, st->message, len);
    rig_error_t e = st->error;
    pthread_mutex_unlock(&st->lock);
    return e == RIG_OK ? RIG_OK : RIG_ERROR_IO;
}

int64_t rig_replay_frame_wall_us(const rig_frame_t *frame)
{
    return frame ? frame->recorded_wall_us : RIG_TS_NONE;
}

rig_error_t rig_replay_metadata(rig_context_t *ctx, const char *name, const char *key, char *buf,
                                size_t len)
{
    rp_state_t *st = replay_of(ctx);
    if (!st || !name || !key || !buf || !len)
        return st ? RIG_ERROR_INVALID_ARGUMENT : RIG_ERROR_UNSUPPORTED;
    pthread_mutex_lock(&st->feed_lock);
    const char *v = rp_meta_value(st->reader, name, key);
    if (v)
        rig_strlcpy(buf, v, len);
    pthread_mutex_unlock(&st->feed_lock);
    return v ? RIG_OK : RIG_ERROR_NOT_FOUND;
}

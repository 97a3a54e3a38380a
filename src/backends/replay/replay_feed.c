/* The replay's read-ahead: messages of the file turned into deliveries, in file order. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/replay/replay_internal.h"
#include "common/util.h"
#include "mode/mode.h"

size_t rp_find(const rp_state_t *st, const char *serial)
{
    for (size_t i = 0; i < st->ndev; i++)
        if (strcmp(st->dev[i].info.serial, serial) == 0)
            return i;
    return SIZE_MAX;
}

rp_item_t *rp_peek(rp_state_t *st, size_t i)
{
    return i < st->look_len ? &st->look[(st->look_head + i) % st->look_cap] : NULL;
}

static void pop(rp_state_t *st)
{
    st->look_head = (st->look_head + 1) % st->look_cap;
    st->look_len--;
}

static bool push(rp_state_t *st, const rp_item_t *it)
{
    if (st->look_len == st->look_cap) {
        size_t cap = st->look_cap ? st->look_cap * 2 : 64;
        rp_item_t *v = malloc(cap * sizeof(*v));
        if (!v)
            return false;
        for (size_t i = 0; i < st->look_len; i++)
            v[i] = *rp_peek(st, i);
        free(st->look);
        st->look = v;
        st->look_cap = cap;
        st->look_head = 0;
    }
    st->look[(st->look_head + st->look_len) % st->look_cap] = *it;
    st->look_len++;
    return true;
}

static void fail(rp_state_t *st, rig_error_t code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(rp_state_t *st, rig_error_t code, uint64_t offset, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    rig_vfmt(what, sizeof what, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&st->lock);
    if (st->error == RIG_OK) {
        st->error = code;
        rig_fmt(st->message, sizeof st->message, "%s: offset %" PRIu64 ": %s", st->path, offset,
                what);
    }
    pthread_mutex_unlock(&st->lock);
    st->eof = true;
}

/* "/rig/<serial>/<stream>/<leaf>": serial, stream and leaf; false for other topics. */
static bool split_topic(const char *topic, char *serial, size_t len, rig_stream_t *stream,
                        const char **leaf)
{
    if (strncmp(topic, "/rig/", 5) != 0)
        return false;
    const char *l = strrchr(topic, '/');
    const char *s = l;
    while (s > topic + 5 && s[-1] != '/')
        s--;
    if (s <= topic + 5 || l - s >= 16)
        return false;
    char name[16];
    memcpy(name, s, (size_t)(l - s));
    name[l - s] = '\0';
    int found = -1;
    for (int k = 0; k < RIG_STREAM_COUNT; k++)
        if (strcmp(name, rig_stream_name((rig_stream_t)k)) == 0)
            found = k;
    size_t n = (size_t)(s - 1 - (topic + 5));
    if (found < 0 || n == 0 || n >= len)
        return false;
    memcpy(serial, topic + 5, n);
    serial[n] = '\0';
    *stream = (rig_stream_t)found;
    *leaf = l + 1;
    return true;
}

/* One message into the read-ahead (or into a device's pending Image). */
static void take_message(rp_state_t *st, const rig_mcap_message_t *m)
{
    const rig_mcap_channel_t *ch = rig_mcap_reader_channel(st->reader, m->channel_id);
    uint64_t off = m->chunk_offset;
    if (!ch) {
        fail(st, RIG_ERROR_IO, off, "a message on channel %u, which no Channel record defines",
             m->channel_id);
        return;
    }
    rp_item_t it;
    memset(&it, 0, sizeof(it));
    char serial[64], topic[512];
    rig_stream_t s;
    const char *leaf;
    /* ".../image_raw/compressed" (MJPG color, as the camera gave it): its Image */
    rig_strlcpy(topic, ch->topic, sizeof topic);
    size_t tl = strlen(topic);
    bool compressed = tl > 11 && strcmp(topic + tl - 11, "/compressed") == 0;
    if (compressed)
        topic[tl - 11] = '\0';
    if (split_topic(topic, serial, sizeof serial, &s, &leaf)) {
        pthread_mutex_lock(&st->lock);
        size_t d = rp_find(st, serial);
        pthread_mutex_unlock(&st->lock);
        if (strcmp(leaf, "image_raw") == 0) {
            rp_image_t img;
            if (!(compressed ? rp_decode_compressed_image(m->data, m->len, &img)
                             : rp_decode_image(m->data, m->len, &img))) {
                fail(st, RIG_ERROR_IO, off, "message %" PRIu32 " of %s is not a valid %s",
                     m->sequence, ch->topic,
                     compressed ? "sensor_msgs/msg/CompressedImage (jpeg)"
                                : "sensor_msgs/msg/Image");
                return;
            }
            if (d == SIZE_MAX)
                return;
            rp_device_t *dv = &st->dev[d];
            uint8_t *px = malloc(img.len ? img.len : 1);
            if (!px) {
                fail(st, RIG_ERROR_NO_MEMORY, off, "out of memory for a frame's pixels");
                return;
            }
            memcpy(px, img.data, img.len);
            free(dv->px[s]);
            dv->px[s] = px;
            dv->px_len[s] = img.len;
            dv->px_w[s] = img.width;
            dv->px_h[s] = img.height;
            dv->px_fmt[s] = img.format;
            return;
        }
        if (compressed || strcmp(leaf, "frame_info") != 0)
            return; /* another kind of data (compressed images, ...): not replayed */
        rp_frame_info_t fi;
        if (!rp_decode_frame_info(m->data, m->len, &fi) || fi.stream != s) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s is not a valid rigsync_msgs/msg/FrameInfo",
                 m->sequence, ch->topic);
            return;
        }
        if (!rp_host_ts_ok(fi.host_ts_us) ||
            (fi.wall_us != RIG_TS_NONE && !rp_host_ts_ok(fi.wall_us))) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s: host time %" PRId64 " us (received %" PRId64
                 " us) is not on a host clock (0 to 2^53 us)",
                 m->sequence, ch->topic, fi.host_ts_us, fi.wall_us);
            return;
        }
        if (d == SIZE_MAX)
            return;
        rp_device_t *dv = &st->dev[d];
        rig_frame_t *f = rig_frame_alloc(0);
        if (!f) {
            fail(st, RIG_ERROR_NO_MEMORY, off, "out of memory for a frame");
            return;
        }
        rig_strlcpy(f->serial, serial, sizeof f->serial);
        f->stream = s;
        f->index = fi.index;
        f->device_ts_us = fi.device_ts_us;
        f->host_ts_us = fi.host_ts_us;
        f->interfered = fi.interfered;
        f->recorded_wall_us = fi.wall_us;
        if (fi.has_pixels && dv->px[s]) {
            f->data = dv->px[s];
            f->data_size = dv->px_len[s];
            f->width = dv->px_w[s];
            f->height = dv->px_h[s];
            f->format = dv->px_fmt[s];
            if (f->format == RIG_FORMAT_MJPG && dv->profile_known[s]) {
                f->width = dv->profile[s].width;
                f->height = dv->profile[s].height;
            }
            dv->px[s] = NULL;
        } else if (dv->profile_known[s]) {
            f->width = dv->profile[s].width;
            f->height = dv->profile[s].height;
        }
        free(dv->px[s]); /* an Image without its FrameInfo is not a frame */
        dv->px[s] = NULL;
        it.kind = RP_FRAME;
        it.t_us = fi.host_ts_us;
        it.dev = d;
        it.frame = f;
    } else if (strcmp(ch->topic, "/rig/clock_events") == 0) {
        if (!rp_decode_clock(m->data, m->len, &it.clock)) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s is not a valid rigsync_msgs/msg/ClockEvent",
                 m->sequence, ch->topic);
            return;
        }
        if (!rp_host_ts_ok(it.clock.host_before_us) || !rp_host_ts_ok(it.clock.host_after_us)) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s: host times %" PRId64 " and %" PRId64
                 " us are not on a host clock (0 to 2^53 us)",
                 m->sequence, ch->topic, it.clock.host_before_us, it.clock.host_after_us);
            return;
        }
        it.kind = RP_CLOCK;
        it.t_us = it.clock.kind == RIG_CLOCK_EVENT_TWO_WAY ? it.clock.host_after_us
                                                           : it.clock.host_before_us;
        pthread_mutex_lock(&st->lock);
        it.dev = rp_find(st, it.clock.serial);
        pthread_mutex_unlock(&st->lock);
    } else if (strcmp(ch->topic, "/rig/device_events") == 0) {
        if (!rp_decode_device_event(m->data, m->len, &it.ev)) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s is not a valid rigsync_msgs/msg/DeviceEvent",
                 m->sequence, ch->topic);
            return;
        }
        if (!rp_host_ts_ok(it.ev.host_ts_us)) {
            fail(st, RIG_ERROR_IO, off,
                 "message %" PRIu32 " of %s: host time %" PRId64
                 " us is not on a host clock (0 to 2^53 us)",
                 m->sequence, ch->topic, it.ev.host_ts_us);
            return;
        }
        it.kind = RP_DEVEV;
        it.t_us = it.ev.host_ts_us;
        pthread_mutex_lock(&st->lock);
        it.dev = rp_find(st, it.ev.serial);
        pthread_mutex_unlock(&st->lock);
    } else {
        return; /* framesets: the core makes them again */
    }
    if (!push(st, &it)) {
        rig_frame_release(it.frame);
        fail(st, RIG_ERROR_NO_MEMORY, off, "out of memory reading ahead");
    }
}

size_t rp_fill(rp_state_t *st, size_t n)
{
    while (st->look_len < n && !st->eof) {
        rig_mcap_message_t m;
        bool end = false;
        rig_error_t e = rig_mcap_reader_next_message(st->reader, &m, &end);
        if (e != RIG_OK) {
            const rig_mcap_problem_t *p = rig_mcap_reader_problem(st->reader);
            if (p->fault == RIG_MCAP_FAULT_TRUNCATED) {
                /* A recording cut short (a crash, kill -9): everything up to its last complete
                 * chunk was replayed. Not an error; the caller warns. */
                pthread_mutex_lock(&st->lock);
                if (!st->message[0])
                    rig_fmt(st->message, sizeof st->message,
                            "%s is cut at offset %" PRIu64 " (%s): replayed up to its last "
                            "complete chunk",
                            st->path, p->offset, p->what);
                pthread_mutex_unlock(&st->lock);
                st->eof = true;
            } else {
                fail(st, e == RIG_ERROR_NO_MEMORY ? e : RIG_ERROR_IO, p->offset, "%s (%s)",
                     p->what, rig_mcap_fault_name(p->fault));
            }
            break;
        }
        if (end) {
            st->eof = true;
            break;
        }
        take_message(st, &m);
    }
    return st->look_len;
}

void rp_feed_free(rp_state_t *st)
{
    for (size_t i = 0; i < st->look_len; i++)
        rig_frame_release(rp_peek(st, i)->frame);
    free(st->look);
    st->look = NULL;
    st->look_len = st->look_cap = st->look_head = 0;
    for (size_t d = 0; d < st->ndev; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            free(st->dev[d].px[s]);
            st->dev[d].px[s] = NULL;
        }
}

/* What get_sync answers after the device's return, from the core's events of the recording:
 * the config it found (REBOOTED says which mode), or the recorded one when the core wrote
 * nothing (no RECONFIGURED). */
static void set_answer(rp_device_t *d, bool reconfigured, const char *rebooted)
{
    d->answer_set = reconfigured;
    if (!reconfigured)
        return;
    d->answer = rig_sync_config_default();
    char mode[64];
    rig_sync_mode_t m;
    const char *p = rebooted ? strstr(rebooted, "came back as ") : NULL;
    if (p && sscanf(p, "came back as %63[A-Za-z_]", mode) == 1 && rig_sync_mode_parse(mode, &m))
        d->answer.mode = m;
    if (d->sync_known && rig_sync_config_equal(&d->answer, &d->sync))
        d->answer.mode = d->sync.mode == RIG_SYNC_MODE_FREE_RUN ? RIG_SYNC_MODE_STANDALONE
                                                                : RIG_SYNC_MODE_FREE_RUN;
}

/* BACK / ARRIVED at host time t: the devices of one arrival notice. The core's events of the
 * same notice follow with the same time (BACK / ARRIVED, REBOOTED, RECONFIGURED for each device,
 * then RESTARTED); a BACK / ARRIVED after a RESTARTED starts the next notice. */
static bool deliver_arrivals(rp_state_t *st)
{
    int64_t t = rp_peek(st, 0)->t_us;
    size_t n = 0;
    bool restarted = false;
    for (;; n++) {
        if (rp_fill(st, n + 1) < n + 1)
            break;
        rp_item_t *it = rp_peek(st, n);
        if (it->kind != RP_DEVEV || it->t_us != t)
            break;
        int k = it->ev.kind;
        bool arrival = k == RIG_DEVICE_EVENT_BACK || k == RIG_DEVICE_EVENT_ARRIVED;
        if (k == RIG_DEVICE_EVENT_GONE || (arrival && restarted))
            break;
        restarted |= k == RIG_DEVICE_EVENT_RESTARTED || k == RIG_DEVICE_EVENT_RECOVERY_FAILED;
    }
    const char **serials = calloc(n ? n : 1, sizeof(char *));
    char(*names)[64] = calloc(n ? n : 1, sizeof(*names));
    size_t k = 0;
    if (!serials || !names) {
        free(serials);
        free(names);
        for (size_t i = 0; i < n; i++)
            pop(st);
        return false;
    }
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < n; i++) {
        const rp_item_t *it = rp_peek(st, i);
        if (it->ev.kind != RIG_DEVICE_EVENT_BACK && it->ev.kind != RIG_DEVICE_EVENT_ARRIVED)
            continue;
        bool dup = false;
        for (size_t j = 0; j < k; j++)
            dup |= strcmp(names[j], it->ev.serial) == 0;
        if (dup)
            continue;
        rig_strlcpy(names[k], it->ev.serial, sizeof names[k]);
        serials[k] = names[k];
        k++;
        if (it->dev == SIZE_MAX)
            continue;
        rp_device_t *d = &st->dev[it->dev];
        d->present = true;
        bool reconf = false;
        const char *rebooted = NULL;
        for (size_t j = 0; j < n; j++) {
            const rp_item_t *o = rp_peek(st, j);
            if (strcmp(o->ev.serial, it->ev.serial) != 0)
                continue;
            reconf |= o->ev.kind == RIG_DEVICE_EVENT_RECONFIGURED;
            if (o->ev.kind == RIG_DEVICE_EVENT_REBOOTED)
                rebooted = o->ev.detail;
        }
        set_answer(d, reconf, rebooted);
    }
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++)
        pop(st);
    if (k)
        rig_context_deliver_device_arrivals(st->ctx, serials, k, t);
    free(serials);
    free(names);
    return k > 0;
}

bool rp_deliver_next(rp_state_t *st)
{
    rp_item_t *p = rp_peek(st, 0);
    if (!p)
        return false;
    if (p->kind == RP_DEVEV &&
        (p->ev.kind == RIG_DEVICE_EVENT_BACK || p->ev.kind == RIG_DEVICE_EVENT_ARRIVED))
        return deliver_arrivals(st);
    rp_item_t it = *p;
    pop(st);
    pthread_mutex_lock(&st->lock);
    rp_device_t *d = it.dev < st->ndev ? &st->dev[it.dev] : NULL;
    bool open = d && d->open;
    size_t index = d ? d->dev_index : 0;
    if (it.kind == RP_FRAME && (!open || !d->started)) {
        pthread_mutex_unlock(&st->lock);
        rig_frame_release(it.frame);
        return false;
    }
    if (it.kind == RP_FRAME) {
        unsigned s = (unsigned)it.frame->stream;
        /* The core numbers frames on across returns: it gets the device's own numbers. */
        it.frame->device_index = index;
        it.frame->index = it.frame->index >= d->base[s] ? it.frame->index - d->base[s] : 0;
        if (it.frame->index + d->base[s] >= d->next_index[s])
            d->next_index[s] = it.frame->index + d->base[s] + 1;
    }
    if (it.kind == RP_DEVEV && it.ev.kind == RIG_DEVICE_EVENT_GONE && d) {
        d->present = false;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->base[s] = d->next_index[s];
    }
    pthread_mutex_unlock(&st->lock);
    switch (it.kind) {
    case RP_FRAME:
        rig_context_deliver_frame(st->ctx, it.frame);
        return true;
    case RP_CLOCK:
        if (!open)
            return false;
        if (it.clock.kind == RIG_CLOCK_EVENT_TWO_WAY)
            rig_context_deliver_time_sample(st->ctx, index, it.clock.host_before_us,
                                            it.clock.device_us, it.clock.host_after_us);
        else
            rig_context_deliver_clock_write(st->ctx, index, it.clock.host_before_us);
        return true;
    case RP_DEVEV:
        if (it.ev.kind != RIG_DEVICE_EVENT_GONE || !open)
            return false; /* the core's own events: it makes them again */
        {
            /* The core adds its own words to the backend's detail: taken off again. */
            static const char tail[] = "; its slots stay empty (SILENT) until it is back";
            size_t len = strlen(it.ev.detail), tl = sizeof(tail) - 1;
            if (len >= tl && strcmp(it.ev.detail + len - tl, tail) == 0)
                it.ev.detail[len - tl] = '\0';
            rig_context_deliver_device_event(st->ctx, index, RIG_DEVICE_EVENT_GONE, it.t_us,
                                             it.ev.detail);
        }
        return true;
    }
    return false;
}

/* The net backend's receive side: one thread reads every node's messages, keeps each link's
 * state and counters, and delivers to the core (never holding st->lock then). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/net/net_internal.h"
#include "common/util.h"

#include <time.h>

void net_on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
    (void)p;
    net_host_t *h = arg;
    pthread_mutex_lock(&h->st->lock);
    if (ev == NNG_PIPE_EV_ADD_POST) {
        h->pipes++;
    } else if (ev == NNG_PIPE_EV_REM_POST) {
        if (h->pipes)
            h->pipes--;
        h->pipe_dropped = true;
    }
    pthread_mutex_unlock(&h->st->lock);
}

/* Declares the host gone: its devices leave (GONE with `why`). Lock held; released meanwhile. */
static void go_down(net_host_t *h, rig_net_link_t link, const char *why)
{
    net_state_t *st = h->st;
    if (h->link != RIG_NET_LINK_UP) {
        if (h->link != RIG_NET_LINK_CONNECTING)
            h->link = link;
        return;
    }
    h->link = link;
    h->stats.outages++;
    rig_strlcpy(h->stats.last_down, why, sizeof h->stats.last_down);
    size_t *gone = calloc(h->count ? h->count : 1, sizeof(*gone));
    size_t n = 0;
    for (size_t i = h->first; i < h->first + h->count; i++) {
        net_dev_t *d = &st->dev[i];
        if (!d->present)
            continue;
        d->present = false;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->base[s] = d->next_node[s];
        if (d->open && gone)
            gone[n++] = d->dev_index;
    }
    bool armed = st->armed;
    pthread_mutex_unlock(&st->lock);
    for (size_t k = 0; armed && k < n; k++)
        rig_context_deliver_device_event(st->ctx, gone[k], RIG_DEVICE_EVENT_GONE,
                                         rig_realtime_us(), why);
    free(gone);
    pthread_mutex_lock(&st->lock);
}

/* The host is heard again: the devices its node reports come back through the core's arrival
 * path (BACK, or ARRIVED for devices never opened). Lock held; released meanwhile. */
static void come_back(net_host_t *h)
{
    net_state_t *st = h->st;
    h->link = RIG_NET_LINK_UP;
    pthread_cond_broadcast(&st->cond);
    const char **serials = calloc(h->count ? h->count : 1, sizeof(*serials));
    char(*names)[64] = calloc(h->count ? h->count : 1, sizeof(*names));
    size_t n = 0;
    for (size_t k = 0; k < h->map_n; k++) {
        if (h->map[k] == SIZE_MAX)
            continue;
        net_dev_t *d = &st->dev[h->map[k]];
        if (d->present)
            continue;
        d->present = true;
        if (serials && names) {
            rig_strlcpy(names[n], d->info.serial, sizeof names[n]);
            serials[n] = names[n];
            n++;
        }
    }
    bool armed = st->armed;
    pthread_mutex_unlock(&st->lock);
    if (armed && n)
        rig_context_deliver_device_arrivals(st->ctx, serials, n, rig_realtime_us());
    free(serials);
    free(names);
    pthread_mutex_lock(&st->lock);
}

/* A new node instance: its numbering and counters start again. Lock held. */
static void node_restarted(net_host_t *h)
{
    h->stats.restarts++;
    h->dropped_before += h->dropped_now;
    h->dropped_now = 0;
    h->hello_seen = false;
    h->have_seq = false;
    for (size_t i = h->first; i < h->first + h->count; i++) {
        net_dev_t *d = &h->st->dev[i];
        memset(d->base, 0, sizeof d->base);
        memset(d->next_node, 0, sizeof d->next_node);
        memset(d->seen, 0, sizeof d->seen);
    }
    char why[192];
    rig_fmt(why, sizeof why, "%s: its node restarted", h->name);
    go_down(h, RIG_NET_LINK_DOWN, why);
}

static void apply_hello(net_host_t *h, const rig_wire_msg_t *m)
{
    net_state_t *st = h->st;
    const rig_wire_hello_t *hello = &m->u.hello;
    h->node_id = m->node_id;
    h->hello_seen = true;
    h->map_n = hello->device_count;
    for (size_t k = 0; k < hello->device_count; k++) {
        h->map[k] = SIZE_MAX;
        for (size_t i = h->first; i < h->first + h->count; i++) {
            if (strcmp(st->dev[i].info.serial, hello->devices[k].serial) != 0)
                continue;
            h->map[k] = i;
            st->dev[i].hello_known = true;
            st->dev[i].hello_sync = hello->devices[k].sync;
            if (strcmp(hello->devices[k].model, "?") != 0)
                rig_strlcpy(st->dev[i].info.model, hello->devices[k].model,
                            sizeof st->dev[i].info.model);
        }
    }
}

static net_dev_t *mapped(net_host_t *h, uint16_t device)
{
    return device < h->map_n && h->map[device] != SIZE_MAX ? &h->st->dev[h->map[device]] : NULL;
}

static void note_latency(net_host_t *h, int64_t host_ts_us)
{
    if (host_ts_us == RIG_TS_NONE)
        return;
    int64_t lat = rig_realtime_us() - host_ts_us;
    lat = lat < 0 ? 0 : lat;
    size_t b = (size_t)RIG_MIN(lat / NET_LAT_BUCKET_US, (int64_t)NET_LAT_BUCKETS - 1);
    h->lat[b]++;
    h->lat_n++;
    h->lat_max = RIG_MAX(h->lat_max, lat);
}

/* A FRAME: counted, then delivered when its device is open and started. Lock held. */
static void on_frame(net_host_t *h, const rig_wire_frame_t *w)
{
    h->stats.frames++;
    note_latency(h, w->host_ts_us);
    net_dev_t *d = mapped(h, w->device);
    if (!d || w->stream >= RIG_STREAM_COUNT)
        return;
    unsigned s = w->stream;
    if (d->seen[s] && w->index > d->next_node[s] && d->epoch[s] != h->gap_epoch)
        h->stats.lost_frames += w->index - d->next_node[s]; /* held by the lost messages */
    d->epoch[s] = h->gap_epoch;
    d->seen[s] = true;
    if (w->index >= d->next_node[s])
        d->next_node[s] = w->index + 1;
    if (!d->open || !d->started || !d->present)
        return;
    bool px = (w->flags & RIG_WIRE_FRAME_PIXELS) && w->data_size;
    rig_frame_t *f = rig_frame_alloc(px ? w->data_size : 0);
    if (!f)
        return;
    f->device_index = d->dev_index;
    rig_strlcpy(f->serial, d->info.serial, sizeof f->serial);
    f->stream = (rig_stream_t)s;
    /* The core numbers on across returns: it gets the node's numbers since the return. */
    f->index = w->index >= d->base[s] ? w->index - d->base[s] : 0;
    f->device_ts_us = w->device_ts_us;
    f->host_ts_us = w->host_ts_us;
    /* The matcher waits for a slot as long as its frames take to reach here, the network
     * included (this host's CLOCK_REALTIME and the nodes' host clocks: one PTP time line). */
    f->arrival_us = rig_realtime_us();
    f->interfered = (w->flags & RIG_WIRE_FRAME_INTERFERED) != 0;
    if (w->flags & RIG_WIRE_FRAME_TRUTH) { /* node --truth: rig_sim_frame_truth works here too */
        f->has_truth = true;
        f->truth.trigger_seq = w->trigger_seq;
        f->truth.true_mono_us = w->true_mono_us;
        f->truth.capture_start_us = RIG_TS_NONE;
        f->truth.true_ts_us = RIG_TS_NONE;
        f->truth.arrival_us = w->host_ts_us;
    }
    if (px) {
        memcpy(f->data, w->data, w->data_size);
        f->format = (rig_format_t)w->format;
        f->width = w->width;
        f->height = w->height;
    }
    net_state_t *st = h->st;
    pthread_mutex_unlock(&st->lock);
    rig_context_deliver_frame(st->ctx, f);
    pthread_mutex_lock(&st->lock);
}

static void on_clock(net_host_t *h, const rig_wire_clock_t *c)
{
    net_dev_t *d = mapped(h, c->device);
    if (!d || !d->open || !d->present)
        return;
    size_t index = d->dev_index;
    net_state_t *st = h->st;
    pthread_mutex_unlock(&st->lock);
    if (c->kind == RIG_CLOCK_EVENT_TWO_WAY)
        rig_context_deliver_time_sample(st->ctx, index, c->host_before_us, c->device_us,
                                        c->host_after_us);
    else
        rig_context_deliver_clock_write(st->ctx, index, c->host_before_us);
    pthread_mutex_lock(&st->lock);
}

/* A device event of the node's core: a camera of that host left or came back, or what the
 * node's core did; told with the host's name. */
static void on_event(net_host_t *h, const rig_wire_event_t *e)
{
    net_state_t *st = h->st;
    net_dev_t *d = e->device == RIG_WIRE_DEVICE_NONE ? NULL : mapped(h, e->device);
    char detail[RIG_WIRE_MAX_STRING + RIG_HOSTS_NAME_MAX + 8];
    rig_fmt(detail, sizeof detail, "%s: %s", h->name, e->detail);
    /* The node's core adds its own words to a GONE; the aggregator's core adds them again. */
    static const char tail[] = "; its slots stay empty (SILENT) until it is back";
    size_t len = strlen(detail), tl = sizeof(tail) - 1;
    if (len >= tl && strcmp(detail + len - tl, tail) == 0)
        detail[len - tl] = '\0';
    int kind = e->kind;
    if ((kind == RIG_DEVICE_EVENT_BACK || kind == RIG_DEVICE_EVENT_ARRIVED) && d) {
        if (d->present)
            return; /* the node's recovery; nothing left here */
        d->present = true;
        const char *serial = d->info.serial;
        bool armed = st->armed;
        char name[64];
        rig_strlcpy(name, serial, sizeof name);
        const char *list[1] = {name};
        pthread_mutex_unlock(&st->lock);
        if (armed)
            rig_context_deliver_device_arrivals(st->ctx, list, 1, e->host_ts_us);
        pthread_mutex_lock(&st->lock);
        return;
    }
    size_t index = RIG_DEVICE_INDEX_NONE;
    if (d && d->open)
        index = d->dev_index;
    if (kind == RIG_DEVICE_EVENT_GONE && d) {
        bool was = d->present && d->open;
        d->present = false;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->base[s] = d->next_node[s];
        if (!was)
            return;
    }
    if (!st->armed)
        return;
    pthread_mutex_unlock(&st->lock);
    rig_context_deliver_device_event(st->ctx, index, (rig_device_event_kind_t)kind, e->host_ts_us,
                                     detail);
    pthread_mutex_lock(&st->lock);
}

/* Messages lost on the link: one event per host and second at most, with the count. */
static void tell_losses(net_host_t *h, int64_t now)
{
    net_state_t *st = h->st;
    if (!h->pending_lost || !st->armed ||
        (h->last_loss_event_us && now - h->last_loss_event_us < NET_LOSS_EVENT_EVERY_US))
        return;
    char detail[RIG_HOSTS_NAME_MAX + 96];
    rig_fmt(detail, sizeof detail, "%s: %" PRIu64 " message%s lost on the link (sequence gaps)",
            h->name, h->pending_lost, h->pending_lost == 1 ? "" : "s");
    h->pending_lost = 0;
    h->last_loss_event_us = now;
    pthread_mutex_unlock(&st->lock);
    rig_context_deliver_device_event(st->ctx, RIG_DEVICE_INDEX_NONE, RIG_DEVICE_EVENT_LINK_LOSS,
                                     rig_realtime_us(), detail);
    pthread_mutex_lock(&st->lock);
}

static void on_message(net_host_t *h, const rig_wire_msg_t *m)
{
    net_state_t *st = h->st;
    pthread_mutex_lock(&st->lock);
    int64_t now = rig_monotonic_us();
    h->last_rx_us = now;
    h->stats.messages++;
    bool restart = (m->type == RIG_WIRE_HELLO && h->hello_seen && m->node_id != h->node_id) ||
                   (h->have_seq && m->seq < h->next_seq);
    if (restart)
        node_restarted(h);
    if (!h->have_seq) {
        h->have_seq = true;
    } else if (m->seq > h->next_seq) {
        uint64_t gap = m->seq - h->next_seq;
        h->stats.lost_messages += gap;
        h->pending_lost += gap;
        h->gap_epoch++;
    }
    h->next_seq = m->seq + 1;
    if (m->type == RIG_WIRE_HELLO)
        apply_hello(h, m);
    if (h->link != RIG_NET_LINK_UP && h->hello_seen && h->pipes > 0)
        come_back(h);
    if (h->link == RIG_NET_LINK_UP) {
        switch (m->type) {
        case RIG_WIRE_FRAME:
            on_frame(h, &m->u.frame);
            break;
        case RIG_WIRE_CLOCK:
            on_clock(h, &m->u.clock);
            break;
        case RIG_WIRE_EVENT:
            on_event(h, &m->u.event);
            break;
        case RIG_WIRE_PTP:
            h->stats.ptp_seen = true;
            h->stats.ptp_valid = m->u.ptp.valid != 0;
            h->stats.ptp_offset_ns = m->u.ptp.offset_ns;
            h->stats.ptp_servo_state = m->u.ptp.servo_state;
            break;
        case RIG_WIRE_HEARTBEAT:
            h->dropped_now = m->u.heartbeat.dropped;
            break;
        default:
            break;
        }
    }
    tell_losses(h, now);
    pthread_mutex_unlock(&st->lock);
}

/* One network message: one wire message or a batch of them back to back (the node packs what
 * waits in its queue). Each is decoded and accounted for on its own; a malformed one counts as
 * a bad message, and a malformed tail (a header that cannot be trusted) ends the walk. */
static void on_batch(net_host_t *h, rig_wire_msg_t *m, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    do {
        size_t n = 0;
        bool split = rig_wire_next(buf + pos, len - pos, &n, NULL, 0) == RIG_OK;
        if (split && rig_wire_decode(buf + pos, n, m, NULL, 0) == RIG_OK) {
            on_message(h, m);
        } else {
            pthread_mutex_lock(&h->st->lock);
            h->stats.bad_messages++;
            pthread_mutex_unlock(&h->st->lock);
        }
        if (!split)
            return;
        pos += n;
    } while (pos < len);
}

/* Between messages: a dropped connection or a silence makes the host gone. */
static void tick(net_host_t *h)
{
    net_state_t *st = h->st;
    pthread_mutex_lock(&st->lock);
    int64_t now = rig_monotonic_us();
    char why[192];
    if (h->pipe_dropped && h->pipes == 0) {
        h->pipe_dropped = false;
        rig_fmt(why, sizeof why,
                "%s: connection to its node lost: node down or network partitioned", h->name);
        go_down(h, RIG_NET_LINK_DOWN, why);
    } else if (h->link == RIG_NET_LINK_UP && now - h->last_rx_us >= RIG_NET_SILENCE_US) {
        rig_fmt(why, sizeof why, "%s: no message for %.1f s: node down or network partitioned",
                h->name, (double)(now - h->last_rx_us) / 1e6);
        go_down(h, RIG_NET_LINK_SILENT, why);
    }
    tell_losses(h, now);
    pthread_mutex_unlock(&st->lock);
}

/* Drains one host's socket (at most NET_ROUND_MAX_MSGS network messages: one host cannot
 * starve the others), then looks at its link. */
static void drain(net_host_t *h, rig_wire_msg_t *m)
{
    for (int n = 0; n < NET_ROUND_MAX_MSGS; n++) {
        nng_msg *msg = NULL;
        if (nng_recvmsg(h->sock, &msg, NNG_FLAG_NONBLOCK) != 0)
            break;
        on_batch(h, m, nng_msg_body(msg), nng_msg_len(msg));
        nng_msg_free(msg);
    }
    tick(h);
}

void *net_rx_main(void *arg)
{
    net_state_t *st = arg;
    rig_wire_msg_t *m = malloc(sizeof(*m));
    for (;;) {
        pthread_mutex_lock(&st->lock);
        bool stop = st->stopping;
        pthread_mutex_unlock(&st->lock);
        if (stop || !m)
            break;
        for (size_t k = 0; k < st->nhost; k++)
            drain(&st->host[k], m);
        struct timespec ts = {0, NET_ROUND_US * 1000L};
        nanosleep(&ts, NULL);
    }
    free(m);
    return NULL;
}

/* The node wire format (wire.h): little-endian, length-checked, no I/O. */
#include "net/wire.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const uint8_t magic[4] = {'R', 'S', 'Y', 'N'};

const char *rig_wire_type_name(int type)
{
    static const char *const names[] = {"?", "HELLO", "FRAME", "CLOCK", "EVENT", "PTP",
                                        "HEARTBEAT"};
    return type >= 1 && type <= RIG_WIRE_TYPE_MAX ? names[type] : "?";
}

/* ---- writing ---- */

typedef struct wbuf {
    uint8_t *p; /* NULL: only count */
    size_t cap, len;
    bool bad;
} wbuf_t;

static void put_bytes(wbuf_t *w, const void *src, size_t n)
{
    if (w->bad)
        return;
    if (w->p) {
        if (n > w->cap - w->len) {
            w->bad = true;
            return;
        }
        if (n)
            memcpy(w->p + w->len, src, n);
    }
    w->len += n;
}

static void put_u(wbuf_t *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put_bytes(w, b, n);
}

static void put_i64(wbuf_t *w, int64_t v) { put_u(w, (uint64_t)v, 8); }
static void put_i32(wbuf_t *w, int32_t v) { put_u(w, (uint32_t)v, 4); }

static void put_str(wbuf_t *w, const char *s)
{
    size_t n = strnlen(s, RIG_WIRE_MAX_STRING + 1);
    if (n > RIG_WIRE_MAX_STRING) {
        w->bad = true;
        return;
    }
    put_u(w, n, 2);
    put_bytes(w, s, n);
}

static bool pixels_coherent(const rig_wire_frame_t *f)
{
    if (f->data_size > RIG_WIRE_MAX_PIXELS || (f->data_size && !f->data))
        return false;
    if (f->format == RIG_FORMAT_MJPG)
        return f->stride == 0;
    if (f->format != RIG_FORMAT_Y16 && f->format != RIG_FORMAT_RGB)
        return false;
    uint64_t row = (uint64_t)f->width * rig_format_bytes_per_pixel((rig_format_t)f->format);
    return f->stride >= row && (uint64_t)f->stride * f->height == f->data_size;
}

static void put_body(wbuf_t *w, const rig_wire_msg_t *m)
{
    switch (m->type) {
    case RIG_WIRE_HELLO: {
        const rig_wire_hello_t *h = &m->u.hello;
        if (h->device_count > RIG_WIRE_MAX_DEVICES) {
            w->bad = true;
            return;
        }
        put_u(w, h->protocol, 2);
        put_str(w, h->host);
        put_u(w, h->device_count, 2);
        for (size_t i = 0; i < h->device_count; i++) {
            const rig_wire_device_t *d = &h->devices[i];
            put_str(w, d->serial);
            put_str(w, d->model);
            put_u(w, (uint32_t)d->sync.mode, 4);
            put_i32(w, d->sync.depth_delay_us);
            put_i32(w, d->sync.color_delay_us);
            put_i32(w, d->sync.trigger_to_image_delay_us);
            put_u(w, d->sync.trigger_out_enable ? 1 : 0, 1);
            put_i32(w, d->sync.trigger_out_delay_us);
            put_i32(w, d->sync.frames_per_trigger);
        }
        break;
    }
    case RIG_WIRE_FRAME: {
        const rig_wire_frame_t *f = &m->u.frame;
        if ((f->flags & ~RIG_WIRE_FRAME_FLAGS_ALL) || f->stream >= 2 ||
            ((f->flags & RIG_WIRE_FRAME_PIXELS) && !pixels_coherent(f))) {
            w->bad = true;
            return;
        }
        put_u(w, f->device, 2);
        put_u(w, f->stream, 1);
        put_u(w, f->flags, 1);
        put_u(w, f->index, 8);
        put_i64(w, f->device_ts_us);
        put_i64(w, f->host_ts_us);
        put_i64(w, f->global_ts_us);
        put_i64(w, f->global_bound_us);
        if (f->flags & RIG_WIRE_FRAME_TRUTH) {
            put_u(w, f->trigger_seq, 8);
            put_i64(w, f->true_mono_us);
        }
        if (f->flags & RIG_WIRE_FRAME_PIXELS) {
            put_u(w, f->format, 1);
            put_u(w, f->width, 4);
            put_u(w, f->height, 4);
            put_u(w, f->stride, 4);
            put_u(w, f->data_size, 4);
            put_bytes(w, f->data, f->data_size);
        }
        break;
    }
    case RIG_WIRE_CLOCK: {
        const rig_wire_clock_t *c = &m->u.clock;
        if (c->kind > RIG_CLOCK_EVENT_WRITE) {
            w->bad = true;
            return;
        }
        put_u(w, c->kind, 1);
        put_u(w, c->device, 2);
        put_i64(w, c->host_before_us);
        put_i64(w, c->device_us);
        put_i64(w, c->host_after_us);
        break;
    }
    case RIG_WIRE_EVENT: {
        const rig_wire_event_t *e = &m->u.event;
        if (e->kind > RIG_DEVICE_EVENT_RECOVERY_FAILED) {
            w->bad = true;
            return;
        }
        put_u(w, e->kind, 1);
        put_u(w, e->device, 2);
        put_i64(w, e->host_ts_us);
        put_str(w, e->serial);
        put_str(w, e->detail);
        break;
    }
    case RIG_WIRE_PTP: {
        const rig_wire_ptp_t *p = &m->u.ptp;
        if (p->valid > 1 || p->servo_state > RIG_WIRE_PTP_SERVO_MAX ||
            p->port_state > RIG_WIRE_PTP_PORT_MAX || p->gm_present > 1) {
            w->bad = true;
            return;
        }
        put_i64(w, p->offset_ns);
        put_u(w, p->servo_state, 1);
        put_u(w, p->port_state, 1);
        put_u(w, p->valid, 1);
        put_i64(w, p->host_ts_us);
        put_i64(w, p->mean_path_delay_ns);
        put_u(w, p->steps_removed, 2);
        put_u(w, p->gm_present, 1);
        put_bytes(w, p->gm_identity, 8);
        break;
    }
    case RIG_WIRE_HEARTBEAT: {
        const rig_wire_heartbeat_t *h = &m->u.heartbeat;
        put_i64(w, h->node_time_us);
        put_u(w, h->frames_published, 8);
        put_u(w, h->dropped, 8);
        put_u(w, h->subscribers, 4);
        break;
    }
    default:
        w->bad = true;
    }
}

static void put_msg(wbuf_t *w, const rig_wire_msg_t *m, size_t body)
{
    put_bytes(w, magic, 4);
    put_u(w, RIG_WIRE_VERSION, 2);
    put_u(w, m->type, 1);
    put_u(w, 0, 1);
    put_u(w, m->node_id, 4);
    put_u(w, body, 4);
    put_u(w, m->seq, 8);
    put_body(w, m);
}

size_t rig_wire_encoded_size(const rig_wire_msg_t *msg)
{
    if (!msg)
        return 0;
    wbuf_t w = {0};
    put_body(&w, msg);
    if (w.bad || w.len > UINT32_MAX - RIG_WIRE_HEADER_SIZE)
        return 0;
    return w.len + RIG_WIRE_HEADER_SIZE;
}

rig_error_t rig_wire_encode(const rig_wire_msg_t *msg, uint8_t *buf, size_t cap, size_t *len)
{
    size_t n = rig_wire_encoded_size(msg);
    if (!n || !buf || cap < n)
        return RIG_ERROR_INVALID_ARGUMENT;
    wbuf_t w = {.p = buf, .cap = cap};
    put_msg(&w, msg, n - RIG_WIRE_HEADER_SIZE);
    if (w.bad || w.len != n)
        return RIG_ERROR_INTERNAL;
    if (len)
        *len = n;
    return RIG_OK;
}

void rig_wire_set_seq(uint8_t *buf, size_t len, uint64_t seq)
{
    if (!buf || len < RIG_WIRE_HEADER_SIZE)
        return;
    for (size_t i = 0; i < 8; i++)
        buf[RIG_WIRE_SEQ_OFFSET + i] = (uint8_t)(seq >> (8 * i));
}

/* ---- reading ---- */

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    char *why;
    size_t why_len;
    bool bad;
} rbuf_t;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fail(rbuf_t *r, const char *fmt, ...)
{
    if (r->bad)
        return;
    r->bad = true;
    if (r->why && r->why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, r->why_len, fmt, ap);
        va_end(ap);
    }
}

static bool need(rbuf_t *r, size_t n, const char *what)
{
    if (r->bad)
        return false;
    if (n > r->len - r->pos) {
        fail(r, "truncated: %s needs %zu bytes at offset %zu, %zu left", what, n, r->pos,
             r->len - r->pos);
        return false;
    }
    return true;
}

static uint64_t get_u(rbuf_t *r, size_t n, const char *what)
{
    if (!need(r, n, what))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += n;
    return v;
}

static int64_t get_i64(rbuf_t *r, const char *what) { return (int64_t)get_u(r, 8, what); }
static int32_t get_i32(rbuf_t *r, const char *what)
{
    return (int32_t)(uint32_t)get_u(r, 4, what);
}

static void get_str(rbuf_t *r, char *out, const char *what)
{
    size_t n = (size_t)get_u(r, 2, what);
    out[0] = '\0';
    if (r->bad)
        return;
    if (n > RIG_WIRE_MAX_STRING) {
        fail(r, "%s is %zu bytes long, at most %d allowed", what, n, RIG_WIRE_MAX_STRING);
        return;
    }
    if (!need(r, n, what))
        return;
    if (memchr(r->p + r->pos, '\0', n)) {
        fail(r, "%s holds a NUL byte", what);
        return;
    }
    memcpy(out, r->p + r->pos, n);
    out[n] = '\0';
    r->pos += n;
}

static void get_hello(rbuf_t *r, rig_wire_hello_t *h)
{
    h->protocol = (uint16_t)get_u(r, 2, "HELLO protocol");
    get_str(r, h->host, "HELLO host name");
    h->device_count = (uint16_t)get_u(r, 2, "HELLO device count");
    if (!r->bad && h->device_count > RIG_WIRE_MAX_DEVICES)
        fail(r, "HELLO lists %u devices, at most %d allowed", (unsigned)h->device_count,
             RIG_WIRE_MAX_DEVICES);
    for (size_t i = 0; !r->bad && i < h->device_count; i++) {
        rig_wire_device_t *d = &h->devices[i];
        get_str(r, d->serial, "HELLO device serial");
        get_str(r, d->model, "HELLO device model");
        uint32_t mode = (uint32_t)get_u(r, 4, "HELLO device mode");
        if (!r->bad && !rig_sync_mode_name((rig_sync_mode_t)mode))
            fail(r, "HELLO device %zu has mode %u, which is no sync mode", i, (unsigned)mode);
        d->sync.mode = (rig_sync_mode_t)mode;
        d->sync.depth_delay_us = get_i32(r, "HELLO depth delay");
        d->sync.color_delay_us = get_i32(r, "HELLO color delay");
        d->sync.trigger_to_image_delay_us = get_i32(r, "HELLO trigger to image delay");
        uint64_t out = get_u(r, 1, "HELLO trigger out enable");
        if (!r->bad && out > 1)
            fail(r, "HELLO device %zu: trigger out enable is %u, not 0 or 1", i, (unsigned)out);
        d->sync.trigger_out_enable = out == 1;
        d->sync.trigger_out_delay_us = get_i32(r, "HELLO trigger out delay");
        d->sync.frames_per_trigger = get_i32(r, "HELLO frames per trigger");
    }
}

static void get_frame(rbuf_t *r, rig_wire_frame_t *f)
{
    f->device = (uint16_t)get_u(r, 2, "FRAME device");
    f->stream = (uint8_t)get_u(r, 1, "FRAME stream");
    if (!r->bad && f->stream >= 2)
        fail(r, "FRAME stream %u is neither color (0) nor depth (1)", (unsigned)f->stream);
    f->flags = (uint8_t)get_u(r, 1, "FRAME flags");
    if (!r->bad && (f->flags & ~RIG_WIRE_FRAME_FLAGS_ALL))
        fail(r, "FRAME flags 0x%02x has unknown bits", (unsigned)f->flags);
    f->index = get_u(r, 8, "FRAME index");
    f->device_ts_us = get_i64(r, "FRAME device timestamp");
    f->host_ts_us = get_i64(r, "FRAME host timestamp");
    f->global_ts_us = get_i64(r, "FRAME global timestamp");
    f->global_bound_us = get_i64(r, "FRAME global bound");
    f->trigger_seq = 0;
    f->true_mono_us = 0;
    if (!r->bad && (f->flags & RIG_WIRE_FRAME_TRUTH)) {
        f->trigger_seq = get_u(r, 8, "FRAME truth trigger sequence");
        f->true_mono_us = get_i64(r, "FRAME truth mid-exposure instant");
    }
    f->format = RIG_FORMAT_NONE;
    f->width = f->height = f->stride = f->data_size = 0;
    f->data = NULL;
    if (r->bad || !(f->flags & RIG_WIRE_FRAME_PIXELS))
        return;
    f->format = (uint8_t)get_u(r, 1, "FRAME pixel format");
    f->width = (uint32_t)get_u(r, 4, "FRAME width");
    f->height = (uint32_t)get_u(r, 4, "FRAME height");
    f->stride = (uint32_t)get_u(r, 4, "FRAME stride");
    f->data_size = (uint32_t)get_u(r, 4, "FRAME pixel size");
    if (!need(r, f->data_size, "FRAME pixels"))
        return;
    f->data = r->p + r->pos;
    r->pos += f->data_size;
    if (!pixels_coherent(f))
        fail(r, "FRAME pixels: format %u, %ux%u, stride %u and %u bytes disagree",
             (unsigned)f->format, (unsigned)f->width, (unsigned)f->height, (unsigned)f->stride,
             (unsigned)f->data_size);
}

rig_error_t rig_wire_decode(const uint8_t *buf, size_t len, rig_wire_msg_t *out, char *why,
                            size_t why_len)
{
    rbuf_t r = {.p = buf, .len = buf ? len : 0, .why = why, .why_len = why_len};
    if (why && why_len)
        why[0] = '\0';
    if (!out) {
        fail(&r, "no message to decode into");
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    if (!need(&r, RIG_WIRE_HEADER_SIZE, "the header"))
        return RIG_ERROR_INVALID_ARGUMENT;
    if (memcmp(buf, magic, 4) != 0) {
        fail(&r, "not a rigsync node message (magic bytes differ)");
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    r.pos = 4;
    out->version = (uint16_t)get_u(&r, 2, "version");
    out->type = (uint8_t)get_u(&r, 1, "type");
    uint8_t reserved = (uint8_t)get_u(&r, 1, "reserved");
    out->node_id = (uint32_t)get_u(&r, 4, "node id");
    uint64_t body = get_u(&r, 4, "body length");
    out->seq = get_u(&r, 8, "sequence");
    if (out->version != RIG_WIRE_VERSION)
        fail(&r, "protocol version %u, this rigsync speaks %d: run the same rigsync version on "
                 "every host",
             (unsigned)out->version, RIG_WIRE_VERSION);
    else if (out->type < 1 || out->type > RIG_WIRE_TYPE_MAX)
        fail(&r, "unknown message type %u", (unsigned)out->type);
    else if (reserved != 0)
        fail(&r, "reserved header byte is %u, not 0", (unsigned)reserved);
    else if (body != len - RIG_WIRE_HEADER_SIZE)
        fail(&r, "truncated or padded: the header says %llu body bytes, %zu follow",
             (unsigned long long)body, len - RIG_WIRE_HEADER_SIZE);
    if (r.bad)
        return RIG_ERROR_INVALID_ARGUMENT;
    switch (out->type) {
    case RIG_WIRE_HELLO:
        get_hello(&r, &out->u.hello);
        break;
    case RIG_WIRE_FRAME:
        get_frame(&r, &out->u.frame);
        break;
    case RIG_WIRE_CLOCK: {
        rig_wire_clock_t *c = &out->u.clock;
        c->kind = (uint8_t)get_u(&r, 1, "CLOCK kind");
        if (!r.bad && c->kind > RIG_CLOCK_EVENT_WRITE)
            fail(&r, "CLOCK kind %u is unknown", (unsigned)c->kind);
        c->device = (uint16_t)get_u(&r, 2, "CLOCK device");
        c->host_before_us = get_i64(&r, "CLOCK host before");
        c->device_us = get_i64(&r, "CLOCK device time");
        c->host_after_us = get_i64(&r, "CLOCK host after");
        break;
    }
    case RIG_WIRE_EVENT: {
        rig_wire_event_t *e = &out->u.event;
        e->kind = (uint8_t)get_u(&r, 1, "EVENT kind");
        if (!r.bad && e->kind > RIG_DEVICE_EVENT_RECOVERY_FAILED)
            fail(&r, "EVENT kind %u is unknown", (unsigned)e->kind);
        e->device = (uint16_t)get_u(&r, 2, "EVENT device");
        e->host_ts_us = get_i64(&r, "EVENT time");
        get_str(&r, e->serial, "EVENT serial");
        get_str(&r, e->detail, "EVENT detail");
        break;
    }
    case RIG_WIRE_PTP: {
        rig_wire_ptp_t *p = &out->u.ptp;
        p->offset_ns = get_i64(&r, "PTP offset");
        p->servo_state = (uint8_t)get_u(&r, 1, "PTP servo state");
        if (!r.bad && p->servo_state > RIG_WIRE_PTP_SERVO_MAX)
            fail(&r, "PTP servo state %u is unknown (0-%d)", (unsigned)p->servo_state,
                 RIG_WIRE_PTP_SERVO_MAX);
        p->port_state = (uint8_t)get_u(&r, 1, "PTP port state");
        if (!r.bad && p->port_state > RIG_WIRE_PTP_PORT_MAX)
            fail(&r, "PTP port state %u is unknown (0-%d)", (unsigned)p->port_state,
                 RIG_WIRE_PTP_PORT_MAX);
        p->valid = (uint8_t)get_u(&r, 1, "PTP valid flag");
        if (!r.bad && p->valid > 1)
            fail(&r, "PTP valid flag is %u, not 0 or 1", (unsigned)p->valid);
        p->host_ts_us = get_i64(&r, "PTP host time");
        p->mean_path_delay_ns = get_i64(&r, "PTP mean path delay");
        p->steps_removed = (uint16_t)get_u(&r, 2, "PTP steps removed");
        p->gm_present = (uint8_t)get_u(&r, 1, "PTP grandmaster present flag");
        if (!r.bad && p->gm_present > 1)
            fail(&r, "PTP grandmaster present flag is %u, not 0 or 1", (unsigned)p->gm_present);
        if (need(&r, 8, "PTP grandmaster identity")) {
            memcpy(p->gm_identity, r.p + r.pos, 8);
            r.pos += 8;
        }
        break;
    }
    case RIG_WIRE_HEARTBEAT: {
        rig_wire_heartbeat_t *h = &out->u.heartbeat;
        h->node_time_us = get_i64(&r, "HEARTBEAT node time");
        h->frames_published = get_u(&r, 8, "HEARTBEAT frames published");
        h->dropped = get_u(&r, 8, "HEARTBEAT dropped");
        h->subscribers = (uint32_t)get_u(&r, 4, "HEARTBEAT subscribers");
        break;
    }
    default:
        break;
    }
    if (!r.bad && r.pos != r.len)
        fail(&r, "%zu bytes after the end of the %s body", r.len - r.pos,
             rig_wire_type_name(out->type));
    return r.bad ? RIG_ERROR_INVALID_ARGUMENT : RIG_OK;
}

rig_error_t rig_wire_next(const uint8_t *buf, size_t len, size_t *msg_len, char *why,
                          size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (msg_len)
        *msg_len = 0;
    const char *bad = NULL;
    char text[160];
    if (!msg_len || (!buf && len)) {
        bad = "no buffer or no length to fill";
    } else if (len < RIG_WIRE_HEADER_SIZE) {
        snprintf(text, sizeof text, "%zu bytes left, too few for a %d-byte header", len,
                    RIG_WIRE_HEADER_SIZE);
        bad = text;
    } else if (memcmp(buf, magic, 4) != 0) {
        bad = "not a rigsync node message (magic bytes differ)";
    } else {
        unsigned version = (unsigned)buf[4] | (unsigned)buf[5] << 8;
        unsigned type = buf[6], reserved = buf[7];
        uint64_t body = (uint64_t)buf[12] | (uint64_t)buf[13] << 8 | (uint64_t)buf[14] << 16 |
                        (uint64_t)buf[15] << 24;
        if (version != RIG_WIRE_VERSION) {
            snprintf(text, sizeof text,
                        "protocol version %u, this rigsync speaks %d: run the same rigsync "
                        "version on every host", version, RIG_WIRE_VERSION);
            bad = text;
        } else if (type < 1 || type > RIG_WIRE_TYPE_MAX) {
            snprintf(text, sizeof text, "unknown message type %u", type);
            bad = text;
        } else if (reserved != 0) {
            snprintf(text, sizeof text, "reserved header byte is %u, not 0", reserved);
            bad = text;
        } else if (body > len - RIG_WIRE_HEADER_SIZE) {
            snprintf(text, sizeof text,
                        "truncated: the header says %llu body bytes, %zu follow",
                        (unsigned long long)body, len - RIG_WIRE_HEADER_SIZE);
            bad = text;
        } else {
            *msg_len = RIG_WIRE_HEADER_SIZE + (size_t)body;
            return RIG_OK;
        }
    }
    if (why && why_len)
        snprintf(why, why_len, "%s", bad);
    return RIG_ERROR_INVALID_ARGUMENT;
}

/* Decoding the recorded messages (CDR, as src/record/ros2msg.c writes them) and metadata. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/replay/replay_internal.h"
#include "common/util.h"

/* A CDR reader: little-endian only (what rigsync writes), alignment from the end of the
 * 4-byte encapsulation header; any overrun sets bad and later reads give zeros. */
typedef struct {
    const uint8_t *p;
    size_t len, off;
    bool bad;
} cdr_in_t;

static bool cdr_open(cdr_in_t *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = len;
    c->off = 4;
    c->bad = len < 4 || p[0] != 0x00 || p[1] != 0x01; /* CDR_LE */
    return !c->bad;
}

static const uint8_t *take(cdr_in_t *c, size_t n, size_t align)
{
    if (c->bad)
        return NULL;
    size_t pad = align > 1 ? (align - (c->off - 4) % align) % align : 0;
    if (c->off + pad > c->len || n > c->len - c->off - pad) {
        c->bad = true;
        return NULL;
    }
    c->off += pad;
    const uint8_t *q = c->p + c->off;
    c->off += n;
    return q;
}

static uint8_t get_u8(cdr_in_t *c)
{
    const uint8_t *q = take(c, 1, 1);
    return q ? q[0] : 0;
}

static uint32_t get_u32(cdr_in_t *c)
{
    const uint8_t *q = take(c, 4, 4);
    return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
             : 0;
}

static uint64_t get_u64(cdr_in_t *c)
{
    const uint8_t *q = take(c, 8, 8);
    uint64_t v = 0;
    for (int i = 7; q && i >= 0; i--)
        v = v << 8 | q[i];
    return v;
}

static int64_t get_i64(cdr_in_t *c) { return (int64_t)get_u64(c); }

/* A string into buf (cut to fit); false when it is not a terminated CDR string. */
static void get_string(cdr_in_t *c, char *buf, size_t len)
{
    uint32_t n = get_u32(c);
    const uint8_t *q = n ? take(c, n, 1) : NULL;
    if (!q || q[n - 1] != '\0') {
        c->bad = true;
        if (len)
            buf[0] = '\0';
        return;
    }
    rig_strlcpy(buf, (const char *)q, len);
}

/* std_msgs/Header: skipped (the stamp is derived from the fields that follow). */
static void skip_header(cdr_in_t *c)
{
    char frame_id[128];
    get_u32(c);
    get_u32(c);
    get_string(c, frame_id, sizeof frame_id);
}

static bool parse_stream(const char *name, rig_stream_t *out)
{
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        if (strcmp(name, rig_stream_name((rig_stream_t)s)) == 0) {
            *out = (rig_stream_t)s;
            return true;
        }
    return false;
}

bool rp_decode_frame_info(const uint8_t *p, size_t len, rp_frame_info_t *out)
{
    cdr_in_t c;
    if (!cdr_open(&c, p, len))
        return false;
    memset(out, 0, sizeof(*out));
    char stream[16];
    skip_header(&c);
    get_string(&c, out->serial, sizeof out->serial);
    get_string(&c, stream, sizeof stream);
    out->index = get_u64(&c);
    out->device_ts_us = get_i64(&c);
    out->host_ts_us = get_i64(&c);
    out->global_ts_us = get_i64(&c);
    out->global_bound_us = get_i64(&c);
    out->interfered = get_u8(&c) != 0;
    out->has_pixels = get_u8(&c) != 0;
    if (c.bad || !parse_stream(stream, &out->stream))
        return false;
    /* wall_us came later: a recording without it has none */
    out->wall_us = c.off < c.len ? get_i64(&c) : RIG_TS_NONE;
    return !c.bad;
}

bool rp_decode_image(const uint8_t *p, size_t len, rp_image_t *out)
{
    cdr_in_t c;
    if (!cdr_open(&c, p, len))
        return false;
    char encoding[32];
    skip_header(&c);
    out->height = get_u32(&c);
    out->width = get_u32(&c);
    get_string(&c, encoding, sizeof encoding);
    get_u8(&c); /* is_bigendian: rigsync writes 0 */
    get_u32(&c); /* step */
    uint32_t n = get_u32(&c);
    out->data = take(&c, n, 1);
    out->len = n;
    if (c.bad)
        return false;
    if (strcmp(encoding, "rgb8") == 0)
        out->format = RIG_FORMAT_RGB;
    else if (strcmp(encoding, "16UC1") == 0)
        out->format = RIG_FORMAT_Y16;
    else
        return false;
    return (uint64_t)out->width * out->height * rig_format_bytes_per_pixel(out->format) == n;
}

bool rp_decode_compressed_image(const uint8_t *p, size_t len, rp_image_t *out)
{
    cdr_in_t c;
    if (!cdr_open(&c, p, len))
        return false;
    char format[32];
    skip_header(&c);
    get_string(&c, format, sizeof format);
    uint32_t n = get_u32(&c);
    out->data = take(&c, n, 1);
    out->len = n;
    out->width = out->height = 0; /* the stream's profile says */
    out->format = RIG_FORMAT_MJPG;
    return !c.bad && strcmp(format, "jpeg") == 0;
}

bool rp_decode_clock(const uint8_t *p, size_t len, rp_clock_t *out)
{
    cdr_in_t c;
    if (!cdr_open(&c, p, len))
        return false;
    char kind[16];
    get_string(&c, kind, sizeof kind);
    get_u32(&c); /* device index of the recorded run: the serial says which */
    get_string(&c, out->serial, sizeof out->serial);
    out->host_before_us = get_i64(&c);
    out->device_us = get_i64(&c);
    out->host_after_us = get_i64(&c);
    if (c.bad)
        return false;
    if (strcmp(kind, "two_way") == 0)
        out->kind = RIG_CLOCK_EVENT_TWO_WAY;
    else if (strcmp(kind, "write") == 0)
        out->kind = RIG_CLOCK_EVENT_WRITE;
    else
        return false;
    return true;
}

bool rp_decode_device_event(const uint8_t *p, size_t len, rp_devev_t *out)
{
    cdr_in_t c;
    if (!cdr_open(&c, p, len))
        return false;
    char kind[32];
    get_string(&c, kind, sizeof kind);
    get_u32(&c); /* device index of the recorded run */
    get_string(&c, out->serial, sizeof out->serial);
    out->host_ts_us = get_i64(&c);
    get_string(&c, out->detail, sizeof out->detail);
    if (c.bad)
        return false;
    out->kind = -1;
    for (int k = 0; k <= RIG_DEVICE_EVENT_RECOVERY_FAILED; k++)
        if (strcmp(kind, rig_device_event_name((rig_device_event_kind_t)k)) == 0)
            out->kind = k;
    return true;
}

const char *rp_meta_value(const rig_mcap_reader_t *r, const char *name, const char *key)
{
    const char *v = NULL;
    size_t n = rig_mcap_reader_metadata_count(r);
    for (size_t i = 0; i < n; i++) {
        const rig_mcap_metadata_t *m = rig_mcap_reader_metadata(r, i);
        if (!m || strcmp(m->name, name) != 0)
            continue;
        for (size_t k = 0; k < m->n; k++)
            if (strcmp(m->keys[k], key) == 0)
                v = m->values[k];
    }
    return v;
}

bool rp_parse_profile(const char *text, rig_stream_profile_t *out)
{
    char fmt[16];
    unsigned w, h, fps;
    if (!text || sscanf(text, "%ux%u@%u %15s", &w, &h, &fps, fmt) != 4 ||
        !rig_format_parse(fmt, &out->format))
        return false;
    out->width = w;
    out->height = h;
    out->fps = fps;
    return true;
}

bool rp_parse_sync(const char *text, char *serial, size_t serial_len, rig_sync_config_t *out)
{
    char sn[64], mode[64], tout[8];
    int32_t dd, cd, ti, td, fpt;
    if (!text || sscanf(text,
                        "serial %63s mode %63s depth_delay_us %" SCNd32 " color_delay_us %" SCNd32
                        " trigger_to_image_delay_us %" SCNd32 " trigger_out_enable %7s "
                        "trigger_out_delay_us %" SCNd32 " frames_per_trigger %" SCNd32,
                        sn, mode, &dd, &cd, &ti, tout, &td, &fpt) != 8)
        return false;
    memset(out, 0, sizeof(*out));
    if (!rig_sync_mode_parse(mode, &out->mode))
        return false;
    out->depth_delay_us = dd;
    out->color_delay_us = cd;
    out->trigger_to_image_delay_us = ti;
    out->trigger_out_enable = strcmp(tout, "true") == 0;
    out->trigger_out_delay_us = td;
    out->frames_per_trigger = fpt;
    rig_strlcpy(serial, sn, serial_len);
    return true;
}

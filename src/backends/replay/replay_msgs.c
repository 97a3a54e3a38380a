/* Decoding the recorded messages (CDR, as src/record/ros2msg.c writes them) and metadata. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/replay/replay_internal.h"
#include "common/util.h"
#include "record/ros2msg.h"

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
    rig_cdr_in_t c;
    if (!rig_cdr_in_open(&c, p, len))
        return false;
    memset(out, 0, sizeof(*out));
    char stream[16];
    rig_cdr_in_skip_header(&c);
    rig_cdr_in_string(&c, out->serial, sizeof out->serial);
    rig_cdr_in_string(&c, stream, sizeof stream);
    out->index = rig_cdr_in_u64(&c);
    out->device_ts_us = rig_cdr_in_i64(&c);
    out->host_ts_us = rig_cdr_in_i64(&c);
    out->global_ts_us = rig_cdr_in_i64(&c);
    out->global_bound_us = rig_cdr_in_i64(&c);
    out->interfered = rig_cdr_in_u8(&c) != 0;
    out->has_pixels = rig_cdr_in_u8(&c) != 0;
    if (c.bad || !parse_stream(stream, &out->stream))
        return false;
    /* wall_us came later: a recording without it has none */
    out->wall_us = c.off < c.len ? rig_cdr_in_i64(&c) : RIG_TS_NONE;
    return !c.bad;
}

bool rp_decode_image(const uint8_t *p, size_t len, rp_image_t *out)
{
    rig_cdr_in_t c;
    if (!rig_cdr_in_open(&c, p, len))
        return false;
    char encoding[32];
    rig_cdr_in_skip_header(&c);
    out->height = rig_cdr_in_u32(&c);
    out->width = rig_cdr_in_u32(&c);
    rig_cdr_in_string(&c, encoding, sizeof encoding);
    rig_cdr_in_u8(&c); /* is_bigendian: rigsync writes 0 */
    rig_cdr_in_u32(&c); /* step */
    uint32_t n = rig_cdr_in_u32(&c);
    out->data = rig_cdr_in_take(&c, n, 1);
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
    rig_cdr_in_t c;
    if (!rig_cdr_in_open(&c, p, len))
        return false;
    char format[32];
    rig_cdr_in_skip_header(&c);
    rig_cdr_in_string(&c, format, sizeof format);
    uint32_t n = rig_cdr_in_u32(&c);
    out->data = rig_cdr_in_take(&c, n, 1);
    out->len = n;
    out->width = out->height = 0; /* the stream's profile says */
    out->format = RIG_FORMAT_MJPG;
    return !c.bad && strcmp(format, "jpeg") == 0;
}

bool rp_decode_clock(const uint8_t *p, size_t len, rp_clock_t *out)
{
    rig_cdr_in_t c;
    if (!rig_cdr_in_open(&c, p, len))
        return false;
    char kind[16];
    rig_cdr_in_string(&c, kind, sizeof kind);
    rig_cdr_in_u32(&c); /* device index of the recorded run: the serial says which */
    rig_cdr_in_string(&c, out->serial, sizeof out->serial);
    out->host_before_us = rig_cdr_in_i64(&c);
    out->device_us = rig_cdr_in_i64(&c);
    out->host_after_us = rig_cdr_in_i64(&c);
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
    rig_cdr_in_t c;
    if (!rig_cdr_in_open(&c, p, len))
        return false;
    char kind[32];
    rig_cdr_in_string(&c, kind, sizeof kind);
    rig_cdr_in_u32(&c); /* device index of the recorded run */
    rig_cdr_in_string(&c, out->serial, sizeof out->serial);
    out->host_ts_us = rig_cdr_in_i64(&c);
    rig_cdr_in_string(&c, out->detail, sizeof out->detail);
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

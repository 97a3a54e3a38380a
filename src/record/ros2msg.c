/* ROS 2 message definitions and their CDR encoding (see ros2msg.h). */
#include "record/ros2msg.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define SEP "================================================================================\n"
#define HEADER_DEFS                                                                              \
    SEP "MSG: std_msgs/Header\n"                                                                 \
        "builtin_interfaces/Time stamp\n"                                                        \
        "string frame_id\n" SEP "MSG: builtin_interfaces/Time\n"                                 \
        "int32 sec\n"                                                                            \
        "uint32 nanosec\n"

const char rig_ros2_image_def[] = "std_msgs/Header header\n"
                                  "uint32 height\n"
                                  "uint32 width\n"
                                  "string encoding\n"
                                  "uint8 is_bigendian\n"
                                  "uint32 step\n"
                                  "uint8[] data\n" HEADER_DEFS;

const char rig_ros2_compressed_image_def[] = "std_msgs/Header header\n"
                                             "string format\n"
                                             "uint8[] data\n" HEADER_DEFS;

const char rig_ros2_frame_info_def[] =
    "# One frame as rigsync delivered it; times in microseconds, -9223372036854775808 = none.\n"
    "std_msgs/Header header\n"
    "string serial\n"
    "string stream\n"
    "uint64 index\n"
    "int64 device_ts_us\n"
    "int64 host_ts_us\n"
    "int64 global_ts_us\n"
    "int64 global_bound_us\n"
    "bool interfered\n"
    "bool has_pixels\n"
    "# real-time runs: when rigsync handed the frame over (monotonic host clock); else none\n"
    "int64 wall_us\n" HEADER_DEFS;

const char rig_ros2_frame_set_def[] =
    "# One capture of the rig: one slot per device and stream.\n"
    "uint64 seq\n"
    "int64 time_us\n"
    "int64 spread_us\n"
    "rigsync_msgs/FrameSlot[] slots\n" SEP "MSG: rigsync_msgs/FrameSlot\n"
    "uint32 device\n"
    "string serial\n"
    "string stream\n"
    "string status\n"
    "bool has_frame\n"
    "uint64 index\n"
    "int64 device_ts_us\n"
    "int64 global_ts_us\n";

const char rig_ros2_device_event_def[] =
    "# What happened to a device, as rigsync reported it (kind: gone, back, rebooted, ...).\n"
    "# device: its index in the rig, -1 for a device no handle stands for.\n"
    "string kind\n"
    "int32 device\n"
    "string serial\n"
    "int64 host_ts_us\n"
    "string detail\n";

const char rig_ros2_clock_event_def[] =
    "# What the clock estimator was told: two_way (device clock read between two host\n"
    "# readings) or write (the host wrote the device clock at host_before_us).\n"
    "string kind\n"
    "uint32 device\n"
    "string serial\n"
    "int64 host_before_us\n"
    "int64 device_us\n"
    "int64 host_after_us\n";

static void put(rig_cdr_t *c, const void *p, size_t n)
{
    if (c->failed)
        return;
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < c->len + n)
            cap *= 2;
        uint8_t *d = realloc(c->data, cap);
        if (!d) {
            c->failed = true;
            return;
        }
        c->data = d;
        c->cap = cap;
    }
    memcpy(c->data + c->len, p, n);
    c->len += n;
}

/* Alignment counts from the end of the 4-byte encapsulation header. */
static void align(rig_cdr_t *c, size_t a)
{
    static const uint8_t zero[8];
    size_t off = c->len >= 4 ? c->len - 4 : 0;
    size_t pad = (a - off % a) % a;
    put(c, zero, pad);
}

void rig_cdr_begin(rig_cdr_t *c)
{
    static const uint8_t hdr[4] = {0x00, 0x01, 0x00, 0x00}; /* CDR_LE, options 0 */
    c->len = 0;
    c->failed = false;
    put(c, hdr, 4);
}

void rig_cdr_free(rig_cdr_t *c)
{
    free(c->data);
    memset(c, 0, sizeof(*c));
}

void rig_cdr_u8(rig_cdr_t *c, uint8_t v) { put(c, &v, 1); }

void rig_cdr_u32(rig_cdr_t *c, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    align(c, 4);
    put(c, b, 4);
}

void rig_cdr_i32(rig_cdr_t *c, int32_t v) { rig_cdr_u32(c, (uint32_t)v); }

void rig_cdr_u64(rig_cdr_t *c, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    align(c, 8);
    put(c, b, 8);
}

void rig_cdr_i64(rig_cdr_t *c, int64_t v) { rig_cdr_u64(c, (uint64_t)v); }

void rig_cdr_string(rig_cdr_t *c, const char *s)
{
    size_t n = strlen(s);
    rig_cdr_u32(c, (uint32_t)(n + 1)); /* the length counts the terminating NUL */
    put(c, s, n + 1);
}

void rig_cdr_bytes(rig_cdr_t *c, const void *p, size_t n)
{
    rig_cdr_u32(c, (uint32_t)n);
    put(c, p, n);
}

void rig_cdr_header(rig_cdr_t *c, int64_t stamp_us, const char *frame_id)
{
    int64_t sec = stamp_us / 1000000, rem = stamp_us % 1000000;
    if (rem < 0) {
        rem += 1000000;
        sec--;
    }
    rig_cdr_i32(c, (int32_t)sec);
    rig_cdr_u32(c, (uint32_t)(rem * 1000));
    rig_cdr_string(c, frame_id);
}

int64_t rig_ros2_frame_stamp_us(const rig_frame_t *f)
{
    int64_t g = rig_frame_global_ts_us(f);
    return g != RIG_TS_NONE ? g : rig_frame_host_ts_us(f);
}

bool rig_ros2_encode_image_head(rig_cdr_t *c, const rig_frame_t *f, const uint8_t **pixels,
                                size_t *n)
{
    const uint8_t *px = rig_frame_data(f);
    rig_format_t fmt = rig_frame_format(f);
    if (!px || (fmt != RIG_FORMAT_RGB && fmt != RIG_FORMAT_Y16))
        return false;
    uint32_t w = rig_frame_width(f), h = rig_frame_height(f);
    rig_cdr_begin(c);
    rig_cdr_header(c, rig_ros2_frame_stamp_us(f), rig_frame_serial(f));
    rig_cdr_u32(c, h);
    rig_cdr_u32(c, w);
    rig_cdr_string(c, fmt == RIG_FORMAT_RGB ? "rgb8" : "16UC1");
    rig_cdr_u8(c, 0); /* little-endian pixels */
    rig_cdr_u32(c, w * rig_format_bytes_per_pixel(fmt));
    *pixels = px;
    *n = rig_frame_data_size(f);
    rig_cdr_u32(c, (uint32_t)*n); /* uint8[] data: its length, then the bytes */
    return true;
}

bool rig_ros2_encode_image(rig_cdr_t *c, const rig_frame_t *f)
{
    const uint8_t *px;
    size_t n;
    if (!rig_ros2_encode_image_head(c, f, &px, &n))
        return false;
    put(c, px, n);
    return true;
}

bool rig_ros2_encode_compressed_image(rig_cdr_t *c, const rig_frame_t *f)
{
    const uint8_t *data = rig_frame_data(f);
    if (!data || rig_frame_format(f) != RIG_FORMAT_MJPG)
        return false;
    rig_cdr_begin(c);
    rig_cdr_header(c, rig_ros2_frame_stamp_us(f), rig_frame_serial(f));
    rig_cdr_string(c, "jpeg");
    rig_cdr_bytes(c, data, rig_frame_data_size(f));
    return true;
}

void rig_ros2_encode_frame_info(rig_cdr_t *c, const rig_frame_t *f)
{
    rig_ros2_encode_frame_info_wall(c, f, RIG_TS_NONE);
}

void rig_ros2_encode_frame_info_wall(rig_cdr_t *c, const rig_frame_t *f, int64_t wall_us)
{
    rig_cdr_begin(c);
    rig_cdr_header(c, rig_ros2_frame_stamp_us(f), rig_frame_serial(f));
    rig_cdr_string(c, rig_frame_serial(f));
    rig_cdr_string(c, rig_stream_name(rig_frame_stream(f)));
    rig_cdr_u64(c, rig_frame_index(f));
    rig_cdr_i64(c, rig_frame_device_ts_us(f));
    rig_cdr_i64(c, rig_frame_host_ts_us(f));
    rig_cdr_i64(c, rig_frame_global_ts_us(f));
    rig_cdr_i64(c, rig_frame_global_ts_bound_us(f));
    rig_cdr_u8(c, rig_frame_interfered(f));
    rig_cdr_u8(c, rig_frame_data(f) != NULL);
    rig_cdr_i64(c, wall_us);
}

void rig_ros2_encode_frame_set(rig_cdr_t *c, const rig_frameset_t *set, const char *const *serials,
                               size_t n)
{
    rig_cdr_begin(c);
    rig_cdr_u64(c, rig_frameset_seq(set));
    rig_cdr_i64(c, rig_frameset_time_us(set));
    rig_cdr_i64(c, rig_frameset_spread_us(set));
    size_t nd = rig_frameset_device_count(set);
    rig_cdr_u32(c, (uint32_t)(nd * RIG_STREAM_COUNT));
    for (size_t d = 0; d < nd; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            rig_cdr_u32(c, (uint32_t)d);
            rig_cdr_string(c, d < n && serials[d] ? serials[d] : "");
            rig_cdr_string(c, rig_stream_name((rig_stream_t)s));
            rig_cdr_string(c, rig_slot_status_name(rig_frameset_status(set, d, (rig_stream_t)s)));
            rig_cdr_u8(c, f != NULL);
            rig_cdr_u64(c, f ? rig_frame_index(f) : 0);
            rig_cdr_i64(c, f ? rig_frame_device_ts_us(f) : RIG_TS_NONE);
            rig_cdr_i64(c, f ? rig_frame_global_ts_us(f) : RIG_TS_NONE);
        }
}

void rig_ros2_encode_clock_event(rig_cdr_t *c, const rig_clock_event_t *e, const char *serial)
{
    rig_cdr_begin(c);
    rig_cdr_string(c, e->kind == RIG_CLOCK_EVENT_WRITE ? "write" : "two_way");
    rig_cdr_u32(c, (uint32_t)e->device_index);
    rig_cdr_string(c, serial ? serial : "");
    rig_cdr_i64(c, e->host_before_us);
    rig_cdr_i64(c, e->device_us);
    rig_cdr_i64(c, e->host_after_us);
}

void rig_ros2_encode_device_event(rig_cdr_t *c, const rig_device_event_t *e)
{
    rig_cdr_begin(c);
    rig_cdr_string(c, rig_device_event_name(e->kind));
    rig_cdr_i32(c, e->device_index == RIG_DEVICE_INDEX_NONE || e->device_index > INT32_MAX
                       ? -1
                       : (int32_t)e->device_index);
    rig_cdr_string(c, e->serial);
    rig_cdr_i64(c, e->host_ts_us);
    rig_cdr_string(c, e->detail);
}

/* ---- reading ----------------------------------------------------------------------------- */

bool rig_cdr_in_open(rig_cdr_in_t *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = len;
    c->off = 4;
    c->bad = !p || len < 4 || p[0] != 0x00 || p[1] != 0x01; /* CDR_LE */
    return !c->bad;
}

const uint8_t *rig_cdr_in_take(rig_cdr_in_t *c, size_t n, size_t align)
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

uint8_t rig_cdr_in_u8(rig_cdr_in_t *c)
{
    const uint8_t *q = rig_cdr_in_take(c, 1, 1);
    return q ? q[0] : 0;
}

uint32_t rig_cdr_in_u32(rig_cdr_in_t *c)
{
    const uint8_t *q = rig_cdr_in_take(c, 4, 4);
    return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
             : 0;
}

int32_t rig_cdr_in_i32(rig_cdr_in_t *c) { return (int32_t)rig_cdr_in_u32(c); }

uint64_t rig_cdr_in_u64(rig_cdr_in_t *c)
{
    const uint8_t *q = rig_cdr_in_take(c, 8, 8);
    uint64_t v = 0;
    for (int i = 7; q && i >= 0; i--)
        v = v << 8 | q[i];
    return v;
}

int64_t rig_cdr_in_i64(rig_cdr_in_t *c) { return (int64_t)rig_cdr_in_u64(c); }

void rig_cdr_in_string(rig_cdr_in_t *c, char *buf, size_t len)
{
    uint32_t n = rig_cdr_in_u32(c);
    const uint8_t *q = n ? rig_cdr_in_take(c, n, 1) : NULL;
    if (!q || q[n - 1] != '\0') {
        c->bad = true;
        if (len)
            buf[0] = '\0';
        return;
    }
    rig_strlcpy(buf, (const char *)q, len);
}

void rig_cdr_in_skip_header(rig_cdr_in_t *c)
{
    char frame_id[128];
    rig_cdr_in_u32(c); /* stamp: sec */
    rig_cdr_in_u32(c); /* nanosec */
    rig_cdr_in_string(c, frame_id, sizeof frame_id);
}

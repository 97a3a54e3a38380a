/* The recorder (src/record): a 3 s virtual-time run of the default rig with pixels recorded and
 * read back with src/mcap's reader; the CDR of Image and FrameInfo decoded by hand here.
 * With RIGSYNC_MCAP_OUT=DIR (set by ctest) the files are kept there as
 * test_record_{pixels,no_pixels}.mcap, each with the messages per topic the library delivered
 * (.mcap.expect.json), for the official reader (ctest mcap_official). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h>

#include "mcap/mcap_reader.h"
#include "record/recorder.h"
#include "record/ros2msg.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define MAXIDX 256

typedef struct {
    rig_recorder_t *rec;
    /* per device, stream, frame index: what was delivered (host, global ts) */
    int64_t host[2][2][MAXIDX], global[2][2][MAXIDX], dev[2][2][MAXIDX];
    int delivered[2][2][MAXIDX];
    uint64_t frames, sets, clock_events;
} run_t;

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    size_t d = rig_frame_device_index(f), s = (size_t)rig_frame_stream(f);
    uint64_t i = rig_frame_index(f);
    assert_true(d < 2 && i < MAXIDX);
    r->delivered[d][s][i]++;
    r->host[d][s][i] = rig_frame_host_ts_us(f);
    r->global[d][s][i] = rig_frame_global_ts_us(f);
    r->dev[d][s][i] = rig_frame_device_ts_us(f);
    r->frames++;
    rig_recorder_frame(r->rec, f);
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    r->sets++;
    rig_recorder_frameset(r->rec, set);
}

static void on_clock(const rig_clock_event_t *e, void *user)
{
    run_t *r = user;
    r->clock_events++;
    rig_recorder_clock_event(r->rec, e);
}

/* A hand-written CDR reader: little-endian, alignment from the end of the 4-byte header. */
typedef struct {
    const uint8_t *p;
    size_t len, off;
} cdr_in_t;

static void in_align(cdr_in_t *c, size_t a)
{
    while ((c->off - 4) % a)
        c->off++;
}
static uint32_t in_u32(cdr_in_t *c)
{
    in_align(c, 4);
    assert_true(c->off + 4 <= c->len);
    const uint8_t *b = c->p + c->off;
    c->off += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static int64_t in_i64(cdr_in_t *c)
{
    in_align(c, 8);
    assert_true(c->off + 8 <= c->len);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | c->p[c->off + (size_t)i];
    c->off += 8;
    return (int64_t)v;
}
static const char *in_string(cdr_in_t *c)
{
    uint32_t n = in_u32(c);
    assert_true(n >= 1 && c->off + n <= c->len);
    const char *s = (const char *)c->p + c->off;
    assert_int_equal(s[n - 1], '\0');
    c->off += n;
    return s;
}
static uint8_t in_u8(cdr_in_t *c)
{
    assert_true(c->off < c->len);
    return c->p[c->off++];
}
/* Header: returns the stamp in us. */
static int64_t in_header(cdr_in_t *c, const char **frame_id)
{
    assert_true(c->len >= 4);
    assert_memory_equal(c->p, "\x00\x01\x00\x00", 4);
    c->off = 4;
    int32_t sec = (int32_t)in_u32(c);
    uint32_t ns = in_u32(c);
    assert_true(ns < 1000000000u && ns % 1000 == 0);
    *frame_id = in_string(c);
    return (int64_t)sec * 1000000 + ns / 1000;
}

static const char *const serials[2] = {"CP3S34D00051", "CP3L44P00054"};

/* What the library delivered, per topic, next to the kept file (PATH.expect.json): the official
 * reader's check (ctest mcap_official) compares the file's messages per topic with it. */
static void write_expected_counts(const char *path, const run_t *r, bool pixels)
{
    char json[600];
    snprintf(json, sizeof json, "%s.expect.json", path);
    FILE *f = fopen(json, "w");
    assert_non_null(f);
    fprintf(f, "{\"/rig/framesets\": %llu, \"/rig/clock_events\": %llu", (unsigned long long)r->sets,
            (unsigned long long)r->clock_events);
    static const char *const names[2] = {"color", "depth"}; /* RIG_STREAM_COLOR, _DEPTH */
    for (size_t d = 0; d < 2; d++)
        for (size_t s = 0; s < 2; s++) {
            unsigned long long n = 0;
            for (size_t i = 0; i < MAXIDX; i++)
                n += (unsigned long long)r->delivered[d][s][i];
            fprintf(f, ", \"/rig/%s/%s/frame_info\": %llu, \"/rig/%s/%s/image_raw\": %llu", serials[d],
                    names[s], n, serials[d], names[s], pixels ? n : 0);
        }
    fprintf(f, "}\n");
    assert_int_equal(fclose(f), 0);
}

static void record_read_back(bool pixels)
{
    static run_t r;
    memset(&r, 0, sizeof(r));
    const char *out_dir = getenv("RIGSYNC_MCAP_OUT");
    char path[512];
    if (out_dir && *out_dir) {
        snprintf(path, sizeof path, "%s/test_record_%s.mcap", out_dir, pixels ? "pixels" : "no_pixels");
    } else {
        snprintf(path, sizeof path, "/tmp/test_record_XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
    }

    rig_config_t *cfg = NULL;
    assert_int_equal(rig_config_default(&cfg, NULL), RIG_OK);
    assert_int_equal(rig_config_device_count(cfg), 2);
    assert_string_equal(rig_config_device_serial(cfg, 0), serials[0]);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = pixels;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    char msg[256];
    rig_recorder_options_t ro = {0};
    ro.compression = RIG_MCAP_COMPRESSION_ZSTD;
    assert_int_equal(rig_recorder_open(path, &ro, serials, 2, &r.rec, msg, sizeof msg), RIG_OK);
    rig_device_t *dev[2];
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rig_device_open(ctx, serials[i], &dev[i]), RIG_OK);
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        assert_int_equal(rig_device_set_sync_config(dev[i], &s, NULL), RIG_OK);
    }
    rig_context_set_frame_callback(ctx, on_frame, &r);
    rig_context_set_frameset_callback(ctx, on_set, &r);
    rig_context_set_clock_event_callback(ctx, on_clock, &r);
    assert_int_equal(rig_device_start(dev[1], NULL, NULL), RIG_OK); /* secondary first */
    assert_int_equal(rig_device_start(dev[0], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_framesets(ctx, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 1000), RIG_OK);
    assert_int_equal(rig_sim_advance_us(ctx, 3000000), RIG_OK);
    for (size_t i = 0; i < 2; i++)
        rig_device_stop(dev[i]);
    rig_context_flush_framesets(ctx);
    assert_int_equal(rig_context_destroy(ctx), RIG_OK);
    rig_recorder_stats_t st;
    assert_int_equal(rig_recorder_stop(r.rec, msg, sizeof msg), RIG_OK);
    rig_recorder_get_stats(r.rec, &st);
    rig_mcap_kv_t kv[] = {{"verdict", "test"}};
    assert_int_equal(rig_recorder_add_metadata(r.rec, "rigsync.summary", kv, 1), RIG_OK);
    assert_int_equal(rig_recorder_close(r.rec, msg, sizeof msg), RIG_OK);
    rig_config_destroy(cfg);
    /* 30 fps for 3 s on two devices, two streams: about 4 * 90 frames */
    assert_true(r.frames > 300 && r.frames < 380);
    assert_true(r.sets > 75);
    assert_int_equal(st.frames_written, r.frames);
    assert_int_equal(st.images_written, pixels ? r.frames : 0);
    assert_int_equal(st.dropped_frames + st.dropped_framesets + st.dropped_clock_events, 0);
    assert_int_equal(st.framesets_written, r.sets);

    /* Read it back. */
    rig_mcap_reader_t *rd = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &rd), RIG_OK);
    rig_mcap_summary_t sum;
    assert_int_equal(rig_mcap_reader_read_summary(rd, &sum), RIG_OK);
    assert_int_equal(sum.metadata_count, 1);
    static int images[2][2][MAXIDX], infos[2][2][MAXIDX];
    memset(images, 0, sizeof images);
    memset(infos, 0, sizeof infos);
    uint64_t sets = 0, clock_events = 0;
    bool checked_image = false;
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        assert_int_equal(rig_mcap_reader_next_message(rd, &m, &end), RIG_OK);
        if (end)
            break;
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(rd, m.channel_id);
        assert_non_null(ch);
        assert_string_equal(ch->message_encoding, "cdr");
        cdr_in_t c = {m.data, m.len, 0};
        if (strcmp(ch->topic, "/rig/framesets") == 0) {
            c.off = 4;
            assert_int_equal(in_i64(&c), (int64_t)sets); /* seq 0, 1, ... in order */
            sets++;
            continue;
        }
        if (strcmp(ch->topic, "/rig/clock_events") == 0) {
            clock_events++;
            continue;
        }
        int d = -1, s = -1;
        char kind[32] = "";
        for (int k = 0; k < 2; k++)
            for (int t = 0; t < 2; t++) {
                char pre[64];
                snprintf(pre, sizeof pre, "/rig/%s/%s/", serials[k], t ? "depth" : "color");
                if (strncmp(ch->topic, pre, strlen(pre)) == 0) {
                    d = k;
                    s = t;
                    snprintf(kind, sizeof kind, "%s", ch->topic + strlen(pre));
                }
            }
        assert_true(d >= 0);
        const char *frame_id;
        int64_t stamp = in_header(&c, &frame_id);
        assert_string_equal(frame_id, serials[d]);
        if (strcmp(kind, "image_raw") == 0) {
            uint32_t height = in_u32(&c), width = in_u32(&c);
            const char *enc = in_string(&c);
            uint8_t big = in_u8(&c);
            uint32_t step = in_u32(&c), n = in_u32(&c);
            assert_int_equal(big, 0);
            if (s == 0) {
                assert_string_equal(enc, "rgb8");
                assert_int_equal(step, width * 3);
            } else {
                assert_string_equal(enc, "16UC1");
                assert_int_equal(step, width * 2);
            }
            assert_true(width >= 320 && height >= 240);
            assert_int_equal(n, (uint64_t)step * height);
            assert_int_equal(c.off + n, m.len); /* the pixels end the message */
            checked_image = true;
            /* The image's stamp is that of the FrameInfo with the same log time (checked
             * through the delivered frame below by the frame index of the same host time) */
            bool found = false;
            for (int i = 0; i < MAXIDX && !found; i++)
                if (r.delivered[d][s][i] && (uint64_t)r.host[d][s][i] * 1000 == m.log_time_ns) {
                    int64_t want = r.global[d][s][i] != RIG_TS_NONE ? r.global[d][s][i]
                                                                    : r.host[d][s][i];
                    assert_int_equal(stamp, want);
                    images[d][s][i]++;
                    found = true;
                }
            assert_true(found);
        } else {
            assert_string_equal(kind, "frame_info");
            assert_string_equal(in_string(&c), serials[d]);
            assert_string_equal(in_string(&c), s ? "depth" : "color");
            int64_t idx = in_i64(&c);
            assert_true(idx >= 0 && idx < MAXIDX);
            assert_int_equal(r.delivered[d][s][idx], 1);
            assert_int_equal(in_i64(&c), r.dev[d][s][idx]);
            assert_int_equal(in_i64(&c), r.host[d][s][idx]);
            assert_int_equal(in_i64(&c), r.global[d][s][idx]);
            int64_t want = r.global[d][s][idx] != RIG_TS_NONE ? r.global[d][s][idx]
                                                              : r.host[d][s][idx];
            assert_int_equal(stamp, want);
            assert_int_equal(m.log_time_ns, (uint64_t)r.host[d][s][idx] * 1000);
            infos[d][s][idx]++;
        }
    }
    assert_true(checked_image == pixels);
    assert_int_equal(sets, r.sets);
    assert_true(clock_events > 0);
    for (int d = 0; d < 2; d++)
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < MAXIDX; i++) {
                assert_int_equal(images[d][s][i], pixels ? r.delivered[d][s][i] : 0);
                assert_int_equal(infos[d][s][i], r.delivered[d][s][i]);
            }
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(rd, &ds);
    assert_true(ds.data_end);
    assert_int_equal(ds.messages, (pixels ? 2 : 1) * r.frames + r.sets + clock_events);
    assert_int_equal(sum.message_count, ds.messages);
    /* 3 s of host time: the chunks closed at least every second (without pixels all of it
     * would fit one 1 MiB chunk) */
    assert_true(ds.chunks >= 3);
    if (!pixels)
        assert_true(ds.chunks <= 5);
    rig_mcap_reader_close(rd);
    assert_int_equal(clock_events, r.clock_events);
    if (out_dir && *out_dir) {
        write_expected_counts(path, &r, pixels);
        printf("kept %s\n", path);
    }
    else
        unlink(path);
}

static void record_with_pixels(void **state)
{
    (void)state;
    record_read_back(true);
}

static void record_without_pixels(void **state)
{
    (void)state;
    record_read_back(false);
}

static void cdr_alignment_by_hand(void **state)
{
    (void)state;
    rig_cdr_t c = {0};
    rig_cdr_begin(&c);
    rig_cdr_u8(&c, 1);
    rig_cdr_u32(&c, 0x01020304); /* 3 pad bytes after the u8 */
    rig_cdr_string(&c, "ab");   /* len 3 incl. NUL */
    rig_cdr_i64(&c, -2);        /* offset 15 past the header -> 1 pad byte to 16 */
    static const uint8_t want[] = {0, 1, 0, 0, 1, 0, 0, 0, 4, 3, 2, 1, 3, 0, 0, 0, 'a', 'b', 0,
                                   0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(c.len, sizeof want);
    assert_memory_equal(c.data, want, sizeof want);
    /* a negative stamp floors: -1.5 s = sec -2, nanosec 500000000 */
    rig_cdr_begin(&c);
    rig_cdr_header(&c, -1500000, "x");
    static const uint8_t hdr[] = {0, 1, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x00, 0x65, 0xcd, 0x1d,
                                  2, 0, 0, 0, 'x', 0};
    assert_int_equal(c.len, sizeof hdr);
    assert_memory_equal(c.data, hdr, sizeof hdr);
    rig_cdr_free(&c);
}

static void unwritable_file_is_an_error(void **state)
{
    (void)state;
    rig_recorder_t *rec = NULL;
    char msg[256] = "";
    assert_int_equal(rig_recorder_open("/dev/full", NULL, serials, 2, &rec, msg, sizeof msg),
                     RIG_ERROR_IO);
    assert_null(rec);
    assert_non_null(strstr(msg, "No space"));
    assert_int_not_equal(
        rig_recorder_open("/nonexistent-dir/x.mcap", NULL, serials, 2, &rec, msg, sizeof msg),
        RIG_OK);
    assert_null(rec);
}

/* ---- MJPG color: recorded as sensor_msgs/msg/CompressedImage, the camera's bytes unchanged ---- */

#define MJPG_W 320
#define MJPG_H 240
#define MJPG_MAX 128

typedef struct {
    rig_recorder_t *rec;
    uint64_t hash[2][MJPG_MAX]; /* color frames of each device, in delivery order */
    size_t size[2][MJPG_MAX];
    int64_t stamp[2][MJPG_MAX];
    size_t n[2];
} mjpg_run_t;

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void on_mjpg_frame(rig_frame_t *f, void *user)
{
    mjpg_run_t *r = user;
    size_t d = rig_frame_device_index(f);
    if (rig_frame_stream(f) == RIG_STREAM_COLOR && d < 2 && r->n[d] < MJPG_MAX) {
        assert_int_equal(rig_frame_format(f), RIG_FORMAT_MJPG);
        r->hash[d][r->n[d]] = fnv1a(rig_frame_data(f), rig_frame_data_size(f));
        r->size[d][r->n[d]] = rig_frame_data_size(f);
        r->stamp[d][r->n[d]] = rig_frame_global_ts_us(f);
        r->n[d]++;
    }
    rig_recorder_frame(r->rec, f);
}

typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
} jerr_t;
static void jerr_back(j_common_ptr c) { longjmp(((jerr_t *)c->err)->back, 1); }

/* Decodes a JPEG fully with libjpeg; its size, or 0x0 when it is not a valid JPEG. */
static void jpeg_size(const uint8_t *p, size_t n, uint32_t *w, uint32_t *h)
{
    struct jpeg_decompress_struct c;
    jerr_t err;
    *w = *h = 0;
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jerr_back;
    static uint8_t row[MJPG_W * 3 * 4];
    if (setjmp(err.back)) {
        jpeg_destroy_decompress(&c);
        *w = *h = 0;
        return;
    }
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, p, (unsigned long)n);
    jpeg_read_header(&c, TRUE);
    c.out_color_space = JCS_RGB;
    jpeg_start_decompress(&c);
    if (c.output_width * 3 > sizeof row)
        longjmp(err.back, 1);
    while (c.output_scanline < c.output_height) {
        JSAMPROW rp = row;
        jpeg_read_scanlines(&c, &rp, 1);
    }
    *w = c.output_width;
    *h = c.output_height;
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
}

static void mjpg_color_should_stay_compressed(void **state)
{
    (void)state;
    static mjpg_run_t r;
    memset(&r, 0, sizeof r);
    char path[] = "/tmp/test_record_mjpg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static const char json[] =
        "{\"streams\": {\"color\": {\"width\": 320, \"height\": 240, \"fps\": 30, "
        "\"format\": \"MJPG\"}},"
        " \"devices\": [{\"serial_number\": \"CP3S34D00051\", \"config\": {\"mode\": \"PRIMARY\", "
        "\"trigger_out_enable\": true}}, {\"serial_number\": \"CP3L44P00054\", \"config\": "
        "{\"mode\": \"SECONDARY\"}}]}";
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    assert_int_equal(rig_config_parse(json, "mjpg.json", &cfg, &diag), RIG_OK);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = true;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    char msg[256];
    rig_recorder_options_t ro = {0};
    assert_int_equal(rig_recorder_open(path, &ro, serials, 2, &r.rec, msg, sizeof msg), RIG_OK);
    rig_device_t *dev[2];
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rig_device_open(ctx, serials[i], &dev[i]), RIG_OK);
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        assert_int_equal(rig_device_set_sync_config(dev[i], &s, NULL), RIG_OK);
    }
    rig_context_set_frame_callback(ctx, on_mjpg_frame, &r);
    rig_stream_profile_t color = rig_config_stream_profile(cfg, RIG_STREAM_COLOR);
    assert_int_equal(color.format, RIG_FORMAT_MJPG);
    assert_int_equal(rig_device_start(dev[1], &color, NULL), RIG_OK);
    assert_int_equal(rig_device_start(dev[0], &color, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 1000), RIG_OK);
    assert_int_equal(rig_sim_advance_us(ctx, 2000000), RIG_OK);
    for (size_t i = 0; i < 2; i++)
        rig_device_stop(dev[i]);
    assert_int_equal(rig_context_destroy(ctx), RIG_OK);
    assert_int_equal(rig_recorder_close(r.rec, msg, sizeof msg), RIG_OK);
    rig_config_destroy(cfg);
    /* 30 fps for 2 s: about 60 color frames per device, of a JPEG's size (far below RGB's) */
    for (size_t d = 0; d < 2; d++) {
        assert_true(r.n[d] > 50 && r.n[d] < MJPG_MAX);
        assert_true(r.size[d][0] > 100 && r.size[d][0] < MJPG_W * MJPG_H * 3 / 4);
    }

    rig_mcap_reader_t *rd = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &rd), RIG_OK);
    size_t got[2] = {0, 0}, raw_color = 0;
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        assert_int_equal(rig_mcap_reader_next_message(rd, &m, &end), RIG_OK);
        if (end)
            break;
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(rd, m.channel_id);
        assert_non_null(ch);
        if (strstr(ch->topic, "/color/image_raw") && !strstr(ch->topic, "compressed"))
            raw_color++;
        int d = -1;
        for (int i = 0; i < 2; i++) {
            char topic[128];
            snprintf(topic, sizeof topic, "/rig/%s/color/image_raw/compressed", serials[i]);
            if (strcmp(ch->topic, topic) == 0)
                d = i;
        }
        if (d < 0)
            continue;
        const rig_mcap_schema_t *sc = rig_mcap_reader_schema(rd, ch->schema_id);
        assert_non_null(sc);
        assert_string_equal(sc->name, "sensor_msgs/msg/CompressedImage");
        assert_true(got[d] < r.n[d]);
        size_t k = got[d]++;
        assert_int_equal(m.sequence, k);
        cdr_in_t c = {m.data, m.len, 0};
        const char *frame_id;
        assert_int_equal(in_header(&c, &frame_id), r.stamp[d][k]);
        assert_string_equal(frame_id, serials[d]);
        assert_string_equal(in_string(&c), "jpeg");
        uint32_t n = in_u32(&c);
        assert_int_equal(c.off + n, c.len);
        assert_int_equal(n, r.size[d][k]);
        assert_int_equal(fnv1a(c.p + c.off, n), r.hash[d][k]);
        uint32_t w, h;
        jpeg_size(c.p + c.off, n, &w, &h);
        assert_int_equal(w, MJPG_W);
        assert_int_equal(h, MJPG_H);
    }
    assert_int_equal(got[0], r.n[0]);
    assert_int_equal(got[1], r.n[1]);
    assert_int_equal(raw_color, 0);
    rig_mcap_reader_close(rd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdr_alignment_by_hand),
        cmocka_unit_test(record_with_pixels),
        cmocka_unit_test(record_without_pixels),
        cmocka_unit_test(mjpg_color_should_stay_compressed),
        cmocka_unit_test(unwritable_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

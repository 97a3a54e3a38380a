/*
 * The simulated rig, in virtual time: every expectation is derived by hand from the physics the
 * simulator claims (crystal ppm, pulse propagation, delays, clock-sync error) and checked
 * against its ground truth.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define RIG_MIN_T(a, b) ((a) < (b) ? (a) : (b))
#define RIG_MAX_T(a, b) ((a) > (b) ? (a) : (b))
#define SN_A "SIMA0001"
#define SN_B "SIMB0002"

/* A quiet transport (no drops, no stalls) so that frame counts can be exact. */
#define QUIET_TRANSPORT                                                                          \
    "\"transport\":{\"drop_probability\":0,\"stall_probability\":0}"

typedef struct frame_rec {
    size_t dev;
    rig_stream_t stream;
    uint64_t index;
    int64_t device_ts, host_ts;
    rig_sim_truth_t truth;
} frame_rec_t;

typedef struct rig_run {
    rig_config_t *cfg;
    rig_context_t *ctx;
    rig_device_t *dev[8];
    size_t n;
    frame_rec_t *frames;
    size_t nframes, cap;
} rig_run_t;

static rig_config_t *parse(const char *json)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    rig_error_t err = rig_config_parse(json, "test.json", &cfg, &diag);
    if (err != RIG_OK)
        fail_msg("config rejected: %s:%d:%d %s: %s", diag.file, diag.line, diag.column,
                 diag.field, diag.message);
    return cfg;
}

/* Opens every configured device, applies its config, optionally starts streams (secondaries
 * first) in virtual time. */
static void rig_up(rig_run_t *r, const char *json, bool start, bool pixels)
{
    memset(r, 0, sizeof(*r));
    r->cfg = parse(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r->cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = pixels;
    o.queue_capacity = 100000;
    assert_int_equal(rig_context_create(&o, &r->ctx), RIG_OK);
    r->n = rig_config_device_count(r->cfg);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(rig_device_open(r->ctx, rig_config_device_serial(r->cfg, i), &r->dev[i]),
                         RIG_OK);
        rig_sync_config_t s;
        assert_int_equal(rig_config_device_sync(r->cfg, i, &s), RIG_OK);
        assert_int_equal(rig_device_set_sync_config(r->dev[i], &s, NULL), RIG_OK);
    }
    if (!start)
        return;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n; i++) {
            rig_sync_config_t s;
            rig_config_device_sync(r->cfg, i, &s);
            bool primary = s.mode == RIG_SYNC_MODE_PRIMARY;
            rig_stream_profile_t c = rig_config_stream_profile(r->cfg, RIG_STREAM_COLOR);
            rig_stream_profile_t d = rig_config_stream_profile(r->cfg, RIG_STREAM_DEPTH);
            if (primary == (pass == 1))
                assert_int_equal(rig_device_start(r->dev[i], &c, &d), RIG_OK);
        }
    }
}

/* Pulls every frame that arrives in the next `us` of virtual time. */
static void collect(rig_run_t *r, int64_t us)
{
    int64_t now, end;
    assert_int_equal(rig_sim_now_us(r->ctx, &now), RIG_OK);
    end = now + us;
    while (now < end) {
        rig_frame_t *f = NULL;
        int64_t left_ms = (end - now + 999) / 1000;
        rig_error_t err = rig_context_wait_frame(r->ctx, (uint32_t)(left_ms > 1000 ? 1000 : left_ms),
                                                 &f);
        if (err == RIG_OK) {
            if (r->nframes == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 1024;
                r->frames = realloc(r->frames, r->cap * sizeof(*r->frames));
                assert_non_null(r->frames);
            }
            frame_rec_t *fr = &r->frames[r->nframes++];
            fr->dev = rig_frame_device_index(f);
            fr->stream = rig_frame_stream(f);
            fr->index = rig_frame_index(f);
            fr->device_ts = rig_frame_device_ts_us(f);
            fr->host_ts = rig_frame_host_ts_us(f);
            assert_int_equal(rig_sim_frame_truth(f, &fr->truth), RIG_OK);
            rig_frame_release(f);
        } else {
            assert_int_equal(err, RIG_ERROR_TIMEOUT);
        }
        assert_int_equal(rig_sim_now_us(r->ctx, &now), RIG_OK);
    }
}

static void rig_down(rig_run_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        rig_device_close(r->dev[i]);
    rig_context_destroy(r->ctx);
    rig_config_destroy(r->cfg);
    free(r->frames);
}

static size_t count(const rig_run_t *r, size_t dev, int stream)
{
    size_t c = 0;
    for (size_t i = 0; i < r->nframes; i++)
        if (r->frames[i].dev == dev && (stream < 0 || (int)r->frames[i].stream == stream))
            c++;
    return c;
}

/* ------------------------------------------------------------------------------------------ */

static void free_run_devices_drift_apart_at_their_configured_ppm(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"FREE_RUN\"}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"FREE_RUN\"}}],"
           "\"sim\":{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"ppm\":50},"
           "{\"serial_number\":\"" SN_B "\",\"ppm\":-30}],\"drift_walk_ppm_per_sqrt_hour\":0," QUIET_TRANSPORT "}}",
           true, false);
    collect(&r, 20 * 1000000);
    /* On the host clock, a 30 fps crystal at +50 ppm ticks every 33333.33/(1+50e-6) us. */
    const double ppm[2] = {50, -30};
    int64_t first[2] = {0}, last[2] = {0};
    uint64_t first_idx[2] = {0}, last_idx[2] = {0};
    bool seen[2] = {false, false};
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        if (f->stream != RIG_STREAM_DEPTH)
            continue;
        if (!seen[f->dev]) {
            first[f->dev] = f->truth.capture_start_us;
            first_idx[f->dev] = f->index;
            seen[f->dev] = true;
        }
        last[f->dev] = f->truth.capture_start_us;
        last_idx[f->dev] = f->index;
    }
    for (int d = 0; d < 2; d++) {
        assert_true(seen[d]);
        double period = (double)(last[d] - first[d]) / (double)(last_idx[d] - first_idx[d]);
        double expected = 1e6 / 30.0 / (1.0 + ppm[d] * 1e-6);
        assert_true(fabs(period - expected) < 0.01);
    }
    /* Relative drift: 80 ppm = 80 us per second between the two devices' capture instants. */
    double pa = (double)(last[0] - first[0]) / (double)(last_idx[0] - first_idx[0]);
    double pb = (double)(last[1] - first[1]) / (double)(last_idx[1] - first_idx[1]);
    double drift_us_per_s = (pb - pa) / pa * 1e6;
    assert_true(fabs(drift_us_per_s - 80.0) < 0.5);
    /* Without clock sync, each device stamps frames with its own crystal: exactly nominal. */
    for (size_t i = 1; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        for (size_t j = i; j-- > 0;) {
            const frame_rec_t *g = &r.frames[j];
            if (g->dev == f->dev && g->stream == f->stream) {
                int64_t dt = f->device_ts - g->device_ts;
                int64_t want = (int64_t)(f->index - g->index) * 1000000 / 30;
                assert_true(llabs(dt - want) <= 1);
                break;
            }
        }
    }
    rig_down(&r);
}

/* Temperature moves a crystal as a random walk (1000 ppm per sqrt(hour) here: 16.7 ppm per 1 s
 * step) but never past the 1000 ppm the config accepts: the walk reflects at the edge. A crystal
 * started at 999 ppm, 1 ppm from the edge, stays inside it for the whole hour (checked every
 * second); an unbounded walk would cross it almost surely. */
static void temperature_keeps_a_crystal_within_the_accepted_range(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"FREE_RUN\"}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"ppm\":999}],"
           "\"drift_walk_ppm_per_sqrt_hour\":1000," QUIET_TRANSPORT "}}",
           false, false);
    double lo = 1e9, hi = -1e9;
    for (int k = 0; k < 3600; k++) {
        assert_int_equal(rig_sim_advance_us(r.ctx, 1000000), RIG_OK);
        double ppm;
        assert_int_equal(rig_sim_device_ppm(r.ctx, 0, &ppm), RIG_OK);
        lo = ppm < lo ? ppm : lo;
        hi = ppm > hi ? ppm : hi;
    }
    if (!(hi <= 1000.0 && lo >= -1000.0 && hi - lo > 100.0))
        fail_msg("the crystal went from %.1f to %.1f ppm", lo, hi);
    rig_down(&r);
}

static void free_run_color_and_depth_have_independent_phases(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"FREE_RUN\"}}],"
           "\"sim\":{" QUIET_TRANSPORT "}}",
           true, false);
    collect(&r, 2 * 1000000);
    int64_t c0 = 0, d0 = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        if (r.frames[i].stream == RIG_STREAM_COLOR && !c0)
            c0 = r.frames[i].truth.capture_start_us;
        if (r.frames[i].stream == RIG_STREAM_DEPTH && !d0)
            d0 = r.frames[i].truth.capture_start_us;
    }
    assert_true(c0 && d0);
    assert_int_not_equal(c0, d0);
    rig_down(&r);
}

static void secondary_captures_on_primary_pulse_plus_cable_and_configured_delays(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true,"
           "\"depth_delay_us\":0,\"color_delay_us\":0,\"trigger_out_delay_us\":40}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true,"
           "\"depth_delay_us\":160,\"color_delay_us\":50,\"trigger_to_image_delay_us\":100}}],"
           "\"sim\":{\"cable_delay_ns\":1000," QUIET_TRANSPORT "}}",
           true, false);
    collect(&r, 5 * 1000000);
    /* secondary start = primary tick + trigger_out_delay (40) + cable (1 us)
     *                   + trigger_to_image (100) + stream delay (160 depth / 50 color) */
    const int64_t want[RIG_STREAM_COUNT] = {40 + 1 + 100 + 50, 40 + 1 + 100 + 160};
    size_t matched = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *s = &r.frames[i];
        if (s->dev != 1)
            continue;
        for (size_t j = 0; j < r.nframes; j++) {
            const frame_rec_t *p = &r.frames[j];
            if (p->dev == 0 && p->stream == s->stream &&
                p->truth.trigger_seq == s->truth.trigger_seq) {
                int64_t d = s->truth.capture_start_us - p->truth.capture_start_us;
                assert_true(llabs(d - want[s->stream]) <= 1);
                matched++;
                break;
            }
        }
    }
    /* ~4.75 s of streaming after start-up, both streams: all secondary frames matched. */
    assert_int_equal(matched, count(&r, 1, -1));
    assert_true(matched > 250);
    /* The secondary captured one frame per pulse: same count as the primary (+-1 at the
     * edges of the window). */
    assert_true(llabs((long long)count(&r, 0, RIG_STREAM_DEPTH) -
                      (long long)count(&r, 1, RIG_STREAM_DEPTH)) <= 1);
    rig_down(&r);
}

static void secondary_gets_no_frames_when_primary_trigger_out_is_disabled(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":false}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}]}",
           true, false);
    collect(&r, 3 * 1000000);
    assert_true(count(&r, 0, -1) > 100);
    assert_int_equal(count(&r, 1, -1), 0);
    uint64_t pulses = 99;
    assert_int_equal(rig_sim_device_pulses_in(r.ctx, 1, &pulses), RIG_OK);
    assert_int_equal(pulses, 0);
    char why[512];
    assert_true(rig_config_explain_no_pulses(r.cfg, 1, why, sizeof(why)));
    assert_non_null(strstr(why, "trigger_out_enable"));
    rig_down(&r);
}

static void daisy_chain_stops_at_a_secondary_without_trigger_out(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":false}},"
           "{\"serial_number\":\"S3\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}]}",
           true, false);
    collect(&r, 2 * 1000000);
    assert_true(count(&r, 1, -1) > 50);
    assert_int_equal(count(&r, 2, -1), 0);
    rig_down(&r);
}

static void host_clock_sync_aligns_device_clocks_then_they_drift_at_their_ppm(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
           "\"sim\":{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"ppm\":100,\"clock_offset_us\":5000000},"
           "{\"serial_number\":\"" SN_B "\",\"ppm\":-80,\"clock_offset_us\":900000000}],"
           "\"clock_sync_error_us\":{\"min\":100,\"max\":600},\"drift_walk_ppm_per_sqrt_hour\":0}}",
           false, false);
    const double ppm[2] = {100, -80};
    int64_t host0, dev_clock;
    /* Before any sync, the device clocks are nowhere near the host's. */
    assert_int_equal(rig_sim_now_us(r.ctx, &host0), RIG_OK);
    assert_int_equal(rig_sim_device_clock_us(r.ctx, 1, &dev_clock), RIG_OK);
    assert_true(llabs(dev_clock - host0) > 1000000);

    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 10000), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 1), RIG_OK);
    int64_t sync_host[2], err[2];
    for (size_t d = 0; d < 2; d++) {
        assert_int_equal(rig_sim_device_last_clock_sync(r.ctx, d, &sync_host[d], &err[d]), RIG_OK);
        /* The write lands late by the command latency: the device is 100 to 600 us behind. */
        assert_true(err[d] <= -100 && err[d] >= -600);
    }
    /* Right after the sync the two clocks agree within the sync error span (500 us). */
    int64_t c0, c1, now;
    assert_int_equal(rig_sim_device_clock_us(r.ctx, 0, &c0), RIG_OK);
    assert_int_equal(rig_sim_device_clock_us(r.ctx, 1, &c1), RIG_OK);
    assert_true(llabs(c0 - c1) <= 500);
    /* 8 s later each has drifted by ppm x 8 s: +800 us and -640 us. */
    assert_int_equal(rig_sim_advance_us(r.ctx, 8000000 - 1), RIG_OK);
    assert_int_equal(rig_sim_now_us(r.ctx, &now), RIG_OK);
    for (size_t d = 0; d < 2; d++) {
        int64_t c;
        assert_int_equal(rig_sim_device_clock_us(r.ctx, d, &c), RIG_OK);
        double want = (double)(now + err[d]) + ppm[d] * 1e-6 * (double)(now - sync_host[d]);
        assert_true(fabs((double)c - want) <= 1.0);
    }
    /* The next pass (at 10 s) pulls them back. */
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000001), RIG_OK);
    for (size_t d = 0; d < 2; d++) {
        int64_t h, e;
        assert_int_equal(rig_sim_device_last_clock_sync(r.ctx, d, &h, &e), RIG_OK);
        assert_int_equal(h, sync_host[d] + 10000000);
        assert_true(e <= -100 && e >= -600);
    }
    rig_down(&r);
}

static void frame_device_timestamps_follow_clock_sync_and_drift(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"ppm\":150},"
           "{\"serial_number\":\"" SN_B "\",\"ppm\":-150}],\"drift_walk_ppm_per_sqrt_hour\":0," QUIET_TRANSPORT "}}",
           true, false);
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 5000), RIG_OK);
    collect(&r, 12 * 1000000);
    /* device_ts - true mid-exposure = sync error + ppm x time since that sync, exactly. */
    size_t checked = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        const double ppm = f->dev == 0 ? 150 : -150;
        int64_t since = (f->truth.true_ts_us - 1700000000000000LL) % 5000000;
        double off = (double)(f->device_ts - f->truth.true_ts_us);
        double drift = ppm * 1e-6 * (double)since;
        /* error term in [-600, -100] */
        assert_true(off - drift <= -100 + 1 && off - drift >= -600 - 1);
        checked++;
    }
    assert_true(checked > 600);
    rig_down(&r);
}

static void pixels_carry_the_true_capture_time(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}",
           true, true);
    size_t seen = 0;
    for (int k = 0; k < 20; k++) {
        rig_frame_t *f = NULL;
        assert_int_equal(rig_context_wait_frame(r.ctx, 1000, &f), RIG_OK);
        rig_sim_truth_t t;
        int64_t stamp = 0;
        assert_int_equal(rig_sim_frame_truth(f, &t), RIG_OK);
        assert_int_equal(rig_sim_decode_stamp(f, &stamp), RIG_OK);
        assert_int_equal(stamp, t.true_ts_us);
        rig_format_t fmt = rig_frame_format(f);
        assert_true(fmt == (rig_frame_stream(f) == RIG_STREAM_DEPTH ? RIG_FORMAT_Y16 : RIG_FORMAT_RGB));
        assert_int_equal(rig_frame_data_size(f),
                         (size_t)rig_frame_width(f) * rig_frame_height(f) * rig_format_bytes_per_pixel(fmt));
        rig_frame_release(f);
        seen++;
    }
    assert_int_equal(seen, 20);
    rig_down(&r);
}

static void pixels_can_be_turned_off(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}",
           true, false);
    rig_frame_t *f = NULL;
    assert_int_equal(rig_context_wait_frame(r.ctx, 1000, &f), RIG_OK);
    assert_null(rig_frame_data(f));
    assert_int_equal(rig_frame_format(f), RIG_FORMAT_NONE);
    int64_t stamp;
    assert_int_equal(rig_sim_decode_stamp(f, &stamp), RIG_ERROR_UNSUPPORTED);
    rig_frame_release(f);
    rig_down(&r);
}

static void frames_arrive_in_order_after_exposure_readout_and_latency_floor(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}",
           true, false);
    collect(&r, 10 * 1000000);
    int64_t last[2] = {0, 0};
    const int64_t exposure[2] = {8000, 12800};
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        /* capture + exposure + readout (2 ms) + latency floor (1 ms) */
        assert_true(f->host_ts >= f->truth.capture_start_us + exposure[f->stream] + 2000 + 1000);
        assert_true(f->host_ts > last[f->stream]);
        assert_int_equal(f->host_ts, f->truth.arrival_us);
        last[f->stream] = f->host_ts;
    }
    rig_down(&r);
}

static void dropped_frames_leave_gaps_in_the_frame_index(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
           "\"sim\":{\"transport\":{\"drop_probability\":0.1}}}",
           true, false);
    collect(&r, 10 * 1000000);
    uint64_t gaps = 0, last = 0;
    size_t n = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        if (r.frames[i].stream != RIG_STREAM_DEPTH)
            continue;
        if (n++ > 0)
            gaps += r.frames[i].index - last - 1;
        last = r.frames[i].index;
    }
    /* ~290 captures at 10 %: far from 0, far from all. */
    assert_true(gaps > 10 && gaps < 60);
    rig_down(&r);
}

static void same_seed_gives_the_same_run_and_another_seed_does_not(void **state)
{
    (void)state;
    const char *json = "{\"devices\":["
                       "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
                       "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
                       "\"sim\":{\"seed\":7}}";
    rig_run_t a, b, c;
    rig_up(&a, json, true, false);
    collect(&a, 2000000);
    rig_up(&b, json, true, false);
    collect(&b, 2000000);
    assert_int_equal(a.nframes, b.nframes);
    for (size_t i = 0; i < a.nframes; i++) {
        assert_int_equal(a.frames[i].device_ts, b.frames[i].device_ts);
        assert_int_equal(a.frames[i].host_ts, b.frames[i].host_ts);
    }
    rig_config_t *cfg = parse(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.seed_set = true;
    o.seed = 8;
    memset(&c, 0, sizeof(c));
    assert_int_equal(rig_context_create(&o, &c.ctx), RIG_OK);
    rig_device_t *d;
    assert_int_equal(rig_device_open(c.ctx, SN_A, &d), RIG_OK);
    int64_t clk_a, clk_c;
    assert_int_equal(rig_sim_device_clock_us(a.ctx, 0, &clk_a), RIG_OK);
    assert_int_equal(rig_sim_device_clock_us(c.ctx, 0, &clk_c), RIG_OK);
    assert_int_not_equal(clk_a, clk_c); /* another power-on offset */
    rig_context_destroy(c.ctx);
    rig_config_destroy(cfg);
    rig_down(&a);
    rig_down(&b);
}

static int cb_count;
static void count_cb(rig_frame_t *f, void *user)
{
    (void)user;
    assert_non_null(f);
    cb_count++;
}

static void callback_receives_frames_instead_of_the_queue(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
               "\"sim\":{" QUIET_TRANSPORT "}}",
           true, false);
    cb_count = 0;
    assert_int_equal(rig_context_set_frame_callback(r.ctx, count_cb, NULL), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000000), RIG_OK);
    /* 30 fps x 2 streams x ~1.75 s after start-up. */
    assert_true(cb_count > 90 && cb_count < 125);
    rig_frame_t *f = NULL;
    assert_int_equal(rig_context_wait_frame(r.ctx, 0, &f), RIG_ERROR_TIMEOUT);
    rig_down(&r);
}

static void pull_queue_keeps_the_newest_frames_when_full(void **state)
{
    (void)state;
    rig_config_t *cfg = parse("{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}");
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    o.queue_capacity = 4;
    rig_context_t *ctx;
    rig_device_t *d;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    assert_int_equal(rig_device_open(ctx, SN_A, &d), RIG_OK);
    assert_int_equal(rig_device_start(d, NULL, NULL), RIG_OK);
    assert_int_equal(rig_sim_advance_us(ctx, 1000000), RIG_OK);
    uint64_t drops = rig_context_queue_drops(ctx);
    assert_true(drops > 10);
    rig_frame_t *f;
    uint64_t newest = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rig_context_wait_frame(ctx, 0, &f), RIG_OK);
        newest = rig_frame_index(f) > newest ? rig_frame_index(f) : newest;
        rig_frame_release(f);
    }
    assert_int_equal(rig_context_wait_frame(ctx, 0, &f), RIG_ERROR_TIMEOUT);
    assert_true(newest > 10); /* the newest frames, not the first four (indices 0 and 1) */
    rig_context_destroy(ctx); /* also closes d */
    rig_config_destroy(cfg);
}

static void setting_an_unsupported_mode_names_the_model_and_its_modes(void **state)
{
    (void)state;
    rig_config_t *cfg = parse("{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
                              "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"model\":\"Femto Bolt\"}]}}");
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    rig_context_t *ctx;
    rig_device_t *d;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    assert_int_equal(rig_device_open(ctx, SN_A, &d), RIG_OK);
    rig_device_info_t info;
    assert_int_equal(rig_device_get_info(d, &info), RIG_OK);
    assert_string_equal(info.model, "Femto Bolt");
    assert_int_equal(info.supported_modes, 0x0F);
    rig_sync_config_t s = rig_sync_config_default();
    s.mode = RIG_SYNC_MODE_SOFTWARE_TRIGGERING;
    assert_int_equal(rig_device_set_sync_config(d, &s, NULL), RIG_ERROR_UNSUPPORTED);
    char msg[512];
    rig_context_last_error(ctx, msg, sizeof(msg));
    assert_non_null(strstr(msg, "Femto Bolt"));
    assert_non_null(strstr(msg, "SOFTWARE_TRIGGERING"));
    assert_non_null(strstr(msg, "SECONDARY"));
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
}

static void identical_sync_config_is_not_rewritten(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}}]}",
           false, false);
    rig_sync_config_t s;
    rig_config_device_sync(r.cfg, 0, &s);
    bool written = true;
    assert_int_equal(rig_device_set_sync_config(r.dev[0], &s, &written), RIG_OK);
    assert_false(written);
    s.depth_delay_us = 160;
    assert_int_equal(rig_device_set_sync_config(r.dev[0], &s, &written), RIG_OK);
    assert_true(written);
    rig_sync_config_t back;
    assert_int_equal(rig_device_get_sync_config(r.dev[0], &back), RIG_OK);
    assert_int_equal(back.depth_delay_us, 160);
    rig_down(&r);
}

static void opening_an_absent_serial_lists_the_serials_present(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}",
           false, false);
    rig_device_t *d = NULL;
    assert_int_equal(rig_device_open(r.ctx, "NOPE123", &d), RIG_ERROR_NOT_FOUND);
    assert_null(d);
    char msg[512];
    rig_context_last_error(r.ctx, msg, sizeof(msg));
    assert_non_null(strstr(msg, "NOPE123"));
    assert_non_null(strstr(msg, SN_A));
    assert_int_equal(rig_device_open(r.ctx, SN_A, &d), RIG_ERROR_STATE); /* already open */
    rig_down(&r);
}

static void software_trigger_needs_software_triggering_mode(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r, "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}]}",
           true, false);
    assert_int_equal(rig_device_trigger(r.dev[0]), RIG_ERROR_STATE);
    rig_down(&r);
}

static void real_time_rig_delivers_frames_on_its_thread(void **state)
{
    (void)state;
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    assert_int_equal(rig_config_default(&cfg, &diag), RIG_OK);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.pixels = false;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    rig_device_t *d[2];
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rig_device_open(ctx, rig_config_device_serial(cfg, i), &d[i]), RIG_OK);
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        assert_int_equal(rig_device_set_sync_config(d[i], &s, NULL), RIG_OK);
    }
    assert_int_equal(rig_device_start(d[1], NULL, NULL), RIG_OK);
    assert_int_equal(rig_device_start(d[0], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 0), RIG_OK);
    /* Only "eventually": a generous timeout, no assumption about scheduling. */
    bool got[2] = {false, false};
    for (int k = 0; k < 400 && !(got[0] && got[1]); k++) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(ctx, 5000, &f) != RIG_OK)
            break;
        got[rig_frame_device_index(f)] = true;
        rig_frame_release(f);
    }
    assert_true(got[0] && got[1]);
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Pulls frames for `us` and returns |global - true mid-exposure| for those captured after
 * `from_us` of the run, sorted; frames without a global time are counted in *missing. */
static int64_t *global_errors(rig_run_t *r, int64_t us, int64_t from_us, size_t *n, size_t *missing)
{
    int64_t start;
    rig_sim_now_us(r->ctx, &start);
    int64_t *errs = malloc(sizeof(int64_t) * 200000);
    assert_non_null(errs);
    *n = *missing = 0;
    int64_t now = start;
    while (now < start + us) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(r->ctx, 1000, &f) == RIG_OK) {
            rig_sim_truth_t t;
            rig_sim_frame_truth(f, &t);
            int64_t g = rig_frame_global_ts_us(f);
            if (t.true_ts_us > start + from_us) {
                if (g == RIG_TS_NONE)
                    (*missing)++;
                else if (*n < 200000) {
                    errs[(*n)++] = llabs(g - t.true_ts_us);
                    /* the bound the estimator gives holds */
                    assert_true(llabs(g - t.true_ts_us) <= rig_frame_global_ts_bound_us(f));
                }
            }
            rig_frame_release(f);
        }
        rig_sim_now_us(r->ctx, &now);
    }
    qsort(errs, *n, sizeof(int64_t), cmp_i64);
    return errs;
}

static void global_timestamps_track_true_capture_time_across_host_clock_syncs(void **state)
{
    (void)state;
    rig_run_t r;
    /* default (rough) noise: random crystals 20-200 ppm with a random walk, stalls, drops */
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"seed\":3}}",
           true, false);
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 10000), RIG_OK);
    size_t n, missing;
    int64_t *errs = global_errors(&r, 45000000, 2000000, &n, &missing);
    assert_true(n > 4000);
    assert_true(missing <= 2);
    /* Raw device timestamps are off by hundreds of us to ms here; the global ones are not. */
    assert_true(errs[(size_t)(0.99 * (double)(n - 1))] < 40);
    assert_true(errs[n - 1] < 150);
    unsigned epochs = 0;
    assert_int_equal(rig_device_clock_estimate(r.dev[0], NULL, &epochs), RIG_OK);
    assert_int_equal(epochs, 6); /* the first sync at start, then every 10 s */
    free(errs);
    rig_down(&r);
}

static void global_timestamps_of_one_capture_agree_across_a_hardware_synced_rig(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"seed\":11}}",
           true, false);
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 60000), RIG_OK);
    collect(&r, 1000000); /* start-up */
    r.nframes = 0;
    /* the same capture: same trigger pulse, same stream; spread of their global times */
    int64_t start;
    rig_sim_now_us(r.ctx, &start);
    int64_t *spread = malloc(sizeof(int64_t) * 4000);
    size_t ns = 0;
    int64_t gl[2][RIG_STREAM_COUNT][64];
    uint64_t seq[2][RIG_STREAM_COUNT][64];
    memset(seq, 0xFF, sizeof(seq));
    int64_t now = start;
    while (now < start + 30000000 && ns < 4000) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(r.ctx, 1000, &f) == RIG_OK) {
            rig_sim_truth_t t;
            rig_sim_frame_truth(f, &t);
            size_t d = rig_frame_device_index(f);
            int s = rig_frame_stream(f);
            size_t slot = t.trigger_seq % 64;
            int64_t g = rig_frame_global_ts_us(f);
            gl[d][s][slot] = g;
            seq[d][s][slot] = t.trigger_seq;
            /* whichever of the pair arrives second closes it */
            if (seq[1 - d][s][slot] == t.trigger_seq && g != RIG_TS_NONE &&
                gl[1 - d][s][slot] != RIG_TS_NONE)
                spread[ns++] = llabs(g - gl[1 - d][s][slot]);
            rig_frame_release(f);
        }
        rig_sim_now_us(r.ctx, &now);
    }
    assert_true(ns > 1500);
    qsort(spread, ns, sizeof(int64_t), cmp_i64);
    if (getenv("SIM_DEBUG"))
        fprintf(stderr, "spread p50 %lld p99 %lld max %lld over %zu\n", (long long)spread[ns / 2],
                (long long)spread[(size_t)(0.99 * (double)(ns - 1))], (long long)spread[ns - 1], ns);
    assert_true(spread[(size_t)(0.99 * (double)(ns - 1))] < 50); /* vendors' spec: 100 us */
    free(spread);
    rig_down(&r);
}

static void thirty_two_bit_device_counters_wrap_and_global_time_does_not(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"timestamp_bits\":32,"
           "\"clock_offset_us\":4284967296}]}}", /* 10 s before the counter wraps */
           true, false);
    rig_device_info_t info;
    rig_device_get_info(r.dev[0], &info);
    assert_int_equal(info.timestamp_bits, 32);
    size_t n, missing;
    int64_t *errs = global_errors(&r, 20000000, 2000000, &n, &missing);
    assert_int_equal(missing, 0);
    assert_true(errs[n - 1] < 100);
    free(errs);
    /* the raw counter did wrap */
    int64_t clock;
    rig_sim_device_clock_us(r.ctx, 0, &clock);
    assert_true(clock < 20000000);
    rig_down(&r);
}

/* Framesets on ground truth: every frame that arrived is in exactly one set (or reported),
 * and a set never holds frames of two trigger pulses. */
typedef struct set_check {
    size_t frames, in_sets, unmatched, sets, mixed, silent_slots, partial;
} set_check_t;

static void count_frame(rig_frame_t *f, void *user)
{
    (void)f;
    ((set_check_t *)user)->frames++;
}

static void check_set(rig_frameset_t *set, void *user)
{
    set_check_t *c = user;
    c->sets++;
    uint64_t seq = UINT64_MAX;
    bool partial = false;
    for (size_t d = 0; d < rig_frameset_device_count(set); d++) {
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            if (!f) {
                partial = true;
                if (rig_frameset_status(set, d, (rig_stream_t)s) == RIG_SLOT_SILENT)
                    c->silent_slots++;
                continue;
            }
            assert_int_equal(rig_frame_device_index(f), d);
            assert_int_equal(rig_frame_stream(f), s);
            rig_sim_truth_t t;
            rig_sim_frame_truth(f, &t);
            if (seq == UINT64_MAX)
                seq = t.trigger_seq;
            else if (seq != t.trigger_seq)
                c->mixed++;
            c->in_sets++;
        }
    }
    c->partial += partial;
}

static void count_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    (void)f;
    (void)reason;
    ((set_check_t *)user)->unmatched++;
}

static void framesets_hold_one_capture_each_and_lose_no_frame(void **state)
{
    (void)state;
    rig_run_t r;
    /* rough transport: 3 % drops, 1 % stalls of 5-50 ms */
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true,\"depth_delay_us\":160}},"
           "{\"serial_number\":\"S3\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":320}}],"
           "\"sim\":{\"seed\":5,\"transport\":{\"drop_probability\":0.03,\"stall_probability\":0.01}}}",
           true, false);
    set_check_t c = {0};
    assert_int_equal(rig_context_enable_framesets(r.ctx, NULL), RIG_OK);
    rig_context_set_frame_callback(r.ctx, count_frame, &c);
    rig_context_set_frameset_callback(r.ctx, check_set, &c);
    rig_context_set_unmatched_callback(r.ctx, count_unmatched, &c);
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 10000), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 30000000), RIG_OK);
    assert_int_equal(rig_context_flush_framesets(r.ctx), RIG_OK);
    assert_true(c.frames > 4500);
    assert_int_equal(c.mixed, 0);
    assert_int_equal(c.in_sets + c.unmatched, c.frames);
    assert_true(c.sets >= 890 && c.sets <= 905); /* one per pulse in ~29.7 s */
    assert_true(c.partial > 50);                 /* drops leave marked slots, sets still out */
    rig_down(&r);
}

static void a_silent_secondary_does_not_stall_the_framesets(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":false}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\"}}]}",
           true, false);
    set_check_t c = {0};
    assert_int_equal(rig_context_enable_framesets(r.ctx, NULL), RIG_OK);
    rig_context_set_frameset_callback(r.ctx, check_set, &c);
    assert_int_equal(rig_sim_advance_us(r.ctx, 5000000), RIG_OK);
    /* sets keep coming without a flush: each waits at most the deadline for the silent one */
    assert_true(c.sets > 130);
    assert_true(c.silent_slots > 200);
    assert_int_equal(c.mixed, 0);
    rig_down(&r);
}

static void framesets_can_be_pulled_with_a_timeout(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{" QUIET_TRANSPORT "}}",
           true, false);
    rig_frameset_t *set = NULL;
    assert_int_equal(rig_context_wait_frameset(r.ctx, 10, &set), RIG_ERROR_STATE);
    assert_int_equal(rig_context_enable_framesets(r.ctx, NULL), RIG_OK);
    size_t complete = 0;
    for (int k = 0; k < 60; k++) {
        assert_int_equal(rig_context_wait_frameset(r.ctx, 1000, &set), RIG_OK);
        assert_int_equal(rig_frameset_seq(set), (uint64_t)k);
        if (rig_frameset_frame(set, 0, RIG_STREAM_DEPTH) && rig_frameset_frame(set, 1, RIG_STREAM_DEPTH)) {
            complete++;
            assert_true(rig_frameset_spread_us(set) < 100);
        }
        rig_frameset_release(set);
    }
    assert_true(complete >= 58);
    rig_down(&r);
}

/* ------------------------------------------------------------------------------------------ */
/* Every mode, field and wiring, with hand-derived numbers (issue: simulated rig, complete)     */

#define EXACT "\"drift_walk_ppm_per_sqrt_hour\":0," QUIET_TRANSPORT

static int64_t start_of(const rig_run_t *r, size_t dev, int stream, uint64_t seq)
{
    for (size_t i = 0; i < r->nframes; i++)
        if (r->frames[i].dev == dev && (int)r->frames[i].stream == stream &&
            r->frames[i].truth.trigger_seq == seq)
            return r->frames[i].truth.capture_start_us;
    return INT64_MIN;
}

static void standalone_locks_color_and_depth_to_one_tick_with_their_delays(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\","
           "\"color_delay_us\":100,\"depth_delay_us\":300,\"trigger_to_image_delay_us\":50}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"ppm\":40}]," EXACT "}}",
           true, false);
    collect(&r, 3000000);
    size_t checked = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        if (r.frames[i].stream != RIG_STREAM_DEPTH)
            continue;
        int64_t c = start_of(&r, 0, RIG_STREAM_COLOR, r.frames[i].truth.trigger_seq);
        if (c == INT64_MIN)
            continue;
        /* depth starts 300 - 100 = 200 us after color, on the very same tick */
        assert_true(llabs(r.frames[i].truth.capture_start_us - c - 200) <= 1);
        checked++;
    }
    assert_true(checked > 80);
    rig_down(&r);
}

static void free_run_color_and_depth_can_run_at_different_rates(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"FREE_RUN\"}}],"
           "\"streams\":{\"color\":{\"fps\":30},\"depth\":{\"fps\":15}},\"sim\":{" EXACT "}}",
           true, false);
    collect(&r, 10000000);
    /* 9.75 s after start-up: 292 color and 146 depth frames, give or take one at each end */
    assert_true(llabs((long long)count(&r, 0, RIG_STREAM_COLOR) - 292) <= 2);
    assert_true(llabs((long long)count(&r, 0, RIG_STREAM_DEPTH) - 146) <= 2);
    rig_down(&r);
}

static void secondary_stops_within_two_frame_periods_of_a_cable_cut(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"events\":[{\"at_s\":3.0,\"cut_cable_to\":\"" SN_B "\"}]," EXACT "}}",
           true, false);
    collect(&r, 6000000);
    int64_t cut = 1700000000000000LL + 3000000, last_b = 0, last_a = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        if (r.frames[i].dev == 1 && r.frames[i].truth.capture_start_us > last_b)
            last_b = r.frames[i].truth.capture_start_us;
        if (r.frames[i].dev == 0 && r.frames[i].truth.capture_start_us > last_a)
            last_a = r.frames[i].truth.capture_start_us;
    }
    assert_true(last_b <= cut && cut - last_b <= 2 * 33334);
    assert_true(last_a > cut + 2500000); /* the primary goes on */
    rig_down(&r);
}

static void secondary_synced_keeps_going_after_a_cut_and_drifts(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY_SYNCED\"}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"ppm\":100},"
           "{\"serial_number\":\"" SN_B "\",\"ppm\":-100}],"
           "\"events\":[{\"at_s\":2.0,\"cut_cable_to\":\"" SN_B "\"}]," EXACT "}}",
           true, false);
    collect(&r, 9000000);
    /* offset of B's depth captures to the nearest of A's, early (locked) and 6 s after the cut */
    int64_t t0 = 1700000000000000LL;
    double off_early = NAN, off_late = NAN;
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *b = &r.frames[i];
        if (b->dev != 1 || b->stream != RIG_STREAM_DEPTH)
            continue;
        int64_t tb = b->truth.capture_start_us;
        int64_t best = INT64_MAX;
        for (size_t j = 0; j < r.nframes; j++) {
            const frame_rec_t *a = &r.frames[j];
            if (a->dev == 0 && a->stream == RIG_STREAM_DEPTH &&
                llabs(tb - a->truth.capture_start_us) < llabs(best))
                best = tb - a->truth.capture_start_us;
        }
        if (tb > t0 + 1500000 && tb < t0 + 1600000)
            off_early = (double)best;
        if (tb > t0 + 8000000 && tb < t0 + 8100000)
            off_late = (double)best;
    }
    assert_true(count(&r, 1, RIG_STREAM_DEPTH) > 240); /* it never stopped */
    assert_true(fabs(off_early) <= 2);                 /* locked while pulses came */
    /* 200 ppm apart for 6 s: B falls behind by 1200 us (its slower crystal, longer period) */
    assert_true(fabs(off_late - 1200.0) < 40.0);
    rig_down(&r);
}

static void software_trigger_captures_exactly_frames_per_trigger(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"SOFTWARE_TRIGGERING\","
           "\"frames_per_trigger\":3,\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"" SN_B "\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"ppm\":0},"
           "{\"serial_number\":\"" SN_B "\"}]," EXACT "}}",
           true, false);
    collect(&r, 500000); /* start-up */
    for (int k = 0; k < 10; k++) {
        assert_int_equal(rig_device_trigger(r.dev[0]), RIG_OK);
        collect(&r, 200000);
    }
    collect(&r, 300000);
    assert_int_equal(count(&r, 0, RIG_STREAM_DEPTH), 30); /* 10 triggers x 3 frames */
    assert_int_equal(count(&r, 0, RIG_STREAM_COLOR), 30);
    assert_int_equal(count(&r, 1, RIG_STREAM_DEPTH), 10); /* one pulse per trigger */
    /* the three frames of a trigger are one frame period apart on the device's crystal */
    for (uint64_t seq = 0; seq < 10; seq++) {
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (size_t i = 0; i < r.nframes; i++)
            if (r.frames[i].dev == 0 && r.frames[i].stream == RIG_STREAM_DEPTH &&
                r.frames[i].truth.trigger_seq == seq) {
                first = RIG_MIN_T(first, r.frames[i].truth.capture_start_us);
                last = RIG_MAX_T(last, r.frames[i].truth.capture_start_us);
            }
        assert_true(llabs(last - first - 66667) <= 1);
    }
    rig_down(&r);
}

static void hardware_trigger_captures_frames_per_trigger_on_each_generator_pulse(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"HARDWARE_TRIGGERING\","
           "\"frames_per_trigger\":4,\"trigger_to_image_delay_us\":500}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"ppm\":0}],"
           "\"signal_generator\":{\"hz\":5,\"to\":[\"" SN_A "\"]},\"cable_delay_ns\":1000," EXACT "}}",
           true, false);
    collect(&r, 3000000);
    /* pulses every 200 ms from t = 0; the sensor is ready after ~0.2 s: 14 pulses x 4 frames */
    size_t n = count(&r, 0, RIG_STREAM_DEPTH);
    assert_true(n == 56 || n == 52);
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        int64_t pulse = 1700000000000000LL + (int64_t)f->truth.trigger_seq * 200000;
        int64_t k = (f->truth.capture_start_us - pulse - 1 - 500) / 33333;
        /* capture = pulse + cable (1 us) + trigger-to-image (500 us) + k periods, k < 4 */
        assert_true(k >= 0 && k < 4);
        assert_true(llabs(f->truth.capture_start_us - (pulse + 1 + 500 + (k * 1000000) / 30)) <= 1);
    }
    rig_down(&r);
}

static void star_wiring_delays_pulses_by_two_cables_and_the_hub(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\"}},"
           "{\"serial_number\":\"S3\",\"config\":{\"mode\":\"SECONDARY\"}}],"
           "\"sim\":{\"wiring\":\"star\",\"cable_delay_ns\":1000,\"hub_delay_ns\":1000," EXACT "}}",
           true, false);
    collect(&r, 2000000);
    size_t checked = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        const frame_rec_t *f = &r.frames[i];
        if (f->dev == 0)
            continue;
        int64_t p = start_of(&r, 0, f->stream, f->truth.trigger_seq);
        if (p == INT64_MIN)
            continue;
        /* both secondaries hang off the hub: 1 + 1 + 1 us (whole microseconds of the longest
         * cable and hub the config takes, so exact), not a chain (1 us, then 2 us) */
        assert_int_equal(f->truth.capture_start_us - p, 3);
        checked++;
    }
    assert_true(checked > 150);
    rig_down(&r);
}

static size_t interfered_frames(rig_run_t *r, size_t *color_flagged)
{
    size_t n = 0;
    *color_flagged = 0;
    for (;;) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(r->ctx, 0, &f) != RIG_OK)
            break;
        if (rig_frame_interfered(f)) {
            n++;
            if (rig_frame_stream(f) == RIG_STREAM_COLOR)
                (*color_flagged)++;
        }
        rig_frame_release(f);
    }
    return n;
}

static void overlapping_tof_cameras_flag_interference_and_staggered_ones_do_not(void **state)
{
    (void)state;
#define TOF_RIG(d2, d3)                                                                           \
    "{\"devices\":["                                                                              \
    "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"    \
    "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true,"   \
    "\"depth_delay_us\":" d2 "}},"                                                                \
    "{\"serial_number\":\"S3\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":" d3 "}}],"  \
    "\"sim\":{" EXACT "}}"
    rig_run_t r;
    size_t color;
    rig_up(&r, TOF_RIG("0", "0"), true, false);
    rig_sim_advance_us(r.ctx, 3000000);
    size_t bad = interfered_frames(&r, &color);
    assert_true(bad > 200); /* every depth frame of all three: ~3 x 83 */
    assert_int_equal(color, 0);
    rig_down(&r);
    /* the planner's stagger: 0, 160, 320 us */
    rig_up(&r, TOF_RIG("160", "320"), true, false);
    rig_sim_advance_us(r.ctx, 3000000);
    assert_int_equal(interfered_frames(&r, &color), 0);
    rig_down(&r);
}

static void stereo_cameras_do_not_interfere(void **state)
{
    (void)state;
    rig_run_t r;
    size_t color;
    rig_up(&r,
           "{\"devices\":["
           "{\"serial_number\":\"S1\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
           "{\"serial_number\":\"S2\",\"config\":{\"mode\":\"SECONDARY_SYNCED\"}}],"
           "\"streams\":{\"depth\":{\"width\":640,\"height\":400}},"
           "\"sim\":{\"devices\":[{\"serial_number\":\"S1\",\"model\":\"Gemini 2\"},"
           "{\"serial_number\":\"S2\",\"model\":\"Gemini 2\"}]," EXACT "}}",
           true, false);
    rig_sim_advance_us(r.ctx, 2000000);
    assert_int_equal(interfered_frames(&r, &color), 0);
    rig_down(&r);
}

static void models_check_profiles_and_run_slightly_off_nominal(void **state)
{
    (void)state;
    rig_run_t r;
    rig_up(&r,
           "{\"devices\":[{\"serial_number\":\"" SN_A "\",\"config\":{\"mode\":\"STANDALONE\"}}],"
           "\"sim\":{\"devices\":[{\"serial_number\":\"" SN_A "\",\"model\":\"femto-bolt\",\"ppm\":0}]," EXACT "}}",
           false, false);
    rig_stream_profile_t depth = {640, 480, 30, RIG_FORMAT_Y16};
    assert_int_equal(rig_device_start(r.dev[0], NULL, &depth), RIG_ERROR_UNSUPPORTED);
    char msg[512];
    rig_context_last_error(r.ctx, msg, sizeof msg);
    assert_non_null(strstr(msg, "Femto Bolt depth supports 640x576"));
    /* its defaults: 1280x720 color, 640x576 depth */
    assert_int_equal(rig_device_start(r.dev[0], NULL, NULL), RIG_OK);
    collect(&r, 10000000);
    const frame_rec_t *first = NULL, *last = NULL;
    for (size_t i = 0; i < r.nframes; i++)
        if (r.frames[i].stream == RIG_STREAM_DEPTH) {
            if (!first)
                first = &r.frames[i];
            last = &r.frames[i];
        }
    assert_non_null(first);
    /* a Femto Bolt's 30 fps is really 30.015 fps: +500 ppm on its own crystal */
    double period = (double)(last->truth.capture_start_us - first->truth.capture_start_us) /
                    (double)(last->index - first->index);
    assert_true(fabs(period - 1e6 / 30.0 / 1.0005) < 0.02);
    rig_down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(free_run_devices_drift_apart_at_their_configured_ppm),
        cmocka_unit_test(temperature_keeps_a_crystal_within_the_accepted_range),
        cmocka_unit_test(free_run_color_and_depth_have_independent_phases),
        cmocka_unit_test(secondary_captures_on_primary_pulse_plus_cable_and_configured_delays),
        cmocka_unit_test(secondary_gets_no_frames_when_primary_trigger_out_is_disabled),
        cmocka_unit_test(daisy_chain_stops_at_a_secondary_without_trigger_out),
        cmocka_unit_test(host_clock_sync_aligns_device_clocks_then_they_drift_at_their_ppm),
        cmocka_unit_test(frame_device_timestamps_follow_clock_sync_and_drift),
        cmocka_unit_test(pixels_carry_the_true_capture_time),
        cmocka_unit_test(pixels_can_be_turned_off),
        cmocka_unit_test(frames_arrive_in_order_after_exposure_readout_and_latency_floor),
        cmocka_unit_test(dropped_frames_leave_gaps_in_the_frame_index),
        cmocka_unit_test(same_seed_gives_the_same_run_and_another_seed_does_not),
        cmocka_unit_test(callback_receives_frames_instead_of_the_queue),
        cmocka_unit_test(pull_queue_keeps_the_newest_frames_when_full),
        cmocka_unit_test(setting_an_unsupported_mode_names_the_model_and_its_modes),
        cmocka_unit_test(identical_sync_config_is_not_rewritten),
        cmocka_unit_test(opening_an_absent_serial_lists_the_serials_present),
        cmocka_unit_test(software_trigger_needs_software_triggering_mode),
        cmocka_unit_test(real_time_rig_delivers_frames_on_its_thread),
        cmocka_unit_test(global_timestamps_track_true_capture_time_across_host_clock_syncs),
        cmocka_unit_test(global_timestamps_of_one_capture_agree_across_a_hardware_synced_rig),
        cmocka_unit_test(thirty_two_bit_device_counters_wrap_and_global_time_does_not),
        cmocka_unit_test(framesets_hold_one_capture_each_and_lose_no_frame),
        cmocka_unit_test(a_silent_secondary_does_not_stall_the_framesets),
        cmocka_unit_test(framesets_can_be_pulled_with_a_timeout),
        cmocka_unit_test(standalone_locks_color_and_depth_to_one_tick_with_their_delays),
        cmocka_unit_test(free_run_color_and_depth_can_run_at_different_rates),
        cmocka_unit_test(secondary_stops_within_two_frame_periods_of_a_cable_cut),
        cmocka_unit_test(secondary_synced_keeps_going_after_a_cut_and_drifts),
        cmocka_unit_test(software_trigger_captures_exactly_frames_per_trigger),
        cmocka_unit_test(hardware_trigger_captures_frames_per_trigger_on_each_generator_pulse),
        cmocka_unit_test(star_wiring_delays_pulses_by_two_cables_and_the_hub),
        cmocka_unit_test(overlapping_tof_cameras_flag_interference_and_staggered_ones_do_not),
        cmocka_unit_test(stereo_cameras_do_not_interfere),
        cmocka_unit_test(models_check_profiles_and_run_slightly_off_nominal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

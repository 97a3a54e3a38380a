


/*
 * The run summary on made-up frame sequences: known periods, offsets, latencies and gaps, so
 * every number the summary prints has a hand-computed expected value.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>

#include "common/hull.h"
#include "report/report.h"
#include "report/stats.h"

static rig_config_t *parse(const char *json)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    if (rig_config_parse(json, "test.json", &cfg, &diag) != RIG_OK)
        fail_msg("config rejected: %s: %s", diag.field, diag.message);
    return cfg;
}

static const char *two_synced =
    "{\"devices\":["
    "{\"serial_number\":\"A\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
    "{\"serial_number\":\"B\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":160}}]}";

/* Deterministic pseudo-latency: a floor plus a spread that is not periodic with the frames. */
static int64_t latency(uint64_t k, size_t dev)
{
    uint64_t h = (k + 1) * 0x9E3779B97F4A7C15ull ^ (dev + 7) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return 1000 + (int64_t)(h % 900);
}

/* Feeds `seconds` of 30 fps frames, and each capture as the matcher would group it (the
 * report trusts the matcher for "same capture"). Device d's capture k is at host time
 * t0 + k * period_us[d] (+ stream delay); its device clock reads host + dev_offset_us[d]; its
 * global time is the capture instant, 3 us off per device, to see it summarized. */
static void feed(rig_report_t *r, size_t ndev, const double *period_us, const int64_t *dev_offset_us,
                 const int64_t *depth_delay_us, double seconds, uint64_t drop_every)
{
    uint64_t frames = (uint64_t)(seconds * 30.0);
    int64_t dts[16], gts[16];
    for (uint64_t k = 0; k < frames; k++) {
        for (size_t i = 0; i < 16; i++)
            dts[i] = gts[i] = RIG_TS_NONE;
        for (size_t d = 0; d < ndev; d++) {
            if (drop_every && d == 1 && k % drop_every == 3)
                continue;
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                int64_t cap = 1000000 + (int64_t)llround((double)k * period_us[d]) +
                              (s == RIG_STREAM_DEPTH ? depth_delay_us[d] : 0);
                int64_t host = cap + 15000 + latency(k * 2 + (uint64_t)s, d);
                size_t slot = d * RIG_STREAM_COUNT + (size_t)s;
                dts[slot] = cap + dev_offset_us[d];
                gts[slot] = cap + 3 * (int64_t)d;
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)s, k, host, RIG_TS_NONE, false),
                                 RIG_OK);
            }
        }
        assert_int_equal(rig_report_add_capture(r, dts, gts), RIG_OK);
    }
}

/* A report over made-up frames for the config in json, summarized. */
typedef struct fixture {
    rig_config_t *cfg;
    rig_report_t *r;
    rig_report_summary_t s;
} fixture_t;

static const rig_report_summary_t *summarize(fixture_t *f, const char *json, size_t ndev,
                                             const double *period_us, const int64_t *offset_us,
                                             const int64_t *delay_us, double seconds,
                                             uint64_t drop_every)
{
    f->cfg = parse(json);
    f->r = rig_report_create(f->cfg);
    assert_non_null(f->r);
    feed(f->r, ndev, period_us, offset_us, delay_us, seconds, drop_every);
    assert_int_equal(rig_report_summarize(f->r, &f->s), RIG_OK);
    return &f->s;
}

static void fixture_free(fixture_t *f)
{
    rig_report_summary_free(&f->s);
    rig_report_destroy(f->r);
    rig_config_destroy(f->cfg);
}

static const int64_t no_offset[2] = {0, 0};
static const int64_t secondary_delay[2] = {0, 160};

static void locked_pair_is_synchronized_with_its_timestamp_spread(void **state)
{
    (void)state;
    fixture_t f;
    const double period[2] = {33333.0, 33333.0};
    const int64_t offset[2] = {0, 300}; /* device clocks 300 us apart after clock sync */
    const rig_report_summary_t *s =
        summarize(&f, two_synced, 2, period, offset, secondary_delay, 10.0, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_SYNCHRONIZED);
    assert_int_equal(s->pair_count, 1);
    /* The configured depth delay is expected, so both streams show exactly the 300 us. */
    assert_int_equal(s->pairs[0].device.matched, 600);
    assert_int_equal(s->pairs[0].device.median_us, 300);
    assert_int_equal(s->pairs[0].device.max_us, 300);
    assert_int_equal(s->pairs[0].global.matched, 600);
    assert_int_equal(s->pairs[0].global.p99_us, 3);
    assert_non_null(strstr(s->verdict_text, "global time line within median 3 us, p99 3 us"));
    assert_true(s->pairs[0].drift_known);
    assert_true(fabs(s->pairs[0].drift_us_per_s) < 2.0);
    assert_non_null(strstr(s->verdict_text, "SYNCHRONIZED"));
    assert_non_null(strstr(s->verdict_text, "p99 300 us"));
    assert_int_equal(s->devices[0].stream[RIG_STREAM_DEPTH].frames, 300);
    assert_int_equal(s->devices[0].stream[RIG_STREAM_DEPTH].drops, 0);
    assert_true(fabs(s->devices[0].capture_hz - 1e6 / 33333.0) < 0.001);
    fixture_free(&f);
}

static void drifting_secondary_is_called_out_with_its_rate(void **state)
{
    (void)state;
    fixture_t f;
    /* B's captures come 100 ppm slower: 100 us later every second. */
    const double period[2] = {33333.0, 33333.0 * (1 + 100e-6)};
    const rig_report_summary_t *s =
        summarize(&f, two_synced, 2, period, no_offset, secondary_delay, 10.0, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_NOT_SYNCHRONIZED);
    assert_true(fabs(s->pairs[0].drift_us_per_s - 100.0) < 3.0);
    assert_non_null(strstr(s->verdict_text, "device#1"));
    assert_non_null(strstr(s->verdict_text, "us/s"));
    assert_non_null(strstr(s->verdict_text, "cable"));
    fixture_free(&f);
}

static void silent_secondary_is_explained_by_the_primary_trigger_out(void **state)
{
    (void)state;
    fixture_t f;
    const double period[1] = {33333.0};
    const rig_report_summary_t *s = summarize(
        &f,
        "{\"devices\":["
        "{\"serial_number\":\"A\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":false}},"
        "{\"serial_number\":\"B\",\"config\":{\"mode\":\"SECONDARY\"}}]}",
        1, period, no_offset, no_offset, 5.0, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_NOT_SYNCHRONIZED);
    assert_non_null(strstr(s->verdict_text, "device#1 (B) delivered no frames"));
    assert_non_null(strstr(s->verdict_text, "trigger_out_enable"));
    fixture_free(&f);
}

static void free_run_rig_is_reported_as_not_configured_for_sync(void **state)
{
    (void)state;
    fixture_t f;
    const double period[2] = {33333.0, 33333.0 * (1 - 150e-6)};
    const rig_report_summary_t *s =
        summarize(&f,
                  "{\"devices\":["
                  "{\"serial_number\":\"A\",\"config\":{\"mode\":\"FREE_RUN\"}},"
                  "{\"serial_number\":\"B\",\"config\":{\"mode\":\"FREE_RUN\"}}]}",
                  2, period, no_offset, no_offset, 10.0, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_NOT_CONFIGURED);
    assert_true(fabs(s->pairs[0].drift_us_per_s + 150.0) < 3.0);
    assert_non_null(strstr(s->verdict_text, "FREE_RUN"));
    fixture_free(&f);
}

static void gaps_in_the_frame_index_count_as_drops(void **state)
{
    (void)state;
    fixture_t f;
    const double period[2] = {33333.0, 33333.0};
    /* device 1 loses k = 3, 53, 103, ... */
    const rig_report_summary_t *s =
        summarize(&f, two_synced, 2, period, no_offset, secondary_delay, 10.0, 50);
    assert_int_equal(s->devices[1].stream[RIG_STREAM_COLOR].drops, 6);
    assert_int_equal(s->devices[1].stream[RIG_STREAM_COLOR].frames, 294);
    assert_int_equal(s->devices[0].stream[RIG_STREAM_COLOR].drops, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_SYNCHRONIZED);
    fixture_free(&f);
}

static void too_short_a_run_gives_no_verdict(void **state)
{
    (void)state;
    fixture_t f;
    const double period[2] = {33333.0, 33333.0};
    const rig_report_summary_t *s =
        summarize(&f, two_synced, 2, period, no_offset, secondary_delay, 5.0, 0);
    assert_int_equal(s->verdict, RIG_VERDICT_UNKNOWN);
    assert_non_null(strstr(s->verdict_text, "run longer"));
    fixture_free(&f);
}


static void stalls_and_frames_in_no_set_are_named_in_the_verdict(void **state)
{
    (void)state;
    rig_config_t *cfg = parse(two_synced);
    rig_report_t *r = rig_report_create(cfg);
    assert_non_null(r);
    /* 10 s at 30 fps, latency 2 ms; device 1's color stalls 150 ms before frame 100 and
     * 40 ms before frame 200 (every later frame as late, until the stall is made up: here
     * the pause is one gap, the following frames keep their period) */
    for (uint64_t k = 0; k < 300; k++) {
        int64_t cap = 1000000 + (int64_t)k * 33333;
        for (size_t d = 0; d < 2; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                int64_t host = cap + 2000;
                if (d == 1 && s == RIG_STREAM_COLOR && k >= 100)
                    host += 150000;
                if (d == 1 && s == RIG_STREAM_COLOR && k >= 200)
                    host += 40000;
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)s, k, host, RIG_TS_NONE, false), RIG_OK);
            }
    }
    for (int i = 0; i < 5; i++)
        assert_int_equal(rig_report_add_unmatched(r, 1, RIG_STREAM_COLOR, RIG_UNMATCHED_LATE),
                         RIG_OK);
    rig_report_summary_t s;
    assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
    const rig_report_stream_t *c1 = &s.devices[1].stream[RIG_STREAM_COLOR];
    assert_int_equal(c1->stalls, 2);
    assert_int_equal(c1->stall_longest_us, 150000);
    assert_int_equal(c1->unmatched, 5);
    assert_int_equal(s.stalls, 2);
    assert_int_equal(s.unmatched, 5);
    assert_int_equal(s.unmatched_by_reason[RIG_UNMATCHED_LATE], 5);
    assert_non_null(strstr(s.verdict_text, "WARNING: 2 transport stalls"));
    assert_non_null(strstr(s.verdict_text, "longest 150.0 ms on device#1 (B)"));
    assert_non_null(strstr(s.verdict_text, "5 frames (0.42 %) are in no frameset (late 5)"));
    rig_report_summary_free(&s);
    rig_report_destroy(r);

    /* the same run without stalls: no warning, no stall */
    r = rig_report_create(cfg);
    for (uint64_t k = 0; k < 300; k++)
        for (size_t d = 0; d < 2; d++)
            for (int st = 0; st < RIG_STREAM_COUNT; st++)
                rig_report_add(r, d, (rig_stream_t)st, k, 1002000 + (int64_t)k * 33333, RIG_TS_NONE, false);
    assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
    assert_int_equal(s.stalls, 0);
    assert_null(strstr(s.verdict_text, "WARNING"));
    assert_false(s.wall_known);
    rig_report_summary_free(&s);
    rig_report_destroy(r);
    rig_config_destroy(cfg);
}

static void host_lag_is_measured_from_synthetic_wall_times(void **state)
{
    (void)state;
    rig_config_t *cfg = parse(two_synced);
    for (int slow = 0; slow < 2; slow++) {
        rig_report_t *r = rig_report_create(cfg);
        /* 10 s of frames (host clock). Slow: the application gets them at 2/3 of real time
         * (wall = host + 0.5 * (host - first)): 10 s of frames in 15 s, the last 5 s behind,
         * 20 fps on the wall clock. Else: a constant 1 ms hand-over. */
        for (uint64_t k = 0; k < 301; k++) {
            int64_t host = 1000000 + (int64_t)k * 33333;
            int64_t wall = 5000000000 + host + (slow ? (host - 1000000) / 2 : 1000);
            for (size_t d = 0; d < 2; d++)
                for (int st = 0; st < RIG_STREAM_COUNT; st++) {
                    rig_report_add(r, d, (rig_stream_t)st, k, host, RIG_TS_NONE, false);
                    assert_int_equal(rig_report_add_wall(r, d, (rig_stream_t)st, host, wall),
                                     RIG_OK);
                }
        }
        rig_report_summary_t s;
        assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
        assert_true(s.wall_known);
        const rig_report_stream_t *st = &s.devices[0].stream[RIG_STREAM_DEPTH];
        assert_true(fabs(st->fps - 30.0) < 0.01);
        if (slow) {
            assert_int_equal(s.host_lag_max_us, 4999950); /* (300 * 33333) / 2 */
            assert_true(fabs(s.wall_span_s - 14.99985) < 1e-6);
            assert_true(fabs(s.wall_host_span_s - 9.9999) < 1e-6);
            assert_true(fabs(st->wall_fps - 20.0) < 0.01);
            /* behind by more than 100 ms: from host - first > 200 ms on, frames 7..300 */
            assert_int_equal(s.lagging_frames, 4 * 294);
            assert_non_null(strstr(s.verdict_text, "WARNING: host lag: frames reached the "
                                                   "application up to 5.00 s after"));
            assert_non_null(strstr(s.verdict_text, "10.0 s of frames were delivered in 15.0 s"));
        } else {
            assert_int_equal(s.host_lag_max_us, 0);
            assert_true(fabs(st->wall_fps - 30.0) < 0.01);
            assert_null(strstr(s.verdict_text, "host lag"));
        }
        rig_report_summary_free(&s);
        rig_report_destroy(r);
    }
    rig_config_destroy(cfg);
}

static void events_are_listed_in_time_order_and_named_in_the_verdict(void **state)
{
    (void)state;
    fixture_t f;
    const double period[2] = {33333.0, 33333.0};
    f.cfg = parse(two_synced);
    f.r = rig_report_create(f.cfg);
    rig_report_event_t back = {4000000, 1, "back", "re-opened and restarted"};
    rig_report_event_t gone = {3000000, 1, "gone", "unplugged; 30 frames missing"};
    assert_int_equal(rig_report_add_event(f.r, &back), RIG_OK);
    assert_int_equal(rig_report_add_event(f.r, &gone), RIG_OK);
    feed(f.r, 2, period, no_offset, secondary_delay, 10.0, 0);
    assert_int_equal(rig_report_summarize(f.r, &f.s), RIG_OK);
    assert_int_equal(f.s.event_count, 2);
    assert_string_equal(f.s.events[0].what, "gone");
    /* the first frame arrived at 1 016 000 + latency(0, 0) us: events count from it */
    int64_t first = f.s.first_us;
    assert_true(first >= 1016000 && first < 1017000);
    char want[160];
    snprintf(want, sizeof(want), "WARNING: 2 event(s) during the run: at %.3f s device#1 gone: "
             "unplugged; 30 frames missing; at %.3f s device#1 back",
             (3000000.0 - (double)first) / 1e6, (4000000.0 - (double)first) / 1e6);
    assert_non_null(strstr(f.s.verdict_text, want));
    fixture_free(&f);
}

static void degenerate_inputs_give_sane_numbers(void **state)
{
    (void)state;
    rig_config_t *cfg = parse(two_synced);
    rig_report_t *r = rig_report_create(cfg);
    /* one frame; then a stall of INT64_MAX: arrivals at the ends of the clock */
    assert_int_equal(rig_report_add(r, 0, RIG_STREAM_COLOR, 0, 1000, RIG_TS_NONE, false), RIG_OK);
    assert_int_equal(rig_report_add(r, 1, RIG_STREAM_COLOR, 0, INT64_MIN + 1, RIG_TS_NONE, false), RIG_OK);
    assert_int_equal(rig_report_add(r, 1, RIG_STREAM_COLOR, 1, INT64_MAX, RIG_TS_NONE, false), RIG_OK);
    /* two frames 1 us apart: no fps from a tiny span */
    rig_report_add(r, 0, RIG_STREAM_DEPTH, 0, 5000, RIG_TS_NONE, false);
    rig_report_add(r, 0, RIG_STREAM_DEPTH, 1, 5001, RIG_TS_NONE, false);
    /* no host time at all, index going backwards */
    rig_report_add(r, 1, RIG_STREAM_DEPTH, 7, RIG_TS_NONE, RIG_TS_NONE, false);
    rig_report_add(r, 1, RIG_STREAM_DEPTH, 3, RIG_TS_NONE, RIG_TS_NONE, false);
    int64_t dts[4] = {INT64_MAX, INT64_MIN + 1, 0, RIG_TS_NONE};
    int64_t gts[4] = {RIG_TS_NONE, 0, INT64_MIN + 1, INT64_MAX};
    assert_int_equal(rig_report_add_capture(r, dts, gts), RIG_OK);
    rig_report_add_wall(r, 0, RIG_STREAM_COLOR, INT64_MIN + 1, INT64_MAX);
    rig_report_event_t e = {INT64_MAX, -1, "x", "y"};
    rig_report_add_event(r, &e);
    rig_report_summary_t s;
    assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
    assert_true(s.devices[0].stream[RIG_STREAM_COLOR].fps == 0.0);
    assert_true(s.devices[0].stream[RIG_STREAM_DEPTH].fps == 0.0);
    assert_true(s.devices[1].stream[RIG_STREAM_COLOR].fps < 1e-6); /* 1 frame per 2^64 us */
    assert_int_equal(s.devices[1].stream[RIG_STREAM_DEPTH].frames, 2);
    assert_int_equal(s.devices[1].stream[RIG_STREAM_DEPTH].drops, 3); /* 3..7: 5 - 2 */
    assert_true(s.duration_s > 0 && s.duration_s < 2e13);
    assert_int_equal(s.pairs[0].device.max_us, INT64_MAX); /* saturated, not wrapped */
    rig_report_summary_free(&s);
    rig_report_destroy(r);
    rig_config_destroy(cfg);
}

static void spread_quantiles_are_within_the_stated_error(void **state)
{
    (void)state;
    rig_hist_t h = {0};
    /* 1000 values 10, 20, ..., 10000 us: median (rank 499) 5000, p99 (rank 989) 9900 */
    for (int64_t k = 1; k <= 1000; k++)
        assert_true(rig_hist_add(&h, 10 * k));
    assert_true(llabs(rig_hist_rank(&h, 499) - 5000) <= 50);
    assert_true(llabs(rig_hist_rank(&h, 989) - 9900) <= 99);
    assert_int_equal(rig_hist_rank(&h, 0), 10);  /* exact below 1 ms */
    assert_int_equal(rig_hist_rank(&h, 98), 990);
    assert_int_equal(h.max, 10000);
    rig_hist_free(&h);
}

static void the_online_envelope_fits_the_same_line_as_the_batch_hull(void **state)
{
    (void)state;
    enum { N = 20000 };
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    size_t *scratch = malloc(N * sizeof(size_t));
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(scratch);
    rig_envelope_t e = {0};
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)(i * 3 + (i % 2));
        y[i] = 0.7 * x[i] + (double)latency(i, 3) + (i % 97 == 0 ? 50000.0 : 0.0);
        assert_true(rig_envelope_add(&e, x[i], y[i]));
    }
    double s1, i1, s2, i2;
    assert_true(rig_lower_hull_line(x, y, N, scratch, &s1, &i1));
    assert_true(rig_envelope_line(&e, &s2, &i2));
    assert_true(s1 == s2 && i1 == i2); /* the same vertices, the same line */
    assert_true(e.len < 64);          /* the hull of 20 000 noisy points is small */
    rig_envelope_free(&e);
    free(x);
    free(y);
    free(scratch);
}


/* A daisy chain A -> B -> C, all locked at 30 fps for 20 s. B is off the bus from 4 s to 6 s
 * (events "gone" and "back"), so C, fed through B, captures nothing meanwhile either; from 12 s
 * to 13 s every third pulse of A never reaches B (a trigger glitch), so B and C skip that
 * capture while their frame counters go on by one. Neither is drift nor a stall: the report
 * splits B's and C's capture-rate fits at the events and counts the periods between captures on
 * the global time line. Expected: every device at exactly 30 Hz, drift 0 (within 2 us/s: the
 * pseudo-latency over the 14 s after the absence), no stalls, SYNCHRONIZED, both events. */
static void chain_with_faults(bool with_global, bool glitch)
{
    const char *chain =
        "{\"devices\":["
        "{\"serial_number\":\"A\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
        "{\"serial_number\":\"B\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}},"
        "{\"serial_number\":\"C\",\"config\":{\"mode\":\"SECONDARY\"}}]}";
    rig_config_t *cfg = parse(chain);
    rig_report_t *r = rig_report_create(cfg);
    assert_non_null(r);
    const double period = 1e6 / 30.0;
    uint64_t index[3] = {0, 0, 0};
    bool gone_sent = false, back_sent = false;
    for (uint64_t p = 0; p < 600; p++) {
        int64_t t = (int64_t)llround((double)p * period); /* since the start */
        int64_t cap = 1000000 + t;
        if (!gone_sent && t >= 4000000) {
            rig_report_event_t ev = {.host_ts_us = cap, .device = 1, .what = "gone"};
            assert_int_equal(rig_report_add_event(r, &ev), RIG_OK);
            gone_sent = true;
        }
        if (!back_sent && t >= 6000000) {
            rig_report_event_t ev = {.host_ts_us = cap, .device = 1, .what = "back"};
            assert_int_equal(rig_report_add_event(r, &ev), RIG_OK);
            back_sent = true;
        }
        bool b_away = t >= 4000000 && t < 6000000;
        bool pulse_lost = glitch && t >= 12000000 && t < 13000000 && p % 3 == 0;
        int64_t dts[6], gts[6];
        for (size_t d = 0; d < 3; d++) {
            bool captures = d == 0 || (!b_away && !pulse_lost);
            for (int st = 0; st < RIG_STREAM_COUNT; st++) {
                size_t slot = d * RIG_STREAM_COUNT + (size_t)st;
                dts[slot] = gts[slot] = RIG_TS_NONE;
                if (!captures)
                    continue;
                int64_t host = cap + 15000 + latency(p * 2 + (uint64_t)st, d);
                dts[slot] = gts[slot] = cap;
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)st, index[d], host,
                                                with_global ? cap : RIG_TS_NONE, false),
                                 RIG_OK);
            }
            index[d] += captures; /* a capture counter: no skip for what was never captured */
        }
        assert_int_equal(rig_report_add_capture(r, dts, gts), RIG_OK);
    }
    rig_report_summary_t s;
    assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
    for (size_t d = 0; d < 3; d++) {
        assert_true(s.devices[d].period_known);
        assert_true(fabs(s.devices[d].capture_hz - 30.0) < 0.001);
        for (int st = 0; st < RIG_STREAM_COUNT; st++)
            assert_int_equal(s.devices[d].stream[st].stalls, 0);
    }
    for (size_t k = 0; k < s.pair_count; k++) {
        assert_true(s.pairs[k].drift_known);
        if (!(fabs(s.pairs[k].drift_us_per_s) < 2.0))
            fail_msg("pair %zu-%zu drift %.2f", s.pairs[k].a, s.pairs[k].b,
                     s.pairs[k].drift_us_per_s);
    }
    assert_int_equal(s.verdict, RIG_VERDICT_SYNCHRONIZED);
    assert_int_equal(s.event_count, 2);
    assert_non_null(strstr(s.verdict_text, "gone"));
    rig_report_summary_free(&s);
    rig_report_destroy(r);
    rig_config_destroy(cfg);
}

static void absences_and_missing_pulses_are_neither_drift_nor_stalls(void **state)
{
    (void)state;
    chain_with_faults(true, true);
}

/* The same absence when the frames have no global time yet (right after a return the clock is
 * being located): the events alone split the fits, for B and for C that B feeds. */
static void an_absence_splits_the_fits_without_global_time(void **state)
{
    (void)state;
    chain_with_faults(false, false);
}

/* A SECONDARY_SYNCED device free-runs until the primary's pulses reach it, then its timer
 * moves onto them once: its captures jump by 600 us at 0.5 s (less than a fifth of a period,
 * so the index and the period count agree) and stay locked from then on, both devices at the
 * model's 30.1 Hz, for 30 s. A fit across the jump would tilt by 600 us over the run (about
 * 20 us/s); the report starts a new segment at the jump: drift 0 within 2 us/s, SYNCHRONIZED. */
static void a_phase_jump_onto_the_pulses_is_no_drift(void **state)
{
    (void)state;
    rig_config_t *cfg = parse(
        "{\"devices\":["
        "{\"serial_number\":\"A\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
        "{\"serial_number\":\"B\",\"config\":{\"mode\":\"SECONDARY_SYNCED\"}}]}");
    rig_report_t *r = rig_report_create(cfg);
    assert_non_null(r);
    const double period = 1e6 / 30.1;
    for (uint64_t k = 0; k < 903; k++) {
        int64_t dts[4], gts[4];
        for (size_t d = 0; d < 2; d++) {
            int64_t cap = 1000000 + (int64_t)llround((double)k * period);
            if (d == 1 && k < 15)
                cap -= 600; /* its own phase before the first pulse */
            for (int st = 0; st < RIG_STREAM_COUNT; st++) {
                int64_t host = cap + 15000 + latency(k * 2 + (uint64_t)st, d);
                dts[d * 2 + (size_t)st] = gts[d * 2 + (size_t)st] = cap;
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)st, k, host, cap, false),
                                 RIG_OK);
            }
        }
        assert_int_equal(rig_report_add_capture(r, dts, gts), RIG_OK);
    }
    rig_report_summary_t s;
    assert_int_equal(rig_report_summarize(r, &s), RIG_OK);
    assert_int_equal(s.pair_count, 1);
    assert_true(s.pairs[0].drift_known);
    if (!(fabs(s.pairs[0].drift_us_per_s) < 2.0))
        fail_msg("drift %.2f us/s (%.6f Hz, %.6f Hz)", s.pairs[0].drift_us_per_s, s.devices[0].capture_hz, s.devices[1].capture_hz);
    assert_true(fabs(s.devices[1].capture_hz - 30.1) < 0.001);
    assert_int_equal(s.verdict, RIG_VERDICT_SYNCHRONIZED);
    rig_report_summary_free(&s);
    rig_report_destroy(r);
    rig_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locked_pair_is_synchronized_with_its_timestamp_spread),
        cmocka_unit_test(drifting_secondary_is_called_out_with_its_rate),
        cmocka_unit_test(silent_secondary_is_explained_by_the_primary_trigger_out),
        cmocka_unit_test(free_run_rig_is_reported_as_not_configured_for_sync),
        cmocka_unit_test(gaps_in_the_frame_index_count_as_drops),
        cmocka_unit_test(too_short_a_run_gives_no_verdict),
        cmocka_unit_test(stalls_and_frames_in_no_set_are_named_in_the_verdict),
        cmocka_unit_test(host_lag_is_measured_from_synthetic_wall_times),
        cmocka_unit_test(events_are_listed_in_time_order_and_named_in_the_verdict),
        cmocka_unit_test(degenerate_inputs_give_sane_numbers),
        cmocka_unit_test(spread_quantiles_are_within_the_stated_error),
        cmocka_unit_test(the_online_envelope_fits_the_same_line_as_the_batch_hull),
        cmocka_unit_test(absences_and_missing_pulses_are_neither_drift_nor_stalls),
        cmocka_unit_test(an_absence_splits_the_fits_without_global_time),
        cmocka_unit_test(a_phase_jump_onto_the_pulses_is_no_drift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

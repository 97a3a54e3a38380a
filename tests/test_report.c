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

#include "report/report.h"

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
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)s, k, host, false),
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locked_pair_is_synchronized_with_its_timestamp_spread),
        cmocka_unit_test(drifting_secondary_is_called_out_with_its_rate),
        cmocka_unit_test(silent_secondary_is_explained_by_the_primary_trigger_out),
        cmocka_unit_test(free_run_rig_is_reported_as_not_configured_for_sync),
        cmocka_unit_test(gaps_in_the_frame_index_count_as_drops),
        cmocka_unit_test(too_short_a_run_gives_no_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

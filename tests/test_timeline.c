/* The run over time (src/report/timeline.c): offsets from the rig, spreads, drops, merging of
 * buckets, clock samples; and fed through the report, the same counts as its summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "report/timeline_internal.h"

#define SLOTS(n) ((n) * RIG_STREAM_COUNT)
#define D(dev) ((size_t)(dev) * RIG_STREAM_COUNT + RIG_STREAM_DEPTH)
#define C(dev) ((size_t)(dev) * RIG_STREAM_COUNT + RIG_STREAM_COLOR)

static void none(int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = RIG_TS_NONE;
}

static void offsets_are_from_the_median_device(void **state)
{
    (void)state;
    int64_t g[SLOTS(4)], e[SLOTS(4)] = {0}, off[4], scratch[8];
    none(g, SLOTS(4));
    g[D(0)] = 1000;
    g[D(1)] = 1010;
    g[C(2)] = 990; /* no depth: its color counts */
    assert_int_equal(rig_timeline_capture_offsets(4, g, e, off, scratch), 3);
    assert_int_equal(off[0], 0);
    assert_int_equal(off[1], 10);
    assert_int_equal(off[2], -10);
    assert_int_equal(off[3], RIG_TS_NONE);
    /* a configured delay is no offset: device 1 captures 160 us later on purpose */
    e[D(1)] = 160;
    g[D(1)] = 1160;
    assert_int_equal(rig_timeline_capture_offsets(4, g, e, off, scratch), 3);
    assert_int_equal(off[1], 0);
    /* two devices: the rig is halfway between them */
    none(g, SLOTS(4));
    memset(e, 0, sizeof(e));
    g[D(0)] = 5000;
    g[D(3)] = 5020;
    assert_int_equal(rig_timeline_capture_offsets(4, g, e, off, scratch), 2);
    assert_int_equal(off[0], -10);
    assert_int_equal(off[3], 10);
    /* four: halfway between the 2nd and 3rd (1003 and 1010: 1006, rounded down) */
    g[D(1)] = 1003 + 4000;
    g[D(2)] = 1010 + 4000;
    g[D(0)] = 1000 + 4000;
    g[D(3)] = 1100 + 4000;
    assert_int_equal(rig_timeline_capture_offsets(4, g, e, off, scratch), 4);
    assert_int_equal(off[0], -6);
    assert_int_equal(off[1], -3);
    assert_int_equal(off[2], 4);
    assert_int_equal(off[3], 94);
}

static void spread_bins_and_ranks(void **state)
{
    (void)state;
    int64_t lo, hi;
    rig_timeline_spread_bin(0, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
    rig_timeline_spread_bin(3, &lo, &hi);
    assert_true(lo == 4 && hi == 8);
    rig_timeline_t *t = rig_timeline_create(2, 1000000);
    assert_non_null(t);
    int64_t g[SLOTS(2)], e[SLOTS(2)] = {0};
    int64_t spreads[] = {0, 3, 3, 100, 5};
    for (int i = 0; i < 5; i++) {
        none(g, SLOTS(2));
        g[D(0)] = 2000000 + i * 33333;
        g[D(1)] = g[D(0)] + spreads[i];
        assert_true(rig_timeline_capture(t, g, e));
    }
    rig_timeline_view_t v;
    rig_timeline_view(t, 0, &v);
    assert_int_equal(v.bucket_count, 1);
    assert_int_equal(v.buckets[0].start_us, 2000000);
    assert_int_equal(v.buckets[0].captures, 5);
    assert_int_equal(v.buckets[0].spread_max_us, 100);
    assert_true(v.buckets[0].spread_sum_us == 111.0);
    assert_int_equal(v.spread_hist[0], 1); /* 0 */
    assert_int_equal(v.spread_hist[2], 2); /* 3, 3 in [2, 4) */
    assert_int_equal(v.spread_hist[3], 1); /* 5 in [4, 8) */
    assert_int_equal(v.spread_hist[7], 1); /* 100 in [64, 128) */
    /* median (rank 2 of 5) is in [2, 4): reported as 3; the top rank caps at the max */
    assert_int_equal(rig_timeline_spread_rank(v.spread_hist, 2, 100), 3);
    assert_int_equal(rig_timeline_spread_rank(v.spread_hist, 4, 100), 100);
    /* offsets: the rig is halfway between the two: device 1 half the spread ahead, device 0
     * half behind (rounded toward the lower: 3 -> +2 / -1, 5 -> +3 / -2, 100 -> +50 / -50) */
    assert_int_equal(v.buckets[0].cells[1].offsets, 5);
    assert_int_equal(v.buckets[0].cells[1].offset_max_us, 50);
    assert_int_equal(v.buckets[0].cells[1].offset_min_us, 0);
    assert_true(v.buckets[0].cells[1].offset_sum_us == 0 + 2 + 2 + 50 + 3);
    assert_int_equal(v.buckets[0].cells[0].offset_min_us, -50);
    assert_true(v.buckets[0].cells[0].offset_sum_us == -(0 + 1 + 1 + 50 + 2));
    rig_timeline_destroy(t);
}

static void drops_and_unmatched_land_in_their_bucket(void **state)
{
    (void)state;
    rig_timeline_t *t = rig_timeline_create(1, 1000000);
    assert_true(rig_timeline_frame(t, 0, RIG_STREAM_DEPTH, 1, 10000000, false));
    assert_true(rig_timeline_frame(t, 0, RIG_STREAM_DEPTH, 2, 10033333, true));
    assert_true(rig_timeline_frame(t, 0, RIG_STREAM_DEPTH, 5, 11100000, false)); /* 3, 4 lost */
    assert_true(rig_timeline_unmatched(t, 0, RIG_STREAM_DEPTH)); /* at 11.1 s */
    assert_true(rig_timeline_unmatched(t, 0, RIG_STREAM_COLOR)); /* no color yet: no time */
    rig_timeline_view_t v;
    rig_timeline_view(t, 10000000, &v);
    assert_int_equal(v.bucket_count, 2);
    assert_int_equal(v.buckets[0].cells[0].frames[RIG_STREAM_DEPTH], 2);
    assert_int_equal(v.buckets[0].cells[0].drops[RIG_STREAM_DEPTH], 0);
    assert_int_equal(v.buckets[0].cells[0].interfered, 1);
    assert_int_equal(v.buckets[1].cells[0].frames[RIG_STREAM_DEPTH], 1);
    assert_int_equal(v.buckets[1].cells[0].drops[RIG_STREAM_DEPTH], 2);
    assert_int_equal(v.buckets[1].cells[0].unmatched, 1);
    assert_int_equal(v.buckets[0].cells[0].unmatched, 0);
    rig_timeline_destroy(t);
}

static void a_long_run_merges_buckets_and_keeps_every_count(void **state)
{
    (void)state;
    rig_timeline_t *t = rig_timeline_create(1, 1000000);
    /* 3000 s at 1 frame per second, from t = 0.5 s: 3000 buckets of 1 s do not fit in 1024 */
    for (uint64_t k = 0; k < 3000; k++)
        assert_true(rig_timeline_frame(t, 0, RIG_STREAM_COLOR, k * 2, 500000 + (int64_t)k * 1000000,
                                       false)); /* every other index: one drop per frame */
    rig_timeline_view_t v;
    rig_timeline_view(t, 0, &v);
    assert_true(v.bucket_count <= RIG_TIMELINE_MAX_BUCKETS);
    assert_int_equal(v.bucket_us, 4000000); /* 1 s -> 2 s -> 4 s: 750 buckets */
    assert_int_equal(v.bucket_count, 750);
    uint64_t frames = 0, drops = 0;
    for (size_t i = 0; i < v.bucket_count; i++) {
        assert_int_equal(v.buckets[i].start_us, (int64_t)i * 4000000);
        frames += v.buckets[i].cells[0].frames[RIG_STREAM_COLOR];
        drops += v.buckets[i].cells[0].drops[RIG_STREAM_COLOR];
    }
    assert_int_equal(frames, 3000);
    assert_int_equal(drops, 2999);
    assert_int_equal(v.buckets[0].cells[0].frames[RIG_STREAM_COLOR], 4);
    rig_timeline_destroy(t);
}

static void clock_offsets_restart_with_each_epoch_and_stay_bounded(void **state)
{
    (void)state;
    rig_timeline_t *t = rig_timeline_create(1, 1000000);
    /* the device clock runs 50 ppm fast: global - device falls by 50 us per second */
    for (int64_t s = 0; s < 10; s++)
        assert_true(rig_timeline_clock(t, 0, s * 1000000, 7000000 + s * 1000050, s * 1000000,
                                       50.0, 1));
    /* a clock write: epoch 2, the offset counts from there */
    assert_true(rig_timeline_clock(t, 0, 10000000, 123, 10000000, 50.0, 2));
    assert_true(rig_timeline_clock_write(t, 0, 9999000));
    rig_timeline_view_t v;
    rig_timeline_view(t, 0, &v);
    assert_int_equal(v.clock_count[0], 11);
    assert_true(v.clock[0][0].offset_us == 0.0);
    assert_true(v.clock[0][9].offset_us == -450.0);
    assert_int_equal(v.clock[0][10].epoch, 2);
    assert_true(v.clock[0][10].offset_us == 0.0);
    assert_int_equal(v.write_count[0], 1);
    assert_int_equal(v.writes[0][0], 9999000);
    /* a day of samples every 10 ms stays within bounds and covers the whole span */
    for (int64_t k = 1; k <= 8640000; k++)
        assert_true(rig_timeline_clock(t, 0, 10000000 + k * 10000, k * 10000, 10000000 + k * 10000,
                                       0.0, 2));
    rig_timeline_view(t, 0, &v);
    assert_true(v.clock_count[0] <= RIG_TIMELINE_MAX_CLOCK);
    assert_true(v.clock_count[0] >= RIG_TIMELINE_MAX_CLOCK / 2);
    assert_true(v.clock[0][v.clock_count[0] - 1].host_ts_us > 10000000 + 86000000000LL);
    for (size_t i = 1; i < v.clock_count[0]; i++)
        assert_true(v.clock[0][i].host_ts_us > v.clock[0][i - 1].host_ts_us);
    rig_timeline_destroy(t);
}

static void fed_through_the_report_it_agrees_with_the_summary(void **state)
{
    (void)state;
    const char *json =
        "{\"devices\":["
        "{\"serial_number\":\"A\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
        "{\"serial_number\":\"B\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":160}}]}";
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    assert_int_equal(rig_config_parse(json, "t.json", &cfg, &diag), RIG_OK);
    rig_report_t *r = rig_report_create(cfg);
    rig_timeline_view_t v;
    assert_int_equal(rig_report_timeline(r, &v), RIG_ERROR_STATE);
    assert_int_equal(rig_report_enable_timeline(r, 999), RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_report_enable_timeline(r, 1000000), RIG_OK);
    int64_t dts[SLOTS(2)], gts[SLOTS(2)];
    for (uint64_t k = 0; k < 90; k++) { /* 3 s at 30 fps; B 7 us late on every capture */
        int64_t cap = 5000000 + (int64_t)k * 33333;
        for (size_t d = 0; d < 2; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                int64_t delay = d == 1 && s == RIG_STREAM_DEPTH ? 160 : 0;
                size_t slot = d * RIG_STREAM_COUNT + (size_t)s;
                gts[slot] = cap + delay + (d == 1 ? 7 : 0);
                dts[slot] = gts[slot] + 1000;
                /* A's color frame 45 arrives 40 ms late: one stall (>= 10 ms), at 6.54 s */
                int64_t late = d == 0 && s == RIG_STREAM_COLOR && k == 45 ? 40000 : 0;
                assert_int_equal(rig_report_add(r, d, (rig_stream_t)s, k, cap + 2000 + late,
                                                gts[slot], false),
                                 RIG_OK);
            }
        assert_int_equal(rig_report_add_capture(r, dts, gts), RIG_OK);
    }
    assert_int_equal(rig_report_timeline(r, &v), RIG_OK);
    rig_report_summary_t sum;
    assert_int_equal(rig_report_summarize(r, &sum), RIG_OK);
    uint64_t frames = 0, caps = 0, stalls = 0;
    for (size_t i = 0; i < v.bucket_count; i++) {
        caps += v.buckets[i].captures;
        stalls += v.buckets[i].cells[0].stalls + v.buckets[i].cells[1].stalls;
        /* 5000000 + 45 * 33333 + 2000 + 40000 = 6541985: the stall is in that bucket only */
        bool stall_here = v.buckets[i].start_us <= 6541985 &&
                          6541985 < v.buckets[i].start_us + v.bucket_us;
        assert_int_equal(v.buckets[i].cells[0].stalls, stall_here ? 1 : 0);
        for (size_t d = 0; d < 2; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++)
                frames += v.buckets[i].cells[d].frames[s];
        /* B is 7 us late after its configured 160 us: the rig is halfway (3 us after A,
         * rounded down): B +4, A -3 */
        if (v.buckets[i].cells[1].offsets) {
            assert_int_equal(v.buckets[i].cells[1].offset_min_us, 4);
            assert_int_equal(v.buckets[i].cells[1].offset_max_us, 4);
            assert_int_equal(v.buckets[i].cells[0].offset_min_us, -3);
            assert_int_equal(v.buckets[i].spread_max_us, 7);
        }
    }
    assert_int_equal(frames, sum.frames);
    assert_int_equal(sum.stalls, 1);
    assert_int_equal(stalls, sum.stalls);
    assert_int_equal(caps, 90);
    assert_int_equal(v.origin_us, sum.first_us);
    rig_report_summary_free(&sum);
    rig_report_destroy(r);
    rig_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offsets_are_from_the_median_device),
        cmocka_unit_test(spread_bins_and_ranks),
        cmocka_unit_test(drops_and_unmatched_land_in_their_bucket),
        cmocka_unit_test(a_long_run_merges_buckets_and_keeps_every_count),
        cmocka_unit_test(clock_offsets_restart_with_each_epoch_and_stay_bounded),
        cmocka_unit_test(fed_through_the_report_it_agrees_with_the_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

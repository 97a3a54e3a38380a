/*
 * ToF depth interference: train overlap, the delay planner, and interference found in configs.
 * Numbers are derived by hand from the train of domain.md section 5: 9 pulses of 125 us every
 * 1575 us (125 + 1450 idle), so a train lasts 8 * 1575 + 125 = 12725 us; cameras are kept
 * 160 us apart; 9 fit one pulse period (0..1280, wrap-around 1575 - 1280 = 295 >= 160); the
 * next group starts 160 us after group 0's last pulse starts: 1280 + 8 * 1575 + 160 = 14040.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "mode/tof.h"

#define FRAME_30FPS 33333 /* 1e6 / 30, whole us */
#define FRAME_60FPS 16666
#define FRAME_15FPS 66666

/* Configs are written with ' for " to keep them readable. */
static rig_config_t *parse_ok(const char *squoted)
{
    size_t len = strlen(squoted);
    char *text = malloc(len + 1);
    assert_non_null(text);
    for (size_t i = 0; i <= len; i++)
        text[i] = squoted[i] == '\'' ? '"' : squoted[i];
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_parse(text, "t.json", &cfg, &d) != RIG_OK) {
        char buf[1200];
        rig_config_diag_format(&d, buf, sizeof buf);
        free(text);
        fail_msg("unexpected rejection: %s", buf);
    }
    free(text);
    assert_non_null(cfg);
    return cfg;
}

/* Brute force over every pair of pulses: the reference for the exact overlap function. */
static bool overlap_by_every_pulse(int64_t a, int64_t b)
{
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t period = P.pulse_us + P.gap_us;
    for (int i = 0; i < P.pulses; i++)
        for (int j = 0; j < P.pulses; j++) {
            int64_t sa = a + i * period, sb = b + j * period;
            if (sa < sb + P.pulse_us && sb < sa + P.pulse_us)
                return true;
        }
    return false;
}

/* No two of n trains (also against the neighbouring frames) overlap. */
static void assert_no_pair_overlaps(const int64_t *start, size_t n, int64_t frame)
{
    const rig_tof_params_t P = rig_tof_params_default();
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            for (int64_t k = -1; k <= 1; k++) {
                if (a == b && k == 0)
                    continue;
                if (rig_tof_trains_overlap(&P, start[a], start[b] + k * frame))
                    fail_msg("trains %zu (%lld us) and %zu (%lld us, frame %+lld) overlap", a,
                             (long long)start[a], b, (long long)start[b], (long long)k);
            }
}

/* ------------------------------------------------------------------------------------------ */

static void defaults_should_be_the_common_tof_mode(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    assert_int_equal(P.pulses, 9);
    assert_int_equal(P.pulse_us, 125);
    assert_int_equal(P.gap_us, 1450);
    assert_int_equal(P.min_spacing_us, 160);
    assert_int_equal(rig_tof_pulse_period_us(&P), 1575);
    assert_int_equal(rig_tof_train_us(&P), 12725);
}

static void trains_should_overlap_when_some_pulses_meet(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    static const int64_t deltas[] = {
        0,               /* same instant */
        100,             /* pulse 0 of B starts inside pulse 0 of A */
        124,             /* 1 us of overlap */
        1575,            /* B's pulse 0 lands on A's pulse 1 */
        1575 + 60,       /* and partly on it */
        1575 * 8 + 50,   /* B's pulse 0 meets A's last pulse, 50 us into it */
        1575 * 8 + 124,  /* the last microsecond of the train */
    };
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        assert_true(rig_tof_trains_overlap(&P, 0, deltas[i]));
        assert_true(rig_tof_trains_overlap(&P, deltas[i], 0)); /* symmetric */
        assert_true(rig_tof_trains_overlap(&P, 1000000, 1000000 - deltas[i]));
    }
}

static void trains_should_not_overlap_when_pulses_interleave_or_only_touch(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    static const int64_t deltas[] = {
        160,             /* the planner's spacing */
        1415,            /* 1575 - 160: 160 us before A's pulse 1 */
        125,             /* B starts where A's pulse 0 ends: touching */
        1450,            /* B's pulse 0 ends where A's pulse 1 starts: touching */
        1575 * 8 + 125,  /* = 12725, the train length: touching the last pulse */
        12726,           /* after the train */
        1575 * 9,        /* would meet a 10th pulse, which the train does not have */
        20000,
        1000000,
    };
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        assert_false(rig_tof_trains_overlap(&P, 0, deltas[i]));
        assert_false(rig_tof_trains_overlap(&P, deltas[i], 0));
        assert_false(rig_tof_trains_overlap(&P, -5000, -5000 + deltas[i]));
    }
}

static void overlap_should_agree_with_comparing_every_pair_of_pulses(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    for (int64_t d = -15000; d <= 15000; d++)
        if (rig_tof_trains_overlap(&P, 7, 7 + d) != overlap_by_every_pulse(7, 7 + d))
            fail_msg("overlap at delta %lld disagrees with the brute force", (long long)d);
}

static void capacity_should_be_18_at_30_fps_and_9_at_60_fps(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    /* 30 fps: slot 17 = 14040 + 1280 = 15320; its last pulse starts at 15320 + 12600 = 27920,
     * 27920 + 160 = 28080 <= 33333. Slot 18 = 28080, 28080 + 12760 > 33333. */
    assert_int_equal(rig_tof_capacity(&P, FRAME_30FPS), 18);
    /* 60 fps: slot 8 = 1280, 1280 + 12760 = 14040 <= 16666; slot 9 = 14040 does not fit. */
    assert_int_equal(rig_tof_capacity(&P, FRAME_60FPS), 9);
    /* 15 fps: group 3 at 42120 ends its last slot at 42120 + 1280 + 12760 = 56160 <= 66666;
     * group 4 at 56160 needs 56160 + 12760 = 68920. */
    assert_int_equal(rig_tof_capacity(&P, FRAME_15FPS), 36);
    /* a train longer than the frame: still one camera (it cannot interfere with another) */
    assert_int_equal(rig_tof_capacity(&P, 11111), 1);
}

static void plan_should_stagger_two_cameras_by_160_us(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[2] = {-1, -1};
    char msg[256];
    assert_true(rig_tof_plan(&P, 2, FRAME_30FPS, NULL, d, msg, sizeof msg));
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 160);
    assert_string_equal(msg, "");
}

static void plan_should_fit_nine_cameras_in_one_pulse_period(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[9];
    assert_true(rig_tof_plan(&P, 9, FRAME_30FPS, NULL, d, NULL, 0));
    static const int64_t want[9] = {0, 160, 320, 480, 640, 800, 960, 1120, 1280};
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(d[i], want[i]);
    assert_no_pair_overlaps(d, 9, FRAME_30FPS);
}

static void plan_should_start_a_second_group_after_the_first_for_the_tenth_camera(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[10];
    assert_true(rig_tof_plan(&P, 10, FRAME_30FPS, NULL, d, NULL, 0));
    assert_int_equal(d[8], 1280);
    assert_int_equal(d[9], 14040);
    /* 14040 is 160 us after the start of camera 8's last pulse (1280 + 8 * 1575 = 13880) */
    assert_false(rig_tof_trains_overlap(&P, d[8], d[9]));
    assert_true(rig_tof_trains_overlap(&P, d[8], d[9] - 40)); /* 120 us: too close */
    assert_no_pair_overlaps(d, 10, FRAME_30FPS);
}

static void plan_should_fit_eighteen_cameras_at_30_fps(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[18];
    assert_true(rig_tof_plan(&P, 18, FRAME_30FPS, NULL, d, NULL, 0));
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(d[i], (int64_t)i * 160);
        assert_int_equal(d[9 + i], 14040 + (int64_t)i * 160);
    }
    assert_int_equal(d[17], 15320);
    assert_no_pair_overlaps(d, 18, FRAME_30FPS);
}

static void plan_should_refuse_too_many_cameras_and_give_the_maximum(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[40];
    char msg[512];
    assert_false(rig_tof_plan(&P, 19, FRAME_30FPS, NULL, d, msg, sizeof msg));
    assert_non_null(strstr(msg, "at most 18 depth cameras"));
    assert_non_null(strstr(msg, "not 19"));
    assert_false(rig_tof_plan(&P, 10, FRAME_60FPS, NULL, d, msg, sizeof msg));
    assert_non_null(strstr(msg, "at most 9 depth cameras"));
    assert_true(rig_tof_plan(&P, 36, FRAME_15FPS, NULL, d, NULL, 0));
    assert_no_pair_overlaps(d, 36, FRAME_15FPS);
}

static void plan_should_compensate_when_the_trigger_reaches_cameras_late(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    int64_t d[3];
    /* camera 1 starts 100 us late (pulse arrival): it needs only 60 more to sit at 160 */
    const int64_t late[3] = {0, 100, 100};
    assert_true(rig_tof_plan(&P, 3, FRAME_30FPS, late, d, NULL, 0));
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 60);
    assert_int_equal(d[2], 220);
    /* camera 0 starts 300 us late: everything moves by 300 so no delay is negative */
    const int64_t first_late[2] = {300, 0};
    assert_true(rig_tof_plan(&P, 2, FRAME_30FPS, first_late, d, NULL, 0));
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 460);
    assert_false(rig_tof_trains_overlap(&P, 300 + d[0], 0 + d[1]));
    /* a delay of a whole frame (33333) or more is refused */
    const int64_t far[2] = {33200, 0}; /* camera 1 would need 33200 + 160 = 33360 */
    char msg[512];
    assert_false(rig_tof_plan(&P, 2, FRAME_30FPS, far, d, msg, sizeof msg));
    assert_non_null(strstr(msg, "frame period"));
}

/* ------------------------------------------------------------------------------------------ */

#define DEV(serial, body) "{'serial_number': '" serial "', 'config': {" body "}}"

static void interference_should_name_synced_pairs_with_the_same_depth_delay(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    rig_config_t *cfg =
        parse_ok("{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true") ","
                 DEV("B", "'mode': 'SECONDARY', 'trigger_out_enable': true") ","
                 DEV("C", "'mode': 'SECONDARY', 'depth_delay_us': 160") "]}");
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 1);
    assert_int_equal(r.pairs[0].a, 0);
    assert_int_equal(r.pairs[0].b, 1);
    assert_int_equal(r.pairs[0].start_a_us, 0);
    assert_int_equal(r.pairs[0].start_b_us, 0);
    assert_int_equal(r.clock_count, 1);
    assert_false(r.independent_clocks);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(r.clock[i], 0);
    assert_int_equal(r.depth_start_us[2], 160);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void interference_should_count_pulse_arrival_and_trigger_to_image_delays(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    /* B gets the pulse 100 us late (A's trigger_out_delay) and adds 60: starts at 160, clear.
     * C gets it 100 + 0 us late and adds trigger_to_image 60: also at 160, so B and C meet. */
    rig_config_t *cfg = parse_ok(
        "{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true, "
                                 "'trigger_out_delay_us': 100") ","
        DEV("B", "'mode': 'SECONDARY', 'trigger_out_enable': true, 'depth_delay_us': 60") ","
        DEV("C", "'mode': 'SECONDARY', 'trigger_to_image_delay_us': 60") "]}");
    int64_t base = -1;
    assert_int_equal(rig_tof_device_clock(cfg, 1, &base), 0);
    assert_int_equal(base, 100);
    assert_int_equal(rig_tof_device_clock(cfg, 2, &base), 0);
    assert_int_equal(base, 160);
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.depth_start_us[0], 0);
    assert_int_equal(r.depth_start_us[1], 160);
    assert_int_equal(r.depth_start_us[2], 160);
    assert_int_equal(r.pair_count, 1);
    assert_int_equal(r.pairs[0].a, 1);
    assert_int_equal(r.pairs[0].b, 2);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void interference_should_see_a_train_that_runs_into_the_next_frame(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    /* B starts at 33300: 33 us before A's next train (33333) */
    rig_config_t *cfg =
        parse_ok("{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true") ","
                 DEV("B", "'mode': 'SECONDARY', 'depth_delay_us': 33300") "]}");
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 1);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
    /* 20000: 20000 after A's train and 13333 before its next one, both >= 12725 */
    cfg = parse_ok("{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true") ","
                   DEV("B", "'mode': 'SECONDARY', 'depth_delay_us': 20000") "]}");
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 0);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void interference_should_flag_cameras_on_independent_clocks(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    rig_config_t *cfg = parse_ok("{'devices': [" DEV("A", "'mode': 'FREE_RUN'") ","
                                 DEV("B", "'mode': 'FREE_RUN', 'depth_delay_us': 160") "]}");
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 0); /* delays mean nothing across clocks */
    assert_int_equal(r.clock_count, 2);
    assert_true(r.independent_clocks);
    assert_int_equal(r.clock[0], 0);
    assert_int_equal(r.clock[1], 1);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);

    /* a primary with its chain, plus a standalone camera: two clocks */
    cfg = parse_ok("{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true") ","
                   DEV("B", "'mode': 'SECONDARY', 'depth_delay_us': 160") ","
                   DEV("C", "'mode': 'STANDALONE'") "]}");
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.clock_count, 2);
    assert_true(r.independent_clocks);
    assert_int_equal(r.clock[1], 0);
    assert_int_equal(r.clock[2], 2);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void interference_should_skip_a_secondary_that_gets_no_pulses(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    /* The primary's trigger out is off: B captures nothing, C (SECONDARY_SYNCED) free-runs. */
    rig_config_t *cfg =
        parse_ok("{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': false") ","
                 DEV("B", "'mode': 'SECONDARY'") ","
                 DEV("C", "'mode': 'SECONDARY_SYNCED'") "]}");
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.clock[0], 0);
    assert_int_equal(r.clock[1], RIG_TOF_NO_CLOCK);
    assert_int_equal(r.clock[2], 2);
    assert_int_equal(r.pair_count, 0);
    assert_int_equal(r.clock_count, 2); /* A and C */
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void interference_should_group_devices_fed_by_the_signal_generator(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    rig_config_t *cfg = parse_ok(
        "{'devices': [" DEV("A", "'mode': 'HARDWARE_TRIGGERING'") ","
        DEV("B", "'mode': 'HARDWARE_TRIGGERING'") "],"
        " 'sim': {'wiring': 'none', 'signal_generator': {'hz': 10, 'to': ['A', 'B']}}}");
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.clock[0], 2); /* device_count: the generator */
    assert_int_equal(r.clock[1], 2);
    assert_int_equal(r.clock_count, 1);
    assert_int_equal(r.pair_count, 1);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void plan_config_should_clear_every_synced_pair(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    rig_config_t *cfg = parse_ok(
        "{'devices': [" DEV("A", "'mode': 'PRIMARY', 'trigger_out_enable': true, "
                                 "'trigger_out_delay_us': 100") ","
        DEV("B", "'mode': 'SECONDARY', 'trigger_out_enable': true") ","
        DEV("C", "'mode': 'SECONDARY'") "]}");
    int32_t d[3];
    char msg[512];
    assert_int_equal(rig_tof_plan_config(cfg, &P, d, msg, sizeof msg), RIG_OK);
    /* B and C start 100 us late: 0, 160 - 100, 320 - 100 */
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 60);
    assert_int_equal(d[2], 220);
    for (size_t i = 0; i < 3; i++)
        cfg->devices[i].sync.depth_delay_us = d[i];
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 0);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

static void plan_config_should_keep_the_delay_of_a_device_that_captures_nothing(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    rig_config_t *cfg = parse_ok(
        "{'devices': [" DEV("A", "'mode': 'PRIMARY', 'depth_delay_us': 500") ","
        DEV("B", "'mode': 'SECONDARY', 'depth_delay_us': 77") ","
        DEV("C", "'mode': 'STANDALONE', 'depth_delay_us': 900") "]}");
    int32_t d[3];
    assert_int_equal(rig_tof_plan_config(cfg, &P, d, NULL, 0), RIG_OK);
    assert_int_equal(d[0], 0); /* alone on its clock */
    assert_int_equal(d[1], 77); /* no pulses reach it: left as configured */
    assert_int_equal(d[2], 0);
    rig_config_destroy(cfg);
}

static void plan_config_should_refuse_nineteen_cameras_at_30_fps(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    char text[8192] = "{'devices': [";
    for (int i = 0; i < 19; i++) {
        char dev[160];
        snprintf(dev, sizeof dev,
                 "%s{'serial_number': 'S%02d', 'config': {'mode': '%s', "
                 "'trigger_out_enable': true}}",
                 i ? ", " : "", i, i ? "SECONDARY" : "PRIMARY");
        strncat(text, dev, sizeof text - strlen(text) - 1);
    }
    strncat(text, "]}", sizeof text - strlen(text) - 1);
    rig_config_t *cfg = parse_ok(text);
    int32_t d[19];
    char msg[512];
    assert_int_equal(rig_tof_plan_config(cfg, &P, d, msg, sizeof msg), RIG_ERROR_UNSUPPORTED);
    assert_non_null(strstr(msg, "19 depth cameras are triggered by device#0 S00 (PRIMARY)"));
    assert_non_null(strstr(msg, "at most 18"));
    assert_non_null(strstr(msg, "30 fps"));
    rig_config_destroy(cfg);
}

/* ------------------------------------------------------------------------------------------ */
/* Rigs of any size: the all-devices answers (O(n)) must be the per-device ones (O(n^2)).      */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A random rig of n devices ('"' quoting): random modes (at most one PRIMARY), delays, trigger
 * outs, and either the daisy chain or random cables (loops included), sometimes a generator.
 * NULL when the config module rejects it (e.g. no pulse source at all). */
static rig_config_t *random_rig(uint64_t seed, size_t n, bool cables)
{
    static const char *modes[] = {"SECONDARY", "SECONDARY_SYNCED", "HARDWARE_TRIGGERING",
                                  "STANDALONE", "FREE_RUN", "SOFTWARE_TRIGGERING", "PRIMARY"};
    uint64_t s = seed * 2654435761u + 1;
    size_t cap = 256 * n + 1024, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    bool primary = false;
    len += (size_t)snprintf(text + len, cap - len, "{\"devices\": [");
    for (size_t i = 0; i < n; i++) {
        size_t m = rng_next(&s) % 8; /* SECONDARY twice as likely */
        const char *mode = modes[m >= 7 ? 0 : m];
        if (strcmp(mode, "PRIMARY") == 0 && primary)
            mode = "SECONDARY";
        primary = primary || strcmp(mode, "PRIMARY") == 0;
        len += (size_t)snprintf(
            text + len, cap - len,
            "%s{\"serial_number\": \"R%02zu\", \"config\": {\"mode\": \"%s\", "
            "\"depth_delay_us\": %d, \"trigger_to_image_delay_us\": %d, "
            "\"trigger_out_enable\": %s, \"trigger_out_delay_us\": %d}}",
            i ? ", " : "", i, mode, (int)(rng_next(&s) % 80) * 40, (int)(rng_next(&s) % 3) * 50,
            rng_next(&s) % 5 ? "true" : "false", (int)(rng_next(&s) % 3) * 100);
    }
    len += (size_t)snprintf(text + len, cap - len, "], \"sim\": {\"seed\": 1");
    if (cables) {
        len += (size_t)snprintf(text + len, cap - len, ", \"wiring\": [");
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (rng_next(&s) % 6 == 0)
                continue; /* nothing into i */
            size_t from = rng_next(&s) % n;
            if (from == i)
                continue;
            len += (size_t)snprintf(text + len, cap - len,
                                    "%s{\"from\": \"R%02zu\", \"to\": \"R%02zu\"}",
                                    first ? "" : ", ", from, i);
            first = false;
        }
        len += (size_t)snprintf(text + len, cap - len, "]");
    }
    if (rng_next(&s) % 3 == 0) {
        len += (size_t)snprintf(text + len, cap - len, ", \"signal_generator\": {\"hz\": 10, "
                                                       "\"to\": [\"R%02zu\", \"R%02zu\"]}",
                                (size_t)(rng_next(&s) % n), (size_t)(rng_next(&s) % n));
    }
    snprintf(text + len, cap - len, "}}");
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_parse(text, "random.json", &cfg, &d) != RIG_OK)
        cfg = NULL;
    free(text);
    return cfg;
}

static void device_clocks_should_be_the_clock_of_each_device(void **state)
{
    (void)state;
    size_t tried = 0, checked = 0, fed = 0, dead = 0;
    for (uint64_t seed = 1; seed <= 400; seed++, tried++) {
        rig_config_t *cfg = random_rig(seed, 2 + seed % 23, seed % 2 == 0);
        if (!cfg)
            continue;
        size_t n = cfg->device_count;
        int clock[32];
        int64_t base[32];
        assert_int_equal(rig_tof_device_clocks(cfg, clock, base), RIG_OK);
        for (size_t i = 0; i < n; i++) {
            int64_t b = -1;
            int c = rig_tof_device_clock(cfg, i, &b);
            if (c != clock[i] || b != base[i])
                fail_msg("seed %llu device#%zu: clock %d base %lld, one by one %d %lld",
                         (unsigned long long)seed, i, clock[i], (long long)base[i], c,
                         (long long)b);
            fed += c >= 0 && (size_t)c != i;
            dead += c == RIG_TOF_NO_CLOCK;
        }
        checked++;
        rig_config_destroy(cfg);
    }
    /* The random rigs must exercise the walk: many accepted, devices fed and devices unfed. */
    assert_true(checked > tried / 4);
    assert_true(fed > 100);
    assert_true(dead > 20);
}

/* Brute force: every pair a < b on one clock, with b's train in nearby frames. */
static size_t brute_pairs(const rig_config_t *cfg, const rig_tof_params_t *p,
                          rig_tof_pair_t *first, size_t first_max)
{
    size_t n = cfg->device_count, count = 0;
    int64_t frame = rig_tof_frame_period_us(cfg);
    int64_t reach = rig_tof_train_us(p) / frame + 1;
    for (size_t a = 0; a < n; a++) {
        int64_t sa = 0, sb = 0;
        int ca = rig_tof_device_clock(cfg, a, &sa);
        sa += cfg->devices[a].sync.depth_delay_us;
        for (size_t b = a + 1; b < n && ca != RIG_TOF_NO_CLOCK; b++) {
            if (rig_tof_device_clock(cfg, b, &sb) != ca)
                continue;
            sb += cfg->devices[b].sync.depth_delay_us;
            bool hit = false;
            for (int64_t k = -reach; k <= reach && !hit; k++)
                hit = rig_tof_trains_overlap(p, sa, sb + k * frame);
            if (!hit)
                continue;
            if (count < first_max)
                first[count] = (rig_tof_pair_t){a, b, sa, sb};
            count++;
        }
    }
    return count;
}

static void interference_should_count_every_overlapping_pair_and_list_the_first(void **state)
{
    (void)state;
    const rig_tof_params_t P = rig_tof_params_default();
    size_t checked = 0, many = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        rig_config_t *cfg = random_rig(seed + 1000, 2 + seed % 30, seed % 3 == 0);
        if (!cfg)
            continue;
        rig_tof_pair_t want[RIG_TOF_PAIRS_LISTED];
        size_t count = brute_pairs(cfg, &P, want, RIG_TOF_PAIRS_LISTED);
        rig_tof_interference_t r;
        assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
        if (r.pair_count != count)
            fail_msg("seed %llu: %zu pairs, brute force %zu", (unsigned long long)seed,
                     r.pair_count, count);
        for (size_t k = 0; k < count && k < RIG_TOF_PAIRS_LISTED; k++) {
            assert_int_equal(r.pairs[k].a, want[k].a);
            assert_int_equal(r.pairs[k].b, want[k].b);
            assert_int_equal(r.pairs[k].start_a_us, want[k].start_a_us);
            assert_int_equal(r.pairs[k].start_b_us, want[k].start_b_us);
        }
        many += count > 3;
        checked++;
        rig_tof_interference_free(&r);
        rig_config_destroy(cfg);
    }
    assert_true(checked > 50);
    assert_true(many > 10);
}

static void interference_should_count_all_pairs_of_a_long_chain_and_list_64(void **state)
{
    (void)state;
    /* 70 cameras on one chain, every depth delay 0: each pair overlaps, 70 * 69 / 2 = 2415;
     * listed, the first 64 in (a, b) order: (0, 1) ... (0, 64). */
    const rig_tof_params_t P = rig_tof_params_default();
    size_t cap = 70 * 120 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "{\"devices\": [");
    for (int i = 0; i < 70; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%s{\"serial_number\": \"L%02d\", \"config\": {\"mode\": \"%s\", "
                                "\"trigger_out_enable\": true}}",
                                i ? ", " : "", i, i ? "SECONDARY" : "PRIMARY");
    snprintf(text + len, cap - len, "]}");
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    assert_int_equal(rig_config_parse(text, "long.json", &cfg, &d), RIG_OK);
    free(text);
    rig_tof_interference_t r;
    assert_int_equal(rig_tof_find_interference(cfg, &P, &r), RIG_OK);
    assert_int_equal(r.pair_count, 2415);
    assert_int_equal(RIG_TOF_PAIRS_LISTED, 64);
    for (size_t k = 0; k < 64; k++) {
        assert_int_equal(r.pairs[k].a, 0);
        assert_int_equal(r.pairs[k].b, k + 1);
    }
    assert_int_equal(r.clock_count, 1);
    rig_tof_interference_free(&r);
    rig_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_should_be_the_common_tof_mode),
        cmocka_unit_test(trains_should_overlap_when_some_pulses_meet),
        cmocka_unit_test(trains_should_not_overlap_when_pulses_interleave_or_only_touch),
        cmocka_unit_test(overlap_should_agree_with_comparing_every_pair_of_pulses),
        cmocka_unit_test(capacity_should_be_18_at_30_fps_and_9_at_60_fps),
        cmocka_unit_test(plan_should_stagger_two_cameras_by_160_us),
        cmocka_unit_test(plan_should_fit_nine_cameras_in_one_pulse_period),
        cmocka_unit_test(plan_should_start_a_second_group_after_the_first_for_the_tenth_camera),
        cmocka_unit_test(plan_should_fit_eighteen_cameras_at_30_fps),
        cmocka_unit_test(plan_should_refuse_too_many_cameras_and_give_the_maximum),
        cmocka_unit_test(plan_should_compensate_when_the_trigger_reaches_cameras_late),
        cmocka_unit_test(interference_should_name_synced_pairs_with_the_same_depth_delay),
        cmocka_unit_test(interference_should_count_pulse_arrival_and_trigger_to_image_delays),
        cmocka_unit_test(interference_should_see_a_train_that_runs_into_the_next_frame),
        cmocka_unit_test(interference_should_flag_cameras_on_independent_clocks),
        cmocka_unit_test(interference_should_skip_a_secondary_that_gets_no_pulses),
        cmocka_unit_test(interference_should_group_devices_fed_by_the_signal_generator),
        cmocka_unit_test(plan_config_should_clear_every_synced_pair),
        cmocka_unit_test(plan_config_should_keep_the_delay_of_a_device_that_captures_nothing),
        cmocka_unit_test(plan_config_should_refuse_nineteen_cameras_at_30_fps),
        cmocka_unit_test(device_clocks_should_be_the_clock_of_each_device),
        cmocka_unit_test(interference_should_count_every_overlapping_pair_and_list_the_first),
        cmocka_unit_test(interference_should_count_all_pairs_of_a_long_chain_and_list_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

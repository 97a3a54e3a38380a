/* Peer clock baselines (bench/peers): vendor WLS global timestamp and librealsense global time.
 * Fed made-up two-way samples from a known clock, following each method's own poll schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>

#include "peer_clock.h"

#define MS 1000LL
#define SEC 1000000LL
#define HOST0 1700000000000000LL /* a realistic epoch-based host time, in us */
#define WRAP32 ((int64_t)1 << 32)

/* Simulated device: device = offset + step + (1 + 120 ppm) * (host - HOST0), optionally taken
 * modulo 2^32. Each two-way sample has legs of 100 us + deterministic noise in [0, 20) us. */
typedef struct sim {
    int64_t dev_offset;
    int64_t dev_step; /* device clock jump applied from now on */
    unsigned bits;
    uint32_t rng;
    int64_t now;           /* host time the harness has reached */
    int64_t extra_leg2_us; /* added to the return leg of the next sample only */
} sim_t;

static sim_t sim_make(int64_t dev_offset, unsigned bits)
{
    sim_t s = {dev_offset, 0, bits, 12345u, HOST0, 0};
    return s;
}

static int64_t sim_dev(const sim_t *s, int64_t host)
{
    int64_t dt = host - HOST0;
    int64_t d = s->dev_offset + s->dev_step + dt + dt * 120 / 1000000;
    if (s->bits == 32)
        d &= WRAP32 - 1;
    return d;
}

static int64_t sim_noise(sim_t *s)
{
    s->rng = s->rng * 1103515245u + 12345u;
    return (int64_t)((s->rng >> 16) % 20u);
}

static int64_t sim_due(const sim_t *s, const peer_clock_t *c)
{
    int64_t t = peer_clock_next_poll_us(c);
    return t < s->now ? s->now : t;
}

/* Takes the sample the method asked for; returns its host_before. */
static int64_t sim_poll(sim_t *s, peer_clock_t *c)
{
    int64_t h1 = sim_due(s, c);
    int64_t leg1 = 100 + sim_noise(s);
    int64_t leg2 = 100 + sim_noise(s) + s->extra_leg2_us;
    s->extra_leg2_us = 0;
    int64_t d = sim_dev(s, h1 + leg1);
    int64_t h2 = h1 + leg1 + leg2;
    peer_clock_add_two_way(c, h1, d, h2);
    s->now = h2;
    return h1;
}

static int64_t map_error(peer_clock_t *c, const sim_t *s, int64_t host)
{
    int64_t mapped = 0;
    assert_true(peer_clock_map(c, sim_dev(s, host), &mapped));
    return mapped - host;
}

/* Runs frames every period_us from s->now to end_host, feeding due samples before each frame.
 * Returns the largest |mapping error| over frames at or after check_from. */
static int64_t sim_run(sim_t *s, peer_clock_t *c, int64_t end_host, int64_t period_us,
                       int64_t check_from)
{
    int64_t worst = 0;
    for (int64_t hf = s->now; hf < end_host; hf += period_us) {
        while (sim_due(s, c) <= hf)
            sim_poll(s, c);
        int64_t mapped = 0;
        bool ok = peer_clock_map(c, sim_dev(s, hf), &mapped);
        if (hf >= check_from) {
            assert_true(ok);
            int64_t err = llabs(mapped - hf);
            if (err > worst)
                worst = err;
        }
    }
    s->now = end_host > s->now ? end_host : s->now;
    return worst;
}

static void assert_spacing(const int64_t *h1, int from, int to, int64_t interval)
{
    for (int i = from; i < to; i++) {
        int64_t gap = h1[i + 1] - h1[i];
        /* next poll is host_after + interval: the round trip (200-240 us) comes on top */
        assert_in_range(gap, interval, interval + 1000);
    }
}

/* ---- Common ---- */

static void peer_names_should_identify_each_method(void **state)
{
    (void)state;
    assert_string_equal(peer_clock_name(PEER_VENDOR_WLS), "vendor WLS");
    assert_string_equal(peer_clock_name(PEER_REALSENSE), "librealsense");
    assert_string_equal(peer_clock_name((peer_kind_t)7), "unknown");
}

static void peer_create_should_accept_only_32_or_64_bit_timestamps(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        peer_clock_t *c = peer_clock_create((peer_kind_t)k, 16);
        assert_null(c);
        c = peer_clock_create((peer_kind_t)k, 64);
        assert_non_null(c);
        peer_clock_destroy(c);
        c = peer_clock_create((peer_kind_t)k, 32);
        assert_non_null(c);
        peer_clock_destroy(c);
    }
    assert_null(peer_clock_create((peer_kind_t)5, 64));
    peer_clock_destroy(NULL);
}

static void peer_before_any_sample_should_poll_now_and_not_map(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        peer_clock_t *c = peer_clock_create((peer_kind_t)k, 64);
        assert_non_null(c);
        assert_true(peer_clock_next_poll_us(c) == INT64_MIN);
        int64_t h = 42;
        assert_false(peer_clock_map(c, 5000000000LL, &h));
        assert_int_equal(h, 42);
        peer_clock_destroy(c);
    }
}

/* ---- Vendor WLS ---- */

static void vendor_should_poll_50ms_until_4_pairs_then_1s_until_15_then_10s(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    int64_t h1[20];
    for (int i = 0; i < 20; i++)
        h1[i] = sim_poll(&s, c);
    assert_spacing(h1, 0, 3, 50 * MS);  /* samples 1..4 */
    assert_spacing(h1, 3, 14, 1 * SEC); /* samples 4..15 */
    assert_spacing(h1, 14, 19, 10 * SEC);
    peer_clock_destroy(c);
}

static void vendor_should_map_only_after_4_pairs(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    for (int i = 0; i < 3; i++) {
        sim_poll(&s, c);
        assert_false(peer_clock_map(c, sim_dev(&s, s.now), NULL));
    }
    sim_poll(&s, c);
    assert_true(peer_clock_map(c, sim_dev(&s, s.now), NULL));
    peer_clock_destroy(c);
}

static void vendor_should_stamp_samples_at_the_round_trip_midpoint(void **state)
{
    (void)state;
    /* Symmetric legs on an exact line host = device - 1000: the fit must hit it exactly. */
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    int64_t h = HOST0;
    for (int i = 0; i < 6; i++) {
        int64_t leg = 100 + 30 * (i % 3);
        peer_clock_add_two_way(c, h, h + leg + 1000, h + 2 * leg);
        h = peer_clock_next_poll_us(c);
    }
    int64_t mapped = 0;
    assert_true(peer_clock_map(c, h + 5 * SEC + 1000, &mapped));
    assert_true(llabs(mapped - (h + 5 * SEC)) <= 1);
    peer_clock_destroy(c);
}

static void vendor_should_map_within_tens_of_us_after_convergence(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    int64_t worst = sim_run(&s, c, HOST0 + 600 * SEC, 33 * MS, HOST0 + 20 * SEC);
    assert_true(worst < 30);
    peer_clock_destroy(c);
}

static void vendor_should_drop_round_trips_over_20ms_and_retry_after_50ms(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 60 * SEC, 33 * MS, INT64_MAX); /* warm-up, unchecked */
    int64_t before = 0, after = 0;
    int64_t probe = sim_dev(&s, s.now + 5 * SEC);
    assert_true(peer_clock_map(c, probe, &before));

    /* A 25 ms round trip whose device reading is 10 ms off the line. */
    int64_t h1 = sim_due(&s, c);
    peer_clock_add_two_way(c, h1, sim_dev(&s, h1) + 10 * MS, h1 + 25 * MS);
    assert_true(peer_clock_next_poll_us(c) == h1 + 25 * MS + 50 * MS);
    assert_true(peer_clock_map(c, probe, &after));
    assert_true(before == after);
    peer_clock_destroy(c);
}

static void vendor_should_stamp_a_round_trip_outlier_at_host_after_minus_half_the_median(void **state)
{
    (void)state;
    /* A 5 ms round trip (an RTT-window outlier, yet under 20 ms) whose delay came before the
     * device read: the vendor anchors it at host_after - median / 2, not at the midpoint, so it
     * does not pull the fit by the ~2.4 ms a midpoint stamp would put in. */
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 60 * SEC, 33 * MS, INT64_MAX); /* warm-up, unchecked */
    int64_t h1 = sim_due(&s, c);
    int64_t h2 = h1 + 5 * MS;
    peer_clock_add_two_way(c, h1, sim_dev(&s, h2 - 110), h2);
    s.now = h2;
    assert_true(peer_clock_next_poll_us(c) == h2 + 10 * SEC); /* kept, not dropped */
    assert_true(llabs(map_error(c, &s, h2)) < 30);
    peer_clock_destroy(c);
}

static void vendor_should_rebuild_the_fit_after_a_50ms_residual_jump(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 600 * SEC, 33 * MS, INT64_MAX); /* warm-up, unchecked */

    s.dev_step = 50 * MS; /* the device clock jumps ahead by 50 ms */
    int64_t jump_at = s.now;
    /* Until the next 10 s poll and its 5 re-check samples (500 ms apart), the old fit holds. */
    int64_t stale = sim_run(&s, c, jump_at + 2 * SEC, 33 * MS, jump_at);
    assert_true(stale > 49 * MS);
    sim_run(&s, c, jump_at + 13 * SEC, 33 * MS, jump_at);
    /* Rebuilt from post-jump samples only: accurate again. */
    int64_t worst = sim_run(&s, c, jump_at + 120 * SEC, 33 * MS, jump_at + 13 * SEC);
    assert_true(worst < 40);
    peer_clock_destroy(c);
}

static void vendor_should_follow_a_5ms_jump_below_its_threshold_through_a_bent_slope(void **state)
{
    (void)state;
    /* A jump under 20 ms is not detected; it enters the fit. v2.9.3 weights pairs by
     * exp(-ln2 * age / 600000) with the age in device ticks: with a clock in us that is a 0.6 s
     * half-life, so the newest pair nearly alone pins the line and the pair before it (10 s
     * older) sets the slope. The first post-jump pair therefore bends the slope by 5 ms / 10 s
     * (500 ppm), and the second one, both pairs on the new clock, puts it right. (With the
     * 600 s half-life the comment speaks of, ~100 old pairs would hold the fit near the old
     * clock for minutes.) */
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 1000 * SEC, 33 * MS, INT64_MAX); /* warm-up, unchecked */

    s.dev_step = 5 * MS;
    int64_t first = peer_clock_next_poll_us(c);
    sim_poll(&s, c); /* the first post-jump pair */
    int64_t at_pair = map_error(c, &s, first);
    int64_t later = map_error(c, &s, first + 5 * SEC);
    assert_true(llabs(at_pair) < 200);                 /* the line goes through the new pair */
    assert_true(later < -2 * MS && later > -3 * MS);   /* 500 ppm over 5 s, the frame early */
    int64_t second = peer_clock_next_poll_us(c);
    assert_true(second > first + 9 * SEC);
    sim_poll(&s, c);
    assert_true(llabs(map_error(c, &s, second + 5 * SEC)) < 60); /* both pairs on the new clock */
    peer_clock_destroy(c);
}

/* The device clock is written at `at` (it jumps by `step`); the harness tells the fitter. */
static void sim_write(sim_t *s, peer_clock_t *c, int64_t at, int64_t step)
{
    s->dev_step += step;
    s->now = at;
    peer_clock_note_write(c, at);
}

static void vendor_should_refit_from_a_bootstrap_burst_after_a_clock_write(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 600 * SEC, 33 * MS, INT64_MAX); /* mature: 10 s polls */
    int64_t w = s.now + 3 * SEC;
    sim_run(&s, c, w, 33 * MS, INT64_MAX);
    sim_write(&s, c, w, 30 * MS);
    /* The SDK's timer sync writes, waits 50 ms, writes again and reads back: then the refit. */
    assert_true(peer_clock_next_poll_us(c) == w + 50 * MS);
    /* Until the burst has produced a fit, the fit from before the write maps (30 ms off). */
    int64_t h1[8];
    for (int i = 0; i < 6; i++) {
        assert_true(llabs(map_error(c, &s, s.now) - 30 * MS) < 100);
        h1[i] = sim_poll(&s, c);
    }
    assert_spacing(h1, 0, 5, 40 * MS); /* 6 reads, 40 ms after each */
    assert_true(h1[0] == w + 50 * MS);
    /* One unweighted fit over the 6 fresh pairs: on the new clock at once. */
    assert_true(llabs(map_error(c, &s, s.now)) < 100);
    /* The woken background loop reads 50 ms after the burst's last sleep, then every second. */
    assert_true(peer_clock_next_poll_us(c) == s.now + 40 * MS + 50 * MS);
    h1[6] = sim_poll(&s, c);
    h1[7] = sim_poll(&s, c);
    assert_spacing(h1, 6, 7, 1 * SEC);
    peer_clock_destroy(c);
}

static void vendor_should_keep_its_old_fit_when_the_refit_burst_gets_under_4_pairs(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 120 * SEC, 33 * MS, INT64_MAX);
    int64_t probe = sim_dev(&s, s.now + 1 * SEC), before = 0, after = 0;
    assert_true(peer_clock_map(c, probe, &before));
    sim_write(&s, c, s.now, 30 * MS);
    /* 3 good reads and 3 dropped ones (25 ms round trips): 6 attempts, only 3 pairs. A dropped
     * read is retried at once. */
    for (int i = 0; i < 6; i++) {
        int64_t h = peer_clock_next_poll_us(c);
        if (i % 2 == 0) {
            sim_poll(&s, c);
        } else {
            peer_clock_add_two_way(c, h, sim_dev(&s, h + 100), h + 25 * MS);
            s.now = h + 25 * MS;
            if (i < 5)
                assert_true(peer_clock_next_poll_us(c) == h + 25 * MS);
        }
    }
    assert_true(peer_clock_map(c, probe, &after));
    assert_true(before == after); /* no new fit: the old one stays */
    peer_clock_destroy(c);
}

static void vendor_should_map_across_a_32bit_wrap(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_VENDOR_WLS, 32);
    assert_non_null(c);
    sim_t s = sim_make(WRAP32 - 300 * SEC, 32); /* wraps 300 s in */
    int64_t worst = sim_run(&s, c, HOST0 + 600 * SEC, 33 * MS, HOST0 + 20 * SEC);
    assert_true(worst < 100);
    peer_clock_destroy(c);
}

/* ---- librealsense ---- */

static void realsense_should_poll_100ms_until_15_samples_then_1s(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    int64_t h1[20];
    for (int i = 0; i < 20; i++)
        h1[i] = sim_poll(&s, c);
    assert_spacing(h1, 0, 14, 100 * MS); /* samples 1..15 */
    assert_spacing(h1, 14, 19, 1 * SEC);
    peer_clock_destroy(c);
}

static void realsense_should_stamp_at_host_after_minus_smallest_half_round_trip(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    /* One sample maps with slope 1 through (device, host_after - rtt/2). */
    peer_clock_add_two_way(c, HOST0, 777000000, HOST0 + 300);
    int64_t mapped = 0;
    assert_true(peer_clock_map(c, 777000000 + 10 * MS, &mapped));
    assert_true(mapped == HOST0 + 300 - 150 + 10 * MS);
    peer_clock_destroy(c);

    /* A slower second round trip is stamped with the first one's (smaller) half round trip:
     * on an exact line host = device, the fit stays on it only if host_after - 150 is used. */
    c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    peer_clock_add_two_way(c, HOST0, HOST0 + 150, HOST0 + 300);
    int64_t h1 = peer_clock_next_poll_us(c);
    peer_clock_add_two_way(c, h1, h1 + 1000, h1 + 1150); /* rtt 1150, read at h1 + 1000 */
    assert_true(peer_clock_map(c, h1 + 1000, &mapped));
    assert_true(llabs(mapped - (h1 + 1000)) <= 1);
    peer_clock_destroy(c);
}

static void realsense_should_map_within_tens_of_us_after_convergence(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    int64_t worst = sim_run(&s, c, HOST0 + 600 * SEC, 33 * MS, HOST0 + 20 * SEC);
    assert_true(worst < 30);
    peer_clock_destroy(c);
}

static void realsense_mapping_should_not_jump_when_coefficients_update(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 60 * SEC, 33 * MS, INT64_MAX); /* warm-up, unchecked */

    /* The next sample comes back 3 ms late: the refit moves the line by hundreds of us. */
    s.extra_leg2_us = 3 * MS;
    int64_t start = s.now;
    int64_t prev_err = map_error(c, &s, start);
    int64_t max_step = 0, lo = prev_err, hi = prev_err;
    for (int64_t hf = start + 1 * MS; hf < start + 3 * SEC; hf += 1 * MS) {
        while (sim_due(&s, c) <= hf)
            sim_poll(&s, c);
        int64_t err = map_error(c, &s, hf);
        int64_t step = llabs(err - prev_err);
        if (step > max_step)
            max_step = step;
        if (err < lo)
            lo = err;
        if (err > hi)
            hi = err;
        prev_err = err;
    }
    assert_true(hi - lo > 100); /* the update did move the mapping ... */
    assert_true(max_step <= 5); /* ... but only gradually, frame to frame (1 ms apart) */
    peer_clock_destroy(c);
}

static void realsense_should_map_across_a_32bit_wrap_when_created_with_32_bits(void **state)
{
    (void)state;
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 32);
    assert_non_null(c);
    sim_t s = sim_make(WRAP32 - 30 * SEC, 32); /* wraps about 30 s in */
    int64_t worst = sim_run(&s, c, HOST0 + 30 * SEC + 500 * MS, 10 * MS, HOST0 + 10 * SEC);
    assert_true(worst < 30);
    /* A frame stamped 50 ms before the wrap, mapped after samples from past it came in. */
    int64_t host = HOST0 + 30 * SEC - 50 * MS;
    assert_true(sim_dev(&s, host) > WRAP32 - 1 * SEC);
    assert_true(sim_dev(&s, s.now) < 1 * SEC);
    assert_true(llabs(map_error(c, &s, host)) < 30);
    worst = sim_run(&s, c, HOST0 + 90 * SEC, 10 * MS, s.now);
    assert_true(worst < 30);
    peer_clock_destroy(c);
}

static void realsense_should_ignore_a_clock_write(void **state)
{
    (void)state;
    /* librealsense never writes device clocks and has no hook for a write: nothing changes. */
    peer_clock_t *c = peer_clock_create(PEER_REALSENSE, 64);
    assert_non_null(c);
    sim_t s = sim_make(5000000000LL, 64);
    sim_run(&s, c, HOST0 + 60 * SEC, 33 * MS, INT64_MAX);
    int64_t next = peer_clock_next_poll_us(c), probe = sim_dev(&s, s.now), before = 0, after = 0;
    assert_true(peer_clock_map(c, probe, &before));
    sim_write(&s, c, s.now, 30 * MS);
    assert_true(peer_clock_next_poll_us(c) == next);
    assert_true(peer_clock_map(c, probe, &after));
    assert_true(before == after);
    peer_clock_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peer_names_should_identify_each_method),
        cmocka_unit_test(peer_create_should_accept_only_32_or_64_bit_timestamps),
        cmocka_unit_test(peer_before_any_sample_should_poll_now_and_not_map),
        cmocka_unit_test(vendor_should_poll_50ms_until_4_pairs_then_1s_until_15_then_10s),
        cmocka_unit_test(vendor_should_map_only_after_4_pairs),
        cmocka_unit_test(vendor_should_stamp_samples_at_the_round_trip_midpoint),
        cmocka_unit_test(vendor_should_map_within_tens_of_us_after_convergence),
        cmocka_unit_test(vendor_should_drop_round_trips_over_20ms_and_retry_after_50ms),
        cmocka_unit_test(vendor_should_stamp_a_round_trip_outlier_at_host_after_minus_half_the_median),
        cmocka_unit_test(vendor_should_rebuild_the_fit_after_a_50ms_residual_jump),
        cmocka_unit_test(vendor_should_follow_a_5ms_jump_below_its_threshold_through_a_bent_slope),
        cmocka_unit_test(vendor_should_refit_from_a_bootstrap_burst_after_a_clock_write),
        cmocka_unit_test(vendor_should_keep_its_old_fit_when_the_refit_burst_gets_under_4_pairs),
        cmocka_unit_test(vendor_should_map_across_a_32bit_wrap),
        cmocka_unit_test(realsense_should_poll_100ms_until_15_samples_then_1s),
        cmocka_unit_test(realsense_should_stamp_at_host_after_minus_smallest_half_round_trip),
        cmocka_unit_test(realsense_should_map_within_tens_of_us_after_convergence),
        cmocka_unit_test(realsense_mapping_should_not_jump_when_coefficients_update),
        cmocka_unit_test(realsense_should_map_across_a_32bit_wrap_when_created_with_32_bits),
        cmocka_unit_test(realsense_should_ignore_a_clock_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The clock estimator (src/clock) on timestamps no clock gives: a device's SDK returning
 * garbage, or a corrupt recording replayed (fuzz_replay's finding: a FrameInfo's device_ts_us
 * near INT64_MIN overflowed `d - d_ref` in map_h). Beyond +-2^53 us a frame maps to nothing
 * and a sample is not used, nor is a sample from before the window (the host clock does not run
 * backwards); the estimate built before stays as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "clock/clock.h"

#define HOST0 1700000000000000LL
#define DEV0 1000000000LL /* the device clock reads DEV0 at HOST0, 0 ppm */
#define LIMIT ((int64_t)1 << 53)

static void samples(rig_clock_t *c)
{
    /* every 100 ms for 1 s, 200 us round trips, the device read at their middle */
    for (int64_t k = 0; k <= 10; k++) {
        int64_t h1 = HOST0 + k * 100000;
        rig_clock_add_two_way(c, h1, DEV0 + (h1 - HOST0) + 100, h1 + 200);
    }
}

static void timestamps_beyond_2_53_us_map_no_frame_and_make_no_sample(void **state)
{
    (void)state;
    rig_clock_t *c = rig_clock_create(NULL);
    assert_non_null(c);
    samples(c);
    assert_int_equal(rig_clock_epochs(c), 1);
    /* A frame captured 1.2 s after HOST0 arriving 9 ms later maps to its capture time, within
     * the round trips' half (100 us) plus the estimator's margin. */
    int64_t g = 0, b = 0;
    assert_true(rig_clock_frame(c, 0, 0, DEV0 + 1200000, HOST0 + 1209000, &g, &b));
    assert_true(llabs(g - (HOST0 + 1200000)) <= 300);
    const int64_t garbage[] = {INT64_MIN, INT64_MIN + 1, -LIMIT - 1, LIMIT + 1, INT64_MAX};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        int64_t g2 = 42, b2 = 42;
        assert_false(rig_clock_frame(c, 0, 1 + i, garbage[i], HOST0 + 1242000, &g2, &b2));
        assert_false(rig_clock_frame(c, 1, 1 + i, DEV0 + 1233000, garbage[i], &g2, &b2));
        assert_int_equal(g2, 42); /* left alone */
        /* a sample with a garbage reading is no evidence of a clock jump: no new epoch */
        rig_clock_add_two_way(c, HOST0 + 1300000, garbage[i], HOST0 + 1300200);
        rig_clock_add_two_way(c, garbage[i], DEV0 + 1300100, HOST0 + 1300200);
        rig_clock_note_step(c, garbage[i]);
        rig_clock_note_reset(c, garbage[i]);
        rig_clock_set_floor_hint(c, 0, garbage[i], garbage[i]);
        assert_int_equal(rig_clock_epochs(c), 1);
    }
    /* A sample 2 years before the first (fuzz_replay's third finding: its age weight was 0,
     * the next fit's weight infinite, the fit NaN) is stale: not used. */
    rig_clock_add_two_way(c, HOST0 - 70000000000000LL, DEV0 + 5, HOST0 - 70000000000000LL + 200);
    assert_int_equal(rig_clock_epochs(c), 1);
    /* the estimate is as it was: the next frame on its period maps as the first did */
    assert_true(rig_clock_frame(c, 0, 7, DEV0 + 1433333, HOST0 + 1442333, &g, &b));
    assert_true(llabs(g - (HOST0 + 1433333)) <= 300);
    rig_clock_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps_beyond_2_53_us_map_no_frame_and_make_no_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

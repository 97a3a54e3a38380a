/* The sync scope of rigsync view (tools/view/view_scope.c): the marks of the last second per
 * device and stream, late frames in time order, the bounded rows, silent devices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "view/view_scope.h"

#define SEC 1000000

static void marks_of_the_last_second(void **state)
{
    (void)state;
    view_scope_t *s = view_scope_create(2, SEC);
    assert_non_null(s);
    assert_int_equal(view_scope_now_us(s), RIG_TS_NONE);
    /* device 0 color at 30 fps for 2 s: 0, 33333, ..., 1966646 (60 captures) */
    for (int k = 0; k < 60; k++)
        assert_true(view_scope_add(s, 0, RIG_STREAM_COLOR, 1000 + (int64_t)k * 33333));
    assert_false(view_scope_add(s, 0, RIG_STREAM_DEPTH, RIG_TS_NONE));
    assert_false(view_scope_add(s, 2, RIG_STREAM_DEPTH, 5));
    assert_int_equal(view_scope_now_us(s), 1000 + 59 * 33333);
    assert_int_equal(view_scope_first_us(s), 1000);
    int64_t out[128];
    /* (now - 1 s, now] = (967647, 1967647]: captures 29..59, as 1000 + 29 * 33333 = 967657 (a
     * second holds 30.0003 periods: 31 marks when one lands just inside the left edge) */
    size_t n = view_scope_marks(s, 0, RIG_STREAM_COLOR, view_scope_now_us(s), out, 128);
    assert_int_equal(n, 31);
    assert_int_equal(out[0], 1000 + 29 * 33333);
    assert_int_equal(out[1], 1000 + 30 * 33333);
    assert_int_equal(out[30], 1000 + 59 * 33333);
    /* an earlier end: (0.5 s - 1 s, 0.5 s] holds captures 0..14 (14 * 33333 + 1000 = 467662) */
    assert_int_equal(view_scope_marks(s, 0, RIG_STREAM_COLOR, 500000, out, 128), 15);
    /* the other rows are empty; a small cap still counts them all */
    assert_int_equal(view_scope_marks(s, 1, RIG_STREAM_COLOR, view_scope_now_us(s), out, 128), 0);
    assert_int_equal(view_scope_marks(s, 0, RIG_STREAM_COLOR, view_scope_now_us(s), out, 4), 31);
    view_scope_destroy(s);
}

static void late_frames_in_time_order(void **state)
{
    (void)state;
    view_scope_t *s = view_scope_create(1, SEC);
    view_scope_add(s, 0, RIG_STREAM_DEPTH, 300);
    view_scope_add(s, 0, RIG_STREAM_DEPTH, 100); /* delivered late */
    view_scope_add(s, 0, RIG_STREAM_DEPTH, 200);
    int64_t out[4];
    assert_int_equal(view_scope_marks(s, 0, RIG_STREAM_DEPTH, 300, out, 4), 3);
    assert_int_equal(out[0], 100);
    assert_int_equal(out[1], 200);
    assert_int_equal(out[2], 300);
    assert_int_equal(view_scope_last_us(s, 0, RIG_STREAM_DEPTH), 300);
    view_scope_destroy(s);
}

static void rows_are_bounded(void **state)
{
    (void)state;
    view_scope_t *s = view_scope_create(1, SEC);
    /* 3000 captures 100 us apart: only the newest VIEW_SCOPE_ROW_CAP stay */
    for (int k = 0; k < 3000; k++)
        view_scope_add(s, 0, RIG_STREAM_COLOR, (int64_t)k * 100);
    int64_t *out = calloc(VIEW_SCOPE_ROW_CAP, sizeof(*out));
    size_t n = view_scope_marks(s, 0, RIG_STREAM_COLOR, 2999 * 100, out, VIEW_SCOPE_ROW_CAP);
    assert_int_equal(n, VIEW_SCOPE_ROW_CAP);
    assert_int_equal(out[0], (int64_t)(3000 - VIEW_SCOPE_ROW_CAP) * 100);
    free(out);
    view_scope_destroy(s);
}

static void silent_after_ten_periods(void **state)
{
    (void)state;
    view_scope_t *s = view_scope_create(3, SEC);
    assert_false(view_scope_silent(s, 0, 10 * SEC, 33333)); /* nothing yet: nobody is */
    view_scope_add(s, 0, RIG_STREAM_COLOR, 1000000);
    view_scope_add(s, 1, RIG_STREAM_DEPTH, 1000000);
    view_scope_add(s, 0, RIG_STREAM_DEPTH, 1300000); /* device 0's newest, on depth */
    /* 10 periods of 33333 us = 333330 us */
    assert_false(view_scope_silent(s, 0, 1300000 + 333330, 33333));
    assert_true(view_scope_silent(s, 0, 1300000 + 333331, 33333));
    assert_false(view_scope_silent(s, 1, 1000000 + 333330, 33333));
    assert_true(view_scope_silent(s, 1, 1000000 + 333331, 33333));
    /* device 2 never delivered: counted from the rig's first instant */
    assert_false(view_scope_silent(s, 2, 1000000 + 333330, 33333));
    assert_true(view_scope_silent(s, 2, 1000000 + 333331, 33333));
    assert_false(view_scope_silent(s, 5, 9 * SEC, 33333));
    /* a clone keeps what it had while the original goes on */
    view_scope_t *c = view_scope_clone(s);
    view_scope_add(s, 2, RIG_STREAM_COLOR, 1400000);
    assert_false(view_scope_silent(s, 2, 1500000, 33333));
    assert_true(view_scope_silent(c, 2, 1500000, 33333));
    view_scope_destroy(c);
    view_scope_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marks_of_the_last_second),
        cmocka_unit_test(late_frames_in_time_order),
        cmocka_unit_test(rows_are_bounded),
        cmocka_unit_test(silent_after_ten_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

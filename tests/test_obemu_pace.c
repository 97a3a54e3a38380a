/*
 * test_obemu_pace: RIGSYNC_OBEMU_SPEED paces virtual time (a callback pipeline, as the vendor's
 * multi_devices_sync sample uses) without changing what it delivers, and the emulator renders
 * pixels unless RIGSYNC_OBEMU_PIXELS=0. Virtual time.
 *
 * The pacing check is a lower bound only: N virtual seconds take at least N / SPEED real
 * seconds (the emulator sleeps until each step is due; a slow host only makes it longer).
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ob_api.h"

#define SPAN_US 1000000 /* virtual time the paced run covers */
#define SPEED 2.0       /* virtual seconds per real second in the paced run */
#define MAX_SETS 256

static void no_error(ob_error **err)
{
    if (*err)
        fail_msg("unexpected error in %s: %s", ob_error_get_function(*err),
                 ob_error_get_message(*err));
}

static int setup(void **state)
{
    (void)state;
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    unsetenv("RIGSYNC_OBEMU_SEED");
    unsetenv("RIGSYNC_OBEMU_PIXELS");
    unsetenv("RIGSYNC_OBEMU_SPEED");
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    return 0;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What a frameset holds, as a program sees it. */
typedef struct {
    uint32_t count;
    uint64_t index[2], device_ts[2], system_ts[2]; /* [0] depth, [1] color; 0 when absent */
} set_t;

typedef struct {
    pthread_mutex_t lock;
    set_t sets[MAX_SETS];
    int n;
    uint64_t first_ts;
    double span_done_at; /* wall time a set SPAN_US of virtual time after the first came */
} run_t;

static void on_set(ob_frame *set, void *user)
{
    run_t *r = user;
    ob_error *err = NULL;
    set_t s;
    memset(&s, 0, sizeof(s));
    s.count = ob_frameset_get_count(set, &err);
    const ob_frame_type types[2] = {OB_FRAME_DEPTH, OB_FRAME_COLOR};
    uint64_t latest = 0;
    for (int i = 0; i < 2; i++) {
        ob_frame *f = ob_frameset_get_frame(set, types[i], &err);
        if (!f)
            continue;
        s.index[i] = ob_frame_get_index(f, &err);
        s.device_ts[i] = ob_frame_get_timestamp_us(f, &err);
        s.system_ts[i] = ob_frame_get_system_timestamp_us(f, &err);
        if (s.system_ts[i] > latest)
            latest = s.system_ts[i];
        ob_delete_frame(f, &err);
    }
    ob_delete_frame(set, &err); /* the callback owns the frameset */
    double now = wall_s();
    pthread_mutex_lock(&r->lock);
    if (err)
        r->n = -1000000; /* reported by the caller */
    else if (r->n >= 0 && r->n < MAX_SETS) {
        if (r->n == 0)
            r->first_ts = latest;
        r->sets[r->n++] = s;
        if (r->span_done_at == 0 && latest >= r->first_ts + SPAN_US)
            r->span_done_at = now;
    }
    pthread_mutex_unlock(&r->lock);
    if (err)
        ob_delete_error(err);
}

/* Streams the first device's default pipeline with a callback until SPAN_US of virtual time
 * came; returns the real time from just before the start to the set that completed the span.
 * Time starts at once (ob_enable_device_clock_sync), so that an unpaced run takes little real
 * time and the bound below tells a paced run from an unpaced one. */
static double run_once(run_t *r)
{
    ob_error *err = NULL;
    memset(r->sets, 0, sizeof(r->sets));
    r->n = 0;
    r->first_ts = 0;
    r->span_done_at = 0;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    ob_device *dev = ob_device_list_get_device(list, 0, &err);
    no_error(&err);
    ob_pipeline *p = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    double t0 = wall_s();
    ob_pipeline_start_with_callback(p, NULL, on_set, r, &err);
    no_error(&err);
    ob_enable_device_clock_sync(ctx, 60000, &err); /* time starts now */
    no_error(&err);
    double done = 0;
    for (int i = 0; i < 2000 && done == 0; i++) { /* up to 20 s real, generous for sanitizers */
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&r->lock);
        done = r->span_done_at;
        pthread_mutex_unlock(&r->lock);
    }
    ob_pipeline_stop(p, &err);
    no_error(&err);
    ob_delete_pipeline(p, &err);
    ob_delete_device(dev, &err);
    ob_delete_device_list(list, &err);
    ob_delete_context(ctx, &err);
    no_error(&err);
    assert_true(r->n >= 0);
    assert_true(done > 0);
    return done - t0;
}

static run_t fast_run = {.lock = PTHREAD_MUTEX_INITIALIZER};
static run_t paced_run = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void speed_paces_virtual_time_and_keeps_the_frames(void **state)
{
    (void)state;
    unsetenv("RIGSYNC_OBEMU_SPEED");
    double fast_s = run_once(&fast_run);
    char v[16];
    snprintf(v, sizeof(v), "%g", SPEED);
    setenv("RIGSYNC_OBEMU_SPEED", v, 1);
    double paced_s = run_once(&paced_run);
    unsetenv("RIGSYNC_OBEMU_SPEED");
    print_message("1 virtual second: %.3f s real unpaced, %.3f s real at SPEED=%g\n", fast_s,
                  paced_s, SPEED);
    /* the lower bound: SPAN_US of virtual time cannot pass in less than SPAN_US / SPEED */
    assert_true(paced_s >= (double)SPAN_US / 1e6 / SPEED);

    /* the same frames, in the same order, with the same timestamps: both runs hold at least
     * the sets of the span (30 + 30 fps, color and depth aggregated: ~30 sets a second) */
    int n = fast_run.n < paced_run.n ? fast_run.n : paced_run.n;
    assert_true(n >= 25);
    for (int i = 0; i < n; i++) {
        const set_t *a = &fast_run.sets[i], *b = &paced_run.sets[i];
        if (memcmp(a, b, sizeof(*a)) != 0)
            fail_msg("frameset %d differs: depth #%llu at %llu / color #%llu at %llu unpaced, "
                     "depth #%llu at %llu / color #%llu at %llu paced",
                     i, (unsigned long long)a->index[0], (unsigned long long)a->system_ts[0],
                     (unsigned long long)a->index[1], (unsigned long long)a->system_ts[1],
                     (unsigned long long)b->index[0], (unsigned long long)b->system_ts[0],
                     (unsigned long long)b->index[1], (unsigned long long)b->system_ts[1]);
    }
    /* a camera-like run: frame indexes advance one at a time */
    assert_true(fast_run.sets[n - 1].index[0] > fast_run.sets[0].index[0]);
}

static void speed_must_be_a_non_negative_number(void **state)
{
    (void)state;
    const char *bad[] = {"fast", "-1", "2x", "nan", "inf", " "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("RIGSYNC_OBEMU_SPEED", bad[i], 1);
        ob_error *err = NULL;
        ob_context *ctx = ob_create_context(&err);
        assert_null(ctx);
        assert_non_null(err);
        assert_int_equal(ob_error_get_exception_type(err), OB_EXCEPTION_TYPE_INVALID_VALUE);
        const char *msg = ob_error_get_message(err);
        if (!strstr(msg, "RIGSYNC_OBEMU_SPEED") || !strstr(msg, bad[i]) ||
            !strstr(msg, "set it to"))
            fail_msg("message \"%s\" does not name the variable, the value and the fix", msg);
        ob_delete_error(err);
    }
    const char *good[] = {"0", "1", "2.5", "0.5"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        setenv("RIGSYNC_OBEMU_SPEED", good[i], 1);
        ob_error *err = NULL;
        ob_context *ctx = ob_create_context(&err);
        no_error(&err);
        assert_non_null(ctx);
        ob_delete_context(ctx, &err);
        no_error(&err);
    }
    unsetenv("RIGSYNC_OBEMU_SPEED");
}

/* The first frameset's color and depth data: their sizes (width x height x bytes per pixel). */
static void first_set_data(uint32_t *color_size, uint32_t *depth_size, bool *color_data,
                           bool *depth_data, ob_format *color_format)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_pipeline_start(p, &err);
    no_error(&err);
    ob_frame *set = NULL;
    for (int i = 0; i < 50 && !set; i++) {
        set = ob_pipeline_wait_for_frameset(p, 1000, &err);
        no_error(&err);
    }
    assert_non_null(set);
    ob_frame *c = ob_frameset_get_frame(set, OB_FRAME_COLOR, &err);
    ob_frame *d = ob_frameset_get_frame(set, OB_FRAME_DEPTH, &err);
    no_error(&err);
    assert_non_null(c);
    assert_non_null(d);
    *color_size = ob_frame_get_data_size(c, &err);
    *depth_size = ob_frame_get_data_size(d, &err);
    *color_data = ob_frame_get_data(c, &err) != NULL;
    *depth_data = ob_frame_get_data(d, &err) != NULL;
    *color_format = ob_frame_get_format(c, &err);
    assert_int_equal(ob_frame_get_format(d, &err), *depth_data ? OB_FORMAT_Y16 : OB_FORMAT_UNKNOWN);
    uint32_t w = ob_video_frame_get_width(d, &err), h = ob_video_frame_get_height(d, &err);
    no_error(&err);
    if (*depth_data)
        assert_int_equal(*depth_size, w * h * 2); /* Y16 */
    ob_delete_frame(c, &err);
    ob_delete_frame(d, &err);
    ob_delete_frame(set, &err);
    ob_pipeline_stop(p, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

static void pixels_by_default_and_off_with_zero(void **state)
{
    (void)state;
    uint32_t cs, ds;
    bool cd, dd;
    ob_format cf;
    unsetenv("RIGSYNC_OBEMU_PIXELS"); /* as the SDK: every frame has its data */
    first_set_data(&cs, &ds, &cd, &dd, &cf);
    assert_true(cd);
    assert_true(dd);
    assert_true(cs > 0);
    assert_true(ds > 0);
    assert_int_not_equal(cf, OB_FORMAT_UNKNOWN);
    setenv("RIGSYNC_OBEMU_PIXELS", "0", 1); /* timestamps only */
    first_set_data(&cs, &ds, &cd, &dd, &cf);
    assert_false(cd);
    assert_false(dd);
    assert_int_equal(cs, 0);
    assert_int_equal(ds, 0);
    setenv("RIGSYNC_OBEMU_PIXELS", "yes", 1);
    ob_error *err = NULL;
    assert_null(ob_create_context(&err));
    assert_non_null(err);
    if (!strstr(ob_error_get_message(err), "RIGSYNC_OBEMU_PIXELS"))
        fail_msg("message \"%s\" does not name the variable", ob_error_get_message(err));
    ob_delete_error(err);
    unsetenv("RIGSYNC_OBEMU_PIXELS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(speed_must_be_a_non_negative_number, setup),
        cmocka_unit_test_setup(pixels_by_default_and_off_with_zero, setup),
        cmocka_unit_test_setup(speed_paces_virtual_time_and_keeps_the_frames, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

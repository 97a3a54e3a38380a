/*
 * The emulator's sensor streaming (Sensor.h: ob_sensor_start / stop / switch_profile) and the
 * FormatConverter on the frames a device streams (MJPG), in virtual time: a sensor hands single
 * frames of its type, in order with no index skipped, to its callback on a thread of its own;
 * starting a started sensor is refused (108), any handle of the sensor stops it, and no frame
 * arrives after stop returns; v2.9.3's switch_profile refuses a streaming sensor. MJPG decoded
 * to RGB and BGR are the same image with R and B swapped, keep the frame's timestamps and index,
 * and MJPG to I420 gives the luma of that image (0.299 R + 0.587 G + 0.114 B, mean deviation
 * within 1).
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

typedef struct seen {
    pthread_mutex_t lock;
    int frames, not_color, skipped;
    uint64_t last_index;
} seen_t;

static void on_frame(ob_frame *frame, void *user)
{
    seen_t *s = user;
    ob_error *e = NULL;
    pthread_mutex_lock(&s->lock);
    if (ob_frame_get_type(frame, &e) != OB_FRAME_COLOR)
        s->not_color++;
    uint64_t idx = ob_frame_get_index(frame, &e);
    if (s->frames && idx != s->last_index + 1)
        s->skipped++;
    s->last_index = idx;
    s->frames++;
    pthread_mutex_unlock(&s->lock);
    ob_delete_frame(frame, &e); /* the callback owns the frame */
}

static int frames_of(seen_t *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->frames;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void expect_status(ob_error *e, ob_status status)
{
    assert_non_null(e);
    assert_int_equal(ob_error_get_status(e), status);
    ob_delete_error(e);
}

static ob_device *first_device(ob_context **ctx)
{
    ob_error *e = NULL;
    *ctx = ob_create_context(&e);
    assert_null(e);
    ob_device_list *list = ob_query_device_list(*ctx, &e);
    ob_device *d = ob_device_list_get_device(list, 0, &e);
    ob_delete_device_list(list, &e);
    assert_null(e);
    return d;
}

static void sensor_streams_to_its_callback(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_context *ctx;
    ob_device *dev = first_device(&ctx);
    ob_sensor *a = ob_device_get_sensor(dev, OB_SENSOR_COLOR, &e);
    ob_sensor *b = ob_device_get_sensor(dev, OB_SENSOR_COLOR, &e);
    ob_stream_profile_list *pl = ob_sensor_get_stream_profile_list(a, &e);
    const ob_stream_profile *p = ob_stream_profile_list_get_profile(pl, 0, &e);
    assert_null(e);
    seen_t s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    ob_sensor_start(a, p, on_frame, &s, &e);
    assert_null(e);
    for (int i = 0; i < 600 && frames_of(&s) < 20; i++) { /* up to 6 s of real time */
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(frames_of(&s) >= 20);
    ob_sensor_start(b, p, on_frame, &s, &e); /* the device's sensor, whatever the handle */
    expect_status(e, OB_ERROR_WRONG_API_CALL_SEQUENCE);
    e = NULL;
    ob_sensor_switch_profile(b, (ob_stream_profile *)p, &e); /* v2.9.3: refused while streaming */
    expect_status(e, OB_ERROR_WRONG_API_CALL_SEQUENCE);
    e = NULL;
    ob_sensor_stop(b, &e); /* another handle stops it */
    assert_null(e);
    int at_stop = frames_of(&s);
    struct timespec ts = {0, 200000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(frames_of(&s), at_stop); /* nothing after stop returned */
    assert_int_equal(s.not_color, 0);
    assert_int_equal(s.skipped, 0);
    ob_sensor_stop(a, &e); /* stopping a stopped sensor: nothing */
    assert_null(e);
    /* stopped: switch restarts it with the last callback */
    ob_sensor_switch_profile(a, (ob_stream_profile *)p, &e);
    assert_null(e);
    for (int i = 0; i < 600 && frames_of(&s) < at_stop + 5; i++) {
        struct timespec t2 = {0, 10000000L};
        nanosleep(&t2, NULL);
    }
    assert_true(frames_of(&s) >= at_stop + 5);
    ob_delete_sensor(a, &e); /* the handle that started it: stops it */
    ob_delete_sensor(b, &e);
    ob_delete_stream_profile((ob_stream_profile *)p, &e);
    ob_delete_stream_profile_list(pl, &e);
    ob_delete_device(dev, &e);
    ob_delete_context(ctx, &e);
    assert_null(e);
}

static ob_frame *convert(ob_filter *f, int type, const ob_frame *in)
{
    ob_error *e = NULL;
    ob_filter_set_config_value(f, "convertType", (double)type, &e);
    ob_frame *out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_non_null(out);
    return out;
}

static void mjpg_decodes_to_rgb_bgr_and_i420(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_context *ctx;
    ob_device *dev = first_device(&ctx);
    ob_pipeline *pipe = ob_create_pipeline_with_device(dev, &e);
    ob_config *cfg = ob_create_config(&e);
    ob_config_enable_video_stream(cfg, OB_STREAM_COLOR, 640, 480, 30, OB_FORMAT_MJPG, &e);
    ob_pipeline_start_with_config(pipe, cfg, &e);
    assert_null(e);
    ob_frame *color = NULL;
    for (int i = 0; i < 50 && !color; i++) {
        ob_frame *set = ob_pipeline_wait_for_frameset(pipe, 1000, &e);
        if (set) {
            color = ob_frameset_get_frame(set, OB_FRAME_COLOR, &e);
            ob_delete_frame(set, &e);
        }
    }
    assert_non_null(color);
    assert_int_equal(ob_frame_get_format(color, &e), OB_FORMAT_MJPG);
    ob_filter *f = ob_create_filter("FormatConverter", &e);
    ob_frame *rgb = convert(f, FORMAT_MJPG_TO_RGB, color);
    ob_frame *bgr = convert(f, FORMAT_MJPG_TO_BGR, color);
    ob_frame *yuv = convert(f, FORMAT_MJPG_TO_I420, color);
    assert_int_equal(ob_frame_get_format(rgb, &e), OB_FORMAT_RGB);
    assert_int_equal(ob_video_frame_get_width(rgb, &e), 640);
    assert_int_equal(ob_video_frame_get_height(rgb, &e), 480);
    assert_int_equal(ob_frame_get_data_size(rgb, &e), 640 * 480 * 3);
    assert_int_equal(ob_frame_get_data_size(yuv, &e), 640 * 480 * 3 / 2);
    assert_int_equal(ob_frame_get_timestamp_us(rgb, &e), ob_frame_get_timestamp_us(color, &e));
    assert_int_equal(ob_frame_get_system_timestamp_us(rgb, &e),
                     ob_frame_get_system_timestamp_us(color, &e));
    assert_int_equal(ob_frame_get_index(bgr, &e), ob_frame_get_index(color, &e));
    const uint8_t *r = ob_frame_get_data(rgb, &e), *b = ob_frame_get_data(bgr, &e);
    const uint8_t *y = ob_frame_get_data(yuv, &e);
    unsigned lo = 255, hi = 0;
    double dev_sum = 0;
    for (size_t i = 0; i < 640 * 480; i++) {
        assert_int_equal(r[3 * i], b[3 * i + 2]);
        assert_int_equal(r[3 * i + 1], b[3 * i + 1]);
        assert_int_equal(r[3 * i + 2], b[3 * i]);
        double luma = 0.299 * r[3 * i] + 0.587 * r[3 * i + 1] + 0.114 * r[3 * i + 2];
        dev_sum += fabs(luma - y[i]);
        lo = r[3 * i] < lo ? r[3 * i] : lo;
        hi = r[3 * i] > hi ? r[3 * i] : hi;
    }
    printf("mean |luma(RGB) - Y| = %.3f\n", dev_sum / (640 * 480));
    assert_true(dev_sum / (640 * 480) <= 1.0); /* rounding, and clamping of saturated colours */
    assert_true(hi - lo > 100); /* not a blank image */
    ob_frame *fs[] = {rgb, bgr, yuv, color};
    for (size_t i = 0; i < 4; i++)
        ob_delete_frame(fs[i], &e);
    ob_delete_filter(f, &e);
    ob_pipeline_stop(pipe, &e);
    ob_delete_pipeline(pipe, &e);
    ob_delete_config(cfg, &e);
    ob_delete_device(dev, &e);
    ob_delete_context(ctx, &e);
    assert_null(e);
}

int main(void)
{
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    setenv("RIGSYNC_OBEMU_PIXELS", "1", 1);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sensor_streams_to_its_callback),
        cmocka_unit_test(mjpg_decodes_to_rgb_bgr_and_i420),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

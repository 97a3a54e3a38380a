/*
 * test_obemu_prop: the emulator's device properties, timestamp reset and reboot, through the
 * vendor's C API as 2.device.control and 3.advanced.multi_devices_sync call it (virtual time).
 * Expectations are the emulated camera's table (src/obemu/obemu_property.c) and the SDK's
 * statuses: 107 for an unsupported property or operation, 1005 (the firmware's error response)
 * for a value outside the range, 112 for a device that left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ob_api.h"

static const char *one_g335 =
    "{\"devices\":[{\"serial_number\":\"G335A\",\"config\":{\"mode\":\"STANDALONE\"}}],"
    "\"sim\":{\"devices\":[{\"serial_number\":\"G335A\",\"model\":\"Gemini 335\"}]}}";

static char cfg_path[64];

static int setup(void **state)
{
    (void)state;
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    snprintf(cfg_path, sizeof cfg_path, "/tmp/test_obemu_prop_XXXXXX");
    int fd = mkstemp(cfg_path);
    if (fd < 0)
        return -1;
    size_t n = strlen(one_g335);
    if (write(fd, one_g335, n) != (ssize_t)n)
        return -1;
    close(fd);
    setenv("RIGSYNC_OBEMU_CONFIG", cfg_path, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(cfg_path);
    return 0;
}

static void no_error(ob_error **err)
{
    if (*err) {
        fprintf(stderr, "unexpected error in %s: %s\n", ob_error_get_function(*err),
                ob_error_get_message(*err));
        ob_delete_error(*err);
        *err = NULL;
        fail();
    }
}

/* Takes the expected error: its status, exception type and function. */
static void expect(ob_error **err, ob_status status, ob_exception_type type, const char *function)
{
    assert_non_null(*err);
    assert_int_equal(ob_error_get_status(*err), status);
    assert_int_equal(ob_error_get_exception_type(*err), type);
    assert_string_equal(ob_error_get_function(*err), function);
    ob_delete_error(*err);
    *err = NULL;
}

typedef struct cam {
    ob_context *ctx;
    ob_device *dev;
} cam_t;

static cam_t open_cam(void)
{
    ob_error *err = NULL;
    cam_t c;
    c.ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(c.ctx, &err);
    no_error(&err);
    c.dev = ob_device_list_get_device(list, 0, &err);
    no_error(&err);
    ob_delete_device_list(list, &err);
    no_error(&err);
    return c;
}

static void close_cam(cam_t *c)
{
    ob_error *err = NULL;
    ob_delete_device(c->dev, &err);
    no_error(&err);
    ob_delete_context(c->ctx, &err);
    no_error(&err);
}

/* 2.device.control: the list it prints (count, items in id order, types, permissions). */
static void the_property_list_is_the_cameras(void **state)
{
    (void)state;
    cam_t c = open_cam();
    ob_error *err = NULL;
    uint32_t n = ob_device_get_supported_property_count(c.dev, &err);
    no_error(&err);
    /* 32 primary properties; not OB_STRUCT_DEVICE_TIME: the SDK keeps a Gemini 335's clock */
    assert_int_equal(n, 32);
    int last = -1, seen_ldp_status = 0, seen_struct = 0;
    for (uint32_t i = 0; i < n; i++) {
        ob_property_item it = ob_device_get_supported_property_item(c.dev, i, &err);
        no_error(&err);
        assert_true((int)it.id > last);
        last = (int)it.id;
        assert_non_null(it.name);
        if (it.id == OB_PROP_LDP_STATUS_BOOL) {
            seen_ldp_status = 1;
            assert_string_equal(it.name, "OB_PROP_LDP_STATUS_BOOL");
            assert_int_equal(it.type, OB_BOOL_PROPERTY);
            assert_int_equal(it.permission, OB_PERMISSION_READ);
        }
        if (it.id == OB_STRUCT_DEVICE_TIME) {
            seen_struct = 1;
            assert_int_equal(it.type, OB_STRUCT_PROPERTY);
        }
        if (it.id == OB_PROP_COLOR_EXPOSURE_INT)
            assert_int_equal(it.type, OB_INT_PROPERTY);
    }
    assert_true(seen_ldp_status && !seen_struct);
    ob_device_get_supported_property_item(c.dev, n, &err);
    expect(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE,
           "ob_device_get_supported_property_item");
    /* permissions as the SDK checks them: READ_WRITE (and DENY) ask for both rights */
    assert_true(ob_device_is_property_supported(c.dev, OB_PROP_LDP_STATUS_BOOL,
                                                OB_PERMISSION_READ, &err));
    assert_false(ob_device_is_property_supported(c.dev, OB_PROP_LDP_STATUS_BOOL,
                                                 OB_PERMISSION_WRITE, &err));
    assert_false(ob_device_is_property_supported(c.dev, OB_PROP_LDP_STATUS_BOOL,
                                                 OB_PERMISSION_READ_WRITE, &err));
    assert_true(ob_device_is_property_supported(c.dev, OB_PROP_LASER_BOOL,
                                                OB_PERMISSION_READ_WRITE, &err));
    assert_false(ob_device_is_property_supported(c.dev, OB_PROP_FAN_WORK_MODE_INT,
                                                 OB_PERMISSION_READ, &err));
    no_error(&err);
    close_cam(&c);
}

static void values_ranges_and_refusals(void **state)
{
    (void)state;
    cam_t c = open_cam();
    ob_error *err = NULL;
    ob_int_property_range r = ob_device_get_int_property_range(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, &err);
    no_error(&err);
    assert_int_equal(r.min, 2800);
    assert_int_equal(r.max, 6500);
    assert_int_equal(r.step, 10);
    assert_int_equal(r.def, 4600);
    assert_int_equal(r.cur, 4600);
    ob_device_set_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, 5210, &err);
    no_error(&err);
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, &err), 5210);
    r = ob_device_get_int_property_range(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, &err);
    assert_int_equal(r.cur, 5210);
    assert_int_equal(r.def, 4600);
    /* off the step, past the max: the firmware refuses, the value stays */
    ob_device_set_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, 5215, &err);
    expect(&err, OB_ERROR_DEVICE_RESPONSE_ERROR, OB_EXCEPTION_TYPE_IO, "ob_device_set_int_property");
    ob_device_set_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, 6510, &err);
    expect(&err, OB_ERROR_DEVICE_RESPONSE_ERROR, OB_EXCEPTION_TYPE_IO, "ob_device_set_int_property");
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, &err), 5210);
    /* bool */
    assert_true(ob_device_get_bool_property(c.dev, OB_PROP_LASER_BOOL, &err));
    ob_device_set_bool_property(c.dev, OB_PROP_LASER_BOOL, false, &err);
    no_error(&err);
    assert_false(ob_device_get_bool_property(c.dev, OB_PROP_LASER_BOOL, &err));
    ob_bool_property_range b = ob_device_get_bool_property_range(c.dev, OB_PROP_LASER_BOOL, &err);
    no_error(&err);
    assert_true(b.max && !b.min && b.def && !b.cur);
    /* float */
    ob_float_property_range f = ob_device_get_float_property_range(
        c.dev, OB_PROP_HW_NOISE_REMOVE_FILTER_THRESHOLD_FLOAT, &err);
    no_error(&err);
    assert_true(f.min == 0.0f && f.max == 1.0f && f.def == 0.2f && f.cur == 0.2f);
    ob_device_set_float_property(c.dev, OB_PROP_HW_NOISE_REMOVE_FILTER_THRESHOLD_FLOAT, 0.35f, &err);
    no_error(&err);
    assert_true(ob_device_get_float_property(c.dev, OB_PROP_HW_NOISE_REMOVE_FILTER_THRESHOLD_FLOAT,
                                             &err) == 0.35f);
    ob_device_set_float_property(c.dev, OB_PROP_HW_NOISE_REMOVE_FILTER_THRESHOLD_FLOAT, 1.5f, &err);
    expect(&err, OB_ERROR_DEVICE_RESPONSE_ERROR, OB_EXCEPTION_TYPE_IO, "ob_device_set_float_property");
    /* read-only, unknown */
    ob_device_set_bool_property(c.dev, OB_PROP_LDP_STATUS_BOOL, true, &err);
    expect(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
           "ob_device_set_bool_property");
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_FAN_WORK_MODE_INT, &err), 0);
    expect(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
           "ob_device_get_int_property");
    ob_device_get_int_property_range(c.dev, OB_PROP_FAN_WORK_MODE_INT, &err);
    expect(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
           "ob_device_get_int_property_range");
    ob_device_get_int_property(NULL, OB_PROP_LASER_BOOL, &err);
    assert_non_null(err);
    ob_delete_error(err);
    err = NULL;
    close_cam(&c);
    /* each context runs a fresh simulated rig: its cameras start from the defaults */
    c = open_cam();
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_WHITE_BALANCE_INT, &err), 4600);
    no_error(&err);
    close_cam(&c);
}

/* Exposure: under auto exposure the camera reports what it uses (a Gemini 335's 8 ms, color in
 * the UVC unit of 100 us, depth in us); a manual value applies once auto exposure is off; back
 * on, the auto one. */
static void exposure_follows_auto_exposure(void **state)
{
    (void)state;
    cam_t c = open_cam();
    ob_error *err = NULL;
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, &err), 80);
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_DEPTH_EXPOSURE_INT, &err), 8000);
    ob_device_set_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, 25, &err);
    no_error(&err);
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, &err), 80);
    ob_device_set_bool_property(c.dev, OB_PROP_COLOR_AUTO_EXPOSURE_BOOL, false, &err);
    no_error(&err);
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, &err), 25);
    ob_device_set_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, 301, &err);
    expect(&err, OB_ERROR_DEVICE_RESPONSE_ERROR, OB_EXCEPTION_TYPE_IO, "ob_device_set_int_property");
    ob_device_set_bool_property(c.dev, OB_PROP_COLOR_AUTO_EXPOSURE_BOOL, true, &err);
    no_error(&err);
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_COLOR_EXPOSURE_INT, &err), 80);
    /* depth untouched */
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_DEPTH_EXPOSURE_INT, &err), 8000);
    no_error(&err);
    close_cam(&c);
}

static ob_pipeline *start_color(ob_device *dev)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    no_error(&err);
    ob_config_enable_video_stream(cfg, OB_STREAM_COLOR, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY,
                                  OB_FORMAT_ANY, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_delete_config(cfg, &err);
    no_error(&err);
    return p;
}

/* The device timestamp of the next color frame (0: none within 1 s). */
static uint64_t next_ts(ob_pipeline *p)
{
    ob_error *err = NULL;
    ob_frame *set = ob_pipeline_wait_for_frameset(p, 1000, &err);
    no_error(&err);
    if (!set)
        return 0;
    ob_frame *color = ob_frameset_get_color_frame(set, &err);
    no_error(&err);
    assert_non_null(color);
    uint64_t ts = ob_frame_get_timestamp_us(color, &err);
    no_error(&err);
    ob_delete_frame(color, &err);
    ob_delete_frame(set, &err);
    no_error(&err);
    return ts;
}

/* multi_devices_sync: the timestamp reset config is stored as the TIMER_RESET properties; a
 * reset brings the device clock to 0 (frames after it are stamped from 0 on). */
static void timestamp_reset(void **state)
{
    (void)state;
    cam_t c = open_cam();
    ob_error *err = NULL;
    ob_device_timestamp_reset_config rc = ob_device_get_timestamp_reset_config(c.dev, &err);
    no_error(&err);
    assert_false(rc.enable);
    assert_int_equal(rc.timestamp_reset_delay_us, 0);
    rc.enable = true;
    rc.timestamp_reset_delay_us = 500;
    rc.timestamp_reset_signal_output_enable = true;
    ob_device_set_timestamp_reset_config(c.dev, &rc, &err);
    no_error(&err);
    assert_true(ob_device_get_bool_property(c.dev, OB_PROP_TIMER_RESET_ENABLE_BOOL, &err));
    assert_int_equal(ob_device_get_int_property(c.dev, OB_PROP_TIMER_RESET_DELAY_US_INT, &err), 500);
    assert_true(ob_device_get_bool_property(c.dev, OB_PROP_TIMER_RESET_TRIGGER_OUT_ENABLE_BOOL, &err));
    ob_device_timestamp_reset_config back = ob_device_get_timestamp_reset_config(c.dev, &err);
    no_error(&err);
    assert_true(back.enable && back.timestamp_reset_signal_output_enable);
    assert_int_equal(back.timestamp_reset_delay_us, 500);
    rc.timestamp_reset_delay_us = 70000;
    ob_device_set_timestamp_reset_config(c.dev, &rc, &err);
    expect(&err, OB_ERROR_DEVICE_RESPONSE_ERROR, OB_EXCEPTION_TYPE_IO,
           "ob_device_set_timestamp_reset_config");

    ob_pipeline *p = start_color(c.dev);
    ob_enable_device_clock_sync(c.ctx, 0, &err); /* the clock takes the host's time */
    no_error(&err);
    uint64_t before = 0;
    for (int k = 0; k < 5; k++)
        before = next_ts(p);
    assert_true(before > 10000000u); /* host time: far from 0 */
    ob_device_timestamp_reset(c.dev, &err);
    no_error(&err);
    uint64_t after = 0;
    for (int k = 0; k < 5; k++)
        after = next_ts(p);
    /* five frames at 30 fps after the reset: the clock counts from 0 */
    assert_true(after > 0 && after < 300000u);
    ob_pipeline_stop(p, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
    close_cam(&c);
}

/* A reboot takes the device off the bus: frames stop and its handle dies (status 112). */
static void reboot(void **state)
{
    (void)state;
    cam_t c = open_cam();
    ob_error *err = NULL;
    ob_pipeline *p = start_color(c.dev);
    ob_enable_device_clock_sync(c.ctx, 0, &err);
    no_error(&err);
    assert_true(next_ts(p) > 0);
    ob_device_reboot(c.dev, &err);
    no_error(&err);
    int frames = 0;
    for (int k = 0; k < 10; k++) {
        ob_frame *set = ob_pipeline_wait_for_frameset(p, 100, &err);
        if (err) {
            ob_delete_error(err);
            err = NULL;
        }
        if (set) {
            frames++;
            ob_delete_frame(set, &err);
        }
    }
    assert_true(frames <= 2); /* at most what was in flight */
    ob_device_get_bool_property(c.dev, OB_PROP_LASER_BOOL, &err);
    expect(&err, OB_ERROR_DEVICE_DISCONNECTED, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED,
           "ob_device_get_bool_property");
    ob_device_reboot(c.dev, &err);
    expect(&err, OB_ERROR_DEVICE_DISCONNECTED, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED,
           "ob_device_reboot");
    ob_pipeline_stop(p, &err);
    if (err) {
        ob_delete_error(err);
        err = NULL;
    }
    ob_delete_pipeline(p, &err);
    no_error(&err);
    close_cam(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_property_list_is_the_cameras),
        cmocka_unit_test(values_ranges_and_refusals),
        cmocka_unit_test(exposure_follows_auto_exposure),
        cmocka_unit_test(timestamp_reset),
        cmocka_unit_test(reboot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

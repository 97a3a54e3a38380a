/*
 * test_obemu_frame: the parts of the vendor's Frame.h a user program meets beyond reading frames
 * (v2.9.3): frames made from the user's buffer, from another frame, from a stream profile; the
 * setters; a frame's sensor, device and device info. Virtual time, pixels on.
 *
 * Expectations come from the SDK's source (src/impl/Frame.cpp, src/core/frame/): the buffer's
 * destroy callback runs once, when the last reference goes; copy_info carries index, timestamps,
 * token and metadata; update_data refuses more than the buffer holds with the SDK's memory
 * exception (status OB_ERROR_MEMORY 104); unset, the available bit size of a frame is its
 * format's bytes per pixel times 8 (Y16 depth: 16, RGB: 24, Y8: 8); a depth frame's pixel type
 * is OB_PIXEL_DEPTH, others' OB_PIXEL_UNKNOWN; a frame the user made has no device
 * (INVALID_PARAM 100), one whose device was released says so (WRONG_API_CALL_SEQUENCE 108).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ob_api.h"

static void no_error(ob_error **err)
{
    if (*err)
        fail_msg("unexpected error in %s: %s", ob_error_get_function(*err),
                 ob_error_get_message(*err));
}

static void expect_error(ob_error **err, ob_status status, ob_exception_type type)
{
    assert_non_null(*err);
    assert_int_equal(ob_error_get_status(*err), status);
    assert_int_equal(ob_error_get_exception_type(*err), type);
    ob_delete_error(*err);
    *err = NULL;
}

static int setup(void **state)
{
    (void)state;
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    setenv("RIGSYNC_OBEMU_PIXELS", "1", 1);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    unsetenv("RIGSYNC_OBEMU_SEED");
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    return 0;
}

/* The default device's pipeline streaming depth (its default profile); its first depth frame. */
static ob_pipeline *start_depth(ob_frame **depth)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_stream(cfg, OB_STREAM_DEPTH, &err);
    ob_pipeline_start_with_config(p, cfg, &err);
    ob_delete_config(cfg, &err);
    no_error(&err);
    *depth = NULL;
    for (int tries = 0; tries < 50 && !*depth; tries++) {
        ob_frame *set = ob_pipeline_wait_for_frameset(p, 1000, &err);
        no_error(&err);
        if (!set)
            continue;
        *depth = ob_frameset_get_depth_frame(set, &err);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    assert_non_null(*depth);
    return p;
}

static void stop(ob_pipeline *p)
{
    ob_error *err = NULL;
    ob_pipeline_stop(p, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

/* ------------------------------------------------------------------------------------------ */

struct returned {
    int calls;
    uint8_t *buffer;
};

static void give_back(uint8_t *buffer, void *user)
{
    struct returned *r = user;
    r->calls++;
    r->buffer = buffer;
}

static void test_buffer_returned_once(void **state)
{
    (void)state;
    ob_error *err = NULL;
    enum { W = 64, H = 48 };
    static uint8_t buf[W * H * 2];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7);
    struct returned r = {0, NULL};
    ob_frame *f = ob_create_video_frame_from_buffer(OB_FRAME_DEPTH, OB_FORMAT_Y16, W, H, 0, buf,
                                                    sizeof(buf), give_back, &r, &err);
    no_error(&err);
    assert_non_null(f);
    /* the frame is the user's buffer, not a copy */
    assert_ptr_equal(ob_frame_get_data(f, &err), buf);
    assert_int_equal(ob_frame_get_data_size(f, &err), W * H * 2);
    assert_int_equal(ob_video_frame_get_width(f, &err), W);
    assert_int_equal(ob_video_frame_get_height(f, &err), H);
    assert_int_equal(ob_frame_get_type(f, &err), OB_FRAME_DEPTH);
    assert_int_equal(ob_frame_get_format(f, &err), OB_FORMAT_Y16);
    no_error(&err);

    ob_frame_add_ref(f, &err); /* two references */
    ob_frame *set = ob_create_frameset(&err);
    ob_frameset_push_frame(set, f, &err); /* three: the set holds one */
    no_error(&err);
    ob_delete_frame(f, &err);
    assert_int_equal(r.calls, 0);
    ob_delete_frame(f, &err);
    assert_int_equal(r.calls, 0); /* the frameset still holds it */
    ob_frame *got = ob_frameset_get_depth_frame(set, &err);
    assert_ptr_equal(ob_frame_get_data(got, &err), buf);
    ob_delete_frame(got, &err);
    ob_delete_frame(set, &err);
    no_error(&err);
    assert_int_equal(r.calls, 1);
    assert_ptr_equal(r.buffer, buf);

    /* ob_create_frame_from_buffer: a video frame of no size over the buffer */
    struct returned r2 = {0, NULL};
    ob_frame *c = ob_create_frame_from_buffer(OB_FRAME_COLOR, OB_FORMAT_RGB, buf, 300, give_back,
                                              &r2, &err);
    no_error(&err);
    assert_ptr_equal(ob_frame_get_data(c, &err), buf);
    assert_int_equal(ob_frame_get_data_size(c, &err), 300);
    assert_int_equal(ob_video_frame_get_width(c, &err), 0);
    ob_delete_frame(c, &err);
    no_error(&err);
    assert_int_equal(r2.calls, 1);

    /* refused: no frame, the buffer stays the user's (no call) */
    struct returned r3 = {0, NULL};
    assert_null(ob_create_frame_from_buffer(OB_FRAME_ACCEL, OB_FORMAT_ACCEL, buf, 16, give_back,
                                            &r3, &err));
    expect_error(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION);
    assert_null(ob_create_video_frame_from_buffer(OB_FRAME_SET, OB_FORMAT_Y16, 4, 4, 0, buf, 32,
                                                  give_back, &r3, &err));
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    assert_int_equal(r3.calls, 0);
}

static void test_update_data(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_frame *f = ob_create_frame(OB_FRAME_COLOR, OB_FORMAT_RGB, 100, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_type(f, &err), OB_FRAME_COLOR);
    assert_int_equal(ob_frame_get_format(f, &err), OB_FORMAT_RGB);
    assert_int_equal(ob_frame_get_data_size(f, &err), 100);
    no_error(&err);
    /* its profile has no size: the SDK's INVALID_DATA */
    assert_int_equal(ob_video_frame_get_width(f, &err), 0);
    expect_error(&err, OB_ERROR_INVALID_DATA, OB_EXCEPTION_TYPE_INVALID_DATA);

    uint8_t src[101];
    for (int i = 0; i < 101; i++)
        src[i] = (uint8_t)(200 - i);
    ob_frame_update_data(f, src, 60, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_data_size(f, &err), 60);
    assert_memory_equal(ob_frame_get_data(f, &err), src, 60);
    /* more than the buffer: refused, the frame unchanged */
    ob_frame_update_data(f, src + 1, 101, &err);
    expect_error(&err, OB_ERROR_MEMORY, OB_EXCEPTION_TYPE_MEMORY);
    assert_int_equal(ob_frame_get_data_size(f, &err), 60);
    assert_int_equal(ob_frame_get_data(f, &err)[0], 200);
    /* the whole buffer is still there after a smaller update */
    ob_frame_update_data(f, src + 1, 100, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_data_size(f, &err), 100);
    assert_int_equal(ob_frame_get_data(f, &err)[99], 200 - 100);
    ob_frame_update_data(f, NULL, 10, &err);
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);

    /* metadata: at most 12 + 255 bytes */
    uint8_t meta[300] = {0};
    meta[0] = 12;
    meta[266] = 0x5a;
    ob_frame_update_metadata(f, meta, 267, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_metadata_size(f, &err), 267);
    assert_int_equal(ob_frame_get_metadata(f, &err)[266], 0x5a);
    ob_frame_update_metadata(f, meta, 268, &err);
    expect_error(&err, OB_ERROR_MEMORY, OB_EXCEPTION_TYPE_MEMORY);
    assert_int_equal(ob_frame_get_metadata_size(f, &err), 267);
    ob_delete_frame(f, &err);
    no_error(&err);
}

static void test_copy_info_and_setters(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_frame *depth = NULL;
    ob_pipeline *p = start_depth(&depth);
    uint64_t idx = ob_frame_get_index(depth, &err);
    uint64_t ts = ob_frame_get_timestamp_us(depth, &err);
    uint64_t sys = ob_frame_get_system_timestamp_us(depth, &err);
    uint32_t w = ob_video_frame_get_width(depth, &err);
    uint32_t h = ob_video_frame_get_height(depth, &err);
    no_error(&err);
    assert_true(ts > 0 && sys > 0);
    ob_frame_set_token(depth, 0xfeedf00dull, &err);
    assert_int_equal(ob_frame_get_token(depth, &err), 0xfeedf00dull);

    /* copy_info: index, timestamps, token; not the data, size or format */
    ob_frame *dst = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_Y8, 8, 8, 0, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_timestamp_us(dst, &err), 0);
    ob_frame_copy_info(depth, dst, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_index(dst, &err), idx);
    assert_int_equal(ob_frame_get_timestamp_us(dst, &err), ts);
    assert_int_equal(ob_frame_get_system_timestamp_us(dst, &err), sys);
    assert_int_equal(ob_frame_get_token(dst, &err), 0xfeedf00dull);
    assert_int_equal(ob_frame_get_format(dst, &err), OB_FORMAT_Y8);
    assert_int_equal(ob_video_frame_get_width(dst, &err), 8);
    no_error(&err);

    /* a copy with its data: same format, size, data and info, its own buffer */
    ob_frame *copy = ob_create_frame_from_other_frame(depth, true, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_type(copy, &err), OB_FRAME_DEPTH);
    assert_int_equal(ob_frame_get_format(copy, &err), OB_FORMAT_Y16);
    assert_int_equal(ob_video_frame_get_width(copy, &err), w);
    assert_int_equal(ob_video_frame_get_height(copy, &err), h);
    assert_int_equal(ob_frame_get_data_size(copy, &err), (size_t)w * h * 2);
    assert_ptr_not_equal(ob_frame_get_data(copy, &err), ob_frame_get_data(depth, &err));
    assert_memory_equal(ob_frame_get_data(copy, &err), ob_frame_get_data(depth, &err),
                        (size_t)w * h * 2);
    assert_int_equal(ob_frame_get_index(copy, &err), idx);
    assert_int_equal(ob_frame_get_timestamp_us(copy, &err), ts);
    no_error(&err);

    /* setters read back, on every handle of the frame; the copy keeps the old values */
    ob_frame_add_ref(depth, &err);
    ob_frame *same = depth;
    ob_frame_set_timestamp_us(depth, 123456789ull, &err);
    ob_frame_set_system_timestamp_us(depth, 987654321ull, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_timestamp_us(same, &err), 123456789ull);
    assert_int_equal(ob_frame_get_system_timestamp_us(same, &err), 987654321ull);
    assert_int_equal(ob_frame_get_index(same, &err), idx);
    assert_int_equal(ob_frame_get_timestamp_us(copy, &err), ts);
    /* the device's metadata is not what the user set */
    assert_int_equal(ob_frame_get_metadata_value(depth, OB_FRAME_METADATA_TYPE_TIMESTAMP, &err),
                     (int64_t)ts);
    ob_delete_frame(same, &err);
    no_error(&err);

    /* depth value scale: 1 mm, then what was set; copies carry it */
    assert_true(ob_depth_frame_get_value_scale(depth, &err) == 1.0f);
    ob_depth_frame_set_value_scale(depth, 0.25f, &err);
    assert_true(ob_depth_frame_get_value_scale(depth, &err) == 0.25f);
    ob_frame *copy2 = ob_create_frame_from_other_frame(depth, false, &err);
    assert_true(ob_depth_frame_get_value_scale(copy2, &err) == 0.25f);
    assert_int_equal(ob_frame_get_timestamp_us(copy2, &err), 123456789ull);
    no_error(&err);
    ob_depth_frame_set_value_scale(dst, 0.5f, &err); /* a colour frame */
    expect_error(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION);

    ob_delete_frame(copy2, &err);
    ob_delete_frame(copy, &err);
    ob_delete_frame(dst, &err);
    ob_delete_frame(depth, &err);
    no_error(&err);
    stop(p);
}

static void test_pixel_type_and_bits(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_frame *depth = NULL;
    ob_pipeline *p = start_depth(&depth);
    assert_int_equal(ob_frame_get_format(depth, &err), OB_FORMAT_Y16);
    assert_int_equal(ob_video_frame_get_pixel_available_bit_size(depth, &err), 16);
    assert_int_equal(ob_video_frame_get_pixel_type(depth, &err), OB_PIXEL_DEPTH);
    no_error(&err);
    ob_video_frame_set_pixel_available_bit_size(depth, 12, &err);
    ob_video_frame_set_pixel_type(depth, OB_PIXEL_TOF_DEPTH, &err);
    assert_int_equal(ob_video_frame_get_pixel_available_bit_size(depth, &err), 12);
    assert_int_equal(ob_video_frame_get_pixel_type(depth, &err), OB_PIXEL_TOF_DEPTH);
    no_error(&err);

    ob_frame *rgb = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_RGB, 4, 4, 0, &err);
    ob_frame *y8 = ob_create_video_frame(OB_FRAME_IR, OB_FORMAT_Y8, 4, 4, 0, &err);
    no_error(&err);
    assert_int_equal(ob_video_frame_get_pixel_available_bit_size(rgb, &err), 24);
    assert_int_equal(ob_video_frame_get_pixel_available_bit_size(y8, &err), 8);
    assert_int_equal(ob_video_frame_get_pixel_type(rgb, &err), OB_PIXEL_UNKNOWN);
    no_error(&err);
    ob_frame *set = ob_create_frameset(&err);
    assert_int_equal(ob_video_frame_get_pixel_type(set, &err), OB_PIXEL_UNKNOWN);
    expect_error(&err, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION);
    ob_delete_frame(set, &err);
    ob_delete_frame(rgb, &err);
    ob_delete_frame(y8, &err);
    ob_delete_frame(depth, &err);
    no_error(&err);
    stop(p);
}

static void test_frame_device(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_frame *depth = NULL;
    ob_pipeline *p = start_depth(&depth);
    ob_device *pd = ob_pipeline_get_device(p, &err);
    ob_device_info *pi = ob_device_get_device_info(pd, &err);
    no_error(&err);
    char serial[64];
    snprintf(serial, sizeof(serial), "%s", ob_device_info_get_serial_number(pi, &err));
    assert_true(serial[0] != '\0');

    ob_device *fd = ob_frame_get_device(depth, &err);
    no_error(&err);
    assert_ptr_equal(fd, pd); /* the open device itself */
    ob_device_info *fi = ob_frame_get_device_info(depth, &err);
    no_error(&err);
    assert_non_null(fi);
    assert_string_equal(ob_device_info_get_serial_number(fi, &err), serial);
    ob_sensor *s = ob_frame_get_sensor(depth, &err);
    no_error(&err);
    assert_int_equal(ob_sensor_get_type(s, &err), OB_SENSOR_DEPTH);
    ob_delete_sensor(s, &err);
    ob_delete_device_info(fi, &err);
    ob_delete_device(fd, &err);
    no_error(&err);

    /* a copy made from it (its profile) has the device; copy_info gives the info only */
    ob_frame *copy = ob_create_frame_from_other_frame(depth, false, &err);
    ob_device *cd = ob_frame_get_device(copy, &err);
    no_error(&err);
    assert_ptr_equal(cd, pd);
    ob_delete_device(cd, &err);
    ob_frame *mine = ob_create_video_frame(OB_FRAME_DEPTH, OB_FORMAT_Y16, 4, 4, 0, &err);
    no_error(&err);
    assert_null(ob_frame_get_device_info(mine, &err));
    no_error(&err);
    assert_null(ob_frame_get_device(mine, &err));
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    ob_frame_copy_info(depth, mine, &err);
    no_error(&err);
    ob_device_info *mi = ob_frame_get_device_info(mine, &err);
    no_error(&err);
    assert_string_equal(ob_device_info_get_serial_number(mi, &err), serial);
    ob_delete_device_info(mi, &err);
    assert_null(ob_frame_get_device(mine, &err));
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);

    /* the device released: the frame does not keep it alive */
    ob_delete_device_info(pi, &err);
    ob_delete_device(pd, &err);
    stop(p);
    no_error(&err);
    assert_null(ob_frame_get_device(depth, &err));
    expect_error(&err, OB_ERROR_WRONG_API_CALL_SEQUENCE,
                 OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE);
    assert_null(ob_frame_get_sensor(copy, &err));
    expect_error(&err, OB_ERROR_WRONG_API_CALL_SEQUENCE,
                 OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE);
    ob_delete_frame(mine, &err);
    ob_delete_frame(copy, &err);
    ob_delete_frame(depth, &err);
    no_error(&err);
}

static void test_frame_from_profile(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_stream_profile *sp =
        ob_create_video_stream_profile(OB_STREAM_DEPTH, OB_FORMAT_Y16, 320, 240, 15, &err);
    no_error(&err);
    ob_frame *f = ob_create_frame_from_stream_profile(sp, &err);
    no_error(&err);
    assert_int_equal(ob_frame_get_type(f, &err), OB_FRAME_DEPTH);
    assert_int_equal(ob_frame_get_format(f, &err), OB_FORMAT_Y16);
    assert_int_equal(ob_video_frame_get_width(f, &err), 320);
    assert_int_equal(ob_video_frame_get_height(f, &err), 240);
    assert_int_equal(ob_frame_get_data_size(f, &err), 320 * 240 * 2);
    ob_stream_profile *back = ob_frame_get_stream_profile(f, &err);
    no_error(&err);
    assert_int_equal(ob_video_stream_profile_get_fps(back, &err), 15);
    ob_delete_stream_profile(back, &err);

    /* a new profile: the frame's size and format follow it */
    ob_stream_profile *sp2 =
        ob_create_video_stream_profile(OB_STREAM_DEPTH, OB_FORMAT_Y8, 160, 120, 30, &err);
    ob_frame_set_stream_profile(f, sp2, &err);
    no_error(&err);
    assert_int_equal(ob_video_frame_get_width(f, &err), 160);
    assert_int_equal(ob_frame_get_format(f, &err), OB_FORMAT_Y8);
    assert_int_equal(ob_video_frame_get_pixel_available_bit_size(f, &err), 8);
    back = ob_frame_get_stream_profile(f, &err);
    assert_int_equal(ob_video_stream_profile_get_fps(back, &err), 30);
    ob_delete_stream_profile(back, &err);
    no_error(&err);
    ob_delete_stream_profile(sp2, &err);
    ob_delete_stream_profile(sp, &err);
    ob_delete_frame(f, &err);
    no_error(&err);
}

/* No hardware decimation on the emulated cameras: every profile has the default config, which is
 * the only one the lookup matches (with its format and rate). */
static void test_decimation_config(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    ob_stream_profile_list *l = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_DEPTH, &err);
    no_error(&err);
    ob_stream_profile *def = ob_stream_profile_list_get_profile(l, 0, &err);
    ob_hardware_decimation_config none = {0, 0, 0};
    ob_stream_profile *m = ob_stream_profile_list_get_video_stream_profile_by_decimation_config(
        l, none, OB_FORMAT_ANY, OB_FPS_ANY, &err);
    no_error(&err);
    assert_non_null(m); /* the first of the list: the default */
    assert_int_equal(ob_video_stream_profile_get_width(m, &err),
                     ob_video_stream_profile_get_width(def, &err));
    ob_hardware_decimation_config c = ob_video_stream_profile_get_decimation_config(m, &err);
    no_error(&err);
    assert_int_equal(c.originWidth + c.originHeight + c.factor, 0);
    ob_hardware_decimation_config half = {ob_video_stream_profile_get_width(def, &err),
                                          ob_video_stream_profile_get_height(def, &err), 2};
    assert_null(ob_stream_profile_list_get_video_stream_profile_by_decimation_config(
        l, half, OB_FORMAT_ANY, OB_FPS_ANY, &err));
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    assert_null(ob_stream_profile_list_get_video_stream_profile_by_decimation_config(
        l, none, OB_FORMAT_ANY, 7, &err)); /* no 7 fps profile */
    expect_error(&err, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    ob_delete_stream_profile(m, &err);
    ob_delete_stream_profile(def, &err);
    ob_delete_stream_profile_list(l, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_buffer_returned_once, setup),
        cmocka_unit_test_setup(test_update_data, setup),
        cmocka_unit_test_setup(test_copy_info_and_setters, setup),
        cmocka_unit_test_setup(test_pixel_type_and_bits, setup),
        cmocka_unit_test_setup(test_frame_device, setup),
        cmocka_unit_test_setup(test_frame_from_profile, setup),
        cmocka_unit_test_setup(test_decimation_config, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The emulator's context, version, error, device-list, device-info, sensor and stream-profile
 * functions, called as the vendor's enumerate samples call them, checked against what the SDK
 * v2.9.3 gives (values read from its headers and implementation): a rig of a Femto Bolt and a
 * Gemini 335 with the default streams (color 640x480 RGB, depth 640x576 Y16, 30 fps).
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

static const char *rig_json =
    "{\"devices\":["
    "{\"serial_number\":\"BOLT1\",\"config\":{\"mode\":\"STANDALONE\"}},"
    "{\"serial_number\":\"G335A\",\"config\":{\"mode\":\"STANDALONE\"}}],"
    "\"sim\":{\"devices\":["
    "{\"serial_number\":\"BOLT1\",\"model\":\"Femto Bolt\"},"
    "{\"serial_number\":\"G335A\",\"model\":\"Gemini 335\"}]}}";

static char config_path[64];

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

static int setup(void **state)
{
    (void)state;
    snprintf(config_path, sizeof(config_path), "/tmp/test_obemu_ctx_XXXXXX");
    int fd = mkstemp(config_path);
    assert_true(fd >= 0);
    size_t n = strlen(rig_json);
    assert_int_equal(write(fd, rig_json, n), (ssize_t)n);
    close(fd);
    setenv("RIGSYNC_OBEMU_CONFIG", config_path, 1);
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(config_path);
    return 0;
}

static void versions_are_2_9_3(void **state)
{
    (void)state;
    assert_int_equal(ob_get_version(), 20903);
    assert_int_equal(ob_get_major_version(), 2);
    assert_int_equal(ob_get_minor_version(), 9);
    assert_int_equal(ob_get_patch_version(), 3);
    assert_string_equal(ob_get_stage_version(), "open-source-beta");
}

static void context_with_config_as_the_cpp_api_creates_it(void **state)
{
    (void)state;
    ob_error *err = NULL;
    /* "" (the C++ default) and a missing file: the default configuration */
    ob_context *ctx = ob_create_context_with_config("", &err);
    no_error(&err);
    assert_non_null(ctx);
    ob_delete_context(ctx, &err);
    no_error(&err);
    ctx = ob_create_context_with_config("/nonexistent/OrbbecSDKConfig.xml", &err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    assert_int_equal(ob_device_list_get_count(list, &err), 2);
    ob_delete_device_list(list, &err);
    ob_delete_context(ctx, &err);
    no_error(&err);
    /* NULL cannot become the SDK's std::string: a standard-library exception, status 1 */
    assert_null(ob_create_context_with_config(NULL, &err));
    expect(&err, OB_STATUS_ERROR, OB_EXCEPTION_STD_EXCEPTION, "ob_create_context_with_config");
    /* logger file name: accepted; NULL or "" refused with status 100 */
    ob_set_logger_file_name("rigsync.log", &err);
    no_error(&err);
    ob_set_logger_file_name(NULL, &err);
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_set_logger_file_name");
}

static void errors_as_the_sdk_gives_them(void **state)
{
    (void)state;
    assert_null(ob_error_get_message(NULL));
    assert_null(ob_error_get_function(NULL));
    assert_null(ob_error_get_args(NULL));
    assert_int_equal(ob_error_get_status(NULL), OB_STATUS_OK);
    ob_error *err = NULL;
    assert_int_equal(ob_device_list_get_count(NULL, &err), 0);
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_device_list_get_count");
}

static void device_list_and_info_name_the_models(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    assert_int_equal(ob_device_list_get_device_pid(list, 0, &err), 0x066B); /* Femto Bolt */
    assert_int_equal(ob_device_list_get_device_pid(list, 1, &err), 0x0800); /* Gemini 335 */
    assert_int_equal(ob_device_list_get_device_vid(list, 1, &err), 0x2BC5);
    assert_string_equal(ob_device_list_get_device_uid(list, 1, &err), "G335A");
    assert_string_equal(ob_device_list_get_device_connection_type(list, 0, &err), "USB3.2");
    assert_string_equal(ob_device_list_get_device_ip_address(list, 0, &err), "0.0.0.0");
    no_error(&err);
    assert_int_equal(ob_device_list_get_device_pid(list, 2, &err), 0);
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_device_list_get_device_pid");

    ob_device *bolt = ob_device_list_get_device_ex(list, 0, OB_DEVICE_DEFAULT_ACCESS, &err);
    no_error(&err);
    ob_device_info *info = ob_device_get_device_info(bolt, &err);
    no_error(&err);
    assert_string_equal(ob_device_info_get_name(info, &err), "Femto Bolt");
    assert_string_equal(ob_device_info_get_serial_number(info, &err), "BOLT1");
    assert_int_equal(ob_device_info_get_pid(info, &err), 0x066B);
    assert_int_equal(ob_device_info_get_vid(info, &err), 0x2BC5);
    assert_int_equal(ob_device_info_get_device_type(info, &err), OB_TOF_CAMERA);
    assert_string_equal(ob_device_info_get_connection_type(info, &err), "USB3.2");
    assert_non_null(ob_device_info_get_firmware_version(info, &err));
    no_error(&err);
    ob_delete_device_info(info, &err);

    /* the same device again, by index, serial or uid: one more reference each */
    ob_device *b2 = ob_device_list_get_device(list, 0, &err);
    ob_device *b3 = ob_device_list_get_device_by_serial_number_ex(list, "BOLT1",
                                                                 OB_DEVICE_CONTROL_ACCESS, &err);
    ob_device *b4 = ob_device_list_get_device_by_uid(list, "BOLT1", &err);
    no_error(&err);
    assert_ptr_equal(b2, bolt);
    assert_ptr_equal(b3, bolt);
    assert_ptr_equal(b4, bolt);
    assert_null(ob_device_list_get_device_ex(list, 0, OB_DEVICE_ACCESS_DENIED, &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_device_list_get_device_ex");
    assert_null(ob_device_list_get_device_by_serial_number(list, "NOPE", &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE,
           "ob_device_list_get_device_by_serial_number");
    ob_delete_device(b4, &err);
    ob_delete_device(b3, &err);
    ob_delete_device(b2, &err);
    no_error(&err);
    /* still open through the first handle */
    info = ob_device_get_device_info(bolt, &err);
    no_error(&err);
    assert_int_equal(ob_device_info_get_pid(info, &err), 0x066B);
    ob_delete_device_info(info, &err);

    ob_device *g = ob_device_list_get_device(list, 1, &err);
    no_error(&err);
    assert_ptr_not_equal(g, bolt);
    info = ob_device_get_device_info(g, &err);
    assert_int_equal(ob_device_info_get_device_type(info, &err),
                     OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA);
    no_error(&err);
    ob_delete_device_info(info, &err);
    ob_delete_device(g, &err);
    ob_delete_device(bolt, &err);
    no_error(&err);
    ob_delete_device_list(list, &err);
    ob_delete_context(ctx, &err);
    no_error(&err);
}

static void profile_equals(const ob_stream_profile *p, ob_stream_type type, ob_format format,
                           uint32_t w, uint32_t h, uint32_t fps)
{
    ob_error *err = NULL;
    assert_non_null(p);
    assert_int_equal(ob_stream_profile_get_type(p, &err), type);
    assert_int_equal(ob_stream_profile_get_format(p, &err), format);
    assert_int_equal(ob_video_stream_profile_get_width(p, &err), w);
    assert_int_equal(ob_video_stream_profile_get_height(p, &err), h);
    assert_int_equal(ob_video_stream_profile_get_fps(p, &err), fps);
    no_error(&err);
    ob_delete_stream_profile(p, &err);
    no_error(&err);
}

static void sensors_and_profiles_of_a_femto_bolt(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    ob_device *bolt = ob_device_list_get_device(list, 0, &err);
    no_error(&err);
    ob_sensor_list *sensors = ob_device_get_sensor_list(bolt, &err);
    no_error(&err);
    /* the list keeps its device: the user may delete the device handle first */
    ob_delete_device(bolt, &err);
    no_error(&err);
    assert_int_equal(ob_sensor_list_get_count(sensors, &err), 3);
    assert_int_equal(ob_sensor_list_get_sensor_type(sensors, 0, &err), OB_SENSOR_COLOR);
    assert_int_equal(ob_sensor_list_get_sensor_type(sensors, 1, &err), OB_SENSOR_DEPTH);
    assert_int_equal(ob_sensor_list_get_sensor_type(sensors, 2, &err), OB_SENSOR_IR);
    no_error(&err);
    assert_null(ob_sensor_list_get_sensor_by_type(sensors, OB_SENSOR_ACCEL, &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_sensor_list_get_sensor_by_type");
    assert_int_equal(ob_sensor_list_get_sensor_type(sensors, 3, &err), OB_SENSOR_UNKNOWN);
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_sensor_list_get_sensor_type");

    ob_sensor *color = ob_sensor_list_get_sensor(sensors, 0, &err);
    no_error(&err);
    assert_int_equal(ob_sensor_get_type(color, &err), OB_SENSOR_COLOR);
    ob_stream_profile_list *cl = ob_sensor_get_stream_profile_list(color, &err);
    no_error(&err);
    /* default first (640x480 RGB 30), then 5 Femto color sizes x 30/15/5 fps x RGB/MJPG, the
     * default's duplicate left out: 1 + 5 * 3 * 2 - 1 */
    assert_int_equal(ob_stream_profile_list_get_count(cl, &err), 30);
    profile_equals(ob_stream_profile_list_get_profile(cl, OB_PROFILE_DEFAULT, &err),
                   OB_STREAM_COLOR, OB_FORMAT_RGB, 640, 480, 30);
    profile_equals(ob_stream_profile_list_get_profile(cl, 1, &err), OB_STREAM_COLOR,
                   OB_FORMAT_RGB, 1280, 720, 30);
    profile_equals(ob_stream_profile_list_get_profile(cl, 2, &err), OB_STREAM_COLOR,
                   OB_FORMAT_MJPG, 1280, 720, 30);
    profile_equals(ob_stream_profile_list_get_video_stream_profile(cl, 1920, OB_HEIGHT_ANY,
                                                                   OB_FORMAT_MJPG, OB_FPS_ANY,
                                                                   &err),
                   OB_STREAM_COLOR, OB_FORMAT_MJPG, 1920, 1080, 30);
    profile_equals(ob_stream_profile_list_get_video_stream_profile(cl, OB_WIDTH_ANY,
                                                                   OB_HEIGHT_ANY, OB_FORMAT_ANY,
                                                                   15, &err),
                   OB_STREAM_COLOR, OB_FORMAT_RGB, 1280, 720, 15);
    assert_null(ob_stream_profile_list_get_video_stream_profile(cl, 0, 0, OB_FORMAT_Y16, 0, &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE,
           "ob_stream_profile_list_get_video_stream_profile");
    assert_null(ob_stream_profile_list_get_profile(cl, 30, &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_stream_profile_list_get_profile");
    ob_delete_stream_profile_list(cl, &err);
    ob_delete_sensor(color, &err);
    no_error(&err);

    ob_sensor *depth = ob_sensor_list_get_sensor_by_type(sensors, OB_SENSOR_DEPTH, &err);
    ob_stream_profile_list *dl = ob_sensor_get_stream_profile_list(depth, &err);
    no_error(&err);
    /* 640x576 Y16 30 first, then 4 Femto depth sizes x 3 rates, less the duplicate */
    assert_int_equal(ob_stream_profile_list_get_count(dl, &err), 12);
    profile_equals(ob_stream_profile_list_get_profile(dl, 0, &err), OB_STREAM_DEPTH,
                   OB_FORMAT_Y16, 640, 576, 30);
    profile_equals(ob_stream_profile_list_get_profile(dl, 1, &err), OB_STREAM_DEPTH,
                   OB_FORMAT_Y16, 640, 576, 15);
    ob_delete_stream_profile_list(dl, &err);
    ob_delete_sensor(depth, &err);
    ob_delete_sensor_list(sensors, &err);
    no_error(&err);
    assert_null(ob_device_get_sensor(NULL, OB_SENSOR_COLOR, &err));
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_device_get_sensor");
    ob_delete_device_list(list, &err);
    ob_delete_context(ctx, &err);
    no_error(&err);
}

static void profiles_made_by_hand(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_stream_profile *p =
        ob_create_video_stream_profile(OB_STREAM_DEPTH, OB_FORMAT_Y16, 640, 576, 15, &err);
    no_error(&err);
    ob_stream_profile *q = ob_create_stream_profile_with_new_format(p, OB_FORMAT_Z16, &err);
    ob_stream_profile *r = ob_create_stream_profile_from_other_stream_profile(p, &err);
    no_error(&err);
    ob_video_stream_profile_set_width(p, 1, &err); /* the SDK wants more than 1 */
    expect(&err, 100, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_video_stream_profile_set_width");
    ob_video_stream_profile_set_width(p, 320, &err);
    no_error(&err);
    profile_equals(p, OB_STREAM_DEPTH, OB_FORMAT_Y16, 320, 576, 15);
    profile_equals(q, OB_STREAM_DEPTH, OB_FORMAT_Z16, 640, 576, 15);
    profile_equals(r, OB_STREAM_DEPTH, OB_FORMAT_Y16, 640, 576, 15);
    /* an IMU profile is no video profile: the video getters are unsupported there */
    ob_stream_profile *a = ob_create_stream_profile(OB_STREAM_ACCEL, OB_FORMAT_UNKNOWN, &err);
    no_error(&err);
    assert_int_equal(ob_video_stream_profile_get_width(a, &err), 0);
    expect(&err, 107, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
           "ob_video_stream_profile_get_width");
    ob_delete_stream_profile(a, &err);
    no_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(versions_are_2_9_3),
        cmocka_unit_test(context_with_config_as_the_cpp_api_creates_it),
        cmocka_unit_test(errors_as_the_sdk_gives_them),
        cmocka_unit_test(device_list_and_info_name_the_models),
        cmocka_unit_test(sensors_and_profiles_of_a_femto_bolt),
        cmocka_unit_test(profiles_made_by_hand),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_obemu_ir: the emulator's IR stream and hardware depth-to-colour alignment, with the calls
 * of the vendor's samples 1.stream.infrared and 3.advanced.hw_d2c_align. Virtual time, pixels on.
 *
 * The seed rig's first device is a rigsync SimCam (default depth 640x576 Y16 at 30 fps, no rate
 * offset: frames 1e6 / 30 = 33333.3 us apart). Its IR image comes out of the depth capture: same
 * device timestamp and index as the depth frame, IR = min(65535, round(1e9 / d^2)) (Y16) or
 * min(255, that / 8) (Y8) of the depth d in millimetres. A Femto Bolt (a rig of its own below)
 * lists IR in Y16 only, as the vendor's does. The simulator's depth scene (src/backends/sim/pixels.c): a plane
 * at 1500 + y * 1000 / height mm (integer division), a bar at 600 mm turning about the centre
 * once a second, and a barcode in the top 4 rows of the first 64 columns.
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

#define NFRAMES 6

static void no_error(ob_error **err)
{
    if (*err)
        fail_msg("unexpected error in %s: %s", ob_error_get_function(*err),
                 ob_error_get_message(*err));
}

static void expect_error(ob_error **err, ob_exception_type type, const char *text)
{
    assert_non_null(*err);
    assert_int_equal(ob_error_get_exception_type(*err), type);
    if (!strstr(ob_error_get_message(*err), text))
        fail_msg("message \"%s\" lacks \"%s\"", ob_error_get_message(*err), text);
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

static ob_frame *wait_set(ob_pipeline *p)
{
    ob_error *err = NULL;
    for (int tries = 0; tries < 50; tries++) {
        ob_frame *set = ob_pipeline_wait_for_frameset(p, 1000, &err);
        no_error(&err);
        if (set)
            return set;
    }
    fail_msg("no frameset");
    return NULL;
}

/* Starts the default device's pipeline with IR (and depth when asked) at the defaults. */
static ob_pipeline *start(bool depth, bool color, ob_config **cfg_out)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    /* as 1.stream.infrared: the sensor type turned into its stream type, everything "any" */
    ob_config_enable_video_stream(cfg, ob_sensor_type_to_stream_type(OB_SENSOR_IR), OB_WIDTH_ANY,
                                  OB_HEIGHT_ANY, OB_FPS_ANY, OB_FORMAT_ANY, &err);
    if (depth)
        ob_config_enable_stream(cfg, OB_STREAM_DEPTH, &err);
    if (color)
        ob_config_enable_stream(cfg, OB_STREAM_COLOR, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    *cfg_out = cfg;
    return p;
}

static void stop(ob_pipeline *p, ob_config *cfg)
{
    ob_error *err = NULL;
    ob_pipeline_stop(p, &err);
    ob_delete_pipeline(p, &err);
    ob_delete_config(cfg, &err);
    no_error(&err);
}

static uint16_t px16(const ob_frame *f, uint32_t x, uint32_t y)
{
    ob_error *err = NULL;
    const uint8_t *d = ob_frame_get_data(f, &err);
    uint32_t w = ob_video_frame_get_width(f, &err);
    uint16_t v;
    memcpy(&v, d + 2 * ((size_t)y * w + x), 2);
    return v;
}

static const char *bolt_rig =
    "{\"devices\":[{\"serial_number\":\"BOLT1\",\"config\":{\"mode\":\"STANDALONE\"}}],"
    "\"sim\":{\"devices\":[{\"serial_number\":\"BOLT1\",\"model\":\"Femto Bolt\"}]}}";

/* The IR profiles of the default device: every depth profile's size and rate in `format`. */
static void ir_profiles_match_depth(ob_pipeline *p, ob_format format)
{
    ob_error *err = NULL;
    ob_stream_profile_list *ir = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_IR, &err);
    ob_stream_profile_list *dp = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_DEPTH, &err);
    no_error(&err);
    /* the default (index 0) is the depth default in Y16 */
    ob_stream_profile *a = ob_stream_profile_list_get_profile(ir, OB_PROFILE_DEFAULT, &err);
    ob_stream_profile *b = ob_stream_profile_list_get_profile(dp, OB_PROFILE_DEFAULT, &err);
    assert_int_equal(ob_stream_profile_get_format(a, &err), OB_FORMAT_Y16);
    assert_int_equal(ob_video_stream_profile_get_width(a, &err),
                     ob_video_stream_profile_get_width(b, &err));
    ob_delete_stream_profile(a, &err);
    ob_delete_stream_profile(b, &err);
    uint32_t n = ob_stream_profile_list_get_count(dp, &err);
    for (uint32_t i = 0; i < n; i++) {
        b = ob_stream_profile_list_get_profile(dp, (int)i, &err);
        a = ob_stream_profile_list_get_video_stream_profile(
            ir, (int)ob_video_stream_profile_get_width(b, &err),
            (int)ob_video_stream_profile_get_height(b, &err), format,
            (int)ob_video_stream_profile_get_fps(b, &err), &err);
        no_error(&err);
        assert_int_equal(ob_stream_profile_get_type(a, &err), OB_STREAM_IR);
        ob_delete_stream_profile(a, &err);
        ob_delete_stream_profile(b, &err);
    }
    ob_delete_stream_profile_list(ir, &err);
    ob_delete_stream_profile_list(dp, &err);
    no_error(&err);
}

/* 1.stream.infrared on a Femto Bolt: an IR sensor, its profiles the depth sizes and rates in Y16
 * only (Y8 refused); IR and depth at different sizes refused (one capture). */
static void a_femto_bolt_lists_ir_in_y16_only(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/test_obemu_ir_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bolt_rig, strlen(bolt_rig)), (ssize_t)strlen(bolt_rig));
    close(fd);
    setenv("RIGSYNC_OBEMU_CONFIG", path, 1);
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    unlink(path);
    no_error(&err);
    ob_device *dev = ob_pipeline_get_device(p, &err);
    ob_sensor_list *sl = ob_device_get_sensor_list(dev, &err);
    no_error(&err);
    bool has_ir = false;
    for (uint32_t i = 0; i < ob_sensor_list_get_count(sl, &err); i++)
        has_ir = has_ir || ob_sensor_list_get_sensor_type(sl, i, &err) == OB_SENSOR_IR;
    assert_true(has_ir);
    ir_profiles_match_depth(p, OB_FORMAT_Y16);
    /* same count: one IR profile per depth profile (Y16 only) */
    ob_stream_profile_list *ir = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_IR, &err);
    ob_stream_profile_list *dp = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_DEPTH, &err);
    assert_int_equal(ob_stream_profile_list_get_count(ir, &err),
                     ob_stream_profile_list_get_count(dp, &err));
    assert_null(ob_stream_profile_list_get_video_stream_profile(ir, 0, 0, OB_FORMAT_Y8, 0, &err));
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "No matched");
    /* no Y8 on a Femto Bolt: asking for it is refused at start */
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_video_stream(cfg, OB_STREAM_IR, 640, 576, 30, OB_FORMAT_Y8, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "IR format 9");
    /* IR and depth are one capture: different sizes are refused */
    ob_config_enable_video_stream(cfg, OB_STREAM_IR, 320, 288, 30, OB_FORMAT_Y16, &err);
    ob_config_enable_video_stream(cfg, OB_STREAM_DEPTH, 640, 576, 30, OB_FORMAT_Y16, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "one capture");
    ob_delete_config(cfg, &err);
    ob_delete_stream_profile_list(ir, &err);
    ob_delete_stream_profile_list(dp, &err);
    ob_delete_sensor_list(sl, &err);
    ob_delete_device(dev, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

/* IR alone (the sample's config) gets single IR frames with the timestamps and indexes of the
 * depth frames of a depth + IR run, 33316.7 us apart; the depth + IR run's sets hold both. */
static void ir_alone_carries_the_depth_captures_timestamps(void **state)
{
    (void)state;
    ob_error *err = NULL;
    uint64_t depth_ts[NFRAMES], depth_index[NFRAMES];
    ob_config *cfg;
    ob_pipeline *p = start(true, false, &cfg);
    for (int i = 0; i < NFRAMES; i++) {
        ob_frame *set = wait_set(p);
        assert_int_equal(ob_frameset_get_count(set, &err), 2);
        ob_frame *d = ob_frameset_get_depth_frame(set, &err);
        ob_frame *ir = ob_frameset_get_ir_frame(set, &err);
        assert_non_null(d);
        assert_non_null(ir);
        depth_ts[i] = ob_frame_get_timestamp_us(d, &err);
        depth_index[i] = ob_frame_get_index(d, &err);
        assert_int_equal(ob_frame_get_timestamp_us(ir, &err), depth_ts[i]);
        assert_int_equal(ob_frame_get_index(ir, &err), depth_index[i]);
        if (i > 0) {
            assert_in_range(depth_ts[i] - depth_ts[i - 1], 33333, 33334);
            assert_int_equal(depth_index[i], depth_index[i - 1] + 1);
        }
        ob_delete_frame(d, &err);
        ob_delete_frame(ir, &err);
        ob_delete_frame(set, &err);
    }
    stop(p, cfg);

    p = start(false, false, &cfg);
    for (int i = 0; i < NFRAMES; i++) {
        ob_frame *set = wait_set(p);
        assert_int_equal(ob_frameset_get_count(set, &err), 1);
        assert_null(ob_frameset_get_depth_frame(set, &err));
        ob_frame *ir = ob_frameset_get_frame(set, OB_FRAME_IR, &err);
        assert_non_null(ir);
        assert_int_equal(ob_frame_get_type(ir, &err), OB_FRAME_IR);
        assert_int_equal(ob_frame_get_format(ir, &err), OB_FORMAT_Y16);
        assert_int_equal(ob_video_frame_get_width(ir, &err), 640);
        assert_int_equal(ob_video_frame_get_height(ir, &err), 576);
        assert_int_equal(ob_frame_get_data_size(ir, &err), 640 * 576 * 2);
        assert_int_equal(ob_frame_get_timestamp_us(ir, &err), depth_ts[i]);
        assert_int_equal(ob_frame_get_index(ir, &err), depth_index[i]);
        ob_stream_profile *sp = ob_frame_get_stream_profile(ir, &err);
        assert_int_equal(ob_stream_profile_get_type(sp, &err), OB_STREAM_IR);
        assert_int_equal(ob_video_stream_profile_get_fps(sp, &err), 30);
        ob_delete_stream_profile(sp, &err);
        ob_delete_frame(ir, &err);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    stop(p, cfg);
}

/* The IR pixels: the amplitude of the depth, not blank, moving with the scene. */
static void ir_pixels_follow_the_scene(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_config *cfg;
    ob_pipeline *p = start(true, false, &cfg);
    uint32_t bar_prev = 0;
    size_t moved = 0;
    uint8_t *prev = calloc(640 * 576, 1);
    for (int i = 0; i < NFRAMES; i++) {
        ob_frame *set = wait_set(p);
        ob_frame *d = ob_frameset_get_depth_frame(set, &err);
        ob_frame *ir = ob_frameset_get_ir_frame(set, &err);
        /* the plane, right edge (no bar, no barcode): row 10 at 1500 + 10000 / 576 = 1517 mm:
         * 1e9 / 1517^2 = 434.5 -> 435; row 575 at 1500 + 575000 / 576 = 2498 mm: 160.3 -> 160 */
        assert_int_equal(px16(d, 639, 10), 1517);
        assert_int_equal(px16(ir, 639, 10), 435);
        assert_int_equal(px16(d, 639, 575), 2498);
        assert_int_equal(px16(ir, 639, 575), 160);
        /* every pixel: the depth's amplitude; the bar (600 mm): 1e9 / 600^2 = 2777.8 -> 2778 */
        uint32_t bar = 0;
        for (uint32_t y = 0; y < 576; y++)
            for (uint32_t x = 0; x < 640; x++) {
                uint16_t dv = px16(d, x, y), iv = px16(ir, x, y);
                double amp = dv ? 1e9 / ((double)dv * dv) + 0.5 : 0;
                uint16_t want = amp >= 65535 ? 65535 : (uint16_t)amp; /* barcode 100 mm: 65535 */
                if (iv != want)
                    fail_msg("IR(%u, %u) = %u for depth %u, expected %u", x, y, iv, dv, want);
                bool on_bar = iv == 2778;
                bar += on_bar;
                if (i > 0 && on_bar != prev[y * 640 + x])
                    moved++;
                prev[y * 640 + x] = on_bar;
            }
        assert_true(bar > 500); /* a 5-pixel-wide bar 230 pixels long */
        if (i > 0)
            assert_in_range(bar, bar_prev / 2, bar_prev * 2);
        bar_prev = bar;
        ob_delete_frame(d, &err);
        ob_delete_frame(ir, &err);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    assert_true(moved > 100); /* the bar turns 12 degrees a frame: its IR image moves */
    free(prev);
    stop(p, cfg);
}

/* The SimCam offers Y8 too: IR alone in Y8, one byte a pixel, min(255, Y16 value / 8). */
static void simcam_ir_in_y8(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    ir_profiles_match_depth(p, OB_FORMAT_Y16);
    ir_profiles_match_depth(p, OB_FORMAT_Y8);
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_video_stream(cfg, OB_STREAM_IR, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY,
                                  OB_FORMAT_Y8, &err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_frame *set = wait_set(p);
    ob_frame *ir = ob_frameset_get_ir_frame(set, &err);
    assert_int_equal(ob_frame_get_format(ir, &err), OB_FORMAT_Y8);
    assert_int_equal(ob_frame_get_data_size(ir, &err), 640 * 576);
    const uint8_t *d = ob_frame_get_data(ir, &err);
    /* row 10 right edge 1517 mm: 435 / 8 = 54; row 575: 160 / 8 = 20; barcode at 100 mm: 255 */
    assert_int_equal(d[10 * 640 + 639], 54);
    assert_int_equal(d[575 * 640 + 639], 20);
    bool barcode = false; /* bits 0 (100 mm) and 1 (4000 mm) */
    for (int x = 0; x < 64; x++)
        barcode = barcode || d[x] == 255 || d[x] == 7; /* 65535 / 8 > 255; 63 / 8 = 7 */
    assert_true(barcode);
    ob_delete_frame(ir, &err);
    ob_delete_frame(set, &err);
    no_error(&err);
    stop(p, cfg);
}

/* IR + depth + colour aggregate into one frameset, as the SDK: by index IR, colour, depth. */
static void ir_depth_and_color_make_one_frameset(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_config *cfg;
    ob_pipeline *p = start(true, true, &cfg);
    ob_config_set_frame_aggregate_output_mode(cfg, OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE,
                                              &err);
    ob_pipeline_stop(p, &err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    for (int i = 0; i < 3; i++) {
        ob_frame *set = wait_set(p);
        assert_int_equal(ob_frameset_get_count(set, &err), 3);
        ob_frame *a = ob_frameset_get_frame_by_index(set, 0, &err);
        ob_frame *b = ob_frameset_get_frame_by_index(set, 1, &err);
        ob_frame *c = ob_frameset_get_frame_by_index(set, 2, &err);
        assert_int_equal(ob_frame_get_type(a, &err), OB_FRAME_IR);
        assert_int_equal(ob_frame_get_type(b, &err), OB_FRAME_COLOR);
        assert_int_equal(ob_frame_get_type(c, &err), OB_FRAME_DEPTH);
        assert_int_equal(ob_frame_get_timestamp_us(a, &err), ob_frame_get_timestamp_us(c, &err));
        ob_delete_frame(a, &err);
        ob_delete_frame(b, &err);
        ob_delete_frame(c, &err);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    stop(p, cfg);
}

/* 3.advanced.hw_d2c_align: the depth profiles that go with a colour profile, and a pipeline
 * with ALIGN_D2C_HW_MODE delivering depth at the colour profile's size, equal to what the Align
 * filter makes of the same frameset. */
static ob_pipeline *start_d2c(bool hw, ob_config **cfg_out)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    ob_stream_profile_list *cl = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_COLOR, &err);
    ob_stream_profile *color =
        ob_stream_profile_list_get_video_stream_profile(cl, 1280, 720, OB_FORMAT_RGB, 30, &err);
    no_error(&err);
    ob_stream_profile_list *all = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_DEPTH, &err);
    ob_stream_profile_list *dl = ob_get_d2c_depth_profile_list(p, color, ALIGN_D2C_HW_MODE, &err);
    no_error(&err);
    /* the emulator aligns any pair of sizes: every depth profile goes with 1280x720 */
    assert_int_equal(ob_stream_profile_list_get_count(dl, &err),
                     ob_stream_profile_list_get_count(all, &err));
    ob_stream_profile *depth =
        ob_stream_profile_list_get_video_stream_profile(dl, 640, 576, OB_FORMAT_Y16, 30, &err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_stream_with_stream_profile(cfg, color, &err);
    ob_config_enable_stream_with_stream_profile(cfg, depth, &err);
    ob_config_set_align_mode(cfg, hw ? ALIGN_D2C_HW_MODE : ALIGN_DISABLE, &err);
    ob_config_set_frame_aggregate_output_mode(cfg, OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE,
                                              &err);
    ob_pipeline_enable_frame_sync(p, &err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_delete_stream_profile(color, &err);
    ob_delete_stream_profile(depth, &err);
    ob_delete_stream_profile_list(cl, &err);
    ob_delete_stream_profile_list(dl, &err);
    ob_delete_stream_profile_list(all, &err);
    no_error(&err);
    *cfg_out = cfg;
    return p;
}

static void hardware_d2c_gives_depth_at_the_color_size(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_config *cfg;
    ob_pipeline *p = ob_create_pipeline(&err);
    ob_stream_profile *odd = ob_create_video_stream_profile(OB_STREAM_COLOR, OB_FORMAT_RGB, 333,
                                                            222, 30, &err);
    ob_stream_profile_list *l = ob_get_d2c_depth_profile_list(p, odd, ALIGN_D2C_HW_MODE, &err);
    no_error(&err);
    assert_int_equal(ob_stream_profile_list_get_count(l, &err), 0); /* no such colour size */
    ob_delete_stream_profile_list(l, &err);
    l = ob_get_d2c_depth_profile_list(p, odd, ALIGN_DISABLE, &err); /* every depth profile */
    assert_true(ob_stream_profile_list_get_count(l, &err) > 1);
    ob_delete_stream_profile_list(l, &err);
    ob_delete_stream_profile(odd, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);

    /* the same first frameset, unaligned (then the Align filter) and hardware aligned */
    p = start_d2c(false, &cfg);
    ob_frame *raw = wait_set(p);
    ob_filter *align = ob_create_filter("Align", &err);
    ob_filter_set_config_value(align, "AlignType", OB_STREAM_COLOR, &err);
    ob_frame *filtered = ob_filter_process(align, raw, &err);
    no_error(&err);
    ob_frame *fd = ob_frameset_get_depth_frame(filtered, &err);
    stop(p, cfg);

    p = start_d2c(true, &cfg);
    ob_frame *hw = wait_set(p);
    ob_frame *hd = ob_frameset_get_depth_frame(hw, &err);
    ob_frame *hc = ob_frameset_get_color_frame(hw, &err);
    no_error(&err);
    assert_int_equal(ob_video_frame_get_width(hd, &err), 1280);
    assert_int_equal(ob_video_frame_get_height(hd, &err), 720);
    assert_int_equal(ob_video_frame_get_width(hc, &err), 1280);
    assert_int_equal(ob_frame_get_format(hd, &err), OB_FORMAT_Y16);
    assert_int_equal(ob_frame_get_data_size(hd, &err), 1280 * 720 * 2);
    ob_stream_profile *sp = ob_frame_get_stream_profile(hd, &err);
    assert_int_equal(ob_video_stream_profile_get_width(sp, &err), 1280);
    ob_delete_stream_profile(sp, &err);
    assert_int_equal(ob_frame_get_timestamp_us(hd, &err), ob_frame_get_timestamp_us(fd, &err));
    assert_int_equal(ob_frame_get_data_size(fd, &err), 1280 * 720 * 2);
    assert_memory_equal(ob_frame_get_data(hd, &err), ob_frame_get_data(fd, &err), 1280 * 720 * 2);
    /* not blank: the plane at 1.5-2.5 m covers the middle of the colour image */
    assert_true(px16(hd, 1000, 600) >= 1500 && px16(hd, 1000, 600) <= 2500);
    no_error(&err);
    ob_delete_frame(hd, &err);
    ob_delete_frame(hc, &err);
    ob_delete_frame(hw, &err);
    ob_delete_frame(fd, &err);
    ob_delete_frame(filtered, &err);
    ob_delete_frame(raw, &err);
    ob_delete_filter(align, &err);
    stop(p, cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_femto_bolt_lists_ir_in_y16_only, setup),
        cmocka_unit_test_setup(simcam_ir_in_y8, setup),
        cmocka_unit_test_setup(ir_alone_carries_the_depth_captures_timestamps, setup),
        cmocka_unit_test_setup(ir_pixels_follow_the_scene, setup),
        cmocka_unit_test_setup(ir_depth_and_color_make_one_frameset, setup),
        cmocka_unit_test_setup(hardware_d2c_gives_depth_at_the_color_size, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

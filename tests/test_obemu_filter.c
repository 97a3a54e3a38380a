/*
 * The emulator's Filter.h against what SDK v2.9.3 gives, on frames of known pixels made with
 * ob_create_video_frame: creation by the SDK's names (an unknown name is status 100), config
 * schemas, values and their ranges, DecimationFilter (median of the non-zero pixels of each
 * block for scale 2 and 3, their mean for other scales, output rounded up to multiples of 4),
 * ThresholdFilter, PointCloudFilter (nominal intrinsics fx = fy = w/2, cx = w/2, cy = h/2),
 * Align (depth to colour, colour to depth, nominal extrinsic: colour 10 mm along x), push with
 * a callback, enable / disable, FormatConverter (YUYV / UYVY by hand, RGB <-> BGR, Y16, the
 * wrong source format refused), and filters the emulator cannot compute refusing.
 * Every expected pixel below is worked out by hand in the comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ob_api.h"

#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void expect_error(ob_error *e, ob_status status, ob_exception_type type)
{
    assert_non_null(e);
    assert_int_equal(ob_error_get_status(e), status);
    assert_int_equal(ob_error_get_exception_type(e), type);
    ob_delete_error(e);
}

static ob_frame *depth_frame(uint32_t w, uint32_t h, const uint16_t *pixels)
{
    ob_error *e = NULL;
    ob_frame *f = ob_create_video_frame(OB_FRAME_DEPTH, OB_FORMAT_Y16, w, h, 0, &e);
    assert_null(e);
    assert_non_null(f);
    assert_int_equal(ob_frame_get_data_size(f, &e), w * h * 2);
    memcpy(ob_frame_get_data(f, &e), pixels, (size_t)w * h * 2);
    assert_null(e);
    return f;
}

static ob_filter *filter(const char *name)
{
    ob_error *e = NULL;
    ob_filter *f = ob_create_filter(name, &e);
    assert_null(e);
    assert_non_null(f);
    assert_string_equal(ob_filter_get_name(f, &e), name);
    return f;
}

static const uint16_t *px16(const ob_frame *f)
{
    ob_error *e = NULL;
    const uint16_t *p = (const uint16_t *)(const void *)ob_frame_get_data(f, &e);
    assert_null(e);
    return p;
}

/* ------------------------------------------------------------------------------------------ */

static void create_by_name(void **state)
{
    (void)state;
    static const char *const names[] = {"DecimationFilter", "ThresholdFilter", "PointCloudFilter",
                                        "Align", "HDRMerge", "FormatConverter"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ob_filter *f = filter(names[i]);
        ob_error *e = NULL;
        assert_true(ob_filter_is_enabled(f, &e)); /* a new filter is enabled */
        ob_delete_filter(f, &e);
        assert_null(e);
    }
    ob_error *e = NULL;
    assert_null(ob_create_filter("NoSuchFilter", &e));
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    assert_null(ob_create_filter("decimationfilter", &e)); /* names are case-sensitive */
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    assert_null(ob_create_filter(NULL, &e));
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    /* public filters have no vendor-specific code */
    e = NULL;
    assert_null(ob_filter_get_vendor_specific_code("DecimationFilter", &e));
    assert_null(e);
}

static void config_schema_and_values(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_filter *f = filter("DecimationFilter");
    assert_string_equal(ob_filter_get_config_schema(f, &e),
                        "decimate, int, 1, 8, 1, 2, value decimate factor");
    ob_filter_config_schema_list *l = ob_filter_get_config_schema_list(f, &e);
    assert_null(e);
    assert_int_equal(ob_filter_config_schema_list_get_count(l, &e), 1);
    ob_filter_config_schema_item it = ob_filter_config_schema_list_get_item(l, 0, &e);
    assert_null(e);
    assert_string_equal(it.name, "decimate");
    assert_int_equal(it.type, OB_FILTER_CONFIG_VALUE_TYPE_INT);
    NEAR(it.min, 1, 0);
    NEAR(it.max, 8, 0);
    NEAR(it.step, 1, 0);
    NEAR(it.def, 2, 0);
    assert_string_equal(it.desc, "value decimate factor");
    ob_filter_config_schema_list_get_item(l, 1, &e);
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_filter_config_schema_list(l, &e);

    NEAR(ob_filter_get_config_value(f, "decimate", &e), 2, 0); /* the default */
    ob_filter_set_config_value(f, "decimate", 5, &e);
    assert_null(e);
    NEAR(ob_filter_get_config_value(f, "decimate", &e), 5, 0);
    ob_filter_set_config_value(f, "decimate", 9, &e); /* above max: refused, value kept */
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_filter_set_config_value(f, "decimate", 0, &e); /* below min */
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    NEAR(ob_filter_get_config_value(f, "decimate", &e), 5, 0);
    ob_filter_get_config_value(f, "scale", &e); /* no such item */
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_filter(f, &e);

    /* the threshold filter's two items, and update_config with text in the schema's order */
    f = filter("ThresholdFilter");
    l = ob_filter_get_config_schema_list(f, &e);
    assert_int_equal(ob_filter_config_schema_list_get_count(l, &e), 2);
    it = ob_filter_config_schema_list_get_item(l, 1, &e);
    assert_string_equal(it.name, "max");
    NEAR(it.max, 16000, 0);
    NEAR(it.def, 16000, 0);
    ob_delete_filter_config_schema_list(l, &e);
    const char *argv[] = {"400", "2000"};
    ob_filter_update_config(f, 2, argv, &e);
    assert_null(e);
    NEAR(ob_filter_get_config_value(f, "min", &e), 400, 0);
    NEAR(ob_filter_get_config_value(f, "max", &e), 2000, 0);
    ob_filter_update_config(f, 1, argv, &e); /* wrong count */
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    const char *bad[] = {"x", "10"};
    ob_filter_update_config(f, 2, bad, &e);
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    NEAR(ob_filter_get_config_value(f, "max", &e), 2000, 0); /* nothing changed */
    ob_delete_filter(f, &e);

    /* a filter with an empty schema has no values: invalid data (101) */
    f = filter("HDRMerge");
    assert_string_equal(ob_filter_get_config_schema(f, &e), "");
    ob_filter_get_config_value(f, "x", &e);
    expect_error(e, OB_ERROR_INVALID_DATA, OB_EXCEPTION_TYPE_INVALID_DATA);
    e = NULL;
    ob_delete_filter(f, &e);

    /* the point cloud filter's six items and their defaults */
    f = filter("PointCloudFilter");
    l = ob_filter_get_config_schema_list(f, &e);
    assert_int_equal(ob_filter_config_schema_list_get_count(l, &e), 6);
    it = ob_filter_config_schema_list_get_item(l, 1, &e);
    assert_string_equal(it.name, "coordinateDataScale");
    assert_int_equal(it.type, OB_FILTER_CONFIG_VALUE_TYPE_FLOAT);
    NEAR(it.min, 1e-8, 1e-12);
    ob_delete_filter_config_schema_list(l, &e);
    NEAR(ob_filter_get_config_value(f, "pointFormat", &e), OB_FORMAT_POINT, 0);
    NEAR(ob_filter_get_config_value(f, "outputZeroPoint", &e), 1, 0);
    ob_delete_filter(f, &e);
    assert_null(e);
}

/* An 8 x 4 depth pattern (mm). */
static const uint16_t PATTERN[4 * 8] = {
    100, 200, 0, 0, 10,   30,   7,    7, /* row 0 */
    300, 400, 0, 0, 20,   0,    7,    9, /* row 1 */
    1,   2,   3, 4, 5,    6,    7,    8, /* row 2 */
    0,   0,   0, 5, 1000, 1000, 1000, 2, /* row 3 */
};

static void decimation_by_2_and_4(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *in = depth_frame(8, 4, PATTERN);
    ob_filter *f = filter("DecimationFilter");

    /* scale 2 (the default): 4 x 2 blocks, padded to 4 x 4. Lower median of non-zero pixels:
     * {100,200,300,400} -> 200; {} -> 0; {10,30,20} -> 20; {7,7,7,9} -> 7;
     * {1,2} -> 1; {3,4,5} -> 4; {5,6,1000,1000} -> 6; {7,8,1000,2} -> 2,7,8,1000 -> 7. */
    ob_frame *out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_non_null(out);
    assert_int_equal(ob_video_frame_get_width(out, &e), 4);
    assert_int_equal(ob_video_frame_get_height(out, &e), 4);
    assert_int_equal(ob_frame_get_format(out, &e), OB_FORMAT_Y16);
    assert_int_equal(ob_frame_get_type(out, &e), OB_FRAME_DEPTH);
    assert_int_equal(ob_frame_get_data_size(out, &e), 4 * 4 * 2);
    static const uint16_t want2[16] = {200, 0, 20, 7, 1, 4, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(px16(out), want2, sizeof(want2));
    ob_delete_frame(out, &e);

    /* scale 4: 2 x 1 blocks, padded to 4 x 4; mean of non-zero pixels, rounded down:
     * left: 100+200+300+400+1+2+3+4+5 = 1015 over 9 -> 112;
     * right: 54 + 36 + 26 + 3002 = 3118 over 15 -> 207. */
    ob_filter_set_config_value(f, "decimate", 4, &e);
    assert_null(e);
    out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_int_equal(ob_video_frame_get_width(out, &e), 4);
    assert_int_equal(ob_video_frame_get_height(out, &e), 4);
    ob_stream_profile *prof = ob_frame_get_stream_profile(out, &e);
    assert_null(e);
    assert_int_equal(ob_stream_profile_get_format(prof, &e), OB_FORMAT_Y16);
    assert_int_equal(ob_video_stream_profile_get_width(prof, &e), 4);
    ob_delete_stream_profile(prof, &e);
    static const uint16_t want4[16] = {112, 207, 0, 0};
    assert_memory_equal(px16(out), want4, sizeof(want4));
    ob_delete_frame(out, &e);

    /* the input is left as it was */
    assert_memory_equal(px16(in), PATTERN, sizeof(PATTERN));
    ob_delete_filter(f, &e);
    ob_delete_frame(in, &e);
    assert_null(e);
}

static void decimation_of_color_is_a_plain_mean(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *in = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_RGB, 4, 2, 0, &e);
    assert_null(e);
    /* R of the 2 x 2 block at the left: 10, 20, 30, 0 -> 60 / 4 = 15 (zeros count);
     * G: 1, 2, 2, 2 -> 7 / 4 = 1; B: 255 x 4 -> 255 */
    static const uint8_t rgb[4 * 2 * 3] = {10, 1, 255, 20, 2, 255, 9, 9, 9, 9, 9, 9,
                                           30, 2, 255, 0,  2, 255, 9, 9, 9, 9, 9, 9};
    memcpy(ob_frame_get_data(in, &e), rgb, sizeof(rgb));
    ob_filter *f = filter("DecimationFilter");
    ob_frame *out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_format(out, &e), OB_FORMAT_RGB);
    assert_int_equal(ob_video_frame_get_width(out, &e), 4); /* 2 rounded up to 4 */
    assert_int_equal(ob_frame_get_data_size(out, &e), 4 * 4 * 3);
    const uint8_t *p = ob_frame_get_data(out, &e);
    assert_int_equal(p[0], 15);
    assert_int_equal(p[1], 1);
    assert_int_equal(p[2], 255);
    assert_int_equal(p[3], 9);
    assert_int_equal(p[6], 0); /* padding */
    ob_delete_frame(out, &e);
    ob_delete_frame(in, &e);
    ob_delete_filter(f, &e);
    assert_null(e);
}

static void threshold(void **state)
{
    (void)state;
    ob_error *e = NULL;
    static const uint16_t d[4] = {100, 500, 1500, 3000};
    ob_frame *in = depth_frame(4, 1, d);
    ob_filter *f = filter("ThresholdFilter");
    /* defaults 0..16000: every pixel kept */
    ob_frame *out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_memory_equal(px16(out), d, sizeof(d));
    ob_delete_frame(out, &e);
    ob_filter_set_config_value(f, "min", 400, &e);
    ob_filter_set_config_value(f, "max", 2000, &e);
    assert_null(e);
    out = ob_filter_process(f, in, &e);
    static const uint16_t want[4] = {0, 500, 1500, 0};
    assert_memory_equal(px16(out), want, sizeof(want));
    ob_delete_frame(out, &e);
    /* min >= max: nothing passes */
    ob_filter_set_config_value(f, "min", 2000, &e);
    out = ob_filter_process(f, in, &e);
    static const uint16_t none[4] = {0, 0, 0, 0};
    assert_memory_equal(px16(out), none, sizeof(none));
    ob_delete_frame(out, &e);
    /* a colour frame has no depth: no frame, no error (as the SDK) */
    ob_frame *color = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_RGB, 2, 2, 0, &e);
    assert_null(ob_filter_process(f, color, &e));
    assert_null(e);
    ob_delete_frame(color, &e);
    ob_delete_frame(in, &e);
    ob_delete_filter(f, &e);
    assert_null(e);
}

static void point_cloud_of_a_flat_wall(void **state)
{
    (void)state;
    ob_error *e = NULL;
    /* an 8 x 4 wall at 1000 mm, one hole at (1, 0): fx = fy = 4, cx = 4, cy = 2 */
    uint16_t wall[32];
    for (int i = 0; i < 32; i++)
        wall[i] = 1000;
    wall[1] = 0;
    ob_frame *in = depth_frame(8, 4, wall);
    ob_filter *f = filter("PointCloudFilter");
    ob_frame *out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_format(out, &e), OB_FORMAT_POINT);
    assert_int_equal(ob_frame_get_type(out, &e), OB_FRAME_POINTS);
    assert_int_equal(ob_frame_get_data_size(out, &e), 32 * sizeof(OBPoint3f));
    assert_int_equal(ob_point_cloud_frame_get_width(out, &e), 8);
    assert_int_equal(ob_point_cloud_frame_get_height(out, &e), 4);
    NEAR(ob_points_frame_get_coordinate_value_scale(out, &e), 1.0, 1e-6);
    const OBPoint3f *p = (const OBPoint3f *)(const void *)ob_frame_get_data(out, &e);
    /* (0,0): x = (0-4)/4*1000 = -1000, y = (0-2)/4*1000 = -500 */
    NEAR(p[0].x, -1000, 1e-3);
    NEAR(p[0].y, -500, 1e-3);
    NEAR(p[0].z, 1000, 1e-3);
    /* the hole stays in place as (0, 0, 0) */
    NEAR(p[1].x, 0, 0);
    NEAR(p[1].z, 0, 0);
    /* (4,2): on the axis */
    NEAR(p[2 * 8 + 4].x, 0, 1e-3);
    NEAR(p[2 * 8 + 4].y, 0, 1e-3);
    /* (6,3): x = 2/4*1000 = 500, y = 1/4*1000 = 250 */
    NEAR(p[3 * 8 + 6].x, 500, 1e-3);
    NEAR(p[3 * 8 + 6].y, 250, 1e-3);
    ob_delete_frame(out, &e);

    /* metres, left-handed, zero points left out */
    ob_filter_set_config_value(f, "coordinateDataScale", 0.001, &e);
    ob_filter_set_config_value(f, "coordinateSystemType", 0, &e);
    ob_filter_set_config_value(f, "outputZeroPoint", 0, &e);
    assert_null(e);
    out = ob_filter_process(f, in, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_data_size(out, &e), 31 * sizeof(OBPoint3f));
    NEAR(ob_points_frame_get_coordinate_value_scale(out, &e), 1000.0, 1e-2);
    p = (const OBPoint3f *)(const void *)ob_frame_get_data(out, &e);
    NEAR(p[0].x, -1.0, 1e-6);
    NEAR(p[0].y, 0.5, 1e-6); /* y negated */
    NEAR(p[0].z, 1.0, 1e-6);
    /* the next point is pixel (2,0) (the hole left out): x = (2-4)/4 = -0.5 m */
    NEAR(p[1].x, -0.5, 1e-6);
    ob_delete_frame(out, &e);

    /* points frame getters refuse other frames */
    ob_points_frame_get_coordinate_value_scale(in, &e);
    expect_error(e, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION);
    e = NULL;

    /* RGB points need a frameset with colour: a depth frame alone gives none (as the SDK) */
    ob_filter_set_config_value(f, "pointFormat", OB_FORMAT_RGB_POINT, &e);
    assert_null(e);
    assert_null(ob_filter_process(f, in, &e));
    assert_null(e);
    ob_delete_frame(in, &e);
    ob_delete_filter(f, &e);
    assert_null(e);
}

struct pushed {
    int calls;
    uint32_t width;
};

static void on_frame(ob_frame *frame, void *user)
{
    struct pushed *p = user;
    p->calls++;
    p->width = ob_video_frame_get_width(frame, NULL);
    ob_delete_frame(frame, NULL);
}

static void push_with_callback_and_disable(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *in = depth_frame(8, 4, PATTERN);
    ob_filter *f = filter("DecimationFilter");
    struct pushed got = {0, 0};
    ob_filter_set_callback(f, on_frame, &got, &e);
    ob_filter_push_frame(f, in, &e);
    assert_null(e);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.width, 4);
    /* disabled: the callback gets the frame unchanged */
    ob_filter_enable(f, false, &e);
    assert_false(ob_filter_is_enabled(f, &e));
    ob_filter_push_frame(f, in, &e);
    assert_int_equal(got.calls, 2);
    assert_int_equal(got.width, 8);
    ob_filter_reset(f, &e);
    assert_null(e);
    ob_delete_filter(f, &e);
    ob_delete_frame(in, &e);
    assert_null(e);
}

static void unsupported_filters_refuse_to_process(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *in = depth_frame(8, 4, PATTERN);
    static const char *const names[] = {"PixelValueScaler", "HDRMerge", "FrameMirror"};
    for (size_t i = 0; i < 3; i++) {
        ob_filter *f = filter(names[i]);
        assert_null(ob_filter_process(f, in, &e));
        assert_non_null(strstr(ob_error_get_message(e), "not supported by the rigsync emulator"));
        expect_error(e, OB_ERROR_UNSUPPORTED_OPERATION, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION);
        e = NULL;
        ob_delete_filter(f, &e);
    }
    ob_delete_frame(in, &e);
    assert_null(e);
}

/* Align: both cameras 4 x 2 with the nominal intrinsics fx = fy = 2, cx = 2, cy = 1; colour is
 * 10 mm along x from depth (p_color = p_depth - (10, 0, 0)). A depth pixel's corner (u + a, v + b)
 * at depth d projects to colour column int(u + a + 0.5 - 20 / d) and row int(v + b + 0.5). */
static const uint16_t ALIGN_DEPTH[8] = {1000, 1000, 1000, 0, /* row 0 */
                                        0,    0,    0,    10 /* row 1 */};

static ob_frame *align_input(ob_frame **color_out)
{
    ob_error *e = NULL;
    ob_frame *depth = depth_frame(4, 2, ALIGN_DEPTH);
    ob_frame *color = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_RGB, 4, 2, 0, &e);
    uint8_t *c = ob_frame_get_data(color, &e);
    for (int i = 0; i < 8; i++) /* pixel i: R = 10 i + 1, G = B = 0 */
        c[3 * i] = (uint8_t)(10 * i + 1);
    ob_frame *set = ob_create_frameset(&e);
    ob_frameset_push_frame(set, depth, &e);
    ob_frameset_push_frame(set, color, &e);
    assert_null(e);
    assert_int_equal(ob_frameset_get_count(set, &e), 2);
    ob_delete_frame(depth, &e); /* the set holds its own references */
    *color_out = color;
    return set;
}

static void align_depth_to_color(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *color;
    ob_frame *set = align_input(&color);
    ob_filter *f = filter("Align");
    ob_filter_set_config_value(f, "AlignType", OB_STREAM_COLOR, &e);
    ob_frame *out = ob_filter_process(f, set, &e);
    assert_null(e);
    assert_non_null(out);
    assert_int_equal(ob_frame_get_type(out, &e), OB_FRAME_SET);
    ob_frame *d = ob_frameset_get_depth_frame(out, &e);
    ob_frame *c = ob_frameset_get_color_frame(out, &e);
    assert_int_equal(ob_video_frame_get_width(d, &e), 4);
    assert_int_equal(ob_video_frame_get_height(d, &e), 2);
    assert_ptr_equal(ob_frame_get_data(c, &e), ob_frame_get_data(color, &e)); /* colour as is */
    /* d = 1000 (20/d = 0.02): pixel u covers colour columns int(u - 0.02) .. int(u + 0.98) =
     * [0,0], [0,1], [1,2] for u = 0, 1, 2, rows int(0) .. int(1) = 0..1. (3,1) at d = 10
     * (20/d = 2): columns int(1) .. int(2) = 1..2, rows 1..int(2) clipped to 1; it is nearer.
     * Colour column 3 is reached by no depth pixel: 0. */
    static const uint16_t want[8] = {1000, 1000, 1000, 0, 1000, 10, 10, 0};
    assert_memory_equal(px16(d), want, sizeof(want));
    ob_delete_frame(d, &e);
    ob_delete_frame(c, &e);
    ob_delete_frame(out, &e);

    /* a depth frame alone: nothing to align to, no frame and no error (as the SDK) */
    ob_frame *lone = depth_frame(4, 2, ALIGN_DEPTH);
    assert_null(ob_filter_process(f, lone, &e));
    assert_null(e);
    ob_delete_frame(lone, &e);
    ob_delete_filter(f, &e);
    ob_delete_frame(color, &e);
    ob_delete_frame(set, &e);
    assert_null(e);
}

static void align_color_to_depth(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *color;
    ob_frame *set = align_input(&color);
    ob_filter *f = filter("Align");
    ob_filter_set_config_value(f, "AlignType", OB_STREAM_DEPTH, &e);
    ob_frame *out = ob_filter_process(f, set, &e);
    assert_null(e);
    ob_frame *c = ob_frameset_get_color_frame(out, &e);
    assert_int_equal(ob_frame_get_format(c, &e), OB_FORMAT_RGB);
    assert_int_equal(ob_video_frame_get_width(c, &e), 4);
    /* each depth pixel takes the colour pixel of its corner (u - 0.5, v - 0.5): column
     * int(u - 20/d), row v. (0,0), (1,0) -> colour (0,0), R 1; (2,0) -> int(1.98) = 1, R 11;
     * (3,1) at d = 10 -> column int(1) = 1, row 1: colour pixel 5, R 51; no depth: 0. */
    static const uint8_t want_r[8] = {1, 1, 11, 0, 0, 0, 0, 51};
    const uint8_t *p = ob_frame_get_data(c, &e);
    for (int i = 0; i < 8; i++)
        assert_int_equal(p[3 * i], want_r[i]);
    ob_delete_frame(c, &e);
    ob_delete_frame(out, &e);
    ob_delete_filter(f, &e);
    ob_delete_frame(color, &e);
    ob_delete_frame(set, &e);
    assert_null(e);
}

static void rgb_point_cloud(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *color;
    ob_frame *set = align_input(&color);
    ob_filter *f = filter("PointCloudFilter");
    ob_filter_set_config_value(f, "pointFormat", OB_FORMAT_RGB_POINT, &e);
    ob_frame *out = ob_filter_process(f, set, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_format(out, &e), OB_FORMAT_RGB_POINT);
    assert_int_equal(ob_frame_get_data_size(out, &e), 8 * sizeof(OBColorPoint));
    const OBColorPoint *p = (const OBColorPoint *)(const void *)ob_frame_get_data(out, &e);
    /* 4 x 2 depth: fx = fy = 2, cx = 2, cy = 1. (0,0) at 1000 mm: x = -2/2*1000 = -1000,
     * y = -1/2*1000 = -500; colour pixel 0: R 1 */
    NEAR(p[0].x, -1000, 1e-3);
    NEAR(p[0].y, -500, 1e-3);
    NEAR(p[0].z, 1000, 1e-3);
    NEAR(p[0].r, 1, 0);
    NEAR(p[0].g, 0, 0);
    /* (2,0): x = 0, colour pixel 2: R 21 */
    NEAR(p[2].x, 0, 1e-3);
    NEAR(p[2].r, 21, 0);
    /* (3,0) has no depth: (0, 0, 0) with its colour, R 31 */
    NEAR(p[3].z, 0, 0);
    NEAR(p[3].r, 31, 0);
    /* (3,1) at 10 mm: x = 1/2*10 = 5, y = 0; R 71 */
    NEAR(p[7].x, 5, 1e-4);
    NEAR(p[7].r, 71, 0);
    ob_delete_frame(out, &e);
    ob_filter_set_config_value(f, "colorDataNormalization", 1, &e);
    out = ob_filter_process(f, set, &e);
    p = (const OBColorPoint *)(const void *)ob_frame_get_data(out, &e);
    NEAR(p[7].r, 71.0 / 255.0, 1e-6);
    ob_delete_frame(out, &e);
    ob_delete_filter(f, &e);
    ob_delete_frame(color, &e);
    ob_delete_frame(set, &e);
    assert_null(e);
}

/* The depth sensor's recommended filters: the public ones a Gemini 330 gets, all disabled. */
/* ------------------------------------------------------------------------------------------ */
/* FormatConverter                                                                            */

static ob_frame *convert(int type, const ob_frame *in, ob_error **e)
{
    ob_filter *f = filter("FormatConverter");
    ob_filter_set_config_value(f, "convertType", (double)type, e);
    assert_null(*e);
    ob_frame *out = ob_filter_process(f, in, e);
    ob_delete_filter(f, NULL);
    return out;
}

static ob_frame *frame_of(ob_format fmt, uint32_t w, uint32_t h, const uint8_t *bytes, size_t n)
{
    ob_error *e = NULL;
    ob_frame *f = ob_create_video_frame(OB_FRAME_COLOR, fmt, w, h, 0, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_data_size(f, &e), n);
    memcpy(ob_frame_get_data(f, &e), bytes, n);
    return f;
}

/* A 4 x 2 YUYV image (Y0 U Y1 V per pair of pixels), BT.601 video range by hand:
 *   Y 16, U = V = 128: black (0, 0, 0); Y 235: white (255, 255, 255);
 *   Y 126, U = V = 128: 1.164 * 110 = 128.04 -> (128, 128, 128);
 *   Y 81, U 90, V 240 (red): R = 1.164*65 + 1.596*112 = 254.4 -> 254, G = 75.66 + 14.86 - 91.06
 *   < 0 -> 0, B = 75.66 - 2.018*38 < 0 -> 0;
 *   Y 145, U 54, V 34 (green): R = 150.16 - 150.02 = 0.13 -> 0, G = 150.16 + 28.93 + 76.42 =
 *   255.5 -> 255, B = 150.16 - 149.33 = 0.83 -> 1.
 * Both rows carry the same chroma (a 4:2:0 pass averages the two rows). A converter that swaps U
 * and V, or reads UYVY order, or uses full range, gets these wrong. */
static const uint8_t YUYV_4x2[16] = {16, 128, 235, 128, 81, 90, 81, 240,
                                     126, 128, 126, 128, 145, 54, 145, 34};
static const uint8_t RGB_4x2[24] = {0,   0,   0,   255, 255, 255, 254, 0, 0, 254, 0, 0,
                                    128, 128, 128, 128, 128, 128, 0, 255, 1, 0, 255, 1};

static void format_convert_yuyv_uyvy_by_hand(void **state)
{
    (void)state;
    ob_error *e = NULL;
    /* row 0 and row 1 of YUYV_4x2 are two images; each 4 x 1 row doubled into a 4 x 2 frame */
    for (int r = 0; r < 2; r++) {
        uint8_t yuyv[16], uyvy[16];
        for (int k = 0; k < 2; k++)
            memcpy(yuyv + 8 * k, YUYV_4x2 + 8 * r, 8);
        for (int i = 0; i < 16; i += 2) { /* UYVY: the same pixels, bytes of each pair swapped */
            uyvy[i] = yuyv[i + 1];
            uyvy[i + 1] = yuyv[i];
        }
        ob_frame *in = frame_of(OB_FORMAT_YUYV, 4, 2, yuyv, 16);
        ob_frame *rgb = convert(FORMAT_YUYV_TO_RGB, in, &e);
        assert_null(e);
        assert_int_equal(ob_frame_get_format(rgb, &e), OB_FORMAT_RGB);
        assert_int_equal(ob_frame_get_type(rgb, &e), OB_FRAME_COLOR);
        assert_int_equal(ob_video_frame_get_width(rgb, &e), 4);
        assert_int_equal(ob_video_frame_get_height(rgb, &e), 2);
        assert_int_equal(ob_frame_get_data_size(rgb, &e), 24);
        const uint8_t *o = ob_frame_get_data(rgb, &e);
        for (int k = 0; k < 2; k++)
            assert_memory_equal(o + 12 * k, RGB_4x2 + 12 * r, 12);
        ob_frame *bgr = convert(FORMAT_YUYV_TO_BGR, in, &e);
        const uint8_t *b = ob_frame_get_data(bgr, &e);
        for (int i = 0; i < 8; i++) {
            assert_int_equal(b[3 * i], o[3 * i + 2]);
            assert_int_equal(b[3 * i + 2], o[3 * i]);
        }
        ob_frame *bgra = convert(FORMAT_YUYV_TO_BGRA, in, &e);
        const uint8_t *ba = ob_frame_get_data(bgra, &e);
        assert_int_equal(ob_frame_get_data_size(bgra, &e), 32);
        assert_int_equal(ba[3], 255); /* alpha */
        assert_int_equal(ba[4 + 2], o[3 + 0]);
        ob_frame *y8 = convert(FORMAT_YUYV_TO_Y8, in, &e);
        assert_int_equal(ob_frame_get_data_size(y8, &e), 8);
        assert_int_equal(((const uint8_t *)ob_frame_get_data(y8, &e))[1], yuyv[2]);
        ob_frame *y16 = convert(FORMAT_YUYV_TO_Y16, in, &e);
        const uint16_t *w16 = px16(y16); /* Y in the high byte */
        assert_int_equal(w16[1], yuyv[2] << 8);
        ob_frame *in2 = frame_of(OB_FORMAT_UYVY, 4, 2, uyvy, 16);
        ob_frame *rgb2 = convert(FORMAT_UYVY_TO_RGB, in2, &e);
        assert_null(e);
        assert_memory_equal(ob_frame_get_data(rgb2, &e), o, 24);
        ob_frame *fs[] = {in, rgb, bgr, bgra, y8, y16, in2, rgb2};
        for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
            ob_delete_frame(fs[i], &e);
        assert_null(e);
    }
}

static void format_convert_rgb_bgr_and_grey(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_frame *in = frame_of(OB_FORMAT_RGB, 4, 2, RGB_4x2, 24);
    ob_frame *bgr = convert(FORMAT_RGB_TO_BGR, in, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_format(bgr, &e), OB_FORMAT_BGR);
    const uint8_t *b = ob_frame_get_data(bgr, &e);
    assert_int_equal(b[6], 0);   /* pixel 2 (254, 0, 0) is (0, 0, 254) in BGR */
    assert_int_equal(b[8], 254);
    assert_int_equal(b[21], 1);  /* pixel 7 (0, 255, 1): B first */
    ob_frame *back = convert(FORMAT_BGR_TO_RGB, bgr, &e);
    assert_memory_equal(ob_frame_get_data(back, &e), RGB_4x2, 24);
    /* the wrong source format is refused, naming the conversion */
    assert_null(convert(FORMAT_MJPG_TO_RGB, in, &e));
    assert_non_null(strstr(ob_error_get_message(e), "FORMAT_MJPG_TO_RGB"));
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    /* Y16 -> RGB: the high byte, grey: 0x1234 -> 0x12 */
    static const uint16_t Y16[8] = {0x1234, 0xff00, 0, 0x00ff, 1, 2, 3, 0x8000};
    ob_error *e2 = NULL;
    ob_frame *y = ob_create_video_frame(OB_FRAME_COLOR, OB_FORMAT_Y16, 4, 2, 0, &e2);
    memcpy(ob_frame_get_data(y, &e2), Y16, 16);
    ob_frame *grey = convert(FORMAT_Y16_TO_RGB, y, &e);
    assert_null(e);
    const uint8_t *g = ob_frame_get_data(grey, &e);
    assert_int_equal(g[0], 0x12);
    assert_int_equal(g[2], 0x12);
    assert_int_equal(g[3], 0xff);
    assert_int_equal(g[9], 0);
    assert_int_equal(g[21], 0x80);
    ob_frame *fs[] = {in, bgr, back, y, grey};
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
        ob_delete_frame(fs[i], &e);
    assert_null(e);
}

static void recommended_filters_of_the_depth_sensor(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_context *ctx = ob_create_context(&e);
    ob_device_list *list = ob_query_device_list(ctx, &e);
    ob_device *dev = ob_device_list_get_device(list, 0, &e);
    ob_sensor_list *sensors = ob_device_get_sensor_list(dev, &e);
    ob_sensor *depth = ob_sensor_list_get_sensor_by_type(sensors, OB_SENSOR_DEPTH, &e);
    assert_null(e);
    ob_filter_list *filters = ob_sensor_create_recommended_filter_list(depth, &e);
    assert_null(e);
    static const char *const names[] = {"DecimationFilter", "ThresholdFilter", "HDRMerge",
                                        "SequenceIdFilter"};
    assert_int_equal(ob_filter_list_get_count(filters, &e), 4);
    for (uint32_t i = 0; i < 4; i++) {
        ob_filter *f = ob_filter_list_get_filter(filters, i, &e);
        assert_string_equal(ob_filter_get_name(f, &e), names[i]);
        assert_false(ob_filter_is_enabled(f, &e));
        ob_delete_filter(f, &e);
    }
    assert_null(ob_filter_list_get_filter(filters, 4, &e));
    expect_error(e, OB_ERROR_INVALID_PARAMETER, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    /* a filter taken from the list outlives the list */
    ob_filter *kept = ob_filter_list_get_filter(filters, 0, &e);
    ob_delete_filter_list(filters, &e);
    ob_filter_enable(kept, true, &e);
    assert_true(ob_filter_is_enabled(kept, &e));
    ob_delete_filter(kept, &e);
    ob_sensor *color = ob_sensor_list_get_sensor_by_type(sensors, OB_SENSOR_COLOR, &e);
    filters = ob_sensor_create_recommended_filter_list(color, &e);
    assert_int_equal(ob_filter_list_get_count(filters, &e), 0);
    ob_delete_filter_list(filters, &e);
    ob_delete_sensor(color, &e);
    ob_delete_sensor(depth, &e);
    ob_delete_sensor_list(sensors, &e);
    ob_delete_device(dev, &e);
    ob_delete_device_list(list, &e);
    ob_delete_context(ctx, &e);
    assert_null(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_by_name),
        cmocka_unit_test(config_schema_and_values),
        cmocka_unit_test(decimation_by_2_and_4),
        cmocka_unit_test(decimation_of_color_is_a_plain_mean),
        cmocka_unit_test(threshold),
        cmocka_unit_test(point_cloud_of_a_flat_wall),
        cmocka_unit_test(push_with_callback_and_disable),
        cmocka_unit_test(align_depth_to_color),
        cmocka_unit_test(align_color_to_depth),
        cmocka_unit_test(rgb_point_cloud),
        cmocka_unit_test(unsupported_filters_refuse_to_process),
        cmocka_unit_test(recommended_filters_of_the_depth_sensor),
        cmocka_unit_test(format_convert_yuyv_uyvy_by_hand),
        cmocka_unit_test(format_convert_rgb_bgr_and_grey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

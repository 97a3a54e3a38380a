/*
 * The emulator's TypeHelper.h and Utils.h functions against what SDK v2.9.3 gives: the names
 * it prints for enum values (taken from its type helper tables), its sensor / stream / frame
 * mappings, and its coordinate transformations with numbers derived by hand from its camera
 * model (p_target = R p_source + t in mm; u = fx x/z + cx; rational Brown-Conrady distortion
 * added only for the BROWN_CONRADY model when k1 or k2 is not ~0).
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

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */

static void stream_sensor_and_frame_names(void **state)
{
    (void)state;
    static const char *const streams[] = {"Video",    "IR",         "Color",     "Depth",
                                          "Accel",    "Gyro",       "Left IR",   "Right IR",
                                          "RawPhase", "Confidence", "LiDAR",     "Left Color",
                                          "Right Color"};
    for (int t = 0; t < 13; t++)
        assert_string_equal(ob_stream_type_to_string((OBStreamType)t), streams[t]);
    assert_string_equal(ob_stream_type_to_string(OB_STREAM_UNKNOWN), "Unknown");
    assert_string_equal(ob_stream_type_to_string((OBStreamType)13), "Unregistered stream type");

    /* the sensor names are written without the space the stream names have */
    static const char *const sensors[] = {"Unknown",  "IR",         "Color", "Depth",
                                          "Accel",    "Gyro",       "LeftIR", "RightIR",
                                          "RawPhase", "Confidence", "LiDAR", "LeftColor",
                                          "RightColor"};
    for (int t = 0; t < 13; t++)
        assert_string_equal(ob_sensor_type_to_string((OBSensorType)t), sensors[t]);
    assert_string_equal(ob_sensor_type_to_string((OBSensorType)13), "Unregistered sensor type");

    static const char *const frames[] = {"Video",      "IR",          "Color",      "Depth",
                                         "Accel",      "SET",         "Points",     "Gyro",
                                         "Left IR",    "Right IR",    "RawPhase",   "Confidence",
                                         "LiDAR Points", "Left Color", "Right Color"};
    for (int t = 0; t < 15; t++)
        assert_string_equal(ob_frame_type_to_string((OBFrameType)t), frames[t]);
    assert_string_equal(ob_frame_type_to_string(OB_FRAME_UNKNOWN), "Unknown frame type");
    assert_string_equal(ob_frame_type_to_string((OBFrameType)15), "Unregistered frame type");
}

static void format_and_metadata_names(void **state)
{
    (void)state;
    static const struct {
        OBFormat f;
        const char *name;
    } formats[] = {
        {OB_FORMAT_YUYV, "YUYV"},   {OB_FORMAT_YUY2, "YUY2"},   {OB_FORMAT_MJPG, "MJPG"},
        {OB_FORMAT_Y16, "Y16"},     {OB_FORMAT_Y8, "Y8"},       {OB_FORMAT_GRAY, "GRAY"},
        {OB_FORMAT_I420, "I420"},   {OB_FORMAT_ACCEL, "ACCEL"}, {OB_FORMAT_POINT, "POINT"},
        {OB_FORMAT_RGB_POINT, "RGB_POINT"}, {OB_FORMAT_RGB, "RGB"}, {OB_FORMAT_BGRA, "BGRA"},
        {OB_FORMAT_Z16, "Z16"},     {OB_FORMAT_Y12C4, "Y12C4"}, {OB_FORMAT_RW16, "RW16"},
        {OB_FORMAT_LIDAR_CALIBRATION, "LIDAR_CALIBRATION"}, {OB_FORMAT_UNKNOWN, "UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        assert_string_equal(ob_format_type_to_string(formats[i].f), formats[i].name);
        assert_string_equal(ob_format_to_string(formats[i].f), formats[i].name);
    }
    /* 18 is a gap in OBFormat; the SDK's message for it says "stream type" */
    assert_string_equal(ob_format_to_string((OBFormat)18), "Unregistered stream type");
    assert_string_equal(ob_format_to_string((OBFormat)39), "Unregistered stream type");

    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_TIMESTAMP), "Timestamp");
    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_SENSOR_TIMESTAMP),
                        "Sensor Timestamp");
    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_EXPOSURE_PRIORITY),
                        "Auto Exposure Priority");
    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_NAME),
                        "Sequence Name");
    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_GPIO_INPUT_DATA),
                        "GPIO Input Data");
    assert_string_equal(
        ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_DISPARITY_SEARCH_RANGE),
        "Disparity Search Range");
    for (int t = 0; t < OB_FRAME_METADATA_TYPE_COUNT; t++) {
        const char *s = ob_meta_data_type_to_string((OBFrameMetadataType)t);
        assert_non_null(s);
        assert_null(strstr(s, "Unregistered"));
    }
    assert_string_equal(ob_meta_data_type_to_string(OB_FRAME_METADATA_TYPE_COUNT),
                        "Unregistered metadata name");
    assert_string_equal(ob_meta_data_type_to_string((OBFrameMetadataType)-1),
                        "Unregistered metadata name");
}

static void imu_and_lidar_names_and_rates(void **state)
{
    (void)state;
    /* OBIMUSampleRate 0..17: 400 and 800 Hz were added at the end (16, 17) */
    static const char *const names[] = {
        "UNKNOWN", "1_5625_HZ", "3_125_HZ", "6_25_HZ", "12_5_HZ", "25_HZ",
        "50_HZ",   "100_HZ",    "200_HZ",   "500_HZ",  "1_KHZ",   "2_KHZ",
        "4_KHZ",   "8_KHZ",     "16_KHZ",   "32_KHZ",  "400_HZ",  "800_HZ"};
    static const float hz[] = {0,    1.5625f, 3.125f, 6.25f,  12.5f,   25,     50,
                               100,  200,     500,    1000,   2000,    4000,   8000,
                               16000, 32000,  400,    800};
    for (int t = 0; t < 18; t++) {
        assert_string_equal(ob_imu_rate_type_to_string((OBIMUSampleRate)t), names[t]);
        assert_true(ob_imu_rate_type_to_value((OBIMUSampleRate)t) == hz[t]);
        if (t)
            assert_int_equal(ob_imu_rate_value_to_type(hz[t]), t);
    }
    assert_string_equal(ob_imu_rate_type_to_string((OBIMUSampleRate)18),
                        "Unregistered imu rate type");
    assert_true(ob_imu_rate_type_to_value((OBIMUSampleRate)18) == 0.f);
    assert_int_equal(ob_imu_rate_value_to_type(0.f), OB_SAMPLE_RATE_UNKNOWN);
    assert_int_equal(ob_imu_rate_value_to_type(123.f), OB_SAMPLE_RATE_UNKNOWN);
    assert_int_equal(ob_imu_rate_value_to_type(200.001f), OB_SAMPLE_RATE_UNKNOWN);

    assert_string_equal(ob_gyro_range_type_to_string(OB_GYRO_FS_UNKNOWN), "Unknown");
    assert_string_equal(ob_gyro_range_type_to_string(OB_GYRO_FS_16dps), "16dps");
    assert_string_equal(ob_gyro_range_type_to_string(OB_GYRO_FS_2000dps), "2000dps");
    assert_string_equal(ob_gyro_range_type_to_string(OB_GYRO_FS_800dps), "800dps");
    assert_string_equal(ob_gyro_range_type_to_string((OBGyroFullScaleRange)0),
                        "Unregistered gyro full scale range name");
    assert_string_equal(ob_accel_range_type_to_string(OB_ACCEL_FS_UNKNOWN), "Unknown");
    assert_string_equal(ob_accel_range_type_to_string(OB_ACCEL_FS_16g), "16g");
    assert_string_equal(ob_accel_range_type_to_string(OB_ACCEL_FS_3g), "3g");
    assert_string_equal(ob_accel_range_type_to_string(OB_ACCEL_FS_24g), "24g");
    assert_string_equal(ob_accel_range_type_to_string((OBAccelFullScaleRange)9),
                        "Unregistered acc full scale range name");
    assert_string_equal(ob_lidar_scan_rate_type_to_string(OB_LIDAR_SCAN_UNKNOWN), "Unknown");
    assert_string_equal(ob_lidar_scan_rate_type_to_string(OB_LIDAR_SCAN_15HZ), "15HZ");
    assert_string_equal(ob_lidar_scan_rate_type_to_string(OB_LIDAR_SCAN_40HZ), "40HZ");
    assert_string_equal(ob_lidar_scan_rate_type_to_string((OBLiDARScanRate)8),
                        "Unregistered LiDAR scan rate name");
}

/* ------------------------------------------------------------------------------------------ */
/* Mappings                                                                                   */

static void type_mappings_round_trip(void **state)
{
    (void)state;
    for (int s = OB_SENSOR_IR; s < OB_SENSOR_TYPE_COUNT; s++) {
        OBStreamType st = ob_sensor_type_to_stream_type((OBSensorType)s);
        assert_int_not_equal(st, OB_STREAM_UNKNOWN);
        assert_int_equal(ob_stream_type_to_sensor_type(st), s);
        OBFrameType ft = ob_stream_type_to_frame_type(st);
        assert_int_not_equal(ft, OB_FRAME_UNKNOWN);
        assert_int_equal(ob_frame_type_to_sensor_type(ft), s);
    }
    /* stream and sensor values agree; frame values do not */
    assert_int_equal(ob_sensor_type_to_stream_type(OB_SENSOR_COLOR_LEFT), OB_STREAM_COLOR_LEFT);
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_GYRO), OB_FRAME_GYRO); /* 5 -> 7 */
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_IR_LEFT), OB_FRAME_IR_LEFT); /* 6->8 */
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_LIDAR), OB_FRAME_LIDAR_POINTS);
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_COLOR_RIGHT), OB_FRAME_COLOR_RIGHT);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_COLOR_LEFT), OB_SENSOR_COLOR_LEFT);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_GYRO), OB_SENSOR_GYRO);
    /* video has a stream and a frame but no sensor; set and points have neither */
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_VIDEO), OB_FRAME_VIDEO);
    assert_int_equal(ob_stream_type_to_sensor_type(OB_STREAM_VIDEO), OB_SENSOR_UNKNOWN);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_VIDEO), OB_SENSOR_UNKNOWN);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_SET), OB_SENSOR_UNKNOWN);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_POINTS), OB_SENSOR_UNKNOWN);
    assert_int_equal(ob_sensor_type_to_stream_type(OB_SENSOR_UNKNOWN), OB_STREAM_UNKNOWN);
    assert_int_equal(ob_sensor_type_to_stream_type((OBSensorType)13), OB_STREAM_UNKNOWN);
    assert_int_equal(ob_stream_type_to_sensor_type(OB_STREAM_UNKNOWN), OB_SENSOR_UNKNOWN);
    assert_int_equal(ob_stream_type_to_frame_type(OB_STREAM_UNKNOWN), OB_FRAME_UNKNOWN);
    assert_int_equal(ob_frame_type_to_sensor_type(OB_FRAME_UNKNOWN), OB_SENSOR_UNKNOWN);
}

/* ------------------------------------------------------------------------------------------ */
/* Transformations                                                                            */

static const OBCameraIntrinsic K = {500.f, 500.f, 320.f, 240.f, 640, 480};
static const OBCameraDistortion NO_DIST = {0};
static const OBExtrinsic IDENTITY = {{1, 0, 0, 0, 1, 0, 0, 0, 1}, {0, 0, 0}};
/* 90 degrees about z: x' = -y, y' = x */
static const OBExtrinsic ROT_Z90 = {{0, -1, 0, 1, 0, 0, 0, 0, 1}, {0, 0, 0}};

static OBExtrinsic translation(float tx, float ty, float tz)
{
    OBExtrinsic e = IDENTITY;
    e.trans[0] = tx;
    e.trans[1] = ty;
    e.trans[2] = tz;
    return e;
}

static void expect_invalid_value(ob_error *err, const char *arg)
{
    assert_non_null(err);
    assert_int_equal(ob_error_get_status(err), 100);
    assert_int_equal(ob_error_get_exception_type(err), OB_EXCEPTION_TYPE_INVALID_VALUE);
    assert_non_null(strstr(ob_error_get_message(err), arg));
    ob_delete_error(err);
}

static void point_to_point(void **state)
{
    (void)state;
    ob_error *err = NULL;
    OBPoint3f p = {10, -20, 1000}, q;
    assert_true(ob_transformation_3d_to_3d(p, IDENTITY, &q, &err));
    assert_null(err);
    assert_true(q.x == 10 && q.y == -20 && q.z == 1000);
    assert_true(ob_transformation_3d_to_3d(p, translation(-50, 0, 10), &q, &err));
    assert_true(q.x == -40 && q.y == -20 && q.z == 1010);
    assert_true(ob_transformation_3d_to_3d(p, ROT_Z90, &q, &err));
    assert_true(q.x == 20 && q.y == 10 && q.z == 1000);
    assert_null(err);

    /* refused without error: a point at z = 0, a rotation whose rows are not orthogonal */
    OBPoint3f zero = {10, 10, 0};
    assert_false(ob_transformation_3d_to_3d(zero, IDENTITY, &q, &err));
    OBExtrinsic skew = IDENTITY;
    skew.rot[3] = 1; /* rows 1 and 2 both (1, 0, 0) */
    skew.rot[4] = 0;
    assert_false(ob_transformation_3d_to_3d(p, skew, &q, &err));
    assert_null(err);

    assert_false(ob_transformation_3d_to_3d(p, IDENTITY, NULL, &err));
    expect_invalid_value(err, "target_point3f");
}

static void pixel_to_point(void **state)
{
    (void)state;
    ob_error *err = NULL;
    OBPoint2f px = {420, 140};
    OBPoint3f q;
    /* x = 1000 * (420 - 320) / 500 = 200, y = 1000 * (140 - 240) / 500 = -200 */
    assert_true(ob_transformation_2d_to_3d(px, 1000.f, K, IDENTITY, &q, &err));
    NEAR(q.x, 200, 1e-4);
    NEAR(q.y, -200, 1e-4);
    NEAR(q.z, 1000, 1e-4);
    assert_true(ob_transformation_2d_to_3d(px, 1000.f, K, translation(-50, 0, 10), &q, &err));
    NEAR(q.x, 150, 1e-4);
    NEAR(q.y, -200, 1e-4);
    NEAR(q.z, 1010, 1e-4);
    assert_true(ob_transformation_2d_to_3d(px, 1000.f, K, ROT_Z90, &q, &err));
    NEAR(q.x, 200, 1e-4);
    NEAR(q.y, 200, 1e-4);
    assert_null(err);

    /* outside the image (x > width - 1), depth 0, intrinsics of a camera with no size */
    OBPoint2f out = {640, 10};
    assert_false(ob_transformation_2d_to_3d(out, 1000.f, K, IDENTITY, &q, &err));
    assert_false(ob_transformation_2d_to_3d(px, 0.f, K, IDENTITY, &q, &err));
    OBCameraIntrinsic no_size = K;
    no_size.width = 0;
    assert_false(ob_transformation_2d_to_3d(px, 1000.f, no_size, IDENTITY, &q, &err));
    assert_null(err);
    assert_false(ob_transformation_2d_to_3d(px, 1000.f, K, IDENTITY, NULL, &err));
    expect_invalid_value(err, "target_point3f");
}

static void point_to_pixel(void **state)
{
    (void)state;
    ob_error *err = NULL;
    OBPoint3f p = {200, -200, 1000};
    OBPoint2f px;
    assert_true(ob_transformation_3d_to_2d(p, K, NO_DIST, IDENTITY, &px, &err));
    NEAR(px.x, 420, 1e-4);
    NEAR(px.y, 140, 1e-4);
    /* rotated to (200, 200, 1000): v = 240 + 100 */
    assert_true(ob_transformation_3d_to_2d(p, K, NO_DIST, ROT_Z90, &px, &err));
    NEAR(px.x, 420, 1e-4);
    NEAR(px.y, 340, 1e-4);

    /* k1 = 0.1, k2 = 0.01 at r2 = 0.08: factor 1 + 0.008 + 0.000064 = 1.008064 */
    OBCameraDistortion d = {.k1 = 0.1f, .k2 = 0.01f, .model = OB_DISTORTION_BROWN_CONRADY};
    assert_true(ob_transformation_3d_to_2d(p, K, d, IDENTITY, &px, &err));
    NEAR(px.x, 420.8064, 1e-3);
    NEAR(px.y, 139.1936, 1e-3);
    /* the SDK adds distortion for the BROWN_CONRADY model only */
    d.model = OB_DISTORTION_INVERSE_BROWN_CONRADY;
    assert_true(ob_transformation_3d_to_2d(p, K, d, IDENTITY, &px, &err));
    NEAR(px.x, 420, 1e-4);
    NEAR(px.y, 140, 1e-4);
    assert_null(err);

    /* out of the image: false, the pixel still written (u = 500 + 320) */
    OBPoint3f side = {1000, 0, 1000};
    assert_false(ob_transformation_3d_to_2d(side, K, NO_DIST, IDENTITY, &px, &err));
    NEAR(px.x, 820, 1e-4);
    assert_null(err);
    assert_false(ob_transformation_3d_to_2d(p, K, NO_DIST, IDENTITY, NULL, &err));
    expect_invalid_value(err, "target_point2f");
}

static void pixel_to_pixel_and_back(void **state)
{
    (void)state;
    ob_error *err = NULL;
    OBPoint2f px = {420, 140}, out, back;
    /* depth camera 50 mm to the right of the color camera: (150, -200, 1000) -> u = 395 */
    assert_true(ob_transformation_2d_to_2d(px, 1000.f, K, NO_DIST, K, NO_DIST,
                                           translation(-50, 0, 0), &out, &err));
    NEAR(out.x, 395, 1e-4);
    NEAR(out.y, 140, 1e-4);
    assert_true(ob_transformation_2d_to_2d(out, 1000.f, K, NO_DIST, K, NO_DIST,
                                           translation(50, 0, 0), &back, &err));
    NEAR(back.x, 420, 1e-4);
    NEAR(back.y, 140, 1e-4);

    /* with distortion: project (200, -200, 1000), then 2d -> 2d on the same camera gives the
     * same pixel back, to the SDK's own stopping criterion (0.01 pixel) */
    OBCameraDistortion d = {.k1 = 0.1f, .k2 = 0.01f, .p1 = 0.001f, .p2 = -0.002f,
                            .model = OB_DISTORTION_BROWN_CONRADY};
    OBPoint3f p = {200, -200, 1000};
    assert_true(ob_transformation_3d_to_2d(p, K, d, IDENTITY, &out, &err));
    assert_true(ob_transformation_2d_to_2d(out, 1000.f, K, d, K, d, IDENTITY, &back, &err));
    NEAR(back.x, out.x, 0.01);
    NEAR(back.y, out.y, 0.01);
    /* and undistorting only (target without distortion) lands on the ideal pixel */
    assert_true(ob_transformation_2d_to_2d(out, 1000.f, K, d, K, NO_DIST, IDENTITY, &back, &err));
    NEAR(back.x, 420, 0.01);
    NEAR(back.y, 140, 0.01);
    assert_null(err);
    assert_false(ob_transformation_2d_to_2d(px, 1000.f, K, d, K, d, IDENTITY, NULL, &err));
    expect_invalid_value(err, "target_point2f");
}

/* depth: K; color: 1280x720, f = 1000, center (640, 360); depth -> color: 50 mm to the left */
static ob_calibration_param *calibration(void)
{
    ob_calibration_param *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->intrinsics[OB_SENSOR_DEPTH] = K;
    c->intrinsics[OB_SENSOR_COLOR] = (OBCameraIntrinsic){1000.f, 1000.f, 640.f, 360.f, 1280, 720};
    c->extrinsics[OB_SENSOR_DEPTH][OB_SENSOR_COLOR] = translation(-50, 0, 0);
    c->extrinsics[OB_SENSOR_COLOR][OB_SENSOR_DEPTH] = translation(50, 0, 0);
    return c;
}

static void calibration_variants(void **state)
{
    (void)state;
    ob_calibration_param *c = calibration();
    ob_error *err = NULL;
    OBPoint2f px = {420, 140}, out;
    OBPoint3f q;
    /* (200, -200, 1000) in depth space, (150, -200, 1000) in color space: u = 150 + 640 */
    assert_true(ob_calibration_2d_to_3d(*c, px, 1000.f, OB_SENSOR_DEPTH, OB_SENSOR_COLOR, &q, &err));
    NEAR(q.x, 150, 1e-4);
    NEAR(q.y, -200, 1e-4);
    assert_true(ob_calibration_2d_to_2d(*c, px, 1000.f, OB_SENSOR_DEPTH, OB_SENSOR_COLOR, &out, &err));
    NEAR(out.x, 790, 1e-3);
    NEAR(out.y, 160, 1e-3);
    OBPoint2f cpx = {790, 160};
    assert_true(ob_calibration_2d_to_2d(*c, cpx, 1000.f, OB_SENSOR_COLOR, OB_SENSOR_DEPTH, &out, &err));
    NEAR(out.x, 420, 1e-3);
    NEAR(out.y, 140, 1e-3);
    OBPoint3f p = {200, -200, 1000};
    assert_true(ob_calibration_3d_to_3d(*c, p, OB_SENSOR_DEPTH, OB_SENSOR_COLOR, &q, &err));
    NEAR(q.x, 150, 1e-4);
    /* as in the SDK, 3d_to_2d projects with the SOURCE camera's intrinsics: 150 * 0.5 + 320 */
    assert_true(ob_calibration_3d_to_2d(*c, p, OB_SENSOR_DEPTH, OB_SENSOR_COLOR, &out, &err));
    NEAR(out.x, 395, 1e-3);
    NEAR(out.y, 140, 1e-3);
    /* same sensor: copied as is, even a point at z = 0 */
    OBPoint3f zero = {1, 2, 0};
    assert_true(ob_calibration_3d_to_3d(*c, zero, OB_SENSOR_IR, OB_SENSOR_IR, &q, &err));
    assert_true(q.x == 1 && q.y == 2 && q.z == 0);
    /* only depth and color have a 2d end here */
    assert_false(ob_calibration_2d_to_3d(*c, px, 1000.f, OB_SENSOR_IR, OB_SENSOR_COLOR, &q, &err));
    assert_null(err);
    /* a sensor type out of the table is an invalid value */
    assert_false(ob_calibration_3d_to_3d(*c, p, OB_SENSOR_DEPTH, (ob_sensor_type)13, &q, &err));
    expect_invalid_value(err, "sensor type");
    err = NULL;
    assert_false(ob_calibration_2d_to_2d(*c, px, 1000.f, OB_SENSOR_DEPTH, OB_SENSOR_COLOR, NULL, &err));
    expect_invalid_value(err, "target_point2f");
    free(c);
}

static void xy_tables_and_point_clouds(void **state)
{
    (void)state;
    ob_calibration_param *c = calibration();
    /* a 4x3 depth camera, f = 2, center (1, 1): x = (u - 1) / 2, y = (v - 1) / 2 */
    c->intrinsics[OB_SENSOR_DEPTH] = (OBCameraIntrinsic){2.f, 2.f, 1.f, 1.f, 4, 3};
    ob_error *err = NULL;
    float data[24];
    uint32_t size = 23;
    ob_xy_tables t;
    assert_false(transformation_init_xy_tables(*c, OB_SENSOR_DEPTH, data, &size, &t, &err));
    assert_int_equal(size, 23);
    assert_false(transformation_init_xy_tables(*c, OB_SENSOR_IR, data, &size, &t, &err));
    assert_null(err);
    assert_false(transformation_init_xy_tables(*c, OB_SENSOR_DEPTH, NULL, &size, &t, &err));
    expect_invalid_value(err, "data");
    err = NULL;
    size = 24;
    assert_true(transformation_init_xy_tables(*c, OB_SENSOR_DEPTH, data, &size, &t, &err));
    assert_null(err);
    assert_int_equal(size, 24);
    assert_int_equal(t.width, 4);
    assert_int_equal(t.height, 3);
    assert_ptr_equal(t.xTable, data);
    assert_ptr_equal(t.yTable, data + 12);
    static const float xs[4] = {-0.5f, 0.f, 0.5f, 1.f}, ys[3] = {-0.5f, 0.f, 0.5f};
    for (int i = 0; i < 12; i++) {
        NEAR(t.xTable[i], xs[i % 4], 1e-6);
        NEAR(t.yTable[i], ys[i / 4], 1e-6);
    }

    /* depth 1000 everywhere but pixel 0 (no depth) and pixel 5 (65535: invalid) */
    uint16_t depth[12];
    for (int i = 0; i < 12; i++)
        depth[i] = 1000;
    depth[0] = 0;
    depth[5] = 65535;
    float cloud[12 * 6];
    for (int i = 0; i < 12 * 6; i++)
        cloud[i] = -1.f;
    transformation_depth_to_pointcloud(&t, depth, cloud, &err);
    assert_null(err);
    /* 10 points, packed: pixel 1 first, pixel 4 fourth, pixel 6 fifth; slots 10, 11 untouched */
    NEAR(cloud[0], 0, 1e-4);
    NEAR(cloud[1], -500, 1e-4);
    NEAR(cloud[2], 1000, 1e-4);
    NEAR(cloud[3 * 1 + 0], 500, 1e-4); /* pixel 2 */
    NEAR(cloud[3 * 3 + 0], -500, 1e-4); /* pixel 4 */
    NEAR(cloud[3 * 3 + 1], 0, 1e-4);
    NEAR(cloud[3 * 4 + 0], 500, 1e-4); /* pixel 6 */
    NEAR(cloud[3 * 9 + 0], 1000, 1e-4); /* pixel 11: x = 1 * 1000, y = 0.5 * 1000 */
    NEAR(cloud[3 * 9 + 1], 500, 1e-4);
    assert_true(cloud[3 * 10] == -1.f && cloud[3 * 11 + 2] == -1.f);

    /* RGBD: as SDK 2.9.3 does, every point takes the first colour pixel; the depth-0 pixel
     * stays as (0, 0, 0) with that colour */
    uint8_t rgb[12 * 3];
    for (int i = 0; i < 12 * 3; i++)
        rgb[i] = (uint8_t)(100 + i);
    rgb[0] = 10;
    rgb[1] = 20;
    rgb[2] = 30;
    for (int i = 0; i < 12 * 6; i++)
        cloud[i] = -1.f;
    transformation_depth_to_rgbd_pointcloud(&t, depth, rgb, cloud, &err);
    assert_null(err);
    NEAR(cloud[0], 0, 1e-6);
    NEAR(cloud[2], 0, 1e-6);
    assert_true(cloud[3] == 10 && cloud[4] == 20 && cloud[5] == 30);
    NEAR(cloud[6 * 1 + 1], -500, 1e-4); /* pixel 1 */
    assert_true(cloud[6 * 1 + 3] == 10 && cloud[6 * 10 + 5] == 30); /* pixel 11 */
    NEAR(cloud[6 * 10 + 0], 1000, 1e-4);
    assert_true(cloud[6 * 11] == -1.f);
    transformation_depth_to_rgbd_pointcloud(&t, depth, NULL, cloud, &err);
    expect_invalid_value(err, "color_image_data");
    err = NULL;
    transformation_depth_to_pointcloud(NULL, depth, cloud, &err);
    expect_invalid_value(err, "xy_tables");
    free(c);
}

/* A distorted camera: each xy table entry, projected again with the distortion, is its pixel. */
static void xy_table_undoes_distortion(void **state)
{
    (void)state;
    ob_calibration_param *c = calibration();
    OBCameraIntrinsic k = {40.f, 40.f, 32.f, 24.f, 64, 48};
    OBCameraDistortion d = {.k1 = 0.1f, .k2 = 0.01f, .model = OB_DISTORTION_BROWN_CONRADY};
    c->intrinsics[OB_SENSOR_DEPTH] = k;
    c->distortion[OB_SENSOR_DEPTH] = d;
    static float data[2 * 64 * 48];
    uint32_t size = 2 * 64 * 48;
    ob_xy_tables t;
    ob_error *err = NULL;
    assert_true(transformation_init_xy_tables(*c, OB_SENSOR_DEPTH, data, &size, &t, &err));
    static const int pixels[][2] = {{1, 1}, {62, 46}, {32, 24}, {5, 40}};
    for (size_t i = 0; i < 4; i++) {
        int u = pixels[i][0], v = pixels[i][1], idx = v * 64 + u;
        assert_false(isnan(t.xTable[idx]));
        OBPoint3f p = {t.xTable[idx] * 1000.f, t.yTable[idx] * 1000.f, 1000.f};
        OBPoint2f px;
        assert_true(ob_transformation_3d_to_2d(p, k, d, IDENTITY, &px, &err));
        NEAR(px.x, u, 0.01);
        NEAR(px.y, v, 0.01);
    }
    /* the corner moves inwards once distortion is removed: |x| < (0 - 32) / 40 */
    assert_true(fabsf(t.xTable[0]) < 0.8f);
    assert_null(err);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_sensor_and_frame_names),
        cmocka_unit_test(format_and_metadata_names),
        cmocka_unit_test(imu_and_lidar_names_and_rates),
        cmocka_unit_test(type_mappings_round_trip),
        cmocka_unit_test(point_to_point),
        cmocka_unit_test(pixel_to_point),
        cmocka_unit_test(point_to_pixel),
        cmocka_unit_test(pixel_to_pixel_and_back),
        cmocka_unit_test(calibration_variants),
        cmocka_unit_test(xy_tables_and_point_clouds),
        cmocka_unit_test(xy_table_undoes_distortion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

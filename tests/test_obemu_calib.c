/*
 * The emulator's calibration API against the geometry its filters use (nominal intrinsics
 * fx = fy = w/2, cx = w/2, cy = h/2, no distortion; depth to colour a 10 mm translation along
 * x with p_color = p_depth - (10, 0, 0)), and ob_save_pointcloud_to_ply's files in the layout
 * SDK v2.9.3 writes, read back line by line and byte by byte. Values derived by hand.
 */
#include <math.h>
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

#define NEAR(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void expect_error(ob_error *e, ob_exception_type type)
{
    assert_non_null(e);
    assert_int_equal(ob_error_get_exception_type(e), type);
    ob_delete_error(e);
}

static void assert_identity_rot(const ob_extrinsic *x)
{
    for (int i = 0; i < 9; i++)
        NEAR(x->rot[i], (i % 4) == 0 ? 1.0 : 0.0, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Profiles                                                                                   */

typedef struct {
    ob_context *ctx;
    ob_device_list *list;
    ob_device *dev;
    ob_pipeline *pipe;
} rig_t;

static void open_rig(rig_t *r)
{
    ob_error *e = NULL;
    r->ctx = ob_create_context(&e);
    r->list = ob_query_device_list(r->ctx, &e);
    r->dev = ob_device_list_get_device(r->list, 0, &e);
    r->pipe = ob_create_pipeline_with_device(r->dev, &e);
    assert_null(e);
}

static void close_rig(rig_t *r)
{
    ob_error *e = NULL;
    ob_delete_pipeline(r->pipe, &e);
    ob_delete_device(r->dev, &e);
    ob_delete_device_list(r->list, &e);
    ob_delete_context(r->ctx, &e);
    assert_null(e);
}

static ob_stream_profile *profile_of(rig_t *r, ob_sensor_type s, int w, int h)
{
    ob_error *e = NULL;
    ob_stream_profile_list *l = ob_pipeline_get_stream_profile_list(r->pipe, s, &e);
    ob_stream_profile *p = ob_stream_profile_list_get_video_stream_profile(l, w, h, OB_FORMAT_ANY,
                                                                           OB_FPS_ANY, &e);
    ob_delete_stream_profile_list(l, &e);
    assert_null(e);
    assert_non_null(p);
    return p;
}

static void intrinsics_of_a_640x480_profile(void **state)
{
    (void)state;
    rig_t r;
    open_rig(&r);
    ob_error *e = NULL;
    ob_stream_profile *color = profile_of(&r, OB_SENSOR_COLOR, 640, 480);
    ob_camera_intrinsic k = ob_video_stream_profile_get_intrinsic(color, &e);
    assert_null(e);
    NEAR(k.fx, 320, 0);
    NEAR(k.fy, 320, 0);
    NEAR(k.cx, 320, 0);
    NEAR(k.cy, 240, 0);
    assert_int_equal(k.width, 640);
    assert_int_equal(k.height, 480);
    ob_camera_distortion d = ob_video_stream_profile_get_distortion(color, &e);
    assert_null(e);
    NEAR(d.k1, 0, 0);
    NEAR(d.p2, 0, 0);
    assert_int_equal(d.model, OB_DISTORTION_NONE);

    /* set on the handle: kept there and in its copies */
    k.fx = 600.5f;
    ob_video_stream_profile_set_intrinsic(color, k, &e);
    ob_stream_profile *copy = ob_create_stream_profile_from_other_stream_profile(color, &e);
    NEAR(ob_video_stream_profile_get_intrinsic(color, &e).fx, 600.5, 0);
    NEAR(ob_video_stream_profile_get_intrinsic(copy, &e).fx, 600.5, 0);
    d.k1 = 0.25f;
    d.model = OB_DISTORTION_BROWN_CONRADY;
    ob_video_stream_profile_set_distortion(copy, d, &e);
    NEAR(ob_video_stream_profile_get_distortion(copy, &e).k1, 0.25, 0);
    NEAR(ob_video_stream_profile_get_distortion(color, &e).k1, 0, 0);
    assert_null(e);
    ob_delete_stream_profile(copy, &e);

    /* a profile the user made has none, as in the SDK */
    ob_stream_profile *mine =
        ob_create_video_stream_profile(OB_STREAM_COLOR, OB_FORMAT_RGB, 640, 480, 30, &e);
    ob_video_stream_profile_get_intrinsic(mine, &e);
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_stream_profile_get_extrinsic_to(mine, color, &e);
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_stream_profile(mine, &e);

    /* a depth profile of 640 x 576: fx = 320, cy = 288 */
    ob_stream_profile *depth = profile_of(&r, OB_SENSOR_DEPTH, 640, 576);
    k = ob_video_stream_profile_get_intrinsic(depth, &e);
    NEAR(k.fx, 320, 0);
    NEAR(k.cy, 288, 0);
    ob_delete_stream_profile(depth, &e);
    ob_delete_stream_profile(color, &e);
    assert_null(e);
    close_rig(&r);
}

static void extrinsic_depth_to_color_and_back(void **state)
{
    (void)state;
    rig_t r;
    open_rig(&r);
    ob_error *e = NULL;
    ob_stream_profile *color = profile_of(&r, OB_SENSOR_COLOR, 0, 0);
    ob_stream_profile *depth = profile_of(&r, OB_SENSOR_DEPTH, 0, 0);
    ob_extrinsic d2c = ob_stream_profile_get_extrinsic_to(depth, color, &e);
    assert_null(e);
    assert_identity_rot(&d2c);
    NEAR(d2c.trans[0], -10, 0);
    NEAR(d2c.trans[1], 0, 0);
    NEAR(d2c.trans[2], 0, 0);
    ob_extrinsic c2d = ob_stream_profile_get_extrinsic_to(color, depth, &e);
    assert_identity_rot(&c2d);
    NEAR(c2d.trans[0], 10, 0);
    ob_extrinsic self = ob_stream_profile_get_extrinsic_to(depth, depth, &e);
    assert_identity_rot(&self);
    NEAR(self.trans[0], 0, 0);
    assert_null(e);

    /* what the transformation functions make of it: the depth camera's point (0, 0, 1000) is
     * at x = -10 mm in the colour camera */
    OBPoint3f src = {0, 0, 1000}, dst;
    assert_true(ob_transformation_3d_to_3d(src, d2c, &dst, &e));
    NEAR(dst.x, -10, 1e-4);
    NEAR(dst.z, 1000, 1e-4);

    /* set on the source: read back, and inverted when asked the other way */
    ob_extrinsic mine = d2c;
    mine.rot[0] = 0; mine.rot[1] = -1; mine.rot[3] = 1; mine.rot[4] = 0; /* 90 deg about z */
    mine.trans[0] = 5; mine.trans[1] = 7;
    ob_stream_profile_set_extrinsic_to(depth, color, mine, &e);
    ob_extrinsic got = ob_stream_profile_get_extrinsic_to(depth, color, &e);
    NEAR(got.rot[1], -1, 0);
    NEAR(got.trans[1], 7, 0);
    /* inverse: R^T = [[0,1,0],[-1,0,0],[0,0,1]], -R^T t = -(7, -5, 0) = (-7, 5, 0) */
    got = ob_stream_profile_get_extrinsic_to(color, depth, &e);
    NEAR(got.rot[1], 1, 0);
    NEAR(got.rot[3], -1, 0);
    NEAR(got.trans[0], -7, 1e-6);
    NEAR(got.trans[1], 5, 1e-6);
    NEAR(got.trans[2], 0, 1e-6);
    ob_stream_profile_set_extrinsic_to_type(depth, (ob_stream_type)99, mine, &e);
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_stream_profile(depth, &e);
    ob_delete_stream_profile(color, &e);
    assert_null(e);
    close_rig(&r);
}

static void camera_params_of_device_and_pipeline(void **state)
{
    (void)state;
    rig_t r;
    open_rig(&r);
    ob_error *e = NULL;
    ob_camera_param_list *l = ob_device_get_calibration_camera_param_list(r.dev, &e);
    assert_null(e);
    uint32_t n = ob_camera_param_list_get_count(l, &e);
    assert_true(n >= 1);
    for (uint32_t i = 0; i < n; i++) {
        ob_camera_param p = ob_camera_param_list_get_param(l, i, &e);
        NEAR(p.depthIntrinsic.fx, p.depthIntrinsic.width / 2.0, 0);
        NEAR(p.rgbIntrinsic.cy, p.rgbIntrinsic.height / 2.0, 0);
        NEAR(p.transform.trans[0], -10, 0);
        assert_false(p.isMirrored);
    }
    ob_camera_param_list_get_param(l, n, &e);
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_camera_param_list(l, &e);

    /* before a start: zeros, as the SDK */
    ob_camera_param p = ob_pipeline_get_camera_param(r.pipe, &e);
    assert_null(e);
    NEAR(p.rgbIntrinsic.fx, 0, 0);
    NEAR(p.transform.rot[0], 0, 0);

    p = ob_pipeline_get_camera_param_with_profile(r.pipe, 640, 480, 640, 576, &e);
    assert_null(e);
    NEAR(p.rgbIntrinsic.fx, 320, 0);
    NEAR(p.rgbIntrinsic.cy, 240, 0);
    NEAR(p.depthIntrinsic.cy, 288, 0);
    NEAR(p.transform.trans[0], -10, 0);
    ob_pipeline_get_camera_param_with_profile(r.pipe, 641, 480, 640, 576, &e);
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_DATA);
    e = NULL;

    ob_config *cfg = ob_create_config(&e);
    ob_config_enable_video_stream(cfg, OB_STREAM_COLOR, 640, 480, OB_FPS_ANY, OB_FORMAT_ANY, &e);
    ob_config_enable_video_stream(cfg, OB_STREAM_DEPTH, 640, 576, OB_FPS_ANY, OB_FORMAT_ANY, &e);
    assert_null(e);
    ob_calibration_param c = ob_pipeline_get_calibration_param(r.pipe, cfg, &e);
    assert_null(e);
    NEAR(c.intrinsics[OB_SENSOR_COLOR].fx, 320, 0);
    NEAR(c.intrinsics[OB_SENSOR_DEPTH].cy, 288, 0);
    NEAR(c.extrinsics[OB_SENSOR_DEPTH][OB_SENSOR_COLOR].trans[0], -10, 0);
    NEAR(c.extrinsics[OB_SENSOR_COLOR][OB_SENSOR_DEPTH].trans[0], 10, 0);
    NEAR(c.extrinsics[OB_SENSOR_IR][OB_SENSOR_IR].rot[4], 1, 0);
    NEAR(c.intrinsics[OB_SENSOR_IR].fx, 0, 0);

    ob_pipeline_start_with_config(r.pipe, cfg, &e);
    assert_null(e);
    p = ob_pipeline_get_camera_param(r.pipe, &e);
    assert_null(e);
    NEAR(p.rgbIntrinsic.fx, 320, 0);
    NEAR(p.depthIntrinsic.height, 576, 0);
    NEAR(p.transform.trans[0], -10, 0);
    ob_pipeline_stop(r.pipe, &e);
    ob_delete_config(cfg, &e);
    assert_null(e);
    close_rig(&r);
}

/* ------------------------------------------------------------------------------------------ */
/* PLY                                                                                        */

/* A 2 x 2 point cloud of a depth frame (fx = fy = 1, cx = cy = 1). */
static ob_frame *cloud(const uint16_t depth[4])
{
    ob_error *e = NULL;
    ob_frame *f = ob_create_video_frame(OB_FRAME_DEPTH, OB_FORMAT_Y16, 2, 2, 0, &e);
    memcpy(ob_frame_get_data(f, &e), depth, 8);
    ob_filter *pc = ob_create_filter("PointCloudFilter", &e);
    ob_frame *out = ob_filter_process(pc, f, &e);
    assert_null(e);
    assert_int_equal(ob_frame_get_format(out, &e), OB_FORMAT_POINT);
    ob_delete_filter(pc, &e);
    ob_delete_frame(f, &e);
    return out;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 4096);
    *len = fread(buf, 1, 4095, f);
    fclose(f);
    return buf;
}

static void ply_ascii_of_a_2x2_frame(void **state)
{
    (void)state;
    ob_error *e = NULL;
    char path[] = "/tmp/test_obemu_calib_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* (0,0) 1000: (-1000, -1000, 1000); (1,0) 2000: (0, -2000, 2000); (0,1) hole; (1,1) 500:
     * (0, 0, 500) */
    ob_frame *f = cloud((const uint16_t[]){1000, 2000, 0, 500});
    assert_true(ob_save_pointcloud_to_ply(path, f, false, false, 0, &e));
    assert_null(e);
    size_t len;
    char *text = slurp(path, &len);
    assert_string_equal(text, "ply\n"
                              "format ascii 1.0\n"
                              "comment Generated by mesh generation code\n"
                              "element vertex 3\n"
                              "property float x\n"
                              "property float y\n"
                              "property float z\n"
                              "end_header\n"
                              "-1000 -1000 1000\n"
                              "0 -2000 2000\n"
                              "0 0 500\n");
    free(text);

    /* a mesh: all four at 1000 mm, vertices 0 (0,0), 1 (1,0), 2 (0,1), 3 (1,1); A = 2, B = 0,
     * C = 1, D = 3; |AB| = |AD| = 1000, |AC| = 1414.2: faces (2 1 0) and (2 3 1) */
    ob_delete_frame(f, &e);
    f = cloud((const uint16_t[]){1000, 1000, 1000, 1000});
    assert_true(ob_save_pointcloud_to_ply(path, f, false, true, 1500, &e));
    text = slurp(path, &len);
    assert_non_null(strstr(text, "element vertex 4\nproperty float x\nproperty float y\n"
                                 "property float z\nelement face 2\n"
                                 "property list uchar int vertex_indices\nend_header\n"));
    assert_non_null(strstr(text, "end_header\n-1000 -1000 1000\n0 -1000 1000\n-1000 0 1000\n"
                                 "0 0 1000\n3 2 1 0\n3 2 3 1\n"));
    free(text);
    /* |AC| above the threshold: no face, false without error, the file untouched */
    unlink(path);
    assert_false(ob_save_pointcloud_to_ply(path, f, false, true, 1200, &e));
    assert_null(e);
    assert_int_equal(access(path, F_OK), -1);
    ob_delete_frame(f, &e);

    /* no point at all; a frame that is not a point cloud */
    f = cloud((const uint16_t[]){0, 0, 0, 0});
    assert_false(ob_save_pointcloud_to_ply(path, f, false, false, 0, &e));
    assert_null(e);
    ob_delete_frame(f, &e);
    ob_frame *depth = ob_create_video_frame(OB_FRAME_DEPTH, OB_FORMAT_Y16, 2, 2, 0, &e);
    assert_false(ob_save_pointcloud_to_ply(path, depth, false, false, 0, &e));
    assert_null(e);
    assert_false(ob_save_pointcloud_to_ply(NULL, depth, false, false, 0, &e));
    expect_error(e, OB_EXCEPTION_TYPE_INVALID_VALUE);
    e = NULL;
    ob_delete_frame(depth, &e);
    assert_null(e);
}

static void ply_binary_with_mesh(void **state)
{
    (void)state;
    ob_error *e = NULL;
    char path[] = "/tmp/test_obemu_calib_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ob_frame *f = cloud((const uint16_t[]){1000, 1000, 1000, 1000});
    assert_true(ob_save_pointcloud_to_ply(path, f, true, true, 1500, &e));
    assert_null(e);
    size_t len;
    char *buf = slurp(path, &len);
    const char *header = "ply\nformat binary_little_endian 1.0\n"
                         "comment Generated by mesh generation code\nelement vertex 4\n"
                         "property float x\nproperty float y\nproperty float z\n"
                         "element face 2\nproperty list uchar int vertex_indices\nend_header\n";
    size_t hl = strlen(header);
    assert_memory_equal(buf, header, hl);
    assert_int_equal(len, hl + 4 * 12 + 2 * 13);
    float v[12];
    memcpy(v, buf + hl, sizeof(v));
    static const float want[12] = {-1000, -1000, 1000, 0, -1000, 1000,
                                   -1000, 0,     1000, 0, 0,     1000};
    for (int i = 0; i < 12; i++)
        NEAR(v[i], want[i], 0);
    const unsigned char *face = (const unsigned char *)buf + hl + 48;
    int32_t idx[3];
    assert_int_equal(face[0], 3);
    memcpy(idx, face + 1, 12);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 0);
    assert_int_equal(face[13], 3);
    memcpy(idx, face + 14, 12);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 3);
    assert_int_equal(idx[2], 1);
    free(buf);
    unlink(path);
    ob_delete_frame(f, &e);
    assert_null(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intrinsics_of_a_640x480_profile),
        cmocka_unit_test(extrinsic_depth_to_color_and_back),
        cmocka_unit_test(camera_params_of_device_and_pipeline),
        cmocka_unit_test(ply_ascii_of_a_2x2_frame),
        cmocka_unit_test(ply_binary_with_mesh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

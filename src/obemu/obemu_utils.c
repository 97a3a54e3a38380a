/*
 * librigsync-obemu: the vendor's Utils.h (coordinate transformations, xy tables, point clouds
 * from raw depth), pure math on the caller's data, with the conventions of OrbbecSDK v2.9.3:
 *
 * - A point in camera space is in millimetres, z along the optical axis; a pixel (u, v) and a
 *   point relate by u = fx * x / z + cx, v = fy * y / z + cy.
 * - An extrinsic maps source to target: p_target = R * p_source + t, R row-major (rot[0..2] is
 *   the first row), t in millimetres. It is refused (result false, no error) when R's first row
 *   is not orthogonal to its second and third (|dot| >= 1e-4).
 * - Intrinsics are refused when width or height is 0, or fx, fy, cx, cy is below 1 or above
 *   1e4. A source pixel must lie in [0, width-1] x [0, height-1]; a 3d point with |z| < 1e-4
 *   cannot be transformed.
 * - Distortion (rational Brown-Conrady: radial (1 + k1 r2 + k2 r4 + k3 r6) / (1 + k4 r2 + k5
 *   r4 + k6 r6), tangential p1, p2) is added when projecting only if the model is
 *   OB_DISTORTION_BROWN_CONRADY and k1 or k2 is not ~0; it is removed when unprojecting (in
 *   2d_to_2d and the xy tables, whatever the model) by at most 20 fixed-point steps, the pixel
 *   being invalid when the best step still misses by more than 0.5 pixel.
 *   ob_transformation_2d_to_3d ignores distortion (it has no distortion parameter).
 * - A projected pixel outside [0, width-1] x [0, height-1] is still written, the result false.
 *
 * A NULL output is an invalid-value error (status 100), as in the SDK; invalid parameters are a
 * plain false without error, as in the SDK. The deprecated ob_calibration_* variants read the
 * intrinsics, distortion and extrinsic of the two sensor types from an ob_calibration_param;
 * only depth and color may be their 2d end (false otherwise), and, as in the SDK,
 * ob_calibration_3d_to_2d projects with the SOURCE sensor's intrinsics and distortion.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "obemu_internal.h"

#define UTIL_EPS 1e-4
#define UTIL_FMAX 1e4f

static bool null_output(const void *arg, const char *name, ob_error **error, const char *function)
{
    if (arg)
        return false;
    char args[80];
    snprintf(args, sizeof(args), "%s = NULL", name);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "NULL pointer passed for argument \"%s\"", name);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Camera model                                                                               */

static bool extrinsic_ok(const OBExtrinsic *e)
{
    float d12 = e->rot[0] * e->rot[3] + e->rot[1] * e->rot[4] + e->rot[2] * e->rot[5];
    float d13 = e->rot[0] * e->rot[6] + e->rot[1] * e->rot[7] + e->rot[2] * e->rot[8];
    return fabsf(d12) < UTIL_EPS && fabsf(d13) < UTIL_EPS;
}

static bool intrinsic_ok(const OBCameraIntrinsic *in)
{
    if (in->width == 0 || in->height == 0)
        return false;
    if (in->fx < 1.f || in->fy < 1.f || in->cx < 1.f || in->cy < 1.f)
        return false;
    return !(in->fx > UTIL_FMAX || in->fy > UTIL_FMAX || in->cx > UTIL_FMAX || in->cy > UTIL_FMAX);
}

static bool pixel_inside(const OBCameraIntrinsic *in, float u, float v)
{
    return u >= 0 && v >= 0 && u <= (float)(in->width - 1) && v <= (float)(in->height - 1);
}

/* Normalised undistorted (x, y) -> normalised distorted, rational radial + tangential. */
static void add_distortion(const OBCameraDistortion *d, double x, double y, double *xd, double *yd)
{
    double r2 = x * x + y * y, r4 = r2 * r2, r6 = r4 * r2;
    double radial = (1 + d->k1 * r2 + d->k2 * r4 + d->k3 * r6) /
                    (1 + d->k4 * r2 + d->k5 * r4 + d->k6 * r6);
    *xd = x * radial + d->p1 * (2 * x * y) + d->p2 * (r2 + 2 * x * x);
    *yd = y * radial + d->p1 * (r2 + 2 * y * y) + d->p2 * (2 * x * y);
}

/* Pixel -> point on the plane z = 1 with distortion removed. False (and the distorted
 * normalised point) when the iteration does not come within 0.5 pixel. */
static bool unproject(const OBCameraIntrinsic *in, const OBCameraDistortion *d, float u, float v,
                      double *out_x, double *out_y)
{
    double xd = (u - in->cx) / in->fx, yd = (v - in->cy) / in->fy;
    double x = xd, y = yd, best = 99999;
    for (int step = 0; step < 20; step++) {
        double r2 = x * x + y * y, r4 = r2 * r2, r6 = r4 * r2;
        double inv = (1 + d->k4 * r2 + d->k5 * r4 + d->k6 * r6) /
                     (1 + d->k1 * r2 + d->k2 * r4 + d->k3 * r6);
        double tx = d->p1 * 2.0 * x * y + d->p2 * (r2 + 2 * x * x);
        double ty = d->p2 * 2.0 * x * y + d->p1 * (r2 + 2 * y * y);
        x = (xd - tx) * inv;
        y = (yd - ty) * inv;
        double px, py; /* reproject the estimate and measure the miss in pixels */
        add_distortion(d, x, y, &px, &py);
        double err = hypot(px * in->fx + in->cx - u, py * in->fy + in->cy - v);
        if (err > best)
            break; /* diverging: keep this step's estimate, as the SDK does */
        best = err;
        if (err < 0.01)
            break;
    }
    if (best > 0.5) {
        *out_x = xd;
        *out_y = yd;
        return false;
    }
    *out_x = x;
    *out_y = y;
    return true;
}

static bool point_to_point(OBPoint3f p, const OBExtrinsic *e, OBPoint3f *out)
{
    if (!extrinsic_ok(e) || fabsf(p.z) < UTIL_EPS)
        return false;
    const float *r = e->rot;
    out->x = r[0] * p.x + r[1] * p.y + r[2] * p.z + e->trans[0];
    out->y = r[3] * p.x + r[4] * p.y + r[5] * p.z + e->trans[1];
    out->z = r[6] * p.x + r[7] * p.y + r[8] * p.z + e->trans[2];
    return true;
}

/* Pixel + depth (mm) of the source -> 3d point of the target; with distortion removed when
 * `dist` is not NULL. */
static bool pixel_to_point(const OBCameraIntrinsic *in, const OBCameraDistortion *dist,
                           OBPoint2f px, float depth, const OBExtrinsic *e, OBPoint3f *out)
{
    if (!intrinsic_ok(in) || !extrinsic_ok(e) || !pixel_inside(in, px.x, px.y))
        return false;
    OBPoint3f p = {.z = depth};
    if (dist) {
        double x, y;
        if (!unproject(in, dist, px.x, px.y, &x, &y))
            return false;
        p.x = (float)x * depth;
        p.y = (float)y * depth;
    } else {
        p.x = depth * (px.x - in->cx) / in->fx;
        p.y = depth * (px.y - in->cy) / in->fy;
    }
    return point_to_point(p, e, out);
}

/* 3d point in the camera's own frame -> its pixel; false when outside the image. */
static bool point_to_pixel(const OBCameraIntrinsic *in, const OBCameraDistortion *d, OBPoint3f p,
                           OBPoint2f *out)
{
    double x = p.x / p.z, y = p.y / p.z, xd = x, yd = y;
    if ((fabsf(d->k1) > UTIL_EPS || fabsf(d->k2) > UTIL_EPS) &&
        d->model == OB_DISTORTION_BROWN_CONRADY)
        add_distortion(d, x, y, &xd, &yd);
    out->x = (float)xd * in->fx + in->cx;
    out->y = (float)yd * in->fy + in->cy;
    return pixel_inside(in, out->x, out->y);
}

static bool point_to_pixel_via(OBPoint3f p, const OBCameraIntrinsic *in,
                               const OBCameraDistortion *d, const OBExtrinsic *e, OBPoint2f *out)
{
    OBPoint3f q;
    return point_to_point(p, e, &q) && point_to_pixel(in, d, q, out);
}

static bool pixel_to_pixel(const OBCameraIntrinsic *sin, const OBCameraDistortion *sd,
                           OBPoint2f px, float depth, const OBCameraIntrinsic *tin,
                           const OBCameraDistortion *td, const OBExtrinsic *e, OBPoint2f *out)
{
    OBPoint3f q;
    return pixel_to_point(sin, sd, px, depth, e, &q) && point_to_pixel(tin, td, q, out);
}

/* ------------------------------------------------------------------------------------------ */
/* Transformations with explicit parameters                                                   */

bool ob_transformation_3d_to_3d(const OBPoint3f source_point3f, OBExtrinsic extrinsic,
                                OBPoint3f *target_point3f, ob_error **error)
{
    if (null_output(target_point3f, "target_point3f", error, __func__))
        return false;
    return point_to_point(source_point3f, &extrinsic, target_point3f);
}

bool ob_transformation_2d_to_3d(const OBPoint2f source_point2f, const float source_depth_pixel_value,
                                const OBCameraIntrinsic source_intrinsic, OBExtrinsic extrinsic,
                                OBPoint3f *target_point3f, ob_error **error)
{
    if (null_output(target_point3f, "target_point3f", error, __func__))
        return false;
    return pixel_to_point(&source_intrinsic, NULL, source_point2f, source_depth_pixel_value,
                          &extrinsic, target_point3f);
}

bool ob_transformation_3d_to_2d(const OBPoint3f source_point3f, const OBCameraIntrinsic target_intrinsic,
                                const OBCameraDistortion target_distortion, OBExtrinsic extrinsic,
                                OBPoint2f *target_point2f, ob_error **error)
{
    if (null_output(target_point2f, "target_point2f", error, __func__))
        return false;
    return point_to_pixel_via(source_point3f, &target_intrinsic, &target_distortion, &extrinsic,
                              target_point2f);
}

bool ob_transformation_2d_to_2d(const OBPoint2f source_point2f, const float source_depth_pixel_value,
                                const OBCameraIntrinsic source_intrinsic,
                                const OBCameraDistortion source_distortion,
                                const OBCameraIntrinsic target_intrinsic,
                                const OBCameraDistortion target_distortion, OBExtrinsic extrinsic,
                                OBPoint2f *target_point2f, ob_error **error)
{
    if (null_output(target_point2f, "target_point2f", error, __func__))
        return false;
    return pixel_to_pixel(&source_intrinsic, &source_distortion, source_point2f,
                          source_depth_pixel_value, &target_intrinsic, &target_distortion,
                          &extrinsic, target_point2f);
}

/* ------------------------------------------------------------------------------------------ */
/* Deprecated variants on ob_calibration_param                                                */

static bool sensor_index_ok(ob_sensor_type t)
{
    return (int)t >= 0 && (int)t < OB_SENSOR_TYPE_COUNT;
}

/* The extrinsic source -> target; false with an invalid-value error for a sensor type out of
 * the table (the SDK reads out of bounds there). */
static bool calib_extrinsic(const ob_calibration_param *c, ob_sensor_type src, ob_sensor_type dst,
                            OBExtrinsic *out, ob_error **error, const char *function)
{
    if (!sensor_index_ok(src) || !sensor_index_ok(dst)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "sensor type",
                   "sensor type out of range: source %d, target %d", (int)src, (int)dst);
        return false;
    }
    *out = c->extrinsics[src][dst];
    return true;
}

/* Only depth and color carry usable intrinsics in these variants. */
static bool calib_camera(const ob_calibration_param *c, ob_sensor_type t, OBCameraIntrinsic *in,
                         OBCameraDistortion *d)
{
    if (t != OB_SENSOR_DEPTH && t != OB_SENSOR_COLOR)
        return false;
    *in = c->intrinsics[t];
    *d = c->distortion[t];
    return true;
}

bool ob_calibration_3d_to_3d(const ob_calibration_param calibration_param, const ob_point3f source_point3f,
                             const ob_sensor_type source_sensor_type,
                             const ob_sensor_type target_sensor_type, ob_point3f *target_point3f,
                             ob_error **error)
{
    if (null_output(target_point3f, "target_point3f", error, __func__))
        return false;
    if (source_sensor_type == target_sensor_type) {
        *target_point3f = source_point3f;
        return true;
    }
    OBExtrinsic e;
    if (!calib_extrinsic(&calibration_param, source_sensor_type, target_sensor_type, &e, error,
                         __func__))
        return false;
    return point_to_point(source_point3f, &e, target_point3f);
}

bool ob_calibration_2d_to_3d(const ob_calibration_param calibration_param, const ob_point2f source_point2f,
                             const float source_depth_pixel_value,
                             const ob_sensor_type source_sensor_type,
                             const ob_sensor_type target_sensor_type, ob_point3f *target_point3f,
                             ob_error **error)
{
    if (null_output(target_point3f, "target_point3f", error, __func__))
        return false;
    OBExtrinsic e;
    OBCameraIntrinsic in;
    OBCameraDistortion d;
    if (!calib_extrinsic(&calibration_param, source_sensor_type, target_sensor_type, &e, error,
                         __func__))
        return false;
    if (!calib_camera(&calibration_param, source_sensor_type, &in, &d))
        return false;
    return pixel_to_point(&in, NULL, source_point2f, source_depth_pixel_value, &e,
                          target_point3f);
}

bool ob_calibration_3d_to_2d(const ob_calibration_param calibration_param, const ob_point3f source_point3f,
                             const ob_sensor_type source_sensor_type,
                             const ob_sensor_type target_sensor_type, ob_point2f *target_point2f,
                             ob_error **error)
{
    if (null_output(target_point2f, "target_point2f", error, __func__))
        return false;
    OBExtrinsic e;
    OBCameraIntrinsic in;
    OBCameraDistortion d;
    if (!calib_extrinsic(&calibration_param, source_sensor_type, target_sensor_type, &e, error,
                         __func__))
        return false;
    if (!calib_camera(&calibration_param, source_sensor_type, &in, &d)) /* sic: the source's */
        return false;
    return point_to_pixel_via(source_point3f, &in, &d, &e, target_point2f);
}

bool ob_calibration_2d_to_2d(const ob_calibration_param calibration_param, const ob_point2f source_point2f,
                             const float source_depth_pixel_value,
                             const ob_sensor_type source_sensor_type,
                             const ob_sensor_type target_sensor_type, ob_point2f *target_point2f,
                             ob_error **error)
{
    if (null_output(target_point2f, "target_point2f", error, __func__))
        return false;
    OBExtrinsic e;
    OBCameraIntrinsic sin, tin;
    OBCameraDistortion sd, td;
    if (!calib_extrinsic(&calibration_param, source_sensor_type, target_sensor_type, &e, error,
                         __func__))
        return false;
    if (!calib_camera(&calibration_param, source_sensor_type, &sin, &sd) ||
        !calib_camera(&calibration_param, target_sensor_type, &tin, &td))
        return false;
    return pixel_to_pixel(&sin, &sd, source_point2f, source_depth_pixel_value, &tin, &td, &e,
                          target_point2f);
}

/* ------------------------------------------------------------------------------------------ */
/* xy tables and point clouds from raw depth                                                  */

/* data holds width*height x values then width*height y values (floats); *data_size counts
 * floats. An x of NaN (y 0) marks a pixel whose distortion cannot be removed. */
bool transformation_init_xy_tables(const ob_calibration_param calibration_param,
                                   const ob_sensor_type sensor_type, float *data,
                                   uint32_t *data_size, ob_xy_tables *xy_tables, ob_error **error)
{
    if (null_output(data, "data", error, __func__) ||
        null_output(data_size, "data_size", error, __func__) ||
        null_output(xy_tables, "xy_tables", error, __func__))
        return false;
    OBCameraIntrinsic in;
    OBCameraDistortion d;
    if (!calib_camera(&calibration_param, sensor_type, &in, &d) || !intrinsic_ok(&in))
        return false;
    size_t n = (size_t)in.width * (size_t)in.height;
    if (*data_size < 2 * n)
        return false;
    xy_tables->width = in.width;
    xy_tables->height = in.height;
    xy_tables->xTable = data;
    xy_tables->yTable = data + n;
    size_t i = 0;
    for (int v = 0; v < in.height; v++) {
        for (int u = 0; u < in.width; u++, i++) {
            double x, y;
            if (unproject(&in, &d, (float)u, (float)v, &x, &y)) {
                xy_tables->xTable[i] = (float)x;
                xy_tables->yTable[i] = (float)y;
            } else {
                xy_tables->xTable[i] = NAN;
                xy_tables->yTable[i] = 0.f;
            }
        }
    }
    *data_size = (uint32_t)(2 * n);
    return true;
}

/* Depth in the table's pixels (uint16 mm); 65535 and NaN table entries are no point.
 * Writes the points (x, y, z floats, right-handed) one after the other, leaving out (0, 0, 0):
 * the caller's buffer holds width*height points at most. */
void transformation_depth_to_pointcloud(ob_xy_tables *xy_tables, const void *depth_image_data,
                                        void *pointcloud_data, ob_error **error)
{
    if (null_output(xy_tables, "xy_tables", error, __func__) ||
        null_output(depth_image_data, "depth_image_data", error, __func__) ||
        null_output(pointcloud_data, "pointcloud_data", error, __func__))
        return;
    const uint16_t *depth = depth_image_data;
    float *out = pointcloud_data;
    size_t n = 0, i = 0;
    for (int v = 0; v < xy_tables->height; v++) {
        for (int u = 0; u < xy_tables->width; u++, i++) {
            float xt = xy_tables->xTable[i];
            if (isnan(xt) || depth[i] == 65535 || depth[i] == 0)
                continue; /* (0, 0, 0): left out */
            float z = (float)depth[i];
            out[3 * n + 0] = xt * z;
            out[3 * n + 1] = xy_tables->yTable[i] * z;
            out[3 * n + 2] = z;
            n++;
        }
    }
}

/* As transformation_depth_to_pointcloud, each point followed by r, g, b floats (0..255) from
 * RGB888 color_image_data. As in SDK 2.9.3, which passes its colour routine no colour image size
 * (so its colour scale is 0), every point takes the colour of the first colour pixel; a pixel
 * with valid table entry and depth 0 is kept as (0, 0, 0, r, g, b) unless that colour is black. */
void transformation_depth_to_rgbd_pointcloud(ob_xy_tables *xy_tables, const void *depth_image_data,
                                             const void *color_image_data, void *pointcloud_data,
                                             ob_error **error)
{
    if (null_output(xy_tables, "xy_tables", error, __func__) ||
        null_output(depth_image_data, "depth_image_data", error, __func__) ||
        null_output(color_image_data, "color_image_data", error, __func__) ||
        null_output(pointcloud_data, "pointcloud_data", error, __func__))
        return;
    const uint16_t *depth = depth_image_data;
    const uint8_t *rgb = color_image_data;
    float *out = pointcloud_data;
    float r = rgb[0], g = rgb[1], b = rgb[2];
    size_t n = 0, i = 0;
    for (int v = 0; v < xy_tables->height; v++) {
        for (int u = 0; u < xy_tables->width; u++, i++) {
            float xt = xy_tables->xTable[i];
            if (isnan(xt) || depth[i] == 65535)
                continue; /* all six zero: left out */
            float z = (float)depth[i];
            float p[6] = {xt * z, xy_tables->yTable[i] * z, z, r, g, b};
            if (p[0] == 0.f && p[1] == 0.f && p[2] == 0.f && r == 0.f && g == 0.f && b == 0.f)
                continue;
            memcpy(out + 6 * n, p, sizeof(p));
            n++;
        }
    }
}

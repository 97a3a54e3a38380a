/*
 * librigsync-obemu: the filters the emulator computes, with OrbbecSDK v2.9.3's arithmetic.
 *
 * DecimationFilter (config: decimate = scale s, 1..8). The output is (w / s) x (h / s) pixels,
 * each size rounded up to a multiple of 4, the padding 0. Depth (a depth frame in Y16 / Z16):
 * each output pixel is made of the non-zero pixels of its s x s block of the input; for s = 2
 * or 3 their median (with an even count, the lower of the two middle values), for any other s
 * their mean rounded down; 0 when the block has none. Other frames (Y8, Y16, RGB, BGR, RGBA,
 * BGRA): the mean of every pixel of the block (zeros included), per channel, rounded down. A
 * frameset, or a format the SDK does not decimate (MJPG ...), comes back unchanged, as in the SDK;
 * YUYV / UYVY are refused (not emulated).
 *
 * ThresholdFilter (min, max in millimetres; the emulated depth unit is 1 mm): the depth frame
 * (of a frameset: its depth frame) with every pixel below min or above max set to 0; every pixel
 * 0 when min >= max. An input without a depth frame gives no frame (and no error), as in the SDK.
 *
 * PointCloudFilter, pointFormat 19 (OB_FORMAT_POINT): from the depth frame (of a frameset: its
 * depth frame) with the camera's nominal intrinsics (obemu_nominal_intrinsic: the simulator has
 * no calibration), one point (x, y, z floats) per pixel (u, v) of depth d mm:
 * z = d, x = (u - cx) / fx * d, y = (v - cy) / fy * d (negated for coordinateSystemType 0,
 * left-handed), each times coordinateDataScale; depth 0 or 65535 is the point (0, 0, 0).
 * outputZeroPoint 1 keeps every pixel's point in place (width x height points); 0 leaves the
 * (0, 0, 0) points out. decimate s takes every s-th pixel of every s-th row, the output being
 * (w / s) x (h / s) rounded up to multiples of 4 when s > 1. The frame's coordinate value scale
 * is 1 / coordinateDataScale. pointFormat 20 (OB_FORMAT_RGB_POINT) needs a frameset with depth and
 * colour (RGB or BGR; align it first): each point is followed by the colour pixel at the same
 * position (r, g, b floats, divided by 255 with colorDataNormalization), the colour image being
 * sampled as the SDK does when the sizes differ; a depth 0 gives (0, 0, 0) with its colour.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "obemu_filter.h"

static ob_frame *no_pixels(ob_error **error, const char *function, const char *filter)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_DATA, function, "frame",
               "%s: the frame has no pixels (RIGSYNC_OBEMU_PIXELS=0 turned them off; "
               "unset it or set it to 1)",
               filter);
    return NULL;
}

static ob_frame *out_of_memory(ob_error **error, const char *function)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "frame", "out of memory");
    return NULL;
}

/* The depth frame of the input: itself, or a frameset's depth member; NULL if none. */
static const ob_frame *depth_of(const ob_frame *in)
{
    if (in->is_set)
        return in->members[RIG_STREAM_DEPTH];
    return obemu_frame_type(in) == OB_FRAME_DEPTH ? in : NULL;
}

static uint32_t round_up4(uint32_t n) { return (n + 3) / 4 * 4; }

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------------------------------------------ */
/* DecimationFilter                                                                           */

static void decimate_depth(const uint16_t *in, uint32_t w, uint16_t *out, uint32_t rw,
                           uint32_t rh, uint32_t pw, uint32_t s)
{
    uint16_t block[64];
    for (uint32_t j = 0; j < rh; j++) {
        for (uint32_t i = 0; i < rw; i++) {
            uint32_t k = 0;
            uint64_t sum = 0;
            for (uint32_t n = 0; n < s; n++)
                for (uint32_t m = 0; m < s; m++) {
                    uint16_t v = in[(size_t)(j * s + n) * w + i * s + m];
                    if (v) {
                        block[k++] = v;
                        sum += v;
                    }
                }
            uint16_t o = 0;
            if (k && (s == 2 || s == 3)) {
                qsort(block, k, sizeof(block[0]), cmp_u16);
                o = block[(k - 1) / 2];
            } else if (k) {
                o = (uint16_t)(sum / k);
            }
            out[(size_t)j * pw + i] = o;
        }
    }
}

/* The mean of each channel over the block; `bytes` per channel (1 or 2), `ch` channels. */
static void decimate_mean(const uint8_t *in, uint32_t w, uint8_t *out, uint32_t rw, uint32_t rh,
                          uint32_t pw, uint32_t s, uint32_t ch, uint32_t bytes)
{
    for (uint32_t j = 0; j < rh; j++)
        for (uint32_t i = 0; i < rw; i++)
            for (uint32_t c = 0; c < ch; c++) {
                uint64_t sum = 0;
                for (uint32_t n = 0; n < s; n++)
                    for (uint32_t m = 0; m < s; m++) {
                        size_t at = ((size_t)(j * s + n) * w + i * s + m) * ch + c;
                        if (bytes == 2) {
                            uint16_t v;
                            memcpy(&v, in + 2 * at, 2);
                            sum += v;
                        } else {
                            sum += in[at];
                        }
                    }
                uint64_t mean = sum / ((uint64_t)s * s);
                size_t to = ((size_t)j * pw + i) * ch + c;
                if (bytes == 2) {
                    uint16_t v = (uint16_t)mean;
                    memcpy(out + 2 * to, &v, 2);
                } else {
                    out[to] = (uint8_t)mean;
                }
            }
}

ob_frame *obemu_filter_decimation(const double *values, const ob_frame *in, ob_error **error,
                                  const char *function)
{
    uint32_t s = (uint32_t)values[0];
    if (in->is_set)
        return obemu_frame_retain(in);
    ob_format fmt = obemu_frame_format(in);
    uint32_t ch = 0, bytes = 1;
    switch (fmt) {
    case OB_FORMAT_Y8: ch = 1; break;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: ch = 1; bytes = 2; break;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR: ch = 3; break;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA: ch = 4; break;
    case OB_FORMAT_YUYV:
    case OB_FORMAT_UYVY:
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
                   "DecimationFilter on YUYV / UYVY frames is not supported by the rigsync "
                   "emulator");
        return NULL;
    default: return obemu_frame_retain(in); /* the SDK passes other formats through */
    }
    const rig_frame_t *rf = in->rf;
    uint32_t w = rig_frame_width(rf), h = rig_frame_height(rf);
    const uint8_t *data = rig_frame_data(rf);
    if (!data || rig_frame_data_size(rf) < (size_t)w * h * ch * bytes)
        return no_pixels(error, function, "DecimationFilter");
    uint32_t rw = w / s, rh = h / s, pw = round_up4(rw), ph = round_up4(rh);
    ob_frame *out = obemu_frame_make(in, obemu_frame_type(in), fmt, pw, ph,
                                     (size_t)pw * ph * ch * bytes);
    if (!out)
        return out_of_memory(error, function);
    uint8_t *dst = out->rf->data;
    if (obemu_frame_type(in) == OB_FRAME_DEPTH && bytes == 2) {
        /* aligned copy: the rig's buffers are malloc'd, so 16-bit access is safe */
        decimate_depth((const uint16_t *)(const void *)data, w, (uint16_t *)(void *)dst, rw, rh,
                       pw, s);
    } else {
        decimate_mean(data, w, dst, rw, rh, pw, s, ch, bytes);
    }
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* ThresholdFilter                                                                            */

ob_frame *obemu_filter_threshold(const double *values, const ob_frame *in, ob_error **error,
                                 const char *function)
{
    const ob_frame *d = depth_of(in);
    if (!d)
        return NULL; /* the SDK: no depth frame, no output */
    ob_format fmt = obemu_frame_format(d);
    if (fmt != OB_FORMAT_Y16 && fmt != OB_FORMAT_Z16) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
                   "ThresholdFilter on depth format %d is not supported by the rigsync emulator",
                   (int)fmt);
        return NULL;
    }
    const rig_frame_t *rf = d->rf;
    uint32_t w = rig_frame_width(rf), h = rig_frame_height(rf);
    const uint16_t *src = (const uint16_t *)(const void *)rig_frame_data(rf);
    size_t n = (size_t)w * h;
    if (!src || rig_frame_data_size(rf) < n * 2)
        return no_pixels(error, function, "ThresholdFilter");
    ob_frame *out = obemu_frame_make(d, OB_FRAME_DEPTH, fmt, w, h, n * 2);
    if (!out)
        return out_of_memory(error, function);
    uint16_t *dst = (uint16_t *)(void *)out->rf->data;
    uint32_t lo = (uint32_t)values[0], hi = (uint32_t)values[1];
    for (size_t i = 0; i < n; i++)
        dst[i] = (lo >= hi || src[i] < lo || src[i] > hi) ? 0 : src[i];
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* PointCloudFilter                                                                           */

enum { PC_FORMAT, PC_SCALE, PC_NORMALIZE, PC_HANDED, PC_ZERO_POINTS, PC_DECIMATE };

/* The colour frame's pixel for depth pixel (row i, column j), as the SDK picks it: the same
 * pixel when the sizes match, else scaled by s = int(k) + 0.5 (int(k + 0.5) - int(k)) with k the
 * larger of the two size ratios. NULL when that falls outside the colour image. */
static const uint8_t *color_at(const uint8_t *c, uint32_t cw, uint32_t ch, uint32_t dw,
                               uint32_t dh, uint32_t i, uint32_t j)
{
    float sx = 1.0f, sy = 1.0f;
    if (cw != dw || ch != dh) {
        float kx = (float)cw / (float)dw, ky = (float)ch / (float)dh;
        float k = kx > ky ? kx : ky;
        float sc = (float)(int)k + 0.5f * (float)((int)(k + 0.5f) - (int)k);
        sx = sy = sc;
    }
    int row0 = (int)(sx * (float)i * (float)cw);
    long at = (long)(int)((float)row0 + (float)j * sy);
    if (at < 0 || (size_t)at >= (size_t)cw * ch)
        return NULL;
    return c + (size_t)at * 3;
}

ob_frame *obemu_filter_point_cloud(const double *values, const ob_frame *in, ob_error **error,
                                   const char *function)
{
    bool rgb = (int)values[PC_FORMAT] == OB_FORMAT_RGB_POINT;
    const ob_frame *d = depth_of(in);
    const ob_frame *c = rgb && in->is_set ? in->members[RIG_STREAM_COLOR] : NULL;
    if (!d || (rgb && !c))
        return NULL; /* the SDK: no depth (and, for RGB points, colour) frame, no point cloud */
    ob_format fmt = obemu_frame_format(d);
    if (fmt != OB_FORMAT_Y16 && fmt != OB_FORMAT_Z16) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
                   "PointCloudFilter on depth format %d is not supported by the rigsync "
                   "emulator",
                   (int)fmt);
        return NULL;
    }
    const uint8_t *cdata = NULL;
    uint32_t cw = 0, chh = 0;
    if (rgb) {
        ob_format cf = obemu_frame_format(c);
        if (cf != OB_FORMAT_RGB && cf != OB_FORMAT_BGR) {
            obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
                       "PointCloudFilter: RGB points from colour format %d are not supported by "
                       "the rigsync emulator (RGB and BGR are)",
                       (int)cf);
            return NULL;
        }
        cw = rig_frame_width(c->rf);
        chh = rig_frame_height(c->rf);
        cdata = rig_frame_data(c->rf);
        if (!cdata || rig_frame_data_size(c->rf) < (size_t)cw * chh * 3)
            return no_pixels(error, function, "PointCloudFilter");
    }
    const rig_frame_t *rf = d->rf;
    uint32_t w = rig_frame_width(rf), h = rig_frame_height(rf);
    const uint16_t *depth = (const uint16_t *)(const void *)rig_frame_data(rf);
    if (!depth || rig_frame_data_size(rf) < (size_t)w * h * 2)
        return no_pixels(error, function, "PointCloudFilter");
    uint32_t s = (uint32_t)values[PC_DECIMATE];
    uint32_t ow = w / s, oh = h / s;
    if (s > 1) {
        ow = round_up4(ow);
        oh = round_up4(oh);
    }
    float scale = (float)values[PC_SCALE];
    float handed = (int)values[PC_HANDED] == 0 ? -1.0f : 1.0f;
    float cdiv = (int)values[PC_NORMALIZE] ? 255.0f : 1.0f;
    bool zero_points = (int)values[PC_ZERO_POINTS] != 0;
    size_t nf = rgb ? 6 : 3; /* floats per point */
    ob_frame *out = obemu_frame_make(d, OB_FRAME_POINTS, rgb ? OB_FORMAT_RGB_POINT : OB_FORMAT_POINT,
                                     ow, oh, (size_t)ow * oh * nf * sizeof(float));
    if (!out)
        return out_of_memory(error, function);
    ob_camera_intrinsic k = obemu_nominal_intrinsic(w, h);
    float *pts = (float *)(void *)out->rf->data;
    size_t valid = 0;
    for (uint32_t v = 0; v < h; v += s) {
        for (uint32_t u = 0; u < w; u += s) {
            uint16_t dv = depth[(size_t)v * w + u];
            float p[6] = {0, 0, 0, 0, 0, 0};
            if (dv != 65535) { /* depth 0 is the point (0, 0, 0) (with its colour) */
                float z = (float)dv;
                p[0] = ((float)u - k.cx) / k.fx * z * scale;
                p[1] = ((float)v - k.cy) / k.fy * z * handed * scale;
                p[2] = z * scale;
                const uint8_t *px = rgb ? color_at(cdata, cw, chh, w, h, v, u) : NULL;
                if (px) {
                    p[3] = px[0] / cdiv;
                    p[4] = px[1] / cdiv;
                    p[5] = px[2] / cdiv;
                }
            }
            if (!zero_points) {
                bool zero = true;
                for (size_t q = 0; q < nf; q++)
                    zero = zero && p[q] == 0.0f;
                if (zero)
                    continue;
                memcpy(pts + valid++ * nf, p, nf * sizeof(float));
            } else if (u / s < ow && v / s < oh) {
                memcpy(pts + ((size_t)(v / s) * ow + u / s) * nf, p, nf * sizeof(float));
            }
        }
    }
    if (!zero_points)
        out->rf->data_size = valid * nf * sizeof(float);
    out->points_scale = 1.0f / scale; /* depth value scale (1 mm) / coordinateDataScale */
    return out;
}

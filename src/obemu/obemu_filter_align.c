/*
 * librigsync-obemu: the "Align" filter, with OrbbecSDK v2.9.3's geometry on the simulated rig.
 *
 * The simulator has no calibration, so both cameras have the nominal intrinsics of
 * obemu_nominal_intrinsic at their frame's resolution (no distortion), and depth to colour is
 * the fixed extrinsic obemu_nominal_extrinsic: no rotation, the colour camera OBEMU_D2C_BASELINE_MM
 * along x from the depth camera (p_color = p_depth + (-baseline, 0, 0)).
 *
 * AlignType 2 (OB_STREAM_COLOR, depth to colour): the input must be a frameset with a depth and a
 * colour frame. Each depth pixel (u, v) of depth d > 0 is unprojected at its two corners
 * (u - 0.5, v - 0.5) and (u + 0.5, v + 0.5) at depth d, moved into the colour camera and
 * projected; the corners' colour pixels (rounded as int(x + 0.5)) span a rectangle (clipped to
 * the image) where the aligned depth takes the smaller of the two corners' colour-camera z where
 * it is nearer than what is there. Pixels nothing lands on are 0. The aligned depth has the
 * colour frame's resolution (MatchTargetRes); the output is a new frameset: the colour frame and
 * the aligned depth.
 *
 * AlignType 3 (OB_STREAM_DEPTH, colour to depth): the colour pixel each depth pixel's corner
 * (u - 0.5, v - 0.5) projects to (rounded as above) is copied to (u, v) of a colour frame of the
 * depth frame's resolution; pixels without depth or projecting outside the colour image are 0.
 * Colour formats RGB, BGR, Y8, Y16, RGBA, BGRA; MJPG is refused (the SDK leaves it black).
 *
 * A depth frame alone, or an AlignType whose stream the rig has not (IR ...), gives no frame and
 * no error, as in the SDK. TargetDistortion and GapFillCopy are accepted and have no effect
 * (there is no distortion; the corner rectangles leave no gaps to fill).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "obemu_filter.h"

enum { AL_TYPE, AL_DISTORTION, AL_GAP_FILL, AL_MATCH_RES };

/* The colour pixel (rounded as the SDK) of a depth pixel position (x, y) at depth d. */
static void depth_to_color(const ob_camera_intrinsic *dk, const ob_camera_intrinsic *ck, float x,
                           float y, float d, int *cu, int *cv, float *cz)
{
    float px = (x - dk->cx) / dk->fx * d - OBEMU_D2C_BASELINE_MM;
    float py = (y - dk->cy) / dk->fy * d;
    float pz = d;
    *cu = (int)(ck->fx * px / pz + ck->cx + 0.5f);
    *cv = (int)(ck->fy * py / pz + ck->cy + 0.5f);
    *cz = pz;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static ob_frame *fail_format(ob_error **error, const char *function, const char *what, int fmt)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
               "Align: %s format %d is not supported by the rigsync emulator", what, fmt);
    return NULL;
}

static ob_frame *no_pixels(ob_error **error, const char *function)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_DATA, function, "frame",
               "Align: the frames have no pixels (RIGSYNC_OBEMU_PIXELS=0 turned them off; "
               "unset it or set it to 1)");
    return NULL;
}

static ob_frame *oom(ob_error **error, const char *function)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "frame", "out of memory");
    return NULL;
}

/* A new frameset holding the input set's members, `aligned` replacing its own stream's. */
static ob_frame *set_with(const ob_frame *in, ob_frame *aligned, ob_error **error,
                          const char *function)
{
    ob_frame *set = obemu_new_frameset();
    if (!set) {
        obemu_frame_release(aligned);
        return oom(error, function);
    }
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        if (in->members[s])
            obemu_frameset_put(set, obemu_frame_retain(in->members[s]));
    obemu_frameset_put(set, aligned);
    return set;
}

/* The depth image of `depth` seen from the colour camera at cw x ch (nominal intrinsics of that
 * size): the geometry described at the top. NULL without memory. */
static ob_frame *align_depth(const ob_frame *depth, uint32_t cw, uint32_t ch)
{
    const rig_frame_t *drf = depth->rf;
    uint32_t dw = drf->width, dh = drf->height;
    const uint16_t *d = (const uint16_t *)(const void *)drf->data;
    ob_frame *out = obemu_frame_make(depth, OB_FRAME_DEPTH, obemu_frame_format(depth), cw, ch,
                                     (size_t)cw * ch * 2);
    if (!out)
        return NULL;
    uint16_t *o = (uint16_t *)(void *)out->rf->data;
    for (size_t i = 0; i < (size_t)cw * ch; i++)
        o[i] = 65535;
    ob_camera_intrinsic dk = obemu_nominal_intrinsic(dw, dh), ck = obemu_nominal_intrinsic(cw, ch);
    for (uint32_t v = 0; v < dh; v++) {
        for (uint32_t u = 0; u < dw; u++) {
            uint16_t dv = d[(size_t)v * dw + u];
            if (dv == 0)
                continue;
            int u0, v0, u1, v1;
            float z0, z1;
            depth_to_color(&dk, &ck, (float)u - 0.5f, (float)v - 0.5f, dv, &u0, &v0, &z0);
            depth_to_color(&dk, &ck, (float)u + 0.5f, (float)v + 0.5f, dv, &u1, &v1, &z1);
            int ua = clampi(u0 < u1 ? u0 : u1, 0, INT32_MAX);
            int va = clampi(v0 < v1 ? v0 : v1, 0, INT32_MAX);
            int ub = clampi(u0 > u1 ? u0 : u1, INT32_MIN, (int)cw - 1);
            int vb = clampi(v0 > v1 ? v0 : v1, INT32_MIN, (int)ch - 1);
            uint16_t z = (uint16_t)(z0 < z1 ? z0 : z1);
            for (int y = va; y <= vb; y++)
                for (int x = ua; x <= ub; x++) {
                    uint16_t *p = &o[(size_t)y * cw + (size_t)x];
                    if (z < *p)
                        *p = z;
                }
        }
    }
    for (size_t i = 0; i < (size_t)cw * ch; i++)
        if (o[i] == 65535)
            o[i] = 0;
    return out;
}

static bool has_depth_pixels(const rig_frame_t *drf)
{
    return drf->data && drf->data_size >= (size_t)drf->width * drf->height * 2;
}

ob_frame *obemu_align_depth_to(const ob_frame *depth, uint32_t width, uint32_t height)
{
    if (!has_depth_pixels(depth->rf)) /* timestamps only: the aligned frame has the size */
        return obemu_frame_make(depth, OB_FRAME_DEPTH, obemu_frame_format(depth), width, height,
                                0);
    return align_depth(depth, width, height);
}

static ob_frame *d2c(const ob_frame *in, const ob_frame *depth, const ob_frame *color,
                     ob_error **error, const char *function)
{
    uint32_t cw = color->rf->width, ch = color->rf->height;
    if (!has_depth_pixels(depth->rf) || cw == 0 || ch == 0)
        return no_pixels(error, function);
    ob_frame *out = align_depth(depth, cw, ch);
    if (!out)
        return oom(error, function);
    return set_with(in, out, error, function);
}

static uint32_t color_bpp(ob_format f)
{
    switch (f) {
    case OB_FORMAT_Y8: return 1;
    case OB_FORMAT_Y16: return 2;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR: return 3;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA: return 4;
    default: return 0;
    }
}

static ob_frame *c2d(const ob_frame *in, const ob_frame *depth, const ob_frame *color,
                     ob_error **error, const char *function)
{
    ob_format cf = obemu_frame_format(color);
    uint32_t bpp = color_bpp(cf);
    if (!bpp)
        return fail_format(error, function, "colour", (int)cf);
    const rig_frame_t *drf = depth->rf, *crf = color->rf;
    uint32_t dw = drf->width, dh = drf->height, cw = crf->width, ch = crf->height;
    const uint16_t *d = (const uint16_t *)(const void *)drf->data;
    const uint8_t *c = crf->data;
    if (!d || !c || drf->data_size < (size_t)dw * dh * 2 ||
        crf->data_size < (size_t)cw * ch * bpp)
        return no_pixels(error, function);
    ob_frame *out = obemu_frame_make(color, obemu_frame_type(color), cf, dw, dh,
                                     (size_t)dw * dh * bpp);
    if (!out)
        return oom(error, function);
    uint8_t *o = out->rf->data;
    ob_camera_intrinsic dk = obemu_nominal_intrinsic(dw, dh), ck = obemu_nominal_intrinsic(cw, ch);
    for (uint32_t v = 0; v < dh; v++) {
        for (uint32_t u = 0; u < dw; u++) {
            uint16_t dv = d[(size_t)v * dw + u];
            if (dv == 0)
                continue;
            int cu, cv;
            float cz;
            depth_to_color(&dk, &ck, (float)u - 0.5f, (float)v - 0.5f, dv, &cu, &cv, &cz);
            if (cu < 0 || cv < 0 || cu >= (int)cw || cv >= (int)ch)
                continue;
            memcpy(o + ((size_t)v * dw + u) * bpp, c + ((size_t)cv * cw + (size_t)cu) * bpp, bpp);
        }
    }
    return set_with(in, out, error, function);
}

ob_frame *obemu_filter_align(const double *values, const ob_frame *in, ob_error **error,
                             const char *function)
{
    int type = (int)values[AL_TYPE];
    if (!in->is_set)
        return NULL; /* a depth frame alone: nothing to align to (as the SDK) */
    const ob_frame *depth = in->members[RIG_STREAM_DEPTH];
    const ob_frame *color = in->members[RIG_STREAM_COLOR];
    if (!depth)
        return NULL; /* the SDK: no depth frame, no output */
    ob_format df = obemu_frame_format(depth);
    if (df != OB_FORMAT_Y16 && df != OB_FORMAT_Z16)
        return NULL; /* the SDK: only Z16 / Y16 depth */
    if (type == OB_STREAM_COLOR && color)
        return d2c(in, depth, color, error, function);
    if (type == OB_STREAM_DEPTH) {
        if (!color) /* nothing but depth: the frameset as it is */
            return obemu_frame_retain(in);
        return c2d(in, depth, color, error, function);
    }
    return NULL; /* a stream the rig has not (IR, ...): no frame to align to */
}

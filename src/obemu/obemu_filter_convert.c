/*
 * librigsync-obemu: the FormatConverter filter of OrbbecSDK v2.9.3 (config value convertType, an
 * OBConvertFormat). It converts one video frame into a new frame of the same type and size in
 * the target format, with the input's timestamps, index, device and serial (the SDK copies them
 * from the input). The conversions and their target formats are the SDK's table:
 *
 *   YUYV -> RGB, BGR, RGBA, BGRA (alpha 255), Y8, Y16 (Y in the high byte); UYVY -> RGB;
 *   I420, NV12, NV21 -> RGB; MJPG -> RGB, BGR, BGRA, I420, NV12, NV21 (libjpeg);
 *   RGB <-> BGR; RGBA -> RGB; BGRA -> BGR; Y16 -> RGB (the high byte, grey); Y8 -> RGB (grey).
 *
 * YUV to RGB is BT.601 with the video range (Y 16..235, U and V 16..240), as libyuv's, which the
 * SDK uses: R = 1.164 (Y - 16) + 1.596 (V - 128), G = 1.164 (Y - 16) - 0.391 (U - 128) -
 * 0.813 (V - 128), B = 1.164 (Y - 16) + 2.018 (U - 128), rounded and clamped to 0..255 (libyuv's
 * fixed-point arithmetic can differ by one or two). YUYV and UYVY go through I420 as in the SDK:
 * the chroma of two rows is averaged (rounding up). MJPG to I420 / NV12 / NV21 gives the JPEG's
 * own YCbCr (full range), the chroma being the rounded mean of each 2 x 2 block.
 *
 * Where the SDK would read the frame's bytes in the wrong format (a convertType whose source
 * format is not the frame's), a frameset, a frame without pixels or a JPEG that does not decode
 * to the frame's size, the emulator reports an error naming the conversion instead of handing
 * out an undefined image.
 */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "core/core.h"
#include "obemu_filter.h"

/* OBConvertFormat (ObTypes.h), in the SDK's order, with each conversion's formats. */
typedef struct conversion {
    const char *name;
    ob_format from, to;
} conversion_t;

static const conversion_t CONVERSIONS[] = {
    {"FORMAT_YUYV_TO_RGB", OB_FORMAT_YUYV, OB_FORMAT_RGB},
    {"FORMAT_I420_TO_RGB", OB_FORMAT_I420, OB_FORMAT_RGB},
    {"FORMAT_NV21_TO_RGB", OB_FORMAT_NV21, OB_FORMAT_RGB},
    {"FORMAT_NV12_TO_RGB", OB_FORMAT_NV12, OB_FORMAT_RGB},
    {"FORMAT_MJPG_TO_I420", OB_FORMAT_MJPG, OB_FORMAT_I420},
    {"FORMAT_RGB_TO_BGR", OB_FORMAT_RGB, OB_FORMAT_BGR},
    {"FORMAT_MJPG_TO_NV21", OB_FORMAT_MJPG, OB_FORMAT_NV21},
    {"FORMAT_MJPG_TO_RGB", OB_FORMAT_MJPG, OB_FORMAT_RGB},
    {"FORMAT_MJPG_TO_BGR", OB_FORMAT_MJPG, OB_FORMAT_BGR},
    {"FORMAT_MJPG_TO_BGRA", OB_FORMAT_MJPG, OB_FORMAT_BGRA},
    {"FORMAT_UYVY_TO_RGB", OB_FORMAT_UYVY, OB_FORMAT_RGB},
    {"FORMAT_BGR_TO_RGB", OB_FORMAT_BGR, OB_FORMAT_RGB},
    {"FORMAT_MJPG_TO_NV12", OB_FORMAT_MJPG, OB_FORMAT_NV12},
    {"FORMAT_YUYV_TO_BGR", OB_FORMAT_YUYV, OB_FORMAT_BGR},
    {"FORMAT_YUYV_TO_RGBA", OB_FORMAT_YUYV, OB_FORMAT_RGBA},
    {"FORMAT_YUYV_TO_BGRA", OB_FORMAT_YUYV, OB_FORMAT_BGRA},
    {"FORMAT_YUYV_TO_Y16", OB_FORMAT_YUYV, OB_FORMAT_Y16},
    {"FORMAT_YUYV_TO_Y8", OB_FORMAT_YUYV, OB_FORMAT_Y8},
    {"FORMAT_RGBA_TO_RGB", OB_FORMAT_RGBA, OB_FORMAT_RGB},
    {"FORMAT_BGRA_TO_BGR", OB_FORMAT_BGRA, OB_FORMAT_BGR},
    {"FORMAT_Y16_TO_RGB", OB_FORMAT_Y16, OB_FORMAT_RGB},
    {"FORMAT_Y8_TO_RGB", OB_FORMAT_Y8, OB_FORMAT_RGB},
};
#define NCONV (sizeof(CONVERSIONS) / sizeof(CONVERSIONS[0]))

/* Bytes of a w x h image in a format the converter reads or writes (0: variable, MJPG). */
static size_t image_bytes(ob_format f, size_t w, size_t h)
{
    switch (f) {
    case OB_FORMAT_YUYV:
    case OB_FORMAT_UYVY:
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: return w * h * 2;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR: return w * h * 3;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA: return w * h * 4;
    case OB_FORMAT_Y8: return w * h;
    case OB_FORMAT_I420:
    case OB_FORMAT_NV12:
    case OB_FORMAT_NV21: return w * h + 2 * (((w + 1) / 2) * ((h + 1) / 2));
    default: return 0;
    }
}

static uint8_t clamp8(double v)
{
    if (v <= 0.0)
        return 0;
    if (v >= 255.0)
        return 255;
    return (uint8_t)(v + 0.5);
}

/* One BT.601 video-range pixel to R, G, B. */
static void yuv_to_rgb(int y, int u, int v, uint8_t rgb[3])
{
    double yy = 1.164 * (y - 16);
    rgb[0] = clamp8(yy + 1.596 * (v - 128));
    rgb[1] = clamp8(yy - 0.391 * (u - 128) - 0.813 * (v - 128));
    rgb[2] = clamp8(yy + 2.018 * (u - 128));
}

/* Writes pixel rgb in the target layout at dst (3 or 4 bytes). */
static void put_pixel(uint8_t *dst, const uint8_t rgb[3], ob_format to)
{
    bool bgr = to == OB_FORMAT_BGR || to == OB_FORMAT_BGRA;
    dst[0] = bgr ? rgb[2] : rgb[0];
    dst[1] = rgb[1];
    dst[2] = bgr ? rgb[0] : rgb[2];
    if (to == OB_FORMAT_RGBA || to == OB_FORMAT_BGRA)
        dst[3] = 255;
}

static size_t pixel_bytes(ob_format to) { return image_bytes(to, 1, 1); }

/* Packed 4:2:2 (YUYV: Y0 U Y1 V; UYVY: U Y0 V Y1) to RGB / BGR / RGBA / BGRA, through 4:2:0 as
 * the SDK: rows 2k and 2k + 1 share the mean of their chroma. Width even. */
static void packed_to_rgb(const uint8_t *src, uint32_t w, uint32_t h, bool uyvy, uint8_t *dst,
                          ob_format to)
{
    size_t stride = (size_t)w * 2, pb = pixel_bytes(to);
    int yo = uyvy ? 1 : 0, uo = uyvy ? 0 : 1, vo = uyvy ? 2 : 3;
    for (uint32_t j = 0; j < h; j++) {
        const uint8_t *row = src + j * stride;
        uint32_t j0 = j & ~1u, j1 = j0 + 1 < h ? j0 + 1 : j0;
        const uint8_t *r0 = src + j0 * stride, *r1 = src + j1 * stride;
        for (uint32_t i = 0; i + 1 < w; i += 2) {
            size_t at = (size_t)i * 2;
            int u = (r0[at + uo] + r1[at + uo] + 1) / 2;
            int v = (r0[at + vo] + r1[at + vo] + 1) / 2;
            for (uint32_t k = 0; k < 2; k++) {
                uint8_t rgb[3];
                yuv_to_rgb(row[at + yo + 2 * k], u, v, rgb);
                put_pixel(dst + ((size_t)j * w + i + k) * pb, rgb, to);
            }
        }
    }
}

/* Planar / semi-planar 4:2:0 (I420: Y, U, V planes; NV12: Y, UV pairs; NV21: Y, VU pairs). */
static void planar_to_rgb(const uint8_t *src, uint32_t w, uint32_t h, ob_format from, uint8_t *dst,
                          ob_format to)
{
    size_t cw = (w + 1) / 2, ch = (h + 1) / 2, pb = pixel_bytes(to);
    const uint8_t *c = src + (size_t)w * h;
    for (uint32_t j = 0; j < h; j++)
        for (uint32_t i = 0; i < w; i++) {
            size_t ci = (size_t)(j / 2) * cw + i / 2;
            int u, v;
            if (from == OB_FORMAT_I420) {
                u = c[ci];
                v = c[cw * ch + ci];
            } else {
                u = c[2 * ci + (from == OB_FORMAT_NV21)];
                v = c[2 * ci + (from == OB_FORMAT_NV12)];
            }
            uint8_t rgb[3];
            yuv_to_rgb(src[(size_t)j * w + i], u, v, rgb);
            put_pixel(dst + ((size_t)j * w + i) * pb, rgb, to);
        }
}

/* ------------------------------------------------------------------------------------------ */
/* MJPG (libjpeg)                                                                             */

typedef struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
} jpeg_err_t;

static void jpeg_error_back(j_common_ptr c) { longjmp(((jpeg_err_t *)c->err)->back, 1); }
static void jpeg_no_output(j_common_ptr c) { (void)c; }

/* Decodes a JPEG of exactly w x h into 3 bytes per pixel: R G B (ycc false) or the JPEG's own
 * Y Cb Cr (ycc true). False if it is not one, or not of that size. */
static bool jpeg_decode(const uint8_t *jpg, size_t size, uint32_t w, uint32_t h, bool ycc,
                        uint8_t *out)
{
    struct jpeg_decompress_struct d;
    jpeg_err_t err;
    memset(&d, 0, sizeof(d));
    d.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_error_back;
    err.mgr.output_message = jpeg_no_output;
    if (setjmp(err.back)) {
        jpeg_destroy_decompress(&d);
        return false;
    }
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, jpg, (unsigned long)size);
    if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK || d.image_width != w ||
        d.image_height != h || d.num_components != 3) {
        jpeg_destroy_decompress(&d);
        return false;
    }
    d.out_color_space = ycc ? JCS_YCbCr : JCS_RGB;
    jpeg_start_decompress(&d);
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = out + (size_t)d.output_scanline * w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return true;
}

/* Full-resolution Y Cb Cr (3 bytes a pixel) to I420 / NV12 / NV21, the chroma being the rounded
 * mean of each 2 x 2 block (of the pixels inside the image). */
static void ycc_to_420(const uint8_t *ycc, uint32_t w, uint32_t h, uint8_t *dst, ob_format to)
{
    size_t cw = (w + 1) / 2, ch = (h + 1) / 2;
    for (size_t p = 0; p < (size_t)w * h; p++)
        dst[p] = ycc[p * 3];
    uint8_t *c = dst + (size_t)w * h;
    for (size_t cj = 0; cj < ch; cj++)
        for (size_t ci = 0; ci < cw; ci++) {
            unsigned su = 0, sv = 0, n = 0;
            for (size_t dj = 0; dj < 2; dj++)
                for (size_t di = 0; di < 2; di++) {
                    size_t x = ci * 2 + di, y = cj * 2 + dj;
                    if (x >= w || y >= h)
                        continue;
                    su += ycc[(y * w + x) * 3 + 1];
                    sv += ycc[(y * w + x) * 3 + 2];
                    n++;
                }
            uint8_t u = (uint8_t)((su + n / 2) / n), v = (uint8_t)((sv + n / 2) / n);
            size_t at = cj * cw + ci;
            if (to == OB_FORMAT_I420) {
                c[at] = u;
                c[cw * ch + at] = v;
            } else {
                c[2 * at] = to == OB_FORMAT_NV12 ? u : v;
                c[2 * at + 1] = to == OB_FORMAT_NV12 ? v : u;
            }
        }
}

/* ------------------------------------------------------------------------------------------ */

static ob_frame *fail_convert(ob_error **error, const char *function, ob_exception_type type,
                              const char *what, const conversion_t *cv)
{
    obemu_fail(error, type, function, "frame", "FormatConverter %s: %s", cv ? cv->name : "",
               what);
    return NULL;
}

ob_frame *obemu_filter_format_convert(const double *values, const ob_frame *in, ob_error **error,
                                      const char *function)
{
    int type = (int)values[0];
    if (type < 0 || (size_t)type >= NCONV) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "convertType",
                   "FormatConverter: convertType %d is not an OBConvertFormat (0..%d)", type,
                   (int)NCONV - 1);
        return NULL;
    }
    const conversion_t *cv = &CONVERSIONS[type];
    if (in->is_set)
        return fail_convert(error, function, OB_EXCEPTION_TYPE_INVALID_VALUE,
                            "the input is a frameset; convert one video frame of it", cv);
    ob_format from = obemu_frame_format(in);
    if (from == OB_FORMAT_Z16)
        from = OB_FORMAT_Y16;
    if (from != cv->from) {
        char what[160];
        snprintf(what, sizeof(what),
                 "the frame's format is %d, this conversion reads format %d (set the "
                 "convertType that matches the frame)",
                 (int)obemu_frame_format(in), (int)cv->from);
        return fail_convert(error, function, OB_EXCEPTION_TYPE_INVALID_VALUE, what, cv);
    }
    const rig_frame_t *rf = in->rf;
    uint32_t w = rig_frame_width(rf), h = rig_frame_height(rf);
    const uint8_t *src = rig_frame_data(rf);
    size_t have = rig_frame_data_size(rf), need = image_bytes(from, w, h);
    if (!src || have == 0 || have < need)
        return fail_convert(error, function, OB_EXCEPTION_TYPE_INVALID_DATA,
                            "the frame has no pixels (the emulator renders them with "
                            "RIGSYNC_OBEMU_PIXELS=1)",
                            cv);
    if ((from == OB_FORMAT_YUYV || from == OB_FORMAT_UYVY) && (w % 2) != 0)
        return fail_convert(error, function, OB_EXCEPTION_TYPE_INVALID_DATA,
                            "a 4:2:2 frame needs an even width", cv);
    ob_frame *out = obemu_frame_make(in, obemu_frame_type(in), cv->to, w, h,
                                     image_bytes(cv->to, w, h));
    if (!out) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "frame", "out of memory");
        return NULL;
    }
    uint8_t *dst = out->rf->data;
    size_t n = (size_t)w * h;
    switch (from) {
    case OB_FORMAT_YUYV:
        if (cv->to == OB_FORMAT_Y8 || cv->to == OB_FORMAT_Y16) {
            for (size_t p = 0; p < n; p++) {
                if (cv->to == OB_FORMAT_Y8) {
                    dst[p] = src[2 * p];
                } else {
                    dst[2 * p] = 0;
                    dst[2 * p + 1] = src[2 * p];
                }
            }
        } else {
            packed_to_rgb(src, w, h, false, dst, cv->to);
        }
        break;
    case OB_FORMAT_UYVY: packed_to_rgb(src, w, h, true, dst, cv->to); break;
    case OB_FORMAT_I420:
    case OB_FORMAT_NV12:
    case OB_FORMAT_NV21: planar_to_rgb(src, w, h, from, dst, cv->to); break;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR:
        for (size_t p = 0; p < n; p++) {
            dst[3 * p] = src[3 * p + 2];
            dst[3 * p + 1] = src[3 * p + 1];
            dst[3 * p + 2] = src[3 * p];
        }
        break;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA:
        for (size_t p = 0; p < n; p++)
            memcpy(dst + 3 * p, src + 4 * p, 3);
        break;
    case OB_FORMAT_Y16:
        for (size_t p = 0; p < n; p++)
            memset(dst + 3 * p, src[2 * p + 1], 3); /* little-endian: the high byte */
        break;
    case OB_FORMAT_Y8:
        for (size_t p = 0; p < n; p++)
            memset(dst + 3 * p, src[p], 3);
        break;
    case OB_FORMAT_MJPG: {
        bool ycc = cv->to == OB_FORMAT_I420 || cv->to == OB_FORMAT_NV12 ||
                   cv->to == OB_FORMAT_NV21;
        bool direct = cv->to == OB_FORMAT_RGB;
        uint8_t *tmp = direct ? dst : malloc(n * 3);
        if (!tmp) {
            obemu_frame_release(out);
            obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "frame", "out of memory");
            return NULL;
        }
        bool ok = jpeg_decode(src, have, w, h, ycc, tmp);
        if (ok && ycc) {
            ycc_to_420(tmp, w, h, dst, cv->to);
        } else if (ok && !direct) {
            for (size_t p = 0; p < n; p++)
                put_pixel(dst + p * pixel_bytes(cv->to), tmp + 3 * p, cv->to);
        }
        if (!direct)
            free(tmp);
        if (!ok) {
            obemu_frame_release(out);
            return fail_convert(error, function, OB_EXCEPTION_TYPE_INVALID_DATA,
                                "the frame's data is not a colour JPEG of the frame's size",
                                cv);
        }
        break;
    }
    default: /* every source format of the table is handled above */
        obemu_frame_release(out);
        return fail_convert(error, function, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
                            "not supported by the rigsync emulator", cv);
    }
    return out;
}

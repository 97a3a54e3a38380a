/* A frame's pixels as a tile's image (view_image.h). */
#include "view_image.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "view_draw.h"

uint32_t view_depth_rgb(uint16_t mm)
{
    if (mm == 0)
        return 0x000000;
    /* near (blue) -> cyan -> green -> yellow -> red (far) */
    static const uint8_t stops[5][3] = {
        {30, 60, 255}, {0, 220, 255}, {40, 220, 60}, {255, 230, 0}, {230, 30, 30}};
    double t = ((double)mm - VIEW_DEPTH_MIN_MM) / (VIEW_DEPTH_MAX_MM - VIEW_DEPTH_MIN_MM);
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    double p = t * 4;
    int i = (int)p;
    if (i > 3)
        i = 3;
    double f = p - i;
    uint32_t rgb = 0;
    for (int c = 0; c < 3; c++) {
        double v = stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f;
        rgb = (rgb << 8) | (uint32_t)(v + 0.5);
    }
    return rgb;
}

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
} jerr_t;

static void jpeg_fail(j_common_ptr c)
{
    longjmp(((jerr_t *)c->err)->back, 1);
}

static void jpeg_quiet(j_common_ptr c) { (void)c; }

/* Decodes a JPEG to RGB at the smallest libjpeg scale still at least want_w wide. */
static uint8_t *decode_jpeg(const uint8_t *data, size_t size, int want_w, uint32_t *w, uint32_t *h)
{
    struct jpeg_decompress_struct c;
    jerr_t err;
    uint8_t *volatile out = NULL;
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.output_message = jpeg_quiet;
    if (setjmp(err.back)) {
        jpeg_destroy_decompress(&c);
        free(out);
        return NULL;
    }
    jpeg_create_decompress(&c);
    jpeg_mem_src(&c, data, (unsigned long)size);
    jpeg_read_header(&c, TRUE);
    c.out_color_space = JCS_RGB;
    c.scale_num = 1;
    c.scale_denom = 1;
    while (c.scale_denom < 8 && c.image_width / (c.scale_denom * 2) >= (unsigned)want_w)
        c.scale_denom *= 2;
    jpeg_start_decompress(&c);
    *w = c.output_width;
    *h = c.output_height;
    out = malloc((size_t)*w * *h * 3 + 1);
    if (!out) {
        jpeg_destroy_decompress(&c);
        return NULL;
    }
    while (c.output_scanline < c.output_height) {
        JSAMPROW row = out + (size_t)c.output_scanline * *w * 3;
        jpeg_read_scanlines(&c, &row, 1);
    }
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
    return out;
}

cairo_surface_t *view_image_from_frame(const rig_frame_t *frame, int w, int h)
{
    const uint8_t *px = rig_frame_data(frame);
    size_t size = rig_frame_data_size(frame);
    uint32_t fw = rig_frame_width(frame), fh = rig_frame_height(frame);
    rig_format_t fmt = rig_frame_format(frame);
    if (!px || w <= 0 || h <= 0)
        return NULL;
    uint8_t *decoded = NULL;
    if (fmt == RIG_FORMAT_MJPG) {
        decoded = decode_jpeg(px, size, w, &fw, &fh);
        if (!decoded)
            return NULL;
        px = decoded;
        fmt = RIG_FORMAT_RGB;
        size = (size_t)fw * fh * 3;
    }
    uint32_t bpp = fmt == RIG_FORMAT_RGB ? 3 : fmt == RIG_FORMAT_Y16 ? 2 : 0;
    if (!bpp || fw == 0 || fh == 0 || size < (size_t)fw * fh * bpp) {
        free(decoded);
        return NULL;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        free(decoded);
        return NULL;
    }
    cairo_surface_flush(s);
    uint8_t *dst = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < h; y++) {
        uint32_t sy = (uint32_t)(((uint64_t)y * fh + fh / (2 * (uint32_t)h)) / (uint32_t)h);
        uint32_t *row = (uint32_t *)(void *)(dst + (size_t)y * (size_t)stride);
        const uint8_t *src = px + (size_t)sy * fw * bpp;
        for (int x = 0; x < w; x++) {
            uint32_t sx = (uint32_t)(((uint64_t)x * fw) / (uint32_t)w);
            const uint8_t *p = src + (size_t)sx * bpp;
            row[x] = bpp == 3 ? ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]
                              : view_depth_rgb((uint16_t)(p[0] | (p[1] << 8)));
        }
    }
    cairo_surface_mark_dirty(s);
    free(decoded);
    return s;
}

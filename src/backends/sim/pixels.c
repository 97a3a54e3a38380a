#include "backends/sim/pixels.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#define STAMP_BITS 64
#define STAMP_ROWS 4

static void put(uint8_t *data, uint32_t width, uint32_t height, rig_format_t format, int x, int y,
                uint16_t depth_mm, const uint8_t rgb[3])
{
    if (x < 0 || y < 0 || (uint32_t)x >= width || (uint32_t)y >= height)
        return;
    size_t i = (size_t)y * width + (size_t)x;
    if (format == RIG_FORMAT_Y16) {
        data[2 * i] = (uint8_t)(depth_mm & 0xFF);
        data[2 * i + 1] = (uint8_t)(depth_mm >> 8);
    } else {
        memcpy(&data[3 * i], rgb, 3);
    }
}

void sim_pixels_render(uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                       int64_t true_ts_us, uint32_t device_index)
{
    if (!data || (format != RIG_FORMAT_Y16 && format != RIG_FORMAT_RGB))
        return;
    /* Background: a plane sloping away (depth) or a vertical gradient tinted per device. */
    for (uint32_t y = 0; y < height; y++) {
        uint16_t mm = (uint16_t)(1500 + (y * 1000u) / (height ? height : 1));
        uint8_t g = (uint8_t)(40 + (y * 120u) / (height ? height : 1));
        uint8_t rgb[3] = {g, (uint8_t)(g + 20 * (device_index % 4)), (uint8_t)(200 - g / 2)};
        if (format == RIG_FORMAT_Y16) {
            for (uint32_t x = 0; x < width; x++) {
                data[2 * ((size_t)y * width + x)] = (uint8_t)(mm & 0xFF);
                data[2 * ((size_t)y * width + x) + 1] = (uint8_t)(mm >> 8);
            }
        } else {
            for (uint32_t x = 0; x < width; x++)
                memcpy(&data[3 * ((size_t)y * width + x)], rgb, 3);
        }
    }
    /* A bar from the centre, one turn per second of true time: thick enough to see. */
    const uint8_t red[3] = {230, 30, 30};
    double phase = (double)(((true_ts_us % 1000000) + 1000000) % 1000000) / 1e6;
    double angle = 2.0 * 3.14159265358979323846 * phase;
    double c = cos(angle), s = sin(angle);
    int cx = (int)width / 2, cy = (int)height / 2;
    int radius = (int)((width < height ? width : height) * 2 / 5);
    for (int r = 0; r < radius; r++) {
        int x = cx + (int)lround(r * s), y = cy - (int)lround(r * c);
        for (int dy = -2; dy <= 2; dy++)
            for (int dx = -2; dx <= 2; dx++)
                put(data, width, height, format, x + dx, y + dy, 600, red);
    }
    /* Top rows: the barcode, 1 = bright/far, 0 = dark/near; a few rows tall to be visible. */
    if (width >= STAMP_BITS && height > 0) {
        const uint8_t white[3] = {255, 255, 255}, black[3] = {0, 0, 0};
        uint64_t v = (uint64_t)true_ts_us;
        for (int y = 0; y < STAMP_ROWS; y++) {
            for (int b = 0; b < STAMP_BITS; b++) {
                bool one = (v >> (63 - b)) & 1u;
                put(data, width, height, format, b, y, one ? 4000 : 100, one ? white : black);
            }
        }
    }
}

bool sim_pixels_decode(const uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                       int64_t *true_ts_us)
{
    if (!data || width < STAMP_BITS || height == 0 ||
        (format != RIG_FORMAT_Y16 && format != RIG_FORMAT_RGB))
        return false;
    uint64_t v = 0;
    for (int b = 0; b < STAMP_BITS; b++) {
        bool one;
        if (format == RIG_FORMAT_Y16)
            one = (uint16_t)(data[2 * b] | (data[2 * b + 1] << 8)) > 2000;
        else
            one = data[3 * b] > 127;
        v = (v << 1) | (one ? 1u : 0u);
    }
    *true_ts_us = (int64_t)v;
    return true;
}

void sim_pixels_corrupt(uint8_t *data, uint32_t width, uint32_t height, rig_format_t format,
                        uint64_t seed)
{
    if (!data || format != RIG_FORMAT_Y16)
        return;
    /* Multipath-like bands: every few rows, depth jumps by a random-looking amount. */
    for (uint32_t y = STAMP_ROWS; y < height; y++) {
        if (((y + seed) / 6) % 3 != 0)
            continue;
        uint16_t bogus = (uint16_t)(300 + ((y * 2654435761u + (uint32_t)seed) % 3000));
        for (uint32_t x = 0; x < width; x++) {
            data[2 * ((size_t)y * width + x)] = (uint8_t)(bogus & 0xFF);
            data[2 * ((size_t)y * width + x) + 1] = (uint8_t)(bogus >> 8);
        }
    }
}

/* libjpeg reports errors through error_exit, which must not return (its default exits the
 * process): jump back to the caller instead. */
typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
} jpeg_err_t;

static void jpeg_error_back(j_common_ptr c)
{
    longjmp(((jpeg_err_t *)c->err)->back, 1);
}
static void jpeg_no_output(j_common_ptr c) { (void)c; }

bool sim_pixels_jpeg(const uint8_t *rgb, uint32_t width, uint32_t height, uint8_t **out,
                     size_t *len)
{
    struct jpeg_compress_struct c;
    jpeg_err_t err;
    /* Set by libjpeg through their addresses (in memory, not registers): valid after a jump. */
    unsigned char *dest = NULL;
    unsigned long size = 0;
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_error_back;
    err.mgr.output_message = jpeg_no_output;
    if (setjmp(err.back)) {
        jpeg_destroy_compress(&c);
        free(dest);
        return false;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &dest, &size);
    c.image_width = width;
    c.image_height = height;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 85, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * width * 3);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *out = dest;
    *len = size;
    return true;
}

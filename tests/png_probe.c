/* Test helper for test_cli_export.sh: reads a PNG with libpng (not with rigsync's code) and
 * prints "WIDTH HEIGHT BIT_DEPTH gray|rgb", then one line per X Y argument pair with that pixel's
 * value(s), then "stamp N": the 64-bit barcode of the simulator's image in row 0 (pixel x = bit
 * 63 - x; bright = 1), the frame's true capture time in us.
 * usage: png_probe FILE.png [X Y]... ; exit 1 if the file is not a PNG it can read. */
#include <inttypes.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: png_probe FILE.png [X Y]...\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!f || !info || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "png_probe: %s: not a PNG it can read\n", argv[1]);
        return 1;
    }
    png_init_io(png, f);
    png_read_png(png, info, PNG_TRANSFORM_IDENTITY, NULL); /* as stored: 16-bit big-endian */
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    png_bytepp rows = png_get_rows(png, info);
    int gray = type == PNG_COLOR_TYPE_GRAY;
    printf("%u %u %d %s\n", (unsigned)w, (unsigned)h, depth,
           gray ? "gray" : type == PNG_COLOR_TYPE_RGB ? "rgb" : "other");
    int bpp = (gray ? 1 : 3) * (depth / 8);
    for (int i = 2; i + 1 < argc; i += 2) {
        unsigned x = (unsigned)atoi(argv[i]), y = (unsigned)atoi(argv[i + 1]);
        if (x >= w || y >= h || depth < 8) {
            printf("%u %u outside\n", x, y);
            continue;
        }
        const png_byte *p = rows[y] + (size_t)x * bpp;
        if (gray && depth == 16)
            printf("%u %u %u\n", x, y, (unsigned)(p[0] << 8 | p[1]));
        else if (gray)
            printf("%u %u %u\n", x, y, (unsigned)p[0]);
        else
            printf("%u %u %u,%u,%u\n", x, y, p[0], p[1], p[2]);
    }
    uint64_t stamp = 0;
    for (unsigned b = 0; b < 64 && b < w && depth >= 8; b++) {
        const png_byte *p = rows[0] + (size_t)b * bpp;
        unsigned v = gray && depth == 16 ? (unsigned)(p[0] << 8 | p[1]) : p[0];
        stamp = (stamp << 1) | (gray && depth == 16 ? v > 2000 : v > 128);
    }
    printf("stamp %" PRIu64 "\n", stamp);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return 0;
}

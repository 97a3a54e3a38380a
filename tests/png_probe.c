/* Test helper for test_cli_export.sh: reads a PNG with libpng (not with rigsync's code) and
 * prints "WIDTH HEIGHT BIT_DEPTH gray|rgb", then one line per X Y argument pair with that pixel's
 * value(s), then "stamp N": the 64-bit barcode of the simulator's image in row 0 (pixel x = bit
 * 63 - x; bright = 1), the frame's true capture time in us.
 * usage: png_probe FILE.png [X Y]... ; exit 1 if the file is not a PNG it can read.
 *
 * Screenshots and plots (rigsync view, rigsync report; any PNG, as 8-bit RGB):
 *   png_probe --regions FILE.png X Y W H [X Y W H]...
 * prints "W H" then per region "region X Y W H distinct=N nonbg=F bg=RRGGBB": the number of
 * distinct colours, the share of pixels that differ from the region's most common colour (bg).
 *   png_probe --runs FILE.png X Y W H RRGGBB TOL
 * prints "pixels=N runs=R": pixels of the region within TOL (per channel) of the colour, and the
 * runs of such pixels along the region's columns (adjacent matching columns make one run: one
 * mark of a scope is one run). */
#include <inttypes.h>
#include <png.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The image as 8-bit RGB rows; NULL when unreadable. */
static unsigned char *read_rgb(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile out = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(out);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        fclose(f);
        return NULL;
    }
    png_init_io(png, f);
    png_read_png(png, info,
                 PNG_TRANSFORM_STRIP_16 | PNG_TRANSFORM_STRIP_ALPHA | PNG_TRANSFORM_EXPAND |
                     PNG_TRANSFORM_GRAY_TO_RGB,
                 NULL);
    *w = png_get_image_width(png, info);
    *h = png_get_image_height(png, info);
    png_bytepp rows = png_get_rows(png, info);
    out = malloc((size_t)*w * *h * 3 + 1);
    if (out)
        for (unsigned y = 0; y < *h; y++)
            for (unsigned x = 0; x < *w * 3; x++)
                out[(size_t)y * *w * 3 + x] = rows[y][x];
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return out;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int regions(int argc, char **argv)
{
    unsigned w, h;
    unsigned char *img = read_rgb(argv[2], &w, &h);
    if (!img) {
        fprintf(stderr, "png_probe: %s: not a PNG it can read\n", argv[2]);
        return 1;
    }
    printf("%u %u\n", w, h);
    for (int i = 3; i + 3 < argc; i += 4) {
        unsigned x0 = (unsigned)atoi(argv[i]), y0 = (unsigned)atoi(argv[i + 1]);
        unsigned rw = (unsigned)atoi(argv[i + 2]), rh = (unsigned)atoi(argv[i + 3]);
        if (x0 >= w || y0 >= h || rw == 0 || rh == 0 || x0 + rw > w || y0 + rh > h) {
            printf("region %u %u %u %u outside\n", x0, y0, rw, rh);
            continue;
        }
        size_t n = (size_t)rw * rh, k = 0;
        uint32_t *c = malloc(n * sizeof(*c));
        if (!c)
            return 1;
        for (unsigned y = y0; y < y0 + rh; y++)
            for (unsigned x = x0; x < x0 + rw; x++) {
                const unsigned char *p = img + ((size_t)y * w + x) * 3;
                c[k++] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            }
        qsort(c, n, sizeof(*c), cmp_u32);
        size_t distinct = 0, best = 0, run = 0;
        uint32_t bg = c[0];
        for (size_t j = 0; j < n; j++) {
            if (j == 0 || c[j] != c[j - 1]) {
                distinct++;
                run = 0;
            }
            if (++run > best) {
                best = run;
                bg = c[j];
            }
        }
        printf("region %u %u %u %u distinct=%zu nonbg=%.4f bg=%06x\n", x0, y0, rw, rh, distinct,
               (double)(n - best) / (double)n, (unsigned)bg);
        free(c);
    }
    free(img);
    return 0;
}

static int runs(char **argv)
{
    unsigned w, h;
    unsigned char *img = read_rgb(argv[2], &w, &h);
    if (!img) {
        fprintf(stderr, "png_probe: %s: not a PNG it can read\n", argv[2]);
        return 1;
    }
    unsigned x0 = (unsigned)atoi(argv[3]), y0 = (unsigned)atoi(argv[4]);
    unsigned rw = (unsigned)atoi(argv[5]), rh = (unsigned)atoi(argv[6]);
    unsigned long rgb = strtoul(argv[7], NULL, 16);
    int tol = atoi(argv[8]);
    if (x0 + rw > w || y0 + rh > h) {
        printf("outside\n");
        free(img);
        return 1;
    }
    int want[3] = {(int)(rgb >> 16 & 255), (int)(rgb >> 8 & 255), (int)(rgb & 255)};
    size_t pixels = 0, nruns = 0;
    bool prev = false;
    for (unsigned x = x0; x < x0 + rw; x++) {
        bool col = false;
        for (unsigned y = y0; y < y0 + rh; y++) {
            const unsigned char *p = img + ((size_t)y * w + x) * 3;
            bool m = abs(p[0] - want[0]) <= tol && abs(p[1] - want[1]) <= tol &&
                     abs(p[2] - want[2]) <= tol;
            pixels += m;
            col |= m;
        }
        nruns += col && !prev;
        prev = col;
    }
    printf("pixels=%zu runs=%zu\n", pixels, nruns);
    free(img);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--regions") == 0)
        return regions(argc, argv);
    if (argc == 9 && strcmp(argv[1], "--runs") == 0)
        return runs(argv);
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

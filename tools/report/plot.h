/*
 * Drawing plots with cairo (rigsync report): a frame with axes and ticks mapping data to
 * pixels, lines and min-max bands (NAN breaks them), bars, points, vertical marks, text and
 * wrapped legends. Colours come from one fixed palette, so that device i has the same colour in
 * every plot and every report.
 */
#ifndef RIGSYNC_TOOLS_PLOT_H
#define RIGSYNC_TOOLS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include <cairo.h>

typedef struct plot_rgb {
    double r, g, b;
} plot_rgb_t;

/* Colour i of the palette (16 distinct colours, then again; device i = colour i). */
plot_rgb_t plot_palette(size_t i);
/* The palette's colour i as 0xRRGGBB (tests look for it in the pixels). */
unsigned plot_palette_hex(size_t i);

typedef struct plot_frame {
    cairo_t *cr;
    double x, y, w, h;      /* the frame in pixels */
    double x0, x1, y0, y1;  /* the data range it shows */
    bool ylog;              /* y on a log10 scale (y0, y1 > 0) */
    bool no_xticks;         /* the caller labels x itself */
    bool no_yticks;         /* no y scale (a strip of marks) */
} plot_frame_t;

void plot_frame_init(plot_frame_t *f, cairo_t *cr, double x, double y, double w, double h,
                     double x0, double x1, double y0, double y1, bool ylog);
double plot_px(const plot_frame_t *f, double x);
double plot_py(const plot_frame_t *f, double y);

/* White background, grid, box, ticks with numbers, the title above the frame (left) and the
 * axis labels (x below, y rotated at the left). Either label may be NULL. */
void plot_axes(const plot_frame_t *f, const char *title, const char *xlabel, const char *ylabel);
/* Clip to the frame (drawing data); plot_unclip restores. */
void plot_clip(const plot_frame_t *f);
void plot_unclip(const plot_frame_t *f);

/* A polyline through (xs[i], ys[i]); a NAN in ys starts a new piece. dash: 0 solid, else the
 * dash length in pixels. */
void plot_line(const plot_frame_t *f, const double *xs, const double *ys, size_t n,
               plot_rgb_t c, double width, double dash);
/* The area between lo and hi, filled at alpha; NAN breaks it. */
void plot_band(const plot_frame_t *f, const double *xs, const double *lo, const double *hi,
               size_t n, plot_rgb_t c, double alpha);
/* A bar from the frame's bottom (or y0) to v over [xa, xb]. */
void plot_bar(const plot_frame_t *f, double xa, double xb, double v, plot_rgb_t c);
/* A filled square of side `size` pixels centred on (x, y). */
void plot_point(const plot_frame_t *f, double x, double y, double size, plot_rgb_t c);
/* A vertical line at x over the whole frame height. */
void plot_vmark(const plot_frame_t *f, double x, plot_rgb_t c, double width, double dash);
/* A small triangle pointing down at x, its tip on the frame's top edge. */
void plot_tick_mark(const plot_frame_t *f, double x, plot_rgb_t c);

/* Text with its left (align 0), centre (0.5) or right (1) end at x, baseline y. Returns its
 * width in pixels. */
double plot_text(cairo_t *cr, double x, double y, double size, bool bold, double align,
                 plot_rgb_t c, const char *text);
double plot_text_width(cairo_t *cr, double size, bool bold, const char *text);
/* Words of text wrapped into lines at most w wide, from baseline y; at most max_lines (the
 * last ends with "..." when cut). Returns the number of lines drawn. */
int plot_text_wrapped(cairo_t *cr, double x, double y, double w, double size, double line_h,
                      int max_lines, plot_rgb_t c, const char *text);
/* A legend: a swatch and a label per entry, left to right, wrapping at width w, at most
 * max_rows rows (then "+N more"). Returns the rows used. */
int plot_legend(cairo_t *cr, double x, double y, double w, double row_h, int max_rows,
                const char *const *labels, const plot_rgb_t *colors, size_t n);

/* Tick step of about n ticks over [lo, hi]: 1, 2 or 5 times a power of ten. */
double plot_nice_step(double lo, double hi, int n);

#endif

/* Plots drawn with cairo: see plot.h. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Sixteen colours far enough apart to tell devices apart (and exact in the pixels: tests look
 * for them). */
static const unsigned palette[16] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
    0xbcbd22, 0x17becf, 0x393b79, 0xe7ba52, 0x637939, 0xad494a, 0x3182bd, 0x7b4173,
};

unsigned plot_palette_hex(size_t i) { return palette[i % 16]; }

plot_rgb_t plot_palette(size_t i)
{
    unsigned v = palette[i % 16];
    plot_rgb_t c = {(double)((v >> 16) & 0xff) / 255.0, (double)((v >> 8) & 0xff) / 255.0,
                    (double)(v & 0xff) / 255.0};
    return c;
}

static const plot_rgb_t ink = {0.15, 0.15, 0.15};
static const plot_rgb_t grid = {0.88, 0.88, 0.88};

static void set_rgb(cairo_t *cr, plot_rgb_t c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void plot_frame_init(plot_frame_t *f, cairo_t *cr, double x, double y, double w, double h,
                     double x0, double x1, double y0, double y1, bool ylog)
{
    memset(f, 0, sizeof(*f));
    f->cr = cr;
    f->x = x;
    f->y = y;
    f->w = w;
    f->h = h;
    if (ylog) {
        y0 = y0 > 0 ? y0 : 1;
        y1 = y1 > y0 ? y1 : y0 * 10;
    }
    if (!(x1 > x0))
        x1 = x0 + 1;
    if (!(y1 > y0)) {
        y0 -= 1;
        y1 += 1;
    }
    f->x0 = x0;
    f->x1 = x1;
    f->y0 = y0;
    f->y1 = y1;
    f->ylog = ylog;
}

double plot_px(const plot_frame_t *f, double x)
{
    return f->x + (x - f->x0) / (f->x1 - f->x0) * f->w;
}

double plot_py(const plot_frame_t *f, double y)
{
    double t;
    if (f->ylog)
        t = (log10(y > 0 ? y : f->y0) - log10(f->y0)) / (log10(f->y1) - log10(f->y0));
    else
        t = (y - f->y0) / (f->y1 - f->y0);
    return f->y + f->h - t * f->h;
}

double plot_nice_step(double lo, double hi, int n)
{
    double span = hi - lo;
    if (!(span > 0) || n < 1)
        return 1;
    double raw = span / n, p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

double plot_text_width(cairo_t *cr, double size, bool bold, const char *text)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, text, &e);
    return e.x_advance;
}

double plot_text(cairo_t *cr, double x, double y, double size, bool bold, double align,
                 plot_rgb_t c, const char *text)
{
    double w = plot_text_width(cr, size, bold, text);
    set_rgb(cr, c);
    cairo_move_to(cr, x - align * w, y);
    cairo_show_text(cr, text);
    return w;
}

int plot_text_wrapped(cairo_t *cr, double x, double y, double w, double size, double line_h,
                      int max_lines, plot_rgb_t c, const char *text)
{
    char line[1024];
    int lines = 0;
    const char *p = text;
    while (*p && lines < max_lines) {
        size_t len = 0, fit = 0;
        line[0] = '\0';
        /* add words while the line fits */
        for (;;) {
            const char *q = p + len;
            while (*q == ' ')
                q++;
            const char *e = q;
            while (*e && *e != ' ')
                e++;
            size_t cand = (size_t)(e - p);
            if (cand >= sizeof(line) - 4)
                break;
            memcpy(line, p, cand);
            line[cand] = '\0';
            if (fit && plot_text_width(cr, size, false, line) > w)
                break;
            fit = cand;
            len = cand;
            if (!*e)
                break;
        }
        if (!fit) { /* one word longer than the line: cut it */
            fit = strlen(p) < sizeof(line) - 4 ? strlen(p) : sizeof(line) - 4;
        }
        memcpy(line, p, fit);
        line[fit] = '\0';
        p += fit;
        while (*p == ' ')
            p++;
        if (lines + 1 == max_lines && *p)
            strcat(line, " ...");
        plot_text(cr, x, y + lines * line_h, size, false, 0, c, line);
        lines++;
    }
    return lines;
}

int plot_legend(cairo_t *cr, double x, double y, double w, double row_h, int max_rows,
                const char *const *labels, const plot_rgb_t *colors, size_t n)
{
    double cx = x, size = row_h * 0.7;
    int row = 0;
    for (size_t i = 0; i < n; i++) {
        double tw = plot_text_width(cr, size, false, labels[i]);
        double need = row_h + 4 + tw + 18;
        if (cx > x && cx + need > x + w) {
            row++;
            cx = x;
        }
        if (row >= max_rows || (row == max_rows - 1 && i + 1 < n && cx + need + 80 > x + w &&
                                cx > x)) {
            char more[32];
            snprintf(more, sizeof(more), "+%zu more", n - i);
            plot_text(cr, cx, y + (row < max_rows ? row : max_rows - 1) * row_h + size, size,
                      false, 0, ink, more);
            return max_rows;
        }
        double ry = y + row * row_h;
        set_rgb(cr, colors[i]);
        cairo_rectangle(cr, cx, ry + row_h * 0.15, row_h * 0.7 * 1.6, row_h * 0.7);
        cairo_fill(cr);
        plot_text(cr, cx + row_h * 1.2 + 4, ry + size, size, false, 0, ink, labels[i]);
        cx += need;
    }
    return n ? row + 1 : 0;
}

static void fmt_tick(char *buf, size_t len, double v, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0;
    double a = fabs(v);
    if (a >= 1e6 && step >= 1e5)
        snprintf(buf, len, "%gM", v / 1e6);
    else if (a >= 1e4 && step >= 1e3)
        snprintf(buf, len, "%gk", v / 1e3);
    else
        snprintf(buf, len, "%g", v);
}

void plot_axes(const plot_frame_t *f, const char *title, const char *xlabel, const char *ylabel)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, f->x, f->y, f->w, f->h);
    cairo_fill(cr);
    cairo_set_line_width(cr, 1);
    char buf[32];
    /* x ticks */
    double sx = plot_nice_step(f->x0, f->x1, 10);
    for (double v = ceil(f->x0 / sx) * sx; !f->no_xticks && v <= f->x1 + sx * 1e-9; v += sx) {
        double px = round(plot_px(f, v)) + 0.5;
        set_rgb(cr, grid);
        cairo_move_to(cr, px, f->y);
        cairo_line_to(cr, px, f->y + f->h);
        cairo_stroke(cr);
        fmt_tick(buf, sizeof(buf), v, sx);
        plot_text(cr, px, f->y + f->h + 13, 10, false, 0.5, ink, buf);
    }
    /* y ticks */
    if (f->no_yticks) {
        /* a strip of marks: no scale */
    } else if (f->ylog) {
        for (double d = floor(log10(f->y0)); d <= ceil(log10(f->y1)); d++) {
            double v = pow(10, d);
            if (v < f->y0 * 0.999 || v > f->y1 * 1.001)
                continue;
            double py = round(plot_py(f, v)) + 0.5;
            set_rgb(cr, grid);
            cairo_move_to(cr, f->x, py);
            cairo_line_to(cr, f->x + f->w, py);
            cairo_stroke(cr);
            fmt_tick(buf, sizeof(buf), v, v);
            plot_text(cr, f->x - 4, py + 3.5, 10, false, 1, ink, buf);
        }
    } else {
        double sy = plot_nice_step(f->y0, f->y1, f->h > 150 ? 6 : 3);
        for (double v = ceil(f->y0 / sy) * sy; v <= f->y1 + sy * 1e-9; v += sy) {
            double py = round(plot_py(f, v)) + 0.5;
            set_rgb(cr, grid);
            cairo_move_to(cr, f->x, py);
            cairo_line_to(cr, f->x + f->w, py);
            cairo_stroke(cr);
            fmt_tick(buf, sizeof(buf), v, sy);
            plot_text(cr, f->x - 4, py + 3.5, 10, false, 1, ink, buf);
        }
    }
    set_rgb(cr, ink);
    cairo_rectangle(cr, round(f->x) - 0.5, round(f->y) - 0.5, round(f->w) + 1, round(f->h) + 1);
    cairo_stroke(cr);
    if (title)
        plot_text(cr, f->x, f->y - 7, 13, true, 0, ink, title);
    if (xlabel)
        plot_text(cr, f->x + f->w, f->y + f->h + 26, 10, false, 1, ink, xlabel);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, f->x - 46, f->y + f->h / 2);
        cairo_rotate(cr, -1.5707963267948966);
        plot_text(cr, 0, 0, 10, false, 0.5, ink, ylabel);
        cairo_restore(cr);
    }
    cairo_restore(cr);
}

void plot_clip(const plot_frame_t *f)
{
    cairo_save(f->cr);
    cairo_rectangle(f->cr, f->x, f->y, f->w, f->h);
    cairo_clip(f->cr);
}

void plot_unclip(const plot_frame_t *f) { cairo_restore(f->cr); }

void plot_line(const plot_frame_t *f, const double *xs, const double *ys, size_t n,
               plot_rgb_t c, double width, double dash)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    set_rgb(cr, c);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (dash > 0)
        cairo_set_dash(cr, &dash, 1, 0);
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        if (isnan(ys[i]) || isnan(xs[i])) {
            open = false;
            continue;
        }
        double px = plot_px(f, xs[i]), py = plot_py(f, ys[i]);
        if (open)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
        /* a lone point still shows: a dot of the line's width */
        if (!open && (i + 1 >= n || isnan(ys[i + 1])))
            cairo_line_to(cr, px + 0.01, py);
        open = true;
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

void plot_band(const plot_frame_t *f, const double *xs, const double *lo, const double *hi,
               size_t n, plot_rgb_t c, double alpha)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
    size_t i = 0;
    while (i < n) {
        while (i < n && (isnan(lo[i]) || isnan(hi[i])))
            i++;
        size_t a = i;
        while (i < n && !isnan(lo[i]) && !isnan(hi[i]))
            i++;
        if (i == a)
            continue;
        for (size_t k = a; k < i; k++)
            cairo_line_to(cr, plot_px(f, xs[k]), plot_py(f, hi[k]));
        for (size_t k = i; k-- > a;)
            cairo_line_to(cr, plot_px(f, xs[k]), plot_py(f, lo[k]));
        cairo_close_path(cr);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

void plot_bar(const plot_frame_t *f, double xa, double xb, double v, plot_rgb_t c)
{
    double base = f->ylog ? f->y0 : (f->y0 > 0 ? f->y0 : 0);
    double pa = plot_px(f, xa), pb = plot_px(f, xb), top = plot_py(f, v), bot = plot_py(f, base);
    set_rgb(f->cr, c);
    cairo_rectangle(f->cr, pa, top, pb - pa, bot - top);
    cairo_fill(f->cr);
}

void plot_point(const plot_frame_t *f, double x, double y, double size, plot_rgb_t c)
{
    set_rgb(f->cr, c);
    cairo_rectangle(f->cr, plot_px(f, x) - size / 2, plot_py(f, y) - size / 2, size, size);
    cairo_fill(f->cr);
}

void plot_vmark(const plot_frame_t *f, double x, plot_rgb_t c, double width, double dash)
{
    cairo_t *cr = f->cr;
    cairo_save(cr);
    set_rgb(cr, c);
    cairo_set_line_width(cr, width);
    if (dash > 0)
        cairo_set_dash(cr, &dash, 1, 0);
    double px = plot_px(f, x);
    cairo_move_to(cr, px, f->y);
    cairo_line_to(cr, px, f->y + f->h);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void plot_tick_mark(const plot_frame_t *f, double x, plot_rgb_t c)
{
    double px = plot_px(f, x);
    set_rgb(f->cr, c);
    cairo_move_to(f->cr, px - 4, f->y);
    cairo_line_to(f->cr, px + 4, f->y);
    cairo_line_to(f->cr, px, f->y + 7);
    cairo_close_path(f->cr);
    cairo_fill(f->cr);
}

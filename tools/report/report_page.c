/* The page of rigsync report: see report_page.h. Sections stacked top to bottom; each is drawn
 * at y = 0 of its own cairo context, so that the page formats stack them and the HTML holds each
 * as its own image. */
#include "report_page.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "plot.h"

#define L 90.0                  /* left edge of every time plot */
#define PW (REPORT_PAGE_W - L - 30.0) /* width of every time plot */

static const plot_rgb_t ink = {0.15, 0.15, 0.15};
static const plot_rgb_t event_ink = {0.55, 0.1, 0.1};
static const plot_rgb_t grey = {0.6, 0.6, 0.6};

bool report_format_from_path(const char *path, report_format_t *out)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return false;
    static const struct {
        const char *ext;
        report_format_t f;
    } known[] = {{".html", REPORT_HTML}, {".htm", REPORT_HTML}, {".png", REPORT_PNG},
                 {".svg", REPORT_SVG},   {".pdf", REPORT_PDF}};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(dot, known[i].ext) == 0) {
            *out = known[i].f;
            return true;
        }
    return false;
}

/* ---- the data, in seconds since the origin ------------------------------------------------ */

typedef struct page_ctx {
    const report_page_t *p;
    const rig_timeline_view_t *tl;
    size_t ndev;
    double t_end;   /* seconds: the time axis is [0, t_end] */
    double *x;      /* bucket centres, seconds */
    double *bw;     /* bucket widths, seconds (the last one: up to the run's end) */
} page_ctx_t;

static double secs(const page_ctx_t *c, int64_t host_us)
{
    return (double)(host_us - c->tl->origin_us) / 1e6;
}

static bool ctx_init(page_ctx_t *c, const report_page_t *p)
{
    memset(c, 0, sizeof(*c));
    c->p = p;
    c->tl = p->tl;
    c->ndev = p->tl->device_count;
    size_t nb = c->tl->bucket_count;
    c->x = calloc(nb + 1, sizeof(double));
    c->bw = calloc(nb + 1, sizeof(double));
    if (!c->x || !c->bw)
        return false;
    double end = 0;
    for (size_t k = 0; k < p->sum->event_count; k++)
        end = fmax(end, secs(c, p->sum->events[k].host_ts_us));
    /* the run's last frame: its first one plus the summary's duration */
    double last = secs(c, p->sum->first_us) + p->sum->duration_s;
    double bucket_s = (double)c->tl->bucket_us / 1e6;
    for (size_t b = 0; b < nb; b++) {
        double s = secs(c, c->tl->buckets[b].start_us);
        c->bw[b] = bucket_s;
        if (b + 1 == nb && last > s && last < s + bucket_s)
            c->bw[b] = fmax(last - s, 0.05 * bucket_s);
        c->x[b] = s + c->bw[b] / 2;
        end = fmax(end, s + c->bw[b]);
    }
    for (size_t d = 0; d < c->ndev; d++)
        if (c->tl->clock_count[d])
            end = fmax(end, secs(c, c->tl->clock[d][c->tl->clock_count[d] - 1].host_ts_us));
    c->t_end = end > 0 ? end : 1;
    return true;
}

static void ctx_free(page_ctx_t *c)
{
    free(c->x);
    free(c->bw);
}

/* Events as thin dashed lines across a time plot. */
static void event_lines(const page_ctx_t *c, const plot_frame_t *f)
{
    plot_clip(f);
    for (size_t k = 0; k < c->p->sum->event_count; k++)
        plot_vmark(f, secs(c, c->p->sum->events[k].host_ts_us), event_ink, 1, 3);
    plot_unclip(f);
}

static void time_frame(const page_ctx_t *c, plot_frame_t *f, cairo_t *cr, double y, double h,
                       double y0, double y1, bool ylog)
{
    plot_frame_init(f, cr, L, y, PW, h, 0, c->t_end, y0, y1, ylog);
}

/* ---- sections -------------------------------------------------------------------------------- */

#define HEADER_H 110.0
#define LEGEND_H 92.0
#define OFFSET_H 280.0
#define SPREAD_H 420.0
#define FPS_H 320.0
#define CLOCK_H 340.0
#define EVENTS_H 200.0

static void draw_header(const page_ctx_t *c, cairo_t *cr)
{
    char title[512];
    snprintf(title, sizeof(title), "rigsync report: %s, %zu devices, %.1f s of frames",
             c->p->source, c->ndev, c->p->sum->duration_s);
    plot_text(cr, 20, 32, 20, true, 0, ink, title);
    char verdict[sizeof(c->p->sum->verdict_text) + 16];
    snprintf(verdict, sizeof(verdict), "VERDICT: %s", c->p->sum->verdict_text);
    plot_text_wrapped(cr, 20, 56, REPORT_PAGE_W - 40, 13, 17, 4, ink, verdict);
}

static void draw_legend(const page_ctx_t *c, cairo_t *cr)
{
    plot_text(cr, 20, 22, 13, true, 0, ink, "Devices (one colour each in every plot)");
    const char **labels = calloc(c->ndev + 1, sizeof(char *));
    char (*text)[96] = calloc(c->ndev + 1, sizeof(*text));
    plot_rgb_t *colors = calloc(c->ndev + 1, sizeof(plot_rgb_t));
    if (labels && text && colors) {
        for (size_t d = 0; d < c->ndev; d++) {
            snprintf(text[d], sizeof(text[d]), "device#%zu %s", d, c->p->serials[d]);
            labels[d] = text[d];
            colors[d] = plot_palette(d);
        }
        plot_legend(cr, 20, 32, REPORT_PAGE_W - 40, 15, 4, labels, colors, c->ndev);
    }
    free(labels);
    free(text);
    free(colors);
}

/* 1. Offset of each device from the rig on the global time line: mean per bucket, min-max band. */
static void draw_offsets(const page_ctx_t *c, cairo_t *cr)
{
    const rig_timeline_view_t *tl = c->tl;
    size_t nb = tl->bucket_count;
    double lo = 0, hi = 0;
    for (size_t b = 0; b < nb; b++)
        for (size_t d = 0; d < c->ndev; d++) {
            const rig_timeline_cell_t *cell = &tl->buckets[b].cells[d];
            if (cell->offsets) {
                lo = fmin(lo, (double)cell->offset_min_us);
                hi = fmax(hi, (double)cell->offset_max_us);
            }
        }
    double pad = fmax((hi - lo) * 0.08, 1);
    plot_frame_t f;
    time_frame(c, &f, cr, 30, OFFSET_H - 75, lo - pad, hi + pad, false);
    plot_axes(&f, "1. Offset of each device from the rig on global time (mean, min-max band "
                  "per bucket)",
              "seconds since the start", "offset (us)");
    double *mean = calloc(nb + 1, sizeof(double)), *mn = calloc(nb + 1, sizeof(double)),
           *mx = calloc(nb + 1, sizeof(double));
    if (mean && mn && mx) {
        plot_clip(&f);
        for (int pass = 0; pass < 2; pass++)
            for (size_t d = 0; d < c->ndev; d++) {
                for (size_t b = 0; b < nb; b++) {
                    const rig_timeline_cell_t *cell = &tl->buckets[b].cells[d];
                    bool has = cell->offsets > 0;
                    mean[b] = has ? cell->offset_sum_us / (double)cell->offsets : NAN;
                    mn[b] = has ? (double)cell->offset_min_us : NAN;
                    mx[b] = has ? (double)cell->offset_max_us : NAN;
                }
                if (pass == 0)
                    plot_band(&f, c->x, mn, mx, nb, plot_palette(d), 0.18);
                else
                    plot_line(&f, c->x, mean, nb, plot_palette(d), 3, 0);
            }
        plot_unclip(&f);
    }
    free(mean);
    free(mn);
    free(mx);
    event_lines(c, &f);
}

/* 2. Cross-device spread: p50, p99 and max per bucket over time; the histogram of the run. */
static void draw_spread(const page_ctx_t *c, cairo_t *cr)
{
    const rig_timeline_view_t *tl = c->tl;
    size_t nb = tl->bucket_count;
    double top = 10;
    for (size_t b = 0; b < nb; b++)
        top = fmax(top, (double)tl->buckets[b].spread_max_us);
    plot_frame_t f;
    time_frame(c, &f, cr, 30, 190, 1, pow(10, ceil(log10(top * 1.5))), true);
    plot_axes(&f, "2. Cross-device spread per capture on global time: p50, p99, max per bucket "
                  "(0 us drawn at 1)",
              "seconds since the start", "spread (us)");
    double *v[3];
    static const char *const names[3] = {"p50", "p99", "max"};
    static const plot_rgb_t cols[3] = {{0.10, 0.45, 0.80}, {0.95, 0.55, 0.10}, {0.80, 0.10, 0.10}};
    for (int k = 0; k < 3; k++)
        v[k] = calloc(nb + 1, sizeof(double));
    if (v[0] && v[1] && v[2]) {
        for (size_t b = 0; b < nb; b++) {
            const rig_timeline_bucket_t *bk = &tl->buckets[b];
            uint64_t n = bk->captures;
            if (!n) {
                v[0][b] = v[1][b] = v[2][b] = NAN;
                continue;
            }
            /* nearest rank, as the summary's percentiles */
            uint64_t r50 = (n - 1) / 2, r99 = (uint64_t)ceil(0.99 * (double)n) - 1;
            v[0][b] = fmax(1, (double)rig_timeline_spread_rank(bk->spread_hist, r50,
                                                               bk->spread_max_us));
            v[1][b] = fmax(1, (double)rig_timeline_spread_rank(bk->spread_hist, r99,
                                                               bk->spread_max_us));
            v[2][b] = fmax(1, (double)bk->spread_max_us);
        }
        plot_clip(&f);
        /* max dashed on top: where p99 is the max both show */
        for (int k = 1; k >= 0; k--)
            plot_line(&f, c->x, v[k], nb, cols[k], 2.5, 0);
        plot_line(&f, c->x, v[2], nb, cols[2], 1.5, 5);
        plot_unclip(&f);
        plot_legend(cr, L + PW - 220, 6, 220, 14, 1, names, cols, 3);
    }
    for (int k = 0; k < 3; k++)
        free(v[k]);
    event_lines(c, &f);

    /* the histogram over the run: log bins, counts on a log scale */
    size_t last = 1;
    uint64_t most = 1;
    for (size_t k = 0; k < RIG_TIMELINE_SPREAD_BINS; k++)
        if (tl->spread_hist[k]) {
            last = k + 1;
            most = tl->spread_hist[k] > most ? tl->spread_hist[k] : most;
        }
    plot_frame_t h;
    plot_frame_init(&h, cr, L, 290, PW, 90, 0, (double)last, 0.5,
                    pow(10, ceil(log10((double)most * 1.5))), true);
    h.no_xticks = true;
    plot_axes(&h, "Spread histogram over the run (bins of powers of two, us)", NULL, "captures");
    for (size_t k = 0; k < last; k++) {
        int64_t lo, hi;
        rig_timeline_spread_bin(k, &lo, &hi);
        char lab[32];
        if (k == 0)
            snprintf(lab, sizeof(lab), "0");
        else if (hi == INT64_MAX)
            snprintf(lab, sizeof(lab), ">=%" PRId64, lo);
        else
            snprintf(lab, sizeof(lab), "%" PRId64, lo);
        plot_text(cr, plot_px(&h, (double)k + 0.5), h.y + h.h + 13, 9, false, 0.5, ink, lab);
        if (tl->spread_hist[k])
            plot_bar(&h, (double)k + 0.1, (double)k + 0.9, (double)tl->spread_hist[k],
                     (plot_rgb_t){0.25, 0.35, 0.55});
    }
}

/* 3. Frames per second of each device's color (solid) and depth (dashed); drops below. */
static void draw_fps(const page_ctx_t *c, cairo_t *cr)
{
    const rig_timeline_view_t *tl = c->tl;
    size_t nb = tl->bucket_count;
    double top = 1, dtop = 1;
    for (size_t b = 0; b < nb; b++)
        for (size_t d = 0; d < c->ndev; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                top = fmax(top, (double)tl->buckets[b].cells[d].frames[s] / c->bw[b]);
                dtop = fmax(dtop, (double)tl->buckets[b].cells[d].drops[s]);
            }
    plot_frame_t f;
    time_frame(c, &f, cr, 30, 170, 0, top * 1.15, false);
    plot_axes(&f, "3. Frames per second per device: color solid, depth dashed", NULL, "fps");
    double *v = calloc(nb + 1, sizeof(double));
    if (v) {
        plot_clip(&f);
        for (size_t d = 0; d < c->ndev; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                for (size_t b = 0; b < nb; b++)
                    v[b] = (double)tl->buckets[b].cells[d].frames[s] / c->bw[b];
                plot_line(&f, c->x, v, nb, plot_palette(d), 2.5,
                          s == RIG_STREAM_DEPTH ? 6 : 0);
            }
        plot_unclip(&f);
    }
    free(v);
    event_lines(c, &f);
    plot_frame_t g;
    time_frame(c, &g, cr, 220, 60, 0, dtop * 1.2, false);
    plot_axes(&g, NULL, "seconds since the start", "drops");
    plot_text(cr, L + 6, 232, 10, false, 0, ink,
              "frames dropped per bucket (color left, depth right of each device's pair)");
    plot_clip(&g);
    double slot = (double)tl->bucket_us / 1e6 / (double)(c->ndev * RIG_STREAM_COUNT + 1);
    for (size_t b = 0; b < nb; b++)
        for (size_t d = 0; d < c->ndev; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                uint64_t n = tl->buckets[b].cells[d].drops[s];
                if (!n)
                    continue;
                double x0 = secs(c, tl->buckets[b].start_us) +
                            slot * (0.5 + (double)(d * RIG_STREAM_COUNT + (size_t)s));
                plot_bar(&g, x0, x0 + slot * 0.9, (double)n, plot_palette(d));
            }
    plot_unclip(&g);
    event_lines(c, &g);
}

/* 4. Each clock: offset relative to its epoch's start, skew; epochs and host writes marked. */
static void draw_clocks(const page_ctx_t *c, cairo_t *cr)
{
    const rig_timeline_view_t *tl = c->tl;
    double lo = 0, hi = 0, slo = 0, shi = 0;
    size_t most = 0;
    for (size_t d = 0; d < c->ndev; d++) {
        most = tl->clock_count[d] > most ? tl->clock_count[d] : most;
        for (size_t i = 0; i < tl->clock_count[d]; i++) {
            lo = fmin(lo, tl->clock[d][i].offset_us);
            hi = fmax(hi, tl->clock[d][i].offset_us);
            slo = fmin(slo, tl->clock[d][i].skew_ppm);
            shi = fmax(shi, tl->clock[d][i].skew_ppm);
        }
    }
    double pad = fmax((hi - lo) * 0.08, 1), spad = fmax((shi - slo) * 0.1, 1);
    plot_frame_t f, g;
    time_frame(c, &f, cr, 30, 160, lo - pad, hi + pad, false);
    plot_axes(&f,
              "4. Each clock: estimated offset (global - device, from its epoch's start); "
              "epochs dotted, host clock writes as triangles",
              NULL, "offset (us)");
    time_frame(c, &g, cr, 210, 85, slo - spad, shi + spad, false);
    plot_axes(&g, NULL, "seconds since the start", "skew (ppm)");
    double *xs = calloc(most + 1, sizeof(double)), *off = calloc(most + 1, sizeof(double)),
           *sk = calloc(most + 1, sizeof(double));
    if (xs && off && sk) {
        for (size_t d = 0; d < c->ndev; d++) {
            size_t n = tl->clock_count[d], m = 0;
            /* a NAN between epochs: the lines break there */
            for (size_t i = 0; i < n && m < most; i++) {
                const rig_timeline_clock_t *s = &tl->clock[d][i];
                if (i > 0 && s->epoch != tl->clock[d][i - 1].epoch) {
                    plot_clip(&f);
                    plot_vmark(&f, secs(c, s->host_ts_us), plot_palette(d), 1, 1.5);
                    plot_unclip(&f);
                    if (m < most) {
                        xs[m] = secs(c, s->host_ts_us);
                        off[m] = sk[m] = NAN;
                        m++;
                    }
                    if (m >= most)
                        break;
                }
                xs[m] = secs(c, s->host_ts_us);
                off[m] = s->offset_us;
                sk[m] = s->skew_ppm;
                m++;
            }
            plot_clip(&f);
            plot_line(&f, xs, off, m, plot_palette(d), 2, 0);
            plot_unclip(&f);
            plot_clip(&g);
            plot_line(&g, xs, sk, m, plot_palette(d), 2, 0);
            plot_unclip(&g);
        }
    }
    free(xs);
    free(off);
    free(sk);
    for (size_t d = 0; d < c->ndev; d++)
        for (size_t i = 0; i < tl->write_count[d]; i++)
            plot_tick_mark(&f, secs(c, tl->writes[d][i]), plot_palette(d));
    event_lines(c, &f);
    event_lines(c, &g);
}

/* 5. The events of the summary, labelled, and the buckets with transport stalls, interference
 * or frames in no frameset, per device. */
static void draw_events(const page_ctx_t *c, cairo_t *cr)
{
    const rig_timeline_view_t *tl = c->tl;
    const rig_report_summary_t *sum = c->p->sum;
    plot_frame_t f;
    time_frame(c, &f, cr, 30, EVENTS_H - 70, 0, 1, false);
    f.y0 = 0;
    f.y1 = 1;
    char title[128];
    snprintf(title, sizeof(title),
             "5. Events (%zu%s); per device stalls (S), interference (I), frames in no "
             "frameset (U)",
             sum->event_count + (size_t)sum->events_dropped,
             sum->events_dropped ? ", the oldest labelled" : "");
    plot_frame_t ax = f;
    ax.no_yticks = true;
    plot_axes(&ax, title, "seconds since the start", NULL);
    /* bottom rows: interference and unmatched ticks, per bucket, device colour */
    double row_s = f.y + f.h - 38, row_i = f.y + f.h - 24, row_u = f.y + f.h - 10;
    plot_text(cr, f.x - 6, row_s + 4, 10, false, 1, ink, "S");
    plot_text(cr, f.x - 6, row_i + 4, 10, false, 1, ink, "I");
    plot_text(cr, f.x - 6, row_u + 4, 10, false, 1, ink, "U");
    for (size_t b = 0; b < tl->bucket_count; b++)
        for (size_t d = 0; d < c->ndev; d++) {
            const rig_timeline_cell_t *cell = &tl->buckets[b].cells[d];
            double x0 = plot_px(&f, secs(c, tl->buckets[b].start_us)),
                   w = plot_px(&f, c->x[b] + c->bw[b] / 2) - x0;
            double dx = w * (double)d / (double)c->ndev, dw = fmax(w / (double)c->ndev, 1);
            plot_rgb_t col = plot_palette(d);
            cairo_set_source_rgb(cr, col.r, col.g, col.b);
            if (cell->stalls) {
                cairo_rectangle(cr, x0 + dx, row_s - 5, dw, 9);
                cairo_fill(cr);
            }
            if (cell->interfered) {
                cairo_rectangle(cr, x0 + dx, row_i - 5, dw, 9);
                cairo_fill(cr);
            }
            if (cell->unmatched) {
                cairo_rectangle(cr, x0 + dx, row_u - 5, dw, 9);
                cairo_fill(cr);
            }
        }
    /* labels: each event in the first row where it does not overlap the one before */
    enum { ROWS = 5 };
    double row_end[ROWS];
    for (int r = 0; r < ROWS; r++)
        row_end[r] = -1e9;
    size_t unlabelled = 0;
    for (size_t k = 0; k < sum->event_count; k++) {
        const rig_report_event_t *e = &sum->events[k];
        /* on whole pixels, 2 wide: the mark is the device's colour exactly */
        double t = secs(c, e->host_ts_us), px = round(plot_px(&f, t));
        plot_rgb_t col = e->device >= 0 && (size_t)e->device < c->ndev
                             ? plot_palette((size_t)e->device)
                             : event_ink;
        char lab[96];
        if (e->device >= 0)
            snprintf(lab, sizeof(lab), "%.1fs #%ld %s", t, e->device, e->what);
        else
            snprintf(lab, sizeof(lab), "%.1fs rig %s", t, e->what);
        double w = plot_text_width(cr, 10, false, lab);
        int row = -1;
        for (int r = 0; r < ROWS && row < 0; r++)
            if (row_end[r] < px - 2)
                row = r;
        cairo_set_source_rgb(cr, col.r, col.g, col.b);
        cairo_set_line_width(cr, 2);
        double ytop = f.y + 4 + (row < 0 ? ROWS : row) * 13.0;
        cairo_move_to(cr, px, row < 0 ? f.y : ytop - 9);
        cairo_line_to(cr, px, f.y + f.h - 46);
        cairo_stroke(cr);
        if (row < 0) {
            unlabelled++;
            continue;
        }
        double x = fmin(px + 3, f.x + f.w - w - 2);
        plot_text(cr, x, ytop, 10, false, 0, col, lab);
        row_end[row] = x + w;
    }
    if (unlabelled) {
        char more[96];
        snprintf(more, sizeof(more), "%zu event(s) too close to others to label (see the summary)",
                 unlabelled);
        plot_text(cr, f.x, f.y + f.h + 26, 10, false, 0, grey, more);
    }
}

typedef void (*section_fn)(const page_ctx_t *, cairo_t *);
typedef struct section {
    section_fn draw;
    double h;
    const char *alt;
} section_t;

static const section_t sections[] = {
    {draw_header, HEADER_H, "verdict"},
    {draw_legend, LEGEND_H, "devices and their colours"},
    {draw_offsets, OFFSET_H, "offset of each device from the rig over the run"},
    {draw_spread, SPREAD_H, "cross-device spread over time and its histogram"},
    {draw_fps, FPS_H, "fps and drops per device over time"},
    {draw_clocks, CLOCK_H, "each clock's offset and skew, epochs and writes"},
    {draw_events, EVENTS_H, "events, interference and frames in no frameset"},
};

/* ---- output ---------------------------------------------------------------------------------- */

typedef struct sink {
    FILE *f;
    unsigned char *buf; /* in memory instead when f is NULL */
    size_t len, cap;
    bool failed;
} sink_t;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink_t *s = closure;
    if (s->f) {
        if (fwrite(data, 1, length, s->f) != length)
            s->failed = true;
    } else {
        if (s->len + length > s->cap) {
            size_t cap = (s->cap ? s->cap * 2 : 65536) + length;
            unsigned char *nb = realloc(s->buf, cap);
            if (!nb) {
                s->failed = true;
                return CAIRO_STATUS_NO_MEMORY;
            }
            s->buf = nb;
            s->cap = cap;
        }
        memcpy(s->buf + s->len, data, length);
        s->len += length;
    }
    return s->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void paint_page(const page_ctx_t *c, cairo_t *cr)
{
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);
    double y = 0;
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        cairo_save(cr);
        cairo_translate(cr, 0, y);
        sections[i].draw(c, cr);
        cairo_restore(cr);
        y += sections[i].h;
    }
}

static bool finish(cairo_t *cr, cairo_surface_t *s, const char *what, char *err, size_t len)
{
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, len, "drawing the %s failed: %s", what, cairo_status_to_string(st));
        return false;
    }
    return true;
}

/* One section as a PNG in memory. */
static bool section_png(const page_ctx_t *c, const section_t *sec, sink_t *out, char *err,
                        size_t len)
{
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, REPORT_PAGE_W, (int)sec->h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);
    sec->draw(c, cr);
    cairo_status_t st = cairo_surface_write_to_png_stream(s, sink_write, out);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        snprintf(err, len, "drawing a plot failed: %s", cairo_status_to_string(st));
        return false;
    }
    return finish(cr, s, "plot", err, len);
}

static void base64(FILE *f, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        fwrite(q, 1, 4, f);
    }
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

static bool write_html(FILE *f, const page_ctx_t *c, char *err, size_t len)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>rigsync "
          "report: ",
          f);
    html_text(f, c->p->source);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:16px;background:#f7f7f7;"
          "color:#222}pre{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:8px;overflow-x:auto;"
          "font-size:12px}.verdict{font-size:16px;font-weight:bold}img{display:block;"
          "margin:8px 0}</style>\n</head><body>\n<h1>rigsync report: ",
          f);
    html_text(f, c->p->source);
    fprintf(f, ", %zu devices</h1>\n<p class=\"verdict\">VERDICT: ", c->ndev);
    html_text(f, c->p->sum->verdict_text);
    fputs("</p>\n<pre id=\"summary\">", f);
    html_text(f, c->p->summary_text);
    fputs("</pre>\n", f);
    for (size_t i = 1; i < sizeof(sections) / sizeof(sections[0]); i++) {
        sink_t png = {0};
        if (!section_png(c, &sections[i], &png, err, len)) {
            free(png.buf);
            return false;
        }
        fprintf(f, "<img width=\"%d\" height=\"%d\" alt=\"%s\" src=\"data:image/png;base64,",
                REPORT_PAGE_W, (int)sections[i].h, sections[i].alt);
        base64(f, png.buf, png.len);
        fputs("\">\n", f);
        free(png.buf);
    }
    fputs("</body></html>\n", f);
    return true;
}

bool report_page_write(FILE *out, report_format_t fmt, const report_page_t *page, char *err,
                       size_t err_len)
{
    page_ctx_t c;
    if (!ctx_init(&c, page)) {
        ctx_free(&c);
        snprintf(err, err_len, "out of memory");
        return false;
    }
    sink_t sink = {.f = out};
    bool ok = true;
    cairo_surface_t *s = NULL;
    switch (fmt) {
    case REPORT_HTML:
        ok = write_html(out, &c, err, err_len);
        break;
    case REPORT_PNG:
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, REPORT_PAGE_W, REPORT_PAGE_H);
        break;
    case REPORT_SVG:
        s = cairo_svg_surface_create_for_stream(sink_write, &sink, REPORT_PAGE_W, REPORT_PAGE_H);
        break;
    case REPORT_PDF:
        s = cairo_pdf_surface_create_for_stream(sink_write, &sink, REPORT_PAGE_W, REPORT_PAGE_H);
        break;
    }
    if (s) {
        cairo_t *cr = cairo_create(s);
        paint_page(&c, cr);
        if (fmt == REPORT_PNG) {
            cairo_status_t st = cairo_surface_write_to_png_stream(s, sink_write, &sink);
            if (st != CAIRO_STATUS_SUCCESS && !sink.failed)
                snprintf(err, err_len, "drawing the page failed: %s",
                         cairo_status_to_string(st));
            ok = st == CAIRO_STATUS_SUCCESS;
        }
        if (!finish(cr, s, "page", err, err_len))
            ok = false;
    }
    ctx_free(&c);
    /* A page is drawn once per process: cairo's and fontconfig's caches go now (the leak
     * checker would count them). */
    cairo_debug_reset_static_data();
    FcFini();
    if (sink.failed || ferror(out)) {
        snprintf(err, err_len, "writing the file failed");
        return false;
    }
    return ok;
}

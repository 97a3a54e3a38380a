/* rigsync view's picture (view_draw.h): layout, tiles, the sync scope, the verdict line. */
#include "view_draw.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "view_image.h"

#define MARGIN 8
#define HEADER_H 46
#define LABEL_W 150 /* scope row labels */

typedef struct tile_cache {
    cairo_surface_t *img;
    uint64_t index;
    int64_t device_ts_us;
    int w, h;
    bool valid;
} tile_cache_t;

struct view_draw {
    size_t device_count;
    tile_cache_t *cache; /* [device * RIG_STREAM_COUNT + stream] */
    view_layout_t layout;
    int64_t *marks; /* scratch */
};

view_draw_t *view_draw_create(size_t device_count)
{
    view_draw_t *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    size_t slots = device_count * RIG_STREAM_COUNT + 1;
    d->device_count = device_count;
    d->cache = calloc(slots, sizeof(*d->cache));
    d->layout.tiles = calloc(slots, sizeof(*d->layout.tiles));
    d->layout.rows = calloc(slots, sizeof(*d->layout.rows));
    d->marks = calloc(VIEW_SCOPE_ROW_CAP, sizeof(*d->marks));
    if (!d->cache || !d->layout.tiles || !d->layout.rows || !d->marks) {
        view_draw_destroy(d);
        return NULL;
    }
    return d;
}

void view_draw_destroy(view_draw_t *draw)
{
    if (!draw)
        return;
    for (size_t i = 0; draw->cache && i < draw->device_count * RIG_STREAM_COUNT; i++)
        if (draw->cache[i].img)
            cairo_surface_destroy(draw->cache[i].img);
    free(draw->cache);
    free(draw->layout.tiles);
    free(draw->layout.rows);
    free(draw->marks);
    free(draw);
}

const view_layout_t *view_draw_layout(const view_draw_t *draw) { return &draw->layout; }

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                         (rgb & 0xff) / 255.0);
}

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, uint32_t rgb)
{
    set_rgb(cr, rgb);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

/* Text with its top-left corner at (x, y), cut to max_w pixels (an ellipsis when cut). */
static void text_at(cairo_t *cr, double x, double y, double size, uint32_t rgb, const char *s,
                    double max_w)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, buf, &ext);
    size_t len = strlen(buf);
    while (max_w > 0 && ext.x_advance > max_w && len > 3) {
        len--;
        memcpy(buf + len - 3, "...", 4);
        cairo_text_extents(cr, buf, &ext);
    }
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    set_rgb(cr, rgb);
    cairo_move_to(cr, x, y + fe.ascent);
    cairo_show_text(cr, buf);
}

static const char *first_line(const char *s, char *buf, size_t len)
{
    size_t n = strcspn(s, "\n");
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* The depth legend: the colormap from VIEW_DEPTH_MIN_MM to VIEW_DEPTH_MAX_MM, labelled in mm. */
static void draw_legend(cairo_t *cr, int x, int y, int w, int h)
{
    for (int i = 0; i < w; i++) {
        double mm = VIEW_DEPTH_MIN_MM + (VIEW_DEPTH_MAX_MM - VIEW_DEPTH_MIN_MM) * (i + 0.5) / w;
        fill_rect(cr, x + i, y, 1, h, view_depth_rgb((uint16_t)mm));
    }
    for (int mm = VIEW_DEPTH_MIN_MM; mm <= VIEW_DEPTH_MAX_MM; mm += 1000) {
        double tx =
            x + (double)w * (mm - VIEW_DEPTH_MIN_MM) / (VIEW_DEPTH_MAX_MM - VIEW_DEPTH_MIN_MM);
        fill_rect(cr, tx, y + h, 1, 3, 0xc0c0c0);
        char lab[32];
        snprintf(lab, sizeof lab, mm == VIEW_DEPTH_MAX_MM ? "%d mm" : "%d", mm);
        text_at(cr, tx - (mm == VIEW_DEPTH_MIN_MM ? 0 : 10), y + h + 3, 10, 0xc0c0c0, lab, 0);
    }
    text_at(cr, x - 44, y - 1, 10, 0xc0c0c0, "depth", 0);
}

/* The tile grid: the number of columns that gives the largest images. */
static void grid(int area_w, int area_h, size_t n, int *cols, int *cell_w, int *cell_h,
                 int *label_h, double *font)
{
    double best = -1;
    for (size_t c = 1; c <= n; c++) {
        size_t r = (n + c - 1) / c;
        int cw = (area_w - MARGIN) / (int)c - MARGIN;
        int ch = area_h / (int)r - MARGIN;
        if (cw < 8 || ch < 8)
            continue;
        double f = fmin(12.0, fmax(7.0, cw / 17.0));
        int lh = (int)ceil(3 * (f + 2)) + 2;
        int ih = ch - lh;
        if (ih < 4)
            continue;
        /* 4:3 images */
        double iw = fmin(cw, ih * 4.0 / 3.0);
        double area = iw * iw * 3.0 / 4.0;
        if (area > best) {
            best = area;
            *cols = (int)c;
            *cell_w = cw;
            *cell_h = ch;
            *label_h = lh;
            *font = f;
        }
    }
    if (best < 0) { /* too small a window: one-pixel images, still one tile each */
        *cols = (int)n;
        *cell_w = *cell_h = 8;
        *label_h = 0;
        *font = 7;
    }
}

static void draw_tile(view_draw_t *d, cairo_t *cr, const view_model_t *m, size_t dev,
                      rig_stream_t s, view_tile_layout_t *tl, int label_h, double font)
{
    const view_device_t *vd = &m->devices[dev];
    view_rect_t t = tl->tile;
    fill_rect(cr, t.x, t.y, t.w, t.h, 0x262626);
    int ih = t.h - label_h - 4;
    int iw = (int)fmin(t.w - 4, ih * 4.0 / 3.0);
    ih = (int)fmin(ih, iw * 3.0 / 4.0);
    rig_frame_t *f = vd->frame[s];
    tl->image = (view_rect_t){t.x + (t.w - iw) / 2, t.y + 2, iw, ih};
    tl->has_image = false;
    tile_cache_t *c = &d->cache[dev * RIG_STREAM_COUNT + (size_t)s];
    if (f && iw > 0 && ih > 0 && rig_frame_data(f)) {
        if (!c->valid || c->index != rig_frame_index(f) ||
            c->device_ts_us != rig_frame_device_ts_us(f) || c->w != iw || c->h != ih) {
            if (c->img)
                cairo_surface_destroy(c->img);
            c->img = view_image_from_frame(f, iw, ih);
            c->valid = c->img != NULL;
            c->index = rig_frame_index(f);
            c->device_ts_us = rig_frame_device_ts_us(f);
            c->w = iw;
            c->h = ih;
        }
        if (c->valid) {
            cairo_set_source_surface(cr, c->img, tl->image.x, tl->image.y);
            cairo_paint(cr);
            tl->has_image = true;
        }
    }
    if (!tl->has_image) {
        fill_rect(cr, tl->image.x, tl->image.y, iw, ih, 0x101010);
        text_at(cr, tl->image.x + 4, tl->image.y + 4, font, 0x808080,
                !f ? "no frame" : "no pixels", iw - 8);
    }
    /* The label: serial, stream, mode / fps, drops, interference / offset from the rig. */
    char l1[160], l2[160], l3[96];
    snprintf(l1, sizeof l1, "%s %s %s", vd->serial, rig_stream_name(s), vd->mode);
    int n = vd->fps[s] > 0 ? snprintf(l2, sizeof l2, "%.2f fps", vd->fps[s])
                           : snprintf(l2, sizeof l2, "fps n/a");
    n += snprintf(l2 + n, sizeof l2 - (size_t)n, "  drops %" PRIu64, vd->drops[s]);
    if (s == RIG_STREAM_DEPTH)
        snprintf(l2 + n, sizeof l2 - (size_t)n, "  interf %" PRIu64, vd->interfered);
    if (vd->offset_known)
        snprintf(l3, sizeof l3, "offset %+.1f us", vd->offset_us);
    else
        snprintf(l3, sizeof l3, "offset n/a");
    double ly = t.y + t.h - label_h + 1, lh = font + 2;
    text_at(cr, t.x + 4, ly, font, 0xffffff, l1, t.w - 8);
    text_at(cr, t.x + 4, ly + lh, font, 0xd0d0d0, l2, t.w - 8);
    text_at(cr, t.x + 4, ly + 2 * lh, font, 0xd0d0d0, l3, t.w - 8);
    tl->silent = vd->silent;
    if (vd->silent) {
        set_rgb(cr, VIEW_SILENT_RGB);
        cairo_set_line_width(cr, 4);
        cairo_rectangle(cr, t.x + 2, t.y + 2, t.w - 4, t.h - 4);
        cairo_stroke(cr);
        double fs = fmax(9, fmin(28, iw / 6.0));
        fill_rect(cr, tl->image.x + 4, tl->image.y + 4, fs * 4.2, fs * 1.4, 0x000000);
        text_at(cr, tl->image.x + 4 + fs * 0.2, tl->image.y + 4 + fs * 0.1, fs, VIEW_SILENT_RGB,
                "SILENT", 0);
    }
}

static void draw_scope(view_draw_t *d, cairo_t *cr, const view_model_t *m, int y0, int row_h,
                       int W)
{
    view_layout_t *L = &d->layout;
    int x0 = MARGIN + LABEL_W, w = W - x0 - MARGIN;
    if (!m->scope)
        return;
    int64_t win = view_scope_window_us(m->scope);
    int64_t t1 = m->scope_end_us, t0 = t1 == RIG_TS_NONE ? RIG_TS_NONE : t1 - win;
    L->scope = (view_rect_t){x0, y0, w, row_h * (int)(m->device_count * RIG_STREAM_COUNT)};
    L->scope_t0_us = t0;
    L->scope_t1_us = t1;
    L->row_count = 0;
    double font = fmin(11, fmax(6, row_h - 1));
    for (size_t dev = 0; dev < m->device_count; dev++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            size_t r = dev * RIG_STREAM_COUNT + (size_t)s;
            int y = y0 + (int)r * row_h;
            view_row_layout_t *rl = &L->rows[L->row_count++];
            rl->device = dev;
            rl->stream = (rig_stream_t)s;
            rl->marks = (view_rect_t){x0, y, w, row_h};
            fill_rect(cr, x0, y, w, row_h, dev % 2 ? 0x1c1c1c : 0x242424);
            char lab[96];
            uint32_t lcol = m->devices[dev].silent ? VIEW_SILENT_RGB : 0xc0c0c0;
            if (row_h >= 7) { /* a label per row */
                snprintf(lab, sizeof lab, "%s %s", m->devices[dev].serial,
                         rig_stream_name((rig_stream_t)s));
                text_at(cr, MARGIN, y + (row_h - font) / 2 - 1, font, lcol, lab, LABEL_W - 6);
            } else if (s == 0) { /* rows too thin for text: one label over the device's rows */
                double f2 = fmin(11, 2 * row_h - 1);
                snprintf(lab, sizeof lab, "%s", m->devices[dev].serial);
                text_at(cr, MARGIN, y + (2 * row_h - f2) / 2 - 1, f2, lcol, lab, LABEL_W - 6);
            }
            size_t n = t1 == RIG_TS_NONE ? 0
                                         : view_scope_marks(m->scope, dev, (rig_stream_t)s, t1,
                                                            d->marks, VIEW_SCOPE_ROW_CAP);
            if (n > VIEW_SCOPE_ROW_CAP)
                n = VIEW_SCOPE_ROW_CAP;
            rl->mark_count = n;
            uint32_t rgb = s == RIG_STREAM_COLOR ? VIEW_MARK_COLOR_RGB : VIEW_MARK_DEPTH_RGB;
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
            for (size_t k = 0; k < n; k++) {
                int mx = x0 + (int)((double)(d->marks[k] - t0) * (w - 2) / (double)win);
                fill_rect(cr, mx, y + 1, 2, row_h > 2 ? row_h - 2 : 1, rgb);
            }
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
        }
    /* The time axis: every 100 ms, from -1 s to now. */
    int ay = y0 + L->scope.h;
    fill_rect(cr, x0, ay, w, 1, 0x808080);
    for (int k = 0; k <= 10; k++) {
        double tx = x0 + (double)(w - 2) * k / 10.0;
        fill_rect(cr, tx, ay, 1, 4, 0x808080);
        char lab[32];
        snprintf(lab, sizeof lab, k == 10 ? "0 s" : "%.1f", -(10 - k) / 10.0);
        text_at(cr, tx - (k == 10 ? 14 : 8), ay + 5, 9, 0xa0a0a0, lab, 0);
    }
    text_at(cr, MARGIN, ay + 4, 10, 0xa0a0a0, "capture instants (global time)", LABEL_W - 4);
    if (m->cursor_us != RIG_TS_NONE && t1 != RIG_TS_NONE && m->cursor_us > t0 &&
        m->cursor_us <= t1) {
        double cx = x0 + (double)(m->cursor_us - t0) * (w - 2) / (double)win;
        fill_rect(cr, cx, y0, 1, L->scope.h, 0xffffff);
    }
}

bool view_draw_frame(view_draw_t *d, cairo_surface_t *surface, const view_model_t *m)
{
    int W = cairo_image_surface_get_width(surface), H = cairo_image_surface_get_height(surface);
    cairo_t *cr = cairo_create(surface);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        return false;
    }
    view_layout_t *L = &d->layout;
    L->width = W;
    L->height = H;
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    fill_rect(cr, 0, 0, W, H, 0x101010);

    /* Header: status and the depth legend, then the verdict line. */
    text_at(cr, MARGIN, 5, 13, 0xffffff, m->status ? m->status : "", W / 2.0);
    draw_legend(cr, W - MARGIN - 230, 5, 220, 9);
    char vbuf[sizeof L->verdict_text];
    first_line(m->verdict ? m->verdict : "", vbuf, sizeof vbuf);
    memcpy(L->verdict_text, vbuf, sizeof vbuf);
    snprintf(L->status_text, sizeof L->status_text, "%s", m->status ? m->status : "");
    L->cursor_us = m->cursor_us;
    uint32_t vcol = strncmp(vbuf, "SYNCHRONIZED", 12) == 0       ? 0x60ff60
                    : strncmp(vbuf, "NOT SYNCHRONIZED", 16) == 0 ? 0xff6060
                                                                 : 0xffd060;
    L->verdict = (view_rect_t){MARGIN, 26, W - 2 * MARGIN, 16};
    text_at(cr, MARGIN, 26, 12, vcol, vbuf, W - 2 * MARGIN);

    /* The scope at the bottom: one row per device and stream. */
    size_t rows = m->device_count * RIG_STREAM_COUNT;
    int row_h = rows ? (int)((H * 0.36 - 24) / (double)rows) : 0;
    if (row_h > 14)
        row_h = 14;
    if (row_h < 3)
        row_h = 3;
    int scope_h = row_h * (int)rows + 20;
    int scope_y = H - scope_h - MARGIN / 2;
    draw_scope(d, cr, m, scope_y, row_h, W);

    /* The mosaic between them: device by device, color then depth (d / c: one of them). */
    size_t nshow = (size_t)m->show[RIG_STREAM_COLOR] + (size_t)m->show[RIG_STREAM_DEPTH];
    size_t n = m->device_count * nshow;
    L->tile_count = 0;
    if (n) {
        int top = HEADER_H, area_h = scope_y - MARGIN - top;
        int cols = 1, cw = 8, ch = 8, lh = 0;
        double font = 7;
        grid(W, area_h, n, &cols, &cw, &ch, &lh, &font);
        size_t k = 0;
        for (size_t dev = 0; dev < m->device_count; dev++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                if (!m->show[s])
                    continue;
                view_tile_layout_t *tl = &L->tiles[L->tile_count++];
                tl->device = dev;
                tl->stream = (rig_stream_t)s;
                int c = (int)(k % (size_t)cols), r = (int)(k / (size_t)cols);
                tl->tile = (view_rect_t){MARGIN + c * (cw + MARGIN), top + r * (ch + MARGIN), cw,
                                         ch};
                draw_tile(d, cr, m, dev, (rig_stream_t)s, tl, lh, font);
                k++;
            }
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    return true;
}

static json_t *rect_json(view_rect_t r)
{
    return json_pack("{s:i,s:i,s:i,s:i}", "x", r.x, "y", r.y, "w", r.w, "h", r.h);
}

bool view_layout_write_json(const view_layout_t *L, FILE *out)
{
    json_t *tiles = json_array(), *rows = json_array();
    for (size_t i = 0; i < L->tile_count; i++) {
        const view_tile_layout_t *t = &L->tiles[i];
        json_array_append_new(
            tiles, json_pack("{s:I,s:s,s:o,s:o,s:b,s:b}", "device", (json_int_t)t->device,
                             "stream", rig_stream_name(t->stream), "tile", rect_json(t->tile),
                             "image", rect_json(t->image), "has_image", t->has_image, "silent",
                             t->silent));
    }
    for (size_t i = 0; i < L->row_count; i++) {
        const view_row_layout_t *r = &L->rows[i];
        json_array_append_new(rows, json_pack("{s:I,s:s,s:o,s:I}", "device",
                                              (json_int_t)r->device, "stream",
                                              rig_stream_name(r->stream), "marks",
                                              rect_json(r->marks), "mark_count",
                                              (json_int_t)r->mark_count));
    }
    json_t *root = json_pack(
        "{s:i,s:i,s:o,s:o,s:o,s:I,s:I,s:o,s:s,s:s,s:o}", "width", L->width, "height", L->height,
        "tiles", tiles, "rows", rows, "scope", rect_json(L->scope), "scope_t0_us",
        (json_int_t)L->scope_t0_us, "scope_t1_us", (json_int_t)L->scope_t1_us, "verdict",
        rect_json(L->verdict), "verdict_text", L->verdict_text, "status_text", L->status_text,
        "cursor_us", L->cursor_us == RIG_TS_NONE ? json_null() : json_integer(L->cursor_us));
    bool ok = root && json_dumpf(root, out, JSON_INDENT(1)) == 0 && fputc('\n', out) != EOF;
    json_decref(root);
    return ok && ferror(out) == 0;
}

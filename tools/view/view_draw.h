/*
 * rigsync view's picture: the mosaic of every device's color and depth, the sync scope strip and
 * the verdict line, drawn with cairo into an image surface (no window needed: the SDL loop in
 * view.c shows the surface; tests can draw without one). Every number drawn comes from the
 * caller's model (the report's summary and timeline); nothing is computed here but the layout.
 */
#ifndef RIGSYNC_VIEW_DRAW_H
#define RIGSYNC_VIEW_DRAW_H

#include <cairo.h>
#include <stdbool.h>
#include <stdio.h>

#include "rigsync/rigsync.h"
#include "view_scope.h"

/* Depth colormap range, millimetres (the legend's). */
#define VIEW_DEPTH_MIN_MM 0
#define VIEW_DEPTH_MAX_MM 4000

/* Scope marks: one colour per stream (tests look for them; nothing else in a row uses them). */
#define VIEW_MARK_COLOR_RGB 0xffb000u
#define VIEW_MARK_DEPTH_RGB 0x00d0ff
/* The border of a silent device's tile. */
#define VIEW_SILENT_RGB 0xff2020u

/* One device as the viewer shows it. */
typedef struct view_device {
    const char *serial;
    const char *mode;              /* its sync mode's name */
    double fps[RIG_STREAM_COUNT];  /* the summary's (0: unknown) */
    uint64_t drops[RIG_STREAM_COUNT];
    uint64_t interfered;           /* depth frames disturbed by another ToF camera */
    bool offset_known;
    double offset_us;              /* from the rig on the global time line (timeline bucket) */
    bool silent;
    rig_frame_t *frame[RIG_STREAM_COUNT]; /* the frame to show, or NULL */
} view_device_t;

typedef struct view_model {
    size_t device_count;
    const view_device_t *devices;
    bool show[RIG_STREAM_COUNT]; /* d: depth only, c: color only */
    const view_scope_t *scope;
    int64_t scope_end_us;        /* the scope's right edge (global time) */
    int64_t cursor_us;           /* a stepped-to frameset's time, or RIG_TS_NONE */
    const char *status;          /* "LIVE  t=3.0 s", "PAUSED  set #41", ... */
    const char *verdict;         /* the summary's verdict (its first line is drawn) */
} view_model_t;

typedef struct view_rect {
    int x, y, w, h;
} view_rect_t;

typedef struct view_tile_layout {
    size_t device;
    rig_stream_t stream;
    view_rect_t tile;  /* the whole tile, label included */
    view_rect_t image; /* where the image was drawn */
    bool has_image;
    bool silent;
} view_tile_layout_t;

typedef struct view_row_layout {
    size_t device;
    rig_stream_t stream;
    view_rect_t marks; /* the row's mark area (its label is left of it) */
    size_t mark_count;
} view_row_layout_t;

typedef struct view_layout {
    int width, height;
    size_t tile_count;
    view_tile_layout_t *tiles;
    size_t row_count;
    view_row_layout_t *rows;
    view_rect_t scope;   /* the mark area of all rows */
    int64_t scope_t0_us, scope_t1_us;
    view_rect_t verdict; /* the verdict line */
    char verdict_text[512];
    char status_text[256];
    int64_t cursor_us;   /* the stepped-to frameset's time on the scope, or RIG_TS_NONE */
} view_layout_t;

typedef struct view_draw view_draw_t;

/** A drawer for device_count devices (it keeps each tile's converted image). NULL: no memory. */
view_draw_t *view_draw_create(size_t device_count);
void view_draw_destroy(view_draw_t *draw);

/** Draws the model on the whole surface (an ARGB32 image surface); the layout it used stays in
 * the drawer (view_draw_layout) until the next call. false when out of memory. */
bool view_draw_frame(view_draw_t *draw, cairo_surface_t *surface, const view_model_t *model);
const view_layout_t *view_draw_layout(const view_draw_t *draw);

/** The layout as JSON (tests check regions of a screenshot with it). false on a write error. */
bool view_layout_write_json(const view_layout_t *layout, FILE *out);

#endif

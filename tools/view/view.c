/*
 * rigsync view: an SDL2 window with every device's color and depth, the sync scope and the
 * verdict, live on the rig (sim or vendor backend) or from a recording. The rig feeds the same
 * report `rigsync run` feeds (cli_feed_*); every number drawn comes from its summary and timeline.
 * The picture is drawn with cairo (view_draw.c) and shown as one texture.
 */
#include "view.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "cli.h"
#include "common/util.h"
#include "rigsync/replay.h"
#include "rigsync/sim.h"
#include "view_draw.h"
#include "view_opts.h"
#include "view_scope.h"

#define FRAME_US 33333        /* one drawn frame: the virtual time it advances */
#define HISTORY_BYTES (256u << 20) /* framesets kept for stepping back, with their pixels */
#define HISTORY_MAX 64


/* What the callbacks share with the loop: guarded by lock. */
typedef struct view_state {
    pthread_mutex_t lock;
    size_t ndev;
    rig_report_t *report;
    view_scope_t *scope;
    rig_frame_t **latest;      /* [device * RIG_STREAM_COUNT + stream], retained */
    rig_frameset_t **hist;     /* ring of retained framesets, oldest at hist_head */
    size_t hist_cap, hist_head, hist_count;
    int64_t *dts, *gts;
    bool failed;
    bool replay, virtual_time; /* the wall clock of a frame: the recorded one, none, or now */
} view_state_t;

/* What is on screen: rebuilt every drawn frame while live, kept while paused. */
typedef struct view_snap {
    rig_report_summary_t sum;
    bool have_sum;
    view_device_t *dev;
    rig_frame_t **frames; /* retained: the live ones */
    view_scope_t *scope;
    int64_t end_us;
    uint64_t sel_seq; /* the frameset shown when stepping; 0: the live frames */
    int64_t cursor_us;
} view_snap_t;

static void on_frame(rig_frame_t *f, void *user)
{
    view_state_t *vs = user;
    int64_t wall = vs->replay         ? rig_replay_frame_wall_us(f)
                   : vs->virtual_time ? RIG_TS_NONE
                                      : rig_monotonic_us();
    pthread_mutex_lock(&vs->lock);
    if (cli_feed_frame(vs->report, f, wall) != RIG_OK)
        vs->failed = true;
    size_t d = rig_frame_device_index(f);
    rig_stream_t s = rig_frame_stream(f);
    view_scope_add(vs->scope, d, s, rig_frame_global_ts_us(f));
    if (d < vs->ndev && (unsigned)s < RIG_STREAM_COUNT) {
        rig_frame_t **slot = &vs->latest[d * RIG_STREAM_COUNT + (size_t)s];
        rig_frame_retain(f);
        if (*slot)
            rig_frame_release(*slot);
        *slot = f;
    }
    pthread_mutex_unlock(&vs->lock);
}

static size_t set_bytes(const rig_frameset_t *set, size_t ndev)
{
    size_t b = 0;
    for (size_t d = 0; d < ndev; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            b += f ? rig_frame_data_size(f) + 256 : 0;
        }
    return b;
}

static void on_set(rig_frameset_t *set, void *user)
{
    view_state_t *vs = user;
    pthread_mutex_lock(&vs->lock);
    if (cli_feed_set(vs->report, set, vs->ndev, vs->dts, vs->gts) != RIG_OK)
        vs->failed = true;
    if (!vs->hist_cap) { /* the first set sizes the history: HISTORY_BYTES of pixels at most */
        size_t b = set_bytes(set, vs->ndev);
        size_t cap = b ? HISTORY_BYTES / b : HISTORY_MAX;
        vs->hist_cap = cap < 2 ? 2 : cap > HISTORY_MAX ? HISTORY_MAX : cap;
    }
    rig_frameset_retain(set);
    if (vs->hist_count == vs->hist_cap) {
        rig_frameset_release(vs->hist[vs->hist_head]);
        vs->hist[vs->hist_head] = set;
        vs->hist_head = (vs->hist_head + 1) % vs->hist_cap;
    } else {
        vs->hist[(vs->hist_head + vs->hist_count++) % vs->hist_cap] = set;
    }
    pthread_mutex_unlock(&vs->lock);
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    view_state_t *vs = user;
    pthread_mutex_lock(&vs->lock);
    rig_report_add_unmatched(vs->report, rig_frame_device_index(f), rig_frame_stream(f), reason);
    pthread_mutex_unlock(&vs->lock);
}

static void on_device_event(const rig_device_event_t *ev, void *user)
{
    view_state_t *vs = user;
    pthread_mutex_lock(&vs->lock);
    if (cli_feed_device_event(vs->report, ev, vs->ndev) != RIG_OK)
        vs->failed = true;
    pthread_mutex_unlock(&vs->lock);
}

/* ---- what is shown ---------------------------------------------------------------------- */

static void snap_clear(view_snap_t *sn, size_t ndev)
{
    if (sn->have_sum)
        rig_report_summary_free(&sn->sum);
    sn->have_sum = false;
    for (size_t i = 0; sn->frames && i < ndev * RIG_STREAM_COUNT; i++)
        if (sn->frames[i]) {
            rig_frame_release(sn->frames[i]);
            sn->frames[i] = NULL;
        }
    view_scope_destroy(sn->scope);
    sn->scope = NULL;
}

/* The live picture: the summary, the timeline's last complete bucket, the latest frames. */
static bool snap_live(view_snap_t *sn, view_state_t *vs, const rig_config_t *cfg)
{
    size_t n = vs->ndev;
    snap_clear(sn, n);
    pthread_mutex_lock(&vs->lock);
    bool ok = rig_report_summarize(vs->report, &sn->sum) == RIG_OK;
    sn->have_sum = ok;
    rig_timeline_view_t tv;
    bool have_tl = ok && rig_report_timeline(vs->report, &tv) == RIG_OK;
    sn->scope = view_scope_clone(vs->scope);
    for (size_t i = 0; i < n * RIG_STREAM_COUNT; i++) {
        sn->frames[i] = vs->latest[i];
        if (sn->frames[i])
            rig_frame_retain(sn->frames[i]);
    }
    for (size_t d = 0; ok && d < n; d++) {
        view_device_t *vd = &sn->dev[d];
        const rig_report_device_t *rd = &sn->sum.devices[d];
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            vd->fps[s] = rd->stream[s].fps;
            vd->drops[s] = rd->stream[s].drops;
            vd->frame[s] = sn->frames[d * RIG_STREAM_COUNT + (size_t)s];
        }
        vd->interfered = rd->stream[RIG_STREAM_DEPTH].interfered;
        vd->offset_known = false;
        if (have_tl && tv.bucket_count >= 2) { /* the last bucket is still filling */
            const rig_timeline_cell_t *c = &tv.buckets[tv.bucket_count - 2].cells[d];
            if (c->offsets) {
                vd->offset_known = true;
                vd->offset_us = c->offset_sum_us / (double)c->offsets;
            }
        }
    }
    pthread_mutex_unlock(&vs->lock);
    if (!ok || !sn->scope)
        return false;
    sn->end_us = view_scope_now_us(sn->scope);
    for (size_t d = 0; d < n; d++) {
        double fps = fmax(sn->dev[d].fps[0], sn->dev[d].fps[1]);
        if (fps <= 0)
            fps = rig_config_stream_profile(cfg, RIG_STREAM_DEPTH).fps;
        int64_t period = fps > 0 ? (int64_t)(1e6 / fps) : 33333;
        sn->dev[d].silent = view_scope_silent(sn->scope, d, sn->end_us, period);
    }
    sn->sel_seq = 0;
    sn->cursor_us = RIG_TS_NONE;
    return true;
}

/* Paused: show the frameset next to the one shown (dir -1 older, +1 newer); false when there
 * is none in the history. */
static bool snap_step(view_snap_t *sn, view_state_t *vs, int dir)
{
    bool found = false;
    pthread_mutex_lock(&vs->lock);
    rig_frameset_t *best = NULL;
    uint64_t cur = sn->sel_seq;
    if (!cur && vs->hist_count) /* from the live frames: the newest set is "here" */
        cur = rig_frameset_seq(vs->hist[(vs->hist_head + vs->hist_count - 1) % vs->hist_cap]) +
              (dir < 0 ? 1 : 0);
    for (size_t k = 0; k < vs->hist_count; k++) {
        rig_frameset_t *s = vs->hist[(vs->hist_head + k) % vs->hist_cap];
        uint64_t q = rig_frameset_seq(s);
        if (dir < 0 ? q < cur && (!best || q > rig_frameset_seq(best))
                    : q > cur && (!best || q < rig_frameset_seq(best)))
            best = s;
    }
    if (best) {
        found = true;
        sn->sel_seq = rig_frameset_seq(best);
        sn->cursor_us = rig_frameset_time_us(best);
        for (size_t d = 0; d < vs->ndev; d++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                rig_frame_t **slot = &sn->frames[d * RIG_STREAM_COUNT + (size_t)s];
                if (*slot)
                    rig_frame_release(*slot);
                *slot = rig_frameset_frame(best, d, (rig_stream_t)s);
                if (*slot)
                    rig_frame_retain(*slot);
                sn->dev[d].frame[s] = *slot;
            }
    }
    pthread_mutex_unlock(&vs->lock);
    return found;
}

static uint64_t newest_seq(view_state_t *vs)
{
    pthread_mutex_lock(&vs->lock);
    size_t last = vs->hist_count ? (vs->hist_head + vs->hist_count - 1) % vs->hist_cap : 0;
    uint64_t q = vs->hist_count ? rig_frameset_seq(vs->hist[last]) : 0;
    pthread_mutex_unlock(&vs->lock);
    return q;
}

/* ---- the window ------------------------------------------------------------------------- */

typedef struct view_win {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    cairo_surface_t *surf;
    int w, h;
} view_win_t;

static bool win_resize(view_win_t *vw, int w, int h)
{
    if (vw->tex)
        SDL_DestroyTexture(vw->tex);
    if (vw->surf)
        cairo_surface_destroy(vw->surf);
    vw->w = w;
    vw->h = h;
    vw->tex =
        SDL_CreateTexture(vw->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, w, h);
    vw->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    return vw->tex && cairo_surface_status(vw->surf) == CAIRO_STATUS_SUCCESS;
}

static bool win_open(view_win_t *vw, int w, int h)
{
    memset(vw, 0, sizeof(*vw));
    /* No OpenGL underneath the window's surface either (SDL would use it to present it). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "rigsync view: cannot open a window: %s (no display? set DISPLAY, or run "
                        "under xvfb-run)\n", SDL_GetError());
        return false;
    }
    vw->win = SDL_CreateWindow("rigsync view", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w,
                               h, SDL_WINDOW_RESIZABLE);
    /* The picture is one texture blitted once per frame: SDL's software renderer does it
     * without a GPU driver (and reads back the same pixels everywhere); any other if it fails. */
    if (vw->win)
        vw->ren = SDL_CreateRenderer(vw->win, -1, SDL_RENDERER_SOFTWARE);
    if (vw->win && !vw->ren)
        vw->ren = SDL_CreateRenderer(vw->win, -1, 0);
    int ow = w, oh = h;
    if (vw->ren)
        SDL_GetRendererOutputSize(vw->ren, &ow, &oh);
    if (!vw->win || !vw->ren || !win_resize(vw, ow, oh)) {
        fprintf(stderr, "rigsync view: cannot open a window: %s\n", SDL_GetError());
        return false;
    }
    return true;
}

static void win_close(view_win_t *vw)
{
    if (vw->tex)
        SDL_DestroyTexture(vw->tex);
    if (vw->surf)
        cairo_surface_destroy(vw->surf);
    if (vw->ren)
        SDL_DestroyRenderer(vw->ren);
    if (vw->win)
        SDL_DestroyWindow(vw->win);
    /* No SDL_Quit: the process ends here, and it would unload the X libraries SDL loaded,
     * leaving what they keep to exit unattributable to a leak checker (make test-asan); the
     * connection to the X server closes with the process. */
}

/* The drawn surface to the window; with shot, read back through the renderer into a PNG. */
static bool win_show(view_win_t *vw, const char *shot)
{
    cairo_surface_flush(vw->surf);
    SDL_UpdateTexture(vw->tex, NULL, cairo_image_surface_get_data(vw->surf),
                      cairo_image_surface_get_stride(vw->surf));
    SDL_RenderClear(vw->ren);
    SDL_RenderCopy(vw->ren, vw->tex, NULL, NULL);
    bool ok = true;
    if (shot) {
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, vw->w, vw->h);
        ok = cairo_surface_status(img) == CAIRO_STATUS_SUCCESS;
        if (ok) {
            cairo_surface_flush(img);
            ok = SDL_RenderReadPixels(vw->ren, NULL, SDL_PIXELFORMAT_ARGB8888,
                                      cairo_image_surface_get_data(img),
                                      cairo_image_surface_get_stride(img)) == 0;
            if (!ok)
                fprintf(stderr, "rigsync view: --screenshot: reading the renderer failed: %s\n",
                        SDL_GetError());
            cairo_surface_mark_dirty(img);
        }
        if (ok && cairo_surface_write_to_png(img, shot) != CAIRO_STATUS_SUCCESS) {
            fprintf(stderr, "rigsync view: --screenshot %s: cannot write the PNG\n", shot);
            ok = false;
        }
        cairo_surface_destroy(img);
    }
    SDL_RenderPresent(vw->ren);
    return ok;
}

/* ---- the command ------------------------------------------------------------------------ */

typedef struct view_run {
    view_opts_t o;
    rig_config_t *cfg;
    cli_rig_t rig;
    view_state_t vs;
    view_snap_t sn;
    view_draw_t *draw;
    view_win_t vw;
    bool paused;
    bool show[RIG_STREAM_COUNT];
    int64_t elapsed_us; /* streaming time: virtual time advanced, or wall time */
    int64_t start_us;
} view_run_t;

/* Lets time pass by one drawn frame (virtual time; real time passes by itself). false when the
 * backend failed (said). */
static bool advance(view_run_t *r, int64_t us)
{
    if (!r->o.rig.virtual_time)
        return true;
    bool finished = false;
    if (r->o.rig.replay_path &&
        (rig_replay_status(r->rig.ctx, &finished, NULL, 0) != RIG_OK || finished))
        return true;
    rig_error_t err = r->o.rig.replay_path ? rig_replay_advance_us(r->rig.ctx, us)
                                           : rig_sim_advance_us(r->rig.ctx, us);
    if (err != RIG_OK) {
        char detail[1024];
        fprintf(stderr, "rigsync view: %s\n", cli_last_error(r->rig.ctx, detail, sizeof detail));
        return false;
    }
    r->elapsed_us += us;
    return true;
}

static void status_line(const view_run_t *r, char *buf, size_t len)
{
    const char *src = r->o.rig.replay_path ? "REPLAY" : "LIVE";
    double t = (double)r->elapsed_us / 1e6;
    if (r->paused && r->sn.sel_seq)
        snprintf(buf, len, "%s  PAUSED  t=%.2f s  frameset #%" PRIu64 "  (left/right: step)",
                 src, t, r->sn.sel_seq);
    else
        snprintf(buf, len, "%s%s  t=%.2f s  %zu devices  %s", src, r->paused ? "  PAUSED" : "", t,
                 r->vs.ndev,
                 r->show[0] && r->show[1] ? "color+depth"
                 : r->show[0]             ? "color only"
                                          : "depth only");
}

static bool draw(view_run_t *r, const char *shot)
{
    char status[256];
    status_line(r, status, sizeof status);
    view_model_t m = {
        .device_count = r->vs.ndev,
        .devices = r->sn.dev,
        .show = {r->show[0], r->show[1]},
        .scope = r->sn.scope,
        .scope_end_us = r->sn.end_us,
        .cursor_us = r->sn.cursor_us,
        .status = status,
        .verdict = r->sn.have_sum ? r->sn.sum.verdict_text : "",
    };
    if (!view_draw_frame(r->draw, r->vw.surf, &m)) {
        fprintf(stderr, "rigsync view: out of memory drawing\n");
        return false;
    }
    return win_show(&r->vw, shot);
}

/* One key, the same whether typed or pushed by --keys. Returns false on q. */
static bool on_key(view_run_t *r, SDL_Keycode k)
{
    switch (k) {
    case SDLK_q:
    case SDLK_ESCAPE:
        return false;
    case SDLK_SPACE:
        r->paused = !r->paused;
        break;
    case SDLK_d:
        r->show[RIG_STREAM_COLOR] = !r->show[RIG_STREAM_COLOR] ? true : !r->show[RIG_STREAM_DEPTH];
        r->show[RIG_STREAM_DEPTH] = true;
        break;
    case SDLK_c:
        r->show[RIG_STREAM_DEPTH] = !r->show[RIG_STREAM_DEPTH] ? true : !r->show[RIG_STREAM_COLOR];
        r->show[RIG_STREAM_COLOR] = true;
        break;
    case SDLK_LEFT:
    case SDLK_RIGHT: {
        int dir = k == SDLK_LEFT ? -1 : 1;
        bool was_live = !r->paused;
        r->paused = true; /* stepping pauses a live view */
        if (was_live)
            snap_live(&r->sn, &r->vs, r->cfg);
        if (snap_step(&r->sn, &r->vs, dir) || dir < 0 || !r->o.rig.virtual_time)
            break;
        /* Forward past the newest set in virtual time: let time run to the next one (1 s at
         * most), then show it. */
        uint64_t want = r->sn.sel_seq ? r->sn.sel_seq : newest_seq(&r->vs);
        for (int i = 0; i < 200 && newest_seq(&r->vs) <= want; i++)
            if (!advance(r, 5000))
                break;
        snap_live(&r->sn, &r->vs, r->cfg);
        r->sn.sel_seq = want; /* the one after it */
        snap_step(&r->sn, &r->vs, 1);
        break;
    }
    default:
        break;
    }
    return true;
}

static void push_key(int k)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = k;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(k);
    SDL_PushEvent(&ev);
}

static int loop(view_run_t *r)
{
    int keys[VIEW_MAX_KEYS];
    size_t nkeys = 0, next_key = 0;
    if (view_parse_keys(r->o.keys, keys, &nkeys) != CLI_OK)
        return CLI_USAGE;
    bool scripted = r->o.screenshot || r->o.keys || r->o.layout_path;
    int64_t limit_us = r->o.seconds_set ? (int64_t)llround(r->o.seconds * 1e6) : INT64_MAX;
    bool hooks = false; /* the time is up: the test hooks act, one step per drawn frame */
    int wait_frames = 0; /* a "+MS" of --keys: frames that still let time pass */
    uint64_t drawn = 0;
    for (;;) {
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) {
            if (ev.type == SDL_QUIT)
                return CLI_OK;
            if (ev.type == SDL_KEYDOWN && !on_key(r, ev.key.keysym.sym))
                return CLI_OK;
            if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                int w, h;
                SDL_GetRendererOutputSize(r->vw.ren, &w, &h);
                if (!win_resize(&r->vw, w, h)) {
                    fprintf(stderr, "rigsync view: out of memory resizing\n");
                    return CLI_RUNTIME;
                }
            }
        }
        bool finished = false;
        if (r->o.rig.replay_path)
            rig_replay_status(r->rig.ctx, &finished, NULL, 0);
        if (!hooks && (r->elapsed_us >= limit_us || finished)) {
            if (!scripted && r->o.seconds_set)
                return CLI_OK; /* --seconds alone: the view closes then */
            hooks = scripted;
        }
        bool runs = !r->paused && (!hooks || wait_frames > 0);
        int64_t step = FRAME_US; /* the last step lands on --seconds exactly */
        if (!hooks && limit_us != INT64_MAX && limit_us - r->elapsed_us < step)
            step = limit_us - r->elapsed_us;
        if (runs && step > 0 && !advance(r, step))
            return CLI_RUNTIME;
        if (runs && !r->o.rig.virtual_time)
            r->elapsed_us = rig_monotonic_us() - r->start_us;
        if (!r->paused && (drawn % 4 == 0 || hooks) && !snap_live(&r->sn, &r->vs, r->cfg)) {
            fprintf(stderr, "rigsync view: out of memory\n");
            return CLI_RUNTIME;
        }
        pthread_mutex_lock(&r->vs.lock);
        bool failed = r->vs.failed;
        pthread_mutex_unlock(&r->vs.lock);
        if (failed) {
            fprintf(stderr, "rigsync view: out of memory recording frames\n");
            return CLI_RUNTIME;
        }
        bool last = false;
        if (hooks) {
            if (wait_frames > 0)
                wait_frames--;
            else if (next_key < nkeys && keys[next_key] < 0)
                wait_frames = (int)ceil(-keys[next_key++] * 1000.0 / FRAME_US);
            else if (next_key < nkeys)
                push_key(keys[next_key++]); /* handled at the top of the next frame */
            else
                last = true;
        }
        if (!draw(r, last ? r->o.screenshot : NULL))
            return CLI_RUNTIME;
        drawn++;
        if (last) {
            if (r->o.layout_path) {
                FILE *f = fopen(r->o.layout_path, "w");
                bool ok = f && view_layout_write_json(view_draw_layout(r->draw), f);
                if (f && fclose(f) != 0)
                    ok = false;
                if (!ok) {
                    fprintf(stderr, "rigsync view: --layout %s: cannot write it\n",
                            r->o.layout_path);
                    return CLI_RUNTIME;
                }
            }
            return CLI_OK;
        }
        if (!r->o.rig.virtual_time)
            SDL_Delay(FRAME_US / 1000);
        else if (!runs && !hooks)
            SDL_Delay(10); /* paused: nothing to do but wait for a key */
    }
}

static int start(view_run_t *r)
{
    int rc = cli_rig_open(&r->o.rig, r->cfg, NULL, &r->rig);
    if (rc != CLI_OK)
        return rc;
    view_state_t *vs = &r->vs;
    size_t n = vs->ndev, slots = n * RIG_STREAM_COUNT + 1;
    vs->report = rig_report_create(r->cfg);
    vs->scope = view_scope_create(n, 1000000);
    vs->latest = calloc(slots, sizeof(*vs->latest));
    vs->hist = calloc(HISTORY_MAX, sizeof(*vs->hist));
    vs->dts = calloc(slots, sizeof(int64_t));
    vs->gts = calloc(slots, sizeof(int64_t));
    r->sn.dev = calloc(n + 1, sizeof(*r->sn.dev));
    r->sn.frames = calloc(slots, sizeof(*r->sn.frames));
    r->draw = view_draw_create(n);
    if (!vs->report || !vs->scope || !vs->latest || !vs->hist || !vs->dts || !vs->gts ||
        !r->sn.dev || !r->sn.frames || !r->draw ||
        rig_report_enable_timeline(vs->report, 1000000) != RIG_OK) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    for (size_t d = 0; d < n; d++) {
        rig_sync_config_t sync;
        rig_config_device_sync(r->cfg, d, &sync);
        r->sn.dev[d].serial = rig_config_device_serial(r->cfg, d);
        r->sn.dev[d].mode = rig_sync_mode_name(sync.mode);
    }
    int64_t t0;
    if (r->o.rig.replay_path)
        rig_replay_origin_us(r->rig.ctx, &t0);
    else if (r->o.rig.virtual_time)
        rig_sim_now_us(r->rig.ctx, &t0);
    else
        t0 = rig_realtime_us();
    rig_report_set_origin(vs->report, t0);
    rig_context_set_frame_callback(r->rig.ctx, on_frame, vs);
    rig_context_set_frameset_callback(r->rig.ctx, on_set, vs);
    rig_context_set_unmatched_callback(r->rig.ctx, on_unmatched, vs);
    rig_context_set_device_event_callback(r->rig.ctx, on_device_event, vs);
    rc = cli_start_streams(&r->rig);
    if (rc != CLI_OK)
        return rc;
    rig_error_t err = rig_context_enable_framesets(r->rig.ctx, NULL);
    if (err == RIG_OK)
        err = rig_context_enable_clock_sync(r->rig.ctx, rig_config_clock_sync_interval_ms(r->cfg));
    if (err != RIG_OK) {
        char detail[1024];
        fprintf(stderr, "rigsync view: %s\n", cli_last_error(r->rig.ctx, detail, sizeof detail));
        return CLI_RUNTIME;
    }
    r->start_us = rig_monotonic_us();
    return CLI_OK;
}

static void stop(view_run_t *r)
{
    /* The rig goes first: no callback may run once the state below is freed. */
    cli_rig_close(&r->rig);
    view_state_t *vs = &r->vs;
    snap_clear(&r->sn, vs->ndev);
    for (size_t i = 0; vs->latest && i < vs->ndev * RIG_STREAM_COUNT; i++)
        if (vs->latest[i])
            rig_frame_release(vs->latest[i]);
    for (size_t k = 0; k < vs->hist_count; k++)
        rig_frameset_release(vs->hist[(vs->hist_head + k) % vs->hist_cap]);
    free(vs->latest);
    free(vs->hist);
    free(vs->dts);
    free(vs->gts);
    free(r->sn.dev);
    free(r->sn.frames);
    view_scope_destroy(vs->scope);
    rig_report_destroy(vs->report);
    view_draw_destroy(r->draw);
    pthread_mutex_destroy(&vs->lock);
    rig_config_destroy(r->cfg);
}

int cli_view(int argc, char **argv)
{
    view_run_t *r = calloc(1, sizeof(*r));
    if (!r) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    int rc = view_parse_args(argc, argv, &r->o);
    int keys[VIEW_MAX_KEYS];
    size_t nkeys;
    if (rc == CLI_OK)
        rc = view_parse_keys(r->o.keys, keys, &nkeys);
    if (rc == CLI_OK && r->o.rig.replay_path) {
        char msg[1024], shown[4096];
        if (rig_replay_load_config(r->o.rig.replay_path, &r->cfg, msg, sizeof msg) != RIG_OK) {
            fprintf(stderr, "rigsync view: --replay %s\n", rig_escape(shown, sizeof shown, msg));
            rc = CLI_USAGE;
        }
    } else if (rc == CLI_OK) {
        rc = cli_load_config(r->o.rig.config_path, &r->cfg);
    }
    if (rc != CLI_OK) {
        free(r);
        return rc;
    }
    pthread_mutex_init(&r->vs.lock, NULL);
    r->vs.ndev = rig_config_device_count(r->cfg);
    r->vs.replay = r->o.rig.replay_path != NULL;
    r->vs.virtual_time = r->o.rig.virtual_time;
    r->show[RIG_STREAM_COLOR] = r->show[RIG_STREAM_DEPTH] = true;
    r->sn.cursor_us = RIG_TS_NONE;
    r->sn.end_us = RIG_TS_NONE;
    if (!win_open(&r->vw, r->o.width, r->o.height))
        rc = CLI_RUNTIME;
    if (rc == CLI_OK)
        rc = start(r);
    if (rc == CLI_OK)
        rc = loop(r);
    stop(r);
    win_close(&r->vw);
    free(r);
    /* Every surface is gone: cairo's and fontconfig's caches too (as rigsync report does). */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}

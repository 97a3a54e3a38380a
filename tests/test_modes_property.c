/*
 * Every sync mode on every device family that supports it, over many seeds, in virtual time:
 * the simulator's ground truth (rig_sim_frame_truth: capture_start_us, trigger_seq) is checked
 * against each mode's definition (README "The simulated rig", domain.md):
 *  - FREE_RUN / STANDALONE: the device's own timer, at nominal fps on its crystal (ppm) and its
 *    sensor's rate offset; STANDALONE ticks color and depth together, each after its delay;
 *  - PRIMARY: its own timer, and one pulse on sync-out per frame (a SECONDARY behind it captures
 *    exactly once per tick, at tick + trigger_out_delay + cable + its delays);
 *  - SECONDARY: one capture per pulse, forwarded down a daisy chain;
 *  - SECONDARY_SYNCED: free-runs and re-phases onto pulses: one capture per pulse (never an
 *    extra one), phase locked within what the two crystals drift apart in one period, and on
 *    its own crystal's period after its cable is cut;
 *  - SOFTWARE_TRIGGERING: frames_per_trigger captures per trigger command, one period apart,
 *    and one pulse per trigger;
 *  - HARDWARE_TRIGGERING: frames_per_trigger captures per input pulse, one period apart.
 * Per seed the frame rate (from the family's list), the delays, the cable delay and the
 * crystals vary; the transport is quiet so that every capture arrives.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mode/mode.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define SEEDS 50
#define MAX_DEV 4
#define MAX_MODELS 32
/* Virtual-time run-in: every device is armed (start-up <= 0.25 s) and pulses flow. */
#define SETTLE_US 1000000

/* ------------------------------------------------------------------------------------------ */
/* A small deterministic generator for the per-seed choices (not the simulator's).             */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t rng_int(uint64_t *s, int64_t lo, int64_t hi) /* inclusive */
{
    return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* ------------------------------------------------------------------------------------------ */
/* One rig: its config (built as JSON), a run in virtual time, every capture's truth.          */

typedef struct dev_spec {
    const char *model;
    rig_sync_mode_t mode;
    bool trigger_out;
    int32_t fpt;
    int64_t ttid_us, color_delay_us, depth_delay_us, out_delay_us;
} dev_spec_t;

typedef struct cap {
    size_t dev;
    int stream;
    uint64_t index, seq;
    int64_t start_us;
} cap_t;

typedef struct rig {
    char what[160]; /* model, mode, seed: for failure messages */
    size_t n;
    dev_spec_t d[MAX_DEV];
    uint32_t fps[RIG_STREAM_COUNT];
    int64_t cable_ns;
    rig_config_t *cfg;
    rig_context_t *ctx;
    rig_device_t *dev[MAX_DEV];
    double period_us[MAX_DEV][RIG_STREAM_COUNT]; /* own timer, on the host clock */
    int64_t origin_us;
    cap_t *caps;
    size_t ncaps, capcap;
} rig_t;

static const char *serial_of(size_t i)
{
    static const char *const s[MAX_DEV] = {"PROP0", "PROP1", "PROP2", "PROP3"};
    return s[i];
}

static int64_t delay_of(const dev_spec_t *d, int stream)
{
    return d->ttid_us + (stream == RIG_STREAM_DEPTH ? d->depth_delay_us : d->color_delay_us);
}

static void on_frame(rig_frame_t *f, void *user)
{
    rig_t *r = user;
    if (r->ncaps == r->capcap) {
        r->capcap = r->capcap ? 2 * r->capcap : 4096;
        r->caps = realloc(r->caps, r->capcap * sizeof(*r->caps));
        assert_non_null(r->caps);
    }
    rig_sim_truth_t t;
    assert_int_equal(rig_sim_frame_truth(f, &t), RIG_OK);
    cap_t *c = &r->caps[r->ncaps++];
    c->dev = rig_frame_device_index(f);
    c->stream = (int)rig_frame_stream(f);
    c->index = rig_frame_index(f);
    c->seq = t.trigger_seq;
    c->start_us = t.capture_start_us;
}

/* Appends to buf (fixed size, asserted). */
static void add(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < len - used);
}

/* `sim_extra`: further members of the sim section (wiring, generator, events), or "". */
static void rig_up(rig_t *r, uint64_t seed, const char *sim_extra)
{
    char json[4096] = "";
    add(json, sizeof json, "{\"devices\":[");
    for (size_t i = 0; i < r->n; i++) {
        const dev_spec_t *d = &r->d[i];
        add(json, sizeof json,
            "%s{\"serial_number\":\"%s\",\"config\":{\"mode\":\"%s\",\"trigger_out_enable\":%s,"
            "\"frames_per_trigger\":%d,\"trigger_to_image_delay_us\":%lld,"
            "\"color_delay_us\":%lld,\"depth_delay_us\":%lld,\"trigger_out_delay_us\":%lld}}",
            i ? "," : "", serial_of(i), rig_sync_mode_name(d->mode),
            d->trigger_out ? "true" : "false", (int)d->fpt, (long long)d->ttid_us,
            (long long)d->color_delay_us, (long long)d->depth_delay_us,
            (long long)d->out_delay_us);
    }
    const rig_model_facts_t *m0 = rig_model_facts(r->d[0].model);
    uint32_t size[RIG_STREAM_COUNT][2];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        size[s][0] = m0->sizes[s] ? m0->sizes[s][0][0] : 640;
        size[s][1] = m0->sizes[s] ? m0->sizes[s][0][1] : 480;
    }
    add(json, sizeof json,
        "],\"streams\":{\"color\":{\"width\":%u,\"height\":%u,\"fps\":%u,\"format\":\"RGB\"},"
        "\"depth\":{\"width\":%u,\"height\":%u,\"fps\":%u,\"format\":\"Y16\"}},"
        "\"sim\":{\"seed\":%llu,\"devices\":[",
        size[RIG_STREAM_COLOR][0], size[RIG_STREAM_COLOR][1], r->fps[RIG_STREAM_COLOR],
        size[RIG_STREAM_DEPTH][0], size[RIG_STREAM_DEPTH][1], r->fps[RIG_STREAM_DEPTH],
        (unsigned long long)seed);
    for (size_t i = 0; i < r->n; i++)
        add(json, sizeof json, "%s{\"serial_number\":\"%s\",\"model\":\"%s\"}", i ? "," : "",
            serial_of(i), r->d[i].model);
    add(json, sizeof json,
        "],\"drift_walk_ppm_per_sqrt_hour\":0,\"cable_delay_ns\":%lld,"
        "\"transport\":{\"drop_probability\":0,\"stall_probability\":0}%s%s}}",
        (long long)r->cable_ns, sim_extra[0] ? "," : "", sim_extra);

    rig_config_diag_t diag;
    if (rig_config_parse(json, "property.json", &r->cfg, &diag) != RIG_OK)
        fail_msg("%s: config rejected: %s: %s\n%s", r->what, diag.field, diag.message, json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r->cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    assert_int_equal(rig_context_create(&o, &r->ctx), RIG_OK);
    assert_int_equal(rig_sim_now_us(r->ctx, &r->origin_us), RIG_OK);
    rig_sync_config_t sync[MAX_DEV];
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(rig_device_open(r->ctx, serial_of(i), &r->dev[i]), RIG_OK);
        assert_int_equal(rig_config_device_sync(r->cfg, i, &sync[i]), RIG_OK);
        if (rig_device_set_sync_config(r->dev[i], &sync[i], NULL) != RIG_OK) {
            char msg[512];
            fail_msg("%s: device %zu: %s", r->what, i,
                     rig_context_last_error(r->ctx, msg, sizeof msg));
        }
        const rig_model_facts_t *m = rig_model_facts(r->d[i].model);
        double ppm;
        assert_int_equal(rig_sim_device_ppm(r->ctx, i, &ppm), RIG_OK);
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            r->period_us[i][s] =
                1e6 / r->fps[s] / (1.0 + ppm * 1e-6) / (1.0 + m->rate_offset_ppm * 1e-6);
    }
    assert_int_equal(rig_context_set_frame_callback(r->ctx, on_frame, r), RIG_OK);
    size_t order[MAX_DEV];
    rig_mode_start_order(sync, r->n, order);
    rig_stream_profile_t c = rig_config_stream_profile(r->cfg, RIG_STREAM_COLOR);
    rig_stream_profile_t z = rig_config_stream_profile(r->cfg, RIG_STREAM_DEPTH);
    for (size_t k = 0; k < r->n; k++)
        if (rig_device_start(r->dev[order[k]], &c, &z) != RIG_OK) {
            char msg[512];
            fail_msg("%s: start %zu: %s", r->what, order[k],
                     rig_context_last_error(r->ctx, msg, sizeof msg));
        }
}

static void rig_down(rig_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        rig_device_close(r->dev[i]);
    rig_context_destroy(r->ctx);
    rig_config_destroy(r->cfg);
    free(r->caps);
    memset(r, 0, sizeof(*r));
}

/* Captures of one device and stream, in capture order (the callback sees them in arrival
 * order, which on a quiet transport is capture order per stream). */
static size_t caps_of(const rig_t *r, size_t dev, int stream, const cap_t **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncaps; i++)
        if (r->caps[i].dev == dev && r->caps[i].stream == stream) {
            assert_true(n < max);
            out[n++] = &r->caps[i];
        }
    for (size_t i = 1; i < n; i++)
        if (out[i]->start_us < out[i - 1]->start_us)
            fail_msg("%s: device %zu stream %d: captures out of order", r->what, dev, stream);
    return n;
}

#define MAX_CAPS 8192

/* The device's own timer: consecutive captures one period apart (start rounds to 1 us), frame
 * indices consecutive, tick numbers increasing (consecutive but for FREE_RUN, whose two timers
 * share one counter); at least `min` captures. */
static void check_own_timer(const rig_t *r, size_t dev, int stream, size_t min)
{
    static const cap_t *c[MAX_CAPS];
    size_t n = caps_of(r, dev, stream, c, MAX_CAPS);
    if (n < min)
        fail_msg("%s: device %zu stream %d: %zu captures, want at least %zu", r->what, dev,
                 stream, n, min);
    double p = r->period_us[dev][stream];
    bool shared = r->d[dev].mode == RIG_SYNC_MODE_FREE_RUN;
    for (size_t i = 1; i < n; i++) {
        double dt = (double)(c[i]->start_us - c[i - 1]->start_us);
        bool seq_ok = shared ? c[i]->seq > c[i - 1]->seq : c[i]->seq == c[i - 1]->seq + 1;
        if (fabs(dt - p) > 1.0 || c[i]->index != c[i - 1]->index + 1 || !seq_ok)
            fail_msg("%s: device %zu stream %d: capture %zu is %.0f us after the previous "
                     "(own period %.2f us), index %llu after %llu, tick %llu after %llu",
                     r->what, dev, stream, i, dt, p, (unsigned long long)c[i]->index,
                     (unsigned long long)c[i - 1]->index, (unsigned long long)c[i]->seq,
                     (unsigned long long)c[i - 1]->seq);
    }
}

/* Ticks of a pulse source (device 0): its depth captures less its delays, with their numbers,
 * those whose tick lies in [from_us, to_us). */
static size_t source_ticks(const rig_t *r, int64_t from_us, int64_t to_us, int64_t *tick,
                           uint64_t *seq, size_t max)
{
    static const cap_t *c[MAX_CAPS];
    size_t n = caps_of(r, 0, RIG_STREAM_DEPTH, c, MAX_CAPS), k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t t = c[i]->start_us - delay_of(&r->d[0], RIG_STREAM_DEPTH);
        if (t >= from_us && t < to_us) {
            assert_true(k < max);
            tick[k] = t;
            seq[k++] = c[i]->seq;
        }
    }
    return k;
}

/*
 * Device `dev` downstream of device 0 along the chain 0 -> 1 -> ... -> dev, every hop adding
 * the emitter's trigger_out_delay and one cable: for each tick of device 0 in the window, exactly
 * one capture per stream, with the tick's number, starting at
 *   tick + hops + trigger_to_image + stream delay - early,  0 <= early <= max_early_us
 * (max_early_us = 0: exactly, up to the 1 us rounding of start times) and no other capture.
 */
static void check_follows(const rig_t *r, size_t dev, int64_t from_us, int64_t to_us,
                          double max_early_us)
{
    static int64_t tick[MAX_CAPS];
    static uint64_t seq[MAX_CAPS];
    static const cap_t *c[MAX_CAPS];
    size_t nt = source_ticks(r, from_us, to_us, tick, seq, MAX_CAPS);
    assert_true(nt >= 10);
    double hops_us = 0;
    for (size_t i = 0; i < dev; i++)
        hops_us += (double)r->d[i].out_delay_us + (double)r->cable_ns / 1000.0;
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        size_t n = caps_of(r, dev, s, c, MAX_CAPS);
        double lo = (double)tick[0] + hops_us + (double)delay_of(&r->d[dev], s) -
                    r->period_us[0][s] / 2;
        double hi = (double)tick[nt - 1] + hops_us + (double)delay_of(&r->d[dev], s) +
                    r->period_us[0][s] / 2;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            double t = (double)c[i]->start_us;
            if (t < lo || t >= hi)
                continue;
            if (k >= nt)
                fail_msg("%s: device %zu stream %d: an extra capture at +%lld us (%zu ticks)",
                         r->what, dev, s, (long long)(c[i]->start_us - r->origin_us), nt);
            double want = (double)tick[k] + hops_us + (double)delay_of(&r->d[dev], s);
            double early = want - t;
            if (early < -1.5 || early > max_early_us + 1.5 || c[i]->seq != seq[k])
                fail_msg("%s: device %zu stream %d: capture %zu (tick %llu) at +%lld us, want "
                         "+%.1f us (early by at most %.1f us) of tick %llu",
                         r->what, dev, s, k, (unsigned long long)c[i]->seq,
                         (long long)(c[i]->start_us - r->origin_us), want - (double)r->origin_us,
                         max_early_us, (unsigned long long)seq[k]);
            k++;
        }
        if (k != nt)
            fail_msg("%s: device %zu stream %d: %zu captures for %zu ticks of device 0", r->what,
                     dev, s, k, nt);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Families and per-seed choices                                                              */

static size_t model_names(const char **out, char *storage, size_t len)
{
    snprintf(storage, len, "%s", rig_model_all_names());
    size_t n = 0;
    for (char *tok = strtok(storage, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        assert_non_null(rig_model_facts(tok));
        assert_true(n < MAX_MODELS);
        out[n++] = tok;
    }
    assert_true(n >= 14);
    return n;
}

static bool supports(const char *model, rig_sync_mode_t mode)
{
    return (rig_model_facts(model)->modes & (uint32_t)mode) != 0;
}

static uint32_t pick_fps(const char *model, uint64_t *rng)
{
    static const uint32_t any[] = {5, 15, 30, 60, 0};
    const rig_model_facts_t *m = rig_model_facts(model);
    const uint32_t *list = m->fps ? m->fps : any;
    size_t n = 0;
    while (list[n])
        n++;
    return list[rng_int(rng, 0, (int64_t)n - 1)];
}

static dev_spec_t pick_device(const char *model, rig_sync_mode_t mode, uint64_t *rng)
{
    dev_spec_t d = {.model = model, .mode = mode, .trigger_out = true, .fpt = 1};
    d.ttid_us = rng_int(rng, 0, 300);
    d.color_delay_us = rng_int(rng, 0, 500);
    d.depth_delay_us = rng_int(rng, 0, 500);
    d.out_delay_us = rng_int(rng, 0, 100);
    return d;
}

static void name_run(rig_t *r, const char *model, const char *mode, uint64_t seed)
{
    snprintf(r->what, sizeof r->what, "%s %s seed %llu (%u/%u fps)", model, mode,
             (unsigned long long)seed, r->fps[RIG_STREAM_COLOR], r->fps[RIG_STREAM_DEPTH]);
}

typedef void (*mode_run_fn)(const char *model, uint64_t seed, uint64_t *rng);

/* Runs fn for every family supporting `mode` and every seed; returns the runs made. */
static size_t for_each_family(rig_sync_mode_t mode, mode_run_fn fn)
{
    char storage[512];
    const char *models[MAX_MODELS];
    size_t nm = model_names(models, storage, sizeof storage), runs = 0;
    for (size_t i = 0; i < nm; i++) {
        if (!supports(models[i], mode))
            continue;
        for (uint64_t seed = 1; seed <= SEEDS; seed++) {
            uint64_t rng = 0x9E3779B97F4A7C15ull ^ (seed * 0x100000001B3ull) ^ (uint64_t)i;
            fn(models[i], seed, &rng);
            runs++;
        }
    }
    return runs;
}

/* ------------------------------------------------------------------------------------------ */
/* The modes                                                                                  */

static void run_free_run(const char *model, uint64_t seed, uint64_t *rng)
{
    rig_t r = {.n = 1};
    r.d[0] = pick_device(model, RIG_SYNC_MODE_FREE_RUN, rng);
    r.d[0].trigger_out = false;
    r.fps[RIG_STREAM_COLOR] = pick_fps(model, rng);
    r.fps[RIG_STREAM_DEPTH] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    name_run(&r, model, "FREE_RUN", seed);
    rig_up(&r, seed, "");
    uint32_t slow = r.fps[0] < r.fps[1] ? r.fps[0] : r.fps[1];
    int64_t run_us = SETTLE_US + 30 * 1000000 / (int64_t)slow;
    assert_int_equal(rig_sim_advance_us(r.ctx, run_us), RIG_OK);
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        check_own_timer(&r, 0, s, 30);
    rig_down(&r);
}

static void run_standalone(const char *model, uint64_t seed, uint64_t *rng)
{
    rig_t r = {.n = 1};
    r.d[0] = pick_device(model, RIG_SYNC_MODE_STANDALONE, rng);
    r.d[0].trigger_out = false;
    r.fps[RIG_STREAM_COLOR] = r.fps[RIG_STREAM_DEPTH] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    name_run(&r, model, "STANDALONE", seed);
    rig_up(&r, seed, "");
    assert_int_equal(rig_sim_advance_us(r.ctx, SETTLE_US + 30 * 1000000 / r.fps[0]), RIG_OK);
    static const cap_t *c[2][MAX_CAPS];
    size_t n[2];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        check_own_timer(&r, 0, s, 30);
        n[s] = caps_of(&r, 0, s, c[s], MAX_CAPS);
    }
    /* one tick for both streams: same tick number, same instant less each stream's delay */
    for (size_t i = 0, j = 0; i < n[0] && j < n[1];) {
        if (c[0][i]->seq < c[1][j]->seq) {
            i++;
            continue;
        }
        if (c[1][j]->seq < c[0][i]->seq) {
            j++;
            continue;
        }
        int64_t tc = c[0][i]->start_us - delay_of(&r.d[0], RIG_STREAM_COLOR);
        int64_t td = c[1][j]->start_us - delay_of(&r.d[0], RIG_STREAM_DEPTH);
        if (llabs(tc - td) > 1)
            fail_msg("%s: tick %llu: color and depth %lld us apart less their delays", r.what,
                     (unsigned long long)c[0][i]->seq, (long long)(tc - td));
        i++;
        j++;
    }
    rig_down(&r);
}

/* PRIMARY of the family with a SimCam SECONDARY listening, or trigger out off and nothing
 * reaching it (one seed in four). */
static void run_primary(const char *model, uint64_t seed, uint64_t *rng)
{
    rig_t r = {.n = 2};
    r.d[0] = pick_device(model, RIG_SYNC_MODE_PRIMARY, rng);
    r.d[1] = pick_device(RIG_MODEL_SIM_DEFAULT, RIG_SYNC_MODE_SECONDARY, rng);
    r.d[1].trigger_out = false;
    bool out = seed % 4 != 0;
    r.d[0].trigger_out = out;
    r.fps[0] = r.fps[1] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    name_run(&r, model, out ? "PRIMARY" : "PRIMARY (trigger out off)", seed);
    rig_up(&r, seed, "\"wiring\":[{\"from\":\"PROP0\",\"to\":\"PROP1\"}]");
    int64_t window_us = 30 * 1000000 / (int64_t)r.fps[0];
    assert_int_equal(rig_sim_advance_us(r.ctx, SETTLE_US + window_us + 200000), RIG_OK);
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        check_own_timer(&r, 0, s, 30);
    uint64_t pulses = 0;
    assert_int_equal(rig_sim_device_pulses_in(r.ctx, 1, &pulses), RIG_OK);
    if (out) {
        check_follows(&r, 1, r.origin_us + SETTLE_US, r.origin_us + SETTLE_US + window_us, 0);
        /* every tick so far sent one pulse: ticks = frames of the last tick number + 1 */
        static const cap_t *c[MAX_CAPS];
        size_t n = caps_of(&r, 0, RIG_STREAM_DEPTH, c, MAX_CAPS);
        assert_true(n > 0);
        if (pulses < c[n - 1]->seq + 1 || pulses > c[n - 1]->seq + 4)
            fail_msg("%s: %llu pulses reached the listener for %llu ticks", r.what,
                     (unsigned long long)pulses, (unsigned long long)(c[n - 1]->seq + 1));
    } else {
        assert_int_equal(pulses, 0);
        for (size_t i = 0; i < r.ncaps; i++)
            assert_int_equal(r.caps[i].dev, 0);
    }
    rig_down(&r);
}

/* A daisy chain of the family: PRIMARY -> `mode` -> `mode` (-> `mode`); for SECONDARY_SYNCED
 * the last one's cable is cut after the locked window and it must go on at its own rate. */
static void run_chain(const char *model, uint64_t seed, uint64_t *rng, rig_sync_mode_t mode)
{
    bool synced = mode == RIG_SYNC_MODE_SECONDARY_SYNCED;
    rig_t r = {.n = synced ? 4 : 3};
    for (size_t i = 0; i < r.n; i++)
        r.d[i] = pick_device(model, i ? mode : RIG_SYNC_MODE_PRIMARY, rng);
    r.fps[0] = r.fps[1] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    name_run(&r, model, rig_sync_mode_name(mode), seed);
    int64_t period_us = 1000000 / (int64_t)r.fps[0];
    int64_t window_us = 30 * period_us;
    int64_t cut_us = SETTLE_US + window_us + period_us / 3;
    char extra[160] = "";
    if (synced)
        snprintf(extra, sizeof extra, "\"events\":[{\"at_s\":%.6f,\"cut_cable_to\":\"%s\"}]",
                 (double)cut_us / 1e6, serial_of(r.n - 1));
    rig_up(&r, seed, extra);
    int64_t run_us = cut_us + (synced ? 25 * period_us : 0) + 200000;
    assert_int_equal(rig_sim_advance_us(r.ctx, run_us), RIG_OK);
    check_own_timer(&r, 0, RIG_STREAM_DEPTH, 30);
    for (size_t i = 1; i < r.n; i++) {
        /* SECONDARY_SYNCED: a crystal faster than the primary's ticks just before each pulse,
         * early by what it gains in one period; a slower one is re-phased by the pulse. */
        double gain = r.period_us[0][0] - r.period_us[i][0];
        double early = synced && gain > 0 ? gain * 1.01 : 0;
        check_follows(&r, i, r.origin_us + SETTLE_US, r.origin_us + SETTLE_US + window_us,
                      early);
    }
    if (synced) {
        /* after the cut: the last device free-runs on its own crystal, one capture a period */
        size_t last = r.n - 1;
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            static const cap_t *c[MAX_CAPS];
            size_t n = caps_of(&r, last, s, c, MAX_CAPS), after = 0;
            int64_t from = r.origin_us + cut_us + 2 * period_us;
            for (size_t i = 1; i < n; i++) {
                if (c[i - 1]->start_us < from)
                    continue;
                double dt = (double)(c[i]->start_us - c[i - 1]->start_us);
                if (fabs(dt - r.period_us[last][s]) > 1.0)
                    fail_msg("%s: after the cut, device %zu stream %d captures %.0f us apart, "
                             "own period %.2f us", r.what, last, s, dt, r.period_us[last][s]);
                after++;
            }
            if (after < 20)
                fail_msg("%s: only %zu captures of device %zu after its cable was cut", r.what,
                         after, last);
        }
    }
    rig_down(&r);
}

static void run_secondary(const char *model, uint64_t seed, uint64_t *rng)
{
    run_chain(model, seed, rng, RIG_SYNC_MODE_SECONDARY);
}

static void run_secondary_synced(const char *model, uint64_t seed, uint64_t *rng)
{
    run_chain(model, seed, rng, RIG_SYNC_MODE_SECONDARY_SYNCED);
}

#define TRIGGERS 8

/* A SOFTWARE_TRIGGERING device of the family with a SimCam SECONDARY on its sync-out. */
static void run_software(const char *model, uint64_t seed, uint64_t *rng)
{
    rig_t r = {.n = 2};
    r.d[0] = pick_device(model, RIG_SYNC_MODE_SOFTWARE_TRIGGERING, rng);
    r.d[1] = pick_device(RIG_MODEL_SIM_DEFAULT, RIG_SYNC_MODE_SECONDARY, rng);
    r.d[1].trigger_out = false;
    r.d[0].fpt = (int32_t)rng_int(rng, 1, 3);
    r.fps[0] = r.fps[1] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    name_run(&r, model, "SOFTWARE_TRIGGERING", seed);
    rig_up(&r, seed, "\"wiring\":[{\"from\":\"PROP0\",\"to\":\"PROP1\"}]");
    assert_int_equal(rig_sim_advance_us(r.ctx, SETTLE_US), RIG_OK);
    /* each trigger's captures end before the next command */
    int64_t gap_us = (int64_t)((r.d[0].fpt + 1) * r.period_us[0][0]) + 1000;
    int64_t called[TRIGGERS];
    for (int k = 0; k < TRIGGERS; k++) {
        assert_int_equal(rig_sim_now_us(r.ctx, &called[k]), RIG_OK);
        assert_int_equal(rig_device_trigger(r.dev[0]), RIG_OK);
        assert_int_equal(rig_sim_advance_us(r.ctx, gap_us), RIG_OK);
    }
    assert_int_equal(rig_sim_advance_us(r.ctx, 200000), RIG_OK);
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        static const cap_t *c[MAX_CAPS];
        size_t n = caps_of(&r, 0, s, c, MAX_CAPS);
        if (n != (size_t)(TRIGGERS * r.d[0].fpt))
            fail_msg("%s: stream %d: %zu captures for %d triggers of %d frames", r.what, s, n,
                     TRIGGERS, (int)r.d[0].fpt);
        for (size_t i = 0; i < n; i++) {
            size_t k = i / (size_t)r.d[0].fpt, j = i % (size_t)r.d[0].fpt;
            assert_int_equal(c[i]->seq, k);
            /* the command takes 100-300 us to reach the device */
            int64_t t = c[i]->start_us - delay_of(&r.d[0], s) - c[i - j]->start_us +
                        delay_of(&r.d[0], s);
            if (fabs((double)t - (double)j * r.period_us[0][s]) > 1.0)
                fail_msg("%s: trigger %zu frame %zu is %lld us after the first, want %.1f",
                         r.what, k, j, (long long)t, (double)j * r.period_us[0][s]);
            if (j == 0) {
                int64_t after = c[i]->start_us - delay_of(&r.d[0], s) - called[k];
                if (after < 99 || after > 301)
                    fail_msg("%s: trigger %zu captured %lld us after the command", r.what, k,
                             (long long)after);
            }
        }
        /* one pulse per trigger: the SECONDARY captures once per trigger */
        static const cap_t *b[MAX_CAPS];
        size_t nb = caps_of(&r, 1, s, b, MAX_CAPS);
        if (nb != TRIGGERS)
            fail_msg("%s: stream %d: the listener captured %zu times for %d triggers", r.what, s,
                     nb, TRIGGERS);
        for (size_t k = 0; k < nb; k++) {
            int64_t trig = c[k * (size_t)r.d[0].fpt]->start_us - delay_of(&r.d[0], s);
            double want = (double)trig + (double)r.d[0].out_delay_us + (double)r.cable_ns / 1000 +
                          (double)delay_of(&r.d[1], s);
            if (fabs((double)b[k]->start_us - want) > 1.5 || b[k]->seq != k)
                fail_msg("%s: listener capture %zu at %lld, want %.1f", r.what, k,
                         (long long)b[k]->start_us, want);
        }
    }
    rig_down(&r);
}

/* A HARDWARE_TRIGGERING device of the family fed by the signal generator, within the rate
 * rule: generator hz x frames_per_trigger <= fps. */
static void run_hardware(const char *model, uint64_t seed, uint64_t *rng)
{
    rig_t r = {.n = 1};
    r.d[0] = pick_device(model, RIG_SYNC_MODE_HARDWARE_TRIGGERING, rng);
    r.d[0].trigger_out = false;
    r.d[0].fpt = (int32_t)rng_int(rng, 1, 3);
    r.fps[0] = r.fps[1] = pick_fps(model, rng);
    r.cable_ns = rng_int(rng, 0, 500);
    double hz = (double)r.fps[0] / (double)(r.d[0].fpt * rng_int(rng, 1, 3)) * 0.99;
    name_run(&r, model, "HARDWARE_TRIGGERING", seed);
    char extra[160];
    snprintf(extra, sizeof extra, "\"wiring\":\"none\",\"signal_generator\":{\"hz\":%.6f,\"to\":"
             "[\"PROP0\"]}", hz);
    rig_up(&r, seed, extra);
    hz = strtod(strstr(extra, "\"hz\":") + 5, NULL); /* as the config read it */
    int pulses = 12;
    int64_t first = (int64_t)ceil(0.5 * hz); /* the device is armed by 0.25 s */
    assert_int_equal(rig_sim_advance_us(r.ctx, (int64_t)((first + pulses + 1) / hz * 1e6)),
                     RIG_OK);
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        static const cap_t *c[MAX_CAPS];
        size_t n = caps_of(&r, 0, s, c, MAX_CAPS);
        for (int64_t k = first; k < first + pulses; k++) {
            double pulse = (double)r.origin_us + (double)llround((double)k * 1e9 / hz) / 1000.0 +
                           (double)r.cable_ns / 1000.0;
            int got = 0;
            for (size_t i = 0; i < n; i++) {
                if (c[i]->seq != (uint64_t)k)
                    continue;
                double want = pulse + (double)delay_of(&r.d[0], s) + got * r.period_us[0][s];
                if (fabs((double)c[i]->start_us - want) > 1.5)
                    fail_msg("%s: stream %d pulse %lld frame %d at %lld, want %.1f", r.what, s,
                             (long long)k, got, (long long)c[i]->start_us, want);
                got++;
            }
            if (got != r.d[0].fpt)
                fail_msg("%s: stream %d: pulse %lld caused %d captures, want %d", r.what, s,
                         (long long)k, got, (int)r.d[0].fpt);
        }
    }
    rig_down(&r);
}

/* ------------------------------------------------------------------------------------------ */

static void free_run_follows_its_own_crystal_on_every_family(void **state)
{
    (void)state;
    assert_true(for_each_family(RIG_SYNC_MODE_FREE_RUN, run_free_run) >= 14 * SEEDS);
}

static void standalone_ticks_both_streams_on_its_own_crystal_on_every_family(void **state)
{
    (void)state;
    assert_true(for_each_family(RIG_SYNC_MODE_STANDALONE, run_standalone) >= 14 * SEEDS);
}

static void primary_sends_one_pulse_per_frame_on_every_family(void **state)
{
    (void)state;
    assert_true(for_each_family(RIG_SYNC_MODE_PRIMARY, run_primary) >= 14 * SEEDS);
}

static void secondary_captures_once_per_pulse_on_every_family(void **state)
{
    (void)state;
    /* Femto Bolt, Femto Mega and the SimCam have SECONDARY */
    assert_int_equal(for_each_family(RIG_SYNC_MODE_SECONDARY, run_secondary), 3 * SEEDS);
}

static void secondary_synced_locks_one_capture_per_pulse_on_every_family(void **state)
{
    (void)state;
    /* Astra 2, Gemini 210/215, the Gemini 2 and 330 families, the SimCam */
    assert_int_equal(for_each_family(RIG_SYNC_MODE_SECONDARY_SYNCED, run_secondary_synced),
                     12 * SEEDS);
}

static void software_trigger_captures_frames_per_trigger_on_every_family(void **state)
{
    (void)state;
    /* Femto Mega, the Gemini 2 and 330 families, the SimCam */
    assert_int_equal(for_each_family(RIG_SYNC_MODE_SOFTWARE_TRIGGERING, run_software),
                     10 * SEEDS);
}

static void hardware_trigger_captures_frames_per_pulse_on_every_family(void **state)
{
    (void)state;
    /* the Gemini 2 and 330 families, the SimCam */
    assert_int_equal(for_each_family(RIG_SYNC_MODE_HARDWARE_TRIGGERING, run_hardware),
                     9 * SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(free_run_follows_its_own_crystal_on_every_family),
        cmocka_unit_test(standalone_ticks_both_streams_on_its_own_crystal_on_every_family),
        cmocka_unit_test(primary_sends_one_pulse_per_frame_on_every_family),
        cmocka_unit_test(secondary_captures_once_per_pulse_on_every_family),
        cmocka_unit_test(secondary_synced_locks_one_capture_per_pulse_on_every_family),
        cmocka_unit_test(software_trigger_captures_frames_per_trigger_on_every_family),
        cmocka_unit_test(hardware_trigger_captures_frames_per_pulse_on_every_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

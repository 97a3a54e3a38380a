/*
 * libFuzzer harness: config text -> when it parses (and is small enough: at most 8 devices,
 * at most 16 frames per trigger), a simulated run of 1 virtual second with framesets on, through
 * the public API only. It abort()s on any violation of what the README promises:
 *  - conservation: per device and stream, frames delivered to the frame callback == frames in
 *    emitted sets + frames reported unmatched, after rig_context_flush_framesets;
 *  - ranges: a frame index or host_ts going backwards on a stream, a set slot holding another
 *    device's or stream's frame, a set holding two captures of one device (its color and depth
 *    from different ticks, in the modes that lock them), a negative global bound, a device
 *    delivering far more frames than its configured fps allows.
 * Anything the API refuses (a mode the model lacks, a profile it does not support) is skipped:
 * refusing is allowed, misbehaving is not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define MAX_DEVICES 8
#define MAX_FRAMES_PER_TRIGGER 16
#define RUN_US 1000000
#define STEP_US 100000

typedef struct stream_state {
    uint64_t delivered, in_sets, unmatched;
    bool seen;
    uint64_t last_index;
    int64_t last_host_ts_us;
} stream_state_t;

/* Per device, by its index in the context (rig_device_index: the order of opening), except
 * cfg_sync, by config order. */
typedef struct run {
    size_t ndev, nopen;
    rig_sync_config_t cfg_sync[MAX_DEVICES];
    rig_sync_config_t sync[MAX_DEVICES];
    bool started[MAX_DEVICES];
    uint32_t fps[RIG_STREAM_COUNT];
    stream_state_t st[MAX_DEVICES][RIG_STREAM_COUNT];
} run_t;

static int64_t stream_delay_us(const rig_sync_config_t *s, rig_stream_t stream)
{
    return stream == RIG_STREAM_DEPTH ? s->depth_delay_us : s->color_delay_us;
}

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    size_t d = rig_frame_device_index(f);
    rig_stream_t s = rig_frame_stream(f);
    FUZZ_CHECK(d < r->nopen && (int)s >= 0 && (int)s < RIG_STREAM_COUNT,
               "frame of device %zu stream %d, %zu devices open", d, (int)s, r->nopen);
    FUZZ_CHECK(r->started[d], "a frame of device %zu, which was not started", d);
    stream_state_t *ss = &r->st[d][s];
    uint64_t index = rig_frame_index(f);
    int64_t host = rig_frame_host_ts_us(f);
    if (ss->seen) {
        FUZZ_CHECK(index > ss->last_index, "device %zu %s: frame index %llu after %llu", d,
                   rig_stream_name(s), (unsigned long long)index,
                   (unsigned long long)ss->last_index);
        FUZZ_CHECK(host >= ss->last_host_ts_us, "device %zu %s: host_ts %lld after %lld", d,
                   rig_stream_name(s), (long long)host, (long long)ss->last_host_ts_us);
    }
    ss->seen = true;
    ss->last_index = index;
    ss->last_host_ts_us = host;
    ss->delivered++;
    int64_t global = rig_frame_global_ts_us(f), bound = rig_frame_global_ts_bound_us(f);
    if (global != RIG_TS_NONE) {
        FUZZ_CHECK(bound >= 0, "device %zu: global bound %lld", d, (long long)bound);
        /* The bound is what the estimator vouches for: the truth must lie within it. */
        rig_sim_truth_t t;
        FUZZ_CHECK(rig_sim_frame_truth(f, &t) == RIG_OK, "a sim frame without truth");
        FUZZ_CHECK(bound == INT64_MAX || llabs(global - t.true_ts_us) <= bound,
                   "device %zu %s frame %llu: global_ts %lld is %lld us off the true capture "
                   "time, beyond its bound of %lld us",
                   d, rig_stream_name(s), (unsigned long long)index, (long long)global,
                   (long long)(global - t.true_ts_us), (long long)bound);
    }
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t why, void *user)
{
    run_t *r = user;
    size_t d = rig_frame_device_index(f);
    rig_stream_t s = rig_frame_stream(f);
    FUZZ_CHECK(d < r->nopen, "unmatched frame of device %zu", d);
    FUZZ_CHECK(why == RIG_UNMATCHED_LATE || why == RIG_UNMATCHED_NO_TIME, "reason %d", (int)why);
    r->st[d][s].unmatched++;
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    size_t n = rig_frameset_device_count(set);
    FUZZ_CHECK(n <= r->nopen, "a set with %zu devices, %zu devices open", n, r->nopen);
    for (size_t d = 0; d < n; d++) {
        rig_sim_truth_t t[RIG_STREAM_COUNT];
        bool have[RIG_STREAM_COUNT] = {false, false};
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            rig_slot_status_t st = rig_frameset_status(set, d, (rig_stream_t)s);
            if (!f) {
                FUZZ_CHECK(st != RIG_SLOT_OK && st != RIG_SLOT_INTERFERED,
                           "slot %zu/%d is empty but says %s", d, s, rig_slot_status_name(st));
                continue;
            }
            FUZZ_CHECK(st == RIG_SLOT_OK || st == RIG_SLOT_INTERFERED,
                       "slot %zu/%d holds a frame but says %s", d, s, rig_slot_status_name(st));
            FUZZ_CHECK(rig_frame_device_index(f) == d && (int)rig_frame_stream(f) == s,
                       "slot %zu/%d holds a frame of device %zu stream %d", d, s,
                       rig_frame_device_index(f), (int)rig_frame_stream(f));
            FUZZ_CHECK(rig_sim_frame_truth(f, &t[s]) == RIG_OK, "a sim frame without truth");
            have[s] = true;
            r->st[d][s].in_sets++;
        }
        /* One tick captures both streams (all modes but FREE_RUN), each after its own delay. */
        if (have[0] && have[1] && r->sync[d].mode != RIG_SYNC_MODE_FREE_RUN) {
            int64_t c = t[RIG_STREAM_COLOR].capture_start_us -
                        stream_delay_us(&r->sync[d], RIG_STREAM_COLOR);
            int64_t z = t[RIG_STREAM_DEPTH].capture_start_us -
                        stream_delay_us(&r->sync[d], RIG_STREAM_DEPTH);
            int64_t half = 500000 / (int64_t)r->fps[RIG_STREAM_DEPTH];
            const rig_frame_t *fc = rig_frameset_frame(set, d, RIG_STREAM_COLOR);
            const rig_frame_t *fz = rig_frameset_frame(set, d, RIG_STREAM_DEPTH);
            FUZZ_CHECK(llabs(c - z) < half,
                       "set %llu: device %zu's color and depth are two captures (%lld us apart): "
                       "color index %llu global %lld (bound %lld, truth %lld) host %lld, depth "
                       "index %llu global %lld (bound %lld, truth %lld) host %lld",
                       (unsigned long long)rig_frameset_seq(set), d, (long long)(c - z),
                       (unsigned long long)rig_frame_index(fc),
                       (long long)rig_frame_global_ts_us(fc),
                       (long long)rig_frame_global_ts_bound_us(fc),
                       (long long)t[RIG_STREAM_COLOR].true_ts_us,
                       (long long)rig_frame_host_ts_us(fc), (unsigned long long)rig_frame_index(fz),
                       (long long)rig_frame_global_ts_us(fz),
                       (long long)rig_frame_global_ts_bound_us(fz),
                       (long long)t[RIG_STREAM_DEPTH].true_ts_us,
                       (long long)rig_frame_host_ts_us(fz));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rig_config_t *cfg = NULL;
    rig_error_t err = rig_config_parse(text, "fuzz.json", &cfg, NULL);
    free(text);
    if (err != RIG_OK)
        return 0;
    static run_t r;
    memset(&r, 0, sizeof r);
    r.ndev = rig_config_device_count(cfg);
    bool fits = r.ndev <= MAX_DEVICES;
    for (size_t i = 0; fits && i < r.ndev; i++) {
        FUZZ_CHECK(rig_config_device_sync(cfg, i, &r.cfg_sync[i]) == RIG_OK, "sync of %zu", i);
        fits = r.cfg_sync[i].frames_per_trigger <= MAX_FRAMES_PER_TRIGGER;
    }
    rig_stream_profile_t prof[RIG_STREAM_COUNT];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        prof[s] = rig_config_stream_profile(cfg, (rig_stream_t)s);
        r.fps[s] = prof[s].fps;
    }
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    rig_context_t *ctx = NULL;
    if (!fits || rig_context_create(&o, &ctx) != RIG_OK) {
        rig_config_destroy(cfg);
        return 0;
    }
    size_t ndev_ctx = 0;
    FUZZ_CHECK(rig_context_device_count(ctx, &ndev_ctx) == RIG_OK, "device count");
    rig_device_t *dev[MAX_DEVICES] = {0};
    size_t index[MAX_DEVICES];
    for (size_t i = 0; i < r.ndev; i++) {
        rig_device_t *d = NULL;
        if (rig_device_open(ctx, rig_config_device_serial(cfg, i), &d) != RIG_OK)
            continue;
        FUZZ_CHECK(rig_device_index(d) == r.nopen, "the %zuth device opened has index %zu",
                   r.nopen, rig_device_index(d));
        index[i] = r.nopen++;
        r.sync[index[i]] = r.cfg_sync[i];
        if (rig_device_set_sync_config(d, &r.cfg_sync[i], NULL) != RIG_OK)
            continue; /* refused (e.g. a mode the model lacks): stays open, not started */
        dev[i] = d;
    }
    size_t order[MAX_DEVICES];
    /* Secondaries first, pulse sources last, as `rigsync run` does. */
    size_t k = 0;
    for (int group = 0; group < 3; group++)
        for (size_t i = 0; i < r.ndev; i++) {
            rig_sync_mode_t m = r.cfg_sync[i].mode;
            int g = (m == RIG_SYNC_MODE_PRIMARY || m == RIG_SYNC_MODE_SOFTWARE_TRIGGERING) ? 2
                    : (m == RIG_SYNC_MODE_SECONDARY || m == RIG_SYNC_MODE_SECONDARY_SYNCED ||
                       m == RIG_SYNC_MODE_HARDWARE_TRIGGERING)
                        ? 0
                        : 1;
            if (g == group)
                order[k++] = i;
        }
    for (size_t j = 0; j < r.ndev; j++) {
        size_t i = order[j];
        if (dev[i] && rig_device_start(dev[i], &prof[RIG_STREAM_COLOR],
                                       &prof[RIG_STREAM_DEPTH]) == RIG_OK)
            r.started[index[i]] = true;
    }
    bool any = false;
    for (size_t i = 0; i < r.nopen; i++)
        any = any || r.started[i];
    if (!any) { /* framesets need a streaming device */
        FUZZ_CHECK(rig_context_enable_framesets(ctx, NULL) == RIG_ERROR_STATE, "no device");
        rig_context_destroy(ctx);
        rig_config_destroy(cfg);
        return 0;
    }
    /* Host clock sync as `rigsync run` does it (the config's interval, else every 60 s): the
     * clock-write path of the estimator is fuzzed too. */
    FUZZ_CHECK(rig_context_enable_clock_sync(ctx, rig_config_clock_sync_interval_ms(cfg)) == RIG_OK,
               "clock sync");
    FUZZ_CHECK(rig_context_set_unmatched_callback(ctx, on_unmatched, &r) == RIG_OK, "unmatched");
    FUZZ_CHECK(rig_context_set_frameset_callback(ctx, on_set, &r) == RIG_OK, "set callback");
    FUZZ_CHECK(rig_context_enable_framesets(ctx, NULL) == RIG_OK, "enable framesets");
    FUZZ_CHECK(rig_context_set_frame_callback(ctx, on_frame, &r) == RIG_OK, "frame callback");
    for (int64_t t = 0; t < RUN_US; t += STEP_US) {
        FUZZ_CHECK(rig_sim_advance_us(ctx, STEP_US) == RIG_OK, "advance at %lld us", (long long)t);
        /* One software trigger per device in SOFTWARE_TRIGGERING, halfway through. */
        for (size_t i = 0; t == RUN_US / 2 && i < r.ndev; i++)
            if (dev[i] && r.started[index[i]] &&
                r.cfg_sync[i].mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING)
                FUZZ_CHECK(rig_device_trigger(dev[i]) == RIG_OK, "trigger %zu", i);
    }
    FUZZ_CHECK(rig_context_flush_framesets(ctx) == RIG_OK, "flush");
    for (size_t i = 0; i < r.nopen; i++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const stream_state_t *ss = &r.st[i][s];
            FUZZ_CHECK(ss->delivered == ss->in_sets + ss->unmatched,
                       "device %zu %s: %llu frames delivered, %llu in sets, %llu unmatched", i,
                       rig_stream_name((rig_stream_t)s), (unsigned long long)ss->delivered,
                       (unsigned long long)ss->in_sets, (unsigned long long)ss->unmatched);
            /* 1 s at the configured rate, with room for crystals and sensors off nominal and
             * for the frames of one trigger arriving together. */
            uint64_t cap = (uint64_t)r.fps[s] * 3 / 2 + (uint64_t)r.sync[i].frames_per_trigger + 4;
            FUZZ_CHECK(ss->delivered <= cap, "device %zu %s: %llu frames in 1 s at %u fps", i,
                       rig_stream_name((rig_stream_t)s), (unsigned long long)ss->delivered,
                       r.fps[s]);
        }
    rig_context_destroy(ctx); /* closes every device still open */
    rig_config_destroy(cfg);
    return 0;
}

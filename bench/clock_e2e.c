/*
 * bench_clock's end-to-end scenario: the time line through the vendor's C API.
 *
 * rigsync's orbbec backend drives the emulator of the vendor SDK (librigsync-obemu.so) in
 * virtual time, exactly as it drives libOrbbecSDK.so on real cameras: it writes each device
 * clock itself (ob_device_timer_sync_with_host every 60 s), reads the clock two-way through
 * OB_STRUCT_DEVICE_TIME where the family allows it, and maps frames otherwise. Two rigs with the
 * simulator's default noise:
 *   two-way: 4 Femto Bolt, PRIMARY + 3 SECONDARY on a daisy chain;
 *   one-way: 4 Gemini 335 (OB_STRUCT_DEVICE_TIME internal to the SDK), PRIMARY + 3
 *            HARDWARE_TRIGGERING through a sync hub (a SECONDARY_SYNCED chain re-phases wrongly
 *            on some seeds in the simulator: issue 13).
 * Every frame carries the simulator's truth (passed along by the backend from the emulator),
 * so each method's error is measured against the true mid-exposure instant: system and device
 * timestamps, the vendor SDK's own global timestamp (the emulator runs the vendor's fitter, its
 * internal clock reads and refits included), and rigsync's global_ts_us. Cross-device spread:
 * colour frames of one capture (one pulse), rigsync's time line and the vendor's.
 */
#include "clock_e2e.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define E2E_DEVICES 4
#define HOST_ORIGIN_US 1700000000000000LL /* the simulator's virtual host clock at start */

enum { E_SYSTEM, E_DEVICE, E_VENDOR, E_RIGSYNC, E_METHODS };
static const char *e2e_method_names[E_METHODS] = {
    "(a) system timestamps (host arrival)",
    "(b) device ts (host sync every 60 s)",
    "(c) vendor SDK global timestamp",
    "(e) rigsync global_ts_us",
};

typedef struct capture_frame {
    int64_t truth, global, vendor;
    uint8_t dev;
} capture_frame_t;

typedef struct e2e_run {
    pthread_mutex_t lock;
    vec_t err[E_METHODS][E2E_DEVICES];
    size_t missing[E_METHODS];
    capture_frame_t *color; /* colour frames after the warm-up, for the spreads */
    size_t ncolor, capcolor;
    int64_t last_host_us;
    size_t frames, no_truth;
    unsigned writes, two_way;
} e2e_run_t;

static void e2e_frame(rig_frame_t *f, void *user)
{
    e2e_run_t *r = user;
    rig_sim_truth_t truth;
    bool have = rig_sim_frame_truth(f, &truth) == RIG_OK;
    size_t d = rig_frame_device_index(f);
    pthread_mutex_lock(&r->lock);
    r->frames++;
    r->last_host_us = rig_frame_host_ts_us(f);
    if (!have) {
        r->no_truth++;
    } else if (d < E2E_DEVICES && truth.true_ts_us - HOST_ORIGIN_US >= WARMUP_US) {
        int64_t t = truth.true_ts_us;
        int64_t v[E_METHODS] = {rig_frame_host_ts_us(f), rig_frame_device_ts_us(f),
                                rig_frame_vendor_global_ts_us(f), rig_frame_global_ts_us(f)};
        for (int m = 0; m < E_METHODS; m++) {
            if (v[m] == RIG_TS_NONE)
                r->missing[m]++;
            else
                vec_push(&r->err[m][d], v[m] - t);
        }
        if (rig_frame_stream(f) == RIG_STREAM_COLOR) {
            if (r->ncolor == r->capcolor) {
                r->capcolor = r->capcolor ? 2 * r->capcolor : 65536;
                r->color = realloc(r->color, r->capcolor * sizeof(*r->color));
                if (!r->color) {
                    fprintf(stderr, "bench_clock: out of memory\n");
                    exit(1);
                }
            }
            r->color[r->ncolor++] = (capture_frame_t){t, v[E_RIGSYNC], v[E_VENDOR], (uint8_t)d};
        }
    }
    pthread_mutex_unlock(&r->lock);
}

static void e2e_clock(const rig_clock_event_t *ev, void *user)
{
    e2e_run_t *r = user;
    pthread_mutex_lock(&r->lock);
    if (ev->kind == RIG_CLOCK_EVENT_WRITE)
        r->writes++;
    else
        r->two_way++;
    pthread_mutex_unlock(&r->lock);
}

static int cmp_truth(const void *a, const void *b)
{
    const capture_frame_t *x = a, *y = b;
    return (x->truth > y->truth) - (x->truth < y->truth);
}

/* Spread (max - min) of each complete capture's colour frames on rigsync's and the vendor's
 * time lines; a capture is the frames whose true instants lie within 1 ms. */
static void spreads(e2e_run_t *r, vec_t *rigsync, vec_t *vendor)
{
    qsort(r->color, r->ncolor, sizeof(*r->color), cmp_truth);
    for (size_t i = 0; i < r->ncolor;) {
        size_t j = i;
        while (j + 1 < r->ncolor && r->color[j + 1].truth - r->color[i].truth < 1000)
            j++;
        if (j - i + 1 == E2E_DEVICES) {
            int64_t gmin = INT64_MAX, gmax = INT64_MIN, vmin = INT64_MAX, vmax = INT64_MIN;
            bool gok = true, vok = true;
            for (size_t k = i; k <= j; k++) {
                const capture_frame_t *c = &r->color[k];
                gok = gok && c->global != RIG_TS_NONE;
                vok = vok && c->vendor != RIG_TS_NONE;
                gmin = c->global < gmin ? c->global : gmin;
                gmax = c->global > gmax ? c->global : gmax;
                vmin = c->vendor < vmin ? c->vendor : vmin;
                vmax = c->vendor > vmax ? c->vendor : vmax;
            }
            if (gok)
                vec_push(rigsync, gmax - gmin);
            if (vok)
                vec_push(vendor, vmax - vmin);
        }
        i = j + 1;
    }
}

/* One rig through the vendor API. Returns the rigsync spread p99 (NAN on failure). */
static double run_family(const char *label, const char *key, const char *model,
                         const char *follower, const char *wiring, const options_t *o,
                         results_t *res)
{
    char path[] = "/tmp/rigsync-bench-e2e-XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        fprintf(stderr, "bench_clock: cannot write a temporary config\n");
        return NAN;
    }
    fprintf(fp, "{\"devices\":[");
    for (int i = 0; i < E2E_DEVICES; i++)
        fprintf(fp, "%s{\"serial_number\":\"E2E%d\",\"config\":{\"mode\":\"%s\","
                    "\"trigger_out_enable\":true}}",
                i ? "," : "", i, i ? follower : "PRIMARY");
    fprintf(fp, "],\"clock_sync_interval_ms\":60000,\"sim\":{\"seed\":%" PRIu64
                ",\"pixels\":false,\"wiring\":\"%s\",\"devices\":[",
            o->seed, wiring);
    for (int i = 0; i < E2E_DEVICES; i++)
        fprintf(fp, "%s{\"serial_number\":\"E2E%d\",\"model\":\"%s\"}", i ? "," : "", i, model);
    fprintf(fp, "]}}");
    fclose(fp);

    double seconds = o->e2e_minutes * 60.0;
    char stop[32];
    snprintf(stop, sizeof stop, "%.0f", seconds + 2);
    setenv("RIGSYNC_OBEMU_CONFIG", path, 1);
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    setenv("RIGSYNC_OBEMU_PIXELS", "0", 1);
    setenv("RIGSYNC_OBEMU_STOP_AFTER_S", stop, 1);
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    rig_context_t *ctx = NULL;
    if (rig_config_load(path, &cfg, &diag) != RIG_OK) {
        fprintf(stderr, "bench_clock: %s\n", diag.message);
        unlink(path);
        return NAN;
    }
    rig_context_options_t co;
    rig_context_options_init(&co);
    co.backend = "orbbec";
    co.library = RIGSYNC_OBEMU_PATH;
    co.config = cfg;
    char detail[1024] = "";
    co.error_detail = detail;
    co.error_detail_len = sizeof detail;
    e2e_run_t *r = calloc(1, sizeof(*r));
    if (!r || rig_context_create(&co, &ctx) != RIG_OK) {
        fprintf(stderr, "bench_clock: the orbbec backend on the emulator: %s\n", detail);
        rig_config_destroy(cfg);
        unlink(path);
        free(r);
        return NAN;
    }
    pthread_mutex_init(&r->lock, NULL);
    rig_context_set_frame_callback(ctx, e2e_frame, r);
    rig_context_set_clock_event_callback(ctx, e2e_clock, r);
    rig_device_t *dev[E2E_DEVICES];
    bool ok = true;
    for (int i = 0; i < E2E_DEVICES && ok; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, (size_t)i, &sync);
        ok = rig_device_open(ctx, rig_config_device_serial(cfg, (size_t)i), &dev[i]) == RIG_OK &&
             rig_device_set_sync_config(dev[i], &sync, NULL) == RIG_OK;
    }
    for (int i = E2E_DEVICES; ok && i-- > 0;) /* the followers first, the primary last */
        ok = rig_device_start(dev[i], NULL, NULL) == RIG_OK;
    ok = ok && rig_context_enable_clock_sync(ctx, 60000) == RIG_OK;
    double wall0 = now_s();
    /* The emulated rig stops after `seconds`: wait for its last frames (real-time cap). */
    int64_t end_us = HOST_ORIGIN_US + (int64_t)((seconds - 0.5) * 1e6);
    while (ok && now_s() - wall0 < 1800) {
        struct timespec nap = {0, 50000000L};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&r->lock);
        bool done = r->last_host_us >= end_us;
        pthread_mutex_unlock(&r->lock);
        if (done)
            break;
    }
    double wall = now_s() - wall0;
    if (!ok) {
        char m[512];
        fprintf(stderr, "bench_clock: %s rig: %s\n", label, rig_context_last_error(ctx, m, sizeof m));
    }
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
    unlink(path);
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");

    printf("== scenario e2e, %s: 4 %s (PRIMARY + 3 %s, %s) through the vendor's C API on the "
           "emulator, %.0f min of virtual time, seed %" PRIu64 ", run in %.1f s\n",
           label, model, follower, wiring, o->e2e_minutes, o->seed, wall);
    printf("  the simulator's default noise; rigsync writes each clock every 60 s "
           "(%u writes announced), %u two-way clock reads; %zu frames (%zu without truth)\n\n",
           r->writes, r->two_way, r->frames, r->no_truth);
    printf("%-44s %12s %12s %12s %8s\n", "method (error vs true capture time)", "bias us",
           "jitter p99", "max |err|", "missing");
    stats_t st[E_METHODS];
    for (int m = 0; m < E_METHODS; m++) {
        st[m] = stats_of(r->err[m], E2E_DEVICES);
        printf("%-44s %12.1f %12.1f %12.1f %8zu\n", e2e_method_names[m], st[m].bias,
               st[m].jitter_p99, st[m].max_abs, r->missing[m]);
    }
    vec_t sp_rig = {0}, sp_vendor = {0};
    spreads(r, &sp_rig, &sp_vendor);
    double p99 = pct(&sp_rig, 0.99), vp99 = pct(&sp_vendor, 0.99);
    printf("\ncross-device spread of one capture (%zu complete captures), p99: rigsync global "
           "%.0f us (max %.0f us), vendor global %.0f us (max %.0f us)\n\n",
           sp_rig.len, p99, pct(&sp_rig, 1.0), vp99, pct(&sp_vendor, 1.0));
    result_add(res, "e2e_%s_spread_p99_us=%.0f e2e_%s_vendor_spread_p99_us=%.0f "
                    "e2e_%s_jitter_p99_us=%.1f",
               key, p99, key, vp99, key, st[E_RIGSYNC].jitter_p99);
    for (int m = 0; m < E_METHODS; m++)
        for (int d = 0; d < E2E_DEVICES; d++)
            free(r->err[m][d].v);
    free(sp_rig.v);
    free(sp_vendor.v);
    free(r->color);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return ok ? p99 : NAN;
}

int clock_e2e_run(const options_t *o, results_t *res)
{
    double a = run_family("two-way", "twoway", "Femto Bolt", "SECONDARY", "daisy_chain", o, res);
    double b = run_family("one-way", "oneway", "Gemini 335", "HARDWARE_TRIGGERING", "star", o,
                          res);
    return isnan(a) || isnan(b) ? 1 : 0;
}

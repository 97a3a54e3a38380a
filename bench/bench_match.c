/*
 * bench_match: rigsync's frameset matcher against ROS 1 message_filters ApproximateTime, fed
 * the very same frame streams in the same run.
 *
 * Streams: N devices (one stream each, so one input = one device, as ROS takes at most 9),
 * 30 fps captures; each frame's timestamp is the capture instant on a shared clock plus 10 us
 * of noise (global time), it arrives 10 ms + exp(300 us) later, 0.2 % of frames stall 5-50 ms,
 * a device's frames arrive in order; scenarios add drops and one device lagging 50 ms behind.
 * Ground truth: each frame's capture id.
 *
 * Reported per method: frames per second through the matcher (including the callbacks), timed
 * once around the whole loop (best of three passes, for both); the latency comes from another
 * pass with a clock read per add,
 * sets whose frames come from different captures (mixed), frames that arrived but are in no set
 * and were not reported (lost), and the latency from the add() of a set's last frame to its
 * emission. rigsync alone then runs 16 to 64 devices to show its cost per frame stays flat.
 *
 * usage: bench_match [--captures N] [--seed S]
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/match.h"
#ifdef RIGSYNC_HAVE_ROS
#include "peers/ros_approx.h"
#endif

#define PERIOD_US 33333.333

typedef struct bframe {
    int dev;
    uint64_t capture;
    int64_t ts_us, arrival_us;
} bframe_t;

typedef struct scenario {
    const char *name;
    int ndev;
    double drop;
    bool lagging;
    bool ros;
} scenario_t;

typedef struct result {
    uint64_t frames, sets, mixed, in_sets, reported, lost;
    double seconds, lat_p50, lat_p99;
} result_t;

static uint64_t rng_s;
static double uni(void)
{
    uint64_t z = (rng_s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static int cmp_arrival(const void *a, const void *b)
{
    const bframe_t *x = a, *y = b;
    if (x->arrival_us != y->arrival_us)
        return (x->arrival_us > y->arrival_us) - (x->arrival_us < y->arrival_us);
    return (x->dev > y->dev) - (x->dev < y->dev);
}

static bframe_t *make_stream(const scenario_t *sc, uint64_t captures, size_t *n)
{
    bframe_t *v = malloc((size_t)captures * (size_t)sc->ndev * sizeof(*v));
    if (!v)
        exit(1);
    int64_t last[64] = {0};
    size_t k = 0;
    for (uint64_t c = 0; c < captures; c++) {
        double t = 1e6 + (double)c * PERIOD_US;
        for (int d = 0; d < sc->ndev; d++) {
            double noise = (uni() - 0.5) * 20.0;
            double lat = 10000 - 300 * log1p(-uni());
            if (uni() < 0.002)
                lat += 5000 + 45000 * uni();
            if (sc->lagging && d == 0)
                lat += 50000;
            bool dropped = uni() < sc->drop;
            if (dropped)
                continue;
            int64_t arrival = (int64_t)(t + lat);
            if (arrival <= last[d])
                arrival = last[d] + 1; /* USB delivers a device's frames in order */
            last[d] = arrival;
            v[k++] = (bframe_t){d, c, (int64_t)(t + noise), arrival};
        }
    }
    qsort(v, k, sizeof(*v), cmp_arrival);
    *n = k;
    return v;
}

static double mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- rigsync ---- */

typedef struct rs_ctx {
    result_t *r;
    double before_add_us;
    double *lat;
    size_t nlat, cap_lat;
    bool time_each;
} rs_ctx_t;

static void rs_on_set(const rig_match_set_t *set, void *user)
{
    rs_ctx_t *x = user;
    if (x->time_each) {
        if (set->filled == set->nslots && x->nlat < x->cap_lat)
            x->lat[x->nlat++] = mono_us() - x->before_add_us;
        return;
    }
    x->r->sets++;
    uint64_t cap = UINT64_MAX;
    bool mixed = false;
    for (size_t k = 0; k < set->nslots; k++) {
        const bframe_t *f = set->slots[k].payload;
        if (!f)
            continue;
        x->r->in_sets++;
        if (cap == UINT64_MAX)
            cap = f->capture;
        else if (f->capture != cap)
            mixed = true;
    }
    x->r->mixed += mixed;
}

static void rs_on_unmatched(void *payload, rig_unmatched_reason_t reason, void *user)
{
    (void)payload;
    (void)reason;
    rs_ctx_t *x = user;
    if (!x->time_each)
        x->r->reported++;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One pass: counting with the whole loop timed once, or latency with a clock read per add. */
static double rigsync_pass(const scenario_t *sc, const bframe_t *v, size_t n, rs_ctx_t *x,
                           bool time_each)
{
    rig_match_slot_cfg_t cfg[64];
    for (int d = 0; d < sc->ndev; d++)
        cfg[d] = (rig_match_slot_cfg_t){true, PERIOD_US, 0};
    rig_match_t *m =
        rig_match_create(cfg, (size_t)sc->ndev, NULL, rs_on_set, rs_on_unmatched, x);
    if (!m)
        exit(1);
    x->time_each = time_each;
    double t0 = mono_us();
    for (size_t i = 0; i < n; i++) {
        if (time_each)
            x->before_add_us = mono_us();
        rig_match_add(m, (size_t)v[i].dev, v[i].ts_us, v[i].capture, v[i].arrival_us, false,
                      (void *)&v[i]);
    }
    rig_match_flush(m);
    double spent = mono_us() - t0;
    rig_match_destroy(m);
    return spent;
}

static void run_rigsync(const scenario_t *sc, const bframe_t *v, size_t n, result_t *r)
{
    memset(r, 0, sizeof(*r));
    rs_ctx_t x = {r, 0, malloc(n * sizeof(double)), 0, n, false};
    if (!x.lat)
        exit(1);
    /* Three throughput passes, the fastest counts (as for ROS); counts from the first. */
    double best = rigsync_pass(sc, v, n, &x, false);
    result_t counted = *r;
    for (int rep = 1; rep < 3; rep++) {
        result_t scratch = {0};
        x.r = &scratch;
        double t = rigsync_pass(sc, v, n, &x, false);
        best = t < best ? t : best;
    }
    x.r = r;
    counted.seconds = best / 1e6;
    rigsync_pass(sc, v, n, &x, true); /* latency only; the counts are the first pass's */
    *r = counted;
    r->frames = n;
    r->lost = n - r->in_sets - r->reported;
    qsort(x.lat, x.nlat, sizeof(double), cmp_d);
    if (x.nlat) {
        r->lat_p50 = x.lat[x.nlat / 2];
        r->lat_p99 = x.lat[(size_t)(0.99 * (double)(x.nlat - 1))];
    }
    free(x.lat);
}

#ifdef RIGSYNC_HAVE_ROS
static bool run_ros(const scenario_t *sc, const bframe_t *v, size_t n, result_t *r)
{
    memset(r, 0, sizeof(*r));
    ros_frame_t *rf = malloc(n * sizeof(*rf));
    if (!rf)
        exit(1);
    for (size_t i = 0; i < n; i++)
        rf[i] = (ros_frame_t){v[i].dev, v[i].ts_us, v[i].capture};
    ros_result_t out;
    int rc = ros_approx_run(rf, n, sc->ndev, 10, &out);
    free(rf);
    if (rc != 0)
        return false;
    r->frames = out.frames_in;
    r->sets = out.sets;
    r->mixed = out.mixed_sets;
    r->in_sets = out.frames_in_sets;
    r->lost = out.frames_lost;
    r->seconds = out.seconds;
    r->lat_p50 = out.latency_us_p50;
    r->lat_p99 = out.latency_us_p99;
    return true;
}
#endif

static void print_row(const char *scenario, const char *method, const result_t *r)
{
    printf("%-34s %-14s %12.0f %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
           " %10.2f %10.2f\n",
           scenario, method, r->seconds > 0 ? (double)r->frames / r->seconds : 0.0, r->sets,
           r->mixed, r->lost, r->reported, r->lat_p50, r->lat_p99);
}

int main(int argc, char **argv)
{
    uint64_t captures = 9000; /* 5 minutes at 30 fps */
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--captures") == 0 && i + 1 < argc)
            captures = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_match [--captures N] [--seed S]\n");
            return 2;
        }
    }
    static const scenario_t scenarios[] = {
        {"2 devices, 1% drops", 2, 0.01, false, true},
        {"9 devices, no drops", 9, 0.0, false, true},
        {"9 devices, 1% drops", 9, 0.01, false, true},
        {"9 devices, 1% drops, one lags 50 ms", 9, 0.01, true, true},
        {"16 devices, 1% drops", 16, 0.01, false, false},
        {"32 devices, 1% drops", 32, 0.01, false, false},
        {"64 devices, 1% drops", 64, 0.01, false, false},
    };
    printf("bench_match: %" PRIu64 " captures at 30 fps per scenario, seed %" PRIu64
           "; timestamps = capture + 10 us noise, arrival = capture + 10 ms + exp(300 us), "
           "0.2 %% stalls of 5-50 ms\n",
           captures, seed);
#ifndef RIGSYNC_HAVE_ROS
    printf("(ROS message_filters not found: run scripts/setup-bench.sh as root, then rebuild, "
           "for the side-by-side columns)\n");
#endif
    printf("\n%-34s %-14s %12s %8s %8s %8s %8s %10s %10s\n", "scenario", "method", "frames/s",
           "sets", "mixed", "lost", "reported", "lat p50us", "lat p99us");
    uint64_t mixed = 0, lost = 0, ros_mixed = 0, ros_lost = 0;
    double speedup = NAN, fps64 = 0;
    bool have_ros = false;
    for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
        const scenario_t *sc = &scenarios[s];
        rng_s = seed * 1000003u + s;
        size_t n;
        uint64_t caps = sc->ndev > 16 ? captures / 3 : captures;
        bframe_t *v = make_stream(sc, caps, &n);
        result_t rs;
        run_rigsync(sc, v, n, &rs);
        print_row(sc->name, "rigsync", &rs);
        mixed += rs.mixed;
        lost += rs.lost;
        if (sc->ndev == 64)
            fps64 = (double)rs.frames / rs.seconds;
#ifdef RIGSYNC_HAVE_ROS
        if (sc->ros) {
            result_t ro;
            if (run_ros(sc, v, n, &ro)) {
                have_ros = true;
                print_row("", "ROS approx", &ro);
                ros_mixed += ro.mixed;
                ros_lost += ro.lost;
                if (sc->ndev == 9 && sc->drop > 0 && !sc->lagging)
                    speedup = ((double)rs.frames / rs.seconds) / ((double)ro.frames / ro.seconds);
            }
        }
#endif
        free(v);
    }
    printf("\nmixed = sets holding frames of different captures; lost = frames that arrived but "
           "are in no set and were not reported; reported = rigsync's unmatched (late) frames; "
           "latency = from the add() of a complete set's last frame to its emission.\n");
    char ros_mixed_s[32] = "n/a", ros_lost_s[32] = "n/a";
    if (have_ros) {
        snprintf(ros_mixed_s, sizeof ros_mixed_s, "%" PRIu64, ros_mixed);
        snprintf(ros_lost_s, sizeof ros_lost_s, "%" PRIu64, ros_lost);
    }
    printf("RESULT speedup_vs_ros=%.1f mixed=%" PRIu64 " lost=%" PRIu64
           " ros_mixed=%s ros_lost=%s frames_per_s_64dev=%.0f\n",
           speedup, mixed, lost, ros_mixed_s, ros_lost_s, fps64);
    return 0;
}

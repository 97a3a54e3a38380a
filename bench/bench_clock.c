/*
 * bench_clock: how well each method puts device timestamps on the host time line.
 *
 * One simulated hardware-synced rig (1 PRIMARY + N-1 SECONDARY, daisy chain) runs for hours of
 * virtual time with the simulator's default (rough) noise and host timer sync every 60 s, as
 * the seed does. Every method sees the very same run:
 *   (a) system timestamps (host arrival),
 *   (b) device timestamps with host timer sync every 60 s (the seed's method),
 *   (c) the vendor's global-timestamp fit and (d) librealsense's global time, each fed the same
 *       two-way samples on its own polling schedule (bench/peers),
 *   (e) rigsync's global_ts_us.
 * Error = mapped time minus the true mid-exposure instant (simulator ground truth). Reported:
 * median (bias), p99 of |error - median| (jitter), max |error|.
 * Then the recorded stream of frames and clock events is replayed through fresh estimators to
 * time them alone (ns per frame).
 *
 * usage: bench_clock [--hours H] [--devices N] [--seed S] [--no-host-sync]
 * --no-host-sync runs the same rig without timer sync, where the fits are not disturbed by
 * clock writes (and raw device timestamps keep their power-on offsets).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock/clock.h"
#include "peers/peer_clock.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define MAX_DEVICES 16
#define WARMUP_US 60000000LL /* the first minute is start-up for every method: not scored */
#define NMETHODS 5
#define SEQ_SLOTS 256

enum { M_SYSTEM, M_DEVICE, M_VENDOR, M_REALSENSE, M_RIGSYNC };
static const char *method_names[NMETHODS] = {
    "(a) system timestamps (host arrival)",
    "(b) device ts (seed: host sync every 60 s)",
    "(c) vendor global timestamp (WLS fit)",
    "(d) librealsense global time",
    "(e) rigsync global_ts_us",
};

typedef struct vec {
    int64_t *v;
    size_t len, cap;
} vec_t;

static void vec_push(vec_t *v, int64_t x)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4096;
        v->v = realloc(v->v, v->cap * sizeof(*v->v));
        if (!v->v) {
            fprintf(stderr, "bench_clock: out of memory\n");
            exit(1);
        }
    }
    v->v[v->len++] = x;
}

/* Replay log: everything the estimators were told, in order. */
typedef struct logrec {
    uint8_t kind; /* 0 frame, 1 two-way, 2 write */
    uint8_t dev, stream;
    uint64_t index;
    int64_t a, b, c; /* frame: device_ts, host_ts, global; two-way: h1, d, h2; write: host */
} logrec_t;

typedef struct group {
    uint64_t seq;
    unsigned n;
    int64_t lo[3], hi[3]; /* system, device, global */
} group_t;

typedef struct bench {
    rig_context_t *ctx;
    size_t ndev;
    int64_t start_us;
    peer_clock_t *peers[MAX_DEVICES][2];
    vec_t err[NMETHODS];
    size_t missing[NMETHODS];
    vec_t spread[3];
    group_t groups[RIG_STREAM_COUNT][SEQ_SLOTS];
    logrec_t *log;
    size_t log_len, log_cap;
    size_t frames;
} bench_t;

static void log_add(bench_t *b, const logrec_t *r)
{
    if (b->log_len == b->log_cap) {
        b->log_cap = b->log_cap ? b->log_cap * 2 : 65536;
        b->log = realloc(b->log, b->log_cap * sizeof(*b->log));
        if (!b->log) {
            fprintf(stderr, "bench_clock: out of memory\n");
            exit(1);
        }
    }
    b->log[b->log_len++] = *r;
}

static void on_clock_event(const rig_clock_event_t *ev, void *user)
{
    bench_t *b = user;
    if (ev->kind == RIG_CLOCK_EVENT_TWO_WAY) {
        for (int k = 0; k < 2; k++) {
            peer_clock_t *p = b->peers[ev->device_index][k];
            if (ev->host_before_us >= peer_clock_next_poll_us(p))
                peer_clock_add_two_way(p, ev->host_before_us, ev->device_us, ev->host_after_us);
        }
        log_add(b, &(logrec_t){1, (uint8_t)ev->device_index, 0, 0, ev->host_before_us,
                                ev->device_us, ev->host_after_us});
    } else {
        log_add(b, &(logrec_t){2, (uint8_t)ev->device_index, 0, 0, ev->host_before_us, 0, 0});
    }
}

static void on_frame(rig_frame_t *f, void *user)
{
    bench_t *b = user;
    rig_sim_truth_t t;
    rig_sim_frame_truth(f, &t);
    size_t dev = rig_frame_device_index(f);
    int s = rig_frame_stream(f);
    int64_t dts = rig_frame_device_ts_us(f), host = rig_frame_host_ts_us(f);
    int64_t global = rig_frame_global_ts_us(f);
    log_add(b, &(logrec_t){0, (uint8_t)dev, (uint8_t)s, rig_frame_index(f), dts, host, global});
    b->frames++;
    int64_t mapped[NMETHODS] = {host, dts, RIG_TS_NONE, RIG_TS_NONE, global};
    for (int k = 0; k < 2; k++) {
        int64_t h;
        if (peer_clock_map(b->peers[dev][k], dts, &h))
            mapped[M_VENDOR + k] = h;
    }
    if (t.true_ts_us < b->start_us + WARMUP_US)
        return;
    for (int m = 0; m < NMETHODS; m++) {
        if (mapped[m] == RIG_TS_NONE)
            b->missing[m]++;
        else
            vec_push(&b->err[m], mapped[m] - t.true_ts_us);
    }
    /* One capture = one trigger pulse: its frames on every device, same stream, no delays. */
    group_t *g = &b->groups[s][t.trigger_seq % SEQ_SLOTS];
    if (g->seq != t.trigger_seq || g->n == 0) {
        memset(g, 0, sizeof(*g));
        g->seq = t.trigger_seq;
    }
    const int64_t v[3] = {host, dts, global};
    if (global == RIG_TS_NONE)
        return;
    for (int k = 0; k < 3; k++) {
        g->lo[k] = g->n ? (v[k] < g->lo[k] ? v[k] : g->lo[k]) : v[k];
        g->hi[k] = g->n ? (v[k] > g->hi[k] ? v[k] : g->hi[k]) : v[k];
    }
    if (++g->n == b->ndev)
        for (int k = 0; k < 3; k++)
            vec_push(&b->spread[k], g->hi[k] - g->lo[k]);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double bias, jitter_p99, max_abs;
} stats_t;

static stats_t stats_of(vec_t *v)
{
    stats_t st = {0, 0, 0};
    if (v->len == 0)
        return st;
    qsort(v->v, v->len, sizeof(int64_t), cmp_i64);
    int64_t med = v->v[v->len / 2];
    int64_t *dev = malloc(v->len * sizeof(int64_t));
    if (!dev)
        exit(1);
    for (size_t i = 0; i < v->len; i++) {
        dev[i] = llabs(v->v[i] - med);
        st.max_abs = fmax(st.max_abs, fabs((double)v->v[i]));
    }
    qsort(dev, v->len, sizeof(int64_t), cmp_i64);
    st.bias = (double)med;
    st.jitter_p99 = (double)dev[(size_t)(0.99 * (double)(v->len - 1))];
    free(dev);
    return st;
}

static double pct(vec_t *v, double q)
{
    if (v->len == 0)
        return NAN;
    qsort(v->v, v->len, sizeof(int64_t), cmp_i64);
    return (double)v->v[(size_t)(q * (double)(v->len - 1))];
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Replays the log through fresh estimators; returns ns per frame and checks they agree. */
static double replay_cost(const bench_t *b, const rig_device_info_t *infos, size_t *mismatch)
{
    rig_clock_t *c[MAX_DEVICES];
    for (size_t i = 0; i < b->ndev; i++) {
        rig_clock_params_t p;
        rig_clock_params_default(&p);
        p.timestamp_bits = infos[i].timestamp_bits == 32 ? 32 : 64;
        c[i] = rig_clock_create(&p);
    }
    *mismatch = 0;
    double t0 = now_s();
    for (size_t k = 0; k < b->log_len; k++) {
        const logrec_t *r = &b->log[k];
        if (r->kind == 1) {
            rig_clock_add_two_way(c[r->dev], r->a, r->b, r->c);
        } else if (r->kind == 2) {
            rig_clock_note_step(c[r->dev], r->a);
        } else {
            int64_t g = RIG_TS_NONE, bound;
            if (!rig_clock_frame(c[r->dev], r->stream, r->index, r->a, r->b, &g, &bound))
                g = RIG_TS_NONE;
            if (g != r->c)
                (*mismatch)++;
        }
    }
    double dt = now_s() - t0;
    for (size_t i = 0; i < b->ndev; i++)
        rig_clock_destroy(c[i]);
    return dt * 1e9 / (double)b->frames;
}

int main(int argc, char **argv)
{
    double hours = 2.0;
    size_t ndev = 4;
    uint64_t seed = 1;
    bool host_sync = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-host-sync") == 0) {
            host_sync = false;
            continue;
        }
        if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
            hours = atof(argv[++i]);
        else if (strcmp(argv[i], "--devices") == 0 && i + 1 < argc)
            ndev = (size_t)atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr,
                    "usage: bench_clock [--hours H] [--devices N] [--seed S] [--no-host-sync]\n");
            return 2;
        }
    }
    if (ndev < 2 || ndev > MAX_DEVICES || hours <= 0) {
        fprintf(stderr, "bench_clock: 2 to %d devices and a positive duration\n", MAX_DEVICES);
        return 2;
    }

    /* The rig: defaults everywhere (they are the rough ones of domain.md section 10). */
    char json[8192];
    size_t off = (size_t)snprintf(json, sizeof json, "{\"devices\":[");
    for (size_t i = 0; i < ndev; i++)
        off += (size_t)snprintf(json + off, sizeof json - off,
                                "%s{\"serial_number\":\"BENCH%03zu\",\"config\":{\"mode\":\"%s\","
                                "\"trigger_out_enable\":true}}",
                                i ? "," : "", i, i == 0 ? "PRIMARY" : "SECONDARY");
    snprintf(json + off, sizeof json - off, "],\"sim\":{\"seed\":%" PRIu64 ",\"pixels\":false}}",
             seed);
    rig_config_t *cfg;
    rig_config_diag_t diag;
    if (rig_config_parse(json, "bench", &cfg, &diag) != RIG_OK) {
        fprintf(stderr, "bench_clock: %s\n", diag.message);
        return 1;
    }
    static bench_t b;
    b.ndev = ndev;
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    if (rig_context_create(&o, &b.ctx) != RIG_OK)
        return 1;
    rig_device_t *devs[MAX_DEVICES];
    rig_device_info_t infos[MAX_DEVICES];
    double ppm[MAX_DEVICES];
    for (size_t i = 0; i < ndev; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, i, &sync);
        if (rig_device_open(b.ctx, rig_config_device_serial(cfg, i), &devs[i]) != RIG_OK ||
            rig_device_set_sync_config(devs[i], &sync, NULL) != RIG_OK)
            return 1;
        rig_device_get_info(devs[i], &infos[i]);
        rig_sim_device_ppm(b.ctx, i, &ppm[i]);
        for (int k = 0; k < 2; k++)
            b.peers[i][k] = peer_clock_create((peer_kind_t)k, infos[i].timestamp_bits);
    }
    rig_context_set_frame_callback(b.ctx, on_frame, &b);
    rig_context_set_clock_event_callback(b.ctx, on_clock_event, &b);
    for (size_t i = ndev; i-- > 0;) /* secondaries first, primary (0) last */
        rig_device_start(devs[i], NULL, NULL);
    if (host_sync)
        rig_context_enable_clock_sync(b.ctx, 60000);
    else
        method_names[M_DEVICE] = "(b) device ts (never synced)";
    rig_sim_now_us(b.ctx, &b.start_us);

    double wall0 = now_s();
    int64_t total_us = (int64_t)(hours * 3600e6);
    for (int64_t done = 0; done < total_us; done += 10000000)
        rig_sim_advance_us(b.ctx, 10000000);
    double wall = now_s() - wall0;

    printf("bench_clock: %zu devices (1 PRIMARY + %zu SECONDARY, daisy chain), %.1f h of virtual "
           "time, seed %" PRIu64 ", simulated in %.1f s\n",
           ndev, ndev - 1, hours, seed, wall);
    printf("  crystals (ppm at start, random walk 3 ppm/sqrt(h)):");
    for (size_t i = 0; i < ndev; i++)
        printf(" %+.1f", ppm[i]);
    printf("\n  %s; transport: floor 1000 us + exp(300 us), stalls 0.2 %% of 5-50 ms, drops "
           "0.2 %%\n",
           host_sync ? "host timer sync every 60 s (device lands 100-600 us behind)"
                     : "no host timer sync");
    printf("  two-way queries every 100 ms (+ a burst after each sync): legs 100 us + exp(50 us),"
           " fixed asymmetry up to +-15 us\n"
           "  %zu frames scored (the first %lld s excluded for every method)\n\n",
           b.err[M_RIGSYNC].len + b.missing[M_RIGSYNC], WARMUP_US / 1000000);
    printf("%-44s %12s %12s %12s %8s\n", "method (error vs true capture time)", "bias us",
           "jitter p99", "max |err|", "missing");
    stats_t st[NMETHODS];
    for (int m = 0; m < NMETHODS; m++) {
        st[m] = stats_of(&b.err[m]);
        printf("%-44s %12.1f %12.1f %12.1f %8zu\n", method_names[m], st[m].bias, st[m].jitter_p99,
               st[m].max_abs, b.missing[m]);
    }
    double sp_sys = pct(&b.spread[0], 0.99), sp_dev = pct(&b.spread[1], 0.99);
    double sp_glob = pct(&b.spread[2], 0.99), sp_glob_max = pct(&b.spread[2], 1.0);
    printf("\ncross-device spread of one capture (%zu complete captures), p99: system %.0f us, "
           "device %.0f us, rigsync global %.0f us (max %.0f us)\n",
           b.spread[2].len, sp_sys, sp_dev, sp_glob, sp_glob_max);
    size_t mismatch;
    double cost = replay_cost(&b, infos, &mismatch);
    printf("estimator cost: %.0f ns per frame (replay of %zu frames and %zu clock events; %zu "
           "differ from the live run)\n",
           cost, b.frames, b.log_len - b.frames, mismatch);

    double best_fit = fmin(st[M_VENDOR].jitter_p99, st[M_REALSENSE].jitter_p99);
    double jit = st[M_RIGSYNC].jitter_p99 > 0 ? st[M_RIGSYNC].jitter_p99 : 1.0;
    printf("RESULT jitter_p99_us=%.1f bias_us=%.1f ratio_vs_seed=%.1f ratio_vs_best_fit=%.1f "
           "spread_p99_us=%.0f cost_ns_per_frame=%.0f\n",
           st[M_RIGSYNC].jitter_p99, st[M_RIGSYNC].bias, st[M_DEVICE].jitter_p99 / jit,
           best_fit / jit, sp_glob, cost);

    for (size_t i = 0; i < ndev; i++) {
        for (int k = 0; k < 2; k++)
            peer_clock_destroy(b.peers[i][k]);
        rig_device_close(devs[i]);
    }
    rig_context_destroy(b.ctx);
    rig_config_destroy(cfg);
    for (int m = 0; m < NMETHODS; m++)
        free(b.err[m].v);
    for (int k = 0; k < 3; k++)
        free(b.spread[k].v);
    free(b.log);
    return mismatch == 0 ? 0 : 1;
}

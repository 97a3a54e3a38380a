/*
 * bench_clock: how well each method puts device timestamps on the host time line.
 *
 * A list of scenarios; each runs one simulated hardware-synced rig (1 PRIMARY + N-1 SECONDARY,
 * daisy chain) for hours of virtual time with host timer sync every 60 s, as the seed does,
 * prints one table with every method side by side on the very same run, and adds its figures to
 * one RESULT line:
 *   default - the simulator's default noise (domain.md section 10);
 *   harsh   - crystals up to 390 ppm, a different transport floor and query leg per device,
 *             up to 50 us of unknown leg asymmetry, 1 % stalls, rigsync's time queries only
 *             every second.
 * Methods:
 *   (a) system timestamps (host arrival),
 *   (b) device timestamps with host timer sync every 60 s (the seed's method),
 *   (c) the vendor SDK's global-timestamp fitter and (d) librealsense's global time
 *       (bench/peers), each taking its own two-way clock reads on its own schedule, as the real
 *       SDKs do, over a query link with the scenario's statistics, and told of each clock write
 *       the moment the SDK doing it would know,
 *   (e) rigsync's global_ts_us (the library's estimator fed by the simulated backend).
 * Error = mapped time minus the true mid-exposure instant (simulator ground truth). Reported:
 * median (bias), p99 of |error - median| (jitter), max |error|.
 * Then the recorded stream of frames and clock events is replayed through fresh estimators to
 * time them alone (ns per frame).
 *
 *   e2e     - through the vendor's C API (the orbbec backend on the emulator): 4 Femto Bolt
 *             (device clocks read two-way) and 4 Gemini 335 (frames only), clock_e2e.c.
 *
 * usage: bench_clock [--scenario default|harsh|e2e] [--hours H] [--devices N] [--seed S]
 *                    [--no-host-sync] [--e2e-minutes M]
 * Without --scenario every scenario runs. --no-host-sync runs the rigs without timer sync.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock/clock.h"
#include "clock_common.h"
#include "clock_e2e.h"
#include "peers/peer_clock.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define NMETHODS 5
#define NPEERS 2
#define SEQ_SLOTS 256
/* The run advances the rig at most this far at once, so a peer's read scheduled 50 ms after a
 * clock write (the vendor SDK's refit) is never overtaken by the step the write fell into. */
#define MAX_STEP_US 40000LL

enum { M_SYSTEM, M_DEVICE, M_VENDOR, M_REALSENSE, M_RIGSYNC };
static const char *method_names[NMETHODS] = {
    "(a) system timestamps (host arrival)",
    "(b) device ts (seed: host sync every 60 s)",
    "(c) vendor global timestamp (v2.9.3 fitter)",
    "(d) librealsense global time",
    "(e) rigsync global_ts_us",
};

/* ---- Scenario parameters: everything written into the rig's config, printed as run ---- */

typedef struct rig_params {
    double ppm[MAX_DEVICES];      /* NAN: the simulator draws 20-200 ppm */
    int64_t floor_us[MAX_DEVICES]; /* transport latency floor */
    int64_t leg_us[MAX_DEVICES];   /* two-way query leg */
    int64_t tail_us;               /* exponential tail of the transport latency (mean) */
    double stall_prob;
    int64_t stall_min_us, stall_max_us;
    double drop_prob;
    int64_t query_interval_ms; /* rigsync's two-way queries */
    int64_t leg_tail_us;       /* exponential tail of each query leg (mean) */
    int64_t asym_max_us;       /* each leg is off by up to this, fixed per device */
} rig_params_t;

static void params_default(rig_params_t *p, size_t ndev)
{
    /* domain.md section 10 (and the simulator's defaults). */
    for (size_t i = 0; i < ndev; i++) {
        p->ppm[i] = NAN;
        p->floor_us[i] = 1000;
        p->leg_us[i] = 100;
    }
    p->tail_us = 300;
    p->stall_prob = 0.002;
    p->stall_min_us = 5000;
    p->stall_max_us = 50000;
    p->drop_prob = 0.002;
    p->query_interval_ms = 100;
    p->leg_tail_us = 50;
    p->asym_max_us = 15;
}

static void params_harsh(rig_params_t *p, size_t ndev)
{
    params_default(p, ndev);
    /* Crystals at the edge of what real ones do, both signs; floors and legs differ per device
     * (cables, hubs, controllers) and spread evenly over their ranges. */
    static const double ppm[8] = {390, -340, 270, -390, 150, -220, 330, -60};
    for (size_t i = 0; i < ndev; i++) {
        double f = ndev > 1 ? (double)i / (double)(ndev - 1) : 0.0;
        p->ppm[i] = ppm[i % 8];
        p->floor_us[i] = 800 + (int64_t)llround(f * 1700.0);
        p->leg_us[i] = 80 + (int64_t)llround(f * 120.0);
    }
    p->stall_prob = 0.01;
    p->query_interval_ms = 1000;
    p->asym_max_us = 50;
}



typedef struct scenario {
    const char *name;
    const char *key_prefix; /* of its RESULT keys */
    void (*params)(rig_params_t *p, size_t ndev);
    int (*run)(const struct scenario *sc, const options_t *o, results_t *res);
} scenario_t;

/* ---- One simulated run ---- */


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

/* The peers' own query link to one device: fixed legs (the scenario's leg plus an unknown
 * asymmetry), each with an exponential tail. */
typedef struct link {
    double leg_out_us, leg_back_us, tail_us;
} link_t;

typedef struct bench {
    rig_context_t *ctx;
    size_t ndev;
    int64_t start_us;
    peer_clock_t *peers[MAX_DEVICES][NPEERS];
    link_t links[MAX_DEVICES];
    uint64_t rng;
    vec_t err[NMETHODS][MAX_DEVICES];
    size_t missing[NMETHODS];
    vec_t spread[3];
    group_t groups[RIG_STREAM_COUNT][SEQ_SLOTS];
    logrec_t *log;
    size_t log_len, log_cap;
    size_t frames, frames_scored;
} bench_t;

static double rng_u01(uint64_t *s)
{
    /* splitmix64: a fixed, seedable stream for the peers' link; independent of the simulator. */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_exp(uint64_t *s, double mean)
{
    return mean > 0 ? -mean * log(rng_u01(s)) : 0.0;
}

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
        log_add(b, &(logrec_t){1, (uint8_t)ev->device_index, 0, 0, ev->host_before_us,
                                ev->device_us, ev->host_after_us});
    } else {
        /* The SDK that writes the clock knows it at once: the vendor refits, librealsense
         * has nothing to do. */
        for (int k = 0; k < NPEERS; k++)
            peer_clock_note_write(b->peers[ev->device_index][k], ev->host_before_us);
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
    for (int k = 0; k < NPEERS; k++) {
        int64_t h;
        if (peer_clock_map(b->peers[dev][k], dts, &h))
            mapped[M_VENDOR + k] = h;
    }
    if (t.true_ts_us < b->start_us + WARMUP_US)
        return;
    b->frames_scored++;
    for (int m = 0; m < NMETHODS; m++) {
        if (mapped[m] == RIG_TS_NONE)
            b->missing[m]++;
        else
            vec_push(&b->err[m][dev], mapped[m] - t.true_ts_us);
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

/* Advances the rig to host time `to`, giving each peer the clock reads it asks for on the way:
 * a read asked for at P leaves the host at P, reads the device clock one outbound leg later and
 * is back one return leg after that. */
static void advance_to(bench_t *b, int64_t now, int64_t to)
{
    while (now < to) {
        int64_t target = now + MAX_STEP_US < to ? now + MAX_STEP_US : to;
        /* The earliest read any peer asks for; its legs are drawn once it is taken. */
        size_t pd = 0;
        int pk = -1;
        int64_t sent_at = INT64_MAX;
        for (size_t i = 0; i < b->ndev; i++)
            for (int k = 0; k < NPEERS; k++) {
                int64_t p = peer_clock_next_poll_us(b->peers[i][k]);
                p = p < now ? now : p;
                if (p < sent_at) {
                    sent_at = p;
                    pd = i;
                    pk = k;
                }
            }
        int64_t read_at = INT64_MAX;
        double back = 0;
        if (pk >= 0 && sent_at < target) {
            const link_t *l = &b->links[pd];
            read_at = sent_at + (int64_t)llround(l->leg_out_us + rng_exp(&b->rng, l->tail_us));
            back = l->leg_back_us + rng_exp(&b->rng, l->tail_us);
        }
        if (pk < 0 || read_at > target) {
            rig_sim_advance_us(b->ctx, target - now);
            now = target;
            continue;
        }
        rig_sim_advance_us(b->ctx, read_at - now);
        now = read_at;
        int64_t d;
        rig_sim_device_clock_us(b->ctx, pd, &d);
        peer_clock_add_two_way(b->peers[pd][pk], sent_at, d, read_at + (int64_t)llround(back));
    }
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

static size_t config_json(char *json, size_t cap, const rig_params_t *p, const options_t *o)
{
    size_t off = (size_t)snprintf(json, cap, "{\"devices\":[");
    for (size_t i = 0; i < o->ndev; i++)
        off += (size_t)snprintf(json + off, cap - off,
                                "%s{\"serial_number\":\"BENCH%03zu\",\"config\":{\"mode\":\"%s\","
                                "\"trigger_out_enable\":true}}",
                                i ? "," : "", i, i == 0 ? "PRIMARY" : "SECONDARY");
    off += (size_t)snprintf(json + off, cap - off,
                            "],\"sim\":{\"seed\":%" PRIu64 ",\"pixels\":false,\"devices\":[",
                            o->seed);
    for (size_t i = 0; i < o->ndev; i++) {
        off += (size_t)snprintf(json + off, cap - off, "%s{\"serial_number\":\"BENCH%03zu\"",
                                i ? "," : "", i);
        if (!isnan(p->ppm[i]))
            off += (size_t)snprintf(json + off, cap - off, ",\"ppm\":%.1f", p->ppm[i]);
        off += (size_t)snprintf(json + off, cap - off,
                                ",\"latency_floor_us\":%" PRId64 ",\"query_leg_us\":%" PRId64 "}",
                                p->floor_us[i], p->leg_us[i]);
    }
    off += (size_t)snprintf(
        json + off, cap - off,
        "],\"transport\":{\"latency_tail_mean_us\":%" PRId64 ",\"stall_probability\":%g,"
        "\"stall_min_us\":%" PRId64 ",\"stall_max_us\":%" PRId64 ",\"drop_probability\":%g},"
        "\"time_query\":{\"interval_ms\":%" PRId64 ",\"leg_tail_mean_us\":%" PRId64
        ",\"asymmetry_max_us\":%" PRId64 "}}}",
        p->tail_us, p->stall_prob, p->stall_min_us, p->stall_max_us, p->drop_prob,
        p->query_interval_ms, p->leg_tail_us, p->asym_max_us);
    return off;
}

static void print_params(const scenario_t *sc, const options_t *o, const rig_params_t *p,
                         const double *ppm, double wall)
{
    printf("== scenario %s: %zu devices (1 PRIMARY + %zu SECONDARY, daisy chain), %.1f h of "
           "virtual time, seed %" PRIu64 ", simulated in %.1f s\n",
           sc->name, o->ndev, o->ndev - 1, o->hours, o->seed, wall);
    printf("  crystals (ppm at start, random walk 3 ppm/sqrt(h)):");
    for (size_t i = 0; i < o->ndev; i++)
        printf(" %+.1f", ppm[i]);
    printf("\n  transport: latency floor");
    for (size_t i = 0; i < o->ndev; i++)
        printf(" %" PRId64, p->floor_us[i]);
    printf(" us + exp(%" PRId64 " us), stalls %.1f %% of %.0f-%.0f ms, drops %.1f %%\n",
           p->tail_us, p->stall_prob * 100, (double)p->stall_min_us / 1000,
           (double)p->stall_max_us / 1000, p->drop_prob * 100);
    printf("  %s\n", o->host_sync ? "host timer sync every 60 s (device lands 100-600 us behind)"
                                  : "no host timer sync");
    printf("  two-way queries: legs");
    for (size_t i = 0; i < o->ndev; i++)
        printf(" %" PRId64, p->leg_us[i]);
    printf(" us + exp(%" PRId64 " us) each, fixed unknown asymmetry up to +-%" PRId64
           " us per leg;\n    rigsync's every %" PRId64
           " ms (+ a burst after each sync), the peers' on their own schedules\n",
           p->leg_tail_us, p->asym_max_us, p->query_interval_ms);
}

static int run_rig(const scenario_t *sc, const options_t *o, results_t *res)
{
    rig_params_t p;
    sc->params(&p, o->ndev);
    char json[8192];
    config_json(json, sizeof json, &p, o);
    rig_config_t *cfg;
    rig_config_diag_t diag;
    if (rig_config_parse(json, "bench", &cfg, &diag) != RIG_OK) {
        fprintf(stderr, "bench_clock: %s\n", diag.message);
        return 1;
    }
    bench_t *b = calloc(1, sizeof *b);
    if (!b)
        return 1;
    b->ndev = o->ndev;
    b->rng = o->seed * 0x2545F4914F6CDD1Dull + 1;
    rig_context_options_t co;
    rig_context_options_init(&co);
    co.config = cfg;
    co.time_mode = RIG_TIME_VIRTUAL;
    co.pixels = false;
    if (rig_context_create(&co, &b->ctx) != RIG_OK)
        return 1;
    rig_device_t *devs[MAX_DEVICES];
    rig_device_info_t infos[MAX_DEVICES];
    double ppm[MAX_DEVICES];
    for (size_t i = 0; i < o->ndev; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, i, &sync);
        if (rig_device_open(b->ctx, rig_config_device_serial(cfg, i), &devs[i]) != RIG_OK ||
            rig_device_set_sync_config(devs[i], &sync, NULL) != RIG_OK)
            return 1;
        rig_device_get_info(devs[i], &infos[i]);
        rig_sim_device_ppm(b->ctx, i, &ppm[i]);
        for (int k = 0; k < NPEERS; k++)
            b->peers[i][k] = peer_clock_create((peer_kind_t)k, infos[i].timestamp_bits);
        /* The peers' link has the scenario's statistics; its asymmetry is a draw of its own
         * (unknown to every method alike: it shows as bias, not as jitter). */
        double a = (double)p.asym_max_us;
        b->links[i].leg_out_us = (double)p.leg_us[i] + a * (2 * rng_u01(&b->rng) - 1);
        b->links[i].leg_back_us = (double)p.leg_us[i] + a * (2 * rng_u01(&b->rng) - 1);
        b->links[i].tail_us = (double)p.leg_tail_us;
    }
    rig_context_set_frame_callback(b->ctx, on_frame, b);
    rig_context_set_clock_event_callback(b->ctx, on_clock_event, b);
    for (size_t i = o->ndev; i-- > 0;) /* secondaries first, primary (0) last */
        rig_device_start(devs[i], NULL, NULL);
    method_names[M_DEVICE] = o->host_sync ? "(b) device ts (seed: host sync every 60 s)"
                                          : "(b) device ts (never synced)";
    if (o->host_sync)
        rig_context_enable_clock_sync(b->ctx, 60000);
    rig_sim_now_us(b->ctx, &b->start_us);

    double wall0 = now_s();
    advance_to(b, b->start_us, b->start_us + (int64_t)(o->hours * 3600e6));
    double wall = now_s() - wall0;

    print_params(sc, o, &p, ppm, wall);
    printf("  %zu frames scored (the first %lld s excluded for every method)\n\n",
           b->frames_scored, WARMUP_US / 1000000);
    printf("%-44s %12s %12s %12s %8s\n", "method (error vs true capture time)", "bias us",
           "jitter p99", "max |err|", "missing");
    stats_t st[NMETHODS];
    for (int m = 0; m < NMETHODS; m++) {
        st[m] = stats_of(b->err[m], o->ndev);
        printf("%-44s %12.1f %12.1f %12.1f %8zu\n", method_names[m], st[m].bias,
               st[m].jitter_p99, st[m].max_abs, b->missing[m]);
    }
    double sp_sys = pct(&b->spread[0], 0.99), sp_dev = pct(&b->spread[1], 0.99);
    double sp_glob = pct(&b->spread[2], 0.99), sp_glob_max = pct(&b->spread[2], 1.0);
    printf("\ncross-device spread of one capture (%zu complete captures), p99: system %.0f us, "
           "device %.0f us, rigsync global %.0f us (max %.0f us)\n",
           b->spread[2].len, sp_sys, sp_dev, sp_glob, sp_glob_max);
    size_t mismatch;
    double cost = replay_cost(b, infos, &mismatch);
    printf("estimator cost: %.0f ns per frame (replay of %zu frames and %zu clock events; %zu "
           "differ from the live run)\n",
           cost, b->frames, b->log_len - b->frames, mismatch);
    double best_fit = fmin(st[M_VENDOR].jitter_p99, st[M_REALSENSE].jitter_p99);
    double jit = st[M_RIGSYNC].jitter_p99 > 0 ? st[M_RIGSYNC].jitter_p99 : 1.0;
    printf("rigsync vs the better peer: %.1fx lower jitter p99\n\n", best_fit / jit);

    result_add(res, "%sjitter_p99_us=%.1f", sc->key_prefix, st[M_RIGSYNC].jitter_p99);
    result_add(res, "%sbias_us=%.1f", sc->key_prefix, st[M_RIGSYNC].bias);
    result_add(res, "%sratio_vs_best_fit=%.1f", sc->key_prefix, best_fit / jit);
    result_add(res, "%sspread_p99_us=%.0f", sc->key_prefix, sp_glob);
    if (cost > res->cost_ns)
        res->cost_ns = cost;

    for (size_t i = 0; i < o->ndev; i++) {
        for (int k = 0; k < NPEERS; k++)
            peer_clock_destroy(b->peers[i][k]);
        rig_device_close(devs[i]);
    }
    rig_context_destroy(b->ctx);
    rig_config_destroy(cfg);
    for (int m = 0; m < NMETHODS; m++)
        for (size_t i = 0; i < o->ndev; i++)
            free(b->err[m][i].v);
    for (int k = 0; k < 3; k++)
        free(b->spread[k].v);
    free(b->log);
    free(b);
    return mismatch == 0 ? 0 : 1;
}

/* Every scenario, in RESULT order. Another one (through the vendor API on the emulator, say)
 * is one more entry here with its own run function adding its own keys. */
static int run_e2e(const scenario_t *sc, const options_t *o, results_t *res)
{
    (void)sc;
    return clock_e2e_run(o, res);
}

static const scenario_t scenarios[] = {
    {"default", "", params_default, run_rig},
    {"harsh", "harsh_", params_harsh, run_rig},
    {"e2e", "e2e_", NULL, run_e2e},
};

int main(int argc, char **argv)
{
    options_t o = {2.0, 4, 1, true, 10.0};
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-host-sync") == 0) {
            o.host_sync = false;
            continue;
        }
        if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
            o.hours = atof(argv[++i]);
        else if (strcmp(argv[i], "--devices") == 0 && i + 1 < argc)
            o.ndev = (size_t)atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            o.seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--e2e-minutes") == 0 && i + 1 < argc)
            o.e2e_minutes = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_clock [--scenario default|harsh|e2e] [--hours H] "
                            "[--devices N] [--seed S] [--no-host-sync] [--e2e-minutes M]\n");
            return 2;
        }
    }
    if (o.ndev < 2 || o.ndev > MAX_DEVICES || o.hours <= 0) {
        fprintf(stderr, "bench_clock: 2 to %d devices and a positive duration\n", MAX_DEVICES);
        return 2;
    }
    size_t nsc = sizeof scenarios / sizeof scenarios[0], ran = 0;
    results_t res = {.len = 0};
    for (size_t k = 0; k < nsc; k++) {
        if (only && strcmp(only, scenarios[k].name) != 0)
            continue;
        ran++;
        if (scenarios[k].run(&scenarios[k], &o, &res) != 0)
            res.failed = true;
    }
    if (ran == 0) {
        fprintf(stderr, "bench_clock: no scenario \"%s\" (default, harsh, e2e)\n", only);
        return 2;
    }
    printf("RESULT%.*s cost_ns_per_frame=%.0f\n", (int)res.len, res.line, res.cost_ns);
    return res.failed ? 1 : 0;
}

/*
 * sim.anchor "monotonic" and sim.host_clock "realtime": the simulator features that let several
 * simulated hosts (several rigs, one per process, on one machine) form one hardware-synced rig.
 *  - anchored pulse trains: a PRIMARY in one rig and a signal generator at that primary's true
 *    rate in another rig, created apart in real time, tick at the same CLOCK_MONOTONIC instants
 *    with the same trigger_seq (the absolute multiple of the period);
 *  - the host clock follows CLOCK_REALTIME (also a virtual one, under tests/clockshim: then the
 *    environment says which offset and skew it has, see test_sim_anchor_shim.sh);
 *  - the config errors of both.
 * Expectations come from the physics (periods, cable delay, trigger-to-image delay, exposure).
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define FPS 30
#define EXPOSURE_US 8000
#define PRIMARY_PPM 37.5
#define PRIMARY_RATE_PPM 120.0
#define CABLE_NS 50
#define T2I_US 100 /* the secondary's trigger_to_image_delay_us */

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */

/* JSON written with single quotes (readable in C), turned into double quotes. */
static char *json_of(const char *fmt, ...)
{
    char *buf = malloc(8192);
    assert_non_null(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, 8192, fmt, ap);
    va_end(ap);
    for (char *c = buf; *c; c++)
        if (*c == '\'')
            *c = '"';
    return buf;
}

static rig_config_t *parse_ok(const char *json)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    if (rig_config_parse(json, "test.json", &cfg, &d) != RIG_OK)
        fail_msg("config rejected: %s:%d:%d %s: %s", d.file, d.line, d.column, d.field, d.message);
    return cfg;
}

static rig_config_diag_t parse_bad(const char *json)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t d;
    memset(&d, 0, sizeof d);
    assert_int_equal(rig_config_parse(json, "test.json", &cfg, &d), RIG_ERROR_CONFIG);
    assert_null(cfg);
    return d;
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" not found in \"%s\"", part, text);
}

/* The period of a free-running device on the host clock (as the simulator computes it). */
static double device_period_ns(double fps, double ppm, double rate_ppm)
{
    return 1e9 / fps / (1.0 + ppm * 1e-6) / (1.0 + rate_ppm * 1e-6);
}

/* The rate a generator must run at to replay that device's pulse train. */
static double device_hz(double fps, double ppm, double rate_ppm)
{
    return fps * (1.0 + ppm * 1e-6) * (1.0 + rate_ppm * 1e-6);
}

/* A rig of one context: its devices opened, configured and started (secondaries first). */
typedef struct rig {
    rig_config_t *cfg;
    rig_context_t *ctx;
    rig_device_t *dev[4];
    size_t n;
    int64_t created_mono_us;
} rig_t;

static void rig_up(rig_t *r, const char *json, rig_time_mode_t mode)
{
    memset(r, 0, sizeof *r);
    r->cfg = parse_ok(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r->cfg;
    o.time_mode = mode;
    o.pixels = false;
    o.queue_capacity = 100000;
    char why[512] = "";
    o.error_detail = why;
    o.error_detail_len = sizeof why;
    r->created_mono_us = rig_monotonic_us();
    if (rig_context_create(&o, &r->ctx) != RIG_OK)
        fail_msg("rig_context_create: %s", why);
    r->n = rig_config_device_count(r->cfg);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(rig_device_open(r->ctx, rig_config_device_serial(r->cfg, i), &r->dev[i]),
                         RIG_OK);
        rig_sync_config_t s;
        assert_int_equal(rig_config_device_sync(r->cfg, i, &s), RIG_OK);
        assert_int_equal(rig_device_set_sync_config(r->dev[i], &s, NULL), RIG_OK);
    }
    rig_stream_profile_t c = rig_config_stream_profile(r->cfg, RIG_STREAM_COLOR);
    rig_stream_profile_t d = rig_config_stream_profile(r->cfg, RIG_STREAM_DEPTH);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->n; i++) {
            rig_sync_config_t s;
            rig_config_device_sync(r->cfg, i, &s);
            if ((s.mode == RIG_SYNC_MODE_PRIMARY) == (pass == 1))
                assert_int_equal(rig_device_start(r->dev[i], &c, &d), RIG_OK);
        }
}

static void rig_down(rig_t *r)
{
    rig_context_destroy(r->ctx);
    rig_config_destroy(r->cfg);
}

typedef struct rec {
    char serial[32];
    rig_stream_t stream;
    int64_t host_ts;
    rig_sim_truth_t truth;
} rec_t;

typedef struct recs {
    rec_t *v;
    size_t n, cap;
} recs_t;

static void keep(recs_t *rs, rig_frame_t *f)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
        assert_non_null(rs->v);
    }
    rec_t *r = &rs->v[rs->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->serial, sizeof r->serial, "%s", rig_frame_serial(f));
    r->stream = rig_frame_stream(f);
    r->host_ts = rig_frame_host_ts_us(f);
    assert_int_equal(rig_sim_frame_truth(f, &r->truth), RIG_OK);
}

/* Pulls the frames of several real-time rigs until `until_mono_us` (CLOCK_MONOTONIC). */
static void pull_real(rig_t **rigs, recs_t **out, size_t n, int64_t until_mono_us)
{
    while (rig_monotonic_us() < until_mono_us)
        for (size_t i = 0; i < n; i++) {
            rig_frame_t *f = NULL;
            rig_error_t err = rig_context_wait_frame(rigs[i]->ctx, 5, &f);
            if (err == RIG_OK) {
                keep(out[i], f);
                rig_frame_release(f);
            } else {
                assert_int_equal(err, RIG_ERROR_TIMEOUT);
            }
        }
}

static const rec_t *find_seq(const recs_t *rs, const char *serial, rig_stream_t s, uint64_t seq)
{
    const rec_t *hit = NULL;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->v[i].stream == s && rs->v[i].truth.trigger_seq == seq &&
            strcmp(rs->v[i].serial, serial) == 0) {
            assert_null(hit); /* one frame per pulse and stream */
            hit = &rs->v[i];
        }
    return hit;
}

#define COMMON_SIM                                                                              \
    "'anchor': 'monotonic', 'drift_walk_ppm_per_sqrt_hour': 0, 'exposure_us': {'color': 8000, " \
    "'depth': 8000}, 'transport': {'drop_probability': 0, 'stall_probability': 0}, "           \
    "'cable_delay_ns': 50, 'wiring': 'none'"

/* Host A: a PRIMARY with its crystal. */
static char *config_primary(void)
{
    return json_of("{'devices': [{'sn': 'PRIM0001', 'config': {'mode': 'PRIMARY', "
                   "'trigger_out_enable': true}}], 'sim': {'devices': [{'sn': 'PRIM0001', "
                   "'ppm': %.17g, 'rate_offset_ppm': %.17g}], " COMMON_SIM "}}",
                   PRIMARY_PPM, PRIMARY_RATE_PPM);
}

/* Host B: a signal generator at the primary's true rate into a SECONDARY (its own crystal). */
static char *config_secondary(void)
{
    return json_of("{'devices': [{'sn': 'SECO0002', 'config': {'mode': 'SECONDARY', "
                   "'trigger_to_image_delay_us': %d}}], 'sim': {'devices': [{'sn': 'SECO0002', "
                   "'ppm': -80}], 'signal_generator': {'hz': %.17g, 'to': ['SECO0002']}, "
                   COMMON_SIM "}}",
                   T2I_US, device_hz(FPS, PRIMARY_PPM, PRIMARY_RATE_PPM));
}

/* ------------------------------------------------------------------------------------------ */
/* Anchored pulse trains                                                                      */

/* Checks the pairs of both rigs: every pulse seen by both pairs up by trigger_seq, the captures'
 * true CLOCK_MONOTONIC instants differ by the cable and the trigger-to-image delay only, and
 * each trigger_seq is the absolute multiple of the period. Returns the pairs checked. */
static size_t check_pairs(const recs_t *a, const recs_t *b, double *max_dev_ns)
{
    const double pp = device_period_ns(FPS, PRIMARY_PPM, PRIMARY_RATE_PPM);
    const double pg = 1e9 / device_hz(FPS, PRIMARY_PPM, PRIMARY_RATE_PPM);
    uint64_t lo_a = UINT64_MAX, hi_a = 0, lo_b = UINT64_MAX, hi_b = 0;
    for (size_t i = 0; i < a->n; i++) {
        const rig_sim_truth_t *t = &a->v[i].truth;
        lo_a = t->trigger_seq < lo_a ? t->trigger_seq : lo_a;
        hi_a = t->trigger_seq > hi_a ? t->trigger_seq : hi_a;
        /* (b) the tick k sits at k periods on CLOCK_MONOTONIC; mid-exposure half an exposure
         * later; true_mono_us is floored to the us */
        long double want = (long double)t->trigger_seq * pp + EXPOSURE_US * 500.0L;
        long double got = (long double)t->true_mono_us * 1000.0L;
        if (fabsl(got - want) > 1000.0L)
            fail_msg("primary seq %llu: true_mono %lld us, expected %.3Lf us",
                     (unsigned long long)t->trigger_seq, (long long)t->true_mono_us,
                     want / 1000.0L);
    }
    for (size_t i = 0; i < b->n; i++) {
        const rig_sim_truth_t *t = &b->v[i].truth;
        lo_b = t->trigger_seq < lo_b ? t->trigger_seq : lo_b;
        hi_b = t->trigger_seq > hi_b ? t->trigger_seq : hi_b;
        long double want = (long double)t->trigger_seq * pg + CABLE_NS +
                           (T2I_US + EXPOSURE_US / 2) * 1000.0L;
        long double got = (long double)t->true_mono_us * 1000.0L;
        if (fabsl(got - want) > 1000.0L)
            fail_msg("secondary seq %llu: true_mono %lld us, expected %.3Lf us",
                     (unsigned long long)t->trigger_seq, (long long)t->true_mono_us,
                     want / 1000.0L);
    }
    /* absolute numbers: the machine has been up for more than a few seconds */
    assert_true(lo_a > 100 && lo_b > 100);
    uint64_t lo = lo_a > lo_b ? lo_a : lo_b, hi = hi_a < hi_b ? hi_a : hi_b;
    size_t pairs = 0;
    *max_dev_ns = 0;
    /* the last pulse of each may still be on its way (exposure, transport) */
    for (uint64_t k = lo; k + 1 < hi; k++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const rec_t *fa = find_seq(a, "PRIM0001", (rig_stream_t)s, k);
            const rec_t *fb = find_seq(b, "SECO0002", (rig_stream_t)s, k);
            if (!fa || !fb)
                fail_msg("pulse %llu (%s): primary frame %s, secondary frame %s",
                         (unsigned long long)k, s ? "depth" : "color", fa ? "yes" : "missing",
                         fb ? "yes" : "missing");
            /* expected: the cable and the secondary's trigger-to-image delay */
            double diff_ns = (double)(fb->truth.true_mono_us - fa->truth.true_mono_us) * 1000.0;
            double dev = fabs(diff_ns - (CABLE_NS + T2I_US * 1000.0));
            if (dev > 1000.0)
                fail_msg("pulse %llu: secondary %lld us, primary %lld us: %.0f ns off the %d ns "
                         "of cable and delay",
                         (unsigned long long)k, (long long)fb->truth.true_mono_us,
                         (long long)fa->truth.true_mono_us, dev, CABLE_NS + T2I_US * 1000);
            *max_dev_ns = dev > *max_dev_ns ? dev : *max_dev_ns;
            pairs++;
        }
    return pairs;
}

/* (a), (b): two rigs created ~97 ms apart in real time (two simulated hosts). */
static void anchored_trains_should_agree_across_rigs(void **state)
{
    (void)state;
    char *ja = config_primary(), *jb = config_secondary();
    rig_t a, b;
    rig_up(&a, ja, RIG_TIME_REAL);
    struct timespec gap = {0, 97 * 1000000L};
    nanosleep(&gap, NULL);
    rig_up(&b, jb, RIG_TIME_REAL);
    recs_t ra = {0}, rb = {0};
    rig_t *rigs[2] = {&a, &b};
    recs_t *outs[2] = {&ra, &rb};
    pull_real(rigs, outs, 2, b.created_mono_us + 2000000);
    double max_dev_ns;
    size_t pairs = check_pairs(&ra, &rb, &max_dev_ns);
    /* ~1.75 s of pulses after the sensors are ready, both streams */
    assert_true(pairs >= 60);
    printf("real time, rigs created %lld us apart: %zu frame pairs by trigger_seq, max |true_mono "
           "difference - %d ns| = %.0f ns\n",
           (long long)(b.created_mono_us - a.created_mono_us), pairs, CABLE_NS + T2I_US * 1000,
           max_dev_ns);
    rig_down(&a);
    rig_down(&b);
    free(ra.v);
    free(rb.v);
    free(ja);
    free(jb);
}

/* Virtual time: the same pulse trains on the virtual monotonic axis (1e12 us at creation), with
 * the host clock's and the monotonic truth's difference constant. */
static void anchored_trains_should_hold_in_virtual_time(void **state)
{
    (void)state;
    char *ja = config_primary(), *jb = config_secondary();
    rig_t a, b;
    rig_up(&a, ja, RIG_TIME_VIRTUAL);
    rig_up(&b, jb, RIG_TIME_VIRTUAL);
    assert_int_equal(rig_sim_advance_us(b.ctx, 100000), RIG_OK); /* b starts 100 ms later */
    recs_t ra = {0}, rb = {0};
    for (int step = 0; step < 40; step++) {
        assert_int_equal(rig_sim_advance_us(a.ctx, 50000), RIG_OK);
        assert_int_equal(rig_sim_advance_us(b.ctx, 50000), RIG_OK);
        rig_frame_t *f;
        while (rig_context_wait_frame(a.ctx, 0, &f) == RIG_OK) {
            keep(&ra, f);
            rig_frame_release(f);
        }
        while (rig_context_wait_frame(b.ctx, 0, &f) == RIG_OK) {
            keep(&rb, f);
            rig_frame_release(f);
        }
    }
    for (size_t i = 0; i < ra.n; i++) /* one axis: the host clock is 1.7e15 us at creation */
        assert_int_equal(ra.v[i].truth.true_ts_us - ra.v[i].truth.true_mono_us,
                         1700000000000000LL - 1000000000000LL);
    /* both rigs are on one virtual axis: the pulses pair up as in real time (b's pulses are
     * numbered from its own start, by the same monotonic multiples) */
    double max_dev_ns;
    size_t pairs = check_pairs(&ra, &rb, &max_dev_ns);
    assert_true(pairs >= 100);
    const double pp = device_period_ns(FPS, PRIMARY_PPM, PRIMARY_RATE_PPM);
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < ra.n; i++)
        first = ra.v[i].truth.trigger_seq < first ? ra.v[i].truth.trigger_seq : first;
    /* the first tick is the first multiple after the sensor was ready (200..250 ms) */
    assert_true((double)first * pp > 1e15 + 200e6 && (double)first * pp <= 1e15 + 250e6 + pp);
    printf("virtual time: %zu pairs, max deviation %.0f ns, first seq %llu\n", pairs, max_dev_ns,
           (unsigned long long)first);
    rig_down(&a);
    rig_down(&b);
    free(ra.v);
    free(rb.v);
    free(ja);
    free(jb);
}

/* Every frame of a virtual-time rig sits at its tick's multiple of its own period (plus half an
 * exposure), its trigger_seq being that multiple; returns the frames seen. */
static size_t check_free_runner(const char *json, double ppm)
{
    rig_t r;
    rig_up(&r, json, RIG_TIME_VIRTUAL);
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000000), RIG_OK);
    rig_stream_profile_t prof[2] = {rig_config_stream_profile(r.cfg, RIG_STREAM_COLOR),
                                    rig_config_stream_profile(r.cfg, RIG_STREAM_DEPTH)};
    rig_frame_t *f;
    size_t n = 0;
    while (rig_context_wait_frame(r.ctx, 0, &f) == RIG_OK) {
        rig_sim_truth_t t;
        assert_int_equal(rig_sim_frame_truth(f, &t), RIG_OK);
        double p = device_period_ns(prof[rig_frame_stream(f)].fps, ppm, 0);
        long double want = (long double)t.trigger_seq * p + EXPOSURE_US * 500.0L;
        if (fabsl((long double)t.true_mono_us * 1000.0L - want) > 1000.0L)
            fail_msg("%s seq %llu: true_mono %lld us, expected %.3Lf", rig_frame_serial(f),
                     (unsigned long long)t.trigger_seq, (long long)t.true_mono_us,
                     want / 1000.0L);
        rig_frame_release(f);
        n++;
    }
    rig_down(&r);
    return n;
}

/* FREE_RUN: each stream has its own anchored timer, numbered by its own period; STANDALONE:
 * one timer for both. */
static void anchored_free_runners_should_tick_on_multiples(void **state)
{
    (void)state;
    char *j = json_of(
        "{'streams': {'color': {'fps': 15}, 'depth': {'fps': 30}}, 'devices': [{'sn': 'FREE0001', "
        "'config': {'mode': 'FREE_RUN'}}], 'sim': {'devices': [{'sn': 'FREE0001', 'ppm': 10, "
        "'rate_offset_ppm': 0}], " COMMON_SIM "}}");
    size_t n = check_free_runner(j, 10);
    assert_true(n >= 75); /* 1.75 s x (15 + 30) */
    free(j);
    j = json_of("{'devices': [{'sn': 'STAN0002', 'config': {'mode': 'STANDALONE'}}], 'sim': "
                "{'devices': [{'sn': 'STAN0002', 'ppm': -3, 'rate_offset_ppm': 0}], " COMMON_SIM
                "}}");
    n = check_free_runner(j, -3);
    assert_true(n >= 100);
    free(j);
}

/* ------------------------------------------------------------------------------------------ */
/* Host clock                                                                                 */

/* The real CLOCK_REALTIME, past the clock shim (it wraps libc's clock_gettime only). */
static int64_t raw_realtime_us(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t env_i64(const char *name, int64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoll(v, NULL, 10) : dflt;
}

/* (c) host_clock "realtime": a frame's host_ts_us is CLOCK_REALTIME (as this process reads it)
 * at its arrival, which is between the last pull and this one. Under the clock shim
 * (RIGSYNC_TEST_SHIM_OFFSET_US, RIGSYNC_TEST_SHIM_SKEW_PPB) that is the host's virtual clock,
 * offset from the real one; with a skew, the default host clock ("monotonic": read once, then
 * counted on CLOCK_MONOTONIC) falls behind it by skew x elapsed, and the realtime one does not. */
static void realtime_host_clock_should_follow_clock_realtime(void **state)
{
    (void)state;
    const int64_t bound_us = 100000; /* generous: a loaded machine pulls late */
    int64_t offset_us = env_i64("RIGSYNC_TEST_SHIM_OFFSET_US", 0);
    int64_t skew_ppb = env_i64("RIGSYNC_TEST_SHIM_SKEW_PPB", 0);
    char *jr = json_of("{'devices': [{'sn': 'REAL0001', 'config': {'mode': 'STANDALONE'}}], "
                       "'sim': {'host_clock': 'realtime'}}");
    char *jm = json_of("{'devices': [{'sn': 'MONO0001', 'config': {'mode': 'STANDALONE'}}], "
                       "'sim': {'host_clock': 'monotonic'}}");
    rig_t r, m;
    rig_up(&r, jr, RIG_TIME_REAL);
    rig_up(&m, jm, RIG_TIME_REAL);
    int64_t end = r.created_mono_us + 2000000;
    size_t nr = 0, nm = 0;
    int64_t worst_r = 0, last_lag_m = 0, last_elapsed_m = 0;
    while (rig_monotonic_us() < end) {
        rig_t *rigs[2] = {&r, &m};
        for (int i = 0; i < 2; i++) {
            rig_frame_t *f = NULL;
            rig_error_t err = rig_context_wait_frame(rigs[i]->ctx, 5, &f);
            int64_t after = rig_realtime_us();
            if (err != RIG_OK) {
                assert_int_equal(err, RIG_ERROR_TIMEOUT);
                continue;
            }
            rig_sim_truth_t t;
            assert_int_equal(rig_sim_frame_truth(f, &t), RIG_OK);
            int64_t host = rig_frame_host_ts_us(f);
            assert_int_equal(t.arrival_us, host);
            if (i == 0) {
                /* arrived before it was pulled, and not long before */
                if (host > after + 1000 || host < after - bound_us)
                    fail_msg("host_ts %lld us, CLOCK_REALTIME %lld us after the pull",
                             (long long)host, (long long)after);
                worst_r = after - host > worst_r ? after - host : worst_r;
                /* the virtual clock, not the real one */
                int64_t vs_real = host - raw_realtime_us();
                int64_t drift_max = skew_ppb / 1000 * 10; /* 10 s of skew since the clock began */
                if (vs_real < offset_us - bound_us || vs_real > offset_us + drift_max + bound_us)
                    fail_msg("host_ts %lld us off the real clock, the host clock is %lld us off",
                             (long long)vs_real, (long long)offset_us);
                nr++;
            } else {
                last_lag_m = after - host;
                last_elapsed_m = rig_monotonic_us() - m.created_mono_us;
                nm++;
            }
            rig_frame_release(f);
        }
    }
    assert_true(nr >= 40 && nm >= 40);
    /* the other host readings: the simulation's now, a two-way time query's two readings, and
     * the value a clock write sends */
    int64_t before = rig_realtime_us(), now_us, hb, dev_us, ha, sent;
    assert_int_equal(rig_sim_now_us(r.ctx, &now_us), RIG_OK);
    assert_int_equal(rig_sim_device_query_time(r.ctx, 0, &hb, &dev_us, &ha), RIG_OK);
    assert_int_equal(rig_sim_device_write_clock(r.ctx, 0, 1, &sent), RIG_OK);
    int64_t after = rig_realtime_us();
    assert_true(before - 1000 <= now_us && now_us <= hb && hb < ha && ha <= sent &&
                sent <= after + 1000);
    /* the write set the device clock to the host clock (landing 100..600 us late) */
    int64_t dev_now;
    assert_int_equal(rig_sim_device_clock_us(r.ctx, 0, &dev_now), RIG_OK);
    int64_t lag = rig_realtime_us() - dev_now;
    if (lag < 0 || lag > bound_us)
        fail_msg("device clock %lld us behind CLOCK_REALTIME after the write", (long long)lag);
    printf("host_clock realtime: %zu frames, host_ts at most %lld us before CLOCK_REALTIME at the "
           "pull (offset %lld us, skew %lld ppb)\n",
           nr, (long long)worst_r, (long long)offset_us, (long long)skew_ppb);
    if (skew_ppb != 0) {
        /* the monotonic host clock cannot follow the skewed clock: it lags by skew x elapsed */
        double lag_want = (double)skew_ppb * 1e-9 * (double)last_elapsed_m;
        printf("host_clock monotonic: %lld us behind CLOCK_REALTIME after %lld us (skew: %.0f)\n",
               (long long)last_lag_m, (long long)last_elapsed_m, lag_want);
        assert_true(lag_want > 2.0 * bound_us); /* the shim run's skew makes it visible */
        assert_true((double)last_lag_m > 0.5 * lag_want);
    }
    rig_down(&r);
    rig_down(&m);
    free(jr);
    free(jm);
}

/* ------------------------------------------------------------------------------------------ */
/* Config                                                                                     */

/* (d) the errors, each at its line:column with the fix */
static void config_errors_should_point_at_the_field(void **state)
{
    (void)state;
    /* anchored with the default drift walk: at "anchor" */
    char *j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                      "'sim': {\n"
                      "  'anchor': 'monotonic'\n}}");
    rig_config_diag_t d = parse_bad(j);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.column, 13);
    assert_string_equal(d.field, "sim.anchor");
    assert_has(d.message, "a drifting one (a walk of 3 ppm/sqrt(h), the default) cannot be "
                          "replayed; set \"drift_walk_ppm_per_sqrt_hour\": 0 in sim.");
    free(j);
    /* with a drift walk given: at the drift walk */
    j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                "'sim': {'anchor': 'monotonic',\n"
                "  'drift_walk_ppm_per_sqrt_hour': 2.5}}");
    d = parse_bad(j);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.column, 35);
    assert_string_equal(d.field, "sim.drift_walk_ppm_per_sqrt_hour");
    assert_has(d.message, "a walk of 2.5 ppm/sqrt(h))");
    free(j);
    /* unknown names and wrong types */
    j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                "'sim': {'host_clock': 'utc'}}");
    d = parse_bad(j);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 23);
    assert_string_equal(d.field, "sim.host_clock");
    assert_has(d.message, "unknown host_clock \"utc\"; use \"monotonic\"");
    free(j);
    j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                "'sim': {'anchor': 1}}");
    d = parse_bad(j);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.field, "sim.anchor");
    free(j);
    j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                "'sim': {'anchor': 'realtime', 'drift_walk_ppm_per_sqrt_hour': 0}}");
    d = parse_bad(j);
    assert_string_equal(d.field, "sim.anchor");
    assert_has(d.message, "unknown anchor \"realtime\"; use \"none\"");
    free(j);
    /* host_clock realtime in virtual time: refused when the rig is created, at the field */
    j = json_of("{'devices': [{'sn': 'A0000001', 'config': {'mode': 'STANDALONE'}}],\n"
                "'sim': {\n"
                "    'host_clock': 'realtime'}}");
    rig_config_t *cfg = parse_ok(j);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    char why[512] = "";
    o.error_detail = why;
    o.error_detail_len = sizeof why;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_ERROR_CONFIG);
    assert_null(ctx);
    assert_has(why, "test.json:3:19: sim.host_clock: \"realtime\" follows the machine's "
                    "CLOCK_REALTIME, which a virtual-time rig does not run on; run the rig in "
                    "real time");
    /* ... and accepted in real time */
    o.time_mode = RIG_TIME_REAL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
    free(j);
}

/* The generator's rate keeps every digit given (a remote primary's true rate), and may exceed
 * the stream fps by what a crystal and a sensor do (Gemini 2: 30.14 fps), not more. */
static void generator_rate_should_keep_full_precision(void **state)
{
    (void)state;
    double hz = device_hz(FPS, PRIMARY_PPM, PRIMARY_RATE_PPM);
    char *j = config_secondary();
    rig_config_t *cfg = parse_ok(j);
    assert_true(rig_config_sim(cfg)->generator_hz == hz); /* bit for bit */
    assert_true(rig_config_sim(cfg)->anchor == RIG_SIM_ANCHOR_MONOTONIC);
    rig_config_destroy(cfg);
    free(j);
    j = json_of("{'devices': [{'sn': 'S', 'config': {'mode': 'SECONDARY'}}], "
                "'sim': {'signal_generator': {'hz': 30.14, 'to': ['S']}}}");
    rig_config_destroy(parse_ok(j));
    free(j);
    j = json_of("{'devices': [{'sn': 'S', 'config': {'mode': 'SECONDARY'}}], "
                "'sim': {'signal_generator': {'hz': 30.4, 'to': ['S']}}}");
    rig_config_diag_t d = parse_bad(j);
    assert_has(d.message, "gets 30.4 triggers/s from the signal generator");
    free(j);
    /* the defaults: not anchored, the host clock counted on CLOCK_MONOTONIC */
    cfg = parse_ok("{\"devices\": [{\"sn\": \"A\", \"config\": {\"mode\": \"STANDALONE\"}}], "
                   "\"sim\": {}}");
    assert_true(rig_config_sim(cfg)->anchor == RIG_SIM_ANCHOR_NONE);
    assert_true(rig_config_sim(cfg)->host_clock == RIG_SIM_HOST_CLOCK_MONOTONIC);
    rig_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest shim_tests[] = {
        cmocka_unit_test(realtime_host_clock_should_follow_clock_realtime),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_errors_should_point_at_the_field),
        cmocka_unit_test(generator_rate_should_keep_full_precision),
        cmocka_unit_test(anchored_trains_should_hold_in_virtual_time),
        cmocka_unit_test(anchored_free_runners_should_tick_on_multiples),
        cmocka_unit_test(anchored_trains_should_agree_across_rigs),
        cmocka_unit_test(realtime_host_clock_should_follow_clock_realtime),
    };
    /* Under the clock shim (test_sim_anchor_shim.sh): only the host clock test. */
    if (getenv("RIGSYNC_TEST_SHIM_OFFSET_US"))
        return cmocka_run_group_tests(shim_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Faults of real rigs on the simulated one, and the core's recovery, in virtual time. Each test
 * runs a small rig (a PRIMARY feeding SECONDARYs down a daisy chain, quiet transport, no drift)
 * through one fault and checks, by hand-derived expectations:
 *  - the device events, their order and times;
 *  - the framesets around the fault (which slots are empty, and when they are full again);
 *  - conservation per device and stream: frames delivered (frame callback) == frames in sets +
 *    frames reported unmatched; no frame in two sets; no set with two captures of one device
 *    (its color and depth come from one trigger).
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

#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define T0 1700000000000000LL /* the simulator's host clock at virtual time 0 */
#define S(x) ((int64_t)((x) * 1e6))
#define MAXDEV 4
#define NSLOT (MAXDEV * RIG_STREAM_COUNT)
#define MAXSETS 4096
#define MAXEV 64

#define SN0 "FLT00001"
#define SN1 "FLT00002"
#define SN2 "FLT00003"

typedef struct set_rec {
    int64_t time_us;
    rig_slot_status_t status[NSLOT];
    uint64_t index[NSLOT];
    uint64_t seq[NSLOT];
    int64_t global[NSLOT];
    int64_t true_us[NSLOT]; /* ground truth: mid-exposure, host clock */
} set_rec_t;

typedef struct run {
    rig_config_t *cfg;
    rig_context_t *ctx;
    rig_device_t *dev[MAXDEV];
    size_t n;
    uint64_t delivered[NSLOT], in_sets[NSLOT], unmatched[NSLOT];
    uint64_t unmatched_no_time[NSLOT];
    set_rec_t *sets;
    size_t nsets;
    rig_device_event_t ev[MAXEV];
    size_t nev;
    uint64_t bad_global_good_frames; /* frames with a global time far from their true time */
    uint64_t *seen[NSLOT];           /* frame indices seen in sets: one bit each */
    size_t seen_cap[NSLOT];
    bool twice; /* some frame was in two sets */
} run_t;

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    size_t k = rig_frame_device_index(f) * RIG_STREAM_COUNT + rig_frame_stream(f);
    assert_true(k < NSLOT);
    r->delivered[k]++;
}

static void mark_seen(run_t *r, size_t k, uint64_t index)
{
    size_t word = (size_t)(index / 64);
    if (word >= r->seen_cap[k]) {
        size_t cap = (word + 1) * 2;
        r->seen[k] = realloc(r->seen[k], cap * sizeof(uint64_t));
        assert_non_null(r->seen[k]);
        memset(r->seen[k] + r->seen_cap[k], 0, (cap - r->seen_cap[k]) * sizeof(uint64_t));
        r->seen_cap[k] = cap;
    }
    uint64_t bit = 1ull << (index % 64);
    if (r->seen[k][word] & bit)
        r->twice = true;
    r->seen[k][word] |= bit;
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    assert_true(r->nsets < MAXSETS);
    set_rec_t *s = &r->sets[r->nsets++];
    memset(s, 0, sizeof(*s));
    s->time_us = rig_frameset_time_us(set);
    for (size_t d = 0; d < r->n; d++) {
        for (int st = 0; st < RIG_STREAM_COUNT; st++) {
            size_t k = d * RIG_STREAM_COUNT + (size_t)st;
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)st);
            s->status[k] = rig_frameset_status(set, d, (rig_stream_t)st);
            if (!f)
                continue;
            r->in_sets[k]++;
            s->index[k] = rig_frame_index(f);
            mark_seen(r, k, s->index[k]);
            rig_sim_truth_t t;
            assert_int_equal(rig_sim_frame_truth(f, &t), RIG_OK);
            s->seq[k] = t.trigger_seq;
            s->true_us[k] = t.true_ts_us;
            s->global[k] = rig_frame_global_ts_us(f);
            if (llabs(s->global[k] - t.true_ts_us) > 5000)
                r->bad_global_good_frames++;
        }
        /* One capture per device per set: its color and depth come from one trigger. */
        size_t c = d * RIG_STREAM_COUNT + RIG_STREAM_COLOR;
        size_t z = d * RIG_STREAM_COUNT + RIG_STREAM_DEPTH;
        if (rig_frameset_frame(set, d, RIG_STREAM_COLOR) &&
            rig_frameset_frame(set, d, RIG_STREAM_DEPTH))
            assert_true(s->seq[c] == s->seq[z]);
    }
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    run_t *r = user;
    size_t k = rig_frame_device_index(f) * RIG_STREAM_COUNT + rig_frame_stream(f);
    assert_true(k < NSLOT);
    r->unmatched[k]++;
    if (reason == RIG_UNMATCHED_NO_TIME)
        r->unmatched_no_time[k]++;
}

static void on_event(const rig_device_event_t *ev, void *user)
{
    run_t *r = user;
    assert_true(r->nev < MAXEV);
    r->ev[r->nev++] = *ev;
}

/* Three devices: SN0 PRIMARY -> SN1 SECONDARY (forwards) -> SN2 SECONDARY. Quiet transport, no
 * drift, staggered depth delays (no ToF interference). */
static const char *rig3(const char *extra_sim)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"devices\":["
             "{\"serial_number\":\"" SN0 "\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
             "{\"serial_number\":\"" SN1 "\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true,"
             "\"depth_delay_us\":1000}},"
             "{\"serial_number\":\"" SN2 "\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":2000}}],"
             "\"sim\":{\"seed\":7,\"drift_walk_ppm_per_sqrt_hour\":0,"
             "\"transport\":{\"drop_probability\":0,\"stall_probability\":0}%s%s}}",
             extra_sim ? "," : "", extra_sim ? extra_sim : "");
    return buf;
}

/* Creates the rig, schedules `faults` (before opening: late devices are absent then), opens every
 * device (expected if absent), writes the configs, starts (secondaries first), framesets on. */
static void up(run_t *r, const char *json, const rig_sim_fault_t *faults, size_t nfaults)
{
    memset(r, 0, sizeof(*r));
    r->sets = calloc(MAXSETS, sizeof(*r->sets));
    assert_non_null(r->sets);
    rig_config_diag_t diag;
    rig_error_t err = rig_config_parse(json, "test.json", &r->cfg, &diag);
    if (err != RIG_OK)
        fail_msg("config: %s:%d:%d %s: %s", diag.file, diag.line, diag.column, diag.field,
                 diag.message);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r->cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    assert_int_equal(rig_context_create(&o, &r->ctx), RIG_OK);
    for (size_t i = 0; i < nfaults; i++)
        assert_int_equal(rig_sim_schedule_fault(r->ctx, &faults[i]), RIG_OK);
    r->n = rig_config_device_count(r->cfg);
    rig_context_set_device_event_callback(r->ctx, on_event, r);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(
            rig_device_open_expected(r->ctx, rig_config_device_serial(r->cfg, i), &r->dev[i]),
            RIG_OK);
        assert_int_equal(rig_device_index(r->dev[i]), i);
        rig_sync_config_t s;
        rig_config_device_sync(r->cfg, i, &s);
        assert_int_equal(rig_device_set_sync_config(r->dev[i], &s, NULL), RIG_OK);
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->n; i++) {
            rig_sync_config_t s;
            rig_config_device_sync(r->cfg, i, &s);
            if ((s.mode == RIG_SYNC_MODE_PRIMARY) == (pass == 1))
                assert_int_equal(rig_device_start(r->dev[i], NULL, NULL), RIG_OK);
        }
    rig_context_set_frame_callback(r->ctx, on_frame, r);
    rig_context_set_frameset_callback(r->ctx, on_set, r);
    rig_context_set_unmatched_callback(r->ctx, on_unmatched, r);
    assert_int_equal(rig_context_enable_framesets(r->ctx, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(r->ctx, 5000), RIG_OK);
}

static void run_for(run_t *r, double seconds)
{
    assert_int_equal(rig_sim_advance_us(r->ctx, S(seconds)), RIG_OK);
}

/* Ends the run and checks what every test checks. */
static void down(run_t *r)
{
    assert_int_equal(rig_context_flush_framesets(r->ctx), RIG_OK);
    for (size_t k = 0; k < r->n * RIG_STREAM_COUNT; k++) {
        if (r->delivered[k] != r->in_sets[k] + r->unmatched[k])
            fail_msg("slot %zu: %llu delivered, %llu in sets + %llu unmatched", k,
                     (unsigned long long)r->delivered[k], (unsigned long long)r->in_sets[k],
                     (unsigned long long)r->unmatched[k]);
    }
    assert_false(r->twice);
    rig_context_destroy(r->ctx);
    rig_config_destroy(r->cfg);
    for (size_t k = 0; k < NSLOT; k++)
        free(r->seen[k]);
    free(r->sets);
}

/* Events of device d, in order, as a string of single letters: G(one) B(ack) b(=rebooted)
 * C(onfigured) R(estarted) A(rrived) J(ump) X(bogus) F(ailed). */
static const char *kinds(const run_t *r, size_t d)
{
    static char buf[MAXEV + 1];
    static const char letters[] = "GBbCRAJXF";
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].device_index == d)
            buf[n++] = letters[r->ev[i].kind];
    buf[n] = '\0';
    return buf;
}

static const rig_device_event_t *event(const run_t *r, size_t d, rig_device_event_kind_t k)
{
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].device_index == d && r->ev[i].kind == k)
            return &r->ev[i];
    return NULL;
}

/* Sets in [from, to) (global time), and how many of them have device d's both slots OK. */
static void slots_ok(const run_t *r, size_t d, int64_t from, int64_t to, size_t *sets, size_t *ok)
{
    *sets = *ok = 0;
    for (size_t i = 0; i < r->nsets; i++) {
        const set_rec_t *s = &r->sets[i];
        if (s->time_us < from || s->time_us >= to)
            continue;
        (*sets)++;
        if (s->status[d * 2] == RIG_SLOT_OK && s->status[d * 2 + 1] == RIG_SLOT_OK)
            (*ok)++;
    }
}

/* ------------------------------------------------------------------------------------------ */

static void unplug_and_replug_recovers_the_device(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f[2] = {{.kind = RIG_SIM_FAULT_UNPLUG, .at_us = S(3), .serial = SN1},
                            {.kind = RIG_SIM_FAULT_REPLUG, .at_us = S(5), .serial = SN1}};
    up(&r, rig3(NULL), f, 2);
    run_for(&r, 3.5);
    /* Gone: not present, its handle fails, it left the device list. */
    assert_false(rig_device_present(r.dev[1]));
    rig_sync_config_t sc;
    assert_int_equal(rig_device_get_sync_config(r.dev[1], &sc), RIG_ERROR_NOT_FOUND);
    size_t count = 0;
    assert_int_equal(rig_context_device_count(r.ctx, &count), RIG_OK);
    assert_int_equal(count, 2);
    unsigned epochs_before = 0;
    rig_device_clock_estimate(r.dev[1], NULL, &epochs_before);
    run_for(&r, 5.5);
    /* Gone at 3 s, back at 5 s: config kept in flash, so nothing written again. */
    assert_string_equal(kinds(&r, 1), "GBR");
    assert_int_equal(event(&r, 1, RIG_DEVICE_EVENT_GONE)->host_ts_us, T0 + S(3));
    assert_int_equal(event(&r, 1, RIG_DEVICE_EVENT_BACK)->host_ts_us, T0 + S(5));
    assert_string_equal(event(&r, 1, RIG_DEVICE_EVENT_BACK)->serial, SN1);
    assert_string_equal(kinds(&r, 0), "");
    assert_string_equal(kinds(&r, 2), "");
    assert_true(rig_device_present(r.dev[1]));
    assert_int_equal(rig_device_index(r.dev[1]), 1);
    unsigned epochs_after = 0;
    rig_device_clock_estimate(r.dev[1], NULL, &epochs_after);
    assert_true(epochs_after >= epochs_before + 1); /* a new clock epoch */
    size_t sets, ok;
    /* While it is gone its slots are empty, and so are those of SN2 behind it in the chain (an
     * unplugged camera's sync port is unpowered: it forwards nothing). SN0 goes on. */
    slots_ok(&r, 1, T0 + S(3.1), T0 + S(5), &sets, &ok);
    assert_true(sets >= 55);
    assert_int_equal(ok, 0);
    for (size_t i = 0; i < r.nsets; i++)
        if (r.sets[i].time_us >= T0 + S(3.1) && r.sets[i].time_us < T0 + S(5))
            assert_true(r.sets[i].status[2] == RIG_SLOT_SILENT ||
                        r.sets[i].status[2] == RIG_SLOT_MISSING);
    slots_ok(&r, 2, T0 + S(3.1), T0 + S(5), &sets, &ok);
    assert_int_equal(ok, 0);
    slots_ok(&r, 0, T0 + S(3.1), T0 + S(5), &sets, &ok);
    assert_true(ok >= sets - 1);
    /* Back: armed 200-250 ms after the restart; from 5.5 s on every set is whole again. */
    slots_ok(&r, 1, T0 + S(5.5), T0 + S(8.8), &sets, &ok);
    assert_true(sets >= 95);
    assert_int_equal(ok, sets);
    slots_ok(&r, 2, T0 + S(5.5), T0 + S(8.8), &sets, &ok);
    assert_int_equal(ok, sets);
    /* Frame numbering goes on across the return (the device's own counter restarted at 0). */
    uint64_t last_before = 0, first_after = UINT64_MAX;
    for (size_t i = 0; i < r.nsets; i++) {
        const set_rec_t *s = &r.sets[i];
        if (s->status[2] != RIG_SLOT_OK)
            continue;
        if (s->time_us < T0 + S(3))
            last_before = s->index[2];
        else if (s->index[2] < first_after)
            first_after = s->index[2];
    }
    assert_true(first_after > last_before && first_after != UINT64_MAX);
    /* The good frames' global time line holds across the new epoch. */
    assert_int_equal(r.bad_global_good_frames, 0);
    down(&r);
}

static void reboot_to_defaults_is_reconfigured(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_REBOOT,
                         .at_us = S(3),
                         .serial = SN2,
                         .duration_us = S(1.5),
                         .config_to_defaults = true};
    up(&r, rig3(NULL), &f, 1);
    run_for(&r, 8);
    assert_string_equal(kinds(&r, 2), "GBbCR");
    assert_int_equal(event(&r, 2, RIG_DEVICE_EVENT_BACK)->host_ts_us, T0 + S(4.5));
    assert_int_equal(event(&r, 2, RIG_DEVICE_EVENT_RECONFIGURED)->host_ts_us, T0 + S(4.5));
    rig_sync_config_t sc;
    assert_int_equal(rig_device_get_sync_config(r.dev[2], &sc), RIG_OK);
    assert_int_equal(sc.mode, RIG_SYNC_MODE_SECONDARY);
    assert_int_equal(sc.depth_delay_us, 2000);
    size_t sets, ok;
    slots_ok(&r, 2, T0 + S(3.1), T0 + S(4.5), &sets, &ok);
    assert_int_equal(ok, 0);
    slots_ok(&r, 1, T0 + S(3.1), T0 + S(4.5), &sets, &ok);
    assert_int_equal(ok, sets); /* SN1 is before it in the chain: untouched */
    slots_ok(&r, 2, T0 + S(5), T0 + S(7.8), &sets, &ok);
    assert_true(sets >= 80);
    assert_int_equal(ok, sets);
    assert_int_equal(r.bad_global_good_frames, 0);
    /* The injected fault is in the ground truth with its time and effect. */
    rig_sim_fault_record_t rec[4];
    size_t n = 0;
    assert_int_equal(rig_sim_fault_records(r.ctx, rec, 4, &n), RIG_OK);
    assert_int_equal(n, 2); /* off the bus, on it again */
    assert_int_equal(rec[0].kind, RIG_SIM_FAULT_UNPLUG);
    assert_int_equal(rec[0].host_us, T0 + S(3));
    assert_int_equal(rec[1].kind, RIG_SIM_FAULT_REPLUG);
    assert_non_null(strstr(rec[1].effect, "back to the defaults"));
    down(&r);
}

/* The whole rig power-cycles: all three return at once; the primary must start last. */
static void rig_power_cycle_restarts_secondaries_first(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_REBOOT, .at_us = S(3), .duration_us = S(2)};
    up(&r, rig3(NULL), &f, 1);
    run_for(&r, 8);
    for (size_t d = 0; d < 3; d++)
        assert_string_equal(kinds(&r, d), "GBR");
    size_t restarted[3], k = 0;
    for (size_t i = 0; i < r.nev; i++)
        if (r.ev[i].kind == RIG_DEVICE_EVENT_RESTARTED)
            restarted[k++] = r.ev[i].device_index;
    assert_int_equal(k, 3);
    assert_int_equal(restarted[2], 0); /* the PRIMARY last */
    size_t sets, ok;
    for (size_t d = 0; d < 3; d++) {
        slots_ok(&r, d, T0 + S(5.5), T0 + S(7.8), &sets, &ok);
        assert_true(sets >= 60);
        assert_int_equal(ok, sets);
    }
    /* With every device restarted before the first pulse, their first frames after the return
     * are of one capture: the first whole set has frame indices that continue the numbering. */
    down(&r);
}

static void late_device_joins(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_LATE_DEVICE, .at_us = S(2), .serial = SN2};
    up(&r, rig3(NULL), &f, 1);
    assert_false(rig_device_present(r.dev[2]));
    run_for(&r, 5);
    /* It arrives at 2 s: opened, its config (the defaults out of the box) written, started. */
    assert_string_equal(kinds(&r, 2), "ACR");
    assert_int_equal(event(&r, 2, RIG_DEVICE_EVENT_ARRIVED)->host_ts_us, T0 + S(2));
    assert_true(rig_device_present(r.dev[2]));
    size_t sets, ok;
    slots_ok(&r, 2, T0, T0 + S(2), &sets, &ok);
    assert_true(sets > 30);
    assert_int_equal(ok, 0);
    slots_ok(&r, 2, T0 + S(2.5), T0 + S(4.8), &sets, &ok);
    assert_true(sets >= 60);
    assert_int_equal(ok, sets);
    slots_ok(&r, 1, T0 + S(0.5), T0 + S(4.8), &sets, &ok);
    assert_int_equal(ok, sets);
    down(&r);
}

/* A glitch on SN1's sync-in: 50 % of pulses lost for 1 s. SN1 forwards what it receives, so SN2
 * misses the same captures; SN0 (the source) none. Outside the span nothing is missing. */
static void trigger_glitch_misses_captures_during_its_span_only(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_TRIGGER_GLITCH,
                         .at_us = S(3),
                         .serial = SN1,
                         .duration_us = S(1),
                         .missing_probability = 0.5};
    up(&r, rig3(NULL), &f, 1);
    run_for(&r, 6);
    size_t missing_in = 0, missing_out = 0, sets_in = 0, both = 0;
    for (size_t i = 0; i < r.nsets; i++) {
        const set_rec_t *s = &r.sets[i];
        if (s->time_us < T0 + S(0.6))
            continue;
        bool in = s->time_us >= T0 + S(3) && s->time_us < T0 + S(4.001);
        bool miss1 = s->status[2] != RIG_SLOT_OK || s->status[3] != RIG_SLOT_OK;
        bool miss2 = s->status[4] != RIG_SLOT_OK || s->status[5] != RIG_SLOT_OK;
        assert_true(s->status[0] == RIG_SLOT_OK && s->status[1] == RIG_SLOT_OK);
        sets_in += in;
        if (in && miss1)
            missing_in++;
        if (!in && (miss1 || miss2))
            missing_out++;
        both += miss1 && miss2;
        assert_true(miss1 == miss2); /* SN2 misses exactly what SN1 missed */
    }
    /* 30 pulses in the span, each lost with probability 1/2: 15 +- 3 sigma (8.2). */
    assert_true(sets_in >= 29 && sets_in <= 31);
    assert_true(missing_in >= 7 && missing_in <= 23);
    assert_int_equal(missing_out, 0);
    rig_sim_fault_record_t rec;
    size_t n;
    assert_int_equal(rig_sim_fault_records(r.ctx, &rec, 1, &n), RIG_OK);
    assert_int_equal(n, 1);
    char want[64];
    snprintf(want, sizeof(want), "%zu pulse(s) lost", missing_in);
    assert_non_null(strstr(rec.effect, want));
    down(&r);
}

/* Extra pulses: a spurious pulse 1-10 ms behind a real one makes SN1 capture twice; the extra
 * capture must never share a set with the real one. */
static void trigger_glitch_extra_pulses_make_extra_captures(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_TRIGGER_GLITCH,
                         .at_us = S(3),
                         .serial = SN1,
                         .duration_us = S(1),
                         .extra_probability = 0.5};
    up(&r, rig3(NULL), &f, 1);
    run_for(&r, 6);
    rig_sim_fault_record_t rec;
    size_t n;
    assert_int_equal(rig_sim_fault_records(r.ctx, &rec, 1, &n), RIG_OK);
    unsigned long long lost = 9, extra = 0;
    assert_non_null(strstr(rec.effect, "lost"));
    assert_int_equal(sscanf(strstr(rec.effect, ": ") + 2, "%llu pulse(s) lost, %llu extra", &lost,
                            &extra),
                     2);
    assert_int_equal(lost, 0);
    assert_true(extra >= 7 && extra <= 23);
    /* SN1 delivered 30 + extra frames per stream over the span: count its delivered frames
     * against SN0's (same pulses otherwise). */
    uint64_t d0 = r.delivered[0], d1 = r.delivered[2];
    /* (the last frame of SN1 may still be on its way when the run ends) */
    assert_true(d1 >= d0 + extra - 1 && d1 <= d0 + extra);
    down(&r);
}

/* A hub hiccup on SN0 and SN2 for 100 ms: the same captures are DROPPED on both, in the same
 * sets; SN1 untouched. */
static void correlated_drop_burst_hits_several_devices_in_the_same_sets(void **state)
{
    (void)state;
    run_t r;
    up(&r,
       rig3("\"events\":[{\"at_s\":3.0,\"drop_burst\":[\"" SN0 "\",\"" SN2 "\"],"
            "\"duration_s\":0.1}]"),
       NULL, 0);
    run_for(&r, 5);
    size_t dropped_sets = 0;
    for (size_t i = 0; i < r.nsets; i++) {
        const set_rec_t *s = &r.sets[i];
        bool d0 = s->status[0] == RIG_SLOT_DROPPED || s->status[1] == RIG_SLOT_DROPPED;
        bool d2 = s->status[4] == RIG_SLOT_DROPPED || s->status[5] == RIG_SLOT_DROPPED;
        if (d0 || d2) {
            assert_true(d0 && d2); /* together, in the same set */
            assert_true(s->status[0] == RIG_SLOT_DROPPED && s->status[1] == RIG_SLOT_DROPPED);
            assert_true(s->status[2] == RIG_SLOT_OK && s->status[3] == RIG_SLOT_OK);
            assert_true(s->time_us > T0 + S(2.9) && s->time_us < T0 + S(3.1));
            dropped_sets++;
        }
    }
    /* 100 ms of arrivals, 33.3 ms apart, give or take the transport's jitter: 2 to 4 captures
     * (this seed: 2, at 3.032 and 3.065 s). */
    if (dropped_sets < 2 || dropped_sets > 4)
        fail_msg("%zu sets with drops", dropped_sets);
    down(&r);
}

/* Two frames per stream of SN1 with timestamps 10-1000 s off: no global time (unmatched, "no
 * time"), one BOGUS_TIMESTAMP event per stream, the others' time line untouched. */
static void bogus_timestamps_are_reported_and_kept_off_the_time_line(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {
        .kind = RIG_SIM_FAULT_BOGUS_TIMESTAMPS, .at_us = S(3), .serial = SN1, .count = 2};
    up(&r, rig3(NULL), &f, 1);
    run_for(&r, 5);
    assert_string_equal(kinds(&r, 1), "XX");
    assert_int_equal(r.unmatched_no_time[2], 2);
    assert_int_equal(r.unmatched_no_time[3], 2);
    assert_int_equal(r.bad_global_good_frames, 0);
    unsigned epochs;
    rig_device_clock_estimate(r.dev[1], NULL, &epochs);
    unsigned e0;
    rig_device_clock_estimate(r.dev[0], NULL, &e0);
    assert_int_equal(epochs, e0); /* no epoch for nonsense */
    size_t sets, ok;
    slots_ok(&r, 1, T0 + S(3.2), T0 + S(4.8), &sets, &ok);
    assert_int_equal(ok, sets);
    down(&r);
}

/* Someone else writes SN2's clock +300 ms: a CLOCK_JUMP (and only one: rigsync's own writes
 * every 5 s are not jumps), a new epoch, framesets go on. */
static void foreign_clock_write_starts_a_new_epoch(void **state)
{
    (void)state;
    run_t r;
    rig_sim_fault_t f = {
        .kind = RIG_SIM_FAULT_CLOCK_WRITE, .at_us = S(3), .serial = SN2, .offset_us = 300000};
    up(&r, rig3(NULL), &f, 1);
    unsigned e_before;
    run_for(&r, 2.9);
    rig_device_clock_estimate(r.dev[2], NULL, &e_before);
    run_for(&r, 4.1);
    assert_string_equal(kinds(&r, 2), "J");
    assert_string_equal(kinds(&r, 0), "");
    const rig_device_event_t *j = event(&r, 2, RIG_DEVICE_EVENT_CLOCK_JUMP);
    assert_true(j->host_ts_us >= T0 + S(3) && j->host_ts_us < T0 + S(3.2));
    unsigned e_after;
    rig_device_clock_estimate(r.dev[2], NULL, &e_after);
    assert_true(e_after >= e_before + 2); /* the jump, and rigsync's own write at 5 s */
    size_t sets, ok;
    slots_ok(&r, 2, T0 + S(3.3), T0 + S(6.8), &sets, &ok);
    assert_true(sets >= 100);
    assert_int_equal(ok, sets);
    assert_int_equal(r.bad_global_good_frames, 0);
    down(&r);
}

/* Random faults at high rates on a 3-device rig for 60 s: whatever happens, conservation holds,
 * no set holds a device twice, every device is back at the end, and the records and the
 * events agree on how many unplugs there were. */
static void random_faults_keep_conservation(void **state)
{
    (void)state;
    run_t r;
    up(&r,
       rig3("\"faults\":{\"unplug_per_hour\":60,\"reboot_per_hour\":60,"
            "\"trigger_glitch_per_hour\":120,\"drop_burst_per_hour\":120,"
            "\"bogus_timestamps_per_hour\":60,\"clock_write_per_hour\":60}"),
       NULL, 0);
    run_for(&r, 60);
    size_t n = 0;
    assert_int_equal(rig_sim_fault_records(r.ctx, NULL, 0, &n), RIG_OK);
    assert_true(n > 5);
    rig_sim_fault_record_t *rec = calloc(n, sizeof(*rec));
    assert_int_equal(rig_sim_fault_records(r.ctx, rec, n, &n), RIG_OK);
    size_t offbus = 0, gone = 0;
    for (size_t i = 0; i < n; i++)
        offbus += rec[i].kind == RIG_SIM_FAULT_UNPLUG && strstr(rec[i].effect, "off the bus,");
    for (size_t i = 0; i < r.nev; i++)
        gone += r.ev[i].kind == RIG_DEVICE_EVENT_GONE;
    assert_int_equal(gone, offbus);
    free(rec);
    down(&r);
}

static void faults_are_checked(void **state)
{
    (void)state;
    run_t r;
    up(&r, rig3(NULL), NULL, 0);
    run_for(&r, 1);
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_UNPLUG, .at_us = S(0.5), .serial = SN1};
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_ERROR_INVALID_ARGUMENT); /* past */
    f.at_us = S(2);
    f.serial = "NOPE";
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_ERROR_INVALID_ARGUMENT);
    f.serial = SN1;
    f.kind = RIG_SIM_FAULT_LATE_DEVICE;
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_ERROR_STATE); /* already open */
    f.kind = RIG_SIM_FAULT_TRIGGER_GLITCH;
    f.missing_probability = 0.8;
    f.extra_probability = 0.3;
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_ERROR_INVALID_ARGUMENT);
    f.extra_probability = 0;
    f.duration_us = INT64_MAX;
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_ERROR_INVALID_ARGUMENT);
    rig_sim_fault_rates_t rates = {.unplug_per_hour = -1};
    assert_int_equal(rig_sim_set_fault_rates(r.ctx, &rates), RIG_ERROR_INVALID_ARGUMENT);
    rates.unplug_per_hour = NAN;
    assert_int_equal(rig_sim_set_fault_rates(r.ctx, &rates), RIG_ERROR_INVALID_ARGUMENT);
    down(&r);
}

/* Values at the limits of the API (the config caps its own keys; the library's calls take
 * wider ones): the simulator's arithmetic saturates instead of overflowing (UBSan would flag
 * it), and no event lands in the past. */
static void huge_values_do_not_overflow(void **state)
{
    (void)state;
    run_t r;
    up(&r, rig3("\"cable_delay_ns\":1000,\"hub_delay_ns\":1000"), NULL, 0);
    /* The API refuses what no camera does (the config's range table), naming the range. */
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, UINT64_MAX), RIG_ERROR_INVALID_ARGUMENT);
    char msg[512];
    assert_non_null(strstr(rig_context_last_error(r.ctx, msg, sizeof(msg)), "0..86400000 ms"));
    assert_int_equal(rig_context_enable_clock_sync(r.ctx, 86400000), RIG_OK);
    /* SN1 would capture INT32_MAX us after each pulse: refused, and the device keeps its config;
     * the longest delays accepted (999999 us each) are summed without overflow. */
    assert_int_equal(rig_device_stop(r.dev[1]), RIG_OK);
    rig_sync_config_t s;
    rig_config_device_sync(r.cfg, 1, &s);
    s.trigger_out_delay_us = INT32_MAX;
    s.trigger_to_image_delay_us = s.depth_delay_us = s.color_delay_us = INT32_MAX;
    assert_int_equal(rig_device_set_sync_config(r.dev[1], &s, NULL), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(rig_context_last_error(r.ctx, msg, sizeof(msg)), "depth_delay_us"));
    s.frames_per_trigger = 0;
    s.trigger_out_delay_us = s.trigger_to_image_delay_us = s.depth_delay_us = s.color_delay_us = 0;
    assert_int_equal(rig_device_set_sync_config(r.dev[1], &s, NULL), RIG_ERROR_INVALID_ARGUMENT);
    s.frames_per_trigger = 1;
    s.trigger_out_delay_us = s.trigger_to_image_delay_us = s.depth_delay_us = s.color_delay_us =
        999999;
    rig_error_t err = rig_device_set_sync_config(r.dev[1], &s, NULL);
    assert_int_equal(err, RIG_OK);
    assert_int_equal(rig_device_start(r.dev[1], NULL, NULL), RIG_OK);
    rig_sim_fault_t f = {.kind = RIG_SIM_FAULT_REBOOT,
                         .at_us = S(1),
                         .serial = SN0,
                         .duration_us = RIG_SIM_FAULT_MAX_DURATION_US};
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_OK);
    f.kind = RIG_SIM_FAULT_CLOCK_WRITE;
    f.serial = SN1;
    f.offset_us = -RIG_SIM_FAULT_MAX_OFFSET_US;
    assert_int_equal(rig_sim_schedule_fault(r.ctx, &f), RIG_OK);
    run_for(&r, 3);
    /* The primary ran until its reboot at 1 s and stays off the bus (an hour). */
    assert_true(r.delivered[0] > 10);
    assert_false(rig_device_present(r.dev[0]));
    uint64_t pulses = 0;
    assert_int_equal(rig_sim_device_pulses_in(r.ctx, 1, &pulses), RIG_OK);
    assert_true(pulses > 10);
    down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unplug_and_replug_recovers_the_device),
        cmocka_unit_test(reboot_to_defaults_is_reconfigured),
        cmocka_unit_test(rig_power_cycle_restarts_secondaries_first),
        cmocka_unit_test(late_device_joins),
        cmocka_unit_test(trigger_glitch_misses_captures_during_its_span_only),
        cmocka_unit_test(trigger_glitch_extra_pulses_make_extra_captures),
        cmocka_unit_test(correlated_drop_burst_hits_several_devices_in_the_same_sets),
        cmocka_unit_test(bogus_timestamps_are_reported_and_kept_off_the_time_line),
        cmocka_unit_test(foreign_clock_write_starts_a_new_epoch),
        cmocka_unit_test(random_faults_keep_conservation),
        cmocka_unit_test(faults_are_checked),
        cmocka_unit_test(huge_values_do_not_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

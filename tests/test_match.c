/*
 * The frameset matcher on made-up sequences. Each frame's payload encodes its true capture id
 * and slot, so mixing, losses and duplicates are checked exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match/match.h"

#define PERIOD 33333.0
#define RIG_MAX_T(a, b) ((a) > (b) ? (a) : (b))
#define MAX_FRAMES 100000

typedef struct tframe {
    size_t slot;
    uint64_t capture;
    int delivered; /* times seen in a set or as unmatched */
} tframe_t;

typedef struct rec {
    tframe_t frames[MAX_FRAMES];
    size_t nframes;
    size_t sets, mixed, partial;
    size_t status_count[5];
    size_t unmatched[RIG_UNMATCHED_REASON_COUNT];
    size_t emitted_during_add; /* sets emitted by the add that completed them */
    int64_t max_wait_us;       /* emission "now" minus the set's key */
    int64_t now;
    size_t max_pending;
    uint64_t sets_of[4096]; /* sets holding a frame of capture c */
    rig_match_t *m;
} rec_t;

static void on_set(const rig_match_set_t *set, void *user)
{
    rec_t *r = user;
    r->sets++;
    uint64_t cap = UINT64_MAX;
    bool mixed = false;
    for (size_t k = 0; k < set->nslots; k++) {
        r->status_count[set->slots[k].status]++;
        tframe_t *f = set->slots[k].payload;
        if (!f)
            continue;
        assert_int_equal(f->slot, k); /* a frame sits in its own slot */
        f->delivered++;
        if (cap == UINT64_MAX)
            cap = f->capture;
        else if (f->capture != cap)
            mixed = true;
    }
    if (mixed)
        r->mixed++;
    if (cap != UINT64_MAX && cap < 4096)
        r->sets_of[cap]++;
    if (set->filled < set->nslots)
        r->partial++;
    if (r->now - set->key_us > r->max_wait_us)
        r->max_wait_us = r->now - set->key_us;
}

static void on_unmatched(void *payload, rig_unmatched_reason_t reason, void *user)
{
    rec_t *r = user;
    ((tframe_t *)payload)->delivered++;
    r->unmatched[reason]++;
}

static rec_t *rec_new(size_t nslots, const rig_match_params_t *params, const int64_t *offsets)
{
    rec_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    rig_match_slot_cfg_t cfg[64];
    for (size_t k = 0; k < nslots; k++)
        cfg[k] = (rig_match_slot_cfg_t){true, PERIOD, offsets ? offsets[k] : 0};
    r->m = rig_match_create(cfg, nslots, params, on_set, on_unmatched, r);
    assert_non_null(r->m);
    return r;
}

static void feed(rec_t *r, size_t slot, uint64_t capture, int64_t ts, uint64_t index,
                 int64_t arrival)
{
    assert_true(r->nframes < MAX_FRAMES);
    tframe_t *f = &r->frames[r->nframes++];
    f->slot = slot;
    f->capture = capture;
    r->now = arrival;
    rig_match_add(r->m, slot, ts, index, arrival, false, f);
    size_t p = rig_match_pending(r->m);
    if (p > r->max_pending)
        r->max_pending = p;
}

static void finish(rec_t *r)
{
    rig_match_flush(r->m);
    /* every frame that arrived is delivered exactly once */
    for (size_t i = 0; i < r->nframes; i++)
        assert_int_equal(r->frames[i].delivered, 1);
    assert_int_equal(r->mixed, 0);
}

static void rec_free(rec_t *r)
{
    rig_match_destroy(r->m);
    free(r);
}

/* Deterministic jitter 0..range-1 us. */
static int64_t jit(uint64_t a, uint64_t b, int64_t range)
{
    uint64_t h = (a + 1) * 0x9E3779B97F4A7C15ull ^ (b + 3) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 31;
    return (int64_t)(h % (uint64_t)range);
}

/* n slots, `captures` captures 1/30 s apart: ts = capture time + small jitter; arrival =
 * capture + 10 ms + jitter (up to `arrival_jitter`); frames fed in arrival order. */
typedef struct pending_f {
    size_t slot;
    uint64_t cap;
    int64_t ts, arrival;
} pending_f_t;

static int cmp_arrival(const void *a, const void *b)
{
    const pending_f_t *x = a, *y = b;
    return (x->arrival > y->arrival) - (x->arrival < y->arrival);
}

static void run_rig(rec_t *r, size_t n, uint64_t captures, int64_t arrival_jitter,
                    uint64_t drop_every, int64_t lag_slot0_us, size_t silent_slot,
                    uint64_t silent_from)
{
    size_t total = (size_t)captures * n;
    pending_f_t *q = malloc(total * sizeof(*q));
    size_t nq = 0;
    for (uint64_t c = 0; c < captures; c++) {
        for (size_t k = 0; k < n; k++) {
            if (drop_every && (c * n + k) % drop_every == drop_every - 1)
                continue;
            if (k == silent_slot && c >= silent_from)
                continue;
            int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
            q[nq++] = (pending_f_t){k, c, t + jit(c, k, 20),
                                    t + 10000 + jit(k, c, arrival_jitter) +
                                        (k == 0 ? lag_slot0_us : 0)};
        }
    }
    qsort(q, nq, sizeof(*q), cmp_arrival);
    uint64_t index[64] = {0};
    uint64_t last_cap[64];
    memset(last_cap, 0xFF, sizeof(last_cap));
    for (size_t i = 0; i < nq; i++) {
        /* frame index counts captures, so drops leave a gap */
        index[q[i].slot] = q[i].cap;
        feed(r, q[i].slot, q[i].cap, q[i].ts, index[q[i].slot], q[i].arrival);
    }
    free(q);
}

static void complete_sets_are_emitted_by_the_frame_that_completes_them(void **state)
{
    (void)state;
    rec_t *r = rec_new(6, NULL, NULL);
    uint64_t index = 0;
    for (uint64_t c = 0; c < 100; c++, index++) {
        int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
        for (size_t k = 0; k < 6; k++) {
            size_t before = r->sets;
            feed(r, k, c, t + (int64_t)k, index, t + 10000 + (int64_t)k * 100);
            /* the sixth frame completes the set: emitted inside that very call */
            assert_int_equal(r->sets, before + (k == 5 ? 1 : 0));
        }
    }
    finish(r);
    assert_int_equal(r->sets, 100);
    assert_int_equal(r->partial, 0);
    rec_free(r);
}

static void a_dropped_frame_leaves_a_marked_slot_and_loses_nothing_else(void **state)
{
    (void)state;
    rec_t *r = rec_new(4, NULL, NULL);
    run_rig(r, 4, 300, 2000, 37, 0, 99, 0); /* one frame in 37 dropped */
    finish(r);
    assert_int_equal(r->sets, 300);
    assert_true(r->status_count[RIG_SLOT_DROPPED] >= 30);
    /* every missing slot is explained as dropped: the index showed the gap */
    assert_int_equal(r->status_count[RIG_SLOT_MISSING] + r->status_count[RIG_SLOT_SILENT], 0);
    assert_int_equal(r->unmatched[RIG_UNMATCHED_LATE], 0);
    rec_free(r);
}

static void a_lagging_device_does_not_mix_captures(void **state)
{
    (void)state;
    rec_t *r = rec_new(4, NULL, NULL);
    /* device 0 delivers 45 ms later than the others (more than a period), with drops */
    run_rig(r, 4, 300, 3000, 23, 45000, 99, 0);
    finish(r);
    assert_int_equal(r->sets, 300);
    assert_int_equal(r->unmatched[RIG_UNMATCHED_LATE], 0);
    rec_free(r);
}

static void a_silent_device_does_not_stall_the_others(void **state)
{
    (void)state;
    rig_match_params_t p;
    rig_match_params_default(&p, PERIOD);
    rec_t *r = rec_new(3, &p, NULL);
    run_rig(r, 3, 300, 2000, 0, 0, 2, 100); /* device 2 goes quiet after capture 100 */
    size_t before_flush = r->sets;
    finish(r);
    assert_int_equal(r->sets, 300);
    /* sets kept coming out while it was silent, each within the deadline of its capture */
    assert_true(before_flush >= 290);
    assert_true(r->max_wait_us <= p.deadline_us + (int64_t)PERIOD);
    assert_true(r->status_count[RIG_SLOT_SILENT] >= 180);
    assert_true(r->max_pending <= 8);
    rec_free(r);
}

static void a_frame_later_than_the_deadline_is_reported_late_not_lost(void **state)
{
    (void)state;
    rec_t *r = rec_new(2, NULL, NULL);
    uint64_t idx0 = 0, idx1 = 0;
    for (uint64_t c = 0; c < 20; c++) {
        int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
        feed(r, 0, c, t, idx0++, t + 10000);
        if (c != 5)
            feed(r, 1, c, t, idx1++, t + 10000);
    }
    /* capture 5 of slot 1 arrives 400 ms late, after its set left (a USB stall) */
    feed(r, 1, 5, 1000000 + (int64_t)(5 * PERIOD), 5, 1000000 + 400000);
    finish(r);
    assert_int_equal(r->unmatched[RIG_UNMATCHED_LATE], 1);
    rec_free(r);
}

static void memory_stays_bounded_whatever_the_input(void **state)
{
    (void)state;
    rig_match_params_t p;
    rig_match_params_default(&p, PERIOD);
    p.max_pending = 4;
    p.deadline_us = 10000000; /* a long deadline: only the bound limits the backlog */
    rec_t *r = rec_new(3, &p, NULL);
    run_rig(r, 3, 200, 2000, 0, 0, 2, 0); /* device 2 never speaks */
    finish(r);
    assert_true(r->max_pending <= 4);
    assert_int_equal(r->sets, 200);
    rec_free(r);
}

static void configured_delays_are_part_of_the_match(void **state)
{
    (void)state;
    /* slot 1 captures 20 ms after slot 0 (depth delay): without the offset it would sit closer
     * to the next capture of slot 0 than to its own */
    const int64_t offsets[2] = {0, 20000};
    rec_t *r = rec_new(2, NULL, offsets);
    uint64_t idx = 0;
    for (uint64_t c = 0; c < 50; c++, idx++) {
        int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
        feed(r, 0, c, t, idx, t + 10000);
        feed(r, 1, c, t + 20000, idx, t + 30000);
    }
    finish(r);
    assert_int_equal(r->sets, 50);
    assert_int_equal(r->partial, 0);
    rec_free(r);
}

static void irregular_triggers_with_several_frames_each_are_grouped_per_capture(void **state)
{
    (void)state;
    rec_t *r = rec_new(3, NULL, NULL);
    uint64_t idx = 0, cap = 0;
    int64_t t = 1000000;
    for (int trig = 0; trig < 40; trig++) {
        t += 50000 + jit((uint64_t)trig, 9, 200000); /* irregular trigger times */
        for (int k = 0; k < 3; k++, idx++, cap++) { /* 3 frames per trigger */
            int64_t tc = t + (int64_t)(k * PERIOD);
            for (size_t s = 0; s < 3; s++)
                feed(r, s, cap, tc + jit(cap, s, 30), idx, tc + 9000 + jit(s, cap, 1500));
        }
    }
    finish(r);
    assert_int_equal(r->sets, 120);
    assert_int_equal(r->partial, 0);
    rec_free(r);
}

static void free_running_devices_pair_with_their_nearest_capture(void **state)
{
    (void)state;
    rec_t *r = rec_new(2, NULL, NULL);
    /* device 1 runs 200 ppm fast and 9 ms out of phase: pairs drift but stay within half a
     * period for this run, and each frame goes with its nearest partner */
    uint64_t idx = 0;
    for (uint64_t c = 0; c < 300; c++, idx++) {
        int64_t t0 = 1000000 + (int64_t)((double)c * PERIOD);
        int64_t t1 = 1009000 + (int64_t)((double)c * PERIOD * (1 - 200e-6));
        feed(r, 0, c, t0, idx, t0 + 10000);
        feed(r, 1, c, t1, idx, t1 + 10000);
    }
    finish(r);
    assert_int_equal(r->sets, 300);
    rec_free(r);
}

static void a_frame_without_a_timestamp_is_reported(void **state)
{
    (void)state;
    rec_t *r = rec_new(2, NULL, NULL);
    feed(r, 0, 0, RIG_TS_NONE, 0, 1000);
    finish(r);
    assert_int_equal(r->unmatched[RIG_UNMATCHED_NO_TIME], 1);
    rec_free(r);
}


static void a_long_stall_never_emits_a_capture_twice(void **state)
{
    (void)state;
    /* Slot 1 stalls for 900 ms (27 captures) then delivers its backlog in a burst, 1 ms apart:
     * the old matcher remembered 8 sets per slot and started second sets for the older ones. */
    rec_t *r = rec_new(2, NULL, NULL);
    const uint64_t n = 120;
    int64_t burst_at = 0;
    for (uint64_t c = 0; c < n; c++) {
        int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
        feed(r, 0, c, t, c, t + 10000);
        if (c >= 30 && c < 57) {
            if (c == 30)
                burst_at = t + 900000;
            continue; /* held back */
        }
        if (c == 57)
            for (uint64_t b = 30; b < 57; b++)
                feed(r, 1, b, 1000000 + (int64_t)((double)b * PERIOD), b,
                     burst_at + (int64_t)(b - 30) * 1000);
        feed(r, 1, c, t, c, RIG_MAX_T(t + 10000, burst_at + 28000));
    }
    finish(r);
    /* each capture in exactly one set */
    for (uint64_t c = 0; c < n; c++)
        assert_int_equal(r->sets_of[c], 1);
    assert_int_equal(r->sets, n);
    /* The burst starts when capture 57 is taken (t57), after slot 0's frame of 57 (t57 + 10
     * ms) emitted every set older than 100 ms: up to capture 54. So the stalled frames of
     * 30..54 come late (25); those of 55 and 56 (waiting 77 and 44 ms then, and from the first
     * burst frame on the slot's deadline is its 900 ms latency) fill their sets. */
    assert_int_equal(r->unmatched[RIG_UNMATCHED_LATE], 25);
    rec_free(r);
}

static void a_device_consistently_300_ms_late_fills_its_slots(void **state)
{
    (void)state;
    rig_match_params_t p;
    rig_match_params_default(&p, PERIOD); /* 100 ms deadline */
    rec_t *r = rec_new(2, &p, NULL);
    run_rig(r, 2, 300, 2000, 0, 300000, 99, 0); /* slot 0 arrives 300 ms late */
    finish(r);
    assert_int_equal(r->sets, 300);
    /* Before its first frame came (310 ms after capture 0) the sets of captures whose 100 ms
     * deadline had passed went without it: captures 0..6 (key + 100 ms + jitter < 310 ms);
     * those frames come late, the other 293 fill their slots. */
    assert_true(r->unmatched[RIG_UNMATCHED_LATE] >= 5 && r->unmatched[RIG_UNMATCHED_LATE] <= 7);
    assert_true(r->partial <= 7);
    /* its deadline is its latency (310-312 ms) plus half a period, bounded by 2 s */
    int64_t d = rig_match_slot_deadline_us(r->m, 0);
    assert_true(d >= 310000 + 16666 && d <= 312000 + 16667);
    assert_int_equal(rig_match_slot_deadline_us(r->m, 1), p.deadline_us);
    rec_free(r);
}

static void the_adaptive_deadline_is_bounded(void **state)
{
    (void)state;
    rec_t *r = rec_new(2, NULL, NULL);
    /* a frame 5 s late (a stall, or a bogus timestamp): its slot waits 2 s at most */
    feed(r, 0, 0, 1000000, 0, 6000000);
    assert_int_equal(rig_match_slot_deadline_us(r->m, 0), RIG_MATCH_MAX_DEADLINE_US);
    /* a timestamp in the future says nothing of lateness */
    feed(r, 1, 1, 9000000, 0, 6000001);
    assert_int_equal(rig_match_slot_deadline_us(r->m, 1), 100000);
    finish(r);
    rec_free(r);
}

static void a_slot_enabled_later_joins_and_frames_of_unknown_slots_are_reported(void **state)
{
    (void)state;
    rig_match_slot_cfg_t cfg[1] = {{true, PERIOD, 0}};
    rec_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    r->m = rig_match_create(cfg, 1, NULL, on_set, on_unmatched, r);
    assert_non_null(r->m);
    for (uint64_t c = 0; c < 60; c++) {
        int64_t t = 1000000 + (int64_t)((double)c * PERIOD);
        if (c == 20) {
            /* slot 3 (beyond the matcher's one) before it is enabled: no slot */
            feed(r, 3, c, t, 0, t + 10000);
            assert_int_equal(r->unmatched[RIG_UNMATCHED_NO_SLOT], 1);
            rig_match_slot_cfg_t on = {true, PERIOD, 0};
            assert_true(rig_match_set_slot(r->m, 3, &on));
            assert_int_equal(rig_match_slot_count(r->m), 4);
        }
        feed(r, 0, c, t, c, t + 10000);
        if (c >= 20)
            feed(r, 3, c, t, c - 20 + 1, t + 11000);
    }
    finish(r);
    assert_int_equal(r->sets, 60);
    /* sets 0..19 complete with slot 0 alone; from 20 on both slots */
    for (uint64_t c = 0; c < 60; c++)
        assert_int_equal(r->sets_of[c], 1);
    /* every frame of the slot that joined is in its capture's set */
    assert_int_equal(r->unmatched[RIG_UNMATCHED_LATE], 0);
    assert_int_equal(r->unmatched[RIG_UNMATCHED_NO_SLOT], 1);
    rec_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complete_sets_are_emitted_by_the_frame_that_completes_them),
        cmocka_unit_test(a_dropped_frame_leaves_a_marked_slot_and_loses_nothing_else),
        cmocka_unit_test(a_lagging_device_does_not_mix_captures),
        cmocka_unit_test(a_silent_device_does_not_stall_the_others),
        cmocka_unit_test(a_frame_later_than_the_deadline_is_reported_late_not_lost),
        cmocka_unit_test(memory_stays_bounded_whatever_the_input),
        cmocka_unit_test(configured_delays_are_part_of_the_match),
        cmocka_unit_test(irregular_triggers_with_several_frames_each_are_grouped_per_capture),
        cmocka_unit_test(free_running_devices_pair_with_their_nearest_capture),
        cmocka_unit_test(a_frame_without_a_timestamp_is_reported),
        cmocka_unit_test(a_long_stall_never_emits_a_capture_twice),
        cmocka_unit_test(a_device_consistently_300_ms_late_fills_its_slots),
        cmocka_unit_test(the_adaptive_deadline_is_bounded),
        cmocka_unit_test(a_slot_enabled_later_joins_and_frames_of_unknown_slots_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

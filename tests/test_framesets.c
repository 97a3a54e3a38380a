/*
 * Framesets through the public API on the simulated rig, in virtual time: every frame that
 * arrives ends exactly once in a set or in the unmatched callback, on every path (stalls,
 * drops, a late device, a device started late, a full pull queue), counted by
 * rig_context_frame_accounting and checked against what the callbacks saw; no capture is
 * emitted twice; 0-timeout waits make progress; destroy from inside a callback is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define MAXDEV 4
#define NSLOT (MAXDEV * RIG_STREAM_COUNT)

typedef struct run {
    rig_config_t *cfg;
    rig_context_t *ctx;
    rig_device_t *dev[MAXDEV];
    size_t n;
    /* what the callbacks saw, per slot */
    uint64_t seen[NSLOT];          /* frame callback */
    uint64_t in_sets[NSLOT];       /* frames in sets handed out */
    uint64_t unmatched[NSLOT][RIG_UNMATCHED_REASON_COUNT];
    uint64_t sets;
    int64_t *set_times;
    size_t nset_times, cap_set_times;
    size_t set_ndev_min, set_ndev_max;
    /* destroy-from-callback probes */
    int destroy_in;  /* which callback tries: 0 none, 1 frame, 2 set, 3 unmatched, 4 clock,
                        5 device event */
    int destroy_tries;
    rig_error_t destroy_err;
} run_t;

static rig_config_t *parse(const char *json)
{
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    if (rig_config_parse(json, "test.json", &cfg, &diag) != RIG_OK)
        fail_msg("config rejected: %s: %s", diag.field, diag.message);
    return cfg;
}

static void try_destroy(run_t *r, int where)
{
    if (r->destroy_in != where)
        return;
    r->destroy_tries++;
    r->destroy_err = rig_context_destroy(r->ctx);
}

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    r->seen[rig_frame_device_index(f) * RIG_STREAM_COUNT + rig_frame_stream(f)]++;
    try_destroy(r, 1);
}

static void note_set(run_t *r, const rig_frameset_t *set)
{
    r->sets++;
    size_t nd = rig_frameset_device_count(set);
    if (r->sets == 1 || nd < r->set_ndev_min)
        r->set_ndev_min = nd;
    if (nd > r->set_ndev_max)
        r->set_ndev_max = nd;
    for (size_t d = 0; d < nd; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            if (rig_frameset_frame(set, d, (rig_stream_t)s))
                r->in_sets[d * RIG_STREAM_COUNT + (size_t)s]++;
    if (r->nset_times == r->cap_set_times) {
        r->cap_set_times = r->cap_set_times ? r->cap_set_times * 2 : 1024;
        r->set_times = realloc(r->set_times, r->cap_set_times * sizeof(int64_t));
        assert_non_null(r->set_times);
    }
    r->set_times[r->nset_times++] = rig_frameset_time_us(set);
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    note_set(r, set);
    try_destroy(r, 2);
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    run_t *r = user;
    r->unmatched[rig_frame_device_index(f) * RIG_STREAM_COUNT + rig_frame_stream(f)][reason]++;
    try_destroy(r, 3);
}

static void on_clock(const rig_clock_event_t *ev, void *user)
{
    (void)ev;
    try_destroy(user, 4);
}

static void on_device_event(const rig_device_event_t *ev, void *user)
{
    (void)ev;
    try_destroy(user, 5);
}

/* Opens every device of json; starts those whose bit is set in start_mask (secondaries
 * first). Frame, unmatched and (unless pull) frameset callbacks installed. */
static void up(run_t *r, const char *json, unsigned start_mask, bool pull, size_t queue_cap)
{
    memset(r, 0, sizeof(*r));
    r->cfg = parse(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r->cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    assert_int_equal(rig_context_create(&o, &r->ctx), RIG_OK);
    r->n = rig_config_device_count(r->cfg);
    assert_true(r->n <= MAXDEV);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(rig_device_open(r->ctx, rig_config_device_serial(r->cfg, i), &r->dev[i]),
                         RIG_OK);
        rig_sync_config_t s;
        rig_config_device_sync(r->cfg, i, &s);
        assert_int_equal(rig_device_set_sync_config(r->dev[i], &s, NULL), RIG_OK);
    }
    rig_context_set_frame_callback(r->ctx, on_frame, r);
    rig_context_set_unmatched_callback(r->ctx, on_unmatched, r);
    if (!pull)
        rig_context_set_frameset_callback(r->ctx, on_set, r);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->n; i++) {
            rig_sync_config_t s;
            rig_config_device_sync(r->cfg, i, &s);
            if ((start_mask >> i & 1) && (s.mode == RIG_SYNC_MODE_PRIMARY) == (pass == 1))
                assert_int_equal(rig_device_start(r->dev[i], NULL, NULL), RIG_OK);
        }
    rig_frameset_options_t fo = {0, queue_cap};
    assert_int_equal(rig_context_enable_framesets(r->ctx, &fo), RIG_OK);
}

static void down(run_t *r)
{
    if (r->ctx)
        assert_int_equal(rig_context_destroy(r->ctx), RIG_OK);
    rig_config_destroy(r->cfg);
    free(r->set_times);
}

/* delivered == in_sets + unmatched + overflow + pending + no_memory, per device and stream,
 * and each term equals what the callbacks saw. Returns the accounting of (dev, stream). */
static void check_conservation(run_t *r, bool pull)
{
    for (size_t d = 0; d < r->n; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            size_t k = d * RIG_STREAM_COUNT + (size_t)s;
            rig_frame_accounting_t a;
            assert_int_equal(rig_context_frame_accounting(r->ctx, d, (rig_stream_t)s, &a), RIG_OK);
            assert_int_equal(a.delivered,
                             a.in_sets + a.unmatched + a.overflow + a.pending + a.no_memory);
            assert_int_equal(a.no_memory, 0);
            assert_int_equal(a.delivered, r->seen[k]); /* the frame callback saw each */
            uint64_t um = 0;
            for (int q = 1; q < RIG_UNMATCHED_REASON_COUNT; q++) {
                assert_int_equal(a.unmatched_by_reason[q], r->unmatched[k][q]);
                if (q != RIG_UNMATCHED_OVERFLOW)
                    um += r->unmatched[k][q];
            }
            assert_int_equal(a.unmatched, um);
            assert_int_equal(a.overflow, r->unmatched[k][RIG_UNMATCHED_OVERFLOW]);
            if (!pull)
                assert_int_equal(a.in_sets, r->in_sets[k]);
        }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* No capture twice: sets of a 30 fps locked rig are a period (33.3 ms) apart; two sets of one
 * capture would be within half a period. */
static void check_each_capture_once(run_t *r)
{
    qsort(r->set_times, r->nset_times, sizeof(int64_t), cmp_i64);
    for (size_t i = 1; i < r->nset_times; i++)
        if (r->set_times[i] - r->set_times[i - 1] <= 16666)
            fail_msg("sets %zu and %zu are %lld us apart: one capture emitted twice", i - 1, i,
                     (long long)(r->set_times[i] - r->set_times[i - 1]));
}

#define THREE_SYNCED(transport, simdevs)                                                         \
    "{\"devices\":["                                                                             \
    "{\"serial_number\":\"FS000001\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}}," \
    "{\"serial_number\":\"FS000002\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}," \
    "{\"serial_number\":\"FS000003\",\"config\":{\"mode\":\"SECONDARY\"}}],"                     \
    "\"sim\":{\"pixels\":false,\"transport\":{" transport "}" simdevs "}}"

static void stalls_and_drops_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    run_t r;
    /* 5 % of frames stalled 20-200 ms, 2 % dropped: the hostile tester's run */
    up(&r,
       THREE_SYNCED("\"stall_probability\":0.05,\"stall_min_us\":20000,\"stall_max_us\":200000,"
                    "\"drop_probability\":0.02",
                    ""),
       7, false, 0);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(rig_sim_advance_us(r.ctx, 1000000), RIG_OK);
        check_conservation(&r, false); /* mid-run too, with sets pending */
    }
    assert_int_equal(rig_context_flush_framesets(r.ctx), RIG_OK);
    check_conservation(&r, false);
    uint64_t delivered = 0, in_sets = 0;
    for (size_t k = 0; k < 6; k++) {
        rig_frame_accounting_t a;
        rig_context_frame_accounting(r.ctx, k / 2, (rig_stream_t)(k % 2), &a);
        assert_int_equal(a.pending, 0);
        delivered += a.delivered;
        in_sets += a.in_sets;
    }
    /* ~600 frames per slot; the adaptive deadline waits out the stalls: before it, 5.6 % of
     * the frames of such a run came late (measured: 201 of 3564); now only those of the first
     * stalls, before a slot has seen one, may: at most 2 %. */
    assert_true(delivered > 3300);
    assert_true(in_sets * 100 >= delivered * 98);
    check_each_capture_once(&r);
    down(&r);
}

static void a_device_300_ms_late_fills_its_slots(void **state)
{
    (void)state;
    run_t r;
    up(&r,
       THREE_SYNCED("\"stall_probability\":0,\"drop_probability\":0",
                    ",\"devices\":[{\"serial_number\":\"FS000001\"},"
                    "{\"serial_number\":\"FS000002\",\"latency_floor_us\":300000},"
                    "{\"serial_number\":\"FS000003\"}]"),
       7, false, 0);
    assert_int_equal(rig_sim_advance_us(r.ctx, 10000000), RIG_OK);
    rig_context_flush_framesets(r.ctx);
    check_conservation(&r, false);
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_frame_accounting_t a;
        rig_context_frame_accounting(r.ctx, 1, (rig_stream_t)s, &a);
        /* Its first frame arrives ~300 ms after its capture, when the sets of the first
         * ~(300 - 100) / 33.3 = 6 captures have gone (100 ms deadline): those few come late;
         * from then on its deadline is its latency plus half a period. */
        /* 10 s less the start-up (~0.23 s) and the 0.3 s in flight at the end: ~284 */
        assert_true(a.delivered >= 270);
        assert_true(a.unmatched_by_reason[RIG_UNMATCHED_LATE] <= 12);
        assert_true(a.in_sets + 12 >= a.delivered);
    }
    check_each_capture_once(&r);
    down(&r);
}

static void a_device_started_late_joins_the_framesets(void **state)
{
    (void)state;
    run_t r;
    /* device#2 (SECONDARY) starts 2 s after framesets were enabled */
    up(&r, THREE_SYNCED("\"stall_probability\":0,\"drop_probability\":0", ""), 3, false, 0);
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000000), RIG_OK);
    uint64_t sets_before = r.sets;
    assert_int_equal(rig_device_start(r.dev[2], NULL, NULL), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 3000000), RIG_OK);
    rig_context_flush_framesets(r.ctx);
    check_conservation(&r, false);
    assert_true(sets_before >= 45); /* 2 s less the start-up (~0.23 s) at 30 per second */
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_frame_accounting_t a;
        rig_context_frame_accounting(r.ctx, 2, (rig_stream_t)s, &a);
        /* 3 s at 30 fps, less its start-up: and every one of them in a set (none leaked) */
        assert_true(a.delivered >= 80);
        assert_int_equal(a.in_sets, a.delivered);
    }
    check_each_capture_once(&r);
    down(&r);
}

static void a_device_opened_after_enable_gets_slots_in_later_sets(void **state)
{
    (void)state;
    run_t r;
    const char *json =
        "{\"devices\":["
        "{\"serial_number\":\"FS000001\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
        "{\"serial_number\":\"FS000002\",\"config\":{\"mode\":\"SECONDARY\"}}],"
        "\"sim\":{\"pixels\":false,\"transport\":{\"stall_probability\":0,\"drop_probability\":0}}}";
    memset(&r, 0, sizeof(r));
    r.cfg = parse(json);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = r.cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    assert_int_equal(rig_context_create(&o, &r.ctx), RIG_OK);
    r.n = 1;
    rig_sync_config_t s;
    assert_int_equal(rig_device_open(r.ctx, "FS000001", &r.dev[0]), RIG_OK);
    rig_config_device_sync(r.cfg, 0, &s);
    rig_device_set_sync_config(r.dev[0], &s, NULL);
    rig_context_set_frame_callback(r.ctx, on_frame, &r);
    rig_context_set_unmatched_callback(r.ctx, on_unmatched, &r);
    rig_context_set_frameset_callback(r.ctx, on_set, &r);
    assert_int_equal(rig_device_start(r.dev[0], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_framesets(r.ctx, NULL), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 1000000), RIG_OK);
    assert_int_equal(r.set_ndev_max, 1); /* before: no slot for the device not yet open */
    /* now the secondary is opened and started mid-run */
    r.n = 2;
    assert_int_equal(rig_device_open(r.ctx, "FS000002", &r.dev[1]), RIG_OK);
    rig_config_device_sync(r.cfg, 1, &s);
    rig_device_set_sync_config(r.dev[1], &s, NULL);
    assert_int_equal(rig_device_start(r.dev[1], NULL, NULL), RIG_OK);
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000000), RIG_OK);
    rig_context_flush_framesets(r.ctx);
    check_conservation(&r, false);
    assert_int_equal(r.set_ndev_min, 1);
    assert_int_equal(r.set_ndev_max, 2);
    rig_frame_accounting_t a;
    rig_context_frame_accounting(r.ctx, 1, RIG_STREAM_DEPTH, &a);
    assert_true(a.delivered >= 50);
    assert_int_equal(a.in_sets, a.delivered);
    down(&r);
}

static void a_full_pull_queue_reports_what_it_drops(void **state)
{
    (void)state;
    run_t r;
    up(&r, THREE_SYNCED("\"stall_probability\":0,\"drop_probability\":0", ""), 7, true, 4);
    /* 2 s of sets (about 60) into a queue of 4, nobody pulling */
    assert_int_equal(rig_sim_advance_us(r.ctx, 2000000), RIG_OK);
    uint64_t drops = rig_context_frameset_drops(r.ctx);
    assert_true(drops >= 50);
    check_conservation(&r, true);
    /* every frame of a dropped set came to the unmatched callback as "overflow": 6 per set
     * (3 devices x 2 streams, a quiet transport fills every slot) */
    uint64_t overflow = 0;
    for (size_t k = 0; k < 6; k++)
        overflow += r.unmatched[k][RIG_UNMATCHED_OVERFLOW];
    assert_true(overflow >= 6 * drops - 6 && overflow <= 6 * drops);
    /* the 4 kept can still be taken */
    for (int i = 0; i < 4; i++) {
        rig_frameset_t *set = NULL;
        assert_int_equal(rig_context_wait_frameset(r.ctx, 0, &set), RIG_OK);
        rig_frameset_release(set);
    }
    assert_string_equal(rig_unmatched_reason_name(RIG_UNMATCHED_OVERFLOW), "overflow");
    down(&r);
}

static void zero_timeout_waits_make_progress_in_virtual_time(void **state)
{
    (void)state;
    run_t r;
    up(&r, THREE_SYNCED("\"stall_probability\":0,\"drop_probability\":0", ""), 7, true, 64);
    int64_t t0, t1;
    rig_sim_now_us(r.ctx, &t0);
    rig_frameset_t *set = NULL;
    int calls = 0;
    while (!set && calls < 1000) {
        rig_error_t err = rig_context_wait_frameset(r.ctx, 0, &set);
        assert_true(err == RIG_OK || err == RIG_ERROR_TIMEOUT);
        calls++;
        rig_sim_now_us(r.ctx, &t1);
        if (!set) /* each empty poll let exactly 1 ms of virtual time pass */
            assert_int_equal(t1 - t0, (int64_t)calls * 1000);
    }
    /* the first set comes after the start-up (~0.23 s) and a frame's latency */
    assert_non_null(set);
    rig_frameset_release(set);
    assert_true(t1 > t0);
    down(&r);

    /* the same for frames, without framesets */
    rig_config_t *cfg = parse(THREE_SYNCED("\"stall_probability\":0", ""));
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    rig_device_t *d;
    assert_int_equal(rig_device_open(ctx, "FS000001", &d), RIG_OK);
    assert_int_equal(rig_device_start(d, NULL, NULL), RIG_OK);
    rig_frame_t *f = NULL;
    for (calls = 0; !f && calls < 1000; calls++)
        rig_context_wait_frame(ctx, 0, &f);
    assert_non_null(f);
    assert_true(calls > 1); /* the start-up took several polls, each 1 ms */
    rig_frame_release(f);
    assert_int_equal(rig_context_destroy(ctx), RIG_OK);
    rig_config_destroy(cfg);
}

static void destroy_from_inside_any_callback_is_refused(void **state)
{
    (void)state;
    for (int where = 1; where <= 5; where++) {
        run_t r;
        /* pull mode with a queue of 1 for the unmatched probe: overflow reaches it */
        up(&r, THREE_SYNCED("\"stall_probability\":0,\"drop_probability\":0", ""), 7,
           where == 3, where == 3 ? 1 : 0);
        rig_context_set_clock_event_callback(r.ctx, on_clock, &r);
        rig_context_set_device_event_callback(r.ctx, on_device_event, &r);
        r.destroy_in = where;
        rig_context_enable_clock_sync(r.ctx, 1000);
        assert_int_equal(rig_sim_advance_us(r.ctx, 500000), RIG_OK);
        if (where == 5)
            rig_context_deliver_device_event(r.ctx, 0, RIG_DEVICE_EVENT_GONE, 0, "probe");
        assert_true(r.destroy_tries > 0);
        assert_int_equal(r.destroy_err, RIG_ERROR_STATE);
        char msg[256];
        assert_non_null(strstr(rig_context_last_error(r.ctx, msg, sizeof(msg)), "callback"));
        /* the context is intact and goes on */
        r.destroy_in = 0;
        assert_int_equal(rig_sim_advance_us(r.ctx, 100000), RIG_OK);
        down(&r); /* outside any callback: destroyed */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stalls_and_drops_lose_and_duplicate_nothing),
        cmocka_unit_test(a_device_300_ms_late_fills_its_slots),
        cmocka_unit_test(a_device_started_late_joins_the_framesets),
        cmocka_unit_test(a_device_opened_after_enable_gets_slots_in_later_sets),
        cmocka_unit_test(a_full_pull_queue_reports_what_it_drops),
        cmocka_unit_test(zero_timeout_waits_make_progress_in_virtual_time),
        cmocka_unit_test(destroy_from_inside_any_callback_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

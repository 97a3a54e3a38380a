/* The replay backend through the library API: a 3 s virtual-time run of the default rig with
 * pixels, recorded with the recorder (its callbacks and the metadata the replay reads), played
 * back with rig_context_options_t.backend = "replay" and pulled with rig_context_wait_frameset:
 * every set equal (seq, time, spread, each slot's status, frame index, timestamps, pixels). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config_internal.h"
#include "core/core.h"
#include "mcap/mcap_writer.h"
#include "record/recorder.h"
#include "rigsync/replay.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define MAXSETS 256
#define NDEV 2

typedef struct {
    uint64_t seq;
    int64_t time_us, spread_us;
    int status[NDEV][RIG_STREAM_COUNT];
    uint64_t index[NDEV][RIG_STREAM_COUNT];
    int64_t device_ts[NDEV][RIG_STREAM_COUNT], host_ts[NDEV][RIG_STREAM_COUNT],
        global_ts[NDEV][RIG_STREAM_COUNT];
    uint32_t pixel_sum[NDEV][RIG_STREAM_COUNT];
} set_t;

typedef struct {
    rig_recorder_t *rec;
    set_t sets[MAXSETS];
    size_t n;
    uint64_t frames;
} run_t;

static void keep_set(run_t *r, const rig_frameset_t *set)
{
    assert_true(r->n < MAXSETS);
    set_t *s = &r->sets[r->n++];
    memset(s, 0, sizeof(*s));
    s->seq = rig_frameset_seq(set);
    s->time_us = rig_frameset_time_us(set);
    s->spread_us = rig_frameset_spread_us(set);
    assert_int_equal(rig_frameset_device_count(set), NDEV);
    for (size_t d = 0; d < NDEV; d++)
        for (int k = 0; k < RIG_STREAM_COUNT; k++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)k);
            s->status[d][k] = (int)rig_frameset_status(set, d, (rig_stream_t)k);
            if (!f)
                continue;
            s->index[d][k] = rig_frame_index(f);
            s->device_ts[d][k] = rig_frame_device_ts_us(f);
            s->host_ts[d][k] = rig_frame_host_ts_us(f);
            s->global_ts[d][k] = rig_frame_global_ts_us(f);
            const uint8_t *px = rig_frame_data(f);
            for (size_t i = 0; px && i < rig_frame_data_size(f); i += 97)
                s->pixel_sum[d][k] = s->pixel_sum[d][k] * 31u + px[i];
        }
}

static void on_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    r->frames++;
    rig_recorder_frame(r->rec, f);
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_t *r = user;
    keep_set(r, set);
    rig_recorder_frameset(r->rec, set);
}

static void on_clock(const rig_clock_event_t *e, void *user) { rig_recorder_clock_event(user, e); }

static void on_event(const rig_device_event_t *e, void *user) { rig_recorder_device_event(user, e); }

/* Starts the default rig's devices, secondary first. */
static void start_rig(rig_context_t *ctx, rig_device_t **dev, const rig_config_t *cfg)
{
    for (size_t i = 0; i < NDEV; i++) {
        assert_int_equal(
            rig_device_open_expected(ctx, rig_config_device_serial(cfg, i), &dev[i]), RIG_OK);
        rig_sync_config_t sc;
        assert_int_equal(rig_config_device_sync(cfg, i, &sc), RIG_OK);
        rig_error_t e = rig_device_set_sync_config(dev[i], &sc, NULL);
        char why[512];
        if (e != RIG_OK)
            fail_msg("%s", rig_context_last_error(ctx, why, sizeof why));
    }
    assert_int_equal(rig_device_start(dev[1], NULL, NULL), RIG_OK);
    assert_int_equal(rig_device_start(dev[0], NULL, NULL), RIG_OK);
}

static void record(const char *path, const rig_config_t *cfg, run_t *r)
{
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    const char *serials[NDEV] = {rig_config_device_serial(cfg, 0), rig_config_device_serial(cfg, 1)};
    rig_recorder_options_t ro = {.block_when_full = true};
    char msg[256];
    assert_int_equal(rig_recorder_open(path, &ro, serials, NDEV, &r->rec, msg, sizeof msg), RIG_OK);
    /* The metadata a replay reads (as tools/cli_record.c writes it). */
    char sync[NDEV][256], rig[NDEV][256];
    rig_mcap_kv_t kv[2 + NDEV];
    kv[0] = (rig_mcap_kv_t){"source", rig_config_source(cfg)};
    kv[1] = (rig_mcap_kv_t){"json", cfg->text};
    rig_mcap_kv_t rk[1 + NDEV];
    rk[0] = (rig_mcap_kv_t){"device_count", "2"};
    static const char *const keys[NDEV] = {"devices[0]", "devices[1]"};
    for (size_t i = 0; i < NDEV; i++) {
        rig_sync_config_t sc;
        rig_config_device_sync(cfg, i, &sc);
        snprintf(sync[i], sizeof sync[i],
                 "serial %s mode %s depth_delay_us %d color_delay_us %d "
                 "trigger_to_image_delay_us %d trigger_out_enable %s trigger_out_delay_us %d "
                 "frames_per_trigger %d",
                 serials[i], rig_sync_mode_name(sc.mode), (int)sc.depth_delay_us,
                 (int)sc.color_delay_us, (int)sc.trigger_to_image_delay_us,
                 sc.trigger_out_enable ? "true" : "false", (int)sc.trigger_out_delay_us,
                 (int)sc.frames_per_trigger);
        snprintf(rig[i], sizeof rig[i], "serial %s model SIM timestamp_bits 64 modes 0x7F",
                 serials[i]);
        kv[2 + i] = (rig_mcap_kv_t){keys[i], sync[i]};
        rk[1 + i] = (rig_mcap_kv_t){keys[i], rig[i]};
    }
    assert_int_equal(rig_recorder_add_metadata(r->rec, "rigsync.config", kv, 2 + NDEV), RIG_OK);
    assert_int_equal(rig_recorder_add_metadata(r->rec, "rigsync.rig", rk, 1 + NDEV), RIG_OK);
    rig_context_set_frame_callback(ctx, on_frame, r);
    rig_context_set_frameset_callback(ctx, on_set, r);
    rig_context_set_clock_event_callback(ctx, on_clock, r->rec);
    rig_context_set_device_event_callback(ctx, on_event, r->rec);
    rig_device_t *dev[NDEV];
    start_rig(ctx, dev, cfg);
    /* the streams as started (the replay's default profiles) */
    char prof[NDEV][RIG_STREAM_COUNT][64];
    rig_mcap_kv_t pk[NDEV * RIG_STREAM_COUNT];
    static const char *const pkeys[NDEV][RIG_STREAM_COUNT] = {
        {"devices[0].color", "devices[0].depth"}, {"devices[1].color", "devices[1].depth"}};
    for (size_t i = 0; i < NDEV; i++)
        for (int k = 0; k < RIG_STREAM_COUNT; k++) {
            rig_stream_profile_t p;
            bool known;
            int64_t fl, un;
            assert_int_equal(rig_device_stream_facts(dev[i], (rig_stream_t)k, &p, &known, &fl, &un),
                             RIG_OK);
            assert_false(known); /* the simulator reads its clocks two-way: no floor hints */
            snprintf(prof[i][k], sizeof prof[i][k], "%ux%u@%u %s floor none", p.width, p.height,
                     p.fps, rig_format_name(p.format));
            pk[i * RIG_STREAM_COUNT + (size_t)k] = (rig_mcap_kv_t){pkeys[i][k], prof[i][k]};
        }
    assert_int_equal(rig_recorder_add_metadata(r->rec, "rigsync.run", pk, NDEV * RIG_STREAM_COUNT),
                     RIG_OK);
    assert_int_equal(rig_context_enable_framesets(ctx, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 1000), RIG_OK);
    assert_int_equal(rig_sim_advance_us(ctx, 3000000), RIG_OK);
    for (size_t i = 0; i < NDEV; i++)
        rig_device_stop(dev[i]);
    rig_context_flush_framesets(ctx);
    rig_context_destroy(ctx);
    assert_int_equal(rig_recorder_stop(r->rec, msg, sizeof msg), RIG_OK);
    rig_recorder_stats_t st;
    rig_recorder_get_stats(r->rec, &st);
    assert_int_equal(st.dropped_frames, 0);
    assert_int_equal(st.frames_written, r->frames);
    assert_int_equal(rig_recorder_close(r->rec, msg, sizeof msg), RIG_OK);
}

static void test_replay_gives_the_same_sets(void **state)
{
    (void)state;
    static run_t rec, rep;
    memset(&rec, 0, sizeof rec);
    memset(&rep, 0, sizeof rep);
    char path[] = "/tmp/test_replay_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    rig_config_t *cfg = NULL;
    assert_int_equal(rig_config_default(&cfg, NULL), RIG_OK);
    record(path, cfg, &rec);
    /* ~90 captures in 3 s at 30 fps, every one with pixels */
    assert_true(rec.n > 80);
    assert_true(rec.frames > 300);

    /* The recorded config comes back from the file. */
    rig_config_t *rcfg = NULL;
    char msg[512];
    assert_int_equal(rig_replay_load_config(path, &rcfg, msg, sizeof msg), RIG_OK);
    assert_int_equal(rig_config_device_count(rcfg), NDEV);
    assert_string_equal(rig_config_device_serial(rcfg, 1), rig_config_device_serial(cfg, 1));

    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "replay";
    o.replay_path = path;
    o.time_mode = RIG_TIME_VIRTUAL;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    assert_string_equal(rig_context_backend_name(ctx), "replay");
    size_t n = 0;
    assert_int_equal(rig_context_device_count(ctx, &n), RIG_OK);
    assert_int_equal(n, NDEV);
    rig_device_t *dev[NDEV];
    {
        /* another sync config than the recorded one cannot be played */
        rig_context_t *c2;
        assert_int_equal(rig_context_create(&o, &c2), RIG_OK);
        assert_int_equal(rig_device_open(c2, rig_config_device_serial(cfg, 0), &dev[0]), RIG_OK);
        rig_sync_config_t other = rig_sync_config_default();
        other.mode = RIG_SYNC_MODE_FREE_RUN;
        assert_int_equal(rig_device_set_sync_config(dev[0], &other, NULL), RIG_ERROR_UNSUPPORTED);
        assert_non_null(strstr(rig_context_last_error(c2, msg, sizeof msg), "recorded sync config"));
        rig_context_destroy(c2);
    }
    start_rig(ctx, dev, rcfg);
    assert_int_equal(rig_context_enable_framesets(ctx, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 1000), RIG_OK);
    for (int polls = 0;; polls++) {
        assert_true(polls < 10000); /* 3 s of recording: ~100 sets, ~40 polls of 100 ms */
        rig_frameset_t *set = NULL;
        rig_error_t e = rig_context_wait_frameset(ctx, 100, &set);
        if (e == RIG_OK) {
            keep_set(&rep, set);
            rig_frameset_release(set);
            continue;
        }
        assert_int_equal(e, RIG_ERROR_TIMEOUT);
        bool finished = false;
        assert_int_equal(rig_replay_status(ctx, &finished, msg, sizeof msg), RIG_OK);
        assert_string_equal(msg, ""); /* a complete file: no warning */
        if (finished)
            break;
    }
    for (size_t i = 0; i < NDEV; i++)
        rig_device_stop(dev[i]);
    rig_context_flush_framesets(ctx);
    rig_frameset_t *set = NULL;
    while (rig_context_wait_frameset(ctx, 0, &set) == RIG_OK) {
        keep_set(&rep, set);
        rig_frameset_release(set);
    }
    rig_context_destroy(ctx);

    assert_int_equal(rep.n, rec.n);
    for (size_t i = 0; i < rec.n; i++) {
        const set_t *a = &rec.sets[i], *b = &rep.sets[i];
        assert_int_equal(a->seq, b->seq);
        assert_int_equal(a->time_us, b->time_us);
        assert_int_equal(a->spread_us, b->spread_us);
        assert_memory_equal(a->status, b->status, sizeof a->status);
        assert_memory_equal(a->index, b->index, sizeof a->index);
        assert_memory_equal(a->device_ts, b->device_ts, sizeof a->device_ts);
        assert_memory_equal(a->host_ts, b->host_ts, sizeof a->host_ts);
        assert_memory_equal(a->global_ts, b->global_ts, sizeof a->global_ts);
        assert_memory_equal(a->pixel_sum, b->pixel_sum, sizeof a->pixel_sum);
    }
    rig_config_destroy(rcfg);
    rig_config_destroy(cfg);
    unlink(path);
}

static void test_replay_of_no_file(void **state)
{
    (void)state;
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "replay";
    char detail[512] = "";
    o.error_detail = detail;
    o.error_detail_len = sizeof detail;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(detail, "replay_path"));
    o.replay_path = "/nonexistent/rec.mcap";
    assert_int_equal(rig_context_create(&o, &ctx), RIG_ERROR_IO);
    assert_non_null(strstr(detail, "/nonexistent/rec.mcap: offset 0"));
}

/* fuzz_replay's first finding (kept as fuzz/corpus/fuzz_replay/
 * finding_clock_event_host_time_int64_min.mcap): a recording whose two-way ClockEvent of
 * FLT00002 (message 15 of the chunk at offset 6837) has host_before_us with its top byte 0xb5,
 * -5402619552844574200 us. The clock estimator took host_after - host_before of it: a signed
 * overflow. The replay refuses such a host time as a corrupt file, naming the message. */
static void test_replay_refuses_a_host_time_off_any_host_clock(void **state)
{
    (void)state;
    const char *data = getenv("RIGSYNC_TEST_DATA");
    assert_non_null(data);
    char path[1024];
    snprintf(path, sizeof path,
             "%s/../../fuzz/corpus/fuzz_replay/finding_clock_event_host_time_int64_min.mcap",
             data);
    rig_config_t *cfg = NULL;
    char msg[512];
    assert_int_equal(rig_replay_load_config(path, &cfg, msg, sizeof msg), RIG_OK);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "replay";
    o.replay_path = path;
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    rig_device_t *dev[3];
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(
            rig_device_open_expected(ctx, rig_config_device_serial(cfg, i), &dev[i]), RIG_OK);
        assert_int_equal(rig_device_start(dev[i], NULL, NULL), RIG_OK);
    }
    assert_int_equal(rig_context_enable_clock_sync(ctx, 100), RIG_OK);
    rig_error_t e = RIG_OK;
    for (int i = 0; i < 20 && e == RIG_OK; i++)
        e = rig_replay_advance_us(ctx, 100000);
    assert_int_equal(e, RIG_ERROR_IO);
    bool finished = false;
    assert_int_equal(rig_replay_status(ctx, &finished, msg, sizeof msg), RIG_ERROR_IO);
    assert_true(finished);
    assert_non_null(strstr(msg, ": offset 6837: message 15 of /rig/clock_events: host times "
                                "-5402619552844574200 and "));
    assert_non_null(strstr(msg, "not on a host clock"));
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_gives_the_same_sets),
        cmocka_unit_test(test_replay_of_no_file),
        cmocka_unit_test(test_replay_refuses_a_host_time_off_any_host_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_obemu_pipeline: the emulator's pipelines, configs, frames and framesets make the calls
 * the vendor's samples make (0.basic.quick_start, 1.stream.*, 3.advanced.sync_align,
 * 4.misc.metadata, 4.misc.save_to_disk, c_examples) and get what the real SDK gives: the
 * default device and streams, framesets that aggregate color and depth of one capture, the
 * aggregate output modes, frame sync, callbacks, reference counting, metadata. Virtual time.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ob_api.h"

#define SN_PRIMARY "CP3S34D00051" /* the seed rig's first device */

static void no_error(ob_error **err)
{
    if (*err)
        fail_msg("unexpected error in %s: %s", ob_error_get_function(*err),
                 ob_error_get_message(*err));
}

static void expect_error(ob_error **err, ob_exception_type type, const char *function,
                         const char *text)
{
    assert_non_null(*err);
    assert_int_equal(ob_error_get_exception_type(*err), type);
    assert_string_equal(ob_error_get_function(*err), function);
    if (!strstr(ob_error_get_message(*err), text))
        fail_msg("message \"%s\" lacks \"%s\"", ob_error_get_message(*err), text);
    ob_delete_error(*err);
    *err = NULL;
}

static int setup(void **state)
{
    (void)state;
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    unsetenv("RIGSYNC_OBEMU_SEED");
    setenv("RIGSYNC_OBEMU_PIXELS", "0", 1); /* timestamps only: fast (pixels are the default) */
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    return 0;
}

static ob_frame *wait_set(ob_pipeline *p)
{
    ob_error *err = NULL;
    for (int tries = 0; tries < 50; tries++) {
        ob_frame *set = ob_pipeline_wait_for_frameset(p, 1000, &err);
        no_error(&err);
        if (set)
            return set;
    }
    fail_msg("no frameset");
    return NULL;
}

/* One frameset as the tests see it. */
typedef struct seen {
    uint32_t count;
    bool color, depth;
    uint64_t color_ts, depth_ts, color_index, depth_index;
} seen_t;

static seen_t look(ob_frame *set)
{
    ob_error *err = NULL;
    seen_t s = {0};
    assert_int_equal(ob_frame_get_type(set, &err), OB_FRAME_SET);
    no_error(&err);
    s.count = ob_frameset_get_count(set, &err);
    no_error(&err);
    ob_frame *c = ob_frameset_get_frame(set, OB_FRAME_COLOR, &err);
    no_error(&err);
    ob_frame *d = ob_frameset_get_frame(set, OB_FRAME_DEPTH, &err);
    no_error(&err);
    assert_int_equal(s.count, (uint32_t)(c != NULL) + (uint32_t)(d != NULL));
    if (c) {
        s.color = true;
        assert_int_equal(ob_frame_get_type(c, &err), OB_FRAME_COLOR);
        s.color_ts = ob_frame_get_timestamp_us(c, &err);
        s.color_index = ob_frame_get_index(c, &err);
        no_error(&err);
        ob_delete_frame(c, &err);
    }
    if (d) {
        s.depth = true;
        assert_int_equal(ob_frame_get_type(d, &err), OB_FRAME_DEPTH);
        s.depth_ts = ob_frame_get_timestamp_us(d, &err);
        s.depth_index = ob_frame_get_index(d, &err);
        no_error(&err);
        ob_delete_frame(d, &err);
    }
    no_error(&err);
    return s;
}

static uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

/* ------------------------------------------------------------------------------------------ */

/* 0.basic.quick_start, c_examples/0.c_quick_start: ob_create_pipeline + ob_pipeline_start
 * stream the first device's depth and color, and each frameset holds both of one capture. */
static void default_pipeline_aggregates_color_and_depth(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    assert_non_null(p);

    /* the default device is the first of the list */
    ob_device *dev = ob_pipeline_get_device(p, &err);
    no_error(&err);
    ob_device_info *info = ob_device_get_device_info(dev, &err);
    no_error(&err);
    assert_string_equal(ob_device_info_get_serial_number(info, &err), SN_PRIMARY);
    ob_delete_device_info(info, &err);
    ob_delete_device(dev, &err); /* the pipeline keeps its own reference */
    no_error(&err);

    ob_pipeline_start(p, &err);
    no_error(&err);
    for (int k = 0; k < 20; k++) {
        ob_frame *set = wait_set(p);
        seen_t s = look(set);
        /* the seed rig's color and depth are both 30 fps, captured together: 2 per set, the
         * same capture (same frame number, timestamps within half a frame interval) */
        assert_int_equal(s.count, 2);
        assert_int_equal(s.color_index, s.depth_index);
        assert_true(absdiff(s.color_ts, s.depth_ts) <= 16667);

        /* by index: color first, then depth (the SDK's order, by frame type) */
        ob_frame *f0 = ob_frameset_get_frame_by_index(set, 0, &err);
        ob_frame *f1 = ob_frameset_get_frame_by_index(set, 1, &err);
        no_error(&err);
        assert_int_equal(ob_frame_get_type(f0, &err), OB_FRAME_COLOR);
        assert_int_equal(ob_frame_get_type(f1, &err), OB_FRAME_DEPTH);
        assert_null(ob_frameset_get_frame_by_index(set, 2, &err));
        expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_frameset_get_frame_by_index",
                     "out of range");
        /* a type the device has not: NULL, no error */
        assert_null(ob_frameset_get_frame(set, OB_FRAME_IR, &err));
        assert_null(ob_frameset_get_ir_frame(set, &err));
        no_error(&err);
        /* a member is no frameset */
        assert_int_equal(ob_frameset_get_count(f0, &err), 0);
        expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_frameset_get_count",
                     "not a frameset");
        ob_delete_frame(f0, &err);
        ob_delete_frame(f1, &err);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    /* the config it runs with: depth and color */
    ob_config *cfg = ob_pipeline_get_config(p, &err);
    no_error(&err);
    assert_non_null(cfg);
    ob_delete_config(cfg, &err);
    ob_pipeline_stop(p, &err);
    no_error(&err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

/* A config must enable a stream (the SDK: "No any enabled stream profile"); NULL is the
 * default; a second start fails. */
static void start_needs_an_enabled_stream(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_pipeline_start_with_config",
                 "enables no stream");
    ob_config_enable_stream(cfg, OB_STREAM_IR_LEFT, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_config_enable_stream",
                 "not available");
    ob_config_enable_all_stream(cfg, &err);
    ob_config_disable_stream(cfg, OB_STREAM_COLOR, &err);
    ob_config_disable_stream(cfg, OB_STREAM_IR, &err);
    no_error(&err);
    /* software alignment in the pipeline (the v2.9.3 pipeline makes none): said so */
    ob_config_set_align_mode(cfg, ALIGN_D2C_SW_MODE, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_config_set_align_mode",
                 "not supported by the rigsync emulator");
    ob_config_set_align_mode(cfg, ALIGN_DISABLE, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, NULL, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, "ob_pipeline_start_with_config",
                 "already started");
    /* depth only (color disabled after enable_all): single-frame sets of depth */
    for (int k = 0; k < 5; k++) {
        ob_frame *set = wait_set(p);
        seen_t s = look(set);
        assert_int_equal(s.count, 1);
        assert_true(s.depth && !s.color);
        ob_delete_frame(set, &err);
    }
    ob_delete_config(cfg, &err);
    ob_delete_pipeline(p, &err); /* stops it */
    no_error(&err);
}

/* Color at 30 fps, depth at 15: every second color frame has a depth partner (same capture),
 * the others none. The aggregate output mode decides what goes out. */
static ob_pipeline *start_30_15(ob_frame_aggregate_output_mode mode, bool sync)
{
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_video_stream(cfg, OB_STREAM_COLOR, OB_WIDTH_ANY, OB_HEIGHT_ANY, 30,
                                  OB_FORMAT_RGB, &err);
    ob_config_enable_video_stream(cfg, OB_STREAM_DEPTH, OB_WIDTH_ANY, OB_HEIGHT_ANY, 15,
                                  OB_FORMAT_ANY, &err);
    ob_config_set_frame_aggregate_output_mode(cfg, mode, &err);
    no_error(&err);
    if (!sync)
        ob_pipeline_disable_frame_sync(p, &err);
    no_error(&err);
    /* different rates need the device in free run (the emulated device refuses otherwise) */
    ob_device *dev = ob_pipeline_get_device(p, &err);
    no_error(&err);
    ob_multi_device_sync_config sc = ob_device_get_multi_device_sync_config(dev, &err);
    no_error(&err);
    sc.syncMode = OB_MULTI_DEVICE_SYNC_MODE_FREE_RUN;
    ob_device_set_multi_device_sync_config(dev, &sc, &err);
    no_error(&err);
    ob_delete_device(dev, &err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_delete_config(cfg, &err); /* the pipeline keeps its own copy */
    no_error(&err);
    return p;
}

#define SETS 40

static ob_pipeline_status last_status; /* of the last collect() */

static void collect(ob_pipeline *p, seen_t *out, int n)
{
    ob_error *err = NULL;
    last_status = ob_pipeline_get_status(p, &err); /* resets it */
    no_error(&err);
    for (int k = 0; k < n; k++) {
        ob_frame *set = wait_set(p);
        out[k] = look(set);
        ob_delete_frame(set, &err);
        no_error(&err);
    }
    last_status = ob_pipeline_get_status(p, &err);
    no_error(&err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

static void any_situation_outputs_every_frame(void **state)
{
    (void)state;
    seen_t s[SETS];
    collect(start_30_15(OB_FRAME_AGGREGATE_OUTPUT_ANY_SITUATION, true), s, SETS);
    int pairs = 0, singles = 0;
    for (int k = 0; k < SETS; k++) {
        if (s[k].count == 2) {
            pairs++;
            assert_true(absdiff(s[k].color_ts, s[k].depth_ts) <= 17000); /* half of 1/30 s */
        } else {
            singles++;
            assert_true(s[k].color); /* only color lacks a partner */
        }
        /* one set per color frame, in order (the simulator drops one now and then) */
        if (k)
            assert_true(s[k].color_index > s[k - 1].color_index);
    }
    assert_int_equal(last_status.issue, OB_PIPELINE_ISSUE_NONE); /* nothing held back */
    assert_int_equal(last_status.sdkStatus, 0);
    /* every second color frame has its depth partner */
    assert_true(pairs >= SETS / 2 - 1 && pairs <= SETS / 2 + 1);
    assert_int_equal(pairs + singles, SETS);
}

static void all_type_frame_require_outputs_only_full_sets(void **state)
{
    (void)state;
    seen_t s[SETS];
    collect(start_30_15(OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE, true), s, SETS);
    for (int k = 0; k < SETS; k++) {
        assert_int_equal(s[k].count, 2);
        assert_true(absdiff(s[k].color_ts, s[k].depth_ts) <= 17000);
        /* the color frames between two depth frames were held back */
        if (k) {
            assert_true(s[k].color_index >= s[k - 1].color_index + 2);
            assert_true(s[k].depth_index > s[k - 1].depth_index);
        }
    }
    /* the lone color frames were dropped, and the pipeline's status says so */
    assert_int_equal(last_status.issue, OB_PIPELINE_ISSUE_SDK);
    assert_true(last_status.sdkStatus & OB_SDK_STATUS_FRAME_DROP_MATCH);
}

static void color_frame_require_outputs_sets_with_color(void **state)
{
    (void)state;
    seen_t s[SETS];
    collect(start_30_15(OB_FRAME_AGGREGATE_OUTPUT_COLOR_FRAME_REQUIRE, true), s, SETS);
    for (int k = 0; k < SETS; k++) {
        assert_true(s[k].color);
        if (k)
            assert_true(s[k].color_index > s[k - 1].color_index);
    }
}

static void disable_outputs_every_frame_alone_in_time_order(void **state)
{
    (void)state;
    seen_t s[SETS];
    collect(start_30_15(OB_FRAME_AGGREGATE_OUTPUT_DISABLE, true), s, SETS);
    int colors = 0, depths = 0;
    uint64_t last = 0;
    for (int k = 0; k < SETS; k++) {
        assert_int_equal(s[k].count, 1);
        colors += s[k].color;
        depths += s[k].depth;
        uint64_t ts = s[k].color ? s[k].color_ts : s[k].depth_ts;
        assert_true(ts + 17000 >= last); /* arrival order, no regrouping */
        last = ts;
    }
    /* two color frames for one depth frame */
    assert_true(colors >= 2 * depths - 2 && colors <= 2 * depths + 2);
}

/* Frame sync off: no timestamp matching; a set is made when both queues hold a frame (c0+d0,
 * c1+d1 although d1 is c2's partner, ...) and a color frame leaves alone when 3 wait: sets
 * still hold every color frame once, in order, but pairs are a frame interval apart. */
static void without_frame_sync_every_frame_still_goes_out(void **state)
{
    (void)state;
    seen_t s[SETS];
    collect(start_30_15(OB_FRAME_AGGREGATE_OUTPUT_ANY_SITUATION, false), s, SETS);
    uint64_t next_color = s[0].color ? s[0].color_index : 0;
    bool started = s[0].color;
    int apart = 0;
    for (int k = 0; k < SETS; k++) {
        assert_true(s[k].count >= 1);
        /* paired by arrival, not by time: c1 waits for d1, which comes with c2 (33 ms on) */
        apart += s[k].count == 2 && absdiff(s[k].color_ts, s[k].depth_ts) > 17000;
        if (s[k].color) {
            if (started)
                assert_true(s[k].color_index >= next_color);
            next_color = s[k].color_index + 1;
            started = true;
        }
    }
    assert_true(apart >= SETS / 4); /* with frame sync on there are none (tests above) */
}

/* ------------------------------------------------------------------------------------------ */
/* 1.stream.callback: framesets handed to a callback on a thread of the emulator's           */

typedef struct cb_state {
    pthread_mutex_t lock;
    int sets, pairs;
    uint64_t last_color_index;
    bool in_order;
} cb_state_t;

static void on_set(ob_frame *set, void *user)
{
    cb_state_t *st = user;
    seen_t s = look(set);
    ob_delete_frame(set, NULL); /* the callback owns the frameset */
    pthread_mutex_lock(&st->lock);
    if (s.color) {
        if (st->sets && s.color_index <= st->last_color_index)
            st->in_order = false;
        st->last_color_index = s.color_index;
    }
    st->sets++;
    st->pairs += s.count == 2;
    pthread_mutex_unlock(&st->lock);
}

static void callback_pipeline_hands_every_frameset_over(void **state)
{
    (void)state;
    ob_error *err = NULL;
    cb_state_t st = {.sets = 0, .in_order = true};
    pthread_mutex_init(&st.lock, NULL);
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_pipeline_start_with_callback(p, NULL, on_set, &st, &err);
    no_error(&err);
    /* a wait on a callback pipeline gets nothing (the callback gets everything) */
    assert_null(ob_pipeline_wait_for_frameset(p, 10, &err));
    no_error(&err);
    int sets = 0;
    for (int i = 0; i < 1000 && sets < 30; i++) {
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&st.lock);
        sets = st.sets;
        pthread_mutex_unlock(&st.lock);
    }
    ob_pipeline_stop(p, &err);
    no_error(&err);
    pthread_mutex_lock(&st.lock);
    int after_stop = st.sets;
    assert_true(after_stop >= 30);
    assert_true(st.in_order);
    /* 30 + 30 fps: every set is a pair, but for the simulator's rare dropped frames */
    assert_true(st.pairs * 10 >= st.sets * 9);
    pthread_mutex_unlock(&st.lock);
    struct timespec ts = {0, 50000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(st.sets, after_stop); /* nothing after the stop */
    ob_delete_pipeline(p, &err);
    no_error(&err);
    pthread_mutex_destroy(&st.lock);
}

/* A callback that stops or deletes its own pipeline (a program ending from its callback). */
typedef struct self_state {
    ob_pipeline *p;
    atomic_int sets;
    atomic_bool done;
    bool delete_it; /* else only stop it (the main thread deletes it) */
} self_state_t;

static void on_set_then_end(ob_frame *set, void *user)
{
    self_state_t *st = user;
    ob_delete_frame(set, NULL);
    if (atomic_fetch_add(&st->sets, 1) + 1 != 5)
        return;
    ob_error *err = NULL;
    if (st->delete_it)
        ob_delete_pipeline(st->p, &err);
    else
        ob_pipeline_stop(st->p, &err);
    assert_null(err);
    atomic_store(&st->done, true);
    /* still inside the callback: its thread runs on after the pipeline ended */
    struct timespec ts = {0, 20000000L};
    nanosleep(&ts, NULL);
}

static void end_from_callback(bool delete_it)
{
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    ob_device *dev = ob_device_list_get_device(list, 0, &err);
    no_error(&err);
    self_state_t st = {.delete_it = delete_it};
    atomic_init(&st.sets, 0);
    atomic_init(&st.done, false);
    st.p = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    ob_pipeline_start_with_callback(st.p, NULL, on_set_then_end, &st, &err);
    no_error(&err);
    for (int i = 0; i < 2000 && !atomic_load(&st.done); i++) {
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(atomic_load(&st.done));
    if (!delete_it) {
        /* the callback is still running: the delete waits for it to return (ASan: no
         * use after free of the pipeline by the callback's thread) */
        ob_delete_pipeline(st.p, &err);
        no_error(&err);
    }
    ob_delete_device(dev, &err);
    no_error(&err);
    ob_delete_device_list(list, &err);
    no_error(&err);
    ob_delete_context(ctx, &err); /* waits until a self-deleted pipeline is freed */
    no_error(&err);
    assert_int_equal(atomic_load(&st.sets), 5); /* not one frameset after the end */
}

static void callback_deletes_its_own_pipeline(void **state)
{
    (void)state;
    end_from_callback(true);
}

static void callback_stops_its_pipeline_and_main_deletes_it(void **state)
{
    (void)state;
    end_from_callback(false);
}

/* ------------------------------------------------------------------------------------------ */
/* Frames: references, depth scale, metadata (4.misc.metadata, c_examples/2.c_depth)          */

static void frames_references_scale_and_metadata(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_pipeline_start(p, &err);
    no_error(&err);
    ob_frame *set = wait_set(p);
    ob_frame *depth = ob_frameset_get_depth_frame(set, &err);
    ob_frame *color = ob_frameset_get_color_frame(set, &err);
    no_error(&err);
    assert_non_null(depth);
    assert_non_null(color);

    /* add_ref: one more reference, released by its own delete (the C++ API's as<>()) */
    uint64_t ts = ob_frame_get_timestamp_us(depth, &err);
    ob_frame_add_ref(depth, &err);
    ob_delete_frame(depth, &err);
    no_error(&err);
    ob_delete_frame(set, &err); /* the members outlive their set */
    no_error(&err);
    assert_int_equal(ob_frame_get_timestamp_us(depth, &err), ts);
    no_error(&err);

    /* depth in millimetres; a color frame has no depth scale */
    assert_true(ob_depth_frame_get_value_scale(depth, &err) == 1.0f);
    no_error(&err);
    assert_true(ob_depth_frame_get_value_scale(color, &err) == -1.0f);
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_depth_frame_get_value_scale",
                 "not a depth frame");

    /* metadata: the device timestamp and the frame number; nothing else is claimed */
    assert_true(ob_frame_has_metadata(depth, OB_FRAME_METADATA_TYPE_TIMESTAMP, &err));
    assert_true(ob_frame_has_metadata(depth, OB_FRAME_METADATA_TYPE_FRAME_NUMBER, &err));
    assert_false(ob_frame_has_metadata(depth, OB_FRAME_METADATA_TYPE_EXPOSURE, &err));
    no_error(&err);
    assert_int_equal(ob_frame_get_metadata_value(depth, OB_FRAME_METADATA_TYPE_TIMESTAMP, &err),
                     (int64_t)ts);
    assert_int_equal(ob_frame_get_metadata_value(color, OB_FRAME_METADATA_TYPE_FRAME_NUMBER, &err),
                     (int64_t)ob_frame_get_index(color, &err));
    no_error(&err);
    assert_int_equal(ob_frame_get_metadata_value(depth, OB_FRAME_METADATA_TYPE_EXPOSURE, &err), -1);
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_frame_get_metadata_value",
                 "no metadata of type");
    assert_null(ob_frame_get_metadata(depth, &err));
    assert_int_equal(ob_frame_get_metadata_size(depth, &err), 0);
    no_error(&err);

    /* NULL: the SDK's neutral values with an error */
    assert_int_equal(ob_frame_get_type(NULL, &err), OB_FRAME_VIDEO);
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_frame_get_type", "NULL");
    ob_frame_add_ref(NULL, &err);
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_frame_add_ref", "NULL");

    ob_delete_frame(depth, &err);
    ob_delete_frame(color, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

/* 1.stream.color / quick_start (C++): the pipeline's profile list of a sensor (the default
 * first), a config enabling one chosen profile, its frames carrying that profile, the config's
 * list of enabled profiles. */
static void chosen_profile_reaches_the_frames(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_pipeline *p = ob_create_pipeline(&err);
    no_error(&err);
    ob_stream_profile_list *list = ob_pipeline_get_stream_profile_list(p, OB_SENSOR_COLOR, &err);
    no_error(&err);
    uint32_t n = ob_stream_profile_list_get_count(list, &err);
    no_error(&err);
    assert_true(n > 1);
    /* the default first: the seed rig's color stream, 640x480 RGB at 30 fps */
    ob_stream_profile *dflt = ob_stream_profile_list_get_profile(list, OB_PROFILE_DEFAULT, &err);
    no_error(&err);
    assert_int_equal(ob_video_stream_profile_get_width(dflt, &err), 640);
    assert_int_equal(ob_video_stream_profile_get_height(dflt, &err), 480);
    assert_int_equal(ob_video_stream_profile_get_fps(dflt, &err), 30);
    assert_int_equal(ob_stream_profile_get_format(dflt, &err), OB_FORMAT_RGB);
    no_error(&err);
    /* another one: RGB of another size or rate */
    ob_stream_profile *pick = NULL;
    uint32_t w = 0, h = 0, fps = 0;
    for (uint32_t i = 1; i < n && !pick; i++) {
        ob_stream_profile *q = ob_stream_profile_list_get_profile(list, (int)i, &err);
        no_error(&err);
        w = ob_video_stream_profile_get_width(q, &err);
        h = ob_video_stream_profile_get_height(q, &err);
        fps = ob_video_stream_profile_get_fps(q, &err);
        no_error(&err);
        if (ob_stream_profile_get_format(q, &err) == OB_FORMAT_RGB && w != 640 && fps <= 30)
            pick = q;
        else
            ob_delete_stream_profile(q, &err);
        no_error(&err);
    }
    assert_non_null(pick);
    ob_config *cfg = ob_create_config(&err);
    ob_config_enable_stream_with_stream_profile(cfg, pick, &err);
    no_error(&err);
    ob_stream_profile_list *en = ob_config_get_enabled_stream_profile_list(cfg, &err);
    no_error(&err);
    assert_int_equal(ob_stream_profile_list_get_count(en, &err), 1);
    ob_stream_profile *e0 = ob_stream_profile_list_get_profile(en, 0, &err);
    no_error(&err);
    assert_int_equal(ob_stream_profile_get_type(e0, &err), OB_STREAM_COLOR);
    assert_int_equal(ob_video_stream_profile_get_width(e0, &err), w);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_frame *set = wait_set(p);
    ob_frame *color = ob_frameset_get_color_frame(set, &err);
    no_error(&err);
    assert_non_null(color);
    assert_int_equal(ob_video_frame_get_width(color, &err), w);
    assert_int_equal(ob_video_frame_get_height(color, &err), h);
    ob_stream_profile *fp = ob_frame_get_stream_profile(color, &err);
    no_error(&err);
    assert_int_equal(ob_stream_profile_get_type(fp, &err), OB_STREAM_COLOR);
    assert_int_equal(ob_stream_profile_get_format(fp, &err), OB_FORMAT_RGB);
    assert_int_equal(ob_video_stream_profile_get_width(fp, &err), w);
    assert_int_equal(ob_video_stream_profile_get_height(fp, &err), h);
    assert_int_equal(ob_video_stream_profile_get_fps(fp, &err), fps);
    no_error(&err);
    /* a frameset has no profile of its own */
    assert_null(ob_frame_get_stream_profile(set, &err));
    expect_error(&err, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, "ob_frame_get_stream_profile",
                 "frameset");
    /* a sensor the emulated devices lack */
    assert_null(ob_pipeline_get_stream_profile_list(p, OB_SENSOR_IR_LEFT, &err));
    expect_error(&err, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_pipeline_get_stream_profile_list",
                 "not available");
    ob_delete_stream_profile(fp, &err);
    ob_delete_frame(color, &err);
    ob_delete_frame(set, &err);
    ob_pipeline_stop(p, &err);
    ob_delete_stream_profile(e0, &err);
    ob_delete_stream_profile_list(en, &err);
    ob_delete_config(cfg, &err);
    ob_delete_stream_profile(pick, &err);
    ob_delete_stream_profile(dflt, &err);
    ob_delete_stream_profile_list(list, &err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(default_pipeline_aggregates_color_and_depth, setup),
        cmocka_unit_test_setup(start_needs_an_enabled_stream, setup),
        cmocka_unit_test_setup(any_situation_outputs_every_frame, setup),
        cmocka_unit_test_setup(all_type_frame_require_outputs_only_full_sets, setup),
        cmocka_unit_test_setup(color_frame_require_outputs_sets_with_color, setup),
        cmocka_unit_test_setup(disable_outputs_every_frame_alone_in_time_order, setup),
        cmocka_unit_test_setup(without_frame_sync_every_frame_still_goes_out, setup),
        cmocka_unit_test_setup(callback_pipeline_hands_every_frameset_over, setup),
        cmocka_unit_test_setup(callback_deletes_its_own_pipeline, setup),
        cmocka_unit_test_setup(callback_stops_its_pipeline_and_main_deletes_it, setup),
        cmocka_unit_test_setup(frames_references_scale_and_metadata, setup),
        cmocka_unit_test_setup(chosen_profile_reaches_the_frames, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

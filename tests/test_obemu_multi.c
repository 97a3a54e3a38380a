/*
 * test_obemu_multi: several devices and hot-plug through the vendor's C API, making the calls of
 * the vendor's samples 2.device.hot_plugin, 3.advanced.multi_devices and
 * 3.advanced.multi_devices_sync (v2.9.3), in virtual time. What the real SDK gives:
 * - the device-changed callback hears of every device that leaves or appears, open or not,
 *   each change once, with a removed and an added list (a device nobody opened included);
 * - a program that only watches the bus (no device open) still sees the events happen;
 * - a device taken from a list twice, or from a second list, is the same handle, and the sync
 *   config written through one handle reads back field for field through the other;
 * - one pipeline per device, secondaries started before the primary: every device's frames;
 * - two pipelines on one device, one per sensor (3.advanced.multi_devices_sync's PipelineHolder):
 *   each gets only its stream, every frame once and in order; a third pipeline on a stream in
 *   use is refused (108); stopping one leaves the other flowing; the device stops with the last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "ob_api.h"

/* Two cameras; the secondary leaves the bus at 0.2 s and returns at 0.5 s (simulated time). */
static const char *two_cams =
    "{\"devices\":["
    "{\"serial_number\":\"MDA\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
    "{\"serial_number\":\"MDB\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}],"
    "\"sim\":{\"events\":[{\"at_s\":0.2,\"unplug\":\"MDB\"},{\"at_s\":0.5,\"replug\":\"MDB\"}]}}";

/* The same two cameras without events. */
static const char *two_quiet =
    "{\"devices\":["
    "{\"serial_number\":\"MDA\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
    "{\"serial_number\":\"MDB\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}]}";

/* The two cameras with a lossless transport (the simulator drops no frame by itself): every
 * frame index the device sends must reach its pipeline. */
static const char *two_lossless =
    "{\"devices\":["
    "{\"serial_number\":\"MDA\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
    "{\"serial_number\":\"MDB\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true}}],"
    "\"sim\":{\"transport\":{\"drop_probability\":0}}}";

static char cfg_path[64];

static int use_config(const char *json)
{
    snprintf(cfg_path, sizeof cfg_path, "/tmp/test_obemu_multi_XXXXXX");
    int fd = mkstemp(cfg_path);
    if (fd < 0)
        return -1;
    size_t n = strlen(json);
    if (write(fd, json, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    close(fd);
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    setenv("RIGSYNC_OBEMU_CONFIG", cfg_path, 1);
    return 0;
}

static int setup_events(void **state)
{
    (void)state;
    return use_config(two_cams);
}

static int setup_quiet(void **state)
{
    (void)state;
    return use_config(two_quiet);
}

static int setup_lossless(void **state)
{
    (void)state;
    return use_config(two_lossless);
}

static int teardown(void **state)
{
    (void)state;
    unlink(cfg_path);
    return 0;
}

static void no_error(ob_error **err)
{
    if (*err) {
        fprintf(stderr, "unexpected error in %s: %s\n", ob_error_get_function(*err),
                ob_error_get_message(*err));
        ob_delete_error(*err);
        *err = NULL;
        fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Hot-plug                                                                                   */

#define MAX_CALLS 8

typedef struct call {
    char removed[4][16], added[4][16];
    uint32_t nremoved, nadded;
    uint64_t host_us; /* the emulated host clock when the callback ran */
} call_t;

typedef struct watch {
    pthread_mutex_t lock;
    ob_context *ctx;
    call_t calls[MAX_CALLS];
    int ncalls;
    int bad; /* an API call inside the callback failed */
} watch_t;

static uint32_t copy_serials(ob_device_list *list, char out[4][16], int *bad)
{
    ob_error *err = NULL;
    uint32_t n = ob_device_list_get_count(list, &err);
    if (err) {
        ob_delete_error(err);
        (*bad)++;
        return 0;
    }
    for (uint32_t i = 0; i < n && i < 4; i++) {
        const char *s = ob_device_list_get_device_serial_number(list, i, &err);
        if (err || !s) {
            if (err)
                ob_delete_error(err);
            err = NULL;
            (*bad)++;
            continue;
        }
        snprintf(out[i], 16, "%s", s);
    }
    return n;
}

/* As the sample's callback: reads both lists (count, serials), then releases them. */
static void on_changed(ob_device_list *removed, ob_device_list *added, void *user)
{
    watch_t *w = user;
    pthread_mutex_lock(&w->lock);
    if (w->ncalls < MAX_CALLS) {
        call_t *c = &w->calls[w->ncalls++];
        memset(c, 0, sizeof(*c));
        c->nremoved = copy_serials(removed, c->removed, &w->bad);
        c->nadded = copy_serials(added, c->added, &w->bad);
        c->host_us = rigsync_obemu_host_time_us(w->ctx);
    }
    pthread_mutex_unlock(&w->lock);
    ob_delete_device_list(removed, NULL);
    ob_delete_device_list(added, NULL);
}

static int calls_now(watch_t *w)
{
    pthread_mutex_lock(&w->lock);
    int n = w->ncalls;
    pthread_mutex_unlock(&w->lock);
    return n;
}

static uint32_t bus_count(ob_context *ctx)
{
    ob_error *err = NULL;
    ob_device_list *l = ob_query_device_list(ctx, &err);
    no_error(&err);
    uint32_t n = ob_device_list_get_count(l, &err);
    no_error(&err);
    ob_delete_device_list(l, &err);
    no_error(&err);
    return n;
}

/* The secondary, never opened, leaves and returns while the primary streams: two calls, the
 * first removing MDB only, the second adding MDB only, each at the simulated instant of its
 * event (the bus is looked at every 10 ms, time moves in 1 ms steps). The device list follows. */
static void unopened_device_leaving_and_returning_is_reported_once_each(void **state)
{
    (void)state;
    ob_error *err = NULL;
    watch_t w;
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.lock, NULL);
    w.ctx = ob_create_context(&err);
    no_error(&err);
    ob_callback_id id = ob_register_device_changed_callback(w.ctx, on_changed, &w, &err);
    no_error(&err);
    assert_true(id != 0);
    assert_int_equal(bus_count(w.ctx), 2);

    ob_device_list *list = ob_query_device_list(w.ctx, &err);
    no_error(&err);
    ob_device *a = ob_device_list_get_device_by_serial_number(list, "MDA", &err);
    no_error(&err);
    ob_pipeline *p = ob_create_pipeline_with_device(a, &err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    no_error(&err);
    ob_config_enable_video_stream(cfg, OB_STREAM_DEPTH, 640, 576, 30, OB_FORMAT_Y16, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p, cfg, &err);
    no_error(&err);
    ob_enable_device_clock_sync(w.ctx, 0, &err); /* time starts here: t0 */
    no_error(&err);
    uint64_t t0 = rigsync_obemu_host_time_us(w.ctx);

    uint32_t during = 0, after = 0;
    int sets = 0;
    for (int guard = 0; guard < 400; guard++) {
        ob_frame *f = ob_pipeline_wait_for_frameset(p, 100, &err);
        no_error(&err);
        if (f) {
            sets++;
            ob_delete_frame(f, &err);
            no_error(&err);
        }
        uint64_t t = rigsync_obemu_host_time_us(w.ctx) - t0;
        if (t > 300000 && t < 400000 && !during)
            during = bus_count(w.ctx);
        if (t > 800000) {
            after = bus_count(w.ctx);
            break;
        }
    }
    /* The camera's first frame comes about 0.23 s after its start, then 30 fps to 0.8 s: about
     * 17; a primary that stopped when the secondary left would have fewer than 7. */
    assert_true(sets >= 14);
    assert_int_equal(during, 1);
    assert_int_equal(after, 2);

    pthread_mutex_lock(&w.lock);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.ncalls, 2);
    assert_int_equal(w.calls[0].nremoved, 1);
    assert_int_equal(w.calls[0].nadded, 0);
    assert_string_equal(w.calls[0].removed[0], "MDB");
    assert_true(w.calls[0].host_us - t0 >= 200000 && w.calls[0].host_us - t0 <= 212000);
    assert_int_equal(w.calls[1].nremoved, 0);
    assert_int_equal(w.calls[1].nadded, 1);
    assert_string_equal(w.calls[1].added[0], "MDB");
    assert_true(w.calls[1].host_us - t0 >= 500000 && w.calls[1].host_us - t0 <= 512000);
    pthread_mutex_unlock(&w.lock);

    /* The device that returned opens from the added... here from a new list, as a new device. */
    ob_device_list *again = ob_query_device_list(w.ctx, &err);
    no_error(&err);
    ob_device *b = ob_device_list_get_device_by_serial_number(again, "MDB", &err);
    no_error(&err);
    assert_non_null(b);
    ob_delete_device(b, &err);
    no_error(&err);
    ob_delete_device_list(again, &err);
    no_error(&err);

    ob_unregister_device_changed_callback(w.ctx, id, &err);
    no_error(&err);
    ob_pipeline_stop(p, &err);
    no_error(&err);
    ob_delete_pipeline(p, &err);
    no_error(&err);
    ob_delete_config(cfg, &err);
    no_error(&err);
    ob_delete_device(a, &err);
    no_error(&err);
    ob_delete_device_list(list, &err);
    no_error(&err);
    ob_delete_context(w.ctx, &err);
    no_error(&err);
    pthread_mutex_destroy(&w.lock);
}

/* As 2.device.hot_plugin: a callback, the connected list printed, then only waiting for keys,
 * no device open. Time must still move for the events to happen (it follows real time after
 * 0.5 s without an open device): removed MDB, then added MDB, within a few seconds. */
static void bus_watcher_without_open_device_sees_the_events(void **state)
{
    (void)state;
    ob_error *err = NULL;
    watch_t w;
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.lock, NULL);
    w.ctx = ob_create_context(&err);
    no_error(&err);
    ob_set_device_changed_callback(w.ctx, on_changed, &w, &err);
    no_error(&err);
    uint64_t t0 = rigsync_obemu_host_time_us(w.ctx);
    assert_int_equal(bus_count(w.ctx), 2);
    for (int i = 0; i < 1000 && calls_now(&w) < 2; i++) { /* at most 10 s of real time */
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&w.lock);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.ncalls, 2);
    assert_int_equal(w.calls[0].nremoved, 1);
    assert_int_equal(w.calls[0].nadded, 0);
    assert_string_equal(w.calls[0].removed[0], "MDB");
    assert_true(w.calls[0].host_us - t0 >= 200000);
    assert_int_equal(w.calls[1].nremoved, 0);
    assert_int_equal(w.calls[1].nadded, 1);
    assert_string_equal(w.calls[1].added[0], "MDB");
    assert_true(w.calls[1].host_us - t0 >= 500000);
    pthread_mutex_unlock(&w.lock);
    ob_delete_context(w.ctx, &err);
    no_error(&err);
    pthread_mutex_destroy(&w.lock);
}

/* A callback registered late hears nothing of what happened before it: both devices are on
 * the bus, so nothing at all (a wrong emulator replays the start as "added"). */
static void late_callback_hears_no_past(void **state)
{
    (void)state;
    ob_error *err = NULL;
    watch_t w;
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.lock, NULL);
    w.ctx = ob_create_context(&err);
    no_error(&err);
    ob_callback_id id = ob_register_device_changed_callback(w.ctx, on_changed, &w, &err);
    no_error(&err);
    struct timespec ts = {0, 100000000L}; /* 0.1 s: ten looks at the bus */
    nanosleep(&ts, NULL);
    assert_int_equal(calls_now(&w), 0);
    ob_unregister_device_changed_callback(w.ctx, id, &err);
    no_error(&err);
    ob_delete_context(w.ctx, &err);
    no_error(&err);
    pthread_mutex_destroy(&w.lock);
}

/* ------------------------------------------------------------------------------------------ */
/* Multi-device sync as 3.advanced.multi_devices_sync does it                                 */

static void set_from_file(ob_device *d, OBMultiDeviceSyncMode mode, int depth_delay,
                          int color_delay, bool out_enable)
{
    ob_error *err = NULL;
    ob_multi_device_sync_config cur = ob_device_get_multi_device_sync_config(d, &err);
    no_error(&err);
    cur.syncMode = mode;
    cur.depthDelayUs = depth_delay;
    cur.colorDelayUs = color_delay;
    cur.trigger2ImageDelayUs = 0;
    cur.triggerOutEnable = out_enable;
    cur.triggerOutDelayUs = 0;
    cur.framesPerTrigger = 1;
    ob_device_set_multi_device_sync_config(d, &cur, &err);
    no_error(&err);
}

/* The sample's two passes: devices from a first list configured (it takes each device twice:
 * once for nothing, once to keep), then a second list's devices read back and sorted into
 * primary and secondaries. Same handles every time; every field as written. */
static void reopened_device_is_the_same_handle_and_keeps_its_sync_config(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *first = ob_query_device_list(ctx, &err);
    no_error(&err);
    assert_int_equal(ob_device_list_get_count(first, &err), 2);
    no_error(&err);
    ob_device *once[2], *kept[2];
    for (uint32_t i = 0; i < 2; i++) {
        once[i] = ob_device_list_get_device(first, i, &err);
        no_error(&err);
        kept[i] = ob_device_list_get_device(first, i, &err);
        no_error(&err);
        assert_ptr_equal(once[i], kept[i]);
        ob_delete_device(once[i], &err); /* one reference each: the other stays valid */
        no_error(&err);
    }
    assert_ptr_not_equal(kept[0], kept[1]);
    ob_device *by_serial = ob_device_list_get_device_by_serial_number(first, "MDB", &err);
    no_error(&err);
    ob_device_info *info = ob_device_get_device_info(kept[1], &err);
    no_error(&err);
    assert_string_equal(ob_device_info_get_serial_number(info, &err), "MDB");
    no_error(&err);
    ob_delete_device_info(info, &err);
    no_error(&err);
    assert_ptr_equal(by_serial, kept[1]);
    ob_delete_device(by_serial, &err);
    no_error(&err);

    uint16_t modes = ob_device_get_supported_multi_device_sync_mode_bitmap(kept[0], &err);
    no_error(&err);
    assert_true(modes & OB_MULTI_DEVICE_SYNC_MODE_PRIMARY);
    assert_true(modes & OB_MULTI_DEVICE_SYNC_MODE_SECONDARY);
    set_from_file(kept[0], OB_MULTI_DEVICE_SYNC_MODE_PRIMARY, 0, 0, true);
    set_from_file(kept[1], OB_MULTI_DEVICE_SYNC_MODE_SECONDARY, 160, 320, false);

    ob_device_list *second = ob_query_device_list(ctx, &err);
    no_error(&err);
    int primaries = 0, secondaries = 0;
    for (uint32_t i = 0; i < 2; i++) {
        ob_device *d = ob_device_list_get_device(second, i, &err);
        no_error(&err);
        assert_ptr_equal(d, kept[i]);
        ob_multi_device_sync_config c = ob_device_get_multi_device_sync_config(d, &err);
        no_error(&err);
        if (c.syncMode == OB_MULTI_DEVICE_SYNC_MODE_PRIMARY) {
            primaries++;
            assert_int_equal(c.depthDelayUs, 0);
            assert_true(c.triggerOutEnable);
        } else {
            secondaries++;
            assert_int_equal(c.syncMode, OB_MULTI_DEVICE_SYNC_MODE_SECONDARY);
            assert_int_equal(c.depthDelayUs, 160);
            assert_int_equal(c.colorDelayUs, 320);
            assert_false(c.triggerOutEnable);
        }
        assert_int_equal(c.framesPerTrigger, 1);
        ob_delete_device(d, &err);
        no_error(&err);
    }
    assert_int_equal(primaries, 1);
    assert_int_equal(secondaries, 1);
    ob_delete_device_list(second, &err);
    no_error(&err);

    /* Every handle released: the next open is a new device that still has the config (flash). */
    for (uint32_t i = 0; i < 2; i++) {
        ob_delete_device(kept[i], &err);
        no_error(&err);
    }
    ob_device *b = ob_device_list_get_device(first, 1, &err);
    no_error(&err);
    ob_multi_device_sync_config c = ob_device_get_multi_device_sync_config(b, &err);
    no_error(&err);
    assert_int_equal(c.syncMode, OB_MULTI_DEVICE_SYNC_MODE_SECONDARY);
    assert_int_equal(c.depthDelayUs, 160);
    ob_delete_device(b, &err);
    no_error(&err);
    ob_delete_device_list(first, &err);
    no_error(&err);
    ob_delete_context(ctx, &err);
    no_error(&err);
}

/* 3.advanced.multi_devices: one pipeline per device, the secondary started before the primary;
 * every device's pipeline delivers its own: 30 fps each from about 0.23 s (the cameras' start)
 * to 1.5 s, about 38 sets each (a pipeline given both devices' frames would have about 76). */
static void one_pipeline_per_device_secondary_first(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    ob_device *dev[2];
    ob_pipeline *pipe[2];
    ob_config *cfg[2];
    for (uint32_t i = 0; i < 2; i++) {
        dev[i] = ob_device_list_get_device(list, i, &err);
        no_error(&err);
        pipe[i] = ob_create_pipeline_with_device(dev[i], &err);
        no_error(&err);
        cfg[i] = ob_create_config(&err);
        no_error(&err);
        ob_config_enable_video_stream(cfg[i], OB_STREAM_DEPTH, 640, 576, 30, OB_FORMAT_Y16, &err);
        no_error(&err);
    }
    set_from_file(dev[0], OB_MULTI_DEVICE_SYNC_MODE_PRIMARY, 0, 0, true);
    set_from_file(dev[1], OB_MULTI_DEVICE_SYNC_MODE_SECONDARY, 0, 0, true);
    ob_pipeline_start_with_config(pipe[1], cfg[1], &err); /* secondary first */
    no_error(&err);
    ob_pipeline_start_with_config(pipe[0], cfg[0], &err);
    no_error(&err);
    ob_enable_device_clock_sync(ctx, 60000, &err);
    no_error(&err);
    uint64_t t0 = rigsync_obemu_host_time_us(ctx);
    int sets[2] = {0, 0};
    while (rigsync_obemu_host_time_us(ctx) - t0 < 1500000) {
        for (uint32_t i = 0; i < 2; i++) {
            ob_frame *f = ob_pipeline_wait_for_frameset(pipe[i], 100, &err);
            no_error(&err);
            if (f) {
                sets[i]++;
                ob_delete_frame(f, &err);
                no_error(&err);
            }
        }
    }
    for (uint32_t i = 0; i < 2; i++) {
        assert_true(sets[i] >= 35 && sets[i] <= 45);
        ob_pipeline_stop(pipe[i], &err);
        no_error(&err);
        ob_delete_pipeline(pipe[i], &err);
        no_error(&err);
        ob_delete_config(cfg[i], &err);
        no_error(&err);
        ob_delete_device(dev[i], &err);
        no_error(&err);
    }
    ob_delete_device_list(list, &err);
    no_error(&err);
    ob_delete_context(ctx, &err);
    no_error(&err);
}

/* ------------------------------------------------------------------------------------------ */
/* Two pipelines on one device, one per sensor                                                */

typedef struct sensor_sink {
    pthread_mutex_t lock;
    ob_frame_type want;  /* the only member type its framesets may hold */
    int sets;            /* framesets received */
    int bad;             /* a set with another count, type, or a failed call */
    int gaps, repeats;   /* frame index jumps (lost) and repeats or steps back (duplicated) */
    int64_t first, last; /* frame indexes of this session (-1: none yet) */
} sensor_sink_t;

static void sink_reset(sensor_sink_t *k, ob_frame_type want)
{
    pthread_mutex_lock(&k->lock);
    k->want = want;
    k->sets = k->bad = k->gaps = k->repeats = 0;
    k->first = k->last = -1;
    pthread_mutex_unlock(&k->lock);
}

static void on_sensor_set(ob_frame *set, void *user)
{
    sensor_sink_t *k = user;
    ob_error *err = NULL;
    uint32_t n = ob_frameset_get_count(set, &err);
    ob_frame *f = err ? NULL : ob_frameset_get_frame_by_index(set, 0, &err);
    ob_frame_type t = f ? ob_frame_get_type(f, &err) : OB_FRAME_UNKNOWN;
    int64_t idx = f && !err ? (int64_t)ob_frame_get_index(f, &err) : -1;
    pthread_mutex_lock(&k->lock);
    k->sets++;
    if (err || n != 1 || t != k->want)
        k->bad++;
    if (idx >= 0) {
        if (k->last >= 0 && idx > k->last + 1)
            k->gaps++;
        if (k->last >= 0 && idx <= k->last)
            k->repeats++;
        if (k->first < 0)
            k->first = idx;
        k->last = idx;
    }
    pthread_mutex_unlock(&k->lock);
    if (err)
        ob_delete_error(err);
    if (f)
        ob_delete_frame(f, NULL);
    ob_delete_frame(set, NULL);
}

static int sink_sets(sensor_sink_t *k)
{
    pthread_mutex_lock(&k->lock);
    int n = k->sets;
    pthread_mutex_unlock(&k->lock);
    return n;
}

/* A config enabling profile `index` of the pipeline's list for that sensor (0: the default, as
 * PipelineHolder::startStream takes it). */
static ob_config *sensor_config(ob_pipeline *p, ob_sensor_type sensor, int index, uint32_t *width)
{
    ob_error *err = NULL;
    ob_stream_profile_list *list = ob_pipeline_get_stream_profile_list(p, sensor, &err);
    no_error(&err);
    ob_stream_profile *prof = ob_stream_profile_list_get_profile(list, index, &err);
    no_error(&err);
    *width = ob_video_stream_profile_get_width(prof, &err);
    no_error(&err);
    ob_config *cfg = ob_create_config(&err);
    no_error(&err);
    ob_config_enable_stream_with_stream_profile(cfg, prof, &err);
    no_error(&err);
    ob_delete_stream_profile(prof, &err);
    no_error(&err);
    ob_delete_stream_profile_list(list, &err);
    no_error(&err);
    return cfg;
}

/* Waits until the sink has n framesets (the callback threads advance time; virtual time runs
 * as fast as they read, so frame counts, not the clock, measure it); at most 20 s real time. */
static void wait_sets(sensor_sink_t *k, int n)
{
    for (int i = 0; i < 20000 && sink_sets(k) < n; i++) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(sink_sets(k) >= n);
}

/* The frames of one session of a sink: all of its sensor, one per set, each index once and in
 * order with none missing between the first and the last. Returns the count. */
static int sink_check(sensor_sink_t *k)
{
    pthread_mutex_lock(&k->lock);
    int sets = k->sets, bad = k->bad, gaps = k->gaps, repeats = k->repeats;
    int64_t span = k->last - k->first + 1;
    pthread_mutex_unlock(&k->lock);
    assert_int_equal(bad, 0);
    assert_int_equal(gaps, 0);
    assert_int_equal(repeats, 0);
    assert_int_equal(span, sets);
    return sets;
}

static void two_pipelines_one_device_one_sensor_each(void **state)
{
    (void)state;
    ob_error *err = NULL;
    ob_context *ctx = ob_create_context(&err);
    no_error(&err);
    ob_device_list *list = ob_query_device_list(ctx, &err);
    no_error(&err);
    ob_device *dev = ob_device_list_get_device(list, 0, &err);
    no_error(&err);
    ob_pipeline *pd = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    ob_pipeline *pc = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    ob_pipeline *p3 = ob_create_pipeline_with_device(dev, &err);
    no_error(&err);
    uint32_t w_depth, w_color, w_other;
    ob_config *cd = sensor_config(pd, OB_SENSOR_DEPTH, 0, &w_depth);
    ob_config *cc = sensor_config(pc, OB_SENSOR_COLOR, 0, &w_color);

    static sensor_sink_t kd = {.lock = PTHREAD_MUTEX_INITIALIZER};
    static sensor_sink_t kc = {.lock = PTHREAD_MUTEX_INITIALIZER};
    sink_reset(&kd, OB_FRAME_DEPTH);
    sink_reset(&kc, OB_FRAME_COLOR);
    ob_pipeline_start_with_callback(pd, cd, on_sensor_set, &kd, &err);
    no_error(&err);
    ob_pipeline_start_with_callback(pc, cc, on_sensor_set, &kc, &err); /* the SDK allows it */
    no_error(&err);

    /* A third pipeline on depth: that stream belongs to pd. */
    ob_pipeline_start_with_config(p3, cd, &err);
    assert_non_null(err);
    assert_int_equal(ob_error_get_status(err), 108); /* OB_ERROR_WRONG_API_CALL_SEQUENCE */
    assert_int_equal(ob_error_get_exception_type(err), OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE);
    ob_delete_error(err);
    err = NULL;

    ob_enable_device_clock_sync(ctx, 60000, &err); /* time starts now */
    no_error(&err);
    wait_sets(&kd, 30);
    wait_sets(&kc, 30);
    /* both streams at 30 fps from the same instant: each from index 0, in step (each reader is
     * paused while the other holds 4 sets) */
    int nd = sink_check(&kd), nc = sink_check(&kc);
    assert_int_equal(kd.first, 0);
    assert_int_equal(kc.first, 0);
    assert_true(abs(nd - nc) <= 8);

    /* Stopping color leaves depth flowing; color gets nothing more. */
    ob_pipeline_stop(pc, &err);
    no_error(&err);
    int c0 = sink_sets(&kc);
    wait_sets(&kd, sink_sets(&kd) + 15);
    assert_int_equal(sink_sets(&kc), c0);
    sink_check(&kd);

    /* Color again, on another profile than the one that runs: refused (a restart would disturb
     * depth); on the running one: frames again, from a later index. */
    ob_config *co = sensor_config(pc, OB_SENSOR_COLOR, 3, &w_other); /* 1920x1080 30 fps */
    assert_int_not_equal(w_other, w_color);
    ob_pipeline_start_with_config(pc, co, &err);
    assert_non_null(err);
    assert_int_equal(ob_error_get_status(err), 107); /* OB_ERROR_UNSUPPORTED_OPERATION */
    ob_delete_error(err);
    err = NULL;
    int64_t color_last = kc.last;
    sink_reset(&kc, OB_FRAME_COLOR);
    ob_pipeline_start_with_callback(pc, cc, on_sensor_set, &kc, &err);
    no_error(&err);
    wait_sets(&kc, 10);
    sink_check(&kc);
    assert_true(kc.first >= color_last + 12); /* the device kept streaming meanwhile */

    /* Both stopped: the device stops; the other color profile then starts it anew. */
    ob_pipeline_stop(pc, &err);
    no_error(&err);
    ob_pipeline_stop(pd, &err);
    no_error(&err);
    ob_pipeline_start_with_config(p3, co, &err);
    no_error(&err);
    ob_pipeline_stop(p3, &err);
    no_error(&err);

    ob_pipeline *pipes[3] = {pd, pc, p3};
    ob_config *cfgs[3] = {cd, cc, co};
    for (int i = 0; i < 3; i++) {
        ob_delete_pipeline(pipes[i], &err);
        no_error(&err);
        ob_delete_config(cfgs[i], &err);
        no_error(&err);
    }
    ob_delete_device(dev, &err);
    no_error(&err);
    ob_delete_device_list(list, &err);
    no_error(&err);
    ob_delete_context(ctx, &err);
    no_error(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unopened_device_leaving_and_returning_is_reported_once_each,
                                        setup_events, teardown),
        cmocka_unit_test_setup_teardown(bus_watcher_without_open_device_sees_the_events,
                                        setup_events, teardown),
        cmocka_unit_test_setup_teardown(late_callback_hears_no_past, setup_quiet, teardown),
        cmocka_unit_test_setup_teardown(
            reopened_device_is_the_same_handle_and_keeps_its_sync_config, setup_quiet, teardown),
        cmocka_unit_test_setup_teardown(one_pipeline_per_device_secondary_first, setup_quiet,
                                        teardown),
        cmocka_unit_test_setup_teardown(two_pipelines_one_device_one_sensor_each, setup_lossless,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

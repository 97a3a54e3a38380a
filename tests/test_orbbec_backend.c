/*
 * The orbbec backend through rigsync's public API, on the emulator of the vendor's C API:
 * pixels arrive intact (the simulator paints the true capture time into them), the vendor's
 * global timestamp rides along, and a wrong serial is reported with the serials present.
 * Needs RIGSYNC_TEST_OBEMU = path of librigsync-obemu.so (set by ctest).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static rig_context_t *open_emulated(void)
{
    setenv("RIGSYNC_OBEMU_CONFIG", "", 1); /* the seed's rig */
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "orbbec";
    o.library = getenv("RIGSYNC_TEST_OBEMU");
    assert_non_null(o.library);
    char detail[1024] = "";
    o.error_detail = detail;
    o.error_detail_len = sizeof detail;
    rig_context_t *ctx = NULL;
    if (rig_context_create(&o, &ctx) != RIG_OK)
        fail_msg("orbbec backend on the emulator: %s", detail);
    return ctx;
}

static void pixels_and_timestamps_come_through_the_vendor_api(void **state)
{
    (void)state;
    rig_context_t *ctx = open_emulated();
    size_t n = 0;
    assert_int_equal(rig_context_device_count(ctx, &n), RIG_OK);
    assert_int_equal(n, 2);
    rig_device_t *dev[2];
    const char *serials[2] = {"CP3S34D00051", "CP3L44P00054"};
    rig_sync_config_t sync = rig_sync_config_default();
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rig_device_open(ctx, serials[i], &dev[i]), RIG_OK);
        sync.mode = i ? RIG_SYNC_MODE_SECONDARY : RIG_SYNC_MODE_PRIMARY;
        sync.trigger_out_enable = true;
        assert_int_equal(rig_device_set_sync_config(dev[i], &sync, NULL), RIG_OK);
        rig_sync_config_t back;
        assert_int_equal(rig_device_get_sync_config(dev[i], &back), RIG_OK);
        assert_int_equal(back.mode, sync.mode); /* through the vendor's packed struct */
        assert_true(back.trigger_out_enable);
    }
    assert_int_equal(rig_device_start(dev[1], NULL, NULL), RIG_OK);
    assert_int_equal(rig_device_start(dev[0], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 60000), RIG_OK);
    size_t checked = 0;
    for (int k = 0; k < 400 && checked < 40; k++) {
        rig_frame_t *f = NULL;
        if (rig_context_wait_frame(ctx, 2000, &f) != RIG_OK)
            break;
        rig_format_t fmt = rig_frame_format(f);
        assert_int_equal(fmt, rig_frame_stream(f) == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16);
        assert_non_null(rig_frame_data(f));
        assert_int_equal(rig_frame_data_size(f), (size_t)rig_frame_width(f) * rig_frame_height(f) *
                                                     rig_format_bytes_per_pixel(fmt));
        /* the picture says when it was taken: before it arrived, by less than 100 ms */
        int64_t stamp = 0;
        assert_int_equal(rig_sim_decode_stamp(f, &stamp), RIG_OK);
        assert_true(stamp < rig_frame_host_ts_us(f));
        assert_true(rig_frame_host_ts_us(f) - stamp < 100000);
        assert_true(rig_frame_vendor_global_ts_us(f) != RIG_TS_NONE);
        rig_frame_release(f);
        checked++;
    }
    assert_int_equal(checked, 40);
    rig_context_destroy(ctx);
}

static void an_absent_serial_names_the_ones_present(void **state)
{
    (void)state;
    rig_context_t *ctx = open_emulated();
    rig_device_t *d = NULL;
    assert_int_equal(rig_device_open(ctx, "NOPE0000", &d), RIG_ERROR_NOT_FOUND);
    char msg[512];
    rig_context_last_error(ctx, msg, sizeof msg);
    assert_non_null(strstr(msg, "NOPE0000"));
    assert_non_null(strstr(msg, "CP3S34D00051"));
    rig_context_destroy(ctx);
}

/* ---- a rig of four cameras of one family through the vendor API, in virtual time ---------- */

#define RIG_N 4
#define MAX_COLOR 8000

typedef struct run {
    pthread_mutex_t lock;
    size_t ncolor;
    int dev[MAX_COLOR];
    int64_t global[MAX_COLOR];
    int64_t last_host_us;
    unsigned writes[RIG_N], two_way[RIG_N];
} run_t;

static void collect_frame(rig_frame_t *f, void *user)
{
    run_t *r = user;
    pthread_mutex_lock(&r->lock);
    r->last_host_us = rig_frame_host_ts_us(f);
    if (rig_frame_stream(f) == RIG_STREAM_COLOR && r->ncolor < MAX_COLOR) {
        r->dev[r->ncolor] = (int)rig_frame_device_index(f);
        r->global[r->ncolor++] = rig_frame_global_ts_us(f);
    }
    pthread_mutex_unlock(&r->lock);
}

static void collect_clock(const rig_clock_event_t *ev, void *user)
{
    run_t *r = user;
    pthread_mutex_lock(&r->lock);
    if (ev->device_index < RIG_N) {
        if (ev->kind == RIG_CLOCK_EVENT_WRITE)
            r->writes[ev->device_index]++;
        else
            r->two_way[ev->device_index]++;
    }
    pthread_mutex_unlock(&r->lock);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Runs PRIMARY + 3 followers of `model` for `seconds` of emulated time (clock writes every 10 s,
 * no "streams" section: the family's default profiles) through --backend orbbec; returns the
 * p99 spread of global timestamps over complete captures (colour frames of one pulse). */
static int64_t run_family(const char *model, const char *follower_mode, const char *wiring,
                          double seconds, run_t *r)
{
    char path[] = "/tmp/rigsync-obrig-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "{\"devices\":[");
    for (int i = 0; i < RIG_N; i++)
        fprintf(fp, "%s{\"serial_number\":\"FAM%d\",\"config\":{\"mode\":\"%s\","
                    "\"trigger_out_enable\":true}}",
                i ? "," : "", i, i ? follower_mode : "PRIMARY");
    fprintf(fp, "],\"clock_sync_interval_ms\":10000,\"sim\":{\"seed\":3,\"wiring\":\"%s\",\"devices\":[", wiring);
    for (int i = 0; i < RIG_N; i++)
        fprintf(fp, "%s{\"serial_number\":\"FAM%d\",\"model\":\"%s\"}", i ? "," : "", i, model);
    fprintf(fp, "]}}");
    fclose(fp);
    char stop[32];
    snprintf(stop, sizeof stop, "%g", seconds);
    setenv("RIGSYNC_OBEMU_CONFIG", path, 1);
    setenv("RIGSYNC_OBEMU_STOP_AFTER_S", stop, 1);
    setenv("RIGSYNC_OBEMU_PIXELS", "0", 1);
    rig_config_t *cfg;
    rig_config_diag_t diag;
    assert_int_equal(rig_config_load(path, &cfg, &diag), RIG_OK);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "orbbec";
    o.library = getenv("RIGSYNC_TEST_OBEMU");
    o.config = cfg;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    rig_context_set_frame_callback(ctx, collect_frame, r);
    rig_context_set_clock_event_callback(ctx, collect_clock, r);
    rig_device_t *dev[RIG_N];
    for (int i = 0; i < RIG_N; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, (size_t)i, &sync);
        assert_int_equal(rig_device_open(ctx, rig_config_device_serial(cfg, (size_t)i), &dev[i]),
                         RIG_OK);
        assert_int_equal(rig_device_set_sync_config(dev[i], &sync, NULL), RIG_OK);
    }
    for (int i = RIG_N; i-- > 0;) {
        if (rig_device_start(dev[i], NULL, NULL) != RIG_OK) {
            char m[512];
            rig_context_last_error(ctx, m, sizeof m);
            fail_msg("start %s: %s", model, m);
        }
    }
    assert_int_equal(rig_context_enable_clock_sync(ctx, 10000), RIG_OK);
    /* The emulated rig stops after `seconds` (its host clock starts at 1700000000 s): wait
     * for its last frames, at most 10 minutes of real time (sanitizer builds are slow). */
    int64_t end_us = 1700000000000000LL + (int64_t)((seconds - 0.5) * 1e6);
    for (int naps = 0; naps < 6000; naps++) {
        struct timespec nap = {0, 100000000L};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&r->lock);
        int64_t last = r->last_host_us;
        pthread_mutex_unlock(&r->lock);
        if (last >= end_us)
            break;
    }
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
    unlink(path);
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");

    /* Captures: colour frames sorted on the time line, grouped by gaps over 10 ms; the first
     * 3 s (start-up) are left out. */
    int64_t *g = malloc(r->ncolor * sizeof *g);
    size_t n = 0;
    for (size_t i = 0; i < r->ncolor; i++)
        if (r->global[i] != RIG_TS_NONE)
            g[n++] = r->global[i];
    qsort(g, n, sizeof *g, cmp_i64);
    int64_t *spread = malloc((n + 1) * sizeof *spread);
    size_t ns = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && g[j + 1] - g[i] < 10000)
            j++;
        if (j - i + 1 == RIG_N && g[i] - g[0] > 3000000)
            spread[ns++] = g[j] - g[i];
        i = j + 1;
    }
    print_message("%zu colour frames, %zu complete captures\n", r->ncolor, ns);
    assert_true(ns > (size_t)((seconds - 4) * 30 * 0.9)); /* nearly every capture complete */
    qsort(spread, ns, sizeof *spread, cmp_i64);
    int64_t p99 = spread[(size_t)((double)(ns - 1) * 0.99)];
    free(g);
    free(spread);
    return p99;
}

static void femto_bolt_rig_reads_device_clocks_and_meets_the_spread_target(void **state)
{
    (void)state;
    run_t r;
    int64_t p99 = run_family("Femto Bolt", "SECONDARY", "daisy_chain", 45.0, &r);
    print_message("Femto Bolt x4 through the vendor API: global spread p99 %lld us\n",
                  (long long)p99);
    /* The target of issue 9; a backend whose writes go unannounced or whose frames keep an
     * old clock's mapping is off by milliseconds. */
    assert_true(p99 < 50);
    for (int i = 0; i < RIG_N; i++) {
        assert_true(r.writes[i] >= 4);     /* every write announced: at the start, then 10 s */
        assert_true(r.writes[i] <= 5);
        assert_true(r.two_way[i] > 150);   /* 10 a second, plus bursts */
    }
}

static void gemini_335_rig_has_no_device_clock_reads_and_default_profiles(void **state)
{
    (void)state;
    run_t r;
    /* no "streams" section: the Gemini 335's own default profiles must be used */
    int64_t p99 = run_family("Gemini 335", "HARDWARE_TRIGGERING", "star", 45.0, &r);
    print_message("Gemini 335 x4 through the vendor API (frames only): spread p99 %lld us\n",
                  (long long)p99);
    /* The target of issue 9 for frames only (the rig's latency floors are equal here: a
     * difference between devices' floors is unobservable without two-way reads). Also: it
     * runs on the family's own default profiles, every write is announced, and no
     * device-time read is attempted. */
    assert_true(p99 < 150);
    assert_true(r.ncolor > (size_t)(RIG_N * 30 * 40));
    for (int i = 0; i < RIG_N; i++) {
        assert_true(r.writes[i] >= 4);
        assert_int_equal(r.two_way[i], 0); /* internal to the SDK on this family */
    }
}

/* ---- hot-plug through the vendor API: the SDK's device-changed callback (emulated over the
 * simulator's unplug / replug / reboot), the backend's GONE and arrivals, the core's recovery */

#define HP_MAX_EV 32

typedef struct hp_run {
    pthread_mutex_t lock;
    rig_device_event_t ev[HP_MAX_EV];
    size_t nev;
    uint64_t frames[3];
    int64_t last_frame_us[3];
    int64_t last_host_us;
} hp_run_t;

static void hp_frame(rig_frame_t *f, void *user)
{
    hp_run_t *r = user;
    size_t d = rig_frame_device_index(f);
    pthread_mutex_lock(&r->lock);
    r->last_host_us = rig_frame_host_ts_us(f);
    if (d < 3) {
        r->frames[d]++;
        r->last_frame_us[d] = rig_frame_host_ts_us(f);
    }
    pthread_mutex_unlock(&r->lock);
}

static void hp_event(const rig_device_event_t *ev, void *user)
{
    hp_run_t *r = user;
    pthread_mutex_lock(&r->lock);
    if (r->nev < HP_MAX_EV)
        r->ev[r->nev++] = *ev;
    pthread_mutex_unlock(&r->lock);
}

static const char *hp_kinds(const hp_run_t *r, size_t d)
{
    static char buf[HP_MAX_EV + 1];
    static const char letters[] = "GBbCRAJXF";
    size_t n = 0;
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].device_index == d)
            buf[n++] = letters[r->ev[i].kind];
    buf[n] = '\0';
    return buf;
}

static int64_t hp_time(const hp_run_t *r, size_t d, rig_device_event_kind_t k)
{
    for (size_t i = 0; i < r->nev; i++)
        if (r->ev[i].device_index == d && r->ev[i].kind == k)
            return r->ev[i].host_ts_us - 1700000000000000LL;
    return -1;
}

static void hot_plug_through_the_vendor_api_is_recovered(void **state)
{
    (void)state;
    char path[] = "/tmp/rigsync-obhp-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "{\"devices\":["
                "{\"serial_number\":\"HP0\",\"config\":{\"mode\":\"PRIMARY\",\"trigger_out_enable\":true}},"
                "{\"serial_number\":\"HP1\",\"config\":{\"mode\":\"SECONDARY\",\"trigger_out_enable\":true,\"depth_delay_us\":160}},"
                "{\"serial_number\":\"HP2\",\"config\":{\"mode\":\"SECONDARY\",\"depth_delay_us\":320}}],"
                "\"sim\":{\"seed\":5,\"devices\":[{\"serial_number\":\"HP0\",\"model\":\"Femto Bolt\"},"
                "{\"serial_number\":\"HP1\",\"model\":\"Femto Bolt\"},{\"serial_number\":\"HP2\",\"model\":\"Femto Bolt\"}],"
                "\"events\":[{\"at_s\":4,\"unplug\":\"HP2\"},{\"at_s\":6,\"replug\":\"HP2\"},"
                "{\"at_s\":9,\"reboot\":\"HP1\",\"down_s\":1.5,\"config_to_defaults\":true}]}}");
    fclose(fp);
    setenv("RIGSYNC_OBEMU_CONFIG", path, 1);
    setenv("RIGSYNC_OBEMU_STOP_AFTER_S", "14", 1);
    setenv("RIGSYNC_OBEMU_PIXELS", "0", 1);
    rig_config_t *cfg;
    rig_config_diag_t diag;
    assert_int_equal(rig_config_load(path, &cfg, &diag), RIG_OK);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "orbbec";
    o.library = getenv("RIGSYNC_TEST_OBEMU");
    o.config = cfg;
    rig_context_t *ctx;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_OK);
    hp_run_t r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.lock, NULL);
    rig_context_set_frame_callback(ctx, hp_frame, &r);
    rig_context_set_device_event_callback(ctx, hp_event, &r);
    rig_device_t *dev[3];
    for (size_t i = 0; i < 3; i++) {
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, i, &sync);
        assert_int_equal(rig_device_open(ctx, rig_config_device_serial(cfg, i), &dev[i]), RIG_OK);
        assert_int_equal(rig_device_set_sync_config(dev[i], &sync, NULL), RIG_OK);
    }
    for (size_t i = 3; i-- > 0;)
        assert_int_equal(rig_device_start(dev[i], NULL, NULL), RIG_OK);
    assert_int_equal(rig_context_enable_clock_sync(ctx, 60000), RIG_OK);
    int64_t end_us = 1700000000000000LL + 13500000;
    for (int naps = 0; naps < 6000; naps++) {
        struct timespec nap = {0, 100000000L};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&r.lock);
        int64_t last = r.last_host_us;
        pthread_mutex_unlock(&r.lock);
        if (last >= end_us)
            break;
    }
    pthread_mutex_lock(&r.lock);
    hp_run_t got = r;
    pthread_mutex_unlock(&r.lock);
    bool back2 = rig_device_present(dev[2]), back1 = rig_device_present(dev[1]);
    rig_sync_config_t s1;
    rig_error_t e1 = rig_device_get_sync_config(dev[1], &s1);
    rig_context_destroy(ctx);
    rig_config_destroy(cfg);
    unlink(path);
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    for (size_t i = 0; i < got.nev; i++)
        print_message("event t=%.3f s device#%zu %s: %s\n",
                      (double)(got.ev[i].host_ts_us - 1700000000000000LL) / 1e6,
                      got.ev[i].device_index, rig_device_event_name(got.ev[i].kind),
                      got.ev[i].detail);
    /* HP2: unplugged at 4 s, back at 6 s with its config kept (flash): no write. */
    assert_string_equal(hp_kinds(&got, 2), "GBR");
    /* HP1: rebooted at 9 s to the defaults: written again, restarted. */
    assert_string_equal(hp_kinds(&got, 1), "GBbCR");
    assert_string_equal(hp_kinds(&got, 0), "");
    /* The SDK's callback comes on its own thread: noticed within half a second of virtual time
     * of the fault (the worker and the readers run concurrently). */
    int64_t t = hp_time(&got, 2, RIG_DEVICE_EVENT_GONE);
    assert_true(t >= 4000000 && t < 4500000);
    t = hp_time(&got, 2, RIG_DEVICE_EVENT_BACK);
    assert_true(t >= 6000000 && t < 6500000);
    t = hp_time(&got, 1, RIG_DEVICE_EVENT_RECONFIGURED);
    assert_true(t >= 10500000 && t < 11000000);
    assert_true(back1 && back2);
    assert_int_equal(e1, RIG_OK);
    assert_int_equal(s1.mode, RIG_SYNC_MODE_SECONDARY);
    /* Frames again from both, up to the end. */
    assert_true(got.last_frame_us[1] > end_us - 500000);
    assert_true(got.last_frame_us[2] > end_us - 500000);
    /* HP2 was gone 2 s and without pulses while HP1 rebooted (1.5 s + restarts): fewer frames
     * than HP0's (both streams, 30 fps) by at least those 3.5 s. */
    assert_true(got.frames[2] + 2 * 30 * 3 < got.frames[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pixels_and_timestamps_come_through_the_vendor_api),
        cmocka_unit_test(an_absent_serial_names_the_ones_present),
        cmocka_unit_test(hot_plug_through_the_vendor_api_is_recovered),
        cmocka_unit_test(femto_bolt_rig_reads_device_clocks_and_meets_the_spread_target),
        cmocka_unit_test(gemini_335_rig_has_no_device_clock_reads_and_default_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_obemu_recplay: the vendor's record and playback (RecordPlayback.h) on rigsync's MCAP, with
 * the calls of the vendor's samples 2.device.record(.nogui) and 2.device.playback, in virtual
 * time. A device of the default rig streams color and depth (every frame alone, aggregation
 * off, so a frame the rig delivers is one the program reads); ob_create_record_device records
 * 1 s, pause leaves out 0.5 s, resume records 1 s more; deleting the recorder closes the file.
 * - rigsync's own MCAP reader finds, per stream, exactly the frames the program read while
 *   recording (frame_info messages, and an Image each: pixels on), none of the paused ones, the rig's metadata a replay
 *   needs (rigsync.config json) and the recorded serial (obemu.record);
 * - ob_create_playback_device on that file plays through a pipeline: the same frames, in the
 *   same order, with the same indexes, device and system timestamps and pixels; the status callback hears
 *   PLAYING then STOPPED at the end; position 0 before, duration at the end; the duration is
 *   the recording's span (the file's first to last log time in ms, at least its frames' 2.5 s
 *   of host time); pause holds the playback (a wait
 *   gives nothing), resume goes on;
 * - a file that is no MCAP recording, and a missing file: an ob_error (107 saying MCAP, and
 *   an I/O error); a live device given to the playback functions: an error; seek: 107.
 * The file is kept in RIGSYNC_MCAP_OUT (with its expected counts) for the official reader's
 * check (ctest mcap_official).
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

#include "mcap/mcap_reader.h"
#include "ob_api.h"

#define MAXF 400

typedef struct {
    uint64_t index, ts_us, sys_us;
    uint64_t size, hash; /* the pixels: byte count and FNV-1a */
} seen_t;

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

typedef struct {
    seen_t f[2][MAXF]; /* [0] color, [1] depth */
    size_t n[2];
} frames_t;

static int slot_of(ob_frame_type t) { return t == OB_FRAME_COLOR ? 0 : t == OB_FRAME_DEPTH ? 1 : -1; }

static void no_error(ob_error *e)
{
    if (e)
        fail_msg("ob_error: %s (%s)", ob_error_get_message(e), ob_error_get_function(e));
}

/* Reads one frameset (waiting up to timeout_ms of virtual time); adds its frames to fr (may be
 * NULL: counted only). Returns the number of frames, 0 when the wait gave nothing. */
static size_t read_one(ob_pipeline *p, uint32_t timeout_ms, frames_t *fr, uint64_t *last_sys)
{
    ob_error *e = NULL;
    ob_frame *set = ob_pipeline_wait_for_frameset(p, timeout_ms, &e);
    no_error(e);
    if (!set)
        return 0;
    uint32_t n = ob_frameset_get_count(set, &e);
    no_error(e);
    for (uint32_t i = 0; i < n; i++) {
        ob_frame *f = ob_frameset_get_frame_by_index(set, i, &e);
        no_error(e);
        int s = slot_of(ob_frame_get_type(f, &e));
        assert_true(s >= 0);
        seen_t v = {ob_frame_get_index(f, &e), ob_frame_get_timestamp_us(f, &e),
                    ob_frame_get_system_timestamp_us(f, &e), ob_frame_get_data_size(f, &e), 0};
        no_error(e);
        const uint8_t *data = ob_frame_get_data(f, &e);
        assert_non_null(data);
        assert_true(v.size > 0);
        v.hash = fnv1a(data, (size_t)v.size);
        if (last_sys)
            *last_sys = v.sys_us;
        if (fr) {
            assert_true(fr->n[s] < MAXF);
            fr->f[s][fr->n[s]++] = v;
        }
        ob_delete_frame(f, &e);
    }
    ob_delete_frame(set, &e);
    no_error(e);
    return n;
}

/* Reads for `us` of the frames' host time. */
static void read_for(ob_pipeline *p, uint64_t us, frames_t *fr)
{
    uint64_t first = 0, last = 0;
    for (int guard = 0; guard < 10000; guard++) {
        if (read_one(p, 100, fr, &last) && !first)
            first = last;
        if (first && last - first >= us)
            return;
    }
    fail_msg("no frames");
}

/* Reads what is queued, without letting time move (timeout 0). */
static void drain(ob_pipeline *p, frames_t *fr)
{
    while (read_one(p, 0, fr, NULL))
        ;
}

static ob_config *both_streams(void)
{
    ob_error *e = NULL;
    ob_config *cfg = ob_create_config(&e);
    ob_config_enable_stream(cfg, OB_STREAM_COLOR, &e);
    ob_config_enable_stream(cfg, OB_STREAM_DEPTH, &e);
    ob_config_set_frame_aggregate_output_mode(cfg, OB_FRAME_AGGREGATE_OUTPUT_DISABLE, &e);
    no_error(e);
    return cfg;
}

/* ------------------------------------------------------------------------------------------ */

static char path[600];
static frames_t recorded, paused, played;
static char serial[64];
static uint64_t file_span_ms; /* the file's last log time - its first, as rigsync reads it */

static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;
static ob_playback_status statuses[32];
static size_t nstatuses;

static void on_status(ob_playback_status s, void *user)
{
    (void)user;
    pthread_mutex_lock(&st_lock);
    if (nstatuses < 32)
        statuses[nstatuses++] = s;
    pthread_mutex_unlock(&st_lock);
}

static bool saw_status(ob_playback_status s)
{
    bool found = false;
    pthread_mutex_lock(&st_lock);
    for (size_t i = 0; i < nstatuses; i++)
        found |= statuses[i] == s;
    pthread_mutex_unlock(&st_lock);
    return found;
}

static int setup(void **state)
{
    (void)state;
    setenv("RIGSYNC_OBEMU_VIRTUAL", "1", 1);
    unsetenv("RIGSYNC_OBEMU_CONFIG");
    unsetenv("RIGSYNC_OBEMU_SEED");
    setenv("RIGSYNC_OBEMU_PIXELS", "1", 1); /* frames with pixels: an Image per frame */
    unsetenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    const char *dir = getenv("RIGSYNC_MCAP_OUT");
    if (dir && *dir) {
        snprintf(path, sizeof path, "%s/test_obemu_recplay.mcap", dir);
    } else {
        snprintf(path, sizeof path, "/tmp/test_obemu_recplay_XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            return -1;
        close(fd);
    }
    return 0;
}

static void record(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_context *ctx = ob_create_context(&e);
    no_error(e);
    ob_enable_device_clock_sync(ctx, 1000, &e); /* time starts; clock events are recorded */
    ob_device_list *list = ob_query_device_list(ctx, &e);
    ob_device *dev = ob_device_list_get_device(list, 0, &e);
    no_error(e);
    snprintf(serial, sizeof serial, "%s", ob_device_list_get_device_serial_number(list, 0, &e));
    ob_pipeline *p = ob_create_pipeline_with_device(dev, &e);
    ob_config *cfg = both_streams();
    ob_pipeline_start_with_config(p, cfg, &e);
    no_error(e);
    read_one(p, 100, NULL, NULL); /* streaming (the sample starts the recorder after) */
    drain(p, NULL);

    ob_record_device *rec = ob_create_record_device(dev, path, true, &e);
    no_error(e);
    assert_non_null(rec);
    read_for(p, 1000000, &recorded);
    ob_record_device_pause(rec, &e);
    drain(p, &recorded); /* delivered before the pause: recorded */
    read_for(p, 500000, &paused);
    drain(p, &paused);
    ob_record_device_resume(rec, &e);
    read_for(p, 1000000, &recorded);
    ob_record_device_pause(rec, &e);
    drain(p, &recorded);
    no_error(e);
    ob_pipeline_stop(p, &e);
    ob_delete_record_device(rec, &e); /* closes a complete file */
    no_error(e);
    ob_delete_pipeline(p, &e);
    ob_delete_config(cfg, &e);
    ob_delete_device(dev, &e);
    ob_delete_device_list(list, &e);
    ob_delete_context(ctx, &e);
    no_error(e);
    for (int s = 0; s < 2; s++) {
        assert_true(recorded.n[s] >= 55); /* 30 fps for 2 s */
        assert_true(paused.n[s] >= 12);
    }
}

/* The expected counts per topic for the official reader (ctest mcap_official). */
static void write_expect(uint64_t clock_events)
{
    if (!getenv("RIGSYNC_MCAP_OUT"))
        return;
    char json[700];
    snprintf(json, sizeof json, "%s.expect.json", path);
    FILE *f = fopen(json, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"/rig/%s/color/frame_info\": %zu, \"/rig/%s/depth/frame_info\": %zu, "
            "\"/rig/%s/color/image_raw\": %zu, \"/rig/%s/depth/image_raw\": %zu, "
            "\"/rig/framesets\": 0, \"/rig/clock_events\": %llu}\n",
            serial, recorded.n[0], serial, recorded.n[1], serial, recorded.n[0], serial,
            recorded.n[1], (unsigned long long)clock_events);
    assert_int_equal(fclose(f), 0);
}

static void read_back(void **state)
{
    (void)state;
    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    rig_mcap_summary_t sum;
    assert_int_equal(rig_mcap_reader_read_summary(r, &sum), RIG_OK); /* a complete file */
    file_span_ms = (sum.message_end_time / 1000 - sum.message_start_time / 1000) / 1000;
    char topic[2][160], image[2][160];
    snprintf(topic[0], sizeof topic[0], "/rig/%s/color/frame_info", serial);
    snprintf(topic[1], sizeof topic[1], "/rig/%s/depth/frame_info", serial);
    snprintf(image[0], sizeof image[0], "/rig/%s/color/image_raw", serial);
    snprintf(image[1], sizeof image[1], "/rig/%s/depth/image_raw", serial);
    uint64_t n[2] = {0, 0}, images[2] = {0, 0}, other_frames = 0, clock = 0;
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        assert_int_equal(rig_mcap_reader_next_message(r, &m, &end), RIG_OK);
        if (end)
            break;
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, m.channel_id);
        assert_non_null(ch);
        if (strcmp(ch->topic, topic[0]) == 0)
            n[0]++;
        else if (strcmp(ch->topic, topic[1]) == 0)
            n[1]++;
        else if (strcmp(ch->topic, image[0]) == 0)
            images[0]++;
        else if (strcmp(ch->topic, image[1]) == 0)
            images[1]++;
        else if (strstr(ch->topic, "/frame_info") || strstr(ch->topic, "/image_raw"))
            other_frames++;
        else if (strcmp(ch->topic, "/rig/clock_events") == 0)
            clock++;
    }
    assert_int_equal(n[0], recorded.n[0]);
    assert_int_equal(n[1], recorded.n[1]);
    assert_int_equal(images[0], recorded.n[0]); /* with their pixels */
    assert_int_equal(images[1], recorded.n[1]);
    assert_int_equal(other_frames, 0); /* the other device of the rig was not recorded */
    assert_true(clock > 0);
    bool json = false, rec_serial = false;
    for (size_t i = 0; i < rig_mcap_reader_metadata_count(r); i++) {
        const rig_mcap_metadata_t *md = rig_mcap_reader_metadata(r, i);
        for (size_t k = 0; k < md->n; k++) {
            json |= strcmp(md->name, "rigsync.config") == 0 && strcmp(md->keys[k], "json") == 0;
            rec_serial |= strcmp(md->name, "obemu.record") == 0 &&
                          strcmp(md->keys[k], "serial") == 0 && strcmp(md->values[k], serial) == 0;
        }
    }
    assert_true(json);
    assert_true(rec_serial);
    rig_mcap_reader_close(r);
    write_expect(clock);
}

static void play(void **state)
{
    (void)state;
    ob_error *e = NULL;
    ob_device *pb = ob_create_playback_device(path, &e);
    no_error(e);
    assert_non_null(pb);
    ob_device_info *info = ob_device_get_device_info(pb, &e);
    assert_string_equal(ob_device_info_get_serial_number(info, &e), serial);
    ob_delete_device_info(info, &e);
    uint64_t duration = ob_playback_device_get_duration(pb, &e);
    no_error(e);
    /* the span of the recorded messages: at least the frames' (2.5 s and the reads' last
     * frame intervals); exactly the file's log times (clock events come before and after) */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < recorded.n[s]; i++) {
            lo = recorded.f[s][i].sys_us < lo ? recorded.f[s][i].sys_us : lo;
            hi = recorded.f[s][i].sys_us > hi ? recorded.f[s][i].sys_us : hi;
        }
    assert_true(hi - lo >= 2500000);
    assert_true(duration >= (hi - lo) / 1000);
    assert_int_equal(duration, file_span_ms); /* the file's first to last log time, in ms */
    assert_int_equal(ob_playback_device_get_position(pb, &e), 0);
    assert_int_equal(ob_playback_device_get_current_playback_status(pb, &e), OB_PLAYBACK_STOPPED);
    ob_playback_device_set_playback_status_changed_callback(pb, on_status, NULL, &e);
    no_error(e);
    ob_playback_device_seek(pb, 100, &e);
    assert_non_null(e);
    assert_int_equal(ob_error_get_status(e), 107);
    ob_delete_error(e);
    e = NULL;

    ob_sensor_list *sensors = ob_device_get_sensor_list(pb, &e);
    assert_int_equal(ob_sensor_list_get_count(sensors, &e), 2);
    ob_delete_sensor_list(sensors, &e);
    ob_pipeline *p = ob_create_pipeline_with_device(pb, &e);
    ob_config *cfg = both_streams();
    ob_pipeline_start_with_config(p, cfg, &e);
    no_error(e);
    assert_int_equal(ob_playback_device_get_current_playback_status(pb, &e), OB_PLAYBACK_PLAYING);

    bool paused_once = false;
    for (int guard = 0; guard < 2000; guard++) {
        size_t got = read_one(p, 100, &played, NULL);
        if (!paused_once && played.n[0] + played.n[1] >= 40) {
            paused_once = true;
            ob_playback_device_pause(pb, &e);
            no_error(e);
            drain(p, &played);
            size_t before = played.n[0] + played.n[1];
            assert_int_equal(read_one(p, 200, &played, NULL), 0); /* held */
            assert_int_equal(played.n[0] + played.n[1], before);
            assert_int_equal(ob_playback_device_get_current_playback_status(pb, &e),
                             OB_PLAYBACK_PAUSED);
            ob_playback_device_resume(pb, &e);
            no_error(e);
        }
        if (!got && ob_playback_device_get_current_playback_status(pb, &e) == OB_PLAYBACK_STOPPED)
            break;
    }
    drain(p, &played);
    assert_int_equal(ob_playback_device_get_current_playback_status(pb, &e), OB_PLAYBACK_STOPPED);
    assert_int_equal(ob_playback_device_get_position(pb, &e), duration);
    /* the callback thread hears every change (bounded wait: it runs on its own thread) */
    for (int i = 0; i < 400 && !saw_status(OB_PLAYBACK_STOPPED); i++) {
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(saw_status(OB_PLAYBACK_PLAYING));
    assert_true(saw_status(OB_PLAYBACK_PAUSED));
    assert_true(saw_status(OB_PLAYBACK_STOPPED));

    for (int s = 0; s < 2; s++) {
        assert_int_equal(played.n[s], recorded.n[s]);
        for (size_t i = 0; i < recorded.n[s]; i++) {
            assert_int_equal(played.f[s][i].index, recorded.f[s][i].index);
            assert_int_equal(played.f[s][i].ts_us, recorded.f[s][i].ts_us);
            assert_int_equal(played.f[s][i].sys_us, recorded.f[s][i].sys_us);
            assert_int_equal(played.f[s][i].size, recorded.f[s][i].size);
            assert_int_equal(played.f[s][i].hash, recorded.f[s][i].hash); /* same pixels */
        }
    }
    ob_pipeline_stop(p, &e);
    ob_delete_pipeline(p, &e);
    ob_delete_config(cfg, &e);
    ob_delete_device(pb, &e);
    no_error(e);
}

static void bad_files(void **state)
{
    (void)state;
    char junk[] = "/tmp/test_obemu_recplay_junk_XXXXXX";
    int fd = mkstemp(junk);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#ROSBAG V2.0\n", 13), 13);
    close(fd);
    ob_error *e = NULL;
    assert_null(ob_create_playback_device(junk, &e));
    assert_non_null(e);
    assert_int_equal(ob_error_get_status(e), 107);
    assert_non_null(strstr(ob_error_get_message(e), "MCAP"));
    ob_delete_error(e);
    e = NULL;
    unlink(junk);
    assert_null(ob_create_playback_device("/nonexistent/dir/x.bag", &e));
    assert_non_null(e);
    assert_int_equal(ob_error_get_exception_type(e), OB_EXCEPTION_TYPE_IO);
    ob_delete_error(e);
    e = NULL;

    /* a live device is no playback device; a recorder needs a writable file */
    ob_context *ctx = ob_create_context(&e);
    ob_device_list *list = ob_query_device_list(ctx, &e);
    ob_device *dev = ob_device_list_get_device(list, 0, &e);
    no_error(e);
    ob_playback_device_get_duration(dev, &e);
    assert_non_null(e);
    ob_delete_error(e);
    e = NULL;
    assert_null(ob_create_record_device(dev, "/nonexistent/dir/x.bag", true, &e));
    assert_non_null(e);
    assert_non_null(strstr(ob_error_get_message(e), "MCAP"));
    ob_delete_error(e);
    e = NULL;
    ob_delete_device(dev, &e);
    ob_delete_device_list(list, &e);
    ob_delete_context(ctx, &e);
    no_error(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record),
        cmocka_unit_test(read_back),
        cmocka_unit_test(play),
        cmocka_unit_test(bad_files),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * librigsync-obemu: the vendor's recording device (RecordPlayback.h: ob_create_record_device,
 * pause, resume, delete) on rigsync's own recorder (src/record).
 *
 * The file is MCAP as `rigsync record` writes it (profile ros2, the same channels and metadata:
 * rigsync.config, rigsync.rig, rigsync.run, rigsync.summary), whatever its name says: the vendor
 * writes a ROS 1 .bag, the emulator does not. So `rigsync info`, `rigsync run --replay` and
 * ob_create_playback_device read it; the vendor's SDK and rosbag tools do not.
 *
 * Every frame the device delivers while the recorder lives (and is not paused) is recorded,
 * through whatever pipeline started its streams; frames of the rig's other devices are not.
 * The clock events of the rig go in too (a replay computes the global timestamps from them).
 * Deleting the recorder writes every queued frame and closes a complete file.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "obemu_internal.h"
#include "record/recorder.h"
#include "rigsync/sim.h"

struct obemu_record {
    ob_device *dev; /* one reference */
    rig_recorder_t *rec;
    atomic_bool paused;
    atomic_uint_fast64_t paused_frames; /* delivered while paused: left out on purpose */
    bool owns_clock;                    /* takes the context's clock events */
};

struct ob_record_device_t {
    struct obemu_record *r;
};

/* ------------------------------------------------------------------------------------------ */
/* Metadata: key/value records, as rigsync record writes them                                 */

#define META_MAX 64

typedef struct {
    rig_recorder_t *rec;
    const char *name;
    rig_mcap_kv_t kv[META_MAX];
    char key[META_MAX][48];
    char *value[META_MAX];
    size_t n;
} meta_t;

static void meta_flush(meta_t *m)
{
    if (m->n)
        rig_recorder_add_metadata(m->rec, m->name, m->kv, m->n);
    for (size_t i = 0; i < m->n; i++)
        free(m->value[i]);
    m->n = 0;
}

OBEMU_PRINTF(3, 4) static void meta_add(meta_t *m, const char *key, const char *fmt, ...)
{
    if (m->n == META_MAX)
        meta_flush(m); /* more go on in another record of the same name */
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *v = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (v)
        vsnprintf(v, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    if (!v)
        return;
    rig_strlcpy(m->key[m->n], key, sizeof m->key[0]);
    m->value[m->n] = v;
    m->kv[m->n].key = m->key[m->n];
    m->kv[m->n].value = v;
    m->n++;
}

/* rigsync.config, rigsync.rig, rigsync.run (rig_lock held). */
static void write_start_metadata(struct obemu_record *r, ob_context *c, const char *path)
{
    const rig_config_t *cfg = c->config;
    size_t n = rig_config_device_count(cfg);
    meta_t *m = calloc(1, sizeof(*m));
    if (!m)
        return;
    m->rec = r->rec;
    m->name = "rigsync.config";
    meta_add(m, "source", "%s", rig_config_source(cfg));
    if (cfg->text)
        meta_add(m, "json", "%s", cfg->text);
    meta_add(m, "backend", "%s", c->playback ? "replay" : "sim");
    meta_add(m, "time", "%s", c->virtual_time ? "virtual" : "real");
    meta_add(m, "pixels", "%s", c->pixels ? "true" : "false");
    if (c->seed_set)
        meta_add(m, "seed", "%" PRIu64, c->seed);
    meta_add(m, "clock_sync_interval_ms", "%" PRIu64, rig_config_clock_sync_interval_ms(cfg));
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_stream_profile_t p = rig_config_stream_profile(cfg, (rig_stream_t)s);
        char key[48];
        snprintf(key, sizeof key, "streams.%s", rig_stream_name((rig_stream_t)s));
        meta_add(m, key, "%ux%u@%u %s", p.width, p.height, p.fps, rig_format_name(p.format));
    }
    for (size_t i = 0; i < n; i++) {
        rig_sync_config_t sc;
        rig_config_device_sync(cfg, i, &sc);
        char key[48];
        snprintf(key, sizeof key, "devices[%zu]", i);
        meta_add(m, key,
                 "serial %s mode %s depth_delay_us %" PRId32 " color_delay_us %" PRId32
                 " trigger_to_image_delay_us %" PRId32 " trigger_out_enable %s "
                 "trigger_out_delay_us %" PRId32 " frames_per_trigger %" PRId32,
                 rig_config_device_serial(cfg, i), rig_sync_mode_name(sc.mode), sc.depth_delay_us,
                 sc.color_delay_us, sc.trigger_to_image_delay_us,
                 sc.trigger_out_enable ? "true" : "false", sc.trigger_out_delay_us,
                 sc.frames_per_trigger);
    }
    meta_flush(m);

    m->name = "rigsync.rig";
    meta_add(m, "device_count", "%zu", n);
    for (size_t i = 0; i < n; i++) {
        rig_device_info_t info;
        char key[48];
        snprintf(key, sizeof key, "devices[%zu]", i);
        if (rig_context_device_info(c->rig, i, &info) == RIG_OK)
            meta_add(m, key, "serial %s model %s timestamp_bits %" PRIu32 " modes 0x%02" PRIX32,
                     info.serial, info.model, info.timestamp_bits, info.supported_modes);
        else
            meta_add(m, key, "serial %s (not present at the start)",
                     rig_config_device_serial(cfg, i));
    }
    meta_flush(m);

    /* The run: its origin (now) and the recorded device's running streams. */
    m->name = "rigsync.run";
    int64_t now = 0;
    obemu_now_us(c, &now);
    meta_add(m, "t0_us", "%" PRId64, now);
    ob_device *d = r->dev;
    pthread_mutex_lock(&c->qlock);
    obemu_route_t route = d->index < c->route_cap ? c->route[d->index] : (obemu_route_t){0};
    pthread_mutex_unlock(&c->qlock);
    for (int s = 0; route.running && s < RIG_STREAM_COUNT; s++) {
        const rig_stream_profile_t *p = &route.profile[s];
        if (!p->width)
            continue;
        char key[48];
        snprintf(key, sizeof key, "devices[%zu].%s", d->index, rig_stream_name((rig_stream_t)s));
        meta_add(m, key, "%ux%u@%u %s floor none", p->width, p->height, p->fps,
                 rig_format_name(p->format));
    }
    meta_flush(m);

    m->name = "obemu.record";
    meta_add(m, "serial", "%s", d->info.serial);
    meta_add(m, "file", "%s", path);
    meta_add(m, "note", "%s",
             "written by the rigsync emulator's ob_create_record_device: MCAP (rigsync record's "
             "format), not the Orbbec SDK's ROS 1 bag, whatever the file name");
    meta_flush(m);
    free(m);
}

static void write_close_metadata(struct obemu_record *r)
{
    rig_recorder_stats_t st;
    rig_recorder_get_stats(r->rec, &st);
    meta_t *m = calloc(1, sizeof(*m));
    if (!m)
        return;
    m->rec = r->rec;
    m->name = "rigsync.summary";
    meta_add(m, "verdict", "%s", "recorded by ob_create_record_device (no sync verdict)");
    meta_add(m, "recorder.frames_written", "%" PRIu64, st.frames_written);
    meta_add(m, "recorder.images_written", "%" PRIu64, st.images_written);
    meta_add(m, "recorder.framesets_written", "%" PRIu64, st.framesets_written);
    meta_add(m, "recorder.clock_events_written", "%" PRIu64, st.clock_events_written);
    meta_add(m, "recorder.dropped_frames", "%" PRIu64, st.dropped_frames);
    meta_add(m, "recorder.dropped_framesets", "%" PRIu64, st.dropped_framesets);
    meta_add(m, "recorder.dropped_clock_events", "%" PRIu64, st.dropped_clock_events);
    meta_add(m, "recorder.device_events_written", "%" PRIu64, st.device_events_written);
    meta_add(m, "recorder.dropped_device_events", "%" PRIu64, st.dropped_device_events);
    meta_add(m, "obemu.paused_frames", "%" PRIu64,
             (uint64_t)atomic_load(&r->paused_frames));
    meta_flush(m);
    free(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Feeding                                                                                    */

void obemu_record_frame_locked(struct obemu_record *r, rig_frame_t *rf)
{
    if (atomic_load(&r->paused)) {
        atomic_fetch_add(&r->paused_frames, 1);
        return;
    }
    rig_recorder_frame(r->rec, rf);
}

static void on_clock_event(const rig_clock_event_t *ev, void *user)
{
    ob_context *c = user;
    pthread_mutex_lock(&c->qlock);
    if (c->clock_rec && !atomic_load(&c->clock_rec->paused))
        rig_recorder_clock_event(c->clock_rec->rec, ev);
    pthread_mutex_unlock(&c->qlock);
}

/* ------------------------------------------------------------------------------------------ */
/* The API                                                                                    */

OBEMU_EXPORT ob_record_device *ob_create_record_device(ob_device *device, const char *file_path,
                                                       bool compression_enabled, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return NULL;
    }
    if (!file_path) {
        FAIL_NULL(error, "file_path");
        return NULL;
    }
    char args[600];
    snprintf(args, sizeof args, "file_path = %.500s, compression_enabled = %d", file_path,
             (int)compression_enabled);
    ob_context *c = device->ctx;
    ob_record_device *h = calloc(1, sizeof(*h));
    struct obemu_record *r = calloc(1, sizeof(*r));
    if (!h || !r) {
        free(h);
        free(r);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args, "out of memory");
        return NULL;
    }
    h->r = r;
    atomic_init(&r->paused, false);
    atomic_init(&r->paused_frames, 0);
    r->dev = device;

    size_t n = rig_config_device_count(c->config);
    const char **serials = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; serials && i < n; i++)
        serials[i] = rig_config_device_serial(c->config, i);
    rig_recorder_options_t ro;
    memset(&ro, 0, sizeof ro);
    ro.compression = compression_enabled ? RIG_MCAP_COMPRESSION_ZSTD : RIG_MCAP_COMPRESSION_NONE;
    ro.zstd_level = 1;
    ro.block_when_full = c->virtual_time; /* virtual time: wait rather than drop */
    char msg[300] = "";
    rig_error_t e = serials ? rig_recorder_open(file_path, &ro, serials, n, &r->rec, msg, sizeof msg)
                            : RIG_ERROR_NO_MEMORY;
    free(serials);
    if (e != RIG_OK) {
        obemu_fail(error, e == RIG_ERROR_NO_MEMORY ? OB_EXCEPTION_TYPE_MEMORY : OB_EXCEPTION_TYPE_IO,
                   __func__, args,
                   "the rigsync emulator records MCAP (rigsync record's format, any file name), "
                   "not the SDK's ROS bag; cannot record to %s: %s; give a writable file",
                   file_path, msg[0] ? msg : rig_strerror(e));
        free(r);
        free(h);
        return NULL;
    }
    atomic_fetch_add(&device->refs, 1);

    pthread_mutex_lock(&c->rig_lock);
    write_start_metadata(r, c, file_path);
    pthread_mutex_lock(&c->qlock);
    bool busy = device->index >= c->route_cap || c->route[device->index].recorder != NULL;
    if (!busy) {
        c->route[device->index].recorder = r;
        if (!c->clock_rec) {
            c->clock_rec = r;
            r->owns_clock = true;
        }
    }
    pthread_mutex_unlock(&c->qlock);
    if (!busy && r->owns_clock)
        rig_context_set_clock_event_callback(c->rig, on_clock_event, c);
    pthread_mutex_unlock(&c->rig_lock);
    if (busy) {
        rig_recorder_close(r->rec, NULL, 0);
        remove(file_path);
        obemu_device_release(device);
        free(r);
        free(h);
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, args,
                   "device %s is already being recorded; delete its recorder first",
                   device->info.serial);
        return NULL;
    }
    return h;
}

OBEMU_EXPORT void ob_delete_record_device(ob_record_device *recorder, ob_error **error)
{
    if (!recorder) {
        FAIL_NULL(error, "recorder");
        return;
    }
    struct obemu_record *r = recorder->r;
    ob_device *d = r->dev;
    ob_context *c = d->ctx;
    pthread_mutex_lock(&c->rig_lock);
    pthread_mutex_lock(&c->qlock);
    if (d->index < c->route_cap && c->route[d->index].recorder == r)
        c->route[d->index].recorder = NULL;
    if (c->clock_rec == r)
        c->clock_rec = NULL;
    pthread_mutex_unlock(&c->qlock);
    if (r->owns_clock)
        rig_context_set_clock_event_callback(c->rig, NULL, NULL);
    pthread_mutex_unlock(&c->rig_lock);
    /* No frame reaches it any more: write what is queued, the summary, the file's end. */
    char msg[300] = "";
    rig_recorder_stop(r->rec, NULL, 0);
    write_close_metadata(r);
    rig_error_t e = rig_recorder_close(r->rec, msg, sizeof msg);
    if (e != RIG_OK)
        obemu_fail(error, OB_EXCEPTION_TYPE_IO, __func__, "",
                   "writing the recording (MCAP) failed: %s; free space or record to another "
                   "disk", msg[0] ? msg : rig_strerror(e));
    obemu_device_release(d);
    free(r);
    free(recorder);
}

OBEMU_EXPORT void ob_record_device_pause(ob_record_device *recorder, ob_error **error)
{
    if (!recorder) {
        FAIL_NULL(error, "recorder");
        return;
    }
    atomic_store(&recorder->r->paused, true);
}

OBEMU_EXPORT void ob_record_device_resume(ob_record_device *recorder, ob_error **error)
{
    if (!recorder) {
        FAIL_NULL(error, "recorder");
        return;
    }
    atomic_store(&recorder->r->paused, false);
}

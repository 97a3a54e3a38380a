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
#include "record/record_meta.h"
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

/* rigsync.config, rigsync.rig, rigsync.run (rig_lock held). */
static void write_start_metadata(struct obemu_record *r, ob_context *c, const char *path)
{
    const rig_config_t *cfg = c->config;
    size_t n = rig_config_device_count(cfg);
    rig_meta_t *m = rig_meta_begin(r->rec, "rigsync.config");
    if (!m)
        return;
    rig_meta_source_t src = {.backend = c->playback ? "replay" : "sim",
                             .virtual_time = c->virtual_time,
                             .pixels = c->pixels,
                             .seed_set = c->seed_set,
                             .seed = c->seed};
    rig_meta_config(m, cfg, &src);
    rig_meta_next(m, "rigsync.rig");
    rig_meta_add(m, "device_count", "%zu", n);
    for (size_t i = 0; i < n; i++) {
        rig_device_info_t info;
        bool known = rig_context_device_info(c->rig, i, &info) == RIG_OK;
        rig_meta_device(m, i, known ? &info : NULL, rig_config_device_serial(cfg, i));
    }

    /* The run: its origin (now) and the recorded device's running streams. */
    rig_meta_next(m, "rigsync.run");
    int64_t now = 0;
    obemu_now_us(c, &now);
    rig_meta_add(m, "t0_us", "%" PRId64, now);
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
        rig_meta_add(m, key, "%ux%u@%u %s floor none", p->width, p->height, p->fps,
                     rig_format_name(p->format));
    }
    rig_meta_next(m, "obemu.record");
    rig_meta_add(m, "serial", "%s", d->info.serial);
    rig_meta_add(m, "file", "%s", path);
    rig_meta_add(m, "note", "%s",
                 "written by the rigsync emulator's ob_create_record_device: MCAP (rigsync "
                 "record's format), not the Orbbec SDK's ROS 1 bag, whatever the file name");
    rig_meta_end(m);
}

static void write_close_metadata(struct obemu_record *r)
{
    rig_recorder_stats_t st;
    rig_recorder_get_stats(r->rec, &st);
    rig_meta_t *m = rig_meta_begin(r->rec, "rigsync.summary");
    if (!m)
        return;
    rig_meta_add(m, "verdict", "%s", "recorded by ob_create_record_device (no sync verdict)");
    rig_meta_recorder_stats(m, &st);
    rig_meta_add(m, "obemu.paused_frames", "%" PRIu64,
                 (uint64_t)atomic_load(&r->paused_frames));
    rig_meta_end(m);
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

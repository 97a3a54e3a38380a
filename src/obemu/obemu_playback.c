/*
 * librigsync-obemu: the vendor's playback device (RecordPlayback.h) on rigsync's replay backend.
 *
 * ob_create_playback_device opens a recording made by ob_create_record_device, rigsync record
 * or rigsync run --record: an MCAP file (whatever its name: the vendor's samples ask for .bag),
 * not the SDK's ROS 1 bag. The device lives on a private context of its own whose rig is the
 * "replay" backend over that file, with the recorded config; its sensors, profiles and
 * pipelines are those of any emulated device, and its frames are the recorded ones with their
 * recorded indexes and timestamps. The device played is the one ob_create_record_device
 * recorded (metadata obemu.record), else the recording's first device.
 *
 * Time follows RIGSYNC_OBEMU_VIRTUAL (and RIGSYNC_OBEMU_SPEED) as for the simulated rig: virtual
 * time plays as fast as the pipeline is read, or at that speed (pause holds it); real time
 * paces to the recorded host times.
 *
 * Status (as the SDK's): STOPPED until a pipeline starts the device, PLAYING while it streams,
 * PAUSED after pause, STOPPED again when the file's end was delivered or the device stopped;
 * the status callback gets every change, on a thread of the emulator's. Position and duration
 * are in milliseconds from the recording's first message. Not supported (an ob_error says so):
 * seek, pause in real time, a rate other than 1 in real time; once the end was reached, a new
 * start plays nothing (STOPPED again at once).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcap/mcap_reader.h"
#include "obemu_internal.h"
#include "rigsync/replay.h"
#include "rigsync/sim.h"

#define NOTE_CAP 16
#define POLL_MS 10 /* real time: how often the end of the file is looked for */

struct obemu_playback {
    ob_context *ctx; /* not a reference: the context owns this */
    _Atomic int status;
    int64_t first_us, last_us; /* the recording's first and last message (host clock) */
    float rate;
    pthread_mutex_t lock; /* notes, callback, quit */
    pthread_cond_t wake;
    pthread_t thread;
    bool thread_started, quit;
    ob_playback_status notes[NOTE_CAP];
    size_t nnotes;
    ob_playback_status_changed_callback cb;
    void *user;
};

/* ------------------------------------------------------------------------------------------ */
/* Status                                                                                     */

static void set_status(struct obemu_playback *pb, ob_playback_status s)
{
    int old = atomic_exchange(&pb->status, (int)s);
    if (old == (int)s)
        return;
    pthread_mutex_lock(&pb->lock);
    if (pb->nnotes < NOTE_CAP)
        pb->notes[pb->nnotes++] = s;
    pthread_cond_signal(&pb->wake);
    pthread_mutex_unlock(&pb->lock);
}

/* The emulator's playback thread: hands status changes to the callback, and in real time looks
 * for the end of the file (virtual time finds it while advancing). */
static void *notify_main(void *arg)
{
    struct obemu_playback *pb = arg;
    ob_context *c = pb->ctx;
    pthread_mutex_lock(&pb->lock);
    while (!pb->quit) {
        if (pb->nnotes) {
            ob_playback_status s = pb->notes[0];
            memmove(pb->notes, pb->notes + 1, (pb->nnotes - 1) * sizeof(pb->notes[0]));
            pb->nnotes--;
            ob_playback_status_changed_callback cb = pb->cb;
            void *user = pb->user;
            pthread_mutex_unlock(&pb->lock);
            if (cb)
                cb(s, user);
            pthread_mutex_lock(&pb->lock);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&pb->wake, &pb->lock, &until);
        if (pb->quit || c->virtual_time || atomic_load(&pb->status) != OB_PLAYBACK_PLAYING)
            continue;
        pthread_mutex_unlock(&pb->lock);
        bool finished = false;
        pthread_mutex_lock(&c->rig_lock);
        rig_replay_status(c->rig, &finished, NULL, 0);
        pthread_mutex_unlock(&c->rig_lock);
        if (finished)
            set_status(pb, OB_PLAYBACK_STOPPED);
        pthread_mutex_lock(&pb->lock);
    }
    pthread_mutex_unlock(&pb->lock);
    return NULL;
}

void obemu_playback_free(ob_context *c)
{
    struct obemu_playback *pb = c->playback;
    if (!pb)
        return;
    c->playback = NULL;
    if (pb->thread_started) {
        pthread_mutex_lock(&pb->lock);
        pb->quit = true;
        pthread_cond_signal(&pb->wake);
        pthread_mutex_unlock(&pb->lock);
        if (pthread_equal(pb->thread, pthread_self())) {
            /* The last reference went inside a status callback: the thread sees quit once the
             * callback returns; its few bytes are left to it. */
            pthread_detach(pb->thread);
            return;
        }
        pthread_join(pb->thread, NULL);
    }
    pthread_cond_destroy(&pb->wake);
    pthread_mutex_destroy(&pb->lock);
    free(pb);
}

/* ------------------------------------------------------------------------------------------ */
/* Hooks of the pipeline and the context                                                      */

rig_error_t obemu_now_us(ob_context *c, int64_t *now_us)
{
    return c->playback ? rig_replay_now_us(c->rig, now_us) : rig_sim_now_us(c->rig, now_us);
}

rig_error_t obemu_advance_us(ob_context *c, int64_t us)
{
    struct obemu_playback *pb = c->playback;
    if (!pb)
        return rig_sim_advance_us(c->rig, us);
    if (atomic_load(&pb->status) != OB_PLAYBACK_PLAYING)
        return RIG_OK;
    rig_error_t e = rig_replay_advance_us(c->rig, us);
    bool finished = false;
    if (e == RIG_OK)
        e = rig_replay_status(c->rig, &finished, NULL, 0);
    if (e != RIG_OK || finished)
        set_status(pb, OB_PLAYBACK_STOPPED);
    return e;
}

bool obemu_playback_idle(ob_context *c)
{
    return c->playback && atomic_load(&c->playback->status) != OB_PLAYBACK_PLAYING;
}

void obemu_playback_started(ob_context *c)
{
    if (c->playback && atomic_load(&c->playback->status) == OB_PLAYBACK_STOPPED)
        set_status(c->playback, OB_PLAYBACK_PLAYING);
}

void obemu_playback_stopped(ob_context *c)
{
    if (c->playback)
        set_status(c->playback, OB_PLAYBACK_STOPPED);
}

/* ------------------------------------------------------------------------------------------ */
/* Creation                                                                                   */

#define NOT_BAG_NOTE                                                                               \
    "the rigsync emulator plays MCAP recordings (rigsync record, ob_create_record_device; "        \
    "any file name), not the Orbbec SDK's ROS bag"

/* The recording's first and last message times (its summary), in us; false for a cut file. */
static bool file_span(const char *path, int64_t *first_us, int64_t *last_us)
{
    rig_mcap_reader_t *r = NULL;
    rig_mcap_summary_t sum;
    memset(&sum, 0, sizeof sum);
    bool ok = rig_mcap_reader_open(path, 0, &r) == RIG_OK &&
              rig_mcap_reader_read_summary(r, &sum) == RIG_OK &&
              sum.message_end_time >= sum.message_start_time;
    rig_mcap_reader_close(r);
    if (ok) {
        *first_us = (int64_t)(sum.message_start_time / 1000);
        *last_us = (int64_t)(sum.message_end_time / 1000);
    }
    return ok;
}

OBEMU_EXPORT ob_device *ob_create_playback_device(const char *file_path, ob_error **error)
{
    if (!file_path) {
        FAIL_NULL(error, "file_path");
        return NULL;
    }
    char args[560];
    snprintf(args, sizeof args, "file_path = %.500s", file_path);
    FILE *f = fopen(file_path, "rb");
    if (!f) {
        obemu_fail(error, OB_EXCEPTION_TYPE_IO, __func__, args, "cannot open %s: %s", file_path,
                   strerror(errno));
        return NULL;
    }
    fclose(f);
    rig_config_t *cfg = NULL;
    char msg[1024] = "";
    rig_error_t e = rig_replay_load_config(file_path, &cfg, msg, sizeof msg);
    if (e != RIG_OK) {
        obemu_fail(error,
                   e == RIG_ERROR_NO_MEMORY ? OB_EXCEPTION_TYPE_MEMORY
                                            : OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
                   __func__, args, "%s; cannot play %s: %s", NOT_BAG_NOTE, file_path,
                   msg[0] ? msg : rig_strerror(e));
        return NULL;
    }
    struct obemu_playback *pb = calloc(1, sizeof(*pb));
    if (!pb) {
        rig_config_destroy(cfg);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args, "out of memory");
        return NULL;
    }
    atomic_init(&pb->status, OB_PLAYBACK_STOPPED);
    pb->rate = 1.0f;
    pthread_mutex_init(&pb->lock, NULL);
    obemu_cond_init_monotonic(&pb->wake);
    if (!file_span(file_path, &pb->first_us, &pb->last_us))
        pb->first_us = pb->last_us = RIG_TS_NONE;

    /* the switches of ob_create_context (checked there; here an invalid value is its default) */
    const char *v = getenv("RIGSYNC_OBEMU_VIRTUAL");
    bool virtual_time = v && strcmp(v, "1") == 0;
    v = getenv("RIGSYNC_OBEMU_PIXELS");
    bool pixels = !(v && strcmp(v, "0") == 0);
    v = getenv("RIGSYNC_OBEMU_SPEED");
    double speed = v && v[0] ? strtod(v, NULL) : 0;
    if (!isfinite(speed) || speed < 0)
        speed = 0;
    ob_context *c = obemu_context_new(cfg, virtual_time, speed, pixels, false, 0, file_path,
                                      error, __func__);
    if (!c) {
        pthread_cond_destroy(&pb->wake);
        pthread_mutex_destroy(&pb->lock);
        free(pb);
        return NULL;
    }
    pb->ctx = c;
    c->playback = pb;
    pthread_mutex_lock(&c->qlock);
    obemu_start_time_locked(c); /* a recording's time needs no clock sync to start */
    pthread_mutex_unlock(&c->qlock);
    if (pb->first_us == RIG_TS_NONE) /* a cut file: its span from the replay's start */
        rig_replay_now_us(c->rig, &pb->first_us);

    char serial[64] = "";
    if (rig_replay_metadata(c->rig, "obemu.record", "serial", serial, sizeof serial) != RIG_OK) {
        rig_device_info_t info;
        if (rig_context_device_info(c->rig, 0, &info) == RIG_OK)
            snprintf(serial, sizeof serial, "%s", info.serial);
    }
    ob_device *d = NULL;
    if (!serial[0])
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "cannot play %s: the recording has no device", file_path);
    else
        d = obemu_device_open(c, serial, error, __func__);
    if (d && pthread_create(&pb->thread, NULL, notify_main, pb) == 0)
        pb->thread_started = true;
    else if (d) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args,
                   "cannot start the playback thread");
        obemu_device_release(d);
        d = NULL;
    }
    obemu_ctx_release(c); /* the device holds the context */
    return d;
}

/* ------------------------------------------------------------------------------------------ */
/* Control                                                                                    */

static struct obemu_playback *player_of(ob_device *player, ob_error **error,
                                        const char *function)
{
    if (!player) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "player = NULL",
                   "player is NULL");
        return NULL;
    }
    if (!player->ctx->playback) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "",
                   "device %s is not a playback device (ob_create_playback_device makes one)",
                   player->info.serial);
        return NULL;
    }
    return player->ctx->playback;
}

OBEMU_EXPORT void ob_playback_device_pause(ob_device *player, ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (!pb)
        return;
    if (!pb->ctx->virtual_time) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "",
                   "pausing a real-time playback is not supported by the rigsync emulator (its "
                   "replay paces the recording to the wall clock); play in virtual time "
                   "(RIGSYNC_OBEMU_VIRTUAL=1), where reading the pipeline is what plays");
        return;
    }
    if (atomic_load(&pb->status) == OB_PLAYBACK_PLAYING)
        set_status(pb, OB_PLAYBACK_PAUSED);
}

OBEMU_EXPORT void ob_playback_device_resume(ob_device *player, ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (pb && atomic_load(&pb->status) == OB_PLAYBACK_PAUSED)
        set_status(pb, OB_PLAYBACK_PLAYING);
}

OBEMU_EXPORT void ob_playback_device_seek(ob_device *player, const uint64_t timestamp,
                                          ob_error **error)
{
    if (!player_of(player, error, __func__))
        return;
    char args[48];
    snprintf(args, sizeof args, "timestamp = %" PRIu64, timestamp);
    obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
               "seek is not supported by the rigsync emulator: its replay of an MCAP recording "
               "plays it from the start to the end, in order");
}

OBEMU_EXPORT void ob_playback_device_set_playback_rate(ob_device *player, const float rate,
                                                       ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (!pb)
        return;
    char args[48];
    snprintf(args, sizeof args, "rate = %g", (double)rate);
    if (!(rate > 0)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "the playback rate must be greater than 0");
        return;
    }
    if (!pb->ctx->virtual_time && rate != 1.0f) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
                   "a playback rate other than 1 is not supported by the rigsync emulator in "
                   "real time (its replay paces the recording to the wall clock); in virtual "
                   "time (RIGSYNC_OBEMU_VIRTUAL=1) the pipeline's reader sets the pace");
        return;
    }
    pb->rate = rate; /* virtual time: no wall clock to pace to */
}

OBEMU_EXPORT ob_playback_status ob_playback_device_get_current_playback_status(ob_device *player,
                                                                               ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    return pb ? (ob_playback_status)atomic_load(&pb->status) : OB_PLAYBACK_UNKNOWN;
}

OBEMU_EXPORT void ob_playback_device_set_playback_status_changed_callback(
    ob_device *player, ob_playback_status_changed_callback callback, void *user_data,
    ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (!pb)
        return;
    if (!callback) {
        FAIL_NULL(error, "callback");
        return;
    }
    pthread_mutex_lock(&pb->lock);
    pb->cb = callback;
    pb->user = user_data;
    pthread_mutex_unlock(&pb->lock);
}

OBEMU_EXPORT uint64_t ob_playback_device_get_position(ob_device *player, ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (!pb)
        return 0;
    ob_context *c = pb->ctx;
    int64_t now = 0;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t e = rig_replay_now_us(c->rig, &now);
    pthread_mutex_unlock(&c->rig_lock);
    if (e != RIG_OK || now <= pb->first_us)
        return 0;
    if (pb->last_us != RIG_TS_NONE && pb->last_us >= pb->first_us && now > pb->last_us)
        now = pb->last_us;
    return (uint64_t)((now - pb->first_us) / 1000);
}

OBEMU_EXPORT uint64_t ob_playback_device_get_duration(ob_device *player, ob_error **error)
{
    struct obemu_playback *pb = player_of(player, error, __func__);
    if (!pb || pb->last_us == RIG_TS_NONE || pb->last_us < pb->first_us)
        return 0;
    return (uint64_t)((pb->last_us - pb->first_us) / 1000);
}

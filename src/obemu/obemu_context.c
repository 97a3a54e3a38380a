/* librigsync-obemu: the context: creation, environment switches, virtual time's gate (see
 * obemu_internal.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "obemu_internal.h"
#include "rigsync/replay.h"
#include "rigsync/sim.h"

/* ------------------------------------------------------------------------------------------ */
/* Context                                                                                    */

void obemu_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* Called for every frame the rig delivers (real time: on the rig's thread; virtual time: on the
 * thread advancing the rig, which holds rig_lock). Takes only qlock. */
static void on_frame(rig_frame_t *rf, void *user)
{
    ob_context *c = user;
    size_t di = rig_frame_device_index(rf);
    ob_frame *drop[2 * OBEMU_DROP_MAX];
    size_t n = 0;
    pthread_mutex_lock(&c->qlock);
    rig_stream_t s = rig_frame_stream(rf);
    bool ok = di < c->route_cap && (unsigned)s < RIG_STREAM_COUNT;
    ob_pipeline *p = ok ? c->route[di].owner[s] : NULL; /* the pipeline owning the stream */
    /* a depth capture also gives the IR image, which another pipeline may own */
    ob_pipeline *q = ok && s == RIG_STREAM_DEPTH ? c->route[di].owner[OBEMU_STREAM_IR] : NULL;
    if (p)
        n = obemu_pipeline_on_frame_locked(p, rf, drop);
    if (di < c->route_cap && c->route[di].recorder) /* ob_create_record_device */
        obemu_record_frame_locked(c->route[di].recorder, rf);
    if (q && q != p)
        n += obemu_pipeline_on_frame_locked(q, rf, drop + n);
    pthread_mutex_unlock(&c->qlock);
    for (size_t i = 0; i < n; i++)
        obemu_frame_release(drop[i]);
}

void obemu_ctx_retain(ob_context *c) { atomic_fetch_add(&c->refs, 1); }

void obemu_ctx_release(ob_context *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->rig) {
        rig_context_set_frame_callback(c->rig, NULL, NULL);
        rig_context_set_device_event_callback(c->rig, NULL, NULL);
    }
    if (c->hp_init)
        obemu_hotplug_free(c);
    obemu_playback_free(c);
    if (c->rig)
        rig_context_destroy(c->rig);
    rig_config_destroy(c->config);
    free(c->route);
    pthread_cond_destroy(&c->gate);
    pthread_cond_destroy(&c->drained);
    pthread_mutex_destroy(&c->qlock);
    pthread_mutex_destroy(&c->rig_lock);
    free(c);
}

/* Reads a 0/1 switch from the environment (unset or empty: fallback). */
static bool env_flag(const char *name, bool fallback, bool *out, ob_error **error)
{
    const char *v = getenv(name);
    *out = fallback;
    if (!v || !v[0])
        return true;
    if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0) {
        *out = v[0] == '1';
        return true;
    }
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, "ob_create_context", name,
               "%s=\"%s\" is not valid; set it to 1 (on) or 0 (off)", name, v);
    return false;
}

OBEMU_EXPORT ob_context *ob_create_context(ob_error **error)
{
    bool virtual_time, pixels;
    if (!env_flag("RIGSYNC_OBEMU_VIRTUAL", false, &virtual_time, error) ||
        !env_flag("RIGSYNC_OBEMU_PIXELS", true, &pixels, error))
        return NULL;
    double speed = 0;
    const char *speed_env = getenv("RIGSYNC_OBEMU_SPEED");
    if (speed_env && speed_env[0]) {
        char *end = NULL;
        errno = 0;
        speed = strtod(speed_env, &end);
        if (errno || !end || *end || !isfinite(speed) || speed < 0) {
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "RIGSYNC_OBEMU_SPEED",
                       "RIGSYNC_OBEMU_SPEED=\"%s\" is not valid; set it to the virtual seconds "
                       "per real second (e.g. 1 for a camera's pace), or 0 for as fast as "
                       "possible",
                       speed_env);
            return NULL;
        }
    }
    bool seed_set = false;
    unsigned long long seed = 0;
    const char *seed_env = getenv("RIGSYNC_OBEMU_SEED");
    if (seed_env && seed_env[0]) {
        char *end = NULL;
        errno = 0;
        seed = strtoull(seed_env, &end, 10);
        if (errno || !end || *end || seed_env[0] == '-') {
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "RIGSYNC_OBEMU_SEED",
                       "RIGSYNC_OBEMU_SEED=\"%s\" is not a non-negative integer", seed_env);
            return NULL;
        }
        seed_set = true;
    }

    rig_config_t *config = NULL;
    rig_config_diag_t diag;
    memset(&diag, 0, sizeof(diag));
    const char *path = getenv("RIGSYNC_OBEMU_CONFIG");
    rig_error_t err = (path && path[0]) ? rig_config_load(path, &config, &diag)
                                        : rig_config_default(&config, &diag);
    if (err != RIG_OK) {
        char msg[1600];
        rig_config_diag_format(&diag, msg, sizeof(msg));
        obemu_fail(error,
                   err == RIG_ERROR_IO ? OB_EXCEPTION_TYPE_IO : OB_EXCEPTION_TYPE_INVALID_VALUE,
                   __func__, "RIGSYNC_OBEMU_CONFIG", "%s", msg);
        return NULL;
    }

    return obemu_context_new(config, virtual_time, speed, pixels, seed_set, (uint64_t)seed, NULL,
                             error, __func__);
}

/* The context over a rig config (taken over, also on failure): the simulated rig, or with
 * replay_path a recording played back by the replay backend (obemu_playback.c). */
ob_context *obemu_context_new(rig_config_t *config, bool virtual_time, double speed, bool pixels,
                              bool seed_set, uint64_t seed, const char *replay_path,
                              ob_error **error, const char *function)
{
    rig_error_t err;
    ob_context *c = calloc(1, sizeof(*c));
    if (!c) {
        rig_config_destroy(config);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "",
                   "out of memory creating the context");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->config = config;
    c->virtual_time = virtual_time;
    c->speed = speed;
    c->pixels = pixels;
    c->seed_set = seed_set;
    c->seed = seed;
    pthread_mutex_init(&c->rig_lock, NULL);
    pthread_mutex_init(&c->qlock, NULL);
    obemu_cond_init_monotonic(&c->gate);
    obemu_cond_init_monotonic(&c->drained);

    char detail[512] = "";
    rig_context_options_t opts;
    rig_context_options_init(&opts);
    opts.backend = replay_path ? "replay" : "sim";
    opts.replay_path = replay_path;
    opts.config = config;
    opts.time_mode = virtual_time ? RIG_TIME_VIRTUAL : RIG_TIME_REAL;
    opts.seed_set = seed_set;
    opts.seed = (uint64_t)seed;
    opts.pixels = pixels;
    opts.error_detail = detail;
    opts.error_detail_len = sizeof(detail);
    opts.manual_recovery = true; /* a device that returns is opened anew, as with the SDK */
    err = rig_context_create(&opts, &c->rig);
    size_t n = 0;
    c->stop_after_us = INT64_MAX;
    const char *stop = getenv("RIGSYNC_OBEMU_STOP_AFTER_S");
    if (err == RIG_OK && stop && stop[0] && !replay_path) {
        char *end = NULL;
        double s = strtod(stop, &end);
        if (!end || *end || !(s > 0)) {
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function,
                       "RIGSYNC_OBEMU_STOP_AFTER_S",
                       "RIGSYNC_OBEMU_STOP_AFTER_S=\"%s\" is not a positive number of seconds",
                       stop);
            obemu_ctx_release(c);
            return NULL;
        }
        c->stop_after_us = (int64_t)(s * 1e6);
    }
    if (err == RIG_OK)
        err = replay_path ? rig_replay_now_us(c->rig, &c->t0_us) : rig_sim_now_us(c->rig, &c->t0_us);
    if (err == RIG_OK)
        err = rig_context_device_count(c->rig, &n);
    if (err == RIG_OK)
        err = rig_context_set_frame_callback(c->rig, on_frame, c);
    if (err == RIG_OK && n) {
        c->route = calloc(n, sizeof(*c->route));
        if (!c->route)
            err = RIG_ERROR_NO_MEMORY;
    }
    if (err != RIG_OK) {
        obemu_fail(error, obemu_exception_of(err), function, "",
                   "cannot create the %s: %s", replay_path ? "replay of the recording" : "simulated rig",
                   detail[0] ? detail : rig_strerror(err));
        obemu_ctx_release(c);
        return NULL;
    }
    c->route_cap = n;
    c->rig_devices = n;
    c->hp_init = true;
    if (!obemu_hotplug_init(c)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "",
                   "cannot start the hot-plug thread");
        obemu_ctx_release(c);
        return NULL;
    }
    return c;
}

OBEMU_EXPORT void ob_delete_context(ob_context *context, ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return;
    }
    obemu_hotplug_stop(context); /* no callback after this (unless called from one) */
    /* A pipeline its own callback deleted is freed by that thread once the callback returns
     * (not waited for on that very thread: the callback deleting its context too). */
    while (atomic_load(&context->self_deleting) > obemu_pipelines_self_deleted_here()) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    obemu_ctx_release(context);
}

/* Virtual time's pace: virtual time v is due at real time pace_wall + (v - pace_virt_us) / speed.
 * The schedule starts at the first step. A schedule that fell behind by more than
 * OBEMU_PACE_SLACK_US starts again from now: virtual time then goes on at the pace, never faster,
 * so that every span of virtual time takes at least its share of real time. */
int64_t obemu_pace_wait_us_locked(ob_context *c, int64_t now_us, int64_t step_us)
{
    if (!(c->speed > 0))
        return 0;
    struct timespec wall;
    clock_gettime(CLOCK_MONOTONIC, &wall);
    if (!c->pace_set) {
        c->pace_set = true;
        c->pace_virt_us = now_us;
        c->pace_wall = wall;
    }
    double due_us = ceil((double)(now_us + step_us - c->pace_virt_us) / c->speed);
    double wall_us = (double)(wall.tv_sec - c->pace_wall.tv_sec) * 1e6 +
                     (double)(wall.tv_nsec - c->pace_wall.tv_nsec) / 1e3;
    if (wall_us < due_us)
        return (int64_t)ceil(due_us - wall_us);
    if (wall_us - due_us > OBEMU_PACE_SLACK_US) {
        /* behind: the step is due now, the ones after it at the pace from here */
        c->pace_virt_us = now_us + step_us;
        c->pace_wall = wall;
    }
    return 0;
}

/* Opens virtual time's gate (qlock held). */
void obemu_start_time_locked(ob_context *c)
{
    if (!c->time_started) {
        c->time_started = true;
        pthread_cond_broadcast(&c->gate);
    }
}

OBEMU_EXPORT void ob_enable_device_clock_sync(ob_context *context, uint64_t repeat_interval_msec,
                                              ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return;
    }
    pthread_mutex_lock(&context->rig_lock);
    rig_error_t err = rig_context_enable_clock_sync(context->rig, repeat_interval_msec);
    if (err != RIG_OK) {
        char args[64];
        snprintf(args, sizeof(args), "repeat_interval_msec = %llu",
                 (unsigned long long)repeat_interval_msec);
        obemu_fail_rig(error, context, err, __func__, args);
    } else {
        context->clock_sync_enabled = true;
        context->clock_sync_interval_ms = repeat_interval_msec;
    }
    pthread_mutex_unlock(&context->rig_lock);
    if (err == RIG_OK) {
        pthread_mutex_lock(&context->qlock);
        obemu_start_time_locked(context);
        pthread_mutex_unlock(&context->qlock);
    }
}

/* With a config file: the SDK reads its own XML settings from it (logging, per-model tuning) and
 * uses its defaults when the path is "" or names no file. The emulator's settings come from the
 * environment (RIGSYNC_OBEMU_*), so the file's content is not read: an existing file, a missing
 * one and "" all give the context ob_create_context gives. A NULL path is refused as by the
 * SDK's Linux build, where it cannot become the std::string the SDK takes (a standard-library
 * exception: status OB_STATUS_ERROR, exception OB_EXCEPTION_STD_EXCEPTION). */
OBEMU_EXPORT ob_context *ob_create_context_with_config(const char *config_file_path,
                                                       ob_error **error)
{
    if (!config_file_path) {
        obemu_fail(error, OB_EXCEPTION_STD_EXCEPTION, __func__, "",
                   "basic_string: construction from null is not valid (config_file_path is "
                   "NULL; pass \"\" for the default configuration)");
        return NULL;
    }
    ob_context *c = ob_create_context(error);
    if (c == NULL && error && *error)
        obemu_copy_str((*error)->function, sizeof((*error)->function), __func__);
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Logger: the emulator writes no log, so the settings are checked and kept, nothing more      */

OBEMU_EXPORT void ob_set_logger_file_name(const char *file_name, ob_error **error)
{
    if (!file_name || !file_name[0]) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "",
                   "NULL or empty string passed for argument \"file_name\"");
        return;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Versions: the SDK the emulator stands for, v2.9.3, encoded as Version.h's implementation does
 * (major * 10000 + minor * 100 + patch); the stage is the open-source build's default.        */

#define OBEMU_SDK_MAJOR 2
#define OBEMU_SDK_MINOR 9
#define OBEMU_SDK_PATCH 3

OBEMU_EXPORT int ob_get_version(void)
{
    return OBEMU_SDK_MAJOR * 10000 + OBEMU_SDK_MINOR * 100 + OBEMU_SDK_PATCH;
}

OBEMU_EXPORT int ob_get_major_version(void) { return OBEMU_SDK_MAJOR; }

OBEMU_EXPORT int ob_get_minor_version(void) { return OBEMU_SDK_MINOR; }

OBEMU_EXPORT int ob_get_patch_version(void) { return OBEMU_SDK_PATCH; }

OBEMU_EXPORT const char *ob_get_stage_version(void) { return "open-source-beta"; }

/* librigsync-obemu: multi-device sync and the device clock: timer sync, OB_STRUCT_DEVICE_TIME,
 * logger and host clock settings, the host-clock extension, the global-timestamp service (see
 * obemu_internal.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "obemu_internal.h"
#include "rigsync/sim.h"

/* ------------------------------------------------------------------------------------------ */
/* Multi-device sync                                                                          */

OBEMU_EXPORT uint16_t ob_device_get_supported_multi_device_sync_mode_bitmap(
    const ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return 0;
    }
    return (uint16_t)device->info.supported_modes;
}

OBEMU_EXPORT void ob_device_set_multi_device_sync_config(ob_device *device,
                                                         const ob_multi_device_sync_config *config,
                                                         ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    ob_multi_device_sync_config in;
    memcpy(&in, config, sizeof(in)); /* the vendor's struct is packed */
    rig_sync_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.mode = (rig_sync_mode_t)in.syncMode;
    cfg.depth_delay_us = in.depthDelayUs;
    cfg.color_delay_us = in.colorDelayUs;
    cfg.trigger_to_image_delay_us = in.trigger2ImageDelayUs;
    cfg.trigger_out_enable = in.triggerOutEnable;
    cfg.trigger_out_delay_us = in.triggerOutDelayUs;
    cfg.frames_per_trigger = in.framesPerTrigger;
    char args[160];
    snprintf(args, sizeof(args),
             "syncMode = 0x%X, depthDelayUs = %d, colorDelayUs = %d, trigger2ImageDelayUs = %d, "
             "triggerOutEnable = %d, triggerOutDelayUs = %d, framesPerTrigger = %d",
             (unsigned)in.syncMode, in.depthDelayUs, in.colorDelayUs, in.trigger2ImageDelayUs,
             (int)in.triggerOutEnable, in.triggerOutDelayUs, in.framesPerTrigger);
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_set_sync_config(device->rig, &cfg, NULL);
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, args);
    pthread_mutex_unlock(&c->rig_lock);
}

OBEMU_EXPORT ob_multi_device_sync_config
ob_device_get_multi_device_sync_config(const ob_device *device, ob_error **error)
{
    ob_multi_device_sync_config out;
    memset(&out, 0, sizeof(out));
    if (!device) {
        FAIL_NULL(error, "device");
        return out;
    }
    ob_context *c = device->ctx;
    rig_sync_config_t cfg;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_get_sync_config(device->rig, &cfg);
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return out;
    out.syncMode = (OBMultiDeviceSyncMode)cfg.mode;
    out.depthDelayUs = cfg.depth_delay_us;
    out.colorDelayUs = cfg.color_delay_us;
    out.trigger2ImageDelayUs = cfg.trigger_to_image_delay_us;
    out.triggerOutEnable = cfg.trigger_out_enable;
    out.triggerOutDelayUs = cfg.trigger_out_delay_us;
    out.framesPerTrigger = cfg.frames_per_trigger;
    return out;
}

OBEMU_EXPORT void ob_device_trigger_capture(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_trigger(device->rig);
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
}

/* Whether the emulated host clock runs: always in real time; in virtual time once the gate
 * opened (before, a clock command must not move time, so that every program sees one run). */
static bool time_runs(ob_context *c)
{
    if (!c->virtual_time)
        return true;
    pthread_mutex_lock(&c->qlock);
    bool started = c->time_started;
    pthread_mutex_unlock(&c->qlock);
    return started;
}

/* Lets host time pass inside a call, as the SDK's own sleeps do (rig_lock not held). */
static rig_error_t let_time_pass(ob_context *c, int64_t us)
{
    if (!c->virtual_time) {
        struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000L};
        nanosleep(&ts, NULL);
        return RIG_OK;
    }
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_sim_advance_us(c->rig, us);
    pthread_mutex_unlock(&c->rig_lock);
    return err;
}

/* One host timer sync of this device, as the SDK runs it: the host's time is written in the
 * family's write unit (milliseconds on some: the clock lands up to 1 ms behind), then after
 * 50 ms read back once. A clock command, like ob_enable_device_clock_sync, starts virtual time. */
OBEMU_EXPORT void ob_device_timer_sync_with_host(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->qlock);
    obemu_start_time_locked(c);
    pthread_mutex_unlock(&c->qlock);
    int64_t resolution_us = 1000000 / (int64_t)device->time.write_hz;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_sim_device_write_clock(c->rig, device->index, resolution_us, NULL);
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return;
    if ((err = let_time_pass(c, OBEMU_TIMER_SYNC_SETTLE_US)) == RIG_OK) {
        int64_t h1, dev, h2;
        pthread_mutex_lock(&c->rig_lock);
        err = rig_sim_device_query_time(c->rig, device->index, &h1, &dev, &h2);
        pthread_mutex_unlock(&c->rig_lock);
    }
    if (err != RIG_OK) {
        pthread_mutex_lock(&c->rig_lock);
        obemu_fail_rig(error, c, err, __func__, "");
        pthread_mutex_unlock(&c->rig_lock);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Properties: the device clock (OB_STRUCT_DEVICE_TIME)                                       */

#define DEVICE_TIME_SIZE 16 /* { uint64_t time; uint64_t rtt; } */

OBEMU_EXPORT void ob_device_get_structured_data(ob_device *device, ob_property_id property_id,
                                                uint8_t *data, uint32_t *data_size,
                                                ob_error **error)
{
    char args[48];
    snprintf(args, sizeof(args), "property_id = %d", property_id);
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    if (property_id != OB_STRUCT_DEVICE_TIME) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
                   "property %d is not supported by the rigsync emulator (its only structured "
                   "property is OB_STRUCT_DEVICE_TIME)",
                   property_id);
        return;
    }
    if (!device->time.user_readable) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
                   "property %d (OB_STRUCT_DEVICE_TIME) is not readable on %s: the SDK keeps this "
                   "family's device clock to itself",
                   property_id, device->info.model);
        return;
    }
    if (!data || !data_size) {
        FAIL_NULL(error, !data ? "data" : "data_size");
        return;
    }
    if (*data_size < DEVICE_TIME_SIZE) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "the buffer holds %u bytes; OB_STRUCT_DEVICE_TIME needs %d", *data_size,
                   DEVICE_TIME_SIZE);
        return;
    }
    ob_context *c = device->ctx;
    bool runs = time_runs(c);
    int64_t h1 = 0, dev = 0, h2 = 0;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err;
    if (runs) {
        err = rig_sim_device_query_time(c->rig, device->index, &h1, &dev, &h2);
    } else {
        /* time stands still before it starts: the read is instantaneous */
        err = rig_sim_device_clock_us(c->rig, device->index, &dev);
        if (err == RIG_OK)
            err = rig_sim_now_us(c->rig, &h1);
        h2 = h1;
    }
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, args);
    pthread_mutex_unlock(&c->rig_lock);
    if (err != RIG_OK)
        return;
    uint64_t ticks_per_s = device->time.read_hz;
    uint64_t v[2] = {(uint64_t)dev / (1000000u / ticks_per_s),
                     (uint64_t)(h2 - h1) / (1000000u / ticks_per_s)};
    memcpy(data, v, sizeof(v));
    *data_size = DEVICE_TIME_SIZE;
}

OBEMU_EXPORT bool rigsync_obemu_frame_true_ts_us(const ob_frame *frame, int64_t *true_ts_us)
{
    const ob_frame *f = frame ? obemu_frame_single(frame) : NULL;
    rig_sim_truth_t truth;
    if (!f || !true_ts_us || rig_sim_frame_truth(f->rf, &truth) != RIG_OK)
        return false;
    *true_ts_us = truth.true_ts_us;
    return true;
}

OBEMU_EXPORT uint64_t rigsync_obemu_host_time_us(const ob_context *context)
{
    if (!context)
        return 0;
    ob_context *c = (ob_context *)(uintptr_t)context;
    int64_t now = 0;
    pthread_mutex_lock(&c->rig_lock);
    rig_sim_now_us(c->rig, &now);
    pthread_mutex_unlock(&c->rig_lock);
    return now < 0 ? 0 : (uint64_t)now;
}

/* ------------------------------------------------------------------------------------------ */
/* Logger and host clock settings: the emulator never logs, so each setting is checked and has
 * nothing further to do; the SDK would stop writing ./Log/ or the console accordingly.       */

static bool severity_ok(ob_log_severity severity, ob_error **error, const char *function)
{
    if ((int)severity >= OB_LOG_SEVERITY_DEBUG && (int)severity <= OB_LOG_SEVERITY_OFF)
        return true;
    char args[32];
    snprintf(args, sizeof(args), "severity = %d", (int)severity);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "log severity %d is not one of OB_LOG_SEVERITY_DEBUG..OB_LOG_SEVERITY_OFF",
               (int)severity);
    return false;
}

OBEMU_EXPORT void ob_set_logger_severity(ob_log_severity severity, ob_error **error)
{
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_file(ob_log_severity severity, const char *directory,
                                        ob_error **error)
{
    (void)directory; /* NULL or "" keeps the default directory, as in the SDK */
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_console(ob_log_severity severity, ob_error **error)
{
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT void ob_set_logger_to_callback(ob_log_severity severity, ob_log_callback callback,
                                            void *user_data, ob_error **error)
{
    (void)callback;
    (void)user_data;
    severity_ok(severity, error, __func__);
}

OBEMU_EXPORT ob_clock_type ob_context_get_timestamp_clock_type(const ob_context *context,
                                                               ob_error **error)
{
    if (!context)
        FAIL_NULL(error, "context");
    return OB_CLOCK_TYPE_REALTIME;
}

/* ------------------------------------------------------------------------------------------ */
/* Global timestamps                                                                          */

/* The SDK's global-timestamp machinery, run where the emulated host time moves: every device
 * with a started pipeline and global timestamps on gets the internal clock reads its fitter
 * asks for (every family: the SDK reads even clocks it keeps from applications), in the unit
 * the family's clock is read in, and a refit after each write of its clock (by
 * ob_device_timer_sync_with_host or the background ob_enable_device_clock_sync). */
void obemu_service_global_timestamps(ob_context *c)
{
    ob_device *devs[64];
    size_t n = 0;
    pthread_mutex_lock(&c->qlock);
    for (size_t i = 0; i < c->route_cap && n < 64; i++) {
        ob_pipeline *p = obemu_route_any(&c->route[i]); /* each device once */
        if (p && p->started && atomic_load(&p->dev->global_ts)) {
            atomic_fetch_add(&p->dev->refs, 1);
            devs[n++] = p->dev;
        }
    }
    bool runs = !c->virtual_time || c->time_started;
    pthread_mutex_unlock(&c->qlock);
    for (size_t k = 0; k < n; k++) {
        ob_device *d = devs[k];
        int64_t now = 0, wrote = RIG_TS_NONE, err_us = 0;
        pthread_mutex_lock(&c->rig_lock);
        rig_sim_now_us(c->rig, &now);
        rig_sim_device_last_clock_sync(c->rig, d->index, &wrote, &err_us);
        pthread_mutex_unlock(&c->rig_lock);
        pthread_mutex_lock(&d->fit_lock);
        if (wrote != RIG_TS_NONE && wrote != d->last_write_seen_us) {
            d->last_write_seen_us = wrote;
            vendor_fitter_note_write(d->fitter, wrote);
        }
        bool due = runs && now >= vendor_fitter_next_poll_us(d->fitter);
        pthread_mutex_unlock(&d->fit_lock);
        if (due) {
            int64_t h1, dev, h2;
            pthread_mutex_lock(&c->rig_lock);
            rig_error_t e = rig_sim_device_query_time(c->rig, d->index, &h1, &dev, &h2);
            pthread_mutex_unlock(&c->rig_lock);
            int64_t unit = 1000000 / (int64_t)d->time.read_hz; /* ms families read in ms */
            if (e == RIG_OK) {
                pthread_mutex_lock(&d->fit_lock);
                vendor_fitter_add_two_way(d->fitter, h1, dev - dev % unit, h2);
                pthread_mutex_unlock(&d->fit_lock);
            }
        }
        obemu_device_release(d);
    }
}

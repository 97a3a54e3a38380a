/*
 * The "orbbec" backend: real cameras through the vendor's C SDK (OrbbecSDK v2), loaded at run
 * time with dlopen so that rigsync neither needs it to build nor to run on the simulator.
 *
 * Only the functions below are resolved; a library that lacks a required one is named as too
 * old or not the SDK. Each started device has one pipeline (color + depth) and one thread that
 * waits for its framesets and hands every frame to the core.
 *
 * Clocks: rigsync, not the SDK's background thread, writes the device clocks
 * (ob_device_timer_sync_with_host per device, on the configured interval), so that each write
 * is announced to the device's clock estimator the moment it happens. On families whose SDK
 * lets applications read the device clock (OB_STRUCT_DEVICE_TIME), the same thread reads it
 * between two host clock readings on the estimator's schedule (every 100 ms, and a burst after
 * each write): two-way samples, free of USB latency bias. Other families are mapped from frame
 * arrivals (the one-way envelope). The device thread does this clock work between waits for
 * frames, so reads and writes never race the frames of their own device. The vendor's global
 * timestamp is turned on and passed along (rig_frame_vendor_global_ts_us).
 *
 * The host clock is the one the SDK stamps system timestamps with: CLOCK_REALTIME unless the
 * context says MONOTONIC; the emulator (librigsync-obemu.so) offers its simulated host clock as
 * rigsync_obemu_host_time_us, used when present.
 */
#include <dlfcn.h>

#include "backends/orbbec/orbbec_internal.h"

#define DEFAULT_LIBRARY "libOrbbecSDK.so"
#define WAIT_MS 100
/* Two-way reads: the steady rate, and the burst after a clock write (as the sim backend). */
#define QUERY_INTERVAL_US 100000
#define QUERY_BURST 8
#define QUERY_BURST_AT_ONCE 3 /* read back-to-back before the next frame is handed over */
#define FIRST_WRITE_SAMPLES 4
#define FIRST_WRITE_FRAMES 100 /* both streams: over 1.5 s, the envelope fitted */
#define WRITE_WAIT_US 2000000
#define QUERY_BURST_SPACING_US 5000
/* The device-time unit is confirmed from two reads at least this far apart. */
#define UNIT_CHECK_MIN_US 50000

/* Turns a vendor error into a rigsync one carrying the vendor's message, and frees it. */
bool orbbec_list_entry(const ob_state_t *st, ob_device_list *list, uint32_t i, char *serial,
                       size_t serial_len, char *name, size_t name_len)
{
    ob_error *e = NULL;
    const char *sn = st->fn.ob_device_list_get_device_serial_number(list, i, &e);
    if (e || !sn) {
        if (e)
            st->fn.ob_delete_error(e);
        return false;
    }
    rig_strlcpy(serial, sn, serial_len);
    const char *nm = st->fn.ob_device_list_get_device_name(list, i, &e);
    rig_strlcpy(name, !e && nm ? nm : "Orbbec camera", name_len);
    if (e)
        st->fn.ob_delete_error(e);
    return true;
}

static rig_error_t vendor_error(ob_state_t *st, ob_error *e, const char *what)
{
    const char *msg = e ? st->fn.ob_error_get_message(e) : NULL;
    rig_error_t err = rig_context_set_error(st->ctx, RIG_ERROR_BACKEND, "%s: %s", what,
                                            msg ? msg : "the Orbbec SDK reported an error");
    if (e)
        st->fn.ob_delete_error(e);
    return err;
}

static void orbbec_destroy(void *state);

static rig_error_t load(ob_state_t *st, const char *path_opt)
{
    const char *env = getenv("RIGSYNC_ORBBEC_LIB");
    const char *path = path_opt ? path_opt : (env && *env ? env : DEFAULT_LIBRARY);
    st->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!st->lib) {
        const char *why = dlerror();
        return rig_context_set_error(
            st->ctx, RIG_ERROR_NOT_AVAILABLE,
            "The Orbbec SDK (OrbbecSDK v2, %s) was not found: rigsync looked for %s%s "
            "(dlopen said: %s). Install the vendor's SDK, then point rigsync at it with "
            "--orbbec-lib /path/to/libOrbbecSDK.so or RIGSYNC_ORBBEC_LIB=/path/to/"
            "libOrbbecSDK.so (or add its folder to LD_LIBRARY_PATH). Without a camera, "
            "--backend sim runs the simulated rig.",
            DEFAULT_LIBRARY, path,
            path_opt ? " (--orbbec-lib)"
                     : (env && *env ? " (RIGSYNC_ORBBEC_LIB)" : " on the library search path"),
            why ? why : "unknown reason");
    }
#define RESOLVE(name)                                                                            \
    do {                                                                                         \
        dlerror();                                                                               \
        *(void **)(&st->fn.name) = dlsym(st->lib, #name);                                        \
        if (!st->fn.name)                                                                        \
            return rig_context_set_error(                                                        \
                st->ctx, RIG_ERROR_NOT_AVAILABLE,                                                \
                "%s is not a usable Orbbec SDK: it has no %s(); rigsync needs OrbbecSDK v2 "     \
                "(the library is too old, or not the Orbbec SDK). Point --orbbec-lib or "        \
                "RIGSYNC_ORBBEC_LIB at a v2 libOrbbecSDK.so.",                                   \
                path, #name);                                                                    \
    } while (0);
    OB_FUNCTIONS(RESOLVE)
#undef RESOLVE
#define RESOLVE_OPTIONAL(name) *(void **)(&st->fn.name) = dlsym(st->lib, #name);
    OB_OPTIONAL_FUNCTIONS(RESOLVE_OPTIONAL)
#undef RESOLVE_OPTIONAL
    return RIG_OK;
}

/* The SDK logs to ./Log/ in the user's working directory and to the console by default; a
 * library must do neither. Its logger is routed before the context exists: off, or into the
 * folder RIGSYNC_ORBBEC_LOG_DIR names (at INFO) for a support case. */
static void route_vendor_logger(ob_state_t *st)
{
    ob_error *e = NULL;
    const char *dir = getenv("RIGSYNC_ORBBEC_LOG_DIR");
    /* Checked on 2.9.3 with no camera: severity OFF alone stops both ./Log/ and the console;
     * a NULL directory is refused (and ./Log/ is still created), "" keeps the default. */
    if (st->fn.ob_set_logger_severity) {
        st->fn.ob_set_logger_severity(OB_LOG_SEVERITY_OFF, &e);
        if (e)
            st->fn.ob_delete_error(e);
        e = NULL;
    }
    if (st->fn.ob_set_logger_to_console) {
        st->fn.ob_set_logger_to_console(OB_LOG_SEVERITY_OFF, &e);
        if (e)
            st->fn.ob_delete_error(e);
        e = NULL;
    }
    if (st->fn.ob_set_logger_to_file) {
        st->fn.ob_set_logger_to_file(dir && *dir ? OB_LOG_SEVERITY_INFO : OB_LOG_SEVERITY_OFF,
                                     dir && *dir ? dir : "", &e);
        if (e)
            st->fn.ob_delete_error(e);
    }
}

int64_t orbbec_host_now_us(const ob_state_t *st)
{
    if (st->fn.rigsync_obemu_host_time_us)
        return (int64_t)st->fn.rigsync_obemu_host_time_us(st->obctx);
    struct timespec ts;
    clock_gettime(st->host_clock, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Serial, name and sync modes of every device, read once (opening a device to read its mode
 * bitmap is not free). */
static rig_error_t enumerate(ob_state_t *st)
{
    ob_error *e = NULL;
    ob_device_list *list = st->fn.ob_query_device_list(st->obctx, &e);
    if (e)
        return vendor_error(st, e, "listing devices");
    uint32_t n = st->fn.ob_device_list_get_count(list, &e);
    if (e) {
        st->fn.ob_delete_device_list(list, NULL);
        return vendor_error(st, e, "counting devices");
    }
    st->infos = calloc(n ? n : 1, sizeof(*st->infos));
    if (!st->infos) {
        st->fn.ob_delete_device_list(list, NULL);
        return rig_context_set_error(st->ctx, RIG_ERROR_NO_MEMORY, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        rig_device_info_t *info = &st->infos[st->ninfos];
        if (!orbbec_list_entry(st, list, i, info->serial, sizeof(info->serial), info->model,
                               sizeof(info->model)))
            continue;
        ob_device *dev = st->fn.ob_device_list_get_device(list, i, &e);
        if (!e && dev) {
            info->supported_modes =
                st->fn.ob_device_get_supported_multi_device_sync_mode_bitmap(dev, &e);
            st->fn.ob_delete_device(dev, NULL);
        }
        if (e) {
            st->fn.ob_delete_error(e);
            e = NULL;
        }
        /* The vendor reads device time in 64 bits; rigsync unwraps 32-bit counters itself. */
        info->timestamp_bits = 64;
        st->ninfos++;
    }
    st->fn.ob_delete_device_list(list, NULL);
    return RIG_OK;
}

static rig_error_t orbbec_create(rig_context_t *ctx, const rig_context_options_t *opts,
                                 void **out)
{
    ob_state_t *st = calloc(1, sizeof(*st));
    if (!st)
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory");
    st->ctx = ctx;
    st->host_clock = CLOCK_REALTIME;
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->write_lock, NULL);
    pthread_mutex_init(&st->hp_lock, NULL);
    pthread_cond_init(&st->hp_wake, NULL);
    rig_error_t err = load(st, opts->library);
    if (err == RIG_OK) {
        route_vendor_logger(st);
        ob_error *e = NULL;
        st->obctx = st->fn.ob_create_context(&e);
        if (e)
            err = vendor_error(st, e, "creating the Orbbec SDK context");
    }
    if (err == RIG_OK && st->fn.ob_context_get_timestamp_clock_type) {
        ob_error *e = NULL;
        ob_clock_type type = st->fn.ob_context_get_timestamp_clock_type(st->obctx, &e);
        if (e)
            st->fn.ob_delete_error(e);
        else if (type == OB_CLOCK_TYPE_MONOTONIC)
            st->host_clock = CLOCK_MONOTONIC;
    }
    if (err == RIG_OK)
        err = enumerate(st);
    if (err != RIG_OK) {
        orbbec_destroy(st);
        return err;
    }
    orbbec_hotplug_start(st);
    *out = st;
    return RIG_OK;
}

static void orbbec_destroy(void *state)
{
    ob_state_t *st = state;
    if (!st)
        return;
    /* The worker first (it calls the SDK), then the SDK (no callback after its context). */
    orbbec_hotplug_stop(st);
    if (st->obctx)
        st->fn.ob_delete_context(st->obctx, NULL);
    if (st->lib)
        dlclose(st->lib);
    free(st->infos);
    free(st->devs);
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->write_lock);
    free(st->hp_notes);
    pthread_cond_destroy(&st->hp_wake);
    pthread_mutex_destroy(&st->hp_lock);
    free(st);
}

static rig_error_t orbbec_device_count(void *state, size_t *count)
{
    ob_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    *count = st->ninfos;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t orbbec_device_info(void *state, size_t index, rig_device_info_t *out)
{
    ob_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    size_t n = st->ninfos;
    if (index < n)
        *out = st->infos[index];
    pthread_mutex_unlock(&st->lock);
    if (index >= n)
        return rig_context_set_error(st->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "device index %zu out of range (%zu devices)", index, n);
    return RIG_OK;
}

static rig_error_t orbbec_open(void *state, const char *serial, size_t dev_index, void **out)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    bool present = false;
    char list_txt[512] = "";
    char model[64] = "";
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->ninfos; i++) {
        if (strcmp(st->infos[i].serial, serial) == 0) {
            present = true;
            rig_strlcpy(model, st->infos[i].model, sizeof(model));
        }
        rig_append(list_txt, sizeof(list_txt), "%s%s", i ? ", " : "", st->infos[i].serial);
    }
    pthread_mutex_unlock(&st->lock);
    if (!present)
        return rig_context_set_error(st->ctx, RIG_ERROR_NOT_FOUND,
                                     "no device with serial number %s is connected (present: %s)",
                                     serial, list_txt[0] ? list_txt : "none");
    ob_device_list *list = st->fn.ob_query_device_list(st->obctx, &e);
    if (e)
        return vendor_error(st, e, "listing devices");
    ob_device *device = st->fn.ob_device_list_get_device_by_serial_number(list, serial, &e);
    st->fn.ob_delete_device_list(list, NULL);
    if (e)
        return vendor_error(st, e, "opening the device");
    ob_dev_t *d = calloc(1, sizeof(*d));
    if (!d) {
        st->fn.ob_delete_device(device, NULL);
        return rig_context_set_error(st->ctx, RIG_ERROR_NO_MEMORY, "out of memory");
    }
    d->st = st;
    d->device = device;
    d->index = dev_index;
    rig_strlcpy(d->serial, serial, sizeof(d->serial));
    pthread_mutex_init(&d->lock, NULL);
    /* The vendor's device-to-host mapping rides along in every frame (vendor_global_ts_us). */
    st->fn.ob_device_enable_global_timestamp(device, true, &e);
    if (e)
        st->fn.ob_delete_error(e); /* older models lack it: not fatal */
    e = NULL;
    d->facts = rig_model_facts_of_device(model);
    /* Two-way reads where the SDK allows applications to read the clock (checked on the
     * device, not assumed from the family). */
    d->two_way = st->fn.ob_device_is_property_supported(device, OB_STRUCT_DEVICE_TIME,
                                                         OB_PERMISSION_READ, &e);
    if (e) {
        st->fn.ob_delete_error(e);
        d->two_way = false;
    }
    d->next_write_us = INT64_MAX;
    d->unit_ref_host = RIG_TS_NONE;
    d->write_asked_us = RIG_TS_NONE;
    pthread_mutex_lock(&st->lock);
    if (st->ndevs == st->cap_devs) {
        size_t cap = st->cap_devs ? 2 * st->cap_devs : 8;
        ob_dev_t **v = realloc(st->devs, cap * sizeof(*v));
        if (v) {
            st->devs = v;
            st->cap_devs = cap;
        }
    }
    bool registered = st->ndevs < st->cap_devs;
    if (registered) {
        st->devs[st->ndevs++] = d;
        atomic_store(&d->write_now, st->sync_enabled); /* joins the clock sync at once */
    }
    pthread_mutex_unlock(&st->lock);
    if (!registered) {
        st->fn.ob_delete_device(device, NULL);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return rig_context_set_error(st->ctx, RIG_ERROR_NO_MEMORY, "out of memory");
    }
    *out = d;
    return RIG_OK;
}

static rig_error_t orbbec_stop(void *state, void *dev);

static void orbbec_close(void *state, void *dev)
{
    ob_state_t *st = state;
    ob_dev_t *d = dev;
    orbbec_stop(state, dev);
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->ndevs; i++)
        if (st->devs[i] == d) {
            st->devs[i] = st->devs[--st->ndevs];
            break;
        }
    pthread_mutex_unlock(&st->lock);
    st->fn.ob_delete_device(d->device, NULL);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static rig_error_t orbbec_get_sync(void *state, void *dev, rig_sync_config_t *out)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    ob_multi_device_sync_config c =
        st->fn.ob_device_get_multi_device_sync_config(((ob_dev_t *)dev)->device, &e);
    if (e)
        return vendor_error(st, e, "reading the sync config");
    out->mode = (rig_sync_mode_t)c.syncMode; /* rigsync uses the vendor's bit values */
    out->depth_delay_us = c.depthDelayUs;
    out->color_delay_us = c.colorDelayUs;
    out->trigger_to_image_delay_us = c.trigger2ImageDelayUs;
    out->trigger_out_enable = c.triggerOutEnable;
    out->trigger_out_delay_us = c.triggerOutDelayUs;
    out->frames_per_trigger = c.framesPerTrigger;
    return RIG_OK;
}

static rig_error_t orbbec_set_sync(void *state, void *dev, const rig_sync_config_t *cfg)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    ob_multi_device_sync_config c;
    memset(&c, 0, sizeof(c));
    c.syncMode = (OBMultiDeviceSyncMode)cfg->mode;
    c.depthDelayUs = cfg->depth_delay_us;
    c.colorDelayUs = cfg->color_delay_us;
    c.trigger2ImageDelayUs = cfg->trigger_to_image_delay_us;
    c.triggerOutEnable = cfg->trigger_out_enable;
    c.triggerOutDelayUs = cfg->trigger_out_delay_us;
    c.framesPerTrigger = cfg->frames_per_trigger;
    st->fn.ob_device_set_multi_device_sync_config(((ob_dev_t *)dev)->device, &c, &e);
    return e ? vendor_error(st, e, "writing the sync config") : RIG_OK;
}

/* The family's default (its first size at 30 fps, as on the sim backend); for a device of an
 * unknown family, zeros: the SDK reads them as "any width/height/fps". */
static rig_error_t orbbec_default_profile(void *state, void *dev, rig_stream_t stream,
                                          rig_stream_profile_t *out)
{
    (void)state;
    const ob_dev_t *d = dev;
    memset(out, 0, sizeof(*out));
    out->format = stream == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16;
    if (d->facts && d->facts->sizes[stream]) {
        out->width = d->facts->sizes[stream][0][0];
        out->height = d->facts->sizes[stream][0][1];
        out->fps = RIG_DEFAULT_FPS;
    }
    return RIG_OK;
}

/* Frames-only families: the least latency from mid-exposure (the device timestamp) to the
 * host is half the family's exposure, plus readout and USB transfer. The exposure is the
 * family's nominal one (auto exposure moves it), readout and transfer are typical values for
 * these cameras: rigsync's assumptions, hence the uncertainty. */
#define NOMINAL_READOUT_US 2000
#define NOMINAL_TRANSFER_US 1000
#define LATENCY_FLOOR_UNCERTAINTY_US 1500

static rig_error_t orbbec_latency_floor(void *state, void *dev, rig_stream_t stream,
                                        int64_t *floor_us, int64_t *uncertainty_us)
{
    (void)state;
    const ob_dev_t *d = dev;
    if (!d->facts || d->two_way)
        return RIG_ERROR_UNSUPPORTED; /* two-way reads calibrate the floor themselves */
    *floor_us = d->facts->exposure_us[stream] / 2 + NOMINAL_READOUT_US + NOMINAL_TRANSFER_US;
    *uncertainty_us = LATENCY_FLOOR_UNCERTAINTY_US;
    return RIG_OK;
}

static rig_format_t from_ob_format(ob_format f)
{
    switch (f) {
    case OB_FORMAT_RGB: return RIG_FORMAT_RGB;
    case OB_FORMAT_Y16: return RIG_FORMAT_Y16;
    case OB_FORMAT_MJPG: return RIG_FORMAT_MJPG; /* kept compressed, as the camera sent it */
    default: return RIG_FORMAT_NONE;
    }
}

/* Hands one member of a frameset to the core, with a copy of its pixels (the SDK's buffer goes
 * back with the frame) when they are RGB or Y16. */
static void deliver(ob_dev_t *d, ob_frame *f, rig_stream_t stream)
{
    ob_state_t *st = d->st;
    ob_error *e = NULL;
    rig_format_t format = from_ob_format(st->fn.ob_frame_get_format(f, &e));
    const uint8_t *data = format != RIG_FORMAT_NONE ? st->fn.ob_frame_get_data(f, &e) : NULL;
    uint32_t size = data ? st->fn.ob_frame_get_data_size(f, &e) : 0;
    if (e) {
        st->fn.ob_delete_error(e);
        e = NULL;
        data = NULL;
        size = 0;
    }
    rig_frame_t *rf = rig_frame_alloc(size);
    if (rf) {
        if (size) {
            memcpy(rf->data, data, size);
            rf->format = format;
            rf->width = st->fn.ob_video_frame_get_width(f, &e);
            rf->height = st->fn.ob_video_frame_get_height(f, &e);
        } else {
            rf->format = RIG_FORMAT_NONE;
        }
        rf->device_index = d->index;
        rig_strlcpy(rf->serial, d->serial, sizeof(rf->serial));
        rf->stream = stream;
        rf->index = st->fn.ob_frame_get_index(f, &e);
        rf->device_ts_us = (int64_t)st->fn.ob_frame_get_timestamp_us(f, &e);
        rf->host_ts_us = (int64_t)st->fn.ob_frame_get_system_timestamp_us(f, &e);
        uint64_t g = st->fn.ob_frame_get_global_timestamp_us(f, &e);
        rf->vendor_global_ts_us = g ? (int64_t)g : RIG_TS_NONE;
        /* On the emulator only: the simulator's ground truth rides along, for tests and
         * benchmarks (rig_sim_frame_truth); nothing in rigsync's sync path reads it. */
        int64_t truth;
        if (st->fn.rigsync_obemu_frame_true_ts_us && st->fn.rigsync_obemu_frame_true_ts_us(f, &truth)) {
            rf->has_truth = true;
            rf->truth.true_ts_us = truth;
            rf->truth.capture_start_us = RIG_TS_NONE;
            rf->truth.arrival_us = rf->host_ts_us;
        }
    }
    if (e)
        st->fn.ob_delete_error(e);
    st->fn.ob_delete_frame(f, NULL);
    if (rf) {
        if (d->frames_fed < UINT32_MAX)
            d->frames_fed++;
        rig_context_deliver_frame(st->ctx, rf);
    }
}

/* Confirms the unit of OB_STRUCT_DEVICE_TIME from the rate the readings advance at against the
 * host clock: microseconds (about 1 tick per us) or milliseconds (about 0.001); the vendor's
 * families use both, and some firmware versions changed it. Returns whether it is known. */
static bool device_time_unit(ob_dev_t *d, int64_t host_mid_us, int64_t ticks)
{
    if (d->us_per_tick)
        return true;
    if (d->just_written) {
        /* right after rigsync's own write the reading is the host time in the device's unit */
        if (llabs(ticks - host_mid_us) < 1000000)
            d->us_per_tick = 1;
        else if (llabs(ticks - host_mid_us / 1000) < 1000)
            d->us_per_tick = 1000;
        if (d->us_per_tick)
            return true;
    }
    if (d->unit_ref_host == RIG_TS_NONE || host_mid_us < d->unit_ref_host) {
        d->unit_ref_host = host_mid_us;
        d->unit_ref_ticks = ticks;
        return false;
    }
    int64_t dh = host_mid_us - d->unit_ref_host;
    if (dh < UNIT_CHECK_MIN_US)
        return false;
    double rate = (double)(ticks - d->unit_ref_ticks) / (double)dh;
    if (rate > 0.5 && rate < 2.0)
        d->us_per_tick = 1;
    else if (rate > 0.0005 && rate < 0.002)
        d->us_per_tick = 1000;
    d->unit_ref_host = host_mid_us; /* a jump in between (a foreign write): measure again */
    d->unit_ref_ticks = ticks;
    return d->us_per_tick != 0;
}

/* One two-way read of the device clock, fed to the estimator once its unit is confirmed. A
 * reading in milliseconds stands for any instant of its millisecond: it is fed as the middle
 * of it, with the host interval widened by half a millisecond on each side. */
static void read_clock(ob_dev_t *d)
{
    ob_state_t *st = d->st;
    ob_error *e = NULL;
    uint64_t v[2] = {0, 0};
    uint32_t size = sizeof(v);
    int64_t before = orbbec_host_now_us(st);
    st->fn.ob_device_get_structured_data(d->device, OB_STRUCT_DEVICE_TIME, (uint8_t *)v, &size,
                                         &e);
    int64_t after = orbbec_host_now_us(st);
    if (e || size < sizeof(v) || v[0] > (uint64_t)INT64_MAX / 1000) {
        if (e)
            st->fn.ob_delete_error(e);
        return;
    }
    int64_t ticks = (int64_t)v[0];
    bool known = device_time_unit(d, before + (after - before) / 2, ticks);
    d->just_written = false;
    if (!known)
        return;
    int64_t half = d->us_per_tick / 2;
    rig_context_deliver_time_sample(st->ctx, d->index, before - half, ticks * d->us_per_tick + half,
                                    after + half);
    d->samples_fed++;
}

/* One host timer sync of this device, announced to its estimator; then a burst of reads. */
static void write_clock(ob_dev_t *d)
{
    ob_state_t *st = d->st;
    ob_error *e = NULL;
    /* One device at a time, as the SDK's own sync pass does: a write is then sent when rigsync
     * reads the host clock for its announcement, not after another device's 50 ms settle. */
    pthread_mutex_lock(&st->write_lock);
    int64_t sent = orbbec_host_now_us(st);
    st->fn.ob_device_timer_sync_with_host(d->device, &e);
    pthread_mutex_unlock(&st->write_lock);
    /* Announced even when the call failed: the clock may have been written before it did. */
    rig_context_deliver_clock_write(st->ctx, d->index, sent);
    if (e)
        st->fn.ob_delete_error(e); /* the next pass tries again */
    pthread_mutex_lock(&st->lock);
    uint64_t interval = st->sync_interval_ms;
    pthread_mutex_unlock(&st->lock);
    d->next_write_us = interval ? sent + (int64_t)interval * 1000 : INT64_MAX;
    /* Frames queued during the call are mapped only once the new clock has two-way samples:
     * read it back a few times now (the clock was just set to host time, so the first reading
     * also tells its unit), the rest of the burst spaced out. */
    d->unit_ref_host = RIG_TS_NONE;
    d->just_written = true;
    if (!d->two_way)
        return;
    for (int k = 0; k < QUERY_BURST_AT_ONCE; k++)
        read_clock(d);
    d->burst_left = QUERY_BURST - QUERY_BURST_AT_ONCE;
    d->next_query_us = orbbec_host_now_us(st) + QUERY_BURST_SPACING_US;
}

/* The device's clock work that is due, between two waits for frames. */
static void clock_work(ob_dev_t *d)
{
    ob_state_t *st = d->st;
    int64_t now = orbbec_host_now_us(st); /* one reading: on the emulator it takes the rig's lock */
    /* The first write waits until the estimator has located the power-on clock (a few
     * two-way samples; frames only: 1.5 s of frames), at most WRITE_WAIT_US: frames captured
     * around a write are assigned to the old or the new clock by their continuity, which
     * needs the old one located. */
    bool asked = atomic_load(&d->write_now);
    if (asked && d->write_asked_us == RIG_TS_NONE)
        d->write_asked_us = now;
    bool ready = asked && ((d->two_way ? d->samples_fed >= FIRST_WRITE_SAMPLES
                                       : d->frames_fed >= FIRST_WRITE_FRAMES) ||
                           now - d->write_asked_us >= WRITE_WAIT_US);
    if (ready || now >= d->next_write_us) {
        atomic_store(&d->write_now, false);
        d->write_asked_us = RIG_TS_NONE;
        write_clock(d);
        now = orbbec_host_now_us(st); /* the write took the SDK's 50 ms */
    }
    if (!d->two_way || now < d->next_query_us)
        return;
    read_clock(d);
    if (d->burst_left > 0) {
        d->burst_left--;
        d->next_query_us = now + QUERY_BURST_SPACING_US;
    } else {
        d->next_query_us = now + QUERY_INTERVAL_US;
    }
}

static void *frame_thread(void *arg)
{
    ob_dev_t *d = arg;
    ob_state_t *st = d->st;
    while (!atomic_load(&d->stop)) {
        clock_work(d);
        ob_error *e = NULL;
        ob_frame *fs = st->fn.ob_pipeline_wait_for_frameset(d->pipeline, WAIT_MS, &e);
        if (e) {
            st->fn.ob_delete_error(e);
            continue;
        }
        if (!fs)
            continue;
        ob_frame *color = st->fn.ob_frameset_get_color_frame(fs, &e);
        if (e) {
            st->fn.ob_delete_error(e);
            e = NULL;
        }
        ob_frame *depth = st->fn.ob_frameset_get_depth_frame(fs, &e);
        if (e)
            st->fn.ob_delete_error(e);
        if (color)
            deliver(d, color, RIG_STREAM_COLOR);
        if (depth)
            deliver(d, depth, RIG_STREAM_DEPTH);
        st->fn.ob_delete_frame(fs, NULL);
    }
    return NULL;
}

static ob_format to_ob_format(rig_format_t f)
{
    return f == RIG_FORMAT_Y16 ? OB_FORMAT_Y16 : f == RIG_FORMAT_MJPG ? OB_FORMAT_MJPG : OB_FORMAT_RGB;
}

static rig_error_t orbbec_start(void *state, void *dev, const rig_stream_profile_t *p)
{
    ob_state_t *st = state;
    ob_dev_t *d = dev;
    ob_error *e = NULL;
    d->pipeline = st->fn.ob_create_pipeline_with_device(d->device, &e);
    if (e)
        return vendor_error(st, e, "creating the pipeline");
    d->config = st->fn.ob_create_config(&e);
    if (e)
        return vendor_error(st, e, "creating the stream config");
    st->fn.ob_config_enable_video_stream(d->config, OB_STREAM_COLOR, p[RIG_STREAM_COLOR].width,
                                         p[RIG_STREAM_COLOR].height, p[RIG_STREAM_COLOR].fps,
                                         to_ob_format(p[RIG_STREAM_COLOR].format), &e);
    if (e)
        return vendor_error(st, e, "enabling the color stream");
    st->fn.ob_config_enable_video_stream(d->config, OB_STREAM_DEPTH, p[RIG_STREAM_DEPTH].width,
                                         p[RIG_STREAM_DEPTH].height, p[RIG_STREAM_DEPTH].fps,
                                         to_ob_format(p[RIG_STREAM_DEPTH].format), &e);
    if (e)
        return vendor_error(st, e, "enabling the depth stream");
    st->fn.ob_pipeline_start_with_config(d->pipeline, d->config, &e);
    if (e)
        return vendor_error(st, e, "starting the streams");
    atomic_store(&d->stop, false);
    if (pthread_create(&d->thread, NULL, frame_thread, d) != 0) {
        st->fn.ob_pipeline_stop(d->pipeline, NULL);
        return rig_context_set_error(st->ctx, RIG_ERROR_INTERNAL, "cannot start a frame thread");
    }
    d->thread_running = true;
    return RIG_OK;
}

static rig_error_t orbbec_stop(void *state, void *dev)
{
    ob_state_t *st = state;
    ob_dev_t *d = dev;
    if (d->thread_running) {
        atomic_store(&d->stop, true);
        pthread_join(d->thread, NULL);
        d->thread_running = false;
        st->fn.ob_pipeline_stop(d->pipeline, NULL);
    }
    if (d->pipeline)
        st->fn.ob_delete_pipeline(d->pipeline, NULL);
    if (d->config)
        st->fn.ob_delete_config(d->config, NULL);
    d->pipeline = NULL;
    d->config = NULL;
    return RIG_OK;
}

static rig_error_t orbbec_trigger(void *state, void *dev)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    st->fn.ob_device_trigger_capture(((ob_dev_t *)dev)->device, &e);
    return e ? vendor_error(st, e, "sending the software trigger") : RIG_OK;
}

/* Every open device writes its clock at its thread's next occasion (a device not streaming
 * yet does when it starts), then every interval_ms (0: once). */
static rig_error_t orbbec_enable_clock_sync(void *state, uint64_t interval_ms)
{
    ob_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->sync_enabled = true;
    st->sync_interval_ms = interval_ms;
    for (size_t i = 0; i < st->ndevs; i++)
        atomic_store(&st->devs[i]->write_now, true);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

const rig_backend_ops_t rig_orbbec_backend = {
    .name = "orbbec",
    .create = orbbec_create,
    .destroy = orbbec_destroy,
    .device_count = orbbec_device_count,
    .device_info = orbbec_device_info,
    .open = orbbec_open,
    .close = orbbec_close,
    .get_sync = orbbec_get_sync,
    .set_sync = orbbec_set_sync,
    .default_profile = orbbec_default_profile,
    .start = orbbec_start,
    .stop = orbbec_stop,
    .trigger = orbbec_trigger,
    .latency_floor = orbbec_latency_floor,
    .enable_clock_sync = orbbec_enable_clock_sync,
    .advance = NULL, /* real time only */
};

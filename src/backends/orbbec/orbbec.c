/*
 * The "orbbec" backend: real cameras through the vendor's C SDK (OrbbecSDK v2), loaded at run
 * time with dlopen so that rigsync neither needs it to build nor to run on the simulator.
 *
 * Only the functions below are resolved; a library that lacks one is named as too old or not
 * the SDK. Each started device has one pipeline (color + depth) and one thread that waits for
 * its framesets and hands every frame to the core. The vendor's own clock sync is enabled with
 * the configured interval; the vendor's global timestamp is turned on and passed along.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "core/core.h"
#include "ob_api.h"

#define DEFAULT_LIBRARY "libOrbbecSDK.so"
#define WAIT_MS 100

/* The vendor functions rigsync uses, resolved by name. */
#define OB_FUNCTIONS(X)                                                                          \
    X(ob_create_context)                                                                         \
    X(ob_delete_context)                                                                         \
    X(ob_query_device_list)                                                                      \
    X(ob_device_list_get_count)                                                                  \
    X(ob_device_list_get_device_serial_number)                                                   \
    X(ob_device_list_get_device_name)                                                            \
    X(ob_device_list_get_device)                                                                 \
    X(ob_device_list_get_device_by_serial_number)                                                \
    X(ob_delete_device_list)                                                                     \
    X(ob_delete_device)                                                                          \
    X(ob_device_get_supported_multi_device_sync_mode_bitmap)                                     \
    X(ob_device_get_multi_device_sync_config)                                                    \
    X(ob_device_set_multi_device_sync_config)                                                    \
    X(ob_device_trigger_capture)                                                                 \
    X(ob_enable_device_clock_sync)                                                               \
    X(ob_device_enable_global_timestamp)                                                         \
    X(ob_create_pipeline_with_device)                                                            \
    X(ob_delete_pipeline)                                                                        \
    X(ob_create_config)                                                                          \
    X(ob_delete_config)                                                                          \
    X(ob_config_enable_video_stream)                                                             \
    X(ob_pipeline_start_with_config)                                                             \
    X(ob_pipeline_wait_for_frameset)                                                             \
    X(ob_pipeline_stop)                                                                          \
    X(ob_frameset_get_color_frame)                                                               \
    X(ob_frameset_get_depth_frame)                                                               \
    X(ob_frame_get_timestamp_us)                                                                 \
    X(ob_frame_get_system_timestamp_us)                                                          \
    X(ob_frame_get_global_timestamp_us)                                                          \
    X(ob_frame_get_index)                                                                        \
    X(ob_frame_get_data)                                                                         \
    X(ob_frame_get_data_size)                                                                    \
    X(ob_video_frame_get_width)                                                                  \
    X(ob_video_frame_get_height)                                                                 \
    X(ob_frame_get_format)                                                                       \
    X(ob_delete_frame)                                                                           \
    X(ob_error_get_message)                                                                      \
    X(ob_delete_error)

typedef struct ob_fns {
#define DECLARE(name) __typeof__(&name) name;
    OB_FUNCTIONS(DECLARE)
#undef DECLARE
} ob_fns_t;

typedef struct ob_state ob_state_t;

typedef struct ob_dev {
    ob_state_t *st;
    ob_device *device;
    char serial[64];
    size_t index;
    ob_pipeline *pipeline;
    ob_config *config;
    pthread_t thread;
    bool thread_running;
    atomic_bool stop; /* read by the frame thread; written before join */
    pthread_mutex_t lock;
} ob_dev_t;

struct ob_state {
    rig_context_t *ctx;
    void *lib;
    ob_fns_t fn;
    ob_context *obctx;
    rig_device_info_t *infos;
    size_t ninfos;
};

/* Turns a vendor error into a rigsync one carrying the vendor's message, and frees it. */
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
    return RIG_OK;
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
        const char *sn = st->fn.ob_device_list_get_device_serial_number(list, i, &e);
        if (e || !sn) {
            if (e)
                st->fn.ob_delete_error(e);
            e = NULL;
            continue;
        }
        rig_strlcpy(info->serial, sn, sizeof(info->serial));
        const char *name = st->fn.ob_device_list_get_device_name(list, i, &e);
        rig_strlcpy(info->model, !e && name ? name : "Orbbec camera", sizeof(info->model));
        if (e) {
            st->fn.ob_delete_error(e);
            e = NULL;
        }
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
    rig_error_t err = load(st, opts->library);
    if (err == RIG_OK) {
        ob_error *e = NULL;
        st->obctx = st->fn.ob_create_context(&e);
        if (e)
            err = vendor_error(st, e, "creating the Orbbec SDK context");
    }
    if (err == RIG_OK)
        err = enumerate(st);
    if (err != RIG_OK) {
        orbbec_destroy(st);
        return err;
    }
    *out = st;
    return RIG_OK;
}

static void orbbec_destroy(void *state)
{
    ob_state_t *st = state;
    if (!st)
        return;
    if (st->obctx)
        st->fn.ob_delete_context(st->obctx, NULL);
    if (st->lib)
        dlclose(st->lib);
    free(st->infos);
    free(st);
}

static rig_error_t orbbec_device_count(void *state, size_t *count)
{
    *count = ((ob_state_t *)state)->ninfos;
    return RIG_OK;
}

static rig_error_t orbbec_device_info(void *state, size_t index, rig_device_info_t *out)
{
    ob_state_t *st = state;
    if (index >= st->ninfos)
        return rig_context_set_error(st->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "device index %zu out of range (%zu devices)", index,
                                     st->ninfos);
    *out = st->infos[index];
    return RIG_OK;
}

static rig_error_t orbbec_open(void *state, const char *serial, size_t dev_index, void **out)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    bool present = false;
    char list_txt[512] = "";
    for (size_t i = 0; i < st->ninfos; i++) {
        present = present || strcmp(st->infos[i].serial, serial) == 0;
        rig_append(list_txt, sizeof(list_txt), "%s%s", i ? ", " : "", st->infos[i].serial);
    }
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
    *out = d;
    return RIG_OK;
}

static rig_error_t orbbec_stop(void *state, void *dev);

static void orbbec_close(void *state, void *dev)
{
    ob_state_t *st = state;
    ob_dev_t *d = dev;
    orbbec_stop(state, dev);
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

/* "Whatever the device prefers": zeros, which the SDK reads as any width/height/fps. */
static rig_error_t orbbec_default_profile(void *state, void *dev, rig_stream_t stream,
                                          rig_stream_profile_t *out)
{
    (void)state;
    (void)dev;
    memset(out, 0, sizeof(*out));
    out->format = stream == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16;
    return RIG_OK;
}

static rig_format_t from_ob_format(ob_format f)
{
    return f == OB_FORMAT_RGB ? RIG_FORMAT_RGB : f == OB_FORMAT_Y16 ? RIG_FORMAT_Y16 : RIG_FORMAT_NONE;
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
    }
    if (e)
        st->fn.ob_delete_error(e);
    st->fn.ob_delete_frame(f, NULL);
    if (rf)
        rig_context_deliver_frame(st->ctx, rf);
}

static void *frame_thread(void *arg)
{
    ob_dev_t *d = arg;
    ob_state_t *st = d->st;
    while (!atomic_load(&d->stop)) {
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
    return f == RIG_FORMAT_Y16 ? OB_FORMAT_Y16 : OB_FORMAT_RGB;
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

static rig_error_t orbbec_enable_clock_sync(void *state, uint64_t interval_ms)
{
    ob_state_t *st = state;
    ob_error *e = NULL;
    st->fn.ob_enable_device_clock_sync(st->obctx, interval_ms, &e);
    return e ? vendor_error(st, e, "enabling the device clock sync") : RIG_OK;
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
    .enable_clock_sync = orbbec_enable_clock_sync,
    .advance = NULL, /* real time only */
};

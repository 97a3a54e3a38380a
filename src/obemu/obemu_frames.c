/* librigsync-obemu: frames and framesets (see obemu_internal.h). */
#include <stdint.h>
#include <stdlib.h>

#include "obemu_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Frames                                                                                     */

static uint64_t ts_out(int64_t ts) { return ts < 0 ? 0 : (uint64_t)ts; }

static ob_frame *frame_retain(const ob_frame *f)
{
    ob_frame *m = (ob_frame *)f;
    atomic_fetch_add(&m->refs, 1);
    return m;
}

void obemu_frame_release(const ob_frame *f)
{
    if (!f)
        return;
    ob_frame *m = (ob_frame *)f;
    if (atomic_fetch_sub(&m->refs, 1) != 1)
        return;
    if (m->is_set) {
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            obemu_frame_release(m->members[s]);
    } else {
        rig_frame_release(m->rf);
    }
    free(m);
}

/* A frameset holding one frame (the pipeline does not aggregate: frame sync is off). */
ob_frame *obemu_make_frameset(rig_frame_t *rf, ob_device *dev)
{
    ob_frame *f = calloc(1, sizeof(*f));
    ob_frame *set = calloc(1, sizeof(*set));
    if (!f || !set) {
        free(f);
        free(set);
        return NULL;
    }
    atomic_init(&f->refs, 1);
    rig_frame_retain(rf);
    f->rf = rf;
    if (atomic_load(&dev->global_ts)) {
        /* as the SDK: the fitter's mapping when the frame comes in, 0 before its first fit */
        int64_t g = 0;
        pthread_mutex_lock(&dev->fit_lock);
        bool ok = vendor_fitter_map(dev->fitter, rig_frame_device_ts_us(rf), &g);
        pthread_mutex_unlock(&dev->fit_lock);
        f->global_ts_us = ok ? ts_out(g) : 0;
    }
    atomic_init(&set->refs, 1);
    set->is_set = true;
    set->members[rig_frame_stream(rf) == RIG_STREAM_DEPTH ? RIG_STREAM_DEPTH : RIG_STREAM_COLOR] =
        f;
    return set;
}

/* The single frame a getter reads: the frame itself, or a frameset's only member. */
const ob_frame *obemu_frame_single(const ob_frame *f)
{
    if (!f->is_set)
        return f;
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        if (f->members[s])
            return f->members[s];
    return NULL;
}

static ob_frame *frameset_member(const ob_frame *frameset, rig_stream_t stream, ob_error **error,
                                 const char *function)
{
    if (!frameset) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset = NULL",
                   "frameset is NULL");
        return NULL;
    }
    if (!frameset->is_set) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset",
                   "the frame is not a frameset");
        return NULL;
    }
    ob_frame *m = frameset->members[stream];
    return m ? frame_retain(m) : NULL;
}

OBEMU_EXPORT ob_frame *ob_frameset_get_depth_frame(const ob_frame *frameset, ob_error **error)
{
    return frameset_member(frameset, RIG_STREAM_DEPTH, error, __func__);
}

OBEMU_EXPORT ob_frame *ob_frameset_get_color_frame(const ob_frame *frameset, ob_error **error)
{
    return frameset_member(frameset, RIG_STREAM_COLOR, error, __func__);
}

enum frame_field { FIELD_DEVICE_TS, FIELD_SYSTEM_TS, FIELD_GLOBAL_TS, FIELD_INDEX };

static uint64_t frame_field(const ob_frame *frame, enum frame_field field, ob_error **error,
                            const char *function)
{
    if (!frame) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frame = NULL",
                   "frame is NULL");
        return 0;
    }
    const ob_frame *f = obemu_frame_single(frame);
    if (!f)
        return 0;
    switch (field) {
    case FIELD_DEVICE_TS: return ts_out(rig_frame_device_ts_us(f->rf));
    case FIELD_SYSTEM_TS: return ts_out(rig_frame_host_ts_us(f->rf));
    case FIELD_GLOBAL_TS: return f->global_ts_us;
    case FIELD_INDEX: return rig_frame_index(f->rf);
    }
    return 0;
}

OBEMU_EXPORT uint64_t ob_frame_get_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_DEVICE_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_system_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_SYSTEM_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_global_timestamp_us(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_GLOBAL_TS, error, __func__);
}

OBEMU_EXPORT uint64_t ob_frame_get_index(const ob_frame *frame, ob_error **error)
{
    return frame_field(frame, FIELD_INDEX, error, __func__);
}

/* Pixel accessors: a frameset has none of its own (as in the SDK, it is not a video frame). */
static const rig_frame_t *video_frame(const ob_frame *frame, ob_error **error, const char *fn)
{
    if (!frame) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, fn, "frame = NULL", "frame is NULL");
        return NULL;
    }
    const ob_frame *f = obemu_frame_single(frame);
    return f ? f->rf : NULL;
}

OBEMU_EXPORT uint8_t *ob_frame_get_data(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    /* The SDK hands out a mutable pointer into the frame; so does the emulator. */
    return rf ? (uint8_t *)(uintptr_t)rig_frame_data(rf) : NULL;
}

OBEMU_EXPORT uint32_t ob_frame_get_data_size(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? (uint32_t)rig_frame_data_size(rf) : 0;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_width(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? rig_frame_width(rf) : 0;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_height(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf ? rig_frame_height(rf) : 0;
}

OBEMU_EXPORT ob_format ob_frame_get_format(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    if (!rf)
        return OB_FORMAT_UNKNOWN;
    switch (rig_frame_format(rf)) {
    case RIG_FORMAT_RGB: return OB_FORMAT_RGB;
    case RIG_FORMAT_Y16: return OB_FORMAT_Y16;
    case RIG_FORMAT_MJPG: return OB_FORMAT_MJPG;
    default: return OB_FORMAT_UNKNOWN; /* pixels off: timestamps only */
    }
}

OBEMU_EXPORT void ob_delete_frame(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    obemu_frame_release(frame);
}

/* librigsync-obemu: frames and framesets (see obemu_internal.h). */
#include <stdint.h>
#include <stdio.h>
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
    obemu_frame_free_extra(m);
    if (m->is_set) {
        for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
            obemu_frame_release(m->members[s]);
    } else {
        rig_frame_release(m->rf);
    }
    free(m);
}

/* A single frame of the rig, with the SDK's global timestamp when enabled on its device. */
ob_frame *obemu_make_frame(rig_frame_t *rf, ob_device *dev)
{
    ob_frame *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    atomic_init(&f->refs, 1);
    rig_frame_retain(rf);
    f->rf = rf;
    f->dev = f->info_dev = dev;
    f->dev_no = f->info_no = dev->open_no;
    rig_stream_t s = rig_frame_stream(rf);
    f->fps = (unsigned)s < RIG_STREAM_COUNT ? atomic_load(&dev->stream_fps[s]) : 0;
    f->format = (unsigned)s < RIG_STREAM_COUNT ? (ob_format)atomic_load(&dev->stream_format[s])
                                               : OB_FORMAT_UNKNOWN;
    if (atomic_load(&dev->global_ts)) {
        /* as the SDK: the fitter's mapping when the frame comes in, 0 before its first fit */
        int64_t g = 0;
        pthread_mutex_lock(&dev->fit_lock);
        bool ok = vendor_fitter_map(dev->fitter, rig_frame_device_ts_us(rf), &g);
        pthread_mutex_unlock(&dev->fit_lock);
        f->global_ts_us = ok ? ts_out(g) : 0;
    }
    return f;
}

ob_frame *obemu_new_frameset(void)
{
    ob_frame *set = calloc(1, sizeof(*set));
    if (!set)
        return NULL;
    atomic_init(&set->refs, 1);
    set->is_set = true;
    return set;
}

int obemu_frame_stream(const ob_frame *f)
{
    if (f->made && f->made_type == OB_FRAME_IR)
        return OBEMU_STREAM_IR;
    return rig_frame_stream(f->rf) == RIG_STREAM_DEPTH ? RIG_STREAM_DEPTH : RIG_STREAM_COLOR;
}

/* The order of a frameset's members (by index): the SDK's, by frame type (IR 1, color 2,
 * depth 3). */
static const int member_order[OBEMU_STREAM_COUNT] = {OBEMU_STREAM_IR, RIG_STREAM_COLOR,
                                                     RIG_STREAM_DEPTH};

/* Members are kept by stream: [color, depth, IR]. */
void obemu_frameset_put(ob_frame *set, ob_frame *member)
{
    int s = obemu_frame_stream(member);
    obemu_frame_release(set->members[s]);
    set->members[s] = member;
}

/* A frameset holding one frame. */
ob_frame *obemu_make_frameset(rig_frame_t *rf, ob_device *dev)
{
    ob_frame *f = obemu_make_frame(rf, dev);
    ob_frame *set = obemu_new_frameset();
    if (!f || !set) {
        obemu_frame_release(f);
        obemu_frame_release(set);
        return NULL;
    }
    obemu_frameset_put(set, f);
    return set;
}

/* The single frame a getter reads: the frame itself, or a frameset's only member. */
const ob_frame *obemu_frame_single(const ob_frame *f)
{
    if (!f->is_set)
        return f;
    for (int i = 0; i < OBEMU_STREAM_COUNT; i++)
        if (f->members[member_order[i]])
            return f->members[member_order[i]];
    return NULL;
}

static ob_frame *frameset_member(const ob_frame *frameset, int stream, ob_error **error,
                                 const char *function)
{
    if (!frameset) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset = NULL",
                   "frameset is NULL");
        return NULL;
    }
    if (!frameset->is_set) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frameset",
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
    /* a frameset's own values when the user set them, else its first member's */
    const ob_frame *f = frame->own_info ? frame : obemu_frame_single(frame);
    if (!f)
        return 0;
    switch (field) {
    case FIELD_DEVICE_TS: return ts_out(obemu_frame_device_ts(f));
    case FIELD_SYSTEM_TS: return ts_out(obemu_frame_host_ts(f));
    case FIELD_GLOBAL_TS: return f->global_ts_us;
    case FIELD_INDEX: return obemu_frame_index(f);
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

/* A frame made by ob_create_frame has a profile without a size: the SDK says so (INVALID_DATA). */
static bool sized(const ob_frame *frame, ob_error **error, const char *fn)
{
    const ob_frame *f = obemu_frame_single(frame);
    if (!f->plain || f->profile)
        return true;
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_DATA, fn, "frame",
               "the frame's stream profile is not a video stream profile");
    return false;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_width(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf && sized(frame, error, __func__) ? rig_frame_width(rf) : 0;
}

OBEMU_EXPORT uint32_t ob_video_frame_get_height(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    return rf && sized(frame, error, __func__) ? rig_frame_height(rf) : 0;
}

OBEMU_EXPORT ob_format ob_frame_get_format(const ob_frame *frame, ob_error **error)
{
    const rig_frame_t *rf = video_frame(frame, error, __func__);
    if (!rf)
        return OB_FORMAT_UNKNOWN;
    const ob_frame *single = obemu_frame_single(frame);
    if (single->made)
        return single->made_format;
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


/* ------------------------------------------------------------------------------------------ */
/* Frame type, references, framesets by type and index                                        */

OBEMU_EXPORT ob_frame_type ob_frame_get_type(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return OB_FRAME_VIDEO; /* the SDK's value on error */
    }
    if (frame->is_set)
        return OB_FRAME_SET;
    if (frame->made)
        return frame->made_type; /* points, or what ob_create_video_frame was asked for */
    return obemu_frame_type(frame);
}

/* One more reference: each is released by its own ob_delete_frame (the SDK's rule). */
OBEMU_EXPORT void ob_frame_add_ref(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    frame_retain(frame);
}

static bool check_set(const ob_frame *frameset, ob_error **error, const char *function)
{
    if (!frameset) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frameset = NULL",
                   "frameset is NULL");
        return false;
    }
    if (!frameset->is_set) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frameset",
                   "the frame is not a frameset");
        return false;
    }
    return true;
}

OBEMU_EXPORT uint32_t ob_frameset_get_count(const ob_frame *frameset, ob_error **error)
{
    if (!check_set(frameset, error, __func__))
        return 0;
    uint32_t n = 0;
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        n += frameset->members[s] != NULL;
    return n;
}

OBEMU_EXPORT ob_frame *ob_frameset_get_frame(const ob_frame *frameset, ob_frame_type frame_type,
                                             ob_error **error)
{
    if (!check_set(frameset, error, __func__))
        return NULL;
    /* The emulated devices stream color, depth and IR: any other type is absent. */
    ob_frame *m = frame_type == OB_FRAME_COLOR   ? frameset->members[RIG_STREAM_COLOR]
                  : frame_type == OB_FRAME_DEPTH ? frameset->members[RIG_STREAM_DEPTH]
                  : frame_type == OB_FRAME_IR    ? frameset->members[OBEMU_STREAM_IR]
                                                 : NULL;
    return m ? frame_retain(m) : NULL;
}

OBEMU_EXPORT ob_frame *ob_frameset_get_frame_by_index(const ob_frame *frameset, uint32_t index,
                                                      ob_error **error)
{
    if (!check_set(frameset, error, __func__))
        return NULL;
    uint32_t k = 0;
    for (int i = 0; i < OBEMU_STREAM_COUNT; i++) {
        ob_frame *m = frameset->members[member_order[i]];
        if (m && k++ == index)
            return frame_retain(m);
    }
    char args[32];
    snprintf(args, sizeof(args), "index = %u", index);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
               "index %u is out of range: the frameset holds %u frames", index, k);
    return NULL;
}

OBEMU_EXPORT ob_frame *ob_frameset_get_ir_frame(const ob_frame *frameset, ob_error **error)
{
    return frameset_member(frameset, OBEMU_STREAM_IR, error, __func__);
}

OBEMU_EXPORT ob_frame *ob_frameset_get_points_frame(const ob_frame *frameset, ob_error **error)
{
    (void)check_set(frameset, error, __func__);
    return NULL; /* no point cloud filter runs in the emulator */
}

/* ------------------------------------------------------------------------------------------ */
/* Depth scale, metadata                                                                      */

OBEMU_EXPORT float ob_depth_frame_get_value_scale(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return -1.0f;
    }
    if (frame->is_set || obemu_frame_stream(frame) != RIG_STREAM_DEPTH) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frame",
                   "the frame is not a depth frame");
        return -1.0f;
    }
    /* the simulated depth is in millimetres, unless the user set another scale */
    return frame->scale_set ? frame->value_scale : 1.0f;
}

/* The metadata the simulated frames carry: their device timestamp and their frame number.
 * (Exposure, gain, white balance, laser... are not modelled per frame: absent.) */
static bool metadata_known(ob_frame_metadata_type type)
{
    return type == OB_FRAME_METADATA_TYPE_TIMESTAMP ||
           type == OB_FRAME_METADATA_TYPE_FRAME_NUMBER;
}

OBEMU_EXPORT bool ob_frame_has_metadata(const ob_frame *frame, ob_frame_metadata_type type,
                                        ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return false;
    }
    return !frame->is_set && metadata_known(type);
}

OBEMU_EXPORT int64_t ob_frame_get_metadata_value(const ob_frame *frame,
                                                 ob_frame_metadata_type type, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return -1;
    }
    if (frame->is_set || !metadata_known(type)) {
        char args[32];
        snprintf(args, sizeof(args), "type = %d", (int)type);
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
                   "the frame has no metadata of type %d (the emulated frames carry "
                   "OB_FRAME_METADATA_TYPE_TIMESTAMP and OB_FRAME_METADATA_TYPE_FRAME_NUMBER)",
                   (int)type);
        return -1;
    }
    /* the device's values: what the user set on the frame does not change its metadata */
    if (type == OB_FRAME_METADATA_TYPE_TIMESTAMP)
        return (int64_t)ts_out(rig_frame_device_ts_us(frame->rf));
    return (int64_t)rig_frame_index(frame->rf);
}

/* The raw metadata block: the emulated frames have none (their values are read by type), but
 * what ob_frame_update_metadata or ob_frame_copy_info put there. */
OBEMU_EXPORT uint8_t *ob_frame_get_metadata(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return NULL;
    }
    return frame->meta;
}

OBEMU_EXPORT uint32_t ob_frame_get_metadata_size(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return 0;
    }
    return frame->meta_size;
}

/* The profile a frame was captured with: its stream, format, size and its stream's rate. */
OBEMU_EXPORT ob_stream_profile *ob_frame_get_stream_profile(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return NULL;
    }
    if (frame->is_set) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frame",
                   "a frameset has no stream profile; take one of its frames");
        return NULL;
    }
    if (frame->profile) { /* what the user set */
        ob_stream_profile *c = malloc(sizeof(*c));
        if (c)
            *c = *frame->profile;
        else
            obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return c;
    }
    const rig_frame_t *rf = frame->rf;
    ob_stream_profile *p = obemu_profile_new(obemu_stream_type_of(obemu_frame_stream(frame)),
                                             frame->format,
                                             rig_frame_width(rf), rig_frame_height(rf), frame->fps);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    return p;
}

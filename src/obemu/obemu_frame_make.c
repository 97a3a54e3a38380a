/*
 * librigsync-obemu: frames the emulator makes itself (filter outputs, ob_create_video_frame) and
 * the accessors of points frames. A made frame is a rig frame (data, size, timestamps) plus the
 * SDK's type and format, which the rig frame cannot say (see ob_frame_t in obemu_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "obemu_internal.h"

ob_frame *obemu_frame_retain(const ob_frame *f)
{
    ob_frame *m = (ob_frame *)f;
    atomic_fetch_add(&m->refs, 1);
    return m;
}

ob_camera_intrinsic obemu_nominal_intrinsic(uint32_t width, uint32_t height)
{
    ob_camera_intrinsic in;
    memset(&in, 0, sizeof(in));
    in.fx = (float)width / 2.0f; /* (width / 2) / tan(90 degrees / 2) */
    in.fy = in.fx;
    in.cx = (float)width / 2.0f;
    in.cy = (float)height / 2.0f;
    in.width = (int16_t)width;
    in.height = (int16_t)height;
    return in;
}

static rig_format_t rig_format_for(ob_format format)
{
    switch (format) {
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: return RIG_FORMAT_Y16;
    case OB_FORMAT_RGB: return RIG_FORMAT_RGB;
    default: return RIG_FORMAT_NONE; /* the made frame's own format says what it is */
    }
}

ob_frame *obemu_frame_make(const ob_frame *like, ob_frame_type type, ob_format format,
                           uint32_t width, uint32_t height, size_t data_size)
{
    ob_frame *f = calloc(1, sizeof(*f));
    rig_frame_t *rf = rig_frame_alloc(data_size);
    if (!f || !rf) {
        free(f);
        rig_frame_release(rf);
        return NULL;
    }
    if (data_size)
        memset(rf->data, 0, data_size);
    const ob_frame *src = like ? obemu_frame_single(like) : NULL;
    if (src && src->rf) {
        const rig_frame_t *o = src->rf;
        rf->device_index = o->device_index;
        memcpy(rf->serial, o->serial, sizeof(rf->serial));
        rf->index = obemu_frame_index(src);
        rf->device_ts_us = obemu_frame_device_ts(src);
        rf->host_ts_us = obemu_frame_host_ts(src);
        rf->global_ts_us = o->global_ts_us;
        rf->global_bound_us = o->global_bound_us;
        rf->vendor_global_ts_us = o->vendor_global_ts_us;
        f->global_ts_us = src->global_ts_us;
        f->fps = src->fps;
    }
    rf->stream = type == OB_FRAME_DEPTH ? RIG_STREAM_DEPTH : RIG_STREAM_COLOR;
    rf->width = width;
    rf->height = height;
    rf->format = rig_format_for(format);
    atomic_init(&f->refs, 1);
    f->rf = rf;
    f->made = true;
    f->made_type = type;
    f->made_format = format;
    f->format = format; /* the profile of a made frame has the frame's own format */
    f->points_scale = 1.0f;
    if (src) {
        f->dev = src->dev; /* its profile (and so its sensor and device) is the source's */
        f->dev_no = src->dev_no;
        obemu_frame_copy_extra(f, src);
    }
    return f;
}

ob_frame_type obemu_frame_type(const ob_frame *single)
{
    if (single->is_set)
        return OB_FRAME_SET;
    if (single->made)
        return single->made_type;
    return rig_frame_stream(single->rf) == RIG_STREAM_DEPTH ? OB_FRAME_DEPTH : OB_FRAME_COLOR;
}

ob_format obemu_frame_format(const ob_frame *single)
{
    if (single->made)
        return single->made_format;
    return obemu_format_of(rig_frame_format(single->rf));
}

/* Bytes per pixel of the formats a user may make a video frame of; 0: not supported here. */
static uint32_t bytes_per_pixel(ob_format format)
{
    switch (format) {
    case OB_FORMAT_Y8: return 1;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16:
    case OB_FORMAT_YUYV:
    case OB_FORMAT_UYVY: return 2;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR: return 3;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA: return 4;
    default: return 0;
    }
}

OBEMU_EXPORT ob_frame *ob_create_video_frame(ob_frame_type frame_type, ob_format format,
                                             uint32_t width, uint32_t height,
                                             uint32_t stride_bytes, ob_error **error)
{
    uint32_t bpp = bytes_per_pixel(format);
    if (bpp == 0) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "format",
                   "video frames of format %d are not supported by the rigsync emulator "
                   "(Y8, Y16, Z16, YUYV, UYVY, RGB, BGR, RGBA, BGRA are)",
                   (int)format);
        return NULL;
    }
    if (width == 0 || height == 0 || width > 16384 || height > 16384) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "width, height",
                   "invalid frame size %ux%u", width, height);
        return NULL;
    }
    uint32_t stride = stride_bytes ? stride_bytes : width * bpp;
    if (stride < width * bpp) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "stride_bytes",
                   "stride %u is less than a row of %u bytes", stride, width * bpp);
        return NULL;
    }
    ob_frame *f = obemu_frame_make(NULL, frame_type, format, width, height,
                                   (size_t)stride * height);
    if (!f)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    return f;
}

static const ob_frame *points_frame(const ob_frame *frame, ob_error **error, const char *fn)
{
    if (!frame) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, fn, "frame = NULL", "frame is NULL");
        return NULL;
    }
    if (frame->is_set || !frame->made || frame->made_type != OB_FRAME_POINTS) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, fn, "frame",
                   "the frame is not a points frame");
        return NULL;
    }
    return frame;
}

OBEMU_EXPORT float ob_points_frame_get_coordinate_value_scale(const ob_frame *frame,
                                                              ob_error **error)
{
    const ob_frame *f = points_frame(frame, error, __func__);
    return f ? f->points_scale : -1.0f;
}

OBEMU_EXPORT uint32_t ob_point_cloud_frame_get_width(const ob_frame *frame, ob_error **error)
{
    const ob_frame *f = points_frame(frame, error, __func__);
    return f ? f->rf->width : 0;
}

OBEMU_EXPORT uint32_t ob_point_cloud_frame_get_height(const ob_frame *frame, ob_error **error)
{
    const ob_frame *f = points_frame(frame, error, __func__);
    return f ? f->rf->height : 0;
}

OBEMU_EXPORT ob_frame *ob_create_frameset(ob_error **error)
{
    ob_frame *set = obemu_new_frameset();
    if (!set)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    return set;
}

/* The frame is added with a reference of its own and replaces one of its type (the SDK's rule).
 * The emulator's framesets hold colour, depth and IR frames: other types are refused. */
OBEMU_EXPORT void ob_frameset_push_frame(ob_frame *frameset, const ob_frame *frame,
                                         ob_error **error)
{
    if (!frameset || !frame) {
        FAIL_NULL(error, frameset ? "frame" : "frameset");
        return;
    }
    if (!frameset->is_set) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frameset",
                   "the frame is not a frameset");
        return;
    }
    ob_frame_type t = obemu_frame_type(frame);
    if (t != OB_FRAME_COLOR && t != OB_FRAME_DEPTH && t != OB_FRAME_IR) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frame",
                   "framesets of the rigsync emulator hold colour, depth and IR frames only "
                   "(frame type %d)",
                   (int)t);
        return;
    }
    obemu_frameset_put(frameset, obemu_frame_retain(frame));
}

/*
 * librigsync-obemu: the parts of the vendor's Frame.h a user program meets beyond reading frames:
 * frames made from nothing, from another frame, from a stream profile or around the user's own
 * buffer; the setters (timestamps, data, metadata, stream profile, token, pixel type and bit
 * size, depth value scale); a frame's sensor, device and device info.
 *
 * As in the SDK (v2.9.3 src/impl/Frame.cpp, src/core/frame/), setters write the frame itself:
 * every handle of it (ob_frame_add_ref) sees the change. The rig's frame under an emulated one
 * is shared and never written; the values the user sets live in the ob_frame (own_*).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "obemu_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Index and timestamps                                                                       */

uint64_t obemu_frame_index(const ob_frame *f)
{
    return f->own_info ? f->own_index : rig_frame_index(f->rf);
}

int64_t obemu_frame_device_ts(const ob_frame *f)
{
    return f->own_info ? (int64_t)f->own_ts_us : rig_frame_device_ts_us(f->rf);
}

int64_t obemu_frame_host_ts(const ob_frame *f)
{
    return f->own_info ? (int64_t)f->own_sys_ts_us : rig_frame_host_ts_us(f->rf);
}

static uint64_t ts_out(int64_t ts) { return ts < 0 ? 0 : (uint64_t)ts; }

/* From now on the frame's index and timestamps are its own (a frameset: its first member's until
 * then). */
static void own_info(ob_frame *f)
{
    if (f->own_info)
        return;
    const ob_frame *src = f->is_set ? obemu_frame_single(f) : f;
    uint64_t index = 0, ts = 0, sys = 0;
    if (src && src->rf) {
        index = obemu_frame_index(src);
        ts = ts_out(obemu_frame_device_ts(src));
        sys = ts_out(obemu_frame_host_ts(src));
    }
    if (f->is_set && src)
        f->global_ts_us = src->global_ts_us;
    f->own_index = index;
    f->own_ts_us = ts;
    f->own_sys_ts_us = sys;
    f->own_info = true;
}

/* ------------------------------------------------------------------------------------------ */
/* Extras: copying, freeing                                                                   */

/* Whether the SDK's object of that frame is a VideoFrame (pixel type, bit size apply). */
static bool is_video(const ob_frame *f)
{
    if (f->is_set)
        return false;
    ob_frame_type t = obemu_frame_type(f);
    return t != OB_FRAME_POINTS && t != OB_FRAME_ACCEL && t != OB_FRAME_GYRO &&
           t != OB_FRAME_LIDAR_POINTS && t != OB_FRAME_SET;
}

void obemu_frame_copy_extra(ob_frame *dst, const ob_frame *src)
{
    if (dst == src)
        return;
    /* the profile's owner device goes where the profile goes (made frames); copy_info keeps
     * the destination's */
    dst->info_dev = src->info_dev;
    dst->info_no = src->info_no;
    dst->token = src->token;
    if (src->meta_size && (dst->meta || (dst->meta = malloc(OBEMU_META_MAX)))) {
        memcpy(dst->meta, src->meta, src->meta_size);
        dst->meta_size = src->meta_size;
    } else {
        dst->meta_size = 0;
    }
    if (is_video(src) && is_video(dst)) {
        dst->pixel_type_set = src->pixel_type_set;
        dst->pixel_type = src->pixel_type;
        dst->bit_size = src->bit_size;
    }
    if (!src->is_set && !dst->is_set && obemu_frame_type(src) == OB_FRAME_DEPTH &&
        obemu_frame_type(dst) == OB_FRAME_DEPTH) {
        dst->scale_set = src->scale_set;
        dst->value_scale = src->value_scale;
    }
}

void obemu_frame_free_extra(ob_frame *f)
{
    free(f->meta);
    free(f->profile);
    if (f->ext_buf) {
        uint8_t *buf = f->rf->data;
        f->rf->data = NULL; /* the user's: not freed with the rig frame */
        f->rf->data_size = 0;
        if (f->buf_cb)
            f->buf_cb(buf, f->buf_ctx);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Creating frames                                                                            */

/* The SDK's bytes per pixel of a format (times 8: Y10 is 10 bits); 0 for one it has none of. */
static uint32_t bits_per_pixel(ob_format format)
{
    switch (format) {
    case OB_FORMAT_Y8:
    case OB_FORMAT_BA81: return 8;
    case OB_FORMAT_Y10: return 10;
    case OB_FORMAT_Y11: return 11;
    case OB_FORMAT_Y12:
    case OB_FORMAT_NV12:
    case OB_FORMAT_YV12:
    case OB_FORMAT_NV21:
    case OB_FORMAT_I420: return 12;
    case OB_FORMAT_Y14: return 14;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Y12C4:
    case OB_FORMAT_Z16:
    case OB_FORMAT_YUYV:
    case OB_FORMAT_UYVY:
    case OB_FORMAT_BYR2:
    case OB_FORMAT_RW16: return 16;
    case OB_FORMAT_RGB:
    case OB_FORMAT_BGR: return 24;
    case OB_FORMAT_RGBA:
    case OB_FORMAT_BGRA: return 32;
    case OB_FORMAT_POINT: return 96;
    case OB_FORMAT_RGB_POINT: return 192;
    default: return 0;
    }
}

/* The SDK's default row size (compressed formats: one byte a pixel, RLE / RVL two). */
static uint32_t default_stride(ob_format format, uint32_t width)
{
    switch (format) {
    case OB_FORMAT_MJPG:
    case OB_FORMAT_H264:
    case OB_FORMAT_H265:
    case OB_FORMAT_HEVC: return width;
    case OB_FORMAT_RLE:
    case OB_FORMAT_RVL: return width * 2;
    default: return (uint32_t)(((uint64_t)width * bits_per_pixel(format) + 7) / 8);
    }
}

/* The SDK's buffer for a video frame of that profile. */
static size_t max_data_size(ob_format format, uint32_t width, uint32_t height)
{
    switch (format) {
    case OB_FORMAT_MJPG:
    case OB_FORMAT_RLE:
    case OB_FORMAT_RVL: return (size_t)width * height * 2;
    case OB_FORMAT_H264:
    case OB_FORMAT_H265:
    case OB_FORMAT_HEVC: return (size_t)width * height;
    default: return (size_t)height * default_stride(format, width);
    }
}

/* The frame types the emulator makes frames of (the SDK's video frames and points); IMU and LiDAR
 * frames are not supported (no such sensors). False with *error set. */
static bool makeable(ob_frame_type type, ob_error **error, const char *function)
{
    switch (type) {
    case OB_FRAME_VIDEO:
    case OB_FRAME_IR:
    case OB_FRAME_COLOR:
    case OB_FRAME_DEPTH:
    case OB_FRAME_IR_LEFT:
    case OB_FRAME_IR_RIGHT:
    case OB_FRAME_CONFIDENCE:
    case OB_FRAME_COLOR_LEFT:
    case OB_FRAME_COLOR_RIGHT:
    case OB_FRAME_POINTS: return true;
    case OB_FRAME_ACCEL:
    case OB_FRAME_GYRO:
    case OB_FRAME_LIDAR_POINTS:
    case OB_FRAME_RAW_PHASE:
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame_type",
                   "frames of type %d are not supported by the rigsync emulator (it has no "
                   "such sensor)",
                   (int)type);
        return false;
    default: {
        char args[32];
        snprintf(args, sizeof(args), "frame_type = %d", (int)type);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
                   "invalid frame type %d", (int)type);
        return false;
    }
    }
}

static ob_frame *made(ob_frame *f, ob_error **error, const char *function)
{
    if (!f)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "", "out of memory");
    return f;
}

OBEMU_EXPORT ob_frame *ob_create_frame(ob_frame_type frame_type, ob_format format,
                                       uint32_t data_size, ob_error **error)
{
    if (!makeable(frame_type, error, __func__))
        return NULL;
    ob_frame *f = made(obemu_frame_make(NULL, frame_type, format, 0, 0, data_size), error,
                       __func__);
    if (f)
        f->plain = true; /* a stream profile of type and format only, as the SDK's */
    return f;
}

static ob_frame_type frame_type_of_stream(ob_stream_type t)
{
    switch (t) {
    case OB_STREAM_VIDEO: return OB_FRAME_VIDEO;
    case OB_STREAM_IR: return OB_FRAME_IR;
    case OB_STREAM_COLOR: return OB_FRAME_COLOR;
    case OB_STREAM_DEPTH: return OB_FRAME_DEPTH;
    case OB_STREAM_IR_LEFT: return OB_FRAME_IR_LEFT;
    case OB_STREAM_IR_RIGHT: return OB_FRAME_IR_RIGHT;
    case OB_STREAM_CONFIDENCE: return OB_FRAME_CONFIDENCE;
    case OB_STREAM_COLOR_LEFT: return OB_FRAME_COLOR_LEFT;
    case OB_STREAM_COLOR_RIGHT: return OB_FRAME_COLOR_RIGHT;
    case OB_STREAM_ACCEL: return OB_FRAME_ACCEL;
    case OB_STREAM_GYRO: return OB_FRAME_GYRO;
    case OB_STREAM_LIDAR: return OB_FRAME_LIDAR_POINTS;
    case OB_STREAM_RAW_PHASE: return OB_FRAME_RAW_PHASE;
    default: return OB_FRAME_UNKNOWN;
    }
}

OBEMU_EXPORT ob_frame *ob_create_frame_from_stream_profile(const ob_stream_profile *stream_profile,
                                                           ob_error **error)
{
    if (!stream_profile) {
        FAIL_NULL(error, "stream_profile");
        return NULL;
    }
    const ob_stream_profile *sp = stream_profile;
    ob_frame_type type = frame_type_of_stream(sp->type);
    if (!makeable(type, error, __func__))
        return NULL;
    if (!sp->video) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "stream_profile",
                   "frames of a non-video stream profile are not supported by the rigsync "
                   "emulator");
        return NULL;
    }
    ob_frame *f = made(obemu_frame_make(NULL, type, sp->format, sp->width, sp->height,
                                        max_data_size(sp->format, sp->width, sp->height)),
                       error, __func__);
    if (!f)
        return NULL;
    f->fps = sp->fps;
    f->profile = malloc(sizeof(*f->profile));
    if (!f->profile) {
        obemu_frame_release(f);
        return made(NULL, error, __func__);
    }
    *f->profile = *sp;
    return f;
}

/* A copy of one single frame: same profile; its data copied or (copy false) a buffer of the
 * profile's size; its info copied (the SDK's copyInfoFromOther). */
static ob_frame *clone_single(const ob_frame *src, bool copy)
{
    const rig_frame_t *rf = src->rf;
    size_t size = rf->data_size;
    if (!copy && !src->plain) {
        size_t max = max_data_size(obemu_frame_format(src), rf->width, rf->height);
        size = max > size ? max : size;
    }
    ob_frame *f = obemu_frame_make(src, obemu_frame_type(src), obemu_frame_format(src),
                                   rf->width, rf->height, size);
    if (!f)
        return NULL;
    if (copy && size && rf->data)
        memcpy(f->rf->data, rf->data, size);
    f->format = src->format;
    f->plain = src->plain;
    f->points_scale = src->points_scale;
    if (src->own_info) {
        f->own_info = true;
        f->own_index = src->own_index;
        f->own_ts_us = src->own_ts_us;
        f->own_sys_ts_us = src->own_sys_ts_us;
    }
    if (src->profile) {
        f->profile = malloc(sizeof(*f->profile));
        if (!f->profile) {
            obemu_frame_release(f);
            return NULL;
        }
        *f->profile = *src->profile;
    }
    return f;
}

OBEMU_EXPORT ob_frame *ob_create_frame_from_other_frame(const ob_frame *other_frame,
                                                        bool should_copy_data, ob_error **error)
{
    if (!other_frame) {
        FAIL_NULL(error, "other_frame");
        return NULL;
    }
    if (!other_frame->is_set)
        return made(clone_single(other_frame, should_copy_data), error, __func__);
    /* A frameset: a new set of copies of its frames, or of the same frames (shared) */
    ob_frame *set = obemu_new_frameset();
    if (!set)
        return made(NULL, error, __func__);
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++) {
        const ob_frame *m = other_frame->members[s];
        if (!m)
            continue;
        ob_frame *c = should_copy_data ? clone_single(m, true) : obemu_frame_retain(m);
        if (!c) {
            obemu_frame_release(set);
            return made(NULL, error, __func__);
        }
        obemu_frameset_put(set, c);
    }
    return set;
}

/* A video frame around the user's buffer; the callback returns it once the last reference goes
 * (the frame never frees or writes it but through ob_frame_update_data). */
static ob_frame *wrap_buffer(ob_frame_type type, ob_format format, uint32_t width,
                             uint32_t height, uint8_t *buffer, uint32_t buffer_size,
                             ob_frame_destroy_callback *cb, void *ctx, ob_error **error,
                             const char *function)
{
    if (type == OB_FRAME_POINTS) { /* the SDK makes user-buffer frames of video types only */
        char args[32];
        snprintf(args, sizeof(args), "frame_type = %d", (int)type);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
                   "invalid frame type %d for a frame of a user buffer", (int)type);
        return NULL;
    }
    if (!makeable(type, error, function))
        return NULL;
    if (!buffer && buffer_size) {
        FAIL_NULL(error, "buffer");
        return NULL;
    }
    ob_frame *f = made(obemu_frame_make(NULL, type, format, width, height, 0), error, function);
    if (!f)
        return NULL;
    f->rf->data = buffer;
    f->rf->data_size = buffer_size;
    f->ext_buf = true;
    f->buf_cb = cb;
    f->buf_ctx = ctx;
    return f;
}

OBEMU_EXPORT ob_frame *ob_create_frame_from_buffer(ob_frame_type frame_type, ob_format format,
                                                   uint8_t *buffer, uint32_t buffer_size,
                                                   ob_frame_destroy_callback *buffer_destroy_cb,
                                                   void *buffer_destroy_context, ob_error **error)
{
    return wrap_buffer(frame_type, format, 0, 0, buffer, buffer_size, buffer_destroy_cb,
                       buffer_destroy_context, error, __func__);
}

OBEMU_EXPORT ob_frame *ob_create_video_frame_from_buffer(
    ob_frame_type frame_type, ob_format format, uint32_t width, uint32_t height,
    uint32_t stride_bytes, uint8_t *buffer, uint32_t buffer_size,
    ob_frame_destroy_callback *buffer_destroy_cb, void *buffer_destroy_context, ob_error **error)
{
    (void)stride_bytes; /* the SDK keeps it for the frame's stride, which no getter reads */
    return wrap_buffer(frame_type, format, width, height, buffer, buffer_size, buffer_destroy_cb,
                       buffer_destroy_context, error, __func__);
}

OBEMU_EXPORT void ob_frame_copy_info(const ob_frame *src_frame, ob_frame *dst_frame,
                                     ob_error **error)
{
    if (!src_frame || !dst_frame) {
        FAIL_NULL(error, src_frame ? "dst_frame" : "src_frame");
        return;
    }
    if (src_frame == dst_frame)
        return;
    const ob_frame *src = src_frame->own_info || !src_frame->is_set
                              ? src_frame
                              : obemu_frame_single(src_frame);
    uint64_t index = 0, ts = 0, sys = 0, global = 0;
    if (src && (src->own_info || src->rf)) {
        index = obemu_frame_index(src);
        ts = ts_out(obemu_frame_device_ts(src));
        sys = ts_out(obemu_frame_host_ts(src));
        global = src->global_ts_us;
    }
    dst_frame->own_info = true;
    dst_frame->own_index = index;
    dst_frame->own_ts_us = ts;
    dst_frame->own_sys_ts_us = sys;
    dst_frame->global_ts_us = global;
    if (src)
        obemu_frame_copy_extra(dst_frame, src);
}

/* ------------------------------------------------------------------------------------------ */
/* Setters                                                                                    */

OBEMU_EXPORT void ob_frame_set_timestamp_us(ob_frame *frame, uint64_t timestamp_us,
                                            ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    own_info(frame);
    frame->own_ts_us = timestamp_us;
}

OBEMU_EXPORT void ob_frame_set_system_timestamp_us(ob_frame *frame, uint64_t system_timestamp_us,
                                                   ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    own_info(frame);
    frame->own_sys_ts_us = system_timestamp_us;
}

/* The data buffer a frame has (its size when made; the user's buffer size). */
static size_t data_cap(ob_frame *f)
{
    if (!f->data_cap)
        f->data_cap = f->rf->data_size;
    return f->data_cap;
}

OBEMU_EXPORT void ob_frame_update_data(ob_frame *frame, const uint8_t *data, uint32_t data_size,
                                       ob_error **error)
{
    if (!frame || !data) {
        FAIL_NULL(error, frame ? "data" : "frame");
        return;
    }
    if (frame->is_set) { /* a frameset's data are its frames: not the user's to write */
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frame",
                   "the data of a frameset cannot be updated");
        return;
    }
    size_t cap = data_cap(frame);
    if (data_size > cap) {
        char args[48];
        snprintf(args, sizeof(args), "data_size = %u", data_size);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args,
                   "update data size (%u) is larger than the frame's data buffer (%zu)",
                   data_size, cap);
        return;
    }
    if (data_size)
        memmove(frame->rf->data, data, data_size);
    frame->rf->data_size = data_size;
}

OBEMU_EXPORT void ob_frame_update_metadata(ob_frame *frame, const uint8_t *metadata,
                                           uint32_t metadata_size, ob_error **error)
{
    if (!frame || !metadata) {
        FAIL_NULL(error, frame ? "metadata" : "frame");
        return;
    }
    if (metadata_size > OBEMU_META_MAX) {
        char args[48];
        snprintf(args, sizeof(args), "metadata_size = %u", metadata_size);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args,
                   "metadata size %u is too large (at most %d bytes)", metadata_size,
                   OBEMU_META_MAX);
        return;
    }
    if (!frame->meta && !(frame->meta = malloc(OBEMU_META_MAX))) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return;
    }
    memmove(frame->meta, metadata, metadata_size);
    frame->meta_size = metadata_size;
}

OBEMU_EXPORT void ob_frame_set_stream_profile(ob_frame *frame,
                                              const ob_stream_profile *stream_profile,
                                              ob_error **error)
{
    if (!frame || !stream_profile) {
        FAIL_NULL(error, frame ? "stream_profile" : "frame");
        return;
    }
    if (!frame->profile && !(frame->profile = malloc(sizeof(*frame->profile)))) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return;
    }
    *frame->profile = *stream_profile;
    if (frame->made && !frame->is_set && stream_profile->video) {
        /* the frame's size and format follow its profile, as the SDK's (its own rig frame) */
        frame->rf->width = stream_profile->width;
        frame->rf->height = stream_profile->height;
        frame->made_format = stream_profile->format;
        frame->format = stream_profile->format;
        frame->fps = stream_profile->fps;
    }
}

OBEMU_EXPORT uint64_t ob_frame_get_token(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return 0;
    }
    return frame->token;
}

OBEMU_EXPORT void ob_frame_set_token(ob_frame *frame, uint64_t token, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    frame->token = token;
}

/* The SDK's VideoFrame accessors: a frameset or a points frame is not one. */
static ob_frame *video(const ob_frame *frame, ob_error **error, const char *function)
{
    if (!frame) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frame = NULL",
                   "frame is NULL");
        return NULL;
    }
    if (!is_video(frame)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "frame",
                   "the frame is not a video frame");
        return NULL;
    }
    return (ob_frame *)frame;
}

OBEMU_EXPORT ob_pixel_type ob_video_frame_get_pixel_type(const ob_frame *frame, ob_error **error)
{
    const ob_frame *f = video(frame, error, __func__);
    if (!f)
        return OB_PIXEL_UNKNOWN;
    if (f->pixel_type_set)
        return f->pixel_type;
    /* the SDK's depth frames are depth pixels; every other frame unknown until set */
    return obemu_frame_type(f) == OB_FRAME_DEPTH ? OB_PIXEL_DEPTH : OB_PIXEL_UNKNOWN;
}

OBEMU_EXPORT void ob_video_frame_set_pixel_type(ob_frame *frame, ob_pixel_type pixel_type,
                                                ob_error **error)
{
    ob_frame *f = video(frame, error, __func__);
    if (!f)
        return;
    f->pixel_type_set = true;
    f->pixel_type = pixel_type;
}

/* Unset, the SDK reports the format's whole bits per pixel (Y16 depth and IR: 16, RGB: 24,
 * Y8: 8); a format without a fixed size (MJPG, ...) is its INVALID_PARAM error. */
OBEMU_EXPORT uint8_t ob_video_frame_get_pixel_available_bit_size(const ob_frame *frame,
                                                                 ob_error **error)
{
    const ob_frame *f = video(frame, error, __func__);
    if (!f)
        return 0;
    if (f->bit_size)
        return f->bit_size;
    ob_format format = f->profile ? f->profile->format : obemu_frame_format(f);
    uint32_t bits = bits_per_pixel(format);
    if (bits == 0) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "frame",
                   "format %d has no fixed number of bytes per pixel", (int)format);
        return 0;
    }
    return (uint8_t)bits;
}

OBEMU_EXPORT void ob_video_frame_set_pixel_available_bit_size(ob_frame *frame, uint8_t bit_size,
                                                              ob_error **error)
{
    ob_frame *f = video(frame, error, __func__);
    if (f)
        f->bit_size = bit_size;
}

OBEMU_EXPORT void ob_depth_frame_set_value_scale(ob_frame *frame, float value_scale,
                                                 ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return;
    }
    if (frame->is_set || obemu_frame_type(frame) != OB_FRAME_DEPTH) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "frame",
                   "the frame is not a depth frame");
        return;
    }
    frame->scale_set = true;
    frame->value_scale = value_scale;
}

/* ------------------------------------------------------------------------------------------ */
/* Sensor, device, device info                                                                */

/* The frame's device with one more reference; NULL with the SDK's error when the frame has none
 * (INVALID_PARAM: a frame the user made) or its device was released (WRONG_API_CALL_SEQUENCE). */
static ob_device *frame_device(const ob_frame *frame, ob_error **error, const char *function)
{
    if (!frame) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frame = NULL",
                   "frame is NULL");
        return NULL;
    }
    const ob_frame *f = frame->is_set ? obemu_frame_single(frame) : frame;
    if (!f || !f->dev) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "frame",
                   "the frame has no owner sensor");
        return NULL;
    }
    ob_device *d = obemu_device_lookup(f->dev, f->dev_no);
    if (!d)
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, function, "frame",
                   "the device of the frame has been released");
    return d;
}

OBEMU_EXPORT ob_device *ob_frame_get_device(const ob_frame *frame, ob_error **error)
{
    return frame_device(frame, error, __func__);
}

OBEMU_EXPORT ob_sensor *ob_frame_get_sensor(const ob_frame *frame, ob_error **error)
{
    ob_device *d = frame_device(frame, error, __func__);
    if (!d)
        return NULL;
    const ob_frame *f = frame->is_set ? obemu_frame_single(frame) : frame;
    ob_sensor *s = calloc(1, sizeof(*s));
    if (!s) {
        obemu_device_release(d);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    s->dev = d; /* the sensor holds the device reference taken above */
    s->type = obemu_sensor_type_of(obemu_frame_stream(f));
    return s;
}

/* The device's info while a handle of the device is live (the SDK's frame keeps the info
 * itself; the emulator's frame only its device: NULL once the device was released); NULL
 * without error for a frame the user made, as the SDK's. */
OBEMU_EXPORT ob_device_info *ob_frame_get_device_info(const ob_frame *frame, ob_error **error)
{
    if (!frame) {
        FAIL_NULL(error, "frame");
        return NULL;
    }
    const ob_frame *f = frame->is_set ? obemu_frame_single(frame) : frame;
    if (!f || !f->info_dev)
        return NULL;
    ob_device *d = obemu_device_lookup(f->info_dev, f->info_no);
    if (!d)
        return NULL;
    ob_device_info *info = ob_device_get_device_info(d, error);
    obemu_device_release(d);
    return info;
}

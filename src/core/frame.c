/* Reference-counted frames and their accessors. */
#include <stdlib.h>

#include "core/core.h"

rig_frame_t *rig_frame_alloc(size_t data_size)
{
    rig_frame_t *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    if (data_size > 0) {
        f->data = malloc(data_size);
        if (!f->data) {
            free(f);
            return NULL;
        }
        f->data_size = data_size;
    }
    atomic_init(&f->refs, 1);
    f->device_ts_us = RIG_TS_NONE;
    f->host_ts_us = RIG_TS_NONE;
    f->global_ts_us = RIG_TS_NONE;
    f->global_bound_us = INT64_MAX;
    f->vendor_global_ts_us = RIG_TS_NONE;
    f->recorded_wall_us = RIG_TS_NONE;
    f->arrival_us = RIG_TS_NONE;
    return f;
}

void rig_frame_retain(rig_frame_t *frame)
{
    if (frame)
        atomic_fetch_add_explicit(&frame->refs, 1, memory_order_relaxed);
}

void rig_frame_release(rig_frame_t *frame)
{
    if (!frame)
        return;
    if (atomic_fetch_sub_explicit(&frame->refs, 1, memory_order_acq_rel) == 1) {
        free(frame->data);
        free(frame);
    }
}

size_t rig_frame_device_index(const rig_frame_t *f) { return f ? f->device_index : 0; }
const char *rig_frame_serial(const rig_frame_t *f) { return f ? f->serial : ""; }
rig_stream_t rig_frame_stream(const rig_frame_t *f) { return f ? f->stream : RIG_STREAM_COLOR; }
uint64_t rig_frame_index(const rig_frame_t *f) { return f ? f->index : 0; }
int64_t rig_frame_device_ts_us(const rig_frame_t *f) { return f ? f->device_ts_us : RIG_TS_NONE; }
int64_t rig_frame_host_ts_us(const rig_frame_t *f) { return f ? f->host_ts_us : RIG_TS_NONE; }
int64_t rig_frame_global_ts_us(const rig_frame_t *f) { return f ? f->global_ts_us : RIG_TS_NONE; }
int64_t rig_frame_vendor_global_ts_us(const rig_frame_t *f)
{
    return f ? f->vendor_global_ts_us : RIG_TS_NONE;
}
int64_t rig_frame_global_ts_bound_us(const rig_frame_t *f)
{
    return f ? f->global_bound_us : INT64_MAX;
}
uint32_t rig_frame_width(const rig_frame_t *f) { return f ? f->width : 0; }
uint32_t rig_frame_height(const rig_frame_t *f) { return f ? f->height : 0; }
rig_format_t rig_frame_format(const rig_frame_t *f) { return f ? f->format : RIG_FORMAT_NONE; }
const uint8_t *rig_frame_data(const rig_frame_t *f) { return f ? f->data : NULL; }
size_t rig_frame_data_size(const rig_frame_t *f) { return f ? f->data_size : 0; }
bool rig_frame_interfered(const rig_frame_t *f) { return f && f->interfered; }

/* Feeding the timeline (report/timeline.h): the report's side. */
#ifndef RIGSYNC_REPORT_TIMELINE_INTERNAL_H
#define RIGSYNC_REPORT_TIMELINE_INTERNAL_H

#include "report/timeline.h"

/* NULL when out of memory or for no devices / a width under 1 ms. */
rig_timeline_t *rig_timeline_create(size_t device_count, int64_t bucket_us);
void rig_timeline_destroy(rig_timeline_t *t);

/* Each returns false only when out of memory. */
bool rig_timeline_frame(rig_timeline_t *t, size_t device, rig_stream_t stream,
                        uint64_t frame_index, int64_t host_ts_us, bool interfered);
/* Counted at the host time of that stream's last frame. */
bool rig_timeline_unmatched(rig_timeline_t *t, size_t device, rig_stream_t stream);
/* A transport stall of the report's, ended by the arrival at host_ts_us. */
bool rig_timeline_stall(rig_timeline_t *t, size_t device, int64_t host_ts_us);
/* Slot arrays [device * RIG_STREAM_COUNT + stream]; expected: each slot's configured delay. */
bool rig_timeline_capture(rig_timeline_t *t, const int64_t *global_ts_us,
                          const int64_t *expected_us);
bool rig_timeline_clock(rig_timeline_t *t, size_t device, int64_t host_ts_us,
                        int64_t device_ts_us, int64_t global_ts_us, double skew_ppm,
                        unsigned epochs);
bool rig_timeline_clock_write(rig_timeline_t *t, size_t device, int64_t host_ts_us);

void rig_timeline_view(const rig_timeline_t *t, int64_t origin_us, rig_timeline_view_t *out);

#endif

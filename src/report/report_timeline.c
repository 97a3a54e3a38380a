/* The report's timeline (report/timeline.h): switched on, fed with clock samples, read. */
#include "report/report_internal.h"

rig_error_t rig_report_enable_timeline(rig_report_t *r, int64_t bucket_us)
{
    if (!r || bucket_us < 1000)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (r->timeline)
        return RIG_ERROR_STATE;
    r->timeline = rig_timeline_create(r->ndev, bucket_us);
    return r->timeline ? RIG_OK : RIG_ERROR_NO_MEMORY;
}

rig_error_t rig_report_add_clock(rig_report_t *r, size_t device, int64_t host_ts_us,
                                 int64_t device_ts_us, int64_t global_ts_us, double skew_ppm,
                                 unsigned epochs)
{
    if (!r || device >= r->ndev)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (r->timeline && !rig_timeline_clock(r->timeline, device, host_ts_us, device_ts_us,
                                           global_ts_us, skew_ppm, epochs))
        return RIG_ERROR_NO_MEMORY;
    return RIG_OK;
}

rig_error_t rig_report_add_clock_event(rig_report_t *r, const rig_clock_event_t *ev)
{
    if (!r || !ev)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (ev->device_index >= r->ndev)
        return RIG_OK; /* a device this report does not follow */
    if (r->timeline && ev->kind == RIG_CLOCK_EVENT_WRITE &&
        !rig_timeline_clock_write(r->timeline, ev->device_index, ev->host_before_us))
        return RIG_ERROR_NO_MEMORY;
    return RIG_OK;
}

rig_error_t rig_report_timeline(const rig_report_t *r, rig_timeline_view_t *out)
{
    if (!r || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!r->timeline)
        return RIG_ERROR_STATE;
    int64_t origin = r->origin_us;
    if (origin == RIG_TS_NONE) {
        /* the first frame's host time, as the summary's */
        origin = INT64_MAX;
        for (size_t i = 0; i < r->ndev * RIG_STREAM_COUNT; i++)
            if (r->series[i].timed && r->series[i].first_us < origin)
                origin = r->series[i].first_us;
        if (origin == INT64_MAX)
            origin = 0;
    }
    rig_timeline_view(r->timeline, origin, out);
    return RIG_OK;
}

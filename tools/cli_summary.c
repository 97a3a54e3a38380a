/* The summary of a run as rigsync run prints it (run, and the report page's header). */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "config/config_internal.h"

void cli_print_summary(FILE *out, const rig_config_t *cfg, const rig_report_summary_t *sum)
{
    fprintf(out, "\n== rigsync summary: %.1f s of frames, %zu devices ==\n", sum->duration_s,
           sum->device_count);
    for (size_t i = 0; i < sum->device_count; i++) {
        const rig_report_device_t *d = &sum->devices[i];
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, i, &sync);
        fprintf(out, "device#%zu %s %-10s", i, rig_config_device_serial(cfg, i),
               rig_sync_mode_name(sync.mode));
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const rig_report_stream_t *st = &d->stream[s];
            fprintf(out, " | %s: %" PRIu64 " frames, ", rig_stream_name((rig_stream_t)s), st->frames);
            if (st->fps > 0 || st->frames == 0)
                fprintf(out, "%.2f fps", st->fps);
            else
                fprintf(out, "fps n/a");
            if (sum->wall_known)
                fprintf(out, " (%.2f fps wall clock)", st->wall_fps);
            fprintf(out, ", %" PRIu64 " dropped", st->drops);
            if (st->interfered)
                fprintf(out, ", %" PRIu64 " interfered", st->interfered);
            if (st->stalls)
                fprintf(out, ", %" PRIu64 " stalls (longest %.1f ms)", st->stalls,
                       (double)st->stall_longest_us / 1000.0);
            if (st->unmatched)
                fprintf(out, ", %" PRIu64 " in no frameset", st->unmatched);
        }
        if (d->period_known)
            fprintf(out, " | capture rate %.4f Hz (host clock)", d->capture_hz);
        fprintf(out, "\n");
    }
    for (size_t p = 0; p < sum->pair_count; p++) {
        const rig_report_pair_t *pr = &sum->pairs[p];
        fprintf(out, "pair device#%zu-device#%zu: ", pr->a, pr->b);
        if (pr->device.matched)
            fprintf(out, "%" PRIu64 " frames matched to the same capture; device timestamp spread "
                   "median %" PRId64 " us, p99 %" PRId64 " us, max %" PRId64 " us",
                   pr->device.matched, pr->device.median_us, pr->device.p99_us,
                   pr->device.max_us);
        else
            fprintf(out, "no frames from the same capture");
        if (pr->global.matched)
            fprintf(out, "; global timestamp spread median %" PRId64 " us, p99 %" PRId64
                   " us, max %" PRId64 " us",
                   pr->global.median_us, pr->global.p99_us, pr->global.max_us);
        if (pr->drift_known)
            fprintf(out, "; capture drift %+.1f us/s", pr->drift_us_per_s);
        fprintf(out, "\n");
    }
    if (sum->wall_known)
        fprintf(out, "host lag: %.1f s of frames delivered in %.1f s of wall time; worst lag %.3f s, "
               "%" PRIu64 " frames more than 100 ms behind\n",
               sum->wall_host_span_s, sum->wall_span_s, (double)sum->host_lag_max_us / 1e6,
               sum->lagging_frames);
    if (sum->event_count || sum->events_dropped)
        fprintf(out, "events: %zu%s\n", sum->event_count + (size_t)sum->events_dropped,
               sum->events_dropped ? " (the oldest listed; the rest only counted)" : "");
    for (size_t i = 0; i < sum->event_count; i++) {
        const rig_report_event_t *e = &sum->events[i];
        fprintf(out, "event at %.3f s: ", ((double)e->host_ts_us - (double)sum->origin_us) / 1e6);
        if (e->device >= 0 && (size_t)e->device < sum->device_count)
            fprintf(out, "device#%ld %s ", e->device, rig_config_device_serial(cfg, (size_t)e->device));
        else
            fprintf(out, "rig ");
        fprintf(out, "%s: %s\n", e->what, e->detail);
    }
    fprintf(out, "VERDICT: %s\n", sum->verdict_text);
}

/* What several rigsync commands share about a running rig (run, record, report, view): starting
 * the streams in the right order, and feeding the report from the context's callbacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"

int cli_start_streams(cli_rig_t *rig)
{
    size_t n = rig->device_count;
    size_t *order = calloc(n, sizeof(*order));
    rig_sync_config_t *syncs = calloc(n, sizeof(*syncs));
    int rc = CLI_OK;
    if (!order || !syncs) {
        fprintf(stderr, "rigsync: out of memory\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        rig_config_device_sync(rig->config, i, &syncs[i]);
    /* Secondaries first, primary last: otherwise the first pulses find secondaries not yet
     * armed and the first frames misalign. */
    rig_mode_start_order(syncs, n, order);
    rig_stream_profile_t color = rig_config_stream_profile(rig->config, RIG_STREAM_COLOR);
    rig_stream_profile_t depth = rig_config_stream_profile(rig->config, RIG_STREAM_DEPTH);
    /* Without a "streams" section each camera starts with its model's own default profile. */
    const rig_stream_profile_t *pc = rig->config->streams_given[RIG_STREAM_COLOR] ? &color : NULL;
    const rig_stream_profile_t *pd = rig->config->streams_given[RIG_STREAM_DEPTH] ? &depth : NULL;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        rig_error_t err = rig_device_start(rig->devices[i], pc, pd);
        if (err != RIG_OK) {
            char detail[1024];
            cli_print_device_location(stderr, rig->config, i, RIG_CONFIG_PART_DEVICE);
            fprintf(stderr, "cannot start streams: %s\n",
                    cli_last_error(rig->ctx, detail, sizeof(detail)));
            rc = err == RIG_ERROR_UNSUPPORTED ? CLI_USAGE : CLI_RUNTIME;
            goto out;
        }
    }
out:
    free(order);
    free(syncs);
    return rc;
}

rig_error_t cli_feed_frame(rig_report_t *report, rig_frame_t *f, int64_t wall_us)
{
    rig_error_t err = rig_report_add(report, rig_frame_device_index(f), rig_frame_stream(f),
                                     rig_frame_index(f), rig_frame_host_ts_us(f),
                                     rig_frame_global_ts_us(f), rig_frame_interfered(f));
    if (err == RIG_OK && wall_us != RIG_TS_NONE)
        rig_report_add_wall(report, rig_frame_device_index(f), rig_frame_stream(f),
                            rig_frame_host_ts_us(f), wall_us);
    return err;
}

rig_error_t cli_feed_set(rig_report_t *report, const rig_frameset_t *set, size_t ndev,
                         int64_t *dts, int64_t *gts)
{
    for (size_t d = 0; d < ndev; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            dts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_device_ts_us(f) : RIG_TS_NONE;
            gts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_global_ts_us(f) : RIG_TS_NONE;
        }
    return rig_report_add_capture(report, dts, gts);
}

rig_error_t cli_feed_device_event(rig_report_t *report, const rig_device_event_t *ev,
                                  size_t ndev)
{
    rig_report_event_t re;
    memset(&re, 0, sizeof(re));
    re.host_ts_us = ev->host_ts_us;
    re.device = ev->device_index < ndev ? (long)ev->device_index : -1;
    rig_strlcpy(re.what, rig_device_event_name(ev->kind), sizeof(re.what));
    rig_strlcpy(re.detail, ev->detail, sizeof(re.detail));
    return rig_report_add_event(report, &re);
}

int cli_rig_opts_check(const char *command, cli_rig_opts_t *rig, bool backend_set)
{
    if (rig->replay_path) {
        /* A replay runs the recorded rig with the recorded config. */
        if (rig->config_path) {
            fprintf(stderr, "rigsync %s: --config cannot go with --replay: a replay runs with "
                            "the config it was recorded with (the file's rigsync.config); drop "
                            "--config\n",
                    command);
            return CLI_USAGE;
        }
        if (backend_set && strcmp(rig->backend, "replay") != 0) {
            fprintf(stderr, "rigsync %s: --backend %s cannot go with --replay (a replay is its "
                            "own backend); drop --backend\n",
                    command, rig->backend);
            return CLI_USAGE;
        }
        rig->backend = "replay";
    } else if (backend_set && strcmp(rig->backend, "replay") == 0) {
        fprintf(stderr, "rigsync %s: --backend replay needs the recording: give --replay "
                        "FILE.mcap\n",
                command);
        return CLI_USAGE;
    }
    if (rig->virtual_time && strcmp(rig->backend, "orbbec") == 0) {
        fprintf(stderr, "rigsync %s: --virtual-time applies to --backend sim and --replay only "
                        "(real cameras run in real time)\n",
                command);
        return CLI_USAGE;
    }
    return CLI_OK;
}

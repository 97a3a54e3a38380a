/*
 * rigsync record, and run --record: the recorder (src/record) fed from run's callbacks, the rig
 * and the resolved config as metadata at the start, the summary and verdict at the close.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "core/core.h"
#include "record/record_meta.h"
#include "record/recorder.h"

static void on_clock_event(const rig_clock_event_t *ev, void *user)
{
    rig_recorder_clock_event(user, ev);
}

int cli_record_open(const char *path, const cli_rig_opts_t *opts, const cli_rig_t *rig,
                    rig_recorder_t **out)
{
    const rig_config_t *cfg = rig->config;
    size_t n = rig_config_device_count(cfg);
    const char **serials = calloc(n + 1, sizeof(char *));
    if (!serials) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    for (size_t i = 0; i < n; i++)
        serials[i] = rig_config_device_serial(cfg, i);
    rig_recorder_options_t ro;
    memset(&ro, 0, sizeof(ro));
    ro.compression = RIG_MCAP_COMPRESSION_ZSTD;
    ro.zstd_level = 1; /* fast: the writer must keep up with the rig */
    /* Virtual time loses nothing by waiting: a full queue waits instead of dropping, so the
     * recording holds every frame (a replay can then reproduce the run). */
    ro.block_when_full = opts->virtual_time;
    char msg[256];
    rig_error_t e = rig_recorder_open(path, &ro, serials, n, out, msg, sizeof msg);
    free(serials);
    if (e != RIG_OK) {
        fprintf(stderr, "rigsync: cannot record to %s: %s; give a writable file.\n", path, msg);
        return CLI_RUNTIME;
    }
    /* The resolved config: what each device was set to; then the rig: what each device is. */
    rig_meta_t *m = rig_meta_begin(*out, "rigsync.config");
    if (!m) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    rig_meta_source_t src = {.backend = opts->backend,
                             .virtual_time = opts->virtual_time,
                             .pixels = opts->pixels,
                             .seed_set = opts->seed_set,
                             .seed = opts->seed};
    rig_meta_config(m, cfg, &src);
    rig_meta_next(m, "rigsync.rig");
    rig_meta_add(m, "device_count", "%zu", n);
    for (size_t i = 0; i < rig->device_count; i++) {
        rig_device_info_t info;
        bool known = rig->devices[i] && rig_device_get_info(rig->devices[i], &info) == RIG_OK;
        rig_meta_device(m, i, known ? &info : NULL, rig_config_device_serial(cfg, i));
    }
    rig_meta_end(m);
    rig_context_set_clock_event_callback(rig->ctx, on_clock_event, *out);
    return CLI_OK;
}

void cli_record_summary(rig_recorder_t *r, const rig_report_summary_t *sum)
{
    char msg[256];
    rig_recorder_stop(r, msg, sizeof msg); /* every frame written (or counted) first */
    rig_recorder_stats_t st;
    rig_recorder_get_stats(r, &st);
    rig_meta_t *k = rig_meta_begin(r, "rigsync.summary");
    if (!k)
        return;
    if (sum) {
        rig_meta_add(k, "verdict", "%s", sum->verdict_text);
        rig_meta_add(k, "duration_s", "%.3f", sum->duration_s);
        for (size_t i = 0; i < sum->device_count; i++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                const rig_report_stream_t *rs = &sum->devices[i].stream[s];
                char key[64];
                rig_fmt(key, sizeof key, "devices[%zu].%s", i, rig_stream_name((rig_stream_t)s));
                rig_meta_add(k, key,
                             "frames %" PRIu64 " dropped %" PRIu64 " interfered %" PRIu64
                             " in_no_frameset %" PRIu64 " fps %.3f",
                             rs->frames, rs->drops, rs->interfered, rs->unmatched, rs->fps);
            }
    }
    rig_meta_recorder_stats(k, &st);
    rig_meta_end(k);
}

void cli_record_run(rig_recorder_t *r, const cli_rig_t *rig, int64_t t0_us)
{
    rig_meta_t *k = rig_meta_begin(r, "rigsync.run");
    if (!k)
        return;
    rig_meta_add(k, "t0_us", "%" PRId64, t0_us);
    for (size_t i = 0; i < rig->device_count; i++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_stream_profile_t p;
            bool floor_known = false;
            int64_t floor_us = 0, unc_us = 0;
            if (!rig->devices[i] ||
                rig_device_stream_facts(rig->devices[i], (rig_stream_t)s, &p, &floor_known,
                                        &floor_us, &unc_us) != RIG_OK ||
                p.width == 0)
                continue; /* not started (absent): its model's defaults when it arrives */
            char key[64], floor[64] = "none";
            if (floor_known)
                rig_fmt(floor, sizeof floor, "%" PRId64 " %" PRId64, floor_us, unc_us);
            rig_fmt(key, sizeof key, "devices[%zu].%s", i, rig_stream_name((rig_stream_t)s));
            rig_meta_add(k, key, "%ux%u@%u %s floor %s", p.width, p.height, p.fps,
                         rig_format_name(p.format), floor);
        }
    rig_meta_end(k);
}

void cli_record_faults(rig_recorder_t *r, const rig_report_event_t *ev, size_t n)
{
    rig_meta_t *k = rig_meta_begin(r, "rigsync.sim_faults");
    if (!k)
        return;
    rig_meta_add(k, "count", "%zu", n);
    for (size_t i = 0; i < n; i++) {
        char key[64];
        rig_fmt(key, sizeof key, "fault[%zu]", i);
        rig_meta_add(k, key, "%" PRId64 "\t%ld\t%s\t%s", ev[i].host_ts_us, ev[i].device,
                     ev[i].what, ev[i].detail);
    }
    rig_meta_end(k);
}

int cli_record_close(rig_recorder_t *r, const char *path)
{
    if (!r)
        return CLI_OK;
    rig_recorder_stats_t st;
    rig_recorder_stop(r, NULL, 0);
    rig_recorder_get_stats(r, &st);
    char msg[512];
    rig_error_t e = rig_recorder_close(r, msg, sizeof msg);
    if (e != RIG_OK) {
        fprintf(stderr, "rigsync: writing the recording failed: %s. Free space or record to "
                        "another disk.\n", msg);
        return CLI_RUNTIME;
    }
    printf("rigsync: recorded %s: %" PRIu64 " frames (%" PRIu64 " with pixels), %" PRIu64
           " framesets, %" PRIu64 " clock events; recorder drops: %" PRIu64 " frames, %" PRIu64
           " framesets, %" PRIu64 " clock events\n",
           path, st.frames_written, st.images_written, st.framesets_written,
           st.clock_events_written, st.dropped_frames, st.dropped_framesets,
           st.dropped_clock_events);
    fflush(stdout);
    return CLI_OK;
}

/* rigsync record [run's options] -o FILE.mcap: run --record FILE.mcap --quiet. */
int cli_record(int argc, char **argv)
{
    char **args = calloc((size_t)argc + 4, sizeof(char *));
    if (!args) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    int n = 0;
    const char *out = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rigsync record: %s needs a value (the .mcap file to write)\n",
                        argv[i]);
                free(args);
                return CLI_USAGE;
            }
            out = argv[++i];
        } else {
            args[n++] = argv[i];
        }
    }
    if (!out) {
        fprintf(stderr, "rigsync record: give the file to write with -o FILE.mcap\n");
        free(args);
        return CLI_USAGE;
    }
    args[n++] = (char *)"--record";
    args[n++] = (char *)out;
    args[n++] = (char *)"--quiet";
    int rc = cli_run(n, args);
    free(args);
    return rc;
}

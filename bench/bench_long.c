/*
 * bench_long: memory over a long run. 64 devices (1 PRIMARY + 63 SECONDARY, daisy chain, color
 * + depth at 30 fps, default noise, pixels off) for 8 virtual hours, framesets on, every frame,
 * set and unmatched frame fed to the run report as `rigsync run` feeds it. Prints the process's
 * peak RSS (VmHWM) and current RSS (VmRSS, /proc/self/status) at 1, 2, 4 and 8 virtual hours.
 * Target: peak under 64 MB and flat after the first hour.
 *
 * usage: bench_long [--hours H] (default 8; checkpoints past H are not printed)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daisy_rig.h"
#include "report/report.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define NDEV 64

typedef struct feed {
    rig_report_t *report;
    int64_t dts[NDEV * RIG_STREAM_COUNT], gts[NDEV * RIG_STREAM_COUNT];
    uint64_t frames, sets, unmatched;
    bool failed;
} feed_t;

static void on_frame(rig_frame_t *f, void *user)
{
    feed_t *fd = user;
    fd->frames++;
    if (rig_report_add(fd->report, rig_frame_device_index(f), rig_frame_stream(f),
                       rig_frame_index(f), rig_frame_host_ts_us(f),
                       rig_frame_global_ts_us(f), rig_frame_interfered(f)) != RIG_OK)
        fd->failed = true;
}

static void on_set(rig_frameset_t *set, void *user)
{
    feed_t *fd = user;
    fd->sets++;
    size_t nd = rig_frameset_device_count(set);
    for (size_t d = 0; d < NDEV; d++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = d < nd ? rig_frameset_frame(set, d, (rig_stream_t)s) : NULL;
            fd->dts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_device_ts_us(f) : RIG_TS_NONE;
            fd->gts[d * RIG_STREAM_COUNT + (size_t)s] = f ? rig_frame_global_ts_us(f) : RIG_TS_NONE;
        }
    if (rig_report_add_capture(fd->report, fd->dts, fd->gts) != RIG_OK)
        fd->failed = true;
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    feed_t *fd = user;
    fd->unmatched++;
    rig_report_add_unmatched(fd->report, rig_frame_device_index(f), rig_frame_stream(f), reason);
}

/* VmHWM and VmRSS of this process, in MB. */
static void rss_mb(double *hwm, double *rss)
{
    *hwm = *rss = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        unsigned long kb;
        if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
            *hwm = (double)kb / 1024.0;
        else if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
            *rss = (double)kb / 1024.0;
    }
    fclose(f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double hours = 8;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc) {
            hours = atof(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_long [--hours H]\n");
            return 2;
        }
    }
    if (!(hours > 0 && hours <= 8760)) {
        fprintf(stderr, "bench_long: --hours wants a number above 0, at most 8760\n");
        return 2;
    }
    rig_config_t *cfg = bench_daisy_rig(NDEV, "LONG", "bench_long");
    if (!cfg)
        return 1;
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.config = cfg;
    o.time_mode = RIG_TIME_VIRTUAL;
    o.pixels = false;
    rig_context_t *ctx;
    if (rig_context_create(&o, &ctx) != RIG_OK)
        return 1;
    static feed_t fd;
    fd.report = rig_report_create(cfg);
    rig_device_t *dev[NDEV];
    for (size_t i = 0; i < NDEV; i++) {
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        if (!fd.report || rig_device_open(ctx, rig_config_device_serial(cfg, i), &dev[i]) != RIG_OK ||
            rig_device_set_sync_config(dev[i], &s, NULL) != RIG_OK) {
            fprintf(stderr, "bench_long: cannot set up device %zu\n", i);
            return 1;
        }
    }
    rig_context_set_frame_callback(ctx, on_frame, &fd);
    rig_context_set_frameset_callback(ctx, on_set, &fd);
    rig_context_set_unmatched_callback(ctx, on_unmatched, &fd);
    for (size_t i = NDEV; i-- > 0;) /* secondaries first, the primary last */
        rig_device_start(dev[i], NULL, NULL);
    if (rig_context_enable_framesets(ctx, NULL) != RIG_OK ||
        rig_context_enable_clock_sync(ctx, 60000) != RIG_OK) {
        fprintf(stderr, "bench_long: cannot enable framesets or clock sync\n");
        return 1;
    }
    printf("bench_long: %d devices (PRIMARY + SECONDARY daisy chain), color + depth at 30 fps, "
           "pixels off, default noise, virtual time, framesets on, report fed as by rigsync run; "
           "%.3g virtual hours\n\n",
           NDEV, hours);
    printf("%8s %16s %14s %14s %12s %10s\n", "hour", "frames", "peak RSS MB", "RSS MB",
           "unmatched", "wall s");
    static const double marks[] = {1, 2, 4, 8};
    double hwm_at[4] = {0, 0, 0, 0};
    double t0 = now_s();
    int64_t done_us = 0;
    int64_t total_us = (int64_t)(hours * 3600e6);
    size_t mark = 0;
    while (done_us < total_us && !fd.failed) {
        int64_t step = total_us - done_us < 10000000 ? total_us - done_us : 10000000;
        if (rig_sim_advance_us(ctx, step) != RIG_OK) {
            fprintf(stderr, "bench_long: the simulation failed\n");
            return 1;
        }
        done_us += step;
        while (mark < 4 && (double)done_us >= marks[mark] * 3600e6) {
            double hwm, rss;
            rss_mb(&hwm, &rss);
            hwm_at[mark] = hwm;
            printf("%8.0f %16" PRIu64 " %14.1f %14.1f %12" PRIu64 " %10.1f\n", marks[mark],
                   fd.frames, hwm, rss, fd.unmatched, now_s() - t0);
            fflush(stdout);
            mark++;
        }
    }
    if (fd.failed) {
        fprintf(stderr, "bench_long: out of memory feeding the report\n");
        return 1;
    }
    for (size_t i = 0; i < NDEV; i++)
        rig_device_stop(dev[i]);
    rig_context_flush_framesets(ctx);
    rig_report_summary_t sum;
    if (rig_report_summarize(fd.report, &sum) != RIG_OK)
        return 1;
    double hwm, rss;
    rss_mb(&hwm, &rss);
    double wall = now_s() - t0;
    printf("\nafter the summary: peak RSS %.1f MB, RSS %.1f MB; %" PRIu64 " frames, %" PRIu64
           " sets, %" PRIu64 " unmatched in %.1f s of wall time (%.0f frames/s)\n",
           hwm, rss, fd.frames, fd.sets, fd.unmatched, wall, (double)fd.frames / wall);
    printf("verdict: %.160s%s\n", sum.verdict_text, strlen(sum.verdict_text) > 160 ? "..." : "");
    printf("(no peer: nothing else runs this workload; the report before issue 13 kept every "
           "frame and is not run here)\n");
    printf("RESULT rss_1h_mb=%.1f rss_2h_mb=%.1f rss_4h_mb=%.1f rss_8h_mb=%.1f frames=%" PRIu64
           " wall_s=%.1f\n",
           hwm_at[0], hwm_at[1], hwm_at[2], hwm_at[3], fd.frames, wall);
    rig_report_summary_free(&sum);
    rig_context_destroy(ctx);
    rig_report_destroy(fd.report);
    rig_config_destroy(cfg);
    return 0;
}

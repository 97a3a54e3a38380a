/*
 * rigsync run: the seed's four steps (apply configs, start streams, sync clocks, print frames)
 * followed by a summary that says, with numbers, whether the rig is synchronized.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/util.h"
#include "mode/mode.h"
#include "report/report.h"
#include "rigsync/sim.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

typedef struct run_opts {
    cli_rig_opts_t rig;
    double seconds;
    bool interval_set;
    uint64_t interval_ms;
    bool quiet;
    bool global; /* append the global timestamp to each frame line */
} run_opts_t;

static int parse_args(int argc, char **argv, run_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->rig.backend = "sim";
    o->rig.pixels = true;
    o->seconds = 10.0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--config") == 0 || strcmp(a, "--seconds") == 0 ||
                           strcmp(a, "--clock-sync-interval-ms") == 0 ||
                           strcmp(a, "--seed") == 0 || strcmp(a, "--backend") == 0;
        if (takes_value && !v) {
            fprintf(stderr, "rigsync run: %s needs a value\n", a);
            return CLI_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            o->rig.config_path = v;
        } else if (strcmp(a, "--backend") == 0) {
            o->rig.backend = v;
        } else if (strcmp(a, "--seconds") == 0) {
            if (!parse_double(v, &o->seconds) || o->seconds <= 0) {
                fprintf(stderr, "rigsync run: --seconds wants a positive number, got \"%s\"\n", v);
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--clock-sync-interval-ms") == 0) {
            if (!parse_u64(v, &o->interval_ms)) {
                fprintf(stderr,
                        "rigsync run: --clock-sync-interval-ms wants a whole number of ms >= 0 "
                        "(0 = sync once), got \"%s\"\n",
                        v);
                return CLI_USAGE;
            }
            o->interval_set = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &o->rig.seed)) {
                fprintf(stderr, "rigsync run: --seed wants a whole number >= 0, got \"%s\"\n", v);
                return CLI_USAGE;
            }
            o->rig.seed_set = true;
        } else if (strcmp(a, "--virtual-time") == 0) {
            o->rig.virtual_time = true;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--global") == 0) {
            o->global = true;
        } else if (strcmp(a, "--no-pixels") == 0) {
            o->rig.pixels = false;
        } else {
            fprintf(stderr,
                    "rigsync run: unknown option \"%s\"; see rigsync --help for the options\n", a);
            return CLI_USAGE;
        }
        if (takes_value)
            i++;
    }
    return CLI_OK;
}

static void print_summary(const cli_rig_t *rig, const rig_report_summary_t *sum)
{
    const rig_config_t *cfg = rig->config;
    printf("\n== rigsync summary: %.1f s of frames, %zu devices ==\n", sum->duration_s,
           sum->device_count);
    for (size_t i = 0; i < sum->device_count; i++) {
        const rig_report_device_t *d = &sum->devices[i];
        rig_sync_config_t sync;
        rig_config_device_sync(cfg, i, &sync);
        printf("device#%zu %s %-10s", i, rig_config_device_serial(cfg, i),
               rig_sync_mode_name(sync.mode));
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            printf(" | %s: %" PRIu64 " frames, %.2f fps, %" PRIu64 " dropped",
                   rig_stream_name((rig_stream_t)s), d->stream[s].frames, d->stream[s].fps,
                   d->stream[s].drops);
        if (d->period_known)
            printf(" | capture rate %.4f Hz (host clock)", d->capture_hz);
        printf("\n");
    }
    for (size_t p = 0; p < sum->pair_count; p++) {
        const rig_report_pair_t *pr = &sum->pairs[p];
        printf("pair device#%zu-device#%zu: ", pr->a, pr->b);
        if (pr->device.matched)
            printf("%" PRIu64 " frames matched to the same capture; device timestamp spread "
                   "median %" PRId64 " us, p99 %" PRId64 " us, max %" PRId64 " us",
                   pr->device.matched, pr->device.median_us, pr->device.p99_us,
                   pr->device.max_us);
        else
            printf("no frames from the same capture");
        if (pr->global.matched)
            printf("; global timestamp spread median %" PRId64 " us, p99 %" PRId64
                   " us, max %" PRId64 " us",
                   pr->global.median_us, pr->global.p99_us, pr->global.max_us);
        if (pr->drift_known)
            printf("; capture drift %+.1f us/s", pr->drift_us_per_s);
        printf("\n");
    }
    printf("VERDICT: %s\n", sum->verdict_text);
}

static void print_frame(const rig_frame_t *f, bool global)
{
    /* Exactly the seed's line; --global appends rigsync's time line. */
    printf("device#%zu, %s frame timestamp: %" PRId64 " us , system timestamp: %" PRId64 " us",
           rig_frame_device_index(f), rig_stream_name(rig_frame_stream(f)),
           rig_frame_device_ts_us(f), rig_frame_host_ts_us(f));
    if (global) {
        int64_t g = rig_frame_global_ts_us(f);
        if (g == RIG_TS_NONE)
            printf(" , global timestamp: none");
        else
            printf(" , global timestamp: %" PRId64 " us", g);
    }
    putchar('\n');
}

static int start_streams(cli_rig_t *rig)
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
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        rig_error_t err = rig_device_start(rig->devices[i], &color, &depth);
        if (err != RIG_OK) {
            char detail[1024];
            cli_print_device_location(stderr, rig->config, i, RIG_CONFIG_PART_DEVICE);
            fprintf(stderr, "cannot start streams: %s\n",
                    rig_context_last_error(rig->ctx, detail, sizeof(detail)));
            rc = err == RIG_ERROR_UNSUPPORTED ? CLI_USAGE : CLI_RUNTIME;
            goto out;
        }
    }
out:
    free(order);
    free(syncs);
    return rc;
}

int cli_run(int argc, char **argv)
{
    /* First of all, so that Ctrl-C at any point ends the run with its summary. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    run_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    rig_config_t *cfg = NULL;
    rc = cli_load_config(o.rig.config_path, &cfg);
    if (rc != CLI_OK)
        return rc;
    cli_rig_t rig;
    rig_report_t *report = NULL;
    rc = cli_rig_open(&o.rig, cfg, stdout, &rig);
    if (rc != CLI_OK)
        goto out;
    report = rig_report_create(cfg);
    if (!report) {
        fprintf(stderr, "rigsync: out of memory\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    rc = start_streams(&rig);
    if (rc != CLI_OK)
        goto out;
    uint64_t interval = o.interval_set ? o.interval_ms : rig_config_clock_sync_interval_ms(cfg);
    rig_error_t err = rig_context_enable_clock_sync(rig.ctx, interval);
    if (err != RIG_OK) {
        char detail[1024];
        fprintf(stderr, "rigsync: cannot enable clock sync: %s\n",
                rig_context_last_error(rig.ctx, detail, sizeof(detail)));
        rc = CLI_RUNTIME;
        goto out;
    }
    printf("rigsync: streaming for %.1f s; host clock sync every %llu ms%s\n", o.seconds,
           (unsigned long long)interval, interval ? "" : " (once)");
    fflush(stdout);

    int64_t end_us;
    int64_t now_us = 0;
    if (o.rig.virtual_time)
        rig_sim_now_us(rig.ctx, &now_us);
    else
        now_us = rig_monotonic_us();
    end_us = now_us + (int64_t)llround(o.seconds * 1e6);
    while (!interrupted && now_us < end_us) {
        uint32_t wait_ms = (uint32_t)RIG_MIN((end_us - now_us + 999) / 1000, 100);
        rig_frame_t *f = NULL;
        err = rig_context_wait_frame(rig.ctx, wait_ms, &f);
        if (err == RIG_OK) {
            if (!o.quiet)
                print_frame(f, o.global);
            if (rig_report_add(report, rig_frame_device_index(f), rig_frame_stream(f),
                               rig_frame_index(f), rig_frame_device_ts_us(f),
                               rig_frame_host_ts_us(f), rig_frame_global_ts_us(f)) != RIG_OK) {
                fprintf(stderr, "rigsync: out of memory recording frames\n");
                rig_frame_release(f);
                rc = CLI_RUNTIME;
                goto out;
            }
            rig_frame_release(f);
        } else if (err != RIG_ERROR_TIMEOUT) {
            char detail[1024];
            fprintf(stderr, "rigsync: %s: %s\n", rig_strerror(err),
                    rig_context_last_error(rig.ctx, detail, sizeof(detail)));
            rc = CLI_RUNTIME;
            goto out;
        }
        if (o.rig.virtual_time)
            rig_sim_now_us(rig.ctx, &now_us);
        else
            now_us = rig_monotonic_us();
    }
    for (size_t i = 0; i < rig.device_count; i++)
        rig_device_stop(rig.devices[i]);
    if (interrupted)
        printf("rigsync: interrupted\n");
    uint64_t qdrops = rig_context_queue_drops(rig.ctx);
    if (qdrops)
        printf("rigsync: %" PRIu64 " frames were dropped because this program read them too "
               "slowly\n",
               qdrops);

    rig_report_summary_t sum;
    if (rig_report_summarize(report, &sum) != RIG_OK) {
        fprintf(stderr, "rigsync: out of memory computing the summary\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    print_summary(&rig, &sum);
    rc = sum.verdict == RIG_VERDICT_NOT_SYNCHRONIZED ? CLI_RUNTIME : CLI_OK;
    rig_report_summary_free(&sum);
out:
    fflush(stdout);
    rig_report_destroy(report);
    cli_rig_close(&rig);
    rig_config_destroy(cfg);
    return rc;
}

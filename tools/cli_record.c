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
#include "record/recorder.h"

/* Key/value pairs of a metadata record; values as long as they are (never cut: the config's
 * text, the verdict). A record holds up to 64 pairs: more go on in another record of the same
 * name (large rigs). */
typedef struct {
    rig_mcap_kv_t kv[64];
    char key[64][64];
    char *value[64];
    size_t n;
    rig_recorder_t *r;
    const char *name;
} kvs_t;

static void kv_clear(kvs_t *k);

static void kv_begin(kvs_t *k, rig_recorder_t *r, const char *name)
{
    kv_clear(k);
    k->r = r;
    k->name = name;
}

/* Queues the pairs so far as one record. */
static void kv_end(kvs_t *k)
{
    rig_recorder_add_metadata(k->r, k->name, k->kv, k->n);
    kv_begin(k, k->r, k->name);
}

__attribute__((format(printf, 3, 4))) static void kv_add(kvs_t *k, const char *key,
                                                         const char *fmt, ...)
{
    if (k->n >= RIG_ARRAY_SIZE(k->kv))
        kv_end(k);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *v = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (v)
        vsnprintf(v, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    if (!v)
        return; /* out of memory: the pair is left out */
    rig_strlcpy(k->key[k->n], key, sizeof(k->key[0]));
    k->value[k->n] = v;
    k->kv[k->n].key = k->key[k->n];
    k->kv[k->n].value = v;
    k->n++;
}

static void kv_clear(kvs_t *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->value[i]);
    memset(k, 0, sizeof(*k));
}

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
    /* The resolved config: what each device was set to. */
    kvs_t *k = calloc(1, sizeof(*k));
    if (!k) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    kv_begin(k, *out, "rigsync.config");
    kv_add(k, "source", "%s", rig_config_source(cfg));
    if (cfg->text) /* the whole config, for rigsync run --replay */
        kv_add(k, "json", "%s", cfg->text);
    kv_add(k, "backend", "%s", opts->backend);
    kv_add(k, "time", "%s", opts->virtual_time ? "virtual" : "real");
    kv_add(k, "pixels", "%s", opts->pixels ? "true" : "false");
    if (opts->seed_set)
        kv_add(k, "seed", "%" PRIu64, opts->seed);
    kv_add(k, "clock_sync_interval_ms", "%" PRIu64, rig_config_clock_sync_interval_ms(cfg));
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        rig_stream_profile_t p = rig_config_stream_profile(cfg, (rig_stream_t)s);
        char key[64];
        rig_fmt(key, sizeof key, "streams.%s", rig_stream_name((rig_stream_t)s));
        kv_add(k, key, "%ux%u@%u %s", p.width, p.height, p.fps, rig_format_name(p.format));
    }
    for (size_t i = 0; i < n; i++) {
        rig_sync_config_t sc;
        rig_config_device_sync(cfg, i, &sc);
        char key[64];
        rig_fmt(key, sizeof key, "devices[%zu]", i);
        kv_add(k, key,
               "serial %s mode %s depth_delay_us %" PRId32 " color_delay_us %" PRId32
               " trigger_to_image_delay_us %" PRId32 " trigger_out_enable %s "
               "trigger_out_delay_us %" PRId32 " frames_per_trigger %" PRId32,
               rig_config_device_serial(cfg, i), rig_sync_mode_name(sc.mode),
               sc.depth_delay_us, sc.color_delay_us, sc.trigger_to_image_delay_us,
               sc.trigger_out_enable ? "true" : "false", sc.trigger_out_delay_us,
               sc.frames_per_trigger);
    }
    kv_end(k);
    /* The rig: what each device is. */
    kv_begin(k, *out, "rigsync.rig");
    kv_add(k, "device_count", "%zu", n);
    for (size_t i = 0; i < rig->device_count; i++) {
        rig_device_info_t info;
        char key[64];
        rig_fmt(key, sizeof key, "devices[%zu]", i);
        if (rig->devices[i] && rig_device_get_info(rig->devices[i], &info) == RIG_OK)
            kv_add(k, key, "serial %s model %s timestamp_bits %" PRIu32 " modes 0x%02" PRIX32,
                   info.serial, info.model, info.timestamp_bits, info.supported_modes);
        else
            kv_add(k, key, "serial %s (not present at the start)",
                   rig_config_device_serial(cfg, i));
    }
    kv_end(k);
    free(k);
    rig_context_set_clock_event_callback(rig->ctx, on_clock_event, *out);
    return CLI_OK;
}

void cli_record_summary(rig_recorder_t *r, const rig_report_summary_t *sum)
{
    char msg[256];
    rig_recorder_stop(r, msg, sizeof msg); /* every frame written (or counted) first */
    rig_recorder_stats_t st;
    rig_recorder_get_stats(r, &st);
    kvs_t *k = calloc(1, sizeof(*k));
    if (!k)
        return;
    kv_begin(k, r, "rigsync.summary");
    if (sum) {
        kv_add(k, "verdict", "%s", sum->verdict_text);
        kv_add(k, "duration_s", "%.3f", sum->duration_s);
        for (size_t i = 0; i < sum->device_count; i++)
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                const rig_report_stream_t *rs = &sum->devices[i].stream[s];
                char key[64];
                rig_fmt(key, sizeof key, "devices[%zu].%s", i, rig_stream_name((rig_stream_t)s));
                kv_add(k, key,
                       "frames %" PRIu64 " dropped %" PRIu64 " interfered %" PRIu64
                       " in_no_frameset %" PRIu64 " fps %.3f",
                       rs->frames, rs->drops, rs->interfered, rs->unmatched, rs->fps);
            }
    }
    kv_add(k, "recorder.frames_written", "%" PRIu64, st.frames_written);
    kv_add(k, "recorder.images_written", "%" PRIu64, st.images_written);
    kv_add(k, "recorder.framesets_written", "%" PRIu64, st.framesets_written);
    kv_add(k, "recorder.clock_events_written", "%" PRIu64, st.clock_events_written);
    kv_add(k, "recorder.dropped_frames", "%" PRIu64, st.dropped_frames);
    kv_add(k, "recorder.dropped_framesets", "%" PRIu64, st.dropped_framesets);
    kv_add(k, "recorder.dropped_clock_events", "%" PRIu64, st.dropped_clock_events);
    kv_add(k, "recorder.device_events_written", "%" PRIu64, st.device_events_written);
    kv_add(k, "recorder.dropped_device_events", "%" PRIu64, st.dropped_device_events);
    kv_end(k);
    free(k);
}

void cli_record_run(rig_recorder_t *r, const cli_rig_t *rig, int64_t t0_us)
{
    kvs_t *k = calloc(1, sizeof(*k));
    if (!k)
        return;
    kv_begin(k, r, "rigsync.run");
    kv_add(k, "t0_us", "%" PRId64, t0_us);
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
            kv_add(k, key, "%ux%u@%u %s floor %s", p.width, p.height, p.fps,
                   rig_format_name(p.format), floor);
        }
    kv_end(k);
    free(k);
}

void cli_record_faults(rig_recorder_t *r, const rig_report_event_t *ev, size_t n)
{
    kvs_t *k = calloc(1, sizeof(*k));
    if (!k)
        return;
    kv_begin(k, r, "rigsync.sim_faults");
    kv_add(k, "count", "%zu", n);
    for (size_t i = 0; i < n; i++) {
        char key[64];
        rig_fmt(key, sizeof key, "fault[%zu]", i);
        kv_add(k, key, "%" PRId64 "\t%ld\t%s\t%s", ev[i].host_ts_us, ev[i].device, ev[i].what,
               ev[i].detail);
    }
    kv_end(k);
    free(k);
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

/*
 * rigsync run: the seed's four steps (apply configs, start streams, sync clocks, print frames)
 * followed by a summary that says, with numbers, whether the rig is synchronized.
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_hosts.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "config/ranges.h"
#include "mode/mode.h"
#include "report/report.h"
#include "rigsync/replay.h"
#include "rigsync/sim.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) { interrupted = sig; }

/* A number option, strictly parsed against its row of the range table (config/ranges.h). */
static bool parse_number(rig_range_id_t id, const char *option, const char *text, uint64_t *u,
                         double *d)
{
    char msg[512];
    if (rig_range_parse_arg(rig_range_get(id), option, text, u, d, msg, sizeof msg))
        return true;
    fprintf(stderr, "rigsync run: %s\n", msg);
    return false;
}

typedef struct run_opts {
    cli_rig_opts_t rig;
    double seconds;
    bool seconds_set;
    bool backend_set;
    bool interval_set;
    uint64_t interval_ms;
    bool quiet;
    bool global; /* append the global timestamp to each frame line */
    bool sets;   /* one line per frameset instead of one per frame */
    const char *csv_path;
    const char *record_path; /* --record FILE.mcap */
    const char *report_path; /* --report-out FILE: the report page (tools/cli_report.c) */
    double trigger_hz; /* software triggers per second to SOFTWARE_TRIGGERING devices */
    const char *hosts_path; /* --hosts FILE: the aggregator of a rig over several hosts */
} run_opts_t;

/* What the delivery thread shares with main: guarded by `lock`. */
typedef struct run_state {
    pthread_mutex_t lock;
    const run_opts_t *o;
    const rig_config_t *cfg;
    size_t ndev;
    rig_report_t *report;
    FILE *csv;
    rig_recorder_t *rec; /* --record */
    cli_clock_feed_t clocks; /* --report-out: each device's last frame, for clock samples */
    bool failed;
    uint64_t unmatched[RIG_UNMATCHED_REASON_COUNT];
    int64_t *dts, *gts; /* per slot scratch for the report */
    int64_t t0_us;      /* host clock at the start of streaming: event times count from it */
    bool *appeared;     /* per device: present at the start, or arrived since */
    rig_context_t *ctx; /* --hosts: for why a host's slots are empty */
} run_state_t;

static int parse_args(int argc, char **argv, run_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->rig.backend = "sim";
    o->rig.pixels = true;
    o->rig.wait_absent = true; /* a device absent at the start joins when it appears */
    o->seconds = 10.0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--config") == 0 || strcmp(a, "--seconds") == 0 ||
                           strcmp(a, "--clock-sync-interval-ms") == 0 ||
                           strcmp(a, "--seed") == 0 || strcmp(a, "--backend") == 0 ||
                           strcmp(a, "--csv") == 0 || strcmp(a, "--trigger-hz") == 0 ||
                           strcmp(a, "--record") == 0 || strcmp(a, "--replay") == 0 ||
                           strcmp(a, "--orbbec-lib") == 0 || strcmp(a, "--report-out") == 0 ||
                           strcmp(a, "--hosts") == 0;
        if (takes_value && !v) {
            fprintf(stderr, "rigsync run: %s needs a value\n", a);
            return CLI_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            o->rig.config_path = v;
        } else if (strcmp(a, "--backend") == 0) {
            o->rig.backend = v;
            o->backend_set = true;
        } else if (strcmp(a, "--hosts") == 0) {
            o->hosts_path = v;
        } else if (strcmp(a, "--replay") == 0) {
            o->rig.replay_path = v;
        } else if (strcmp(a, "--orbbec-lib") == 0) {
            o->rig.library = v;
        } else if (strcmp(a, "--seconds") == 0) {
            if (!parse_number(RIG_RANGE_CLI_SECONDS, a, v, NULL, &o->seconds))
                return CLI_USAGE;
            o->seconds_set = true;
        } else if (strcmp(a, "--clock-sync-interval-ms") == 0) {
            if (!parse_number(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, a, v, &o->interval_ms, NULL))
                return CLI_USAGE;
            o->interval_set = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_number(RIG_RANGE_CLI_SEED, a, v, &o->rig.seed, NULL))
                return CLI_USAGE;
            o->rig.seed_set = true;
        } else if (strcmp(a, "--virtual-time") == 0) {
            o->rig.virtual_time = true;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--global") == 0) {
            o->global = true;
        } else if (strcmp(a, "--sets") == 0) {
            o->sets = true;
        } else if (strcmp(a, "--csv") == 0) {
            o->csv_path = v;
        } else if (strcmp(a, "--record") == 0) {
            o->record_path = v;
        } else if (strcmp(a, "--report-out") == 0) {
            if (cli_report_check_path("run", v) != CLI_OK)
                return CLI_USAGE;
            o->report_path = v;
        } else if (strcmp(a, "--trigger-hz") == 0) {
            if (!parse_number(RIG_RANGE_CLI_TRIGGER_HZ, a, v, NULL, &o->trigger_hz))
                return CLI_USAGE;
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
    if (o->hosts_path) {
        const char *other = o->rig.virtual_time ? "--virtual-time"
                            : o->rig.replay_path ? "--replay"
                            : o->rig.config_path ? "--config"
                            : o->backend_set     ? "--backend"
                            : o->trigger_hz > 0  ? "--trigger-hz"
                                                 : NULL;
        if (other) {
            fprintf(stderr, "rigsync run: %s cannot go with --hosts: the hosts' nodes drive the "
                            "cameras in real time with the hosts file's config; drop %s\n",
                    other, other);
            return CLI_USAGE;
        }
        o->rig.backend = "net";
        return CLI_OK;
    }
    int rc = cli_rig_opts_check("run", &o->rig, o->backend_set);
    if (rc != CLI_OK)
        return rc;
    return CLI_OK;
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

static void print_ts(FILE *out, int64_t t)
{
    if (t == RIG_TS_NONE)
        fputs("-", out);
    else
        fprintf(out, "%" PRId64, t);
}

static void on_frame(rig_frame_t *f, void *user)
{
    run_state_t *rs = user;
    /* Real time: when the frame reached us, for the host lag (virtual time has none); a replay
     * gives the recorded run's. */
    int64_t wall = rs->o->rig.replay_path ? rig_replay_frame_wall_us(f)
                   : rs->o->rig.virtual_time ? RIG_TS_NONE
                                             : rig_monotonic_us();
    pthread_mutex_lock(&rs->lock);
    /* Under the lock: frames delivered by several threads (a camera SDK's) go into the file in
     * the order they are printed. Real time never waits: a full queue counts a drop. */
    if (rs->rec)
        rig_recorder_frame_wall(rs->rec, f, wall);
    if (!rs->o->quiet && !rs->o->sets)
        print_frame(f, rs->o->global);
    if (cli_feed_frame(rs->report, f, wall) != RIG_OK)
        rs->failed = true;
    cli_clock_feed_frame(&rs->clocks, f);
    pthread_mutex_unlock(&rs->lock);
}

/* One line per capture: each device's color and depth (device timestamp and frame index, or why
 * the slot is empty), then the spread on global time. */
static void print_set(const run_state_t *rs, const rig_frameset_t *set)
{
    char why[96];
    printf("set %" PRIu64 " @ %" PRId64 " us:", rig_frameset_seq(set), rig_frameset_time_us(set));
    for (size_t d = 0; d < rs->ndev; d++) {
        printf(" device#%zu", d);
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
            printf(" %s ", rig_stream_name((rig_stream_t)s));
            if (f)
                printf("#%" PRIu64 " %" PRId64, rig_frame_index(f), rig_frame_device_ts_us(f));
            else if (rs->o->rig.hosts && cli_hosts_slot_why(rs->ctx, rs->o->rig.hosts, d, why,
                                                            sizeof why))
                printf("(%s: %s)",
                       rig_slot_status_name(rig_frameset_status(set, d, (rig_stream_t)s)), why);
            else
                printf("(%s)", rig_slot_status_name(rig_frameset_status(set, d, (rig_stream_t)s)));
        }
        printf(d + 1 < rs->ndev ? " |" : "");
    }
    printf(" ; spread %" PRId64 " us\n", rig_frameset_spread_us(set));
}

static void write_csv_header(const run_state_t *rs)
{
    fprintf(rs->csv, "set,time_us,spread_us");
    for (size_t d = 0; d < rs->ndev; d++) {
        fprintf(rs->csv, ",dev%zu_serial", d);
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const char *sn = rig_stream_name((rig_stream_t)s);
            fprintf(rs->csv,
                    ",dev%zu_%s_status,dev%zu_%s_index,dev%zu_%s_device_us,dev%zu_%s_system_us,"
                    "dev%zu_%s_global_us",
                    d, sn, d, sn, d, sn, d, sn, d, sn);
        }
    }
    fputc('\n', rs->csv);
}

static void on_set(rig_frameset_t *set, void *user)
{
    run_state_t *rs = user;
    pthread_mutex_lock(&rs->lock);
    if (rs->rec)
        rig_recorder_frameset(rs->rec, set);
    if (cli_feed_set(rs->report, set, rs->ndev, rs->dts, rs->gts) != RIG_OK)
        rs->failed = true;
    if (rs->o->sets && !rs->o->quiet)
        print_set(rs, set);
    if (rs->csv) {
        fprintf(rs->csv, "%" PRIu64 ",%" PRId64 ",%" PRId64, rig_frameset_seq(set),
                rig_frameset_time_us(set), rig_frameset_spread_us(set));
        for (size_t d = 0; d < rs->ndev; d++) {
            fprintf(rs->csv, ",%s", rig_config_device_serial(rs->cfg, d));
            for (int s = 0; s < RIG_STREAM_COUNT; s++) {
                rig_frame_t *f = rig_frameset_frame(set, d, (rig_stream_t)s);
                fprintf(rs->csv, ",%s,",
                        rig_slot_status_name(rig_frameset_status(set, d, (rig_stream_t)s)));
                if (f)
                    fprintf(rs->csv, "%" PRIu64, rig_frame_index(f));
                fputc(',', rs->csv);
                print_ts(rs->csv, f ? rig_frame_device_ts_us(f) : RIG_TS_NONE);
                fputc(',', rs->csv);
                print_ts(rs->csv, f ? rig_frame_host_ts_us(f) : RIG_TS_NONE);
                fputc(',', rs->csv);
                print_ts(rs->csv, f ? rig_frame_global_ts_us(f) : RIG_TS_NONE);
            }
        }
        fputc('\n', rs->csv);
    }
    pthread_mutex_unlock(&rs->lock);
}

static void on_unmatched(rig_frame_t *f, rig_unmatched_reason_t reason, void *user)
{
    run_state_t *rs = user;
    pthread_mutex_lock(&rs->lock);
    if ((unsigned)reason < RIG_UNMATCHED_REASON_COUNT)
        rs->unmatched[reason]++;
    rig_report_add_unmatched(rs->report, rig_frame_device_index(f), rig_frame_stream(f), reason);
    pthread_mutex_unlock(&rs->lock);
}

/* A device event: one line (even with --quiet: events are rare and matter) and into the
 * report. Serials and details are printed with control characters escaped. */
static void on_device_event(const rig_device_event_t *ev, void *user)
{
    run_state_t *rs = user;
    pthread_mutex_lock(&rs->lock);
    if (rs->rec)
        rig_recorder_device_event(rs->rec, ev);
    double t = (double)(ev->host_ts_us - rs->t0_us) / 1e6;
    if (ev->device_index == RIG_DEVICE_INDEX_NONE)
        printf("EVENT t=%.3f s device#- ", t);
    else
        printf("EVENT t=%.3f s device#%zu ", t, ev->device_index);
    char serial[sizeof(ev->serial) * 4], detail[sizeof(ev->detail) * 4];
    printf("%s %s: %s\n", rig_escape(serial, sizeof(serial), ev->serial),
           rig_device_event_name(ev->kind), rig_escape(detail, sizeof(detail), ev->detail));
    if (ev->kind == RIG_DEVICE_EVENT_ARRIVED && ev->device_index < rs->ndev && rs->appeared)
        rs->appeared[ev->device_index] = true;
    if (rs->report && cli_feed_device_event(rs->report, ev, rs->ndev) != RIG_OK)
        rs->failed = true;
    pthread_mutex_unlock(&rs->lock);
}

/* A clock event: into the recording and the report's timeline (its writes are marked). */
static void on_clock_event(const rig_clock_event_t *ev, void *user)
{
    run_state_t *rs = user;
    pthread_mutex_lock(&rs->lock);
    if (rs->rec)
        rig_recorder_clock_event(rs->rec, ev);
    if (rig_report_add_clock_event(rs->report, ev) != RIG_OK)
        rs->failed = true;
    pthread_mutex_unlock(&rs->lock);
}

/* The simulator's injected faults (ground truth; a replay's from its recording): into the report
 * with their time and effect, so that the summary can list what struck next to what the core
 * saw; and into the recording, so that its replay lists them too. */
static void report_sim_faults(run_state_t *rs, rig_context_t *ctx)
{
    rig_report_event_t *ev = NULL;
    size_t n = cli_injected_faults(ctx, rs->cfg, rs->o->rig.replay_path != NULL, &ev);
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < n; i++)
        if (rig_report_add_event(rs->report, &ev[i]) != RIG_OK)
            rs->failed = true;
    pthread_mutex_unlock(&rs->lock);
    if (rs->rec && n)
        cli_record_faults(rs->rec, ev, n);
    free(ev);
}

int cli_run(int argc, char **argv)
{
    /* First of all, so that Ctrl-C at any point ends the run with its summary. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* the terminal closed: the summary still goes to the log */
    /* A file size limit (ulimit -f) makes writes fail with EFBIG, reported like a full disk,
     * instead of killing the process with the recording unfinished. */
    signal(SIGXFSZ, SIG_IGN);

    run_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    /* The CSV and the recording are opened for writing (truncated): neither may be one of the
     * files read, nor each other. */
    const char *inputs[][2] = {{"--config", o.rig.config_path},
                               {"--orbbec-lib", o.rig.library},
                               {"--csv", o.csv_path},
                               {"--replay", o.rig.replay_path}};
    const char *outputs[][3] = {{"--csv", o.csv_path, "CSV"},
                                {"--record", o.record_path, "recording"},
                                {"--report-out", o.report_path, "report"}};
    for (size_t j = 0; j < RIG_ARRAY_SIZE(outputs); j++)
        for (size_t k = 0; outputs[j][1] && k < RIG_ARRAY_SIZE(inputs); k++) {
            if (strcmp(outputs[j][0], inputs[k][0]) == 0 || !inputs[k][1] ||
                !cli_same_file(outputs[j][1], inputs[k][1]))
                continue;
            fprintf(stderr,
                    "rigsync run: %s %s is the file given to %s (%s); writing the %s would "
                    "overwrite it: give %s another file name.\n",
                    outputs[j][0], outputs[j][1], inputs[k][0], inputs[k][1], outputs[j][2],
                    outputs[j][0]);
            return CLI_USAGE;
        }
    rig_config_t *cfg = NULL;
    rig_hosts_t *hosts = NULL;
    if (o.hosts_path) {
        rc = cli_hosts_load("run", o.hosts_path, &hosts);
        if (rc != CLI_OK)
            return rc;
        rig_config_diag_t d;
        if (rig_config_parse(rig_hosts_rig_config(hosts)->text, o.hosts_path, &cfg, &d) !=
            RIG_OK) {
            fprintf(stderr, "rigsync run: out of memory\n");
            rig_hosts_destroy(hosts);
            return CLI_RUNTIME;
        }
        o.rig.hosts = hosts;
    } else if (o.rig.replay_path) {
        char msg[1024], shown[4096];
        if (rig_replay_load_config(o.rig.replay_path, &cfg, msg, sizeof msg) != RIG_OK) {
            fprintf(stderr, "rigsync run: --replay %s\n", rig_escape(shown, sizeof shown, msg));
            return CLI_USAGE;
        }
        rc = CLI_OK;
    } else {
        rc = cli_load_config(o.rig.config_path, &cfg);
        if (rc != CLI_OK)
            return rc;
    }
    double trigger_hz = o.trigger_hz > 0 ? o.trigger_hz : (double)cfg->auto_trigger_fps;
    size_t nsoft = 0, bad;
    for (size_t i = 0; i < rig_config_device_count(cfg); i++) {
        rig_sync_config_t s;
        rig_config_device_sync(cfg, i, &s);
        nsoft += s.mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING;
    }
    /* Every triggered device, whatever triggers it: software-triggered devices and the
     * hardware-triggered ones their pulses reach. */
    char why[512];
    if (o.trigger_hz > 0 && rig_config_trigger_rate_exceeded(cfg, trigger_hz, "--trigger-hz", &bad,
                                                             why, sizeof why)) {
        cli_print_device_location(stderr, cfg, bad, RIG_CONFIG_PART_MODE);
        fprintf(stderr, "%s\n", why);
        rig_config_destroy(cfg);
        return CLI_USAGE;
    }
    if (o.trigger_hz > 0 && nsoft == 0) {
        fprintf(stderr, "rigsync run: --trigger-hz: no device of %s is SOFTWARE_TRIGGERING; set "
                        "\"mode\": \"SOFTWARE_TRIGGERING\" on the devices to trigger.\n",
                rig_config_source(cfg));
        rig_config_destroy(cfg);
        return CLI_USAGE;
    }
    run_state_t rs;
    memset(&rs, 0, sizeof(rs));
    pthread_mutex_init(&rs.lock, NULL);
    rs.o = &o;
    rs.cfg = cfg;
    rs.ndev = rig_config_device_count(cfg);
    cli_rig_t rig;
    memset(&rig, 0, sizeof(rig));
    rig_report_summary_t sum;
    bool have_sum = false;
    FILE *report_out = NULL;
    bool report_written = false;
    if (o.csv_path) {
        rs.csv = fopen(o.csv_path, "w");
        if (!rs.csv) {
            fprintf(stderr, "rigsync run: cannot write --csv %s: %s\n", o.csv_path,
                    strerror(errno));
            rc = CLI_USAGE;
            goto out;
        }
        write_csv_header(&rs);
    }
    rc = cli_rig_open(&o.rig, cfg, stdout, &rig);
    if (rc != CLI_OK)
        goto out;
    rs.ctx = rig.ctx;
    if (o.record_path) {
        rc = cli_record_open(o.record_path, &o.rig, &rig, &rs.rec);
        if (rc != CLI_OK)
            goto out;
    }
    if (o.report_path) {
        rc = cli_report_open(o.report_path, &report_out);
        if (rc != CLI_OK)
            goto out;
    }
    rs.report = rig_report_create(cfg);
    if (rs.report && o.report_path &&
        (rig_report_enable_timeline(rs.report, 1000000) != RIG_OK ||
         !cli_clock_feed_init(&rs.clocks, rs.ndev))) {
        fprintf(stderr, "rigsync: out of memory\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    rs.dts = calloc(rs.ndev * RIG_STREAM_COUNT + 1, sizeof(int64_t));
    rs.gts = calloc(rs.ndev * RIG_STREAM_COUNT + 1, sizeof(int64_t));
    rs.appeared = calloc(rs.ndev + 1, sizeof(bool));
    if (!rs.report || !rs.dts || !rs.gts || !rs.appeared) {
        fprintf(stderr, "rigsync: out of memory\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    rig_context_set_frame_callback(rig.ctx, on_frame, &rs);
    rig_context_set_frameset_callback(rig.ctx, on_set, &rs);
    rig_context_set_unmatched_callback(rig.ctx, on_unmatched, &rs);
    if (o.report_path) /* replaces the recorder's own: this one feeds both */
        rig_context_set_clock_event_callback(rig.ctx, on_clock_event, &rs);
    for (size_t i = 0; i < rig.device_count; i++)
        rs.appeared[i] = rig_device_present(rig.devices[i]);
    if (o.rig.replay_path)
        rig_replay_origin_us(rig.ctx, &rs.t0_us); /* the recorded run's: the same EVENT times */
    else if (o.rig.virtual_time)
        rig_sim_now_us(rig.ctx, &rs.t0_us);
    else
        rs.t0_us = rig_realtime_us();
    rig_report_set_origin(rs.report, rs.t0_us); /* the summary's event times as the EVENT lines' */
    rig_context_set_device_event_callback(rig.ctx, on_device_event, &rs);
    rc = cli_start_streams(&rig);
    if (rc != CLI_OK)
        goto out;
    if (rs.rec)
        cli_record_run(rs.rec, &rig, rs.t0_us);
    rig_error_t err = rig_context_enable_framesets(rig.ctx, NULL);
    uint64_t interval = o.interval_set ? o.interval_ms : rig_config_clock_sync_interval_ms(cfg);
    if (err == RIG_OK)
        err = rig_context_enable_clock_sync(rig.ctx, interval);
    if (err != RIG_OK) {
        char detail[1024];
        fprintf(stderr, "rigsync: %s\n", cli_last_error(rig.ctx, detail, sizeof(detail)));
        rc = CLI_RUNTIME;
        goto out;
    }
    /* A replay without --seconds plays the whole recording. */
    bool to_end = o.rig.replay_path && !o.seconds_set;
    if (to_end)
        printf("rigsync: replaying %s to its end; host clock sync every %llu ms%s\n",
               o.rig.replay_path, (unsigned long long)interval, interval ? "" : " (once)");
    else
        printf("rigsync: streaming for %.1f s; host clock sync every %llu ms%s\n", o.seconds,
               (unsigned long long)interval, interval ? "" : " (once)");
    if (trigger_hz > 0 && nsoft > 0)
        printf("rigsync: software trigger at %.6g Hz to %zu device(s)\n", trigger_hz, nsoft);
    fflush(stdout);

    /* Frames and framesets come through the callbacks; this loop lets time pass and, with a
     * trigger rate, sends the software triggers on time. */
    int64_t total_us = (int64_t)llround(o.seconds * 1e6);
    int64_t start_us = o.rig.virtual_time ? 0 : rig_monotonic_us();
    int64_t trigger_every = trigger_hz > 0 && nsoft ? (int64_t)llround(1e6 / trigger_hz) : 0;
    int64_t next_trigger = trigger_every;
    bool replay_bad = false;
    for (int64_t done = 0; !interrupted && (to_end || done < total_us);) {
        bool finished = false;
        if (o.rig.replay_path &&
            (rig_replay_status(rig.ctx, &finished, NULL, 0) != RIG_OK || finished))
            break;
        if (rs.rec && rig_recorder_failed(rs.rec)) {
            /* A full disk ended the recording: the run it was for ends too (exit 1 below,
             * with the recorder's message of what the file holds). */
            printf("rigsync: the recording failed; the run stops here\n");
            break;
        }
        if (trigger_every && done >= next_trigger) {
            for (size_t i = 0; i < rig.device_count; i++) {
                rig_sync_config_t s;
                rig_config_device_sync(cfg, i, &s);
                if (s.mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING)
                    rig_device_trigger(rig.devices[i]);
            }
            next_trigger += trigger_every;
        }
        int64_t step = to_end ? 100000 : RIG_MIN(total_us - done, 100000);
        if (trigger_every)
            step = RIG_MIN(step, RIG_MAX(next_trigger - done, 1));
        if (o.rig.virtual_time) {
            err = o.rig.replay_path ? rig_replay_advance_us(rig.ctx, step)
                                    : rig_sim_advance_us(rig.ctx, step);
            if (err != RIG_OK && o.rig.replay_path) {
                replay_bad = true; /* said below, with the file's offset */
                break;
            }
            if (err != RIG_OK) {
                char detail[1024];
                fprintf(stderr, "rigsync: %s\n",
                        cli_last_error(rig.ctx, detail, sizeof(detail)));
                rc = CLI_RUNTIME;
                goto out;
            }
            done += step;
        } else {
            struct timespec ts = {0, (long)step * 1000};
            nanosleep(&ts, NULL);
            done = rig_monotonic_us() - start_us;
        }
        if (o.report_path && !cli_clock_feed_sample(&rs.clocks, &rig, rs.report, &rs.lock)) {
            pthread_mutex_lock(&rs.lock);
            rs.failed = true;
            pthread_mutex_unlock(&rs.lock);
        }
    }
    if (o.rig.replay_path) {
        char msg[1024], shown[4096];
        bool finished;
        replay_bad |= rig_replay_status(rig.ctx, &finished, msg, sizeof msg) != RIG_OK;
        if (replay_bad) {
            fprintf(stderr, "rigsync run: --replay %s\n", rig_escape(shown, sizeof shown, msg));
            rc = CLI_USAGE;
            goto out;
        }
        if (msg[0])
            fprintf(stderr, "rigsync: warning: %s\n", rig_escape(shown, sizeof shown, msg));
    }
    for (size_t i = 0; i < rig.device_count; i++)
        rig_device_stop(rig.devices[i]);
    rig_context_flush_framesets(rig.ctx);
    report_sim_faults(&rs, rig.ctx);
    if (interrupted) /* Ctrl-C needs no name; a hang-up or a kill may surprise in a log */
        printf("rigsync: interrupted%s\n", interrupted == SIGHUP    ? " (SIGHUP)"
                                            : interrupted == SIGTERM ? " (SIGTERM)"
                                                                     : "");
    pthread_mutex_lock(&rs.lock);
    if (rs.failed) {
        pthread_mutex_unlock(&rs.lock);
        fprintf(stderr, "rigsync: out of memory recording frames\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    uint64_t set_drops = rig_context_frameset_drops(rig.ctx);
    if (rs.unmatched[RIG_UNMATCHED_LATE] || rs.unmatched[RIG_UNMATCHED_NO_TIME] ||
        rs.unmatched[RIG_UNMATCHED_OVERFLOW] || rs.unmatched[RIG_UNMATCHED_NO_SLOT] || set_drops)
        printf("rigsync: frames in no frameset: %" PRIu64 " arrived after their set was complete, "
               "%" PRIu64 " had no global timestamp, %" PRIu64 " were in %" PRIu64
               " sets dropped from the full frameset queue, %" PRIu64 " had no slot\n",
               rs.unmatched[RIG_UNMATCHED_LATE], rs.unmatched[RIG_UNMATCHED_NO_TIME],
               rs.unmatched[RIG_UNMATCHED_OVERFLOW], set_drops,
               rs.unmatched[RIG_UNMATCHED_NO_SLOT]);
    if (rig_report_summarize(rs.report, &sum) != RIG_OK) {
        pthread_mutex_unlock(&rs.lock);
        fprintf(stderr, "rigsync: out of memory computing the summary\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    bool never = false;
    for (size_t i = 0; i < rig.device_count; i++)
        never |= !rs.appeared[i];
    pthread_mutex_unlock(&rs.lock);
    cli_print_summary(stdout, cfg, &sum);
    rc = sum.verdict == RIG_VERDICT_NOT_SYNCHRONIZED ? CLI_RUNTIME : CLI_OK;
    if (hosts && !cli_hosts_print(stdout, rig.ctx))
        rc = CLI_RUNTIME;
    if (report_out) {
        pthread_mutex_lock(&rs.lock);
        int rrc = cli_report_render(report_out, o.report_path,
                                    o.rig.replay_path ? o.rig.replay_path
                                                      : rig_config_source(cfg),
                                    cfg, rs.report, &sum);
        pthread_mutex_unlock(&rs.lock);
        report_written = rrc == CLI_OK;
        if (rrc != CLI_OK)
            rc = rrc;
    }
    for (size_t i = 0; never && i < rig.device_count; i++) {
        if (rs.appeared[i])
            continue;
        fprintf(stderr, "rigsync: device#%zu %s never appeared during the run; connect it, or "
                        "correct its serial number in the config.\n",
                i, rig_config_device_serial(cfg, i));
        rc = CLI_RUNTIME;
    }
    have_sum = true;
out:
    fflush(stdout);
    /* The rig goes first: no callback may run once the state below is freed. */
    cli_rig_close(&rig);
    if (rs.rec) {
        cli_record_summary(rs.rec, have_sum ? &sum : NULL);
        int rrc = cli_record_close(rs.rec, o.record_path);
        if (rrc != CLI_OK && rc == CLI_OK)
            rc = rrc;
    }
    if (have_sum)
        rig_report_summary_free(&sum);
    if (rs.csv) {
        /* A write that failed on the way (a full disk) leaves the error flag; the last ones
         * fail at the flush or the close. Either way the CSV is incomplete: exit 1. */
        bool failed = ferror(rs.csv) != 0;
        int werr = 0;
        if (fflush(rs.csv) != 0) {
            failed = true;
            werr = errno;
        }
        if (fclose(rs.csv) != 0 && !failed) {
            failed = true;
            werr = errno;
        }
        if (failed) {
            fprintf(stderr, "rigsync run: writing the CSV %s failed%s%s; it is incomplete\n",
                    o.csv_path, werr ? ": " : "", werr ? strerror(werr) : "");
            if (rc == CLI_OK)
                rc = CLI_RUNTIME;
        }
    }
    if (report_out) {
        bool failed = fclose(report_out) != 0;
        if (failed && report_written) {
            fprintf(stderr, "rigsync: writing the report %s failed: %s\n", o.report_path,
                    strerror(errno));
            if (rc == CLI_OK)
                rc = CLI_RUNTIME;
        }
        if (!report_written || failed)
            remove(o.report_path); /* no half-written report left behind */
    }
    cli_clock_feed_free(&rs.clocks);
    rig_report_destroy(rs.report);
    free(rs.dts);
    free(rs.gts);
    free(rs.appeared);
    pthread_mutex_destroy(&rs.lock);
    rig_config_destroy(cfg);
    rig_hosts_destroy(hosts);
    return rc;
}

/* The rigsync command-line tool: shared pieces of its subcommands. */
#ifndef RIGSYNC_CLI_H
#define RIGSYNC_CLI_H

#include <pthread.h>
#include <stdio.h>

#include "record/recorder.h"
#include "report/report.h"
#include "rigsync/rigsync.h"

/* Exit codes: 0 ok, 1 runtime failure (or a rig found not synchronized), 2 usage/config. */
enum { CLI_OK = 0, CLI_RUNTIME = 1, CLI_USAGE = 2 };

/** Options every subcommand that builds a rig understands. */
typedef struct cli_rig_opts {
    const char *config_path; /* NULL = the built-in seed config */
    const char *backend;     /* "sim" or "orbbec" */
    const char *library;     /* orbbec: --orbbec-lib PATH, or NULL */
    bool virtual_time;
    bool seed_set;
    uint64_t seed;
    bool pixels;
    /* run: a configured device that is not present is waited for (it joins when it appears)
     * instead of failing; on the simulated rig only serials the rig has */
    bool wait_absent;
    const char *replay_path; /* backend "replay": the recording */
    const struct rig_hosts *hosts; /* backend "net": the rig over several hosts */
} cli_rig_opts_t;

/** An opened rig: the context and one device per config entry, in config order. */
typedef struct cli_rig {
    rig_config_t *config;
    rig_context_t *ctx;
    rig_device_t **devices;
    size_t device_count;
} cli_rig_t;

/** Loads the config (or the built-in one); prints the error and returns CLI_USAGE on failure. */
int cli_load_config(const char *path, rig_config_t **out);

/** Creates the context for these options and config; prints the error and returns its exit
 * code on failure. */
int cli_context_create(const cli_rig_opts_t *opts, const rig_config_t *config,
                       rig_context_t **ctx);

/**
 * Creates the context and opens + configures every device of the config, printing what it does
 * to `info` (may be NULL). Returns CLI_OK, or prints the error and returns CLI_USAGE (bad serial,
 * unsupported mode) / CLI_RUNTIME (backend failure). Nothing is started.
 */
int cli_rig_open(const cli_rig_opts_t *opts, rig_config_t *config, FILE *info, cli_rig_t *rig);
void cli_rig_close(cli_rig_t *rig);

/** Prints "rigsync: file:line:col: devices[i].serial_number: " for a part of device i. */
void cli_print_device_location(FILE *out, const rig_config_t *config, size_t index,
                               rig_config_part_t part);

/** The usage of every command (rigsync --help, and each command's --help / -h). */
void cli_usage(FILE *out);

/** The context's last error, control characters escaped (it may quote a device's strings). */
const char *cli_last_error(rig_context_t *ctx, char *buf, size_t len);

/** Are a and b one file: the same path, or the same device and inode (links, ./x and x)? */
bool cli_same_file(const char *a, const char *b);

/** Checks the rig options every rig command shares (--replay with --config or --backend,
 * --virtual-time on real cameras); sets the backend of a replay. Prints the error and returns
 * CLI_USAGE, else CLI_OK. */
int cli_rig_opts_check(const char *command, cli_rig_opts_t *rig, bool backend_set);
/** Starts every device's color and depth, secondaries before the primary; prints the error and
 * returns its exit code on failure (tools/cli_session.c). */
int cli_start_streams(cli_rig_t *rig);
/** Feeding a report from the context's callbacks (run, report, view: the same numbers).
 * A frame (wall_us: its delivery on the wall clock in real time, else RIG_TS_NONE). */
rig_error_t cli_feed_frame(rig_report_t *report, rig_frame_t *f, int64_t wall_us);
/** A frameset; dts, gts: scratch of ndev * RIG_STREAM_COUNT values. */
rig_error_t cli_feed_set(rig_report_t *report, const rig_frameset_t *set, size_t ndev,
                         int64_t *dts, int64_t *gts);
/** A device event of the core. */
rig_error_t cli_feed_device_event(rig_report_t *report, const rig_device_event_t *ev,
                                  size_t ndev);

/** The summary as rigsync run prints it (tools/cli_summary.c). */
void cli_print_summary(FILE *out, const rig_config_t *cfg, const rig_report_summary_t *sum);

/* rigsync report [--config FILE --seconds S | FILE.mcap] -o report.html|.png|.svg|.pdf: run
 * --quiet --report-out FILE (tools/cli_report.c). */
int cli_report(int argc, char **argv);
/** CLI_USAGE with the fix when the report's file name has no known extension. */
int cli_report_check_path(const char *cmd, const char *path);
/** Opens the report's file for writing; CLI_RUNTIME with the fix when it cannot. */
int cli_report_open(const char *path, FILE **out);
/** Draws the report (its timeline enabled) after the summary into out; prints where it went. */
int cli_report_render(FILE *out, const char *path, const char *source, const rig_config_t *cfg,
                      const rig_report_t *report, const rig_report_summary_t *sum);
/* Clock samples for the report's timeline: each device's last frame with a global timestamp
 * (fed from the frame callback under the caller's lock), sampled with the device's clock
 * estimate (rig_device_clock_estimate) every step of the run's loop. */
typedef struct cli_clock_feed {
    size_t ndev;
    int64_t *host, *dev, *glob, *sampled;
} cli_clock_feed_t;
bool cli_clock_feed_init(cli_clock_feed_t *c, size_t ndev);
void cli_clock_feed_free(cli_clock_feed_t *c);
void cli_clock_feed_frame(cli_clock_feed_t *c, const rig_frame_t *f);
/** Takes lock itself around the report; false when out of memory. */
bool cli_clock_feed_sample(cli_clock_feed_t *c, const cli_rig_t *rig, rig_report_t *report,
                           pthread_mutex_t *lock);

int cli_run(int argc, char **argv);
/* rigsync record: run --record FILE --quiet (tools/cli_record.c). */
int cli_record(int argc, char **argv);
/** Opens the recording, queues the config and rig metadata, installs the clock-event callback;
 * prints the error and returns CLI_RUNTIME when the file cannot be created. */
int cli_record_open(const char *path, const cli_rig_opts_t *opts, const cli_rig_t *rig,
                    rig_recorder_t **out);
/** After the streams started: the run's origin and each device's stream profiles and latency
 * floor hints (metadata rigsync.run, for replays). */
void cli_record_run(rig_recorder_t *r, const cli_rig_t *rig, int64_t t0_us);
/** The faults the simulator injected (ground truth, metadata rigsync.sim_faults). */
void cli_record_faults(rig_recorder_t *r, const rig_report_event_t *ev, size_t n);
/** The faults the simulator injected (ground truth), or for a replay the recorded ones, as
 * report events (*out: free() it); how many. */
size_t cli_injected_faults(rig_context_t *ctx, const rig_config_t *cfg, bool replay,
                           rig_report_event_t **out);
/** Drains the recorder and queues the summary metadata (sum may be NULL). */
void cli_record_summary(rig_recorder_t *r, const rig_report_summary_t *sum);
/** Closes the file, prints what it holds; CLI_RUNTIME with a message on a write error. */
int cli_record_close(rig_recorder_t *r, const char *path);
int cli_plan(int argc, char **argv);
/** rigsync info FILE.mcap [--chunks] and rigsync recover BROKEN.mcap -o FIXED.mcap. */
int cli_info(int argc, char **argv);
int cli_recover(int argc, char **argv);
/** rigsync export FILE.mcap --frameset N -o DIR (tools/cli_export.c). */
int cli_export(int argc, char **argv);
/** rigsync ptp-status: the local ptp4l's state (tools/cli_ptp.c). */
int cli_ptp_status(int argc, char **argv);
struct rig_mcap_reader;
/** "rigsync CMD: PATH: offset N: what (fault)" for the reader's last problem. */
void cli_print_mcap_problem(const char *cmd, const char *path, const struct rig_mcap_reader *r,
                            rig_error_t err);
void cli_warn_interference(const rig_config_t *cfg, FILE *out);

#endif

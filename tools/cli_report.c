/*
 * rigsync report, and run --report-out FILE: the run's report with its timeline switched on, fed
 * also with clock samples and clock writes, drawn after the summary as a page of plots
 * (tools/report/report_page.c): HTML, PNG, SVG or PDF by the file's extension.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config/config_internal.h"
#include "report/report_page.h"

int cli_report_check_path(const char *cmd, const char *path)
{
    report_format_t fmt;
    if (report_format_from_path(path, &fmt))
        return CLI_OK;
    fprintf(stderr,
            "rigsync %s: cannot tell the report's format from \"%s\": name the file .html, "
            ".png, .svg or .pdf\n",
            cmd, path);
    return CLI_USAGE;
}

int cli_report_open(const char *path, FILE **out)
{
    *out = fopen(path, "wb");
    if (*out)
        return CLI_OK;
    fprintf(stderr, "rigsync: cannot write the report %s: %s; give a file in a writable "
                    "directory.\n",
            path, strerror(errno));
    return CLI_RUNTIME;
}

/* ---- clock samples ----------------------------------------------------------------------------- */

bool cli_clock_feed_init(cli_clock_feed_t *c, size_t ndev)
{
    memset(c, 0, sizeof(*c));
    c->ndev = ndev;
    c->host = calloc(ndev + 1, sizeof(int64_t));
    c->dev = calloc(ndev + 1, sizeof(int64_t));
    c->glob = calloc(ndev + 1, sizeof(int64_t));
    c->sampled = calloc(ndev + 1, sizeof(int64_t));
    if (!c->host || !c->dev || !c->glob || !c->sampled)
        return false;
    for (size_t i = 0; i < ndev; i++)
        c->host[i] = c->sampled[i] = RIG_TS_NONE;
    return true;
}

void cli_clock_feed_free(cli_clock_feed_t *c)
{
    free(c->host);
    free(c->dev);
    free(c->glob);
    free(c->sampled);
    memset(c, 0, sizeof(*c));
}

void cli_clock_feed_frame(cli_clock_feed_t *c, const rig_frame_t *f)
{
    size_t d = rig_frame_device_index(f);
    if (!c->host || d >= c->ndev || rig_frame_global_ts_us(f) == RIG_TS_NONE)
        return;
    c->host[d] = rig_frame_host_ts_us(f);
    c->dev[d] = rig_frame_device_ts_us(f);
    c->glob[d] = rig_frame_global_ts_us(f);
}

bool cli_clock_feed_sample(cli_clock_feed_t *c, const cli_rig_t *rig, rig_report_t *report,
                           pthread_mutex_t *lock)
{
    bool ok = true;
    for (size_t d = 0; c->host && d < c->ndev && d < rig->device_count; d++) {
        double skew = 0;
        unsigned epochs = 0;
        /* outside the lock: the library may hold its own while it calls back into ours */
        if (rig_device_clock_estimate(rig->devices[d], &skew, &epochs) != RIG_OK)
            continue;
        pthread_mutex_lock(lock);
        if (c->host[d] != RIG_TS_NONE && c->host[d] != c->sampled[d]) {
            c->sampled[d] = c->host[d];
            ok &= rig_report_add_clock(report, d, c->host[d], c->dev[d], c->glob[d], skew,
                                       epochs) == RIG_OK;
        }
        pthread_mutex_unlock(lock);
    }
    return ok;
}

/* ---- the page ------------------------------------------------------------------------------------ */

int cli_report_render(FILE *out, const char *path, const char *source, const rig_config_t *cfg,
                      const rig_report_t *report, const rig_report_summary_t *sum)
{
    size_t n = rig_config_device_count(cfg);
    const char **serials = calloc(n + 1, sizeof(char *));
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    rig_timeline_view_t tl;
    if (!serials || !mem || rig_report_timeline(report, &tl) != RIG_OK) {
        if (mem)
            fclose(mem);
        free(text);
        free(serials);
        fprintf(stderr, "rigsync: out of memory drawing the report\n");
        return CLI_RUNTIME;
    }
    cli_print_summary(mem, cfg, sum);
    fclose(mem);
    for (size_t i = 0; i < n; i++)
        serials[i] = rig_config_device_serial(cfg, i);
    report_format_t fmt = REPORT_HTML;
    report_format_from_path(path, &fmt);
    report_page_t page = {.source = source, .serials = serials, .sum = sum, .tl = &tl,
                          .summary_text = text && text[0] == '\n' ? text + 1 : text};
    char err[256];
    bool ok = report_page_write(out, fmt, &page, err, sizeof(err));
    free(text);
    free(serials);
    if (ok && fflush(out) != 0) {
        ok = false;
        snprintf(err, sizeof(err), "writing the file failed: %s", strerror(errno));
    }
    if (!ok) {
        fprintf(stderr, "rigsync: the report %s is incomplete: %s\n", path, err);
        return CLI_RUNTIME;
    }
    long size = ftell(out);
    printf("rigsync: report written to %s (%ld bytes)\n", path, size);
    return CLI_OK;
}

/* ---- rigsync report -------------------------------------------------------------------------------- */

int cli_report(int argc, char **argv)
{
    /* run's options that take a value (their values are no recording) */
    static const char *const valued[] = {"--config", "--seconds", "--clock-sync-interval-ms",
                                         "--seed", "--backend", "--csv", "--trigger-hz",
                                         "--record", "--orbbec-lib"};
    char **args = calloc((size_t)argc + 8, sizeof(char *));
    if (!args) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    int n = 0, rc = CLI_OK;
    const char *out = NULL, *mcap = NULL;
    for (int i = 0; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rigsync report: %s needs a value (report.html, .png, .svg or "
                                ".pdf)\n",
                        a);
                rc = CLI_USAGE;
            } else {
                out = argv[++i];
            }
            continue;
        }
        if (strcmp(a, "--replay") == 0 || strcmp(a, "--report-out") == 0) {
            fprintf(stderr, "rigsync report: %s is not an option of report; give the recording "
                            "as rigsync report FILE.mcap -o report.html\n",
                    a);
            rc = CLI_USAGE;
            continue;
        }
        if (a[0] != '-') {
            if (mcap) {
                fprintf(stderr, "rigsync report: one recording at a time (%s and %s); give "
                                "one FILE.mcap\n",
                        mcap, a);
                rc = CLI_USAGE;
            }
            mcap = a;
            continue;
        }
        args[n++] = argv[i];
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
            if (strcmp(a, valued[k]) == 0 && i + 1 < argc) {
                args[n++] = argv[++i];
                break;
            }
    }
    if (rc == CLI_OK && !out) {
        fprintf(stderr, "rigsync report: give the file to write with -o report.html (or .png, "
                        ".svg, .pdf)\n");
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_report_check_path("report", out);
    if (rc == CLI_OK && mcap && access(mcap, R_OK) != 0) {
        fprintf(stderr, "rigsync report: cannot read the recording %s: %s; give a FILE.mcap "
                        "that rigsync record wrote.\n",
                mcap, strerror(errno));
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK) {
        args[n++] = (char *)"--quiet";
        args[n++] = (char *)"--report-out";
        args[n++] = (char *)out;
        if (mcap) { /* a recording: replayed in virtual time (as fast as it goes) */
            args[n++] = (char *)"--replay";
            args[n++] = (char *)mcap;
            args[n++] = (char *)"--virtual-time";
        }
        rc = cli_run(n, args);
    }
    free(args);
    return rc;
}

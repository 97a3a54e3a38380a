/*
 * The page of rigsync report: the verdict and summary at the top, then the plots of the run
 * over time (report/timeline.h), drawn with cairo into PNG, SVG or PDF (one page), or an HTML
 * file that holds the summary as text and each plot as a PNG data: URI (self-contained).
 *
 * Page formats are REPORT_PAGE_W x REPORT_PAGE_H points (pixels in the PNG), whatever the
 * number of devices (legends wrap; beyond four rows they end with "+N more").
 */
#ifndef RIGSYNC_TOOLS_REPORT_PAGE_H
#define RIGSYNC_TOOLS_REPORT_PAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"
#include "report/timeline.h"

#define REPORT_PAGE_W 1200
#define REPORT_PAGE_H 1800

typedef enum report_format { REPORT_HTML, REPORT_PNG, REPORT_SVG, REPORT_PDF } report_format_t;

/* The format named by the file's extension (.html/.htm, .png, .svg, .pdf; any case); false for
 * any other. */
bool report_format_from_path(const char *path, report_format_t *out);

typedef struct report_page {
    const char *source;           /* the config's file (or the recording) */
    const char *const *serials;   /* [device] */
    const rig_report_summary_t *sum;
    const rig_timeline_view_t *tl;
    const char *summary_text;     /* the summary as rigsync run prints it (HTML) */
} report_page_t;

/* Draws the page into out in format fmt. False with the reason in err on a write error. Once per
 * process: it releases cairo's and fontconfig's static caches when done. */
bool report_page_write(FILE *out, report_format_t fmt, const report_page_t *page, char *err,
                       size_t err_len);

#endif

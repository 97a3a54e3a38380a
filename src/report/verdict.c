/*
 * The verdict of the run summary: whether the rig is synchronized and why not, then what hurt
 * the run (interference, stalls, host lag, events), from the numbers report.c computed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"
#include "report/report_internal.h"

static const char *likely_drift_cause(const rig_config_t *cfg, size_t i)
{
    switch (cfg->devices[i].sync.mode) {
    case RIG_SYNC_MODE_FREE_RUN:
    case RIG_SYNC_MODE_STANDALONE:
        return "it runs on its own clock in this mode; make it SECONDARY (or PRIMARY) and wire "
               "its sync cable";
    case RIG_SYNC_MODE_SECONDARY_SYNCED:
        return "it keeps free-running when pulses stop: check its sync cable and that the "
               "device before it has trigger_out_enable true";
    default:
        return "check the sync cable and that the device before it has trigger_out_enable true";
    }
}

static void write_verdict(const rig_report_t *r, rig_report_summary_t *sum)
{
    const rig_config_t *cfg = r->config;
    char *t = sum->verdict_text;
    size_t tl = sizeof(sum->verdict_text);
    t[0] = '\0';

    if (sum->device_count < 2) {
        sum->verdict = RIG_VERDICT_NOT_CONFIGURED;
        rig_fmt(t, tl, "ONE DEVICE: nothing to synchronize.");
        return;
    }
    /* A silent device outweighs everything: say which and why. */
    bool silent = false;
    for (size_t i = 0; i < sum->device_count; i++) {
        const rig_report_device_t *d = &sum->devices[i];
        if (d->stream[0].frames + d->stream[1].frames > 0)
            continue;
        if (!silent)
            rig_fmt(t, tl, "NOT SYNCHRONIZED:");
        silent = true;
        char why[512];
        const rig_sync_config_t *c = &cfg->devices[i].sync;
        if (rig_config_explain_no_pulses(cfg, i, why, sizeof(why)))
            rig_append(t, tl, " device#%zu (%s) delivered no frames. %s", i,
                       cfg->devices[i].serial, why);
        else if (rig_mode_needs_pulses(c->mode))
            rig_append(t, tl,
                       " device#%zu (%s) delivered no frames: in %s mode it captures only on "
                       "trigger pulses and none came; check the sync cable into its sync-in, "
                       "and start secondaries before the primary.",
                       i, cfg->devices[i].serial, rig_sync_mode_name(c->mode));
        else
            rig_append(t, tl,
                       " device#%zu (%s) delivered no frames; check that it is connected and "
                       "that its streams started.",
                       i, cfg->devices[i].serial);
    }
    if (silent) {
        sum->verdict = RIG_VERDICT_NOT_SYNCHRONIZED;
        return;
    }
    /* A device that stopped while the others went on: pulses stopped reaching it. */
    int64_t end = INT64_MIN;
    for (size_t i = 0; i < sum->device_count; i++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            end = RIG_MAX(end, sum->devices[i].stream[s].last_us);
    for (size_t i = 0; i < sum->device_count; i++) {
        const rig_report_device_t *d = &sum->devices[i];
        int64_t last = RIG_MAX(d->stream[0].last_us, d->stream[1].last_us);
        int64_t first = INT64_MAX;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            if (d->stream[s].frames)
                first = RIG_MIN(first, d->stream[s].first_us);
        double period_us = 1e6 / (double)cfg->streams[RIG_STREAM_DEPTH].fps;
        if (span_s(last, end) * 1e6 < SILENT_AFTER_PERIODS * period_us)
            continue;
        const rig_sync_config_t *c = &cfg->devices[i].sync;
        if (!silent)
            rig_fmt(t, tl, "NOT SYNCHRONIZED:");
        silent = true;
        double at_s = span_s(first, last);
        if (rig_mode_needs_pulses(c->mode))
            rig_append(t, tl,
                       " device#%zu (%s, %s) stopped delivering frames %.1f s into the run, %.1f s "
                       "before the others: it captures only on trigger pulses, and they stopped "
                       "reaching it; check the sync cable into its sync-in (pulled or cut) and that "
                       "the device feeding it still has trigger_out_enable true.",
                       i, cfg->devices[i].serial, rig_sync_mode_name(c->mode), at_s,
                       span_s(last, end));
        else
            rig_append(t, tl,
                       " device#%zu (%s) stopped delivering frames %.1f s into the run, %.1f s "
                       "before the others; check its USB connection and power.",
                       i, cfg->devices[i].serial, at_s, span_s(last, end));
    }
    if (silent) {
        sum->verdict = RIG_VERDICT_NOT_SYNCHRONIZED;
        return;
    }

    double worst_drift = 0;
    bool drift_known = true;
    int64_t worst_p99 = 0, worst_median = 0, worst_gp99 = 0, worst_gmedian = 0;
    bool global_all = sum->pair_count > 0;
    const rig_report_pair_t *worst = NULL;
    for (size_t p = 0; p < sum->pair_count; p++) {
        const rig_report_pair_t *pr = &sum->pairs[p];
        if (!pr->drift_known)
            drift_known = false;
        else if (fabs(pr->drift_us_per_s) > fabs(worst_drift) || !worst) {
            worst_drift = pr->drift_us_per_s;
            worst = pr;
        }
        worst_p99 = RIG_MAX(worst_p99, pr->device.p99_us);
        worst_median = RIG_MAX(worst_median, pr->device.median_us);
        worst_gp99 = RIG_MAX(worst_gp99, pr->global.p99_us);
        worst_gmedian = RIG_MAX(worst_gmedian, pr->global.median_us);
        if (pr->global.matched == 0)
            global_all = false;
    }

    bool hw_sync = false;
    for (size_t i = 0; i < cfg->device_count; i++)
        if (rig_mode_is_pulse_source(&cfg->devices[i].sync) ||
            rig_mode_needs_pulses(cfg->devices[i].sync.mode))
            hw_sync = true;

    if (worst && fabs(worst_drift) > RIG_REPORT_DRIFT_LIMIT_US_PER_S) {
        size_t b = worst->b;
        sum->verdict = hw_sync ? RIG_VERDICT_NOT_SYNCHRONIZED : RIG_VERDICT_NOT_CONFIGURED;
        rig_fmt(t, tl,
                "NOT SYNCHRONIZED: device#%zu (%s, %s) drifts against device#%zu at %+.1f us/s "
                "(limit %.0f us/s), so its captures are not locked: %s.",
                b, cfg->devices[b].serial, rig_sync_mode_name(cfg->devices[b].sync.mode),
                worst->a, worst_drift, RIG_REPORT_DRIFT_LIMIT_US_PER_S,
                likely_drift_cause(cfg, b));
        return;
    }
    if (!hw_sync) {
        sum->verdict = RIG_VERDICT_NOT_CONFIGURED;
        rig_fmt(t, tl,
                "NOT SYNCHRONIZED: no device is PRIMARY, SECONDARY or triggered, so every device "
                "captures on its own clock (drift so far %.1f us/s); configure one PRIMARY and "
                "make the others SECONDARY.",
                worst_drift);
        return;
    }
    if (!drift_known) {
        sum->verdict = RIG_VERDICT_UNKNOWN;
        rig_fmt(t, tl,
                "UNKNOWN: too short to measure capture drift (need %d s of frames from every "
                "device); run longer. Device timestamps of one capture agree within p99 %lld us.",
                ENVELOPE_MIN_SPAN_US / 1000000, (long long)worst_p99);
        return;
    }
    sum->verdict = RIG_VERDICT_SYNCHRONIZED;
    rig_fmt(t, tl,
            "SYNCHRONIZED: all %zu devices capture locked together (worst relative drift %+.1f "
            "us/s over %.1f s, limit %.0f us/s); device timestamps of one capture agree within "
            "median %lld us, p99 %lld us (host clock sync error plus crystal drift since the "
            "last sync)",
            sum->device_count, worst_drift, sum->duration_s, RIG_REPORT_DRIFT_LIMIT_US_PER_S,
            (long long)worst_median, (long long)worst_p99);
    if (global_all)
        rig_append(t, tl, "; on rigsync's global time line within median %lld us, p99 %lld us",
                   (long long)worst_gmedian, (long long)worst_gp99);
    rig_append(t, tl, ".");
}

/* Depth frames disturbed by another ToF camera are worth a sentence whatever the verdict. */
static void note_interference(const rig_report_t *r, rig_report_summary_t *sum)
{
    uint64_t total = 0;
    char who[512] = "";
    for (size_t i = 0; i < sum->device_count; i++) {
        uint64_t n = sum->devices[i].stream[RIG_STREAM_DEPTH].interfered;
        if (!n)
            continue;
        total += n;
        rig_append(who, sizeof(who), "%sdevice#%zu (%s) %llu", who[0] ? ", " : "", i,
                   r->config->devices[i].serial, (unsigned long long)n);
    }
    if (total)
        rig_append(sum->verdict_text, sizeof(sum->verdict_text),
                   " WARNING: %llu depth frames were disturbed by another ToF camera's laser (%s); "
                   "stagger depth_delay_us: rigsync plan CONFIG -o OUT.json.",
                   (unsigned long long)total, who);
}

/* Stalls of the transport and frames left without a set: named when they hurt the run. */
static void note_stalls(const rig_report_t *r, rig_report_summary_t *sum)
{
    bool many = sum->frames > 0 && (double)sum->stalls >= STALL_WARN_SHARE * (double)sum->frames;
    if (sum->unmatched == 0 && !many && sum->stall_longest_us < STALL_WARN_LONGEST_US)
        return;
    char *t = sum->verdict_text;
    size_t tl = sizeof(sum->verdict_text);
    rig_append(t, tl, " WARNING:");
    if (sum->stalls) {
        /* the devices hit worst, by longest stall */
        size_t worst = 0;
        int64_t worst_us = -1;
        size_t hit = 0;
        for (size_t i = 0; i < sum->device_count; i++) {
            const rig_report_device_t *d = &sum->devices[i];
            int64_t l = RIG_MAX(d->stream[0].stall_longest_us, d->stream[1].stall_longest_us);
            hit += d->stream[0].stalls + d->stream[1].stalls > 0;
            if (l > worst_us) {
                worst_us = l;
                worst = i;
            }
        }
        rig_append(t, tl,
                   " %llu transport stalls (arrivals paused %d ms or more beyond the frame "
                   "period) on %zu device(s), longest %.1f ms on device#%zu (%s), %.2f %% of "
                   "frames;",
                   (unsigned long long)sum->stalls, STALL_MIN_US / 1000, hit,
                   (double)sum->stall_longest_us / 1000.0, worst, r->config->devices[worst].serial,
                   sum->frames ? 100.0 * (double)sum->stalls / (double)sum->frames : 0.0);
    }
    if (sum->unmatched) {
        rig_append(t, tl, " %llu frames (%.2f %%) are in no frameset (",
                   (unsigned long long)sum->unmatched,
                   sum->frames ? 100.0 * (double)sum->unmatched / (double)sum->frames : 0.0);
        bool first = true;
        for (int k = 1; k < RIG_UNMATCHED_REASON_COUNT; k++) {
            if (!sum->unmatched_by_reason[k])
                continue;
            rig_append(t, tl, "%s%s %llu", first ? "" : ", ",
                       rig_unmatched_reason_name((rig_unmatched_reason_t)k),
                       (unsigned long long)sum->unmatched_by_reason[k]);
            first = false;
        }
        rig_append(t, tl, ");");
    } else {
        rig_append(t, tl, " every frame is in a frameset;");
    }
    rig_append(t, tl, " check the USB controllers, hubs and cables (one controller per few "
                      "cameras) and the host's load.");
}

/* Real-time runs: frames handed to the application later than real time allows. */
static void note_host_lag(rig_report_summary_t *sum)
{
    if (!sum->wall_known || sum->host_lag_max_us <= HOST_LAG_LIMIT_US)
        return;
    rig_append(sum->verdict_text, sizeof(sum->verdict_text),
               " WARNING: host lag: frames reached the application up to %.2f s after they "
               "arrived (%llu frames more than %d ms late); %.1f s of frames were delivered in "
               "%.1f s of wall time, so the fps above (host clock) overstate what the application "
               "got (see wall fps); the host cannot keep up: fewer devices per host, pixels off, "
               "or lighter frame callbacks.",
               (double)sum->host_lag_max_us / 1e6, (unsigned long long)sum->lagging_frames,
               HOST_LAG_LIMIT_US / 1000, sum->wall_host_span_s, sum->wall_span_s);
}

/* Each event (device events, injected faults) with its time and effect. */
static void note_events(rig_report_summary_t *sum)
{
    if (sum->event_count == 0)
        return;
    char *t = sum->verdict_text;
    size_t tl = sizeof(sum->verdict_text);
    rig_append(t, tl, " WARNING: %zu event(s) during the run:",
               sum->event_count + (size_t)sum->events_dropped);
    size_t shown = RIG_MIN(sum->event_count, (size_t)4);
    for (size_t i = 0; i < shown; i++) {
        const rig_report_event_t *e = &sum->events[i];
        rig_append(t, tl, "%s at %.3f s ", i ? ";" : "", span_s(sum->origin_us, e->host_ts_us));
        if (e->device >= 0)
            rig_append(t, tl, "device#%ld ", e->device);
        else
            rig_append(t, tl, "rig ");
        rig_append(t, tl, "%s: %s", e->what, e->detail);
    }
    if (sum->event_count + sum->events_dropped > shown)
        rig_append(t, tl, "; %llu more in the event list",
                   (unsigned long long)(sum->event_count + sum->events_dropped - shown));
    rig_append(t, tl, ".");
}

void rig_report_write_verdict(const rig_report_t *r, rig_report_summary_t *sum)
{
    write_verdict(r, sum);
    note_interference(r, sum);
    note_stalls(r, sum);
    note_host_lag(sum);
    note_events(sum);
}

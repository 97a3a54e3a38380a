#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/hull.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"

/* Span of arrivals a device needs before its capture rate is trusted. With a USB latency tail of
 * a few hundred us, the fastest arrivals at each end of the run sit ~10 us above the floor, so
 * the rate is known to about 10 us / span: 8 s keeps a locked pair well under the drift limit
 * (measured over 100 seeds in the simulator; see tests/test_cli.sh). */
#define ENVELOPE_MIN_SPAN_US 8000000
#define ENVELOPE_MIN_FRAMES 16
/* A device silent this many frame periods before the run's end stopped (2 periods is what a
 * SECONDARY takes to notice pulses are gone; the rest is margin for USB stalls). */
#define SILENT_AFTER_PERIODS 10.0

typedef struct sample {
    uint64_t index;
    int64_t host_ts_us;
} sample_t;

typedef struct vec64 {
    int64_t *v;
    size_t len, cap;
} vec64_t;

static bool vec64_push(vec64_t *v, int64_t x)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 256;
        int64_t *n = realloc(v->v, cap * sizeof(*n));
        if (!n)
            return false;
        v->v = n;
        v->cap = cap;
    }
    v->v[v->len++] = x;
    return true;
}

/* A pair of devices the summary reports on, with the spreads of the captures both were in. */
typedef struct pair_acc {
    size_t a, b;
    vec64_t device, global;
} pair_acc_t;

typedef struct series {
    sample_t *v;
    size_t len, cap;
    uint64_t interfered;
} series_t;

struct rig_report {
    const rig_config_t *config;
    size_t ndev;
    series_t *series; /* [device * RIG_STREAM_COUNT + stream] */
    pair_acc_t *pairs;
    size_t npairs;
    int64_t *offset; /* expected capture offset per slot */
    rig_report_event_t events[RIG_REPORT_MAX_EVENTS]; /* in arrival order */
    size_t nevents;
    uint64_t events_dropped;
};

static int64_t capture_offset_us(const rig_config_t *cfg, size_t i, int stream);

rig_report_t *rig_report_create(const rig_config_t *config)
{
    if (!config)
        return NULL;
    rig_report_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->config = config;
    r->ndev = rig_config_device_count(config);
    r->series = calloc(r->ndev * RIG_STREAM_COUNT + 1, sizeof(*r->series));
    r->offset = calloc(r->ndev * RIG_STREAM_COUNT + 1, sizeof(*r->offset));
    /* All pairs for small rigs; against the reference device (the primary, else device 0)
     * for large ones: n - 1 lines. */
    size_t n = r->ndev;
    r->pairs = calloc(n * n + 1, sizeof(*r->pairs));
    if (!r->series || !r->offset || !r->pairs) {
        rig_report_destroy(r);
        return NULL;
    }
    size_t ref = 0;
    for (size_t i = 0; i < n; i++)
        if (config->devices[i].sync.mode == RIG_SYNC_MODE_PRIMARY)
            ref = i;
    for (size_t a = 0; a < n && n <= 4; a++)
        for (size_t b = a + 1; b < n; b++)
            r->pairs[r->npairs++] = (pair_acc_t){.a = a, .b = b};
    for (size_t b = 0; b < n && n > 4; b++)
        if (b != ref)
            r->pairs[r->npairs++] = (pair_acc_t){.a = ref, .b = b};
    for (size_t i = 0; i < n; i++)
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            r->offset[i * RIG_STREAM_COUNT + (size_t)s] = capture_offset_us(config, i, s);
    return r;
}

void rig_report_destroy(rig_report_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->series && i < r->ndev * RIG_STREAM_COUNT; i++)
        free(r->series[i].v);
    for (size_t p = 0; r->pairs && p < r->npairs; p++) {
        free(r->pairs[p].device.v);
        free(r->pairs[p].global.v);
    }
    free(r->series);
    free(r->pairs);
    free(r->offset);
    free(r);
}

rig_error_t rig_report_add_event(rig_report_t *r, const rig_report_event_t *event)
{
    if (!r || !event)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (r->nevents == RIG_REPORT_MAX_EVENTS) {
        r->events_dropped++;
        return RIG_OK;
    }
    r->events[r->nevents++] = *event;
    return RIG_OK;
}

static int event_cmp(const void *a, const void *b)
{
    const rig_report_event_t *x = a, *y = b;
    return (x->host_ts_us > y->host_ts_us) - (x->host_ts_us < y->host_ts_us);
}

/* The summary's copy of the events, sorted by time (stable enough: ties keep no order). */
static rig_error_t copy_events(const rig_report_t *r, rig_report_summary_t *sum)
{
    sum->events = calloc(r->nevents + 1, sizeof(*sum->events));
    if (!sum->events)
        return RIG_ERROR_NO_MEMORY;
    memcpy(sum->events, r->events, r->nevents * sizeof(*sum->events));
    qsort(sum->events, r->nevents, sizeof(*sum->events), event_cmp);
    sum->event_count = r->nevents;
    sum->events_dropped = r->events_dropped;
    return RIG_OK;
}

rig_error_t rig_report_add_capture(rig_report_t *r, const int64_t *device_ts_us,
                                   const int64_t *global_ts_us)
{
    if (!r || !device_ts_us || !global_ts_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    for (size_t p = 0; p < r->npairs; p++) {
        pair_acc_t *pa = &r->pairs[p];
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            size_t ka = pa->a * RIG_STREAM_COUNT + (size_t)s;
            size_t kb = pa->b * RIG_STREAM_COUNT + (size_t)s;
            int64_t expected = r->offset[kb] - r->offset[ka];
            if (device_ts_us[ka] != RIG_TS_NONE && device_ts_us[kb] != RIG_TS_NONE &&
                !vec64_push(&pa->device, llabs(device_ts_us[kb] - device_ts_us[ka] - expected)))
                return RIG_ERROR_NO_MEMORY;
            if (global_ts_us[ka] != RIG_TS_NONE && global_ts_us[kb] != RIG_TS_NONE &&
                !vec64_push(&pa->global, llabs(global_ts_us[kb] - global_ts_us[ka] - expected)))
                return RIG_ERROR_NO_MEMORY;
        }
    }
    return RIG_OK;
}

rig_error_t rig_report_add(rig_report_t *r, size_t device, rig_stream_t stream,
                           uint64_t frame_index, int64_t host_ts_us, bool interfered)
{
    if (!r || device >= r->ndev || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_ERROR_INVALID_ARGUMENT;
    series_t *s = &r->series[device * RIG_STREAM_COUNT + stream];
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        sample_t *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return RIG_ERROR_NO_MEMORY;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->len++] = (sample_t){frame_index, host_ts_us};
    s->interfered += interfered;
    return RIG_OK;
}

static const series_t *series_of(const rig_report_t *r, size_t dev, int stream)
{
    return &r->series[dev * RIG_STREAM_COUNT + (size_t)stream];
}

static void stream_stats(const series_t *s, rig_report_stream_t *out)
{
    memset(out, 0, sizeof(*out));
    out->frames = s->len;
    out->interfered = s->interfered;
    if (s->len == 0)
        return;
    uint64_t lo = s->v[0].index, hi = s->v[0].index;
    int64_t first = s->v[0].host_ts_us, last = s->v[0].host_ts_us;
    for (size_t i = 1; i < s->len; i++) {
        lo = RIG_MIN(lo, s->v[i].index);
        hi = RIG_MAX(hi, s->v[i].index);
        first = RIG_MIN(first, s->v[i].host_ts_us);
        last = RIG_MAX(last, s->v[i].host_ts_us);
    }
    out->drops = (hi - lo + 1) - s->len;
    out->first_us = first;
    out->last_us = last;
    if (last > first && s->len > 1)
        out->fps = (double)(s->len - 1) * 1e6 / (double)(last - first);
}

/* Capture period on the host clock: the lower envelope of (frame index, arrival) has the real
 * period as its slope (see common/hull.h). Returns 0 when unknown. */
static double envelope_period_us(const series_t *s, double nominal_us)
{
    if (s->len < ENVELOPE_MIN_FRAMES ||
        s->v[s->len - 1].host_ts_us - s->v[0].host_ts_us < ENVELOPE_MIN_SPAN_US)
        return 0.0;
    double *x = malloc(s->len * sizeof(*x)), *y = malloc(s->len * sizeof(*y));
    size_t *scratch = malloc(s->len * sizeof(*scratch));
    double slope = 0, intercept = 0;
    bool ok = false;
    if (x && y && scratch) {
        /* Residuals to the nominal period keep the numbers small and exact in double. */
        uint64_t k0 = s->v[0].index;
        int64_t h0 = s->v[0].host_ts_us;
        size_t n = 0;
        for (size_t i = 0; i < s->len; i++) {
            if (i > 0 && s->v[i].index <= s->v[i - 1].index)
                continue; /* x must increase; a repeated index adds nothing */
            x[n] = (double)(s->v[i].index - k0);
            y[n] = (double)(s->v[i].host_ts_us - h0) - x[n] * nominal_us;
            n++;
        }
        ok = rig_lower_hull_line(x, y, n, scratch, &slope, &intercept);
    }
    free(x);
    free(y);
    free(scratch);
    return ok ? nominal_us + slope : 0.0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Delay of the pulse reaching device i, from the primary, through upstream trigger_out delays. */
static int64_t pulse_delay_us(const rig_config_t *cfg, size_t i)
{
    int64_t total = 0;
    size_t hops = 0;
    int src = rig_config_pulse_source(cfg, i);
    while (src >= 0 && hops++ < cfg->device_count) {
        total += cfg->devices[src].sync.trigger_out_delay_us;
        src = rig_config_pulse_source(cfg, (size_t)src);
    }
    return total;
}

/* When, after its trigger, device i starts capturing `stream`. */
static int64_t capture_offset_us(const rig_config_t *cfg, size_t i, int stream)
{
    const rig_sync_config_t *c = &cfg->devices[i].sync;
    int64_t off = c->trigger_to_image_delay_us +
                  (stream == RIG_STREAM_DEPTH ? c->depth_delay_us : c->color_delay_us);
    if (rig_mode_needs_pulses(c->mode))
        off += pulse_delay_us(cfg, i);
    return off;
}

static void spread_of(const vec64_t *v, rig_report_spread_t *out)
{
    memset(out, 0, sizeof(*out));
    if (v->len == 0)
        return;
    int64_t *x = malloc(v->len * sizeof(*x));
    if (!x)
        return;
    memcpy(x, v->v, v->len * sizeof(*x));
    qsort(x, v->len, sizeof(*x), cmp_i64);
    out->matched = v->len;
    out->median_us = x[(v->len - 1) / 2];
    size_t p99 = (size_t)ceil(0.99 * (double)v->len);
    out->p99_us = x[(p99 ? p99 : 1) - 1];
    out->max_us = x[v->len - 1];
    free(x);
}

static bool timer_driven(rig_sync_mode_t m)
{
    /* Triggered modes capture at irregular instants: a period means nothing there. */
    return m != RIG_SYNC_MODE_SOFTWARE_TRIGGERING && m != RIG_SYNC_MODE_HARDWARE_TRIGGERING;
}

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
        if ((double)(end - last) < SILENT_AFTER_PERIODS * period_us)
            continue;
        const rig_sync_config_t *c = &cfg->devices[i].sync;
        if (!silent)
            rig_fmt(t, tl, "NOT SYNCHRONIZED:");
        silent = true;
        double at_s = (double)(last - first) / 1e6;
        if (rig_mode_needs_pulses(c->mode))
            rig_append(t, tl,
                       " device#%zu (%s, %s) stopped delivering frames %.1f s into the run, %.1f s "
                       "before the others: it captures only on trigger pulses, and they stopped "
                       "reaching it; check the sync cable into its sync-in (pulled or cut) and that "
                       "the device feeding it still has trigger_out_enable true.",
                       i, cfg->devices[i].serial, rig_sync_mode_name(c->mode), at_s,
                       (double)(end - last) / 1e6);
        else
            rig_append(t, tl,
                       " device#%zu (%s) stopped delivering frames %.1f s into the run, %.1f s "
                       "before the others; check its USB connection and power.",
                       i, cfg->devices[i].serial, at_s, (double)(end - last) / 1e6);
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

rig_error_t rig_report_summarize(const rig_report_t *r, rig_report_summary_t *sum)
{
    if (!r || !sum)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(sum, 0, sizeof(*sum));
    const rig_config_t *cfg = r->config;
    size_t n = r->ndev;
    sum->device_count = n;
    sum->devices = calloc(n ? n : 1, sizeof(*sum->devices));
    sum->pairs = calloc(r->npairs + 1, sizeof(*sum->pairs));
    if (!sum->devices || !sum->pairs || copy_events(r, sum) != RIG_OK) {
        rig_report_summary_free(sum);
        return RIG_ERROR_NO_MEMORY;
    }
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        rig_report_device_t *d = &sum->devices[i];
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            const series_t *se = series_of(r, i, s);
            stream_stats(se, &d->stream[s]);
            for (size_t k = 0; k < se->len; k++) {
                first = RIG_MIN(first, se->v[k].host_ts_us);
                last = RIG_MAX(last, se->v[k].host_ts_us);
            }
        }
        /* Both streams count on the same crystal in every timer-driven mode, and their
         * latencies are independent: averaging their rates halves the variance. */
        double rel_sum = 0;
        int rel_n = 0;
        for (int s = 0; s < RIG_STREAM_COUNT && timer_driven(cfg->devices[i].sync.mode); s++) {
            double nominal = 1e6 / (double)cfg->streams[s].fps;
            double period = envelope_period_us(series_of(r, i, s), nominal);
            if (period > 0) {
                rel_sum += period / nominal;
                rel_n++;
            }
        }
        d->period_known = rel_n > 0;
        d->rate_rel = rel_n ? rel_sum / rel_n : 0.0;
        d->capture_hz = rel_n ? (double)cfg->streams[RIG_STREAM_DEPTH].fps / d->rate_rel : 0.0;
    }
    sum->duration_s = last > first ? (double)(last - first) / 1e6 : 0.0;

    size_t p = 0;
    for (; p < r->npairs; p++) {
        const pair_acc_t *acc = &r->pairs[p];
        rig_report_pair_t *pr = &sum->pairs[p];
        pr->a = acc->a;
        pr->b = acc->b;
        spread_of(&acc->device, &pr->device);
        spread_of(&acc->global, &pr->global);
        const rig_report_device_t *da = &sum->devices[acc->a], *db = &sum->devices[acc->b];
        if (da->period_known && db->period_known) {
            /* Relative to nominal, so devices at different fps compare too. */
            pr->drift_known = true;
            pr->drift_us_per_s = (db->rate_rel - da->rate_rel) * 1e6;
        }
    }
    sum->pair_count = p;
    write_verdict(r, sum);
    note_interference(r, sum);
    return RIG_OK;
}

void rig_report_summary_free(rig_report_summary_t *sum)
{
    if (!sum)
        return;
    free(sum->devices);
    free(sum->pairs);
    free(sum->events);
    sum->devices = NULL;
    sum->pairs = NULL;
    sum->events = NULL;
    sum->event_count = 0;
    sum->device_count = sum->pair_count = 0;
}

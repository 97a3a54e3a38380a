#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"
#include "report/report_internal.h"



static int64_t capture_offset_us(const rig_config_t *cfg, size_t i, int stream);

rig_report_t *rig_report_create(const rig_config_t *config)
{
    if (!config)
        return NULL;
    rig_report_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->config = config;
    r->origin_us = RIG_TS_NONE;
    r->ndev = rig_config_device_count(config);
    r->series = calloc(r->ndev * RIG_STREAM_COUNT + 1, sizeof(*r->series));
    r->offset = calloc(r->ndev * RIG_STREAM_COUNT + 1, sizeof(*r->offset));
    r->nominal = calloc(RIG_STREAM_COUNT, sizeof(*r->nominal));
    /* All pairs for small rigs; against the reference device (the primary, else device 0)
     * for large ones: n - 1 lines. */
    size_t n = r->ndev;
    r->pairs = calloc(n * n + 1, sizeof(*r->pairs));
    if (!r->series || !r->offset || !r->pairs || !r->nominal) {
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
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        r->nominal[s] = 1e6 / (double)(config->streams[s].fps > 0 ? config->streams[s].fps : 30);
    return r;
}

void rig_report_destroy(rig_report_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->series && i < r->ndev * RIG_STREAM_COUNT; i++) {
        rig_envelope_free(&r->series[i].env);
        rig_envelope_free(&r->series[i].best_env);
    }
    for (size_t p = 0; r->pairs && p < r->npairs; p++) {
        rig_hist_free(&r->pairs[p].device);
        rig_hist_free(&r->pairs[p].global);
    }
    rig_timeline_destroy(r->timeline);
    free(r->series);
    free(r->pairs);
    free(r->offset);
    free(r->nominal);
    free(r);
}

/* Device `gone` left or came back: it and every device its pulses feed (they capture nothing
 * while it is away) start a new segment with their next frame. */
static void break_segments(rig_report_t *r, size_t gone)
{
    for (size_t j = 0; j < r->ndev; j++) {
        bool fed = j == gone;
        int up = (int)j;
        for (size_t hops = 0; !fed && hops < r->ndev; hops++) {
            up = rig_config_pulse_source(r->config, (size_t)up);
            if (up < 0)
                break;
            fed = (size_t)up == gone;
        }
        for (int k = 0; fed && k < RIG_STREAM_COUNT; k++)
            r->series[j * RIG_STREAM_COUNT + (size_t)k].break_next = true;
    }
}

void rig_report_set_origin(rig_report_t *r, int64_t host_us)
{
    if (r)
        r->origin_us = host_us;
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
    /* A device that left (or came back from) the bus: its arrivals have a gap that is no stall
     * and, after it, a new clock; its capture rate is fitted per segment. */
    if (event->device >= 0 && (size_t)event->device < r->ndev &&
        (strcmp(event->what, rig_device_event_name(RIG_DEVICE_EVENT_GONE)) == 0 ||
         strcmp(event->what, rig_device_event_name(RIG_DEVICE_EVENT_BACK)) == 0))
        break_segments(r, (size_t)event->device);
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
    if (r->timeline && !rig_timeline_capture(r->timeline, global_ts_us, r->offset))
        return RIG_ERROR_NO_MEMORY;
    for (size_t p = 0; p < r->npairs; p++) {
        pair_acc_t *pa = &r->pairs[p];
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            size_t ka = pa->a * RIG_STREAM_COUNT + (size_t)s;
            size_t kb = pa->b * RIG_STREAM_COUNT + (size_t)s;
            int64_t expected = r->offset[kb] - r->offset[ka];
            if (device_ts_us[ka] != RIG_TS_NONE && device_ts_us[kb] != RIG_TS_NONE) {
                int64_t d = rig_sat_sub(rig_sat_sub(device_ts_us[kb], device_ts_us[ka]), expected);
                if (!rig_hist_add(&pa->device, d == INT64_MIN ? INT64_MAX : d < 0 ? -d : d))
                    return RIG_ERROR_NO_MEMORY;
            }
            if (global_ts_us[ka] != RIG_TS_NONE && global_ts_us[kb] != RIG_TS_NONE) {
                int64_t d = rig_sat_sub(rig_sat_sub(global_ts_us[kb], global_ts_us[ka]), expected);
                if (!rig_hist_add(&pa->global, d == INT64_MIN ? INT64_MAX : d < 0 ? -d : d))
                    return RIG_ERROR_NO_MEMORY;
            }
        }
    }
    return RIG_OK;
}

static bool timer_driven(rig_sync_mode_t m);

/* Closes the current segment of a stream (keeping it when it is the longest so far) and lets
 * the next frame open a new one. */
static void start_segment(series_t *s)
{
    s->break_next = false;
    if (s->seg_frames > 0 && span_s(s->seg_first_us, s->in_last_us) >
                                 span_s(s->best_first_us, s->best_last_us)) {
        rig_envelope_free(&s->best_env);
        s->best_env = s->env;
        s->best_first_us = s->seg_first_us;
        s->best_last_us = s->in_last_us;
        s->best_frames = s->seg_frames;
        memset(&s->env, 0, sizeof(s->env));
    } else {
        rig_envelope_free(&s->env);
    }
    s->seg_frames = 0;
}

/* How far off a whole number of periods the global time since the last regular capture may be
 * for the capture to count as regular (an extra pulse lands in between). */
#define PULSE_ROUND_TOLERANCE 0.25
/* A whole number of periods, but off them by more than this many times the usual deviation
 * (and at least PHASE_JUMP_MIN_US): the capture phase moved (a SECONDARY_SYNCED device
 * re-phasing onto the first pulses, a pulse path that changed). The global times of
 * consecutive captures agree with the period to some ten microseconds; a jump of a few hundred
 * left in one segment would tilt its fit by that much over the segment's length. */
#define PHASE_JUMP_DEVIATIONS 8.0
#define PHASE_JUMP_MIN_US 100.0

typedef enum step_kind { STEP_REGULAR, STEP_IRREGULAR, STEP_PHASE_JUMP } step_kind_t;

/* Captures between global times g_from and g_to at the stream's period estimate: *n whole
 * periods, and whether that is regular, no whole number (an extra pulse, a nonsense timestamp)
 * or a whole number off by a jump of the phase. */
static step_kind_t periods_between(const series_t *s, int64_t g_from, int64_t g_to,
                                   double nominal, uint64_t *n)
{
    double dt = span_s(g_from, g_to) * 1e6;
    double q = dt / (s->period_known ? s->period_est : nominal);
    double k = floor(q + 0.5);
    if (!(k >= 1.0 && k < 1e9) || fabs(q - k) > PULSE_ROUND_TOLERANCE)
        return STEP_IRREGULAR;
    *n = (uint64_t)k;
    if (!s->period_known)
        return STEP_REGULAR; /* the first interval gives the period (a model's own rate) */
    double limit = RIG_MAX(PHASE_JUMP_MIN_US, PHASE_JUMP_DEVIATIONS * s->deviation_us);
    return fabs(dt - k * s->period_est) > limit ? STEP_PHASE_JUMP : STEP_REGULAR;
}

rig_error_t rig_report_add(rig_report_t *r, size_t device, rig_stream_t stream,
                           uint64_t frame_index, int64_t host_ts_us, int64_t global_ts_us,
                           bool interfered)
{
    if (!r || device >= r->ndev || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (r->timeline &&
        !rig_timeline_frame(r->timeline, device, stream, frame_index, host_ts_us, interfered))
        return RIG_ERROR_NO_MEMORY;
    series_t *s = &r->series[device * RIG_STREAM_COUNT + stream];
    bool first = s->frames == 0;
    s->frames++;
    s->interfered += interfered;
    if (first || frame_index < s->idx_lo)
        s->idx_lo = frame_index;
    if (first || frame_index > s->idx_hi)
        s->idx_hi = frame_index;
    if (host_ts_us == RIG_TS_NONE)
        return RIG_OK;
    double nominal = r->nominal[stream];
    if (s->timed && s->break_next)
        start_segment(s);
    if (!s->timed)
        s->first_us = s->last_us = s->in_first_us = host_ts_us;
    s->timed = true;
    s->first_us = RIG_MIN(s->first_us, host_ts_us);
    s->last_us = RIG_MAX(s->last_us, host_ts_us);
    if (s->seg_frames == 0) {
        /* a segment's first capture: x = 0 */
        s->seg_first_us = host_ts_us;
        s->pulse = 0;
        s->h0 = host_ts_us;
        s->g_cand = RIG_TS_NONE;
        if (!s->period_known)
            s->deviation_us = PHASE_JUMP_MIN_US / PHASE_JUMP_DEVIATIONS;
    } else {
        /* Captures since the last regular one, the x step of the envelope. On the global time
         * line when both have one: a pulse that never came (a trigger glitch, upstream away)
         * leaves two periods with the index advanced by one, so counting periods keeps the
         * envelope straight; else by the frame index. */
        uint64_t step = 0;
        step_kind_t kind = STEP_REGULAR;
        if (global_ts_us != RIG_TS_NONE && s->g_last != RIG_TS_NONE)
            kind = periods_between(s, s->g_last, global_ts_us, nominal, &step);
        else
            step = frame_index > s->prev_index ? frame_index - s->prev_index : 0;
        if (kind == STEP_IRREGULAR) {
            /* An extra capture or a nonsense stamp, unless the next capture is a whole number
             * of periods after this one: then the phase moved and it confirms the move. */
            uint64_t n;
            if (s->g_cand == RIG_TS_NONE ||
                periods_between(s, s->g_cand, global_ts_us, nominal, &n) != STEP_REGULAR) {
                s->g_cand = global_ts_us;
                return RIG_OK; /* counted above; no point of the envelope */
            }
            kind = STEP_PHASE_JUMP;
        }
        s->g_cand = RIG_TS_NONE;
        if (kind == STEP_PHASE_JUMP) {
            /* The line of arrivals moved: a new segment from this capture. */
            start_segment(s);
            s->period_known = false; /* the first interval may have held the jump: learn again */
            s->seg_first_us = host_ts_us;
            s->pulse = 0;
            s->h0 = host_ts_us;
            step = 0;
        } else if (step == 0) {
            return RIG_OK; /* a repeated index */
        }
        if (kind == STEP_REGULAR && global_ts_us != RIG_TS_NONE && s->g_last != RIG_TS_NONE) {
            double dt = span_s(s->g_last, global_ts_us) * 1e6;
            if (!s->period_known) {
                s->period_known = true;
                s->period_est = dt / (double)step;
            }
            s->deviation_us += (fabs(dt - (double)step * s->period_est) - s->deviation_us) / 32.0;
            s->period_est += (dt / (double)step - s->period_est) / 16.0;
        }
        /* A stall: the arrivals paused longer than the captures in between explain. */
        if (step > 0 && timer_driven(r->config->devices[device].sync.mode)) {
            double excess = span_s(s->prev_host, host_ts_us) * 1e6 - (double)step * nominal;
            if (excess >= STALL_MIN_US) {
                s->stalls++;
                if (r->timeline && !rig_timeline_stall(r->timeline, device, host_ts_us))
                    return RIG_ERROR_NO_MEMORY;
                s->stall_total_us += excess;
                int64_t e = excess >= 9.2e18 ? INT64_MAX : (int64_t)llround(excess);
                s->stall_longest_us = RIG_MAX(s->stall_longest_us, e);
            }
        }
        s->pulse += step;
    }
    /* Residuals to the nominal period keep the numbers small and exact in double. */
    double x = (double)s->pulse;
    double y = span_s(s->h0, host_ts_us) * 1e6 - x * nominal;
    if (!rig_envelope_add(&s->env, x, y))
        return RIG_ERROR_NO_MEMORY;
    s->prev_index = frame_index;
    s->prev_host = host_ts_us;
    s->in_last_us = host_ts_us;
    s->g_last = global_ts_us;
    s->seg_frames++;
    return RIG_OK;
}

rig_error_t rig_report_add_unmatched(rig_report_t *r, size_t device, rig_stream_t stream,
                                     rig_unmatched_reason_t reason)
{
    if (!r || device >= r->ndev || (unsigned)stream >= RIG_STREAM_COUNT ||
        (unsigned)reason >= RIG_UNMATCHED_REASON_COUNT)
        return RIG_ERROR_INVALID_ARGUMENT;
    r->series[device * RIG_STREAM_COUNT + stream].unmatched[reason]++;
    if (r->timeline && !rig_timeline_unmatched(r->timeline, device, stream))
        return RIG_ERROR_NO_MEMORY;
    return RIG_OK;
}

rig_error_t rig_report_add_wall(rig_report_t *r, size_t device, rig_stream_t stream,
                                int64_t host_ts_us, int64_t wall_us)
{
    if (!r || device >= r->ndev || (unsigned)stream >= RIG_STREAM_COUNT ||
        host_ts_us == RIG_TS_NONE || wall_us == RIG_TS_NONE)
        return RIG_ERROR_INVALID_ARGUMENT;
    series_t *s = &r->series[device * RIG_STREAM_COUNT + stream];
    if (s->wall_frames++ == 0) {
        s->wall_first_us = s->wall_last_us = wall_us;
    } else {
        s->wall_first_us = RIG_MIN(s->wall_first_us, wall_us);
        s->wall_last_us = RIG_MAX(s->wall_last_us, wall_us);
    }
    int64_t lag = rig_sat_sub(wall_us, host_ts_us);
    if (!r->wall_any) {
        r->wall_any = true;
        r->lag_base_us = r->lag_max_us = lag;
        r->wall_first_us = r->wall_last_us = wall_us;
        r->wall_host_first_us = r->wall_host_last_us = host_ts_us;
    }
    r->wall_first_us = RIG_MIN(r->wall_first_us, wall_us);
    r->wall_last_us = RIG_MAX(r->wall_last_us, wall_us);
    r->wall_host_first_us = RIG_MIN(r->wall_host_first_us, host_ts_us);
    r->wall_host_last_us = RIG_MAX(r->wall_host_last_us, host_ts_us);
    /* The least wall - host seen is "on time" (the clocks' offset plus the fastest hand-over);
     * a frame is behind by its excess over it (counted against the least seen so far). */
    r->lag_base_us = RIG_MIN(r->lag_base_us, lag);
    r->lag_max_us = RIG_MAX(r->lag_max_us, lag); /* raw until the summary */
    if (rig_sat_sub(lag, r->lag_base_us) > HOST_LAG_LIMIT_US)
        r->lagging_frames++;
    return RIG_OK;
}

static const series_t *series_of(const rig_report_t *r, size_t dev, int stream)
{
    return &r->series[dev * RIG_STREAM_COUNT + (size_t)stream];
}

static void stream_stats(const series_t *s, rig_report_stream_t *out)
{
    memset(out, 0, sizeof(*out));
    out->frames = s->frames;
    out->interfered = s->interfered;
    for (int k = 1; k < RIG_UNMATCHED_REASON_COUNT; k++)
        out->unmatched += s->unmatched[k];
    out->stalls = s->stalls;
    out->stall_longest_us = s->stall_longest_us;
    if (s->frames == 0)
        return;
    uint64_t range = s->idx_hi - s->idx_lo;
    out->drops = range >= s->frames ? range + 1 - s->frames : 0;
    if (!s->timed)
        return;
    out->first_us = s->first_us;
    out->last_us = s->last_us;
    double span_us = span_s(s->first_us, s->last_us) * 1e6;
    if (s->frames > 1 && span_us >= FPS_MIN_SPAN_US)
        out->fps = (double)(s->frames - 1) * 1e6 / span_us;
    double wall_us = span_s(s->wall_first_us, s->wall_last_us) * 1e6;
    if (s->wall_frames > 1 && wall_us >= FPS_MIN_SPAN_US)
        out->wall_fps = (double)(s->wall_frames - 1) * 1e6 / wall_us;
}

/* Capture period on the host clock: the lower envelope of (frame index, arrival) has the real
 * period as its slope (see common/hull.h, report/stats.h). Returns 0 when unknown. */
static double envelope_period_us(const series_t *s, double nominal_us)
{
    if (!s->timed)
        return 0.0;
    /* the longest segment: the current one or the best finished one */
    const rig_envelope_t *env = &s->env;
    double span_us = span_s(s->seg_first_us, s->in_last_us) * 1e6;
    uint64_t frames = s->seg_frames;
    if (s->best_frames > 0 && span_s(s->best_first_us, s->best_last_us) * 1e6 > span_us) {
        env = &s->best_env;
        span_us = span_s(s->best_first_us, s->best_last_us) * 1e6;
        frames = s->best_frames;
    }
    if (frames < ENVELOPE_MIN_FRAMES || span_us < ENVELOPE_MIN_SPAN_US)
        return 0.0;
    double slope, intercept;
    if (!rig_envelope_line(env, &slope, &intercept))
        return 0.0;
    return nominal_us + slope;
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

/* Median and p99 as ranks of the sorted values (within 1 % above 1 ms: report/stats.h). */
static void spread_of(const rig_hist_t *h, rig_report_spread_t *out)
{
    memset(out, 0, sizeof(*out));
    if (h->n == 0)
        return;
    out->matched = h->n;
    out->median_us = rig_hist_rank(h, (h->n - 1) / 2);
    uint64_t p99 = (uint64_t)ceil(0.99 * (double)h->n);
    out->p99_us = rig_hist_rank(h, (p99 ? p99 : 1) - 1);
    out->max_us = h->max;
}

static bool timer_driven(rig_sync_mode_t m)
{
    /* Triggered modes capture at irregular instants: a period means nothing there. */
    return m != RIG_SYNC_MODE_SOFTWARE_TRIGGERING && m != RIG_SYNC_MODE_HARDWARE_TRIGGERING;
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
            if (se->timed) {
                first = RIG_MIN(first, se->first_us);
                last = RIG_MAX(last, se->last_us);
            }
            sum->frames += se->frames;
            for (int k = 1; k < RIG_UNMATCHED_REASON_COUNT; k++) {
                sum->unmatched_by_reason[k] += se->unmatched[k];
                sum->unmatched += se->unmatched[k];
            }
            sum->stalls += se->stalls;
            sum->stall_longest_us = RIG_MAX(sum->stall_longest_us, se->stall_longest_us);
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
    sum->first_us = last >= first ? first : 0;
    sum->origin_us = r->origin_us != RIG_TS_NONE ? r->origin_us : sum->first_us;
    sum->duration_s = last > first ? span_s(first, last) : 0.0;
    if (r->wall_any) {
        sum->wall_known = true;
        sum->wall_span_s = span_s(r->wall_first_us, r->wall_last_us);
        sum->wall_host_span_s = span_s(r->wall_host_first_us, r->wall_host_last_us);
        sum->host_lag_max_us = RIG_MAX(0, rig_sat_sub(r->lag_max_us, r->lag_base_us));
        sum->lagging_frames = r->lagging_frames;
    }

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
    rig_report_write_verdict(r, sum);
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

/*
 * ToF depth interference: when do two depth cameras' laser pulse trains overlap, and which
 * depth delays keep every camera of a rig clear of the others.
 */
#include "mode/tof.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "mode/mode.h"

rig_tof_params_t rig_tof_params_default(void)
{
    rig_tof_params_t p = {.pulses = 9, .pulse_us = 125, .gap_us = 1450, .min_spacing_us = 160};
    return p;
}

int64_t rig_tof_pulse_period_us(const rig_tof_params_t *p) { return p->pulse_us + p->gap_us; }

int64_t rig_tof_train_us(const rig_tof_params_t *p)
{
    return (int64_t)(p->pulses - 1) * rig_tof_pulse_period_us(p) + p->pulse_us;
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

bool rig_tof_trains_overlap(const rig_tof_params_t *p, int64_t start_a_us, int64_t start_b_us)
{
    if (!p || p->pulses <= 0 || p->pulse_us <= 0)
        return false;
    int64_t d = start_b_us - start_a_us;
    if (abs64(d) >= rig_tof_train_us(p))
        return false;
    /* Pulse i of A, [a + i*P, a + i*P + w), meets pulse j of B iff |d - (i - j)*P| < w. The
     * nearest multiples of P to d are the only candidates; they must be a reachable i - j. */
    int64_t period = rig_tof_pulse_period_us(p);
    int64_t k = d / period;
    if (d % period < 0)
        k--; /* floor */
    for (int64_t c = k - 1; c <= k + 2; c++)
        if (abs64(c) <= p->pulses - 1 && abs64(d - c * period) < p->pulse_us)
            return true;
    return false;
}

/* Slots of one group on the pulse-period circle, and the distance between groups. */
static int64_t slots_per_group(const rig_tof_params_t *p)
{
    int64_t s = rig_tof_pulse_period_us(p) / p->min_spacing_us;
    return s < 1 ? 1 : s;
}

/* A group starts once the previous one is over: its first pulse min_spacing after the start of
 * the previous group's last pulse (last slot + (pulses - 1) * period). Groups never share time. */
static int64_t group_stride_us(const rig_tof_params_t *p)
{
    return (slots_per_group(p) - 1) * p->min_spacing_us + rig_tof_train_us(p) +
           p->min_spacing_us - p->pulse_us;
}

/* Start of slot i: group i / slots, position i % slots. */
static int64_t slot_us(const rig_tof_params_t *p, size_t i)
{
    int64_t per = slots_per_group(p);
    return (int64_t)i / per * group_stride_us(p) + (int64_t)i % per * p->min_spacing_us;
}

/* The last pulse of a train at `start` begins min_spacing before the next frame's first train. */
static bool slot_fits(const rig_tof_params_t *p, int64_t start, int64_t frame_period_us)
{
    return start + rig_tof_train_us(p) + p->min_spacing_us - p->pulse_us <= frame_period_us;
}

static bool params_ok(const rig_tof_params_t *p)
{
    return p && p->pulses > 0 && p->pulse_us > 0 && p->gap_us >= 0 && p->min_spacing_us > 0;
}

size_t rig_tof_capacity(const rig_tof_params_t *p, int64_t frame_period_us)
{
    if (!params_ok(p))
        return 0;
    size_t n = 0;
    while (slot_fits(p, slot_us(p, n), frame_period_us))
        n++;
    return n < 1 ? 1 : n;
}

bool rig_tof_plan(const rig_tof_params_t *p, size_t n, int64_t frame_period_us,
                  const int64_t *base_us, int64_t *delays_us, char *msg, size_t msg_len)
{
    if (msg && msg_len)
        msg[0] = '\0';
    if (!params_ok(p) || frame_period_us <= 0 || (n && !delays_us)) {
        if (msg)
            rig_fmt(msg, msg_len, "invalid ToF parameters or frame period.");
        return false;
    }
    size_t cap = rig_tof_capacity(p, frame_period_us);
    if (n > cap) {
        size_t per = (size_t)slots_per_group(p);
        size_t groups = (cap + per - 1) / per;
        if (msg)
            rig_fmt(msg, msg_len,
                    "at most %zu depth cameras triggered together fit a %lld us frame period "
                    "without overlapping ToF pulses (%zu per group, %lld us apart within the "
                    "%lld us pulse period; %zu group%s, %lld us apart), not %zu.",
                    cap, (long long)frame_period_us, per, (long long)p->min_spacing_us,
                    (long long)rig_tof_pulse_period_us(p), groups, groups == 1 ? "" : "s",
                    (long long)group_stride_us(p), n);
        return false;
    }
    int64_t shift = 0;
    for (size_t i = 0; base_us && i < n; i++)
        shift = RIG_MAX(shift, base_us[i] - slot_us(p, i));
    for (size_t i = 0; i < n; i++) {
        int64_t d = slot_us(p, i) + shift - (base_us ? base_us[i] : 0);
        if (d >= frame_period_us) {
            if (msg)
                rig_fmt(msg, msg_len,
                        "camera %zu would need a depth delay of %lld us, a full %lld us frame "
                        "period or more, because the trigger reaches the cameras at times up to "
                        "%lld us apart; lower trigger_out_delay_us / trigger_to_image_delay_us.",
                        i, (long long)d, (long long)frame_period_us, (long long)shift);
            return false;
        }
        delays_us[i] = d;
    }
    return true;
}

int64_t rig_tof_frame_period_us(const rig_config_t *cfg)
{
    uint32_t fps = cfg ? cfg->streams[RIG_STREAM_DEPTH].fps : 0;
    return fps ? 1000000 / (int64_t)fps : 1000000;
}

static bool generator_feeds(const rig_config_t *cfg, size_t index)
{
    const rig_sim_spec_t *sim = &cfg->sim;
    for (size_t k = 0; k < sim->generator_count; k++) {
        size_t s = sim->generator_to[k];
        if (s < sim->device_count &&
            strcmp(sim->devices[s].serial, cfg->devices[index].serial) == 0)
            return true;
    }
    return false;
}

int rig_tof_device_clock(const rig_config_t *cfg, size_t index, int64_t *base_us)
{
    if (base_us)
        *base_us = 0;
    if (!cfg || index >= cfg->device_count)
        return RIG_TOF_NO_CLOCK;
    const rig_sync_config_t *s = &cfg->devices[index].sync;
    int64_t image = s->trigger_to_image_delay_us;
    if (s->mode == RIG_SYNC_MODE_FREE_RUN || s->mode == RIG_SYNC_MODE_STANDALONE ||
        rig_mode_is_pulse_source(s)) {
        if (base_us)
            *base_us = image;
        return (int)index;
    }
    /* SECONDARY, SECONDARY_SYNCED, HARDWARE_TRIGGERING: follow the pulses upstream. */
    int64_t arrival = 0;
    size_t cur = index;
    for (size_t step = 0; step <= cfg->device_count; step++) {
        if (generator_feeds(cfg, cur)) {
            if (base_us)
                *base_us = arrival + image;
            return (int)cfg->device_count;
        }
        int up = rig_config_pulse_source(cfg, cur);
        if (up < 0 || up == (int)index)
            break;
        const rig_sync_config_t *u = &cfg->devices[up].sync;
        if (!rig_mode_drives_sync_out(u))
            break;
        arrival += u->trigger_out_delay_us;
        if (rig_mode_is_pulse_source(u)) {
            if (base_us)
                *base_us = arrival + image;
            return up;
        }
        cur = (size_t)up;
    }
    /* No pulses reach it: a SECONDARY_SYNCED keeps capturing on its own clock. */
    if (s->mode == RIG_SYNC_MODE_SECONDARY_SYNCED) {
        if (base_us)
            *base_us = image;
        return (int)index;
    }
    return RIG_TOF_NO_CLOCK;
}


/* Devices the signal generator feeds, by config index: one pass over its list. */
static bool *generator_fed(const rig_config_t *cfg)
{
    size_t n = cfg->device_count;
    bool *fed = calloc(n ? n : 1, sizeof(*fed));
    const rig_sim_spec_t *sim = &cfg->sim;
    for (size_t k = 0; fed && k < sim->generator_count; k++) {
        size_t s = sim->generator_to[k];
        int i = s < sim->device_count ? rig_config_find_serial(cfg, sim->devices[s].serial) : -1;
        if (i >= 0)
            fed[i] = true;
    }
    return fed;
}

/* Walking up from a device that is not a clock of its own (rig_tof_device_clock's loop), where
 * do the pulses come from: up_clock[x] (a device, device_count for the generator, or
 * RIG_TOF_NO_CLOCK when the walk dies or loops) and up_arrival[x] (the trigger_out_delay_us
 * summed on the way). Each walk stops at the first device already resolved. */
enum { UP_UNKNOWN = -2 };

static void resolve_upstream(const rig_config_t *cfg, const bool *fed, int *up_clock,
                             int64_t *up_arrival, size_t *path, bool *on_path, size_t start)
{
    size_t n = cfg->device_count, len = 0, cur = start;
    int clock = RIG_TOF_NO_CLOCK;
    int64_t arrival = 0;
    /* Up the chain until the answer for the last device on the path is known. */
    for (;;) {
        on_path[cur] = true;
        path[len++] = cur;
        if (fed[cur]) {
            clock = (int)n;
            break;
        }
        int up = rig_config_pulse_source(cfg, cur);
        if (up < 0 || !rig_mode_drives_sync_out(&cfg->devices[up].sync))
            break;
        int64_t delay = cfg->devices[up].sync.trigger_out_delay_us;
        if (rig_mode_is_pulse_source(&cfg->devices[up].sync)) {
            clock = up;
            arrival = delay;
            break;
        }
        if (up_clock[up] != UP_UNKNOWN) {
            clock = up_clock[up];
            arrival = clock == RIG_TOF_NO_CLOCK ? 0 : delay + up_arrival[up];
            break;
        }
        if (on_path[up])
            break; /* a loop without a source: no clock for anyone on the path */
        cur = (size_t)up;
    }
    /* Back down: path[k] gets its pulses through path[k + 1], delayed by its trigger out. */
    for (size_t k = len; k-- > 0;) {
        size_t x = path[k];
        on_path[x] = false;
        if (k + 1 < len && clock != RIG_TOF_NO_CLOCK)
            arrival += cfg->devices[path[k + 1]].sync.trigger_out_delay_us;
        up_clock[x] = clock;
        up_arrival[x] = clock == RIG_TOF_NO_CLOCK ? 0 : arrival;
    }
}

rig_error_t rig_tof_device_clocks(const rig_config_t *cfg, int *clock, int64_t *base_us)
{
    if (!cfg || (cfg->device_count && !clock))
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t n = cfg->device_count;
    bool *fed = generator_fed(cfg);
    int *up_clock = malloc((n ? n : 1) * sizeof(*up_clock));
    int64_t *up_arrival = calloc(n ? n : 1, sizeof(*up_arrival));
    size_t *path = malloc((n ? n : 1) * sizeof(*path));
    bool *on_path = calloc(n ? n : 1, sizeof(*on_path));
    rig_error_t err = RIG_OK;
    if (!fed || !up_clock || !up_arrival || !path || !on_path) {
        err = RIG_ERROR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        up_clock[i] = UP_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        const rig_sync_config_t *s = &cfg->devices[i].sync;
        int64_t image = s->trigger_to_image_delay_us;
        int c;
        int64_t base = image;
        if (s->mode == RIG_SYNC_MODE_FREE_RUN || s->mode == RIG_SYNC_MODE_STANDALONE ||
            rig_mode_is_pulse_source(s)) {
            c = (int)i;
        } else {
            if (up_clock[i] == UP_UNKNOWN)
                resolve_upstream(cfg, fed, up_clock, up_arrival, path, on_path, i);
            c = up_clock[i];
            base = up_arrival[i] + image;
            if (c == RIG_TOF_NO_CLOCK) {
                /* No pulses reach it: a SECONDARY_SYNCED keeps capturing on its own clock. */
                c = s->mode == RIG_SYNC_MODE_SECONDARY_SYNCED ? (int)i : RIG_TOF_NO_CLOCK;
                base = c == RIG_TOF_NO_CLOCK ? 0 : image;
            }
        }
        clock[i] = c;
        if (base_us)
            base_us[i] = base;
    }
done:
    free(fed);
    free(up_clock);
    free(up_arrival);
    free(path);
    free(on_path);
    return err;
}

void rig_tof_interference_free(rig_tof_interference_t *r)
{
    if (!r)
        return;
    free(r->clock);
    free(r->depth_start_us);
    free(r->pairs);
    memset(r, 0, sizeof(*r));
}

/* Trains of two devices on one clock repeat every frame: b's train of a nearby frame
 * (k frames away, |k| <= reach = train / frame + 1) overlaps a's when
 * rig_tof_trains_overlap(a, b + k * frame), i.e. when for some c in [-(pulses - 1), pulses - 1]
 * |d + k * frame - c * period| < pulse_us, d = start_b - start_a (whole us). The d that do,
 * as merged, disjoint closed ranges [lo, hi], ascending: a short list (51 ranges at 30 fps). */
typedef struct range {
    int64_t lo, hi;
} range_t;

static int cmp_range(const void *x, const void *y)
{
    const range_t *a = x, *b = y;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static range_t *overlap_ranges(const rig_tof_params_t *p, int64_t frame_period_us, size_t *count)
{
    int64_t reach = rig_tof_train_us(p) / frame_period_us + 1;
    int64_t period = rig_tof_pulse_period_us(p);
    size_t max = (size_t)(2 * reach + 1) * (size_t)(2 * p->pulses - 1);
    range_t *r = malloc(max * sizeof(*r));
    if (!r)
        return NULL;
    size_t m = 0;
    for (int64_t k = -reach; k <= reach; k++)
        for (int64_t c = -(p->pulses - 1); c <= p->pulses - 1; c++) {
            int64_t center = c * period - k * frame_period_us;
            r[m++] = (range_t){center - p->pulse_us + 1, center + p->pulse_us - 1};
        }
    qsort(r, m, sizeof(*r), cmp_range);
    size_t out = 0;
    for (size_t i = 0; i < m; i++) {
        if (out && r[i].lo <= r[out - 1].hi + 1)
            r[out - 1].hi = RIG_MAX(r[out - 1].hi, r[i].hi);
        else
            r[out++] = r[i];
    }
    *count = out;
    return r;
}

/* Devices are ordered by (clock, depth start, index); qsort has no user argument in C11, and
 * this module has no state otherwise: the ordering is done with a merge sort of its own. */

static bool start_before(const rig_tof_interference_t *r, size_t a, size_t b)
{
    if (r->clock[a] != r->clock[b])
        return r->clock[a] < r->clock[b];
    if (r->depth_start_us[a] != r->depth_start_us[b])
        return r->depth_start_us[a] < r->depth_start_us[b];
    return a < b;
}

/* Bottom-up merge sort of order[0, n) by start_before, tmp the same size. */
static void sort_by_start(const rig_tof_interference_t *r, size_t *order, size_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = RIG_MIN(lo + width, n), hi = RIG_MIN(lo + 2 * width, n);
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = start_before(r, order[j], order[i]) ? order[j++] : order[i++];
            while (i < mid)
                tmp[k++] = order[i++];
            while (j < hi)
                tmp[k++] = order[j++];
        }
        memcpy(order, tmp, n * sizeof(*order));
    }
}

/* First position in order[lo, hi) whose start is >= v (the run is sorted by start). */
static size_t lower_bound(const size_t *order, size_t lo, size_t hi, const int64_t *start,
                          int64_t v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (start[order[mid]] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

rig_error_t rig_tof_find_interference(const rig_config_t *cfg, const rig_tof_params_t *p,
                                      rig_tof_interference_t *out)
{
    if (!out)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (!cfg || !params_ok(p))
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t n = cfg->device_count;
    out->device_count = n;
    out->clock = calloc(n ? n : 1, sizeof(*out->clock));
    out->depth_start_us = calloc(n ? n : 1, sizeof(*out->depth_start_us));
    out->pairs = calloc(RIG_TOF_PAIRS_LISTED, sizeof(*out->pairs));
    /* +1: the signal generator's slot */
    bool *seen = calloc(n + 1, sizeof(*seen));
    size_t *order = malloc((n ? n : 1) * sizeof(*order));
    size_t *run_lo = malloc((n ? n : 1) * sizeof(*run_lo)); /* per position: its clock's first */
    size_t *run_end = malloc((n ? n : 1) * sizeof(*run_end)); /* per position: its clock's end */
    size_t *pos = malloc((n ? n : 1) * sizeof(*pos));         /* per device: its position */
    size_t *partners = malloc(RIG_TOF_PAIRS_LISTED * sizeof(*partners));
    size_t nranges = 0;
    range_t *ranges = overlap_ranges(p, rig_tof_frame_period_us(cfg), &nranges);
    rig_error_t err = RIG_OK;
    if (!out->clock || !out->depth_start_us || !out->pairs || !seen || !order || !run_lo || !run_end ||
        !pos || !partners || !ranges ||
        rig_tof_device_clocks(cfg, out->clock, out->depth_start_us) != RIG_OK) {
        err = RIG_ERROR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        out->depth_start_us[i] += cfg->devices[i].sync.depth_delay_us;
        if (out->clock[i] != RIG_TOF_NO_CLOCK && !seen[out->clock[i]]) {
            seen[out->clock[i]] = true;
            out->clock_count++;
        }
        order[i] = i;
    }
    out->independent_clocks = out->clock_count >= 2;

    /* Pairs overlap only on one clock, when their start difference falls in a range: sort by
     * clock then start, and count, for each device, the others of its clock in each range. */
    sort_by_start(out, order, pos, n); /* pos: scratch until filled below */
    for (size_t i = 0; i < n; i++)
        run_lo[i] = i > 0 && out->clock[order[i - 1]] == out->clock[order[i]] ? run_lo[i - 1] : i;
    for (size_t i = n; i-- > 0;) {
        pos[order[i]] = i;
        run_end[i] = i + 1 < n && out->clock[order[i + 1]] == out->clock[order[i]] ? run_end[i + 1]
                                                                                  : i + 1;
    }
    const int64_t *start = out->depth_start_us;
    for (size_t i = 0; i < n; i++) {
        if (out->clock[order[i]] == RIG_TOF_NO_CLOCK)
            continue;
        size_t end = run_end[i], count = 0;
        for (size_t k = 0; k < nranges; k++) {
            size_t lo = lower_bound(order, run_lo[i], end, start, start[order[i]] + ranges[k].lo);
            size_t hi = lower_bound(order, lo, end, start, start[order[i]] + ranges[k].hi + 1);
            count += hi - lo;
            if (ranges[k].lo <= 0 && ranges[k].hi >= 0)
                count--; /* itself */
        }
        out->pair_count += count; /* each pair twice, once from each side */
    }
    out->pair_count /= 2;

    /* The first pairs in (a, b) order: for each a, its partners b > a, smallest first. A device
     * whose partners all come before it costs at most the pairs already listed. */
    size_t listed = 0;
    for (size_t a = 0; a < n && listed < RIG_TOF_PAIRS_LISTED && listed < out->pair_count; a++) {
        if (out->clock[a] == RIG_TOF_NO_CLOCK)
            continue;
        size_t i = pos[a], lo_run = run_lo[i], end = run_end[i];
        size_t want = RIG_TOF_PAIRS_LISTED - listed, got = 0;
        for (size_t k = 0; k < nranges; k++) {
            size_t lo = lower_bound(order, lo_run, end, start, start[a] + ranges[k].lo);
            size_t hi = lower_bound(order, lo, end, start, start[a] + ranges[k].hi + 1);
            for (size_t q = lo; q < hi; q++) {
                size_t b = order[q];
                if (b <= a)
                    continue;
                /* keep the `want` smallest b, ascending (insertion into a short list) */
                if (got == want && b >= partners[got - 1])
                    continue;
                size_t at = got < want ? got++ : got - 1;
                while (at > 0 && partners[at - 1] > b) {
                    partners[at] = partners[at - 1];
                    at--;
                }
                partners[at] = b;
            }
        }
        for (size_t k = 0; k < got; k++) {
            rig_tof_pair_t *pr = &out->pairs[listed++];
            pr->a = a;
            pr->b = partners[k];
            pr->start_a_us = start[a];
            pr->start_b_us = start[partners[k]];
        }
    }
done:
    free(seen);
    free(order);
    free(run_lo);
    free(run_end);
    free(pos);
    free(partners);
    free(ranges);
    if (err != RIG_OK)
        rig_tof_interference_free(out);
    return err;
}

rig_error_t rig_tof_plan_config(const rig_config_t *cfg, const rig_tof_params_t *p,
                                int32_t *delays_us, char *msg, size_t msg_len)
{
    if (msg && msg_len)
        msg[0] = '\0';
    if (!cfg || !params_ok(p) || !delays_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    size_t n = cfg->device_count;
    int *clock = calloc(n ? n : 1, sizeof(*clock));
    int64_t *base = calloc(n ? n : 1, sizeof(*base));
    int64_t *group_base = calloc(n ? n : 1, sizeof(*group_base));
    int64_t *planned = calloc(n ? n : 1, sizeof(*planned));
    size_t *members = calloc(n ? n : 1, sizeof(*members));
    size_t *first = calloc(n + 2, sizeof(*first)); /* per clock: where its members start */
    rig_error_t err = RIG_OK;
    if (!clock || !base || !group_base || !planned || !members || !first ||
        rig_tof_device_clocks(cfg, clock, base) != RIG_OK) {
        err = RIG_ERROR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        delays_us[i] = cfg->devices[i].sync.depth_delay_us;
    /* The devices of each clock 0..n, in config order (a counting sort). */
    for (size_t i = 0; i < n; i++)
        if (clock[i] != RIG_TOF_NO_CLOCK)
            first[clock[i] + 1]++;
    for (size_t c = 0; c <= n; c++)
        first[c + 1] += first[c];
    for (size_t i = 0; i < n; i++)
        if (clock[i] != RIG_TOF_NO_CLOCK)
            members[first[clock[i]]++] = i;
    for (size_t c = n + 1; c-- > 1;) /* first[c] moved to the end of clock c: move it back */
        first[c] = first[c - 1];
    first[0] = 0;
    int64_t frame = rig_tof_frame_period_us(cfg);
    /* One plan per clock, its devices in config order. */
    for (int c = 0; c <= (int)n && err == RIG_OK; c++) {
        size_t m = first[c + 1] - first[c];
        const size_t *mem = &members[first[c]];
        if (m == 0)
            continue;
        for (size_t k = 0; k < m; k++)
            group_base[k] = base[mem[k]];
        char why[512];
        if (!rig_tof_plan(p, m, frame, group_base, planned, why, sizeof why)) {
            char who[96];
            if (c == (int)n)
                rig_fmt(who, sizeof who, "the signal generator");
            else
                rig_fmt(who, sizeof who, "device#%d %s (%s)", c, cfg->devices[c].serial,
                        rig_sync_mode_name(cfg->devices[c].sync.mode));
            if (msg)
                rig_fmt(msg, msg_len, "%zu depth cameras are triggered by %s at %u fps, but %s", m,
                        who, cfg->streams[RIG_STREAM_DEPTH].fps, why);
            err = RIG_ERROR_UNSUPPORTED;
            break;
        }
        for (size_t k = 0; k < m; k++)
            delays_us[mem[k]] = (int32_t)planned[k];
    }
done:
    free(clock);
    free(base);
    free(group_base);
    free(planned);
    free(members);
    free(first);
    return err;
}

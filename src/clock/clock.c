#include "clock/clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock_internal.h"
#include "common/hull.h"

void rig_clock_params_default(rig_clock_params_t *p)
{
    p->timestamp_bits = 64;
    p->window_samples = 512;
    p->window_us = 300000000;
    p->jump_threshold_us = 2000;
    p->max_skew_ppm = 1100.0;
}

static epoch_t *ep(rig_clock_t *c, unsigned id) { return &c->epochs[id % MAX_EPOCHS]; }

rig_clock_t *rig_clock_create(const rig_clock_params_t *params)
{
    rig_clock_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    if (params)
        c->p = *params;
    else
        rig_clock_params_default(&c->p);
    if (c->p.window_samples < 8)
        c->p.window_samples = 8;
    c->tw = calloc(c->p.window_samples, sizeof(*c->tw));
    if (!c->tw) {
        free(c);
        return NULL;
    }
    for (size_t i = 0; i < MAX_STREAMS; i++)
        c->streams[i].floor_hint_bound = INT64_MAX;
    c->s = 1.0;
    c->epochs[0].start_h = -INFINITY;
    return c;
}

void rig_clock_destroy(rig_clock_t *c)
{
    if (!c)
        return;
    free(c->tw);
    free(c);
}

/* Timestamps the estimator takes: within +-2^53 us (285 years, which a double holds exactly).
 * Beyond, the differences it takes would overflow: garbage from a device's SDK or a corrupt
 * recording maps no frame and makes no sample. */
#define TS_LIMIT_US ((int64_t)1 << 53)
static bool ts_ok(int64_t t) { return t >= -TS_LIMIT_US && t <= TS_LIMIT_US; }

static double rel_h(rig_clock_t *c, int64_t host_us)
{
    if (!c->h_ref_set) {
        c->h_ref = host_us;
        c->h_ref_set = true;
    }
    return (double)(host_us - c->h_ref);
}

/* 32-bit counters: the unwrapped value nearest to what the model expects at host time h. */
static int64_t unwrap(rig_clock_t *c, int64_t raw, double h)
{
    if (c->p.timestamp_bits >= 64)
        return raw;
    const int64_t span = (int64_t)1 << c->p.timestamp_bits;
    const epoch_t *e = cep(c, c->cur);
    double expect;
    if (e->source != OFFSET_NONE && e->d_ref_set)
        expect = predict_d(c, e, h);
    else if (c->last_device_set)
        expect = (double)c->last_device;
    else
        return raw;
    int64_t k = (int64_t)llround((expect - (double)raw) / (double)span);
    return raw + k * span;
}

static void note_device(rig_clock_t *c, int64_t d)
{
    c->last_device = d;
    c->last_device_set = true;
}

static epoch_t *new_epoch(rig_clock_t *c, double start_h)
{
    c->cur++;
    epoch_t *e = ep(c, c->cur);
    if (c->cur >= MAX_EPOCHS)
        c->forgotten = *e; /* epoch cur - MAX_EPOCHS */
    memset(e, 0, sizeof(*e));
    e->id = c->cur;
    c->cur_samples = 0;
    e->start_h = start_h;
    /* Two-way samples of the epoch this slot held before are now meaningless. */
    size_t kept = 0;
    for (size_t i = 0; i < c->tw_len; i++) {
        tw_sample_t *t = &c->tw[(c->tw_head + i) % c->p.window_samples];
        if (c->cur - t->epoch < MAX_EPOCHS)
            c->tw[(c->tw_head + kept++) % c->p.window_samples] = *t;
    }
    c->tw_len = kept;
    return e;
}

/* Least squares over the window: one skew for every epoch, one offset per epoch. Weights favour
 * short round trips (their midpoints are closest to the read) and recent samples. */
static void refit(rig_clock_t *c)
{
    if (c->tw_len == 0)
        return;
    const tw_sample_t *newest = &c->tw[(c->tw_head + c->tw_len - 1) % c->p.window_samples];
    double rtt_min = INFINITY;
    for (size_t i = 0; i < c->tw_len; i++)
        rtt_min = fmin(rtt_min, c->tw[(c->tw_head + i) % c->p.window_samples].rtt);
    c->rtt_min = rtt_min;

    double sw[MAX_EPOCHS] = {0}, sh[MAX_EPOCHS] = {0}, sd[MAX_EPOCHS] = {0};
    double wv[4096];
    /* exp(-(newest - h) / tau) = age_w * exp(-(newest - anchor) / tau): one exp per refit. */
    double now_factor = exp(-(newest->h - c->age_anchor) / AGE_TAU_US);
    size_t nw = c->tw_len < 4096 ? c->tw_len : 4096;
    for (size_t i = 0; i < nw; i++) {
        const tw_sample_t *t = &c->tw[(c->tw_head + c->tw_len - nw + i) % c->p.window_samples];
        double q = SIGMA0_US + (t->rtt - rtt_min) / 2;
        double w = t->age_w * now_factor / (q * q);
        wv[i] = w;
        unsigned k = t->epoch % MAX_EPOCHS;
        sw[k] += w;
        sh[k] += w * t->h;
        sd[k] += w * t->d;
    }
    double sxx = 0, sxy = 0, wtot = 0;
    for (size_t i = 0; i < nw; i++) {
        const tw_sample_t *t = &c->tw[(c->tw_head + c->tw_len - nw + i) % c->p.window_samples];
        double w = wv[i];
        unsigned k = t->epoch % MAX_EPOCHS;
        double dh = t->h - sh[k] / sw[k], dd = t->d - sd[k] / sw[k];
        sxx += w * dh * dh;
        sxy += w * dh * dd;
        wtot += w;
    }
    /* A weak prior on the previous skew keeps a burst of samples a few ms apart from guessing
     * a wild rate at start-up; once samples span seconds it no longer matters. */
    double lambda = wtot * SKEW_PRIOR_SPAN_US * SKEW_PRIOR_SPAN_US;
    double prior = c->s;
    /* What the prior may be off by: the last fit's error, and never more than the accepted
     * range allows (the first prior, 0 ppm or the envelope's slope, knows nothing better). */
    double max_skew = c->p.max_skew_ppm * 1e-6;
    double prior_err = fabs(prior - 1.0) + max_skew;
    if (c->s_fitted)
        prior_err = fmin(prior_err, c->s_bias + 3 * c->s_sigma);
    c->s = (sxy + lambda * prior) / (sxx + lambda);
    c->s_bias = lambda / (sxx + lambda) * prior_err;
    c->s_fitted = true;
    c->s_sigma = 1.0 / sqrt(sxx + lambda);
    c->s_known = sxx > lambda;
    for (unsigned k = 0; k < MAX_EPOCHS; k++) {
        if (sw[k] <= 0)
            continue;
        epoch_t *e = &c->epochs[k];
        e->mean_h = sh[k] / sw[k];
        e->c = sd[k] / sw[k] - c->s * e->mean_h;
        e->c_sigma = 1.0 / sqrt(sw[k]);
        e->source = OFFSET_TWO_WAY;
    }
}

void rig_clock_add_two_way(rig_clock_t *c, int64_t host_before_us, int64_t device_us,
                           int64_t host_after_us)
{
    if (!c || host_after_us < host_before_us || !ts_ok(host_before_us) || !ts_ok(device_us) ||
        !ts_ok(host_after_us))
        return;
    double rtt = (double)(host_after_us - host_before_us);
    if (rtt > RTT_MAX_US)
        return;
    c->two_way_seen = true;
    double h1 = rel_h(c, host_before_us);
    double h = h1 + rtt / 2;
    /* The host clock does not run backwards: a sample from more than the window before the
     * samples' age anchor (a corrupt recording) would be forgotten at once, and its age weight,
     * exp of minus years, is 0: the fit would divide 0 by 0. */
    if (h < c->age_anchor - (double)c->p.window_us)
        return;
    epoch_t *e = ep(c, c->cur);
    /* A sample that straddles the start of the epoch may have read either clock: useless. */
    if (h1 < e->start_h && h1 + rtt >= e->start_h)
        return;
    if (h1 + rtt < e->start_h)
        return; /* read before the current epoch began: its frames are past */
    int64_t d = unwrap(c, device_us, h);
    if (e->source != OFFSET_NONE && e->d_ref_set) {
        double resid = (double)d - predict_d(c, e, h);
        double allowed = (double)c->p.jump_threshold_us + rtt / 2 +
                         (e->source == OFFSET_ONE_WAY ? LATE_MARGIN_US : 0) +
                         (e->source == OFFSET_WRITTEN ? WRITE_BOUND_US : 0);
        /* The clock jumped without notice (reboot, a foreign write) some time after the last
         * sample that fit: the new epoch starts there. */
        if (fabs(resid) > allowed)
            e = new_epoch(c, c->tw_len ? c->last_tw_end : h1);
    }
    if (!e->d_ref_set) {
        e->d_ref = d;
        e->d_ref_set = true;
    }
    note_device(c, d);
    size_t slot;
    if (c->tw_len == c->p.window_samples) {
        slot = c->tw_head;
        c->tw_head = (c->tw_head + 1) % c->p.window_samples;
    } else {
        slot = (c->tw_head + c->tw_len++) % c->p.window_samples;
    }
    /* Age weights are kept relative to an anchor that follows time, so they never overflow. */
    if (h - c->age_anchor > 20 * AGE_TAU_US) {
        double f = exp(-(h - c->age_anchor) / AGE_TAU_US);
        for (size_t i = 0; i < c->tw_len; i++)
            c->tw[(c->tw_head + i) % c->p.window_samples].age_w *= f;
        c->age_anchor = h;
    }
    c->tw[slot] = (tw_sample_t){h, (double)(d - e->d_ref), rtt,
                                exp((h - c->age_anchor) / AGE_TAU_US), e->id};
    c->last_tw_end = h1 + rtt;
    /* Forget what has aged out of the window. */
    while (c->tw_len > 1 && h - c->tw[c->tw_head].h > (double)c->p.window_us) {
        c->tw_head = (c->tw_head + 1) % c->p.window_samples;
        c->tw_len--;
    }
    /* A new epoch is located sample by sample; after that the fit only drifts slowly. */
    if (++c->cur_samples <= REFIT_ALWAYS_BELOW || e->source != OFFSET_TWO_WAY ||
        h < REFIT_ALWAYS_FIRST_US ||
        h - c->last_refit_h >= (h < REFIT_LATER_FROM_US ? REFIT_EVERY_US : REFIT_EVERY_LATER_US)) {
        refit(c);
        c->last_refit_h = h;
    }
}

void rig_clock_note_step(rig_clock_t *c, int64_t host_us)
{
    if (!c || !ts_ok(host_us))
        return;
    double h = rel_h(c, host_us);
    epoch_t *e = new_epoch(c, h);
    /* The host wrote its own clock value: until two-way samples come in, that is the offset
     * (the write lands a few hundred us late, hence WRITE_BOUND_US). */
    e->d_ref = host_us;
    e->d_ref_set = true;
    e->c = -c->s * h;
    e->source = OFFSET_WRITTEN;
    e->written = true;
}

static void ring_reset(stream_state_t *st);

void rig_clock_note_reset(rig_clock_t *c, int64_t host_us)
{
    if (!c || !ts_ok(host_us))
        return;
    new_epoch(c, rel_h(c, host_us));
    c->last_device_set = false;
    for (size_t i = 0; i < MAX_STREAMS; i++) {
        stream_state_t *st = &c->streams[i];
        st->seen = false;
        st->ok_set = false;
        st->suspect = 0;
        st->regular = 0;
        st->period = 0;
        ring_reset(st);
    }
}

static void update_floor(stream_state_t *st, double r)
{
    if (st->floor_frames < FLOOR_TRUST_FRAMES)
        st->floor_frames++;
    st->block_min = st->block_n ? fmin(st->block_min, r) : r;
    if (++st->block_n == FLOOR_BLOCK) {
        st->prev_block_min = st->block_min;
        st->block_n = 0;
    }
    st->floor = st->floor_known ? fmin(st->block_min, st->prev_block_min) : st->block_min;
    if (!st->floor_known) {
        st->prev_block_min = r;
        st->floor_known = true;
    }
}

/* The latency floor a one-way mapping subtracts: calibrated by two-way samples, else the
 * backend's hint, else nothing (an unobservable bias). */
static double assumed_floor(const stream_state_t *st)
{
    return st->floor_known ? st->floor : st->floor_hint;
}

static void ring_reset(stream_state_t *st)
{
    st->ring_len = st->ring_head = 0;
    st->since_fit = 0;
    st->ow_fit = false;
}

/* Records a one-way point; fits the envelope only when `fit` (an epoch relying on it). */
static void ring_add(stream_state_t *st, int64_t d, double h, bool fit)
{
    if (st->ring_len == 0)
        st->ow_dref = d;
    size_t slot;
    if (st->ring_len == ONE_WAY_RING) {
        slot = st->ring_head;
        st->ring_head = (st->ring_head + 1) % ONE_WAY_RING;
    } else {
        slot = (st->ring_head + st->ring_len++) % ONE_WAY_RING;
    }
    st->ring_d[slot] = (double)(d - st->ow_dref);
    st->ring_h[slot] = h;
    if (!fit || (++st->since_fit < ONE_WAY_REFIT && st->ow_fit))
        return;
    st->since_fit = 0;
    double x[ONE_WAY_RING], y[ONE_WAY_RING];
    size_t idx[ONE_WAY_RING], n = 0;
    for (size_t i = 0; i < st->ring_len; i++) {
        size_t k = (st->ring_head + i) % ONE_WAY_RING;
        if (n > 0 && st->ring_d[k] <= x[n - 1])
            continue; /* x must increase */
        x[n] = st->ring_d[k];
        y[n] = st->ring_h[k];
        n++;
    }
    double slope, icpt;
    if (n >= 2 && x[n - 1] - x[0] > 1e6 && rig_lower_hull_line(x, y, n, idx, &slope, &icpt)) {
        st->ow_fit = true;
        st->ow_slope = slope;
        st->ow_icpt = icpt;
    }
}

/* Seeds an epoch nothing else has located (start-up, or just after an unannounced jump) from
 * one frame: it was captured about one latency floor before it arrived. */
static void seed_one_way(rig_clock_t *c, const stream_state_t *st, epoch_t *e, int64_t ts,
                         double arrival)
{
    e->seed_floor = assumed_floor(st);
    e->d_ref = ts;
    e->d_ref_set = true;
    e->c = -c->s * (arrival - e->seed_floor);
    e->seed_h = arrival - e->seed_floor;
    e->source = OFFSET_ONE_WAY;
}

/* A regular stream's frame whose device timestamp is on the period from the last frame the
 * stream mapped in the same epoch: the clock did not move in between (a write or a jump moves
 * it by anything but a whole number of periods to within a few us). */
static bool on_period_from_ok(const stream_state_t *st, unsigned eid, uint64_t index,
                              int64_t ts)
{
    if (!st->ok_set || st->ok_epoch != eid || st->regular < 4 || st->period <= 0 ||
        index <= st->ok_index)
        return false;
    double span = (double)(index - st->ok_index) * st->period;
    double step = (double)(ts - st->ok_ts) - span;
    return fabs(step) <= CONTINUITY_TOLERANCE_US + CONTINUITY_GAP_PPM * 1e-6 * span;
}

bool rig_clock_frame(rig_clock_t *c, unsigned stream, uint64_t frame_index, int64_t device_ts_us,
                     int64_t host_arrival_us, int64_t *global_us, int64_t *bound_us)
{
    if (!c || stream >= MAX_STREAMS || !ts_ok(device_ts_us) || !ts_ok(host_arrival_us))
        return false;
    stream_state_t *st = &c->streams[stream];
    double arrival = rel_h(c, host_arrival_us);
    int64_t ts = unwrap(c, device_ts_us, arrival - assumed_floor(st));
    epoch_pick_t pick = clock_frame_epoch(c, st, frame_index, ts);
    unsigned eid = pick.id;
    epoch_t *e = ep(c, eid);

    /* An epoch nothing else has located yet (start-up, or right after an unannounced jump)
     * takes its offset from this frame: captured about one latency floor before arrival. */
    if (e->source == OFFSET_NONE)
        seed_one_way(c, st, e, ts, arrival);

    /* Residual against what the frame's latency should be: the calibrated floor for a located
     * epoch, the envelope (or the seeding floor) for a one-way one. */
    bool envelope = e->source == OFFSET_ONE_WAY && st->ow_fit && st->epoch == eid;
    double r = arrival - (envelope ? st->ow_icpt + st->ow_slope * (double)(ts - st->ow_dref)
                                   : map_h(c, e, ts));
    bool ref_known = e->source == OFFSET_ONE_WAY || st->floor_known;
    double ref = e->source != OFFSET_ONE_WAY ? st->floor : envelope ? 0.0 : e->seed_floor;
    /* Below a floor not yet trusted, only an arrival before the capture itself is impossible;
     * anything else lowers the floor (update_floor below). */
    double early = e->source == OFFSET_ONE_WAY || st->floor_frames >= FLOOR_TRUST_FRAMES
                       ? ref - EARLY_MARGIN_US
                       : -EARLY_MARGIN_US;
    bool late = ref_known && r > ref + LATE_MARGIN_US;
    bool impossible = ref_known && (r < early || late);
    /* Late only, on the period from a frame mapped on this clock: the clock did not move, the
     * frame was held up (a stall longer than LATE_MARGIN_US). Its mapping stands. */
    if (late && on_period_from_ok(st, eid, frame_index, ts))
        impossible = false;
    if (eid == c->cur && impossible) {
        /* Suspects that disagree are not one jump (a burst after a stall): count afresh. */
        double agree = fmin(JUMP_AGREE_US, 0.5 * fabs((double)(ts - st->suspect_ts)));
        if (st->suspect > 0 && fabs(r - st->suspect_r) > agree)
            st->suspect = 0;
        if (st->suspect == 0) {
            st->suspect_r = r;
            st->suspect_ts = ts;
        }
        if (++st->suspect >= JUMP_FRAMES) {
            /* Several frames in a row cannot be on this clock: it jumped (reboot). */
            e = new_epoch(c, arrival);
            eid = e->id;
            seed_one_way(c, st, e, ts, arrival);
            st->suspect = 0;
            impossible = false;
        }
    } else {
        st->suspect = 0;
    }

    /* Continuity bookkeeping: the device period per frame index, when captures are regular. */
    if (st->seen && st->epoch == eid && frame_index > st->last_index) {
        double p = (double)(ts - st->last_ts) / (double)(frame_index - st->last_index);
        if (st->period > 0 && fabs(p - st->period) < 1e-3 * st->period) {
            st->period += (p - st->period) / 16;
            st->regular++;
        } else {
            st->period = p;
            st->regular = 0;
        }
    }
    double step;
    if (st->seen && st->epoch != eid && st->ow_fit &&
        (e->source == OFFSET_WRITTEN || e->source == OFFSET_ONE_WAY) &&
        clock_continuity_step(c, st, frame_index, ts, &step)) {
        /* Frames only, across a clock write: the step is what the write moved the clock by,
         * measured to a few us by the capture period. The envelope carries over onto the new
         * clock (its device reference moves by the step) instead of being learnt again (and
         * the written value, 100-600 us and up to a unit off, is not used). */
        st->ow_dref += (int64_t)llround(step); /* the ring is kept relative to it */
        if (e->source == OFFSET_WRITTEN)
            seed_one_way(c, st, e, ts,
                         st->ow_icpt + st->ow_slope * (double)(ts - st->ow_dref));
    } else if (!st->seen || st->epoch != eid) {
        ring_reset(st);
    }
    st->seen = true;
    st->epoch = eid;
    st->last_index = frame_index;
    st->last_ts = ts;
    note_device(c, ts);
    if (e->source == OFFSET_TWO_WAY && !impossible)
        update_floor(st, r); /* only a two-way epoch sees true latencies */
    /* Frames only: the envelope is all there is, in a written epoch too; once it is fitted it
     * locates the epoch better than the written value (which lands 100-600 us late, and the
     * skew is unknown without two-way samples). */
    bool frames_only = !c->two_way_seen;
    ring_add(st, ts, arrival,
             e->source == OFFSET_ONE_WAY || (frames_only && e->source == OFFSET_WRITTEN));
    if (frames_only && st->ow_fit && st->ow_slope > 0.5 && st->ow_slope < 2.0)
        c->s = 1.0 / st->ow_slope; /* the envelope's slope is the only measure of the skew */
    if (frames_only && e->source == OFFSET_WRITTEN && st->ow_fit)
        seed_one_way(c, st, e, ts,
                     st->ow_icpt + st->ow_slope * (double)(ts - st->ow_dref));

    double h = 0;
    int64_t bound = INT64_MAX;
    switch (e->source) {
    case OFFSET_TWO_WAY:
    case OFFSET_WRITTEN:
        clock_epoch_map(c, e, ts, &h, &bound);
        break;
    default:
        /* One-way only: the lower envelope of arrivals minus the floor that an earlier two-way
         * epoch calibrated; without one, the floor is an unobservable bias: no bound. */
        if (st->ow_fit) {
            h = st->ow_icpt + st->ow_slope * (double)(ts - st->ow_dref) -
                assumed_floor(st);
            bound = st->floor_known ? INT64_MAX : st->floor_hint_bound;
        } else {
            h = map_h(c, e, ts); /* seeded at arrival minus that floor already */
            /* from one frame: the skew's error over the time since it */
            bound = st->floor_known || st->floor_hint_bound == INT64_MAX
                        ? INT64_MAX
                        : (int64_t)ceil((double)st->floor_hint_bound +
                                        skew_error(c) * fabs(h - e->seed_h));
        }
        break;
    }
    if (impossible)
        return false; /* the frame contradicts the model (a jump being confirmed): no map */
    if (eid == pick.id && pick.stale)
        bound = INT64_MAX; /* its clock is forgotten: a map, but none the estimator can vouch for */
    if (eid == pick.id && pick.lo < pick.hi && bound != INT64_MAX) {
        /* Captured around a clock write, on either clock as far as the evidence goes: the
         * truth is within one of the candidates' bounds. The map stays the likelier clock's;
         * the bound covers the union. */
        double lo = h - (double)bound, hi = h + (double)bound;
        for (unsigned id = pick.lo; id <= pick.hi && bound != INT64_MAX; id++) {
            double ho;
            int64_t bo;
            if (id == eid)
                continue;
            if (!clock_epoch_map(c, cep(c, id), ts, &ho, &bo)) {
                bound = INT64_MAX;
                break;
            }
            lo = fmin(lo, ho - (double)bo);
            hi = fmax(hi, ho + (double)bo);
        }
        if (bound != INT64_MAX)
            bound = (int64_t)ceil(fmax(h - lo, hi - h));
    }
    st->ok_set = true;
    st->ok_epoch = eid;
    st->ok_index = frame_index;
    st->ok_ts = ts;
    if (global_us)
        *global_us = c->h_ref + (int64_t)llround(h);
    if (bound_us)
        *bound_us = bound;
    return true;
}

void rig_clock_set_floor_hint(rig_clock_t *c, unsigned stream, int64_t floor_us,
                              int64_t uncertainty_us)
{
    if (!c || stream >= MAX_STREAMS || floor_us < 0 || uncertainty_us < 0 ||
        floor_us > TS_LIMIT_US || uncertainty_us > TS_LIMIT_US)
        return;
    c->streams[stream].floor_hint = (double)floor_us;
    c->streams[stream].floor_hint_bound = uncertainty_us;
}

double rig_clock_skew_ppm(const rig_clock_t *c) { return c ? (c->s - 1.0) * 1e6 : 0.0; }

unsigned rig_clock_epochs(const rig_clock_t *c) { return c ? c->cur + 1 : 0; }

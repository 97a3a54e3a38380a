/*
 * Clock epochs of frames: which clock a frame was captured on (across host clock writes, jumps
 * and resets), and what an epoch's map of a device value is worth (its error bound).
 */
#include <limits.h>
#include <math.h>

#include "clock/clock_internal.h"

/* Frames only (no two-way sample ever): the device-clock step between where a regular stream's
 * period puts this frame and its timestamp. False when that is not known. */
bool clock_continuity_step(const rig_clock_t *c, const stream_state_t *st, uint64_t index,
                           int64_t ts, double *step)
{
    if (c->two_way_seen || !st->seen || st->regular < 4 || index <= st->last_index ||
        st->period <= 0)
        return false;
    *step = (double)ts - ((double)st->last_ts + (double)(index - st->last_index) * st->period);
    return true;
}

/* The bound on the error of epoch e's map at host time h (relative), for epochs located by
 * two-way samples or by the written value; -1 for others (one-way maps depend on the stream's
 * envelope). */
int64_t clock_epoch_bound_at(const rig_clock_t *c, const epoch_t *e, double h)
{
    if (!e->d_ref_set)
        return -1;
    if (e->source == OFFSET_TWO_WAY) {
        /* The read happened inside the best round trip: half of it bounds any asymmetry;
         * plus the statistical error of the offset, and the skew's error (statistical and the
         * prior's pull) times the distance from the samples: 1000 ppm unknown is 200 us at
         * 200 ms. */
        double skew_term = (3 * c->s_sigma + c->s_bias) * fabs(h - e->mean_h);
        return (int64_t)ceil(c->rtt_min / 2 + 3 * e->c_sigma + skew_term);
    }
    if (e->source == OFFSET_WRITTEN)
        return (int64_t)ceil(WRITE_BOUND_US + skew_error(c) * fabs(h - e->start_h));
    return -1;
}

/* The map of device value ts on epoch e and its bound (false: no bound, see above). */
bool clock_epoch_map(const rig_clock_t *c, const epoch_t *e, int64_t ts, double *h,
                     int64_t *bound)
{
    if (!e->d_ref_set)
        return false;
    *h = map_h(c, e, ts);
    *bound = clock_epoch_bound_at(c, e, *h);
    return *bound >= 0;
}

/* Across a host clock write at t (nxt->start_h): may the frame be on the old clock, or on the
 * new one? The clock switched within WRITE_BOUND_US after t (the write lands late); each map is
 * within its bound of the truth. False in both when a map has no bound (one-way epochs). */
static bool write_sides(const rig_clock_t *c, const epoch_t *old, const epoch_t *nxt,
                        int64_t ts, bool *old_ok, bool *new_ok)
{
    double t = nxt->start_h;
    if (!nxt->written || !old->d_ref_set || !nxt->d_ref_set)
        return false;
    /* Each map's bound where the truth would be at the least distance from the map: a map's
     * bound grows with its distance from the epoch's samples, but slower than the map's error
     * would (a clock's map far beyond the epoch's end is not "possible" by its wide bound). */
    int64_t b_old = clock_epoch_bound_at(c, old, t + WRITE_BOUND_US);
    int64_t b_new = clock_epoch_bound_at(c, nxt, t);
    if (b_old < 0 || b_new < 0)
        return false;
    *old_ok = map_h(c, old, ts) - (double)b_old <= t + WRITE_BOUND_US;
    *new_ok = map_h(c, nxt, ts) + (double)b_new >= t;
    return true;
}

/* Is a frame with device value ts on epoch e's clock rather than the next one's? The next
 * epoch began at t (a clock write or a jump). *ambiguous: the evidence leaves both possible
 * (only said across a host clock write, where both maps have bounds). */
static bool before_next(const rig_clock_t *c, const stream_state_t *st, unsigned e,
                        uint64_t index, int64_t ts, bool *ambiguous)
{
    const epoch_t *old = cep(c, e), *nxt = cep(c, e + 1);
    bool old_ok = true, new_ok = true;
    bool sides = write_sides(c, old, nxt, ts, &old_ok, &new_ok);
    *ambiguous = false;
    if (sides && old_ok != new_ok)
        return old_ok; /* one clock is ruled out by its bound */
    double t = nxt->start_h;
    double h_old = map_h(c, old, ts), h_new = map_h(c, nxt, ts);
    bool is_old, decisive = false;
    if (h_new < t - STEP_MARGIN_US) {
        is_old = true;
    } else if (h_old > t + STEP_MARGIN_US) {
        is_old = false;
    } else if (st->seen && st->regular >= 4 && st->epoch == e && index > st->last_index) {
        /* A regular stream's timestamp is on its period from the last frame, or off it by the
         * write's step: exact, unless the step hides within the period's tolerance. */
        double pred = (double)st->last_ts + (double)(index - st->last_index) * st->period;
        double jump = predict_d(c, nxt, t) - predict_d(c, old, t);
        is_old = fabs((double)ts - pred) <= fabs((double)ts - (pred + jump));
        decisive = fabs(jump) >= 4 * CONTINUITY_TOLERANCE_US;
    } else {
        is_old = h_old <= t;
    }
    *ambiguous = sides && !decisive;
    return is_old;
}

static void pick_widen(epoch_pick_t *pk, unsigned a, unsigned b)
{
    pk->lo = a < pk->lo ? a : pk->lo;
    pk->hi = b > pk->hi ? b : pk->hi;
}

/* Which epoch a frame of this stream belongs to: frames of a stream arrive in capture order, so
 * it is the stream's last epoch or a later one; across a clock write, the device timestamp's
 * continuity with the previous frame decides. A stream's first frame may have been captured
 * before the latest clock writes and held up (a stall): it steps back across them while its
 * timestamp maps before them. */
epoch_pick_t clock_frame_epoch(const rig_clock_t *c, const stream_state_t *st, uint64_t index,
                               int64_t ts)
{
    unsigned oldest = c->cur >= MAX_EPOCHS - 1 ? c->cur - (MAX_EPOCHS - 1) : 0;
    unsigned e = st->seen ? st->epoch : c->cur;
    if (e < oldest)
        e = oldest;
    epoch_pick_t pk = {e, UINT_MAX, 0, false}; /* the candidates are widened to the chosen below */
    /* Frames only, regular captures: the mappings of both clocks carry the unknown latency
     * floor (milliseconds), too coarse to tell old from new; continuity is exact. A frame on
     * its period is on the old clock; one off it crossed to the next. */
    double step;
    if (e < c->cur && clock_continuity_step(c, st, index, ts, &step)) {
        e = fabs(step) <= CONTINUITY_TOLERANCE_US ? e : e + 1;
        return (epoch_pick_t){e, e, e, false};
    }
    bool amb;
    /* A stream without a past steps back only when the maps' bounds rule the later clock out;
     * where both stay possible it keeps the later one (a frame held across a write is the rare
     * case) and its bound covers the other. */
    bool old_ok, new_ok;
    while (!st->seen && e > oldest &&
           write_sides(c, cep(c, e - 1), cep(c, e), ts, &old_ok, &new_ok)) {
        if (old_ok && new_ok)
            pick_widen(&pk, e - 1, e);
        if (!old_ok || new_ok)
            break;
        e--;
    }
    while (e < c->cur) {
        const epoch_t *old = cep(c, e), *nxt = cep(c, e + 1);
        if (nxt->source == OFFSET_NONE || !nxt->d_ref_set || old->source == OFFSET_NONE)
            break;
        bool is_old = before_next(c, st, e, index, ts, &amb);
        if (amb)
            pick_widen(&pk, e, e + 1);
        if (is_old)
            break;
        e++;
    }
    pk.id = e;
    pick_widen(&pk, e, e);
    /* On the oldest epoch remembered, and the one before it forgotten: a frame that maps before
     * that epoch began, as far as its bound can tell, may be of any clock before. So may one
     * that maps just after it, when the epoch began with a host clock write: the forgotten
     * clock's map of it (kept frozen) may put it before the write, the new clock's later by the
     * write's step (up to WRITE_BOUND_US and more, beyond the new map's bound). */
    const epoch_t *first = cep(c, e);
    if (e == oldest && oldest > 0 && first->d_ref_set && first->source != OFFSET_NONE) {
        int64_t b = clock_epoch_bound_at(c, first, first->start_h);
        double slack = b >= 0 ? (double)b : STEP_MARGIN_US;
        pk.stale = map_h(c, first, ts) - slack < first->start_h;
        if (!pk.stale && first->written) {
            if (c->forgotten.id + 1 == oldest &&
                write_sides(c, &c->forgotten, first, ts, &old_ok, &new_ok))
                pk.stale = old_ok;
            else /* no bound on the forgotten map: the step is the writes' lateness at most */
                pk.stale = map_h(c, first, ts) - slack < first->start_h + 2 * WRITE_BOUND_US;
        }
    }
    return pk;
}

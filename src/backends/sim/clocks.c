/*
 * The simulated rig's clock commands: the host's timer-sync writes, its periodic two-way time
 * queries (and the burst after each write), and the on-demand query and write of
 * rigsync/sim.h (rig_sim_device_query_time, rig_sim_device_write_clock).
 */
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "backends/sim/sim_internal.h"

/* After a clock write the host reads the clock back TIME_QUERY_BURST times, 5 ms apart. */
#define TIME_QUERY_BURST 8
#define TIME_QUERY_BURST_FIRST_NS 1000000LL
#define TIME_QUERY_BURST_SPACING_NS 5000000LL

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* sim.host_clock "realtime": CLOCK_REALTIME now (whatever stepped or slewed it), plus how far t
 * is from now on CLOCK_MONOTONIC, the physics' axis. The two clocks are read as a pair
 * bracketed by two monotonic readings, keeping the tightest of a few tries: a thread preempted
 * between two bare readings would shift the host time by the preemption (milliseconds on a
 * loaded machine), and a time query's host reading shifted so would look like a tighter bound
 * than the truth to the clock estimator, which trusts such bounds for seconds. */
int64_t sim_host_realtime_us(const sim_state_t *st, int64_t t_ns)
{
    int64_t best_gap = INT64_MAX, rt_ns = 0, mono_ns = 0;
    for (int k = 0; k < 8 && best_gap > 4000; k++) {
        struct timespec m1, rt, m2;
        clock_gettime(CLOCK_MONOTONIC, &m1);
        clock_gettime(CLOCK_REALTIME, &rt);
        clock_gettime(CLOCK_MONOTONIC, &m2);
        int64_t gap = ts_ns(&m2) - ts_ns(&m1);
        if (gap < best_gap) {
            best_gap = gap;
            rt_ns = ts_ns(&rt);
            mono_ns = ts_ns(&m1) + gap / 2;
        }
    }
    int64_t now_ns = mono_ns - st->mono_origin_ns;
    int64_t ns = sim_add_ns(rt_ns, rig_sat_sub(t_ns, now_ns));
    return ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
}

/* ------------------------------------------------------------------------------------------ */
/* Clock writes and time queries                                                            */

/* (Re)starts the periodic two-way queries of device di, the first at t_ns. */
void sim_start_queries(sim_state_t *st, size_t di, int64_t t_ns)
{
    sim_device_t *d = &st->devs[di];
    d->query_gen++;
    if (st->spec.time_query_interval_ms <= 0)
        return;
    sim_event_t ev = {0};
    ev.type = SIM_EV_TIME_QUERY;
    ev.dev = (uint32_t)di;
    ev.gen = d->query_gen;
    ev.t_ns = t_ns;
    sim_push(st, &ev);
}

void sim_on_time_query(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open || ev->gen != d->query_gen)
        return;
    sim_event_t read = *ev;
    read.type = SIM_EV_TIME_READ;
    read.host_before_us = sim_host_us(st, ev->t_ns);
    double leg = d->leg_out_us + sim_rng_exp(&d->rng, (double)st->spec.time_query_tail_mean_us);
    read.t_ns = sim_add_ns(ev->t_ns, sim_ns_of(leg * 1000.0));
    sim_push(st, &read);
    sim_event_t next = *ev;
    if (d->burst_left > 0 && --d->burst_left > 0)
        next.t_ns = ev->t_ns + TIME_QUERY_BURST_SPACING_NS;
    else
        next.t_ns = sim_add_ns(ev->t_ns, sim_mul_ns(st->spec.time_query_interval_ms, 1000000));
    if (next.t_ns < INT64_MAX)
        sim_push(st, &next);
}

void sim_on_time_read(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open || ev->gen != d->query_gen)
        return; /* closed, or gone meanwhile: the query is lost with it */
    sim_event_t reply = *ev;
    reply.type = SIM_EV_TIME_REPLY;
    reply.device_ts_us = sim_stamp(d, ev->t_ns);
    double leg = d->leg_back_us + sim_rng_exp(&d->rng, (double)st->spec.time_query_tail_mean_us);
    reply.t_ns = sim_add_ns(ev->t_ns, sim_ns_of(leg * 1000.0));
    sim_push(st, &reply);
}

void sim_on_time_reply(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open || ev->gen != d->query_gen)
        return;
    pending_t item = {.kind = PENDING_TIME,
                      .dev_index = d->ctx_index,
                      .host_before_us = ev->host_before_us,
                      .device_us = ev->device_ts_us,
                      .host_after_us = sim_host_us(st, ev->t_ns)};
    sim_add_pending(st, &item);
}

void sim_on_clock_sync(sim_state_t *st, const sim_event_t *ev)
{
    if (!st->clock_sync_enabled || ev->gen != st->clock_sync_gen)
        return;
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        if (!d->open)
            continue;
        /* The host reads its clock, sends it; the device sets it on receipt: it is behind by
         * the command latency, which the host cannot know. */
        int64_t err = -sim_ns_of(sim_rng_range(&d->rng, (double)st->spec.sync_error_min_us,
                                               (double)st->spec.sync_error_max_us));
        d->clk_t_ns = ev->t_ns;
        d->clk_dev_us = (double)sim_host_us(st, ev->t_ns) + (double)err;
        d->last_sync_host_us = sim_host_us(st, ev->t_ns);
        d->last_sync_err_us = err;
        pending_t note = {.kind = PENDING_WRITE,
                          .dev_index = d->ctx_index,
                          .host_before_us = sim_host_us(st, ev->t_ns)};
        sim_add_pending(st, &note);
        /* The host knows it just moved the clock: it reads it back a few times at once. */
        d->burst_left = TIME_QUERY_BURST;
        sim_start_queries(st, i, ev->t_ns + TIME_QUERY_BURST_FIRST_NS);
    }
    st->next_sync_ns = INT64_MAX;
    if (st->clock_sync_interval_ms > 0) {
        sim_event_t next = *ev;
        uint64_t ms = st->clock_sync_interval_ms;
        next.t_ns = sim_add_ns(ev->t_ns, sim_mul_ns(ms > INT64_MAX ? INT64_MAX : (int64_t)ms,
                                                    1000000));
        st->next_sync_ns = next.t_ns;
        if (next.t_ns < INT64_MAX) /* never, past the end of time */
            sim_push(st, &next);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* On-demand clock commands (rigsync/sim.h)                                                 */

/* Lets `us` of host time pass during an on-demand command (called unlocked): virtual time
 * advances (events run, frames are delivered), real time sleeps. */
static rig_error_t let_time_pass(sim_state_t *st, double us)
{
    int64_t whole = (int64_t)llround(us);
    if (whole <= 0)
        return RIG_OK;
    if (st->time_mode == RIG_TIME_VIRTUAL) {
        rig_error_t err = sim_advance(st, whole, NULL, NULL);
        return err == RIG_ERROR_TIMEOUT ? RIG_OK : err;
    }
    struct timespec ts = {.tv_sec = (time_t)(whole / 1000000),
                          .tv_nsec = (long)(whole % 1000000) * 1000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
    return RIG_OK;
}

/* The open device ctx_index under the lock, marking on-demand clock use; NULL if gone. */
static sim_device_t *on_demand_device(sim_state_t *st, size_t device_index)
{
    sim_device_t *d = sim_open_device(st, device_index);
    if (d)
        st->on_demand_clock = true;
    return d;
}

/* One leg of an on-demand exchange: the device's fixed part plus the exponential tail. */
static double command_leg_us(sim_state_t *st, sim_device_t *d, bool out)
{
    return (out ? d->leg_out_us : d->leg_back_us) +
           sim_rng_exp(&d->qrng, (double)st->spec.time_query_tail_mean_us);
}

rig_error_t rig_sim_device_query_time(rig_context_t *ctx, size_t device_index,
                                      int64_t *host_before_us, int64_t *device_us,
                                      int64_t *host_after_us)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (!host_before_us || !device_us || !host_after_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->lock);
    sim_device_t *d = on_demand_device(st, device_index);
    double out = d ? command_leg_us(st, d, true) : 0.0;
    double back = d ? command_leg_us(st, d, false) : 0.0;
    int64_t before = sim_host_us(st, sim_now_locked(st));
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = let_time_pass(st, out);
    if (err != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    d = sim_open_device(st, device_index);
    int64_t read = d ? sim_stamp(d, sim_now_locked(st)) : 0;
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT; /* closed meanwhile */
    if ((err = let_time_pass(st, back)) != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    *host_after_us = sim_host_us(st, sim_now_locked(st));
    pthread_mutex_unlock(&st->lock);
    *host_before_us = before;
    *device_us = read;
    return RIG_OK;
}

rig_error_t rig_sim_device_write_clock(rig_context_t *ctx, size_t device_index,
                                       int64_t resolution_us, int64_t *host_us_out)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (resolution_us < 1 || resolution_us > 1000000)
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->lock);
    sim_device_t *d = on_demand_device(st, device_index);
    /* The command carries the host time it was sent at and lands 100-600 us later (default),
     * an error the host cannot know; the device sets its clock on arrival. */
    double lands = d ? sim_rng_range(&d->qrng, (double)st->spec.sync_error_min_us,
                                     (double)st->spec.sync_error_max_us)
                     : 0.0;
    double back = d ? command_leg_us(st, d, false) : 0.0;
    int64_t sent = sim_host_us(st, sim_now_locked(st));
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = let_time_pass(st, lands);
    if (err != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    d = sim_open_device(st, device_index);
    if (d) {
        int64_t t = sim_now_locked(st);
        int64_t value = sent - (sent % resolution_us); /* coarse units truncate */
        d->clk_t_ns = t;
        d->clk_dev_us = (double)value;
        d->last_sync_host_us = sent;
        d->last_sync_err_us = value - sim_host_us(st, t);
        pending_t note = {.kind = PENDING_WRITE, .dev_index = d->ctx_index, .host_before_us = sent};
        sim_add_pending(st, &note);
        d->burst_left = TIME_QUERY_BURST;
        sim_start_queries(st, (size_t)(d - st->devs), t + TIME_QUERY_BURST_FIRST_NS);
    }
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT;
    if ((err = let_time_pass(st, back)) != RIG_OK)
        return err;
    if (host_us_out)
        *host_us_out = sent;
    return RIG_OK;
}


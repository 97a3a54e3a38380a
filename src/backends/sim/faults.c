/*
 * Faults of real rigs on the simulated one: USB unplug and replug, reboots, devices that appear
 * late, trigger glitches, hub hiccups that drop frames of several devices at once, bogus
 * timestamps, foreign clock writes. Scheduled (rig_sim_schedule_fault, the config's sim.events)
 * or drawn at random rates (rig_sim_set_fault_rates, sim.faults). What struck is recorded as
 * ground truth for reports and tests (rig_sim_fault_records); the core learns of it only as a
 * real host would: a device leaves the bus or appears on it, frames stop or look wrong.
 *
 * What is modelled, and how:
 *  - unplug: the device leaves the bus at once. Its frames in flight (captured, not yet
 *    received) are lost and counted in the record and in the GONE notice; its handle fails
 *    (every op answers RIG_ERROR_NOT_FOUND); it leaves the device list; with it off the bus its
 *    sync port is unpowered: pulses into it are neither used nor forwarded.
 *  - replug / a late device / the end of a reboot: the device powers on: its clock restarts at
 *    its power-on value (1 to 3 s: the time it took to boot), and it keeps its sync config as an
 *    Orbbec camera keeps it in flash, unless config_to_defaults (then rig_sync_config_default()).
 *    Devices that appear at the same instant are announced together.
 *  - reboot: an unplug followed, duration_us later, by the power-on above.
 *  - trigger glitch: pulses into the device's sync-in are lost or doubled (the spurious one 1 to
 *    10 ms behind) with the given probabilities over the span; a lost pulse is not forwarded.
 *  - drop burst: frames reaching the host within the span are lost (their frame index is used:
 *    the host sees the gap).
 *  - bogus timestamps: `count` frames per stream are stamped 10 to 1000 s off the clock.
 *  - clock write: the device clock jumps by offset_us (every capture is then stamped at its own
 *    mid-exposure event, so that a jump between trigger and stamp is honoured).
 * Without faults nothing here draws a random number: runs stay as they were.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/sim/sim_internal.h"

#define NS_PER_US 1000LL
#define POWER_ON_MIN_US 1e6
#define POWER_ON_MAX_US 3e6
#define EXTRA_PULSE_MIN_NS 1e6
#define EXTRA_PULSE_MAX_NS 1e7
#define BOGUS_MIN_US 10e6
#define BOGUS_MAX_US 1000e6

static const char *const fault_names[RIG_SIM_FAULT_KINDS] = {
    "unplug",         "replug",     "reboot",           "late_device",
    "trigger_glitch", "drop_burst", "bogus_timestamps", "clock_write"};

const char *rig_sim_fault_name(rig_sim_fault_kind_t kind)
{
    return (unsigned)kind < RIG_SIM_FAULT_KINDS ? fault_names[kind] : NULL;
}

/* The parameters of the random faults: what a real rig shows. */
static void random_template(rig_sim_fault_kind_t kind, sim_fault_param_t *p)
{
    memset(p, 0, sizeof(*p));
    p->f.kind = kind;
    p->dev = SIZE_MAX;
    p->random = true;
    switch (kind) {
    case RIG_SIM_FAULT_REBOOT: p->f.duration_us = 1500000; break;
    case RIG_SIM_FAULT_TRIGGER_GLITCH:
        p->f.duration_us = 500000;
        p->f.missing_probability = 0.2;
        p->f.extra_probability = 0.05;
        break;
    case RIG_SIM_FAULT_DROP_BURST: p->f.duration_us = 50000; break;
    case RIG_SIM_FAULT_BOGUS_TIMESTAMPS: p->f.count = 2; break;
    default: break;
    }
}

bool sim_faults_init(sim_state_t *st, uint64_t seed)
{
    st->cap_faults = 16;
    st->faults = calloc(st->cap_faults, sizeof(*st->faults));
    st->records = calloc(RIG_SIM_MAX_FAULT_RECORDS, sizeof(*st->records));
    if (!st->faults || !st->records)
        return false;
    for (int k = 0; k < RIG_SIM_FAULT_KINDS; k++)
        random_template((rig_sim_fault_kind_t)k, &st->faults[k]);
    st->nfaults = RIG_SIM_FAULT_KINDS;
    sim_rng_seed(&st->fault_rng, seed, 0x20000);
    for (size_t i = 0; i < st->ndev; i++) {
        st->devs[i].present = true;
        st->devs[i].glitch_record = st->devs[i].drop_record = st->devs[i].bogus_record = SIZE_MAX;
    }
    return true;
}

void sim_faults_free(sim_state_t *st)
{
    free(st->faults);
    free(st->records);
}

/* A new record (NULL beyond the limit: then only counted). */
static sim_fault_rec_t *record(sim_state_t *st, rig_sim_fault_kind_t kind, size_t dev,
                               size_t *index)
{
    st->faults_struck++;
    *index = SIZE_MAX;
    if (st->nrecords == RIG_SIM_MAX_FAULT_RECORDS)
        return NULL;
    *index = st->nrecords;
    sim_fault_rec_t *r = &st->records[st->nrecords++];
    memset(r, 0, sizeof(*r));
    r->pub.kind = kind;
    r->pub.host_us = sim_host_us(st, st->now_ns);
    if (dev < st->ndev)
        rig_strlcpy(r->pub.serial, st->devs[dev].spec.serial, sizeof(r->pub.serial));
    return r;
}

static void count(sim_state_t *st, size_t rec, bool second)
{
    if (rec < st->nrecords) {
        if (second)
            st->records[rec].n2++;
        else
            st->records[rec].n1++;
    }
}

/* Frames of device di captured or on their way, not yet received: lost with the device. */
static uint64_t in_flight(const sim_state_t *st, size_t di)
{
    const sim_device_t *d = &st->devs[di];
    uint64_t n = 0;
    for (size_t k = 0; k < st->heap.len; k++) {
        const sim_event_t *e = &st->heap.pool[st->heap.keys[k].order_slot & 0xFFFFFF];
        if (e->dev == di && e->gen == d->gen &&
            (e->type == SIM_EV_ARRIVAL || e->type == SIM_EV_CAPTURE))
            n++;
    }
    return n;
}

static void unplug(sim_state_t *st, size_t di, const char *why)
{
    sim_device_t *d = &st->devs[di];
    size_t rec;
    sim_fault_rec_t *r = record(st, RIG_SIM_FAULT_UNPLUG, di, &rec);
    if (!d->present) {
        if (r)
            rig_fmt(r->pub.effect, sizeof(r->pub.effect), "%s: already off the bus", why);
        return;
    }
    uint64_t lost = d->streaming ? in_flight(st, di) : 0;
    d->present = false;
    if (r)
        rig_fmt(r->pub.effect, sizeof(r->pub.effect),
                "%s: off the bus, %llu frame(s) in flight lost%s", why, (unsigned long long)lost,
                d->open ? ", its handle fails" : "");
    if (!d->open)
        return;
    d->streaming = false;
    d->gen++;
    d->timer_gen++;
    d->open = false;
    d->query_gen++;
    pending_t item = {.kind = PENDING_GONE,
                      .dev_index = d->ctx_index,
                      .host_before_us = sim_host_us(st, st->now_ns)};
    rig_fmt(item.detail, sizeof(item.detail), "%s; %llu frame(s) in flight lost", why,
            (unsigned long long)lost);
    sim_add_pending(st, &item);
}

static void power_on(sim_state_t *st, size_t di, rig_sim_fault_kind_t kind, bool defaults)
{
    sim_device_t *d = &st->devs[di];
    size_t rec;
    sim_fault_rec_t *r = record(st, kind, di, &rec);
    if (d->present) {
        if (r)
            rig_fmt(r->pub.effect, sizeof(r->pub.effect), "already on the bus: nothing happens");
        return;
    }
    d->present = true;
    d->clk_t_ns = st->now_ns;
    d->clk_dev_us = floor(sim_rng_range(&st->fault_rng, POWER_ON_MIN_US, POWER_ON_MAX_US));
    if (defaults)
        d->sync = rig_sync_config_default();
    if (r)
        rig_fmt(r->pub.effect, sizeof(r->pub.effect),
                "on the bus again: clock restarted at %.3f s, sync config %s",
                d->clk_dev_us / 1e6, defaults ? "back to the defaults" : "kept (flash)");
    pending_t item = {.kind = PENDING_ARRIVAL,
                      .sim_index = di,
                      .host_before_us = sim_host_us(st, st->now_ns)};
    sim_add_pending(st, &item);
}

static void push_fault(sim_state_t *st, int64_t t_ns, rig_sim_fault_kind_t kind, size_t dev,
                       size_t param)
{
    sim_event_t ev = {0};
    ev.type = SIM_EV_FAULT;
    ev.t_ns = t_ns;
    ev.stream = (int32_t)kind;
    ev.dev = dev < st->ndev ? (uint32_t)dev : UINT32_MAX;
    ev.seq = param;
    sim_push(st, &ev);
}

/* A glitch, a hub hiccup or bogus stamps on device di, counted in record rec. */
static void span_fault(sim_state_t *st, rig_sim_fault_kind_t kind, size_t di,
                       const sim_fault_param_t *p, size_t rec)
{
    sim_device_t *d = &st->devs[di];
    int64_t until = sim_add_ns(st->now_ns, sim_mul_ns(p->f.duration_us, NS_PER_US));
    if (kind == RIG_SIM_FAULT_TRIGGER_GLITCH) {
        d->glitch_until_ns = until;
        d->glitch_missing = p->f.missing_probability;
        d->glitch_extra = p->f.extra_probability;
        d->glitch_record = rec;
    } else if (kind == RIG_SIM_FAULT_DROP_BURST) {
        d->drop_until_ns = until;
        d->drop_record = rec;
    } else {
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->bogus_left[s] = p->f.count;
        d->bogus_record = rec;
    }
}

static void span_record(sim_state_t *st, rig_sim_fault_kind_t kind, size_t dev,
                        const sim_fault_param_t *p, size_t *rec)
{
    sim_fault_rec_t *r = record(st, kind, dev, rec);
    if (!r)
        return;
    r->counting = true;
    if (kind == RIG_SIM_FAULT_TRIGGER_GLITCH)
        rig_fmt(r->pub.effect, sizeof(r->pub.effect),
                "glitch on sync-in for %.3f s (%.0f%% missing, %.0f%% extra): ",
                (double)p->f.duration_us / 1e6, p->f.missing_probability * 100,
                p->f.extra_probability * 100);
    else if (kind == RIG_SIM_FAULT_DROP_BURST)
        rig_fmt(r->pub.effect, sizeof(r->pub.effect), "hub hiccup for %.3f s: ",
                (double)p->f.duration_us / 1e6);
    else
        rig_fmt(r->pub.effect, sizeof(r->pub.effect), "firmware glitch: ");
}

static void strike(sim_state_t *st, rig_sim_fault_kind_t kind, size_t di,
                   const sim_fault_param_t *p, size_t param)
{
    sim_device_t *d = &st->devs[di];
    size_t rec;
    switch (kind) {
    case RIG_SIM_FAULT_UNPLUG:
        unplug(st, di, "unplugged");
        if (p->random)
            push_fault(st,
                       sim_add_ns(st->now_ns, sim_ns_of(sim_rng_range(&st->fault_rng, 1e9, 5e9))),
                       RIG_SIM_FAULT_REPLUG, di, RIG_SIM_FAULT_REPLUG);
        break;
    case RIG_SIM_FAULT_REBOOT:
        unplug(st, di, p->f.config_to_defaults ? "rebooting (config to defaults)" : "rebooting");
        push_fault(st, sim_add_ns(st->now_ns, sim_mul_ns(p->f.duration_us, NS_PER_US)),
                   RIG_SIM_FAULT_REPLUG, di, param);
        break;
    case RIG_SIM_FAULT_REPLUG:
    case RIG_SIM_FAULT_LATE_DEVICE:
        power_on(st, di, kind, p->f.config_to_defaults);
        break;
    case RIG_SIM_FAULT_TRIGGER_GLITCH:
    case RIG_SIM_FAULT_DROP_BURST:
    case RIG_SIM_FAULT_BOGUS_TIMESTAMPS:
        span_record(st, kind, di, p, &rec);
        span_fault(st, kind, di, p, rec);
        break;
    case RIG_SIM_FAULT_CLOCK_WRITE: {
        sim_fault_rec_t *r = record(st, kind, di, &rec);
        double off = p->random ? sim_rng_range(&st->fault_rng, -1e6, 1e6) : (double)p->f.offset_us;
        d->clk_dev_us = sim_dev_clock_us(d, st->now_ns) + off;
        d->clk_t_ns = st->now_ns;
        st->on_demand_clock = true;
        if (r)
            rig_fmt(r->pub.effect, sizeof(r->pub.effect),
                    "someone else wrote the device clock: it jumped by %+.0f us", off);
        break;
    }
    }
}

static bool is_power_on(const sim_event_t *ev)
{
    return ev->type == SIM_EV_FAULT && (ev->stream == RIG_SIM_FAULT_REPLUG ||
                                        ev->stream == RIG_SIM_FAULT_LATE_DEVICE);
}

static void fault_event(sim_state_t *st, const sim_event_t *ev)
{
    if (ev->seq >= st->nfaults)
        return;
    const sim_fault_param_t *p = &st->faults[ev->seq];
    rig_sim_fault_kind_t kind = (rig_sim_fault_kind_t)ev->stream;
    if (ev->dev < st->ndev) {
        strike(st, kind, ev->dev, p, (size_t)ev->seq);
    } else if (kind == RIG_SIM_FAULT_DROP_BURST || kind == RIG_SIM_FAULT_TRIGGER_GLITCH ||
               kind == RIG_SIM_FAULT_BOGUS_TIMESTAMPS) {
        /* One fault over every device: one record, the counts of all of them. */
        size_t rec;
        span_record(st, kind, SIZE_MAX, p, &rec);
        for (size_t i = 0; i < st->ndev; i++)
            span_fault(st, kind, i, p, rec);
    } else {
        for (size_t i = 0; i < st->ndev; i++)
            strike(st, kind, i, p, (size_t)ev->seq);
    }
}

void sim_on_fault(sim_state_t *st, const sim_event_t *ev)
{
    fault_event(st, ev);
    if (!is_power_on(ev))
        return;
    /* Devices that appear at the same instant (a rig powered up again) are announced together:
     * the core then starts them in the right order. */
    for (;;) {
        const sim_event_t *next = sim_heap_peek(&st->heap);
        if (!next || next->t_ns != ev->t_ns || !is_power_on(next))
            break;
        sim_event_t e;
        sim_heap_pop(&st->heap, &e);
        fault_event(st, &e);
    }
}

static double rate_of(const rig_sim_fault_rates_t *r, int kind)
{
    switch (kind) {
    case RIG_SIM_FAULT_UNPLUG: return r->unplug_per_hour;
    case RIG_SIM_FAULT_REBOOT: return r->reboot_per_hour;
    case RIG_SIM_FAULT_TRIGGER_GLITCH: return r->trigger_glitch_per_hour;
    case RIG_SIM_FAULT_DROP_BURST: return r->drop_burst_per_hour;
    case RIG_SIM_FAULT_BOGUS_TIMESTAMPS: return r->bogus_timestamps_per_hour;
    case RIG_SIM_FAULT_CLOCK_WRITE: return r->clock_write_per_hour;
    default: return 0;
    }
}

/* Schedules the next random fault of `kind` after t_ns (none when its rate is 0). */
static void next_random(sim_state_t *st, int kind, int64_t t_ns)
{
    double rate = rate_of(&st->rates, kind) * (double)st->ndev; /* per hour, whole rig */
    if (!(rate > 0))
        return;
    sim_event_t ev = {0};
    ev.type = SIM_EV_FAULT_RANDOM;
    ev.stream = kind;
    ev.gen = st->rates_gen;
    ev.t_ns = sim_add_ns(t_ns, sim_ns_of(sim_rng_exp(&st->fault_rng, 3600e9 / rate)));
    if (ev.t_ns < INT64_MAX)
        sim_push(st, &ev);
}

void sim_on_fault_random(sim_state_t *st, const sim_event_t *ev)
{
    if (ev->gen != st->rates_gen || st->ndev == 0)
        return;
    size_t dev = (size_t)(sim_rng_u64(&st->fault_rng) % st->ndev);
    /* A hub hiccup hits every device behind the hub: the whole rig. */
    if (ev->stream == RIG_SIM_FAULT_DROP_BURST)
        dev = SIZE_MAX;
    sim_event_t f = {0};
    f.type = SIM_EV_FAULT;
    f.t_ns = ev->t_ns;
    f.stream = ev->stream;
    f.dev = dev < st->ndev ? (uint32_t)dev : UINT32_MAX;
    f.seq = (uint64_t)ev->stream; /* its template */
    sim_on_fault(st, &f);
    next_random(st, ev->stream, ev->t_ns);
}

bool sim_fault_pulse_lost(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->present)
        return true; /* its sync port is off with it */
    if (ev->t_ns >= d->glitch_until_ns || ev->gen == 1 /* a spurious pulse */)
        return false;
    double u = sim_rng_uniform(&st->fault_rng);
    if (u < d->glitch_missing) {
        count(st, d->glitch_record, false);
        return true;
    }
    if (u < d->glitch_missing + d->glitch_extra) {
        count(st, d->glitch_record, true);
        sim_event_t extra = *ev;
        extra.gen = 1;
        double behind_ns = sim_rng_range(&st->fault_rng, EXTRA_PULSE_MIN_NS, EXTRA_PULSE_MAX_NS);
        extra.t_ns = sim_add_ns(ev->t_ns, sim_ns_of(behind_ns));
        sim_push(st, &extra);
    }
    return false;
}

int64_t sim_fault_stamp(sim_state_t *st, sim_device_t *d, int s, int64_t stamp)
{
    if (d->bogus_left[s] == 0)
        return stamp;
    d->bogus_left[s]--;
    count(st, d->bogus_record, false);
    double off = sim_rng_range(&st->fault_rng, BOGUS_MIN_US, BOGUS_MAX_US);
    if (sim_rng_chance(&st->fault_rng, 0.5))
        off = -off;
    int64_t v = sim_add_ns(stamp, (int64_t)off);
    if (v < 0)
        v = sim_add_ns(stamp, (int64_t)-off);
    return d->ts_bits == 32 ? (int64_t)((uint64_t)v & 0xFFFFFFFFull) : v;
}

bool sim_fault_drops(sim_state_t *st, sim_device_t *d, int64_t arrival_ns)
{
    (void)st;
    if (arrival_ns >= d->drop_until_ns)
        return false;
    count(st, d->drop_record, false);
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* API (rigsync/sim.h)                                                                        */

static bool valid_probability(double p) { return p >= 0.0 && p <= 1.0; }

rig_error_t rig_sim_schedule_fault(rig_context_t *ctx, const rig_sim_fault_t *fault)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (!fault || !rig_sim_fault_name(fault->kind) || fault->at_us < 0 ||
        fault->at_us > INT64_MAX / NS_PER_US || fault->duration_us < 0 ||
        fault->duration_us > RIG_SIM_FAULT_MAX_DURATION_US ||
        !valid_probability(fault->missing_probability) ||
        !valid_probability(fault->extra_probability) ||
        fault->missing_probability + fault->extra_probability > 1.0 ||
        fault->count > RIG_SIM_FAULT_MAX_COUNT || fault->offset_us > RIG_SIM_FAULT_MAX_OFFSET_US ||
        fault->offset_us < -RIG_SIM_FAULT_MAX_OFFSET_US)
        return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "a fault needs a known kind, a time >= 0, a duration of 0 "
                                     "to 1 hour, probabilities in [0, 1] adding up to at most 1, "
                                     "a count up to %u and a clock jump within a year",
                                     RIG_SIM_FAULT_MAX_COUNT);
    size_t dev = SIZE_MAX;
    if (fault->serial) {
        for (size_t i = 0; i < st->ndev; i++)
            if (strcmp(st->devs[i].spec.serial, fault->serial) == 0)
                dev = i;
        if (dev == SIZE_MAX)
            return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                         "no device with serial number %s on the simulated rig",
                                         fault->serial);
    }
    /* (the context's error is set after unlocking: the core takes its lock before ours) */
    pthread_mutex_lock(&st->lock);
    int64_t at_ns = fault->at_us * NS_PER_US;
    int64_t now_ns = st->now_ns;
    rig_error_t err = RIG_OK;
    if (at_ns < now_ns)
        err = RIG_ERROR_INVALID_ARGUMENT;
    else if (fault->kind == RIG_SIM_FAULT_LATE_DEVICE && dev < st->ndev && st->devs[dev].open)
        err = RIG_ERROR_STATE;
    else if (!sim_fault_add(st, fault, dev))
        err = RIG_ERROR_NO_MEMORY;
    pthread_mutex_unlock(&st->lock);
    if (err == RIG_ERROR_INVALID_ARGUMENT)
        return rig_context_set_error(ctx, err,
                                     "a fault at %.6f s is in the past (the rig is at %.6f s)",
                                     (double)fault->at_us / 1e6, (double)now_ns / 1e9);
    if (err == RIG_ERROR_STATE)
        return rig_context_set_error(ctx, err, "device %s is already open: it cannot arrive late",
                                     fault->serial);
    if (err == RIG_ERROR_NO_MEMORY)
        return rig_context_set_error(ctx, err, "out of memory");
    return RIG_OK;
}

bool sim_fault_add(sim_state_t *st, const rig_sim_fault_t *fault, size_t dev)
{
    if (st->nfaults == st->cap_faults) {
        size_t cap = st->cap_faults * 2;
        sim_fault_param_t *v = realloc(st->faults, cap * sizeof(*v));
        if (!v)
            return false;
        st->faults = v;
        st->cap_faults = cap;
    }
    sim_fault_param_t *p = &st->faults[st->nfaults];
    p->f = *fault;
    p->f.serial = NULL;
    p->dev = dev;
    p->random = false;
    if (fault->kind == RIG_SIM_FAULT_LATE_DEVICE) {
        for (size_t i = 0; i < st->ndev; i++)
            if (dev == SIZE_MAX || dev == i)
                st->devs[i].present = false;
    }
    if (fault->kind == RIG_SIM_FAULT_CLOCK_WRITE)
        st->on_demand_clock = true;
    push_fault(st, sim_mul_ns(fault->at_us, NS_PER_US), fault->kind, dev, st->nfaults);
    st->nfaults++;
    return true;
}

void sim_fault_rates_apply(sim_state_t *st, const rig_sim_fault_rates_t *rates)
{
    st->rates = *rates;
    st->rates_gen++;
    if (rates->clock_write_per_hour > 0)
        st->on_demand_clock = true;
    int64_t now = sim_now_locked(st);
    for (int k = 0; k < RIG_SIM_FAULT_KINDS; k++)
        next_random(st, k, now);
}

rig_error_t rig_sim_set_fault_rates(rig_context_t *ctx, const rig_sim_fault_rates_t *rates)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (!rates)
        return RIG_ERROR_INVALID_ARGUMENT;
    for (int k = 0; k < RIG_SIM_FAULT_KINDS; k++) {
        double r = rate_of(rates, k);
        if (!(r >= 0.0 && r <= RIG_SIM_MAX_FAULTS_PER_HOUR))
            return rig_context_set_error(ctx, RIG_ERROR_INVALID_ARGUMENT,
                                         "a %s rate of %g per hour is out of range; give 0 to "
                                         "%g per device and hour",
                                         fault_names[k], r, RIG_SIM_MAX_FAULTS_PER_HOUR);
    }
    pthread_mutex_lock(&st->lock);
    sim_fault_rates_apply(st, rates);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

rig_error_t rig_sim_fault_records(rig_context_t *ctx, rig_sim_fault_record_t *out, size_t cap,
                                  size_t *n)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (!n || (cap && !out))
        return RIG_ERROR_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->lock);
    *n = (size_t)st->faults_struck;
    for (size_t i = 0; i < cap && i < st->nrecords; i++) {
        const sim_fault_rec_t *r = &st->records[i];
        out[i] = r->pub;
        if (!r->counting)
            continue;
        unsigned long long n1 = r->n1, n2 = r->n2;
        switch (r->pub.kind) {
        case RIG_SIM_FAULT_TRIGGER_GLITCH:
            rig_append(out[i].effect, sizeof(out[i].effect), "%llu pulse(s) lost, %llu extra",
                       n1, n2);
            break;
        case RIG_SIM_FAULT_DROP_BURST:
            rig_append(out[i].effect, sizeof(out[i].effect), "%llu frame(s) lost", n1);
            break;
        default:
            rig_append(out[i].effect, sizeof(out[i].effect),
                       "%llu frame(s) with nonsense timestamps", n1);
            break;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

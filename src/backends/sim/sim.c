/*
 * The simulated rig ("sim"): the reference backend.
 *
 * Physics modelled:
 *  - every device has its own crystal: device clock = set value + elapsed host time x (1 + ppm);
 *    its frame timer counts on that crystal, so a free-running 30 fps device really runs at
 *    30 x (1 + ppm) fps on the host clock;
 *  - PRIMARY emits a pulse per frame on sync-out; pulses travel the cables (daisy chain by
 *    default) with a propagation delay; SECONDARY captures on each pulse and forwards it when
 *    trigger_out_enable is set; with no pulses it captures nothing;
 *  - a capture starts at trigger + trigger_to_image_delay + the stream's delay, the device stamps
 *    mid-exposure on its own clock, the host receives it after exposure + readout + a transport
 *    latency with a floor, an exponential tail, rare stalls, and rare drops; frames of one stream
 *    arrive in order (USB is a FIFO);
 *  - a host timer sync writes host time into the device clock; the write lands late by the
 *    command latency, so the device ends up behind the host by an unknown 100 to 600 us;
 *  - the host reads each device clock every 100 ms (two-way query: two USB legs of ~100 us plus
 *    an exponential tail, unequal by a fixed amount the host cannot know), and in a short burst
 *    right after each clock write;
 *  - crystals wander (temperature) as a random walk of a few ppm per hour; 32-bit device
 *    counters wrap.
 * Host time is the simulator's reference time; ground truth is recorded in every frame.
 *
 * Time runs either virtually (events processed on the caller's thread inside advance) or paced
 * to the wall clock by one engine thread. Frames are always handed to the core unlocked.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/sim/engine.h"
#include "backends/sim/pixels.h"
#include "mode/tof.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "core/core.h"
#include "mode/mode.h"


/* Host clock origin in virtual time: a fixed, realistic epoch-based value, so that runs are
 * reproducible and system timestamps look like the vendor's (us since 1970). */
#define VIRTUAL_HOST_ORIGIN_US 1700000000000000LL
/* A device needs a moment after start before its sensor runs (real cameras: 100s of ms). */
#define STARTUP_MIN_NS 200000000LL
#define STARTUP_SPREAD_NS 50000000LL
/* Latency of a host command (software trigger) over USB. */
#define COMMAND_LATENCY_MIN_US 100.0
#define COMMAND_LATENCY_MAX_US 300.0
/* After a clock write the host reads the clock back TIME_QUERY_BURST times, 5 ms apart. */
#define TIME_QUERY_BURST 8
#define TIME_QUERY_BURST_FIRST_NS 1000000LL
#define TIME_QUERY_BURST_SPACING_NS 5000000LL
#define DRIFT_STEP_NS 1000000000LL

/* A sync cable from this device's sync-out (or the hub behind it) into another's sync-in. */
typedef struct sim_edge {
    size_t to;
    int64_t delay_ns;
} sim_edge_t;

#define DEPTH_HISTORY 4

typedef struct sim_device {
    rig_sim_device_spec_t spec;
    const rig_model_facts_t *facts;
    double rate_offset_ppm; /* the sensor's frame rate off nominal, on its own clock */
    int64_t exposure_us[RIG_STREAM_COUNT];
    int64_t depth_starts_ns[DEPTH_HISTORY]; /* recent laser trains, for interference */
    unsigned depth_head;
    uint32_t modes;
    double ppm;
    sim_rng_t rng;
    /* clock: device_us(t) = clk_dev_us + (t - clk_t_ns) * (1 + ppm e-6) / 1000 */
    int64_t clk_t_ns;
    double clk_dev_us;
    rig_sync_config_t sync; /* kept across open/close, like the device's flash */
    sim_edge_t *outs;       /* devices whose sync-in this device's sync-out feeds */
    size_t nouts;

    bool open;
    size_t ctx_index;
    bool streaming;
    uint32_t gen;       /* bumped on start/stop: events of an older session are ignored */
    uint32_t timer_gen; /* bumped when the frame timer is re-phased */
    int64_t armed_ns;   /* sensor ready */
    rig_stream_profile_t prof[RIG_STREAM_COUNT];
    uint64_t frame_index[RIG_STREAM_COUNT];
    int64_t last_arrival_ns[RIG_STREAM_COUNT];
    double timer_next_ns[RIG_STREAM_COUNT]; /* next tick, advanced by the current period */
    uint64_t tick_seq;
    uint64_t pulses_in;
    int64_t last_sync_host_us, last_sync_err_us;
    unsigned ts_bits;                /* 64 or 32 */
    double leg_out_us, leg_back_us;  /* fixed parts of the two query legs */
    int64_t latency_floor_us;        /* transport floor of this device's frames */
    uint32_t query_gen;              /* bumped to restart (or stop) the periodic queries */
    int burst_left;                  /* queries left in the burst after a clock write */
    sim_rng_t qrng; /* on-demand clock commands (their own stream: callers' timing varies) */
} sim_device_t;

typedef enum pending_kind { PENDING_FRAME, PENDING_TIME, PENDING_WRITE } pending_kind_t;

/* Something for the core, handed over in the order it happened. */
typedef struct pending {
    pending_kind_t kind;
    rig_frame_t *frame;
    size_t dev_index;
    int64_t host_before_us, device_us, host_after_us; /* TIME; WRITE uses host_before_us */
} pending_t;

typedef struct sim_state {
    rig_context_t *ctx;
    rig_config_t *own_config; /* the default rig's, when none was given */
    rig_sim_spec_t spec;      /* copy of the scalar parameters (device array not used) */
    rig_time_mode_t time_mode;
    bool pixels;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;
    pthread_t thread;
    bool thread_started, quit;
    int64_t now_ns;
    int64_t host_origin_us;
    int64_t wall_origin_us;
    sim_heap_t heap;
    sim_device_t *devs;
    size_t ndev;
    uint64_t clock_sync_interval_ms;
    uint32_t clock_sync_gen;
    bool clock_sync_enabled;
    /* When a device clock may next change (a sync write or a drift step): a capture whose
     * mid-exposure comes before it can be stamped at once, without an event of its own. */
    int64_t next_sync_ns, next_drift_ns;
    size_t *gen_outs; /* devices the signal generator feeds */
    size_t gen_nouts;
    pending_t *pending; /* waiting to be handed over unlocked */
    size_t npending, cap_pending;
    pending_t *spare; /* the other buffer, so that handing over allocates nothing */
    size_t cap_spare;
    bool oom; /* an allocation failed inside the engine: reported on the next call */
    /* An on-demand clock command (rig_sim_device_write_clock) may move a clock at any time:
     * from the first one on, every capture is stamped at its own mid-exposure event. */
    bool on_demand_clock;
} sim_state_t;

/* ------------------------------------------------------------------------------------------ */
/* Clocks                                                                                     */

static double dev_clock_us(const sim_device_t *d, int64_t t_ns)
{
    return d->clk_dev_us + (double)(t_ns - d->clk_t_ns) * (1.0 + d->ppm * 1e-6) / 1000.0;
}

/* What the device's counter reads at t: its clock, in 32 bits on models that wrap. */
static int64_t stamp(const sim_device_t *d, int64_t t_ns)
{
    int64_t v = (int64_t)floor(dev_clock_us(d, t_ns));
    return d->ts_bits == 32 ? (int64_t)((uint64_t)v & 0xFFFFFFFFull) : v;
}

static int64_t host_us(const sim_state_t *st, int64_t t_ns)
{
    return st->host_origin_us + t_ns / 1000;
}

static int64_t now_locked(const sim_state_t *st)
{
    if (st->time_mode == RIG_TIME_VIRTUAL)
        return st->now_ns;
    int64_t wall = (rig_monotonic_us() - st->wall_origin_us) * 1000;
    return wall > st->now_ns ? wall : st->now_ns;
}

/* Frame period on the host clock for a device whose crystal counts `fps` frames a second,
 * with its sensor's own rate offset. */
static double period_ns(const sim_device_t *d, uint32_t fps)
{
    return 1e9 / (double)fps / (1.0 + d->ppm * 1e-6) / (1.0 + d->rate_offset_ppm * 1e-6);
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

static void push(sim_state_t *st, const sim_event_t *ev)
{
    if (!sim_heap_push(&st->heap, ev))
        st->oom = true;
    if (st->time_mode == RIG_TIME_REAL)
        pthread_cond_signal(&st->wake);
}

static void schedule_timer(sim_state_t *st, size_t di, int stream)
{
    sim_device_t *d = &st->devs[di];
    int s = stream < 0 ? RIG_STREAM_DEPTH : stream;
    sim_event_t ev = {0};
    ev.type = SIM_EV_TIMER;
    ev.dev = (uint32_t)di;
    ev.stream = stream;
    ev.gen = d->timer_gen;
    ev.t_ns = (int64_t)llround(d->timer_next_ns[s]);
    push(st, &ev);
}

static void on_capture(sim_state_t *st, const sim_event_t *ev);

/* One trigger of the sensor: schedules the capture of the streams in `stream` (-1 = both). */
static void trigger_capture(sim_state_t *st, size_t di, int64_t t_ns, uint64_t seq, int stream)
{
    sim_device_t *d = &st->devs[di];
    if (!d->streaming || t_ns < d->armed_ns)
        return;
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        if (stream >= 0 && s != stream)
            continue;
        int64_t delay_us = d->sync.trigger_to_image_delay_us +
                           (s == RIG_STREAM_DEPTH ? d->sync.depth_delay_us : d->sync.color_delay_us);
        sim_event_t ev = {0};
        ev.type = SIM_EV_CAPTURE;
        ev.dev = (uint32_t)di;
        ev.stream = s;
        ev.gen = d->gen;
        ev.seq = seq;
        ev.start_ns = t_ns + delay_us * 1000;
        ev.t_ns = ev.start_ns + d->exposure_us[s] * 1000 / 2;
        if (s == RIG_STREAM_DEPTH && d->facts->tof) {
            d->depth_starts_ns[d->depth_head] = ev.start_ns;
            d->depth_head = (d->depth_head + 1) % DEPTH_HISTORY;
        }
        if (!st->on_demand_clock && ev.t_ns < st->next_sync_ns && ev.t_ns < st->next_drift_ns)
            on_capture(st, &ev); /* the clock cannot change before mid-exposure */
        else
            push(st, &ev);
    }
}

static void emit_pulse(sim_state_t *st, size_t di, int64_t t_ns, uint64_t seq)
{
    sim_device_t *d = &st->devs[di];
    for (size_t i = 0; i < d->nouts; i++) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_PULSE_IN;
        ev.dev = (uint32_t)d->outs[i].to;
        ev.seq = seq;
        ev.t_ns = t_ns + (int64_t)d->sync.trigger_out_delay_us * 1000 + d->outs[i].delay_ns;
        push(st, &ev);
    }
}

/* The frame timer of PRIMARY / STANDALONE / SECONDARY_SYNCED (both streams on one tick) and
 * FREE_RUN (one timer per stream). */
static void on_timer(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->streaming || ev->gen != d->timer_gen)
        return;
    uint64_t seq = d->tick_seq++;
    trigger_capture(st, ev->dev, ev->t_ns, seq, ev->stream);
    if (d->sync.mode == RIG_SYNC_MODE_PRIMARY && d->sync.trigger_out_enable)
        emit_pulse(st, ev->dev, ev->t_ns, seq);
    /* The period is counted on the crystal as it is now: it follows the crystal's drift. */
    int s = ev->stream < 0 ? RIG_STREAM_DEPTH : ev->stream;
    d->timer_next_ns[s] += period_ns(d, d->prof[s].fps);
    schedule_timer(st, ev->dev, ev->stream);
}

static void on_pulse_in(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    d->pulses_in++;
    /* Forwarding is done by the sync port's hardware: it does not depend on streaming. */
    bool forwards = (d->sync.mode == RIG_SYNC_MODE_SECONDARY ||
                     d->sync.mode == RIG_SYNC_MODE_SECONDARY_SYNCED ||
                     d->sync.mode == RIG_SYNC_MODE_HARDWARE_TRIGGERING) &&
                    d->sync.trigger_out_enable;
    if (forwards)
        emit_pulse(st, ev->dev, ev->t_ns, ev->seq);
    if (!d->streaming || ev->t_ns < d->armed_ns)
        return;
    switch (d->sync.mode) {
    case RIG_SYNC_MODE_SECONDARY:
        trigger_capture(st, ev->dev, ev->t_ns, ev->seq, -1);
        break;
    case RIG_SYNC_MODE_HARDWARE_TRIGGERING: {
        double p = period_ns(d, d->prof[RIG_STREAM_DEPTH].fps);
        for (int32_t i = 0; i < d->sync.frames_per_trigger; i++)
            trigger_capture(st, ev->dev, ev->t_ns + (int64_t)llround(i * p), ev->seq, -1);
        break;
    }
    case RIG_SYNC_MODE_SECONDARY_SYNCED:
        /* Re-phase the free-running timer onto the pulse; it keeps going if pulses stop. */
        d->timer_gen++;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->timer_next_ns[s] = (double)ev->t_ns;
        schedule_timer(st, ev->dev, -1);
        break;
    default:
        break;
    }
}

static void on_trigger(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->streaming || ev->gen != d->gen || d->sync.mode != RIG_SYNC_MODE_SOFTWARE_TRIGGERING)
        return;
    uint64_t seq = d->tick_seq++;
    double p = period_ns(d, d->prof[RIG_STREAM_DEPTH].fps);
    for (int32_t i = 0; i < d->sync.frames_per_trigger; i++)
        trigger_capture(st, ev->dev, ev->t_ns + (int64_t)llround(i * p), seq, -1);
    if (d->sync.trigger_out_enable)
        emit_pulse(st, ev->dev, ev->t_ns, seq);
}

static void on_capture(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->streaming || ev->gen != d->gen)
        return;
    int s = ev->stream;
    uint64_t index = d->frame_index[s]++;
    int64_t device_ts = stamp(d, ev->t_ns);
    if (sim_rng_chance(&d->rng, st->spec.drop_probability))
        return; /* lost on the way: the host sees a gap in the frame index */
    double latency_us = (double)d->latency_floor_us +
                        sim_rng_exp(&d->rng, (double)st->spec.latency_tail_mean_us);
    if (sim_rng_chance(&d->rng, st->spec.stall_probability))
        latency_us += sim_rng_range(&d->rng, (double)st->spec.stall_min_us,
                                    (double)st->spec.stall_max_us);
    int64_t arrival = ev->start_ns + (d->exposure_us[s] + st->spec.readout_us) * 1000 +
                      (int64_t)llround(latency_us * 1000.0);
    if (arrival <= d->last_arrival_ns[s])
        arrival = d->last_arrival_ns[s] + 1000; /* in order behind the previous frame */
    d->last_arrival_ns[s] = arrival;
    sim_event_t a = *ev;
    a.type = SIM_EV_ARRIVAL;
    a.t_ns = arrival;
    a.mid_ns = ev->t_ns;
    a.device_ts_us = device_ts;
    a.frame_index = index;
    push(st, &a);
}

static bool add_pending(sim_state_t *st, const pending_t *item)
{
    if (st->npending == st->cap_pending) {
        size_t cap = st->cap_pending ? st->cap_pending * 2 : 16;
        pending_t *v = realloc(st->pending, cap * sizeof(*v));
        if (!v) {
            st->oom = true;
            return false;
        }
        st->pending = v;
        st->cap_pending = cap;
    }
    st->pending[st->npending++] = *item;
    return true;
}

/* Did any other ToF camera's laser train overlap this depth capture's? By the time the frame
 * arrives (after exposure, readout and transport), every train that could overlap it began. */
static bool interfered(const sim_state_t *st, const sim_device_t *d, int64_t start_ns)
{
    if (!d->facts->tof)
        return false;
    rig_tof_params_t tp = rig_tof_params_default();
    int64_t train_ns = rig_tof_train_us(&tp) * 1000;
    for (size_t i = 0; i < st->ndev; i++) {
        const sim_device_t *o = &st->devs[i];
        if (o == d || !o->facts->tof || !o->streaming)
            continue;
        for (unsigned k = 0; k < DEPTH_HISTORY; k++) {
            int64_t s = o->depth_starts_ns[k];
            if (s != 0 && llabs(s - start_ns) < train_ns &&
                rig_tof_trains_overlap(&tp, start_ns / 1000, s / 1000))
                return true;
        }
    }
    return false;
}

static void on_arrival(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->streaming || ev->gen != d->gen)
        return;
    const rig_stream_profile_t *p = &d->prof[ev->stream];
    size_t size = st->pixels ? (size_t)p->width * p->height * rig_format_bytes_per_pixel(p->format)
                             : 0;
    rig_frame_t *f = rig_frame_alloc(size);
    if (!f) {
        st->oom = true;
        return;
    }
    f->device_index = d->ctx_index;
    rig_strlcpy(f->serial, d->spec.serial, sizeof(f->serial));
    f->stream = (rig_stream_t)ev->stream;
    f->index = ev->frame_index;
    f->device_ts_us = ev->device_ts_us;
    f->host_ts_us = host_us(st, ev->t_ns);
    f->width = p->width;
    f->height = p->height;
    f->format = st->pixels ? p->format : RIG_FORMAT_NONE;
    f->has_truth = true;
    f->truth.capture_start_us = host_us(st, ev->start_ns);
    f->truth.true_ts_us = host_us(st, ev->mid_ns);
    f->truth.arrival_us = f->host_ts_us;
    f->truth.trigger_seq = ev->seq;
    f->interfered = ev->stream == RIG_STREAM_DEPTH && interfered(st, d, ev->start_ns);
    if (size)
        sim_pixels_render(f->data, p->width, p->height, p->format, f->truth.true_ts_us,
                          (uint32_t)d->ctx_index);
    if (size && f->interfered)
        sim_pixels_corrupt(f->data, p->width, p->height, p->format, ev->seq);
    pending_t item = {.kind = PENDING_FRAME, .frame = f};
    if (!add_pending(st, &item))
        rig_frame_release(f);
}

/* (Re)starts the periodic two-way queries of device di, the first at t_ns. */
static void start_queries(sim_state_t *st, size_t di, int64_t t_ns)
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
    push(st, &ev);
}

static void on_time_query(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open || ev->gen != d->query_gen)
        return;
    sim_event_t read = *ev;
    read.type = SIM_EV_TIME_READ;
    read.host_before_us = host_us(st, ev->t_ns);
    double leg = d->leg_out_us + sim_rng_exp(&d->rng, (double)st->spec.time_query_tail_mean_us);
    read.t_ns = ev->t_ns + (int64_t)llround(leg * 1000.0);
    push(st, &read);
    sim_event_t next = *ev;
    if (d->burst_left > 0 && --d->burst_left > 0)
        next.t_ns = ev->t_ns + TIME_QUERY_BURST_SPACING_NS;
    else
        next.t_ns = ev->t_ns + st->spec.time_query_interval_ms * 1000000;
    push(st, &next);
}

static void on_time_read(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open)
        return;
    sim_event_t reply = *ev;
    reply.type = SIM_EV_TIME_REPLY;
    reply.device_ts_us = stamp(d, ev->t_ns);
    double leg = d->leg_back_us + sim_rng_exp(&d->rng, (double)st->spec.time_query_tail_mean_us);
    reply.t_ns = ev->t_ns + (int64_t)llround(leg * 1000.0);
    push(st, &reply);
}

static void on_time_reply(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->open)
        return;
    pending_t item = {.kind = PENDING_TIME,
                      .dev_index = d->ctx_index,
                      .host_before_us = ev->host_before_us,
                      .device_us = ev->device_ts_us,
                      .host_after_us = host_us(st, ev->t_ns)};
    add_pending(st, &item);
}

/* Temperature: each crystal's ppm takes a random-walk step. The clock is re-based first so that
 * the time elapsed so far keeps the old rate. */
static void on_drift(sim_state_t *st, const sim_event_t *ev)
{
    double sigma = st->spec.drift_walk_ppm_per_sqrt_hour / 60.0 *
                   sqrt((double)DRIFT_STEP_NS / 1e9); /* per step: sqrt(1 s / 1 h) = 1/60 */
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        d->clk_dev_us = dev_clock_us(d, ev->t_ns);
        d->clk_t_ns = ev->t_ns;
        d->ppm += sigma * sim_rng_normal(&d->rng);
    }
    sim_event_t next = *ev;
    next.t_ns = ev->t_ns + DRIFT_STEP_NS;
    st->next_drift_ns = next.t_ns;
    push(st, &next);
}

static void on_generator(sim_state_t *st, const sim_event_t *ev)
{
    for (size_t k = 0; k < st->gen_nouts; k++) {
        sim_event_t p = {0};
        p.type = SIM_EV_PULSE_IN;
        p.dev = (uint32_t)st->gen_outs[k];
        p.seq = ev->seq;
        p.t_ns = ev->t_ns + st->spec.cable_delay_ns;
        push(st, &p);
    }
    sim_event_t next = *ev;
    next.seq++;
    next.t_ns = (int64_t)llround((double)(next.seq) * 1e9 / st->spec.generator_hz);
    push(st, &next);
}

/* The cable into device ev->dev's sync-in is pulled out: nothing reaches it any more. */
static void on_cut(sim_state_t *st, const sim_event_t *ev)
{
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        size_t kept = 0;
        for (size_t k = 0; k < d->nouts; k++)
            if (d->outs[k].to != ev->dev)
                d->outs[kept++] = d->outs[k];
        d->nouts = kept;
    }
    size_t kept = 0;
    for (size_t k = 0; k < st->gen_nouts; k++)
        if (st->gen_outs[k] != ev->dev)
            st->gen_outs[kept++] = st->gen_outs[k];
    st->gen_nouts = kept;
}

static void on_clock_sync(sim_state_t *st, const sim_event_t *ev)
{
    if (!st->clock_sync_enabled || ev->gen != st->clock_sync_gen)
        return;
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        if (!d->open)
            continue;
        /* The host reads its clock, sends it; the device sets it on receipt: it is behind by
         * the command latency, which the host cannot know. */
        int64_t err = -(int64_t)llround(sim_rng_range(&d->rng, (double)st->spec.sync_error_min_us,
                                                      (double)st->spec.sync_error_max_us));
        d->clk_t_ns = ev->t_ns;
        d->clk_dev_us = (double)(host_us(st, ev->t_ns) + err);
        d->last_sync_host_us = host_us(st, ev->t_ns);
        d->last_sync_err_us = err;
        pending_t note = {.kind = PENDING_WRITE,
                          .dev_index = d->ctx_index,
                          .host_before_us = host_us(st, ev->t_ns)};
        add_pending(st, &note);
        /* The host knows it just moved the clock: it reads it back a few times at once. */
        d->burst_left = TIME_QUERY_BURST;
        start_queries(st, i, ev->t_ns + TIME_QUERY_BURST_FIRST_NS);
    }
    st->next_sync_ns = INT64_MAX;
    if (st->clock_sync_interval_ms > 0) {
        sim_event_t next = *ev;
        next.t_ns = ev->t_ns + (int64_t)st->clock_sync_interval_ms * 1000000;
        st->next_sync_ns = next.t_ns;
        push(st, &next);
    }
}

static void process(sim_state_t *st, const sim_event_t *ev)
{
    st->now_ns = ev->t_ns;
    switch (ev->type) {
    case SIM_EV_TIMER: on_timer(st, ev); break;
    case SIM_EV_PULSE_IN: on_pulse_in(st, ev); break;
    case SIM_EV_CAPTURE: on_capture(st, ev); break;
    case SIM_EV_ARRIVAL: on_arrival(st, ev); break;
    case SIM_EV_CLOCK_SYNC: on_clock_sync(st, ev); break;
    case SIM_EV_TRIGGER: on_trigger(st, ev); break;
    case SIM_EV_TIME_QUERY: on_time_query(st, ev); break;
    case SIM_EV_TIME_READ: on_time_read(st, ev); break;
    case SIM_EV_TIME_REPLY: on_time_reply(st, ev); break;
    case SIM_EV_DRIFT: on_drift(st, ev); break;
    case SIM_EV_GENERATOR: on_generator(st, ev); break;
    case SIM_EV_CUT: on_cut(st, ev); break;
    }
}

/* Hands pending frames to the core. Called with the lock held; returns with it held. */
static size_t flush_pending(sim_state_t *st)
{
    if (st->npending == 0)
        return 0;
    pending_t *v = st->pending;
    size_t n = st->npending, cap = st->cap_pending;
    st->pending = st->spare;
    st->cap_pending = st->cap_spare;
    st->npending = 0;
    st->spare = NULL;
    st->cap_spare = 0;
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++) {
        switch (v[i].kind) {
        case PENDING_FRAME:
            rig_context_deliver_frame(st->ctx, v[i].frame);
            break;
        case PENDING_TIME:
            rig_context_deliver_time_sample(st->ctx, v[i].dev_index, v[i].host_before_us,
                                            v[i].device_us, v[i].host_after_us);
            break;
        case PENDING_WRITE:
            rig_context_deliver_clock_write(st->ctx, v[i].dev_index, v[i].host_before_us);
            break;
        }
    }
    pthread_mutex_lock(&st->lock);
    if (!st->spare) {
        st->spare = v;
        st->cap_spare = cap;
    } else {
        free(v);
    }
    return n;
}

static void *engine_thread(void *arg)
{
    sim_state_t *st = arg;
    pthread_mutex_lock(&st->lock);
    while (!st->quit) {
        const sim_event_t *next = sim_heap_peek(&st->heap);
        if (!next) {
            pthread_cond_wait(&st->wake, &st->lock);
            continue;
        }
        int64_t due_us = st->wall_origin_us + next->t_ns / 1000;
        int64_t wall_us = rig_monotonic_us();
        if (wall_us < due_us) {
            struct timespec ts = {.tv_sec = (time_t)(due_us / 1000000),
                                  .tv_nsec = (long)(due_us % 1000000) * 1000};
            pthread_cond_timedwait(&st->wake, &st->lock, &ts);
            continue;
        }
        sim_event_t ev;
        sim_heap_pop(&st->heap, &ev);
        process(st, &ev);
        flush_pending(st);
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Backend ops                                                                                */

static void add_edge(sim_device_t *from, size_t to, int64_t delay_ns)
{
    from->outs[from->nouts++] = (sim_edge_t){to, delay_ns};
}

static rig_error_t wire(sim_state_t *st, const rig_config_t *cfg, const rig_sim_spec_t *spec)
{
    size_t ncfg = rig_config_device_count(cfg);
    for (size_t i = 0; i < st->ndev; i++) {
        st->devs[i].outs = calloc(st->ndev, sizeof(sim_edge_t));
        if (!st->devs[i].outs)
            return RIG_ERROR_NO_MEMORY;
    }
    st->gen_outs = calloc(spec->generator_count + 1, sizeof(size_t));
    if (!st->gen_outs)
        return RIG_ERROR_NO_MEMORY;
    for (size_t k = 0; k < spec->generator_count; k++)
        st->gen_outs[st->gen_nouts++] = spec->generator_to[k];
    if (spec->wiring == RIG_SIM_WIRING_CABLES) {
        for (size_t c = 0; c < spec->cable_count; c++)
            add_edge(&st->devs[spec->cables[c].from], spec->cables[c].to, spec->cable_delay_ns);
    } else if (spec->wiring != RIG_SIM_WIRING_NONE) {
        /* Daisy chain or star follow the config (primary first), so map config indices to
         * devices; through a hub a pulse crosses two cables and the hub. */
        int64_t delay = spec->wiring == RIG_SIM_WIRING_STAR
                            ? 2 * spec->cable_delay_ns + spec->hub_delay_ns
                            : spec->cable_delay_ns;
        for (size_t i = 0; i < ncfg; i++) {
            int src = rig_config_pulse_source(cfg, i);
            if (src < 0)
                continue;
            const char *from_sn = rig_config_device_serial(cfg, (size_t)src);
            const char *to_sn = rig_config_device_serial(cfg, i);
            size_t from = st->ndev, to = st->ndev;
            for (size_t k = 0; k < st->ndev; k++) {
                if (strcmp(st->devs[k].spec.serial, from_sn) == 0)
                    from = k;
                if (strcmp(st->devs[k].spec.serial, to_sn) == 0)
                    to = k;
            }
            if (from < st->ndev && to < st->ndev)
                add_edge(&st->devs[from], to, delay);
        }
    }
    return RIG_OK;
}

static void sim_destroy(void *state);

static rig_error_t sim_create(rig_context_t *ctx, const rig_context_options_t *opts, void **out)
{
    sim_state_t *st = calloc(1, sizeof(*st));
    if (!st)
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory creating the rig");
    st->ctx = ctx;
    st->time_mode = opts->time_mode;
    pthread_mutex_init(&st->lock, NULL);
    rig_cond_init_monotonic(&st->wake);

    const rig_config_t *cfg = opts->config;
    if (!cfg) {
        rig_config_diag_t diag;
        rig_error_t err = rig_config_default(&st->own_config, &diag);
        if (err != RIG_OK) {
            sim_destroy(st);
            return rig_context_set_error(ctx, RIG_ERROR_INTERNAL, "default rig: %s", diag.message);
        }
        cfg = st->own_config;
    }
    const rig_sim_spec_t *spec = rig_config_sim(cfg);
    st->spec = *spec;
    st->spec.devices = NULL;
    st->spec.cables = NULL;
    st->pixels = opts->pixels && spec->pixels;
    uint64_t seed = opts->seed_set ? opts->seed : spec->seed;

    st->ndev = spec->device_count;
    st->devs = calloc(st->ndev ? st->ndev : 1, sizeof(*st->devs));
    if (!st->devs) {
        sim_destroy(st);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory creating the rig");
    }
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        d->spec = spec->devices[i];
        if (d->spec.model[0] == '\0')
            rig_strlcpy(d->spec.model, RIG_MODEL_SIM_DEFAULT, sizeof(d->spec.model));
        d->facts = rig_model_facts(d->spec.model);
        if (!d->facts)
            d->facts = rig_model_facts(RIG_MODEL_SIM_DEFAULT);
        rig_strlcpy(d->spec.model, d->facts->name, sizeof(d->spec.model));
        d->modes = d->facts->modes;
        d->rate_offset_ppm =
            d->spec.has_rate_offset ? d->spec.rate_offset_ppm : d->facts->rate_offset_ppm;
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->exposure_us[s] = spec->exposure_given ? spec->exposure_us[s] : d->facts->exposure_us[s];
        sim_rng_seed(&d->rng, seed, i);
        sim_rng_seed(&d->qrng, seed, 0x10000 + i);
        if (d->spec.has_ppm) {
            d->ppm = d->spec.ppm;
        } else {
            double mag = sim_rng_range(&d->rng, RIG_SIM_DEFAULT_PPM_MIN, RIG_SIM_DEFAULT_PPM_MAX);
            d->ppm = sim_rng_chance(&d->rng, 0.5) ? mag : -mag;
        }
        d->clk_t_ns = 0;
        d->clk_dev_us = d->spec.has_clock_offset ? (double)d->spec.clock_offset_us
                                                 : floor(sim_rng_range(&d->rng, 0.0, 2e9));
        d->sync = rig_sync_config_default();
        d->last_sync_host_us = RIG_TS_NONE;
        d->ts_bits = d->spec.timestamp_bits == 32 ? 32 : 64;
        d->latency_floor_us =
            d->spec.has_latency_floor ? d->spec.latency_floor_us : spec->latency_floor_us;
        double asym = (double)spec->time_query_asymmetry_us;
        double leg = (double)(d->spec.has_query_leg ? d->spec.query_leg_us : spec->time_query_leg_us);
        d->leg_out_us = leg + sim_rng_range(&d->rng, -asym, asym);
        d->leg_back_us = leg + sim_rng_range(&d->rng, -asym, asym);
    }
    st->next_sync_ns = INT64_MAX;
    st->next_drift_ns = INT64_MAX;
    if (spec->generator_hz > 0) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_GENERATOR;
        ev.t_ns = 0;
        push(st, &ev);
    }
    for (size_t k = 0; k < spec->event_count; k++) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_CUT;
        ev.dev = (uint32_t)spec->events[k].cut_to;
        ev.t_ns = spec->events[k].at_us * 1000;
        push(st, &ev);
    }
    if (spec->drift_walk_ppm_per_sqrt_hour > 0) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_DRIFT;
        ev.t_ns = DRIFT_STEP_NS;
        st->next_drift_ns = ev.t_ns;
        push(st, &ev);
    }
    if (wire(st, cfg, spec) != RIG_OK) {
        sim_destroy(st);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory wiring the rig");
    }

    st->wall_origin_us = rig_monotonic_us();
    st->host_origin_us =
        st->time_mode == RIG_TIME_VIRTUAL ? VIRTUAL_HOST_ORIGIN_US : rig_realtime_us();
    if (st->time_mode == RIG_TIME_REAL) {
        if (pthread_create(&st->thread, NULL, engine_thread, st) != 0) {
            sim_destroy(st);
            return rig_context_set_error(ctx, RIG_ERROR_INTERNAL,
                                         "cannot start the simulator's engine thread");
        }
        st->thread_started = true;
    }
    *out = st;
    return RIG_OK;
}

static void sim_destroy(void *state)
{
    sim_state_t *st = state;
    if (!st)
        return;
    if (st->thread_started) {
        pthread_mutex_lock(&st->lock);
        st->quit = true;
        pthread_cond_signal(&st->wake);
        pthread_mutex_unlock(&st->lock);
        pthread_join(st->thread, NULL);
    }
    for (size_t i = 0; i < st->npending; i++)
        if (st->pending[i].kind == PENDING_FRAME)
            rig_frame_release(st->pending[i].frame);
    free(st->pending);
    free(st->spare);
    for (size_t i = 0; st->devs && i < st->ndev; i++)
        free(st->devs[i].outs);
    free(st->gen_outs);
    free(st->devs);
    sim_heap_free(&st->heap);
    rig_config_destroy(st->own_config);
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static rig_error_t sim_device_count(void *state, size_t *count)
{
    sim_state_t *st = state;
    *count = st->ndev;
    return RIG_OK;
}

static rig_error_t sim_device_info(void *state, size_t index, rig_device_info_t *out)
{
    sim_state_t *st = state;
    if (index >= st->ndev)
        return rig_context_set_error(st->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "device index %zu out of range (the rig has %zu devices)",
                                     index, st->ndev);
    memset(out, 0, sizeof(*out));
    rig_strlcpy(out->serial, st->devs[index].spec.serial, sizeof(out->serial));
    rig_strlcpy(out->model, st->devs[index].spec.model, sizeof(out->model));
    out->supported_modes = st->devs[index].modes;
    out->timestamp_bits = st->devs[index].ts_bits;
    return RIG_OK;
}

static rig_error_t sim_open(void *state, const char *serial, size_t dev_index, void **dev)
{
    sim_state_t *st = state;
    char present[512] = "";
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        if (strcmp(d->spec.serial, serial) != 0) {
            rig_append(present, sizeof(present), "%s%s", present[0] ? ", " : "", d->spec.serial);
            continue;
        }
        if (d->open) {
            pthread_mutex_unlock(&st->lock);
            return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                         "device %s is already open", serial);
        }
        d->open = true;
        d->ctx_index = dev_index;
        start_queries(st, i, now_locked(st));
        pthread_mutex_unlock(&st->lock);
        *dev = d;
        return RIG_OK;
    }
    pthread_mutex_unlock(&st->lock);
    return rig_context_set_error(st->ctx, RIG_ERROR_NOT_FOUND,
                                 "no device with serial number %s on the rig (present: %s)",
                                 serial, present[0] ? present : "none");
}

static void stop_locked(sim_device_t *d)
{
    d->streaming = false;
    d->gen++;
    d->timer_gen++;
}

static void sim_close(void *state, void *dev)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    stop_locked(d);
    d->open = false;
    d->query_gen++;
    pthread_mutex_unlock(&st->lock);
}

static rig_error_t sim_get_sync(void *state, void *dev, rig_sync_config_t *out)
{
    sim_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    *out = ((sim_device_t *)dev)->sync;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_set_sync(void *state, void *dev, const rig_sync_config_t *cfg)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    d->sync = *cfg;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_default_profile(void *state, void *dev, rig_stream_t stream,
                                       rig_stream_profile_t *out)
{
    (void)state;
    const sim_device_t *d = dev;
    out->fps = RIG_DEFAULT_FPS;
    if (d->facts->sizes[stream]) {
        out->width = d->facts->sizes[stream][0][0];
        out->height = d->facts->sizes[stream][0][1];
        out->format = stream == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16;
        return RIG_OK;
    }
    if (stream == RIG_STREAM_COLOR) {
        out->width = RIG_DEFAULT_COLOR_WIDTH;
        out->height = RIG_DEFAULT_COLOR_HEIGHT;
        out->format = RIG_FORMAT_RGB;
    } else {
        out->width = RIG_DEFAULT_DEPTH_WIDTH;
        out->height = RIG_DEFAULT_DEPTH_HEIGHT;
        out->format = RIG_FORMAT_Y16;
    }
    return RIG_OK;
}

static rig_error_t sim_start(void *state, void *dev, const rig_stream_profile_t *prof)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    static const rig_format_t want[RIG_STREAM_COUNT] = {RIG_FORMAT_RGB, RIG_FORMAT_Y16};
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        if (prof[s].fps == 0 || prof[s].width == 0 || prof[s].height == 0 ||
            prof[s].format != want[s])
            return rig_context_set_error(
                st->ctx, RIG_ERROR_UNSUPPORTED,
                "device %s: %s profile %ux%u@%u %s is not available; use %s with a non-zero "
                "size and fps",
                d->spec.serial, rig_stream_name((rig_stream_t)s), prof[s].width, prof[s].height,
                prof[s].fps, rig_format_name(prof[s].format), rig_format_name(want[s]));
    }
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        char why[512];
        if (!rig_model_profile_ok(d->facts, (rig_stream_t)s, &prof[s], why, sizeof(why)))
            return rig_context_set_error(st->ctx, RIG_ERROR_UNSUPPORTED,
                                         "device %s: %s %ux%u at %u fps is not available: %s",
                                         d->spec.serial, rig_stream_name((rig_stream_t)s),
                                         prof[s].width, prof[s].height, prof[s].fps, why);
    }
    if (rig_mode_streams_locked(d->sync.mode) &&
        prof[RIG_STREAM_COLOR].fps != prof[RIG_STREAM_DEPTH].fps)
        return rig_context_set_error(
            st->ctx, RIG_ERROR_UNSUPPORTED,
            "device %s: in %s mode color and depth run at one rate, but color asks %u fps and "
            "depth %u fps; give both the same fps (only FREE_RUN allows different rates)",
            d->spec.serial, rig_sync_mode_name(d->sync.mode), prof[RIG_STREAM_COLOR].fps,
            prof[RIG_STREAM_DEPTH].fps);

    pthread_mutex_lock(&st->lock);
    int64_t now = now_locked(st);
    d->gen++;
    d->timer_gen++;
    d->streaming = true;
    memcpy(d->prof, prof, sizeof(d->prof));
    memset(d->frame_index, 0, sizeof(d->frame_index));
    memset(d->last_arrival_ns, 0, sizeof(d->last_arrival_ns));
    d->tick_seq = 0;
    memset(d->depth_starts_ns, 0, sizeof(d->depth_starts_ns));
    d->armed_ns = now + STARTUP_MIN_NS + (int64_t)sim_rng_range(&d->rng, 0, STARTUP_SPREAD_NS);
    switch (d->sync.mode) {
    case RIG_SYNC_MODE_FREE_RUN:
        /* Independent sensors: each stream has its own timer and phase. */
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            d->timer_next_ns[s] =
                (double)d->armed_ns + sim_rng_range(&d->rng, 0, period_ns(d, prof[s].fps));
            schedule_timer(st, (size_t)(d - st->devs), s);
        }
        break;
    case RIG_SYNC_MODE_STANDALONE:
    case RIG_SYNC_MODE_PRIMARY:
    case RIG_SYNC_MODE_SECONDARY_SYNCED: {
        double t0 = (double)d->armed_ns +
                    sim_rng_range(&d->rng, 0, period_ns(d, prof[RIG_STREAM_DEPTH].fps));
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->timer_next_ns[s] = t0;
        schedule_timer(st, (size_t)(d - st->devs), -1);
        break;
    }
    default:
        break; /* captures only on pulses or trigger commands */
    }
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_stop(void *state, void *dev)
{
    sim_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    stop_locked(dev);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_trigger(void *state, void *dev)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    if (d->sync.mode != RIG_SYNC_MODE_SOFTWARE_TRIGGERING) {
        const char *name = rig_sync_mode_name(d->sync.mode);
        pthread_mutex_unlock(&st->lock);
        return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                     "device %s is in %s mode; a software trigger needs "
                                     "SOFTWARE_TRIGGERING",
                                     d->spec.serial, name ? name : "(invalid)");
    }
    sim_event_t ev = {0};
    ev.type = SIM_EV_TRIGGER;
    ev.dev = (uint32_t)(d - st->devs);
    ev.gen = d->gen;
    ev.t_ns = now_locked(st) +
              (int64_t)(sim_rng_range(&d->rng, COMMAND_LATENCY_MIN_US, COMMAND_LATENCY_MAX_US) *
                        1000);
    push(st, &ev);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_enable_clock_sync(void *state, uint64_t interval_ms)
{
    sim_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    st->clock_sync_enabled = true;
    st->clock_sync_interval_ms = interval_ms;
    sim_event_t ev = {0};
    ev.type = SIM_EV_CLOCK_SYNC;
    ev.gen = ++st->clock_sync_gen;
    ev.t_ns = now_locked(st);
    st->next_sync_ns = ev.t_ns;
    push(st, &ev);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_advance(void *state, int64_t timeout_us, bool (*done)(void *), void *arg)
{
    sim_state_t *st = state;
    if (st->time_mode != RIG_TIME_VIRTUAL)
        return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                     "the rig runs in real time; only a virtual-time rig can be "
                                     "advanced");
    pthread_mutex_lock(&st->lock);
    int64_t deadline = st->now_ns + timeout_us * 1000;
    rig_error_t result = RIG_ERROR_TIMEOUT;
    for (;;) {
        const sim_event_t *next = sim_heap_peek(&st->heap);
        if (!next || next->t_ns > deadline) {
            st->now_ns = deadline;
            break;
        }
        sim_event_t ev;
        sim_heap_pop(&st->heap, &ev);
        process(st, &ev);
        if (flush_pending(st) > 0 && done) {
            pthread_mutex_unlock(&st->lock);
            bool finished = done(arg);
            pthread_mutex_lock(&st->lock);
            if (finished) {
                result = RIG_OK;
                break;
            }
        }
    }
    bool oom = st->oom;
    st->oom = false;
    pthread_mutex_unlock(&st->lock);
    if (oom)
        return rig_context_set_error(st->ctx, RIG_ERROR_NO_MEMORY,
                                     "the simulator ran out of memory; some frames were lost");
    return result;
}

const rig_backend_ops_t rig_sim_backend = {
    .name = "sim",
    .create = sim_create,
    .destroy = sim_destroy,
    .device_count = sim_device_count,
    .device_info = sim_device_info,
    .open = sim_open,
    .close = sim_close,
    .get_sync = sim_get_sync,
    .set_sync = sim_set_sync,
    .default_profile = sim_default_profile,
    .start = sim_start,
    .stop = sim_stop,
    .trigger = sim_trigger,
    .enable_clock_sync = sim_enable_clock_sync,
    .advance = sim_advance,
};

/* ------------------------------------------------------------------------------------------ */
/* Simulator-only API (rigsync/sim.h)                                                         */

static sim_state_t *sim_of(rig_context_t *ctx)
{
    return rig_context_backend_state(ctx, &rig_sim_backend);
}

static sim_device_t *open_device(sim_state_t *st, size_t ctx_index)
{
    for (size_t i = 0; i < st->ndev; i++)
        if (st->devs[i].open && st->devs[i].ctx_index == ctx_index)
            return &st->devs[i];
    return NULL;
}

rig_error_t rig_sim_frame_truth(const rig_frame_t *frame, rig_sim_truth_t *out)
{
    if (!frame || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!frame->has_truth)
        return RIG_ERROR_UNSUPPORTED;
    *out = frame->truth;
    return RIG_OK;
}

rig_error_t rig_sim_now_us(rig_context_t *ctx, int64_t *now_us)
{
    sim_state_t *st = sim_of(ctx);
    if (!st || !now_us)
        return st ? RIG_ERROR_INVALID_ARGUMENT : RIG_ERROR_UNSUPPORTED;
    pthread_mutex_lock(&st->lock);
    *now_us = host_us(st, now_locked(st));
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

rig_error_t rig_sim_advance_us(rig_context_t *ctx, int64_t us)
{
    sim_state_t *st = sim_of(ctx);
    if (!st)
        return RIG_ERROR_UNSUPPORTED;
    if (us < 0)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = sim_advance(st, us, NULL, NULL);
    return err == RIG_ERROR_TIMEOUT ? RIG_OK : err;
}

/* Looks up an open device and runs `body` under the lock; shared by the per-device getters. */
#define WITH_DEVICE(ctx, index, d, body)                                                         \
    do {                                                                                         \
        sim_state_t *st_ = sim_of(ctx);                                                          \
        if (!st_)                                                                                \
            return RIG_ERROR_UNSUPPORTED;                                                        \
        pthread_mutex_lock(&st_->lock);                                                          \
        sim_device_t *d = open_device(st_, index);                                               \
        if (!d) {                                                                                \
            pthread_mutex_unlock(&st_->lock);                                                    \
            return RIG_ERROR_INVALID_ARGUMENT;                                                   \
        }                                                                                        \
        body;                                                                                    \
        pthread_mutex_unlock(&st_->lock);                                                        \
        return RIG_OK;                                                                           \
    } while (0)

rig_error_t rig_sim_device_clock_us(rig_context_t *ctx, size_t device_index, int64_t *out)
{
    if (!out)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, *out = stamp(d, now_locked(st_)));
}

rig_error_t rig_sim_device_ppm(rig_context_t *ctx, size_t device_index, double *ppm)
{
    if (!ppm)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, *ppm = d->ppm);
}

rig_error_t rig_sim_device_pulses_in(rig_context_t *ctx, size_t device_index, uint64_t *count)
{
    if (!count)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, *count = d->pulses_in);
}

rig_error_t rig_sim_device_last_clock_sync(rig_context_t *ctx, size_t device_index,
                                           int64_t *host_us_out, int64_t *error_us)
{
    if (!host_us_out || !error_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, {
        *host_us_out = d->last_sync_host_us;
        *error_us = d->last_sync_err_us;
    });
}

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
    sim_device_t *d = open_device(st, device_index);
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
    int64_t before = host_us(st, now_locked(st));
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = let_time_pass(st, out);
    if (err != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    d = open_device(st, device_index);
    int64_t read = d ? stamp(d, now_locked(st)) : 0;
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT; /* closed meanwhile */
    if ((err = let_time_pass(st, back)) != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    *host_after_us = host_us(st, now_locked(st));
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
    int64_t sent = host_us(st, now_locked(st));
    pthread_mutex_unlock(&st->lock);
    if (!d)
        return RIG_ERROR_INVALID_ARGUMENT;
    rig_error_t err = let_time_pass(st, lands);
    if (err != RIG_OK)
        return err;
    pthread_mutex_lock(&st->lock);
    d = open_device(st, device_index);
    if (d) {
        int64_t t = now_locked(st);
        int64_t value = sent - (sent % resolution_us); /* coarse units truncate */
        d->clk_t_ns = t;
        d->clk_dev_us = (double)value;
        d->last_sync_host_us = sent;
        d->last_sync_err_us = value - host_us(st, t);
        pending_t note = {.kind = PENDING_WRITE, .dev_index = d->ctx_index, .host_before_us = sent};
        add_pending(st, &note);
        d->burst_left = TIME_QUERY_BURST;
        start_queries(st, (size_t)(d - st->devs), t + TIME_QUERY_BURST_FIRST_NS);
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

rig_error_t rig_sim_decode_stamp(const rig_frame_t *frame, int64_t *true_ts_us)
{
    if (!frame || !true_ts_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!sim_pixels_decode(frame->data, frame->width, frame->height, frame->format, true_ts_us))
        return RIG_ERROR_UNSUPPORTED;
    return RIG_OK;
}

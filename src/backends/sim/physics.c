/*
 * The simulated rig's physics: the event handlers (frame timers, sync pulses along the wiring,
 * captures and their transport to the host, crystal drift, the signal generator, cable cuts) and
 * the event loop that runs them and hands their results to the core.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/ranges.h"
#include "backends/sim/pixels.h"
#include "backends/sim/sim_internal.h"
#include "mode/tof.h"

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

void sim_push(sim_state_t *st, const sim_event_t *ev)
{
    if (!sim_heap_push(&st->heap, ev))
        st->oom = true;
    if (st->time_mode == RIG_TIME_REAL)
        pthread_cond_signal(&st->wake);
}

void sim_schedule_timer(sim_state_t *st, size_t di, int stream)
{
    sim_device_t *d = &st->devs[di];
    int s = stream < 0 ? RIG_STREAM_DEPTH : stream;
    sim_event_t ev = {0};
    ev.type = SIM_EV_TIMER;
    ev.dev = (uint32_t)di;
    ev.stream = stream;
    ev.gen = d->timer_gen;
    ev.t_ns = sim_ns_of(d->timer_next_ns[s]);
    sim_push(st, &ev);
}

static void on_capture(sim_state_t *st, const sim_event_t *ev);

/* Frames of one trigger's burst: a sensor holds at most one second of frames per trigger,
 * whatever a config asks (memory stays bounded). */
static int32_t sim_burst_frames(const sim_device_t *d)
{
    int32_t cap = (int32_t)RIG_MAX(d->prof[RIG_STREAM_DEPTH].fps, 1u);
    return RIG_MIN(d->sync.frames_per_trigger, cap);
}

/* One trigger of the sensor: schedules the capture of the streams in `stream` (-1 = both). */
static void trigger_capture(sim_state_t *st, size_t di, int64_t t_ns, uint64_t seq, int stream)
{
    sim_device_t *d = &st->devs[di];
    if (!d->streaming || t_ns < d->armed_ns)
        return;
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        if (stream >= 0 && s != stream)
            continue;
        int64_t delay_us = (int64_t)d->sync.trigger_to_image_delay_us +
                           (s == RIG_STREAM_DEPTH ? d->sync.depth_delay_us : d->sync.color_delay_us);
        sim_event_t ev = {0};
        ev.type = SIM_EV_CAPTURE;
        ev.dev = (uint32_t)di;
        ev.stream = s;
        ev.gen = d->gen;
        ev.seq = seq;
        ev.start_ns = sim_add_ns(t_ns, sim_mul_ns(delay_us, 1000));
        ev.t_ns = sim_add_ns(ev.start_ns, sim_mul_ns(d->exposure_us[s], 500));
        if (s == RIG_STREAM_DEPTH && d->facts->tof) {
            d->depth_starts_ns[d->depth_head] = ev.start_ns;
            d->depth_head = (d->depth_head + 1) % DEPTH_HISTORY;
        }
        if (!st->on_demand_clock && ev.t_ns < st->next_sync_ns && ev.t_ns < st->next_drift_ns)
            on_capture(st, &ev); /* the clock cannot change before mid-exposure */
        else
            sim_push(st, &ev);
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
        ev.t_ns = sim_add_ns(sim_add_ns(t_ns, sim_mul_ns(d->sync.trigger_out_delay_us, 1000)),
                             d->outs[i].delay_ns);
        sim_push(st, &ev);
    }
}

/* The frame timer of PRIMARY / STANDALONE / SECONDARY_SYNCED (both streams on one tick) and
 * FREE_RUN (one timer per stream). */
static void on_timer(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (!d->streaming || ev->gen != d->timer_gen)
        return;
    int s = ev->stream < 0 ? RIG_STREAM_DEPTH : ev->stream;
    uint64_t seq = d->anchored ? d->anchor_k[s]++ : d->tick_seq++;
    if (d->anchored && ev->stream < 0)
        d->tick_seq = seq + 1;
    trigger_capture(st, ev->dev, ev->t_ns, seq, ev->stream);
    d->last_tick_ns = ev->t_ns;
    if (d->sync.mode == RIG_SYNC_MODE_PRIMARY && d->sync.trigger_out_enable)
        emit_pulse(st, ev->dev, ev->t_ns, seq);
    /* The period is counted on the crystal as it is now: it follows the crystal's drift
     * (anchored: a steady crystal, each tick at its own multiple of the period). */
    if (d->anchored)
        d->timer_next_ns[s] =
            (double)sim_anchor_tick_ns(st, d->anchor_k[s], sim_period_ns(d, d->prof[s].fps));
    else
        d->timer_next_ns[s] += sim_period_ns(d, d->prof[s].fps);
    sim_schedule_timer(st, ev->dev, ev->stream);
}

/* SECONDARY_SYNCED: a pulse moves the device's own frame timer onto itself, so that it goes on at
 * the pulse's phase (and on its own if pulses stop). It never adds a capture: a period has one.
 * The pulse is this period's capture unless the timer already took it, less than 3/4 of a
 * period ago (a crystal a little faster than the primary's ticks just before each pulse);
 * 3/4 leaves room for rates a few thousand ppm apart, and pulses faster than the device's own
 * rate are taken only as often as it captures. The tick counter follows the pulses' numbers. */
static void resync_timer(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    double p = sim_period_ns(d, d->prof[RIG_STREAM_DEPTH].fps);
    bool taken = d->last_tick_ns >= d->armed_ns &&
                 (double)(ev->t_ns - d->last_tick_ns) < 0.75 * p;
    if (!taken) {
        trigger_capture(st, ev->dev, ev->t_ns, ev->seq, -1);
        d->last_tick_ns = ev->t_ns;
    }
    d->tick_seq = ev->seq + 1;
    d->anchored = false; /* on the pulses' phase from now on */
    d->timer_gen++;
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        d->timer_next_ns[s] = (double)ev->t_ns + p;
    sim_schedule_timer(st, ev->dev, -1);
}

static void on_pulse_in(sim_state_t *st, const sim_event_t *ev)
{
    sim_device_t *d = &st->devs[ev->dev];
    if (sim_fault_pulse_lost(st, ev))
        return;
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
        double p = sim_period_ns(d, d->prof[RIG_STREAM_DEPTH].fps);
        int32_t n = sim_burst_frames(d);
        for (int32_t i = 0; i < n; i++)
            trigger_capture(st, ev->dev, sim_add_ns(ev->t_ns, sim_ns_of(i * p)), ev->seq, -1);
        break;
    }
    case RIG_SYNC_MODE_SECONDARY_SYNCED:
        resync_timer(st, ev);
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
    double p = sim_period_ns(d, d->prof[RIG_STREAM_DEPTH].fps);
    int32_t n = sim_burst_frames(d);
    for (int32_t i = 0; i < n; i++)
        trigger_capture(st, ev->dev, sim_add_ns(ev->t_ns, sim_ns_of(i * p)), seq, -1);
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
    int64_t device_ts = sim_fault_stamp(st, d, s, sim_stamp(d, ev->t_ns));
    if (sim_rng_chance(&d->rng, st->spec.drop_probability))
        return; /* lost on the way: the host sees a gap in the frame index */
    double latency_us = (double)d->latency_floor_us +
                        sim_rng_exp(&d->rng, (double)st->spec.latency_tail_mean_us);
    if (sim_rng_chance(&d->rng, st->spec.stall_probability))
        latency_us += sim_rng_range(&d->rng, (double)st->spec.stall_min_us,
                                    (double)st->spec.stall_max_us);
    int64_t arrival = sim_add_ns(
        sim_add_ns(ev->start_ns, sim_mul_ns(sim_add_ns(d->exposure_us[s], st->spec.readout_us), 1000)),
        sim_ns_of(latency_us * 1000.0));
    if (arrival <= d->last_arrival_ns[s])
        arrival = d->last_arrival_ns[s] + 1000; /* in order behind the previous frame */
    d->last_arrival_ns[s] = arrival;
    if (sim_fault_drops(st, d, arrival))
        return; /* a hub hiccup: lost like any drop, the host sees the gap */
    sim_event_t a = *ev;
    a.type = SIM_EV_ARRIVAL;
    a.t_ns = arrival;
    a.mid_ns = ev->t_ns;
    a.device_ts_us = device_ts;
    a.frame_index = index;
    sim_push(st, &a);
}

bool sim_add_pending(sim_state_t *st, const pending_t *item)
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
    uint8_t *jpeg = NULL; /* MJPG: the synthetic RGB image, compressed */
    if (st->pixels && p->format == RIG_FORMAT_MJPG) {
        size_t rgb_size = (size_t)p->width * p->height * 3;
        uint8_t *rgb = malloc(rgb_size);
        if (rgb)
            sim_pixels_render(rgb, p->width, p->height, RIG_FORMAT_RGB,
                              sim_host_us(st, ev->mid_ns), (uint32_t)d->ctx_index);
        bool ok = rgb && sim_pixels_jpeg(rgb, p->width, p->height, &jpeg, &size);
        free(rgb);
        if (!ok) {
            st->oom = true;
            return;
        }
    }
    rig_frame_t *f = rig_frame_alloc(size);
    if (!f) {
        free(jpeg);
        st->oom = true;
        return;
    }
    f->device_index = d->ctx_index;
    rig_strlcpy(f->serial, d->spec.serial, sizeof(f->serial));
    f->stream = (rig_stream_t)ev->stream;
    f->index = ev->frame_index;
    f->device_ts_us = ev->device_ts_us;
    f->host_ts_us = sim_host_us(st, ev->t_ns);
    f->width = p->width;
    f->height = p->height;
    f->format = st->pixels ? p->format : RIG_FORMAT_NONE;
    f->has_truth = true;
    f->truth.capture_start_us = sim_host_us(st, ev->start_ns);
    f->truth.true_ts_us = sim_host_us(st, ev->mid_ns);
    f->truth.arrival_us = f->host_ts_us;
    f->truth.trigger_seq = ev->seq;
    f->truth.true_mono_us = sim_add_ns(st->mono_origin_ns, ev->mid_ns) / 1000;
    f->interfered = ev->stream == RIG_STREAM_DEPTH && interfered(st, d, ev->start_ns);
    if (jpeg) {
        memcpy(f->data, jpeg, size);
        free(jpeg);
    } else if (size) {
        sim_pixels_render(f->data, p->width, p->height, p->format, f->truth.true_ts_us,
                          (uint32_t)d->ctx_index);
    }
    if (size && f->interfered)
        sim_pixels_corrupt(f->data, p->width, p->height, p->format, ev->seq);
    pending_t item = {.kind = PENDING_FRAME, .frame = f};
    if (!sim_add_pending(st, &item))
        rig_frame_release(f);
}

/* Temperature: each crystal's ppm takes a random-walk step. The clock is re-based first so that
 * the time elapsed so far keeps the old rate. */
static void on_drift(sim_state_t *st, const sim_event_t *ev)
{
    double sigma = st->spec.drift_walk_ppm_per_sqrt_hour / 60.0 *
                   sqrt((double)DRIFT_STEP_NS / 1e9); /* per step: sqrt(1 s / 1 h) = 1/60 */
    const double ppm_max = rig_range_get(RIG_RANGE_SIM_PPM)->max;
    for (size_t i = 0; i < st->ndev; i++) {
        sim_device_t *d = &st->devs[i];
        d->clk_dev_us = sim_dev_clock_us(d, ev->t_ns);
        d->clk_t_ns = ev->t_ns;
        d->ppm += sigma * sim_rng_normal(&d->rng);
        /* A crystal stays within what crystals do (the range the config accepts): the walk
         * reflects at its edges, so the clock estimator's skew allowance holds all run long. */
        if (d->ppm > ppm_max)
            d->ppm = 2.0 * ppm_max - d->ppm;
        else if (d->ppm < -ppm_max)
            d->ppm = -2.0 * ppm_max - d->ppm;
        d->ppm = d->ppm > ppm_max ? ppm_max : d->ppm < -ppm_max ? -ppm_max : d->ppm;
    }
    sim_event_t next = *ev;
    next.t_ns = ev->t_ns + DRIFT_STEP_NS;
    st->next_drift_ns = next.t_ns;
    sim_push(st, &next);
}

static void on_generator(sim_state_t *st, const sim_event_t *ev)
{
    for (size_t k = 0; k < st->gen_nouts; k++) {
        sim_event_t p = {0};
        p.type = SIM_EV_PULSE_IN;
        p.dev = (uint32_t)st->gen_outs[k];
        p.seq = ev->seq;
        p.t_ns = sim_add_ns(ev->t_ns, st->spec.cable_delay_ns);
        sim_push(st, &p);
    }
    sim_event_t next = *ev;
    next.seq++;
    if (st->anchored)
        next.t_ns = sim_anchor_tick_ns(st, next.seq, 1e9 / st->spec.generator_hz);
    else
        next.t_ns = sim_ns_of((double)(next.seq) * 1e9 / st->spec.generator_hz);
    if (next.t_ns > ev->t_ns && next.t_ns < INT64_MAX) /* never in the past, nor at the end */
        sim_push(st, &next);
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
void sim_process(sim_state_t *st, const sim_event_t *ev)
{
    st->now_ns = ev->t_ns;
    switch (ev->type) {
    case SIM_EV_TIMER: on_timer(st, ev); break;
    case SIM_EV_PULSE_IN: on_pulse_in(st, ev); break;
    case SIM_EV_CAPTURE: on_capture(st, ev); break;
    case SIM_EV_ARRIVAL: on_arrival(st, ev); break;
    case SIM_EV_CLOCK_SYNC: sim_on_clock_sync(st, ev); break;
    case SIM_EV_TRIGGER: on_trigger(st, ev); break;
    case SIM_EV_TIME_QUERY: sim_on_time_query(st, ev); break;
    case SIM_EV_TIME_READ: sim_on_time_read(st, ev); break;
    case SIM_EV_TIME_REPLY: sim_on_time_reply(st, ev); break;
    case SIM_EV_DRIFT: on_drift(st, ev); break;
    case SIM_EV_GENERATOR: on_generator(st, ev); break;
    case SIM_EV_CUT: on_cut(st, ev); break;
    case SIM_EV_FAULT: sim_on_fault(st, ev); break;
    case SIM_EV_FAULT_RANDOM: sim_on_fault_random(st, ev); break;
    }
}

/* Hands pending frames to the core. Called with the lock held; returns with it held. */
size_t sim_flush_pending(sim_state_t *st)
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
        if (v[i].kind == PENDING_ARRIVAL) {
            /* Devices that appeared together are announced together (serials are constant). */
            const char *serials[32];
            size_t k = 0;
            while (k < RIG_ARRAY_SIZE(serials) && i + k < n && v[i + k].kind == PENDING_ARRIVAL &&
                   v[i + k].host_before_us == v[i].host_before_us) {
                serials[k] = st->devs[v[i + k].sim_index].spec.serial;
                k++;
            }
            rig_context_deliver_device_arrivals(st->ctx, serials, k, v[i].host_before_us);
            i += k - 1;
            continue;
        }
        switch (v[i].kind) {
        case PENDING_GONE:
            rig_context_deliver_device_event(st->ctx, v[i].dev_index, RIG_DEVICE_EVENT_GONE,
                                             v[i].host_before_us, v[i].detail);
            break;
        case PENDING_ARRIVAL:
            break;
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

void *sim_engine_thread(void *arg)
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
        sim_process(st, &ev);
        sim_flush_pending(st);
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

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
 *
 * This file: the backend ops and the simulator-only API; sim_internal.h lists the other parts.
 */
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "backends/sim/pixels.h"
#include "backends/sim/sim_internal.h"

/* Host clock origin in virtual time: a fixed, realistic epoch-based value, so that runs are
 * reproducible and system timestamps look like the vendor's (us since 1970). */
#define VIRTUAL_HOST_ORIGIN_US 1700000000000000LL
/* CLOCK_MONOTONIC at the creation of a virtual-time rig (ground truth, sim.anchor): a machine up
 * for 11.6 days. */
#define VIRTUAL_MONO_ORIGIN_NS 1000000000000000LL
/* A device needs a moment after start before its sensor runs (real cameras: 100s of ms). */
#define STARTUP_MIN_NS 200000000LL
#define STARTUP_SPREAD_NS 50000000LL
/* Latency of a host command (software trigger) over USB. */
#define COMMAND_LATENCY_MIN_US 100.0
#define COMMAND_LATENCY_MAX_US 300.0

/* ------------------------------------------------------------------------------------------ */
/* Backend ops                                                                                */

/* Index of the device with that serial, or st->ndev. Lock held (or not yet shared). */
static size_t sim_find(sim_state_t *st, const char *serial)
{
    int i = rig_serial_index_find(st->by_serial, st->devs, st->ndev, sizeof *st->devs,
                                  offsetof(sim_device_t, spec) +
                                      offsetof(rig_sim_device_spec_t, serial),
                                  serial);
    return i < 0 ? st->ndev : (size_t)i;
}

/* Two passes over the cables: the first counts each device's outputs (count_only), the second
 * adds them, so that each device holds only its own (a rig of n devices has about n cables). */
static void add_edge(sim_device_t *from, size_t to, int64_t delay_ns, bool count_only)
{
    if (!count_only)
        from->outs[from->nouts] = (sim_edge_t){to, delay_ns};
    from->nouts++;
}

static void lay_cables(sim_state_t *st, const rig_config_t *cfg, const rig_sim_spec_t *spec,
                       bool count_only)
{
    size_t ncfg = rig_config_device_count(cfg);
    if (spec->wiring == RIG_SIM_WIRING_CABLES) {
        for (size_t c = 0; c < spec->cable_count; c++)
            add_edge(&st->devs[spec->cables[c].from], spec->cables[c].to, spec->cable_delay_ns,
                     count_only);
    } else if (spec->wiring != RIG_SIM_WIRING_NONE) {
        /* Daisy chain or star follow the config (primary first), so map config indices to
         * devices; through a hub a pulse crosses two cables and the hub. */
        int64_t delay = spec->wiring == RIG_SIM_WIRING_STAR
                            ? sim_add_ns(sim_mul_ns(2, spec->cable_delay_ns), spec->hub_delay_ns)
                            : spec->cable_delay_ns;
        for (size_t i = 0; i < ncfg; i++) {
            int src = rig_config_pulse_source(cfg, i);
            if (src < 0)
                continue;
            size_t from = sim_find(st, rig_config_device_serial(cfg, (size_t)src));
            size_t to = sim_find(st, rig_config_device_serial(cfg, i));
            if (from < st->ndev && to < st->ndev)
                add_edge(&st->devs[from], to, delay, count_only);
        }
    }
}

static rig_error_t wire(sim_state_t *st, const rig_config_t *cfg, const rig_sim_spec_t *spec)
{
    lay_cables(st, cfg, spec, true);
    for (size_t i = 0; i < st->ndev; i++) {
        st->devs[i].outs = calloc(st->devs[i].nouts ? st->devs[i].nouts : 1, sizeof(sim_edge_t));
        st->devs[i].nouts = 0;
        if (!st->devs[i].outs)
            return RIG_ERROR_NO_MEMORY;
    }
    lay_cables(st, cfg, spec, false);
    st->gen_outs = calloc(spec->generator_count + 1, sizeof(size_t));
    if (!st->gen_outs)
        return RIG_ERROR_NO_MEMORY;
    for (size_t k = 0; k < spec->generator_count; k++)
        st->gen_outs[st->gen_nouts++] = spec->generator_to[k];
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
    st->by_serial = rig_serial_index_create(); /* NULL: lookups scan */
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
    if (!sim_faults_init(st, seed)) {
        sim_destroy(st);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory creating the rig");
    }
    st->next_sync_ns = INT64_MAX;
    st->next_drift_ns = INT64_MAX;
    if (spec->generator_hz > 0 && spec->anchor == RIG_SIM_ANCHOR_NONE) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_GENERATOR;
        ev.t_ns = 0;
        sim_push(st, &ev);
    }
    for (size_t k = 0; k < spec->event_count; k++) {
        const rig_sim_event_t *e = &spec->events[k];
        if (e->is_fault) {
            if (!sim_fault_add(st, &e->fault, e->device)) {
                sim_destroy(st);
                return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY,
                                             "out of memory creating the rig");
            }
            continue;
        }
        sim_event_t ev = {0};
        ev.type = SIM_EV_CUT;
        ev.dev = (uint32_t)e->cut_to;
        ev.t_ns = sim_mul_ns(e->at_us, 1000);
        sim_push(st, &ev);
    }
    if (spec->drift_walk_ppm_per_sqrt_hour > 0) {
        sim_event_t ev = {0};
        ev.type = SIM_EV_DRIFT;
        ev.t_ns = DRIFT_STEP_NS;
        st->next_drift_ns = ev.t_ns;
        sim_push(st, &ev);
    }
    if (wire(st, cfg, spec) != RIG_OK) {
        sim_destroy(st);
        return rig_context_set_error(ctx, RIG_ERROR_NO_MEMORY, "out of memory wiring the rig");
    }

    st->wall_origin_us = rig_monotonic_us();
    st->host_origin_us =
        st->time_mode == RIG_TIME_VIRTUAL ? VIRTUAL_HOST_ORIGIN_US : rig_realtime_us();
    st->mono_origin_ns = st->time_mode == RIG_TIME_VIRTUAL ? VIRTUAL_MONO_ORIGIN_NS
                                                           : sim_mul_ns(st->wall_origin_us, 1000);
    st->host_realtime = spec->host_clock == RIG_SIM_HOST_CLOCK_REALTIME;
    st->anchored = spec->anchor == RIG_SIM_ANCHOR_MONOTONIC;
    if (st->host_realtime && st->time_mode == RIG_TIME_VIRTUAL) {
        const char *src = rig_config_source(cfg);
        rig_error_t err = rig_context_set_error(
            ctx, RIG_ERROR_CONFIG,
            "%s:%d:%d: sim.host_clock: \"realtime\" follows the machine's CLOCK_REALTIME, which "
            "a virtual-time rig does not run on; run the rig in real time, or remove "
            "\"host_clock\" (or set it to \"monotonic\").",
            src[0] ? src : "<config>", spec->host_clock_line, spec->host_clock_column);
        sim_destroy(st);
        return err;
    }
    if (spec->generator_hz > 0 && st->anchored) {
        /* Pulse k at k generator periods on CLOCK_MONOTONIC, from the first after creation. */
        double period = 1e9 / spec->generator_hz;
        sim_event_t ev = {0};
        ev.type = SIM_EV_GENERATOR;
        ev.seq = sim_anchor_first(st, 0, period);
        ev.t_ns = sim_anchor_tick_ns(st, ev.seq, period);
        sim_push(st, &ev);
    }
    sim_fault_rates_apply(st, &spec->fault_rates);
    if (st->time_mode == RIG_TIME_REAL) {
        if (pthread_create(&st->thread, NULL, sim_engine_thread, st) != 0) {
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
    rig_serial_index_destroy(st->by_serial);
    sim_faults_free(st);
    sim_heap_free(&st->heap);
    rig_config_destroy(st->own_config);
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* Devices on the bus (unplugged, rebooting and late ones are not listed), in rig order. */
static rig_error_t sim_device_count(void *state, size_t *count)
{
    sim_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    size_t n = 0;
    for (size_t i = 0; i < st->ndev; i++)
        n += st->devs[i].present;
    pthread_mutex_unlock(&st->lock);
    *count = n;
    return RIG_OK;
}

static rig_error_t sim_device_info(void *state, size_t index, rig_device_info_t *out)
{
    sim_state_t *st = state;
    pthread_mutex_lock(&st->lock);
    size_t n = 0, i = 0;
    for (; i < st->ndev; i++) {
        if (!st->devs[i].present)
            continue;
        if (n++ == index)
            break;
    }
    if (i == st->ndev) {
        pthread_mutex_unlock(&st->lock);
        return rig_context_set_error(st->ctx, RIG_ERROR_INVALID_ARGUMENT,
                                     "device index %zu out of range (%zu devices present)", index,
                                     n);
    }
    memset(out, 0, sizeof(*out));
    rig_strlcpy(out->serial, st->devs[i].spec.serial, sizeof(out->serial));
    rig_strlcpy(out->model, st->devs[i].spec.model, sizeof(out->model));
    out->supported_modes = st->devs[i].modes;
    out->timestamp_bits = st->devs[i].ts_bits;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

/* A handle whose device left the bus fails, as a real one does. Lock held. */
static rig_error_t gone_locked(sim_state_t *st, const sim_device_t *d)
{
    if (d->present && d->open)
        return RIG_OK;
    pthread_mutex_unlock(&st->lock);
    return rig_context_set_error(st->ctx, RIG_ERROR_NOT_FOUND,
                                 "device %s is gone (off the bus); its handle is no longer valid",
                                 d->spec.serial);
}

static rig_error_t sim_open(void *state, const char *serial, size_t dev_index, void **dev)
{
    sim_state_t *st = state;
    char present[512] = "";
    pthread_mutex_lock(&st->lock);
    size_t i = sim_find(st, serial);
    if (i < st->ndev && st->devs[i].present) { /* off the bus: not found, as a real one */
        sim_device_t *d = &st->devs[i];
        if (d->open) {
            pthread_mutex_unlock(&st->lock);
            return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                         "device %s is already open", serial);
        }
        d->open = true;
        d->ctx_index = dev_index;
        sim_start_queries(st, i, sim_now_locked(st));
        pthread_mutex_unlock(&st->lock);
        *dev = d;
        return RIG_OK;
    }
    for (size_t k = 0; k < st->ndev && strlen(present) + 2 < sizeof(present); k++)
        if (st->devs[k].present)
            rig_append(present, sizeof(present), "%s%s", present[0] ? ", " : "",
                       st->devs[k].spec.serial);
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
    if (gone_locked(st, dev) != RIG_OK)
        return RIG_ERROR_NOT_FOUND;
    *out = ((sim_device_t *)dev)->sync;
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_set_sync(void *state, void *dev, const rig_sync_config_t *cfg)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    if (gone_locked(st, d) != RIG_OK)
        return RIG_ERROR_NOT_FOUND;
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

/* The modes whose frames (also) come from the device's own frame timer. */
static bool has_own_timer(rig_sync_mode_t mode)
{
    return mode == RIG_SYNC_MODE_FREE_RUN || mode == RIG_SYNC_MODE_STANDALONE ||
           mode == RIG_SYNC_MODE_PRIMARY || mode == RIG_SYNC_MODE_SECONDARY_SYNCED;
}

static rig_error_t sim_start(void *state, void *dev, const rig_stream_profile_t *prof)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    static const rig_format_t want[RIG_STREAM_COUNT] = {RIG_FORMAT_RGB, RIG_FORMAT_Y16};
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        if (prof[s].fps == 0 || prof[s].width == 0 || prof[s].height == 0 ||
            (prof[s].format != want[s] && !(s == RIG_STREAM_COLOR && prof[s].format == RIG_FORMAT_MJPG)))
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
    if (gone_locked(st, d) != RIG_OK)
        return RIG_ERROR_NOT_FOUND;
    int64_t now = sim_now_locked(st);
    d->gen++;
    d->timer_gen++;
    d->streaming = true;
    memcpy(d->prof, prof, sizeof(d->prof));
    memset(d->frame_index, 0, sizeof(d->frame_index));
    memset(d->last_arrival_ns, 0, sizeof(d->last_arrival_ns));
    d->tick_seq = 0;
    memset(d->depth_starts_ns, 0, sizeof(d->depth_starts_ns));
    d->armed_ns = now + STARTUP_MIN_NS + (int64_t)sim_rng_range(&d->rng, 0, STARTUP_SPREAD_NS);
    d->anchored = false;
    if (st->anchored && has_own_timer(d->sync.mode)) {
        /* sim.anchor: tick k at k periods on CLOCK_MONOTONIC, from the first after the sensor
         * is ready; one timer for both streams unless FREE_RUN. */
        d->anchored = true;
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            int ps = d->sync.mode == RIG_SYNC_MODE_FREE_RUN ? s : RIG_STREAM_DEPTH;
            double p = sim_period_ns(d, prof[ps].fps);
            d->anchor_k[s] = sim_anchor_first(st, d->armed_ns, p);
            d->timer_next_ns[s] = (double)sim_anchor_tick_ns(st, d->anchor_k[s], p);
            if (d->sync.mode == RIG_SYNC_MODE_FREE_RUN)
                sim_schedule_timer(st, (size_t)(d - st->devs), s);
        }
        if (d->sync.mode != RIG_SYNC_MODE_FREE_RUN)
            sim_schedule_timer(st, (size_t)(d - st->devs), -1);
        d->tick_seq = d->anchor_k[RIG_STREAM_DEPTH];
        pthread_mutex_unlock(&st->lock);
        return RIG_OK;
    }
    switch (d->sync.mode) {
    case RIG_SYNC_MODE_FREE_RUN:
        /* Independent sensors: each stream has its own timer and phase. */
        for (int s = 0; s < RIG_STREAM_COUNT; s++) {
            d->timer_next_ns[s] =
                (double)d->armed_ns + sim_rng_range(&d->rng, 0, sim_period_ns(d, prof[s].fps));
            sim_schedule_timer(st, (size_t)(d - st->devs), s);
        }
        break;
    case RIG_SYNC_MODE_STANDALONE:
    case RIG_SYNC_MODE_PRIMARY:
    case RIG_SYNC_MODE_SECONDARY_SYNCED: {
        double t0 = (double)d->armed_ns +
                    sim_rng_range(&d->rng, 0, sim_period_ns(d, prof[RIG_STREAM_DEPTH].fps));
        for (int s = 0; s < RIG_STREAM_COUNT; s++)
            d->timer_next_ns[s] = t0;
        sim_schedule_timer(st, (size_t)(d - st->devs), -1);
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
    if (gone_locked(st, dev) != RIG_OK)
        return RIG_ERROR_NOT_FOUND;
    stop_locked(dev);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

static rig_error_t sim_trigger(void *state, void *dev)
{
    sim_state_t *st = state;
    sim_device_t *d = dev;
    pthread_mutex_lock(&st->lock);
    if (gone_locked(st, d) != RIG_OK)
        return RIG_ERROR_NOT_FOUND;
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
    ev.t_ns = sim_add_ns(sim_now_locked(st),
                         (int64_t)(sim_rng_range(&d->rng, COMMAND_LATENCY_MIN_US,
                                                 COMMAND_LATENCY_MAX_US) *
                                   1000));
    sim_push(st, &ev);
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
    ev.t_ns = sim_now_locked(st);
    st->next_sync_ns = ev.t_ns;
    sim_push(st, &ev);
    pthread_mutex_unlock(&st->lock);
    return RIG_OK;
}

rig_error_t sim_advance(void *state, int64_t timeout_us, bool (*done)(void *), void *arg)
{
    sim_state_t *st = state;
    if (st->time_mode != RIG_TIME_VIRTUAL)
        return rig_context_set_error(st->ctx, RIG_ERROR_STATE,
                                     "the rig runs in real time; only a virtual-time rig can be "
                                     "advanced");
    pthread_mutex_lock(&st->lock);
    int64_t deadline = sim_add_ns(st->now_ns, sim_mul_ns(timeout_us, 1000));
    rig_error_t result = RIG_ERROR_TIMEOUT;
    for (;;) {
        const sim_event_t *next = sim_heap_peek(&st->heap);
        if (!next || next->t_ns > deadline) {
            st->now_ns = deadline;
            break;
        }
        sim_event_t ev;
        sim_heap_pop(&st->heap, &ev);
        sim_process(st, &ev);
        if (sim_flush_pending(st) > 0 && done) {
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

sim_state_t *sim_of(rig_context_t *ctx)
{
    return rig_context_backend_state(ctx, &rig_sim_backend);
}

sim_device_t *sim_open_device(sim_state_t *st, size_t ctx_index)
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
    *now_us = sim_host_us(st, sim_now_locked(st));
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
        sim_device_t *d = sim_open_device(st_, index);                                           \
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
    WITH_DEVICE(ctx, device_index, d, *out = sim_stamp(d, sim_now_locked(st_)));
}

rig_error_t rig_sim_device_ppm(rig_context_t *ctx, size_t device_index, double *ppm)
{
    if (!ppm)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, *ppm = d->ppm);
}

rig_error_t rig_sim_device_exposure_us(rig_context_t *ctx, size_t device_index, rig_stream_t stream,
                                       int64_t *us)
{
    if (!us || (unsigned)stream >= RIG_STREAM_COUNT)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, *us = d->exposure_us[stream]);
}

rig_error_t rig_sim_device_set_exposure_us(rig_context_t *ctx, size_t device_index,
                                           rig_stream_t stream, int64_t us)
{
    if ((unsigned)stream >= RIG_STREAM_COUNT || us < 1 || us > 1000000)
        return RIG_ERROR_INVALID_ARGUMENT;
    WITH_DEVICE(ctx, device_index, d, d->exposure_us[stream] = us);
}

rig_error_t rig_sim_device_reset_clock(rig_context_t *ctx, size_t device_index)
{
    WITH_DEVICE(ctx, device_index, d, {
        d->clk_dev_us = 0;
        d->clk_t_ns = sim_now_locked(st_);
        st_->on_demand_clock = true; /* captures from now on are stamped at their own event */
    });
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

rig_error_t rig_sim_decode_stamp(const rig_frame_t *frame, int64_t *true_ts_us)
{
    if (!frame || !true_ts_us)
        return RIG_ERROR_INVALID_ARGUMENT;
    if (!sim_pixels_decode(frame->data, frame->width, frame->height, frame->format, true_ts_us))
        return RIG_ERROR_UNSUPPORTED;
    return RIG_OK;
}

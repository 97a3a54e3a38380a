/*
 * The simulated rig's internals, shared by its files: the state (devices, their clocks and
 * wiring, the event heap, what waits for the core), the clock arithmetic, and the functions one
 * part calls in another.
 *  - physics.c: the event handlers (frame timers, pulses and wiring, captures and transport,
 *    drift, the signal generator, cable cuts) and the event loop;
 *  - clocks.c: clock writes and time queries, periodic and on demand;
 *  - sim.c: the backend ops and the simulator-only API (rigsync/sim.h).
 */
#ifndef RIGSYNC_SIM_INTERNAL_H
#define RIGSYNC_SIM_INTERNAL_H

#include <math.h>
#include <pthread.h>

#include "backends/sim/engine.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "core/core.h"
#include "mode/mode.h"

/* Shared between the simulator's files, not exported from the library. */
#define SIM_HIDDEN __attribute__((visibility("hidden")))

/* Crystals wander in steps: one step of their random walk a second. */
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
    /* sim.anchor "monotonic": the timer ticks at anchor_k x period on CLOCK_MONOTONIC (until a
     * pulse re-phases a SECONDARY_SYNCED one), anchor_k is its next tick's number */
    bool anchored;
    uint64_t anchor_k[RIG_STREAM_COUNT];
    uint64_t tick_seq;
    int64_t last_tick_ns; /* SECONDARY_SYNCED: its last capture (own tick or pulse) */
    uint64_t pulses_in;
    int64_t last_sync_host_us, last_sync_err_us;
    unsigned ts_bits;                /* 64 or 32 */
    double leg_out_us, leg_back_us;  /* fixed parts of the two query legs */
    int64_t latency_floor_us;        /* transport floor of this device's frames */
    uint32_t query_gen;              /* bumped to restart (or stop) the periodic queries */
    int burst_left;                  /* queries left in the burst after a clock write */
    sim_rng_t qrng; /* on-demand clock commands (their own stream: callers' timing varies) */
    /* faults (faults.c) */
    bool present;                 /* on the bus: not unplugged, rebooting or yet to arrive */
    int64_t glitch_until_ns;      /* trigger glitch on its sync-in until then */
    double glitch_missing, glitch_extra;
    size_t glitch_record;         /* record counting its effect, SIZE_MAX: none */
    int64_t drop_until_ns;        /* frames reaching the host before then are lost */
    size_t drop_record;
    uint32_t bogus_left[RIG_STREAM_COUNT]; /* frames still to be stamped with nonsense */
    size_t bogus_record;
} sim_device_t;

typedef enum pending_kind {
    PENDING_FRAME,
    PENDING_TIME,
    PENDING_WRITE,
    PENDING_GONE,    /* an open device left the bus: dev_index, host_before_us, detail */
    PENDING_ARRIVAL, /* a device appeared on the bus: sim device sim_index, host_before_us */
} pending_kind_t;

/* Something for the core, handed over in the order it happened. */
typedef struct pending {
    pending_kind_t kind;
    rig_frame_t *frame;
    size_t dev_index;
    int64_t host_before_us, device_us, host_after_us; /* TIME; WRITE uses host_before_us */
    size_t sim_index;  /* ARRIVAL */
    char detail[96];   /* GONE */
} pending_t;

/* A fault's parameters (scheduled ones, and one template per kind for the random ones). */
typedef struct sim_fault_param {
    rig_sim_fault_t f; /* f.serial not kept: dev says which device */
    size_t dev;        /* sim device index, SIZE_MAX = every device */
    bool random;       /* drawn by a rate: an unplug is followed by a replug 1 to 5 s later */
} sim_fault_param_t;

/* A fault that struck, with the counters its effect is told with. */
typedef struct sim_fault_rec {
    rig_sim_fault_record_t pub;
    uint64_t n1, n2; /* glitch: pulses lost, extra; drops: frames; bogus: frames */
    bool counting;   /* pub.effect is a format with the counters */
} sim_fault_rec_t;

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
    int64_t mono_origin_ns; /* CLOCK_MONOTONIC at simulation time 0 (virtual: a fixed value) */
    bool host_realtime;     /* sim.host_clock "realtime": host time follows CLOCK_REALTIME */
    bool anchored;          /* sim.anchor "monotonic" */
    sim_heap_t heap;
    sim_device_t *devs;
    size_t ndev;
    rig_serial_index_t *by_serial; /* devs by serial (sim_find); may be NULL */
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
    /* faults (faults.c) */
    sim_fault_param_t *faults; /* [0, RIG_SIM_FAULT_KINDS): templates of random faults */
    size_t nfaults, cap_faults;
    sim_rng_t fault_rng;
    rig_sim_fault_rates_t rates;
    uint32_t rates_gen;
    sim_fault_rec_t *records; /* at most RIG_SIM_MAX_FAULT_RECORDS */
    size_t nrecords;
    uint64_t faults_struck;
} sim_state_t;

#define RIG_SIM_FAULT_KINDS 8

/* ------------------------------------------------------------------------------------------ */
/* Clocks                                                                                     */

static inline double sim_dev_clock_us(const sim_device_t *d, int64_t t_ns)
{
    return d->clk_dev_us + (double)(t_ns - d->clk_t_ns) * (1.0 + d->ppm * 1e-6) / 1000.0;
}

/* What the device's counter reads at t: its clock, in 32 bits on models that wrap. */
static inline int64_t sim_stamp(const sim_device_t *d, int64_t t_ns)
{
    int64_t v = (int64_t)floor(sim_dev_clock_us(d, t_ns));
    return d->ts_bits == 32 ? (int64_t)((uint64_t)v & 0xFFFFFFFFull) : v;
}

/* sim.host_clock "realtime": CLOCK_REALTIME now, plus how far t is from now (sim.c). */
SIM_HIDDEN int64_t sim_host_realtime_us(const sim_state_t *st, int64_t t_ns);

static inline int64_t sim_host_us(const sim_state_t *st, int64_t t_ns)
{
    if (st->host_realtime)
        return sim_host_realtime_us(st, t_ns);
    return st->host_origin_us + t_ns / 1000;
}


static inline int64_t sim_now_locked(const sim_state_t *st)
{
    if (st->time_mode == RIG_TIME_VIRTUAL)
        return st->now_ns;
    int64_t wall = (rig_monotonic_us() - st->wall_origin_us) * 1000;
    return wall > st->now_ns ? wall : st->now_ns;
}

/* Frame period on the host clock for a device whose crystal counts `fps` frames a second,
 * with its sensor's own rate offset. */
static inline double sim_period_ns(const sim_device_t *d, uint32_t fps)
{
    return 1e9 / (double)fps / (1.0 + d->ppm * 1e-6) / (1.0 + d->rate_offset_ppm * 1e-6);
}

/* ------------------------------------------------------------------------------------------ */
/* Shared between files                                                                       */

/* physics.c */
SIM_HIDDEN void sim_push(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN void sim_schedule_timer(sim_state_t *st, size_t di, int stream);
SIM_HIDDEN bool sim_add_pending(sim_state_t *st, const pending_t *item);
SIM_HIDDEN void sim_process(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN size_t sim_flush_pending(sim_state_t *st);
SIM_HIDDEN void *sim_engine_thread(void *arg);

/* clocks.c */
SIM_HIDDEN void sim_start_queries(sim_state_t *st, size_t di, int64_t t_ns);
SIM_HIDDEN void sim_on_time_query(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN void sim_on_time_read(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN void sim_on_time_reply(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN void sim_on_clock_sync(sim_state_t *st, const sim_event_t *ev);

/* faults.c */
SIM_HIDDEN bool sim_faults_init(sim_state_t *st, uint64_t seed);
SIM_HIDDEN void sim_faults_free(sim_state_t *st);
/* Schedules a checked fault on device dev (SIZE_MAX: every device); false when out of memory.
 * Lock held, or before the engine runs. */
SIM_HIDDEN bool sim_fault_add(sim_state_t *st, const rig_sim_fault_t *fault, size_t dev);
SIM_HIDDEN void sim_fault_rates_apply(sim_state_t *st, const rig_sim_fault_rates_t *rates);
SIM_HIDDEN void sim_on_fault(sim_state_t *st, const sim_event_t *ev);
SIM_HIDDEN void sim_on_fault_random(sim_state_t *st, const sim_event_t *ev);
/* A pulse reaching ev->dev: true when it does not (device off the bus, lost in a glitch); may
 * add a spurious pulse behind it. */
SIM_HIDDEN bool sim_fault_pulse_lost(sim_state_t *st, const sim_event_t *ev);
/* The stamp of a capture of stream s: a nonsense one while bogus timestamps are due. */
SIM_HIDDEN int64_t sim_fault_stamp(sim_state_t *st, sim_device_t *d, int s, int64_t stamp);
/* A frame that would reach the host at arrival_ns: true when a hub hiccup loses it. */
SIM_HIDDEN bool sim_fault_drops(sim_state_t *st, sim_device_t *d, int64_t arrival_ns);
/* Saturating arithmetic on nanoseconds: events are never scheduled past the end of time. */
static inline int64_t sim_add_ns(int64_t a, int64_t b) { return rig_sat_add(a, b); }
static inline int64_t sim_mul_ns(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
    return r;
}
/* A double number of ns as an event time: clamped into int64 (NaN: the end of time). */
static inline int64_t sim_ns_of(double v)
{
    if (!(v < 9.2e18))
        return INT64_MAX;
    if (v < -9.2e18)
        return INT64_MIN;
    return (int64_t)llround(v);
}

/* sim.anchor "monotonic": the simulation time of tick k of a train of period_ns (ticks at
 * k x period on CLOCK_MONOTONIC), and the first tick after simulation time t_ns. Long double:
 * k x period reaches 1e15 ns and more (the machine's uptime). */
static inline int64_t sim_anchor_tick_ns(const sim_state_t *st, uint64_t k, double period_ns)
{
    long double mono = (long double)k * (long double)period_ns;
    return sim_ns_of((double)(mono - (long double)st->mono_origin_ns));
}

static inline uint64_t sim_anchor_first(const sim_state_t *st, int64_t t_ns, double period_ns)
{
    long double x = ((long double)st->mono_origin_ns + (long double)t_ns) / (long double)period_ns;
    return x < 0 ? 0 : (uint64_t)floorl(x) + 1;
}

/* sim.c */
SIM_HIDDEN sim_state_t *sim_of(rig_context_t *ctx);
SIM_HIDDEN sim_device_t *sim_open_device(sim_state_t *st, size_t ctx_index);
SIM_HIDDEN rig_error_t sim_advance(void *state, int64_t timeout_us, bool (*done)(void *),
                                   void *arg);

#endif

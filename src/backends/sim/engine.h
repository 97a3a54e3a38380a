/*
 * Discrete-event core of the simulator: a min-heap of timestamped events and a seeded random
 * generator. Pure data structures; the simulator decides what events mean.
 */
#ifndef RIGSYNC_SIM_ENGINE_H
#define RIGSYNC_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sim_event_type {
    SIM_EV_TIMER = 1,      /* a device's own frame timer ticks */
    SIM_EV_PULSE_IN,       /* a sync pulse reaches a device's sync-in */
    SIM_EV_CAPTURE,        /* mid-exposure of one frame: the device stamps it */
    SIM_EV_ARRIVAL,        /* the frame is fully received by the host */
    SIM_EV_CLOCK_SYNC,     /* a host timer-sync pass over every open device */
    SIM_EV_TRIGGER,        /* a software trigger command reaches the device */
    SIM_EV_TIME_READ,      /* a two-way time query reads the device clock */
    SIM_EV_TIME_REPLY,     /* ... and its answer reaches the host */
    SIM_EV_TIME_QUERY,     /* the host starts the periodic query of one device */
    SIM_EV_DRIFT,          /* every crystal's ppm takes one step of its random walk */
    SIM_EV_GENERATOR,      /* the external signal generator emits a pulse */
    SIM_EV_CUT,            /* a scheduled cable cut */
    SIM_EV_FAULT,          /* a fault strikes: stream = its kind, seq = its parameters */
    SIM_EV_FAULT_RANDOM,   /* the next random fault of kind `stream` (gen: the rates') */
} sim_event_type_t;

typedef struct sim_event {
    int64_t t_ns;   /* simulation time (host clock, ns since the simulation began) */
    uint64_t order; /* insertion order: equal times pop first-in first-out, deterministically */
    sim_event_type_t type;
    uint32_t dev;
    int32_t stream;   /* rig_stream_t, or -1 for "both streams" */
    uint32_t gen;     /* generation of the device state that scheduled it; stale = ignored */
    uint64_t seq;     /* trigger sequence number / timer tick */
    int64_t start_ns; /* CAPTURE/ARRIVAL: exposure start */
    int64_t mid_ns;   /* ARRIVAL: mid-exposure */
    int64_t device_ts_us; /* ARRIVAL: stamp; TIME_REPLY: device clock read */
    uint64_t frame_index;
    int64_t host_before_us; /* TIME_READ/REPLY: when the host sent the query */
} sim_event_t;

/* The heap orders small keys; events live in a pool with a free list, so a sift moves 16 bytes
 * instead of a whole event. */
typedef struct sim_heap_key {
    int64_t t_ns;
    uint64_t order_slot; /* insertion order << 24 | pool slot: one compare orders ties */
} sim_heap_key_t;

typedef struct sim_heap {
    sim_heap_key_t *keys;
    size_t len, cap;
    sim_event_t *pool;
    uint32_t *free_slots;
    size_t pool_cap, nfree;
    uint64_t next_order;
} sim_heap_t;

/** Adds an event (its `order` is assigned here). Returns false when out of memory. */
bool sim_heap_push(sim_heap_t *h, const sim_event_t *ev);
/** Removes the earliest event into *out. Returns false when empty. */
bool sim_heap_pop(sim_heap_t *h, sim_event_t *out);
/** The earliest event, or NULL. */
const sim_event_t *sim_heap_peek(const sim_heap_t *h);
void sim_heap_free(sim_heap_t *h);

/* SplitMix64: tiny, fast, statistically sound for simulation noise, and fully reproducible
 * across platforms (unlike rand()). One generator per device keeps devices independent of each
 * other's event counts. */
typedef struct sim_rng {
    uint64_t s;
} sim_rng_t;

void sim_rng_seed(sim_rng_t *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_u64(sim_rng_t *r);
/** Uniform in [0, 1). */
double sim_rng_uniform(sim_rng_t *r);
/** Uniform in [lo, hi]. */
double sim_rng_range(sim_rng_t *r, double lo, double hi);
/** Exponential with the given mean. */
double sim_rng_exp(sim_rng_t *r, double mean);
/** True with probability p. */
bool sim_rng_chance(sim_rng_t *r, double p);
/** Standard normal (Box-Muller). */
double sim_rng_normal(sim_rng_t *r);

#endif

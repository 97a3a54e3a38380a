/*
 * Internal view of a parsed config: the sim backend and the CLI read the resolved values here.
 * Every field holds its final value (defaults filled in) once rig_config_parse() returns OK.
 */
#ifndef RIGSYNC_CONFIG_INTERNAL_H
#define RIGSYNC_CONFIG_INTERNAL_H

#include "common/serial_index.h"
#include "rigsync/rigsync.h"
#include "rigsync/sim.h"

#define RIG_SERIAL_MAX 64
#define RIG_MODEL_MAX 64

/* Defaults of the optional rigsync sections. */
#define RIG_DEFAULT_CLOCK_SYNC_INTERVAL_MS 60000u
#define RIG_DEFAULT_COLOR_WIDTH 640u
#define RIG_DEFAULT_COLOR_HEIGHT 480u
#define RIG_DEFAULT_DEPTH_WIDTH 640u
#define RIG_DEFAULT_DEPTH_HEIGHT 576u
#define RIG_DEFAULT_FPS 30u

/* Simulated-rig defaults: at least as rough as domain.md section 10. */
#define RIG_SIM_DEFAULT_SEED 1u
#define RIG_SIM_DEFAULT_PPM_MIN 20.0
#define RIG_SIM_DEFAULT_PPM_MAX 200.0
#define RIG_SIM_DEFAULT_LATENCY_FLOOR_US 1000
#define RIG_SIM_DEFAULT_LATENCY_TAIL_MEAN_US 300
#define RIG_SIM_DEFAULT_STALL_PROBABILITY 0.002
#define RIG_SIM_DEFAULT_STALL_MIN_US 5000
#define RIG_SIM_DEFAULT_STALL_MAX_US 50000
#define RIG_SIM_DEFAULT_DROP_PROBABILITY 0.002
#define RIG_SIM_DEFAULT_SYNC_ERROR_MIN_US 100
#define RIG_SIM_DEFAULT_SYNC_ERROR_MAX_US 600
#define RIG_SIM_DEFAULT_CABLE_DELAY_NS 50
#define RIG_SIM_DEFAULT_COLOR_EXPOSURE_US 8000
#define RIG_SIM_DEFAULT_DEPTH_EXPOSURE_US 12800
#define RIG_SIM_DEFAULT_READOUT_US 2000
/* Two-way time queries: each leg ~100 us plus an exponential tail; the legs' fixed parts differ
 * per device by an amount the host cannot know (domain.md section 10). */
#define RIG_SIM_DEFAULT_TIME_QUERY_INTERVAL_MS 100
#define RIG_SIM_DEFAULT_TIME_QUERY_LEG_US 100
#define RIG_SIM_DEFAULT_TIME_QUERY_TAIL_MEAN_US 50
#define RIG_SIM_DEFAULT_TIME_QUERY_ASYMMETRY_US 15
/* Temperature: the crystal's ppm wanders like a random walk of a few ppm per hour. */
#define RIG_SIM_DEFAULT_DRIFT_WALK_PPM_PER_SQRT_HOUR 3.0

/** One configured camera: the user's "devices" entry. */
typedef struct rig_config_device {
    char serial[RIG_SERIAL_MAX];
    rig_sync_config_t sync;
    /* Positions and paths (as the user spelled them) of the parts messages point at,
     * indexed by rig_config_part_t. */
    int line[3], column[3];
    char path[3][64];
} rig_config_device_t;

/** One simulated camera of the "sim" section. */
typedef struct rig_sim_device_spec {
    char serial[RIG_SERIAL_MAX];
    char model[RIG_MODEL_MAX]; /* "" = default simulated model (all seven modes) */
    bool has_clock_offset;
    int64_t clock_offset_us; /* device clock at simulation start; random when absent */
    bool has_ppm;
    double ppm; /* crystal drift vs the host clock; random in [20,200] with random sign */
    unsigned timestamp_bits; /* 64 (default) or 32: the device counter wraps after ~71.6 min */
    bool has_rate_offset;
    double rate_offset_ppm; /* sensor frame rate off nominal on its own clock (model default) */
    /* This device's own transport latency floor and time-query leg (cable, hub, controller);
     * without them, the rig-wide sim.transport / sim.time_query values. */
    bool has_latency_floor, has_query_leg;
    int64_t latency_floor_us;
    int64_t query_leg_us;
} rig_sim_device_spec_t;

/** A sync cable: sync-out of `from` into sync-in of `to` (indices into rig_sim_spec.devices). */
typedef struct rig_sim_cable {
    size_t from;
    size_t to;
} rig_sim_cable_t;

typedef enum rig_sim_wiring {
    RIG_SIM_WIRING_DAISY_CHAIN = 0, /* primary first, then config order */
    RIG_SIM_WIRING_CABLES = 1,      /* explicit list in `cables` */
    RIG_SIM_WIRING_NONE = 2,        /* no cable at all */
    RIG_SIM_WIRING_STAR = 3,        /* pulse source -> sync hub -> every other device (<= 8) */
} rig_sim_wiring_t;

#define RIG_SIM_HUB_PORTS 8
#define RIG_SIM_DEFAULT_HUB_DELAY_NS 200

/* A scheduled event of the simulated rig: the cable into a device's sync-in is cut, or a fault
 * of rigsync/sim.h strikes (sim.events). */
typedef struct rig_sim_event {
    int64_t at_us;  /* virtual time after the rig was created */
    size_t cut_to;  /* sim device index whose sync-in cable is cut */
    bool is_fault;  /* else a cable cut */
    rig_sim_fault_t fault; /* fault.serial unused: `device` says which */
    size_t device;  /* sim device index, SIZE_MAX = every device */
} rig_sim_event_t;

/* sim.host_clock: what a real-time rig's host clock (every host timestamp it makes) follows. */
typedef enum rig_sim_host_clock {
    RIG_SIM_HOST_CLOCK_MONOTONIC = 0, /* CLOCK_REALTIME read once at creation, then counted on
                                         CLOCK_MONOTONIC (steps of the clock are not seen) */
    RIG_SIM_HOST_CLOCK_REALTIME = 1,  /* CLOCK_REALTIME as the process reads it, continuously
                                         (real time only: a virtual rig has no such clock) */
} rig_sim_host_clock_t;

/* sim.anchor: where the free-running pulse trains (frame timers, the signal generator) put
 * their ticks. */
typedef enum rig_sim_anchor {
    RIG_SIM_ANCHOR_NONE = 0,      /* a random phase from when they start */
    RIG_SIM_ANCHOR_MONOTONIC = 1, /* tick k at k x period on CLOCK_MONOTONIC, trigger_seq k */
} rig_sim_anchor_t;

typedef struct rig_sim_spec {
    bool present;  /* the config had a "sim" section */
    uint64_t seed; /* default RIG_SIM_DEFAULT_SEED */
    /* Devices on the simulated rig. Without a "sim" section (or without sim.devices): one per
     * configured serial, default model, random crystal. */
    rig_sim_device_spec_t *devices;
    size_t device_count;
    rig_sim_wiring_t wiring;
    rig_sim_cable_t *cables;
    size_t cable_count;
    int64_t cable_delay_ns;
    int64_t hub_delay_ns; /* star wiring: the hub's pass-through delay */
    /* an external signal generator wired into some devices' sync-in (HARDWARE_TRIGGERING) */
    double generator_hz; /* 0 = none */
    size_t *generator_to; /* sim device indices */
    size_t generator_count;
    bool has_generator; /* the config has a signal_generator (known before devices parse) */
    rig_sim_event_t *events;
    size_t event_count;
    /* transport from device to host */
    int64_t latency_floor_us;
    int64_t latency_tail_mean_us;
    double stall_probability;
    int64_t stall_min_us, stall_max_us;
    double drop_probability;
    /* host timer sync: the device clock ends up behind the host by an unknown amount in
     * [min,max] (the command's latency) */
    int64_t sync_error_min_us, sync_error_max_us;
    int64_t exposure_us[RIG_STREAM_COUNT]; /* indexed by rig_stream_t */
    bool exposure_given; /* else each model's own exposure applies */
    int64_t readout_us;
    /* two-way time queries (0 interval = none) */
    int64_t time_query_interval_ms;
    int64_t time_query_leg_us, time_query_tail_mean_us, time_query_asymmetry_us;
    double drift_walk_ppm_per_sqrt_hour;
    rig_sim_fault_rates_t fault_rates; /* sim.faults: random faults, all 0 by default */
    bool pixels; /* default true */
    rig_sim_host_clock_t host_clock;
    int host_clock_line, host_clock_column; /* where the config set it (0: not given) */
    rig_sim_anchor_t anchor;
    rig_serial_index_t *serial_index; /* devices by serial (cfg_sim_find); may be NULL */
} rig_sim_spec_t;

struct rig_config {
    char source[256];
    char *text; /* the JSON text it was parsed from (NUL-terminated) */
    rig_config_device_t *devices;
    size_t device_count;
    rig_stream_profile_t streams[RIG_STREAM_COUNT]; /* indexed by rig_stream_t */
    bool streams_given[RIG_STREAM_COUNT]; /* the "streams" section set it (else: defaults) */
    uint64_t clock_sync_interval_ms;
    uint32_t auto_trigger_fps; /* vendor "autoTriggerFps" / "auto_trigger_fps"; 0 = off */
    rig_sim_spec_t sim;
    /* For rigs of thousands of devices (a loaded config never changes): devices by serial, and
     * rig_config_pulse_source of every device, derived once loading succeeded (else NULL). */
    rig_serial_index_t *serial_index;
    int *pulse_source;
    int *pulse_walk;     /* where the pulses stop on the way up from each device (checks.c) */
    bool *generator_fed; /* the signal generator feeds this device */
};

/**
 * The rate rule of the triggered modes, for a software trigger rate given outside the config
 * (the CLI's --trigger-hz; the config itself is checked with its autoTriggerFps): true when some
 * device gets more triggers/s x frames per trigger than its fps, with *index and the message.
 */
bool rig_config_trigger_rate_exceeded(const rig_config_t *config, double software_hz,
                                      const char *software_name, size_t *index, char *buf,
                                      size_t len);

/** The sim spec to build a rig from: the config's own, with devices filled in. */
const rig_sim_spec_t *rig_config_sim(const rig_config_t *config);

#endif

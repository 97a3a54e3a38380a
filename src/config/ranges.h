/*
 * Physical ranges: every number a config key or a CLI option takes, in one table with its unit
 * and the physical reason for its bounds. The config parser and the rigsync command both check
 * against it, so that no absurd value gets into the library; rules that depend on other values
 * (delays within a frame period, triggers x frames per trigger within the fps) come on top.
 */
#ifndef RIGSYNC_CONFIG_RANGES_H
#define RIGSYNC_CONFIG_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rig_range_id {
    /* top level */
    RIG_RANGE_CLOCK_SYNC_INTERVAL_MS, /* also --clock-sync-interval-ms */
    RIG_RANGE_AUTO_TRIGGER_FPS,
    RIG_RANGE_HARDWARE_TRIGGER_FPS,
    /* streams */
    RIG_RANGE_STREAM_WIDTH,
    RIG_RANGE_STREAM_HEIGHT,
    RIG_RANGE_STREAM_FPS,
    /* devices[].config */
    RIG_RANGE_DELAY_US,
    RIG_RANGE_FRAMES_PER_TRIGGER,
    /* sim */
    RIG_RANGE_SIM_SEED,
    RIG_RANGE_SIM_CLOCK_OFFSET_US,
    RIG_RANGE_SIM_PPM,
    RIG_RANGE_SIM_TIMESTAMP_BITS,
    RIG_RANGE_SIM_RATE_OFFSET_PPM,
    RIG_RANGE_SIM_DEVICE_LATENCY_FLOOR_US,
    RIG_RANGE_SIM_DEVICE_QUERY_LEG_US,
    RIG_RANGE_SIM_CABLE_DELAY_NS,
    RIG_RANGE_SIM_HUB_DELAY_NS,
    RIG_RANGE_SIM_LATENCY_FLOOR_US,
    RIG_RANGE_SIM_LATENCY_TAIL_MEAN_US,
    RIG_RANGE_SIM_STALL_PROBABILITY,
    RIG_RANGE_SIM_STALL_US,
    RIG_RANGE_SIM_DROP_PROBABILITY,
    RIG_RANGE_SIM_SYNC_ERROR_US,
    RIG_RANGE_SIM_EXPOSURE_US,
    RIG_RANGE_SIM_READOUT_US,
    RIG_RANGE_SIM_QUERY_INTERVAL_MS,
    RIG_RANGE_SIM_QUERY_LEG_US,
    RIG_RANGE_SIM_QUERY_TAIL_MEAN_US,
    RIG_RANGE_SIM_QUERY_ASYMMETRY_US,
    RIG_RANGE_SIM_DRIFT_WALK,
    RIG_RANGE_SIM_GENERATOR_HZ,
    RIG_RANGE_SIM_EVENT_AT_S,
    RIG_RANGE_SIM_FAULT_SPAN_S,
    RIG_RANGE_SIM_FAULT_PROBABILITY,
    RIG_RANGE_SIM_FAULT_FRAMES,
    RIG_RANGE_SIM_FAULT_OFFSET_US,
    RIG_RANGE_SIM_FAULT_RATE,
    /* command line only */
    RIG_RANGE_CLI_SECONDS,
    RIG_RANGE_CLI_SEED,
    RIG_RANGE_CLI_TRIGGER_HZ,
    RIG_RANGE_CLI_PLAN_COUNT,
    RIG_RANGE_COUNT
} rig_range_id_t;

typedef struct rig_range {
    const char *name;   /* JSON path ("sim.transport.stall_min_us, stall_max_us") or option */
    const char *option; /* the CLI option taking the same value, or NULL */
    bool integer;       /* integers use imin..imax, reals min..max */
    int64_t imin;
    uint64_t imax;
    double min, max;
    const char *unit; /* "" when the number has none */
    const char *why;  /* the physical reason for the bounds, a few words */
} rig_range_t;

const rig_range_t *rig_range_get(rig_range_id_t id);

bool rig_range_int_ok(const rig_range_t *r, int64_t v);
bool rig_range_real_ok(const rig_range_t *r, double v);

/** "0..1000 ns (why)": the bounds with their unit and reason. */
void rig_range_describe(const rig_range_t *r, char *buf, size_t len);

/**
 * Strict parsing of a command-line value against a range: plain decimal digits (and, for reals,
 * one decimal point); no sign, space, exponent, hex, "nan"/"inf" or trailing text. Integers land
 * in *u (the ranges of the options are non-negative), reals in *d. On failure, `msg` says what
 * was wrong and what the option takes ("wants ... in 0..86400000 ms (...), got ...").
 */
bool rig_range_parse_arg(const rig_range_t *r, const char *option, const char *text, uint64_t *u,
                         double *d, char *msg, size_t len);

#endif

/*
 * The range table: one row per numeric config key (or group of keys with the same meaning) and
 * per numeric command-line option.
 */
#include "config/ranges.h"

#include "common/util.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000
#define SECOND_US 1000000
#define YEAR_S 31536000 /* 365 days */
#define YEAR_US ((int64_t)YEAR_S * SECOND_US)

#define INT(name, option, lo, hi, unit, why)                                                       \
    {                                                                                              \
        name, option, true, lo, hi, 0, 0, unit, why                                                \
    }
#define REAL(name, option, lo, hi, unit, why)                                                      \
    {                                                                                              \
        name, option, false, 0, 0, lo, hi, unit, why                                               \
    }

static const rig_range_t ranges[RIG_RANGE_COUNT] = {
    [RIG_RANGE_CLOCK_SYNC_INTERVAL_MS] =
        INT("clock_sync_interval_ms", "--clock-sync-interval-ms", 0, DAY_MS, "ms",
            "0 syncs once; a host timer sync at least once a day"),
    [RIG_RANGE_AUTO_TRIGGER_FPS] =
        INT("autoTriggerFps", NULL, 0, 90, "Hz", "0 = off; no model captures faster than 90 fps"),
    [RIG_RANGE_HARDWARE_TRIGGER_FPS] =
        INT("hardwareTriggerFps", NULL, 0, 30000, "hundredths of Hz",
            "0 = off; 300 Hz is the fastest stream rate of the simulated models"),
    [RIG_RANGE_STREAM_WIDTH] =
        INT("streams.*.width", NULL, 1, 8192, "px", "wider than any depth or color sensor"),
    [RIG_RANGE_STREAM_HEIGHT] =
        INT("streams.*.height", NULL, 1, 8192, "px", "taller than any depth or color sensor"),
    [RIG_RANGE_STREAM_FPS] =
        INT("streams.*.fps", NULL, 1, 300, "fps",
            "the default simulated model runs 1 to 300 fps; each model's own list is checked "
            "when the device opens"),
    [RIG_RANGE_DELAY_US] =
        INT("devices[].config.*_delay_us", NULL, 0, 999999, "us",
            "within one frame period, 1e6/fps - 1 us, checked against the stream fps"),
    [RIG_RANGE_FRAMES_PER_TRIGGER] =
        INT("devices[].config.frames_per_trigger", NULL, 1, 1000, "frames",
            "a burst of at most 33 s at 30 fps; triggers/s x frames per trigger "
            "must also stay within the fps"),
    [RIG_RANGE_SIM_SEED] = INT("sim.seed", NULL, 0, INT64_MAX, "", "any seed a JSON integer holds"),
    [RIG_RANGE_SIM_CLOCK_OFFSET_US] =
        INT("sim.devices[].clock_offset_us", NULL, 0, YEAR_US, "us",
            "a device clock counts from power-on: at most a year of uptime"),
    [RIG_RANGE_SIM_PPM] = REAL("sim.devices[].ppm", NULL, -1000, 1000, "ppm",
                               "crystals are within a few hundred ppm; 1000 leaves a margin"),
    [RIG_RANGE_SIM_TIMESTAMP_BITS] = INT("sim.devices[].timestamp_bits", NULL, 32, 64, "bits",
                                         "a device counts its clock in 32 or 64 bits"),
    [RIG_RANGE_SIM_RATE_OFFSET_PPM] =
        REAL("sim.devices[].rate_offset_ppm", NULL, -10000, 10000, "ppm",
             "sensors run off nominal by up to 4667 ppm (Gemini 2: 30.14 fps); 1% at most"),
    [RIG_RANGE_SIM_DEVICE_LATENCY_FLOOR_US] =
        INT("sim.devices[].latency_floor_us", NULL, 0, SECOND_US, "us",
            "a transport delay of a second or more is a stall"),
    [RIG_RANGE_SIM_DEVICE_QUERY_LEG_US] =
        INT("sim.devices[].query_leg_us", NULL, 0, SECOND_US, "us",
            "one leg of a time query takes far less than a second"),
    [RIG_RANGE_SIM_CABLE_DELAY_NS] =
        INT("sim.cable_delay_ns", NULL, 0, 1000, "ns",
            "a pulse travels ~5 ns/m: 100 m of cable is ~500 ns, 1000 ns leaves a margin"),
    [RIG_RANGE_SIM_HUB_DELAY_NS] = INT("sim.hub_delay_ns", NULL, 0, 1000, "ns",
                                       "a sync hub passes a pulse on within a microsecond"),
    [RIG_RANGE_SIM_LATENCY_FLOOR_US] =
        INT("sim.transport.latency_floor_us", NULL, 0, SECOND_US, "us",
            "a transport delay of a second or more is a stall"),
    [RIG_RANGE_SIM_LATENCY_TAIL_MEAN_US] =
        INT("sim.transport.latency_tail_mean_us", NULL, 0, SECOND_US, "us",
            "a mean extra delay of a second or more is a stall"),
    [RIG_RANGE_SIM_STALL_PROBABILITY] =
        REAL("sim.transport.stall_probability", NULL, 0, 1, "", "a probability"),
    [RIG_RANGE_SIM_STALL_US] =
        INT("sim.transport.stall_min_us, stall_max_us", NULL, 0, 10 * SECOND_US, "us",
            "a USB stall or re-enumeration lasts seconds, not minutes"),
    [RIG_RANGE_SIM_DROP_PROBABILITY] =
        REAL("sim.transport.drop_probability", NULL, 0, 1, "", "a probability"),
    [RIG_RANGE_SIM_SYNC_ERROR_US] =
        INT("sim.clock_sync_error_us.min, max", NULL, 0, SECOND_US, "us",
            "a host timer sync command completes within a second"),
    [RIG_RANGE_SIM_EXPOSURE_US] = INT("sim.exposure_us.color, depth", NULL, 1, SECOND_US, "us",
                                      "an exposure fits in a frame period, 1 s at 1 fps"),
    [RIG_RANGE_SIM_READOUT_US] = INT("sim.readout_us", NULL, 0, SECOND_US, "us",
                                     "a readout fits in a frame period, 1 s at 1 fps"),
    [RIG_RANGE_SIM_QUERY_INTERVAL_MS] = INT("sim.time_query.interval_ms", NULL, 0, DAY_MS, "ms",
                                            "0 = no queries; at least one a day"),
    [RIG_RANGE_SIM_QUERY_LEG_US] = INT("sim.time_query.leg_us", NULL, 0, SECOND_US, "us",
                                       "one leg of a time query takes far less than a second"),
    [RIG_RANGE_SIM_QUERY_TAIL_MEAN_US] =
        INT("sim.time_query.leg_tail_mean_us", NULL, 0, SECOND_US, "us",
            "one leg of a time query takes far less than a second"),
    [RIG_RANGE_SIM_QUERY_ASYMMETRY_US] = INT("sim.time_query.asymmetry_max_us", NULL, 0, SECOND_US,
                                             "us", "the legs differ by less than a leg lasts"),
    [RIG_RANGE_SIM_DRIFT_WALK] =
        REAL("sim.drift_walk_ppm_per_sqrt_hour", NULL, 0, 1000, "ppm/sqrt(h)",
             "crystals wander a few ppm per hour; within their 1000 ppm"),
    [RIG_RANGE_SIM_GENERATOR_HZ] =
        REAL("sim.signal_generator.hz", NULL, 0.01, 300, "Hz",
             "one pulse per 100 s up to the fastest stream rate, 300 fps"),
    [RIG_RANGE_SIM_EVENT_AT_S] =
        REAL("sim.events[].at_s", NULL, 0, YEAR_S, "s", "within a run, at most a year long"),
    [RIG_RANGE_SIM_FAULT_SPAN_S] =
        REAL("sim.events[].down_s, duration_s", NULL, 0, 3600, "s",
             "a reboot, glitch or hub hiccup lasts seconds; an hour covers any"),
    [RIG_RANGE_SIM_FAULT_PROBABILITY] =
        REAL("sim.events[].missing, extra", NULL, 0, 1, "", "a probability per pulse"),
    [RIG_RANGE_SIM_FAULT_FRAMES] =
        INT("sim.events[].frames", NULL, 1, 100000, "frames",
            "a firmware glitch spoils a few frames; an hour of frames at most"),
    [RIG_RANGE_SIM_FAULT_OFFSET_US] =
        INT("sim.events[].offset_us", NULL, -YEAR_US, (uint64_t)YEAR_US, "us",
            "a foreign clock write moves the clock by at most a year"),
    [RIG_RANGE_SIM_FAULT_RATE] =
        REAL("sim.faults.*_per_hour", NULL, 0, 3600, "per device and hour",
             "0 = none; at most one a second on every device"),
    [RIG_RANGE_CLI_SECONDS] =
        REAL("run --seconds", "--seconds", 0.001, YEAR_S, "s", "a run of 1 ms up to a year"),
    [RIG_RANGE_CLI_SEED] = INT("run --seed", "--seed", 0, UINT64_MAX, "", "any 64-bit seed"),
    [RIG_RANGE_CLI_TRIGGER_HZ] =
        REAL("run --trigger-hz", "--trigger-hz", 0.01, 90, "Hz",
             "one trigger per 100 s up to 90 Hz, as the vendor's autoTriggerFps"),
    [RIG_RANGE_CLI_PLAN_COUNT] =
        INT("plan N", "N", 1, 1000, "cameras", "a rig of 1 to 1000 cameras"),
};

const rig_range_t *rig_range_get(rig_range_id_t id)
{
    return (unsigned)id < RIG_RANGE_COUNT ? &ranges[id] : NULL;
}

bool rig_range_int_ok(const rig_range_t *r, int64_t v)
{
    return v >= r->imin && (v < 0 || (uint64_t)v <= r->imax);
}

bool rig_range_real_ok(const rig_range_t *r, double v)
{
    return v >= r->min && v <= r->max; /* false for NaN */
}

void rig_range_describe(const rig_range_t *r, char *buf, size_t len)
{
    if (r->integer)
        rig_fmt(buf, len, "%" PRId64 "..%" PRIu64, r->imin, r->imax);
    else
        rig_fmt(buf, len, "%.15g..%.15g", r->min, r->max);
    if (r->unit[0])
        rig_append(buf, len, " %s", r->unit);
    rig_append(buf, len, " (%s)", r->why);
}

/* Digits only, at most one '.', for reals; at least one digit. */
static bool plain_decimal(const char *s, bool real)
{
    size_t digits = 0, dots = 0;
    for (const char *c = s; *c; c++) {
        if (*c >= '0' && *c <= '9')
            digits++;
        else if (*c == '.' && real)
            dots++;
        else
            return false;
    }
    return digits > 0 && dots <= 1;
}

bool rig_range_parse_arg(const rig_range_t *r, const char *option, const char *text, uint64_t *u,
                         double *d, char *msg, size_t len)
{
    char range[256];
    rig_range_describe(r, range, sizeof range);
    const char *what = r->integer ? "a whole number" : "a number";
    const char *form = r->integer ? "plain digits" : "plain digits with at most one '.'";
    if (!plain_decimal(text, !r->integer)) {
        rig_fmt(msg, len,
                "%s wants %s in %s, got \"%s\"; write %s (no sign, space, exponent, hex or "
                "other text).",
                option, what, range, text, form);
        return false;
    }
    bool ok;
    if (r->integer) {
        errno = 0;
        char *end;
        unsigned long long v = strtoull(text, &end, 10);
        ok = errno == 0 && *end == '\0' && v <= r->imax && (r->imin <= 0 || v >= (uint64_t)r->imin);
        if (ok)
            *u = v;
    } else {
        errno = 0;
        char *end;
        double v = strtod(text, &end);
        ok = errno == 0 && *end == '\0' && isfinite(v) && rig_range_real_ok(r, v);
        if (ok)
            *d = v;
    }
    if (!ok)
        rig_fmt(msg, len, "%s wants %s in %s, got %s, outside that range.", option, what, range,
                text);
    return ok;
}

/*
 * The "sim" section: the simulated rig's devices, wiring, transport, clocks, exposure, time
 * queries, signal generator and scheduled events.
 */
#include "common/util.h"
#include "config/parser.h"
#include "mode/mode.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* "sim"                                                                                       */

int cfg_sim_find(const rig_sim_spec_t *sim, const char *serial)
{
    return rig_serial_index_find(sim->serial_index, sim->devices, sim->device_count,
                                 sizeof *sim->devices, offsetof(rig_sim_device_spec_t, serial),
                                 serial);
}

/* Without sim.devices the simulated rig is exactly the configured cameras. */
static rig_error_t sim_devices_from_config(parser_t *p, rig_config_t *cfg)
{
    rig_sim_spec_t *sim = &cfg->sim;
    sim->devices = calloc(cfg->device_count, sizeof *sim->devices);
    if (!sim->devices)
        return cfg_out_of_memory(p->diag);
    for (size_t i = 0; i < cfg->device_count; i++)
        rig_strlcpy(sim->devices[i].serial, cfg->devices[i].serial, RIG_SERIAL_MAX);
    sim->device_count = cfg->device_count;
    return RIG_OK;
}

static rig_error_t parse_sim_device(parser_t *p, const path_t *at, const json_t *obj, size_t index,
                                    rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {
        {"serial_number", "sn"}, {"model", NULL}, {"clock_offset_us", NULL}, {"ppm", NULL},
        {"timestamp_bits", NULL}, {"rate_offset_ppm", NULL}, {"latency_floor_us", NULL},
        {"query_leg_us", NULL}};
    rig_sim_device_spec_t *d = &sim->devices[index];
    TRY(cfg_expect(p, at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, at, obj, keys, RIG_ARRAY_SIZE(keys)));

    const char *used;
    const json_t *v = cfg_member(obj, &keys[0], &used);
    if (!v)
        return cfg_fail_missing(
            p, at, "serial_number",
            "sim.devices[%zu] has no serial number; add \"serial_number\": \"...\" "
            "(the serial a configured device names).",
            index);
    path_t sp = cfg_path_key(at, used);
    char what[40];
    rig_fmt(what, sizeof what, "sim.devices[%zu]", index);
    TRY(cfg_parse_serial(p, &sp, v, what, d->serial));
    int dup = rig_serial_index_find(sim->serial_index, sim->devices, index, sizeof *sim->devices,
                                    offsetof(rig_sim_device_spec_t, serial), d->serial);
    if (dup >= 0)
        return cfg_fail(p, &sp,
                        "serial number \"%s\" is already used by sim.devices[%d]; each "
                        "simulated camera appears once: remove this entry or correct its serial "
                        "number.",
                        d->serial, dup);

    v = json_object_get(obj, "model");
    if (v) {
        path_t mp = cfg_path_key(at, "model");
        TRY(cfg_expect(p, &mp, v, KIND_STRING));
        const char *model = json_string_value(v);
        uint32_t modes;
        if (strlen(model) >= RIG_MODEL_MAX || !rig_model_supported_modes(model, &modes))
            return cfg_fail(p, &mp,
                            "unknown model \"%s\"; use one of: %s (case, spaces, dashes and "
                            "underscores do not matter), or leave \"model\" out for a camera with "
                            "every mode.",
                            model, rig_model_all_names());
        rig_strlcpy(d->model, model, RIG_MODEL_MAX);
    }
    if (json_object_get(obj, "clock_offset_us")) {
        TRY(cfg_opt_int(p, at, obj, "clock_offset_us", RIG_RANGE_SIM_CLOCK_OFFSET_US,
                        &d->clock_offset_us));
        d->has_clock_offset = true;
    }
    if (json_object_get(obj, "ppm")) {
        /* Real crystals are within a few hundred ppm; allow far more for stress runs. */
        TRY(cfg_opt_number(p, at, obj, "ppm", RIG_RANGE_SIM_PPM, &d->ppm));
        d->has_ppm = true;
    }
    int64_t bits = 64;
    TRY(cfg_opt_int(p, at, obj, "timestamp_bits", RIG_RANGE_SIM_TIMESTAMP_BITS, &bits));
    if (bits != 32 && bits != 64) {
        path_t bp = cfg_path_key(at, "timestamp_bits");
        return cfg_fail(p, &bp,
                        "timestamp_bits is %lld; a device counts its clock in 32 or 64 bits.",
                        (long long)bits);
    }
    d->timestamp_bits = (unsigned)bits;
    if (json_object_get(obj, "rate_offset_ppm")) {
        TRY(cfg_opt_number(p, at, obj, "rate_offset_ppm", RIG_RANGE_SIM_RATE_OFFSET_PPM,
                           &d->rate_offset_ppm));
        d->has_rate_offset = true;
    }
    /* Per-device floors: USB controllers, hubs and cables differ (up to a second is a stall). */
    d->has_latency_floor = json_object_get(obj, "latency_floor_us") != NULL;
    d->has_query_leg = json_object_get(obj, "query_leg_us") != NULL;
    TRY(cfg_opt_int(p, at, obj, "latency_floor_us", RIG_RANGE_SIM_DEVICE_LATENCY_FLOOR_US,
                    &d->latency_floor_us));
    TRY(cfg_opt_int(p, at, obj, "query_leg_us", RIG_RANGE_SIM_DEVICE_QUERY_LEG_US,
                    &d->query_leg_us));
    return RIG_OK;
}

static rig_error_t parse_cable_end(parser_t *p, const path_t *cable_path, const json_t *obj,
                                   const char *key, const rig_sim_spec_t *sim, size_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return cfg_fail_missing(
            p, cable_path, key,
            "this cable has no \"%s\"; write {\"from\": \"<serial of the sync-out "
            "it leaves>\", \"to\": \"<serial of the sync-in it enters>\"}.",
            key);
    path_t at = cfg_path_key(cable_path, key);
    TRY(cfg_expect(p, &at, v, KIND_STRING));
    int k = cfg_sim_find(sim, json_string_value(v));
    if (k < 0) {
        char list[400] = "";
        for (size_t i = 0; i < sim->device_count; i++)
            rig_append(list, sizeof list, "%s%s", i ? ", " : "", sim->devices[i].serial);
        return cfg_fail(p, &at,
                        "\"%s\" is not a device of the simulated rig; a cable connects two of its "
                        "serials: %s.",
                        json_string_value(v), list);
    }
    *out = (size_t)k;
    return RIG_OK;
}

static rig_error_t parse_wiring(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                rig_sim_spec_t *sim)
{
    static const key_spec_t cable_keys[] = {{"from", NULL}, {"to", NULL}};
    const json_t *w = json_object_get(jsim, "wiring");
    if (!w)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "wiring");
    if (json_is_string(w)) {
        const char *s = json_string_value(w);
        if (rig_strcaseeq(s, "daisy_chain"))
            sim->wiring = RIG_SIM_WIRING_DAISY_CHAIN;
        else if (rig_strcaseeq(s, "none"))
            sim->wiring = RIG_SIM_WIRING_NONE;
        else if (rig_strcaseeq(s, "star"))
            sim->wiring = RIG_SIM_WIRING_STAR;
        else
            return cfg_fail(p, &at,
                            "unknown wiring \"%s\"; use \"daisy_chain\" (pulse source first, then "
                            "config order), \"star\" (through a sync hub), \"none\", or a list of "
                            "cables such as [{\"from\": \"SERIAL_A\", \"to\": \"SERIAL_B\"}].",
                            s);
        return RIG_OK;
    }
    if (!json_is_array(w)) {
        char got[96];
        cfg_describe_value(w, got, sizeof got);
        return cfg_fail(p, &at,
                        "expected a string or an array for wiring, got %s; write \"daisy_chain\", "
                        "\"none\" or [{\"from\": \"SERIAL_A\", \"to\": \"SERIAL_B\"}, ...].",
                        got);
    }
    sim->wiring = RIG_SIM_WIRING_CABLES;
    size_t n = json_array_size(w);
    if (n == 0)
        return RIG_OK;
    sim->cables = calloc(n, sizeof *sim->cables);
    if (!sim->cables)
        return cfg_out_of_memory(p->diag);
    for (size_t k = 0; k < n; k++) {
        path_t cp = cfg_path_index(&at, k);
        const json_t *c = json_array_get(w, k);
        TRY(cfg_expect(p, &cp, c, KIND_OBJECT));
        TRY(cfg_check_keys(p, &cp, c, cable_keys, RIG_ARRAY_SIZE(cable_keys)));
        rig_sim_cable_t cable;
        TRY(parse_cable_end(p, &cp, c, "from", sim, &cable.from));
        TRY(parse_cable_end(p, &cp, c, "to", sim, &cable.to));
        path_t tp = cfg_path_key(&cp, "to");
        const char *to_serial = sim->devices[cable.to].serial;
        if (cable.from == cable.to)
            return cfg_fail(
                p, &tp,
                "this cable runs from %s's sync-out into its own sync-in; connect it to "
                "another device.",
                to_serial);
        for (size_t j = 0; j < k; j++)
            if (sim->cables[j].to == cable.to)
                return cfg_fail(p, &tp,
                                "%s already gets its sync-in from wiring[%zu]; a sync-in takes one "
                                "cable: remove one of the two.",
                                to_serial, j);
        sim->cables[k] = cable;
        sim->cable_count = k + 1;
    }
    return RIG_OK;
}

static rig_error_t parse_min_max(parser_t *p, const path_t *obj_path, const json_t *obj,
                                 const char *min_key, const char *max_key, rig_range_id_t id,
                                 int64_t *min, int64_t *max)
{
    TRY(cfg_opt_int(p, obj_path, obj, min_key, id, min));
    TRY(cfg_opt_int(p, obj_path, obj, max_key, id, max));
    if (*min <= *max)
        return RIG_OK;
    /* Blame whichever bound the user wrote; the other may be a default. */
    path_t at = cfg_path_key(obj_path, json_object_get(obj, max_key) ? max_key : min_key);
    return cfg_fail(p, &at, "%s (%lld) is below %s (%lld); make %s at least %s.", max_key,
                    (long long)*max, min_key, (long long)*min, max_key, min_key);
}

static rig_error_t parse_transport(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                   rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"latency_floor_us", NULL}, {"latency_tail_mean_us", NULL},
                                      {"stall_probability", NULL}, {"stall_min_us", NULL},
                                      {"stall_max_us", NULL},      {"drop_probability", NULL}};
    const json_t *obj = json_object_get(jsim, "transport");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "transport");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(cfg_opt_int(p, &at, obj, "latency_floor_us", RIG_RANGE_SIM_LATENCY_FLOOR_US,
                    &sim->latency_floor_us));
    TRY(cfg_opt_int(p, &at, obj, "latency_tail_mean_us", RIG_RANGE_SIM_LATENCY_TAIL_MEAN_US,
                    &sim->latency_tail_mean_us));
    TRY(cfg_opt_number(p, &at, obj, "stall_probability", RIG_RANGE_SIM_STALL_PROBABILITY,
                       &sim->stall_probability));
    TRY(parse_min_max(p, &at, obj, "stall_min_us", "stall_max_us", RIG_RANGE_SIM_STALL_US,
                      &sim->stall_min_us, &sim->stall_max_us));
    return cfg_opt_number(p, &at, obj, "drop_probability", RIG_RANGE_SIM_DROP_PROBABILITY,
                          &sim->drop_probability);
}

static rig_error_t parse_sync_error(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                    rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"min", NULL}, {"max", NULL}};
    const json_t *obj = json_object_get(jsim, "clock_sync_error_us");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "clock_sync_error_us");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    return parse_min_max(p, &at, obj, "min", "max", RIG_RANGE_SIM_SYNC_ERROR_US,
                         &sim->sync_error_min_us, &sim->sync_error_max_us);
}

static rig_error_t parse_exposure(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                  rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"color", NULL}, {"depth", NULL}};
    const json_t *obj = json_object_get(jsim, "exposure_us");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "exposure_us");
    sim->exposure_given = true;
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        TRY(cfg_opt_int(p, &at, obj, rig_stream_name((rig_stream_t)s), RIG_RANGE_SIM_EXPOSURE_US,
                        &sim->exposure_us[s]));
    return RIG_OK;
}

static rig_error_t parse_time_query(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                    rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"interval_ms", NULL},
                                      {"leg_us", NULL},
                                      {"leg_tail_mean_us", NULL},
                                      {"asymmetry_max_us", NULL}};
    const json_t *obj = json_object_get(jsim, "time_query");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "time_query");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(cfg_opt_int(p, &at, obj, "interval_ms", RIG_RANGE_SIM_QUERY_INTERVAL_MS,
                    &sim->time_query_interval_ms));
    TRY(cfg_opt_int(p, &at, obj, "leg_us", RIG_RANGE_SIM_QUERY_LEG_US, &sim->time_query_leg_us));
    TRY(cfg_opt_int(p, &at, obj, "leg_tail_mean_us", RIG_RANGE_SIM_QUERY_TAIL_MEAN_US,
                    &sim->time_query_tail_mean_us));
    return cfg_opt_int(p, &at, obj, "asymmetry_max_us", RIG_RANGE_SIM_QUERY_ASYMMETRY_US,
                       &sim->time_query_asymmetry_us);
}

/* A list of serials of the simulated rig, into sim device indices. */
static rig_error_t parse_serial_list(parser_t *p, const path_t *at, const json_t *arr,
                                     const rig_sim_spec_t *sim, size_t **out, size_t *n)
{
    TRY(cfg_expect(p, at, arr, KIND_ARRAY));
    size_t len = json_array_size(arr);
    *out = calloc(len ? len : 1, sizeof(**out));
    if (!*out)
        return cfg_out_of_memory(p->diag);
    for (size_t k = 0; k < len; k++) {
        path_t ip = cfg_path_index(at, k);
        const json_t *v = json_array_get(arr, k);
        TRY(cfg_expect(p, &ip, v, KIND_STRING));
        int idx = cfg_sim_find(sim, json_string_value(v));
        if (idx < 0)
            return cfg_fail(p, &ip,
                            "\"%s\" is not a device of the simulated rig; name one of its serials.",
                            json_string_value(v));
        (*out)[(*n)++] = (size_t)idx;
    }
    return RIG_OK;
}

static rig_error_t parse_generator(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                   rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"hz", NULL}, {"to", NULL}};
    const json_t *obj = json_object_get(jsim, "signal_generator");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "signal_generator");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    if (!json_object_get(obj, "hz") || !json_object_get(obj, "to"))
        return cfg_fail_missing(p, &at, json_object_get(obj, "hz") ? "to" : "hz",
                                "a signal generator needs a rate and the devices it feeds: "
                                "{\"hz\": 10, \"to\": [\"SERIAL\", ...]}.");
    TRY(cfg_opt_number(p, &at, obj, "hz", RIG_RANGE_SIM_GENERATOR_HZ, &sim->generator_hz));
    path_t tp = cfg_path_key(&at, "to");
    return parse_serial_list(p, &tp, json_object_get(obj, "to"), sim, &sim->generator_to,
                             &sim->generator_count);
}

/* The kinds of sim.events: a cable cut, or a fault of rigsync/sim.h (named as there). */
static const char *const event_kinds[] = {"cut_cable_to",   "unplug",     "replug",
                                          "reboot",         "late_device", "trigger_glitch",
                                          "drop_burst",     "bogus_timestamps", "clock_write"};

/* A device of the event: "SERIAL", or "all" where a fault may hit every device. */
static rig_error_t event_device(parser_t *p, const path_t *at, const json_t *v, bool all_ok,
                                const rig_sim_spec_t *sim, size_t *out)
{
    TRY(cfg_expect(p, at, v, KIND_STRING));
    const char *s = json_string_value(v);
    if (all_ok && strcmp(s, "all") == 0) {
        *out = SIZE_MAX;
        return RIG_OK;
    }
    int idx = cfg_sim_find(sim, s);
    if (idx < 0)
        return cfg_fail(p, at, "\"%s\" is not a device of the simulated rig; name one of its "
                               "serials%s.",
                        s, all_ok ? " or \"all\"" : "");
    *out = (size_t)idx;
    return RIG_OK;
}

static rig_error_t parse_events(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {
        {"at_s", NULL},         {"cut_cable_to", NULL},   {"unplug", NULL},
        {"replug", NULL},       {"reboot", NULL},         {"late_device", NULL},
        {"trigger_glitch", NULL}, {"drop_burst", NULL},   {"bogus_timestamps", NULL},
        {"clock_write", NULL},  {"config_to_defaults", NULL}, {"down_s", NULL},
        {"duration_s", NULL},   {"missing", NULL},        {"extra", NULL},
        {"frames", NULL},       {"offset_us", NULL}};
    const json_t *arr = json_object_get(jsim, "events");
    if (!arr)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "events");
    TRY(cfg_expect(p, &at, arr, KIND_ARRAY));
    size_t n = json_array_size(arr);
    /* A drop burst may name several devices: one entry each. */
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        const json_t *db = json_object_get(json_array_get(arr, k), "drop_burst");
        total += json_is_array(db) ? json_array_size(db) : 1;
    }
    sim->events = calloc(total ? total : 1, sizeof(*sim->events));
    if (!sim->events)
        return cfg_out_of_memory(p->diag);
    for (size_t k = 0; k < n; k++) {
        path_t ep = cfg_path_index(&at, k);
        const json_t *e = json_array_get(arr, k);
        TRY(cfg_expect(p, &ep, e, KIND_OBJECT));
        TRY(cfg_check_keys(p, &ep, e, keys, RIG_ARRAY_SIZE(keys)));
        int kind = -1;
        for (size_t i = 0; i < RIG_ARRAY_SIZE(event_kinds); i++) {
            if (!json_object_get(e, event_kinds[i]))
                continue;
            if (kind >= 0) {
                path_t kp = cfg_path_key(&ep, event_kinds[i]);
                return cfg_fail(p, &kp,
                                "an event is one thing: \"%s\" and \"%s\" are both given; "
                                "make them two events.",
                                event_kinds[kind], event_kinds[i]);
            }
            kind = (int)i;
        }
        if (!json_object_get(e, "at_s") || kind < 0)
            return cfg_fail_missing(p, &ep, kind >= 0 ? "at_s" : "cut_cable_to",
                                    "an event says when and what: {\"at_s\": 5.0, "
                                    "\"cut_cable_to\": \"SERIAL\"} cuts the sync cable into "
                                    "that device 5 s after the start; the faults are unplug, "
                                    "replug, reboot, late_device, trigger_glitch, drop_burst, "
                                    "bogus_timestamps, clock_write.");
        double at_s = 0;
        TRY(cfg_opt_number(p, &ep, e, "at_s", RIG_RANGE_SIM_EVENT_AT_S, &at_s));
        rig_sim_event_t ev;
        memset(&ev, 0, sizeof(ev));
        ev.at_us = (int64_t)llround(at_s * 1e6);
        path_t kp = cfg_path_key(&ep, event_kinds[kind]);
        const json_t *kv = json_object_get(e, event_kinds[kind]);
        if (kind == 0) {
            TRY(event_device(p, &kp, kv, false, sim, &ev.cut_to));
            sim->events[sim->event_count++] = ev;
            continue;
        }
        ev.is_fault = true;
        rig_sim_fault_t *f = &ev.fault;
        f->kind = (rig_sim_fault_kind_t)(kind - 1);
        f->at_us = ev.at_us;
        /* Defaults: what a real rig shows (see rigsync/sim.h). */
        double down_s = 1.5, duration_s = f->kind == RIG_SIM_FAULT_DROP_BURST ? 0.05 : 0.5;
        double missing = 0.2, extra = 0.05, offset_us = 0;
        int64_t frames = 2;
        TRY(cfg_opt_bool(p, &ep, e, "config_to_defaults", &f->config_to_defaults));
        TRY(cfg_opt_number(p, &ep, e, "down_s", RIG_RANGE_SIM_FAULT_SPAN_S, &down_s));
        TRY(cfg_opt_number(p, &ep, e, "duration_s", RIG_RANGE_SIM_FAULT_SPAN_S, &duration_s));
        TRY(cfg_opt_number(p, &ep, e, "missing", RIG_RANGE_SIM_FAULT_PROBABILITY, &missing));
        TRY(cfg_opt_number(p, &ep, e, "extra", RIG_RANGE_SIM_FAULT_PROBABILITY, &extra));
        if (missing + extra > 1.0) {
            path_t xp = cfg_path_key(&ep, "extra");
            return cfg_fail(p, &xp,
                            "missing %g + extra %g is more than 1: a pulse is lost or doubled or "
                            "neither; lower one so that they add up to at most 1.",
                            missing, extra);
        }
        TRY(cfg_opt_int(p, &ep, e, "frames", RIG_RANGE_SIM_FAULT_FRAMES, &frames));
        int64_t offset_i = 0;
        TRY(cfg_opt_int(p, &ep, e, "offset_us", RIG_RANGE_SIM_FAULT_OFFSET_US, &offset_i));
        offset_us = (double)offset_i;
        f->duration_us = (int64_t)llround(
            (f->kind == RIG_SIM_FAULT_REBOOT ? down_s : duration_s) * 1e6);
        f->missing_probability = missing;
        f->extra_probability = extra;
        f->count = (uint32_t)frames;
        f->offset_us = (int64_t)llround(offset_us);
        bool all_ok = f->kind == RIG_SIM_FAULT_REBOOT || f->kind == RIG_SIM_FAULT_TRIGGER_GLITCH ||
                      f->kind == RIG_SIM_FAULT_DROP_BURST;
        if (f->kind == RIG_SIM_FAULT_DROP_BURST && json_is_array(kv)) {
            for (size_t i = 0; i < json_array_size(kv); i++) {
                path_t ip = cfg_path_index(&kp, i);
                TRY(event_device(p, &ip, json_array_get(kv, i), false, sim, &ev.device));
                sim->events[sim->event_count++] = ev;
            }
            continue;
        }
        TRY(event_device(p, &kp, kv, all_ok, sim, &ev.device));
        sim->events[sim->event_count++] = ev;
    }
    return RIG_OK;
}

/* sim.faults: random faults per device and hour. */
static rig_error_t parse_fault_rates(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                     rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {
        {"unplug_per_hour", NULL},       {"reboot_per_hour", NULL},
        {"trigger_glitch_per_hour", NULL}, {"drop_burst_per_hour", NULL},
        {"bogus_timestamps_per_hour", NULL}, {"clock_write_per_hour", NULL}};
    const json_t *obj = json_object_get(jsim, "faults");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, "faults");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    rig_sim_fault_rates_t *r = &sim->fault_rates;
    double *dst[] = {&r->unplug_per_hour,         &r->reboot_per_hour,
                     &r->trigger_glitch_per_hour, &r->drop_burst_per_hour,
                     &r->bogus_timestamps_per_hour, &r->clock_write_per_hour};
    for (size_t i = 0; i < RIG_ARRAY_SIZE(keys); i++)
        TRY(cfg_opt_number(p, &at, obj, keys[i].name, RIG_RANGE_SIM_FAULT_RATE, dst[i]));
    return RIG_OK;
}

/* sim.host_clock and sim.anchor: one of a few names; *out = its index. */
static rig_error_t parse_choice(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                const char *key, const char *const *names, size_t n,
                                const char *meaning, int *out)
{
    const json_t *v = json_object_get(jsim, key);
    if (!v)
        return RIG_OK;
    path_t at = cfg_path_key(sim_path, key);
    TRY(cfg_expect(p, &at, v, KIND_STRING));
    for (size_t i = 0; i < n; i++)
        if (rig_strcaseeq(json_string_value(v), names[i])) {
            *out = (int)i;
            return RIG_OK;
        }
    return cfg_fail(p, &at, "unknown %s \"%s\"; use %s.", key, json_string_value(v), meaning);
}

static rig_error_t parse_clocks(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                rig_sim_spec_t *sim)
{
    static const char *const host_clocks[] = {"monotonic", "realtime"};
    static const char *const anchors[] = {"none", "monotonic"};
    int v = (int)sim->host_clock;
    TRY(parse_choice(p, sim_path, jsim, "host_clock", host_clocks, RIG_ARRAY_SIZE(host_clocks),
                     "\"monotonic\" (CLOCK_REALTIME read once at creation, then counted on "
                     "CLOCK_MONOTONIC) or \"realtime\" (CLOCK_REALTIME followed as it is stepped "
                     "and slewed)",
                     &v));
    sim->host_clock = (rig_sim_host_clock_t)v;
    if (json_object_get(jsim, "host_clock")) {
        path_t at = cfg_path_key(sim_path, "host_clock");
        cfg_locate(p, &at, false, &sim->host_clock_line, &sim->host_clock_column);
    }
    v = (int)sim->anchor;
    TRY(parse_choice(p, sim_path, jsim, "anchor", anchors, RIG_ARRAY_SIZE(anchors),
                     "\"none\" (pulse trains start at a random phase) or \"monotonic\" (tick k "
                     "at k periods on CLOCK_MONOTONIC, the same on every simulated host)",
                     &v));
    sim->anchor = (rig_sim_anchor_t)v;
    if (sim->anchor != RIG_SIM_ANCHOR_MONOTONIC || sim->drift_walk_ppm_per_sqrt_hour == 0)
        return RIG_OK;
    /* A wandering crystal's ticks depend on its own random walk: another host cannot replay
     * them, so anchored pulse trains need steady crystals. */
    bool given = json_object_get(jsim, "drift_walk_ppm_per_sqrt_hour") != NULL;
    path_t at = cfg_path_key(sim_path, given ? "drift_walk_ppm_per_sqrt_hour" : "anchor");
    return cfg_fail(p, &at,
                    "anchor \"monotonic\" needs crystals that do not drift: another host "
                    "replays a crystal's ticks from its rate alone, and a drifting one (a walk of "
                    "%g ppm/sqrt(h)%s) cannot be replayed; set \"drift_walk_ppm_per_sqrt_hour\": "
                    "0 in sim.",
                    sim->drift_walk_ppm_per_sqrt_hour, given ? "" : ", the default");
}

rig_error_t cfg_parse_sim(parser_t *p, const path_t *root, const json_t *jroot,
                          rig_config_t *cfg)
{
    static const key_spec_t keys[] = {
        {"seed", NULL},        {"devices", NULL},        {"wiring", NULL},
        {"cable_delay_ns", NULL}, {"transport", NULL},   {"clock_sync_error_us", NULL},
        {"exposure_us", NULL}, {"readout_us", NULL},     {"pixels", NULL},
        {"time_query", NULL},  {"drift_walk_ppm_per_sqrt_hour", NULL},
        {"hub_delay_ns", NULL}, {"signal_generator", NULL}, {"events", NULL},
        {"faults", NULL},      {"host_clock", NULL},     {"anchor", NULL}};
    rig_sim_spec_t *sim = &cfg->sim;
    const json_t *obj = json_object_get(jroot, "sim");
    if (!obj)
        return sim_devices_from_config(p, cfg);
    sim->present = true;
    path_t at = cfg_path_key(root, "sim");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));

    int64_t seed = (int64_t)sim->seed;
    TRY(cfg_opt_int(p, &at, obj, "seed", RIG_RANGE_SIM_SEED, &seed));
    sim->seed = (uint64_t)seed;

    const json_t *devs = json_object_get(obj, "devices");
    if (devs) {
        path_t dp = cfg_path_key(&at, "devices");
        TRY(cfg_expect(p, &dp, devs, KIND_ARRAY));
        size_t n = json_array_size(devs);
        /* An empty rig is allowed: it is how a test sees "no such device". */
        if (n > 0) {
            sim->devices = calloc(n, sizeof *sim->devices);
            if (!sim->devices)
                return cfg_out_of_memory(p->diag);
        }
        for (size_t i = 0; i < n; i++) {
            path_t ip = cfg_path_index(&dp, i);
            TRY(parse_sim_device(p, &ip, json_array_get(devs, i), i, sim));
            sim->device_count = i + 1;
        }
    } else {
        TRY(sim_devices_from_config(p, cfg));
    }

    TRY(parse_wiring(p, &at, obj, sim));
    TRY(cfg_opt_int(p, &at, obj, "cable_delay_ns", RIG_RANGE_SIM_CABLE_DELAY_NS,
                    &sim->cable_delay_ns));
    TRY(parse_transport(p, &at, obj, sim));
    TRY(parse_sync_error(p, &at, obj, sim));
    TRY(parse_exposure(p, &at, obj, sim));
    TRY(cfg_opt_int(p, &at, obj, "readout_us", RIG_RANGE_SIM_READOUT_US, &sim->readout_us));
    TRY(parse_time_query(p, &at, obj, sim));
    TRY(cfg_opt_int(p, &at, obj, "hub_delay_ns", RIG_RANGE_SIM_HUB_DELAY_NS, &sim->hub_delay_ns));
    TRY(parse_generator(p, &at, obj, sim));
    TRY(parse_events(p, &at, obj, sim));
    TRY(parse_fault_rates(p, &at, obj, sim));
    if (sim->wiring == RIG_SIM_WIRING_STAR && cfg->device_count > RIG_SIM_HUB_PORTS + 1) {
        path_t wp = cfg_path_key(&at, "wiring");
        return cfg_fail(
            p, &wp,
            "a sync hub takes 1 primary and up to %d secondaries, but the config has %zu "
            "devices; use \"daisy_chain\", or list the cables of several hubs.",
            RIG_SIM_HUB_PORTS, cfg->device_count);
    }
    TRY(cfg_opt_number(p, &at, obj, "drift_walk_ppm_per_sqrt_hour", RIG_RANGE_SIM_DRIFT_WALK,
                       &sim->drift_walk_ppm_per_sqrt_hour));
    TRY(parse_clocks(p, &at, obj, sim));
    return cfg_opt_bool(p, &at, obj, "pixels", &sim->pixels);
}

/* The simulated rig of hardwareTriggerFps: one generator feeding every configured camera, and no
 * sync cables between the cameras unless the sim section lists them (on a GMSL board the pulse
 * reaches each camera directly; a daisy chain on top would trigger them twice). */
rig_error_t cfg_host_trigger_source(parser_t *p, const json_t *jroot, double hz,
                                    rig_config_t *cfg)
{
    rig_sim_spec_t *sim = &cfg->sim;
    sim->generator_to = calloc(cfg->device_count, sizeof *sim->generator_to);
    if (!sim->generator_to)
        return cfg_out_of_memory(p->diag);
    for (size_t i = 0; i < cfg->device_count; i++) {
        int si = cfg_sim_find(sim, cfg->devices[i].serial);
        if (si >= 0)
            sim->generator_to[sim->generator_count++] = (size_t)si;
    }
    sim->generator_hz = hz;
    if (!json_object_get(json_object_get(jroot, "sim"), "wiring"))
        sim->wiring = RIG_SIM_WIRING_NONE;
    return RIG_OK;
}


/*
 * Rig-level checks and questions that need every section: does some device send the pulses a
 * secondary waits for, does each triggered device stay within its rate, which device feeds which
 * (the daisy chain, cables, the hub), and why a device gets no pulses.
 */
#include "common/util.h"
#include "config/parser.h"
#include "mode/mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Pulse sources and trigger rates, checked once every section is read                         */

static int chain_head(const rig_config_t *cfg);

static bool generator_feeds(const rig_config_t *cfg, size_t index)
{
    if (cfg->generator_fed)
        return cfg->generator_fed[index];
    int si = cfg_sim_find(&cfg->sim, cfg->devices[index].serial);
    for (size_t k = 0; si >= 0 && k < cfg->sim.generator_count; k++)
        if (cfg->sim.generator_to[k] == (size_t)si)
            return true;
    return false;
}

/* Triggers per second into device `index` and who sends them (0: none known). Pulses are
 * followed upstream through every device that forwards them, to a primary (one pulse per frame),
 * a software-triggered device (software_hz) or the signal generator. */
/* Where the pulses into `index` come from: TRIGGER_NONE, device_count for the signal generator,
 * or the primary / software-triggered device upstream. memo (may be NULL: walk every time) holds
 * the answers found so far, TRIGGER_UNKNOWN elsewhere: a walk stops at the first device already
 * answered, so that a chain of n triggered devices costs O(n), not O(n^2). */
enum { TRIGGER_NONE = -1, TRIGGER_UNKNOWN = -2 };
#define RIG_GENERATOR_SOURCE "the signal generator"

static int trigger_origin(const rig_config_t *cfg, size_t index, int *memo)
{
    int origin = TRIGGER_NONE;
    size_t cur = index, steps = 0;
    /* Each step moves one cable upstream; more steps than devices means a loop. */
    for (; steps <= cfg->device_count; steps++) {
        if (memo && memo[cur] != TRIGGER_UNKNOWN) {
            origin = memo[cur];
            break;
        }
        if (generator_feeds(cfg, cur)) {
            origin = (int)cfg->device_count;
            break;
        }
        int up = rig_config_pulse_source(cfg, cur);
        if (up < 0 || !rig_mode_drives_sync_out(&cfg->devices[up].sync))
            break;
        if (rig_mode_is_pulse_source(&cfg->devices[up].sync)) {
            origin = up;
            break;
        }
        cur = (size_t)up;
    }
    /* Every device walked through has the same origin (a loop: none). */
    for (size_t k = 0, at = index; memo && k < steps && memo[at] == TRIGGER_UNKNOWN; k++) {
        memo[at] = origin;
        at = (size_t)rig_config_pulse_source(cfg, at);
    }
    return origin;
}

static double trigger_rate(const rig_config_t *cfg, size_t index, double fps, double software_hz,
                           const char *software_name, char *source, size_t len, int *memo)
{
    const rig_sync_config_t *c = &cfg->devices[index].sync;
    if (c->mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING) {
        rig_strlcpy(source, software_name, len);
        return software_hz;
    }
    /* Every mode that captures on pulses: one frame per pulse (SECONDARY, SECONDARY_SYNCED
     * re-phasing its timer onto them) or frames_per_trigger (HARDWARE_TRIGGERING). */
    if (c->mode != RIG_SYNC_MODE_HARDWARE_TRIGGERING && c->mode != RIG_SYNC_MODE_SECONDARY &&
        c->mode != RIG_SYNC_MODE_SECONDARY_SYNCED)
        return 0;
    int up = trigger_origin(cfg, index, memo);
    if (up == TRIGGER_NONE)
        return 0;
    if (up == (int)cfg->device_count) {
        rig_strlcpy(source, RIG_GENERATOR_SOURCE, len);
        return cfg->sim.generator_hz;
    }
    const rig_sync_config_t *u = &cfg->devices[up].sync;
    bool primary = u->mode == RIG_SYNC_MODE_PRIMARY;
    rig_fmt(source, len, "device#%d (%s%s%s)", up, rig_sync_mode_name(u->mode),
            primary ? "" : ", ", primary ? "" : software_name);
    return primary ? fps : software_hz;
}

bool rig_config_trigger_rate_exceeded(const rig_config_t *config, double software_hz,
                                      const char *software_name, size_t *index, char *buf,
                                      size_t len)
{
    double fps = (double)RIG_MIN(config->streams[RIG_STREAM_COLOR].fps,
                                 config->streams[RIG_STREAM_DEPTH].fps);
    size_t n = config->device_count;
    int *memo = malloc((n ? n : 1) * sizeof *memo); /* NULL: each device walks on its own */
    for (size_t i = 0; memo && i < n; i++)
        memo[i] = TRIGGER_UNKNOWN;
    for (size_t i = 0; i < config->device_count; i++) {
        const rig_sync_config_t *c = &config->devices[i].sync;
        char source[96] = "";
        double rate = trigger_rate(config, i, fps, software_hz, software_name, source,
                                   sizeof source, memo);
        bool burst = c->mode == RIG_SYNC_MODE_HARDWARE_TRIGGERING ||
                     c->mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING;
        int per = burst ? c->frames_per_trigger : 1;
        /* The generator may stand in for a primary on another host (sim.anchor): it then runs
         * at that primary's true rate, off nominal by its crystal (up to 1000 ppm) and its
         * sensor (up to 1 %), as the primary's own pulses are. */
        double allowed = strcmp(source, RIG_GENERATOR_SOURCE) == 0
                             ? fps * (1.0 + 1e-3) * (1.0 + 1e-2)
                             : fps + 1e-9;
        if (rate <= 0 || rate * per <= allowed)
            continue;
        free(memo);
        *index = i;
        rig_fmt(buf, len,
                "device#%zu (%s, %s) gets %.6g triggers/s from %s and captures %d frame(s) per "
                "trigger: %.6g frames/s, more than its %.6g fps; %s.",
                i, config->devices[i].serial, rig_sync_mode_name(c->mode), rate, source, per,
                rate * per, fps,
                burst ? "lower frames_per_trigger or the trigger rate"
                      : "lower the trigger rate to at most the stream fps");
        return true;
    }
    free(memo);
    return false;
}

/* The rate rule of the triggered modes: triggers per second x frames per trigger must stay
 * within what the sensor can capture (the stream fps). */
rig_error_t cfg_check_trigger_rates(parser_t *p, const path_t *top, const rig_config_t *cfg)
{
    size_t i;
    char msg[512];
    if (!rig_config_trigger_rate_exceeded(cfg, (double)cfg->auto_trigger_fps, "autoTriggerFps",
                                          &i, msg, sizeof msg))
        return RIG_OK;
    path_t dp = cfg_path_key(top, "devices");
    path_t at = cfg_path_index(&dp, i);
    return cfg_fail(p, &at, "%s", msg);
}

/* Secondaries and hardware-triggered devices capture nothing unless some device sends pulses. */
rig_error_t cfg_check_pulse_source(parser_t *p, const path_t *devices_path,
                                   const json_t *jdevices, const rig_config_t *cfg)
{
    if (cfg->sim.has_generator)
        return RIG_OK; /* which devices it feeds is checked with the sim section */
    for (size_t i = 0; i < cfg->device_count; i++)
        if (rig_mode_is_pulse_source(&cfg->devices[i].sync))
            return RIG_OK;
    for (size_t i = 0; i < cfg->device_count; i++) {
        if (!rig_mode_needs_pulses(cfg->devices[i].sync.mode))
            continue;
        char leaf[64], label[96];
        cfg_device_mode_leaf(json_array_get(jdevices, i), leaf, sizeof leaf);
        cfg_device_label(cfg, i, true, label, sizeof label);
        path_t at = cfg_path_index(devices_path, i);
        return cfg_fail_missing(p, &at, leaf,
                                "%s waits for trigger pulses, but no device is PRIMARY or "
                                "SOFTWARE_TRIGGERING to send them: make one device PRIMARY, or use "
                                "STANDALONE / FREE_RUN for unsynchronized capture.",
                                label);
    }
    return RIG_OK;
}


/* ------------------------------------------------------------------------------------------ */
/* Pulse paths                                                                                 */

/* The device the daisy chain starts from: the primary, else a software-triggered device. */
static int chain_head(const rig_config_t *cfg)
{
    int sw = -1;
    for (size_t i = 0; i < cfg->device_count; i++) {
        if (cfg->devices[i].sync.mode == RIG_SYNC_MODE_PRIMARY)
            return (int)i;
        if (sw < 0 && cfg->devices[i].sync.mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING)
            sw = (int)i;
    }
    return sw;
}

/* Sim index of the device whose sync-out is cabled into config device index, or -1. */
static int cable_into(const rig_config_t *cfg, size_t index)
{
    const rig_sim_spec_t *sim = &cfg->sim;
    int to = cfg_sim_find(sim, cfg->devices[index].serial);
    for (size_t k = 0; to >= 0 && k < sim->cable_count; k++)
        if (sim->cables[k].to == (size_t)to)
            return (int)sim->cables[k].from;
    return -1;
}

int rig_config_pulse_source(const rig_config_t *config, size_t index)
{
    if (!config || index >= config->device_count)
        return -1;
    if (config->pulse_source)
        return config->pulse_source[index];
    switch (config->sim.wiring) {
    case RIG_SIM_WIRING_NONE:
        return -1;
    case RIG_SIM_WIRING_CABLES: {
        int from = cable_into(config, index);
        return from < 0 ? -1 : rig_config_find_serial(config, config->sim.devices[from].serial);
    }
    case RIG_SIM_WIRING_STAR: {
        int head = chain_head(config);
        return (int)index == head ? -1 : head;
    }
    case RIG_SIM_WIRING_DAISY_CHAIN:
        break;
    }
    /* Chain = head, then every other device in config order: the predecessor of index is the
     * nearest earlier non-head device, or the head itself. */
    int head = chain_head(config);
    if ((int)index == head)
        return -1;
    for (size_t j = index; j-- > 0;)
        if ((int)j != head)
            return (int)j;
    return head;
}

static void derive_pulse_walks(rig_config_t *cfg);

/* The answers of rig_config_pulse_source for every device, in O(n) (asking it per device costs
 * O(n) each: the chain head and the cable list are searched every time). */
void cfg_derive_pulse_sources(rig_config_t *cfg)
{
    size_t n = cfg->device_count;
    const rig_sim_spec_t *sim = &cfg->sim;
    int *src = malloc((n ? n : 1) * sizeof *src);
    int *cable_from = malloc((sim->device_count ? sim->device_count : 1) * sizeof *cable_from);
    if (!src || !cable_from) {
        free(src);
        free(cable_from);
        return; /* rig_config_pulse_source answers without them */
    }
    int head = chain_head(cfg);
    for (size_t s = 0; s < sim->device_count; s++)
        cable_from[s] = -1;
    for (size_t k = 0; k < sim->cable_count; k++) /* the first cable into a device counts */
        if (sim->cables[k].to < sim->device_count && cable_from[sim->cables[k].to] < 0)
            cable_from[sim->cables[k].to] = (int)sim->cables[k].from;
    int prev = -1; /* daisy chain: the last non-head device so far */
    for (size_t i = 0; i < n; i++) {
        switch (sim->wiring) {
        case RIG_SIM_WIRING_NONE:
            src[i] = -1;
            break;
        case RIG_SIM_WIRING_CABLES: {
            int to = cfg_sim_find(sim, cfg->devices[i].serial);
            int from = to < 0 ? -1 : cable_from[to];
            src[i] = from < 0 ? -1 : rig_config_find_serial(cfg, sim->devices[from].serial);
            break;
        }
        case RIG_SIM_WIRING_STAR:
            src[i] = (int)i == head ? -1 : head;
            break;
        case RIG_SIM_WIRING_DAISY_CHAIN:
        default:
            src[i] = (int)i == head ? -1 : prev >= 0 ? prev : head;
            break;
        }
        if ((int)i != head)
            prev = (int)i;
    }
    free(cable_from);
    cfg->pulse_source = src;
    derive_pulse_walks(cfg);
    bool *fed = calloc(n ? n : 1, sizeof *fed);
    for (size_t k = 0; fed && k < sim->generator_count; k++) {
        int i = sim->generator_to[k] < sim->device_count
                    ? rig_config_find_serial(cfg, sim->devices[sim->generator_to[k]].serial)
                    : -1;
        if (i >= 0)
            fed[i] = true;
    }
    cfg->generator_fed = fed;
}

/* Where the pulses stop on the way up from a device: PULSE_WALK_FED (a pulse source drives them
 * down to it), PULSE_WALK_LOOP (the cables upstream form a loop without a source), 2 * cur when
 * nothing is cabled into device cur, or 2 * up + 1 when device up does not drive its sync-out. */
enum { PULSE_WALK_FED = -1, PULSE_WALK_LOOP = -2, PULSE_WALK_UNKNOWN = -3 };

/* One step up from cur: the end it reveals, or PULSE_WALK_UNKNOWN with *next to go on from. */
static int pulse_walk_step(const rig_config_t *cfg, size_t cur, size_t *next)
{
    int up = rig_config_pulse_source(cfg, cur);
    if (up < 0)
        return 2 * (int)cur;
    const rig_sync_config_t *u = &cfg->devices[up].sync;
    if (u->mode == RIG_SYNC_MODE_FREE_RUN || u->mode == RIG_SYNC_MODE_STANDALONE ||
        !u->trigger_out_enable)
        return 2 * up + 1;
    if (rig_mode_is_pulse_source(u))
        return PULSE_WALK_FED;
    *next = (size_t)up;
    return PULSE_WALK_UNKNOWN;
}

static int pulse_walk_end(const rig_config_t *cfg, size_t index)
{
    if (cfg->pulse_walk)
        return cfg->pulse_walk[index];
    size_t cur = index;
    /* Each step moves one cable upstream; more steps than devices means a loop. */
    for (size_t steps = 0; steps < cfg->device_count; steps++) {
        int end = pulse_walk_step(cfg, cur, &cur);
        if (end != PULSE_WALK_UNKNOWN)
            return end;
    }
    return PULSE_WALK_LOOP;
}

/* pulse_walk_end of every device in O(n): each walk stops at the first device whose end is
 * known; a walk that comes back onto itself is a loop, for every device on it. */
static void derive_pulse_walks(rig_config_t *cfg)
{
    size_t n = cfg->device_count;
    int *end = malloc((n ? n : 1) * sizeof *end);
    size_t *path = malloc((n ? n : 1) * sizeof *path);
    unsigned char *on_path = calloc(n ? n : 1, 1);
    if (!end || !path || !on_path) {
        free(end);
        free(path);
        free(on_path);
        return;
    }
    for (size_t i = 0; i < n; i++)
        end[i] = PULSE_WALK_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0, cur = i;
        int found = PULSE_WALK_UNKNOWN;
        while (found == PULSE_WALK_UNKNOWN) {
            if (end[cur] != PULSE_WALK_UNKNOWN) {
                found = end[cur];
                break;
            }
            if (on_path[cur]) {
                found = PULSE_WALK_LOOP;
                break;
            }
            on_path[cur] = 1;
            path[len++] = cur;
            found = pulse_walk_step(cfg, cur, &cur);
        }
        for (size_t k = 0; k < len; k++) {
            end[path[k]] = found;
            on_path[path[k]] = 0;
        }
    }
    free(path);
    free(on_path);
    cfg->pulse_walk = end;
}

/* Nothing feeds `cur`, the first device upstream of `index` (possibly itself) with no input. */
static void explain_unfed(const rig_config_t *cfg, size_t index, size_t cur, const char *subject,
                          char *buf, size_t len)
{
    char cur_label[96];
    cfg_device_label(cfg, cur, true, cur_label, sizeof cur_label);
    if (chain_head(cfg) < 0) {
        rig_fmt(buf, len,
                "%s gets no trigger pulses: no device is PRIMARY or SOFTWARE_TRIGGERING, so "
                "nothing in the rig emits them; make one device PRIMARY, or use STANDALONE / "
                "FREE_RUN.",
                subject);
        return;
    }
    const char *who = cur == index ? "it" : cur_label;
    if (cfg->sim.wiring == RIG_SIM_WIRING_NONE) {
        rig_fmt(buf, len,
                "%s gets no trigger pulses: sim.wiring is \"none\", so nothing is connected to "
                "its sync-in; remove \"wiring\" (daisy chain) or list a cable into %s.",
                subject, cfg->devices[index].serial);
        return;
    }
    int from = cable_into(cfg, cur);
    if (from >= 0) {
        const char *serial = cfg->sim.devices[from].serial;
        rig_fmt(buf, len,
                "%s gets no trigger pulses: %s is cabled (sim.wiring) from %s, which is not in "
                "\"devices\", so it emits nothing; add %s to \"devices\" as PRIMARY or cable the "
                "primary into %s.",
                subject, who, serial, serial, cfg->devices[cur].serial);
        return;
    }
    rig_fmt(buf, len,
            "%s gets no trigger pulses: no cable in sim.wiring ends at the sync-in of %s; add "
            "{\"from\": \"%s\", \"to\": \"%s\"}.",
            subject, cur == index ? cfg->devices[index].serial : cur_label,
            cfg->devices[chain_head(cfg)].serial, cfg->devices[cur].serial);
}

bool rig_config_explain_no_pulses(const rig_config_t *config, size_t index, char *buf, size_t len)
{
    if (!config || index >= config->device_count || !buf || len == 0)
        return false;
    rig_sync_mode_t mode = config->devices[index].sync.mode;
    if (mode != RIG_SYNC_MODE_SECONDARY && mode != RIG_SYNC_MODE_SECONDARY_SYNCED &&
        mode != RIG_SYNC_MODE_HARDWARE_TRIGGERING)
        return false; /* it does not listen to sync-in at all */
    if (generator_feeds(config, index))
        return false; /* fed by the signal generator: the config explains nothing */

    char subject[96], up_label[96];
    cfg_device_label(config, index, false, subject, sizeof subject);
    int end = pulse_walk_end(config, index);
    if (end == PULSE_WALK_FED)
        return false;
    if (end >= 0 && end % 2 == 0) {
        explain_unfed(config, index, (size_t)(end / 2), subject, buf, len);
        return true;
    }
    if (end >= 0) {
        int up = end / 2;
        const rig_sync_config_t *u = &config->devices[up].sync;
        cfg_device_label(config, (size_t)up, true, up_label, sizeof up_label);
        if (u->mode == RIG_SYNC_MODE_FREE_RUN || u->mode == RIG_SYNC_MODE_STANDALONE) {
            rig_fmt(buf, len,
                    "%s gets no trigger pulses: %s never drives its sync-out, so the chain stops "
                    "there; make device#%d PRIMARY, or SECONDARY with \"trigger_out_enable\": "
                    "true to forward the pulses.",
                    subject, up_label, up);
            return true;
        }
        bool source = rig_mode_is_pulse_source(u);
        rig_fmt(buf, len,
                "%s gets no trigger pulses: %s has trigger_out_enable false, so it %s; set "
                "\"trigger_out_enable\": true on device#%d.",
                subject, up_label, source ? "emits none" : "does not forward the pulses it receives",
                up);
        return true;
    }
    rig_fmt(buf, len,
            "%s gets no trigger pulses: the sync cables upstream of it (sim.wiring) form a loop "
            "with no PRIMARY or SOFTWARE_TRIGGERING device; cable the primary's sync-out into "
            "the loop.",
            subject);
    return true;
}


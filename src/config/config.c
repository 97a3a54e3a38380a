/*
 * Config file: reads the user's JSON (seed format or the vendor's C++ format, plus rigsync's
 * optional sections), fills every default, and explains each rejection with file:line:column,
 * the JSON path of the field and a fix. This file holds the entry points, the top level and the
 * accessors; the sections are parsed in formats.c ("streams", "devices"), config_sim.c ("sim")
 * and checked as a whole in checks.c, with the shared helpers of parser.c.
 */
#include "common/util.h"
#include "config/config_internal.h"
#include "config/parser.h"

#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A config is a few KiB; refusing huge inputs keeps a wrong path (/dev/zero) from eating RAM. */
#define CONFIG_FILE_MAX ((size_t)16 << 20)

/* ------------------------------------------------------------------------------------------ */
/* Defaults                                                                                    */

static void set_defaults(rig_config_t *cfg)
{
    cfg->streams[RIG_STREAM_COLOR] = (rig_stream_profile_t){
        RIG_DEFAULT_COLOR_WIDTH, RIG_DEFAULT_COLOR_HEIGHT, RIG_DEFAULT_FPS, RIG_FORMAT_RGB};
    cfg->streams[RIG_STREAM_DEPTH] = (rig_stream_profile_t){
        RIG_DEFAULT_DEPTH_WIDTH, RIG_DEFAULT_DEPTH_HEIGHT, RIG_DEFAULT_FPS, RIG_FORMAT_Y16};
    cfg->clock_sync_interval_ms = RIG_DEFAULT_CLOCK_SYNC_INTERVAL_MS;
    cfg->auto_trigger_fps = 0;

    rig_sim_spec_t *sim = &cfg->sim;
    sim->present = false;
    sim->seed = RIG_SIM_DEFAULT_SEED;
    sim->wiring = RIG_SIM_WIRING_DAISY_CHAIN;
    sim->cable_delay_ns = RIG_SIM_DEFAULT_CABLE_DELAY_NS;
    sim->hub_delay_ns = RIG_SIM_DEFAULT_HUB_DELAY_NS;
    sim->latency_floor_us = RIG_SIM_DEFAULT_LATENCY_FLOOR_US;
    sim->latency_tail_mean_us = RIG_SIM_DEFAULT_LATENCY_TAIL_MEAN_US;
    sim->stall_probability = RIG_SIM_DEFAULT_STALL_PROBABILITY;
    sim->stall_min_us = RIG_SIM_DEFAULT_STALL_MIN_US;
    sim->stall_max_us = RIG_SIM_DEFAULT_STALL_MAX_US;
    sim->drop_probability = RIG_SIM_DEFAULT_DROP_PROBABILITY;
    sim->sync_error_min_us = RIG_SIM_DEFAULT_SYNC_ERROR_MIN_US;
    sim->sync_error_max_us = RIG_SIM_DEFAULT_SYNC_ERROR_MAX_US;
    sim->exposure_us[RIG_STREAM_COLOR] = RIG_SIM_DEFAULT_COLOR_EXPOSURE_US;
    sim->exposure_us[RIG_STREAM_DEPTH] = RIG_SIM_DEFAULT_DEPTH_EXPOSURE_US;
    sim->readout_us = RIG_SIM_DEFAULT_READOUT_US;
    sim->time_query_interval_ms = RIG_SIM_DEFAULT_TIME_QUERY_INTERVAL_MS;
    sim->time_query_leg_us = RIG_SIM_DEFAULT_TIME_QUERY_LEG_US;
    sim->time_query_tail_mean_us = RIG_SIM_DEFAULT_TIME_QUERY_TAIL_MEAN_US;
    sim->time_query_asymmetry_us = RIG_SIM_DEFAULT_TIME_QUERY_ASYMMETRY_US;
    sim->drift_walk_ppm_per_sqrt_hour = RIG_SIM_DEFAULT_DRIFT_WALK_PPM_PER_SQRT_HOUR;
    sim->pixels = true;
}

/* ------------------------------------------------------------------------------------------ */
/* Top level                                                                                   */

static rig_error_t parse_root(parser_t *p, const json_t *jroot, rig_config_t *cfg)
{
    enum { ROOT_AUTO_TRIGGER_FPS = 3, ROOT_HARDWARE_TRIGGER_FPS };
    static const key_spec_t keys[] = {
        {"devices", NULL},
        {"version", NULL},
        {"configTime", NULL},
        [ROOT_AUTO_TRIGGER_FPS] = {"autoTriggerFps", "auto_trigger_fps"},
        [ROOT_HARDWARE_TRIGGER_FPS] = {"hardwareTriggerFps", "hardware_trigger_fps"},
        {"streams", NULL},
        {"clock_sync_interval_ms", NULL},
        {"sim", NULL},
    };
    const path_t top = {.depth = 0};
    if (!json_is_object(jroot)) {
        char got[96];
        cfg_describe_value(jroot, got, sizeof got);
        return cfg_fail(p, &top,
                        "expected an object at the top level, got %s; write the config as "
                        "{\"devices\": [...]}.",
                        got);
    }
    TRY(cfg_check_keys(p, &top, jroot, keys, RIG_ARRAY_SIZE(keys)));

    /* Labels in the vendor's files that nothing reads; still type-checked, so that a value
     * meant for another field is not silently swallowed. */
    static const char *const labels[] = {"version", "configTime"};
    const json_t *v;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(labels); i++) {
        v = json_object_get(jroot, labels[i]);
        if (!v)
            continue;
        path_t lp = cfg_path_key(&top, labels[i]);
        TRY(cfg_expect(p, &lp, v, KIND_STRING));
    }
    /* Before the devices: their delays are checked against the frame periods. */
    TRY(cfg_parse_streams(p, &top, jroot, cfg));
    const json_t *jsim = json_object_get(jroot, "sim");
    cfg->sim.has_generator = json_is_object(jsim) && json_object_get(jsim, "signal_generator");

    int64_t interval = (int64_t)cfg->clock_sync_interval_ms;
    TRY(cfg_opt_int(p, &top, jroot, "clock_sync_interval_ms", RIG_RANGE_CLOCK_SYNC_INTERVAL_MS,
                    &interval));
    cfg->clock_sync_interval_ms = (uint64_t)interval;

    const char *used;
    v = cfg_member(jroot, &keys[ROOT_AUTO_TRIGGER_FPS], &used);
    if (v) {
        path_t ap = cfg_path_key(&top, used);
        int64_t fps;
        TRY(cfg_get_int(p, &ap, v, RIG_RANGE_AUTO_TRIGGER_FPS,
                        "use 0 to turn the host's automatic software trigger off, or a rate of at "
                        "most 90",
                        &fps));
        cfg->auto_trigger_fps = (uint32_t)fps;
    }

    /* The vendor's GMSL rigs: a trigger source on the host board (programmed outside rigsync)
     * pulses every camera over its own link, in hundredths of a hertz (3000 = 30 Hz); 0 = off.
     * Known before the devices, so that secondaries without a primary are not rejected. */
    int64_t hw_trigger = 0;
    v = cfg_member(jroot, &keys[ROOT_HARDWARE_TRIGGER_FPS], &used);
    if (v) {
        path_t hp = cfg_path_key(&top, used);
        TRY(cfg_get_int(p, &hp, v, RIG_RANGE_HARDWARE_TRIGGER_FPS,
                        "use 0 for no host trigger source, or the rate in hundredths of a hertz "
                        "(3000 = 30 Hz)",
                        &hw_trigger));
        if (hw_trigger > 0 && cfg->sim.has_generator)
            return cfg_fail(
                p, &hp,
                "%s and sim.signal_generator both describe the external trigger source; "
                "keep only one of them.",
                used);
        cfg->sim.has_generator = cfg->sim.has_generator || hw_trigger > 0;
    }

    TRY(cfg_parse_devices(p, &top, jroot, cfg));
    TRY(cfg_parse_sim(p, &top, jroot, cfg));
    if (hw_trigger > 0)
        TRY(cfg_host_trigger_source(p, jroot, (double)hw_trigger / 100.0, cfg));
    return cfg_check_trigger_rates(p, &top, cfg);
}

static rig_error_t syntax_error(rig_config_diag_t *d, const json_error_t *err)
{
    d->code = RIG_ERROR_CONFIG;
    /* jansson reports column 0 right after a newline; keep positions 1-based. */
    d->line = err->line > 0 ? err->line : 1;
    d->column = err->column > 0 ? err->column : 1;
    d->field[0] = '\0';
    const char *fix = "Fix the syntax here (a missing comma, quote or bracket is the usual cause).";
    if (strncmp(err->text, "duplicate object key", 20) == 0)
        fix = "A key may appear only once in an object: remove one of the two.";
    else if (strncmp(err->text, "too big integer", 15) == 0)
        fix = "No field takes a number beyond 64 bits: write one within the field's range.";
    rig_fmt(d->message, sizeof d->message, "not valid JSON: %s. %s", err->text, fix);
    return RIG_ERROR_CONFIG;
}

static bool only_whitespace(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

static rig_error_t parse_text(const char *text, size_t len, const char *name, rig_config_t **out,
                              rig_config_diag_t *diag)
{
    rig_error_t rc;
    json_t *root = NULL;
    json_error_t err;
    parser_t p = {.text = text, .len = len, .diag = diag, .index = NULL};
    const path_t top = {.depth = 0};
    rig_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        rc = cfg_out_of_memory(diag);
        goto done;
    }
    rig_strlcpy(cfg->source, name, sizeof cfg->source);
    cfg->text = malloc(len + 1); /* kept for recordings (rigsync.config "json") */
    if (!cfg->text) {
        rc = cfg_out_of_memory(diag);
        goto done;
    }
    memcpy(cfg->text, text, len);
    cfg->text[len] = '\0';
    set_defaults(cfg);
    cfg->serial_index = rig_serial_index_create(); /* NULL: lookups scan */
    cfg->sim.serial_index = rig_serial_index_create();
    if (only_whitespace(text, len)) {
        rc = cfg_fail(
            &p, &top,
            "the file is empty; a config needs at least {\"devices\": [{\"serial_number\": "
            "\"...\", \"config\": {\"mode\": \"PRIMARY\"}}]}.");
        goto done;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        rc = syntax_error(diag, &err);
        goto done;
    }
    p.index = rig_json_index_create(text, len); /* NULL: every lookup scans the text */
    rc = parse_root(&p, root, cfg);
    if (rc == RIG_OK)
        cfg_derive_pulse_sources(cfg);
done:
    rig_json_index_destroy(p.index);
    json_decref(root);
    if (rc != RIG_OK) {
        rig_config_destroy(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                  */

static rig_error_t io_error(rig_config_diag_t *d, const char *path, int err, const char *verb)
{
    char reason[128];
    if (strerror_r(err, reason, sizeof reason) != 0)
        rig_fmt(reason, sizeof reason, "error %d", err);
    d->code = RIG_ERROR_IO;
    rig_fmt(d->message, sizeof d->message,
            "cannot %s config file \"%s\": %s; check the path and its permissions.", verb, path,
            reason);
    return RIG_ERROR_IO;
}

static rig_error_t read_file(const char *path, char **text, size_t *len, rig_config_diag_t *d)
{
    rig_error_t rc = RIG_OK;
    char *buf = NULL;
    size_t used = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = io_error(d, path, errno, "open");
        goto done;
    }
    for (;;) {
        if (used == cap) {
            if (cap >= CONFIG_FILE_MAX) {
                d->code = rc = RIG_ERROR_CONFIG;
                rig_fmt(d->message, sizeof d->message,
                        "config file \"%s\" is larger than %zu MiB; a config is a few KiB: check "
                        "the path.",
                        path, CONFIG_FILE_MAX >> 20);
                goto done;
            }
            size_t ncap = cap ? cap * 2 : 4096;
            char *nbuf = realloc(buf, ncap + 1); /* + 1: keep the text terminated */
            if (!nbuf) {
                rc = cfg_out_of_memory(d);
                goto done;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) {
            if (ferror(f))
                rc = io_error(d, path, errno, "read");
            break;
        }
    }
done:
    if (f)
        fclose(f);
    if (rc != RIG_OK) {
        free(buf);
        buf = NULL;
        used = 0;
    } else {
        buf[used] = '\0';
    }
    *text = buf;
    *len = used;
    return rc;
}

/* Every entry point starts from a cleared diag that names the input. */
static rig_config_diag_t *diag_begin(rig_config_diag_t *diag, rig_config_diag_t *local,
                                     const char *name)
{
    if (!diag)
        diag = local;
    memset(diag, 0, sizeof *diag);
    rig_strlcpy(diag->file, name ? name : "<config>", sizeof diag->file);
    return diag;
}

static rig_error_t invalid_argument(rig_config_diag_t *d, const char *what)
{
    d->code = RIG_ERROR_INVALID_ARGUMENT;
    rig_fmt(d->message, sizeof d->message, "%s; pass a non-NULL value.", what);
    return RIG_ERROR_INVALID_ARGUMENT;
}

rig_error_t rig_config_load(const char *path, rig_config_t **out, rig_config_diag_t *diag)
{
    rig_config_diag_t local;
    diag = diag_begin(diag, &local, path);
    if (out)
        *out = NULL;
    if (!path || !out)
        return invalid_argument(diag, "rig_config_load needs a path and an output pointer");
    char *text;
    size_t len;
    rig_error_t rc = read_file(path, &text, &len, diag);
    if (rc == RIG_OK)
        rc = parse_text(text, len, path, out, diag);
    free(text);
    return rc;
}

rig_error_t rig_config_parse(const char *text, const char *name, rig_config_t **out,
                             rig_config_diag_t *diag)
{
    rig_config_diag_t local;
    diag = diag_begin(diag, &local, name ? name : "<string>");
    if (out)
        *out = NULL;
    if (!text || !out)
        return invalid_argument(diag, "rig_config_parse needs the text and an output pointer");
    return parse_text(text, strlen(text), diag->file, out, diag);
}

void rig_config_destroy(rig_config_t *config)
{
    if (!config)
        return;
    free(config->devices);
    free(config->sim.devices);
    free(config->sim.cables);
    free(config->sim.generator_to);
    free(config->sim.events);
    rig_serial_index_destroy(config->sim.serial_index);
    rig_serial_index_destroy(config->serial_index);
    free(config->pulse_source);
    free(config->pulse_walk);
    free(config->generator_fed);
    free(config->text);
    free(config);
}

void rig_config_diag_format(const rig_config_diag_t *diag, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    if (!diag)
        return;
    rig_strlcpy(buf, diag->file[0] ? diag->file : "<config>", len);
    if (diag->line > 0)
        rig_append(buf, len, ":%d:%d", diag->line, diag->column);
    rig_append(buf, len, ": ");
    if (diag->field[0])
        rig_append(buf, len, "%s: ", diag->field);
    rig_append(buf, len, "%s", diag->message);
}

const char *rig_config_source(const rig_config_t *config) { return config ? config->source : ""; }

size_t rig_config_device_count(const rig_config_t *config)
{
    return config ? config->device_count : 0;
}

const char *rig_config_device_serial(const rig_config_t *config, size_t index)
{
    return config && index < config->device_count ? config->devices[index].serial : NULL;
}

rig_error_t rig_config_device_sync(const rig_config_t *config, size_t index,
                                   rig_sync_config_t *out)
{
    if (!config || !out || index >= config->device_count)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = config->devices[index].sync;
    return RIG_OK;
}

void rig_config_device_location(const rig_config_t *config, size_t index, rig_config_part_t part,
                                int *line, int *column, char *path, size_t path_len)
{
    bool known = config && index < config->device_count && (unsigned)part < 3;
    if (line)
        *line = known ? config->devices[index].line[part] : 0;
    if (column)
        *column = known ? config->devices[index].column[part] : 0;
    if (path && path_len)
        rig_strlcpy(path, known ? config->devices[index].path[part] : "", path_len);
}

int rig_config_find_serial(const rig_config_t *config, const char *serial)
{
    if (!config || !serial)
        return -1;
    return rig_serial_index_find(config->serial_index, config->devices, config->device_count,
                                 sizeof *config->devices, offsetof(rig_config_device_t, serial),
                                 serial);
}

rig_stream_profile_t rig_config_stream_profile(const rig_config_t *config, rig_stream_t stream)
{
    rig_stream_profile_t none = {0, 0, 0, RIG_FORMAT_NONE};
    if (!config || (stream != RIG_STREAM_COLOR && stream != RIG_STREAM_DEPTH))
        return none;
    return config->streams[stream];
}

uint64_t rig_config_clock_sync_interval_ms(const rig_config_t *config)
{
    return config ? config->clock_sync_interval_ms : RIG_DEFAULT_CLOCK_SYNC_INTERVAL_MS;
}

bool rig_config_has_sim(const rig_config_t *config) { return config && config->sim.present; }

const rig_sim_spec_t *rig_config_sim(const rig_config_t *config)
{
    return config ? &config->sim : NULL;
}


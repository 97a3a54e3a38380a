/*
 * Config file: reads the user's JSON (seed format or the vendor's C++ format, plus rigsync's
 * optional sections), fills every default, and explains each rejection with file:line:column,
 * the JSON path of the field and a fix.
 */
#include "common/util.h"
#include "config/config_internal.h"
#include "config/jsonpos.h"
#include "mode/mode.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest path used is sim.wiring[k].from (4 steps); leave room. */
#define PATH_DEPTH_MAX 8
/* A config is a few KiB; refusing huge inputs keeps a wrong path (/dev/zero) from eating RAM. */
#define CONFIG_FILE_MAX ((size_t)16 << 20)

#define TRY(expr)                                                                              \
    do {                                                                                       \
        rig_error_t try_rc_ = (expr);                                                          \
        if (try_rc_ != RIG_OK)                                                                 \
            return try_rc_;                                                                    \
    } while (0)

/* ------------------------------------------------------------------------------------------ */
/* JSON paths: one value serves both the "field" text and the position lookup.                 */

typedef struct path {
    rig_json_step_t step[PATH_DEPTH_MAX];
    size_t depth;
} path_t;

static path_t path_key(const path_t *parent, const char *key)
{
    path_t p = *parent;
    if (p.depth < PATH_DEPTH_MAX)
        p.step[p.depth++] = (rig_json_step_t){.key = key};
    return p;
}

static path_t path_index(const path_t *parent, size_t index)
{
    path_t p = *parent;
    if (p.depth < PATH_DEPTH_MAX)
        p.step[p.depth++] = (rig_json_step_t){.index = index};
    return p;
}

static void path_format(const path_t *path, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < path->depth; i++) {
        if (path->step[i].key)
            rig_append(buf, len, "%s%s", i ? "." : "", path->step[i].key);
        else
            rig_append(buf, len, "[%zu]", path->step[i].index);
    }
}

/* How a message names the field: its key, or the whole path for an array element. */
static void path_label(const path_t *path, char *buf, size_t len)
{
    if (path->depth == 0)
        rig_strlcpy(buf, "the top level", len);
    else if (path->step[path->depth - 1].key)
        rig_strlcpy(buf, path->step[path->depth - 1].key, len);
    else
        path_format(path, buf, len);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

typedef struct parser {
    const char *text;
    size_t len;
    rig_config_diag_t *diag;
} parser_t;

/* Reports an error located at `at` (its key when at_key); `leaf` names a missing member of it. */
__attribute__((format(printf, 5, 0))) static rig_error_t
failv(parser_t *p, const path_t *at, bool at_key, const char *leaf, const char *fmt, va_list ap)
{
    rig_config_diag_t *d = p->diag;
    d->code = RIG_ERROR_CONFIG;
    path_format(at, d->field, sizeof d->field);
    if (leaf)
        rig_append(d->field, sizeof d->field, "%s%s", d->field[0] ? "." : "", leaf);
    if (!rig_json_locate(p->text, p->len, at->step, at->depth, at_key, &d->line, &d->column)) {
        d->line = 1; /* unreachable for paths built from the parsed tree; stay printable */
        d->column = 1;
    }
    rig_vfmt(d->message, sizeof d->message, fmt, ap);
    return RIG_ERROR_CONFIG;
}

__attribute__((format(printf, 3, 4))) static rig_error_t fail(parser_t *p, const path_t *at,
                                                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, at, false, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((format(printf, 3, 4))) static rig_error_t fail_key(parser_t *p, const path_t *at,
                                                                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, at, true, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* A required member is absent: point at the object that should hold it. */
__attribute__((format(printf, 4, 5))) static rig_error_t
fail_missing(parser_t *p, const path_t *object, const char *leaf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, object, false, leaf, fmt, ap);
    va_end(ap);
    return rc;
}

static rig_error_t out_of_memory(rig_config_diag_t *d)
{
    d->code = RIG_ERROR_NO_MEMORY;
    rig_strlcpy(d->message, "out of memory while reading the config; free some memory and retry.",
                sizeof d->message);
    return RIG_ERROR_NO_MEMORY;
}

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                       */

typedef enum kind {
    KIND_INTEGER,
    KIND_NUMBER,
    KIND_BOOLEAN,
    KIND_STRING,
    KIND_OBJECT,
    KIND_ARRAY,
} kind_t;

static bool kind_matches(kind_t kind, const json_t *v)
{
    switch (kind) {
    case KIND_INTEGER:
        return json_is_integer(v);
    case KIND_NUMBER:
        return json_is_number(v);
    case KIND_BOOLEAN:
        return json_is_boolean(v);
    case KIND_STRING:
        return json_is_string(v);
    case KIND_OBJECT:
        return json_is_object(v);
    case KIND_ARRAY:
        return json_is_array(v);
    }
    return false;
}

static const char *kind_name(kind_t kind)
{
    switch (kind) {
    case KIND_INTEGER:
        return "an integer";
    case KIND_NUMBER:
        return "a number";
    case KIND_BOOLEAN:
        return "true or false";
    case KIND_STRING:
        return "a string";
    case KIND_OBJECT:
        return "an object";
    case KIND_ARRAY:
        return "an array";
    }
    return "?";
}

static const char *kind_fix(kind_t kind, const json_t *got)
{
    switch (kind) {
    case KIND_INTEGER:
        if (json_is_string(got))
            return "write the number without quotes";
        return json_is_real(got) ? "write a whole number, without a decimal point"
                                 : "write a whole number, e.g. 0";
    case KIND_NUMBER:
        return json_is_string(got) ? "write the number without quotes" : "write a number, e.g. 0";
    case KIND_BOOLEAN:
        return "write true or false, without quotes";
    case KIND_STRING:
        return "put the value in double quotes";
    case KIND_OBJECT:
        return "write an object: {\"key\": value, ...}";
    case KIND_ARRAY:
        return "write an array: [ ... ]";
    }
    return "fix the value";
}

static void describe_value(const json_t *v, char *buf, size_t len)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        rig_strlcpy(buf, "an object", len);
        break;
    case JSON_ARRAY:
        rig_strlcpy(buf, "an array", len);
        break;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        rig_fmt(buf, len, "a string (\"%.40s%s\")", s, strlen(s) > 40 ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        rig_fmt(buf, len, "an integer (%lld)", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        rig_fmt(buf, len, "a real number (%g)", json_real_value(v));
        break;
    case JSON_TRUE:
        rig_strlcpy(buf, "true", len);
        break;
    case JSON_FALSE:
        rig_strlcpy(buf, "false", len);
        break;
    case JSON_NULL:
        rig_strlcpy(buf, "null", len);
        break;
    }
}

static rig_error_t expect(parser_t *p, const path_t *at, const json_t *v, kind_t kind)
{
    if (kind_matches(kind, v))
        return RIG_OK;
    char label[128], got[96];
    path_label(at, label, sizeof label);
    describe_value(v, got, sizeof got);
    return fail(p, at, "expected %s for %s, got %s; %s.", kind_name(kind), label, got,
                kind_fix(kind, v));
}

static rig_error_t get_int(parser_t *p, const path_t *at, const json_t *v, int64_t min,
                           int64_t max, const char *hint, int64_t *out)
{
    TRY(expect(p, at, v, KIND_INTEGER));
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        char label[128];
        path_label(at, label, sizeof label);
        /* A bound that only guards the type's range would read as noise in the message. */
        if (n < min && max >= INT32_MAX)
            return fail(p, at, "%s is %lld, but it must be at least %lld; %s.", label,
                        (long long)n, (long long)min, hint ? hint : "raise it");
        return fail(p, at, "%s is %lld, outside the allowed range %lld..%lld; %s.", label,
                    (long long)n, (long long)min, (long long)max,
                    hint ? hint : "set it within that range");
    }
    *out = (int64_t)n;
    return RIG_OK;
}

/* Optional members: leave *out (the default) alone when the key is absent. */
static rig_error_t opt_int(parser_t *p, const path_t *obj_path, const json_t *obj,
                           const char *key, int64_t min, int64_t max, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = path_key(obj_path, key);
    return get_int(p, &at, v, min, max, NULL, out);
}

static rig_error_t opt_uint32(parser_t *p, const path_t *obj_path, const json_t *obj,
                              const char *key, int64_t min, int64_t max, uint32_t *out)
{
    int64_t n = *out;
    TRY(opt_int(p, obj_path, obj, key, min, max, &n));
    *out = (uint32_t)n;
    return RIG_OK;
}

static rig_error_t opt_number(parser_t *p, const path_t *obj_path, const json_t *obj,
                              const char *key, double min, double max, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = path_key(obj_path, key);
    TRY(expect(p, &at, v, KIND_NUMBER));
    double x = json_number_value(v);
    if (x < min || x > max)
        return fail(p, &at, "%s is %g, outside the allowed range %g..%g; set it within that range.",
                    key, x, min, max);
    *out = x;
    return RIG_OK;
}

static rig_error_t opt_bool(parser_t *p, const path_t *obj_path, const json_t *obj,
                            const char *key, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = path_key(obj_path, key);
    TRY(expect(p, &at, v, KIND_BOOLEAN));
    *out = json_is_true(v);
    return RIG_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                        */

/* A member and its other accepted spelling (vendor camelCase), if any. */
typedef struct key_spec {
    const char *name;
    const char *alt;
} key_spec_t;

static const json_t *member(const json_t *obj, const key_spec_t *key, const char **used)
{
    const json_t *v = json_object_get(obj, key->name);
    *used = key->name;
    if (!v && key->alt) {
        v = json_object_get(obj, key->alt);
        *used = key->alt;
    }
    return v;
}

static bool key_known(const char *key, const key_spec_t *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, keys[i].name) == 0 || (keys[i].alt && strcmp(key, keys[i].alt) == 0))
            return true;
    return false;
}

/* Close enough to be a typo of candidate; an exact match ignoring case counts as closest. */
static unsigned typo_distance(const char *key, const char *candidate)
{
    if (rig_strcaseeq(key, candidate))
        return 0;
    unsigned d = rig_edit_distance(key, candidate);
    return d <= 1 || 3 * d <= strlen(candidate) ? d : UINT_MAX;
}

static rig_error_t unknown_key(parser_t *p, const path_t *obj_path, const char *key,
                               const key_spec_t *keys, size_t n)
{
    const char *best = NULL;
    unsigned best_d = UINT_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *cands[2] = {keys[i].name, keys[i].alt};
        for (size_t c = 0; c < 2; c++) {
            if (!cands[c])
                continue;
            unsigned d = typo_distance(key, cands[c]);
            if (d < best_d) {
                best_d = d;
                best = cands[c];
            }
        }
    }
    char where[160];
    if (obj_path->depth == 0) {
        rig_strlcpy(where, "at the top level", sizeof where);
    } else {
        char field[128];
        path_format(obj_path, field, sizeof field);
        rig_fmt(where, sizeof where, "in %s", field);
    }
    path_t at = path_key(obj_path, key);
    if (best)
        return fail_key(p, &at, "unknown key \"%s\" %s: did you mean \"%s\"?%s", key, where, best,
                        best_d == 0 ? " Keys are case-sensitive." : "");
    char valid[512] = "";
    for (size_t i = 0; i < n; i++) {
        rig_append(valid, sizeof valid, "%s%s", i ? ", " : "", keys[i].name);
        if (keys[i].alt)
            rig_append(valid, sizeof valid, " (or %s)", keys[i].alt);
    }
    return fail_key(p, &at, "unknown key \"%s\" %s; valid keys are: %s.", key, where, valid);
}

/* Position of a key in the text, to tell which of two spellings came second. */
static void key_position(parser_t *p, const path_t *obj_path, const char *key, int *line,
                         int *col)
{
    path_t at = path_key(obj_path, key);
    *line = *col = 0;
    rig_json_locate(p->text, p->len, at.step, at.depth, true, line, col);
}

/* Rejects keys that are not in keys[], and a field given under both of its spellings. */
static rig_error_t check_keys(parser_t *p, const path_t *obj_path, const json_t *obj,
                              const key_spec_t *keys, size_t n)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!key_known(key, keys, n))
            return unknown_key(p, obj_path, key, keys, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].alt || !json_object_get(obj, keys[i].name) ||
            !json_object_get(obj, keys[i].alt))
            continue;
        int l1, c1, l2, c2;
        key_position(p, obj_path, keys[i].name, &l1, &c1);
        key_position(p, obj_path, keys[i].alt, &l2, &c2);
        bool alt_second = l2 > l1 || (l2 == l1 && c2 > c1);
        const char *first = alt_second ? keys[i].name : keys[i].alt;
        const char *second = alt_second ? keys[i].alt : keys[i].name;
        path_t at = path_key(obj_path, second);
        return fail_key(p, &at,
                        "\"%s\" and \"%s\" are two spellings of the same field, given twice; "
                        "keep only one of them.",
                        first, second);
    }
    return RIG_OK;
}

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
/* "streams"                                                                                   */

static rig_error_t parse_profile(parser_t *p, const path_t *at, const json_t *obj,
                                 rig_stream_t stream, rig_stream_profile_t *out)
{
    static const key_spec_t keys[] = {{"width", NULL}, {"height", NULL}, {"fps", NULL},
                                      {"format", NULL}};
    TRY(expect(p, at, obj, KIND_OBJECT));
    TRY(check_keys(p, at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(opt_uint32(p, at, obj, "width", 1, 8192, &out->width));
    TRY(opt_uint32(p, at, obj, "height", 1, 8192, &out->height));
    TRY(opt_uint32(p, at, obj, "fps", 1, 300, &out->fps));

    const json_t *v = json_object_get(obj, "format");
    if (!v)
        return RIG_OK;
    path_t fp = path_key(at, "format");
    TRY(expect(p, &fp, v, KIND_STRING));
    /* One format per stream: the pixel layout of each is fixed by the hardware. */
    rig_format_t want = stream == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16;
    rig_format_t got;
    if (!rig_format_parse(json_string_value(v), &got) || got != want)
        return fail(p, &fp, "format \"%s\" is not supported for the %s stream, which is %s only; "
                            "write \"format\": \"%s\" or leave it out.",
                    json_string_value(v), rig_stream_name(stream), rig_format_name(want),
                    rig_format_name(want));
    out->format = got;
    return RIG_OK;
}

static rig_error_t parse_streams(parser_t *p, const path_t *root, const json_t *jroot,
                                 rig_config_t *cfg)
{
    static const key_spec_t keys[] = {{"color", NULL}, {"depth", NULL}};
    const json_t *obj = json_object_get(jroot, "streams");
    if (!obj)
        return RIG_OK;
    path_t at = path_key(root, "streams");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        const char *name = rig_stream_name((rig_stream_t)s);
        const json_t *v = json_object_get(obj, name);
        if (!v)
            continue;
        cfg->streams_given[s] = true;
        path_t sp = path_key(&at, name);
        TRY(parse_profile(p, &sp, v, (rig_stream_t)s, &cfg->streams[s]));
    }
    return RIG_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* "devices"                                                                                   */

enum { DEV_SERIAL, DEV_CONFIG };
static const key_spec_t device_keys[] = {
    [DEV_SERIAL] = {"serial_number", "sn"},
    [DEV_CONFIG] = {"config", "syncConfig"},
};

enum {
    SYNC_MODE,
    SYNC_DEPTH_DELAY,
    SYNC_COLOR_DELAY,
    SYNC_TRIGGER_TO_IMAGE_DELAY,
    SYNC_TRIGGER_OUT_ENABLE,
    SYNC_TRIGGER_OUT_DELAY,
    SYNC_FRAMES_PER_TRIGGER,
};
static const key_spec_t sync_keys[] = {
    [SYNC_MODE] = {"mode", "syncMode"},
    [SYNC_DEPTH_DELAY] = {"depth_delay_us", "depthDelayUs"},
    [SYNC_COLOR_DELAY] = {"color_delay_us", "colorDelayUs"},
    [SYNC_TRIGGER_TO_IMAGE_DELAY] = {"trigger_to_image_delay_us", "trigger2ImageDelayUs"},
    [SYNC_TRIGGER_OUT_ENABLE] = {"trigger_out_enable", "triggerOutEnable"},
    [SYNC_TRIGGER_OUT_DELAY] = {"trigger_out_delay_us", "triggerOutDelayUs"},
    [SYNC_FRAMES_PER_TRIGGER] = {"frames_per_trigger", "framesPerTrigger"},
};

static void device_label(const rig_config_t *cfg, size_t i, bool with_mode, char *buf, size_t len)
{
    const rig_config_device_t *d = &cfg->devices[i];
    const char *mode = rig_sync_mode_name(d->sync.mode);
    if (with_mode)
        rig_fmt(buf, len, "device#%zu (%s, %s)", i, d->serial, mode ? mode : "?");
    else
        rig_fmt(buf, len, "device#%zu (%s)", i, d->serial);
}

static rig_error_t parse_mode(parser_t *p, const path_t *at, const json_t *v, rig_sync_mode_t *out)
{
    TRY(expect(p, at, v, KIND_STRING));
    const char *name = json_string_value(v);
    if (rig_sync_mode_parse(name, out))
        return RIG_OK;

    char upper[64];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[i] = '\0';
    const char *bare = strncmp(upper, "OB_MULTI_DEVICE_SYNC_MODE_", 26) == 0 ? upper + 26 : upper;
    char hint[64] = "";
    unsigned best = UINT_MAX;
    for (unsigned bit = 1; bit <= RIG_SYNC_MODE_ALL; bit <<= 1) {
        const char *candidate = rig_sync_mode_name((rig_sync_mode_t)bit);
        unsigned d = typo_distance(bare, candidate);
        if (d < best) {
            best = d;
            rig_fmt(hint, sizeof hint, " Did you mean %s?", candidate);
        }
    }
    return fail(p, at,
                "unknown sync mode \"%s\"; use one of %s (names are case-insensitive, and the "
                "vendor prefix OB_MULTI_DEVICE_SYNC_MODE_ is optional).%s",
                name, rig_mode_all_names(), hint);
}

/* Largest delay that still lands inside one frame period of 1e6/fps us. */
static int64_t max_delay_us(uint32_t fps) { return (1000000 + (int64_t)fps - 1) / fps - 1; }

static rig_error_t parse_delay(parser_t *p, const path_t *obj_path, const json_t *obj,
                               const key_spec_t *key, uint32_t fps, const char *stream,
                               int32_t *out)
{
    const char *used;
    const json_t *v = member(obj, key, &used);
    if (!v)
        return RIG_OK;
    path_t at = path_key(obj_path, used);
    TRY(expect(p, &at, v, KIND_INTEGER));
    long long n = (long long)json_integer_value(v);
    if (n < 0)
        return fail(p, &at,
                    "%s is %lld us, but a delay cannot be negative; use 0 or a positive number "
                    "of microseconds.",
                    used, n);
    long long max = (long long)max_delay_us(fps);
    if (n > max)
        return fail(p, &at,
                    "%s is %lld us, a full frame period or more: at %u fps (%s) the period is "
                    "%.0f us, so the delay must be in 0..%lld us; lower it.",
                    used, n, fps, stream, 1e6 / fps, max);
    *out = (int32_t)n;
    return RIG_OK;
}

static rig_error_t parse_sync(parser_t *p, const path_t *at, const json_t *obj, size_t index,
                              const rig_config_t *cfg, rig_sync_config_t *out)
{
    TRY(expect(p, at, obj, KIND_OBJECT));
    TRY(check_keys(p, at, obj, sync_keys, RIG_ARRAY_SIZE(sync_keys)));
    *out = rig_sync_config_default();

    const char *used;
    const json_t *v = member(obj, &sync_keys[SYNC_MODE], &used);
    if (!v)
        return fail_missing(p, at, "mode",
                            "device#%zu has no \"mode\"; add \"mode\": \"PRIMARY\" to the device "
                            "that drives the rig, \"SECONDARY\" to the others.",
                            index);
    path_t mp = path_key(at, used);
    TRY(parse_mode(p, &mp, v, &out->mode));

    uint32_t color_fps = cfg->streams[RIG_STREAM_COLOR].fps;
    uint32_t depth_fps = cfg->streams[RIG_STREAM_DEPTH].fps;
    uint32_t fastest = RIG_MAX(color_fps, depth_fps);
    TRY(parse_delay(p, at, obj, &sync_keys[SYNC_DEPTH_DELAY], depth_fps, "depth stream",
                    &out->depth_delay_us));
    TRY(parse_delay(p, at, obj, &sync_keys[SYNC_COLOR_DELAY], color_fps, "color stream",
                    &out->color_delay_us));
    TRY(parse_delay(p, at, obj, &sync_keys[SYNC_TRIGGER_TO_IMAGE_DELAY], fastest,
                    "the faster stream", &out->trigger_to_image_delay_us));
    TRY(parse_delay(p, at, obj, &sync_keys[SYNC_TRIGGER_OUT_DELAY], fastest,
                    "the faster stream", &out->trigger_out_delay_us));

    v = member(obj, &sync_keys[SYNC_TRIGGER_OUT_ENABLE], &used);
    if (v) {
        path_t tp = path_key(at, used);
        TRY(expect(p, &tp, v, KIND_BOOLEAN));
        out->trigger_out_enable = json_is_true(v);
    }

    v = member(obj, &sync_keys[SYNC_FRAMES_PER_TRIGGER], &used);
    if (v) {
        path_t fp = path_key(at, used);
        int64_t n;
        TRY(get_int(p, &fp, v, 1, INT32_MAX, "each trigger captures at least one frame", &n));
        out->frames_per_trigger = (int32_t)n;
    }
    return RIG_OK;
}

static rig_error_t parse_serial(parser_t *p, const path_t *at, const json_t *v, const char *what,
                                char *out)
{
    TRY(expect(p, at, v, KIND_STRING));
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n == 0)
        return fail(p, at, "the serial number of %s is empty; write the camera's serial number, "
                           "as printed on its label.",
                    what);
    if (n >= RIG_SERIAL_MAX)
        return fail(p, at, "the serial number of %s is %zu characters long, more than the %d a "
                           "serial number can have; check for pasted extra text.",
                    what, n, RIG_SERIAL_MAX - 1);
    rig_strlcpy(out, s, RIG_SERIAL_MAX);
    return RIG_OK;
}

/* Remembers where a part of a device entry is, for messages found later (e.g. by the rig). */
static void locate_part(parser_t *p, const path_t *at, rig_config_device_t *dev,
                        rig_config_part_t part)
{
    rig_json_locate(p->text, p->len, at->step, at->depth, false, &dev->line[part],
                    &dev->column[part]);
    path_format(at, dev->path[part], sizeof dev->path[part]);
}

static rig_error_t parse_device(parser_t *p, const path_t *at, const json_t *obj, size_t index,
                                rig_config_t *cfg)
{
    rig_config_device_t *dev = &cfg->devices[index];
    TRY(expect(p, at, obj, KIND_OBJECT));
    locate_part(p, at, dev, RIG_CONFIG_PART_DEVICE);

    /* The most likely slip in the seed's nested format: a sync field one level too high. */
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!key_known(key, sync_keys, RIG_ARRAY_SIZE(sync_keys)))
            continue;
        path_t kp = path_key(at, key);
        return fail_key(p, &kp,
                        "\"%s\" belongs inside the device's \"config\" object: write "
                        "{\"serial_number\": \"...\", \"config\": {\"%s\": ...}}.",
                        key, key);
    }
    TRY(check_keys(p, at, obj, device_keys, RIG_ARRAY_SIZE(device_keys)));

    const char *used;
    v = member(obj, &device_keys[DEV_SERIAL], &used);
    if (!v)
        return fail_missing(p, at, "serial_number",
                            "device#%zu has no serial number; add \"serial_number\": \"<the "
                            "camera's serial>\" (the vendor's \"sn\" works too).",
                            index);
    path_t sp = path_key(at, used);
    locate_part(p, &sp, dev, RIG_CONFIG_PART_SERIAL);
    char what[32];
    rig_fmt(what, sizeof what, "device#%zu", index);
    TRY(parse_serial(p, &sp, v, what, dev->serial));
    for (size_t j = 0; j < index; j++)
        if (strcmp(cfg->devices[j].serial, dev->serial) == 0)
            return fail(p, &sp,
                        "serial number \"%s\" is already used by device#%zu; each camera appears "
                        "once: remove this entry or correct its serial number.",
                        dev->serial, j);

    const json_t *cobj = member(obj, &device_keys[DEV_CONFIG], &used);
    if (!cobj)
        return fail_missing(p, at, "config",
                            "device#%zu (%s) has no \"config\"; add \"config\": {\"mode\": "
                            "\"PRIMARY\"} (or \"SECONDARY\", ...): the mode is required.",
                            index, dev->serial);
    path_t cp = path_key(at, used);
    TRY(parse_sync(p, &cp, cobj, index, cfg, &dev->sync));
    const char *mode_key = NULL;
    member(cobj, &sync_keys[SYNC_MODE], &mode_key); /* present: parse_sync requires it */
    path_t mp = path_key(&cp, mode_key);
    locate_part(p, &mp, dev, RIG_CONFIG_PART_MODE);

    if (dev->sync.mode == RIG_SYNC_MODE_PRIMARY) {
        for (size_t j = 0; j < index; j++) {
            if (cfg->devices[j].sync.mode != RIG_SYNC_MODE_PRIMARY)
                continue;
            return fail(p, &mp,
                        "device#%zu (%s) is PRIMARY, but so is device#%zu (%s): a rig has "
                        "exactly one primary. Make one of them SECONDARY (or SECONDARY_SYNCED / "
                        "HARDWARE_TRIGGERING, as its model supports).",
                        index, dev->serial, j, cfg->devices[j].serial);
        }
    }
    return RIG_OK;
}

/* Secondaries and hardware-triggered devices capture nothing unless some device sends pulses. */
static rig_error_t check_pulse_source(parser_t *p, const path_t *devices_path,
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
        const char *cfg_key, *mode_key;
        const json_t *jdev = json_array_get(jdevices, i);
        const json_t *cobj = member(jdev, &device_keys[DEV_CONFIG], &cfg_key);
        member(cobj, &sync_keys[SYNC_MODE], &mode_key);
        char leaf[64], label[96];
        rig_fmt(leaf, sizeof leaf, "%s.%s", cfg_key, mode_key);
        device_label(cfg, i, true, label, sizeof label);
        path_t at = path_index(devices_path, i);
        return fail_missing(p, &at, leaf,
                            "%s waits for trigger pulses, but no device is PRIMARY or "
                            "SOFTWARE_TRIGGERING to send them: make one device PRIMARY, or use "
                            "STANDALONE / FREE_RUN for unsynchronized capture.",
                            label);
    }
    return RIG_OK;
}

static rig_error_t parse_devices(parser_t *p, const path_t *root, const json_t *jroot,
                                 rig_config_t *cfg)
{
    const json_t *arr = json_object_get(jroot, "devices");
    if (!arr)
        return fail_missing(p, root, "devices",
                            "missing \"devices\"; add \"devices\": [{\"serial_number\": \"...\", "
                            "\"config\": {\"mode\": \"PRIMARY\"}}, ...] with one entry per "
                            "camera.");
    path_t at = path_key(root, "devices");
    TRY(expect(p, &at, arr, KIND_ARRAY));
    size_t n = json_array_size(arr);
    if (n == 0)
        return fail(p, &at, "\"devices\" is empty; add one entry per camera, e.g. "
                            "{\"serial_number\": \"CP3S34D00051\", \"config\": {\"mode\": "
                            "\"PRIMARY\"}}.");
    cfg->devices = calloc(n, sizeof *cfg->devices);
    if (!cfg->devices)
        return out_of_memory(p->diag);
    for (size_t i = 0; i < n; i++) {
        path_t dp = path_index(&at, i);
        TRY(parse_device(p, &dp, json_array_get(arr, i), i, cfg));
        cfg->device_count = i + 1;
    }
    return check_pulse_source(p, &at, arr, cfg);
}

/* ------------------------------------------------------------------------------------------ */
/* "sim"                                                                                       */

static int sim_find(const rig_sim_spec_t *sim, const char *serial)
{
    for (size_t i = 0; i < sim->device_count; i++)
        if (strcmp(sim->devices[i].serial, serial) == 0)
            return (int)i;
    return -1;
}

/* Without sim.devices the simulated rig is exactly the configured cameras. */
static rig_error_t sim_devices_from_config(parser_t *p, rig_config_t *cfg)
{
    rig_sim_spec_t *sim = &cfg->sim;
    sim->devices = calloc(cfg->device_count, sizeof *sim->devices);
    if (!sim->devices)
        return out_of_memory(p->diag);
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
    TRY(expect(p, at, obj, KIND_OBJECT));
    TRY(check_keys(p, at, obj, keys, RIG_ARRAY_SIZE(keys)));

    const char *used;
    const json_t *v = member(obj, &keys[0], &used);
    if (!v)
        return fail_missing(p, at, "serial_number",
                            "sim.devices[%zu] has no serial number; add \"serial_number\": \"...\" "
                            "(the serial a configured device names).",
                            index);
    path_t sp = path_key(at, used);
    char what[40];
    rig_fmt(what, sizeof what, "sim.devices[%zu]", index);
    TRY(parse_serial(p, &sp, v, what, d->serial));
    for (size_t j = 0; j < index; j++)
        if (strcmp(sim->devices[j].serial, d->serial) == 0)
            return fail(p, &sp,
                        "serial number \"%s\" is already used by sim.devices[%zu]; each simulated "
                        "camera appears once: remove this entry or correct its serial number.",
                        d->serial, j);

    v = json_object_get(obj, "model");
    if (v) {
        path_t mp = path_key(at, "model");
        TRY(expect(p, &mp, v, KIND_STRING));
        const char *model = json_string_value(v);
        uint32_t modes;
        if (strlen(model) >= RIG_MODEL_MAX || !rig_model_supported_modes(model, &modes))
            return fail(p, &mp,
                        "unknown model \"%s\"; use one of: %s (case, spaces, dashes and "
                        "underscores do not matter), or leave \"model\" out for a camera with "
                        "every mode.",
                        model, rig_model_all_names());
        rig_strlcpy(d->model, model, RIG_MODEL_MAX);
    }
    if (json_object_get(obj, "clock_offset_us")) {
        TRY(opt_int(p, at, obj, "clock_offset_us", 0, INT64_MAX, &d->clock_offset_us));
        d->has_clock_offset = true;
    }
    if (json_object_get(obj, "ppm")) {
        /* Real crystals are within a few hundred ppm; allow far more for stress runs. */
        TRY(opt_number(p, at, obj, "ppm", -10000.0, 10000.0, &d->ppm));
        d->has_ppm = true;
    }
    int64_t bits = 64;
    TRY(opt_int(p, at, obj, "timestamp_bits", 32, 64, &bits));
    if (bits != 32 && bits != 64) {
        path_t bp = path_key(at, "timestamp_bits");
        return fail(p, &bp,
                    "timestamp_bits is %lld; a device counts its clock in 32 or 64 bits.",
                    (long long)bits);
    }
    d->timestamp_bits = (unsigned)bits;
    if (json_object_get(obj, "rate_offset_ppm")) {
        TRY(opt_number(p, at, obj, "rate_offset_ppm", -100000.0, 100000.0, &d->rate_offset_ppm));
        d->has_rate_offset = true;
    }
    /* Per-device floors: USB controllers, hubs and cables differ (up to a second is a stall). */
    d->has_latency_floor = json_object_get(obj, "latency_floor_us") != NULL;
    d->has_query_leg = json_object_get(obj, "query_leg_us") != NULL;
    TRY(opt_int(p, at, obj, "latency_floor_us", 0, 1000000, &d->latency_floor_us));
    TRY(opt_int(p, at, obj, "query_leg_us", 0, 1000000, &d->query_leg_us));
    return RIG_OK;
}

static rig_error_t parse_cable_end(parser_t *p, const path_t *cable_path, const json_t *obj,
                                   const char *key, const rig_sim_spec_t *sim, size_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return fail_missing(p, cable_path, key,
                            "this cable has no \"%s\"; write {\"from\": \"<serial of the sync-out "
                            "it leaves>\", \"to\": \"<serial of the sync-in it enters>\"}.",
                            key);
    path_t at = path_key(cable_path, key);
    TRY(expect(p, &at, v, KIND_STRING));
    int k = sim_find(sim, json_string_value(v));
    if (k < 0) {
        char list[400] = "";
        for (size_t i = 0; i < sim->device_count; i++)
            rig_append(list, sizeof list, "%s%s", i ? ", " : "", sim->devices[i].serial);
        return fail(p, &at,
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
    path_t at = path_key(sim_path, "wiring");
    if (json_is_string(w)) {
        const char *s = json_string_value(w);
        if (rig_strcaseeq(s, "daisy_chain"))
            sim->wiring = RIG_SIM_WIRING_DAISY_CHAIN;
        else if (rig_strcaseeq(s, "none"))
            sim->wiring = RIG_SIM_WIRING_NONE;
        else if (rig_strcaseeq(s, "star"))
            sim->wiring = RIG_SIM_WIRING_STAR;
        else
            return fail(p, &at,
                        "unknown wiring \"%s\"; use \"daisy_chain\" (pulse source first, then "
                        "config order), \"star\" (through a sync hub), \"none\", or a list of "
                        "cables such as [{\"from\": \"SERIAL_A\", \"to\": \"SERIAL_B\"}].",
                        s);
        return RIG_OK;
    }
    if (!json_is_array(w)) {
        char got[96];
        describe_value(w, got, sizeof got);
        return fail(p, &at,
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
        return out_of_memory(p->diag);
    for (size_t k = 0; k < n; k++) {
        path_t cp = path_index(&at, k);
        const json_t *c = json_array_get(w, k);
        TRY(expect(p, &cp, c, KIND_OBJECT));
        TRY(check_keys(p, &cp, c, cable_keys, RIG_ARRAY_SIZE(cable_keys)));
        rig_sim_cable_t cable;
        TRY(parse_cable_end(p, &cp, c, "from", sim, &cable.from));
        TRY(parse_cable_end(p, &cp, c, "to", sim, &cable.to));
        path_t tp = path_key(&cp, "to");
        const char *to_serial = sim->devices[cable.to].serial;
        if (cable.from == cable.to)
            return fail(p, &tp,
                        "this cable runs from %s's sync-out into its own sync-in; connect it to "
                        "another device.",
                        to_serial);
        for (size_t j = 0; j < k; j++)
            if (sim->cables[j].to == cable.to)
                return fail(p, &tp,
                            "%s already gets its sync-in from wiring[%zu]; a sync-in takes one "
                            "cable: remove one of the two.",
                            to_serial, j);
        sim->cables[k] = cable;
        sim->cable_count = k + 1;
    }
    return RIG_OK;
}

static rig_error_t parse_min_max(parser_t *p, const path_t *obj_path, const json_t *obj,
                                 const char *min_key, const char *max_key, int64_t *min,
                                 int64_t *max)
{
    TRY(opt_int(p, obj_path, obj, min_key, 0, INT64_MAX, min));
    TRY(opt_int(p, obj_path, obj, max_key, 0, INT64_MAX, max));
    if (*min <= *max)
        return RIG_OK;
    /* Blame whichever bound the user wrote; the other may be a default. */
    path_t at = path_key(obj_path, json_object_get(obj, max_key) ? max_key : min_key);
    return fail(p, &at, "%s (%lld) is below %s (%lld); make %s at least %s.", max_key,
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
    path_t at = path_key(sim_path, "transport");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(opt_int(p, &at, obj, "latency_floor_us", 0, INT64_MAX, &sim->latency_floor_us));
    TRY(opt_int(p, &at, obj, "latency_tail_mean_us", 0, INT64_MAX, &sim->latency_tail_mean_us));
    TRY(opt_number(p, &at, obj, "stall_probability", 0.0, 1.0, &sim->stall_probability));
    TRY(parse_min_max(p, &at, obj, "stall_min_us", "stall_max_us", &sim->stall_min_us,
                      &sim->stall_max_us));
    return opt_number(p, &at, obj, "drop_probability", 0.0, 1.0, &sim->drop_probability);
}

static rig_error_t parse_sync_error(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                    rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"min", NULL}, {"max", NULL}};
    const json_t *obj = json_object_get(jsim, "clock_sync_error_us");
    if (!obj)
        return RIG_OK;
    path_t at = path_key(sim_path, "clock_sync_error_us");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    return parse_min_max(p, &at, obj, "min", "max", &sim->sync_error_min_us,
                         &sim->sync_error_max_us);
}

static rig_error_t parse_exposure(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                  rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"color", NULL}, {"depth", NULL}};
    const json_t *obj = json_object_get(jsim, "exposure_us");
    if (!obj)
        return RIG_OK;
    path_t at = path_key(sim_path, "exposure_us");
    sim->exposure_given = true;
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        TRY(opt_int(p, &at, obj, rig_stream_name((rig_stream_t)s), 1, 1000000,
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
    path_t at = path_key(sim_path, "time_query");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(opt_int(p, &at, obj, "interval_ms", 0, 3600000, &sim->time_query_interval_ms));
    TRY(opt_int(p, &at, obj, "leg_us", 0, 1000000, &sim->time_query_leg_us));
    TRY(opt_int(p, &at, obj, "leg_tail_mean_us", 0, 1000000, &sim->time_query_tail_mean_us));
    return opt_int(p, &at, obj, "asymmetry_max_us", 0, 1000000, &sim->time_query_asymmetry_us);
}

/* A list of serials of the simulated rig, into sim device indices. */
static rig_error_t parse_serial_list(parser_t *p, const path_t *at, const json_t *arr,
                                     const rig_sim_spec_t *sim, size_t **out, size_t *n)
{
    TRY(expect(p, at, arr, KIND_ARRAY));
    size_t len = json_array_size(arr);
    *out = calloc(len ? len : 1, sizeof(**out));
    if (!*out)
        return out_of_memory(p->diag);
    for (size_t k = 0; k < len; k++) {
        path_t ip = path_index(at, k);
        const json_t *v = json_array_get(arr, k);
        TRY(expect(p, &ip, v, KIND_STRING));
        int idx = sim_find(sim, json_string_value(v));
        if (idx < 0)
            return fail(p, &ip,
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
    path_t at = path_key(sim_path, "signal_generator");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    if (!json_object_get(obj, "hz") || !json_object_get(obj, "to"))
        return fail_missing(p, &at, json_object_get(obj, "hz") ? "to" : "hz",
                            "a signal generator needs a rate and the devices it feeds: "
                            "{\"hz\": 10, \"to\": [\"SERIAL\", ...]}.");
    TRY(opt_number(p, &at, obj, "hz", 0.01, 1000.0, &sim->generator_hz));
    path_t tp = path_key(&at, "to");
    return parse_serial_list(p, &tp, json_object_get(obj, "to"), sim, &sim->generator_to,
                             &sim->generator_count);
}

static rig_error_t parse_events(parser_t *p, const path_t *sim_path, const json_t *jsim,
                                rig_sim_spec_t *sim)
{
    static const key_spec_t keys[] = {{"at_s", NULL}, {"cut_cable_to", NULL}};
    const json_t *arr = json_object_get(jsim, "events");
    if (!arr)
        return RIG_OK;
    path_t at = path_key(sim_path, "events");
    TRY(expect(p, &at, arr, KIND_ARRAY));
    size_t n = json_array_size(arr);
    sim->events = calloc(n ? n : 1, sizeof(*sim->events));
    if (!sim->events)
        return out_of_memory(p->diag);
    for (size_t k = 0; k < n; k++) {
        path_t ep = path_index(&at, k);
        const json_t *e = json_array_get(arr, k);
        TRY(expect(p, &ep, e, KIND_OBJECT));
        TRY(check_keys(p, &ep, e, keys, RIG_ARRAY_SIZE(keys)));
        const json_t *to = json_object_get(e, "cut_cable_to");
        if (!json_object_get(e, "at_s") || !to)
            return fail_missing(p, &ep, json_object_get(e, "at_s") ? "cut_cable_to" : "at_s",
                                "an event says when and what: {\"at_s\": 5.0, "
                                "\"cut_cable_to\": \"SERIAL\"} cuts the sync cable into that "
                                "device 5 s after the start.");
        double at_s = 0;
        TRY(opt_number(p, &ep, e, "at_s", 0.0, 1e7, &at_s));
        path_t tp = path_key(&ep, "cut_cable_to");
        TRY(expect(p, &tp, to, KIND_STRING));
        int idx = sim_find(sim, json_string_value(to));
        if (idx < 0)
            return fail(p, &tp,
                        "\"%s\" is not a device of the simulated rig; name one of its serials.",
                        json_string_value(to));
        sim->events[k] = (rig_sim_event_t){(int64_t)(at_s * 1e6), (size_t)idx};
        sim->event_count = k + 1;
    }
    return RIG_OK;
}

static rig_error_t parse_sim(parser_t *p, const path_t *root, const json_t *jroot,
                             rig_config_t *cfg)
{
    static const key_spec_t keys[] = {
        {"seed", NULL},        {"devices", NULL},        {"wiring", NULL},
        {"cable_delay_ns", NULL}, {"transport", NULL},   {"clock_sync_error_us", NULL},
        {"exposure_us", NULL}, {"readout_us", NULL},     {"pixels", NULL},
        {"time_query", NULL},  {"drift_walk_ppm_per_sqrt_hour", NULL},
        {"hub_delay_ns", NULL}, {"signal_generator", NULL}, {"events", NULL}};
    rig_sim_spec_t *sim = &cfg->sim;
    const json_t *obj = json_object_get(jroot, "sim");
    if (!obj)
        return sim_devices_from_config(p, cfg);
    sim->present = true;
    path_t at = path_key(root, "sim");
    TRY(expect(p, &at, obj, KIND_OBJECT));
    TRY(check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));

    int64_t seed = (int64_t)sim->seed;
    TRY(opt_int(p, &at, obj, "seed", 0, INT64_MAX, &seed));
    sim->seed = (uint64_t)seed;

    const json_t *devs = json_object_get(obj, "devices");
    if (devs) {
        path_t dp = path_key(&at, "devices");
        TRY(expect(p, &dp, devs, KIND_ARRAY));
        size_t n = json_array_size(devs);
        /* An empty rig is allowed: it is how a test sees "no such device". */
        if (n > 0) {
            sim->devices = calloc(n, sizeof *sim->devices);
            if (!sim->devices)
                return out_of_memory(p->diag);
        }
        for (size_t i = 0; i < n; i++) {
            path_t ip = path_index(&dp, i);
            TRY(parse_sim_device(p, &ip, json_array_get(devs, i), i, sim));
            sim->device_count = i + 1;
        }
    } else {
        TRY(sim_devices_from_config(p, cfg));
    }

    TRY(parse_wiring(p, &at, obj, sim));
    TRY(opt_int(p, &at, obj, "cable_delay_ns", 0, INT64_MAX, &sim->cable_delay_ns));
    TRY(parse_transport(p, &at, obj, sim));
    TRY(parse_sync_error(p, &at, obj, sim));
    TRY(parse_exposure(p, &at, obj, sim));
    TRY(opt_int(p, &at, obj, "readout_us", 0, 1000000, &sim->readout_us));
    TRY(parse_time_query(p, &at, obj, sim));
    TRY(opt_int(p, &at, obj, "hub_delay_ns", 0, INT64_MAX, &sim->hub_delay_ns));
    TRY(parse_generator(p, &at, obj, sim));
    TRY(parse_events(p, &at, obj, sim));
    if (sim->wiring == RIG_SIM_WIRING_STAR && cfg->device_count > RIG_SIM_HUB_PORTS + 1) {
        path_t wp = path_key(&at, "wiring");
        return fail(p, &wp,
                    "a sync hub takes 1 primary and up to %d secondaries, but the config has %zu "
                    "devices; use \"daisy_chain\", or list the cables of several hubs.",
                    RIG_SIM_HUB_PORTS, cfg->device_count);
    }
    TRY(opt_number(p, &at, obj, "drift_walk_ppm_per_sqrt_hour", 0.0, 1000.0,
                   &sim->drift_walk_ppm_per_sqrt_hour));
    return opt_bool(p, &at, obj, "pixels", &sim->pixels);
}

/* ------------------------------------------------------------------------------------------ */
/* Top level                                                                                   */

static int chain_head(const rig_config_t *cfg);

static bool generator_feeds(const rig_config_t *cfg, size_t index)
{
    int si = sim_find(&cfg->sim, cfg->devices[index].serial);
    for (size_t k = 0; si >= 0 && k < cfg->sim.generator_count; k++)
        if (cfg->sim.generator_to[k] == (size_t)si)
            return true;
    return false;
}

/* The rate rule of the triggered modes: triggers per second x frames per trigger must stay
 * within what the sensor can capture (the stream fps). */
static rig_error_t check_trigger_rates(parser_t *p, const path_t *top, const rig_config_t *cfg)
{
    double fps = (double)RIG_MIN(cfg->streams[RIG_STREAM_COLOR].fps,
                                 cfg->streams[RIG_STREAM_DEPTH].fps);
    for (size_t i = 0; i < cfg->device_count; i++) {
        const rig_sync_config_t *c = &cfg->devices[i].sync;
        double rate = 0;
        const char *source = NULL;
        char buf[96];
        if (c->mode == RIG_SYNC_MODE_HARDWARE_TRIGGERING) {
            if (generator_feeds(cfg, i)) {
                rate = cfg->sim.generator_hz;
                source = "the signal generator";
            } else if (chain_head(cfg) >= 0) {
                const rig_sync_config_t *h = &cfg->devices[chain_head(cfg)].sync;
                rate = h->mode == RIG_SYNC_MODE_PRIMARY ? fps : (double)cfg->auto_trigger_fps;
                rig_fmt(buf, sizeof buf, "device#%d (%s)", chain_head(cfg),
                        rig_sync_mode_name(h->mode));
                source = buf;
            }
        } else if (c->mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING) {
            rate = (double)cfg->auto_trigger_fps;
            source = "autoTriggerFps";
        }
        if (rate <= 0 || rate * c->frames_per_trigger <= fps + 1e-9)
            continue;
        path_t dp = path_key(top, "devices");
        path_t at = path_index(&dp, i);
        return fail(p, &at,
                    "device#%zu (%s, %s) gets %.6g triggers/s from %s and captures %d frame(s) "
                    "per trigger: %.6g frames/s, more than its %.6g fps; lower frames_per_trigger "
                    "or the trigger rate.",
                    i, cfg->devices[i].serial, rig_sync_mode_name(c->mode), rate, source,
                    c->frames_per_trigger, rate * c->frames_per_trigger, fps);
    }
    return RIG_OK;
}

/* The simulated rig of hardwareTriggerFps: one generator feeding every configured camera, and no
 * sync cables between the cameras unless the sim section lists them (on a GMSL board the pulse
 * reaches each camera directly; a daisy chain on top would trigger them twice). */
static rig_error_t host_trigger_source(parser_t *p, const json_t *jroot, double hz,
                                       rig_config_t *cfg)
{
    rig_sim_spec_t *sim = &cfg->sim;
    sim->generator_to = calloc(cfg->device_count, sizeof *sim->generator_to);
    if (!sim->generator_to)
        return out_of_memory(p->diag);
    for (size_t i = 0; i < cfg->device_count; i++) {
        int si = sim_find(sim, cfg->devices[i].serial);
        if (si >= 0)
            sim->generator_to[sim->generator_count++] = (size_t)si;
    }
    sim->generator_hz = hz;
    if (!json_object_get(json_object_get(jroot, "sim"), "wiring"))
        sim->wiring = RIG_SIM_WIRING_NONE;
    return RIG_OK;
}

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
        describe_value(jroot, got, sizeof got);
        return fail(p, &top,
                    "expected an object at the top level, got %s; write the config as "
                    "{\"devices\": [...]}.",
                    got);
    }
    TRY(check_keys(p, &top, jroot, keys, RIG_ARRAY_SIZE(keys)));

    /* Labels in the vendor's files that nothing reads; still type-checked, so that a value
     * meant for another field is not silently swallowed. */
    static const char *const labels[] = {"version", "configTime"};
    const json_t *v;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(labels); i++) {
        v = json_object_get(jroot, labels[i]);
        if (!v)
            continue;
        path_t lp = path_key(&top, labels[i]);
        TRY(expect(p, &lp, v, KIND_STRING));
    }
    /* Before the devices: their delays are checked against the frame periods. */
    TRY(parse_streams(p, &top, jroot, cfg));
    const json_t *jsim = json_object_get(jroot, "sim");
    cfg->sim.has_generator = json_is_object(jsim) && json_object_get(jsim, "signal_generator");

    int64_t interval = (int64_t)cfg->clock_sync_interval_ms;
    TRY(opt_int(p, &top, jroot, "clock_sync_interval_ms", 0, INT64_MAX, &interval));
    cfg->clock_sync_interval_ms = (uint64_t)interval;

    const char *used;
    v = member(jroot, &keys[ROOT_AUTO_TRIGGER_FPS], &used);
    if (v) {
        path_t ap = path_key(&top, used);
        int64_t fps;
        TRY(get_int(p, &ap, v, 0, 90,
                    "use 0 to turn the host's automatic software trigger off, or a rate of at "
                    "most 90",
                    &fps));
        cfg->auto_trigger_fps = (uint32_t)fps;
    }

    /* The vendor's GMSL rigs: a trigger source on the host board (programmed outside rigsync)
     * pulses every camera over its own link, in hundredths of a hertz (3000 = 30 Hz); 0 = off.
     * Known before the devices, so that secondaries without a primary are not rejected. */
    int64_t hw_trigger = 0;
    v = member(jroot, &keys[ROOT_HARDWARE_TRIGGER_FPS], &used);
    if (v) {
        path_t hp = path_key(&top, used);
        TRY(get_int(p, &hp, v, 0, UINT16_MAX,
                    "use 0 for no host trigger source, or the rate in hundredths of a hertz "
                    "(3000 = 30 Hz)",
                    &hw_trigger));
        if (hw_trigger > 0 && cfg->sim.has_generator)
            return fail(p, &hp,
                        "%s and sim.signal_generator both describe the external trigger source; "
                        "keep only one of them.",
                        used);
        cfg->sim.has_generator = cfg->sim.has_generator || hw_trigger > 0;
    }

    TRY(parse_devices(p, &top, jroot, cfg));
    TRY(parse_sim(p, &top, jroot, cfg));
    if (hw_trigger > 0)
        TRY(host_trigger_source(p, jroot, (double)hw_trigger / 100.0, cfg));
    return check_trigger_rates(p, &top, cfg);
}

static rig_error_t syntax_error(rig_config_diag_t *d, const json_error_t *err)
{
    d->code = RIG_ERROR_CONFIG;
    /* jansson reports column 0 right after a newline; keep positions 1-based. */
    d->line = err->line > 0 ? err->line : 1;
    d->column = err->column > 0 ? err->column : 1;
    d->field[0] = '\0';
    bool duplicate = strncmp(err->text, "duplicate object key", 20) == 0;
    rig_fmt(d->message, sizeof d->message, "not valid JSON: %s. %s", err->text,
            duplicate ? "A key may appear only once in an object: remove one of the two."
                      : "Fix the syntax here (a missing comma, quote or bracket is the usual "
                        "cause).");
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
    parser_t p = {.text = text, .len = len, .diag = diag};
    const path_t top = {.depth = 0};
    rig_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        rc = out_of_memory(diag);
        goto done;
    }
    rig_strlcpy(cfg->source, name, sizeof cfg->source);
    set_defaults(cfg);
    if (only_whitespace(text, len)) {
        rc = fail(&p, &top,
                  "the file is empty; a config needs at least {\"devices\": [{\"serial_number\": "
                  "\"...\", \"config\": {\"mode\": \"PRIMARY\"}}]}.");
        goto done;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        rc = syntax_error(diag, &err);
        goto done;
    }
    rc = parse_root(&p, root, cfg);
done:
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
                rc = out_of_memory(d);
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
    for (size_t i = 0; i < config->device_count; i++)
        if (strcmp(config->devices[i].serial, serial) == 0)
            return (int)i;
    return -1;
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
    int to = sim_find(sim, cfg->devices[index].serial);
    for (size_t k = 0; to >= 0 && k < sim->cable_count; k++)
        if (sim->cables[k].to == (size_t)to)
            return (int)sim->cables[k].from;
    return -1;
}

int rig_config_pulse_source(const rig_config_t *config, size_t index)
{
    if (!config || index >= config->device_count)
        return -1;
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

/* Nothing feeds `cur`, the first device upstream of `index` (possibly itself) with no input. */
static void explain_unfed(const rig_config_t *cfg, size_t index, size_t cur, const char *subject,
                          char *buf, size_t len)
{
    char cur_label[96];
    device_label(cfg, cur, true, cur_label, sizeof cur_label);
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
    device_label(config, index, false, subject, sizeof subject);
    size_t cur = index;
    /* Each step moves one cable upstream; more steps than devices means a loop. */
    for (size_t steps = 0; steps < config->device_count; steps++) {
        int up = rig_config_pulse_source(config, cur);
        if (up < 0) {
            explain_unfed(config, index, cur, subject, buf, len);
            return true;
        }
        const rig_sync_config_t *u = &config->devices[up].sync;
        device_label(config, (size_t)up, true, up_label, sizeof up_label);
        if (u->mode == RIG_SYNC_MODE_FREE_RUN || u->mode == RIG_SYNC_MODE_STANDALONE) {
            rig_fmt(buf, len,
                    "%s gets no trigger pulses: %s never drives its sync-out, so the chain stops "
                    "there; make device#%d PRIMARY, or SECONDARY with \"trigger_out_enable\": "
                    "true to forward the pulses.",
                    subject, up_label, up);
            return true;
        }
        bool source = rig_mode_is_pulse_source(u);
        if (!u->trigger_out_enable) {
            rig_fmt(buf, len,
                    "%s gets no trigger pulses: %s has trigger_out_enable false, so it %s; set "
                    "\"trigger_out_enable\": true on device#%d.",
                    subject, up_label,
                    source ? "emits none" : "does not forward the pulses it receives", up);
            return true;
        }
        if (source)
            return false;
        cur = (size_t)up;
    }
    rig_fmt(buf, len,
            "%s gets no trigger pulses: the sync cables upstream of it (sim.wiring) form a loop "
            "with no PRIMARY or SOFTWARE_TRIGGERING device; cable the primary's sync-out into "
            "the loop.",
            subject);
    return true;
}

/*
 * The user's devices and streams, in either spelling: the seed's format (snake_case, nested
 * "config") and the vendor's C++ format (camelCase "sn" / "syncConfig"); modes, delays within a
 * frame period, frames per trigger, serial numbers.
 */
#include "common/util.h"
#include "config/parser.h"
#include "mode/mode.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* "streams"                                                                                   */

static rig_error_t parse_profile(parser_t *p, const path_t *at, const json_t *obj,
                                 rig_stream_t stream, rig_stream_profile_t *out)
{
    static const key_spec_t keys[] = {{"width", NULL}, {"height", NULL}, {"fps", NULL},
                                      {"format", NULL}};
    TRY(cfg_expect(p, at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, at, obj, keys, RIG_ARRAY_SIZE(keys)));
    TRY(cfg_opt_uint32(p, at, obj, "width", RIG_RANGE_STREAM_WIDTH, &out->width));
    TRY(cfg_opt_uint32(p, at, obj, "height", RIG_RANGE_STREAM_HEIGHT, &out->height));
    TRY(cfg_opt_uint32(p, at, obj, "fps", RIG_RANGE_STREAM_FPS, &out->fps));

    const json_t *v = json_object_get(obj, "format");
    if (!v)
        return RIG_OK;
    path_t fp = cfg_path_key(at, "format");
    TRY(cfg_expect(p, &fp, v, KIND_STRING));
    /* Depth is Y16 only; color is RGB, or MJPG as the camera compresses it. */
    rig_format_t want = stream == RIG_STREAM_COLOR ? RIG_FORMAT_RGB : RIG_FORMAT_Y16;
    rig_format_t got;
    bool ok = rig_format_parse(json_string_value(v), &got) &&
              (got == want || (stream == RIG_STREAM_COLOR && got == RIG_FORMAT_MJPG));
    if (!ok && stream == RIG_STREAM_COLOR)
        return cfg_fail(p, &fp,
                        "format \"%s\" is not supported for the color stream, which is RGB or "
                        "MJPG; write \"format\": \"RGB\" (or \"MJPG\") or leave it out.",
                        json_string_value(v));
    if (!ok)
        return cfg_fail(p, &fp,
                        "format \"%s\" is not supported for the %s stream, which is %s only; "
                        "write \"format\": \"%s\" or leave it out.",
                        json_string_value(v), rig_stream_name(stream), rig_format_name(want),
                        rig_format_name(want));
    out->format = got;
    return RIG_OK;
}

rig_error_t cfg_parse_streams(parser_t *p, const path_t *root, const json_t *jroot,
                              rig_config_t *cfg)
{
    static const key_spec_t keys[] = {{"color", NULL}, {"depth", NULL}};
    const json_t *obj = json_object_get(jroot, "streams");
    if (!obj)
        return RIG_OK;
    path_t at = cfg_path_key(root, "streams");
    TRY(cfg_expect(p, &at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, &at, obj, keys, RIG_ARRAY_SIZE(keys)));
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        const char *name = rig_stream_name((rig_stream_t)s);
        const json_t *v = json_object_get(obj, name);
        if (!v)
            continue;
        cfg->streams_given[s] = true;
        path_t sp = cfg_path_key(&at, name);
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

void cfg_device_label(const rig_config_t *cfg, size_t i, bool with_mode, char *buf, size_t len)
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
    TRY(cfg_expect(p, at, v, KIND_STRING));
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
        unsigned d = cfg_typo_distance(bare, candidate);
        if (d < best) {
            best = d;
            rig_fmt(hint, sizeof hint, " Did you mean %s?", candidate);
        }
    }
    return cfg_fail(p, at,
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
    const json_t *v = cfg_member(obj, key, &used);
    if (!v)
        return RIG_OK;
    path_t at = cfg_path_key(obj_path, used);
    TRY(cfg_expect(p, &at, v, KIND_INTEGER));
    long long n = (long long)json_integer_value(v);
    if (n < 0)
        return cfg_fail(p, &at,
                        "%s is %lld us, but a delay cannot be negative; use 0 or a positive number "
                        "of microseconds.",
                        used, n);
    long long max = (long long)max_delay_us(fps);
    if (n > max)
        return cfg_fail(p, &at,
                        "%s is %lld us, a full frame period or more: at %u fps (%s) the period is "
                        "%.0f us, so the delay must be in 0..%lld us; lower it.",
                        used, n, fps, stream, 1e6 / fps, max);
    *out = (int32_t)n;
    return RIG_OK;
}

static rig_error_t parse_sync(parser_t *p, const path_t *at, const json_t *obj, size_t index,
                              const rig_config_t *cfg, rig_sync_config_t *out)
{
    TRY(cfg_expect(p, at, obj, KIND_OBJECT));
    TRY(cfg_check_keys(p, at, obj, sync_keys, RIG_ARRAY_SIZE(sync_keys)));
    *out = rig_sync_config_default();

    const char *used;
    const json_t *v = cfg_member(obj, &sync_keys[SYNC_MODE], &used);
    if (!v)
        return cfg_fail_missing(
            p, at, "mode",
            "device#%zu has no \"mode\"; add \"mode\": \"PRIMARY\" to the device "
            "that drives the rig, \"SECONDARY\" to the others.",
            index);
    path_t mp = cfg_path_key(at, used);
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

    v = cfg_member(obj, &sync_keys[SYNC_TRIGGER_OUT_ENABLE], &used);
    if (v) {
        path_t tp = cfg_path_key(at, used);
        TRY(cfg_expect(p, &tp, v, KIND_BOOLEAN));
        out->trigger_out_enable = json_is_true(v);
    }

    v = cfg_member(obj, &sync_keys[SYNC_FRAMES_PER_TRIGGER], &used);
    if (v) {
        path_t fp = cfg_path_key(at, used);
        int64_t n;
        TRY(cfg_get_int(p, &fp, v, RIG_RANGE_FRAMES_PER_TRIGGER, NULL, &n));
        out->frames_per_trigger = (int32_t)n;
    }
    return RIG_OK;
}

rig_error_t cfg_parse_serial(parser_t *p, const path_t *at, const json_t *v, const char *what,
                             char *out)
{
    TRY(cfg_expect(p, at, v, KIND_STRING));
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n == 0)
        return cfg_fail(p, at,
                        "the serial number of %s is empty; write the camera's serial number, "
                        "as printed on its label.",
                        what);
    if (n >= RIG_SERIAL_MAX)
        return cfg_fail(p, at, "the serial number of %s is %zu characters long, more than the %d a "
                        "serial number can have; check for pasted extra text.",
                        what, n, RIG_SERIAL_MAX - 1);
    /* A serial is printed in every frame's report and summary: a newline or an escape
     * sequence in it could forge a line of output (a VERDICT) or drive the terminal. */
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x20 || c == 0x7f)
            return cfg_fail(p, at,
                            "the serial number of %s contains the control character \\x%02x "
                            "(byte %zu); a serial number is printable text: remove it.",
                            what, c, k + 1);
    }
    rig_strlcpy(out, s, RIG_SERIAL_MAX);
    return RIG_OK;
}

/* Remembers where a part of a device entry is, for messages found later (e.g. by the rig). */
static void locate_part(parser_t *p, const path_t *at, rig_config_device_t *dev,
                        rig_config_part_t part)
{
    cfg_locate(p, at, false, &dev->line[part], &dev->column[part]);
    cfg_path_format(at, dev->path[part], sizeof dev->path[part]);
}

static rig_error_t parse_device(parser_t *p, const path_t *at, const json_t *obj, size_t index,
                                rig_config_t *cfg)
{
    rig_config_device_t *dev = &cfg->devices[index];
    TRY(cfg_expect(p, at, obj, KIND_OBJECT));
    locate_part(p, at, dev, RIG_CONFIG_PART_DEVICE);

    /* The most likely slip in the seed's nested format: a sync field one level too high. */
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!cfg_key_known(key, sync_keys, RIG_ARRAY_SIZE(sync_keys)))
            continue;
        path_t kp = cfg_path_key(at, key);
        return cfg_fail_key(p, &kp,
                            "\"%s\" belongs inside the device's \"config\" object: write "
                            "{\"serial_number\": \"...\", \"config\": {\"%s\": ...}}.",
                            key, key);
    }
    TRY(cfg_check_keys(p, at, obj, device_keys, RIG_ARRAY_SIZE(device_keys)));

    const char *used;
    v = cfg_member(obj, &device_keys[DEV_SERIAL], &used);
    if (!v)
        return cfg_fail_missing(p, at, "serial_number",
                                "device#%zu has no serial number; add \"serial_number\": \"<the "
                                "camera's serial>\" (the vendor's \"sn\" works too).",
                                index);
    path_t sp = cfg_path_key(at, used);
    locate_part(p, &sp, dev, RIG_CONFIG_PART_SERIAL);
    char what[32];
    rig_fmt(what, sizeof what, "device#%zu", index);
    TRY(cfg_parse_serial(p, &sp, v, what, dev->serial));
    int dup = rig_serial_index_find(cfg->serial_index, cfg->devices, index, sizeof *cfg->devices,
                                    offsetof(rig_config_device_t, serial), dev->serial);
    if (dup >= 0)
        return cfg_fail(p, &sp,
                        "serial number \"%s\" is already used by device#%d; each camera "
                        "appears once: remove this entry or correct its serial number.",
                        dev->serial, dup);

    const json_t *cobj = cfg_member(obj, &device_keys[DEV_CONFIG], &used);
    if (!cobj)
        return cfg_fail_missing(p, at, "config",
                                "device#%zu (%s) has no \"config\"; add \"config\": {\"mode\": "
                                "\"PRIMARY\"} (or \"SECONDARY\", ...): the mode is required.",
                                index, dev->serial);
    path_t cp = cfg_path_key(at, used);
    TRY(parse_sync(p, &cp, cobj, index, cfg, &dev->sync));
    const char *mode_key = NULL;
    cfg_member(cobj, &sync_keys[SYNC_MODE], &mode_key); /* present: parse_sync requires it */
    path_t mp = cfg_path_key(&cp, mode_key);
    locate_part(p, &mp, dev, RIG_CONFIG_PART_MODE);

    if (dev->sync.mode == RIG_SYNC_MODE_PRIMARY) {
        for (size_t j = 0; j < index; j++) {
            if (cfg->devices[j].sync.mode != RIG_SYNC_MODE_PRIMARY)
                continue;
            return cfg_fail(
                p, &mp,
                "device#%zu (%s) is PRIMARY, but so is device#%zu (%s): a rig has "
                "exactly one primary. Make one of them SECONDARY (or SECONDARY_SYNCED / "
                "HARDWARE_TRIGGERING, as its model supports).",
                index, dev->serial, j, cfg->devices[j].serial);
        }
    }
    return RIG_OK;
}

/* "config.mode" as this device entry spells it (e.g. "syncConfig.syncMode"). */
void cfg_device_mode_leaf(const json_t *jdev, char *buf, size_t len)
{
    const char *cfg_key, *mode_key;
    const json_t *cobj = cfg_member(jdev, &device_keys[DEV_CONFIG], &cfg_key);
    cfg_member(cobj, &sync_keys[SYNC_MODE], &mode_key);
    rig_fmt(buf, len, "%s.%s", cfg_key, mode_key);
}

rig_error_t cfg_parse_devices(parser_t *p, const path_t *root, const json_t *jroot,
                              rig_config_t *cfg)
{
    const json_t *arr = json_object_get(jroot, "devices");
    if (!arr)
        return cfg_fail_missing(
            p, root, "devices",
            "missing \"devices\"; add \"devices\": [{\"serial_number\": \"...\", "
            "\"config\": {\"mode\": \"PRIMARY\"}}, ...] with one entry per "
            "camera.");
    path_t at = cfg_path_key(root, "devices");
    TRY(cfg_expect(p, &at, arr, KIND_ARRAY));
    size_t n = json_array_size(arr);
    if (n == 0)
        return cfg_fail(p, &at, "\"devices\" is empty; add one entry per camera, e.g. "
                        "{\"serial_number\": \"CP3S34D00051\", \"config\": {\"mode\": "
                        "\"PRIMARY\"}}.");
    cfg->devices = calloc(n, sizeof *cfg->devices);
    if (!cfg->devices)
        return cfg_out_of_memory(p->diag);
    for (size_t i = 0; i < n; i++) {
        path_t dp = cfg_path_index(&at, i);
        TRY(parse_device(p, &dp, json_array_get(arr, i), i, cfg));
        cfg->device_count = i + 1;
    }
    return cfg_check_pulse_source(p, &at, arr, cfg);
}


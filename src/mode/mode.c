/*
 * Sync modes, stream formats and device families: tables and pure functions over them.
 */
#include "mode/mode.h"

#include "common/util.h"

#include <ctype.h>
#include <string.h>

/* Vendor spelling of a mode in its C++ sample configs ("OB_MULTI_DEVICE_SYNC_MODE_PRIMARY"). */
#define VENDOR_MODE_PREFIX "OB_MULTI_DEVICE_SYNC_MODE_"

typedef struct mode_entry {
    rig_sync_mode_t mode;
    const char *name;
} mode_entry_t;

/* In bit order, so bitmaps and lists read the same way as the vendor's tables. */
static const mode_entry_t modes[] = {
    {RIG_SYNC_MODE_FREE_RUN, "FREE_RUN"},
    {RIG_SYNC_MODE_STANDALONE, "STANDALONE"},
    {RIG_SYNC_MODE_PRIMARY, "PRIMARY"},
    {RIG_SYNC_MODE_SECONDARY, "SECONDARY"},
    {RIG_SYNC_MODE_SECONDARY_SYNCED, "SECONDARY_SYNCED"},
    {RIG_SYNC_MODE_SOFTWARE_TRIGGERING, "SOFTWARE_TRIGGERING"},
    {RIG_SYNC_MODE_HARDWARE_TRIGGERING, "HARDWARE_TRIGGERING"},
};

const char *rig_sync_mode_name(rig_sync_mode_t mode)
{
    for (size_t i = 0; i < RIG_ARRAY_SIZE(modes); i++)
        if (modes[i].mode == mode)
            return modes[i].name;
    return NULL;
}

/* Case-insensitive prefix test; returns the rest of s after the prefix, or NULL. */
static const char *skip_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return NULL;
    return s;
}

bool rig_sync_mode_parse(const char *name, rig_sync_mode_t *out)
{
    if (!name || !out)
        return false;
    const char *bare = skip_prefix_nocase(name, VENDOR_MODE_PREFIX);
    if (!bare)
        bare = name;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(modes); i++) {
        if (rig_strcaseeq(bare, modes[i].name)) {
            *out = modes[i].mode;
            return true;
        }
    }
    return false;
}

rig_sync_config_t rig_sync_config_default(void)
{
    rig_sync_config_t cfg = {
        .mode = RIG_SYNC_MODE_STANDALONE,
        .trigger_out_enable = false,
        .frames_per_trigger = 1,
    };
    return cfg;
}

const char *rig_mode_all_names(void)
{
    return "FREE_RUN, STANDALONE, PRIMARY, SECONDARY, SECONDARY_SYNCED, SOFTWARE_TRIGGERING, "
           "HARDWARE_TRIGGERING";
}

void rig_mode_bitmap_format(uint32_t bitmap, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < RIG_ARRAY_SIZE(modes); i++)
        if (bitmap & (uint32_t)modes[i].mode)
            rig_append(buf, len, "%s%s", buf[0] ? ", " : "", modes[i].name);
    if (!buf[0])
        rig_strlcpy(buf, "none", len);
}

/* ------------------------------------------------------------------------------------------ */

static const uint32_t femto_depth[][2] = {{640, 576}, {320, 288}, {512, 512}, {1024, 1024}, {0, 0}};
static const uint32_t femto_color[][2] = {{1280, 720}, {1920, 1080}, {2560, 1440}, {3840, 2160},
                                          {640, 480}, {0, 0}};
static const uint32_t femto_fps[] = {5, 15, 30, 0};
static const uint32_t sl_depth[][2] = {{640, 480}, {640, 400}, {1280, 800}, {1600, 1200}, {0, 0}};
static const uint32_t stereo_depth[][2] = {{640, 400}, {1280, 800}, {848, 480}, {640, 480}, {0, 0}};
static const uint32_t gemini_color[][2] = {{640, 480}, {1280, 720}, {1280, 800}, {1920, 1080}, {0, 0}};
static const uint32_t sl_fps[] = {5, 10, 15, 30, 0};
static const uint32_t g2_fps[] = {5, 10, 15, 30, 60, 0};
static const uint32_t g330_fps[] = {5, 10, 15, 30, 60, 90, 0};

#define FEMTO(name, modes, rate) {name, modes, true, rate, {8000, 12800}, {femto_color, femto_depth}, femto_fps}
#define SL(name, modes, rate) {name, modes, false, rate, {8000, 8000}, {gemini_color, sl_depth}, sl_fps}
#define STEREO(name, modes, rate, fps) {name, modes, false, rate, {8000, 8000}, {gemini_color, stereo_depth}, fps}

/* Modes: domain.md section 4 (vendor bitmaps). */
static const rig_model_facts_t models[] = {
    FEMTO("Femto Bolt", 0x0F, 500.0), /* 30.015 fps */
    FEMTO("Femto Mega", 0x2F, 933.0), /* 30.028 fps */
    SL("Astra 2", 0x17, 1667.0),
    SL("Gemini 210", 0x17, 1667.0),
    SL("Gemini 215", 0x17, 1667.0),
    STEREO("Gemini 2", 0x77, 4667.0, g2_fps), /* 30.14 fps */
    STEREO("Gemini 2 L", 0x77, 4667.0, g2_fps),
    STEREO("Gemini 2 XL", 0x77, 4667.0, g2_fps),
    STEREO("Gemini 330", 0x77, 3333.0, g330_fps),
    STEREO("Gemini 335", 0x77, 3333.0, g330_fps),
    STEREO("Gemini 335L", 0x77, 3333.0, g330_fps),
    STEREO("Gemini 336", 0x77, 3333.0, g330_fps),
    STEREO("Gemini 336L", 0x77, 3333.0, g330_fps),
    /* The default simulated camera: every mode, any profile, ToF depth, exact rate. */
    {RIG_MODEL_SIM_DEFAULT, RIG_SYNC_MODE_ALL, true, 0.0, {8000, 12800}, {NULL, NULL}, NULL},
};

static bool model_separator(char c) { return c == ' ' || c == '-' || c == '_'; }

/* Users write "femto-mega", "Gemini_2L", "Gemini 2 L": compare letters and digits only. */
static bool model_name_eq(const char *a, const char *b)
{
    for (;;) {
        while (model_separator(*a))
            a++;
        while (model_separator(*b))
            b++;
        if (!*a || !*b)
            return *a == *b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
}

const rig_model_facts_t *rig_model_facts(const char *model)
{
    for (size_t i = 0; model && i < RIG_ARRAY_SIZE(models); i++)
        if (model_name_eq(model, models[i].name))
            return &models[i];
    return NULL;
}

/* OB_STRUCT_DEVICE_TIME per family, from the vendor's v2.9.3 device classes: who may read it
 * (the property's user permission) and the tick rates its clock synchronizer converts with. */
static const struct {
    const char *name;
    rig_device_time_facts_t facts;
} device_time[] = {
    {"Femto Bolt", {true, 1000000, 1000000}},
    {"Femto Mega", {true, 1000000, 1000000}},
    {"Astra 2", {true, 1000000, 1000}},
    {"Gemini 210", {true, 1000000, 1000}},
    {"Gemini 215", {true, 1000000, 1000}},
    {"Gemini 2", {true, 1000000, 1000}},
    {"Gemini 2 L", {true, 1000, 1000}},
    {"Gemini 2 XL", {true, 1000, 1000}},
    {"Gemini 330", {false, 1000, 1000}},
    {"Gemini 335", {false, 1000, 1000}},
    {"Gemini 335L", {false, 1000, 1000}},
    {"Gemini 336", {false, 1000, 1000}},
    {"Gemini 336L", {false, 1000, 1000}},
    /* rigsync's own simulated camera: readable, microseconds */
    {RIG_MODEL_SIM_DEFAULT, {true, 1000000, 1000000}},
};

bool rig_model_device_time(const char *model, rig_device_time_facts_t *out)
{
    for (size_t i = 0; model && out && i < RIG_ARRAY_SIZE(device_time); i++)
        if (model_name_eq(model, device_time[i].name)) {
            *out = device_time[i].facts;
            return true;
        }
    return false;
}

/* Lower-case letters and digits of s, into out (truncated to len - 1). */
static size_t model_key(const char *s, char *out, size_t len)
{
    size_t n = 0;
    for (; s && *s && n + 1 < len; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
    return n;
}

const rig_model_facts_t *rig_model_facts_of_device(const char *device_name)
{
    char dev[128], fam[64];
    size_t dn = model_key(device_name, dev, sizeof dev);
    const rig_model_facts_t *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(models); i++) {
        size_t fn = model_key(models[i].name, fam, sizeof fam);
        if (fn && fn <= dn && fn > best_len && strcmp(dev + dn - fn, fam) == 0) {
            best = &models[i];
            best_len = fn;
        }
    }
    return best;
}

bool rig_model_supported_modes(const char *model, uint32_t *bitmap)
{
    const rig_model_facts_t *m = rig_model_facts(model);
    if (!m || !bitmap)
        return false;
    *bitmap = m->modes;
    return true;
}

bool rig_model_profile_ok(const rig_model_facts_t *m, rig_stream_t stream,
                          const rig_stream_profile_t *p, char *why, size_t len)
{
    bool size_ok = !m->sizes[stream], fps_ok = !m->fps;
    for (size_t i = 0; m->sizes[stream] && m->sizes[stream][i][0]; i++)
        if (m->sizes[stream][i][0] == p->width && m->sizes[stream][i][1] == p->height)
            size_ok = true;
    for (size_t i = 0; m->fps && m->fps[i]; i++)
        if (m->fps[i] == p->fps)
            fps_ok = true;
    if (!m->fps && (p->fps < 1 || p->fps > 300))
        fps_ok = false;
    if (size_ok && fps_ok)
        return true;
    rig_fmt(why, len, "%s %s supports", m->name, rig_stream_name(stream));
    for (size_t i = 0; m->sizes[stream] && m->sizes[stream][i][0]; i++)
        rig_append(why, len, "%s %ux%u", i ? "," : "", m->sizes[stream][i][0],
                   m->sizes[stream][i][1]);
    if (!m->sizes[stream])
        rig_append(why, len, " any size");
    rig_append(why, len, " at");
    for (size_t i = 0; m->fps && m->fps[i]; i++)
        rig_append(why, len, "%s %u", i ? "," : "", m->fps[i]);
    rig_append(why, len, m->fps ? " fps" : " 1 to 300 fps");
    return false;
}

const char *rig_model_all_names(void)
{
    return "Femto Bolt, Femto Mega, Astra 2, Gemini 210, Gemini 215, Gemini 2, Gemini 2 L, "
           "Gemini 2 XL, Gemini 330, Gemini 335, Gemini 335L, Gemini 336, Gemini 336L, "
           RIG_MODEL_SIM_DEFAULT;
}

/* ------------------------------------------------------------------------------------------ */

bool rig_mode_needs_pulses(rig_sync_mode_t mode)
{
    /* SECONDARY_SYNCED is absent on purpose: it free-runs until pulses arrive. */
    return mode == RIG_SYNC_MODE_SECONDARY || mode == RIG_SYNC_MODE_HARDWARE_TRIGGERING;
}

bool rig_mode_is_pulse_source(const rig_sync_config_t *cfg)
{
    /* Deliberately ignores trigger_out_enable: a primary with its output off is still where
     * the rig's pulses would come from, and that is what the daisy chain is built around. */
    return cfg && (cfg->mode == RIG_SYNC_MODE_PRIMARY ||
                   cfg->mode == RIG_SYNC_MODE_SOFTWARE_TRIGGERING);
}

bool rig_mode_drives_sync_out(const rig_sync_config_t *cfg)
{
    if (!cfg || !cfg->trigger_out_enable)
        return false;
    return cfg->mode != RIG_SYNC_MODE_FREE_RUN && cfg->mode != RIG_SYNC_MODE_STANDALONE &&
           rig_sync_mode_name(cfg->mode) != NULL;
}

bool rig_mode_streams_locked(rig_sync_mode_t mode) { return mode != RIG_SYNC_MODE_FREE_RUN; }

/* 0: uses pulses from sync-in, so must be listening before they start; 2: emits them. */
static int start_group(rig_sync_mode_t mode)
{
    switch (mode) {
    case RIG_SYNC_MODE_SECONDARY:
    case RIG_SYNC_MODE_SECONDARY_SYNCED:
    case RIG_SYNC_MODE_HARDWARE_TRIGGERING:
        return 0;
    case RIG_SYNC_MODE_PRIMARY:
    case RIG_SYNC_MODE_SOFTWARE_TRIGGERING:
        return 2;
    default:
        return 1;
    }
}

void rig_mode_start_order(const rig_sync_config_t *cfgs, size_t n, size_t *order)
{
    if (!cfgs || !order)
        return;
    size_t k = 0;
    for (int group = 0; group <= 2; group++)
        for (size_t i = 0; i < n; i++)
            if (start_group(cfgs[i].mode) == group)
                order[k++] = i;
}

/* ------------------------------------------------------------------------------------------ */

#define EDIT_CAP 255u

unsigned rig_edit_distance(const char *a, const char *b)
{
    if (!a || !b)
        return EDIT_CAP;
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) >= EDIT_CAP)
        return EDIT_CAP;
    /* A cell D(i,j) with |i-j| > EDIT_CAP is at least that far, so only a diagonal band of the
     * matrix can matter: fixed memory for strings of any length, and no allocation to fail.
     * Row i keeps D(i,j) at band index j - i + EDIT_CAP. */
    enum { K = EDIT_CAP, W = 2 * EDIT_CAP + 1, FAR = EDIT_CAP + 1 };
    unsigned rows[2][W];
    unsigned *prev = rows[0], *cur = rows[1];
    for (size_t d = 0; d < W; d++)
        prev[d] = (d >= K && d - K <= lb) ? (unsigned)(d - K) : FAR;
    for (size_t i = 1; i <= la; i++) {
        for (size_t d = 0; d < W; d++) {
            if (d + i < K || d + i - K > lb) {
                cur[d] = FAR;
                continue;
            }
            size_t j = d + i - K;
            if (j == 0) {
                cur[d] = (unsigned)i; /* i <= K here, since d >= 0 */
                continue;
            }
            unsigned best = prev[d] + (a[i - 1] != b[j - 1]); /* D(i-1,j-1) */
            if (d + 1 < W && prev[d + 1] + 1 < best)         /* D(i-1,j) */
                best = prev[d + 1] + 1;
            if (d > 0 && cur[d - 1] + 1 < best) /* D(i,j-1) */
                best = cur[d - 1] + 1;
            cur[d] = best > FAR ? FAR : best;
        }
        unsigned *t = prev;
        prev = cur;
        cur = t;
    }
    unsigned dist = prev[lb + K - la];
    return dist > EDIT_CAP ? EDIT_CAP : dist;
}

/* ------------------------------------------------------------------------------------------ */

const char *rig_stream_name(rig_stream_t stream)
{
    switch (stream) {
    case RIG_STREAM_COLOR:
        return "color";
    case RIG_STREAM_DEPTH:
        return "depth";
    }
    return "unknown";
}

typedef struct format_entry {
    rig_format_t format;
    const char *name;
    uint32_t bytes_per_pixel;
} format_entry_t;

static const format_entry_t formats[] = {
    {RIG_FORMAT_NONE, "NONE", 0},
    {RIG_FORMAT_Y16, "Y16", 2},
    {RIG_FORMAT_RGB, "RGB", 3},
    {RIG_FORMAT_MJPG, "MJPG", 0},
};

const char *rig_format_name(rig_format_t format)
{
    for (size_t i = 0; i < RIG_ARRAY_SIZE(formats); i++)
        if (formats[i].format == format)
            return formats[i].name;
    return "UNKNOWN";
}

uint32_t rig_format_bytes_per_pixel(rig_format_t format)
{
    for (size_t i = 0; i < RIG_ARRAY_SIZE(formats); i++)
        if (formats[i].format == format)
            return formats[i].bytes_per_pixel;
    return 0;
}

bool rig_format_parse(const char *name, rig_format_t *out)
{
    if (!name || !out)
        return false;
    for (size_t i = 0; i < RIG_ARRAY_SIZE(formats); i++) {
        if (rig_strcaseeq(name, formats[i].name)) {
            *out = formats[i].format;
            return true;
        }
    }
    return false;
}

bool rig_sync_config_equal(const rig_sync_config_t *a, const rig_sync_config_t *b)
{
    return a->mode == b->mode && a->depth_delay_us == b->depth_delay_us &&
           a->color_delay_us == b->color_delay_us &&
           a->trigger_to_image_delay_us == b->trigger_to_image_delay_us &&
           a->trigger_out_enable == b->trigger_out_enable &&
           a->trigger_out_delay_us == b->trigger_out_delay_us &&
           a->frames_per_trigger == b->frames_per_trigger;
}

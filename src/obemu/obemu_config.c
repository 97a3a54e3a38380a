/* librigsync-obemu: pipeline configs (the vendor's Pipeline.h ob_config_* functions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"

void obemu_config_init(ob_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->aggregate = OB_FRAME_AGGREGATE_OUTPUT_ANY_SITUATION; /* the SDK's default */
    cfg->align = ALIGN_DISABLE;
}

OBEMU_EXPORT ob_config *ob_create_config(ob_error **error)
{
    ob_config *cfg = malloc(sizeof(*cfg));
    if (!cfg) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    obemu_config_init(cfg);
    return cfg;
}

OBEMU_EXPORT void ob_delete_config(ob_config *config, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    free(config);
}

/* The rig stream of a vendor stream type; false (error set) for the types the emulated devices
 * do not have. */
static bool stream_of(ob_stream_type stream_type, int *out, ob_error **error, const char *fn)
{
    if (stream_type == OB_STREAM_COLOR) {
        *out = RIG_STREAM_COLOR;
        return true;
    }
    if (stream_type == OB_STREAM_DEPTH) {
        *out = RIG_STREAM_DEPTH;
        return true;
    }
    if (stream_type == OB_STREAM_IR) {
        *out = OBEMU_STREAM_IR;
        return true;
    }
    char args[32];
    snprintf(args, sizeof(args), "stream_type = %d", (int)stream_type);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, fn, args,
               "stream type %d is not available: the emulated devices have "
               "OB_STREAM_COLOR (%d), OB_STREAM_DEPTH (%d) and OB_STREAM_IR (%d) only",
               (int)stream_type, (int)OB_STREAM_COLOR, (int)OB_STREAM_DEPTH, (int)OB_STREAM_IR);
    return false;
}

OBEMU_EXPORT void ob_config_enable_video_stream(ob_config *config, ob_stream_type stream_type,
                                                uint32_t width, uint32_t height, uint32_t fps,
                                                ob_format format, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    int s;
    if (!stream_of(stream_type, &s, error, __func__))
        return;
    config->streams[s] = (stream_request_t){true, width, height, fps, format};
}

/* The stream of a profile (from a list of the device's, or made by the user) with its values. */
OBEMU_EXPORT void ob_config_enable_stream_with_stream_profile(ob_config *config,
                                                              const ob_stream_profile *profile,
                                                              ob_error **error)
{
    if (!config || !profile) {
        FAIL_NULL(error, config ? "profile" : "config");
        return;
    }
    int s;
    if (!stream_of(profile->type, &s, error, __func__))
        return;
    if (!profile->video) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "profile",
                   "the profile of stream type %d is not a video profile", (int)profile->type);
        return;
    }
    config->streams[s] =
        (stream_request_t){true, profile->width, profile->height, profile->fps, profile->format};
}

/* The profiles the config enables, color, depth, IR, with the values it asks for (OB_*_ANY
 * where it leaves one to the device). */
OBEMU_EXPORT ob_stream_profile_list *ob_config_get_enabled_stream_profile_list(const ob_config *config,
                                                                              ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return NULL;
    }
    ob_stream_profile_list *l = calloc(1, sizeof(*l));
    ob_stream_profile *items = calloc(OBEMU_STREAM_COUNT, sizeof(*items));
    if (!l || !items) {
        free(l);
        free(items);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    l->items = items;
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++) {
        const stream_request_t *r = &config->streams[s];
        if (r->enabled)
            l->items[l->count++] = (ob_stream_profile){
                .type = obemu_stream_type_of(s), .format = r->format,
                .width = r->width, .height = r->height, .fps = r->fps, .video = true};
    }
    return l;
}

/* The stream with every parameter "any": the device's default profile (as the SDK). */
OBEMU_EXPORT void ob_config_enable_stream(ob_config *config, ob_stream_type stream_type,
                                          ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    int s;
    if (!stream_of(stream_type, &s, error, __func__))
        return;
    config->streams[s] =
        (stream_request_t){true, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY, OB_FORMAT_ANY};
}

/* Every stream of the device (the SDK enables every stream type; the emulated devices have
 * colour, depth and IR), each with its default profile. */
OBEMU_EXPORT void ob_config_enable_all_stream(ob_config *config, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        config->streams[s] =
            (stream_request_t){true, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY, OB_FORMAT_ANY};
}

OBEMU_EXPORT void ob_config_disable_stream(ob_config *config, ob_stream_type type,
                                           ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    /* The SDK accepts any type here (disabling a stream that is not enabled does nothing). */
    if (type == OB_STREAM_COLOR)
        config->streams[RIG_STREAM_COLOR].enabled = false;
    else if (type == OB_STREAM_DEPTH)
        config->streams[RIG_STREAM_DEPTH].enabled = false;
    else if (type == OB_STREAM_IR)
        config->streams[OBEMU_STREAM_IR].enabled = false;
}

OBEMU_EXPORT void ob_config_disable_all_stream(ob_config *config, ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        config->streams[s].enabled = false;
}

OBEMU_EXPORT void ob_config_set_frame_aggregate_output_mode(ob_config *config,
                                                            ob_frame_aggregate_output_mode mode,
                                                            ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    if ((int)mode < (int)OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE ||
        (int)mode > (int)OB_FRAME_AGGREGATE_OUTPUT_DISABLE) {
        char args[32];
        snprintf(args, sizeof(args), "mode = %d", (int)mode);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "frame aggregate output mode %d is not one of 0..3", (int)mode);
        return;
    }
    config->aggregate = mode;
}

/* Alignment: ALIGN_DISABLE (the default) and ALIGN_D2C_HW_MODE (the pipeline delivers depth
 * aligned to colour, as a device with hardware D2C: obemu_align_depth_to). The software modes
 * are reported as not supported: the v2.9.3 pipeline does not align in software itself (its
 * applications use the Align filter, which the emulator has). */
OBEMU_EXPORT void ob_config_set_align_mode(ob_config *config, ob_align_mode mode,
                                           ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    if (mode != ALIGN_DISABLE && mode != ALIGN_D2C_HW_MODE) {
        char args[32];
        snprintf(args, sizeof(args), "mode = %d", (int)mode);
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, args,
                   "align mode %d is not supported by the rigsync emulator (ALIGN_DISABLE and "
                   "ALIGN_D2C_HW_MODE are; for software alignment use the Align filter)",
                   (int)mode);
        return;
    }
    config->align = mode;
}

/* Stored only: the emulator's depth is in millimetres (scale 1) before and after alignment. */
OBEMU_EXPORT void ob_config_set_depth_scale_after_align_require(ob_config *config, bool enable,
                                                               ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    config->depth_scale_after_align = enable;
}

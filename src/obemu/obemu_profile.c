/*
 * librigsync-obemu: stream profiles and profile lists (the vendor's StreamProfile.h).
 *
 * A device's profile list of a stream holds first its default profile (the rig config's profile
 * of that stream), then every size the model supports (its data-sheet sizes, or a set of common
 * sizes for rigsync's SimCam, which takes any) at every rate (the model's, or 5-60 fps) in every
 * format the simulator renders (color: RGB and MJPG; depth: Y16). IR (derived from depth, one
 * capture) has the depth sizes and rates, in the model's IR formats (obemu_ir_formats). IMU and LiDAR profiles do not
 * exist on the simulated rig: those functions stay "not supported".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

ob_sensor_type obemu_sensor_type_of(int s)
{
    return s == RIG_STREAM_COLOR ? OB_SENSOR_COLOR
           : s == OBEMU_STREAM_IR ? OB_SENSOR_IR
                                  : OB_SENSOR_DEPTH;
}

ob_stream_type obemu_stream_type_of(int s)
{
    return s == RIG_STREAM_COLOR ? OB_STREAM_COLOR
           : s == OBEMU_STREAM_IR ? OB_STREAM_IR
                                  : OB_STREAM_DEPTH;
}

bool obemu_stream_of_sensor(ob_sensor_type t, int *out)
{
    if (t == OB_SENSOR_COLOR)
        *out = RIG_STREAM_COLOR;
    else if (t == OB_SENSOR_DEPTH)
        *out = RIG_STREAM_DEPTH;
    else if (t == OB_SENSOR_IR)
        *out = OBEMU_STREAM_IR;
    else
        return false;
    return true;
}

ob_format obemu_format_of(rig_format_t f)
{
    switch (f) {
    case RIG_FORMAT_RGB: return OB_FORMAT_RGB;
    case RIG_FORMAT_Y16: return OB_FORMAT_Y16;
    case RIG_FORMAT_MJPG: return OB_FORMAT_MJPG;
    default: return OB_FORMAT_UNKNOWN;
    }
}

bool obemu_rig_format_of(ob_format f, rig_format_t *out)
{
    switch (f) {
    case OB_FORMAT_RGB: *out = RIG_FORMAT_RGB; return true;
    case OB_FORMAT_MJPG: *out = RIG_FORMAT_MJPG; return true;
    case OB_FORMAT_Y16:
    case OB_FORMAT_Z16: *out = RIG_FORMAT_Y16; return true;
    default: return false;
    }
}

/* The stream types whose profiles are video profiles in the SDK. */
static bool video_type(ob_stream_type t)
{
    switch (t) {
    case OB_STREAM_VIDEO:
    case OB_STREAM_IR:
    case OB_STREAM_COLOR:
    case OB_STREAM_DEPTH:
    case OB_STREAM_IR_LEFT:
    case OB_STREAM_IR_RIGHT:
    case OB_STREAM_RAW_PHASE:
    case OB_STREAM_CONFIDENCE:
    case OB_STREAM_COLOR_LEFT:
    case OB_STREAM_COLOR_RIGHT: return true;
    default: return false;
    }
}

ob_stream_profile *obemu_profile_new(ob_stream_type type, ob_format format, uint32_t width,
                                     uint32_t height, uint32_t fps)
{
    ob_stream_profile *p = calloc(1, sizeof(*p));
    if (p)
        *p = (ob_stream_profile){.type = type, .format = format, .width = width, .height = height,
                                 .fps = fps, .video = video_type(type)};
    return p;
}

static bool null_arg(const void *arg, const char *name, ob_error **error, const char *function)
{
    if (arg)
        return false;
    char args[64];
    snprintf(args, sizeof(args), "%s = NULL", name);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "NULL pointer passed for argument \"%s\"", name);
    return true;
}

static ob_stream_profile *copy_out(const ob_stream_profile *src, ob_error **error,
                                   const char *function)
{
    ob_stream_profile *p = malloc(sizeof(*p));
    if (!p) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "", "out of memory");
        return NULL;
    }
    *p = *src;
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* A device's profiles                                                                        */

static const uint32_t sim_color_sizes[][2] = {{1920, 1080}, {1280, 720}, {640, 480}, {0, 0}};
static const uint32_t sim_depth_sizes[][2] = {{640, 576}, {512, 512}, {640, 480}, {320, 288},
                                              {0, 0}};
static const uint32_t sim_fps[] = {60, 30, 15, 10, 5, 0};

static bool push(ob_stream_profile_list *l, size_t cap, ob_stream_profile p)
{
    for (size_t i = 0; i < l->count; i++) {
        const ob_stream_profile *q = &l->items[i];
        if (q->type == p.type && q->format == p.format && q->width == p.width &&
            q->height == p.height && q->fps == p.fps)
            return true; /* listed already (the default) */
    }
    if (l->count == cap)
        return false;
    l->items[l->count++] = p;
    return true;
}

ob_stream_profile_list *obemu_profile_list_of(const ob_device *d, int s, ob_error **error,
                                              const char *function)
{
    /* IR: the depth camera's sizes and rates (one capture gives both images) */
    rig_stream_t rs = s == RIG_STREAM_COLOR ? RIG_STREAM_COLOR : RIG_STREAM_DEPTH;
    const rig_model_facts_t *m = rig_model_facts(d->info.model);
    const uint32_t(*sizes)[2] = m && m->sizes[rs] ? m->sizes[rs]
                                : rs == RIG_STREAM_COLOR ? sim_color_sizes
                                                         : sim_depth_sizes;
    const uint32_t *fps = m && m->fps ? m->fps : sim_fps;
    static const ob_format color_formats[] = {OB_FORMAT_RGB, OB_FORMAT_MJPG};
    static const ob_format depth_formats[] = {OB_FORMAT_Y16};
    ob_format ir_formats[2];
    const ob_format *formats = s == RIG_STREAM_COLOR ? color_formats : depth_formats;
    size_t nformats = s == RIG_STREAM_COLOR ? 2 : 1;
    if (s == OBEMU_STREAM_IR) {
        nformats = obemu_ir_formats(d->info.model, ir_formats);
        formats = ir_formats;
    }
    size_t nsizes = 0, nfps = 0;
    while (sizes[nsizes][0])
        nsizes++;
    while (fps[nfps])
        nfps++;
    size_t cap = 1 + nsizes * nfps * nformats;

    ob_stream_profile_list *l = calloc(1, sizeof(*l));
    if (l)
        l->items = calloc(cap, sizeof(*l->items));
    if (!l || !l->items) {
        free(l);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "", "out of memory");
        return NULL;
    }
    ob_stream_type type = obemu_stream_type_of(s);
    rig_stream_profile_t def = rig_config_stream_profile(d->ctx->config, rs);
    ob_format def_format = obemu_format_of(def.format);
    if (def_format == OB_FORMAT_UNKNOWN || s == OBEMU_STREAM_IR)
        def_format = formats[0];
    push(l, cap, (ob_stream_profile){.type = type, .format = def_format, .width = def.width,
                                     .height = def.height, .fps = def.fps, .video = true});
    /* rates fastest first, as the SDK lists them */
    for (size_t i = 0; i < nsizes; i++)
        for (size_t k = 0; k < nfps; k++) {
            uint32_t f = fps[m && m->fps ? nfps - 1 - k : k];
            for (size_t j = 0; j < nformats; j++)
                push(l, cap, (ob_stream_profile){.type = type, .format = formats[j],
                                                 .width = sizes[i][0], .height = sizes[i][1],
                                                 .fps = f, .video = true});
        }
    return l;
}

/* ------------------------------------------------------------------------------------------ */
/* Creating, copying, deleting                                                                */

OBEMU_EXPORT ob_stream_profile *ob_create_stream_profile(ob_stream_type type, ob_format format,
                                                         ob_error **error)
{
    ob_stream_profile *p = obemu_profile_new(type, format, OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    else
        p->uncalibrated = true;
    return p;
}

OBEMU_EXPORT ob_stream_profile *ob_create_video_stream_profile(ob_stream_type type,
                                                               ob_format format, uint32_t width,
                                                               uint32_t height, uint32_t fps,
                                                               ob_error **error)
{
    ob_stream_profile *p = obemu_profile_new(type, format, width, height, fps);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    else {
        p->video = true;
        p->uncalibrated = true;
    }
    return p;
}

OBEMU_EXPORT ob_stream_profile *
ob_create_stream_profile_from_other_stream_profile(const ob_stream_profile *srcProfile,
                                                   ob_error **error)
{
    if (null_arg(srcProfile, "srcProfile", error, __func__))
        return NULL;
    return copy_out(srcProfile, error, __func__);
}

OBEMU_EXPORT ob_stream_profile *ob_create_stream_profile_with_new_format(
    const ob_stream_profile *profile, ob_format new_format, ob_error **error)
{
    if (null_arg(profile, "profile", error, __func__))
        return NULL;
    ob_stream_profile *p = copy_out(profile, error, __func__);
    if (p)
        p->format = new_format;
    return p;
}

OBEMU_EXPORT void ob_delete_stream_profile(const ob_stream_profile *profile, ob_error **error)
{
    if (null_arg(profile, "profile", error, __func__))
        return;
    free((ob_stream_profile *)profile);
}

/* ------------------------------------------------------------------------------------------ */
/* Getters and setters                                                                        */

OBEMU_EXPORT ob_format ob_stream_profile_get_format(const ob_stream_profile *profile,
                                                    ob_error **error)
{
    return null_arg(profile, "profile", error, __func__) ? OB_FORMAT_UNKNOWN : profile->format;
}

OBEMU_EXPORT void ob_stream_profile_set_format(ob_stream_profile *profile, ob_format format,
                                               ob_error **error)
{
    if (!null_arg(profile, "profile", error, __func__))
        profile->format = format;
}

OBEMU_EXPORT ob_stream_type ob_stream_profile_get_type(const ob_stream_profile *profile,
                                                       ob_error **error)
{
    return null_arg(profile, "profile", error, __func__) ? OB_STREAM_UNKNOWN : profile->type;
}

OBEMU_EXPORT void ob_stream_profile_set_type(const ob_stream_profile *profile, ob_stream_type type,
                                             ob_error **error)
{
    if (!null_arg(profile, "profile", error, __func__))
        ((ob_stream_profile *)profile)->type = type;
}

/* A video getter or setter on a profile that is not one: the SDK's "unsupported operation". */
static bool not_video(const ob_stream_profile *p, ob_error **error, const char *function)
{
    if (null_arg(p, "profile", error, function))
        return true;
    if (p->video)
        return false;
    obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "",
               "It's not a video stream profile!");
    return true;
}

OBEMU_EXPORT uint32_t ob_video_stream_profile_get_fps(const ob_stream_profile *profile,
                                                      ob_error **error)
{
    return not_video(profile, error, __func__) ? 0 : profile->fps;
}

OBEMU_EXPORT uint32_t ob_video_stream_profile_get_width(const ob_stream_profile *profile,
                                                        ob_error **error)
{
    return not_video(profile, error, __func__) ? 0 : profile->width;
}

OBEMU_EXPORT uint32_t ob_video_stream_profile_get_height(const ob_stream_profile *profile,
                                                         ob_error **error)
{
    return not_video(profile, error, __func__) ? 0 : profile->height;
}

/* The SDK's setters refuse a size of 0 or 1 ("Value not greater than 1"). */
static bool size_ok(uint32_t v, const char *name, ob_error **error, const char *function)
{
    if (v > 1)
        return true;
    char args[48];
    snprintf(args, sizeof(args), "%s = %u", name, v);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "Value not greater than \"1\" for argument \"%s\"", name);
    return false;
}

OBEMU_EXPORT void ob_video_stream_profile_set_width(ob_stream_profile *profile, uint32_t width,
                                                    ob_error **error)
{
    if (!null_arg(profile, "profile", error, __func__) &&
        size_ok(width, "width", error, __func__) && !not_video(profile, error, __func__))
        profile->width = width;
}

OBEMU_EXPORT void ob_video_stream_profile_set_height(ob_stream_profile *profile, uint32_t height,
                                                     ob_error **error)
{
    if (!null_arg(profile, "profile", error, __func__) &&
        size_ok(height, "height", error, __func__) && !not_video(profile, error, __func__))
        profile->height = height;
}

/* ------------------------------------------------------------------------------------------ */
/* Calibration: the rig's profiles have the nominal intrinsics and extrinsics the filters use
 * (obemu_nominal_intrinsic, obemu_nominal_extrinsic); a profile the user made has none until
 * set, as in the SDK (whose profiles get theirs from the device). Values set are kept on the
 * handle (and its copies). */

static bool rig_camera(const ob_stream_profile *p)
{
    return !p->uncalibrated &&
           (p->type == OB_STREAM_COLOR || p->type == OB_STREAM_DEPTH || p->type == OB_STREAM_IR) &&
           p->width > 1 && p->height > 1;
}

static bool not_calibrated(const char *what, ob_error **error, const char *function)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "profile",
               "%s for the input stream profile is not found.", what);
    return true;
}

OBEMU_EXPORT ob_camera_intrinsic ob_video_stream_profile_get_intrinsic(
    const ob_stream_profile *profile, ob_error **error)
{
    ob_camera_intrinsic none;
    memset(&none, 0, sizeof(none));
    if (not_video(profile, error, __func__))
        return none;
    if (profile->has_intrinsic)
        return profile->intrinsic;
    if (!rig_camera(profile)) {
        not_calibrated("Intrinsics", error, __func__);
        return none;
    }
    return obemu_nominal_intrinsic(profile->width, profile->height);
}

OBEMU_EXPORT void ob_video_stream_profile_set_intrinsic(ob_stream_profile *profile,
                                                        ob_camera_intrinsic intrinsic,
                                                        ob_error **error)
{
    if (!not_video(profile, error, __func__)) {
        profile->intrinsic = intrinsic;
        profile->has_intrinsic = true;
    }
}

OBEMU_EXPORT ob_camera_distortion ob_video_stream_profile_get_distortion(
    const ob_stream_profile *profile, ob_error **error)
{
    ob_camera_distortion none;
    memset(&none, 0, sizeof(none));
    if (not_video(profile, error, __func__))
        return none;
    if (profile->has_distortion)
        return profile->distortion;
    if (!rig_camera(profile)) {
        not_calibrated("Distortion", error, __func__);
        return none;
    }
    return obemu_nominal_distortion();
}

OBEMU_EXPORT void ob_video_stream_profile_set_distortion(ob_stream_profile *profile,
                                                         ob_camera_distortion distortion,
                                                         ob_error **error)
{
    if (!not_video(profile, error, __func__)) {
        profile->distortion = distortion;
        profile->has_distortion = true;
    }
}

static bool type_ok(ob_stream_type t) { return t >= 0 && t < OB_STREAM_TYPE_COUNT; }

/* Source to target: what was set on either handle (the other's inverted), else the rig's
 * nominal geometry between the two cameras. */
OBEMU_EXPORT ob_extrinsic ob_stream_profile_get_extrinsic_to(const ob_stream_profile *source,
                                                             ob_stream_profile *target,
                                                             ob_error **error)
{
    ob_extrinsic e;
    memset(&e, 0, sizeof(e));
    if (null_arg(source, "source", error, __func__) || null_arg(target, "target", error, __func__))
        return e;
    if (type_ok(target->type) && (source->ext_set >> target->type & 1u))
        return source->ext_to[target->type];
    if (type_ok(source->type) && (target->ext_set >> source->type & 1u))
        return obemu_extrinsic_inverse(&target->ext_to[source->type]);
    const char *missing = source->uncalibrated ? "From" : target->uncalibrated ? "To" : NULL;
    if (missing) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "source, target",
                   "%s Stream profile not registered!", missing);
        return e;
    }
    if (!obemu_nominal_extrinsic(source->type, target->type, &e))
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "source, target",
                   "Can not find path to calculate the extrinsics from stream %d to stream %d",
                   (int)source->type, (int)target->type);
    return e;
}

static void set_extrinsic(ob_stream_profile *source, ob_stream_type type, ob_extrinsic e,
                          ob_error **error, const char *function)
{
    if (!type_ok(type)) {
        char args[32];
        snprintf(args, sizeof(args), "type = %d", (int)type);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
                   "invalid stream type %d", (int)type);
        return;
    }
    source->ext_to[type] = e;
    source->ext_set |= 1u << type;
}

OBEMU_EXPORT void ob_stream_profile_set_extrinsic_to(ob_stream_profile *source,
                                                     const ob_stream_profile *target,
                                                     ob_extrinsic extrinsic, ob_error **error)
{
    if (!null_arg(source, "source", error, __func__) &&
        !null_arg(target, "target", error, __func__))
        set_extrinsic(source, target->type, extrinsic, error, __func__);
}

OBEMU_EXPORT void ob_stream_profile_set_extrinsic_to_type(ob_stream_profile *source,
                                                          const ob_stream_type type,
                                                          ob_extrinsic extrinsic, ob_error **error)
{
    if (!null_arg(source, "source", error, __func__))
        set_extrinsic(source, type, extrinsic, error, __func__);
}

/* ------------------------------------------------------------------------------------------ */
/* Profile lists                                                                              */

OBEMU_EXPORT uint32_t ob_stream_profile_list_get_count(const ob_stream_profile_list *profile_list,
                                                       ob_error **error)
{
    return null_arg(profile_list, "profile_list", error, __func__) ? 0
                                                                   : (uint32_t)profile_list->count;
}

/* OB_PROFILE_DEFAULT is index 0: the default profile is listed first. */
OBEMU_EXPORT ob_stream_profile *
ob_stream_profile_list_get_profile(const ob_stream_profile_list *profile_list, int index,
                                   ob_error **error)
{
    if (null_arg(profile_list, "profile_list", error, __func__))
        return NULL;
    if (index < 0 || (size_t)index >= profile_list->count) {
        char args[32];
        snprintf(args, sizeof(args), "index = %d", index);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "ob_stream_profile_list_get_profile: index out of range! (the list has %zu)",
                   profile_list->count);
        return NULL;
    }
    return copy_out(&profile_list->items[index], error, __func__);
}

/* The first video profile that matches; 0 (OB_WIDTH_ANY, OB_HEIGHT_ANY, OB_FPS_ANY) and
 * OB_FORMAT_ANY match anything. */
OBEMU_EXPORT ob_stream_profile *
ob_stream_profile_list_get_video_stream_profile(const ob_stream_profile_list *profile_list,
                                                int width, int height, ob_format format, int fps,
                                                ob_error **error)
{
    if (null_arg(profile_list, "profile_list", error, __func__))
        return NULL;
    for (size_t i = 0; i < profile_list->count; i++) {
        const ob_stream_profile *p = &profile_list->items[i];
        if (p->video && (width == OB_WIDTH_ANY || p->width == (uint32_t)width) &&
            (height == OB_HEIGHT_ANY || p->height == (uint32_t)height) &&
            (format == OB_FORMAT_ANY || p->format == format) &&
            (fps == OB_FPS_ANY || p->fps == (uint32_t)fps))
            return copy_out(p, error, __func__);
    }
    char args[96];
    snprintf(args, sizeof(args), "width = %d, height = %d, format = %d, fps = %d", width, height,
             (int)format, fps);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
               "Invalid input, No matched video stream profile found!");
    return NULL;
}

OBEMU_EXPORT void ob_delete_stream_profile_list(const ob_stream_profile_list *profile_list,
                                                ob_error **error)
{
    if (null_arg(profile_list, "profile_list", error, __func__))
        return;
    free(profile_list->items);
    free((ob_stream_profile_list *)profile_list);
}

/* ------------------------------------------------------------------------------------------ */
/* Hardware decimation                                                                        */

/* The emulated cameras have no hardware decimation: every video profile's config is the SDK's
 * default (origin 0 x 0, factor 0), as the SDK's profiles of such devices. */
OBEMU_EXPORT ob_hardware_decimation_config
ob_video_stream_profile_get_decimation_config(const ob_stream_profile *profile, ob_error **error)
{
    ob_hardware_decimation_config none = {0, 0, 0};
    if (null_arg(profile, "profile", error, __func__))
        return none;
    if (!profile->video)
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, __func__, "profile",
                   "It's not a video stream profile!");
    return none;
}

/* The SDK's match: format and rate (or ANY) and exactly that decimation config; here only the
 * default config matches. */
OBEMU_EXPORT ob_stream_profile *ob_stream_profile_list_get_video_stream_profile_by_decimation_config(
    const ob_stream_profile_list *profile_list, ob_hardware_decimation_config decimation_config,
    ob_format format, int fps, ob_error **error)
{
    if (null_arg(profile_list, "profile_list", error, __func__))
        return NULL;
    bool none = decimation_config.originWidth == 0 && decimation_config.originHeight == 0 &&
                decimation_config.factor == 0;
    for (size_t i = 0; none && i < profile_list->count; i++) {
        const ob_stream_profile *p = &profile_list->items[i];
        if (p->video && (format == OB_FORMAT_ANY || p->format == format) &&
            (fps == OB_FPS_ANY || p->fps == (uint32_t)fps))
            return copy_out(p, error, __func__);
    }
    char args[128];
    snprintf(args, sizeof(args), "decimation_config = %ux%u/%u, format = %d, fps = %d",
             decimation_config.originWidth, decimation_config.originHeight,
             decimation_config.factor, (int)format, fps);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
               "Invalid input, No matched video stream profile found!");
    return NULL;
}

/*
 * librigsync-obemu: calibration (the vendor's camera parameters, Device.h and Pipeline.h).
 *
 * The simulator has no calibration: every camera has the nominal intrinsics of
 * obemu_nominal_intrinsic at its resolution, no distortion, and depth to colour is a pure
 * translation of OBEMU_D2C_BASELINE_MM along x (p_color = p_depth - (baseline, 0, 0)). The
 * filters (Align, PointCloudFilter) and everything here use these same functions, so what an
 * application reads from the API is what the filters compute with.
 *
 * ob_device_get_calibration_camera_param_list: one ob_camera_param per pair of the device's
 * depth and colour sizes (depth sizes outer, in profile-list order). ob_pipeline_get_camera_param:
 * zeros until the pipeline was started (as the SDK), then the started profiles'.
 * ob_pipeline_get_camera_param_with_profile: the first profiles of those sizes.
 * ob_pipeline_get_calibration_param: per sensor type, the config's enabled profile or the
 * device's default; identity extrinsics between sensors the rig has not.
 */
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"

struct ob_camera_param_list_t {
    uint32_t count;
    ob_camera_param *items;
};

static ob_extrinsic identity(void)
{
    ob_extrinsic e;
    memset(&e, 0, sizeof(e));
    e.rot[0] = e.rot[4] = e.rot[8] = 1.0f;
    return e;
}

bool obemu_nominal_extrinsic(ob_stream_type from, ob_stream_type to, ob_extrinsic *out)
{
    *out = identity();
    /* the IR image is the depth camera's (one ToF capture) */
    if (from == OB_STREAM_IR)
        from = OB_STREAM_DEPTH;
    if (to == OB_STREAM_IR)
        to = OB_STREAM_DEPTH;
    if (from == to)
        return true;
    if (from == OB_STREAM_DEPTH && to == OB_STREAM_COLOR)
        out->trans[0] = -OBEMU_D2C_BASELINE_MM;
    else if (from == OB_STREAM_COLOR && to == OB_STREAM_DEPTH)
        out->trans[0] = OBEMU_D2C_BASELINE_MM;
    else
        return false;
    return true;
}

ob_extrinsic obemu_extrinsic_inverse(const ob_extrinsic *e)
{
    float rot[9], trans[3], inv_rot[9], inv_trans[3];
    memcpy(rot, e->rot, sizeof(rot));
    memcpy(trans, e->trans, sizeof(trans));
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            inv_rot[i * 3 + j] = rot[j * 3 + i];
    for (int i = 0; i < 3; i++)
        inv_trans[i] = -(inv_rot[i * 3] * trans[0] + inv_rot[i * 3 + 1] * trans[1] +
                         inv_rot[i * 3 + 2] * trans[2]);
    ob_extrinsic out;
    memcpy(out.rot, inv_rot, sizeof(inv_rot));
    memcpy(out.trans, inv_trans, sizeof(inv_trans));
    return out;
}

ob_camera_distortion obemu_nominal_distortion(void)
{
    ob_camera_distortion d;
    memset(&d, 0, sizeof(d));
    d.model = OB_DISTORTION_NONE;
    return d;
}

/* The camera parameters of a depth and a colour size, as the filters see them. */
static ob_camera_param param_of(uint32_t cw, uint32_t ch, uint32_t dw, uint32_t dh)
{
    ob_camera_param p;
    memset(&p, 0, sizeof(p));
    p.depthIntrinsic = obemu_nominal_intrinsic(dw, dh);
    p.rgbIntrinsic = obemu_nominal_intrinsic(cw, ch);
    p.depthDistortion = obemu_nominal_distortion();
    p.rgbDistortion = obemu_nominal_distortion();
    ob_extrinsic e;
    obemu_nominal_extrinsic(OB_STREAM_DEPTH, OB_STREAM_COLOR, &e);
    p.transform = e;
    p.isMirrored = false;
    return p;
}

static ob_camera_param zero_param(void)
{
    ob_camera_param p;
    memset(&p, 0, sizeof(p));
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* The device's list                                                                          */

static bool seen(const ob_stream_profile_list *l, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (l->items[k].width == l->items[i].width && l->items[k].height == l->items[i].height)
            return true;
    return false;
}

OBEMU_EXPORT ob_camera_param_list *ob_device_get_calibration_camera_param_list(ob_device *device,
                                                                              ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return NULL;
    }
    ob_stream_profile_list *dl = obemu_profile_list_of(device, RIG_STREAM_DEPTH, error, __func__);
    ob_stream_profile_list *cl =
        dl ? obemu_profile_list_of(device, RIG_STREAM_COLOR, error, __func__) : NULL;
    ob_camera_param_list *out = cl ? calloc(1, sizeof(*out)) : NULL;
    if (out)
        out->items = calloc(dl->count * cl->count + 1, sizeof(*out->items));
    if (cl && (!out || !out->items)) {
        free(out);
        out = NULL;
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    }
    for (size_t i = 0; out && i < dl->count; i++) {
        if (seen(dl, i))
            continue;
        for (size_t j = 0; j < cl->count; j++)
            if (!seen(cl, j))
                out->items[out->count++] = param_of(cl->items[j].width, cl->items[j].height,
                                                    dl->items[i].width, dl->items[i].height);
    }
    if (dl)
        ob_delete_stream_profile_list(dl, NULL);
    if (cl)
        ob_delete_stream_profile_list(cl, NULL);
    return out;
}

OBEMU_EXPORT uint32_t ob_camera_param_list_get_count(ob_camera_param_list *param_list,
                                                    ob_error **error)
{
    if (!param_list) {
        FAIL_NULL(error, "param_list");
        return 0;
    }
    return param_list->count;
}

OBEMU_EXPORT ob_camera_param ob_camera_param_list_get_param(ob_camera_param_list *param_list,
                                                           uint32_t index, ob_error **error)
{
    if (!param_list) {
        FAIL_NULL(error, "param_list");
        return zero_param();
    }
    if (index >= param_list->count) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "index",
                   "index %u is out of range: the list has %u parameters", index,
                   param_list->count);
        return zero_param();
    }
    return param_list->items[index];
}

OBEMU_EXPORT void ob_delete_camera_param_list(ob_camera_param_list *param_list, ob_error **error)
{
    if (!param_list) {
        FAIL_NULL(error, "param_list");
        return;
    }
    free(param_list->items);
    free(param_list);
}

/* ------------------------------------------------------------------------------------------ */
/* A pipeline's parameters                                                                    */

/* The device's first profile of stream s matching the request (0 and OB_FORMAT_ANY: any; the
 * list holds the default first). false: none (error set). */
static bool resolve(const ob_device *d, rig_stream_t s, uint32_t w, uint32_t h, uint32_t fps,
                    ob_format format, ob_stream_profile *out, ob_error **error,
                    const char *function)
{
    ob_stream_profile_list *l = obemu_profile_list_of(d, s, error, function);
    if (!l)
        return false;
    bool found = false;
    for (size_t i = 0; i < l->count && !found; i++) {
        const ob_stream_profile *p = &l->items[i];
        if ((!w || p->width == w) && (!h || p->height == h) && (!fps || p->fps == fps) &&
            (format == OB_FORMAT_ANY || format == OB_FORMAT_UNKNOWN || p->format == format)) {
            *out = *p;
            found = true;
        }
    }
    ob_delete_stream_profile_list(l, NULL);
    if (!found)
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_DATA, function, "",
                   "No matched %s profile found", s == RIG_STREAM_COLOR ? "color" : "depth");
    return found;
}

static bool resolve_request(const ob_device *d, rig_stream_t s, const stream_request_t *r,
                            ob_stream_profile *out, ob_error **error, const char *function)
{
    return resolve(d, s, r->width, r->height, r->fps, r->format, out, error, function);
}

OBEMU_EXPORT ob_camera_param ob_pipeline_get_camera_param(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return zero_param();
    }
    ob_context *c = pipeline->dev->ctx;
    pthread_mutex_lock(&c->qlock);
    bool has = pipeline->has_config;
    ob_config cfg = pipeline->config;
    pthread_mutex_unlock(&c->qlock);
    ob_camera_param out = zero_param();
    if (!has)
        return out;
    ob_stream_profile color, depth;
    bool has_c = cfg.streams[RIG_STREAM_COLOR].enabled, has_d = cfg.streams[RIG_STREAM_DEPTH].enabled;
    if (has_c && !resolve_request(pipeline->dev, RIG_STREAM_COLOR, &cfg.streams[RIG_STREAM_COLOR],
                                  &color, error, __func__))
        return out;
    if (has_d && !resolve_request(pipeline->dev, RIG_STREAM_DEPTH, &cfg.streams[RIG_STREAM_DEPTH],
                                  &depth, error, __func__))
        return out;
    if (has_c) {
        out.rgbIntrinsic = obemu_nominal_intrinsic(color.width, color.height);
        out.rgbDistortion = obemu_nominal_distortion();
    }
    if (has_d) {
        out.depthIntrinsic = obemu_nominal_intrinsic(depth.width, depth.height);
        out.depthDistortion = obemu_nominal_distortion();
    }
    if (has_c && has_d) {
        ob_extrinsic e;
        obemu_nominal_extrinsic(OB_STREAM_DEPTH, OB_STREAM_COLOR, &e);
        out.transform = e;
    }
    return out;
}

OBEMU_EXPORT ob_camera_param ob_pipeline_get_camera_param_with_profile(
    ob_pipeline *pipeline, uint32_t colorWidth, uint32_t colorHeight, uint32_t depthWidth,
    uint32_t depthHeight, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return zero_param();
    }
    ob_stream_profile color, depth;
    if (!resolve(pipeline->dev, RIG_STREAM_COLOR, colorWidth, colorHeight, 0, OB_FORMAT_ANY,
                 &color, error, __func__) ||
        !resolve(pipeline->dev, RIG_STREAM_DEPTH, depthWidth, depthHeight, 0, OB_FORMAT_ANY,
                 &depth, error, __func__))
        return zero_param();
    return param_of(color.width, color.height, depth.width, depth.height);
}

OBEMU_EXPORT ob_calibration_param ob_pipeline_get_calibration_param(ob_pipeline *pipeline,
                                                                   ob_config *config,
                                                                   ob_error **error)
{
    ob_calibration_param out;
    memset(&out, 0, sizeof(out));
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return out;
    }
    if (!config)
        return out; /* as the SDK: zeros without a config */
    for (int i = 0; i < OB_SENSOR_TYPE_COUNT; i++)
        for (int j = 0; j < OB_SENSOR_TYPE_COUNT; j++) {
            ob_extrinsic e = identity();
            memcpy(&out.extrinsics[i][j], &e, sizeof(e));
        }
    ob_stream_profile prof[RIG_STREAM_COUNT];
    for (int s = 0; s < RIG_STREAM_COUNT; s++) {
        const stream_request_t *r = &config->streams[s];
        stream_request_t any = {false, 0, 0, 0, OB_FORMAT_ANY};
        if (!resolve_request(pipeline->dev, (rig_stream_t)s, r->enabled ? r : &any, &prof[s],
                             error, __func__)) {
            memset(&out, 0, sizeof(out));
            return out;
        }
        ob_sensor_type t = obemu_sensor_type_of(s);
        ob_camera_intrinsic k = obemu_nominal_intrinsic(prof[s].width, prof[s].height);
        ob_camera_distortion dist = obemu_nominal_distortion();
        memcpy(&out.intrinsics[t], &k, sizeof(k));
        memcpy(&out.distortion[t], &dist, sizeof(dist));
    }
    for (int a = 0; a < RIG_STREAM_COUNT; a++)
        for (int b = 0; b < RIG_STREAM_COUNT; b++) {
            ob_extrinsic e;
            if (a != b && obemu_nominal_extrinsic(obemu_stream_type_of(a),
                                                  obemu_stream_type_of(b), &e))
                memcpy(&out.extrinsics[obemu_sensor_type_of(a)]
                                      [obemu_sensor_type_of(b)],
                       &e, sizeof(e));
        }
    return out;
}

/* librigsync-obemu: what a pipeline tells about itself (config, profiles, device) and its
 * frame sync switch (see obemu_internal.h). */
#include <stdio.h>

#include "obemu_internal.h"

/* The config the pipeline runs with (a copy the caller deletes); before its first start, an
 * empty config with the defaults. */
OBEMU_EXPORT ob_config *ob_pipeline_get_config(const ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return NULL;
    }
    ob_config *cfg = ob_create_config(error);
    if (cfg && pipeline->has_config)
        *cfg = pipeline->config;
    return cfg;
}

/* The profiles of the pipeline's device on one sensor, the default first (as the SDK's list). */
OBEMU_EXPORT ob_stream_profile_list *ob_pipeline_get_stream_profile_list(const ob_pipeline *pipeline,
                                                                        ob_sensor_type sensorType,
                                                                        ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return NULL;
    }
    int s;
    if (!obemu_stream_of_sensor(sensorType, &s) ||
        (s == OBEMU_STREAM_IR && !obemu_has_ir(pipeline->dev))) {
        char args[32];
        snprintf(args, sizeof(args), "sensorType = %d", (int)sensorType);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, args,
                   "sensor type %d is not available: the emulated devices have OB_SENSOR_COLOR "
                   "(%d), OB_SENSOR_DEPTH (%d) and OB_SENSOR_IR (%d) only",
                   (int)sensorType, (int)OB_SENSOR_COLOR, (int)OB_SENSOR_DEPTH,
                   (int)OB_SENSOR_IR);
        return NULL;
    }
    return obemu_profile_list_of(pipeline->dev, s, error, __func__);
}

/* The pipeline's device: a new reference to the same device (the caller deletes it). */
OBEMU_EXPORT ob_device *ob_pipeline_get_device(const ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return NULL;
    }
    atomic_fetch_add(&pipeline->dev->refs, 1);
    return pipeline->dev;
}

static void set_frame_sync(ob_pipeline *p, bool on)
{
    ob_context *c = p->dev->ctx;
    pthread_mutex_lock(&c->qlock);
    p->agg.sync = on;
    pthread_mutex_unlock(&c->qlock);
}

OBEMU_EXPORT void ob_pipeline_enable_frame_sync(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    set_frame_sync(pipeline, true);
}

OBEMU_EXPORT void ob_pipeline_disable_frame_sync(ob_pipeline *pipeline, ob_error **error)
{
    if (!pipeline) {
        FAIL_NULL(error, "pipeline");
        return;
    }
    set_frame_sync(pipeline, false);
}

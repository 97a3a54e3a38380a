/*
 * librigsync-obemu: sensors and sensor lists (the vendor's Sensor.h, and Device.h's sensor
 * getters).
 *
 * A simulated device has three sensors, color, depth and IR (the ToF depth camera's infrared
 * image, derived from its depth: obemu_ir.c), listed in that order. It has no IMU or LiDAR
 * sensor: asking for one fails as the SDK fails for a sensor a device lacks.
 *
 * ob_sensor_start streams one sensor to a frame callback: the emulator runs it as a pipeline of
 * its own on the device with that one stream (the same routing, virtual time and joining rules
 * as pipelines: a sensor whose stream a pipeline already runs must ask for the running profile),
 * and hands each frame (not a frameset; the callback owns it) to the callback on that pipeline's
 * thread. The stream belongs to the device's sensor, not to the handle: every handle of the
 * sensor sees it (stop, switch), as the SDK's handles share one sensor. Starting a started
 * sensor is refused (OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE); stopping a stopped one does
 * nothing; deleting the handle that started a stream stops it. ob_sensor_switch_profile does
 * what v2.9.3's does: it is refused while the sensor streams ("sensor stream is not started!",
 * the SDK's inverted check) and on a stopped sensor restarts it with the new profile and the
 * callback of its last start. Stopping a sensor from inside its own callback is refused (the
 * emulator would free the thread that runs it): stop it from another thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "obemu_internal.h"

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

static ob_sensor *sensor_new(ob_device *dev, ob_sensor_type type, ob_error **error,
                             const char *function)
{
    ob_sensor *s = calloc(1, sizeof(*s));
    if (!s) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, "", "out of memory");
        return NULL;
    }
    atomic_fetch_add(&dev->refs, 1);
    s->dev = dev;
    s->type = type;
    return s;
}

static void sensor_not_found(ob_device *dev, ob_sensor_type type, ob_error **error,
                             const char *function, const char *what)
{
    char args[48];
    snprintf(args, sizeof(args), "type = %d", (int)type);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "%s: %d (device %s has a color (%d), a depth (%d) and an IR (%d) sensor only)",
               what, (int)type, dev->info.serial, (int)OB_SENSOR_COLOR, (int)OB_SENSOR_DEPTH,
               (int)OB_SENSOR_IR);
}

/* ------------------------------------------------------------------------------------------ */
/* From the device                                                                            */

OBEMU_EXPORT ob_sensor_list *ob_device_get_sensor_list(const ob_device *device, ob_error **error)
{
    if (null_arg(device, "device", error, __func__))
        return NULL;
    ob_sensor_list *l = calloc(1, sizeof(*l));
    if (!l) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    ob_device *d = (ob_device *)device;
    atomic_fetch_add(&d->refs, 1);
    l->dev = d;
    l->count = obemu_has_ir(d) ? OBEMU_STREAM_COUNT : RIG_STREAM_COUNT;
    l->types[0] = obemu_sensor_type_of(RIG_STREAM_COLOR);
    l->types[1] = obemu_sensor_type_of(RIG_STREAM_DEPTH);
    l->types[2] = obemu_sensor_type_of(OBEMU_STREAM_IR);
    return l;
}

OBEMU_EXPORT ob_sensor *ob_device_get_sensor(ob_device *device, ob_sensor_type type,
                                             ob_error **error)
{
    if (null_arg(device, "device", error, __func__))
        return NULL;
    int s;
    if (!obemu_stream_of_sensor(type, &s) || (s == OBEMU_STREAM_IR && !obemu_has_ir(device))) {
        sensor_not_found(device, type, error, __func__, "Sensor not found by type");
        return NULL;
    }
    return sensor_new(device, type, error, __func__);
}

/* ------------------------------------------------------------------------------------------ */
/* Sensor lists                                                                               */

OBEMU_EXPORT uint32_t ob_sensor_list_get_count(const ob_sensor_list *sensor_list, ob_error **error)
{
    return null_arg(sensor_list, "sensor_list", error, __func__) ? 0 : sensor_list->count;
}

static bool index_ok(const ob_sensor_list *l, uint32_t index, ob_error **error,
                     const char *function)
{
    if (null_arg(l, "sensor_list", error, function))
        return false;
    if (index < l->count)
        return true;
    char args[32];
    snprintf(args, sizeof(args), "index = %u", index);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
               "Invalid index value for argument \"index\" (the list has %u sensors)", l->count);
    return false;
}

OBEMU_EXPORT ob_sensor_type ob_sensor_list_get_sensor_type(const ob_sensor_list *sensor_list,
                                                           uint32_t index, ob_error **error)
{
    return index_ok(sensor_list, index, error, __func__) ? sensor_list->types[index]
                                                         : OB_SENSOR_UNKNOWN;
}

OBEMU_EXPORT ob_sensor *ob_sensor_list_get_sensor(const ob_sensor_list *sensor_list,
                                                  uint32_t index, ob_error **error)
{
    if (!index_ok(sensor_list, index, error, __func__))
        return NULL;
    return sensor_new(sensor_list->dev, sensor_list->types[index], error, __func__);
}

OBEMU_EXPORT ob_sensor *ob_sensor_list_get_sensor_by_type(const ob_sensor_list *sensor_list,
                                                          ob_sensor_type sensorType,
                                                          ob_error **error)
{
    if (null_arg(sensor_list, "sensor_list", error, __func__))
        return NULL;
    for (uint32_t i = 0; i < sensor_list->count; i++)
        if (sensor_list->types[i] == sensorType)
            return sensor_new(sensor_list->dev, sensorType, error, __func__);
    sensor_not_found(sensor_list->dev, sensorType, error, __func__,
                     "Sensor type not found in sensor list");
    return NULL;
}

OBEMU_EXPORT void ob_delete_sensor_list(ob_sensor_list *sensor_list, ob_error **error)
{
    if (null_arg(sensor_list, "sensor_list", error, __func__))
        return;
    obemu_device_release(sensor_list->dev);
    free(sensor_list);
}

/* ------------------------------------------------------------------------------------------ */
/* Sensors                                                                                    */

OBEMU_EXPORT ob_sensor_type ob_sensor_get_type(const ob_sensor *sensor, ob_error **error)
{
    return null_arg(sensor, "sensor", error, __func__) ? OB_SENSOR_UNKNOWN : sensor->type;
}

OBEMU_EXPORT ob_stream_profile_list *ob_sensor_get_stream_profile_list(const ob_sensor *sensor,
                                                                       ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__))
        return NULL;
    int s;
    if (!obemu_stream_of_sensor(sensor->type, &s)) { /* not made by this library */
        sensor_not_found(sensor->dev, sensor->type, error, __func__, "Sensor not found by type");
        return NULL;
    }
    return obemu_profile_list_of(sensor->dev, s, error, __func__);
}

/* ------------------------------------------------------------------------------------------ */
/* Streaming from a sensor                                                                    */

struct obemu_sensor_stream {
    ob_pipeline *pipe; /* running, or NULL (stopped) */
    const ob_sensor *starter;
    int stream; /* RIG_STREAM_*, OBEMU_STREAM_IR */
    ob_frame_callback cb; /* of the last start (ob_sensor_switch_profile reuses it) */
    void *user;
};

/* Guards every device's sensor_stream (the pipelines' own locks are taken inside it). */
static pthread_mutex_t sensor_lock = PTHREAD_MUTEX_INITIALIZER;

static void sensor_hop(ob_frame *set, void *user)
{
    struct obemu_sensor_stream *st = user;
    const ob_frame *f = set->is_set ? set->members[st->stream] : set;
    if (f)
        st->cb(obemu_frame_retain(f), st->user); /* the callback owns the frame */
    obemu_frame_release(set);
}

static bool sensor_stream_of(const ob_sensor *sensor, int *s, ob_error **error,
                             const char *function)
{
    if (obemu_stream_of_sensor(sensor->type, s))
        return true;
    obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "sensor",
               "sensor type %d does not stream on the rigsync emulator", (int)sensor->type);
    return false;
}

/* Starts st's stream with profile (sensor_lock held); false with *error set. */
static bool stream_start(ob_device *dev, struct obemu_sensor_stream *st,
                         const ob_stream_profile *profile, ob_error **error)
{
    ob_error *e = NULL;
    ob_pipeline *p = ob_create_pipeline_with_device(dev, &e);
    ob_config *cfg = e ? NULL : ob_create_config(&e);
    if (!e)
        ob_config_enable_stream_with_stream_profile(cfg, profile, &e);
    if (!e)
        ob_pipeline_start_with_callback(p, cfg, sensor_hop, st, &e);
    if (cfg)
        ob_delete_config(cfg, NULL);
    if (e) {
        if (p)
            ob_delete_pipeline(p, NULL);
        if (error)
            *error = e;
        else
            ob_delete_error(e);
        return false;
    }
    st->pipe = p;
    return true;
}

OBEMU_EXPORT void ob_sensor_start(ob_sensor *sensor, const ob_stream_profile *profile,
                                  ob_frame_callback callback, void *user_data, ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__) ||
        null_arg(profile, "profile", error, __func__) ||
        null_arg((const void *)(uintptr_t)callback, "callback", error, __func__))
        return;
    int s;
    if (!sensor_stream_of(sensor, &s, error, __func__))
        return;
    if (profile->type != obemu_stream_type_of(s)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "profile",
                   "the profile is of stream type %d, the sensor streams type %d",
                   (int)profile->type, (int)obemu_stream_type_of(s));
        return;
    }
    ob_device *dev = sensor->dev;
    pthread_mutex_lock(&sensor_lock);
    struct obemu_sensor_stream *st = dev->sensor_stream[s];
    if (st && st->pipe) {
        pthread_mutex_unlock(&sensor_lock);
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
                   "the %s sensor of device %s is already streaming; stop it first",
                   s == OBEMU_STREAM_IR ? "ir" : rig_stream_name((rig_stream_t)s),
                   dev->info.serial);
        return;
    }
    if (!st && !(st = dev->sensor_stream[s] = calloc(1, sizeof(*st)))) {
        pthread_mutex_unlock(&sensor_lock);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return;
    }
    st->stream = s;
    st->starter = sensor;
    st->cb = callback;
    st->user = user_data;
    stream_start(dev, st, profile, error);
    pthread_mutex_unlock(&sensor_lock);
}

/* Stops the device's stream s (sensor_lock held); false (error set) from its own callback. */
static bool stream_stop(ob_device *dev, int s, ob_error **error, const char *function)
{
    struct obemu_sensor_stream *st = dev->sensor_stream[s];
    if (!st || !st->pipe)
        return true; /* as the SDK: stopping a stopped sensor does nothing */
    if (obemu_pipeline_on_own_callback(st->pipe)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, function, "",
                   "stopping a sensor from inside its own frame callback is not supported by "
                   "the rigsync emulator; stop it from another thread");
        return false;
    }
    ob_delete_pipeline(st->pipe, NULL); /* stops, joins its thread, drops its queue */
    st->pipe = NULL;
    st->starter = NULL;
    return true;
}

OBEMU_EXPORT void ob_sensor_stop(ob_sensor *sensor, ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__))
        return;
    int s;
    if (!sensor_stream_of(sensor, &s, error, __func__))
        return;
    pthread_mutex_lock(&sensor_lock);
    stream_stop(sensor->dev, s, error, __func__);
    pthread_mutex_unlock(&sensor_lock);
}

OBEMU_EXPORT void ob_sensor_switch_profile(ob_sensor *sensor, ob_stream_profile *profile,
                                           ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__) ||
        null_arg(profile, "profile", error, __func__))
        return;
    int s;
    if (!sensor_stream_of(sensor, &s, error, __func__))
        return;
    pthread_mutex_lock(&sensor_lock);
    struct obemu_sensor_stream *st = sensor->dev->sensor_stream[s];
    if (st && st->pipe) {
        pthread_mutex_unlock(&sensor_lock);
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
                   "sensor stream is not started! (v2.9.3 refuses to switch the profile of a "
                   "streaming sensor: stop it, then switch)");
        return;
    }
    if (!st || !st->cb) {
        pthread_mutex_unlock(&sensor_lock);
        obemu_fail(error, OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE, __func__, "",
                   "the sensor has no frame callback: start it with ob_sensor_start first");
        return;
    }
    if (profile->type != obemu_stream_type_of(s)) {
        pthread_mutex_unlock(&sensor_lock);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "profile",
                   "the profile is of stream type %d, the sensor streams type %d",
                   (int)profile->type, (int)obemu_stream_type_of(s));
        return;
    }
    st->starter = sensor;
    stream_start(sensor->dev, st, profile, error);
    pthread_mutex_unlock(&sensor_lock);
}

OBEMU_EXPORT void ob_delete_sensor(ob_sensor *sensor, ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__))
        return;
    int s;
    pthread_mutex_lock(&sensor_lock);
    if (obemu_stream_of_sensor(sensor->type, &s) && sensor->dev->sensor_stream[s] &&
        sensor->dev->sensor_stream[s]->starter == sensor)
        stream_stop(sensor->dev, s, NULL, __func__);
    pthread_mutex_unlock(&sensor_lock);
    obemu_device_release(sensor->dev);
    free(sensor);
}

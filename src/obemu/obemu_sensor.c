/*
 * librigsync-obemu: sensors and sensor lists (the vendor's Sensor.h, and Device.h's sensor
 * getters).
 *
 * A simulated device has two sensors, color and depth, listed in that order. It has no IR, IMU
 * or LiDAR sensor: asking for one fails as the SDK fails for a sensor a device lacks. Streaming
 * from a sensor alone (ob_sensor_start / stop / switch_profile) is not emulated: frames reach
 * the application through a pipeline only, so those calls stay "not supported".
 */
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
               "%s: %d (device %s has a color sensor (%d) and a depth sensor (%d) only)", what,
               (int)type, dev->info.serial, (int)OB_SENSOR_COLOR, (int)OB_SENSOR_DEPTH);
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
    l->count = RIG_STREAM_COUNT;
    l->types[0] = obemu_sensor_type_of(RIG_STREAM_COLOR);
    l->types[1] = obemu_sensor_type_of(RIG_STREAM_DEPTH);
    return l;
}

OBEMU_EXPORT ob_sensor *ob_device_get_sensor(ob_device *device, ob_sensor_type type,
                                             ob_error **error)
{
    if (null_arg(device, "device", error, __func__))
        return NULL;
    rig_stream_t s;
    if (!obemu_rig_stream_of_sensor(type, &s)) {
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
    rig_stream_t s;
    if (!obemu_rig_stream_of_sensor(sensor->type, &s)) { /* not made by this library */
        sensor_not_found(sensor->dev, sensor->type, error, __func__, "Sensor not found by type");
        return NULL;
    }
    return obemu_profile_list_of(sensor->dev, s, error, __func__);
}

OBEMU_EXPORT void ob_delete_sensor(ob_sensor *sensor, ob_error **error)
{
    if (null_arg(sensor, "sensor", error, __func__))
        return;
    obemu_device_release(sensor->dev);
    free(sensor);
}

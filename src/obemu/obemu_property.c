/*
 * librigsync-obemu: device properties (the vendor's Property.h ids through Device.h's property
 * functions), the timestamp reset config and reboot.
 *
 * Every emulated camera has one property set (PROPS below): the switches, exposure and gain
 * controls, depth limits and mirrors a stereo camera's firmware offers, each with a range the
 * real firmware reports (min, max, step, default) and a permission. Values live in the device
 * (a device that powers on again starts from the defaults). The exposure controls drive the
 * simulator's exposure of that stream (the device stamps mid-exposure, so the stamps move with
 * it); the timestamp reset properties are the timestamp reset config; every other property is
 * stored and read back only (the README lists them).
 *
 * As the SDK reports them: an id the device does not have, or an operation its permission
 * forbids, is OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION with status OB_ERROR_UNSUPPORTED_OPERATION
 * (107); a value the firmware refuses (outside min..max, off the step) comes back as the
 * firmware's error response: OB_EXCEPTION_TYPE_IO with status OB_ERROR_DEVICE_RESPONSE_ERROR
 * (1005); a device that left the bus is OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED with status
 * OB_ERROR_DEVICE_DISCONNECTED (112).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"
#include "rigsync/sim.h"

#define R OB_PERMISSION_READ
#define RW OB_PERMISSION_READ_WRITE

/* What a property drives besides its stored value. */
typedef enum prop_knob {
    KNOB_NONE = 0,
    KNOB_COLOR_AE,       /* auto exposure on: the stream exposes as the rig is configured */
    KNOB_DEPTH_AE,
    KNOB_COLOR_EXPOSURE, /* manual exposure, used while auto exposure is off */
    KNOB_DEPTH_EXPOSURE,
    KNOB_STRUCT_TIME,    /* OB_STRUCT_DEVICE_TIME (obemu_sync.c): readable where the family lets */
} prop_knob_t;

typedef struct prop_spec {
    ob_property_id id;
    const char *name;
    ob_property_type type;
    ob_permission_type permission;
    float min, max, step, def; /* int and bool properties hold whole numbers */
    prop_knob_t knob;
    int32_t unit_us; /* exposure: microseconds per unit of the property */
} prop_spec_t;

#define P(id, type, perm, min, max, step, def, knob, unit) \
    {id, #id, type, perm, min, max, step, def, knob, unit}
#define BOOL_RW(id, def) P(id, OB_BOOL_PROPERTY, RW, 0, 1, 1, def, KNOB_NONE, 0)

/* Sorted by id (the SDK lists its properties in id order). Exposure of color in the UVC unit
 * (100 us), of depth in us, both up to 30 ms (a frame period at 30 fps, less a readout). */
static const prop_spec_t PROPS[] = {
    BOOL_RW(OB_PROP_LDP_BOOL, 1),
    BOOL_RW(OB_PROP_LASER_BOOL, 1),
    BOOL_RW(OB_PROP_DEPTH_MIRROR_BOOL, 0),
    BOOL_RW(OB_PROP_DEPTH_FLIP_BOOL, 0),
    BOOL_RW(OB_PROP_IR_MIRROR_BOOL, 0),
    P(OB_PROP_MIN_DEPTH_INT, OB_INT_PROPERTY, RW, 0, 65535, 1, 0, KNOB_NONE, 0),
    P(OB_PROP_MAX_DEPTH_INT, OB_INT_PROPERTY, RW, 0, 65535, 1, 65535, KNOB_NONE, 0),
    P(OB_PROP_LDP_STATUS_BOOL, OB_BOOL_PROPERTY, R, 0, 1, 1, 0, KNOB_NONE, 0),
    BOOL_RW(OB_PROP_COLOR_MIRROR_BOOL, 0),
    BOOL_RW(OB_PROP_COLOR_FLIP_BOOL, 0),
    BOOL_RW(OB_PROP_INDICATOR_LIGHT_BOOL, 1),
    P(OB_PROP_LASER_POWER_LEVEL_CONTROL_INT, OB_INT_PROPERTY, RW, 1, 6, 1, 6, KNOB_NONE, 0),
    BOOL_RW(OB_PROP_TIMER_RESET_TRIGGER_OUT_ENABLE_BOOL, 0),
    P(OB_PROP_TIMER_RESET_DELAY_US_INT, OB_INT_PROPERTY, RW, 0, 65535, 1, 0, KNOB_NONE, 0),
    BOOL_RW(OB_PROP_TIMER_RESET_ENABLE_BOOL, 0),
    P(OB_PROP_LASER_CONTROL_INT, OB_INT_PROPERTY, RW, 0, 2, 1, 1, KNOB_NONE, 0),
    BOOL_RW(OB_PROP_HW_NOISE_REMOVE_FILTER_ENABLE_BOOL, 1),
    P(OB_PROP_HW_NOISE_REMOVE_FILTER_THRESHOLD_FLOAT, OB_FLOAT_PROPERTY, RW, 0.0f, 1.0f, 0.01f,
      0.2f, KNOB_NONE, 0),
    P(OB_STRUCT_DEVICE_TIME, OB_STRUCT_PROPERTY, R, 0, 0, 0, 0, KNOB_STRUCT_TIME, 0),
    P(OB_PROP_COLOR_AUTO_EXPOSURE_BOOL, OB_BOOL_PROPERTY, RW, 0, 1, 1, 1, KNOB_COLOR_AE, 0),
    P(OB_PROP_COLOR_EXPOSURE_INT, OB_INT_PROPERTY, RW, 1, 300, 1, 80, KNOB_COLOR_EXPOSURE, 100),
    P(OB_PROP_COLOR_GAIN_INT, OB_INT_PROPERTY, RW, 0, 128, 1, 64, KNOB_NONE, 0),
    BOOL_RW(OB_PROP_COLOR_AUTO_WHITE_BALANCE_BOOL, 1),
    P(OB_PROP_COLOR_WHITE_BALANCE_INT, OB_INT_PROPERTY, RW, 2800, 6500, 10, 4600, KNOB_NONE, 0),
    P(OB_PROP_COLOR_BRIGHTNESS_INT, OB_INT_PROPERTY, RW, -64, 64, 1, 0, KNOB_NONE, 0),
    P(OB_PROP_COLOR_SHARPNESS_INT, OB_INT_PROPERTY, RW, 0, 100, 1, 50, KNOB_NONE, 0),
    P(OB_PROP_COLOR_SATURATION_INT, OB_INT_PROPERTY, RW, 0, 100, 1, 64, KNOB_NONE, 0),
    P(OB_PROP_COLOR_CONTRAST_INT, OB_INT_PROPERTY, RW, 0, 100, 1, 50, KNOB_NONE, 0),
    P(OB_PROP_COLOR_GAMMA_INT, OB_INT_PROPERTY, RW, 100, 500, 1, 300, KNOB_NONE, 0),
    P(OB_PROP_COLOR_POWER_LINE_FREQUENCY_INT, OB_INT_PROPERTY, RW, 0, 3, 1, 3, KNOB_NONE, 0),
    P(OB_PROP_DEPTH_AUTO_EXPOSURE_BOOL, OB_BOOL_PROPERTY, RW, 0, 1, 1, 1, KNOB_DEPTH_AE, 0),
    P(OB_PROP_DEPTH_EXPOSURE_INT, OB_INT_PROPERTY, RW, 20, 30000, 1, 12800, KNOB_DEPTH_EXPOSURE,
      1),
    P(OB_PROP_DEPTH_GAIN_INT, OB_INT_PROPERTY, RW, 16, 248, 1, 16, KNOB_NONE, 0),
};
#define NPROPS (sizeof(PROPS) / sizeof(PROPS[0]))

/* A device's values, by index in PROPS (whole numbers for int and bool properties). */
struct obemu_props {
    double v[NPROPS];
};

/* ------------------------------------------------------------------------------------------ */
/* Errors as the SDK reports them                                                             */

OBEMU_PRINTF(6, 7)
static void fail_status(ob_error **error, ob_exception_type type, ob_status status,
                        const char *function, const char *args, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    obemu_fail(error, type, function, args, "%s", msg);
    if (error && *error)
        (*error)->status = status;
}

static const prop_spec_t *spec_of(ob_property_id id)
{
    for (size_t k = 0; k < NPROPS; k++)
        if (PROPS[k].id == id)
            return &PROPS[k];
    return NULL;
}

/* The permission the device grants (OB_STRUCT_DEVICE_TIME: only where the family lets an
 * application read its clock). */
static ob_permission_type permission_of(const ob_device *d, const prop_spec_t *s)
{
    if (!s)
        return OB_PERMISSION_DENY;
    if (s->knob == KNOB_STRUCT_TIME && !d->time.user_readable)
        return OB_PERMISSION_DENY;
    return s->permission;
}

/* Checks the device and the operation; returns the property's spec, or NULL with *error set. */
static const prop_spec_t *check(const ob_device *d, ob_property_id id, ob_permission_type op,
                                ob_property_type want_primary, const char *function,
                                const char *args, ob_error **error)
{
    if (!d) {
        FAIL_NULL(error, "device");
        return NULL;
    }
    if (atomic_load(&d->gone)) {
        fail_status(error, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED, OB_ERROR_DEVICE_DISCONNECTED,
                    function, args, "device %s was disconnected", d->info.serial);
        return NULL;
    }
    const prop_spec_t *s = spec_of(id);
    if (!(permission_of(d, s) & op)) {
        fail_status(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION,
                    OB_ERROR_UNSUPPORTED_OPERATION, function, args,
                    "property %d is not %s on %s (the rigsync emulator's camera)", (int)id,
                    op == OB_PERMISSION_WRITE ? "writable" : "readable", d->info.model);
        return NULL;
    }
    (void)want_primary; /* another type's getter or setter converts, as a cast would */
    if (s->type == OB_STRUCT_PROPERTY) {
        fail_status(error, OB_EXCEPTION_TYPE_INVALID_DATA, OB_ERROR_INVALID_DATA, function, args,
                    "property %d (%s) is a structured property: use "
                    "ob_device_get_structured_data",
                    (int)id, s->name);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Values (rig_lock held)                                                                     */

static struct obemu_props *props_of(ob_device *d)
{
    if (d->props)
        return d->props;
    struct obemu_props *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    for (size_t k = 0; k < NPROPS; k++)
        p->v[k] = PROPS[k].def;
    d->props = p;
    return p;
}

void obemu_props_free(ob_device *d)
{
    free(d->props);
    d->props = NULL;
}

static size_t index_of(const prop_spec_t *s) { return (size_t)(s - PROPS); }

static int32_t value_of(const struct obemu_props *p, ob_property_id id)
{
    const prop_spec_t *s = spec_of(id);
    return s ? (int32_t)p->v[index_of(s)] : 0;
}

/* The simulator's exposure of a stream follows the exposure properties: while auto exposure is
 * on, the rig's configured exposure (`auto_us`); else the manual value. */
static rig_error_t apply_exposure(ob_device *d, struct obemu_props *p, rig_stream_t stream)
{
    bool color = stream == RIG_STREAM_COLOR;
    ob_property_id ae = color ? OB_PROP_COLOR_AUTO_EXPOSURE_BOOL : OB_PROP_DEPTH_AUTO_EXPOSURE_BOOL;
    ob_property_id ex = color ? OB_PROP_COLOR_EXPOSURE_INT : OB_PROP_DEPTH_EXPOSURE_INT;
    int64_t us = value_of(p, ae) ? d->auto_exposure_us[stream]
                                 : (int64_t)value_of(p, ex) * spec_of(ex)->unit_us;
    return rig_sim_device_set_exposure_us(d->ctx->rig, d->index, stream, us);
}

/* The rig's own exposure of each stream, read once (what auto exposure returns to). */
static void learn_auto_exposure(ob_device *d)
{
    for (int s = 0; s < RIG_STREAM_COUNT; s++)
        if (d->auto_exposure_us[s] == 0 &&
            rig_sim_device_exposure_us(d->ctx->rig, d->index, (rig_stream_t)s,
                                       &d->auto_exposure_us[s]) != RIG_OK)
            d->auto_exposure_us[s] = 0;
}

/* Reads a value into *i / *f; false with *error set. */
static bool get_value(ob_device *d, const prop_spec_t *s, int32_t *i, float *f,
                      const char *function, const char *args, ob_error **error)
{
    ob_context *c = d->ctx;
    pthread_mutex_lock(&c->rig_lock);
    struct obemu_props *p = props_of(d);
    if (p) {
        size_t k = index_of(s);
        *i = (int32_t)p->v[k];
        *f = (float)p->v[k];
        if (s->knob == KNOB_COLOR_EXPOSURE || s->knob == KNOB_DEPTH_EXPOSURE) {
            /* the camera reports the exposure it uses (under auto exposure, its own) */
            rig_stream_t st = s->knob == KNOB_COLOR_EXPOSURE ? RIG_STREAM_COLOR : RIG_STREAM_DEPTH;
            int64_t us = 0;
            if (rig_sim_device_exposure_us(c->rig, d->index, st, &us) == RIG_OK)
                *f = (float)(*i = (int32_t)(us / s->unit_us));
        }
    }
    pthread_mutex_unlock(&c->rig_lock);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args, "out of memory");
    return p != NULL;
}

static bool in_range(const prop_spec_t *s, double v)
{
    if (!(v >= (double)s->min && v <= (double)s->max))
        return false;
    double n = ((double)v - (double)s->min) / (double)s->step;
    return fabs(n - floor(n + 0.5)) < 1e-3;
}

static void set_value(ob_device *d, const prop_spec_t *s, double v, const char *function,
                      const char *args, ob_error **error)
{
    if (!in_range(s, v)) {
        fail_status(error, OB_EXCEPTION_TYPE_IO, OB_ERROR_DEVICE_RESPONSE_ERROR, function, args,
                    "device response error: %s = %g is not in %g..%g in steps of %g", s->name, v,
                    (double)s->min, (double)s->max, (double)s->step);
        return;
    }
    ob_context *c = d->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = RIG_OK;
    struct obemu_props *p = props_of(d);
    if (p) {
        size_t k = index_of(s);
        double old = p->v[k];
        p->v[k] = v;
        if (s->knob != KNOB_NONE) {
            learn_auto_exposure(d);
            bool color = s->knob == KNOB_COLOR_AE || s->knob == KNOB_COLOR_EXPOSURE;
            err = apply_exposure(d, p, color ? RIG_STREAM_COLOR : RIG_STREAM_DEPTH);
            if (err != RIG_OK) {
                p->v[k] = old;
                obemu_fail_rig(error, c, err, function, args);
            }
        }
    }
    pthread_mutex_unlock(&c->rig_lock);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args, "out of memory");
}

/* ------------------------------------------------------------------------------------------ */
/* The API                                                                                    */

#define ARGS_ID(args, id) snprintf(args, sizeof(args), "property_id = %d", (int)(id))

/* The checks and the read every getter shares: the property's spec and its value (as int and as
 * float), or NULL with the error set. */
static const prop_spec_t *read_checked(ob_device *device, ob_property_id id,
                                       ob_property_type type, const char *function,
                                       ob_error **error, int32_t *i, float *f)
{
    char args[48];
    ARGS_ID(args, id);
    *i = 0;
    *f = 0;
    const prop_spec_t *s = check(device, id, OB_PERMISSION_READ, type, function, args, error);
    return s && get_value(device, s, i, f, function, args, error) ? s : NULL;
}

OBEMU_EXPORT bool ob_device_is_property_supported(const ob_device *device,
                                                  ob_property_id property_id,
                                                  ob_permission_type permission,
                                                  ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return false;
    }
    ob_permission_type granted = permission_of(device, spec_of(property_id));
    /* as the SDK: READ and WRITE ask for that right; anything else for both */
    if (permission == OB_PERMISSION_READ || permission == OB_PERMISSION_WRITE)
        return (granted & permission) != 0;
    return granted == OB_PERMISSION_READ_WRITE;
}

OBEMU_EXPORT uint32_t ob_device_get_supported_property_count(const ob_device *device,
                                                             ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return 0;
    }
    uint32_t n = 0;
    for (size_t k = 0; k < NPROPS; k++)
        n += permission_of(device, &PROPS[k]) != OB_PERMISSION_DENY;
    return n;
}

OBEMU_EXPORT ob_property_item ob_device_get_supported_property_item(const ob_device *device,
                                                                    uint32_t index,
                                                                    ob_error **error)
{
    ob_property_item item;
    memset(&item, 0, sizeof(item));
    if (!device) {
        FAIL_NULL(error, "device");
        return item;
    }
    uint32_t n = 0;
    for (size_t k = 0; k < NPROPS; k++) {
        ob_permission_type perm = permission_of(device, &PROPS[k]);
        if (perm == OB_PERMISSION_DENY)
            continue;
        if (n++ == index) {
            item.id = PROPS[k].id;
            item.name = PROPS[k].name;
            item.type = PROPS[k].type;
            item.permission = perm;
            return item;
        }
    }
    char args[48];
    snprintf(args, sizeof(args), "index = %u", index);
    fail_status(error, OB_EXCEPTION_TYPE_INVALID_VALUE, OB_ERROR_INVALID_PARAMETER, __func__, args,
                "index %u is out of range: the device has %u properties", index, n);
    return item;
}

OBEMU_EXPORT void ob_device_set_int_property(ob_device *device, ob_property_id property_id,
                                             int32_t value, ob_error **error)
{
    char args[64];
    snprintf(args, sizeof(args), "property_id = %d, value = %d", (int)property_id, (int)value);
    const prop_spec_t *s =
        check(device, property_id, OB_PERMISSION_WRITE, OB_INT_PROPERTY, __func__, args, error);
    if (s)
        set_value(device, s, value, __func__, args, error);
}

OBEMU_EXPORT int32_t ob_device_get_int_property(ob_device *device, ob_property_id property_id,
                                                ob_error **error)
{
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_INT_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return 0;
    return i;
}

OBEMU_EXPORT ob_int_property_range ob_device_get_int_property_range(ob_device *device,
                                                                    ob_property_id property_id,
                                                                    ob_error **error)
{
    ob_int_property_range r;
    memset(&r, 0, sizeof(r));
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_INT_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return r;
    r.cur = i;
    if (s->type != OB_FLOAT_PROPERTY) {
        r.min = (int32_t)s->min;
        r.max = (int32_t)s->max;
        r.step = (int32_t)s->step;
        r.def = (int32_t)s->def;
    }
    return r;
}

OBEMU_EXPORT void ob_device_set_float_property(ob_device *device, ob_property_id property_id,
                                               float value, ob_error **error)
{
    char args[64];
    snprintf(args, sizeof(args), "property_id = %d, value = %g", (int)property_id, (double)value);
    const prop_spec_t *s =
        check(device, property_id, OB_PERMISSION_WRITE, OB_FLOAT_PROPERTY, __func__, args, error);
    if (s) /* an int property takes the value as the firmware would: whole, or refused */
        set_value(device, s, value, __func__, args, error);
}

OBEMU_EXPORT float ob_device_get_float_property(ob_device *device, ob_property_id property_id,
                                                ob_error **error)
{
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_FLOAT_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return 0.0f;
    return f;
}

OBEMU_EXPORT ob_float_property_range ob_device_get_float_property_range(
    ob_device *device, ob_property_id property_id, ob_error **error)
{
    ob_float_property_range r;
    memset(&r, 0, sizeof(r));
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_FLOAT_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return r;
    r.cur = f;
    if (s->type == OB_FLOAT_PROPERTY) {
        r.min = s->min;
        r.max = s->max;
        r.step = s->step;
        r.def = s->def;
    }
    return r;
}

OBEMU_EXPORT void ob_device_set_bool_property(ob_device *device, ob_property_id property_id,
                                              bool value, ob_error **error)
{
    char args[64];
    snprintf(args, sizeof(args), "property_id = %d, value = %d", (int)property_id, (int)value);
    const prop_spec_t *s =
        check(device, property_id, OB_PERMISSION_WRITE, OB_BOOL_PROPERTY, __func__, args, error);
    if (s)
        set_value(device, s, value ? 1 : 0, __func__, args, error);
}

OBEMU_EXPORT bool ob_device_get_bool_property(ob_device *device, ob_property_id property_id,
                                              ob_error **error)
{
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_BOOL_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return false;
    return i != 0;
}

OBEMU_EXPORT ob_bool_property_range ob_device_get_bool_property_range(ob_device *device,
                                                                      ob_property_id property_id,
                                                                      ob_error **error)
{
    ob_bool_property_range r;
    memset(&r, 0, sizeof(r));
    int32_t i;
    float f;
    const prop_spec_t *s = read_checked(device, property_id, OB_BOOL_PROPERTY, __func__, error, &i, &f);
    if (!s)
        return r;
    r.cur = i != 0;
    if (s->type != OB_FLOAT_PROPERTY) {
        r.min = s->min != 0;
        r.max = s->max != 0;
        r.step = s->step != 0;
        r.def = s->def != 0;
    }
    return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Timestamp reset (MultipleDevices.h): the config is the three TIMER_RESET properties        */

OBEMU_EXPORT void ob_device_set_timestamp_reset_config(ob_device *device,
                                                       const ob_device_timestamp_reset_config *config,
                                                       ob_error **error)
{
    if (!config) {
        FAIL_NULL(error, "config");
        return;
    }
    ob_device_timestamp_reset_config in;
    memcpy(&in, config, sizeof(in));
    char args[96];
    snprintf(args, sizeof(args),
             "enable = %d, timestamp_reset_delay_us = %d, "
             "timestamp_reset_signal_output_enable = %d",
             (int)in.enable, (int)in.timestamp_reset_delay_us,
             (int)in.timestamp_reset_signal_output_enable);
    const prop_spec_t *en = check(device, OB_PROP_TIMER_RESET_ENABLE_BOOL, OB_PERMISSION_WRITE,
                                  OB_BOOL_PROPERTY, __func__, args, error);
    if (!en)
        return;
    const prop_spec_t *delay = spec_of(OB_PROP_TIMER_RESET_DELAY_US_INT);
    const prop_spec_t *out = spec_of(OB_PROP_TIMER_RESET_TRIGGER_OUT_ENABLE_BOOL);
    if (!in_range(delay, in.timestamp_reset_delay_us)) {
        fail_status(error, OB_EXCEPTION_TYPE_IO, OB_ERROR_DEVICE_RESPONSE_ERROR, __func__, args,
                    "device response error: timestamp_reset_delay_us = %d is outside %d..%d",
                    (int)in.timestamp_reset_delay_us, (int)delay->min, (int)delay->max);
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    struct obemu_props *p = props_of(device);
    if (p) {
        p->v[index_of(en)] = in.enable ? 1 : 0;
        p->v[index_of(delay)] = in.timestamp_reset_delay_us;
        p->v[index_of(out)] = in.timestamp_reset_signal_output_enable ? 1 : 0;
    }
    pthread_mutex_unlock(&c->rig_lock);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, args, "out of memory");
}

OBEMU_EXPORT ob_device_timestamp_reset_config ob_device_get_timestamp_reset_config(
    ob_device *device, ob_error **error)
{
    ob_device_timestamp_reset_config out;
    memset(&out, 0, sizeof(out));
    if (!check(device, OB_PROP_TIMER_RESET_ENABLE_BOOL, OB_PERMISSION_READ, OB_BOOL_PROPERTY,
               __func__, "", error))
        return out;
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    struct obemu_props *p = props_of(device);
    if (p) {
        out.enable = value_of(p, OB_PROP_TIMER_RESET_ENABLE_BOOL) != 0;
        out.timestamp_reset_delay_us = value_of(p, OB_PROP_TIMER_RESET_DELAY_US_INT);
        out.timestamp_reset_signal_output_enable =
            value_of(p, OB_PROP_TIMER_RESET_TRIGGER_OUT_ENABLE_BOOL) != 0;
    }
    pthread_mutex_unlock(&c->rig_lock);
    if (!p)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
    return out;
}

/* Simulation time (since the rig was created) at host time now_us, plus the firmware's reaction
 * time, for scheduling what a command does on the device. */
#define OBEMU_COMMAND_US 1000

static rig_error_t command_at(ob_context *c, int64_t *at_us)
{
    int64_t now = 0;
    rig_error_t err = rig_sim_now_us(c->rig, &now);
    *at_us = now - c->t0_us + OBEMU_COMMAND_US;
    if (*at_us < OBEMU_COMMAND_US)
        *at_us = OBEMU_COMMAND_US;
    return err;
}

/* The device sets its clock to zero now (frames captured from then on are stamped from 0). */
OBEMU_EXPORT void ob_device_timestamp_reset(ob_device *device, ob_error **error)
{
    if (!check(device, OB_PROP_TIMER_RESET_ENABLE_BOOL, OB_PERMISSION_READ, OB_BOOL_PROPERTY,
               __func__, "", error))
        return;
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_sim_device_reset_clock(c->rig, device->index);
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
}

/* The device reboots: it leaves the bus (its handle dies, hot-plug callbacks hear "removed")
 * and comes back 1.5 s later with its clock reset and its sync config kept (it is in flash). */
OBEMU_EXPORT void ob_device_reboot(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    if (atomic_load(&device->gone)) {
        fail_status(error, OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED, OB_ERROR_DEVICE_DISCONNECTED,
                    __func__, "", "device %s was disconnected", device->info.serial);
        return;
    }
    ob_context *c = device->ctx;
    pthread_mutex_lock(&c->rig_lock);
    int64_t at_us = 0;
    rig_error_t err = command_at(c, &at_us);
    if (err == RIG_OK) {
        rig_sim_fault_t f;
        memset(&f, 0, sizeof(f));
        f.kind = RIG_SIM_FAULT_REBOOT;
        f.at_us = at_us;
        f.serial = device->info.serial;
        f.duration_us = 1500000;
        err = rig_sim_schedule_fault(c->rig, &f);
    }
    if (err != RIG_OK)
        obemu_fail_rig(error, c, err, __func__, "");
    pthread_mutex_unlock(&c->rig_lock);
}

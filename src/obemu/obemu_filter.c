/*
 * librigsync-obemu: the vendor's Filter.h. The filter object model of OrbbecSDK v2.9.3: a filter
 * is created by the name its SDK registers (the public filters of the SDK; the private ones of
 * its extension library are not emulated and are unknown names, as in an SDK without that
 * library), has a config schema (CSV rows: name, type, min, max, step, default, description)
 * whose values start at their defaults and are set within [min, max], can be enabled or
 * disabled, and processes frames synchronously (ob_filter_process, a new frame with its own
 * reference) or pushed ones to a callback.
 *
 * What the emulator computes (obemu_filter_process.c, obemu_filter_align.c): DecimationFilter,
 * ThresholdFilter, PointCloudFilter (OB_FORMAT_POINT), FormatConverter (obemu_filter_convert.c)
 * and Align (depth to colour, colour to depth), with the cameras' nominal intrinsics and
 * extrinsic. Every other filter is created with its schema, and processing a frame with it
 * reports "not supported by the rigsync emulator" rather than pretend (status 107, exception 9).
 *
 * ob_filter_push_frame runs the filter and the callback on the caller's thread before it returns
 * (the SDK hands them to a thread of its own, with a queue of 10 frames); a disabled filter hands
 * the callback the input frame unchanged, as the SDK does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_filter.h"

static const obemu_filter_kind_t KINDS[] = {
    {"PixelValueScaler", "scale, float, 0.01, 100.0, 0.01, 1.0, value scale factor", NULL},
    {"ThresholdFilter",
     "min, int, 0, 16000, 1, 0, min depth range\n"
     "max, int, 0, 16000, 1, 16000, max depth range",
     obemu_filter_threshold},
    {"PixelValueOffset", "offset, int, -16, 16, 1, 0, value offset factor", NULL},
    {"HDRMerge", "", NULL},
    {"SequenceIdFilter", "sequenceid, integer, -1, 1, 1, 0, frame data sequence id value", NULL},
    {"DecimationFilter", "decimate, int, 1, 8, 1, 2, value decimate factor",
     obemu_filter_decimation},
    {"IMUFrameReversion", "", NULL},
    {"FormatConverter", "convertType, int, 0, 21, 1, 0, frame data converter type",
     obemu_filter_format_convert},
    {"FrameMirror", "", NULL},
    {"FrameFlip", "", NULL},
    {"FrameRotate", "rotate, int, 0, 270, 90, 0, frame image rotation angle", NULL},
    {"PointCloudFilter",
     "pointFormat, integer, 19, 20, 1, 19, create point type: 19 is OB_FORMAT_POINT; 20 is "
     "OB_FORMAT_RGB_POINT\n"
     "coordinateDataScale, float, 0.00000001, 100, 0.00001, 1.0, coordinate data scale\n"
     "colorDataNormalization, integer, 0, 1, 1, 0, color data normal state\n"
     "coordinateSystemType, integer, 0, 1, 1, 1, Coordinate system representation type: 0 is "
     "left hand; 1 is right hand\n"
     "outputZeroPoint, integer, 0, 1, 1, 1, output zero point\n"
     "decimate, integer, 1, 8, 1, 1, value decimate factor\n",
     obemu_filter_point_cloud},
    {"IMUCorrector", "", NULL},
    {"Align",
     "AlignType, integer, 1, 7, 1, 2, align to the type of data stream\n"
     "TargetDistortion, boolean, 0, 1, 1, 0, add distortion of the target stream\n"
     "GapFillCopy, boolean, 0, 1, 1, 0, enable gap fill\n"
     "MatchTargetRes, boolean, 0, 1, 1, 1, enable match the output resolution to the align "
     "target resolution\n",
     obemu_filter_align},
    {"LiDARPointFilter", "FilterLevel, integer, 0, 5, 1, 0, filter level of lidar point cloud",
     NULL},
    {"LiDARFormatConverter", "", NULL},
    {"UnDistortionFilter",
     "StreamType, integer, 1, 12, 1, 2, stream type to undistort (OBStreamType: 1=IR 2=COLOR "
     "3=DEPTH 6=IR_LEFT 7=IR_RIGHT 11=COLOR_LEFT 12=COLOR_RIGHT)\n"
     "NewCameraFx, float, 0, 10000, 1, 0, new camera matrix fx at reference resolution "
     "(0=pure undistortion)\n"
     "NewCameraFy, float, 0, 10000, 1, 0, new camera matrix fy at reference resolution\n"
     "NewCameraCx, float, 0, 10000, 1, 0, new camera matrix cx at reference resolution\n"
     "NewCameraCy, float, 0, 10000, 1, 0, new camera matrix cy at reference resolution\n"
     "NewCameraWidth, integer, 0, 10000, 1, 0, reference resolution width (0=pure "
     "undistortion)\n"
     "NewCameraHeight, integer, 0, 10000, 1, 0, reference resolution height\n"
     "MjpgOutputFormat, integer, 0, 1, 1, 0, output format when input is MJPG: 0=RGB 1=BGR\n",
     NULL},
};

#define NKINDS (sizeof(KINDS) / sizeof(KINDS[0]))

static const obemu_filter_kind_t *kind_named(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(KINDS[i].name, name) == 0)
            return &KINDS[i];
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Config schema                                                                              */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static ob_filter_config_value_type value_type_of(const char *t)
{
    static const char *const ints[] = {"integer", "int", "uint8_t", "uint16_t", "uint32_t",
                                       "uint64_t", "size_t", "int8_t", "int16_t", "int32_t",
                                       "int64_t", "enum"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        if (strcmp(t, ints[i]) == 0)
            return OB_FILTER_CONFIG_VALUE_TYPE_INT;
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0)
        return OB_FILTER_CONFIG_VALUE_TYPE_FLOAT;
    if (strcmp(t, "bool") == 0 || strcmp(t, "boolean") == 0)
        return OB_FILTER_CONFIG_VALUE_TYPE_BOOLEAN;
    return OB_FILTER_CONFIG_VALUE_TYPE_INVALID;
}

/* A config value written as text, in its type; false when it is not one. */
static bool parse_value(const char *s, ob_filter_config_value_type type, double *out)
{
    char *end = NULL;
    errno = 0;
    switch (type) {
    case OB_FILTER_CONFIG_VALUE_TYPE_INT: {
        long v = strtol(s, &end, 10);
        if (end == s || errno)
            return false;
        *out = (double)v;
        return true;
    }
    case OB_FILTER_CONFIG_VALUE_TYPE_FLOAT: {
        double v = strtod(s, &end);
        if (end == s || errno)
            return false;
        *out = v;
        return true;
    }
    case OB_FILTER_CONFIG_VALUE_TYPE_BOOLEAN:
        if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
            *out = 1.0;
            return true;
        }
        if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
            *out = 0.0;
            return true;
        }
        return false;
    default: return false;
    }
}

/* Splits the kind's schema into items (names point into f->schema_text); false: no memory. */
static bool parse_schema(ob_filter *f)
{
    f->schema_text = strdup(f->kind->schema);
    if (!f->schema_text)
        return false;
    char *save_row = NULL;
    for (char *row = strtok_r(f->schema_text, "\n", &save_row); row;
         row = strtok_r(NULL, "\n", &save_row)) {
        char *field[7] = {0};
        int n = 0;
        char *p = row;
        while (n < 7) {
            char *comma = n < 6 ? strchr(p, ',') : NULL; /* the description may hold commas */
            field[n++] = p;
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (n < 6 || f->nitems == OBEMU_FILTER_MAX_ITEMS)
            continue;
        ob_filter_config_schema_item *it = &f->items[f->nitems];
        memset(it, 0, sizeof(*it));
        it->name = trim(field[0]);
        it->type = value_type_of(trim(field[1]));
        /* the SDK's types are packed: parse into aligned doubles, then store */
        double min = 0, max = 0, step = 0, def = 0;
        parse_value(trim(field[2]), it->type, &min);
        parse_value(trim(field[3]), it->type, &max);
        parse_value(trim(field[4]), it->type, &step);
        parse_value(trim(field[5]), it->type, &def);
        it->min = min;
        it->max = max;
        it->step = step;
        it->def = def;
        it->desc = n > 6 ? trim(field[6]) : NULL;
        f->values[f->nitems] = it->def;
        f->nitems++;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Filters                                                                                    */

ob_filter *obemu_filter_new(const char *name)
{
    const obemu_filter_kind_t *kind = kind_named(name);
    if (!kind)
        return NULL;
    ob_filter *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->kind = kind;
    f->enabled = true;
    atomic_init(&f->refs, 1);
    if (!parse_schema(f)) {
        free(f);
        return NULL;
    }
    pthread_mutex_init(&f->lock, NULL);
    return f;
}

static ob_filter *filter_retain(ob_filter *f)
{
    atomic_fetch_add(&f->refs, 1);
    return f;
}

static void filter_release(ob_filter *f)
{
    if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f->schema_text);
    free(f);
}

OBEMU_EXPORT ob_filter *ob_create_filter(const char *name, ob_error **error)
{
    if (!name) {
        FAIL_NULL(error, "name");
        return NULL;
    }
    if (!kind_named(name)) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "name",
                   "no filter is registered under the name \"%s\"", name);
        return NULL;
    }
    ob_filter *f = obemu_filter_new(name);
    if (!f)
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "name", "out of memory");
    return f;
}

OBEMU_EXPORT const char *ob_filter_get_name(const ob_filter *filter, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return NULL;
    }
    return filter->kind->name;
}

/* Only the SDK's private filters have a vendor-specific code; its public ones have none. */
OBEMU_EXPORT const char *ob_filter_get_vendor_specific_code(const char *name, ob_error **error)
{
    if (!name) {
        FAIL_NULL(error, "name");
        return NULL;
    }
    if (!kind_named(name))
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "name",
                   "no filter is registered under the name \"%s\"", name);
    return NULL;
}

OBEMU_EXPORT void ob_delete_filter(ob_filter *filter, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return;
    }
    filter_release(filter);
}

OBEMU_EXPORT const char *ob_filter_get_config_schema(const ob_filter *filter, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return NULL;
    }
    return filter->kind->schema;
}

OBEMU_EXPORT ob_filter_config_schema_list *ob_filter_get_config_schema_list(const ob_filter *filter,
                                                                            ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return NULL;
    }
    ob_filter_config_schema_list *l = calloc(1, sizeof(*l));
    if (l && filter->nitems)
        l->items = calloc(filter->nitems, sizeof(*l->items));
    if (!l || (filter->nitems && !l->items)) {
        free(l);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "filter", "out of memory");
        return NULL;
    }
    l->count = filter->nitems;
    if (filter->nitems)
        memcpy(l->items, filter->items, filter->nitems * sizeof(*l->items));
    l->filter = filter_retain((ob_filter *)filter);
    return l;
}

OBEMU_EXPORT void ob_delete_filter_config_schema_list(ob_filter_config_schema_list *config_schema_list,
                                                      ob_error **error)
{
    if (!config_schema_list) {
        FAIL_NULL(error, "config_schema_list");
        return;
    }
    filter_release(config_schema_list->filter);
    free(config_schema_list->items);
    free(config_schema_list);
}

OBEMU_EXPORT uint32_t ob_filter_config_schema_list_get_count(
    const ob_filter_config_schema_list *config_schema_list, ob_error **error)
{
    if (!config_schema_list) {
        FAIL_NULL(error, "config_schema_list");
        return 0;
    }
    return config_schema_list->count;
}

OBEMU_EXPORT ob_filter_config_schema_item ob_filter_config_schema_list_get_item(
    const ob_filter_config_schema_list *config_schema_list, uint32_t index, ob_error **error)
{
    ob_filter_config_schema_item none;
    memset(&none, 0, sizeof(none));
    if (!config_schema_list) {
        FAIL_NULL(error, "config_schema_list");
        return none;
    }
    if (index >= config_schema_list->count) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "index",
                   "index %u is out of range (the list has %u items)", index,
                   config_schema_list->count);
        return none;
    }
    return config_schema_list->items[index];
}

/* The item of that name, or -1 with the SDK's errors set. Called with the filter's lock. */
static int item_index(const ob_filter *f, const char *config_name, ob_error **error,
                      const char *function)
{
    if (f->nitems == 0) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_DATA, function, "config_name",
                   "filter %s has no config values (its config schema is empty)", f->kind->name);
        return -1;
    }
    for (uint32_t i = 0; i < f->nitems; i++)
        if (strcmp(f->items[i].name, config_name) == 0)
            return (int)i;
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "config_name",
               "filter %s has no config item \"%s\"", f->kind->name, config_name);
    return -1;
}

OBEMU_EXPORT double ob_filter_get_config_value(const ob_filter *filter, const char *config_name,
                                               ob_error **error)
{
    if (!filter || !config_name) {
        FAIL_NULL(error, filter ? "config_name" : "filter");
        return 0;
    }
    ob_filter *f = (ob_filter *)filter;
    pthread_mutex_lock(&f->lock);
    int i = item_index(f, config_name, error, __func__);
    double v = i < 0 ? 0 : f->values[i];
    pthread_mutex_unlock(&f->lock);
    return v;
}

OBEMU_EXPORT void ob_filter_set_config_value(ob_filter *filter, const char *config_name,
                                             double value, ob_error **error)
{
    if (!filter || !config_name) {
        FAIL_NULL(error, filter ? "config_name" : "filter");
        return;
    }
    pthread_mutex_lock(&filter->lock);
    int i = item_index(filter, config_name, error, __func__);
    if (i >= 0) {
        const ob_filter_config_schema_item *it = &filter->items[i];
        if (value < it->min || value > it->max)
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "value",
                       "filter %s: %s = %g is out of range [%g, %g]", filter->kind->name,
                       config_name, value, it->min, it->max);
        else
            filter->values[i] = value;
    }
    pthread_mutex_unlock(&filter->lock);
}

/* All values at once, as text in the schema's order. A value that is not of its item's type is
 * an error (nothing changes); one out of its range is ignored, the others are taken. */
OBEMU_EXPORT void ob_filter_update_config(ob_filter *filter, uint8_t argc, const char **argv,
                                          ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return;
    }
    if (argc && !argv) {
        FAIL_NULL(error, "argv");
        return;
    }
    pthread_mutex_lock(&filter->lock);
    double parsed[OBEMU_FILTER_MAX_ITEMS];
    bool ok = argc == filter->nitems && filter->nitems > 0;
    if (!ok)
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "argc",
                   "filter %s takes %u config values, %u given", filter->kind->name,
                   filter->nitems, (unsigned)argc);
    for (uint32_t i = 0; ok && i < filter->nitems; i++) {
        if (!argv[i] || !parse_value(argv[i], filter->items[i].type, &parsed[i])) {
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "argv",
                       "filter %s: \"%s\" is not a value of %s", filter->kind->name,
                       argv[i] ? argv[i] : "(null)", filter->items[i].name);
            ok = false;
        }
    }
    for (uint32_t i = 0; ok && i < filter->nitems; i++)
        if (parsed[i] >= filter->items[i].min && parsed[i] <= filter->items[i].max)
            filter->values[i] = parsed[i];
    pthread_mutex_unlock(&filter->lock);
}

/* The emulated filters keep no state between frames and process synchronously: nothing is queued
 * or cached, so there is nothing to drop. */
OBEMU_EXPORT void ob_filter_reset(ob_filter *filter, ob_error **error)
{
    if (!filter)
        FAIL_NULL(error, "filter");
}

OBEMU_EXPORT void ob_filter_enable(ob_filter *filter, bool enable, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return;
    }
    pthread_mutex_lock(&filter->lock);
    filter->enabled = enable;
    pthread_mutex_unlock(&filter->lock);
}

OBEMU_EXPORT bool ob_filter_is_enabled(const ob_filter *filter, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return false;
    }
    ob_filter *f = (ob_filter *)filter;
    pthread_mutex_lock(&f->lock);
    bool e = f->enabled;
    pthread_mutex_unlock(&f->lock);
    return e;
}

/* Runs the filter on one frame (whether enabled or not, as the SDK's ob_filter_process). */
static ob_frame *run(ob_filter *f, const ob_frame *frame, ob_error **error, const char *function)
{
    if (!f->kind->process) {
        obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "filter",
                   "%s: processing frames with filter %s is not supported by the rigsync "
                   "emulator",
                   function, f->kind->name);
        return NULL;
    }
    double values[OBEMU_FILTER_MAX_ITEMS];
    pthread_mutex_lock(&f->lock);
    memcpy(values, f->values, sizeof(values));
    pthread_mutex_unlock(&f->lock);
    return f->kind->process(values, frame, error, function);
}

OBEMU_EXPORT ob_frame *ob_filter_process(ob_filter *filter, const ob_frame *frame,
                                         ob_error **error)
{
    if (!filter || !frame) {
        FAIL_NULL(error, filter ? "frame" : "filter");
        return NULL;
    }
    return run(filter, frame, error, __func__);
}

OBEMU_EXPORT void ob_filter_set_callback(ob_filter *filter, ob_filter_callback callback,
                                         void *user_data, ob_error **error)
{
    if (!filter) {
        FAIL_NULL(error, "filter");
        return;
    }
    pthread_mutex_lock(&filter->lock);
    filter->callback = callback;
    filter->user_data = user_data;
    pthread_mutex_unlock(&filter->lock);
}

/* Processes the frame and hands the result to the callback before returning (see the top). A
 * frame the filter cannot process is reported to the caller, not dropped silently. */
OBEMU_EXPORT void ob_filter_push_frame(ob_filter *filter, const ob_frame *frame, ob_error **error)
{
    if (!filter || !frame) {
        FAIL_NULL(error, filter ? "frame" : "filter");
        return;
    }
    pthread_mutex_lock(&filter->lock);
    bool enabled = filter->enabled;
    ob_filter_callback cb = filter->callback;
    void *user = filter->user_data;
    pthread_mutex_unlock(&filter->lock);
    ob_frame *out = enabled ? run(filter, frame, error, __func__) : obemu_frame_retain(frame);
    if (!out)
        return;
    if (cb)
        cb(out, user);
    else
        obemu_frame_release(out); /* the SDK also drops results nobody takes */
}

/* ------------------------------------------------------------------------------------------ */
/* Filter lists                                                                               */

OBEMU_EXPORT uint32_t ob_filter_list_get_count(const ob_filter_list *filter_list, ob_error **error)
{
    if (!filter_list) {
        FAIL_NULL(error, "filter_list");
        return 0;
    }
    return filter_list->count;
}

OBEMU_EXPORT ob_filter *ob_filter_list_get_filter(const ob_filter_list *filter_list,
                                                  uint32_t index, ob_error **error)
{
    if (!filter_list) {
        FAIL_NULL(error, "filter_list");
        return NULL;
    }
    if (index >= filter_list->count) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "index",
                   "index %u is out of range (the list has %u filters)", index,
                   filter_list->count);
        return NULL;
    }
    return filter_retain(filter_list->items[index]);
}

OBEMU_EXPORT void ob_delete_filter_list(ob_filter_list *filter_list, ob_error **error)
{
    if (!filter_list) {
        FAIL_NULL(error, "filter_list");
        return;
    }
    for (uint32_t i = 0; i < filter_list->count; i++)
        filter_release(filter_list->items[i]);
    free(filter_list->items);
    free(filter_list);
}

/* The SDK's recommended post-processing filters of a sensor (Sensor.h), as a Gemini 330 gives
 * them without the SDK's private filter library: for depth, DecimationFilter, ThresholdFilter,
 * HDRMerge and SequenceIdFilter, all disabled; no filter for the other sensors. */
OBEMU_EXPORT ob_filter_list *ob_sensor_create_recommended_filter_list(const ob_sensor *sensor,
                                                                      ob_error **error)
{
    static const char *const depth_filters[] = {"DecimationFilter", "ThresholdFilter", "HDRMerge",
                                                 "SequenceIdFilter"};
    if (!sensor) {
        FAIL_NULL(error, "sensor");
        return NULL;
    }
    uint32_t n = sensor->type == OB_SENSOR_DEPTH ? 4 : 0;
    ob_filter_list *l = calloc(1, sizeof(*l));
    if (l && n)
        l->items = calloc(n, sizeof(*l->items));
    for (uint32_t i = 0; l && l->items && i < n; i++) {
        ob_filter *f = obemu_filter_new(depth_filters[i]);
        if (!f)
            break;
        f->enabled = false;
        l->items[l->count++] = f;
    }
    if (!l || l->count != n) {
        if (l)
            ob_delete_filter_list(l, NULL);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "sensor", "out of memory");
        return NULL;
    }
    return l;
}

/*
 * librigsync-obemu: the vendor's filters (Filter.h), shared between the object model
 * (obemu_filter.c) and the filters' processing (obemu_filter_process.c). Never exported.
 */
#ifndef RIGSYNC_OBEMU_FILTER_H
#define RIGSYNC_OBEMU_FILTER_H

#include "obemu_internal.h"

#define OBEMU_FILTER_MAX_ITEMS 10

/* What a filter computes on one frame: a new frame (one reference), or NULL with *error set, or
 * NULL without error where the SDK returns nothing (e.g. no depth frame in the input). `values`
 * are the filter's config values in its schema's order, read under the filter's lock. */
typedef ob_frame *(*obemu_filter_fn)(const double *values, const ob_frame *in, ob_error **error,
                                     const char *function);

typedef struct obemu_filter_kind {
    const char *name;   /* the name the SDK registers it under */
    const char *schema; /* its config schema: CSV rows "name, type, min, max, step, default,
                           description" */
    obemu_filter_fn process; /* NULL: processing is not supported by the emulator */
} obemu_filter_kind_t;

struct ob_filter_t {
    atomic_int refs; /* every handle (ob_create_filter, filter lists) */
    const obemu_filter_kind_t *kind;
    pthread_mutex_t lock;
    bool enabled;
    char *schema_text; /* the parsed copy the items' name and desc point into */
    uint32_t nitems;
    ob_filter_config_schema_item items[OBEMU_FILTER_MAX_ITEMS];
    double values[OBEMU_FILTER_MAX_ITEMS];
    ob_filter_callback callback;
    void *user_data;
};

struct ob_filter_list_t {
    uint32_t count;
    ob_filter **items; /* owned references */
};

struct ob_filter_config_schema_list_t {
    uint32_t count;
    ob_filter_config_schema_item *items; /* names point into the filter's schema_text */
    ob_filter *filter;                   /* holds them alive */
};

/* Processing (obemu_filter_process.c) */
OBEMU_INTERNAL ob_frame *obemu_filter_decimation(const double *values, const ob_frame *in,
                                                 ob_error **error, const char *function);
OBEMU_INTERNAL ob_frame *obemu_filter_threshold(const double *values, const ob_frame *in,
                                                ob_error **error, const char *function);
OBEMU_INTERNAL ob_frame *obemu_filter_point_cloud(const double *values, const ob_frame *in,
                                                  ob_error **error, const char *function);

/* Align (obemu_filter_align.c) */
OBEMU_INTERNAL ob_frame *obemu_filter_align(const double *values, const ob_frame *in,
                                            ob_error **error, const char *function);

/* FormatConverter (obemu_filter_convert.c) */
OBEMU_INTERNAL ob_frame *obemu_filter_format_convert(const double *values, const ob_frame *in,
                                                     ob_error **error, const char *function);

/** A new filter of that SDK name (one reference), NULL for an unknown name or without memory. */
OBEMU_INTERNAL ob_filter *obemu_filter_new(const char *name);

#endif /* RIGSYNC_OBEMU_FILTER_H */

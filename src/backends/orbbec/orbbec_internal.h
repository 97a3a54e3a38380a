/*
 * Inside the "orbbec" backend (see orbbec.c): the vendor functions it resolves, its state and
 * devices, shared by orbbec.c (loading, devices, streams, clocks) and orbbec_hotplug.c (the
 * SDK's device-changed callback and the worker that tells the core).
 */
#ifndef RIGSYNC_ORBBEC_INTERNAL_H
#define RIGSYNC_ORBBEC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "config/config_internal.h"
#include "core/core.h"
#include "mode/mode.h"
#include "ob_api.h"

/* Shared between the backend's files, not exported from the library. */
#define ORBBEC_HIDDEN __attribute__((visibility("hidden")))

/* The vendor functions rigsync uses, resolved by name. */
#define OB_FUNCTIONS(X)                                                                          \
    X(ob_create_context)                                                                         \
    X(ob_delete_context)                                                                         \
    X(ob_query_device_list)                                                                      \
    X(ob_device_list_get_count)                                                                  \
    X(ob_device_list_get_device_serial_number)                                                   \
    X(ob_device_list_get_device_name)                                                            \
    X(ob_device_list_get_device)                                                                 \
    X(ob_device_list_get_device_by_serial_number)                                                \
    X(ob_delete_device_list)                                                                     \
    X(ob_delete_device)                                                                          \
    X(ob_device_get_supported_multi_device_sync_mode_bitmap)                                     \
    X(ob_device_get_multi_device_sync_config)                                                    \
    X(ob_device_set_multi_device_sync_config)                                                    \
    X(ob_device_trigger_capture)                                                                 \
    X(ob_device_timer_sync_with_host)                                                            \
    X(ob_device_is_property_supported)                                                           \
    X(ob_device_get_structured_data)                                                             \
    X(ob_device_enable_global_timestamp)                                                         \
    X(ob_create_pipeline_with_device)                                                            \
    X(ob_delete_pipeline)                                                                        \
    X(ob_create_config)                                                                          \
    X(ob_delete_config)                                                                          \
    X(ob_config_enable_video_stream)                                                             \
    X(ob_pipeline_start_with_config)                                                             \
    X(ob_pipeline_wait_for_frameset)                                                             \
    X(ob_pipeline_stop)                                                                          \
    X(ob_frameset_get_color_frame)                                                               \
    X(ob_frameset_get_depth_frame)                                                               \
    X(ob_frame_get_timestamp_us)                                                                 \
    X(ob_frame_get_system_timestamp_us)                                                          \
    X(ob_frame_get_global_timestamp_us)                                                          \
    X(ob_frame_get_index)                                                                        \
    X(ob_frame_get_data)                                                                         \
    X(ob_frame_get_data_size)                                                                    \
    X(ob_video_frame_get_width)                                                                  \
    X(ob_video_frame_get_height)                                                                 \
    X(ob_frame_get_format)                                                                       \
    X(ob_delete_frame)                                                                           \
    X(ob_error_get_message)                                                                      \
    X(ob_delete_error)

/* Resolved when present (NULL otherwise): logger routing and the host clock type. */
#define OB_OPTIONAL_FUNCTIONS(X)                                                                 \
    X(ob_set_logger_severity)                                                                    \
    X(ob_set_logger_to_console)                                                                  \
    X(ob_set_logger_to_file)                                                                     \
    X(ob_context_get_timestamp_clock_type)                                                       \
    X(rigsync_obemu_host_time_us)                                                                \
    X(rigsync_obemu_frame_true_ts_us)                                                            \
    X(ob_register_device_changed_callback)                                                       \
    X(ob_unregister_device_changed_callback)                                                     \
    X(ob_set_device_changed_callback)

typedef struct ob_fns {
#define DECLARE(name) __typeof__(&name) name;
    OB_FUNCTIONS(DECLARE)
    OB_OPTIONAL_FUNCTIONS(DECLARE)
#undef DECLARE
} ob_fns_t;

typedef struct ob_state ob_state_t;

typedef struct ob_dev {
    ob_state_t *st;
    ob_device *device;
    char serial[64];
    size_t index;
    ob_pipeline *pipeline;
    ob_config *config;
    pthread_t thread;
    bool thread_running;
    atomic_bool stop; /* read by the frame thread; written before join */
    pthread_mutex_t lock;
    const rig_model_facts_t *facts; /* the family, when its name is known; else NULL */

    /* Clock work, done by the frame thread only (so unguarded), except write_now. */
    bool two_way;           /* the SDK lets applications read this family's device clock */
    int64_t us_per_tick;    /* device-time unit: 1 (us) or 1000 (ms); 0 until measured */
    int64_t unit_ref_host, unit_ref_ticks; /* first read since the last write, for the unit */
    bool just_written;      /* reading back rigsync's own write */
    unsigned samples_fed;   /* two-way samples handed to the estimator since the start */
    unsigned frames_fed;    /* frames handed to the core since the start (saturates) */
    int64_t write_asked_us; /* when write_now was first seen pending; RIG_TS_NONE: not yet */
    int64_t next_query_us;  /* host time of the next two-way read */
    int burst_left;
    int64_t next_write_us;  /* host time of the next periodic write; INT64_MAX: none */
    atomic_bool write_now;  /* clock sync was enabled: write at the next occasion */
} ob_dev_t;

struct ob_state {
    rig_context_t *ctx;
    void *lib;
    ob_fns_t fn;
    ob_context *obctx;
    rig_device_info_t *infos;
    size_t ninfos;
    clockid_t host_clock; /* the clock of the SDK's system timestamps */

    pthread_mutex_t write_lock; /* one clock write at a time */
    pthread_mutex_t lock; /* guards the fields below (and infos, which hot-plug changes) */
    ob_dev_t **devs;      /* open devices */
    size_t ndevs, cap_devs;
    bool sync_enabled;
    uint64_t sync_interval_ms;

    /* Hot-plug: the SDK's device-changed callback (on the SDK's thread) only queues what left
     * and what appeared; the hot-plug worker tells the core, which recovers devices on that
     * thread (it calls this backend's ops: never from inside the SDK's callback). */
    pthread_mutex_t hp_lock; /* guards the queue */
    pthread_cond_t hp_wake;
    pthread_t hp_thread;
    bool hp_started, hp_quit;
    bool hp_registered;
    ob_callback_id hp_id;
    struct hp_note *hp_notes;
    size_t hp_nnotes, hp_cap;
};

typedef struct hp_note {
    bool added;
    char serial[64];
    char name[64];
} hp_note_t;

/** Host time now, on the clock of the SDK's system timestamps (us). */
ORBBEC_HIDDEN int64_t orbbec_host_now_us(const ob_state_t *st);

/* Serial and name of the list's i-th device into serial / name (a generic name when the SDK
 * gives none); false when the SDK cannot say its serial (the device is skipped). */
ORBBEC_HIDDEN bool orbbec_list_entry(const ob_state_t *st, ob_device_list *list, uint32_t i,
                                     char *serial, size_t serial_len, char *name,
                                     size_t name_len);

/* orbbec_hotplug.c */
/** Registers the SDK's device-changed callback (when it has one) and starts the worker. */
ORBBEC_HIDDEN void orbbec_hotplug_start(ob_state_t *st);
/** Unregisters (when the SDK can) and joins the worker; before the SDK's context is deleted. */
ORBBEC_HIDDEN void orbbec_hotplug_stop(ob_state_t *st);

#endif

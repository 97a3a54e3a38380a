/*
 * ob_api.h: rigsync's own declarations of the subset of the Orbbec SDK v2 C API
 * (libOrbbecSDK.so) that rigsync uses. The emulator (librigsync-obemu.so) implements exactly
 * these functions; the orbbec backend resolves the same names with dlsym().
 *
 * Written from the facts of the vendor's public headers (OrbbecSDK v2.x, MIT licence,
 * include/libobsensor/h/{ObTypes,Error,Context,Device,MultipleDevices,Pipeline,Frame}.h as
 * published in orbbec/OrbbecSDK_v2): names, signatures, enum values and struct layouts match;
 * the text here is ours. A real application would include <libobsensor/ObSensor.h> instead.
 *
 * ABI facts worth knowing (they are easy to get wrong):
 *  - The vendor's ObTypes.h wraps every type in `#pragma pack(push, 1)`. So the sync config
 *    below is PACKED: triggerOutEnable (a 1-byte bool) at offset 16 is followed directly by
 *    triggerOutDelayUs at offset 17, framesPerTrigger at 21, sizeof == 25 (not the naturally
 *    aligned 20/24/28). ob_error is 776 bytes either way (4 + 3 * 256 + 4).
 *    ob_device_get_multi_device_sync_config returns this packed struct BY VALUE.
 *  - Enums are plain C enums (int-sized).
 *  - v2 moved OB_FORMAT_UNKNOWN to -1 (it was 0xff in v1) and inserted
 *    OB_EXCEPTION_STD_EXCEPTION = 1 into ob_exception_type (shifting the others up by one).
 *  - Error convention: the last parameter of every call is `ob_error **error`. On failure the
 *    library stores a heap ob_error in *error (the caller frees it with ob_delete_error and
 *    should reset its pointer to NULL); on success *error is left untouched. Callers start
 *    with `ob_error *err = NULL;`.
 *  - Frames are reference counted. A frameset is itself an ob_frame. The members returned by
 *    ob_frameset_get_color_frame / _depth_frame carry their own reference: delete them with
 *    ob_delete_frame, independently of the frameset. They return NULL (and no error) when the
 *    set has no frame of that kind.
 */
#ifndef RIGSYNC_OBEMU_OB_API_H
#define RIGSYNC_OBEMU_OB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define OBEMU_EXPORT __attribute__((visibility("default")))
#else
#define OBEMU_EXPORT
#endif

#ifdef __cplusplus
#define OBEMU_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define OBEMU_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- opaque handles ---------------------------------------------------------------------- */
typedef struct ob_context_t ob_context;
typedef struct ob_device_t ob_device;
typedef struct ob_device_info_t ob_device_info;
typedef struct ob_device_list_t ob_device_list;
typedef struct ob_pipeline_t ob_pipeline;
typedef struct ob_config_t ob_config;
typedef struct ob_frame_t ob_frame; /* single frames and framesets alike */

/* "any" wildcards for ob_config_enable_video_stream (vendor names and values). */
#define OB_WIDTH_ANY 0
#define OB_HEIGHT_ANY 0
#define OB_FPS_ANY 0
#define OB_FORMAT_ANY OB_FORMAT_UNKNOWN

/* Properties (Property.h): the one rigsync uses. Its structured value is
 * { uint64_t time; uint64_t rtt; } in the device's clock ticks (see rig_model_device_time). */
typedef int ob_property_id;
#define OB_STRUCT_DEVICE_TIME 1037

typedef enum {
    OB_PERMISSION_DENY = 0,
    OB_PERMISSION_READ = 1,
    OB_PERMISSION_WRITE = 2,
    OB_PERMISSION_READ_WRITE = 3,
    OB_PERMISSION_ANY = 255,
} ob_permission_type;

typedef enum {
    OB_LOG_SEVERITY_DEBUG = 0,
    OB_LOG_SEVERITY_INFO = 1,
    OB_LOG_SEVERITY_WARN = 2,
    OB_LOG_SEVERITY_ERROR = 3,
    OB_LOG_SEVERITY_FATAL = 4,
    OB_LOG_SEVERITY_OFF = 5,
} ob_log_severity;

typedef void(ob_log_callback)(ob_log_severity severity, const char *message, void *user_data);

/* The host clock of system timestamps (Context.h): the SDK's default is the wall clock. */
typedef enum {
    OB_CLOCK_TYPE_REALTIME = 0,
    OB_CLOCK_TYPE_MONOTONIC = 1,
} ob_clock_type;

/* Everything below mirrors the vendor's 1-byte packing of ObTypes.h. */
#pragma pack(push, 1)

/* ---- status and errors -------------------------------------------------------------------- */
typedef enum {
    OB_STATUS_OK = 0,
    OB_STATUS_ERROR = 1,
} ob_status;

typedef enum {
    OB_EXCEPTION_TYPE_UNKNOWN = 0,
    OB_EXCEPTION_STD_EXCEPTION = 1,
    OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED = 2,
    OB_EXCEPTION_TYPE_PLATFORM = 3,
    OB_EXCEPTION_TYPE_INVALID_VALUE = 4,
    OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE = 5,
    OB_EXCEPTION_TYPE_NOT_IMPLEMENTED = 6,
    OB_EXCEPTION_TYPE_IO = 7,
    OB_EXCEPTION_TYPE_MEMORY = 8,
    OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION = 9,
} ob_exception_type;

/** What a failed call reports. Field order and sizes are the vendor's. */
typedef struct ob_error {
    ob_status status;                 /* OB_STATUS_ERROR for every failure */
    char message[256];                /* what went wrong, NUL-terminated */
    char function[256];               /* the API function that failed */
    char args[256];                   /* the arguments it was given, as text */
    ob_exception_type exception_type; /* the kind of failure */
} ob_error;

/* ---- streams and formats ------------------------------------------------------------------ */
typedef enum {
    OB_STREAM_UNKNOWN = -1,
    OB_STREAM_VIDEO = 0,
    OB_STREAM_IR = 1,
    OB_STREAM_COLOR = 2,
    OB_STREAM_DEPTH = 3,
    OB_STREAM_ACCEL = 4,
    OB_STREAM_GYRO = 5,
    OB_STREAM_IR_LEFT = 6,
    OB_STREAM_IR_RIGHT = 7,
    OB_STREAM_RAW_PHASE = 8,
} ob_stream_type;

typedef enum {
    OB_FORMAT_UNKNOWN = -1, /* also OB_FORMAT_ANY */
    OB_FORMAT_YUYV = 0,
    OB_FORMAT_YUY2 = 1,
    OB_FORMAT_UYVY = 2,
    OB_FORMAT_NV12 = 3,
    OB_FORMAT_NV21 = 4,
    OB_FORMAT_MJPG = 5,
    OB_FORMAT_H264 = 6,
    OB_FORMAT_H265 = 7,
    OB_FORMAT_Y16 = 8, /* 16 bits per pixel, one channel: depth */
    OB_FORMAT_Y8 = 9,
    OB_FORMAT_Y10 = 10,
    OB_FORMAT_Y11 = 11,
    OB_FORMAT_Y12 = 12,
    OB_FORMAT_GRAY = 13,
    OB_FORMAT_HEVC = 14,
    OB_FORMAT_I420 = 15,
    OB_FORMAT_ACCEL = 16,
    OB_FORMAT_GYRO = 17,
    /* 18 is unused in the vendor's numbering */
    OB_FORMAT_POINT = 19,
    OB_FORMAT_RGB_POINT = 20,
    OB_FORMAT_RLE = 21,
    OB_FORMAT_RGB = 22, /* 8-bit R, G, B */
    OB_FORMAT_BGR = 23,
    OB_FORMAT_Y14 = 24,
    OB_FORMAT_BGRA = 25,
    OB_FORMAT_COMPRESSED = 26,
    OB_FORMAT_RVL = 27,
    OB_FORMAT_Z16 = 28,
    OB_FORMAT_YV12 = 29,
    OB_FORMAT_BA81 = 30,
    OB_FORMAT_RGBA = 31,
    OB_FORMAT_BYR2 = 32,
    OB_FORMAT_RW16 = 33,
} ob_format;

/* ---- multi-device sync -------------------------------------------------------------------- */
typedef enum {
    OB_MULTI_DEVICE_SYNC_MODE_FREE_RUN = 1 << 0,
    OB_MULTI_DEVICE_SYNC_MODE_STANDALONE = 1 << 1,
    OB_MULTI_DEVICE_SYNC_MODE_PRIMARY = 1 << 2,
    OB_MULTI_DEVICE_SYNC_MODE_SECONDARY = 1 << 3,
    OB_MULTI_DEVICE_SYNC_MODE_SECONDARY_SYNCED = 1 << 4,
    OB_MULTI_DEVICE_SYNC_MODE_SOFTWARE_TRIGGERING = 1 << 5,
    OB_MULTI_DEVICE_SYNC_MODE_HARDWARE_TRIGGERING = 1 << 6,
    OB_MULTI_DEVICE_SYNC_MODE_IR_IMU_SYNC = 1 << 7, /* newer v2 releases; rigsync never uses it */
} ob_multi_device_sync_mode;
typedef ob_multi_device_sync_mode OBMultiDeviceSyncMode;

/** A device's sync settings (microseconds). PACKED, 25 bytes: see the note at the top. */
typedef struct {
    OBMultiDeviceSyncMode syncMode;
    int depthDelayUs;         /* trigger to start of depth capture */
    int colorDelayUs;         /* trigger to start of color capture */
    int trigger2ImageDelayUs; /* trigger to image, both streams */
    bool triggerOutEnable;    /* emit / forward a pulse on sync-out */
    int triggerOutDelayUs;    /* delay of the sync-out pulse */
    int framesPerTrigger;     /* frames per trigger in the two TRIGGERING modes */
} ob_multi_device_sync_config;
typedef ob_multi_device_sync_config OBMultiDeviceSyncConfig;

#pragma pack(pop)

OBEMU_STATIC_ASSERT(sizeof(ob_status) == 4, "ob_status is int-sized");
OBEMU_STATIC_ASSERT(sizeof(ob_error) == 776, "ob_error layout");
OBEMU_STATIC_ASSERT(offsetof(ob_error, status) == 0, "ob_error.status");
OBEMU_STATIC_ASSERT(offsetof(ob_error, message) == 4, "ob_error.message");
OBEMU_STATIC_ASSERT(offsetof(ob_error, function) == 260, "ob_error.function");
OBEMU_STATIC_ASSERT(offsetof(ob_error, args) == 516, "ob_error.args");
OBEMU_STATIC_ASSERT(offsetof(ob_error, exception_type) == 772, "ob_error.exception_type");
OBEMU_STATIC_ASSERT(sizeof(bool) == 1, "the vendor ABI has a 1-byte bool");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, syncMode) == 0, "syncMode");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, depthDelayUs) == 4, "depthDelayUs");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, colorDelayUs) == 8, "colorDelayUs");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, trigger2ImageDelayUs) == 12,
                    "trigger2ImageDelayUs");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, triggerOutEnable) == 16,
                    "triggerOutEnable");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, triggerOutDelayUs) == 17,
                    "triggerOutDelayUs (packed)");
OBEMU_STATIC_ASSERT(offsetof(ob_multi_device_sync_config, framesPerTrigger) == 21,
                    "framesPerTrigger (packed)");
OBEMU_STATIC_ASSERT(sizeof(ob_multi_device_sync_config) == 25,
                    "ob_multi_device_sync_config is packed to 25 bytes");

/* ---- errors (Error.h) --------------------------------------------------------------------- */
OBEMU_EXPORT ob_status ob_error_get_status(const ob_error *error);
OBEMU_EXPORT const char *ob_error_get_message(const ob_error *error);
OBEMU_EXPORT const char *ob_error_get_function(const ob_error *error);
OBEMU_EXPORT const char *ob_error_get_args(const ob_error *error);
OBEMU_EXPORT ob_exception_type ob_error_get_exception_type(const ob_error *error);
/** Frees an error returned through an ob_error ** (takes the pointer itself, not its address). */
OBEMU_EXPORT void ob_delete_error(ob_error *error);

/* ---- context (Context.h) ------------------------------------------------------------------ */
OBEMU_EXPORT ob_context *ob_create_context(ob_error **error);
OBEMU_EXPORT void ob_delete_context(ob_context *context, ob_error **error);
/** Snapshot of the devices present; free with ob_delete_device_list. */
OBEMU_EXPORT ob_device_list *ob_query_device_list(ob_context *context, ob_error **error);
/* Logger (Context.h). The SDK writes ./Log/ in the working directory unless told otherwise;
 * these are global settings, best made before ob_create_context. The emulator never logs. */
OBEMU_EXPORT void ob_set_logger_severity(ob_log_severity severity, ob_error **error);
OBEMU_EXPORT void ob_set_logger_to_file(ob_log_severity severity, const char *directory,
                                        ob_error **error);
OBEMU_EXPORT void ob_set_logger_to_console(ob_log_severity severity, ob_error **error);
OBEMU_EXPORT void ob_set_logger_to_callback(ob_log_severity severity, ob_log_callback callback,
                                            void *user_data, ob_error **error);
/** The host clock of system timestamps (the emulator: its simulated host clock, REALTIME). */
OBEMU_EXPORT ob_clock_type ob_context_get_timestamp_clock_type(const ob_context *context,
                                                               ob_error **error);
/** Hot-plug (ObTypes.h / Context.h of v2.9.3): called with the devices that left and those that
 * appeared; the callee releases both lists with ob_delete_device_list. Called on a thread of
 * the SDK's own. */
typedef void (*ob_device_changed_callback)(ob_device_list *removed, ob_device_list *added,
                                           void *user_data);
typedef uint64_t ob_callback_id;
/** Deprecated in v2.9.3 for ob_register_device_changed_callback; each call adds a callback. */
OBEMU_EXPORT void ob_set_device_changed_callback(ob_context *context,
                                                 ob_device_changed_callback callback,
                                                 void *user_data, ob_error **error);
OBEMU_EXPORT ob_callback_id ob_register_device_changed_callback(ob_context *context,
                                                                ob_device_changed_callback callback,
                                                                void *user_data, ob_error **error);
OBEMU_EXPORT void ob_unregister_device_changed_callback(ob_context *context,
                                                        ob_callback_id callback_id,
                                                        ob_error **error);
/** Syncs every device's clock with the host now, then every repeat_interval_msec (0: once). */
OBEMU_EXPORT void ob_enable_device_clock_sync(ob_context *context, uint64_t repeat_interval_msec,
                                              ob_error **error);

/* ---- device list and devices (Device.h) --------------------------------------------------- */
OBEMU_EXPORT uint32_t ob_device_list_get_count(const ob_device_list *list, ob_error **error);
/** Strings belong to the list: valid until ob_delete_device_list. */
OBEMU_EXPORT const char *ob_device_list_get_device_name(const ob_device_list *list,
                                                        uint32_t index, ob_error **error);
OBEMU_EXPORT const char *ob_device_list_get_device_serial_number(const ob_device_list *list,
                                                                 uint32_t index,
                                                                 ob_error **error);
/** Opens a device; free with ob_delete_device. */
OBEMU_EXPORT ob_device *ob_device_list_get_device(const ob_device_list *list, uint32_t index,
                                                  ob_error **error);
OBEMU_EXPORT ob_device *ob_device_list_get_device_by_serial_number(const ob_device_list *list,
                                                                   const char *serial_number,
                                                                   ob_error **error);
OBEMU_EXPORT void ob_delete_device_list(ob_device_list *list, ob_error **error);
OBEMU_EXPORT void ob_delete_device(ob_device *device, ob_error **error);

/** Device info of an open device; free with ob_delete_device_info. Strings belong to it. */
OBEMU_EXPORT ob_device_info *ob_device_get_device_info(const ob_device *device, ob_error **error);
OBEMU_EXPORT const char *ob_device_info_get_name(const ob_device_info *info, ob_error **error);
OBEMU_EXPORT const char *ob_device_info_get_serial_number(const ob_device_info *info,
                                                          ob_error **error);
OBEMU_EXPORT void ob_delete_device_info(ob_device_info *info, ob_error **error);

/** Global timestamps (ob_frame_get_global_timestamp_us) are 0 until this enables them. */
OBEMU_EXPORT void ob_device_enable_global_timestamp(ob_device *device, bool enable,
                                                    ob_error **error);

/* ---- multi-device sync (MultipleDevices.h) ------------------------------------------------ */
/** Bitmap of the OB_MULTI_DEVICE_SYNC_MODE_* values the model supports. */
OBEMU_EXPORT uint16_t ob_device_get_supported_multi_device_sync_mode_bitmap(
    const ob_device *device, ob_error **error);
OBEMU_EXPORT void ob_device_set_multi_device_sync_config(ob_device *device,
                                                         const ob_multi_device_sync_config *config,
                                                         ob_error **error);
OBEMU_EXPORT ob_multi_device_sync_config
ob_device_get_multi_device_sync_config(const ob_device *device, ob_error **error);
/** One software trigger (SOFTWARE_TRIGGERING mode). */
OBEMU_EXPORT void ob_device_trigger_capture(ob_device *device, ob_error **error);
/** Sets the device clock from the host clock once (then reads it back, as the SDK does). */
OBEMU_EXPORT void ob_device_timer_sync_with_host(ob_device *device, ob_error **error);

/* ---- properties (Device.h) ---------------------------------------------------------------- */
OBEMU_EXPORT bool ob_device_is_property_supported(const ob_device *device,
                                                  ob_property_id property_id,
                                                  ob_permission_type permission,
                                                  ob_error **error);
/** Reads a structured property into data; *data_size: buffer size in, bytes written out. */
OBEMU_EXPORT void ob_device_get_structured_data(ob_device *device, ob_property_id property_id,
                                                uint8_t *data, uint32_t *data_size,
                                                ob_error **error);

/* ---- rigsync's own extension (not in the vendor's SDK) ------------------------------------ */
/**
 * The emulated host clock (microseconds, the clock of system timestamps), which in virtual
 * time is the simulator's. A program that brackets device-time reads with host clock readings
 * (rigsync's orbbec backend) looks this symbol up and uses it when present; with the real SDK
 * it is absent and the program reads the system clock.
 */
OBEMU_EXPORT uint64_t rigsync_obemu_host_time_us(const ob_context *context);
/**
 * The simulator's ground truth of a frame (or a frameset's first member): the true host-clock
 * instant of mid-exposure. For tests and benchmarks only (rigsync's backend passes it along so
 * that errors can be measured; no sync algorithm reads it). Returns false when unknown.
 */
OBEMU_EXPORT bool rigsync_obemu_frame_true_ts_us(const ob_frame *frame, int64_t *true_ts_us);

/* ---- pipelines (Pipeline.h) --------------------------------------------------------------- */
OBEMU_EXPORT ob_pipeline *ob_create_pipeline_with_device(const ob_device *dev, ob_error **error);
OBEMU_EXPORT void ob_delete_pipeline(ob_pipeline *pipeline, ob_error **error);
OBEMU_EXPORT ob_config *ob_create_config(ob_error **error);
OBEMU_EXPORT void ob_delete_config(ob_config *config, ob_error **error);
OBEMU_EXPORT void ob_config_enable_video_stream(ob_config *config, ob_stream_type stream_type,
                                                uint32_t width, uint32_t height, uint32_t fps,
                                                ob_format format, ob_error **error);
OBEMU_EXPORT void ob_pipeline_start_with_config(ob_pipeline *pipeline, const ob_config *config,
                                                ob_error **error);
OBEMU_EXPORT void ob_pipeline_stop(ob_pipeline *pipeline, ob_error **error);
/** Next frameset, or NULL (and no error) when none came within timeout_ms. Free it with
 * ob_delete_frame. */
OBEMU_EXPORT ob_frame *ob_pipeline_wait_for_frameset(ob_pipeline *pipeline, uint32_t timeout_ms,
                                                     ob_error **error);

/* ---- frames (Frame.h) --------------------------------------------------------------------- */
/** Member frames of a set: a new reference (ob_delete_frame it), or NULL when absent. */
OBEMU_EXPORT ob_frame *ob_frameset_get_depth_frame(const ob_frame *frameset, ob_error **error);
OBEMU_EXPORT ob_frame *ob_frameset_get_color_frame(const ob_frame *frameset, ob_error **error);
/** Device clock, microseconds. */
OBEMU_EXPORT uint64_t ob_frame_get_timestamp_us(const ob_frame *frame, ob_error **error);
/** Host clock when the frame was received, microseconds. */
OBEMU_EXPORT uint64_t ob_frame_get_system_timestamp_us(const ob_frame *frame, ob_error **error);
/** Device time mapped onto the host clock; 0 unless ob_device_enable_global_timestamp. */
OBEMU_EXPORT uint64_t ob_frame_get_global_timestamp_us(const ob_frame *frame, ob_error **error);
OBEMU_EXPORT uint64_t ob_frame_get_index(const ob_frame *frame, ob_error **error);
/** Drops one reference (frames and framesets alike). */
OBEMU_EXPORT void ob_delete_frame(const ob_frame *frame, ob_error **error);

/* Pixels of a single (video) frame: the buffer belongs to the frame. */
OBEMU_EXPORT uint8_t *ob_frame_get_data(const ob_frame *frame, ob_error **error);
OBEMU_EXPORT uint32_t ob_frame_get_data_size(const ob_frame *frame, ob_error **error);
OBEMU_EXPORT uint32_t ob_video_frame_get_width(const ob_frame *frame, ob_error **error);
OBEMU_EXPORT uint32_t ob_video_frame_get_height(const ob_frame *frame, ob_error **error);
OBEMU_EXPORT ob_format ob_frame_get_format(const ob_frame *frame, ob_error **error);

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_OB_API_H */

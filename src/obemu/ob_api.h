/*
 * ob_api.h: the umbrella header of rigsync's own declarations of the whole Orbbec SDK v2.9.3 C
 * API (libOrbbecSDK.so). librigsync-obemu.so exports every function; the ones it cannot honour
 * report "not supported" (see api/ob_export.h and `rigsync-obemu --coverage`). The orbbec
 * backend resolves the same names with dlsym().
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

#include "api/ob_export.h"
#include "api/ob_types.h"
#include "api/ob_property.h"
#include "api/ob_error.h"
#include "api/ob_context.h"
#include "api/ob_device.h"
#include "api/ob_advanced.h"
#include "api/ob_application_config.h"
#include "api/ob_filter.h"
#include "api/ob_frame.h"
#include "api/ob_multiple_devices.h"
#include "api/ob_pipeline.h"
#include "api/ob_record_playback.h"
#include "api/ob_sensor.h"
#include "api/ob_stream_profile.h"
#include "api/ob_type_helper.h"
#include "api/ob_utils.h"
#include "api/ob_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the ABI facts the emulator relies on --------------------------------------------------- */
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

/** One function of the vendor's C API: its vendor header ("Context", "Device", ...), its name,
 * and whether the emulator implements it (else it reports "not supported"). */
typedef struct {
    const char *header;
    const char *name;
    bool implemented;
} rigsync_obemu_api_entry;
/** The whole v2.9.3 C API in the vendor's header order (api/ob_all.def); *count: its length. */
OBEMU_EXPORT const rigsync_obemu_api_entry *rigsync_obemu_api_table(size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_OB_API_H */

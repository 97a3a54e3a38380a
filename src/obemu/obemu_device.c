/* librigsync-obemu: the device list and devices (see obemu_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Device list, devices                                                                       */

OBEMU_EXPORT ob_device_list *ob_query_device_list(ob_context *context, ob_error **error)
{
    if (!context) {
        FAIL_NULL(error, "context");
        return NULL;
    }
    ob_device_list *list = calloc(1, sizeof(*list));
    size_t n = 0;
    pthread_mutex_lock(&context->rig_lock);
    rig_context_device_count(context->rig, &n); /* on the bus now (hot-plug) */
    pthread_mutex_unlock(&context->rig_lock);
    if (list && n) {
        list->info = calloc(n, sizeof(*list->info));
        if (!list->info) {
            free(list);
            list = NULL;
        }
    }
    if (!list) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory listing devices");
        return NULL;
    }
    pthread_mutex_lock(&context->rig_lock);
    for (size_t i = 0; i < n; i++) {
        if (rig_context_device_info(context->rig, i, &list->info[i]) != RIG_OK) {
            n = i; /* one left the bus meanwhile */
            break;
        }
    }
    pthread_mutex_unlock(&context->rig_lock);
    list->count = (uint32_t)n;
    list->ctx = context;
    obemu_ctx_retain(context);
    return list;
}

OBEMU_EXPORT void ob_delete_device_list(ob_device_list *list, ob_error **error)
{
    if (!list) {
        FAIL_NULL(error, "list");
        return;
    }
    ob_context *c = list->ctx;
    free(list->info);
    free(list);
    obemu_ctx_release(c);
}

OBEMU_EXPORT uint32_t ob_device_list_get_count(const ob_device_list *list, ob_error **error)
{
    if (!list) {
        FAIL_NULL(error, "list");
        return 0;
    }
    return list->count;
}

static const rig_device_info_t *list_entry(const ob_device_list *list, uint32_t index,
                                           ob_error **error, const char *function)
{
    if (!list) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "list = NULL", "list is NULL");
        return NULL;
    }
    if (index >= list->count) {
        char args[32];
        snprintf(args, sizeof(args), "index = %u", index);
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args,
                   "device index %u is out of range: the list has %u devices", index, list->count);
        return NULL;
    }
    return &list->info[index];
}

OBEMU_EXPORT const char *ob_device_list_get_device_name(const ob_device_list *list,
                                                        uint32_t index, ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? info->model : NULL;
}

OBEMU_EXPORT const char *ob_device_list_get_device_serial_number(const ob_device_list *list,
                                                                 uint32_t index,
                                                                 ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? info->serial : NULL;
}

/* The live devices of every context, for frames to find theirs (ob_frame_get_device): a frame
 * keeps its device's address and opening number only, as the SDK's frames do not keep their
 * device alive. A device leaves the registry before it is freed. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static ob_device *live_head;
static uint64_t live_opened;

static void live_add(ob_device *d)
{
    pthread_mutex_lock(&live_lock);
    d->open_no = ++live_opened;
    d->live_next = live_head;
    live_head = d;
    pthread_mutex_unlock(&live_lock);
}

static void live_remove(ob_device *d)
{
    pthread_mutex_lock(&live_lock);
    for (ob_device **p = &live_head; *p; p = &(*p)->live_next)
        if (*p == d) {
            *p = d->live_next;
            break;
        }
    pthread_mutex_unlock(&live_lock);
}

ob_device *obemu_device_lookup(ob_device *d, uint64_t open_no)
{
    ob_device *found = NULL;
    pthread_mutex_lock(&live_lock);
    for (ob_device *x = live_head; x && !found; x = x->live_next) {
        if (x != d || x->open_no != open_no)
            continue;
        int refs = atomic_load(&x->refs);
        while (refs > 0 && !atomic_compare_exchange_weak(&x->refs, &refs, refs + 1)) {
        }
        if (refs > 0)
            found = x;
        break;
    }
    pthread_mutex_unlock(&live_lock);
    return found;
}

/* Closes the rig's device and frees what open_device made (its fitter, its lock). */
static void device_free(ob_context *c, ob_device *d)
{
    live_remove(d);
    pthread_mutex_lock(&c->qlock);
    for (ob_device **p = &c->devices; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    pthread_mutex_unlock(&c->qlock);
    if (atomic_load(&d->gone))
        obemu_hotplug_released(c);
    for (int s = 0; s < OBEMU_STREAM_COUNT; s++)
        free(d->sensor_stream[s]); /* stopped: a running one holds a reference to d */
    pthread_mutex_lock(&c->rig_lock);
    rig_device_close(d->rig);
    pthread_mutex_unlock(&c->rig_lock);
    vendor_fitter_destroy(d->fitter);
    pthread_mutex_destroy(&d->fit_lock);
    obemu_props_free(d);
    free(d);
}

/* The device of that serial when a handle of it is live (and it did not leave the bus), with
 * one more reference; NULL otherwise. A device whose last reference is being dropped is not
 * revived. */
static ob_device *find_open_device(ob_context *c, const char *serial)
{
    ob_device *found = NULL;
    pthread_mutex_lock(&c->qlock);
    for (ob_device *d = c->devices; d && !found; d = d->next) {
        if (atomic_load(&d->gone) || strcmp(d->info.serial, serial) != 0)
            continue;
        int refs = atomic_load(&d->refs);
        while (refs > 0 && !atomic_compare_exchange_weak(&d->refs, &refs, refs + 1)) {
        }
        if (refs > 0)
            found = d;
    }
    pthread_mutex_unlock(&c->qlock);
    return found;
}

/* Opens the device, or (as the SDK's device manager does) returns the device already open with
 * that serial, one more reference on it: every handle returned is deleted once. */
static ob_device *open_device(ob_context *c, const char *serial, ob_error **error,
                              const char *function)
{
    return obemu_device_open(c, serial, error, function);
}

ob_device *obemu_device_open(ob_context *c, const char *serial, ob_error **error,
                             const char *function)
{
    ob_device *open = find_open_device(c, serial);
    if (open)
        return open;
    char args[96];
    snprintf(args, sizeof(args), "serial_number = %s", serial);
    ob_device *d = calloc(1, sizeof(*d));
    if (!d) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args,
                   "out of memory opening device %s", serial);
        return NULL;
    }
    atomic_init(&d->refs, 1);
    atomic_init(&d->global_ts, false);
    atomic_init(&d->gone, false);
    pthread_mutex_lock(&c->rig_lock);
    rig_error_t err = rig_device_open(c->rig, serial, &d->rig);
    if (err == RIG_OK)
        err = rig_device_get_info(d->rig, &d->info);
    if (err != RIG_OK) {
        obemu_fail_rig(error, c, err, function, args);
        if (d->rig)
            rig_device_close(d->rig);
        pthread_mutex_unlock(&c->rig_lock);
        free(d);
        return NULL;
    }
    d->index = rig_device_index(d->rig);
    pthread_mutex_unlock(&c->rig_lock);
    if (!rig_model_device_time(d->info.model, &d->time))
        rig_model_device_time(RIG_MODEL_SIM_DEFAULT, &d->time);
    pthread_mutex_init(&d->fit_lock, NULL);
    d->fitter = vendor_fitter_create(d->info.timestamp_bits == 32 ? 32 : 64);
    vendor_fitter_set_tick_us(d->fitter, 1000000 / (int64_t)d->time.read_hz);
    d->last_write_seen_us = RIG_TS_NONE;
    if (!d->fitter) {
        device_free(c, d); /* vendor_fitter_destroy takes NULL */
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args,
                   "out of memory opening device %s", serial);
        return NULL;
    }

    live_add(d); /* numbered before any other thread can find it (device_free removes it) */
    pthread_mutex_lock(&c->qlock);
    bool ok = true;
    if (d->index >= c->route_cap) {
        size_t cap = d->index + 1;
        obemu_route_t *v = realloc(c->route, cap * sizeof(*v));
        ok = v != NULL;
        if (ok) {
            memset(v + c->route_cap, 0, (cap - c->route_cap) * sizeof(*v));
            c->route = v;
            c->route_cap = cap;
        }
    }
    if (ok) {
        d->ctx = c;
        obemu_ctx_retain(c);
        d->next = c->devices;
        c->devices = d;
    }
    pthread_mutex_unlock(&c->qlock);
    if (!ok) {
        device_free(c, d);
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, function, args,
                   "out of memory opening device %s", serial);
        return NULL;
    }
    return d;
}

/* The SDK refuses OB_DEVICE_ACCESS_DENIED; the emulated devices have no access control, and
 * for such devices the SDK ignores the mode asked (every other mode opens the device). */
static bool access_mode_ok(ob_device_access_mode mode, ob_error **error, const char *function)
{
    if (mode != OB_DEVICE_ACCESS_DENIED)
        return true;
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "accessMode = 0",
               "Invalid value passed for argument \"accessMode\": OB_DEVICE_ACCESS_DENIED opens "
               "nothing; use OB_DEVICE_DEFAULT_ACCESS");
    return false;
}

OBEMU_EXPORT ob_device *ob_device_list_get_device_ex(const ob_device_list *list, uint32_t index,
                                                     ob_device_access_mode accessMode,
                                                     ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    if (!info || !access_mode_ok(accessMode, error, __func__))
        return NULL;
    return open_device(list->ctx, info->serial, error, __func__);
}

OBEMU_EXPORT ob_device *ob_device_list_get_device(const ob_device_list *list, uint32_t index,
                                                  ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? open_device(list->ctx, info->serial, error, __func__) : NULL;
}

static ob_device *open_by_serial(const ob_device_list *list, const char *serial_number,
                                 ob_error **error, const char *function);

OBEMU_EXPORT ob_device *ob_device_list_get_device_by_serial_number(const ob_device_list *list,
                                                                   const char *serial_number,
                                                                   ob_error **error)
{
    return open_by_serial(list, serial_number, error, __func__);
}

OBEMU_EXPORT ob_device *
ob_device_list_get_device_by_serial_number_ex(const ob_device_list *list,
                                              const char *serial_number,
                                              ob_device_access_mode accessMode, ob_error **error)
{
    if (!access_mode_ok(accessMode, error, __func__))
        return NULL;
    return open_by_serial(list, serial_number, error, __func__);
}

/* The uid of an emulated device is its serial number (a real device's is its port path). */
OBEMU_EXPORT ob_device *ob_device_list_get_device_by_uid(const ob_device_list *list,
                                                         const char *uid, ob_error **error)
{
    return open_by_serial(list, uid, error, __func__);
}

OBEMU_EXPORT ob_device *ob_device_list_get_device_by_uid_ex(const ob_device_list *list,
                                                            const char *uid,
                                                            ob_device_access_mode accessMode,
                                                            ob_error **error)
{
    if (!access_mode_ok(accessMode, error, __func__))
        return NULL;
    return open_by_serial(list, uid, error, __func__);
}

static ob_device *open_by_serial(const ob_device_list *list, const char *serial_number,
                                 ob_error **error, const char *function)
{
    if (!list) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "list = NULL",
                   "NULL pointer passed for argument \"list\"");
        return NULL;
    }
    if (!serial_number) {
        obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, "serial_number = NULL",
                   "NULL pointer passed for argument \"serial_number\"");
        return NULL;
    }
    char present[512] = "";
    size_t used = 0;
    for (uint32_t i = 0; i < list->count; i++) {
        if (strcmp(list->info[i].serial, serial_number) == 0)
            return open_device(list->ctx, serial_number, error, function);
        int w = snprintf(present + used, sizeof(present) - used, "%s%s", used ? ", " : "",
                         list->info[i].serial);
        if (w > 0 && (size_t)w < sizeof(present) - used)
            used += (size_t)w;
    }
    char args[96];
    snprintf(args, sizeof(args), "serial_number = %.64s", serial_number);
    obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, function, args, /* the SDK: 100 */
               "no device with serial number %s in the device list (present: %s)", serial_number,
               used ? present : "none");
    return NULL;
}

void obemu_device_release(ob_device *d)
{
    if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
        return;
    ob_context *c = d->ctx;
    device_free(c, d);
    obemu_ctx_release(c);
}

OBEMU_EXPORT void ob_delete_device(ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    obemu_device_release(device);
}

OBEMU_EXPORT ob_device_info *ob_device_get_device_info(const ob_device *device, ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return NULL;
    }
    ob_device_info *info = calloc(1, sizeof(*info));
    if (!info) {
        obemu_fail(error, OB_EXCEPTION_TYPE_MEMORY, __func__, "", "out of memory");
        return NULL;
    }
    obemu_copy_str(info->name, sizeof(info->name), device->info.model);
    obemu_copy_str(info->serial, sizeof(info->serial), device->info.serial);
    obemu_copy_str(info->uid, sizeof(info->uid), device->info.serial);
    obemu_model_ids_t ids = obemu_model_ids(device->info.model);
    info->pid = ids.pid;
    info->vid = ids.vid;
    info->type = ids.type;
    return info;
}

OBEMU_EXPORT const char *ob_device_info_get_name(const ob_device_info *info, ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return NULL;
    }
    return info->name;
}

OBEMU_EXPORT const char *ob_device_info_get_serial_number(const ob_device_info *info,
                                                          ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return NULL;
    }
    return info->serial;
}

OBEMU_EXPORT void ob_delete_device_info(ob_device_info *info, ob_error **error)
{
    if (!info) {
        FAIL_NULL(error, "info");
        return;
    }
    free(info);
}

OBEMU_EXPORT void ob_device_enable_global_timestamp(ob_device *device, bool enable,
                                                    ob_error **error)
{
    if (!device) {
        FAIL_NULL(error, "device");
        return;
    }
    atomic_store(&device->global_ts, enable);
}

/* ------------------------------------------------------------------------------------------ */
/* What a device reports of itself                                                            */

#define OBEMU_ORBBEC_VID 0x2BC5

/* The families the simulator knows, with the USB product ids the SDK v2.9.3 lists for them. */
static const struct {
    const char *model;
    int pid;
    ob_device_type type;
} model_ids[] = {
    {"Femto Bolt", 0x066B, OB_TOF_CAMERA},
    {"Femto Mega", 0x0669, OB_TOF_CAMERA},
    {"Astra 2", 0x0660, OB_STRUCTURED_LIGHT_MONOCULAR_CAMERA},
    {"Gemini 210", 0x0809, OB_STRUCTURED_LIGHT_MONOCULAR_CAMERA},
    {"Gemini 215", 0x0808, OB_STRUCTURED_LIGHT_MONOCULAR_CAMERA},
    {"Gemini 2", 0x0670, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 2 L", 0x0673, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 2 XL", 0x0671, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 330", 0x0801, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 335", 0x0800, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 335L", 0x0804, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 336", 0x0803, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
    {"Gemini 336L", 0x0807, OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA},
};

obemu_model_ids_t obemu_model_ids(const char *model)
{
    /* rigsync's SimCam (and any unknown name) is no Orbbec product: pid 0, ToF depth. */
    obemu_model_ids_t ids = {0, OBEMU_ORBBEC_VID, OB_TOF_CAMERA};
    const rig_model_facts_t *facts = rig_model_facts(model);
    for (size_t i = 0; facts && i < sizeof(model_ids) / sizeof(model_ids[0]); i++)
        if (strcmp(facts->name, model_ids[i].model) == 0) {
            ids.pid = model_ids[i].pid;
            ids.type = model_ids[i].type;
        }
    return ids;
}

/* Version strings of the emulated hardware: no firmware runs, so they name the emulator. */
#define OBEMU_FIRMWARE_VERSION "obemu-1.0.0"
#define OBEMU_HARDWARE_VERSION "obemu"
#define OBEMU_MIN_SDK_VERSION "2.0.0"
#define OBEMU_ASIC_NAME "rigsync-sim"
#define OBEMU_CONNECTION_TYPE "USB3.2"

#define INFO_GETTER(type, name, expr, neutral)                                                   \
    OBEMU_EXPORT type name(const ob_device_info *info, ob_error **error)                      \
    {                                                                                          \
        if (!info) {                                                                           \
            obemu_fail(error, OB_EXCEPTION_TYPE_INVALID_VALUE, __func__, "info = NULL",        \
                       "NULL pointer passed for argument \"info\"");                          \
            return neutral;                                                                    \
        }                                                                                      \
        return expr;                                                                           \
    }

INFO_GETTER(int, ob_device_info_get_pid, info->pid, 0)
INFO_GETTER(int, ob_device_info_get_vid, info->vid, 0)
INFO_GETTER(const char *, ob_device_info_get_uid, info->uid, NULL)
INFO_GETTER(const char *, ob_device_info_get_firmware_version, OBEMU_FIRMWARE_VERSION, NULL)
INFO_GETTER(const char *, ob_device_info_get_hardware_version, OBEMU_HARDWARE_VERSION, NULL)
INFO_GETTER(const char *, ob_device_info_get_connection_type, OBEMU_CONNECTION_TYPE, NULL)
INFO_GETTER(const char *, ob_device_info_get_supported_min_sdk_version, OBEMU_MIN_SDK_VERSION,
            NULL)
INFO_GETTER(const char *, ob_device_info_get_asicName, OBEMU_ASIC_NAME, NULL)
INFO_GETTER(ob_device_type, ob_device_info_get_device_type, info->type, OB_DEVICE_TYPE_UNKNOWN)

/* The list's view of the same facts. */
OBEMU_EXPORT int ob_device_list_get_device_pid(const ob_device_list *list, uint32_t index,
                                               ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? obemu_model_ids(info->model).pid : 0;
}

OBEMU_EXPORT int ob_device_list_get_device_vid(const ob_device_list *list, uint32_t index,
                                               ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? obemu_model_ids(info->model).vid : 0;
}

OBEMU_EXPORT const char *ob_device_list_get_device_uid(const ob_device_list *list, uint32_t index,
                                                       ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? info->serial : NULL;
}

OBEMU_EXPORT const char *ob_device_list_get_device_connection_type(const ob_device_list *list,
                                                                   uint32_t index,
                                                                   ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? OBEMU_CONNECTION_TYPE : NULL;
}

/* Not an Ethernet device: the SDK answers "0.0.0.0" (and logs a warning). */
OBEMU_EXPORT const char *ob_device_list_get_device_ip_address(const ob_device_list *list,
                                                              uint32_t index, ob_error **error)
{
    const rig_device_info_t *info = list_entry(list, index, error, __func__);
    return info ? "0.0.0.0" : NULL;
}

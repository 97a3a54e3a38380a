#include "rigsync/rigsync.h"

typedef struct {
    rig_error_t code;
    const char *name;
    const char *text;
} error_entry_t;

static const error_entry_t errors[] = {
    {RIG_OK, "RIG_OK", "success"},
    {RIG_ERROR_INVALID_ARGUMENT, "RIG_ERROR_INVALID_ARGUMENT", "invalid argument"},
    {RIG_ERROR_NO_MEMORY, "RIG_ERROR_NO_MEMORY", "out of memory"},
    {RIG_ERROR_IO, "RIG_ERROR_IO", "input/output error"},
    {RIG_ERROR_CONFIG, "RIG_ERROR_CONFIG", "invalid configuration"},
    {RIG_ERROR_NOT_FOUND, "RIG_ERROR_NOT_FOUND", "not found"},
    {RIG_ERROR_UNSUPPORTED, "RIG_ERROR_UNSUPPORTED", "not supported by this device or backend"},
    {RIG_ERROR_TIMEOUT, "RIG_ERROR_TIMEOUT", "timed out"},
    {RIG_ERROR_STATE, "RIG_ERROR_STATE", "not allowed in the current state"},
    {RIG_ERROR_BACKEND, "RIG_ERROR_BACKEND", "the backend reported a failure"},
    {RIG_ERROR_NOT_AVAILABLE, "RIG_ERROR_NOT_AVAILABLE", "the backend is not available here"},
    {RIG_ERROR_INTERNAL, "RIG_ERROR_INTERNAL", "internal error"},
};

static const error_entry_t *find(rig_error_t err)
{
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (errors[i].code == err)
            return &errors[i];
    return NULL;
}

const char *rig_error_name(rig_error_t err)
{
    const error_entry_t *e = find(err);
    return e ? e->name : "RIG_ERROR_UNKNOWN";
}

const char *rig_strerror(rig_error_t err)
{
    const error_entry_t *e = find(err);
    return e ? e->text : "unknown error";
}

const char *rig_slot_status_name(rig_slot_status_t status)
{
    static const char *const names[] = {"ok", "interfered", "dropped", "silent", "missing"};
    return (unsigned)status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}

const char *rig_unmatched_reason_name(rig_unmatched_reason_t reason)
{
    switch (reason) {
    case RIG_UNMATCHED_LATE:
        return "late";
    case RIG_UNMATCHED_NO_TIME:
        return "no time";
    case RIG_UNMATCHED_OVERFLOW:
        return "overflow";
    case RIG_UNMATCHED_NO_SLOT:
        return "no slot";
    }
    return "unknown";
}

const char *rig_device_event_name(rig_device_event_kind_t kind)
{
    static const char *const names[] = {"gone",     "back",         "rebooted",
                                        "reconfigured", "restarted", "arrived",
                                        "clock jump",   "bogus timestamp", "recovery failed",
                                        "link loss"};
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

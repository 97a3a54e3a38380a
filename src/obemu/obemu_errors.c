/* librigsync-obemu: the vendor's error objects (see obemu_internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obemu_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */

void obemu_copy_str(char *dst, size_t len, const char *src)
{
    if (!len)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= len)
        n = len - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The status v2.9.3 gives an exception of each type (its exception header pairs each THROW_x
 * with one ob_status); STD_EXCEPTION and UNKNOWN carry the legacy OB_STATUS_ERROR (1). */
ob_status obemu_status_of(ob_exception_type type)
{
    switch (type) {
    case OB_EXCEPTION_TYPE_INVALID_VALUE: return OB_ERROR_INVALID_PARAMETER;
    case OB_EXCEPTION_TYPE_INVALID_DATA: return OB_ERROR_INVALID_DATA;
    case OB_EXCEPTION_TYPE_NOT_FOUND: return OB_ERROR_ITEM_NOT_FOUND;
    case OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION: return OB_ERROR_UNSUPPORTED_OPERATION;
    case OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE: return OB_ERROR_WRONG_API_CALL_SEQUENCE;
    case OB_EXCEPTION_TYPE_NOT_IMPLEMENTED: return OB_ERROR_NOT_IMPLEMENTED;
    case OB_EXCEPTION_TYPE_ACCESS_DENIED: return OB_ERROR_DEVICE_ACCESS_DENIED;
    case OB_EXCEPTION_TYPE_RESOURCE_BUSY: return OB_ERROR_RESOURCE_BUSY;
    case OB_EXCEPTION_TYPE_IO: return OB_ERROR_IO_FAILURE;
    case OB_EXCEPTION_TYPE_MEMORY: return OB_ERROR_MEMORY;
    case OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED: return OB_ERROR_DEVICE_DISCONNECTED;
    case OB_EXCEPTION_TYPE_DEVICE_UNAVAILABLE: return OB_ERROR_DEVICE_UNAVAILABLE;
    default: return OB_STATUS_ERROR;
    }
}

/* Stores a new heap error in *error (when error is not NULL). */
OBEMU_PRINTF(5, 6)
void obemu_fail(ob_error **error, ob_exception_type type, const char *function,
                const char *args, const char *fmt, ...)
{
    if (!error)
        return;
    ob_error *e = calloc(1, sizeof(*e));
    if (!e)
        return; /* nothing can be reported without memory */
    e->status = obemu_status_of(type);
    e->exception_type = type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    obemu_copy_str(e->function, sizeof(e->function), function);
    obemu_copy_str(e->args, sizeof(e->args), args);
    *error = e;
}

ob_exception_type obemu_exception_of(rig_error_t err)
{
    switch (err) {
    case RIG_ERROR_INVALID_ARGUMENT:
    case RIG_ERROR_NOT_FOUND:
    case RIG_ERROR_CONFIG:
        return OB_EXCEPTION_TYPE_INVALID_VALUE;
    case RIG_ERROR_UNSUPPORTED:
        return OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION;
    case RIG_ERROR_STATE:
        return OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE;
    case RIG_ERROR_NO_MEMORY:
        return OB_EXCEPTION_TYPE_MEMORY;
    case RIG_ERROR_IO:
        return OB_EXCEPTION_TYPE_IO;
    default:
        return OB_EXCEPTION_TYPE_UNKNOWN;
    }
}

/* Reports a rig failure with the rig's own detail. Called with rig_lock held, so that the
 * context's last error is the one of this call. */
void obemu_fail_rig(ob_error **error, ob_context *c, rig_error_t err, const char *function,
                    const char *args)
{
    char detail[1024];
    rig_context_last_error(c->rig, detail, sizeof(detail));
    if (detail[0])
        obemu_fail(error, obemu_exception_of(err), function, args, "%s", detail);
    else
        obemu_fail(error, obemu_exception_of(err), function, args, "%s", rig_strerror(err));
}

OBEMU_EXPORT ob_status ob_error_get_status(const ob_error *error)
{
    return error ? error->status : OB_STATUS_OK;
}

OBEMU_EXPORT const char *ob_error_get_message(const ob_error *error)
{
    return error ? error->message : NULL; /* as the SDK: NULL for no error */
}

OBEMU_EXPORT const char *ob_error_get_function(const ob_error *error)
{
    return error ? error->function : NULL; /* as the SDK: NULL for no error */
}

OBEMU_EXPORT const char *ob_error_get_args(const ob_error *error)
{
    return error ? error->args : NULL; /* as the SDK: NULL for no error */
}

OBEMU_EXPORT ob_exception_type ob_error_get_exception_type(const ob_error *error)
{
    return error ? error->exception_type : OB_EXCEPTION_TYPE_UNKNOWN;
}

OBEMU_EXPORT void ob_delete_error(ob_error *error) { free(error); }

OBEMU_EXPORT ob_error *ob_create_error(ob_status status, const char *message, const char *function,
                                       const char *args, ob_exception_type exception_type)
{
    ob_error *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->status = status;
    e->exception_type = exception_type;
    obemu_copy_str(e->message, sizeof(e->message), message);
    obemu_copy_str(e->function, sizeof(e->function), function);
    obemu_copy_str(e->args, sizeof(e->args), args);
    return e;
}

/*
 * librigsync-obemu: the functions of the vendor's C API that the emulator does not honour.
 *
 * Every row marked STUB in api/ob_*.def becomes an exported definition here that reports the
 * call the way the real SDK reports an unsupported feature (status OB_ERROR_UNSUPPORTED_OPERATION,
 * exception OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, a message naming the function) and returns
 * the neutral value: NULL, 0, false or a zeroed struct. Functions without an error parameter
 * (OBEMU_N rows) can only return the neutral value. Rows marked IMPL expand to nothing: their
 * definitions live in the other obemu_*.c files.
 */
#include <string.h>

#include "obemu_internal.h"

void obemu_not_supported(ob_error **error, const char *function)
{
    obemu_fail(error, OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION, function, "",
               "%s: not supported by the rigsync emulator", function);
    if (error && *error)
        (*error)->status = OB_ERROR_UNSUPPORTED_OPERATION;
}

/* A stub receives its arguments but looks only at `error`. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

#define OBEMU_STUB_F_IMPL(ret, name, params)
#define OBEMU_STUB_F_STUB(ret, name, params)     \
    OBEMU_EXPORT ret name params                 \
    {                                            \
        ret neutral;                             \
        memset(&neutral, 0, sizeof(neutral));    \
        obemu_not_supported(error, #name);       \
        return neutral;                          \
    }
#define OBEMU_STUB_V_IMPL(name, params)
#define OBEMU_STUB_V_STUB(name, params)          \
    OBEMU_EXPORT void name params                \
    {                                            \
        obemu_not_supported(error, #name);       \
    }
#define OBEMU_STUB_N_IMPL(ret, name, params)
#define OBEMU_STUB_N_STUB(ret, name, params)     \
    OBEMU_EXPORT ret name params                 \
    {                                            \
        ret neutral;                             \
        memset(&neutral, 0, sizeof(neutral));    \
        return neutral;                          \
    }

#define OBEMU_F(status, ret, name, params, args) OBEMU_STUB_F_##status(ret, name, params)
#define OBEMU_V(status, name, params, args) OBEMU_STUB_V_##status(name, params)
#define OBEMU_N(status, ret, name, params, args) OBEMU_STUB_N_##status(ret, name, params)
#include "api/ob_all.def"

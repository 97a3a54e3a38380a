/* librigsync-obemu: the table of the whole vendor C API and what the emulator does with each
 * function (implemented / not supported), built from the same api/ob_*.def rows as the
 * declarations and the stubs, so it cannot drift from what the library exports. */
#include "obemu_internal.h"

#define OBEMU_IS_IMPL true
#define OBEMU_IS_STUB false
#define OBEMU_F(status, ret, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},
#define OBEMU_V(status, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},
#define OBEMU_N(status, ret, name, params, args) {OBEMU_HEADER, #name, OBEMU_IS_##status},

static const rigsync_obemu_api_entry api_table[] = {
#include "api/ob_all.def"
};

OBEMU_EXPORT const rigsync_obemu_api_entry *rigsync_obemu_api_table(size_t *count)
{
    if (count)
        *count = sizeof(api_table) / sizeof(api_table[0]);
    return api_table;
}

/* ob_advanced.h: declarations of the functions of the vendor's Advanced.h, from the table ob_advanced.def. */
#ifndef RIGSYNC_OBEMU_API_OB_ADVANCED_H
#define RIGSYNC_OBEMU_API_OB_ADVANCED_H

#include "ob_export.h"
#include "ob_property.h"
#include "ob_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OBEMU_F OBEMU_DECLARE_F
#define OBEMU_V OBEMU_DECLARE_V
#define OBEMU_N OBEMU_DECLARE_N
#include "ob_advanced.def"
#undef OBEMU_F
#undef OBEMU_V
#undef OBEMU_N

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_API_OB_ADVANCED_H */

/* ob_version.h: declarations of the functions of the vendor's Version.h, from the table ob_version.def. */
#ifndef RIGSYNC_OBEMU_API_OB_VERSION_H
#define RIGSYNC_OBEMU_API_OB_VERSION_H

#include "ob_export.h"
#include "ob_property.h"
#include "ob_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OBEMU_F OBEMU_DECLARE_F
#define OBEMU_V OBEMU_DECLARE_V
#define OBEMU_N OBEMU_DECLARE_N
#include "ob_version.def"
#undef OBEMU_F
#undef OBEMU_V
#undef OBEMU_N

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_API_OB_VERSION_H */

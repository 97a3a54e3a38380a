/* ob_application_config.h: declarations of the functions of the vendor's ApplicationConfig.h, from the table ob_application_config.def. */
#ifndef RIGSYNC_OBEMU_API_OB_APPLICATION_CONFIG_H
#define RIGSYNC_OBEMU_API_OB_APPLICATION_CONFIG_H

#include "ob_export.h"
#include "ob_property.h"
#include "ob_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The keys of the application config (vendor values) and how an item packs a key with an
 * array index: the key in the low 32 bits, the index in the high 32 bits. */
typedef enum {
    OB_APP_CONFIG_SENSORS = 0,
    OB_APP_CONFIG_SENSOR_TYPE = 1,
    OB_APP_CONFIG_STREAM_ENABLED = 2,
    OB_APP_CONFIG_STREAM_PROFILE = 3,
    OB_APP_CONFIG_UNDISTORTION_ENABLED = 4,
    OB_APP_CONFIG_DEVICE_DECIMATION_ENABLED = 5,
    OB_APP_CONFIG_DEVICE_DECIMATION = 6,
    OB_APP_CONFIG_POINTCLOUD_ENABLED = 100,
    OB_APP_CONFIG_POINTCLOUD_FORMAT = 101,
    OB_APP_CONFIG_POINTCLOUD_DECIMATION_FACTOR = 102,
    OB_APP_CONFIG_POINTCLOUD_ALIGN_MODE = 103,
    OB_APP_CONFIG_POINTCLOUD_FRAME_SYNC = 104,
    OB_APP_CONFIG_POINTCLOUD_ALL_FRAME_TYPE_REQUIRED = 105,
    OB_APP_CONFIG_POINTCLOUD_MATCH_TARGET_RESOLUTION = 106,
    OB_APP_CONFIG_HDR_MERGE_ENABLED = 200,
    OB_APP_CONFIG_HDR_MERGE_IR_ENABLED = 201,
} OBAppConfigKey, ob_app_config_key;

typedef uint64_t OBAppConfigItem, ob_app_config_item;

#define OB_APP_CONFIG_INDEX_NONE (0u)
#define OB_APP_CONFIG_ITEM(key) ((OBAppConfigItem)(uint32_t)(key))
#define OB_APP_CONFIG_ARRAY_ITEM(key, index) \
    ((OB_APP_CONFIG_ITEM(index) << 32) | OB_APP_CONFIG_ITEM(key))
#define OB_APP_CONFIG_ITEM_KEY(item) ((OBAppConfigKey)(uint32_t)((item) & 0xFFFFFFFFu))
#define OB_APP_CONFIG_ITEM_INDEX(item) ((uint32_t)(((item) >> 32) & 0xFFFFFFFFu))

typedef enum {
    OB_APP_CONFIG_VALUE_BOOL = 0,
    OB_APP_CONFIG_VALUE_INT = 1,
    OB_APP_CONFIG_VALUE_FLOAT = 2,
    OB_APP_CONFIG_VALUE_STRING = 3,
    OB_APP_CONFIG_VALUE_STRUCT = 4,
} OBAppConfigValueType, ob_app_config_value_type;

#define OBEMU_F OBEMU_DECLARE_F
#define OBEMU_V OBEMU_DECLARE_V
#define OBEMU_N OBEMU_DECLARE_N
#include "ob_application_config.def"
#undef OBEMU_F
#undef OBEMU_V
#undef OBEMU_N

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_API_OB_APPLICATION_CONFIG_H */

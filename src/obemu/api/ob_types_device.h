/*
 * ob_types_device.h: the second half of the vendor's ObTypes.h (OrbbecSDK v2.9.3): device
 * state and temperatures, pipeline status, sync, network, filters, presets, frame metadata,
 * and the callback types. Same rules as ob_types.h (explicit values, 1-byte packing); include
 * ob_types.h, not this file.
 */
#ifndef RIGSYNC_OBEMU_API_OB_TYPES_DEVICE_H
#define RIGSYNC_OBEMU_API_OB_TYPES_DEVICE_H

#ifndef RIGSYNC_OBEMU_API_OB_TYPES_H
#error "include ob_types.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#pragma pack(push, 1)

typedef uint64_t OBDeviceState, ob_device_state;
typedef enum {
    OB_PIPELINE_ISSUE_NONE = 0,
    OB_PIPELINE_ISSUE_SDK = 1,
    OB_PIPELINE_ISSUE_DRIVER = 2,
    OB_PIPELINE_ISSUE_FW = 4,
    OB_PIPELINE_ISSUE_HW = 8,
} OBPipelineIssue, ob_pipeline_issue;
#define OB_SDK_STATUS_FRAME_DROP_DATA (1ULL << 0)
#define OB_SDK_STATUS_FRAME_DROP_TIMESTAMP (1ULL << 1)
#define OB_SDK_STATUS_FRAME_DROP_MATCH (1ULL << 2)
#define OB_SDK_STATUS_FRAME_QUEUE_OVERFLOW (1ULL << 3)
#define OB_SDK_STATUS_FRAME_WAIT_TIMEOUT (1ULL << 4)
#define OB_SDK_STATUS_STREAM_NO_FRAME (1ULL << 5)
typedef struct {
    OBPipelineIssue issue;
    uint64_t sdkStatus;
    uint64_t devStatus;
    uint64_t drvStatus;
    uint64_t reserved[3];
} OBPipelineStatus, ob_pipeline_status;
typedef struct {
    float cpuTemp;
    float irTemp;
    float ldmTemp;
    float mainBoardTemp;
    float tecTemp;
    float imuTemp;
    float rgbTemp;
    float irLeftTemp;
    float irRightTemp;
    float chipTopTemp;
    float chipBottomTemp;
} OBDeviceTemperature, ob_device_temperature, DEVICE_TEMPERATURE;
typedef enum {
    DEPTH_CROPPING_MODE_AUTO = 0,
    DEPTH_CROPPING_MODE_CLOSE = 1,
    DEPTH_CROPPING_MODE_OPEN = 2,
} OBDepthCroppingMode, ob_depth_cropping_mode, OB_DEPTH_CROPPING_MODE;
typedef enum {
    OB_DEVICE_TYPE_UNKNOWN = -1,
    OB_STRUCTURED_LIGHT_MONOCULAR_CAMERA = 0,
    OB_STRUCTURED_LIGHT_BINOCULAR_CAMERA = 1,
    OB_TOF_CAMERA = 2,
} OBDeviceType, ob_device_type, OB_DEVICE_TYPE;
typedef enum {
    OB_MEDIA_COLOR_STREAM = 1,
    OB_MEDIA_DEPTH_STREAM = 2,
    OB_MEDIA_IR_STREAM = 4,
    OB_MEDIA_GYRO_STREAM = 8,
    OB_MEDIA_ACCEL_STREAM = 16,
    OB_MEDIA_CAMERA_PARAM = 32,
    OB_MEDIA_DEVICE_INFO = 64,
    OB_MEDIA_STREAM_INFO = 128,
    OB_MEDIA_IR_LEFT_STREAM = 256,
    OB_MEDIA_IR_RIGHT_STREAM = 512,
    OB_MEDIA_ALL = 1023,
} OBMediaType, ob_media_type, OB_MEDIA_TYPE;
typedef enum {
    OB_MEDIA_BEGIN = 0,
    OB_MEDIA_PAUSE = 1,
    OB_MEDIA_RESUME = 2,
    OB_MEDIA_END = 3,
} OBMediaState, ob_media_state, OB_MEDIA_STATE_EM;
typedef enum {
    OB_PRECISION_1MM = 0,
    OB_PRECISION_0MM8 = 1,
    OB_PRECISION_0MM4 = 2,
    OB_PRECISION_0MM1 = 3,
    OB_PRECISION_0MM2 = 4,
    OB_PRECISION_0MM5 = 5,
    OB_PRECISION_0MM05 = 6,
    OB_PRECISION_UNKNOWN = 7,
    OB_PRECISION_COUNT = 8,
} OBDepthPrecisionLevel, ob_depth_precision_level, OB_DEPTH_PRECISION_LEVEL, OBDepthUnit, ob_depth_unit;
typedef struct {
    double zpd;
    double zpps;
    float baseline;
    double fx;
    uint8_t bitSize;
    float unit;
    float minDisparity;
    uint8_t packMode;
    float dispOffset;
    int32_t invalidDisp;
    int32_t dispIntPlace;
    uint8_t isDualCamera;
} OBDisparityParam, ob_disparity_param;
typedef enum {
    OB_TOF_FILTER_RANGE_CLOSE = 0,
    OB_TOF_FILTER_RANGE_MIDDLE = 1,
    OB_TOF_FILTER_RANGE_LONG = 2,
    OB_TOF_FILTER_RANGE_DEBUG = 100,
} OBTofFilterRange, ob_tof_filter_range, TOF_FILTER_RANGE;
typedef struct {
    float x;
    float y;
    float z;
} OBPoint, ob_point, OBPoint3f, ob_point3f;
typedef struct {
    float x;
    float y;
} OBPoint2f, ob_point2f;
typedef struct {
    float *xTable;
    float *yTable;
    int width;
    int height;
} OBXYTables, ob_xy_tables;
typedef struct {
    float x;
    float y;
    float z;
    float r;
    float g;
    float b;
} OBColorPoint, ob_color_point;
typedef struct {
    float angle;
    float distance;
    uint16_t intensity;
} OBLiDARScanPoint, ob_lidar_scan_point;
typedef struct {
    float x;
    float y;
    float z;
    uint8_t reflectivity;
    uint8_t tag;
} OBLiDARPoint, ob_lidar_point;
typedef struct {
    float distance;
    float theta;
    float phi;
    uint8_t reflectivity;
    uint8_t tag;
} OBLiDARSpherePoint, ob_lidar_sphere_point;
typedef enum {
    OB_COMPRESSION_LOSSLESS = 0,
    OB_COMPRESSION_LOSSY = 1,
} OBCompressionMode, ob_compression_mode, OB_COMPRESSION_MODE;
typedef struct {
    int threshold;
} OBCompressionParams, ob_compression_params, OB_COMPRESSION_PARAMS;
typedef struct {
    int32_t upper;
    int32_t lower;
} OBTofExposureThresholdControl, ob_tof_exposure_threshold_control, TOF_EXPOSURE_THRESHOLD_CONTROL;
typedef enum {
    OB_SYNC_MODE_CLOSE = 0,
    OB_SYNC_MODE_STANDALONE = 1,
    OB_SYNC_MODE_PRIMARY = 2,
    OB_SYNC_MODE_SECONDARY = 3,
    OB_SYNC_MODE_PRIMARY_MCU_TRIGGER = 4,
    OB_SYNC_MODE_PRIMARY_IR_TRIGGER = 5,
    OB_SYNC_MODE_PRIMARY_SOFT_TRIGGER = 6,
    OB_SYNC_MODE_SECONDARY_SOFT_TRIGGER = 7,
    OB_SYNC_MODE_IR_IMU_SYNC = 8,
    OB_SYNC_MODE_UNKNOWN = 255,
} OBSyncMode, ob_sync_mode, OB_SYNC_MODE;
typedef struct {
    OBSyncMode syncMode;
    uint16_t irTriggerSignalInDelay;
    uint16_t rgbTriggerSignalInDelay;
    uint16_t deviceTriggerSignalOutDelay;
    uint16_t deviceTriggerSignalOutPolarity;
    uint16_t mcuTriggerFrequency;
    uint16_t deviceId;
} OBDeviceSyncConfig, ob_device_sync_config, OB_DEVICE_SYNC_CONFIG;
typedef enum {
    OB_DEVICE_DEPTH_WORK_MODE = 0,
    OB_CUSTOM_DEPTH_WORK_MODE = 1,
} OBDepthWorkModeTag, ob_depth_work_mode_tag;
typedef struct {
    uint8_t checksum[16];
    char name[32];
    OBDepthWorkModeTag tag;
} OBDepthWorkMode, ob_depth_work_mode;
typedef struct {
    int sequenceSelectId;
    char name[8];
} OBSequenceIdItem, ob_sequence_id_item;
typedef enum {
    OB_HOLE_FILL_TOP = 0,
    OB_HOLE_FILL_NEAREST = 1,
    OB_HOLE_FILL_FAREST = 2,
} OBHoleFillingMode, ob_hole_filling_mode;
typedef struct {
    uint8_t radius;
} OBSpatialFastFilterParams, ob_spatial_fast_filter_params;
typedef struct {
    uint8_t radius;
    uint8_t magnitude;
    uint16_t disp_diff;
} OBSpatialModerateFilterParams, ob_spatial_moderate_filter_params;
typedef struct {
    uint8_t magnitude;
    float alpha;
    uint16_t disp_diff;
    uint16_t radius;
} OBSpatialAdvancedFilterParams, ob_spatial_advanced_filter_params;
typedef enum OB_EDGE_NOISE_REMOVAL_TYPE {
    OB_MG_FILTER = 0,
    OB_MGH_FILTER = 1,
    OB_MGA_FILTER = 2,
    OB_MGC_FILTER = 3,
} OBEdgeNoiseRemovalType, ob_edge_noise_removal_type;
typedef enum OB_DDO_NOISE_REMOVAL_TYPE {
    OB_NR_LUT = 0,
    OB_NR_OVERALL = 1,
} OBDDONoiseRemovalType, ob_ddo_noise_removal_type;
typedef struct {
    uint16_t max_size;
    uint16_t disp_diff;
    OBDDONoiseRemovalType type;
} OBNoiseRemovalFilterParams, ob_noise_removal_filter_params;
typedef struct {
    int margin_x_th;
    int margin_y_th;
    int limit_x_th;
    int limit_y_th;
    uint32_t width;
    uint32_t height;
    bool enable_direction;
} OBEdgeNoiseRemovalFilterParams, ob_edge_noise_removal_filter_params;
typedef struct {
    int max_width_left;
    int max_width_right;
    int max_radius;
    int margin_x_th;
    int margin_y_th;
    int limit_x_th;
    int limit_y_th;
    uint32_t width;
    uint32_t height;
} OBMgcNoiseRemovalFilterParams, ob_mgc_noise_removal_filter_params;
typedef struct {
    uint16_t max_lut[16];
    uint16_t min_diff;
    uint32_t width;
    uint32_t height;
} OBLutNoiseRemovalFilterParams, ob_lut_noise_removal_filter_params;
typedef struct {
    uint8_t major;
    uint8_t minor;
    uint8_t patch;
} OBProtocolVersion, ob_protocol_version;
typedef enum {
    OB_CMD_VERSION_V0 = 0,
    OB_CMD_VERSION_V1 = 1,
    OB_CMD_VERSION_V2 = 2,
    OB_CMD_VERSION_V3 = 3,
    OB_CMD_VERSION_NOVERSION = 65534,
    OB_CMD_VERSION_INVALID = 65535,
} OB_CMD_VERSION, OBCmdVersion, ob_cmd_version;
typedef struct {
    uint16_t dhcp;
    uint8_t address[4];
    uint8_t mask[4];
    uint8_t gateway[4];
} OBNetIpConfig, ob_net_ip_config, DEVICE_IP_ADDR_CONFIG;
#define OBDeviceIpAddrConfig OBNetIpConfig
#define ob_device_ip_addr_config OBNetIpConfig
#define OB_NET_IP_FLAG_DHCP (0x01u)
#define OB_NET_IP_FLAG_PERSISTENT (0x02u)
typedef struct {
    uint16_t flags;
    uint8_t address[4];
    uint8_t mask[4];
    uint8_t gateway[4];
} OBNetIpConfigV2, ob_net_ip_config_v2, DEVICE_IP_ADDR_CONFIG_V2;
typedef enum {
    OB_COMM_USB = 0,
    OB_COMM_NET = 1,
} OBCommunicationType, ob_communication_type, OB_COMMUNICATION_TYPE;
typedef enum {
    OB_USB_POWER_NO_PLUGIN = 0,
    OB_USB_POWER_5V_0A9 = 1,
    OB_USB_POWER_5V_1A5 = 2,
    OB_USB_POWER_5V_3A0 = 3,
} OBUSBPowerState, ob_usb_power_state;
typedef enum {
    OB_DC_POWER_NO_PLUGIN = 0,
    OB_DC_POWER_PLUGIN = 1,
} OBDCPowerState, ob_dc_power_state;
typedef enum {
    OB_ROTATE_DEGREE_0 = 0,
    OB_ROTATE_DEGREE_90 = 90,
    OB_ROTATE_DEGREE_180 = 180,
    OB_ROTATE_DEGREE_270 = 270,
} ob_rotate_degree_type, OBRotateDegreeType;
typedef enum {
    OB_POWER_LINE_FREQ_MODE_CLOSE = 0,
    OB_POWER_LINE_FREQ_MODE_50HZ = 1,
    OB_POWER_LINE_FREQ_MODE_60HZ = 2,
} ob_power_line_freq_mode, OBPowerLineFreqMode;
typedef enum {
    OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE = 0,
    OB_FRAME_AGGREGATE_OUTPUT_COLOR_FRAME_REQUIRE = 1,
    OB_FRAME_AGGREGATE_OUTPUT_ANY_SITUATION = 2,
    OB_FRAME_AGGREGATE_OUTPUT_DISABLE = 3,
} OB_FRAME_AGGREGATE_OUTPUT_MODE, OBFrameAggregateOutputMode, ob_frame_aggregate_output_mode;
#define OB_FRAME_AGGREGATE_OUTPUT_FULL_FRAME_REQUIRE OB_FRAME_AGGREGATE_OUTPUT_ALL_TYPE_FRAME_REQUIRE
typedef enum {
    OB_LEFT_HAND_COORDINATE_SYSTEM = 0,
    OB_RIGHT_HAND_COORDINATE_SYSTEM = 1,
} OB_COORDINATE_SYSTEM_TYPE, OBCoordinateSystemType, ob_coordinate_system_type;
typedef enum {
    OB_USER_MODE = 0,
    OB_DEVELOPER_MODE = 1,
} OB_DEVICE_DEVELOPMENT_MODE, OBDeviceDevelopmentMode, ob_device_development_mode;
typedef enum {
    OB_DEFAULT = 0,
    OB_WARM_BIASED_AWB = 1,
} OBColorPreset, ob_color_preset;
typedef enum {
    OB_MULTI_DEVICE_SYNC_MODE_FREE_RUN = 1,
    OB_MULTI_DEVICE_SYNC_MODE_STANDALONE = 2,
    OB_MULTI_DEVICE_SYNC_MODE_PRIMARY = 4,
    OB_MULTI_DEVICE_SYNC_MODE_SECONDARY = 8,
    OB_MULTI_DEVICE_SYNC_MODE_SECONDARY_SYNCED = 16,
    OB_MULTI_DEVICE_SYNC_MODE_SOFTWARE_TRIGGERING = 32,
    OB_MULTI_DEVICE_SYNC_MODE_HARDWARE_TRIGGERING = 64,
    OB_MULTI_DEVICE_SYNC_MODE_IR_IMU_SYNC = 128,
    OB_MULTI_DEVICE_SYNC_MODE_SOFTWARE_SYNCED = 256,
} ob_multi_device_sync_mode, OBMultiDeviceSyncMode;
typedef struct {
    OBMultiDeviceSyncMode syncMode;
    int depthDelayUs;
    int colorDelayUs;
    int trigger2ImageDelayUs;
    bool triggerOutEnable;
    int triggerOutDelayUs;
    int framesPerTrigger;
} ob_multi_device_sync_config, OBMultiDeviceSyncConfig;
typedef struct {
    bool enable;
    int timestamp_reset_delay_us;
    bool timestamp_reset_signal_output_enable;
} ob_device_timestamp_reset_config, OBDeviceTimestampResetConfig;
typedef struct {
    float baseline;
    float zpd;
} BASELINE_CALIBRATION_PARAM, ob_baseline_calibration_param, OBBaselineCalibrationParam;
typedef struct {
    uint8_t enable;
    uint8_t sequence_name;
    uint32_t exposure_1;
    uint32_t gain_1;
    uint32_t exposure_2;
    uint32_t gain_2;
} HDR_CONFIG, ob_hdr_config, OBHdrConfig;
typedef struct {
    int16_t x0_left;
    int16_t y0_top;
    int16_t x1_right;
    int16_t y1_bottom;
} AE_ROI, ob_region_of_interest, OBRegionOfInterest;
typedef enum {
    OB_FILTER_CONFIG_VALUE_TYPE_INVALID = -1,
    OB_FILTER_CONFIG_VALUE_TYPE_INT = 0,
    OB_FILTER_CONFIG_VALUE_TYPE_FLOAT = 1,
    OB_FILTER_CONFIG_VALUE_TYPE_BOOLEAN = 2,
} OBFilterConfigValueType, ob_filter_config_value_type;
typedef struct {
    const char *name;
    OBFilterConfigValueType type;
    double min;
    double max;
    double step;
    double def;
    const char *desc;
} OBFilterConfigSchemaItem, ob_filter_config_schema_item;
typedef struct ob_priv_filter_activate_options {
    uint32_t struct_size;
    const char *model_path;
}OBPrivFilterActivateOptions, ob_priv_filter_activate_options;
typedef struct {
    char numberStr[16];
} OBDeviceSerialNumber, ob_device_serial_number, OBSerialNumber, ob_serial_number;
typedef struct {
    uint8_t enable;
    uint8_t offset0;
    uint8_t offset1;
    uint8_t reserved;
} OBDispOffsetConfig, ob_disp_offset_config;
typedef struct {
    uint32_t originWidth;
    uint32_t originHeight;
    uint32_t factor;
} OBHardwareDecimationConfig, ob_hardware_decimation_config;
typedef enum {
    OB_FRAME_METADATA_TYPE_TIMESTAMP = 0,
    OB_FRAME_METADATA_TYPE_SENSOR_TIMESTAMP = 1,
    OB_FRAME_METADATA_TYPE_FRAME_NUMBER = 2,
    OB_FRAME_METADATA_TYPE_AUTO_EXPOSURE = 3,
    OB_FRAME_METADATA_TYPE_EXPOSURE = 4,
    OB_FRAME_METADATA_TYPE_GAIN = 5,
    OB_FRAME_METADATA_TYPE_AUTO_WHITE_BALANCE = 6,
    OB_FRAME_METADATA_TYPE_WHITE_BALANCE = 7,
    OB_FRAME_METADATA_TYPE_BRIGHTNESS = 8,
    OB_FRAME_METADATA_TYPE_CONTRAST = 9,
    OB_FRAME_METADATA_TYPE_SATURATION = 10,
    OB_FRAME_METADATA_TYPE_SHARPNESS = 11,
    OB_FRAME_METADATA_TYPE_BACKLIGHT_COMPENSATION = 12,
    OB_FRAME_METADATA_TYPE_HUE = 13,
    OB_FRAME_METADATA_TYPE_GAMMA = 14,
    OB_FRAME_METADATA_TYPE_POWER_LINE_FREQUENCY = 15,
    OB_FRAME_METADATA_TYPE_LOW_LIGHT_COMPENSATION = 16,
    OB_FRAME_METADATA_TYPE_MANUAL_WHITE_BALANCE = 17,
    OB_FRAME_METADATA_TYPE_ACTUAL_FRAME_RATE = 18,
    OB_FRAME_METADATA_TYPE_FRAME_RATE = 19,
    OB_FRAME_METADATA_TYPE_AE_ROI_LEFT = 20,
    OB_FRAME_METADATA_TYPE_AE_ROI_TOP = 21,
    OB_FRAME_METADATA_TYPE_AE_ROI_RIGHT = 22,
    OB_FRAME_METADATA_TYPE_AE_ROI_BOTTOM = 23,
    OB_FRAME_METADATA_TYPE_EXPOSURE_PRIORITY = 24,
    OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_NAME = 25,
    OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_SIZE = 26,
    OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_INDEX = 27,
    OB_FRAME_METADATA_TYPE_LASER_POWER = 28,
    OB_FRAME_METADATA_TYPE_LASER_POWER_LEVEL = 29,
    OB_FRAME_METADATA_TYPE_LASER_STATUS = 30,
    OB_FRAME_METADATA_TYPE_GPIO_INPUT_DATA = 31,
    OB_FRAME_METADATA_TYPE_DISPARITY_SEARCH_OFFSET = 32,
    OB_FRAME_METADATA_TYPE_DISPARITY_SEARCH_RANGE = 33,
    OB_FRAME_METADATA_TYPE_COUNT = 34,
} ob_frame_metadata_type, OBFrameMetadataType;
typedef enum {
    OB_UVC_BACKEND_TYPE_AUTO = 0,
    OB_UVC_BACKEND_TYPE_LIBUVC = 1,
    OB_UVC_BACKEND_TYPE_V4L2 = 2,
    OB_UVC_BACKEND_TYPE_MSMF = 3,
} ob_uvc_backend_type, OBUvcBackendType;
typedef enum {
    OB_PLAYBACK_UNKNOWN = 0,
    OB_PLAYBACK_PLAYING = 1,
    OB_PLAYBACK_PAUSED = 2,
    OB_PLAYBACK_STOPPED = 3,
    OB_PLAYBACK_COUNT = 4,
} ob_playback_status, OBPlaybackStatus;
typedef enum {
    OB_START_OF_EXPOSURE = 0,
    OB_MIDDLE_OF_EXPOSURE = 1,
    OB_END_OF_EXPOSURE = 2,
} ob_intra_camera_sync_reference, OBIntraCameraSyncReference;
#define OB_FRAME_METADATA_TYPE_LASER_POWER_MODE OB_FRAME_METADATA_TYPE_LASER_POWER_LEVEL
#define OB_FRAME_METADATA_TYPE_EMITTER_MODE OB_FRAME_METADATA_TYPE_LASER_STATUS
#define START_OF_EXPOSURE OB_START_OF_EXPOSURE
#define MIDDLE_OF_EXPOSURE OB_MIDDLE_OF_EXPOSURE
#define END_OF_EXPOSURE OB_END_OF_EXPOSURE
typedef enum {
    OB_DEVICE_ACCESS_DENIED = 0,
    OB_DEVICE_EXCLUSIVE_ACCESS = 1,
    OB_DEVICE_CONTROL_ACCESS = 2,
    OB_DEVICE_MONITOR_ACCESS = 3,
    OB_DEVICE_DEFAULT_ACCESS = 4,
} ob_device_access_mode, OBDeviceAccessMode;
typedef enum {
    OB_DEVICE_ACCESS_STATE_UNKNOWN = 0,
    OB_DEVICE_ACCESS_STATE_UNSUPPORTED = 1,
    OB_DEVICE_ACCESS_STATE_AVAILABLE = 2,
    OB_DEVICE_ACCESS_STATE_CONTROLLED = 3,
    OB_DEVICE_ACCESS_STATE_EXCLUSIVE = 4,
    OB_DEVICE_ACCESS_STATE_UNREACHABLE = 5,
    OB_DEVICE_ACCESS_STATE_FW_NOT_SUPPORTED = 6,
} ob_device_access_state, OBDeviceAccessState;
typedef enum {
    OB_IP_SOURCE_NONE = 0,
    OB_IP_SOURCE_LLA = 1,
    OB_IP_SOURCE_DHCP = 2,
    OB_IP_SOURCE_PERSISTENT = 3,
} ob_ip_source_type, OBIpSourceType;
typedef enum {
    OB_CLOCK_TYPE_REALTIME = 0,
    OB_CLOCK_TYPE_MONOTONIC = 1,
} OBClockType, ob_clock_type;
typedef void (*ob_file_send_callback)(ob_file_tran_state state, const char *message, uint8_t percent, void *user_data);
typedef void (*ob_device_fw_update_callback)(ob_fw_update_state state, const char *message, uint8_t percent, void *user_data);
typedef void (*ob_device_state_callback)(ob_device_state state, const char *message, void *user_data);
typedef void (*ob_set_data_callback)(ob_data_tran_state state, uint8_t percent, void *user_data);
typedef void (*ob_get_data_callback)(ob_data_tran_state state, ob_data_chunk *dataChunk, void *user_data);
typedef void (*ob_media_state_callback)(ob_media_state state, void *user_data);
typedef void (*ob_device_changed_callback)(ob_device_list *removed, ob_device_list *added, void *user_data);
typedef void (*ob_frame_callback)(ob_frame *frame, void *user_data);
#define ob_filter_callback ob_frame_callback
#define ob_playback_callback ob_frame_callback
typedef void (*ob_frameset_callback)(ob_frame *frameset, void *user_data);
typedef void(ob_frame_destroy_callback)(uint8_t *buffer, void *user_data);
typedef void(ob_log_callback)(ob_log_severity severity, const char *message, void *user_data);
typedef void (*ob_playback_status_changed_callback)(ob_playback_status status, void *user_data);
typedef void (*ob_pipeline_status_callback)(ob_pipeline_status status, void *user_data);
typedef uint64_t OBCallbackId, ob_callback_id;
#define INVALID_CALLBACK_ID (0)
#define ob_is_video_sensor_type(sensor_type) \
    (sensor_type == OB_SENSOR_COLOR || sensor_type == OB_SENSOR_COLOR_LEFT || sensor_type == OB_SENSOR_COLOR_RIGHT || sensor_type == OB_SENSOR_DEPTH \
    || sensor_type == OB_SENSOR_IR || sensor_type == OB_SENSOR_IR_LEFT || sensor_type == OB_SENSOR_IR_RIGHT || sensor_type == OB_SENSOR_CONFIDENCE)
#define ob_is_video_stream_type(stream_type) \
    (stream_type == OB_STREAM_COLOR || stream_type == OB_STREAM_COLOR_LEFT || stream_type == OB_STREAM_COLOR_RIGHT || stream_type == OB_STREAM_DEPTH \
    || stream_type == OB_STREAM_IR || stream_type == OB_STREAM_IR_LEFT || stream_type == OB_STREAM_IR_RIGHT || stream_type == OB_STREAM_VIDEO \
    || stream_type == OB_STREAM_CONFIDENCE)
#define is_ir_sensor(sensor_type) (sensor_type == OB_SENSOR_IR || sensor_type == OB_SENSOR_IR_LEFT || sensor_type == OB_SENSOR_IR_RIGHT)
#define isIRSensor is_ir_sensor
#define is_color_sensor(sensor_type) (sensor_type == OB_SENSOR_COLOR || sensor_type == OB_SENSOR_COLOR_LEFT || sensor_type == OB_SENSOR_COLOR_RIGHT)
#define isColorSensor is_color_sensor
#define is_ir_stream(stream_type) (stream_type == OB_STREAM_IR || stream_type == OB_STREAM_IR_LEFT || stream_type == OB_STREAM_IR_RIGHT)
#define isIRStream is_ir_stream
#define is_color_stream(stream_type) (stream_type == OB_STREAM_COLOR || stream_type == OB_STREAM_COLOR_LEFT || stream_type == OB_STREAM_COLOR_RIGHT)
#define isColorStream is_color_stream
#define is_ir_frame(frame_type) (frame_type == OB_FRAME_IR || frame_type == OB_FRAME_IR_LEFT || frame_type == OB_FRAME_IR_RIGHT)
#define isIRFrame is_ir_frame
#define is_color_frame(frame_type) (frame_type == OB_FRAME_COLOR || frame_type == OB_FRAME_COLOR_LEFT || frame_type == OB_FRAME_COLOR_RIGHT)
#define isColorFrame is_color_frame
#define OB_DEFAULT_DECRYPT_KEY ((const char *)0)


#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* RIGSYNC_OBEMU_API_OB_TYPES_DEVICE_H */

/*
 * ob_types.h: the types of the vendor's C API (OrbbecSDK v2.9.3, include/libobsensor/h/ObTypes.h):
 * handles, enums with their exact values, structs with their exact layout, callback types
 * (this file: handles to IMU and LiDAR types; ob_types_device.h, included at the end: the rest).
 *
 * Names, values and layouts are facts of the vendor's ABI; enum values are written out
 * explicitly (the vendor's header leaves many implicit). Everything sits under 1-byte packing,
 * as in the vendor's header: a bool followed by an int has no padding. Do not reorder or
 * "fix" anything here: scripts/check-obemu-api.sh compares every value, size and offset with
 * the vendor's header and fails on any difference.
 */
#ifndef RIGSYNC_OBEMU_API_OB_TYPES_H
#define RIGSYNC_OBEMU_API_OB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma pack(push, 1)

typedef struct ob_context_t ob_context;
typedef struct ob_device_t ob_device;
typedef struct ob_device_info_t ob_device_info;
typedef struct ob_device_list_t ob_device_list;
typedef struct ob_record_device_t ob_record_device;
typedef struct ob_playback_device_t ob_playback_device;
typedef struct ob_camera_param_list_t ob_camera_param_list;
typedef struct ob_sensor_t ob_sensor;
typedef struct ob_sensor_list_t ob_sensor_list;
typedef struct ob_stream_profile_t ob_stream_profile;
typedef struct ob_stream_profile_list_t ob_stream_profile_list;
typedef struct ob_frame_t ob_frame;
typedef struct ob_filter_t ob_filter;
typedef struct ob_filter_list_t ob_filter_list;
typedef struct ob_pipeline_t ob_pipeline;
typedef struct ob_config_t ob_config;
typedef struct ob_application_config_t ob_application_config;
typedef struct ob_depth_work_mode_list_t ob_depth_work_mode_list;
typedef struct ob_device_preset_list_t ob_device_preset_list;
typedef struct ob_filter_config_schema_list_t ob_filter_config_schema_list;
typedef struct ob_device_frame_interleave_list_t ob_device_frame_interleave_list;
typedef struct ob_preset_resolution_config_list_t ob_preset_resolution_config_list;
typedef struct ob_color_preset_list_t ob_color_preset_list;
#define OB_WIDTH_ANY 0
#define OB_HEIGHT_ANY 0
#define OB_FPS_ANY 0
#define OB_FORMAT_ANY OB_FORMAT_UNKNOWN
#define OB_PROFILE_DEFAULT 0
#define OB_DEFAULT_STRIDE_BYTES 0
#define OB_ACCEL_FULL_SCALE_RANGE_ANY OB_ACCEL_FS_UNKNOWN
#define OB_ACCEL_SAMPLE_RATE_ANY OB_SAMPLE_RATE_UNKNOWN
#define OB_GYRO_FULL_SCALE_RANGE_ANY OB_GYRO_FS_UNKNOWN
#define OB_GYRO_SAMPLE_RATE_ANY OB_SAMPLE_RATE_UNKNOWN
#define OB_LIDAR_SCAN_ANY OB_LIDAR_SCAN_UNKNOWN
#define OB_PATH_MAX (1024)
typedef enum {
    OB_PERMISSION_DENY = 0,
    OB_PERMISSION_READ = 1,
    OB_PERMISSION_WRITE = 2,
    OB_PERMISSION_READ_WRITE = 3,
    OB_PERMISSION_ANY = 255,
} OBPermissionType, ob_permission_type;
typedef enum {
    OB_STATUS_OK = 0,
    OB_STATUS_ERROR = 1,
    OB_ERROR_UNKNOWN = 1,
    OB_ERROR_INVALID_PARAMETER = 100,
    OB_ERROR_INVALID_DATA = 101,
    OB_ERROR_INVALID_DATA_LEN = 102,
    OB_ERROR_BUFFER_TOO_SMALL = 103,
    OB_ERROR_MEMORY = 104,
    OB_ERROR_WAIT_TIMEOUT = 105,
    OB_ERROR_NOT_IMPLEMENTED = 106,
    OB_ERROR_UNSUPPORTED_OPERATION = 107,
    OB_ERROR_WRONG_API_CALL_SEQUENCE = 108,
    OB_ERROR_NO_DEVICE = 109,
    OB_ERROR_DEVICE_CONNECT_FAILED = 110,
    OB_ERROR_DEVICE_ACCESS_DENIED = 111,
    OB_ERROR_DEVICE_DISCONNECTED = 112,
    OB_ERROR_DEVICE_UNAVAILABLE = 113,
    OB_ERROR_ITEM_NOT_FOUND = 114,
    OB_ERROR_IO_FAILURE = 115,
    OB_ERROR_RESOURCE_BUSY = 116,
    OB_ERROR_FRAME_QUEUE_OVERFLOW = 200,
    OB_ERROR_FRAME_DATA = 201,
    OB_ERROR_FRAME_DATA_LEN = 202,
    OB_ERROR_DEVICE_UNKNOWN = 1000,
    OB_ERROR_DEVICE_RESPONSE_BAD_MAGIC = 1001,
    OB_ERROR_DEVICE_RESPONSE_WRONG_ID = 1002,
    OB_ERROR_DEVICE_RESPONSE_WRONG_OPCODE = 1003,
    OB_ERROR_DEVICE_RESPONSE_WRONG_DATA_SIZE = 1004,
    OB_ERROR_DEVICE_RESPONSE_ERROR = 1005,
    OB_ERROR_DEVICE_RESPONSE_WARNING = 1006,
    OB_ERROR_DEVICE_RESPONSE_CHANNEL_FAILURE = 1007,
} OBStatus, OBErrorCode, ob_status, ob_error_code;
typedef enum {
    OB_LOG_SEVERITY_DEBUG = 0,
    OB_LOG_SEVERITY_INFO = 1,
    OB_LOG_SEVERITY_WARN = 2,
    OB_LOG_SEVERITY_ERROR = 3,
    OB_LOG_SEVERITY_FATAL = 4,
    OB_LOG_SEVERITY_OFF = 5,
} OBLogSeverity, ob_log_severity, DEVICE_LOG_SEVERITY_LEVEL, OBDeviceLogSeverityLevel, ob_device_log_severity_level;
#define OB_LOG_SEVERITY_NONE OB_LOG_SEVERITY_OFF
typedef enum {
    OB_EXCEPTION_TYPE_UNKNOWN = 0,
    OB_EXCEPTION_STD_EXCEPTION = 1,
    OB_EXCEPTION_TYPE_CAMERA_DISCONNECTED = 2,
    OB_EXCEPTION_TYPE_PLATFORM = 3,
    OB_EXCEPTION_TYPE_INVALID_VALUE = 4,
    OB_EXCEPTION_TYPE_WRONG_API_CALL_SEQUENCE = 5,
    OB_EXCEPTION_TYPE_NOT_IMPLEMENTED = 6,
    OB_EXCEPTION_TYPE_IO = 7,
    OB_EXCEPTION_TYPE_MEMORY = 8,
    OB_EXCEPTION_TYPE_UNSUPPORTED_OPERATION = 9,
    OB_EXCEPTION_TYPE_ACCESS_DENIED = 10,
    OB_EXCEPTION_TYPE_DEVICE_UNAVAILABLE = 11,
    OB_EXCEPTION_TYPE_INVALID_DATA = 12,
    OB_EXCEPTION_TYPE_NOT_FOUND = 13,
    OB_EXCEPTION_TYPE_RESOURCE_BUSY = 14,
    OB_EXCEPTION_TYPE_LICENSE_VERIFY_FAILED = 15,
} OBExceptionType, ob_exception_type;
typedef struct ob_error {
    ob_status status;
    char message[256];
    char function[256];
    char args[256];
    ob_exception_type exception_type;
} ob_error;
typedef enum {
    OB_GVCP_PORT_SCHEME_STANDARD = 0,
    OB_GVCP_PORT_SCHEME_B = 1,
} OBGvcpPortScheme, ob_gvcp_port_scheme;
typedef enum {
    OB_SENSOR_UNKNOWN = 0,
    OB_SENSOR_IR = 1,
    OB_SENSOR_COLOR = 2,
    OB_SENSOR_DEPTH = 3,
    OB_SENSOR_ACCEL = 4,
    OB_SENSOR_GYRO = 5,
    OB_SENSOR_IR_LEFT = 6,
    OB_SENSOR_IR_RIGHT = 7,
    OB_SENSOR_RAW_PHASE = 8,
    OB_SENSOR_CONFIDENCE = 9,
    OB_SENSOR_LIDAR = 10,
    OB_SENSOR_COLOR_LEFT = 11,
    OB_SENSOR_COLOR_RIGHT = 12,
    OB_SENSOR_TYPE_COUNT = 13,
} OBSensorType, ob_sensor_type;
typedef enum {
    OB_STREAM_UNKNOWN = -1,
    OB_STREAM_VIDEO = 0,
    OB_STREAM_IR = 1,
    OB_STREAM_COLOR = 2,
    OB_STREAM_DEPTH = 3,
    OB_STREAM_ACCEL = 4,
    OB_STREAM_GYRO = 5,
    OB_STREAM_IR_LEFT = 6,
    OB_STREAM_IR_RIGHT = 7,
    OB_STREAM_RAW_PHASE = 8,
    OB_STREAM_CONFIDENCE = 9,
    OB_STREAM_LIDAR = 10,
    OB_STREAM_COLOR_LEFT = 11,
    OB_STREAM_COLOR_RIGHT = 12,
    OB_STREAM_TYPE_COUNT = 13,
} OBStreamType, ob_stream_type;
typedef enum {
    OB_FRAME_UNKNOWN = -1,
    OB_FRAME_VIDEO = 0,
    OB_FRAME_IR = 1,
    OB_FRAME_COLOR = 2,
    OB_FRAME_DEPTH = 3,
    OB_FRAME_ACCEL = 4,
    OB_FRAME_SET = 5,
    OB_FRAME_POINTS = 6,
    OB_FRAME_GYRO = 7,
    OB_FRAME_IR_LEFT = 8,
    OB_FRAME_IR_RIGHT = 9,
    OB_FRAME_RAW_PHASE = 10,
    OB_FRAME_CONFIDENCE = 11,
    OB_FRAME_LIDAR_POINTS = 12,
    OB_FRAME_COLOR_LEFT = 13,
    OB_FRAME_COLOR_RIGHT = 14,
    OB_FRAME_TYPE_COUNT = 15,
} OBFrameType, ob_frame_type;
typedef enum {
    OB_PIXEL_UNKNOWN = -1,
    OB_PIXEL_DEPTH = 0,
    OB_PIXEL_DISPARITY = 2,
    OB_PIXEL_RAW_PHASE = 3,
    OB_PIXEL_TOF_DEPTH = 4,
} OBPixelType, ob_pixel_type;
typedef enum {
    OB_FORMAT_UNKNOWN = -1,
    OB_FORMAT_YUYV = 0,
    OB_FORMAT_YUY2 = 1,
    OB_FORMAT_UYVY = 2,
    OB_FORMAT_NV12 = 3,
    OB_FORMAT_NV21 = 4,
    OB_FORMAT_MJPG = 5,
    OB_FORMAT_H264 = 6,
    OB_FORMAT_H265 = 7,
    OB_FORMAT_Y16 = 8,
    OB_FORMAT_Y8 = 9,
    OB_FORMAT_Y10 = 10,
    OB_FORMAT_Y11 = 11,
    OB_FORMAT_Y12 = 12,
    OB_FORMAT_GRAY = 13,
    OB_FORMAT_HEVC = 14,
    OB_FORMAT_I420 = 15,
    OB_FORMAT_ACCEL = 16,
    OB_FORMAT_GYRO = 17,
    OB_FORMAT_POINT = 19,
    OB_FORMAT_RGB_POINT = 20,
    OB_FORMAT_RLE = 21,
    OB_FORMAT_RGB = 22,
    OB_FORMAT_BGR = 23,
    OB_FORMAT_Y14 = 24,
    OB_FORMAT_BGRA = 25,
    OB_FORMAT_COMPRESSED = 26,
    OB_FORMAT_RVL = 27,
    OB_FORMAT_Z16 = 28,
    OB_FORMAT_YV12 = 29,
    OB_FORMAT_BA81 = 30,
    OB_FORMAT_RGBA = 31,
    OB_FORMAT_BYR2 = 32,
    OB_FORMAT_RW16 = 33,
    OB_FORMAT_Y12C4 = 34,
    OB_FORMAT_LIDAR_POINT = 35,
    OB_FORMAT_LIDAR_SPHERE_POINT = 36,
    OB_FORMAT_LIDAR_SCAN = 37,
    OB_FORMAT_LIDAR_CALIBRATION = 38,
} OBFormat, ob_format;
#define OB_FORMAT_RGB888 OB_FORMAT_RGB
#define OB_FORMAT_MJPEG OB_FORMAT_MJPG
#define IS_FIXED_SIZE_FORMAT(format) \
    (format != OB_FORMAT_MJPG && format != OB_FORMAT_H264 && format != OB_FORMAT_H265 && format != OB_FORMAT_HEVC && format != OB_FORMAT_RLE \
    && format != OB_FORMAT_RVL)
#define IS_PACKED_FORMAT(format) \
    (format == OB_FORMAT_Y10 || format == OB_FORMAT_Y11 || format == OB_FORMAT_Y12 || format == OB_FORMAT_Y14 || format == OB_FORMAT_RLE)
typedef enum {
    STAT_DONE_REBOOT_AND_REUPDATE = 7,
    STAT_DONE_WITH_DUPLICATES = 6,
    STAT_VERIFY_SUCCESS = 5,
    STAT_FILE_TRANSFER = 4,
    STAT_DONE = 3,
    STAT_IN_PROGRESS = 2,
    STAT_START = 1,
    STAT_VERIFY_IMAGE = 0,
    ERR_VERIFY = -1,
    ERR_PROGRAM = -2,
    ERR_ERASE = -3,
    ERR_FLASH_TYPE = -4,
    ERR_IMAGE_SIZE = -5,
    ERR_OTHER = -6,
    ERR_DDR = -7,
    ERR_TIMEOUT = -8,
    ERR_MISMATCH = -9,
    ERR_UNSUPPORT_DEV = -10,
    ERR_INVALID_COUNT = -11,
    ERR_FILE_READ = -12,
    ERR_TRANSFER = -13,
} OBUpgradeState, OBFwUpdateState, ob_upgrade_state, ob_fw_update_state;
typedef enum {
    FILE_TRAN_STAT_TRANSFER = 2,
    FILE_TRAN_STAT_DONE = 1,
    FILE_TRAN_STAT_PREPAR = 0,
    FILE_TRAN_ERR_DDR = -1,
    FILE_TRAN_ERR_NOT_ENOUGH_SPACE = -2,
    FILE_TRAN_ERR_PATH_NOT_WRITABLE = -3,
    FILE_TRAN_ERR_MD5_ERROR = -4,
    FILE_TRAN_ERR_WRITE_FLASH_ERROR = -5,
    FILE_TRAN_ERR_TIMEOUT = -6,
} OBFileTranState, ob_file_tran_state;
typedef enum {
    DATA_TRAN_STAT_VERIFY_DONE = 4,
    DATA_TRAN_STAT_STOPPED = 3,
    DATA_TRAN_STAT_DONE = 2,
    DATA_TRAN_STAT_VERIFYING = 1,
    DATA_TRAN_STAT_TRANSFERRING = 0,
    DATA_TRAN_ERR_BUSY = -1,
    DATA_TRAN_ERR_UNSUPPORTED = -2,
    DATA_TRAN_ERR_TRAN_FAILED = -3,
    DATA_TRAN_ERR_VERIFY_FAILED = -4,
    DATA_TRAN_ERR_OTHER = -5,
} OBDataTranState, ob_data_tran_state;
typedef struct {
    uint8_t *data;
    uint32_t size;
    uint32_t offset;
    uint32_t fullDataSize;
} OBDataChunk, ob_data_chunk;
typedef struct {
    const uint8_t *data;
    uint32_t dataSize;
} OBDataView, ob_data_view;
typedef struct {
    int32_t cur;
    int32_t max;
    int32_t min;
    int32_t step;
    int32_t def;
} OBIntPropertyRange, ob_int_property_range;
typedef struct {
    float cur;
    float max;
    float min;
    float step;
    float def;
} OBFloatPropertyRange, ob_float_property_range;
typedef struct {
    uint16_t cur;
    uint16_t max;
    uint16_t min;
    uint16_t step;
    uint16_t def;
} OBUint16PropertyRange, ob_uint16_property_range;
typedef struct {
    uint8_t cur;
    uint8_t max;
    uint8_t min;
    uint8_t step;
    uint8_t def;
} OBUint8PropertyRange, ob_uint8_property_range;
typedef struct {
    bool cur;
    bool max;
    bool min;
    bool step;
    bool def;
} OBBoolPropertyRange, ob_bool_property_range;
typedef enum {
    OB_DISTORTION_NONE = 0,
    OB_DISTORTION_MODIFIED_BROWN_CONRADY = 1,
    OB_DISTORTION_INVERSE_BROWN_CONRADY = 2,
    OB_DISTORTION_BROWN_CONRADY = 3,
    OB_DISTORTION_BROWN_CONRADY_K6 = 4,
    OB_DISTORTION_KANNALA_BRANDT4 = 5,
} OBCameraDistortionModel, ob_camera_distortion_model;
typedef struct {
    float fx;
    float fy;
    float cx;
    float cy;
    int16_t width;
    int16_t height;
} OBCameraIntrinsic, ob_camera_intrinsic;
typedef struct {
    double noiseDensity;
    double randomWalk;
    double referenceTemp;
    double bias[3];
    double gravity[3];
    double scaleMisalignment[9];
    double tempSlope[9];
} OBAccelIntrinsic, ob_accel_intrinsic;
typedef struct {
    double noiseDensity;
    double randomWalk;
    double referenceTemp;
    double bias[3];
    double scaleMisalignment[9];
    double tempSlope[9];
} OBGyroIntrinsic, ob_gyro_intrinsic;
typedef struct {
    float k1;
    float k2;
    float k3;
    float k4;
    float k5;
    float k6;
    float p1;
    float p2;
    OBCameraDistortionModel model;
} OBCameraDistortion, ob_camera_distortion;
typedef struct {
    float rot[9];
    float trans[3];
} OBD2CTransform, ob_d2c_transform, OBTransform, ob_transform, OBExtrinsic, ob_extrinsic;
typedef struct {
    OBCameraIntrinsic depthIntrinsic;
    OBCameraIntrinsic rgbIntrinsic;
    OBCameraDistortion depthDistortion;
    OBCameraDistortion rgbDistortion;
    OBD2CTransform transform;
    bool isMirrored;
} OBCameraParam, ob_camera_param;
typedef struct {
    int16_t width;
    int16_t height;
    int irDecimationFactor;
    int depthDecimationFactor;
} OBPresetResolutionConfig, ob_preset_resolution_ratio_config;
typedef struct {
    OBCameraIntrinsic intrinsics[OB_SENSOR_TYPE_COUNT];
    OBCameraDistortion distortion[OB_SENSOR_TYPE_COUNT];
    OBExtrinsic extrinsics[OB_SENSOR_TYPE_COUNT]
    [OB_SENSOR_TYPE_COUNT];
} OBCalibrationParam, ob_calibration_param;
typedef struct {
    int margin_x_th;
    int margin_y_th;
    int limit_x_th;
    int limit_y_th;
    uint32_t width;
    uint32_t height;
    bool enable_direction;
} ob_margin_filter_config, OBMarginFilterConfig;
typedef struct {
    uint32_t width;
    uint32_t height;
    int max_width_left;
    int max_width_right;
    int max_radius;
    int margin_x_th;
    int margin_y_th;
    int limit_x_th;
    int limit_y_th;
} OBMGCFilterConfig, ob_mgc_filter_config;
typedef enum {
    ALIGN_DISABLE = 0,
    ALIGN_D2C_HW_MODE = 1,
    ALIGN_D2C_SW_MODE = 2,
    ALIGN_C2D_SW_MODE = 3,
} OBAlignMode, ob_align_mode;
typedef enum {
    ADAPTIVE_PERFORMANCE_MODE = 0,
    HIGH_PERFORMANCE_MODE = 1,
} OBCameraPerformanceMode, ob_camera_performance_mode;
typedef struct {
    uint32_t x;
    uint32_t y;
    uint32_t width;
    uint32_t height;
} OBRect, ob_rect;
typedef enum {
    FORMAT_YUYV_TO_RGB = 0,
    FORMAT_I420_TO_RGB = 1,
    FORMAT_NV21_TO_RGB = 2,
    FORMAT_NV12_TO_RGB = 3,
    FORMAT_MJPG_TO_I420 = 4,
    FORMAT_RGB_TO_BGR = 5,
    FORMAT_MJPG_TO_NV21 = 6,
    FORMAT_MJPG_TO_RGB = 7,
    FORMAT_MJPG_TO_BGR = 8,
    FORMAT_MJPG_TO_BGRA = 9,
    FORMAT_UYVY_TO_RGB = 10,
    FORMAT_BGR_TO_RGB = 11,
    FORMAT_MJPG_TO_NV12 = 12,
    FORMAT_YUYV_TO_BGR = 13,
    FORMAT_YUYV_TO_RGBA = 14,
    FORMAT_YUYV_TO_BGRA = 15,
    FORMAT_YUYV_TO_Y16 = 16,
    FORMAT_YUYV_TO_Y8 = 17,
    FORMAT_RGBA_TO_RGB = 18,
    FORMAT_BGRA_TO_BGR = 19,
    FORMAT_Y16_TO_RGB = 20,
    FORMAT_Y8_TO_RGB = 21,
} OBConvertFormat, ob_convert_format;
#define FORMAT_MJPEG_TO_I420 FORMAT_MJPG_TO_I420
#define FORMAT_MJPEG_TO_NV21 FORMAT_MJPG_TO_NV21
#define FORMAT_MJPEG_TO_BGRA FORMAT_MJPG_TO_BGRA
#define FORMAT_YUYV_TO_RGB888 FORMAT_YUYV_TO_RGB
#define FORMAT_I420_TO_RGB888 FORMAT_I420_TO_RGB
#define FORMAT_NV21_TO_RGB888 FORMAT_NV21_TO_RGB
#define FORMAT_NV12_TO_RGB888 FORMAT_NV12_TO_RGB
#define FORMAT_UYVY_TO_RGB888 FORMAT_UYVY_TO_RGB
#define FORMAT_MJPG_TO_RGB888 FORMAT_MJPG_TO_RGB
#define FORMAT_MJPG_TO_BGR888 FORMAT_MJPG_TO_BGR
#define FORMAT_MJPEG_TO_RGB888 FORMAT_MJPG_TO_RGB
#define FORMAT_MJPEG_TO_BGR888 FORMAT_MJPG_TO_BGR
#define FORMAT_RGB888_TO_BGR FORMAT_RGB_TO_BGR
typedef enum {
    OB_SAMPLE_RATE_UNKNOWN = 0,
    OB_SAMPLE_RATE_1_5625_HZ = 1,
    OB_SAMPLE_RATE_3_125_HZ = 2,
    OB_SAMPLE_RATE_6_25_HZ = 3,
    OB_SAMPLE_RATE_12_5_HZ = 4,
    OB_SAMPLE_RATE_25_HZ = 5,
    OB_SAMPLE_RATE_50_HZ = 6,
    OB_SAMPLE_RATE_100_HZ = 7,
    OB_SAMPLE_RATE_200_HZ = 8,
    OB_SAMPLE_RATE_500_HZ = 9,
    OB_SAMPLE_RATE_1_KHZ = 10,
    OB_SAMPLE_RATE_2_KHZ = 11,
    OB_SAMPLE_RATE_4_KHZ = 12,
    OB_SAMPLE_RATE_8_KHZ = 13,
    OB_SAMPLE_RATE_16_KHZ = 14,
    OB_SAMPLE_RATE_32_KHZ = 15,
    OB_SAMPLE_RATE_400_HZ = 16,
    OB_SAMPLE_RATE_800_HZ = 17,
} OBIMUSampleRate, OBGyroSampleRate, ob_gyro_sample_rate, OBAccelSampleRate, ob_accel_sample_rate, OB_SAMPLE_RATE;
typedef enum {
    OB_GYRO_FS_UNKNOWN = -1,
    OB_GYRO_FS_16dps = 1,
    OB_GYRO_FS_31dps = 2,
    OB_GYRO_FS_62dps = 3,
    OB_GYRO_FS_125dps = 4,
    OB_GYRO_FS_250dps = 5,
    OB_GYRO_FS_500dps = 6,
    OB_GYRO_FS_1000dps = 7,
    OB_GYRO_FS_2000dps = 8,
    OB_GYRO_FS_400dps = 9,
    OB_GYRO_FS_800dps = 10,
} OBGyroFullScaleRange, ob_gyro_full_scale_range, OB_GYRO_FULL_SCALE_RANGE;
typedef enum {
    OB_ACCEL_FS_UNKNOWN = -1,
    OB_ACCEL_FS_2g = 1,
    OB_ACCEL_FS_4g = 2,
    OB_ACCEL_FS_8g = 3,
    OB_ACCEL_FS_16g = 4,
    OB_ACCEL_FS_3g = 5,
    OB_ACCEL_FS_6g = 6,
    OB_ACCEL_FS_12g = 7,
    OB_ACCEL_FS_24g = 8,
} OBAccelFullScaleRange, ob_accel_full_scale_range, OB_ACCEL_FULL_SCALE_RANGE;
typedef struct {
    float x;
    float y;
    float z;
} OBAccelValue, OBGyroValue, OBFloat3D, ob_accel_value, ob_gyro_value, ob_float_3d;
typedef enum {
    OB_LIDAR_SCAN_UNKNOWN = 0,
    OB_LIDAR_SCAN_5HZ = 1,
    OB_LIDAR_SCAN_10HZ = 2,
    OB_LIDAR_SCAN_15HZ = 3,
    OB_LIDAR_SCAN_20HZ = 4,
    OB_LIDAR_SCAN_25HZ = 5,
    OB_LIDAR_SCAN_30HZ = 6,
    OB_LIDAR_SCAN_40HZ = 7,
} OBLiDARScanRate, ob_lidar_scan_rate, OB_LIDAR_SCAN_RATE;
#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#include "ob_types_device.h"

#endif /* RIGSYNC_OBEMU_API_OB_TYPES_H */

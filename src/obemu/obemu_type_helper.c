/*
 * librigsync-obemu: the vendor's TypeHelper.h (names of enum values, IMU rates, and the
 * sensor / stream / frame type mappings).
 *
 * The names are the ones OrbbecSDK v2.9.3 returns (its public type helper tables), so a
 * program printing "Format: %s" shows the same text on the emulator as on a real camera.
 *
 * Unknown values: the real SDK throws its invalid-value exception out of these error-less C
 * functions (a C program aborts, a C++ program may catch it); the emulator, being C, returns
 * the message that exception carries instead (e.g. "Unregistered stream type"), never NULL.
 * The mappings return the UNKNOWN value of the target enum for a value without a counterpart,
 * as the SDK does; the IMU rate <-> Hz helpers return 0 / OB_SAMPLE_RATE_UNKNOWN.
 *
 * ob_frame_type_to_stream_type is declared by the vendor's header but not exported by its
 * library (no OB_EXPORT, hidden visibility), so the emulator does not export it either.
 */
#include <math.h>
#include <stddef.h>

#include "obemu_internal.h"

typedef struct {
    int value;
    const char *name;
} obemu_name_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const obemu_name_t *table, size_t n, int value, const char *unknown)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].value == value)
            return table[i].name;
    return unknown;
}

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */

static const obemu_name_t format_names[] = {
    {OB_FORMAT_YUYV, "YUYV"},
    {OB_FORMAT_YUY2, "YUY2"},
    {OB_FORMAT_UYVY, "UYVY"},
    {OB_FORMAT_NV12, "NV12"},
    {OB_FORMAT_NV21, "NV21"},
    {OB_FORMAT_MJPG, "MJPG"},
    {OB_FORMAT_H264, "H264"},
    {OB_FORMAT_H265, "H265"},
    {OB_FORMAT_Y16, "Y16"},
    {OB_FORMAT_Y8, "Y8"},
    {OB_FORMAT_Y10, "Y10"},
    {OB_FORMAT_Y11, "Y11"},
    {OB_FORMAT_Y12, "Y12"},
    {OB_FORMAT_GRAY, "GRAY"},
    {OB_FORMAT_HEVC, "HEVC"},
    {OB_FORMAT_I420, "I420"},
    {OB_FORMAT_ACCEL, "ACCEL"},
    {OB_FORMAT_GYRO, "GYRO"},
    {OB_FORMAT_POINT, "POINT"},
    {OB_FORMAT_RGB_POINT, "RGB_POINT"},
    {OB_FORMAT_RLE, "RLE"},
    {OB_FORMAT_RGB, "RGB"},
    {OB_FORMAT_BGR, "BGR"},
    {OB_FORMAT_Y14, "Y14"},
    {OB_FORMAT_BGRA, "BGRA"},
    {OB_FORMAT_COMPRESSED, "COMPRESSED"},
    {OB_FORMAT_RVL, "RVL"},
    {OB_FORMAT_Z16, "Z16"},
    {OB_FORMAT_YV12, "YV12"},
    {OB_FORMAT_BA81, "BA81"},
    {OB_FORMAT_RGBA, "RGBA"},
    {OB_FORMAT_BYR2, "BYR2"},
    {OB_FORMAT_RW16, "RW16"},
    {OB_FORMAT_Y12C4, "Y12C4"},
    {OB_FORMAT_LIDAR_POINT, "LIDAR_POINT"},
    {OB_FORMAT_LIDAR_SPHERE_POINT, "LIDAR_SPHERE_POINT"},
    {OB_FORMAT_LIDAR_SCAN, "LIDAR_SCAN"},
    {OB_FORMAT_LIDAR_CALIBRATION, "LIDAR_CALIBRATION"},
    {OB_FORMAT_UNKNOWN, "UNKNOWN"},
};

static const obemu_name_t frame_names[] = {
    {OB_FRAME_UNKNOWN, "Unknown frame type"},
    {OB_FRAME_VIDEO, "Video"},
    {OB_FRAME_IR, "IR"},
    {OB_FRAME_COLOR, "Color"},
    {OB_FRAME_COLOR_LEFT, "Left Color"},
    {OB_FRAME_COLOR_RIGHT, "Right Color"},
    {OB_FRAME_DEPTH, "Depth"},
    {OB_FRAME_ACCEL, "Accel"},
    {OB_FRAME_SET, "SET"},
    {OB_FRAME_POINTS, "Points"},
    {OB_FRAME_GYRO, "Gyro"},
    {OB_FRAME_IR_LEFT, "Left IR"},
    {OB_FRAME_IR_RIGHT, "Right IR"},
    {OB_FRAME_RAW_PHASE, "RawPhase"},
    {OB_FRAME_CONFIDENCE, "Confidence"},
    {OB_FRAME_LIDAR_POINTS, "LiDAR Points"},
};

static const obemu_name_t stream_names[] = {
    {OB_STREAM_UNKNOWN, "Unknown"},
    {OB_STREAM_VIDEO, "Video"},
    {OB_STREAM_IR, "IR"},
    {OB_STREAM_COLOR, "Color"},
    {OB_STREAM_DEPTH, "Depth"},
    {OB_STREAM_ACCEL, "Accel"},
    {OB_STREAM_GYRO, "Gyro"},
    {OB_STREAM_IR_LEFT, "Left IR"},
    {OB_STREAM_IR_RIGHT, "Right IR"},
    {OB_STREAM_RAW_PHASE, "RawPhase"},
    {OB_STREAM_CONFIDENCE, "Confidence"},
    {OB_STREAM_LIDAR, "LiDAR"},
    {OB_STREAM_COLOR_LEFT, "Left Color"},
    {OB_STREAM_COLOR_RIGHT, "Right Color"},
};

/* Sensor names differ from stream names: "LeftIR", not "Left IR". */
static const obemu_name_t sensor_names[] = {
    {OB_SENSOR_UNKNOWN, "Unknown"},
    {OB_SENSOR_IR, "IR"},
    {OB_SENSOR_COLOR, "Color"},
    {OB_SENSOR_COLOR_LEFT, "LeftColor"},
    {OB_SENSOR_COLOR_RIGHT, "RightColor"},
    {OB_SENSOR_DEPTH, "Depth"},
    {OB_SENSOR_ACCEL, "Accel"},
    {OB_SENSOR_GYRO, "Gyro"},
    {OB_SENSOR_IR_LEFT, "LeftIR"},
    {OB_SENSOR_IR_RIGHT, "RightIR"},
    {OB_SENSOR_RAW_PHASE, "RawPhase"},
    {OB_SENSOR_CONFIDENCE, "Confidence"},
    {OB_SENSOR_LIDAR, "LiDAR"},
};

/* IMU sample rates: name and value in Hz (UNKNOWN has a name but no value). */
static const struct {
    OBIMUSampleRate rate;
    const char *name;
    float hz;
} imu_rates[] = {
    {OB_SAMPLE_RATE_UNKNOWN, "UNKNOWN", 0.f},
    {OB_SAMPLE_RATE_1_5625_HZ, "1_5625_HZ", 1.5625f},
    {OB_SAMPLE_RATE_3_125_HZ, "3_125_HZ", 3.125f},
    {OB_SAMPLE_RATE_6_25_HZ, "6_25_HZ", 6.25f},
    {OB_SAMPLE_RATE_12_5_HZ, "12_5_HZ", 12.5f},
    {OB_SAMPLE_RATE_25_HZ, "25_HZ", 25.f},
    {OB_SAMPLE_RATE_50_HZ, "50_HZ", 50.f},
    {OB_SAMPLE_RATE_100_HZ, "100_HZ", 100.f},
    {OB_SAMPLE_RATE_200_HZ, "200_HZ", 200.f},
    {OB_SAMPLE_RATE_400_HZ, "400_HZ", 400.f},
    {OB_SAMPLE_RATE_500_HZ, "500_HZ", 500.f},
    {OB_SAMPLE_RATE_800_HZ, "800_HZ", 800.f},
    {OB_SAMPLE_RATE_1_KHZ, "1_KHZ", 1000.f},
    {OB_SAMPLE_RATE_2_KHZ, "2_KHZ", 2000.f},
    {OB_SAMPLE_RATE_4_KHZ, "4_KHZ", 4000.f},
    {OB_SAMPLE_RATE_8_KHZ, "8_KHZ", 8000.f},
    {OB_SAMPLE_RATE_16_KHZ, "16_KHZ", 16000.f},
    {OB_SAMPLE_RATE_32_KHZ, "32_KHZ", 32000.f},
};

static const obemu_name_t gyro_range_names[] = {
    {OB_GYRO_FS_UNKNOWN, "Unknown"}, {OB_GYRO_FS_16dps, "16dps"},
    {OB_GYRO_FS_31dps, "31dps"},     {OB_GYRO_FS_62dps, "62dps"},
    {OB_GYRO_FS_125dps, "125dps"},   {OB_GYRO_FS_250dps, "250dps"},
    {OB_GYRO_FS_500dps, "500dps"},   {OB_GYRO_FS_1000dps, "1000dps"},
    {OB_GYRO_FS_2000dps, "2000dps"}, {OB_GYRO_FS_400dps, "400dps"},
    {OB_GYRO_FS_800dps, "800dps"},
};

static const obemu_name_t accel_range_names[] = {
    {OB_ACCEL_FS_UNKNOWN, "Unknown"}, {OB_ACCEL_FS_2g, "2g"},   {OB_ACCEL_FS_4g, "4g"},
    {OB_ACCEL_FS_8g, "8g"},           {OB_ACCEL_FS_16g, "16g"}, {OB_ACCEL_FS_3g, "3g"},
    {OB_ACCEL_FS_6g, "6g"},           {OB_ACCEL_FS_12g, "12g"}, {OB_ACCEL_FS_24g, "24g"},
};

static const obemu_name_t lidar_rate_names[] = {
    {OB_LIDAR_SCAN_UNKNOWN, "Unknown"}, {OB_LIDAR_SCAN_5HZ, "5HZ"},
    {OB_LIDAR_SCAN_10HZ, "10HZ"},       {OB_LIDAR_SCAN_15HZ, "15HZ"},
    {OB_LIDAR_SCAN_20HZ, "20HZ"},       {OB_LIDAR_SCAN_25HZ, "25HZ"},
    {OB_LIDAR_SCAN_30HZ, "30HZ"},       {OB_LIDAR_SCAN_40HZ, "40HZ"},
};

/* Indexed by OBFrameMetadataType (0 .. OB_FRAME_METADATA_TYPE_COUNT - 1). */
static const char *const metadata_names[OB_FRAME_METADATA_TYPE_COUNT] = {
    [OB_FRAME_METADATA_TYPE_TIMESTAMP] = "Timestamp",
    [OB_FRAME_METADATA_TYPE_SENSOR_TIMESTAMP] = "Sensor Timestamp",
    [OB_FRAME_METADATA_TYPE_FRAME_NUMBER] = "Frame Number",
    [OB_FRAME_METADATA_TYPE_AUTO_EXPOSURE] = "Auto Exposure",
    [OB_FRAME_METADATA_TYPE_EXPOSURE] = "Exposure",
    [OB_FRAME_METADATA_TYPE_GAIN] = "Gain",
    [OB_FRAME_METADATA_TYPE_AUTO_WHITE_BALANCE] = "Auto White Balance",
    [OB_FRAME_METADATA_TYPE_WHITE_BALANCE] = "White Balance",
    [OB_FRAME_METADATA_TYPE_BRIGHTNESS] = "Brightness",
    [OB_FRAME_METADATA_TYPE_CONTRAST] = "Contrast",
    [OB_FRAME_METADATA_TYPE_SATURATION] = "Saturation",
    [OB_FRAME_METADATA_TYPE_SHARPNESS] = "Sharpness",
    [OB_FRAME_METADATA_TYPE_BACKLIGHT_COMPENSATION] = "Backlight Compensation",
    [OB_FRAME_METADATA_TYPE_HUE] = "Hue",
    [OB_FRAME_METADATA_TYPE_GAMMA] = "Gamma",
    [OB_FRAME_METADATA_TYPE_POWER_LINE_FREQUENCY] = "Power Line Frequency",
    [OB_FRAME_METADATA_TYPE_LOW_LIGHT_COMPENSATION] = "Low Light Compensation",
    [OB_FRAME_METADATA_TYPE_MANUAL_WHITE_BALANCE] = "Manual White Balance",
    [OB_FRAME_METADATA_TYPE_ACTUAL_FRAME_RATE] = "Actual Frame Rate",
    [OB_FRAME_METADATA_TYPE_FRAME_RATE] = "Frame Rate",
    [OB_FRAME_METADATA_TYPE_AE_ROI_LEFT] = "AE ROI Left",
    [OB_FRAME_METADATA_TYPE_AE_ROI_TOP] = "AE ROI Top",
    [OB_FRAME_METADATA_TYPE_AE_ROI_RIGHT] = "AE ROI Right",
    [OB_FRAME_METADATA_TYPE_AE_ROI_BOTTOM] = "AE ROI Bottom",
    [OB_FRAME_METADATA_TYPE_EXPOSURE_PRIORITY] = "Auto Exposure Priority",
    [OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_NAME] = "Sequence Name",
    [OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_SIZE] = "Sequence Size",
    [OB_FRAME_METADATA_TYPE_HDR_SEQUENCE_INDEX] = "Sequence Index",
    [OB_FRAME_METADATA_TYPE_LASER_POWER] = "Laser Power",
    [OB_FRAME_METADATA_TYPE_LASER_POWER_LEVEL] = "Laser Power Level",
    [OB_FRAME_METADATA_TYPE_LASER_STATUS] = "Laser Status",
    [OB_FRAME_METADATA_TYPE_GPIO_INPUT_DATA] = "GPIO Input Data",
    [OB_FRAME_METADATA_TYPE_DISPARITY_SEARCH_OFFSET] = "Disparity Search Offset",
    [OB_FRAME_METADATA_TYPE_DISPARITY_SEARCH_RANGE] = "Disparity Search Range",
};

/* The SDK's format message says "stream type" (sic): the same text is returned here. */
const char *ob_format_type_to_string(OBFormat type)
{
    return name_of(format_names, COUNT(format_names), (int)type, "Unregistered stream type");
}

const char *ob_format_to_string(OBFormat format)
{
    return ob_format_type_to_string(format);
}

const char *ob_frame_type_to_string(OBFrameType type)
{
    return name_of(frame_names, COUNT(frame_names), (int)type, "Unregistered frame type");
}

const char *ob_stream_type_to_string(OBStreamType type)
{
    return name_of(stream_names, COUNT(stream_names), (int)type, "Unregistered stream type");
}

const char *ob_sensor_type_to_string(OBSensorType type)
{
    return name_of(sensor_names, COUNT(sensor_names), (int)type, "Unregistered sensor type");
}

const char *ob_imu_rate_type_to_string(OBIMUSampleRate type)
{
    for (size_t i = 0; i < COUNT(imu_rates); i++)
        if (imu_rates[i].rate == type)
            return imu_rates[i].name;
    return "Unregistered imu rate type";
}

float ob_imu_rate_type_to_value(OBIMUSampleRate type)
{
    for (size_t i = 0; i < COUNT(imu_rates); i++)
        if (imu_rates[i].rate == type)
            return imu_rates[i].hz;
    return 0.f;
}

/* A value matches a rate within 1e-5 Hz, as in the SDK; 0 Hz is no rate. */
OBIMUSampleRate ob_imu_rate_value_to_type(float value)
{
    for (size_t i = 0; i < COUNT(imu_rates); i++)
        if (imu_rates[i].rate != OB_SAMPLE_RATE_UNKNOWN && fabsf(imu_rates[i].hz - value) < 1e-5f)
            return imu_rates[i].rate;
    return OB_SAMPLE_RATE_UNKNOWN;
}

const char *ob_gyro_range_type_to_string(OBGyroFullScaleRange type)
{
    return name_of(gyro_range_names, COUNT(gyro_range_names), (int)type,
                   "Unregistered gyro full scale range name");
}

const char *ob_accel_range_type_to_string(OBAccelFullScaleRange type)
{
    return name_of(accel_range_names, COUNT(accel_range_names), (int)type,
                   "Unregistered acc full scale range name");
}

const char *ob_lidar_scan_rate_type_to_string(OBLiDARScanRate type)
{
    return name_of(lidar_rate_names, COUNT(lidar_rate_names), (int)type,
                   "Unregistered LiDAR scan rate name");
}

const char *ob_meta_data_type_to_string(OBFrameMetadataType type)
{
    if ((int)type < 0 || (int)type >= OB_FRAME_METADATA_TYPE_COUNT || !metadata_names[type])
        return "Unregistered metadata name";
    return metadata_names[type];
}

/* ------------------------------------------------------------------------------------------ */
/* Type mappings                                                                              */

/* One row per kind of data: its sensor, stream and frame types. OB_STREAM_VIDEO and
 * OB_FRAME_VIDEO pair with each other but have no sensor; OB_FRAME_SET and OB_FRAME_POINTS have
 * neither a stream nor a sensor. */
static const struct {
    OBSensorType sensor;
    OBStreamType stream;
    OBFrameType frame;
} type_rows[] = {
    {OB_SENSOR_UNKNOWN, OB_STREAM_VIDEO, OB_FRAME_VIDEO},
    {OB_SENSOR_IR, OB_STREAM_IR, OB_FRAME_IR},
    {OB_SENSOR_COLOR, OB_STREAM_COLOR, OB_FRAME_COLOR},
    {OB_SENSOR_COLOR_LEFT, OB_STREAM_COLOR_LEFT, OB_FRAME_COLOR_LEFT},
    {OB_SENSOR_COLOR_RIGHT, OB_STREAM_COLOR_RIGHT, OB_FRAME_COLOR_RIGHT},
    {OB_SENSOR_DEPTH, OB_STREAM_DEPTH, OB_FRAME_DEPTH},
    {OB_SENSOR_ACCEL, OB_STREAM_ACCEL, OB_FRAME_ACCEL},
    {OB_SENSOR_GYRO, OB_STREAM_GYRO, OB_FRAME_GYRO},
    {OB_SENSOR_IR_LEFT, OB_STREAM_IR_LEFT, OB_FRAME_IR_LEFT},
    {OB_SENSOR_IR_RIGHT, OB_STREAM_IR_RIGHT, OB_FRAME_IR_RIGHT},
    {OB_SENSOR_RAW_PHASE, OB_STREAM_RAW_PHASE, OB_FRAME_RAW_PHASE},
    {OB_SENSOR_CONFIDENCE, OB_STREAM_CONFIDENCE, OB_FRAME_CONFIDENCE},
    {OB_SENSOR_LIDAR, OB_STREAM_LIDAR, OB_FRAME_LIDAR_POINTS},
};

OBStreamType ob_sensor_type_to_stream_type(OBSensorType type)
{
    for (size_t i = 0; i < COUNT(type_rows); i++)
        if (type_rows[i].sensor == type && type != OB_SENSOR_UNKNOWN)
            return type_rows[i].stream;
    return OB_STREAM_UNKNOWN;
}

OBSensorType ob_stream_type_to_sensor_type(OBStreamType type)
{
    for (size_t i = 0; i < COUNT(type_rows); i++)
        if (type_rows[i].stream == type)
            return type_rows[i].sensor;
    return OB_SENSOR_UNKNOWN;
}

OBFrameType ob_stream_type_to_frame_type(OBStreamType type)
{
    for (size_t i = 0; i < COUNT(type_rows); i++)
        if (type_rows[i].stream == type)
            return type_rows[i].frame;
    return OB_FRAME_UNKNOWN;
}

OBSensorType ob_frame_type_to_sensor_type(OBFrameType type)
{
    for (size_t i = 0; i < COUNT(type_rows); i++)
        if (type_rows[i].frame == type)
            return type_rows[i].sensor;
    return OB_SENSOR_UNKNOWN;
}

/* ROS 2 messages for the recorder: their definitions (schema encoding "ros2msg") and their
 * encoding as CDR (XCDR1, little-endian, 4-byte encapsulation header; each primitive aligned to
 * its size counted from the end of that header). Pure: bytes in, bytes out. */
#ifndef RIGSYNC_ROS2MSG_H
#define RIGSYNC_ROS2MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

/** A growing CDR buffer; on allocation failure `failed` is set and writes become no-ops. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
    bool failed;
} rig_cdr_t;

/** Starts a message: the encapsulation header (CDR little-endian). */
void rig_cdr_begin(rig_cdr_t *c);
void rig_cdr_free(rig_cdr_t *c);
void rig_cdr_u8(rig_cdr_t *c, uint8_t v);
void rig_cdr_u32(rig_cdr_t *c, uint32_t v);
void rig_cdr_i32(rig_cdr_t *c, int32_t v);
void rig_cdr_u64(rig_cdr_t *c, uint64_t v);
void rig_cdr_i64(rig_cdr_t *c, int64_t v);
void rig_cdr_string(rig_cdr_t *c, const char *s);
void rig_cdr_bytes(rig_cdr_t *c, const void *p, size_t n); /* sequence<uint8> */
/** std_msgs/Header: stamp from a time in us (floored to whole seconds + nanoseconds). */
void rig_cdr_header(rig_cdr_t *c, int64_t stamp_us, const char *frame_id);

/** Reading CDR as rig_cdr_* writes it (little-endian XCDR1; alignment counts from the end of the
 *  4-byte encapsulation header). Any overrun or malformed field sets `bad`; later reads give
 *  zeros and empty strings, so a decoder reads on and checks `bad` once at the end. */
typedef struct {
    const uint8_t *p;
    size_t len, off;
    bool bad;
} rig_cdr_in_t;

/** Starts reading a message; false (and bad) unless it starts with the CDR_LE header. */
bool rig_cdr_in_open(rig_cdr_in_t *c, const uint8_t *p, size_t len);
/** n bytes at the next multiple of align; NULL on overrun. */
const uint8_t *rig_cdr_in_take(rig_cdr_in_t *c, size_t n, size_t align);
uint8_t rig_cdr_in_u8(rig_cdr_in_t *c);
uint32_t rig_cdr_in_u32(rig_cdr_in_t *c);
int32_t rig_cdr_in_i32(rig_cdr_in_t *c);
uint64_t rig_cdr_in_u64(rig_cdr_in_t *c);
int64_t rig_cdr_in_i64(rig_cdr_in_t *c);
/** A string into buf (cut to fit, always terminated); a string without its NUL sets bad. */
void rig_cdr_in_string(rig_cdr_in_t *c, char *buf, size_t len);
/** Skips a std_msgs/Header (stamp and frame_id). */
void rig_cdr_in_skip_header(rig_cdr_in_t *c);

/* Type names and their ros2msg definitions (NUL-terminated text). */
#define RIG_ROS2_IMAGE "sensor_msgs/msg/Image"
#define RIG_ROS2_COMPRESSED_IMAGE "sensor_msgs/msg/CompressedImage"
#define RIG_ROS2_FRAME_INFO "rigsync_msgs/msg/FrameInfo"
#define RIG_ROS2_FRAME_SET "rigsync_msgs/msg/FrameSet"
#define RIG_ROS2_CLOCK_EVENT "rigsync_msgs/msg/ClockEvent"
#define RIG_ROS2_DEVICE_EVENT "rigsync_msgs/msg/DeviceEvent"
extern const char rig_ros2_image_def[];
extern const char rig_ros2_compressed_image_def[];
extern const char rig_ros2_frame_info_def[];
extern const char rig_ros2_frame_set_def[];
extern const char rig_ros2_clock_event_def[];
extern const char rig_ros2_device_event_def[];

/** The stamp of a frame's messages: its global time, else its host time. */
int64_t rig_ros2_frame_stamp_us(const rig_frame_t *f);
/** sensor_msgs/msg/Image of a frame with pixels (rgb8 or 16UC1). false: no pixels. */
bool rig_ros2_encode_image(rig_cdr_t *c, const rig_frame_t *f);
/** sensor_msgs/msg/CompressedImage of an MJPG frame: format "jpeg", data = the frame's bytes
 *  unchanged. false: not an MJPG frame with data. */
bool rig_ros2_encode_compressed_image(rig_cdr_t *c, const rig_frame_t *f);
/** The same without the pixels: everything up to and including the length of `data`, which the
 *  caller appends (*pixels, *n bytes) without copying them here. false: no pixels. */
bool rig_ros2_encode_image_head(rig_cdr_t *c, const rig_frame_t *f, const uint8_t **pixels,
                                size_t *n);
void rig_ros2_encode_frame_info(rig_cdr_t *c, const rig_frame_t *f);
/** The same with the wall-clock arrival time (monotonic us; RIG_TS_NONE: virtual time). */
void rig_ros2_encode_frame_info_wall(rig_cdr_t *c, const rig_frame_t *f, int64_t wall_us);
/** serials: one per device index of the set (n of them). */
void rig_ros2_encode_frame_set(rig_cdr_t *c, const rig_frameset_t *set, const char *const *serials,
                               size_t n);
void rig_ros2_encode_clock_event(rig_cdr_t *c, const rig_clock_event_t *e, const char *serial);

void rig_ros2_encode_device_event(rig_cdr_t *c, const rig_device_event_t *e);

#endif

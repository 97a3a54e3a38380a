/*
 * The wire format between a `rigsync node` and its receivers (the aggregator, `rigsync
 * node-tap`): pure, bytes in and bytes out, no I/O.
 *
 * Every message is a 24-byte header followed by its body, all integers little-endian:
 *   magic "RSYN" (4) | version u16 | type u8 | reserved u8 (0) | node id u32 |
 *   body length u32 (exactly the bytes that follow) | sequence u64
 * The sequence counts every message a node sends, from 0, one by one, whatever its type: a
 * receiver counts what it lost exactly from the gaps. Strings are a u16 length and that many
 * bytes (no NUL; control bytes allowed, receivers escape them when printing).
 * Batches: a node may pack several messages back to back into one network message (each with
 * its own header and sequence number); receivers walk them with rig_wire_next.
 * Decoding checks every length against the bytes it has and rejects, with a reason, anything
 * malformed: wrong magic or version, an unknown type, flags or enum value, a length that
 * disagrees, trailing bytes.
 */
#ifndef RIGSYNC_NET_WIRE_H
#define RIGSYNC_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

#define RIG_WIRE_VERSION 1
#define RIG_WIRE_HEADER_SIZE 24
#define RIG_WIRE_SEQ_OFFSET 16
#define RIG_WIRE_MAX_DEVICES 64
#define RIG_WIRE_MAX_STRING 255   /* bytes of a serial, model, host name, event detail */
#define RIG_WIRE_MAX_PIXELS (64u << 20)

typedef enum rig_wire_type {
    RIG_WIRE_HELLO = 1,
    RIG_WIRE_FRAME = 2,
    RIG_WIRE_CLOCK = 3,
    RIG_WIRE_EVENT = 4,
    RIG_WIRE_PTP = 5,
    RIG_WIRE_HEARTBEAT = 6,
} rig_wire_type_t;
#define RIG_WIRE_TYPE_MAX 6

/** "HELLO", "FRAME", ... or "?" */
const char *rig_wire_type_name(int type);

/** One camera of a node's config. */
typedef struct rig_wire_device {
    char serial[RIG_WIRE_MAX_STRING + 1];
    char model[RIG_WIRE_MAX_STRING + 1];
    rig_sync_config_t sync;
} rig_wire_device_t;

typedef struct rig_wire_hello {
    uint16_t protocol;  /* the node's RIG_WIRE_VERSION */
    char host[RIG_WIRE_MAX_STRING + 1];
    uint16_t device_count;
    rig_wire_device_t devices[RIG_WIRE_MAX_DEVICES];
} rig_wire_hello_t;

enum {
    RIG_WIRE_FRAME_INTERFERED = 1u << 0, /* depth disturbed by another ToF camera */
    RIG_WIRE_FRAME_PIXELS = 1u << 1,     /* pixels follow */
    RIG_WIRE_FRAME_TRUTH = 1u << 2,      /* the simulator's ground truth follows (node --truth) */
};
#define RIG_WIRE_FRAME_FLAGS_ALL 0x7u

typedef struct rig_wire_frame {
    uint16_t device;  /* index in the node's HELLO devices */
    uint8_t stream;   /* rig_stream_t */
    uint8_t flags;    /* RIG_WIRE_FRAME_* */
    uint64_t index;
    int64_t device_ts_us, host_ts_us, global_ts_us; /* RIG_TS_NONE when none */
    int64_t global_bound_us;                        /* INT64_MAX when no bound */
    /* With RIG_WIRE_FRAME_TRUTH (simulated frames, `rigsync node --truth`; a test and benchmark
     * aid: nothing in rigsync's sync path reads it), before the pixels: */
    uint64_t trigger_seq; /* the pulse or tick that caused the capture */
    int64_t true_mono_us; /* true mid-exposure instant on CLOCK_MONOTONIC */
    /* With RIG_WIRE_FRAME_PIXELS: */
    uint8_t format; /* rig_format_t */
    uint32_t width, height, stride; /* stride 0 for MJPG */
    uint32_t data_size;
    const uint8_t *data; /* decode: points into the decoded buffer */
} rig_wire_frame_t;

typedef struct rig_wire_clock {
    uint8_t kind; /* rig_clock_event_kind_t */
    uint16_t device;
    int64_t host_before_us, device_us, host_after_us;
} rig_wire_clock_t;

#define RIG_WIRE_DEVICE_NONE 0xFFFFu
typedef struct rig_wire_event {
    uint8_t kind; /* rig_device_event_kind_t */
    uint16_t device; /* RIG_WIRE_DEVICE_NONE for a device no handle stands for */
    int64_t host_ts_us;
    char serial[RIG_WIRE_MAX_STRING + 1];
    char detail[RIG_WIRE_MAX_STRING + 1];
} rig_wire_event_t;

#define RIG_WIRE_PTP_SERVO_MAX 3 /* linuxptp's servo states: unlocked, jump, locked, stable */
#define RIG_WIRE_PTP_PORT_MAX 10 /* IEEE 1588 port states 1-9, linuxptp's GRAND_MASTER 10 */
/* The node's host clock as its ptp4l sees it, read through ptp4l's management socket. */
typedef struct rig_wire_ptp {
    int64_t offset_ns;   /* host clock minus the PTP master's (TIME_STATUS_NP master_offset) */
    uint8_t servo_state; /* 0 unlocked, 1 jump, 2 locked, 3 locked stable (linuxptp's s0-s3) */
    uint8_t port_state;  /* ptp4l's port state (IEEE 1588 numbering, 0-10) */
    uint8_t valid;       /* 0: no ptp4l answered (the fields below host_ts_us mean nothing) */
    int64_t host_ts_us;  /* the node's host clock when it asked */
    int64_t mean_path_delay_ns; /* CURRENT_DATA_SET meanPathDelay, rounded */
    uint16_t steps_removed;     /* boundary clocks between this clock and the grandmaster */
    uint8_t gm_present;         /* 0 or 1: ptp4l has a grandmaster */
    uint8_t gm_identity[8];     /* the grandmaster's clock identity */
} rig_wire_ptp_t;

typedef struct rig_wire_heartbeat {
    int64_t node_time_us;      /* the node's host clock */
    uint64_t frames_published; /* handed to the network so far */
    uint64_t dropped;          /* messages the node's queue dropped so far (never sent) */
    uint32_t subscribers;      /* receivers connected now */
} rig_wire_heartbeat_t;

typedef struct rig_wire_msg {
    uint8_t type; /* rig_wire_type_t */
    uint16_t version;
    uint32_t node_id;
    uint64_t seq;
    union {
        rig_wire_hello_t hello;
        rig_wire_frame_t frame;
        rig_wire_clock_t clock;
        rig_wire_event_t event;
        rig_wire_ptp_t ptp;
        rig_wire_heartbeat_t heartbeat;
    } u;
} rig_wire_msg_t;

/** Bytes msg takes encoded, or 0 when it cannot be encoded (a string too long, too many
 * devices, pixels that disagree with their size). */
size_t rig_wire_encoded_size(const rig_wire_msg_t *msg);
/** Encodes msg (with its version field ignored: RIG_WIRE_VERSION is written) into buf.
 * RIG_ERROR_INVALID_ARGUMENT when it cannot be encoded or cap is too small. */
rig_error_t rig_wire_encode(const rig_wire_msg_t *msg, uint8_t *buf, size_t cap, size_t *len);
/** Writes a sequence number into an encoded message (the sender numbers at send time). */
void rig_wire_set_seq(uint8_t *buf, size_t len, uint64_t seq);
/**
 * Decodes one message of exactly len bytes. RIG_OK, or RIG_ERROR_INVALID_ARGUMENT with why (a
 * sentence, may be NULL) saying what is wrong; *out is then unspecified. A FRAME's pixels point
 * into buf.
 */
rig_error_t rig_wire_decode(const uint8_t *buf, size_t len, rig_wire_msg_t *out, char *why,
                            size_t why_len);

/**
 * A batch's first message: the buffer (len bytes) starts with a message header; *msg_len is set
 * to that message's length (header + body) when the header is valid (magic, version, type,
 * reserved byte) and its body lies within the buffer. Walk a batch by calling again at
 * buf + *msg_len until len is used up. RIG_ERROR_INVALID_ARGUMENT with why (may be NULL) for a
 * malformed tail (a short or invalid header, a body running past the buffer): nothing past len
 * is read, and the rest of the buffer cannot be split (count it as one bad message).
 */
rig_error_t rig_wire_next(const uint8_t *buf, size_t len, size_t *msg_len, char *why,
                          size_t why_len);

#endif

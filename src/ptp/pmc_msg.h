/*
 * PTP management messages (IEEE 1588-2008 clause 15, as linuxptp's ptp4l and `pmc -u` speak
 * them over ptp4l's Unix domain socket): the GET request's bytes out, a RESPONSE's bytes in.
 * Pure: no I/O, no allocation. Every decode checks each length against the bytes it was given
 * and rejects what does not fit with a reason; it never reads outside the buffer.
 *
 * Wire facts (all multi-byte fields big-endian):
 *   header (34 bytes): transportSpecific|messageType (0x0D management), versionPTP (2),
 *     messageLength, domainNumber, reserved, flagField[2], correctionField (8), reserved (4),
 *     sourcePortIdentity (clockIdentity 8 + portNumber 2), sequenceId, controlField (4),
 *     logMessageInterval (0x7F);
 *   management body (14 bytes): targetPortIdentity (10), startingBoundaryHops,
 *     boundaryHops, actionField (low nibble: GET 0, SET 1, RESPONSE 2, COMMAND 3,
 *     ACKNOWLEDGE 4), reserved;
 *   then one TLV: tlvType (MANAGEMENT 0x0001 or MANAGEMENT_ERROR_STATUS 0x0002), lengthField
 *     (bytes after it), managementId, dataField.
 * Like `pmc`, a GET carries a zero-filled dataField of the data set's size.
 */
#ifndef RIGSYNC_PTP_PMC_MSG_H
#define RIGSYNC_PTP_PMC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rigsync/rigsync.h"

#define RIG_PTP_HEADER_LEN 34
#define RIG_PTP_MGMT_HEADER_LEN 48 /* header + targetPortIdentity .. reserved */
#define RIG_PTP_MSG_MAX 1500

/* managementId values: 1588's data sets and linuxptp's TIME_STATUS_NP (implementation-specific). */
typedef enum {
    RIG_PTP_MID_CURRENT_DATA_SET = 0x2001,
    RIG_PTP_MID_PARENT_DATA_SET = 0x2002,
    RIG_PTP_MID_PORT_DATA_SET = 0x2004,
    RIG_PTP_MID_TIME_STATUS_NP = 0xC000,
} rig_ptp_mid_t;

/* Sizes of the dataFields above. */
#define RIG_PTP_CURRENT_DS_LEN 18
#define RIG_PTP_PARENT_DS_LEN 32
#define RIG_PTP_PORT_DS_LEN 26
#define RIG_PTP_TIME_STATUS_NP_LEN 50

/* portState (1588 table 8; GRAND_MASTER is linuxptp's extension). */
typedef enum {
    RIG_PTP_PORT_UNKNOWN = 0,
    RIG_PTP_PORT_INITIALIZING = 1,
    RIG_PTP_PORT_FAULTY = 2,
    RIG_PTP_PORT_DISABLED = 3,
    RIG_PTP_PORT_LISTENING = 4,
    RIG_PTP_PORT_PRE_MASTER = 5,
    RIG_PTP_PORT_MASTER = 6,
    RIG_PTP_PORT_PASSIVE = 7,
    RIG_PTP_PORT_UNCALIBRATED = 8,
    RIG_PTP_PORT_SLAVE = 9,
    RIG_PTP_PORT_GRAND_MASTER = 10,
} rig_ptp_port_state_t;

/** "MASTER", "SLAVE", ... as pmc prints them; "UNKNOWN" outside the table. Never NULL. */
const char *rig_ptp_port_state_name(int state);

typedef struct {
    uint8_t clock_identity[8];
    uint16_t port_number;
} rig_ptp_port_identity_t;

/* TIME_STATUS_NP: the servo's view on ptp4l's clock. */
typedef struct {
    int64_t master_offset_ns;
    int64_t ingress_ptp_ts_ns; /* ingress time of the last sync, on ptp4l's clock (ns); 0: none */
    int32_t cumulative_scaled_rate_offset;
    int32_t scaled_last_gm_phase_change;
    uint16_t gm_time_base_indicator;
    bool gm_present;
    uint8_t gm_identity[8];
} rig_ptp_time_status_t;

/* CURRENT_DATA_SET; TimeInterval fields are ns * 2^16 on the wire, given here in ns. */
typedef struct {
    uint16_t steps_removed;
    double offset_from_master_ns;
    double mean_path_delay_ns;
} rig_ptp_current_ds_t;

typedef struct {
    rig_ptp_port_identity_t parent_port;
    uint8_t parent_stats;
    uint16_t observed_parent_offset_scaled_log_variance;
    int32_t observed_parent_clock_phase_change_rate;
    uint8_t gm_priority1, gm_priority2;
    uint8_t gm_clock_class, gm_clock_accuracy;
    uint16_t gm_offset_scaled_log_variance;
    uint8_t gm_identity[8];
} rig_ptp_parent_ds_t;

typedef struct {
    rig_ptp_port_identity_t port;
    uint8_t port_state; /* rig_ptp_port_state_t */
    int8_t log_min_delay_req_interval;
    double peer_mean_path_delay_ns;
    int8_t log_announce_interval;
    uint8_t announce_receipt_timeout;
    int8_t log_sync_interval;
    uint8_t delay_mechanism;
    int8_t log_min_pdelay_req_interval;
    uint8_t version_number;
} rig_ptp_port_ds_t;

/** One decoded management message. */
typedef struct {
    uint8_t domain;
    uint16_t sequence_id;
    rig_ptp_port_identity_t source;
    rig_ptp_port_identity_t target;
    uint8_t action;         /* 0 GET .. 4 ACKNOWLEDGE */
    uint16_t management_id; /* of the TLV */
    bool is_error;          /* a MANAGEMENT_ERROR_STATUS TLV: error_id says which */
    uint16_t error_id;
    union {
        rig_ptp_time_status_t time_status;
        rig_ptp_current_ds_t current;
        rig_ptp_parent_ds_t parent;
        rig_ptp_port_ds_t port;
    } u; /* by management_id, when !is_error and the id is one of rig_ptp_mid_t */
} rig_ptp_msg_t;

/** Length of a data set's body (the *_LEN above), 0 for a management id this module does not
 * know. */
size_t rig_ptp_dataset_len(uint16_t mid);

/**
 * Writes a GET of `mid` (one of rig_ptp_mid_t) into buf: source port identity all-zero clock
 * identity and `source_port`, target all ones (every port), boundary hops 0 (as `pmc -b 0`).
 * Returns the number of bytes, 0 when buf is too small or mid unknown.
 */
size_t rig_ptp_msg_encode_get(uint8_t *buf, size_t cap, uint16_t mid, uint16_t sequence_id,
                              uint16_t source_port, uint8_t domain);

/**
 * Decodes a management message. RIG_ERROR_INVALID_ARGUMENT with `why` (always terminated)
 * for anything malformed or truncated: not management, wrong version, messageLength beyond
 * the bytes or below the header, no TLV, a TLV longer than the message, a dataField shorter
 * than its data set. A RESPONSE of an id this module does not know is decoded up to
 * management_id (RIG_OK, u untouched).
 */
rig_error_t rig_ptp_msg_decode(const uint8_t *buf, size_t len, rig_ptp_msg_t *out, char *why,
                               size_t why_len);

/** Name of a MANAGEMENT_ERROR_STATUS managementErrorId ("NOT_SUPPORTED", ...). Never NULL. */
const char *rig_ptp_mgmt_error_name(uint16_t error_id);

#endif

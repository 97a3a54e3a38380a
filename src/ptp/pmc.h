/*
 * A client of ptp4l's management interface over its Unix domain socket (what `pmc -u` does):
 * sends GETs, waits (bounded) for the RESPONSE with the same sequenceId, decodes it with
 * pmc_msg. Internal module of the library (not public yet); never prints.
 *
 * The client binds a socket file to which ptp4l sends its responses: the given path, or
 * $TMPDIR/rigsync-pmc.<pid>.<n> (/tmp without TMPDIR or when too long; unique per client of the
 * process), removed on close. Not an
 * abstract (autobound) address: ptp4l 3.1.1 never answers one (measured; pmc binds a file too).
 */
#ifndef RIGSYNC_PTP_PMC_H
#define RIGSYNC_PTP_PMC_H

#include <stdbool.h>
#include <stdint.h>

#include "ptp/pmc_msg.h"
#include "rigsync/rigsync.h"

#define RIG_PTP_DEFAULT_UDS "/var/run/ptp4l"

typedef struct rig_ptp_client rig_ptp_client_t;

/**
 * Opens a client of ptp4l at server_path (NULL: RIG_PTP_DEFAULT_UDS), binding client_path
 * (NULL: $TMPDIR or /tmp, rigsync-pmc.<pid>.<n>). RIG_ERROR_IO with `why` when the socket cannot be
 * made or bound; the server is not contacted yet.
 */
rig_error_t rig_ptp_client_open(const char *server_path, const char *client_path,
                                rig_ptp_client_t **out, char *why, size_t why_len);
void rig_ptp_client_close(rig_ptp_client_t *c);

/**
 * GET of `mid`; waits up to timeout_ms for the RESPONSE with the matching sequenceId and
 * managementId (other datagrams are skipped). RIG_ERROR_IO when the server cannot be reached
 * (no ptp4l at that path), RIG_ERROR_TIMEOUT when nothing matching came, RIG_ERROR_BACKEND for
 * a MANAGEMENT_ERROR_STATUS (why names the error), RIG_ERROR_INVALID_ARGUMENT for a malformed
 * response. With several ports, the first port's response is returned.
 */
rig_error_t rig_ptp_client_get(rig_ptp_client_t *c, uint16_t mid, int timeout_ms,
                               rig_ptp_msg_t *out, char *why, size_t why_len);

/** ptp4l's state as one struct: TIME_STATUS_NP, PORT_DATA_SET, CURRENT_ and PARENT_DATA_SET. */
typedef struct {
    int64_t master_offset_ns;
    int64_t ingress_ptp_ts_ns; /* on ptp4l's clock; 0 when no sync was received */
    bool gm_present;
    uint8_t gm_identity[8];
    rig_ptp_port_state_t port_state;
    uint16_t port_number;
    double offset_from_master_ns;
    double mean_path_delay_ns;
    uint16_t steps_removed;
    uint8_t gm_clock_class;
    uint8_t gm_priority1, gm_priority2;
    uint8_t parent_clock_identity[8];
    uint16_t parent_port_number;
} rig_ptp_status_t;

/** The four GETs above, each with timeout_ms. Errors as rig_ptp_client_get. */
rig_error_t rig_ptp_status_read(rig_ptp_client_t *c, int timeout_ms, rig_ptp_status_t *out,
                                char *why, size_t why_len);

/** "001122.fffe.334455" as pmc prints a clock identity; buf of at least 19 bytes. */
void rig_ptp_clock_identity_format(const uint8_t id[8], char *buf, size_t len);

#endif

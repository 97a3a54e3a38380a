/*
 * rigsync hosts: one JSON file describing a rig that spans several hosts.
 *
 *   { "hosts": [ { "name": "stage-a", "node": "tcp://10.77.0.1:7100",
 *                  "devices": [ <device entries as in a one-host config> ],
 *                  "sim": { <optional: this host's simulated rig> } }, ... ],
 *     "hubs": [ { "from": "SERIAL_OF_A_PULSE_SOURCE", "to": ["SERIAL", ...],
 *                 "hub_delay_ns": 0 } ],
 *     "streams": { <optional, for every host> }, "clock_sync_interval_ms": <optional> }
 *
 * A hub carries one device's pulses (a PRIMARY, or any device with trigger_out_enable) to
 * devices on other hosts. Each host's own config (rig_hosts_host_config) is a one-host config
 * (rigsync node runs from it): its devices, the top-level streams, and its simulated rig with
 * the anchor to CLOCK_MONOTONIC and a host clock on CLOCK_REALTIME; a host fed by a hub gets a
 * signal generator at the remote source's exact frame rate feeding the hub's devices there, so
 * that the simulated pulses are the same on every host.
 *
 * Every error names file:line:column, the field and the fix (rig_config_diag_t).
 */
#ifndef RIGSYNC_HOSTS_H
#define RIGSYNC_HOSTS_H

#include "rigsync/rigsync.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rig_hosts rig_hosts_t;

#define RIG_HOSTS_NAME_MAX 64

/** Reads and checks a hosts file. On failure *out is NULL and diag (may be NULL) says why. */
rig_error_t rig_hosts_load(const char *path, rig_hosts_t **out, rig_config_diag_t *diag);
/** The same from text; name is the file name in messages. */
rig_error_t rig_hosts_parse(const char *text, const char *name, rig_hosts_t **out,
                            rig_config_diag_t *diag);
void rig_hosts_destroy(rig_hosts_t *hosts);

const char *rig_hosts_source(const rig_hosts_t *hosts);
size_t rig_hosts_count(const rig_hosts_t *hosts);
/** Host by name, or -1. */
int rig_hosts_find(const rig_hosts_t *hosts, const char *name);
const char *rig_hosts_name(const rig_hosts_t *hosts, size_t host);
/** "tcp://HOST:PORT" of the host's node. */
const char *rig_hosts_node_url(const rig_hosts_t *hosts, size_t host);

/**
 * The whole rig as one config (every host's devices in host order, then device order; the
 * top-level streams): the aggregator's view, for its report. Owned by hosts.
 */
const rig_config_t *rig_hosts_rig_config(const rig_hosts_t *hosts);
/** The host of the rig config's device `index`, or SIZE_MAX. */
size_t rig_hosts_device_host(const rig_hosts_t *hosts, size_t index);
/** The rig config's index of the host's first device and how many it has. */
void rig_hosts_host_devices(const rig_hosts_t *hosts, size_t host, size_t *first, size_t *count);

/** One host's config, as a new rig_config_t (destroy it). RIG_ERROR_INVALID_ARGUMENT for a
 * host out of range. */
rig_error_t rig_hosts_host_config(const rig_hosts_t *hosts, size_t host, rig_config_t **out,
                                  rig_config_diag_t *diag);
/** The JSON text of that config (owned by hosts). */
const char *rig_hosts_host_config_text(const rig_hosts_t *hosts, size_t host);

#ifdef __cplusplus
}
#endif

#endif

/*
 * rigsync net backend ("net"): the aggregator of a rig over several hosts. Given the hosts file
 * (rig_context_options_t.hosts, rigsync/hosts.h), it subscribes to every host's `rigsync node`
 * (NNG SUB, dialing again until it answers) and delivers what the nodes publish as if their
 * cameras were local: frames, clock samples (the core maps each device onto its node's host
 * clock; PTP makes those one time line) and device events.
 *
 * Devices: every host's, in host order then device order; a host's devices are present once its
 * node was heard (HELLO) and leave (GONE, the detail names the host and why) when it falls
 * silent for 1 s or its connection drops; they come back (BACK / ARRIVED) when it is heard
 * again. Real time only. Sync configs are the nodes' (a node runs its host's config): get_sync
 * returns what the node's HELLO says, and writing another one fails naming host, serial and
 * field.
 */
#ifndef RIGSYNC_NET_H
#define RIGSYNC_NET_H

#include "rigsync/rigsync.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A host is declared gone after this long without a message (its node beats every 100 ms). */
#define RIG_NET_SILENCE_US 1000000

typedef enum rig_net_link {
    RIG_NET_LINK_CONNECTING = 0, /**< never heard yet */
    RIG_NET_LINK_UP = 1,         /**< messages arrive */
    RIG_NET_LINK_SILENT = 2,     /**< connected but nothing for RIG_NET_SILENCE_US (partition) */
    RIG_NET_LINK_DOWN = 3,       /**< the connection dropped (node gone); dialing again */
} rig_net_link_t;

/** "connecting", "up", "silent", "down". */
const char *rig_net_link_name(rig_net_link_t link);

typedef struct rig_net_host_stats {
    char name[64];
    char url[256];
    rig_net_link_t link;
    uint64_t messages;      /**< received (every type) */
    uint64_t frames;        /**< FRAME messages received */
    uint64_t lost_messages; /**< lost on the link: the gaps of the node's sequence, exact */
    uint64_t lost_frames;   /**< frames those gaps held (frame indices skipped across a gap) */
    uint64_t node_dropped;  /**< messages the node's queue dropped (its HEARTBEATs, summed over
                                 node restarts) */
    uint64_t restarts;      /**< the node started again (its sequence went back, a new id) */
    uint64_t outages;       /**< times the host was declared gone */
    uint64_t bad_messages;  /**< undecodable messages (ignored) */
    /** aggregator CLOCK_REALTIME at receipt minus the frame's host_ts_us (both hosts on PTP);
     * RIG_TS_NONE when no frame came */
    int64_t latency_p50_us, latency_p99_us, latency_max_us;
    bool ptp_seen;           /**< a PTP message came */
    bool ptp_valid;          /**< the node's ptp4l answered */
    int64_t ptp_offset_ns;   /**< its host clock minus the master's */
    uint8_t ptp_servo_state; /**< 0 unlocked, 1 jump, 2 locked */
    char last_down[192];     /**< why it was last declared gone ("" never) */
} rig_net_host_stats_t;

/** Hosts of a net context (0 for another backend). */
size_t rig_net_host_count(rig_context_t *ctx);
/** RIG_ERROR_UNSUPPORTED on another backend, INVALID_ARGUMENT for a host out of range. */
rig_error_t rig_net_host_stats(rig_context_t *ctx, size_t host, rig_net_host_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif

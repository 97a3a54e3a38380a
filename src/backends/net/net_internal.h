/*
 * The net backend (include/rigsync/net.h): shared by net.c (ops, state, public API) and
 * net_rx.c (one receive thread for every host: decoding, link state, delivery).
 *
 * Locking: st->lock guards every field marked (L). The receive thread delivers to the core
 * without holding it (backend.h), so the core may call back into the ops from inside a delivery.
 */
#ifndef RIGSYNC_NET_INTERNAL_H
#define RIGSYNC_NET_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nng/nng.h>

#include "core/core.h"
#include "net/wire.h"
#include "rigsync/hosts.h"
#include "rigsync/net.h"

#define NET_LAT_BUCKET_US 20
#define NET_LAT_BUCKETS 50000 /* 1 s at 20 us; beyond: the last bucket (max kept exactly) */
#define NET_LOSS_EVENT_EVERY_US 1000000
/* The receive thread drains every host's socket, then sleeps this long: one wake-up per round
 * for all hosts instead of one per message (the thread hand-offs cost more than the work).
 * With the nodes' batches, a wake-up per arrival (poll on every socket's NNG_OPT_RECVFD) cost
 * the same (64 devices on 8 nodes: 3.62% of a core against 3.53%): the round stays. */
#define NET_ROUND_US 2000
#define NET_ROUND_MAX_MSGS 512 /* per host and round: one host cannot starve the others */
#define NET_START_WAIT_US 3000000 /* create waits this long for every node's HELLO */
#define NET_CLOSE_WAIT_S 2          /* destroy waits this long for each socket's close */

typedef struct net_state net_state_t;

typedef struct net_dev {
    rig_device_info_t info;
    size_t host;
    rig_sync_config_t file_sync; /* the hosts file's */
    /* (L) */
    bool present, open, started;
    size_t dev_index;
    bool hello_known;
    rig_sync_config_t hello_sync;
    uint64_t base[RIG_STREAM_COUNT];       /* node index at which the core's numbering resumed */
    uint64_t next_node[RIG_STREAM_COUNT];  /* next node index expected (gap accounting) */
    bool seen[RIG_STREAM_COUNT];
    uint64_t epoch[RIG_STREAM_COUNT];      /* host gap epoch at its last frame */
} net_dev_t;

typedef struct net_host {
    net_state_t *st;
    size_t index;
    char name[RIG_HOSTS_NAME_MAX];
    char url[256];
    size_t first, count; /* its devices in st->dev */
    nng_socket sock;
    nng_dialer dialer;
    bool sock_open;
    /* (L) */
    rig_net_link_t link;
    unsigned pipes;    /* connections now */
    bool pipe_dropped; /* a connection closed since the thread last looked */
    bool hello_seen;   /* of the node instance now */
    uint32_t node_id;
    bool have_seq;
    uint64_t next_seq;
    int64_t last_rx_us; /* monotonic */
    uint64_t gap_epoch;
    uint64_t pending_lost; /* messages lost not yet told as an event */
    int64_t last_loss_event_us;
    size_t map[RIG_WIRE_MAX_DEVICES]; /* node device -> st->dev index, SIZE_MAX none */
    size_t map_n;
    uint64_t dropped_now, dropped_before; /* node's queue drops: this instance, earlier ones */
    rig_net_host_stats_t stats;           /* counters (latency filled on read) */
    uint32_t *lat;                        /* NET_LAT_BUCKETS */
    uint64_t lat_n;
    int64_t lat_max;
} net_host_t;

struct net_state {
    rig_context_t *ctx;
    const rig_hosts_t *hosts;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping; /* (L) */
    bool armed;    /* (L) an op was called: the context exists, arrivals may be delivered */
    net_dev_t *dev;
    size_t ndev;
    net_host_t *host;
    size_t nhost;
    pthread_t thread; /* receives from every host */
    bool thread_started;
};

/* net_rx.c */
void *net_rx_main(void *arg);
void net_on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg);

#endif

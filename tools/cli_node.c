/*
 * rigsync node --config FILE --listen tcp://ADDR:PORT [--pixels] [run's options]: drives this
 * host's cameras as `rigsync run` does and publishes every frame, clock event and device event
 * over NNG (src/net/wire.h) for an aggregator on another host.
 *
 * Pattern: PUB (pub0). Capture never waits for the network: a publisher never blocks, serves
 * any number of receivers at once (the aggregator and `rigsync node-tap`), and a receiver that
 * is absent or slow only loses what it did not take. Every message carries the node's sequence
 * number, so each receiver counts exactly what it lost. Between the camera callbacks and the
 * socket sits a bounded queue (count and bytes): when it is full the message is dropped, counted
 * and announced in the next HEARTBEAT (every 100 ms), whose count is cumulative so that losing
 * a HEARTBEAT loses no information.
 * Batches: the sender packs the messages waiting in its queue back to back into one NNG message
 * (each keeps its header and sequence number), lingering at most --batch-us after the first
 * one and holding at most BATCH_MAX_BYTES (a bigger message goes alone): one hand-off per batch
 * instead of one per message on both sides. --batch-us 0: one message per NNG message.
 * PTP: every second (and once at the start) the local ptp4l's state goes out as a PTP message,
 * read on its own thread (tools/cli_node_ptp.c). --truth adds the simulator's ground truth to
 * FRAME messages (tests and benchmarks only: nothing in rigsync's sync path reads it).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/supplemental/util/platform.h>

#include "cli.h"
#include "cli_hosts.h"
#include "cli_node.h"
#include "common/util.h"
#include "config/ranges.h"
#include "net/wire.h"
#include "rigsync/sim.h"

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { interrupted = sig; }

#define QUEUE_MAX_MSGS 4096
#define QUEUE_MAX_BYTES ((size_t)256 << 20)
#define HEARTBEAT_US 100000
#define HELLO_EVERY_US 1000000
#define BATCH_DEFAULT_US 2000
#define BATCH_MAX_US 100000 /* under a HEARTBEAT period: the link stays heard */
#define BATCH_MAX_BYTES ((size_t)256 << 10)

typedef struct node_opts {
    cli_rig_opts_t rig;
    const char *listen;
    double seconds; /* 0: until Ctrl-C */
    bool backend_set, interval_set, quiet;
    const char *ptp_uds; /* NULL: ptp4l's default */
    bool no_ptp, truth;
    uint64_t interval_ms;
    uint64_t batch_us; /* 0: one message per NNG message */
    uint32_t node_id;
    const char *hosts_path, *host; /* --hosts FILE --host NAME: that host of the hosts file */
} node_opts_t;

typedef struct qmsg {
    uint8_t *buf;
    size_t len;
    bool frame;
} qmsg_t;

typedef struct node_state {
    const node_opts_t *o;
    const rig_config_t *cfg;
    nng_socket sock;
    pthread_mutex_t lock; /* the queue, the counters, stdout */
    pthread_cond_t wake;
    qmsg_t *q;
    size_t head, count, bytes;
    bool stopping;
    uint64_t frames_seen, frames_published, frames_dropped, other_dropped, send_errors;
    uint64_t seq;
    unsigned subscribers_now, subscribers_seen;
    bool hello_due;
    uint8_t *hello; /* encoded HELLO, without its sequence */
    size_t hello_len;
    int64_t t0_us;
    bool failed; /* out of memory encoding */
    /* The batch being filled (the sender thread only): its messages are numbered from seq. */
    uint8_t *batch;
    size_t batch_len, batch_msgs, batch_frames;
    int64_t batch_due_us; /* monotonic: sent by then */
} node_state_t;

static int parse_args(int argc, char **argv, node_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->rig.backend = "sim";
    o->rig.wait_absent = true;
    o->batch_us = BATCH_DEFAULT_US;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--config") == 0 || strcmp(a, "--listen") == 0 ||
                           strcmp(a, "--seconds") == 0 || strcmp(a, "--backend") == 0 ||
                           strcmp(a, "--seed") == 0 || strcmp(a, "--orbbec-lib") == 0 ||
                           strcmp(a, "--clock-sync-interval-ms") == 0 ||
                           strcmp(a, "--node-id") == 0 || strcmp(a, "--ptp-uds") == 0 ||
                           strcmp(a, "--hosts") == 0 || strcmp(a, "--host") == 0 ||
                           strcmp(a, "--batch-us") == 0;
        if (takes_value && !v) {
            fprintf(stderr, "rigsync node: %s needs a value\n", a);
            return CLI_USAGE;
        }
        char msg[512];
        uint64_t u = 0;
        if (strcmp(a, "--config") == 0) {
            o->rig.config_path = v;
        } else if (strcmp(a, "--hosts") == 0) {
            o->hosts_path = v;
        } else if (strcmp(a, "--host") == 0) {
            o->host = v;
        } else if (strcmp(a, "--listen") == 0) {
            o->listen = v;
        } else if (strcmp(a, "--backend") == 0) {
            o->rig.backend = v;
            o->backend_set = true;
        } else if (strcmp(a, "--orbbec-lib") == 0) {
            o->rig.library = v;
        } else if (strcmp(a, "--seconds") == 0) {
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_SECONDS), a, v, NULL,
                                     &o->seconds, msg, sizeof msg)) {
                fprintf(stderr, "rigsync node: %s\n", msg);
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--clock-sync-interval-ms") == 0) {
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLOCK_SYNC_INTERVAL_MS), a, v,
                                     &o->interval_ms, NULL, msg, sizeof msg)) {
                fprintf(stderr, "rigsync node: %s\n", msg);
                return CLI_USAGE;
            }
            o->interval_set = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_SEED), a, v, &o->rig.seed, NULL,
                                     msg, sizeof msg)) {
                fprintf(stderr, "rigsync node: %s\n", msg);
                return CLI_USAGE;
            }
            o->rig.seed_set = true;
        } else if (strcmp(a, "--node-id") == 0) {
            char *end = NULL;
            errno = 0;
            u = strtoull(v, &end, 10);
            if (errno || !end || *end || v[0] == '-' || !v[0] || u > UINT32_MAX) {
                fprintf(stderr, "rigsync node: --node-id %s: give a whole number from 0 to "
                                "4294967295\n", v);
                return CLI_USAGE;
            }
            o->node_id = (uint32_t)u;
        } else if (strcmp(a, "--batch-us") == 0) {
            char *end = NULL;
            errno = 0;
            u = strtoull(v, &end, 10);
            if (errno || !end || *end || v[0] == '-' || !v[0] || u > BATCH_MAX_US) {
                fprintf(stderr, "rigsync node: --batch-us %s: give a whole number of "
                                "microseconds from 0 (no batching) to %d\n", v, BATCH_MAX_US);
                return CLI_USAGE;
            }
            o->batch_us = u;
        } else if (strcmp(a, "--ptp-uds") == 0) {
            o->ptp_uds = v;
        } else if (strcmp(a, "--no-ptp") == 0) {
            o->no_ptp = true;
        } else if (strcmp(a, "--truth") == 0) {
            o->truth = true;
        } else if (strcmp(a, "--pixels") == 0) {
            o->rig.pixels = true;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--virtual-time") == 0 || strcmp(a, "--replay") == 0) {
            fprintf(stderr, "rigsync node: %s: a node serves live cameras in real time; drop "
                            "%s (use rigsync run for virtual time and replays)\n", a, a);
            return CLI_USAGE;
        } else {
            fprintf(stderr,
                    "rigsync node: unknown option \"%s\"; see rigsync --help for the options\n",
                    a);
            return CLI_USAGE;
        }
        if (takes_value)
            i++;
    }
    if (!o->hosts_path != !o->host || (o->hosts_path && o->rig.config_path)) {
        fprintf(stderr, "rigsync node: %s\n",
                o->rig.config_path && o->hosts_path
                    ? "--config cannot go with --hosts: the host's config is in the hosts file; "
                      "drop --config"
                    : "--hosts FILE and --host NAME go together: give both");
        return CLI_USAGE;
    }
    if (!o->listen && !o->hosts_path) {
        fprintf(stderr, "rigsync node: --listen is required: give --listen tcp://ADDR:PORT, "
                        "e.g. --listen tcp://0.0.0.0:5555\n");
        return CLI_USAGE;
    }
    if (o->listen && !cli_node_url_check("node", "--listen", o->listen))
        return CLI_USAGE;
    if (o->no_ptp && o->ptp_uds) {
        fprintf(stderr, "rigsync node: --ptp-uds and --no-ptp contradict each other; give one "
                        "of them\n");
        return CLI_USAGE;
    }
    if (o->ptp_uds && !cli_node_ptp_uds_check(o->ptp_uds))
        return CLI_USAGE;
    return cli_rig_opts_check("node", &o->rig, o->backend_set);
}

bool cli_node_url_check(const char *cmd, const char *option, const char *url)
{
    const char *fix = "give tcp://ADDR:PORT with a port from 1 to 65535 (0 to listen on any "
                      "free port), e.g. tcp://127.0.0.1:5555";
    if (strncmp(url, "tcp://", 6) != 0) {
        fprintf(stderr, "rigsync %s: %s %s: not a tcp:// address; %s\n", cmd, option, url, fix);
        return false;
    }
    const char *colon = strrchr(url + 6, ':');
    const char *close = strrchr(url + 6, ']');
    if (!colon || colon == url + 6 || (close && close > colon)) {
        fprintf(stderr, "rigsync %s: %s %s: no port; %s\n", cmd, option, url, fix);
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || !end || *end || colon[1] < '0' || colon[1] > '9' || port > 65535) {
        fprintf(stderr, "rigsync %s: %s %s: the port \"%s\" is not a number from 0 to 65535; "
                        "%s\n", cmd, option, url, colon + 1, fix);
        return false;
    }
    return true;
}

/* ---- the queue: callbacks push, the sender thread pops ---- */

static void push(node_state_t *ns, const rig_wire_msg_t *m, bool frame)
{
    size_t n = rig_wire_encoded_size(m);
    uint8_t *buf = n ? malloc(n) : NULL;
    pthread_mutex_lock(&ns->lock);
    if (!buf || rig_wire_encode(m, buf, n, &n) != RIG_OK) {
        ns->failed = true;
        ns->frames_dropped += frame;
        ns->other_dropped += !frame;
        pthread_mutex_unlock(&ns->lock);
        free(buf);
        return;
    }
    if (ns->count == QUEUE_MAX_MSGS || ns->bytes + n > QUEUE_MAX_BYTES) {
        /* The network does not keep up: this message is not sent; the next HEARTBEAT says. */
        ns->frames_dropped += frame;
        ns->other_dropped += !frame;
        pthread_mutex_unlock(&ns->lock);
        free(buf);
        return;
    }
    qmsg_t *slot = &ns->q[(ns->head + ns->count) % QUEUE_MAX_MSGS];
    slot->buf = buf;
    slot->len = n;
    slot->frame = frame;
    ns->count++;
    ns->bytes += n;
    pthread_cond_signal(&ns->wake);
    pthread_mutex_unlock(&ns->lock);
}

/* Sends the batch (the sender thread only). Sent: its numbers are used; not sent: they go to
 * the next messages and its messages into the drop count (receivers see no gap). */
static void flush_batch(node_state_t *ns)
{
    if (!ns->batch_msgs)
        return;
    int rv = nng_send(ns->sock, ns->batch, ns->batch_len, NNG_FLAG_NONBLOCK);
    pthread_mutex_lock(&ns->lock);
    if (rv != 0) {
        ns->send_errors++;
        ns->frames_dropped += ns->batch_frames;
        ns->other_dropped += ns->batch_msgs - ns->batch_frames;
    } else {
        ns->seq += ns->batch_msgs;
        ns->frames_published += ns->batch_frames;
    }
    pthread_mutex_unlock(&ns->lock);
    ns->batch_len = ns->batch_msgs = ns->batch_frames = 0;
}

/* Sends one encoded message with the next sequence number, in the batch (the sender thread
 * only): alone with --batch-us 0 or when bigger than a batch. */
static void send_numbered(node_state_t *ns, uint8_t *buf, size_t len, bool frame)
{
    bool alone = !ns->batch || len > BATCH_MAX_BYTES;
    if (alone || ns->batch_len + len > BATCH_MAX_BYTES)
        flush_batch(ns);
    if (!ns->batch_msgs)
        ns->batch_due_us = rig_monotonic_us() + (int64_t)ns->o->batch_us;
    rig_wire_set_seq(buf, len, ns->seq + ns->batch_msgs);
    if (!alone) {
        memcpy(ns->batch + ns->batch_len, buf, len);
        ns->batch_len += len;
        ns->batch_msgs++;
        ns->batch_frames += frame;
        return;
    }
    int rv = nng_send(ns->sock, buf, len, NNG_FLAG_NONBLOCK);
    pthread_mutex_lock(&ns->lock);
    if (rv != 0) { /* not sent: the number goes to the next one, the drop into the count */
        ns->send_errors++;
        ns->frames_dropped += frame;
        ns->other_dropped += !frame;
    } else {
        ns->seq++;
        ns->frames_published += frame;
    }
    pthread_mutex_unlock(&ns->lock);
}

static void send_heartbeat(node_state_t *ns)
{
    rig_wire_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = RIG_WIRE_HEARTBEAT;
    m.node_id = ns->o->node_id;
    pthread_mutex_lock(&ns->lock);
    m.u.heartbeat.node_time_us = rig_realtime_us();
    m.u.heartbeat.frames_published = ns->frames_published;
    m.u.heartbeat.dropped = ns->frames_dropped + ns->other_dropped;
    m.u.heartbeat.subscribers = ns->subscribers_now;
    pthread_mutex_unlock(&ns->lock);
    uint8_t buf[RIG_WIRE_HEADER_SIZE + 64];
    size_t len = 0;
    if (rig_wire_encode(&m, buf, sizeof buf, &len) == RIG_OK)
        send_numbered(ns, buf, len, false);
}

static void *sender_main(void *arg)
{
    node_state_t *ns = arg;
    int64_t last_beat = rig_monotonic_us(), last_hello = last_beat;
    send_numbered(ns, ns->hello, ns->hello_len, false);
    for (;;) {
        pthread_mutex_lock(&ns->lock);
        while (!ns->count && !ns->stopping && !ns->hello_due &&
               rig_monotonic_us() - last_beat < HEARTBEAT_US &&
               !(ns->batch_msgs && rig_monotonic_us() >= ns->batch_due_us)) {
            int64_t wait_us = HEARTBEAT_US - (rig_monotonic_us() - last_beat);
            if (ns->batch_msgs)
                wait_us = RIG_MIN(wait_us, ns->batch_due_us - rig_monotonic_us());
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns_total = (int64_t)ts.tv_nsec + RIG_MAX(wait_us, 1) * 1000;
            ts.tv_sec += (time_t)(ns_total / 1000000000);
            ts.tv_nsec = (long)(ns_total % 1000000000);
            pthread_cond_timedwait(&ns->wake, &ns->lock, &ts);
        }
        bool hello = ns->hello_due;
        ns->hello_due = false;
        qmsg_t m = {0};
        if (ns->count) {
            m = ns->q[ns->head];
            ns->head = (ns->head + 1) % QUEUE_MAX_MSGS;
            ns->count--;
            ns->bytes -= m.len;
        }
        bool stop = ns->stopping && !m.buf;
        pthread_mutex_unlock(&ns->lock);
        int64_t now = rig_monotonic_us();
        /* A new receiver first learns who this node is; late joiners within a second anyway. */
        if (hello || now - last_hello >= HELLO_EVERY_US) {
            send_numbered(ns, ns->hello, ns->hello_len, false);
            last_hello = now;
        }
        if (m.buf) {
            send_numbered(ns, m.buf, m.len, m.frame);
            free(m.buf);
        }
        /* Never closer than 100 ms to the previous one: a late beat does not bring two. */
        if (now - last_beat >= HEARTBEAT_US || stop) {
            send_heartbeat(ns);
            last_beat = now;
        }
        /* The batch leaves when due or at the end (a full one left in send_numbered). */
        if (ns->batch_msgs && (stop || rig_monotonic_us() >= ns->batch_due_us))
            flush_batch(ns);
        if (stop)
            break;
    }
    return NULL;
}

static void on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
    (void)p;
    node_state_t *ns = arg;
    pthread_mutex_lock(&ns->lock);
    if (ev == NNG_PIPE_EV_ADD_POST) {
        ns->subscribers_now++;
        ns->subscribers_seen++;
        ns->hello_due = true;
        pthread_cond_signal(&ns->wake);
    } else if (ev == NNG_PIPE_EV_REM_POST && ns->subscribers_now) {
        ns->subscribers_now--;
    }
    pthread_mutex_unlock(&ns->lock);
}

/* ---- the rig's callbacks ---- */

void cli_node_print_frame(FILE *out, size_t device, int stream, uint64_t index, int64_t dts,
                          int64_t hts, int64_t gts, const char *serial, const char *extra)
{
    /* run --global's line, then what a receiver needs to match it: index and serial. */
    fprintf(out, "device#%zu, %s frame timestamp: %" PRId64 " us , system timestamp: %" PRId64
                 " us , global timestamp: ",
            device, rig_stream_name((rig_stream_t)stream), dts, hts);
    if (gts == RIG_TS_NONE)
        fputs("none", out);
    else
        fprintf(out, "%" PRId64 " us", gts);
    char shown[RIG_WIRE_MAX_STRING * 4 + 1];
    fprintf(out, " , index: %" PRIu64 " , serial: %s%s\n", index,
            rig_escape(shown, sizeof shown, serial), extra);
}

static void on_frame(rig_frame_t *f, void *user)
{
    node_state_t *ns = user;
    rig_wire_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = RIG_WIRE_FRAME;
    m.node_id = ns->o->node_id;
    rig_wire_frame_t *w = &m.u.frame;
    w->device = (uint16_t)rig_frame_device_index(f);
    w->stream = (uint8_t)rig_frame_stream(f);
    w->index = rig_frame_index(f);
    w->device_ts_us = rig_frame_device_ts_us(f);
    w->host_ts_us = rig_frame_host_ts_us(f);
    w->global_ts_us = rig_frame_global_ts_us(f);
    w->global_bound_us = rig_frame_global_ts_bound_us(f);
    w->flags = rig_frame_interfered(f) ? RIG_WIRE_FRAME_INTERFERED : 0;
    rig_sim_truth_t truth;
    memset(&truth, 0, sizeof(truth));
    if (ns->o->truth && rig_sim_frame_truth(f, &truth) == RIG_OK) {
        w->flags |= RIG_WIRE_FRAME_TRUTH;
        w->trigger_seq = truth.trigger_seq;
        w->true_mono_us = truth.true_mono_us;
    }
    const uint8_t *data = rig_frame_data(f);
    if (ns->o->rig.pixels && data && rig_frame_format(f) != RIG_FORMAT_NONE) {
        w->flags |= RIG_WIRE_FRAME_PIXELS;
        w->format = (uint8_t)rig_frame_format(f);
        w->width = rig_frame_width(f);
        w->height = rig_frame_height(f);
        w->stride = w->format == RIG_FORMAT_MJPG
                        ? 0
                        : w->width * rig_format_bytes_per_pixel(rig_frame_format(f));
        w->data_size = (uint32_t)rig_frame_data_size(f);
        w->data = data;
    }
    pthread_mutex_lock(&ns->lock);
    ns->frames_seen++;
    if (!ns->o->quiet)
        cli_node_print_frame(stdout, w->device, w->stream, w->index, w->device_ts_us,
                             w->host_ts_us, w->global_ts_us, rig_frame_serial(f), "");
    pthread_mutex_unlock(&ns->lock);
    push(ns, &m, true);
}

static void on_clock_event(const rig_clock_event_t *ev, void *user)
{
    node_state_t *ns = user;
    rig_wire_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = RIG_WIRE_CLOCK;
    m.node_id = ns->o->node_id;
    m.u.clock.kind = (uint8_t)ev->kind;
    m.u.clock.device = (uint16_t)ev->device_index;
    m.u.clock.host_before_us = ev->host_before_us;
    m.u.clock.device_us = ev->device_us;
    m.u.clock.host_after_us = ev->host_after_us;
    push(ns, &m, false);
}

static void on_device_event(const rig_device_event_t *ev, void *user)
{
    node_state_t *ns = user;
    rig_wire_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = RIG_WIRE_EVENT;
    m.node_id = ns->o->node_id;
    rig_wire_event_t *e = &m.u.event;
    e->kind = (uint8_t)ev->kind;
    e->device = ev->device_index == RIG_DEVICE_INDEX_NONE || ev->device_index >= 0xFFFF
                    ? RIG_WIRE_DEVICE_NONE
                    : (uint16_t)ev->device_index;
    e->host_ts_us = ev->host_ts_us;
    rig_strlcpy(e->serial, ev->serial, sizeof e->serial);
    rig_strlcpy(e->detail, ev->detail, sizeof e->detail);
    /* The line run prints (events are rare and matter, even with --quiet). */
    char serial[sizeof(ev->serial) * 4], detail[sizeof(ev->detail) * 4];
    pthread_mutex_lock(&ns->lock);
    double t = (double)(ev->host_ts_us - ns->t0_us) / 1e6;
    if (ev->device_index == RIG_DEVICE_INDEX_NONE)
        printf("EVENT t=%.3f s device#- ", t);
    else
        printf("EVENT t=%.3f s device#%zu ", t, ev->device_index);
    printf("%s %s: %s\n", rig_escape(serial, sizeof(serial), ev->serial),
           rig_device_event_name(ev->kind), rig_escape(detail, sizeof(detail), ev->detail));
    pthread_mutex_unlock(&ns->lock);
    push(ns, &m, false);
}

static void on_ptp(const rig_wire_ptp_t *ptp, void *user)
{
    node_state_t *ns = user;
    rig_wire_msg_t m;
    memset(&m, 0, sizeof(m));
    m.type = RIG_WIRE_PTP;
    m.node_id = ns->o->node_id;
    m.u.ptp = *ptp;
    push(ns, &m, false);
}

/* The node's HELLO: its id, host name and config (serial, model, mode and delays). */
static bool build_hello(node_state_t *ns, const cli_rig_t *rig)
{
    rig_wire_msg_t *m = calloc(1, sizeof(*m));
    if (!m)
        return false;
    m->type = RIG_WIRE_HELLO;
    m->node_id = ns->o->node_id;
    rig_wire_hello_t *h = &m->u.hello;
    h->protocol = RIG_WIRE_VERSION;
    if (gethostname(h->host, sizeof h->host - 1) != 0)
        rig_strlcpy(h->host, "?", sizeof h->host);
    h->host[sizeof h->host - 1] = '\0';
    size_t n = RIG_MIN(rig->device_count, (size_t)RIG_WIRE_MAX_DEVICES);
    h->device_count = (uint16_t)n;
    size_t present = 0;
    rig_context_device_count(rig->ctx, &present);
    for (size_t i = 0; i < n; i++) {
        rig_wire_device_t *d = &h->devices[i];
        rig_strlcpy(d->serial, rig_config_device_serial(ns->cfg, i), sizeof d->serial);
        rig_config_device_sync(ns->cfg, i, &d->sync);
        rig_strlcpy(d->model, "?", sizeof d->model);
        for (size_t k = 0; k < present; k++) {
            rig_device_info_t info;
            if (rig_context_device_info(rig->ctx, k, &info) == RIG_OK &&
                strcmp(info.serial, d->serial) == 0)
                rig_strlcpy(d->model, info.model, sizeof d->model);
        }
    }
    ns->hello_len = rig_wire_encoded_size(m);
    ns->hello = ns->hello_len ? malloc(ns->hello_len) : NULL;
    bool ok = ns->hello && rig_wire_encode(m, ns->hello, ns->hello_len, NULL) == RIG_OK;
    free(m);
    return ok;
}

/* Opens the publisher and listens; CLI_USAGE with the fix for an address that cannot be used. */
static int open_socket(node_state_t *ns, const char *url)
{
    int rv = nng_pub0_open(&ns->sock);
    if (rv != 0) {
        fprintf(stderr, "rigsync node: cannot open the NNG publisher: %s\n", nng_strerror(rv));
        return CLI_RUNTIME;
    }
    /* A receiver's backlog before the publisher drops for it (the receiver sees the gap). */
    nng_socket_set_int(ns->sock, NNG_OPT_SENDBUF, 1024);
    nng_pipe_notify(ns->sock, NNG_PIPE_EV_ADD_POST, on_pipe, ns);
    nng_pipe_notify(ns->sock, NNG_PIPE_EV_REM_POST, on_pipe, ns);
    nng_listener l;
    rv = nng_listen(ns->sock, url, &l, 0);
    if (rv != 0) {
        const char *fix = rv == NNG_EADDRINUSE
                              ? "another program listens there: choose another port"
                          : rv == NNG_EADDRINVAL
                              ? "the address is not one of this host's: give one of its "
                                "addresses, or 0.0.0.0 for all"
                              : "give tcp://ADDR:PORT with an address of this host";
        fprintf(stderr, "rigsync node: --listen %s: %s; %s\n", url, nng_strerror(rv), fix);
        nng_close(ns->sock);
        return rv == NNG_ENOMEM ? CLI_RUNTIME : CLI_USAGE;
    }
    nng_sockaddr sa;
    if (nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa) == 0 && sa.s_family == NNG_AF_INET) {
        const uint8_t *a = (const uint8_t *)&sa.s_in.sa_addr;
        const uint8_t *p = (const uint8_t *)&sa.s_in.sa_port;
        printf("rigsync node: listening on tcp://%u.%u.%u.%u:%u\n", a[0], a[1], a[2], a[3],
               (unsigned)p[0] << 8 | p[1]);
    } else {
        printf("rigsync node: listening on %s\n", url);
    }
    fflush(stdout);
    return CLI_OK;
}

int cli_node(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    node_opts_t o;
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_OK)
        return rc;
    rig_config_t *cfg = NULL;
    rig_hosts_t *hosts = NULL;
    rc = o.hosts_path ? cli_hosts_node_config(o.hosts_path, o.host, &hosts, &cfg, &o.listen)
                      : cli_load_config(o.rig.config_path, &cfg);
    if (rc != CLI_OK || (o.hosts_path && !cli_node_url_check("node", "--listen", o.listen))) {
        rig_config_destroy(cfg);
        rig_hosts_destroy(hosts);
        return rc != CLI_OK ? rc : CLI_USAGE;
    }
    node_state_t ns;
    memset(&ns, 0, sizeof(ns));
    ns.o = &o;
    ns.cfg = cfg;
    pthread_mutex_init(&ns.lock, NULL);
    pthread_cond_init(&ns.wake, NULL);
    cli_rig_t rig;
    memset(&rig, 0, sizeof(rig));
    bool sock_open = false, sender_running = false;
    cli_node_ptp_t *ptp = NULL;
    pthread_t sender;
    ns.q = calloc(QUEUE_MAX_MSGS, sizeof(*ns.q));
    ns.batch = o.batch_us ? malloc(BATCH_MAX_BYTES) : NULL;
    if (!ns.q || (o.batch_us && !ns.batch)) {
        fprintf(stderr, "rigsync: out of memory\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    rc = open_socket(&ns, o.listen);
    if (rc != CLI_OK)
        goto out;
    sock_open = true;
    rc = cli_rig_open(&o.rig, cfg, stdout, &rig);
    if (rc != CLI_OK)
        goto out;
    if (!build_hello(&ns, &rig)) {
        fprintf(stderr, "rigsync node: cannot describe the rig in a HELLO (a serial, model or "
                        "host name over %d bytes, or more than %d devices)\n",
                RIG_WIRE_MAX_STRING, RIG_WIRE_MAX_DEVICES);
        rc = CLI_RUNTIME;
        goto out;
    }
    if (pthread_create(&sender, NULL, sender_main, &ns) != 0) {
        fprintf(stderr, "rigsync node: cannot start the sender thread\n");
        rc = CLI_RUNTIME;
        goto out;
    }
    sender_running = true;
    if (!o.no_ptp) {
        rc = cli_node_ptp_start(o.ptp_uds, o.quiet, on_ptp, &ns, &ptp);
        if (rc != CLI_OK)
            goto out;
    }
    ns.t0_us = rig_realtime_us();
    rig_context_set_frame_callback(rig.ctx, on_frame, &ns);
    rig_context_set_clock_event_callback(rig.ctx, on_clock_event, &ns);
    rig_context_set_device_event_callback(rig.ctx, on_device_event, &ns);
    rc = cli_start_streams(&rig);
    if (rc != CLI_OK)
        goto out;
    uint64_t interval = o.interval_set ? o.interval_ms : rig_config_clock_sync_interval_ms(cfg);
    if (rig_context_enable_clock_sync(rig.ctx, interval) != RIG_OK) {
        char detail[1024];
        fprintf(stderr, "rigsync: %s\n", cli_last_error(rig.ctx, detail, sizeof(detail)));
        rc = CLI_RUNTIME;
        goto out;
    }
    pthread_mutex_lock(&ns.lock);
    if (o.seconds > 0)
        printf("rigsync node: publishing for %.1f s; host clock sync every %llu ms%s\n",
               o.seconds, (unsigned long long)interval, interval ? "" : " (once)");
    else
        printf("rigsync node: publishing until Ctrl-C; host clock sync every %llu ms%s\n",
               (unsigned long long)interval, interval ? "" : " (once)");
    fflush(stdout);
    pthread_mutex_unlock(&ns.lock);
    int64_t start = rig_monotonic_us();
    int64_t total = o.seconds > 0 ? (int64_t)llround(o.seconds * 1e6) : INT64_MAX;
    while (!interrupted && rig_monotonic_us() - start < total) {
        int64_t left = total - (rig_monotonic_us() - start);
        struct timespec ts = {0, (long)RIG_MIN(left, 100000) * 1000};
        nanosleep(&ts, NULL);
    }
    for (size_t i = 0; i < rig.device_count; i++)
        rig_device_stop(rig.devices[i]);
    if (interrupted)
        printf("rigsync: interrupted%s\n", interrupted == SIGHUP    ? " (SIGHUP)"
                                           : interrupted == SIGTERM ? " (SIGTERM)"
                                                                    : "");
out:
    /* The rig first: no callback runs after this. Then the queue drains with a last HEARTBEAT. */
    cli_rig_close(&rig);
    cli_node_ptp_stop(ptp); /* its last message is queued before the sender drains */
    if (sender_running) {
        pthread_mutex_lock(&ns.lock);
        ns.stopping = true;
        pthread_cond_signal(&ns.wake);
        pthread_mutex_unlock(&ns.lock);
        pthread_join(sender, NULL);
        /* nng sends asynchronously: give the last messages time to leave before closing. */
        nng_msleep(200);
    }
    if (sock_open)
        nng_close(ns.sock);
    if (sender_running) {
        printf("rigsync node: %" PRIu64 " frames published, %" PRIu64
               " dropped for the network (queue full), %" PRIu64
               " other messages dropped, %u subscribers seen, %" PRIu64 " messages sent\n",
               ns.frames_published, ns.frames_dropped, ns.other_dropped, ns.subscribers_seen,
               ns.seq);
        if (ns.frames_seen != ns.frames_published + ns.frames_dropped)
            printf("rigsync node: warning: %" PRIu64 " frames captured but %" PRIu64
                   " published + dropped (%" PRIu64 " sends failed)\n",
                   ns.frames_seen, ns.frames_published + ns.frames_dropped, ns.send_errors);
        if (ns.failed && rc == CLI_OK) {
            fprintf(stderr, "rigsync node: out of memory encoding messages\n");
            rc = CLI_RUNTIME;
        }
    }
    for (size_t i = 0; ns.q && i < ns.count; i++)
        free(ns.q[(ns.head + i) % QUEUE_MAX_MSGS].buf);
    free(ns.q);
    free(ns.batch);
    free(ns.hello);
    pthread_cond_destroy(&ns.wake);
    pthread_mutex_destroy(&ns.lock);
    rig_config_destroy(cfg);
    rig_hosts_destroy(hosts);
    return rc;
}

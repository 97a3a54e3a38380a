/*
 * rigsync node-tap tcp://ADDR:PORT [--seconds S] [--frames]: subscribes to a `rigsync node`,
 * decodes what it publishes, prints one line per PTP message, one per FRAME (with --frames; the
 * node's own frame line, then the simulator's truth when the node sent it: --truth) and at the end counts the messages per type and the gaps in the node's sequence.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "cli.h"
#include "cli_node.h"
#include "common/util.h"
#include "config/ranges.h"
#include "net/wire.h"

static volatile sig_atomic_t tap_interrupted;
static void on_signal(int sig) { tap_interrupted = sig; }

typedef struct tap_state {
    bool frames; /* --frames: print FRAME, HEARTBEAT and EVENT lines */
    uint64_t per_type[RIG_WIRE_TYPE_MAX + 1];
    uint64_t malformed, gaps, lost, restarts, before_hello, truths;
    uint64_t network_msgs, largest_batch; /* NNG messages; the most wire messages in one */
    bool have_seq, have_hello, have_beat;
    uint64_t next_seq;
    uint32_t node_id;
    int64_t last_beat_us;
    uint64_t node_dropped;
    rig_wire_hello_t *hello;
    rig_wire_msg_t *msg; /* scratch: a HELLO is too big for the stack of a callback */
} tap_state_t;

static void on_message(tap_state_t *t, const uint8_t *buf, size_t len);

/* One network message: one wire message or several back to back (a batch); a malformed tail
 * counts as one malformed message and ends the walk. */
static void on_batch(tap_state_t *t, const uint8_t *buf, size_t len)
{
    size_t pos = 0, count = 0;
    char why[256];
    t->network_msgs++;
    do {
        size_t n = 0;
        if (rig_wire_next(buf + pos, len - pos, &n, why, sizeof why) != RIG_OK) {
            if (t->malformed++ == 0)
                fprintf(stderr, "rigsync node-tap: a malformed message (%zu bytes at offset %zu "
                                "of %zu): %s\n", len - pos, pos, len, why);
            return;
        }
        on_message(t, buf + pos, n);
        pos += n;
        if (++count > t->largest_batch)
            t->largest_batch = count;
    } while (pos < len);
}

static void on_message(tap_state_t *t, const uint8_t *buf, size_t len)
{
    char why[256];
    if (rig_wire_decode(buf, len, t->msg, why, sizeof why) != RIG_OK) {
        if (t->malformed++ == 0)
            fprintf(stderr, "rigsync node-tap: a malformed message (%zu bytes): %s\n", len, why);
        return;
    }
    const rig_wire_msg_t *m = t->msg;
    t->per_type[m->type]++;
    if (t->have_seq && (m->node_id != t->node_id || m->seq < t->next_seq)) {
        t->restarts++; /* another node, or this one restarted: numbering starts again */
    } else if (t->have_seq && m->seq > t->next_seq) {
        t->gaps++;
        t->lost += m->seq - t->next_seq;
    }
    t->have_seq = true;
    t->node_id = m->node_id;
    t->next_seq = m->seq + 1;
    switch (m->type) {
    case RIG_WIRE_HELLO:
        *t->hello = m->u.hello;
        if (!t->have_hello && t->frames) {
            char host[RIG_WIRE_MAX_STRING * 4 + 1];
            printf("HELLO node %" PRIu32 " host %s, %u devices, protocol %u\n", m->node_id,
                   rig_escape(host, sizeof host, m->u.hello.host),
                   (unsigned)m->u.hello.device_count, (unsigned)m->u.hello.protocol);
        }
        t->have_hello = true;
        break;
    case RIG_WIRE_FRAME: {
        const rig_wire_frame_t *f = &m->u.frame;
        if (!t->have_hello || f->device >= t->hello->device_count) {
            t->before_hello++; /* no serial to print it with */
            break;
        }
        if (f->flags & RIG_WIRE_FRAME_TRUTH)
            t->truths++;
        if (t->frames) {
            char truth[96] = "";
            if (f->flags & RIG_WIRE_FRAME_TRUTH)
                snprintf(truth, sizeof truth, " , truth: seq=%" PRIu64 " true_mono_us=%" PRId64,
                         f->trigger_seq, f->true_mono_us);
            cli_node_print_frame(stdout, f->device, f->stream, f->index, f->device_ts_us,
                                 f->host_ts_us, f->global_ts_us,
                                 t->hello->devices[f->device].serial, truth);
        }
        break;
    }
    case RIG_WIRE_HEARTBEAT: {
        const rig_wire_heartbeat_t *h = &m->u.heartbeat;
        if (t->frames)
            printf("HEARTBEAT seq %" PRIu64 " node time %" PRId64 " us, since the last %s%" PRId64
                   " us, published %" PRIu64 ", dropped %" PRIu64 ", subscribers %" PRIu32 "\n",
                   m->seq, h->node_time_us, t->have_beat ? "" : "(none) ",
                   t->have_beat ? h->node_time_us - t->last_beat_us : 0, h->frames_published,
                   h->dropped, h->subscribers);
        t->have_beat = true;
        t->last_beat_us = h->node_time_us;
        t->node_dropped = h->dropped;
        break;
    }
    case RIG_WIRE_EVENT:
        if (t->frames) {
            char serial[RIG_WIRE_MAX_STRING * 4 + 1], detail[RIG_WIRE_MAX_STRING * 4 + 1];
            printf("EVENT device#%u %s %s: %s\n", (unsigned)m->u.event.device,
                   rig_escape(serial, sizeof serial, m->u.event.serial),
                   rig_device_event_name((rig_device_event_kind_t)m->u.event.kind),
                   rig_escape(detail, sizeof detail, m->u.event.detail));
        }
        break;
    case RIG_WIRE_PTP: {
        /* One line each, with or without --frames (one a second). */
        const rig_wire_ptp_t *p = &m->u.ptp;
        if (!p->valid) {
            printf("PTP valid=0 node_time_us=%" PRId64 " (no ptp4l answered the node)\n",
                   p->host_ts_us);
            break;
        }
        char gm[32];
        rig_ptp_clock_identity_format(p->gm_identity, gm, sizeof gm);
        printf("PTP valid=1 node_time_us=%" PRId64 " offset_ns=%" PRId64 " servo=s%u port=%s "
               "path_delay_ns=%" PRId64 " steps_removed=%u gm=%s%s\n",
               p->host_ts_us, p->offset_ns, (unsigned)p->servo_state,
               rig_ptp_port_state_name(p->port_state), p->mean_path_delay_ns,
               (unsigned)p->steps_removed, gm, p->gm_present ? "" : " (no grandmaster)");
        break;
    }
    default:
        break;
    }
}

int cli_node_tap(int argc, char **argv)
{
    const char *url = NULL;
    double seconds = 0;
    tap_state_t t;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--seconds") == 0) {
            char msg[512];
            if (i + 1 >= argc) {
                fprintf(stderr, "rigsync node-tap: --seconds needs a value\n");
                return CLI_USAGE;
            }
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_SECONDS), a, argv[i + 1], NULL,
                                     &seconds, msg, sizeof msg)) {
                fprintf(stderr, "rigsync node-tap: %s\n", msg);
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(a, "--frames") == 0) {
            t.frames = true;
        } else if (a[0] == '-' || url) {
            fprintf(stderr, "rigsync node-tap: unexpected \"%s\"; usage: rigsync node-tap "
                            "tcp://ADDR:PORT [--seconds S] [--frames]\n", a);
            return CLI_USAGE;
        } else {
            url = a;
        }
    }
    if (!url) {
        fprintf(stderr, "rigsync node-tap: give the node's address: rigsync node-tap "
                        "tcp://ADDR:PORT [--seconds S] [--frames]\n");
        return CLI_USAGE;
    }
    if (!cli_node_url_check("node-tap", "address", url))
        return CLI_USAGE;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Lines as they come: a tap killed mid-run leaves every whole line it printed. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    t.hello = calloc(1, sizeof(*t.hello));
    t.msg = calloc(1, sizeof(*t.msg));
    if (!t.hello || !t.msg) {
        free(t.hello);
        free(t.msg);
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    nng_socket sock;
    int rv = nng_sub0_open(&sock);
    if (rv == 0)
        rv = nng_socket_set(sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    if (rv == 0)
        rv = nng_socket_set_int(sock, NNG_OPT_RECVBUF, 1024);
    if (rv == 0)
        rv = nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, 100);
    if (rv != 0) {
        fprintf(stderr, "rigsync node-tap: cannot open the NNG subscriber: %s\n",
                nng_strerror(rv));
        free(t.hello);
        free(t.msg);
        return CLI_RUNTIME;
    }
    /* Non-blocking: a node not up yet is dialled again until it is. */
    rv = nng_dial(sock, url, NULL, NNG_FLAG_NONBLOCK);
    if (rv != 0) {
        fprintf(stderr, "rigsync node-tap: %s: %s; give tcp://ADDR:PORT of a rigsync node\n", url,
                nng_strerror(rv));
        nng_close(sock);
        free(t.hello);
        free(t.msg);
        return CLI_USAGE;
    }
    int64_t start = rig_monotonic_us();
    int64_t total = seconds > 0 ? (int64_t)llround(seconds * 1e6) : INT64_MAX;
    int rc = CLI_OK;
    while (!tap_interrupted && rig_monotonic_us() - start < total) {
        void *buf = NULL;
        size_t len = 0;
        rv = nng_recv(sock, &buf, &len, NNG_FLAG_ALLOC);
        if (rv == NNG_ETIMEDOUT || rv == NNG_EINTR)
            continue;
        if (rv != 0) {
            fprintf(stderr, "rigsync node-tap: receiving failed: %s\n", nng_strerror(rv));
            rc = CLI_RUNTIME;
            break;
        }
        on_batch(&t, buf, len);
        nng_free(buf, len);
    }
    /* No nng_close: with Debian's NNG 1.5.2 closing a subscriber now and then never returns
     * (seen twice in about 100 runs, waiting in nng_close on a condition variable); the process
     * ends now, which closes the connection all the same. */
    (void)sock;
    uint64_t total_msgs = t.malformed;
    for (int k = 1; k <= RIG_WIRE_TYPE_MAX; k++)
        total_msgs += t.per_type[k];
    printf("rigsync node-tap: %" PRIu64 " messages: ", total_msgs);
    for (int k = 1; k <= RIG_WIRE_TYPE_MAX; k++)
        printf("%s %" PRIu64 "%s", rig_wire_type_name(k), t.per_type[k],
               k < RIG_WIRE_TYPE_MAX ? ", " : "");
    printf("; malformed %" PRIu64 "; sequence gaps %" PRIu64 " (%" PRIu64
           " messages lost); node restarts %" PRIu64 "; frames before the first HELLO %" PRIu64
           "; the node dropped %" PRIu64 "; frames with truth %" PRIu64 "\n",
           t.malformed, t.gaps, t.lost, t.restarts, t.before_hello, t.node_dropped, t.truths);
    printf("rigsync node-tap: %" PRIu64 " network messages, the largest holding %" PRIu64
           " message%s\n", t.network_msgs, t.largest_batch, t.largest_batch == 1 ? "" : "s");
    if (rc == CLI_OK && total_msgs == 0) {
        fprintf(stderr, "rigsync node-tap: nothing arrived from %s; is a rigsync node listening "
                        "there (rigsync node --listen %s)?\n", url, url);
        rc = CLI_RUNTIME;
    }
    free(t.hello);
    free(t.msg);
    return rc;
}

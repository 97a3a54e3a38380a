/*
 * multihost_tap: the measuring side of `make bench-multihost` (bench/multihost.sh). Subscribes
 * (NNG SUB, reconnecting) to every node given and writes each node's messages, decoded, one
 * line each (a batch: each of its messages), to DIR/tap<i>.txt (i: the URL's position), with the tap's CLOCK_MONOTONIC at
 * receipt (the real one: the axis of the simulator's truth, true_mono_us):
 *
 *   F recv_us msg_seq device stream index trigger_seq true_mono_us global_ts_us host_ts_us flags
 *     device_ts_us
 *   H recv_us msg_seq host device_count serial...
 *   B recv_us msg_seq frames_published dropped subscribers          (HEARTBEAT)
 *   P recv_us msg_seq valid offset_ns servo_state port_state        (PTP)
 *   C recv_us msg_seq / E recv_us msg_seq kind device               (CLOCK, EVENT)
 *   X recv_us why                                                   (a message it cannot decode)
 *
 * trigger_seq and true_mono_us are -1 for a FRAME without the truth (node without --truth).
 * The analysis is bench/multihost_analyze.awk. Each URL has its own thread and file (no lock).
 *
 *   multihost_tap --out DIR [--seconds S] URL...   until SIGTERM/SIGINT or S seconds
 *   multihost_tap now                              prints CLOCK_MONOTONIC in us
 * Exit 0, 1 on a runtime failure, 2 on usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "net/wire.h"

/* the truth fields exist once the wire format carries them (RIG_WIRE_FRAME_TRUTH) */
#if (RIG_WIRE_FRAME_FLAGS_ALL & 0x4u)
#define TAP_HAVE_TRUTH 1
#else
#define TAP_HAVE_TRUTH 0
#endif

#define MAX_NODES 64

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

typedef struct tap {
    const char *url;
    char path[4096];
    int64_t end_us;
    uint64_t messages, frames, malformed;
    int rc;
} tap_t;

static void write_msg(FILE *f, int64_t t, const rig_wire_msg_t *m)
{
    switch (m->type) {
    case RIG_WIRE_FRAME: {
        const rig_wire_frame_t *fr = &m->u.frame;
        int64_t tseq = -1, tmono = -1;
#if TAP_HAVE_TRUTH
        if (fr->flags & RIG_WIRE_FRAME_TRUTH) {
            tseq = (int64_t)fr->trigger_seq;
            tmono = fr->true_mono_us;
        }
#endif
        fprintf(f, "F %" PRId64 " %" PRIu64 " %u %u %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64
                   " %" PRId64 " %u %" PRId64 "\n",
                t, m->seq, fr->device, fr->stream, fr->index, tseq, tmono, fr->global_ts_us,
                fr->host_ts_us, fr->flags, fr->device_ts_us);
        break;
    }
    case RIG_WIRE_HELLO: {
        const rig_wire_hello_t *h = &m->u.hello;
        fprintf(f, "H %" PRId64 " %" PRIu64 " %s %u", t, m->seq, h->host[0] ? h->host : "-",
                h->device_count);
        for (unsigned i = 0; i < h->device_count; i++)
            fprintf(f, " %s", h->devices[i].serial);
        fputc('\n', f);
        break;
    }
    case RIG_WIRE_HEARTBEAT:
        fprintf(f, "B %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %u\n", t, m->seq,
                m->u.heartbeat.frames_published, m->u.heartbeat.dropped,
                m->u.heartbeat.subscribers);
        break;
    case RIG_WIRE_PTP:
        fprintf(f, "P %" PRId64 " %" PRIu64 " %u %" PRId64 " %u %u\n", t, m->seq, m->u.ptp.valid,
                m->u.ptp.offset_ns, m->u.ptp.servo_state, m->u.ptp.port_state);
        break;
    case RIG_WIRE_CLOCK:
        fprintf(f, "C %" PRId64 " %" PRIu64 "\n", t, m->seq);
        break;
    case RIG_WIRE_EVENT:
        fprintf(f, "E %" PRId64 " %" PRIu64 " %u %u\n", t, m->seq, m->u.event.kind,
                m->u.event.device);
        break;
    default:
        fprintf(f, "X %" PRId64 " type_%u\n", t, m->type);
    }
}

static void *tap_run(void *arg)
{
    tap_t *tp = arg;
    FILE *f = fopen(tp->path, "w");
    if (!f) {
        fprintf(stderr, "multihost_tap: cannot write %s: %s\n", tp->path, strerror(errno));
        tp->rc = 1;
        return NULL;
    }
    rig_wire_msg_t *m = malloc(sizeof *m);
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    nng_socket s;
    int rv;
    if (!m || (rv = nng_sub0_open(&s)) != 0) {
        fprintf(stderr, "multihost_tap: cannot open a SUB socket\n");
        tp->rc = 1;
        fclose(f);
        free(m);
        return NULL;
    }
    nng_socket_set(s, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 100);
    nng_socket_set_int(s, NNG_OPT_RECVBUF, 8192); /* the tap must not be the one that drops */
    nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 0);
    if ((rv = nng_dial(s, tp->url, NULL, NNG_FLAG_NONBLOCK)) != 0) {
        fprintf(stderr, "multihost_tap: cannot dial %s: %s\n", tp->url, nng_strerror(rv));
        tp->rc = 1;
        fclose(f);
        free(m);
        return NULL;
    }
    while (!stop && (tp->end_us == 0 || mono_us() < tp->end_us)) {
        nng_msg *msg;
        rv = nng_recvmsg(s, &msg, 0);
        if (rv == NNG_ETIMEDOUT)
            continue;
        if (rv != 0) {
            fprintf(stderr, "multihost_tap: %s: %s\n", tp->url, nng_strerror(rv));
            tp->rc = 1;
            break;
        }
        int64_t t = mono_us();
        char why[160];
        const uint8_t *buf = nng_msg_body(msg);
        size_t len = nng_msg_len(msg), pos = 0, n;
        do { /* a batch: several messages back to back, each with its header */
            tp->messages++;
            if (rig_wire_next(buf + pos, len - pos, &n, why, sizeof why) != RIG_OK) {
                tp->malformed++;
                fprintf(f, "X %" PRId64 " %s\n", t, why);
                break;
            }
            if (rig_wire_decode(buf + pos, n, m, why, sizeof why) != RIG_OK) {
                tp->malformed++;
                fprintf(f, "X %" PRId64 " %s\n", t, why);
            } else {
                tp->frames += m->type == RIG_WIRE_FRAME;
                write_msg(f, t, m);
            }
            pos += n;
        } while (pos < len);
        nng_msg_free(msg);
    }
    /* no nng_close: Debian's NNG 1.5.2 sometimes never returns from it (the process ends) */
    if (fclose(f) != 0)
        tp->rc = 1;
    free(m);
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: multihost_tap --out DIR [--seconds S] URL...\n"
                    "       multihost_tap now\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "now") == 0) {
        printf("%" PRId64 "\n", mono_us());
        return 0;
    }
    const char *out = NULL;
    double seconds = 0;
    int first = 1;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (first + 1 >= argc)
            return usage();
        if (strcmp(argv[first], "--out") == 0) {
            out = argv[first + 1];
        } else if (strcmp(argv[first], "--seconds") == 0) {
            char *end;
            seconds = strtod(argv[first + 1], &end);
            if (*end || seconds <= 0 || seconds > 86400)
                return usage();
        } else {
            return usage();
        }
        first += 2;
    }
    int n = argc - first;
    if (!out || n < 1 || n > MAX_NODES)
        return usage();
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    static tap_t taps[MAX_NODES];
    pthread_t th[MAX_NODES];
    int64_t end = seconds > 0 ? mono_us() + (int64_t)(seconds * 1e6) : 0;
    for (int i = 0; i < n; i++) {
        taps[i].url = argv[first + i];
        taps[i].end_us = end;
        snprintf(taps[i].path, sizeof taps[i].path, "%s/tap%d.txt", out, i);
        if (pthread_create(&th[i], NULL, tap_run, &taps[i]) != 0) {
            fprintf(stderr, "multihost_tap: cannot start a thread\n");
            return 1;
        }
    }
    printf("multihost_tap: subscribed to %d nodes%s\n", n,
           TAP_HAVE_TRUTH ? "" : " (this build's wire format has no truth fields)");
    fflush(stdout);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        printf("multihost_tap: %s: %" PRIu64 " messages, %" PRIu64 " frames, %" PRIu64
               " malformed\n",
               taps[i].url, taps[i].messages, taps[i].frames, taps[i].malformed);
        rc |= taps[i].rc;
    }
    fflush(stdout);
    _exit(rc); /* without nng_fini/close (see above) */
}

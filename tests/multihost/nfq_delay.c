/* nfq_delay: a userspace packet delayer for the multi-host tests (tests only; `tc netem` is not
 * in the kernel these tests run on). Bound to one NFQUEUE of the network namespace it runs in,
 * it holds every packet D ms (plus, with --jitter-ms J, a seeded uniform extra in [0, J] ms) and
 * then accepts it. Packets leave in the order they came: a packet is released no earlier than
 * the one before it, so jitter never reorders and no packet is held less than D.
 *
 *   nfq_delay --queue N --delay-ms D [--jitter-ms J] [--seed S] [--capacity C]
 *
 * Memory is bounded: at most C packets are held (default 65536; only their ids and release
 * times: the kernel keeps the packets, copy mode META). When C are held, the oldest is released
 * at once (counted: early) so nothing is dropped here; the kernel queue has the same length and
 * fails open (a packet beyond it is accepted, not dropped). On SIGTERM or SIGINT every held
 * packet is accepted, the queue is unbound and the counts are printed:
 *   nfq_delay: queue N: P packets, P accepted, E released early, H held at most, R receive errors
 * It prints `nfq_delay: queue N ready` once bound. Use the rule with --queue-bypass so traffic
 * flows (undelayed) when no nfq_delay is bound. Exit 0, 1 on a runtime failure, 2 on usage. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

typedef struct held {
  uint32_t id;
  int64_t release_ns;
} held_t;

typedef struct delayer {
  struct nfq_q_handle *qh;
  held_t *ring;
  uint32_t cap, head, count, max_count;
  int64_t delay_ns, jitter_ns, last_release_ns;
  uint64_t rng;
  uint64_t packets, accepted, early, verdict_errors;
} delayer_t;

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* splitmix64: the jitter, reproducible from --seed */
static uint64_t next_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void release_oldest(delayer_t *d) {
  held_t *h = &d->ring[d->head];
  if (nfq_set_verdict(d->qh, h->id, NF_ACCEPT, 0, NULL) < 0)
    d->verdict_errors++;
  else
    d->accepted++;
  d->head = (d->head + 1) % d->cap;
  d->count--;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data) {
  (void)qh;
  (void)msg;
  delayer_t *d = data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph)
    return 0;
  d->packets++;
  if (d->count == d->cap) { /* full: the oldest goes now, so memory stays bounded */
    release_oldest(d);
    d->early++;
  }
  int64_t extra = d->jitter_ns > 0 ? (int64_t)(next_rand(&d->rng) % (uint64_t)(d->jitter_ns + 1)) : 0;
  int64_t rel = now_ns() + d->delay_ns + extra;
  if (rel < d->last_release_ns) /* never before the packet ahead of it: order kept */
    rel = d->last_release_ns;
  d->last_release_ns = rel;
  held_t *h = &d->ring[(d->head + d->count) % d->cap];
  h->id = ntohl(ph->packet_id);
  h->release_ns = rel;
  d->count++;
  if (d->count > d->max_count)
    d->max_count = d->count;
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: nfq_delay --queue N --delay-ms D [--jitter-ms J] [--seed S] "
                  "[--capacity C]\n"
                  "  N 0-65535, D 0-10000, J 0-10000, C 16-1048576 (default 65536)\n");
  return 2;
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
  char *end;
  errno = 0;
  if (!s || *s == '-')
    return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  uint64_t queue = UINT64_MAX, delay_ms = UINT64_MAX, jitter_ms = 0, seed = 1, cap = 65536;
  for (int i = 1; i < argc; i += 2) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int rc;
    if (!strcmp(argv[i], "--queue"))
      rc = parse_u64(v, 0, 65535, &queue);
    else if (!strcmp(argv[i], "--delay-ms"))
      rc = parse_u64(v, 0, 10000, &delay_ms);
    else if (!strcmp(argv[i], "--jitter-ms"))
      rc = parse_u64(v, 0, 10000, &jitter_ms);
    else if (!strcmp(argv[i], "--seed"))
      rc = parse_u64(v, 0, UINT64_MAX, &seed);
    else if (!strcmp(argv[i], "--capacity"))
      rc = parse_u64(v, 16, 1048576, &cap);
    else
      rc = -1;
    if (rc) {
      fprintf(stderr, "nfq_delay: bad argument %s %s\n", argv[i], v ? v : "(missing)");
      return usage();
    }
  }
  if (queue == UINT64_MAX || delay_ms == UINT64_MAX)
    return usage();

  delayer_t d = {0};
  d.cap = (uint32_t)cap;
  d.delay_ns = (int64_t)delay_ms * 1000000;
  d.jitter_ns = (int64_t)jitter_ms * 1000000;
  d.rng = seed;
  d.ring = calloc(d.cap, sizeof *d.ring);
  if (!d.ring) {
    fprintf(stderr, "nfq_delay: out of memory\n");
    return 1;
  }

  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  struct nfq_handle *h = nfq_open();
  if (!h) {
    fprintf(stderr, "nfq_delay: nfq_open: %s (root or CAP_NET_ADMIN needed)\n", strerror(errno));
    free(d.ring);
    return 1;
  }
  d.qh = nfq_create_queue(h, (uint16_t)queue, on_packet, &d);
  if (!d.qh) {
    fprintf(stderr, "nfq_delay: cannot bind queue %" PRIu64 ": %s (another program holds it?)\n",
            queue, strerror(errno));
    nfq_close(h);
    free(d.ring);
    return 1;
  }
  if (nfq_set_mode(d.qh, NFQNL_COPY_META, 0) < 0 || nfq_set_queue_maxlen(d.qh, d.cap) < 0) {
    fprintf(stderr, "nfq_delay: cannot configure queue %" PRIu64 ": %s\n", queue, strerror(errno));
    nfq_destroy_queue(d.qh);
    nfq_close(h);
    free(d.ring);
    return 1;
  }
  /* beyond the kernel queue's length: accept, never drop (older kernels lack it: harmless) */
  nfq_set_queue_flags(d.qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  int fd = nfq_fd(h);
  int one = 1; /* a full socket buffer must not end the loop (ENOBUFS is counted) */
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  nfnl_rcvbufsiz(nfq_nfnlh(h), 4u << 20);
  printf("nfq_delay: queue %" PRIu64 " ready (delay %" PRIu64 " ms, jitter %" PRIu64 " ms)\n",
         queue, delay_ms, jitter_ms);
  fflush(stdout);

  static char buf[65536] __attribute__((aligned));
  uint64_t rx_errors = 0;
  int rc = 0;
  while (!stop) {
    int64_t t = now_ns();
    while (d.count && d.ring[d.head].release_ns <= t)
      release_oldest(&d);
    int timeout_ms = -1;
    if (d.count) {
      int64_t wait = d.ring[d.head].release_ns - t;
      timeout_ms = (int)((wait + 999999) / 1000000);
    }
    /* wake a little early and spin the last ms: poll's granularity is 1 ms */
    if (timeout_ms > 0)
      timeout_ms--;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, "nfq_delay: poll: %s\n", strerror(errno));
      rc = 1;
      break;
    }
    if (n == 0)
      continue;
    for (;;) { /* drain what is ready */
      ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
          break;
        rx_errors++;
        if (errno == ENOBUFS)
          continue;
        fprintf(stderr, "nfq_delay: recv: %s\n", strerror(errno));
        rc = 1;
        stop = 1;
        break;
      }
      nfq_handle_packet(h, buf, (int)r);
    }
  }
  while (d.count) /* leaving: nothing held stays in the kernel queue */
    release_oldest(&d);
  nfq_destroy_queue(d.qh);
  nfq_close(h);
  printf("nfq_delay: queue %" PRIu64 ": %" PRIu64 " packets, %" PRIu64 " accepted, %" PRIu64
         " released early, %" PRIu32 " held at most, %" PRIu64 " receive errors, %" PRIu64
         " verdict errors\n",
         queue, d.packets, d.accepted, d.early, d.max_count, rx_errors, d.verdict_errors);
  free(d.ring);
  return rc;
}

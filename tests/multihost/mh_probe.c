/* mh_probe: traffic between two simulated hosts for the network-fault test (tests only; the
 * namespaces have no ping).
 *
 *   mh_probe serve PORT
 *       echoes every UDP datagram to PORT back to its sender, and every byte of every TCP
 *       connection to PORT back on it, until SIGTERM. Prints `mh_probe: serving PORT`.
 *   mh_probe udp ADDR PORT COUNT INTERVAL_US WAIT_MS
 *       sends COUNT numbered datagrams, one every INTERVAL_US, and collects the echoes until
 *       WAIT_MS after the last send. Prints one line:
 *         sent N received R lost L duplicates D reordered O rtt_min_us A rtt_p50_us B rtt_max_us C
 *         first_received F lost_after_first K
 *       (reordered: echoes that came back after a later-numbered one; F: the lowest number that
 *       came back, -1 if none; K: the ones lost after it, so K = 0 means traffic resumed at F).
 *   mh_probe tcp ADDR PORT SECONDS INTERVAL_MS WAIT_S
 *       one TCP connection; a numbered 16-byte record every INTERVAL_MS for SECONDS, reading the
 *       echoes; then waits up to WAIT_S for the rest. Prints one line:
 *         sent N echoed E in_order Y max_gap_ms G error MSG
 *       (max_gap_ms: the longest time without any echo while records were outstanding;
 *       error: none, or why the connection broke).
 * Exit 0 (the figures say what happened), 1 on a local failure, 2 on usage. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN 16

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int64_t now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int usage(void) {
  fprintf(stderr, "usage: mh_probe serve PORT\n"
                  "       mh_probe udp ADDR PORT COUNT INTERVAL_US WAIT_MS\n"
                  "       mh_probe tcp ADDR PORT SECONDS INTERVAL_MS WAIT_S\n");
  return 2;
}

static int num(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static int addr_of(const char *host, long port, struct sockaddr_in *a) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static int serve(long port) {
  struct sockaddr_in a;
  addr_of("0.0.0.0", port, &a);
  int one = 1;
  int u = socket(AF_INET, SOCK_DGRAM, 0), l = socket(AF_INET, SOCK_STREAM, 0);
  if (u < 0 || l < 0)
    return 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(u, (struct sockaddr *)&a, sizeof a) || bind(l, (struct sockaddr *)&a, sizeof a) ||
      listen(l, MAX_CONN)) {
    fprintf(stderr, "mh_probe: cannot serve port %ld: %s\n", port, strerror(errno));
    return 1;
  }
  printf("mh_probe: serving %ld\n", port);
  fflush(stdout);
  struct pollfd p[2 + MAX_CONN];
  int nconn = 0;
  char buf[65536];
  while (!stop) {
    p[0] = (struct pollfd){.fd = u, .events = POLLIN};
    p[1] = (struct pollfd){.fd = l, .events = POLLIN};
    int n = poll(p, (nfds_t)(2 + nconn), 500);
    if (n <= 0)
      continue;
    if (p[0].revents & POLLIN) {
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t r = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (r > 0)
        sendto(u, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
    }
    for (int i = 0; i < nconn; i++) {
      if (!p[2 + i].revents)
        continue;
      ssize_t r = recv(p[2 + i].fd, buf, sizeof buf, 0);
      ssize_t w = r > 0 ? send(p[2 + i].fd, buf, (size_t)r, MSG_NOSIGNAL) : -1;
      if (r <= 0 || w != r) { /* closed or broken (a short write cannot happen at these rates) */
        close(p[2 + i].fd);
        p[2 + i] = p[2 + nconn - 1];
        nconn--;
        i--;
      }
    }
    if ((p[1].revents & POLLIN) && nconn < MAX_CONN) {
      int c = accept(l, NULL, NULL);
      if (c >= 0) {
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        p[2 + nconn++] = (struct pollfd){.fd = c, .events = POLLIN};
      }
    }
  }
  return 0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int udp(const char *host, long port, long count, long interval_us, long wait_ms) {
  struct sockaddr_in a;
  if (addr_of(host, port, &a))
    return usage();
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a))
    return 1;
  int big = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  int64_t *sent_at = calloc((size_t)count, sizeof *sent_at);
  int64_t *rtt = calloc((size_t)count, sizeof *rtt);
  unsigned char *got = calloc((size_t)count, 1);
  if (!sent_at || !rtt || !got)
    return 1;
  long next = 0, received = 0, dups = 0, reordered = 0, highest = -1;
  int64_t t0 = now_us(), end = -1;
  for (;;) {
    int64_t t = now_us();
    if (next < count && t >= t0 + next * interval_us) {
      uint64_t msg[2] = {(uint64_t)next, (uint64_t)t};
      sent_at[next] = t;
      if (send(s, msg, sizeof msg, 0) < 0 && errno != ECONNREFUSED && errno != EHOSTUNREACH &&
          errno != ENETUNREACH && errno != ENOBUFS) {
        fprintf(stderr, "mh_probe: send: %s\n", strerror(errno));
        return 1;
      }
      next++;
      if (next == count)
        end = t + wait_ms * 1000;
      continue;
    }
    if (end >= 0 && t >= end)
      break;
    int64_t due = next < count ? t0 + next * interval_us : end;
    struct pollfd p = {.fd = s, .events = POLLIN};
    int to = (int)((due - t) / 1000);
    if (poll(&p, 1, to < 0 ? 0 : to) <= 0)
      continue;
    uint64_t msg[2];
    ssize_t r = recv(s, msg, sizeof msg, MSG_DONTWAIT);
    if (r != (ssize_t)sizeof msg || msg[0] >= (uint64_t)next)
      continue;
    long k = (long)msg[0];
    if (got[k]) {
      dups++;
      continue;
    }
    got[k] = 1;
    rtt[received++] = now_us() - sent_at[k];
    if (k < highest)
      reordered++;
    else
      highest = k;
  }
  long first = -1, lost_after = 0;
  for (long k = 0; k < count; k++) {
    if (got[k] && first < 0)
      first = k;
    else if (!got[k] && first >= 0)
      lost_after++;
  }
  qsort(rtt, (size_t)received, sizeof *rtt, cmp_i64);
  printf("sent %ld received %ld lost %ld duplicates %ld reordered %ld rtt_min_us %" PRId64
         " rtt_p50_us %" PRId64 " rtt_max_us %" PRId64 " first_received %ld lost_after_first %ld\n",
         count, received, count - received, dups, reordered, received ? rtt[0] : -1,
         received ? rtt[received / 2] : -1, received ? rtt[received - 1] : -1, first, lost_after);
  free(sent_at);
  free(rtt);
  free(got);
  close(s);
  return 0;
}

static int tcp(const char *host, long port, long seconds, long interval_ms, long wait_s) {
  struct sockaddr_in a;
  if (addr_of(host, port, &a))
    return usage();
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  if (s < 0)
    return 1;
  if (connect(s, (struct sockaddr *)&a, sizeof a)) {
    printf("sent 0 echoed 0 in_order 1 max_gap_ms 0 error connect:%s\n", strerror(errno));
    return 0;
  }
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  long count = seconds * 1000 / interval_ms, next = 0, echoed = 0;
  int in_order = 1;
  const char *err = "none";
  unsigned char part[16];
  size_t have = 0;
  int64_t t0 = now_us(), end = t0 + seconds * 1000000 + wait_s * 1000000, last_echo = t0;
  int64_t max_gap = 0;
  while (echoed < count || next < count) {
    int64_t t = now_us();
    if (t >= end)
      break;
    if (next < count && t >= t0 + next * interval_ms * 1000) {
      uint64_t msg[2] = {(uint64_t)next, (uint64_t)t};
      if (send(s, msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg) {
        err = errno ? strerror(errno) : "short send";
        break;
      }
      if (echoed == next) /* nothing outstanding until now: the gap starts here */
        last_echo = t;
      next++;
      continue;
    }
    int64_t due = next < count ? t0 + next * interval_ms * 1000 : end;
    struct pollfd p = {.fd = s, .events = POLLIN};
    int to = (int)((due - t) / 1000);
    if (poll(&p, 1, to < 0 ? 0 : to) <= 0)
      continue;
    ssize_t r = recv(s, part + have, sizeof part - have, 0);
    if (r <= 0) {
      err = r == 0 ? "closed by the peer" : strerror(errno);
      break;
    }
    have += (size_t)r;
    if (have < sizeof part)
      continue;
    have = 0;
    uint64_t k;
    memcpy(&k, part, sizeof k);
    if (k != (uint64_t)echoed)
      in_order = 0;
    t = now_us();
    if (t - last_echo > max_gap)
      max_gap = t - last_echo;
    last_echo = t;
    echoed++;
  }
  if (echoed < next && now_us() - last_echo > max_gap)
    max_gap = now_us() - last_echo;
  printf("sent %ld echoed %ld in_order %d max_gap_ms %" PRId64 " error %s\n", next, echoed,
         in_order, max_gap / 1000, err);
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  long v[4];
  if (argc == 3 && !strcmp(argv[1], "serve") && !num(argv[2], 1, 65535, &v[0]))
    return serve(v[0]);
  if (argc == 7 && !strcmp(argv[1], "udp") && !num(argv[3], 1, 65535, &v[0]) &&
      !num(argv[4], 1, 10000000, &v[1]) && !num(argv[5], 0, 10000000, &v[2]) &&
      !num(argv[6], 0, 600000, &v[3]))
    return udp(argv[2], v[0], v[1], v[2], v[3]);
  if (argc == 7 && !strcmp(argv[1], "tcp") && !num(argv[3], 1, 65535, &v[0]) &&
      !num(argv[4], 1, 3600, &v[1]) && !num(argv[5], 1, 60000, &v[2]) &&
      !num(argv[6], 0, 600, &v[3]))
    return tcp(argv[2], v[0], v[1], v[2], v[3]);
  return usage();
}

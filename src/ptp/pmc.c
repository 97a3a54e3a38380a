/* Client of ptp4l's management Unix domain socket (pmc.h). */
#include "ptp/pmc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

struct rig_ptp_client {
    int fd;
    struct sockaddr_un server;
    socklen_t server_len;
    char client_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uint16_t sequence_id;
    uint16_t source_port;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rig_error_t rig_ptp_client_open(const char *server_path, const char *client_path,
                                rig_ptp_client_t **out, char *why, size_t why_len)
{
    if (!out)
        return RIG_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (!server_path)
        server_path = RIG_PTP_DEFAULT_UDS;
    struct sockaddr_un probe;
    if (strlen(server_path) >= sizeof probe.sun_path || server_path[0] == '\0' ||
        (client_path && (strlen(client_path) >= sizeof probe.sun_path || !client_path[0]))) {
        rig_fmt(why, why_len, "socket path empty or longer than %zu bytes",
                sizeof probe.sun_path - 1);
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    rig_ptp_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return RIG_ERROR_NO_MEMORY;
    c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        rig_fmt(why, why_len, "socket(AF_UNIX): %s", strerror(errno));
        free(c);
        return RIG_ERROR_IO;
    }
    struct sockaddr_un local;
    memset(&local, 0, sizeof local);
    local.sun_family = AF_UNIX;
    static atomic_uint next_client;
    char own[sizeof local.sun_path];
    if (!client_path) {
        /* In $TMPDIR when set and the path fits a socket address, else /tmp (ptp4l 3.1.1 ignores
         * abstract addresses, so the client needs a file to be answered at). */
        unsigned n = atomic_fetch_add(&next_client, 1);
        const char *dir = getenv("TMPDIR");
        int len = -1;
        if (dir && dir[0] == '/')
            len = snprintf(own, sizeof own, "%s/rigsync-pmc.%ld.%u", dir, (long)getpid(), n);
        if (len < 0 || (size_t)len >= sizeof own)
            rig_fmt(own, sizeof own, "/tmp/rigsync-pmc.%ld.%u", (long)getpid(), n);
        client_path = own;
    }
    memcpy(local.sun_path, client_path, strlen(client_path) + 1);
    unlink(client_path); /* a stale client socket of an earlier run */
    if (bind(c->fd, (struct sockaddr *)&local, sizeof local) < 0) {
        rig_fmt(why, why_len, "bind %s: %s", client_path, strerror(errno));
        close(c->fd);
        free(c);
        return RIG_ERROR_IO;
    }
    rig_strlcpy(c->client_path, client_path, sizeof c->client_path);
    memset(&c->server, 0, sizeof c->server);
    c->server.sun_family = AF_UNIX;
    memcpy(c->server.sun_path, server_path, strlen(server_path) + 1);
    c->server_len = sizeof c->server;
    c->source_port = (uint16_t)getpid();
    *out = c;
    return RIG_OK;
}

void rig_ptp_client_close(rig_ptp_client_t *c)
{
    if (!c)
        return;
    close(c->fd);
    if (c->client_path[0])
        unlink(c->client_path);
    free(c);
}

rig_error_t rig_ptp_client_get(rig_ptp_client_t *c, uint16_t mid, int timeout_ms,
                               rig_ptp_msg_t *out, char *why, size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!c || !out || timeout_ms < 0)
        return RIG_ERROR_INVALID_ARGUMENT;
    uint8_t buf[RIG_PTP_MSG_MAX];
    uint16_t seq = c->sequence_id++;
    size_t n = rig_ptp_msg_encode_get(buf, sizeof buf, mid, seq, c->source_port, 0);
    if (n == 0) {
        rig_fmt(why, why_len, "managementId 0x%04x is not one this client knows", mid);
        return RIG_ERROR_INVALID_ARGUMENT;
    }
    if (sendto(c->fd, buf, n, 0, (struct sockaddr *)&c->server, c->server_len) != (ssize_t)n) {
        rig_fmt(why, why_len, "send to ptp4l at %s: %s (is ptp4l running with this uds_address?)",
                c->server.sun_path, strerror(errno));
        return RIG_ERROR_IO;
    }
    int64_t deadline = monotonic_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - monotonic_ms();
        if (left < 0)
            left = 0;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rig_fmt(why, why_len, "poll: %s", strerror(errno));
            return RIG_ERROR_IO;
        }
        if (r == 0) {
            rig_fmt(why, why_len, "no response from ptp4l at %s within %d ms", c->server.sun_path,
                    timeout_ms);
            return RIG_ERROR_TIMEOUT;
        }
        ssize_t got = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            rig_fmt(why, why_len, "receive: %s", strerror(errno));
            return RIG_ERROR_IO;
        }
        char bad[160];
        if (rig_ptp_msg_decode(buf, (size_t)got, out, bad, sizeof bad) != RIG_OK)
            continue; /* not ours or broken: keep waiting for the answer */
        if (out->sequence_id != seq || out->management_id != mid || out->action != 2)
            continue; /* a late answer to an earlier request */
        if (out->is_error) {
            rig_fmt(why, why_len, "ptp4l answered managementId 0x%04x with %s", mid,
                    rig_ptp_mgmt_error_name(out->error_id));
            return RIG_ERROR_BACKEND;
        }
        return RIG_OK;
    }
}

rig_error_t rig_ptp_status_read(rig_ptp_client_t *c, int timeout_ms, rig_ptp_status_t *out,
                                char *why, size_t why_len)
{
    if (!c || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    rig_ptp_msg_t m;
    rig_error_t e = rig_ptp_client_get(c, RIG_PTP_MID_TIME_STATUS_NP, timeout_ms, &m, why, why_len);
    if (e != RIG_OK)
        return e;
    out->master_offset_ns = m.u.time_status.master_offset_ns;
    out->ingress_ptp_ts_ns = m.u.time_status.ingress_ptp_ts_ns;
    out->gm_present = m.u.time_status.gm_present;
    memcpy(out->gm_identity, m.u.time_status.gm_identity, 8);
    if ((e = rig_ptp_client_get(c, RIG_PTP_MID_PORT_DATA_SET, timeout_ms, &m, why, why_len)))
        return e;
    out->port_state = (rig_ptp_port_state_t)m.u.port.port_state;
    out->port_number = m.u.port.port.port_number;
    if ((e = rig_ptp_client_get(c, RIG_PTP_MID_CURRENT_DATA_SET, timeout_ms, &m, why, why_len)))
        return e;
    out->offset_from_master_ns = m.u.current.offset_from_master_ns;
    out->mean_path_delay_ns = m.u.current.mean_path_delay_ns;
    out->steps_removed = m.u.current.steps_removed;
    if ((e = rig_ptp_client_get(c, RIG_PTP_MID_PARENT_DATA_SET, timeout_ms, &m, why, why_len)))
        return e;
    out->gm_clock_class = m.u.parent.gm_clock_class;
    out->gm_priority1 = m.u.parent.gm_priority1;
    out->gm_priority2 = m.u.parent.gm_priority2;
    memcpy(out->parent_clock_identity, m.u.parent.parent_port.clock_identity, 8);
    out->parent_port_number = m.u.parent.parent_port.port_number;
    return RIG_OK;
}

void rig_ptp_clock_identity_format(const uint8_t id[8], char *buf, size_t len)
{
    rig_fmt(buf, len, "%02x%02x%02x.%02x%02x.%02x%02x%02x", id[0], id[1], id[2], id[3], id[4],
            id[5], id[6], id[7]);
}

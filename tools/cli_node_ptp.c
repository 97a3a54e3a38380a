/*
 * rigsync node's PTP reporter: once at the start and then every second, reads the local
 * ptp4l's state through its management socket (src/ptp/pmc.h, what `pmc -u` does) and hands a
 * PTP message to the node's queue like any other message. It runs on its own thread with a
 * short timeout per request, so a slow or absent ptp4l never delays capture or the sender.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include "cli.h"
#include "cli_node.h"
#include "common/util.h"
#include "ptp/pmc.h"

#define PTP_EVERY_MS 1000
#define PTP_TIMEOUT_MS 200 /* per management request (four of them per reading) */

struct cli_node_ptp {
    char uds[sizeof(((struct sockaddr_un *)0)->sun_path)];
    bool quiet;
    cli_node_ptp_emit_fn emit;
    void *user;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    bool stopping;
};

void cli_node_ptp_fill(const rig_ptp_status_t *st, int64_t host_ts_us, rig_wire_ptp_t *out)
{
    memset(out, 0, sizeof(*out));
    out->host_ts_us = host_ts_us;
    if (!st)
        return; /* valid 0: no ptp4l answered */
    out->valid = 1;
    out->offset_ns = st->master_offset_ns;
    out->port_state = st->port_state <= RIG_WIRE_PTP_PORT_MAX ? (uint8_t)st->port_state : 0;
    /* ptp4l 3.1's management interface has no servo state, its port state carries it: ptp4l
     * moves a port from UNCALIBRATED to SLAVE when its servo locks, and back when the servo
     * unlocks or jumps. So SLAVE is locked (s2); anything else is not (s0). */
    out->servo_state = st->port_state == RIG_PTP_PORT_SLAVE ? 2 : 0;
    double d = st->mean_path_delay_ns;
    out->mean_path_delay_ns = isfinite(d) && fabs(d) < 9e18 ? (int64_t)llround(d) : 0;
    out->steps_removed = st->steps_removed;
    out->gm_present = st->gm_present ? 1 : 0;
    memcpy(out->gm_identity, st->gm_identity, sizeof out->gm_identity);
}

static void *ptp_main(void *arg)
{
    cli_node_ptp_t *p = arg;
    rig_ptp_client_t *client = NULL;
    char why[256] = "";
    rig_error_t open_err = rig_ptp_client_open(p->uds, NULL, &client, why, sizeof why);
    bool said = false; /* the current outage was announced */
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        rig_ptp_status_t st;
        rig_error_t e = open_err;
        if (client)
            e = rig_ptp_status_read(client, PTP_TIMEOUT_MS, &st, why, sizeof why);
        rig_wire_ptp_t w;
        cli_node_ptp_fill(e == RIG_OK ? &st : NULL, rig_realtime_us(), &w);
        if (e != RIG_OK && !said && !p->quiet)
            fprintf(stderr, "rigsync node: no PTP state from ptp4l at %s (%s); PTP messages say "
                            "valid=0 until it answers (--ptp-uds PATH for another socket, "
                            "--no-ptp to not ask)\n", p->uds, why);
        else if (e == RIG_OK && said && !p->quiet)
            fprintf(stderr, "rigsync node: ptp4l at %s answers again\n", p->uds);
        said = e != RIG_OK;
        p->emit(&w, p->user);
        /* The next reading one period after the previous was due (not after this one ended);
         * after a stall, from now. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        next.tv_sec += PTP_EVERY_MS / 1000;
        next.tv_nsec += (long)(PTP_EVERY_MS % 1000) * 1000000L;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        if (next.tv_sec < now.tv_sec || (next.tv_sec == now.tv_sec && next.tv_nsec < now.tv_nsec))
            next = now;
        pthread_mutex_lock(&p->lock);
        while (!p->stopping && pthread_cond_timedwait(&p->wake, &p->lock, &next) != ETIMEDOUT) {
        }
        bool stop = p->stopping;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
    }
    rig_ptp_client_close(client);
    return NULL;
}

bool cli_node_ptp_uds_check(const char *uds)
{
    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
    if (uds[0] && strlen(uds) <= max)
        return true;
    fprintf(stderr, "rigsync node: --ptp-uds \"%s\": %s; give the path of ptp4l's uds_address "
                    "(default %s)\n", uds,
            uds[0] ? "longer than a Unix socket path can be (107 bytes)" : "empty",
            RIG_PTP_DEFAULT_UDS);
    return false;
}

int cli_node_ptp_start(const char *uds, bool quiet, cli_node_ptp_emit_fn emit, void *user,
                       cli_node_ptp_t **out)
{
    *out = NULL;
    if (!uds)
        uds = RIG_PTP_DEFAULT_UDS;
    if (!cli_node_ptp_uds_check(uds))
        return CLI_USAGE;
    cli_node_ptp_t *p = calloc(1, sizeof(*p));
    if (!p) {
        fprintf(stderr, "rigsync: out of memory\n");
        return CLI_RUNTIME;
    }
    rig_strlcpy(p->uds, uds, sizeof p->uds);
    p->quiet = quiet;
    p->emit = emit;
    p->user = user;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&p->thread, NULL, ptp_main, p) != 0) {
        fprintf(stderr, "rigsync node: cannot start the PTP thread\n");
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return CLI_RUNTIME;
    }
    *out = p;
    return CLI_OK;
}

void cli_node_ptp_stop(cli_node_ptp_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

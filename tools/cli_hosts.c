/*
 * Rigs over several hosts in the CLI: loading the hosts file (run --hosts, node --hosts --host),
 * why a host's slots are empty, and the per-host table and verdict after run's summary.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_hosts.h"
#include "common/util.h"
#include "rigsync/net.h"

int cli_hosts_load(const char *cmd, const char *path, rig_hosts_t **out)
{
    rig_config_diag_t d;
    if (rig_hosts_load(path, out, &d) == RIG_OK)
        return CLI_OK;
    char buf[2048], shown[8192];
    rig_config_diag_format(&d, buf, sizeof buf);
    fprintf(stderr, "rigsync %s: %s\n", cmd, rig_escape(shown, sizeof shown, buf));
    return CLI_USAGE;
}

int cli_hosts_node_config(const char *path, const char *host, rig_hosts_t **hosts,
                          rig_config_t **cfg, const char **listen)
{
    *cfg = NULL;
    int rc = cli_hosts_load("node", path, hosts);
    if (rc != CLI_OK)
        return rc;
    int h = rig_hosts_find(*hosts, host);
    if (h < 0) {
        fprintf(stderr, "rigsync node: --host %s: %s has no host of that name; give one of:",
                host, path);
        for (size_t k = 0; k < rig_hosts_count(*hosts); k++)
            fprintf(stderr, "%s %s", k ? "," : "", rig_hosts_name(*hosts, k));
        fprintf(stderr, "\n");
        return CLI_USAGE;
    }
    rig_config_diag_t d;
    if (rig_hosts_host_config(*hosts, (size_t)h, cfg, &d) != RIG_OK) {
        char buf[2048];
        rig_config_diag_format(&d, buf, sizeof buf);
        fprintf(stderr, "rigsync node: %s\n", buf);
        return CLI_USAGE;
    }
    if (!*listen)
        *listen = rig_hosts_node_url(*hosts, (size_t)h);
    return CLI_OK;
}

const char *cli_hosts_slot_why(rig_context_t *ctx, const rig_hosts_t *hosts, size_t device,
                               char *buf, size_t len)
{
    size_t h = rig_hosts_device_host(hosts, device);
    rig_net_host_stats_t s;
    if (h == SIZE_MAX || rig_net_host_stats(ctx, h, &s) != RIG_OK || s.link == RIG_NET_LINK_UP)
        return NULL;
    rig_fmt(buf, len, "%s %s", s.name, rig_net_link_name(s.link));
    return buf;
}

static void print_us(FILE *out, int64_t us)
{
    if (us == RIG_TS_NONE)
        fprintf(out, "      -");
    else
        fprintf(out, "%7.2f", (double)us / 1000.0);
}

static const char *servo_name(uint8_t s)
{
    return s == 0 ? "unlocked" : s == 1 ? "jump" : s == 2 ? "locked" : s == 3 ? "stable" : "?";
}

bool cli_hosts_print(FILE *out, rig_context_t *ctx)
{
    size_t n = rig_net_host_count(ctx);
    fprintf(out, "\n== hosts: %zu ==\n", n);
    fprintf(out, "%-16s %-10s %-17s %-20s %9s %14s %10s %8s %7s\n", "host", "link",
            "latency p50/p99 ms", "PTP offset/state", "frames", "lost msgs/frms", "node drops",
            "restarts", "outages");
    char verdict[2048] = "";
    bool bad = false;
    for (size_t h = 0; h < n; h++) {
        rig_net_host_stats_t s;
        if (rig_net_host_stats(ctx, h, &s) != RIG_OK)
            continue;
        char ptp[40] = "-";
        if (s.ptp_seen && s.ptp_valid)
            rig_fmt(ptp, sizeof ptp, "%+.1f us %s", (double)s.ptp_offset_ns / 1000.0,
                    servo_name(s.ptp_servo_state));
        else if (s.ptp_seen)
            rig_fmt(ptp, sizeof ptp, "no ptp4l");
        char lost[40];
        rig_fmt(lost, sizeof lost, "%" PRIu64 "/%" PRIu64, s.lost_messages, s.lost_frames);
        fprintf(out, "%-16s %-10s ", s.name, rig_net_link_name(s.link));
        print_us(out, s.latency_p50_us);
        fprintf(out, "/");
        print_us(out, s.latency_p99_us);
        fprintf(out, "  %-20s %9" PRIu64 " %14s %10" PRIu64 " %8" PRIu64 " %7" PRIu64 "\n", ptp,
                s.frames, lost, s.node_dropped, s.restarts, s.outages);
        if (s.link == RIG_NET_LINK_CONNECTING)
            rig_append(verdict, sizeof verdict,
                       " %s: its node never answered at %s: start rigsync node --hosts FILE "
                       "--host %s there, and check the address and the network.",
                       s.name, s.url, s.name);
        else if (s.outages)
            rig_append(verdict, sizeof verdict, " %s was gone %" PRIu64 " time(s) (last: %s)%s.",
                       s.name, s.outages, s.last_down,
                       s.link == RIG_NET_LINK_UP ? "; it rejoined" : "; it is still gone");
        if (s.lost_messages)
            rig_append(verdict, sizeof verdict,
                       " %s: lossy link: %" PRIu64 " messages lost on the link (%" PRIu64
                       " frames).",
                       s.name, s.lost_messages, s.lost_frames);
        if (s.node_dropped)
            rig_append(verdict, sizeof verdict,
                       " %s: its node dropped %" PRIu64 " messages (the network did not keep "
                       "up).",
                       s.name, s.node_dropped);
        bad |= s.link != RIG_NET_LINK_UP || s.outages || s.lost_messages || s.node_dropped;
    }
    fprintf(out, "VERDICT (hosts):%s\n", bad ? verdict : " every host up, nothing lost on the links.");
    return !bad;
}

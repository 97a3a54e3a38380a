/* rigsync ptp-status [--uds PATH] [--timeout-ms N]: the local ptp4l's state, read over its
 * management socket (src/ptp/pmc.h). Keys as `pmc` prints them, one per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ptp/pmc.h"

static int ptp_usage(FILE *out)
{
    fprintf(out, "usage: rigsync ptp-status [--uds PATH] [--timeout-ms N]\n"
                 "  Reads the local ptp4l's state over its management socket (default %s):\n"
                 "  port state, grandmaster, offset from the master, path delay.\n",
            RIG_PTP_DEFAULT_UDS);
    return out == stdout ? CLI_OK : CLI_USAGE;
}

int cli_ptp_status(int argc, char **argv)
{
    const char *uds = NULL;
    long timeout_ms = 1000;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return ptp_usage(stdout);
        if (strcmp(argv[i], "--uds") == 0 && i + 1 < argc) {
            uds = argv[++i];
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            char *end = NULL;
            timeout_ms = strtol(argv[++i], &end, 10);
            if (!end || *end || timeout_ms < 1 || timeout_ms > 60000) {
                fprintf(stderr, "rigsync ptp-status: --timeout-ms \"%s\" is not 1..60000; give "
                                "a whole number of milliseconds, e.g. --timeout-ms 1000\n",
                        argv[i]);
                return CLI_USAGE;
            }
        } else {
            fprintf(stderr, "rigsync ptp-status: unknown or incomplete option \"%s\"\n", argv[i]);
            return ptp_usage(stderr);
        }
    }
    char why[256] = "";
    rig_ptp_client_t *c = NULL;
    rig_error_t e = rig_ptp_client_open(uds, NULL, &c, why, sizeof why);
    if (e == RIG_ERROR_INVALID_ARGUMENT) {
        fprintf(stderr, "rigsync ptp-status: %s; give a shorter --uds path\n", why);
        return CLI_USAGE;
    }
    rig_ptp_status_t s;
    if (e == RIG_OK)
        e = rig_ptp_status_read(c, (int)timeout_ms, &s, why, sizeof why);
    rig_ptp_client_close(c);
    if (e != RIG_OK) {
        fprintf(stderr, "rigsync ptp-status: %s (%s)\n", why, rig_error_name(e));
        return CLI_RUNTIME;
    }
    char gm[32], parent[32];
    rig_ptp_clock_identity_format(s.gm_identity, gm, sizeof gm);
    rig_ptp_clock_identity_format(s.parent_clock_identity, parent, sizeof parent);
    printf("uds              %s\n", uds ? uds : RIG_PTP_DEFAULT_UDS);
    printf("portState        %s\n", rig_ptp_port_state_name((int)s.port_state));
    printf("gmPresent        %s\n", s.gm_present ? "true" : "false");
    printf("gmIdentity       %s\n", gm);
    printf("master_offset    %lld\n", (long long)s.master_offset_ns);
    printf("ingress_time     %lld\n", (long long)s.ingress_ptp_ts_ns);
    printf("offsetFromMaster %.1f\n", s.offset_from_master_ns);
    printf("meanPathDelay    %.1f\n", s.mean_path_delay_ns);
    printf("stepsRemoved     %u\n", (unsigned)s.steps_removed);
    printf("parentPort       %s-%u\n", parent, (unsigned)s.parent_port_number);
    printf("gmClockClass     %u\n", (unsigned)s.gm_clock_class);
    return CLI_OK;
}

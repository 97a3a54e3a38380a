/* The faults the simulator injected during a run (ground truth), from the simulator or, for a
 * replay, from the recording's metadata rigsync.sim_faults (as tools/cli_record.c writes it). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "rigsync/replay.h"
#include "rigsync/sim.h"

/* "host_us \t device \t what \t detail" of each fault, recorded. */
static size_t replayed_faults(rig_context_t *ctx, size_t ndev, rig_report_event_t **out)
{
    char v[1024];
    if (rig_replay_metadata(ctx, "rigsync.sim_faults", "count", v, sizeof v) != RIG_OK)
        return 0;
    size_t n = RIG_MIN((size_t)strtoull(v, NULL, 10), (size_t)RIG_SIM_MAX_FAULT_RECORDS);
    rig_report_event_t *e = calloc(n + 1, sizeof(*e));
    size_t k = 0;
    for (size_t i = 0; e && i < n; i++) {
        char key[64];
        rig_fmt(key, sizeof key, "fault[%zu]", i);
        if (rig_replay_metadata(ctx, "rigsync.sim_faults", key, v, sizeof v) != RIG_OK)
            continue;
        char *t1 = strchr(v, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        char *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
        if (!t3)
            continue;
        *t1 = *t2 = *t3 = '\0';
        e[k].host_ts_us = strtoll(v, NULL, 10);
        e[k].device = strtol(t1 + 1, NULL, 10);
        if (e[k].device < -1 || e[k].device >= (long)ndev)
            e[k].device = -1;
        rig_strlcpy(e[k].what, t2 + 1, sizeof e[k].what);
        rig_strlcpy(e[k].detail, t3 + 1, sizeof e[k].detail);
        k++;
    }
    *out = e;
    return k;
}

size_t cli_injected_faults(rig_context_t *ctx, const rig_config_t *cfg, bool replay,
                           rig_report_event_t **out)
{
    *out = NULL;
    size_t ndev = rig_config_device_count(cfg);
    if (replay)
        return replayed_faults(ctx, ndev, out);
    size_t n = 0;
    if (rig_sim_fault_records(ctx, NULL, 0, &n) != RIG_OK || n == 0)
        return 0;
    size_t cap = RIG_MIN(n, (size_t)RIG_SIM_MAX_FAULT_RECORDS);
    rig_sim_fault_record_t *v = calloc(cap, sizeof(*v));
    rig_report_event_t *ev = calloc(cap, sizeof(*ev));
    if (!v || !ev || rig_sim_fault_records(ctx, v, cap, &n) != RIG_OK) {
        free(v);
        free(ev);
        return 0;
    }
    for (size_t i = 0; i < cap; i++) {
        rig_report_event_t *re = &ev[i];
        re->host_ts_us = v[i].host_us;
        re->device = -1;
        for (size_t d = 0; d < ndev; d++)
            if (strcmp(rig_config_device_serial(cfg, d), v[i].serial) == 0)
                re->device = (long)d;
        rig_fmt(re->what, sizeof(re->what), "injected %s", rig_sim_fault_name(v[i].kind));
        rig_strlcpy(re->detail, v[i].effect, sizeof(re->detail));
    }
    free(v);
    *out = ev;
    return cap;
}

#include "daisy_rig.h"

#include <stdio.h>
#include <stdlib.h>

rig_config_t *bench_daisy_rig(size_t n, const char *prefix, const char *name)
{
    size_t cap = 256 + n * 160;
    char *json = malloc(cap);
    if (!json) {
        fprintf(stderr, "%s: out of memory\n", name);
        return NULL;
    }
    size_t off = (size_t)snprintf(json, cap, "{\"devices\":[");
    for (size_t i = 0; i < n && off < cap; i++)
        off += (size_t)snprintf(json + off, cap - off,
                                "%s{\"serial_number\":\"%.8s%04zu\",\"config\":{\"mode\":\"%s\","
                                "\"trigger_out_enable\":true}}",
                                i ? "," : "", prefix, i, i ? "SECONDARY" : "PRIMARY");
    if (off < cap)
        snprintf(json + off, cap - off, "],\"sim\":{\"pixels\":false}}");
    rig_config_t *cfg = NULL;
    rig_config_diag_t diag;
    if (rig_config_parse(json, name, &cfg, &diag) != RIG_OK) {
        fprintf(stderr, "%s: %s\n", name, diag.message);
        cfg = NULL;
    }
    free(json);
    return cfg;
}

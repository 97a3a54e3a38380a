/*
 * rigsync plan: stagger the depth captures of a rig so that no two ToF cameras' laser pulses
 * overlap, and write the config with those depth_delay_us.
 *   rigsync plan CONFIG -o OUT.json   the config's rig, everything but depth_delay_us kept
 *   rigsync plan N -o OUT.json        N cameras: a PRIMARY, then SECONDARYs on a daisy chain
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "common/util.h"
#include "config/config_internal.h"
#include "config/ranges.h"
#include "mode/tof.h"

#define PLAN_WARN_MAX_PAIRS 8

static void plan_usage(FILE *out)
{
    fprintf(out, "usage: rigsync plan CONFIG -o OUT.json\n"
                 "       rigsync plan N -o OUT.json     (N cameras: device 0 PRIMARY, the others "
                 "SECONDARY, daisy-chained)\n"
                 "Writes the config with depth_delay_us staggered so that no two depth cameras' "
                 "ToF pulses overlap.\n");
}

/* "Who triggers the clock c": a device or the simulated signal generator. */
static void clock_label(const rig_config_t *cfg, int c, char *buf, size_t len)
{
    if (c == (int)cfg->device_count)
        snprintf(buf, len, "the signal generator");
    else
        snprintf(buf, len, "device#%d %s (%s)", c, cfg->devices[c].serial,
                 rig_sync_mode_name(cfg->devices[c].sync.mode));
}

/* How many devices run on each clock 0..n (n = the signal generator); NULL when out of memory. */
static size_t *clock_sizes(const int *clock, size_t n)
{
    size_t *size = calloc(n + 1, sizeof(*size));
    for (size_t i = 0; size && i < n; i++)
        if (clock[i] >= 0 && (size_t)clock[i] <= n)
            size[clock[i]]++;
    return size;
}

void cli_warn_interference(const rig_config_t *cfg, FILE *out)
{
    rig_tof_params_t p = rig_tof_params_default();
    rig_tof_interference_t r;
    if (!cfg || rig_tof_find_interference(cfg, &p, &r) != RIG_OK)
        return;
    const char *src = rig_config_source(cfg);
    for (size_t k = 0; k < r.pair_count && k < PLAN_WARN_MAX_PAIRS; k++) {
        const rig_tof_pair_t *pr = &r.pairs[k];
        long long apart = (long long)(pr->start_b_us - pr->start_a_us);
        fprintf(out,
                "  warning: depth captures of device#%zu %s and device#%zu %s overlap: they start "
                "%lld us apart, so their ToF laser pulses (%d x %lld us, every %lld us) hit each "
                "other's sensor; run rigsync plan %s -o OUT.json, or stagger depth_delay_us by "
                "%lld us\n",
                pr->a, cfg->devices[pr->a].serial, pr->b, cfg->devices[pr->b].serial,
                apart < 0 ? -apart : apart, p.pulses, (long long)p.pulse_us,
                (long long)rig_tof_pulse_period_us(&p), src, (long long)p.min_spacing_us);
    }
    if (r.pair_count > PLAN_WARN_MAX_PAIRS)
        fprintf(out,
                "  warning: ... and %zu more pairs of depth cameras overlap (%zu in all); run "
                "rigsync plan %s -o OUT.json\n",
                r.pair_count - PLAN_WARN_MAX_PAIRS, r.pair_count, src);
    size_t *per_clock = r.independent_clocks ? clock_sizes(r.clock, r.device_count) : NULL;
    if (per_clock) {
        fprintf(out, "  warning: depth cameras run on %zu independent clocks:", r.clock_count);
        size_t shown = 0;
        for (int c = 0; c <= (int)r.device_count; c++) {
            size_t members = per_clock[c];
            if (!members)
                continue;
            char who[160];
            clock_label(cfg, c, who, sizeof who);
            fprintf(out, "%s %s", shown++ ? ";" : "", who);
            if (c == (int)r.device_count)
                fprintf(out, " triggering %zu device(s)", members);
            else if (members > 1)
                fprintf(out, " with %zu more device(s) on its sync chain", members - 1);
        }
        fprintf(out, ". Their ToF pulse trains drift across each other and interfere from time "
                     "to time, whatever depth_delay_us says; put every depth camera on one sync "
                     "chain (one PRIMARY, the others SECONDARY with trigger_out_enable true), "
                     "then run rigsync plan\n");
    }
    free(per_clock);
    rig_tof_interference_free(&r);
}

/* ------------------------------------------------------------------------------------------ */

/* The JSON of `rigsync plan N`: the seed's format, a PRIMARY then SECONDARYs. */
static json_t *count_config_json(size_t n)
{
    json_t *root = json_object();
    json_t *devices = json_array();
    if (!root || !devices || json_object_set_new(root, "devices", devices) != 0) {
        json_decref(root);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char serial[32];
        snprintf(serial, sizeof serial, "SIM%04zu", i + 1);
        json_t *dev = json_pack("{s:s, s:{s:s, s:i, s:i, s:i, s:b, s:i, s:i}}", "serial_number",
                                serial, "config", "mode", i == 0 ? "PRIMARY" : "SECONDARY",
                                "depth_delay_us", 0, "color_delay_us", 0,
                                "trigger_to_image_delay_us", 0, "trigger_out_enable", 1,
                                "trigger_out_delay_us", 0, "frames_per_trigger", 1);
        if (!dev || json_array_append_new(devices, dev) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

/* The device's sync object, as the user spelled it ("config" or "syncConfig"). */
static json_t *sync_object(json_t *root, size_t i, bool *vendor)
{
    json_t *dev = json_array_get(json_object_get(root, "devices"), i);
    json_t *obj = json_object_get(dev, "config");
    *vendor = false;
    if (!obj) {
        obj = json_object_get(dev, "syncConfig");
        *vendor = true;
    }
    if (!json_is_object(obj))
        return NULL;
    if (json_object_get(obj, "syncMode") || json_object_get(dev, "sn"))
        *vendor = true;
    return obj;
}

/* Sets the depth delay in the user's key style; a new key goes right after the mode. */
static bool set_depth_delay(json_t *root, size_t i, int32_t delay)
{
    bool vendor;
    json_t *obj = sync_object(root, i, &vendor);
    if (!obj)
        return false;
    if (json_object_get(obj, "depth_delay_us"))
        return json_object_set_new(obj, "depth_delay_us", json_integer(delay)) == 0;
    if (json_object_get(obj, "depthDelayUs"))
        return json_object_set_new(obj, "depthDelayUs", json_integer(delay)) == 0;
    const char *key = vendor ? "depthDelayUs" : "depth_delay_us";
    /* Rebuild the object to keep the key order readable: mode, depth delay, the rest. */
    json_t *copy = json_deep_copy(obj);
    if (!copy)
        return false;
    json_object_clear(obj);
    bool placed = false, ok = true;
    const char *k;
    json_t *v;
    json_object_foreach(copy, k, v) {
        ok = ok && json_object_set(obj, k, v) == 0;
        if (!placed && (strcmp(k, "mode") == 0 || strcmp(k, "syncMode") == 0)) {
            ok = ok && json_object_set_new(obj, key, json_integer(delay)) == 0;
            placed = true;
        }
    }
    if (!placed)
        ok = ok && json_object_set_new(obj, key, json_integer(delay)) == 0;
    json_decref(copy);
    return ok;
}

static bool write_json(const json_t *root, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = json_dumpf(root, f, JSON_INDENT(4) | JSON_PRESERVE_ORDER) == 0;
    ok = fputc('\n', f) != EOF && ok;
    ok = fclose(f) == 0 && ok;
    return ok;
}

/* Largest whole fps below `fps` at which `n` cameras on one pulse source fit, or 0. */
static unsigned fps_that_fits(const rig_tof_params_t *p, size_t n, unsigned fps)
{
    for (unsigned f = fps; f-- > 1;)
        if (rig_tof_capacity(p, 1000000 / (int64_t)f) >= n)
            return f;
    return 0;
}

/* Largest number of devices triggered by one clock (clock: rig_tof_device_clocks). */
static size_t largest_clock_group(const int *clock, size_t n)
{
    size_t best = 0, *size = clock_sizes(clock, n);
    for (size_t c = 0; size && c <= n; c++)
        best = RIG_MAX(best, size[c]);
    free(size);
    return best;
}

static void print_plan(const rig_config_t *cfg, const int32_t *delays, const int *clocks,
                       const int64_t *bases, const rig_tof_params_t *p)
{
    size_t n = cfg->device_count;
    unsigned fps = cfg->streams[RIG_STREAM_DEPTH].fps;
    int64_t frame = rig_tof_frame_period_us(cfg);
    printf("rigsync plan: %zu depth cameras, depth %u fps (frame period %lld us); ToF train %d x "
           "%lld us every %lld us (%lld us), staggered by %lld us; at most %zu cameras per pulse "
           "source at %u fps\n",
           n, fps, (long long)frame, p->pulses, (long long)p->pulse_us,
           (long long)rig_tof_pulse_period_us(p), (long long)rig_tof_train_us(p),
           (long long)p->min_spacing_us, rig_tof_capacity(p, frame), fps);
    printf("  %-9s %-16s %-20s %-26s %12s %12s %14s\n", "device", "serial", "mode", "clock",
           "depth delay", "planned", "depth starts");
    for (size_t i = 0; i < n; i++) {
        int64_t base = bases[i];
        int c = clocks[i];
        char dev[32], clock[64], starts[32];
        snprintf(dev, sizeof dev, "device#%zu", i);
        if (c == RIG_TOF_NO_CLOCK)
            snprintf(clock, sizeof clock, "none (no pulses)");
        else if (c == (int)n)
            snprintf(clock, sizeof clock, "signal generator");
        else if (c == (int)i)
            snprintf(clock, sizeof clock, "own");
        else
            snprintf(clock, sizeof clock, "device#%d", c);
        if (c == RIG_TOF_NO_CLOCK)
            snprintf(starts, sizeof starts, "-");
        else
            snprintf(starts, sizeof starts, "%lld us", (long long)(base + delays[i]));
        char before[32], after[32];
        snprintf(before, sizeof before, "%d us", cfg->devices[i].sync.depth_delay_us);
        snprintf(after, sizeof after, "%d us", delays[i]);
        printf("  %-9s %-16s %-20s %-26s %12s %12s %14s\n", dev, cfg->devices[i].serial,
               rig_sync_mode_name(cfg->devices[i].sync.mode), clock, before, after, starts);
    }
}

/* A number of cameras: all digits (anything else is a file name), within the range table's
 * row (config/ranges.h). */
static bool is_count(const char *s)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    return true;
}

int cli_plan(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    for (int i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
            output = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            plan_usage(stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' || input) {
            fprintf(stderr, "rigsync plan: unexpected argument \"%s\"\n", argv[i]);
            plan_usage(stderr);
            return CLI_USAGE;
        } else
            input = argv[i];
    }
    if (!input || !output) {
        fprintf(stderr, "rigsync plan: %s\n",
                !input ? "which rig? give a config file or a number of cameras"
                       : "where to? give the output file with -o OUT.json");
        plan_usage(stderr);
        return CLI_USAGE;
    }

    /* The rig: parsed and validated by the config module; the JSON kept for rewriting. */
    size_t count = 0;
    json_t *root = NULL;
    rig_config_t *cfg = NULL;
    int rc = CLI_OK;
    if (is_count(input)) {
        char why[512];
        uint64_t n = 0;
        if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_PLAN_COUNT), "the number of cameras",
                                 input, &n, NULL, why, sizeof why)) {
            fprintf(stderr, "rigsync plan: %s\n", why);
            return CLI_USAGE;
        }
        count = (size_t)n;
        root = count_config_json(count);
        char *text = root ? json_dumps(root, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        if (!text) {
            fprintf(stderr, "rigsync plan: out of memory\n");
            json_decref(root);
            return CLI_RUNTIME;
        }
        char name[64];
        snprintf(name, sizeof name, "<%zu cameras>", count);
        rig_config_diag_t diag;
        if (rig_config_parse(text, name, &cfg, &diag) != RIG_OK) {
            char msg[1600];
            rig_config_diag_format(&diag, msg, sizeof msg);
            fprintf(stderr, "rigsync: %s\n", msg);
            rc = CLI_USAGE;
        }
        free(text);
    } else {
        rc = cli_load_config(input, &cfg);
        if (rc == CLI_OK) {
            json_error_t jerr;
            root = json_load_file(input, 0, &jerr);
            if (!root) {
                fprintf(stderr, "rigsync plan: %s:%d:%d: %s\n", input, jerr.line, jerr.column,
                        jerr.text);
                rc = CLI_USAGE;
            }
        }
    }
    if (rc != CLI_OK) {
        json_decref(root);
        rig_config_destroy(cfg);
        return rc;
    }

    size_t n = rig_config_device_count(cfg);
    rig_tof_params_t p = rig_tof_params_default();
    int32_t *delays = calloc(n ? n : 1, sizeof(*delays));
    int *clocks = calloc(n ? n : 1, sizeof(*clocks));
    int64_t *bases = calloc(n ? n : 1, sizeof(*bases));
    if (!delays || !clocks || !bases || rig_tof_device_clocks(cfg, clocks, bases) != RIG_OK) {
        fprintf(stderr, "rigsync plan: out of memory\n");
        rc = CLI_RUNTIME;
        goto done;
    }
    char msg[1024];
    rig_error_t err = rig_tof_plan_config(cfg, &p, delays, msg, sizeof msg);
    if (err == RIG_ERROR_UNSUPPORTED) {
        unsigned fps = cfg->streams[RIG_STREAM_DEPTH].fps;
        size_t cap = rig_tof_capacity(&p, rig_tof_frame_period_us(cfg));
        size_t group = largest_clock_group(clocks, n);
        unsigned lower = fps_that_fits(&p, group, fps);
        fprintf(stderr, "rigsync plan: %s\n", msg);
        fprintf(stderr, "rigsync plan: at most %zu depth cameras per rig at %u fps; use fewer "
                        "cameras per rig (split the %zu into rigs of at most %zu)",
                cap, fps, group, cap);
        if (lower)
            fprintf(stderr, ", or lower the fps to %u or less (\"streams\": {\"depth\": "
                            "{\"fps\": %u}}), where %zu fit",
                    lower, lower, group);
        fprintf(stderr, ".\n");
        rc = CLI_RUNTIME;
        goto done;
    }
    if (err != RIG_OK) {
        fprintf(stderr, "rigsync plan: %s\n", err == RIG_ERROR_NO_MEMORY ? "out of memory" : msg);
        rc = CLI_RUNTIME;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!set_depth_delay(root, i, delays[i])) {
            fprintf(stderr, "rigsync plan: cannot set the depth delay of device#%zu\n", i);
            rc = CLI_RUNTIME;
            goto done;
        }
    }
    if (!write_json(root, output)) {
        fprintf(stderr, "rigsync plan: cannot write %s: %s\n", output, strerror(errno));
        rc = CLI_USAGE;
        goto done;
    }
    print_plan(cfg, delays, clocks, bases, &p);

    /* Read back what was written: it must be valid and free of overlapping pairs. */
    rig_config_t *planned = NULL;
    rc = cli_load_config(output, &planned);
    if (rc != CLI_OK) {
        rc = CLI_RUNTIME;
        goto done;
    }
    printf("rigsync plan: wrote %s\n", output);
    cli_warn_interference(planned, stdout);
    rig_config_destroy(planned);

done:
    free(delays);
    free(clocks);
    free(bases);
    json_decref(root);
    rig_config_destroy(cfg);
    return rc;
}

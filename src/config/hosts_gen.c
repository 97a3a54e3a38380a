/* The JSON configs a hosts file makes (src/config/hosts_internal.h): each host's one-host
 * config (its devices, the common sections, its simulated rig anchored, a hub's generator) and
 * the aggregator's whole-rig config. */
#include <string.h>

#include "common/util.h"
#include "config/hosts_internal.h"
#include "mode/mode.h"

const json_t *hosts_member(const json_t *obj, const char *a, const char *b, const char **used)
{
    const json_t *v = json_object_get(obj, a);
    *used = a;
    if (!v && b) {
        v = json_object_get(obj, b);
        *used = b;
    }
    return v;
}

/* ------------------------------------------------------------------------------------------ */
/* Per-host configs                                                                            */

static double stream_fps(const json_t *root)
{
    const json_t *st = json_object_get(root, "streams");
    double fps = 0;
    for (int s = 0; s < 2; s++) {
        const json_t *v = json_object_get(json_object_get(st, s ? "depth" : "color"), "fps");
        if (json_is_integer(v) && json_integer_value(v) > 0 &&
            (fps == 0 || (double)json_integer_value(v) < fps))
            fps = (double)json_integer_value(v);
    }
    return fps > 0 ? fps : 30.0;
}

/* The crystal and rate offset of a device of a host's sim section (0 when not given). */
static void sim_rates(const json_t *jhost, const char *serial, double *ppm, double *rate)
{
    *ppm = 0;
    *rate = 0;
    const json_t *devs = json_object_get(json_object_get(jhost, "sim"), "devices");
    size_t i;
    const json_t *d;
    json_array_foreach(devs, i, d)
    {
        const char *used;
        const json_t *s = hosts_member(d, "serial_number", "sn", &used);
        if (!json_is_string(s) || strcmp(json_string_value(s), serial) != 0)
            continue;
        const json_t *v = json_object_get(d, "ppm");
        if (json_is_number(v))
            *ppm = json_number_value(v);
        v = json_object_get(d, "rate_offset_ppm");
        if (json_is_number(v))
            *rate = json_number_value(v);
    }
}

/* The simulated source of a hub gets an explicit crystal and rate (0 when not given). */
static void pin_source(json_t *sim, const json_t *jhost, const char *serial)
{
    json_t *devs = json_object_get(sim, "devices");
    if (!devs) {
        devs = json_array();
        size_t i;
        const json_t *d;
        json_array_foreach(json_object_get(jhost, "devices"), i, d)
        {
            const char *used;
            const json_t *sv = hosts_member(d, "serial_number", "sn", &used);
            json_t *e = json_object();
            json_object_set(e, "serial_number", (json_t *)sv);
            json_array_append_new(devs, e);
        }
        json_object_set_new(sim, "devices", devs);
    }
    size_t i;
    json_t *d;
    json_array_foreach(devs, i, d)
    {
        const char *used;
        const json_t *sv = hosts_member(d, "serial_number", "sn", &used);
        if (!json_is_string(sv) || strcmp(json_string_value(sv), serial) != 0)
            continue;
        if (!json_object_get(d, "ppm"))
            json_object_set_new(d, "ppm", json_real(0));
        if (!json_object_get(d, "rate_offset_ppm"))
            json_object_set_new(d, "rate_offset_ppm", json_real(0));
    }
}

/* The one-host config of host h as JSON text (malloc'd), or NULL when out of memory. */
char *hosts_host_config_text(const json_t *root, size_t h, const hdev_t *devs, size_t ndev,
                             const json_t *jhubs)
{
    const json_t *jhost = json_array_get(json_object_get(root, "hosts"), h);
    json_t *o = json_object();
    json_object_set(o, "devices", json_object_get(jhost, "devices"));
    static const char *const common[] = {"streams", "clock_sync_interval_ms"};
    for (size_t i = 0; i < RIG_ARRAY_SIZE(common); i++)
        if (json_object_get(root, common[i]))
            json_object_set(o, common[i], json_object_get(root, common[i]));
    const json_t *jsim = json_object_get(jhost, "sim");
    json_t *sim = json_is_object(jsim) ? json_deep_copy(jsim) : json_object();
    json_object_set_new(sim, "anchor", json_string("monotonic"));
    json_object_set_new(sim, "host_clock", json_string("realtime"));
    /* Anchored pulse trains are replayed from a crystal's rate: no wandering crystals. */
    if (!json_object_get(sim, "drift_walk_ppm_per_sqrt_hour"))
        json_object_set_new(sim, "drift_walk_ppm_per_sqrt_hour", json_real(0));
    /* A hub's source here: its crystal and rate as the other hosts' generators assume them
     * (those of its sim.devices entry, 0 when not given, never a random crystal). */
    for (size_t k = 0; k < json_array_size(jhubs); k++) {
        const char *from = json_string_value(json_object_get(json_array_get(jhubs, k), "from"));
        for (size_t i = 0; i < ndev; i++)
            if (devs[i].host == h && devs[i].serial && strcmp(devs[i].serial, from) == 0)
                pin_source(sim, jhost, from);
    }
    /* Pulses from another host: the generator at the remote source's exact rate. */
    json_t *to = json_array();
    int hub = -1;
    bool all_fed = true;
    for (size_t i = 0; i < ndev; i++) {
        if (devs[i].host == h && devs[i].hub >= 0) {
            json_array_append_new(to, json_string(devs[i].serial));
            hub = devs[i].hub;
        } else if (devs[i].host == h && devs[i].mode_known && rig_mode_needs_pulses(devs[i].mode)) {
            all_fed = false;
        }
    }
    /* The hub feeds each of them directly: no daisy chain on top (it would trigger them twice),
     * unless the sim section wires them or a device here relies on a local cable. */
    if (hub >= 0 && all_fed && !json_object_get(sim, "wiring"))
        json_object_set_new(sim, "wiring", json_string("none"));
    if (hub >= 0) {
        const char *from = json_string_value(json_object_get(json_array_get(jhubs, (size_t)hub),
                                                             "from"));
        const hdev_t *src = NULL;
        for (size_t i = 0; i < ndev; i++)
            if (devs[i].serial && strcmp(devs[i].serial, from) == 0)
                src = &devs[i];
        double ppm = 0, rate = 0;
        sim_rates(json_array_get(json_object_get(root, "hosts"), src->host), from, &ppm, &rate);
        double hz = stream_fps(root) * (1 + ppm * 1e-6) * (1 + rate * 1e-6);
        json_t *gen = json_object();
        json_object_set_new(gen, "hz", json_real(hz));
        json_object_set_new(gen, "to", to);
        json_object_set_new(sim, "signal_generator", gen);
    } else {
        json_decref(to);
    }
    json_object_set_new(o, "sim", sim);
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(o);
    return text;
}

/* The aggregator's whole-rig config: every device, the common sections. */
char *hosts_rig_config_text(const json_t *root)
{
    json_t *o = json_object(), *all = json_array();
    size_t h;
    const json_t *jh;
    json_array_foreach(json_object_get(root, "hosts"), h, jh)
    {
        size_t i;
        const json_t *d;
        json_array_foreach(json_object_get(jh, "devices"), i, d)
            json_array_append(all, (json_t *)d);
    }
    json_object_set_new(o, "devices", all);
    static const char *const common[] = {"streams", "clock_sync_interval_ms"};
    for (size_t i = 0; i < RIG_ARRAY_SIZE(common); i++)
        if (json_object_get(root, common[i]))
            json_object_set(o, common[i], json_object_get(root, common[i]));
    /* No wiring between the hosts' cameras but the hubs: nothing to simulate here. */
    json_t *sim = json_object();
    json_object_set_new(sim, "wiring", json_string("none"));
    json_object_set_new(o, "sim", sim);
    char *text = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    return text;
}


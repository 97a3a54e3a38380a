/*
 * The hosts file (include/rigsync/hosts.h): a rig over several hosts. Checked here: the file's
 * own structure (hosts, names, node URLs, hubs, serials unique across hosts); each host's
 * one-host config is then built as JSON (hosts_gen.c) and parsed by the one-host parser, and
 * its errors are moved back to where the value is in the hosts file (file:line:column).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/hosts_internal.h"
#include "config/parser.h"
#include "mode/mode.h"
#include "rigsync/hosts.h"

#define HOSTS_FILE_MAX ((size_t)64 << 20)
#define HOSTS_MAX 256

typedef struct host {
    char name[RIG_HOSTS_NAME_MAX];
    char url[256];
    size_t first, count; /* in the rig config */
    char *config_text;
} host_t;

struct rig_hosts {
    char source[256];
    host_t *hosts;
    size_t nhosts;
    rig_config_t *rig;
    size_t *dev_host;
};

/* The fields the hosts-level checks need, read leniently (the one-host parser checks them). */
static void read_device(const json_t *jdev, hdev_t *d)
{
    const char *used;
    const json_t *s = hosts_member(jdev, "serial_number", "sn", &used);
    d->serial = json_is_string(s) ? json_string_value(s) : NULL;
    d->serial_key = used;
    const json_t *c = hosts_member(jdev, "config", "syncConfig", &used);
    const json_t *m = hosts_member(c, "mode", "syncMode", &used);
    d->mode_known = json_is_string(m) && rig_sync_mode_parse(json_string_value(m), &d->mode);
    const json_t *t = hosts_member(c, "trigger_out_enable", "triggerOutEnable", &used);
    d->trigger_out = json_is_true(t);
    d->hub = -1;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= RIG_HOSTS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.')))
            return false;
    }
    return true;
}

/* "tcp://HOST:PORT", port 1..65535, HOST non-empty ([v6] allowed). */
static bool url_ok(const char *u)
{
    if (strncmp(u, "tcp://", 6) != 0 || strlen(u) >= 256)
        return false;
    const char *h = u + 6, *colon = strrchr(h, ':');
    const char *close = strrchr(h, ']');
    if (!colon || colon == h || (close && close > colon))
        return false;
    for (const char *c = h; c < colon; c++)
        if (*c == '/' || *c == ' ' || (unsigned char)*c < 0x21)
            return false;
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    return !errno && end && !*end && colon[1] >= '0' && colon[1] <= '9' && port >= 1 &&
           port <= 65535;
}

/* ------------------------------------------------------------------------------------------ */
/* A one-host parse's error, moved to the hosts file                                          */

static void remap_diag(const rig_hosts_t *hs, const char *text, size_t len, size_t host,
                       rig_config_diag_t *d)
{
    char field[sizeof d->field], orig[sizeof d->field];
    rig_strlcpy(orig, d->field, sizeof orig);
    /* Keys may sit before '[' ("devices[1]"): give each '[' a '.' before it, then split. */
    size_t k = 0;
    for (size_t i = 0; orig[i] && k + 2 < sizeof field; i++) {
        if (orig[i] == '[')
            field[k++] = '.';
        field[k++] = orig[i];
    }
    field[k] = '\0';
    rig_json_step_t steps[PATH_DEPTH_MAX + 2];
    size_t n = 0;
    steps[n++] = (rig_json_step_t){.key = "hosts"};
    steps[n++] = (rig_json_step_t){.index = host};
    char *p = field;
    bool top_level = false;
    while (*p && n < RIG_ARRAY_SIZE(steps)) {
        char *e = strchr(p, '.');
        if (e)
            *e = '\0';
        if (*p == '[')
            steps[n++] = (rig_json_step_t){.index = strtoul(p + 1, NULL, 10)};
        else if (*p)
            steps[n++] = (rig_json_step_t){.key = p};
        if (n == 3 && steps[2].key &&
            (strcmp(steps[2].key, "streams") == 0 ||
             strcmp(steps[2].key, "clock_sync_interval_ms") == 0))
            top_level = true;
        if (!e)
            break;
        p = e + 1;
    }
    const rig_json_step_t *path = top_level ? steps + 2 : steps;
    size_t depth = top_level ? n - 2 : n;
    /* The deepest part of the path the file has (a generated generator is not in it). */
    /* The one-host parser points at a key (unknown keys) or at a value: the same here. */
    int line = 0, col = 0;
    bool at_key = false;
    if (depth == n || top_level) {
        int kl = 0, kc = 0;
        const char *own = hs->hosts[host].config_text;
        at_key = rig_json_locate(own, strlen(own), steps + 2, n - 2, true, &kl, &kc) &&
                 kl == d->line && kc == d->column && steps[n - 1].key;
    }
    while (depth > 0 && !rig_json_locate(text, len, path, depth, at_key, &line, &col)) {
        depth--;
        at_key = false;
    }
    d->line = line;
    d->column = col;
    char full[sizeof d->field];
    if (top_level)
        rig_strlcpy(full, orig, sizeof full);
    else
        rig_fmt(full, sizeof full, "hosts[%zu].%s", host, orig);
    rig_strlcpy(d->field, full, sizeof d->field);
    rig_strlcpy(d->file, hs->source, sizeof d->file);
    char msg[sizeof d->message];
    rig_fmt(msg, sizeof msg, "host %s: %s", hs->hosts[host].name, d->message);
    rig_strlcpy(d->message, msg, sizeof d->message);
}

/* ------------------------------------------------------------------------------------------ */
/* The file                                                                                    */

static rig_error_t syntax_error(rig_config_diag_t *d, const json_error_t *err)
{
    d->code = RIG_ERROR_CONFIG;
    d->line = err->line > 0 ? err->line : 1;
    d->column = err->column > 0 ? err->column : 1;
    d->field[0] = '\0';
    rig_fmt(d->message, sizeof d->message,
            "not valid JSON: %s. Fix the syntax here (a missing comma, quote or bracket is the "
            "usual cause).",
            err->text);
    return RIG_ERROR_CONFIG;
}

/* The device of any host whose serial the string v names, or an error at `at`. */
static rig_error_t find_dev(parser_t *p, const path_t *at, const json_t *v, hdev_t *devs,
                            size_t ndev, hdev_t **out)
{
    for (size_t i = 0; i < ndev; i++)
        if (devs[i].serial && strcmp(devs[i].serial, json_string_value(v)) == 0) {
            *out = &devs[i];
            return RIG_OK;
        }
    return cfg_fail(p, at,
                    "no host has a device with serial \"%s\"; give the serial number of a "
                    "device listed under one of the hosts.",
                    json_string_value(v));
}

static rig_error_t check_hubs(parser_t *p, const json_t *root, hdev_t *devs, size_t ndev,
                              const rig_hosts_t *hs)
{
    static const key_spec_t keys[] = {{"from", NULL}, {"to", NULL}, {"hub_delay_ns", NULL}};
    const path_t top = {.depth = 0};
    const json_t *jhubs = json_object_get(root, "hubs");
    if (!jhubs)
        return RIG_OK;
    path_t hp = cfg_path_key(&top, "hubs");
    TRY(cfg_expect(p, &hp, jhubs, KIND_ARRAY));
    for (size_t k = 0; k < json_array_size(jhubs); k++) {
        path_t at = cfg_path_index(&hp, k);
        const json_t *jh = json_array_get(jhubs, k);
        TRY(cfg_expect(p, &at, jh, KIND_OBJECT));
        TRY(cfg_check_keys(p, &at, jh, keys, RIG_ARRAY_SIZE(keys)));
        int64_t delay = 0;
        TRY(cfg_opt_int(p, &at, jh, "hub_delay_ns", RIG_RANGE_SIM_HUB_DELAY_NS, &delay));
        const json_t *from = json_object_get(jh, "from");
        if (!from)
            return cfg_fail_missing(p, &at, "from",
                                    "a hub needs the device whose pulses it carries: add "
                                    "\"from\": \"SERIAL\" of the PRIMARY.");
        path_t fp = cfg_path_key(&at, "from");
        TRY(cfg_expect(p, &fp, from, KIND_STRING));
        hdev_t *src = NULL;
        TRY(find_dev(p, &fp, from, devs, ndev, &src));
        if (src->mode_known && src->mode != RIG_SYNC_MODE_PRIMARY && !src->trigger_out)
            return cfg_fail(p, &fp,
                            "device %s (host %s) is %s with trigger_out_enable false: it emits no "
                            "pulses for the hub; give a PRIMARY, or set its trigger_out_enable "
                            "true.",
                            src->serial, hs->hosts[src->host].name, rig_sync_mode_name(src->mode));
        const json_t *to = json_object_get(jh, "to");
        if (!to)
            return cfg_fail_missing(p, &at, "to",
                                    "a hub needs the devices it feeds: add \"to\": [\"SERIAL\", "
                                    "...].");
        path_t tp = cfg_path_key(&at, "to");
        TRY(cfg_expect(p, &tp, to, KIND_ARRAY));
        if (json_array_size(to) == 0)
            return cfg_fail(p, &tp, "the hub feeds no device; list the serials it feeds, or "
                                    "remove the hub.");
        for (size_t j = 0; j < json_array_size(to); j++) {
            path_t ep = cfg_path_index(&tp, j);
            const json_t *v = json_array_get(to, j);
            TRY(cfg_expect(p, &ep, v, KIND_STRING));
            hdev_t *dst = NULL;
            TRY(find_dev(p, &ep, v, devs, ndev, &dst));
            if (dst == src)
                return cfg_fail(p, &ep, "the hub would feed %s its own pulses; remove it from "
                                        "\"to\".", dst->serial);
            if (dst->hub >= 0)
                return cfg_fail(p, &ep,
                                "%s is fed by hubs[%d] already; a sync-in takes one cable: "
                                "remove it from one of the hubs.",
                                dst->serial, dst->hub);
            if (dst->host == src->host)
                return cfg_fail(p, &ep,
                                "%s is on host %s, as the hub's source %s: a hub carries pulses "
                                "to other hosts (on one host the sim section wires them); "
                                "remove it from \"to\".",
                                dst->serial, hs->hosts[dst->host].name, src->serial);
            for (size_t i = 0; i < ndev; i++) {
                if (devs[i].host != dst->host || devs[i].hub < 0 || devs[i].hub == (int)k)
                    continue;
                const char *other = json_string_value(
                    json_object_get(json_array_get(jhubs, (size_t)devs[i].hub), "from"));
                if (strcmp(other, src->serial) != 0)
                    return cfg_fail(p, &ep,
                                    "host %s gets pulses from %s through hubs[%d] already; a "
                                    "host takes the pulses of one source: feed it from %s "
                                    "only.",
                                    hs->hosts[dst->host].name, other, devs[i].hub, other);
            }
            const json_t *dh = json_array_get(json_object_get(root, "hosts"), dst->host);
            if (json_object_get(json_object_get(dh, "sim"), "signal_generator")) {
                path_t gp = cfg_path_key(&top, "hosts");
                gp = cfg_path_index(&gp, dst->host);
                gp = cfg_path_key(&gp, "sim");
                gp = cfg_path_key(&gp, "signal_generator");
                return cfg_fail_key(p, &gp,
                                    "hubs[%zu] carries %s's pulses to host %s, whose simulated "
                                    "rig is made from them: remove its sim.signal_generator.",
                                    k, src->serial, hs->hosts[dst->host].name);
            }
            dst->hub = (int)k;
        }
    }
    return RIG_OK;
}

/* On a host without a pulse source of its own, a device that waits for pulses needs a hub. */
static rig_error_t check_fed(parser_t *p, const json_t *root, const hdev_t *devs, size_t ndev,
                             const rig_hosts_t *hs)
{
    for (size_t h = 0; h < hs->nhosts; h++) {
        const json_t *jhost = json_array_get(json_object_get(root, "hosts"), h);
        if (json_object_get(json_object_get(jhost, "sim"), "signal_generator"))
            continue;
        bool source = false, forwarded = false;
        for (size_t i = 0; i < ndev; i++) {
            if (devs[i].host != h || !devs[i].mode_known)
                continue;
            rig_sync_config_t c = rig_sync_config_default();
            c.mode = devs[i].mode;
            c.trigger_out_enable = devs[i].trigger_out;
            source |= rig_mode_is_pulse_source(&c);
            forwarded |= devs[i].hub >= 0 && devs[i].trigger_out;
        }
        if (source || forwarded)
            continue;
        for (size_t i = 0; i < ndev; i++) {
            if (devs[i].host != h || !devs[i].mode_known || devs[i].hub >= 0 ||
                !rig_mode_needs_pulses(devs[i].mode))
                continue;
            const path_t top = {.depth = 0};
            path_t at = cfg_path_key(&top, "hosts");
            at = cfg_path_index(&at, h);
            at = cfg_path_key(&at, "devices");
            at = cfg_path_index(&at, devs[i].index);
            return cfg_fail(p, &at,
                            "%s is %s on host %s, which has no device sending pulses, and no hub "
                            "feeds it: add it to the \"to\" of a hub from the PRIMARY (\"hubs\"), "
                            "or make it STANDALONE.",
                            devs[i].serial ? devs[i].serial : "the device",
                            rig_sync_mode_name(devs[i].mode), hs->hosts[h].name);
        }
    }
    return RIG_OK;
}

static rig_error_t check_hosts(parser_t *p, const json_t *root, rig_hosts_t *hs, hdev_t **devs_out,
                               size_t *ndev_out)
{
    static const key_spec_t root_keys[] = {{"hosts", NULL}, {"hubs", NULL}, {"streams", NULL},
                                           {"clock_sync_interval_ms", NULL}};
    static const key_spec_t host_keys[] = {{"name", NULL}, {"node", NULL}, {"devices", NULL},
                                           {"sim", NULL}};
    const path_t top = {.depth = 0};
    if (!json_is_object(root))
        return cfg_fail(p, &top, "expected an object at the top level; write the hosts file as "
                                 "{\"hosts\": [...], \"hubs\": [...]}.");
    TRY(cfg_check_keys(p, &top, root, root_keys, RIG_ARRAY_SIZE(root_keys)));
    const json_t *jhosts = json_object_get(root, "hosts");
    if (!jhosts)
        return cfg_fail_missing(p, &top, "hosts",
                                "a hosts file lists its hosts: add \"hosts\": [{\"name\": ..., "
                                "\"node\": \"tcp://ADDR:PORT\", \"devices\": [...]}].");
    path_t hp = cfg_path_key(&top, "hosts");
    TRY(cfg_expect(p, &hp, jhosts, KIND_ARRAY));
    size_t n = json_array_size(jhosts);
    if (n == 0 || n > HOSTS_MAX)
        return cfg_fail(p, &hp, "%zu hosts; list 1 to %d hosts.", n, HOSTS_MAX);
    hs->hosts = calloc(n, sizeof *hs->hosts);
    if (!hs->hosts)
        return cfg_out_of_memory(p->diag);
    hs->nhosts = n;
    size_t ndev = 0;
    for (size_t h = 0; h < n; h++) {
        path_t at = cfg_path_index(&hp, h);
        const json_t *jh = json_array_get(jhosts, h);
        TRY(cfg_expect(p, &at, jh, KIND_OBJECT));
        TRY(cfg_check_keys(p, &at, jh, host_keys, RIG_ARRAY_SIZE(host_keys)));
        static const char *const req[] = {"name", "node", "devices"};
        static const char *const fix[] = {"add \"name\": \"stage-a\" (a name for the host)",
                                          ("add \"node\": \"tcp://ADDR:PORT\" (where its rigsync "
                                           "node listens)"),
                                          "add \"devices\": [...] (its cameras)"};
        for (size_t r = 0; r < RIG_ARRAY_SIZE(req); r++)
            if (!json_object_get(jh, req[r]))
                return cfg_fail_missing(p, &at, req[r], "a host needs \"%s\": %s.", req[r],
                                        fix[r]);
        path_t np = cfg_path_key(&at, "name");
        const json_t *v = json_object_get(jh, "name");
        TRY(cfg_expect(p, &np, v, KIND_STRING));
        if (!name_ok(json_string_value(v)))
            return cfg_fail(p, &np,
                            "\"%s\" is no host name; use 1 to %d letters, digits, '-', '_' or "
                            "'.', starting with a letter or digit.",
                            json_string_value(v), RIG_HOSTS_NAME_MAX - 1);
        for (size_t k = 0; k < h; k++)
            if (strcmp(hs->hosts[k].name, json_string_value(v)) == 0)
                return cfg_fail(p, &np, "hosts[%zu] has the name \"%s\" already; give each "
                                        "host its own name.", k, json_string_value(v));
        rig_strlcpy(hs->hosts[h].name, json_string_value(v), sizeof hs->hosts[h].name);
        path_t up = cfg_path_key(&at, "node");
        v = json_object_get(jh, "node");
        TRY(cfg_expect(p, &up, v, KIND_STRING));
        if (!url_ok(json_string_value(v)))
            return cfg_fail(p, &up,
                            "\"%s\" is no node address; give tcp://ADDR:PORT with a port from 1 "
                            "to 65535, e.g. tcp://10.77.0.1:7100.",
                            json_string_value(v));
        for (size_t k = 0; k < h; k++)
            if (strcmp(hs->hosts[k].url, json_string_value(v)) == 0)
                return cfg_fail(p, &up, "hosts[%zu] (%s) has the node %s already; give each "
                                        "host's node its own address.",
                                k, hs->hosts[k].name, json_string_value(v));
        rig_strlcpy(hs->hosts[h].url, json_string_value(v), sizeof hs->hosts[h].url);
        path_t dp = cfg_path_key(&at, "devices");
        TRY(cfg_expect(p, &dp, json_object_get(jh, "devices"), KIND_ARRAY));
        const json_t *sim = json_object_get(jh, "sim");
        if (sim) {
            path_t sp = cfg_path_key(&at, "sim");
            TRY(cfg_expect(p, &sp, sim, KIND_OBJECT));
            static const char *const own[] = {"anchor", "host_clock"};
            for (size_t r = 0; r < RIG_ARRAY_SIZE(own); r++)
                if (json_object_get(sim, own[r])) {
                    path_t kp = cfg_path_key(&sp, own[r]);
                    return cfg_fail_key(p, &kp,
                                        "a rig over several hosts sets sim.%s itself (every host "
                                        "on the same clocks); remove it.",
                                        own[r]);
                }
        }
        ndev += json_array_size(json_object_get(jh, "devices"));
    }
    hdev_t *devs = calloc(ndev ? ndev : 1, sizeof *devs);
    if (!devs)
        return cfg_out_of_memory(p->diag);
    *devs_out = devs;
    *ndev_out = ndev;
    size_t k = 0;
    for (size_t h = 0; h < n; h++) {
        const json_t *jd = json_object_get(json_array_get(jhosts, h), "devices");
        for (size_t i = 0; i < json_array_size(jd); i++, k++) {
            read_device(json_array_get(jd, i), &devs[k]);
            devs[k].host = h;
            devs[k].index = i;
            for (size_t j = 0; devs[k].serial && j < k; j++) {
                if (!devs[j].serial || strcmp(devs[j].serial, devs[k].serial) != 0)
                    continue;
                path_t at = cfg_path_index(&hp, h);
                at = cfg_path_key(&at, "devices");
                at = cfg_path_index(&at, i);
                at = cfg_path_key(&at, devs[k].serial_key);
                return cfg_fail(p, &at,
                                "serial %s is on host %s already (hosts[%zu].devices[%zu]); a "
                                "serial number names one camera: correct one of them.",
                                devs[k].serial, hs->hosts[devs[j].host].name, devs[j].host,
                                devs[j].index);
            }
        }
    }
    TRY(check_hubs(p, root, devs, ndev, hs));
    return check_fed(p, root, devs, ndev, hs);
}

static rig_error_t parse_text(const char *text, size_t len, const char *name, rig_hosts_t **out,
                              rig_config_diag_t *diag)
{
    rig_hosts_t *hs = calloc(1, sizeof *hs);
    json_t *root = NULL;
    hdev_t *devs = NULL;
    size_t ndev = 0;
    parser_t p = {.text = text, .len = len, .diag = diag, .index = NULL};
    rig_error_t rc;
    if (!hs) {
        rc = cfg_out_of_memory(diag);
        goto done;
    }
    rig_strlcpy(hs->source, name, sizeof hs->source);
    json_error_t err;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        rc = syntax_error(diag, &err);
        goto done;
    }
    p.index = rig_json_index_create(text, len);
    rc = check_hosts(&p, root, hs, &devs, &ndev);
    for (size_t h = 0; rc == RIG_OK && h < hs->nhosts; h++) {
        hs->hosts[h].config_text =
            hosts_host_config_text(root, h, devs, ndev, json_object_get(root, "hubs"));
        if (!hs->hosts[h].config_text) {
            rc = cfg_out_of_memory(diag);
            break;
        }
        rig_config_t *c = NULL;
        char cname[300];
        rig_fmt(cname, sizeof cname, "%s (host %s)", name, hs->hosts[h].name);
        rc = rig_config_parse(hs->hosts[h].config_text, cname, &c, diag);
        if (rc == RIG_ERROR_CONFIG)
            remap_diag(hs, text, len, h, diag);
        rig_config_destroy(c);
    }
    if (rc == RIG_OK) {
        char *rt = hosts_rig_config_text(root);
        rc = rt ? rig_config_parse(rt, name, &hs->rig, diag) : cfg_out_of_memory(diag);
        free(rt);
        hs->dev_host = calloc(ndev ? ndev : 1, sizeof *hs->dev_host);
        if (rc == RIG_OK && !hs->dev_host)
            rc = cfg_out_of_memory(diag);
        for (size_t i = 0; rc == RIG_OK && i < ndev; i++) {
            hs->dev_host[i] = devs[i].host;
            if (devs[i].index == 0)
                hs->hosts[devs[i].host].first = i;
            hs->hosts[devs[i].host].count++;
        }
        if (rc == RIG_ERROR_CONFIG) /* a whole-rig check the hosts alone passed */
            rig_strlcpy(diag->file, name, sizeof diag->file);
    }
done:
    rig_json_index_destroy(p.index);
    json_decref(root);
    free(devs);
    if (rc != RIG_OK) {
        rig_hosts_destroy(hs);
        hs = NULL;
    }
    *out = hs;
    return rc;
}

/* The entry points' common start: diag cleared and named after the file, *out NULL; false (with
 * the error in diag) when an argument is missing. */
static bool entry_begin(rig_config_diag_t *diag, const char *file, rig_hosts_t **out,
                        bool have_input, const char *func, const char *input)
{
    memset(diag, 0, sizeof *diag);
    rig_strlcpy(diag->file, file ? file : "<hosts>", sizeof diag->file);
    if (out)
        *out = NULL;
    if (have_input && out)
        return true;
    diag->code = RIG_ERROR_INVALID_ARGUMENT;
    rig_fmt(diag->message, sizeof diag->message,
            "%s needs %s and an output pointer; pass non-NULL values.", func, input);
    return false;
}

rig_error_t rig_hosts_parse(const char *text, const char *name, rig_hosts_t **out,
                            rig_config_diag_t *diag)
{
    rig_config_diag_t local;
    if (!diag)
        diag = &local;
    if (!entry_begin(diag, name, out, text != NULL, "rig_hosts_parse", "the text"))
        return RIG_ERROR_INVALID_ARGUMENT;
    return parse_text(text, strlen(text), diag->file, out, diag);
}

rig_error_t rig_hosts_load(const char *path, rig_hosts_t **out, rig_config_diag_t *diag)
{
    rig_config_diag_t local;
    if (!diag)
        diag = &local;
    if (!entry_begin(diag, path, out, path != NULL, "rig_hosts_load", "a path"))
        return RIG_ERROR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag->code = RIG_ERROR_IO;
        rig_fmt(diag->message, sizeof diag->message,
                "cannot open hosts file \"%s\": %s; check the path and its permissions.", path,
                strerror(errno));
        return RIG_ERROR_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bool bad = false;
    for (;;) {
        if (len == cap) {
            char *nb = cap <= HOSTS_FILE_MAX ? realloc(buf, (cap ? cap * 2 : 4096) + 1) : NULL;
            if (!nb) {
                bad = true;
                break;
            }
            buf = nb;
            cap = cap ? cap * 2 : 4096;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            bad = ferror(f) != 0;
            break;
        }
    }
    bad |= len > HOSTS_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        diag->code = RIG_ERROR_IO;
        rig_fmt(diag->message, sizeof diag->message,
                "cannot read hosts file \"%s\" (unreadable or over 64 MiB); check the path.",
                path);
        return diag->code;
    }
    buf[len] = '\0';
    rig_error_t rc = parse_text(buf, len, path, out, diag);
    free(buf);
    return rc;
}

void rig_hosts_destroy(rig_hosts_t *hs)
{
    if (!hs)
        return;
    for (size_t h = 0; hs->hosts && h < hs->nhosts; h++)
        free(hs->hosts[h].config_text);
    free(hs->hosts);
    free(hs->dev_host);
    rig_config_destroy(hs->rig);
    free(hs);
}

const char *rig_hosts_source(const rig_hosts_t *hs) { return hs ? hs->source : ""; }
size_t rig_hosts_count(const rig_hosts_t *hs) { return hs ? hs->nhosts : 0; }

int rig_hosts_find(const rig_hosts_t *hs, const char *name)
{
    for (size_t h = 0; hs && name && h < hs->nhosts; h++)
        if (strcmp(hs->hosts[h].name, name) == 0)
            return (int)h;
    return -1;
}

const char *rig_hosts_name(const rig_hosts_t *hs, size_t h)
{
    return hs && h < hs->nhosts ? hs->hosts[h].name : NULL;
}

const char *rig_hosts_node_url(const rig_hosts_t *hs, size_t h)
{
    return hs && h < hs->nhosts ? hs->hosts[h].url : NULL;
}

const rig_config_t *rig_hosts_rig_config(const rig_hosts_t *hs) { return hs ? hs->rig : NULL; }

size_t rig_hosts_device_host(const rig_hosts_t *hs, size_t index)
{
    return hs && index < hs->rig->device_count ? hs->dev_host[index] : SIZE_MAX;
}

void rig_hosts_host_devices(const rig_hosts_t *hs, size_t h, size_t *first, size_t *count)
{
    *first = hs && h < hs->nhosts ? hs->hosts[h].first : 0;
    *count = hs && h < hs->nhosts ? hs->hosts[h].count : 0;
}

const char *rig_hosts_host_config_text(const rig_hosts_t *hs, size_t h)
{
    return hs && h < hs->nhosts ? hs->hosts[h].config_text : NULL;
}

rig_error_t rig_hosts_host_config(const rig_hosts_t *hs, size_t h, rig_config_t **out,
                                  rig_config_diag_t *diag)
{
    if (!hs || h >= hs->nhosts || !out)
        return RIG_ERROR_INVALID_ARGUMENT;
    char name[300];
    rig_fmt(name, sizeof name, "%s (host %s)", hs->source, hs->hosts[h].name);
    return rig_config_parse(hs->hosts[h].config_text, name, out, diag);
}

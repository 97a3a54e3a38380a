/* The hosts file (rigsync/hosts.h): a good file gives each host's one-host config (the hub's
 * generator at the remote primary's true rate, the anchor, the host clock) and the whole rig;
 * every error names file:line:column, the field and the fix. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config_internal.h"
#include "rigsync/hosts.h"

/* Single quotes stand for double quotes (readable C strings). */
static char *dq(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

static const char *good =
    "{\n"
    "  'hosts': [\n"
    "    { 'name': 'stage-a', 'node': 'tcp://10.77.0.1:7100',\n"
    "      'devices': [\n"
    "        { 'serial_number': 'A1', 'config': { 'mode': 'PRIMARY', 'trigger_out_enable': true } },\n"
    "        { 'serial_number': 'A2', 'config': { 'mode': 'SECONDARY' } }\n"
    "      ],\n"
    "      'sim': { 'devices': [ { 'serial_number': 'A1', 'ppm': 40, 'rate_offset_ppm': 100 },\n"
    "                            { 'serial_number': 'A2' } ] } },\n"
    "    { 'name': 'stage-b', 'node': 'tcp://10.77.0.2:7100',\n"
    "      'devices': [\n"
    "        { 'serial_number': 'B1', 'config': { 'mode': 'SECONDARY' } },\n"
    "        { 'sn': 'B2', 'syncConfig': { 'syncMode': 'SECONDARY', 'depthDelayUs': 160 } }\n"
    "      ] },\n"
    "    { 'name': 'stage-c', 'node': 'tcp://10.77.0.3:7100',\n"
    "      'devices': [ { 'serial_number': 'C1', 'config': { 'mode': 'STANDALONE' } } ] }\n"
    "  ],\n"
    "  'hubs': [ { 'from': 'A1', 'to': ['B1', 'B2'], 'hub_delay_ns': 0 } ],\n"
    "  'streams': { 'depth': { 'fps': 15 }, 'color': { 'fps': 15 } }\n"
    "}\n";

static rig_error_t parse(const char *text, rig_hosts_t **h, rig_config_diag_t *d)
{
    char *t = dq(text);
    rig_error_t e = rig_hosts_parse(t, "rig.json", h, d);
    free(t);
    return e;
}

static void test_good_file(void **state)
{
    (void)state;
    rig_hosts_t *h = NULL;
    rig_config_diag_t d;
    assert_int_equal(parse(good, &h, &d), RIG_OK);
    assert_int_equal(rig_hosts_count(h), 3);
    assert_string_equal(rig_hosts_name(h, 1), "stage-b");
    assert_string_equal(rig_hosts_node_url(h, 2), "tcp://10.77.0.3:7100");
    assert_int_equal(rig_hosts_find(h, "stage-c"), 2);
    assert_int_equal(rig_hosts_find(h, "stage-x"), -1);
    /* the whole rig: host order, then device order */
    const rig_config_t *rig = rig_hosts_rig_config(h);
    assert_int_equal(rig_config_device_count(rig), 5);
    const char *order[] = {"A1", "A2", "B1", "B2", "C1"};
    size_t host_of[] = {0, 0, 1, 1, 2};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(rig_config_device_serial(rig, i), order[i]);
        assert_int_equal(rig_hosts_device_host(h, i), host_of[i]);
    }
    size_t first, count;
    rig_hosts_host_devices(h, 1, &first, &count);
    assert_int_equal(first, 2);
    assert_int_equal(count, 2);
    rig_sync_config_t s;
    assert_int_equal(rig_config_device_sync(rig, 3, &s), RIG_OK);
    assert_int_equal(s.depth_delay_us, 160);

    /* stage-b: a generator at A1's true rate feeding the hub's devices; anchored, realtime */
    rig_config_t *b = NULL;
    assert_int_equal(rig_hosts_host_config(h, 1, &b, &d), RIG_OK);
    assert_int_equal(rig_config_device_count(b), 2);
    const rig_sim_spec_t *sim = rig_config_sim(b);
    double want = 15.0 * (1 + 40e-6) * (1 + 100e-6);
    assert_true(fabs(sim->generator_hz - want) < 1e-9);
    assert_int_equal(sim->generator_count, 2);
    assert_string_equal(sim->devices[sim->generator_to[0]].serial, "B1");
    assert_string_equal(sim->devices[sim->generator_to[1]].serial, "B2");
    assert_int_equal(sim->anchor, RIG_SIM_ANCHOR_MONOTONIC);
    assert_int_equal(sim->host_clock, RIG_SIM_HOST_CLOCK_REALTIME);
    assert_true(sim->drift_walk_ppm_per_sqrt_hour == 0);
    assert_int_equal(rig_config_stream_profile(b, RIG_STREAM_DEPTH).fps, 15);
    rig_config_destroy(b);

    /* stage-a: its own rig, anchored too, no generator */
    rig_config_t *a = NULL;
    assert_int_equal(rig_hosts_host_config(h, 0, &a, &d), RIG_OK);
    sim = rig_config_sim(a);
    assert_true(sim->generator_hz == 0);
    assert_int_equal(sim->anchor, RIG_SIM_ANCHOR_MONOTONIC);
    assert_int_equal(sim->host_clock, RIG_SIM_HOST_CLOCK_REALTIME);
    assert_true(fabs(sim->devices[0].ppm - 40) < 1e-12);
    rig_config_destroy(a);
    assert_int_equal(rig_hosts_host_config(h, 3, &a, &d), RIG_ERROR_INVALID_ARGUMENT);
    rig_hosts_destroy(h);
}

/* A primary with no sim entry (ppm, rate 0) and no streams: 30 Hz exactly. */
static void test_generator_defaults(void **state)
{
    (void)state;
    const char *text =
        "{ 'hosts': [\n"
        "  { 'name': 'a', 'node': 'tcp://h1:1', 'devices': [ { 'serial_number': 'P', 'config': "
        "{ 'mode': 'PRIMARY' } } ] },\n"
        "  { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { 'serial_number': 'S', 'config': "
        "{ 'mode': 'SECONDARY' } } ] } ],\n"
        "  'hubs': [ { 'from': 'P', 'to': ['S'] } ] }";
    rig_hosts_t *h = NULL;
    rig_config_diag_t d;
    assert_int_equal(parse(text, &h, &d), RIG_OK);
    rig_config_t *b = NULL;
    assert_int_equal(rig_hosts_host_config(h, 1, &b, &d), RIG_OK);
    assert_true(rig_config_sim(b)->generator_hz == 30.0);
    /* the hub feeds each of b's devices: no daisy chain on top */
    assert_int_equal(rig_config_sim(b)->wiring, RIG_SIM_WIRING_NONE);
    rig_config_destroy(b);
    /* the primary simulated at the rate b's generator assumes: no random crystal */
    rig_config_t *a = NULL;
    assert_int_equal(rig_hosts_host_config(h, 0, &a, &d), RIG_OK);
    const rig_sim_spec_t *sim = rig_config_sim(a);
    assert_int_equal(sim->device_count, 1);
    assert_true(sim->devices[0].has_ppm && sim->devices[0].ppm == 0);
    assert_true(sim->devices[0].has_rate_offset && sim->devices[0].rate_offset_ppm == 0);
    assert_int_equal(sim->wiring, RIG_SIM_WIRING_DAISY_CHAIN);
    rig_config_destroy(a);
    rig_hosts_destroy(h);
}

typedef struct bad_case {
    const char *text;
    const char *at; /* the error points at the last occurrence of this text ("" = 1:1) */
    const char *field;
    const char *message; /* a part of it */
} bad_case_t;

#define HOST_A "{ 'name': 'a', 'node': 'tcp://h1:7100', 'devices': [ { 'serial_number': 'P', " \
               "'config': { 'mode': 'PRIMARY' } } ] }"

static const bad_case_t bad[] = {
    /* structure */
    {"{ 'hosts': [] }", "[]", "hosts", "0 hosts; list 1 to 256 hosts"},
    {"{ 'hubs': [] }", "", "hosts", "a hosts file lists its hosts"},
    {"{ 'hosts': [" HOST_A "], 'hostz': 1 }", "'hostz'", "hostz", "unknown key \"hostz\""},
    {"{ 'hosts': [ { 'node': 'tcp://h:1', 'devices': [] } ] }", "{ 'node'", "hosts[0].name",
     "a host needs \"name\""},
    {"{ 'hosts': [ { 'name': 'a b', 'node': 'tcp://h:1', 'devices': [] } ] }", "'a b'", "hosts[0].name", "\"a b\" is no host name"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'a', 'node': 'tcp://h2:1', 'devices': [] } ] }", "'a', 'node': 'tcp://h2:1'", "hosts[1].name", "hosts[0] has the name \"a\" already"},
    {"{ 'hosts': [ { 'name': 'a', 'node': 'http://h:1', 'devices': [] } ] }", "'http://h:1'", "hosts[0].node", "\"http://h:1\" is no node address"},
    {"{ 'hosts': [ { 'name': 'a', 'node': 'tcp://h:0', 'devices': [] } ] }", "'tcp://h:0'", "hosts[0].node", "give tcp://ADDR:PORT with a port from 1 to 65535"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h1:7100', 'devices': [] } ] }", "'tcp://h1:7100', 'devices': []", "hosts[1].node", "hosts[0] (a) has the node tcp://h1:7100 already"},
    {"{ 'hosts': [ { 'name': 'a', 'node': 'tcp://h:1', 'devices': [], 'sim': { 'anchor': "
     "'none' } } ] }",
     "'anchor'", "hosts[0].sim.anchor", "sets sim.anchor itself"},
    /* serials across hosts */
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'P', 'config': { 'mode': 'STANDALONE' } } ] } ] }",
     "'P', 'config': { 'mode': 'STANDALONE'", "hosts[1].devices[0].serial_number", "serial P is on host a already"},
    /* a one-host check, moved to the hosts file */
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY', 'depth_delay_us': 99999999 } } ] "
     "} ],\n 'hubs': [ { 'from': 'P', 'to': ['Q'] } ] }",
     "99999999", "hosts[1].devices[0].config.depth_delay_us", "host b: "},
    {"{ 'hosts': [ { 'name': 'a', 'node': 'tcp://h:1', 'devices': [ { 'serial_number': 'P', "
     "'config': { 'mode': 'PRIMARY', 'colour': 1 } } ] } ] }",
     "'colour'", "hosts[0].devices[0].config.colour", "unknown key \"colour\""},
    {"{ 'hosts': [ { 'name': 'a', 'node': 'tcp://h:1', 'devices': [ { 'serial_number': 'P', "
     "'config': { 'mode': 'PRIMARY' } } ],\n 'sim': { 'seed': -1 } } ] }",
     "-1", "hosts[0].sim.seed", "host a: "},
    /* secondaries without pulses, hubs */
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ] }",
     "{ 'serial_number': 'Q'", "hosts[1].devices[0]", "no hub feeds it"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'Q', 'to': ['P'] } ] }",
     "'Q', 'to'", "hubs[0].from", "it emits no pulses for the hub"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'X', 'to': ['Q'] } ] }",
     "'X'", "hubs[0].from", "no host has a device with serial \"X\""},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'P', 'to': ['Q', 'Z'] } ] }",
     "'Z'", "hubs[0].to[1]", "no host has a device with serial \"Z\""},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'P', 'to': ['Q'] }, { 'from': 'P', 'to': ['Q'] } ] }",
     "'Q'] } ] }", "hubs[1].to[0]", "Q is fed by hubs[0] already"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'P', 'to': ['Q'], 'hub_delay_ns': 5000 } ] }",
     "5000", "hubs[0].hub_delay_ns", "outside the allowed range"},
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ] } ],\n 'hubs': [ { 'from': "
     "'P', 'to': ['Q'], 'cable': 1 } ] }",
     "'cable'", "hubs[0].cable", "unknown key \"cable\""},
    /* the generator of a hub and the host's own: one source per sync-in */
    {"{ 'hosts': [" HOST_A ",\n { 'name': 'b', 'node': 'tcp://h2:1', 'devices': [ { "
     "'serial_number': 'Q', 'config': { 'mode': 'SECONDARY' } } ],\n 'sim': { "
     "'signal_generator': { 'hz': 10, 'to': ['Q'] } } } ],\n 'hubs': [ { 'from': 'P', 'to': "
     "['Q'] } ] }",
     "'signal_generator'", "hosts[1].sim.signal_generator",
     "whose simulated rig is made from them: remove its sim.signal_generator"},
    /* syntax */
    {"{ 'hosts': [ }", "}", "", "not valid JSON"},
};

/* Line and column of the last occurrence of `at` in text (single quotes stand for double). */
static void position(const char *text, const char *at, int *line, int *column)
{
    char *t = dq(text), *a = dq(at), *hit = NULL;
    for (char *p = t; *a && (p = strstr(p, a)) != NULL; p++)
        hit = p;
    *line = 1;
    *column = 1;
    for (char *p = t; hit && p < hit; p++) {
        if (*p == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
    free(t);
    free(a);
}

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rig_hosts_t *h = (rig_hosts_t *)1;
        rig_config_diag_t d;
        rig_error_t e = parse(bad[i].text, &h, &d);
        char buf[2048];
        rig_config_diag_format(&d, buf, sizeof buf);
        int line = 1, column = 1;
        position(bad[i].text, bad[i].at, &line, &column);
        print_message("case %zu: %s (expected %d:%d)\n", i, buf, line, column);
        assert_int_equal(e, RIG_ERROR_CONFIG);
        assert_null(h);
        assert_string_equal(d.file, "rig.json");
        assert_string_equal(d.field, bad[i].field);
        assert_non_null(strstr(d.message, bad[i].message));
        assert_int_equal(d.line, line);
        assert_int_equal(d.column, column);
    }
}

static void test_load_missing_file(void **state)
{
    (void)state;
    rig_hosts_t *h = (rig_hosts_t *)1;
    rig_config_diag_t d;
    assert_int_equal(rig_hosts_load("/nonexistent/hosts.json", &h, &d), RIG_ERROR_IO);
    assert_null(h);
    assert_non_null(strstr(d.message, "cannot open hosts file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_generator_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

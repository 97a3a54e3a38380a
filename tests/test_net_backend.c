/*
 * The net backend (rigsync/net.h) against a test publisher on 127.0.0.1 (NNG PUB, messages
 * encoded with src/net/wire.c): frames arrive with their serial, stream and index, and global
 * timestamps equal to what a clock estimator fed the same CLOCK samples maps; a sequence gap of
 * N is counted exactly and told as an event; the node's drops come from its HEARTBEATs; a
 * silence over 1 s makes the host's devices GONE with its name; when it speaks again they come
 * BACK; no frame is delivered twice. Real time, generous bounds, deterministic assertions.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/supplemental/util/platform.h>

#include "clock/clock.h"
#include "common/util.h"
#include "net/wire.h"
#include "rigsync/hosts.h"
#include "rigsync/net.h"
#include "rigsync/sim.h"

#define MAXF 512
#define MAXE 64

typedef struct got_frame {
    size_t device;
    int stream;
    uint64_t index;
    int64_t device_ts, host_ts, global_ts;
    char serial[64];
    uint64_t trigger_seq;
} got_frame_t;

typedef struct fixture {
    nng_socket pub;
    uint64_t seq;
    pthread_mutex_t lock;
    got_frame_t frames[MAXF];
    size_t nframes;
    rig_device_event_t events[MAXE];
    size_t nevents;
    rig_hosts_t *hosts;
    rig_context_t *ctx;
    rig_device_t *dev[2];
    bool hello_stop;
    /* batching (the node's --batch-us): publish appends here, send_batch sends it at once */
    bool batching;
    uint8_t batch[65536];
    size_t batch_len;
} fixture_t;

static void publish(fixture_t *fx, rig_wire_msg_t *m)
{
    m->node_id = 42;
    uint8_t buf[65536];
    size_t len = 0;
    assert_int_equal(rig_wire_encode(m, buf, sizeof buf, &len), RIG_OK);
    rig_wire_set_seq(buf, len, fx->seq++);
    if (fx->batching) {
        assert_true(len <= sizeof fx->batch - fx->batch_len);
        memcpy(fx->batch + fx->batch_len, buf, len);
        fx->batch_len += len;
        return;
    }
    assert_int_equal(nng_send(fx->pub, buf, len, 0), 0);
    nng_msleep(1); /* the subscriber reads as fast; a little air for a loaded machine */
}

static void hello(fixture_t *fx)
{
    static rig_wire_msg_t m;
    memset(&m, 0, sizeof m);
    m.type = RIG_WIRE_HELLO;
    m.u.hello.protocol = RIG_WIRE_VERSION;
    strcpy(m.u.hello.host, "stage-x");
    m.u.hello.device_count = 2;
    const char *serials[] = {"P", "S"};
    for (int i = 0; i < 2; i++) {
        strcpy(m.u.hello.devices[i].serial, serials[i]);
        strcpy(m.u.hello.devices[i].model, "Test Cam");
        m.u.hello.devices[i].sync = rig_sync_config_default();
        m.u.hello.devices[i].sync.mode = i ? RIG_SYNC_MODE_SECONDARY : RIG_SYNC_MODE_PRIMARY;
        m.u.hello.devices[i].sync.trigger_out_enable = i == 0;
    }
    publish(fx, &m);
}

static void *hello_main(void *arg)
{
    fixture_t *fx = arg;
    for (;;) {
        pthread_mutex_lock(&fx->lock);
        bool stop = fx->hello_stop;
        pthread_mutex_unlock(&fx->lock);
        if (stop)
            break;
        hello(fx);
        nng_msleep(20);
    }
    return NULL;
}

/* The device clocks: device k's counter at host time h. */
static int64_t dev_clock(int k, int64_t h)
{
    double ppm = k ? -35.0 : 80.0;
    return (int64_t)((double)h * (1 + ppm * 1e-6)) + (k ? 5000000 : 123456789);
}

static void clock_sample(fixture_t *fx, int k, int64_t before, rig_clock_t *ref)
{
    rig_wire_msg_t m;
    memset(&m, 0, sizeof m);
    m.type = RIG_WIRE_CLOCK;
    m.u.clock.kind = RIG_CLOCK_EVENT_TWO_WAY;
    m.u.clock.device = (uint16_t)k;
    m.u.clock.host_before_us = before;
    m.u.clock.device_us = dev_clock(k, before + 100 + k * 7);
    m.u.clock.host_after_us = before + 230;
    rig_clock_add_two_way(ref, before, m.u.clock.device_us, before + 230);
    publish(fx, &m);
}

static void frame(fixture_t *fx, int k, int stream, uint64_t index, int64_t capture)
{
    rig_wire_msg_t m;
    memset(&m, 0, sizeof m);
    m.type = RIG_WIRE_FRAME;
    m.u.frame.device = (uint16_t)k;
    m.u.frame.stream = (uint8_t)stream;
    m.u.frame.index = index;
    m.u.frame.device_ts_us = dev_clock(k, capture);
    m.u.frame.host_ts_us = capture + 1800 + stream * 300;
    m.u.frame.global_ts_us = RIG_TS_NONE;
    m.u.frame.global_bound_us = INT64_MAX;
    m.u.frame.flags = RIG_WIRE_FRAME_TRUTH; /* node --truth */
    m.u.frame.trigger_seq = 1000 + index;
    m.u.frame.true_mono_us = capture - 7;
    publish(fx, &m);
}

static void heartbeat(fixture_t *fx, uint64_t dropped)
{
    rig_wire_msg_t m;
    memset(&m, 0, sizeof m);
    m.type = RIG_WIRE_HEARTBEAT;
    m.u.heartbeat.node_time_us = rig_realtime_us();
    m.u.heartbeat.dropped = dropped;
    publish(fx, &m);
}

/* Sends what publish gathered, plus `tail` (a malformed end: tail_len bytes), as one message. */
static void send_batch(fixture_t *fx, const void *tail, size_t tail_len)
{
    assert_true(tail_len <= sizeof fx->batch - fx->batch_len);
    if (tail_len)
        memcpy(fx->batch + fx->batch_len, tail, tail_len);
    assert_int_equal(nng_send(fx->pub, fx->batch, fx->batch_len + tail_len, 0), 0);
    fx->batch_len = 0;
    fx->batching = false;
}

static void on_frame(rig_frame_t *f, void *user)
{
    fixture_t *fx = user;
    pthread_mutex_lock(&fx->lock);
    if (fx->nframes < MAXF) {
        got_frame_t *g = &fx->frames[fx->nframes++];
        g->device = rig_frame_device_index(f);
        g->stream = rig_frame_stream(f);
        g->index = rig_frame_index(f);
        g->device_ts = rig_frame_device_ts_us(f);
        g->host_ts = rig_frame_host_ts_us(f);
        g->global_ts = rig_frame_global_ts_us(f);
        rig_strlcpy(g->serial, rig_frame_serial(f), sizeof g->serial);
        rig_sim_truth_t t;
        g->trigger_seq = rig_sim_frame_truth(f, &t) == RIG_OK ? t.trigger_seq : 0;
    }
    pthread_mutex_unlock(&fx->lock);
}

static void on_event(const rig_device_event_t *ev, void *user)
{
    fixture_t *fx = user;
    pthread_mutex_lock(&fx->lock);
    if (fx->nevents < MAXE)
        fx->events[fx->nevents++] = *ev;
    pthread_mutex_unlock(&fx->lock);
}

/* Waits (10 s at most) until `what` counts at least n. */
static size_t wait_count(fixture_t *fx, size_t *what, size_t n)
{
    size_t got = 0;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&fx->lock);
        got = *what;
        pthread_mutex_unlock(&fx->lock);
        if (got >= n)
            break;
        nng_msleep(10);
    }
    return got;
}

static size_t count_events(fixture_t *fx, rig_device_event_kind_t kind, const char *part)
{
    size_t n = 0;
    pthread_mutex_lock(&fx->lock);
    for (size_t i = 0; i < fx->nevents; i++)
        n += fx->events[i].kind == kind && (!part || strstr(fx->events[i].detail, part));
    pthread_mutex_unlock(&fx->lock);
    return n;
}

static void test_net_backend(void **state)
{
    (void)state;
    static fixture_t fx_;
    fixture_t *fx = &fx_;
    memset(fx, 0, sizeof *fx);
    pthread_mutex_init(&fx->lock, NULL);
    assert_int_equal(nng_pub0_open(&fx->pub), 0);
    nng_listener l;
    assert_int_equal(nng_listen(fx->pub, "tcp://127.0.0.1:0", &l, 0), 0);
    nng_sockaddr sa;
    assert_int_equal(nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa), 0);
    const uint8_t *pp = (const uint8_t *)&sa.s_in.sa_port;
    char text[1024];
    snprintf(text, sizeof text,
             "{\"hosts\": [{\"name\": \"stage-x\", \"node\": \"tcp://127.0.0.1:%u\", "
             "\"devices\": [{\"serial_number\": \"P\", \"config\": {\"mode\": \"PRIMARY\", "
             "\"trigger_out_enable\": true}}, {\"serial_number\": \"S\", \"config\": {\"mode\": "
             "\"SECONDARY\"}}]}]}",
             (unsigned)pp[0] << 8 | pp[1]);
    rig_config_diag_t d;
    assert_int_equal(rig_hosts_parse(text, "net.json", &fx->hosts, &d), RIG_OK);

    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, hello_main, fx), 0);
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "net";
    o.hosts = fx->hosts;
    assert_int_equal(rig_context_create(&o, &fx->ctx), RIG_OK);
    pthread_mutex_lock(&fx->lock);
    fx->hello_stop = true;
    pthread_mutex_unlock(&fx->lock);
    pthread_join(th, NULL);

    size_t n = 0;
    assert_int_equal(rig_context_device_count(fx->ctx, &n), RIG_OK);
    assert_int_equal(n, 2);
    rig_device_info_t info;
    assert_int_equal(rig_context_device_info(fx->ctx, 1, &info), RIG_OK);
    assert_string_equal(info.serial, "S");
    assert_string_equal(info.model, "Test Cam");
    rig_context_set_frame_callback(fx->ctx, on_frame, fx);
    rig_context_set_device_event_callback(fx->ctx, on_event, fx);
    assert_int_equal(rig_device_open(fx->ctx, "P", &fx->dev[0]), RIG_OK);
    assert_int_equal(rig_device_open(fx->ctx, "S", &fx->dev[1]), RIG_OK);
    /* the node's config is what get_sync reads; another one is refused naming host and field */
    rig_sync_config_t sc;
    assert_int_equal(rig_device_get_sync_config(fx->dev[1], &sc), RIG_OK);
    assert_int_equal(sc.mode, RIG_SYNC_MODE_SECONDARY);
    sc.depth_delay_us = 100;
    assert_int_not_equal(rig_device_set_sync_config(fx->dev[1], &sc, NULL), RIG_OK);
    char err[512];
    rig_context_last_error(fx->ctx, err, sizeof err);
    assert_non_null(strstr(err, "host stage-x, device S: its node runs depth_delay_us 0, the "
                                "hosts file says 100"));
    for (int k = 0; k < 2; k++)
        assert_int_equal(rig_device_start(fx->dev[k], NULL, NULL), RIG_OK);

    /* clock samples, then frames: global timestamps as an estimator fed the same maps them */
    rig_clock_params_t cp;
    rig_clock_params_default(&cp);
    rig_clock_t *ref[2] = {rig_clock_create(&cp), rig_clock_create(&cp)};
    int64_t t0 = rig_realtime_us() - 2000000;
    for (int i = 0; i < 20; i++)
        for (int k = 0; k < 2; k++)
            clock_sample(fx, k, t0 + i * 33333 + k * 1000, ref[k]);
    size_t sent = 0;
    int64_t capture[32];
    for (uint64_t i = 0; i < 10; i++) {
        capture[i] = t0 + 700000 + (int64_t)i * 33333;
        for (int k = 0; k < 2; k++)
            for (int s = 0; s < 2; s++, sent++)
                frame(fx, k, s, i, capture[i]);
    }
    assert_int_equal(wait_count(fx, &fx->nframes, sent), sent);
    for (size_t i = 0; i < sent; i++) {
        got_frame_t *g = &fx->frames[i];
        int k = (int)g->device;
        assert_string_equal(g->serial, k ? "S" : "P");
        assert_int_equal(g->index, (i / 4));
        assert_int_equal(g->trigger_seq, 1000 + g->index);
        assert_int_equal(g->stream, (int)(i % 2));
        int64_t want = RIG_TS_NONE, bound;
        assert_true(rig_clock_frame(ref[k], (unsigned)g->stream, g->index, g->device_ts,
                                    g->host_ts, &want, &bound));
        assert_int_equal(g->global_ts, want);
        assert_true(llabs(g->global_ts - capture[g->index]) < 2000);
    }
    rig_clock_destroy(ref[0]);
    rig_clock_destroy(ref[1]);

    /* a gap of 37 messages; color of P skips 3 indices across it, then a camera drop of 1
     * (no gap): only the 3 are the link's */
    fx->seq += 37;
    frame(fx, 0, 0, 13, t0 + 700000 + 13 * 33333);
    frame(fx, 0, 0, 15, t0 + 700000 + 15 * 33333);
    heartbeat(fx, 5);
    heartbeat(fx, 7);
    sent += 2;
    assert_int_equal(wait_count(fx, &fx->nframes, sent), sent);
    rig_net_host_stats_t hs;
    for (int i = 0; i < 500; i++) {
        assert_int_equal(rig_net_host_stats(fx->ctx, 0, &hs), RIG_OK);
        if (hs.node_dropped == 7)
            break;
        nng_msleep(10);
    }
    assert_string_equal(hs.name, "stage-x");
    assert_int_equal(hs.link, RIG_NET_LINK_UP);
    assert_int_equal(hs.lost_messages, 37);
    assert_int_equal(hs.lost_frames, 3);
    assert_int_equal(hs.node_dropped, 7);
    assert_int_equal(hs.frames, sent);
    assert_int_equal(hs.outages, 0);
    assert_int_equal(count_events(fx, RIG_DEVICE_EVENT_LINK_LOSS,
                                  "stage-x: 37 messages lost on the link (sequence gaps)"),
                     1);
    assert_true(hs.latency_max_us >= 1000000); /* the frames were stamped 1.3 s ago or more */

    /* silence: both devices GONE, naming the host */
    size_t *nev = &fx->nevents;
    size_t before = *nev;
    assert_int_equal(wait_count(fx, nev, before + 2), before + 2);
    assert_int_equal(count_events(fx, RIG_DEVICE_EVENT_GONE,
                                  "stage-x: no message for 1.0 s: node down or network "
                                  "partitioned"),
                     2);
    assert_int_equal(rig_net_host_stats(fx->ctx, 0, &hs), RIG_OK);
    assert_int_equal(hs.link, RIG_NET_LINK_SILENT);
    assert_int_equal(hs.outages, 1);
    assert_false(rig_device_present(fx->dev[0]));

    /* heard again: BACK through the arrival path, then frames numbered on */
    heartbeat(fx, 7);
    for (int i = 0; i < 1000 && count_events(fx, RIG_DEVICE_EVENT_RESTARTED, NULL) < 2; i++)
        nng_msleep(10);
    assert_int_equal(count_events(fx, RIG_DEVICE_EVENT_BACK, NULL), 2);
    assert_true(rig_device_present(fx->dev[0]) && rig_device_present(fx->dev[1]));
    size_t back_at = sent;
    for (uint64_t i = 16; i < 20; i++)
        for (int k = 0; k < 2; k++, sent++)
            frame(fx, k, 1, i, rig_realtime_us() - 5000);
    assert_int_equal(wait_count(fx, &fx->nframes, sent), sent);
    nng_msleep(200);
    pthread_mutex_lock(&fx->lock);
    assert_int_equal(fx->nframes, sent); /* nothing more: no duplicate */
    for (size_t i = back_at; i < sent; i++)
        assert_int_equal(fx->frames[i].index, 16 + (i - back_at) / 2);
    for (size_t i = 0; i < fx->nframes; i++)
        for (size_t j = 0; j < i; j++)
            assert_false(fx->frames[i].device == fx->frames[j].device &&
                         fx->frames[i].stream == fx->frames[j].stream &&
                         fx->frames[i].index == fx->frames[j].index);
    pthread_mutex_unlock(&fx->lock);
    assert_int_equal(rig_net_host_stats(fx->ctx, 0, &hs), RIG_OK);
    assert_int_equal(hs.link, RIG_NET_LINK_UP);
    assert_int_equal(hs.lost_messages, 37);
    assert_int_equal(hs.bad_messages, 0);

    /* one network message holding a batch of mixed types with a gap of 5 inside (depth of P
     * skips index 21 across it, S's does not) and a malformed tail: every message before the
     * tail accounted for on its own, the gap exact, the tail one bad message */
    uint64_t messages_before = hs.messages, lost_frames_before = hs.lost_frames;
    size_t batch_at = sent;
    fx->batching = true;
    frame(fx, 0, 1, 20, rig_realtime_us() - 5000);
    frame(fx, 1, 1, 20, rig_realtime_us() - 5000);
    heartbeat(fx, 9);
    fx->seq += 5;
    rig_clock_t *scratch = rig_clock_create(&cp);
    clock_sample(fx, 1, rig_realtime_us() - 3000, scratch);
    rig_clock_destroy(scratch);
    frame(fx, 0, 1, 22, rig_realtime_us() - 5000);
    frame(fx, 1, 1, 21, rig_realtime_us() - 5000);
    static const uint8_t tail[30] = {'R', 'S', 'Y', 'N', 1, 0, 2, 0, 42, 0, 0, 0, 200}; /* body
                                                                   of 200 bytes, 6 follow */
    send_batch(fx, tail, sizeof tail);
    sent += 4;
    assert_int_equal(wait_count(fx, &fx->nframes, sent), sent);
    for (int i = 0; i < 500; i++) {
        assert_int_equal(rig_net_host_stats(fx->ctx, 0, &hs), RIG_OK);
        if (hs.bad_messages == 1 && hs.node_dropped == 9)
            break;
        nng_msleep(10);
    }
    assert_int_equal(hs.messages, messages_before + 6);
    assert_int_equal(hs.bad_messages, 1);
    assert_int_equal(hs.lost_messages, 37 + 5);
    assert_int_equal(hs.lost_frames, lost_frames_before + 1);
    assert_int_equal(hs.node_dropped, 9);
    assert_int_equal(hs.frames, sent);
    assert_int_equal(hs.outages, 0 + 1);
    for (int i = 0; i < 300 && !count_events(fx, RIG_DEVICE_EVENT_LINK_LOSS, "5 messages"); i++)
        nng_msleep(10);
    assert_int_equal(count_events(fx, RIG_DEVICE_EVENT_LINK_LOSS,
                                  "stage-x: 5 messages lost on the link (sequence gaps)"),
                     1);
    static const uint64_t want_index[4] = {20, 20, 22, 21};
    pthread_mutex_lock(&fx->lock);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(fx->frames[batch_at + i].device, i % 2);
        assert_int_equal(fx->frames[batch_at + i].stream, 1);
        assert_int_equal(fx->frames[batch_at + i].index, want_index[i]);
    }
    pthread_mutex_unlock(&fx->lock);

    for (int k = 0; k < 2; k++)
        rig_device_close(fx->dev[k]);
    assert_int_equal(rig_context_destroy(fx->ctx), RIG_OK);
    rig_hosts_destroy(fx->hosts);
    nng_close(fx->pub);
    pthread_mutex_destroy(&fx->lock);
}

static void test_errors(void **state)
{
    (void)state;
    rig_context_options_t o;
    rig_context_options_init(&o);
    o.backend = "net";
    char detail[512] = "";
    o.error_detail = detail;
    o.error_detail_len = sizeof detail;
    rig_context_t *ctx = NULL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(detail, "rig_context_options_t.hosts"));
    rig_hosts_t *h = NULL;
    rig_config_diag_t d;
    assert_int_equal(rig_hosts_parse("{\"hosts\": [{\"name\": \"a\", \"node\": "
                                     "\"tcp://127.0.0.1:9\", \"devices\": [{\"serial_number\": "
                                     "\"P\", \"config\": {\"mode\": \"PRIMARY\"}}]}]}",
                                     "x.json", &h, &d),
                     RIG_OK);
    o.hosts = h;
    o.time_mode = RIG_TIME_VIRTUAL;
    assert_int_equal(rig_context_create(&o, &ctx), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(detail, "real time only"));
    assert_int_equal(rig_net_host_count(NULL), 0);
    rig_net_host_stats_t s;
    assert_int_equal(rig_net_host_stats(NULL, 0, &s), RIG_ERROR_UNSUPPORTED);
    rig_hosts_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_net_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The node wire format (src/net/wire.h): round trips, exact bytes, every truncation rejected,
 * bad versions, types, flags and lengths rejected with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/wire.h"

static uint8_t pixels[4 * 3 * 2]; /* RGB 4x2 with stride 12 */

static void sample(int type, rig_wire_msg_t *m)
{
    memset(m, 0, sizeof(*m));
    m->type = (uint8_t)type;
    m->node_id = 7;
    m->seq = 0x0102030405060708ull;
    switch (type) {
    case RIG_WIRE_HELLO:
        m->u.hello.protocol = RIG_WIRE_VERSION;
        strcpy(m->u.hello.host, "host-a");
        m->u.hello.device_count = 2;
        strcpy(m->u.hello.devices[0].serial, "CP3S34D00051");
        strcpy(m->u.hello.devices[0].model, "Femto Mega");
        m->u.hello.devices[0].sync = rig_sync_config_default();
        m->u.hello.devices[0].sync.mode = RIG_SYNC_MODE_PRIMARY;
        m->u.hello.devices[0].sync.depth_delay_us = -160;
        m->u.hello.devices[0].sync.trigger_out_enable = true;
        strcpy(m->u.hello.devices[1].serial, "CP3L44P00054");
        strcpy(m->u.hello.devices[1].model, "");
        m->u.hello.devices[1].sync = rig_sync_config_default();
        m->u.hello.devices[1].sync.mode = RIG_SYNC_MODE_SECONDARY;
        m->u.hello.devices[1].sync.frames_per_trigger = 3;
        break;
    case RIG_WIRE_FRAME:
        m->u.frame.device = 1;
        m->u.frame.stream = RIG_STREAM_DEPTH;
        m->u.frame.flags =
            RIG_WIRE_FRAME_INTERFERED | RIG_WIRE_FRAME_PIXELS | RIG_WIRE_FRAME_TRUTH;
        m->u.frame.index = 12345;
        m->u.frame.trigger_seq = 0x1122334455667788ull;
        m->u.frame.true_mono_us = -77;
        m->u.frame.device_ts_us = -5;
        m->u.frame.host_ts_us = 1795481963896114;
        m->u.frame.global_ts_us = RIG_TS_NONE;
        m->u.frame.global_bound_us = INT64_MAX;
        m->u.frame.format = RIG_FORMAT_RGB;
        m->u.frame.width = 4;
        m->u.frame.height = 2;
        m->u.frame.stride = 12;
        m->u.frame.data_size = sizeof pixels;
        m->u.frame.data = pixels;
        break;
    case RIG_WIRE_CLOCK:
        m->u.clock.kind = RIG_CLOCK_EVENT_TWO_WAY;
        m->u.clock.device = 3;
        m->u.clock.host_before_us = 100;
        m->u.clock.device_us = 150;
        m->u.clock.host_after_us = 200;
        break;
    case RIG_WIRE_EVENT:
        m->u.event.kind = RIG_DEVICE_EVENT_GONE;
        m->u.event.device = RIG_WIRE_DEVICE_NONE;
        m->u.event.host_ts_us = 42;
        strcpy(m->u.event.serial, "X\x01Y");
        strcpy(m->u.event.detail, "unplugged");
        break;
    case RIG_WIRE_PTP:
        m->u.ptp.offset_ns = -1234;
        m->u.ptp.servo_state = 2;
        m->u.ptp.port_state = 9;
        m->u.ptp.valid = 1;
        m->u.ptp.host_ts_us = 1795481963896114;
        m->u.ptp.mean_path_delay_ns = 5123;
        m->u.ptp.steps_removed = 1;
        m->u.ptp.gm_present = 1;
        memcpy(m->u.ptp.gm_identity, "\x00\x11\x22\xff\xfe\x33\x44\x55", 8);
        break;
    case RIG_WIRE_HEARTBEAT:
        m->u.heartbeat.node_time_us = 99;
        m->u.heartbeat.frames_published = 1000;
        m->u.heartbeat.dropped = 3;
        m->u.heartbeat.subscribers = 2;
        break;
    }
}

/* Body sizes by hand from the layout in wire.h. */
static size_t expected_size(int type)
{
    switch (type) {
    case RIG_WIRE_HELLO:
        /* protocol 2, host 2+6, count 2, per device: serial 2+12, model 2+len, mode and 3
         * delays 4*4, trigger out 1, its delay and frames per trigger 4*2 */
        return 24 + 2 + 8 + 2 + (14 + 2 + 10 + 25) + (14 + 2 + 0 + 25);
    case RIG_WIRE_FRAME:
        /* ... timestamps and bound 4*8, truth 8+8, pixels' header 1+4*4, the pixels */
        return 24 + 2 + 1 + 1 + 8 + 4 * 8 + 16 + 1 + 4 * 4 + sizeof pixels;
    case RIG_WIRE_CLOCK:
        return 24 + 1 + 2 + 3 * 8;
    case RIG_WIRE_EVENT:
        return 24 + 1 + 2 + 8 + (2 + 3) + (2 + 9);
    case RIG_WIRE_PTP:
        /* offset 8, servo, port, valid 3, host time 8, path delay 8, steps 2, gm present 1,
         * gm identity 8 */
        return 24 + 8 + 3 + 8 + 8 + 2 + 1 + 8;
    case RIG_WIRE_HEARTBEAT:
        return 24 + 8 + 8 + 8 + 4;
    }
    return 0;
}

static uint8_t *encode(const rig_wire_msg_t *m, size_t *len)
{
    size_t n = rig_wire_encoded_size(m);
    assert_true(n > 0);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    assert_int_equal(rig_wire_encode(m, buf, n, len), RIG_OK);
    assert_int_equal(*len, n);
    return buf;
}

static void test_round_trip_every_type(void **state)
{
    (void)state;
    for (int type = 1; type <= RIG_WIRE_TYPE_MAX; type++) {
        rig_wire_msg_t m, d;
        sample(type, &m);
        size_t len;
        uint8_t *buf = encode(&m, &len);
        assert_int_equal(len, expected_size(type));
        char why[256];
        assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_OK);
        assert_int_equal(d.type, type);
        assert_int_equal(d.version, RIG_WIRE_VERSION);
        assert_int_equal(d.node_id, 7);
        assert_true(d.seq == m.seq);
        switch (type) {
        case RIG_WIRE_HELLO:
            assert_int_equal(d.u.hello.device_count, 2);
            assert_string_equal(d.u.hello.host, "host-a");
            assert_string_equal(d.u.hello.devices[0].serial, "CP3S34D00051");
            assert_string_equal(d.u.hello.devices[0].model, "Femto Mega");
            assert_string_equal(d.u.hello.devices[1].model, "");
            assert_memory_equal(&d.u.hello.devices[0].sync, &m.u.hello.devices[0].sync,
                                sizeof(rig_sync_config_t));
            assert_int_equal(d.u.hello.devices[1].sync.mode, RIG_SYNC_MODE_SECONDARY);
            assert_int_equal(d.u.hello.devices[1].sync.frames_per_trigger, 3);
            assert_int_equal(d.u.hello.devices[0].sync.depth_delay_us, -160);
            break;
        case RIG_WIRE_FRAME:
            assert_int_equal(d.u.frame.device, 1);
            assert_int_equal(d.u.frame.stream, RIG_STREAM_DEPTH);
            assert_int_equal(d.u.frame.flags, 7);
            assert_true(d.u.frame.trigger_seq == 0x1122334455667788ull);
            assert_true(d.u.frame.true_mono_us == -77);
            assert_true(d.u.frame.index == 12345);
            assert_true(d.u.frame.device_ts_us == -5);
            assert_true(d.u.frame.host_ts_us == 1795481963896114);
            assert_true(d.u.frame.global_ts_us == RIG_TS_NONE);
            assert_true(d.u.frame.global_bound_us == INT64_MAX);
            assert_int_equal(d.u.frame.stride, 12);
            assert_int_equal(d.u.frame.data_size, sizeof pixels);
            /* the pixels point into the message, after everything else */
            assert_ptr_equal(d.u.frame.data, buf + len - sizeof pixels);
            break;
        case RIG_WIRE_CLOCK:
            assert_true(d.u.clock.host_before_us == 100 && d.u.clock.device_us == 150 &&
                        d.u.clock.host_after_us == 200 && d.u.clock.device == 3);
            break;
        case RIG_WIRE_EVENT:
            assert_string_equal(d.u.event.serial, "X\x01Y");
            assert_int_equal(d.u.event.device, RIG_WIRE_DEVICE_NONE);
            break;
        case RIG_WIRE_PTP:
            assert_true(d.u.ptp.offset_ns == -1234);
            assert_int_equal(d.u.ptp.valid, 1);
            assert_int_equal(d.u.ptp.port_state, 9);
            assert_int_equal(d.u.ptp.servo_state, 2);
            assert_true(d.u.ptp.host_ts_us == 1795481963896114);
            assert_true(d.u.ptp.mean_path_delay_ns == 5123);
            assert_int_equal(d.u.ptp.steps_removed, 1);
            assert_int_equal(d.u.ptp.gm_present, 1);
            assert_memory_equal(d.u.ptp.gm_identity, m.u.ptp.gm_identity, 8);
            break;
        case RIG_WIRE_HEARTBEAT:
            assert_true(d.u.heartbeat.dropped == 3 && d.u.heartbeat.frames_published == 1000);
            assert_int_equal(d.u.heartbeat.subscribers, 2);
            break;
        }
        free(buf);
    }
}

/* The header's bytes, little-endian, by hand. */
static void test_header_bytes(void **state)
{
    (void)state;
    rig_wire_msg_t m;
    sample(RIG_WIRE_PTP, &m);
    size_t len;
    uint8_t *buf = encode(&m, &len);
    const uint8_t want[24] = {'R', 'S', 'Y', 'N', 1, 0, 5, 0, 7, 0, 0, 0, 38, 0, 0, 0,
                              8,   7,   6,   5,   4, 3, 2, 1};
    assert_memory_equal(buf, want, sizeof want);
    /* offset -1234 = 0xFFFFFFFFFFFFFB2E */
    assert_int_equal(buf[24], 0x2E);
    assert_int_equal(buf[25], 0xFB);
    assert_int_equal(buf[31], 0xFF);
    /* servo, port, valid; host time; path delay 5123 = 0x1403; steps; gm; its identity */
    assert_int_equal(buf[32], 2);
    assert_int_equal(buf[33], 9);
    assert_int_equal(buf[34], 1);
    assert_int_equal(buf[43], 0x03);
    assert_int_equal(buf[44], 0x14);
    assert_int_equal(buf[51], 1);
    assert_int_equal(buf[53], 1);
    assert_int_equal(buf[54], 0x00);
    assert_int_equal(buf[57], 0xff);
    assert_int_equal(buf[61], 0x55);
    rig_wire_set_seq(buf, len, 258);
    rig_wire_msg_t d;
    assert_int_equal(rig_wire_decode(buf, len, &d, NULL, 0), RIG_OK);
    assert_true(d.seq == 258);
    free(buf);
}

static void test_every_truncation_rejected(void **state)
{
    (void)state;
    for (int type = 1; type <= RIG_WIRE_TYPE_MAX; type++) {
        rig_wire_msg_t m, d;
        sample(type, &m);
        size_t len;
        uint8_t *buf = encode(&m, &len);
        for (size_t cut = 0; cut < len; cut++) {
            /* a copy of exactly cut bytes: ASan sees any read past it */
            uint8_t *part = malloc(cut ? cut : 1);
            memcpy(part, buf, cut);
            char why[256] = "unset";
            assert_int_equal(rig_wire_decode(part, cut, &d, why, sizeof why),
                             RIG_ERROR_INVALID_ARGUMENT);
            assert_true(strstr(why, "truncated") != NULL);
            /* the body length field says more than follows: still rejected with the length
             * corrected to the cut (inner fields then run out) */
            if (cut > RIG_WIRE_HEADER_SIZE) {
                uint32_t body = (uint32_t)(cut - RIG_WIRE_HEADER_SIZE);
                for (int i = 0; i < 4; i++)
                    part[12 + i] = (uint8_t)(body >> (8 * i));
                assert_int_equal(rig_wire_decode(part, cut, &d, why, sizeof why),
                                 RIG_ERROR_INVALID_ARGUMENT);
                assert_true(why[0] != '\0');
            }
            free(part);
        }
        free(buf);
    }
}

static void test_bad_headers_rejected(void **state)
{
    (void)state;
    rig_wire_msg_t m, d;
    sample(RIG_WIRE_HEARTBEAT, &m);
    size_t len;
    uint8_t *buf = encode(&m, &len);
    char why[256];
    struct {
        size_t at;
        uint8_t value;
        const char *says;
    } cases[] = {
        {0, 'X', "magic"},        {4, 2, "version 2"},      {4, 0, "version 0"},
        {5, 1, "version 257"},    {6, 0, "type 0"},         {6, 7, "type 7"},
        {7, 1, "reserved"},       {12, 29, "29 body bytes"}, {15, 1, "body bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, buf, len);
        copy[cases[i].at] = cases[i].value;
        assert_int_equal(rig_wire_decode(copy, len, &d, why, sizeof why),
                         RIG_ERROR_INVALID_ARGUMENT);
        if (!strstr(why, cases[i].says))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].says);
        free(copy);
    }
    /* one byte too many */
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, buf, len);
    assert_int_equal(rig_wire_decode(longer, len + 1, &d, why, sizeof why),
                     RIG_ERROR_INVALID_ARGUMENT);
    longer[12]++; /* the header agrees, the body does not */
    assert_int_equal(rig_wire_decode(longer, len + 1, &d, why, sizeof why),
                     RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "1 bytes after the end of the HEARTBEAT"));
    assert_int_equal(rig_wire_decode(NULL, 0, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    free(longer);
    free(buf);
}

static void test_bad_bodies_rejected(void **state)
{
    (void)state;
    rig_wire_msg_t m, d;
    char why[256];
    size_t len;
    /* FRAME: stream 2, unknown flag, pixel size that disagrees with stride x height */
    sample(RIG_WIRE_FRAME, &m);
    uint8_t *buf = encode(&m, &len);
    buf[26] = 2;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "stream 2"));
    buf[26] = 1;
    buf[27] = 0xF;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "unknown bits"));
    /* the truth flag cleared: its 16 bytes are read as the pixels' header, which disagrees */
    buf[27] = 0x3;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    buf[27] = 0x7;
    size_t stride_at = 24 + 2 + 1 + 1 + 8 + 32 + 16 + 1 + 8;
    buf[stride_at] = 11; /* 11 < 4 px * 3 bytes */
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "disagree"));
    buf[stride_at] = 12;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_OK);
    free(buf);
    /* HELLO: a mode that is no mode, more devices than allowed */
    sample(RIG_WIRE_HELLO, &m);
    buf = encode(&m, &len);
    size_t mode_at = 24 + 2 + 8 + 2 + 14 + 12;
    assert_int_equal(buf[mode_at], RIG_SYNC_MODE_PRIMARY);
    buf[mode_at] = 3;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "no sync mode"));
    buf[mode_at] = RIG_SYNC_MODE_PRIMARY;
    buf[24 + 2 + 8] = RIG_WIRE_MAX_DEVICES + 1;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "65 devices"));
    free(buf);
    /* FRAME without pixels: the truth flag set on a message without truth (truncated), cleared
     * on one with it (trailing bytes) */
    sample(RIG_WIRE_FRAME, &m);
    m.u.frame.flags = 0;
    buf = encode(&m, &len);
    buf[27] = RIG_WIRE_FRAME_TRUTH;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "truncated: FRAME truth trigger sequence"));
    free(buf);
    m.u.frame.flags = RIG_WIRE_FRAME_TRUTH;
    buf = encode(&m, &len);
    assert_int_equal(len, 24 + 2 + 1 + 1 + 8 + 32 + 16);
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_OK);
    assert_true(d.u.frame.trigger_seq == m.u.frame.trigger_seq && !d.u.frame.data);
    buf[27] = 0;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "16 bytes after the end of the FRAME"));
    free(buf);
    /* PTP: valid flag 2, servo state 4, port state 11, grandmaster present 2 */
    struct {
        size_t at;
        uint8_t value;
        const char *says;
    } ptp[] = {
        {34, 2, "valid flag is 2"},
        {32, RIG_WIRE_PTP_SERVO_MAX + 1, "servo state 4 is unknown"},
        {33, RIG_WIRE_PTP_PORT_MAX + 1, "port state 11 is unknown"},
        {53, 2, "grandmaster present flag is 2"},
    };
    sample(RIG_WIRE_PTP, &m);
    buf = encode(&m, &len);
    for (size_t i = 0; i < sizeof ptp / sizeof ptp[0]; i++) {
        uint8_t was = buf[ptp[i].at];
        buf[ptp[i].at] = ptp[i].value;
        assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why),
                         RIG_ERROR_INVALID_ARGUMENT);
        if (!strstr(why, ptp[i].says))
            fail_msg("PTP case %zu: \"%s\" does not say \"%s\"", i, why, ptp[i].says);
        buf[ptp[i].at] = was;
    }
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_OK);
    free(buf);
    /* EVENT: unknown kind */
    sample(RIG_WIRE_EVENT, &m);
    buf = encode(&m, &len);
    buf[24] = 9;
    assert_int_equal(rig_wire_decode(buf, len, &d, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    free(buf);
}

static void test_encode_refuses_what_cannot_decode(void **state)
{
    (void)state;
    rig_wire_msg_t m;
    sample(RIG_WIRE_HELLO, &m);
    m.u.hello.device_count = RIG_WIRE_MAX_DEVICES + 1;
    assert_int_equal(rig_wire_encoded_size(&m), 0);
    sample(RIG_WIRE_FRAME, &m);
    m.u.frame.data_size = 5; /* not stride x height */
    assert_int_equal(rig_wire_encoded_size(&m), 0);
    sample(RIG_WIRE_FRAME, &m);
    m.u.frame.flags = 0; /* no pixels: none encoded, none decoded */
    size_t len;
    uint8_t *buf = encode(&m, &len);
    assert_int_equal(len, expected_size(RIG_WIRE_FRAME) - 16 - 17 - sizeof pixels);
    rig_wire_msg_t d;
    assert_int_equal(rig_wire_decode(buf, len, &d, NULL, 0), RIG_OK);
    assert_null(d.u.frame.data);
    free(buf);
    sample(RIG_WIRE_PTP, &m);
    m.u.ptp.servo_state = RIG_WIRE_PTP_SERVO_MAX + 1; /* no such state */
    assert_int_equal(rig_wire_encoded_size(&m), 0);
    sample(RIG_WIRE_PTP, &m);
    m.u.ptp.gm_present = 2;
    assert_int_equal(rig_wire_encoded_size(&m), 0);
    sample(RIG_WIRE_PTP, &m);
    uint8_t small[30];
    assert_int_equal(rig_wire_encode(&m, small, sizeof small, &len), RIG_ERROR_INVALID_ARGUMENT);
    m.type = 0;
    assert_int_equal(rig_wire_encoded_size(&m), 0);
}

/* A batch of one message of every type back to back, numbered 10, 11, ... (fresh buffer). */
static uint8_t *batch_of_every_type(size_t *len, size_t lens[RIG_WIRE_TYPE_MAX])
{
    uint8_t *batch = NULL;
    *len = 0;
    for (int type = 1; type <= RIG_WIRE_TYPE_MAX; type++) {
        rig_wire_msg_t m;
        sample(type, &m);
        size_t n;
        uint8_t *one = encode(&m, &n);
        rig_wire_set_seq(one, n, 10 + (uint64_t)type - 1);
        batch = realloc(batch, *len + n);
        assert_non_null(batch);
        memcpy(batch + *len, one, n);
        *len += n;
        lens[type - 1] = n;
        free(one);
    }
    return batch;
}

static void test_batch_walk(void **state)
{
    (void)state;
    size_t lens[RIG_WIRE_TYPE_MAX], len;
    uint8_t *batch = batch_of_every_type(&len, lens);
    size_t pos = 0;
    char why[256];
    for (int type = 1; type <= RIG_WIRE_TYPE_MAX; type++) {
        size_t n = 12345;
        assert_int_equal(rig_wire_next(batch + pos, len - pos, &n, why, sizeof why), RIG_OK);
        assert_int_equal(n, lens[type - 1]);
        rig_wire_msg_t d;
        assert_int_equal(rig_wire_decode(batch + pos, n, &d, why, sizeof why), RIG_OK);
        assert_int_equal(d.type, type);
        assert_int_equal(d.seq, 10 + (uint64_t)type - 1);
        pos += n;
    }
    assert_int_equal(pos, len);
    /* one message alone is a batch of one */
    size_t n = 0;
    assert_int_equal(rig_wire_next(batch, lens[0], &n, why, sizeof why), RIG_OK);
    assert_int_equal(n, lens[0]);
    /* nothing left: a tail of 0 bytes is malformed, never read */
    assert_int_equal(rig_wire_next(batch + len, 0, &n, why, sizeof why),
                     RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(n, 0);
    assert_non_null(strstr(why, "0 bytes left"));
    assert_int_equal(rig_wire_next(NULL, 0, &n, NULL, 0), RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_wire_next(batch, len, NULL, why, sizeof why),
                     RIG_ERROR_INVALID_ARGUMENT);
    free(batch);
}

/* Walks buf like a receiver; returns the messages split off, *why the tail's reason ("" when
 * the walk used up every byte). */
static int walk(const uint8_t *buf, size_t len, char *why, size_t why_len)
{
    int count = 0;
    size_t pos = 0;
    why[0] = '\0';
    while (pos < len) {
        size_t n = 0;
        if (rig_wire_next(buf + pos, len - pos, &n, why, why_len) != RIG_OK) {
            assert_int_equal(n, 0);
            assert_true(why[0] != '\0');
            return count;
        }
        assert_true(n >= RIG_WIRE_HEADER_SIZE && n <= len - pos);
        pos += n;
        count++;
    }
    return count;
}

static void test_batch_malformed_tails(void **state)
{
    (void)state;
    size_t lens[RIG_WIRE_TYPE_MAX], len;
    uint8_t *batch = batch_of_every_type(&len, lens);
    size_t last = len - lens[RIG_WIRE_TYPE_MAX - 1]; /* where the HEARTBEAT starts */
    char why[256];
    /* every cut: exactly the whole messages before it split off, the cut one rejected (each
     * copy exactly cut bytes long: ASan sees any read past it) */
    for (size_t cut = 1; cut < len; cut++) {
        uint8_t *part = malloc(cut);
        assert_non_null(part);
        memcpy(part, batch, cut);
        int whole = 0;
        for (size_t pos = 0, k = 0; k < RIG_WIRE_TYPE_MAX && pos + lens[k] <= cut; k++) {
            pos += lens[k];
            whole++;
        }
        size_t used = 0;
        for (int k = 0; k < whole; k++)
            used += lens[k];
        assert_int_equal(walk(part, cut, why, sizeof why), whole);
        if (used < cut) {
            bool short_header = cut - used < RIG_WIRE_HEADER_SIZE;
            assert_non_null(strstr(why, short_header ? "too few for a 24-byte header"
                                                     : "truncated: the header says"));
        }
        free(part);
    }
    /* the last message's header spoiled field by field: five messages, then the reason */
    struct {
        size_t at;
        uint8_t value;
        const char *why;
    } spoil[] = {
        {0, 'X', "magic bytes differ"},
        {4, 2, "protocol version 2"},
        {6, 0, "unknown message type 0"},
        {6, RIG_WIRE_TYPE_MAX + 1, "unknown message type 7"},
        {7, 1, "reserved header byte is 1"},
        {15, 0x80, "truncated: the header says"}, /* a body of 2 GB */
    };
    for (size_t k = 0; k < sizeof spoil / sizeof spoil[0]; k++) {
        uint8_t *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, batch, len);
        copy[last + spoil[k].at] = spoil[k].value;
        assert_int_equal(walk(copy, len, why, sizeof why), RIG_WIRE_TYPE_MAX - 1);
        assert_non_null(strstr(why, spoil[k].why));
        free(copy);
    }
    /* a body length one byte short: the walk splits a wrong message, whose decode fails, and
     * the next "header" is the last byte (too short) */
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, batch, len);
    copy[last + 12]--;
    assert_int_equal(walk(copy, len, why, sizeof why), RIG_WIRE_TYPE_MAX);
    assert_non_null(strstr(why, "1 bytes left"));
    size_t n = 0;
    assert_int_equal(rig_wire_next(copy + last, len - last, &n, NULL, 0), RIG_OK);
    rig_wire_msg_t d;
    assert_int_equal(rig_wire_decode(copy + last, n, &d, why, sizeof why),
                     RIG_ERROR_INVALID_ARGUMENT);
    /* trailing garbage after a whole batch */
    copy = realloc(copy, len + 3);
    assert_non_null(copy);
    memcpy(copy, batch, len);
    memcpy(copy + len, "RSY", 3);
    assert_int_equal(walk(copy, len + 3, why, sizeof why), RIG_WIRE_TYPE_MAX);
    assert_non_null(strstr(why, "3 bytes left"));
    free(copy);
    free(batch);
}

int main(void)
{
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (uint8_t)(i * 7);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_header_bytes),
        cmocka_unit_test(test_every_truncation_rejected),
        cmocka_unit_test(test_bad_headers_rejected),
        cmocka_unit_test(test_bad_bodies_rejected),
        cmocka_unit_test(test_encode_refuses_what_cannot_decode),
        cmocka_unit_test(test_batch_walk),
        cmocka_unit_test(test_batch_malformed_tails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

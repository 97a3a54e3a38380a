/*
 * PTP management messages (src/ptp/pmc_msg.c): the GET's bytes are exactly those `pmc -u -b 0`
 * (linuxptp 3.1.1) sends, captured once with a Unix datagram listener and written here; the
 * responses are built by hand from IEEE 1588's layouts (and linuxptp's TIME_STATUS_NP), with
 * values whose encodings were worked out by hand; every truncation is rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptp/pmc_msg.h"

/* `pmc -u -b 0 'GET TIME_STATUS_NP'`, pid 32222 (0x7dde) as sourcePortIdentity.portNumber,
 * sequenceId 0: captured from linuxptp 3.1.1. */
static const uint8_t pmc_get_time_status[104] = {
    0x0d, 0x02, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00, /* mgmt, v2, length 104, domain 0, flags */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* correction */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved, source clockIdentity[0..3] */
    0x00, 0x00, 0x00, 0x00, 0x7d, 0xde, 0x00, 0x00, /* clockIdentity[4..7], port 32222, seq 0 */
    0x04, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* control 4, logInterval 0x7f, target */
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* target, hops 0 0, GET, reserved */
    0x00, 0x01, 0x00, 0x34, 0xc0, 0x00,             /* TLV MANAGEMENT, length 52, 0xC000 */
    /* 50 zero bytes of dataField follow (static storage) */
};

/* `pmc -u -b 0 'GET PORT_DATA_SET'`, pid 32224 (0x7de0), sequenceId 0: 80 bytes. */
static const uint8_t pmc_get_port_ds_head[54] = {
    0x0d, 0x02, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0,    0,    0,    0,    0x7d, 0xe0, 0, 0, 0x04, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x1c, 0x20, 0x04};

static void test_encode_get_matches_pmc(void **state)
{
    (void)state;
    uint8_t buf[RIG_PTP_MSG_MAX];
    size_t n = rig_ptp_msg_encode_get(buf, sizeof buf, RIG_PTP_MID_TIME_STATUS_NP, 0, 0x7dde, 0);
    assert_int_equal(n, 104);
    assert_memory_equal(buf, pmc_get_time_status, 104);

    n = rig_ptp_msg_encode_get(buf, sizeof buf, RIG_PTP_MID_PORT_DATA_SET, 0, 0x7de0, 0);
    assert_int_equal(n, 80);
    assert_memory_equal(buf, pmc_get_port_ds_head, 54);
    for (size_t i = 54; i < 80; i++)
        assert_int_equal(buf[i], 0);

    /* sequenceId and domain land where they belong */
    n = rig_ptp_msg_encode_get(buf, sizeof buf, RIG_PTP_MID_CURRENT_DATA_SET, 0x1234, 7, 5);
    assert_int_equal(n, 48 + 6 + 18);
    assert_int_equal(buf[4], 5);
    assert_int_equal(buf[30], 0x12);
    assert_int_equal(buf[31], 0x34);
    assert_int_equal(buf[29], 7);
    assert_int_equal(buf[51], 2 + 18);
    assert_int_equal(buf[52], 0x20);
    assert_int_equal(buf[53], 0x01);
    n = rig_ptp_msg_encode_get(buf, sizeof buf, RIG_PTP_MID_PARENT_DATA_SET, 0, 0, 0);
    assert_int_equal(n, 48 + 6 + 32);

    /* too small a buffer, unknown id */
    assert_int_equal(rig_ptp_msg_encode_get(buf, 103, RIG_PTP_MID_TIME_STATUS_NP, 0, 0, 0), 0);
    assert_int_equal(rig_ptp_msg_encode_get(buf, sizeof buf, 0x2000, 0, 0, 0), 0);
}

/* A RESPONSE with seq 0x0102, from clock 00 11 22 ff fe 33 44 55 port 1, to port 0x7dde. */
static size_t response(uint8_t *b, uint16_t tlv_type, uint16_t mid, const uint8_t *data,
                       size_t data_len)
{
    static const uint8_t head[48] = {
        0x0d, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, 0x00, 0x01, 0x01, 0x02, 0x04, 0x7f,
        0, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0xde, 0, 0, 0x02, 0};
    memcpy(b, head, 48);
    size_t total = 48 + 6 + data_len;
    b[2] = (uint8_t)(total >> 8);
    b[3] = (uint8_t)total;
    b[48] = (uint8_t)(tlv_type >> 8);
    b[49] = (uint8_t)tlv_type;
    b[50] = (uint8_t)((2 + data_len) >> 8);
    b[51] = (uint8_t)(2 + data_len);
    b[52] = (uint8_t)(mid >> 8);
    b[53] = (uint8_t)mid;
    memcpy(b + 54, data, data_len);
    return total;
}

static const uint8_t gm_id[8] = {0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

/* master_offset -1234 ns, ingress 1700000000123456789 ns, gmPresent 1. */
static const uint8_t time_status_data[50] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb, 0x2e, /* -1234 */
    0x17, 0x97, 0x9c, 0xfe, 0x3d, 0x85, 0xcd, 0x15, /* 1700000000123456789 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* rate offset, phase change */
    0x00, 0x00,                                     /* gmTimeBaseIndicator */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             /* lastGmPhaseChange */
    0x00, 0x00, 0x00, 0x01,                         /* gmPresent */
    0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

/* port 00 11 22 ff fe 33 44 55 / 1, SLAVE, peerMeanPathDelay 0, announce 1, timeout 3. */
static const uint8_t port_ds_data[26] = {0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, 0x00,
                                         0x01, 0x09, 0x00, 0, 0, 0, 0, 0, 0, 0x80, 0x00,
                                         0x01, 0x03, 0x00, 0x01, 0x00, 0x02};

/* stepsRemoved 1, offsetFromMaster -1.5 ns, meanPathDelay 2500.25 ns (TimeInterval * 2^16). */
static const uint8_t current_ds_data[18] = {0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
                                            0x09, 0xc4, 0x40, 0x00};

/* parent 00 11 22 ff fe 33 44 55 / 1; gm priority1 128, class 248, accuracy 0xfe, variance
 * 0xffff, priority2 127, gmIdentity as above. */
static const uint8_t parent_ds_data[32] = {
    0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0x7f, 0xff,
    0xff, 0xff, 0x80, 0xf8, 0xfe, 0xff, 0xff, 0x7f, 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

static void test_decode_time_status(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = response(b, 1, 0xC000, time_status_data, sizeof time_status_data);
    rig_ptp_msg_t m;
    char why[160];
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_OK);
    assert_int_equal(m.sequence_id, 0x0102);
    assert_int_equal(m.action, 2);
    assert_false(m.is_error);
    assert_int_equal(m.management_id, RIG_PTP_MID_TIME_STATUS_NP);
    assert_int_equal(m.target.port_number, 0x7dde);
    assert_int_equal(m.source.port_number, 1);
    assert_true(m.u.time_status.master_offset_ns == -1234);
    assert_true(m.u.time_status.ingress_ptp_ts_ns == 1700000000123456789LL);
    assert_true(m.u.time_status.gm_present);
    assert_memory_equal(m.u.time_status.gm_identity, gm_id, 8);
}

static void test_decode_data_sets(void **state)
{
    (void)state;
    uint8_t b[256];
    rig_ptp_msg_t m;
    char why[160];
    size_t n = response(b, 1, 0x2004, port_ds_data, sizeof port_ds_data);
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_OK);
    assert_int_equal(m.u.port.port_state, RIG_PTP_PORT_SLAVE);
    assert_string_equal(rig_ptp_port_state_name(m.u.port.port_state), "SLAVE");
    assert_int_equal(m.u.port.port.port_number, 1);
    assert_int_equal(m.u.port.log_announce_interval, 1);
    assert_int_equal(m.u.port.announce_receipt_timeout, 3);
    assert_int_equal(m.u.port.version_number, 2);
    assert_int_equal(m.u.port.delay_mechanism, 1);
    assert_true(m.u.port.peer_mean_path_delay_ns == 0.5);

    n = response(b, 1, 0x2001, current_ds_data, sizeof current_ds_data);
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_OK);
    assert_int_equal(m.u.current.steps_removed, 1);
    assert_true(m.u.current.offset_from_master_ns == -1.5);
    assert_true(m.u.current.mean_path_delay_ns == 2500.25);

    n = response(b, 1, 0x2002, parent_ds_data, sizeof parent_ds_data);
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_OK);
    assert_int_equal(m.u.parent.gm_priority1, 128);
    assert_int_equal(m.u.parent.gm_priority2, 127);
    assert_int_equal(m.u.parent.gm_clock_class, 248);
    assert_int_equal(m.u.parent.gm_clock_accuracy, 0xfe);
    assert_int_equal(m.u.parent.gm_offset_scaled_log_variance, 0xffff);
    assert_int_equal(m.u.parent.observed_parent_clock_phase_change_rate, 0x7fffffff);
    assert_memory_equal(m.u.parent.gm_identity, gm_id, 8);
    assert_int_equal(m.u.parent.parent_port.port_number, 1);

    /* MANAGEMENT_ERROR_STATUS: error NOT_SUPPORTED (6) for 0xC000 */
    static const uint8_t err_body[] = {0x00, 0x06, 0xc0, 0x00, 0, 0, 0, 0};
    n = response(b, 2, 0x0006, err_body + 2, sizeof err_body - 2);
    /* response() wrote mid at 52..53: error id 6, then the rest: id 0xC000, reserved */
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_OK);
    assert_true(m.is_error);
    assert_int_equal(m.error_id, 6);
    assert_int_equal(m.management_id, 0xC000);
    assert_string_equal(rig_ptp_mgmt_error_name(m.error_id), "NOT_SUPPORTED");
}

/* Every prefix of every message, every smaller messageLength and TLV length is rejected. */
static void check_truncations(const uint8_t *data, size_t data_len, uint16_t mid)
{
    uint8_t b[256], t[256];
    size_t n = response(b, 1, mid, data, data_len);
    rig_ptp_msg_t m;
    char why[160];
    for (size_t k = 0; k < n; k++) {
        memcpy(t, b, k); /* the decoder gets exactly k bytes */
        why[0] = '\0';
        assert_int_equal(rig_ptp_msg_decode(t, k, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
        assert_true(why[0] != '\0');
    }
    for (size_t len = 0; len < n; len++) {
        memcpy(t, b, n);
        t[2] = (uint8_t)(len >> 8);
        t[3] = (uint8_t)len;
        assert_int_equal(rig_ptp_msg_decode(t, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    }
    for (size_t tl = 0; tl < 2 + data_len; tl++) {
        memcpy(t, b, n);
        t[50] = (uint8_t)(tl >> 8);
        t[51] = (uint8_t)tl;
        assert_int_equal(rig_ptp_msg_decode(t, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    }
    /* a TLV length past the message */
    memcpy(t, b, n);
    t[51] = (uint8_t)(2 + data_len + 1);
    assert_int_equal(rig_ptp_msg_decode(t, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "exceeds"));
    /* the whole message, with trailing bytes beyond messageLength: accepted */
    memcpy(t, b, n);
    t[n] = 0xAA;
    assert_int_equal(rig_ptp_msg_decode(t, n + 1, &m, why, sizeof why), RIG_OK);
}

static void test_truncations_rejected(void **state)
{
    (void)state;
    check_truncations(time_status_data, sizeof time_status_data, 0xC000);
    check_truncations(port_ds_data, sizeof port_ds_data, 0x2004);
    check_truncations(current_ds_data, sizeof current_ds_data, 0x2001);
    check_truncations(parent_ds_data, sizeof parent_ds_data, 0x2002);
}

static void test_not_management_rejected(void **state)
{
    (void)state;
    uint8_t b[256];
    rig_ptp_msg_t m;
    char why[160];
    size_t n = response(b, 1, 0xC000, time_status_data, sizeof time_status_data);
    b[0] = 0x0b; /* announce */
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "not management"));
    b[0] = 0x0d;
    b[1] = 0x01; /* PTPv1 */
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "versionPTP"));
    b[1] = 0x02;
    b[49] = 0x03; /* TLV type neither management nor error status */
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "TLV type"));
    b[49] = 0x02; /* error status needs 8 bytes: 52 is fine; a 6-byte one is not */
    b[51] = 6;
    assert_int_equal(rig_ptp_msg_decode(b, n, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_ptp_msg_decode(NULL, 10, &m, why, sizeof why), RIG_ERROR_INVALID_ARGUMENT);
    assert_string_equal(rig_ptp_port_state_name(99), "UNKNOWN");
    assert_string_equal(rig_ptp_port_state_name(6), "MASTER");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_get_matches_pmc),
        cmocka_unit_test(test_decode_time_status),
        cmocka_unit_test(test_decode_data_sets),
        cmocka_unit_test(test_truncations_rejected),
        cmocka_unit_test(test_not_management_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* PTP management messages: encoder and bounds-checked decoder (pmc_msg.h). */
#include "ptp/pmc_msg.h"

#include <string.h>

#include "common/util.h"

#define MSGTYPE_MANAGEMENT 0x0D
#define PTP_VERSION 2
#define CONTROL_MANAGEMENT 4
#define TLV_MANAGEMENT 0x0001
#define TLV_MANAGEMENT_ERROR_STATUS 0x0002

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Two's complement without implementation-defined conversions. */
static int64_t as_i64(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int32_t as_i32(uint32_t v)
{
    return v <= (uint32_t)INT32_MAX ? (int32_t)v : -(int32_t)(~v) - 1;
}

static int8_t as_i8(uint8_t v)
{
    return v <= 127 ? (int8_t)v : (int8_t)(-(int)(uint8_t)~v - 1);
}

/* TimeInterval: ns scaled by 2^16. */
static double time_interval_ns(const uint8_t *p)
{
    return (double)as_i64(get64(p)) / 65536.0;
}

static void port_identity(const uint8_t *p, rig_ptp_port_identity_t *out)
{
    memcpy(out->clock_identity, p, 8);
    out->port_number = get16(p + 8);
}

size_t rig_ptp_dataset_len(uint16_t mid)
{
    switch (mid) {
    case RIG_PTP_MID_CURRENT_DATA_SET:
        return RIG_PTP_CURRENT_DS_LEN;
    case RIG_PTP_MID_PARENT_DATA_SET:
        return RIG_PTP_PARENT_DS_LEN;
    case RIG_PTP_MID_PORT_DATA_SET:
        return RIG_PTP_PORT_DS_LEN;
    case RIG_PTP_MID_TIME_STATUS_NP:
        return RIG_PTP_TIME_STATUS_NP_LEN;
    default:
        return 0;
    }
}

const char *rig_ptp_port_state_name(int state)
{
    static const char *const names[] = {"UNKNOWN",      "INITIALIZING", "FAULTY", "DISABLED",
                                        "LISTENING",    "PRE_MASTER",   "MASTER", "PASSIVE",
                                        "UNCALIBRATED", "SLAVE",        "GRAND_MASTER"};
    if (state < 0 || state >= (int)RIG_ARRAY_SIZE(names))
        return "UNKNOWN";
    return names[state];
}

const char *rig_ptp_mgmt_error_name(uint16_t error_id)
{
    switch (error_id) {
    case 0x0001:
        return "RESPONSE_TOO_BIG";
    case 0x0002:
        return "NO_SUCH_ID";
    case 0x0003:
        return "WRONG_LENGTH";
    case 0x0004:
        return "WRONG_VALUE";
    case 0x0005:
        return "NOT_SETABLE";
    case 0x0006:
        return "NOT_SUPPORTED";
    case 0xFFFE:
        return "GENERAL_ERROR";
    default:
        return "UNKNOWN_ERROR";
    }
}

size_t rig_ptp_msg_encode_get(uint8_t *buf, size_t cap, uint16_t mid, uint16_t sequence_id,
                              uint16_t source_port, uint8_t domain)
{
    size_t data = rig_ptp_dataset_len(mid);
    size_t total = RIG_PTP_MGMT_HEADER_LEN + 6 + data;
    if (!buf || data == 0 || cap < total)
        return 0;
    memset(buf, 0, total);
    buf[0] = MSGTYPE_MANAGEMENT; /* transportSpecific 0 */
    buf[1] = PTP_VERSION;
    put16(buf + 2, (uint16_t)total);
    buf[4] = domain;
    /* flags, correction, reserved, source clock identity: zero */
    put16(buf + 28, source_port);
    put16(buf + 30, sequence_id);
    buf[32] = CONTROL_MANAGEMENT;
    buf[33] = 0x7F; /* logMessageInterval */
    memset(buf + 34, 0xFF, 10); /* targetPortIdentity: all clocks, all ports */
    buf[44] = 0;                /* startingBoundaryHops (pmc -b 0) */
    buf[45] = 0;                /* boundaryHops */
    buf[46] = 0;                /* actionField GET */
    put16(buf + 48, TLV_MANAGEMENT);
    put16(buf + 50, (uint16_t)(2 + data));
    put16(buf + 52, mid);
    /* dataField: zeros */
    return total;
}

static rig_error_t reject(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static rig_error_t reject(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        rig_vfmt(why, why_len, fmt, ap);
        va_end(ap);
    }
    return RIG_ERROR_INVALID_ARGUMENT;
}

static void decode_time_status(const uint8_t *d, rig_ptp_time_status_t *t)
{
    t->master_offset_ns = as_i64(get64(d));
    t->ingress_ptp_ts_ns = as_i64(get64(d + 8));
    t->cumulative_scaled_rate_offset = as_i32(get32(d + 16));
    t->scaled_last_gm_phase_change = as_i32(get32(d + 20));
    t->gm_time_base_indicator = get16(d + 24);
    /* lastGmPhaseChange: ScaledNs, 12 bytes at 26 */
    t->gm_present = get32(d + 38) != 0;
    memcpy(t->gm_identity, d + 42, 8);
}

static void decode_current(const uint8_t *d, rig_ptp_current_ds_t *c)
{
    c->steps_removed = get16(d);
    c->offset_from_master_ns = time_interval_ns(d + 2);
    c->mean_path_delay_ns = time_interval_ns(d + 10);
}

static void decode_parent(const uint8_t *d, rig_ptp_parent_ds_t *p)
{
    port_identity(d, &p->parent_port);
    p->parent_stats = d[10];
    p->observed_parent_offset_scaled_log_variance = get16(d + 12);
    p->observed_parent_clock_phase_change_rate = as_i32(get32(d + 14));
    p->gm_priority1 = d[18];
    p->gm_clock_class = d[19];
    p->gm_clock_accuracy = d[20];
    p->gm_offset_scaled_log_variance = get16(d + 21);
    p->gm_priority2 = d[23];
    memcpy(p->gm_identity, d + 24, 8);
}

static void decode_port(const uint8_t *d, rig_ptp_port_ds_t *p)
{
    port_identity(d, &p->port);
    p->port_state = d[10];
    p->log_min_delay_req_interval = as_i8(d[11]);
    p->peer_mean_path_delay_ns = time_interval_ns(d + 12);
    p->log_announce_interval = as_i8(d[20]);
    p->announce_receipt_timeout = d[21];
    p->log_sync_interval = as_i8(d[22]);
    p->delay_mechanism = d[23];
    p->log_min_pdelay_req_interval = as_i8(d[24]);
    p->version_number = d[25];
}

rig_error_t rig_ptp_msg_decode(const uint8_t *buf, size_t len, rig_ptp_msg_t *out, char *why,
                               size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (!buf || !out)
        return reject(why, why_len, "no buffer or no output");
    memset(out, 0, sizeof *out);
    if (len < RIG_PTP_HEADER_LEN)
        return reject(why, why_len, "%zu bytes: shorter than a PTP header (34)", len);
    if ((buf[0] & 0x0F) != MSGTYPE_MANAGEMENT)
        return reject(why, why_len, "messageType %u is not management (13)", buf[0] & 0x0Fu);
    if ((buf[1] & 0x0F) != PTP_VERSION)
        return reject(why, why_len, "versionPTP %u is not 2", buf[1] & 0x0Fu);
    size_t msg_len = get16(buf + 2);
    if (msg_len > len)
        return reject(why, why_len, "messageLength %zu but only %zu bytes arrived", msg_len, len);
    if (msg_len < RIG_PTP_MGMT_HEADER_LEN + 4)
        return reject(why, why_len, "messageLength %zu: no room for the management TLV (needs %d)",
                      msg_len, RIG_PTP_MGMT_HEADER_LEN + 4);
    out->domain = buf[4];
    port_identity(buf + 20, &out->source);
    out->sequence_id = get16(buf + 30);
    port_identity(buf + 34, &out->target);
    out->action = buf[46] & 0x0F;
    const uint8_t *tlv = buf + RIG_PTP_MGMT_HEADER_LEN;
    size_t room = msg_len - RIG_PTP_MGMT_HEADER_LEN;
    uint16_t type = get16(tlv);
    size_t tlv_len = get16(tlv + 2);
    if (tlv_len > room - 4)
        return reject(why, why_len, "TLV length %zu exceeds the %zu bytes left in the message",
                      tlv_len, room - 4);
    if (type == TLV_MANAGEMENT_ERROR_STATUS) {
        if (tlv_len < 8)
            return reject(why, why_len, "MANAGEMENT_ERROR_STATUS TLV length %zu < 8", tlv_len);
        out->is_error = true;
        out->error_id = get16(tlv + 4);
        out->management_id = get16(tlv + 6);
        return RIG_OK;
    }
    if (type != TLV_MANAGEMENT)
        return reject(why, why_len, "TLV type 0x%04x is not MANAGEMENT (0x0001)", type);
    if (tlv_len < 2)
        return reject(why, why_len, "MANAGEMENT TLV length %zu < 2 (no managementId)", tlv_len);
    out->management_id = get16(tlv + 4);
    size_t data_len = tlv_len - 2;
    const uint8_t *data = tlv + 6;
    size_t need = rig_ptp_dataset_len(out->management_id);
    if (need == 0 || out->action == 0 /* a GET's zero data is not a data set */)
        return RIG_OK;
    if (data_len < need)
        return reject(why, why_len, "managementId 0x%04x: dataField %zu bytes, needs %zu",
                      out->management_id, data_len, need);
    switch (out->management_id) {
    case RIG_PTP_MID_TIME_STATUS_NP:
        decode_time_status(data, &out->u.time_status);
        break;
    case RIG_PTP_MID_CURRENT_DATA_SET:
        decode_current(data, &out->u.current);
        break;
    case RIG_PTP_MID_PARENT_DATA_SET:
        decode_parent(data, &out->u.parent);
        break;
    case RIG_PTP_MID_PORT_DATA_SET:
        decode_port(data, &out->u.port);
        break;
    default:
        break;
    }
    return RIG_OK;
}

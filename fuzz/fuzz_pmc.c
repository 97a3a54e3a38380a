/*
 * libFuzzer harness: rig_ptp_msg_decode (src/ptp/pmc_msg.c) on arbitrary bytes, as a client
 * receives them from a Unix socket. It must never read outside the buffer (ASan: the input is
 * copied into an allocation of exactly its size), and its answer must be coherent: a rejection
 * carries a terminated reason; an accepted message fits in the bytes given and its TLV fits
 * in messageLength; a decoded data set had room for all of its bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ptp/pmc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    rig_ptp_msg_t m;
    char why[160];
    memset(why, 'x', sizeof why);
    rig_error_t e = rig_ptp_msg_decode(copy, size, &m, why, sizeof why);
    FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL, "reason not terminated");
    if (e != RIG_OK) {
        FUZZ_CHECK(e == RIG_ERROR_INVALID_ARGUMENT, "unexpected error %d", (int)e);
        FUZZ_CHECK(why[0] != '\0', "a rejection without a reason");
    } else {
        size_t msg_len = (size_t)copy[2] << 8 | copy[3];
        size_t tlv_len = (size_t)copy[50] << 8 | copy[51];
        FUZZ_CHECK(msg_len <= size, "accepted messageLength %zu > %zu bytes", msg_len, size);
        FUZZ_CHECK(RIG_PTP_MGMT_HEADER_LEN + 4 + tlv_len <= msg_len, "TLV %zu past message %zu",
                   tlv_len, msg_len);
        size_t need = rig_ptp_dataset_len(m.management_id);
        if (!m.is_error && m.action != 0 && need)
            FUZZ_CHECK(tlv_len >= 2 + need, "data set 0x%04x from %zu bytes",
                       m.management_id, tlv_len);
        (void)rig_ptp_port_state_name(m.u.port.port_state);
        (void)rig_ptp_mgmt_error_name(m.error_id);
    }
    /* The encoder for every known id fits what it says and decodes back as a GET. */
    uint8_t out[RIG_PTP_MSG_MAX];
    uint16_t mid = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
    size_t n = rig_ptp_msg_encode_get(out, sizeof out, mid, 7, 9, 0);
    if (n) {
        FUZZ_CHECK(rig_ptp_msg_decode(out, n, &m, why, sizeof why) == RIG_OK, "own GET: %s", why);
        FUZZ_CHECK(m.action == 0 && m.management_id == mid && m.sequence_id == 7, "own GET");
    }
    free(copy);
    return 0;
}

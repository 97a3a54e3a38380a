/*
 * libFuzzer harness: rig_wire_next and rig_wire_decode (src/net/wire.h) on arbitrary bytes, as
 * a receiver gets them from the network: the bytes are walked as a batch (each message split
 * off must lie within what is left, a rejected tail carries a reason and ends the walk), each
 * message split off is decoded, and the whole input is decoded as one message too. Nothing may
 * crash or read outside its buffer (ASan + UBSan), and each answer must be coherent: a rejection carries a reason; an accepted message is within its
 * own bounds (strings terminated, device count and pixels inside the input, PTP states and
 * flags in range, no truth without its flag), and encodes back to exactly the bytes it was
 * decoded from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "net/wire.h"

static rig_wire_msg_t msg;

/* Decodes exactly size bytes and checks the answer. */
static void check_one(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes: ASan catches any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return;
    if (size)
        memcpy(buf, data, size);
    char why[256];
    rig_error_t err = rig_wire_decode(buf, size, &msg, why, sizeof why);
    if (err != RIG_OK) {
        FUZZ_CHECK(err == RIG_ERROR_INVALID_ARGUMENT, "rejection with error %d", (int)err);
        FUZZ_CHECK(memchr(why, '\0', sizeof why) && why[0], "a rejection without a reason");
        free(buf);
        return;
    }
    FUZZ_CHECK(msg.type >= 1 && msg.type <= RIG_WIRE_TYPE_MAX, "type %u accepted",
               (unsigned)msg.type);
    FUZZ_CHECK(msg.version == RIG_WIRE_VERSION, "version %u accepted", (unsigned)msg.version);
    if (msg.type == RIG_WIRE_HELLO) {
        FUZZ_CHECK(msg.u.hello.device_count <= RIG_WIRE_MAX_DEVICES, "%u devices",
                   (unsigned)msg.u.hello.device_count);
        FUZZ_CHECK(memchr(msg.u.hello.host, '\0', sizeof msg.u.hello.host), "host unterminated");
    } else if (msg.type == RIG_WIRE_FRAME && (msg.u.frame.flags & RIG_WIRE_FRAME_PIXELS)) {
        const uint8_t *p = msg.u.frame.data;
        FUZZ_CHECK(p >= buf && p + msg.u.frame.data_size <= buf + size,
                   "pixels outside the message");
    } else if (msg.type == RIG_WIRE_PTP) {
        FUZZ_CHECK(msg.u.ptp.valid <= 1 && msg.u.ptp.gm_present <= 1 &&
                       msg.u.ptp.servo_state <= RIG_WIRE_PTP_SERVO_MAX &&
                       msg.u.ptp.port_state <= RIG_WIRE_PTP_PORT_MAX,
                   "PTP flag or state out of range accepted");
    }
    if (msg.type == RIG_WIRE_FRAME && !(msg.u.frame.flags & RIG_WIRE_FRAME_TRUTH))
        FUZZ_CHECK(msg.u.frame.trigger_seq == 0 && msg.u.frame.true_mono_us == 0,
                   "truth decoded from a FRAME without the truth flag");
    /* Canonical: what was accepted encodes back to the same bytes. */
    uint8_t *again = malloc(size);
    size_t len = 0;
    FUZZ_CHECK(again && rig_wire_encode(&msg, again, size, &len) == RIG_OK,
               "an accepted message does not encode again");
    FUZZ_CHECK(len == size && memcmp(again, buf, size) == 0,
               "an accepted message encodes to other bytes (%zu vs %zu)", len, size);
    free(again);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one(data, size);
    /* The batch walk, on a copy of exactly size bytes. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    size_t pos = 0, splits = 0;
    while (pos < size) {
        size_t n = 1;
        char why[256];
        if (rig_wire_next(buf + pos, size - pos, &n, why, sizeof why) != RIG_OK) {
            FUZZ_CHECK(n == 0, "a rejected tail with a length %zu", n);
            FUZZ_CHECK(memchr(why, '\0', sizeof why) && why[0], "a tail rejected without a reason");
            break;
        }
        FUZZ_CHECK(n >= RIG_WIRE_HEADER_SIZE && n <= size - pos,
                   "a message of %zu bytes split off with %zu left", n, size - pos);
        if (splits++ || n != size) /* the whole input alone was checked above */
            check_one(buf + pos, n);
        pos += n;
    }
    free(buf);
    return 0;
}

/* MCAP file format constants and little-endian field helpers shared by the writer and reader.
 * Written from the MCAP specification (https://mcap.dev/spec). Every integer is little-endian;
 * a record is <opcode:u8><content length:u64><content>. */
#ifndef RIGSYNC_MCAP_FORMAT_H
#define RIGSYNC_MCAP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define RIG_MCAP_MAGIC "\x89MCAP0\r\n"
#define RIG_MCAP_MAGIC_LEN 8
/** Opcode (1) + content length (8). */
#define RIG_MCAP_RECORD_PREFIX 9
/** Footer content: summary_start, summary_offset_start, summary_crc. */
#define RIG_MCAP_FOOTER_CONTENT 20

enum {
    RIG_MCAP_OP_HEADER = 0x01,
    RIG_MCAP_OP_FOOTER = 0x02,
    RIG_MCAP_OP_SCHEMA = 0x03,
    RIG_MCAP_OP_CHANNEL = 0x04,
    RIG_MCAP_OP_MESSAGE = 0x05,
    RIG_MCAP_OP_CHUNK = 0x06,
    RIG_MCAP_OP_MESSAGE_INDEX = 0x07,
    RIG_MCAP_OP_CHUNK_INDEX = 0x08,
    RIG_MCAP_OP_ATTACHMENT = 0x09,
    RIG_MCAP_OP_ATTACHMENT_INDEX = 0x0A,
    RIG_MCAP_OP_STATISTICS = 0x0B,
    RIG_MCAP_OP_METADATA = 0x0C,
    RIG_MCAP_OP_METADATA_INDEX = 0x0D,
    RIG_MCAP_OP_SUMMARY_OFFSET = 0x0E,
    RIG_MCAP_OP_DATA_END = 0x0F,
};

static inline void rig_mcap_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void rig_mcap_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void rig_mcap_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t rig_mcap_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t rig_mcap_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline uint64_t rig_mcap_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#endif

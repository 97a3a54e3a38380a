/* CRC-32 of large pieces on a helper thread (the MCAP writer's chunk CRC).
 *
 * The writer starts the CRC of a piece (e.g. a frame's pixels) here and meanwhile compresses or
 * copies the same piece on its own thread; finish waits for the helper and folds the piece's
 * CRC into the running one (zlib's crc32_combine). CRC-32 as zlib's and the MCAP spec's
 * (libdeflate's PCLMUL code). One caller thread; one piece at a time. */
#ifndef RIGSYNC_MCAP_CRC_H
#define RIGSYNC_MCAP_CRC_H

#include <stddef.h>
#include <stdint.h>

typedef struct rig_mcap_crc rig_mcap_crc_t;

/** Starts the helper thread. NULL when it cannot (then compute the CRC inline). */
rig_mcap_crc_t *rig_mcap_crc_create(void);

/** Starts the CRC of p[0, n) on the helper; p stays valid and unchanged until finish. */
void rig_mcap_crc_start(rig_mcap_crc_t *c, const void *p, size_t n);

/** Waits for the piece started last and returns crc (of the bytes before it) extended by it. */
uint32_t rig_mcap_crc_finish(rig_mcap_crc_t *c, uint32_t crc);

/** Stops the thread and frees c. NULL is a no-op. */
void rig_mcap_crc_destroy(rig_mcap_crc_t *c);

#endif

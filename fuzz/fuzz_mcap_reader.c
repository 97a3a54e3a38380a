/*
 * libFuzzer harness: the MCAP reader (src/mcap/mcap_reader.c) on arbitrary bytes, written to an
 * in-memory file (memfd, opened by its /proc/self/fd path) since the reader takes a path. Open, read the summary, iterate every message:
 * it must never crash, leak or hit undefined behaviour (the build adds ASan + UBSan). Errors
 * are fine, but each must come with a fault and a terminated sentence, and every offset it
 * names and every message it returns must lie inside the input.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "mcap/mcap_reader.h"

static char path[64];
static int mem_fd = -1;

static void check_problem(const rig_mcap_reader_t *r, rig_error_t err, size_t size)
{
    if (err != RIG_ERROR_IO)
        return;
    const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
    FUZZ_CHECK(p->fault != RIG_MCAP_FAULT_NONE, "RIG_ERROR_IO without a fault");
    FUZZ_CHECK(memchr(p->what, '\0', sizeof p->what) != NULL, "problem not terminated");
    FUZZ_CHECK(p->what[0] != '\0', "a fault without a sentence");
    FUZZ_CHECK(p->offset <= size, "fault offset %llu past the input's %zu bytes",
               (unsigned long long)p->offset, size);
    FUZZ_CHECK(strcmp(rig_mcap_fault_name(p->fault), "unknown") != 0, "unnamed fault %d",
               (int)p->fault);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (mem_fd < 0) {
        mem_fd = memfd_create("fuzz_mcap_reader", 0);
        FUZZ_CHECK(mem_fd >= 0, "memfd_create failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", mem_fd);
    }
    if (ftruncate(mem_fd, 0) != 0 ||
        (size && pwrite(mem_fd, data, size, 0) != (ssize_t)size))
        return 0;

    rig_mcap_reader_t *r = NULL;
    /* 4 MiB: a few bytes may claim huge records; keep each run small. */
    rig_error_t err = rig_mcap_reader_open(path, 4u << 20, &r);
    if (err != RIG_OK) {
        FUZZ_CHECK(err == RIG_ERROR_IO || err == RIG_ERROR_NO_MEMORY, "open gave %d", (int)err);
        if (r)
            check_problem(r, err, size);
        rig_mcap_reader_close(r);
        return 0;
    }
    FUZZ_CHECK(r != NULL, "RIG_OK without a reader");
    FUZZ_CHECK(rig_mcap_reader_profile(r) && rig_mcap_reader_library(r), "no header strings");

    rig_mcap_summary_t s;
    err = rig_mcap_reader_read_summary(r, &s);
    check_problem(r, err, size);
    if (err == RIG_OK && s.n_channel_counts)
        FUZZ_CHECK(s.channel_counts != NULL, "channel counts missing");
    uint64_t sum = 0;
    for (size_t i = 0; err == RIG_OK && i < s.n_channel_counts; i++)
        sum += s.channel_counts[i].count;
    (void)sum;

    uint64_t n = 0;
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        err = rig_mcap_reader_next_message(r, &m, &end);
        if (err != RIG_OK) {
            check_problem(r, err, size);
            if (rig_mcap_reader_skip_chunk(r) == RIG_OK) /* recover's way on */
                continue;
            break;
        }
        if (end)
            break;
        n++;
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, m.channel_id);
        FUZZ_CHECK(ch && ch->topic && ch->message_encoding, "a message on an unknown channel");
        FUZZ_CHECK(m.chunk_offset < size, "chunk offset %llu past the input",
                   (unsigned long long)m.chunk_offset);
        volatile uint8_t x = 0;
        for (size_t i = 0; i < m.len; i++) /* every byte must be readable */
            x ^= m.data[i];
        (void)x;
    }
    for (size_t i = 0; i <= rig_mcap_reader_metadata_count(r); i++) {
        const rig_mcap_metadata_t *md = rig_mcap_reader_metadata(r, i);
        if (i == rig_mcap_reader_metadata_count(r)) {
            FUZZ_CHECK(md == NULL, "metadata past the end");
            break;
        }
        FUZZ_CHECK(md && md->name, "metadata %zu missing", i);
        for (size_t k = 0; k < md->n; k++)
            FUZZ_CHECK(md->keys[k] && md->values[k] && strlen(md->keys[k]) <= size &&
                           strlen(md->values[k]) <= size,
                       "metadata %zu pair %zu", i, k);
    }
    rig_mcap_data_stats_t seen;
    rig_mcap_reader_data_stats(r, &seen);
    uint32_t found = 0;
    /* every channel's schema, and schema ids 0..63 */
    for (uint32_t i = 0; i < 65536 && (i < 64 || found < seen.channels); i++) {
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, (uint16_t)i);
        found += ch != NULL;
        if (!ch && i >= 64)
            continue;
        uint16_t id = ch ? ch->schema_id : (uint16_t)i;
        const rig_mcap_schema_t *sc = rig_mcap_reader_schema(r, id);
        if (!sc)
            continue;
        FUZZ_CHECK(sc->id == id && sc->name && sc->encoding && sc->len <= size, "schema %u",
                   (unsigned)id);
        if (sc->len)
            FUZZ_CHECK(sc->data[0] == sc->data[0] && sc->data[sc->len - 1] == sc->data[sc->len - 1],
                       "schema data");
    }
    rig_mcap_data_stats_t st;
    rig_mcap_reader_data_stats(r, &st);
    FUZZ_CHECK(st.messages == n, "stats say %llu messages, %llu returned",
               (unsigned long long)st.messages, (unsigned long long)n);
    FUZZ_CHECK(st.complete_bytes <= size, "complete_bytes %llu past the input",
               (unsigned long long)st.complete_bytes);
    rig_mcap_reader_close(r);

    /* random access (export's way): the chunk list, each chunk by its offset */
    r = NULL;
    if (rig_mcap_reader_open(path, 4u << 20, &r) == RIG_OK) {
        rig_mcap_reader_read_summary(r, &s);
        const rig_mcap_chunk_ref_t *c = NULL;
        size_t nc = 0;
        if (rig_mcap_reader_list_chunks(r, &c, &nc) == RIG_OK) {
            for (size_t i = 0; i < nc && i < 64; i++) {
                FUZZ_CHECK(c[i].offset < size && c[i].length <= size - c[i].offset,
                           "chunk %zu outside the input", i);
                err = rig_mcap_reader_load_chunk(r, c[i].offset);
                for (bool got = true; err == RIG_OK && got;) {
                    rig_mcap_message_t m;
                    err = rig_mcap_reader_chunk_message(r, &m, &got);
                    if (err == RIG_OK && got)
                        FUZZ_CHECK(rig_mcap_reader_channel(r, m.channel_id) &&
                                       m.chunk_offset == c[i].offset,
                                   "a chunk message on an unknown channel");
                }
                if (err != RIG_OK)
                    check_problem(r, err, size);
            }
        }
    }
    rig_mcap_reader_close(r);
    return 0;
}

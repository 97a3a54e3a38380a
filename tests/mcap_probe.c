/*
 * Test helper: what an MCAP file holds, read with rigsync's reader (src/mcap), for the shell tests.
 *   mcap_probe chunks FILE   one line per complete chunk, in file order:
 *                            "chunk OFFSET START_NS END_NS MESSAGES" (log times of its messages),
 *                            then "complete_chunks N" and "end data_end|truncated|error"
 * Exit 0 when the file could be opened, 1 otherwise.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mcap/mcap_reader.h"

static int chunks(const char *path)
{
    rig_mcap_reader_t *r = NULL;
    if (rig_mcap_reader_open(path, 0, &r) != RIG_OK) {
        fprintf(stderr, "mcap_probe: cannot open %s\n", path);
        rig_mcap_reader_close(r);
        return 1;
    }
    uint64_t offset = 0, start = 0, end = 0, n = 0, count = 0;
    const char *how = "data_end";
    for (;;) {
        rig_mcap_message_t m;
        bool at_end = false;
        rig_error_t e = rig_mcap_reader_next_message(r, &m, &at_end);
        if (e != RIG_OK || at_end) {
            if (e != RIG_OK)
                how = rig_mcap_reader_problem(r)->fault == RIG_MCAP_FAULT_TRUNCATED ? "truncated"
                                                                                  : "error";
            break;
        }
        if (n && m.chunk_offset != offset) {
            printf("chunk %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", offset, start, end, n);
            count++;
            n = 0;
        }
        if (n == 0 || m.log_time_ns < start)
            start = m.log_time_ns;
        if (n == 0 || m.log_time_ns > end)
            end = m.log_time_ns;
        offset = m.chunk_offset;
        n++;
    }
    if (n) {
        printf("chunk %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", offset, start, end, n);
        count++;
    }
    printf("complete_chunks %" PRIu64 "\nend %s\n", count, how);
    rig_mcap_reader_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "chunks") == 0)
        return chunks(argv[2]);
    fprintf(stderr, "usage: mcap_probe chunks FILE\n");
    return 2;
}

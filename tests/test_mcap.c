/*
 * MCAP writer and reader (src/mcap): files with 2 channels and 300 messages in several chunks,
 * for each compression (every other message written in two parts), read back message by
 * message (channel, times, sequence, bytes); the summary's statistics; a file cut inside its
 * last chunk still yields every message of the complete chunks; a flipped byte is reported as
 * a CRC error at the right record; a write that fails on a file size limit leaves a finished
 * file of the complete chunks that fit; 100 KiB messages get their CRC from the helper thread.
 * With RIGSYNC_MCAP_OUT=DIR (set by ctest) the valid files are kept there, and one cut file per
 * compression as test_mcap_cut_<compression>.partial.mcap, for the official reader (ctest
 * mcap_official); the corrupted ones are always removed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mcap/mcap_reader.h"
#include "mcap/mcap_writer.h"

#define N_MESSAGES 300
#define T0_NS 1000000000ull
#define PERIOD_NS 33333333ull

static const char *out_dir(void)
{
    const char *d = getenv("RIGSYNC_MCAP_OUT");
    return d && *d ? d : NULL;
}

static void file_path(char *buf, size_t n, const char *name)
{
    const char *d = out_dir();
    snprintf(buf, n, "%s/test_mcap_%s.mcap", d ? d : ".", name);
}

static void remove_file(const char *path)
{
    if (!out_dir())
        unlink(path);
}

/* A file corrupted on purpose: in the working directory, always removed. */
static void scratch_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "./test_mcap_%s.mcap", name);
}

/* Message i: channel 1 for every third message, else 0; a payload of 10 + i % 50 bytes (or
 * fixed_len) whose bytes depend on i. */
static uint16_t channel_of(int i) { return i % 3 == 0 ? 1 : 0; }
static size_t len_of(int i, size_t fixed_len) { return fixed_len ? fixed_len : 10 + (size_t)(i % 50); }
static void payload_of(int i, uint8_t *p, size_t len)
{
    for (size_t k = 0; k < len; k++)
        p[k] = (uint8_t)(i * 7 + (int)k * 13);
}

typedef struct {
    rig_mcap_compression_t compression;
    size_t chunk_size;  /* 0: large, chunks closed by flush every 50 messages */
    size_t fixed_len;   /* 0: 10 + i % 50 */
    uint64_t after_flush[N_MESSAGES / 50 + 1]; /* file offset after the k-th flush (1-based) */
} plan_t;

static void write_file(const char *path, plan_t *plan)
{
    rig_mcap_writer_options_t o = {.compression = plan->compression,
                                   .chunk_size = plan->chunk_size ? plan->chunk_size : 1u << 20};
    rig_mcap_writer_t *w = NULL;
    assert_int_equal(rig_mcap_writer_open(path, &o, &w), RIG_OK);
    static const char image_def[] = "std_msgs/Header header\nuint32 height\nuint32 width\n";
    uint16_t schema = 0, ch0 = 99, ch1 = 99;
    assert_int_equal(rig_mcap_writer_add_schema(w, "sensor_msgs/msg/Image", "ros2msg", image_def,
                                                sizeof(image_def) - 1, &schema),
                     RIG_OK);
    assert_int_equal(schema, 1);
    rig_mcap_kv_t meta[] = {{"serial", "CL8F25300C6"}};
    assert_int_equal(rig_mcap_writer_add_channel(w, schema, "/rig/A/color/image_raw", "cdr", meta,
                                                 1, &ch0),
                     RIG_OK);
    assert_int_equal(rig_mcap_writer_add_channel(w, schema, "/rig/A/depth/image_raw", "cdr", NULL,
                                                 0, &ch1),
                     RIG_OK);
    assert_int_equal(ch0, 0);
    assert_int_equal(ch1, 1);
    rig_mcap_kv_t rig[] = {{"devices", "2"}, {"mode", "PRIMARY"}};
    assert_int_equal(rig_mcap_writer_add_metadata(w, "rig", rig, 2), RIG_OK);
    uint8_t payload[128];
    for (int i = 0; i < N_MESSAGES; i++) {
        size_t len = len_of(i, plan->fixed_len);
        payload_of(i, payload, len);
        uint64_t t = T0_NS + (uint64_t)i * PERIOD_NS;
        if (i % 2 == 0) {
            assert_int_equal(rig_mcap_writer_write_message(w, channel_of(i), (uint32_t)i, t,
                                                           t + 5, payload, len),
                             RIG_OK);
        } else { /* in two parts, split anywhere (also before the first or after the last byte):
                    read back as the one payload, its chunk's CRC right */
            size_t head = (size_t)i % (len + 1);
            assert_int_equal(rig_mcap_writer_write_message_parts(w, channel_of(i), (uint32_t)i, t,
                                                                 t + 5, payload, head,
                                                                 payload + head, len - head),
                             RIG_OK);
        }
        if (!plan->chunk_size && (i + 1) % 50 == 0) {
            assert_int_equal(rig_mcap_writer_flush_chunk(w), RIG_OK);
            rig_mcap_writer_stats_t st;
            rig_mcap_writer_get_stats(w, &st);
            plan->after_flush[(i + 1) / 50] = st.bytes_written;
            /* the file holds every byte written so far */
            FILE *f = fopen(path, "rb");
            assert_non_null(f);
            fseek(f, 0, SEEK_END);
            assert_int_equal((uint64_t)ftell(f), st.bytes_written);
            fclose(f);
        }
    }
    rig_mcap_kv_t verdict[] = {{"verdict", "IN_SYNC"}};
    assert_int_equal(rig_mcap_writer_add_metadata(w, "summary", verdict, 1), RIG_OK);
    assert_int_equal(rig_mcap_writer_close(w), RIG_OK);
}

/* Reads messages until the end or an error; checks each against the plan. Returns the count. */
static int read_messages(rig_mcap_reader_t *r, const plan_t *plan, rig_error_t *last)
{
    int n = 0;
    uint8_t expect[128];
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        *last = rig_mcap_reader_next_message(r, &m, &end);
        if (*last != RIG_OK || end)
            return n;
        assert_true(n < N_MESSAGES);
        assert_int_equal(m.channel_id, channel_of(n));
        assert_int_equal(m.sequence, (uint32_t)n);
        assert_int_equal(m.log_time_ns, T0_NS + (uint64_t)n * PERIOD_NS);
        assert_int_equal(m.publish_time_ns, T0_NS + (uint64_t)n * PERIOD_NS + 5);
        size_t len = len_of(n, plan->fixed_len);
        assert_int_equal(m.len, len);
        payload_of(n, expect, len);
        assert_memory_equal(m.data, expect, len);
        assert_true(m.chunk_offset > 0);
        n++;
    }
}

static void check_round_trip(rig_mcap_compression_t c, const char *name, size_t chunk_size,
                             size_t fixed_len, uint32_t chunks)
{
    char path[512];
    file_path(path, sizeof path, name);
    plan_t plan = {.compression = c, .chunk_size = chunk_size, .fixed_len = fixed_len};
    write_file(path, &plan);

    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    assert_string_equal(rig_mcap_reader_profile(r), "ros2");
    assert_string_equal(rig_mcap_reader_library(r), "rigsync");
    rig_error_t last;
    assert_int_equal(read_messages(r, &plan, &last), N_MESSAGES);
    assert_int_equal(last, RIG_OK);
    const rig_mcap_channel_t *c0 = rig_mcap_reader_channel(r, 0), *c1 = rig_mcap_reader_channel(r, 1);
    assert_non_null(c0);
    assert_non_null(c1);
    assert_string_equal(c0->topic, "/rig/A/color/image_raw");
    assert_string_equal(c1->topic, "/rig/A/depth/image_raw");
    assert_string_equal(c1->message_encoding, "cdr");
    assert_int_equal(c1->schema_id, 1);
    assert_null(rig_mcap_reader_channel(r, 2));
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    assert_int_equal(ds.messages, N_MESSAGES);
    assert_int_equal(ds.chunks, chunks);
    assert_int_equal(ds.metadata, 2);
    assert_int_equal(ds.schemas, 1);
    assert_int_equal(ds.channels, 2);
    assert_true(ds.data_end);

    rig_mcap_summary_t s;
    assert_int_equal(rig_mcap_reader_read_summary(r, &s), RIG_OK);
    assert_true(s.has_statistics);
    assert_int_equal(s.summary_start, ds.complete_bytes); /* right after DataEnd */
    assert_int_not_equal(s.summary_crc, 0);
    assert_int_equal(s.message_count, N_MESSAGES);
    assert_int_equal(s.schema_count, 1);
    assert_int_equal(s.channel_count, 2);
    assert_int_equal(s.attachment_count, 0);
    assert_int_equal(s.metadata_count, 2);
    assert_int_equal(s.chunk_count, chunks);
    assert_int_equal(s.message_start_time, T0_NS);
    assert_int_equal(s.message_end_time, T0_NS + (N_MESSAGES - 1) * PERIOD_NS);
    assert_int_equal(s.n_channel_counts, 2);
    /* every third message (0, 3, ..., 297) on channel 1: 100; the rest on channel 0: 200 */
    assert_int_equal(s.channel_counts[0].channel_id, 0);
    assert_int_equal(s.channel_counts[0].count, 200);
    assert_int_equal(s.channel_counts[1].channel_id, 1);
    assert_int_equal(s.channel_counts[1].count, 100);
    assert_int_equal(s.n_schemas, 1);
    assert_int_equal(s.n_channels, 2);
    assert_int_equal(s.n_chunk_indexes, chunks);
    assert_int_equal(s.n_metadata_indexes, 2);
    /* groups: schemas, channels, statistics, chunk indexes, metadata indexes */
    assert_int_equal(s.n_summary_offsets, 5);
    rig_mcap_reader_close(r);
    remove_file(path);
}

static void round_trip_without_compression(void **state)
{
    (void)state;
    check_round_trip(RIG_MCAP_COMPRESSION_NONE, "none", 0, 0, N_MESSAGES / 50);
}

static void round_trip_with_zstd(void **state)
{
    (void)state;
    check_round_trip(RIG_MCAP_COMPRESSION_ZSTD, "zstd", 0, 0, N_MESSAGES / 50);
}

static void round_trip_with_lz4(void **state)
{
    (void)state;
    check_round_trip(RIG_MCAP_COMPRESSION_LZ4, "lz4", 0, 0, N_MESSAGES / 50);
}

/* A Message record of a 100-byte payload is 9 + 22 + 100 = 131 bytes: a chunk reaches 1000
 * bytes at its 8th message (1048; 7 make 917), so 300 messages make 37 chunks of 8 and one of 4. */
static void chunks_should_close_at_their_size(void **state)
{
    (void)state;
    check_round_trip(RIG_MCAP_COMPRESSION_ZSTD, "sized", 1000, 100, 38);
    check_round_trip(RIG_MCAP_COMPRESSION_LZ4, "sized_lz4", 1000, 100, 38);
}

/* Messages of 100 KiB + 3 bytes in two parts (7 bytes, the rest): the rest's CRC on the helper
 * thread (crc_thread), folded into the chunk's. A Message record is 31 + 102403 = 102434 bytes;
 * a 512 KiB chunk closes at its 6th (614604 >= 524288; 5 make 512170): 24 messages, 4 chunks,
 * each read back whole with its CRC (zlib's, in the reader) right. */
static void check_large_messages(rig_mcap_compression_t c, const char *name)
{
    enum { N = 24, LEN = 100 * 1024 + 3 };
    char path[512];
    file_path(path, sizeof path, name);
    uint8_t *buf = malloc(LEN);
    assert_non_null(buf);
    rig_mcap_writer_options_t o = {.compression = c, .chunk_size = 512u << 10, .crc_thread = true};
    rig_mcap_writer_t *w = NULL;
    assert_int_equal(rig_mcap_writer_open(path, &o, &w), RIG_OK);
    uint16_t ch = 99;
    assert_int_equal(rig_mcap_writer_add_channel(w, 0, "/big", "cdr", NULL, 0, &ch), RIG_OK);
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < LEN; k++)
            buf[k] = (uint8_t)(i * 31 + (int)k * 7 + (int)(k >> 9));
        assert_int_equal(rig_mcap_writer_write_message_parts(w, ch, (uint32_t)i, T0_NS + (uint64_t)i,
                                                             T0_NS + (uint64_t)i, buf, 7, buf + 7,
                                                             LEN - 7),
                         RIG_OK);
    }
    assert_int_equal(rig_mcap_writer_close(w), RIG_OK);

    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    int n = 0;
    for (;;) {
        rig_mcap_message_t m;
        bool end = false;
        assert_int_equal(rig_mcap_reader_next_message(r, &m, &end), RIG_OK);
        if (end)
            break;
        assert_int_equal(m.sequence, (uint32_t)n);
        assert_int_equal(m.len, LEN);
        for (size_t k = 0; k < LEN; k++)
            buf[k] = (uint8_t)(n * 31 + (int)k * 7 + (int)(k >> 9));
        assert_memory_equal(m.data, buf, LEN);
        n++;
    }
    assert_int_equal(n, N);
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    assert_int_equal(ds.chunks, 4);
    assert_true(ds.data_end);
    rig_mcap_reader_close(r);
    free(buf);
    remove_file(path);
}

static void large_messages_should_have_their_crc_from_the_helper_thread(void **state)
{
    (void)state;
    check_large_messages(RIG_MCAP_COMPRESSION_ZSTD, "large_zstd");
    check_large_messages(RIG_MCAP_COMPRESSION_NONE, "large_none");
}

static void cut_file(const char *path, uint64_t size)
{
    assert_int_equal(truncate(path, (off_t)size), 0);
}

static void flip_byte(const char *path, uint64_t offset)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_not_equal(c, EOF);
    assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
    fputc(c ^ 0x5a, f);
    fclose(f);
}

/* Cut inside the 6th (last) chunk: the 5 complete chunks' 250 messages, then "truncated". */
static void truncated_file_should_yield_its_complete_chunks(void **state)
{
    (void)state;
    static const rig_mcap_compression_t cs[] = {RIG_MCAP_COMPRESSION_NONE,
                                                RIG_MCAP_COMPRESSION_ZSTD, RIG_MCAP_COMPRESSION_LZ4};
    for (size_t k = 0; k < 3; k++) {
        for (int inside = 0; inside < 2; inside++) {
            static const char *const names[] = {"cut_none", "cut_zstd", "cut_lz4"};
            char path[512], name[64];
            /* the cut inside the last chunk is kept for the official reader (--partial) */
            snprintf(name, sizeof name, "%s%s", names[k], inside ? ".partial" : "");
            if (inside)
                file_path(path, sizeof path, name);
            else
                scratch_path(path, sizeof path, name);
            plan_t plan = {.compression = cs[k]};
            write_file(path, &plan);
            /* the chunk record's fixed fields alone are 9 + 8 * 3 + 4 + 4 + 8 = 49 bytes */
            uint64_t cut = plan.after_flush[5] + (inside ? 40 : 0);
            cut_file(path, cut);
            rig_mcap_reader_t *r = NULL;
            assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
            rig_error_t last;
            assert_int_equal(read_messages(r, &plan, &last), 250);
            assert_int_equal(last, RIG_ERROR_IO);
            const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
            assert_int_equal(p->fault, RIG_MCAP_FAULT_TRUNCATED);
            assert_int_equal(p->offset, plan.after_flush[5]);
            rig_mcap_data_stats_t ds;
            rig_mcap_reader_data_stats(r, &ds);
            assert_int_equal(ds.chunks, 5);
            assert_int_equal(ds.complete_bytes, plan.after_flush[5]);
            assert_false(ds.data_end);
            rig_mcap_summary_t s;
            assert_int_equal(rig_mcap_reader_read_summary(r, &s), RIG_ERROR_IO);
            assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_TRUNCATED);
            rig_mcap_reader_close(r);
            if (inside)
                remove_file(path);
            else
                unlink(path);
        }
    }
}

/* A flipped payload byte in the 3rd chunk (uncompressed: the byte is in its records): the two
 * chunks before it are read, then a CRC error at the chunk's offset. */
static void corrupted_chunk_should_be_a_crc_error(void **state)
{
    (void)state;
    char path[512];
    scratch_path(path, sizeof path, "corrupt");
    plan_t plan = {.compression = RIG_MCAP_COMPRESSION_NONE};
    write_file(path, &plan);
    /* 49 bytes of chunk header, 31 of the first Message's prefix and fields: 85 is payload */
    flip_byte(path, plan.after_flush[2] + 85);
    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    rig_error_t last;
    assert_int_equal(read_messages(r, &plan, &last), 100);
    assert_int_equal(last, RIG_ERROR_IO);
    assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_CRC);
    assert_int_equal(rig_mcap_reader_problem(r)->offset, plan.after_flush[2]);
    rig_mcap_reader_close(r);
    unlink(path);
}

/* A flipped byte in a Message Index (outside every chunk) is caught by DataEnd's CRC; one in
 * the summary by the footer's summary CRC. */
static void corrupted_index_or_summary_should_be_a_crc_error(void **state)
{
    (void)state;
    char path[512];
    scratch_path(path, sizeof path, "corrupt_index");
    plan_t plan = {.compression = RIG_MCAP_COMPRESSION_ZSTD};
    write_file(path, &plan);
    flip_byte(path, plan.after_flush[1] - 3); /* the last offset of chunk 1's last index */
    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    rig_error_t last;
    assert_int_equal(read_messages(r, &plan, &last), N_MESSAGES);
    assert_int_equal(last, RIG_ERROR_IO);
    assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_CRC);
    rig_mcap_summary_t s;
    assert_int_equal(rig_mcap_reader_read_summary(r, &s), RIG_OK);
    uint64_t summary_start = s.summary_start;
    rig_mcap_reader_close(r);

    flip_byte(path, summary_start + 20);
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    assert_int_equal(rig_mcap_reader_read_summary(r, &s), RIG_ERROR_IO);
    assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_CRC);
    assert_int_equal(rig_mcap_reader_problem(r)->offset, summary_start);
    rig_mcap_reader_close(r);
    unlink(path);
}

static void foreign_file_should_be_bad_magic(void **state)
{
    (void)state;
    char path[512];
    file_path(path, sizeof path, "foreign");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("PK\x03\x04 this is not an MCAP file at all", f);
    fclose(f);
    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_ERROR_IO);
    assert_non_null(r);
    assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_BAD_MAGIC);
    assert_string_equal(rig_mcap_fault_name(RIG_MCAP_FAULT_BAD_MAGIC), "bad_magic");
    rig_mcap_reader_close(r);
    unlink(path);
    r = NULL;
    assert_int_equal(rig_mcap_reader_open("/nonexistent/x.mcap", 0, &r), RIG_ERROR_IO);
    assert_int_equal(rig_mcap_reader_problem(r)->fault, RIG_MCAP_FAULT_IO);
    rig_mcap_reader_close(r);
}

static void writer_should_reject_bad_arguments(void **state)
{
    (void)state;
    char path[512];
    file_path(path, sizeof path, "args");
    rig_mcap_writer_t *w = NULL;
    assert_int_equal(rig_mcap_writer_open(path, NULL, &w), RIG_OK);
    uint16_t id;
    /* no schema 1 yet, no channel 0 yet */
    assert_int_equal(rig_mcap_writer_add_channel(w, 1, "/t", "cdr", NULL, 0, &id),
                     RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_mcap_writer_write_message(w, 0, 0, 1, 1, "x", 1),
                     RIG_ERROR_INVALID_ARGUMENT);
    assert_int_equal(rig_mcap_writer_close(w), RIG_OK);
    w = NULL;
    assert_int_equal(rig_mcap_writer_open("/nonexistent/dir/x.mcap", NULL, &w), RIG_ERROR_IO);
    assert_null(w);
    unlink(path);
}

/* ---- a full disk (a file size limit: EFBIG) ---- */

typedef struct {
    int fail_at;                /* message whose write failed, -1 = none */
    int later_call;             /* what a write after the failure returned */
    int close_result;
    rig_mcap_writer_stats_t st; /* after finish */
    uint32_t n_ends;
    uint64_t chunk_end[40];     /* offset after chunk k's message indexes (unlimited run) */
} limited_t;

/* In a child (the limit must not hit the test runner): chunks of 8 messages (chunk_size 1000,
 * 100-byte payloads, no compression), as chunks_should_close_at_their_size, with the file size
 * limited to limit bytes (0 = none). Writes until a write fails. */
static void write_limited(const char *path, uint64_t limit, limited_t *out)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        limited_t res;
        memset(&res, 0, sizeof res);
        res.fail_at = -1;
        signal(SIGXFSZ, SIG_IGN);
        if (limit) {
            struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(3);
        }
        rig_mcap_writer_options_t o = {.compression = RIG_MCAP_COMPRESSION_NONE,
                                       .chunk_size = 1000};
        rig_mcap_writer_t *w = NULL;
        static const char def[] = "uint32 height\n";
        rig_mcap_kv_t rig[] = {{"devices", "2"}};
        if (rig_mcap_writer_open(path, &o, &w) != RIG_OK ||
            rig_mcap_writer_add_schema(w, "a/msg/B", "ros2msg", def, sizeof def - 1, NULL) ||
            rig_mcap_writer_add_channel(w, 1, "/rig/A/color/image_raw", "cdr", NULL, 0, NULL) ||
            rig_mcap_writer_add_channel(w, 1, "/rig/A/depth/image_raw", "cdr", NULL, 0, NULL) ||
            rig_mcap_writer_add_metadata(w, "rig", rig, 1))
            _exit(4);
        uint8_t payload[100];
        for (int i = 0; i < N_MESSAGES; i++) {
            payload_of(i, payload, sizeof payload);
            rig_mcap_writer_stats_t st;
            rig_mcap_writer_get_stats(w, &st);
            uint32_t before = st.chunk_count;
            if (rig_mcap_writer_write_message(w, channel_of(i), (uint32_t)i,
                                              T0_NS + (uint64_t)i * PERIOD_NS,
                                              T0_NS + (uint64_t)i * PERIOD_NS + 5, payload,
                                              sizeof payload) != RIG_OK) {
                res.fail_at = i;
                res.later_call = rig_mcap_writer_write_message(w, 0, 0, 0, 0, payload, 1);
                break;
            }
            rig_mcap_writer_get_stats(w, &st);
            if (st.chunk_count != before && res.n_ends < 40)
                res.chunk_end[res.n_ends++] = st.bytes_written;
        }
        res.close_result = rig_mcap_writer_finish(w);
        rig_mcap_writer_get_stats(w, &res.st);
        rig_mcap_writer_close(w);
        ssize_t k = write(fds[1], &res, sizeof res);
        _exit(k == (ssize_t)sizeof res ? 0 : 5);
    }
    close(fds[1]);
    memset(out, 0, sizeof *out);
    size_t got = 0;
    while (got < sizeof *out) {
        ssize_t k = read(fds[0], (char *)out + got, sizeof *out - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(got, sizeof *out);
}

/* The cut file is a complete MCAP file holding exactly the first `kept` messages. */
static void check_finished(const char *path, uint64_t kept, uint64_t limit)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    assert_true((uint64_t)ftell(f) <= limit);
    fclose(f);
    plan_t plan = {.fixed_len = 100};
    rig_mcap_reader_t *r = NULL;
    assert_int_equal(rig_mcap_reader_open(path, 0, &r), RIG_OK);
    rig_error_t last;
    assert_int_equal(read_messages(r, &plan, &last), (int)kept);
    assert_int_equal(last, RIG_OK); /* up to DataEnd, its CRC right */
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    assert_true(ds.data_end);
    assert_int_equal(ds.chunks, kept / 8);
    assert_int_equal(ds.metadata, 1);
    rig_mcap_summary_t s;
    assert_int_equal(rig_mcap_reader_read_summary(r, &s), RIG_OK);
    assert_true(s.has_statistics);
    assert_int_equal(s.message_count, kept);
    assert_int_equal(s.chunk_count, kept / 8);
    assert_int_equal(s.n_chunk_indexes, kept / 8);
    assert_int_equal(s.metadata_count, 1);
    assert_int_equal(s.message_end_time, T0_NS + (kept - 1) * PERIOD_NS);
    /* messages 0, 3, 6, ... on channel 1: ceil(kept / 3) of them */
    assert_int_equal(s.n_channel_counts, 2);
    assert_int_equal(s.channel_counts[1].count, (kept + 2) / 3);
    assert_int_equal(s.channel_counts[0].count, kept - (kept + 2) / 3);
    rig_mcap_reader_close(r);
}

/* The limit falls one byte short of the end of chunk k+1's record (a Chunk record of 8 messages
 * is 9 + 40 + 8 * 131 = 1097 bytes): its write fails on the message that closes it (index
 * 8(k+1)-1). The file is cut back to chunk k's end and finished there. With k = 4 the summary
 * (5 chunk indexes) fits in the 1096 bytes the cut chunk freed; with k = 24 the 24 chunk indexes
 * alone (24 * 93 bytes) do not, so whole chunks are dropped until the summary fits. */
static void full_disk_should_leave_a_finished_file(void **state)
{
    (void)state;
    char path[512];
    file_path(path, sizeof path, "full");
    limited_t free_run;
    write_limited(path, 0, &free_run);
    assert_int_equal(free_run.fail_at, -1);
    assert_int_equal(free_run.n_ends, 37); /* 300 messages: 37 chunks of 8 close on their size */
    static const uint32_t ks[] = {4, 24};
    for (size_t t = 0; t < 2; t++) {
        uint32_t k = ks[t];
        uint64_t limit = free_run.chunk_end[k - 1] + 1097 - 1;
        limited_t res;
        write_limited(path, limit, &res);
        assert_int_equal(res.fail_at, 8 * (int)(k + 1) - 1);
        assert_int_equal(res.later_call, RIG_ERROR_IO);
        assert_int_equal(res.close_result, RIG_ERROR_IO);
        assert_int_equal(res.st.error_errno, EFBIG);
        assert_true(res.st.recovered);
        assert_true(res.st.complete);
        assert_int_equal(res.st.message_count, 8 * (k + 1));
        if (t == 0)
            assert_int_equal(res.st.dropped_chunks, 0);
        else
            assert_true(res.st.dropped_chunks >= 1);
        uint64_t kept = 8 * (uint64_t)(k - res.st.dropped_chunks);
        assert_int_equal(res.st.kept_messages, kept);
        assert_int_equal(res.st.chunk_count, k - res.st.dropped_chunks);
        assert_int_equal(res.st.kept_end_time_ns, T0_NS + (kept - 1) * PERIOD_NS);
        check_finished(path, kept, limit);
    }
    remove_file(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_without_compression),
        cmocka_unit_test(round_trip_with_zstd),
        cmocka_unit_test(round_trip_with_lz4),
        cmocka_unit_test(chunks_should_close_at_their_size),
        cmocka_unit_test(large_messages_should_have_their_crc_from_the_helper_thread),
        cmocka_unit_test(truncated_file_should_yield_its_complete_chunks),
        cmocka_unit_test(corrupted_chunk_should_be_a_crc_error),
        cmocka_unit_test(full_disk_should_leave_a_finished_file),
        cmocka_unit_test(corrupted_index_or_summary_should_be_a_crc_error),
        cmocka_unit_test(foreign_file_should_be_bad_magic),
        cmocka_unit_test(writer_should_reject_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

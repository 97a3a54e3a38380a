/*
 * rigsync info FILE.mcap and rigsync recover BROKEN.mcap -o FIXED.mcap: what a recording holds
 * (devices, streams, duration, counts, recorder drops, verdict, from its metadata and its
 * messages), and a complete file (summary and indexes) from every complete chunk of a cut one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_writer.h"

#define N_IDS 65536

static const rig_mcap_metadata_t *find_metadata(const rig_mcap_reader_t *r, const char *name)
{
    const rig_mcap_metadata_t *found = NULL;
    for (size_t i = 0; i < rig_mcap_reader_metadata_count(r); i++) {
        const rig_mcap_metadata_t *m = rig_mcap_reader_metadata(r, i);
        if (strcmp(m->name, name) == 0)
            found = m; /* the last one */
    }
    return found;
}

static const char *meta_value(const rig_mcap_metadata_t *m, const char *key)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0)
            return m->values[i];
    return NULL;
}

static const char *meta_or(const rig_mcap_metadata_t *m, const char *key)
{
    const char *v = meta_value(m, key);
    return v ? v : "?";
}

void cli_print_mcap_problem(const char *cmd, const char *path, const rig_mcap_reader_t *r,
                            rig_error_t err)
{
    const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
    if (err == RIG_ERROR_NO_MEMORY || !p || p->fault == RIG_MCAP_FAULT_NONE)
        fprintf(stderr, "rigsync %s: %s: %s\n", cmd, path, rig_error_name(err));
    else
        fprintf(stderr, "rigsync %s: %s: offset %" PRIu64 ": %s (%s)\n", cmd, path, p->offset,
                p->what, rig_mcap_fault_name(p->fault));
}

typedef struct {
    char text[64]; /* "rgb8 640x480" of an Image channel's first message, or "" */
} format_t;

/* The encoding and resolution of a channel's first message, when it is an Image (CDR:
 * header stamp, frame_id, height, width, encoding). */
static void note_format(format_t *formats, const rig_mcap_reader_t *r, const rig_mcap_message_t *m)
{
    const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, m->channel_id);
    const rig_mcap_schema_t *s = ch ? rig_mcap_reader_schema(r, ch->schema_id) : NULL;
    bool image = s && strcmp(s->name, "sensor_msgs/msg/Image") == 0;
    bool compressed = s && strcmp(s->name, "sensor_msgs/msg/CompressedImage") == 0;
    if (!image && !compressed)
        return;
    const uint8_t *p = m->data;
    size_t n = m->len, at = 12; /* encapsulation 4, sec 4, nanosec 4 */
    uint32_t w = 0, h = 0;
    char enc[32] = "";
#define CDR_U32(v)                                                                                \
    do {                                                                                          \
        at = (at + 3) & ~(size_t)3;                                                               \
        if (at + 4 > n)                                                                           \
            return;                                                                               \
        v = rig_mcap_get_u32(p + at);                                                             \
        at += 4;                                                                                  \
    } while (0)
    uint32_t len;
    CDR_U32(len); /* frame_id */
    if (len > n - at)
        return;
    at += len;
    if (image) {
        CDR_U32(h);
        CDR_U32(w);
    }
    CDR_U32(len); /* encoding (Image) or format (CompressedImage) */
    if (len == 0 || len > n - at)
        return;
    snprintf(enc, sizeof enc, "%.*s", (int)(len - 1 < 31 ? len - 1 : 31), (const char *)p + at);
#undef CDR_U32
    if (image)
        snprintf(formats[m->channel_id].text, sizeof formats[0].text, "%s %ux%u", enc, w, h);
    else
        snprintf(formats[m->channel_id].text, sizeof formats[0].text, "%s", enc);
}

/* chunks: how many, their compression, compressed and uncompressed bytes (from the chunk
 * list: the summary's Chunk Indexes). */
static void print_chunks(rig_mcap_reader_t *r)
{
    const rig_mcap_chunk_ref_t *c;
    size_t n;
    if (rig_mcap_reader_list_chunks(r, &c, &n) != RIG_OK)
        return;
    uint64_t comp = 0, raw = 0;
    char kinds[64] = "";
    for (size_t i = 0; i < n; i++) {
        comp += c[i].compressed_size;
        raw += c[i].uncompressed_size;
        const char *k = c[i].compression[0] ? c[i].compression : "none";
        if (!strstr(kinds, k) && strlen(kinds) + strlen(k) + 2 < sizeof kinds)
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                     kinds[0] ? "+" : "", k);
    }
    printf("chunks: %zu, compression %s, %" PRIu64 " bytes of %" PRIu64
           " uncompressed (ratio %.2f)\n",
           n, n ? kinds : "none", comp, raw, comp ? (double)raw / (double)comp : 0.0);
}

typedef struct {
    uint64_t offset, end, messages;
} chunk_row_t;

int cli_info(int argc, char **argv)
{
    const char *path = NULL;
    bool chunks = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--chunks") == 0)
            chunks = true;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "rigsync info: unexpected \"%s\"; usage: rigsync info FILE.mcap "
                            "[--chunks]\n", argv[i]);
            return CLI_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "rigsync info: which file? usage: rigsync info FILE.mcap [--chunks]\n");
        return CLI_USAGE;
    }
    rig_mcap_reader_t *r = NULL;
    uint64_t *counts = calloc(N_IDS, sizeof(uint64_t));
    format_t *formats = calloc(N_IDS, sizeof(format_t));
    chunk_row_t *rows = NULL;
    size_t n_rows = 0, cap_rows = 0;
    int rc = CLI_RUNTIME;
    if (!counts || !formats) {
        fprintf(stderr, "rigsync info: out of memory\n");
        free(counts);
        free(formats);
        return CLI_RUNTIME;
    }
    rig_error_t err = rig_mcap_reader_open(path, 0, &r);
    rig_mcap_summary_t sum;
    memset(&sum, 0, sizeof sum);
    if (err == RIG_OK)
        err = rig_mcap_reader_read_summary(r, &sum);
    uint64_t total = 0, t0 = UINT64_MAX, t1 = 0;
    bool end = false;
    while (err == RIG_OK && !end) {
        rig_mcap_message_t m;
        err = rig_mcap_reader_next_message(r, &m, &end);
        if (err != RIG_OK || end)
            break;
        if (counts[m.channel_id]++ == 0)
            note_format(formats, r, &m);
        total++;
        t0 = m.log_time_ns < t0 ? m.log_time_ns : t0;
        t1 = m.log_time_ns > t1 ? m.log_time_ns : t1;
        if (m.chunk_offset && (n_rows == 0 || rows[n_rows - 1].offset != m.chunk_offset)) {
            if (n_rows == cap_rows) {
                size_t nc = cap_rows ? 2 * cap_rows : 64;
                chunk_row_t *g = realloc(rows, nc * sizeof(*g));
                if (!g) {
                    err = RIG_ERROR_NO_MEMORY;
                    break;
                }
                rows = g;
                cap_rows = nc;
            }
            rig_mcap_data_stats_t ds;
            rig_mcap_reader_data_stats(r, &ds);
            rows[n_rows++] = (chunk_row_t){m.chunk_offset, ds.complete_bytes, 0};
        }
        if (m.chunk_offset)
            rows[n_rows - 1].messages++;
    }
    if (err != RIG_OK) {
        cli_print_mcap_problem("info", path, r, err);
        fprintf(stderr,
                "rigsync info: %s is cut or damaged; `rigsync recover %s -o "
                "FIXED.mcap` writes a complete file from its intact chunks.\n",
                path, path);
        rc = err == RIG_ERROR_NO_MEMORY ? CLI_RUNTIME : CLI_USAGE;
        goto out;
    }
    if (sum.has_statistics && sum.message_count != total) {
        fprintf(stderr,
                "rigsync info: %s: the statistics count %" PRIu64 " messages, the file holds "
                "%" PRIu64 "; `rigsync recover %s -o FIXED.mcap` rewrites its summary.\n",
                path, sum.message_count, total, path);
        rc = CLI_USAGE;
        goto out;
    }
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    printf("file: %s, profile \"%s\", library \"%s\": complete (%s)\n", path,
           rig_mcap_reader_profile(r), rig_mcap_reader_library(r),
           sum.summary_start ? "summary and footer" : "footer, no summary");
    const rig_mcap_metadata_t *rig = find_metadata(r, "rigsync.rig");
    const rig_mcap_metadata_t *cfg = find_metadata(r, "rigsync.config");
    const rig_mcap_metadata_t *res = find_metadata(r, "rigsync.summary");
    const char *nd = meta_value(rig, "device_count");
    printf("devices: %s\n", nd ? nd : "unknown (no rigsync.rig metadata)");
    for (size_t i = 0; rig && i < rig->n; i++) {
        if (strncmp(rig->keys[i], "devices[", 8) != 0)
            continue;
        const char *c = meta_value(cfg, rig->keys[i]);
        const char *mode = c ? strstr(c, " mode ") : NULL;
        int mlen = 0;
        if (mode) {
            mode += 6;
            mlen = (int)strcspn(mode, " ");
        }
        printf("  %s: %s; mode %.*s\n", rig->keys[i], rig->values[i], mode ? mlen : 7,
               mode ? mode : "unknown");
    }
    uint64_t frames = 0, sets = 0, events = 0;
    size_t n_topics = 0;
    for (uint32_t id = 0; id < N_IDS; id++)
        if (rig_mcap_reader_channel(r, (uint16_t)id))
            n_topics++;
    printf("streams: %zu channels, %" PRIu64 " messages in %" PRIu32 " chunks, %" PRIu32
           " metadata records\n",
           n_topics, total, ds.chunks, ds.metadata);
    for (uint32_t id = 0; id < N_IDS; id++) {
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, (uint16_t)id);
        if (!ch)
            continue;
        const rig_mcap_schema_t *s = rig_mcap_reader_schema(r, ch->schema_id);
        printf("  %s (%s): %" PRIu64 " messages%s%s\n", ch->topic, s ? s->name : "no schema",
               counts[id], formats[id].text[0] ? ", " : "", formats[id].text);
        size_t tl = strlen(ch->topic);
        if (tl >= 11 && strcmp(ch->topic + tl - 11, "/frame_info") == 0)
            frames += counts[id];
        if (strcmp(ch->topic, "/rig/framesets") == 0)
            sets = counts[id];
        if (strcmp(ch->topic, "/rig/clock_events") == 0)
            events = counts[id];
    }
    if (total)
        printf("duration: %.3f s (log time of the first to the last message)\n",
               (double)(t1 - t0) / 1e9);
    else
        printf("duration: 0 s (no message)\n");
    printf("frames in file: %" PRIu64 "\n", frames);
    printf("framesets in file: %" PRIu64 "; clock events in file: %" PRIu64 "\n", sets, events);
    print_chunks(r);
    if (res) {
        for (size_t i = 0; i < res->n; i++)
            if (strncmp(res->keys[i], "devices[", 8) == 0)
                printf("  %s: %s\n", res->keys[i], res->values[i]);
        printf("recorder: written %s frames, %s framesets, %s clock events; dropped %s frames, "
               "%s framesets, %s clock events\n",
               meta_or(res, "recorder.frames_written"),
               meta_or(res, "recorder.framesets_written"),
               meta_or(res, "recorder.clock_events_written"),
               meta_or(res, "recorder.dropped_frames"),
               meta_or(res, "recorder.dropped_framesets"),
               meta_or(res, "recorder.dropped_clock_events"));
        const char *v = meta_value(res, "verdict");
        printf("verdict: %s\n", v ? v : "not recorded");
    } else {
        printf("verdict: not recorded (no rigsync.summary metadata: the recording did not "
               "close)\n");
    }
    if (chunks)
        for (size_t i = 0; i < n_rows; i++)
            printf("chunk: offset %" PRIu64 " end %" PRIu64 " messages %" PRIu64 "\n",
                   rows[i].offset, rows[i].end, rows[i].messages);
    rc = CLI_OK;
out:
    rig_mcap_reader_close(r);
    free(counts);
    free(formats);
    free(rows);
    return rc;
}

/* Output ids of the input's schemas and channels: 0 = not written yet, else id + 1. */
typedef struct {
    rig_mcap_writer_t *w;
    const rig_mcap_reader_t *r;
    uint32_t *schema, *channel;
} recover_t;

static rig_error_t ensure_channel(recover_t *x, uint16_t id)
{
    if (x->channel[id])
        return RIG_OK;
    const rig_mcap_channel_t *ch = rig_mcap_reader_channel(x->r, id);
    if (!ch)
        return RIG_ERROR_INVALID_ARGUMENT;
    uint16_t sid = 0;
    const rig_mcap_schema_t *s = ch->schema_id ? rig_mcap_reader_schema(x->r, ch->schema_id) : NULL;
    if (s) {
        if (!x->schema[s->id]) {
            uint16_t out;
            rig_error_t e =
                rig_mcap_writer_add_schema(x->w, s->name, s->encoding, s->data, s->len, &out);
            if (e != RIG_OK)
                return e;
            x->schema[s->id] = (uint32_t)out + 1;
        }
        sid = (uint16_t)(x->schema[s->id] - 1);
    }
    uint16_t out;
    rig_error_t e = rig_mcap_writer_add_channel(x->w, sid, ch->topic, ch->message_encoding, NULL,
                                                0, &out);
    if (e == RIG_OK)
        x->channel[id] = (uint32_t)out + 1;
    return e;
}

/* Per channel: messages kept and lost; lost from the input's statistics when its summary
 * stands, else from the Message Index records of the skipped chunks (a cut tail's are unknown). */
static void print_channel_counts(const rig_mcap_reader_t *r, const uint64_t *kept,
                                 const rig_mcap_summary_t *sum, bool cut)
{
    for (uint32_t id = 0; id < N_IDS; id++) {
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, (uint16_t)id);
        if (!ch)
            continue;
        uint64_t lost = rig_mcap_reader_lost_messages(r, (uint16_t)id);
        bool known = !cut;
        for (size_t i = 0; sum && i < sum->n_channel_counts; i++)
            if (sum->channel_counts[i].channel_id == id) {
                uint64_t had = sum->channel_counts[i].count;
                lost = had > kept[id] ? had - kept[id] : 0;
                known = true;
            }
        printf("  %s: kept %" PRIu64 ", lost %" PRIu64 "%s\n", ch->topic, kept[id], lost,
               known ? "" : " and those of the cut tail");
    }
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int cli_recover(int argc, char **argv)
{
    const char *in = NULL, *outp = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            outp = argv[++i];
        else if (argv[i][0] == '-' || in) {
            fprintf(stderr, "rigsync recover: unexpected \"%s\"; usage: rigsync recover "
                            "BROKEN.mcap -o FIXED.mcap\n", argv[i]);
            return CLI_USAGE;
        } else
            in = argv[i];
    }
    if (!in || !outp) {
        fprintf(stderr, "rigsync recover: give the broken file and the file to write: rigsync "
                        "recover BROKEN.mcap -o FIXED.mcap\n");
        return CLI_USAGE;
    }
    if (same_file(in, outp)) {
        fprintf(stderr, "rigsync recover: -o %s is the input file; write to another file.\n",
                outp);
        return CLI_USAGE;
    }
    rig_mcap_reader_t *r = NULL;
    rig_error_t err = rig_mcap_reader_open(in, 0, &r);
    if (err != RIG_OK) {
        cli_print_mcap_problem("recover", in, r, err);
        fprintf(stderr, "rigsync recover: nothing to recover from %s (not an MCAP recording).\n",
                in);
        rig_mcap_reader_close(r);
        return err == RIG_ERROR_NO_MEMORY ? CLI_RUNTIME : CLI_USAGE;
    }
    /* the input's own statistics, when its summary stands: what each channel held */
    rig_mcap_summary_t in_sum;
    bool have_stats = rig_mcap_reader_read_summary(r, &in_sum) == RIG_OK && in_sum.has_statistics;
    recover_t x = {NULL, r, calloc(N_IDS, sizeof(uint32_t)), calloc(N_IDS, sizeof(uint32_t))};
    rig_mcap_writer_options_t wo;
    memset(&wo, 0, sizeof wo);
    wo.profile = rig_mcap_reader_profile(r);
    wo.library = rig_mcap_reader_library(r);
    wo.compression = RIG_MCAP_COMPRESSION_ZSTD;
    wo.zstd_level = 1;
    wo.chunk_size = (size_t)1 << 30; /* chunks close where the input's did */
    rig_error_t werr = RIG_ERROR_NO_MEMORY;
    if (x.schema && x.channel)
        werr = rig_mcap_writer_open(outp, &wo, &x.w);
    if (werr != RIG_OK) {
        fprintf(stderr, "rigsync recover: cannot write %s: %s; give a writable file.\n", outp,
                rig_error_name(werr));
        rig_mcap_writer_close(x.w);
        rig_mcap_reader_close(r);
        free(x.schema);
        free(x.channel);
        return CLI_RUNTIME;
    }
    uint64_t kept = 0, chunk = UINT64_MAX;
    uint64_t *kept_on = calloc(N_IDS, sizeof(uint64_t));
    if (!kept_on)
        werr = RIG_ERROR_NO_MEMORY;
    bool end = false;
    while (werr == RIG_OK) {
        rig_mcap_message_t m;
        err = rig_mcap_reader_next_message(r, &m, &end);
        if (err == RIG_ERROR_IO) {
            /* a chunk read whole but bad: say which, go on with the next record */
            rig_mcap_problem_t p = *rig_mcap_reader_problem(r);
            if (rig_mcap_reader_skip_chunk(r) == RIG_OK) {
                printf("rigsync recover: %s: skipped the chunk at offset %" PRIu64 ": %s (%s)\n",
                       in, p.offset, p.what, rig_mcap_fault_name(p.fault));
                continue;
            }
        }
        if (err != RIG_OK || end)
            break;
        if (m.chunk_offset != chunk && kept)
            werr = rig_mcap_writer_flush_chunk(x.w);
        chunk = m.chunk_offset;
        if (werr == RIG_OK)
            werr = ensure_channel(&x, m.channel_id);
        if (werr == RIG_OK)
            werr = rig_mcap_writer_write_message(x.w, (uint16_t)(x.channel[m.channel_id] - 1),
                                                 m.sequence, m.log_time_ns, m.publish_time_ns,
                                                 m.data, m.len);
        if (werr != RIG_OK)
            break;
        kept++;
        kept_on[m.channel_id]++;
    }
    rig_mcap_data_stats_t ds;
    rig_mcap_reader_data_stats(r, &ds);
    for (uint32_t id = 0; werr == RIG_OK && id < N_IDS; id++)
        if (rig_mcap_reader_channel(r, (uint16_t)id))
            werr = ensure_channel(&x, (uint16_t)id);
    size_t n_meta = rig_mcap_reader_metadata_count(r);
    for (size_t i = 0; werr == RIG_OK && i < n_meta; i++) {
        const rig_mcap_metadata_t *md = rig_mcap_reader_metadata(r, i);
        rig_mcap_kv_t *kv = calloc(md->n ? md->n : 1, sizeof(*kv));
        if (!kv) {
            werr = RIG_ERROR_NO_MEMORY;
            break;
        }
        for (size_t k = 0; k < md->n; k++)
            kv[k] = (rig_mcap_kv_t){md->keys[k], md->values[k]};
        werr = rig_mcap_writer_add_metadata(x.w, md->name, kv, md->n);
        free(kv);
    }
    size_t n_channels = 0;
    for (uint32_t id = 0; id < N_IDS; id++)
        n_channels += x.channel[id] != 0;
    rig_error_t cerr = rig_mcap_writer_close(x.w);
    if (werr == RIG_OK)
        werr = cerr;
    int rc = CLI_OK;
    if (werr != RIG_OK) {
        fprintf(stderr, "rigsync recover: writing %s failed: %s; free space or write to another "
                        "disk.\n", outp, rig_error_name(werr));
        rc = CLI_RUNTIME;
    } else {
        struct stat st;
        uint64_t size = stat(in, &st) == 0 ? (uint64_t)st.st_size : 0;
        printf("rigsync recover: wrote %s: kept %" PRIu64 " messages of %" PRIu32
               " complete chunks, %zu channels, %zu metadata records\n",
               outp, kept, ds.chunks, n_channels, n_meta);
        if (ds.skipped_chunks)
            printf("rigsync recover: %s: skipped %" PRIu32 " damaged chunks\n", in,
                   ds.skipped_chunks);
        print_channel_counts(r, kept_on, have_stats ? &in_sum : NULL, !(err == RIG_OK && end));
        if (err == RIG_OK && end && ds.skipped_chunks)
            printf("rigsync recover: %s: its data section is complete but for the skipped "
                   "chunks; summary and indexes written anew\n", in);
        else if (err == RIG_OK && end)
            printf("rigsync recover: %s: lost nothing (its data section is complete; summary and "
                   "indexes written anew)\n",
                   in);
        else {
            const rig_mcap_problem_t *p = rig_mcap_reader_problem(r);
            printf("rigsync recover: %s: lost the %" PRIu64 " bytes after offset %" PRIu64
                   " (of %" PRIu64 "): %s (%s)\n",
                   in, size > ds.complete_bytes ? size - ds.complete_bytes : 0, ds.complete_bytes,
                   size, p->what, rig_mcap_fault_name(p->fault));
            if (!find_metadata(r, "rigsync.summary"))
                printf("rigsync recover: the recording's summary and verdict (written at its "
                       "close) are not in it\n");
        }
    }
    rig_mcap_reader_close(r);
    free(x.schema);
    free(x.channel);
    free(kept_on);
    return rc;
}

/*
 * rigsync export FILE.mcap --frameset N -o DIR: one frameset of a recording as files: one PNG
 * per device and stream (color 8-bit RGB, depth 16-bit grey; compressed color as the bytes it
 * was recorded as, .jpg) and frameset_N.json with the set's time, spread and, per slot, its
 * status, frame index and timestamps.
 *
 * It seeks instead of decoding the file: the chunk list comes from the summary's Chunk Index
 * records (or, without a summary, from a walk over the record framing that decompresses
 * nothing); a binary search over the chunks finds the one that holds set N (frameset sequence
 * numbers grow in file order), the slots' FrameInfo messages are found in that chunk and its
 * neighbours (frame indexes grow in file order per stream), and each image in the chunk whose
 * time range holds its log time (the frame's host time, the same as its FrameInfo's).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mcap/mcap_reader.h"
#include "record/ros2msg.h"

#define MAX_SLOTS 1024

/* ---- CDR: the recorder's own reader (record/ros2msg.h) ---------------------------------- */
static rig_cdr_in_t cdr_open(const rig_mcap_message_t *m)
{
    rig_cdr_in_t c;
    rig_cdr_in_open(&c, m->data, m->len);
    return c;
}

/* ---- what is exported ------------------------------------------------------------------- */
typedef struct {
    uint32_t device;
    char serial[64], stream[16], status[32];
    bool has_frame;
    uint64_t index;
    int64_t device_ts_us, global_ts_us;
    /* from the frame's FrameInfo */
    int info_channel;  /* -1: no channel */
    bool found;        /* its FrameInfo was read */
    bool seen_before, seen_after; /* a FrameInfo of a lower / higher index was seen */
    int64_t host_ts_us, bound_us;
    bool interfered, has_pixels;
    uint64_t log_time_ns;
    /* its image */
    int image_channel, image_channel_c; /* Image, CompressedImage (-1: none) */
    bool image_done;
    char file[160];
    char image_note[320];
    uint32_t width, height;
    char encoding[32];
} slot_t;

typedef struct {
    const char *path, *dir;
    rig_mcap_reader_t *r;
    const rig_mcap_chunk_ref_t *chunks;
    size_t n_chunks;
    int sets_channel;
    uint64_t seq;
    int64_t time_us, spread_us;
    slot_t *slots;
    size_t n_slots;
} export_t;

static int channel_by_topic(const rig_mcap_reader_t *r, const char *topic)
{
    for (uint32_t id = 0; id < 65536; id++) {
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, (uint16_t)id);
        if (ch && strcmp(ch->topic, topic) == 0)
            return (int)id;
    }
    return -1;
}

/* An image channel of a device's stream under its topic: its Image channel, or (compressed) its
 * CompressedImage channel (image_raw/compressed, added when the camera sends compressed color);
 * -1 when the file has none. */
static int image_channel(const rig_mcap_reader_t *r, const char *serial, const char *stream,
                         bool compressed)
{
    char prefix[160];
    snprintf(prefix, sizeof prefix, "/rig/%s/%s/", serial, stream);
    for (uint32_t id = 0; id < 65536; id++) {
        const rig_mcap_channel_t *ch = rig_mcap_reader_channel(r, (uint16_t)id);
        if (!ch || strncmp(ch->topic, prefix, strlen(prefix)) != 0)
            continue;
        const rig_mcap_schema_t *s = rig_mcap_reader_schema(r, ch->schema_id);
        const char *want = compressed ? "sensor_msgs/msg/CompressedImage" : "sensor_msgs/msg/Image";
        if (s && strcmp(s->name, want) == 0)
            return (int)id;
    }
    return -1;
}

static int bad_file(export_t *x, rig_error_t err)
{
    cli_print_mcap_problem("export", x->path, x->r, err);
    return err == RIG_ERROR_NO_MEMORY ? CLI_RUNTIME : CLI_USAGE;
}

/* Loads chunk i; the first and last frameset sequence in it (*any false: none). If want is in
 * it, decodes that set into x. */
static rig_error_t scan_sets(export_t *x, size_t i, uint64_t want, bool *any, uint64_t *first,
                             uint64_t *last, bool *found)
{
    *any = false;
    rig_error_t err = rig_mcap_reader_load_chunk(x->r, x->chunks[i].offset);
    for (bool got = true; err == RIG_OK;) {
        rig_mcap_message_t m;
        err = rig_mcap_reader_chunk_message(x->r, &m, &got);
        if (err != RIG_OK || !got)
            break;
        if ((int)m.channel_id != x->sets_channel)
            continue;
        rig_cdr_in_t c = cdr_open(&m);
        uint64_t seq = rig_cdr_in_u64(&c);
        if (!*any)
            *first = seq;
        *any = true;
        *last = seq;
        if (seq != want || !found)
            continue;
        *found = true;
        x->seq = seq;
        x->time_us = (int64_t)rig_cdr_in_u64(&c);
        x->spread_us = (int64_t)rig_cdr_in_u64(&c);
        uint32_t n = rig_cdr_in_u32(&c);
        x->n_slots = 0;
        for (uint32_t k = 0; k < n && !c.bad && x->n_slots < MAX_SLOTS; k++) {
            slot_t *s = &x->slots[x->n_slots++];
            memset(s, 0, sizeof(*s));
            s->device = rig_cdr_in_u32(&c);
            rig_cdr_in_string(&c, s->serial, sizeof s->serial);
            rig_cdr_in_string(&c, s->stream, sizeof s->stream);
            rig_cdr_in_string(&c, s->status, sizeof s->status);
            s->has_frame = rig_cdr_in_u8(&c) != 0;
            s->index = rig_cdr_in_u64(&c);
            s->device_ts_us = (int64_t)rig_cdr_in_u64(&c);
            s->global_ts_us = (int64_t)rig_cdr_in_u64(&c);
        }
        if (c.bad) {
            *found = false;
            fprintf(stderr, "rigsync export: %s: chunk at offset %" PRIu64 ": frameset %" PRIu64
                            " does not decode as a rigsync_msgs/msg/FrameSet\n",
                    x->path, x->chunks[i].offset, seq);
            return RIG_ERROR_INVALID_ARGUMENT;
        }
    }
    return err;
}

/* The first chunk at or after i (below end) holding a frameset, or end. */
static rig_error_t next_with_sets(export_t *x, size_t i, size_t end, uint64_t want, size_t *at,
                                  uint64_t *first, uint64_t *last, bool *found)
{
    for (; i < end; i++) {
        bool any;
        rig_error_t err = scan_sets(x, i, want, &any, first, last, found);
        if (err != RIG_OK)
            return err;
        if (any)
            break;
    }
    *at = i;
    return RIG_OK;
}

/* Binary search for the chunk holding set want; *found when it was decoded. */
static rig_error_t find_set(export_t *x, uint64_t want, bool *found, size_t *chunk)
{
    size_t lo = 0, hi = x->n_chunks;
    *found = false;
    while (lo < hi && !*found) {
        size_t mid = lo + (hi - lo) / 2, m;
        uint64_t first = 0, last = 0;
        rig_error_t err = next_with_sets(x, mid, hi, want, &m, &first, &last, found);
        if (err != RIG_OK)
            return err;
        if (*found)
            *chunk = m;
        else if (m == hi || want < first)
            hi = mid;
        else
            lo = m + 1;
    }
    return RIG_OK;
}

/* The sequence numbers of the first and the last set of the file (*any false: none). */
static rig_error_t set_range(export_t *x, bool *any, uint64_t *lo, uint64_t *hi)
{
    uint64_t a, b;
    size_t at;
    *any = false;
    rig_error_t err = next_with_sets(x, 0, x->n_chunks, UINT64_MAX, &at, lo, &b, NULL);
    if (err != RIG_OK || at == x->n_chunks)
        return err;
    *any = true;
    *hi = b;
    for (size_t i = x->n_chunks; i-- > at;) {
        bool some;
        err = scan_sets(x, i, UINT64_MAX, &some, &a, hi, NULL);
        if (err != RIG_OK || some)
            return err;
    }
    return RIG_OK;
}

/* Reads the FrameInfo messages of chunk i for the slots still looking. */
static rig_error_t scan_infos(export_t *x, size_t i)
{
    rig_error_t err = rig_mcap_reader_load_chunk(x->r, x->chunks[i].offset);
    for (bool got = true; err == RIG_OK;) {
        rig_mcap_message_t m;
        err = rig_mcap_reader_chunk_message(x->r, &m, &got);
        if (err != RIG_OK || !got)
            break;
        for (size_t k = 0; k < x->n_slots; k++) {
            slot_t *s = &x->slots[k];
            if (s->found || s->info_channel != (int)m.channel_id)
                continue;
            rig_cdr_in_t c = cdr_open(&m);
            char serial[64], stream[16];
            rig_cdr_in_skip_header(&c);
            rig_cdr_in_string(&c, serial, sizeof serial);
            rig_cdr_in_string(&c, stream, sizeof stream);
            uint64_t index = rig_cdr_in_u64(&c);
            if (c.bad)
                break;
            if (index < s->index) {
                s->seen_before = true;
                continue;
            }
            if (index > s->index) {
                s->seen_after = true;
                continue;
            }
            rig_cdr_in_u64(&c); /* device_ts_us: the set has it */
            s->host_ts_us = (int64_t)rig_cdr_in_u64(&c);
            rig_cdr_in_u64(&c); /* global_ts_us: the set has it */
            s->bound_us = (int64_t)rig_cdr_in_u64(&c);
            s->interfered = rig_cdr_in_u8(&c) != 0;
            s->has_pixels = rig_cdr_in_u8(&c) != 0;
            s->log_time_ns = m.log_time_ns;
            s->found = !c.bad;
        }
    }
    return err;
}

static bool infos_wanted(const export_t *x, bool backward)
{
    for (size_t k = 0; k < x->n_slots; k++) {
        const slot_t *s = &x->slots[k];
        if (s->info_channel >= 0 && !s->found && !(backward ? s->seen_before : s->seen_after))
            return true;
    }
    return false;
}

/* ---- images ------------------------------------------------------------------------------ */
static bool write_png(const char *path, uint32_t w, uint32_t h, int bit_depth, int color_type,
                      const uint8_t *rows, size_t stride, bool swap16, bool bgr)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    volatile bool ok = false;
    if (info && setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, f);
        png_set_compression_level(png, 1);
        png_set_IHDR(png, info, w, h, bit_depth, color_type, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        if (swap16)
            png_set_swap(png); /* PNG stores 16-bit samples big-endian; ours are little */
        if (bgr)
            png_set_bgr(png);
        for (uint32_t y = 0; y < h; y++)
            png_write_row(png, (png_const_bytep)(rows + (size_t)y * stride));
        png_write_end(png, NULL);
        ok = true;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    if (fclose(f) != 0)
        ok = false;
    return ok;
}

/* Writes the image message of slot s into DIR; sets its file name or a note. */
static void export_image(export_t *x, slot_t *s, const rig_mcap_message_t *m)
{
    const rig_mcap_channel_t *ch = rig_mcap_reader_channel(x->r, m->channel_id);
    const rig_mcap_schema_t *sc = ch ? rig_mcap_reader_schema(x->r, ch->schema_id) : NULL;
    bool compressed = sc && strcmp(sc->name, "sensor_msgs/msg/CompressedImage") == 0;
    char path[4096];
    rig_cdr_in_t c = cdr_open(m);
    rig_cdr_in_skip_header(&c);
    s->image_done = true;
    if (compressed) {
        char format[32];
        rig_cdr_in_string(&c, format, sizeof format);
        uint32_t n = rig_cdr_in_u32(&c);
        const uint8_t *data = rig_cdr_in_take(&c, n, 1);
        if (c.bad) {
            snprintf(s->image_note, sizeof s->image_note, "its CompressedImage does not decode");
            return;
        }
        bool jpeg = strstr(format, "jpeg") || strstr(format, "jpg");
        snprintf(s->file, sizeof s->file, "%s_%s.%s", s->serial, s->stream,
                 jpeg ? "jpg" : strstr(format, "png") ? "png" : "bin");
        snprintf(s->encoding, sizeof s->encoding, "%s", format);
        snprintf(path, sizeof path, "%s/%s", x->dir, s->file);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(data, 1, n, f) == n;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok) {
            snprintf(s->image_note, sizeof s->image_note, "cannot write %s: %s", s->file,
                     strerror(errno));
            s->file[0] = '\0';
        }
        return;
    }
    s->height = rig_cdr_in_u32(&c);
    s->width = rig_cdr_in_u32(&c);
    rig_cdr_in_string(&c, s->encoding, sizeof s->encoding);
    uint8_t bigendian = rig_cdr_in_u8(&c);
    uint32_t step = rig_cdr_in_u32(&c);
    uint32_t n = rig_cdr_in_u32(&c);
    const uint8_t *data = rig_cdr_in_take(&c, n, 1);
    int depth = 8, type = PNG_COLOR_TYPE_RGB, bpp = 3;
    bool bgr = false;
    if (strcmp(s->encoding, "rgb8") == 0 || strcmp(s->encoding, "bgr8") == 0) {
        bgr = s->encoding[0] == 'b';
    } else if (strcmp(s->encoding, "mono8") == 0 || strcmp(s->encoding, "8UC1") == 0) {
        type = PNG_COLOR_TYPE_GRAY;
        bpp = 1;
    } else if (strcmp(s->encoding, "16UC1") == 0 || strcmp(s->encoding, "mono16") == 0) {
        type = PNG_COLOR_TYPE_GRAY;
        depth = 16;
        bpp = 2;
    } else {
        snprintf(s->image_note, sizeof s->image_note, "encoding \"%s\" is not exported",
                 s->encoding);
        return;
    }
    if (c.bad || !s->width || !s->height || step < (uint64_t)s->width * (uint64_t)bpp ||
        (uint64_t)step * s->height > n) {
        snprintf(s->image_note, sizeof s->image_note,
                 "its Image does not decode (%ux%u, step %u, %u bytes)", s->width, s->height,
                 step, n);
        return;
    }
    snprintf(s->file, sizeof s->file, "%s_%s.png", s->serial, s->stream);
    snprintf(path, sizeof path, "%s/%s", x->dir, s->file);
    if (!write_png(path, s->width, s->height, depth, type, data, step, depth == 16 && !bigendian,
                   bgr)) {
        snprintf(s->image_note, sizeof s->image_note, "cannot write %s", s->file);
        s->file[0] = '\0';
    }
}

static rig_error_t export_images(export_t *x)
{
    for (size_t i = 0; i < x->n_chunks; i++) {
        bool wanted = false;
        for (size_t k = 0; k < x->n_slots && !wanted; k++) {
            const slot_t *s = &x->slots[k];
            wanted = s->found && s->has_pixels && (s->image_channel >= 0 || s->image_channel_c >= 0) &&
                     !s->image_done &&
                     s->log_time_ns >= x->chunks[i].message_start_time &&
                     s->log_time_ns <= x->chunks[i].message_end_time;
        }
        if (!wanted)
            continue;
        rig_error_t err = rig_mcap_reader_load_chunk(x->r, x->chunks[i].offset);
        for (bool got = true; err == RIG_OK;) {
            rig_mcap_message_t m;
            err = rig_mcap_reader_chunk_message(x->r, &m, &got);
            if (err != RIG_OK || !got)
                break;
            for (size_t k = 0; k < x->n_slots; k++) {
                slot_t *s = &x->slots[k];
                if (s->found && !s->image_done &&
                    (s->image_channel == (int)m.channel_id ||
                     s->image_channel_c == (int)m.channel_id) &&
                    m.log_time_ns == s->log_time_ns)
                    export_image(x, s, &m);
            }
        }
        if (err != RIG_OK)
            return err;
    }
    return RIG_OK;
}

/* ---- JSON -------------------------------------------------------------------------------- */
static json_t *ts(int64_t v) { return v == RIG_TS_NONE ? json_null() : json_integer(v); }

static int write_json(export_t *x, const char *name, bool pixels)
{
    json_t *root = json_object();
    json_object_set_new(root, "file", json_string(x->path));
    json_object_set_new(root, "frameset", json_integer((json_int_t)x->seq));
    json_object_set_new(root, "time_us", ts(x->time_us));
    json_object_set_new(root, "spread_us", ts(x->spread_us));
    json_object_set_new(root, "pixels", json_boolean(pixels));
    json_t *slots = json_array();
    for (size_t k = 0; k < x->n_slots; k++) {
        const slot_t *s = &x->slots[k];
        json_t *o = json_object();
        json_object_set_new(o, "device", json_integer(s->device));
        json_object_set_new(o, "serial", json_string(s->serial));
        json_object_set_new(o, "stream", json_string(s->stream));
        json_object_set_new(o, "status", json_string(s->status));
        if (s->has_frame) {
            json_object_set_new(o, "index", json_integer((json_int_t)s->index));
            json_object_set_new(o, "device_ts_us", ts(s->device_ts_us));
            json_object_set_new(o, "host_ts_us", s->found ? ts(s->host_ts_us) : json_null());
            json_object_set_new(o, "global_ts_us", ts(s->global_ts_us));
            json_object_set_new(o, "global_bound_us", s->found ? ts(s->bound_us) : json_null());
            json_object_set_new(o, "interfered",
                                s->found ? json_boolean(s->interfered) : json_null());
            if (!s->found)
                json_object_set_new(o, "note", json_string("its FrameInfo is not in the file"));
            if (s->file[0]) {
                json_object_set_new(o, "image", json_string(s->file));
                json_object_set_new(o, "encoding", json_string(s->encoding));
                if (s->width)
                    json_object_set_new(o, "width", json_integer(s->width));
                if (s->height)
                    json_object_set_new(o, "height", json_integer(s->height));
            } else if (s->image_note[0]) {
                json_object_set_new(o, "note", json_string(s->image_note));
            } else if (s->found && !s->has_pixels) {
                json_object_set_new(o, "note", json_string("recorded without pixels"));
            } else if (s->found) {
                json_object_set_new(o, "note", json_string("its image is not in the file"));
            }
        }
        json_array_append_new(slots, o);
    }
    json_object_set_new(root, "slots", slots);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", x->dir, name);
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0) {
        fprintf(stderr, "rigsync export: cannot write %s: %s; give a writable directory.\n",
                path, strerror(errno));
        return CLI_RUNTIME;
    }
    return CLI_OK;
}

static bool make_dir(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return false;
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                return false;
            p[i] = c;
        }
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static int usage(const char *why)
{
    fprintf(stderr, "rigsync export: %s; usage: rigsync export FILE.mcap --frameset N -o DIR\n",
            why);
    return CLI_USAGE;
}

static int do_export(export_t *x, uint64_t want)
{
    rig_mcap_summary_t sum;
    rig_error_t err = rig_mcap_reader_open(x->path, 0, &x->r);
    if (err == RIG_OK)
        err = rig_mcap_reader_read_summary(x->r, &sum);
    if (err == RIG_OK)
        err = rig_mcap_reader_list_chunks(x->r, &x->chunks, &x->n_chunks);
    if (err == RIG_OK && rig_mcap_reader_problem(x->r)->fault != RIG_MCAP_FAULT_NONE)
        err = RIG_ERROR_IO; /* the walk met a broken record */
    if (err != RIG_OK)
        return bad_file(x, err);
    x->sets_channel = channel_by_topic(x->r, "/rig/framesets");
    if (x->sets_channel < 0) {
        fprintf(stderr, "rigsync export: %s has no /rig/framesets channel: not a rigsync "
                        "recording; nothing to export.\n", x->path);
        return CLI_USAGE;
    }
    bool found = false;
    size_t cs = 0;
    err = find_set(x, want, &found, &cs);
    if (err != RIG_OK)
        return err == RIG_ERROR_INVALID_ARGUMENT ? CLI_USAGE : bad_file(x, err);
    if (!found) {
        bool any;
        uint64_t lo = 0, hi = 0;
        err = set_range(x, &any, &lo, &hi);
        if (err != RIG_OK)
            return bad_file(x, err);
        if (any)
            fprintf(stderr, "rigsync export: %s has no frameset %" PRIu64 "; it holds framesets %"
                            PRIu64 " to %" PRIu64 ".\n", x->path, want, lo, hi);
        else
            fprintf(stderr, "rigsync export: %s has no frameset %" PRIu64 "; it holds none.\n",
                    x->path, want);
        return CLI_USAGE;
    }
    if (!make_dir(x->dir)) {
        fprintf(stderr, "rigsync export: cannot create the directory %s: %s; give a writable "
                        "one.\n", x->dir, strerror(errno));
        return CLI_RUNTIME;
    }
    for (size_t k = 0; k < x->n_slots; k++) {
        slot_t *s = &x->slots[k];
        char topic[160];
        snprintf(topic, sizeof topic, "/rig/%s/%s/frame_info", s->serial, s->stream);
        s->info_channel = s->has_frame ? channel_by_topic(x->r, topic) : -1;
        s->image_channel = s->has_frame ? image_channel(x->r, s->serial, s->stream, false) : -1;
        s->image_channel_c = s->has_frame ? image_channel(x->r, s->serial, s->stream, true) : -1;
    }
    /* FrameInfo: back from the set's chunk until each slot's index is found or passed, then on */
    for (size_t i = cs + 1; err == RIG_OK && i-- > 0 && infos_wanted(x, true);)
        err = scan_infos(x, i);
    for (size_t i = cs + 1; err == RIG_OK && i < x->n_chunks && infos_wanted(x, false); i++)
        err = scan_infos(x, i);
    if (err == RIG_OK)
        err = export_images(x);
    if (err != RIG_OK)
        return bad_file(x, err);
    bool pixels = false;
    size_t pngs = 0, frames = 0;
    for (size_t k = 0; k < x->n_slots; k++) {
        pixels = pixels || x->slots[k].has_pixels;
        frames += x->slots[k].has_frame;
        pngs += x->slots[k].file[0] != '\0';
    }
    char name[64];
    snprintf(name, sizeof name, "frameset_%" PRIu64 ".json", x->seq);
    int rc = write_json(x, name, pixels);
    if (rc != CLI_OK)
        return rc;
    printf("rigsync export: frameset %" PRIu64 " of %s: %zu slots, %zu frames, %zu images into "
           "%s; %s/%s\n", x->seq, x->path, x->n_slots, frames, pngs, x->dir, x->dir, name);
    if (!pixels && frames)
        printf("rigsync export: its frames have no pixels (recorded with --no-pixels): only "
               "the JSON is written\n");
    for (size_t k = 0; k < x->n_slots; k++) {
        const slot_t *s = &x->slots[k];
        if (s->has_frame && !s->found)
            printf("rigsync export: device#%u %s %s: frame #%" PRIu64 " is not in the file (its "
                   "FrameInfo is missing: dropped by the recorder, or in a lost chunk)\n",
                   s->device, s->serial, s->stream, s->index);
        else if (s->has_frame && s->has_pixels && !s->file[0])
            printf("rigsync export: device#%u %s %s: no image: %s\n", s->device, s->serial,
                   s->stream, s->image_note[0] ? s->image_note : "its image is not in the file");
    }
    return CLI_OK;
}

int cli_export(int argc, char **argv)
{
    export_t x;
    memset(&x, 0, sizeof x);
    const char *n_text = NULL;
    for (int i = 0; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--frameset") == 0) && i + 1 < argc) {
            if (argv[i][1] == 'o')
                x.dir = argv[++i];
            else
                n_text = argv[++i];
        } else if (argv[i][0] == '-' || x.path) {
            char why[256];
            snprintf(why, sizeof why, "unexpected \"%s\"", argv[i]);
            return usage(why);
        } else {
            x.path = argv[i];
        }
    }
    if (!x.path || !x.dir || !n_text)
        return usage("give the file, the frameset and the directory");
    char *end = NULL;
    errno = 0;
    unsigned long long want = strtoull(n_text, &end, 10);
    if (errno || !end || *end || n_text[0] == '-' || !n_text[0])
        return usage("--frameset takes a frameset's sequence number (as run --sets prints it)");
    x.slots = calloc(MAX_SLOTS, sizeof(*x.slots));
    if (!x.slots) {
        fprintf(stderr, "rigsync export: out of memory\n");
        return CLI_RUNTIME;
    }
    int rc = do_export(&x, want);
    rig_mcap_reader_close(x.r);
    free(x.slots);
    return rc;
}

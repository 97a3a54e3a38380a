/*
 * The config parser's shared helpers: JSON paths, located errors, typed getters and key checks.
 */
#include "config/parser.h"

#include "common/util.h"
#include "config/jsonpos.h"
#include "mode/mode.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* JSON paths: one value serves both the "field" text and the position lookup.                 */

path_t cfg_path_key(const path_t *parent, const char *key)
{
    path_t p = *parent;
    if (p.depth < PATH_DEPTH_MAX)
        p.step[p.depth++] = (rig_json_step_t){.key = key};
    return p;
}

path_t cfg_path_index(const path_t *parent, size_t index)
{
    path_t p = *parent;
    if (p.depth < PATH_DEPTH_MAX)
        p.step[p.depth++] = (rig_json_step_t){.index = index};
    return p;
}

void cfg_path_format(const path_t *path, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < path->depth; i++) {
        if (path->step[i].key)
            rig_append(buf, len, "%s%s", i ? "." : "", path->step[i].key);
        else
            rig_append(buf, len, "[%zu]", path->step[i].index);
    }
}

/* How a message names the field: its key, or the whole path for an array element. */
void cfg_path_label(const path_t *path, char *buf, size_t len)
{
    if (path->depth == 0)
        rig_strlcpy(buf, "the top level", len);
    else if (path->step[path->depth - 1].key)
        rig_strlcpy(buf, path->step[path->depth - 1].key, len);
    else
        cfg_path_format(path, buf, len);
}

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

bool cfg_locate(parser_t *p, const path_t *at, bool at_key, int *line, int *column)
{
    return rig_json_index_locate(p->index, p->text, p->len, at->step, at->depth, at_key, line,
                                 column);
}

/* Reports an error located at `at` (its key when at_key); `leaf` names a missing member of it. */
__attribute__((format(printf, 5, 0))) static rig_error_t
failv(parser_t *p, const path_t *at, bool at_key, const char *leaf, const char *fmt, va_list ap)
{
    rig_config_diag_t *d = p->diag;
    d->code = RIG_ERROR_CONFIG;
    cfg_path_format(at, d->field, sizeof d->field);
    if (leaf)
        rig_append(d->field, sizeof d->field, "%s%s", d->field[0] ? "." : "", leaf);
    if (!cfg_locate(p, at, at_key, &d->line, &d->column)) {
        d->line = 1; /* unreachable for paths built from the parsed tree; stay printable */
        d->column = 1;
    }
    rig_vfmt(d->message, sizeof d->message, fmt, ap);
    return RIG_ERROR_CONFIG;
}

__attribute__((format(printf, 3, 4))) rig_error_t cfg_fail(parser_t *p, const path_t *at,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, at, false, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((format(printf, 3, 4))) rig_error_t cfg_fail_key(parser_t *p, const path_t *at,
                                                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, at, true, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

/* A required member is absent: point at the object that should hold it. */
__attribute__((format(printf, 4, 5))) rig_error_t
cfg_fail_missing(parser_t *p, const path_t *object, const char *leaf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rig_error_t rc = failv(p, object, false, leaf, fmt, ap);
    va_end(ap);
    return rc;
}

rig_error_t cfg_out_of_memory(rig_config_diag_t *d)
{
    d->code = RIG_ERROR_NO_MEMORY;
    rig_strlcpy(d->message, "out of memory while reading the config; free some memory and retry.",
                sizeof d->message);
    return RIG_ERROR_NO_MEMORY;
}

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                       */

static bool kind_matches(kind_t kind, const json_t *v)
{
    switch (kind) {
    case KIND_INTEGER:
        return json_is_integer(v);
    case KIND_NUMBER:
        return json_is_number(v);
    case KIND_BOOLEAN:
        return json_is_boolean(v);
    case KIND_STRING:
        return json_is_string(v);
    case KIND_OBJECT:
        return json_is_object(v);
    case KIND_ARRAY:
        return json_is_array(v);
    }
    return false;
}

static const char *kind_name(kind_t kind)
{
    switch (kind) {
    case KIND_INTEGER:
        return "an integer";
    case KIND_NUMBER:
        return "a number";
    case KIND_BOOLEAN:
        return "true or false";
    case KIND_STRING:
        return "a string";
    case KIND_OBJECT:
        return "an object";
    case KIND_ARRAY:
        return "an array";
    }
    return "?";
}

static const char *kind_fix(kind_t kind, const json_t *got)
{
    switch (kind) {
    case KIND_INTEGER:
        if (json_is_string(got))
            return "write the number without quotes";
        return json_is_real(got) ? "write a whole number, without a decimal point"
                                 : "write a whole number, e.g. 0";
    case KIND_NUMBER:
        return json_is_string(got) ? "write the number without quotes" : "write a number, e.g. 0";
    case KIND_BOOLEAN:
        return "write true or false, without quotes";
    case KIND_STRING:
        return "put the value in double quotes";
    case KIND_OBJECT:
        return "write an object: {\"key\": value, ...}";
    case KIND_ARRAY:
        return "write an array: [ ... ]";
    }
    return "fix the value";
}

void cfg_describe_value(const json_t *v, char *buf, size_t len)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        rig_strlcpy(buf, "an object", len);
        break;
    case JSON_ARRAY:
        rig_strlcpy(buf, "an array", len);
        break;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        rig_fmt(buf, len, "a string (\"%.40s%s\")", s, strlen(s) > 40 ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        rig_fmt(buf, len, "an integer (%lld)", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        rig_fmt(buf, len, "a real number (%g)", json_real_value(v));
        break;
    case JSON_TRUE:
        rig_strlcpy(buf, "true", len);
        break;
    case JSON_FALSE:
        rig_strlcpy(buf, "false", len);
        break;
    case JSON_NULL:
        rig_strlcpy(buf, "null", len);
        break;
    }
}

rig_error_t cfg_expect(parser_t *p, const path_t *at, const json_t *v, kind_t kind)
{
    if (kind_matches(kind, v))
        return RIG_OK;
    char label[128], got[96];
    cfg_path_label(at, label, sizeof label);
    cfg_describe_value(v, got, sizeof got);
    return cfg_fail(p, at, "expected %s for %s, got %s; %s.", kind_name(kind), label, got,
                    kind_fix(kind, v));
}

/* "... outside the allowed range 0..1000 ns (why); fix." */
static rig_error_t out_of_range(parser_t *p, const path_t *at, const char *value,
                                const rig_range_t *r, const char *hint)
{
    char label[128], range[256];
    cfg_path_label(at, label, sizeof label);
    rig_range_describe(r, range, sizeof range);
    return cfg_fail(p, at, "%s is %s, outside the allowed range %s; %s.", label, value, range,
                    hint ? hint : "set it within that range");
}

rig_error_t cfg_get_int(parser_t *p, const path_t *at, const json_t *v, rig_range_id_t id,
                        const char *hint, int64_t *out)
{
    TRY(cfg_expect(p, at, v, KIND_INTEGER));
    const rig_range_t *r = rig_range_get(id);
    json_int_t n = json_integer_value(v);
    if (!rig_range_int_ok(r, (int64_t)n)) {
        char value[32];
        rig_fmt(value, sizeof value, "%lld", (long long)n);
        return out_of_range(p, at, value, r, hint);
    }
    *out = (int64_t)n;
    return RIG_OK;
}

/* Optional members: leave *out (the default) alone when the key is absent. */
rig_error_t cfg_opt_int(parser_t *p, const path_t *obj_path, const json_t *obj, const char *key,
                        rig_range_id_t id, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = cfg_path_key(obj_path, key);
    return cfg_get_int(p, &at, v, id, NULL, out);
}

rig_error_t cfg_opt_uint32(parser_t *p, const path_t *obj_path, const json_t *obj, const char *key,
                           rig_range_id_t id, uint32_t *out)
{
    int64_t n = *out;
    TRY(cfg_opt_int(p, obj_path, obj, key, id, &n));
    *out = (uint32_t)n;
    return RIG_OK;
}

rig_error_t cfg_opt_number(parser_t *p, const path_t *obj_path, const json_t *obj, const char *key,
                           rig_range_id_t id, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = cfg_path_key(obj_path, key);
    TRY(cfg_expect(p, &at, v, KIND_NUMBER));
    const rig_range_t *r = rig_range_get(id);
    double x = json_number_value(v);
    if (!rig_range_real_ok(r, x)) {
        char value[32];
        rig_fmt(value, sizeof value, "%g", x);
        return out_of_range(p, &at, value, r, NULL);
    }
    *out = x;
    return RIG_OK;
}

rig_error_t cfg_opt_bool(parser_t *p, const path_t *obj_path, const json_t *obj,
                         const char *key, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return RIG_OK;
    path_t at = cfg_path_key(obj_path, key);
    TRY(cfg_expect(p, &at, v, KIND_BOOLEAN));
    *out = json_is_true(v);
    return RIG_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                        */

const json_t *cfg_member(const json_t *obj, const key_spec_t *key, const char **used)
{
    const json_t *v = json_object_get(obj, key->name);
    *used = key->name;
    if (!v && key->alt) {
        v = json_object_get(obj, key->alt);
        *used = key->alt;
    }
    return v;
}

bool cfg_key_known(const char *key, const key_spec_t *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, keys[i].name) == 0 || (keys[i].alt && strcmp(key, keys[i].alt) == 0))
            return true;
    return false;
}

/* Close enough to be a typo of candidate; an exact match ignoring case counts as closest. */
unsigned cfg_typo_distance(const char *key, const char *candidate)
{
    if (rig_strcaseeq(key, candidate))
        return 0;
    unsigned d = rig_edit_distance(key, candidate);
    return d <= 1 || 3 * d <= strlen(candidate) ? d : UINT_MAX;
}

static rig_error_t unknown_key(parser_t *p, const path_t *obj_path, const char *key,
                               const key_spec_t *keys, size_t n)
{
    const char *best = NULL;
    unsigned best_d = UINT_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *cands[2] = {keys[i].name, keys[i].alt};
        for (size_t c = 0; c < 2; c++) {
            if (!cands[c])
                continue;
            unsigned d = cfg_typo_distance(key, cands[c]);
            if (d < best_d) {
                best_d = d;
                best = cands[c];
            }
        }
    }
    char where[160];
    if (obj_path->depth == 0) {
        rig_strlcpy(where, "at the top level", sizeof where);
    } else {
        char field[128];
        cfg_path_format(obj_path, field, sizeof field);
        rig_fmt(where, sizeof where, "in %s", field);
    }
    path_t at = cfg_path_key(obj_path, key);
    if (best)
        return cfg_fail_key(p, &at, "unknown key \"%s\" %s: did you mean \"%s\"?%s", key, where,
                            best, best_d == 0 ? " Keys are case-sensitive." : "");
    char valid[512] = "";
    for (size_t i = 0; i < n; i++) {
        rig_append(valid, sizeof valid, "%s%s", i ? ", " : "", keys[i].name);
        if (keys[i].alt)
            rig_append(valid, sizeof valid, " (or %s)", keys[i].alt);
    }
    return cfg_fail_key(p, &at, "unknown key \"%s\" %s; valid keys are: %s.", key, where, valid);
}

/* Position of a key in the text, to tell which of two spellings came second. */
static void key_position(parser_t *p, const path_t *obj_path, const char *key, int *line,
                         int *col)
{
    path_t at = cfg_path_key(obj_path, key);
    *line = *col = 0;
    cfg_locate(p, &at, true, line, col);
}

/* Rejects keys that are not in keys[], and a field given under both of its spellings. */
rig_error_t cfg_check_keys(parser_t *p, const path_t *obj_path, const json_t *obj,
                           const key_spec_t *keys, size_t n)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!cfg_key_known(key, keys, n))
            return unknown_key(p, obj_path, key, keys, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].alt || !json_object_get(obj, keys[i].name) ||
            !json_object_get(obj, keys[i].alt))
            continue;
        int l1, c1, l2, c2;
        key_position(p, obj_path, keys[i].name, &l1, &c1);
        key_position(p, obj_path, keys[i].alt, &l2, &c2);
        bool alt_second = l2 > l1 || (l2 == l1 && c2 > c1);
        const char *first = alt_second ? keys[i].name : keys[i].alt;
        const char *second = alt_second ? keys[i].alt : keys[i].name;
        path_t at = cfg_path_key(obj_path, second);
        return cfg_fail_key(p, &at,
                            "\"%s\" and \"%s\" are two spellings of the same field, given twice; "
                            "keep only one of them.",
                            first, second);
    }
    return RIG_OK;
}


/*
 * Internal to src/config: what the parts of the config parser share. A field is named by its
 * JSON path (one value serves the "field" text of a message and the line:column lookup); every
 * rejection goes through cfg_fail*(), which fills the diag with position, field and message.
 */
#ifndef RIGSYNC_CONFIG_PARSER_H
#define RIGSYNC_CONFIG_PARSER_H

#include "config/config_internal.h"
#include "config/jsonpos.h"
#include "config/ranges.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest path used is sim.wiring[k].from (4 steps); leave room. */
#define PATH_DEPTH_MAX 8

#define TRY(expr)                                                                              \
    do {                                                                                       \
        rig_error_t try_rc_ = (expr);                                                          \
        if (try_rc_ != RIG_OK)                                                                 \
            return try_rc_;                                                                    \
    } while (0)

/* ------------------------------------------------------------------------------------------ */
/* JSON paths                                                                                  */

typedef struct path {
    rig_json_step_t step[PATH_DEPTH_MAX];
    size_t depth;
} path_t;

path_t cfg_path_key(const path_t *parent, const char *key);
path_t cfg_path_index(const path_t *parent, size_t index);
void cfg_path_format(const path_t *path, char *buf, size_t len);
/* How a message names the field: its key, or the whole path for an array element. */
void cfg_path_label(const path_t *path, char *buf, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

typedef struct parser {
    const char *text;
    size_t len;
    rig_config_diag_t *diag;
    rig_json_index_t *index; /* positions of the text's containers; NULL = scan each time */
} parser_t;

/* rig_json_locate for the parser's text, through its index. */
bool cfg_locate(parser_t *p, const path_t *at, bool at_key, int *line, int *column);

/* An error at the value of `at`; returns RIG_ERROR_CONFIG. */
__attribute__((format(printf, 3, 4))) rig_error_t cfg_fail(parser_t *p, const path_t *at,
                                                           const char *fmt, ...);
/* An error at the key of `at` (unknown or misplaced keys). */
__attribute__((format(printf, 3, 4))) rig_error_t cfg_fail_key(parser_t *p, const path_t *at,
                                                               const char *fmt, ...);
/* A required member `leaf` is absent: point at the object that should hold it. */
__attribute__((format(printf, 4, 5))) rig_error_t
cfg_fail_missing(parser_t *p, const path_t *object, const char *leaf, const char *fmt, ...);
rig_error_t cfg_out_of_memory(rig_config_diag_t *d);

/* ------------------------------------------------------------------------------------------ */
/* Types and typed getters                                                                     */

typedef enum kind {
    KIND_INTEGER,
    KIND_NUMBER,
    KIND_BOOLEAN,
    KIND_STRING,
    KIND_OBJECT,
    KIND_ARRAY,
} kind_t;

void cfg_describe_value(const json_t *v, char *buf, size_t len);
rig_error_t cfg_expect(parser_t *p, const path_t *at, const json_t *v, kind_t kind);
/* Numbers are checked against their row of the range table (config/ranges.h); `hint` (or
 * "set it within that range") ends the message. */
rig_error_t cfg_get_int(parser_t *p, const path_t *at, const json_t *v, rig_range_id_t id,
                        const char *hint, int64_t *out);
/* Optional members: leave *out (the default) alone when the key is absent. */
rig_error_t cfg_opt_int(parser_t *p, const path_t *obj_path, const json_t *obj, const char *key,
                        rig_range_id_t id, int64_t *out);
rig_error_t cfg_opt_uint32(parser_t *p, const path_t *obj_path, const json_t *obj,
                           const char *key, rig_range_id_t id, uint32_t *out);
rig_error_t cfg_opt_number(parser_t *p, const path_t *obj_path, const json_t *obj,
                           const char *key, rig_range_id_t id, double *out);
rig_error_t cfg_opt_bool(parser_t *p, const path_t *obj_path, const json_t *obj,
                         const char *key, bool *out);

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                        */

/* A member and its other accepted spelling (vendor camelCase), if any. */
typedef struct key_spec {
    const char *name;
    const char *alt;
} key_spec_t;

const json_t *cfg_member(const json_t *obj, const key_spec_t *key, const char **used);
bool cfg_key_known(const char *key, const key_spec_t *keys, size_t n);
/* Close enough to be a typo of candidate (UINT_MAX if not); 0 = equal ignoring case. */
unsigned cfg_typo_distance(const char *key, const char *candidate);
/* Rejects keys that are not in keys[], and a field given under both of its spellings. */
rig_error_t cfg_check_keys(parser_t *p, const path_t *obj_path, const json_t *obj,
                           const key_spec_t *keys, size_t n);

/* ------------------------------------------------------------------------------------------ */
/* The sections (formats.c: "streams" and "devices"; config_sim.c: "sim"; checks.c: rig-level)  */

rig_error_t cfg_parse_streams(parser_t *p, const path_t *root, const json_t *jroot,
                              rig_config_t *cfg);
rig_error_t cfg_parse_devices(parser_t *p, const path_t *root, const json_t *jroot,
                              rig_config_t *cfg);
rig_error_t cfg_parse_serial(parser_t *p, const path_t *at, const json_t *v, const char *what,
                             char *out);
void cfg_device_label(const rig_config_t *cfg, size_t i, bool with_mode, char *buf, size_t len);
/* "config.mode" as this device entry spells it (e.g. "syncConfig.syncMode"). */
void cfg_device_mode_leaf(const json_t *jdev, char *buf, size_t len);

rig_error_t cfg_parse_sim(parser_t *p, const path_t *root, const json_t *jroot,
                          rig_config_t *cfg);
int cfg_sim_find(const rig_sim_spec_t *sim, const char *serial);
rig_error_t cfg_host_trigger_source(parser_t *p, const json_t *jroot, double hz,
                                    rig_config_t *cfg);

rig_error_t cfg_check_pulse_source(parser_t *p, const path_t *devices_path,
                                   const json_t *jdevices, const rig_config_t *cfg);
rig_error_t cfg_check_trigger_rates(parser_t *p, const path_t *top, const rig_config_t *cfg);
/* Fills cfg->pulse_source, pulse_walk and generator_fed once the config is loaded (each left
 * NULL when out of memory: the questions are then answered by walking the rig). */
void cfg_derive_pulse_sources(rig_config_t *cfg);

#endif

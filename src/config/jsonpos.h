/*
 * Source positions of JSON values. jansson drops them after parsing, but every config message
 * must say file:line:column, so this re-scans the (already validated) text along a path.
 */
#ifndef RIGSYNC_JSONPOS_H
#define RIGSYNC_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

/** One step of a path: an object member (key != NULL) or an array element (index). */
typedef struct rig_json_step {
    const char *key;
    size_t index;
} rig_json_step_t;

/**
 * Finds the value at path (depth steps from the root) in text[0..len), which must be valid
 * JSON. With at_key and a last step that is a key, finds the opening quote of that key instead.
 * line and column are 1-based; columns count UTF-8 characters, as jansson's do. Returns false
 * when the path does not exist.
 */
bool rig_json_locate(const char *text, size_t len, const rig_json_step_t *path, size_t depth,
                     bool at_key, int *line, int *column);

/**
 * The same lookups for many paths into one text, each container scanned once: the first lookup
 * that enters an object or array records where each of its members or elements starts, later
 * ones jump there. A config of n devices is located in O(text) in all, not O(n x text).
 * The text must stay valid and unchanged while the index lives.
 */
typedef struct rig_json_index rig_json_index_t;

/** NULL when out of memory (rig_json_index_locate then scans like rig_json_locate). */
rig_json_index_t *rig_json_index_create(const char *text, size_t len);
void rig_json_index_destroy(rig_json_index_t *ix);
/** rig_json_locate through the index; ix NULL = rig_json_locate(text, len, ...). */
bool rig_json_index_locate(rig_json_index_t *ix, const char *text, size_t len,
                           const rig_json_step_t *path, size_t depth, bool at_key, int *line,
                           int *column);

#endif

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

#endif

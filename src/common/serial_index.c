#include "common/serial_index.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rig_serial_index {
    json_t *map; /* serial -> first index, as a JSON integer */
    const void *base;
    size_t covered; /* elements [0, covered) are in the map */
    size_t stride, offset;
};

rig_serial_index_t *rig_serial_index_create(void)
{
    rig_serial_index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->map = json_object();
    if (!ix->map) {
        free(ix);
        return NULL;
    }
    return ix;
}

void rig_serial_index_destroy(rig_serial_index_t *ix)
{
    if (!ix)
        return;
    json_decref(ix->map);
    free(ix);
}

static const char *serial_at(const void *base, size_t i, size_t stride, size_t offset)
{
    return (const char *)base + i * stride + offset;
}

static int scan(const void *base, size_t count, size_t stride, size_t offset, const char *serial)
{
    for (size_t i = 0; i < count && i <= INT32_MAX; i++)
        if (strcmp(serial_at(base, i, stride, offset), serial) == 0)
            return (int)i;
    return -1;
}

/* Brings the map up to date with the array; false when out of memory (the map is then empty). */
static bool refresh(rig_serial_index_t *ix, const void *base, size_t count, size_t stride,
                    size_t offset)
{
    if (ix->base != base || ix->stride != stride || ix->offset != offset || count < ix->covered) {
        json_object_clear(ix->map);
        ix->base = base;
        ix->stride = stride;
        ix->offset = offset;
        ix->covered = 0;
    }
    for (; ix->covered < count; ix->covered++) {
        const char *key = serial_at(base, ix->covered, stride, offset);
        if (json_object_get(ix->map, key))
            continue; /* a repeated serial: the first one is the answer */
        /* nocheck: serials from a backend need not be UTF-8 */
        if (json_object_set_new_nocheck(ix->map, key, json_integer((json_int_t)ix->covered))) {
            json_object_clear(ix->map);
            ix->base = NULL;
            ix->covered = 0;
            return false;
        }
    }
    return true;
}

int rig_serial_index_find(rig_serial_index_t *ix, const void *base, size_t count, size_t stride,
                          size_t offset, const char *serial)
{
    if (!base || !serial || count == 0)
        return -1;
    if (!ix || count > INT32_MAX || !refresh(ix, base, count, stride, offset))
        return scan(base, count, stride, offset, serial);
    json_t *v = json_object_get(ix->map, serial);
    if (!v)
        return -1;
    json_int_t i = json_integer_value(v);
    if (i < 0 || (size_t)i >= count || strcmp(serial_at(base, (size_t)i, stride, offset), serial))
        return scan(base, count, stride, offset, serial); /* changed in place: not expected */
    return (int)i;
}

/*
 * Finding a device by serial number in an array of structs, in O(1) for large rigs: a hash map
 * of serial -> array index (jansson's object), built on first use and rebuilt or extended
 * whenever the array it describes has moved or grown. Not thread-safe: the caller serialises.
 */
#ifndef RIGSYNC_SERIAL_INDEX_H
#define RIGSYNC_SERIAL_INDEX_H

#include <stddef.h>

typedef struct rig_serial_index rig_serial_index_t;

/** NULL when out of memory (rig_serial_index_find then scans). */
rig_serial_index_t *rig_serial_index_create(void);
void rig_serial_index_destroy(rig_serial_index_t *ix);

/**
 * Index of the first element of the array at base (count elements, stride bytes apart, each
 * with a NUL-terminated serial at byte offset `offset`) whose serial equals `serial`, or -1.
 * The same answer as a linear scan, also with ix NULL or after an allocation failure. The
 * elements' serials must not change in place while the array keeps its address and count.
 */
int rig_serial_index_find(rig_serial_index_t *ix, const void *base, size_t count, size_t stride,
                          size_t offset, const char *serial);

#endif

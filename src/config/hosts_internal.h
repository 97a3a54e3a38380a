/* Internal to the hosts file (src/config/hosts.c checks it, hosts_gen.c writes each host's
 * one-host config and the whole rig's as JSON). */
#ifndef RIGSYNC_HOSTS_INTERNAL_H
#define RIGSYNC_HOSTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "rigsync/rigsync.h"

/* One device of the file, as the hosts-level checks see it. */
typedef struct hdev {
    const char *serial;
    size_t host, index;
    const char *serial_key; /* "serial_number" or "sn" */
    rig_sync_mode_t mode;
    bool mode_known, trigger_out;
    int hub; /* the hub feeding it, -1 none */
} hdev_t;

/** A member under its name or its other spelling (b may be NULL); *used: the one found. */
const json_t *hosts_member(const json_t *obj, const char *a, const char *b, const char **used);

/** The one-host config of host h as JSON text (malloc'd), or NULL when out of memory. */
char *hosts_host_config_text(const json_t *root, size_t h, const hdev_t *devs, size_t ndev,
                             const json_t *jhubs);
/** The aggregator's whole-rig config as JSON text (malloc'd), or NULL. */
char *hosts_rig_config_text(const json_t *root);

#endif

/* rigsync view's options (tools/view/view_opts.c): run's rig options, the window's size and the
 * test hooks. */
#ifndef RIGSYNC_VIEW_OPTS_H
#define RIGSYNC_VIEW_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

#define VIEW_MAX_KEYS 64

typedef struct view_opts {
    cli_rig_opts_t rig;
    double seconds;
    bool seconds_set, backend_set;
    const char *screenshot, *layout_path, *keys;
    int width, height;
} view_opts_t;

/** Parses the command's arguments; prints the error and returns CLI_USAGE on a bad one. */
int view_parse_args(int argc, char **argv, view_opts_t *o);
/** --keys "space,right,+500,d": SDL key codes, and -MS for "+MS" (let MS ms of frames pass);
 * at most VIEW_MAX_KEYS into keys. Prints the error and returns CLI_USAGE on a bad key. */
int view_parse_keys(const char *text, int *keys, size_t *n);

#endif

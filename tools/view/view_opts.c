/* rigsync view's options (view_opts.h). */
#include "view_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "config/ranges.h"

static bool parse_size(const char *v, int *w, int *h)
{
    char *end;
    long a = strtol(v, &end, 10);
    if (*end != 'x')
        return false;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 320 || b < 240 || a > 8192 || b > 8192)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

int view_parse_args(int argc, char **argv, view_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->rig.backend = "sim";
    o->rig.pixels = true;
    o->rig.wait_absent = true;
    o->width = 1280;
    o->height = 800;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--config") == 0 || strcmp(a, "--seconds") == 0 ||
                           strcmp(a, "--seed") == 0 || strcmp(a, "--backend") == 0 ||
                           strcmp(a, "--replay") == 0 || strcmp(a, "--orbbec-lib") == 0 ||
                           strcmp(a, "--screenshot") == 0 || strcmp(a, "--keys") == 0 ||
                           strcmp(a, "--layout") == 0 || strcmp(a, "--size") == 0;
        if (takes_value && !v) {
            fprintf(stderr, "rigsync view: %s needs a value\n", a);
            return CLI_USAGE;
        }
        char msg[512];
        if (strcmp(a, "--config") == 0) {
            o->rig.config_path = v;
        } else if (strcmp(a, "--backend") == 0) {
            o->rig.backend = v;
            o->backend_set = true;
        } else if (strcmp(a, "--replay") == 0) {
            o->rig.replay_path = v;
        } else if (strcmp(a, "--orbbec-lib") == 0) {
            o->rig.library = v;
        } else if (strcmp(a, "--seconds") == 0) {
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_SECONDS), a, v, NULL,
                                     &o->seconds, msg, sizeof msg)) {
                fprintf(stderr, "rigsync view: %s\n", msg);
                return CLI_USAGE;
            }
            o->seconds_set = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (!rig_range_parse_arg(rig_range_get(RIG_RANGE_CLI_SEED), a, v, &o->rig.seed, NULL,
                                     msg, sizeof msg)) {
                fprintf(stderr, "rigsync view: %s\n", msg);
                return CLI_USAGE;
            }
            o->rig.seed_set = true;
        } else if (strcmp(a, "--virtual-time") == 0) {
            o->rig.virtual_time = true;
        } else if (strcmp(a, "--no-pixels") == 0) {
            o->rig.pixels = false;
        } else if (strcmp(a, "--screenshot") == 0) {
            o->screenshot = v;
        } else if (strcmp(a, "--layout") == 0) {
            o->layout_path = v;
        } else if (strcmp(a, "--keys") == 0) {
            o->keys = v;
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_size(v, &o->width, &o->height)) {
                fprintf(stderr, "rigsync view: --size %s: give WIDTHxHEIGHT, at least 320x240 "
                                "and at most 8192x8192 (e.g. --size 1280x800)\n", v);
                return CLI_USAGE;
            }
        } else {
            fprintf(stderr,
                    "rigsync view: unknown option \"%s\"; see rigsync --help for the options\n", a);
            return CLI_USAGE;
        }
        if (takes_value)
            i++;
    }
    int rc = cli_rig_opts_check("view", &o->rig, o->backend_set);
    if (rc != CLI_OK)
        return rc;
    if ((o->screenshot || o->keys || o->layout_path) && !o->seconds_set && !o->rig.replay_path) {
        fprintf(stderr, "rigsync view: --screenshot, --keys and --layout act after --seconds S "
                        "of frames: give --seconds\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* --keys "space,right,+500,d": SDL key codes, and 0 - MS for a pause of MS ms of frames. */
int view_parse_keys(const char *text, int *keys, size_t *n)
{
    *n = 0;
    if (!text)
        return CLI_OK;
    char buf[1024];
    if (strlen(text) >= sizeof buf) {
        fprintf(stderr, "rigsync view: --keys: too long (at most %zu characters)\n",
                sizeof buf - 1);
        return CLI_USAGE;
    }
    strcpy(buf, text);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k;
        char *end;
        if (strcmp(t, "space") == 0)
            k = SDLK_SPACE;
        else if (strcmp(t, "left") == 0)
            k = SDLK_LEFT;
        else if (strcmp(t, "right") == 0)
            k = SDLK_RIGHT;
        else if (strcmp(t, "d") == 0)
            k = SDLK_d;
        else if (strcmp(t, "c") == 0)
            k = SDLK_c;
        else if (strcmp(t, "q") == 0)
            k = SDLK_q;
        else if (t[0] == '+' && strtol(t + 1, &end, 10) > 0 && !*end && strlen(t) < 9)
            k = -(int)strtol(t + 1, NULL, 10);
        else {
            fprintf(stderr, "rigsync view: --keys: unknown key \"%s\"; the keys are space, left, "
                            "right, d, c, q and +MS (let MS ms of frames pass)\n", t);
            return CLI_USAGE;
        }
        if (*n == VIEW_MAX_KEYS) {
            fprintf(stderr, "rigsync view: --keys: at most %d keys\n", VIEW_MAX_KEYS);
            return CLI_USAGE;
        }
        keys[(*n)++] = k;
    }
    return CLI_OK;
}


/*
 * The ROS 2 package ros2/rigsync_msgs (for ros2 bag and other ROS 2 tools) against the
 * definitions the recorder embeds in every recording (src/record/ros2msg.c): each rigsync type,
 * and each rigsync_msgs type it nests (the "MSG: rigsync_msgs/..." sections), has a .msg file
 * with the same field lines in the same order (comments and blank lines aside). A field added
 * to one and not the other fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/ros2msg.h"

#define SECTION_SEP "================================================================================\n"

/* The field lines of a definition text (comments, blank lines and trailing spaces dropped),
 * joined by '\n'. */
static void fields_of(const char *text, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && text[j] != '\n')
            j++;
        size_t a = i, b = j;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        const char *hash = memchr(text + a, '#', b - a);
        if (hash)
            b = (size_t)(hash - text);
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (b > a && o + (b - a) + 2 < cap) {
            memcpy(out + o, text + a, b - a);
            o += b - a;
            out[o++] = '\n';
            out[o] = '\0';
        }
        i = j + 1;
    }
}

static char *read_msg_file(const char *type)
{
    const char *root = getenv("RIGSYNC_ROS2_MSGS");
    assert_non_null(root);
    char path[1024];
    snprintf(path, sizeof path, "%s/msg/%s.msg", root, type);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: missing (the ROS 2 package lacks the type %s)", path, type);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void check_against_file(const char *type, const char *text, size_t n)
{
    char want[8192], got[8192];
    fields_of(text, n, want, sizeof want);
    const char *file = read_msg_file(type);
    fields_of(file, strlen(file), got, sizeof got);
    if (strcmp(want, got) != 0)
        fail_msg("ros2/rigsync_msgs/msg/%s.msg differs from the recorder's definition:\n"
                 "recorder:\n%sfile:\n%s",
                 type, want, got);
}

/* Checks the main section against msg/<type>.msg and every nested rigsync_msgs section against
 * its own file; returns how many sections were checked. */
static int check_definition(const char *full_name, const char *def)
{
    const char *slash = strrchr(full_name, '/');
    const char *p = def, *end = def + strlen(def);
    int checked = 0;
    const char *type = slash + 1;
    for (;;) {
        const char *sep = strstr(p, SECTION_SEP);
        const char *stop = sep ? sep : end;
        if (type) {
            check_against_file(type, p, (size_t)(stop - p));
            checked++;
        }
        if (!sep)
            break;
        p = sep + strlen(SECTION_SEP);
        /* "MSG: pkg/Type\n": only rigsync's own nested types have files here */
        type = NULL;
        if (strncmp(p, "MSG: rigsync_msgs/", 18) == 0) {
            const char *nl = strchr(p, '\n');
            static char nested[128];
            snprintf(nested, sizeof nested, "%.*s", (int)(nl - p - 18), p + 18);
            type = nested;
        }
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    return checked;
}

static void msg_files_should_equal_the_recorded_definitions(void **state)
{
    (void)state;
    assert_int_equal(check_definition(RIG_ROS2_FRAME_INFO, rig_ros2_frame_info_def), 1);
    assert_int_equal(check_definition(RIG_ROS2_FRAME_SET, rig_ros2_frame_set_def), 2);
    assert_int_equal(check_definition(RIG_ROS2_CLOCK_EVENT, rig_ros2_clock_event_def), 1);
    assert_int_equal(check_definition(RIG_ROS2_DEVICE_EVENT, rig_ros2_device_event_def), 1);
}

static void the_comparison_should_see_a_changed_field(void **state)
{
    (void)state;
    char a[256], b[256];
    const char *x = "# c\nint64 x  # unit\n\nuint8 y\n", *y = "int64 x\nuint16 y\n";
    fields_of(x, strlen(x), a, sizeof a);
    assert_string_equal(a, "int64 x\nuint8 y\n");
    fields_of(y, strlen(y), b, sizeof b);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msg_files_should_equal_the_recorded_definitions),
        cmocka_unit_test(the_comparison_should_see_a_changed_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

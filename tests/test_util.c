/*
 * Shared helpers: rig_escape (text from a device or a file, printed so that it cannot break a
 * line) and the serial index (a device by serial in O(1), the answer of a linear scan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/serial_index.h"
#include "common/util.h"

static void escape_should_write_control_characters_as_hex(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(rig_escape(buf, sizeof buf, "CP3S34D00051"), "CP3S34D00051");
    assert_string_equal(rig_escape(buf, sizeof buf, "A\nVERDICT: X"), "A\\x0aVERDICT: X");
    assert_string_equal(rig_escape(buf, sizeof buf, "\x1b[2J\r\t\x7f"), "\\x1b[2J\\x0d\\x09\\x7f");
    /* printable bytes and UTF-8 stay as they are */
    assert_string_equal(rig_escape(buf, sizeof buf, "Femto \xc2\xb5 ~"), "Femto \xc2\xb5 ~");
    assert_string_equal(rig_escape(buf, sizeof buf, NULL), "");
}

static void escape_should_truncate_before_an_escape_that_does_not_fit(void **state)
{
    (void)state;
    char buf[6];
    /* "AB" + "\x0a" is 6 characters: one too many for 5 + the terminator */
    assert_string_equal(rig_escape(buf, sizeof buf, "AB\nC"), "AB");
    assert_string_equal(rig_escape(buf, sizeof buf, "A\nBCDE"), "A\\x0a");
    assert_string_equal(rig_escape(buf, 1, "A"), "");
}

typedef struct item {
    int other;
    char serial[16];
} item_t;

static int find(rig_serial_index_t *ix, const item_t *items, size_t n, const char *serial)
{
    return rig_serial_index_find(ix, items, n, sizeof(item_t), offsetof(item_t, serial), serial);
}

static void serial_index_should_answer_as_a_scan_as_the_array_grows_and_moves(void **state)
{
    (void)state;
    rig_serial_index_t *ix = rig_serial_index_create();
    assert_non_null(ix);
    item_t a[4] = {{0, "S0"}, {0, "S1"}, {0, "S1"}, {0, "S3"}};
    assert_int_equal(find(ix, a, 2, "S1"), 1);
    assert_int_equal(find(ix, a, 2, "S3"), -1); /* not yet in the first 2 */
    assert_int_equal(find(ix, a, 4, "S3"), 3);  /* the array grew: indexed further */
    assert_int_equal(find(ix, a, 4, "S1"), 1);  /* a repeated serial: the first */
    assert_int_equal(find(ix, a, 4, "S9"), -1);
    item_t b[2] = {{0, "T0"}, {0, "S3"}}; /* another array: indexed anew */
    assert_int_equal(find(ix, b, 2, "S3"), 1);
    assert_int_equal(find(ix, b, 2, "S0"), -1);
    assert_int_equal(find(ix, b, 0, "T0"), -1);
    assert_int_equal(find(NULL, a, 4, "S3"), 3); /* no index: a scan */
    rig_serial_index_destroy(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_should_write_control_characters_as_hex),
        cmocka_unit_test(escape_should_truncate_before_an_escape_that_does_not_fit),
        cmocka_unit_test(serial_index_should_answer_as_a_scan_as_the_array_grows_and_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

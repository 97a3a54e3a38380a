#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "mode/tof.h"
static void defaults_are_the_common_tof_mode(void **state)
{
    (void)state;
    rig_tof_params_t p = rig_tof_params_default();
    assert_int_equal(p.pulses, 9);
}
int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(defaults_are_the_common_tof_mode)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

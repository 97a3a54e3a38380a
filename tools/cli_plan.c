#include "cli.h"
int cli_plan(int argc, char **argv);
int cli_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_USAGE;
}

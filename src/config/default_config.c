#include "default_config.h"
#include "rigsync/rigsync.h"

rig_error_t rig_config_default(rig_config_t **out, rig_config_diag_t *diag)
{
    return rig_config_parse(rig_default_config_json, RIG_DEFAULT_CONFIG_NAME, out, diag);
}

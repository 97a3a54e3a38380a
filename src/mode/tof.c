#include "mode/tof.h"
rig_tof_params_t rig_tof_params_default(void)
{
    rig_tof_params_t p = {9, 125, 1450, 160};
    return p;
}

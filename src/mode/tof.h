/* ToF depth interference: pure functions (work in progress). */
#ifndef RIGSYNC_TOF_H
#define RIGSYNC_TOF_H
#include "rigsync/rigsync.h"
typedef struct rig_tof_params {
    int pulses;
    int64_t pulse_us;
    int64_t gap_us;
    int64_t min_spacing_us;
} rig_tof_params_t;
rig_tof_params_t rig_tof_params_default(void);
#endif

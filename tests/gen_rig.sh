#!/usr/bin/env bash
# Writes an N-device rigsync config to stdout, for scale tests and timings.
# usage: gen_rig.sh N [daisy|chains]
#   daisy   (default) device 0 PRIMARY, the others SECONDARY, all with trigger out on, on the
#           default daisy chain: one pulse source for all N.
#   chains  SOFTWARE_TRIGGERING heads, each cabled (sim.wiring) into a chain of up to 17
#           SECONDARYs: N / 18 pulse sources, each within the 18 depth cameras that fit 30 fps,
#           so `rigsync plan` can stagger every chain.
# Serials are SCALE00000, SCALE00001, ...
set -eu
n=${1:?usage: gen_rig.sh N [daisy|chains]}
shape=${2:-daisy}
case $shape in daisy | chains) ;; *) echo "gen_rig.sh: unknown shape \"$shape\"" >&2; exit 2 ;; esac
awk -v n="$n" -v shape="$shape" 'BEGIN {
    per = 18
    if (shape == "chains") print "{\n    \"autoTriggerFps\": 30,"; else print "{"
    print "    \"devices\": ["
    for (i = 0; i < n; i++) {
        if (shape == "chains")
            mode = (i % per == 0) ? "SOFTWARE_TRIGGERING" : "SECONDARY"
        else
            mode = (i == 0) ? "PRIMARY" : "SECONDARY"
        printf "        {\n            \"serial_number\": \"SCALE%05d\",\n", i
        printf "            \"config\": {\n                \"mode\": \"%s\",\n", mode
        printf "                \"depth_delay_us\": 0,\n                \"trigger_out_enable\": true\n"
        printf "            }\n        }%s\n", (i + 1 < n) ? "," : ""
    }
    if (shape != "chains") { print "    ]\n}"; exit }
    print "    ],\n    \"sim\": {\n        \"wiring\": ["
    first = 1
    for (i = 0; i < n; i++) {
        if (i % per == 0) continue
        printf "%s            {\"from\": \"SCALE%05d\", \"to\": \"SCALE%05d\"}", first ? "" : ",\n", i - 1, i
        first = 0
    }
    print "\n        ]\n    }\n}"
}'

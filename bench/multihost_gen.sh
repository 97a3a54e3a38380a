#!/usr/bin/env bash
# The rig of `make bench-multihost`, written into DIR (bench/multihost.sh runs it):
#   bench.json   the hosts file (rigsync run --hosts / rigsync node --hosts F --host hN): H hosts
#                h0..h(H-1), node tcp://10.77.0.<i+1>:PORT, C simulated cameras each (serials
#                MH<h>C<c>), one hardware-synced rig: MH0C0 PRIMARY on h0, every other camera
#                SECONDARY; h0's own through its sim's star hub, each other host's through a hub
#                from MH0C0 (hubs[]). Per host a sim section: its cameras' crystals (seeded),
#                no USB drops, no crystal drift walk (anchored pulse trains need steady crystals)
#   h<i>.json    host i's one-host config, as `rigsync node --hosts bench.json --host h<i>` derives
#                it (for nodes without --hosts): the sim anchored to CLOCK_MONOTONIC, the host
#                clock on CLOCK_REALTIME, and on h1.. a signal generator at MH0C0's true rate
#                (30 fps x (1 + ppm 1e-6)) feeding its cameras in place of the hub
#   clocks.txt   per host: "i offset_ns skew_ppb", offsets +-1-7 ms, skews +-20-140 ppm
#   delays.txt   per camera: "host device color_delay_us" (the configured delays; all 0 here)
# Everything comes from SEED through a Park-Miller generator in awk (the same on every awk).
# usage: multihost_gen.sh DIR [SEED] [HOSTS] [CAMERAS] [PORT]
set -eu
dir=${1:?usage: multihost_gen.sh DIR [SEED] [HOSTS] [CAMERAS] [PORT]}
seed=${2:-14}
nh=${3:-8}
nc=${4:-8}
port=${5:-7100}
mkdir -p "$dir"
awk -v dir="$dir" -v seed="$seed" -v nh="$nh" -v nc="$nc" -v port="$port" '
function rnd() { x = (x * 16807) % 2147483647; return x / 2147483647 }
function sgn() { return rnd() < 0.5 ? -1 : 1 }
function dev_entry(h, c,   mode, out) {
    mode = (h == 0 && c == 0) ? "PRIMARY" : "SECONDARY"
    out = sprintf("{\"serial_number\": \"MH%dC%d\", \"config\": {\"mode\": \"%s\", ", h, c, mode)
    out = out sprintf("\"color_delay_us\": 0, \"depth_delay_us\": 0, \"trigger_out_enable\": %s}}",
                      mode == "PRIMARY" ? "true" : "false")
    return out
}
function sim_body(h,   c, out) {
    out = sprintf("\"seed\": %d, \"wiring\": \"%s\", \"drift_walk_ppm_per_sqrt_hour\": 0, ",
                  seed * 100 + h, h == 0 ? "star" : "none")
    out = out "\"transport\": {\"drop_probability\": 0}, \"devices\": ["
    for (c = 0; c < nc; c++)
        out = out sprintf("%s{\"serial_number\": \"MH%dC%d\", \"ppm\": %.3f}", c ? ", " : "", h, c, ppm[h, c])
    return out "]"
}
BEGIN {
    x = seed % 2147483646 + 1
    for (i = 0; i < 10; i++) rnd()
    for (h = 0; h < nh; h++) {
        off[h] = sgn() * int(1000000 + rnd() * 6000000)
        skew[h] = sgn() * int(20000 + rnd() * 120000)
        for (c = 0; c < nc; c++) ppm[h, c] = sgn() * (5 + rnd() * 45)
    }
    hz = 30 * (1 + ppm[0, 0] * 1e-6)
    f = dir "/clocks.txt"
    for (h = 0; h < nh; h++) printf "%d %d %d\n", h, off[h], skew[h] > f
    close(f)
    f = dir "/delays.txt"
    for (h = 0; h < nh; h++) for (c = 0; c < nc; c++) printf "%d %d 0\n", h, c > f
    close(f)
    # the hosts file
    f = dir "/bench.json"
    printf "{\n  \"hosts\": [\n" > f
    for (h = 0; h < nh; h++) {
        printf "    {\"name\": \"h%d\", \"node\": \"tcp://10.77.0.%d:%d\",\n     \"devices\": [\n", h, h + 1, port > f
        for (c = 0; c < nc; c++) printf "       %s%s\n", dev_entry(h, c), c + 1 < nc ? "," : "" > f
        printf "     ],\n     \"sim\": {%s}}%s\n", sim_body(h), h + 1 < nh ? "," : "" > f
    }
    printf "  ],\n  \"hubs\": [\n" > f
    for (h = 1; h < nh; h++) {
        printf "    {\"from\": \"MH0C0\", \"to\": [" > f
        for (c = 0; c < nc; c++) printf "%s\"MH%dC%d\"", c ? ", " : "", h, c > f
        printf "]}%s\n", h + 1 < nh ? "," : "" > f
    }
    printf "  ]\n}\n" > f
    close(f)
    # each host on its own (what node --hosts F --host hN derives)
    for (h = 0; h < nh; h++) {
        f = dir "/h" h ".json"
        printf "{\n  \"devices\": [\n" > f
        for (c = 0; c < nc; c++) printf "    %s%s\n", dev_entry(h, c), c + 1 < nc ? "," : "" > f
        printf "  ],\n  \"sim\": {%s, \"anchor\": \"monotonic\", \"host_clock\": \"realtime\"", sim_body(h) > f
        if (h > 0) {
            printf ",\n    \"signal_generator\": {\"hz\": %.17g, \"to\": [", hz > f
            for (c = 0; c < nc; c++) printf "%s\"MH%dC%d\"", c ? ", " : "", h, c > f
            printf "]}" > f
        }
        printf "}\n}\n" > f
        close(f)
    }
}'

#!/usr/bin/env bash
# rigsync run through faults of real rigs, in virtual time: each device event is one EVENT line
# at the time the fault struck (hand-derived from the config), a late device is waited for and
# joins, bad fault events are refused with their position and exit 2.
# usage: test_cli_faults.sh RIGSYNC_BINARY CONFIGS_DIR
set -u
bin=$1
configs=$2
. "$(dirname "$0")/cli_lib.sh"

# --- the example: unplug 4 s + replug 6 s, reboot to defaults at 9 s for 1.5 s, a glitch -----
# (the exit status follows the verdict, the report's business: not checked here)
"$bin" run --config "$configs/faults_example.json" --virtual-time --seconds 20 --quiet --no-pixels \
  >"$tmp/example.out" 2>"$tmp/example.err" </dev/null
has example out '^EVENT t=4\.000 s device#3 FLT00004 gone: unplugged; [0-9]+ frame\(s\) in flight lost'
has example out '^EVENT t=6\.000 s device#3 FLT00004 back: '
has example out '^EVENT t=6\.000 s device#3 FLT00004 restarted: '
has example out '^EVENT t=9\.000 s device#2 FLT00003 gone: rebooting \(config to defaults\)'
has example out '^EVENT t=10\.500 s device#2 FLT00003 rebooted: its sync config came back as STANDALONE \(the defaults\)'
has example out '^EVENT t=10\.500 s device#2 FLT00003 reconfigured: sync config written again: SECONDARY'
# the replug kept its config (flash): nothing written again for device#3
lacks example out 'device#3 FLT00004 (rebooted|reconfigured)'
# in order: gone, back, rebooted, reconfigured, restarted for device#2
order=$(grep '^EVENT' "$tmp/example.out" | grep -o 'device#2 FLT00003 [a-z]*' | awk '{print $3}' | tr '\n' ' ')
if [ "$order" = "gone back rebooted reconfigured restarted " ]; then ok; else bad "device#2 events: $order"; fi
# the summary lists them at the same times as the EVENT lines (from the start of streaming), the
# injected faults beside what rigsync saw and did; with the run locked all along: SYNCHRONIZED
has example out '^event at 4\.000 s: device#3 FLT00004 gone: '
has example out '^event at 4\.000 s: device#3 FLT00004 injected unplug: '
has example out '^event at 10\.500 s: device#2 FLT00003 reconfigured: '
has example out '^VERDICT: SYNCHRONIZED: .*WARNING: [0-9]+ event\(s\) during the run: at 4\.000 s device#3 gone'

# --- a late device: waited for, arrives at 2 s, configured and started, frames in sets -------
cat >"$tmp/late.json" <<'JSON'
{ "devices": [
    { "serial_number": "LATE0001", "config": { "mode": "PRIMARY", "trigger_out_enable": true } },
    { "serial_number": "LATE0002", "config": { "mode": "SECONDARY", "depth_delay_us": 160 } } ],
  "sim": { "events": [ { "at_s": 2.0, "late_device": "LATE0002" } ] } }
JSON
run late 0 run --config "$tmp/late.json" --virtual-time --seconds 4 --quiet --no-pixels
has late out '^rigsync: device#1 LATE0002 is not connected \(present: LATE0001\): waiting for it'
has late out '^EVENT t=2\.000 s device#1 LATE0002 arrived: '
has late out '^EVENT t=2\.000 s device#1 LATE0002 reconfigured: sync config written: SECONDARY'
# 2 s of a 30 fps device, armed 200-250 ms after its start: 53 to 54 frames per stream
has late out '^device#1 LATE0002 SECONDARY +\| color: 5[34] frames'

# --- a serial that is not on the simulated rig is still the config's mistake -----------------
printf '{"devices":[{"serial_number":"NOPE0001"}],"sim":{"devices":[{"serial_number":"OTHER001"}]}}' >"$tmp/nope.json"
run nope 2 run --config "$tmp/nope.json" --virtual-time --seconds 1 --quiet

# --- bad fault events: position, field, fix; exit 2 ----------------------------------------
printf '{"devices":[{"serial_number":"A0000001","config":{"mode":"STANDALONE"}}],\n"sim":{"events":[{"at_s":1,"unplug":"A0000001","reboot":"A0000001"}]}}' >"$tmp/two.json"
run two 2 run --config "$tmp/two.json" --virtual-time --seconds 1
has two err 'two\.json:2:.*sim\.events\[0\]\.reboot: an event is one thing'
printf '{"devices":[{"serial_number":"A0000001","config":{"mode":"STANDALONE"}}],\n"sim":{"events":[{"at_s":1,"trigger_glitch":"A0000001","missing":0.8,"extra":0.5}]}}' >"$tmp/prob.json"
run prob 2 run --config "$tmp/prob.json" --virtual-time --seconds 1
has prob err 'sim\.events\[0\]\.extra: missing 0\.8 \+ extra 0\.5 is more than 1'
printf '{"devices":[{"serial_number":"A0000001","config":{"mode":"STANDALONE"}}],\n"sim":{"faults":{"unplug_per_hour":1e9}}}' >"$tmp/rate.json"
run rate 2 run --config "$tmp/rate.json" --virtual-time --seconds 1
has rate err 'sim\.faults\.unplug_per_hour: .*0\.\.3600 per device and hour'
printf '{"devices":[{"serial_number":"A0000001","config":{"mode":"STANDALONE"}}],\n"sim":{"events":[{"at_s":1,"unplug":"B0000001"}]}}' >"$tmp/who.json"
run who 2 run --config "$tmp/who.json" --virtual-time --seconds 1
has who err 'sim\.events\[0\]\.unplug: "B0000001" is not a device of the simulated rig'

finish

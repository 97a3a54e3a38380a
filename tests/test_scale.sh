#!/usr/bin/env bash
# Scale: `rigsync check` and `rigsync plan` on N devices (10,000; fewer under sanitizers) must be
# near-linear: each run has a generous bound (30 s) so that it cannot flake, and prints its time.
# The outputs are checked against counts derived by hand from the generated rig.
# usage: test_scale.sh RIGSYNC_BINARY GEN_RIG_SCRIPT N
set -u
bin=$1
gen=$2
n=$3
limit_s=30
. "$(dirname "$0")/cli_lib.sh"

# timed NAME EXPECTED_RC ARGS... : run, then fail if it took longer than the bound
timed() {
  local name=$1 t0 t1 ms
  t0=$EPOCHREALTIME
  run "$@"
  t1=$EPOCHREALTIME
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
  echo "time: $name on $n devices: $ms ms"
  if [ "$ms" -gt $((limit_s * 1000)) ]; then bad "$name: $ms ms, bound ${limit_s} s"; else ok; fi
}

last=$((n - 1))
sn() { printf 'SCALE%05d' "$1"; }

# --- one daisy chain: device 0 PRIMARY, N - 1 SECONDARY, every depth delay 0 ---------------
"$gen" "$n" daisy >"$tmp/daisy.json"
timed daisy_check 0 check "$tmp/daisy.json"
has daisy_check out "valid, $n devices"
has daisy_check out "device#$last $(sn $last) \(.*\): SECONDARY, .*sync-in from device#$((last - 1))\$"
has daisy_check out "start order: device#1 device#2 .* device#$last device#0\$"
# every pair of the N overlaps: N (N - 1) / 2; 8 are named, the others counted
pairs=$((n * (n - 1) / 2))
has daisy_check out "and $((pairs - 8)) more pairs of depth cameras overlap \($pairs in all\)"
[ "$(grep -c 'warning: depth captures of' "$tmp/daisy_check.out")" -eq 8 ] && ok ||
  bad "daisy_check: not exactly 8 named pairs"
lacks daisy_check out "independent clocks"
timed daisy_plan 1 plan "$tmp/daisy.json" -o "$tmp/daisy_planned.json"
has daisy_plan err "$n depth cameras are triggered by device#0 $(sn 0) \(PRIMARY\) at 30 fps"
has daisy_plan err "at most 18 depth cameras per rig at 30 fps"
[ ! -e "$tmp/daisy_planned.json" ] && ok || bad "daisy_plan: wrote an output on failure"

# --- chains of 18: SOFTWARE_TRIGGERING heads cabled into 17 SECONDARYs each ---------------
"$gen" "$n" chains >"$tmp/chains.json"
chains=$(((n + 17) / 18))
timed chains_check 0 check "$tmp/chains.json"
has chains_check out "valid, $n devices"
has chains_check out "depth cameras run on $chains independent clocks"
timed chains_plan 0 plan "$tmp/chains.json" -o "$tmp/chains_planned.json"
# slot j of a chain (j = index mod 18): 160 j for j < 9, then 14040 + 160 (j - 9)
slot() { local j=$(($1 % 18)); if [ $j -lt 9 ]; then echo $((160 * j)); else echo $((14040 + 160 * (j - 9))); fi; }
for i in 0 1 8 9 17 18 19 $((last - 1)) $last; do
  has chains_plan out "device#$i +$(sn "$i") +[A-Z_]+ .* 0 us +$(slot "$i") us"
done
has chains_plan out "wrote .*chains_planned.json"
timed chains_planned_check 0 check "$tmp/chains_planned.json"
has chains_planned_check out "valid, $n devices"
lacks chains_planned_check out "depth captures of"
finish

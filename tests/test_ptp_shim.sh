#!/usr/bin/env bash
# ptp_shim: simulated hosts with their own clocks, disciplined by Debian's unmodified ptp4l.
#
# Five hosts in network namespaces on one bridge (tests/multihost/netns.sh), each with its own
# virtual CLOCK_REALTIME (tests/clockshim: an offset and a skew, LD_PRELOAD'ed into the host's
# processes). Host 0 is the grandmaster, hosts 1-3 run ptp4l as clients (-S software
# timestamping, linreg servo, 16 syncs/s), host 4 runs no ptp4l at all (the negative: the same
# check must fail there). After ~17 s, from the clock files (the ground truth):
#   - every client's offset from the master is < 200 us (the rms over the last seconds is printed)
#   - every client's frequency correction (its mean over the last 4 s) is the master's rate over
#     its own, -skew for a master without skew: (1+s_m)/(1+s_c) - 1, within 5 ppm
#   - each ptp4l says the same through its management socket (pmc): portState SLAVE (MASTER on
#     host 0), |master_offset| < 200 us
#   - host 4 kept its offset: off4 - off0 + (s4 - s0) * elapsed, within 100 us, far from 200 us
#   - the real clock was neither stepped nor slewed: CLOCK_REALTIME - CLOCK_MONOTONIC, the
#     kernel's tick and status are unchanged (and every ptp4l runs without CAP_SYS_TIME, so the
#     kernel would refuse it anyway)
#   - a `rigsync node --truth` on host 1 (under the shim, without CAP_SYS_TIME, like ptp4l)
#     reports its ptp4l's state: node-tap shows PTP valid=1 lines, locked (s2, SLAVE) after the
#     lock, each such offset one that host 1's ptp4l logged for a sample (exactly), the last one
#     within 100 us of what pmc reads right after it, the grandmaster pmc names, one step
#     removed; every FRAME carries the simulator's truth
# Usage: test_ptp_shim.sh LIBCLOCKSHIM CLOCKSHIM_CTL RIGSYNC. Exit 0 pass, 1 fail, 77 skipped.
set -u
SHIM=$1
CTL=$2
RIGSYNC=$3
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=multihost/netns.sh
. "$HERE/multihost/netns.sh"

netns_check || exit $?
for tool in ptp4l pmc setpriv; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed: apt-get install linuxptp util-linux" >&2
    exit 77
  fi
done

W=$(mktemp -d /tmp/rigsync-ptpshim.XXXXXX)
fail=0
PTP4L_PIDS=()
bad() {
  echo "FAIL: $*"
  fail=1
}

# host: offset (ns) and skew (ppb) of its oscillator
OFF=(0 3000000 -4500000 1200000 -2000000)
SKEW=(10000 -40000 85000 25000 -60000)
NH=${#OFF[@]}
MASTER=0
CLIENTS=(1 2 3)
NOPTP=4
NODE_HOST=1 # runs a rigsync node next to its ptp4l
NODE_URL=tcp://127.0.0.1:5560
RUN_S=17

netns_setup "$NH" || {
  echo "FAIL: could not build the namespaces"
  exit 1
}
trap 'netns_teardown; rm -rf "$W"' EXIT

real_before=$("$CTL" realclock) || exit 1
t0=$(date +%s%N)
for ((i = 0; i < NH; i++)); do
  "$CTL" create "$W/h$i.clock" --offset-ns "${OFF[$i]}" --skew-ppb "${SKEW[$i]}" || exit 1
done

# host I's processes: the shim on its clock, no CAP_SYS_TIME
on_host() {
  local i=$1
  shift
  echo setpriv --bounding-set -sys_time -- env LD_PRELOAD="$SHIM" RIGSYNC_CLOCKSHIM="$W/h$i.clock" "$@"
}

# Preflight: inside host 1, date reads the virtual clock (3 ms ahead), not the real one: the
# offset seen lies between virtual - (real after) and virtual - (real before).
r0=$(date +%s%N)
# shellcheck disable=SC2046
v=$(netns_exec 1 $(on_host 1 date +%s%N))
r1=$(date +%s%N)
if [ $(((v - r1) / 1000)) -gt 3100 ] || [ $(((v - r0) / 1000)) -lt 2900 ]; then
  echo "FAIL: the shim is not active in host 1 (virtual - real between $(((v - r1) / 1000)) and $(((v - r0) / 1000)) us, expected 3000 us)"
  exit 1
fi

for ((i = 0; i < NH; i++)); do
  [ "$i" -eq "$NOPTP" ] && continue
  role=slave
  [ "$i" -eq "$MASTER" ] && role=master
  # the node's host logs every sample (master offset ... sN), the others a summary a second
  summary=0
  [ "$i" -eq "$NODE_HOST" ] && summary=-4
  netns_ptp4l_conf "$i" "$role" "$W/h$i.uds" "$summary" >"$W/h$i.conf"
  # shellcheck disable=SC2046
  netns_spawn "$i" "$W/h$i.log" $(on_host "$i" ptp4l -f "$W/h$i.conf" -i eth0)
  PTP4L_PIDS+=("$NETNS_LAST_PID")
done

# The node on host 1 (frames with their truth, PTP from host 1's ptp4l) and a tap there; the
# tap ends a second after the checks below, the node after it.
# shellcheck disable=SC2046
netns_spawn "$NODE_HOST" "$W/node.log" $(on_host "$NODE_HOST" "$RIGSYNC" node --listen "$NODE_URL" \
  --seconds $((RUN_S + 4)) --truth --quiet --ptp-uds "$W/h$NODE_HOST.uds")
node_pid=$NETNS_LAST_PID
# shellcheck disable=SC2046
netns_spawn "$NODE_HOST" "$W/tap.log" $(on_host "$NODE_HOST" "$RIGSYNC" node-tap "$NODE_URL" \
  --seconds $((RUN_S + 1)))
tap_pid=$NETNS_LAST_PID

# Let ptp4l elect, step and lock; then sample the ground truth over the last 4 s.
sleep $((RUN_S - 4))
files=()
for ((i = 0; i < NH; i++)); do files+=("$W/h$i.clock"); done
: >"$W/samples"
for ((k = 0; k < 8; k++)); do
  "$CTL" read "${files[@]}" >>"$W/samples" || exit 1
  sleep 0.5
done
last=$("$CTL" read "${files[@]}") || exit 1
t1=$(date +%s%N)
echo "$last" >>"$W/samples"
real_after=$("$CTL" realclock) || exit 1

field() { # field NAME LINE
  local x
  for x in $2; do
    [ "${x%%=*}" = "$1" ] && echo "${x#*=}" && return
  done
}
host_line() { # host_line I TEXT: the lines of host I
  grep "file=$W/h$1.clock " <<<"$2"
}

# ptp4l processes still alive?
for p in "${PTP4L_PIDS[@]}"; do
  kill -0 "$p" 2>/dev/null || bad "a ptp4l (pid $p) exited early"
done

# The clients: residual offset and frequency from the ground truth, then ptp4l's own view.
check_client() { # check_client I: 0 when host I is locked to the master
  local i=$1 ok=0 l off adj want
  l=$(host_line "$i" "$last")
  off=$(field from_first_ns "$l")
  # the servo moves the frequency at every sync (software timestamps: +-3-5 ppm): its mean
  # over the sampled last 4 s, the integral of the correction (adj_area_ns) over the time
  adj=$(host_line "$i" "$(cat "$W/samples")" | awk '
    {for (k=1;k<=NF;k++) {if ($k ~ /^adj_area_ns=/) a=substr($k,13)+0; if ($k ~ /^mono_ns=/) m=substr($k,9)+0}
     if (NR==1) {a0=a; m0=m}}
    END{printf "%.1f", (a-a0)/(m-m0)*1e9}')
  want=$(awk -v m="${SKEW[$MASTER]}" -v c="${SKEW[$i]}" 'BEGIN{printf "%.0f", ((1+m*1e-9)/(1+c*1e-9)-1)*1e9}')
  echo "host $i: offset from master ${off} ns, frequency correction ${adj} ppb (mean of the last 4 s; expected ${want}), $(field steps "$l") steps, $(field freq_sets "$l") frequency sets, $(field rx_ts "$l") rx / $(field tx_ts "$l") tx timestamps"
  if [ "${off#-}" -ge 200000 ]; then
    echo "  host $i: |offset| ${off#-} ns >= 200000"
    ok=1
  fi
  if ! awk -v a="$adj" -v w="$want" 'BEGIN{d=a-w; if (d<0) d=-d; exit !(d<5000)}'; then
    echo "  host $i: frequency correction ${adj} ppb is not within 5000 ppb of ${want}"
    ok=1
  fi
  return $ok
}

for i in "${CLIENTS[@]}"; do
  check_client "$i" || bad "host $i is not locked to the master"
  st=$(pmc -u -b 0 -s "$W/h$i.uds" 'GET PORT_DATA_SET' 2>&1)
  grep -Eq 'portState +SLAVE' <<<"$st" || bad "host $i: ptp4l's portState is not SLAVE: $(grep -E 'portState' <<<"$st")"
  ts=$(pmc -u -b 0 -s "$W/h$i.uds" 'GET TIME_STATUS_NP' 2>&1)
  mo=$(awk '$1=="master_offset"{print $2}' <<<"$ts")
  echo "host $i: ptp4l (pmc): $(grep -Eo 'portState +[A-Z_]+' <<<"$st"), master_offset ${mo:-?} ns"
  if [ -z "$mo" ] || [ "${mo#-}" -ge 200000 ]; then
    bad "host $i: ptp4l's master_offset '${mo:-none}' does not agree (|offset| < 200 us)"
  fi
done

# The node's PTP messages: the last one the tap printed, then pmc on the same ptp4l right away.
nh=$NODE_HOST
node_last=$(grep '^PTP valid=1 ' "$W/tap.log" | tail -n 1)
ts=$(pmc -u -b 0 -s "$W/h$nh.uds" 'GET TIME_STATUS_NP' 2>&1)
mo=$(awk '$1=="master_offset"{print $2}' <<<"$ts")
gm=$(awk '$1=="gmIdentity"{print $2}' <<<"$ts")
wait "$tap_pid"
kill -TERM "$node_pid" 2>/dev/null
wait "$node_pid"
node_rc=$?
echo "host $nh: node's last PTP: ${node_last:-none}; pmc right after: master_offset ${mo:-?} ns, gmIdentity ${gm:-?}"
[ "$node_rc" -eq 0 ] || bad "the node on host $nh: exit $node_rc: $(tail -n 3 "$W/node.log")"
locked=$(grep -E '^PTP valid=1 .* servo=s2 port=SLAVE ' "$W/tap.log")
nlocked=$(grep -c . <<<"$locked")
# the lock comes within ~5 s of the start: 8 of the ~17 readings at least
[ -n "$locked" ] && [ "$nlocked" -ge 8 ] || bad "host $nh: only ${nlocked} locked PTP readings from the node"
grep -Eq '^PTP valid=1 .* servo=s2 port=SLAVE path_delay_ns=[1-9][0-9]* steps_removed=1 gm=[0-9a-f.]+$' <<<"$node_last" ||
  bad "host $nh: the node's last PTP reading is not locked to a grandmaster one step away: '$node_last'"
[ "$(sed -n 's/.* gm=\([0-9a-f.]*\).*/\1/p' <<<"$node_last")" = "$gm" ] ||
  bad "host $nh: the node names grandmaster '$(sed -n 's/.* gm=\([0-9a-f.]*\).*/\1/p' <<<"$node_last")', pmc '$gm'"
no=$(sed -n 's/.* offset_ns=\(-\{0,1\}[0-9]*\) .*/\1/p' <<<"$node_last")
if [ -z "$no" ] || [ -z "$mo" ] || [ $(((no - mo) < 0 ? mo - no : no - mo)) -ge 100000 ]; then
  bad "host $nh: the node's offset '${no:-none}' ns is not within 100 us of pmc's '${mo:-none}' ns"
fi
# every locked offset is a sample host 1's ptp4l logged (TIME_STATUS_NP is its last sample)
strangers=0
for o in $(sed -n 's/.* offset_ns=\(-\{0,1\}[0-9]*\) .*/\1/p' <<<"$locked"); do
  grep -Eq "master offset +$o s2 " "$W/h$nh.log" || strangers=$((strangers + 1))
done
echo "host $nh: the node's PTP readings: $(grep -c '^PTP' "$W/tap.log") ($(grep -c '^PTP valid=0' "$W/tap.log") before ptp4l answered), $nlocked locked; $((nlocked - strangers)) of these offsets found in ptp4l's log"
[ "$strangers" -eq 0 ] || bad "host $nh: $strangers of the node's $nlocked locked offsets were never logged by its ptp4l"
summary=$(grep '^rigsync node-tap: ' "$W/tap.log")
echo "host $nh: $summary"
frames=$(sed -n 's/.* FRAME \([0-9]*\),.*/\1/p' <<<"$summary")
truths=$(sed -n 's/.*; frames with truth \([0-9]*\)$/\1/p' <<<"$summary")
[ -n "$frames" ] && [ "$frames" -ge 100 ] && [ "$truths" = "$frames" ] ||
  bad "host $nh: ${truths:-?} of ${frames:-?} frames carried the truth (100 at least, all)"
grep -q 'malformed 0; sequence gaps 0 ' <<<"$summary" || bad "host $nh: the tap lost or rejected messages"

st=$(pmc -u -b 0 -s "$W/h$MASTER.uds" 'GET PORT_DATA_SET' 2>&1)
grep -Eq 'portState +MASTER' <<<"$st" || bad "host $MASTER: ptp4l's portState is not MASTER: $(grep -E 'portState' <<<"$st")"
l=$(host_line "$MASTER" "$last")
[ "$(field steps "$l")" = 0 ] || bad "the master's clock was stepped ($(field steps "$l") times)"
awk -v a="$(field adj_ppb "$l")" 'BEGIN{exit !(a<1 && a>-1)}' ||
  bad "the master's frequency was changed ($(field adj_ppb "$l") ppb)"

# rms and max of the clients' offsets over the last 4 s
stats=$(for i in "${CLIENTS[@]}"; do host_line "$i" "$(cat "$W/samples")"; done |
  awk '{for (k=1;k<=NF;k++) if ($k ~ /^from_first_ns=/) {v=substr($k,15)+0; s+=v*v; n++; a=v<0?-v:v; if (a>m) m=a}}
       END{printf "%.1f %.1f %d", sqrt(s/n)/1000, m/1000, n}')
read -r rms_us max_us nsamp <<<"$stats"
echo "clients' offset from the master over the last 4 s: rms ${rms_us} us, max ${max_us} us (${nsamp} samples)"

# The negative: host 4 without ptp4l keeps its offset and drifts at its skew; the same check fails.
if check_client "$NOPTP" >/dev/null; then
  bad "host $NOPTP runs no ptp4l but passed the lock check (the check cannot fail)"
fi
l=$(host_line "$NOPTP" "$last")
off=$(field from_first_ns "$l")
want=$(awk -v o4="${OFF[$NOPTP]}" -v o0="${OFF[$MASTER]}" -v s4="${SKEW[$NOPTP]}" -v s0="${SKEW[$MASTER]}" \
  -v t="$(((t1 - t0)))" 'BEGIN{printf "%.0f", o4 - o0 + (s4 - s0) * t * 1e-9}')
echo "host $NOPTP (no ptp4l): offset from master ${off} ns, expected ${want} ns from its offset and skew"
awk -v a="$off" -v w="$want" 'BEGIN{d=a-w; if (d<0) d=-d; exit !(d<100000)}' ||
  bad "host $NOPTP: offset ${off} ns is not its free-running ${want} ns"

# The real clock: never stepped, tick and status untouched; its frequency is printed (the
# machine's own NTP may move it; every ptp4l here runs without CAP_SYS_TIME).
echo "real clock before: $real_before"
echo "real clock after:  $real_after"
rb=$(field rt_minus_mono_ns "$real_before")
ra=$(field rt_minus_mono_ns "$real_after")
dstep=$((ra - rb))
[ "${dstep#-}" -lt 100000 ] || bad "the real CLOCK_REALTIME was stepped by $dstep ns"
[ "$(field tick "$real_before")" = "$(field tick "$real_after")" ] || bad "the real clock's tick changed"
[ "$(field status "$real_before")" = "$(field status "$real_after")" ] || bad "the real clock's status changed"
fb=$(field freq "$real_before")
fa=$(field freq "$real_after")
[ $(((fa - fb) < 0 ? fb - fa : fa - fb)) -lt 65536 ] || bad "the real clock's frequency moved by $(((fa - fb))) (scaled ppm)"

if [ $fail -ne 0 ]; then
  for ((i = 0; i < NH; i++)); do
    [ -f "$W/h$i.log" ] && { echo "--- ptp4l host $i (last lines)"; tail -n 15 "$W/h$i.log"; }
  done
  echo "--- node-tap on host $NODE_HOST (PTP lines, last)"
  grep '^PTP' "$W/tap.log" | tail -n 8
  echo "--- node on host $NODE_HOST (last lines)"
  tail -n 5 "$W/node.log"
  exit 1
fi
echo "ptp_shim: OK"
exit 0

#!/usr/bin/env bash
# rigsync's PTP management client against a real ptp4l (Debian's linuxptp):
#   test_pmc_live.sh RIGSYNC_BINARY
# In a fresh network namespace (a veth pair whose both ends stay inside it, an address inside
# it only, MAC 02:00:00:00:00:01) ptp4l runs as a grandmaster that never touches a clock
# (-S software timestamps, masterOnly 1, free_running 1, a private uds_address). Then
# `rigsync ptp-status --uds PATH` must print portState MASTER (once ptp4l settled), gmPresent
# false, gmIdentity 020000.fffe.000001 (the EUI-64 of that MAC, derived by hand), and the same
# values `pmc -u -b 0 -s PATH` prints. Also: no ptp4l at a path is a runtime failure (exit 1),
# a bad option a usage error (exit 2). The real clock is checked untouched: the kernel's
# frequency and status words (adjtimex, read only) and CLOCK_REALTIME - CLOCK_MONOTONIC (no
# step > 50 ms) are the same before and after.
# Not root, or no ptp4l/pmc/ip, or no network namespace: exit 77 (ctest SKIP), saying why.
set -u
RIGSYNC=$1
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ptp4l pmc ip python3; do
  command -v $t >/dev/null 2>&1 || skip "no $t (scripts/setup.sh --test installs linuxptp)"
done

NS=rspmc$$
WORK=$(mktemp -d /tmp/rigsync-pmc-live.XXXXXX)
UDS=$WORK/ptp4l
PTP_PID=
cleanup() {
  [ -n "$PTP_PID" ] && kill "$PTP_PID" 2>/dev/null && wait "$PTP_PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

# The real clock's state: frequency, status (adjtimex with modes 0 reads only), realtime-monotonic.
clock_state() {
  python3 - <<'PY'
import ctypes, time
buf = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
ctypes.CDLL(None, use_errno=True).adjtimex(buf)
freq = int.from_bytes(buf.raw[16:24], "little", signed=True)   # x86_64/aarch64 layout
status = int.from_bytes(buf.raw[40:44], "little", signed=True)
d = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_MONOTONIC)
print(freq, status, d)
PY
}
read -r FREQ0 STATUS0 RTMONO0 <<<"$(clock_state)"
SOCKS0=$(ls /tmp/rigsync-pmc.* 2>/dev/null)

ip netns add "$NS" || skip "cannot create a network namespace here"
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1 || skip "no veth in this kernel"
ip -n "$NS" link set v0 address 02:00:00:00:00:01
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" addr add 10.213.0.1/24 dev v0

cat >"$WORK/gm.cfg" <<CFG
[global]
masterOnly              1
free_running            1
logAnnounceInterval     -2
announceReceiptTimeout  2
uds_address             $UDS
CFG
ip netns exec "$NS" ptp4l -S -i v0 -f "$WORK/gm.cfg" -m -q >"$WORK/ptp4l.log" 2>&1 &
PTP_PID=$!

# Wait (bounded, on a condition) until ptp4l's port is MASTER, asking pmc.
state=
for _ in $(seq 100); do
  state=$(pmc -u -b 0 -s "$UDS" 'GET PORT_DATA_SET' 2>/dev/null | awk '$1 == "portState" {print $2}')
  [ "$state" = MASTER ] && break
  kill -0 "$PTP_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$state" != MASTER ]; then
  echo "FAIL: ptp4l's port never became MASTER (last: '$state'); its log:"
  cat "$WORK/ptp4l.log"
  exit 1
fi
echo "ptp4l settled: portState MASTER"

out=$("$RIGSYNC" ptp-status --uds "$UDS" 2>&1)
rc=$?
echo "$out"
check "ptp-status exits 0" [ $rc = 0 ]
val() { awk -v k="$1" '$1 == k {print $2}' <<<"$out"; }
check "portState MASTER" [ "$(val portState)" = MASTER ]
check "gmPresent false" [ "$(val gmPresent)" = false ]
check "gmIdentity is the EUI-64 of 02:00:00:00:00:01" [ "$(val gmIdentity)" = 020000.fffe.000001 ]
check "stepsRemoved 0" [ "$(val stepsRemoved)" = 0 ]
check "gmClockClass 248 (ptp4l's default)" [ "$(val gmClockClass)" = 248 ]

# The same values as pmc prints.
ref=$(pmc -u -b 0 -s "$UDS" 'GET TIME_STATUS_NP' 'GET PORT_DATA_SET' 'GET CURRENT_DATA_SET' \
      'GET PARENT_DATA_SET' 2>&1)
pval() { awk -v k="$1" '$1 == k {print $2; exit}' <<<"$ref"; }
for pair in portState:portState gmPresent:gmPresent gmIdentity:gmIdentity \
            master_offset:master_offset ingress_time:ingress_time stepsRemoved:stepsRemoved \
            offsetFromMaster:offsetFromMaster meanPathDelay:meanPathDelay \
            gmClockClass:gm.ClockClass parentPort:parentPortIdentity; do
  ours=${pair%%:*} theirs=${pair#*:}
  a=$(val "$ours") b=$(pval "$theirs")
  check "$ours '$a' = pmc's $theirs '$b'" [ -n "$b" -a "$a" = "$b" ]
done

# Nothing at a path: a runtime failure naming it; a bad option: usage.
"$RIGSYNC" ptp-status --uds "$WORK/none" --timeout-ms 200 >"$WORK/o" 2>"$WORK/e"
rc=$?
check "no ptp4l at the path: exit 1" [ $rc = 1 ]
check "... and the message names the path" grep -q "$WORK/none" "$WORK/e"
"$RIGSYNC" ptp-status --timeout-ms zero >/dev/null 2>&1
check "--timeout-ms zero: exit 2" [ $? = 2 ]
"$RIGSYNC" ptp-status --frobnicate >/dev/null 2>&1
check "unknown option: exit 2" [ $? = 2 ]
check "the client's socket files are removed" [ "$(ls /tmp/rigsync-pmc.* 2>/dev/null)" = "$SOCKS0" ]

kill "$PTP_PID" && wait "$PTP_PID" 2>/dev/null
PTP_PID=
read -r FREQ1 STATUS1 RTMONO1 <<<"$(clock_state)"
check "the real clock's frequency is unchanged ($FREQ0 -> $FREQ1)" [ "$FREQ0" = "$FREQ1" ]
check "the real clock's status is unchanged ($STATUS0 -> $STATUS1)" [ "$STATUS0" = "$STATUS1" ]
step=$(( RTMONO1 - RTMONO0 )); step=${step#-}
check "the real clock was not stepped (realtime-monotonic moved $step ns, < 50 ms)" \
  [ "$step" -lt 50000000 ]
grep -q "clockcheck\|adjusting\|stepping\|clock frequency" "$WORK/ptp4l.log" &&
  { echo "FAIL: ptp4l's log mentions adjusting a clock:"; cat "$WORK/ptp4l.log"; fail=1; }
exit $fail

#!/usr/bin/env bash
# rigsync's PTP management client against a real ptp4l (Debian's linuxptp):
#   test_pmc_live.sh RIGSYNC_BINARY
# In two fresh network namespaces joined by a veth pair (addresses inside them only; MACs
# 02:00:00:00:00:01 and :02) ptp4l runs as a grandmaster that never touches a clock (-S
# software timestamps, masterOnly 1, free_running 1, a private uds_address). Then
# `rigsync ptp-status --uds PATH` must print portState MASTER (once ptp4l settled), gmPresent
# false, gmIdentity 020000.fffe.000001 (the EUI-64 of that MAC, derived by hand), and the same
# values `pmc -u -b 0 -s PATH` prints. A free-running slave (slaveOnly 1, free_running 1: it
# measures, adjusts nothing) in the other namespace, once it follows: gmPresent true, that
# gmIdentity, stepsRemoved 1, parent port 020000.fffe.000001-1, a sync received, a path delay
# in (0, 10 ms) ns (TimeInterval scaled right), the same identities as pmc prints. Also: no ptp4l at a path is a runtime failure (exit 1),
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
NS2=rspmcs$$
WORK=$(mktemp -d /tmp/rigsync-pmc-live.XXXXXX)
UDS=$WORK/ptp4l
UDS2=$WORK/slave
PTP_PID=
SLAVE_PID=
cleanup() {
  [ -n "$SLAVE_PID" ] && kill "$SLAVE_PID" 2>/dev/null && wait "$SLAVE_PID" 2>/dev/null
  [ -n "$PTP_PID" ] && kill "$PTP_PID" 2>/dev/null && wait "$PTP_PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  ip netns del "$NS2" 2>/dev/null
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
# The clients bind their socket files in $TMPDIR: this test's own directory, so that other
# tests' clients (running meanwhile, or killed earlier) cannot be mistaken for a leak.
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

ip netns add "$NS" || skip "cannot create a network namespace here"
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1 || skip "no veth in this kernel"
ip -n "$NS" link set v0 address 02:00:00:00:00:01
ip -n "$NS" link set v0 up
ip -n "$NS" addr add 10.213.0.1/24 dev v0
ip netns add "$NS2" || skip "cannot create a second network namespace here"
ip -n "$NS2" link set lo up
ip -n "$NS" link set v1 netns "$NS2"
ip -n "$NS2" link set v1 address 02:00:00:00:00:02
ip -n "$NS2" link set v1 up
ip -n "$NS2" addr add 10.213.0.2/24 dev v1

cat >"$WORK/gm.cfg" <<CFG
[global]
masterOnly              1
free_running            1
logAnnounceInterval     -2
logSyncInterval         -3
logMinDelayReqInterval  -3
announceReceiptTimeout  2
uds_address             $UDS
CFG
# A slave that never adjusts its clock either (free_running 1: it only measures).
cat >"$WORK/slave.cfg" <<CFG
[global]
slaveOnly               1
free_running            1
logAnnounceInterval     -2
logSyncInterval         -3
logMinDelayReqInterval  -3
announceReceiptTimeout  2
uds_address             $UDS2
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

# The slave (its own namespace): once it follows the grandmaster, what is stable there is derived by hand: the
# grandmaster is the other clock, present, one step away, its port 1 the parent.
ip netns exec "$NS2" ptp4l -S -i v1 -f "$WORK/slave.cfg" -m -q >"$WORK/slave.log" 2>&1 &
SLAVE_PID=$!
# Settled: pmc sees the grandmaster present and a sync received. (A free-running slave stays
# UNCALIBRATED on ptp4l 3.1.1: measured; its servo never reports locked within 17 s.)
ts=
# And a path delay measured: the first delay response may come after the first sync.
for _ in $(seq 100); do
  ts=$(pmc -u -b 0 -s "$UDS2" 'GET TIME_STATUS_NP' 'GET CURRENT_DATA_SET' 2>/dev/null)
  [ "$(awk '$1 == "gmPresent" {print $2}' <<<"$ts")" = true ] &&
    [ "$(awk '$1 == "ingress_time" {print $2}' <<<"$ts")" != 0 ] &&
    awk '$1 == "meanPathDelay" {d = $2} END { exit !(d > 0) }' <<<"$ts" && break
  kill -0 "$SLAVE_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$(awk '$1 == "gmPresent" {print $2}' <<<"$ts")" != true ]; then
  echo "FAIL: the slave never saw the grandmaster; pmc: $ts; its log:"
  cat "$WORK/slave.log"
  exit 1
fi
out=$("$RIGSYNC" ptp-status --uds "$UDS2" 2>&1)
rc=$?
echo "$out"
check "slave: ptp-status exits 0" [ $rc = 0 ]
check "slave: portState UNCALIBRATED or SLAVE" \
  [ "$(val portState)" = UNCALIBRATED -o "$(val portState)" = SLAVE ]
check "slave: gmPresent true" [ "$(val gmPresent)" = true ]
check "slave: gmIdentity is the grandmaster's" [ "$(val gmIdentity)" = 020000.fffe.000001 ]
check "slave: stepsRemoved 1" [ "$(val stepsRemoved)" = 1 ]
check "slave: parentPort is the grandmaster's port 1" \
  [ "$(val parentPort)" = 020000.fffe.000001-1 ]
check "slave: a sync was received (ingress_time > 0)" [ "$(val ingress_time)" -gt 0 ]
check "slave: meanPathDelay in (0, 10 ms)" \
  awk -v d="$(val meanPathDelay)" 'BEGIN { exit !(d > 0 && d < 10000000) }'
ref=$(pmc -u -b 0 -s "$UDS2" 'GET TIME_STATUS_NP' 'GET PORT_DATA_SET' 'GET CURRENT_DATA_SET' \
      'GET PARENT_DATA_SET' 2>&1)
for pair in gmPresent:gmPresent gmIdentity:gmIdentity \
            stepsRemoved:stepsRemoved gmClockClass:gm.ClockClass parentPort:parentPortIdentity; do
  ours=${pair%%:*} theirs=${pair#*:}
  a=$(val "$ours") b=$(pval "$theirs")
  check "slave: $ours '$a' = pmc's $theirs '$b'" [ -n "$b" -a "$a" = "$b" ]
done
kill "$SLAVE_PID" && wait "$SLAVE_PID" 2>/dev/null
SLAVE_PID=
grep -q "clockcheck\|adjusting\|stepping\|clock frequency" "$WORK/slave.log" &&
  { echo "FAIL: the slave's log mentions adjusting a clock:"; cat "$WORK/slave.log"; fail=1; }

# Nothing at a path: a runtime failure naming it; a bad option: usage.
"$RIGSYNC" ptp-status --uds "$WORK/none" --timeout-ms 200 >"$WORK/o" 2>"$WORK/e"
rc=$?
check "no ptp4l at the path: exit 1" [ $rc = 1 ]
check "... and the message names the path" grep -q "$WORK/none" "$WORK/e"
"$RIGSYNC" ptp-status --timeout-ms zero >/dev/null 2>&1
check "--timeout-ms zero: exit 2" [ $? = 2 ]
"$RIGSYNC" ptp-status --frobnicate >/dev/null 2>&1
check "unknown option: exit 2" [ $? = 2 ]
check "the client's socket files are removed" [ -z "$(ls "$TMPDIR")" ]

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

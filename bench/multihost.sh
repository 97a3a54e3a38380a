#!/usr/bin/env bash
# make bench-multihost: a rig of 8 simulated hosts x 8 simulated cameras on one machine.
#
# Each host is a network namespace on one bridge (tests/multihost/netns.sh) with its own
# virtual CLOCK_REALTIME (tests/clockshim: offsets +-1-7 ms, skews +-20-140 ppm, fixed seed);
# a ninth namespace holds the measuring tap. One hardware-synced rig (bench/multihost_gen.sh):
# the PRIMARY on host 0, every other camera SECONDARY fed by its pulses through hubs. Host 0
# runs the ptp4l master and the aggregator, the others ptp4l clients (-S, linreg); every
# ptp4l, node and aggregator runs under the shim and without CAP_SYS_TIME (setpriv): nothing
# here can adjust the machine's clock. Per host a `rigsync node --truth` (FRAMEs carry the
# capture's trigger_seq and true instant), and `rigsync run --hosts bench.json` when this build
# has it. Phases:
#   1 ptp:    PTP on, M minutes (default 5) after a 10 s warm-up
#   2 noptp:  no ptp4l, clocks free, the same length (for contrast)
#   (cpu:     PTP on, 60 s, the aggregator without --csv: its CPU alone)
#   3 faults: PTP on, F seconds (default 120): one node kill -9'd and restarted 5 s later, a
#             5 s partition of one host, 20% loss on one host's link for 0.15 F
# Measured: the clock table (each host's offset from host 0, from the shims' ground truth,
# after lock), the cross-host spread of global timestamps of one capture (per trigger_seq over
# the 64 cameras, bench/multihost_analyze.awk), the aggregator's CPU (utime+stime over wall
# time, /proc) and bytes/s received (its TCP connections, ss), and from truth every frame
# expected vs delivered with each loss explained or not; the time to rejoin.
# Last line: RESULT crosshost_spread_p99_us=... ptp_off_spread_p99_us=...
#            aggregator_cpu_pct=... lost_unexplained=... rejoin_s=...
#
# usage: bench/multihost.sh BUILD_DIR [--minutes M] [--fault-seconds F] [--keep DIR]
#        bench/multihost.sh BUILD_DIR --analyze DIR   the report again from a kept run's files
#   --minutes 0.5 --fault-seconds 60 is a smoke run (~5 min). Root is needed (else exit 77).
set -u
BUILD=${1:?usage: bench/multihost.sh BUILD_DIR [--minutes M] [--fault-seconds F] [--keep DIR]}
shift
MINUTES=5
FAULT_S=120
KEEP=
ANALYZE=
while [ $# -gt 0 ]; do
  case "$1" in
  --analyze) ANALYZE=$2 ;;
  --minutes) MINUTES=$2 ;;
  --fault-seconds) FAULT_S=$2 ;;
  --keep) KEEP=$2 ;;
  *)
    echo "bench/multihost.sh: unknown option $1" >&2
    exit 2
    ;;
  esac
  shift 2 || exit 2
done
if ! awk -v m="$MINUTES" -v f="$FAULT_S" 'BEGIN{exit !(m+0==m && m>=0.1 && m<=60 && f+0==f && f>=60 && f<=3600)}'; then
  echo "bench/multihost.sh: --minutes is 0.1..60 and --fault-seconds 60..3600" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
RIGSYNC=$BUILD/rigsync
SHIM=$BUILD/tests/clockshim/libclockshim.so
CTL=$BUILD/tests/clockshim/clockshim-ctl
TAP=$BUILD/bench/multihost_tap
# shellcheck source=../tests/multihost/netns.sh
. "$ROOT/tests/multihost/netns.sh"
# shellcheck source=../tests/multihost/faults.sh
. "$ROOT/tests/multihost/faults.sh"

NH=8
NC=8
MON=8 # the tap's namespace
PORT=7100
WARM_S=10
SEED=14
PHASE_S=$(awk -v m="$MINUTES" 'BEGIN{printf "%d", m*60}')

now_us() { "$TAP" now; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
# shellcheck source=multihost_phase.sh
. "$HERE/multihost_phase.sh"
if [ -n "$ANALYZE" ]; then # no run: the figures and the report from a kept directory
  W=$(cd "$ANALYZE" && pwd) || exit 2
  # shellcheck disable=SC1091
  . "$W/flags.txt" || exit 2
  for p in ptp cpu noptp faults; do
    [ -f "$W/$p/window.txt" ] && analyze_phase "$p"
  done
  report
  exit 0
fi

netns_check || exit $?
for f in "$RIGSYNC" "$SHIM" "$CTL" "$TAP"; do
  [ -e "$f" ] || {
    echo "bench/multihost.sh: $f is missing: build first (make build)" >&2
    exit 1
  }
done
for tool in ptp4l setpriv iptables ss; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "SKIP: $tool is not installed: apt-get install linuxptp util-linux iptables iproute2" >&2
    exit 77
  }
done

# What this build's rigsync can do (the pieces of issue 14 land one by one): an option it does
# not know is refused as "unknown option"; one it knows fails here on the missing file instead.
has() { # has COMMAND OPTION
  ! timeout 10 "$RIGSYNC" "$1" "$2" /nonexistent/rigsync-probe --seconds 0.001 </dev/null 2>&1 |
    grep -q "unknown option \"$2\""
}
HAVE_TRUTH=0
has node --truth && HAVE_TRUTH=1
HAVE_PTPUDS=0
has node --ptp-uds && HAVE_PTPUDS=1
HAVE_NODE_HOSTS=0
has node --hosts && HAVE_NODE_HOSTS=1
HAVE_AGG=0
has run --hosts && HAVE_AGG=1
if [ "$HAVE_TRUTH" = 0 ]; then
  echo "bench/multihost.sh: this rigsync has no 'node --truth' (issue 14, branch nodeptp): the" \
    "captures cannot be matched across hosts" >&2
  exit 1
fi

W=$(mktemp -d /tmp/rigsync-mhbench.XXXXXX)
cleanup() {
  [ -n "${CLOCK_PID:-}" ] && kill "$CLOCK_PID" 2>/dev/null
  netns_teardown
  if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP" && cp -r "$W"/. "$KEEP"/
  fi
  rm -rf "$W"
}
netns_setup $((NH + 1)) || {
  echo "bench/multihost.sh: could not build the namespaces" >&2
  exit 1
}
trap cleanup EXIT
FAULTS_DIR=$W
"$HERE/multihost_gen.sh" "$W" "$SEED" "$NH" "$NC" "$PORT" || exit 1

# host I's processes: its clock through the shim, no CAP_SYS_TIME
shimmed() { # shimmed I CMD...: the command line
  local i=$1
  shift
  echo setpriv --bounding-set -sys_time -- env LD_PRELOAD="$SHIM" RIGSYNC_CLOCKSHIM="$W/c$i.clock" "$@"
}

make_clocks() {
  local i off skew
  while read -r i off skew; do
    "$CTL" create "$W/c$i.clock" --offset-ns "$off" --skew-ppb "$skew" || return 1
  done <"$W/clocks.txt"
}

# the shim is active in a host's processes, or nothing starts (SAFETY: see tests/clockshim)
preflight() {
  local i=1 off r0 v r1
  off=$(awk -v i=$i '$1==i{print $2}' "$W/clocks.txt")
  r0=$(date +%s%N)
  # shellcheck disable=SC2046
  v=$(netns_exec $i $(shimmed $i date +%s%N))
  r1=$(date +%s%N)
  if [ $(((v - r1 - off) / 1000)) -gt 100 ] || [ $(((v - r0 - off) / 1000)) -lt -100 ]; then
    echo "bench/multihost.sh: the clock shim is not active in host $i; stopping" >&2
    exit 1
  fi
}

PIDS_PTP=()
start_ptp() {
  local i role
  PIDS_PTP=()
  for ((i = 0; i < NH; i++)); do
    role=slave
    [ "$i" -eq 0 ] && role=master
    netns_ptp4l_conf "$i" "$role" "$W/ptp$i.uds" 0 >"$W/ptp$i.conf"
    # shellcheck disable=SC2046
    netns_spawn "$i" "$W/$PHASE/ptp$i.log" $(shimmed "$i" ptp4l -f "$W/ptp$i.conf" -i eth0)
    PIDS_PTP+=("$NETNS_LAST_PID")
  done
}

clock_files() {
  local i
  for ((i = 0; i < NH; i++)); do echo "$W/c$i.clock"; done
}

# every client within 20 us of the master in 3 reads in a row (1 s apart); 90 s at most
wait_lock() {
  local k ok=0 worst
  for ((k = 0; k < 90; k++)); do
    sleep 1
    # shellcheck disable=SC2046
    worst=$("$CTL" read $(clock_files) | awk '{for (i=1;i<=NF;i++) if ($i ~ /^from_first_ns=/) {v=substr($i,15)+0; if (v<0) v=-v; if (v>m) m=v}} END{printf "%d", m}')
    if [ "$worst" -lt 20000 ]; then ok=$((ok + 1)); else ok=0; fi
    if [ $ok -ge 3 ]; then
      LOCK_S=$((k + 1))
      return 0
    fi
  done
  LOCK_S=-1
  log "PTP did not lock within 90 s (worst offset ${worst} ns)"
  return 1
}

# the clock sampler: every second, the ground truth of every host's clock
CLOCK_PID=
start_clock_sampler() {
  (
    while :; do
      # shellcheck disable=SC2046
      "$CTL" read $(clock_files) 2>/dev/null || break
      sleep 1
    done
  ) >"$W/$PHASE/clocks.log" 2>&1 &
  CLOCK_PID=$!
}

declare -a PIDS_NODE
start_node() { # start_node I [PTP 0/1]
  local i=$1 ptp=$2 args
  if [ "$HAVE_NODE_HOSTS" = 1 ]; then
    args=(--hosts "$W/bench.json" --host "h$i")
  else
    args=(--config "$W/h$i.json" --listen "tcp://10.77.0.$((i + 1)):$PORT")
  fi
  args+=(--truth --quiet --node-id "$i")
  if [ "$HAVE_PTPUDS" = 1 ]; then
    if [ "$ptp" = 1 ]; then args+=(--ptp-uds "$W/ptp$i.uds"); else args+=(--no-ptp); fi
  fi
  # shellcheck disable=SC2046
  netns_spawn "$i" "$W/$PHASE/node$i.$(now_us).log" $(shimmed "$i" "$RIGSYNC" node "${args[@]}")
  PIDS_NODE[$i]=$NETNS_LAST_PID
}

urls() {
  local i
  for ((i = 0; i < NH; i++)); do echo "tcp://10.77.0.$((i + 1)):$PORT"; done
}

AGG_PID=
AGG_CSV=1
start_agg() { # start_agg SECONDS (with --csv unless AGG_CSV=0)
  [ "$HAVE_AGG" = 1 ] || return 0
  local csv=()
  [ "$AGG_CSV" = 1 ] && csv=(--csv "$W/$PHASE/agg.csv")
  # shellcheck disable=SC2046
  netns_spawn 0 "$W/$PHASE/agg.log" $(shimmed 0 "$RIGSYNC" run --hosts "$W/bench.json" \
    --seconds "$1" --quiet "${csv[@]}")
  AGG_PID=$NETNS_LAST_PID
  # its CPU over the run, every 5 s: "mono_us utime+stime_ticks"
  local pid=$AGG_PID
  (
    while [ -r "/proc/$pid/stat" ]; do
      echo "$(now_us) $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null)"
      sleep 5
    done
  ) >"$W/$PHASE/agg_cpu.log" 2>/dev/null &
}

# the aggregator's CPU ticks (utime + stime) and the bytes its TCP connections received
agg_ticks() { awk '{print $14 + $15}' "/proc/$AGG_PID/stat" 2>/dev/null || echo -1; }
agg_rx_bytes() {
  netns_exec 0 ss -tinpH state established "( dport = :$PORT )" 2>/dev/null |
    awk -v pid="pid=$AGG_PID," 'index($0, pid) {want=1; next} want {for (i=1;i<=NF;i++) if ($i ~ /^bytes_received:/) s += substr($i,16); want=0}
                                END{printf "%.0f", s}'
}

TAP_PID=
start_tap() {
  # shellcheck disable=SC2046
  netns_spawn "$MON" "$W/$PHASE/tap.log" "$TAP" --out "$W/$PHASE" $(urls)
  TAP_PID=$NETNS_LAST_PID
}

stop_pids() { # stop_pids SIGNAL PID...: signal, then wait for each
  local sig=$1 p
  shift
  for p in "$@"; do kill "-$sig" "$p" 2>/dev/null; done
  for p in "$@"; do wait "$p" 2>/dev/null; done
  return 0
}

echo "HAVE_TRUTH=$HAVE_TRUTH HAVE_PTPUDS=$HAVE_PTPUDS HAVE_NODE_HOSTS=$HAVE_NODE_HOSTS HAVE_AGG=$HAVE_AGG" >"$W/flags.txt"
log "bench-multihost: $NH hosts x $NC cameras, phases of $PHASE_S s (+${WARM_S} s warm-up), faults $FAULT_S s; node --hosts: $HAVE_NODE_HOSTS, aggregator: $HAVE_AGG, node PTP: $HAVE_PTPUDS; in $W"
run_phase ptp 1 0 "$PHASE_S"
if [ "$HAVE_AGG" = 1 ]; then # the aggregator's CPU without writing its CSV, 60 s
  AGG_CSV=0
  run_phase cpu 1 0 60
  AGG_CSV=1
fi
run_phase noptp 0 0 "$PHASE_S"
run_phase faults 1 1 "$FAULT_S"
report

#!/usr/bin/env bash
# multihost_faults: the network faults of tests/multihost/faults.sh, each proven on traffic
# between two simulated hosts (namespaces of tests/multihost/netns.sh; the fault is on host 1,
# the traffic is host 0 <-> host 1, echoed by tests/multihost/mh_probe):
#   - baseline: every UDP echo comes back, quickly (the checks below can fail)
#   - loss P=0.2 on host 1's link, both directions: a round trip survives with q = 0.8^2; of
#     n = 3000 echoes the count received is within Hoeffding's bound nq +- sqrt(n ln(2/1e-6)/2)
#     (+-148: a correct program fails with probability < 1e-6; a one-way loss, 0.8n, or none, n,
#     is far outside); cleared: all come back again
#   - partition of host 1 (its switch port down 3 s): no UDP echo while down; after it, echoes
#     resume within 2 s (the ARP entry that failed while down is asked again) and then all
#     come back; a TCP
#     connection open across it loses nothing (every record echoed, in order, no error) and
#     saw a gap of >= 2.5 s (the partition did cut it)
#   - delay 40 ms + jitter 0-10 ms on host 1's egress (NFQUEUE + nfq_delay): every round trip
#     >= 40 ms, none lost, none reordered, the delayer counted every packet; with the delayer
#     stopped (SIGTERM) and its rule left in place (--queue-bypass) traffic flows undelayed;
#     cleared: no NFQUEUE rule left
# Usage: test_multihost_faults.sh NFQ_DELAY MH_PROBE. Exit 0 pass, 1 fail, 77 skipped (why).
set -u
NFQ_DELAY=$1
PROBE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=multihost/netns.sh
. "$HERE/multihost/netns.sh"
# shellcheck source=multihost/faults.sh
. "$HERE/multihost/faults.sh"

netns_check || exit $?
if ! command -v iptables >/dev/null 2>&1; then
  echo "SKIP: iptables is not installed: apt-get install iptables" >&2
  exit 77
fi

W=$(mktemp -d /tmp/rigsync-faults.XXXXXX)
FAULTS_DIR=$W
export NFQ_DELAY
fail=0
bad() {
  echo "FAIL: $*"
  fail=1
}
field() { # field NAME LINE: the value after NAME in "k v k v ..." output
  awk -v k="$1" '{for (i=1;i<NF;i++) if ($i==k) {print $(i+1); exit}}' <<<"$2"
}

netns_setup 2 || {
  echo "FAIL: could not build the namespaces"
  exit 1
}
trap 'netns_teardown; rm -rf "$W"' EXIT
if ! netns_exec 1 iptables -w -L INPUT >/dev/null 2>&1; then
  echo "SKIP: iptables does not work inside a network namespace here" >&2
  exit 77
fi

PORT=7000
DST=10.77.0.2
netns_spawn 1 "$W/serve.log" "$PROBE" serve "$PORT"
for _ in $(seq 100); do
  grep -q serving "$W/serve.log" && break
  sleep 0.05
done
grep -q serving "$W/serve.log" || {
  echo "FAIL: the echo server did not start: $(cat "$W/serve.log")"
  exit 1
}
udp() { netns_exec 0 "$PROBE" udp "$DST" "$PORT" "$@"; }

# --- baseline -------------------------------------------------------------------------------
r=$(udp 500 200 300)
echo "baseline:  $r"
[ "$(field received "$r")" = 500 ] || bad "baseline: not every echo came back ($r)"
base_p50=$(field rtt_p50_us "$r")

# --- loss -----------------------------------------------------------------------------------
faults_loss 1 0.2 both || bad "faults_loss failed"
N=3000
r=$(udp "$N" 300 300)
echo "loss 0.2:  $r"
got=$(field received "$r")
read -r lo hi <<<"$(awk -v n="$N" -v p=0.2 'BEGIN{q=(1-p)^2; t=sqrt(n*log(2/1e-6)/2);
  printf "%d %d", n*q-t+0.999999, n*q+t}')"
echo "loss 0.2:  $got of $N echoes back; expected $lo..$hi (q = 0.64, Hoeffding, 1e-6)"
if [ "$got" -lt "$lo" ] || [ "$got" -gt "$hi" ]; then
  bad "loss: $got echoes of $N is outside $lo..$hi"
fi
faults_clear 1
r=$(udp 500 200 300)
echo "cleared:   $r"
[ "$(field received "$r")" = 500 ] || bad "loss cleared: not every echo came back ($r)"

# --- partition ------------------------------------------------------------------------------
netns_exec 0 "$PROBE" tcp "$DST" "$PORT" 6 20 10 >"$W/tcp.out" 2>&1 &
tcp_pid=$!
sleep 1
faults_partition 1 3 &
part_pid=$!
sleep 0.5
r=$(udp 200 5000 200) # 1.2 s, all inside the 3 s down
echo "link down: $r"
[ "$(field received "$r")" = 0 ] || bad "partition: $(field received "$r") echoes passed while the link was down"
wait "$part_pid"
# the host's ARP entry of its peer failed while down: it is asked again within ~1 s of link up
r=$(udp 300 10000 300)
echo "link up:   $r"
fr=$(field first_received "$r")
if [ "${fr:--1}" -lt 0 ] || [ "$fr" -gt 200 ] || [ "$(field lost_after_first "$r")" != 0 ]; then
  bad "partition: traffic did not resume within 2 s of link up, or not for good ($r)"
fi
wait "$tcp_pid"
r=$(cat "$W/tcp.out")
echo "tcp:       $r"
sent=$(field sent "$r")
if [ "${sent:-0}" -lt 250 ] || [ "$(field echoed "$r")" != "$sent" ] ||
  [ "$(field in_order "$r")" != 1 ] || [ "$(field error "$r")" != none ]; then
  bad "partition: the TCP connection did not survive whole ($r)"
fi
[ "$(field max_gap_ms "$r")" -ge 2500 ] 2>/dev/null ||
  bad "partition: the TCP connection saw no gap >= 2500 ms (was it cut at all?) ($r)"

# --- delay ----------------------------------------------------------------------------------
faults_delay 1 40 10 7 out || bad "faults_delay failed"
r=$(udp 200 5000 500)
echo "delay 40+0..10 ms: $r"
[ "$(field received "$r")" = 200 ] || bad "delay: echoes lost ($r)"
[ "$(field reordered "$r")" = 0 ] || bad "delay: echoes reordered ($r)"
[ "$(field rtt_min_us "$r")" -ge 40000 ] 2>/dev/null || bad "delay: a round trip shorter than 40 ms ($r)"
[ "$(field rtt_max_us "$r")" -lt 1000000 ] 2>/dev/null || bad "delay: a round trip of a second or more ($r)"
[ "${base_p50:-99999999}" -lt 40000 ] || bad "baseline round trip ${base_p50} us: the delay check cannot fail"
faults_clear_delay 1
dl=$(grep 'packets' "$W/delay_h1.log")
echo "$dl"
np=$(sed -n 's/.*: \([0-9]*\) packets.*/\1/p' <<<"$dl")
[ "${np:-0}" -ge 200 ] || bad "delay: the delayer counted ${np:-no} packets, fewer than the 200 echoes"
netns_exec 1 iptables -w -S OUTPUT | grep -q NFQUEUE || bad "delay: the NFQUEUE rule is gone before the bypass check"
r=$(udp 200 1000 300)
echo "delayer stopped, rule kept (bypass): $r"
[ "$(field received "$r")" = 200 ] || bad "bypass: echoes lost with no delayer bound ($r)"
[ "$(field rtt_p50_us "$r")" -lt 40000 ] 2>/dev/null || bad "bypass: still delayed without a delayer ($r)"
faults_clear 1
if netns_exec 1 iptables -w -S | grep -q NFQUEUE; then bad "faults_clear left an NFQUEUE rule"; fi

if [ $fail -eq 0 ]; then echo "PASS: multihost_faults"; else echo "FAILED: multihost_faults"; fi
exit $fail

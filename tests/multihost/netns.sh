# Simulated hosts on one machine, for tests to source (bash). Each host is a network namespace
# with eth0 = 10.77.0.<i+1>/24 and its loopback up; every eth0 is a veth pair whose other end
# is a port of the bridge br0 in one switch namespace. Addresses exist only inside the
# namespaces: nothing reaches the machine's own network. Names carry the PID (parallel runs do
# not collide). Teardown kills the processes started with netns_spawn and deletes the
# namespaces; netns_setup installs it as the EXIT trap, so it always runs.
#
#   netns_check || exit $?    77 (ctest's SKIP_RETURN_CODE) with the reason on stderr when not
#                             root or when ip netns does not work here
#   netns_setup N             N hosts (0..N-1) and the switch
#   netns_host I              the namespace name of host I
#   netns_exec I CMD...       runs CMD in host I
#   netns_spawn I LOG CMD...  starts CMD in host I in the background (stdout+stderr to LOG);
#                             its PID is in NETNS_LAST_PID
#   netns_teardown            (the EXIT trap; may be called earlier)
#   netns_ptp4l_conf I ROLE UDS SUMMARY
#                             prints host I's ptp4l config (ROLE master or slave; software
#                             timestamps, linreg, 16 syncs a second over UDPv4; UDS its
#                             management socket; SUMMARY ptp4l's summary_interval)

NETNS_PREFIX="rs$$"
NETNS_HOSTS=0
NETNS_PIDS=()
NETNS_LAST_PID=

netns_check() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the multi-host tests need root (network namespaces)" >&2
    return 77
  fi
  if ! command -v ip >/dev/null 2>&1; then
    echo "SKIP: ip (iproute2) is not installed: apt-get install iproute2" >&2
    return 77
  fi
  local probe="${NETNS_PREFIX}probe"
  if ! ip netns add "$probe" 2>/dev/null; then
    echo "SKIP: ip netns add fails here (no network namespaces in this environment)" >&2
    return 77
  fi
  local ok=0
  ip netns exec "$probe" ip link set lo up 2>/dev/null || ok=1
  ip netns del "$probe" 2>/dev/null
  if [ $ok -ne 0 ]; then
    echo "SKIP: ip netns exec fails here" >&2
    return 77
  fi
  return 0
}

netns_host() { echo "${NETNS_PREFIX}h$1"; }

netns_exec() {
  local i=$1
  shift
  ip netns exec "$(netns_host "$i")" "$@"
}

netns_spawn() {
  local i=$1 log=$2
  shift 2
  ip netns exec "$(netns_host "$i")" "$@" >"$log" 2>&1 &
  NETNS_LAST_PID=$!
  NETNS_PIDS+=("$NETNS_LAST_PID")
}

netns_teardown() {
  local p i
  for p in "${NETNS_PIDS[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${NETNS_PIDS[@]}"; do
    wait "$p" 2>/dev/null
  done
  NETNS_PIDS=()
  for ((i = 0; i < NETNS_HOSTS; i++)); do
    ip netns del "$(netns_host "$i")" 2>/dev/null
  done
  ip netns del "${NETNS_PREFIX}sw" 2>/dev/null
  NETNS_HOSTS=0
  return 0
}

netns_setup() {
  local n=$1 i sw="${NETNS_PREFIX}sw"
  trap netns_teardown EXIT
  trap 'exit 130' INT TERM
  ip netns add "$sw" || return 1
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge mcast_snooping 0 || return 1
  ip -n "$sw" link set br0 up
  for ((i = 0; i < n; i++)); do
    local h
    h=$(netns_host "$i")
    ip netns add "$h" || return 1
    NETNS_HOSTS=$((i + 1))
    ip link add name "${NETNS_PREFIX}x$i" netns "$h" type veth peer name "p$i" netns "$sw" ||
      return 1
    ip -n "$h" link set "${NETNS_PREFIX}x$i" name eth0
    ip -n "$sw" link set "p$i" master br0
    ip -n "$sw" link set "p$i" up
    ip -n "$h" link set lo up
    ip -n "$h" addr add "10.77.0.$((i + 1))/24" dev eth0
    ip -n "$h" link set eth0 up
  done
  return 0
}

netns_ptp4l_conf() {
  local role="slaveOnly 1"
  [ "$2" = master ] && role="priority1 10"
  cat <<EOF
[global]
$role
message_tag h$1
uds_address $3
network_transport UDPv4
time_stamping software
clock_servo linreg
logAnnounceInterval -2
announceReceiptTimeout 3
logSyncInterval -4
logMinDelayReqInterval -4
tx_timestamp_timeout 50
summary_interval $4
use_syslog 0
verbose 1
EOF
}

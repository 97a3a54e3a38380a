# shellcheck shell=bash
# Network faults on the simulated hosts of netns.sh (source netns.sh first, then this; bash).
# `tc netem` is not in the kernel these tests run on, so:
#   - loss:      iptables -m statistic --mode random --probability P -j DROP inside the host's
#                namespace, on eth0 only (loopback untouched), in either or both directions
#   - partition: the host's switch port (its veth peer in the switch namespace) goes down. The
#                host keeps its interface, address, routes and ARP entries: to its TCP stack it
#                is a silent link (segments vanish, it retransmits with backoff), so established
#                connections survive and resume when the port comes back. (Downing the host's own
#                eth0 instead deletes its routes: sends then fail at once with ENETUNREACH.)
#   - delay:     an NFQUEUE rule (--queue-bypass) on eth0 and tests/multihost/nfq_delay bound to
#                that queue in the host's namespace: every packet held D ms (+ jitter), in order
#
#   faults_loss I P [in|out|both]     drop packets of host I's link with probability P (0-1)
#                                     in that direction (default both); replaces an earlier loss
#   faults_link_down I / faults_link_up I
#   faults_partition I S              link down, S seconds, link up (blocks; run it with & to go on)
#   faults_delay I D [J] [SEED] [in|out|both]
#                                     hold host I's packets D ms (+ uniform 0-J ms, seeded) in
#                                     that direction (default out); NFQ_DELAY must name the
#                                     nfq_delay binary; its PID is in FAULTS_DELAY_PID, its output
#                                     in $FAULTS_DIR/delay_hI.log
#   faults_clear I                    removes every fault of host I (rules, delayer, link up)
# FAULTS_DIR (default /tmp) holds the delayers' logs. The delayers are netns_spawn'ed, so
# netns_teardown ends them too.

FAULTS_DIR=${FAULTS_DIR:-/tmp}
FAULTS_DELAY_PID=
declare -gA FAULTS_DELAYERS=()

faults_ipt() { # faults_ipt I ARGS...: iptables in host I (waits for the xtables lock)
  local i=$1
  shift
  netns_exec "$i" iptables -w "$@"
}

faults_dirs() { # faults_dirs in|out|both: the chains and interface flags of that direction
  case "$1" in
  in) echo "INPUT:-i" ;;
  out) echo "OUTPUT:-o" ;;
  both) echo "INPUT:-i OUTPUT:-o" ;;
  *)
    echo "faults: direction '$1' is not in, out or both" >&2
    return 2
    ;;
  esac
}

faults_loss() {
  local i=$1 p=$2 dir=${3:-both} d dirs
  dirs=$(faults_dirs "$dir") || return 2
  if ! awk -v p="$p" 'BEGIN{exit !(p+0 == p && p > 0 && p <= 1)}'; then
    echo "faults_loss: probability '$p' is not in (0, 1]" >&2
    return 2
  fi
  faults_ipt "$i" -F RIGSYNC_LOSS 2>/dev/null || faults_ipt "$i" -N RIGSYNC_LOSS || return 1
  faults_ipt "$i" -A RIGSYNC_LOSS -m statistic --mode random --probability "$p" -j DROP || return 1
  for d in INPUT:-i OUTPUT:-o; do # one jump per direction asked, none twice
    while faults_ipt "$i" -D "${d%%:*}" "${d#*:}" eth0 -j RIGSYNC_LOSS 2>/dev/null; do :; done
  done
  for d in $dirs; do
    faults_ipt "$i" -I "${d%%:*}" 1 "${d#*:}" eth0 -j RIGSYNC_LOSS || return 1
  done
  return 0
}

faults_link_down() { ip -n "${NETNS_PREFIX}sw" link set "p$1" down; }
faults_link_up() { ip -n "${NETNS_PREFIX}sw" link set "p$1" up; }

faults_partition() {
  local i=$1 s=$2
  faults_link_down "$i" || return 1
  sleep "$s"
  faults_link_up "$i"
}

faults_delay() {
  local i=$1 ms=$2 jit=${3:-0} seed=${4:-1} dir=${5:-out} d dirs q log
  dirs=$(faults_dirs "$dir") || return 2
  if [ -z "${NFQ_DELAY:-}" ] || [ ! -x "$NFQ_DELAY" ]; then
    echo "faults_delay: set NFQ_DELAY to the nfq_delay binary" >&2
    return 2
  fi
  [ -n "${FAULTS_DELAYERS[$i]:-}" ] && faults_clear_delay "$i"
  q=$((100 + i))
  log="$FAULTS_DIR/delay_h$i.log"
  netns_spawn "$i" "$log" "$NFQ_DELAY" --queue "$q" --delay-ms "$ms" --jitter-ms "$jit" --seed "$seed"
  FAULTS_DELAY_PID=$NETNS_LAST_PID
  FAULTS_DELAYERS[$i]=$FAULTS_DELAY_PID
  local k
  for ((k = 0; k < 100; k++)); do # bound before the rule: no packet waits on an empty queue
    grep -q 'ready' "$log" 2>/dev/null && break
    kill -0 "$FAULTS_DELAY_PID" 2>/dev/null || break
    sleep 0.05
  done
  if ! grep -q 'ready' "$log" 2>/dev/null; then
    echo "faults_delay: nfq_delay did not start in host $i: $(cat "$log" 2>/dev/null)" >&2
    return 1
  fi
  for d in $dirs; do
    faults_ipt "$i" -A "${d%%:*}" "${d#*:}" eth0 -j NFQUEUE --queue-num "$q" --queue-bypass ||
      return 1
  done
  return 0
}

faults_clear_delay() { # the delayer of host I, if any: SIGTERM (it accepts what it holds)
  local i=$1 pid=${FAULTS_DELAYERS[$1]:-}
  [ -z "$pid" ] && return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset "FAULTS_DELAYERS[$i]"
  return 0
}

faults_clear() {
  local i=$1 d
  for d in INPUT:-i OUTPUT:-o; do
    while faults_ipt "$i" -D "${d%%:*}" "${d#*:}" eth0 -j RIGSYNC_LOSS 2>/dev/null; do :; done
  done
  faults_ipt "$i" -F RIGSYNC_LOSS 2>/dev/null
  faults_ipt "$i" -X RIGSYNC_LOSS 2>/dev/null
  faults_clear_delay "$i"
  # the queue rules after the delayer: with --queue-bypass nothing is lost in between
  local rule
  while read -r rule; do
    # shellcheck disable=SC2086
    faults_ipt "$i" ${rule/#-A/-D}
  done < <(faults_ipt "$i" -S | grep -- '-j NFQUEUE')
  faults_link_up "$i"
  return 0
}

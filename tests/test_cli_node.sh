#!/usr/bin/env bash
# rigsync node and node-tap over NNG on 127.0.0.1, the default simulated rig in real time for
# 5 s: every frame a tap receives is a frame the node printed (serial, stream, index and the
# three timestamps), no sequence gap, heartbeats never closer than 100 ms; a tap killed mid-run
# and another started: the node goes on at the camera rate and accounts for every frame
# (published + dropped = captured); bad addresses: exit 2 with the fix.
# Only what holds on a loaded machine is asserted: counts and equalities, no latencies.
# usage: test_cli_node.sh RIGSYNC_BINARY
set -u
bin=$1
. "$(dirname "$0")/cli_lib.sh"

# --- bad addresses: exit 2 and the fix, before any camera starts ---------------------------
run no_listen 2 node --seconds 1
has no_listen err 'give --listen tcp://ADDR:PORT'
run bad_scheme 2 node --listen http://127.0.0.1:5555 --seconds 1
has bad_scheme err 'http://127.0.0.1:5555: not a tcp:// address; give tcp://ADDR:PORT'
lacks bad_scheme out 'device#'
run no_port 2 node --listen tcp://127.0.0.1 --seconds 1
has no_port err 'no port; give tcp://ADDR:PORT'
run big_port 2 node --listen tcp://127.0.0.1:70000 --seconds 1
has big_port err 'the port "70000" is not a number from 0 to 65535'
run not_mine 2 node --listen tcp://192.0.2.1:5555 --seconds 1
has not_mine err '192.0.2.1:5555: .*give one of its addresses'
run tap_bad 2 node-tap udp://127.0.0.1:5555
has tap_bad err 'not a tcp:// address'
run virtual 2 node --listen tcp://127.0.0.1:0 --virtual-time
has virtual err 'a node serves live cameras in real time'

# --- a node for 5 s on a free port -----------------------------------------------------------
"$bin" node --listen tcp://127.0.0.1:0 --seconds 5 >"$tmp/node.out" 2>"$tmp/node.err" </dev/null &
node_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|^rigsync node: listening on tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/node.out")
  [ -n "$port" ] && break
  sleep 0.05
done
if [ -z "$port" ]; then
  bad "the node printed no listening address"
  cat "$tmp/node.err"
  kill "$node_pid" 2>/dev/null
  finish
  exit 1
fi
url=tcp://127.0.0.1:$port

# a first tap, killed (SIGKILL: no goodbye) once it has printed frames
"$bin" node-tap "$url" --seconds 30 --frames >"$tmp/tap1.out" 2>"$tmp/tap1.err" </dev/null &
tap1_pid=$!
for _ in $(seq 200); do
  [ "$(grep -c '^device#' "$tmp/tap1.out")" -ge 20 ] && break
  sleep 0.05
done
exec 3>&2 2>/dev/null # without the shell's "Killed" notice
kill -KILL "$tap1_pid"
wait "$tap1_pid"
exec 2>&3 3>&-

# the port is taken: a second node says so
run in_use 2 node --listen "$url" --seconds 1
has in_use err "--listen $url: .*choose another port"

# a second tap for 1.5 s, to its end
run tap2 0 node-tap "$url" --seconds 1.5 --frames
wait "$node_pid"
node_rc=$?
if [ "$node_rc" -eq 0 ]; then ok; else bad "node: exit $node_rc"; cat "$tmp/node.err"; fi

# the node's frame lines; a tap's must each be one of them, exactly
grep '^device#' "$tmp/node.out" | sort >"$tmp/node.frames"
for t in tap1 tap2; do
  # a killed tap's last line may be cut: whole lines only (ending in the serial)
  grep -E '^device#.* , serial: [A-Z0-9]+$' "$tmp/$t.out" | sort >"$tmp/$t.frames"
  n=$(wc -l <"$tmp/$t.frames")
  if [ "$n" -ge 10 ]; then ok; else bad "$t: only $n frame lines"; fi
  strangers=$(comm -13 "$tmp/node.frames" "$tmp/$t.frames" | wc -l)
  if [ "$strangers" -eq 0 ]; then ok; else
    bad "$t: $strangers frame lines the node never printed"
    comm -13 "$tmp/node.frames" "$tmp/$t.frames" | head -3
  fi
  # no frame twice
  dups=$(uniq -d "$tmp/$t.frames" | wc -l)
  if [ "$dups" -eq 0 ]; then ok; else bad "$t: $dups frames received twice"; fi
done

# tap2: no gap, nothing malformed, every FRAME printed (none before the first HELLO counted
# away silently), heartbeats never closer than 100 ms and several of them
has tap2 out '; malformed 0; sequence gaps 0 \(0 messages lost\); node restarts 0;'
frames_msg=$(sed -n 's/.* FRAME \([0-9]*\),.*/\1/p' "$tmp/tap2.out")
before=$(sed -n 's/.*frames before the first HELLO \([0-9]*\);.*/\1/p' "$tmp/tap2.out")
printed=$(wc -l <"$tmp/tap2.frames")
if [ -n "$frames_msg" ] && [ "$frames_msg" -eq $((printed + before)) ]; then ok; else
  bad "tap2: FRAME count $frames_msg, printed $printed + $before before HELLO"
fi
beats=$(grep -c '^HEARTBEAT' "$tmp/tap2.out")
if [ "$beats" -ge 5 ]; then ok; else bad "tap2: only $beats heartbeats in 1.5 s"; fi
early=$(sed -n 's/^HEARTBEAT .* since the last \([0-9]*\) us,.*/\1/p' "$tmp/tap2.out" |
  awk '$1 < 99000' | wc -l)
if [ "$early" -eq 0 ]; then ok; else bad "tap2: $early heartbeats less than 100 ms apart"; fi
has tap2 out '^HELLO node 0 host .*, 2 devices, protocol 1$'

# the node: its summary, every captured frame accounted for, the camera rate kept through the
# killed tap (2 devices x 2 streams x 30 fps x 5 s = 600; half of it at least even when loaded:
# a node blocked by its receiver would stall)
has node out '^rigsync node: [0-9]+ frames published, [0-9]+ dropped for the network \(queue full\), 0 other messages dropped, [0-9]+ subscribers seen, [0-9]+ messages sent$'
lacks node out 'warning'
published=$(sed -n 's/^rigsync node: \([0-9]*\) frames published, .*/\1/p' "$tmp/node.out")
dropped=$(sed -n 's/.* published, \([0-9]*\) dropped for the network.*/\1/p' "$tmp/node.out")
seen=$(sed -n 's/.* \([0-9]*\) subscribers seen.*/\1/p' "$tmp/node.out")
captured=$(wc -l <"$tmp/node.frames")
if [ "$captured" -eq $((published + dropped)) ]; then ok; else
  bad "node: $captured frames printed, $published published + $dropped dropped"
fi
if [ "$captured" -ge 300 ]; then ok; else bad "node: only $captured frames in 5 s"; fi
if [ "$seen" -ge 2 ]; then ok; else bad "node: $seen subscribers seen, 2 taps connected"; fi
finish

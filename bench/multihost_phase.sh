# shellcheck shell=bash
# The phases and the report of bench/multihost.sh (sourced by it; uses its functions and
# variables). Results go to the associative array R[phase.key].
declare -A R

# p50 p99 max of the numbers on stdin ("- - -" when none)
pct() {
  sort -n | awk '{v[NR]=$1} END{if (!NR) {print "- - -"; exit}
    i99=int(NR*0.99); if (i99<NR*0.99) i99++; if (i99<1) i99=1
    printf "%.0f %.0f %.0f\n", v[int((NR+1)/2)], v[i99], v[NR]}'
}

# the faults of phase 3, on schedule from the window's start (blocking until its end)
KILL_HOST=3
PART_HOST=5
LOSS_HOST=6
at() { # at SECONDS: sleeps until that many seconds after T_LO
  local now
  now=$(now_us)
  local d
  d=$(awk -v t="$1" -v lo="$T_LO" -v now="$now" 'BEGIN{d=lo/1e6+t-now/1e6; if (d<0) d=0; printf "%.3f", d}')
  sleep "$d"
}
event() { echo "$1 $2 $(now_us)" >>"$W/$PHASE/events.txt"; }
run_faults() {
  local f=$1 loss_s
  loss_s=$(awk -v f="$f" 'BEGIN{printf "%d", f*0.15}')
  : >"$W/$PHASE/events.txt"
  at "$(awk -v f="$f" 'BEGIN{print f*0.1}')"
  log "faults: kill -9 the node of host $KILL_HOST"
  event kill "$KILL_HOST"
  kill -KILL "${PIDS_NODE[$KILL_HOST]}" 2>/dev/null
  wait "${PIDS_NODE[$KILL_HOST]}" 2>/dev/null
  sleep 5
  event restart "$KILL_HOST"
  start_node "$KILL_HOST" 1
  log "faults: node of host $KILL_HOST restarted"
  at "$(awk -v f="$f" 'BEGIN{print f*0.35}')"
  log "faults: host $PART_HOST partitioned for 5 s"
  event down "$PART_HOST"
  faults_link_down "$PART_HOST"
  sleep 5
  faults_link_up "$PART_HOST"
  event up "$PART_HOST"
  at "$(awk -v f="$f" 'BEGIN{print f*0.6}')"
  log "faults: 20% loss on host $LOSS_HOST's link for $loss_s s"
  faults_loss "$LOSS_HOST" 0.2 both
  event loss_on "$LOSS_HOST"
  sleep "$loss_s"
  faults_clear "$LOSS_HOST"
  event loss_off "$LOSS_HOST"
  at "$f"
}

# run_phase NAME PTP(0/1) FAULTS(0/1) SECONDS
run_phase() {
  PHASE=$1
  local ptp=$2 faults=$3 secs=$4 i k
  mkdir -p "$W/$PHASE"
  log "phase $PHASE: PTP $([ "$ptp" = 1 ] && echo on || echo off), ${secs} s"
  make_clocks || exit 1
  preflight
  LOCK_S=-
  if [ "$ptp" = 1 ]; then
    start_ptp
    wait_lock
    log "phase $PHASE: PTP locked after ${LOCK_S} s"
  fi
  start_clock_sampler
  start_tap
  for ((i = 0; i < NH; i++)); do start_node "$i" "$ptp"; done
  for ((k = 0; k < 100; k++)); do
    [ "$(cat "$W/$PHASE"/node*.log 2>/dev/null | grep -c 'listening on')" -ge "$NH" ] && break
    sleep 0.2
  done
  start_agg $((WARM_S + secs + 5))
  sleep "$WARM_S"
  T_LO=$(now_us)
  local ticks0 rx0 ticks1 rx1
  ticks0=$(agg_ticks)
  rx0=$(agg_rx_bytes)
  if [ "$faults" = 1 ]; then run_faults "$secs"; else sleep "$secs"; fi
  T_HI=$(now_us)
  ticks1=$(agg_ticks)
  rx1=$(agg_rx_bytes)
  echo "$T_LO $T_HI" >"$W/$PHASE/window.txt"
  sleep 2 # the last captures of the window reach the tap
  if [ -n "$AGG_PID" ]; then # it prints its summary on SIGINT; 20 s to end, then SIGKILL
    kill -INT "$AGG_PID" 2>/dev/null
    for ((k = 0; k < 100; k++)); do
      kill -0 "$AGG_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$AGG_PID" 2>/dev/null; then
      R[$PHASE.agg_hung]=1
      log "phase $PHASE: the aggregator did not exit within 20 s of SIGINT: SIGKILL"
      kill -KILL "$AGG_PID" 2>/dev/null
    fi
    wait "$AGG_PID" 2>/dev/null
  fi
  stop_pids INT "${PIDS_NODE[@]}"
  stop_pids TERM "$TAP_PID"
  kill "$CLOCK_PID" 2>/dev/null
  wait "$CLOCK_PID" 2>/dev/null
  [ "$ptp" = 1 ] && stop_pids TERM "${PIDS_PTP[@]}"
  # what only the run knows, for analyze_phase (and bench/multihost.sh --analyze DIR)
  {
    echo "lock_s=$LOCK_S"
    echo "agg_ran=$([ -n "$AGG_PID" ] && echo 1 || echo 0)"
    echo "ticks0=$ticks0 ticks1=$ticks1 rx0=$rx0 rx1=$rx1 clk_tck=$(getconf CLK_TCK)"
    echo "agg_hung=${R[$PHASE.agg_hung]:-}"
  } >"$W/$PHASE/measure.txt"
  AGG_PID=
  analyze_phase "$PHASE"
}

# analyze_phase NAME: the figures of a phase from its files ($W/NAME: window.txt, measure.txt,
# tap*.txt, clocks.log, agg.csv, agg.log, events.txt) into R
analyze_phase() {
  PHASE=$1
  local i k T_LO T_HI lock_s agg_ran ticks0 ticks1 rx0 rx1 clk_tck agg_hung
  read -r T_LO T_HI <"$W/$PHASE/window.txt"
  # shellcheck disable=SC1090
  eval "$(sed 's/ /\n/g' "$W/$PHASE/measure.txt" | grep -E '^[a-z_0-9]+=[-0-9.]*$')"
  R[$PHASE.lock_s]=$lock_s
  [ -n "${agg_hung:-}" ] && R[$PHASE.agg_hung]=1
  local wall_s
  wall_s=$(awk -v a="$T_LO" -v b="$T_HI" 'BEGIN{printf "%.1f", (b-a)/1e6}')
  R[$PHASE.wall_s]=$wall_s
  if [ "$agg_ran" = 1 ] && [ "$ticks0" -ge 0 ] && [ "$ticks1" -ge 0 ]; then
    R[$PHASE.agg_cpu]=$(awk -v a="$ticks0" -v b="$ticks1" -v t="$clk_tck" -v w="$wall_s" 'BEGIN{printf "%.2f", (b-a)/t/w*100}')
    R[$PHASE.agg_bps]=$(awk -v a="$rx0" -v b="$rx1" -v w="$wall_s" 'BEGIN{printf "%.0f", (b-a)/w}')
    # the first and the last minute of the window apart (is it steady?)
    if [ -s "$W/$PHASE/agg_cpu.log" ]; then
      read -r "R[$PHASE.agg_cpu_first]" "R[$PHASE.agg_cpu_last]" <<<"$(awk -v lo="$T_LO" -v hi="$T_HI" -v t="$clk_tck" '
        $2 != "" {n++; ts[n]=$1; tk[n]=$2}
        function rate(a, b,   i, j) { i=0; j=0
          for (x=1;x<=n;x++) { if (!i && ts[x]>=a) i=x; if (ts[x]<=b) j=x }
          if (!i || j<=i) return "-"; return sprintf("%.2f", (tk[j]-tk[i])/t/((ts[j]-ts[i])/1e6)*100) }
        END{print rate(lo, lo+60e6), rate(hi-60e6, hi)}' "$W/$PHASE/agg_cpu.log")"
    fi
  else
    R[$PHASE.agg_cpu]=n/a
    R[$PHASE.agg_bps]=n/a
  fi

  # the spread of every complete capture of the window
  local taps=()
  for ((i = 0; i < NH; i++)); do taps+=("$W/$PHASE/tap$i.txt"); done
  awk -v mode=spread -v lo="$T_LO" -v hi="$T_HI" -v nh="$NH" -v nc="$NC" -v delays="$W/delays.txt" \
    -f "$HERE/multihost_analyze.awk" "${taps[@]}" >"$W/$PHASE/spread.txt"
  read -r "R[$PHASE.sp50]" "R[$PHASE.sp99]" "R[$PHASE.spmax]" <<<"$(awk '$1=="S"{print $3}' "$W/$PHASE/spread.txt" | pct)"
  read -r _ _ "R[$PHASE.truthmax]" <<<"$(awk '$1=="S"{print $4}' "$W/$PHASE/spread.txt" | pct)"
  R[$PHASE.complete]=$(sed -n 's/^# complete=\([0-9]*\).*/\1/p' "$W/$PHASE/spread.txt")
  R[$PHASE.noglobal]=$(sed -n 's/.* no_global_captures=\([0-9]*\).*/\1/p' "$W/$PHASE/spread.txt")
  R[$PHASE.incomplete]=$(sed -n 's/.* incomplete=\([0-9]*\).*/\1/p' "$W/$PHASE/spread.txt")

  # every frame accounted for
  local ev=""
  [ -f "$W/$PHASE/events.txt" ] && ev="$W/$PHASE/events.txt"
  awk -v mode=account -v lo="$T_LO" -v hi="$T_HI" -v nh="$NH" -v nc="$NC" -v events="$ev" \
    -f "$HERE/multihost_analyze.awk" "${taps[@]}" >"$W/$PHASE/account.txt"
  local tot
  tot=$(grep '^# captures=' "$W/$PHASE/account.txt")
  for k in captures expected delivered duplicates missing dead unexplained; do
    R[$PHASE.$k]=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p;s/^# $k=\([0-9]*\).*/\1/p" <<<"$tot" | head -1)
  done

  # the aggregator's view: its CSV's global timestamps joined to the truth by (device, stream,
  # frame index); its per-host table (lost messages, node drops) and unmatched frames explain
  if [ -s "$W/$PHASE/agg.csv" ]; then
    awk '/^== hosts:/ {on=1; next} on && /^VERDICT/ {on=0} on && $1 ~ /^h[0-9]+$/ {
           for (i=2;i<NF;i++) if ($i ~ /^[0-9]+\/[0-9]+$/) {split($i, a, "/"); print substr($1,2), a[1], $(i+1); break}}' \
      "$W/$PHASE/agg.log" >"$W/$PHASE/agg_table.txt"
    local unm
    # "rigsync: frames in no frameset: N arrived after ..., N had no global timestamp, N were in
    # ... sets dropped ..., N had no slot": every frame it reported unmatched
    unm=$(grep -m1 '^rigsync: frames in no frameset:' "$W/$PHASE/agg.log" | sed 's/^[^:]*: [^:]*://' |
      awk -F, '{for (i=1;i<=NF;i++) {split($i, a, " "); s += a[1]}} END{printf "%d", s}')
    awk -v mode=agg -v lo="$T_LO" -v hi="$T_HI" -v nh="$NH" -v nc="$NC" -v delays="$W/delays.txt" \
      -v events="$ev" -v aggtable="$W/$PHASE/agg_table.txt" -v agg_unmatched="${unm:-0}" \
      -f "$HERE/multihost_analyze.awk" "${taps[@]}" "$W/$PHASE/agg.csv" >"$W/$PHASE/agg_account.txt"
    read -r "R[$PHASE.ap50]" "R[$PHASE.ap99]" "R[$PHASE.apmax]" <<<"$(awk '$1=="G"{print $3}' "$W/$PHASE/agg_account.txt" | pct)"
    tot=$(grep '^# agg_rows=' "$W/$PHASE/agg_account.txt")
    for k in agg_rows agg_complete agg_mixed agg_unknown expected in_sets duplicates missing dead unmatched unexplained; do
      R[$PHASE.a_$k]=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p;s/^# $k=\([0-9]*\).*/\1/p" <<<"$tot" | head -1)
    done
  fi

  # the clocks: each host's offset from host 0 in the window (ground truth)
  for ((i = 1; i < NH; i++)); do
    read -r "R[$PHASE.c$i.p50]" "R[$PHASE.c$i.p99]" "R[$PHASE.c$i.max]" <<<"$(
      awk -v f="file=$W/c$i.clock" -v lo="$T_LO" -v hi="$T_HI" '$1==f {m=""; o=""
        for (i=2;i<=NF;i++) {if ($i ~ /^mono_ns=/) m=substr($i,9)/1000; if ($i ~ /^from_first_ns=/) o=substr($i,15)+0}
        if (m>=lo && m<=hi) {if (o<0) o=-o; printf "%.0f\n", o}}' "$W/$PHASE/clocks.log" | pct)"
  done
  read -r "R[$PHASE.call.p50]" "R[$PHASE.call.p99]" "R[$PHASE.call.max]" <<<"$(
    awk -v lo="$T_LO" -v hi="$T_HI" -v first="file=$W/c0.clock" '$1!=first {m=""; o=""
      for (i=2;i<=NF;i++) {if ($i ~ /^mono_ns=/) m=substr($i,9)/1000; if ($i ~ /^from_first_ns=/) o=substr($i,15)+0}
      if (m>=lo && m<=hi) {if (o<0) o=-o; printf "%.0f\n", o}}' "$W/$PHASE/clocks.log" | pct)"
  log "phase $PHASE: spread p50/p99/max ${R[$PHASE.sp50]}/${R[$PHASE.sp99]}/${R[$PHASE.spmax]} us over ${R[$PHASE.complete]} captures; unexplained ${R[$PHASE.unexplained]}"
}

us_ms() { # ns -> "x.xxx ms" / us
  awk -v v="$1" -v d="$2" 'BEGIN{if (v=="-"||v=="") print "-"; else printf "%.*f", d, v/1000}'
}

report() {
  local p i
  echo
  echo "bench-multihost: $NH hosts x $NC cameras (color + depth, 30 fps, metadata only), one hardware-synced rig through hubs"
  echo "node --hosts: $([ "$HAVE_NODE_HOSTS" = 1 ] && echo yes || echo "no (per-host configs from multihost_gen.sh)"), aggregator (run --hosts): $([ "$HAVE_AGG" = 1 ] && echo yes || echo "not in this build"), node PTP reports: $([ "$HAVE_PTPUDS" = 1 ] && echo yes || echo no)"
  echo
  printf "%-44s %18s %18s\n" "" "PTP on" "PTP off"
  printf "%-44s %18s %18s\n" "measured window s" "${R[ptp.wall_s]}" "${R[noptp.wall_s]}"
  printf "%-44s %18s %18s\n" "PTP lock s (every client within 20 us)" "${R[ptp.lock_s]}" "-"
  printf "%-44s %18s %18s\n" "captures with all 64 color frames" "${R[ptp.complete]}" "${R[noptp.complete]}"
  printf "%-44s %18s %18s\n" "cross-host spread, nodes' global_ts p50 us" "${R[ptp.sp50]}" "${R[noptp.sp50]}"
  printf "%-44s %18s %18s\n" "cross-host spread, nodes' global_ts p99 us" "${R[ptp.sp99]}" "${R[noptp.sp99]}"
  printf "%-44s %18s %18s\n" "cross-host spread, nodes' global_ts max us" "${R[ptp.spmax]}" "${R[noptp.spmax]}"
  printf "%-44s %18s %18s\n" "  of it the hardware's own (truth) max us" "${R[ptp.truthmax]}" "${R[noptp.truthmax]}"
  printf "%-44s %18s %18s\n" "  captures left out: a frame without global" "${R[ptp.noglobal]:--}" "${R[noptp.noglobal]:--}"
  if [ "$HAVE_AGG" = 1 ]; then
    printf "%-44s %18s %18s\n" "aggregator's sets (CSV), all 64 color frames" "${R[ptp.a_agg_complete]:--}" "${R[noptp.a_agg_complete]:--}"
    printf "%-44s %18s %18s\n" "  sets mixing captures" "${R[ptp.a_agg_mixed]:--}" "${R[noptp.a_agg_mixed]:--}"
    printf "%-44s %18s %18s\n" "  spread of its global_us p50 us" "${R[ptp.ap50]:--}" "${R[noptp.ap50]:--}"
    printf "%-44s %18s %18s\n" "  spread of its global_us p99 us" "${R[ptp.ap99]:--}" "${R[noptp.ap99]:--}"
    printf "%-44s %18s %18s\n" "  spread of its global_us max us" "${R[ptp.apmax]:--}" "${R[noptp.apmax]:--}"
  fi
  for p in p50 p99 max; do
    printf "%-44s %18s %18s\n" "clock offset from host 0, all hosts, $p us" \
      "$(us_ms "${R[ptp.call.$p]}" 1)" "$(us_ms "${R[noptp.call.$p]}" 1)"
  done
  printf "%-44s %18s %18s\n" "aggregator CPU % of one core (with --csv)" "${R[ptp.agg_cpu]}" "${R[noptp.agg_cpu]}"
  [ -n "${R[ptp.agg_cpu_first]:-}" ] &&
    printf "%-44s %18s %18s\n" "  its first / last minute of the window" "${R[ptp.agg_cpu_first]} / ${R[ptp.agg_cpu_last]}" "${R[noptp.agg_cpu_first]:--} / ${R[noptp.agg_cpu_last]:--}"
  [ -n "${R[cpu.agg_cpu]:-}" ] &&
    printf "%-44s %18s %18s\n" "aggregator CPU % of one core (no --csv, ${R[cpu.wall_s]} s)" "${R[cpu.agg_cpu]}" "-"
  printf "%-44s %18s %18s\n" "aggregator bytes/s received" "${R[ptp.agg_bps]}" "${R[noptp.agg_bps]}"
  printf "%-44s %18s %18s\n" "frames expected (truth)" "${R[ptp.expected]}" "${R[noptp.expected]}"
  printf "%-44s %18s %18s\n" "frames delivered / duplicates" "${R[ptp.delivered]} / ${R[ptp.duplicates]}" "${R[noptp.delivered]} / ${R[noptp.duplicates]}"
  printf "%-44s %18s %18s\n" "frames lost unexplained" "${R[ptp.unexplained]}" "${R[noptp.unexplained]}"
  if [ "$HAVE_AGG" = 1 ]; then
    printf "%-44s %18s %18s\n" "aggregator: frames in its sets" "${R[ptp.a_in_sets]:--}" "${R[noptp.a_in_sets]:--}"
    printf "%-44s %18s %18s\n" "aggregator: frames lost unexplained" "${R[ptp.a_unexplained]:--}" "${R[noptp.a_unexplained]:--}"
  fi
  [ -n "${R[ptp.agg_hung]:-}${R[noptp.agg_hung]:-}${R[faults.agg_hung]:-}" ] &&
    echo "NOTE: the aggregator did not exit within 20 s of SIGINT in phase(s):${R[ptp.agg_hung]:+ ptp}${R[noptp.agg_hung]:+ noptp}${R[faults.agg_hung]:+ faults} (killed)"
  local wl
  wl=$(awk '$1=="W" {printf "%sh%dC%d %d x (max %d us)", sep, $2, $3, $4, $5; sep="; "}' "$W/ptp/spread.txt" 2>/dev/null)
  [ -n "$wl" ] && echo "PTP on: cameras more than 50 us from their capture's mean: $wl"
  echo
  echo "clocks (ground truth of the shims): offset from host 0 in the window, us"
  printf "%-6s %12s %10s %28s %28s\n" host "set off ms" "skew ppm" "PTP on p50/p99/max" "PTP off p50/p99/max"
  for ((i = 1; i < NH; i++)); do
    read -r _ off skew < <(awk -v i=$i '$1==i' "$W/clocks.txt")
    printf "%-6s %12.3f %10.1f %28s %28s\n" "h$i" "$(awk -v v="$off" 'BEGIN{print v/1e6}')" \
      "$(awk -v v="$skew" 'BEGIN{print v/1e3}')" \
      "$(us_ms "${R[ptp.c$i.p50]}" 1)/$(us_ms "${R[ptp.c$i.p99]}" 1)/$(us_ms "${R[ptp.c$i.max]}" 1)" \
      "$(us_ms "${R[noptp.c$i.p50]}" 0)/$(us_ms "${R[noptp.c$i.p99]}" 0)/$(us_ms "${R[noptp.c$i.max]}" 0)"
  done
  echo
  echo "faults (${R[faults.wall_s]} s, PTP on): node of h$KILL_HOST kill -9'd and restarted 5 s later; h$PART_HOST partitioned 5 s; 20% loss on h$LOSS_HOST's link"
  printf "%-6s %10s %10s %6s %8s %8s %10s %10s %12s\n" host expected delivered dups missing dead link_msgs queue_msgs unexplained
  awk '$1=="A"{printf "%-6s %10d %10d %6d %8d %8d %10d %10d %12d\n", "h"$2, $3, $4, $5, $6, $7, $8, $9, $10}' "$W/faults/account.txt"
  if [ -f "$W/faults/agg_account.txt" ]; then
    echo "the aggregator's view (frames in its sets; link_msgs and queue_msgs from its host table; $(sed -n 's/.* unmatched=\([0-9]*\).*/\1/p' "$W/faults/agg_account.txt") frames it reported unmatched are subtracted from the total):"
    printf "%-6s %10s %10s %6s %8s %8s %10s %10s %12s\n" host expected in_sets dups missing dead link_msgs queue_msgs unexplained
    awk '$1=="AG"{printf "%-6s %10d %10d %6d %8d %8d %10d %10d %12d\n", "h"$2, $3, $4, $5, $6, $7, $8, $9, $10}' "$W/faults/agg_account.txt"
  fi
  local rej=0 lu=0 what
  while read -r _ what i r; do
    echo "rejoin after $([ "$what" = restart ] && echo "the restart of h$i's node" || echo "h$i's link came up"): ${r} s (to its first frame in a complete capture)"
    if awk -v r="$r" 'BEGIN{exit !(r<0)}'; then rej=-1; fi
    [ "$rej" != -1 ] && rej=$(awk -v a="$rej" -v r="$r" 'BEGIN{m=a; if (r>m) m=r; print m}')
  done < <(grep '^R ' "$W/faults/account.txt")
  # the aggregator's rejoin when it ran: to the first capture after the fault in a complete set
  if [ -f "$W/faults/agg_account.txt" ] && grep -q '^RA ' "$W/faults/agg_account.txt"; then
    rej=0
    while read -r _ what i r; do
      echo "the aggregator: first complete set after $([ "$what" = restart ] && echo "the restart of h$i's node" || echo "h$i's link came up"): a capture ${r} s after it"
      if awk -v r="$r" 'BEGIN{exit !(r<0)}'; then rej=-1; fi
      [ "$rej" != -1 ] && rej=$(awk -v a="$rej" -v r="$r" 'BEGIN{m=a; if (r>m) m=r; print m}')
    done < <(grep '^RA ' "$W/faults/agg_account.txt")
  fi
  # the aggregator's frames when it ran, else the tap's (a subscriber on the same network)
  if [ "$HAVE_AGG" = 1 ] && [ -n "${R[faults.a_unexplained]:-}" ]; then
    lu=$((${R[ptp.a_unexplained]:-0} + ${R[noptp.a_unexplained]:-0} + ${R[faults.a_unexplained]:-0}))
  else
    lu=$((${R[ptp.unexplained]:-0} + ${R[noptp.unexplained]:-0} + ${R[faults.unexplained]:-0}))
  fi
  local sp99=${R[ptp.sp99]} off99=${R[noptp.sp99]}
  if [ -n "${R[ptp.ap99]:-}" ] && [ "${R[ptp.ap99]}" != - ]; then sp99=${R[ptp.ap99]}; off99=${R[noptp.ap99]}; fi
  local dup=$((${R[ptp.duplicates]:-0} + ${R[noptp.duplicates]:-0} + ${R[faults.duplicates]:-0}))
  [ "$dup" -gt 0 ] && echo "WARNING: $dup frames delivered twice"
  echo
  echo "RESULT crosshost_spread_p99_us=$sp99 ptp_off_spread_p99_us=$off99 aggregator_cpu_pct=${R[ptp.agg_cpu]} lost_unexplained=$lu rejoin_s=$rej"
}

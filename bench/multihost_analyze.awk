# The analysis of `make bench-multihost` (bench/multihost.sh) over multihost_tap's files
# tap<h>.txt (h = host; line formats in bench/multihost_tap.c). mawk-compatible. Variables:
#   mode    "spread" or "account"
#   lo, hi  the window, true_mono_us (the simulator's truth, CLOCK_MONOTONIC): captures whose
#           true instant lies in it
#   nh, nc  hosts and cameras per host; ns streams per camera (2: color and depth)
#   delays  the file "host device color_delay_us" (spread: subtracted from global_ts_us)
#   events  (account) the file of faults, "what host mono_us": kill, restart, down, up
#
# A capture (trigger_seq) is in the window when the earliest true instant of its frames is.
# mode spread: for each capture of the window with a color frame from every camera
# of every host (a complete capture), one line "S seq spread_us truth_spread_us": the cross-host
# spread of global timestamps, max - min over the nh*nc cameras of global_ts_us - color delay,
# and the same of the truth (true_mono_us: what the simulated hardware itself contributes).
# A capture with a frame the node sent without a global timestamp (RIG_TS_NONE) is not complete.
# "W host device n max_us": a camera more than 50 us from its captures' mean n times (max).
# Then "# complete=N incomplete=M frames=F no_global_captures=G".
#
# mode agg: the same spread from the aggregator's CSV (given after the tap files), its frames
# joined to the truth by (host, device, stream, device_us): "G seq spread_us" per complete row.
# mode account: expected frames from truth: every capture of the window (every trigger_seq any
# camera delivered in it) x every camera x every stream, against those delivered (a frame
# counted once; a second copy is a duplicate). Each missing frame is explained by, in order:
#   dead:  its host's node was killed: between the camera's last frame before the kill and its
#          first frame from the restarted node (captured while no node ran it, or queued in the
#          killed process)
#   link:  messages lost on the link, exactly from the sequence gaps inside one node run,
#          received in the window (up to 2 s after it) (not the messages a restarted node sent before the tap was connected again: those
#          frames are dead above)
#   queue: messages the node's queue dropped (its HEARTBEAT's cumulative count, per run)
# Per host "A h expected delivered duplicates missing dead link_msgs queue_msgs unexplained",
# unexplained = max(0, missing - dead - link_msgs - queue_msgs); then per fault the rejoin:
# (mode agg: the same from the aggregator's CSV rows, "AG ...", its link and queue counts from
# the file aggtable "host link_msgs queue_msgs", minus agg_unmatched frames it reported; then
# "RA what host seconds": to the first capture after the fault in a complete row of its CSV)
# "R what host seconds" = from the restart / link up to the first frame of that host the tap
# received that belongs to a complete capture (every camera, every stream). Then "# ..." totals.

function host_of(f,   i) {
    i = match(f, /tap[0-9]+\.txt$/)
    return substr(f, i + 3, RLENGTH - 7) + 0
}

BEGIN {
    if (ns == "") ns = 2
    split("", got); split("", dups); split("", link); split("", queue)
    split("", agot); split("", adups); split("", alink); split("", aqueue)
    if (delays != "")
        while ((getline line < delays) > 0) {
            split(line, a, " ")
            delay[a[1], a[2]] = a[3]
        }
    nev = 0
    if (events != "")
        while ((getline line < events) > 0) {
            split(line, a, " ")
            nev++
            ev_what[nev] = a[1]
            ev_host[nev] = a[2]
            ev_t[nev] = a[3]
            if (a[1] == "kill") kill_t[a[2]] = a[3]
        }
}

function close_run() { # the node run that just ended: its queue drops
    if (first_hb >= 0) queue[h] += last_hb - first_hb
    first_hb = -1
    last_hb = -1
}

# the aggregator's per-set CSV (rigsync run --csv), after the tap files
FNR == 1 && FILENAME ~ /\.csv$/ {
    if (started) close_run()
    started = 0
    csv = 1
    FS = ","
    next
}
csv {
    agg_row()
    next
}

FNR == 1 {
    if (started) close_run()
    started = 1
    h = host_of(FILENAME)
    prev_seq = -1
    run = 0
    first_hb = -1
    last_hb = -1
}

# every message: the node's sequence (runs and gaps)
$1 != "X" {
    s = $3 + 0
    if (prev_seq >= 0 && s <= prev_seq) { # a new node process: a new run
        close_run()
        run++
    } else if (prev_seq >= 0 && s > prev_seq + 1 && $2 >= lo && $2 <= hi + 2000000) {
        link[h] += s - prev_seq - 1
    }
    prev_seq = s
    runs[h] = run + 1
}

$1 == "B" {
    if (first_hb < 0) first_hb = $5 + 0
    last_hb = $5 + 0
}

$1 == "F" && $7 >= 0 {
    t = $8 + 0
    if (t < lo - 1000000 || t > hi + 1000000) next # the window is decided per capture, at the end
    k = $7 + 0
    d = $4 + 0
    st = $5 + 0
    if (mode == "agg") { # by device timestamp (the aggregator numbers frames its own way)
        ikey = h SUBSEP d SUBSEP st SUBSEP $12
        if (!(ikey in ix)) ix[ikey] = k
        else if (ix[ikey] != k && index(" " ix[ikey] " ", " " k " ") == 0) ix[ikey] = ix[ikey] " " k
    }
    key = h SUBSEP d SUBSEP st SUBSEP k
    if (key in got) {
        dups[h]++
        next
    }
    got[key] = $2 + 0
    if (!(k in kt) || t < kt[k]) kt[k] = t
    n_got[k]++
    if (st == 0 && $9 < -1e18) { # RIG_TS_NONE: the node gave it no global timestamp
        noglob[k] = 1
        n_noglob++
    } else if (st == 0) {
        g = $9 - delay[h, d]
        if (mode == "spread") gv[k, h * nc + d] = g
        if (!(k in gmin) || g < gmin[k]) gmin[k] = g
        if (!(k in gmax) || g > gmax[k]) gmax[k] = g
        if (!(k in tmin) || t < tmin[k]) tmin[k] = t
        if (!(k in tmax) || t > tmax[k]) tmax[k] = t
        ncolor[k]++
    }
    # per host and camera stream: runs (for the kill)
    if (run > 0 && !((h, d, st) in first_new)) first_new[h, d, st] = k
    if (run == 0 && (h in kill_t)) last_old[h, d, st] = k
    # frames of the host in receipt order, for the rejoin
    nf[h]++
    fr_k[h, nf[h]] = k
    fr_r[h, nf[h]] = $2 + 0
}

function account(tag, have, ndup, lk, qu,   hh, exp_h, miss, dead, k, d, st, other, un) {
    split("", delivered)
    tot_exp = 0; tot_del = 0; tot_miss = 0; tot_dead = 0; tot_un = 0; tot_dup = 0
    for (hh = 0; hh < nh; hh++) {
        exp_h = ncap * nc * ns
        miss = 0
        dead = 0
        for (k in seen)
            for (d = 0; d < nc; d++)
                for (st = 0; st < ns; st++) {
                    if ((hh SUBSEP d SUBSEP st SUBSEP k) in have) {
                        delivered[hh]++
                        continue
                    }
                    miss++
                    if ((hh in kill_t) && ((hh, d, st) in first_new) && k < first_new[hh, d, st] &&
                        (!((hh, d, st) in last_old) || k > last_old[hh, d, st]))
                        dead++
                }
        other = miss - dead
        un = other - lk[hh] - qu[hh]
        if (un < 0) un = 0
        printf "%s %d %d %d %d %d %d %d %d %d\n", tag, hh, exp_h, delivered[hh] + 0, ndup[hh] + 0, miss, dead,
               lk[hh] + 0, qu[hh] + 0, un
        tot_exp += exp_h; tot_del += delivered[hh]; tot_miss += miss; tot_dead += dead
        tot_un += un; tot_dup += ndup[hh]
    }
}

# one row of the aggregator's CSV: set,time_us,spread_us, then per device (host order, then
# device order) serial and per stream status,index,device_us,system_us,global_us
function agg_row(   dd, hh, d, st, col, idx, k, kk, g, n, nall, gmn, gmx, mixed_row, key, ref, nc2, c, i, best) {
    nrows++
    kk = -1
    n = 0
    nall = 0
    mixed_row = 0
    # the row's capture: the first frame whose (device, stream, device_us) names one capture
    ref = -1
    for (dd = 0; dd < nh * nc && ref < 0; dd++)
        for (st = 0; st < ns && ref < 0; st++) {
            idx = $(4 + dd * (1 + 5 * ns) + 3 + st * 5)
            key = int(dd / nc) SUBSEP (dd % nc) SUBSEP st SUBSEP idx
            if (idx != "" && (key in ix) && index(ix[key], " ") == 0) ref = ix[key] + 0
        }
    for (dd = 0; dd < nh * nc; dd++) {
        hh = int(dd / nc)
        d = dd % nc
        for (st = 0; st < ns; st++) {
            col = 4 + dd * (1 + 5 * ns) + 1 + st * 5
            if ($(col + 1) == "") continue # no frame in this slot (its index is empty)
            idx = $(col + 2) # device_us
            key = hh SUBSEP d SUBSEP st SUBSEP idx
            if (!(key in ix)) {
                unknown++
                continue
            }
            nc2 = split(ix[key], c, " ")
            best = c[1] + 0
            for (i = 2; i <= nc2; i++) # of several frames with this timestamp, the nearest
                if (ref >= 0 && (c[i] - ref) ^ 2 < (best - ref) ^ 2) best = c[i] + 0
            k = best
            if (kk < 0) kk = k
            else if (k != kk) mixed_row = 1
            nall++
            key = hh SUBSEP d SUBSEP st SUBSEP k
            if (key in agot) adups[hh]++
            else agot[key] = 1
            if (st == 0 && $(col + 4) == "-") { # no global timestamp
                aglob_none[k] = 1
            } else if (st == 0) {
                g = $(col + 4) - delay[hh, d]
                n++
                if (n == 1 || g < gmn) gmn = g
                if (n == 1 || g > gmx) gmx = g
            }
        }
    }
    if (mixed_row) mixed++
    if (kk >= 0 && nall == nh * nc * ns && !mixed_row) full[kk] = 1
    if (kk >= 0 && n == nh * nc && !mixed_row && !(kk in aglob_none)) {
        nar++
        arow_k[nar] = kk
        arow_sp[nar] = gmx - gmn
    }
}

END {
    if (started) close_run()
    if (mode == "spread") {
        complete = 0
        incomplete = 0
        frames = 0
        for (k in ncolor) {
            if (kt[k] < lo || kt[k] > hi) continue
            frames += ncolor[k]
            if (ncolor[k] == nh * nc && !(k in noglob)) {
                complete++
                printf "S %.0f %.0f %.0f\n", k, gmax[k] - gmin[k], tmax[k] - tmin[k]
                # each camera's distance from the capture's mean: who makes the spread
                sum = 0
                for (d = 0; d < nh * nc; d++) sum += gv[k, d]
                for (d = 0; d < nh * nc; d++) {
                    e = gv[k, d] - sum / (nh * nc)
                    if (e < 0) e = -e
                    if (e > 50) off50[d]++
                    if (e > offmax[d]) offmax[d] = e
                }
            } else {
                incomplete++
            }
        }
        for (d = 0; d < nh * nc; d++)
            if (off50[d] > 0) printf "W %d %d %d %.0f\n", int(d / nc), d % nc, off50[d], offmax[d]
        nng = 0
        for (k in noglob)
            if (kt[k] >= lo && kt[k] <= hi) nng++
        printf "# complete=%d incomplete=%d frames=%d no_global_captures=%d\n", complete, incomplete, frames, nng
        exit
    }
    ncap = 0
    for (k in kt)
        if (kt[k] >= lo && kt[k] <= hi) {
            seen[k] = 1
            ncap++
        }
    if (mode == "agg") {
        nspread = 0
        for (r = 1; r <= nar; r++) {
            k = arow_k[r]
            if (!(k in seen)) continue
            printf "G %.0f %.0f\n", k, arow_sp[r]
            nspread++
        }
        if (aggtable != "")
            while ((getline line < aggtable) > 0) {
                split(line, a, " ")
                alink[a[1]] = a[2]
                aqueue[a[1]] = a[3]
            }
        account("AG", agot, adups, alink, aqueue)
        # the rejoin in the aggregator's sets: from the restart / link up to the first capture
        # after it that the aggregator has complete (every camera, every stream), in truth time
        for (e = 1; e <= nev; e++) {
            if (ev_what[e] != "restart" && ev_what[e] != "up") continue
            best = -1
            for (k in full)
                if ((k in kt) && kt[k] >= ev_t[e] && (best < 0 || kt[k] < kt[best])) best = k
            rj = -1
            if (best >= 0) rj = (kt[best] - ev_t[e]) / 1e6
            printf "RA %s %d %.2f\n", ev_what[e], ev_host[e], rj
        }
        net = tot_un - agg_unmatched
        if (net < 0) net = 0
        printf "# agg_rows=%d agg_complete=%d agg_mixed=%d agg_unknown=%d expected=%d in_sets=%d duplicates=%d missing=%d dead=%d unmatched=%d unexplained=%d\n",
               nrows, nspread, mixed, unknown, tot_exp, tot_del, tot_dup, tot_miss, tot_dead, agg_unmatched, net
        exit
    }
    account("A", got, dups, link, queue)
    for (e = 1; e <= nev; e++) {
        if (ev_what[e] != "restart" && ev_what[e] != "up") continue
        hh = ev_host[e]
        r = -1
        for (i = 1; i <= nf[hh]; i++) {
            if (fr_r[hh, i] < ev_t[e]) continue
            if (n_got[fr_k[hh, i]] == nh * nc * ns) {
                r = (fr_r[hh, i] - ev_t[e]) / 1e6
                break
            }
        }
        printf "R %s %d %.2f\n", ev_what[e], hh, r
    }
    printf "# captures=%d expected=%d delivered=%d duplicates=%d missing=%d dead=%d unexplained=%d\n",
           ncap, tot_exp, tot_del, tot_dup, tot_miss, tot_dead, tot_un
}

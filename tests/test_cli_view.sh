#!/usr/bin/env bash
# rigsync view under Xvfb (xvfb-run), in virtual time: screenshots read back through the
# renderer, checked with png_probe (libpng, not rigsync's code) against the layout the viewer
# wrote (--layout): one tile per device and stream with an image, one scope mark per capture
# (30 fps: 30 or 31 marks in a second, one run of the stream's colour per capture), the verdict
# drawn; a device unplugged by the fault config: its tiles framed red, its scope rows empty; 16
# devices fit; keys (pushed as SDL key events): space stops time, left/right step framesets, d
# depth only, q quits with 0; a replay and the vendor backend (the emulator) are shown too.
# usage: test_cli_view.sh RIGSYNC_BINARY PNG_PROBE CONFIGS_DIR GEN_RIG OBEMU_LIB
set -u
bin=$1
probe=$2
configs=$3
gen_rig=$4
emu=$5
. "$(dirname "$0")/cli_lib.sh"

# The whole script runs under one private X server (ctest: xvfb-run -a test_cli_view.sh ...).
if [ -z "${DISPLAY:-}" ]; then
    echo "FAIL: no X display: run this script under xvfb-run -a (scripts/setup.sh --test installs xvfb and xauth)"
    exit 1
fi
# view NAME RC ARGS... : rigsync view, its output kept in $tmp/NAME.{out,err}
view() {
    local name=$1 want=$2
    shift 2
    "$bin" view "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, wanted $want (rigsync view $*)"
        sed 's/^/  stderr: /' "$tmp/$name.err" | head -5
        return 1
    fi
    ok
}
# check_shot NAME PNG LAYOUT ARGS... : the python checker below on a screenshot and its layout
check_shot() {
    local name=$1
    shift
    if [ ! -s "$1" ] || [ ! -s "$2" ]; then
        bad "$name: no screenshot or layout written"
        return
    fi
    local res
    res=$(python3 "$tmp/check.py" "$probe" "$@" 2>&1)
    if [ "$res" = OK ]; then ok; else bad "$name: $res"; fi
}
cat >"$tmp/check.py" <<'PY'
import json, subprocess, sys
probe, png, layout_path = sys.argv[1:4]
opts = sys.argv[4:]
L = json.load(open(layout_path))
errs = []
def runs(r, rgb, tol=24):
    out = subprocess.run([probe, "--runs", png, str(r["x"]), str(r["y"]), str(r["w"]), str(r["h"]),
                          rgb, str(tol)], capture_output=True, text=True).stdout.split()
    return int(out[0].split("=")[1]), int(out[1].split("=")[1])
def regions(rects):
    args = [probe, "--regions", png]
    for r in rects:
        args += [str(r["x"]), str(r["y"]), str(r["w"]), str(r["h"])]
    lines = subprocess.run(args, capture_output=True, text=True).stdout.splitlines()
    res = []
    for ln in lines[1:]:
        f = dict(kv.split("=") for kv in ln.split()[5:])
        res.append((int(f["distinct"]), float(f["nonbg"])))
    return lines[0].split(), res
ndev = int(opts[0]); streams = opts[1].split(","); silent = set(int(x) for x in opts[2].split(",") if x)
# "paced": a real-time run (the vendor backend): frames a slow host (a sanitizer build) could not
# take in time are dropped, so the rows need marks, not 30 of them
paced = "paced" in opts[3:]
# "nopixels": a run without pixels (the 16 devices: quick under the sanitizers); no images to check
nopixels = "nopixels" in opts[3:]
size, _ = regions([])
if [int(size[0]), int(size[1])] != [L["width"], L["height"]]:
    errs.append("screenshot %s x %s, layout %d x %d" % (size[0], size[1], L["width"], L["height"]))
want = [(d, s) for d in range(ndev) for s in ["color", "depth"] if s in streams]
got = [(t["device"], t["stream"]) for t in L["tiles"]]
if got != want:
    errs.append("tiles %s, wanted %s" % (got, want))
# Inside the window, and no two overlap.
rs = [t["tile"] for t in L["tiles"]]
for i, a in enumerate(rs):
    if a["x"] < 0 or a["y"] < 0 or a["x"] + a["w"] > L["width"] or a["y"] + a["h"] > L["scope"]["y"]:
        errs.append("tile %d outside the mosaic: %s" % (i, a))
    for b in rs[i + 1:]:
        if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]:
            errs.append("tiles overlap: %s %s" % (a, b))
# Every image has content: a gradient / colormap of many colours over most of it.
_, res = regions([t["image"] for t in L["tiles"]])
for t, (distinct, nonbg) in zip(L["tiles"], res):
    if nopixels:
        if t["has_image"] or t["image"]["w"] < 40 or t["image"]["h"] < 30:
            errs.append("device %d %s: image %s" % (t["device"], t["stream"], t["image"]))
    elif not t["has_image"] or distinct < 16 or nonbg < 0.5:
        errs.append("device %d %s image blank: distinct %d nonbg %.2f" % (t["device"], t["stream"], distinct, nonbg))
# The silent ones framed red (the top edge of the tile), the others not; the layout agrees.
for t in L["tiles"]:
    top = dict(t["tile"]); top["x"] += 6; top["w"] -= 12; top["y"] += 1; top["h"] = 2
    px, _ = runs(top, "ff2020", 12)
    s = t["device"] in silent
    if s != t["silent"] or (s and px < top["w"] * 2 * 0.9) or (not s and px):
        errs.append("device %d %s: silent %s, red top edge %d px" % (t["device"], t["stream"], t["silent"], px))
# The scope: one row per device and stream; one mark (one run of its colour) per capture: 30 or
# 31 in a second at 30 fps (the layout's count), none of the other stream's colour; a silent
# device's rows are empty.
rows = [(r["device"], r["stream"]) for r in L["rows"]]
if rows != [(d, s) for d in range(ndev) for s in ["color", "depth"]]:
    errs.append("scope rows %s" % rows)
for r in L["rows"]:
    mine, other = ("ffb000", "00d0ff") if r["stream"] == "color" else ("00d0ff", "ffb000")
    _, n = runs(r["marks"], mine)
    _, n_other = runs(r["marks"], other)
    # 30 fps: 30 or 31 captures in (now - 1 s, now]; the simulator drops a frame now and then
    # (its summary counts it), one mark fewer
    want = (0, 0) if r["device"] in silent else (1, 31) if paced else (28, 31)
    if not (want[0] <= n <= want[1]) or n != r["mark_count"] or n_other:
        errs.append("row device %d %s: %d marks drawn (layout %d), %d of the other stream; wanted %s" %
                    (r["device"], r["stream"], n, r["mark_count"], n_other, want))
# The verdict line: text drawn (anti-aliased glyphs over a part of the line).
_, [(distinct, nonbg)] = regions([L["verdict"]])
if distinct < 3 or nonbg < 0.05 or not L["verdict_text"]:
    errs.append("verdict line blank: distinct %d nonbg %.2f text %r" % (distinct, nonbg, L["verdict_text"]))
print("OK" if not errs else "; ".join(errs[:6]))
PY
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v if v is not None else "null")' "$1" "$2" 2>/dev/null; }

# --- the default rig, 3 virtual seconds --------------------------------------------------------
view def 0 --virtual-time --seconds 3 --screenshot "$tmp/def.png" --layout "$tmp/def.json"
check_shot def "$tmp/def.png" "$tmp/def.json" 2 color,depth ""
# 3 s of frames: the summary cannot judge drift yet (it needs 8 s); the same words as run's.
case "$(jget "$tmp/def.json" verdict_text)" in
"UNKNOWN: too short to measure capture drift (need 8 s of frames from every device); run longer."*) ok ;;
*) bad "def: verdict $(jget "$tmp/def.json" verdict_text)" ;;
esac
size=$(stat -c %s "$tmp/def.png" 2>/dev/null || echo 0)
if [ "$size" -gt 10000 ]; then ok; else bad "def: screenshot of $size bytes"; fi

# --- a device unplugged at 1 s (a fault config as faults_example.json's): silent at 2.3 s -------
cat >"$tmp/unplug.json" <<'JSON'
{
    "devices": [
        { "serial_number": "FLT00001", "config": { "mode": "PRIMARY", "trigger_out_enable": true } },
        { "serial_number": "FLT00002", "config": { "mode": "SECONDARY", "trigger_out_enable": true, "depth_delay_us": 160 } },
        { "serial_number": "FLT00003", "config": { "mode": "SECONDARY", "depth_delay_us": 320 } }
    ],
    "sim": { "events": [ { "at_s": 1.0, "unplug": "FLT00003" } ] }
}
JSON
view flt 0 --virtual-time --seconds 2.3 --config "$tmp/unplug.json" --screenshot "$tmp/flt.png" \
    --layout "$tmp/flt.json"
check_shot flt "$tmp/flt.png" "$tmp/flt.json" 3 color,depth 2
case "$(jget "$tmp/flt.json" verdict_text)" in
"NOT SYNCHRONIZED: device#2 (FLT00003, SECONDARY) stopped delivering frames"*) ok ;;
*) bad "flt: verdict $(jget "$tmp/flt.json" verdict_text)" ;;
esac

# --- 16 devices fit (1.5 s; no pixels: the simulator renders 32 images per capture otherwise) ---
"$gen_rig" 16 >"$tmp/r16.json"
view r16 0 --virtual-time --seconds 1.5 --no-pixels --config "$tmp/r16.json" --screenshot "$tmp/r16.png" \
    --layout "$tmp/r16.json.layout"
check_shot r16 "$tmp/r16.png" "$tmp/r16.json.layout" 16 color,depth "" nopixels

# --- keys (1.2 s, a smaller window, no pixels: quicker) -----------------------------------------
k="--virtual-time --seconds 1.2 --size 640x400 --no-pixels"
# space stops time: a second of frames later the picture is the same, to the pixel
view paused 0 $k --keys space --screenshot "$tmp/p1.png"
view paused_later 0 $k --keys space,+1000 --screenshot "$tmp/p2.png"
if cmp -s "$tmp/p1.png" "$tmp/p2.png"; then ok; else bad "paused: the picture changed while paused"; fi
# without space the same second changes it (the check above can fail)
view running 0 $k --keys +1000 --screenshot "$tmp/p3.png"
if cmp -s "$tmp/p1.png" "$tmp/p3.png"; then bad "running: the picture did not change"; else ok; fi
# left from the live view: the newest frameset N; right, right, left: N + 1; d: depth only
view left 0 $k --keys space,left --layout "$tmp/left.json"
view steps 0 $k --keys space,left,right,right,left,d \
    --screenshot "$tmp/steps.png" --layout "$tmp/steps.json"
n=$(jget "$tmp/left.json" status_text | sed -n 's/.*frameset #\([0-9]*\).*/\1/p')
m=$(jget "$tmp/steps.json" status_text | sed -n 's/.*frameset #\([0-9]*\).*/\1/p')
if [ -n "$n" ] && [ -n "$m" ] && [ "$m" -eq $((n + 1)) ]; then ok; else bad "steps: frameset #$m after #$n"; fi
python3 - "$tmp/steps.json" "$tmp/left.json" <<'PY' >"$tmp/steps.chk"
import json, sys
s, l = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tiles = [(t["device"], t["stream"]) for t in s["tiles"]]
ok = tiles == [(0, "depth"), (1, "depth")]
# the cursor marks the frameset on the scope: after the left one's, within the last second
ok = ok and s["cursor_us"] is not None and l["cursor_us"] is not None
ok = ok and l["cursor_us"] < s["cursor_us"] <= s["scope_t1_us"] and s["cursor_us"] > s["scope_t0_us"]
print("OK" if ok else "bad: tiles %s cursor %s after %s in (%s, %s]" % (tiles, s["cursor_us"], l["cursor_us"], s["scope_t0_us"], s["scope_t1_us"]))
PY
if [ "$(cat "$tmp/steps.chk")" = OK ]; then ok; else bad "steps: $(cat "$tmp/steps.chk")"; fi
# q quits at once, with 0: no screenshot
view quit 0 $k --keys q --screenshot "$tmp/q.png"
if [ -e "$tmp/q.png" ]; then bad "quit: a screenshot after q"; else ok; fi

# --- a replay, and the vendor backend (the emulator over the simulated rig) -------------------------
run rec 0 run --virtual-time --seconds 2 --quiet --record "$tmp/x.mcap"
view replay 0 --replay "$tmp/x.mcap" --virtual-time --screenshot "$tmp/rp.png" --layout "$tmp/rp.json"
check_shot replay "$tmp/rp.png" "$tmp/rp.json" 2 color,depth ""
case "$(jget "$tmp/rp.json" status_text)" in REPLAY*) ok ;; *) bad "replay: status $(jget "$tmp/rp.json" status_text)" ;; esac
RIGSYNC_OBEMU_CONFIG="$configs/multi_device_sync_config.json" RIGSYNC_OBEMU_SEED=5 \
    RIGSYNC_OBEMU_VIRTUAL=1 RIGSYNC_OBEMU_STOP_AFTER_S=4 \
    view orbbec 0 --backend orbbec --orbbec-lib "$emu" --seconds 1.5 \
    --screenshot "$tmp/ob.png" --layout "$tmp/ob.json"
check_shot orbbec "$tmp/ob.png" "$tmp/ob.json" 2 color,depth "" paced

# --- usage ------------------------------------------------------------------------------------------
run badkey 2 view --virtual-time --seconds 1 --keys space,x
has badkey err 'unknown key "x"; the keys are space, left, right, d, c, q and \+MS'
run noseconds 2 view --virtual-time --screenshot "$tmp/n.png"
has noseconds err 'give --seconds'
run badsize 2 view --size 10x10
has badsize err 'give WIDTHxHEIGHT'
run orbvt 2 view --backend orbbec --virtual-time
finish

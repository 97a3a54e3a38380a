#!/usr/bin/env bash
# rigsync report (and run --report-out), all in virtual time:
# - PNG: 1200x1800 (README); each plot's frame holds data pixels in each device's colour (the
#   palette of tools/report/plot.c: device#0 1f77b4, #1 ff7f0e, #2 2ca02c, #3 d62728); the
#   default rig has no event marks; the faulty rig (configs/faults_example.json) shows device#3's
#   unplug (4 s) and replug (6 s) as two marks of its colour in the event strip;
# - HTML: self-contained (no http(s):, every src= a data: URI), holds the VERDICT line rigsync
#   run prints for the same run, and opens in headless Chromium: the screenshot shows the plots;
# - SVG parses as XML and draws both devices' lines; PDF is a PDF whose content draws them;
# - a recording (rigsync record) gives the same verdict as the run that made it;
# - bad input: unknown extension, no -o, unwritable output, missing recording.
# usage: test_cli_report.sh RIGSYNC_BINARY PNG_PROBE CONFIGS_DIR
set -u
bin=$1
probe=$2
configs=$3
. "$(dirname "$0")/cli_lib.sh"

# The page (tools/report/report_page.c): sections stacked at these y; every time plot spans
# x 90..1170. Frames inset by 3 px (their border and ticks are ink, not data).
P1="93 235 1074 199"    # 1. offsets from the rig
P2="93 515 1074 184"    # 2. spread over time
P2H="93 775 1074 84"    # 2. spread histogram
P3="93 935 1074 164"    # 3. fps
P4="93 1255 1074 154"   # 4. clock offsets
P4S="93 1435 1074 79"   # 4. skew
P5="90 1660 1080 8"     # 5. the event strip's band that only event marks cross
P5S="90 1679 1080 10"   # 5. the strip's row of stalls
dev=(1f77b4 ff7f0e 2ca02c d62728)

# colour_in NAME FILE REGION HEX MIN: at least MIN pixels of that colour (within 6) in it
colour_in() {
  local got
  got=$("$probe" --runs "$2" $3 "$4" 6 | sed -n 's/^pixels=\([0-9]*\).*/\1/p')
  if [ -n "$got" ] && [ "$got" -ge "$5" ]; then ok; else bad "$1: ${got:-?} pixels of $4, wanted >= $5"; fi
}
# marks NAME FILE REGION HEX N: exactly N separate marks of that colour along the region
marks() {
  local got
  got=$("$probe" --runs "$2" $3 "$4" 6 | sed -n 's/.*runs=\([0-9]*\).*/\1/p')
  if [ "$got" = "$5" ]; then ok; else bad "$1: ${got:-?} marks of $4, wanted $5"; fi
}
# nonblank NAME FILE REGION MIN_SHARE: share of non-background pixels in the region
nonblank() {
  local got
  got=$("$probe" --regions "$2" $3 | sed -n 's/.*nonbg=\([0-9.]*\).*/\1/p')
  if awk -v g="${got:-0}" -v m="$4" 'BEGIN { exit !(g >= m) }'; then ok; else
    bad "$1: non-background share ${got:-?}, wanted >= $4"; fi
}

# --- the default rig as PNG ---------------------------------------------------------------
run png 0 report --virtual-time --seed 7 --seconds 10 -o "$tmp/r.png"
has png out "^rigsync: report written to .*r\.png \([0-9]+ bytes\)$"
has png out '^VERDICT: SYNCHRONIZED'
got=$("$probe" --regions "$tmp/r.png" 0 0 1 1 | head -n 1)
if [ "$got" = "1200 1800" ]; then ok; else bad "png size '$got', wanted '1200 1800'"; fi
for p in P1 P3 P4 P4S; do
  for d in 0 1; do colour_in "png $p device#$d" "$tmp/r.png" "${!p}" "${dev[$d]}" 20; done
  if "$probe" --runs "$tmp/r.png" ${!p} "${dev[2]}" 6 | grep -q '^pixels=0 '; then ok; else
    bad "png $p: device#2's colour in a 2-device rig"; fi
done
nonblank "png spread over time" "$tmp/r.png" "$P2" 0.01
nonblank "png spread histogram" "$tmp/r.png" "$P2H" 0.05
for d in 0 1; do marks "png: no events, no marks of device#$d" "$tmp/r.png" "$P5" "${dev[$d]}" 0; done
# the summary's stalls of a device (its line says "N stalls") show in the strip's S row, and only those
for d in 0 1; do
  if grep -Eq "^device#$d .* [0-9]+ stalls" "$tmp/png.out"; then
    colour_in "png: device#$d's stalls marked" "$tmp/r.png" "$P5S" "${dev[$d]}" 9
  elif "$probe" --runs "$tmp/r.png" $P5S "${dev[$d]}" 6 | grep -q '^pixels=0 '; then ok; else
    bad "png: device#$d has no stall, yet a mark in the S row"
  fi
done

# --- the faulty rig: 4 devices, device#3 unplugged at 4 s, back at 6 s --------------------
run fpng 0 report --virtual-time --seed 7 --seconds 16 --config "$configs/faults_example.json" -o "$tmp/f.png"
has fpng out '^event at 4\.000 s: device#3 FLT00004 injected unplug'
for d in 0 1 2 3; do colour_in "faulty P3 device#$d" "$tmp/f.png" "$P3" "${dev[$d]}" 20; done
marks "faulty: device#3's unplug and replug" "$tmp/f.png" "$P5" "${dev[3]}" 2
marks "faulty: device#2's reboot (9 s) and return (10.5 s)" "$tmp/f.png" "$P5" "${dev[2]}" 2
marks "faulty: device#0 has no event" "$tmp/f.png" "$P5" "${dev[0]}" 0

# --- HTML: self-contained, the run's verdict, opens in Chromium -----------------------------
run runv 0 run --virtual-time --seed 7 --seconds 10 --quiet
run html 0 report --virtual-time --seed 7 --seconds 10 -o "$tmp/r.html"
grep '^VERDICT: ' "$tmp/runv.out" >"$tmp/verdict.txt"
if [ -s "$tmp/verdict.txt" ]; then ok; else bad "run printed no VERDICT line"; fi
if grep -qiE 'https?:' "$tmp/r.html"; then bad "html names a web address"; else ok; fi
if grep -oE 'src="[^"]{0,12}' "$tmp/r.html" | grep -qv '^src="data:'; then
  bad "html has a src that is not a data: URI"; else ok; fi
n=$(grep -o 'src="data:image/png;base64,' "$tmp/r.html" | wc -l)
if [ "$n" -eq 6 ]; then ok; else bad "html holds $n images, wanted 6 (legend and 5 plots)"; fi
if python3 - "$tmp/r.html" "$tmp/verdict.txt" <<'PY'
import html, re, sys
page = open(sys.argv[1]).read()
want = open(sys.argv[2]).read().strip()
pre = re.search(r'<pre id="summary">(.*?)</pre>', page, re.S)
sys.exit(0 if pre and want in html.unescape(pre.group(1)).splitlines() else 1)
PY
then ok; else bad "html lacks the run's verdict line: $(cat "$tmp/verdict.txt")"; fi
if command -v chromium >/dev/null; then
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/chromium" --screenshot="$tmp/shot.png" --window-size=1280,2400 \
    "file://$tmp/r.html" >"$tmp/chromium.log" 2>&1
  if [ -s "$tmp/shot.png" ]; then ok; else bad "chromium took no screenshot"; tail -3 "$tmp/chromium.log"; fi
  # the page's text on top, then the images: both devices' lines in the plots below the text
  for d in 0 1; do colour_in "screenshot device#$d" "$tmp/shot.png" "0 300 1280 2100" "${dev[$d]}" 500; done
  nonblank "screenshot plots" "$tmp/shot.png" "0 300 1280 2100" 0.2
else
  bad "chromium is not installed (scripts/setup.sh --test installs it)"
fi

# --- SVG and PDF -----------------------------------------------------------------------------
run svg 0 report --virtual-time --seed 7 --seconds 4 -o "$tmp/r.svg"
if python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/r.svg"; then
  ok; else bad "svg does not parse as XML"; fi
# device#0 and #1's colours as cairo writes them
for c in '12.156863%,46.666667%,70.588235%' '100%,49.803922%,5.490196%'; do
  n=$(grep -o "stroke:rgb($c)" "$tmp/r.svg" | wc -l)
  if [ "$n" -ge 3 ]; then ok; else bad "svg: $n lines of rgb($c), wanted >= 3"; fi
done
run pdf 0 report --virtual-time --seed 7 --seconds 4 -o "$tmp/r.pdf"
if [ "$(head -c 5 "$tmp/r.pdf")" = "%PDF-" ]; then ok; else bad "pdf does not start with %PDF-"; fi
if command -v pdfinfo >/dev/null; then
  if pdfinfo "$tmp/r.pdf" | grep -Eq '^Page size: +1200 x 1800 pts'; then ok; else bad "pdfinfo: not a 1200x1800 page"; fi
fi
if python3 - "$tmp/r.pdf" <<'PY'
import re, sys, zlib
data = open(sys.argv[1], 'rb').read()
text = b''
for m in re.finditer(rb'stream\r?\n(.*?)endstream', data, re.S):
    try:
        text += zlib.decompress(m.group(1))
    except zlib.error:
        pass
# the strokes of device#0 and device#1's lines
sys.exit(0 if b'0.121569 0.466667 0.705882 RG' in text and b'1 0.498039 0.054902 RG' in text else 1)
PY
then ok; else bad "pdf draws no lines in the devices' colours"; fi

# --- from a recording: the verdict of the run that recorded it ------------------------------
run rec 0 record --virtual-time --seed 7 --seconds 9 -o "$tmp/x.mcap"
run fromrec 0 report "$tmp/x.mcap" -o "$tmp/x.html"
a=$(grep '^VERDICT: ' "$tmp/rec.out"); b=$(grep '^VERDICT: ' "$tmp/fromrec.out")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "replayed verdict '$b' != recorded '$a'"; fi
has fromrec out "^rigsync: report written to .*x\.html"

# --- run --report-out ------------------------------------------------------------------------
run runout 0 run --virtual-time --seed 7 --seconds 3 --quiet --report-out "$tmp/run.png"
has runout out "^rigsync: report written to .*run\.png"
if [ -s "$tmp/run.png" ]; then ok; else bad "run --report-out wrote nothing"; fi

# --- bad input -------------------------------------------------------------------------------
run ext 2 report --virtual-time --seconds 1 -o "$tmp/r.txt"
has ext err 'name the file \.html, \.png, \.svg or \.pdf'
if [ -e "$tmp/r.txt" ]; then bad "an unknown extension left a file"; else ok; fi
run runext 2 run --virtual-time --seconds 1 --report-out "$tmp/r.jpeg"
has runext err 'name the file \.html'
run noout 2 report --virtual-time --seconds 1
has noout err 'give the file to write with -o report\.html'
run unwritable 1 report --virtual-time --seconds 1 -o "$tmp/no/such/dir/r.png"
has unwritable err 'cannot write the report .*r\.png: No such file or directory; give a file in a writable directory'
run missing 2 report "$tmp/none.mcap" -o "$tmp/m.html"
has missing err 'cannot read the recording .*none\.mcap: No such file or directory; give a FILE\.mcap'
if [ -e "$tmp/m.html" ]; then bad "a missing recording left a report"; else ok; fi
run same 2 report --virtual-time --seconds 1 --csv "$tmp/same.html" -o "$tmp/same.html"
has same err 'give --report-out another file name'

finish

#!/usr/bin/env bash
# rigsync export on a 2 virtual-second recording with pixels: the PNG files of a set (size, bit
# depth) read back with libpng by png_probe (not rigsync's code); their pixels against what the
# simulator draws (its background gradient, and the barcode of the frame's true capture time,
# which lies within the recorded global-time bound of the frame's global timestamp); two sets
# one frame period apart; the JSON's timestamps against run --csv's row of the same set; a set
# with empty slots, a set the file lacks, a recording without pixels; bad files.
# usage: test_cli_export.sh RIGSYNC_BINARY PNG_PROBE
set -u
bin=$1
probe=$2
. "$(dirname "$0")/cli_lib.sh"

run rec 0 run --virtual-time --seconds 2 --quiet --csv "$tmp/c.csv" --record "$tmp/x.mcap"
mcap_expect_from_run "$tmp/rec.out"
mcap_official "$tmp/x.mcap" "${mcap_expect[@]}"
last=$(tail -n 1 "$tmp/c.csv" | cut -d, -f1)
if [ "$last" -ge 50 ]; then ok; else bad "csv: last set $last, wanted >= 50"; fi

# --- set 10: four PNG files of the right size and depth -------------------------------------
run ex10 0 export "$tmp/x.mcap" --frameset 10 -o "$tmp/sets/10"
has ex10 out '^rigsync export: frameset 10 of .*x\.mcap: 4 slots, 4 frames, 4 images into '
d0=$(sed -n 2p "$tmp/c.csv" | cut -d, -f4)
d1=$(sed -n 2p "$tmp/c.csv" | cut -d, -f15)
for f in "${d0}_color:640 480 8 rgb" "${d0}_depth:640 576 16 gray" "${d1}_color:640 480 8 rgb" \
         "${d1}_depth:640 576 16 gray"; do
  name=${f%%:*}
  got=$("$probe" "$tmp/sets/10/$name.png" | head -n 1)
  if [ "$got" = "${f#*:}" ]; then ok; else bad "$name.png: '$got', wanted '${f#*:}'"; fi
done
# color background at the bottom-right corner (away from the bar and the barcode):
# g = 40 + 479 * 120 / 480 = 159; (g, g + 20 * device, 200 - g / 2) = (159, 159|179, 121)
px0=$("$probe" "$tmp/sets/10/${d0}_color.png" 639 479 | sed -n 2p)
px1=$("$probe" "$tmp/sets/10/${d1}_color.png" 639 479 | sed -n 2p)
if [ "$px0 $px1" = "639 479 159,159,121 639 479 159,179,121" ]; then ok; else
  bad "color pixels '$px0' '$px1'"; fi
# depth background at row 200 in the band rows 198..203 ((y + seq) / 6 % 3 picks the bands an
# interfered frame has overwritten: of 3 rows 6 apart at most one is overwritten):
# 1500 + y * 1000 / 576 = 1847 (y 200), 1857 (206), 1868 (212)
for dev in "$d0" "$d1"; do
  n=$("$probe" "$tmp/sets/10/${dev}_depth.png" 5 200 5 206 5 212 |
      awk '$2 == 200 && $3 == 1847 || $2 == 206 && $3 == 1857 || $2 == 212 && $3 == 1868' | wc -l)
  if [ "$n" -ge 2 ]; then ok; else bad "${dev}_depth.png: $n of 3 rows hold the sim's depth"; fi
done

# --- the JSON against run --csv's row of set 10 ---------------------------------------------
cat >"$tmp/check.py" <<'PY'
# check.py CSV DIR N...: each DIR/N/frameset_N.json against the CSV's row of set N
import json, sys
rows = {l.split(",")[0]: l.strip().split(",") for l in open(sys.argv[1]) if l[0].isdigit()}
bad = []
for n in sys.argv[3:]:
    j = json.load(open("%s/%s/frameset_%s.json" % (sys.argv[2], n, n)))
    c = rows[n]
    exp = {"frameset": int(c[0]), "time_us": int(c[1]), "spread_us": int(c[2])}
    bad += ["set %s %s" % (n, k) for k in exp if j[k] != exp[k]]
    i = 3
    while i < len(c):
        serial = c[i]; i += 1
        for s in ("color", "depth"):
            st, idx, dev, host, glob = c[i:i + 5]; i += 5
            slot = [x for x in j["slots"] if x["serial"] == serial and x["stream"] == s][0]
            want = {"status": st}
            if idx != "":
                want.update({"index": int(idx), "device_ts_us": int(dev), "host_ts_us": int(host),
                             "global_ts_us": int(glob), "interfered": st == "interfered"})
                if j["pixels"]:
                    want["image"] = "%s_%s.png" % (serial, s)
            bad += ["set %s %s.%s.%s=%s (csv %s)" % (n, serial, s, k, slot.get(k), v)
                    for k, v in want.items() if slot.get(k) != v]
print("ok" if not bad else " ".join(bad[:6]))
PY
check=$(python3 "$tmp/check.py" "$tmp/c.csv" "$tmp/sets" 10)
json="$tmp/sets/10/frameset_10.json"
if [ "$check" = ok ]; then ok; else bad "json vs csv: $check"; fi

# the images are the set's frames: each barcode (true capture time) lies within the recorded
# bound of the frame's global timestamp, and set 11's are one frame period (33333.3 us, give or
# take the simulated oscillator's drift: within 100 us) later
run ex11 0 export "$tmp/x.mcap" --frameset 11 -o "$tmp/out/eleven"
stamps=$(python3 - "$json" "$tmp/sets/10" "$probe" <<'PY'
import json, subprocess, sys
j = json.load(open(sys.argv[1]))
bad = []
for s in j["slots"]:
    out = subprocess.run([sys.argv[3], sys.argv[2] + "/" + s["image"]], capture_output=True,
                         text=True).stdout.split("\n")
    stamp = int(out[-2].split()[1])
    if abs(stamp - s["global_ts_us"]) > s["global_bound_us"]:
        bad.append("%s %s: stamp %d, global %d, bound %d" % (s["serial"], s["stream"], stamp,
                                                          s["global_ts_us"], s["global_bound_us"]))
print("ok" if not bad else "; ".join(bad))
PY
)
if [ "$stamps" = ok ]; then ok; else bad "barcodes: $stamps"; fi
s10=$("$probe" "$tmp/sets/10/${d1}_color.png" | sed -n 's/^stamp //p')
s11=$("$probe" "$tmp/out/eleven/${d1}_color.png" | sed -n 's/^stamp //p')
if [ $((s11 - s10)) -ge 33233 ] && [ $((s11 - s10)) -le 33433 ]; then ok; else
  bad "set 11 - set 10 barcode: $((s11 - s10)) us"; fi
if cmp -s "$tmp/sets/10/${d1}_color.png" "$tmp/out/eleven/${d1}_color.png"; then
  bad "sets 10 and 11 exported the same image"; else ok; fi

# --- the same file with its footer pointing at no summary (summary_start, summary_offset_start
# and summary_crc zeroed: a valid MCAP file without a summary): export walks the record framing
# and writes the same files
cp "$tmp/x.mcap" "$tmp/nosum.mcap"
size=$(stat -c %s "$tmp/x.mcap")
head -c 20 /dev/zero | dd of="$tmp/nosum.mcap" bs=1 seek=$((size - 8 - 20)) conv=notrunc 2>/dev/null
run nosum_info 0 info "$tmp/nosum.mcap"
has nosum_info out 'complete \(footer, no summary\)$'
run nosum 0 export "$tmp/nosum.mcap" --frameset 10 -o "$tmp/nosum10"
same=1
for f in "$tmp"/sets/10/*.png; do cmp -s "$f" "$tmp/nosum10/$(basename "$f")" || same=0; done
if [ "$same" = 1 ] && diff <(grep -v '"file"' "$tmp/sets/10/frameset_10.json") \
     <(grep -v '"file"' "$tmp/nosum10/frameset_10.json") >/dev/null; then ok; else
  bad "nosum: export without the summary differs"; fi

# --- set 0: device#1 has not delivered yet: its slots are listed, without an image ----------
run ex0 0 export "$tmp/x.mcap" --frameset 0 -o "$tmp/out/zero"
has ex0 out ': 4 slots, 2 frames, 2 images into '
n=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(sum(1 for s in j["slots"] if s["status"] == "missing" and "image" not in s and "index" not in s))' "$tmp/out/zero/frameset_0.json")
if [ "$n" = 2 ] && [ "$(ls "$tmp/out/zero" | grep -c png)" = 2 ]; then ok; else
  bad "set 0: $n missing slots without image, $(ls "$tmp/out/zero")"; fi

# --- a set the file lacks; usage ------------------------------------------------------------
run absent 2 export "$tmp/x.mcap" --frameset $((last + 1)) -o "$tmp/out/none"
has absent err "x\\.mcap has no frameset $((last + 1)); it holds framesets 0 to $last\\.\$"
if [ ! -e "$tmp/out/none" ]; then ok; else bad "absent: the directory was created"; fi
run noset 2 export "$tmp/x.mcap" -o "$tmp/out/none"
run badset 2 export "$tmp/x.mcap" --frameset -3 -o "$tmp/out/none"

# --- without pixels: the JSON, and it says so -----------------------------------------------
run recnp 0 run --virtual-time --seconds 1 --no-pixels --quiet --csv "$tmp/np.csv" --record "$tmp/np.mcap"
run exnp 0 export "$tmp/np.mcap" --frameset 3 -o "$tmp/np/3"
has exnp out 'no pixels \(recorded with --no-pixels\): only the JSON is written'
if [ "$(ls "$tmp/np/3")" = frameset_3.json ]; then ok; else bad "np: $(ls "$tmp/np/3")"; fi
# every set of it, and every 4th set of the recording with pixels (in its 100-odd chunks),
# against the csv
npl=$(tail -n 1 "$tmp/np.csv" | cut -d, -f1)
for n in $(seq 0 "$npl"); do "$bin" export "$tmp/np.mcap" --frameset "$n" -o "$tmp/np/$n" >/dev/null; done
check=$(python3 "$tmp/check.py" "$tmp/np.csv" "$tmp/np" $(seq 0 "$npl"))
if [ "$check" = ok ]; then ok; else bad "np sets vs csv: $check"; fi
for n in $(seq 0 4 "$last"); do "$bin" export "$tmp/x.mcap" --frameset "$n" -o "$tmp/sets/$n" >/dev/null; done
check=$(python3 "$tmp/check.py" "$tmp/c.csv" "$tmp/sets" $(seq 0 4 "$last"))
if [ "$check" = ok ]; then ok; else bad "sets vs csv: $check"; fi

# --- info on the recording with pixels: formats, counts, the verdict in full ----------------
run info 0 info "$tmp/x.mcap"
has info out "^  /rig/$d0/color/image_raw \\(sensor_msgs/msg/Image\\): [0-9]+ messages, rgb8 640x480\$"
has info out "^  /rig/$d1/depth/image_raw \\(sensor_msgs/msg/Image\\): [0-9]+ messages, 16UC1 640x576\$"
has info out "^framesets in file: $((last + 1)); clock events in file: [0-9]+\$"
has info out '^chunks: [0-9]+, compression zstd, [0-9]+ bytes of [0-9]+ uncompressed \(ratio [0-9.]+\)$'
want=$(sed -n 's/^VERDICT: //p' "$tmp/rec.out")
got=$(sed -n 's/^verdict: //p' "$tmp/info.out")
if [ "$got" = "$want" ]; then ok
elif [ ${#got} -le 160 ] && [ "${want#"$got"}" != "$want" ]; then
  # cli_record.c cuts metadata values at 160 chars until helper A's change (issue 11) is in
  echo "note: the recorded verdict is cut at ${#got} of ${#want} chars by the recorder's metadata"
else bad "info verdict '$got', run said '$want'"; fi

# --- compressed color (MJPG): exported as the camera's JPEG bytes, unchanged -----------------
cat >"$tmp/mjpg.json" <<'JSON'
{"streams": {"color": {"width": 320, "height": 240, "fps": 30, "format": "MJPG"}},
 "devices": [{"serial_number": "CP3S34D00051", "config": {"mode": "PRIMARY", "trigger_out_enable": true}},
             {"serial_number": "CP3L44P00054", "config": {"mode": "SECONDARY"}}]}
JSON
run mrec 0 run --virtual-time --seconds 1 --quiet --config "$tmp/mjpg.json" --record "$tmp/m.mcap"
run mex 0 export "$tmp/m.mcap" --frameset 5 -o "$tmp/sets/m5"
for dev in CP3S34D00051 CP3L44P00054; do
  j="$tmp/sets/m5/${dev}_color.jpg"
  # a JPEG starts with SOI (ff d8) and ends with EOI (ff d9); png_probe refuses it as a PNG
  if [ -s "$j" ] && [ "$(head -c 2 "$j" | od -An -tx1 | tr -d ' ')" = ffd8 ] &&
     [ "$(tail -c 2 "$j" | od -An -tx1 | tr -d ' ')" = ffd9 ]; then ok; else bad "$j: not a JPEG"; fi
  if [ -f "$tmp/sets/m5/${dev}_depth.png" ]; then ok; else bad "${dev}_depth.png missing"; fi
done
has mex out 'frameset 5 of .*m\.mcap: 4 slots, 4 frames, 4 images into '

# --- bad files: one error naming the file and the offset, exit 2 ----------------------------
head -c $((size / 2)) "$tmp/x.mcap" >"$tmp/cut.mcap"
run cut 2 export "$tmp/cut.mcap" --frameset 3 -o "$tmp/out/cut"
has cut err '^rigsync export: .*cut\.mcap: offset [0-9]+: .*\(truncated\)$'
printf 'not an mcap file at all\n' >"$tmp/foreign.mcap"
run foreign 2 export "$tmp/foreign.mcap" --frameset 3 -o "$tmp/out/f"
has foreign err 'foreign\.mcap: offset 0: no MCAP magic at the start: not an MCAP file \(bad_magic\)'
finish

#!/usr/bin/env bash
# scripts/vendor-samples.sh VENDOR_SOURCE_DIR [OUT_DIR]
#
# Builds the vendor's own example programs (OrbbecSDK v2.9.3 `examples/`, C and C++) from an
# extracted vendor source tree, with the vendor's own CMake files, against the vendor's headers,
# links them against rigsync's emulator under the vendor's library name (libOrbbecSDK.so.2, the
# soname the real SDK has), runs each on the emulated rig (RIGSYNC_OBEMU_VIRTUAL=1, and
# RIGSYNC_OBEMU_SPEED=1: virtual time at a camera's pace; pixels are on by default) with a stop
# time, feeding the keys a sample waits for on stdin, GUI samples under xvfb-run, and prints a
# table: sample, compiled, linked, ran, frames (per sample: what it prints per frame, or for a GUI
# sample the frames the SDK handed it), exit code, and the first reason of a failure. Last line:
#   RESULT compiled=N linked=N ran=N with_frames=N of=N
#
# Needs: the rigsync build (make build), gcc/g++, cmake; xvfb (xvfb-run) and libopencv-dev for the
# GUI samples (installed here when root, else the apt-get line is printed and GUI samples are
# reported as not built). CI does not run it (it needs the vendor source); see README.
#
# Environment: RIGSYNC_BUILD (default: build), VENDOR_SAMPLES_STOP_S (default 10: wall seconds a
# sample may run), VENDOR_SAMPLES_ONLY (space-separated sample names: run only those),
# RIGSYNC_OBEMU_CONFIG (the emulated rig; multi_devices_sync's JSON takes its serials from it).
set -u

usage() { echo "usage: $0 VENDOR_SOURCE_DIR [OUT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
vendor=$(cd "$1" 2>/dev/null && pwd) || { echo "vendor-samples: no such directory: $1" >&2; exit 2; }
[ -d "$vendor/examples" ] && [ -f "$vendor/include/libobsensor/ObSensor.h" ] || {
  echo "vendor-samples: $vendor is not an OrbbecSDK v2 source tree (examples/ and include/libobsensor/ expected)" >&2; exit 2; }
build=${RIGSYNC_BUILD:-$repo/build}
case $build in /*) ;; *) build=$repo/$build ;; esac
emu=$build/librigsync-obemu.so
[ -f "$emu" ] || { echo "vendor-samples: $emu missing: run make build first" >&2; exit 2; }
out=${2:-$build/vendor-samples}
mkdir -p "$out" && out=$(cd "$out" && pwd)
stop_s=${VENDOR_SAMPLES_STOP_S:-10}

# ---- the packages the GUI samples need (Debian: xvfb for xvfb-run, libopencv-dev for examples/utils)
if [ -z "${VENDOR_SAMPLES_UNDER_XVFB:-}" ]; then
  missing=()
  command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
  [ -e /usr/include/opencv4/opencv2/opencv.hpp ] || missing+=(libopencv-dev)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v script >/dev/null 2>&1 || missing+=(bsdutils)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "vendor-samples: installing ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        echo "vendor-samples: apt-get failed; GUI samples may not build or run" >&2
    else
      echo "vendor-samples: missing packages for the GUI samples; install them with:" >&2
      echo "  sudo apt-get install -y ${missing[*]}" >&2
    fi
  fi
  # GUI samples open OpenCV windows: the whole run goes under one X server of xvfb-run.
  if command -v xvfb-run >/dev/null 2>&1; then
    VENDOR_SAMPLES_UNDER_XVFB=1 exec xvfb-run -a -s "-screen 0 1920x1080x24" "$0" "$@"
  fi
fi

# ---- the samples: name ~ directory under examples/ ~ CMake target ~ kind ~ keys ~ per-frame regex ~ unit
# kind: console (frames = lines of its per-frame output), gui (frames = framesets/frames the SDK
# handed it, counted by the frame counter), none (no frames by design), skip-hw:REASON (built, not
# run: hardware-only), skip-dep:REASON (not built).
# keys: "T:TEXT;T:TEXT": TEXT (printf escapes, \033 is ESC) written to its stdin T seconds after start.
# stdin is a pseudo-terminal (script(1), util-linux), as the vendor's single-key reader needs.
samples() {
cat <<'EOF'
c_quick_start~c_examples/0.c_quick_start~ob_quick_start_c~console~5:\033;6:x~^(Color|Depth) frame index:~frame lines
c_enumerate~c_examples/1.c_enumerate~ob_enumerate_c~console~1:0\n;2:0\n;3:q\n;4:q\n;5:x;6:x~^ +[0-9]+ - type: ~profile lines
c_depth~c_examples/2.c_depth~ob_depth_c~console~5:\033;6:x~Facing an object at a distance~depth lines
enumerate~0.basic.enumerate~ob_enumerate~console~1:0;2:0;3:\033;4:\033;5:x;6:x~^ *[0-9]+\.(format|acc rate|gyro rate): ~profile lines
quick_start~0.basic.quick_start~ob_quick_start~gui~~~framesets
callback~1.stream.callback~ob_callback~gui~~~framesets
color~1.stream.color~ob_color~gui~~~framesets
confidence~1.stream.confidence~ob_confidence~skip-hw:confidence sensor (OB_SENSOR_CONFIDENCE); the sample says only the Gemini 435Le has one~~~
decimation~1.stream.decimation~ob_decimation~skip-hw:preset resolution configs (getAvailablePresetResolutionConfigList), a firmware feature the emulated devices lack~~~
depth~1.stream.depth~ob_depth~gui~~~framesets
imu~1.stream.imu~ob_imu~skip-hw:IMU (accelerometer/gyroscope) streams~~~
infrared~1.stream.infrared~ob_infrared~gui~~~framesets
multi_streams~1.stream.multi_streams~ob_multi_streams~gui~~~framesets
device_control~2.device.control~ob_device_control~console~1:0\n;2:?\n;3:0 get\n;4:exit\n;5:x;6:x~^[0-9]+\. .*permission=~property lines
firmware_update~2.device.firmware_update~ob_device_firmware_update~skip-hw:firmware update~~~
forceip~2.device.forceip~ob_device_forceip~skip-hw:network IP / forceip~~~
hot_plugin~2.device.hot_plugin~ob_hot_plugin~console~3:r;8:\033;9:x~^[1-9][0-9]* device\(s\) (added|removed):~hot-plug events
depth_presets_update~2.device.optional_depth_presets_update~ob_device_optional_depth_presets_update~skip-hw:depth presets update (firmware)~~~
record~2.device.record~ob_device_record~gui~1:record.bag\n;7:\033~~framesets
record_nogui~2.device.record.nogui~ob_device_record_nogui~console~1:record.bag\n;6:q;7:x;8:x~Current FPS: .*=~fps lines
playback~2.device.playback~ob_device_playback~gui~1:../record_nogui/record.bag\n~~framesets
common_usages~3.advanced.common_usages~ob_common_usages~gui~~~framesets
coordinate_transform~3.advanced.coordinate_transform~ob_coordinate_transform~console~2:1\n;3:2\n;4:3\n;5:4\n;6:q\n~->~transforms
enhanced_depth_filter~3.advanced.enhanced_depth_filter~ob_enhanced_depth_filter~skip-hw:license-bound EnhancedDepthFilter (device license authorization and an inference model)~~~
hdr~3.advanced.hdr~ob_hdr~skip-hw:exposure-interleaved HDR frames (frame interleave "Depth from HDR", left/right IR)~~~
hw_d2c_align~3.advanced.hw_d2c_align~ob_hw_d2c_align~gui~~~framesets
laser_interleave~3.advanced.laser_interleave~ob_laser_interleave~skip-hw:frame interleave "Laser On-Off" (alternate laser on/off frames)~~~
multi_devices~3.advanced.multi_devices~ob_multi_device~gui~~~framesets
multi_devices_sync~3.advanced.multi_devices_sync~ob_multi_devices_sync~gui~1:0\n;3:1\n~~framesets
gmsl_trigger~3.advanced.multi_devices_sync_gmsltrigger~ob_multi_devices_sync_gmsltrigger~skip-hw:GMSL trigger device (/dev node of a GMSL deserializer)~~~
point_cloud~3.advanced.point_cloud~ob_point_cloud~console~3:d;5:r;7:\033;8:x~Points\.ply Saved~point clouds saved
post_processing~3.advanced.post_processing~ob_post_processing~gui~~~framesets
preset~3.advanced.preset~ob_preset~skip-hw:depth presets (getAvailablePresetList / loadPreset), a firmware feature~~~
sync_align~3.advanced.sync_align~ob_sync_align~gui~~~framesets
logger~4.misc.logger~ob_logger~none~2:x;3:x~~
metadata~4.misc.metadata~ob_metadata~console~6:\033;7:x~^frame    type: ~frame lines
save_to_disk~4.misc.save_to_disk~ob_save_to_disk~console~8:\033;9:x~^(Depth|Color) saved:~images saved
open3d~5.wrapper.open3d~ob_open3d~skip-dep:needs Open3D (vendor option OB_BUILD_OPEN3D_EXAMPLES, off by default)~~~
imshow~5.wrapper.opencv/imshow~ob_imshow~gui~~~framesets
pcl~5.wrapper.pcl/pcl~ob_pcl~skip-dep:needs PCL (vendor option OB_BUILD_PCL_EXAMPLES, off by default)~~~
pcl_color~5.wrapper.pcl/pcl_color~ob_pcl_color~skip-dep:needs PCL (vendor option OB_BUILD_PCL_EXAMPLES, off by default)~~~
lidar_quick_start_c~lidar_examples/0.c_lidar_quick_start~ob_lidar_quick_start_c~skip-hw:LiDAR~~~
lidar_quick_start~lidar_examples/0.lidar_quick_start~ob_lidar_quick_start~skip-hw:LiDAR~~~
lidar_stream_c~lidar_examples/1.c_lidar_stream~ob_lidar_stream_c~skip-hw:LiDAR~~~
lidar_stream~lidar_examples/1.lidar_stream~ob_lidar_stream~skip-hw:LiDAR~~~
lidar_device_control~lidar_examples/2.lidar_device_control~ob_lidar_device_control~skip-hw:LiDAR~~~
lidar_record~lidar_examples/3.lidar_record~ob_lidar_record~skip-hw:LiDAR~~~
lidar_playback~lidar_examples/4.lidar_playback~ob_lidar_playback~skip-hw:LiDAR~~~
EOF
}

logs=$out/logs
mkdir -p "$logs" "$out/lib" "$out/linkstub" "$out/include-gen" "$out/run"

# ---- the vendor's library name. At link time a stub with the soname libOrbbecSDK.so.2 and every
# function the emulator exports (so a link error names a function the emulator lacks); at run time
# libOrbbecSDK.so.2 is a symlink to the emulator itself.
nm -D --defined-only "$emu" | awk '$2 == "T" || $2 == "W" { print $3 }' | sort -u >"$out/linkstub/exports.txt"
awk '{ printf "void %s(void);\nvoid %s(void) {}\n", $1, $1 }' "$out/linkstub/exports.txt" >"$out/linkstub/stub.c"
gcc -shared -fPIC -o "$out/linkstub/libOrbbecSDK.so" -Wl,-soname,libOrbbecSDK.so.2 "$out/linkstub/stub.c" ||
  { echo "vendor-samples: cannot build the link stub" >&2; exit 1; }
ln -sf "$emu" "$out/lib/libOrbbecSDK.so.2"
ln -sf libOrbbecSDK.so.2 "$out/lib/libOrbbecSDK.so"
echo "vendor-samples: $(wc -l <"$out/linkstub/exports.txt") functions exported by $emu"

# The vendor's build generates Export.h; a consumer's view of it is one macro.
echo '#define OB_EXPORT __attribute__((visibility("default")))' >"$out/include-gen/Export.h"
[ -f "$vendor/include/libobsensor/h/Export.h" ] && rm -f "$out/include-gen/Export.h"

# ---- the frame counter (LD_PRELOAD)
gcc -std=c11 -O2 -Wall -Wextra -shared -fPIC -I"$out/include-gen" -I"$vendor/include" \
  -o "$out/lib/frame_counter.so" "$here/vendor-samples/frame_counter.c" -ldl >"$logs/frame_counter.build.log" 2>&1 ||
  { echo "vendor-samples: cannot build the frame counter (see $logs/frame_counter.build.log)" >&2; exit 1; }

# ---- the vendor's CMake files, with the SDK as an imported target (ob::OrbbecSDK)
mkdir -p "$out/cmake"
cat >"$out/cmake/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.10)
project(vendor_samples_on_rigsync_emulator C CXX)
set(CMAKE_CXX_STANDARD 11)
set(OB_SDK_LIB_NAME OrbbecSDK)
set(OB_BUILD_LINUX ON)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY \${CMAKE_BINARY_DIR}/bin)
set(CMAKE_BUILD_RPATH "$out/lib")
add_library(ob::OrbbecSDK SHARED IMPORTED)
set_target_properties(ob::OrbbecSDK PROPERTIES
  IMPORTED_LOCATION "$out/linkstub/libOrbbecSDK.so"
  IMPORTED_SONAME libOrbbecSDK.so.2
  INTERFACE_INCLUDE_DIRECTORIES "$vendor/include;$out/include-gen")
add_subdirectory("$vendor/examples" examples)
EOF
echo "vendor-samples: configuring the vendor's examples (log: $logs/cmake-configure.log)"
cmake -S "$out/cmake" -B "$out/cmake/build" -DCMAKE_BUILD_TYPE=Release >"$logs/cmake-configure.log" 2>&1 ||
  echo "vendor-samples: cmake configure failed (see $logs/cmake-configure.log)" >&2

# ---- the emulated rig's serials, for multi_devices_sync's own JSON config
serials=$(RIGSYNC_OBEMU_VIRTUAL=1 "$build/rigsync" list ${RIGSYNC_OBEMU_CONFIG:+--config "$RIGSYNC_OBEMU_CONFIG"} \
            --backend orbbec --orbbec-lib "$emu" 2>/dev/null | awk 'NR > 1 && NF { print $1 }')
write_sync_json() {  # $1 = file: first device PRIMARY, the others SECONDARY, as the vendor's sample file
  local first=1 sn mode
  {
    printf '{\n    "version": "1.0.0",\n    "configTime": "2026/01/01",\n    "devices": [\n'
    for sn in $serials; do
      if [ $first -eq 1 ]; then mode=OB_MULTI_DEVICE_SYNC_MODE_PRIMARY; else mode=OB_MULTI_DEVICE_SYNC_MODE_SECONDARY; printf ',\n'; fi
      printf '        {\n            "sn": "%s",\n            "syncConfig": {\n' "$sn"
      printf '                "syncMode": "%s",\n                "depthDelayUs": 0,\n                "colorDelayUs": 0,\n' "$mode"
      printf '                "trigger2ImageDelayUs": 0,\n                "triggerOutEnable": true,\n'
      printf '                "triggerOutDelayUs": 0,\n                "framesPerTrigger": 1\n            }\n        }'
      first=0
    done
    printf '\n    ]\n}\n'
  } >"$1"
}

# ---- helpers
signame() { kill -l "$(( $1 - 128 ))" 2>/dev/null || echo "signal $(( $1 - 128 ))"; }
feed_keys() {  # $1 = script "T:TEXT;..."; writes to stdout on schedule, then stays open
  local script=$1 t=0 step at text
  IFS=';' read -r -a steps <<<"$script"
  for step in ${steps[@]+"${steps[@]}"}; do
    [ -n "$step" ] || continue
    at=${step%%:*}; text=${step#*:}
    [ "$at" -gt "$t" ] && sleep $(( at - t ))
    t=$at
    printf "$text" 2>/dev/null || return 0
  done
  sleep 100000
}
first_reason() {  # $1 = run log: the first thing that went wrong, shortest form
  local log=$1 r
  r=$(grep -o '[A-Za-z_0-9]*: not supported by the rigsync emulator' "$log" | head -1)
  [ -n "$r" ] && { echo "${r%%:*}: not supported by the emulator"; return; }
  r=$(grep -m1 -E '^message:|^Error: |terminate called|Aborted|Segmentation' "$log")
  [ -n "$r" ] && { echo "$r" | cut -c1-110; return; }
  r=$(grep -m1 -i -E 'no device|not support|failed|error' "$log")
  [ -n "$r" ] && { echo "$r" | cut -c1-110; return; }
  echo ""
}

# ---- build, run, tabulate
only=" ${VENDOR_SAMPLES_ONLY:-} "
table=$out/table.txt
: >"$table"
n_of=0; n_comp=0; n_link=0; n_ran=0; n_frames=0
fmt='%-22s %-8s %-6s %-8s %-26s %-10s %s\n'
printf "$fmt" sample compiled linked ran "frames (unit)" exit reason >"$table"
ulimit -c 0
while IFS='~' read -r name dir target kind keys regex unit; do
  [ -n "$name" ] || continue
  case $only in "  ") ;; *" $name "*) ;; *) continue ;; esac
  n_of=$((n_of + 1))
  compiled=-; linked=-; ran=-; frames=-; rc=-; reason=""
  blog=$logs/$name.build.log
  if [ "${kind%%:*}" = skip-dep ]; then
    ran=skipped; reason="skipped: ${kind#skip-dep:}"
    printf "$fmt" "$name" "$compiled" "$linked" "$ran" "$frames" "$rc" "$reason" >>"$table"; continue
  fi
  if ! grep -q "^$target:" "$out/cmake/build/Makefile" 2>/dev/null; then
    compiled=no; linked=no; ran=no
    reason="not configured by the vendor's CMake (missing OpenCV? see logs/cmake-configure.log)"
    printf "$fmt" "$name" "$compiled" "$linked" "$ran" "$frames" "$rc" "$reason" >>"$table"; continue
  fi
  cmake --build "$out/cmake/build" --target "$target" -j 2 >"$blog" 2>&1
  exe=$out/cmake/build/bin/$target
  if [ -x "$exe" ]; then
    compiled=yes; linked=yes
  elif grep -q -E 'undefined reference|ld returned' "$blog"; then
    compiled=yes; linked=no
    reason="link: $(grep -o -m1 "undefined reference to \`[^']*'" "$blog" | sed "s/undefined reference to //; s/[\`']//g") missing"
  else
    compiled=no; linked=no
    reason="compile: $(grep -m1 'error:' "$blog" | sed 's/.*error: //' | cut -c1-90)"
  fi
  [ $compiled = yes ] && n_comp=$((n_comp + 1))
  [ $linked = yes ] && n_link=$((n_link + 1))
  if [ "${kind%%:*}" = skip-hw ]; then
    ran=skipped; reason="skipped: hardware-only (${kind#skip-hw:})"
  elif [ $linked = yes ]; then
    wd=$out/run/$name
    rm -rf "$wd"; mkdir -p "$wd"
    [ "$name" = multi_devices_sync ] && write_sync_json "$wd/MultiDeviceSyncConfig.json"
    count_file=$wd/.frame_counts
    rm -f "$count_file"
    fifo=$wd/.stdin
    mkfifo "$fifo"
    rlog=$logs/$name.run.log
    feed_keys "$keys" >"$fifo" 2>/dev/null &
    feeder=$!
    # The vendor's key reader (examples/utils getch) puts stdin in raw terminal mode and gives
    # up on a pipe, so stdin is a pseudo-terminal of script(1) fed from the fifo; timeout runs in
    # the foreground (a background process group reading its terminal would stop on SIGTTIN).
    # stdout and stderr go to the log; the inner shell reports a signal death there too.
    ( cd "$wd" && export RIGSYNC_OBEMU_VIRTUAL=1 RIGSYNC_OBEMU_SPEED=1 RIGSYNC_SAMPLES_COUNT_FILE="$count_file" \
        LD_PRELOAD="$out/lib/frame_counter.so" LD_LIBRARY_PATH="$out/lib" RLOG="$rlog" EXE="$exe" STOP_S="$stop_s" &&
      exec script -q -e -c 'timeout --foreground -k 3 "$STOP_S" "$EXE" >"$RLOG" 2>&1; rc=$?; exit $rc' /dev/null \
        <"$fifo" >/dev/null 2>&1 )
    rc=$?
    pkill -P "$feeder" 2>/dev/null  # the feeder's own sleep (a child of the feeder this script started)
    { kill "$feeder"; wait "$feeder"; } 2>/dev/null
    rm -f "$fifo"
    delivered=0
    if [ -s "$count_file" ]; then
      delivered=$(od -An -t u8 -v "$count_file" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
    fi
    printed=0
    [ -n "$regex" ] && printed=$(grep -c -E -- "$regex" "$rlog")
    case $kind in
      console) frames="$printed ($unit)" ; nframes=$printed ;;
      gui)     frames="$delivered ($unit)"; nframes=$delivered ;;
      *)       frames="n/a"; nframes=-1 ;;
    esac
    # ran: ended by itself with 0, or still running at the stop time (124, or 137 when it
    # ignored SIGTERM), and never went through its error path (the samples print the SDK's
    # error as "message:" (C++) or "Error:" (C) there)
    if [ $rc -eq 0 ]; then ran=yes
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then ran=yes; rc="$rc(stop)"
    elif [ $rc -gt 128 ] && [ $rc -le 159 ]; then ran=crashed; rc="$rc($(signame $rc))"
    else ran=no
    fi
    [ "$ran" = yes ] && grep -q -E '^message:|^Error: ' "$rlog" && ran=no
    if [ "$ran" = yes ] && [ "$nframes" != 0 ]; then :; else reason=$(first_reason "$rlog"); fi
    [ "$ran" = crashed ] && [ -z "$reason" ] && reason="crashed: $(signame "${rc%%(*}")"
    [ "$ran" = yes ] && [ "$nframes" = 0 ] && [ -z "$reason" ] && reason="no frames (see logs/$name.run.log)"
    [ "$ran" = yes ] && n_ran=$((n_ran + 1))
    [ "$nframes" != - ] && [ "$nframes" != -1 ] && [ "$nframes" -gt 0 ] && n_frames=$((n_frames + 1))
  else
    ran=no
  fi
  printf "$fmt" "$name" "$compiled" "$linked" "$ran" "$frames" "$rc" "$reason" >>"$table"
  printf '.' >&2
done < <(samples)
echo >&2

cat "$table"
echo "frames: console samples count their own per-frame lines; GUI samples count the framesets/frames the"
echo "SDK handed them (ob_pipeline_wait_for_frameset, pipeline and sensor callbacks). Logs: $logs"
echo "RESULT compiled=$n_comp linked=$n_link ran=$n_ran with_frames=$n_frames of=$n_of" | tee "$out/result.txt"

// Decodes every message of an MCAP file as Foxglove does, and checks the ros2msg schemas against
// what ROS 2's tooling accepts. Used by check-mcap.mjs (the records come from the official stream
// reader); installed next to it by check-mcap.sh.
//
// Foxglove's own path for a channel of message encoding "cdr" with a "ros2msg" schema: the schema
// text through @foxglove/rosmsg's parse(text, { ros2: true }), each message through
// @foxglove/rosmsg2-serialization's MessageReader. Per message, here:
//  - it decodes, the reader consumed exactly the message's bytes, and MessageWriter's
//    calculateByteSize of the decoded message equals the message's length (the definition
//    accounts for every byte);
//  - sensor_msgs/msg/Image: data = step * height bytes, step = width * bytes per pixel of its
//    encoding, is_bigendian 0, header.frame_id not empty, stamp nanosec < 1e9;
//    sensor_msgs/msg/CompressedImage: format jpeg or png and the data starts with its magic;
//  - rigsync_msgs/msg/FrameInfo: header stamp = global_ts_us, or host_ts_us when global is none
//    (ros2msg.h, recorder.h), serial and stream those of its topic, index increasing per channel;
//    the image of the same frame (same device, stream and log time) has the same stamp;
//  - FrameSet, ClockEvent, DeviceEvent: device indexes within the rig's device count (metadata
//    rigsync.rig device_count; without it, the serials of the /rig/<serial>/... topics).
// Per schema (ROS 2 side): the name is a ROS 2 type name (pkg/msg/Type); the text is sections
// separated by a line of 80 '=' and "MSG: pkg/Type" as rosbag2 writes them, one per complex type
// used, none unused; field names and types follow ROS 2's rules; the standard types
// (sensor_msgs/msg/Image, sensor_msgs/msg/CompressedImage, std_msgs/msg/Header,
// builtin_interfaces/msg/Time) have exactly ROS 2's fields, in ROS 2's order.
import { parse as parseRosMsg } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";

// ROS 2's definitions (ros2/common_interfaces, ros2/rcl_interfaces), field by field.
const ROS2_STANDARD = new Map([
  ["sensor_msgs/msg/Image", [["std_msgs/msg/Header", "header"], ["uint32", "height"], ["uint32", "width"],
    ["string", "encoding"], ["uint8", "is_bigendian"], ["uint32", "step"], ["uint8[]", "data"]]],
  ["sensor_msgs/msg/CompressedImage", [["std_msgs/msg/Header", "header"], ["string", "format"], ["uint8[]", "data"]]],
  ["std_msgs/msg/Header", [["builtin_interfaces/msg/Time", "stamp"], ["string", "frame_id"]]],
  ["builtin_interfaces/msg/Time", [["int32", "sec"], ["uint32", "nanosec"]]],
]);
const STANDARD_PACKAGES = new Set(["sensor_msgs", "std_msgs", "builtin_interfaces"]);
const PRIMITIVES = new Set(["bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16",
  "int32", "uint32", "int64", "uint64", "string", "wstring"]);
// Image encodings rigsync writes (and the common ones): bytes per pixel.
const BYTES_PER_PIXEL = new Map([["rgb8", 3], ["bgr8", 3], ["mono8", 1], ["16UC1", 2], ["mono16", 2]]);
const MAGIC = new Map([["jpeg", [0xff, 0xd8]], ["png", [0x89, 0x50, 0x4e, 0x47]]]);
const TS_NONE = -9223372036854775808n;
const SEPARATOR = "=".repeat(80);
const TYPE_NAME = /^([a-z][a-z0-9_]*)\/msg\/([A-Z][A-Za-z0-9]*)$/;
const FIELD_NAME = /^[a-z][a-z0-9_]*$/;

// "pkg/Type" or "pkg/msg/Type" -> "pkg/msg/Type"; a bare "Type" takes the section's package.
const fullName = (t, pkg) => {
  const p = t.split("/");
  if (p.length === 1) return `${pkg}/msg/${p[0]}`;
  if (p.length === 2) return `${p[0]}/msg/${p[1]}`;
  return t;
};

// The ROS 2 checks of one schema's text; returns a problem or null.
export function ros2SchemaProblem(name, text) {
  const m = TYPE_NAME.exec(name);
  if (!m) return `the name '${name}' is not a ROS 2 message type name (package/msg/Type)`;
  if (STANDARD_PACKAGES.has(m[1]) && !ROS2_STANDARD.has(name))
    return `'${name}' is not one of the ${m[1]} types rigsync writes (${[...ROS2_STANDARD.keys()].join(", ")}): misspelled?`;
  // sections: the root, then one per "MSG: pkg/Type" after a separator line
  const lines = text.split("\n");
  const sections = [{ name, lines: [], line: 1 }];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^=+\s*$/.test(l)) {
      if (l !== SEPARATOR) return `line ${i + 1}: a separator of ${l.trim().length} '=', rosbag2 writes ${SEPARATOR.length}`;
      const h = /^MSG: (\S+)\s*$/.exec(lines[i + 1] ?? "");
      if (!h) return `line ${i + 2}: the separator is not followed by 'MSG: package/Type'`;
      if (h[1].split("/").length !== 2 && !TYPE_NAME.test(h[1]))
        return `line ${i + 2}: 'MSG: ${h[1]}' is not a package/Type name`;
      sections.push({ name: fullName(h[1], ""), written: h[1], lines: [], line: i + 3 });
      i++;
      continue;
    }
    sections.at(-1).lines.push([i + 1, l]);
  }
  const defined = new Map();
  for (const s of sections) {
    if (defined.has(s.name)) return `'MSG: ${s.written}' defined twice`;
    defined.set(s.name, s);
  }
  const used = new Set([name]);
  for (const s of sections) {
    const pkg = s.name.split("/")[0];
    s.fields = [];
    for (const [n, raw] of s.lines) {
      const l = raw.replace(/#.*/, "").trim();
      if (!l) continue;
      const f = /^(\S+)\s+([^\s=]+)\s*(=.*|\S.*)?$/.exec(l);
      if (!f) return `line ${n} (${s.name}): '${l}' is not 'type name'`;
      const [, type, field, rest] = f;
      if (rest?.startsWith("=")) { // a constant: TYPE NAME=VALUE, no field of the message
        if (!/^[A-Z][A-Z0-9_]*$/.test(field)) return `line ${n} (${s.name}): constant '${field}' is not UPPER_CASE`;
        continue;
      }
      const t = /^([A-Za-z0-9_/]+?)(<=[0-9]+)?(\[(<=)?[0-9]*\])?$/.exec(type);
      if (!t) return `line ${n} (${s.name}): '${type}' is not a ROS 2 field type`;
      if (!FIELD_NAME.test(field) || field.includes("__") || field.endsWith("_"))
        return `line ${n} (${s.name}): '${field}' is not a ROS 2 field name (lower_case, no '__', no trailing '_')`;
      let base = t[1];
      if (t[2] && base !== "string" && base !== "wstring") return `line ${n} (${s.name}): '${type}': only strings take a bound`;
      if (!PRIMITIVES.has(base)) {
        if (!/^([a-z][a-z0-9_]*\/)?[A-Z][A-Za-z0-9]*$/.test(base))
          return `line ${n} (${s.name}): '${base}' is neither a ROS 2 primitive type nor a package/Type (misspelled?)`;
        base = fullName(base, pkg);
        if (!defined.has(base)) return `line ${n} (${s.name}): type '${t[1]}' has no 'MSG: ' section`;
        used.add(base);
      }
      s.fields.push([base + (t[3] ?? ""), field]);
    }
  }
  for (const s of sections) {
    if (!used.has(s.name)) return `'MSG: ${s.written}' is used by no field`;
    const want = ROS2_STANDARD.get(s.name);
    if (want) {
      const got = s.fields.map(([t, f]) => `${t} ${f}`).join(", ");
      const exp = want.map(([t, f]) => `${t} ${f}`).join(", ");
      if (got !== exp) return `${s.name} differs from ROS 2's: fields ${got}; ROS 2 has ${exp}`;
    } else if (STANDARD_PACKAGES.has(s.name.split("/")[0])) {
      return `'MSG: ${s.written}' is not one of the standard types rigsync writes: misspelled?`;
    }
  }
  return null;
}

const floorDiv = (a, b) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

export class Decoder {
  #fail;
  #schemas = new Map(); // id -> { name, reader, writer, count }
  #channels = new Map(); // id -> { topic, schema, serial, stream, kind, lastIndex }
  #deviceCount = null;
  #rigSerials = null;
  #stamps = new Map(); // "serial/stream/logTime" -> the stamp of the first of a frame's FrameInfo and image
  #maxDevice = new Map(); // topic -> the largest device index on it: { d, what, where }
  decoded = 0;

  constructor(fail) {
    this.#fail = fail;
  }

  schema(rec) {
    if (this.#schemas.has(rec.id)) return;
    const s = { name: rec.name, encoding: rec.encoding, count: 0 };
    this.#schemas.set(rec.id, s);
    if (rec.encoding !== "ros2msg") return; // a channel that uses it fails
    const what = `schema ${rec.id} (${rec.name})`;
    const text = new TextDecoder().decode(rec.data);
    const problem = ros2SchemaProblem(rec.name, text);
    if (problem) this.#fail(`${what}: ROS 2 would not accept it: ${problem}`);
    try {
      const defs = parseRosMsg(text, { ros2: true });
      s.reader = new MessageReader(defs);
      s.writer = new MessageWriter(defs);
    } catch (e) {
      this.#fail(`${what}: Foxglove's ros2msg parser (@foxglove/rosmsg) rejects it: ${e.message}`);
    }
  }

  channel(rec) {
    if (this.#channels.has(rec.id)) return;
    const s = this.#schemas.get(rec.schemaId);
    const what = `channel ${rec.id} (${rec.topic})`;
    if (rec.messageEncoding !== "cdr" || !s || s.encoding !== "ros2msg")
      this.#fail(`${what}: message encoding '${rec.messageEncoding}' with ` +
                 `${s ? `schema encoding '${s.encoding}'` : "no schema"}: not decoded as ROS 2 (rigsync writes cdr with ros2msg)`);
    const c = { topic: rec.topic, schema: s, lastIndex: null };
    const m = /^\/rig\/([^/]+)\/(color|depth)\/(image_raw|image_raw\/compressed|frame_info)$/.exec(rec.topic);
    const want = m ? [{ frame_info: "rigsync_msgs/msg/FrameInfo", image_raw: "sensor_msgs/msg/Image",
                        "image_raw/compressed": "sensor_msgs/msg/CompressedImage" }[m[3]]]
      : { "/rig/framesets": ["rigsync_msgs/msg/FrameSet"], "/rig/clock_events": ["rigsync_msgs/msg/ClockEvent"],
          "/rig/device_events": ["rigsync_msgs/msg/DeviceEvent"] }[rec.topic];
    if (want && !want.includes(s.name)) this.#fail(`${what}: schema ${s.name}, rigsync's topic carries ${want.join(" or ")}`);
    if (m) [c.serial, c.stream] = [m[1], m[2]];
    this.#channels.set(rec.id, c);
  }

  metadata(rec) {
    if (rec.name !== "rigsync.rig") return;
    const n = Number(rec.metadata.get("device_count"));
    if (!Number.isInteger(n) || n < 0) this.#fail(`metadata rigsync.rig: device_count '${rec.metadata.get("device_count")}' is not a count`);
    this.#deviceCount = n;
  }

  message(rec) {
    const c = this.#channels.get(rec.channelId);
    const s = c.schema;
    const at = () => `channel ${rec.channelId} (${c.topic}, ${s.name}), message at log time ${rec.logTime} ns, sequence ${rec.sequence}`;
    const bad = (why) => this.#fail(`${at()}: ${why}`);
    const data = rec.data;
    let msg;
    try {
      msg = s.reader.readMessage(data);
    } catch (e) {
      bad(`does not decode (Foxglove's CDR reader): ${e.message}`);
    }
    const read = s.reader.lastReadByteLength();
    if (read !== data.byteLength) bad(`the definition reads ${read} bytes, the message has ${data.byteLength}`);
    let size;
    try {
      size = s.writer.calculateByteSize(msg);
    } catch (e) {
      bad(`the decoded message does not encode again: ${e.message}`);
    }
    if (size !== data.byteLength) bad(`the definition accounts for ${size} bytes, the message has ${data.byteLength}`);
    s.count++;
    this.decoded++;
    const header = () => {
      if (!msg.header.frame_id) bad("header.frame_id is empty");
      if (msg.header.stamp.nanosec >= 1e9) bad(`header.stamp.nanosec ${msg.header.stamp.nanosec} >= 1e9`);
      if (c.serial === undefined) return;
      // a frame's FrameInfo and image carry one stamp
      const k = `${c.serial}/${c.stream}/${rec.logTime}`, st = msg.header.stamp, other = this.#stamps.get(k);
      if (!other) this.#stamps.set(k, { st, topic: c.topic });
      else if (other.st.sec !== st.sec || other.st.nanosec !== st.nanosec)
        bad(`header stamp ${st.sec} s ${st.nanosec} ns, ${other.topic} at the same log time has ${other.st.sec} s ${other.st.nanosec} ns`);
      else this.#stamps.delete(k);
    };
    switch (s.name) {
      case "sensor_msgs/msg/Image": {
        header();
        const bpp = BYTES_PER_PIXEL.get(msg.encoding);
        if (!bpp) bad(`encoding '${msg.encoding}' is none of ${[...BYTES_PER_PIXEL.keys()].join(", ")}`);
        if (msg.step !== msg.width * bpp) bad(`step ${msg.step} != width ${msg.width} * ${bpp} bytes per pixel (${msg.encoding})`);
        if (msg.data.byteLength !== msg.step * msg.height) bad(`data has ${msg.data.byteLength} bytes, step ${msg.step} * height ${msg.height} = ${msg.step * msg.height}`);
        if (msg.is_bigendian !== 0) bad(`is_bigendian ${msg.is_bigendian}, rigsync writes little-endian pixels (0)`);
        break;
      }
      case "sensor_msgs/msg/CompressedImage": {
        header();
        const magic = MAGIC.get(msg.format);
        if (!magic) bad(`format '${msg.format}' is neither jpeg nor png`);
        if (!magic.every((b, k) => msg.data[k] === b))
          bad(`format ${msg.format} but the data starts with ${[...msg.data.subarray(0, magic.length)].map((b) => b.toString(16).padStart(2, "0")).join(" ") || "nothing"}`);
        break;
      }
      case "rigsync_msgs/msg/FrameInfo": {
        const us = msg.global_ts_us !== TS_NONE ? msg.global_ts_us : msg.host_ts_us;
        const sec = floorDiv(us, 1000000n), ns = (us - sec * 1000000n) * 1000n;
        if (BigInt(msg.header.stamp.sec) !== sec || BigInt(msg.header.stamp.nanosec) !== ns)
          bad(`header stamp ${msg.header.stamp.sec} s ${msg.header.stamp.nanosec} ns, its ${msg.global_ts_us !== TS_NONE ? "global" : "host"} time ${us} us says ${sec} s ${ns} ns`);
        header(); // after the stamp rule: a wrong stamp is named as such, not as a mismatch
        if (c.serial !== undefined && (msg.serial !== c.serial || msg.stream !== c.stream))
          bad(`frame of ${msg.serial} ${msg.stream} on the topic of ${c.serial} ${c.stream}`);
        if (c.lastIndex !== null && msg.index <= c.lastIndex) bad(`frame index ${msg.index} after ${c.lastIndex}`);
        c.lastIndex = msg.index;
        break;
      }
      case "rigsync_msgs/msg/FrameSet":
        for (const slot of msg.slots) this.#device(c, rec, slot.device, `slot device`, at);
        break;
      case "rigsync_msgs/msg/ClockEvent":
        this.#device(c, rec, msg.device, "device", at);
        break;
      case "rigsync_msgs/msg/DeviceEvent":
        if (msg.device !== -1) this.#device(c, rec, msg.device, "device", at);
        break;
    }
  }

  // Device indexes are checked at the end (the rig's metadata may come after the messages).
  #device(c, rec, d, what, at) {
    if (d < 0) this.#fail(`${at()}: ${what} ${d} is negative`);
    const cur = this.#maxDevice.get(c.topic);
    if (!cur || d > cur.d) this.#maxDevice.set(c.topic, { d, what, where: at() });
  }

  // The device-index checks; returns the counts per schema ("decoded=N name=n ...").
  finish() {
    let n = this.#deviceCount, source = "metadata rigsync.rig device_count";
    if (n === null) {
      n = new Set([...this.#channels.values()].filter((c) => c.serial !== undefined).map((c) => c.serial)).size;
      source = "the serials of the /rig/<serial>/ topics (no rigsync.rig metadata)";
    }
    for (const v of this.#maxDevice.values())
      if (v.d < 0 || v.d >= n) this.#fail(`${v.where}: ${v.what} ${v.d} out of range: the rig has ${n} devices (${source})`);
    const per = new Map();
    for (const s of this.#schemas.values()) if (s.encoding === "ros2msg") per.set(s.name, (per.get(s.name) ?? 0) + s.count);
    return `decoded=${this.decoded}` + [...per].map(([k, v]) => ` ${k}=${v}`).join("");
  }
}

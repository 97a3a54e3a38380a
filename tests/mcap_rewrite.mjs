// Rewrites an MCAP file through the official writer (@mcap/core's McapWriter: its own CRCs,
// indexes, statistics and summary, uncompressed chunks) with one change to its content, for the
// test that the decoding checks of scripts/check-mcap.mjs reject it while the container is valid.
// Uses the packages check-mcap.sh installed in $MCAP_CHECK_DIR.
//   node mcap_rewrite.mjs MODE [ARG...] IN OUT
// MODE:
//   same                          no change (the copy must pass)
//   short SCHEMA                  the first message of schema SCHEMA loses its last byte
//   add SCHEMA FIELD DELTA        the first message of SCHEMA decoded (Foxglove's reader), its
//                                 numeric FIELD (a.b for nested) + DELTA, encoded again
//   set SCHEMA FIELD VALUE        the same, FIELD set to VALUE (a string field)
//   schema-text FROM TO           every schema's text: the first FROM replaced by TO
//   schema-name FROM TO           the schema named FROM renamed TO
// Channels without messages, and schemas only they use, are left out (the official writer writes
// a schema or channel with its first message but counts every registered one in its statistics).
// Prints what it changed.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";

const dir = process.env.MCAP_CHECK_DIR;
if (!dir) { console.error("mcap_rewrite: MCAP_CHECK_DIR is not set"); process.exit(2); }
const require = createRequire(`${dir}/package.json`);
const { McapStreamReader, McapWriter } = require("@mcap/core");
const { loadDecompressHandlers } = require("@mcap/support");
const { parse } = require("@foxglove/rosmsg");
const { MessageReader, MessageWriter } = require("@foxglove/rosmsg2-serialization");

const [mode, ...rest] = process.argv.slice(2);
const [input, output] = rest.splice(-2, 2), args = rest;
const need = { same: 0, short: 1, add: 3, set: 3, "schema-text": 2, "schema-name": 2 }[mode];
if (need === undefined || args.length !== need || !output) {
  console.error("usage: mcap_rewrite.mjs same|short SCHEMA|add SCHEMA FIELD DELTA|set SCHEMA FIELD VALUE|schema-text FROM TO|schema-name FROM TO  IN OUT");
  process.exit(2);
}

class Sink {
  parts = [];
  size = 0n;
  position() { return this.size; }
  async write(buf) { this.parts.push(Buffer.from(buf)); this.size += BigInt(buf.byteLength); }
}
const sink = new Sink();
const writer = new McapWriter({ writable: sink });
const reader = new McapStreamReader({ decompressHandlers: await loadDecompressHandlers(), validateCrcs: true });
reader.append(readFileSync(input));

const records = [];
for (let rec; (rec = reader.nextRecord()); ) records.push(rec);
if (!reader.done()) { console.error(`mcap_rewrite: ${input}: not a complete MCAP file`); process.exit(1); }
const used = new Set(records.filter((r) => r.type === "Message").map((r) => r.channelId));
const usedSchemas = new Set(records.filter((r) => r.type === "Channel" && used.has(r.id)).map((r) => r.schemaId));

const schemas = new Map(), channels = new Map(); // old id -> { id, name, text }
let changed = null, dataEnd = false;
const done = (what) => { if (changed) throw new Error("changed twice"); changed = what; };
for (const rec of records) {
  switch (rec.type) {
    case "Header": await writer.start({ profile: rec.profile, library: rec.library }); break;
    case "Schema": {
      if (dataEnd || schemas.has(rec.id) || !usedSchemas.has(rec.id)) break;
      let name = rec.name, text = new TextDecoder().decode(rec.data);
      if (mode === "schema-name" && name === args[0]) { name = args[1]; done(`schema ${rec.name} -> ${name}`); }
      if (mode === "schema-text" && text.includes(args[0]) && !changed) {
        text = text.replace(args[0], args[1]);
        done(`schema ${name}: '${args[0]}' -> '${args[1]}'`);
      }
      const id = await writer.registerSchema({ name, encoding: rec.encoding, data: new TextEncoder().encode(text) });
      schemas.set(rec.id, { id, name: rec.name, text: new TextDecoder().decode(rec.data) });
      break;
    }
    case "Channel": {
      if (dataEnd || channels.has(rec.id) || !used.has(rec.id)) break;
      const s = schemas.get(rec.schemaId);
      const id = await writer.registerChannel({ topic: rec.topic, schemaId: s ? s.id : 0,
        messageEncoding: rec.messageEncoding, metadata: rec.metadata });
      channels.set(rec.id, { id, schema: s });
      break;
    }
    case "Message": {
      const c = channels.get(rec.channelId);
      let data = rec.data;
      if (!changed && ["short", "add", "set"].includes(mode) && c.schema?.name === args[0]) {
        if (mode === "short") {
          data = data.subarray(0, data.byteLength - 1);
          done(`${args[0]}: message at log time ${rec.logTime} now ${data.byteLength} bytes`);
        } else {
          const defs = parse(c.schema.text, { ros2: true });
          const msg = new MessageReader(defs).readMessage(data);
          const path = args[1].split(".");
          const obj = path.slice(0, -1).reduce((o, k) => o[k], msg), key = path.at(-1);
          const before = obj[key];
          if (mode === "set") obj[key] = args[2];
          else obj[key] = typeof before === "bigint" ? before + BigInt(args[2]) : before + Number(args[2]);
          data = new MessageWriter(defs).writeMessage(msg);
          done(`${args[0]}: message at log time ${rec.logTime}: ${args[1]} ${before} -> ${obj[key]}`);
        }
      }
      await writer.addMessage({ channelId: c.id, sequence: rec.sequence, logTime: rec.logTime,
        publishTime: rec.publishTime, data });
      break;
    }
    case "Metadata": await writer.addMetadata({ name: rec.name, metadata: rec.metadata }); break;
    case "Attachment": await writer.addAttachment(rec); break;
    case "DataEnd": dataEnd = true; break;
  }
}
if (mode !== "same" && !changed) { console.error(`mcap_rewrite: ${mode} ${args.join(" ")}: nothing matched in ${input}`); process.exit(1); }
await writer.end();
writeFileSync(output, Buffer.concat(sink.parts));
console.log(`mcap_rewrite: ${mode}: ${changed ?? "no change"}`);

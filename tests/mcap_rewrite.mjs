// Rewrites an MCAP file through the official writer (@mcap/core's McapWriter: its own CRCs,
// indexes, statistics and summary, uncompressed chunks) with one change to its content, for the
// test that the decoding checks of scripts/check-mcap.mjs reject it while the container is valid.
// Uses the packages check-mcap.sh installed in $MCAP_CHECK_DIR.
//   node mcap_rewrite.mjs IN OUT MODE [ARG...] [-- OUT MODE [ARG...]]...
// (one copy per OUT, IN read once)
// MODE:
//   same                          no change (the copy must pass)
//   short SCHEMA                  the first message of schema SCHEMA loses its last byte
//   add SCHEMA FIELD DELTA        the first message of SCHEMA decoded (Foxglove's reader), its
//                                 numeric FIELD (a.b for nested) + DELTA, encoded again
//   set SCHEMA FIELD VALUE        the same, FIELD set to VALUE (a string field)
//   schema-text FROM TO           the first schema whose text holds FROM: FROM replaced by TO
//   schema-name FROM TO           the schema named FROM renamed TO
// Channels without messages, and schemas only they use, are left out (the official writer writes
// a schema or channel with its first message but counts every registered one in its statistics).
// Prints what it changed in each copy; exit 1 when a change matched nothing.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";

const dir = process.env.MCAP_CHECK_DIR;
if (!dir) { console.error("mcap_rewrite: MCAP_CHECK_DIR is not set"); process.exit(2); }
const require = createRequire(`${dir}/package.json`);
const { McapStreamReader, McapWriter } = require("@mcap/core");
const { loadDecompressHandlers } = require("@mcap/support");
const { parse } = require("@foxglove/rosmsg");
const { MessageReader, MessageWriter } = require("@foxglove/rosmsg2-serialization");

const NEED = { same: 0, short: 1, add: 3, set: 3, "schema-text": 2, "schema-name": 2 };
const usage = () => {
  console.error("usage: mcap_rewrite.mjs IN OUT MODE [ARG...] [-- OUT MODE [ARG...]]...; MODE: same | short SCHEMA | " +
                "add SCHEMA FIELD DELTA | set SCHEMA FIELD VALUE | schema-text FROM TO | schema-name FROM TO");
  process.exit(2);
};
const [input, ...rest] = process.argv.slice(2);
const jobs = [];
for (let job = []; ; ) {
  const a = rest.shift();
  if (a === undefined || a === "--") {
    const [output, mode, ...args] = job;
    if (!output || NEED[mode] === undefined || args.length !== NEED[mode]) usage();
    jobs.push({ output, mode, args });
    if (a === undefined) break;
    job = [];
  } else job.push(a);
}

const reader = new McapStreamReader({ decompressHandlers: await loadDecompressHandlers(), validateCrcs: true });
reader.append(readFileSync(input));
const records = [];
for (let rec; (rec = reader.nextRecord()); ) records.push(rec);
if (!reader.done()) { console.error(`mcap_rewrite: ${input}: not a complete MCAP file`); process.exit(1); }
const used = new Set(records.filter((r) => r.type === "Message").map((r) => r.channelId));
const usedSchemas = new Set(records.filter((r) => r.type === "Channel" && used.has(r.id)).map((r) => r.schemaId));

class Sink {
  parts = [];
  size = 0n;
  position() { return this.size; }
  async write(buf) { this.parts.push(Buffer.from(buf)); this.size += BigInt(buf.byteLength); }
}

async function rewrite({ output, mode, args }) {
  const sink = new Sink();
  const writer = new McapWriter({ writable: sink });
  const schemas = new Map(), channels = new Map(); // old id -> new id and what the change needs
  let changed = null, dataEnd = false;
  for (const rec of records) {
    switch (rec.type) {
      case "Header": await writer.start({ profile: rec.profile, library: rec.library }); break;
      case "Schema": {
        if (dataEnd || schemas.has(rec.id) || !usedSchemas.has(rec.id)) break;
        const text = new TextDecoder().decode(rec.data);
        let name = rec.name, out = text;
        if (mode === "schema-name" && name === args[0]) { name = args[1]; changed = `schema ${rec.name} -> ${name}`; }
        if (mode === "schema-text" && !changed && text.includes(args[0])) {
          out = text.replace(args[0], args[1]);
          changed = `schema ${name}: '${args[0]}' -> '${args[1]}'`;
        }
        const id = await writer.registerSchema({ name, encoding: rec.encoding, data: new TextEncoder().encode(out) });
        schemas.set(rec.id, { id, name: rec.name, text });
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
          const at = `${args[0]}: message at log time ${rec.logTime}`;
          if (mode === "short") {
            data = data.subarray(0, data.byteLength - 1);
            changed = `${at} now ${data.byteLength} bytes`;
          } else {
            const defs = parse(c.schema.text, { ros2: true });
            const msg = new MessageReader(defs).readMessage(data);
            const path = args[1].split(".");
            const obj = path.slice(0, -1).reduce((o, k) => o[k], msg), key = path.at(-1);
            const before = obj[key];
            if (mode === "set") obj[key] = args[2];
            else obj[key] = typeof before === "bigint" ? before + BigInt(args[2]) : before + Number(args[2]);
            data = new MessageWriter(defs).writeMessage(msg);
            changed = `${at}: ${args[1]} ${before} -> ${obj[key]}`;
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
  if (mode !== "same" && !changed) {
    console.error(`mcap_rewrite: ${output}: ${mode} ${args.join(" ")}: nothing matched in ${input}`);
    process.exit(1);
  }
  await writer.end();
  writeFileSync(output, Buffer.concat(sink.parts));
  console.log(`mcap_rewrite: ${output}: ${mode}: ${changed ?? "no change"}`);
}
for (const job of jobs) await rewrite(job);

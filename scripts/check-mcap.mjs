// Validates one MCAP file with the official TypeScript reader (@mcap/core; @mcap/support for zstd
// and lz4; @mcap/nodejs for the indexed reader; @foxglove/crc, the CRC-32 @mcap/core uses).
// Run by scripts/check-mcap.sh, which installs those packages (pinned: scripts/mcap-check/).
//
//   node check-mcap.mjs [--no-decode] [--expect TOPIC=N]... [--expect-json FILE] FILE
//   node check-mcap.mjs [--no-decode] --partial [--min-chunks N] FILE
//
// Full check:
//  - records: the stream reader reads every record from magic to magic, chunk CRCs validated;
//    every chunk, the data section (DataEnd) and the summary (footer) carry a CRC (not 0) and
//    it matches (the data section CRC is computed here from the magic to DataEnd);
//  - summary: the indexed reader opens it (footer, summary CRC, statistics, indexes); its
//    schemas and channels are those of the data section; the statistics equal a full read
//    (messages, per-channel messages, chunks, schemas, channels, metadata, attachments, first
//    and last log time); every chunk index points at a real Chunk record of that length, with
//    that compression, sizes and time range; every message index points at the real messages of
//    its channel (offset, log time), each message of a chunk indexed once; summary offsets
//    cover records of their opcode; the indexed reader reads every message (CRCs validated)
//    and metadata record, as many as the stream reader;
//  - --expect TOPIC=N (repeatable) / --expect-json FILE ({"topic": N, ...}): the messages on
//    each topic are exactly N.
// --partial (a file cut by a crash): the stream reader reads every complete chunk (as many as
// there are complete Chunk records before the cut) without an error; prints how many;
// --min-chunks N fails below N complete chunks.
// Both modes decode every message the stream reader reads as Foxglove does and check the schemas
// against ROS 2's definitions (mcap-decode.mjs); the output line ends with the messages decoded
// per schema. --no-decode: the container only, for files whose messages are arbitrary bytes
// (test_mcap's).
// Exit 0 valid, 1 invalid, 2 usage.
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { FileHandleReadable } from "@mcap/nodejs";
import { crc32 } from "@foxglove/crc";
import { open, readFile } from "node:fs/promises";
import { Decoder } from "./mcap-decode.mjs";

const usage = (msg) => {
  console.error(`check-mcap: ${msg}\nusage: check-mcap.mjs [--no-decode] [--partial [--min-chunks N]] ` +
                `[--expect TOPIC=N]... [--expect-json FILE] FILE.mcap`);
  process.exit(2);
};
let partial = false, decode = true, minChunks = 0, file = null;
const expect = new Map();
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => (i + 1 < args.length ? args[++i] : usage(`${a} needs a value`));
  if (a === "--partial") partial = true;
  else if (a === "--no-decode") decode = false;
  else if (a === "--min-chunks") {
    minChunks = Number(value());
    if (!Number.isInteger(minChunks) || minChunks < 0) usage("--min-chunks needs a count");
  } else if (a === "--expect") {
    const m = /^(.+)=([0-9]+)$/.exec(value());
    if (!m) usage(`--expect needs TOPIC=COUNT, not '${args[i]}'`);
    expect.set(m[1], Number(m[2]));
  } else if (a === "--expect-json") {
    const f = value();
    let obj;
    try { obj = JSON.parse(await readFile(f, "utf8")); } catch (e) { usage(`${f}: ${e.message}`); }
    for (const [t, c] of Object.entries(obj)) {
      if (!Number.isInteger(c) || c < 0) usage(`${f}: "${t}" needs a message count`);
      expect.set(t, c);
    }
  } else if (a.startsWith("--")) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage("one file at a time");
}
if (file === null) usage("no file given");

const fail = (msg) => {
  console.error(`check-mcap: ${file}: FAIL: ${msg}`);
  process.exit(1);
};
const decompressHandlers = await loadDecompressHandlers();
let bytes;
try { bytes = await readFile(file); } catch (e) { fail(e.message); }
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];
const OP = { Header: 0x01, Footer: 0x02, Chunk: 0x06, MessageIndex: 0x07, ChunkIndex: 0x08, DataEnd: 0x0f };

// Record framing only (opcode, length): where each record starts and ends, so that offsets in
// the summary can be compared with the records really there. Parsing is the official reader's.
function frame(buf, start) {
  const out = [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = start;
  while (pos + 9 <= buf.byteLength) {
    const end = pos + 9 + Number(v.getBigUint64(pos + 1, true));
    if (end > buf.byteLength) break;
    out.push({ op: buf[pos], start: pos, end });
    pos = end;
    if (out.at(-1).op === OP.Footer) break;
  }
  return { records: out, end: pos };
}
// One record parsed by the official stream reader from its bytes (no magic).
function parseAt(buf, start, end, what) {
  const r = new McapStreamReader({ noMagicPrefix: true, includeChunks: true, decompressHandlers, validateCrcs: true });
  r.append(buf.subarray(start, end));
  try {
    const rec = r.nextRecord();
    if (!rec) fail(`${what}: no complete record at offset ${start}`);
    return rec;
  } catch (e) {
    fail(`${what} at offset ${start}: ${e.message}`);
  }
}
const hasMagic = (at) => at >= 0 && MAGIC.every((b, k) => bytes[at + k] === b);
if (!hasMagic(0)) fail("no MCAP magic at the start");
const top = frame(bytes, 8);

// 1. Stream reader over the whole file (chunk records included, chunk CRCs validated).
const stream = new McapStreamReader({ includeChunks: true, decompressHandlers, validateCrcs: true });
stream.append(bytes);
const decoder = decode ? new Decoder(fail) : null;
const counts = new Map(); // channel id -> messages
const dataChannels = new Map(), dataSchemas = new Set();
let messages = 0, chunks = 0, chunkMessages = 0, metadata = 0, attachments = 0, records = 0;
let minLog = null, maxLog = null, dataEnd = null, error = null, noCrcChunks = 0;
try {
  for (let rec; (rec = stream.nextRecord()); ) {
    records++;
    switch (rec.type) {
      case "Message":
        decoder?.message(rec);
        messages++;
        counts.set(rec.channelId, (counts.get(rec.channelId) ?? 0) + 1);
        if (minLog === null || rec.logTime < minLog) minLog = rec.logTime;
        if (maxLog === null || rec.logTime > maxLog) maxLog = rec.logTime;
        break;
      case "Chunk":
        chunks++;
        if (rec.uncompressedCrc === 0) noCrcChunks++;
        break;
      case "Channel": if (!dataEnd) { dataChannels.set(rec.id, rec); decoder?.channel(rec); } break;
      case "Schema": if (!dataEnd) { dataSchemas.add(rec.id); decoder?.schema(rec); } break;
      case "Metadata": metadata++; decoder?.metadata(rec); break;
      case "Attachment": attachments++; break;
      case "DataEnd": dataEnd = rec; chunkMessages = messages; break;
    }
  }
} catch (e) {
  error = e;
}

if (partial) {
  const complete = top.records.filter((r) => r.op === OP.Chunk).length;
  const where = stream.done() ? "the file is complete" :
    `cut at byte ${bytes.byteLength}, ${bytes.byteLength - top.end} bytes after the last complete record`;
  if (error) fail(`partial: the stream reader failed (at chunk record ${chunks} of ${complete} complete ones): ${error.message}`);
  if (chunks !== complete) fail(`partial: the stream reader read ${chunks} chunks, the file holds ${complete} complete ones`);
  if (chunks < minChunks) fail(`partial: ${chunks} complete chunks, wanted at least ${minChunks}`);
  const decoded = decoder ? decoder.finish() : "decoded=off";
  console.log(`check-mcap: ${file}: partial OK: ${chunks} complete chunks, ${messages} messages ` +
              `read by the stream reader; ${where}; ${decoded}`);
  process.exit(0);
}
if (error) fail(`stream reader: ${error.message}`);
if (!stream.done()) fail(`stream reader: the file ends at byte ${bytes.byteLength} before its footer and magic (cut?)`);
if (noCrcChunks) fail(`${noCrcChunks} chunks carry no CRC (0)`);
if (!dataEnd) fail("no DataEnd record");

// 2. The data section CRC: every byte from the magic up to DataEnd.
const dataEndRec = top.records.find((r) => r.op === OP.DataEnd);
if (!dataEndRec) fail("no DataEnd record at the top level");
if (dataEnd.dataSectionCrc === 0) fail("DataEnd carries no data section CRC (0)");
const dataCrc = crc32(bytes.subarray(0, dataEndRec.start));
if (dataCrc !== dataEnd.dataSectionCrc)
  fail(`data section CRC ${dataCrc} != ${dataEnd.dataSectionCrc} in DataEnd at offset ${dataEndRec.start}`);

// 3. The indexed reader through the summary (footer, summary CRC).
const handle = await open(file, "r");
let reader;
try {
  reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers });
} catch (e) {
  fail(`indexed reader: ${e.message}`);
}
if (reader.footer.summaryCrc === 0) fail("the footer carries no summary CRC (0)");
const stats = reader.statistics;
if (!stats) fail("no Statistics record in the summary");
const n = (x) => Number(x);
const eq = (what, said, found) => {
  if (n(said) !== n(found)) fail(`statistics say ${said} ${what}, a full read finds ${found}`);
};
eq("messages", stats.messageCount, messages);
if (chunkMessages !== messages) fail(`${messages - chunkMessages} messages after DataEnd`);
eq("chunks", stats.chunkCount, chunks);
eq("schemas", stats.schemaCount, dataSchemas.size);
eq("channels", stats.channelCount, dataChannels.size);
eq("metadata records", stats.metadataCount, metadata);
eq("attachments", stats.attachmentCount, attachments);
if (messages > 0) {
  if (stats.messageStartTime !== minLog) fail(`statistics start at ${stats.messageStartTime}, the first message's log time is ${minLog}`);
  if (stats.messageEndTime !== maxLog) fail(`statistics end at ${stats.messageEndTime}, the last message's log time is ${maxLog}`);
}
for (const [id, c] of stats.channelMessageCounts)
  if ((counts.get(id) ?? 0) !== n(c)) fail(`channel ${id}: statistics say ${c} messages, a full read finds ${counts.get(id) ?? 0}`);
for (const [id, c] of counts)
  if (!stats.channelMessageCounts.has(id)) fail(`channel ${id} has ${c} messages but no count in the statistics`);
if (reader.channelsById.size !== dataChannels.size || reader.schemasById.size !== dataSchemas.size)
  fail(`the summary has ${reader.channelsById.size} channels and ${reader.schemasById.size} schemas, ` +
       `the data section ${dataChannels.size} and ${dataSchemas.size}`);
for (const [id, ch] of dataChannels) {
  const s = reader.channelsById.get(id);
  if (!s || s.topic !== ch.topic || s.schemaId !== ch.schemaId || s.messageEncoding !== ch.messageEncoding)
    fail(`channel ${id} (${ch.topic}) differs between the data section and the summary`);
}
if (reader.metadataIndexes.length !== metadata)
  fail(`${reader.metadataIndexes.length} metadata indexes for ${metadata} metadata records`);

// 4. Chunk indexes point at real chunks; message indexes at real messages.
const topAt = new Map(top.records.map((r) => [r.start, r]));
const summaryDefs = top.records.filter((r) => r.start > dataEndRec.start && (r.op === 0x03 || r.op === 0x04));
const prelude = { count: summaryDefs.length, bytes: Buffer.concat(summaryDefs.map((r) => bytes.subarray(r.start, r.end))) };
if (reader.chunkIndexes.length !== chunks) fail(`${reader.chunkIndexes.length} chunk indexes for ${chunks} chunks`);
for (const ci of reader.chunkIndexes) {
  const at = n(ci.chunkStartOffset), what = `chunk index for offset ${at}`;
  const r = topAt.get(at);
  if (!r || r.op !== OP.Chunk) fail(`${what}: no Chunk record there`);
  if (r.end - r.start !== n(ci.chunkLength)) fail(`${what}: length ${ci.chunkLength}, the chunk has ${r.end - r.start}`);
  const chunk = parseAt(bytes, r.start, r.end, what);
  if (chunk.type !== "Chunk") fail(`${what}: found ${chunk.type}`);
  if (chunk.compression !== ci.compression || n(chunk.uncompressedSize) !== n(ci.uncompressedSize) ||
      chunk.records.byteLength !== n(ci.compressedSize))
    fail(`${what}: compression/sizes ${ci.compression} ${ci.compressedSize}/${ci.uncompressedSize}, ` +
         `the chunk ${chunk.compression} ${chunk.records.byteLength}/${chunk.uncompressedSize}`);
  if (chunk.messageStartTime !== ci.messageStartTime || chunk.messageEndTime !== ci.messageEndTime)
    fail(`${what}: time range differs from the chunk's`);
  const data = chunk.compression === "" ? chunk.records :
    decompressHandlers[chunk.compression](chunk.records, chunk.uncompressedSize);
  // the chunk's records: framed here, parsed by the official reader, side by side
  const inner = frame(data, 0);
  if (inner.end !== data.byteLength) fail(`${what}: ${data.byteLength - inner.end} stray bytes at the chunk's end`);
  // the official reader parses a message only after its channel: the summary's go first
  const sr = new McapStreamReader({ noMagicPrefix: true, validateCrcs: true });
  sr.append(prelude.bytes);
  for (let k = 0; k < prelude.count; k++) sr.nextRecord();
  sr.append(data);
  const msgs = new Map(); // offset in the chunk -> message
  let lo = null, hi = null;
  for (const fr of inner.records) {
    const rec = sr.nextRecord();
    if (rec?.type === "Message") {
      msgs.set(fr.start, rec);
      if (lo === null || rec.logTime < lo) lo = rec.logTime;
      if (hi === null || rec.logTime > hi) hi = rec.logTime;
    }
  }
  if (msgs.size && (lo !== ci.messageStartTime || hi !== ci.messageEndTime))
    fail(`${what}: time range ${ci.messageStartTime}..${ci.messageEndTime}, its messages ${lo}..${hi}`);
  const seen = new Set();
  let indexBytes = 0;
  for (const [channelId, off] of ci.messageIndexOffsets) {
    const w = `${what}: message index of channel ${channelId} at ${off}`;
    const m = topAt.get(n(off));
    if (!m || m.op !== OP.MessageIndex) fail(`${w}: no MessageIndex record there`);
    indexBytes += m.end - m.start;
    const mi = parseAt(bytes, m.start, m.end, w);
    if (mi.channelId !== channelId) fail(`${w}: the record is channel ${mi.channelId}'s`);
    for (const [logTime, o] of mi.records) {
      const msg = msgs.get(n(o));
      if (!msg) fail(`${w}: offset ${o} is not a message of the chunk`);
      if (msg.channelId !== channelId || msg.logTime !== logTime)
        fail(`${w}: offset ${o} holds channel ${msg.channelId} at ${msg.logTime}, the index says channel ${channelId} at ${logTime}`);
      if (seen.has(n(o))) fail(`${w}: offset ${o} indexed twice`);
      seen.add(n(o));
    }
  }
  if (seen.size !== msgs.size) fail(`${what}: ${msgs.size} messages, ${seen.size} indexed`);
  if (indexBytes !== n(ci.messageIndexLength)) fail(`${what}: message index length ${ci.messageIndexLength}, the indexes take ${indexBytes}`);
}

// 5. Summary offsets cover records of their opcode.
for (const so of reader.summaryOffsetsByOpcode.values()) {
  const s = n(so.groupStart), e = s + n(so.groupLength);
  for (let r = topAt.get(s); r && r.start < e; r = topAt.get(r.end))
    if (r.op !== so.groupOpcode || r.end > e) fail(`summary offset for opcode ${so.groupOpcode}: record of opcode ${r.op} at ${r.start}`);
  if (!topAt.has(s) || !(topAt.get(s).end <= e)) fail(`summary offset for opcode ${so.groupOpcode}: no record at ${s}`);
}

// 6. Every message and metadata record through the indexes.
const indexed = new Map();
let indexedMessages = 0, indexedMetadata = 0;
try {
  for await (const msg of reader.readMessages({ validateCrcs: true })) {
    indexedMessages++;
    indexed.set(msg.channelId, (indexed.get(msg.channelId) ?? 0) + 1);
  }
  for await (const _m of reader.readMetadata()) indexedMetadata++;
} catch (e) {
  fail(`indexed reader: ${e.message}`);
}
await handle.close();
if (indexedMessages !== messages) fail(`the indexed reader read ${indexedMessages} messages, the stream reader ${messages}`);
for (const [id, c] of counts)
  if (indexed.get(id) !== c) fail(`channel ${id}: indexed reader ${indexed.get(id) ?? 0} messages, stream reader ${c}`);
if (indexedMetadata !== metadata) fail(`the indexed reader read ${indexedMetadata} metadata records, the stream reader ${metadata}`);

// 7. Expected counts per topic.
const byTopic = new Map();
for (const [id, ch] of dataChannels) byTopic.set(ch.topic, (byTopic.get(ch.topic) ?? 0) + (counts.get(id) ?? 0));
for (const [topic, want] of expect)
  if ((byTopic.get(topic) ?? 0) !== want)
    fail(`topic ${topic}: ${byTopic.has(topic) ? byTopic.get(topic) : "no such channel, 0"} messages, expected ${want}`);

const decoded = decoder ? decoder.finish() : "decoded=off";
if (decoder && decoder.decoded !== messages) fail(`${decoder.decoded} messages decoded of ${messages}`);
const perTopic = [...byTopic].map(([t, c]) => `${t}=${c}`).join(" ");
console.log(`check-mcap: ${file}: OK profile=${reader.header.profile} messages=${messages} chunks=${chunks} ` +
            `metadata=${metadata} records=${records}${expect.size ? ` expected=${expect.size}` : ""} ${perTopic} ${decoded}`);

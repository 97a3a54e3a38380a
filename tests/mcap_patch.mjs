// Damages an MCAP file in one precise way, for the test that the official-reader check
// (scripts/check-mcap.mjs) rejects it. Plain node, no packages: record framing only.
//   node mcap_patch.mjs MODE IN OUT
// MODE:
//   chunk-crc     flips a byte of the first chunk's uncompressed CRC field
//   stats-count   adds 1 to the Statistics message count and rewrites the footer's summary CRC
//                 (so only the count is wrong)
//   index-time    adds 1 to the log time of the first entry of the first Message Index and
//                 rewrites DataEnd's data section CRC (so only the index is wrong)
//   data-crc      flips a byte of the first Message Index's last offset (DataEnd's CRC is stale)
// Prints the offset it changed.
import { readFileSync, writeFileSync } from "node:fs";

const [mode, input, output] = process.argv.slice(2);
const b = readFileSync(input);
const v = new DataView(b.buffer, b.byteOffset, b.byteLength);

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as MCAP uses.
const table = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[i] = c >>> 0;
}
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const x of buf) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const recs = [];
for (let pos = 8; pos + 9 <= b.length; ) {
  const end = pos + 9 + Number(v.getBigUint64(pos + 1, true));
  recs.push({ op: b[pos], start: pos, end });
  if (b[pos] === 0x02) break;
  pos = end;
}
const first = (op) => {
  const r = recs.find((x) => x.op === op);
  if (!r) { console.error(`mcap_patch: ${input}: no record of opcode ${op}`); process.exit(1); }
  return r;
};
let at;
if (mode === "chunk-crc") {
  at = first(0x06).start + 9 + 8 + 8 + 8; // start time, end time, uncompressed size; then CRC
  b[at] ^= 0x01;
} else if (mode === "stats-count") {
  at = first(0x0b).start + 9;
  v.setBigUint64(at, v.getBigUint64(at, true) + 1n, true);
  const footer = first(0x02);
  const summaryStart = Number(v.getBigUint64(footer.start + 9, true));
  v.setUint32(footer.start + 25, crc32(b.subarray(summaryStart, footer.start + 25)), true);
} else if (mode === "index-time") {
  at = first(0x07).start + 9 + 2 + 4; // channel id, records' byte length; then (time, offset)
  v.setBigUint64(at, v.getBigUint64(at, true) + 1n, true);
  const dataEnd = first(0x0f);
  v.setUint32(dataEnd.start + 9, crc32(b.subarray(0, dataEnd.start)), true);
} else if (mode === "data-crc") {
  at = first(0x07).end - 1;
  b[at] ^= 0x01;
} else {
  console.error("usage: mcap_patch.mjs chunk-crc|stats-count|index-time|data-crc IN OUT");
  process.exit(2);
}
writeFileSync(output, b);
console.log(`mcap_patch: ${mode}: changed offset ${at}`);

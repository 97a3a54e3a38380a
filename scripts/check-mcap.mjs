// Validates an MCAP file with the official TypeScript reader (@mcap/core, @mcap/support for zstd
// and lz4). Used by scripts/check-mcap.sh, which installs those packages under build/.
// Checks: the stream reader reads every record from magic to magic with chunk CRCs validated;
// the indexed reader opens the summary (footer, summary offsets, statistics, chunk indexes) and
// reads every message through the indexes with CRCs validated; the counts agree: messages per
// channel (stream, indexed, statistics), chunks (stream, chunk indexes, statistics), metadata.
// With --partial (a file cut by a crash): only the stream reader, up to the first error; prints
// how many messages of complete chunks it read.
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { FileHandleReadable } from "@mcap/nodejs";
import { open, readFile } from "node:fs/promises";

const args = process.argv.slice(2);
const partial = args[0] === "--partial";
const file = partial ? args[1] : args[0];
const fail = (msg) => {
  console.error(`check-mcap: ${file}: FAIL: ${msg}`);
  process.exit(1);
};
const decompressHandlers = await loadDecompressHandlers();

// 1. Stream reader over the whole file.
const bytes = await readFile(file);
const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true });
stream.append(bytes);
const streamCounts = new Map();
let streamMessages = 0, streamChunks = 0, streamMetadata = 0, records = 0, error = null;
try {
  for (let rec; (rec = stream.nextRecord()); ) {
    records++;
    if (rec.type === "Message") {
      streamMessages++;
      streamCounts.set(rec.channelId, (streamCounts.get(rec.channelId) ?? 0) + 1);
    } else if (rec.type === "ChunkIndex") streamChunks++;
    else if (rec.type === "Metadata") streamMetadata++;
  }
} catch (e) {
  error = e;
}
if (partial) {
  console.log(`check-mcap: ${file}: partial: ${streamMessages} messages read by the stream ` +
              `reader${error ? ` before: ${error.message}` : ""}`);
  process.exit(streamMessages > 0 ? 0 : 1);
}
if (error) fail(`stream reader: ${error.message}`);
if (!stream.done()) fail(`stream reader: the file ends before its footer and magic`);

// 2. Indexed reader through the summary.
const handle = await open(file, "r");
let reader;
try {
  reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers });
} catch (e) {
  fail(`indexed reader: ${e.message}`);
}
const stats = reader.statistics;
if (!stats) fail("no Statistics record in the summary");
const indexedCounts = new Map();
let indexedMessages = 0;
try {
  for await (const msg of reader.readMessages({ validateCrcs: true })) {
    indexedMessages++;
    indexedCounts.set(msg.channelId, (indexedCounts.get(msg.channelId) ?? 0) + 1);
  }
} catch (e) {
  fail(`indexed reader: ${e.message}`);
}
let metadata = 0;
for await (const _m of reader.readMetadata()) metadata++;
await handle.close();

const n = (x) => Number(x);
if (indexedMessages !== streamMessages) fail(`indexed reader read ${indexedMessages} messages, stream reader ${streamMessages}`);
if (n(stats.messageCount) !== streamMessages) fail(`statistics say ${stats.messageCount} messages, the file holds ${streamMessages}`);
if (streamChunks !== reader.chunkIndexes.length) fail(`stream reader saw ${streamChunks} chunk indexes, the indexed reader ${reader.chunkIndexes.length}`);
if (n(stats.chunkCount) !== reader.chunkIndexes.length) fail(`statistics say ${stats.chunkCount} chunks, the summary indexes ${reader.chunkIndexes.length}`);
if (n(stats.metadataCount) !== metadata) fail(`statistics say ${stats.metadataCount} metadata records, the index has ${metadata}`);
if (n(stats.channelCount) !== reader.channelsById.size) fail(`statistics say ${stats.channelCount} channels, the summary has ${reader.channelsById.size}`);
for (const [id, count] of stats.channelMessageCounts) {
  if ((streamCounts.get(id) ?? 0) !== n(count) || (indexedCounts.get(id) ?? 0) !== n(count))
    fail(`channel ${id}: statistics say ${count} messages, stream reader ${streamCounts.get(id) ?? 0}, indexed reader ${indexedCounts.get(id) ?? 0}`);
}
for (const [id] of streamCounts)
  if (!stats.channelMessageCounts.has(id)) fail(`channel ${id} has messages but no count in the statistics`);
const perChannel = [...stats.channelMessageCounts].map(([id, c]) => `${reader.channelsById.get(id)?.topic ?? id}=${c}`).join(" ");
console.log(`check-mcap: ${file}: OK profile=${reader.header.profile} messages=${streamMessages} ` +
            `chunks=${reader.chunkIndexes.length} metadata=${metadata} records=${records} ${perChannel}`);

/**
 * `node scripts/bench-batch-validation.ts`: what the produce path's batch
 * check costs per batch, before (validateRecordBatches: header and CRC
 * only) and after issue 15 (validateProducedBatch: also every record walked
 * in place, or inflated in bounded chunks when compressed). Batches are
 * built once; each shape runs for --ms milliseconds per function after a
 * warm-up, in one process, as 10 rounds of which the fastest counts (the
 * machine is shared). Prints µs per batch and MB/s of batch bytes.
 * Results: BENCHMARKS.md ("Produce batch validation").
 *
 *   node scripts/bench-batch-validation.ts [--ms 1000]
 */
import { parseArgs } from 'node:util';
import {
  type CompressionCodec,
  codecFromId,
  decompress,
  encodeRecordBatchSync,
  type ProducedBatchContext,
  RECORDS_OFFSET,
  validateProducedBatch,
  validateRecordBatches,
} from '@runnel/protocol';

const { values } = parseArgs({ options: { ms: { type: 'string', default: '1000' } } });
const runMs = Number(values.ms);
const rounds = 10;

const context: ProducedBatchContext = {
  apiVersion: 9,
  nowMs: Date.now(),
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: 3_600_000,
  compacted: false,
  decompressedBytesMax: 32 * 1024 * 1024,
};

/** Text-like values (JSON-ish, compressible about 3-5x), as log and event payloads are. */
function value(bytes: number, i: number): Buffer {
  const text = `{"id":${i},"user":"user-${i % 977}","event":"page_view","path":"/a/b/${i % 31}","n":${i * 7}}`;
  return Buffer.from(text.repeat(Math.ceil(bytes / text.length)).slice(0, bytes));
}

function batchOf(batchBytes: number, recordBytes: number, codec: CompressionCodec): Buffer {
  const count = Math.max(1, Math.floor(batchBytes / (recordBytes + 12)));
  return encodeRecordBatchSync({
    baseTimestamp: BigInt(context.nowMs),
    compression: codec,
    records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: value(recordBytes, i) })),
  });
}

/** The fastest of several short rounds: on a shared machine the minimum is the least disturbed measure. */
async function timePerBatch(run: () => unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await run();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.ceil(runMs / rounds)) * 1_000_000n;
    let now = start;
    while (now < end) {
      for (let i = 0; i < 10; i++) await run();
      n += 10;
      now = process.hrtime.bigint();
    }
    best = Math.min(best, Number(now - start) / 1000 / n);
  }
  return best;
}

const shapes: [string, Buffer][] = [
  ['none 16 KiB, 100 B records', batchOf(16 * 1024, 100, 'none')],
  ['none 16 KiB, 1 KiB records', batchOf(16 * 1024, 1024, 'none')],
  ['none 1 MiB, 100 B records', batchOf(1024 * 1024, 100, 'none')],
  ['none 1 MiB, 1 KiB records', batchOf(1024 * 1024, 1024, 'none')],
  ['gzip 64 KiB in, 100 B records', batchOf(64 * 1024, 100, 'gzip')],
  ['snappy 64 KiB in, 100 B records', batchOf(64 * 1024, 100, 'snappy')],
  ['lz4 64 KiB in, 100 B records', batchOf(64 * 1024, 100, 'lz4')],
  ['zstd 64 KiB in, 100 B records', batchOf(64 * 1024, 100, 'zstd')],
  ['zstd 1 MiB in, 1 KiB records', batchOf(1024 * 1024, 1024, 'zstd')],
];

process.stdout.write(
  '| batch | bytes | header+CRC µs | inflate only µs | full check µs | full check MB/s |\n| --- | ---: | ---: | ---: | ---: | ---: |\n',
);
for (const [name, bytes] of shapes) {
  const verdict = await validateProducedBatch(bytes, context);
  if (!verdict.ok) throw new Error(`${name}: ${verdict.message}`);
  const header = await timePerBatch(() => validateRecordBatches(bytes));
  const codec = codecFromId(bytes.readInt16BE(21) & 0x07) ?? 'none';
  const payload = bytes.subarray(RECORDS_OFFSET);
  const inflate = codec === 'none' ? 0 : await timePerBatch(() => decompress(codec, payload));
  const full = await timePerBatch(() => validateProducedBatch(bytes, context));
  const mbps = bytes.length / full;
  const inflateCell = codec === 'none' ? '' : inflate.toFixed(1);
  process.stdout.write(
    `| ${name} | ${bytes.length} | ${header.toFixed(1)} | ${inflateCell} | ${full.toFixed(1)} | ${mbps.toFixed(0)} |\n`,
  );
}

/**
 * Fuzz target (b): the record batch checks the broker runs on a produced
 * partition's records (produce-batch-check.ts). Inputs are records fields
 * built by the encoder (every codec, snappy raw and xerial, idempotent and
 * transactional batches, control batches, keys, values and headers of varied
 * sizes, sometimes two or three batches), then damaged where it matters:
 * header fields set to extremes, the records mutated before compression (so
 * the record decoder behind each codec is reached), decompression bombs, and
 * whole-buffer mutations. Most damaged batches get their CRC recomputed, or
 * the CRC check would stop almost all of them at the door.
 *
 * Invariants: the check returns a verdict or throws nothing but its typed
 * errors; a single plain batch from the encoder is accepted; allocation
 * stays within the decompression ceiling and the bytes present.
 */
import type { Random } from '@runnel/common';
import type { CompressionCodec, KafkaRecord } from '@runnel/protocol';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  codecId,
  compressSync,
  encodeRecordBatchSync,
  encodeTxnMarkerBatch,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_COUNT_OFFSET,
  writeBatchCrc,
} from '@runnel/protocol';
import { mutateBytes } from './byte-mutations.ts';
import { allocationBaseBytes, allocationBytesPerInputByte } from './fuzz-runner.ts';
import type { FuzzInput, FuzzTarget, Outcome } from './fuzz-target.ts';
import { InvariantBroken } from './fuzz-target.ts';
import {
  checkProducedRecords,
  fuzzDecompressedBytesMax,
  type ProducedRecordsVerdict,
  producedBatchCheckIsComplete,
} from './produce-batch-check.ts';

/** Every codec; gzip (the dearest to set up per call) a little less often than the others. */
const codecs: readonly CompressionCodec[] = ['none', 'none', 'lz4', 'snappy', 'snappy', 'zstd', 'gzip'];

function randomBytes(rng: Random, max: number): Buffer {
  // Repetitive values compress; random ones do not. Both shapes reach the codecs.
  if (rng.bool(0.3)) return Buffer.alloc(rng.int(0, max), rng.int(0, 255));
  return rng.bytes(rng.int(0, Math.min(max, 64)));
}

function randomRecords(rng: Random): KafkaRecord[] {
  const records: KafkaRecord[] = [];
  let offsetDelta = -1;
  for (let i = rng.int(0, 6); i > 0; i--) {
    offsetDelta += rng.bool(0.9) ? 1 : rng.int(1, 5);
    records.push({
      key: rng.bool(0.2) ? null : randomBytes(rng, 24),
      value: rng.bool(0.1) ? null : randomBytes(rng, 600),
      headers: Array.from({ length: rng.pick([0, 0, 1, 3]) }, () => ({
        key: rng.pick(['', 'h', 'trace-id', 'é']),
        value: rng.bool(0.2) ? null : randomBytes(rng, 16),
      })),
      offsetDelta,
      timestampDelta: BigInt(rng.int(-5, 1000)),
    });
  }
  return records;
}

interface BuiltBatch {
  /** The batch uncompressed: its header (codec bits clear) and records. */
  raw: Buffer;
  codec: CompressionCodec;
  snappyFraming: 'raw' | 'xerial';
  /** What the produce check must accept: a single, non-empty, non-control batch with dense offsets. */
  plain: boolean;
}

function buildBatch(rng: Random): BuiltBatch {
  if (rng.bool(0.08)) {
    const raw = encodeTxnMarkerBatch({
      producerId: BigInt(rng.int(0, 1000)),
      producerEpoch: rng.int(0, 5),
      coordinatorEpoch: rng.int(0, 5),
      type: rng.bool() ? 'commit' : 'abort',
      timestampMs: 1_700_000_000_000n,
    });
    return { raw, codec: 'none', snappyFraming: 'raw', plain: false };
  }
  const records = randomRecords(rng);
  const idempotent = rng.bool(0.4);
  const raw = encodeRecordBatchSync({
    records,
    baseTimestamp: BigInt(1_700_000_000_000 + rng.int(0, 1_000_000)),
    ...(idempotent
      ? { producerId: BigInt(rng.int(0, 1 << 20)), producerEpoch: rng.int(0, 10), baseSequence: rng.int(0, 1000) }
      : {}),
    transactional: idempotent && rng.bool(0.3),
  });
  const dense = records.every((r, i) => r.offsetDelta === i);
  return {
    raw,
    codec: rng.pick(codecs),
    snappyFraming: rng.bool(0.3) ? 'xerial' : 'raw',
    plain: records.length > 0 && dense,
  };
}

/**
 * The batch as a producer compressing with `built.codec` sends it: the same
 * header with the codec bits set around the compressed records. Compressing
 * once here, rather than encoding twice, keeps the generator cheap (gzip and
 * zstd set up a context per call).
 */
function compressedWith(built: BuiltBatch, records: Buffer): Buffer {
  const header = Buffer.from(built.raw.subarray(0, RECORD_BATCH_HEADER_BYTES));
  if (built.codec === 'none') return withPayload(header, records);
  header.writeInt16BE(header.readInt16BE(ATTRIBUTES_OFFSET) | codecId(built.codec), ATTRIBUTES_OFFSET);
  return withPayload(header, compressSync(built.codec, records, { snappyFraming: built.snappyFraming }));
}

function batchBytes(built: BuiltBatch): Buffer {
  return built.codec === 'none' ? built.raw : compressedWith(built, built.raw.subarray(RECORD_BATCH_HEADER_BYTES));
}

/** `header` (a batch's first 61 bytes) around a new payload, length and CRC fixed. */
function withPayload(header: Buffer, payload: Buffer): Buffer {
  const b = Buffer.concat([header.subarray(0, RECORD_BATCH_HEADER_BYTES), payload]);
  b.writeInt32BE(b.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  writeBatchCrc(b, 0, b.length);
  return b;
}

/** Header fields and the extremes worth trying in each. */
const headerSmashes: readonly { offset: number; width: 1 | 2 | 4 | 8; values: readonly number[] }[] = [
  { offset: BATCH_LENGTH_OFFSET, width: 4, values: [-1, 0, 48, 49, 0x7fffffff, 0x10000] },
  { offset: MAGIC_OFFSET, width: 1, values: [0, 1, 3, -1] },
  { offset: ATTRIBUTES_OFFSET, width: 2, values: [5, 6, 7, 0x20, 0x30, 0x40, -1, 0x08] },
  { offset: LAST_OFFSET_DELTA_OFFSET, width: 4, values: [-1, 0, 0x7fffffff, -0x80000000, 1000] },
  { offset: RECORD_COUNT_OFFSET, width: 4, values: [0, 1, 0x7fffffff, -1, 100_000, 10_000_000] },
  { offset: PRODUCER_ID_OFFSET, width: 8, values: [-1, 0, 1] },
  { offset: BASE_SEQUENCE_OFFSET, width: 4, values: [-1, 0x7fffffff] },
];

function smashHeader(rng: Random, batch: Buffer): Buffer {
  if (batch.length < RECORD_BATCH_HEADER_BYTES) return batch;
  const b = Buffer.from(batch);
  const field = rng.pick(headerSmashes);
  const value = rng.bool(0.8) ? rng.pick(field.values) : rng.int(-100, 100);
  if (field.width === 1) b.writeInt8(value, field.offset);
  else if (field.width === 2) b.writeInt16BE(value, field.offset);
  else if (field.width === 4) b.writeInt32BE(value, field.offset);
  else b.writeBigInt64BE(BigInt(value), field.offset);
  if (field.offset === RECORD_COUNT_OFFSET && value > 0) b.writeInt32BE(value - 1, LAST_OFFSET_DELTA_OFFSET);
  if (rng.bool(0.85)) writeBatchCrc(b, 0, b.length);
  return b;
}

/** The records mutated before compression: damage the record decoder sees only after the codec. */
function mutateRecords(rng: Random, built: BuiltBatch): Buffer {
  return compressedWith(built, mutateBytes(rng, built.raw.subarray(RECORD_BATCH_HEADER_BYTES)));
}

/** Compressed zeros far beyond the ceiling, once per codec per process (compressing them costs milliseconds). */
const bombs = new Map<CompressionCodec, Buffer>();
function bombPayload(codec: CompressionCodec): Buffer {
  let payload = bombs.get(codec);
  if (payload === undefined) {
    payload = compressSync(codec, Buffer.alloc(fuzzDecompressedBytesMax * 16));
    bombs.set(codec, payload);
  }
  return payload;
}

function bomb(rng: Random): Buffer {
  const codec = rng.pick(codecs.filter((c) => c !== 'none'));
  const header = encodeRecordBatchSync({
    records: [{ key: null, value: null }],
    compression: codec,
    baseTimestamp: 0n,
  });
  const b = withPayload(header, bombPayload(codec));
  const claimed = rng.pick([1, 1000, 0x7fffffff]);
  b.writeInt32BE(claimed, RECORD_COUNT_OFFSET);
  b.writeInt32BE(claimed - 1, LAST_OFFSET_DELTA_OFFSET);
  writeBatchCrc(b, 0, b.length);
  return b;
}

export function generateRecordBatches(rng: Random): FuzzInput {
  const mode = rng.int(0, 99);
  if (mode < 2) return { bytes: rng.bytes(rng.int(0, 128)), valid: false };
  if (mode < 5) return { bytes: bomb(rng), valid: false };
  const built = buildBatch(rng);
  if (mode >= 55 && mode < 80) return { bytes: mutateRecords(rng, built), valid: false };
  const bytes = batchBytes(built);
  if (mode < 20) return { bytes, valid: built.plain };
  if (mode < 27) {
    const more = Array.from({ length: rng.int(1, 2) }, () => batchBytes(buildBatch(rng)));
    return { bytes: Buffer.concat([bytes, ...more]), valid: false };
  }
  if (mode < 55) return { bytes: smashHeader(rng, bytes), valid: false };
  if (mode < 88) {
    const damaged = mutateBytes(rng, bytes);
    if (damaged.length >= RECORD_BATCH_HEADER_BYTES && rng.bool()) writeBatchCrc(damaged, 0, damaged.length);
    return { bytes: damaged, valid: false };
  }
  return { bytes: mutateBytes(rng, bytes), valid: false };
}

function judge(input: FuzzInput, verdict: ProducedRecordsVerdict): Outcome {
  if (!verdict.ok) {
    if (input.valid) throw new InvariantBroken(`a plain batch was refused: ${verdict.error} ${verdict.message}`);
    return 'rejected';
  }
  if (!producedBatchCheckIsComplete) return 'accepted';
  if (verdict.decodedRecords !== verdict.recordCount) {
    throw new InvariantBroken(
      `accepted ${verdict.recordCount} declared records that decode to ${verdict.decodedRecords}`,
    );
  }
  if (verdict.batches > 1 || verdict.controlBatches > 0) {
    throw new InvariantBroken(`accepted ${verdict.batches} batches, ${verdict.controlBatches} of them control batches`);
  }
  return 'accepted';
}

function threw(e: unknown): InvariantBroken {
  return new InvariantBroken(`the produce check threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
}

/** Synchronous while the check is (today's); a promise once it is the streaming validator. */
export function runRecordBatches(input: FuzzInput): Outcome | Promise<Outcome> {
  let verdict: ReturnType<typeof checkProducedRecords>;
  try {
    verdict = checkProducedRecords(input.bytes);
  } catch (e) {
    throw threw(e);
  }
  if (!(verdict instanceof Promise)) return judge(input, verdict);
  return verdict.then(
    (v) => judge(input, v),
    (e: unknown) => {
      throw threw(e);
    },
  );
}

export function recordBatchTarget(): FuzzTarget {
  return {
    name: 'batch',
    measuresAllocation: true,
    // Decompressed data up to the ceiling, and a record object per 7 bytes of it, on top of the usual bound.
    allocationBytesMax: (inputBytes) =>
      allocationBaseBytes + allocationBytesPerInputByte * (inputBytes + fuzzDecompressedBytesMax),
    generate: generateRecordBatches,
    run: runRecordBatches,
    close: async () => {},
  };
}

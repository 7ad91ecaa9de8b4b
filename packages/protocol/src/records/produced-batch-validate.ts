/**
 * validateProducedBatch: everything Kafka's broker checks in a partition's
 * records field of a Produce request before anything is stored
 * (ProduceRequest.validateRecords, UnifiedLog's batch checks, LogValidator),
 * as one function of (bytes, context) with no I/O: the produce handler's
 * gate and the fuzzer's target. docs/batch-validation.md lists each check
 * with its Kafka error and Kafka's equivalent.
 *
 * Order: framing, CRC, magic and codec (batch-validate.ts); one batch per
 * partition; header rules (control, base offset, counts, producer fields,
 * timestamp type); the declared count against what the batch's bytes can
 * hold; then every record, walked in place (uncompressed) or as it inflates
 * (compressed, streaming and bounded: bounded-inflate.ts), by
 * RecordStreamCheck. Nothing is copied or kept: the caller appends the
 * bytes it passed in.
 *
 * Runnel never rewrites a producer's batch (Kafka does when inner offsets
 * are not 0..n-1), so it refuses what Kafka would have rewritten.
 */
import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTE_TRANSACTIONAL,
  BASE_OFFSET_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  RECORDS_OFFSET,
} from './batch-header.ts';
import { type BatchSummary, validateRecordBatches } from './batch-validate.ts';
import { type InflateBudget, inflateInto } from './bounded-inflate.ts';
import { CompressionError, codecFromId, decompressSync } from './compression.ts';
import { type RecordCheckRules, type RecordError, RecordStreamCheck } from './record-stream-check.ts';

/** The Kafka error a refusal maps to, in protocol terms (ErrorCode names lower-cased). */
export type ProducedBatchError =
  | 'corrupt_message'
  | 'invalid_record'
  | 'invalid_timestamp'
  | 'unsupported_compression_type'
  | 'unsupported_for_message_format';

export interface ProducedBatchContext {
  /** Produce request version: v3+ carries exactly one magic-2 batch per partition. */
  apiVersion: number;
  /** The broker's clock, for CreateTime bounds. */
  nowMs: number;
  /** The topic's message.timestamp.type. */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms / after.max.ms (Long.MAX clamped to MAX_SAFE_INTEGER is "no bound"). */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
  /** batch.decompressed.max.bytes: the most a compressed batch's records may inflate to. */
  decompressedBytesMax: number;
  /** Shared bound on what whole-buffer (snappy, lz4) inflations hold at once; none when absent. */
  inflateBudget?: InflateBudget;
}

export interface ProducedBatchRefusal {
  ok: false;
  error: ProducedBatchError;
  /** For the response's error_message (Produce v8+) and the log line. */
  message: string;
  /** Per-record findings (Produce v8+ record_errors), empty for whole-batch refusals. */
  recordErrors: readonly RecordError[];
}

export type ProducedBatchVerdict = { ok: true; batch: BatchSummary } | ProducedBatchRefusal;

/** Produce versions before 3 carry message format v0/v1, which Runnel does not store. */
const RECORD_BATCH_V2_VERSION_MIN = 3;
/** zstd is allowed from Produce v7 (KIP-110). */
const ZSTD_VERSION_MIN = 7;
/** Smallest encoded record (its length varint included). */
const RECORD_BYTES_MIN = 7;
/**
 * Largest factor a codec's format lets a payload inflate by, where it is a
 * fixed property of the format (deflate: 1032). snappy and lz4 are bounded
 * from their own headers instead; zstd's frames can exceed any practical
 * factor, so only the configured ceiling bounds it.
 */
const inflationFactorMax: Readonly<Record<string, number>> = { gzip: 1032 };

function refuse(
  error: ProducedBatchError,
  message: string,
  recordErrors: readonly RecordError[] = [],
): ProducedBatchRefusal {
  return { ok: false, error, message, recordErrors };
}

/**
 * Checks one partition's records field of a Produce request. Never throws
 * on any input; the bytes are not modified. Resolves ok with the batch's
 * summary, or with the refusal Kafka would give.
 */
export async function validateProducedBatch(
  bytes: Buffer,
  context: ProducedBatchContext,
): Promise<ProducedBatchVerdict> {
  const header = checkHeader(bytes, context);
  if (!header.ok) return header;
  const { batch, codec, rules } = header;
  const check = new RecordStreamCheck(rules);
  const payload = bytes.subarray(RECORDS_OFFSET, batch.sizeBytes);
  if (codec === 'none') {
    check.push(payload);
  } else {
    try {
      await inflateInto(codec, payload, rules.bytesMax, (chunk) => check.push(chunk), context.inflateBudget ?? null);
    } catch (cause) {
      return inflationRefusal(codec, cause);
    }
  }
  return verdictOf(batch, check, rules);
}

/**
 * The same checks and error codes with a synchronous, whole-buffer
 * inflation (bounded the same way, but holding the whole inflated payload,
 * up to the bound, at once; where the streamed walk stops a bomb early, the
 * message may name the bound instead): for tools and the fuzzer, which want
 * no thread pool and no event loop turns. The broker uses validateProducedBatch.
 */
export function validateProducedBatchSync(bytes: Buffer, context: ProducedBatchContext): ProducedBatchVerdict {
  const header = checkHeader(bytes, context);
  if (!header.ok) return header;
  const { batch, codec, rules } = header;
  const check = new RecordStreamCheck(rules);
  const payload = bytes.subarray(RECORDS_OFFSET, batch.sizeBytes);
  try {
    check.push(codec === 'none' ? payload : decompressSync(codec, payload, { outputBytesMax: rules.bytesMax }));
  } catch (cause) {
    return inflationRefusal(codec, cause);
  }
  return verdictOf(batch, check, rules);
}

function inflationRefusal(codec: string, cause: unknown): ProducedBatchRefusal {
  if (!(cause instanceof CompressionError)) throw cause;
  if (cause.reason === 'output_too_large') {
    return refuse('invalid_record', `${cause.message} (batch.decompressed.max.bytes or the batch's claims)`);
  }
  return refuse('corrupt_message', `the ${codec} payload does not decode: ${cause.message}`);
}

function verdictOf(batch: BatchSummary, check: RecordStreamCheck, rules: RecordCheckRules): ProducedBatchVerdict {
  if (!check.end()) return refuse('invalid_record', check.failure ?? 'malformed records');
  if (check.recordErrorCount > 0) {
    const timestamps = check.recordErrors.some((e) => e.kind === 'invalid_timestamp');
    const shown = check.recordErrors.slice(0, 3).map((e) => `record ${e.batchIndex}: ${e.message}`);
    return refuse(
      timestamps ? 'invalid_timestamp' : 'invalid_record',
      `${check.recordErrorCount} of ${rules.recordCount} records refused (${shown.join('; ')})`,
      check.recordErrors,
    );
  }
  return { ok: true, batch };
}

type HeaderVerdict =
  | {
      ok: true;
      batch: BatchSummary;
      codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
      rules: RecordCheckRules;
    }
  | ProducedBatchRefusal;

/** Every check that needs only the batch header: no record is read. */
function checkHeader(bytes: Buffer, context: ProducedBatchContext): HeaderVerdict {
  if (context.apiVersion < RECORD_BATCH_V2_VERSION_MIN) {
    return refuse('unsupported_for_message_format', `Produce v${context.apiVersion} carries message format v0/v1`);
  }
  const framed = validateRecordBatches(bytes);
  if (!framed.ok) {
    const message = framed.message ?? framed.error;
    switch (framed.error) {
      case 'unsupported_magic':
        // ProduceRequest.validateRecords: v3+ carries magic 2 only, an INVALID_RECORD.
        return refuse('invalid_record', `Produce v3+ carries only record batch v2: ${message}`);
      case 'unsupported_compression':
        return refuse('unsupported_compression_type', message);
      case 'corrupt_message':
        return refuse('corrupt_message', message);
      case 'invalid_record':
        return refuse('invalid_record', message);
    }
  }
  const { batches } = framed.value;
  const batch = batches[0];
  if (batch === undefined) return refuse('invalid_record', 'no record batch');
  if (batches.length > 1) {
    return refuse('invalid_record', `Produce v3+ allows exactly one record batch per partition, got ${batches.length}`);
  }
  const refusal = headerRefusal(bytes, batch);
  if (refusal !== null) return refusal;
  const codec = codecFromId(batch.attributes & ATTRIBUTE_COMPRESSION_MASK) ?? 'none';
  if (codec === 'zstd' && context.apiVersion < ZSTD_VERSION_MIN) {
    return refuse('unsupported_compression_type', `zstd needs Produce v${ZSTD_VERSION_MIN}+`);
  }
  const payloadBytes = batch.sizeBytes - RECORD_BATCH_HEADER_BYTES;
  const factor = inflationFactorMax[codec];
  const bytesMax =
    codec === 'none'
      ? payloadBytes
      : Math.min(context.decompressedBytesMax, factor === undefined ? Number.MAX_SAFE_INTEGER : payloadBytes * factor);
  // The claim is refused before anything is inflated (one batch claiming 2^31-1 records once moved the log end by as much).
  if (batch.recordCount * RECORD_BYTES_MIN > bytesMax) {
    return refuse(
      'invalid_record',
      `the batch declares ${batch.recordCount} records; its ${payloadBytes} ${codec === 'none' ? '' : `${codec} `}bytes can hold at most ${Math.floor(bytesMax / RECORD_BYTES_MIN)}`,
    );
  }
  const createTime = context.timestampType === 'CreateTime';
  return {
    ok: true,
    batch,
    codec,
    rules: {
      recordCount: batch.recordCount,
      baseTimestamp: Number(batch.baseTimestamp),
      keyRequired: context.compacted,
      timestampRange: createTime
        ? { min: context.nowMs - context.timestampBeforeMaxMs, max: context.nowMs + context.timestampAfterMaxMs }
        : null,
      bytesMax,
    },
  };
}

/** LogValidator.validateBatch's client rules, and the base offset ProduceRequest requires. */
function headerRefusal(bytes: Buffer, batch: BatchSummary): ProducedBatchRefusal | null {
  if ((batch.attributes & ATTRIBUTE_CONTROL) !== 0)
    return refuse('invalid_record', 'clients may not write control batches');
  const baseOffset = bytes.readBigInt64BE(BASE_OFFSET_OFFSET);
  if (baseOffset !== 0n) return refuse('invalid_record', `the batch's base offset is ${baseOffset}, not 0`);
  if (batch.recordCount <= 0) return refuse('invalid_record', `the batch declares ${batch.recordCount} records`);
  if (batch.lastOffsetDelta !== batch.recordCount - 1) {
    return refuse(
      'invalid_record',
      `last offset delta ${batch.lastOffsetDelta} does not match the ${batch.recordCount} records declared`,
    );
  }
  if (batch.producerId >= 0n && batch.baseSequence < 0) {
    return refuse('invalid_record', `producer id ${batch.producerId} with invalid sequence ${batch.baseSequence}`);
  }
  if (batch.producerId >= 0n && batch.producerEpoch < 0) {
    return refuse('invalid_record', `producer id ${batch.producerId} with invalid epoch ${batch.producerEpoch}`);
  }
  if (batch.producerId < -1n) return refuse('invalid_record', `invalid producer id ${batch.producerId}`);
  if ((batch.attributes & ATTRIBUTE_TRANSACTIONAL) !== 0 && batch.producerId < 0n) {
    return refuse('invalid_record', 'a transactional batch without a producer id');
  }
  if ((batch.attributes & ATTRIBUTE_TIMESTAMP_TYPE) !== 0) {
    return refuse('invalid_timestamp', 'producers may not set the LogAppendTime timestamp type');
  }
  return null;
}

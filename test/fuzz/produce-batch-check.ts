/**
 * The adapter between the batch fuzz target and the broker's produce-path
 * check of one partition's records field: validateProducedBatchSync (the
 * same checks and error codes as the broker's streaming
 * validateProducedBatch, without its thread pool, so 100,000 inputs stay
 * cheap in `npm test`), with a context that bounds nothing the generator
 * varies (Produce v9, CreateTime with no timestamp bounds, not compacted)
 * except the decompression ceiling. What it accepts is decoded with
 * decodeRecordBatchesSync, so the target also holds that an accepted
 * records field decodes to exactly the records its header declares and is
 * one data batch (control batches and second batches are refused).
 */
import {
  decodeRecordBatchesSync,
  isControl,
  type ProducedBatchContext,
  RecordBatchDecodeError,
  validateProducedBatchSync,
} from '@runnel/protocol';

/**
 * The decompression ceiling the fuzzer configures: small, so a bomb is
 * refused cheaply and the allocation bound stays tight (a run may hold this
 * much decompressed data and its decoded records).
 */
export const fuzzDecompressedBytesMax = 64 * 1024;

/** The check is the complete produce validator: the target also checks what it accepts (see the file comment). */
export const producedBatchCheckIsComplete = true;

/** No bound the generator varies: only the decompression ceiling limits what is accepted. */
const context: ProducedBatchContext = {
  apiVersion: 9,
  nowMs: 0,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compacted: false,
  decompressedBytesMax: fuzzDecompressedBytesMax,
};

export type ProducedRecordsVerdict =
  | { ok: true; batches: number; controlBatches: number; recordCount: number; decodedRecords: number }
  | { ok: false; error: string; message: string };

/** Throws only what the checks throw on a bug: their refusals come back as `ok: false`. */
export function checkProducedRecords(records: Buffer): ProducedRecordsVerdict {
  const validated = validateProducedBatchSync(records, context);
  if (!validated.ok) return { ok: false, error: validated.error, message: validated.message };
  try {
    const decoded = decodeRecordBatchesSync(records, { outputBytesMax: fuzzDecompressedBytesMax });
    return {
      ok: true,
      batches: decoded.length,
      controlBatches: decoded.filter((b) => isControl(b.header.attributes)).length,
      recordCount: validated.batch.recordCount,
      decodedRecords: decoded.reduce((n, b) => n + b.records.length, 0),
    };
  } catch (e) {
    // The validator accepted what the decoder refuses: the target reports it as a broken invariant.
    if (e instanceof RecordBatchDecodeError)
      return { ok: true, batches: 1, controlBatches: 0, recordCount: validated.batch.recordCount, decodedRecords: -1 };
    throw e;
  }
}

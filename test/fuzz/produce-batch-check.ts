/**
 * The adapter between the batch fuzz target and the broker's produce-path
 * checks of one partition's records field. Today the broker runs
 * validateRecordBatches (headers, sizes, CRC, counts, codec id) on every
 * produce and decodes the records (decodeRecordBatches: decompression and
 * every record) only for compacted topics; this runs both, as a compacted
 * topic's produce does, so the fuzzer reaches every decoder behind the CRC.
 *
 * When the complete produce validator (issue 15, batch validation:
 * `validateProducedBatch(bytes, context)` in packages/protocol, async) is
 * merged, make `checkProducedRecords` await it with a context that bounds
 * nothing the generator varies (Produce v9, CreateTime with no timestamp
 * bounds, not compacted, `decompressedBytesMax: fuzzDecompressedBytesMax`),
 * decode what it accepts with decodeRecordBatchesSync to count the records,
 * and set `producedBatchCheckIsComplete`: the target then also holds that
 * whatever the check accepts decodes to exactly the records its header
 * declares, and that it refuses control batches and second batches.
 */
import { decodeRecordBatchesSync, isControl, RecordBatchDecodeError, validateRecordBatches } from '@runnel/protocol';

/**
 * The decompression ceiling the fuzzer configures: small, so a bomb is
 * refused cheaply and the allocation bound stays tight (a run may hold this
 * much decompressed data and its decoded records).
 */
export const fuzzDecompressedBytesMax = 64 * 1024;

/** False while the check is the header-only validator plus the decoder; see the file comment. */
export const producedBatchCheckIsComplete = false;

export type ProducedRecordsVerdict =
  | { ok: true; batches: number; controlBatches: number; recordCount: number; decodedRecords: number }
  | { ok: false; error: string; message: string };

/**
 * Throws only what the checks throw on a bug: their refusals come back as
 * `ok: false`. May return a promise (the streaming validator is async): the
 * target awaits it then.
 */
export function checkProducedRecords(records: Buffer): ProducedRecordsVerdict | Promise<ProducedRecordsVerdict> {
  const validated = validateRecordBatches(records);
  if (!validated.ok) return { ok: false, error: validated.error, message: validated.message ?? '' };
  try {
    const decoded = decodeRecordBatchesSync(records, { outputBytesMax: fuzzDecompressedBytesMax });
    return {
      ok: true,
      batches: validated.value.batches.length,
      controlBatches: validated.value.batches.filter((b) => isControl(b.attributes)).length,
      recordCount: validated.value.recordCount,
      decodedRecords: decoded.reduce((n, b) => n + b.records.length, 0),
    };
  } catch (e) {
    if (e instanceof RecordBatchDecodeError) return { ok: false, error: e.reason, message: e.message };
    throw e;
  }
}

/**
 * What a replica's partition log holds, read straight from its simulated
 * disk for the checker: every record at its offset with its value and the
 * leader epoch of its batch. The checker reads the bytes the real
 * PartitionLog wrote (the segment files, as the page cache shows them), not
 * anything the broker code reports about itself.
 *
 * Batches are decoded once per distinct content (base offset, epoch, CRC),
 * so a view over a long log costs a header scan. Owned by one
 * ReplicationCluster; read-only.
 */
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  decodeRecordBatchesSync,
  decodeTxnMarkerType,
  LOG_OVERHEAD,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
} from '@runnel/protocol';
import type { FaultyFileSystem } from '@runnel/storage';

/** One record as a consumer or the checker sees it. */
export interface SimRecord {
  /** A transaction marker's control record reads `marker:commit` or `marker:abort`. */
  readonly value: string;
  readonly epoch: number;
}

interface DecodedBatch {
  readonly records: readonly { readonly offset: number; readonly record: SimRecord }[];
}

export class DiskLogView {
  readonly #decoded = new Map<string, DecodedBatch>();

  /** The records of the log in `dir` on `disk`, indexed by offset (holes where a log does not start at 0). */
  records(disk: FaultyFileSystem, dir: string): readonly (SimRecord | undefined)[] {
    const out: (SimRecord | undefined)[] = [];
    for (const name of disk.entries(dir)) {
      if (!name.endsWith('.log')) continue;
      const bytes = disk.content(`${dir}/${name}`);
      if (bytes === null) continue;
      for (let pos = 0; pos + RECORD_BATCH_HEADER_BYTES <= bytes.length; ) {
        const size = LOG_OVERHEAD + bytes.readInt32BE(pos + BATCH_LENGTH_OFFSET);
        // A torn tail (the unsynced end after a power loss) is not part of the log: recovery cuts it.
        if (pos + size > bytes.length) break;
        const batch = this.#batch(bytes.subarray(pos, pos + size));
        for (const { offset, record } of batch.records) out[offset] = record;
        pos += size;
      }
    }
    return out;
  }

  #batch(bytes: Buffer): DecodedBatch {
    const baseOffset = Number(bytes.readBigInt64BE(BASE_OFFSET_OFFSET));
    const epoch = bytes.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET);
    const key = `${baseOffset}:${epoch}:${bytes.readUInt32BE(CRC_OFFSET)}`;
    let decoded = this.#decoded.get(key);
    if (decoded === undefined) {
      const records: { offset: number; record: SimRecord }[] = [];
      const control = (bytes.readInt16BE(ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) !== 0;
      for (const batch of decodeRecordBatchesSync(Buffer.from(bytes))) {
        for (const r of batch.records) {
          const value = control ? `marker:${decodeTxnMarkerType(r.key) ?? 'unknown'}` : (r.value?.toString() ?? '');
          records.push({ offset: baseOffset + r.offsetDelta, record: { value, epoch } });
        }
      }
      decoded = { records };
      this.#decoded.set(key, decoded);
    }
    return decoded;
  }
}

/**
 * Reads one `__consumer_offsets` partition back into coordinator state when
 * this broker becomes its leader: every batch from the log start to the
 * log end, last write per key wins, tombstones delete. The records past the
 * high watermark are ours too (a leader never truncates its own log), but
 * the state may only be served once they are committed, so the load ends by
 * waiting for the high watermark to reach the end it read to — as Kafka's
 * coordinator loader does.
 *
 * Not a hot path: batches are decoded whole. A load is abandoned as soon as
 * `current()` says this broker no longer leads the partition in the epoch
 * the load began in.
 */
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, isControl } from '@runnel/protocol';
import type { Partition } from '../replication/partition.ts';
import { decodeOffsetsRecord, type OffsetsRecord } from './offsets-records.ts';
import type { GroupMetadataValue, LoadedPartition, OffsetCommitValue } from './types.ts';

/** Bytes read from the log per step; a batch larger than this is still read whole. */
const loadReadBytesMax = 1024 * 1024;
/** An empty read below the end it saw is retried this often, this far apart, before the load gives up. */
const emptyReadsMax = 100;
const emptyReadRetryMs = 10;

/** Latest value per key, as the records of one partition are replayed in offset order. */
export class OffsetsPartitionState {
  readonly #groups = new Map<string, GroupMetadataValue>();
  readonly #offsets = new Map<string, Map<string, OffsetCommitValue>>();

  apply(record: OffsetsRecord): void {
    if (record.type === 'group_metadata') {
      if (record.value === null) this.#groups.delete(record.groupId);
      else this.#groups.set(record.groupId, record.value);
      return;
    }
    const key = `${record.topic}:${record.partition}`;
    let commits = this.#offsets.get(record.groupId);
    if (record.value === null) {
      commits?.delete(key);
      if (commits?.size === 0) this.#offsets.delete(record.groupId);
      return;
    }
    if (commits === undefined) {
      commits = new Map();
      this.#offsets.set(record.groupId, commits);
    }
    commits.set(key, record.value);
  }

  /** The state so far; the caller must not apply more records after handing it on. */
  snapshot(): LoadedPartition {
    return { groups: this.#groups, offsets: this.#offsets };
  }
}

export type LoadOutcome = { readonly loaded: LoadedPartition } | { readonly abandoned: true };

export interface LoadOptions {
  readonly partition: Partition;
  /** False once the load should stop (leadership moved, store closed). */
  readonly current: () => boolean;
  readonly logger: Logger;
}

/** Reads the partition and waits for its high watermark; see the file comment. */
export async function loadOffsetsPartition(options: LoadOptions): Promise<LoadOutcome> {
  const { partition, current, logger } = options;
  const state = new OffsetsPartitionState();
  const end = partition.log.logEndOffset;
  let offset = partition.log.logStartOffset;
  let skipped = 0;
  let emptyReads = 0;
  while (offset < end) {
    if (!current()) return { abandoned: true };
    const read = await partition.log.read(offset, loadReadBytesMax, end);
    if (!read.ok) {
      // Retention moved the log start past us; what it dropped is gone either way.
      offset = partition.log.logStartOffset;
      continue;
    }
    const chunk = read.records.length === 1 ? read.records[0] : Buffer.concat(read.records);
    if (chunk === undefined || chunk.length === 0) {
      // Nothing readable below `end` from here: only a log changed under us does that.
      if (++emptyReads > emptyReadsMax || !current()) {
        logger.error({ partition: partition.index, offset: offset.toString() }, 'offsets load: log unreadable');
        return { abandoned: true };
      }
      await new Promise((resolve) => setTimeout(resolve, emptyReadRetryMs));
      continue;
    }
    emptyReads = 0;
    for (const batch of await decodeRecordBatches(chunk)) {
      offset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
      // Transaction markers; transactional offset commits arrive with the transaction coordinator.
      if (isControl(batch.header.attributes)) continue;
      for (const record of batch.records) {
        if (record.key === null) {
          skipped++;
          continue;
        }
        const decoded = decodeOffsetsRecord(record.key, record.value);
        if (decoded.ok) state.apply(decoded.value);
        else skipped++;
      }
    }
  }
  if (skipped > 0) logger.warn({ partition: partition.index, skipped }, 'offsets load skipped unreadable records');
  if (!(await highWatermarkReaches(partition, end, current))) return { abandoned: true };
  return { loaded: state.snapshot() };
}

/** Resolves true once the high watermark is at `end`, false if the load stops being current first. */
function highWatermarkReaches(partition: Partition, end: bigint, current: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!current() || partition.closed) resolve(false);
      else if (partition.highWatermark >= end) resolve(true);
      // Partition wakes its listeners on appends, high-watermark moves, role changes and close.
      else partition.onNextAppend(check);
    };
    check();
  });
}

/**
 * Reads one `__consumer_offsets` partition back into coordinator state when
 * this broker becomes its leader: every batch from the log start to the
 * log end, last write per key wins, tombstones delete; transactional
 * commits wait for their producer's marker (OffsetsPartitionState). The records past the
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
import { decodeRecordBatches, decodeTxnMarkerType, isControl, isTransactional } from '@runnel/protocol';
import type { Partition } from '../replication/partition.ts';
import { decodeOffsetsRecord, type OffsetsRecord } from './offsets-records.ts';
import type { GroupMetadataValue, LoadedPartition, LoggedOffset } from './types.ts';

/** Bytes read from the log per step; a batch larger than this is still read whole. */
const loadReadBytesMax = 1024 * 1024;
/** An empty read below the end it saw is retried this often, this far apart, before the load gives up. */
const emptyReadsMax = 100;
const emptyReadRetryMs = 10;

/**
 * Latest value per key, as the records of one partition are replayed in
 * offset order. Commits in a transactional batch are pending for its
 * producer until that producer's COMMIT or ABORT marker: a COMMIT makes
 * each the committed one unless a later commit of the key is there, an
 * ABORT drops them. A tombstone deletes the key's commit and every open
 * transaction's commit of it (Kafka's replay does the same).
 */
export class OffsetsPartitionState {
  readonly #groups = new Map<string, GroupMetadataValue>();
  readonly #offsets = new Map<string, Map<string, LoggedOffset>>();
  /** producerId → groupId → key → commit. */
  readonly #pending = new Map<bigint, Map<string, Map<string, LoggedOffset>>>();

  /** `producerId` is the batch's when it is transactional, else null. */
  apply(record: OffsetsRecord, recordOffset: bigint, producerId: bigint | null = null): void {
    if (record.type === 'group_metadata') {
      if (record.value === null) this.#groups.delete(record.groupId);
      else this.#groups.set(record.groupId, record.value);
      return;
    }
    const key = `${record.topic}:${record.partition}`;
    if (record.value === null) {
      removeKey(this.#offsets, record.groupId, key);
      for (const [id, byGroup] of this.#pending) {
        removeKey(byGroup, record.groupId, key);
        if (byGroup.size === 0) this.#pending.delete(id);
      }
      return;
    }
    const logged = { ...record.value, recordOffset };
    if (producerId === null) {
      setKey(this.#offsets, record.groupId, key, logged);
      return;
    }
    let byGroup = this.#pending.get(producerId);
    if (byGroup === undefined) {
      byGroup = new Map();
      this.#pending.set(producerId, byGroup);
    }
    setKey(byGroup, record.groupId, key, logged);
  }

  /** A control batch: `producerId`'s transaction on this partition ended with `result`. */
  endTransaction(producerId: bigint, result: 'commit' | 'abort'): void {
    const byGroup = this.#pending.get(producerId);
    this.#pending.delete(producerId);
    if (byGroup === undefined || result === 'abort') return;
    for (const [groupId, commits] of byGroup) {
      for (const [key, logged] of commits) {
        const current = this.#offsets.get(groupId)?.get(key);
        if (current === undefined || current.recordOffset < logged.recordOffset) {
          setKey(this.#offsets, groupId, key, logged);
        }
      }
    }
  }

  /** The state so far; the caller must not apply more records after handing it on. */
  snapshot(): LoadedPartition {
    return { groups: this.#groups, offsets: this.#offsets, pendingTxnOffsets: this.#pending };
  }
}

function setKey(maps: Map<string, Map<string, LoggedOffset>>, groupId: string, key: string, value: LoggedOffset): void {
  let commits = maps.get(groupId);
  if (commits === undefined) {
    commits = new Map();
    maps.set(groupId, commits);
  }
  commits.set(key, value);
}

function removeKey(maps: Map<string, Map<string, LoggedOffset>>, groupId: string, key: string): void {
  const commits = maps.get(groupId);
  commits?.delete(key);
  if (commits?.size === 0) maps.delete(groupId);
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
      const { attributes, producerId } = batch.header;
      if (isControl(attributes)) {
        const marker = decodeTxnMarkerType(batch.records[0]?.key ?? null);
        // A control batch emptied by compaction ends nothing.
        if (marker !== null) state.endTransaction(producerId, marker);
        continue;
      }
      const txnProducer = isTransactional(attributes) ? producerId : null;
      for (const record of batch.records) {
        if (record.key === null) {
          skipped++;
          continue;
        }
        const decoded = decodeOffsetsRecord(record.key, record.value);
        if (decoded.ok) state.apply(decoded.value, record.offset, txnProducer);
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

/**
 * Reads one partition of a coordinator's internal topic back into state
 * when this broker becomes its leader: every batch from the log start to
 * the log end, each keyed record handed to `apply` in offset order. The
 * records past the high watermark are ours too (a leader never truncates
 * its own log), but the state may only be served once they are committed,
 * so the load ends by waiting for the high watermark to reach the end it
 * read to — as Kafka's coordinator loader does.
 *
 * Shared by the group (`__consumer_offsets`) and transaction
 * (`__transaction_state`) coordinators. Not a hot path: batches are decoded
 * whole. A load is abandoned as soon as `current()` says this broker no
 * longer leads the partition in the epoch the load began in.
 */
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, decodeTxnMarkerType, isControl, isTransactional } from '@runnel/protocol';
import type { Partition } from './replication/partition.ts';

/** Bytes read from the log per step; a batch larger than this is still read whole. */
const loadReadBytesMax = 1024 * 1024;
/** An empty read below the end it saw is retried this often, this far apart, before the load gives up. */
const emptyReadsMax = 100;
const emptyReadRetryMs = 10;

export interface CoordinatorLoadOptions {
  readonly partition: Partition;
  /** False once the load should stop (leadership moved, store closed). */
  readonly current: () => boolean;
  readonly logger: Logger;
  /** One keyed data record; false when it could not be read (counted and skipped). */
  readonly apply: (key: Buffer, value: Buffer | null, record: LoadedRecord) => boolean;
  /** A transaction marker (control batch) of `producerId`: its transaction on this partition ended. */
  readonly marker?: (producerId: bigint, result: 'commit' | 'abort') => void;
}

/** Where a record sits and which batch carried it. */
export interface LoadedRecord {
  readonly recordOffset: bigint;
  readonly producerId: bigint;
  /** The batch was a producer's transactional write (a transactional offset commit). */
  readonly transactional: boolean;
}

/** Reads the partition and waits for its high watermark; see the file comment. */
export async function loadCoordinatorPartition(options: CoordinatorLoadOptions): Promise<'loaded' | 'abandoned'> {
  const { partition, current, logger, apply, marker } = options;
  const end = partition.log.logEndOffset;
  let offset = partition.log.logStartOffset;
  let skipped = 0;
  let emptyReads = 0;
  while (offset < end) {
    if (!current()) return 'abandoned';
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
        logger.error(
          { topic: partition.topic, partition: partition.index, offset: offset.toString() },
          'coordinator load: log unreadable',
        );
        return 'abandoned';
      }
      await new Promise((resolve) => setTimeout(resolve, emptyReadRetryMs));
      continue;
    }
    emptyReads = 0;
    for (const batch of await decodeRecordBatches(chunk)) {
      offset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
      const { attributes, producerId } = batch.header;
      if (isControl(attributes)) {
        const result = decodeTxnMarkerType(batch.records[0]?.key ?? null);
        // A control batch emptied by compaction ends nothing.
        if (result !== null) marker?.(producerId, result);
        continue;
      }
      const transactional = isTransactional(attributes);
      for (const record of batch.records) {
        const loaded = { recordOffset: record.offset, producerId, transactional };
        if (record.key === null || !apply(record.key, record.value, loaded)) skipped++;
      }
    }
  }
  if (skipped > 0) {
    logger.warn({ topic: partition.topic, partition: partition.index, skipped }, 'load skipped unreadable records');
  }
  return (await highWatermarkReaches(partition, end, current)) ? 'loaded' : 'abandoned';
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

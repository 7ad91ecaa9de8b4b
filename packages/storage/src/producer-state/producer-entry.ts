/**
 * What one partition remembers about one idempotent (or transactional)
 * producer, and the pure updates a stored batch makes to it: the current
 * producer epoch, the sequence ranges and offsets of its last five data
 * batches (so a retried batch can be answered with its original offsets),
 * the time of its last write (for expiry), the epoch of the transaction
 * coordinator that last ended one of its transactions, and the first offset
 * of its open transaction.
 *
 * Entries are immutable values: an update returns a new entry, so a check
 * can try a produce's batches on copies and throw them away. Sequences are
 * int32 and wrap from 2147483647 to 0, as Kafka's do.
 */

/** Kafka keeps this many of a producer's latest batches for duplicate detection (and clients send at most 5 in flight). */
export const batchesRetained = 5;
/** The epoch of a producer the partition has no epoch for. */
export const noProducerEpoch = -1;
/** The last sequence of a producer with no retained batch. */
export const noSequence = -1;

const int32Max = 0x7fffffff;

/** One of a producer's retained data batches: its sequence range and where it landed. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The batch's maxTimestamp as stored (the append time on LogAppendTime topics). */
  readonly timestampMs: bigint;
}

export interface ProducerEntry {
  readonly producerId: bigint;
  readonly epoch: number;
  /** Oldest first, at most `batchesRetained`, all of `epoch`. */
  readonly batches: readonly BatchMetadata[];
  /** maxTimestamp of the producer's last batch or marker; what expiry measures idleness from. */
  readonly lastTimestampMs: bigint;
  /** -1 until a transaction marker names its coordinator's epoch. */
  readonly coordinatorEpoch: number;
  /** First offset of the producer's open transaction; null when none is open. */
  readonly currentTxnFirstOffset: bigint | null;
}

/** The producer fields of one stored (or about to be stored) batch header. */
export interface ProducerBatch {
  readonly producerId: bigint;
  readonly epoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
  readonly maxTimestampMs: bigint;
  readonly transactional: boolean;
}

export function emptyEntry(producerId: bigint): ProducerEntry {
  return {
    producerId,
    epoch: noProducerEpoch,
    batches: [],
    lastTimestampMs: -1n,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: null,
  };
}

/** `sequence + delta`, wrapping past int32 max to 0 as producers do. */
export function sequenceAfter(sequence: number, delta: number): number {
  const next = sequence + delta;
  return next > int32Max ? next - int32Max - 1 : next;
}

/** Whether `next` is the sequence that follows `last`. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === int32Max);
}

/** The last sequence of a batch (its records take consecutive sequences). */
export function lastSequenceOf(batch: ProducerBatch): number {
  return sequenceAfter(batch.baseSequence, batch.lastOffsetDelta);
}

export function lastRetainedSequence(entry: ProducerEntry): number {
  return entry.batches.at(-1)?.lastSeq ?? noSequence;
}

/** The retained batch `batch` repeats (same epoch and sequence range), if any. */
export function findDuplicate(entry: ProducerEntry, batch: ProducerBatch): BatchMetadata | null {
  if (batch.epoch !== entry.epoch) return null;
  const lastSeq = lastSequenceOf(batch);
  return entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq) ?? null;
}

/**
 * The entry after a data batch based at `firstOffset` is stored. No checks:
 * this is how followers and recovery take what the leader wrote. A new
 * epoch forgets the old epoch's batches; a transactional batch opens a
 * transaction if none is open.
 */
export function withDataBatch(entry: ProducerEntry, batch: ProducerBatch, firstOffset: bigint): ProducerEntry {
  const metadata: BatchMetadata = {
    firstSeq: batch.baseSequence,
    lastSeq: lastSequenceOf(batch),
    firstOffset,
    lastOffset: firstOffset + BigInt(batch.lastOffsetDelta),
    timestampMs: batch.maxTimestampMs,
  };
  const kept = batch.epoch === entry.epoch ? entry.batches : [];
  const batches = kept.length < batchesRetained ? [...kept, metadata] : [...kept.slice(1), metadata];
  const opensTxn = batch.transactional && entry.currentTxnFirstOffset === null;
  return {
    producerId: entry.producerId,
    epoch: batch.epoch,
    batches,
    lastTimestampMs: batch.maxTimestampMs,
    coordinatorEpoch: entry.coordinatorEpoch,
    currentTxnFirstOffset: opensTxn ? firstOffset : entry.currentTxnFirstOffset,
  };
}

/**
 * The entry after a transaction marker (control batch) of `epoch`: the
 * transaction is over, the epoch is the marker's (a coordinator that bumped
 * it fences the old one, and the producer's next batch must start at
 * sequence 0), and the coordinator epoch is the marker's when it could be
 * read.
 */
export function withMarker(
  entry: ProducerEntry,
  marker: { readonly epoch: number; readonly timestampMs: bigint; readonly coordinatorEpoch: number | null },
): ProducerEntry {
  return {
    producerId: entry.producerId,
    epoch: marker.epoch,
    batches: marker.epoch === entry.epoch ? entry.batches : [],
    lastTimestampMs: marker.timestampMs,
    coordinatorEpoch: marker.coordinatorEpoch ?? entry.coordinatorEpoch,
    currentTxnFirstOffset: null,
  };
}

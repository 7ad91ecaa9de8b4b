/**
 * One transactional id in memory (Kafka's TransactionMetadata): what is
 * persisted, what only lives here (the last epoch for KIP-360 retries, a
 * failed fence, the write and markers in flight, the requests waiting),
 * and the conversions to and from the persisted TransactionLogValue.
 *
 * State changes only when the write that records them has committed: a
 * rule computes the next `TxnSnapshot`, asks for its write, and applies it
 * in the write's continuation. The one exception is Kafka's too: fencing
 * raises the epoch in memory at once, so the fenced producer is refused
 * even while the abort is being written.
 */
import { assert } from '@runnel/common';
import type { TransactionLogValue, TransactionState } from './transaction-records.ts';
import type {
  AddOffsetsInput,
  AddPartitionsInput,
  EndTxnInput,
  InitProducerIdInput,
  TopicPartition,
  TransactionDescription,
} from './txn-api.ts';

export const noProducerId = -1n;
export const noProducerEpoch = -1;
export const producerEpochMax = 32_767;

/**
 * Clients never get the last epoch, so the coordinator can always fence
 * the holder of the one before it; at the second-to-last, InitProducerId
 * moves the id to a new producer id instead of bumping.
 */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= producerEpochMax - 1;
}

/** What a write records (and lastProducerEpoch, which Kafka keeps in memory only). */
export interface TxnSnapshot {
  readonly producerId: bigint;
  readonly prevProducerId: bigint;
  readonly nextProducerId: bigint;
  readonly nextProducerEpoch: number;
  readonly producerEpoch: number;
  /** The epoch before the last bump, so a retried KIP-360 InitProducerId gets the same answer; -1 when unknown. */
  readonly lastProducerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TransactionState;
  /** topic → partitions, in the order they were added. */
  readonly partitions: ReadonlyMap<string, ReadonlySet<number>>;
  readonly startMs: number;
  readonly lastUpdateMs: number;
  readonly clientTransactionVersion: number;
}

interface Queued<K extends string, I> {
  readonly kind: K;
  readonly ticket: number;
  readonly input: I;
  /** When it stops waiting and is answered CONCURRENT_TRANSACTIONS. */
  readonly deadlineMs: number;
}

/** A request waiting for its transactional id to be at rest; answered by ticket. */
export type QueuedRequest =
  | Queued<'initProducerId', InitProducerIdInput>
  | Queued<'addPartitions', AddPartitionsInput>
  | Queued<'addOffsets', AddOffsetsInput>
  | Queued<'endTxn', EndTxnInput>;

export interface TxnEntry {
  readonly transactionalId: string;
  /** The committed state (the epoch may be ahead of it while a fence is being written). */
  current: TxnSnapshot;
  /** The write in flight for this id; at most one at a time. */
  writeId: number | null;
  /** The markers being written for the prepared transaction. */
  markersId: number | null;
  /**
   * After a failed write of the coordinator's own (a timeout abort, a
   * Complete record): not again before this; null when none failed.
   */
  retryAtMs: number | null;
  /** A fence whose write failed already raised the epoch; the next fence must not raise it again. */
  hasFailedEpochFence: boolean;
  /** Requests waiting for the id to be at rest, in arrival order. */
  queue: QueuedRequest[];
}

export function newEntry(transactionalId: string, snapshot: TxnSnapshot): TxnEntry {
  return {
    transactionalId,
    current: snapshot,
    writeId: null,
    markersId: null,
    retryAtMs: null,
    hasFailedEpochFence: false,
    queue: [],
  };
}

/** Prepared (PrepareCommit/PrepareAbort): the outcome is decided and its markers are on their way. */
export function isPrepared(state: TransactionState): boolean {
  return state === 'PrepareCommit' || state === 'PrepareAbort';
}

/** No write in flight and no transaction being completed: waiting requests may run. */
export function isAtRest(entry: TxnEntry): boolean {
  return entry.writeId === null && !isPrepared(entry.current.state);
}

/**
 * Whether a waiting request may run now: no write in flight, and — except
 * for EndTxn, whose answer a prepared transaction already knows — no
 * transaction being completed.
 */
export function canRun(entry: TxnEntry, request: QueuedRequest): boolean {
  return entry.writeId === null && (request.kind === 'endTxn' || !isPrepared(entry.current.state));
}

/** The next state from this one; every transition records the producer id it replaces (Kafka's prevProducerId). */
export function transit(entry: TxnEntry, changes: Partial<TxnSnapshot>): TxnSnapshot {
  return { ...entry.current, prevProducerId: entry.current.producerId, ...changes };
}

export function withPartitions(
  partitions: ReadonlyMap<string, ReadonlySet<number>>,
  added: readonly TopicPartition[],
): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [topic, ids] of partitions) out.set(topic, new Set(ids));
  for (const { topic, partition } of added) {
    let ids = out.get(topic);
    if (ids === undefined) {
      ids = new Set();
      out.set(topic, ids);
    }
    ids.add(partition);
  }
  return out;
}

export function containsAll(
  partitions: ReadonlyMap<string, ReadonlySet<number>>,
  wanted: readonly TopicPartition[],
): boolean {
  return wanted.every(({ topic, partition }) => partitions.get(topic)?.has(partition) === true);
}

export function partitionList(partitions: ReadonlyMap<string, ReadonlySet<number>>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const [topic, ids] of partitions) for (const partition of ids) out.push({ topic, partition });
  return out;
}

export function toValue(s: TxnSnapshot): TransactionLogValue {
  assert(s.state !== 'Empty' || s.partitions.size === 0, 'an Empty transaction has no partitions');
  return {
    producerId: s.producerId,
    previousProducerId: s.prevProducerId,
    nextProducerId: s.nextProducerId,
    producerEpoch: s.producerEpoch,
    nextProducerEpoch: s.nextProducerEpoch,
    transactionTimeoutMs: s.timeoutMs,
    state: s.state,
    partitions: [...s.partitions].map(([topic, ids]) => ({ topic, partitionIds: [...ids] })),
    lastUpdateTimestampMs: BigInt(s.lastUpdateMs),
    startTimestampMs: BigInt(s.startMs),
    clientTransactionVersion: s.clientTransactionVersion,
  };
}

/**
 * A loaded value back in memory. PrepareEpochFence is never written (it is
 * the in-memory step before an abort); one on disk is taken as Ongoing so
 * the transaction timeout aborts it.
 */
export function fromValue(transactionalId: string, v: TransactionLogValue): TxnEntry {
  assert(v.state !== 'Dead', 'Dead ids are dropped by the log replay');
  const partitions = withPartitions(
    new Map(),
    v.partitions.flatMap((p) => p.partitionIds.map((partition) => ({ topic: p.topic, partition }))),
  );
  return newEntry(transactionalId, {
    producerId: v.producerId,
    prevProducerId: v.previousProducerId,
    nextProducerId: v.nextProducerId,
    nextProducerEpoch: v.nextProducerEpoch,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: noProducerEpoch,
    timeoutMs: v.transactionTimeoutMs,
    state: v.state === 'PrepareEpochFence' ? 'Ongoing' : v.state,
    partitions: v.state === 'Empty' ? new Map() : partitions,
    startMs: Number(v.startTimestampMs),
    lastUpdateMs: Number(v.lastUpdateTimestampMs),
    clientTransactionVersion: v.clientTransactionVersion,
  });
}

export function describeEntry(entry: TxnEntry): TransactionDescription {
  const s = entry.current;
  return {
    transactionalId: entry.transactionalId,
    state: s.state,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    transactionTimeoutMs: s.timeoutMs,
    startTimestampMs: s.startMs,
    partitions: partitionList(s.partitions),
  };
}

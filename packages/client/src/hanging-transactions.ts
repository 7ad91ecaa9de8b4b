/**
 * Hanging transactions, in the sense of Kafka's kafka-transactions.sh
 * find-hanging: a partition's producer whose transaction has been open
 * longer than the longest transaction timeout the cluster allows (so its
 * coordinator should have ended it), and whose coordinator does not think
 * that transaction is in progress on that partition. Such a transaction
 * holds the partition's last stable offset forever: read_committed consumers
 * stop there. A transaction's duration is measured from the producer's last
 * write, as Kafka's tool does: a producer still writing is never hanging.
 *
 * Pure: the caller passes the producer states (DescribeProducers) and
 * lookups of the coordinators' view (ListTransactions, DescribeTransactions).
 */
import { ErrorCode } from '@runnel/protocol';
import { KafkaError } from './errors.ts';
import type { PartitionProducers, TransactionDetails, TransactionListing } from './transactions-admin.ts';

export interface HangingTransaction {
  topic: string;
  partition: number;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  startOffset: bigint;
  lastTimestampMs: bigint;
  /** now - last write. */
  durationMs: number;
  /** The id the coordinators list for the producer id, null when none does. */
  transactionalId: string | null;
  /** Why it counts as hanging, for the operator. */
  reason: string;
}

export interface CoordinatorLookups {
  /** ListTransactions for these producer ids across every broker; throws when a broker did not answer. */
  listByProducerIds(producerIds: readonly bigint[]): Promise<TransactionListing[]>;
  describe(transactionalId: string): Promise<TransactionDetails>;
}

/** States in which a coordinator is still working on a transaction (markers included). */
const inProgressStates: ReadonlySet<string> = new Set(['Ongoing', 'PrepareCommit', 'PrepareAbort']);

export async function findHangingTransactions(
  partitions: readonly PartitionProducers[],
  options: { nowMs: number; maxTransactionTimeoutMs: number },
  lookups: CoordinatorLookups,
): Promise<HangingTransaction[]> {
  const candidates: HangingTransaction[] = [];
  for (const p of partitions) {
    if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `${p.topic}-${p.partition}`);
    for (const producer of p.producers) {
      if (producer.currentTxnStartOffset === null) continue;
      const durationMs = options.nowMs - Number(producer.lastTimestampMs);
      if (durationMs <= options.maxTransactionTimeoutMs) continue;
      candidates.push({
        topic: p.topic,
        partition: p.partition,
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        coordinatorEpoch: producer.coordinatorEpoch,
        startOffset: producer.currentTxnStartOffset,
        lastTimestampMs: producer.lastTimestampMs,
        durationMs,
        transactionalId: null,
        reason: '',
      });
    }
  }
  if (candidates.length === 0) return [];
  const listed = await lookups.listByProducerIds([...new Set(candidates.map((c) => c.producerId))]);
  const described = new Map<string, TransactionDetails>();
  for (const id of new Set(listed.map((l) => l.transactionalId))) {
    const d = await lookups.describe(id);
    if (d.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) continue;
    if (d.errorCode !== ErrorCode.NONE) throw new KafkaError(d.errorCode, `transactional id ${id}`);
    described.set(id, d);
  }
  const hanging: HangingTransaction[] = [];
  for (const c of candidates) {
    const ids = listed.filter((l) => l.producerId === c.producerId).map((l) => l.transactionalId);
    const details = ids.flatMap((id) => described.get(id) ?? []).filter((d) => d.producerId === c.producerId);
    const first = details[0];
    if (first === undefined) {
      hanging.push({ ...c, reason: 'no coordinator knows the producer id' });
      continue;
    }
    const inProgress = details.find(
      (d) =>
        inProgressStates.has(d.state) && d.partitions.some((x) => x.topic === c.topic && x.partition === c.partition),
    );
    if (inProgress !== undefined) continue;
    const reason = inProgressStates.has(first.state)
      ? `the coordinator's ${first.state} transaction does not include the partition`
      : `the coordinator's transaction is ${first.state}`;
    hanging.push({ ...c, transactionalId: first.transactionalId, reason });
  }
  return hanging;
}

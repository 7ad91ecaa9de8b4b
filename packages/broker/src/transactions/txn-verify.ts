/**
 * KIP-890 part 1, the coordinator's half: a partition leader about to store
 * the first transactional batch of a producer asks whether that partition
 * is in the producer's ongoing transaction (AddPartitionsToTxn v4+ with
 * verifyOnly, or the same over the cluster's gRPC). Only a partition added
 * to a transaction that is still Ongoing, asked by the producer id and
 * epoch that hold the transactional id now, is verified; so a produce that
 * arrives late (after its transaction's markers) or duplicated from an
 * older epoch can never open a transaction nobody will end.
 *
 * Read-only: no state changes and no writes. A fence being written has
 * already raised the epoch in memory, so the fenced producer is refused.
 */
import { ErrorCode } from '@runnel/protocol';
import type { ProducerIdentity, TopicPartition } from './txn-api.ts';
import { checkProducer } from './txn-core.ts';
import { isPrepared, type TxnEntry } from './txn-model.ts';

export interface VerifyInput extends ProducerIdentity {
  readonly partitions: readonly TopicPartition[];
  /**
   * Transaction version 2 (KIP-890 part 2): add the partitions to the
   * producer's transaction (AddPartitionsToTxn with verifyOnly false), not
   * only check them; the answer per partition is then the add's.
   */
  readonly add?: boolean;
}

export interface PartitionVerdict extends TopicPartition {
  readonly errorCode: number;
}

/**
 * Per partition: NONE when it is in the ongoing transaction;
 * TRANSACTION_ABORTABLE when it is not (the producer must abort); for the
 * whole request INVALID_PRODUCER_ID_MAPPING (unknown id, other producer
 * id), PRODUCER_FENCED (other epoch), CONCURRENT_TRANSACTIONS while the
 * previous transaction's markers are being written (retriable).
 */
export function verifyInTransaction(entry: TxnEntry | undefined, input: VerifyInput): PartitionVerdict[] {
  const every = (errorCode: number) => input.partitions.map((p) => ({ ...p, errorCode }));
  const refused = checkProducer(entry, input);
  if (refused !== null || entry === undefined) return every(refused ?? ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (isPrepared(entry.current.state)) return every(ErrorCode.CONCURRENT_TRANSACTIONS);
  const ongoing = entry.current.state === 'Ongoing';
  return input.partitions.map((p) => ({
    ...p,
    errorCode:
      ongoing && entry.current.partitions.get(p.topic)?.has(p.partition) === true
        ? ErrorCode.NONE
        : ErrorCode.TRANSACTION_ABORTABLE,
  }));
}

/**
 * KIP-890 on Produce: before a transactional batch may open its producer's
 * transaction on a partition, the leader asks the producer's transaction
 * coordinator whether the partition is in the ongoing transaction (part 1,
 * with transaction.partition.verification.enable), or, for a transaction
 * version 2 client (Produce v12, part 2), tells it to add the partition —
 * always, since nothing else adds it. The partition log's verification
 * guard travels to the append, which refuses it if a marker overtook the
 * question. Batches of a transaction already open here at the producer's
 * epoch need no question.
 *
 * A version 2 producer starts its next transaction as soon as EndTxn
 * answers, while the previous transaction's markers may still be on their
 * way: the coordinator answers the add once they are all written, and the
 * marker that reached this partition meanwhile dropped the guard taken
 * before asking. The partition was added for the transaction the guard is
 * now for, so the leader takes a new guard and asks again (answered at
 * once: the partition is in the ongoing transaction).
 *
 * Error codes as Kafka gives each Produce version: up to v10 a partition
 * not in the transaction is INVALID_TXN_STATE, v11+ TRANSACTION_ABORTABLE;
 * a fenced epoch INVALID_PRODUCER_EPOCH; coordinator trouble
 * NOT_ENOUGH_REPLICAS, which clients retry; CONCURRENT_TRANSACTIONS stays
 * itself at v12, where clients retry it.
 */
import { type BatchSummary, ErrorCode, isTransactional } from '@runnel/protocol';
import type { TxnVerification, VerificationGuard } from '@runnel/storage';
import type { TxnVerifier } from '../transactions/txn-ports.ts';

export type ProduceVerification =
  | { readonly ok: true; readonly verification: TxnVerification | undefined }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

/** The first Produce version of a transaction version 2 client (partitions added through Produce). */
export const produceAddsPartitionsSince = 12;
/** The first Produce version whose clients handle TRANSACTION_ABORTABLE. */
const produceTransactionAbortableSince = 11;
/** Asks per produce: a guard dropped by the previous transaction's marker is taken again, at most this often. */
const verificationAttempts = 3;

/** The coordinator's verdict as the error code of a Produce of `version`. */
export function produceVerificationErrorCode(code: number, version: number): number {
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return version >= produceTransactionAbortableSince ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return version >= produceAddsPartitionsSince ? code : ErrorCode.NOT_ENOUGH_REPLICAS;
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.NOT_ENOUGH_REPLICAS;
    default:
      return code;
  }
}

export interface VerifyProduceOptions {
  readonly transactionalId: string | null;
  readonly topic: string;
  readonly partition: number;
  readonly batches: readonly BatchSummary[];
  /** The Produce request's version: v12+ adds the partition (transaction version 2). */
  readonly version: number;
  readonly log: { verificationGuard(producerId: bigint, producerEpoch: number): VerificationGuard | null };
  /** Null where no coordinator can be asked (unit tests): nothing is verified or added. */
  readonly verifier: TxnVerifier | null;
  /** transaction.partition.verification.enable: whether versions before v12 are verified. */
  readonly verificationEnabled: boolean;
}

export async function verifyTransactionalProduce(options: VerifyProduceOptions): Promise<ProduceVerification> {
  const batch = options.batches.find((b) => isTransactional(b.attributes));
  if (batch === undefined) return { ok: true, verification: undefined };
  const { transactionalId, version } = options;
  if (transactionalId === null || transactionalId === '') {
    // Kafka authorizes transactional records against the request's transactional id; none is never authorized.
    return {
      ok: false,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      message: 'transactional records without a transactional id',
    };
  }
  const add = version >= produceAddsPartitionsSince;
  const verifier = options.verifier;
  if (verifier === null || (!add && !options.verificationEnabled)) return { ok: true, verification: undefined };
  for (let attempt = 1; ; attempt++) {
    const guard = options.log.verificationGuard(batch.producerId, batch.producerEpoch);
    // The producer's transaction is open here at this epoch: its batches join it (checked again on the append's turn).
    if (guard === null) return { ok: true, verification: { guard: null } };
    const verdicts = await verifier.verify({
      transactionalId,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      partitions: [{ topic: options.topic, partition: options.partition }],
      add,
    });
    const code = verdicts[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code !== ErrorCode.NONE) {
      return {
        ok: false,
        errorCode: produceVerificationErrorCode(code, version),
        message: `the transaction coordinator did not ${add ? 'add' : 'verify'} the partition (error ${code})`,
      };
    }
    // Only an add asks again: its epoch is the transaction's own, so a late batch of an earlier transaction is fenced
    // there; a version 1 verification asked again could admit it into the producer's next transaction.
    const current = options.log.verificationGuard(batch.producerId, batch.producerEpoch);
    if (!add || current === guard || attempt >= verificationAttempts) return { ok: true, verification: { guard } };
  }
}

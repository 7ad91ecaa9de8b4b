/**
 * KIP-890 part 1 on Produce: before a transactional batch may open its
 * producer's transaction on a partition, the leader asks the producer's
 * transaction coordinator whether the partition is in the ongoing
 * transaction, and carries the partition log's verification guard to the
 * append (the log refuses it if a marker overtook the verification).
 * Batches of a transaction already open here need no question.
 *
 * Error codes as Kafka gives them: a partition not in the transaction is
 * TRANSACTION_ABORTABLE from Produce v11 (KIP-890; the client aborts and
 * goes on) and INVALID_TXN_STATE before, a fenced epoch
 * INVALID_PRODUCER_EPOCH, and coordinator trouble NOT_ENOUGH_REPLICAS,
 * which every client retries without refreshing metadata.
 */
import { type BatchSummary, ErrorCode, isTransactional } from '@runnel/protocol';
import type { TxnVerification, VerificationGuard } from '@runnel/storage';
import type { TxnVerifier } from '../transactions/txn-ports.ts';

export type ProduceVerification =
  | { readonly ok: true; readonly verification: TxnVerification | undefined }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

/** The first Produce version whose clients know TRANSACTION_ABORTABLE. */
export const transactionAbortableVersionMin = 11;

/** The coordinator's verdict as the error code of a Produce of `apiVersion`. */
export function produceVerificationErrorCode(code: number, apiVersion: number): number {
  switch (code) {
    case ErrorCode.TRANSACTION_ABORTABLE:
      return apiVersion >= transactionAbortableVersionMin ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.CONCURRENT_TRANSACTIONS:
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
  readonly log: { verificationGuard(producerId: bigint): VerificationGuard | null };
  /** Null when verification is off (transaction.partition.verification.enable=false). */
  readonly verifier: TxnVerifier | null;
  /** The Produce request's version: it decides the error codes the client understands. */
  readonly apiVersion: number;
}

export async function verifyTransactionalProduce(options: VerifyProduceOptions): Promise<ProduceVerification> {
  const batch = options.batches.find((b) => isTransactional(b.attributes));
  if (batch === undefined) return { ok: true, verification: undefined };
  const { transactionalId } = options;
  if (transactionalId === null || transactionalId === '') {
    // Kafka authorizes transactional records against the request's transactional id; none is never authorized.
    return {
      ok: false,
      errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      message: 'transactional records without a transactional id',
    };
  }
  if (options.verifier === null) return { ok: true, verification: undefined };
  const guard = options.log.verificationGuard(batch.producerId);
  // The producer's transaction is open here already: its batches join it (checked again on the append's turn).
  if (guard === null) return { ok: true, verification: { guard: null } };
  const verdicts = await options.verifier.verify({
    transactionalId,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    partitions: [{ topic: options.topic, partition: options.partition }],
  });
  const code = verdicts[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  if (code === ErrorCode.NONE) return { ok: true, verification: { guard } };
  return {
    ok: false,
    errorCode: produceVerificationErrorCode(code, options.apiVersion),
    message: `the transaction coordinator did not verify the partition (error ${code})`,
  };
}

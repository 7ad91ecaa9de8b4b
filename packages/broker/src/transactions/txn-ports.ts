/**
 * The seams between the transaction coordinator's runtime and the rest of
 * the broker, fixed ahead so the parts can be built side by side:
 * - `MarkerWriter`: how the runtime gets a prepared transaction's markers
 *   onto every partition (the partitions' leaders, acks=all).
 * - `TransactionsView`: what DescribeTransactions / ListTransactions read
 *   from the coordinators this broker hosts.
 * - `TxnVerifier`: how a partition leader asks a producer's transaction
 *   coordinator, wherever it runs, whether a partition is in the ongoing
 *   transaction (KIP-890 part 1).
 */
import type { TransactionDescription } from './txn-api.ts';
import type { MarkerRequest } from './txn-core.ts';
import type { PartitionVerdict, VerifyInput } from './txn-verify.ts';

export interface MarkerWriter {
  /**
   * Writes the request's marker (commit or abort, with its producer id,
   * epoch and coordinator epoch) on every partition of the request, each on
   * its current leader and committed there (acks=all). Each partition is
   * retried until written, or until its topic or partition no longer
   * exists (which counts as written), or until `cancelled()` turns true
   * (the coordinator lost its partition; the next one resends). Never
   * rejects for broker, network or leadership trouble.
   */
  write(request: MarkerRequest, cancelled: () => boolean): Promise<'written' | 'cancelled'>;
}

/** A coordinator's view of its transactional ids, with Kafka's error codes for partitions it cannot answer for. */
export interface TransactionsView {
  /**
   * One transactional id: NOT_COORDINATOR when its `__transaction_state`
   * partition is not led here, COORDINATOR_LOAD_IN_PROGRESS while loading,
   * TRANSACTIONAL_ID_NOT_FOUND when unknown.
   */
  describe(transactionalId: string): {
    readonly errorCode: number;
    readonly transaction: TransactionDescription | null;
  };
  /** Every id of every loaded partition; COORDINATOR_LOAD_IN_PROGRESS while any hosted partition still loads. */
  list(): { readonly errorCode: number; readonly transactions: readonly TransactionDescription[] };
}

export interface TxnVerifier {
  /**
   * The coordinator's verdict per partition (txn-verify.ts), from the
   * coordinator of `input.transactionalId` on this broker or another.
   * Never rejects: no coordinator reachable answers COORDINATOR_NOT_AVAILABLE
   * (or NOT_COORDINATOR) for every partition.
   */
  verify(input: VerifyInput): Promise<readonly PartitionVerdict[]>;
}

/**
 * `TxnVerifier` for a broker (KIP-890 part 1): a partition leader's
 * question goes to the coordinator of the transactional id — the leader of
 * its `__transaction_state` partition — answered directly when that is
 * this broker, else over TxnMarkers.Verify. No coordinator to ask (no
 * topic yet, no leader, no address, a failed call) answers
 * COORDINATOR_NOT_AVAILABLE for every partition, which Produce turns into
 * a retriable NOT_ENOUGH_REPLICAS; the client's retry asks again.
 */
import type { Logger } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { MarkerRouting, MarkerTransport } from './broker-marker-writer.ts';
import { partitionForTransactionalId, transactionStateTopic } from './txn-api.ts';
import type { TxnVerifier } from './txn-ports.ts';
import type { PartitionVerdict, VerifyInput } from './txn-verify.ts';

export interface BrokerTxnVerifierOptions {
  readonly nodeId: number;
  readonly routing: MarkerRouting;
  /** `__transaction_state`'s partition count now; null while the topic does not exist. */
  readonly statePartitions: () => number | null;
  /** This broker's coordinators answering (NOT_COORDINATOR when it does not host the id's partition). */
  readonly local: (input: VerifyInput) => Promise<readonly PartitionVerdict[]>;
  readonly transport: Pick<MarkerTransport, 'verify'>;
  readonly logger: Logger;
  /** Deadline of one call to another coordinator. */
  readonly callTimeoutMs?: number;
}

export const verifyCallTimeoutMsDefault = 5_000;

export function brokerTxnVerifier(options: BrokerTxnVerifierOptions): TxnVerifier {
  const every = (input: VerifyInput, errorCode: number): PartitionVerdict[] =>
    input.partitions.map((p) => ({ ...p, errorCode }));
  return {
    async verify(input) {
      const partitions = options.statePartitions();
      if (partitions === null || partitions <= 0) return every(input, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const index = partitionForTransactionalId(input.transactionalId, partitions);
      const leader = options.routing.leaderOf(transactionStateTopic, index);
      if (leader === null || leader < 0) return every(input, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      if (leader === options.nodeId) return options.local(input);
      const address = options.routing.addressOf(leader);
      if (address === undefined) return every(input, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const answer = await options.transport.verify(
        address,
        input,
        options.callTimeoutMs ?? verifyCallTimeoutMsDefault,
      );
      if (answer.ok) return answer.value.partitions;
      options.logger.info(
        { coordinator: leader, transactionalId: input.transactionalId, error: answer.error },
        'transaction verification call failed',
      );
      return every(input, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    },
  };
}

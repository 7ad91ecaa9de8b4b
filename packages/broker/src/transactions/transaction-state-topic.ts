/**
 * `__transaction_state` as an internal topic (internal-topic.ts): created on
 * the first FindCoordinator for a transactional id, compacted, stored
 * uncompressed (Kafka enforces no compression on this log) and written
 * acks=all with min.insync.replicas `transaction.state.log.min.isr`.
 */
import { InternalTopic, type InternalTopicOptions } from '../internal-topic.ts';
import { transactionStatePartitionsDefault, transactionStateTopic } from './txn-api.ts';

export interface TransactionStateTopicSettings {
  /** transaction.state.log.num.partitions */
  readonly partitions: number;
  /** transaction.state.log.replication.factor */
  readonly replicationFactor: number;
  /** transaction.state.log.min.isr */
  readonly minIsr: number;
  /** transaction.state.log.segment.bytes */
  readonly segmentBytes: number;
}

export const defaultTransactionStateTopicSettings: TransactionStateTopicSettings = {
  partitions: transactionStatePartitionsDefault,
  replicationFactor: 3,
  minIsr: 2,
  segmentBytes: 100 * 1024 * 1024,
};

/**
 * The configs the topic is created with. min.insync.replicas is capped at
 * the replication factor: a one-broker cluster could otherwise never commit
 * a transaction.
 */
export function transactionStateTopicConfigs(
  settings: TransactionStateTopicSettings,
  replicationFactor: number,
): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'compression.type': 'uncompressed',
    'min.insync.replicas': String(Math.min(settings.minIsr, replicationFactor)),
    'segment.bytes': String(settings.segmentBytes),
    'unclean.leader.election.enable': 'false',
  };
}

export class TransactionStateTopic extends InternalTopic {
  constructor(
    options: InternalTopicOptions,
    settings: TransactionStateTopicSettings = defaultTransactionStateTopicSettings,
  ) {
    super(options, {
      name: transactionStateTopic,
      partitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
      configs: (rf) => transactionStateTopicConfigs(settings, rf),
    });
  }
}

/**
 * `__consumer_offsets` as an internal topic (internal-topic.ts): created on
 * the first FindCoordinator for a group, compacted, the producer's codec.
 */
import { InternalTopic, type InternalTopicOptions } from '../internal-topic.ts';
import { consumerOffsetsPartitionsDefault, consumerOffsetsTopic } from './types.ts';

/** offsets.topic.replication.factor; capped at the registered brokers. */
export const consumerOffsetsReplicationFactorMax = 3;
/** offsets.topic.segment.bytes */
export const consumerOffsetsSegmentBytes = 100 * 1024 * 1024;

export interface ConsumerOffsetsTopicOptions extends InternalTopicOptions {
  /** offsets.topic.num.partitions */
  readonly partitions?: number;
}

/** The configs the topic is created with (Kafka's, for an internal compacted topic). */
export function consumerOffsetsTopicConfigs(): Record<string, string> {
  return {
    'cleanup.policy': 'compact',
    'compression.type': 'producer',
    'segment.bytes': String(consumerOffsetsSegmentBytes),
  };
}

export class ConsumerOffsetsTopic extends InternalTopic {
  constructor(options: ConsumerOffsetsTopicOptions) {
    super(options, {
      name: consumerOffsetsTopic,
      partitions: options.partitions ?? consumerOffsetsPartitionsDefault,
      replicationFactor: consumerOffsetsReplicationFactorMax,
      configs: consumerOffsetsTopicConfigs,
    });
  }
}

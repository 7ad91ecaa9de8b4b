/**
 * Creates `__consumer_offsets` the first time a coordinator is looked up,
 * as Kafka does: lazily, through the controller like any topic, with the
 * settings an internal compacted topic needs. Clients cannot create it
 * through Metadata auto-creation (the Metadata handler skips its name), so
 * it never exists with the wrong settings.
 *
 * Owned by the FindCoordinator handler. Failures are data: 'unavailable'
 * means "not yet, ask again" (COORDINATOR_NOT_AVAILABLE, which clients retry).
 */
import type { Logger } from '@runnel/common';
import { ControllerUnavailableError, type MetadataImage } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';
import { consumerOffsetsPartitionsDefault, consumerOffsetsTopic } from './types.ts';

/** offsets.topic.replication.factor; capped at the live brokers (see below). */
export const consumerOffsetsReplicationFactorMax = 3;
/** offsets.topic.segment.bytes */
export const consumerOffsetsSegmentBytes = 100 * 1024 * 1024;

export interface ConsumerOffsetsTopicOptions {
  readonly controller: ControllerChannel;
  readonly image: () => MetadataImage;
  /** Resolves once the partition manager has applied every image so far. */
  readonly settled: () => Promise<void>;
  readonly logger: Logger;
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

export class ConsumerOffsetsTopic {
  readonly #options: ConsumerOffsetsTopicOptions;
  /** One creation at a time per broker: concurrent lookups share it. */
  #creating: Promise<void> | null = null;

  constructor(options: ConsumerOffsetsTopicOptions) {
    this.#options = options;
  }

  /** Partitions a new topic gets; an existing topic's own count wins (see partitionCount). */
  get configuredPartitions(): number {
    return this.#options.partitions ?? consumerOffsetsPartitionsDefault;
  }

  /** The existing topic's partition count, else the configured one. */
  partitionCount(): number {
    return this.#options.image().topic(consumerOffsetsTopic)?.partitions.length ?? this.configuredPartitions;
  }

  /** 'exists' once the topic is in this broker's image; creates it first if needed. */
  async ensure(): Promise<'exists' | 'unavailable'> {
    if (this.#exists()) return 'exists';
    this.#creating ??= this.#create().finally(() => {
      this.#creating = null;
    });
    await this.#creating;
    return this.#exists() ? 'exists' : 'unavailable';
  }

  #exists(): boolean {
    return this.#options.image().topic(consumerOffsetsTopic) !== undefined;
  }

  async #create(): Promise<void> {
    const { controller, image, logger } = this.#options;
    // min(3, brokers), as issue 5 asks, so a one-broker dev cluster still gets its groups. Registered
    // brokers, not just unfenced ones: a lookup while a cluster boots must not fix the topic at RF 1
    // for good; until enough are unfenced the controller refuses and clients retry (as Kafka does).
    const registered = image().brokers().length;
    if (registered === 0) return;
    const replicationFactor = Math.min(consumerOffsetsReplicationFactorMax, registered);
    try {
      const [result] = await controller.call('createTopics', {
        topics: [
          {
            name: consumerOffsetsTopic,
            numPartitions: this.configuredPartitions,
            replicationFactor,
            assignments: [],
            configs: consumerOffsetsTopicConfigs(),
          },
        ],
        validateOnly: false,
      });
      if (result?.result.ok === true) {
        logger.info(
          { topic: consumerOffsetsTopic, partitions: this.configuredPartitions, replicationFactor },
          'created internal topic',
        );
      } else if (result !== undefined && !result.result.ok && result.result.error !== 'topic_already_exists') {
        logger.warn({ topic: consumerOffsetsTopic, error: result.result.error }, 'could not create internal topic');
      }
    } catch (error) {
      if (!(error instanceof ControllerUnavailableError)) throw error;
      logger.warn({ err: error.message }, 'creating __consumer_offsets: no controller answered');
      return;
    }
    await this.#options.settled();
  }
}

/**
 * Creates a coordinator's internal topic (`__consumer_offsets`,
 * `__transaction_state`) the first time a coordinator is looked up, as
 * Kafka does: lazily, through the controller like any topic, with the
 * settings an internal compacted topic needs. Clients cannot create these
 * through Metadata auto-creation or write to them with Produce
 * (`isInternalTopic`), so they never exist with the wrong settings.
 *
 * Owned by the FindCoordinator handler. Failures are data: 'unavailable'
 * means "not yet, ask again" (COORDINATOR_NOT_AVAILABLE, which clients retry).
 */
import type { Logger } from '@runnel/common';
import { ControllerUnavailableError, type MetadataImage } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';

/** The coordinators' topics: hidden from auto-creation, Produce and DeleteTopics. */
const internalTopicNames: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export function isInternalTopic(name: string): boolean {
  return internalTopicNames.has(name);
}

/** What differs between the internal topics. */
export interface InternalTopicSpec {
  readonly name: string;
  /** Partitions a new topic gets (offsets.topic.num.partitions, transaction.state.log.num.partitions). */
  readonly partitions: number;
  /** The configured replication factor; capped at the registered brokers (see #create). */
  readonly replicationFactor: number;
  /** The topic configs, given the replication factor it is created with. */
  readonly configs: (replicationFactor: number) => Record<string, string>;
}

export interface InternalTopicOptions {
  readonly controller: ControllerChannel;
  readonly image: () => MetadataImage;
  /** Resolves once the partition manager has applied every image so far. */
  readonly settled: () => Promise<void>;
  readonly logger: Logger;
}

export class InternalTopic {
  readonly spec: InternalTopicSpec;
  readonly #options: InternalTopicOptions;
  /** One creation at a time per broker: concurrent lookups share it. */
  #creating: Promise<void> | null = null;

  constructor(options: InternalTopicOptions, spec: InternalTopicSpec) {
    this.#options = options;
    this.spec = spec;
  }

  /** Partitions a new topic gets; an existing topic's own count wins (see partitionCount). */
  get configuredPartitions(): number {
    return this.spec.partitions;
  }

  /** The existing topic's partition count, else the configured one. */
  partitionCount(): number {
    return this.#options.image().topic(this.spec.name)?.partitions.length ?? this.configuredPartitions;
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
    return this.#options.image().topic(this.spec.name) !== undefined;
  }

  async #create(): Promise<void> {
    const { controller, image, logger } = this.#options;
    const { name } = this.spec;
    // min(configured, brokers), as issue 5 asks, so a one-broker dev cluster still gets its coordinators.
    // Registered brokers, not just unfenced ones: a lookup while a cluster boots must not fix the topic
    // at RF 1 for good; until enough are unfenced the controller refuses and clients retry (as Kafka does).
    const registered = image().brokers().length;
    if (registered === 0) return;
    const replicationFactor = Math.min(this.spec.replicationFactor, registered);
    try {
      const [result] = await controller.call('createTopics', {
        topics: [
          {
            name,
            numPartitions: this.configuredPartitions,
            replicationFactor,
            assignments: [],
            configs: this.spec.configs(replicationFactor),
          },
        ],
        validateOnly: false,
      });
      if (result?.result.ok === true) {
        logger.info(
          { topic: name, partitions: this.configuredPartitions, replicationFactor },
          'created internal topic',
        );
      } else if (result !== undefined && !result.result.ok && result.result.error !== 'topic_already_exists') {
        logger.warn({ topic: name, error: result.result.error }, 'could not create internal topic');
      }
    } catch (error) {
      if (!(error instanceof ControllerUnavailableError)) throw error;
      logger.warn({ topic: name, err: error.message }, 'creating an internal topic: no controller answered');
      return;
    }
    await this.#options.settled();
  }
}

/**
 * What a partition's log and its produce path run with: the topic's
 * overrides over this broker's dynamic configs, the cluster's dynamic
 * defaults and the broker's static config, resolved by @runnel/metadata as
 * DescribeConfigs reports them, then mapped onto the storage LogConfig.
 * Pure functions of (image, topic, static config): a changed config record
 * changes the answer on the next call, with no restart.
 */
import type { BrokerConfigLayers, MetadataImage } from '@runnel/metadata';
import { brokerLayersOf, effectiveTopicConfig, effectiveTopicConfigs, topicLogConfig } from '@runnel/metadata';
import type { LogConfig } from '@runnel/storage';
import { type BrokerConfig, staticKafkaConfig } from './config.ts';

const staticMaps = new WeakMap<BrokerConfig, Record<string, string>>();

/** This broker's config layers in `image` (the static map is built once per BrokerConfig). */
export function brokerLayers(image: MetadataImage, config: BrokerConfig): BrokerConfigLayers {
  let fixed = staticMaps.get(config);
  if (fixed === undefined) {
    fixed = staticKafkaConfig(config);
    staticMaps.set(config, fixed);
  }
  return brokerLayersOf(image, config.nodeId, fixed);
}

/** Kafka's "never" (Long.MAX_VALUE) and anything past 2^53 become the largest exact number. */
function safe(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export function logConfigFor(image: MetadataImage, topic: string, broker: BrokerConfig): LogConfig {
  const c = topicLogConfig(effectiveTopicConfigs(image.configOverrides('topic', topic), brokerLayers(image, broker)));
  return {
    segmentBytes: c.segmentBytes,
    segmentMs: safe(c.segmentMs),
    indexIntervalBytes: c.indexIntervalBytes,
    retentionMs: safe(c.retentionMs),
    retentionBytes: safe(c.retentionBytes),
    flushMessages: safe(c.flushMessages),
    flushMs: safe(c.flushMs),
    messageTimestampType: c.messageTimestampType,
    cleanupPolicy: c.cleanupPolicy,
    deleteRetentionMs: safe(c.deleteRetentionMs),
    minCleanableDirtyRatio: c.minCleanableDirtyRatio,
    minCompactionLagMs: safe(c.minCompactionLagMs),
    maxCompactionLagMs: safe(c.maxCompactionLagMs),
  };
}

/** True when two LogConfigs would make the log behave the same. */
export function sameLogConfig(a: LogConfig, b: LogConfig): boolean {
  return (
    a.segmentBytes === b.segmentBytes &&
    a.segmentMs === b.segmentMs &&
    a.indexIntervalBytes === b.indexIntervalBytes &&
    a.retentionMs === b.retentionMs &&
    a.retentionBytes === b.retentionBytes &&
    a.flushMessages === b.flushMessages &&
    a.flushMs === b.flushMs &&
    a.messageTimestampType === b.messageTimestampType &&
    a.cleanupPolicy.delete === b.cleanupPolicy.delete &&
    a.cleanupPolicy.compact === b.cleanupPolicy.compact &&
    a.deleteRetentionMs === b.deleteRetentionMs &&
    a.minCleanableDirtyRatio === b.minCleanableDirtyRatio &&
    a.minCompactionLagMs === b.minCompactionLagMs &&
    a.maxCompactionLagMs === b.maxCompactionLagMs
  );
}

/** Effective max.message.bytes / min.insync.replicas for a topic. */
export function topicLimits(
  image: MetadataImage,
  topic: string,
  broker: BrokerConfig,
): { messageBytesMax: number; minInsyncReplicas: number } {
  const overrides = image.configOverrides('topic', topic);
  const layers = brokerLayers(image, broker);
  return {
    messageBytesMax: Number(effectiveTopicConfig('max.message.bytes', overrides, layers)),
    minInsyncReplicas: Number(effectiveTopicConfig('min.insync.replicas', overrides, layers)),
  };
}

interface CachedPerTopic<T> {
  readonly topic: ReadonlyMap<string, string>;
  readonly cluster: ReadonlyMap<string, string>;
  readonly own: ReadonlyMap<string, string>;
  readonly value: T;
}

/**
 * A value derived per topic from the image's config layers (the topic's
 * overrides, the cluster-wide and this broker's dynamic configs),
 * recomputed only when one of the config maps it depends on changed (the
 * image shares untouched maps between versions), so a metadata batch or a
 * produce pays a few map lookups, not a config resolution. At most
 * `topicsMax` topics are kept: past it the memo starts again rather than
 * tracking which topics went away.
 */
export class TopicConfigMemo<T> {
  readonly #broker: BrokerConfig;
  readonly #derive: (image: MetadataImage, topic: string, broker: BrokerConfig) => T;
  readonly #topicsMax: number;
  #cache = new Map<string, CachedPerTopic<T>>();

  constructor(
    broker: BrokerConfig,
    derive: (image: MetadataImage, topic: string, broker: BrokerConfig) => T,
    topicsMax = Number.POSITIVE_INFINITY,
  ) {
    this.#broker = broker;
    this.#derive = derive;
    this.#topicsMax = topicsMax;
  }

  get(image: MetadataImage, topic: string): T {
    const maps = {
      topic: image.configOverrides('topic', topic),
      cluster: image.configOverrides('broker', ''),
      own: image.configOverrides('broker', String(this.#broker.nodeId)),
    };
    const hit = this.#cache.get(topic);
    if (hit !== undefined && hit.topic === maps.topic && hit.cluster === maps.cluster && hit.own === maps.own) {
      return hit.value;
    }
    const value = this.#derive(image, topic, this.#broker);
    if (this.#cache.size >= this.#topicsMax) this.#cache.clear();
    this.#cache.set(topic, { ...maps, value });
    return value;
  }

  /** Drops topics not in `topics` (no longer hosted here). */
  retain(topics: ReadonlySet<string>): void {
    this.#cache = new Map([...this.#cache].filter(([topic]) => topics.has(topic)));
  }
}

/** logConfigFor per topic (owned by PartitionManager, which `retain`s the topics it hosts). */
export class TopicLogConfigs extends TopicConfigMemo<LogConfig> {
  constructor(broker: BrokerConfig) {
    super(broker, logConfigFor);
  }
}

/**
 * What the produce handler checks a partition's batch against, per topic:
 * max.message.bytes, min.insync.replicas, cleanup.policy, the
 * message.timestamp.* settings and the broker's batch.decompressed.max.bytes,
 * resolved from the image's config layers. Recomputed only when one of the
 * config maps they come from changed (the image shares untouched maps), so
 * a produce pays a few map lookups, not a config resolution.
 * Owned by one produce handler; `rulesFor` results are read-only.
 */
import type { MetadataImage } from '@runnel/metadata';
import { effectiveBrokerConfig, effectiveTopicConfigs, topicLogConfig } from '@runnel/metadata';
import type { ProducedBatchContext } from '@runnel/protocol';
import type { BrokerConfig } from '../config.ts';
import { brokerLayers, TopicConfigMemo } from '../log-config.ts';

export interface ProduceTopicRules {
  readonly messageBytesMax: number;
  readonly minInsyncReplicas: number;
  /** The validator's context, less the request's version and the clock. */
  readonly batch: Omit<ProducedBatchContext, 'apiVersion' | 'nowMs'>;
}

/** Kafka's Long.MAX ("no bound") and anything past 2^53 as the largest exact number. */
function clamp(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/** The fallback when the broker value does not parse (never: the controller validated it). */
const DECOMPRESSED_BYTES_MAX_FALLBACK = 32 * 1024 * 1024;

/** The rules of one topic from the image's config layers. */
function deriveRules(image: MetadataImage, topic: string, broker: BrokerConfig): ProduceTopicRules {
  const layers = brokerLayers(image, broker);
  const c = topicLogConfig(effectiveTopicConfigs(image.configOverrides('topic', topic), layers));
  const ceiling = Number(effectiveBrokerConfig('batch.decompressed.max.bytes', layers));
  return {
    messageBytesMax: c.maxMessageBytes,
    minInsyncReplicas: c.minInsyncReplicas,
    batch: {
      timestampType: c.messageTimestampType,
      timestampBeforeMaxMs: clamp(c.messageTimestampBeforeMaxMs),
      timestampAfterMaxMs: clamp(c.messageTimestampAfterMaxMs),
      compacted: c.cleanupPolicy.compact,
      decompressedBytesMax: Number.isSafeInteger(ceiling) && ceiling > 0 ? ceiling : DECOMPRESSED_BYTES_MAX_FALLBACK,
    },
  };
}

/** Topics come and go: past this many the memo starts again. */
const TOPICS_CACHED_MAX = 10_000;

export class ProduceRulesCache {
  readonly #memo: TopicConfigMemo<ProduceTopicRules>;

  constructor(broker: BrokerConfig) {
    this.#memo = new TopicConfigMemo(broker, deriveRules, TOPICS_CACHED_MAX);
  }

  rulesFor(image: MetadataImage, topic: string): ProduceTopicRules {
    return this.#memo.get(image, topic);
  }
}

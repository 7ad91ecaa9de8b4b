/**
 * Config resources as Confluent's v3 shapes them, for the three kinds of
 * config owner: a topic (KafkaTopicConfig), one broker (KafkaBrokerConfig)
 * and the cluster-wide broker defaults (KafkaClusterConfig, config_type
 * BROKER). A sensitive value is never shown. Pure.
 */
import type { ConfigResourceKind, DescribedConfig } from '@runnel/client';
import { type Resource, resource, type V3Urls } from './v3-resources.ts';

export type ConfigOwner = { kind: 'topic'; topic: string } | { kind: 'broker'; brokerId: number } | { kind: 'cluster' };

/** The DescribeConfigs resource an owner is: a topic, a broker by id, or the default broker (""). */
export function configResourceOf(owner: ConfigOwner): { kind: ConfigResourceKind; name: string } {
  if (owner.kind === 'topic') return { kind: 'topic', name: owner.topic };
  if (owner.kind === 'broker') return { kind: 'broker', name: String(owner.brokerId) };
  return { kind: 'broker', name: '' };
}

/** The owner's configs collection URL segments. */
export function configsPath(owner: ConfigOwner): (string | number)[] {
  if (owner.kind === 'topic') return ['topics', owner.topic, 'configs'];
  if (owner.kind === 'broker') return ['brokers', owner.brokerId, 'configs'];
  return ['broker-configs'];
}

export function configListKind(owner: ConfigOwner): string {
  if (owner.kind === 'topic') return 'KafkaTopicConfigList';
  return owner.kind === 'broker' ? 'KafkaBrokerConfigList' : 'KafkaClusterConfigList';
}

/** Who the owner is in a message: `topic orders`, `broker 1`, `the cluster`. */
export function ownerName(owner: ConfigOwner): string {
  if (owner.kind === 'topic') return `topic ${owner.topic}`;
  return owner.kind === 'broker' ? `broker ${owner.brokerId}` : 'the cluster';
}

export function configData(urls: V3Urls, owner: ConfigOwner, config: DescribedConfig): Resource<object> {
  const self = urls.url(...configsPath(owner), config.name);
  const common = {
    cluster_id: urls.clusterId,
    name: config.name,
    value: config.sensitive ? null : config.value,
    is_default: config.isDefault,
    is_read_only: config.readOnly,
    is_sensitive: config.sensitive,
    source: config.source,
    synonyms: config.synonyms.map((s) => ({
      name: s.name,
      value: config.sensitive ? null : s.value,
      source: s.source,
    })),
  };
  if (owner.kind === 'topic')
    return resource('KafkaTopicConfig', self, urls.crn(`topic=${owner.topic}`, `config=${config.name}`), {
      ...common,
      topic_name: owner.topic,
    });
  if (owner.kind === 'broker')
    return resource('KafkaBrokerConfig', self, urls.crn(`broker=${owner.brokerId}`, `config=${config.name}`), {
      ...common,
      broker_id: owner.brokerId,
    });
  return resource('KafkaClusterConfig', self, urls.crn(`broker-config=${config.name}`), {
    ...common,
    config_type: 'BROKER',
  });
}

/** Configs in name order, as Kafka's admin tools list them. */
export function sortConfigs(configs: readonly DescribedConfig[]): DescribedConfig[] {
  return [...configs].sort((a, b) => a.name.localeCompare(b.name));
}

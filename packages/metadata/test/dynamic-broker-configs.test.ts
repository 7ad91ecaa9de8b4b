import {
  brokerConfigLayers,
  describeBrokerConfigs,
  describeClusterDefaultConfigs,
  describeTopicConfigs,
  effectiveBrokerConfig,
  effectiveTopicConfigs,
  topicLogConfig,
  validateDynamicBrokerConfigs,
  validateTopicConfigs,
} from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const entryOf = (entries: ReturnType<typeof describeTopicConfigs>, name: string) => {
  const e = entries.find((x) => x.name === name);
  if (e === undefined) throw new Error(`no entry ${name}`);
  return e;
};

describe('dynamic broker config layers', () => {
  const layers = brokerConfigLayers({
    static: { 'log.retention.hours': '24' },
    clusterDefault: { 'log.retention.ms': '7200000', 'num.partitions': '6' },
    perBroker: { 'log.retention.minutes': '5' },
  });

  it('a topic without an override takes this broker dynamic value first, with synonyms source by source', () => {
    const retention = entryOf(describeTopicConfigs({}, layers), 'retention.ms');
    expect(retention).toMatchObject({ value: '300000', source: 'DYNAMIC_BROKER_CONFIG', isDefault: false });
    expect(retention.synonyms.map((s) => [s.name, s.source])).toEqual([
      ['log.retention.minutes', 'DYNAMIC_BROKER_CONFIG'],
      ['log.retention.ms', 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
      ['log.retention.hours', 'STATIC_BROKER_CONFIG'],
      ['log.retention.hours', 'DEFAULT_CONFIG'],
    ]);
  });

  it('without a per-broker value the cluster default wins over the static config', () => {
    const cluster = brokerConfigLayers({
      static: { 'log.retention.hours': '24' },
      clusterDefault: { 'log.retention.ms': '7200000' },
    });
    expect(effectiveTopicConfigs({}, cluster)['retention.ms']).toBe('7200000');
    expect(entryOf(describeTopicConfigs({}, cluster), 'retention.ms').source).toBe('DYNAMIC_DEFAULT_BROKER_CONFIG');
  });

  it('a value nobody set is DEFAULT_CONFIG with isDefault, on topics and brokers alike', () => {
    const empty = brokerConfigLayers({});
    for (const e of describeTopicConfigs({}, empty))
      expect(e, e.name).toMatchObject({ source: 'DEFAULT_CONFIG', isDefault: true });
    const partitions = entryOf(describeBrokerConfigs(empty), 'num.partitions');
    expect(partitions).toMatchObject({ value: '1', source: 'DEFAULT_CONFIG', isDefault: true, type: 'int' });
    expect(entryOf(describeTopicConfigs({}, empty), 'flush.ms').value).toBe('9223372036854775807');
    expect(entryOf(describeTopicConfigs({}, empty), 'flush.messages').value).toBe('9223372036854775807');
  });

  it('the broker resource shows the cluster default as DYNAMIC_DEFAULT_BROKER_CONFIG', () => {
    expect(entryOf(describeBrokerConfigs(layers), 'num.partitions')).toMatchObject({
      value: '6',
      source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
    });
    expect(effectiveBrokerConfig('num.partitions', layers)).toBe('6');
  });

  it('the cluster-default resource lists only what is set there, without per-broker values', () => {
    const entries = describeClusterDefaultConfigs(layers);
    expect(entries.map((e) => e.name)).toEqual(['log.retention.ms', 'num.partitions']);
    const retention = entryOf(entries, 'log.retention.ms');
    expect(retention.source).toBe('DYNAMIC_DEFAULT_BROKER_CONFIG');
    expect(retention.synonyms.some((s) => s.source === 'DYNAMIC_BROKER_CONFIG')).toBe(false);
  });
});

describe('validateDynamicBrokerConfigs', () => {
  const check = (configs: Record<string, string>, perBroker: boolean) =>
    validateDynamicBrokerConfigs(configs, perBroker, new Set(Object.keys(configs)));

  it('accepts dynamic configs per broker and as the cluster default', () => {
    expect(check({ 'log.retention.ms': '1000', 'auto.create.topics.enable': 'false' }, true).ok).toBe(true);
    expect(check({ 'num.partitions': '3', 'min.insync.replicas': '2' }, false).ok).toBe(true);
  });

  it.each([
    ['a read-only config', { 'log.dirs': '/x' }, false, 'invalid_request', 'read-only'],
    ['an hour form of a retention synonym', { 'log.retention.hours': '72' }, false, 'invalid_request', 'read-only'],
    ['an hour form of a roll synonym', { 'log.roll.hours': '1' }, true, 'invalid_request', 'read-only'],
    ['a cluster-only config on one broker', { 'num.partitions': '3' }, true, 'invalid_request', 'cluster-wide'],
    ['a bad value', { 'log.retention.ms': 'soon' }, false, 'invalid_config', 'log.retention.ms'],
  ])('refuses %s with the reason', (_what, configs, perBroker, error, text) => {
    const result = check(configs, perBroker);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe(error);
      expect(result.message).toContain(text);
    }
  });

  it('accepts names no broker config has, per broker and as the cluster default, as Kafka does', () => {
    expect(check({ 'cleanup.policy': 'delete' }, true).ok).toBe(true);
    expect(check({ 'no.such.config': '1' }, false).ok).toBe(true);
  });

  it('leaves stored values the request does not set alone', () => {
    expect(
      validateDynamicBrokerConfigs({ 'log.dirs': '/x', 'log.retention.ms': '5' }, false, new Set(['log.retention.ms']))
        .ok,
    ).toBe(true);
  });
});

describe('legacy topic configs Kafka still accepts', () => {
  it('message.format.version, message.downconversion.enable and the 4.x tiered/compression keys are accepted', () => {
    expect(
      validateTopicConfigs({
        'message.format.version': '2.8-IV1',
        'message.downconversion.enable': 'false',
        'message.timestamp.difference.max.ms': '60000',
        'compression.zstd.level': '5',
        'local.retention.ms': '-2',
        'leader.replication.throttled.replicas': '*',
      }).ok,
    ).toBe(true);
    expect(validateTopicConfigs({ 'message.format.version': 'latest' }).ok).toBe(false);
    expect(validateTopicConfigs({ 'remote.storage.enable': 'true' }).ok).toBe(false);
  });

  it('message.timestamp.difference.max.ms bounds timestamps where before/after are left at Long.MAX', () => {
    const config = topicLogConfig(
      effectiveTopicConfigs({ 'message.timestamp.difference.max.ms': '60000' }, brokerConfigLayers({})),
    );
    expect(config.messageTimestampBeforeMaxMs).toBe(60000n);
    // after.max.ms defaults to one hour, not Long.MAX, so it keeps that default.
    expect(config.messageTimestampAfterMaxMs).toBe(3600000n);
  });
});

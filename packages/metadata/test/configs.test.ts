import {
  brokerConfigDefs,
  configSourceIds,
  configTypeIds,
  describeBrokerConfigs,
  describeTopicConfigs,
  effectiveTopicConfigs,
  topicConfigDefs,
  topicLogConfig,
  validateBrokerConfigs,
  validateTopicConfigs,
} from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const entryOf = (entries: ReturnType<typeof describeTopicConfigs>, name: string) => {
  const e = entries.find((x) => x.name === name);
  if (e === undefined) throw new Error(`no entry ${name}`);
  return e;
};

describe('validateTopicConfigs', () => {
  it('accepts well-formed known configs', () => {
    expect(
      validateTopicConfigs({
        'cleanup.policy': 'compact,delete',
        'retention.ms': '-1',
        'min.cleanable.dirty.ratio': '0.25',
        'unclean.leader.election.enable': 'TRUE',
        'compression.type': 'zstd',
      }),
    ).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['an unknown name', { 'retention.days': '1' }, 'retention.days'],
    ['a cleanup.policy outside delete/compact', { 'cleanup.policy': 'delete,forever' }, 'cleanup.policy'],
    ['a non-numeric retention.ms', { 'retention.ms': 'soon' }, 'retention.ms'],
    ['retention.ms below -1', { 'retention.ms': '-2' }, 'retention.ms'],
    ['min.insync.replicas of 0', { 'min.insync.replicas': '0' }, 'min.insync.replicas'],
    ['segment.bytes beyond int32', { 'segment.bytes': '4294967296' }, 'segment.bytes'],
    ['a dirty ratio above 1', { 'min.cleanable.dirty.ratio': '1.5' }, 'min.cleanable.dirty.ratio'],
    ['a bad boolean', { preallocate: 'yes' }, 'preallocate'],
    ['an unknown timestamp type', { 'message.timestamp.type': 'Now' }, 'message.timestamp.type'],
  ])('rejects %s with invalid_config naming the key', (_what, configs, key) => {
    const result = validateTopicConfigs(configs);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe('invalid_config');
      expect(result.message).toContain(key);
    }
  });

  it('validateBrokerConfigs ignores unknown names but rejects bad known values', () => {
    expect(validateBrokerConfigs({ 'some.plugin.setting': 'x', 'num.partitions': '3' }).ok).toBe(true);
    expect(validateBrokerConfigs({ 'log.retention.hours': 'week' }).ok).toBe(false);
  });
});

describe('describeTopicConfigs', () => {
  it('with nothing set, every value is the default and matches the broker-level default', () => {
    const entries = describeTopicConfigs(new Map(), {});
    const retention = entryOf(entries, 'retention.ms');
    expect(retention).toMatchObject({ value: '604800000', source: 'DEFAULT_CONFIG', isDefault: true, type: 'long' });
    expect(retention.synonyms).toEqual([{ name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' }]);
    expect(entryOf(entries, 'segment.ms').value).toBe('604800000');
    expect(entryOf(entries, 'max.message.bytes').value).toBe('1048588');
    expect(entryOf(entries, 'flush.ms').value).toBe('9223372036854775807');
    for (const e of entries) expect(e.documentation.length).toBeGreaterThan(0);
  });

  it('a broker static synonym wins over the default, converted from hours', () => {
    const retention = entryOf(describeTopicConfigs(new Map(), { 'log.retention.hours': '1' }), 'retention.ms');
    expect(retention).toMatchObject({ value: '3600000', source: 'STATIC_BROKER_CONFIG', isDefault: false });
    expect(retention.synonyms[0]).toEqual({ name: 'log.retention.hours', value: '1', source: 'STATIC_BROKER_CONFIG' });
  });

  it('log.retention.ms wins over log.retention.hours, and -1 hours means forever', () => {
    const both = describeTopicConfigs({}, { 'log.retention.hours': '1', 'log.retention.ms': '5' });
    expect(entryOf(both, 'retention.ms').value).toBe('5');
    expect(entryOf(describeTopicConfigs({}, { 'log.retention.hours': '-1' }), 'retention.ms').value).toBe('-1');
  });

  it('a topic override wins over everything and lists the lower sources as synonyms', () => {
    const overrides = new Map([['retention.ms', '42']]);
    const retention = entryOf(describeTopicConfigs(overrides, { 'log.retention.hours': '1' }), 'retention.ms');
    expect(retention.value).toBe('42');
    expect(retention.source).toBe('DYNAMIC_TOPIC_CONFIG');
    expect(retention.synonyms.map((s) => s.source)).toEqual([
      'DYNAMIC_TOPIC_CONFIG',
      'STATIC_BROKER_CONFIG',
      'DEFAULT_CONFIG',
    ]);
  });

  it('effectiveTopicConfigs feeds topicLogConfig typed values', () => {
    const effective = effectiveTopicConfigs(new Map([['cleanup.policy', 'compact']]), { 'log.segment.bytes': '1024' });
    const config = topicLogConfig(effective);
    expect(config.cleanupPolicy).toEqual({ delete: false, compact: true });
    expect(config.segmentBytes).toBe(1024);
    expect(config.retentionMs).toBe(604_800_000n);
    expect(config.flushMessages).toBe(2n ** 63n - 1n);
    expect(config.minCleanableDirtyRatio).toBe(0.5);
    expect(config.messageTimestampType).toBe('CreateTime');
    expect(config.uncleanLeaderElectionEnable).toBe(false);
  });
});

describe('describeBrokerConfigs', () => {
  it('reports static values, defaults, read-only flags and hides sensitive values', () => {
    const entries = describeBrokerConfigs({ 'num.partitions': '3', 'ssl.keystore.password': 'secret' });
    expect(entryOf(entries, 'num.partitions')).toMatchObject({
      value: '3',
      source: 'STATIC_BROKER_CONFIG',
      readOnly: false,
    });
    expect(entryOf(entries, 'log.dirs')).toMatchObject({ readOnly: true });
    expect(entryOf(entries, 'log.retention.hours')).toMatchObject({
      value: '168',
      source: 'DEFAULT_CONFIG',
      isDefault: true,
    });
    expect(entryOf(entries, 'message.max.bytes')).toMatchObject({ value: '1048588', readOnly: false });
    const password = entryOf(entries, 'ssl.keystore.password');
    expect(password).toMatchObject({ value: null, sensitive: true, type: 'password' });
    expect(password.synonyms.every((s) => s.value === null)).toBe(true);
  });

  it('the Kafka defaults the brief pins are in place', () => {
    const values = Object.fromEntries(describeBrokerConfigs({}).map((e) => [e.name, e.value]));
    expect(values).toMatchObject({
      'num.partitions': '1',
      'default.replication.factor': '1',
      'auto.create.topics.enable': 'true',
      'min.insync.replicas': '1',
      'message.max.bytes': '1048588',
      'log.retention.hours': '168',
      'log.retention.bytes': '-1',
      'log.segment.bytes': '1073741824',
      'log.roll.hours': '168',
      'log.index.interval.bytes': '4096',
      'socket.request.max.bytes': '104857600',
      'compression.type': 'producer',
      'unclean.leader.election.enable': 'false',
      'log.cleanup.policy': 'delete',
      'delete.topic.enable': 'true',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.num.partitions': '50',
      'transaction.state.log.min.isr': '2',
      'transaction.max.timeout.ms': '900000',
      'transactional.id.expiration.ms': '604800000',
    });
  });
});

describe('config registry', () => {
  it('lists topic and broker configs sorted by name without duplicates', () => {
    for (const defs of [topicConfigDefs, brokerConfigDefs]) {
      const names = defs.map((d) => d.name);
      expect(names).toEqual([...names].sort());
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('every topic config default is valid and every broker synonym is a known broker config', () => {
    const brokerNames = new Set(brokerConfigDefs.map((d) => d.name));
    for (const d of topicConfigDefs) {
      if (d.default !== null) expect(validateTopicConfigs({ [d.name]: d.default }).ok).toBe(true);
      for (const s of d.synonyms) expect(brokerNames, `${d.name} -> ${s.name}`).toContain(s.name);
    }
  });

  it('topic defaults equal the defaults reached through their broker synonyms', () => {
    for (const e of describeTopicConfigs({}, {})) {
      const d = topicConfigDefs.find((x) => x.name === e.name);
      expect(e.value, e.name).toBe(d?.default);
    }
  });

  it('uses the DescribeConfigs wire ids for sources and types', () => {
    expect(configSourceIds).toMatchObject({
      DYNAMIC_TOPIC_CONFIG: 1,
      DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
      DYNAMIC_BROKER_LOGGER_CONFIG: 6,
      DYNAMIC_BROKER_CONFIG: 2,
      STATIC_BROKER_CONFIG: 4,
      DEFAULT_CONFIG: 5,
    });
    expect(configTypeIds).toMatchObject({
      boolean: 1,
      string: 2,
      int: 3,
      short: 4,
      long: 5,
      double: 6,
      list: 7,
      password: 9,
    });
  });
});

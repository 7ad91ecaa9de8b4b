import { createLogger } from '@runnel/common';
import {
  brokerConfigDefsByName,
  MetadataImage,
  type MetadataRecord,
  replayBatch,
  validateDynamicBrokerConfigs,
} from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig, kafkaNamedValues, staticKafkaConfig } from '../src/config.ts';
import { listenerAdmission, runtimeBrokerSettings } from '../src/dynamic-config.ts';
import { brokerLayers, logConfigFor, TopicLogConfigs, topicLimits } from '../src/log-config.ts';
import { checkLoggerChange, LoggerLevels } from '../src/logger-levels.ts';

function withRecords(records: MetadataRecord[]): MetadataImage {
  return replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
}

const brokerConfigRecord = (resourceName: string, name: string, value: string): MetadataRecord => ({
  type: 'config',
  resourceType: 'broker',
  resourceName,
  name,
  value,
});

describe('static broker config', () => {
  it("Runnel's defaults are the registry's defaults, so a value nobody set is reported as what is applied", () => {
    for (const [, name, value] of kafkaNamedValues(defaultBrokerConfig)) {
      const dflt = brokerConfigDefsByName.get(name)?.default ?? null;
      if (dflt !== null) expect(value, name).toBe(dflt);
    }
  });

  it('reports only what the starter changed (plus identity), with "never" as Long.MAX_VALUE', () => {
    expect(staticKafkaConfig(defaultBrokerConfig)).toEqual({
      'node.id': '1',
      'broker.id': '1',
      'log.dirs': defaultBrokerConfig.dataDir,
    });
    const changed = staticKafkaConfig({ ...defaultBrokerConfig, numPartitions: 4, logFlushIntervalMessages: 1 });
    expect(changed).toMatchObject({ 'num.partitions': '4', 'log.flush.interval.messages': '1' });
  });
});

describe('dynamic broker configs at run time', () => {
  it('a cluster default changes the log config of a topic without an override; a topic override still wins', () => {
    const image = withRecords([
      brokerConfigRecord('', 'log.retention.ms', '1000'),
      brokerConfigRecord('', 'log.segment.bytes', '4096'),
      { type: 'config', resourceType: 'topic', resourceName: 'kept', name: 'retention.ms', value: '-1' },
    ]);
    expect(logConfigFor(MetadataImage.empty, 'plain', defaultBrokerConfig).retentionMs).toBe(604_800_000);
    expect(logConfigFor(image, 'plain', defaultBrokerConfig)).toMatchObject({ retentionMs: 1000, segmentBytes: 4096 });
    expect(logConfigFor(image, 'kept', defaultBrokerConfig).retentionMs).toBe(-1);
    expect(logConfigFor(image, 'plain', defaultBrokerConfig).flushMessages).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("this broker's own dynamic value wins over the cluster default; another broker's does not apply", () => {
    const image = withRecords([
      brokerConfigRecord('', 'message.max.bytes', '2000'),
      brokerConfigRecord('1', 'message.max.bytes', '3000'),
      brokerConfigRecord('2', 'message.max.bytes', '4000'),
    ]);
    expect(topicLimits(image, 't', defaultBrokerConfig).messageBytesMax).toBe(3000);
    expect(topicLimits(image, 't', { ...defaultBrokerConfig, nodeId: 3 }).messageBytesMax).toBe(2000);
  });

  it("runtime settings follow the layers; Kafka's unlimited throttle is Runnel's 0", () => {
    const base = runtimeBrokerSettings(brokerLayers(MetadataImage.empty, defaultBrokerConfig));
    expect(base).toEqual({
      autoCreateTopics: true,
      connectionsMax: 10_000,
      connectionsPerIpMax: 1000,
      connectionsPerIpOverrides: '',
      connectionCreationRateMax: 2_147_483_647,
      replicaFetchWaitMaxMs: 500,
      replicaFetchResponseBytesMax: 10_485_760,
      followerThrottleBytesPerSec: 0,
    });
    const image = withRecords([
      brokerConfigRecord('1', 'auto.create.topics.enable', 'false'),
      brokerConfigRecord('', 'follower.replication.throttled.rate', '1048576'),
      brokerConfigRecord('', 'max.connections', '5'),
    ]);
    expect(runtimeBrokerSettings(brokerLayers(image, defaultBrokerConfig))).toMatchObject({
      autoCreateTopics: false,
      connectionsMax: 5,
      followerThrottleBytesPerSec: 1_048_576,
    });
  });

  it('the connection limits are dynamic: a cluster-wide per-IP override list reaches the listener parsed', () => {
    const image = withRecords([
      brokerConfigRecord('', 'max.connections.per.ip', '50'),
      brokerConfigRecord('', 'max.connections.per.ip.overrides', '127.0.0.2:3,::1:7'),
      brokerConfigRecord('1', 'max.connection.creation.rate', '20'),
    ]);
    const limits = listenerAdmission(runtimeBrokerSettings(brokerLayers(image, defaultBrokerConfig)));
    expect(limits).toEqual({
      connectionsMax: 10_000,
      connectionsPerIpMax: 50,
      connectionsPerIpOverrides: new Map([
        ['127.0.0.2', 3],
        ['::1', 7],
      ]),
      connectionCreationRateMax: 20,
    });
  });

  it('connections.max.idle.ms and the request read timeout are static, under their names in DescribeConfigs', () => {
    const changed = staticKafkaConfig({ ...defaultBrokerConfig, connectionsMaxIdleMs: 500, requestReadTimeoutMs: 200 });
    expect(changed).toMatchObject({ 'connections.max.idle.ms': '500', 'runnel.request.read.timeout.ms': '200' });
    expect(brokerConfigDefsByName.get('connections.max.idle.ms')?.readOnly).toBe(true);
    expect(brokerConfigDefsByName.get('max.connections.per.ip.overrides')?.readOnly).toBe(false);
  });

  it('AlterConfigs takes a well-formed override list, refuses a malformed one and the static connection limits', () => {
    const alter = (name: string, value: string) =>
      validateDynamicBrokerConfigs({ [name]: value }, true, new Set([name]));
    expect(alter('max.connections.per.ip.overrides', '10.0.0.7:50, ::1:200,[fe80::1]:3').ok).toBe(true);
    expect(alter('max.connections.per.ip.overrides', '').ok).toBe(true);
    const malformed = alter('max.connections.per.ip.overrides', '10.0.0.7');
    expect(!malformed.ok && malformed.error).toBe('invalid_config');
    const idle = alter('connections.max.idle.ms', '1000');
    expect(!idle.ok && idle.error).toBe('invalid_request');
    expect(alter('max.connection.creation.rate', '-1').ok).toBe(false);
    expect(alter('max.connections.per.ip', '0').ok).toBe(false);
    const withOverrides = { 'max.connections.per.ip': '0', 'max.connections.per.ip.overrides': '10.0.0.1:5' };
    expect(validateDynamicBrokerConfigs(withOverrides, true, new Set(['max.connections.per.ip'])).ok).toBe(true);
  });
});

describe('broker loggers', () => {
  const known = new Set(['root', 'offsets-store']);

  it.each([
    ['append', 'root', 'append', 'DEBUG', 'invalid_request'],
    ['an unknown logger', 'nope', 'set', 'DEBUG', 'invalid_config'],
    ['an unknown level', 'root', 'set', 'LOUD', 'invalid_config'],
    ["deleting root's level", 'root', 'delete', null, 'invalid_request'],
  ])('refuses %s', (_what, name, op, value, error) => {
    expect(checkLoggerChange(known, name, op, value)?.error).toBe(error);
  });

  it('setting root changes every logger without its own level; a deleted level follows root again', () => {
    const root = createLogger({ level: 'info', format: 'json' });
    const levels = new LoggerLevels(root);
    const store = root.child({ component: 'offsets-store' });
    expect(levels.describe()).toEqual([
      { name: 'root', level: 'INFO' },
      { name: 'offsets-store', level: 'INFO' },
    ]);
    levels.apply('offsets-store', { op: 'set', level: 'trace' });
    levels.apply('root', { op: 'set', level: 'WARN' });
    expect([root.level, store.level]).toEqual(['warn', 'trace']);
    levels.apply('offsets-store', { op: 'delete' });
    levels.apply('root', { op: 'set', level: 'ERROR' });
    expect(store.level).toBe('error');
    expect(checkLoggerChange(levels.names(), 'offsets-store', 'set', 'OFF')).toBeNull();
  });
});

describe('TopicLogConfigs', () => {
  it('recomputes a topic only when its overrides or the broker layers changed', () => {
    const configs = new TopicLogConfigs(defaultBrokerConfig);
    const first = withRecords([brokerConfigRecord('', 'log.retention.ms', '1000')]);
    const a = configs.get(first, 't');
    // A record of another topic leaves this topic's maps as they were: the same object comes back.
    const unrelated = replayBatch(
      first,
      [{ type: 'config', resourceType: 'topic', resourceName: 'u', name: 'retention.ms', value: '5' }],
      1n,
    );
    expect(configs.get(unrelated, 't')).toBe(a);
    const changed = replayBatch(unrelated, [brokerConfigRecord('', 'log.retention.ms', '2000')], 2n);
    expect(configs.get(changed, 't').retentionMs).toBe(2000);
  });
});

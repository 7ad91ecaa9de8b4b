/**
 * Dynamic broker configs and Kafka's config sources, from real clients
 * against a real `runnel dev` process: kafkajs 2.2.4 (DescribeConfigs with
 * synonyms, legacy AlterConfigs on a broker resource, names Kafka stores
 * unused included), @platformatic/kafka (DescribeConfigs v4, IncrementalAlterConfigs on
 * BROKER and BROKER_LOGGER), confluent-kafka-python (librdkafka) and
 * @runnel/client. Changes take effect without a restart (a produce past a
 * lowered message.max.bytes fails, a topic created without a count gets
 * the new num.partitions) and survive one (they are in the metadata log).
 */
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  IncrementalAlterConfigOperationTypes as Op,
} from '@platformatic/kafka';
import { ConfigAdmin, KafkaClient } from '@runnel/client';
import { Kafka, ConfigResourceTypes as KafkaJsResourceTypes, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { PythonClient } from '../harness/python-client.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'dynamic-configs', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Error codes anywhere in a rejected client call (clients nest them differently). */
function errorCodes(error: unknown): number[] {
  const codes: number[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 4 || typeof e !== 'object' || e === null) return;
    const r = e as Record<string, unknown>;
    for (const key of ['code', 'errorCode', 'apiCode']) if (typeof r[key] === 'number') codes.push(r[key]);
    for (const key of ['errors', 'cause', 'response']) {
      const inner = r[key];
      if (Array.isArray(inner)) for (const i of inner) visit(i, depth + 1);
      else if (inner !== null && typeof inner === 'object') {
        visit(inner, depth + 1);
        for (const v of Object.values(inner)) visit(v, depth + 1);
      }
    }
  };
  visit(error, 0);
  return codes;
}

async function describeBroker(admin: Admin, name: string) {
  const [described] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: name }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  return (key: string) => described?.configs.find((c) => c.name === key);
}

describe('kafkajs 2.2.4 describeConfigs', () => {
  it('reports values nobody set as DEFAULT_CONFIG with isDefault, and a topic override as DYNAMIC_TOPIC_CONFIG', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'dyn-sources', numPartitions: 1 }] });
      const readTopic = async () => {
        const { resources } = await admin.describeConfigs({
          includeSynonyms: true,
          resources: [{ type: KafkaJsResourceTypes.TOPIC, name: 'dyn-sources' }],
        });
        return (name: string) => resources[0]?.configEntries.find((e) => e.configName === name);
      };
      const initial = await readTopic();
      expect(initial('retention.ms')).toMatchObject({ configValue: '604800000', isDefault: true, configSource: 5 });
      expect(initial('flush.messages')).toMatchObject({ configValue: '9223372036854775807', configSource: 5 });
      expect(initial('retention.ms')?.configSynonyms.map((s) => [s.configName, s.configSource])).toEqual([
        ['log.retention.hours', 5],
      ]);
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: KafkaJsResourceTypes.TOPIC,
            name: 'dyn-sources',
            configEntries: [{ name: 'retention.ms', value: '60000' }],
          },
        ],
      });
      const changed = await readTopic();
      expect(changed('retention.ms')).toMatchObject({ configValue: '60000', isDefault: false, configSource: 1 });
      expect(changed('retention.ms')?.configSynonyms.map((s) => s.configSource)).toEqual([1, 5]);

      const { resources } = await admin.describeConfigs({
        includeSynonyms: true,
        resources: [{ type: KafkaJsResourceTypes.BROKER, name: '1' }],
      });
      const broker = (name: string) => resources[0]?.configEntries.find((e) => e.configName === name);
      expect(broker('num.partitions')).toMatchObject({ configValue: '1', isDefault: true, configSource: 5 });
      expect(broker('log.dirs')).toMatchObject({ configSource: 4, readOnly: true });
    } finally {
      await admin.disconnect();
    }
  });
});

describe('confluent-kafka-python (librdkafka) broker configs', () => {
  it('describe_configs on a broker shows sources; alter_configs on the broker stores a dynamic broker config', async () => {
    const client = new PythonClient('configs_admin.py', [dev.bootstrap, '1']);
    const code = await client.exited;
    expect(code, client.stderr).toBe(0);
    const events = client.events();
    expect(events.find((e) => e.event === 'described')).toMatchObject({
      'num.partitions': { value: '1', source: 5, is_default: true },
      'log.dirs': { source: 4, read_only: true },
    });
    expect(events.find((e) => e.event === 'described-after')).toMatchObject({
      'log.retention.ms': { value: '3600000', source: 2, is_default: false },
    });
  });
});

describe('dynamic broker configs at run time', () => {
  it('kafkajs alterConfigs on a broker lowers message.max.bytes for topics without an override at once', async () => {
    const admin = kafka.admin();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await admin.connect();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'dyn-limits', numPartitions: 1 }] });
      const big = 'x'.repeat(4000);
      await producer.send({ topic: 'dyn-limits', messages: [{ value: big }] });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: KafkaJsResourceTypes.BROKER,
            name: '1',
            configEntries: [{ name: 'message.max.bytes', value: '1024' }],
          },
        ],
      });
      const refused = await rejection(producer.send({ topic: 'dyn-limits', messages: [{ value: big }] }));
      expect(errorCodes(refused).length > 0 || String(refused).includes('MESSAGE_TOO_LARGE'), String(refused)).toBe(
        true,
      );
      expect(String((refused as { type?: string }).type ?? refused)).toContain('MESSAGE_TOO_LARGE');
      const { resources } = await admin.describeConfigs({
        includeSynonyms: true,
        resources: [{ type: KafkaJsResourceTypes.TOPIC, name: 'dyn-limits', configNames: ['max.message.bytes'] }],
      });
      expect(resources[0]?.configEntries[0]).toMatchObject({ configValue: '1024', configSource: 2, isDefault: false });
      // Legacy AlterConfigs replaces the resource's whole set: an empty set removes the broker's values again.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: KafkaJsResourceTypes.BROKER, name: '1', configEntries: [] }],
      });
      await producer.send({ topic: 'dyn-limits', messages: [{ value: big }] });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('kafkajs alterConfigs with a topic-level name on a broker resource succeeds beside a topic resource and leaves topics alone', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'dyn-mixed', numPartitions: 1 }] });
      // Kafka refuses only the broker configs it knows to be static: other names are stored unused.
      // kafkajs types alterConfigs' answer as any; this is the part read here.
      const altered: { resources: { errorCode: number }[] } = await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: KafkaJsResourceTypes.TOPIC,
            name: 'dyn-mixed',
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
          {
            type: KafkaJsResourceTypes.BROKER,
            name: '1',
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      expect(altered.resources.map((r) => r.errorCode)).toEqual([0, 0]);
      // cleanup.policy is no broker config (log.cleanup.policy is): a new topic keeps the default.
      await admin.createTopics({ topics: [{ topic: 'dyn-mixed-after', numPartitions: 1 }] });
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: KafkaJsResourceTypes.TOPIC, name: 'dyn-mixed', configNames: ['cleanup.policy'] },
          { type: KafkaJsResourceTypes.TOPIC, name: 'dyn-mixed-after', configNames: ['cleanup.policy'] },
        ],
      });
      expect(described.resources.map((r) => r.configEntries[0]?.configValue)).toEqual(['compact', 'delete']);
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: KafkaJsResourceTypes.BROKER, name: '1', configEntries: [] }],
      });
    } finally {
      await admin.disconnect();
    }
  });

  it('a topic created without a partition count gets the dynamic num.partitions, as DescribeConfigs reports it', async () => {
    const admin = new Admin({ clientId: 'dyn-partitions', bootstrapBrokers: [dev.bootstrap] });
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    try {
      // kafkajs, librdkafka and @platformatic/kafka refuse the empty name of the cluster-default resource; ours sends it.
      const set = await new ConfigAdmin(client).alter('broker', '', [
        { name: 'num.partitions', op: 'set', value: '3' },
      ]);
      expect(set).toMatchObject({ errorCode: 0 });
      const config = await describeBroker(admin, '1');
      expect(config('num.partitions')).toMatchObject({
        value: '3',
        configSource: ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG,
        configType: 3,
      });
      expect(config('num.partitions')?.documentation).toContain('Partition count');
      const [created] = await client.createTopics([{ name: 'dyn-default-count' }]);
      expect(created?.errorCode).toBe(0);
      const metadata = await client.metadata(['dyn-default-count']);
      expect(metadata.topics[0]?.partitions.length).toBe(3);
    } finally {
      client.close();
      await admin.close();
    }
  });

  it('per-broker auto.create.topics.enable=false stops auto-creation at once; read-only and cluster-only configs are refused', async () => {
    const admin = new Admin({ clientId: 'dyn-refusals', bootstrapBrokers: [dev.bootstrap] });
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    try {
      const set = (name: string, configName: string, value: string) =>
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.BROKER,
              resourceName: name,
              configs: [{ name: configName, configOperation: Op.SET, value }],
            },
          ],
        });
      await set('1', 'auto.create.topics.enable', 'false');
      const metadata = await client.metadata(['dyn-not-created'], { allowAutoTopicCreation: true });
      expect(metadata.topics[0]?.errorCode).toBe(3);
      expect(errorCodes(await rejection(set('1', 'log.dirs', '/elsewhere')))).toContain(42);
      expect(errorCodes(await rejection(set('1', 'num.partitions', '2')))).toContain(42);
      expect(errorCodes(await rejection(set('1', 'log.retention.ms', 'soon')))).toContain(40);
    } finally {
      client.close();
      await admin.close();
    }
  });

  it('BROKER_LOGGER: describe lists root; setting DEBUG changes the running broker; bad changes are refused', async () => {
    const admin = new Admin({ clientId: 'dyn-loggers', bootstrapBrokers: [dev.bootstrap] });
    try {
      const loggers = async () => {
        const [described] = await admin.describeConfigs({
          resources: [{ resourceType: ConfigResourceTypes.BROKER_LOGGER, resourceName: '1' }],
        });
        return described?.configs ?? [];
      };
      expect((await loggers()).find((c) => c.name === 'root')).toMatchObject({
        value: 'INFO',
        configSource: ConfigSources.DYNAMIC_BROKER_LOGGER_CONFIG,
      });
      type LoggerConfig = Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][number]['configs'][number];
      const alter = (name: string, configOperation: (typeof Op)[keyof typeof Op], value?: string) =>
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.BROKER_LOGGER,
              resourceName: '1',
              // The client types a delete apart from the rest; the broker must refuse what they allow.
              configs: [{ name, configOperation, ...(value === undefined ? {} : { value }) } as LoggerConfig],
            },
          ],
        });
      const debugLines = () => dev.logs.filter((l) => l.msg === 'describe configs').length;
      await describeBroker(admin, '1');
      expect(debugLines()).toBe(0);
      await alter('root', Op.SET, 'DEBUG');
      expect((await loggers()).find((c) => c.name === 'root')?.value).toBe('DEBUG');
      // The running broker now writes the debug line it skipped at INFO.
      await waitFor(() => debugLines() > 0);
      await alter('root', Op.SET, 'INFO');
      expect(errorCodes(await rejection(alter('root', Op.APPEND, 'DEBUG')))).toContain(42);
      expect(errorCodes(await rejection(alter('no.such.logger', Op.SET, 'DEBUG')))).toContain(40);
      expect(errorCodes(await rejection(alter('root', Op.SET, 'LOUD')))).toContain(40);
      expect(errorCodes(await rejection(alter('root', Op.DELETE)))).toContain(42);
    } finally {
      await admin.close();
    }
  });

  it('dynamic broker configs survive kill -9 and a restart: they are committed records in the metadata log', async () => {
    await dev.kill('SIGKILL');
    await dev.restart();
    const admin = new Admin({ clientId: 'dyn-restart', bootstrapBrokers: [dev.bootstrap] });
    try {
      const config = await describeBroker(admin, '1');
      expect(config('num.partitions')).toMatchObject({
        value: '3',
        configSource: ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG,
      });
      expect(config('auto.create.topics.enable')).toMatchObject({
        value: 'false',
        configSource: ConfigSources.DYNAMIC_BROKER_CONFIG,
      });
    } finally {
      await admin.close();
    }
  });
});

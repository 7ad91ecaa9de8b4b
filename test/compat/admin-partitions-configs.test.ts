/**
 * CreatePartitions, AlterConfigs, IncrementalAlterConfigs and DescribeCluster
 * from real clients (kafkajs 2.2.4, @platformatic/kafka) against a real
 * `runnel dev` process: partitions grow and clients see them, config changes
 * show up in DescribeConfigs as topic overrides, and refusals come back as
 * Kafka's error codes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  Connection,
  describeClusterV1,
  IncrementalAlterConfigOperationTypes,
  type IncrementalAlterConfigOperationTypeValue,
} from '@platformatic/kafka';
import { Kafka, ConfigResourceTypes as KafkaJsResourceTypes, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';

let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'admin-compat', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

/** The Kafka error code a rejected client call carried, wherever the client put it. */
function errorCodes(error: unknown): number[] {
  const codes: number[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 4 || typeof e !== 'object' || e === null) return;
    const r = e as Record<string, unknown>;
    for (const key of ['code', 'errorCode', 'apiCode']) {
      if (typeof r[key] === 'number') codes.push(r[key]);
    }
    for (const key of ['errors', 'cause']) {
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

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('kafkajs 2.2.4 admin', () => {
  it('createPartitions grows a topic from 1 to 3 and the new partitions show in metadata', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 1 }] });
      await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 3 }] });
      const metadata = await admin.fetchTopicMetadata({ topics: ['kjs-grow'] });
      expect(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      for (const p of metadata.topics[0]?.partitions ?? []) expect(p.leader).toBeGreaterThanOrEqual(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('createPartitions to fewer partitions fails with INVALID_PARTITIONS; an unknown topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'kjs-shrink', numPartitions: 2 }] });
      const shrink = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'kjs-shrink', count: 1 }] }));
      expect(errorCodes(shrink)).toContain(37);
      const unknown = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'kjs-none', count: 2 }] }));
      expect(errorCodes(unknown)).toContain(3);
    } finally {
      await admin.disconnect();
    }
  });

  it('alterConfigs sets retention.ms; describeConfigs then shows it with source TOPIC_CONFIG; a bad value fails with INVALID_CONFIG', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: 'kjs-configs', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: KafkaJsResourceTypes.TOPIC,
            name: 'kjs-configs',
            configEntries: [{ name: 'retention.ms', value: '7200000' }],
          },
        ],
      });
      const described = await admin.describeConfigs({
        resources: [{ type: KafkaJsResourceTypes.TOPIC, name: 'kjs-configs' }],
        includeSynonyms: false,
      });
      const entries = described.resources[0]?.configEntries ?? [];
      const retention = entries.find((e) => e.configName === 'retention.ms');
      expect(retention?.configValue).toBe('7200000');
      expect(retention?.configSource).toBe(1); // TOPIC_CONFIG
      // The legacy API replaces the whole set: the unlisted cleanup.policy override is gone.
      const cleanup = entries.find((e) => e.configName === 'cleanup.policy');
      expect(cleanup?.configValue).toBe('delete');
      expect(cleanup?.configSource).not.toBe(1);

      const bad = await rejection(
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: KafkaJsResourceTypes.TOPIC,
              name: 'kjs-configs',
              configEntries: [{ name: 'retention.ms', value: 'soon' }],
            },
          ],
        }),
      );
      expect(errorCodes(bad)).toContain(40);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('@platformatic/kafka admin', () => {
  it('createPartitions grows a topic and listed partitions follow', async () => {
    const admin = new Admin({ clientId: 'plt-grow', bootstrapBrokers: [dev.bootstrap] });
    try {
      await admin.createTopics({ topics: ['plt-grow'], partitions: 1, replicas: 1 });
      await admin.createPartitions({ topics: [{ name: 'plt-grow', count: 4 }] });
      const metadata = await admin.metadata({ topics: ['plt-grow'] });
      expect(metadata.topics.get('plt-grow')?.partitionsCount).toBe(4);
      const shrink = await rejection(admin.createPartitions({ topics: [{ name: 'plt-grow', count: 2 }] }));
      expect(errorCodes(shrink)).toContain(37);
    } finally {
      await admin.close();
    }
  });

  it('incrementalAlterConfigs sets and deletes keys, leaving others; a bad value fails with INVALID_CONFIG', async () => {
    const admin = new Admin({ clientId: 'plt-configs', bootstrapBrokers: [dev.bootstrap] });
    try {
      await admin.createTopics({
        topics: ['plt-configs'],
        partitions: 1,
        replicas: 1,
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: '1048576' },
        ],
      });
      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: 'plt-configs',
            configs: [
              { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '60000' },
              { name: 'segment.bytes', configOperation: IncrementalAlterConfigOperationTypes.DELETE },
            ],
          },
        ],
      });
      const [described] = await admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-configs' }],
      });
      const config = (name: string) => described?.configs.find((c) => c.name === name);
      expect(config('retention.ms')?.value).toBe('60000');
      expect(config('retention.ms')?.configSource).toBe(ConfigSources.DYNAMIC_TOPIC_CONFIG);
      expect(config('cleanup.policy')?.value).toBe('compact');
      expect(config('segment.bytes')?.configSource).not.toBe(ConfigSources.DYNAMIC_TOPIC_CONFIG);

      const bad = await rejection(
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: 'plt-configs',
              configs: [
                { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'x' },
              ],
            },
          ],
        }),
      );
      expect(errorCodes(bad)).toContain(40);
      const unknown = await rejection(
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: 'plt-none',
              configs: [
                { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1' },
              ],
            },
          ],
        }),
      );
      expect(errorCodes(unknown)).toContain(3);
    } finally {
      await admin.close();
    }
  });

  it('incrementalAlterConfigs APPEND to an unset cleanup.policy gives "delete,compact"; APPEND to a non-LIST config is INVALID_CONFIG', async () => {
    const admin = new Admin({ clientId: 'plt-list-ops', bootstrapBrokers: [dev.bootstrap] });
    const Op = IncrementalAlterConfigOperationTypes;
    const alter = (name: string, configOperation: IncrementalAlterConfigOperationTypeValue, value: string) =>
      admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: 'plt-list-ops',
            configs: [{ name, configOperation, value }],
          },
        ],
      });
    const cleanupPolicy = async () => {
      const [described] = await admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: 'plt-list-ops',
            configurationKeys: ['cleanup.policy'],
          },
        ],
      });
      return described?.configs[0]?.value;
    };
    try {
      await admin.createTopics({ topics: ['plt-list-ops'], partitions: 1, replicas: 1 });
      await alter('cleanup.policy', Op.APPEND, 'compact');
      expect(await cleanupPolicy()).toBe('delete,compact');
      await alter('cleanup.policy', Op.SUBTRACT, 'compact');
      expect(await cleanupPolicy()).toBe('delete');
      expect(errorCodes(await rejection(alter('compression.type', Op.APPEND, 'gzip')))).toContain(40);
    } finally {
      await admin.close();
    }
  });

  it('DescribeCluster v1 names this broker as controller, lists it, and leaves authorized operations unset', async () => {
    const connection = new Connection('plt-describe-cluster');
    const [host, port] = dev.bootstrap.split(':');
    await connection.connect(host ?? '127.0.0.1', Number(port));
    try {
      const response = await describeClusterV1.api.async(connection, false, 1);
      expect(response.errorCode).toBe(0);
      // The quorum's id, the one the broker keeps in its data directory: not something it made up per call.
      const meta = await readFile(join(dev.dataDir, 'broker-1', 'meta.properties'), 'utf8');
      expect(response.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(meta).toContain(`cluster.id=${response.clusterId}\n`);
      expect(response.brokers.map((b) => [b.brokerId, b.port])).toEqual([[response.controllerId, Number(port)]]);
      expect(response.clusterAuthorizedOperations).toBe(-2147483648);
    } finally {
      await connection.close();
    }
  });
});

/**
 * Compatibility matrix, kafkajs 2.2.4: every operation of the catalogue the
 * client exposes, against a real `runnel dev` process.
 */
import { CompressionTypes, ConfigResourceTypes, type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { waitFor } from '../../harness/wait.ts';
import { matrixDevArgs, matrixFor } from './cell.ts';

const cell = matrixFor('kafkajs');
let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start({ args: matrixDevArgs });
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'matrix-kafkajs', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function withAdmin<T>(fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true }));
}

async function produce(
  topic: string,
  values: readonly string[],
  options: { idempotent?: boolean } = {},
): Promise<void> {
  const producer = kafka.producer(options.idempotent === true ? { idempotent: true, maxInFlightRequests: 1 } : {});
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ key: value, value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Runs a group consumer until `count` records arrived; returns their values. */
async function consumeGroup(topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    await waitFor(() => values.length >= count, { what: `${count} records from ${topic}`, timeoutMs: 30_000 });
    await waitFor(
      async () => {
        const committed = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
        return committed[0]?.partitions.every((p) => Number(p.offset) >= 0) === true;
      },
      { what: 'the group commit' },
    );
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('compatibility matrix: kafkajs', () => {
  cell('metadata', async () => {
    await createTopic('kjs-m-metadata', 3);
    const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: ['kjs-m-metadata'] }));
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    return '3 partitions';
  });

  cell('create-topic', async () => {
    const created = await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          { topic: 'kjs-m-create', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '60000' }] },
        ],
      }),
    );
    expect(created).toBe(true);
    return undefined;
  });

  cell('create-topic-defaults', async () => {
    // kafkajs sends -1 for numPartitions and replicationFactor when they are not given.
    expect(await withAdmin((admin) => admin.createTopics({ topics: [{ topic: 'kjs-m-defaults' }] }))).toBe(true);
    const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: ['kjs-m-defaults'] }));
    const partitions = metadata.topics[0]?.partitions ?? [];
    expect(partitions.length).toBeGreaterThan(0);
    return `${partitions.length} partitions, replication factor ${partitions[0]?.replicas.length}`;
  });

  cell('create-partitions', async () => {
    await createTopic('kjs-m-grow', 1);
    await withAdmin((admin) => admin.createPartitions({ topicPartitions: [{ topic: 'kjs-m-grow', count: 4 }] }));
    const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: ['kjs-m-grow'] }));
    expect(metadata.topics[0]?.partitions).toHaveLength(4);
    return '1 → 4 partitions';
  });

  cell('delete-topic', async () => {
    await createTopic('kjs-m-delete');
    await withAdmin((admin) => admin.deleteTopics({ topics: ['kjs-m-delete'] }));
    expect(await withAdmin((admin) => admin.listTopics())).not.toContain('kjs-m-delete');
    return undefined;
  });

  cell('produce', async () => {
    await createTopic('kjs-m-produce');
    const producer = kafka.producer();
    await producer.connect();
    try {
      const [result] = await producer.send({
        topic: 'kjs-m-produce',
        messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }],
      });
      expect(result?.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
    return undefined;
  });

  cell('produce-compressed', async () => {
    await createTopic('kjs-m-gzip');
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'kjs-m-gzip',
        compression: CompressionTypes.GZIP,
        messages: Array.from({ length: 50 }, (_, i) => ({ value: `gz-${i}` })),
      });
    } finally {
      await producer.disconnect();
    }
    const values = await consumeGroup('kjs-m-gzip', 'kjs-m-gzip-group', 50);
    expect(values).toContain('gz-49');
    return '50 records';
  });

  cell('produce-idempotent', async () => {
    await createTopic('kjs-m-idem');
    await produce('kjs-m-idem', ['a', 'b', 'c'], { idempotent: true });
    const offsets = await withAdmin((admin) => admin.fetchTopicOffsets('kjs-m-idem'));
    expect(offsets[0]?.high).toBe('3');
    return undefined;
  });

  cell('consume', async () => {
    await createTopic('kjs-m-consume');
    await produce('kjs-m-consume', ['one', 'two']);
    const values = await consumeGroup('kjs-m-consume', 'kjs-m-consume-group', 2);
    expect(values).toEqual(['one', 'two']);
    return undefined;
  });

  cell('consumer-group', async () => {
    await createTopic('kjs-m-group');
    await produce('kjs-m-group', ['1', '2']);
    expect(await consumeGroup('kjs-m-group', 'kjs-m-group-g', 2)).toEqual(['1', '2']);
    await produce('kjs-m-group', ['3']);
    // A new member of the same group starts from the committed offset: only the new record.
    expect(await consumeGroup('kjs-m-group', 'kjs-m-group-g', 1)).toEqual(['3']);
    return 'resumed at offset 2';
  });

  cell('transactions', async () => {
    await createTopic('kjs-m-txn');
    const producer = kafka.producer({ transactionalId: 'kjs-m-txn-id', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic: 'kjs-m-txn', messages: [{ value: 'aborted' }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic: 'kjs-m-txn', messages: [{ value: 'committed' }] });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    const values = await consumeGroup('kjs-m-txn', 'kjs-m-txn-group', 1);
    expect(values).toEqual(['committed']);
    return undefined;
  });

  cell('list-offsets', async () => {
    await createTopic('kjs-m-offsets');
    await produce('kjs-m-offsets', ['a', 'b', 'c', 'd']);
    const offsets = await withAdmin((admin) => admin.fetchTopicOffsets('kjs-m-offsets'));
    expect(offsets[0]).toMatchObject({ low: '0', high: '4' });
    return 'earliest 0, latest 4';
  });

  cell('offsets-for-times', async () => {
    await createTopic('kjs-m-times');
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 60_000;
    try {
      await producer.send({
        topic: 'kjs-m-times',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `t${i}`, timestamp: String(base + i * 1000) })),
      });
    } finally {
      await producer.disconnect();
    }
    const [found] = await withAdmin((admin) => admin.fetchTopicOffsetsByTimestamp('kjs-m-times', base + 5000));
    expect(found?.offset).toBe('5');
    return 'record 5 of one batch of 10';
  });

  cell('describe-topic-configs', async () => {
    await createTopic('kjs-m-desc');
    const described = await withAdmin((admin) =>
      admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-m-desc' }],
        includeSynonyms: false,
      }),
    );
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
    expect(entry?.configValue).toBe('delete');
    return undefined;
  });

  cell('alter-topic-configs', async () => {
    await createTopic('kjs-m-alter');
    await withAdmin((admin) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: 'kjs-m-alter',
            configEntries: [{ name: 'retention.ms', value: '120000' }],
          },
        ],
      }),
    );
    const described = await withAdmin((admin) =>
      admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-m-alter' }],
        includeSynonyms: false,
      }),
    );
    expect(described.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(
      '120000',
    );
    return undefined;
  });

  cell('list-groups', async () => {
    await createTopic('kjs-m-lg');
    await produce('kjs-m-lg', ['x']);
    await consumeGroup('kjs-m-lg', 'kjs-m-lg-group', 1);
    const { groups } = await withAdmin((admin) => admin.listGroups());
    expect(groups.map((g) => g.groupId)).toContain('kjs-m-lg-group');
    return undefined;
  });

  cell('describe-groups', async () => {
    const { groups } = await withAdmin((admin) => admin.describeGroups(['kjs-m-lg-group']));
    expect(groups[0]).toMatchObject({ groupId: 'kjs-m-lg-group', state: 'Empty', protocolType: 'consumer' });
    return 'Empty after the member left';
  });

  cell('fetch-group-offsets', async () => {
    const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'kjs-m-lg-group', topics: ['kjs-m-lg'] }));
    expect(offsets[0]?.partitions[0]?.offset).toBe('1');
    return undefined;
  });

  cell('alter-group-offsets', async () => {
    await withAdmin((admin) =>
      admin.setOffsets({ groupId: 'kjs-m-lg-group', topic: 'kjs-m-lg', partitions: [{ partition: 0, offset: '0' }] }),
    );
    const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'kjs-m-lg-group', topics: ['kjs-m-lg'] }));
    expect(offsets[0]?.partitions[0]?.offset).toBe('0');
    return undefined;
  });

  cell('delete-groups', async () => {
    await withAdmin((admin) => admin.deleteGroups(['kjs-m-lg-group']));
    const { groups } = await withAdmin((admin) => admin.listGroups());
    expect(groups.map((g) => g.groupId)).not.toContain('kjs-m-lg-group');
    return undefined;
  });

  cell('describe-cluster', async () => {
    const cluster = await withAdmin((admin) => admin.describeCluster());
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0]?.nodeId);
    return `${cluster.brokers.length} broker`;
  });

  cell('delete-records', async () => {
    await createTopic('kjs-m-delrec');
    await produce('kjs-m-delrec', ['a', 'b', 'c', 'd']);
    await withAdmin(async (admin) => {
      // kafkajs needs the topic's metadata loaded before deleteTopicRecords.
      await admin.fetchTopicMetadata({ topics: ['kjs-m-delrec'] });
      await admin.deleteTopicRecords({ topic: 'kjs-m-delrec', partitions: [{ partition: 0, offset: '2' }] });
    });
    const offsets = await withAdmin((admin) => admin.fetchTopicOffsets('kjs-m-delrec'));
    expect(offsets[0]).toMatchObject({ low: '2', high: '4' });
    return 'log start 0 → 2';
  });

  cell('describe-broker-configs', async () => {
    const described = await withAdmin((admin) =>
      admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }], includeSynonyms: true }),
    );
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'log.retention.ms');
    // Nobody set it: Kafka's DEFAULT_CONFIG (5), a default.
    expect(entry).toMatchObject({ isDefault: true, configSource: 5 });
    return `log.retention.ms ${entry?.configValue} (DEFAULT_CONFIG)`;
  });

  cell('alter-broker-configs', async () => {
    await withAdmin((admin) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: '1',
            configEntries: [{ name: 'log.retention.ms', value: '7200000' }],
          },
        ],
      }),
    );
    const entry = await waitFor(
      async () => {
        const described = await withAdmin((admin) =>
          admin.describeConfigs({
            resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
            includeSynonyms: false,
          }),
        );
        const found = described.resources[0]?.configEntries.find((e) => e.configName === 'log.retention.ms');
        return found?.configValue === '7200000' ? found : undefined;
      },
      { what: 'the new broker config' },
    );
    // DYNAMIC_BROKER_CONFIG (2): set at run time for this broker.
    expect(entry).toMatchObject({ isDefault: false, configSource: 2 });
    return 'log.retention.ms 7200000 (DYNAMIC_BROKER_CONFIG)';
  });
});

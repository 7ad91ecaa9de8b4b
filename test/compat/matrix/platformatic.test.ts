/**
 * Compatibility matrix, @platformatic/kafka 2.12: every operation of the
 * catalogue the client exposes, against a real `runnel dev` process.
 */
import {
  Admin,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { waitFor } from '../../harness/wait.ts';
import { matrixDevArgs, matrixFor } from './cell.ts';

const cell = matrixFor('platformatic');
// ConfigResourceTypes.TOPIC and BROKER in Kafka's numbering.
const topicResource = 2;
const brokerResource = 4;
let dev: DevProcess;
let admin: Admin;

beforeAll(async () => {
  dev = await DevProcess.start({ args: matrixDevArgs });
  admin = new Admin({ clientId: 'matrix-plt-admin', bootstrapBrokers: [dev.bootstrap] });
});

afterAll(async () => {
  await admin?.close();
  await dev?.kill('SIGTERM');
});

interface ProducerChoice {
  idempotent?: boolean;
  compression?: 'gzip';
}

function producer(options: ProducerChoice = {}): Producer<string, string, string, string> {
  return new Producer({
    clientId: 'matrix-plt-producer',
    bootstrapBrokers: [dev.bootstrap],
    serializers: stringSerializers,
    idempotent: options.idempotent === true,
    ...(options.compression === undefined ? {} : { compression: options.compression }),
  });
}

async function produce(topic: string, values: readonly string[], options: ProducerChoice = {}): Promise<void> {
  const p = producer(options);
  try {
    await p.send({ messages: values.map((value) => ({ topic, key: value, value, partition: 0 })), acks: -1 });
  } finally {
    await p.close();
  }
}

/** Consumes in group `groupId` until `count` records arrived, committing each; returns their values. */
async function consumeGroup(topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = new Consumer({
    clientId: 'matrix-plt-consumer',
    groupId,
    bootstrapBrokers: [dev.bootstrap],
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  });
  const values: string[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
      maxWaitTime: 200,
    });
    for await (const message of stream) {
      values.push(message.value);
      await message.commit();
      if (values.length >= count) break;
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return values;
}

describe('compatibility matrix: @platformatic/kafka', () => {
  cell('metadata', async () => {
    await admin.createTopics({ topics: ['plt-m-metadata'], partitions: 3, replicas: 1 });
    const metadata = await admin.metadata({ topics: ['plt-m-metadata'] });
    expect(metadata.topics.get('plt-m-metadata')?.partitionsCount).toBe(3);
    return '3 partitions';
  });

  cell('create-topic', async () => {
    const [created] = await admin.createTopics({
      topics: ['plt-m-create'],
      partitions: 2,
      replicas: 1,
      configs: [{ name: 'retention.ms', value: '60000' }],
    });
    expect(created?.partitions).toBe(2);
    return undefined;
  });

  cell('create-topic-defaults', async () => {
    const [created] = await admin.createTopics({ topics: ['plt-m-defaults'] });
    expect(created?.partitions).toBeGreaterThan(0);
    return `${created?.partitions} partitions, replication factor ${created?.replicas}`;
  });

  cell('create-partitions', async () => {
    await admin.createTopics({ topics: ['plt-m-grow'], partitions: 1, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: 'plt-m-grow', count: 4, assignments: [] }] });
    const metadata = await admin.metadata({ topics: ['plt-m-grow'], forceUpdate: true });
    expect(metadata.topics.get('plt-m-grow')?.partitionsCount).toBe(4);
    return '1 → 4 partitions';
  });

  cell('delete-topic', async () => {
    await admin.createTopics({ topics: ['plt-m-delete'], partitions: 1, replicas: 1 });
    await admin.deleteTopics({ topics: ['plt-m-delete'] });
    expect(await admin.listTopics()).not.toContain('plt-m-delete');
    return undefined;
  });

  cell('produce', async () => {
    await admin.createTopics({ topics: ['plt-m-produce'], partitions: 1, replicas: 1 });
    const p = producer();
    try {
      const result = await p.send({
        messages: [{ topic: 'plt-m-produce', key: 'k', value: 'v', partition: 0, headers: new Map([['h', 'x']]) }],
        acks: -1,
      });
      expect(result.offsets?.[0]?.offset).toBe(0n);
    } finally {
      await p.close();
    }
    return undefined;
  });

  cell('produce-compressed', async () => {
    await admin.createTopics({ topics: ['plt-m-gzip'], partitions: 1, replicas: 1 });
    await produce(
      'plt-m-gzip',
      Array.from({ length: 50 }, (_, i) => `gz-${i}`),
      { compression: 'gzip' },
    );
    const values = await consumeGroup('plt-m-gzip', 'plt-m-gzip-group', 50);
    expect(values.at(-1)).toBe('gz-49');
    return '50 records';
  });

  cell('produce-idempotent', async () => {
    await admin.createTopics({ topics: ['plt-m-idem'], partitions: 1, replicas: 1 });
    await produce('plt-m-idem', ['a', 'b', 'c'], { idempotent: true });
    const [listed] = await admin.listOffsets({
      topics: [{ name: 'plt-m-idem', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    expect(listed?.partitions[0]?.offset).toBe(3n);
    return undefined;
  });

  cell('consume', async () => {
    await admin.createTopics({ topics: ['plt-m-consume'], partitions: 1, replicas: 1 });
    await produce('plt-m-consume', ['one', 'two']);
    expect(await consumeGroup('plt-m-consume', 'plt-m-consume-group', 2)).toEqual(['one', 'two']);
    return undefined;
  });

  cell('consumer-group', async () => {
    await admin.createTopics({ topics: ['plt-m-group'], partitions: 1, replicas: 1 });
    await produce('plt-m-group', ['1', '2']);
    expect(await consumeGroup('plt-m-group', 'plt-m-group-g', 2)).toEqual(['1', '2']);
    await produce('plt-m-group', ['3']);
    expect(await consumeGroup('plt-m-group', 'plt-m-group-g', 1)).toEqual(['3']);
    return 'resumed at offset 2';
  });

  cell('list-offsets', async () => {
    await admin.createTopics({ topics: ['plt-m-offsets'], partitions: 1, replicas: 1 });
    await produce('plt-m-offsets', ['a', 'b', 'c', 'd']);
    const partitions = [
      { partitionIndex: 0, timestamp: -2n },
      { partitionIndex: 0, timestamp: -1n },
    ];
    const earliest = await admin.listOffsets({ topics: [{ name: 'plt-m-offsets', partitions: [partitions[0]!] }] });
    const latest = await admin.listOffsets({ topics: [{ name: 'plt-m-offsets', partitions: [partitions[1]!] }] });
    expect([earliest[0]?.partitions[0]?.offset, latest[0]?.partitions[0]?.offset]).toEqual([0n, 4n]);
    return 'earliest 0, latest 4';
  });

  cell('offsets-for-times', async () => {
    await admin.createTopics({ topics: ['plt-m-times'], partitions: 1, replicas: 1 });
    const base = BigInt(Date.now() - 60_000);
    const p = producer();
    try {
      await p.send({
        messages: Array.from({ length: 10 }, (_, i) => ({
          topic: 'plt-m-times',
          value: `t${i}`,
          partition: 0,
          timestamp: base + BigInt(i * 1000),
        })),
        acks: -1,
      });
    } finally {
      await p.close();
    }
    const [found] = await admin.listOffsets({
      topics: [{ name: 'plt-m-times', partitions: [{ partitionIndex: 0, timestamp: base + 5000n }] }],
    });
    expect(found?.partitions[0]?.offset).toBe(5n);
    return 'record 5 of one batch of 10';
  });

  cell('describe-topic-configs', async () => {
    await admin.createTopics({ topics: ['plt-m-desc'], partitions: 1, replicas: 1 });
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: topicResource, resourceName: 'plt-m-desc', configurationKeys: [] }],
    });
    expect(described?.configs.find((c) => c.name === 'cleanup.policy')?.value).toBe('delete');
    return undefined;
  });

  cell('alter-topic-configs', async () => {
    await admin.createTopics({ topics: ['plt-m-alter'], partitions: 1, replicas: 1 });
    await admin.alterConfigs({
      resources: [
        {
          resourceType: topicResource,
          resourceName: 'plt-m-alter',
          configs: [{ name: 'retention.ms', value: '120000' }],
        },
      ],
    });
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: topicResource, resourceName: 'plt-m-alter', configurationKeys: ['retention.ms'] }],
    });
    expect(described?.configs.find((c) => c.name === 'retention.ms')?.value).toBe('120000');
    return undefined;
  });

  cell('list-groups', async () => {
    await admin.createTopics({ topics: ['plt-m-lg'], partitions: 1, replicas: 1 });
    await produce('plt-m-lg', ['x']);
    await consumeGroup('plt-m-lg', 'plt-m-lg-group', 1);
    const groups = await admin.listGroups();
    expect([...groups.keys()]).toContain('plt-m-lg-group');
    return undefined;
  });

  cell('describe-groups', async () => {
    const groups = await admin.describeGroups({ groups: ['plt-m-lg-group'] });
    expect(groups.get('plt-m-lg-group')?.state).toBe('Empty');
    return 'Empty after the member left';
  });

  cell('fetch-group-offsets', async () => {
    const [group] = await admin.listConsumerGroupOffsets({ groups: ['plt-m-lg-group'] });
    const partition = group?.topics.find((t) => t.name === 'plt-m-lg')?.partitions[0];
    expect(partition?.committedOffset).toBe(1n);
    return undefined;
  });

  cell('alter-group-offsets', async () => {
    await admin.alterConsumerGroupOffsets({
      groupId: 'plt-m-lg-group',
      topics: [{ name: 'plt-m-lg', partitionOffsets: [{ partition: 0, offset: 0n }] }],
    });
    const [group] = await admin.listConsumerGroupOffsets({ groups: ['plt-m-lg-group'] });
    expect(group?.topics.find((t) => t.name === 'plt-m-lg')?.partitions[0]?.committedOffset).toBe(0n);
    return undefined;
  });

  cell('delete-group-offsets', async () => {
    await admin.deleteConsumerGroupOffsets({
      groupId: 'plt-m-lg-group',
      topics: [{ name: 'plt-m-lg', partitionIndexes: [0] }],
    });
    const [group] = await admin.listConsumerGroupOffsets({ groups: ['plt-m-lg-group'] });
    const committed = group?.topics.find((t) => t.name === 'plt-m-lg')?.partitions[0]?.committedOffset ?? -1n;
    expect(committed).toBe(-1n);
    return undefined;
  });

  cell('delete-groups', async () => {
    await admin.deleteGroups({ groups: ['plt-m-lg-group'] });
    await waitFor(async () => !(await admin.listGroups()).has('plt-m-lg-group'), { what: 'the group to go' });
    return undefined;
  });

  cell('describe-cluster', async () => {
    const metadata = await admin.metadata({ forceUpdate: true });
    expect(metadata.brokers.size).toBe(1);
    expect(metadata.brokers.has(metadata.controllerId)).toBe(true);
    return `${metadata.brokers.size} broker`;
  });

  cell('delete-records', async () => {
    await admin.createTopics({ topics: ['plt-m-delrec'], partitions: 1, replicas: 1 });
    await produce('plt-m-delrec', ['a', 'b', 'c', 'd']);
    const [deleted] = await admin.deleteRecords({
      topics: [{ name: 'plt-m-delrec', partitions: [{ partition: 0, offset: 2n }] }],
    });
    expect(deleted?.partitions[0]?.lowWatermark).toBe(2n);
    const [earliest] = await admin.listOffsets({
      topics: [{ name: 'plt-m-delrec', partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
    });
    expect(earliest?.partitions[0]?.offset).toBe(2n);
    return 'log start 0 → 2';
  });

  cell('describe-log-dirs', async () => {
    await admin.createTopics({ topics: ['plt-m-logdirs'], partitions: 1, replicas: 1 });
    await produce('plt-m-logdirs', ['x']);
    const [broker] = await admin.describeLogDirs({ topics: [{ name: 'plt-m-logdirs', partitions: [0] }] });
    const dir = broker?.results[0];
    const partition = dir?.topics.find((t) => t.name === 'plt-m-logdirs')?.partitions[0];
    expect(partition?.partitionSize).toBeGreaterThan(0n);
    expect(dir?.totalBytes).toBeGreaterThan(0n);
    return `${partition?.partitionSize} bytes on disk`;
  });

  cell('describe-broker-configs', async () => {
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: brokerResource, resourceName: '1', configurationKeys: ['log.retention.ms'] }],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const entry = described?.configs.find((c) => c.name === 'log.retention.ms');
    // DEFAULT_CONFIG (5) and LONG (5): nobody set it.
    expect(entry).toMatchObject({ configSource: 5, configType: 5 });
    expect(entry?.documentation?.length ?? 0).toBeGreaterThan(10);
    return `log.retention.ms ${entry?.value} (DEFAULT_CONFIG, LONG)`;
  });

  cell('alter-broker-configs', async () => {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: brokerResource,
          resourceName: '1',
          configs: [{ name: 'log.retention.ms', configOperation: 0, value: '7200000' }],
        },
      ],
    });
    const entry = await waitFor(
      async () => {
        const [described] = await admin.describeConfigs({
          resources: [{ resourceType: brokerResource, resourceName: '1', configurationKeys: ['log.retention.ms'] }],
        });
        const found = described?.configs.find((c) => c.name === 'log.retention.ms');
        return found?.value === '7200000' ? found : undefined;
      },
      { what: 'the new broker config' },
    );
    expect(entry?.configSource).toBe(2);
    return 'log.retention.ms 7200000 (DYNAMIC_BROKER_CONFIG)';
  });

  cell('list-groups-by-state', async () => {
    await admin.createTopics({ topics: ['plt-m-states'], partitions: 1, replicas: 1 });
    await produce('plt-m-states', ['x']);
    await consumeGroup('plt-m-states', 'plt-m-states-group', 1);
    const empty = await admin.listGroups({ states: ['Empty'] });
    const stable = await admin.listGroups({ states: ['Stable'] });
    expect(empty.get('plt-m-states-group')?.state).toBe('Empty');
    expect(stable.has('plt-m-states-group')).toBe(false);
    return 'Empty, not Stable';
  });
});

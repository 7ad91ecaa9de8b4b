/**
 * Each version of the topic APIs Runnel now serves up to Kafka 4.1's range,
 * as raw requests through @runnel/client's connection to a `runnel dev`
 * process (num.partitions 2): what each version means, not only its bytes.
 * Metadata v0 (empty = all), v7 leader epochs, v10 topic ids, v12 topics by
 * id (never auto-created), v13 top-level error; CreateTopics v4 defaults,
 * v5 counts and configs, v7 ids; DeleteTopics v6 by id; CreatePartitions
 * v3; DescribeCluster v2; DescribeTopicPartitions v0 paging across topics.
 */
import { Connection } from '@runnel/client';
import { ApiKeys, type DescribeTopicPartitionsResponse, ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';

const zeroId = '00000000-0000-0000-0000-000000000000';
const unknownId = '7e7e7e7e-0000-4000-8000-000000000001';
let dev: DevProcess;
let connection: Connection;

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--partitions', '2'] });
  const [host, port] = dev.bootstrap.split(':');
  connection = await Connection.connect({ host: host ?? '127.0.0.1', port: Number(port), clientId: 'topic-versions' });
});

afterAll(async () => {
  connection?.close();
  await dev?.kill('SIGTERM');
});

async function create(name: string, numPartitions: number, version = 7) {
  const response = await connection.request(
    ApiKeys.CreateTopics,
    {
      topics: [{ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    },
    { maxVersion: version },
  );
  const [topic] = response.topics;
  expect(topic?.errorCode, topic?.errorMessage ?? '').toBe(ErrorCode.NONE);
  return topic;
}

const metadata = (version: number, topics: { name: string | null; topicId?: string }[] | null, allow = false) =>
  connection.request(
    ApiKeys.Metadata,
    // Before v4 there is no flag: those versions always allow (the broker's setting decides).
    { topics: topics?.map((t) => ({ topicId: zeroId, ...t })) ?? null, allowAutoTopicCreation: version < 4 || allow },
    { maxVersion: version },
  );

describe('the topic APIs, version by version', () => {
  it('negotiates Kafka 4.1 maxima', () => {
    expect(
      [
        ApiKeys.Metadata,
        ApiKeys.CreateTopics,
        ApiKeys.DeleteTopics,
        ApiKeys.CreatePartitions,
        ApiKeys.DescribeCluster,
      ].map((key) => connection.versionOf(key)),
    ).toEqual([13, 7, 6, 3, 2]);
    expect(connection.versionOf(ApiKeys.DescribeTopicPartitions)).toBe(0);
  });

  it('CreateTopics v4 takes -1 as the broker defaults; v5+ says what the topic got; v7 its id', async () => {
    const v4 = await create('ct-v4', -1, 4);
    expect(v4).toMatchObject({ name: 'ct-v4', errorCode: 0 });
    const v7 = await create('ct-v7', -1, 7);
    expect(v7).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
    expect(v7?.topicId).not.toBe(zeroId);
    const retention = v7?.configs?.find((c) => c.name === 'retention.ms');
    expect(retention).toMatchObject({ readOnly: false, isSensitive: false });
    const v5 = await create('ct-v5', 1, 5);
    expect(v5).toMatchObject({ numPartitions: 1, replicationFactor: 1, topicId: zeroId });
    expect(v5?.configs?.length).toBeGreaterThan(10);
  });

  it('Metadata: v0 empty means all; v7 leader epochs; v10 ids; v12 by id; v13 top-level error', async () => {
    const created = await create('md-topic', 1);
    const all = await metadata(0, []);
    expect(all.topics.map((t) => t.name)).toContain('md-topic');
    expect((await metadata(6, [{ name: 'md-topic' }])).topics[0]?.topicId).toBe(zeroId);

    const v13 = await metadata(13, [{ name: 'md-topic' }]);
    expect(v13.errorCode).toBe(ErrorCode.NONE);
    expect(v13.topics[0]).toMatchObject({ name: 'md-topic', topicId: created?.topicId, errorCode: 0 });
    expect(v13.topics[0]?.partitions[0]?.leaderEpoch).toBe(0);

    const byId = await metadata(12, [
      { name: null, topicId: created?.topicId ?? zeroId },
      { name: null, topicId: unknownId },
    ]);
    expect(byId.topics.map((t) => [t.name, t.topicId, t.errorCode])).toEqual([
      ['md-topic', created?.topicId, ErrorCode.NONE],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    // Before v12 a null name is a malformed request for that topic.
    expect((await metadata(11, [{ name: null, topicId: unknownId }])).topics[0]?.errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
  });

  it('Metadata v4+ auto-creates a topic asked for by name when allowed, never one asked for by id', async () => {
    const refused = await metadata(9, [{ name: 'md-auto' }], false);
    expect(refused.topics[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const created = await metadata(9, [{ name: 'md-auto' }], true);
    expect(created.topics[0]).toMatchObject({ name: 'md-auto', errorCode: 0 });
    expect(created.topics[0]?.partitions).toHaveLength(2);
    const byId = await metadata(12, [{ name: null, topicId: unknownId }], true);
    expect(byId.topics[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('DeleteTopics v6 deletes by id, answers UNKNOWN_TOPIC_ID for an unknown one, and still by name', async () => {
    const byId = await create('dt-by-id', 1);
    await create('dt-by-name', 1);
    const response = await connection.request(ApiKeys.DeleteTopics, {
      topics: [
        { name: null, topicId: byId?.topicId ?? zeroId },
        { name: null, topicId: unknownId },
        { name: 'dt-by-name', topicId: zeroId },
      ],
      timeoutMs: 10_000,
    });
    expect(
      response.responses.map((r) => [r.name, r.errorCode]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['dt-by-id', ErrorCode.NONE],
      ['dt-by-name', ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
    expect(response.responses.find((r) => r.name === null)?.topicId).toBe(unknownId);
    const after = await metadata(13, [{ name: 'dt-by-id' }, { name: 'dt-by-name' }]);
    expect(after.topics.map((t) => t.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  it('CreatePartitions v3 grows a topic', async () => {
    await create('cp-v3', 1);
    const response = await connection.request(
      ApiKeys.CreatePartitions,
      { topics: [{ name: 'cp-v3', count: 3, assignments: null }], timeoutMs: 10_000, validateOnly: false },
      { maxVersion: 3 },
    );
    expect(response.results[0]).toMatchObject({ name: 'cp-v3', errorCode: 0 });
    expect((await metadata(13, [{ name: 'cp-v3' }])).topics[0]?.partitions).toHaveLength(3);
  });

  it('DescribeCluster v2 flags each broker fenced or not', async () => {
    const response = await connection.request(ApiKeys.DescribeCluster, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: true,
    });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.brokers.map((b) => [b.brokerId, b.isFenced])).toEqual([[1, false]]);
  });

  it('DescribeTopicPartitions pages partitions across topics in name order with a cursor', async () => {
    await create('dtp-b', 3);
    await create('dtp-a', 2);
    await create('dtp-c', 1);
    const names = ['dtp-c', 'dtp-a', 'dtp-b'];
    const seen: string[] = [];
    const cursors: unknown[] = [];
    let cursor: { topicName: string; partitionIndex: number } | null = null;
    for (let page = 0; page < 10; page++) {
      const response: DescribeTopicPartitionsResponse = await connection.request(ApiKeys.DescribeTopicPartitions, {
        topics: names.map((name) => ({ name })),
        responsePartitionLimit: 2,
        cursor,
      });
      for (const t of response.topics) {
        expect(t.topicId).not.toBe(zeroId);
        for (const p of t.partitions) {
          expect(p).toMatchObject({ leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] });
          seen.push(`${t.name}-${p.partitionIndex}`);
        }
      }
      cursor = response.nextCursor;
      cursors.push(cursor);
      if (cursor === null) break;
    }
    expect(seen).toEqual(['dtp-a-0', 'dtp-a-1', 'dtp-b-0', 'dtp-b-1', 'dtp-b-2', 'dtp-c-0']);
    expect(cursors).toEqual([
      { topicName: 'dtp-b', partitionIndex: 0 },
      { topicName: 'dtp-b', partitionIndex: 2 },
      null,
    ]);
  });
});

/**
 * ClusterAdmin (DescribeCluster, CreatePartitions, partition reassignments),
 * createTopics with explicit assignments and listOffsets under
 * read_committed, against a scripted broker: what goes on the wire and how
 * the answers come back, Kafka codes as data.
 */
import {
  type AlterPartitionReassignmentsRequest,
  ApiKeys,
  type CreatePartitionsRequest,
  type CreateTopicsRequest,
  ErrorCode,
  type ListOffsetsRequest,
  type ListPartitionReassignmentsRequest,
  type MetadataRequest,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterAdmin, KafkaClient } from '../src/index.ts';
import { type FakeBroker, type FakeRequest, reply, startFakeBroker } from './fake-broker.ts';

const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A one-broker cluster (node 7) answering the admin APIs from fixed scripts. */
async function scripted(): Promise<{ broker: FakeBroker; client: KafkaClient }> {
  let port = 0;
  const broker = await startFakeBroker((request: FakeRequest) => {
    switch (request.header.apiKey) {
      case ApiKeys.Metadata: {
        const body = request.body as unknown as MetadataRequest;
        reply(request, {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 7, host: '127.0.0.1', port, rack: null }],
          clusterId: 'fake',
          controllerId: 7,
          topics: (body.topics ?? []).map((t) => ({
            errorCode: 0,
            name: t.name,
            isInternal: false,
            partitions: [
              { errorCode: 0, partitionIndex: 0, leaderId: 7, replicaNodes: [7], isrNodes: [7], offlineReplicas: [] },
            ],
          })),
        });
        return;
      }
      case ApiKeys.DescribeCluster:
        reply(request, {
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          endpointType: 1,
          clusterId: 'fake-cluster',
          controllerId: 3000,
          brokers: [{ brokerId: 7, host: '127.0.0.1', port, rack: 'r1', isFenced: false }],
          clusterAuthorizedOperations: -2147483648,
        });
        return;
      case ApiKeys.CreatePartitions: {
        const body = request.body as unknown as CreatePartitionsRequest;
        reply(request, {
          throttleTimeMs: 0,
          results: body.topics.map((t) => ({
            name: t.name,
            errorCode: t.count < 2 ? ErrorCode.INVALID_PARTITIONS : 0,
            errorMessage: t.count < 2 ? 'Topic already has 2 partitions.' : null,
          })),
        });
        return;
      }
      case ApiKeys.ListPartitionReassignments:
        reply(request, {
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          topics: [
            {
              name: 'moving',
              partitions: [{ partitionIndex: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }],
            },
          ],
        });
        return;
      case ApiKeys.AlterPartitionReassignments: {
        const body = request.body as unknown as AlterPartitionReassignmentsRequest;
        reply(request, {
          throttleTimeMs: 0,
          allowReplicationFactorChange: true,
          errorCode: 0,
          errorMessage: null,
          responses: body.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: p.replicas === null ? ErrorCode.NO_REASSIGNMENT_IN_PROGRESS : 0,
              errorMessage: null,
            })),
          })),
        });
        return;
      }
      case ApiKeys.CreateTopics: {
        const body = request.body as unknown as CreateTopicsRequest;
        reply(request, {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })),
        });
        return;
      }
      case ApiKeys.ListOffsets: {
        const body = request.body as unknown as ListOffsetsRequest;
        reply(request, {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
              timestamp: -1n,
              // The fake's last stable offset is 5, its high watermark 9.
              offset: body.isolationLevel === 1 ? 5n : 9n,
              leaderEpoch: 0,
            })),
          })),
        });
        return;
      }
    }
  });
  port = broker.port;
  const client = await KafkaClient.connect({ bootstrap: `127.0.0.1:${broker.port}` });
  cleanup.push(() => broker.close());
  cleanup.push(() => client.close());
  return { broker, client };
}

describe('ClusterAdmin against a scripted broker', () => {
  it('describeCluster reads the cluster id, controller id and brokers', async () => {
    const { client } = await scripted();
    const cluster = await new ClusterAdmin(client).describeCluster();
    expect(cluster).toEqual({
      errorCode: 0,
      clusterId: 'fake-cluster',
      controllerId: 3000,
      brokers: [{ nodeId: 7, host: '127.0.0.1', port: expect.any(Number), rack: 'r1' }],
    });
  });

  it('createPartitions sends the new total count and returns INVALID_PARTITIONS as data', async () => {
    const { broker, client } = await scripted();
    const admin = new ClusterAdmin(client);
    expect(await admin.createPartitions('orders', 4, { validateOnly: true })).toEqual({
      errorCode: 0,
      errorName: 'NONE',
      errorMessage: null,
    });
    const sent = broker.requests.find((r) => r.header.apiKey === ApiKeys.CreatePartitions)
      ?.body as unknown as CreatePartitionsRequest;
    expect(sent.topics).toEqual([{ name: 'orders', count: 4, assignments: null }]);
    expect(sent.validateOnly).toBe(true);
    const refused = await admin.createPartitions('orders', 1);
    expect(refused.errorName).toBe('INVALID_PARTITIONS');
  });

  it('listReassignments asks for every partition (null) or the named ones, grouped by topic', async () => {
    const { broker, client } = await scripted();
    const admin = new ClusterAdmin(client);
    const all = await admin.listReassignments();
    expect(all.reassignments).toEqual([
      { topic: 'moving', partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] },
    ]);
    await admin.listReassignments([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 2 },
    ]);
    const asked = broker.requests
      .filter((r) => r.header.apiKey === ApiKeys.ListPartitionReassignments)
      .map((r) => (r.body as unknown as ListPartitionReassignmentsRequest).topics);
    expect(asked).toEqual([null, [{ name: 'a', partitionIndexes: [0, 2] }]]);
  });

  it('alterReassignments sends targets and cancellations (null replicas) and keeps per-partition codes', async () => {
    const { client } = await scripted();
    const result = await new ClusterAdmin(client).alterReassignments([
      { topic: 'moving', partition: 0, replicas: [2, 3] },
      { topic: 'moving', partition: 1, replicas: null },
    ]);
    expect(result.errorCode).toBe(0);
    expect(result.partitions.map((p) => [p.partition, p.errorName])).toEqual([
      [0, 'NONE'],
      [1, 'NO_REASSIGNMENT_IN_PROGRESS'],
    ]);
  });
});

describe('KafkaClient admin options', () => {
  it('createTopics with explicit assignments sends -1 for the counts and the replicas per partition', async () => {
    const { broker, client } = await scripted();
    await client.createTopics([
      {
        name: 'placed',
        assignments: [
          { partition: 0, brokerIds: [1, 2] },
          { partition: 1, brokerIds: [2, 3] },
        ],
      },
    ]);
    const sent = broker.requests.find((r) => r.header.apiKey === ApiKeys.CreateTopics)
      ?.body as unknown as CreateTopicsRequest;
    expect(sent.topics[0]).toMatchObject({
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [
        { partitionIndex: 0, brokerIds: [1, 2] },
        { partitionIndex: 1, brokerIds: [2, 3] },
      ],
    });
  });

  it('listOffsets latest under read_committed asks with isolation level 1 (the last stable offset)', async () => {
    const { client } = await scripted();
    expect((await client.listOffsets('orders', 0, -1n)).offset).toBe(9n);
    expect((await client.listOffsets('orders', 0, -1n, { isolation: 'read_committed' })).offset).toBe(5n);
  });
});

/**
 * Authorized operations on a broker without an authorizer, as Kafka
 * answers them: when a client asks (Metadata v8+ for topics, v8-10 for the
 * cluster; DescribeCluster's flag), every operation the resource supports;
 * when it does not, INT32_MIN; DescribeTopicPartitions (no flag) always
 * fills them in. Admin clients that describe topics or the cluster "with
 * authorized operations" read these bit fields. Real `runnel dev` process,
 * raw protocol requests; @platformatic/kafka's DescribeCluster too.
 */
import { Connection, describeClusterV1 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let dev: DevProcess;
let client: ProtocolClient;

const notProvided = -2147483648;
/** Kafka's ACL operation codes as bits: what a topic and the cluster support. */
const bits = (codes: number[]) => codes.reduce((b, c) => b | (1 << c), 0);
// READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11.
const topicOperations = bits([3, 4, 5, 6, 7, 8, 10, 11]);
// CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
const clusterOperations = bits([5, 7, 8, 9, 10, 11, 12]);

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway'] });
  client = await ProtocolClient.connect(dev.port);
  const created = await client.request(19, 7, {
    topics: [{ name: 'ops-topic', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(created.topics[0]?.errorCode).toBe(0);
});

afterAll(async () => {
  client?.close();
  await dev?.kill('SIGTERM');
});

describe('authorized operations without an authorizer', () => {
  it('Metadata v10 answers every topic and cluster operation when asked, INT32_MIN when not', async () => {
    const metadata = (include: boolean) =>
      client.request(3, 10, {
        topics: [{ name: 'ops-topic', topicId: '00000000-0000-0000-0000-000000000000' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: include,
        includeTopicAuthorizedOperations: include,
      });
    const asked = await metadata(true);
    expect(asked.topics[0]?.topicAuthorizedOperations).toBe(topicOperations);
    expect(asked.clusterAuthorizedOperations).toBe(clusterOperations);
    const notAsked = await metadata(false);
    expect(notAsked.topics[0]?.topicAuthorizedOperations).toBe(notProvided);
    expect(notAsked.clusterAuthorizedOperations).toBe(notProvided);
  });

  it('Metadata v12 (no cluster field) still answers topic operations when asked', async () => {
    const asked = await client.request(3, 12, {
      topics: [{ name: 'ops-topic', topicId: '00000000-0000-0000-0000-000000000000' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    });
    expect(asked.topics[0]?.topicAuthorizedOperations).toBe(topicOperations);
  });

  it('DescribeTopicPartitions fills in topic operations; DescribeCluster answers cluster operations when asked', async () => {
    const described = await client.request(75, 0, {
      topics: [{ name: 'ops-topic' }],
      responsePartitionLimit: 100,
      cursor: null,
    });
    expect(described.topics[0]?.topicAuthorizedOperations).toBe(topicOperations);
    const cluster = await client.request(60, 0, { includeClusterAuthorizedOperations: true });
    expect(cluster.clusterAuthorizedOperations).toBe(clusterOperations);
  });

  it('@platformatic/kafka DescribeCluster v1 with includeClusterAuthorizedOperations reads the bit field', async () => {
    const connection = new Connection('ops-describe-cluster');
    await connection.connect('127.0.0.1', dev.port);
    try {
      const asked = await describeClusterV1.api.async(connection, true, 1);
      expect(asked.clusterAuthorizedOperations).toBe(clusterOperations);
      const notAsked = await describeClusterV1.api.async(connection, false, 1);
      expect(notAsked.clusterAuthorizedOperations).toBe(notProvided);
    } finally {
      await connection.close();
    }
  });
});

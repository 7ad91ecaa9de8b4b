/**
 * ElectLeaders (key 43) against a real broker and controller in this
 * process, over a socket at each version. One broker leads every partition
 * it has, so preferred elections are never needed; unknown partitions,
 * unclean elections (answered, never forced) and bad election types get
 * their per-partition codes.
 */
import { type ElectLeadersResponse, ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let cluster: InProcessCluster;
let client: ProtocolClient;
const topic = 'elect';

beforeAll(async () => {
  cluster = await startInProcess();
  client = await ProtocolClient.connect(cluster.broker.port);
  const created = await client.request(19, 4, {
    topics: [{ name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

/** [topic, partition, errorCode] per result, in response order. */
function codes(response: ElectLeadersResponse): [string, number, number][] {
  return response.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p): [string, number, number] => [t.topic, p.partitionId, p.errorCode]),
  );
}

describe('ElectLeaders handler', () => {
  it('ApiVersions advertises ElectLeaders v0-2', async () => {
    const versions = await client.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((a) => a.apiKey === 43)).toEqual({ apiKey: 43, minVersion: 0, maxVersion: 2 });
  });

  it.each([0, 1, 2])(
    'v%i preferred election where the preferred replica leads returns ELECTION_NOT_NEEDED',
    async (version) => {
      const response = await client.request(43, version, {
        electionType: 0,
        topicPartitions: [{ topic, partitions: [0, 1] }],
        timeoutMs: 5000,
      });
      expect(response.errorCode ?? 0).toBe(ErrorCode.NONE);
      expect(codes(response)).toEqual([
        [topic, 0, ErrorCode.ELECTION_NOT_NEEDED],
        [topic, 1, ErrorCode.ELECTION_NOT_NEEDED],
      ]);
      expect(response.replicaElectionResults[0]?.partitionResult[0]?.errorMessage).toMatch(/already leads/);
    },
  );

  it('a missing partition and a missing topic return UNKNOWN_TOPIC_OR_PARTITION each', async () => {
    const response = await client.request(43, 2, {
      electionType: 0,
      topicPartitions: [
        { topic, partitions: [7] },
        { topic: 'no-such-topic', partitions: [0] },
      ],
      timeoutMs: 5000,
    });
    expect(codes(response)).toEqual([
      [topic, 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['no-such-topic', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it('a null partition list elects wherever needed and lists only the moved partitions: none here', async () => {
    const response = await client.request(43, 1, { electionType: 0, topicPartitions: null, timeoutMs: 5000 });
    expect(response).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [] });
  });

  it('an unclean election is answered from metadata: a led partition returns ELECTION_NOT_NEEDED', async () => {
    const response = await client.request(43, 2, {
      electionType: 1,
      topicPartitions: [
        { topic, partitions: [1] },
        { topic: 'no-such-topic', partitions: [3] },
      ],
      timeoutMs: 5000,
    });
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(codes(response)).toEqual([
      [topic, 1, ErrorCode.ELECTION_NOT_NEEDED],
      ['no-such-topic', 3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const all = await client.request(43, 2, { electionType: 1, topicPartitions: null, timeoutMs: 5000 });
    expect(all.replicaElectionResults).toEqual([]);
  });

  it('an unknown election type returns INVALID_REQUEST at the top and on every partition', async () => {
    const response = await client.request(43, 2, {
      electionType: 7,
      topicPartitions: [{ topic, partitions: [0] }],
      timeoutMs: 5000,
    });
    expect(response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(codes(response)).toEqual([[topic, 0, ErrorCode.INVALID_REQUEST]]);
  });
});

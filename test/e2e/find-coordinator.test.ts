/**
 * FindCoordinator end to end. In one process: the first lookup creates
 * `__consumer_offsets` (50 partitions, compacted), Metadata lists it as
 * internal but never auto-creates it, and the answer is this broker. In a
 * cluster of real processes: every broker names the same coordinator for a
 * group, the leader of its partition per kcat, and after kill -9 of that
 * broker the new leader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = '__consumer_offsets';

/** Java's String.hashCode, abs, mod 50: Kafka's partition of a group, computed independently of the broker's code. */
function kafkaPartitionFor(groupId: string): number {
  let h = 0;
  for (const ch of groupId) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % 50;
}

async function findCoordinator(port: number, group: string, version = 0) {
  const client = await ProtocolClient.connect(port);
  try {
    return await client.request(10, version, version === 0 ? { key: group } : { key: group, keyType: 0 });
  } finally {
    client.close();
  }
}

describe('FindCoordinator on one in-process broker', () => {
  let node: InProcessCluster;
  beforeAll(async () => {
    node = await startInProcess();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('Metadata for __consumer_offsets by name does not create it', async () => {
    const client = await ProtocolClient.connect(node.broker.port);
    try {
      const response = await client.request(3, 4, { topics: [{ name: topic }], allowAutoTopicCreation: true });
      expect(response.topics[0]).toMatchObject({ name: topic, errorCode: 3 });
      expect(node.broker.image.topic(topic)).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('the first lookup creates the compacted internal topic and answers this broker at v0, v1 and v2', async () => {
    for (const version of [0, 1, 2]) {
      const response = await findCoordinator(node.broker.port, 'in-process-group', version);
      expect(response).toMatchObject({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: node.broker.port });
    }
    const created = node.broker.image.topic(topic);
    expect(created?.partitions).toHaveLength(50);
    expect(created?.partitions.every((p) => p.replicas.length === 1 && p.leader === 1)).toBe(true);
    const configs = node.broker.image.configOverrides('topic', topic);
    expect(configs.get('cleanup.policy')).toBe('compact');
    expect(configs.get('segment.bytes')).toBe(String(100 * 1024 * 1024));
  });

  it('Metadata v1 lists the topic as internal', async () => {
    const client = await ProtocolClient.connect(node.broker.port);
    try {
      const response = await client.request(3, 1, { topics: null });
      const listed = response.topics.find((t) => t.name === topic);
      expect(listed).toMatchObject({ errorCode: 0, isInternal: true });
      expect(listed?.partitions).toHaveLength(50);
    } finally {
      client.close();
    }
  });
});

describe('FindCoordinator in a 3-broker cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Each broker's answer for `group`, once they all agree on one live coordinator. */
  async function agreedCoordinator(brokers: readonly number[], group: string): Promise<number | undefined> {
    const answers = await Promise.all(
      brokers.map((b) => findCoordinator(cluster.ports('broker', b).kafka, group).catch(() => null)),
    );
    const ids = new Set(answers.map((a) => (a?.errorCode === 0 ? a.nodeId : -1)));
    const [only] = ids;
    if (ids.size !== 1 || only === undefined || !brokers.includes(only)) return undefined;
    const answer = answers[0];
    expect(answer?.port).toBe(cluster.ports('broker', only).kafka);
    return only;
  }

  async function kcatLeader(brokerId: number, partition: number): Promise<number> {
    const metadata = await cluster.metadata(brokerId, topic);
    return metadata.topics.find((t) => t.topic === topic)?.partitions[partition]?.leader ?? -1;
  }

  it('every broker names the leader of the group partition; after kill -9 of it, the new leader', async () => {
    const group = 'failover-group';
    const partition = kafkaPartitionFor(group);
    // Brokers are listed once unfenced; before that the topic cannot get its three replicas.
    await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
    const coordinator = await waitFor(() => agreedCoordinator([1, 2, 3], group), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'all brokers to agree on a coordinator',
    });
    expect(await kcatLeader(1, partition)).toBe(coordinator);
    const replicas = (await cluster.metadata(1, topic)).topics.find((t) => t.topic === topic)?.partitions[partition];
    expect(replicas?.replicas.sort()).toEqual([1, 2, 3]);

    await cluster.kill('broker', coordinator, 'SIGKILL');
    const survivors = [1, 2, 3].filter((b) => b !== coordinator);
    const next = await waitFor(() => agreedCoordinator(survivors, group), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `a new coordinator after broker ${coordinator} died`,
    });
    expect(next).not.toBe(coordinator);
    const [asked] = survivors;
    expect(await kcatLeader(asked ?? 1, partition)).toBe(next);
  });
});

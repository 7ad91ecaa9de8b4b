/**
 * AlterPartition end to end: a GrpcControllerChannel (what a broker holds)
 * against three QuorumControllers in this process; the ISR change commits
 * through Raft and every node's image ends up with it.
 */
import { describe, expect, it } from 'vitest';
import { useGrpcQuorum } from './fixtures/grpc-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const quorum = useGrpcQuorum('alter-partition-quorum');

describe('AlterPartition through the controller quorum', () => {
  it('a leader shrinking then expanding its ISR over gRPC reaches every node; a stale epoch is refused', async () => {
    const { nodes, channel, liveBrokers } = await quorum();
    const active = await waitFor(() => nodes.find((n) => n.isActive), 'a leader');
    // Registered brokers start fenced; caught-up heartbeats unfence them so they may host replicas.
    await liveBrokers([1, 2, 3]);
    const [created] = await channel.call('createTopics', {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
      validateOnly: false,
    });
    if (created === undefined || !created.result.ok) throw new Error('topic not created');
    const topicId = created.result.value.topicId;
    const p = await waitFor(() => active.image.partition('t', 0), 'the partition');
    expect(p.isr).toHaveLength(3);
    const follower = p.replicas.find((r) => r !== p.leader) ?? -1;
    const shrunk = p.isr.filter((r) => r !== follower);
    const req = { leaderId: p.leader, topicId, partition: 0, leaderEpoch: p.leaderEpoch };

    const shrink = await channel.call('alterPartition', { ...req, partitionEpoch: p.partitionEpoch, isr: shrunk });
    expect(shrink).toEqual({ ok: true, value: { partitionEpoch: p.partitionEpoch + 1, isr: shrunk } });
    for (const n of nodes) {
      await waitFor(() => n.image.partition('t', 0)?.isr.length === 2, `node ${n.nodeId} to apply the shrink`);
      expect(n.image.partition('t', 0)).toMatchObject({ isr: shrunk, partitionEpoch: p.partitionEpoch + 1 });
    }

    const stale = await channel.call('alterPartition', {
      ...req,
      partitionEpoch: p.partitionEpoch,
      isr: [...p.replicas],
    });
    expect(stale).toMatchObject({ ok: false, error: 'invalid_update_version' });

    const expand = await channel.call('alterPartition', {
      ...req,
      partitionEpoch: p.partitionEpoch + 1,
      isr: [...p.replicas],
    });
    expect(expand).toEqual({ ok: true, value: { partitionEpoch: p.partitionEpoch + 2, isr: [...p.replicas] } });
    for (const n of nodes) {
      await waitFor(
        () => n.image.partition('t', 0)?.partitionEpoch === p.partitionEpoch + 2,
        `node ${n.nodeId} to apply the expand`,
      );
      expect(n.image.partition('t', 0)?.isr).toEqual(p.replicas);
    }
  });
});

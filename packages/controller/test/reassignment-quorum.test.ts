/**
 * Partition reassignment end to end: a GrpcControllerChannel (what a broker
 * holds) against three QuorumControllers in this process. The start, the
 * completing ISR expansion and a refusal all travel over gRPC, and every
 * node's image ends up with the moved partition.
 */
import { describe, expect, it } from 'vitest';
import { useGrpcQuorum } from './fixtures/grpc-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const quorum = useGrpcQuorum('reassignment-quorum');

describe('partition reassignment through the controller quorum', () => {
  it('moving t-0 from {1,2} to {3,4} over gRPC starts, lists, completes on ISR expansion and reaches every node', async () => {
    const { nodes, channel, liveBrokers } = await quorum();
    const active = await waitFor(() => nodes.find((n) => n.isActive), 'a leader');
    // Registered brokers start fenced; caught-up heartbeats unfence them so they may lead.
    await liveBrokers([1, 2, 3, 4]);
    const [created] = await channel.call('createTopics', {
      topics: [
        {
          name: 't',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partition: 0, brokerIds: [1, 2] }],
          configs: {},
        },
      ],
      validateOnly: false,
    });
    if (created === undefined || !created.result.ok) throw new Error('topic not created');
    const topicId = created.result.value.topicId;

    const refused = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: [3, 3] }],
    });
    expect(refused[0]?.result).toMatchObject({ ok: false, error: 'invalid_replica_assignment' });
    const nothing = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: null }],
    });
    expect(nothing[0]?.result).toMatchObject({ ok: false, error: 'no_reassignment_in_progress' });

    const started = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: [3, 4] }],
    });
    expect(started).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
    expect(await channel.call('listPartitionReassignments', { query: null })).toEqual([
      { topic: 't', partition: 0, replicas: [3, 4, 1, 2], addingReplicas: [3, 4], removingReplicas: [1, 2] },
    ]);
    expect(await channel.call('listPartitionReassignments', { query: [{ topic: 'other', partitions: [0] }] })).toEqual(
      [],
    );

    const p = await waitFor(() => active.image.partition('t', 0), 'the partition');
    const done = await channel.call('alterPartition', {
      leaderId: p.leader,
      topicId,
      partition: 0,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      isr: [1, 2, 3, 4],
    });
    // The removed leader is answered with the ISR it asked for; the completion follows as the next record.
    expect(done).toMatchObject({ ok: true, value: { isr: [1, 2, 3, 4], partitionEpoch: p.partitionEpoch + 1 } });
    for (const n of nodes) {
      await waitFor(() => n.image.partition('t', 0)?.replicas.length === 2, `node ${n.nodeId} to apply the completion`);
      expect(n.image.partition('t', 0)).toMatchObject({
        replicas: [3, 4],
        isr: [3, 4],
        leader: 3,
        leaderEpoch: p.leaderEpoch + 1,
        addingReplicas: [],
        removingReplicas: [],
      });
    }
    expect(await channel.call('listPartitionReassignments', { query: null })).toEqual([]);
  });
});

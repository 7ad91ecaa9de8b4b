/**
 * Partition reassignment on a one-voter quorum: what the three-voter test
 * (reassignment-quorum.test.ts) does not look at — a partial ISR expansion
 * does not complete the move, the result survives a controller restart, a
 * cancel restores the old replicas, and an unregistered target is refused.
 */
import type { PartitionImage } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';
import { describe, expect, it } from 'vitest';
import type { RunningQuorum } from './fixtures/local-quorum.ts';
import { useLocalQuorum } from './fixtures/local-quorum.ts';

const fixture = useLocalQuorum('reassignment');
let q: RunningQuorum;

// The test moves replicas itself; the balancer (on by default) must not start moves of its own.
const start = () => fixture.start({ brokerConfig: { 'auto.balance.enable': 'false' } });

/** Live brokers 1..4 and topic `t` with one partition on brokers 1 and 2 (leader 1). */
async function clusterWithTopic(): Promise<{ channel: ControllerChannel; topicId: string }> {
  q = await start();
  await q.liveBrokers([1, 2, 3, 4]);
  const [created] = await q.channel.call('createTopics', {
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
  return { channel: q.channel, topicId: created.result.value.topicId };
}

function partition(): PartitionImage {
  const p = q.image.partition('t', 0);
  if (p === undefined) throw new Error('no partition t-0');
  return p;
}

/** The leader of t-0 asks for `isr`, naming the epochs it last saw. */
async function expandIsr(channel: ControllerChannel, topicId: string, isr: number[]) {
  const p = partition();
  return channel.call('alterPartition', {
    leaderId: p.leader,
    topicId,
    partition: 0,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    isr,
  });
}

describe('partition reassignment on a one-voter quorum', () => {
  it('a move from {1,2} to {3,4} waits while only 3 joins the ISR, completes when 4 does, and survives a restart', async () => {
    const { channel, topicId } = await clusterWithTopic();
    const started = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: [3, 4] }],
    });
    expect(started).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
    expect(partition()).toMatchObject({ replicas: [3, 4, 1, 2], isr: [1, 2], leader: 1 });

    expect((await expandIsr(channel, topicId, [1, 2, 3])).ok).toBe(true);
    expect(partition()).toMatchObject({ replicas: [3, 4, 1, 2], isr: [1, 2, 3], addingReplicas: [3, 4] });
    expect(await channel.call('listPartitionReassignments', { query: [{ topic: 't', partitions: [0] }] })).toHaveLength(
      1,
    );

    const before = partition().partitionEpoch;
    const last = await expandIsr(channel, topicId, [1, 2, 3, 4]);
    // The removed leader is answered with the ISR it asked for; the completion follows as the next record.
    expect(last).toMatchObject({ ok: true, value: { isr: [1, 2, 3, 4], partitionEpoch: before + 1 } });
    expect(partition().partitionEpoch).toBe(before + 2);
    expect(partition()).toMatchObject({
      replicas: [3, 4],
      isr: [3, 4],
      leader: 3,
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(await channel.call('listPartitionReassignments', { query: null })).toEqual([]);

    // Committed, not just in memory: a restarted controller replays the same state.
    await q.stop();
    q = await start();
    expect(partition()).toMatchObject({ replicas: [3, 4], isr: [3, 4], leader: 3 });
  });

  it('a cancel restores the original replicas and a second cancel has nothing to cancel', async () => {
    const { channel } = await clusterWithTopic();
    await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: [3, 4] }],
    });
    const cancelled = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: null }],
    });
    expect(cancelled[0]?.result.ok).toBe(true);
    expect(partition()).toMatchObject({ replicas: [1, 2], isr: [1, 2], addingReplicas: [], removingReplicas: [] });
    const again = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: null }],
    });
    expect(again[0]?.result).toMatchObject({ ok: false, error: 'no_reassignment_in_progress' });
  });

  it('an unregistered target broker is refused with invalid_replica_assignment and nothing changes', async () => {
    const { channel } = await clusterWithTopic();
    const before = partition();
    const offset = q.image.lastOffset;
    const refused = await channel.call('alterPartitionReassignments', {
      reassignments: [{ topic: 't', partition: 0, replicas: [1, 9] }],
    });
    expect(refused[0]?.result).toMatchObject({ ok: false, error: 'invalid_replica_assignment' });
    expect(partition()).toEqual(before);
    expect(q.image.lastOffset).toBe(offset);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@runnel/controller';
import type { ControllerChannel, PartitionImage } from '@runnel/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let controller: Controller | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-reassignment-'));
});

afterEach(async () => {
  await controller?.close();
  controller = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Brokers 1..4 and topic `t` with one partition on brokers 1 and 2 (leader 1). */
async function clusterWithTopic(): Promise<{ channel: ControllerChannel; topicId: string }> {
  controller = await Controller.open({ dir });
  const channel = controller.channel();
  for (const brokerId of [1, 2, 3, 4]) {
    const registered = await channel.registerBroker({
      brokerId,
      incarnationId: `i${brokerId}`,
      listeners: [],
      rack: null,
      previousShutdownClean: true,
    });
    expect(registered.ok).toBe(true);
  }
  const [created] = await channel.createTopics(
    [
      {
        name: 't',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partition: 0, brokerIds: [1, 2] }],
        configs: {},
      },
    ],
    { validateOnly: false },
  );
  if (created === undefined || !created.result.ok) throw new Error('topic not created');
  return { channel, topicId: created.result.value.topicId };
}

function partition(): PartitionImage {
  const p = controller?.image.partition('t', 0);
  if (p === undefined) throw new Error('no partition t-0');
  return p;
}

/** The leader of t-0 asks for `isr`, naming the epochs it last saw. */
async function expandIsr(channel: ControllerChannel, topicId: string, isr: number[]) {
  const p = partition();
  return channel.alterPartition({
    leaderId: p.leader,
    topicId,
    partition: 0,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    isr,
  });
}

describe('single-node Controller partition reassignment', () => {
  it('a move from {1,2} to {3,4} starts at once and completes when the ISR expansion brings 4 in', async () => {
    const { channel, topicId } = await clusterWithTopic();
    const started = await channel.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [3, 4] }]);
    expect(started).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
    expect(partition()).toMatchObject({ replicas: [3, 4, 1, 2], isr: [1, 2], leader: 1 });
    expect(await channel.listPartitionReassignments(null)).toEqual([
      { topic: 't', partition: 0, replicas: [3, 4, 1, 2], addingReplicas: [3, 4], removingReplicas: [1, 2] },
    ]);

    expect((await expandIsr(channel, topicId, [1, 2, 3])).ok).toBe(true);
    expect(await channel.listPartitionReassignments([{ topic: 't', partitions: [0] }])).toHaveLength(1);

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
    expect(await channel.listPartitionReassignments(null)).toEqual([]);

    // Committed, not just in memory: a reopened controller replays the same state.
    await controller?.close();
    controller = await Controller.open({ dir });
    expect(partition()).toMatchObject({ replicas: [3, 4], isr: [3, 4], leader: 3 });
  });

  it('a cancel restores the original replicas and a second cancel has nothing to cancel', async () => {
    const { channel } = await clusterWithTopic();
    await channel.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [3, 4] }]);
    const cancelled = await channel.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: null }]);
    expect(cancelled[0]?.result.ok).toBe(true);
    expect(partition()).toMatchObject({ replicas: [1, 2], isr: [1, 2], addingReplicas: [], removingReplicas: [] });
    const again = await channel.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: null }]);
    expect(again[0]?.result).toMatchObject({ ok: false, error: 'no_reassignment_in_progress' });
  });

  it('an unregistered target broker is refused with invalid_replica_assignment and nothing changes', async () => {
    const { channel } = await clusterWithTopic();
    const before = partition();
    const refused = await channel.alterPartitionReassignments([{ topic: 't', partition: 0, replicas: [1, 9] }]);
    expect(refused[0]?.result).toMatchObject({ ok: false, error: 'invalid_replica_assignment' });
    expect(partition()).toBe(before);
  });
});

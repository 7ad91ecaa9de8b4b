import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@runnel/controller';
import type { CommittedBatch, ControllerChannel } from '@runnel/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let controller: Controller | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-alter-partition-'));
});

afterEach(async () => {
  await controller?.close();
  controller = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Brokers 1..3 and topic `t` with one partition on all three (ISR = replicas). */
async function clusterWithTopic(): Promise<{ channel: ControllerChannel; topicId: string }> {
  controller = await Controller.open({ dir });
  const channel = controller.channel();
  for (const brokerId of [1, 2, 3]) {
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
    [{ name: 't', numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
    { validateOnly: false },
  );
  if (created === undefined || !created.result.ok) throw new Error('topic not created');
  return { channel, topicId: created.result.value.topicId };
}

describe('single-node Controller alterPartition', () => {
  it('a leader shrinking its ISR commits the change, subscribers see it first, and it survives a reopen', async () => {
    const { channel, topicId } = await clusterWithTopic();
    const before = controller?.image.partition('t', 0);
    if (before === undefined) throw new Error('no partition');
    const dropped = before.replicas.find((r) => r !== before.leader) ?? -1;
    const isr = before.isr.filter((r) => r !== dropped);
    const seen: CommittedBatch[] = [];
    channel.subscribe((b) => seen.push(b));
    const seenBefore = seen.length;

    const result = await channel.alterPartition({
      leaderId: before.leader,
      topicId,
      partition: 0,
      leaderEpoch: before.leaderEpoch,
      partitionEpoch: before.partitionEpoch,
      isr,
    });
    expect(result).toEqual({ ok: true, value: { partitionEpoch: before.partitionEpoch + 1, isr } });
    expect(seen.slice(seenBefore).flatMap((b) => b.records)).toEqual([
      expect.objectContaining({ type: 'partition', isr, partitionEpoch: before.partitionEpoch + 1 }),
    ]);
    expect(controller?.image.partition('t', 0)).toMatchObject({ isr, leader: before.leader });

    await controller?.close();
    controller = await Controller.open({ dir });
    expect(controller.image.partition('t', 0)).toMatchObject({ isr, partitionEpoch: before.partitionEpoch + 1 });
  });

  it('a request with the partition epoch from before the last change is refused and commits nothing', async () => {
    const { channel, topicId } = await clusterWithTopic();
    const p = controller?.image.partition('t', 0);
    if (p === undefined) throw new Error('no partition');
    const req = {
      leaderId: p.leader,
      topicId,
      partition: 0,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
    };
    expect((await channel.alterPartition({ ...req, isr: [p.leader] })).ok).toBe(true);
    const offset = controller?.image.lastOffset;

    const stale = await channel.alterPartition({ ...req, isr: [...p.replicas] });
    expect(stale).toMatchObject({ ok: false, error: 'invalid_update_version' });
    expect(controller?.image.lastOffset).toBe(offset);
    expect(controller?.image.partition('t', 0)?.isr).toEqual([p.leader]);
  });
});

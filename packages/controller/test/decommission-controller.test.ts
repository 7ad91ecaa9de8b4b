/**
 * Decommission through the single-node Controller's channel: start, the
 * balance duty draining the broker (moves complete as the partition leaders
 * report the new replicas in sync), removable, refuse, cancel, and the
 * broker-state surviving a reopen of the metadata log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@runnel/controller';
import type { BrokerStatus, ControllerChannel } from '@runnel/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let controller: Controller | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-decommission-'));
});

afterEach(async () => {
  await controller?.close();
  controller = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<ControllerChannel> {
  // A short interval so the periodic duty runs within the test; moves only complete when ISRs expand.
  controller = await Controller.open({ dir, balanceIntervalMs: 20, balanceMovesMax: 3 });
  return controller.channel();
}

/** Brokers 1..n registered, and topic `t` with `partitions` partitions of RF `rf` placed by the controller. */
async function cluster(brokers: number, partitions: number, rf: number): Promise<ControllerChannel> {
  const channel = await open();
  for (let brokerId = 1; brokerId <= brokers; brokerId++) {
    const listeners = [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9091 + brokerId, securityProtocol: 'PLAINTEXT' }];
    const registered = await channel.registerBroker({
      brokerId,
      incarnationId: `i${brokerId}`,
      listeners,
      rack: null,
      previousShutdownClean: true,
    });
    expect(registered.ok).toBe(true);
  }
  const [created] = await channel.createTopics(
    [{ name: 't', numPartitions: partitions, replicationFactor: rf, assignments: [], configs: {} }],
    { validateOnly: false },
  );
  expect(created?.result.ok).toBe(true);
  return channel;
}

/** Every partition's leader reports its adding replicas in sync, as brokers do once they caught up. */
async function catchUpAll(channel: ControllerChannel): Promise<void> {
  const image = controller?.image;
  const topic = image?.topic('t');
  for (const p of topic?.partitions ?? []) {
    if (p.addingReplicas.length === 0 || topic === undefined) continue;
    const reply = await channel.alterPartition({
      leaderId: p.leader,
      topicId: topic.topicId,
      partition: p.partition,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      isr: [...new Set([...p.isr, ...p.addingReplicas])],
    });
    expect(reply.ok).toBe(true);
  }
}

async function status(channel: ControllerChannel, brokerId: number): Promise<BrokerStatus | undefined> {
  return (await channel.describeBrokers?.())?.find((b) => b.brokerId === brokerId);
}

/** Completes moves as they start until broker `id` is removable (bounded by a deadline, not a sleep). */
async function drain(channel: ControllerChannel, id: number): Promise<BrokerStatus> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await catchUpAll(channel);
    const s = await status(channel, id);
    if (s?.state === 'removable') return s;
    if (Date.now() > deadline) throw new Error(`broker ${id} still ${s?.state} with ${s?.replicas} replicas`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('single-node Controller broker decommission', () => {
  it('drains broker 4 of a 4-broker cluster: moves complete as replicas catch up, then it is removable and leads nothing', async () => {
    const channel = await cluster(4, 8, 2);
    expect((await status(channel, 4))?.replicas).toBe(4);
    const started = await channel.decommissionBroker?.(4, { cancel: false });
    expect(started).toMatchObject({ ok: true, value: { brokerId: 4, state: 'decommissioning' } });
    // No more than balanceMovesMax moves are in flight at once.
    expect((await channel.listPartitionReassignments(null)).length).toBeLessThanOrEqual(3);

    const done = await drain(channel, 4);
    expect(done).toMatchObject({ state: 'removable', replicas: 0, leaders: 0, moving: 0, fenced: false });
    const image = controller?.image;
    for (const p of image?.topic('t')?.partitions ?? []) {
      expect(p.replicas).not.toContain(4);
      expect(p.replicas).toHaveLength(2);
    }
    const others = (await channel.describeBrokers?.())?.filter((b) => b.brokerId !== 4) ?? [];
    expect(others.map((b) => b.replicas).reduce((a, b) => a + b, 0)).toBe(16);
  });

  it('a decommissioning broker gets no replicas of a new topic', async () => {
    const channel = await cluster(3, 1, 1);
    expect((await channel.decommissionBroker?.(3, { cancel: false }))?.ok).toBe(true);
    const [created] = await channel.createTopics(
      [{ name: 'fresh', numPartitions: 6, replicationFactor: 2, assignments: [], configs: {} }],
      { validateOnly: false },
    );
    expect(created?.result.ok).toBe(true);
    for (const p of controller?.image.topic('fresh')?.partitions ?? []) expect(p.replicas).not.toContain(3);
  });

  it('refuses when the brokers left cannot hold the replication factor, naming the partition and the brokers', async () => {
    const channel = await cluster(3, 2, 3);
    const refused = await channel.decommissionBroker?.(2, { cancel: false });
    expect(refused).toMatchObject({ ok: false, error: 'insufficient_brokers' });
    expect(refused?.ok === false ? refused.message : '').toMatch(
      /Cannot decommission broker 2: partition \d of 't' has replication factor 3, but only 2 \(1, 3\) would remain/,
    );
    expect((await status(channel, 2))?.state).toBe('active');
  });

  it('refuses an unknown broker and a cancel of a broker that is not decommissioning', async () => {
    const channel = await cluster(2, 1, 1);
    expect(await channel.decommissionBroker?.(9, { cancel: false })).toMatchObject({
      ok: false,
      error: 'unknown_broker',
    });
    expect(await channel.decommissionBroker?.(1, { cancel: true })).toMatchObject({
      ok: false,
      error: 'not_decommissioning',
    });
  });

  it('cancel returns the broker to active, and the decommissioning state survives a reopen', async () => {
    const channel = await cluster(3, 3, 1);
    expect((await channel.decommissionBroker?.(3, { cancel: false }))?.ok).toBe(true);
    // A second start is not an error.
    expect(await channel.decommissionBroker?.(3, { cancel: false })).toMatchObject({ ok: true });
    await controller?.close();
    const reopened = await open();
    expect(controller?.image.brokerState(3)).toBe('decommissioning');
    const cancelled = await reopened.decommissionBroker?.(3, { cancel: true });
    expect(cancelled).toMatchObject({ ok: true, value: { brokerId: 3, state: 'active' } });
    expect(controller?.image.brokerState(3)).toBe('active');
  });
});

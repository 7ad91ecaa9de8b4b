/**
 * Decommission through the gRPC channel of a one-voter quorum: start, the
 * balance duty draining the broker (moves complete as the partition leaders
 * report the new replicas in sync), removable, refuse, cancel, and the
 * broker state surviving a controller restart.
 */
import type { AlterPartitionError, BrokerStatus } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';
import { describe, expect, it } from 'vitest';
import type { RunningQuorum } from './fixtures/local-quorum.ts';
import { useLocalQuorum } from './fixtures/local-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const fixture = useLocalQuorum('decommission');
let q: RunningQuorum;

// A short interval so the periodic duty runs within the test; moves only complete when ISRs expand.
const start = () => fixture.start({ config: { balanceIntervalMs: 20, balanceMovesMax: 3 } });

/** Live brokers 1..n, and topic `t` with `partitions` partitions of RF `rf` placed by the controller. */
async function cluster(brokers: number, partitions: number, rf: number): Promise<ControllerChannel> {
  q = await start();
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  await q.liveBrokers(ids, {
    listeners: (brokerId) => [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9091 + brokerId, securityProtocol: 'PLAINTEXT' },
    ],
  });
  const [created] = await q.channel.call('createTopics', {
    topics: [{ name: 't', numPartitions: partitions, replicationFactor: rf, assignments: [], configs: {} }],
    validateOnly: false,
  });
  expect(created?.result.ok).toBe(true);
  return q.channel;
}

const staleView = new Set<AlterPartitionError>([
  'fenced_leader_epoch',
  'invalid_update_version',
  'not_leader_or_follower',
]);

/** Every partition's leader reports its adding replicas in sync, as brokers do once they caught up. */
async function catchUpAll(channel: ControllerChannel): Promise<void> {
  const image = q.image;
  const topic = image.topic('t');
  for (const p of topic?.partitions ?? []) {
    if (p.addingReplicas.length === 0 || topic === undefined) continue;
    const reply = await channel.call('alterPartition', {
      leaderId: p.leader,
      topicId: topic.topicId,
      partition: p.partition,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      isr: [...new Set([...p.isr, ...p.addingReplicas])],
    });
    // The balance duty may have moved leadership since the image was read: a real leader refetches and retries.
    if (!reply.ok && !staleView.has(reply.error)) throw new Error(`ISR expansion refused: ${reply.error}`);
  }
}

async function status(channel: ControllerChannel, brokerId: number): Promise<BrokerStatus | undefined> {
  return (await channel.call('describeBrokers', {})).find((b) => b.brokerId === brokerId);
}

/** Completes moves as they start until broker `id` is removable. */
async function drain(channel: ControllerChannel, id: number): Promise<BrokerStatus> {
  return waitFor(async () => {
    await catchUpAll(channel);
    const s = await status(channel, id);
    return s?.state === 'removable' && s;
  }, `broker ${id} to be drained`);
}

describe('broker decommission on a one-voter quorum', () => {
  it('drains broker 4 of a 4-broker cluster: moves complete as replicas catch up, then it is removable and leads nothing', async () => {
    const channel = await cluster(4, 8, 2);
    expect((await status(channel, 4))?.replicas).toBe(4);
    const started = await channel.call('decommissionBroker', { brokerId: 4, cancel: false });
    expect(started).toMatchObject({ ok: true, value: { brokerId: 4, state: 'decommissioning' } });
    // No more than balanceMovesMax moves are in flight at once.
    expect((await channel.call('listPartitionReassignments', { query: null })).length).toBeLessThanOrEqual(3);

    const done = await drain(channel, 4);
    expect(done).toMatchObject({ state: 'removable', replicas: 0, leaders: 0, moving: 0, fenced: false });
    for (const p of q.image.topic('t')?.partitions ?? []) {
      expect(p.replicas).not.toContain(4);
      expect(p.replicas).toHaveLength(2);
    }
    const others = (await channel.call('describeBrokers', {})).filter((b) => b.brokerId !== 4);
    expect(others.map((b) => b.replicas).reduce((a, b) => a + b, 0)).toBe(16);
  });

  it('a decommissioning broker gets no replicas of a new topic', async () => {
    const channel = await cluster(3, 1, 1);
    expect((await channel.call('decommissionBroker', { brokerId: 3, cancel: false })).ok).toBe(true);
    const [created] = await channel.call('createTopics', {
      topics: [{ name: 'fresh', numPartitions: 6, replicationFactor: 2, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(created?.result.ok).toBe(true);
    for (const p of q.image.topic('fresh')?.partitions ?? []) expect(p.replicas).not.toContain(3);
  });

  it('refuses when the brokers left cannot hold the replication factor, naming the partition and the brokers', async () => {
    const channel = await cluster(3, 2, 3);
    const refused = await channel.call('decommissionBroker', { brokerId: 2, cancel: false });
    expect(refused).toMatchObject({ ok: false, error: 'insufficient_brokers' });
    expect(refused.ok === false ? refused.message : '').toMatch(
      /Cannot decommission broker 2: partition \d of 't' has replication factor 3, but only 2 \(1, 3\) would remain/,
    );
    expect((await status(channel, 2))?.state).toBe('active');
  });

  it('refuses an unknown broker and a cancel of a broker that is not decommissioning', async () => {
    const channel = await cluster(2, 1, 1);
    expect(await channel.call('decommissionBroker', { brokerId: 9, cancel: false })).toMatchObject({
      ok: false,
      error: 'unknown_broker',
    });
    expect(await channel.call('decommissionBroker', { brokerId: 1, cancel: true })).toMatchObject({
      ok: false,
      error: 'not_decommissioning',
    });
  });

  it('cancel returns the broker to active, and the decommissioning state survives a restart', async () => {
    const channel = await cluster(3, 3, 1);
    expect((await channel.call('decommissionBroker', { brokerId: 3, cancel: false })).ok).toBe(true);
    // A second start is not an error.
    expect(await channel.call('decommissionBroker', { brokerId: 3, cancel: false })).toMatchObject({ ok: true });
    await q.stop();
    q = await start();
    const reopened = q.channel;
    expect(q.image.brokerState(3)).toBe('decommissioning');
    const cancelled = await reopened.call('decommissionBroker', { brokerId: 3, cancel: true });
    expect(cancelled).toMatchObject({ ok: true, value: { brokerId: 3, state: 'active' } });
    expect(q.image.brokerState(3)).toBe('active');
  });
});

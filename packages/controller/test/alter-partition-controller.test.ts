/**
 * AlterPartition on a one-voter quorum (combined mode): what the three-voter
 * test (alter-partition-quorum.test.ts) does not look at — subscribers see
 * the change before the call resolves, it survives a controller restart, and
 * a refused change commits nothing.
 */
import type { CommittedBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import type { RunningQuorum } from './fixtures/local-quorum.ts';
import { useLocalQuorum } from './fixtures/local-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const fixture = useLocalQuorum('alter-partition');

/** Live brokers 1..3 and topic `t` with one partition on all three (ISR = replicas). */
async function clusterWithTopic(): Promise<{ q: RunningQuorum; topicId: string }> {
  const q = await fixture.start();
  await q.liveBrokers([1, 2, 3]);
  const [created] = await q.channel.call('createTopics', {
    topics: [{ name: 't', numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
    validateOnly: false,
  });
  if (created === undefined || !created.result.ok) throw new Error('topic not created');
  return { q, topicId: created.result.value.topicId };
}

describe('AlterPartition on a one-voter quorum', () => {
  it('a leader shrinking its ISR commits the change, subscribers see it first, and it survives a restart', async () => {
    const { q, topicId } = await clusterWithTopic();
    const before = q.image.partition('t', 0);
    if (before === undefined) throw new Error('no partition');
    const dropped = before.replicas.find((r) => r !== before.leader) ?? -1;
    const isr = before.isr.filter((r) => r !== dropped);
    const seen: CommittedBatch[] = [];
    q.channel.subscribe((b) => seen.push(b));
    const backlogEnd = q.image.lastOffset;
    await waitFor(() => seen.at(-1)?.lastOffset === backlogEnd, 'the backlog');
    const seenBefore = seen.length;

    const result = await q.channel.call('alterPartition', {
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
    expect(q.image.partition('t', 0)).toMatchObject({ isr, leader: before.leader });

    await q.stop();
    const restarted = await fixture.start();
    expect(restarted.image.partition('t', 0)).toMatchObject({ isr, partitionEpoch: before.partitionEpoch + 1 });
  });

  it('a request with the partition epoch from before the last change is refused and commits nothing', async () => {
    const { q, topicId } = await clusterWithTopic();
    const p = q.image.partition('t', 0);
    if (p === undefined) throw new Error('no partition');
    const req = {
      leaderId: p.leader,
      topicId,
      partition: 0,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
    };
    expect((await q.channel.call('alterPartition', { ...req, isr: [p.leader] })).ok).toBe(true);
    const offset = q.image.lastOffset;

    const stale = await q.channel.call('alterPartition', { ...req, isr: [...p.replicas] });
    expect(stale).toMatchObject({ ok: false, error: 'invalid_update_version' });
    expect(q.image.lastOffset).toBe(offset);
    expect(q.image.partition('t', 0)?.isr).toEqual([p.leader]);
  });
});

import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { fenceBroker, unfenceBroker } from '../src/logic/broker-fencing.ts';
import { leaderDuties } from '../src/logic/leader-duties.ts';
import {
  preferredLeaderElections,
  preferredReplicaImbalanceCount,
  rebalanceLeaders,
  rebalanceSettings,
} from '../src/logic/preferred-leaders.ts';

const topicId = '11111111-2222-3333-4444-555555555555';

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

/** Brokers 1-3; topic "t" with partitions on [1,2,3], [2,3,1], [3,1,2], each led by its first replica. */
function cluster(): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `inc-${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push({ type: 'topic', name: 't', topicId });
  const assignment = [
    [1, 2, 3],
    [2, 3, 1],
    [3, 1, 2],
  ];
  for (const [partition, replicas] of assignment.entries()) {
    records.push({
      type: 'partition',
      topicId,
      partition,
      replicas,
      isr: replicas,
      leader: replicas[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    });
  }
  return apply(MetadataImage.empty, records);
}

/** Broker 1 failed and came back: partition 0 is led by 2, and 1 is back in its ISR (as its leader would add it). */
function afterFailover(): MetadataImage {
  let image = cluster();
  image = apply(image, fenceBroker(image, 1, {}));
  image = apply(image, unfenceBroker(image, 1, {}));
  const p = image.partition('t', 0);
  if (p === undefined) throw new Error('no t-0');
  return apply(image, [{ type: 'partition', topicId, ...p, isr: [2, 3, 1], partitionEpoch: p.partitionEpoch + 1 }]);
}

const leaders = (image: MetadataImage) => image.topic('t')?.partitions.map((p) => p.leader);

describe('preferred leader election', () => {
  it('moves leadership back to a live, in-sync preferred replica with a new leader epoch', () => {
    const image = afterFailover();
    expect(leaders(image)).toEqual([2, 2, 3]);
    expect(preferredReplicaImbalanceCount(image)).toBe(1);
    const before = image.partition('t', 0);
    const { records, results } = preferredLeaderElections(image, { partitions: [{ topic: 't', partition: 0 }] });
    expect(results).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
    const after = apply(image, records);
    expect(after.partition('t', 0)).toMatchObject({
      leader: 1,
      isr: [2, 3, 1],
      leaderEpoch: (before?.leaderEpoch ?? 0) + 1,
      partitionEpoch: (before?.partitionEpoch ?? 0) + 1,
    });
    expect(preferredReplicaImbalanceCount(after)).toBe(0);
  });

  it('answers election_not_needed, preferred_leader_not_available and unknown_topic_or_partition without records', () => {
    let image = cluster();
    image = apply(image, fenceBroker(image, 1, {}));
    image = apply(image, unfenceBroker(image, 1, {}));
    // Broker 1 is live but not back in the ISR of partition 0 (its leader has not added it yet).
    const { records, results } = preferredLeaderElections(image, {
      partitions: [
        { topic: 't', partition: 1 },
        { topic: 't', partition: 0 },
        { topic: 't', partition: 7 },
        { topic: 'nope', partition: 0 },
      ],
    });
    expect(records).toEqual([]);
    expect(results.map((r) => (r.result.ok ? 'ok' : r.result.error))).toEqual([
      'election_not_needed',
      'preferred_leader_not_available',
      'unknown_topic_or_partition',
      'unknown_topic_or_partition',
    ]);
  });

  it('null elects every partition that can move and answers only those', () => {
    const { records, results } = preferredLeaderElections(afterFailover(), { partitions: null });
    expect(records).toHaveLength(1);
    expect(results).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
  });
});

describe('automatic leader rebalancing', () => {
  it('rebalances a broker whose share of lost preferred leaderships is above the threshold', () => {
    const image = afterFailover();
    // Broker 1 prefers one partition and leads none of them: 100% > 10%.
    const records = rebalanceLeaders(image, { enabled: true, imbalancePercentMax: 10 });
    expect(leaders(apply(image, records))).toEqual([1, 2, 3]);
  });

  it('does nothing at or below the threshold, or when disabled', () => {
    const image = afterFailover();
    expect(rebalanceLeaders(image, { enabled: true, imbalancePercentMax: 100 })).toEqual([]);
    expect(rebalanceLeaders(image, { enabled: false, imbalancePercentMax: 0 })).toEqual([]);
  });

  it('reads auto.leader.rebalance.enable and leader.imbalance.per.broker.percentage with Kafka defaults', () => {
    const image = cluster();
    expect(rebalanceSettings(image, {})).toEqual({ enabled: true, imbalancePercentMax: 10 });
    const off = { 'auto.leader.rebalance.enable': 'false', 'leader.imbalance.per.broker.percentage': '25' };
    expect(rebalanceSettings(image, off)).toEqual({ enabled: false, imbalancePercentMax: 25 });
    const dynamic = apply(image, [
      {
        type: 'config',
        resourceType: 'broker',
        resourceName: '',
        name: 'auto.leader.rebalance.enable',
        value: 'false',
      },
    ]);
    expect(rebalanceSettings(dynamic, {}).enabled).toBe(false);
  });

  it('the periodic duties rebalance only when enabled in the broker config', () => {
    const image = afterFailover();
    expect(leaders(apply(image, leaderDuties(image, {})))).toEqual([1, 2, 3]);
    expect(leaderDuties(image, { 'auto.leader.rebalance.enable': 'false' })).toEqual([]);
  });
});

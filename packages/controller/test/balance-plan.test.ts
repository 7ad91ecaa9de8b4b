import type { MetadataRecord, PartitionReassignment, PartitionRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { balanceDuties, balanceStatus } from '../src/logic/balance-duties.ts';
import type { BalanceSettings } from '../src/logic/balance-plan.ts';
import { planBalance, preferredCounts, replicaCounts, spread } from '../src/logic/balance-plan.ts';
import { completeReassignment } from '../src/logic/reassignment.ts';
import { placeReplicas } from '../src/logic/replica-placement.ts';

const on: BalanceSettings = { enabled: true, maxConcurrentMoves: 1000, electLeaders: true };

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

function topicId(i: number): string {
  return `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
}

function registration(brokerId: number, rack: string | null = null): MetadataRecord {
  return {
    type: 'register-broker',
    brokerId,
    incarnationId: `inc-${brokerId}`,
    brokerEpoch: BigInt(brokerId),
    listeners: [],
    rack,
  };
}

function partitionRecord(topic: number, partition: number, replicas: number[]): PartitionRecord {
  return {
    type: 'partition',
    topicId: topicId(topic),
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
  };
}

interface Shape {
  /** Brokers the topics were placed on. */
  readonly placedOn: readonly number[];
  /** Brokers registered later (empty). */
  readonly added?: readonly number[];
  readonly racks?: Readonly<Record<number, string>>;
  readonly topics: readonly { partitions: number; rf: number }[];
}

/** Topics placed by the controller's own placement over `placedOn`, then `added` brokers registered. */
function clusterOf(shape: Shape): MetadataImage {
  const rack = (id: number) => shape.racks?.[id] ?? null;
  const records: MetadataRecord[] = shape.placedOn.map((id) => registration(id, rack(id)));
  const loads = new Map();
  for (const [t, { partitions, rf }] of shape.topics.entries()) {
    records.push({ type: 'topic', name: `topic-${t}`, topicId: topicId(t) });
    const brokers = shape.placedOn.map((brokerId) => ({ brokerId, rack: rack(brokerId) }));
    for (const [p, replicas] of placeReplicas(brokers, loads, partitions, rf, t).entries()) {
      records.push(partitionRecord(t, p, replicas));
    }
  }
  for (const id of shape.added ?? []) records.push(registration(id, rack(id)));
  return apply(MetadataImage.empty, records);
}

/**
 * Runs the balance duty until it plans nothing, completing every started
 * move at once (each adding replica caught up) as brokers would; returns the
 * final image and the number of rounds.
 */
function settle(start: MetadataImage, settings: BalanceSettings): { image: MetadataImage; rounds: number } {
  let image = start;
  for (let rounds = 1; rounds <= 100; rounds++) {
    const { records } = balanceDuties(image, settings);
    if (records.length === 0) return { image, rounds };
    image = apply(image, records);
    const completions: MetadataRecord[] = [];
    for (const name of image.topicNames()) {
      const topic = image.topic(name);
      for (const p of topic?.partitions ?? []) {
        if (p.addingReplicas.length === 0 && p.removingReplicas.length === 0) continue;
        const record = {
          type: 'partition' as const,
          topicId: topic?.topicId ?? '',
          ...p,
          isr: [...new Set([...p.isr, ...p.addingReplicas])],
        };
        completions.push({ ...completeReassignment(image, record), partitionEpoch: p.partitionEpoch + 1 });
      }
    }
    image = apply(image, completions);
  }
  throw new Error('balance did not settle in 100 rounds');
}

function leaderCounts(image: MetadataImage): Map<number, number> {
  const counts = new Map<number, number>(image.placeableBrokers().map((b) => [b.brokerId, 0]));
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  }
  return counts;
}

function expectBalanced(image: MetadataImage): void {
  expect(spread(replicaCounts(image))).toBeLessThanOrEqual(1);
  expect(spread(preferredCounts(image))).toBeLessThanOrEqual(1);
  expect(spread(leaderCounts(image))).toBeLessThanOrEqual(1);
}

function replicasOf(image: MetadataImage): number[][] {
  return image.topicNames().flatMap((name) => (image.topic(name)?.partitions ?? []).map((p) => [...p.replicas]));
}

describe('planBalance', () => {
  it('an already balanced cluster plans no moves', () => {
    const image = clusterOf({ placedOn: [1, 2, 3], topics: [{ partitions: 12, rf: 3 }] });
    expect(planBalance(image, on)).toEqual([]);
    expect(balanceDuties(image, on).records).toEqual([]);
  });

  it('3 -> 4 brokers, 12 partitions RF 3: replicas 9 each and leaders 3 each, every partition keeps 3 replicas', () => {
    const image = clusterOf({ placedOn: [1, 2, 3], added: [4], topics: [{ partitions: 12, rf: 3 }] });
    expect(replicaCounts(image)).toEqual(
      new Map([
        [1, 12],
        [2, 12],
        [3, 12],
        [4, 0],
      ]),
    );
    const { image: balanced } = settle(image, on);
    expect(replicaCounts(balanced)).toEqual(
      new Map([
        [1, 9],
        [2, 9],
        [3, 9],
        [4, 9],
      ]),
    );
    expect(preferredCounts(balanced)).toEqual(
      new Map([
        [1, 3],
        [2, 3],
        [3, 3],
        [4, 3],
      ]),
    );
    expectBalanced(balanced);
    for (const replicas of replicasOf(balanced)) expect(new Set(replicas).size).toBe(3);
  });

  it('3 -> 6 brokers with two topics of RF 3 and RF 1 ends within one of even', () => {
    const image = clusterOf({
      placedOn: [1, 2, 3],
      added: [4, 5, 6],
      topics: [
        { partitions: 10, rf: 3 },
        { partitions: 7, rf: 1 },
      ],
    });
    const { image: balanced } = settle(image, on);
    expectBalanced(balanced);
    expect(balanced.topic('topic-1')?.partitions.every((p) => p.replicas.length === 1)).toBe(true);
  });

  it('6 RF 1 partitions on 2 brokers spread 2-2-2 once a third broker joins', () => {
    const image = clusterOf({ placedOn: [1, 2], added: [3], topics: [{ partitions: 6, rf: 1 }] });
    const { image: balanced } = settle(image, on);
    expect(replicaCounts(balanced)).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
      ]),
    );
    expectBalanced(balanced);
  });

  it('never starts more moves than maxConcurrentMoves, counting moves already in progress', () => {
    const image = clusterOf({ placedOn: [1, 2, 3], added: [4], topics: [{ partitions: 12, rf: 3 }] });
    const plan = planBalance(image, { ...on, maxConcurrentMoves: 2 });
    const moves = (p: readonly PartitionReassignment[]) =>
      p.filter((r) => {
        const current = image.partition('topic-0', r.partition)?.replicas ?? [];
        return !(r.replicas ?? []).every((id) => current.includes(id));
      });
    expect(moves(plan)).toHaveLength(2);
    // With those two in flight and a budget of 2, nothing more moves (reorders still may).
    const inFlight = apply(image, balanceDuties(image, { ...on, maxConcurrentMoves: 2 }).records);
    expect(balanceStatus(inFlight).movesInFlight).toBe(2);
    const next = planBalance(inFlight, { ...on, maxConcurrentMoves: 2 });
    for (const r of next) {
      const p = inFlight.partition('topic-0', r.partition);
      expect(p?.addingReplicas).toEqual([]);
      expect([...(r.replicas ?? [])].sort()).toEqual([...(p?.replicas ?? [])].sort());
    }
  });

  it('never touches a partition that is already reassigning', () => {
    const image = clusterOf({ placedOn: [1, 2, 3], added: [4], topics: [{ partitions: 12, rf: 3 }] });
    const p0 = image.partition('topic-0', 0);
    if (p0 === undefined) throw new Error('no partition');
    const moving = apply(image, [
      { ...partitionRecord(0, 0, [...p0.replicas, 4]), isr: p0.replicas, addingReplicas: [4], partitionEpoch: 1 },
    ]);
    expect(planBalance(moving, on).some((r) => r.partition === 0)).toBe(false);
  });

  it('keeps replicas of a partition in different racks: 2 racks x 2 brokers, RF 2, every partition spans both', () => {
    const racks = { 1: 'a', 2: 'b', 3: 'a', 4: 'b' };
    const image = clusterOf({ placedOn: [1, 2], added: [3, 4], racks, topics: [{ partitions: 8, rf: 2 }] });
    const { image: balanced } = settle(image, on);
    expectBalanced(balanced);
    for (const replicas of replicasOf(balanced)) {
      expect(new Set(replicas.map((id) => racks[id as 1 | 2 | 3 | 4])).size).toBe(2);
    }
  });

  it('never moves a replica onto a fenced or decommissioning broker', () => {
    let image = clusterOf({ placedOn: [1, 2, 3], added: [4, 5], topics: [{ partitions: 12, rf: 3 }] });
    image = apply(image, [
      { type: 'fence-broker', brokerId: 4, brokerEpoch: 4n },
      { type: 'broker-state', brokerId: 5, state: 'decommissioning' },
    ]);
    // Broker 4 holds nothing, so its fencing does not pause balancing; 1-3 are even: nothing to do.
    expect(planBalance(image, on)).toEqual([]);
  });

  it('pauses balancing while a broker holding replicas is fenced', () => {
    let image = clusterOf({ placedOn: [1, 2, 3], added: [4], topics: [{ partitions: 12, rf: 3 }] });
    image = apply(image, [{ type: 'fence-broker', brokerId: 3, brokerEpoch: 3n }]);
    expect(planBalance(image, on)).toEqual([]);
  });

  it('drains a decommissioning broker even with balancing off, onto the emptiest brokers', () => {
    let image = clusterOf({ placedOn: [1, 2, 3, 4], topics: [{ partitions: 12, rf: 3 }] });
    image = apply(image, [{ type: 'broker-state', brokerId: 4, state: 'decommissioning' }]);
    const off = { ...on, enabled: false };
    const { image: drained } = settle(image, off);
    expect(replicaCounts(drained)).toEqual(
      new Map([
        [1, 12],
        [2, 12],
        [3, 12],
      ]),
    );
    expect(replicasOf(drained).flat()).not.toContain(4);
    expect(balanceStatus(drained).decommissioningReplicas).toBe(0);
    expect(leaderCounts(drained).get(4)).toBeUndefined();
  });

  it('with balancing off nothing moves onto a new broker', () => {
    const image = clusterOf({ placedOn: [1, 2, 3], added: [4], topics: [{ partitions: 12, rf: 3 }] });
    expect(planBalance(image, { ...on, enabled: false })).toEqual([]);
  });

  it('evens preferred leaders by reordering replicas only, then elects them', () => {
    // Every partition prefers broker 1.
    const records: MetadataRecord[] = [1, 2, 3].map((id) => registration(id));
    records.push({ type: 'topic', name: 'skewed', topicId: topicId(0) });
    for (let p = 0; p < 6; p++) records.push(partitionRecord(0, p, [1, 2, 3]));
    const image = apply(MetadataImage.empty, records);
    const plan = planBalance(image, on);
    for (const r of plan) expect([...(r.replicas ?? [])].sort()).toEqual([1, 2, 3]);
    const after = apply(image, balanceDuties(image, on).records);
    expect(preferredCounts(after)).toEqual(
      new Map([
        [1, 2],
        [2, 2],
        [3, 2],
      ]),
    );
    expect(leaderCounts(after)).toEqual(preferredCounts(after));
    expect(balanceStatus(after).movesInFlight).toBe(0);
  });

  it('never moves, reorders or drains an operator-placed partition, but still moves the controller-placed ones', () => {
    // Topic 0: 6 partitions an operator put on brokers 1 and 2, all preferring 1. Topic 1: 12 placed by the controller.
    // Broker 3 holds no pinned replica, broker 4 joins empty, broker 2 is being decommissioned.
    const records: MetadataRecord[] = [1, 2, 3].map((id) => registration(id));
    records.push({ type: 'topic', name: 'pinned', topicId: topicId(0) });
    for (let p = 0; p < 6; p++) records.push({ ...partitionRecord(0, p, [1, 2]), placement: 'operator' });
    records.push({ type: 'topic', name: 'placed', topicId: topicId(1) });
    const brokers = [1, 2, 3].map((brokerId) => ({ brokerId, rack: null }));
    for (const [p, replicas] of placeReplicas(brokers, new Map(), 12, 2, 0).entries()) {
      records.push(partitionRecord(1, p, replicas));
    }
    records.push(registration(4), { type: 'broker-state', brokerId: 2, state: 'decommissioning' });
    const image = apply(MetadataImage.empty, records);
    const pinnedBefore = image.topic('pinned')?.partitions;

    const plan = planBalance(image, on);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((r) => r.topic === 'placed')).toBe(true);
    const { image: settled, rounds } = settle(image, on);
    expect(rounds).toBeGreaterThan(1);
    // Replicas, their order (the preferred leader) and the leader of every pinned partition are as the operator left them.
    expect(settled.topic('pinned')?.partitions.map((p) => [p.replicas, p.leader, p.placement])).toEqual(
      pinnedBefore?.map((p) => [p.replicas, 1, 'operator']),
    );
    // The controller's own partitions left broker 2 and reached broker 4, and stayed controller-placed.
    const placed = settled.topic('placed')?.partitions ?? [];
    expect(placed.flatMap((p) => p.replicas)).not.toContain(2);
    expect(placed.filter((p) => p.replicas.includes(4)).length).toBeGreaterThan(0);
    expect(placed.every((p) => p.placement === undefined)).toBe(true);
    // Broker 2 keeps only the pinned replicas: the drain cannot finish without the operator.
    expect(balanceStatus(settled).decommissioningReplicas).toBe(6);
  });

  it('never reorders an operator-placed partition to even preferred leaders; the same partitions controller-placed are', () => {
    const skewed = (pinned: boolean): MetadataImage => {
      const records: MetadataRecord[] = [1, 2, 3].map((id) => registration(id));
      records.push({ type: 'topic', name: 'skewed', topicId: topicId(0) });
      for (let p = 0; p < 6; p++) {
        const record = partitionRecord(0, p, [1, 2, 3]);
        records.push(pinned ? { ...record, placement: 'operator' } : record);
      }
      return apply(MetadataImage.empty, records);
    };
    expect(planBalance(skewed(true), on)).toEqual([]);
    expect(balanceDuties(skewed(true), on).records).toEqual([]);
    expect(planBalance(skewed(false), on).length).toBeGreaterThan(0);
  });

  it("an operator-placed partition led off its preferred replica is led from it again: that restores the operator's order", () => {
    const records: MetadataRecord[] = [1, 2, 3].map((id) => registration(id));
    records.push({ type: 'topic', name: 'pinned', topicId: topicId(0) });
    for (let p = 0; p < 3; p++) {
      records.push({ ...partitionRecord(0, p, [2, 3]), leader: 3, placement: 'operator' });
    }
    const image = apply(MetadataImage.empty, records);
    const after = apply(image, balanceDuties(image, on).records);
    expect(after.topic('pinned')?.partitions.map((p) => [p.replicas, p.leader, p.placement])).toEqual([
      [[2, 3], 2, 'operator'],
      [[2, 3], 2, 'operator'],
      [[2, 3], 2, 'operator'],
    ]);
  });

  it('with auto.leader.rebalance off the duty reorders but elects no leader', () => {
    const records: MetadataRecord[] = [1, 2, 3].map((id) => registration(id));
    records.push({ type: 'topic', name: 'skewed', topicId: topicId(0) });
    for (let p = 0; p < 6; p++) records.push(partitionRecord(0, p, [1, 2, 3]));
    const image = apply(MetadataImage.empty, records);
    const outcome = balanceDuties(image, { ...on, electLeaders: false });
    expect(outcome.elected).toBe(0);
    expect(leaderCounts(apply(image, outcome.records)).get(1)).toBe(6);
  });
});

import { describe, expect, it } from 'vitest';
import { type BrokerLoad, brokerLoads, placeReplicas } from '../src/logic/replica-placement.ts';

const brokers = (ids: number[], rack: (id: number) => string | null = () => null) =>
  ids.map((brokerId) => ({ brokerId, rack: rack(brokerId) }));

function counts(assignment: number[][]): { replicas: Map<number, number>; leaders: Map<number, number> } {
  const replicas = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (const r of assignment) {
    for (const id of r) replicas.set(id, (replicas.get(id) ?? 0) + 1);
    const leader = r[0] ?? -1;
    leaders.set(leader, (leaders.get(leader) ?? 0) + 1);
  }
  return { replicas, leaders };
}

describe('replica placement', () => {
  it('spreads replicas and leaders evenly within a topic, each partition on distinct brokers', () => {
    const out = placeReplicas(brokers([1, 2, 3, 4, 5, 6]), new Map(), 12, 3, 0);
    for (const r of out) expect(new Set(r).size).toBe(3);
    const { replicas, leaders } = counts(out);
    expect([...replicas.values()]).toEqual([6, 6, 6, 6, 6, 6]);
    expect([...leaders.values()]).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('puts the replicas of each partition in different racks when racks are set', () => {
    const rackOf = (id: number) => (id <= 3 ? 'a' : id <= 6 ? 'b' : 'c');
    const out = placeReplicas(brokers([1, 2, 3, 4, 5, 6, 7, 8, 9], rackOf), new Map(), 9, 3, 0);
    for (const r of out) expect(new Set(r.map(rackOf)).size).toBe(3);
  });

  it('keeps leadership even across many single-partition topics', () => {
    const loads = new Map<number, BrokerLoad>();
    const all: number[][] = [];
    for (let t = 0; t < 30; t++) all.push(...placeReplicas(brokers([1, 2, 3]), loads, 1, 2, t));
    const { replicas, leaders } = counts(all);
    expect([...leaders.values()]).toEqual([10, 10, 10]);
    expect([...replicas.values()]).toEqual([20, 20, 20]);
  });

  it('starts new topics on the brokers that lead the fewest partitions', () => {
    const loads = brokerLoads([
      { replicas: [1, 2], leader: 1 },
      { replicas: [1, 2], leader: 1 },
      { replicas: [2, 1], leader: 2 },
    ]);
    const out = placeReplicas(brokers([1, 2, 3]), loads, 1, 1, 0);
    expect(out).toEqual([[3]]);
  });
});

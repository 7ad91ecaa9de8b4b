/**
 * Where new partitions' replicas go. Pure: (live brokers, current load,
 * partition count, replication factor) -> replica lists, leader first.
 *
 * Round-robin over a ring of brokers ordered so that neighbours sit in
 * different racks (when broker.rack is set): partition p's replicas are the
 * replication-factor brokers after position start + p, so within a topic
 * replicas and leaders are spread evenly and each partition's replicas span
 * racks. Across topics the start is the broker currently leading the fewest
 * partitions (then holding the fewest replicas), so load stays even as
 * topics accumulate.
 */
import { assert } from '@runnel/common';

export interface PlacementBroker {
  readonly brokerId: number;
  readonly rack: string | null;
}

export interface BrokerLoad {
  replicas: number;
  leaders: number;
}

/** Current replicas and leaders per broker, counted from the image's partitions. */
export function brokerLoads(
  partitions: Iterable<{ readonly replicas: readonly number[]; readonly leader: number }>,
): Map<number, BrokerLoad> {
  const loads = new Map<number, BrokerLoad>();
  const load = (id: number): BrokerLoad => {
    let l = loads.get(id);
    if (l === undefined) {
      l = { replicas: 0, leaders: 0 };
      loads.set(id, l);
    }
    return l;
  };
  for (const p of partitions) {
    for (const r of p.replicas) load(r).replicas++;
    if (p.leader >= 0) load(p.leader).leaders++;
  }
  return loads;
}

/**
 * Replica lists for `numPartitions` partitions of `replicationFactor`
 * replicas each. `loads` is updated in place, so several topics placed in
 * one request see each other. Requires replicationFactor <= brokers.length.
 */
export function placeReplicas(
  brokers: readonly PlacementBroker[],
  loads: Map<number, BrokerLoad>,
  numPartitions: number,
  replicationFactor: number,
  rotation: number,
): number[][] {
  assert(replicationFactor >= 1 && replicationFactor <= brokers.length, 'replication factor exceeds brokers');
  const ring = rackAlternating(brokers);
  const n = ring.length;
  const loadOf = (id: number): BrokerLoad => {
    let l = loads.get(id);
    if (l === undefined) {
      l = { replicas: 0, leaders: 0 };
      loads.set(id, l);
    }
    return l;
  };
  // Start where leadership is lightest; the rotation breaks ties so an empty cluster still takes turns.
  const startAt = pick(
    ring.map((id, i) => ({ id, i })),
    (c) => [loadOf(c.id).leaders, loadOf(c.id).replicas, (c.i - (rotation % n) + n) % n],
  ).i;
  const out: number[][] = [];
  for (let p = 0; p < numPartitions; p++) {
    const replicas: number[] = [];
    for (let j = 0; j < replicationFactor; j++) {
      const id = ring[(startAt + p + j) % n];
      assert(id !== undefined);
      replicas.push(id);
      loadOf(id).replicas++;
    }
    loadOf(replicas[0] ?? -1).leaders++;
    out.push(replicas);
  }
  return out;
}

/**
 * Brokers ordered so that neighbours sit in different racks where possible
 * (first broker of each rack, then the second of each, ...): consecutive
 * replicas then land in different racks. Without racks this is id order.
 */
function rackAlternating(brokers: readonly PlacementBroker[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.brokerId - y.brokerId)) {
    const rack = b.rack ?? '';
    const list = byRack.get(rack) ?? [];
    list.push(b.brokerId);
    byRack.set(rack, list);
  }
  if (byRack.size <= 1) return [...brokers].map((b) => b.brokerId).sort((x, y) => x - y);
  const racks = [...byRack.keys()].sort();
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const rack of racks) {
      const id = byRack.get(rack)?.[round];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}

/** The candidate with the lexicographically smallest key. */
function pick<T>(candidates: readonly T[], key: (c: T) => number[]): T {
  let best: T | undefined;
  let bestKey: number[] = [];
  for (const c of candidates) {
    const k = key(c);
    if (best === undefined || less(k, bestKey)) {
      best = c;
      bestKey = k;
    }
  }
  assert(best !== undefined, 'pick from no candidates');
  return best;
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

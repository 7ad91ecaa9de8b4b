/**
 * Broker balance as a pure plan: (image, settings) -> reassignments that
 * the active controller starts through the reassignment machinery, so new
 * replicas catch up at the brokers' follower.replication.throttled.rate and
 * nothing is narrowed before it is in sync.
 *
 * Three passes, each on the plan the earlier ones left:
 *
 * 1. Drain: every replica on a decommissioning broker is replaced, in place,
 *    by the placeable broker (live, not decommissioning) that keeps the
 *    partition's racks apart best, then holds the fewest replicas. This runs
 *    even when balancing is off: a decommission asked for it.
 * 2. Replicas: while the fullest placeable broker holds two or more replicas
 *    more than the emptiest, one replica moves from the first to the second
 *    (in a partition the second is not in, without losing a rack).
 * 3. Preferred leaders: while one placeable broker is the first replica of
 *    two or more partitions more than another that also holds a replica of
 *    one of them, that partition's replicas are reordered to put the other
 *    first. A reorder completes at once (same replicas); the preferred-leader
 *    election in balance-duties.ts then moves leadership.
 *
 * Only partitions the controller placed are ever moved or reordered, in any
 * pass: an assignment an operator chose (explicit CreateTopics or
 * CreatePartitions replicas, a reassignment) keeps its replicas and their
 * order, as in Kafka. Its replicas still count in every broker's load, so
 * the controller-placed ones even out around them; a decommissioning broker
 * keeps operator-placed replicas until the operator reassigns them.
 *
 * Moves (passes 1 and 2) count against maxConcurrentMoves together with the
 * reassignments already in progress, whoever started them; a partition being
 * reassigned, or without a leader to catch up from, is never touched.
 * Passes 2 and 3 wait while a broker holding replicas is fenced: a restart
 * is no reason to copy its partitions elsewhere. Every loop is bounded: each
 * move or reorder strictly reduces the spread it acts on.
 */
import type { MetadataImage, PartitionImage, PartitionReassignment } from '@runnel/metadata';
import { placementOf } from '@runnel/metadata';

export interface BalanceSettings {
  /** auto.balance.enable: even out replicas and preferred leaders (draining happens regardless). */
  readonly enabled: boolean;
  /** Reassignments in flight at most, counting those already in progress. */
  readonly maxConcurrentMoves: number;
  /**
   * auto.leader.rebalance.enable: the balance duty may also elect preferred
   * leaders to even out leader counts (never needed to drain a broker).
   */
  readonly electLeaders: boolean;
}

interface Slot {
  readonly topic: string;
  readonly partition: PartitionImage;
  /** The target replicas as planned so far, preferred leader first. */
  replicas: number[];
  /** Planned replica move (pass 1 or 2): counts against the budget. */
  moved: boolean;
}

export function planBalance(image: MetadataImage, settings: BalanceSettings): PartitionReassignment[] {
  const slots = slotsOf(image);
  const placeable = image.placeableBrokers();
  const rackOf = new Map(placeable.map((b) => [b.brokerId, b.rack ?? `\u0000${b.brokerId}`] as const));
  const ids = placeable.map((b) => b.brokerId);
  const inFlight = slots.filter((s) => reassigning(s.partition)).length;
  const plan: Plan = { slots, rackOf, ids, budget: settings.maxConcurrentMoves - inFlight };
  drain(plan, new Set(image.decommissioningBrokerIds()));
  if (settings.enabled && ids.length >= 2 && !fencedHolder(image, slots)) {
    balanceReplicas(plan);
    balancePreferredLeaders(plan);
  }
  // Only what the passes changed: a partition mid-move lists more replicas than its target, and restating it would restart the move.
  return slots
    .filter((s) => !reassigning(s.partition) && !sameList(s.replicas, s.partition.replicas))
    .map((s) => ({ topic: s.topic, partition: s.partition.partition, replicas: s.replicas }));
}

/** Replicas per placeable broker (target replicas: what a reassignment in progress leaves). */
export function replicaCounts(image: MetadataImage): Map<number, number> {
  const counts = new Map<number, number>(image.placeableBrokers().map((b) => [b.brokerId, 0]));
  for (const s of slotsOf(image))
    for (const id of s.replicas) if (counts.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Partitions whose first target replica is each placeable broker. */
export function preferredCounts(image: MetadataImage): Map<number, number> {
  const counts = new Map<number, number>(image.placeableBrokers().map((b) => [b.brokerId, 0]));
  for (const s of slotsOf(image)) {
    const first = s.replicas[0];
    if (first !== undefined && counts.has(first)) counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  return counts;
}

/** Largest minus smallest count; 0 for no brokers. */
export function spread(counts: ReadonlyMap<number, number>): number {
  const values = [...counts.values()];
  return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
}

export function reassigning(p: Pick<PartitionImage, 'addingReplicas' | 'removingReplicas'>): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

interface Plan {
  readonly slots: Slot[];
  readonly rackOf: ReadonlyMap<number, string>;
  /** Placeable broker ids, ascending. */
  readonly ids: readonly number[];
  budget: number;
}

function slotsOf(image: MetadataImage): Slot[] {
  const slots: Slot[] = [];
  for (const topic of image.topicNames()) {
    for (const p of image.topic(topic)?.partitions ?? []) {
      const target = p.replicas.filter((id) => !p.removingReplicas.includes(id));
      slots.push({ topic, partition: p, replicas: target, moved: false });
    }
  }
  return slots;
}

/** The controller placed it, so the planner may change its replicas or their order. */
function ours(s: Slot): boolean {
  return placementOf(s.partition) === 'controller';
}

/** A slot the planner may move: ours, not reassigning, led (someone to catch up from), not moved already. */
function movable(s: Slot): boolean {
  return ours(s) && !s.moved && !reassigning(s.partition) && s.partition.leader >= 0;
}

function drain(plan: Plan, draining: ReadonlySet<number>): void {
  if (draining.size === 0) return;
  for (const s of plan.slots) {
    if (plan.budget <= 0) return;
    if (!movable(s) || !s.replicas.some((id) => draining.has(id))) continue;
    const next = [...s.replicas];
    for (const [i, id] of next.entries()) {
      if (!draining.has(id)) continue;
      const others = next.filter((r) => r !== id);
      const best = bestTarget(
        plan,
        others,
        plan.ids.filter((c) => !next.includes(c)),
      );
      if (best !== undefined) next[i] = best;
    }
    if (sameList(next, s.replicas)) continue;
    s.replicas = next;
    s.moved = true;
    plan.budget--;
  }
}

/** The candidate that adds the fewest same-rack neighbours to `others`, then holds the fewest replicas. */
function bestTarget(plan: Plan, others: readonly number[], candidates: readonly number[]): number | undefined {
  const loads = loadsOf(plan, (s) => s.replicas);
  let best: number | undefined;
  let bestKey: [number, number] = [0, 0];
  for (const c of candidates) {
    const key: [number, number] = [
      others.filter((o) => plan.rackOf.get(o) === plan.rackOf.get(c)).length,
      loads.get(c) ?? 0,
    ];
    if (best === undefined || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

function balanceReplicas(plan: Plan): void {
  for (let guard = plan.slots.length * plan.ids.length; guard > 0 && plan.budget > 0; guard--) {
    const loads = loadsOf(plan, (s) => s.replicas);
    const move = findReplicaMove(plan, loads);
    if (move === null) return;
    const { slot, from, to } = move;
    slot.replicas = slot.replicas.map((id) => (id === from ? to : id));
    slot.moved = true;
    plan.budget--;
  }
}

/** From the fullest broker to the emptiest one that can take a replica of one of its partitions. */
function findReplicaMove(
  plan: Plan,
  loads: ReadonlyMap<number, number>,
): { slot: Slot; from: number; to: number } | null {
  const byLoad = [...plan.ids].sort((a, b) => (loads.get(a) ?? 0) - (loads.get(b) ?? 0) || a - b);
  for (const from of [...byLoad].reverse()) {
    for (const to of byLoad) {
      if ((loads.get(from) ?? 0) - (loads.get(to) ?? 0) <= 1) break;
      // Followers first: moving one changes no leadership.
      const candidates = plan.slots.filter(
        (s) => movable(s) && s.replicas.includes(from) && !s.replicas.includes(to) && keepsRacks(plan, s, from, to),
      );
      const slot = candidates.find((s) => s.partition.leader !== from) ?? candidates[0];
      if (slot !== undefined) return { slot, from, to };
    }
  }
  return null;
}

/** Replacing `from` by `to` leaves the partition in at least as many racks. */
function keepsRacks(plan: Plan, s: Slot, from: number, to: number): boolean {
  const racks = (ids: readonly number[]) => new Set(ids.map((id) => plan.rackOf.get(id) ?? `\u0000${id}`)).size;
  return racks(s.replicas.map((id) => (id === from ? to : id))) >= racks(s.replicas);
}

function balancePreferredLeaders(plan: Plan): void {
  for (let guard = plan.slots.length * plan.ids.length; guard > 0; guard--) {
    const counts = loadsOf(plan, (s) => s.replicas.slice(0, 1));
    const reorder = findReorder(plan, counts);
    if (reorder === null) return;
    const { slot, to } = reorder;
    slot.replicas = [to, ...slot.replicas.filter((id) => id !== to)];
  }
}

function findReorder(plan: Plan, counts: ReadonlyMap<number, number>): { slot: Slot; to: number } | null {
  const byCount = [...plan.ids].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || a - b);
  for (const from of [...byCount].reverse()) {
    for (const to of byCount) {
      if ((counts.get(from) ?? 0) - (counts.get(to) ?? 0) <= 1) break;
      // A planned move may be reordered freely; a partition already mid-move may not.
      const candidates = plan.slots.filter(
        (s) => ours(s) && !reassigning(s.partition) && s.replicas[0] === from && s.replicas.includes(to),
      );
      // Where the new preferred leader is in sync, the election can follow at once.
      const slot = candidates.find((s) => s.partition.isr.includes(to)) ?? candidates[0];
      if (slot !== undefined) return { slot, to };
    }
  }
  return null;
}

/** Per placeable broker, how many slots list it in `pick(slot)`. */
function loadsOf(plan: Plan, pick: (s: Slot) => readonly number[]): Map<number, number> {
  const loads = new Map<number, number>(plan.ids.map((id) => [id, 0]));
  for (const s of plan.slots) for (const id of pick(s)) if (loads.has(id)) loads.set(id, (loads.get(id) ?? 0) + 1);
  return loads;
}

/** A fenced broker that is not being decommissioned still holds replicas. */
function fencedHolder(image: MetadataImage, slots: readonly Slot[]): boolean {
  const fenced = new Set(
    image
      .brokers()
      .filter((b) => b.fenced && image.brokerState(b.brokerId) === 'active')
      .map((b) => b.brokerId),
  );
  return fenced.size > 0 && slots.some((s) => s.partition.replicas.some((id) => fenced.has(id)));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}

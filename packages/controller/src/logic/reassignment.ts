/**
 * Partition reassignment (KIP-455) as pure functions of the image.
 *
 * A reassignment widens the replica set first and narrows it later, so no
 * committed record ever depends on a replica that has not caught up:
 *
 * - start: replicas = target then the current replicas not in it;
 *   addingReplicas = target - current, removingReplicas = current - target.
 *   Leader and ISR stay; the new replicas start fetching from the leader.
 * - complete: once every adding replica is in the ISR, replicas = target and
 *   ISR = ISR ∩ target. A leader being removed hands over to the first
 *   target replica in that ISR that is live. Completion waits (rather than
 *   leaving the ISR empty or the partition leaderless) when neither holds.
 * - cancel: back to the current replicas minus the adding ones.
 *
 * Every start or cancel records who asked (`placedBy`): an operator's call
 * (AlterPartitionReassignments, the default) marks the partition
 * operator-placed, so the balancer leaves the replicas and their order as
 * they end up; the balancer's own moves stay controller-placed. A cancel
 * counts as the operator choosing the replicas it keeps, and an operator's
 * reassignment to the current replicas in their current order changes
 * nothing but that mark: the way to pin a partition where it is.
 *
 * Nothing changes until the caller commits and replays the records.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  MetadataImage,
  OngoingReassignment,
  PartitionImage,
  PartitionPlacement,
  PartitionReassignment,
  PartitionReassignmentResult,
  PartitionRecord,
  ReassignmentError,
  ReassignmentQuery,
} from '@runnel/metadata';
import { placementField, placementOf } from '@runnel/metadata';
import { brokersOverLimit, defaultPartitionLimits, type PartitionLimits } from './partition-limits.ts';
import { brokerLoads } from './replica-placement.ts';

export interface ReassignmentOutcome {
  /** At most one record per partition, the latest state when a partition is named twice. */
  readonly records: PartitionRecord[];
  /** One per request entry, in request order. */
  readonly results: PartitionReassignmentResult[];
}

export function alterPartitionReassignments(
  image: MetadataImage,
  requests: readonly PartitionReassignment[],
  placedBy: PartitionPlacement = 'operator',
  limits: PartitionLimits = defaultPartitionLimits,
): ReassignmentOutcome {
  // Keyed by topic id and partition: a later entry for the same partition builds on the earlier one.
  const changed = new Map<string, PartitionRecord>();
  // Replicas per broker, with the moves accepted so far: a move onto a full broker is refused (max.broker.partitions).
  let loads: ReturnType<typeof brokerLoads> | null = null;
  const results: PartitionReassignmentResult[] = [];
  for (const req of requests) {
    const result = (r: Result<null, ReassignmentError>): void => {
      results.push({ topic: req.topic, partition: req.partition, result: r });
    };
    const topic = image.topic(req.topic);
    const p = topic?.partitions[req.partition];
    if (topic === undefined || p === undefined) {
      result(err('unknown_topic_or_partition', `There is no partition ${req.partition} of topic '${req.topic}'.`));
      continue;
    }
    const key = `${topic.topicId}/${req.partition}`;
    const current = changed.get(key) ?? recordOf(topic.topicId, p);
    const next =
      req.replicas === null ? cancel(image, current, placedBy) : start(image, current, req.replicas, placedBy);
    if (!next.ok) {
      result(next);
      continue;
    }
    const arriving = next.value.replicas.filter((id) => !current.replicas.includes(id));
    if (arriving.length > 0) {
      loads ??= brokerLoads(image.topicNames().flatMap((name) => image.topic(name)?.partitions ?? []));
      const over = brokersOverLimit(
        loads,
        arriving.map((id) => [id]),
        limits,
      );
      if (over !== null) {
        result(err('policy_violation', over));
        continue;
      }
      for (const id of arriving) {
        const load = loads.get(id) ?? { replicas: 0, leaders: 0 };
        load.replicas++;
        loads.set(id, load);
      }
    }
    if (next.value !== current) changed.set(key, next.value);
    result(ok(null));
  }
  const records = [...changed.values()].map((r) => {
    const before = image.topicById(r.topicId)?.partitions[r.partition];
    return { ...r, partitionEpoch: (before?.partitionEpoch ?? r.partitionEpoch) + 1 };
  });
  return { records, results };
}

/** Reassignments in progress, sorted by topic then partition; `query` null lists every one. */
export function listPartitionReassignments(
  image: MetadataImage,
  query: readonly ReassignmentQuery[] | null,
): OngoingReassignment[] {
  const wanted =
    query === null
      ? image.topicNames().map((topic) => ({ topic, partitions: null }))
      : [...query].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  const out: OngoingReassignment[] = [];
  for (const { topic, partitions } of wanted) {
    const all = image.topic(topic)?.partitions ?? [];
    const picked =
      partitions === null
        ? all
        : [...new Set(partitions)].sort((a, b) => a - b).flatMap((i) => (all[i] === undefined ? [] : [all[i]]));
    for (const p of picked) {
      if (!inProgress(p)) continue;
      out.push({
        topic,
        partition: p.partition,
        replicas: [...p.replicas],
        addingReplicas: [...p.addingReplicas],
        removingReplicas: [...p.removingReplicas],
      });
    }
  }
  return out;
}

/**
 * `record` with its reassignment completed if it can be now (every adding
 * replica in the ISR), else `record` itself. Called on every partition
 * change that may be the last step, such as an ISR expansion. Bumps the
 * leader epoch when the leader changes; the partition epoch is the caller's.
 */
export function completeReassignment(image: MetadataImage, record: PartitionRecord): PartitionRecord {
  if (!inProgress(record)) return record;
  if (!record.addingReplicas.every((id) => record.isr.includes(id))) return record;
  const target = record.replicas.filter((id) => !record.removingReplicas.includes(id));
  const isr = record.isr.filter((id) => target.includes(id));
  if (isr.length === 0) return record;
  let leader = record.leader;
  if (!target.includes(leader)) {
    const successor = target.find((id) => isr.includes(id) && isLive(image, id));
    // No live successor yet: keep the old leader serving until one is (or it is fenced).
    if (successor === undefined) return record;
    leader = successor;
  }
  return {
    ...record,
    replicas: target,
    isr,
    leader,
    leaderEpoch: leader === record.leader ? record.leaderEpoch : record.leaderEpoch + 1,
    elr: record.elr.filter((id) => target.includes(id)),
    lastKnownElr: record.lastKnownElr.filter((id) => target.includes(id)),
    addingReplicas: [],
    removingReplicas: [],
  };
}

function start(
  image: MetadataImage,
  record: PartitionRecord,
  target: readonly number[],
  placement: PartitionPlacement,
): Result<PartitionRecord, ReassignmentError> {
  const invalid = checkTarget(image, target);
  if (invalid !== null) {
    return err('invalid_replica_assignment', `Invalid replicas [${target.join(', ')}]: ${invalid}.`);
  }
  // A new target replaces a move in progress: undo it first, as Kafka does, so adding/removing are relative to the original replicas.
  const base = inProgress(record) ? revert(image, record) : record;
  if (base === null) {
    return err(
      'invalid_replica_assignment',
      'The reassignment in progress cannot be replaced: no original replica is in sync.',
    );
  }
  const current = base.replicas;
  const replicas = [...target, ...current.filter((id) => !target.includes(id))];
  const addingReplicas = target.filter((id) => !current.includes(id));
  const removingReplicas = current.filter((id) => !target.includes(id));
  if (base === record && addingReplicas.length === 0 && removingReplicas.length === 0 && sameOrder(replicas, current)) {
    return ok(placementOf(record) === placement ? record : withPlacement(record, placement));
  }
  return ok(
    completeReassignment(image, withPlacement({ ...base, replicas, addingReplicas, removingReplicas }, placement)),
  );
}

function cancel(
  image: MetadataImage,
  record: PartitionRecord,
  placement: PartitionPlacement,
): Result<PartitionRecord, ReassignmentError> {
  if (!inProgress(record)) {
    return err(
      'no_reassignment_in_progress',
      `Partition ${record.partition} has no reassignment in progress to cancel.`,
    );
  }
  const reverted = revert(image, record);
  return reverted === null
    ? err('invalid_replica_assignment', 'The reassignment cannot be cancelled: no original replica is in sync.')
    : ok(withPlacement(reverted, placement));
}

/** The partition as if its reassignment had never started, or null if that would leave the ISR empty. */
function revert(image: MetadataImage, record: PartitionRecord): PartitionRecord | null {
  const adding = record.addingReplicas;
  const replicas = record.replicas.filter((id) => !adding.includes(id));
  const isr = record.isr.filter((id) => !adding.includes(id));
  if (isr.length === 0) return null;
  let leader = record.leader;
  if (adding.includes(leader)) leader = replicas.find((id) => isr.includes(id) && isLive(image, id)) ?? -1;
  return {
    ...record,
    replicas,
    isr,
    leader,
    leaderEpoch: leader === record.leader ? record.leaderEpoch : record.leaderEpoch + 1,
    elr: record.elr.filter((id) => replicas.includes(id)),
    lastKnownElr: record.lastKnownElr.filter((id) => replicas.includes(id)),
    addingReplicas: [],
    removingReplicas: [],
  };
}

/** Why `target` cannot be a replica set, or null if it can. Fenced brokers may be targets: they catch up when back. */
function checkTarget(image: MetadataImage, target: readonly number[]): string | null {
  if (target.length === 0) return 'the list is empty';
  if (new Set(target).size !== target.length) return 'it repeats a broker';
  const unknown = target.filter((id) => image.broker(id) === undefined);
  if (unknown.length > 0) return `broker(s) ${unknown.join(', ')} are not registered`;
  return null;
}

function inProgress(p: Pick<PartitionImage, 'addingReplicas' | 'removingReplicas'>): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

function isLive(image: MetadataImage, brokerId: number): boolean {
  return image.broker(brokerId)?.fenced === false;
}

function sameOrder(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}

function recordOf(topicId: string, p: PartitionImage): PartitionRecord {
  return {
    type: 'partition',
    topicId,
    partition: p.partition,
    replicas: p.replicas,
    isr: p.isr,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    elr: p.elr,
    lastKnownElr: p.lastKnownElr,
    addingReplicas: p.addingReplicas,
    removingReplicas: p.removingReplicas,
    ...placementField(placementOf(p)),
  };
}

/** `record` as placed by `placement`. */
function withPlacement(record: PartitionRecord, placement: PartitionPlacement): PartitionRecord {
  const { placement: _previous, ...rest } = record;
  return { ...rest, ...placementField(placement) };
}

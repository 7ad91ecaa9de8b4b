import type { MetadataImage, MetadataRecord, PartitionRecord } from '@runnel/metadata';
import { MetadataImage as Image, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import {
  alterPartitionReassignments,
  completeReassignment,
  listPartitionReassignments,
} from '../src/logic/reassignment.ts';

const topicId = '00000000-0000-4000-8000-000000000001';

const apply = (image: MetadataImage, records: readonly MetadataRecord[]) =>
  replayBatch(image, records, image.lastOffset + BigInt(records.length));

const partition = (change: Partial<PartitionRecord> = {}): PartitionRecord => ({
  type: 'partition',
  topicId,
  partition: 0,
  replicas: [1, 2],
  isr: [1, 2],
  leader: 1,
  leaderEpoch: 2,
  partitionEpoch: 5,
  elr: [],
  lastKnownElr: [],
  addingReplicas: [],
  removingReplicas: [],
  ...change,
});

/** Brokers 1..4 registered (`fenced` ones then fenced); topic `t` partition 0 as `p` (default replicas and ISR [1, 2], leader 1). */
function cluster(p: Partial<PartitionRecord> = {}, fenced: readonly number[] = []): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3, 4].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `i${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  for (const brokerId of fenced) records.push({ type: 'fence-broker', brokerId, brokerEpoch: BigInt(brokerId - 1) });
  records.push({ type: 'topic', name: 't', topicId }, partition(p));
  return apply(Image.empty, records);
}

/** The record an operator's call leaves: its replicas are the operator's now (placement 'operator'). */
const pinned = (change: Partial<PartitionRecord> = {}): PartitionRecord =>
  partition({ ...change, placement: 'operator' });

const reassign = (replicas: number[] | null, topic = 't', index = 0) => ({ topic, partition: index, replicas });

describe('starting a reassignment', () => {
  it('widens replicas to target then current, marks adding and removing, bumps only the partition epoch', () => {
    const { records, results } = alterPartitionReassignments(cluster(), [reassign([3, 4])]);
    expect(results).toEqual([{ topic: 't', partition: 0, result: { ok: true, value: null } }]);
    expect(records).toEqual([
      pinned({ replicas: [3, 4, 1, 2], addingReplicas: [3, 4], removingReplicas: [1, 2], partitionEpoch: 6 }),
    ]);
  });

  it('a target that only drops replicas completes at once: replicas and ISR shrink to the target', () => {
    const image = cluster({ replicas: [1, 2, 3], isr: [1, 2, 3] });
    const { records } = alterPartitionReassignments(image, [reassign([2, 3])]);
    expect(records).toEqual([pinned({ replicas: [2, 3], isr: [2, 3], leader: 2, leaderEpoch: 3, partitionEpoch: 6 })]);
  });

  it('the same replicas in the same order from an operator only pin the partition; once pinned they commit nothing', () => {
    const { records, results } = alterPartitionReassignments(cluster(), [reassign([1, 2])]);
    expect(results[0]?.result.ok).toBe(true);
    expect(records).toEqual([pinned({ partitionEpoch: 6 })]);
    const again = alterPartitionReassignments(cluster({ placement: 'operator' }), [reassign([1, 2])]);
    expect(again.records).toEqual([]);
    expect(again.results[0]?.result.ok).toBe(true);
  });

  it("the controller's own reassignment leaves a controller-placed partition controller-placed", () => {
    const { records } = alterPartitionReassignments(cluster(), [reassign([3, 4])], 'controller');
    expect(records).toEqual([
      partition({ replicas: [3, 4, 1, 2], addingReplicas: [3, 4], removingReplicas: [1, 2], partitionEpoch: 6 }),
    ]);
    expect(alterPartitionReassignments(cluster(), [reassign([1, 2])], 'controller').records).toEqual([]);
  });

  it('an operator reassignment pins the partition through completion', () => {
    const started = apply(cluster(), alterPartitionReassignments(cluster(), [reassign([3, 4])]).records);
    const p = started.partition('t', 0);
    if (p === undefined) throw new Error('no partition');
    expect(p.placement).toBe('operator');
    const done = completeReassignment(started, { type: 'partition', topicId, ...p, isr: [1, 2, 3, 4] });
    expect(done).toMatchObject({ replicas: [3, 4], placement: 'operator' });
  });

  it('a fenced broker may be a target: it catches up when it is back', () => {
    const { records } = alterPartitionReassignments(cluster({}, [3]), [reassign([1, 3])]);
    expect(records[0]).toMatchObject({ replicas: [1, 3, 2], addingReplicas: [3], removingReplicas: [2] });
  });

  it('a new target replaces the move in progress, relative to the original replicas', () => {
    const image = cluster({ replicas: [3, 4, 1, 2], addingReplicas: [3, 4], removingReplicas: [1, 2] });
    const { records } = alterPartitionReassignments(image, [reassign([2, 3])]);
    expect(records).toEqual([
      pinned({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1], partitionEpoch: 6 }),
    ]);
  });

  it('a partition named twice builds on the first entry and still bumps the partition epoch once', () => {
    const { records, results } = alterPartitionReassignments(cluster(), [reassign([3, 4]), reassign(null)]);
    expect(results.map((r) => r.result.ok)).toEqual([true, true]);
    expect(records).toEqual([pinned({ partitionEpoch: 6 })]);
  });
});

describe('refused reassignments', () => {
  it.each([
    ['an unknown topic', reassign([1, 2], 'nope'), 'unknown_topic_or_partition'],
    ['a partition past the end', reassign([1, 2], 't', 1), 'unknown_topic_or_partition'],
    ['an empty target', reassign([]), 'invalid_replica_assignment'],
    ['a repeated broker', reassign([3, 3]), 'invalid_replica_assignment'],
    ['an unregistered broker', reassign([1, 9]), 'invalid_replica_assignment'],
    ['a cancel with nothing in progress', reassign(null), 'no_reassignment_in_progress'],
  ])('%s is refused as %s and commits nothing', (_what, request, error) => {
    const { records, results } = alterPartitionReassignments(cluster(), [request]);
    expect(records).toEqual([]);
    expect(results).toEqual([
      { topic: request.topic, partition: request.partition, result: expect.objectContaining({ ok: false, error }) },
    ]);
  });

  it('one refused entry does not stop the others', () => {
    const { records, results } = alterPartitionReassignments(cluster(), [reassign([9]), reassign([2, 3])]);
    expect(results.map((r) => r.result.ok)).toEqual([false, true]);
    expect(records).toHaveLength(1);
  });
});

describe('completing a reassignment', () => {
  const moving = partition({
    replicas: [3, 4, 1, 2],
    addingReplicas: [3, 4],
    removingReplicas: [1, 2],
  });

  it('waits while an adding replica is out of the ISR', () => {
    const halfway = { ...moving, isr: [1, 2, 3] };
    expect(completeReassignment(cluster(), halfway)).toBe(halfway);
  });

  it('with every adding replica in sync, drops the removed replicas and hands leadership to the first live target', () => {
    const done = completeReassignment(cluster(), { ...moving, isr: [1, 2, 3, 4] });
    expect(done).toEqual(partition({ replicas: [3, 4], isr: [3, 4], leader: 3, leaderEpoch: 3 }));
  });

  it('skips a fenced target replica when choosing the new leader', () => {
    const done = completeReassignment(cluster({}, [3]), { ...moving, isr: [1, 2, 3, 4] });
    expect(done).toMatchObject({ replicas: [3, 4], isr: [3, 4], leader: 4, leaderEpoch: 3 });
  });

  it('waits rather than leave the partition leaderless when no target replica in the ISR is live', () => {
    const stuck = { ...moving, isr: [1, 2, 3, 4] };
    expect(completeReassignment(cluster({}, [3, 4]), stuck)).toBe(stuck);
  });

  it('keeps a leader that stays a replica and its leader epoch', () => {
    const keep = partition({ replicas: [1, 3, 2], isr: [1, 2, 3], addingReplicas: [3], removingReplicas: [2] });
    expect(completeReassignment(cluster(), keep)).toEqual(partition({ replicas: [1, 3], isr: [1, 3] }));
  });

  it('waits rather than empty the ISR when no target replica is in it', () => {
    const only = partition({ replicas: [3, 1, 2], isr: [1, 2], addingReplicas: [], removingReplicas: [1, 2] });
    expect(completeReassignment(cluster(), only)).toBe(only);
  });
});

describe('cancelling a reassignment', () => {
  it('restores the original replicas, drops adding replicas from the ISR, keeps the leader, and pins them (the operator chose to keep them)', () => {
    const image = cluster({
      replicas: [3, 4, 1, 2],
      isr: [1, 2, 3],
      addingReplicas: [3, 4],
      removingReplicas: [1, 2],
    });
    const { records, results } = alterPartitionReassignments(image, [reassign(null)]);
    expect(results[0]?.result.ok).toBe(true);
    expect(records).toEqual([pinned({ replicas: [1, 2], isr: [1, 2], partitionEpoch: 6 })]);
  });

  it('moves leadership back to an original replica when an adding replica led', () => {
    const image = cluster({
      replicas: [3, 1, 2],
      isr: [3, 1],
      leader: 3,
      addingReplicas: [3],
      removingReplicas: [2],
    });
    const { records } = alterPartitionReassignments(image, [reassign(null)]);
    expect(records).toEqual([pinned({ replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 3, partitionEpoch: 6 })]);
  });
});

describe('listing reassignments', () => {
  const image = cluster({ replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] });

  it('lists every partition with a move in progress when asked for all', () => {
    expect(listPartitionReassignments(image, null)).toEqual([
      { topic: 't', partition: 0, replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] },
    ]);
  });

  it('lists only the partitions asked for, and nothing for unknown ones or partitions at rest', () => {
    expect(listPartitionReassignments(image, [{ topic: 't', partitions: [0, 7] }])).toHaveLength(1);
    expect(listPartitionReassignments(image, [{ topic: 'nope', partitions: [0] }])).toEqual([]);
    expect(listPartitionReassignments(cluster(), null)).toEqual([]);
  });
});

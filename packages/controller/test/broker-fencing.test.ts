import type { MetadataRecord, PartitionImage } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { fenceBroker, shutDownBroker, unfenceBroker } from '../src/logic/broker-fencing.ts';

const topicId = '11111111-2222-3333-4444-555555555555';

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

/** Brokers 1-3 registered; topic "t" with the given replica lists (leader = first, isr = replicas). */
function cluster(assignment: number[][]): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `00000000-0000-0000-0000-00000000000${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push({ type: 'topic', name: 't', topicId });
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

const partitions = (image: MetadataImage): readonly PartitionImage[] => image.topic('t')?.partitions ?? [];

describe('broker fencing and leader election', () => {
  it('a fenced leader is replaced by the next live ISR member, with a new leader epoch', () => {
    const before = cluster([
      [1, 2, 3],
      [2, 3, 1],
    ]);
    const after = apply(before, fenceBroker(before, 1, {}));
    expect(after.broker(1)?.fenced).toBe(true);
    const [p0, p1] = partitions(after);
    expect(p0).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 1, partitionEpoch: 1 });
    // Broker 1 only leaves the ISR of partition 1; its leader stays, its leader epoch too.
    expect(p1).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 0, partitionEpoch: 1 });
  });

  it('the last ISR member leaves the ISR for the ELR when fenced, and the partition goes offline until it returns', () => {
    const before = cluster([[1]]);
    const after = apply(before, fenceBroker(before, 1, {}));
    expect(partitions(after)[0]).toMatchObject({ leader: -1, isr: [], elr: [1], leaderEpoch: 1 });
    // It comes back: as an eligible leader it leads again, alone in the ISR.
    const back = apply(after, unfenceBroker(after, 1, {}));
    expect(partitions(back)[0]).toMatchObject({ leader: 1, isr: [1], elr: [], leaderEpoch: 2 });
  });

  it('an unfenced broker does not rejoin the ISR: its partition leader adds it through AlterPartition', () => {
    const before = cluster([[1, 2, 3]]);
    const fenced = apply(before, fenceBroker(before, 2, {}));
    expect(partitions(fenced)[0]).toMatchObject({ leader: 1, isr: [1, 3] });
    const unfence = unfenceBroker(fenced, 2, {});
    expect(unfence).toEqual([{ type: 'unfence-broker', brokerId: 2, brokerEpoch: 1n }]);
    const back = apply(fenced, unfence);
    expect(partitions(back)[0]).toMatchObject({ leader: 1, isr: [1, 3], leaderEpoch: 0 });
  });

  it('fencing every broker in turn never elects a fenced broker', () => {
    let image = cluster([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ]);
    image = apply(image, fenceBroker(image, 1, {}));
    image = apply(image, fenceBroker(image, 2, {}));
    for (const p of partitions(image)) expect(p.leader).toBe(3);
    image = apply(image, fenceBroker(image, 3, {}));
    for (const p of partitions(image)) expect(p.leader).toBe(-1);
    // Only the last ISR member (3, now in the ELR) can bring the partitions back.
    image = apply(image, unfenceBroker(image, 1, {}));
    for (const p of partitions(image)) expect(p.leader).toBe(-1);
    image = apply(image, unfenceBroker(image, 3, {}));
    for (const p of partitions(image)) expect(p.leader).toBe(3);
  });

  it('controlled shutdown moves leadership away without fencing, and fencing an already fenced broker is a no-op', () => {
    const before = cluster([[1, 2]]);
    const after = apply(before, shutDownBroker(before, 1, {}));
    expect(after.broker(1)?.fenced).toBe(false);
    expect(partitions(after)[0]).toMatchObject({ leader: 2, isr: [2] });
    const fenced = apply(after, fenceBroker(after, 1, {}));
    expect(fenceBroker(fenced, 1, {})).toEqual([]);
  });
});

/**
 * An operator-placed partition stays operator-placed through every change
 * the controller makes to its ISR or leadership (each partition record
 * replaces the whole state, so one that forgot the mark would hand the
 * partition to the balancer), through a snapshot, and `brokerStatuses`
 * counts its replicas as pinned.
 */
import type { MetadataImage, MetadataRecord, PartitionRecord } from '@runnel/metadata';
import {
  decodeMetadataRecord,
  encodeMetadataRecord,
  MetadataImage as Image,
  imageRecords,
  replayBatch,
} from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { alterPartition } from '../src/logic/alter-partition.ts';
import { fenceBroker, unfenceBroker } from '../src/logic/broker-fencing.ts';
import { brokerStatuses, decommissionBroker } from '../src/logic/decommission.ts';
import { preferredLeaderElections } from '../src/logic/preferred-leaders.ts';

const topicId = '00000000-0000-4000-8000-000000000001';

const apply = (image: MetadataImage, records: readonly MetadataRecord[]) =>
  records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));

const partition = (index: number, replicas: number[], pinned: boolean): PartitionRecord => ({
  type: 'partition',
  topicId,
  partition: index,
  replicas,
  isr: replicas,
  leader: replicas[0] ?? -1,
  leaderEpoch: 0,
  partitionEpoch: 0,
  elr: [],
  lastKnownElr: [],
  addingReplicas: [],
  removingReplicas: [],
  ...(pinned ? { placement: 'operator' as const } : {}),
});

/** Brokers 1-4; topic `t`: partition 0 pinned on [1, 2, 3], partition 1 placed by the controller on [1, 2, 4]. */
function cluster(): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3, 4].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `i${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push({ type: 'topic', name: 't', topicId }, partition(0, [1, 2, 3], true), partition(1, [1, 2, 4], false));
  return apply(Image.empty, records);
}

const placements = (image: MetadataImage) => image.topic('t')?.partitions.map((p) => p.placement);

describe('operator placement', () => {
  it('survives fencing the leader, its return, and a preferred-leader election', () => {
    const start = cluster();
    const fenced = apply(start, fenceBroker(start, 1, {}));
    expect(fenced.partition('t', 0)).toMatchObject({ leader: 2, placement: 'operator' });
    const back = apply(fenced, unfenceBroker(fenced, 1, {}));
    const rejoined = apply(
      back,
      alterPartition(
        back,
        {
          leaderId: 2,
          topicId,
          partition: 0,
          leaderEpoch: back.partition('t', 0)?.leaderEpoch ?? -1,
          partitionEpoch: back.partition('t', 0)?.partitionEpoch ?? -1,
          isr: [2, 3, 1],
        },
        {},
      ).records,
    );
    expect(rejoined.partition('t', 0)).toMatchObject({ isr: [2, 3, 1], placement: 'operator' });
    const elected = apply(rejoined, preferredLeaderElections(rejoined, { partitions: null }).records);
    expect(elected.partition('t', 0)).toMatchObject({ leader: 1, replicas: [1, 2, 3], placement: 'operator' });
    expect(placements(elected)).toEqual(['operator', undefined]);
  });

  it('survives a snapshot: the image as records, encoded and decoded, rebuilds the same placements', () => {
    const image = cluster();
    const records = imageRecords(image).map((r) => {
      const decoded = decodeMetadataRecord(encodeMetadataRecord(r));
      if (!decoded.ok) throw new Error(decoded.message);
      return decoded.value;
    });
    const rebuilt = replayBatch(Image.empty, records, image.lastOffset);
    expect(placements(rebuilt)).toEqual(['operator', undefined]);
    expect(rebuilt.topic('t')).toEqual(image.topic('t'));
  });

  it('brokerStatuses counts pinned replicas per broker, and a drained broker with pinned ones is not removable', () => {
    const image = cluster();
    expect(brokerStatuses(image).map((s) => [s.brokerId, s.replicas, s.pinned])).toEqual([
      [1, 2, 1],
      [2, 2, 1],
      [3, 1, 1],
      [4, 1, 0],
    ]);
    const started = decommissionBroker(image, 3, { cancel: false });
    expect(started.result).toMatchObject({ ok: true, value: { state: 'decommissioning', replicas: 1, pinned: 1 } });
  });
});

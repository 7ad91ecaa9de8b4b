import type { AlterPartitionRequest, MetadataImage, MetadataRecord } from '@runnel/metadata';
import { MetadataImage as Image, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { alterPartition } from '../src/logic/alter-partition.ts';
import { fenceBroker } from '../src/logic/broker-fencing.ts';

const topicId = '00000000-0000-4000-8000-000000000001';

const apply = (image: MetadataImage, records: readonly MetadataRecord[]) =>
  replayBatch(image, records, image.lastOffset + BigInt(records.length));

/**
 * Brokers 1..4 registered (live); topic `t` partition 0 on replicas 1, 2, 3,
 * led by 1, with ISR [1, 2] at leader epoch 2 and partition epoch 5.
 */
function cluster(): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3, 4].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `i${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push(
    { type: 'topic', name: 't', topicId },
    {
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [1, 2, 3],
      isr: [1, 2],
      leader: 1,
      leaderEpoch: 2,
      partitionEpoch: 5,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
  );
  return apply(Image.empty, records);
}

const ask = (change: Partial<AlterPartitionRequest>): AlterPartitionRequest => ({
  leaderId: 1,
  topicId,
  partition: 0,
  leaderEpoch: 2,
  partitionEpoch: 5,
  isr: [1, 2, 3],
  ...change,
});

describe('alterPartition logic', () => {
  it('expanding the ISR commits one partition record with the new ISR and the partition epoch bumped', () => {
    const image = cluster();
    const { records, result } = alterPartition(image, ask({ isr: [1, 2, 3] }), {});
    expect(result).toEqual({ ok: true, value: { partitionEpoch: 6, isr: [1, 2, 3] } });
    expect(records).toEqual([
      {
        type: 'partition',
        topicId,
        partition: 0,
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        leader: 1,
        leaderEpoch: 2,
        partitionEpoch: 6,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      },
    ]);
    expect(apply(image, records).partition('t', 0)).toMatchObject({ isr: [1, 2, 3], leader: 1, partitionEpoch: 6 });
  });

  it('shrinking the ISR to the leader alone keeps leader and leader epoch and bumps the partition epoch', () => {
    const image = cluster();
    const { records, result } = alterPartition(image, ask({ isr: [1] }), {});
    expect(result).toEqual({ ok: true, value: { partitionEpoch: 6, isr: [1] } });
    expect(apply(image, records).partition('t', 0)).toMatchObject({
      isr: [1],
      leader: 1,
      leaderEpoch: 2,
      partitionEpoch: 6,
    });
  });

  it('a second change built on the epoch the first one answered is accepted; one reusing the old epoch is invalid_update_version', () => {
    let image = cluster();
    const first = alterPartition(image, ask({ isr: [1, 2, 3] }), {});
    image = apply(image, first.records);
    const second = alterPartition(image, ask({ isr: [1, 3], partitionEpoch: 6 }), {});
    expect(second.result).toEqual({ ok: true, value: { partitionEpoch: 7, isr: [1, 3] } });
    const stale = alterPartition(apply(image, second.records), ask({ isr: [1], partitionEpoch: 6 }), {});
    expect(stale.records).toEqual([]);
    expect(stale.result).toMatchObject({ ok: false, error: 'invalid_update_version' });
  });

  it('asking for the current ISR (in any order) commits nothing and answers the current epoch', () => {
    const { records, result } = alterPartition(cluster(), ask({ isr: [2, 1] }), {});
    expect(records).toEqual([]);
    expect(result).toEqual({ ok: true, value: { partitionEpoch: 5, isr: [1, 2] } });
  });

  it('a stale leader epoch is fenced_leader_epoch and changes nothing', () => {
    const { records, result } = alterPartition(cluster(), ask({ leaderEpoch: 1 }), {});
    expect(records).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: 'fenced_leader_epoch' });
  });

  it('a stale partition epoch from the right leader is invalid_update_version', () => {
    const { records, result } = alterPartition(cluster(), ask({ partitionEpoch: 4 }), {});
    expect(records).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: 'invalid_update_version' });
  });

  it('epochs newer than the controller knows are not_controller (it lags or was deposed)', () => {
    expect(alterPartition(cluster(), ask({ leaderEpoch: 3 }), {}).result).toMatchObject({
      ok: false,
      error: 'not_controller',
    });
    expect(alterPartition(cluster(), ask({ partitionEpoch: 6 }), {}).result).toMatchObject({
      ok: false,
      error: 'not_controller',
    });
  });

  it('a request from a broker that does not lead the partition is not_leader_or_follower', () => {
    const { records, result } = alterPartition(cluster(), ask({ leaderId: 2 }), {});
    expect(records).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: 'not_leader_or_follower' });
  });

  it('a fenced broker in the new ISR is ineligible_replica', () => {
    const image = cluster();
    // Fencing 3 (not in the ISR, leads nothing) leaves the partition's epochs as they were.
    const fenced = apply(image, fenceBroker(image, 3, {}));
    expect(fenced.partition('t', 0)?.partitionEpoch).toBe(5);
    const { records, result } = alterPartition(fenced, ask({ isr: [1, 2, 3] }), {});
    expect(records).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: 'ineligible_replica' });
    expect(alterPartition(fenced, ask({ isr: [1] }), {}).result).toMatchObject({ ok: true });
  });

  it('a member added with the broker epoch of an earlier registration is ineligible_replica (KIP-903)', () => {
    const image = cluster();
    // Broker 3 is registered at epoch 2; the leader saw it fetch at epoch 1 (before a restart).
    const stale = alterPartition(
      image,
      ask({ isr: [1, 2, 3], addedBrokerEpochs: [{ brokerId: 3, brokerEpoch: 1n }] }),
      {},
    );
    expect(stale.records).toEqual([]);
    expect(stale.result).toMatchObject({ ok: false, error: 'ineligible_replica' });
    const current = alterPartition(
      image,
      ask({ isr: [1, 2, 3], addedBrokerEpochs: [{ brokerId: 3, brokerEpoch: 2n }] }),
      {},
    );
    expect(current.result).toMatchObject({ ok: true, value: { isr: [1, 2, 3] } });
  });

  it('an unregistered replica in the new ISR is ineligible_replica', () => {
    const records: MetadataRecord[] = [
      { type: 'register-broker', brokerId: 1, incarnationId: 'i1', brokerEpoch: 0n, listeners: [], rack: null },
      { type: 'topic', name: 't', topicId },
      {
        type: 'partition',
        topicId,
        partition: 0,
        replicas: [1, 5],
        isr: [1],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      },
    ];
    const image = apply(Image.empty, records);
    const outcome = alterPartition(image, ask({ leaderEpoch: 0, partitionEpoch: 0, isr: [1, 5] }), {});
    expect(outcome.result).toMatchObject({ ok: false, error: 'ineligible_replica' });
  });

  it('a new ISR without the leader, with a non-replica, or with a duplicate is invalid_request', () => {
    const image = cluster();
    for (const isr of [[2, 3], [1, 4], [1, 2, 2], []]) {
      const { records, result } = alterPartition(image, ask({ isr }), {});
      expect(records).toEqual([]);
      expect(result).toMatchObject({ ok: false, error: 'invalid_request' });
    }
  });

  it('an unknown topic id or partition number is unknown_topic_or_partition', () => {
    const image = cluster();
    expect(alterPartition(image, ask({ partition: 1 }), {}).result).toMatchObject({
      ok: false,
      error: 'unknown_topic_or_partition',
    });
    expect(alterPartition(image, ask({ topicId: '00000000-0000-4000-8000-000000000009' }), {}).result).toMatchObject({
      ok: false,
      error: 'unknown_topic_or_partition',
    });
  });
});

import { AssertionError } from '@runnel/common';
import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replay, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const idA = '00000000-0000-4000-8000-00000000000a';
const idB = '00000000-0000-4000-8000-00000000000b';

const createA: MetadataRecord[] = [
  { type: 'topic', name: 'a', topicId: idA },
  { type: 'config', resourceType: 'topic', resourceName: 'a', name: 'retention.ms', value: '1000' },
  {
    type: 'partition',
    topicId: idA,
    partition: 0,
    replicas: [1],
    isr: [1],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    elr: [],
    lastKnownElr: [],
    addingReplicas: [],
    removingReplicas: [],
  },
  {
    type: 'partition',
    topicId: idA,
    partition: 1,
    replicas: [1],
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

const broker = (brokerId: number, brokerEpoch: bigint): MetadataRecord => ({
  type: 'register-broker',
  brokerId,
  incarnationId: `inc-${brokerId}`,
  brokerEpoch,
  listeners: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' }],
  rack: null,
});

describe('MetadataImage replay', () => {
  it('a topic record plus partition records yields a topic findable by name and by id', () => {
    const image = replayBatch(MetadataImage.empty, createA, 3n);
    expect(image.lastOffset).toBe(3n);
    expect(image.topic('a')?.topicId).toBe(idA);
    expect(image.topicById(idA)?.name).toBe('a');
    expect(image.topic('a')?.partitions).toHaveLength(2);
    expect(image.partition('a', 1)?.leader).toBe(1);
    expect(image.partition('a', 2)).toBeUndefined();
    expect(image.topicNames()).toEqual(['a']);
    expect(image.configOverrides('topic', 'a').get('retention.ms')).toBe('1000');
  });

  it('replaying records one at a time gives the same image as one batch', () => {
    let image = MetadataImage.empty;
    createA.forEach((r, i) => {
      image = replay(image, r, BigInt(i));
    });
    const batched = replayBatch(MetadataImage.empty, createA, 3n);
    expect(image.topic('a')).toEqual(batched.topic('a'));
    expect(image.lastOffset).toBe(batched.lastOffset);
  });

  it('remove-topic drops the topic, its partitions and its config overrides', () => {
    let image = replayBatch(MetadataImage.empty, createA, 3n);
    image = replay(image, { type: 'remove-topic', topicId: idA }, 4n);
    expect(image.topic('a')).toBeUndefined();
    expect(image.topicById(idA)).toBeUndefined();
    expect(image.topicNames()).toEqual([]);
    expect(image.configOverrides('topic', 'a').size).toBe(0);
  });

  it('a topic may be re-created under the same name with a new id after removal', () => {
    let image = replayBatch(MetadataImage.empty, createA, 3n);
    image = replayBatch(
      image,
      [
        { type: 'remove-topic', topicId: idA },
        { type: 'topic', name: 'a', topicId: idB },
      ],
      5n,
    );
    expect(image.topic('a')?.topicId).toBe(idB);
    expect(image.topic('a')?.partitions).toEqual([]);
  });

  it('config records set, replace and delete overrides', () => {
    const set = (name: string, value: string | null): MetadataRecord => ({
      type: 'config',
      resourceType: 'broker',
      resourceName: '1',
      name,
      value,
    });
    let image = replayBatch(MetadataImage.empty, [set('x', '1'), set('y', '2')], 1n);
    image = replay(image, set('x', '3'), 2n);
    expect([...image.configOverrides('broker', '1')]).toEqual([
      ['x', '3'],
      ['y', '2'],
    ]);
    image = replayBatch(image, [set('x', null), set('y', null)], 4n);
    expect(image.configOverrides('broker', '1').size).toBe(0);
    expect(image.configOverrides('topic', '1').size).toBe(0);
  });

  it('a later partition record replaces the partition state', () => {
    let image = replayBatch(MetadataImage.empty, createA, 3n);
    image = replay(
      image,
      {
        type: 'partition',
        topicId: idA,
        partition: 0,
        replicas: [1, 2],
        isr: [2],
        leader: 2,
        leaderEpoch: 1,
        partitionEpoch: 1,
        elr: [1],
        lastKnownElr: [3],
        addingReplicas: [4],
        removingReplicas: [5],
      },
      4n,
    );
    expect(image.partition('a', 0)).toEqual({
      partition: 0,
      replicas: [1, 2],
      isr: [2],
      leader: 2,
      leaderEpoch: 1,
      partitionEpoch: 1,
      elr: [1],
      lastKnownElr: [3],
      addingReplicas: [4],
      removingReplicas: [5],
    });
  });

  it('the old image is unchanged after replay, and untouched maps are shared', () => {
    const before = replayBatch(MetadataImage.empty, [broker(1, 0n), ...createA], 4n);
    const snapshot = {
      topic: structuredClone(before.topic('a')),
      brokers: before.brokers(),
      config: [...before.configOverrides('topic', 'a')],
    };
    const after = replayBatch(
      before,
      [
        {
          type: 'partition',
          topicId: idA,
          partition: 2,
          replicas: [1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          elr: [],
          lastKnownElr: [],
          addingReplicas: [],
          removingReplicas: [],
        },
        { type: 'config', resourceType: 'topic', resourceName: 'a', name: 'retention.ms', value: null },
        { type: 'fence-broker', brokerId: 1, brokerEpoch: 0n },
        { type: 'topic', name: 'b', topicId: idB },
      ],
      8n,
    );
    expect(before.topic('a')).toEqual(snapshot.topic);
    expect(before.brokers()).toEqual(snapshot.brokers);
    expect([...before.configOverrides('topic', 'a')]).toEqual(snapshot.config);
    expect(before.topic('b')).toBeUndefined();
    expect(before.lastOffset).toBe(4n);
    expect(after.topic('a')?.partitions).toHaveLength(3);
    expect(after.liveBrokers()).toEqual([]);

    const third = replay(after, { type: 'topic', name: 'c', topicId: '00000000-0000-4000-8000-00000000000c' }, 9n);
    expect(third.topic('a')).toBe(after.topic('a'));
    expect(third.broker(1)).toBe(after.broker(1));
  });

  it('registered brokers are live until fenced and live again when unfenced', () => {
    let image = replayBatch(MetadataImage.empty, [broker(2, 0n), broker(1, 1n)], 1n);
    expect(image.liveBrokers().map((b) => b.brokerId)).toEqual([1, 2]);
    image = replay(image, { type: 'fence-broker', brokerId: 2, brokerEpoch: 0n }, 2n);
    expect(image.liveBrokers().map((b) => b.brokerId)).toEqual([1]);
    expect(image.brokers().map((b) => b.brokerId)).toEqual([1, 2]);
    image = replay(image, { type: 'unfence-broker', brokerId: 2, brokerEpoch: 0n }, 3n);
    expect(image.liveBrokers().map((b) => b.brokerId)).toEqual([1, 2]);
    image = replay(image, broker(2, 4n), 4n);
    expect(image.broker(2)?.brokerEpoch).toBe(4n);
  });

  it('records that contradict the image fail an assert', () => {
    const image = replayBatch(MetadataImage.empty, createA, 3n);
    expect(() => replay(image, { type: 'topic', name: 'a', topicId: idB }, 4n)).toThrow(AssertionError);
    expect(() => replay(image, { type: 'remove-topic', topicId: idB }, 4n)).toThrow(AssertionError);
    expect(() =>
      replay(
        image,
        {
          type: 'partition',
          topicId: idB,
          partition: 0,
          replicas: [1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          elr: [],
          lastKnownElr: [],
          addingReplicas: [],
          removingReplicas: [],
        },
        4n,
      ),
    ).toThrow(AssertionError);
    expect(() => replay(image, { type: 'fence-broker', brokerId: 9, brokerEpoch: 0n }, 4n)).toThrow(AssertionError);
    expect(() => replay(image, { type: 'remove-topic', topicId: idA }, 3n)).toThrow(AssertionError);
  });
});

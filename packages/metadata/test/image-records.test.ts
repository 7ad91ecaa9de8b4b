import { describe, expect, it } from 'vitest';
import { imageRecords } from '../src/image-records.ts';
import { MetadataImage, replayBatch } from '../src/metadata-image.ts';
import type { MetadataRecord } from '../src/records.ts';

const topicA = '11111111-1111-1111-1111-111111111111';
const topicB = '22222222-2222-2222-2222-222222222222';

function history(): MetadataRecord[] {
  return [
    { type: 'register-broker', brokerId: 1, incarnationId: topicA, brokerEpoch: 0n, listeners: [], rack: 'r1' },
    { type: 'register-broker', brokerId: 2, incarnationId: topicB, brokerEpoch: 1n, listeners: [], rack: null },
    { type: 'topic', name: 'a', topicId: topicA },
    {
      type: 'partition',
      topicId: topicA,
      partition: 0,
      replicas: [1, 2],
      isr: [1, 2],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
    { type: 'config', resourceType: 'topic', resourceName: 'a', name: 'retention.ms', value: '10' },
    { type: 'topic', name: 'b', topicId: topicB },
    {
      type: 'partition',
      topicId: topicB,
      partition: 0,
      replicas: [2],
      isr: [2],
      leader: 2,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
    { type: 'fence-broker', brokerId: 2, brokerEpoch: 1n },
    {
      type: 'partition',
      topicId: topicA,
      partition: 0,
      replicas: [1, 2],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 1,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
    { type: 'config', resourceType: 'broker', resourceName: '', name: 'log.retention.ms', value: '5' },
    { type: 'config', resourceType: 'topic', resourceName: 'a', name: 'cleanup.policy', value: 'compact' },
    { type: 'remove-topic', topicId: topicB },
    { type: 'cluster-id', clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' },
    { type: 'producer-ids', brokerId: 1, brokerEpoch: 0n, nextProducerId: 1000n },
    { type: 'producer-ids', brokerId: 1, brokerEpoch: 0n, nextProducerId: 2000n },
  ];
}

describe('image records', () => {
  it('rebuild an equal image in fewer records', () => {
    const records = history();
    const image = replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
    const snapshot = imageRecords(image);
    expect(snapshot.length).toBeLessThan(records.length);
    const rebuilt = replayBatch(MetadataImage.empty, snapshot, image.lastOffset);
    expect(rebuilt.lastOffset).toBe(image.lastOffset);
    expect(rebuilt.brokers()).toEqual(image.brokers());
    expect(rebuilt.topicNames()).toEqual(['a']);
    expect(rebuilt.topic('a')).toEqual(image.topic('a'));
    expect(rebuilt.configResources()).toEqual(image.configResources());
    expect(rebuilt.configOverrides('topic', 'a')).toEqual(image.configOverrides('topic', 'a'));
    expect(rebuilt.configOverrides('broker', '').get('log.retention.ms')).toBe('5');
    // The cluster's identity and every producer id handed out survive a snapshot.
    expect(rebuilt.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qg');
    expect(rebuilt.nextProducerId).toBe(2000n);
    expect(imageRecords(rebuilt)).toEqual(snapshot);
  });

  it('keep a decommissioning mark (and drop a cancelled one), so a snapshot does not forget a drain', () => {
    const records: MetadataRecord[] = [
      ...history(),
      { type: 'broker-state', brokerId: 1, state: 'decommissioning' },
      { type: 'broker-state', brokerId: 2, state: 'decommissioning' },
      { type: 'broker-state', brokerId: 2, state: 'active' },
    ];
    const image = replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
    expect(image.decommissioningBrokerIds()).toEqual([1]);
    expect(image.placeableBrokers()).toEqual([]);
    const snapshot = imageRecords(image);
    expect(snapshot.filter((r) => r.type === 'broker-state')).toEqual([
      { type: 'broker-state', brokerId: 1, state: 'decommissioning' },
    ]);
    const rebuilt = replayBatch(MetadataImage.empty, snapshot, image.lastOffset);
    expect(rebuilt.brokerState(1)).toBe('decommissioning');
    expect(rebuilt.brokerState(2)).toBe('active');
  });
});

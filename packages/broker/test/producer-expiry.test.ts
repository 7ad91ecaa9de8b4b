/**
 * producer.id.expiration.ms as the broker runs it: PartitionManager asks
 * every hosted partition's log to forget producers idle that long (by the
 * broker's clock against each producer's last batch timestamp).
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import { encodeRecordBatchSync } from '@runnel/protocol';
import { FaultyFileSystem } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { PartitionManager } from '../src/partition-manager.ts';

const topicId = '00000000-0000-4000-8000-0000000000bb';
const startMs = 1_700_000_000_000;

function topicRecords(): MetadataRecord[] {
  return [
    { type: 'topic', name: 'events', topicId },
    {
      type: 'partition',
      topicId,
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
  ];
}

describe('PartitionManager producer expiry', () => {
  it('forgets producers idle for producer.id.expiration.ms and keeps the ones that wrote since', async () => {
    const clock = new ManualClock(startMs);
    const manager = new PartitionManager({
      config: { ...defaultBrokerConfig, nodeId: 1, dataDir: '/data', producerIdExpirationMs: 60_000 },
      logger: silentLogger(),
      clock,
      fs: new FaultyFileSystem(),
    });
    manager.apply(replayBatch(MetadataImage.empty, topicRecords(), 1n));
    await manager.settled();
    const partition = manager.get('events', 0);
    if (partition === undefined) throw new Error('partition not opened');
    const write = async (producerId: bigint, timestampMs: number) => {
      const batch = encodeRecordBatchSync({
        records: [{ key: null, value: Buffer.from('v') }],
        baseTimestamp: BigInt(timestampMs),
        producerId,
        producerEpoch: 0,
        baseSequence: 0,
      });
      const appended = await partition.appendAsLeader(batch, 1, { acks: 1, minInsyncReplicas: 1, timeoutMs: 1_000 });
      expect(appended.ok).toBe(true);
    };
    await write(1n, startMs);
    await write(2n, startMs + 30_000);
    clock.advance(59_999);
    expect(await manager.expireProducers()).toBe(0);
    clock.advance(1);
    expect(await manager.expireProducers()).toBe(1);
    expect([partition.log.producer(1n), partition.log.producer(2n)?.producerId]).toEqual([undefined, 2n]);
    await manager.close();
  });
});

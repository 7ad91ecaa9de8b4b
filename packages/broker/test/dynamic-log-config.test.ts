/**
 * Dynamic broker configs reach running partition logs: PartitionManager
 * reconfigures a hosted partition's log when a cluster-wide default its
 * topic does not override changes (no restart, no reopen), so the next
 * roll and the next retention pass use the new values; a topic override
 * keeps winning.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import { encodeRecordBatchSync } from '@runnel/protocol';
import { FaultyFileSystem } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { PartitionManager } from '../src/partition-manager.ts';

const startMs = 1_700_000_000_000;

function topicRecords(name: string, topicId: string): MetadataRecord[] {
  return [
    { type: 'topic', name, topicId },
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

const clusterDefault = (name: string, value: string): MetadataRecord => ({
  type: 'config',
  resourceType: 'broker',
  resourceName: '',
  name,
  value,
});

describe('PartitionManager and dynamic log configs', () => {
  it('a changed cluster default retention deletes old segments of a topic without an override, not of one with', async () => {
    const clock = new ManualClock(startMs);
    const manager = new PartitionManager({
      config: { ...defaultBrokerConfig, nodeId: 1, dataDir: '/data' },
      logger: silentLogger(),
      clock,
      fs: new FaultyFileSystem(),
    });
    let image = replayBatch(
      MetadataImage.empty,
      [
        ...topicRecords('plain', '00000000-0000-4000-8000-0000000000c1'),
        ...topicRecords('kept', '00000000-0000-4000-8000-0000000000c2'),
        { type: 'config', resourceType: 'topic', resourceName: 'kept', name: 'retention.ms', value: '-1' },
        // Small segments so every batch below gets one of its own.
        clusterDefault('log.segment.bytes', '100'),
      ],
      6n,
    );
    manager.apply(image);
    await manager.settled();
    const plain = manager.get('plain', 0);
    const kept = manager.get('kept', 0);
    if (plain === undefined || kept === undefined) throw new Error('partitions not opened');
    expect(plain.log.config.segmentBytes).toBe(100);
    for (const partition of [plain, kept]) {
      for (let i = 0; i < 3; i++) {
        const batch = encodeRecordBatchSync({
          records: [{ key: null, value: Buffer.alloc(200, i) }],
          baseTimestamp: BigInt(startMs),
        });
        const appended = await partition.appendAsLeader(batch, 1, { acks: 1, minInsyncReplicas: 1, timeoutMs: 1_000 });
        expect(appended.ok).toBe(true);
      }
      expect(partition.log.segmentCount).toBe(3);
    }
    clock.advance(2_000);
    // Kafka's default retention (7 days) keeps everything.
    expect(await manager.applyRetention()).toBe(0);

    image = replayBatch(image, [clusterDefault('log.retention.ms', '1000')], 7n);
    manager.apply(image);
    await manager.settled();
    expect(plain.log.config.retentionMs).toBe(1000);
    expect(kept.log.config.retentionMs).toBe(-1);
    expect(await manager.applyRetention()).toBe(2);
    expect(plain.log.segmentCount).toBe(1);
    expect(plain.log.logStartOffset).toBe(2n);
    expect(kept.log.segmentCount).toBe(3);
    await manager.close();
  });
});

/**
 * PartitionManager's role-change hook, which the offsets store loads and
 * unloads `__consumer_offsets` partitions from: told on becoming leader, on
 * a new leader epoch while leader, on becoming follower, and on removal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { PartitionManager } from '../src/partition-manager.ts';

const topicId = '00000000-0000-4000-8000-0000000000aa';
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function partition(leader: number, leaderEpoch: number, isr = [1, 2]): MetadataRecord {
  return {
    type: 'partition',
    topicId,
    partition: 0,
    replicas: [1, 2],
    isr,
    leader,
    leaderEpoch,
    partitionEpoch: leaderEpoch,
    elr: [],
    lastKnownElr: [],
    addingReplicas: [],
    removingReplicas: [],
  };
}

describe('PartitionManager onRoleChange', () => {
  it('reports leader, new leader epoch, follower and removal, and nothing for an ISR-only change', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-role-'));
    dirs.push(dataDir);
    const seen: string[] = [];
    const manager = new PartitionManager({
      config: { ...defaultBrokerConfig, nodeId: 1, dataDir },
      logger: silentLogger(),
      clock: systemClock,
      onRoleChange: (p, before, after) => seen.push(`${p.topic}-${p.index} ${before}->${after} e${p.leaderEpoch}`),
    });
    let image = replayBatch(
      MetadataImage.empty,
      [{ type: 'topic', name: '__consumer_offsets', topicId }, partition(1, 0)],
      1n,
    );
    const step = async (records: MetadataRecord[]): Promise<void> => {
      image = replayBatch(image, records, image.lastOffset + 1n);
      manager.apply(image);
      await manager.settled();
    };
    manager.apply(image);
    await manager.settled();
    await step([partition(1, 0, [1])]);
    await step([partition(1, 2)]);
    await step([partition(2, 3)]);
    await step([{ type: 'remove-topic', topicId }]);
    await manager.close();
    expect(seen).toEqual([
      '__consumer_offsets-0 none->leader e0',
      '__consumer_offsets-0 leader->leader e2',
      '__consumer_offsets-0 leader->follower e3',
      '__consumer_offsets-0 follower->none e3',
    ]);
  });
});

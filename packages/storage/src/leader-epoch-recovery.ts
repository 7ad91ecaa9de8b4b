/**
 * Opening the leader epoch cache once the segments are recovered: load the
 * checkpoint and fit it to the recovered log, or rebuild it from the
 * partitionLeaderEpoch of every batch header when the checkpoint is missing
 * or unreadable.
 *
 * Fitting is all a readable checkpoint needs, because PartitionLog makes a
 * new epoch durable in the checkpoint before writing its first batch: the
 * log never holds an epoch the checkpoint lacks, but the checkpoint may name
 * epochs whose batches a crash (or recovery's truncation) lost, and may
 * predate a retention run. Those are cut to the log's end and start.
 */
import { join } from 'node:path';
import type { Logger } from '@runnel/common';
import { assert } from '@runnel/common';
import { BASE_OFFSET_OFFSET, BATCH_LENGTH_OFFSET, LOG_OVERHEAD, PARTITION_LEADER_EPOCH_OFFSET } from '@runnel/protocol';
import type { FileSystem } from './file-system.ts';
import { readAt } from './file-system.ts';
import { LeaderEpochCache } from './leader-epoch-cache.ts';
import {
  leaderEpochCheckpointTempFileName,
  readLeaderEpochCheckpoint,
  writeLeaderEpochCheckpoint,
} from './leader-epoch-checkpoint.ts';
import type { LogSegment } from './log-segment.ts';

/** Header bytes the rebuild needs: baseOffset, batchLength, partitionLeaderEpoch. */
const epochHeaderBytes = PARTITION_LEADER_EPOCH_OFFSET + 4;
const scanChunkBytes = 1024 * 1024;

/** Loads (or rebuilds) the cache for recovered `segments`, writing the checkpoint back if that changed it. */
export async function openLeaderEpochCache(options: {
  dir: string;
  fs: FileSystem;
  segments: readonly LogSegment[];
  logger: Logger;
}): Promise<LeaderEpochCache> {
  const { dir, fs, segments, logger } = options;
  const first = segments[0];
  const active = segments.at(-1);
  assert(first !== undefined && active !== undefined, 'a recovered log has a segment');
  // Left by a crash while writing the checkpoint; the renamed file is the one that counts.
  if ((await fs.stat(join(dir, leaderEpochCheckpointTempFileName))) !== null) {
    await fs.unlink(join(dir, leaderEpochCheckpointTempFileName));
  }
  const loaded = await readLeaderEpochCheckpoint(fs, dir);
  let cache: LeaderEpochCache;
  let changed: boolean;
  if (loaded.ok) {
    cache = new LeaderEpochCache(loaded.value);
    changed = false;
  } else {
    cache = await rebuildFromBatchHeaders(segments);
    // A new, empty log has nothing to checkpoint yet.
    changed = loaded.error === 'unreadable' || cache.entries().length > 0;
    if (changed) {
      logger.warn(
        { dir, reason: loaded.error, epochs: cache.entries().length, latestEpoch: cache.latestEpoch },
        'rebuilt leader epoch cache from the log',
      );
    }
  }
  if (cache.truncateFromEnd(active.nextOffset)) changed = true;
  if (cache.truncateFromStart(first.baseOffset)) changed = true;
  if (changed) await writeLeaderEpochCheckpoint(fs, dir, cache.entries());
  return cache;
}

/** Walks every batch header of the (recovered, so well-framed) log in large reads. */
async function rebuildFromBatchHeaders(segments: readonly LogSegment[]): Promise<LeaderEpochCache> {
  const cache = new LeaderEpochCache();
  for (const segment of segments) {
    const end = segment.sizeBytes;
    for (let position = 0; position < end; ) {
      const buf = await readAt(segment.logFile, position, Math.min(scanChunkBytes, end - position));
      let at = 0;
      while (at + epochHeaderBytes <= buf.length) {
        const epoch = buf.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET);
        // Batches appended without a leader epoch (-1) start none.
        if (epoch >= 0) cache.assign(epoch, buf.readBigInt64BE(at + BASE_OFFSET_OFFSET));
        at += LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH_OFFSET);
      }
      assert(at > 0, `no batch header at ${position} of a recovered segment`);
      // `at` may lie past this chunk when a batch is larger than what is left of it.
      position += at;
    }
  }
  return cache;
}

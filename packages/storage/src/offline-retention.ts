/**
 * Retention for a log that cannot be opened because its disk is full
 * (opening writes: rebuilt indexes, a producer-state snapshot): deletes the
 * oldest whole segments retention would delete, straight from the files,
 * writing nothing. Deleting is how a full disk gets space back, so it must
 * not need space first.
 *
 * The decision is PartitionLog's own (segmentsPastRetention), over what the
 * files say: each segment's size, and its largest timestamp from the last
 * time-index entry (a sealed segment's index ends with it; one without a
 * readable entry is kept by time). Never the newest segment. Each segment
 * goes log file first, then its indexes, as LogSegment.delete does, so a
 * crash leaves only orphan indexes, which open removes. The next open
 * re-derives everything else from the segments left: the log start (a
 * checkpoint below the first segment is ignored), the leader epoch cache
 * (moved onto the log start), producer snapshots below it (deleted) and
 * aborted-transaction entries below it (dropped). Skipped while a
 * compaction swap is pending (open must finish it first).
 */
import { join } from 'node:path';
import { compactionSwapMarkerName } from './compaction-files.ts';
import { type FileSystem, readAt } from './file-system.ts';
import type { LogConfig } from './log-config.ts';
import { segmentsPastRetention } from './segment-selection.ts';

const logNamePattern = /^(\d{20})\.log$/;
const timeEntryBytes = 12;

export interface OfflineRetentionResult {
  deletedSegments: number;
  freedBytes: number;
}

export async function deleteSegmentsPastRetention(options: {
  dir: string;
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes' | 'cleanupPolicy'>;
  fs: FileSystem;
  nowMs: number;
}): Promise<OfflineRetentionResult> {
  const { dir, config, fs } = options;
  const names = await fs.readdir(dir);
  if (names.includes(compactionSwapMarkerName)) return { deletedSegments: 0, freedBytes: 0 };
  const bases = names.flatMap((n) => logNamePattern.exec(n)?.[1] ?? []).sort();
  const segments: { base: string; sizeBytes: number; maxTimestampMs: bigint }[] = [];
  for (const base of bases) {
    const size = (await fs.stat(join(dir, `${base}.log`)))?.sizeBytes ?? 0;
    segments.push({
      base,
      sizeBytes: size,
      maxTimestampMs: await largestTimestamp(fs, join(dir, `${base}.timeindex`)),
    });
  }
  const count = segmentsPastRetention(segments, config, BigInt(options.nowMs));
  let freedBytes = 0;
  for (const segment of segments.slice(0, count)) {
    for (const suffix of ['.log', '.index', '.timeindex', '.txnindex']) {
      const path = join(dir, `${segment.base}${suffix}`);
      const stat = await fs.stat(path);
      if (stat === null) continue;
      await fs.unlink(path);
      freedBytes += stat.sizeBytes;
    }
  }
  return { deletedSegments: count, freedBytes };
}

/** The last time-index entry's timestamp, or -1 (kept by time) when there is no whole entry. */
async function largestTimestamp(fs: FileSystem, path: string): Promise<bigint> {
  const stat = await fs.stat(path);
  if (stat === null || stat.sizeBytes < timeEntryBytes) return -1n;
  const last = Math.floor(stat.sizeBytes / timeEntryBytes) * timeEntryBytes - timeEntryBytes;
  const file = await fs.open(path);
  try {
    const entry = await readAt(file, last, timeEntryBytes);
    return entry.length === timeEntryBytes ? entry.readBigInt64BE(0) : -1n;
  } finally {
    await file.close();
  }
}

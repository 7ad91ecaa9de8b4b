/**
 * Opening a partition directory: find the segments by file name, drop
 * leftovers of an interrupted deletion, recover each segment (see
 * segment-recovery.ts), and if a sealed segment turns out damaged keep only
 * the valid prefix of the log. Logs one line when anything was repaired.
 */
import { join } from 'node:path';
import type { Logger } from '@runnel/common';
import { assert } from '@runnel/common';
import type { FileSystem } from './file-system.ts';
import type { LogConfig } from './log-config.ts';
import { LogSegment, segmentFileName } from './log-segment.ts';
import { recoverActiveSegment, recoverSealedSegment, type SegmentRecovery } from './segment-recovery.ts';

const segmentNamePattern = /^(\d{20})\.(log|index|timeindex)$/;

/** Lists, opens and recovers the segments in a directory; creates the first one if there is none. */
export async function openLogDirectory(options: {
  dir: string;
  config: LogConfig;
  fs: FileSystem;
  logger: Logger;
}): Promise<LogSegment[]> {
  const { dir, fs, config, logger } = options;
  await fs.mkdirp(dir);
  const logs = new Set<bigint>();
  const indexes: { base: bigint; name: string }[] = [];
  for (const name of await fs.readdir(dir)) {
    const m = segmentNamePattern.exec(name);
    if (m?.[1] === undefined) continue;
    const base = BigInt(m[1]);
    if (m[2] === 'log') logs.add(base);
    else indexes.push({ base, name });
  }
  // Index files whose log is gone were left by a crash during segment deletion.
  for (const { base, name } of indexes) if (!logs.has(base)) await fs.unlink(join(dir, name));
  const bases = [...logs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (bases.length === 0) bases.push(0n);

  const segments: LogSegment[] = [];
  const reports: SegmentRecovery[] = [];
  let deletedSegments = 0;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    assert(base !== undefined);
    const segment = await LogSegment.open(fs, dir, base, config.indexIntervalBytes);
    segments.push(segment);
    const nextBase = bases[i + 1];
    const report =
      nextBase === undefined ? await recoverActiveSegment(segment) : await recoverSealedSegment(segment, nextBase);
    reports.push(report);
    if (nextBase !== undefined && (report.defect !== null || segment.nextOffset > nextBase)) {
      // A damaged sealed segment: keep the valid prefix; later segments would leave a hole.
      for (const later of bases.slice(i + 1)) {
        for (const suffix of ['.log', '.index', '.timeindex'] as const) {
          if ((await fs.stat(join(dir, segmentFileName(later, suffix)))) !== null) {
            await fs.unlink(join(dir, segmentFileName(later, suffix)));
          }
        }
        deletedSegments++;
      }
      break;
    }
  }
  const truncatedBytes = reports.reduce((sum, r) => sum + r.truncatedBytes, 0);
  const rebuiltIndexes = reports.filter((r) => r.rebuiltIndex).length;
  if (truncatedBytes > 0 || rebuiltIndexes > 0 || deletedSegments > 0) {
    const defects = reports.flatMap((r) => (r.defect === null ? [] : [r.defect]));
    logger.warn(
      { dir, truncatedBytes, rebuiltIndexes, deletedSegments, defects, segments: segments.length },
      'recovered partition log',
    );
  }
  return segments;
}

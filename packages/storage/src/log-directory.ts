/**
 * Opening a partition directory: finish or discard an interrupted
 * compaction swap (compaction-files.ts), find the segments by file name, drop
 * leftovers of an interrupted deletion, recover each segment (see
 * segment-recovery.ts), and if a sealed segment turns out damaged keep only
 * the valid prefix of the log. After a clean shutdown (the marker of
 * clean-shutdown.ts matches) the active segment's rescan is skipped; the
 * marker is removed durably before the log is handed out. Logs one line
 * saying whether recovery was skipped and exactly what it checked, and one
 * more when anything was repaired.
 */
import { join } from 'node:path';
import type { Logger, Result } from '@runnel/common';
import { assert, err } from '@runnel/common';
import { type CleanShutdownState, readCleanShutdownMarker, removeCleanShutdownMarker } from './clean-shutdown.ts';
import { recoverInterruptedCompaction } from './compaction-files.ts';
import type { FileSystem } from './file-system.ts';
import type { HandleCache } from './handle-cache.ts';
import type { LogConfig } from './log-config.ts';
import { LogSegment, segmentFileName } from './log-segment.ts';
import {
  type CleanOpenMismatch,
  recoverActiveSegment,
  recoverSealedSegment,
  restoreCleanActiveSegment,
  type SegmentRecovery,
} from './segment-recovery.ts';

/** Why the active segment got the full recovery rather than a clean-shutdown open. */
type FullRecoveryReason =
  | 'no_marker'
  | 'unreadable_marker'
  | 'segment_mismatch'
  | 'damaged_sealed_segment'
  | CleanOpenMismatch;

const segmentNamePattern = /^(\d{20})\.(log|index|timeindex)$/;

/** Lists, opens and recovers the segments in a directory; creates the first one if there is none. */
export async function openLogDirectory(options: {
  dir: string;
  config: LogConfig;
  fs: FileSystem;
  logger: Logger;
  handles: HandleCache;
}): Promise<LogSegment[]> {
  const { dir, fs, config, logger, handles } = options;
  await fs.mkdirp(dir);
  await recoverInterruptedCompaction(fs, dir, logger);
  const marker = await readCleanShutdownMarker(fs, dir);
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
  // Stays so only when a damaged sealed segment ends the loop before the active one.
  let fullRecovery: FullRecoveryReason | null = 'damaged_sealed_segment';
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    assert(base !== undefined);
    const segment = await LogSegment.open(fs, dir, base, config.indexIntervalBytes, handles);
    segments.push(segment);
    const nextBase = bases[i + 1];
    let report: SegmentRecovery;
    if (nextBase !== undefined) {
      report = await recoverSealedSegment(segment, nextBase);
    } else {
      const clean = await openCleanActive(segment, marker.ok ? marker.value : marker.error);
      if (clean.ok) {
        fullRecovery = null;
        report = clean.value;
      } else {
        fullRecovery = clean.error;
        report = await recoverActiveSegment(segment);
      }
    }
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
  if (marker.ok || marker.error !== 'absent') await removeCleanShutdownMarker(fs, dir);
  logOpened(logger, dir, segments, reports, fullRecovery, deletedSegments);
  return segments;
}

/**
 * One `info` line saying exactly what was checked (segments, from which
 * offset, batches, bytes) and, when anything was repaired, one `warn` line
 * saying what was cut. The recovery point needs no checkpoint file here
 * (Kafka keeps recovery-point-offset-checkpoint): every roll fsyncs the
 * sealed segment, so it is never below the active segment's base, and after
 * a clean shutdown it is the log end.
 */
function logOpened(
  logger: Logger,
  dir: string,
  segments: readonly LogSegment[],
  reports: readonly SegmentRecovery[],
  fullRecovery: FullRecoveryReason | null,
  deletedSegments: number,
): void {
  const active = segments.at(-1);
  const checked = reports.filter((r) => r.checkedFromOffset !== null);
  const checkedFromOffset = checked[0]?.checkedFromOffset ?? null;
  const truncatedFrom = reports.find((r) => r.truncatedFromOffset !== null)?.truncatedFromOffset ?? null;
  const truncatedBytes = reports.reduce((sum, r) => sum + r.truncatedBytes, 0);
  logger.info(
    {
      dir,
      recoverySkipped: fullRecovery === null,
      ...(fullRecovery === null ? {} : { fullRecoveryReason: fullRecovery }),
      recoveryPointOffset: String(fullRecovery === null ? active?.nextOffset : active?.baseOffset),
      segments: segments.length,
      checkedSegments: checked.length,
      checkedFromOffset: checkedFromOffset === null ? null : String(checkedFromOffset),
      checkedBatches: checked.reduce((sum, r) => sum + r.checkedBatches, 0),
      checkedBytes: checked.reduce((sum, r) => sum + r.checkedBytes, 0),
      truncatedBytes,
      truncatedFromOffset: truncatedFrom === null ? null : String(truncatedFrom),
      logEndOffset: active?.nextOffset.toString(),
    },
    'opened partition log',
  );
  const rebuiltIndexes = reports.filter((r) => r.rebuiltIndex).length;
  if (truncatedBytes > 0 || rebuiltIndexes > 0 || deletedSegments > 0) {
    const defects = reports.flatMap((r) => (r.defect === null ? [] : [r.defect]));
    logger.warn(
      {
        dir,
        truncatedBytes,
        truncatedFromOffset: truncatedFrom === null ? null : String(truncatedFrom),
        rebuiltIndexes,
        deletedSegments,
        defects,
        segments: segments.length,
      },
      'recovered partition log',
    );
  }
}

/** Restores the active segment as close() left it, when the marker vouches for exactly this segment. */
async function openCleanActive(
  segment: LogSegment,
  marker: CleanShutdownState | 'absent' | 'unreadable',
): Promise<Result<SegmentRecovery, FullRecoveryReason>> {
  if (marker === 'absent') return err('no_marker');
  if (marker === 'unreadable') return err('unreadable_marker');
  if (marker.activeBaseOffset !== segment.baseOffset) return err('segment_mismatch');
  return restoreCleanActiveSegment(segment, { sizeBytes: marker.activeSizeBytes, nextOffset: marker.logEndOffset });
}

/**
 * The files compaction keeps in a partition directory, and the crash-safe
 * swap of cleaned segments:
 *
 * - `compaction-staging/`: cleaned segments (`<base>.log`, `.index`,
 *   `.timeindex`) being written; each covers exactly the offsets of the
 *   segment it replaces.
 * - `compaction-swap`: the commit point. Written (atomically: temp file,
 *   fsync, rename, directory fsync) only once every staged file is fsynced;
 *   while it exists the staged files are the truth and recovery moves them
 *   over the originals (one rename each, atomic per file) before opening the
 *   log. Without it, staged files are leftovers of an unfinished pass and
 *   are deleted. So a crash anywhere ends with all old or all new segments:
 *   never a mix, which matters because a cleaned segment may have dropped a
 *   tombstone whose older value is still in an uncleaned one.
 * - `cleaner-offset-checkpoint`: the offset up to which the log was
 *   compacted and the earliest delete horizon of a tombstone it kept (text:
 *   version `0`, then `offset horizonMs`, -1 for none), replaced
 *   atomically. It only saves work: a stale or missing one makes the next
 *   pass redo some (or wait for new dirty data to drop due tombstones).
 */
import { join } from 'node:path';
import type { Logger } from '@runnel/common';
import { type FileSystem, readAt } from './file-system.ts';
import { replaceFile } from './whole-file.ts';

export const compactionStagingDirName = 'compaction-staging';
export const compactionSwapMarkerName = 'compaction-swap';
export const cleanerCheckpointName = 'cleaner-offset-checkpoint';

const checkpointVersion = '0';
const checkpointBytesMax = 64;

async function unlinkIfPresent(fs: FileSystem, path: string): Promise<void> {
  if ((await fs.stat(path)) !== null) await fs.unlink(path);
}

/** An empty staging directory for a new pass (a previous pass's leftovers are never committed ones: see open). */
export async function prepareStaging(fs: FileSystem, dir: string): Promise<string> {
  const staging = join(dir, compactionStagingDirName);
  await fs.rmrf(staging);
  await fs.mkdirp(staging);
  return staging;
}

/** Drops an uncommitted pass's staged files. */
export async function discardStaging(fs: FileSystem, dir: string): Promise<void> {
  await fs.rmrf(join(dir, compactionStagingDirName));
}

/** The commit point: every staged file must be fsynced before this is called. */
export async function commitSwap(fs: FileSystem, dir: string, bases: readonly bigint[]): Promise<void> {
  await replaceFile(fs, join(dir, compactionSwapMarkerName), Buffer.from(`${checkpointVersion}\n${bases.join(' ')}\n`));
}

/**
 * Moves every staged file over its original (log first, then indexes), then
 * removes the staging directory and the marker. Idempotent: recovery calls
 * it again after a crash part way through. Returns how many files moved.
 */
export async function completeSwap(fs: FileSystem, dir: string): Promise<number> {
  const staging = join(dir, compactionStagingDirName);
  let moved = 0;
  if ((await fs.stat(staging)) !== null) {
    const names = (await fs.readdir(staging)).sort(logFirst);
    for (const name of names) {
      const base = /^(\d{20})\./.exec(name)?.[1];
      // A staged file whose original log is gone would resurrect a deleted segment: drop it instead.
      if (base !== undefined && (await fs.stat(join(dir, `${base}.log`))) !== null) {
        await fs.rename(join(staging, name), join(dir, name));
        moved++;
      }
    }
    await fs.syncDirectory(dir);
    await fs.rmrf(staging);
  }
  await unlinkIfPresent(fs, join(dir, `${compactionSwapMarkerName}.tmp`));
  await unlinkIfPresent(fs, join(dir, compactionSwapMarkerName));
  await fs.syncDirectory(dir);
  return moved;
}

function logFirst(a: string, b: string): number {
  const rank = (n: string) => (n.endsWith('.log') ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Recovery, before the segments are listed: finishes a committed swap or
 * discards an uncommitted one. Logs one line when it found either.
 */
export async function recoverInterruptedCompaction(fs: FileSystem, dir: string, logger: Logger): Promise<void> {
  const committed = (await fs.stat(join(dir, compactionSwapMarkerName))) !== null;
  if (committed) {
    const movedFiles = await completeSwap(fs, dir);
    logger.warn({ dir, movedFiles }, 'completed interrupted compaction swap');
    return;
  }
  await unlinkIfPresent(fs, join(dir, `${compactionSwapMarkerName}.tmp`));
  if ((await fs.stat(join(dir, compactionStagingDirName))) !== null) {
    await discardStaging(fs, dir);
    await fs.syncDirectory(dir);
    logger.info({ dir }, 'discarded unfinished compaction');
  }
}

export interface CleanerCheckpoint {
  cleanedOffset: bigint;
  deleteHorizonMs: bigint;
}

export async function writeCleanerCheckpoint(fs: FileSystem, dir: string, state: CleanerCheckpoint): Promise<void> {
  const text = `${checkpointVersion}\n${state.cleanedOffset} ${state.deleteHorizonMs}\n`;
  await replaceFile(fs, join(dir, cleanerCheckpointName), Buffer.from(text, 'utf8'));
}

/** The checkpoint, or null when there is none readable (the whole log then counts as dirty). */
export async function readCleanerCheckpoint(fs: FileSystem, dir: string): Promise<CleanerCheckpoint | null> {
  const path = join(dir, cleanerCheckpointName);
  const stat = await fs.stat(path);
  if (stat === null || stat.isDirectory || stat.sizeBytes > checkpointBytesMax) return null;
  const file = await fs.open(path);
  let text: string;
  try {
    text = (await readAt(file, 0, stat.sizeBytes)).toString('utf8');
  } finally {
    await file.close();
  }
  const m = /^0\n(\d{1,19}) (-1|\d{1,19})\n$/.exec(text);
  if (m?.[1] === undefined || m[2] === undefined) return null;
  return { cleanedOffset: BigInt(m[1]), deleteHorizonMs: BigInt(m[2]) };
}

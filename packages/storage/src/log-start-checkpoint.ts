/**
 * `log-start-offset-checkpoint`: the log start offset a DeleteRecords (or a
 * follower copying its leader's) moved past the first segment's base. Only
 * whole segments are deleted, so without it a restart would serve again the
 * records of the first segment that lie below the start: the offset must be
 * durable before the request is answered.
 *
 * Format (text): `0\n<offset>\n`. An absent or unreadable file means "no
 * start beyond the first segment" (the base offset of the first segment).
 */
import { join } from 'node:path';
import type { FileSystem } from './file-system.ts';
import { readWholeFile, replaceFile } from './whole-file.ts';

export const logStartCheckpointName = 'log-start-offset-checkpoint';

const checkpointBytesMax = 64;

export async function writeLogStartCheckpoint(fs: FileSystem, dir: string, offset: bigint): Promise<void> {
  await replaceFile(fs, join(dir, logStartCheckpointName), Buffer.from(`0\n${offset}\n`, 'utf8'));
}

/** The checkpointed log start, or null when none is readable. */
export async function readLogStartCheckpoint(fs: FileSystem, dir: string): Promise<bigint | null> {
  const read = await readWholeFile(fs, join(dir, logStartCheckpointName), checkpointBytesMax);
  if (!read.ok) return null;
  const m = /^0\n(\d{1,19})\n$/.exec(read.value.toString('utf8'));
  return m?.[1] === undefined ? null : BigInt(m[1]);
}

/**
 * The log start a log opens with: the checkpoint when it lies inside the
 * log, else the first segment's base (the checkpoint may be below it after
 * retention deleted segments, or past the end after a crash between a
 * truncation and the checkpoint's rewrite).
 */
export function openingLogStart(checkpoint: bigint | null, firstBase: bigint, logEnd: bigint): bigint {
  if (checkpoint === null || checkpoint <= firstBase) return firstBase;
  return checkpoint < logEnd ? checkpoint : logEnd;
}

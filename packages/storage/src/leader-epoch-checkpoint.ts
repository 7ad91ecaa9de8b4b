/**
 * The leader epoch checkpoint: `leader-epoch-checkpoint` in the partition
 * directory, a small text file
 *
 *   0                  version
 *   3                  entry count
 *   0 0                "epoch startOffset", oldest first
 *   2 10
 *   5 30
 *
 * Replaced atomically (temp file, fsync, rename, fsync of the directory), so
 * a crash leaves either the old or the new content, never a mix. A file
 * that does not parse exactly (wrong version or count, entries not strictly
 * increasing) is `unreadable`; open then rebuilds the cache from the log.
 */
import { join } from 'node:path';
import { err, ok, type Result } from '@runnel/common';
import { type FileSystem, readAt } from './file-system.ts';
import type { EpochEntry } from './leader-epoch-cache.ts';
import { replaceFile, tempPathFor } from './whole-file.ts';

export const leaderEpochCheckpointFileName = 'leader-epoch-checkpoint';
export const leaderEpochCheckpointTempFileName = tempPathFor(leaderEpochCheckpointFileName);

const checkpointVersion = 0;
/** ~30 bytes per entry: room for far more leadership changes than a partition sees. */
const checkpointBytesMax = 4 * 1024 * 1024;
const entryPattern = /^(\d{1,10}) (\d{1,19})$/;
const epochMax = 0x7fffffff;
const offsetMax = 0x7fffffffffffffffn;

export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  const lines = [String(checkpointVersion), String(entries.length)];
  for (const e of entries) lines.push(`${e.epoch} ${e.startOffset}`);
  return `${lines.join('\n')}\n`;
}

/** The entries, or null when `text` is not exactly a checkpoint this module writes. */
export function parseLeaderEpochCheckpoint(text: string): EpochEntry[] | null {
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  const [version, count, ...rest] = lines;
  if (version !== String(checkpointVersion) || count === undefined || !/^\d{1,9}$/.test(count)) return null;
  if (Number(count) !== rest.length) return null;
  const entries: EpochEntry[] = [];
  for (const line of rest) {
    const m = entryPattern.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) return null;
    const epoch = Number(m[1]);
    const startOffset = BigInt(m[2]);
    if (epoch > epochMax || startOffset > offsetMax) return null;
    const prev = entries.at(-1);
    if (prev !== undefined && (epoch <= prev.epoch || startOffset <= prev.startOffset)) return null;
    entries.push({ epoch, startOffset });
  }
  return entries;
}

/** Replaces the checkpoint durably and atomically. */
export async function writeLeaderEpochCheckpoint(
  fs: FileSystem,
  dir: string,
  entries: readonly EpochEntry[],
): Promise<void> {
  await replaceFile(
    fs,
    join(dir, leaderEpochCheckpointFileName),
    Buffer.from(formatLeaderEpochCheckpoint(entries), 'utf8'),
  );
}

/** The checkpoint's entries: `absent` when there is no file, `unreadable` when it does not parse. */
export async function readLeaderEpochCheckpoint(
  fs: FileSystem,
  dir: string,
): Promise<Result<EpochEntry[], 'absent' | 'unreadable'>> {
  const path = join(dir, leaderEpochCheckpointFileName);
  const stat = await fs.stat(path);
  if (stat === null) return err('absent');
  if (stat.isDirectory || stat.sizeBytes > checkpointBytesMax) return err('unreadable');
  const file = await fs.open(path);
  let bytes: Buffer;
  try {
    bytes = await readAt(file, 0, stat.sizeBytes);
  } finally {
    await file.close();
  }
  const entries = parseLeaderEpochCheckpoint(bytes.toString('utf8'));
  return entries === null ? err('unreadable') : ok(entries);
}

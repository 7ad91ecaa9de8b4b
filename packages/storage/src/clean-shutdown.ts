/**
 * The clean-shutdown marker (Kafka's `.kafka_cleanshutdown`, per partition
 * here): `.clean-shutdown` in the partition directory, written by close()
 * once every segment's data and indexes are fsynced, removed by the next
 * open before the log takes any append. While it exists the directory is
 * exactly as close() left it, so open may trust the active segment's
 * indexes instead of rescanning it with CRC checks.
 *
 * It records the active segment and the log end, so that a log changed
 * behind the marker's back (a file cut short or extended, segments added or
 * removed) does not match and gets the full recovery. A marker that cannot
 * be parsed (e.g. torn by a crash during close) counts as not matching.
 */
import { join } from 'node:path';
import { err, ok, type Result } from '@runnel/common';
import { type FileSystem, readAt } from './file-system.ts';

export const cleanShutdownFileName = '.clean-shutdown';

/** What close() saw last: the active segment and where the log ended. */
export interface CleanShutdownState {
  activeBaseOffset: bigint;
  activeSizeBytes: number;
  logEndOffset: bigint;
}

/** Far larger than any marker close() writes; a bigger file is not one. */
const markerBytesMax = 4096;
const markerVersion = 1;

/** Writes the marker durably. Call only after everything it vouches for is fsynced. */
export async function writeCleanShutdownMarker(fs: FileSystem, dir: string, state: CleanShutdownState): Promise<void> {
  const text = JSON.stringify({
    version: markerVersion,
    activeBaseOffset: state.activeBaseOffset.toString(),
    activeSizeBytes: state.activeSizeBytes,
    logEndOffset: state.logEndOffset.toString(),
  });
  const file = await fs.open(join(dir, cleanShutdownFileName));
  try {
    await file.truncate(0);
    await file.write(Buffer.from(text, 'utf8'), 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.syncDirectory(dir);
}

/** The marker's content: `absent` when there is none, `unreadable` when it is not one close() wrote. */
export async function readCleanShutdownMarker(
  fs: FileSystem,
  dir: string,
): Promise<Result<CleanShutdownState, 'absent' | 'unreadable'>> {
  const path = join(dir, cleanShutdownFileName);
  const stat = await fs.stat(path);
  if (stat === null) return err('absent');
  if (stat.isDirectory || stat.sizeBytes > markerBytesMax) return err('unreadable');
  const file = await fs.open(path);
  let bytes: Buffer;
  try {
    bytes = await readAt(file, 0, stat.sizeBytes);
  } finally {
    await file.close();
  }
  const state = parseMarker(bytes.toString('utf8'));
  return state === null ? err('unreadable') : ok(state);
}

/**
 * Removes the marker and makes the removal durable, so that a crash after
 * the next append can never be mistaken for a clean shutdown.
 */
export async function removeCleanShutdownMarker(fs: FileSystem, dir: string): Promise<void> {
  await fs.unlink(join(dir, cleanShutdownFileName));
  await fs.syncDirectory(dir);
}

function parseMarker(text: string): CleanShutdownState | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const fields = parsed as Record<string, unknown>;
  const { version, activeBaseOffset, activeSizeBytes, logEndOffset } = fields;
  if (version !== markerVersion) return null;
  if (typeof activeBaseOffset !== 'string' || !/^\d{1,19}$/.test(activeBaseOffset)) return null;
  if (typeof logEndOffset !== 'string' || !/^\d{1,19}$/.test(logEndOffset)) return null;
  if (typeof activeSizeBytes !== 'number' || !Number.isSafeInteger(activeSizeBytes) || activeSizeBytes < 0) return null;
  return { activeBaseOffset: BigInt(activeBaseOffset), activeSizeBytes, logEndOffset: BigInt(logEndOffset) };
}

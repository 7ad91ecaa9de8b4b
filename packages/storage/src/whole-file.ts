/**
 * Small files read and replaced whole through the FileSystem seam:
 * checkpoints, markers and properties files, in storage and in the broker.
 *
 * `replaceFile` writes `<path>.tmp`, fsyncs it, renames it over `path` and
 * fsyncs the directory, so a crash at any point leaves either the old
 * content or the new, never a mix, and once it resolves the new content
 * survives a power cut. Every failure rejects with the platform error (EIO,
 * ENOSPC, ...): the caller decides whether it is fatal. A failed replace
 * may leave the temp file behind; the next replace truncates it.
 */
import { dirname } from 'node:path';
import { err, ok, type Result } from '@runnel/common';
import { type FileSystem, readAt } from './file-system.ts';

/** The temp file `replaceFile` writes before renaming it over `path`. */
export function tempPathFor(path: string): string {
  return `${path}.tmp`;
}

/** Replaces `path` with `data` durably and atomically. */
export async function replaceFile(fs: FileSystem, path: string, data: Buffer): Promise<void> {
  const temp = tempPathFor(path);
  const file = await fs.open(temp);
  try {
    // A temp file left by an earlier failure may be longer than this content.
    await file.truncate(0);
    await file.write(data, 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.rename(temp, path);
  await fs.syncDirectory(dirname(path));
}

/**
 * The bytes of `path`: `absent` when nothing is there, `oversized` when it
 * is larger than `bytesMax` (not a file the caller wrote). Other failures
 * (EIO, EISDIR, ...) reject.
 */
export async function readWholeFile(
  fs: FileSystem,
  path: string,
  bytesMax: number,
): Promise<Result<Buffer, 'absent' | 'oversized'>> {
  const stat = await fs.stat(path);
  if (stat === null) return err('absent');
  if (stat.isDirectory) throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: 'EISDIR' });
  if (stat.sizeBytes > bytesMax) return err('oversized');
  const file = await fs.open(path);
  try {
    return ok(await readAt(file, 0, stat.sizeBytes));
  } finally {
    await file.close();
  }
}

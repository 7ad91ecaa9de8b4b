/**
 * The clean-shutdown marker: a file the broker writes (and fsyncs) as the
 * last step of a clean stop, after its logs are flushed and closed. On start
 * the broker reads and removes it, so a run that crashes leaves no marker and
 * the next start reports an unclean shutdown to the controller (KIP-966: a
 * broker that may have lost unflushed records must not be elected as the
 * last replica standing). Every file access goes through the FileSystem
 * seam; I/O errors reject.
 */
import { join } from 'node:path';
import { type FileSystem, replaceFile } from '@runnel/storage';

const markerName = '.clean-shutdown';

function markerPath(dataDir: string): string {
  return join(dataDir, markerName);
}

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}

/**
 * True when the previous run ended with a clean stop. Removes the marker
 * (durably) before answering, so that if this run crashes the next start
 * reads as unclean. A data directory without a marker (first start, or a
 * crash) reads as unclean. I/O errors other than "no marker" reject.
 */
export async function readCleanShutdownMarker(fs: FileSystem, dataDir: string): Promise<boolean> {
  try {
    await fs.unlink(markerPath(dataDir));
  } catch (e: unknown) {
    if (isMissing(e)) return false;
    throw e;
  }
  await fs.syncDirectory(dataDir);
  return true;
}

/** Writes the marker durably (file and directory fsynced); call it last, once the logs are flushed and closed. */
export async function writeCleanShutdownMarker(fs: FileSystem, dataDir: string, atMs: number): Promise<void> {
  await replaceFile(fs, markerPath(dataDir), Buffer.from(`clean shutdown at ${new Date(atMs).toISOString()}\n`));
}

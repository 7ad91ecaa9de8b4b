/**
 * The clean-shutdown marker: a file the broker writes (and fsyncs) as the
 * last step of a clean stop, after its logs are flushed and closed. On start
 * the broker reads and removes it, so a run that crashes leaves no marker and
 * the next start reports an unclean shutdown to the controller (KIP-966: a
 * broker that may have lost unflushed records must not be elected as the
 * last replica standing).
 */
import { open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const markerName = '.clean-shutdown';

function markerPath(dataDir: string): string {
  return join(dataDir, markerName);
}

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}

/** Syncs `dir` itself, so a created or removed entry survives a power loss. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * True when the previous run ended with a clean stop. Removes the marker
 * (durably) before answering, so that if this run crashes the next start
 * reads as unclean. A data directory without a marker (first start, or a
 * crash) reads as unclean. I/O errors other than "no marker" reject.
 */
export async function readCleanShutdownMarker(dataDir: string): Promise<boolean> {
  const path = markerPath(dataDir);
  try {
    await rm(path);
  } catch (e: unknown) {
    if (isMissing(e)) return false;
    throw e;
  }
  await syncDir(dirname(path));
  return true;
}

/** Writes the marker and fsyncs it and its directory; call it last, once the logs are flushed and closed. */
export async function writeCleanShutdownMarker(dataDir: string): Promise<void> {
  const path = markerPath(dataDir);
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(`clean shutdown at ${new Date().toISOString()}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dirname(path));
}

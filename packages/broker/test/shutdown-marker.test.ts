/**
 * The broker's clean-shutdown marker through the FileSystem seam: present
 * once after a clean stop, gone after it is read, durable, and an I/O
 * failure rejects rather than reading as a clean or unclean stop.
 */
import { FaultyFileSystem } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import { readCleanShutdownMarker, writeCleanShutdownMarker } from '../src/shutdown-marker.ts';

const dir = '/data';

async function disk(): Promise<FaultyFileSystem> {
  const fs = new FaultyFileSystem();
  await fs.mkdirp(dir);
  return fs;
}

describe('clean shutdown marker', () => {
  it('a data directory without a marker (first start or a crash) reads as unclean', async () => {
    expect(await readCleanShutdownMarker(await disk(), dir)).toBe(false);
  });

  it('a clean stop reads as clean once; the read removes the marker so a crash afterwards reads as unclean', async () => {
    const fs = await disk();
    await writeCleanShutdownMarker(fs, dir, 0);
    expect(await readCleanShutdownMarker(fs, dir)).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
    expect(await readCleanShutdownMarker(fs, dir)).toBe(false);
  });

  it('the marker survives a power cut right after the stop', async () => {
    const fs = await disk();
    await writeCleanShutdownMarker(fs, dir, 0);
    expect(await readCleanShutdownMarker(fs.crash(), dir)).toBe(true);
  });

  it('writing twice is fine and still reads as one clean stop', async () => {
    const fs = await disk();
    await writeCleanShutdownMarker(fs, dir, 0);
    await writeCleanShutdownMarker(fs, dir, 1);
    expect(await readCleanShutdownMarker(fs, dir)).toBe(true);
    expect(await readCleanShutdownMarker(fs, dir)).toBe(false);
  });

  it('a missing data directory rejects on write rather than pretending the stop was clean', async () => {
    await expect(writeCleanShutdownMarker(await disk(), '/nope', 0)).rejects.toThrow('ENOENT');
  });

  it('a marker write that fails (ENOSPC) rejects and leaves no marker', async () => {
    const fs = await disk();
    fs.failNext('write', '.clean-shutdown.tmp', 'ENOSPC');
    await expect(writeCleanShutdownMarker(fs, dir, 0)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readCleanShutdownMarker(fs, dir)).toBe(false);
  });

  it('a marker that cannot be removed (EIO) rejects: the broker must not start believing either answer', async () => {
    const fs = await disk();
    await writeCleanShutdownMarker(fs, dir, 0);
    fs.failNext('unlink', '.clean-shutdown', 'EIO');
    await expect(readCleanShutdownMarker(fs, dir)).rejects.toMatchObject({ code: 'EIO' });
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCleanShutdownMarker, writeCleanShutdownMarker } from '../src/shutdown-marker.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-marker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clean shutdown marker', () => {
  it('a data directory without a marker (first start or a crash) reads as unclean', async () => {
    expect(await readCleanShutdownMarker(dir)).toBe(false);
  });

  it('a clean stop reads as clean once; the read removes the marker so a crash afterwards reads as unclean', async () => {
    await writeCleanShutdownMarker(dir);
    expect(await readCleanShutdownMarker(dir)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(await readCleanShutdownMarker(dir)).toBe(false);
  });

  it('writing twice is fine and still reads as one clean stop', async () => {
    await writeCleanShutdownMarker(dir);
    await writeCleanShutdownMarker(dir);
    expect(await readCleanShutdownMarker(dir)).toBe(true);
    expect(await readCleanShutdownMarker(dir)).toBe(false);
  });

  it('a missing data directory rejects on write rather than pretending the stop was clean', async () => {
    await expect(writeCleanShutdownMarker(join(dir, 'nope'))).rejects.toThrow();
  });
});

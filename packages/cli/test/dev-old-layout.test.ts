/**
 * `runnel dev` on a data directory written by the old single-node controller
 * (`<data dir>/controller`, a metadata log this version cannot read) refuses
 * to start with one line that names the directory and the way out, and
 * touches nothing; it never starts an empty cluster on top of old topics.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRunnel } from './run-runnel.ts';

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('runnel dev on an old data layout', () => {
  it('refuses with one line naming the old metadata directory, exit 2, and leaves the data directory as it was', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'runnel-old-layout-'));
    await mkdir(join(dataDir, 'controller'));
    await writeFile(join(dataDir, 'controller', 'CURRENT'), 'MANIFEST-000001\n');
    await mkdir(join(dataDir, 'broker-1'));
    const before = (await readdir(dataDir)).sort();

    const result = await runRunnel(['dev', '--data-dir', dataDir, '--port', '0', '--http-port', '0']);

    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(dataDir, 'controller'));
    expect(lines[0]).toContain('older Runnel');
    expect((await readdir(dataDir)).sort()).toEqual(before);
  });
});

/**
 * replaceFile and readWholeFile on FaultyFileSystem: a replace that fails
 * at any step rejects and leaves the previous content readable; a power
 * cut before the rename keeps the old content, after replaceFile resolved
 * the new; readWholeFile tells a missing or oversized file from an I/O error.
 */
import { describe, expect, it } from 'vitest';
import {
  type FaultableOperation,
  FaultyFileSystem,
  readWholeFile,
  replaceFile,
  SimulatedCrashError,
} from '../src/index.ts';

const path = '/data/state';

async function withOldContent(): Promise<FaultyFileSystem> {
  const fs = new FaultyFileSystem();
  await fs.mkdirp('/data');
  await replaceFile(fs, path, Buffer.from('old'));
  return fs;
}

async function read(fs: FaultyFileSystem): Promise<string | null> {
  const result = await readWholeFile(fs, path, 1024);
  return result.ok ? result.value.toString() : null;
}

describe('replaceFile', () => {
  it('replaces the content, leaves no temp file, and the new content survives a power cut', async () => {
    const fs = await withOldContent();
    await replaceFile(fs, path, Buffer.from('new'));
    expect(await fs.readdir('/data')).toEqual(['state']);
    expect(await read(fs.crash())).toBe('new');
  });

  it('a shorter content after a longer one leaves no stale tail, even over a leftover temp file', async () => {
    const fs = await withOldContent();
    fs.setContent(`${path}.tmp`, Buffer.from('a much longer leftover'));
    await replaceFile(fs, path, Buffer.from('n'));
    expect(await read(fs)).toBe('n');
  });

  it.each<[FaultableOperation, string]>([
    ['open', `${path}.tmp`],
    ['truncate', `${path}.tmp`],
    ['write', `${path}.tmp`],
    ['sync', `${path}.tmp`],
    ['rename', `${path}.tmp`],
  ])('a failing %s rejects with its errno and the old content stays', async (operation, suffix) => {
    const fs = await withOldContent();
    fs.failNext(operation, suffix, 'EIO');
    await expect(replaceFile(fs, path, Buffer.from('new'))).rejects.toMatchObject({ code: 'EIO' });
    expect(await read(fs)).toBe('old');
    expect(await read(fs.crash())).toBe('old');
  });

  it('a failing directory fsync rejects: the caller is not told the rename is durable', async () => {
    const fs = await withOldContent();
    fs.failNext('syncDirectory', '/data', 'EIO');
    await expect(replaceFile(fs, path, Buffer.from('new'))).rejects.toMatchObject({ code: 'EIO' });
  });

  it('a power cut between the temp file and the rename keeps the old content', async () => {
    const fs = await withOldContent();
    fs.crashBefore('rename', `${path}.tmp`);
    await expect(replaceFile(fs, path, Buffer.from('new'))).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(await read(fs.crash())).toBe('old');
  });

  it('a write torn by a power cut reaches only the temp file', async () => {
    const fs = await withOldContent();
    fs.tearNextWrite({ pathSuffix: '.tmp', keepBytes: 1 });
    await expect(replaceFile(fs, path, Buffer.from('new'))).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(await read(fs.crash())).toBe('old');
  });
});

describe('readWholeFile', () => {
  it('is absent when nothing is there and oversized past the bound', async () => {
    const fs = await withOldContent();
    expect(await readWholeFile(fs, '/data/none', 1024)).toEqual({ ok: false, error: 'absent' });
    expect(await readWholeFile(fs, path, 2)).toEqual({ ok: false, error: 'oversized' });
    expect(await readWholeFile(fs, path, 3)).toEqual({ ok: true, value: Buffer.from('old') });
  });

  it('an I/O error rejects rather than reading as absent', async () => {
    const fs = await withOldContent();
    fs.failNext('open', path, 'EIO');
    await expect(readWholeFile(fs, path, 1024)).rejects.toMatchObject({ code: 'EIO' });
  });
});

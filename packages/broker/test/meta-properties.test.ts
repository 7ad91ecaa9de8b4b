/**
 * meta.properties: Kafka's key=value text both ways, the files it refuses
 * (with the reason), and reading and writing through the FileSystem seam —
 * atomic under a power cut, I/O errors rejected rather than read as a
 * fresh directory.
 */
import { FaultyFileSystem, SimulatedCrashError } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import {
  formatMetaProperties,
  metaPropertiesFileName,
  parseMetaProperties,
  readMetaProperties,
  writeMetaProperties,
} from '../src/meta-properties.ts';

const dir = '/data';
const path = `${dir}/${metaPropertiesFileName}`;
const meta = { nodeId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', directoryId: null };
const withDirectory = { ...meta, directoryId: 'J8aAPcfLQt2bqs1JT_rMgQ' };

async function disk(): Promise<FaultyFileSystem> {
  const fs = new FaultyFileSystem();
  await fs.mkdirp(dir);
  return fs;
}

describe('parseMetaProperties / formatMetaProperties', () => {
  it('formats version, node.id, cluster.id and directory.id one key=value a line, and parses it back', () => {
    const text = formatMetaProperties(withDirectory);
    expect(text).toBe('version=1\nnode.id=3\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\ndirectory.id=J8aAPcfLQt2bqs1JT_rMgQ\n');
    expect(parseMetaProperties(text)).toEqual({ ok: true, value: withDirectory });
  });

  it('a file without directory.id (written while brokers made up cluster ids) reads with directoryId null', () => {
    expect(parseMetaProperties(formatMetaProperties(meta))).toEqual({ ok: true, value: meta });
  });

  it('reads a file as Kafka writes it: comments, a date line, keys in any order', () => {
    const text = [
      '#',
      '#Tue Mar 04 10:15:00 UTC 2025',
      'node.id=3',
      'directory.id=J8aAPcfLQt2bqs1JT_rMgQ',
      'version=1',
      'cluster.id=MkU3OEVBNTcwNTJENDM2Qg',
      '',
    ].join('\n');
    expect(parseMetaProperties(text)).toEqual({ ok: true, value: withDirectory });
  });

  it('reads the file earlier Runnel versions wrote (cluster.id before node.id)', () => {
    expect(parseMetaProperties('version=1\ncluster.id=0a1b2c3d4e5f60718293a4\nnode.id=1\n')).toEqual({
      ok: true,
      value: { nodeId: 1, clusterId: '0a1b2c3d4e5f60718293a4', directoryId: null },
    });
  });

  it('accepts "key: value" and spaces around the separator, as Java properties do', () => {
    expect(parseMetaProperties('version: 1\nnode.id = 3\r\ncluster.id =MkU3OEVBNTcwNTJENDM2Qg\n')).toEqual({
      ok: true,
      value: meta,
    });
  });

  it.each([
    ['an empty file', '', /no version/],
    ['a ZooKeeper-era version 0 file', 'version=0\nbroker.id=3\ncluster.id=abc\n', /unsupported version 0/],
    ['no node.id', 'version=1\ncluster.id=abc\n', /node\.id/],
    ['a node.id that is not a number', 'version=1\nnode.id=three\ncluster.id=abc\n', /node\.id/],
    ['no cluster.id', 'version=1\nnode.id=3\n', /cluster\.id/],
    ['an empty cluster.id', 'version=1\nnode.id=3\ncluster.id=\n', /cluster\.id/],
    ['a line that is not key=value', 'version=1\nnode.id=3\ncluster.id=abc\ngarbage\n', /not a key=value line/],
    ['a key given twice', 'version=1\nnode.id=3\ncluster.id=abc\ncluster.id=def\n', /cluster\.id appears twice/],
  ])('refuses %s, saying why', (_name, text, reason) => {
    expect(parseMetaProperties(text)).toEqual({
      ok: false,
      error: 'malformed',
      message: expect.stringMatching(reason),
    });
  });
});

describe('readMetaProperties / writeMetaProperties', () => {
  it('a fresh data directory has none', async () => {
    expect(await readMetaProperties(await disk(), dir)).toEqual({ ok: false, error: 'absent' });
  });

  it('what is written is read back, and survives a power cut once written', async () => {
    const fs = await disk();
    await writeMetaProperties(fs, dir, meta);
    expect(await fs.readdir(dir)).toEqual([metaPropertiesFileName]);
    expect(await readMetaProperties(fs, dir)).toEqual({ ok: true, value: meta });
    expect(await readMetaProperties(fs.crash(), dir)).toEqual({ ok: true, value: meta });
  });

  it('a power cut before the rename leaves the previous file whole', async () => {
    const fs = await disk();
    await writeMetaProperties(fs, dir, meta);
    fs.crashBefore('rename', `${metaPropertiesFileName}.tmp`);
    await expect(writeMetaProperties(fs, dir, { ...meta, clusterId: 'other' })).rejects.toBeInstanceOf(
      SimulatedCrashError,
    );
    expect(await readMetaProperties(fs.crash(), dir)).toEqual({ ok: true, value: meta });
  });

  it('a write that fails (ENOSPC) rejects with the error', async () => {
    const fs = await disk();
    fs.failNext('write', `${metaPropertiesFileName}.tmp`, 'ENOSPC');
    await expect(writeMetaProperties(fs, dir, meta)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readMetaProperties(fs, dir)).toEqual({ ok: false, error: 'absent' });
  });

  it('a read that fails (EIO) rejects rather than looking like a fresh directory', async () => {
    const fs = await disk();
    await writeMetaProperties(fs, dir, meta);
    fs.failNext('open', metaPropertiesFileName, 'EIO');
    await expect(readMetaProperties(fs, dir)).rejects.toMatchObject({ code: 'EIO' });
  });

  it('a corrupt file is malformed, with the reason', async () => {
    const fs = await disk();
    fs.setContent(path, Buffer.from('\u0000\u0001 not properties'));
    const read = await readMetaProperties(fs, dir);
    expect(read).toMatchObject({ ok: false, error: 'malformed' });
  });
});

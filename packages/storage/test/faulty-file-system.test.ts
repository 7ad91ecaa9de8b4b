import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem, SimulatedCrashError } from '../src/index.ts';
import { readWholeFile } from './batch-fixture.ts';

describe('FaultyFileSystem', () => {
  it('a crash keeps synced bytes and loses the unsynced tail', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/f');
    await file.write(Buffer.from('hello '), 0);
    await file.sync();
    await file.write(Buffer.from('world'), 6);
    expect((await readWholeFile(fs, '/d/f')).toString()).toBe('hello world');
    const after = fs.crash();
    expect((await readWholeFile(after, '/d/f')).toString()).toBe('hello ');
    await expect(file.write(Buffer.from('x'), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
  });

  it('a write made while an fsync is running is not covered by it', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/f');
    await file.write(Buffer.from('a'), 0);
    const syncing = file.sync();
    await file.write(Buffer.from('b'), 1);
    await syncing;
    expect(fs.durableBytes('/d/f')).toBe(1);
  });

  it('a crash with a Random keeps a prefix of the appended-but-unsynced bytes', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/f');
    await file.write(Buffer.alloc(10, 1), 0);
    await file.sync();
    await file.write(Buffer.alloc(1000, 2), 10);
    const lengths = new Set<number>();
    for (let seed = 1; seed < 20; seed++) {
      const after = fs.crash({ random: new Random(seed) });
      const content = after.content('/d/f');
      expect(content?.subarray(0, 10)).toEqual(Buffer.alloc(10, 1));
      lengths.add(content?.length ?? -1);
    }
    expect(lengths.size).toBeGreaterThan(5);
  });

  it('a torn write lands only its prefix, durably, and takes the file system down', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/x.log');
    fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 3 });
    await expect(file.write(Buffer.from('abcdef'), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(fs.readdir('/d')).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(fs.crash().content('/d/x.log')?.toString()).toBe('abc');
  });

  it('corrupt flips bytes; readdir, rename and rmrf behave like a directory tree', async () => {
    const fs = new FaultyFileSystem();
    fs.setContent('/a/b/one', Buffer.from([0x00, 0x0f]));
    fs.corrupt('/a/b/one', 1);
    expect(fs.content('/a/b/one')).toEqual(Buffer.from([0x00, 0xf0]));
    await fs.rename('/a/b/one', '/a/b/two');
    await fs.mkdirp('/a/b/c');
    expect(await fs.readdir('/a/b')).toEqual(['c', 'two']);
    expect(await fs.stat('/a/b/one')).toBeNull();
    await fs.rmrf('/a/b');
    expect(await fs.readdir('/a')).toEqual([]);
    await expect(fs.open('/a/b/z')).rejects.toThrow('ENOENT');
  });
});

describe('FaultyFileSystem writev', () => {
  it('a torn writev lands a prefix of the concatenated buffers, crossing buffer boundaries, and takes the file system down', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/f.log');
    await file.writev([Buffer.from('abc'), Buffer.from('def')], 0);
    expect(fs.writevCount).toBe(1);
    fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 4 });
    await expect(file.writev([Buffer.from('123'), Buffer.from('456'), Buffer.from('789')], 6)).rejects.toBeInstanceOf(
      SimulatedCrashError,
    );
    await expect(file.write(Buffer.from('x'), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
    expect((await readWholeFile(fs.crash(), '/d/f.log')).toString()).toBe('abcdef1234');
  });
});

describe('FaultyFileSystem injected faults', () => {
  it('failNext rejects one matching call with the errno, changes nothing, and leaves the file system up', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/d');
    const file = await fs.open('/d/f');
    fs.failNext('write', '/d/f', 'ENOSPC');
    await expect(file.write(Buffer.from('lost'), 0)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.content('/d/f')).toEqual(Buffer.alloc(0));
    await file.write(Buffer.from('kept'), 0);
    expect(fs.content('/d/f')?.toString()).toBe('kept');
  });

  it('failNext aims at one operation and one path suffix', async () => {
    const fs = new FaultyFileSystem();
    fs.setContent('/d/a.tmp', Buffer.from('a'));
    fs.setContent('/d/b.tmp', Buffer.from('b'));
    fs.failNext('rename', 'b.tmp', 'EIO');
    const a = await fs.open('/d/a.tmp');
    await a.sync();
    await fs.rename('/d/a.tmp', '/d/a');
    await expect(fs.rename('/d/b.tmp', '/d/b')).rejects.toMatchObject({ code: 'EIO' });
    expect(await fs.readdir('/d')).toEqual(['a', 'b.tmp']);
    fs.failNext('sync', '/d/a', 'EIO');
    await expect((await fs.open('/d/a')).sync()).rejects.toMatchObject({ code: 'EIO' });
    fs.failNext('syncDirectory', '/d', 'EIO');
    await expect(fs.syncDirectory('/d')).rejects.toMatchObject({ code: 'EIO' });
    await fs.syncDirectory('/d');
  });

  it('crashBefore fails the power as the call starts: nothing of it happens and the file system is down', async () => {
    const fs = new FaultyFileSystem();
    fs.setContent('/d/x.tmp', Buffer.from('new'));
    fs.crashBefore('rename', 'x.tmp');
    await expect(fs.rename('/d/x.tmp', '/d/x')).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(fs.stat('/d/x')).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(await fs.crash().readdir('/d')).toEqual(['x.tmp']);
  });
});

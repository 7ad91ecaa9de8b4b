/**
 * The high-watermark checkpoint file: its exact format, a save/load round
 * trip through a new instance (a restart), the files it must ignore with
 * one warning rather than trust (torn, another version, garbage, corrupt
 * bytes), and the disk failing under it through FaultyFileSystem: a save
 * that hits EIO or ENOSPC rejects and leaves the previous checkpoint, a
 * power cut before the rename keeps the old one, an unreadable disk fails
 * the load.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, silentLogger } from '@runnel/common';
import { type FaultableOperation, FaultyFileSystem, nodeFileSystem, SimulatedCrashError } from '@runnel/storage';
import { describe, expect, it, vi } from 'vitest';
import {
  HighWatermarkCheckpoint,
  highWatermarkCheckpointFileName,
  parseCheckpoint,
} from '../src/replication/high-watermark-checkpoint.ts';

const dir = '/data';
const path = `${dir}/${highWatermarkCheckpointFileName}`;

async function emptyDisk(): Promise<FaultyFileSystem> {
  const fs = new FaultyFileSystem();
  await fs.mkdirp(dir);
  return fs;
}

/** A disk whose checkpoint holds t-0 at 5, saved durably. */
async function diskWithCheckpoint(): Promise<FaultyFileSystem> {
  const fs = await emptyDisk();
  await new HighWatermarkCheckpoint(fs, dir, silentLogger()).save([{ topic: 't', index: 0, highWatermark: 5n }]);
  return fs;
}

async function loaded(fs: FaultyFileSystem, logger: Logger = silentLogger()): Promise<HighWatermarkCheckpoint> {
  const checkpoint = new HighWatermarkCheckpoint(fs, dir, logger);
  await checkpoint.load();
  return checkpoint;
}

/** A silent logger whose warn and error lines are kept. */
function capturingLogger(): { logger: Logger; warnings: unknown[][]; errors: unknown[][] } {
  const logger = silentLogger();
  const warnings: unknown[][] = [];
  const errors: unknown[][] = [];
  vi.spyOn(logger, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args);
  });
  vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
  return { logger, warnings, errors };
}

describe('parseCheckpoint', () => {
  it('reads the version line, the count and one "<topic>-<partition> <hw>" line each', () => {
    expect(parseCheckpoint('0\n2\norders-0 17\nmy-topic-12 0\n')).toEqual(
      new Map([
        ['orders-0', 17n],
        ['my-topic-12', 0n],
      ]),
    );
  });

  it('reads an empty checkpoint as no partitions, and keeps int64 values exact', () => {
    expect(parseCheckpoint('0\n0\n')).toEqual(new Map());
    expect(parseCheckpoint('0\n1\nt-0 9223372036854775807\n')?.get('t-0')).toBe(9223372036854775807n);
  });

  it.each([
    ['an empty file', ''],
    ['another version', '1\n1\nt-0 5\n'],
    ['a torn file (fewer lines than counted)', '0\n3\nt-0 5\nt-1 6\n'],
    ['more lines than counted', '0\n1\nt-0 5\nt-1 6\n'],
    ['a count that is not a number', '0\nx\n'],
    ['a line without a high watermark', '0\n1\nt-0\n'],
    ['a negative high watermark', '0\n1\nt-0 -5\n'],
    ['a non-numeric high watermark', '0\n1\nt-0 five\n'],
    ['binary garbage', '\u0000\u0001\u00ff garbage'],
    ['a last line cut short (no newline)', '0\n1\nt-0 5'],
  ])('rejects %s', (_name, text) => {
    expect(parseCheckpoint(text)).toBeNull();
  });
});

describe('HighWatermarkCheckpoint', () => {
  it('save writes the format exactly, leaves no temp file, and a new instance loads it back', async () => {
    const fs = await emptyDisk();
    const checkpoint = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    await checkpoint.save([
      { topic: 'orders', index: 0, highWatermark: 42n },
      { topic: 'orders', index: 1, highWatermark: 0n },
    ]);
    expect(fs.content(path)?.toString()).toBe('0\n2\norders-0 42\norders-1 0\n');
    expect(await fs.readdir(dir)).toEqual([highWatermarkCheckpointFileName]);

    const restarted = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    expect(restarted.highWatermark('orders-0')).toBeNull();
    await restarted.load();
    expect(restarted.highWatermark('orders-0')).toBe(42n);
    expect(restarted.highWatermark('orders-1')).toBe(0n);
    expect(restarted.highWatermark('orders-2')).toBeNull();
  });

  it('on the real disk too: the same bytes, no temp file left', async () => {
    const realDir = await mkdtemp(join(tmpdir(), 'runnel-hwm-'));
    try {
      await new HighWatermarkCheckpoint(nodeFileSystem, realDir, silentLogger()).save([
        { topic: 't', index: 3, highWatermark: 9n },
      ]);
      expect(await readFile(join(realDir, highWatermarkCheckpointFileName), 'utf8')).toBe('0\n1\nt-3 9\n');
      expect(await readdir(realDir)).toEqual([highWatermarkCheckpointFileName]);
    } finally {
      await rm(realDir, { recursive: true, force: true });
    }
  });

  it('saves run in order: the last one called is what the file holds', async () => {
    const fs = await emptyDisk();
    const checkpoint = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    const first = checkpoint.save([{ topic: 't', index: 0, highWatermark: 1n }]);
    const second = checkpoint.save([{ topic: 't', index: 0, highWatermark: 2n }]);
    await Promise.all([first, second]);
    expect(fs.content(path)?.toString()).toBe('0\n1\nt-0 2\n');
  });

  it('a saved checkpoint survives a power cut once save resolved', async () => {
    const fs = await diskWithCheckpoint();
    expect((await loaded(fs.crash())).highWatermark('t-0')).toBe(5n);
  });

  it('saving no partitions writes an empty checkpoint that loads as no knowledge', async () => {
    const fs = await emptyDisk();
    await new HighWatermarkCheckpoint(fs, dir, silentLogger()).save([]);
    expect(fs.content(path)?.toString()).toBe('0\n0\n');
    const { logger, warnings } = capturingLogger();
    expect((await loaded(fs, logger)).highWatermark('t-0')).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('a missing file is no knowledge, without a warning', async () => {
    const { logger, warnings } = capturingLogger();
    expect((await loaded(await emptyDisk(), logger)).highWatermark('t-0')).toBeNull();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['torn', (fs: FaultyFileSystem) => fs.setContent(path, Buffer.from('0\n2\nt-0 5\n'))],
    ['garbage', (fs: FaultyFileSystem) => fs.setContent(path, Buffer.from('not a checkpoint at all'))],
    ['corrupt (a byte flipped on disk)', (fs: FaultyFileSystem) => fs.corrupt(path, 2)],
  ])('a %s file is ignored with one warning naming it', async (_name, damage) => {
    const fs = await diskWithCheckpoint();
    damage(fs);
    const { logger, warnings, errors } = capturingLogger();
    expect((await loaded(fs, logger)).highWatermark('t-0')).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[0]).toEqual({ file: path });
    expect(warnings[0]?.[1]).toMatch(/unreadable/);
    expect(errors).toEqual([]);
  });

  it('a load that hits an I/O error rejects and logs an error, rather than starting without the checkpoint', async () => {
    const fs = await diskWithCheckpoint();
    fs.failNext('open', highWatermarkCheckpointFileName, 'EIO');
    const { logger, errors } = capturingLogger();
    await expect(new HighWatermarkCheckpoint(fs, dir, logger).load()).rejects.toMatchObject({ code: 'EIO' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toMatch(/could not read/);
  });

  it.each<[FaultableOperation, string]>([
    ['write', 'ENOSPC'],
    ['write', 'EIO'],
    ['sync', 'EIO'],
    ['rename', 'EIO'],
  ])(
    'a save whose %s of the temp file fails with %s rejects, logs an error naming the file, and keeps the previous checkpoint',
    async (operation, code) => {
      const fs = await diskWithCheckpoint();
      const { logger, errors } = capturingLogger();
      const checkpoint = new HighWatermarkCheckpoint(fs, dir, logger);
      fs.failNext(operation, `${highWatermarkCheckpointFileName}.tmp`, code);
      await expect(checkpoint.save([{ topic: 't', index: 0, highWatermark: 9n }])).rejects.toMatchObject({ code });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.[0]).toMatchObject({ file: path });
      expect(errors[0]?.[1]).toMatch(/could not save/);
      expect((await loaded(fs)).highWatermark('t-0')).toBe(5n);
      expect((await loaded(fs.crash())).highWatermark('t-0')).toBe(5n);
    },
  );

  it('a save whose directory fsync fails rejects and logs: the rename is not known to be durable', async () => {
    const fs = await diskWithCheckpoint();
    const { logger, errors } = capturingLogger();
    fs.failNext('syncDirectory', dir, 'EIO');
    const save = new HighWatermarkCheckpoint(fs, dir, logger).save([{ topic: 't', index: 0, highWatermark: 9n }]);
    await expect(save).rejects.toMatchObject({ code: 'EIO' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toMatch(/could not save/);
  });

  it('after a failed save the next one runs and succeeds', async () => {
    const fs = await diskWithCheckpoint();
    const checkpoint = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    fs.failNext('write', '.tmp', 'ENOSPC');
    const failed = checkpoint.save([{ topic: 't', index: 0, highWatermark: 7n }]);
    const next = checkpoint.save([{ topic: 't', index: 0, highWatermark: 8n }]);
    await expect(failed).rejects.toMatchObject({ code: 'ENOSPC' });
    await next;
    expect((await loaded(fs.crash())).highWatermark('t-0')).toBe(8n);
  });

  it('a power cut between writing the new checkpoint and the rename leaves the old one readable', async () => {
    const fs = await diskWithCheckpoint();
    fs.crashBefore('rename', `${highWatermarkCheckpointFileName}.tmp`);
    const checkpoint = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    await expect(checkpoint.save([{ topic: 't', index: 0, highWatermark: 9n }])).rejects.toBeInstanceOf(
      SimulatedCrashError,
    );
    const { logger, warnings } = capturingLogger();
    expect((await loaded(fs.crash(), logger)).highWatermark('t-0')).toBe(5n);
    expect(warnings).toEqual([]);
  });

  it('a power cut that tears the new checkpoint mid-write leaves the old one readable', async () => {
    const fs = await diskWithCheckpoint();
    fs.tearNextWrite({ pathSuffix: '.tmp', keepBytes: 4 });
    const checkpoint = new HighWatermarkCheckpoint(fs, dir, silentLogger());
    await expect(checkpoint.save([{ topic: 't', index: 0, highWatermark: 9n }])).rejects.toBeInstanceOf(
      SimulatedCrashError,
    );
    expect((await loaded(fs.crash())).highWatermark('t-0')).toBe(5n);
  });
});

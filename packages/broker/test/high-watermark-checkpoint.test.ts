/**
 * The high-watermark checkpoint file: its exact format, a save/load round
 * trip through a new instance (a restart), and the files it must ignore
 * with one warning rather than trust: torn (the count does not match the
 * lines), another version, garbage.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, silentLogger } from '@runnel/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HighWatermarkCheckpoint,
  highWatermarkCheckpointFileName,
  parseCheckpoint,
} from '../src/replication/high-watermark-checkpoint.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-hwm-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

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
  ])('rejects %s', (_name, text) => {
    expect(parseCheckpoint(text)).toBeNull();
  });
});

describe('HighWatermarkCheckpoint', () => {
  it('save writes the format exactly, leaves no temp file, and a new instance loads it back', async () => {
    const checkpoint = new HighWatermarkCheckpoint(dir, silentLogger());
    await checkpoint.save([
      { topic: 'orders', index: 0, highWatermark: 42n },
      { topic: 'orders', index: 1, highWatermark: 0n },
    ]);
    expect(await readFile(join(dir, highWatermarkCheckpointFileName), 'utf8')).toBe('0\n2\norders-0 42\norders-1 0\n');
    expect(await readdir(dir)).toEqual([highWatermarkCheckpointFileName]);

    const restarted = new HighWatermarkCheckpoint(dir, silentLogger());
    expect(restarted.highWatermark('orders-0')).toBeNull();
    await restarted.load();
    expect(restarted.highWatermark('orders-0')).toBe(42n);
    expect(restarted.highWatermark('orders-1')).toBe(0n);
    expect(restarted.highWatermark('orders-2')).toBeNull();
  });

  it('saves run in order: the last one called is what the file holds', async () => {
    const checkpoint = new HighWatermarkCheckpoint(dir, silentLogger());
    const first = checkpoint.save([{ topic: 't', index: 0, highWatermark: 1n }]);
    const second = checkpoint.save([{ topic: 't', index: 0, highWatermark: 2n }]);
    await Promise.all([first, second]);
    expect(await readFile(join(dir, highWatermarkCheckpointFileName), 'utf8')).toBe('0\n1\nt-0 2\n');
  });

  it('saving no partitions writes an empty checkpoint that loads as no knowledge', async () => {
    await new HighWatermarkCheckpoint(dir, silentLogger()).save([]);
    expect(await readFile(join(dir, highWatermarkCheckpointFileName), 'utf8')).toBe('0\n0\n');
    const { logger, warnings } = capturingLogger();
    const loaded = new HighWatermarkCheckpoint(dir, logger);
    await loaded.load();
    expect(loaded.highWatermark('t-0')).toBeNull();
    expect(warnings).toEqual([]);
  });

  it('a missing file is no knowledge, without a warning', async () => {
    const { logger, warnings } = capturingLogger();
    const checkpoint = new HighWatermarkCheckpoint(dir, logger);
    await checkpoint.load();
    expect(checkpoint.highWatermark('t-0')).toBeNull();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['torn', '0\n2\nt-0 5\n'],
    ['garbage', 'not a checkpoint at all'],
  ])('a %s file is ignored with one warning naming it', async (_name, text) => {
    const path = join(dir, highWatermarkCheckpointFileName);
    await writeFile(path, text);
    const { logger, warnings } = capturingLogger();
    const checkpoint = new HighWatermarkCheckpoint(dir, logger);
    await checkpoint.load();
    expect(checkpoint.highWatermark('t-0')).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[0]).toEqual({ file: path });
    expect(warnings[0]?.[1]).toMatch(/unreadable/);
  });

  it('a save that cannot write logs an error and resolves: the broker keeps running', async () => {
    const { logger, errors } = capturingLogger();
    const checkpoint = new HighWatermarkCheckpoint(join(dir, 'missing-dir'), logger);
    await expect(checkpoint.save([{ topic: 't', index: 0, highWatermark: 3n }])).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toMatch(/could not save/);
  });
});

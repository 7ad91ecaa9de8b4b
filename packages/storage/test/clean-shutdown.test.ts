import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it, vi } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, type FileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';
import { CountingFileSystem } from './counting-file-system.ts';

const partitionDir = '/data/topic-0';
const marker = `${partitionDir}/.clean-shutdown`;
const config: Partial<LogConfig> = { segmentBytes: 6000, indexIntervalBytes: 500 };

interface Captured {
  logger: Logger;
  opened: Record<string, unknown>[];
  warnings: Record<string, unknown>[];
}

function capturingLogger(): Captured {
  const logger = silentLogger();
  const opened: Record<string, unknown>[] = [];
  const warnings: Record<string, unknown>[] = [];
  const capture = (into: Record<string, unknown>[], msg?: string) =>
    ((obj: unknown, text?: string) => {
      if (typeof obj === 'object' && obj !== null && (msg === undefined || text === msg)) {
        into.push(obj as Record<string, unknown>);
      }
    }) as Logger['info'];
  vi.spyOn(logger, 'info').mockImplementation(capture(opened, 'opened partition log'));
  vi.spyOn(logger, 'warn').mockImplementation(capture(warnings));
  return { logger, opened, warnings };
}

async function openOn(fs: FileSystem, logger: Logger = silentLogger()) {
  return PartitionLog.open({
    dir: partitionDir,
    config: { ...defaultLogConfig, ...config },
    fs,
    clock: new ManualClock(1_700_000_000_000),
    logger,
  });
}

/**
 * Mostly falling timestamps, as when producers' clocks disagree: each
 * segment's largest is near its start, so the full recovery (which rescans
 * from the last time-index entry) has to scan nearly the whole active segment.
 */
const ts = (i: number) => BigInt(100_000 - i * 10 + (i % 5 === 0 ? 25 : 0));
const risingTs = (i: number) => BigInt(1000 + i * 10);

/** Three segments, the active one nearly full. */
const batchCount = 55;

/** `batchCount` batches of varying sizes, closed cleanly. */
async function writeLog(fs: FileSystem, stamp = ts): Promise<void> {
  const log = await openOn(fs);
  for (let i = 0; i < batchCount; i++) {
    const batch = makeBatch({
      records: 1 + (i % 4),
      payloadBytes: 50 + ((i * 37) % 400),
      fill: i,
      timestampMs: stamp(i),
    });
    await log.append(batch, { leaderEpoch: 0 });
  }
  await log.close();
}

/** An independent copy of every file in the partition directory. */
async function clone(fs: FaultyFileSystem): Promise<FaultyFileSystem> {
  const copy = new FaultyFileSystem();
  await copy.mkdirp(partitionDir);
  for (const name of await fs.readdir(partitionDir)) {
    const content = fs.content(`${partitionDir}/${name}`);
    if (content !== null) copy.setContent(`${partitionDir}/${name}`, content);
  }
  return copy;
}

async function snapshot(fs: FaultyFileSystem): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await fs.readdir(partitionDir)) {
    files.set(name, fs.content(`${partitionDir}/${name}`)?.toString('hex') ?? '');
  }
  return files;
}

async function activeLogPath(fs: FileSystem): Promise<string> {
  const names = (await fs.readdir(partitionDir)).filter((n) => n.endsWith('.log')).sort();
  return `${partitionDir}/${names.at(-1)}`;
}

async function readAll(log: PartitionLog) {
  const out = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, 1 << 20);
    if (!read.ok) throw new Error(`offset ${offset} out of range`);
    const batches = parseBatches(read.records);
    out.push(...batches);
    offset = (batches.at(-1)?.lastOffset ?? offset) + 1n;
  }
  return out;
}

describe('clean-shutdown marker', () => {
  it('a clean close leaves the marker; reopening skips the rescan and ends in the same state as a full recovery', async () => {
    const fs = new FaultyFileSystem();
    await writeLog(fs);
    expect(fs.content(marker)).not.toBeNull();
    const closedFiles = await snapshot(fs);
    const fullFs = await clone(fs);
    await fullFs.unlink(marker);

    const skipFs = new CountingFileSystem(fs);
    const skip = capturingLogger();
    const skipped = await openOn(skipFs, skip.logger);
    const full = capturingLogger();
    const fullCounting = new CountingFileSystem(fullFs);
    const recovered = await openOn(fullCounting, full.logger);

    expect(skip.opened).toMatchObject([{ recoverySkipped: true }]);
    expect(skip.warnings).toEqual([]);
    expect(full.opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'no_marker' }]);
    // The full recovery rescans the whole active segment (its largest timestamp is at its start); the
    // clean open reads only the tail past the last index entry: under one index interval plus a batch.
    const activeBytes = fs.content(await activeLogPath(fs))?.length ?? 0;
    expect(activeBytes).toBeGreaterThan(3000);
    expect(fullCounting.counts.readBytes).toBeGreaterThanOrEqual(activeBytes);
    expect(skipFs.counts.readBytes).toBeLessThan(500 + 61 + 450);
    // The marker is gone before the log takes any append.
    expect(fs.content(marker)).toBeNull();

    for (const log of [skipped, recovered]) {
      expect(log.logEndOffset).toBe(skipped.logEndOffset);
      expect(log.segmentCount).toBe(3);
    }
    expect(await readAll(skipped)).toEqual(await readAll(recovered));
    for (let i = 0; i < batchCount; i += 7) {
      expect(await skipped.offsetForTimestamp(ts(i))).toEqual(await recovered.offsetForTimestamp(ts(i)));
    }
    // Appending after either open builds the same indexes: the in-memory tail state matches too.
    for (const log of [skipped, recovered]) {
      for (let i = batchCount; i < batchCount + 10; i++) {
        await log.append(makeBatch({ payloadBytes: 50 + ((i * 37) % 400), fill: i, timestampMs: ts(i) }), {
          leaderEpoch: 1,
        });
      }
      await log.close();
    }
    const afterSkip = await snapshot(fs);
    expect(afterSkip).toEqual(await snapshot(fullFs));
    for (const [name, content] of closedFiles) {
      if (name.endsWith('.log')) expect(afterSkip.get(name)?.startsWith(content), name).toBe(true);
    }
  });

  it('a log file cut short behind the marker gets the full recovery and keeps its whole batches', async () => {
    const fs = new FaultyFileSystem();
    await writeLog(fs);
    const probe = await openOn(await clone(fs));
    const batches = await readAll(probe);
    await probe.close();
    const last = batches.at(-1);
    if (last === undefined) throw new Error('log is empty');
    const path = await activeLogPath(fs);
    const content = fs.content(path);
    if (content === null) throw new Error('active segment missing');
    fs.setContent(path, content.subarray(0, content.length - 30));

    const { logger, opened, warnings } = capturingLogger();
    const log = await openOn(fs, logger);
    expect(opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'size_mismatch' }]);
    expect(warnings).toMatchObject([{ truncatedBytes: last.sizeBytes - 30, defects: ['torn'] }]);
    expect(log.logEndOffset).toBe(last.baseOffset);
    expect((await readAll(log)).map((b) => b.fill)).toEqual(batches.slice(0, -1).map((b) => b.fill));
    expect((await log.append(makeBatch({ fill: 99 }), { leaderEpoch: 1 })).baseOffset).toBe(last.baseOffset);
    await log.close();
  });

  it('a log file extended behind the marker, by garbage or by a valid next batch, gets the full recovery', async () => {
    for (const extension of ['garbage', 'batch'] as const) {
      const fs = new FaultyFileSystem();
      await writeLog(fs);
      const probe = await openOn(await clone(fs));
      const end = probe.logEndOffset;
      await probe.close();
      const path = await activeLogPath(fs);
      const content = fs.content(path);
      if (content === null) throw new Error('active segment missing');
      // A well-formed batch continuing the offsets would pass any header walk; only the marker's size tells.
      const extra = extension === 'garbage' ? Buffer.alloc(300, 0x17) : makeBatch({ fill: 77, timestampMs: 200_000n });
      if (extension === 'batch') extra.writeBigInt64BE(end, 0);
      fs.setContent(path, Buffer.concat([content, extra]));

      const { logger, opened, warnings } = capturingLogger();
      const log = await openOn(fs, logger);
      expect(opened, extension).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'size_mismatch' }]);
      if (extension === 'garbage') {
        expect(warnings).toMatchObject([{ truncatedBytes: 300 }]);
        expect(log.logEndOffset).toBe(end);
      } else {
        expect(warnings).toEqual([]);
        expect(log.logEndOffset).toBe(end + 1n);
        expect(await log.offsetForTimestamp(200_000n)).toMatchObject({ offset: end, timestampMs: 200_000n });
      }
      expect((await readAll(log)).map((b) => b.baseOffset)).toEqual(
        (await readAll(log)).map((_, i, all) => (i === 0 ? 0n : (all[i - 1]?.lastOffset ?? 0n) + 1n)),
      );
      await log.close();
    }
  });

  it('a corrupt byte in the tail behind the marker fails its CRC check, and the full recovery cuts from that batch', async () => {
    const fs = new FaultyFileSystem();
    await writeLog(fs);
    const path = await activeLogPath(fs);
    const size = fs.content(path)?.length ?? 0;
    fs.corrupt(path, size - 5);
    const { logger, opened, warnings } = capturingLogger();
    const log = await openOn(fs, logger);
    expect(opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'tail_defect' }]);
    expect(warnings).toMatchObject([{ defects: ['bad_crc'] }]);
    expect((await readAll(log)).map((b) => b.fill)).toEqual(Array.from({ length: batchCount - 1 }, (_, i) => i));
    await log.close();
  });

  it('a crash after appends that followed a clean reopen gets the full recovery (the marker was removed on open)', async () => {
    const fs = new FaultyFileSystem();
    await writeLog(fs);
    const log = await openOn(fs);
    const end = log.logEndOffset;
    await log.append(makeBatch({ fill: 1 }), { leaderEpoch: 1 });
    await log.flush();
    const after = fs.crash();
    expect(after.content(marker)).toBeNull();
    const { logger, opened } = capturingLogger();
    const reopened = await openOn(after, logger);
    expect(opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'no_marker' }]);
    expect(reopened.logEndOffset).toBe(end + 1n);
    await reopened.close();
  });

  it('an unreadable marker, or one naming another active segment, gets the full recovery and is removed', async () => {
    for (const [content, reason] of [
      ['{"version":1,"activeBa', 'unreadable_marker'],
      ['{"version":1,"activeBaseOffset":"7","activeSizeBytes":0,"logEndOffset":"7"}', 'segment_mismatch'],
    ] as const) {
      const fs = new FaultyFileSystem();
      await writeLog(fs);
      fs.setContent(marker, Buffer.from(content));
      const { logger, opened, warnings } = capturingLogger();
      const log = await openOn(fs, logger);
      expect(opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: reason }]);
      expect(warnings).toEqual([]);
      expect(fs.content(marker)).toBeNull();
      expect((await readAll(log)).map((b) => b.fill)).toEqual(Array.from({ length: batchCount }, (_, i) => i));
      await log.close();
    }
  });

  it('a time index whose last entry is not the largest timestamp does not match, and the full recovery repairs it', async () => {
    const fs = new FaultyFileSystem();
    await writeLog(fs, risingTs);
    const path = (await activeLogPath(fs)).replace(/\.log$/, '.timeindex');
    const content = fs.content(path);
    if (content === null || content.length < 12) throw new Error('time index empty');
    fs.setContent(path, content.subarray(0, content.length - 12));
    const { logger, opened } = capturingLogger();
    const log = await openOn(fs, logger);
    expect(opened).toMatchObject([{ recoverySkipped: false, fullRecoveryReason: 'index_mismatch' }]);
    expect(await log.offsetForTimestamp(risingTs(batchCount - 1))).toMatchObject({
      offset: log.logEndOffset - BigInt(1 + ((batchCount - 1) % 4)),
      timestampMs: risingTs(batchCount - 1),
    });
    await log.close();
  });

  it('on a real disk a clean close and reopen skips the rescan, and delete() leaves nothing behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'runnel-clean-'));
    const dir = join(root, 'topic-0');
    try {
      const open = (logger: Logger) =>
        PartitionLog.open({ dir, config: { ...defaultLogConfig, ...config }, clock: new ManualClock(), logger });
      const log = await open(silentLogger());
      for (let i = 0; i < 30; i++) await log.append(makeBatch({ fill: i, timestampMs: ts(i) }), { leaderEpoch: 0 });
      await log.close();
      expect(await readdir(dir)).toContain('.clean-shutdown');
      const { logger, opened } = capturingLogger();
      const reopened = await open(logger);
      expect(opened).toMatchObject([{ recoverySkipped: true, logEndOffset: '30' }]);
      expect(await readdir(dir)).not.toContain('.clean-shutdown');
      expect((await readAll(reopened)).map((b) => b.fill)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      await reopened.delete();
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

import { appendFile, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, ManualClock, Random, silentLogger } from '@runnel/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultLogConfig,
  FaultyFileSystem,
  type FileSystem,
  type LogConfig,
  PartitionLog,
  SimulatedCrashError,
} from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';

const partitionDir = '/data/topic-0';
const firstLog = `${partitionDir}/00000000000000000000.log`;
let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock();
});

function capturingLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const logger = silentLogger();
  const warnings: Record<string, unknown>[] = [];
  vi.spyOn(logger, 'warn').mockImplementation(((obj: unknown) => {
    if (typeof obj === 'object' && obj !== null) warnings.push(obj as Record<string, unknown>);
  }) as Logger['warn']);
  return { logger, warnings };
}

async function openOn(fs: FileSystem, dir: string, config: Partial<LogConfig> = {}, logger = silentLogger()) {
  return PartitionLog.open({ dir, config: { ...defaultLogConfig, ...config }, fs, clock, logger });
}

/** Every batch in the log, read one fetch at a time. */
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

describe('recovery with FaultyFileSystem', () => {
  it('a torn append is cut off exactly at the last whole batch and appends continue at the right offset', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir);
    for (let i = 0; i < 5; i++) await log.append(makeBatch({ records: 2, fill: i }), { leaderEpoch: 0 });
    await log.flush();
    fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 70 });
    await expect(log.append(makeBatch({ records: 2 }), { leaderEpoch: 0 })).rejects.toBeInstanceOf(SimulatedCrashError);

    const after = fs.crash();
    expect(after.content(firstLog)?.length).toBe(5 * 161 + 70);
    const { logger, warnings } = capturingLogger();
    const reopened = await openOn(after, partitionDir, {}, logger);
    expect(reopened.logEndOffset).toBe(10n);
    expect(after.content(firstLog)?.length).toBe(5 * 161);
    expect(warnings).toMatchObject([{ truncatedBytes: 70, defects: ['torn'] }]);
    expect((await reopened.append(makeBatch({ fill: 9 }), { leaderEpoch: 1 })).baseOffset).toBe(10n);
    expect((await readAll(reopened)).map((b) => b.fill)).toEqual([0, 1, 2, 3, 4, 9]);
  });

  it('a corrupt byte inside the active segment truncates from that batch on', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir);
    for (let i = 0; i < 6; i++) await log.append(makeBatch({ records: 3, fill: i }), { leaderEpoch: 0 });
    await log.close();
    fs.corrupt(firstLog, 3 * 161 + 100);
    const { logger, warnings } = capturingLogger();
    const reopened = await openOn(fs, partitionDir, {}, logger);
    expect(reopened.logEndOffset).toBe(9n);
    expect(warnings).toMatchObject([{ truncatedBytes: 3 * 161, defects: ['bad_crc'] }]);
  });

  it('after a crash that loses unsynced writes the log recovers a consistent prefix of what was appended', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = new Random(seed);
      const fs = new FaultyFileSystem();
      const config = { segmentBytes: 3000, indexIntervalBytes: 250 };
      const log = await openOn(fs, partitionDir, config);
      const appended: number[] = [];
      let durableBatches = 0;
      for (let i = 0; i < 40; i++) {
        const payloadBytes = random.int(20, 400);
        await log.append(makeBatch({ records: random.int(1, 4), payloadBytes, fill: i, timestampMs: BigInt(i) }), {
          leaderEpoch: 0,
        });
        appended.push(i);
        if (random.bool(0.1)) {
          await log.flush();
          durableBatches = appended.length;
        }
      }
      const reopened = await openOn(fs.crash({ random }), partitionDir, config);
      const recovered = await readAll(reopened);
      const fills = recovered.map((b) => b.fill);
      expect(fills.length, `seed ${seed}`).toBeGreaterThanOrEqual(durableBatches);
      expect(fills, `seed ${seed}`).toEqual(appended.slice(0, fills.length));
      expect(recovered.every((b, i) => i === 0 || b.baseOffset === (recovered[i - 1]?.lastOffset ?? 0n) + 1n)).toBe(
        true,
      );
      expect(reopened.logEndOffset).toBe((recovered.at(-1)?.lastOffset ?? -1n) + 1n);
      const last = recovered.at(-1);
      if (last !== undefined) {
        expect(await reopened.offsetForTimestamp(last.maxTimestampMs)).toMatchObject({
          offset: last.baseOffset,
          timestampMs: last.maxTimestampMs,
        });
      }
      const next = await reopened.append(makeBatch(), { leaderEpoch: 1 });
      expect(next.baseOffset).toBe(reopened.logEndOffset - 1n);
    }
  });

  it('with flush.messages=1 no acknowledged append is lost in a crash, and concurrent appends share fsyncs', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir, { flushMessages: 1 });
    const acked = new Set<bigint>();
    const appends = Array.from({ length: 40 }, (_, i) =>
      log.append(makeBatch({ fill: i }), { leaderEpoch: 0 }).then((r) => {
        acked.add(r.baseOffset);
        return r;
      }),
    );
    await appends[19];
    const syncs = fs.syncCount;
    const after = fs.crash();
    await Promise.allSettled(appends);
    expect(acked.size).toBeGreaterThanOrEqual(20);
    expect(syncs).toBeLessThan(20);

    const reopened = await openOn(after, partitionDir);
    const offsets = new Set((await readAll(reopened)).map((b) => b.baseOffset));
    for (const offset of acked) expect(offsets.has(offset), `acked offset ${offset}`).toBe(true);
  });

  it('a batch with sound framing and CRC but more records than its bytes could encode survives a rescan', async () => {
    // Storage judges framing and CRC only (append never decodes records), so
    // recovery must not drop such a batch even though protocol's log scan flags it.
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir);
    for (let i = 0; i < 3; i++)
      await log.append(makeBatch({ records: 4, payloadBytes: 20, fill: i }), { leaderEpoch: 0 });
    await log.close();
    fs.setContent(`${partitionDir}/00000000000000000000.index`, Buffer.alloc(0));
    fs.setContent(`${partitionDir}/00000000000000000000.timeindex`, Buffer.alloc(0));
    const { logger, warnings } = capturingLogger();
    const reopened = await openOn(fs, partitionDir, {}, logger);
    expect(reopened.logEndOffset).toBe(12n);
    expect(warnings.flatMap((w) => w.defects ?? [])).toEqual([]);
    expect((await readAll(reopened)).map((b) => b.fill)).toEqual([0, 1, 2]);
  });

  it('a rescan reading 8 MiB at a time keeps batches straddling a read and one larger than a read, then cuts a torn tail', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir);
    const sizes = [...Array.from({ length: 90 }, () => 100_003), 9 * 1024 * 1024, 100_003];
    for (const [i, payloadBytes] of sizes.entries()) {
      await log.append(makeBatch({ payloadBytes, fill: i % 256 }), { leaderEpoch: 0 });
    }
    await log.close();
    const whole = fs.content(firstLog);
    if (whole === null) throw new Error('log file missing');
    fs.setContent(firstLog, Buffer.concat([whole, makeBatch({ payloadBytes: 50_000 }).subarray(0, 30_000)]));
    fs.setContent(`${partitionDir}/00000000000000000000.index`, Buffer.alloc(0));
    fs.setContent(`${partitionDir}/00000000000000000000.timeindex`, Buffer.alloc(0));
    const { logger, warnings } = capturingLogger();
    const reopened = await openOn(fs, partitionDir, {}, logger);
    expect(reopened.logEndOffset).toBe(BigInt(sizes.length));
    expect(warnings).toMatchObject([{ truncatedBytes: 30_000, defects: ['torn'] }]);
    expect(fs.content(firstLog)?.length).toBe(whole.length);
  });

  it('a batch whose magic byte is not 2 is reported as bad_magic and cut off with everything after it', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, partitionDir);
    for (let i = 0; i < 4; i++) await log.append(makeBatch({ records: 2, fill: i }), { leaderEpoch: 0 });
    await log.close();
    const bytes = fs.content(firstLog);
    if (bytes === null) throw new Error('log file missing');
    const damaged = Buffer.from(bytes);
    damaged.writeInt8(1, 2 * 161 + 16);
    fs.setContent(firstLog, damaged);
    const { logger, warnings } = capturingLogger();
    const reopened = await openOn(fs, partitionDir, {}, logger);
    expect(reopened.logEndOffset).toBe(4n);
    expect(warnings).toMatchObject([{ truncatedBytes: 2 * 161, defects: ['bad_magic'] }]);
  });

  it('orphan index files left by an interrupted segment deletion are removed on open', async () => {
    const fs = new FaultyFileSystem();
    fs.setContent(`${partitionDir}/00000000000000000042.index`, Buffer.alloc(16));
    const log = await openOn(fs, partitionDir);
    expect(log.logEndOffset).toBe(0n);
    expect(fs.content(`${partitionDir}/00000000000000000042.index`)).toBeNull();
  });
});

describe('recovery on a real disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runnel-recovery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeLog(config: Partial<LogConfig>, batches: number) {
    const log = await PartitionLog.open({
      dir,
      config: { ...defaultLogConfig, ...config },
      clock,
      logger: silentLogger(),
    });
    for (let i = 0; i < batches; i++) {
      await log.append(makeBatch({ records: 2, payloadBytes: 139, fill: i, timestampMs: BigInt(100 + i) }), {
        leaderEpoch: 0,
      });
    }
    await log.close();
  }

  async function reopen(config: Partial<LogConfig> = {}) {
    const { logger, warnings } = capturingLogger();
    const log = await PartitionLog.open({ dir, config: { ...defaultLogConfig, ...config }, clock, logger });
    return { log, warnings };
  }

  it('a log file cut in the middle of its last batch loses only that batch', async () => {
    await writeLog({}, 10);
    await truncate(join(dir, '00000000000000000000.log'), 9 * 200 + 33);
    const { log, warnings } = await reopen();
    expect(log.logEndOffset).toBe(18n);
    expect((await stat(join(dir, '00000000000000000000.log'))).size).toBe(1800);
    expect(warnings).toMatchObject([{ truncatedBytes: 33 }]);
    expect((await log.append(makeBatch(), { leaderEpoch: 0 })).baseOffset).toBe(18n);
    await log.close();
  });

  it('random garbage after the last batch is truncated and the log is otherwise intact', async () => {
    await writeLog({ indexIntervalBytes: 300 }, 20);
    await appendFile(join(dir, '00000000000000000000.log'), new Random(7).bytes(5000));
    const { log, warnings } = await reopen({ indexIntervalBytes: 300 });
    expect(log.logEndOffset).toBe(40n);
    expect(warnings).toMatchObject([{ truncatedBytes: 5000 }]);
    expect((await readAll(log)).map((b) => b.fill)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await log.close();
  });

  it('corrupt or missing indexes, active and sealed, are rebuilt and lookups stay correct', async () => {
    const config = { segmentBytes: 2000, indexIntervalBytes: 300 };
    await writeLog(config, 25);
    // Sealed segment 0: garbage offset index, missing time index. Active segment 20: index past the end.
    await writeFile(join(dir, '00000000000000000000.index'), new Random(3).bytes(40));
    await rm(join(dir, '00000000000000000000.timeindex'));
    const pastEnd = Buffer.alloc(8);
    pastEnd.writeInt32BE(3, 0);
    pastEnd.writeInt32BE(1_000_000, 4);
    await appendFile(join(dir, '00000000000000000040.index'), pastEnd);

    const { log, warnings } = await reopen(config);
    expect(warnings).toMatchObject([{ truncatedBytes: 0, rebuiltIndexes: 2 }]);
    expect(log.logEndOffset).toBe(50n);
    for (let offset = 0n; offset < 50n; offset++) {
      const read = await log.read(offset, 1);
      const [batch] = read.ok ? parseBatches(read.records) : [];
      expect(batch?.baseOffset).toBe(offset - (offset % 2n));
    }
    for (let i = 0; i < 25; i++) {
      expect(await log.offsetForTimestamp(BigInt(100 + i))).toMatchObject({
        offset: BigInt(2 * i),
        timestampMs: BigInt(100 + i),
      });
    }
    expect((await stat(join(dir, '00000000000000000000.index'))).size % 8).toBe(0);
    await log.close();
  });

  it('a clean reopen logs nothing and needs no repair', async () => {
    await writeLog({ segmentBytes: 2000 }, 25);
    const { log, warnings } = await reopen({ segmentBytes: 2000 });
    expect(warnings).toEqual([]);
    expect(log.logEndOffset).toBe(50n);
    await log.close();
  });
});

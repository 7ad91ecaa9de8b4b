import { type Logger, ManualClock, Random, silentLogger } from '@runnel/common';
import { describe, expect, it, vi } from 'vitest';
import {
  type AppendResult,
  defaultLogConfig,
  FaultyFileSystem,
  type FileSystem,
  type LogConfig,
  PartitionLog,
  SimulatedCrashError,
} from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';
import { CountingFileSystem } from './counting-file-system.ts';

const partitionDir = '/data/topic-0';
const segmentPath = (base: number) => `${partitionDir}/${String(base).padStart(20, '0')}.log`;
/** makeBatch() with its default 100-byte payload. */
const batchBytes = 161;

async function openOn(fs: FileSystem, config: Partial<LogConfig> = {}, logger: Logger = silentLogger()) {
  return PartitionLog.open({
    dir: partitionDir,
    config: { ...defaultLogConfig, ...config },
    fs,
    clock: new ManualClock(1_700_000_000_000),
    logger,
  });
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

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('appends queued together are written with one writev', () => {
  it('200 appends issued without awaiting get contiguous offsets in call order from far fewer write calls', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const log = await openOn(fs);
    fs.reset();
    const results = await Promise.all(
      range(200).map((i) => log.append(makeBatch({ records: 1 + (i % 3), fill: i }), { leaderEpoch: 4 })),
    );

    let next = 0n;
    for (const [i, result] of results.entries()) {
      expect(result.baseOffset, `append ${i}`).toBe(next);
      expect(result.lastOffset).toBe(next + BigInt(i % 3));
      next = result.lastOffset + 1n;
    }
    expect(log.logEndOffset).toBe(next);
    const batches = await readAll(log);
    expect(batches.map((b) => b.fill)).toEqual(range(200));
    expect(batches.every((b) => b.crcValid && b.leaderEpoch === 4)).toBe(true);
    const calls = fs.counts.writes + fs.counts.writevs;
    // Groups are bounded at 64 appends, so at least ceil(200 / 64) calls.
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(calls).toBeLessThan(20);
    expect(fs.counts.writevBuffersMax).toBeLessThanOrEqual(64);
    expect(fs.counts.writevBuffersMax).toBeGreaterThan(1);
    await log.close();
  });

  it('LogAppendTime stamps every append of a group with a valid CRC and reports the stamped time to each caller', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs, { messageTimestampType: 'LogAppendTime' });
    const results = await Promise.all(range(10).map((i) => log.append(makeBatch({ fill: i }), { leaderEpoch: 0 })));
    expect(results.map((r) => r.logAppendTimeMs)).toEqual(range(10).map(() => 1_700_000_000_000n));
    const batches = await readAll(log);
    expect(batches.every((b) => b.crcValid && b.maxTimestampMs === 1_700_000_000_000n)).toBe(true);
    expect(fs.writevCount).toBe(1);
    await log.close();
  });

  it('a segment roll in the middle of a queued group splits it: each segment gets one write and offsets stay contiguous', async () => {
    const faulty = new FaultyFileSystem();
    const fs = new CountingFileSystem(faulty);
    const log = await openOn(fs, { segmentBytes: 4 * batchBytes });
    fs.reset();
    const results = await Promise.all(range(10).map((i) => log.append(makeBatch({ fill: i }), { leaderEpoch: 0 })));

    expect(results.map((r) => r.baseOffset)).toEqual(range(10).map(BigInt));
    expect(log.segmentCount).toBe(3);
    expect(fs.counts.writes + fs.counts.writevs).toBe(3);
    expect(faulty.content(segmentPath(0))?.length).toBe(4 * batchBytes);
    expect(faulty.content(segmentPath(4))?.length).toBe(4 * batchBytes);
    expect(faulty.content(segmentPath(8))?.length).toBe(2 * batchBytes);
    // Rolling seals (fsyncs) the old segment, exactly as with one append at a time.
    expect(faulty.durableBytes(segmentPath(0))).toBe(4 * batchBytes);
    expect(faulty.durableBytes(segmentPath(4))).toBe(4 * batchBytes);
    expect((await readAll(log)).map((b) => b.fill)).toEqual(range(10));
    for (const offset of [0n, 3n, 4n, 7n, 8n, 9n]) {
      const read = await log.read(offset, 1);
      expect(read.ok && parseBatches(read.records)[0]?.baseOffset).toBe(offset);
    }
    await log.close();
  });

  it('a roll() called between queued appends runs in call order: appends before it stay in the old segment', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    const first = [
      log.append(makeBatch({ fill: 0 }), { leaderEpoch: 0 }),
      log.append(makeBatch({ fill: 1 }), { leaderEpoch: 0 }),
    ];
    const rolled = log.roll();
    const later = [
      log.append(makeBatch({ fill: 2 }), { leaderEpoch: 0 }),
      log.append(makeBatch({ fill: 3 }), { leaderEpoch: 0 }),
    ];
    await Promise.all([...first, rolled, ...later]);
    expect(log.segmentCount).toBe(2);
    expect(fs.content(segmentPath(0))?.length).toBe(2 * batchBytes);
    expect(fs.content(segmentPath(2))?.length).toBe(2 * batchBytes);
    expect(fs.writevCount).toBe(2);
    await log.close();
  });

  it('a torn writev fails every append in its group, the log refuses further appends, and recovery keeps a whole-batch prefix', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    for (let i = 0; i < 3; i++) await log.append(makeBatch({ fill: i }), { leaderEpoch: 0 });
    await log.flush();
    // The tear lands in the middle of the group's third batch.
    fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 2 * batchBytes + 50 });
    const group = range(5).map((i) => log.append(makeBatch({ fill: 10 + i }), { leaderEpoch: 0 }));
    const settled = await Promise.allSettled(group);
    expect(settled.map((s) => s.status)).toEqual(range(5).map(() => 'rejected'));
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(SimulatedCrashError);
    expect(fs.writevCount).toBe(1);
    await expect(log.append(makeBatch(), { leaderEpoch: 0 })).rejects.toBeInstanceOf(SimulatedCrashError);

    const after = fs.crash();
    expect(after.content(segmentPath(0))?.length).toBe(5 * batchBytes + 50);
    const warnings: unknown[] = [];
    const logger = silentLogger();
    vi.spyOn(logger, 'warn').mockImplementation(((obj: unknown) => void warnings.push(obj)) as Logger['warn']);
    const reopened = await openOn(after, {}, logger);
    expect(reopened.logEndOffset).toBe(5n);
    expect(after.content(segmentPath(0))?.length).toBe(5 * batchBytes);
    expect(warnings).toMatchObject([{ truncatedBytes: 50, defects: ['torn'] }]);
    expect((await readAll(reopened)).map((b) => b.fill)).toEqual([0, 1, 2, 10, 11]);
    expect((await reopened.append(makeBatch({ fill: 20 }), { leaderEpoch: 1 })).baseOffset).toBe(5n);
    await reopened.close();
  });

  it('with flush.messages=1, concurrent appends lose nothing acknowledged in a crash at any point', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = new Random(seed);
      const fs = new FaultyFileSystem();
      const log = await openOn(fs, { flushMessages: 1, segmentBytes: 40 * batchBytes });
      const acked: AppendResult[] = [];
      const appends = range(150).map((i) =>
        log.append(makeBatch({ fill: i % 256 }), { leaderEpoch: 0 }).then((r) => {
          acked.push(r);
          return r;
        }),
      );
      await appends[random.int(0, 149)];
      const syncs = fs.syncCount;
      const ackedAtCrash = [...acked];
      const after = fs.crash({ random });
      await Promise.allSettled(appends);

      const reopened = await openOn(after, { flushMessages: 1, segmentBytes: 40 * batchBytes });
      const recovered = await readAll(reopened);
      const offsets = new Set(recovered.map((b) => b.baseOffset));
      for (const r of ackedAtCrash) expect(offsets.has(r.baseOffset), `seed ${seed}: acked ${r.baseOffset}`).toBe(true);
      expect(recovered.map((b) => b.baseOffset)).toEqual(range(recovered.length).map(BigInt));
      expect(recovered.map((b) => b.fill)).toEqual(range(recovered.length).map((i) => i % 256));
      // Group commit: far fewer fsyncs than acknowledged appends.
      expect(syncs, `seed ${seed}`).toBeLessThan(Math.max(ackedAtCrash.length, 2));
      await reopened.close();
    }
  });
});

/**
 * The descriptor budget: files open on first use, the least recently used
 * idle ones close when the budget is spent, files in use are never closed
 * under a caller, running out of descriptors (EMFILE) closes idle files and
 * retries, and many partition logs sharing a small budget append, read,
 * roll, close and reopen correctly while holding at most that many.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, HandleCache, PartitionLog } from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';
import { LimitedFileSystem } from './limited-file-system.ts';

async function setUp(openMax = Number.MAX_SAFE_INTEGER): Promise<LimitedFileSystem> {
  const inner = new FaultyFileSystem();
  await inner.mkdirp('/data');
  return new LimitedFileSystem(inner, openMax);
}

describe('HandleCache', () => {
  it('opens a file on first use only, and closes the least recently used idle one past the budget', async () => {
    const fs = await setUp();
    const cache = new HandleCache({ handlesMax: 2 });
    const [a, b, c] = ['/data/a', '/data/b', '/data/c'].map((p) => cache.file(fs, p));
    if (a === undefined || b === undefined || c === undefined) throw new Error('three files');
    expect(fs.openCount).toBe(0);
    await a.write(Buffer.from('aa'), 0);
    await b.write(Buffer.from('bb'), 0);
    // a is used again, so b is now the least recently used.
    expect(await a.read(Buffer.alloc(2), 0, 2, 0)).toBe(2);
    await c.write(Buffer.from('cc'), 0);
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([true, false, true]);
    await expectEventually(() => fs.openCount === 2);
    // b reopens by path and reads what was written before its descriptor closed.
    const out = Buffer.alloc(2);
    await b.read(out, 0, 2, 0);
    expect(out.toString()).toBe('bb');
    expect(cache.stats).toMatchObject({ openCount: 2, opens: 4, evictions: 2 });
  });

  it('never closes a file in use: an open with every descriptor in use waits until one is given back', async () => {
    const fs = await setUp();
    const cache = new HandleCache({ handlesMax: 1 });
    const a = cache.file(fs, '/data/a');
    const b = cache.file(fs, '/data/b');
    await a.hold();
    let written = false;
    const writing = b.write(Buffer.from('x'), 0).then(() => {
      written = true;
    });
    await expectEventually(() => cache.stats.waitedOpens === 1);
    expect([a.isOpen, b.isOpen, written]).toEqual([true, false, false]);
    expect(fs.openCount).toBe(1);
    await a.close();
    await writing;
    expect(b.isOpen).toBe(true);
    expect(fs.openPeak).toBe(1);
  });

  it('many calls at once on different files never hold more descriptors than the budget', async () => {
    const fs = await setUp();
    const cache = new HandleCache({ handlesMax: 8 });
    const limited = cache.limit(fs);
    const files = Array.from({ length: 60 }, (_, i) => cache.file(limited, `/data/f-${i}`));
    // Waiters woken together must not all take the one descriptor that came free.
    await Promise.all([
      ...files.map((f, i) => f.write(Buffer.from(`v${i}`), 0)),
      ...files.map(async (_, i) => (await limited.open(`/data/t-${i}`)).close()),
    ]);
    expect(fs.openPeak).toBeLessThanOrEqual(8);
    const out = Buffer.alloc(3);
    await files[42]?.read(out, 0, 3, 0);
    expect(out.toString()).toBe('v42');
  });

  it("limit() counts a log's short-lived files against the same budget", async () => {
    const fs = await setUp();
    const cache = new HandleCache({ handlesMax: 2 });
    const limited = cache.limit(fs);
    const a = cache.file(limited, '/data/a');
    await a.hold();
    const checkpoint = await limited.open('/data/checkpoint');
    expect(cache.stats).toMatchObject({ openCount: 1, transientCount: 1 });
    // A third file waits for the checkpoint to close; the segment file, held, stays open.
    const b = cache.file(limited, '/data/b');
    const touching = b.touch();
    await expectEventually(() => cache.stats.waitedOpens === 1);
    await checkpoint.close();
    await touching;
    expect(cache.stats).toMatchObject({ openCount: 2, transientCount: 0 });
    expect(fs.openPeak).toBe(2);
  });

  it('release gives an idle descriptor back at once; the file opens again when used', async () => {
    const fs = await setUp();
    const cache = new HandleCache({ handlesMax: 10 });
    const a = cache.file(fs, '/data/a');
    await a.write(Buffer.from('x'), 0);
    a.release();
    await expectEventually(() => fs.openCount === 0);
    expect(a.isOpen).toBe(false);
    expect(await a.read(Buffer.alloc(1), 0, 1, 0)).toBe(1);
  });

  it('EMFILE from the process closes every idle file and retries the open once', async () => {
    // The process allows 3 descriptors; the cache believes it may hold 10.
    const fs = await setUp(3);
    const cache = new HandleCache({ handlesMax: 10, logger: silentLogger() });
    const files = ['/data/a', '/data/b', '/data/c', '/data/d'].map((p) => cache.file(fs, p));
    for (const f of files) await f.write(Buffer.from('x'), 0);
    expect(cache.stats.exhaustedOpens).toBe(1);
    expect(fs.openCount).toBeLessThanOrEqual(3);
    // With every descriptor in use, the second failure reaches the caller (and only that call fails).
    const held = files.slice(0, 3);
    for (const f of held) await f.hold();
    await expect(files[3]?.write(Buffer.from('y'), 0)).rejects.toMatchObject({ code: 'EMFILE' });
    for (const f of files) await f.close();
    expect(fs.openCount).toBe(0);
  });

  it('a closed file refuses further use instead of recreating its path', async () => {
    const fs = await setUp();
    const a = new HandleCache({ handlesMax: 4 }).file(fs, '/data/a');
    await a.touch();
    await a.close();
    await expect(a.read(Buffer.alloc(1), 0, 1, 0)).rejects.toThrow(/closed file/);
  });
});

describe('partition logs sharing a small descriptor budget', () => {
  it('forty logs of several segments append, read, close and reopen while holding at most the budget', async () => {
    const fs = await setUp();
    const budget = 8;
    const cache = new HandleCache({ handlesMax: budget });
    const clock = new ManualClock(1_700_000_000_000);
    // Small segments: every log rolls several times, so each has sealed segments and indexes.
    const config = { ...defaultLogConfig, segmentBytes: 400, indexIntervalBytes: 100 };
    // Checkpoints, snapshots and markers count too, through limit().
    const open = (i: number) =>
      PartitionLog.open({
        dir: `/data/p-${i}`,
        config,
        fs: cache.limit(fs),
        clock,
        logger: silentLogger(),
        handles: cache,
      });
    // One at a time, as the broker opens them: files in use at once are what may exceed the budget.
    const openAll = async (): Promise<PartitionLog[]> => {
      const opened: PartitionLog[] = [];
      for (let i = 0; i < 40; i++) opened.push(await open(i));
      return opened;
    };
    let logs = await openAll();
    for (let round = 0; round < 6; round++) {
      for (const [i, log] of logs.entries()) {
        await log.append(makeBatch({ records: 2, fill: (i + round) % 250 }), { leaderEpoch: 1 });
      }
    }
    expect(logs[0]?.segmentCount).toBeGreaterThan(2);
    const readAll = async (log: PartitionLog): Promise<bigint[]> => {
      const offsets: bigint[] = [];
      for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
        const read = await log.read(offset, 1 << 20);
        if (!read.ok) throw new Error(read.error);
        const batches = parseBatches(read.records);
        for (const b of batches) offsets.push(b.baseOffset);
        const last = batches.at(-1);
        if (last === undefined) break;
        offset = last.lastOffset + 1n;
      }
      return offsets;
    };
    for (const log of logs) expect(await readAll(log)).toEqual([0n, 2n, 4n, 6n, 8n, 10n]);
    // Cold reads through every sealed segment of every log went through the budget.
    expect(cache.stats.evictions).toBeGreaterThan(0);
    await expectEventually(() => fs.openCount <= budget);
    for (const log of logs) await log.close();
    await expectEventually(() => fs.openCount === 0);
    // Reopening forty logs (recovery reads each active segment) stays within the budget too.
    logs = await openAll();
    await expectEventually(() => fs.openCount <= budget);
    for (const log of logs) expect(await readAll(log)).toEqual([0n, 2n, 4n, 6n, 8n, 10n]);
    for (const log of logs) await log.close();
    // Never above the budget: files being closed count until they are.
    expect(fs.openPeak).toBeLessThanOrEqual(budget);
  });
});

describe('acknowledged appends under a small descriptor budget', () => {
  it('flush.messages=1 appends across logs that keep losing their descriptors survive a power cut', async () => {
    const fs = new FaultyFileSystem();
    await fs.mkdirp('/data');
    const clock = new ManualClock(1_700_000_000_000);
    // fsync per append and small segments: every log rolls, and with 3 descriptors for 6 logs each
    // append's write and its fsync may land on different descriptors of the same file.
    const config = { ...defaultLogConfig, segmentBytes: 600, indexIntervalBytes: 100, flushMessages: 1 };
    const open = (on: FaultyFileSystem, cache: HandleCache, i: number) =>
      PartitionLog.open({
        dir: `/data/p-${i}`,
        config,
        fs: cache.limit(on),
        clock,
        logger: silentLogger(),
        handles: cache,
      });
    const cache = new HandleCache({ handlesMax: 3 });
    const logs: PartitionLog[] = [];
    for (let i = 0; i < 6; i++) logs.push(await open(fs, cache, i));
    const acked: bigint[][] = logs.map(() => []);
    for (let round = 0; round < 8; round++) {
      await Promise.all(
        logs.map(async (log, i) => {
          const { lastOffset } = await log.append(makeBatch({ records: 1, fill: round }), { leaderEpoch: 1 });
          acked[i]?.push(lastOffset);
        }),
      );
    }
    expect(cache.stats.evictions).toBeGreaterThan(0);
    const after = fs.crash();
    const reopenedCache = new HandleCache({ handlesMax: 3 });
    for (let i = 0; i < 6; i++) {
      const log = await open(after, reopenedCache, i);
      const offsets: bigint[] = [];
      for (let offset = 0n; offset < log.logEndOffset; ) {
        const read = await log.read(offset, 1 << 20);
        if (!read.ok) throw new Error(read.error);
        const batches = parseBatches(read.records);
        for (const b of batches) offsets.push(b.lastOffset);
        const last = batches.at(-1);
        if (last === undefined) break;
        offset = last.lastOffset + 1n;
      }
      expect(offsets.slice(0, acked[i]?.length)).toEqual(acked[i]);
      await log.close();
    }
  });
});

/** Evicted descriptors close in the background; waits for the count to settle (a condition, not a time). */
async function expectEventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '@runnel/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLogConfig, type LogConfig, PartitionLog } from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';

let dir: string;
let clock: ManualClock;
const logs: PartitionLog[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-storage-'));
  clock = new ManualClock(1_700_000_000_000);
});

afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function openLog(config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  const log = await PartitionLog.open({
    dir: join(dir, 'topic-0'),
    config: { ...defaultLogConfig, ...config },
    clock,
    logger: silentLogger(),
  });
  logs.push(log);
  return log;
}

const now = () => BigInt(clock.nowMs());

describe('PartitionLog append and read', () => {
  it('assigns consecutive offsets and reads back the same bytes with offsets and epoch stamped', async () => {
    const log = await openLog();
    const a = await log.append(makeBatch({ records: 3, fill: 1 }), { leaderEpoch: 7 });
    const b = await log.append(Buffer.concat([makeBatch({ records: 2, fill: 2 }), makeBatch({ fill: 3 })]), {
      leaderEpoch: 8,
    });
    expect(a).toEqual({ baseOffset: 0n, lastOffset: 2n, logAppendTimeMs: -1n });
    expect(b).toEqual({ baseOffset: 3n, lastOffset: 5n, logAppendTimeMs: -1n });
    expect(log.logEndOffset).toBe(6n);

    const read = await log.read(0n, 1 << 20);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const batches = parseBatches(read.records);
    expect(batches.map((x) => [x.baseOffset, x.lastOffset, x.leaderEpoch, x.fill])).toEqual([
      [0n, 2n, 7, 1],
      [3n, 4n, 8, 2],
      [5n, 5n, 8, 3],
    ]);
    expect(batches.every((x) => x.crcValid)).toBe(true);
    expect(read.sizeBytes).toBe(log.sizeBytes);
  });

  it('reading from an offset inside a batch returns that whole batch first', async () => {
    const log = await openLog();
    await log.append(makeBatch({ records: 5, fill: 1 }), { leaderEpoch: 0 });
    await log.append(makeBatch({ records: 5, fill: 2 }), { leaderEpoch: 0 });
    const read = await log.read(7n, 1 << 20);
    expect(read.ok && parseBatches(read.records).map((x) => x.baseOffset)).toEqual([5n]);
  });

  it('maxBytes smaller than one batch still returns that one batch, and only it', async () => {
    const log = await openLog();
    await log.append(makeBatch({ payloadBytes: 1000 }), { leaderEpoch: 0 });
    await log.append(makeBatch({ payloadBytes: 1000 }), { leaderEpoch: 0 });
    const read = await log.read(0n, 10);
    expect(read.ok && parseBatches(read.records).map((x) => x.baseOffset)).toEqual([0n]);
  });

  it('stops at maxBytes on a batch boundary and never returns a batch at or past maxOffset', async () => {
    const log = await openLog({ indexIntervalBytes: 100 });
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ records: 2, payloadBytes: 139 }), { leaderEpoch: 0 });
    const bySize = await log.read(0n, 450);
    expect(bySize.ok && parseBatches(bySize.records).map((x) => x.baseOffset)).toEqual([0n, 2n]);
    const byOffset = await log.read(2n, 1 << 20, 9n);
    expect(byOffset.ok && parseBatches(byOffset.records).map((x) => x.baseOffset)).toEqual([2n, 4n, 6n, 8n]);
    const atLimit = await log.read(8n, 1 << 20, 8n);
    expect(atLimit).toEqual({ ok: true, records: [], sizeBytes: 0 });
  });

  it('offsets beyond the log end or before the log start are out of range; the log end itself reads empty', async () => {
    const log = await openLog();
    await log.append(makeBatch({ records: 2 }), { leaderEpoch: 0 });
    expect(await log.read(3n, 100)).toEqual({ ok: false, error: 'offset_out_of_range' });
    expect(await log.read(-1n, 100)).toEqual({ ok: false, error: 'offset_out_of_range' });
    expect(await log.read(2n, 100)).toEqual({ ok: true, records: [], sizeBytes: 0 });
  });

  it('concurrent appends get offsets in call order', async () => {
    const log = await openLog();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append(makeBatch({ records: 2, fill: i }), { leaderEpoch: 0 })),
    );
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i * 2)));
    const read = await log.read(0n, 1 << 20);
    expect(read.ok && parseBatches(read.records).map((x) => x.fill)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('LogAppendTime stamps maxTimestamp and the timestamp-type bit with a valid CRC', async () => {
    const log = await openLog({ messageTimestampType: 'LogAppendTime' });
    const result = await log.append(makeBatch({ timestampMs: 5n }), { leaderEpoch: 0 });
    expect(result.logAppendTimeMs).toBe(now());
    const read = await log.read(0n, 1 << 20);
    const [batch] = read.ok ? parseBatches(read.records) : [];
    expect(batch?.maxTimestampMs).toBe(now());
    expect((batch?.attributes ?? 0) & 0x08).toBe(0x08);
    expect(batch?.crcValid).toBe(true);
  });
});

describe('PartitionLog segments', () => {
  it('rolls a new segment when the next append would exceed segment.bytes, and reads across segments', async () => {
    const log = await openLog({ segmentBytes: 1000 });
    for (let i = 0; i < 10; i++) await log.append(makeBatch({ payloadBytes: 239, fill: i }), { leaderEpoch: 0 });
    // 300-byte batches: three fit in 1000 bytes.
    expect(log.segmentCount).toBe(4);
    const files = (await readdir(join(dir, 'topic-0'))).filter((f) => f.endsWith('.log')).sort();
    expect(files).toEqual([
      '00000000000000000000.log',
      '00000000000000000003.log',
      '00000000000000000006.log',
      '00000000000000000009.log',
    ]);
    const fills: (number | undefined)[] = [];
    for (let offset = 0n; offset < log.logEndOffset; ) {
      const read = await log.read(offset, 1 << 20);
      if (!read.ok) throw new Error('out of range');
      const batches = parseBatches(read.records);
      fills.push(...batches.map((b) => b.fill));
      offset = (batches.at(-1)?.lastOffset ?? offset) + 1n;
    }
    expect(fills).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rolls when the active segment is older than segment.ms, counted from its first append', async () => {
    const log = await openLog({ segmentMs: 60_000 });
    await log.append(makeBatch(), { leaderEpoch: 0 });
    clock.advance(60_000);
    await log.append(makeBatch(), { leaderEpoch: 0 });
    expect(log.segmentCount).toBe(1);
    clock.advance(1);
    await log.append(makeBatch(), { leaderEpoch: 0 });
    expect(log.segmentCount).toBe(2);
  });

  it('roll() on an empty active segment does nothing; on a non-empty one starts a segment at the log end', async () => {
    const log = await openLog();
    await log.roll();
    expect(log.segmentCount).toBe(1);
    await log.append(makeBatch({ records: 4 }), { leaderEpoch: 0 });
    await log.roll();
    expect(log.segmentCount).toBe(2);
    await log.append(makeBatch(), { leaderEpoch: 0 });
    const read = await log.read(4n, 1 << 20);
    expect(read.ok && parseBatches(read.records).map((x) => x.baseOffset)).toEqual([4n]);
  });

  it('reopening after close keeps every batch, offset and segment, and appends continue at the log end', async () => {
    const first = await openLog({ segmentBytes: 2000, indexIntervalBytes: 300 });
    for (let i = 0; i < 30; i++) {
      await first.append(makeBatch({ records: 3, payloadBytes: 150, fill: i, timestampMs: BigInt(1000 + i) }), {
        leaderEpoch: 1,
      });
    }
    const before = await first.read(0n, 1 << 20);
    const segments = first.segmentCount;
    await first.close();
    const second = await openLog({ segmentBytes: 2000, indexIntervalBytes: 300 });
    expect(second.segmentCount).toBe(segments);
    expect(second.logEndOffset).toBe(90n);
    expect(await second.read(0n, 1 << 20)).toEqual(before);
    expect(await second.offsetForTimestamp(1020n)).toMatchObject({ offset: 60n, timestampMs: 1020n });
    expect((await second.append(makeBatch(), { leaderEpoch: 2 })).baseOffset).toBe(90n);
  });
});

describe('PartitionLog timestamps and retention', () => {
  it('offsetForTimestamp returns the first batch whose maxTimestamp reaches the target, across segments', async () => {
    const log = await openLog({ segmentBytes: 1500, indexIntervalBytes: 200 });
    // Timestamps 1000, 1010, ... with one out-of-order batch (1005 after 1050).
    const stamps = [1000n, 1010n, 1020n, 1030n, 1040n, 1050n, 1005n, 1060n, 1070n, 1080n, 1090n, 1100n];
    for (const ts of stamps)
      await log.append(makeBatch({ records: 2, payloadBytes: 200, timestampMs: ts }), { leaderEpoch: 0 });
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(await log.offsetForTimestamp(0n)).toMatchObject({ offset: 0n, timestampMs: 1000n });
    expect(await log.offsetForTimestamp(1001n)).toMatchObject({ offset: 2n, timestampMs: 1010n });
    expect(await log.offsetForTimestamp(1050n)).toMatchObject({ offset: 10n, timestampMs: 1050n });
    expect(await log.offsetForTimestamp(1055n)).toMatchObject({ offset: 14n, timestampMs: 1060n });
    expect(await log.offsetForTimestamp(1100n)).toMatchObject({ offset: 22n, timestampMs: 1100n });
    expect(await log.offsetForTimestamp(1101n)).toBeNull();
  });

  it('time retention deletes segments whose largest timestamp is older than retention.ms, never the active one', async () => {
    const log = await openLog({ segmentBytes: 500, retentionMs: 20_000 });
    for (let i = 0; i < 6; i++) {
      await log.append(makeBatch({ payloadBytes: 139, timestampMs: now() }), { leaderEpoch: 0 });
      clock.advance(5_000);
    }
    // 6 batches of 200 bytes, 2 per segment: largest timestamps t+5s, t+15s, t+25s; now = t+30s.
    expect(log.segmentCount).toBe(3);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 1 });
    expect(log.logStartOffset).toBe(2n);
    expect(await log.read(0n, 100)).toEqual({ ok: false, error: 'offset_out_of_range' });
    clock.advance(1_000_000);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 1 });
    expect(log.segmentCount).toBe(1);
    expect(log.logStartOffset).toBe(4n);
    expect(log.logEndOffset).toBe(6n);
  });

  it('size retention deletes the oldest segments while the log stays above retention.bytes without them', async () => {
    const log = await openLog({ segmentBytes: 500, retentionBytes: 700 });
    for (let i = 0; i < 9; i++) await log.append(makeBatch({ payloadBytes: 139 }), { leaderEpoch: 0 });
    expect(log.segmentCount).toBe(5);
    expect(log.sizeBytes).toBe(1800);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 2 });
    expect(log.sizeBytes).toBe(1000);
    expect(log.logStartOffset).toBe(4n);
    const read = await log.read(4n, 1 << 20);
    expect(read.ok && parseBatches(read.records)[0]?.baseOffset).toBe(4n);
  });

  it('retention with unlimited settings deletes nothing', async () => {
    const log = await openLog({ segmentBytes: 500, retentionMs: -1, retentionBytes: -1 });
    for (let i = 0; i < 6; i++) await log.append(makeBatch({ payloadBytes: 139, timestampMs: 1n }), { leaderEpoch: 0 });
    clock.advance(1e12);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 0 });
  });
});

describe('PartitionLog truncation and deletion', () => {
  it('truncateTo drops later segments and the tail, and appends reuse the offsets', async () => {
    const log = await openLog({ segmentBytes: 500 });
    for (let i = 0; i < 8; i++)
      await log.append(makeBatch({ records: 2, payloadBytes: 139, fill: i }), { leaderEpoch: 0 });
    expect(log.segmentCount).toBe(4);
    await log.truncateTo(5n);
    // Offset 5 falls inside the batch 4..5, which goes too.
    expect(log.logEndOffset).toBe(4n);
    expect(log.segmentCount).toBe(2);
    expect((await log.append(makeBatch({ fill: 99 }), { leaderEpoch: 1 })).baseOffset).toBe(4n);
    const read = await log.read(4n, 1 << 20);
    expect(read.ok && parseBatches(read.records).map((x) => [x.baseOffset, x.fill])).toEqual([[4n, 99]]);
  });

  it('truncateTo inside an indexed segment keeps earlier batches findable by offset and time, also after reopen', async () => {
    const config = { indexIntervalBytes: 250 };
    const log = await openLog(config);
    for (let i = 0; i < 20; i++) {
      await log.append(makeBatch({ records: 2, payloadBytes: 139, timestampMs: BigInt(100 + i) }), { leaderEpoch: 0 });
    }
    await log.truncateTo(24n);
    expect(log.logEndOffset).toBe(24n);
    expect(await log.offsetForTimestamp(111n)).toMatchObject({ offset: 22n, timestampMs: 111n });
    expect(await log.offsetForTimestamp(112n)).toBeNull();
    await log.append(makeBatch({ timestampMs: 500n }), { leaderEpoch: 1 });
    await log.close();
    const reopened = await openLog(config);
    expect(reopened.logEndOffset).toBe(25n);
    expect(await reopened.offsetForTimestamp(112n)).toMatchObject({ offset: 24n, timestampMs: 500n });
    const read = await reopened.read(13n, 1);
    expect(read.ok && parseBatches(read.records).map((x) => x.baseOffset)).toEqual([12n]);
  });

  it('truncateTo below the log start empties the log and restarts it there', async () => {
    const log = await openLog({ segmentBytes: 500, retentionBytes: 0 });
    for (let i = 0; i < 6; i++) await log.append(makeBatch({ payloadBytes: 139 }), { leaderEpoch: 0 });
    await log.applyRetention();
    expect(log.logStartOffset).toBe(4n);
    await log.truncateTo(1n);
    expect([log.logStartOffset, log.logEndOffset, log.segmentCount, log.sizeBytes]).toEqual([1n, 1n, 1, 0]);
  });

  it('delete() removes the partition directory', async () => {
    const log = await openLog();
    await log.append(makeBatch(), { leaderEpoch: 0 });
    await log.delete();
    expect(await readdir(dir)).toEqual([]);
  });
});

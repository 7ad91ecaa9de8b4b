import { codecFromId, compressionOf, decodeRecordBatchesSync, readBatchHeader } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem, leaderEpochCheckpointFileName, type PartitionLog } from '../src/index.ts';
import {
  keyedBatch,
  latestPerKey,
  newClock,
  openCompacted,
  type Pair,
  partitionDir,
  readAllRecords,
} from './compaction-fixture.ts';
import { GatedFileSystem } from './gated-file-system.ts';

/** `batches` batches of `perBatch` records over `keys` rotating keys; values name their write. */
async function appendRotating(log: PartitionLog, batches: number, perBatch: number, keys: number, epoch = 0) {
  let n = 0;
  for (let b = 0; b < batches; b++) {
    const pairs: Pair[] = [];
    for (let r = 0; r < perBatch; r++, n++) pairs.push([`k${n % keys}`, `v${n}`]);
    await log.append(keyedBatch(pairs, { timestampMs: 1_700_000_000_000n + BigInt(b) }), { leaderEpoch: epoch });
  }
}

describe('log compaction', () => {
  it('keeps only the latest record per key across many segments, at its original offset', async () => {
    const fs = new FaultyFileSystem();
    const log = await openCompacted(fs, newClock());
    await appendRotating(log, 40, 3, 5);
    await log.roll();
    const before = await readAllRecords(log);
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(5);

    const result = await log.compact({ highWatermark: log.logEndOffset });

    expect(result).toMatchObject({ ran: true, recordsRemoved: 115, tombstonesRemoved: 0 });
    const after = await readAllRecords(log);
    expect(after).toEqual(latestPerKey(before));
    expect(after).toHaveLength(5);
    expect(log.logEndOffset).toBe(120n);
    expect(log.logStartOffset).toBe(0n);
    expect(log.segmentCount).toBe(segmentsBefore);
    expect(result.ran && result.bytesAfter < result.bytesBefore).toBe(true);
    // Reopened (indexes and recovery) and read from every offset: each read starts at or before the next survivor.
    await log.close();
    const reopened = await openCompacted(fs, newClock());
    expect(await readAllRecords(reopened)).toEqual(after);
    for (let offset = 0n; offset < 120n; offset++) {
      const read = await reopened.read(offset, 1);
      expect(read.ok && read.records.length === 1).toBe(true);
    }
  });

  it('leaves the active segment, segments above the high watermark and too-recent segments alone', async () => {
    const fs = new FaultyFileSystem();
    const clock = newClock();
    const log = await openCompacted(fs, clock, { minCompactionLagMs: 10_000 });
    await appendRotating(log, 20, 3, 2);
    const hw = 30n;
    clock.advance(3_600_000);
    // Every batch is an hour old, past the lag: only the high watermark limits.
    const before = await readAllRecords(log);
    const result = await log.compact({ highWatermark: hw });
    const cleaned = result.ran ? result.cleanedOffset : -1n;
    expect(cleaned > 0n && cleaned <= hw).toBe(true);
    const after = await readAllRecords(log);
    expect(after.filter((r) => r.offset < cleaned)).toEqual(latestPerKey(before.filter((r) => r.offset < cleaned)));
    expect(after.filter((r) => r.offset >= cleaned)).toEqual(before.filter((r) => r.offset >= cleaned));

    const recent = await openCompacted(new FaultyFileSystem(), clock, { minCompactionLagMs: 10_000 });
    const pairs: Pair[] = [
      ['a', '1'],
      ['a', '2'],
    ];
    const now = BigInt(clock.nowMs());
    for (let i = 0; i < 10; i++) await recent.append(keyedBatch(pairs, { timestampMs: now }), { leaderEpoch: 0 });
    await recent.roll();
    expect(await recent.compact({ highWatermark: recent.logEndOffset })).toEqual({
      ran: false,
      reason: 'nothing_cleanable',
    });
  });

  it('removes a tombstone only once delete.retention.ms has passed since the pass that kept it', async () => {
    const fs = new FaultyFileSystem();
    const clock = newClock();
    const log = await openCompacted(fs, clock, { deleteRetentionMs: 60_000 });
    await log.append(
      keyedBatch([
        ['gone', 'v1'],
        ['kept', 'v1'],
      ]),
      { leaderEpoch: 0 },
    );
    await log.append(keyedBatch([['gone', null]]), { leaderEpoch: 0 });
    await log.roll();

    const first = await log.compact({ highWatermark: log.logEndOffset });
    expect(first).toMatchObject({ ran: true, recordsRemoved: 1, tombstonesRemoved: 0 });
    expect((await readAllRecords(log)).map((r) => [r.key, r.value])).toEqual([
      ['kept', 'v1'],
      ['gone', null],
    ]);

    clock.advance(59_999);
    expect(await log.compact({ highWatermark: log.logEndOffset })).toEqual({ ran: false, reason: 'nothing_cleanable' });
    expect((await readAllRecords(log)).some((r) => r.key === 'gone')).toBe(true);

    clock.advance(1);
    // No new dirty data: the due tombstone alone triggers the pass (remembered across a reopen).
    await log.close();
    const reopened = await openCompacted(fs, clock, { deleteRetentionMs: 60_000 });
    const last = await reopened.compact({ highWatermark: reopened.logEndOffset });
    expect(last).toMatchObject({ ran: true, recordsRemoved: 1, tombstonesRemoved: 1 });
    const records = await readAllRecords(reopened);
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([[1n, 'kept', 'v1']]);
    expect(reopened.logEndOffset).toBe(3n);
  });

  it('keeps record timestamps and lets offsetForTimestamp find surviving records', async () => {
    const log = await openCompacted(new FaultyFileSystem(), newClock());
    const base = 1_700_000_000_000n;
    for (let i = 0; i < 30; i++) {
      await log.append(keyedBatch([[`k${i % 3}`, `v${i}`]], { timestampMs: base + BigInt(i) * 1000n }), {
        leaderEpoch: 0,
      });
    }
    await log.roll();
    const before = await readAllRecords(log);
    await log.compact({ highWatermark: log.logEndOffset });
    const after = await readAllRecords(log);
    expect(after).toEqual(latestPerKey(before));
    expect(after.map((r) => r.timestampMs)).toEqual([base + 27_000n, base + 28_000n, base + 29_000n]);

    const exact = await log.offsetForTimestamp(base + 28_000n);
    expect(exact).toEqual({ offset: 28n, timestampMs: base + 28_000n, leaderEpoch: 0 });
    // A removed record's time: the answer is an offset from which the next survivor is read first.
    const removed = await log.offsetForTimestamp(base + 5_000n);
    expect(removed).not.toBeNull();
    expect(await firstRecordFrom(log, removed?.offset ?? -1n)).toBe(27n);
    expect(await log.offsetForTimestamp(base + 30_000n)).toBeNull();
  });

  it('re-compresses surviving records with the batch codec', async () => {
    const log = await openCompacted(new FaultyFileSystem(), newClock(), { segmentBytes: 2000 });
    for (let i = 0; i < 12; i++) {
      const pairs: Pair[] = [
        [`a`, `a${i}`.repeat(20)],
        [`b${i}`, `b${i}`.repeat(20)],
      ];
      await log.append(keyedBatch(pairs, { compression: 'gzip' }), { leaderEpoch: 0 });
    }
    await log.roll();
    const before = await readAllRecords(log);
    await log.compact({ highWatermark: log.logEndOffset });
    expect(await readAllRecords(log)).toEqual(latestPerKey(before));
    const read = await log.read(0n, 1_000_000);
    const buf = read.ok ? Buffer.concat(read.records) : Buffer.alloc(0);
    const codecs = decodeRecordBatchesSync(buf)
      .filter((b) => b.records.length > 0)
      .map((b) => codecFromId(compressionOf(readBatchHeader(buf, b.position).attributes)));
    expect(codecs.length).toBeGreaterThan(0);
    expect(new Set(codecs)).toEqual(new Set(['gzip']));
  });

  it('with cleanup.policy=compact retention deletes nothing; with compact,delete it does both', async () => {
    const clock = newClock();
    const compactOnly = await openCompacted(new FaultyFileSystem(), clock, { retentionMs: 1 });
    await appendRotating(compactOnly, 10, 3, 2);
    await compactOnly.roll();
    clock.advance(3_600_000);
    expect(await compactOnly.applyRetention()).toEqual({ deletedSegments: 0 });

    const both = { retentionMs: 1, cleanupPolicy: { delete: true, compact: true } };
    const log = await openCompacted(new FaultyFileSystem(), clock, both);
    await appendRotating(log, 10, 3, 2);
    await log.roll();
    expect((await log.compact({ highWatermark: log.logEndOffset })).ran).toBe(true);
    expect((await log.applyRetention()).deletedSegments).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(30n);

    const deleteOnly = await openCompacted(new FaultyFileSystem(), clock, {
      cleanupPolicy: { delete: true, compact: false },
    });
    expect(await deleteOnly.compact({ highWatermark: 0n })).toEqual({ ran: false, reason: 'not_compacted' });
  });

  it('checkpoints the cleaned offset: a second pass cleans only what is new, after a reopen too', async () => {
    const fs = new FaultyFileSystem();
    const clock = newClock();
    const log = await openCompacted(fs, clock);
    await appendRotating(log, 10, 3, 2);
    await log.roll();
    const first = await log.compact({ highWatermark: log.logEndOffset });
    expect(first).toMatchObject({ ran: true, cleanedOffset: 30n });
    expect(await log.compact({ highWatermark: log.logEndOffset })).toEqual({ ran: false, reason: 'nothing_cleanable' });
    await log.close();

    const reopened = await openCompacted(fs, clock);
    expect(await reopened.compact({ highWatermark: reopened.logEndOffset })).toEqual({
      ran: false,
      reason: 'nothing_cleanable',
    });
    await reopened.append(keyedBatch([['k0', 'newest']]), { leaderEpoch: 0 });
    await reopened.roll();
    const second = await reopened.compact({ highWatermark: reopened.logEndOffset });
    expect(second).toMatchObject({ ran: true, cleanedOffset: 31n, recordsRemoved: 1 });
    expect((await readAllRecords(reopened)).map((r) => r.value)).toEqual(['v29', 'newest']);
  });

  it('waits for min.cleanable.dirty.ratio unless max.compaction.lag.ms is exceeded', async () => {
    const clock = newClock();
    const fs = new FaultyFileSystem();
    const log = await openCompacted(fs, clock, { minCleanableDirtyRatio: 0.9 });
    await appendRotating(log, 20, 3, 2);
    await log.roll();
    await log.compact({ highWatermark: log.logEndOffset });
    await log.append(keyedBatch([['k0', 'x']]), { leaderEpoch: 0 });
    await log.roll();
    expect(await log.compact({ highWatermark: log.logEndOffset })).toEqual({ ran: false, reason: 'below_dirty_ratio' });
    await log.close();

    // The new batch's timestamp is the clock's start: an hour later a 1 ms lag is long exceeded.
    clock.advance(3_600_000);
    const overdue = await openCompacted(fs, clock, { minCleanableDirtyRatio: 0.9, maxCompactionLagMs: 1 });
    expect((await overdue.compact({ highWatermark: overdue.logEndOffset })).ran).toBe(true);
  });

  it('leaves offsets contiguous, so a follower accepts the compacted bytes and epochs rebuild the same', async () => {
    const fs = new FaultyFileSystem();
    const log = await openCompacted(fs, newClock());
    await appendRotating(log, 10, 3, 2, 1);
    await appendRotating(log, 10, 3, 2, 4);
    await log.roll();
    await log.compact({ highWatermark: log.logEndOffset });

    const follower = await openCompacted(new FaultyFileSystem(), newClock());
    for (let offset = 0n; offset < log.logEndOffset; ) {
      const read = await log.read(offset, 1_000_000);
      const buf = read.ok ? Buffer.concat(read.records) : Buffer.alloc(0);
      const appended = await follower.appendAsFollower(buf);
      expect(appended.ok).toBe(true);
      offset = appended.ok ? appended.value.lastOffset + 1n : log.logEndOffset;
    }
    expect(await readAllRecords(follower)).toEqual(await readAllRecords(log));
    expect(follower.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 30n });

    await log.close();
    await fs.unlink(`${partitionDir}/${leaderEpochCheckpointFileName}`);
    const rebuilt = await openCompacted(fs, newClock());
    expect(rebuilt.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 30n });
    expect(rebuilt.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 60n });
  });

  it('keeps serving reads while the cleaned segments are swapped in', async () => {
    const fs = new GatedFileSystem();
    const log = await openCompacted(fs, newClock());
    await appendRotating(log, 20, 3, 3);
    await log.roll();
    const before = await readAllRecords(log);
    fs.holdRenames();
    const compaction = log.compact({ highWatermark: log.logEndOffset });
    await fs.renameHeld;
    // Mid-swap (marker being written, nothing renamed yet): the old segments answer.
    expect(await readAllRecords(log)).toEqual(before);
    // Queued behind the swap, so it lands after it.
    const appending = log.append(keyedBatch([['k1', 'during']]), { leaderEpoch: 0 });
    fs.release();
    const appended = await appending;
    expect((await compaction).ran).toBe(true);
    const after = (await readAllRecords(log)).map((r) => [r.offset, r.key, r.value]);
    const expected = latestPerKey(before).map((r) => [r.offset, r.key, r.value]);
    expect(after).toEqual([...expected, [appended.baseOffset, 'k1', 'during']]);
  });
});

/** The offset of the first record a consumer fetching from `offset` gets (past empty batches, as Kafka clients go). */
async function firstRecordFrom(log: PartitionLog, offset: bigint): Promise<bigint | null> {
  for (let at = offset; at < log.logEndOffset; ) {
    const read = await log.read(at, 1_000_000);
    if (!read.ok) return null;
    for (const batch of decodeRecordBatchesSync(Buffer.concat(read.records))) {
      const first = batch.records.find((r) => r.offset >= at);
      if (first !== undefined) return first.offset;
      at = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
    }
  }
  return null;
}

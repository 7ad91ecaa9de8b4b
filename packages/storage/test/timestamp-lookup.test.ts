/**
 * ListOffsets' exact answer in the storage layer: a timestamp lookup lands
 * on the first RECORD at or after the time, inside a batch of records with
 * increasing timestamps (plain and compressed), not on the batch's first
 * offset; LogAppendTime batches answer their first record; the largest
 * timestamp (ListOffsets -3) and the epoch holding an offset come from the
 * same log. Real encoded batches on the in-memory file system.
 */
import { ManualClock } from '@runnel/common';
import { type CompressionCodec, encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { FaultyFileSystem, firstRecordAtOrAfter } from '../src/index.ts';
import { openCompacted } from './compaction-fixture.ts';

const base = 1_700_000_000_000n;

/** `count` records 100 ms apart from `first`, in one batch. */
function risingBatch(first: bigint, count: number, compression: CompressionCodec = 'none'): Buffer {
  return encodeRecordBatchSync({
    records: Array.from({ length: count }, (_, i) => ({
      key: null,
      value: Buffer.from(`v${i}`),
      timestampDelta: BigInt(i) * 100n,
    })),
    baseTimestamp: first,
    compression,
  });
}

async function logWith(config: { messageTimestampType?: 'CreateTime' | 'LogAppendTime' } = {}) {
  // A delete-only log with large segments: lookups, not compaction, are under test.
  return openCompacted(new FaultyFileSystem(), new ManualClock(Number(base) + 1_000_000), {
    cleanupPolicy: { delete: true, compact: false },
    segmentBytes: 1 << 20,
    ...config,
  });
}

describe('timestamp lookups answer the first record, not the first offset of its batch', () => {
  it.each(['none', 'gzip', 'zstd'] as const)('inside one %s batch of rising timestamps', async (compression) => {
    const log = await logWith();
    await log.append(risingBatch(base, 10), { leaderEpoch: 0 });
    await log.append(risingBatch(base + 5_000n, 10, compression), { leaderEpoch: 2 });
    // Record 7 of the second batch (offset 17) is the first at or after +5650.
    expect(await log.offsetForTimestamp(base + 5_650n)).toEqual({
      offset: 17n,
      timestampMs: base + 5_700n,
      leaderEpoch: 2,
    });
    // An exact hit answers that record itself.
    expect(await log.offsetForTimestamp(base + 300n)).toEqual({ offset: 3n, timestampMs: base + 300n, leaderEpoch: 0 });
    expect(await log.offsetForTimestamp(base + 5_901n)).toBeNull();
    await log.close();
  });

  it('a LogAppendTime batch answers its first record: every record carries the append time', async () => {
    const log = await logWith({ messageTimestampType: 'LogAppendTime' });
    await log.append(risingBatch(base, 5), { leaderEpoch: 1 });
    const appendTime = base + 1_000_000n;
    expect(await log.offsetForTimestamp(base + 200n)).toEqual({ offset: 0n, timestampMs: appendTime, leaderEpoch: 1 });
    await log.close();
  });

  it('the largest timestamp is found at its first record, and each offset knows the epoch that wrote it', async () => {
    const log = await logWith();
    await log.append(risingBatch(base, 4), { leaderEpoch: 0 });
    await log.append(risingBatch(base + 9_000n, 3), { leaderEpoch: 3 });
    await log.append(risingBatch(base + 1_000n, 2), { leaderEpoch: 5 });
    expect(await log.maxTimestampRecord()).toEqual({ offset: 6n, timestampMs: base + 9_200n, leaderEpoch: 3 });
    expect([0n, 3n, 4n, 6n, 7n, 8n].map((o) => log.epochAt(o))).toEqual([0, 0, 3, 3, 5, 5]);
    await log.close();
  });

  it('an empty log has no largest timestamp', async () => {
    const log = await logWith();
    expect(await log.maxTimestampRecord()).toBeNull();
    expect(log.epochAt(0n)).toBe(-1);
    await log.close();
  });

  it('a time past every record of the batch has no answer there', async () => {
    const batch = risingBatch(base, 3);
    expect(await firstRecordAtOrAfter(batch, base + 150n)).toEqual({
      offset: 2n,
      timestampMs: base + 200n,
      leaderEpoch: -1,
    });
    expect(await firstRecordAtOrAfter(batch, base + 201n)).toBeNull();
  });
});

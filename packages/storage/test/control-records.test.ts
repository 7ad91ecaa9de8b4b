/**
 * PartitionLog.controlRecordsBetween: how many offsets of a range
 * transaction markers take, so consumer lag can count data records only.
 * Real transactional batches and markers, in-memory FaultyFileSystem.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { SegmentControlSpans } from '../src/control-batch-index.ts';
import { defaultLogConfig, FaultyFileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { markerBatch, producerBatch } from './producer-fixture.ts';

const dir = '/data/t-0';

function open(fs: FaultyFileSystem, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    config: { ...defaultLogConfig, ...config },
    fs,
    clock: new ManualClock(),
    logger: silentLogger(),
  });
}

/** One transaction of producer `producerId`: `records` data records in one batch, then its marker. Returns the marker's offset. */
async function transaction(log: PartitionLog, producerId: bigint, seq: number, records: number, commit: boolean) {
  const data = producerBatch({ producerId, epoch: 0, seq, records, transactional: true });
  await log.appendFromClient(data, { leaderEpoch: 1 });
  const marker = await log.append(markerBatch({ producerId, epoch: 0, commit, coordinatorEpoch: 1 }), {
    leaderEpoch: 1,
  });
  return marker.baseOffset;
}

describe('control records between two offsets', () => {
  it('counts the offsets of [from, to) control batches take, partial spans included, relative to the segment base', () => {
    const spans = new SegmentControlSpans(100n);
    spans.push(103n, 103n);
    spans.push(107n, 109n);
    expect(spans.countBetween(0n, 1000n)).toBe(4n);
    expect(spans.countBetween(104n, 108n)).toBe(1n);
    expect(spans.countBetween(108n, 200n)).toBe(2n);
    expect(spans.countBetween(103n, 104n)).toBe(1n);
    expect(spans.countBetween(104n, 107n)).toBe(0n);
    expect(spans.countBetween(110n, 200n)).toBe(0n);
    expect(spans.countBetween(50n, 100n)).toBe(0n);
  });

  it('keeps counting exactly past its initial capacity, and refuses a span out of offset order', () => {
    const spans = new SegmentControlSpans(0n);
    for (let i = 0; i < 100; i++) spans.push(BigInt(2 * i + 1), BigInt(2 * i + 1));
    expect(spans.size).toBe(100);
    expect(spans.countBetween(0n, 200n)).toBe(100n);
    expect(spans.countBetween(51n, 101n)).toBe(25n);
    expect(() => spans.push(5n, 5n)).toThrow(/out of order/);
  });

  it('a consumer past the last data record of a committed transaction has 0 data records left, wherever it stands on the marker', async () => {
    const log = await open(new FaultyFileSystem());
    const marker = await transaction(log, 1n, 0, 3, true);
    expect(marker).toBe(3n);
    const end = log.logEndOffset;
    // Committed at the marker (last data offset + 1) or past it: end - committed - markers = 0.
    expect(end - marker - (await log.controlRecordsBetween(marker, end))).toBe(0n);
    expect(end - end - (await log.controlRecordsBetween(end, end))).toBe(0n);
    // From the start: 3 data records, the marker not among them.
    expect(end - 0n - (await log.controlRecordsBetween(0n, end))).toBe(3n);
    await log.close();
  });

  it('markers appended after the first count, in sealed and active segments, and the counts survive a reopen', async () => {
    const fs = new FaultyFileSystem();
    let log = await open(fs, { segmentBytes: 300 });
    const markers: bigint[] = [];
    for (let i = 0; i < 6; i++) markers.push(await transaction(log, BigInt(i + 1), 0, 2, i % 2 === 0));
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(6n);
    // The active segment's spans are known now: a new marker must still be counted.
    markers.push(await transaction(log, 9n, 0, 1, false));
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(7n);
    expect(await log.controlRecordsBetween(markers[2] ?? -1n, log.logEndOffset)).toBe(5n);
    await log.close();
    log = await open(fs, { segmentBytes: 300 });
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(7n);
    await log.close();
  });

  it('a truncated marker is no longer counted, and one appended in its place is', async () => {
    const log = await open(new FaultyFileSystem());
    const marker = await transaction(log, 1n, 0, 2, true);
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(1n);
    await log.truncateTo(marker);
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(0n);
    await log.append(markerBatch({ producerId: 1n, epoch: 0, commit: false, coordinatorEpoch: 1 }), {
      leaderEpoch: 1,
    });
    expect(await log.controlRecordsBetween(0n, log.logEndOffset)).toBe(1n);
    await log.close();
  });
});

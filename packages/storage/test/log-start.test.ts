/**
 * DeleteRecords at the storage level (PartitionLog.advanceLogStart): the
 * offsets below the new start are no longer served, whole segments below it
 * go, and the start survives a crash (log-start-offset-checkpoint).
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, PartitionLog } from '../src/index.ts';
import { openingLogStart } from '../src/log-start-checkpoint.ts';
import { makeBatch } from './batch-fixture.ts';

const dir = '/data/topic-0';

function openOn(fs: FaultyFileSystem): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    // Small segments: three 2-record batches (161 bytes each) per segment.
    config: { ...defaultLogConfig, segmentBytes: 500 },
    fs,
    clock: new ManualClock(1_700_000_000_000),
    logger: silentLogger(),
  });
}

/** Twelve batches of two records: offsets 0..23 in four segments based at 0, 6, 12 and 18. */
async function filledLog(fs: FaultyFileSystem): Promise<PartitionLog> {
  const log = await openOn(fs);
  for (let i = 0; i < 12; i++) await log.append(makeBatch({ records: 2, fill: i }), { leaderEpoch: 0 });
  expect(log.segmentCount).toBe(4);
  return log;
}

describe('advancing the log start (DeleteRecords)', () => {
  it('offsets below the new start read as out of range and the segments wholly below it are deleted', async () => {
    const fs = new FaultyFileSystem();
    const log = await filledLog(fs);
    expect(await log.advanceLogStart(13n)).toBe(13n);
    expect(log.logStartOffset).toBe(13n);
    expect(await log.read(12n, 10_000)).toEqual({ ok: false, error: 'offset_out_of_range' });
    const read = await log.read(13n, 10_000);
    expect(read.ok && read.sizeBytes > 0).toBe(true);
    // Segments 0 and 6 lie wholly below 13; the one based at 12 still holds offset 13.
    expect(log.segmentCount).toBe(2);
    expect(fs.entries(dir).filter((n) => n.endsWith('.log'))).toEqual([
      '00000000000000000012.log',
      '00000000000000000018.log',
    ]);
    await log.close();
  });

  it('a start at or below the current one changes nothing', async () => {
    const log = await filledLog(new FaultyFileSystem());
    await log.advanceLogStart(7n);
    expect(await log.advanceLogStart(3n)).toBe(7n);
    expect(log.logStartOffset).toBe(7n);
    await log.close();
  });

  it('the start may reach the log end: the active segment stays, and appends continue after it', async () => {
    const log = await filledLog(new FaultyFileSystem());
    expect(await log.advanceLogStart(24n)).toBe(24n);
    expect(log.logStartOffset).toBe(24n);
    expect(log.segmentCount).toBe(1);
    expect((await log.append(makeBatch(), { leaderEpoch: 0 })).baseOffset).toBe(24n);
    expect(log.logStartOffset).toBe(24n);
    await log.close();
  });

  it('a start inside a segment survives a crash that loses every unsynced write', async () => {
    const fs = new FaultyFileSystem();
    const log = await filledLog(fs);
    await log.flush();
    await log.advanceLogStart(14n);
    const reopened = await openOn(fs.crash());
    expect(reopened.logStartOffset).toBe(14n);
    expect(await reopened.read(13n, 10_000)).toEqual({ ok: false, error: 'offset_out_of_range' });
    await reopened.close();
  });

  it('a follower truncation below the raised start restarts the log there, and a reopen keeps that start', async () => {
    const fs = new FaultyFileSystem();
    const log = await filledLog(fs);
    await log.advanceLogStart(14n);
    await log.truncateTo(10n);
    expect(log.logStartOffset).toBe(10n);
    expect(log.logEndOffset).toBe(10n);
    await log.close();
    const reopened = await openOn(fs);
    expect(reopened.logStartOffset).toBe(10n);
    await reopened.close();
  });
});

describe('openingLogStart', () => {
  it('takes the checkpoint inside the log, else the first base, never past the end', () => {
    expect(openingLogStart(null, 6n, 20n)).toBe(6n);
    expect(openingLogStart(3n, 6n, 20n)).toBe(6n);
    expect(openingLogStart(9n, 6n, 20n)).toBe(9n);
    expect(openingLogStart(25n, 6n, 20n)).toBe(20n);
  });
});

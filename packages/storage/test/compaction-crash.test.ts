import type { ManualClock } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { type PartitionLog, SimulatedCrashError } from '../src/index.ts';
import {
  keyedBatch,
  newClock,
  openCompacted,
  type Pair,
  partitionDir,
  type ReadRecord,
  readAllRecords,
} from './compaction-fixture.ts';
import { CrashAtFileSystem } from './crash-at-file-system.ts';
import { describeLog, endTxn, produceTxn, readCommitted } from './txn-compaction-fixture.ts';

const retentionMs = 60_000;

/**
 * A log whose next pass both drops superseded records and removes
 * tombstones (stamped by an earlier pass and now past their horizon), so a
 * mix of old and new segments would be visible: a resurrected value.
 */
async function preparedLog(): Promise<{ fs: CrashAtFileSystem; clock: ManualClock; log: PartitionLog }> {
  const fs = new CrashAtFileSystem();
  const clock = newClock();
  const log = await openCompacted(fs, clock, { deleteRetentionMs: retentionMs });
  for (let i = 0; i < 12; i++) {
    const pairs: Pair[] = [
      [`k${i % 4}`, `v${i}`],
      [`d${i % 3}`, `w${i}`],
    ];
    await log.append(keyedBatch(pairs), { leaderEpoch: i < 6 ? 1 : 2 });
  }
  await log.append(keyedBatch([['d0', null]]), { leaderEpoch: 2 });
  await log.roll();
  await log.compact({ highWatermark: log.logEndOffset });
  clock.advance(retentionMs + 1);
  for (let i = 0; i < 6; i++) await log.append(keyedBatch([[`k${i % 4}`, `x${i}`]]), { leaderEpoch: 3 });
  await log.roll();
  await log.flush();
  return { fs, clock, log };
}

function brief(records: readonly ReadRecord[]): string[] {
  return records.map((r) => `${r.offset}:${r.key}=${r.value}`);
}

describe('compaction crash safety', () => {
  it('the prepared pass removes superseded records and a due tombstone', async () => {
    const { log } = await preparedLog();
    const result = await log.compact({ highWatermark: log.logEndOffset });
    expect(result).toMatchObject({ ran: true, tombstonesRemoved: 1 });
    expect(brief(await readAllRecords(log)).some((r) => r.includes('d0'))).toBe(false);
  });

  it('a crash at every mutating step of a pass recovers to all-old or all-new segments, then finishes', async () => {
    const dry = await preparedLog();
    const before = brief(await readAllRecords(dry.log));
    const logEnd = dry.log.logEndOffset;
    const epochs = [1, 2, 3].map((e) => dry.log.endOffsetForEpoch(e));
    dry.fs.arm(Number.POSITIVE_INFINITY);
    await dry.log.compact({ highWatermark: logEnd });
    const after = brief(await readAllRecords(dry.log));
    const steps = dry.fs.ops;
    expect(after).not.toEqual(before);
    expect(steps).toBeGreaterThan(10);

    const outcomes = new Set<string>();
    for (let crashAt = 1; crashAt <= steps; crashAt++) {
      const { fs, clock, log } = await preparedLog();
      fs.arm(crashAt);
      await expect(log.compact({ highWatermark: logEnd })).rejects.toBeInstanceOf(SimulatedCrashError);
      const survivor = fs.survivor;
      expect(survivor).not.toBeNull();
      if (survivor === null) continue;

      const reopened = await openCompacted(survivor, clock, { deleteRetentionMs: retentionMs });
      const recovered = brief(await readAllRecords(reopened));
      expect([before, after], `crash before step ${crashAt} of ${steps}`).toContainEqual(recovered);
      outcomes.add(recovered === before || JSON.stringify(recovered) === JSON.stringify(before) ? 'old' : 'new');
      expect(reopened.logEndOffset).toBe(logEnd);
      expect([1, 2, 3].map((e) => reopened.endOffsetForEpoch(e))).toEqual(epochs);
      const leftovers = (await survivor.readdir(partitionDir)).filter((n) => n.startsWith('compaction'));
      expect(leftovers).toEqual([]);

      await reopened.compact({ highWatermark: logEnd });
      expect(brief(await readAllRecords(reopened))).toEqual(after);
      await reopened.close();
      const again = await openCompacted(survivor, clock, { deleteRetentionMs: retentionMs });
      expect(brief(await readAllRecords(again))).toEqual(after);
    }
    // Crashes before the commit point roll back, after it roll forward.
    expect(outcomes).toEqual(new Set(['old', 'new']));
  });
});

describe('compaction crash safety with transactions', () => {
  /**
   * The mixed log of compaction-transactions.test.ts, in the crashing file
   * system, after `passes` clean passes: pass 1 removes the aborted
   * record, pass 2 drops the aborted-transaction index entry and stamps
   * two markers, pass 3 (past the horizon) removes them.
   */
  async function transactionalLog(passes: number) {
    const fs = new CrashAtFileSystem();
    const clock = newClock();
    const log = await openCompacted(fs, clock, { deleteRetentionMs: retentionMs, segmentBytes: 1 << 20 });
    await produceTxn(log, 1n, 0, [
      ['k1', 'a1'],
      ['k2', 'a2'],
    ]);
    await endTxn(log, 1n, true);
    await produceTxn(log, 2n, 0, [['k1', 'aborted']]);
    await endTxn(log, 2n, false);
    await produceTxn(log, 2n, 1, [['k3', 'c3']]);
    await endTxn(log, 2n, true);
    await produceTxn(log, 1n, 2, [['k1', 'z1']]);
    await endTxn(log, 1n, true);
    await log.roll();
    for (let pass = 1; pass <= passes; pass++) {
      await log.compact({ highWatermark: log.logEndOffset });
      await log.append(keyedBatch([[`d${pass}`, 'x']]), { leaderEpoch: 1 });
      await log.roll();
      if (pass === 2) clock.advance(retentionMs);
    }
    await log.flush();
    return { fs, clock, log };
  }

  it('a crash at every mutating step of each pass loses no committed record and never shows an aborted one', async () => {
    for (const passesBefore of [0, 1, 2]) {
      const dry = await transactionalLog(passesBefore);
      const logEnd = dry.log.logEndOffset;
      const committedBefore = await readCommitted(dry.log);
      expect(committedBefore.some((r) => r.includes('aborted'))).toBe(false);
      const before = await describeLog(dry.log);
      dry.fs.arm(Number.POSITIVE_INFINITY);
      await dry.log.compact({ highWatermark: logEnd });
      const after = await describeLog(dry.log);
      expect(after, `pass ${passesBefore + 1} changes the log`).not.toEqual(before);
      // Compaction only drops superseded committed records: the latest committed value of each key stays.
      const committedAfter = await readCommitted(dry.log);
      expect(latestValues(committedAfter)).toEqual(latestValues(committedBefore));
      const steps = dry.fs.ops;

      for (let crashAt = 1; crashAt <= steps; crashAt++) {
        const { fs, clock, log } = await transactionalLog(passesBefore);
        fs.arm(crashAt);
        await expect(log.compact({ highWatermark: logEnd })).rejects.toBeInstanceOf(SimulatedCrashError);
        const survivor = fs.survivor;
        if (survivor === null) throw new Error('the crash left a file system');
        const reopened = await openCompacted(survivor, clock, {
          deleteRetentionMs: retentionMs,
          segmentBytes: 1 << 20,
        });
        const where = `pass ${passesBefore + 1}, crash before step ${crashAt} of ${steps}`;
        expect([before, after], where).toContainEqual(await describeLog(reopened));
        const committed = await readCommitted(reopened);
        expect(
          committed.some((r) => r.includes('aborted')),
          where,
        ).toBe(false);
        expect(latestValues(committed), where).toEqual(latestValues(committedBefore));
        expect(reopened.logEndOffset).toBe(logEnd);
        await reopened.close();
      }
    }
  });
});

/** Each key's last value in a read_committed view (`k=v@offset` lines). */
function latestValues(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^(.*?)=(.*)@\d+$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

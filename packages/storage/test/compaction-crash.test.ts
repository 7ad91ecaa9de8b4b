import type { ManualClock } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  FaultyFileSystem,
  type FileHandle,
  type FileStat,
  type FileSystem,
  type PartitionLog,
  SimulatedCrashError,
} from '../src/index.ts';
import {
  keyedBatch,
  newClock,
  openCompacted,
  type Pair,
  partitionDir,
  type ReadRecord,
  readAllRecords,
} from './compaction-fixture.ts';

/**
 * Delegates to a FaultyFileSystem and, once armed, loses power just before
 * the n-th mutating call (write, sync, rename, unlink, ...): `survivor` is
 * then what a reboot finds, and that call and every later one fail.
 */
class CrashAtFileSystem implements FileSystem {
  inner = new FaultyFileSystem();
  ops = 0;
  crashAt = Number.POSITIVE_INFINITY;
  survivor: FaultyFileSystem | null = null;

  arm(crashAt: number): void {
    this.ops = 0;
    this.crashAt = crashAt;
  }

  #step(): void {
    this.ops++;
    if (this.ops === this.crashAt) {
      this.survivor = this.inner.crash();
      throw new SimulatedCrashError(`crash before mutating call ${this.ops}`);
    }
  }

  async open(path: string): Promise<FileHandle> {
    const file = await this.inner.open(path);
    const step = () => this.#step();
    return {
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      write: async (data, position) => {
        step();
        await file.write(data, position);
      },
      writev: async (buffers, position) => {
        step();
        await file.writev(buffers, position);
      },
      truncate: async (length) => {
        step();
        await file.truncate(length);
      },
      sync: async () => {
        step();
        await file.sync();
      },
      close: () => file.close(),
    };
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  stat(path: string): Promise<FileStat | null> {
    return this.inner.stat(path);
  }
  async mkdirp(path: string): Promise<void> {
    this.#step();
    await this.inner.mkdirp(path);
  }
  async unlink(path: string): Promise<void> {
    this.#step();
    await this.inner.unlink(path);
  }
  async rename(from: string, to: string): Promise<void> {
    this.#step();
    await this.inner.rename(from, to);
  }
  async rmrf(path: string): Promise<void> {
    this.#step();
    await this.inner.rmrf(path);
  }
  async syncDirectory(path: string): Promise<void> {
    this.#step();
    await this.inner.syncDirectory(path);
  }
}

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

/**
 * ENOSPC and EIO at each write step of a partition log: the call that hit it
 * rejects with the errno, the log reports it once (onFailure) and refuses
 * further work, abandon() closes it writing nothing, and reopening the same
 * files (as the broker does once the directory is writable again) keeps
 * every acknowledged append and never a partial batch.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  defaultLogConfig,
  deleteSegmentsPastRetention,
  type FaultableOperation,
  FaultyFileSystem,
  type LogConfig,
  PartitionLog,
} from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';

const dir = '/data/topic-0';
const batchBytes = 161;
/** Five batches a segment, so the sixth append rolls. */
const config: LogConfig = { ...defaultLogConfig, indexIntervalBytes: 256, segmentBytes: 5 * batchBytes };

async function fills(log: PartitionLog): Promise<number[]> {
  const out: number[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, 1 << 20);
    if (!read.ok) throw new Error(`offset ${offset} out of range`);
    const batches = parseBatches(read.records);
    for (const b of batches) {
      expect(b.crcValid).toBe(true);
      out.push(b.fill ?? -1);
    }
    offset = (batches.at(-1)?.lastOffset ?? offset) + 1n;
  }
  return out;
}

interface Step {
  name: string;
  operation: FaultableOperation;
  pathSuffix: string;
  /** What runs into the fault, after `acked` appends were acknowledged. */
  run: (log: PartitionLog) => Promise<unknown>;
  config?: Partial<LogConfig>;
}

const steps: Step[] = [
  {
    name: 'appending (the log write)',
    operation: 'write',
    pathSuffix: '.log',
    run: (log) => log.append(makeBatch({ fill: 50 }), { leaderEpoch: 0 }),
  },
  {
    name: 'flushing on append (flush.messages=1: the fsync)',
    operation: 'sync',
    pathSuffix: '.log',
    run: (log) => log.append(makeBatch({ fill: 50 }), { leaderEpoch: 0 }),
    config: { flushMessages: 1 },
  },
  { name: 'flushing (the index write)', operation: 'write', pathSuffix: '.index', run: (log) => log.flush() },
  {
    name: 'rolling (the sealed segment fsync)',
    operation: 'sync',
    pathSuffix: '00000000000000000000.log',
    run: (log) => log.roll(),
  },
  {
    name: 'rolling (the new segment file)',
    operation: 'open',
    pathSuffix: '00000000000000000004.log',
    run: (log) => log.roll(),
  },
  {
    name: 'checkpointing producer state at a roll (the snapshot file)',
    operation: 'write',
    pathSuffix: '.snapshot.tmp',
    run: (log) => log.roll(),
  },
  {
    name: 'checkpointing the leader epoch cache (a new epoch)',
    operation: 'write',
    pathSuffix: 'leader-epoch-checkpoint.tmp',
    run: (log) => log.append(makeBatch({ fill: 50 }), { leaderEpoch: 1 }),
  },
];

describe('storage faults at each write step', () => {
  for (const code of ['ENOSPC', 'EIO'] as const) {
    for (const step of steps) {
      it(`${code} while ${step.name} rejects that call, poisons the log once, and a reopen keeps every acknowledged append`, async () => {
        const fs = new FaultyFileSystem();
        const clock = new ManualClock();
        const failures: unknown[] = [];
        const stepConfig = { ...config, ...step.config };
        const log = await PartitionLog.open({
          dir,
          config: stepConfig,
          fs,
          clock,
          logger: silentLogger(),
          onFailure: (error) => failures.push(error),
        });
        for (let i = 0; i < 4; i++) await log.append(makeBatch({ fill: i }), { leaderEpoch: 0 });
        fs.failNext(step.operation, step.pathSuffix, code);
        await expect(step.run(log)).rejects.toMatchObject({ code });
        expect(failures).toMatchObject([{ code }]);
        // Poisoned: reads and writes refuse with the same error until the log is reopened.
        await expect(log.append(makeBatch({ fill: 60 }), { leaderEpoch: 0 })).rejects.toMatchObject({ code });
        await expect(log.applyRetention()).rejects.toMatchObject({ code });
        expect(failures).toHaveLength(1);
        await log.abandon();

        const reopened = await PartitionLog.open({ dir, config: stepConfig, fs, clock, logger: silentLogger() });
        const kept = await fills(reopened);
        // The four acknowledged appends survive; the failed one may survive whole (it was never acknowledged).
        expect(kept.slice(0, 4)).toEqual([0, 1, 2, 3]);
        expect(kept.length === 4 || (kept.length === 5 && kept[4] === 50)).toBe(true);
        const next = await reopened.append(makeBatch({ fill: 70 }), { leaderEpoch: 2 });
        expect(next.baseOffset).toBe(BigInt(kept.length));
        await reopened.close();
      });
    }
  }

  it('a write that failed half way (a short write then ENOSPC) leaves a partial batch that the reopen cuts off', async () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock();
    const log = await PartitionLog.open({ dir, config, fs, clock, logger: silentLogger() });
    for (let i = 0; i < 3; i++) await log.append(makeBatch({ fill: i }), { leaderEpoch: 0 });
    fs.failNext('write', '.log', 'ENOSPC');
    await expect(log.append(makeBatch({ fill: 9 }), { leaderEpoch: 0 })).rejects.toMatchObject({ code: 'ENOSPC' });
    await log.abandon();
    // What a disk that filled up mid-write leaves: the first 70 bytes of the failed batch.
    const path = `${dir}/00000000000000000000.log`;
    const content = fs.content(path);
    if (content === null) throw new Error('segment missing');
    fs.setContent(path, Buffer.concat([content, makeBatch({ fill: 9 }).subarray(0, 70)]));

    const reopened = await PartitionLog.open({ dir, config, fs, clock, logger: silentLogger() });
    expect(reopened.logEndOffset).toBe(3n);
    expect(fs.content(path)?.length).toBe(3 * batchBytes);
    expect(await fills(reopened)).toEqual([0, 1, 2]);
    await reopened.close();
  });

  it('abandon() writes nothing: no clean-shutdown marker, no index or checkpoint write', async () => {
    const fs = new FaultyFileSystem();
    const log = await PartitionLog.open({ dir, config, fs, clock: new ManualClock(), logger: silentLogger() });
    await log.append(makeBatch({ fill: 1 }), { leaderEpoch: 0 });
    const writes = fs.writeCount + fs.writevCount;
    const syncs = fs.syncCount;
    await log.abandon();
    expect(fs.writeCount + fs.writevCount).toBe(writes);
    expect(fs.syncCount).toBe(syncs);
    expect(fs.content(`${dir}/.clean-shutdown`)).toBeNull();
    await expect(log.append(makeBatch(), { leaderEpoch: 0 })).rejects.toThrow(/abandoned/);
  });
});

describe('retention while the disk is full', () => {
  it('deleteSegmentsPastRetention deletes expired sealed segments of an abandoned log writing nothing, and the reopened log starts after them', async () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock();
    const retained: LogConfig = { ...config, retentionMs: 60_000 };
    const log = await PartitionLog.open({ dir, config: retained, fs, clock, logger: silentLogger() });
    const oldMs = BigInt(clock.nowMs());
    // Three full segments (offsets 0-14) of old records, then a newer active segment.
    for (let i = 0; i < 15; i++) await log.append(makeBatch({ fill: i, timestampMs: oldMs }), { leaderEpoch: 0 });
    clock.advance(120_000);
    const newMs = BigInt(clock.nowMs());
    await log.append(makeBatch({ fill: 15, timestampMs: newMs }), { leaderEpoch: 0 });
    fs.failNext('write', '.log', 'ENOSPC');
    await expect(log.append(makeBatch({ fill: 16 }), { leaderEpoch: 0 })).rejects.toMatchObject({ code: 'ENOSPC' });
    await log.abandon();

    const writes = fs.writeCount + fs.writevCount;
    const freed = await deleteSegmentsPastRetention({ dir, config: retained, fs, nowMs: clock.nowMs() });
    expect(freed).toEqual({ deletedSegments: 3, freedBytes: expect.any(Number) });
    expect(freed.freedBytes).toBeGreaterThanOrEqual(15 * batchBytes);
    expect(fs.writeCount + fs.writevCount).toBe(writes);

    const reopened = await PartitionLog.open({ dir, config: retained, fs, clock, logger: silentLogger() });
    expect(reopened.logStartOffset).toBe(15n);
    expect(await fills(reopened)).toEqual([15]);
    expect((await reopened.append(makeBatch({ fill: 17 }), { leaderEpoch: 0 })).baseOffset).toBe(16n);
    await reopened.close();
  });
});

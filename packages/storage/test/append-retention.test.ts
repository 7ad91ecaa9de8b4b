/**
 * What a partition log keeps of an append once it is written: nothing. A
 * broker hands the log views into whole Produce request frames (often ~1 MB
 * each); a log that kept the last append group's entries held one frame per
 * idle partition (BENCHMARKS.md, Scale: ~1 GB with 1,000 partitions).
 * The check asks V8 itself: a WeakRef to the frame's memory, a forced
 * collection, and the frame must be gone.
 */
// Not a delay: a WeakRef's target is kept alive until the current job ends (ECMAScript's KeepDuringJob),
// so one macrotask turn must pass before a collection can clear it.
import { setImmediate as macrotask } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, PartitionLog } from '../src/index.ts';
import { makeBatch } from './batch-fixture.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const frameBytes = 1 << 20;

/** Appends one batch that lives inside a 1 MiB "request frame"; returns a weak reference to the frame's memory. */
async function appendFromFrame(log: PartitionLog, fill: number): Promise<WeakRef<ArrayBuffer>> {
  const frame = Buffer.alloc(frameBytes);
  const batch = makeBatch({ fill });
  batch.copy(frame, 64);
  await log.append(frame.subarray(64, 64 + batch.length), { leaderEpoch: 0 });
  return new WeakRef(frame.buffer);
}

async function openLog(): Promise<PartitionLog> {
  return PartitionLog.open({
    dir: '/data/topic-0',
    config: defaultLogConfig,
    fs: new FaultyFileSystem(),
    clock: new ManualClock(1_700_000_000_000),
    logger: silentLogger(),
  });
}

describe('a written append leaves nothing of its buffer behind', () => {
  it('the request frame of the last append to an idle partition can be collected', async () => {
    const log = await openLog();
    const frame = await appendFromFrame(log, 1);
    await macrotask();
    collectGarbage();
    expect(frame.deref()).toBeUndefined();
    expect(log.logEndOffset).toBe(1n);
    await log.close();
  });

  it('appends queued together release every frame once their group is written', async () => {
    const log = await openLog();
    const frames = await Promise.all([1, 2, 3].map((fill) => appendFromFrame(log, fill)));
    await macrotask();
    collectGarbage();
    expect(frames.map((f) => f.deref())).toEqual([undefined, undefined, undefined]);
    expect(log.logEndOffset).toBe(3n);
    await log.close();
  });
});

import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  defaultLogConfig,
  FaultyFileSystem,
  type LogConfig,
  leaderEpochCheckpointFileName,
  PartitionLog,
  SimulatedCrashError,
} from '../src/index.ts';
import { makeBatch } from './batch-fixture.ts';

const partitionDir = '/data/topic-0';
const checkpointPath = `${partitionDir}/${leaderEpochCheckpointFileName}`;
const kipCheckpoint = '0\n3\n0 0\n2 10\n5 30\n';
const kipEpochs = [
  [0, 10n],
  [2, 30n],
  [5, 50n],
];

/** Counts checkpoint replacements (each is one rename of the temp file). */
class RenameCountingFileSystem extends FaultyFileSystem {
  renames = 0;
  override async rename(from: string, to: string): Promise<void> {
    this.renames++;
    await super.rename(from, to);
  }
}

async function openOn(fs: FaultyFileSystem, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir: partitionDir,
    config: { ...defaultLogConfig, retentionMs: -1, ...config },
    fs,
    clock: new ManualClock(),
    logger: silentLogger(),
  });
}

/** Ten 5-record batches: epoch 0 at offsets 0-9, epoch 2 at 10-29, epoch 5 at 30-49 (log end 50). */
async function appendKipLog(
  log: PartitionLog,
  options: { bigBatchBytes?: number; rollBefore?: number } = {},
): Promise<void> {
  const epochs = [0, 0, 2, 2, 2, 2, 5, 5, 5, 5];
  for (const [i, leaderEpoch] of epochs.entries()) {
    if (i === options.rollBefore) await log.roll();
    const payloadBytes = i === 4 && options.bigBatchBytes !== undefined ? options.bigBatchBytes : 100;
    await log.append(makeBatch({ records: 5, fill: i, payloadBytes }), { leaderEpoch });
  }
}

function checkpointText(fs: FaultyFileSystem): string | undefined {
  return fs.content(checkpointPath)?.toString('utf8');
}

/** [epoch, endOffset] for every epoch the log knows, as OffsetForLeaderEpoch reports them. */
function knownEpochs(log: PartitionLog): [number, bigint][] {
  const out: [number, bigint][] = [];
  for (let epoch = 0; epoch <= log.latestEpoch; epoch++) {
    const answer = log.endOffsetForEpoch(epoch);
    if (answer.epoch === epoch) out.push([epoch, answer.endOffset]);
  }
  return out;
}

describe('PartitionLog leader epochs', () => {
  it('answers OffsetForLeaderEpoch from the epochs appends stamped, checkpointing only when the epoch changes', async () => {
    const fs = new RenameCountingFileSystem();
    const log = await openOn(fs);
    expect(log.latestEpoch).toBe(-1);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1n });
    await appendKipLog(log);

    expect(log.latestEpoch).toBe(5);
    expect(fs.renames).toBe(3);
    expect(checkpointText(fs)).toBe(kipCheckpoint);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 10n });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 10n });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 2, endOffset: 30n });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 50n });
    expect(log.endOffsetForEpoch(6)).toEqual({ epoch: 5, endOffset: 50n });
    // An append of an older epoch (a stale leader the broker did not fence) starts nothing.
    await log.append(makeBatch(), { leaderEpoch: 3 });
    expect(fs.renames).toBe(3);
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 51n });
    await log.close();
  });

  it('keeps the epochs across close and reopen', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log);
    await log.close();
    const reopened = await openOn(fs);
    expect(knownEpochs(reopened)).toEqual(kipEpochs);
    expect(reopened.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 30n });
    await reopened.close();
  });

  it('rebuilds a missing checkpoint from the batch headers, across segments and a batch larger than a read', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log, { bigBatchBytes: 1200 * 1024, rollBefore: 7 });
    expect(log.segmentCount).toBe(2);
    await log.close();
    await fs.unlink(checkpointPath);

    const reopened = await openOn(fs);
    expect(knownEpochs(reopened)).toEqual(kipEpochs);
    expect(checkpointText(fs)).toBe(kipCheckpoint);
    await reopened.close();
  });

  it('rebuilds a garbage checkpoint from the log after a crash', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log);
    await log.flush();
    const after = fs.crash();
    after.setContent(checkpointPath, Buffer.from('0\n3\n0 0\n2 10\n5 3', 'utf8'));

    const reopened = await openOn(after);
    expect(reopened.latestEpoch).toBe(5);
    expect(reopened.endOffsetForEpoch(4)).toEqual({ epoch: 2, endOffset: 30n });
    expect(checkpointText(after)).toBe(kipCheckpoint);
    await reopened.close();
  });

  it('a crash after a new epoch is checkpointed but before its batch is written forgets that epoch on open', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log);
    await log.flush();
    fs.tearNextWrite({ pathSuffix: '.log', keepBytes: 0 });
    await expect(log.append(makeBatch(), { leaderEpoch: 7 })).rejects.toBeInstanceOf(SimulatedCrashError);
    const after = fs.crash();
    expect(checkpointText(after)).toBe('0\n4\n0 0\n2 10\n5 30\n7 50\n');

    const reopened = await openOn(after);
    expect(reopened.logEndOffset).toBe(50n);
    expect(reopened.latestEpoch).toBe(5);
    expect(checkpointText(after)).toBe(kipCheckpoint);
    await reopened.append(makeBatch(), { leaderEpoch: 8 });
    expect(reopened.endOffsetForEpoch(7)).toEqual({ epoch: 5, endOffset: 50n });
    await reopened.close();
  });

  it('truncateTo drops later epochs, and a new epoch appended afterwards starts at the truncation point', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log);
    await log.truncateTo(25n);
    expect(log.logEndOffset).toBe(25n);
    expect(log.latestEpoch).toBe(2);
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 2, endOffset: 25n });
    expect(checkpointText(fs)).toBe('0\n2\n0 0\n2 10\n');

    await log.append(makeBatch({ records: 5 }), { leaderEpoch: 6 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 25n });
    expect(log.endOffsetForEpoch(6)).toEqual({ epoch: 6, endOffset: 30n });
    await log.close();
    const reopened = await openOn(fs);
    expect(knownEpochs(reopened)).toEqual([
      [0, 10n],
      [2, 25n],
      [6, 30n],
    ]);
    await reopened.close();
  });

  it('truncateTo below the log start forgets every epoch', async () => {
    const fs = new FaultyFileSystem();
    const log = await openOn(fs);
    await appendKipLog(log);
    await log.truncateTo(0n);
    expect(log.latestEpoch).toBe(-1);
    await log.append(makeBatch(), { leaderEpoch: 9 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: -1, endOffset: -1n });
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 9, endOffset: 1n });
    await log.close();
  });

  it('retention moves the epoch holding the new log start onto it; older epochs answer undefined', async () => {
    const fs = new FaultyFileSystem();
    // Four 161-byte batches (20 offsets) per segment; 700 bytes of retention deletes only offsets 0-19.
    const config = { segmentBytes: 4 * 161, retentionBytes: 700 };
    const log = await openOn(fs, config);
    await appendKipLog(log);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 1 });
    expect(log.logStartOffset).toBe(20n);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1n });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 30n });
    expect(checkpointText(fs)).toBe('0\n2\n2 20\n5 30\n');
    await log.close();

    const reopened = await openOn(fs, config);
    expect(knownEpochs(reopened)).toEqual([
      [2, 30n],
      [5, 50n],
    ]);
    expect(reopened.endOffsetForEpoch(1)).toEqual({ epoch: -1, endOffset: -1n });
    expect(checkpointText(fs)).toBe('0\n2\n2 20\n5 30\n');
    await reopened.close();
  });
});

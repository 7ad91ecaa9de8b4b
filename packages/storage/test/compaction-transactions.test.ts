/**
 * Compaction of a log with transactions, on real files: aborted records
 * go (and never shadow a committed value), committed ones are compacted by
 * key, markers stay while their transaction has batches and go a delete
 * horizon after, an open transaction is never cleaned, a producer's last
 * batch stays (emptied), and producer state rebuilt from the cleaned log
 * matches the state before cleaning.
 */
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManualClock, silentLogger } from '@runnel/common';
import { isTransactional } from '@runnel/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogConfig, nodeFileSystem, PartitionLog } from '../src/index.ts';
import { compactedConfig, keyedBatch, newClock } from './compaction-fixture.ts';
import { batchHeaderAt, describeLog, endTxn, produceTxn } from './txn-compaction-fixture.ts';

const retentionMs = 60_000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-txn-compaction-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(clock: ManualClock, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    config: { ...compactedConfig, segmentBytes: 1 << 20, deleteRetentionMs: retentionMs, ...config },
    fs: nodeFileSystem,
    clock,
    logger: silentLogger(),
  });
}

/**
 * P1 commits k1,k2 (0-1, marker 2); P2 aborts k1 (3, marker 4) then
 * commits k3 (5, marker 6); a plain k2 (7); P1 commits k1,k2 again (8-9,
 * marker 10). All sealed, nothing open.
 */
async function mixedLog(clock: ManualClock): Promise<PartitionLog> {
  const log = await open(clock);
  await produceTxn(log, 1n, 0, [
    ['k1', 'a1'],
    ['k2', 'a2'],
  ]);
  expect(await endTxn(log, 1n, true)).toBe(2n);
  await produceTxn(log, 2n, 0, [['k1', 'aborted']]);
  expect(await endTxn(log, 2n, false)).toBe(4n);
  await produceTxn(log, 2n, 1, [['k3', 'c3']]);
  expect(await endTxn(log, 2n, true)).toBe(6n);
  await log.append(keyedBatch([['k2', 'n2']]), { leaderEpoch: 1 });
  await produceTxn(log, 1n, 2, [
    ['k1', 'z1'],
    ['k2', 'z2'],
  ]);
  expect(await endTxn(log, 1n, true)).toBe(10n);
  await log.roll();
  return log;
}

/** New dirty data in a sealed segment, so the next pass runs over the whole log again. */
async function dirty(log: PartitionLog, key: string): Promise<void> {
  await log.append(keyedBatch([[key, 'x']]), { leaderEpoch: 1 });
  await log.roll();
}

describe('compaction with transactions', () => {
  it('removes aborted records and superseded committed ones; markers go only once their batches are gone and a horizon passed', async () => {
    const clock = newClock();
    const log = await mixedLog(clock);
    expect(log.abortedTransactions(0n, log.logEndOffset)).toEqual([{ producerId: 2n, firstOffset: 3n }]);

    const first = await log.compact({ highWatermark: log.logEndOffset });
    expect(first).toMatchObject({ ran: true, abortedRecordsRemoved: 1, markersRemoved: 0 });
    // The aborted k1 never shadowed a committed value; every marker stays (this pass met a batch of each).
    expect(await describeLog(log)).toEqual([
      'COMMIT P1@2',
      'ABORT P2@4',
      'P2:k3=c3@5',
      'COMMIT P2@6',
      'P1:k1=z1@8',
      'P1:k2=z2@9',
      'COMMIT P1@10',
    ]);
    expect(log.abortedTransactions(0n, log.logEndOffset)).toEqual([{ producerId: 2n, firstOffset: 3n }]);

    await dirty(log, 'd1');
    const second = await log.compact({ highWatermark: log.logEndOffset });
    expect(second).toMatchObject({ ran: true, markersRemoved: 0 });
    // No batch of P1's first or P2's aborted transaction is left: their markers get a delete horizon.
    expect(await describeLog(log)).toEqual([
      'COMMIT P1@2+horizon',
      'ABORT P2@4+horizon',
      'P2:k3=c3@5',
      'COMMIT P2@6',
      'P1:k1=z1@8',
      'P1:k2=z2@9',
      'COMMIT P1@10',
      'd1=x@11',
    ]);
    // Nothing of the aborted transaction is left to filter, so its index entry went.
    expect(log.abortedTransactions(0n, log.logEndOffset)).toEqual([]);

    // Before the horizon a pass (there is nothing dirty) does not run; at it, one runs and drops both markers.
    clock.advance(retentionMs - 1);
    expect(await log.compact({ highWatermark: log.logEndOffset })).toMatchObject({ ran: false });
    clock.advance(1);
    const third = await log.compact({ highWatermark: log.logEndOffset });
    expect(third).toMatchObject({ ran: true, markersRemoved: 2, recordsRemoved: 0 });
    expect(await describeLog(log)).toEqual([
      'P2:k3=c3@5',
      'COMMIT P2@6',
      'P1:k1=z1@8',
      'P1:k2=z2@9',
      'COMMIT P1@10',
      'd1=x@11',
    ]);
    await log.close();
  });

  it("an open transaction's batches and everything after them are not cleaned; once committed, its producer's last batch stays as an empty batch", async () => {
    const clock = newClock();
    const log = await open(clock);
    await log.append(keyedBatch([['k', 'v1']]), { leaderEpoch: 1 });
    await log.roll();
    await produceTxn(log, 3n, 0, [['k', 'open']]);
    await log.roll();
    await log.append(keyedBatch([['k', 'v3']]), { leaderEpoch: 1 });
    await log.roll();
    expect(log.firstUnstableOffset).toBe(1n);

    await log.compact({ highWatermark: log.logEndOffset });
    expect(await describeLog(log)).toEqual(['k=v1@0', 'P3:k=open@1', 'k=v3@2']);

    expect(await endTxn(log, 3n, true)).toBe(3n);
    await log.roll();
    expect(log.firstUnstableOffset).toBe(null);
    expect(await log.compact({ highWatermark: log.logEndOffset })).toMatchObject({ ran: true, recordsRemoved: 2 });
    // P3's only batch is its last: kept without records, with its producer fields, so its marker stays too.
    expect(await describeLog(log)).toEqual(['EMPTY P3@1-1', 'k=v3@2', 'COMMIT P3@3']);
    const shell = await batchHeaderAt(log, 1n);
    expect(shell).toMatchObject({ producerId: 3n, producerEpoch: 0, baseSequence: 0, recordCount: 0 });
    expect(isTransactional(shell.attributes)).toBe(true);
    await log.close();
  });

  it("an aborted batch that is its producer's last stays as an empty batch, so its marker and index entry stay too (as in Kafka)", async () => {
    const clock = newClock();
    const log = await open(clock);
    await log.append(keyedBatch([['k', 'v0']]), { leaderEpoch: 1 });
    await produceTxn(log, 4n, 0, [
      ['k', 'aborted'],
      ['j', 'aborted'],
    ]);
    expect(await endTxn(log, 4n, false)).toBe(3n);
    await log.roll();
    for (let pass = 1; pass <= 3; pass++) {
      const result = await log.compact({ highWatermark: log.logEndOffset });
      expect(result, `pass ${pass}`).toMatchObject({ ran: true });
      const padding = Array.from({ length: pass - 1 }, (_, i) => `d${i + 1}=x@${4 + i}`);
      expect(await describeLog(log), `pass ${pass}`).toEqual(['k=v0@0', 'EMPTY P4@1-2', 'ABORT P4@3', ...padding]);
      expect(log.abortedTransactions(0n, log.logEndOffset)).toEqual([{ producerId: 4n, firstOffset: 1n }]);
      await dirty(log, `d${pass}`);
      clock.advance(retentionMs);
    }
    await log.close();
  });

  it('producer state rebuilt from the cleaned log (snapshots deleted) is the state before cleaning; no committed record is lost on reopen', async () => {
    const clock = newClock();
    const log = await mixedLog(clock);
    const before = [1n, 2n].map((id) => log.producer(id));
    await log.compact({ highWatermark: log.logEndOffset });
    await dirty(log, 'd1');
    await log.compact({ highWatermark: log.logEndOffset });
    const cleaned = await describeLog(log);
    await log.close();

    for (const name of await readdir(dir)) if (name.endsWith('.snapshot')) await unlink(join(dir, name));
    const reopened = await open(clock);
    expect(await describeLog(reopened)).toEqual(cleaned);
    expect(reopened.firstUnstableOffset).toBe(null);
    const after = [1n, 2n].map((id) => reopened.producer(id));
    // Epochs and each producer's last sequence and offset survive; older batches' dedupe metadata may not.
    for (const [i, entry] of after.entries()) {
      expect(entry?.epoch).toBe(before[i]?.epoch);
      expect(entry?.batches.at(-1)).toEqual(before[i]?.batches.at(-1));
      expect(entry?.currentTxnFirstOffset).toBe(null);
    }
    // The next sequence of each producer is still accepted.
    await produceTxn(reopened, 1n, 4, [['k1', 'next']]);
    await produceTxn(reopened, 2n, 2, [['k3', 'next']]);
    await reopened.close();
  });
});

/**
 * Transaction markers in PartitionLog (in-memory FaultyFileSystem): they
 * close the producer's open transaction, aborts enter the per-segment
 * `.txnindex` (Kafka's 34-byte entries), and the index follows the log
 * through restart, crash, truncation and retention.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { abortedTxnEntryBytes, decodeAbortedTxns, txnIndexFileName } from '../src/aborted-txn-index.ts';
import { defaultLogConfig, FaultyFileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { GatedFileSystem } from './gated-file-system.ts';
import { markerBatch, producerBatch } from './producer-fixture.ts';

const dir = '/data/t-0';

async function open(fs: FaultyFileSystem, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    config: { ...defaultLogConfig, ...config },
    fs,
    clock: new ManualClock(),
    logger: silentLogger(),
  });
}

/** A transactional batch of one record from `producerId`, appended as a client's; returns its offset. */
async function txnRecord(log: PartitionLog, producerId: bigint, seq: number): Promise<bigint> {
  const r = await log.appendFromClient(producerBatch({ producerId, epoch: 0, seq, transactional: true }), {
    leaderEpoch: 1,
  });
  if (!r.ok || r.value.duplicate) throw new Error(`not appended: ${JSON.stringify(r)}`);
  return r.value.baseOffset;
}

/** A marker appended as the partition leader writes it for the coordinator; returns its offset. */
async function marker(log: PartitionLog, producerId: bigint, commit: boolean): Promise<bigint> {
  const r = await log.append(markerBatch({ producerId, epoch: 0, commit, coordinatorEpoch: 7 }), { leaderEpoch: 1 });
  return r.baseOffset;
}

function txnIndexAt(fs: FaultyFileSystem, base: bigint): ReturnType<typeof decodeAbortedTxns> | null {
  const content = fs.content(`${dir}/${txnIndexFileName(base)}`);
  return content === null ? null : decodeAbortedTxns(content);
}

/** Producer 1 writes 0,1 and commits at 3; producer 2 writes 2 and aborts at 4. */
async function twoTransactions(log: PartitionLog): Promise<void> {
  await txnRecord(log, 1n, 0);
  await txnRecord(log, 1n, 1);
  await txnRecord(log, 2n, 0);
  await marker(log, 1n, true);
  await marker(log, 2n, false);
}

/** Holds the next rename onto a `.txnindex` (the last step of an index write) until released. */
class HeldTxnIndexFileSystem extends FaultyFileSystem {
  #holding = false;
  #reached: () => void = () => {};
  #release: () => void = () => {};
  /** Resolves once a `.txnindex` write is held. */
  reached: Promise<void> = Promise.resolve();

  hold(): void {
    this.#holding = true;
    this.reached = new Promise((resolve) => {
      this.#reached = resolve;
    });
  }

  release(): void {
    this.#holding = false;
    this.#release();
  }

  override async rename(from: string, to: string): Promise<void> {
    if (this.#holding && to.endsWith('.txnindex')) {
      const released = new Promise<void>((resolve) => {
        this.#release = resolve;
      });
      this.#reached();
      await released;
    }
    return super.rename(from, to);
  }
}

describe('transaction markers and the aborted-transaction index', () => {
  it('while an abort’s index entry is being written the last stable offset stays at its transaction: no reader sees it unlisted', async () => {
    const fs = new HeldTxnIndexFileSystem();
    const log = await open(fs);
    await txnRecord(log, 1n, 0);
    await txnRecord(log, 1n, 1);
    fs.hold();
    const abort = marker(log, 1n, false);
    await fs.reached;
    // The producer table has closed the transaction while its .txnindex write waits: the last stable offset
    // stays at the transaction (Kafka's rule: until the high watermark passes the marker), and readers'
    // in-memory index already lists the abort.
    expect(log.producer(1n)?.currentTxnFirstOffset).toBeNull();
    expect(log.lastStableOffset(2n)).toBe(0n);
    expect(log.abortedTransactions(0n, 2n)).toEqual([{ producerId: 1n, firstOffset: 0n }]);
    fs.release();
    expect(await abort).toBe(2n);
    expect(log.abortedTransactions(0n, 3n)).toEqual([{ producerId: 1n, firstOffset: 0n }]);
    expect(log.lastStableOffset(2n)).toBe(0n);
    expect(log.lastStableOffset(3n)).toBe(3n);
  });

  it('open transactions hold the first unstable offset; a commit and an abort marker close them', async () => {
    const log = await open(new FaultyFileSystem());
    expect(log.firstUnstableOffset).toBeNull();
    await txnRecord(log, 1n, 0);
    await txnRecord(log, 2n, 0);
    expect(log.producer(1n)?.currentTxnFirstOffset).toBe(0n);
    expect(log.firstUnstableOffset).toBe(0n);
    expect(await marker(log, 1n, true)).toBe(2n);
    expect(log.producer(1n)).toMatchObject({ currentTxnFirstOffset: null, coordinatorEpoch: 7 });
    expect(log.firstUnstableOffset).toBe(1n);
    expect(await marker(log, 2n, false)).toBe(3n);
    expect(log.producer(2n)?.currentTxnFirstOffset).toBeNull();
    expect(log.firstUnstableOffset).toBeNull();
    // A later transactional batch opens a new transaction at its own offset.
    await txnRecord(log, 1n, 1);
    expect(log.firstUnstableOffset).toBe(4n);
  });

  it('a reader never finds an abort’s transaction closed but missing from the index while its entry is being written', async () => {
    // Found by the exactly-once simulation: the table closed the transaction (the LSO passed its records) while
    // the .txnindex write was in flight, and a read_committed fetch in that window took aborted records for committed.
    const fs = new GatedFileSystem();
    const log = await open(fs);
    await txnRecord(log, 1n, 0);
    fs.holdRenames();
    const aborting = marker(log, 1n, false);
    await fs.renameHeld;
    expect(log.firstUnstableOffset).toBeNull();
    expect(log.abortedTransactions(0n, 1n)).toEqual([{ producerId: 1n, firstOffset: 0n }]);
    fs.release();
    expect(await aborting).toBe(1n);
    expect(log.abortedTransactions(0n, 1n)).toEqual([{ producerId: 1n, firstOffset: 0n }]);
  });

  it('an abort enters the segment’s .txnindex as one 34-byte entry; a commit does not', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await twoTransactions(log);
    const file = fs.content(`${dir}/${txnIndexFileName(0n)}`);
    expect(file?.length).toBe(abortedTxnEntryBytes);
    expect(file?.readInt16BE(0)).toBe(0);
    // Nothing else is open once producer 2's marker is stored, so the LSO right after it is marker + 1.
    expect(txnIndexAt(fs, 0n)).toEqual([{ producerId: 2n, firstOffset: 2n, lastOffset: 4n, lastStableOffset: 5n }]);
    expect(log.abortedTransactions(0n, 5n)).toEqual([{ producerId: 2n, firstOffset: 2n }]);
    // A fetch wholly before the aborted transaction, or after its marker, is told of nothing.
    expect(log.abortedTransactions(0n, 2n)).toEqual([]);
    expect(log.abortedTransactions(5n, 6n)).toEqual([]);
  });

  it('the lastStableOffset of an abort entry is the first offset of a transaction still open', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await txnRecord(log, 1n, 0);
    await txnRecord(log, 2n, 0);
    await marker(log, 2n, false);
    expect(txnIndexAt(fs, 0n)).toEqual([{ producerId: 2n, firstOffset: 1n, lastOffset: 2n, lastStableOffset: 0n }]);
  });

  it('each abort goes to the index file of the segment that holds its marker', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await txnRecord(log, 1n, 0);
    await marker(log, 1n, false);
    await log.roll();
    await txnRecord(log, 1n, 1);
    await marker(log, 1n, false);
    expect(txnIndexAt(fs, 0n)).toEqual([{ producerId: 1n, firstOffset: 0n, lastOffset: 1n, lastStableOffset: 2n }]);
    expect(txnIndexAt(fs, 2n)).toEqual([{ producerId: 1n, firstOffset: 2n, lastOffset: 3n, lastStableOffset: 4n }]);
    expect(log.abortedTransactions(0n, 4n)).toEqual([
      { producerId: 1n, firstOffset: 0n },
      { producerId: 1n, firstOffset: 2n },
    ]);
  });

  it('the index survives a close and reopen unchanged', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await twoTransactions(log);
    await log.close();
    const reopened = await open(fs);
    expect(reopened.abortedTransactions(0n, 5n)).toEqual([{ producerId: 2n, firstOffset: 2n }]);
    expect(txnIndexAt(fs, 0n)).toHaveLength(1);
    expect(reopened.firstUnstableOffset).toBeNull();
  });

  it('after a crash the replay re-derives the entries of durable markers without doubling them', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs, { flushMessages: 1 });
    await twoTransactions(log);
    const crashed = fs.crash();
    // No snapshot yet: the reopen replays the whole log, meeting the abort marker again.
    expect(crashed.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([]);
    const reopened = await open(crashed);
    expect(reopened.logEndOffset).toBe(5n);
    expect(txnIndexAt(crashed, 0n)).toEqual([
      { producerId: 2n, firstOffset: 2n, lastOffset: 4n, lastStableOffset: 5n },
    ]);
  });

  it('a lost .txnindex is rebuilt by the replay of a crash recovery', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs, { flushMessages: 1 });
    await twoTransactions(log);
    const crashed = fs.crash();
    await crashed.unlink(`${dir}/${txnIndexFileName(0n)}`);
    const reopened = await open(crashed);
    expect(reopened.abortedTransactions(0n, 5n)).toEqual([{ producerId: 2n, firstOffset: 2n }]);
    expect(txnIndexAt(crashed, 0n)).toHaveLength(1);
  });

  it('a crash that loses the abort marker’s write (torn tail) drops its entry and the transaction is open again', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs, { flushMessages: 1 });
    await txnRecord(log, 2n, 0);
    // The index entry is written first; the power fails before the marker reaches the log.
    fs.crashBefore('write', '.log');
    await expect(marker(log, 2n, false)).rejects.toThrow();
    const crashed = fs.crash();
    expect(txnIndexAt(crashed, 0n)).toHaveLength(1);
    const reopened = await open(crashed);
    expect(reopened.logEndOffset).toBe(1n);
    expect(reopened.abortedTransactions(0n, 10n)).toEqual([]);
    expect(txnIndexAt(crashed, 0n)).toBeNull();
    expect(reopened.firstUnstableOffset).toBe(0n);
  });

  it('truncation below an abort marker removes its entry and reopens the transaction', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await twoTransactions(log);
    await log.truncateTo(4n);
    expect(log.abortedTransactions(0n, 10n)).toEqual([]);
    expect(txnIndexAt(fs, 0n)).toBeNull();
    expect(log.firstUnstableOffset).toBe(2n);
    // The follower then copies a commit instead: nothing aborted.
    await marker(log, 2n, true);
    expect(log.firstUnstableOffset).toBeNull();
    expect(log.abortedTransactions(0n, 10n)).toEqual([]);
  });

  it('retention deletes a segment’s .txnindex with the segment', async () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock();
    const log = await PartitionLog.open({
      dir,
      config: { ...defaultLogConfig, retentionMs: 1000 },
      fs,
      clock,
      logger: silentLogger(),
    });
    await txnRecord(log, 1n, 0);
    await marker(log, 1n, false);
    await log.roll();
    await txnRecord(log, 3n, 0);
    expect(txnIndexAt(fs, 0n)).toHaveLength(1);
    clock.advance(1_800_000_000_000);
    expect(await log.applyRetention()).toEqual({ deletedSegments: 1 });
    expect(txnIndexAt(fs, 0n)).toBeNull();
    expect(log.abortedTransactions(0n, 10n)).toEqual([]);
  });
});

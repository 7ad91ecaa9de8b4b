/**
 * The transactional checker on hand-made histories: a clean one passes, and
 * each anomaly trips its own report (and only the ones it implies).
 */
import { describe, expect, it } from 'vitest';
import { checkTxnHistory, describeTxnResult, txnViolations } from './txn-checker.ts';
import type { TxnHistory, TxnOp, TxnRead, TxnWrite } from './txn-history.ts';

const w = (id: number, partition: string, ackedOffset?: bigint, source?: number): TxnWrite => ({
  id,
  partition,
  ...(ackedOffset === undefined ? {} : { ackedOffset }),
  ...(source === undefined ? {} : { source }),
});
const txn = (name: string, producer: string, outcome: TxnOp['outcome'], writes: TxnWrite[]): TxnOp => ({
  txn: name,
  producer,
  writes,
  outcome,
});
const rec = (reader: string, partition: string, offset: bigint, id: number, source?: number): TxnRead => ({
  reader,
  partition,
  offset,
  id,
  ...(source === undefined ? {} : { source }),
});
const fin = (partition: string, offset: bigint, id: number, source?: number): TxnRead =>
  rec('final', partition, offset, id, source);

/**
 * Producer a commits T1 (1, 2) and T3 (5, 6); producer b's T2 (3, 4) is
 * aborted (its records hold offset 1, its markers offset 2); copier c copies
 * 1 and 2 to out/0 in C1 and commits in/0 and in/1 up to offset 1. Reader
 * r1 reads both input partitions.
 */
function clean(): TxnHistory {
  return {
    txns: [
      txn('T1', 'a', 'committed', [w(1, 'in/0', 0n), w(2, 'in/1', 0n)]),
      txn('T2', 'b', 'aborted', [w(3, 'in/0', 1n), w(4, 'in/1', 1n)]),
      txn('T3', 'a', 'committed', [w(5, 'in/0', 3n), w(6, 'in/1', 3n)]),
      {
        ...txn('C1', 'c', 'committed', [w(10, 'out/0', 0n, 1), w(11, 'out/0', 1n, 2)]),
        offsets: [
          { partition: 'in/0', offset: 1n },
          { partition: 'in/1', offset: 1n },
        ],
      },
    ],
    reads: [rec('r1', 'in/0', 0n, 1), rec('r1', 'in/1', 0n, 2), rec('r1', 'in/0', 3n, 5), rec('r1', 'in/1', 3n, 6)],
    finalRead: [
      fin('in/0', 0n, 1),
      fin('in/0', 3n, 5),
      fin('in/1', 0n, 2),
      fin('in/1', 3n, 6),
      fin('out/0', 0n, 10, 1),
      fin('out/0', 1n, 11, 2),
    ],
    committedOffsets: [
      { partition: 'in/0', offset: 1n },
      { partition: 'in/1', offset: 1n },
    ],
  };
}

describe('transactional checker', () => {
  it('a consistent history passes with correct counts and no anomalies', () => {
    const result = checkTxnHistory(clean());
    expect(txnViolations(result)).toEqual([]);
    expect(result.writeCycles).toEqual([]);
    expect(result.counts).toEqual({
      committed: 3,
      aborted: 1,
      unknown: 0,
      unknownVisible: 0,
      writes: 8,
      reads: 4,
      finalRecords: 6,
    });
  });

  it('a read_committed reader returning a record of an aborted transaction is an aborted read', () => {
    const h = clean();
    const reads = [rec('r1', 'in/0', 0n, 1), rec('r1', 'in/0', 1n, 3), ...h.reads.slice(1)];
    const result = checkTxnHistory({ ...h, reads });
    expect(result.abortedReads).toEqual([{ id: 3, txn: 'T2', reader: 'r1', at: { partition: 'in/0', offset: 1n } }]);
    expect(txnViolations(result)).toEqual(['1 aborted reads']);
  });

  it('a committed write missing from the final read is lost, tears its transaction, and vanished if a reader saw it', () => {
    const h = clean();
    const result = checkTxnHistory({ ...h, finalRead: h.finalRead.filter((r) => r.id !== 5) });
    expect(result.lostWrites).toEqual([{ id: 5, txn: 'T3' }]);
    expect(result.tornTransactions).toEqual([{ txn: 'T3', present: [6], missing: [5] }]);
    expect(result.vanished).toEqual([{ id: 5, txn: 'T3', reader: 'r1', at: { partition: 'in/0', offset: 3n } }]);
    expect(txnViolations(result)).toEqual(['1 lost writes', '1 vanished reads', '1 torn transactions']);
  });

  it('an unknown-outcome transaction is fine all visible or all absent, and torn when only part of it is visible', () => {
    const h = clean();
    const t4 = txn('T4', 'd', 'unknown', [w(7, 'in/0', 4n), w(8, 'in/1', 4n)]);
    const all = checkTxnHistory({
      ...h,
      txns: [...h.txns, t4],
      finalRead: [...h.finalRead, fin('in/0', 4n, 7), fin('in/1', 4n, 8)],
    });
    expect(txnViolations(all)).toEqual([]);
    expect(all.counts.unknownVisible).toBe(1);
    expect(txnViolations(checkTxnHistory({ ...h, txns: [...h.txns, t4] }))).toEqual([]);
    const part = checkTxnHistory({ ...h, txns: [...h.txns, t4], finalRead: [...h.finalRead, fin('in/0', 4n, 7)] });
    expect(part.tornTransactions).toEqual([{ txn: 'T4', present: [7], missing: [8] }]);
    expect(part.lostWrites).toEqual([]);
    expect(txnViolations(part)).toEqual(['1 torn transactions']);
  });

  it('one write id at two offsets is a duplicated write', () => {
    const h = clean();
    const result = checkTxnHistory({ ...h, finalRead: [...h.finalRead, fin('in/0', 4n, 1)] });
    expect(result.duplicatedWrites).toEqual([
      {
        id: 1,
        positions: [
          { partition: 'in/0', offset: 0n },
          { partition: 'in/0', offset: 4n },
        ],
      },
    ]);
    expect(txnViolations(result)).toEqual(['1 duplicated writes']);
  });

  it('a reader that passed a committed record without returning it skipped it, and tore the transaction it saw part of', () => {
    const h = clean();
    // r2 returns T1's 1 and T3's 5 on in/0, but on in/1 goes from 2 (offset 0) to 9 (offset 5), over T3's 6 at 3.
    const t4 = txn('T4', 'd', 'committed', [w(9, 'in/1', 5n)]);
    const reads = [
      rec('r2', 'in/0', 0n, 1),
      rec('r2', 'in/0', 3n, 5),
      rec('r2', 'in/1', 0n, 2),
      rec('r2', 'in/1', 5n, 9),
    ];
    const result = checkTxnHistory({
      ...h,
      txns: [...h.txns, t4],
      reads,
      finalRead: [...h.finalRead, fin('in/1', 5n, 9)],
    });
    expect(result.skippedReads).toEqual([
      { reader: 'r2', partition: 'in/1', from: 0n, to: 5n, skipped: { partition: 'in/1', offset: 3n, id: 6 } },
    ]);
    expect(result.tornReads).toEqual([
      { reader: 'r2', txn: 'T3', seen: 5, missed: 6, at: { partition: 'in/1', offset: 3n } },
    ]);
    expect(txnViolations(result)).toEqual(['1 torn reads', '1 skipped reads']);
  });

  it('a reader going back to an offset it already returned is a non-monotonic read', () => {
    const h = clean();
    const result = checkTxnHistory({ ...h, reads: [...h.reads, rec('r1', 'in/0', 0n, 1)] });
    expect(result.nonMonotonicReads).toEqual([{ reader: 'r1', partition: 'in/0', previous: 3n, offset: 0n }]);
    expect(txnViolations(result)).toEqual(['1 non-monotonic reads']);
  });

  it("a producer's later transaction found before its earlier one on a partition is a producer-order inversion", () => {
    const h = clean();
    // A late Produce of T1's write 1 (the 2024 anomaly's shape) lands after T3's 5 on in/0.
    // (Without the copier, whose offsets would no longer cover the moved input record.)
    const txns = [txn('T1', 'a', 'committed', [w(1, 'in/0'), w(2, 'in/1', 0n)]), ...h.txns.slice(1, 3)];
    const finalRead = [fin('in/0', 4n, 1), ...h.finalRead.slice(1, 4)];
    const result = checkTxnHistory({ txns, reads: [], finalRead, committedOffsets: [] });
    expect(result.producerOrder).toEqual([
      { producer: 'a', partition: 'in/0', earlier: { id: 1, offset: 4n }, later: { id: 5, offset: 3n } },
    ]);
    expect(result.writeCycles).toEqual([['T1', 'T3']]);
    expect(txnViolations(result)).toEqual(['1 producer-order inversions']);
  });

  it('two producers whose concurrent transactions precede each other on different partitions form a write cycle, reported and allowed', () => {
    const h = clean();
    const t4 = txn('T4', 'd', 'committed', [w(7, 'in/0', 4n), w(8, 'in/1', 2n)]);
    // in/0: T3 (5 at 3) before T4 (7 at 4); in/1: T4 (8 at 2) before T3 (6 at 3).
    const finalRead = [...h.finalRead, fin('in/0', 4n, 7), fin('in/1', 2n, 8)];
    const result = checkTxnHistory({ ...h, txns: [...h.txns, t4], reads: [], finalRead });
    expect(result.writeCycles).toEqual([['T3', 'T4']]);
    expect(txnViolations(result)).toEqual([]);
    expect(describeTxnResult(result)).toContain('write cycles 1 (allowed)');
  });

  it('an input record below the committed offset without a copy is a lost copy', () => {
    const h = clean();
    const committedOffsets = [
      { partition: 'in/0', offset: 4n },
      { partition: 'in/1', offset: 1n },
    ];
    const result = checkTxnHistory({ ...h, committedOffsets });
    expect(result.lostCopies).toEqual([{ source: 5, at: { partition: 'in/0', offset: 3n } }]);
    expect(txnViolations(result)).toEqual(['1 lost copies']);
  });

  it('two committed copies of one input record are duplicated copies', () => {
    const h = clean();
    const c2 = txn('C2', 'c', 'committed', [w(12, 'out/0', 2n, 1)]);
    const result = checkTxnHistory({
      ...h,
      txns: [...h.txns, c2],
      finalRead: [...h.finalRead, fin('out/0', 2n, 12, 1)],
    });
    expect(result.duplicatedCopies).toEqual([{ source: 1, copies: [10, 12] }]);
    expect(txnViolations(result)).toEqual(['1 duplicated copies']);
  });

  it('a copy of an input record the group never committed past breaks the offsets-with-output atomicity', () => {
    const h = clean();
    const committedOffsets = [{ partition: 'in/0', offset: 1n }];
    const result = checkTxnHistory({ ...h, committedOffsets });
    expect(result.uncommittedCopies).toEqual([{ source: 2, copy: 11, committed: null }]);
    expect(txnViolations(result)).toEqual(['1 copies of uncommitted input']);
  });

  it('a record read at an offset other than its acknowledged one is a mismatch and an inconsistent offset', () => {
    const h = clean();
    const finalRead = [fin('in/0', 2n, 1), ...h.finalRead.slice(1)];
    const committedOffsets = [
      { partition: 'in/0', offset: 3n },
      { partition: 'in/1', offset: 1n },
    ];
    const result = checkTxnHistory({ ...h, reads: [], finalRead, committedOffsets });
    expect(result.ackedOffsetMismatches).toEqual([
      { id: 1, acked: { partition: 'in/0', offset: 0n }, found: [{ partition: 'in/0', offset: 2n }] },
    ]);
    expect(txnViolations(result)).toEqual(['1 acked-offset mismatches']);
    const clash = checkTxnHistory({ ...h, reads: [...h.reads, rec('r2', 'in/0', 0n, 5)] });
    expect(clash.inconsistentOffsets).toEqual([{ at: { partition: 'in/0', offset: 0n }, ids: [1, 5] }]);
  });

  it('a record no transaction wrote is unexpected', () => {
    const h = clean();
    const result = checkTxnHistory({ ...h, finalRead: [...h.finalRead, fin('in/1', 7n, 999)] });
    expect(result.unexpected).toEqual([{ id: 999, at: { partition: 'in/1', offset: 7n } }]);
    expect(txnViolations(result)).toEqual(['1 unexpected records']);
    expect(describeTxnResult(result)).toContain('unexpected records: {"id":999,"at":{"partition":"in/1","offset":7}}');
  });
});

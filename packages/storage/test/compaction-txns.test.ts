/**
 * The transaction rules of a compaction pass (compaction-txns.ts) as pure
 * logic: which batches of aborted transactions go, when a marker may go,
 * which aborted-transaction index entries are no longer needed, and which
 * batch holds a producer's last state.
 */
import { describe, expect, it } from 'vitest';
import type { AbortedTxn } from '../src/aborted-txn-index.ts';
import { type ProducerLastRecord, type TxnBatchHeader, TxnCleaning } from '../src/compaction-txns.ts';

function data(producerId: bigint, lastOffset: bigint, transactional = true): TxnBatchHeader {
  return { producerId, producerEpoch: 0, lastOffset, transactional, control: false };
}

function marker(producerId: bigint, offset: bigint, producerEpoch = 0): TxnBatchHeader {
  return { producerId, producerEpoch, lastOffset: offset, transactional: true, control: true };
}

const abortedP2: AbortedTxn = { producerId: 2n, firstOffset: 1n, lastOffset: 3n, lastStableOffset: 4n };

describe('transactions in a compaction pass', () => {
  it("an aborted transaction's batches go; committed ones stay; both markers stay in the pass that met their batches", () => {
    const txns = new TxnCleaning([abortedP2], new Map());
    expect(txns.dataBatch(data(1n, 0n))).toBe(false);
    expect(txns.dataBatch(data(2n, 1n))).toBe(true);
    expect(txns.dataBatch(data(2n, 2n))).toBe(true);
    expect(txns.controlBatch(marker(2n, 3n), 'abort')).toBe(false);
    expect(txns.controlBatch(marker(1n, 4n), 'commit')).toBe(false);
    expect(txns.unneededAborts).toEqual([]);
  });

  it('a later pass that meets no batch of a transaction finds its markers removable and its index entry unneeded', () => {
    const txns = new TxnCleaning([abortedP2], new Map());
    expect(txns.controlBatch(marker(2n, 3n), 'abort')).toBe(true);
    expect(txns.controlBatch(marker(1n, 4n), 'commit')).toBe(true);
    expect(txns.unneededAborts).toEqual([abortedP2]);
  });

  it("after its abort marker a producer's next transaction is not aborted, and plain batches never are", () => {
    const txns = new TxnCleaning([abortedP2], new Map());
    expect(txns.dataBatch(data(2n, 1n))).toBe(true);
    expect(txns.dataBatch(data(-1n, 2n, false))).toBe(false);
    expect(txns.controlBatch(marker(2n, 3n), 'abort')).toBe(false);
    expect(txns.dataBatch(data(2n, 5n))).toBe(false);
    // Its commit marker stays: a batch of its transaction was met.
    expect(txns.controlBatch(marker(2n, 6n), 'commit')).toBe(false);
  });

  it('a transaction begun before the pass start is aborted from its first batch met', () => {
    const txns = new TxnCleaning([{ ...abortedP2, firstOffset: 0n, lastOffset: 20n }], new Map());
    expect(txns.dataBatch(data(2n, 10n))).toBe(true);
  });

  it('an emptied control batch says nothing and may go; an unknown control type stays', () => {
    const txns = new TxnCleaning([], new Map());
    expect(txns.controlBatch(marker(1n, 0n), 'emptied')).toBe(true);
    expect(txns.controlBatch(marker(1n, 1n), 'other')).toBe(false);
  });

  it("a producer's last batch is the one ending at its last data offset, or its marker of the current epoch when it has no data batch", () => {
    const last = new Map<bigint, ProducerLastRecord>([
      [1n, { lastDataOffset: 7n, epoch: 0 }],
      [2n, { lastDataOffset: null, epoch: 3 }],
    ]);
    const txns = new TxnCleaning([], last);
    expect(txns.isProducersLast(data(1n, 7n))).toBe(true);
    expect(txns.isProducersLast(data(1n, 6n))).toBe(false);
    expect(txns.isProducersLast(marker(1n, 8n))).toBe(false);
    expect(txns.isProducersLast(marker(2n, 9n, 3))).toBe(true);
    expect(txns.isProducersLast(marker(2n, 5n, 2))).toBe(false);
    expect(txns.isProducersLast(data(9n, 7n))).toBe(false);
    expect(txns.isProducersLast(data(-1n, 7n, false))).toBe(false);
  });
});

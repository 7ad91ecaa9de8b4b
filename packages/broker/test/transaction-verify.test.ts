/**
 * KIP-890 part 1 on the pure transaction machine: a partition leader's
 * question "is this partition in the producer's ongoing transaction?" is
 * answered yes only for partitions added to a transaction still Ongoing,
 * asked by the producer id and epoch holding the transactional id now.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { TxnHarness, tp } from './transaction-harness.ts';

const E = ErrorCode;

function codes(h: TxnHarness, id: string, p: { producerId: bigint; producerEpoch: number }, parts = [tp('t', 0)]) {
  return h.machine.verify({ transactionalId: id, ...p, partitions: parts }).map((v) => v.errorCode);
}

describe('verifying a partition is in the ongoing transaction', () => {
  it('added partitions of an Ongoing transaction verify; others answer TRANSACTION_ABORTABLE', () => {
    const h = new TxnHarness();
    const p = h.open('tx', [tp('t', 0), tp('u', 3)]);
    expect(codes(h, 'tx', p, [tp('t', 0), tp('u', 3), tp('t', 1), tp('v', 0)])).toEqual([
      E.NONE,
      E.NONE,
      E.TRANSACTION_ABORTABLE,
      E.TRANSACTION_ABORTABLE,
    ]);
  });

  it('nothing verifies before the first add, or after the transaction completed (a late produce cannot reopen it)', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    expect(codes(h, 'tx', p)).toEqual([E.TRANSACTION_ABORTABLE]);
    expect(h.got('addPartitions', h.add('tx', p, [tp('t', 0)]))).toBe(E.NONE);
    expect(codes(h, 'tx', p)).toEqual([E.NONE]);
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    // Prepared, markers on their way: retriable.
    expect(codes(h, 'tx', p)).toEqual([E.CONCURRENT_TRANSACTIONS]);
    h.writeMarkers();
    expect(h.state('tx')).toBe('CompleteCommit');
    expect(codes(h, 'tx', p)).toEqual([E.TRANSACTION_ABORTABLE]);
  });

  it('an unknown id or another producer id is INVALID_PRODUCER_ID_MAPPING, another epoch PRODUCER_FENCED', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    expect(codes(h, 'nobody', p)).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
    expect(codes(h, 'tx', { ...p, producerId: p.producerId + 1n })).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
    expect(codes(h, 'tx', { ...p, producerEpoch: p.producerEpoch - 1 })).toEqual([E.PRODUCER_FENCED]);
    expect(codes(h, 'tx', { ...p, producerEpoch: p.producerEpoch + 1 })).toEqual([E.PRODUCER_FENCED]);
  });

  it('a zombie is refused as soon as the new producer fences it, while the abort is still being written', () => {
    const h = new TxnHarness();
    const zombie = h.open('tx');
    h.holdWrites = true;
    h.init('tx');
    expect(codes(h, 'tx', zombie)).toEqual([E.PRODUCER_FENCED]);
  });

  it('an empty transactional id is INVALID_REQUEST', () => {
    const h = new TxnHarness();
    expect(codes(h, '', { producerId: 1n, producerEpoch: 0 })).toEqual([E.INVALID_REQUEST]);
  });
});

/**
 * Transaction version 2 (KIP-890 part 2) on the pure transaction machine:
 * every end raises the producer epoch and the EndTxn answer names the
 * producer id and epoch to use next; the markers carry the raised epoch;
 * a retry of a decided end gets the same answer and changes nothing; an
 * EndTxn of an earlier transaction (delayed or duplicated on the wire) is
 * fenced instead of ending the producer's next transaction; an abort with
 * nothing open still raises the epoch; an exhausted epoch moves to a new
 * producer id once the Complete record is written.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { producerEpochMax } from '../src/transactions/txn-model.ts';
import { type Producer, TxnHarness, tp } from './transaction-harness.ts';

const E = ErrorCode;

/** A version 2 producer with a transaction open on t-0 (added implicitly, as Produce v12 does). */
function openV2(h: TxnHarness, p: Producer): void {
  expect(h.got('addPartitions', h.addV2('tx', p, [tp('t', 0)]))).toBe(E.NONE);
}

function endV2(h: TxnHarness, p: Producer, commit: boolean) {
  return h.got('endTxn', h.end('tx', p, commit, 2));
}

describe('EndTxn v5 (transaction version 2)', () => {
  it('a commit raises the epoch: Prepare record and markers carry epoch + 1, and the answer names it', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    expect(h.lastWrite('tx')).toMatchObject({ state: 'Ongoing', clientTransactionVersion: 2 });
    const answer = endV2(h, p, true);
    expect(answer).toEqual({
      errorCode: E.NONE,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch + 1,
    });
    expect(h.lastWrite('tx')).toMatchObject({ state: 'PrepareCommit', producerEpoch: p.producerEpoch + 1 });
    expect(h.markers.at(-1)).toMatchObject({
      result: 'commit',
      producerId: p.producerId,
      producerEpoch: p.producerEpoch + 1,
      partitions: [tp('t', 0)],
    });
    h.writeMarkers();
    expect(h.machine.describe('tx')).toMatchObject({ state: 'CompleteCommit', producerEpoch: p.producerEpoch + 1 });
  });

  it('the next transaction runs at the new epoch, and its add waits behind the markers instead of CONCURRENT_TRANSACTIONS', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    const next = endV2(h, p, true);
    const p2 = { producerId: next.producerId, producerEpoch: next.producerEpoch };
    const add = h.addV2('tx', p2, [tp('t', 0)]);
    expect(h.answered(add)).toBe(false);
    h.writeMarkers();
    expect(h.got('addPartitions', add)).toBe(E.NONE);
    expect(h.state('tx')).toBe('Ongoing');
    expect(endV2(h, p2, false)).toMatchObject({ errorCode: E.NONE, producerEpoch: p2.producerEpoch + 1 });
  });

  it('a retried EndTxn (the epoch before the raise) gets the same answer, during the markers and after, and writes nothing', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    const first = endV2(h, p, true);
    const writes = h.writes.length;
    expect(endV2(h, p, true)).toEqual(first);
    h.writeMarkers();
    const afterComplete = h.writes.length;
    expect(afterComplete).toBe(writes + 1);
    expect(endV2(h, p, true)).toEqual(first);
    expect(h.writes).toHaveLength(afterComplete);
    // The retry asks for the other outcome: not what was decided.
    expect(endV2(h, p, false).errorCode).toBe(E.INVALID_TXN_STATE);
  });

  it('an EndTxn of an earlier transaction arriving during the next one is fenced and leaves it open', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    const next = endV2(h, p, false);
    h.writeMarkers();
    const p2 = { producerId: next.producerId, producerEpoch: next.producerEpoch };
    openV2(h, p2);
    // The first transaction's commit, delayed on the wire and replayed: it must not commit the second.
    expect(endV2(h, p, true)).toEqual({ errorCode: E.PRODUCER_FENCED, producerId: -1n, producerEpoch: -1 });
    expect(h.machine.describe('tx')).toMatchObject({ state: 'Ongoing', producerEpoch: p2.producerEpoch });
    // So is anything older, and anything newer than the producer has.
    expect(endV2(h, { ...p2, producerEpoch: p2.producerEpoch + 1 }, true).errorCode).toBe(E.PRODUCER_FENCED);
    expect(endV2(h, p2, true).errorCode).toBe(E.NONE);
  });

  it('an abort with no transaction open raises the epoch without markers; a commit there is INVALID_TXN_STATE', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    expect(endV2(h, p, true).errorCode).toBe(E.INVALID_TXN_STATE);
    const answer = endV2(h, p, false);
    expect(answer).toEqual({ errorCode: E.NONE, producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    expect(h.markers).toHaveLength(0);
    expect(h.writtenStates('tx').slice(-2)).toEqual(['PrepareAbort', 'CompleteAbort']);
    expect(h.machine.describe('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: p.producerEpoch + 1 });
    // The client's retry of that abort is answered alike.
    expect(endV2(h, p, false)).toEqual(answer);
  });

  it('an exhausted epoch moves to a new producer id: markers at the last epoch of the old id, the next add with the new id waits for the Complete record', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    // Walk the epoch to the last one a client gets, one empty abort at a time.
    let current = p;
    while (current.producerEpoch < producerEpochMax - 1) {
      const a = endV2(h, current, false);
      current = { producerId: a.producerId, producerEpoch: a.producerEpoch };
    }
    openV2(h, current);
    const answer = endV2(h, current, true);
    expect(answer.errorCode).toBe(E.NONE);
    expect(answer.producerId).not.toBe(current.producerId);
    expect(answer.producerEpoch).toBe(0);
    expect(h.markers.at(-1)).toMatchObject({ producerId: current.producerId, producerEpoch: producerEpochMax });
    expect(h.lastWrite('tx')).toMatchObject({ state: 'PrepareCommit', nextProducerId: answer.producerId });
    const rotated = { producerId: answer.producerId, producerEpoch: 0 };
    const add = h.addV2('tx', rotated, [tp('t', 1)]);
    expect(h.answered(add)).toBe(false);
    // A retry of the end from the old id at its last epoch gets the new id.
    expect(endV2(h, current, true)).toEqual(answer);
    h.writeMarkers();
    expect(h.got('addPartitions', add)).toBe(E.NONE);
    expect(h.machine.describe('tx')).toMatchObject({
      state: 'Ongoing',
      producerId: answer.producerId,
      producerEpoch: 0,
    });
    // Once the new id's next transaction has started, the old id is no longer this transactional id's at all.
    expect(endV2(h, current, true).errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
  });

  it('a version 2 transaction that times out is fenced and aborted at an epoch its producer never held', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    h.advance(60_001);
    h.writeMarkers();
    expect(h.markers.at(-1)).toMatchObject({ result: 'abort', producerEpoch: p.producerEpoch + 2 });
    expect(h.machine.describe('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: p.producerEpoch + 2 });
    // Its producer's commit, and its abort, are fenced: it must start over with InitProducerId.
    expect(endV2(h, p, true).errorCode).toBe(E.PRODUCER_FENCED);
    expect(endV2(h, p, false).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('version 1 ends are unchanged: no epoch raise, no producer in the answer', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    expect(h.got('endTxn', h.end('tx', p, true))).toEqual({ errorCode: E.NONE, producerId: -1n, producerEpoch: -1 });
    expect(h.markers.at(-1)).toMatchObject({ producerEpoch: p.producerEpoch });
    expect(h.lastWrite('tx')).toMatchObject({ producerEpoch: p.producerEpoch, clientTransactionVersion: 0 });
  });

  it('a coordinator that loads a version 2 Prepare record finishes it with the raised epoch and answers the retry', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    openV2(h, p);
    const answer = endV2(h, p, true);
    const next = h.failover();
    next.resume();
    expect(next.markers.at(-1)).toMatchObject({ result: 'commit', producerEpoch: p.producerEpoch + 1 });
    next.writeMarkers();
    expect(next.got('endTxn', next.end('tx', p, true, 2))).toEqual(answer);
  });
});

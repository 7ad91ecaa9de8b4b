/**
 * InitProducerId with a transactional id on the pure transaction machine:
 * new ids, epoch bumps, fencing a zombie producer, KIP-360 epoch bumps by
 * the producer itself, epoch exhaustion, the refusals, and
 * transactional-id expiry.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { TransactionLogValue } from '../src/transactions/transaction-records.ts';
import { errorCodeForVersion } from '../src/transactions/txn-api.ts';
import { firstProducerId, TxnHarness, testConfig, timeoutMs, tp } from './transaction-harness.ts';

const E = ErrorCode;

/** An idle transactional id as a coordinator would load it, at `producerEpoch`. */
function loadedAt(producerEpoch: number): ReadonlyMap<string, TransactionLogValue> {
  const value: TransactionLogValue = {
    producerId: 500n,
    previousProducerId: 500n,
    nextProducerId: -1n,
    producerEpoch,
    nextProducerEpoch: -1,
    transactionTimeoutMs: timeoutMs,
    state: 'CompleteCommit',
    partitions: [],
    lastUpdateTimestampMs: 1_700_000_000_000n,
    startTimestampMs: 1_699_999_999_000n,
    clientTransactionVersion: 0,
  };
  return new Map([['tx', value]]);
}

describe('InitProducerId with a transactional id', () => {
  it('first use gets a new producer id at epoch 0, answered only once the Empty record is committed', () => {
    const h = new TxnHarness();
    h.holdWrites = true;
    const ticket = h.init('tx');
    expect(h.answered(ticket)).toBe(false);
    expect(h.lastWrite('tx')).toMatchObject({
      producerId: firstProducerId,
      producerEpoch: 0,
      state: 'Empty',
      transactionTimeoutMs: timeoutMs,
      partitions: [],
      startTimestampMs: -1n,
    });
    h.resolveWrites();
    expect(h.got('initProducerId', ticket)).toEqual({
      errorCode: E.NONE,
      producerId: firstProducerId,
      producerEpoch: 0,
    });
  });

  it('a second InitProducerId of an idle id keeps the producer id and bumps the epoch', () => {
    const h = new TxnHarness();
    const first = h.producer('tx');
    const second = h.producer('tx', { transactionTimeoutMs: 30_000 });
    expect(second).toEqual({ producerId: first.producerId, producerEpoch: 1 });
    expect(h.lastWrite('tx')).toMatchObject({ transactionTimeoutMs: 30_000, state: 'Empty' });
    expect(h.producerIdsTaken).toBe(1);
  });

  it('an empty transactional id answers INVALID_REQUEST and writes nothing', () => {
    const h = new TxnHarness();
    expect(h.got('initProducerId', h.init('')).errorCode).toBe(E.INVALID_REQUEST);
    expect(h.writes).toEqual([]);
  });

  it('a timeout above transaction.max.timeout.ms, or not positive, answers INVALID_TRANSACTION_TIMEOUT', () => {
    const h = new TxnHarness();
    const over = h.init('tx', { transactionTimeoutMs: testConfig.transactionMaxTimeoutMs + 1 });
    const zero = h.init('tx', { transactionTimeoutMs: 0 });
    for (const ticket of [over, zero]) {
      expect(h.got('initProducerId', ticket)).toEqual({
        errorCode: E.INVALID_TRANSACTION_TIMEOUT,
        producerId: -1n,
        producerEpoch: -1,
      });
    }
    expect(h.writes).toEqual([]);
    expect(h.producer('tx', { transactionTimeoutMs: testConfig.transactionMaxTimeoutMs }).producerEpoch).toBe(0);
  });

  it('with no producer id block at hand answers COORDINATOR_LOAD_IN_PROGRESS; the retry gets an id', () => {
    const h = new TxnHarness();
    h.idsUnavailable = true;
    expect(h.got('initProducerId', h.init('tx')).errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.machine.describe('tx')).toBeNull();
    h.idsUnavailable = false;
    expect(h.producer('tx')).toEqual({ producerId: firstProducerId, producerEpoch: 0 });
  });

  it('a failed write answers the store error as a retriable code and changes nothing', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    h.failWrites = 'timed_out';
    expect(h.got('initProducerId', h.init('tx')).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    h.failWrites = 'not_coordinator';
    expect(h.got('initProducerId', h.init('tx')).errorCode).toBe(E.NOT_COORDINATOR);
    expect(h.machine.describe('tx')?.producerEpoch).toBe(p.producerEpoch);
    h.failWrites = null;
    expect(h.producer('tx').producerEpoch).toBe(1);
  });

  it('two InitProducerId of a new id at once: the second waits for the first write and takes no second producer id', () => {
    const h = new TxnHarness();
    h.holdWrites = true;
    const a = h.init('tx');
    const b = h.init('tx');
    expect(h.writes).toHaveLength(1);
    h.resolveWrites();
    expect(h.got('initProducerId', a)).toMatchObject({ errorCode: E.NONE, producerEpoch: 0 });
    expect(h.answered(b)).toBe(false);
    h.resolveWrites();
    expect(h.got('initProducerId', b)).toEqual({ errorCode: E.NONE, producerId: firstProducerId, producerEpoch: 1 });
    expect(h.producerIdsTaken).toBe(1);
  });
});

describe('fencing a zombie producer', () => {
  it('a new producer aborts the open transaction of the old one with a raised epoch and gets the epoch after it', () => {
    const h = new TxnHarness();
    const zombie = h.open('tx', [tp('t', 0), tp('u', 3)]);
    const init = h.init('tx');
    // Fenced in memory at once: the zombie is refused while the abort is being written.
    expect(h.got('addPartitions', h.add('tx', zombie, [tp('t', 1)]))).toBe(E.PRODUCER_FENCED);
    expect(h.got('endTxn', h.end('tx', zombie, true)).errorCode).toBe(E.PRODUCER_FENCED);
    expect(h.lastWrite('tx')).toMatchObject({ state: 'PrepareAbort', producerEpoch: zombie.producerEpoch + 1 });
    expect(h.pendingMarkers).toEqual([
      {
        markersId: 1,
        transactionalId: 'tx',
        result: 'abort',
        producerId: zombie.producerId,
        producerEpoch: zombie.producerEpoch + 1,
        coordinatorEpoch: h.coordinatorEpoch,
        partitions: [tp('t', 0), tp('u', 3)],
      },
    ]);
    expect(h.answered(init)).toBe(false);
    h.writeMarkers();
    expect(h.writtenStates('tx')).toEqual(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort', 'Empty']);
    // The fenced epoch itself is never handed out.
    expect(h.got('initProducerId', init)).toEqual({
      errorCode: E.NONE,
      producerId: zombie.producerId,
      producerEpoch: zombie.producerEpoch + 2,
    });
    expect(h.got('endTxn', h.end('tx', zombie, false)).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('a fence whose abort write fails answers the error, and the next fence does not raise the epoch twice', () => {
    const h = new TxnHarness();
    const zombie = h.open('tx');
    h.failWrites = 'timed_out';
    expect(h.got('initProducerId', h.init('tx')).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(h.state('tx')).toBe('Ongoing');
    expect(h.got('addPartitions', h.add('tx', zombie, [tp('t', 0)]))).toBe(E.PRODUCER_FENCED);
    h.failWrites = null;
    const init = h.init('tx');
    expect(h.lastWrite('tx')).toMatchObject({ state: 'PrepareAbort', producerEpoch: zombie.producerEpoch + 1 });
    h.writeMarkers();
    expect(h.got('initProducerId', init).producerEpoch).toBe(zombie.producerEpoch + 2);
  });

  it('PRODUCER_FENCED reaches clients older than KIP-588 as INVALID_PRODUCER_EPOCH', () => {
    expect(errorCodeForVersion('initProducerId', 3, E.PRODUCER_FENCED)).toBe(E.INVALID_PRODUCER_EPOCH);
    expect(errorCodeForVersion('initProducerId', 4, E.PRODUCER_FENCED)).toBe(E.PRODUCER_FENCED);
    for (const api of ['addPartitionsToTxn', 'addOffsetsToTxn', 'endTxn'] as const) {
      expect(errorCodeForVersion(api, 1, E.PRODUCER_FENCED)).toBe(E.INVALID_PRODUCER_EPOCH);
      expect(errorCodeForVersion(api, 2, E.PRODUCER_FENCED)).toBe(E.PRODUCER_FENCED);
      expect(errorCodeForVersion(api, 0, E.CONCURRENT_TRANSACTIONS)).toBe(E.CONCURRENT_TRANSACTIONS);
    }
  });
});

describe('KIP-360: a producer bumping its own epoch (InitProducerId v3+)', () => {
  it('naming its current id and epoch gets epoch + 1; a retry naming the old epoch gets the same answer', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    const bumped = h.producer('tx', { current: p });
    expect(bumped).toEqual({ producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    // The reply was lost; the producer asks again with the epoch it still has.
    expect(h.producer('tx', { current: p })).toEqual(bumped);
  });

  it('naming an epoch that is neither the current nor the previous one answers PRODUCER_FENCED', () => {
    const h = new TxnHarness();
    const old = h.producer('tx');
    h.producer('tx');
    h.producer('tx');
    expect(h.got('initProducerId', h.init('tx', { current: old })).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it("naming another producer id than the id's answers PRODUCER_FENCED", () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    const foreign = { producerId: p.producerId + 7n, producerEpoch: p.producerEpoch };
    expect(h.got('initProducerId', h.init('tx', { current: foreign })).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it("a new producer that fenced the old one makes the old one's bump answer PRODUCER_FENCED", () => {
    const h = new TxnHarness();
    const old = h.producer('tx');
    h.producer('tx');
    expect(h.got('initProducerId', h.init('tx', { current: old })).errorCode).toBe(E.PRODUCER_FENCED);
  });
});

describe('epoch exhaustion', () => {
  it('an id whose epoch reaches 32766 moves to a new producer id at epoch 0, recording the old one', () => {
    const h = new TxnHarness({ loaded: loadedAt(32_765) });
    expect(h.producer('tx')).toEqual({ producerId: 500n, producerEpoch: 32_766 });
    expect(h.producer('tx')).toEqual({ producerId: firstProducerId, producerEpoch: 0 });
    expect(h.lastWrite('tx')).toMatchObject({
      producerId: firstProducerId,
      previousProducerId: 500n,
      producerEpoch: 0,
    });
  });

  it('a KIP-360 retry of the bump that moved the id gets the same new producer id and epoch', () => {
    const h = new TxnHarness({ loaded: loadedAt(32_766) });
    const exhausted = { producerId: 500n, producerEpoch: 32_766 };
    const moved = h.producer('tx', { current: exhausted });
    expect(moved).toEqual({ producerId: firstProducerId, producerEpoch: 0 });
    expect(h.producer('tx', { current: exhausted })).toEqual(moved);
    expect(h.producerIdsTaken).toBe(1);
  });

  it('a fence at the last usable epoch aborts with 32767 and the waiting InitProducerId gets a new producer id', () => {
    const h = new TxnHarness({ loaded: loadedAt(32_766) });
    const zombie = { producerId: 500n, producerEpoch: 32_766 };
    expect(h.got('addPartitions', h.add('tx', zombie, [tp('t', 0)]))).toBe(E.NONE);
    const init = h.init('tx');
    expect(h.pendingMarkers[0]?.producerEpoch).toBe(32_767);
    h.writeMarkers();
    expect(h.got('initProducerId', init)).toEqual({ errorCode: E.NONE, producerId: firstProducerId, producerEpoch: 0 });
  });
});

describe('transactional-id expiry', () => {
  const expirationMs = testConfig.transactionalIdExpirationMs;

  it('an id idle longer than transactional.id.expiration.ms is deleted with a tombstone and comes back as a new producer id', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    h.nowMs += expirationMs - 1;
    h.expire();
    expect(h.state('tx')).toBe('Empty');
    h.nowMs += 1;
    h.expire();
    expect(h.lastWrite('tx')).toBeNull();
    expect(h.machine.describe('tx')).toBeNull();
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.producer('tx')).toEqual({ producerId: firstProducerId + 1n, producerEpoch: 0 });
  });

  it('an id with a transaction open is never expired', () => {
    const h = new TxnHarness({ config: { ...testConfig, transactionMaxTimeoutMs: 2 * expirationMs } });
    const p = h.producer('tx', { transactionTimeoutMs: 2 * expirationMs });
    expect(h.got('addPartitions', h.add('tx', p, [tp('t', 0)]))).toBe(E.NONE);
    h.nowMs += expirationMs + 1;
    h.expire();
    expect(h.state('tx')).toBe('Ongoing');
    expect(h.writtenStates('tx')).not.toContain('tombstone');
  });

  it('requests arriving while the tombstone is written run after it against no id', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    h.nowMs += expirationMs;
    h.holdWrites = true;
    h.expire();
    const add = h.add('tx', p, [tp('t', 0)]);
    const init = h.init('tx');
    expect(h.answered(add) || h.answered(init)).toBe(false);
    h.resolveWrites();
    expect(h.got('addPartitions', add)).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    h.resolveWrites();
    expect(h.got('initProducerId', init)).toEqual({
      errorCode: E.NONE,
      producerId: firstProducerId + 1n,
      producerEpoch: 0,
    });
  });
});

/**
 * Transactions on the pure transaction machine: AddPartitionsToTxn,
 * AddOffsetsToTxn, EndTxn through Prepare → markers → Complete, retried
 * EndTxn, the next transaction queued behind the previous one's markers,
 * transaction timeouts, and a coordinator failover that finishes what the
 * old coordinator had prepared.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { consumerOffsetsTopic, partitionForGroup } from '../src/groups/types.ts';
import { TxnHarness, testConfig, timeoutMs, tp } from './transaction-harness.ts';

const E = ErrorCode;

describe('AddPartitionsToTxn and AddOffsetsToTxn', () => {
  it('the first add opens a transaction (Empty → Ongoing, started now), answered once the record is committed', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    h.holdWrites = true;
    const ticket = h.add('tx', p, [tp('t', 0), tp('t', 1)]);
    expect(h.answered(ticket)).toBe(false);
    expect(h.lastWrite('tx')).toMatchObject({
      state: 'Ongoing',
      partitions: [{ topic: 't', partitionIds: [0, 1] }],
      startTimestampMs: BigInt(h.nowMs),
    });
    h.resolveWrites();
    expect(h.got('addPartitions', ticket)).toBe(E.NONE);
    expect(h.machine.describe('tx')).toMatchObject({ state: 'Ongoing', startTimestampMs: h.nowMs });
  });

  it('a later add extends the transaction and keeps its start; partitions already in it answer NONE unwritten', () => {
    const h = new TxnHarness();
    const p = h.open('tx', [tp('t', 0)]);
    const started = h.nowMs;
    h.nowMs += 100;
    expect(h.got('addPartitions', h.add('tx', p, [tp('u', 2), tp('t', 0)]))).toBe(E.NONE);
    expect(h.lastWrite('tx')).toMatchObject({
      partitions: [
        { topic: 't', partitionIds: [0] },
        { topic: 'u', partitionIds: [2] },
      ],
      startTimestampMs: BigInt(started),
    });
    const writes = h.writes.length;
    expect(h.got('addPartitions', h.add('tx', p, [tp('u', 2)]))).toBe(E.NONE);
    expect(h.writes).toHaveLength(writes);
  });

  it('an unknown transactional id or another producer id answers INVALID_PRODUCER_ID_MAPPING, an old epoch PRODUCER_FENCED', () => {
    const h = new TxnHarness();
    const old = h.producer('tx');
    const p = h.producer('tx');
    expect(h.got('addPartitions', h.add('other', p, [tp('t', 0)]))).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    const foreign = { producerId: p.producerId + 1n, producerEpoch: p.producerEpoch };
    expect(h.got('addPartitions', h.add('tx', foreign, [tp('t', 0)]))).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.got('addPartitions', h.add('tx', old, [tp('t', 0)]))).toBe(E.PRODUCER_FENCED);
    expect(h.got('addOffsets', h.addOffsets('tx', old, 'g'))).toBe(E.PRODUCER_FENCED);
    expect(h.state('tx')).toBe('Empty');
  });

  it("AddOffsetsToTxn adds the group's __consumer_offsets partition to the transaction", () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    expect(h.got('addOffsets', h.addOffsets('tx', p, 'my-group'))).toBe(E.NONE);
    const partition = partitionForGroup('my-group', testConfig.offsetsTopicPartitions);
    expect(h.machine.describe('tx')?.partitions).toEqual([tp(consumerOffsetsTopic, partition)]);
  });

  it('a failed write answers the mapped store error and leaves the transaction as it was', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    h.failWrites = 'not_coordinator';
    expect(h.got('addPartitions', h.add('tx', p, [tp('t', 0)]))).toBe(E.NOT_COORDINATOR);
    expect(h.state('tx')).toBe('Empty');
  });
});

describe('EndTxn', () => {
  it('commit: PrepareCommit is written, EndTxn answered, commit markers go to every partition, then CompleteCommit', () => {
    const h = new TxnHarness();
    const p = h.open('tx', [tp('t', 0), tp('u', 1)]);
    h.holdWrites = true;
    const ticket = h.end('tx', p, true);
    expect(h.answered(ticket)).toBe(false);
    expect(h.pendingMarkers).toEqual([]);
    h.resolveWrites();
    expect(h.got('endTxn', ticket).errorCode).toBe(E.NONE);
    expect(h.state('tx')).toBe('PrepareCommit');
    expect(h.pendingMarkers).toEqual([
      {
        markersId: 1,
        transactionalId: 'tx',
        result: 'commit',
        ...p,
        coordinatorEpoch: h.coordinatorEpoch,
        partitions: [tp('t', 0), tp('u', 1)],
      },
    ]);
    h.writeMarkers();
    expect(h.lastWrite('tx')).toMatchObject({ state: 'CompleteCommit', partitions: [], ...p });
    h.resolveWrites();
    expect(h.machine.describe('tx')).toMatchObject({ state: 'CompleteCommit', partitions: [] });
  });

  it('abort: PrepareAbort, abort markers, CompleteAbort; the producer keeps its epoch', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    expect(h.got('endTxn', h.end('tx', p, false)).errorCode).toBe(E.NONE);
    expect(h.pendingMarkers.map((m) => m.result)).toEqual(['abort']);
    h.writeMarkers();
    expect(h.writtenStates('tx')).toEqual(['Empty', 'Ongoing', 'PrepareAbort', 'CompleteAbort']);
    expect(h.machine.describe('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: p.producerEpoch });
  });

  it('a retried EndTxn with the same outcome answers NONE, while prepared and once complete; the other outcome INVALID_TXN_STATE', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    expect(h.got('endTxn', h.end('tx', p, false)).errorCode).toBe(E.INVALID_TXN_STATE);
    h.writeMarkers();
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    expect(h.got('endTxn', h.end('tx', p, false)).errorCode).toBe(E.INVALID_TXN_STATE);
    expect(h.writtenStates('tx').filter((s) => s === 'PrepareCommit')).toHaveLength(1);
    expect(h.markers).toHaveLength(1);
  });

  it("a retried EndTxn while the first one's PrepareCommit is being written waits and answers NONE", () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.holdWrites = true;
    const first = h.end('tx', p, true);
    const retry = h.end('tx', p, true);
    h.resolveWrites();
    expect(h.got('endTxn', first).errorCode).toBe(E.NONE);
    expect(h.got('endTxn', retry).errorCode).toBe(E.NONE);
  });

  it('EndTxn with no transaction open answers INVALID_TXN_STATE; for an unknown id INVALID_PRODUCER_ID_MAPPING', () => {
    const h = new TxnHarness();
    const p = h.producer('tx');
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.INVALID_TXN_STATE);
    expect(h.got('endTxn', h.end('nope', p, true)).errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.got('endTxn', h.end('', p, true)).errorCode).toBe(E.INVALID_REQUEST);
  });

  it('a transaction with no partitions completes without markers', () => {
    const h = new TxnHarness();
    const p = h.open('tx', []);
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    expect(h.markers).toEqual([]);
    expect(h.state('tx')).toBe('CompleteCommit');
  });

  it('an EndTxn whose PrepareCommit write fails answers the store error; the transaction stays open and a retry commits', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.failWrites = 'timed_out';
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(h.state('tx')).toBe('Ongoing');
    expect(h.markers).toEqual([]);
    h.failWrites = null;
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    expect(h.markers).toHaveLength(1);
  });

  it('a failed CompleteCommit write is written again after the retry backoff', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.got('endTxn', h.end('tx', p, true)).errorCode;
    h.failWrites = 'timed_out';
    h.writeMarkers();
    expect(h.state('tx')).toBe('PrepareCommit');
    h.failWrites = null;
    expect(h.machine.nextDeadlineMs()).toBe(h.nowMs + testConfig.writeRetryBackoffMs);
    h.advance(testConfig.writeRetryBackoffMs - 1);
    expect(h.state('tx')).toBe('PrepareCommit');
    h.advance(1);
    expect(h.state('tx')).toBe('CompleteCommit');
    expect(h.writtenStates('tx').slice(-2)).toEqual(['CompleteCommit', 'CompleteCommit']);
  });
});

describe('the next transaction while the markers of the last one are written (issue 11 item 7)', () => {
  it('waits behind the markers instead of answering CONCURRENT_TRANSACTIONS, and opens once CompleteCommit is written', () => {
    const h = new TxnHarness();
    const p = h.open('tx', [tp('t', 0)]);
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.NONE);
    const next = h.add('tx', p, [tp('t', 0)]);
    const offsets = h.addOffsets('tx', p, 'g');
    expect(h.answered(next) || h.answered(offsets)).toBe(false);
    h.writeMarkers();
    expect(h.got('addPartitions', next)).toBe(E.NONE);
    expect(h.got('addOffsets', offsets)).toBe(E.NONE);
    expect(h.writtenStates('tx')).toEqual([
      'Empty',
      'Ongoing',
      'PrepareCommit',
      'CompleteCommit',
      'Ongoing',
      'Ongoing',
    ]);
    expect(h.machine.describe('tx')?.partitions).toHaveLength(2);
  });

  it('a request that waited queuedRequestTimeoutMs answers CONCURRENT_TRANSACTIONS for the client to retry', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.got('endTxn', h.end('tx', p, true)).errorCode;
    const next = h.add('tx', p, [tp('t', 0)]);
    expect(h.machine.nextDeadlineMs()).toBe(h.nowMs + testConfig.queuedRequestTimeoutMs);
    h.advance(testConfig.queuedRequestTimeoutMs - 1);
    expect(h.answered(next)).toBe(false);
    h.advance(1);
    expect(h.got('addPartitions', next)).toBe(E.CONCURRENT_TRANSACTIONS);
    h.writeMarkers();
    expect(h.state('tx')).toBe('CompleteCommit');
  });

  it('past queuedRequestsMax waiting requests, one more answers CONCURRENT_TRANSACTIONS at once', () => {
    const h = new TxnHarness({ config: { ...testConfig, queuedRequestsMax: 2 } });
    const p = h.open('tx');
    h.got('endTxn', h.end('tx', p, true)).errorCode;
    const waiting = [h.add('tx', p, [tp('t', 0)]), h.add('tx', p, [tp('t', 1)])];
    const refused = h.add('tx', p, [tp('t', 2)]);
    expect(h.got('addPartitions', refused)).toBe(E.CONCURRENT_TRANSACTIONS);
    h.writeMarkers();
    for (const ticket of waiting) expect(h.got('addPartitions', ticket)).toBe(E.NONE);
  });
});

describe('transaction timeout', () => {
  it('a transaction open past its timeout is aborted with a raised epoch, fencing its producer', () => {
    const h = new TxnHarness();
    const p = h.open('tx', [tp('t', 0)]);
    expect(h.machine.nextDeadlineMs()).toBe(h.nowMs + timeoutMs);
    h.advance(timeoutMs - 1);
    expect(h.state('tx')).toBe('Ongoing');
    h.advance(1);
    expect(h.state('tx')).toBe('PrepareAbort');
    expect(h.pendingMarkers).toMatchObject([
      { result: 'abort', producerEpoch: p.producerEpoch + 1, partitions: [tp('t', 0)] },
    ]);
    expect(h.got('endTxn', h.end('tx', p, true)).errorCode).toBe(E.PRODUCER_FENCED);
    h.writeMarkers();
    expect(h.state('tx')).toBe('CompleteAbort');
    expect(h.got('addPartitions', h.add('tx', p, [tp('t', 0)]))).toBe(E.PRODUCER_FENCED);
    expect(h.producer('tx')).toEqual({ producerId: p.producerId, producerEpoch: p.producerEpoch + 2 });
  });

  it('a timeout abort whose write fails is tried again after the backoff with the same raised epoch', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.failWrites = 'timed_out';
    h.advance(timeoutMs);
    expect(h.state('tx')).toBe('Ongoing');
    expect(h.machine.nextDeadlineMs()).toBe(h.nowMs + testConfig.writeRetryBackoffMs);
    h.failWrites = null;
    h.advance(testConfig.writeRetryBackoffMs);
    expect(h.state('tx')).toBe('PrepareAbort');
    expect(h.machine.describe('tx')?.producerEpoch).toBe(p.producerEpoch + 1);
  });

  it('an idle id (no transaction open) never times out', () => {
    const h = new TxnHarness();
    h.producer('tx');
    expect(h.machine.nextDeadlineMs()).toBeNull();
    h.advance(10 * timeoutMs);
    expect(h.writtenStates('tx')).toEqual(['Empty']);
  });
});

describe('coordinator failover', () => {
  it('a new coordinator loaded from the log re-sends the markers of prepared transactions and completes them', () => {
    const old = new TxnHarness();
    const committer = old.open('committer', [tp('t', 0)]);
    expect(old.got('endTxn', old.end('committer', committer, true)).errorCode).toBe(E.NONE);
    const zombie = old.open('fenced', [tp('u', 1)]);
    const init = old.init('fenced');
    const open = old.open('open', [tp('v', 2)]);
    // The old coordinator dies with every marker unwritten; the new leader loads the partition.
    expect(old.pendingMarkers).toHaveLength(2);
    expect(old.answered(init)).toBe(false);
    const next = old.failover();
    expect(next.state('committer')).toBe('PrepareCommit');
    expect(next.state('fenced')).toBe('PrepareAbort');
    expect(next.state('open')).toBe('Ongoing');
    next.resume();
    expect(next.pendingMarkers).toEqual([
      {
        markersId: 1,
        transactionalId: 'committer',
        result: 'commit',
        ...committer,
        coordinatorEpoch: old.coordinatorEpoch + 1,
        partitions: [tp('t', 0)],
      },
      {
        markersId: 2,
        transactionalId: 'fenced',
        result: 'abort',
        producerId: zombie.producerId,
        producerEpoch: zombie.producerEpoch + 1,
        coordinatorEpoch: old.coordinatorEpoch + 1,
        partitions: [tp('u', 1)],
      },
    ]);
    next.writeMarkers();
    expect(next.state('committer')).toBe('CompleteCommit');
    expect(next.state('fenced')).toBe('CompleteAbort');
    // The committer's retried EndTxn learns its commit happened and it carries on with the next transaction.
    expect(next.got('endTxn', next.end('committer', committer, true)).errorCode).toBe(E.NONE);
    expect(next.got('addPartitions', next.add('committer', committer, [tp('t', 0)]))).toBe(E.NONE);
    // The new producer of 'fenced' retries InitProducerId and gets an epoch past the fenced one.
    expect(next.producer('fenced')).toEqual({ producerId: zombie.producerId, producerEpoch: zombie.producerEpoch + 2 });
    // The transaction left open still times out, from its original start.
    expect(next.machine.nextDeadlineMs()).toBeLessThanOrEqual(old.nowMs + timeoutMs);
    next.advance(timeoutMs);
    expect(next.state('open')).toBe('PrepareAbort');
    expect(next.got('endTxn', next.end('open', open, true)).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('a coordinator that loses the partition answers waiting requests and writes in flight NOT_COORDINATOR', () => {
    const h = new TxnHarness();
    const p = h.open('tx');
    h.got('endTxn', h.end('tx', p, true)).errorCode;
    const waiting = h.add('tx', p, [tp('t', 0)]);
    h.holdWrites = true;
    const init = h.init('other');
    h.apply(h.machine.abandon(h.nowMs));
    expect(h.got('addPartitions', waiting)).toBe(E.NOT_COORDINATOR);
    expect(h.got('initProducerId', init).errorCode).toBe(E.NOT_COORDINATOR);
    expect(h.machine.list()).toEqual([]);
  });
});

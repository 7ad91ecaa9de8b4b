/**
 * Transactions at the Partition (real PartitionLogs on an in-memory disk,
 * manual clock): an open transaction holds the last stable offset back,
 * writeTxnMarker's COMMIT or ABORT moves it, read_committed reads stop at
 * it and name the aborted transactions, followers copy markers into the
 * same producer state and aborted-transaction index.
 */
import { encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import { batchOf, fetchFrom, manualTime, partitionOn, state, type Time, valuesIn } from './replication-fixture.ts';

const leaderOnly = { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 } as const;
const markerAcks = { minInsyncReplicas: 1, timeoutMs: 5_000 } as const;

async function leaderOf(time: Time, replicas: number[]): Promise<Partition> {
  const p = await partitionOn(1, time);
  p.applyState(state(1, 1, replicas), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
  return p;
}

function txnBatch(producerId: bigint, seq: number, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: 1_700_000_000_000n,
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  });
}

async function produce(p: Partition, batch: Buffer): Promise<void> {
  const r = await p.appendAsLeader(batch, 1, leaderOnly);
  if (!r.ok) throw new Error(`not appended: ${r.error}`);
}

describe('Partition: transactions and the last stable offset', () => {
  it('an open transaction holds the LSO at its first offset while the high watermark moves on', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, batchOf('plain'));
    await produce(p, txnBatch(7n, 0, 'a'));
    await produce(p, batchOf('after'));
    expect(p.highWatermark).toBe(3n);
    expect(p.lastStableOffset).toBe(1n);
    const committed = await p.readCommitted(0n, 1 << 20, 'read_committed');
    expect(committed).toMatchObject({ ok: true, highWatermark: 3n, lastStableOffset: 1n, abortedTransactions: [] });
    if (!committed.ok) throw new Error('unreachable');
    expect(valuesIn(committed.records).map((r) => r.value)).toEqual(['plain']);
    const uncommitted = await p.readCommitted(0n, 1 << 20, 'read_uncommitted');
    if (!uncommitted.ok) throw new Error('unreachable');
    expect(uncommitted.abortedTransactions).toBeNull();
    expect(valuesIn(uncommitted.records).map((r) => r.value)).toEqual(['plain', 'a', 'after']);
    // At the LSO a read_committed fetch is valid and empty.
    expect(await p.readCommitted(1n, 1 << 20, 'read_committed')).toMatchObject({ ok: true, sizeBytes: 0 });
  });

  it('a COMMIT marker releases the LSO to the high watermark and names no aborted transaction', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, txnBatch(7n, 0, 'a', 'b'));
    expect(p.lastStableOffset).toBe(0n);
    expect(await p.writeTxnMarker(7n, 0, 3, 'commit', markerAcks)).toMatchObject({ ok: true, value: { offset: 2n } });
    expect(p.highWatermark).toBe(3n);
    expect(p.lastStableOffset).toBe(3n);
    const read = await p.readCommitted(0n, 1 << 20, 'read_committed');
    expect(read).toMatchObject({ ok: true, abortedTransactions: [] });
    if (!read.ok) throw new Error('unreachable');
    expect(valuesIn(read.records).map((r) => r.value)).toContain('a');
  });

  it('an ABORT marker releases the LSO and read_committed names the aborted transaction', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, txnBatch(7n, 0, 'x'));
    await produce(p, txnBatch(8n, 0, 'y'));
    expect(await p.writeTxnMarker(8n, 0, 3, 'abort', markerAcks)).toMatchObject({ ok: true, value: { offset: 2n } });
    // Producer 7's transaction (offset 0) is still open.
    expect(p.lastStableOffset).toBe(0n);
    await p.writeTxnMarker(7n, 0, 3, 'commit', markerAcks);
    expect(p.lastStableOffset).toBe(4n);
    const read = await p.readCommitted(0n, 1 << 20, 'read_committed');
    expect(read).toMatchObject({ ok: true, abortedTransactions: [{ producerId: 8n, firstOffset: 1n }] });
  });

  it('a marker from an older coordinator epoch than the last one is fenced and writes nothing', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, txnBatch(7n, 0, 'a'));
    await p.writeTxnMarker(7n, 0, 5, 'commit', markerAcks);
    await produce(p, txnBatch(7n, 1, 'b'));
    expect(await p.writeTxnMarker(7n, 0, 4, 'abort', markerAcks)).toEqual({ ok: false, error: 'coordinator_fenced' });
    expect(p.logEndOffset).toBe(3n);
    expect(p.lastStableOffset).toBe(2n);
  });

  it('a follower writes no marker, and copies the leader’s into the same open transactions and aborted index', async () => {
    const time = manualTime();
    const leader = await leaderOf(time, [1, 2]);
    const follower = await partitionOn(2, time);
    follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
    expect(await follower.writeTxnMarker(7n, 0, 1, 'abort', markerAcks)).toEqual({ ok: false, error: 'not_leader' });
    await produce(leader, txnBatch(7n, 0, 'x'));
    await leader.writeTxnMarker(7n, 0, 1, 'abort', markerAcks);
    const position = follower.fetchPosition();
    const answer = await leader.answerFollowerFetch(
      fetchFrom(2, position.fetchOffset, { leaderEpoch: 1, lastFetchedEpoch: position.lastFetchedEpoch }),
      1 << 20,
    );
    await follower.applyLeaderAnswer(position.fetchOffset, answer);
    expect(follower.logEndOffset).toBe(2n);
    expect(follower.log.firstUnstableOffset).toBeNull();
    expect(follower.log.abortedTransactions(0n, 2n)).toEqual([{ producerId: 7n, firstOffset: 0n }]);
  });

  it('a marker is acks=all: refused with the ISR below min.insync.replicas, replicated once the follower has it', async () => {
    const time = manualTime();
    const leader = await leaderOf(time, [1, 2]);
    const follower = await partitionOn(2, time);
    follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
    await produce(leader, txnBatch(7n, 0, 'x'));
    const refused = await leader.writeTxnMarker(7n, 0, 1, 'commit', { minInsyncReplicas: 3, timeoutMs: 5_000 });
    expect(refused).toEqual({ ok: false, error: 'not_enough_replicas' });
    expect(leader.logEndOffset).toBe(1n);

    const written = await leader.writeTxnMarker(7n, 0, 1, 'commit', { minInsyncReplicas: 2, timeoutMs: 5_000 });
    if (!written.ok) throw new Error(`not written: ${written.error}`);
    let outcome: string | null = null;
    void written.value.replicated.then((o) => {
      outcome = o;
    });
    await Promise.resolve();
    expect(outcome).toBeNull();
    // Two follower fetches: the first copies the marker, the second tells the leader the follower has it.
    for (let i = 0; i < 2; i++) {
      const position = follower.fetchPosition();
      const answer = await leader.answerFollowerFetch(
        fetchFrom(2, position.fetchOffset, { leaderEpoch: 1, lastFetchedEpoch: position.lastFetchedEpoch }),
        1 << 20,
      );
      await follower.applyLeaderAnswer(position.fetchOffset, answer);
    }
    expect(await written.value.replicated).toBe('done');
    expect(leader.highWatermark).toBe(2n);
  });

  it('an ABORT marker the high watermark has not passed keeps the LSO at its transaction: no read_committed read gets the aborted records', async () => {
    const time = manualTime();
    const leader = await leaderOf(time, [1, 2]);
    const follower = await partitionOn(2, time);
    follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
    const followerFetch = async (): Promise<void> => {
      const position = follower.fetchPosition();
      const answer = await leader.answerFollowerFetch(
        fetchFrom(2, position.fetchOffset, { leaderEpoch: 1, lastFetchedEpoch: position.lastFetchedEpoch }),
        1 << 20,
      );
      await follower.applyLeaderAnswer(position.fetchOffset, answer);
    };
    await produce(leader, txnBatch(7n, 0, 'aborted'));
    await produce(leader, batchOf('plain'));
    await followerFetch();
    await followerFetch();
    expect(leader.highWatermark).toBe(2n);
    expect(leader.lastStableOffset).toBe(0n);

    const written = await leader.writeTxnMarker(7n, 0, 1, 'abort', { minInsyncReplicas: 2, timeoutMs: 5_000 });
    if (!written.ok) throw new Error(`not written: ${written.error}`);
    expect(leader.logEndOffset).toBe(3n);
    // The marker (2) is stored on the leader only: were it lost with the leader, the transaction would be open again.
    expect(leader.lastStableOffset).toBe(0n);
    expect(await leader.readCommitted(0n, 1 << 20, 'read_committed')).toMatchObject({ ok: true, sizeBytes: 0 });

    await followerFetch();
    await followerFetch();
    expect(await written.value.replicated).toBe('done');
    expect(leader.lastStableOffset).toBe(3n);
    const read = await leader.readCommitted(0n, 1 << 20, 'read_committed');
    expect(read).toMatchObject({ ok: true, abortedTransactions: [{ producerId: 7n, firstOffset: 0n }] });
    // The follower, once it has passed the marker too, agrees.
    expect(follower.lastStableOffset).toBe(follower.highWatermark);
  });
});

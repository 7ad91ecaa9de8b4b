/**
 * Transactional offset commits through OffsetsStore on a real
 * `__consumer_offsets` Partition: the batch is the producer's (no
 * sequence), the partition's producer state accepts it as a coordinator's
 * and holds the last stable offset until the marker; a reload replays the
 * markers (commit, abort) and keeps what is still open pending. Also the
 * loader's replay rules on their own (OffsetsPartitionState).
 */
import { decodeRecordBatchesSync, isTransactional } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { OffsetsPartitionState } from '../src/groups/offsets-loader.ts';
import type { OffsetCommitValue } from '../src/groups/types.ts';
import { apply, openPartition, RecordingLifecycle, state, storeFor, until } from './offsets-fixture.ts';

const commit = (offset: bigint): OffsetCommitValue => ({
  offset,
  leaderEpoch: -1,
  metadata: '',
  commitTimestampMs: 1_000n,
});
const at = (offset: bigint, recordOffset: bigint) => ({ ...commit(offset), recordOffset });
const txn = (producerId: bigint, producerEpoch = 0) => ({ producerId, producerEpoch });
const record = (groupId: string, partition: number, value: OffsetCommitValue | null) =>
  ({ type: 'offset_commit', groupId, topic: 't', partition, value }) as const;

describe('OffsetsStore transactional writes', () => {
  it("one transactional batch of the producer, no sequence; the producer's later batches pass; the LSO waits for the marker", async () => {
    const p = await openPartition();
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const first = await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(5n) }], txn(9n));
    expect(first).toEqual({ ok: true, value: { baseOffset: 0n } });
    // A second commit in the same transaction: a client batch would be out of order or a duplicate.
    const second = await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(6n) }], txn(9n));
    expect(second).toEqual({ ok: true, value: { baseOffset: 1n } });
    const read = await p.log.read(0n, 1 << 20);
    const batches = read.ok ? decodeRecordBatchesSync(Buffer.concat(read.records)) : [];
    expect(
      batches.map((b) => [b.header.producerId, b.header.baseSequence, isTransactional(b.header.attributes)]),
    ).toEqual([
      [9n, -1, true],
      [9n, -1, true],
    ]);
    expect(p.highWatermark).toBe(2n);
    expect(p.lastStableOffset).toBe(0n);
    expect(await p.writeTxnMarker(9n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 })).toMatchObject({
      ok: true,
      value: { offset: 2n },
    });
    await until(() => p.lastStableOffset === 3n, 'the LSO to pass the marker');
  });

  it("an epoch older than the partition's is refused as invalid_producer_epoch and nothing is written", async () => {
    const p = await openPartition();
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    expect((await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(5n) }], txn(9n, 3))).ok).toBe(
      true,
    );
    const zombie = await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(1n) }], txn(9n, 2));
    expect(zombie).toMatchObject({ ok: false, error: 'invalid_producer_epoch' });
    expect(p.log.logEndOffset).toBe(1n);
  });

  it('a reload replays markers: committed commits count, aborted ones do not, open ones stay pending', async () => {
    const p = await openPartition();
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const write = async (partition: number, offset: bigint, producerId: bigint | null) => {
      const value = { topic: 't', partition, value: commit(offset) };
      const written = await store.writeOffsets('g', [value], producerId === null ? null : txn(producerId));
      expect(written.ok).toBe(true);
    };
    await write(0, 1n, null); // 0: plain
    await write(0, 10n, 1n); // 1: committed below
    await write(1, 20n, 2n); // 2: aborted below
    await write(1, 2n, null); // 3: plain, stays
    await write(2, 30n, 3n); // 4: still open at the end
    await write(0, 4n, null); // 5: plain, written after producer 1's commit: wins
    expect(await p.writeTxnMarker(1n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 })).toMatchObject({
      ok: true,
    });
    expect(await p.writeTxnMarker(2n, 0, 0, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 })).toMatchObject({
      ok: true,
    });
    await until(() => p.highWatermark === 8n, 'the markers to commit');

    const lifecycle = new RecordingLifecycle();
    const reloaded = storeFor(p, lifecycle);
    apply(reloaded, p, state(1, 2, [1]));
    await until(() => reloaded.status(0) === 'loaded', 'reload');
    expect(lifecycle.states.get(0)).toEqual({
      groups: new Map(),
      offsets: new Map([
        [
          'g',
          new Map([
            ['t:0', at(4n, 5n)],
            ['t:1', at(2n, 3n)],
          ]),
        ],
      ]),
      pendingTxnOffsets: new Map([[3n, new Map([['g', new Map([['t:2', at(30n, 4n)]])]])]]),
    });
  });
});

describe('OffsetsPartitionState (the loader replay)', () => {
  it('a COMMIT replaces only commits written before the transactional one', () => {
    const state = new OffsetsPartitionState();
    state.apply(record('g', 0, commit(1n)), 0n);
    state.apply(record('g', 0, commit(10n)), 1n, 7n);
    state.apply(record('g', 1, commit(20n)), 2n, 7n);
    state.apply(record('g', 1, commit(2n)), 3n);
    state.endTransaction(7n, 'commit');
    expect(state.snapshot().offsets.get('g')).toEqual(
      new Map([
        ['t:0', at(10n, 1n)],
        ['t:1', at(2n, 3n)],
      ]),
    );
    expect(state.snapshot().pendingTxnOffsets.size).toBe(0);
  });

  it('an ABORT drops the pending commits; a tombstone deletes a pending commit of its key too', () => {
    const state = new OffsetsPartitionState();
    state.apply(record('g', 0, commit(1n)), 0n);
    state.apply(record('g', 0, commit(10n)), 1n, 7n);
    state.endTransaction(7n, 'abort');
    expect(state.snapshot().offsets.get('g')?.get('t:0')).toEqual(at(1n, 0n));
    state.apply(record('g', 1, commit(5n)), 2n, 8n);
    state.apply(record('g', 1, null), 3n);
    state.endTransaction(8n, 'commit');
    expect(state.snapshot().offsets.get('g')?.has('t:1')).toBe(false);
  });

  it('a transaction open at the end stays pending per producer; a marker for no pending commits changes nothing', () => {
    const state = new OffsetsPartitionState();
    state.endTransaction(5n, 'commit');
    state.apply(record('h', 3, commit(7n)), 4n, 5n);
    expect(state.snapshot().offsets.size).toBe(0);
    expect(state.snapshot().pendingTxnOffsets).toEqual(
      new Map([[5n, new Map([['h', new Map([['t:3', at(7n, 4n)]])]])]]),
    );
  });
});

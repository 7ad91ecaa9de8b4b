/**
 * OffsetsStore over one real `__consumer_offsets` Partition in a temp dir
 * (no network): writes go to the log as one batch and resolve once
 * committed; role changes drive the coordinator lifecycle; a reload after a
 * leadership change rebuilds exactly what was written, tombstones included.
 */
import { silentLogger, systemClock } from '@runnel/common';
import { decodeRecordBatchesSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetsStore, type OffsetsStoreOptions } from '../src/groups/offsets-store.ts';
import {
  type CoordinatorLifecycle,
  consumerOffsetsTopic,
  type GroupMetadataValue,
  type LoadedPartition,
  type OffsetCommitValue,
} from '../src/groups/types.ts';
import type { Partition } from '../src/replication/partition.ts';
import type { PartitionState } from '../src/replication/partition-api.ts';
import {
  applyState,
  closeFixtures,
  followerCatchesUp,
  openPartition,
  state,
  until,
} from './coordinator-partition-fixture.ts';

afterEach(closeFixtures);

/** Records every lifecycle call in order; `loaded` keeps the state it was handed. */
class RecordingLifecycle implements CoordinatorLifecycle {
  readonly calls: string[] = [];
  readonly states = new Map<number, LoadedPartition>();
  loading(partition: number): void {
    this.calls.push(`loading ${partition}`);
  }
  loaded(partition: number, state: LoadedPartition): void {
    this.calls.push(`loaded ${partition}`);
    this.states.set(partition, state);
  }
  unloaded(partition: number): void {
    this.calls.push(`unloaded ${partition}`);
  }
}

function apply(store: OffsetsStore, p: Partition, s: PartitionState): void {
  applyState(store, p, s);
}

function storeFor(
  p: Partition,
  lifecycle: CoordinatorLifecycle,
  overrides: Partial<OffsetsStoreOptions> = {},
): OffsetsStore {
  return new OffsetsStore({
    partition: (index) => (index === p.index ? p : undefined),
    partitionCount: () => 1,
    lifecycle,
    minInsyncReplicas: () => 1,
    messageBytesMax: () => 1024 * 1024,
    logger: silentLogger(),
    clock: systemClock,
    ...overrides,
  });
}

const commit = (offset: bigint, metadata = ''): OffsetCommitValue => ({
  offset,
  leaderEpoch: -1,
  metadata,
  commitTimestampMs: 1_000n,
});

const groupValue: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 2,
  protocol: 'range',
  leader: 'm-1',
  currentStateTimestampMs: 5n,
  members: [
    {
      memberId: 'm-1',
      groupInstanceId: null,
      clientId: 'c',
      clientHost: '/127.0.0.1',
      rebalanceTimeoutMs: 1000,
      sessionTimeoutMs: 1000,
      subscription: Buffer.from('sub'),
      assignment: Buffer.from('asg'),
    },
  ],
};

describe('OffsetsStore lifecycle', () => {
  it('becoming leader loads an empty partition and reports loading then loaded', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle);
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    expect(lifecycle.calls).toEqual(['loading 0', 'loaded 0']);
    expect(lifecycle.states.get(0)).toEqual({ groups: new Map(), offsets: new Map() });
  });

  it('losing leadership unloads; a new leader epoch unloads and loads again', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle);
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'first load');
    apply(store, p, state(1, 2, [1]));
    await until(() => store.status(0) === 'loaded' && lifecycle.calls.length === 5, 'second load');
    apply(store, p, state(2, 3, [1, 2]));
    expect(lifecycle.calls).toEqual(['loading 0', 'loaded 0', 'unloaded 0', 'loading 0', 'loaded 0', 'unloaded 0']);
    expect(store.status(0)).toBe('none');
    expect(await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(1n) }])).toMatchObject({
      ok: false,
      error: 'not_coordinator',
    });
  });

  it('a load waiting for the high watermark answers coordinator_load_in_progress and is abandoned on losing leadership', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle, { commitTimeoutMs: 20 });
    // Leader with a follower that never fetches: the write reaches the log but not the high watermark.
    apply(store, p, state(1, 1, [1, 2]));
    await until(() => store.status(0) === 'loaded', 'first load');
    const written = await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(7n) }]);
    expect(written).toMatchObject({ ok: false, error: 'timed_out' });
    expect(p.log.logEndOffset).toBe(1n);
    expect(p.highWatermark).toBe(0n);

    // The follower never fetches, so the high watermark stays below the end the load reads to.
    apply(store, p, state(1, 2, [1, 2]));
    expect(store.status(0)).toBe('loading');
    expect(await store.writeGroup('g', groupValue)).toMatchObject({
      ok: false,
      error: 'coordinator_load_in_progress',
    });
    apply(store, p, state(2, 3, [1, 2]));
    expect(lifecycle.calls).toEqual(['loading 0', 'loaded 0', 'unloaded 0', 'loading 0', 'unloaded 0']);
  });

  it('a load completes once the follower brings the high watermark to the end it read', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle, { commitTimeoutMs: 20 });
    apply(store, p, state(1, 1, [1, 2]));
    await until(() => store.status(0) === 'loaded', 'first load');
    await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(7n) }]);
    apply(store, p, state(1, 2, [1, 2]));
    expect(store.status(0)).toBe('loading');
    expect(await followerCatchesUp(p, 2, 2)).toBe('none');
    await until(() => store.status(0) === 'loaded', 'second load');
    expect(lifecycle.states.get(0)?.offsets.get('g')?.get('t:0')).toEqual(commit(7n));
  });
});

describe('OffsetsStore writes', () => {
  it('one write is one batch of offset commit records, committed before it resolves', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const result = await store.writeOffsets('g', [
      { topic: 't', partition: 0, value: commit(10n) },
      { topic: 't', partition: 1, value: null },
    ]);
    expect(result).toEqual({ ok: true, value: undefined });
    expect(p.highWatermark).toBe(2n);
    const read = await p.log.read(0n, 1 << 20);
    expect(read.ok).toBe(true);
    const batches = read.ok ? decodeRecordBatchesSync(Buffer.concat(read.records)) : [];
    expect(batches).toHaveLength(1);
    expect(batches[0]?.records.map((r) => r.value === null)).toEqual([false, true]);
  });

  it('refuses commit metadata over offset.metadata.max.bytes and batches over max.message.bytes', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const store = storeFor(p, new RecordingLifecycle(), { messageBytesMax: () => 200 });
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const tooLong = await store.writeOffsets('g', [{ topic: 't', partition: 0, value: commit(1n, 'x'.repeat(4097)) }]);
    expect(tooLong).toMatchObject({ ok: false, error: 'record_too_large' });
    const many = Array.from({ length: 20 }, (_, i) => ({ topic: 't', partition: i, value: commit(1n) }));
    expect(await store.writeOffsets('g', many)).toMatchObject({ ok: false, error: 'record_too_large' });
    expect(p.log.logEndOffset).toBe(0n);
  });

  it('answers not_coordinator when the ISR is below min.insync.replicas', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const store = storeFor(p, new RecordingLifecycle(), { minInsyncReplicas: () => 2 });
    apply(store, p, state(1, 1, [1, 2], [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    expect(await store.writeGroup('g', groupValue)).toMatchObject({ ok: false, error: 'not_coordinator' });
  });

  it('a write waiting for acks answers not_coordinator when leadership moves', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1, 2]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const pending = store.writeGroup('g', groupValue);
    await until(() => p.ackWaiterCount === 1, 'the write to wait for acks');
    apply(store, p, state(2, 2, [1, 2]));
    expect(await pending).toMatchObject({ ok: false, error: 'not_coordinator' });
  });

  it('a reload rebuilds the latest commits and metadata, with tombstones deleting', async () => {
    const p = await openPartition(consumerOffsetsTopic);
    const store = storeFor(p, new RecordingLifecycle());
    apply(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    const writes = [
      store.writeGroup('a', groupValue),
      store.writeOffsets('a', [
        { topic: 't', partition: 0, value: commit(1n) },
        { topic: 't', partition: 1, value: commit(2n) },
      ]),
      store.writeOffsets('a', [
        { topic: 't', partition: 0, value: commit(5n, 'later') },
        { topic: 't', partition: 1, value: null },
      ]),
      store.writeGroup('b', { ...groupValue, generation: 9 }),
      store.writeGroup('b', null),
      store.writeOffsets('b', [{ topic: 'u', partition: 3, value: commit(3n) }]),
      store.writeOffsets('c', [{ topic: 'u', partition: 0, value: commit(4n) }]),
      store.writeOffsets('c', [{ topic: 'u', partition: 0, value: null }]),
    ];
    for (const result of await Promise.all(writes)) expect(result.ok).toBe(true);

    const lifecycle = new RecordingLifecycle();
    const reloaded = storeFor(p, lifecycle);
    apply(reloaded, p, state(2, 2, [1, 2]));
    apply(reloaded, p, state(1, 3, [1]));
    await until(() => reloaded.status(0) === 'loaded', 'reload');
    expect(lifecycle.states.get(0)).toEqual({
      groups: new Map([['a', groupValue]]),
      offsets: new Map([
        ['a', new Map([['t:0', commit(5n, 'later')]])],
        ['b', new Map([['u:3', commit(3n)]])],
      ]),
    });
  });
});

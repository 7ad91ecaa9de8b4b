/**
 * LocalMarkerWriter over real partitions in temp dirs: a marker on a
 * partition led here is appended as a control batch and reported written
 * once committed; a partition not led here is retried until it is led here
 * or the request is cancelled; a partition deleted from the metadata
 * counts as written.
 */
import { silentLogger } from '@runnel/common';
import { decodeRecordBatchesSync, isControl } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { realGroupTimers } from '../src/groups/group-timers.ts';
import type { Partition } from '../src/replication/partition.ts';
import { LocalMarkerWriter } from '../src/transactions/local-marker-writer.ts';
import type { MarkerRequest } from '../src/transactions/txn-core.ts';
import { applyState, closeFixtures, openPartition, state } from './coordinator-partition-fixture.ts';

afterEach(closeFixtures);

/** Role changes are the store's business, not the writer's: nobody listens here. */
const noStore = { onRoleChange: () => {} };

function writerFor(partitions: Partition[], exists: () => boolean = () => true): LocalMarkerWriter {
  return new LocalMarkerWriter({
    partition: (topic, index) => partitions.find((p) => p.topic === topic && p.index === index),
    exists,
    timers: realGroupTimers,
    logger: silentLogger(),
    retryBackoffMs: 5,
  });
}

const request = (partitions: { topic: string; partition: number }[]): MarkerRequest => ({
  markersId: 1,
  transactionalId: 'tx',
  result: 'commit',
  producerId: 4000n,
  producerEpoch: 2,
  coordinatorEpoch: 7,
  partitions,
});

async function controlBatches(p: Partition): Promise<number> {
  const read = await p.log.read(0n, 1 << 20, p.log.logEndOffset);
  const batches = decodeRecordBatchesSync(read.ok ? Buffer.concat(read.records) : Buffer.alloc(0));
  return batches.filter((b) => isControl(b.header.attributes) && b.header.producerId === 4000n).length;
}

describe('LocalMarkerWriter', () => {
  it('writes the marker on a partition led here and reports it once committed', async () => {
    const p = await openPartition('orders', 0);
    applyState(noStore, p, state(1, 1, [1]));
    expect(await writerFor([p]).write(request([{ topic: 'orders', partition: 0 }]), () => false)).toBe('written');
    expect(await controlBatches(p)).toBe(1);
    expect(p.highWatermark).toBe(1n);
  });

  it('retries a partition led elsewhere until it is led here', async () => {
    const p = await openPartition('orders', 0);
    applyState(noStore, p, state(2, 1, [1, 2]));
    const written = writerFor([p]).write(request([{ topic: 'orders', partition: 0 }]), () => false);
    // The first attempt ran before write() returned: a follower, so nothing written, a retry scheduled.
    expect(await controlBatches(p)).toBe(0);
    applyState(noStore, p, state(1, 2, [1]));
    expect(await written).toBe('written');
    expect(await controlBatches(p)).toBe(1);
  });

  it('stops when cancelled, and counts a deleted partition as written', async () => {
    const p = await openPartition('orders', 0);
    applyState(noStore, p, state(2, 1, [1, 2]));
    let cancelled = false;
    const pending = writerFor([p]).write(request([{ topic: 'orders', partition: 0 }]), () => cancelled);
    cancelled = true;
    expect(await pending).toBe('cancelled');
    const gone = writerFor([], () => false);
    expect(await gone.write(request([{ topic: 'deleted', partition: 3 }]), () => false)).toBe('written');
  });
});

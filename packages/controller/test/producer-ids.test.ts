/**
 * Producer id blocks (AllocateProducerIds): the pure rule, and the quorum
 * handing out disjoint blocks across restarts and leader changes, since
 * each block is committed before it is answered.
 */
import { ok } from '@runnel/common';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { allocateProducerIds, producerIdBlockSize } from '../src/logic/producer-ids.ts';
import { useGrpcQuorum } from './fixtures/grpc-quorum.ts';
import { useLocalQuorum } from './fixtures/local-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const registered = replayBatch(
  MetadataImage.empty,
  [{ type: 'register-broker', brokerId: 1, incarnationId: 'a', brokerEpoch: 0n, listeners: [], rack: null }],
  0n,
);

describe('allocateProducerIds (pure)', () => {
  it('gives a registered broker of the current epoch the next block and moves nextProducerId past it', () => {
    const first = allocateProducerIds(registered, { brokerId: 1, brokerEpoch: 0n });
    expect(first.result).toEqual(ok({ firstProducerId: 0n, size: producerIdBlockSize }));
    const after = replayBatch(registered, first.records, registered.lastOffset + 1n);
    expect(after.nextProducerId).toBe(BigInt(producerIdBlockSize));
    const second = allocateProducerIds(after, { brokerId: 1, brokerEpoch: 0n });
    expect(second.result).toEqual(ok({ firstProducerId: BigInt(producerIdBlockSize), size: producerIdBlockSize }));
  });

  it('refuses an unregistered broker with unknown_broker and a replaced registration with stale_broker_epoch, committing nothing', () => {
    expect(allocateProducerIds(registered, { brokerId: 2, brokerEpoch: 0n })).toMatchObject({
      records: [],
      result: { ok: false, error: 'unknown_broker' },
    });
    expect(allocateProducerIds(registered, { brokerId: 1, brokerEpoch: 7n })).toMatchObject({
      records: [],
      result: { ok: false, error: 'stale_broker_epoch' },
    });
  });
});

const local = useLocalQuorum('producer-ids');

describe('producer ids from a one-voter quorum', () => {
  it('blocks never overlap, also after the quorum restarts from its log and snapshot', async () => {
    let q = await local.start({ config: { snapshotIntervalRecords: 3 } });
    const brokers = await q.liveBrokers([1]);
    const ask = async (): Promise<bigint> => {
      const block = await q.channel.call('allocateProducerIds', { brokerId: 1, brokerEpoch: brokers.epoch(1) });
      if (!block.ok) throw new Error(block.error);
      expect(block.value.size).toBe(producerIdBlockSize);
      return block.value.firstProducerId;
    };
    const before = [await ask(), await ask(), await ask()];
    await q.stop();
    q = await local.start({ config: { snapshotIntervalRecords: 3 } });
    // A restarted quorum starts every session afresh; the broker re-registers with a new epoch.
    const again = await q.liveBrokers([1]);
    const block = await q.channel.call('allocateProducerIds', { brokerId: 1, brokerEpoch: again.epoch(1) });
    expect(block.ok).toBe(true);
    const starts = [...before, block.ok ? block.value.firstProducerId : -1n];
    expect(new Set(starts).size).toBe(4);
    const sorted = [...starts].sort((a, b) => (a < b ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      expect((sorted[i] ?? 0n) - (sorted[i - 1] ?? 0n)).toBeGreaterThanOrEqual(BigInt(producerIdBlockSize));
    }
  });
});

const quorum = useGrpcQuorum('producer-ids-failover');

describe('producer ids across a controller failover', () => {
  it('the new active controller continues after every block the old one answered', async () => {
    const { nodes, channel, liveBrokers } = await quorum();
    const brokers = await liveBrokers([1]);
    const first = await channel.call('allocateProducerIds', { brokerId: 1, brokerEpoch: brokers.epoch(1) });
    if (!first.ok) throw new Error(first.error);
    const active = await waitFor(() => nodes.find((n) => n.isActive), 'a leader');
    await active.stop();
    const next = await waitFor(() => nodes.find((n) => n !== active && n.isActive), 'a new leader');
    expect(next.image.nextProducerId).toBeGreaterThan(first.value.firstProducerId);
    const second = await waitFor(async () => {
      const block = await channel
        .call('allocateProducerIds', { brokerId: 1, brokerEpoch: brokers.epoch(1) })
        .catch(() => undefined);
      return block?.ok === true && block.value;
    }, 'a block from the new leader');
    expect(second.firstProducerId).toBeGreaterThanOrEqual(first.value.firstProducerId + BigInt(first.value.size));
  });
});

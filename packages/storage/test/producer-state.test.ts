/**
 * Producer state as pure logic: the table, the leader's checks and the
 * snapshot format, with the behaviours Kafka's producer-state tests pin
 * down (sequences, epochs, wraparound, markers, transactions, expiry,
 * replication without checks), in cases of our own.
 */
import { describe, expect, it } from 'vitest';
import { sequenceAfter } from '../src/producer-state/producer-entry.ts';
import { decodeProducerSnapshot, encodeProducerSnapshot } from '../src/producer-state/producer-snapshot.ts';
import { markerBatch, producerBatch, TableHarness } from './producer-fixture.ts';

const int32Max = 2_147_483_647;

describe('producer checks: sequences within an epoch', () => {
  it('batches whose first sequence follows the last one stored are appended and remembered with their offsets', () => {
    const h = new TableHarness();
    expect(h.client(producerBatch({ epoch: 0, seq: 0, records: 3 }))).toEqual({ kind: 'append' });
    h.skip(10n);
    expect(h.client(producerBatch({ epoch: 0, seq: 3, records: 2 }))).toEqual({ kind: 'append' });
    expect(h.table.get(1000n)?.batches).toEqual([
      { firstSeq: 0, lastSeq: 2, firstOffset: 0n, lastOffset: 2n, timestampMs: 1_700_000_000_000n },
      { firstSeq: 3, lastSeq: 4, firstOffset: 13n, lastOffset: 14n, timestampMs: 1_700_000_000_000n },
    ]);
  });

  it('a gap in the sequence is out_of_order_sequence and leaves the state as it was', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    const check = h.client(producerBatch({ epoch: 0, seq: 2 }));
    expect(check).toMatchObject({ kind: 'refused', error: 'out_of_order_sequence' });
    expect(h.table.get(1000n)?.batches.map((b) => b.lastSeq)).toEqual([0]);
  });

  it('a resend of the last batch is a duplicate answered with its original offsets', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0, records: 2 }));
    h.skip(5n);
    expect(h.client(producerBatch({ epoch: 0, seq: 0, records: 2 }))).toEqual({
      kind: 'duplicate',
      firstOffset: 0n,
      lastOffset: 1n,
      timestampMs: 1_700_000_000_000n,
    });
  });

  it('a batch repeating a stored first sequence with a different range is out of order, not a duplicate', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0, records: 2 }));
    expect(h.client(producerBatch({ epoch: 0, seq: 0, records: 3 }))).toMatchObject({
      kind: 'refused',
      error: 'out_of_order_sequence',
    });
  });

  it('each of the last five batches is recognised as a duplicate; the sixth newest is out of order', () => {
    const h = new TableHarness();
    for (let seq = 0; seq < 6; seq++) h.client(producerBatch({ epoch: 0, seq }));
    for (let seq = 1; seq < 6; seq++) {
      expect(h.client(producerBatch({ epoch: 0, seq }))).toMatchObject({ kind: 'duplicate', firstOffset: BigInt(seq) });
    }
    expect(h.client(producerBatch({ epoch: 0, seq: 0 }))).toMatchObject({
      kind: 'refused',
      error: 'out_of_order_sequence',
    });
  });

  it('a producer the partition has no state for is accepted at any sequence (KIP-360: no UNKNOWN_PRODUCER_ID)', () => {
    const h = new TableHarness();
    expect(h.client(producerBatch({ epoch: 3, seq: 42 }))).toEqual({ kind: 'append' });
    expect(h.client(producerBatch({ epoch: 3, seq: 44 }))).toMatchObject({ error: 'out_of_order_sequence' });
    expect(h.client(producerBatch({ epoch: 3, seq: 43 }))).toEqual({ kind: 'append' });
  });

  it('after sequence 2147483647 the next batch starts at 0; starting at 1 is out of order', () => {
    const h = new TableHarness();
    h.replicate(producerBatch({ epoch: 15, seq: int32Max }));
    expect(h.client(producerBatch({ epoch: 15, seq: 1 }))).toMatchObject({ error: 'out_of_order_sequence' });
    expect(h.client(producerBatch({ epoch: 15, seq: 0 }))).toEqual({ kind: 'append' });
    const entry = h.table.get(1000n);
    expect(entry?.batches.map((b) => [b.firstSeq, b.lastSeq])).toEqual([
      [int32Max, int32Max],
      [0, 0],
    ]);
  });

  it('a batch whose records wrap past 2147483647 ends at the wrapped sequence, and the next must follow it', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 1, seq: int32Max - 2, records: 5 }));
    expect(h.table.get(1000n)?.batches[0]).toMatchObject({ firstSeq: int32Max - 2, lastSeq: 1 });
    expect(h.client(producerBatch({ epoch: 1, seq: 3 }))).toMatchObject({ error: 'out_of_order_sequence' });
    expect(h.client(producerBatch({ epoch: 1, seq: 2 }))).toEqual({ kind: 'append' });
    expect(sequenceAfter(int32Max, 1)).toBe(0);
  });

  it('batches without a producer id are never checked and leave no state', () => {
    const h = new TableHarness();
    const plain = producerBatch({ producerId: -1n, epoch: -1, seq: -1 });
    expect(h.client(plain)).toEqual({ kind: 'append' });
    expect(h.client(plain)).toEqual({ kind: 'append' });
    expect(h.table.size).toBe(0);
  });
});

describe('producer checks: epochs', () => {
  it('a batch of an older epoch is invalid_producer_epoch', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 1, seq: 0 }));
    expect(h.client(producerBatch({ epoch: 0, seq: 1 }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_producer_epoch',
    });
  });

  it('a newer epoch starting at sequence 0 is accepted and forgets the old epoch: its retry is then fenced', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    h.client(producerBatch({ epoch: 0, seq: 1 }));
    expect(h.client(producerBatch({ epoch: 1, seq: 0 }))).toEqual({ kind: 'append' });
    expect(h.table.get(1000n)).toMatchObject({ epoch: 1, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 2n }] });
    expect(h.client(producerBatch({ epoch: 0, seq: 1 }))).toMatchObject({ error: 'invalid_producer_epoch' });
  });

  it('a newer epoch starting anywhere but sequence 0 is out_of_order_sequence', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    expect(h.client(producerBatch({ epoch: 1, seq: 1 }))).toMatchObject({
      kind: 'refused',
      error: 'out_of_order_sequence',
    });
    expect(h.table.get(1000n)?.epoch).toBe(0);
  });
});

describe('producer checks: several batches in one append', () => {
  it('later batches are checked against the state the earlier ones leave', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    const ok = h.client(producerBatch({ epoch: 0, seq: 1 }), producerBatch({ epoch: 0, seq: 2, records: 2 }));
    expect(ok).toEqual({ kind: 'append' });
    expect(h.table.get(1000n)?.batches.map((b) => [b.firstOffset, b.lastSeq])).toEqual([
      [0n, 0],
      [1n, 1],
      [2n, 3],
    ]);
    const gap = h.client(producerBatch({ epoch: 0, seq: 4 }), producerBatch({ epoch: 0, seq: 6 }));
    expect(gap).toMatchObject({ kind: 'refused', error: 'out_of_order_sequence' });
    expect(h.table.get(1000n)?.batches).toHaveLength(3);
  });

  it('a resend of a whole multi-batch append answers from the first one’s base offset to the last one’s end', () => {
    const h = new TableHarness();
    const first = () => producerBatch({ epoch: 0, seq: 0, records: 2 });
    const second = () => producerBatch({ epoch: 0, seq: 2, records: 3 });
    h.client(first(), second());
    h.skip(7n);
    expect(h.client(first(), second())).toMatchObject({ kind: 'duplicate', firstOffset: 0n, lastOffset: 4n });
  });

  it('an append mixing a stored batch with new ones is refused as out of order, in either order', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    const dupThenNew = h.client(producerBatch({ epoch: 0, seq: 0 }), producerBatch({ epoch: 0, seq: 1 }));
    expect(dupThenNew).toMatchObject({ kind: 'refused', error: 'out_of_order_sequence' });
    const newThenDup = h.client(producerBatch({ epoch: 0, seq: 1 }), producerBatch({ epoch: 0, seq: 0 }));
    expect(newThenDup).toMatchObject({ kind: 'refused', error: 'out_of_order_sequence' });
    expect(h.nextOffset).toBe(1n);
  });
});

describe('producer state: transactions and markers', () => {
  it('a transactional batch opens a transaction at its offset, later ones keep it, and a marker ends it', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    h.skip(5n);
    h.client(producerBatch({ epoch: 0, seq: 1, transactional: true }));
    h.client(producerBatch({ epoch: 0, seq: 2, transactional: true }));
    expect(h.table.get(1000n)?.currentTxnFirstOffset).toBe(6n);
    h.replicate(markerBatch({ epoch: 0, commit: true, coordinatorEpoch: 15 }));
    expect(h.table.get(1000n)).toMatchObject({ currentTxnFirstOffset: null, coordinatorEpoch: 15, epoch: 0 });
    // The marker leaves the data batches' sequences alone.
    expect(h.table.get(1000n)?.batches.map((b) => b.lastSeq)).toEqual([0, 1, 2]);
  });

  it('a non-transactional batch while the producer’s transaction is open is invalid_txn_state', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0, transactional: true }));
    expect(h.client(producerBatch({ epoch: 0, seq: 1 }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_txn_state',
    });
  });

  it('a marker that bumps the epoch (coordinator abort, KIP-360) ends the transaction and the next batch must start at 0', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0, transactional: true }));
    h.client(producerBatch({ epoch: 0, seq: 1, transactional: true }));
    h.replicate(markerBatch({ epoch: 1, commit: false, coordinatorEpoch: 3 }));
    expect(h.table.get(1000n)).toMatchObject({ epoch: 1, batches: [], currentTxnFirstOffset: null });
    expect(h.client(producerBatch({ epoch: 1, seq: 2, transactional: true }))).toMatchObject({
      error: 'out_of_order_sequence',
    });
    expect(h.client(producerBatch({ epoch: 2, seq: 2, transactional: true }))).toMatchObject({
      error: 'out_of_order_sequence',
    });
    expect(h.client(producerBatch({ epoch: 0, seq: 2, transactional: true }))).toMatchObject({
      error: 'invalid_producer_epoch',
    });
    expect(h.client(producerBatch({ epoch: 1, seq: 0, transactional: true }))).toEqual({ kind: 'append' });
  });

  it('an ended transaction holds the last stable offset until the high watermark passes its marker', () => {
    const h = new TableHarness();
    h.skip(3n);
    h.client(producerBatch({ epoch: 0, seq: 0, transactional: true })); // 3
    h.client(producerBatch({ producerId: 2000n, epoch: 0, seq: 0, transactional: true })); // 4
    h.replicate(markerBatch({ epoch: 0, commit: false, coordinatorEpoch: 1 })); // 5: ends 1000's
    expect(h.table.firstUnstableOffset()).toBe(4n);
    // The abort marker at 5 is not below the high watermark yet: 3 must stay unstable.
    expect(h.table.lastStableOffset(5n)).toBe(3n);
    expect(h.table.lastStableOffset(6n)).toBe(4n);
    h.replicate(markerBatch({ producerId: 2000n, epoch: 0, commit: true, coordinatorEpoch: 1 })); // 6
    expect(h.table.lastStableOffset(6n)).toBe(4n);
    expect(h.table.lastStableOffset(7n)).toBe(7n);
    // Forgotten once passed: a lower high watermark (never asked for outside a truncation) no longer sees it.
    expect(h.table.lastStableOffset(5n)).toBe(5n);
  });

  it('a marker for a producer with no state still fences older epochs and demands sequence 0', () => {
    const h = new TableHarness();
    h.replicate(markerBatch({ epoch: 2, commit: true, coordinatorEpoch: 0, timestampMs: 27n }));
    expect(h.table.get(1000n)).toMatchObject({ epoch: 2, batches: [], lastTimestampMs: 27n });
    expect(h.client(producerBatch({ epoch: 1, seq: 0 }))).toMatchObject({ error: 'invalid_producer_epoch' });
    expect(h.client(producerBatch({ epoch: 2, seq: 17 }))).toMatchObject({ error: 'out_of_order_sequence' });
    expect(h.client(producerBatch({ epoch: 2, seq: 0 }))).toEqual({ kind: 'append' });
  });
});

describe('producer checks: batches a coordinator writes for a producer', () => {
  it('sequence -1 batches of one transaction all pass, are never duplicates, and open the transaction', () => {
    const h = new TableHarness();
    const commit = producerBatch({ epoch: 2, seq: -1, transactional: true });
    expect(h.coordinator(commit)).toEqual({ kind: 'append' });
    expect(h.coordinator(commit)).toEqual({ kind: 'append' });
    expect(h.table.get(1000n)?.currentTxnFirstOffset).toBe(0n);
    // Checked as a client's, the next commit would be taken for a retry of the last one and not written.
    expect(h.client(commit)).toMatchObject({ kind: 'duplicate' });
  });

  it('an older epoch is still invalid_producer_epoch', () => {
    const h = new TableHarness();
    h.coordinator(producerBatch({ epoch: 2, seq: -1, transactional: true }));
    expect(h.coordinator(producerBatch({ epoch: 1, seq: -1, transactional: true }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_producer_epoch',
    });
  });
});

describe('producer state: what followers and recovery take without checks', () => {
  it('a copied batch is taken as the leader wrote it, gap or not, and becomes what the next client batch follows', () => {
    const h = new TableHarness();
    h.client(producerBatch({ epoch: 0, seq: 0 }));
    expect(h.client(producerBatch({ epoch: 0, seq: 3 }))).toMatchObject({ error: 'out_of_order_sequence' });
    h.replicate(producerBatch({ epoch: 0, seq: 3 }));
    expect(h.table.get(1000n)?.batches.at(-1)?.lastSeq).toBe(3);
    expect(h.client(producerBatch({ epoch: 0, seq: 4 }))).toEqual({ kind: 'append' });
  });

  it('the first batch replayed for a producer is taken at whatever epoch and sequence it has', () => {
    const h = new TableHarness();
    h.skip(735n);
    h.replicate(producerBatch({ epoch: 5, seq: 16 }));
    expect(h.table.get(1000n)).toMatchObject({
      epoch: 5,
      batches: [{ firstSeq: 16, lastSeq: 16, firstOffset: 735n, lastOffset: 735n }],
    });
  });
});

describe('producer state: expiry', () => {
  it('producers idle for producer.id.expiration.ms go; recent ones and ones with an open transaction stay', () => {
    const h = new TableHarness();
    h.client(producerBatch({ producerId: 1n, epoch: 0, seq: 0, timestampMs: 1_000n }));
    h.client(producerBatch({ producerId: 2n, epoch: 0, seq: 0, timestampMs: 1_000n, transactional: true }));
    h.client(producerBatch({ producerId: 3n, epoch: 0, seq: 0, timestampMs: 50_000n }));
    expect(h.table.expire(60_999n, 60_000)).toBe(0);
    expect(h.table.expire(61_000n, 60_000)).toBe(1);
    expect([...h.table.entries()].map((e) => e.producerId).sort()).toEqual([2n, 3n]);
    // Expired, the producer is unknown again: its next batch is accepted at any sequence.
    expect(h.client(producerBatch({ producerId: 1n, epoch: 0, seq: 7 }))).toEqual({ kind: 'append' });
  });
});

describe('producer snapshot format', () => {
  function sampleEntries() {
    const h = new TableHarness();
    for (let i = 0; i < 7; i++) h.client(producerBatch({ producerId: 7n, epoch: 4, seq: i * 2, records: 2 }));
    h.client(producerBatch({ producerId: 8n, epoch: 0, seq: 0, transactional: true }));
    h.replicate(markerBatch({ producerId: 9n, epoch: 3, commit: false, coordinatorEpoch: 11 }));
    return [...h.table.entries()];
  }

  it('round-trips every field of every entry, all five retained batches included', () => {
    const entries = sampleEntries();
    const decoded = decodeProducerSnapshot(encodeProducerSnapshot(entries));
    expect(decoded).toEqual({ ok: true, value: entries });
    expect(entries[0]?.batches).toHaveLength(5);
  });

  it('an empty table is a valid snapshot', () => {
    expect(decodeProducerSnapshot(encodeProducerSnapshot([]))).toEqual({ ok: true, value: [] });
  });

  it('a flipped byte, a cut, trailing bytes or an unknown version are corrupt, never an exception', () => {
    const good = encodeProducerSnapshot(sampleEntries());
    const flipped = Buffer.from(good);
    flipped[40] = (flipped[40] ?? 0) ^ 0xff;
    const version = Buffer.from(good);
    version.writeInt16BE(2, 0);
    for (const bad of [flipped, good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.alloc(1)]), version]) {
      expect(decodeProducerSnapshot(bad)).toMatchObject({ ok: false, error: 'corrupt' });
    }
    expect(decodeProducerSnapshot(Buffer.alloc(0))).toMatchObject({ ok: false, error: 'corrupt' });
  });
});

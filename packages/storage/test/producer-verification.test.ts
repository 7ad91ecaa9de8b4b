/**
 * KIP-890 part 1 on the producer-state table: a transactional batch that
 * would open its producer's transaction on the partition is stored only
 * with the guard of a verification the table still holds; a marker or the
 * transaction opening in between drops the guard, so a produce that a
 * marker overtook (a late or duplicated request) cannot open a
 * transaction nobody will end.
 */
import { describe, expect, it } from 'vitest';
import { markerBatch, producerBatch, TableHarness } from './producer-fixture.ts';

describe('transaction verification guards', () => {
  it('a verified first transactional batch opens the transaction; the guard is then spent', () => {
    const h = new TableHarness();
    const guard = h.table.verificationGuard(1000n, 0);
    expect(guard).not.toBeNull();
    expect(h.verifiedClient({ guard }, producerBatch({ epoch: 0, seq: 0, transactional: true }))).toEqual({
      kind: 'append',
    });
    expect(h.table.get(1000n)?.currentTxnFirstOffset).toBe(0n);
    // With the transaction open here, later batches need no verification.
    expect(h.table.verificationGuard(1000n, 0)).toBeNull();
    expect(h.verifiedClient({ guard: null }, producerBatch({ epoch: 0, seq: 1, transactional: true }))).toEqual({
      kind: 'append',
    });
  });

  it('without a verification (or with none held) the first transactional batch is invalid_txn_state and nothing is stored', () => {
    const h = new TableHarness();
    expect(h.verifiedClient({ guard: null }, producerBatch({ epoch: 0, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_txn_state',
    });
    expect(h.table.get(1000n)).toBeUndefined();
    expect(h.nextOffset).toBe(0n);
  });

  it('a marker between the verification and the append drops the guard: the late batch is refused', () => {
    const h = new TableHarness();
    h.verifiedClient(
      { guard: h.table.verificationGuard(1000n, 0) },
      producerBatch({ epoch: 0, seq: 0, transactional: true }),
    );
    const late = h.table.verificationGuard(1000n, 0);
    expect(late).toBeNull();
    // A produce that verified before the commit marker of the transaction it belongs to...
    const stale = h.table.verificationGuard(2000n, 0);
    h.replicate(markerBatch({ producerId: 2000n, epoch: 0, commit: true, coordinatorEpoch: 1 }));
    h.replicate(markerBatch({ epoch: 0, commit: true, coordinatorEpoch: 1 }));
    expect(
      h.verifiedClient({ guard: stale }, producerBatch({ producerId: 2000n, epoch: 0, seq: 0, transactional: true })),
    ).toMatchObject({ kind: 'refused', error: 'invalid_txn_state' });
    // ...and a fresh verification admits the next transaction's first batch.
    const fresh = h.table.verificationGuard(1000n, 0);
    expect(h.verifiedClient({ guard: fresh }, producerBatch({ epoch: 0, seq: 1, transactional: true }))).toEqual({
      kind: 'append',
    });
  });

  it('another producer’s guard does not admit a batch, and appends without verification are not checked', () => {
    const h = new TableHarness();
    const other = h.table.verificationGuard(2000n, 0);
    expect(h.verifiedClient({ guard: other }, producerBatch({ epoch: 0, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_txn_state',
    });
    expect(h.client(producerBatch({ epoch: 0, seq: 0, transactional: true }))).toEqual({ kind: 'append' });
  });

  it('non-transactional batches never need a verification', () => {
    const h = new TableHarness();
    expect(h.verifiedClient({ guard: null }, producerBatch({ epoch: 0, seq: 0 }))).toEqual({ kind: 'append' });
  });

  it('clearing the table (truncation, reload) drops every guard', () => {
    const h = new TableHarness();
    const guard = h.table.verificationGuard(1000n, 0);
    h.table.clear();
    expect(h.verifiedClient({ guard }, producerBatch({ epoch: 0, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
    });
  });

  it('transaction version 2: a batch of the raised epoch is verified even while the earlier transaction is open here', () => {
    const h = new TableHarness();
    h.verifiedClient(
      { guard: h.table.verificationGuard(1000n, 0) },
      producerBatch({ epoch: 0, seq: 0, transactional: true }),
    );
    // The first transaction is open at epoch 0; its marker (at epoch 1) has not arrived yet.
    expect(h.table.verificationGuard(1000n, 0)).toBeNull();
    const guard = h.table.verificationGuard(1000n, 1);
    expect(guard).not.toBeNull();
    // The next transaction's first batch may not join the open one, verified or not...
    expect(h.verifiedClient({ guard }, producerBatch({ epoch: 1, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_txn_state',
    });
    expect(h.client(producerBatch({ epoch: 1, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
      error: 'invalid_txn_state',
    });
    // ...and once the marker ends it, the guard taken before the marker is spent: a fresh one admits the batch.
    h.replicate(markerBatch({ epoch: 1, commit: true, coordinatorEpoch: 1 }));
    expect(h.verifiedClient({ guard }, producerBatch({ epoch: 1, seq: 0, transactional: true }))).toMatchObject({
      kind: 'refused',
    });
    const fresh = h.table.verificationGuard(1000n, 1);
    expect(h.verifiedClient({ guard: fresh }, producerBatch({ epoch: 1, seq: 0, transactional: true }))).toEqual({
      kind: 'append',
    });
    expect(h.table.get(1000n)).toMatchObject({ epoch: 1, currentTxnFirstOffset: h.nextOffset - 1n });
  });
});

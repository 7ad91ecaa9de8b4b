import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssertionError, silentLogger } from '@runnel/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftLogStore } from '../src/raft/raft-log-store.ts';
import { RaftStoreOpenError } from '../src/raft/raft-store-open-error.ts';
import { entry, entryRange, ready, snapshotAt, text } from './fixtures/raft-readies.ts';

let dir: string;
const open: RaftLogStore[] = [];

async function openStore(): Promise<RaftLogStore> {
  const store = await RaftLogStore.open({ dir, logger: silentLogger() });
  open.push(store);
  return store;
}

async function reopen(store: RaftLogStore): Promise<RaftLogStore> {
  await store.close();
  return openStore();
}

/** Everything a reader can see, for comparing two opens of the same store. */
function view(store: RaftLogStore) {
  const first = store.firstIndex();
  const last = store.lastIndex();
  return {
    initialState: store.initialState(),
    first,
    last,
    termBefore: store.term(first - 1),
    entries:
      last >= first
        ? store.entries(first, last + 1, Number.MAX_SAFE_INTEGER).map((e) => ({ ...e, data: text(e) }))
        : [],
    snapshot: { metadata: store.snapshot().metadata, data: Buffer.from(store.snapshot().data).toString() },
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-raft-store-'));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('RaftLogStore', () => {
  it('a new store is empty: first index 1, last index 0, zero hard state, empty snapshot', async () => {
    const store = await openStore();
    expect(store.firstIndex()).toBe(1);
    expect(store.lastIndex()).toBe(0);
    expect(store.term(0)).toBe(0);
    expect(store.initialState()).toEqual({
      hardState: { term: 0, vote: 0, commit: 0 },
      confState: { voters: [], learners: [] },
    });
    expect(store.snapshot().metadata).toEqual({ index: 0, term: 0, confState: { voters: [], learners: [] } });
  });

  it('the rejoining mark survives a reopen while set and stays gone once cleared', async () => {
    let store = await openStore();
    expect(store.rejoining).toBe(false);
    await store.setRejoining(true);
    await store.persist(ready({ entries: entryRange(1, 2, 1), hardState: { term: 1, vote: 0, commit: 1 } }));
    store = await reopen(store);
    expect(store.rejoining).toBe(true);
    await store.setRejoining(false);
    store = await reopen(store);
    expect([store.rejoining, store.lastIndex()]).toEqual([false, 2]);
  });

  it('persisted entries and hard state are readable at once and identical after reopen', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 1, commit: 0 } }));
    await store.persist(
      ready({
        entries: [entry(4, 2), { index: 5, term: 2, type: 'conf-change', data: Buffer.from([1, 2, 3]) }],
        hardState: { term: 2, vote: 3, commit: 4 },
      }),
    );
    await store.saveConfState({ voters: [1, 2, 3], learners: [4] });
    expect(store.lastIndex()).toBe(5);
    expect(store.term(3)).toBe(1);
    expect(store.term(5)).toBe(2);
    expect(store.entries(2, 5, 1_000).map(text)).toEqual(['e2t1', 'e3t1', 'e4t2']);
    const before = view(store);

    store = await reopen(store);
    expect(view(store)).toEqual(before);
    expect(store.initialState()).toEqual({
      hardState: { term: 2, vote: 3, commit: 4 },
      confState: { voters: [1, 2, 3], learners: [4] },
    });
    expect(store.entries(5, 6, 0)[0]).toMatchObject({ type: 'conf-change', term: 2 });
  });

  it('entries() stops at maxBytes of data but always returns at least one entry', async () => {
    const store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 5, 1) })); // 4 bytes of data each
    expect(store.entries(1, 6, 8).map((e) => e.index)).toEqual([1, 2]);
    expect(store.entries(1, 6, 9).map((e) => e.index)).toEqual([1, 2]);
    expect(store.entries(3, 6, 0).map((e) => e.index)).toEqual([3]);
    expect(store.entries(3, 3, 100)).toEqual([]);
  });

  it('an entry at an existing index replaces that entry and the whole suffix after it, also on disk', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 6, 1), hardState: { term: 1, vote: 1, commit: 2 } }));
    await store.persist(ready({ entries: [entry(4, 2), entry(5, 2)], hardState: { term: 2, vote: 2, commit: 2 } }));
    expect(store.lastIndex()).toBe(5);
    expect(store.entries(1, 6, 1_000).map(text)).toEqual(['e1t1', 'e2t1', 'e3t1', 'e4t2', 'e5t2']);

    store = await reopen(store);
    expect(store.lastIndex()).toBe(5);
    expect(store.entries(1, 6, 1_000).map(text)).toEqual(['e1t1', 'e2t1', 'e3t1', 'e4t2', 'e5t2']);
    // The log keeps growing from the new tail.
    await store.persist(ready({ entries: [entry(6, 2)] }));
    expect(store.term(6)).toBe(2);
  });

  it('createSnapshot keeps the log; compact then drops the covered prefix and term(firstIndex-1) still answers', async () => {
    const store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 4, 1), hardState: { term: 1, vote: 1, commit: 0 } }));
    await store.persist(ready({ entries: entryRange(5, 10, 2), hardState: { term: 2, vote: 1, commit: 8 } }));
    const conf = { voters: [1, 2, 3], learners: [] };
    const snap = await store.createSnapshot(7, conf, Buffer.from('image@7'));
    expect(snap.metadata).toEqual({ index: 7, term: 2, confState: conf });
    expect(store.firstIndex()).toBe(1);

    await store.compact(3);
    expect(store.firstIndex()).toBe(4);
    expect(store.term(3)).toBe(1);
    await store.compact(7);
    expect(store.firstIndex()).toBe(8);
    expect(store.term(7)).toBe(2);
    expect(() => store.entries(7, 9, 1_000)).toThrow(AssertionError);
    await expect(store.compact(9)).rejects.toThrow(/compacting to 9 with the newest snapshot at 7/);
  });

  it('compacting to the snapshot survives a reopen with the same snapshot, first index and entries', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 10, 3), hardState: { term: 3, vote: 1, commit: 9 } }));
    await store.createSnapshot(6, { voters: [1], learners: [] }, Buffer.from('image@6'));
    await store.compact(6);
    const before = view(store);
    expect(before.first).toBe(7);

    store = await reopen(store);
    expect(view(store)).toEqual(before);
    expect(Buffer.from(store.snapshot().data).toString()).toBe('image@6');
  });

  it('a snapshot from the leader that conflicts with the log replaces all of it, with its membership', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 8, 1), hardState: { term: 1, vote: 1, commit: 3 } }));
    const conf = { voters: [1, 2, 3], learners: [5] };
    await store.persist(
      ready({
        snapshot: snapshotAt(6, 4, conf, 'leader image@6'),
        entries: [entry(7, 4), entry(8, 5)],
        hardState: { term: 5, vote: 2, commit: 6 },
      }),
    );
    expect(store.firstIndex()).toBe(7);
    expect(store.term(6)).toBe(4);
    expect(store.entries(7, 9, 1_000).map(text)).toEqual(['e7t4', 'e8t5']);
    expect(store.initialState().confState).toEqual(conf);

    store = await reopen(store);
    expect(store.firstIndex()).toBe(7);
    expect(store.lastIndex()).toBe(8);
    expect(store.snapshot().metadata).toEqual({ index: 6, term: 4, confState: conf });
    expect(store.initialState()).toEqual({ hardState: { term: 5, vote: 2, commit: 6 }, confState: conf });
  });

  it('a snapshot that agrees with the log at its index still replaces the whole log, as the core expects', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 8, 2), hardState: { term: 2, vote: 1, commit: 3 } }));
    await store.persist(ready({ snapshot: snapshotAt(5, 2, { voters: [1], learners: [] }, 'image@5') }));
    expect([store.firstIndex(), store.lastIndex(), store.term(5)]).toEqual([6, 5, 2]);

    store = await reopen(store);
    expect([store.firstIndex(), store.lastIndex(), store.term(5)]).toEqual([6, 5, 2]);
  });

  it('a snapshot beyond the end of the log leaves an empty log after it', async () => {
    let store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 2, 1), hardState: { term: 1, vote: 1, commit: 1 } }));
    await store.persist(
      ready({
        snapshot: snapshotAt(50, 3, { voters: [1, 2], learners: [] }, 'image@50'),
        hardState: { term: 3, vote: 0, commit: 50 },
      }),
    );
    store = await reopen(store);
    expect([store.firstIndex(), store.lastIndex(), store.term(50)]).toEqual([51, 50, 3]);
    await store.persist(ready({ entries: [entry(51, 3)], hardState: { term: 3, vote: 0, commit: 51 } }));
    expect(store.entries(51, 52, 0).map(text)).toEqual(['e51t3']);
  });

  it('a Ready that would break the log rejects with AssertionError and the store refuses every later call', async () => {
    const store = await openStore();
    await store.persist(ready({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 1, commit: 3 } }));
    await expect(store.persist(ready({ entries: [entry(2, 2)] }))).rejects.toThrow(/overwrites committed entry 2/);
    expect(() => store.lastIndex()).toThrow(/failed a persist .* driver must exit and reopen/);
    expect(() => store.persist(ready({ entries: [entry(4, 1)] }))).toThrow(AssertionError);

    // Nothing of the refused Ready reached the disk.
    const reopened = await reopen(store);
    expect(reopened.entries(1, 4, 1_000).map(text)).toEqual(['e1t1', 'e2t1', 'e3t1']);
  });

  it('writes queued behind a failed one are refused instead of applied', async () => {
    const store = await openStore();
    const gap = store.persist(ready({ entries: [entry(5, 1)] }));
    const next = store.persist(ready({ entries: [entry(1, 1)] }));
    await expect(gap).rejects.toThrow(/leaving a gap after the last entry 0/);
    await expect(next).rejects.toThrow(/failed a persist/);
  });

  it('a second open of the same directory fails with a locked error naming the directory', async () => {
    await openStore();
    const second = RaftLogStore.open({ dir, logger: silentLogger() });
    await expect(second).rejects.toBeInstanceOf(RaftStoreOpenError);
    await expect(second).rejects.toMatchObject({ reason: 'locked' });
    await expect(second).rejects.toThrow(`the Raft store in ${dir} is in use by another process`);
  });
});

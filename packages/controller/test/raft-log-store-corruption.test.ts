import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@runnel/common';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftLogStore } from '../src/raft/raft-log-store.ts';
import {
  encodeEntry,
  encodeHardState,
  encodeLogStart,
  entryKey,
  hardStateKey,
  logStartKey,
  snapshotKey,
} from '../src/raft/raft-store-codec.ts';
import { RaftStoreOpenError } from '../src/raft/raft-store-open-error.ts';
import { entry, entryRange, ready } from './fixtures/raft-readies.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-raft-corrupt-'));
  // A healthy store: entries 1..5, commit 3, a snapshot at 2 (log not compacted).
  const store = await RaftLogStore.open({ dir, logger: silentLogger() });
  await store.persist(ready({ entries: entryRange(1, 3, 1), hardState: { term: 1, vote: 1, commit: 0 } }));
  await store.persist(ready({ entries: entryRange(4, 5, 2), hardState: { term: 2, vote: 1, commit: 3 } }));
  await store.createSnapshot(2, { voters: [1], learners: [] }, Buffer.from('image@2'));
  await store.close();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Edits the store's database directly, as a disk fault or a stray tool would. */
async function tamper(edit: (db: Level<Buffer, Buffer>) => Promise<void>): Promise<void> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  try {
    await edit(db);
  } finally {
    await db.close();
  }
}

/** Opens the store expecting a corrupt error; returns its detail after checking the operator advice. */
async function corruptDetail(): Promise<string> {
  const opened = await RaftLogStore.open({ dir, logger: silentLogger() }).then(
    async (store) => {
      await store.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(opened).toBeInstanceOf(RaftStoreOpenError);
  const error = opened as RaftStoreOpenError;
  expect(error.reason).toBe('corrupt');
  expect(error.message).toContain(`the Raft store in ${dir} is damaged: ${error.detail}. `);
  expect(error.message).toContain(`move ${dir} aside`);
  expect(error.message).toContain('docs/controller-store.md');
  return error.detail;
}

describe('RaftLogStore open on a damaged store', () => {
  it('the untouched store opens cleanly (so every failure below is caused by the damage)', async () => {
    const store = await RaftLogStore.open({ dir, logger: silentLogger() });
    expect([store.firstIndex(), store.lastIndex(), store.snapshot().metadata.index]).toEqual([1, 5, 2]);
    await store.close();
  });

  it('a missing entry in the middle of the log is reported as a gap naming the index', async () => {
    await tamper((db) => db.del(entryKey(3)));
    expect(await corruptDetail()).toBe('entry 3 is missing (the log jumps from 2 to 4)');
  });

  it('a missing first entry is reported as the log starting late', async () => {
    await tamper((db) => db.del(entryKey(1)));
    expect(await corruptDetail()).toBe('entry 1 is missing (the log starts at 2)');
  });

  it('several missing entries are reported as one range', async () => {
    await tamper((db) => db.batch([entryKey(2), entryKey(3)].map((key) => ({ type: 'del' as const, key }))));
    expect(await corruptDetail()).toBe('entries 2..3 are missing (the log jumps from 1 to 4)');
  });

  it('a garbage entry value is reported as an entry that does not decode', async () => {
    await tamper((db) => db.put(entryKey(4), Buffer.from('garbage')));
    expect(await corruptDetail()).toMatch(/^entry 4 does not decode \(/);
  });

  it('a garbage hard state is reported as a hard state that does not decode', async () => {
    await tamper((db) => db.put(hardStateKey, Buffer.from([1, 2, 3])));
    expect(await corruptDetail()).toMatch(/^the hard state does not decode \(/);
  });

  it('a garbage snapshot is reported as a snapshot that does not decode', async () => {
    await tamper((db) => db.put(snapshotKey, Buffer.from([9])));
    expect(await corruptDetail()).toBe('the snapshot does not decode (unknown format version 9)');
  });

  it('a commit index beyond the last entry is reported with both numbers', async () => {
    await tamper((db) => db.put(hardStateKey, encodeHardState({ term: 2, vote: 1, commit: 9 })));
    expect(await corruptDetail()).toBe("the hard state's commit index 9 is beyond the last entry 5");
  });

  it('a term that goes down along the log is reported at the entry where it drops', async () => {
    await tamper((db) => db.put(entryKey(5), encodeEntry(entry(5, 1))));
    expect(await corruptDetail()).toBe('entry 5 has term 1, below the term 2 before it (terms must not decrease)');
  });

  it('a first index beyond the snapshot is reported as compacted entries nothing covers', async () => {
    await tamper(async (db) => {
      await db.batch([
        { type: 'del', key: entryKey(1) },
        { type: 'del', key: entryKey(2) },
        { type: 'del', key: entryKey(3) },
        { type: 'put', key: logStartKey, value: encodeLogStart({ firstIndex: 4, termBefore: 1 }) },
      ]);
    });
    expect(await corruptDetail()).toBe('the snapshot at 2 does not cover the compacted entries up to 3');
  });

  it('an entry left below the first index is reported as a compaction leftover', async () => {
    await tamper((db) => db.put(logStartKey, encodeLogStart({ firstIndex: 3, termBefore: 1 })));
    expect(await corruptDetail()).toBe('entry 1 is below the first index 3 (left over from a compaction)');
  });

  it('a flipped bit in an entry is caught by the entry checksum', async () => {
    const value = encodeEntry(entry(4, 2));
    value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 0x01;
    await tamper((db) => db.put(entryKey(4), value));
    expect(await corruptDetail()).toMatch(
      /^entry 4 does not decode \(checksum mismatch \(stored 0x[0-9a-f]{8}, computed/,
    );
  });

  it('a flipped bit in the hard state is caught by its checksum', async () => {
    const value = encodeHardState({ term: 2, vote: 1, commit: 3 });
    value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 0x02;
    await tamper((db) => db.put(hardStateKey, value));
    expect(await corruptDetail()).toMatch(/^the hard state does not decode \(checksum mismatch/);
  });

  it("an entry of a term above the hard state's term is reported", async () => {
    await tamper((db) => db.put(hardStateKey, encodeHardState({ term: 1, vote: 1, commit: 3 })));
    expect(await corruptDetail()).toBe("the last entry's term 2 is above the hard state's term 1");
  });

  it('a store written before checksums (version 1 values) still opens, and new writes carry checksums', async () => {
    // Version 1: the same body after the version byte, no CRC (what stores written before hold).
    const legacy = (value: Buffer): Buffer => Buffer.concat([Buffer.from([1]), value.subarray(5)]);
    await tamper((db) =>
      db.batch([
        { type: 'put', key: entryKey(5), value: legacy(encodeEntry(entry(5, 2))) },
        { type: 'put', key: hardStateKey, value: legacy(encodeHardState({ term: 2, vote: 1, commit: 3 })) },
      ]),
    );
    const store = await RaftLogStore.open({ dir, logger: silentLogger() });
    expect([store.lastIndex(), store.term(5), store.initialState().hardState.commit]).toEqual([5, 2, 3]);
    await store.persist(ready({ hardState: { term: 2, vote: 1, commit: 4 } }));
    await store.close();
    let version = 0;
    await tamper(async (db) => {
      version = (await db.get(hardStateKey))?.[0] ?? 0;
    });
    expect(version).toBe(2);
  });

  it('an unknown key is reported rather than ignored', async () => {
    await tamper((db) => db.put(Buffer.from([0x7f, 0x01]), Buffer.from('x')));
    expect(await corruptDetail()).toBe('unknown key 7f01');
  });
});

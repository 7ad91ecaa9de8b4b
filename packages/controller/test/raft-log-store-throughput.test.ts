import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@runnel/common';
import type { Entry } from '@runnel/raft';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftLogStore } from '../src/raft/raft-log-store.ts';
import { ready } from './fixtures/raft-readies.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-raft-throughput-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Persists `readies` Readies of `entriesPerReady` entries (`entryBytes` of data
 * each) plus a hard state, one after another as a Raft driver does, and prints
 * the rate. The rate is reported, never asserted (a test does not judge wall time).
 */
async function measure(readies: number, entriesPerReady: number, entryBytes: number, mustSync: boolean): Promise<void> {
  const store = await RaftLogStore.open({
    dir: join(dir, `${readies}-${entriesPerReady}-${mustSync}`),
    logger: silentLogger(),
  });
  const data = Buffer.alloc(entryBytes, 7);
  const started = performance.now();
  let index = 0;
  for (let r = 0; r < readies; r++) {
    const entries: Entry[] = [];
    for (let i = 0; i < entriesPerReady; i++) entries.push({ index: ++index, term: 1, type: 'normal', data });
    await store.persist(ready({ entries, hardState: { term: 1, vote: 1, commit: index }, mustSync }));
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const perSecond = Math.round(readies / seconds);
  console.log(
    `raft store: ${perSecond} readies/s (${perSecond * entriesPerReady} entries/s), ` +
      `${entriesPerReady} x ${entryBytes} B entries + hard state per ready, sync=${mustSync}, ${readies} readies`,
  );

  const reopened = await RaftLogStore.open({
    dir: join(dir, `${readies}-${entriesPerReady}-${mustSync}`),
    logger: silentLogger(),
  });
  try {
    expect(reopened.lastIndex()).toBe(readies * entriesPerReady);
    expect(reopened.initialState().hardState.commit).toBe(readies * entriesPerReady);
  } finally {
    await reopened.close();
  }
}

describe('RaftLogStore throughput (printed, not asserted)', () => {
  it('synced readies of one 256-byte entry all survive a reopen', async () => {
    await measure(2_000, 1, 256, true);
  });

  it('synced readies of 64 256-byte entries all survive a reopen', async () => {
    await measure(500, 64, 256, true);
  });

  it('unsynced readies of one 256-byte entry all survive a reopen', async () => {
    await measure(2_000, 1, 256, false);
  });
});

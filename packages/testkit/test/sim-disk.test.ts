import type { Entry, Snapshot } from '@runnel/raft';
import { describe, expect, it } from 'vitest';
import { SimDisk } from '../src/index.ts';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });
const snapshotAt = (index: number, term: number): Snapshot => ({
  metadata: { index, term, confState: { voters: [1, 2, 3], learners: [] } },
  data: new Uint8Array(0),
});
const indexes = (disk: SimDisk): string =>
  disk
    .durable()
    .entries.map((e) => `${e.index}:${e.term}`)
    .join(' ');

describe('SimDisk', () => {
  it('a crash throws away writes that were not synced', () => {
    const disk = new SimDisk(snapshotAt(0, 0), { term: 0, vote: 0, commit: 0 });
    disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1)] });
    disk.write({ kind: 'hard-state', hardState: { term: 1, vote: 1, commit: 0 } });
    disk.sync();
    disk.write({ kind: 'entries', entries: [entry(3, 1)] });
    disk.write({ kind: 'hard-state', hardState: { term: 2, vote: 3, commit: 2 } });
    disk.crash();
    expect(indexes(disk)).toBe('1:1 2:1');
    expect(disk.durable().hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(disk.writesLost).toBe(2);
  });

  it('appending at an earlier index replaces the tail, like a follower truncating its log', () => {
    const disk = new SimDisk(snapshotAt(0, 0), { term: 0, vote: 0, commit: 0 });
    disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    disk.write({ kind: 'entries', entries: [entry(2, 2)] });
    disk.sync();
    expect(indexes(disk)).toBe('1:1 2:2');
  });

  it('a snapshot the node took keeps later entries; a snapshot from the leader replaces the log', () => {
    const disk = new SimDisk(snapshotAt(0, 0), { term: 0, vote: 0, commit: 0 });
    disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    disk.write({ kind: 'snapshot', snapshot: snapshotAt(2, 1), replacesLog: false });
    disk.sync();
    expect(indexes(disk)).toBe('3:1');
    disk.write({ kind: 'snapshot', snapshot: snapshotAt(5, 2), replacesLog: true });
    disk.sync();
    expect(indexes(disk)).toBe('');
    expect(disk.durable().snapshot.metadata.index).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/memory-storage.ts';
import { RaftLog } from '../src/raft-log.ts';
import type { Entry } from '../src/types.ts';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array(1) });

/** A log with entries 1..terms.length of the given terms, all persisted, committed up to `commit`. */
function logWith(terms: number[], commit = 0): { log: RaftLog; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  storage.append(terms.map((term, i) => entry(i + 1, term)));
  return { log: new RaftLog(storage, commit, 0), storage };
}

describe('raft log', () => {
  it('an append whose previous entry has another term is rejected and leaves the log alone', () => {
    const { log } = logWith([1, 1, 2]);
    expect(log.maybeAppend(3, 1, 3, [entry(4, 3)])).toBeUndefined();
    expect(log.lastIndex()).toBe(3);
  });

  it('a conflicting suffix is truncated and replaced by the leader entries', () => {
    const { log } = logWith([1, 1, 2, 2]);
    expect(log.maybeAppend(2, 1, 0, [entry(3, 3), entry(4, 3), entry(5, 3)])).toBe(5);
    expect([3, 4, 5].map((i) => log.term(i))).toEqual([3, 3, 3]);
    expect(log.unstableEntries().map((e) => e.index)).toEqual([3, 4, 5]);
  });

  it('entries already held are not re-appended (a duplicate append is a no-op)', () => {
    const { log } = logWith([1, 1, 2]);
    expect(log.maybeAppend(1, 1, 0, [entry(2, 1), entry(3, 2)])).toBe(3);
    expect(log.unstableEntries()).toHaveLength(0);
  });

  it('commit follows the leader but never past the last new entry', () => {
    const { log } = logWith([1, 1]);
    log.maybeAppend(2, 1, 10, [entry(3, 1)]);
    expect(log.committed).toBe(3);
  });

  it('a conflict at or below the commit index is a bug and asserts', () => {
    const { log } = logWith([1, 1, 2], 3);
    expect(() => log.maybeAppend(2, 1, 3, [entry(3, 5)])).toThrow(/conflicts with committed/);
  });

  it('committing beyond the last index asserts', () => {
    const { log } = logWith([1]);
    expect(() => log.commitTo(2)).toThrow(/beyond last index/);
  });

  it('findConflictByTerm skips every entry whose term is above the given term', () => {
    const { log } = logWith([1, 1, 2, 2, 4, 4]);
    expect(log.findConflictByTerm(6, 3)).toBe(4);
    expect(log.findConflictByTerm(6, 1)).toBe(2);
    expect(log.findConflictByTerm(6, 4)).toBe(6);
  });

  it('a candidate is up to date with a higher last term, or the same term and at least our length', () => {
    const { log } = logWith([1, 2, 2]);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });

  it('compacted entries have no term and cannot be sliced', () => {
    const { log, storage } = logWith([1, 1, 1, 1]);
    log.commitTo(3);
    storage.createSnapshot(3, { voters: [1], learners: [] }, new Uint8Array(0));
    storage.compact(3);
    expect(log.term(2)).toBeUndefined();
    expect(log.term(3)).toBe(1);
    expect(log.slice(2, 5, 100)).toBeUndefined();
    expect(log.slice(4, 5, 100)?.map((e) => e.index)).toEqual([4]);
  });

  it('slices stop at maxBytes but always carry at least one entry', () => {
    const { log } = logWith([1, 1, 1]);
    log.append([entry(4, 1), entry(5, 1)]);
    expect(log.slice(1, 6, 0)?.map((e) => e.index)).toEqual([1]);
    expect(log.slice(2, 6, 3)?.map((e) => e.index)).toEqual([2, 3, 4]);
  });

  it('stableTo after a truncation of the same index range is ignored', () => {
    const { log } = logWith([1]);
    log.append([entry(2, 1)]);
    log.append([entry(2, 2)]);
    log.stableTo(2, 1);
    expect(log.unstableEntries()).toHaveLength(1);
    log.stableTo(2, 2);
    expect(log.unstableEntries()).toHaveLength(0);
  });
});

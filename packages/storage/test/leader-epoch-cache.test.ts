import { AssertionError } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { LeaderEpochCache, undefinedEpoch, undefinedEpochOffset } from '../src/index.ts';
import { formatLeaderEpochCheckpoint, parseLeaderEpochCheckpoint } from '../src/leader-epoch-checkpoint.ts';

const undefinedAnswer = { epoch: undefinedEpoch, endOffset: undefinedEpochOffset };

/** Epochs 0@0, 2@10, 5@30: the KIP-101 example used throughout. */
function kipCache(): LeaderEpochCache {
  const cache = new LeaderEpochCache();
  cache.assign(0, 0n);
  cache.assign(2, 10n);
  cache.assign(5, 30n);
  return cache;
}

describe('LeaderEpochCache.endOffsetFor (KIP-101)', () => {
  it.each([
    [0, 0, 10n],
    [1, 0, 10n],
    [2, 2, 30n],
    [4, 2, 30n],
    [5, 5, 50n],
    [6, 5, 50n],
  ])('with epochs 0@0, 2@10, 5@30 and log end 50, epoch %i answers (%i, %s)', (asked, epoch, endOffset) => {
    expect(kipCache().endOffsetFor(asked, 50n)).toEqual({ epoch, endOffset });
  });

  it('an empty cache answers undefined (-1, -1) for any epoch', () => {
    expect(new LeaderEpochCache().endOffsetFor(3, 50n)).toEqual(undefinedAnswer);
    expect(new LeaderEpochCache().latestEpoch).toBe(-1);
  });

  it('an epoch below the earliest left after truncateFromStart answers undefined', () => {
    const cache = kipCache();
    expect(cache.truncateFromStart(20n)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 2, startOffset: 20n },
      { epoch: 5, startOffset: 30n },
    ]);
    expect(cache.endOffsetFor(1, 50n)).toEqual(undefinedAnswer);
    expect(cache.endOffsetFor(0, 50n)).toEqual(undefinedAnswer);
    expect(cache.endOffsetFor(3, 50n)).toEqual({ epoch: 2, endOffset: 30n });
  });
});

describe('LeaderEpochCache.assign', () => {
  it('ignores an epoch equal to or older than the latest and reports no change', () => {
    const cache = kipCache();
    expect(cache.assign(5, 40n)).toBe(false);
    expect(cache.assign(3, 45n)).toBe(false);
    expect(cache.latestEpoch).toBe(5);
    expect(cache.entries()).toHaveLength(3);
  });

  it('a newer epoch starting before the latest entry is a bug and asserts', () => {
    expect(() => kipCache().assign(6, 29n)).toThrow(AssertionError);
  });

  it('a newer epoch at the latest start offset replaces the epoch that owns no offsets', () => {
    const cache = kipCache();
    expect(cache.assign(7, 30n)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 0, startOffset: 0n },
      { epoch: 2, startOffset: 10n },
      { epoch: 7, startOffset: 30n },
    ]);
  });

  it('a negative epoch is a bug and asserts', () => {
    expect(() => new LeaderEpochCache().assign(-1, 0n)).toThrow(AssertionError);
  });
});

describe('LeaderEpochCache truncation', () => {
  it('truncateFromEnd drops epochs starting at or after the offset and keeps the one holding it', () => {
    const cache = kipCache();
    expect(cache.truncateFromEnd(30n)).toBe(true);
    expect(cache.latestEpoch).toBe(2);
    expect(cache.endOffsetFor(5, 25n)).toEqual({ epoch: 2, endOffset: 25n });
    expect(cache.truncateFromEnd(30n)).toBe(false);
  });

  it('truncateFromStart onto an epoch boundary drops the earlier epoch instead of moving it', () => {
    const cache = kipCache();
    expect(cache.truncateFromStart(10n)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 2, startOffset: 10n },
      { epoch: 5, startOffset: 30n },
    ]);
  });

  it('truncateFromStart before the earliest entry changes nothing; past the latest keeps only the latest', () => {
    const cache = kipCache();
    expect(cache.truncateFromStart(0n)).toBe(false);
    expect(cache.truncateFromStart(45n)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 5, startOffset: 45n }]);
  });

  it('entries() is a copy the caller cannot use to change the cache', () => {
    const cache = kipCache();
    const copy = cache.entries() as { epoch: number; startOffset: bigint }[];
    copy.pop();
    expect(cache.entries()).toHaveLength(3);
  });
});

describe('leader epoch checkpoint text', () => {
  it('formats version, count and one "epoch offset" line per entry, and parses it back', () => {
    const text = formatLeaderEpochCheckpoint(kipCache().entries());
    expect(text).toBe('0\n3\n0 0\n2 10\n5 30\n');
    expect(parseLeaderEpochCheckpoint(text)).toEqual(kipCache().entries());
    expect(parseLeaderEpochCheckpoint('0\n0\n')).toEqual([]);
  });

  it.each([
    ['wrong version', '1\n1\n0 0\n'],
    ['count larger than the lines', '0\n2\n0 0\n'],
    ['count smaller than the lines', '0\n1\n0 0\n2 10\n'],
    ['epochs not increasing', '0\n2\n2 0\n2 10\n'],
    ['offsets not increasing', '0\n2\n0 10\n2 10\n'],
    ['a torn last line', '0\n2\n0 0\n2 1'],
    ['a negative epoch', '0\n1\n-1 0\n'],
    ['an offset past int64', '0\n1\n0 9223372036854775808\n'],
    ['garbage', '\u0000\u00ff garbage'],
    ['an empty file', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseLeaderEpochCheckpoint(text)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { committedIndex, hasQuorum, majority, voteResult } from '../src/quorum.ts';

describe('quorum math', () => {
  it('majority of 1..5 voters is 1, 2, 2, 3, 3', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });

  it('committed index is the highest index a majority has matched', () => {
    const match = new Map([
      [1, 9],
      [2, 5],
      [3, 7],
    ]);
    expect(committedIndex([1, 2, 3], (id) => match.get(id) ?? 0)).toBe(7);
    expect(committedIndex([1, 2, 3, 4], (id) => match.get(id) ?? 0)).toBe(5);
  });

  it('committed index with no voters is 0', () => {
    expect(committedIndex([], () => 10)).toBe(0);
  });

  it('vote is won at a majority of grants, lost once a majority is out of reach, pending otherwise', () => {
    expect(voteResult([1, 2, 3], new Map([[1, true]]))).toBe('pending');
    expect(
      voteResult(
        [1, 2, 3],
        new Map([
          [1, true],
          [3, true],
        ]),
      ),
    ).toBe('won');
    expect(
      voteResult(
        [1, 2, 3],
        new Map([
          [1, true],
          [2, false],
          [3, false],
        ]),
      ),
    ).toBe('lost');
  });

  it('votes from non-voters (learners, strangers) do not count', () => {
    const votes = new Map([
      [1, true],
      [4, true],
      [5, true],
    ]);
    expect(voteResult([1, 2, 3], votes)).toBe('pending');
  });

  it('has quorum only when a majority is active', () => {
    expect(hasQuorum([1, 2, 3], (id) => id === 1)).toBe(false);
    expect(hasQuorum([1, 2, 3], (id) => id !== 3)).toBe(true);
  });
});

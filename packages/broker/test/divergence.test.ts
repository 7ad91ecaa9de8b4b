/**
 * The leader-epoch rules (KIP-101 / KIP-320) as tables: each row is one
 * branch of divergingEpoch, followerTruncationOffset or newerEpochsStart,
 * with the epoch-cache answers that lead there and the expected result.
 */
import { describe, expect, it } from 'vitest';
import {
  divergingEpoch,
  type EpochEnd,
  followerTruncationOffset,
  newerEpochsStart,
} from '../src/replication/divergence.ts';

const end = (epoch: number, endOffset: bigint): EpochEnd => ({ epoch, endOffset });
const unknown = end(-1, -1n);

describe('divergingEpoch (leader side)', () => {
  it.each<[string, EpochEnd, number, bigint, EpochEnd | null]>([
    ['a follower with no epochs (empty log) always agrees', end(3, 10n), -1, 0n, null],
    ['a follower with no epochs agrees even with a leader that knows none', unknown, -1, 0n, null],
    ['the epoch ends after the fetch offset: agrees', end(2, 20n), 2, 15n, null],
    ['the epoch ends exactly at the fetch offset: agrees', end(2, 20n), 2, 20n, null],
    ['the epoch ends before the fetch offset: diverges at our end of it', end(2, 20n), 2, 25n, end(2, 20n)],
    ['we lack the epoch, our largest below ends after the offset: diverges there', end(1, 30n), 2, 25n, end(1, 30n)],
    ['we know no epoch at or below it: diverges at (-1, -1)', unknown, 0, 5n, unknown],
  ])('%s', (_name, ours, lastFetchedEpoch, fetchOffset, expected) => {
    expect(divergingEpoch(ours, lastFetchedEpoch, fetchOffset)).toEqual(expected);
  });
});

describe('followerTruncationOffset (follower side)', () => {
  it.each<[string, EpochEnd, EpochEnd, bigint, bigint, bigint]>([
    ['the leader knows no such epoch: restart at its log start', unknown, end(2, 40n), 0n, 7n, 7n],
    ['the leader names an epoch but no end offset: its log start', end(2, -1n), end(2, 40n), 0n, 7n, 7n],
    ["our end of the epoch is before the leader's: cut at ours", end(2, 30n), end(2, 25n), 0n, 0n, 25n],
    ["the leader's end of the epoch is before ours: cut at the leader's", end(2, 30n), end(2, 35n), 0n, 0n, 30n],
    ['both end at the same offset: cut there', end(2, 30n), end(2, 30n), 0n, 0n, 30n],
    ['we lack the epoch: cut at our log start when it is lower', end(2, 30n), unknown, 10n, 0n, 10n],
    [
      "we lack the epoch and our log starts past the leader's end: the leader's end",
      end(2, 30n),
      unknown,
      50n,
      0n,
      30n,
    ],
  ])('%s', (_name, diverging, local, localLogStart, leaderLogStart, expected) => {
    expect(followerTruncationOffset(diverging, local, localLogStart, leaderLogStart)).toBe(expected);
  });
});

describe('newerEpochsStart (follower side)', () => {
  it.each<[string, EpochEnd, bigint, bigint]>([
    ['we know an epoch at or below the batch epoch: cut where the next one starts', end(3, 42n), 5n, 42n],
    ['we know none at or below it: everything we hold is newer, cut at our log start', unknown, 5n, 5n],
  ])('%s', (_name, local, localLogStart, expected) => {
    expect(newerEpochsStart(local, localLogStart)).toBe(expected);
  });
});

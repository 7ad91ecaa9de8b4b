/**
 * The pure decisions of the consumer data path: leader-epoch fencing, a
 * consumer's diverging epoch (KIP-320), OffsetForLeaderEpoch's high
 * watermark cap, and ListOffsets v0's offset lists.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { consumerDivergence, epochEndAnswer, isFromFollower, leaderEpochError } from '../src/handlers/epoch-checks.ts';
import { legacyOffsets } from '../src/handlers/legacy-offsets.ts';

describe('leader epoch fencing', () => {
  it('skips the check for -1, passes the same epoch, fences an older one and holds off a newer one', () => {
    expect(leaderEpochError(-1, 5)).toBe(ErrorCode.NONE);
    expect(leaderEpochError(5, 5)).toBe(ErrorCode.NONE);
    expect(leaderEpochError(4, 5)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(leaderEpochError(6, 5)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('only a broker id marks a follower', () => {
    expect([-2, -1, 0, 3].map(isFromFollower)).toEqual([false, false, true, true]);
  });
});

describe('a consumer`s diverging epoch', () => {
  it('none when the consumer sent no epoch or its epoch ends here at or after its position', () => {
    expect(consumerDivergence({ epoch: 3, endOffset: 10n }, -1, 50n)).toBeNull();
    expect(consumerDivergence({ epoch: 3, endOffset: 10n }, 3, 10n)).toBeNull();
    expect(consumerDivergence({ epoch: 3, endOffset: 10n }, 3, 7n)).toBeNull();
  });

  it('our end for its epoch when that epoch ends before its position (records it read were truncated away)', () => {
    expect(consumerDivergence({ epoch: 3, endOffset: 10n }, 3, 12n)).toEqual({ epoch: 3, endOffset: 10n });
  });

  it('our largest older epoch when we never had its epoch (it read from a leader whose history we lack)', () => {
    expect(consumerDivergence({ epoch: 1, endOffset: 2n }, 2, 3n)).toEqual({ epoch: 1, endOffset: 2n });
    expect(consumerDivergence({ epoch: -1, endOffset: -1n }, 0, 4n)).toEqual({ epoch: -1, endOffset: -1n });
  });
});

describe('OffsetForLeaderEpoch answers', () => {
  it('never tell a consumer of offsets past the high watermark; a follower sees the log end', () => {
    expect(epochEndAnswer({ epoch: 4, endOffset: 30n }, 20n, false)).toEqual({ epoch: 4, endOffset: 20n });
    expect(epochEndAnswer({ epoch: 4, endOffset: 30n }, 20n, true)).toEqual({ epoch: 4, endOffset: 30n });
    expect(epochEndAnswer({ epoch: 2, endOffset: 15n }, 20n, false)).toEqual({ epoch: 2, endOffset: 15n });
    expect(epochEndAnswer({ epoch: -1, endOffset: -1n }, 20n, false)).toEqual({ epoch: -1, endOffset: -1n });
  });
});

describe('ListOffsets v0 offset lists', () => {
  // Segments at 0 (records to t=1000), 100 (to 2000), 200 (to 3000); records up to 250.
  const segments = [
    { baseOffset: 0n, maxTimestampMs: 1000n },
    { baseOffset: 100n, maxTimestampMs: 2000n },
    { baseOffset: 200n, maxTimestampMs: 3000n },
  ];
  const at = (timestamp: bigint, maxNumOffsets: number, highWatermark: bigint | null = 250n) =>
    legacyOffsets({
      segments,
      logStartOffset: 0n,
      logEndOffset: 250n,
      highWatermark,
      timestamp,
      maxNumOffsets,
      nowMs: 9000n,
    });

  it('latest lists the end then segment bases, newest first, up to maxNumOffsets', () => {
    expect(at(-1n, 1)).toEqual([250n]);
    expect(at(-1n, 10)).toEqual([250n, 200n, 100n, 0n]);
  });

  it('earliest lists the log start only', () => {
    expect(at(-2n, 10)).toEqual([0n]);
  });

  it('a time lists the bases of segments whose records all precede it, newest first; none before the first', () => {
    expect(at(2500n, 10)).toEqual([100n, 0n]);
    expect(at(2000n, 1)).toEqual([100n]);
    expect(at(500n, 10)).toEqual([]);
  });

  it('a consumer never sees past the high watermark; a follower does', () => {
    expect(at(-1n, 3, 150n)).toEqual([150n, 100n]);
    expect(at(-1n, 3, null)).toEqual([250n, 200n, 100n]);
  });

  it('a segment base below the log start (retention moved it) answers the log start', () => {
    const offsets = legacyOffsets({
      segments,
      logStartOffset: 40n,
      logEndOffset: 250n,
      highWatermark: 250n,
      timestamp: -1n,
      maxNumOffsets: 10,
      nowMs: 9000n,
    });
    expect(offsets).toEqual([250n, 200n, 100n, 40n]);
  });
});

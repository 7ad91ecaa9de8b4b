import { describe, expect, it } from 'vitest';
import { FramePool, poisonByte, retainFrame } from '../src/network/frame-pool.ts';
import { LeaderTailCache } from '../src/replication/leader-tail-cache.ts';

/** An entry of `records` offsets from `base`, its bytes tagged with the base offset so reads can be told apart. */
function entry(base: number, records: number, size = 100): [bigint, bigint, Buffer] {
  return [BigInt(base), BigInt(base + records), Buffer.alloc(size, base % 256)];
}

describe('LeaderTailCache', () => {
  it('returns the entry starting at the offset and the contiguous ones after it, up to maxBytes', () => {
    const cache = new LeaderTailCache(10_000);
    cache.add(...entry(0, 10));
    cache.add(...entry(10, 5));
    cache.add(...entry(15, 5));
    const read = cache.read(10n, 200, 100n);
    expect(read?.map((b) => b[0])).toEqual([10, 15]);
    expect(cache.read(10n, 150, 100n)?.map((b) => b[0])).toEqual([10]);
  });

  it('returns one entry even when it alone exceeds maxBytes', () => {
    const cache = new LeaderTailCache(10_000);
    cache.add(...entry(0, 10, 500));
    expect(cache.read(0n, 10, 100n)?.length).toBe(1);
  });

  it('misses (null) for an offset inside an entry, past the end, or before the oldest entry', () => {
    const cache = new LeaderTailCache(10_000);
    cache.add(...entry(10, 10));
    expect(cache.read(15n, 1000, 100n)).toBeNull();
    expect(cache.read(20n, 1000, 100n)).toBeNull();
    expect(cache.read(0n, 1000, 100n)).toBeNull();
  });

  it('never returns an entry that ends past maxOffset (an append not yet complete)', () => {
    const cache = new LeaderTailCache(10_000);
    cache.add(...entry(0, 10));
    cache.add(...entry(10, 10));
    expect(cache.read(0n, 1000, 10n)?.map((b) => b[0])).toEqual([0]);
    expect(cache.read(10n, 1000, 15n)).toBeNull();
  });

  it('starts over when an append is not contiguous with the last one', () => {
    const cache = new LeaderTailCache(10_000);
    cache.add(...entry(0, 10));
    cache.add(...entry(20, 10));
    expect(cache.read(0n, 1000, 100n)).toBeNull();
    expect(cache.read(20n, 1000, 100n)?.length).toBe(1);
    expect(cache.sizeBytes).toBe(100);
  });

  it('evicts the oldest entries beyond its byte budget', () => {
    const cache = new LeaderTailCache(250);
    cache.add(...entry(0, 1));
    cache.add(...entry(1, 1));
    cache.add(...entry(2, 1));
    expect(cache.read(0n, 1000, 100n)).toBeNull();
    expect(cache.read(1n, 1000, 100n)?.length).toBe(2);
    expect(cache.sizeBytes).toBe(200);
  });

  it('trimBelow drops entries wholly below the offset and keeps the one straddling it', () => {
    const cache = new LeaderTailCache(100_000);
    for (let i = 0; i < 200; i++) cache.add(...entry(i * 10, 10));
    cache.trimBelow(1005n);
    expect(cache.read(990n, 1000, 10_000n)).toBeNull();
    expect(cache.read(1000n, 100, 10_000n)?.length).toBe(1);
    expect(cache.sizeBytes).toBe(100 * 100);
    cache.trimBelow(5000n);
    expect(cache.sizeBytes).toBe(0);
    cache.add(...entry(2000, 10));
    expect(cache.read(2000n, 1000, 10_000n)?.length).toBe(1);
  });

  it('keeps no entry larger than its budget', () => {
    const cache = new LeaderTailCache(50);
    cache.add(...entry(0, 1));
    expect(cache.sizeBytes).toBe(0);
    expect(cache.read(0n, 1000, 100n)).toBeNull();
  });

  describe('with recycled request frames (poison mode)', () => {
    const frameBytes = 100 * 1024;

    /** A produce frame from a poisoning pool holding `base`-tagged record bytes, and the request's own claim. */
    function pooledEntry(pool: FramePool, base: number) {
      const got = pool.acquire(frameBytes);
      if (got === null) throw new Error('frame not pooled');
      const records = got.frame.subarray(64);
      records.fill(base % 256);
      return { records, requestClaim: got.claim };
    }

    const newPool = () =>
      new FramePool({
        frameBytesMin: 1024,
        frameBytesMax: 1024 * 1024,
        freeBytesMax: 8 * 1024 * 1024,
        poisonReleased: true,
      });

    it('an entry keeps its bytes intact after the request lets go, until the high watermark trims it', () => {
      const pool = newPool();
      const cache = new LeaderTailCache(1024 * 1024);
      const { records, requestClaim } = pooledEntry(pool, 5);
      cache.add(5n, 15n, records);
      requestClaim.release();
      expect(cache.read(5n, frameBytes, 100n)?.[0]?.every((b) => b === 5)).toBe(true);
      cache.trimBelow(15n);
      expect(records.every((b) => b === poisonByte)).toBe(true);
    });

    it('a reader claim outlives eviction and clear; clear releases the entries', () => {
      const pool = newPool();
      const cache = new LeaderTailCache(1024 * 1024);
      const first = pooledEntry(pool, 1);
      const second = pooledEntry(pool, 2);
      cache.add(0n, 10n, first.records);
      cache.add(10n, 20n, second.records);
      first.requestClaim.release();
      second.requestClaim.release();
      const [read] = cache.read(0n, frameBytes, 100n) ?? [];
      const readerClaim = read === undefined ? null : retainFrame(read);
      expect(readerClaim).not.toBeNull();
      cache.clear();
      expect(second.records.every((b) => b === poisonByte)).toBe(true);
      expect(first.records.every((b) => b === 1)).toBe(true);
      readerClaim?.release();
      expect(first.records.every((b) => b === poisonByte)).toBe(true);
    });
  });
});

import { gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CompressionError, INFLATE_CHUNK_BYTES, InflateBudget, inflateInto } from '../src/records/index.ts';

const mib = 1024 * 1024;

describe('inflateInto', () => {
  it.each([
    ['gzip', gzipSync],
    ['zstd', zstdCompressSync],
  ] as const)('streams a %s bomb in chunks and stops at the first chunk the sink refuses', async (codec, compress) => {
    const bomb = compress(Buffer.alloc(64 * mib));
    let chunks = 0;
    let largest = 0;
    const outcome = await inflateInto(codec, bomb, 128 * mib, (chunk) => {
      chunks++;
      largest = Math.max(largest, chunk.length);
      return chunks < 3;
    });
    expect(outcome).toBe('stopped');
    expect(chunks).toBe(3);
    expect(largest).toBeLessThanOrEqual(INFLATE_CHUNK_BYTES);
  });

  it('hands a small output over in one piece and reports corrupt input as CompressionError', async () => {
    const seen: Buffer[] = [];
    expect(await inflateInto('gzip', gzipSync(Buffer.from('hello')), mib, (c) => seen.push(c) > 0)).toBe('done');
    expect(Buffer.concat(seen).toString()).toBe('hello');
    await expect(inflateInto('zstd', Buffer.from('not zstd'), mib, () => true)).rejects.toBeInstanceOf(
      CompressionError,
    );
  });
});

describe('InflateBudget', () => {
  it('grants within the budget at once, queues the rest first come first served, and lets an oversized request run alone', async () => {
    const budget = new InflateBudget(100);
    const first = await budget.acquire(60);
    const order: string[] = [];
    const second = budget.acquire(50).then((release) => {
      order.push('second');
      return release;
    });
    const third = budget.acquire(10).then((release) => {
      order.push('third');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(budget.bytesInUse).toBe(60);
    first();
    const [releaseSecond, releaseThird] = await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(budget.bytesInUse).toBe(60);
    releaseSecond();
    releaseSecond();
    releaseThird();
    expect(budget.bytesInUse).toBe(0);
    const huge = await budget.acquire(1000);
    expect(budget.bytesInUse).toBe(100);
    huge();
    expect(budget.bytesInUse).toBe(0);
  });
});
